/* run.c - burrow run: create a container from an image and run it, attached
 * (the CLI relays the terminal and signals) or with -d under its supervisor
 * (see src/lib/runtime/supervisor.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "cli/ctropts.h"
#include "cli/ctrslurm.h"
#include "cli/ctrutil.h"
#include "lib/record/container.h"
#include "lib/base/log.h"
#include "lib/store/pull.h"
#include "lib/store/store.h"
#include "cli/progress.h"
#include "lib/base/util.h"

CMD_DECL(run)
{
	struct container_spec s;
	struct idmap m;
	struct slurm_run sr;
	int rc, code = 125;

	memset(&s, 0, sizeof s);
	memset(&m, 0, sizeof m);
	log_debug("run: start");
	/* first, before any fd is opened: Slurm mode may move the PMI socket */
	if (slurm_run_prepare(argc, argv, &sr, e) < 0)
		return -1;
	if (sr.on && sr.node_share) {
		rc = slurm_node_run(g, &sr, &code, e);
		slurm_run_free(&sr);
		return rc < 0 ? -1 : code;
	}
	if (sr.on) {
		argc = sr.argc;
		argv = sr.argv;
	}
	rc = ctr_create_record(g, "run", argc, argv, &s, &m, e);
	if (rc == 1) {
		rc = 0;
		goto out;
	}
	if (rc < 0) {
		e->status = 0; /* everything before the container starts is a tool error */
		goto out;
	}
	log_debug("run: record ready");
	if (ctr_launch(g, &s, &code, e) < 0) {
		rc = -1;
		goto out;
	}
	if (s.detach)
		printf("%s\n", s.id);
	rc = s.detach ? 0 : code;
out:
	slurm_run_free(&sr);
	container_spec_free(&s);
	idmap_free(&m);
	return rc;
}
