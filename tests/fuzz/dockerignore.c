/* dockerignore.c - fuzz .dockerignore parsing and matching, and the COPY
 * source globs (lib/build/ignore.h).  The input is the .dockerignore text;
 * its own lines are then matched as paths, and as glob patterns against
 * each other. */
#include "fuzz.h"
#include "lib/base/util.h"
#include "lib/build/ignore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = ERR_INIT;
	struct dockerignore *d = NULL;
	char *s = fuzz_str(data, size), *save = NULL, **lines = NULL;
	size_t n;

	if (dockerignore_parse((const char *)data, size, &d, &e) < 0)
		err_clear(&e);
	lines = xcalloc(1, sizeof(char *));
	for (char *t = strtok_r(s, "\n", &save); t; t = strtok_r(NULL, "\n", &save))
		if (strv_len(lines) < 16)
			strv_push(&lines, t);
	n = strv_len(lines);
	for (size_t i = 0; i < n; i++) {
		if (d) {
			(void)dockerignore_excluded(d, lines[i]);
			(void)dockerignore_may_include_below(d, lines[i]);
		}
		(void)path_has_glob(lines[i]);
		for (size_t j = 0; j < n && j < 4; j++)
			if (path_match(lines[i], lines[j], &e) < 0)
				err_clear(&e);
	}
	strv_free(lines);
	dockerignore_free(d);
	free(s);
	return 0;
}
