/* save.c - burrow save [-o FILE] [--format docker-archive|oci-archive|squashfs] IMAGE... */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/build/sqimage.h"
#include "lib/store/pull.h"
#include "lib/runtime/userns.h"
#include "lib/base/util.h"

enum { O_OUTPUT = 1, O_FORMAT, O_QUIET, O_HELP };
static const struct opt opts[] = {
	{ "format", 0, OPT_VALUE, O_FORMAT, "FORMAT", "docker-archive (default), oci-archive or squashfs" },
	{ "output", 'o', OPT_VALUE, O_OUTPUT, "FILE", "Write to FILE instead of standard output" },
	{ "quiet", 'q', OPT_FLAG, O_QUIET, NULL, "Print nothing (save prints nothing anyway)" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const char usage[] = "[OPTIONS] IMAGE [IMAGE...]";
static const char summary[] = "Write images to a tar archive, or one image to a SquashFS file.";

CMD_DECL(save)
{
	_cleanup_strv_ char **refs = NULL;
	const char *out = "-", *format = "docker-archive";
	struct optparser p;
	struct store *s = NULL;
	struct idmap m;
	int id, rc = 0;
	bool sqfs;

	opt_init(&p, opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_OUTPUT:
			out = p.value;
			break;
		case O_FORMAT:
			format = p.value;
			break;
		case O_QUIET:
			break;
		case O_HELP:
			opt_print_help(stdout, "save", usage, summary, opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	sqfs = strcmp(format, "squashfs") == 0;
	if (p.idx >= argc || (strcmp(format, "docker-archive") && strcmp(format, "oci-archive") && !sqfs))
		return err_usage(e,
				 p.idx >= argc
					 ? "save needs at least one image"
					 : "unsupported --format (docker-archive, oci-archive or squashfs)");
	/* a SquashFS is written out of order (the superblock last): a file */
	if (sqfs && (strcmp(out, "-") == 0 || p.idx + 1 != argc))
		return err_usage(e, strcmp(out, "-") == 0 ? "--format squashfs needs -o FILE"
							  : "--format squashfs saves one image");
	if (strcmp(out, "-") == 0 && isatty(STDOUT_FILENO))
		return err_usage(e, "refusing to write an archive to a terminal: use -o FILE or a pipe");
	for (int i = p.idx; i < argc; i++)
		strv_push(&refs, argv[i]);
	if (cli_store(g, &s, e) < 0)
		return -1;
	userns_lookup_cached(&m, g->cfg.idmap, g->cfg.runroot, e);
	err_clear(e);
	if (sqfs ? sqimage_save(s, &m, refs[0], out, e) < 0 : store_save(s, &m, refs, out, format, e) < 0)
		rc = -1;
	idmap_free(&m);
	return rc;
}
