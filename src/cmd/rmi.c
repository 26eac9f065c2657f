/* rmi.c - burrow rmi [-f] [-a] IMAGE... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lib/store/store.h"
#include "lib/runtime/userns.h"
#include "lib/base/util.h"

enum { O_FORCE = 1, O_ALL, O_HELP };
static const struct opt opts[] = {
	{ "all", 'a', OPT_FLAG, O_ALL, NULL, "Remove all images" },
	{ "force", 'f', OPT_FLAG, O_FORCE, NULL,
	  "Remove images used by containers, and images named by ID that have several names" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const char usage[] = "[OPTIONS] IMAGE [IMAGE...]";
static const char summary[] = "Remove one or more images (untag a name, delete the last one).";

/* remove one image and report like podman; returns 0 or an exit status */
static int remove_one(struct globals *g, struct store *s, const struct idmap *m, const char *ref,
		      unsigned flags)
{
	_cleanup_strv_ char **untagged = NULL, **deleted = NULL;
	struct err e = ERR_INIT;
	int rc;

	if (store_image_remove_flags(s, m, ref, flags, &untagged, &deleted, &e) < 0) {
		rc = cli_report(&e);
		err_clear(&e);
		return rc;
	}
	for (size_t i = 0; untagged && untagged[i]; i++) {
		cli_image_event(g, "untag", NULL, untagged[i]);
		printf("Untagged: %s\n", untagged[i]);
	}
	for (size_t i = 0; deleted && deleted[i]; i++) {
		cli_image_event(g, "remove", deleted[i], NULL);
		printf("Deleted: %s\n", deleted[i]);
	}
	fflush(stdout);
	return 0;
}

CMD_DECL(rmi)
{
	struct optparser p;
	struct store *s = NULL;
	struct idmap m;
	bool all = false;
	unsigned flags = 0;
	int id, rc = 0;

	opt_init(&p, opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FORCE:
			flags = opt_flag_value(&p) ? flags | STORE_RMI_FORCE
						   : flags & ~(unsigned)STORE_RMI_FORCE;
			break;
		case O_ALL:
			all = opt_flag_value(&p);
			break;
		case O_HELP:
			opt_print_help(stdout, "rmi", usage, summary, opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (all == (p.idx < argc))
		return err_usage(e, all ? "when using --all, no image names can be given"
					: "image name or ID must be specified");
	if (cli_store(g, &s, e) < 0)
		return -1;
	userns_lookup(&m, g->cfg.idmap, e);
	if (all) {
		struct image **imgs = NULL;
		size_t n = 0;
		if (store_image_list(s, &imgs, &n, e) < 0) {
			rc = cli_report(e);
			err_clear(e);
		}
		for (size_t i = 0; i < n; i++) {
			int r = remove_one(g, s, &m, imgs[i]->id, flags | STORE_RMI_ALL_TAGS);
			if (r && !rc)
				rc = r;
			image_free(imgs[i]);
		}
		free(imgs);
	} else {
		for (int i = p.idx; i < argc; i++) {
			int r = remove_one(g, s, &m, argv[i], flags);
			if (r && !rc)
				rc = r;
		}
	}
	idmap_free(&m);
	return rc;
}
