/* images.c - burrow images [-q] [-a] [--digests] [--no-trunc] [-n] [--format json|table] */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "cli/format.h"
#include "lib/store/ref.h"
#include "lib/store/store.h"
#include "lib/base/util.h"
#include "cli/imgfilter.h"

enum { O_QUIET = 1, O_ALL, O_NOTRUNC, O_FORMAT, O_NOHEADING, O_DIGESTS, O_HELP, O_FILTER };
static const struct opt opts[] = {
	{ "all", 'a', OPT_FLAG, O_ALL, NULL, "Show all images, including the intermediate ones of builds" },
	{ "digests", 0, OPT_FLAG, O_DIGESTS, NULL, "Show the manifest digests" },
	{ "filter", 'f', OPT_VALUE, O_FILTER, "KEY=VALUE",
	  "label=KEY[=VALUE], dangling=true|false, reference=PATTERN, before=IMAGE, since=IMAGE" },
	{ "format", 0, OPT_VALUE, O_FORMAT, "FORMAT",
	  "json, or a Go template (\"table {{.ID}}\\t{{.Size}}\")" },
	{ "no-trunc", 0, OPT_FLAG, O_NOTRUNC, NULL, "Show full image IDs" },
	{ "noheading", 'n', OPT_FLAG, O_NOHEADING, NULL, "Leave out the table header" },
	{ "quiet", 'q', OPT_FLAG, O_QUIET, NULL, "Print only image IDs" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const char usage[] = "[OPTIONS] [REFERENCE]";
static const char summary[] = "List images in the local store.";

static time_t parse_created(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
		return 0;
	return timegm(&tm);
}

/* like go-units HumanDuration, as podman prints it */
static char *human_ago(time_t then, time_t now)
{
	double secs = difftime(now, then);
	long s = (long)secs, min = s / 60, h = (long)(secs / 3600.0 + 0.5);

	if (s < 1)
		return xstrdup("Less than a second ago");
	if (s == 1)
		return xstrdup("1 second ago");
	if (s < 60)
		return xasprintf("%ld seconds ago", s);
	if (min == 1)
		return xstrdup("About a minute ago");
	if (min < 60)
		return xasprintf("%ld minutes ago", min);
	if (h == 1)
		return xstrdup("About an hour ago");
	if (h < 48)
		return xasprintf("%ld hours ago", h);
	if (h < 24 * 7 * 2)
		return xasprintf("%ld days ago", h / 24);
	if (h < 24 * 30 * 2)
		return xasprintf("%ld weeks ago", h / 24 / 7);
	if (h < 24 * 365 * 2)
		return xasprintf("%ld months ago", h / 24 / 30);
	return xasprintf("%ld years ago", h / 24 / 365);
}

static int by_created_desc(const void *a, const void *b)
{
	const struct image *x = *(struct image *const *)a, *y = *(struct image *const *)b;
	time_t tx = parse_created(x->created), ty = parse_created(y->created);
	int c = (tx < ty) - (tx > ty);

	return c ? c : strcmp(x->created ? x->created : "", y->created ? y->created : "");
}

static void print_json(struct image **imgs, size_t n)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		struct image *img = imgs[i];
		json_object *o = json_object_new_object(), *names = json_object_new_array();
		char *digest = xasprintf("sha256:%s", img->id);

		for (size_t k = 0; img->names && img->names[k]; k++)
			json_object_array_add(names, json_object_new_string(img->names[k]));
		json_object_object_add(o, "Id", json_object_new_string(img->id));
		json_object_object_add(o, "ParentId", json_object_new_string(""));
		json_object_object_add(o, "RepoTags", json_object_get(names));
		{
			json_object *rd = json_object_new_array();
			for (size_t k = 0; img->repo_digests && img->repo_digests[k]; k++)
				json_object_array_add(rd, json_object_new_string(img->repo_digests[k]));
			json_object_object_add(o, "RepoDigests", rd);
		}
		json_object_object_add(o, "Size", json_object_new_int64((int64_t)img->size));
		json_object_object_add(o, "SharedSize", json_object_new_int64(0));
		json_object_object_add(o, "VirtualSize", json_object_new_int64((int64_t)img->size));
		json_object_object_add(o, "Containers", json_object_new_int(0));
		json_object_object_add(o, "Names", names);
		json_object_object_add(o, "Digest",
				       json_object_new_string(img->digest ? img->digest : digest));
		json_object_object_add(o, "Created", json_object_new_int64(parse_created(img->created)));
		json_object_object_add(o, "CreatedAt",
				       json_object_new_string(img->created ? img->created : ""));
		json_object_array_add(arr, o);
		free(digest);
	}
	/* json-c prints an empty array over two lines; podman prints [] */
	if (n == 0) {
		printf("[]\n");
		json_object_put(arr);
		return;
	}
	printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
}

/* the rows a template sees: one per name, as podman's */
static json_object *template_rows(struct image **imgs, size_t n, bool notrunc)
{
	json_object *arr = json_object_new_array();
	time_t now = time(NULL);

	for (size_t i = 0; i < n; i++) {
		struct image *img = imgs[i];
		size_t nn = strv_len(img->names);
		for (size_t k = 0; k < (nn ? nn : 1); k++) {
			json_object *o = json_object_new_object(), *names = json_object_new_array();
			char *repo = NULL, *tag = NULL, *v;
			if (nn) {
				ref_split_repo_tag(img->names[k], &repo, &tag);
			} else {
				repo = xstrdup("<none>");
				tag = xstrdup("<none>");
			}
			for (size_t m = 0; m < nn; m++)
				json_object_array_add(names, json_object_new_string(img->names[m]));
			json_object_object_add(o, "Repository", json_object_new_string(repo));
			json_object_object_add(o, "Tag", json_object_new_string(tag));
			v = notrunc ? xasprintf("sha256:%s", img->id) : xasprintf("%.12s", img->id);
			json_object_object_add(o, "ID", json_object_new_string(v));
			free(v);
			json_object_object_add(o, "Id", json_object_new_string(img->id));
			v = xasprintf("sha256:%s", img->id);
			json_object_object_add(o, "Digest",
					       json_object_new_string(img->digest ? img->digest : v));
			free(v);
			v = human_ago(parse_created(img->created), now);
			json_object_object_add(o, "Created", json_object_new_string(v));
			json_object_object_add(o, "CreatedSince", json_object_new_string(v));
			free(v);
			v = cli_go_time(img->created);
			json_object_object_add(o, "CreatedAt", json_object_new_string(v));
			free(v);
			v = cli_human_size(img->size);
			json_object_object_add(o, "Size", json_object_new_string(v));
			free(v);
			json_object_object_add(o, "VirtualSize", json_object_new_int64((int64_t)img->size));
			json_object_object_add(o, "Names", names);
			json_object_object_add(o, "Dangling", json_object_new_boolean(nn == 0));
			json_object_object_add(o, "ReadOnly", json_object_new_boolean(false));
			json_object_array_add(arr, o);
			free(repo);
			free(tag);
		}
	}
	return arr;
}

static const char *const image_heads[] = { "ID",           "IMAGE ID", "Created",   "CREATED",
					   "CreatedSince", "CREATED",  "CreatedAt", "CREATED AT",
					   "ReadOnly",     "R/O",      NULL };

struct row {
	char *col[6];
};

static void print_table(struct image **imgs, size_t n, bool notrunc, bool noheading, bool digests)
{
	static const char *const heads[6] = { "REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE" };
	struct row *rows = NULL;
	size_t nrows = 0, w[6];
	time_t now = time(NULL);

	for (size_t i = 0; i < n; i++) {
		struct image *img = imgs[i];
		size_t nn = strv_len(img->names);
		for (size_t k = 0; k < (nn ? nn : 1); k++) {
			struct row *r;
			rows = xrealloc(rows, (nrows + 1) * sizeof *rows);
			r = &rows[nrows++];
			if (nn) {
				ref_split_repo_tag(img->names[k], &r->col[0], &r->col[1]);
			} else {
				r->col[0] = xstrdup("<none>");
				r->col[1] = xstrdup("<none>");
			}
			r->col[2] = xstrdup(img->digest ? img->digest : "<none>");
			r->col[3] = notrunc ? xasprintf("sha256:%s", img->id) : xasprintf("%.12s", img->id);
			r->col[4] = human_ago(parse_created(img->created), now);
			r->col[5] = cli_human_size(img->size);
		}
	}
	for (int c = 0; c < 6; c++) {
		w[c] = strlen(heads[c]);
		for (size_t i = 0; i < nrows; i++)
			if (strlen(rows[i].col[c]) > w[c])
				w[c] = strlen(rows[i].col[c]);
	}
	if (!noheading) {
		printf("%-*s  %-*s  ", (int)w[0], heads[0], (int)w[1], heads[1]);
		if (digests)
			printf("%-*s  ", (int)w[2], heads[2]);
		printf("%-*s  %-*s  %s\n", (int)w[3], heads[3], (int)w[4], heads[4], heads[5]);
	}
	for (size_t i = 0; i < nrows; i++) {
		printf("%-*s  %-*s  ", (int)w[0], rows[i].col[0], (int)w[1], rows[i].col[1]);
		if (digests)
			printf("%-*s  ", (int)w[2], rows[i].col[2]);
		printf("%-*s  %-*s  %s\n", (int)w[3], rows[i].col[3], (int)w[4], rows[i].col[4],
		       rows[i].col[5]);
		for (int c = 0; c < 6; c++)
			free(rows[i].col[c]);
	}
	free(rows);
}

CMD_DECL(images)
{
	struct optparser p;
	struct store *s = NULL;
	struct image **imgs = NULL;
	size_t n = 0;
	bool quiet = false, all = false, notrunc = false, noheading = false, digests = false;
	const char *format = "table";
	_cleanup_strv_ char **filters = NULL;
	int id;

	opt_init(&p, opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_QUIET:
			quiet = opt_flag_value(&p);
			break;
		case O_ALL:
			all = opt_flag_value(&p);
			break;
		case O_NOTRUNC:
			notrunc = opt_flag_value(&p);
			break;
		case O_NOHEADING:
			noheading = opt_flag_value(&p);
			break;
		case O_DIGESTS:
			digests = opt_flag_value(&p);
			break;
		case O_FORMAT:
			format = p.value;
			break;
		case O_FILTER:
			strv_push(&filters, p.value);
			break;
		case O_HELP:
			opt_print_help(stdout, "images", usage, summary, opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (cli_format_check(format, e) < 0)
		return -1;
	if (argc - p.idx > 1)
		return err_usage(e, "\"burrow images\" takes at most 1 argument: a reference pattern");
	if (p.idx < argc) {
		/* images PATTERN is --filter reference=PATTERN, as podman's */
		char *r = xasprintf("reference=%s", argv[p.idx]);
		strv_push(&filters, r);
		free(r);
	}
	if (cli_store(g, &s, e) < 0 || img_filters_check(s, filters, e) < 0 ||
	    store_image_list(s, &imgs, &n, e) < 0)
		return -1;
	if (filters) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			if (img_filters_match(s, imgs[i], filters))
				imgs[k++] = imgs[i];
			else
				image_free(imgs[i]);
		}
		n = k;
	}
	if (!all) {
		/* a build's untagged step images are its cache: shown with -a */
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			if (imgs[i]->intermediate && (!imgs[i]->names || !imgs[i]->names[0]))
				image_free(imgs[i]);
			else
				imgs[k++] = imgs[i];
		}
		n = k;
	}
	qsort(imgs, n, sizeof *imgs, by_created_desc);
	if (quiet) {
		for (size_t i = 0; i < n; i++)
			printf("%s%.*s\n", notrunc ? "sha256:" : "", notrunc ? 64 : 12, imgs[i]->id);
	} else if (strcmp(format, "json") == 0) {
		print_json(imgs, n);
	} else if (cli_format_is_template(format)) {
		json_object *rows = template_rows(imgs, n, notrunc);
		int rc = cli_format_print(format, rows, image_heads, noheading, e);
		json_object_put(rows);
		for (size_t i = 0; i < n; i++)
			image_free(imgs[i]);
		free(imgs);
		return rc;
	} else {
		print_table(imgs, n, notrunc, noheading, digests);
	}
	for (size_t i = 0; i < n; i++)
		image_free(imgs[i]);
	free(imgs);
	return 0;
}
