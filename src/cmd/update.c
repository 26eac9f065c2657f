/* update.c - burrow update: change the cgroup limits of a container, in its
 * running cgroup (cgroup_update) and in config.json so that restarts keep
 * them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "lib/cgroup/cgroup.h"
#include "lib/record/container.h"
#include "lib/record/state.h"
#include "lib/base/util.h"

enum { O_HELP = 1, O_LIMIT = 10 }; /* each limit: O_LIMIT + its row */
static const struct opt update_opts[] = {
	{ "blkio-weight", 0, OPT_VALUE, O_LIMIT + 0, "WEIGHT", "Block IO weight, 10 to 1000" },
	{ "cpu-period", 0, OPT_VALUE, O_LIMIT + 1, "USEC", "CPU CFS period in microseconds" },
	{ "cpu-quota", 0, OPT_VALUE, O_LIMIT + 2, "USEC", "CPU CFS quota in microseconds (-1: none)" },
	{ "cpu-shares", 0, OPT_VALUE, O_LIMIT + 3, "SHARES", "CPU shares (relative weight)" },
	{ "cpus", 0, OPT_VALUE, O_LIMIT + 4, "N", "Number of CPUs (e.g. 0.5)" },
	{ "cpuset-cpus", 0, OPT_VALUE, O_LIMIT + 5, "LIST", "CPUs the container may use (0-3,5)" },
	{ "cpuset-mems", 0, OPT_VALUE, O_LIMIT + 6, "LIST", "Memory nodes the container may use" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "memory", 0, OPT_VALUE, O_LIMIT + 8, "SIZE", "Memory limit (e.g. 64m)" },
	{ "memory-reservation", 0, OPT_VALUE, O_LIMIT + 9, "SIZE", "Memory soft limit" },
	{ "memory-swap", 0, OPT_VALUE, O_LIMIT + 10, "SIZE", "Memory plus swap limit (-1: unlimited swap)" },
	{ "pids-limit", 0, OPT_VALUE, O_LIMIT + 11, "N", "Maximum number of processes (-1: unlimited)" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static void merge_num(int64_t *dst, int64_t v)
{
	if (v != CG_UNSET)
		*dst = v;
}

static void merge_str(char **dst, const char *v)
{
	if (v) {
		free(*dst);
		*dst = xstrdup(v);
	}
}

/* the record's limits with those of n laid over them */
static void merge_limits(struct cgroup_limits *m, const struct cgroup_limits *n)
{
	if (n->from_cpus || n->cpu_quota != CG_UNSET || n->cpu_period != CG_UNSET) {
		if (n->from_cpus || m->from_cpus)
			m->cpu_quota = m->cpu_period = CG_UNSET;
		m->from_cpus = n->from_cpus;
	}
	merge_num(&m->memory, n->memory);
	merge_num(&m->memory_swap, n->memory_swap);
	merge_num(&m->memory_reservation, n->memory_reservation);
	merge_num(&m->cpu_quota, n->cpu_quota);
	merge_num(&m->cpu_period, n->cpu_period);
	merge_num(&m->cpu_shares, n->cpu_shares);
	merge_num(&m->pids_limit, n->pids_limit);
	merge_num(&m->blkio_weight, n->blkio_weight);
	merge_str(&m->cpuset_cpus, n->cpuset_cpus);
	merge_str(&m->cpuset_mems, n->cpuset_mems);
}

/* lock -> load -> merge and check -> apply to the cgroup -> save config.json */
static int update_one(struct globals *g, const char *ref, void *arg, struct err *e)
{
	const struct cgroup_limits *nl = arg;
	struct ctr c;
	struct ctr_state st;
	struct cgroup cg = CGROUP_INIT;
	int lfd, rc = -1;

	if (ctr_load(g, ref, &c, e) < 0)
		return -1;
	lfd = state_lock(c.spec.ctrdir, e);
	if (lfd < 0) {
		ctr_free(&c);
		return -1;
	}
	ctr_state_init(&st);
	if (state_load(c.spec.ctrdir, &st, e) < 0)
		goto out;
	if (c.spec.no_cgroups) {
		err_make(e, 0,
			 "container %s was created with --cgroups=disabled: its limits cannot "
			 "be updated",
			 ref);
		goto out;
	}
	if (!c.spec.has_limits) {
		cgroup_limits_init(&c.spec.limits);
		c.spec.has_limits = true;
	}
	merge_limits(&c.spec.limits, nl);
	if (cgroup_limits_check(&c.spec.limits, e) < 0)
		goto out;
	if (st.status == ST_RUNNING || st.status == ST_PAUSED) {
		if (!st.cgroup[0]) {
			err_make(e, 0,
				 "container %s has no cgroup, and updating limits needs one: "
				 "it was started without resource limits or where no delegated "
				 "cgroup v2 subtree was available ('burrow info' shows whether "
				 "limits are); restart it with a limit (e.g. --pids-limit=-1)",
				 ref);
			goto out;
		}
		if (ctr_cgroup_open(&st, &cg, e) < 0 || cgroup_update(&cg, &c.spec.limits, e) < 0) {
			err_wrap(e, "updating container %s", ref);
			goto out;
		}
	} else {
		struct cg_file f[CG_MAX_FILES];
		unsigned mask = 0;
		size_t n = cg_limit_files(&c.spec.limits, f, &mask);

		cg_files_free(f, n);
		if (cgroup_probe(mask, e) == CGM_NONE) {
			err_wrap(e, "container %s: its limits could not be applied at its next start", ref);
			goto out;
		}
	}
	rc = container_write_config(&c.spec, e);
out:
	cgroup_close(&cg);
	ctr_state_free(&st);
	close(lfd);
	ctr_free(&c);
	return rc;
}

CMD_DECL(update)
{
	struct optparser p;
	struct cgroup_limits l;
	int id, rc = 0;

	cgroup_limits_init(&l);
	opt_init(&p, update_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_HELP:
			opt_print_help(stdout, "update", "[OPTIONS] CONTAINER [CONTAINER...]",
				       "Change the resource limits (cgroup v2) of containers.", update_opts);
			cgroup_limits_free(&l);
			return 0;
		case -1:
			goto usage;
		default:
			if (cgroup_limit_set(&l, update_opts[id - O_LIMIT].name, p.value, e) < 0)
				goto usage;
			break;
		}
	}
	if (p.idx >= argc) {
		err_make(e, 0, "\"burrow update\" requires at least 1 argument");
		goto usage;
	}
	if (!cgroup_limits_any(&l)) {
		err_make(e, 0,
			 "\"burrow update\" needs at least one limit to change "
			 "(--memory, --cpus, --pids-limit, ...)");
		goto usage;
	}
	/* --memory-swap alone pairs with the recorded --memory: checked merged */
	if (!(l.memory_swap != CG_UNSET && l.memory == CG_UNSET) && cgroup_limits_check(&l, e) < 0)
		goto usage;
	rc = ctr_each(g, argv + p.idx, (size_t)(argc - p.idx), update_one, &l, e);
	cgroup_limits_free(&l);
	return rc;
usage:
	cgroup_limits_free(&l);
	return err_mark_usage(e);
}
