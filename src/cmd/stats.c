/* stats.c - burrow stats: resource usage of containers from their cgroup
 * (cgroup_stats) and network helper (net_counters), podman's columns. */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "cli/format.h"
#include "cli/ctrutil.h"
#include "lib/cgroup/cgroup.h"
#include "lib/record/container.h"
#include "lib/net/net.h"
#include "lib/record/state.h"
#include "lib/base/util.h"

enum { O_ALL = 1, O_FORMAT, O_NOSTREAM, O_HELP };
static const struct opt stats_opts[] = {
	{ "all", 'a', OPT_FLAG, O_ALL, NULL, "Show all containers, not only running ones" },
	{ "format", 0, OPT_VALUE, O_FORMAT, "FORMAT",
	  "json, or a Go template (\"table {{.Name}}\\t{{.CPUPerc}}\")" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "no-stream", 0, OPT_FLAG, O_NOSTREAM, NULL, "Print one sample and exit" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

struct sample {
	char id[65];
	char *name;
	bool has_cg, has_net;
	struct cgroup_stats cs;
	struct net_counters nc;
	double cpu;        /* percent, < 0 unknown */
	int64_t mem_limit; /* bytes, -1 unknown */
};

static double mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* one reading of container id; the cgroup's absence is not an error */
static int take(struct globals *g, const char *id, struct sample *s, struct err *e)
{
	struct ctr c;
	struct cgroup cg = CGROUP_INIT;
	struct err ig = ERR_INIT;

	memset(s, 0, sizeof *s);
	s->cpu = -1;
	s->mem_limit = -1;
	if (ctr_load_id(g, id, &c, e) < 0)
		return -1;
	memcpy(s->id, c.id, sizeof s->id);
	s->name = xstrdup(c.spec.name ? c.spec.name : "");
	if (ctr_running(&c) && c.st.cgroup[0] && ctr_cgroup_open(&c.st, &cg, &ig) == 0 &&
	    cgroup_stats(&cg, &s->cs, &ig) == 0) {
		s->has_cg = true;
		s->mem_limit = s->cs.memory_max;
		if (s->mem_limit == CG_MAX || s->mem_limit < 0) {
			long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
			s->mem_limit = pages > 0 && psz > 0 ? (int64_t)pages * psz : -1;
		}
	}
	err_clear(&ig);
	cgroup_close(&cg);
	if (ctr_running(&c) && c.spec.net == NET_SLIRP) {
		char *sock = container_net_socket(&c.spec);
		if (net_counters(sock, &s->nc, &ig) == 0)
			s->has_net = true;
		err_clear(&ig);
		free(sock);
	}
	ctr_free(&c);
	return 0;
}

static void human(char *buf, size_t n, double v)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
	size_t u = 0;

	while (v >= 1000.0 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1000.0;
		u++;
	}
	snprintf(buf, n, "%.4g%s", v, units[u]);
}

/* the strings podman's stats table shows, as template fields too */
static json_object *rows_of(const struct sample *s, size_t n)
{
	json_object *rows = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		char cpu[32] = "--", mem[64] = "--", memp[32] = "--", net[64] = "--", blk[64] = "--",
		     pids[32] = "--", a[24], b[24], id[13];
		json_object *o = json_object_new_object();

		if (s[i].has_cg) {
			if (s[i].cpu >= 0)
				snprintf(cpu, sizeof cpu, "%.2f%%", s[i].cpu);
			human(a, sizeof a, s[i].cs.memory_current < 0 ? 0 : (double)s[i].cs.memory_current);
			if (s[i].mem_limit > 0) {
				human(b, sizeof b, (double)s[i].mem_limit);
				snprintf(memp, sizeof memp, "%.2f%%",
					 100.0 *
						 (double)(s[i].cs.memory_current < 0
								  ? 0
								  : s[i].cs.memory_current) /
						 (double)s[i].mem_limit);
			} else {
				snprintf(b, sizeof b, "--");
			}
			snprintf(mem, sizeof mem, "%s / %s", a, b);
			human(a, sizeof a, (double)s[i].cs.io.rbytes);
			human(b, sizeof b, (double)s[i].cs.io.wbytes);
			snprintf(blk, sizeof blk, "%s / %s", a, b);
			if (s[i].cs.pids_current >= 0)
				snprintf(pids, sizeof pids, "%" PRId64, s[i].cs.pids_current);
		}
		if (s[i].has_net) {
			human(a, sizeof a, (double)s[i].nc.rx_bytes);
			human(b, sizeof b, (double)s[i].nc.tx_bytes);
			snprintf(net, sizeof net, "%s / %s", a, b);
		}
		snprintf(id, sizeof id, "%.12s", s[i].id);
		json_object_object_add(o, "ID", json_object_new_string(id));
		json_object_object_add(o, "ContainerID", json_object_new_string(s[i].id));
		json_object_object_add(o, "Name", json_object_new_string(s[i].name));
		json_object_object_add(o, "CPUPerc", json_object_new_string(cpu));
		json_object_object_add(o, "MemUsage", json_object_new_string(mem));
		json_object_object_add(o, "MemPerc", json_object_new_string(memp));
		json_object_object_add(o, "NetIO", json_object_new_string(net));
		json_object_object_add(o, "BlockIO", json_object_new_string(blk));
		json_object_object_add(o, "PIDs", json_object_new_string(pids));
		json_object_array_add(rows, o);
	}
	return rows;
}

static const char *const stats_heads[] = { "CPUPerc", "CPU %", "MemUsage", "MEM USAGE / LIMIT", "MemPerc",
					   "MEM %",   "NetIO", "NET IO",   "BlockIO",           "BLOCK IO",
					   "PIDs",    "PIDS",  NULL };

static int print_table(const struct sample *s, size_t n, const char *format, struct err *e)
{
	json_object *rows = rows_of(s, n);
	int rc = 0;

#define COL(o, k) json_object_get_string(json_object_object_get(o, k))
	if (cli_format_is_template(format)) {
		rc = cli_format_print(format, rows, stats_heads, false, e);
	} else {
		printf("%-12s  %-20s  %-8s  %-21s  %-8s  %-21s  %-21s  %s\n", "ID", "NAME", "CPU %",
		       "MEM USAGE / LIMIT", "MEM %", "NET IO", "BLOCK IO", "PIDS");
		for (size_t i = 0; i < n; i++) {
			json_object *o = json_object_array_get_idx(rows, i);
			printf("%-12.12s  %-20s  %-8s  %-21s  %-8s  %-21s  %-21s  %s\n", COL(o, "ID"),
			       COL(o, "Name"), COL(o, "CPUPerc"), COL(o, "MemUsage"), COL(o, "MemPerc"),
			       COL(o, "NetIO"), COL(o, "BlockIO"), COL(o, "PIDs"));
		}
	}
#undef COL
	json_object_put(rows);
	return rc;
}

static json_object *num_or_null(bool ok, int64_t v)
{
	return ok && v >= 0 ? json_object_new_int64(v) : NULL;
}

static void print_json(const struct sample *s, size_t n)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		bool cg = s[i].has_cg;
		int64_t cur = s[i].cs.memory_current;

		json_object_object_add(o, "ContainerID", json_object_new_string(s[i].id));
		json_object_object_add(o, "Name", json_object_new_string(s[i].name));
		json_object_object_add(o, "CPU",
				       cg && s[i].cpu >= 0 ? json_object_new_double(s[i].cpu) : NULL);
		json_object_object_add(o, "MemUsage", num_or_null(cg, cur));
		json_object_object_add(o, "MemLimit", num_or_null(cg, s[i].mem_limit));
		json_object_object_add(o, "MemPerc",
				       cg && cur >= 0 && s[i].mem_limit > 0
					       ? json_object_new_double(100.0 * (double)cur /
									(double)s[i].mem_limit)
					       : NULL);
		json_object_object_add(o, "NetInput",
				       s[i].has_net ? json_object_new_int64((int64_t)s[i].nc.rx_bytes)
						    : NULL);
		json_object_object_add(o, "NetOutput",
				       s[i].has_net ? json_object_new_int64((int64_t)s[i].nc.tx_bytes)
						    : NULL);
		json_object_object_add(o, "BlockInput",
				       cg ? json_object_new_int64((int64_t)s[i].cs.io.rbytes) : NULL);
		json_object_object_add(o, "BlockOutput",
				       cg ? json_object_new_int64((int64_t)s[i].cs.io.wbytes) : NULL);
		json_object_object_add(o, "PIDs", num_or_null(cg, s[i].cs.pids_current));
		json_object_array_add(arr, o);
	}
	printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
}

static void samples_free(struct sample *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i].name);
	free(s);
}

/* ids: the containers to show (refs resolved), or all (running unless all) */
static int collect(struct globals *g, char **refs, int nrefs, bool all, char ***ids, size_t *n, struct err *e)
{
	char **list = NULL;

	*n = 0;
	if (nrefs > 0) {
		*ids = xcalloc((size_t)nrefs + 1, sizeof **ids);
		for (int i = 0; i < nrefs; i++) {
			char id[65];
			if (container_lookup(g->cfg.root, refs[i], id, e) < 0)
				return -1;
			(*ids)[(*n)++] = xstrdup(id);
		}
		return 0;
	}
	if (container_list(g->cfg.root, &list, e) < 0)
		return -1;
	*ids = xcalloc(strv_len(list) + 1, sizeof **ids);
	for (size_t i = 0; list[i]; i++) {
		struct ctr c;
		struct err ig = ERR_INIT;
		if (ctr_load_id(g, list[i], &c, &ig) < 0) {
			err_clear(&ig);
			continue;
		}
		if (all || ctr_running(&c))
			(*ids)[(*n)++] = xstrdup(list[i]);
		ctr_free(&c);
	}
	strv_free(list);
	return 0;
}

static int sample_all(struct globals *g, char **ids, size_t n, int gap_ms, const char *format, struct err *e)
{
	struct sample *a = xcalloc(n + 1, sizeof *a), *b = xcalloc(n + 1, sizeof *b);
	double t0, t1;
	size_t m = 0;

	t0 = mono_usec();
	for (size_t i = 0; i < n; i++) {
		if (take(g, ids[i], &a[i], e) < 0)
			err_clear(e); /* removed meanwhile */
	}
	struct timespec ts = { gap_ms / 1000, (long)(gap_ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	t1 = mono_usec();
	for (size_t i = 0; i < n; i++) {
		if (!a[i].id[0] || take(g, ids[i], &b[m], e) < 0) {
			err_clear(e);
			continue;
		}
		if (a[i].has_cg && b[m].has_cg && a[i].cs.cpu_usage_usec >= 0 &&
		    b[m].cs.cpu_usage_usec >= a[i].cs.cpu_usage_usec && t1 > t0)
			b[m].cpu = 100.0 * (double)(b[m].cs.cpu_usage_usec - a[i].cs.cpu_usage_usec) /
				   (t1 - t0);
		m++;
	}
	int rc = 0;
	if (format && strcmp(format, "json") == 0)
		print_json(b, m);
	else
		rc = print_table(b, m, format, e);
	fflush(stdout);
	samples_free(a, n);
	samples_free(b, n);
	return rc;
}

CMD_DECL(stats)
{
	struct optparser p;
	bool all = false, stream = true, json = false;
	const char *format = NULL;
	char **ids = NULL;
	size_t n = 0;
	int id, rc = 0;

	opt_init(&p, stats_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_ALL:
			all = opt_flag_value(&p);
			break;
		case O_FORMAT:
			format = p.value;
			break;
		case O_NOSTREAM:
			stream = !opt_flag_value(&p);
			break;
		case O_HELP:
			opt_print_help(stdout, "stats", "[OPTIONS] [CONTAINER...]",
				       "Show the resource usage of containers (cgroup v2), refreshed "
				       "every second until interrupted.",
				       stats_opts);
			return 0;
		case -1:
		default:
			goto usage;
		}
	}
	if (cli_format_check(format, e) < 0)
		return -1;
	json = format && strcmp(format, "json") == 0;
	if (collect(g, argv + p.idx, argc - p.idx, all, &ids, &n, e) < 0) {
		strv_free(ids);
		return -1;
	}
	for (;;) {
		if (stream && !json && isatty(STDOUT_FILENO))
			fputs("\033[H\033[2J", stdout);
		if (sample_all(g, ids, n, stream ? 1000 : 100, format, e) < 0) {
			rc = -1;
			break;
		}
		if (!stream)
			break;
		if (p.idx >= argc) {
			strv_free(ids);
			ids = NULL;
			if (collect(g, NULL, 0, all, &ids, &n, e) < 0) {
				rc = -1;
				break;
			}
		}
	}
	strv_free(ids);
	return rc;
usage:
	return err_mark_usage(e);
}
