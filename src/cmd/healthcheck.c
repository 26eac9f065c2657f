/* healthcheck.c - burrow healthcheck run: run a container's check once and
 * record the result, as the supervisor does on its timer. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "lib/runtime/health.h"
#include "lib/base/util.h"

enum { O_HELP = 1 };
static const struct opt hc_opts[] = {
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

CMD_DECL(healthcheck)
{
	struct optparser p;
	struct health_result r;
	struct ctr c;
	const char *status;
	int id, rc;

	opt_init(&p, hc_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		if (id == O_HELP) {
			opt_print_help(stdout, "healthcheck", "run CONTAINER",
				       "Run a container's healthcheck once; exit 0 if healthy, 1 if not.",
				       hc_opts);
			return 0;
		}
		goto usage;
	}
	if (argc - p.idx != 2 || strcmp(argv[p.idx], "run") != 0) {
		err_make(e, 0, "usage: burrow healthcheck run CONTAINER");
		goto usage;
	}
	if (ctr_load(g, argv[p.idx + 1], &c, e) < 0)
		return -1;
	if (!c.spec.health.test) {
		err_make(e, 0, "container %s has no defined healthcheck", c.spec.name);
	} else if (!ctr_running(&c) || !proc_alive(c.st.pid, c.st.pid_start)) {
		err_make(e, 0, "container %s is not running: container state improper", c.spec.name);
	} else if (health_probe(&c.spec, c.st.pid, &r, e) == 0) {
		if (health_record(c.spec.ctrdir, &c.spec, &r, false, &status, e) < 0)
			err_clear(e);
		rc = r.exit_code == 0 ? 0 : 1;
		if (rc)
			printf("unhealthy\n");
		health_result_free(&r);
		ctr_free(&c);
		return rc;
	}
	ctr_free(&c);
	return -1;
usage:
	return err_mark_usage(e);
}
