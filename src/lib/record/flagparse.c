/* flagparse.c - the values of --restart, durations and sizes (declared in
 * container.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "lib/base/util.h"

/* ---- flag value parsers ---------------------------------------------------- */

static const char *const restart_names[] = { "no", "on-failure", "always", "unless-stopped" };

const char *restart_mode_name(enum restart_mode m)
{
	return (unsigned)m < ARRAY_SIZE(restart_names) ? restart_names[m] : "no";
}

int parse_restart(const char *s, struct restart_policy *r, struct err *e)
{
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);

	memset(r, 0, sizeof *r);
	for (size_t i = 0; i < ARRAY_SIZE(restart_names); i++) {
		if (strlen(restart_names[i]) != n || strncmp(s, restart_names[i], n) != 0)
			continue;
		r->mode = (enum restart_mode)i;
		if (colon) {
			uint64_t v;
			if (r->mode != RESTART_ON_FAILURE || parse_u64(colon + 1, &v) < 0 || v > 1000000)
				return err_make(e, 0,
						"invalid restart policy \"%s\": only on-failure takes a "
						"retry count (on-failure:N)",
						s);
			r->max = (int)v;
		}
		return 0;
	}
	return err_make(e, 0, "invalid restart policy \"%s\" (no, on-failure[:N], always, unless-stopped)",
			s);
}

int parse_duration_ms(const char *s, int64_t *ms, struct err *e)
{
	const char *p = s;
	double total = 0;

	if (!*s)
		return err_make(e, 0, "invalid duration \"\"");
	while (*p) {
		char *end;
		double v = strtod(p, &end);
		double unit;
		if (end == p || v < 0)
			return err_make(e, 0, "invalid duration \"%s\" (e.g. 30s, 1m, 500ms)", s);
		p = end;
		if (strncmp(p, "ms", 2) == 0)
			unit = 1, p += 2;
		else if (strncmp(p, "us", 2) == 0)
			unit = 0.001, p += 2;
		else if (*p == 's')
			unit = 1000, p++;
		else if (*p == 'm')
			unit = 60000, p++;
		else if (*p == 'h')
			unit = 3600000, p++;
		else if (*p == '\0' && p == end && total == 0)
			unit = 1000;
		else
			return err_make(e, 0, "invalid duration \"%s\" (e.g. 30s, 1m, 500ms)", s);
		total += v * unit;
	}
	if (total > 1e12)
		return err_make(e, 0, "duration \"%s\" is too long", s);
	*ms = (int64_t)total;
	return 0;
}

int parse_size(const char *s, uint64_t *out, struct err *e)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno || *s == '-')
		return err_make(e, 0, "invalid size \"%s\" (e.g. 10m, 512k)", s);
	switch (*end) {
	case 'b':
	case 'B':
	case '\0':
		mul = 1;
		break;
	case 'k':
	case 'K':
		mul = 1024;
		break;
	case 'm':
	case 'M':
		mul = 1024 * 1024;
		break;
	case 'g':
	case 'G':
		mul = 1024ULL * 1024 * 1024;
		break;
	default:
		return err_make(e, 0, "invalid size \"%s\" (e.g. 10m, 512k)", s);
	}
	if (*end && end[1] && !((end[1] == 'b' || end[1] == 'B') && !end[2]))
		return err_make(e, 0, "invalid size \"%s\" (e.g. 10m, 512k)", s);
	*out = v * mul;
	return 0;
}
