/* rm.c - burrow rm: remove containers (-f stops them first). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "lib/base/util.h"

enum { O_FORCE = 1, O_ALL, O_HELP };
static const struct opt rm_opts[] = {
	{ "all", 'a', OPT_FLAG, O_ALL, NULL, "Remove all containers" },
	{ "force", 'f', OPT_FLAG, O_FORCE, NULL, "Kill running containers first" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* shared with system prune */
int rm_one(struct globals *g, const char *ref, bool force, bool by_id, struct err *e);

int rm_one(struct globals *g, const char *ref, bool force, bool by_id, struct err *e)
{
	struct ctr c;
	int rc = 0;

	if ((by_id ? ctr_load_id(g, ref, &c, e) : ctr_load(g, ref, &c, e)) < 0)
		return -1;
	if (ctr_running(&c) || proc_alive(c.st.supervisor, c.st.supervisor_start)) {
		if (!force) {
			rc = err_make(e, 0, "cannot remove container %s as it is running - running or paused "
					    "containers cannot be removed without force: container state improper", c.id);
			goto out;
		}
		if (ctr_stop(g, &c, SIGKILL, 0, e) < 0) {
			rc = -1;
			goto out;
		}
	}
	rc = ctr_remove(g, &c, e);
out:
	ctr_free(&c);
	return rc;
}

CMD_DECL(rm)
{
	struct optparser p;
	struct err e = ERR_INIT;
	bool force = false, all = false;
	int id, rc = 0;

	opt_init(&p, rm_opts, argc, argv);
	while ((id = opt_next(&p, &e)) != 0) {
		switch (id) {
		case O_FORCE: force = opt_flag_value(&p); break;
		case O_ALL: all = opt_flag_value(&p); break;
		case O_HELP:
			opt_print_help(stdout, "rm", "[OPTIONS] CONTAINER [CONTAINER...]", "Remove one or more containers.", rm_opts);
			return 0;
		case -1:
		default:
			goto usage;
		}
	}
	if (all && p.idx < argc) {
		err_make(&e, 0, "--all and container names cannot be used together");
		goto usage;
	}
	if (!all && p.idx >= argc) {
		err_make(&e, 0, "\"burrow rm\" requires at least 1 argument");
		goto usage;
	}
	if (all) {
		char **ids = NULL;
		if (container_list(g->cfg.root, &ids, &e) < 0) {
			rc = cmd_fail(&e);
			err_clear(&e);
			return rc;
		}
		for (size_t i = 0; ids[i]; i++) {
			if (rm_one(g, ids[i], force, true, &e) < 0) {
				rc = cmd_fail(&e);
				err_clear(&e);
			} else {
				printf("%s\n", ids[i]);
			}
		}
		strv_free(ids);
		return rc;
	}
	for (int i = p.idx; i < argc; i++) {
		char cid[65];
		if (container_lookup(g->cfg.root, argv[i], cid, &e) < 0 || rm_one(g, cid, force, true, &e) < 0) {
			rc = cmd_fail(&e);
			err_clear(&e);
		} else {
			printf("%s\n", cid);
		}
	}
	return rc;
usage:
	rc = cmd_usage_error("rm", &e);
	err_clear(&e);
	return rc;
}
