/* untag.c - burrow untag IMAGE [NAME...] */
#include <stdio.h>

#include "cmd.h"
#include "lib/store/store.h"
#include "lib/util.h"

enum { O_HELP = 1 };
static const struct opt opts[] = {
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const char usage[] = "IMAGE [NAME...]";
static const char summary[] = "Remove names from an image (all of them when none is given); the image stays.";

CMD_DECL(untag)
{
	_cleanup_strv_ char **names = NULL, **removed = NULL;
	struct err e = ERR_INIT;
	struct optparser p;
	struct store *s = NULL;
	int id, rc = 0;

	opt_init(&p, opts, argc, argv);
	while ((id = opt_next(&p, &e)) != 0) {
		switch (id) {
		case O_HELP:
			opt_print_help(stdout, "untag", usage, summary, opts);
			return 0;
		case -1:
		default:
			rc = cmd_usage_error("untag", &e);
			err_clear(&e);
			return rc;
		}
	}
	if (argc - p.idx < 1) {
		err_make(&e, 0, "untag needs an image");
		rc = cmd_usage_error("untag", &e);
		err_clear(&e);
		return rc;
	}
	for (int i = p.idx + 1; i < argc; i++)
		strv_push(&names, argv[i]);
	if (config_ensure_dirs(&g->cfg, &e) < 0 || store_open(g->cfg.root, &s, &e) < 0 ||
	    store_image_untag(s, argv[p.idx], names, &removed, &e) < 0) {
		rc = cmd_fail(&e);
		err_clear(&e);
	}
	store_close(s);
	return rc;
}
