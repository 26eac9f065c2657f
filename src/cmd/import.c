/* import.c - burrow import [--change INSTR]... [-m MSG] [-q] FILE|- [REF] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lib/store/store.h"
#include "lib/runtime/userns.h"
#include "lib/base/util.h"

enum { O_CHANGE = 1, O_MESSAGE, O_QUIET, O_HELP };
static const struct opt opts[] = {
	{ "change", 'c', OPT_VALUE, O_CHANGE, "INSTRUCTION",
	  "Apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, "
	  "USER, VOLUME, WORKDIR) to the image config; repeatable" },
	{ "message", 'm', OPT_VALUE, O_MESSAGE, "MESSAGE", "History comment for the image" },
	{ "quiet", 'q', OPT_FLAG, O_QUIET, NULL, "Print only the image ID" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const char usage[] = "[OPTIONS] FILE|- [REFERENCE]";
static const char summary[] =
	"Create a one-layer image from a rootfs tarball (tar, tar.gz, tar.zst; - reads stdin).";

CMD_DECL(import)
{
	_cleanup_strv_ char **changes = NULL;
	struct import_opts io = { NULL, NULL };
	struct optparser p;
	struct store *s = NULL;
	struct idmap m;
	const char *file, *ref;
	char id[65];
	int id_opt, rc;

	opt_init(&p, opts, argc, argv);
	while ((id_opt = opt_next(&p, e)) != 0) {
		switch (id_opt) {
		case O_CHANGE:
			strv_push(&changes, p.value);
			break;
		case O_MESSAGE:
			io.message = p.value;
			break;
		case O_QUIET:
			break; /* import prints nothing but the ID anyway */
		case O_HELP:
			opt_print_help(stdout, "import", usage, summary, opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (argc - p.idx < 1 || argc - p.idx > 2)
		return err_usage(e,
				 "import takes a file (or -) and an optional image name, got %d argument%s",
				 argc - p.idx, argc - p.idx == 1 ? "" : "s");
	file = argv[p.idx];
	ref = argc - p.idx == 2 ? argv[p.idx + 1] : NULL;
	io.changes = changes;

	if (cli_store(g, &s, e) < 0)
		return -1;
	userns_lookup(&m, g->cfg.idmap, e);
	rc = store_import(s, &m, file, ref, &io, id, e);
	idmap_free(&m);
	if (rc < 0)
		return -1;
	cli_image_event(g, "import", id, ref);
	/* podman prints the ID with its algorithm, -q or not */
	printf("sha256:%s\n", id);
	return 0;
}
