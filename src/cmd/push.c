/* push.c - burrow push [-q] [--tls-verify] [--authfile F] [--format oci|v2s2] IMAGE [DESTINATION] */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/store/pull.h"
#include "lib/runtime/userns.h"
#include "lib/base/util.h"
#include "cli/progress.h"

enum { O_QUIET = 1, O_TLS, O_AUTHFILE, O_FORMAT, O_DIGESTFILE, O_HELP };
static const struct opt opts[] = {
	{ "authfile", 0, OPT_VALUE, O_AUTHFILE, "FILE", "Read credentials from FILE" },
	{ "digestfile", 0, OPT_VALUE, O_DIGESTFILE, "FILE", "Write the manifest digest to FILE" },
	{ "format", 'f', OPT_VALUE, O_FORMAT, "FORMAT", "Manifest type: oci (default) or v2s2" },
	{ "quiet", 'q', OPT_FLAG, O_QUIET, NULL, "No progress output" },
	{ "tls-verify", 0, OPT_FLAG, O_TLS, NULL, "Require HTTPS and verified certificates (default true)" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const char usage[] = "[OPTIONS] IMAGE [DESTINATION]";
static const char summary[] = "Push an image to a registry (DESTINATION defaults to the image's name).";

CMD_DECL(push)
{
	struct push_opts po;
	struct progress pr;
	struct optparser p;
	struct store *s = NULL;
	struct idmap m;
	const char *digestfile = NULL, *src, *dst;
	bool quiet = false;
	int id, rc = 0;

	memset(&po, 0, sizeof po);
	po.tls_verify = true;
	opt_init(&p, opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_QUIET:
			quiet = opt_flag_value(&p);
			break;
		case O_TLS:
			po.tls_verify = opt_flag_value(&p);
			break;
		case O_AUTHFILE:
			po.authfile = p.value;
			break;
		case O_FORMAT:
			po.format = p.value;
			break;
		case O_DIGESTFILE:
			digestfile = p.value;
			break;
		case O_HELP:
			opt_print_help(stdout, "push", usage, summary, opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (argc - p.idx < 1 || argc - p.idx > 2 ||
	    (po.format && strcmp(po.format, "oci") && strcmp(po.format, "v2s2")))
		return err_usage(e, argc - p.idx < 1 || argc - p.idx > 2
					    ? "push takes an image and an optional destination"
					    : "unsupported --format (oci or v2s2)");
	src = argv[p.idx];
	dst = argc - p.idx == 2 ? argv[p.idx + 1] : src;
	if (strncmp(dst, "docker://", 9) == 0)
		dst += 9;
	if (cli_store(g, &s, e) < 0)
		return -1;
	userns_lookup_cached(&m, g->cfg.idmap, g->cfg.runroot, e);
	err_clear(e);
	progress_init(&pr, quiet);
	po.runroot = g->cfg.runroot;
	po.progress = progress_fn;
	po.progress_ctx = &pr;
	po.cancel = &progress_cancel;
	progress_catch_signals();
	if (store_push(s, &m, src, dst, &po, e) < 0) {
		rc = -1;
	} else {
		cli_image_event(g, "push", NULL, dst ? dst : src);
	}
	if (rc == 0 && digestfile) {
		FILE *f = fopen(digestfile, "we");
		if (!f || fprintf(f, "%s", po.digest) < 0 || fclose(f) != 0)
			rc = err_make(e, 0, "writing %s", digestfile);
	}
	progress_finish(&pr);
	idmap_free(&m);
	return rc;
}
