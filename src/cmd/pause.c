/* pause.c - burrow pause / unpause: freeze and thaw the container's cgroup
 * (cgroup.freeze, waiting for "frozen" in cgroup.events). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "lib/cgroup/cgroup.h"
#include "lib/record/state.h"
#include "lib/record/events.h"

enum { O_HELP = 1 };
static const struct opt pause_opts[] = {
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* lock -> load -> check the transition -> freeze/thaw -> save */
static int set_paused(struct globals *g, const char *ref, void *arg, struct err *e)
{
	bool pause = *(bool *)arg;
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
	if (pause && st.status == ST_PAUSED) {
		err_make(e, 0, "container %s is already paused", ref);
		goto out;
	}
	if (pause && st.status != ST_RUNNING) {
		err_make(e, 0, "container %s is not running", ref);
		goto out;
	}
	if (!pause && st.status != ST_PAUSED) {
		err_make(e, 0, "container %s is not paused", ref);
		goto out;
	}
	if (!st.cgroup[0]) {
		err_make(e, 0,
			 "container %s has no cgroup, and pausing needs one (cgroup.freeze): "
			 "start it with a resource limit (e.g. --pids-limit=-1) where a delegated "
			 "cgroup v2 subtree is available ('burrow info' shows whether limits are)",
			 ref);
		goto out;
	}
	if (ctr_cgroup_open(&st, &cg, e) < 0 || cgroup_freeze(&cg, pause, 10000, e) < 0) {
		err_wrap(e, "%s container %s", pause ? "pausing" : "unpausing", ref);
		goto out;
	}
	st.status = pause ? ST_PAUSED : ST_RUNNING;
	rc = state_save(c.spec.ctrdir, &st, e);
	if (rc == 0)
		events_container(&c.spec, pause ? "pause" : "unpause", -1);
out:
	cgroup_close(&cg);
	ctr_state_free(&st);
	close(lfd);
	ctr_free(&c);
	return rc;
}

static int pause_main(struct globals *g, int argc, char **argv, bool pause, struct err *e)
{
	const char *verb = pause ? "pause" : "unpause";
	struct optparser p;
	int id;

	opt_init(&p, pause_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_HELP:
			opt_print_help(
				stdout, verb, "CONTAINER [CONTAINER...]",
				pause ? "Pause all processes in one or more containers (cgroup freezer)."
				      : "Unpause all processes in one or more containers.",
				pause_opts);
			return 0;
		case -1:
		default:
			goto usage;
		}
	}
	if (p.idx >= argc) {
		err_make(e, 0, "\"burrow %s\" requires at least 1 argument", verb);
		goto usage;
	}
	return ctr_each(g, argv + p.idx, (size_t)(argc - p.idx), set_paused, &pause, e);
usage:
	return err_mark_usage(e);
}

CMD_DECL(pause)
{
	return pause_main(g, argc, argv, true, e);
}

CMD_DECL(unpause)
{
	return pause_main(g, argc, argv, false, e);
}
