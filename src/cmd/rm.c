/* rm.c - burrow rm: remove containers (-f stops them first). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "cli/ctrvol.h"
#include "lib/base/util.h"

enum { O_FORCE = 1, O_ALL, O_HELP, O_VOLUMES };
static const struct opt rm_opts[] = {
	{ "all", 'a', OPT_FLAG, O_ALL, NULL, "Remove all containers" },
	{ "force", 'f', OPT_FLAG, O_FORCE, NULL, "Kill running containers first" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "volumes", 'v', OPT_FLAG, O_VOLUMES, NULL, "Remove the container's anonymous volumes too" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* the container, and with -v its anonymous volumes */
static int remove_one(struct globals *g, const char *id, bool force, bool volumes, struct err *e)
{
	struct ctr c;
	int rc;

	if (!volumes)
		return ctr_remove_id(g, id, force, e);
	if (ctr_load_id(g, id, &c, e) < 0)
		return -1;
	rc = ctr_remove_id(g, id, force, e);
	if (rc == 0)
		rc = ctr_remove_anon_volumes(g, &c.spec, e);
	ctr_free(&c);
	return rc;
}

CMD_DECL(rm)
{
	struct optparser p;
	bool force = false, all = false, volumes = false;
	int id, rc = 0;

	opt_init(&p, rm_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FORCE:
			force = opt_flag_value(&p);
			break;
		case O_ALL:
			all = opt_flag_value(&p);
			break;
		case O_VOLUMES:
			volumes = opt_flag_value(&p);
			break;
		case O_HELP:
			opt_print_help(stdout, "rm", "[OPTIONS] CONTAINER [CONTAINER...]",
				       "Remove one or more containers.", rm_opts);
			return 0;
		case -1:
		default:
			goto usage;
		}
	}
	if (all && p.idx < argc) {
		err_make(e, 0, "--all and container names cannot be used together");
		goto usage;
	}
	if (!all && p.idx >= argc) {
		err_make(e, 0, "\"burrow rm\" requires at least 1 argument");
		goto usage;
	}
	if (all) {
		char **ids = NULL;
		if (container_list(g->cfg.root, &ids, e) < 0)
			return -1;
		for (size_t i = 0; ids[i]; i++) {
			if (remove_one(g, ids[i], force, volumes, e) < 0) {
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
		char cid[65];
		int lr = container_lookup(g->cfg.root, argv[i], cid, e);
		/* podman's: no such container is status 1, and nothing with --force */
		if (lr < 0 && e->errnum == ENOENT && force) {
			err_clear(e);
			continue;
		}
		if (lr < 0 && e->errnum == ENOENT)
			e->status = 1;
		if (lr < 0 || remove_one(g, cid, force, volumes, e) < 0) {
			rc = cli_report(e);
			err_clear(e);
		} else {
			/* the name or ID as given, as podman prints it */
			printf("%s\n", argv[i]);
		}
	}
	return rc;
usage:
	return err_mark_usage(e);
}
