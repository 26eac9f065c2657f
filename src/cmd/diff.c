/* diff.c - burrow diff: what the container changed, from its upper
 * directory alone (A added, C changed, D deleted). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "lib/base/util.h"

enum { O_HELP = 1, O_FORMAT };
static const struct opt diff_opts[] = {
	{ "format", 0, OPT_VALUE, O_FORMAT, "FORMAT", "json, or the default A/C/D lines" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

struct change {
	char kind;
	char *path;
};

struct walk {
	char **lower;
	struct change *v;
	size_t n;
};

static bool in_lower(const struct walk *w, const char *path)
{
	struct stat st;
	for (size_t i = 0; w->lower && w->lower[i]; i++) {
		_cleanup_free_ char *p = xasprintf("%s%s", w->lower[i], path);
		if (lstat(p, &st) == 0)
			return true;
	}
	return false;
}

static void add(struct walk *w, char kind, const char *path)
{
	w->v = xrealloc(w->v, (w->n + 1) * sizeof *w->v);
	w->v[w->n].kind = kind;
	w->v[w->n].path = xstrdup(path);
	w->n++;
}

static void walk_dir(struct walk *w, int dfd, const char *prefix)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	if (!d) {
		close(dfd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;
		_cleanup_free_ char *path = NULL;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		/* fuse-overlayfs whiteouts are .wh.NAME files */
		if (strncmp(de->d_name, ".wh.", 4) == 0) {
			if (strcmp(de->d_name, ".wh..wh..opq") == 0)
				continue;
			path = xasprintf("%s/%s", prefix, de->d_name + 4);
			add(w, 'D', path);
			continue;
		}
		path = xasprintf("%s/%s", prefix, de->d_name);
		/* kernel overlay whiteouts are 0:0 character devices */
		if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 0 && minor(st.st_rdev) == 0) {
			add(w, 'D', path);
			continue;
		}
		add(w, in_lower(w, path) ? 'C' : 'A', path);
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				walk_dir(w, sub, path);
		}
	}
	closedir(d);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(((const struct change *)a)->path, ((const struct change *)b)->path);
}

CMD_DECL(diff)
{
	struct optparser p;
	struct ctr c;
	struct walk w;
	const char *format = NULL;
	int id, dfd;

	opt_init(&p, diff_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FORMAT:
			format = p.value;
			if (strcmp(format, "json") != 0) {
				err_make(e, 0, "unsupported --format \"%s\" (json)", format);
				goto usage;
			}
			break;
		case O_HELP:
			opt_print_help(stdout, "diff", "[OPTIONS] CONTAINER",
				       "Show the files a container added (A), changed (C) or deleted (D).",
				       diff_opts);
			return 0;
		case -1:
		default:
			goto usage;
		}
	}
	if (argc - p.idx != 1) {
		err_make(e, 0, "\"burrow diff\" requires exactly 1 argument: a container");
		goto usage;
	}
	if (ctr_load(g, argv[p.idx], &c, e) < 0)
		return -1;
	if (c.spec.sqfs) {
		/* its changes are on a tmpfs inside its own mount namespace */
		err_make(e, 0,
			 "container %.12s runs the single-file image %s: its changes are not kept, "
			 "so diff can't show them",
			 c.id, c.spec.sqfs);
		ctr_free(&c);
		return -1;
	}
	memset(&w, 0, sizeof w);
	w.lower = c.spec.lowerdirs;
	{
		_cleanup_free_ char *ld = container_layer_dir(&c.spec);
		_cleanup_free_ char *upper = xasprintf("%s/upper", ld);
		dfd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (dfd >= 0)
		walk_dir(&w, dfd, "");
	if (w.n)
		qsort(w.v, w.n, sizeof *w.v, cmp);
	if (format) {
		json_object *j = json_object_new_object();
		const char *keys[] = { "added", "changed", "deleted" };
		const char kinds[] = { 'A', 'C', 'D' };
		for (int k = 0; k < 3; k++) {
			json_object *a = json_object_new_array();
			for (size_t i = 0; i < w.n; i++)
				if (w.v[i].kind == kinds[k])
					json_object_array_add(a, json_object_new_string(w.v[i].path));
			json_object_object_add(j, keys[k], a);
		}
		printf("%s\n",
		       json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
	}
	for (size_t i = 0; i < w.n; i++) {
		if (!format)
			printf("%c %s\n", w.v[i].kind, w.v[i].path);
		free(w.v[i].path);
	}
	free(w.v);
	ctr_free(&c);
	return 0;
usage:
	return err_mark_usage(e);
}
