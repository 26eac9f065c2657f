/* cp.c - burrow cp: copy files between the host and a container. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "lib/base/util.h"
#include "lib/runtime/userns.h"
#include "lib/store/ctrcopy.h"

enum { O_ARCHIVE = 1, O_HELP };
static const struct opt cp_opts[] = {
	{ "archive", 'a', OPT_FLAG, O_ARCHIVE, NULL,
	  "New files belong to the container's user (default true); false keeps the source's IDs" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* CONTAINER:PATH, as podman tells them from host paths: a colon before any
 * slash, and not a path starting with "." or "/" */
static const char *split_ref(const char *arg, char **ref)
{
	const char *colon = strchr(arg, ':'), *slash = strchr(arg, '/');

	*ref = NULL;
	if (!colon || arg[0] == '/' || arg[0] == '.' || (slash && slash < colon) || colon == arg)
		return arg;
	*ref = xstrndup(arg, (size_t)(colon - arg));
	return colon + 1;
}

CMD_DECL(cp)
{
	struct optparser p;
	bool archive = true;
	_cleanup_free_ char *sref = NULL, *dref = NULL;
	const char *spath, *dpath;
	struct ctr c;
	struct idmap m;
	struct ctr_copy cc;
	int id, rc;

	opt_init(&p, cp_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_ARCHIVE:
			archive = opt_flag_value(&p);
			break;
		case O_HELP:
			opt_print_help(stdout, "cp",
				       "[OPTIONS] CONTAINER:SRC DEST|-, or SRC|- CONTAINER:DEST",
				       "Copy files and directories between a container and the host.",
				       cp_opts);
			return 0;
		default:
			return err_mark_usage(e);
		}
	}
	if (argc - p.idx != 2)
		return err_usage(e, "\"burrow cp\" requires exactly 2 arguments");
	spath = split_ref(argv[p.idx], &sref);
	dpath = split_ref(argv[p.idx + 1], &dref);
	if (sref && dref)
		return err_make(e, 0, "copying between containers is not supported");
	if (!sref && !dref)
		return err_usage(e, "one of the arguments must name a container: CONTAINER:PATH");
	if (!*spath || !*dpath)
		return err_usage(e, "an empty path to copy from or to");
	if (ctr_load(g, sref ? sref : dref, &c, e) < 0) {
		if (e->errnum == ENOENT) /* podman's words for cp */
			return err_make(e, 0, "container \"%s\" does not exist", sref ? sref : dref);
		return -1;
	}
	memset(&m, 0, sizeof m);
	memset(&cc, 0, sizeof cc);
	cc.s = &c.spec;
	cc.archive = archive;
	cc.init = ctr_running(&c) ? c.st.pid : 0;
	if (!cc.init && userns_lookup_cached(&m, g->cfg.idmap, g->cfg.runroot, e) < 0) {
		ctr_free(&c);
		return -1;
	}
	c.spec.idmap = &m;
	if (sref)
		rc = ctr_copy_out(&cc, spath, dpath, STDOUT_FILENO, e);
	else
		rc = ctr_copy_in(&cc, spath, STDIN_FILENO, dpath, e);
	c.spec.idmap = NULL;
	idmap_free(&m);
	ctr_free(&c);
	return rc;
}
