/* tap.h - TAP output for the C unit tests (header only).
 *
 *   ok(cond, "name %d", i);  is_int(got, want, "name");  is_str(got, want, "name");
 *   skip("no i386 ABI in this kernel");        one test that cannot run here
 *   return done_testing();
 *
 * A file that cannot run at all here: return skip_all("reason"); from main,
 * before the first test.
 */
#ifndef BURROW_TAP_H
#define BURROW_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3))) static inline int ok(int cond, const char *fmt, ...)
{
	va_list ap;
	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

#define is_int(got, want, ...) \
	do { \
		long long _g = (long long)(got), _w = (long long)(want); \
		if (!ok(_g == _w, __VA_ARGS__)) \
			printf("# got: %lld\n# want: %lld\n", _g, _w); \
	} while (0)

#define is_str(got, want, ...) \
	do { \
		const char *_g = (got), *_w = (want); \
		if (!ok((_g == NULL && _w == NULL) || (_g && _w && strcmp(_g, _w) == 0), __VA_ARGS__)) \
			printf("# got: '%s'\n# want: '%s'\n", _g ? _g : "(null)", _w ? _w : "(null)"); \
	} while (0)

static inline void diag(const char *s)
{
	printf("# %s\n", s);
}

/* skip: count one test as skipped, with the reason ("ok N # SKIP reason") */
__attribute__((format(printf, 1, 2))) static inline void skip(const char *fmt, ...)
{
	va_list ap;
	printf("ok %d # SKIP ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* skip_all: the whole file cannot run here; print the empty plan with the
 * reason and return 0 for main to return */
static inline int skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	fflush(stdout);
	return 0;
}

static inline int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
