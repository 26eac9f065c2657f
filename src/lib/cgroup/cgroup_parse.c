/* cgroup_parse.c - the pure half of cgroup.h: flag values, podman's
 * conversions and the parsers of the kernel's stat files. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cgroup.h"
#include "lib/base/util.h"

#define CPU_PERIOD_DEFAULT 100000
#define MEMORY_MIN (6 * 1024 * 1024) /* podman's minimum for --memory */

void cgroup_limits_init(struct cgroup_limits *l)
{
	*l = (struct cgroup_limits){
		.memory = CG_UNSET,
		.memory_swap = CG_UNSET,
		.memory_reservation = CG_UNSET,
		.cpu_quota = CG_UNSET,
		.cpu_period = CG_UNSET,
		.cpu_shares = CG_UNSET,
		.pids_limit = CG_UNSET,
		.blkio_weight = CG_UNSET,
	};
}

void cgroup_limits_free(struct cgroup_limits *l)
{
	free(l->cpuset_cpus);
	free(l->cpuset_mems);
	l->cpuset_cpus = l->cpuset_mems = NULL;
}

bool cgroup_limits_any(const struct cgroup_limits *l)
{
	return l->memory != CG_UNSET || l->memory_swap != CG_UNSET || l->memory_reservation != CG_UNSET ||
	       l->cpu_quota != CG_UNSET || l->cpu_period != CG_UNSET || l->cpu_shares != CG_UNSET ||
	       l->cpuset_cpus || l->cpuset_mems || l->pids_limit != CG_UNSET || l->blkio_weight != CG_UNSET;
}

/* ---- sizes and numbers ---------------------------------------------------- */

int cg_parse_size(const char *s, bool allow_minus1, int64_t *out, struct err *e)
{
	const char *p = s;
	double whole;
	uint64_t mult = 1;
	char *end;

	if (allow_minus1 && strcmp(s, "-1") == 0) {
		*out = CG_MAX;
		return 0;
	}
	if (!isdigit((unsigned char)*p))
		goto bad;
	errno = 0;
	whole = strtod(p, &end);
	/* strtod also takes hex, exponents and "inf": accept only digits[.digits] */
	for (const char *q = p; q < end; q++)
		if (!isdigit((unsigned char)*q) && *q != '.')
			goto bad;
	if (errno || end == p)
		goto bad;
	p = end;
	if (*p == ' ')
		p++;
	switch (tolower((unsigned char)*p)) {
	case 'k':
		mult = 1ULL << 10;
		p++;
		break;
	case 'm':
		mult = 1ULL << 20;
		p++;
		break;
	case 'g':
		mult = 1ULL << 30;
		p++;
		break;
	case 't':
		mult = 1ULL << 40;
		p++;
		break;
	case 'p':
		mult = 1ULL << 50;
		p++;
		break;
	default:
		break;
	}
	if (mult > 1 && tolower((unsigned char)*p) == 'i')
		p++;
	if (tolower((unsigned char)*p) == 'b')
		p++;
	if (*p)
		goto bad;
	if (whole * (double)mult >= 9.2e18)
		return err_make(e, 0, "size too large: %s", s);
	*out = (int64_t)(whole * (double)mult);
	return 0;
bad:
	return err_make(e, 0,
			"invalid size %s (a number with an optional unit b, k, m or g, "
			"e.g. 64m)",
			s);
}

static int parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (!*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int cg_parse_cpus(const char *s, int64_t *quota, int64_t *period, struct err *e)
{
	char *end;
	double v;

	for (const char *q = s; *q; q++)
		if (!isdigit((unsigned char)*q) && *q != '.')
			goto bad;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v))
		goto bad;
	if (v == 0) { /* podman: 0 means no limit */
		*quota = CG_MAX;
		*period = CPU_PERIOD_DEFAULT;
		return 0;
	}
	if (v < 0.01 || v > 1e6)
		return err_make(e, 0, "--cpus %s: out of range (0.01 to 1000000, or 0 for no limit)", s);
	*quota = (int64_t)(v * CPU_PERIOD_DEFAULT + 0.5);
	*period = CPU_PERIOD_DEFAULT;
	return 0;
bad:
	return err_make(e, 0, "--cpus %s: not a number of CPUs (e.g. 0.5 or 2)", s);
}

int cg_parse_cpuset(const char *s, struct err *e)
{
	const char *p = s;
	long last = -1;

	if (!*s)
		goto bad;
	while (*p) {
		char *end;
		long a, b;

		if (!isdigit((unsigned char)*p))
			goto bad;
		a = strtol(p, &end, 10);
		p = end;
		b = a;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				goto bad;
			b = strtol(p, &end, 10);
			p = end;
		}
		if (a > b || a <= last || b >= 1024)
			goto bad;
		last = b;
		if (*p == ',') {
			p++;
			if (!*p)
				goto bad;
		} else if (*p) {
			goto bad;
		}
	}
	return 0;
bad:
	return err_make(e, 0, "invalid list %s (ascending numbers and ranges below 1024, e.g. 0-3,5)", s);
}

uint64_t cg_shares_to_weight(uint64_t shares)
{
	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cg_blkio_to_io_weight(uint64_t w)
{
	if (w <= 10)
		return 1;
	if (w >= 1000)
		return 10000;
	return 1 + (w - 10) * 9999 / 990;
}

/* ---- flags ------------------------------------------------------------------ */

int cgroup_limit_set(struct cgroup_limits *l, const char *flag, const char *v, struct err *e)
{
	int64_t n;

	if (strcmp(flag, "memory") == 0) {
		if (cg_parse_size(v, false, &n, e) < 0)
			return err_wrap(e, "--memory");
		if (n < MEMORY_MIN)
			return err_make(e, 0, "--memory %s: the minimum memory limit is 6m", v);
		l->memory = n;
	} else if (strcmp(flag, "memory-swap") == 0) {
		if (cg_parse_size(v, true, &n, e) < 0)
			return err_wrap(e, "--memory-swap");
		l->memory_swap = n;
	} else if (strcmp(flag, "memory-reservation") == 0) {
		if (cg_parse_size(v, false, &n, e) < 0)
			return err_wrap(e, "--memory-reservation");
		l->memory_reservation = n;
	} else if (strcmp(flag, "cpus") == 0) {
		if (cg_parse_cpus(v, &l->cpu_quota, &l->cpu_period, e) < 0)
			return -1;
		l->from_cpus = true;
	} else if (strcmp(flag, "cpu-quota") == 0) {
		if (parse_int(v, -1, INT64_MAX / 2, &n) < 0 || (n >= 0 && n < 1000))
			return err_make(e, 0,
					"--cpu-quota %s: microseconds, at least 1000 (or -1 for "
					"no limit)",
					v);
		l->cpu_quota = n < 0 ? CG_MAX : n;
	} else if (strcmp(flag, "cpu-period") == 0) {
		if (parse_int(v, 1000, 1000000, &n) < 0)
			return err_make(e, 0, "--cpu-period %s: microseconds from 1000 to 1000000", v);
		l->cpu_period = n;
	} else if (strcmp(flag, "cpu-shares") == 0) {
		if (parse_int(v, 2, 262144, &n) < 0)
			return err_make(e, 0, "--cpu-shares %s: a number from 2 to 262144", v);
		l->cpu_shares = n;
	} else if (strcmp(flag, "cpuset-cpus") == 0 || strcmp(flag, "cpuset-mems") == 0) {
		char **dst = flag[7] == 'c' ? &l->cpuset_cpus : &l->cpuset_mems;
		if (cg_parse_cpuset(v, e) < 0)
			return err_wrap(e, "--%s", flag);
		free(*dst);
		*dst = xstrdup(v);
	} else if (strcmp(flag, "pids-limit") == 0) {
		if (parse_int(v, -1, INT32_MAX, &n) < 0)
			return err_make(e, 0,
					"--pids-limit %s: a number of processes (-1 or 0 for no "
					"limit)",
					v);
		l->pids_limit = n <= 0 ? CG_MAX : n;
	} else if (strcmp(flag, "blkio-weight") == 0) {
		if (parse_int(v, 10, 1000, &n) < 0)
			return err_make(e, 0, "--blkio-weight %s: a number from 10 to 1000", v);
		l->blkio_weight = n;
	} else {
		return err_make(e, 0, "unknown limit --%s", flag);
	}
	return 0;
}

int cgroup_limits_check(const struct cgroup_limits *l, struct err *e)
{
	if (l->memory_swap != CG_UNSET) {
		if (l->memory == CG_UNSET)
			return err_make(e, 0,
					"--memory-swap needs --memory: set both (podman semantics: "
					"--memory-swap is memory plus swap)");
		if (l->memory_swap != CG_MAX && l->memory_swap < l->memory)
			return err_make(e, 0,
					"--memory-swap (%" PRId64 " bytes) must be at least "
					"--memory (%" PRId64 " bytes), or -1 for unlimited swap",
					l->memory_swap, l->memory);
	}
	if (l->memory_reservation != CG_UNSET && l->memory != CG_UNSET && l->memory_reservation > l->memory)
		return err_make(e, 0, "--memory-reservation must not be above --memory");
	return 0;
}

/* ---- the files ---------------------------------------------------------- */

static void add(struct cg_file *f, size_t *n, const char *name, unsigned ctrl, bool optional, char *value)
{
	f[*n] = (struct cg_file){ name, value, ctrl, optional };
	(*n)++;
}

static char *num_or_max(int64_t v)
{
	return v == CG_MAX ? xstrdup("max") : xasprintf("%" PRId64, v);
}

size_t cg_limit_files(const struct cgroup_limits *l, struct cg_file f[CG_MAX_FILES], unsigned *ctrl_mask)
{
	size_t n = 0;
	unsigned m = 0;

	if (l->memory_reservation != CG_UNSET)
		add(f, &n, "memory.low", CG_C_MEMORY, false, num_or_max(l->memory_reservation));
	if (l->memory != CG_UNSET)
		add(f, &n, "memory.max", CG_C_MEMORY, false, num_or_max(l->memory));
	if (l->memory_swap == CG_MAX)
		add(f, &n, "memory.swap.max", CG_C_MEMORY, false, xstrdup("max"));
	else if (l->memory_swap != CG_UNSET && l->memory != CG_UNSET)
		add(f, &n, "memory.swap.max", CG_C_MEMORY, false,
		    xasprintf("%" PRId64, l->memory_swap - l->memory));
	else if (l->memory != CG_UNSET) /* podman: swap defaults to as much as memory */
		add(f, &n, "memory.swap.max", CG_C_MEMORY, true, num_or_max(l->memory));
	if (l->cpu_quota != CG_UNSET || l->cpu_period != CG_UNSET) {
		int64_t q = l->cpu_quota == CG_UNSET ? CG_MAX : l->cpu_quota;
		int64_t p = l->cpu_period == CG_UNSET ? CPU_PERIOD_DEFAULT : l->cpu_period;
		if (q == CG_MAX)
			add(f, &n, "cpu.max", CG_C_CPU, false, xasprintf("max %" PRId64, p));
		else
			add(f, &n, "cpu.max", CG_C_CPU, false, xasprintf("%" PRId64 " %" PRId64, q, p));
	}
	if (l->cpu_shares != CG_UNSET)
		add(f, &n, "cpu.weight", CG_C_CPU, false,
		    xasprintf("%" PRIu64, cg_shares_to_weight((uint64_t)l->cpu_shares)));
	if (l->cpuset_cpus)
		add(f, &n, "cpuset.cpus", CG_C_CPUSET, false, xstrdup(l->cpuset_cpus));
	if (l->cpuset_mems)
		add(f, &n, "cpuset.mems", CG_C_CPUSET, false, xstrdup(l->cpuset_mems));
	if (l->pids_limit != CG_UNSET)
		add(f, &n, "pids.max", CG_C_PIDS, false, num_or_max(l->pids_limit));
	if (l->blkio_weight != CG_UNSET)
		add(f, &n, "io.bfq.weight", CG_C_IO, false, xasprintf("%" PRId64, l->blkio_weight));
	for (size_t i = 0; i < n; i++)
		m |= f[i].ctrl;
	*ctrl_mask = m;
	return n;
}

void cg_files_free(struct cg_file *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].value);
		f[i].value = NULL;
	}
}

const char *cg_controller_name(unsigned bit)
{
	switch (bit) {
	case CG_C_CPU:
		return "cpu";
	case CG_C_CPUSET:
		return "cpuset";
	case CG_C_IO:
		return "io";
	case CG_C_MEMORY:
		return "memory";
	case CG_C_PIDS:
		return "pids";
	default:
		return "?";
	}
}

/* ---- --ulimit ----------------------------------------------------------- */

static const struct {
	const char *name;
	int resource;
} ulimits[] = {
	{ "as", RLIMIT_AS },           { "core", RLIMIT_CORE },         { "cpu", RLIMIT_CPU },
	{ "data", RLIMIT_DATA },       { "fsize", RLIMIT_FSIZE },       { "locks", RLIMIT_LOCKS },
	{ "memlock", RLIMIT_MEMLOCK }, { "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },
	{ "nofile", RLIMIT_NOFILE },   { "nproc", RLIMIT_NPROC },       { "rss", RLIMIT_RSS },
	{ "rtprio", RLIMIT_RTPRIO },   { "rttime", RLIMIT_RTTIME },     { "sigpending", RLIMIT_SIGPENDING },
	{ "stack", RLIMIT_STACK },
};

static int parse_rlim(const char *s, uint64_t *out)
{
	int64_t v;

	if (strcmp(s, "unlimited") == 0 || strcmp(s, "-1") == 0) {
		*out = RLIM_INFINITY;
		return 0;
	}
	if (parse_int(s, 0, INT64_MAX, &v) < 0)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

int cg_parse_ulimit(const char *s, struct cg_ulimit *out, struct err *e)
{
	const char *eq = strchr(s, '=');
	_cleanup_free_ char *vals = NULL;
	char *colon;
	size_t i;

	if (!eq)
		return err_make(e, 0, "--ulimit %s: expected TYPE=SOFT[:HARD], e.g. nofile=1024:2048", s);
	for (i = 0; i < ARRAY_SIZE(ulimits); i++)
		if (strlen(ulimits[i].name) == (size_t)(eq - s) &&
		    strncmp(ulimits[i].name, s, (size_t)(eq - s)) == 0)
			break;
	if (i == ARRAY_SIZE(ulimits))
		return err_make(e, 0, "--ulimit %s: unknown type %.*s", s, (int)(eq - s), s);
	vals = xstrdup(eq + 1);
	colon = strchr(vals, ':');
	if (colon)
		*colon++ = '\0';
	if (parse_rlim(vals, &out->soft) < 0 ||
	    (colon ? parse_rlim(colon, &out->hard) : (out->hard = out->soft, 0)) < 0)
		return err_make(e, 0, "--ulimit %s: limits are numbers, -1 or unlimited", s);
	if (out->soft > out->hard)
		return err_make(e, 0, "--ulimit %s: the soft limit is above the hard limit", s);
	out->resource = ulimits[i].resource;
	return 0;
}

/* ---- stat files ---------------------------------------------------------- */

int64_t cg_keyed_get(const char *text, const char *key)
{
	size_t kl = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, kl) == 0 && p[kl] == ' ') {
			char *end;
			long long v;
			errno = 0;
			v = strtoll(p + kl + 1, &end, 10);
			if (errno || end == p + kl + 1)
				return -1;
			return v;
		}
	}
	return -1;
}

void cg_parse_io_stat(const char *text, struct cg_io_totals *t)
{
	*t = (struct cg_io_totals){ 0 };
	/* "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" per device */
	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		_cleanup_free_ char *line = strndup(p, len);
		char *save = NULL;

		if (!line)
			break;
		// NOLINTNEXTLINE(clang-analyzer-unix.Malloc): _cleanup_free_ frees line; clang-tidy 14 misses that
		for (char *w = strtok_r(line, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
			uint64_t *dst = NULL;
			char *val = strchr(w, '=');
			uint64_t v;

			if (!val)
				continue;
			*val++ = '\0';
			if (strcmp(w, "rbytes") == 0)
				dst = &t->rbytes;
			else if (strcmp(w, "wbytes") == 0)
				dst = &t->wbytes;
			else if (strcmp(w, "rios") == 0)
				dst = &t->rios;
			else if (strcmp(w, "wios") == 0)
				dst = &t->wios;
			if (dst && parse_u64(val, &v) == 0)
				*dst += v;
		}
		p = eol ? eol + 1 : NULL;
	}
}
