/* when.c - see when.h */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/base/util.h"
#include "lib/record/container.h"
#include "when.h"

/* TIME as the user gives it (events --since/--until, logs --since, the
 * until filter of volume ls and prune): RFC 3339 (with or without a fraction or zone), a date, Unix
 * seconds, or a Go duration meaning that long ago */
int cli_parse_time(const char *s, int64_t *ns)
{
	static const char *const fmts[] = { "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d" };
	struct err ign = ERR_INIT;
	struct timespec now;
	int64_t ms;
	char *end;

	clock_gettime(CLOCK_REALTIME, &now);
	for (size_t i = 0; i < ARRAY_SIZE(fmts); i++) {
		struct tm tm;
		const char *p;
		int64_t frac = 0, scale = 1000000000;
		memset(&tm, 0, sizeof tm);
		if (!(p = strptime(s, fmts[i], &tm)))
			continue;
		if (*p == '.')
			for (p++; *p >= '0' && *p <= '9'; p++)
				if (scale > 1) {
					scale /= 10;
					frac += (*p - '0') * scale;
				}
		if (*p == '\0' || strcmp(p, "Z") == 0) {
			*ns = (int64_t)timegm(&tm) * 1000000000LL + frac;
			return 0;
		}
		if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
		    isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
		    isdigit((unsigned char)p[4]) && isdigit((unsigned char)p[5])) {
			int off = ((p[1] - '0') * 10 + (p[2] - '0')) * 3600 +
				  ((p[4] - '0') * 10 + (p[5] - '0')) * 60;
			*ns = ((int64_t)timegm(&tm) - (*p == '+' ? off : -off)) * 1000000000LL + frac;
			return 0;
		}
	}
	errno = 0;
	double secs = strtod(s, &end);
	if (*s && *end == '\0' && errno == 0 && secs >= 0) {
		*ns = (int64_t)(secs * 1e9);
		return 0;
	}
	if (parse_duration_ms(s, &ms, &ign) == 0) {
		*ns = ((int64_t)now.tv_sec * 1000000000LL + now.tv_nsec) - ms * 1000000LL;
		return 0;
	}
	err_clear(&ign);
	return -1;
}
