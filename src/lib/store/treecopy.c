/* treecopy.c - see treecopy.h */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "treecopy.h"
#include "lib/base/log.h"
#include "lib/base/util.h"

#define MAX_DEPTH 1024
#define COPY_BUF (1024 * 1024)
#define COPY_CHUNK (1L << 30)

static bool dots(const char *n)
{
	return !strcmp(n, ".") || !strcmp(n, "..");
}

static bool fits(int pfd, const char *name, int depth)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	bool ok = true;
	int fd;

	if (depth > MAX_DEPTH || fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	if (S_ISREG(st.st_mode))
		return st.st_nlink == 1;
	if (S_ISLNK(st.st_mode) || S_ISSOCK(st.st_mode))
		return true;
	if (!S_ISDIR(st.st_mode))
		return false;
	fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return false;
	}
	while (ok && (errno = 0, de = readdir(d)))
		if (!dots(de->d_name))
			ok = fits(dirfd(d), de->d_name, depth + 1);
	if (ok && errno)
		ok = false;
	closedir(d);
	return ok;
}

bool tree_copy_fits(int srcdir, const char *src)
{
	return fits(srcdir, src, 0);
}

struct tc {
	const struct tree_copy *t;
	char *buf; /* for the read/write fallback */
	int how;   /* 0 copy_file_range, 1 sendfile, 2 read and write: once
		    * refused, not tried again for the next files */
	bool warned_chown;
};

/* the name free for a new entry; an existing directory is kept when keep_dir */
static int clear_name(int pfd, const char *name, bool keep_dir, bool *is_dir, const char *path, struct err *e)
{
	struct stat st;

	*is_dir = false;
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : err_make(e, errno, "checking %s", path);
	if (S_ISDIR(st.st_mode)) {
		if (keep_dir) {
			*is_dir = true;
			return 0;
		}
		return rm_rf_at(pfd, name, e);
	}
	if (unlinkat(pfd, name, 0) < 0 && errno != ENOENT)
		return err_make(e, errno, "replacing %s", path);
	return 0;
}

static void chown_failed(struct tc *c, const char *path)
{
	if (c->warned_chown)
		return;
	c->warned_chown = true;
	log_warn("cannot give %s the owner %u:%u: %s", path, (unsigned)c->t->uid, (unsigned)c->t->gid,
		 strerror(errno));
}

/* owner, then mode (chown clears the set-id bits), then times */
static int finish_fd(struct tc *c, int fd, const struct stat *st, const char *path, struct err *e)
{
	struct timespec ts[2] = { st->st_mtim, st->st_mtim };

	if (fchown(fd, c->t->uid, c->t->gid) < 0)
		chown_failed(c, path);
	if (fchmod(fd, st->st_mode & 07777) < 0)
		return err_make(e, errno, "setting the mode of %s", path);
	if (futimens(fd, ts) < 0)
		return err_make(e, errno, "setting the times of %s", path);
	return 0;
}

/* size bytes from in to out, in the kernel when it can; *short_copy when
 * the file shrank meanwhile (it is then cut at its old size, as the tar
 * pads it) */
static int copy_data(struct tc *c, int in, int out, off_t size, bool *short_copy, const char *path,
		     struct err *e)
{
	off_t left = size;
	int how = c->how;

	while (left > 0) {
		size_t want = left > COPY_CHUNK ? (size_t)COPY_CHUNK : (size_t)left;
		ssize_t n;
		if (how == 0) {
			n = copy_file_range(in, NULL, out, NULL, want, 0);
			if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
				      errno == EOPNOTSUPP || errno == EBADF)) {
				how = c->how = 1;
				continue;
			}
		} else if (how == 1) {
			n = sendfile(out, in, NULL, want);
			if (n < 0 && (errno == EINVAL || errno == ENOSYS)) {
				how = c->how = 2;
				continue;
			}
		} else {
			if (!c->buf)
				c->buf = xmalloc(COPY_BUF);
			n = read(in, c->buf, want < COPY_BUF ? want : COPY_BUF);
			if (n > 0 && write_all(out, c->buf, (size_t)n) < 0)
				return err_make(e, errno, "writing %s", path);
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_make(e, errno, "copying %s", path);
		if (n == 0)
			break;
		left -= n;
	}
	*short_copy = left > 0;
	return 0;
}

static int copy_file(struct tc *c, int sdir, const char *name, int ddir, const char *dname, const char *path,
		     struct err *e)
{
	_cleanup_close_ int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	_cleanup_close_ int out = -1;
	struct stat st;
	bool is_dir, short_copy = false;

	if (in < 0 || fstat(in, &st) < 0)
		return err_make(e, errno, "opening %s", path);
	if (!S_ISREG(st.st_mode))
		return err_make(e, 0, "%s changed while it was copied", path);
	if (clear_name(ddir, dname, false, &is_dir, path, e) < 0)
		return -1;
	out = openat(ddir, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return err_make(e, errno, "creating %s", path);
	if (copy_data(c, in, out, st.st_size, &short_copy, path, e) < 0)
		return -1;
	if (short_copy && ftruncate(out, st.st_size) < 0)
		return err_make(e, errno, "writing %s", path);
	return finish_fd(c, out, &st, path, e);
}

static int copy_link(struct tc *c, int sdir, const char *name, const struct stat *st, int ddir,
		     const char *dname, const char *path, struct err *e)
{
	struct timespec ts[2] = { st->st_mtim, st->st_mtim };
	char target[4096];
	ssize_t n = readlinkat(sdir, name, target, sizeof target - 1);
	bool is_dir;

	if (n < 0)
		return err_make(e, errno, "reading the link %s", path);
	target[n] = '\0';
	if (clear_name(ddir, dname, false, &is_dir, path, e) < 0)
		return -1;
	if (symlinkat(target, ddir, dname) < 0)
		return err_make(e, errno, "creating %s", path);
	if (fchownat(ddir, dname, c->t->uid, c->t->gid, AT_SYMLINK_NOFOLLOW) < 0)
		chown_failed(c, path);
	if (utimensat(ddir, dname, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return err_make(e, errno, "setting the times of %s", path);
	return 0;
}

static int copy_entry(struct tc *c, int sdir, const char *name, int ddir, const char *dname, const char *path,
		      int depth, struct err *e);

/* the entries of the host directory sfd into the container's dfd */
static int copy_dir_content(struct tc *c, int sfd, int dfd, const char *path, int depth, struct err *e)
{
	int fd = openat(sfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return err_make(e, errno, "reading %s", path);
	}
	while (rc == 0 && (errno = 0, de = readdir(d))) {
		_cleanup_free_ char *sub = NULL;
		if (dots(de->d_name))
			continue;
		sub = *path ? xasprintf("%s/%s", path, de->d_name) : xstrdup(de->d_name);
		rc = copy_entry(c, dirfd(d), de->d_name, dfd, de->d_name, sub, depth + 1, e);
	}
	if (rc == 0 && errno)
		rc = err_make(e, errno, "reading %s", path);
	closedir(d);
	return rc;
}

static int copy_entry(struct tc *c, int sdir, const char *name, int ddir, const char *dname, const char *path,
		      int depth, struct err *e)
{
	_cleanup_close_ int sfd = -1, dfd = -1;
	struct stat st;
	bool is_dir;

	if (depth > MAX_DEPTH)
		return err_make(e, ELOOP, "%s: more than %d levels deep", path, MAX_DEPTH);
	if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return err_make(e, errno, "%s", path);
	if (S_ISSOCK(st.st_mode))
		return 0;
	if (S_ISREG(st.st_mode))
		return copy_file(c, sdir, name, ddir, dname, path, e);
	if (S_ISLNK(st.st_mode))
		return copy_link(c, sdir, name, &st, ddir, dname, path, e);
	if (!S_ISDIR(st.st_mode))
		return err_make(e, 0, "%s changed while it was copied", path);
	sfd = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0 || fstat(sfd, &st) < 0)
		return err_make(e, errno, "opening %s", path);
	if (clear_name(ddir, dname, true, &is_dir, path, e) < 0)
		return -1;
	if (!is_dir && mkdirat(ddir, dname, 0700) < 0)
		return err_make(e, errno, "creating directory %s", path);
	dfd = openat(ddir, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return err_make(e, errno, "opening directory %s", path);
	if (copy_dir_content(c, sfd, dfd, path, depth, e) < 0)
		return -1;
	return finish_fd(c, dfd, &st, path, e);
}

int tree_copy_run(const struct tree_copy *t, struct err *e)
{
	struct tc c = { .t = t };
	int rc;

	if (*t->top) {
		rc = copy_entry(&c, t->srcdir, t->src, t->destdir, t->top, t->top, 0, e);
	} else {
		_cleanup_close_ int sfd = openat(t->srcdir, t->src,
						 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		rc = sfd < 0 ? err_make(e, errno, "opening %s", t->src)
			     : copy_dir_content(&c, sfd, t->destdir, "", 0, e);
	}
	free(c.buf);
	return rc;
}
