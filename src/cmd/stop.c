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
	{ "time", 't', OPT_VALUE, O_TIME, "SECONDS", "Seconds to wait before SIGKILL (default: the container's, 10)" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

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
		case O_ALL: all = opt_flag_value(&p); break;
		case O_HELP:
			opt_print_help(stdout, "stop", "[OPTIONS] CONTAINER [CONTAINER...]", "Stop one or more running containers.", stop_opts);
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
		for (size_t i = 0; ids[i]; i++) {
			if (ctr_stop_ref(g, ids[i], timeout, e) < 0) {
				rc = cli_report(e);
				err_clear(e);
			} else {
				printf("%s\n", ids[i]);
			}
		}
		strv_free(ids);
		return rc;
	}
	for (int i = p.idx; i < argc; i++) {
		if (ctr_stop_ref(g, argv[i], timeout, e) < 0) {
			rc = cli_report(e);
			err_clear(e);
		} else {
			printf("%s\n", argv[i]);
			fflush(stdout);
		}
	}
	return rc;
usage:
	return err_mark_usage(e);
}
