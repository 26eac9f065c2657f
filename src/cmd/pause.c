/* pause.c - burrow pause / unpause: freeze and thaw the container's cgroup
 * (cgroup.freeze, waiting for "frozen" in cgroup.events). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "cli/ctrutil.h"

enum { O_HELP = 1 };
static const struct opt pause_opts[] = {
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static int set_paused(struct globals *g, const char *ref, void *arg, struct err *e)
{
	return ctr_pause(g, ref, *(bool *)arg, e);
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
