/* mergefs.c - see mergefs.h */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/store/unpack.h"
#include "lib/base/safeopen.h"
#include "lib/base/util.h"
#include "mergefs.h"

#define MAX_SYMLINKS 40

char *path_join_rel(const char *a, const char *b)
{
	if (!*a)
		return xstrdup(b);
	if (!*b)
		return xstrdup(a);
	return xasprintf("%s/%s", a, b);
}

int mfs_open_dirs(struct mfs *fs, char *const *dirs, bool strict, bool whiteouts, struct err *e)
{
	size_t n = dirs ? strv_len(dirs) : 0;

	memset(fs, 0, sizeof *fs);
	fs->strict = strict;
	fs->whiteouts = whiteouts;
	fs->fds = xcalloc(n + 1, sizeof *fs->fds);
	for (size_t i = 0; i < n; i++) {
		int fd = open(dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			int saved = errno;
			mfs_close(fs);
			return err_make(e, saved, "opening %s", dirs[i]);
		}
		fs->fds[fs->n++] = fd;
	}
	return 0;
}

void mfs_close(struct mfs *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		close(fs->fds[i]);
	free(fs->fds);
	fs->fds = NULL;
	fs->n = 0;
}

void mentry_clear(struct mentry *m)
{
	free(m->path);
	free(m->dl);
	memset(m, 0, sizeof *m);
}

void mentry_copy(struct mentry *dst, const struct mentry *src)
{
	*dst = *src;
	dst->path = xstrdup(src->path);
	dst->dl = src->ndl ? xmalloc(src->ndl * sizeof *src->dl) : NULL;
	if (src->ndl)
		memcpy(dst->dl, src->dl, src->ndl * sizeof *src->dl);
}

static bool is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

static bool is_opaque(int layerfd, const char *path)
{
	_cleanup_close_ int fd = openat(layerfd, *path ? path : ".",
					O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	char v[2];

	if (fd < 0)
		return false;
	if (fgetxattr(fd, "user.overlay.opaque", v, sizeof v) == 1 && v[0] == 'y')
		return true;
	return fgetxattr(fd, "trusted.overlay.opaque", v, sizeof v) == 1 && v[0] == 'y';
}

int mfs_root(const struct mfs *fs, struct mentry *out, struct err *e)
{
	memset(out, 0, sizeof *out);
	out->path = xstrdup("");
	if (fs->n == 0) {
		out->st.st_mode = S_IFDIR | 0755;
		return 0;
	}
	if (fstat(fs->fds[0], &out->st) < 0) {
		mentry_clear(out);
		return err_make(e, errno, "checking the root directory");
	}
	out->dl = xmalloc(fs->n * sizeof *out->dl);
	for (size_t i = 0; i < fs->n; i++)
		out->dl[out->ndl++] = i;
	return 0;
}

int mfs_child(const struct mfs *fs, const struct mentry *dir, const char *name, struct mentry *out,
	      struct err *e)
{
	_cleanup_free_ char *path = path_join_rel(dir->path, name);
	bool found = false;

	memset(out, 0, sizeof *out);
	for (size_t k = 0; k < dir->ndl; k++) {
		size_t li = dir->dl[k];
		struct stat st;

		if (fstatat(fs->fds[li], path, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT || errno == ENOTDIR)
				continue;
			int saved = errno;
			mentry_clear(out);
			return err_make(e, saved, "checking /%s", path);
		}
		if (fs->whiteouts && is_whiteout(&st))
			break;
		if (!found) {
			found = true;
			out->st = st;
			out->layer = li;
			if (!S_ISDIR(st.st_mode))
				break;
			out->dl = xmalloc((dir->ndl - k) * sizeof *out->dl);
		} else if (!S_ISDIR(st.st_mode)) {
			break; /* a lower non-directory is hidden by the directory above */
		}
		out->dl[out->ndl++] = li;
		if (fs->whiteouts && k + 1 < dir->ndl && is_opaque(fs->fds[li], path))
			break;
	}
	if (!found)
		return 1;
	out->path = steal_ptr(path);
	return 0;
}

/* the entry of a path known to have no symlinks in it (a resolved path) */
static int lookup_real(const struct mfs *fs, const char *path, struct mentry *out, struct err *e)
{
	_cleanup_free_ char *buf = xstrdup(path);
	char *save = NULL;

	if (mfs_root(fs, out, e) < 0)
		return -1;
	for (char *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		struct mentry next;
		int r = mfs_child(fs, out, c, &next, e);
		mentry_clear(out);
		if (r != 0)
			return r < 0 ? -1 : err_make(e, ENOENT, "/%s vanished", path);
		*out = next;
	}
	return 0;
}

/* pop the first component of *todo (a "/"-separated list) into a new string */
static char *pop_component(char **todo)
{
	char *s = *todo, *slash;

	while (*s == '/')
		s++;
	if (!*s) {
		*todo = s;
		return NULL;
	}
	slash = strchr(s, '/');
	if (slash) {
		*slash = '\0';
		*todo = slash + 1;
	} else {
		*todo = s + strlen(s);
	}
	return xstrdup(s);
}

/* EXDEV, without strerror's "Invalid cross-device link" in the text */
__attribute__((format(printf, 2, 3))) static int escape_err(struct err *e, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	err_make(e, 0, "%s", msg ? msg : "forbidden path");
	free(msg);
	e->errnum = EXDEV;
	return -1;
}

int mfs_resolve(const struct mfs *fs, const char *path, bool follow_last, struct mentry *out, char **rest,
		struct err *e)
{
	_cleanup_free_ char *todo_buf = xstrdup(path);
	char *todo = todo_buf;
	struct mentry cur;
	int hops = 0;

	if (rest)
		*rest = NULL;
	if (mfs_root(fs, &cur, e) < 0)
		return -1;
	for (;;) {
		_cleanup_free_ char *c = pop_component(&todo);
		struct mentry next;
		bool last;
		int r;

		if (!c)
			break;
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			char *slash = strrchr(cur.path, '/');
			_cleanup_free_ char *up = NULL;
			if (!*cur.path) {
				if (fs->strict) {
					mentry_clear(&cur);
					return escape_err(e, "forbidden path outside the build context: %s",
							  path);
				}
				continue;
			}
			up = slash ? xasprintf("%.*s", (int)(slash - cur.path), cur.path) : xstrdup("");
			mentry_clear(&cur);
			if (lookup_real(fs, up, &cur, e) < 0)
				return -1;
			continue;
		}
		if (!S_ISDIR(cur.st.st_mode)) {
			mentry_clear(&cur);
			return err_make(e, ENOTDIR, "%s", path);
		}
		r = mfs_child(fs, &cur, c, &next, e);
		if (r < 0) {
			mentry_clear(&cur);
			return -1;
		}
		if (r == 1) {
			if (rest) {
				_cleanup_free_ char *raw = *todo ? xasprintf("%s/%s", c, todo) : xstrdup(c);
				struct err ce = ERR_INIT;
				/* a ".." in what is missing can only come from a symlink target */
				if (unpack_clean_path(raw, rest, &ce) < 0) {
					err_clear(&ce);
					mentry_clear(&cur);
					return escape_err(e, "%s: the path leads outside the root", path);
				}
			}
			*out = cur;
			return 1;
		}
		while (*todo == '/')
			todo++;
		last = !*todo;
		if (S_ISLNK(next.st.st_mode) && (!last || follow_last)) {
			_cleanup_free_ char *target = NULL;
			char *nt;
			if (++hops > MAX_SYMLINKS) {
				mentry_clear(&next);
				mentry_clear(&cur);
				return err_make(e, ELOOP, "%s", path);
			}
			r = mfs_readlink(fs, &next, &target, e);
			mentry_clear(&next);
			if (r < 0) {
				mentry_clear(&cur);
				return -1;
			}
			if (target[0] == '/') {
				if (fs->strict) {
					mentry_clear(&cur);
					return escape_err(e,
							  "forbidden path outside the build context: %s "
							  "(a symlink to %s)",
							  path, target);
				}
				mentry_clear(&cur);
				if (mfs_root(fs, &cur, e) < 0)
					return -1;
			}
			nt = *todo ? xasprintf("%s/%s", target, todo) : xstrdup(target);
			free(todo_buf);
			todo_buf = todo = nt;
			continue;
		}
		mentry_clear(&cur);
		cur = next;
	}
	*out = cur;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int mfs_list(const struct mfs *fs, const struct mentry *dir, char ***names, struct err *e)
{
	char **v = NULL;
	size_t n, k = 0;

	for (size_t i = 0; i < dir->ndl; i++) {
		int fd = openat(fs->fds[dir->dl[i]], *dir->path ? dir->path : ".",
				O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		DIR *d;
		struct dirent *de;
		if (fd < 0 || !(d = fdopendir(fd))) {
			int saved = errno;
			if (fd >= 0)
				close(fd);
			strv_free(v);
			return err_make(e, saved, "reading directory /%s", dir->path);
		}
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				strv_push(&v, de->d_name);
		closedir(d);
	}
	n = strv_len(v);
	if (n) {                                 /* then v is not NULL: strv_len(NULL) is 0 */
		qsort(v, n, sizeof *v, cmp_str); // NOLINT(clang-analyzer-core.NonNullParamChecker)
		for (size_t i = 0; i < n; i++) {
			if (k > 0 && strcmp(v[k - 1], v[i]) == 0) {
				free(v[i]);
				continue;
			}
			v[k++] = v[i];
		}
		v[k] = NULL;
	}
	if (!v)
		v = xcalloc(1, sizeof *v);
	*names = v;
	return 0;
}

int mfs_open(const struct mfs *fs, const struct mentry *ent, int flags, struct err *e)
{
	int fd;

	if (ent->layer >= fs->n)
		return err_make(e, ENOENT, "/%s", ent->path);
	fd = safe_open_in_root(fs->fds[ent->layer], ent->path, flags | O_NOFOLLOW, 0,
			       RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
	if (fd < 0)
		return err_make(e, errno, "opening %s", ent->path);
	return fd;
}

int mfs_readlink(const struct mfs *fs, const struct mentry *ent, char **target, struct err *e)
{
	char buf[4096];
	ssize_t l;

	if (ent->layer >= fs->n)
		return err_make(e, ENOENT, "/%s", ent->path);
	l = readlinkat(fs->fds[ent->layer], ent->path, buf, sizeof buf - 1);
	if (l < 0)
		return err_make(e, errno, "reading the symlink %s", ent->path);
	buf[l] = '\0';
	*target = xstrdup(buf);
	return 0;
}
