/* spank_mounts.c - the --container-mounts syntax (spank_mounts.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spank_mounts.h"

#define MOUNTS_MAX 4096

int spank_mounts_check(const char *spec, char *why, size_t n)
{
	char copy[MOUNTS_MAX];
	const char *entry;
	size_t len;

	if (!spec || !*spec)
		return snprintf(why, n, "empty; the form is SRC:DST[:ro],..."), -1;
	len = strlen(spec);
	if (len >= sizeof copy)
		return snprintf(why, n, "longer than %d bytes", MOUNTS_MAX - 1), -1;
	memcpy(copy, spec, len + 1);
	entry = copy;
	for (;;) {
		char *comma = strchr(entry, ','), *f[4] = { NULL, NULL, NULL, NULL };
		int nf = 0;
		char *save = NULL, *e;

		if (comma)
			*comma = '\0';
		if (!*entry)
			return snprintf(why, n, "an empty entry; the form is SRC:DST[:ro],..."), -1;
		e = strdup(entry);
		if (!e)
			return snprintf(why, n, "out of memory"), -1;
		if (strstr(e, "::") || e[0] == ':' || e[strlen(e) - 1] == ':')
			nf = -1;
		for (char *t = strtok_r(e, ":", &save); t && nf >= 0; t = strtok_r(NULL, ":", &save))
			f[nf < 3 ? nf : 3] = t, nf++;
		if (nf < 2 || nf > 3) {
			snprintf(why, n, "\"%s\": not SRC:DST[:ro]", entry);
			free(e);
			return -1;
		}
		if (f[0][0] != '/' || f[1][0] != '/') {
			snprintf(why, n, "\"%s\": SRC and DST must be absolute paths", entry);
			free(e);
			return -1;
		}
		if (nf == 3 && strcmp(f[2], "ro") != 0 && strcmp(f[2], "rw") != 0) {
			snprintf(why, n, "\"%s\": unknown option \"%s\" (ro or rw)", entry, f[2]);
			free(e);
			return -1;
		}
		free(e);
		if (!comma)
			return 0;
		entry = comma + 1;
	}
}
