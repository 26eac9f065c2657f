/* untag.c - burrow untag IMAGE [NAME...] */
#include <stdio.h>

#include "cmd.h"
#include "lib/store/store.h"
#include "lib/base/util.h"

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
	struct store *s = NULL;
	int idx, rc = cmd_parse_help_only("untag", usage, summary, opts, argc, argv, 1,
					  "untag needs an image", &idx, e);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	for (int i = idx + 1; i < argc; i++)
		strv_push(&names, argv[i]);
	struct image *img = NULL;
	if (cli_store(g, &s, e) < 0)
		return -1;
	if (store_image_get(s, argv[idx], &img, e) < 0)
		err_clear(e);
	if (store_image_untag(s, argv[idx], names, &removed, e) < 0) {
		if (img)
			image_free(img);
		return -1;
	}
	for (size_t i = 0; img && removed && removed[i]; i++)
		cli_image_event(g, "untag", img->id, removed[i]);
	if (img)
		image_free(img);
	return 0;
}
