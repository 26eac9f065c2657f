/* ctrdiff.c - a container's changes (ctrdiff.h): the upper directory is
 * walked; a name there is added (A) unless a layer has it (C); whiteouts
 * (0:0 character devices, fuse-overlayfs' .wh.NAME) are deletions (D). */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ctrdiff.h"
#include "lib/base/util.h"

struct walk {
	char **lower;
	struct ctr_change *v;
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
	return strcmp(((const struct ctr_change *)a)->path, ((const struct ctr_change *)b)->path);
}

int ctr_changes(const struct container_spec *s, struct ctr_change **v, size_t *n, struct err *e)
{
	struct walk w = { s->lowerdirs, NULL, 0 };
	_cleanup_free_ char *upper = NULL;
	int dfd;

	*v = NULL;
	*n = 0;
	if (s->sqfs)
		/* its changes are on a tmpfs inside its own mount namespace */
		return err_make(e, 0,
				"container %.12s runs the single-file image %s: its changes are not kept, "
				"so diff can't show them",
				s->id, s->sqfs);
	{
		_cleanup_free_ char *ld = container_layer_dir(s);
		upper = xasprintf("%s/upper", ld);
	}
	dfd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		walk_dir(&w, dfd, "");
	if (w.n)
		qsort(w.v, w.n, sizeof *w.v, cmp);
	*v = w.v;
	*n = w.n;
	return 0;
}

void ctr_changes_free(struct ctr_change *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}
