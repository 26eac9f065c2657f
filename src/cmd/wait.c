/* wait.c - burrow wait: block until containers exit, print their codes. */
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "cli/ctrutil.h"

enum { O_HELP = 1 };
static const struct opt wait_opts[] = {
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

CMD_DECL(wait)
{
	struct optparser p;
	int id, rc = 0;

	opt_init(&p, wait_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		if (id == O_HELP) {
			opt_print_help(stdout, "wait", "CONTAINER [CONTAINER...]",
				       "Wait for containers to exit and print their exit codes.", wait_opts);
			return 0;
		}
		return err_mark_usage(e);
	}
	if (p.idx >= argc)
		return err_usage(e, "\"burrow wait\" requires at least 1 argument");
	for (int i = p.idx; i < argc; i++) {
		struct ctr c;
		if (ctr_load(g, argv[i], &c, e) < 0) {
			rc = cli_report(e);
			err_clear(e);
			continue;
		}
		/* a created container: wait for someone to start it and for it
		 * to end (nothing signals us: a bounded poll on the record) */
		while (c.st.status == ST_CREATED) {
			char cid[65];
			memcpy(cid, c.id, sizeof cid);
			ctr_free(&c);
			poll(NULL, 0, 100);
			if (ctr_load_id(g, cid, &c, e) < 0)
				break;
		}
		if (!c.cfg) {
			rc = cli_report(e);
			err_clear(e);
			continue;
		}
		ctr_wait_supervisor(&c, -1);
		{
			char cid[65];
			memcpy(cid, c.id, sizeof cid);
			ctr_free(&c);
			if (ctr_load_id(g, cid, &c, e) < 0) {
				/* removed meanwhile (--rm): podman reports that too */
				rc = cli_report(e);
				err_clear(e);
				continue;
			}
		}
		printf("%d\n", c.st.exit_code);
		fflush(stdout);
		ctr_free(&c);
	}
	return rc;
}
