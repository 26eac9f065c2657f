/* tag.c - burrow tag IMAGE NAME [NAME...] */
#include <stdio.h>

#include "cmd.h"
#include "lib/store/store.h"
#include "lib/base/util.h"

enum { O_HELP = 1 };
static const struct opt opts[] = {
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const char usage[] = "IMAGE NAME [NAME...]";
static const char summary[] = "Add names to an image (localhost/ is the default registry).";

CMD_DECL(tag)
{
	struct store *s = NULL;
	int idx, rc = cmd_parse_help_only("tag", usage, summary, opts, argc, argv, 2,
					  "tag needs an image and at least one new name", &idx, e);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (cli_store(g, &s, e) < 0)
		return -1;
	for (int i = idx + 1; i < argc; i++) {
		struct image *img = NULL;
		if (store_image_tag(s, argv[idx], argv[i], e) < 0)
			return -1;
		if (store_image_get(s, argv[i], &img, e) == 0) {
			cli_image_event(g, "tag", img->id, argv[i]);
			image_free(img);
		}
		err_clear(e);
	}
	return 0;
}
