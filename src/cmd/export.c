/* export.c - burrow export: a container's filesystem as a tar. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "lib/base/util.h"
#include "lib/runtime/userns.h"
#include "lib/store/ctrcopy.h"

enum { O_OUTPUT = 1, O_HELP };
static const struct opt export_opts[] = {
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "output", 'o', OPT_VALUE, O_OUTPUT, "FILE", "Write to FILE instead of standard output" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

CMD_DECL(export)
{
	struct optparser p;
	const char *output = NULL;
	_cleanup_free_ char *tmp = NULL;
	struct ctr c;
	struct idmap m;
	struct ctr_copy cc;
	int id, fd = STDOUT_FILENO, rc;

	opt_init(&p, export_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_OUTPUT:
			output = p.value;
			break;
		case O_HELP:
			opt_print_help(stdout, "export", "[OPTIONS] CONTAINER",
				       "Export a container's filesystem as a tar archive.", export_opts);
			return 0;
		default:
			return err_mark_usage(e);
		}
	}
	if (argc - p.idx != 1)
		return err_usage(e, "\"burrow export\" requires exactly 1 argument");
	if (!output && isatty(STDOUT_FILENO))
		return err_make(e, 0, "refusing to export to terminal. Use -o flag or redirect");
	if (ctr_load(g, argv[p.idx], &c, e) < 0)
		return -1;
	memset(&m, 0, sizeof m);
	memset(&cc, 0, sizeof cc);
	cc.s = &c.spec;
	cc.init = ctr_running(&c) ? c.st.pid : 0;
	if (!cc.init && userns_lookup_cached(&m, g->cfg.idmap, g->cfg.runroot, e) < 0) {
		ctr_free(&c);
		return -1;
	}
	c.spec.idmap = &m;
	if (output) {
		/* written beside the target and renamed: a failed export leaves nothing */
		tmp = xasprintf("%s.tmp-%d", output, (int)getpid());
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0) {
			rc = err_make(e, errno, "creating %s", output);
			goto out;
		}
	}
	rc = ctr_export(&cc, fd, e);
	if (output) {
		if (close(fd) < 0 && rc == 0)
			rc = err_make(e, errno, "writing %s", output);
		if (rc == 0 && rename(tmp, output) < 0)
			rc = err_make(e, errno, "renaming to %s", output);
		if (rc < 0)
			unlink(tmp);
	}
out:
	c.spec.idmap = NULL;
	idmap_free(&m);
	ctr_free(&c);
	return rc;
}
