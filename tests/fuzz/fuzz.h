/* fuzz.h - what the harnesses in tests/fuzz/ share.
 *
 * Each harness defines LLVMFuzzerTestOneInput() (and may define
 * LLVMFuzzerInitialize()).  `make fuzz` links it with libFuzzer (clang,
 * build/fuzz/); the ASan build links it with driver.c instead, a plain main
 * that runs every file named on the command line (or found in a named
 * directory) once, which is how make check replays the seed corpora and the
 * regression inputs (tests/integration/fuzz-regress.t).  See README.md. */
#ifndef BURROW_FUZZ_H
#define BURROW_FUZZ_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* data as a NUL-terminated string (it may hold NULs of its own: C string
 * parsers see the part before the first one, as they would from argv) */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A new directory $TMPDIR/burrow-fuzz-WHAT-XXXXXX (TMPDIR default /tmp),
 * malloc'd; aborts on failure */
static inline char *fuzz_tmpdir(const char *what)
{
	const char *t = getenv("TMPDIR");
	char *p;

	if (!t || *t != '/')
		t = "/tmp";
	if (asprintf(&p, "%s/burrow-fuzz-%s-XXXXXX", t, what) < 0 || !mkdtemp(p))
		abort();
	return p;
}

/* A safety property the harness checks failed: abort() so libFuzzer keeps
 * the input (and the driver fails the regression test). */
#define FUZZ_ASSERT(c) \
	do { \
		if (!(c)) { \
			fprintf(stderr, "%s:%d: fuzz assertion failed: %s\n", __FILE__, __LINE__, #c); \
			abort(); \
		} \
	} while (0)

#endif
