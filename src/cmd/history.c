/* history.c - burrow history [-q] [--no-trunc] [--format json|table] IMAGE */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "cli/format.h"
#include "lib/store/buildstore.h"
#include "lib/store/store.h"
#include "lib/base/util.h"

enum { O_QUIET = 1, O_NOTRUNC, O_FORMAT, O_HELP };
static const struct opt opts[] = {
	{ "format", 0, OPT_VALUE, O_FORMAT, "FORMAT",
	  "json, or a Go template (\"table {{.ID}}\\t{{.CreatedBy}}\")" },
	{ "no-trunc", 0, OPT_FLAG, O_NOTRUNC, NULL, "Do not shorten the output" },
	{ "quiet", 'q', OPT_FLAG, O_QUIET, NULL, "Print only the IDs" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const char usage[] = "[OPTIONS] IMAGE";
static const char summary[] = "Show the history of an image, newest step first.";

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : "";
}

static void strv_free_n(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

CMD_DECL(history)
{
	char **ids = NULL;
	_cleanup_free_ char *txt = NULL;
	struct optparser p;
	struct store *s = NULL;
	struct image *img = NULL;
	json_object *conf = NULL, *hist, *out;
	bool quiet = false, notrunc = false;
	const char *format = "table";
	size_t layer, n;
	int id;

	opt_init(&p, opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_QUIET:
			quiet = opt_flag_value(&p);
			break;
		case O_NOTRUNC:
			notrunc = opt_flag_value(&p);
			break;
		case O_FORMAT:
			format = p.value;
			break;
		case O_HELP:
			opt_print_help(stdout, "history", usage, summary, opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (argc - p.idx != 1)
		return err_usage(e, "history takes exactly one image");
	if (cli_format_check(format, e) < 0)
		return -1;
	if (cli_store(g, &s, e) < 0 || store_image_get(s, argv[p.idx], &img, e) < 0 ||
	    store_image_config(s, img->id, &txt, e) < 0) {
		image_free(img);
		return -1;
	}
	conf = json_tokener_parse(txt);
	out = json_object_new_array();
	if (conf && json_object_object_get_ex(conf, "history", &hist) &&
	    json_object_is_type(hist, json_type_array)) {
		n = json_object_array_length(hist);
		ids = store_history_ids(s, img->id, n);
		/* sizes belong to the non-empty steps, bottom layer first */
		layer = 0;
		for (size_t i = 0; i < n; i++) {
			json_object *h = json_object_array_get_idx(hist, i), *ent = json_object_new_object(),
				    *v;
			bool empty = json_object_object_get_ex(h, "empty_layer", &v) &&
				     json_object_get_boolean(v);
			uint64_t size = 0;
			if (!empty && layer < img->nlayers)
				size = img->layers[layer++].size;
			json_object_object_add(ent, "id",
					       json_object_new_string(ids[i] ? ids[i] : "<missing>"));
			json_object_object_add(ent, "created", json_object_new_string(jstr(h, "created")));
			json_object_object_add(ent, "createdBy",
					       json_object_new_string(jstr(h, "created_by")));
			json_object_object_add(ent, "size", json_object_new_int64((int64_t)size));
			json_object_object_add(ent, "comment", json_object_new_string(jstr(h, "comment")));
			json_object_array_add(out, ent);
		}
	}
	n = json_object_array_length(out);
	/* newest first */
	for (size_t i = 0; i < n / 2; i++) {
		json_object *a = json_object_get(json_object_array_get_idx(out, i));
		json_object *b = json_object_get(json_object_array_get_idx(out, n - 1 - i));
		json_object_array_put_idx(out, i, b);
		json_object_array_put_idx(out, n - 1 - i, a);
	}
	if (cli_format_is_template(format) && !quiet) {
		json_object *rows = json_object_new_array();
		int rc;
		for (size_t i = 0; i < n; i++) {
			json_object *ent = json_object_array_get_idx(out, i), *r = json_object_new_object(),
				    *v;
			char *t;
			json_object_object_get_ex(ent, "size", &v);
			t = xasprintf("%.*s", notrunc ? 64 : 12, jstr(ent, "id"));
			json_object_object_add(r, "ID", json_object_new_string(t));
			free(t);
			{
				char *ago = ctr_ago(jstr(ent, "created"));
				t = xasprintf("%s ago", ago);
				free(ago);
			}
			json_object_object_add(r, "Created", json_object_new_string(t));
			free(t);
			t = cli_go_time(jstr(ent, "created"));
			json_object_object_add(r, "CreatedAt", json_object_new_string(t));
			free(t);
			/* podman shortens it to 45 characters unless --no-trunc */
			t = strlen(jstr(ent, "createdBy")) > 45 && !notrunc
				    ? xasprintf("%.42s...", jstr(ent, "createdBy"))
				    : xstrdup(jstr(ent, "createdBy"));
			json_object_object_add(r, "CreatedBy", json_object_new_string(t));
			free(t);
			t = cli_human_size((uint64_t)json_object_get_int64(v));
			json_object_object_add(r, "Size", json_object_new_string(t));
			free(t);
			json_object_object_add(r, "Comment", json_object_new_string(jstr(ent, "comment")));
			json_object_array_add(rows, r);
		}
		rc = cli_format_print(format, rows, NULL, false, e);
		json_object_put(rows);
		json_object_put(out);
		json_object_put(conf);
		strv_free_n(ids, n);
		image_free(img);
		return rc;
	}
	if (strcmp(format, "json") == 0) {
		printf("%s\n", n ? json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY |
									       JSON_C_TO_STRING_SPACED |
									       JSON_C_TO_STRING_NOSLASHESCAPE)
				 : "[]");
	} else {
		if (!quiet)
			printf("%-12s  %-24s  %-45s  %-10s  %s\n", "ID", "CREATED", "CREATED BY", "SIZE",
			       "COMMENT");
		for (size_t i = 0; i < n; i++) {
			json_object *ent = json_object_array_get_idx(out, i), *v;
			const char *hid = jstr(ent, "id"), *by = jstr(ent, "createdBy");
			json_object_object_get_ex(ent, "size", &v);
			if (quiet) {
				printf("%.*s\n", notrunc ? 64 : 12, hid);
				continue;
			}
			printf("%-12.*s  %-24.24s  %-45.*s  %-10lld  %s\n", notrunc ? 64 : 12, hid,
			       jstr(ent, "created"), notrunc ? 1000 : 45, by,
			       (long long)json_object_get_int64(v), jstr(ent, "comment"));
		}
	}
	json_object_put(out);
	json_object_put(conf);
	strv_free_n(ids, n);
	image_free(img);
	return 0;
}
