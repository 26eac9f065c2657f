/* kill.c - burrow kill: signal the container's init. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "lib/record/events.h"

enum { O_SIGNAL = 1, O_HELP };
static const struct opt kill_opts[] = {
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "signal", 's', OPT_VALUE, O_SIGNAL, "SIGNAL", "Signal to send (default KILL)" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static int kill_one(struct globals *g, const char *ref, void *arg, struct err *e)
{
	int sig = *(int *)arg, rc;
	struct ctr c;

	if (ctr_load(g, ref, &c, e) < 0)
		return -1;
	/* SIGKILL and the stop signal end the restart policy, as stop does */
	if (ctr_running(&c) && (sig == SIGKILL || sig == c.spec.stop_signal) &&
	    ctr_request_stop(g, &c, e) < 0)
		err_clear(e);
	rc = ctr_kill(&c, sig, e);
	if (rc == 0)
		events_container(&c.spec, "kill", -1);
	ctr_free(&c);
	return rc;
}

CMD_DECL(kill)
{
	struct optparser p;
	int id, sig = SIGKILL;

	opt_init(&p, kill_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_SIGNAL:
			sig = parse_signal(p.value, e);
			if (sig < 0)
				goto usage;
			break;
		case O_HELP:
			opt_print_help(stdout, "kill", "[OPTIONS] CONTAINER [CONTAINER...]",
				       "Send a signal to one or more running containers.", kill_opts);
			return 0;
		case -1:
		default:
			goto usage;
		}
	}
	if (p.idx >= argc) {
		err_make(e, 0, "\"burrow kill\" requires at least 1 argument");
		goto usage;
	}
	return ctr_each(g, argv + p.idx, (size_t)(argc - p.idx), kill_one, &sig, e);
usage:
	return err_mark_usage(e);
}
