/* stop.c - burrow stop: the stop signal, then SIGKILL after the timeout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "lib/base/util.h"

enum { O_TIME = 1, O_ALL, O_HELP };
static const struct opt stop_opts[] = {
	{ "all", 'a', OPT_FLAG, O_ALL, NULL, "Stop all running containers" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "time", 't', OPT_VALUE, O_TIME, "SECONDS",
	  "Seconds to wait before SIGKILL (default: the container's, 10)" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static int stop_fn(struct globals *g, const char *ref, void *arg, struct err *e)
{
	return ctr_stop_ref(g, ref, *(int *)arg, e);
}

CMD_DECL(stop)
{
	struct optparser p;
	bool all = false;
	int id, rc = 0, timeout = -1;
	char **ids = NULL;

	opt_init(&p, stop_opts, argc, argv);
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
		case O_ALL:
			all = opt_flag_value(&p);
			break;
		case O_HELP:
			opt_print_help(stdout, "stop", "[OPTIONS] CONTAINER [CONTAINER...]",
				       "Stop one or more running containers.", stop_opts);
			return 0;
		case -1:
		default:
			goto usage;
		}
	}
	if (p.idx >= argc && !all) {
		err_make(e, 0, "\"burrow stop\" requires at least 1 argument");
		goto usage;
	}
	if (all) {
		if (container_list(g->cfg.root, &ids, e) < 0)
			return -1;
		rc = ctr_each(g, ids, strv_len(ids), stop_fn, &timeout, e);
		strv_free(ids);
		return rc;
	}
	return ctr_each(g, argv + p.idx, (size_t)(argc - p.idx), stop_fn, &timeout, e);
usage:
	return err_mark_usage(e);
}
