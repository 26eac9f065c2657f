/* restart.c - burrow restart: stop, then start under a supervisor. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "lib/base/util.h"
#include "lib/record/events.h"

enum { O_TIME = 1, O_HELP };
static const struct opt restart_opts[] = {
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "time", 't', OPT_VALUE, O_TIME, "SECONDS",
	  "Seconds to wait before SIGKILL (default: the container's, 10)" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* stop, then start again under a supervisor */
static int restart_one(struct globals *g, const char *ref, void *arg, struct err *e)
{
	struct ctr c;
	int code, rc;

	if (ctr_stop_ref(g, ref, *(int *)arg, e) < 0 || ctr_load(g, ref, &c, e) < 0)
		return -1;
	c.spec.detach = true;
	rc = ctr_relaunch(g, &c, &code, e);
	if (rc == 0)
		events_container(&c.spec, "restart", -1);
	ctr_free(&c);
	return rc;
}

CMD_DECL(restart)
{
	struct optparser p;
	int id, timeout = -1;

	opt_init(&p, restart_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		uint64_t v;
		switch (id) {
		case O_TIME:
			if (parse_u64(p.value, &v) < 0 || v > 1000000) {
				err_make(e, 0, "invalid --time \"%s\"", p.value);
				goto usage;
			}
			timeout = (int)v;
			break;
		case O_HELP:
			opt_print_help(stdout, "restart", "[OPTIONS] CONTAINER [CONTAINER...]",
				       "Restart one or more containers.", restart_opts);
			return 0;
		case -1:
		default:
			goto usage;
		}
	}
	if (p.idx >= argc) {
		err_make(e, 0, "\"burrow restart\" requires at least 1 argument");
		goto usage;
	}
	return ctr_each(g, argv + p.idx, (size_t)(argc - p.idx), restart_one, &timeout, e);
usage:
	return err_mark_usage(e);
}
