/* image.c - burrow image SUBCOMMAND: inspect and prune live here; ls, rm,
 * tag, untag, pull, push, save, load and history run the top-level verbs. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cli/format.h"
#include "lib/store/store.h"
#include "lib/runtime/userns.h"
#include "lib/base/util.h"

enum { O_HELP = 1, O_ALL, O_FORCE, O_FORMAT };
static const struct opt opts[] = {
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const char usage[] = "SUBCOMMAND [ARG...]";
static const char summary[] =
	"Manage images: inspect IMAGE..., prune [-a], and ls, rm, tag, untag, pull, push, save, load, "
	"history (the same as the top-level verbs).";

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

static json_object *strv_json(char **v)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; v && v[i]; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static json_object *inspect_one(struct store *s, const struct image *img, struct err *e)
{
	_cleanup_free_ char *txt = NULL, *dg = NULL;
	json_object *conf, *o = json_object_new_object(), *v, *rootfs, *layers;

	if (store_image_config(s, img->id, &txt, e) < 0) {
		json_object_put(o);
		return NULL;
	}
	conf = json_tokener_parse(txt);
	dg = xasprintf("sha256:%s", img->id);
	json_object_object_add(o, "Id", json_object_new_string(img->id));
	json_object_object_add(o, "Digest", json_object_new_string(img->digest ? img->digest : dg));
	json_object_object_add(o, "RepoTags", strv_json(img->names));
	json_object_object_add(o, "RepoDigests", strv_json(img->repo_digests));
	json_object_object_add(o, "Created", json_object_new_string(img->created ? img->created : ""));
#define COPY(key, as) \
	if (conf && json_object_object_get_ex(conf, key, &v)) \
		json_object_object_add(o, as, json_object_get(v));
	COPY("config", "Config");
	COPY("architecture", "Architecture");
	COPY("os", "Os");
	COPY("variant", "Variant");
	COPY("author", "Author");
	COPY("history", "History");
#undef COPY
	json_object_object_add(o, "Size", json_object_new_int64((int64_t)img->size));
	json_object_object_add(o, "VirtualSize", json_object_new_int64((int64_t)img->size));
	rootfs = json_object_new_object();
	layers = json_object_new_array();
	for (size_t i = 0; i < img->nlayers; i++)
		json_object_array_add(layers, json_object_new_string(img->layers[i].diff_id));
	json_object_object_add(rootfs, "Type", json_object_new_string("layers"));
	json_object_object_add(rootfs, "Layers", layers);
	json_object_object_add(o, "RootFS", rootfs);
	json_object_object_add(o, "NamesHistory", strv_json(img->names));
	json_object_put(conf);
	return o;
}

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
		if (store_image_get(s, argv[i], &img, e) < 0 || !(o = inspect_one(s, img, e))) {
			int r = cli_report(e);
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

CMD_DECL(image)
{
	/* verb: what a usage error's hint names (the top-level verb's help) */
	static const struct {
		const char *name, *verb;
		int (*fn)(struct globals *, int, char **, struct err *);
	} subs[] = {
		{ "history", "history", cmd_history },
		{ "inspect", "image inspect", cmd_image_inspect },
		{ "list", "images", cmd_images },
		{ "load", "load", cmd_load },
		{ "ls", "images", cmd_images },
		{ "prune", "image prune", cmd_image_prune },
		{ "pull", "pull", cmd_pull },
		{ "push", "push", cmd_push },
		{ "rm", "rmi", cmd_rmi },
		{ "save", "save", cmd_save },
		{ "tag", "tag", cmd_tag },
		{ "untag", "untag", cmd_untag },
	};

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		opt_print_help(argc < 2 ? stderr : stdout, "image", usage, summary, opts);
		return argc < 2 ? 125 : 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(subs); i++)
		if (strcmp(argv[1], subs[i].name) == 0) {
			g->verb = subs[i].verb;
			return subs[i].fn(g, argc - 1, argv + 1, e);
		}
	if (argv[1][0] == '-')
		return err_usage(e, "unknown flag %s", argv[1]);
	return err_usage(e, "unknown image subcommand \"%s\"", argv[1]);
}
