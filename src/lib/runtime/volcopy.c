/* volcopy.c - the image's content into a new volume, and :U.
 *
 * Runs in the init, as root in the container's user namespace, before the
 * volume is mounted: ownership is copied as the container sees it.  The
 * source is opened inside the root (rootfs_open_in_root) and walked with
 * O_NOFOLLOW relative to directory fds, so a symlink in the image is
 * copied as a symlink and never followed; mounts below the path (the
 * generated /etc files, say) are not entered. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/base/util.h"
#include "rootfs.h"
#include "volcopy.h"

#define COPY_DEPTH_MAX 128

/* ownership as in the image; an ID the map lacks (single-ID map) stays ours */
static void copy_owner(int fd, const char *name, const struct stat *st)
{
	if (fchownat(fd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH)) < 0)
		(void)0;
}

static int copy_file(int sfd, int dfd, const char *name, const struct stat *st, struct err *e)
{
	_cleanup_close_ int in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	_cleanup_close_ int out = -1;
	char buf[65536];

	if (in < 0)
		return err_make(e, errno, "opening %s", name);
	out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return err_make(e, errno, "creating %s", name);
	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (n == 0)
			break;
		if (n > 0)
			continue;
		if (errno != EXDEV && errno != ENOSYS && errno != EOPNOTSUPP && errno != EINVAL)
			return err_make(e, errno, "copying %s", name);
		/* fall back to read/write */
		while ((n = read(in, buf, sizeof buf)) > 0)
			if (write_all(out, buf, (size_t)n) < 0)
				return err_make(e, errno, "copying %s", name);
		if (n < 0)
			return err_make(e, errno, "reading %s", name);
		break;
	}
	copy_owner(out, "", st);
	if (fchmod(out, st->st_mode & 07777) < 0)
		return err_make(e, errno, "setting the mode of %s", name);
	return 0;
}

static int copy_tree(int sfd, int dfd, dev_t dev, int depth, struct err *e)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd = dup(sfd);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return err_make(e, errno, "reading a directory");
	}
	if (depth > COPY_DEPTH_MAX)
		return err_make(e, ELOOP, "directories nested too deep");
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		struct stat st;
		if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
			continue;
		if (fstatat(sfd, n, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return err_make(e, errno, "checking %s", n);
		if (st.st_dev != dev)
			continue; /* a mount below the path */
		if (S_ISDIR(st.st_mode)) {
			_cleanup_close_ int s2 = -1, d2 = -1;
			if (mkdirat(dfd, n, 0700) < 0)
				return err_make(e, errno, "creating %s", n);
			s2 = openat(sfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			d2 = openat(dfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (s2 < 0 || d2 < 0)
				return err_make(e, errno, "opening %s", n);
			if (copy_tree(s2, d2, dev, depth + 1, e) < 0)
				return err_wrap(e, "%s", n);
			copy_owner(d2, "", &st);
			if (fchmod(d2, st.st_mode & 07777) < 0)
				return err_make(e, errno, "setting the mode of %s", n);
		} else if (S_ISREG(st.st_mode)) {
			if (copy_file(sfd, dfd, n, &st, e) < 0)
				return -1;
		} else if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t len = readlinkat(sfd, n, target, sizeof target - 1);
			if (len < 0)
				return err_make(e, errno, "reading the link %s", n);
			target[len] = '\0';
			if (symlinkat(target, dfd, n) < 0)
				return err_make(e, errno, "creating the link %s", n);
			copy_owner(dfd, n, &st);
		} else if (S_ISFIFO(st.st_mode)) {
			if (mkfifoat(dfd, n, st.st_mode & 07777) < 0)
				return err_make(e, errno, "creating the fifo %s", n);
			copy_owner(dfd, n, &st);
		}
		/* device nodes and sockets cannot be made here: skipped */
	}
	return 0;
}

int volume_copy_up(int rootfd, const char *dst, const char *volpath, struct err *e)
{
	_cleanup_close_ int src = -1, vol = -1, in = -1;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	struct stat st;
	char p[64];
	int dfd;

	vol = open(volpath, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (vol < 0)
		return err_make(e, errno, "opening volume %s", volpath);
	dfd = dup(vol);
	if (dfd < 0 || !(d = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return err_make(e, errno, "reading volume %s", volpath);
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			return 0; /* not empty (any more): nothing to copy */
	src = rootfs_open_in_root(rootfd, dst, 0, e);
	if (src < 0) {
		if (e->errnum != ENOENT)
			return -1;
		err_clear(e);
		return 0; /* nothing at the path in the image */
	}
	if (fstat(src, &st) < 0)
		return err_make(e, errno, "checking %s", dst);
	if (!S_ISDIR(st.st_mode))
		return 0;
	snprintf(p, sizeof p, "/proc/self/fd/%d", src);
	in = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (in < 0)
		return err_make(e, errno, "opening %s in the container", dst);
	if (copy_tree(in, vol, st.st_dev, 0, e) < 0)
		return err_wrap(e, "copying %s into the volume", dst);
	copy_owner(vol, "", &st);
	if (fchmod(vol, st.st_mode & 07777) < 0)
		return err_make(e, errno, "setting the mode of volume %s", volpath);
	return 0;
}

static int chown_tree(int fd, uid_t uid, gid_t gid, int depth, struct err *e)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int dfd;

	if (depth > COPY_DEPTH_MAX)
		return err_make(e, ELOOP, "directories nested too deep");
	if (fchown(fd, uid, gid) < 0)
		return err_make(e, errno, "chown");
	dfd = dup(fd);
	if (dfd < 0 || !(d = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return err_make(e, errno, "reading a directory");
	}
	while ((de = readdir(d))) {
		struct stat st;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return err_make(e, errno, "checking %s", de->d_name);
		if (S_ISDIR(st.st_mode)) {
			_cleanup_close_ int c = openat(fd, de->d_name,
						       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (c < 0)
				return err_make(e, errno, "opening %s", de->d_name);
			if (chown_tree(c, uid, gid, depth + 1, e) < 0)
				return err_wrap(e, "%s", de->d_name);
		} else if (fchownat(fd, de->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0) {
			return err_make(e, errno, "chown %s", de->d_name);
		}
	}
	return 0;
}

int volume_chown(const char *path, uid_t uid, gid_t gid, struct err *e)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return err_make(e, errno, "opening %s", path);
	if (!S_ISDIR(st.st_mode)) {
		if (fchown(fd, uid, gid) < 0)
			return err_make(e, errno, "chown %s", path);
		return 0;
	}
	if (chown_tree(fd, uid, gid, 0, e) < 0) {
		if (e->errnum == EINVAL)
			return err_wrap(e,
					"chown %s to %u:%u: the ID is not mapped in the container "
					"(no subordinate range?)",
					path, (unsigned)uid, (unsigned)gid);
		return err_wrap(e, "chown %s to %u:%u", path, (unsigned)uid, (unsigned)gid);
	}
	return 0;
}
