/* rmtree.c - rm_rf_at() (see util.h): remove a tree of any depth.
 *
 * The walk keeps one entry per level (the directory's name in its parent
 * and its device and inode) but only the deepest RM_OPEN_MAX levels open,
 * so a tree thousands of levels deep (a container can make one) needs no
 * more fds than a shallow one.  A level whose fd was closed is reopened
 * from its child through "..", and must still be the directory it was
 * (device and inode): a directory that was moved away meanwhile stops the
 * walk instead of leading it out of the tree.  Going down, every open is
 * O_NOFOLLOW | O_DIRECTORY relative to the parent's fd: no symlink is ever
 * followed.
 */
#include <dirent.h>
#include <linux/fs.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

enum { RM_OPEN_MAX = 16 };

struct rm_level {
	DIR *d; /* NULL while closed */
	dev_t dev;
	ino_t ino;
	char *name; /* in the parent; the top's is the caller's path */
};

struct rm_walk {
	struct rm_level *lv;
	size_t n, cap;
	size_t nopen; /* the open levels are lv[n - nopen .. n - 1] */
	const char *path;
};

/* open the directory name in parent, making a read-only directory we own
 * usable; never through a symlink */
static int rm_open_dir(int parent, const char *name, struct stat *st)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == EACCES) {
		/* no r or x for us: chmod the directory itself (by an O_PATH fd,
		 * so that a symlink put in its place meanwhile is not followed) */
		int pfd = openat(parent, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		char proc[64];
		if (pfd < 0)
			return -1;
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", pfd);
		if (chmod(proc, 0700) == 0)
			fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		else
			errno = EACCES;
		closep(&pfd);
	}
	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0) {
		closep(&fd);
		return -1;
	}
	/* unlinking inside needs write and search permission: a 0644
	 * directory from a layer has the one but not the other */
	if ((st->st_mode & S_IRWXU) != S_IRWXU)
		fchmod(fd, st->st_mode | S_IRWXU);
	return fd;
}

static int rm_fail(struct rm_walk *w, int errnum, const char *what, struct err *e)
{
	if (w->n <= 1)
		return err_make(e, errnum, "removing %s%s%s", w->path, what ? ": " : "", what ? what : "");
	return err_make(e, errnum, "removing %s: %s (%zu levels down)", w->path, what, w->n - 1);
}

static int rm_push(struct rm_walk *w, int parent, const char *name, struct err *e)
{
	struct stat st;
	int fd = rm_open_dir(parent, name, &st);
	DIR *d;

	if (fd < 0)
		return rm_fail(w, errno, w->n ? name : NULL, e);
	d = fdopendir(fd);
	if (!d) {
		int saved = errno;
		closep(&fd);
		return rm_fail(w, saved, w->n ? name : NULL, e);
	}
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 32;
		w->lv = xrealloc(w->lv, w->cap * sizeof *w->lv);
	}
	w->lv[w->n++] = (struct rm_level){ d, st.st_dev, st.st_ino, xstrdup(name) };
	if (++w->nopen > RM_OPEN_MAX) {
		struct rm_level *old = &w->lv[w->n - w->nopen];
		closedir(old->d);
		old->d = NULL;
		w->nopen--;
	}
	return 0;
}

/* the parent of the deepest level, reopened through ".." if it was closed */
static int rm_parent(struct rm_walk *w, struct err *e)
{
	struct rm_level *child = &w->lv[w->n - 1], *p = &w->lv[w->n - 2];
	struct stat st;
	int fd;

	if (p->d)
		return 0;
	fd = openat(dirfd(child->d), "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		int saved = errno;
		closep(&fd);
		return rm_fail(w, saved, "..", e);
	}
	if (st.st_dev != p->dev || st.st_ino != p->ino) {
		closep(&fd);
		return rm_fail(w, 0, "a directory was moved during the removal", e);
	}
	p->d = fdopendir(fd);
	if (!p->d) {
		int saved = errno;
		closep(&fd);
		return rm_fail(w, saved, "..", e);
	}
	w->nopen++;
	return 0;
}

/* remove the deepest level, which is empty, from its parent */
static int rm_pop(struct rm_walk *w, int top_dirfd, struct err *e)
{
	struct rm_level *l;
	int parent, rc = 0;

	if (w->n > 1 && rm_parent(w, e) < 0)
		return -1;
	l = &w->lv[w->n - 1];
	closedir(l->d);
	l->d = NULL;
	w->nopen--;
	parent = w->n > 1 ? dirfd(w->lv[w->n - 2].d) : top_dirfd;
	if (unlinkat(parent, l->name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		rc = rm_fail(w, errno, w->n > 1 ? l->name : NULL, e);
	free(l->name);
	w->n--;
	return rc;
}

static int rm_walk(struct rm_walk *w, int topfd, struct err *e)
{
	if (rm_push(w, topfd, w->path, e) < 0)
		return -1;
	while (w->n > 0) {
		DIR *d = w->lv[w->n - 1].d;
		struct dirent *de;
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				return rm_fail(w, errno, "reading the directory", e);
			if (rm_pop(w, topfd, e) < 0)
				return -1;
			continue;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0 || errno == ENOENT)
			continue;
		if (errno != EISDIR && errno != EPERM)
			return rm_fail(w, errno, de->d_name, e);
		if (errno == EPERM) {
			/* EPERM: a directory on some filesystems, else the answer */
			struct stat st;
			if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
			    !S_ISDIR(st.st_mode))
				return rm_fail(w, EPERM, de->d_name, e);
		}
		if (rm_push(w, dirfd(d), de->d_name, e) < 0)
			return -1;
	}
	return 0;
}

int rm_rf_at(int dirfd, const char *path, struct err *e)
{
	struct rm_walk w = { NULL, 0, 0, 0, path };
	struct stat st;
	int rc;

	if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : err_make(e, errno, "removing %s", path);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd, path, 0) < 0 && errno != ENOENT)
			return err_make(e, errno, "removing %s", path);
		return 0;
	}
	rc = rm_walk(&w, dirfd, e);
	for (size_t i = 0; i < w.n; i++) {
		if (w.lv[i].d)
			closedir(w.lv[i].d);
		free(w.lv[i].name);
	}
	free(w.lv);
	return rc;
}

/* ---- the apparent size of a tree ---- */

static uint64_t tree_bytes_at(int dfd, int depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	uint64_t n = 0;

	if (!d) {
		close(dfd);
		return 0;
	}
	while ((de = readdir(d))) {
		struct stat st;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < 64) {
			int sub = openat(dirfd(d), de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				n += tree_bytes_at(sub, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			n += (uint64_t)st.st_size;
		}
	}
	closedir(d);
	return n;
}

uint64_t tree_bytes(const char *path)
{
	int fd = path ? open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

	return fd < 0 ? 0 : tree_bytes_at(fd, 0);
}

/* ---- where ext4 puts new directories ---- */

bool fs_spread_dir(int dirfd, const char *path)
{
	const char *env = getenv("BURROW_LAYER_SPREAD");
	int fd, flags = 0;
	bool done = false;

	if (env && strcmp(env, "0") == 0)
		return false;
	fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
		done = flags & FS_TOPDIR_FL;
		if (!done) {
			flags |= FS_TOPDIR_FL;
			done = ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
		}
	}
	close(fd);
	return done;
}
