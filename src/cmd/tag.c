/* tag.c - burrow tag IMAGE NAME [NAME...] */
#include <stdio.h>

#include "cmd.h"
#include "lib/store/store.h"
#include "lib/util.h"

enum { O_HELP = 1 };
static const struct opt opts[] = {
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const char usage[] = "IMAGE NAME [NAME...]";
static const char summary[] = "Add names to an image (localhost/ is the default registry).";

CMD_DECL(tag)
{
	struct err e = ERR_INIT;
	struct optparser p;
	struct store *s = NULL;
	int id, rc = 0;

	opt_init(&p, opts, argc, argv);
	while ((id = opt_next(&p, &e)) != 0) {
		switch (id) {
		case O_HELP:
			opt_print_help(stdout, "tag", usage, summary, opts);
			return 0;
		case -1:
		default:
			rc = cmd_usage_error("tag", &e);
			err_clear(&e);
			return rc;
		}
	}
	if (argc - p.idx < 2) {
		err_make(&e, 0, "tag needs an image and at least one new name");
		rc = cmd_usage_error("tag", &e);
		err_clear(&e);
		return rc;
	}
	if (config_ensure_dirs(&g->cfg, &e) < 0 || store_open(g->cfg.root, &s, &e) < 0) {
		rc = cmd_fail(&e);
		err_clear(&e);
		return rc;
	}
	for (int i = p.idx + 1; i < argc && rc == 0; i++) {
		if (store_image_tag(s, argv[p.idx], argv[i], &e) < 0) {
			rc = cmd_fail(&e);
			err_clear(&e);
		}
	}
	store_close(s);
	return rc;
}
