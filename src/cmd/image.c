/* image.c - burrow image SUBCOMMAND: inspect and prune live here; ls, rm,
 * tag, untag, pull, push, save, load and history run the top-level verbs. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cli/format.h"
#include "cli/imginspect.h"
#include "lib/store/store.h"
#include "lib/runtime/userns.h"
#include "lib/base/util.h"

enum { O_HELP = 1, O_ALL, O_FORCE, O_FORMAT };
static const struct opt opts[] = {
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const char summary[] = "Manage images: every image verb, and exists, inspect and prune.";

static const struct opt prune_opts[] = {
	{ "all", 'a', OPT_FLAG, O_ALL, NULL, "Remove every image no container uses, not only unnamed ones" },
	{ "force", 'f', OPT_FLAG, O_FORCE, NULL, "Do not ask (burrow never asks)" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const struct opt inspect_opts[] = {
	{ "format", 'f', OPT_VALUE, O_FORMAT, "FORMAT", "json (the default), or a Go template ('{{.Id}}')" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static int cmd_image_inspect(struct globals *g, int argc, char **argv, struct err *e)
{
	struct optparser p;
	struct store *s = NULL;
	json_object *arr;
	const char *format = NULL;
	int id, rc = 0;

	opt_init(&p, inspect_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FORMAT:
			format = p.value;
			break;
		case O_HELP:
			opt_print_help(stdout, "image inspect", "[OPTIONS] IMAGE [IMAGE...]",
				       "Show image details as a JSON array.", inspect_opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (p.idx >= argc)
		return err_usage(e, "image inspect needs at least one image");
	if (cli_format_check(format, e) < 0)
		return -1;
	if (cli_store(g, &s, e) < 0)
		return -1;
	arr = json_object_new_array();
	for (int i = p.idx; i < argc; i++) {
		struct image *img = NULL;
		json_object *o;
		if (img_inspect_get(s, argv[i], &img, &o, e) < 0) {
			int r;
			/* podman's: every failure is 125 here, its words before */
			err_wrap(e, "inspecting object");
			e->status = 125;
			r = cli_report(e);
			err_clear(e);
			rc = rc ? rc : r;
			image_free(img);
			continue;
		}
		json_object_array_add(arr, o);
		image_free(img);
	}
	if (cli_format_is_template(format)) {
		if (cli_format_print(format, arr, NULL, false, e) < 0) {
			rc = cli_report(e);
			err_clear(e);
		}
	} else {
		printf("%s\n",
		       json_object_array_length(arr)
			       ? json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
									     JSON_C_TO_STRING_SPACED |
									     JSON_C_TO_STRING_NOSLASHESCAPE)
			       : "[]");
	}
	json_object_put(arr);
	return rc;
}

static int cmd_image_prune(struct globals *g, int argc, char **argv, struct err *e)
{
	_cleanup_strv_ char **deleted = NULL;
	struct optparser p;
	struct store *s = NULL;
	struct idmap m;
	bool all = false;
	int id, rc = 0;

	opt_init(&p, prune_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_ALL:
			all = opt_flag_value(&p);
			break;
		case O_FORCE:
			break;
		case O_HELP:
			opt_print_help(stdout, "image prune", "[OPTIONS]",
				       "Remove unnamed images (with -a, every image no container uses).",
				       prune_opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (p.idx < argc)
		return err_usage(e, "image prune takes no arguments");
	if (cli_store(g, &s, e) < 0)
		return -1;
	userns_lookup_cached(&m, g->cfg.idmap, g->cfg.runroot, e);
	err_clear(e);
	if (store_image_prune(s, &m, all, &deleted, e) < 0)
		rc = -1;
	for (size_t i = 0; deleted && deleted[i]; i++)
		printf("%s\n", deleted[i]);
	idmap_free(&m);
	return rc;
}

/* burrow image exists IMAGE: 0 if it exists, 1 if not, 125 on error */
static int cmd_image_exists(struct globals *g, int argc, char **argv, struct err *e)
{
	struct store *s = NULL;
	struct image *img = NULL;
	int idx, rc;

	rc = cmd_parse_help_only("image exists", "IMAGE", "Exit 0 if the image is in the store, 1 if not.",
				 opts, argc, argv, 1, "\"burrow image exists\" requires exactly 1 argument",
				 &idx, e);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (argc - idx != 1)
		return err_usage(e, "\"burrow image exists\" requires exactly 1 argument");
	if (cli_store(g, &s, e) < 0)
		return -1;
	if (store_image_get(s, argv[idx], &img, e) < 0) {
		if (e->errnum != ENOENT)
			return -1;
		err_clear(e);
		return 1;
	}
	image_free(img);
	return 0;
}

CMD_DECL(image)
{
	static const struct subcmd subs[] = {
		{ "build", "build", cmd_build, NULL },
		{ "exists", "image exists", cmd_image_exists,
		  "Exit 0 if an image is in the store, 1 if not" },
		{ "history", "history", cmd_history, NULL },
		{ "import", "import", cmd_import, NULL },
		{ "inspect", "image inspect", cmd_image_inspect, "Show the details of images" },
		{ "list", "images", cmd_images, NULL },
		{ "load", "load", cmd_load, NULL },
		{ "ls", "images", cmd_images, NULL },
		{ "prune", "image prune", cmd_image_prune, "Remove unused images" },
		{ "pull", "pull", cmd_pull, NULL },
		{ "push", "push", cmd_push, NULL },
		{ "rm", "rmi", cmd_rmi, NULL },
		{ "save", "save", cmd_save, NULL },
		{ "tag", "tag", cmd_tag, NULL },
		{ "untag", "untag", cmd_untag, NULL },
	};

	return cmd_group(g, "image", summary, subs, ARRAY_SIZE(subs), argc, argv, e);
}
