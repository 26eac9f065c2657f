/* rootfs_sqfs.c - a single-file image as the container's lower layer.
 *
 * The file is mounted with squashfuse_ll (the low-level daemon of Debian's
 * squashfuse package: unlike squashfuse it keeps the file's inode numbers,
 * so hard links stay links), run in the foreground as the supervisor's
 * child like fuse-overlayfs, on a FUSE connection the supervisor mounted
 * itself, inside the container's user and mount namespaces.  Nothing is
 * unpacked and nothing is written to the store: the overlay's upper and
 * work directories are on a tmpfs mounted in the same namespace, so the
 * container's changes live in node-local memory and go with the namespace.
 * The mounts are the supervisor's, and its mount namespace ends with it;
 * the daemon has a parent-death signal, so even a supervisor killed with
 * SIGKILL leaves no daemon and no mount behind.
 *
 * In the kept user namespace the mount is shared by the containers of the
 * file instead (sqfs_share.h): lower is then a symbolic link to it, and
 * the supervisor holds it until the overlay is gone.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idshift.h"
#include "lib/base/log.h"
#include "lib/base/util.h"
#include "rootfs.h"
#include "sqfs_share.h"
#include "userns.h"

/* the supervisor's hold on the shared mount (one container per process) */
static int share_ref = -1;
/* rootfs_sqfs_for_start was called: the start's mount, not ctrfs's */
static bool for_start;

void rootfs_sqfs_for_start(void)
{
	for_start = true;
}

/* BURROW_SQFS_ETC is not 0 */
static bool etc_enabled(void)
{
	const char *v = getenv("BURROW_SQFS_ETC");

	return !(v && strcmp(v, "0") == 0);
}

/* The file has no extended attributes at all: its superblock names no
 * xattr table (xattr_id_table_start, at byte 56, is all ones). */
static bool sqfs_no_xattrs(const char *file)
{
	_cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC);
	uint64_t start;

	if (fd < 0 || pread(fd, &start, sizeof start, 56) != (ssize_t)sizeof start)
		return false;
	return le64toh(start) == UINT64_MAX;
}

/* Whether the kernel overlay will show the upper layer's directories as
 * the copy-up would have made them: no owner mapping by fuse-overlayfs,
 * and an image without extended attributes (the copy-up would copy
 * them). */
static bool premake_ok(const struct container_spec *s)
{
	return s->overlay != OVERLAY_FUSE && !(s->idmap && s->idmap->single) && !idshift_needed(s);
}

/* An empty upper copy of the empty lower file name in the upper dir
 * (mode, owner and times of st); 0, or -1 with errno. */
static int copy_empty(int dir, const char *name, const struct stat *st)
{
	_cleanup_close_ int f = openat(dir, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (f < 0 ||
	    ((st->st_uid != getuid() || st->st_gid != getgid()) && fchown(f, st->st_uid, st->st_gid) < 0) ||
	    fchmod(f, st->st_mode & 07777) < 0 ||
	    futimens(f, (struct timespec[]){ st->st_atim, st->st_mtim }) < 0)
		return -1;
	return 0;
}

/* rootfs_setup binds the run directory's hostname, hosts and resolv.conf
 * on /etc, creating /etc/hostname when the image has none, so the overlay
 * copies /etc up to the upper layer for it: over the FUSE lower that is
 * six round trips to the daemon (the directory's xattr names, two opens
 * for its inode flags, the ioctl, two releases) besides the copy itself;
 * and the lookups of the image's hosts and resolv.conf cost two each
 * (their "whiteout" and "metacopy" xattrs).  So make upper/etc here as
 * the copy-up would (the lower /etc's mode, owner and access time; its
 * modification time is now, as after the create, or the lower's when
 * nothing is created), the empty /etc/hostname the start would create,
 * and an empty upper copy of an empty hosts or resolv.conf that is bound
 * over (the images made for ch-run have both, empty).  The lower's
 * attributes are in the kernel's cache of the shared mount.  Only with a
 * real /etc directory in an image without xattrs, and premake_ok.
 * BURROW_SQFS_ETC=0 leaves it to the copy-up.  Best effort: anything
 * unexpected leaves it to the copy-up too. */
static void premake_etc(const struct container_spec *s, const char *lower, const char *upper)
{
	static const char *const names[] = { "hostname", "hosts", "resolv.conf" };
	_cleanup_free_ char *etc = xasprintf("%s/etc", lower);
	_cleanup_close_ int up = -1, dir = -1;
	struct timespec times[2];
	struct stat st;
	bool made = false;
	int rc = 0;

	if (!etc_enabled() || !premake_ok(s) || lstat(etc, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    !sqfs_no_xattrs(s->sqfs))
		return;
	up = open(upper, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (up < 0 || mkdirat(up, "etc", 0700) < 0)
		return;
	dir = openat(up, "etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < ARRAY_SIZE(names); i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", etc, names[i]);
		struct stat fs;

		if ((i == 1 && s->no_hosts) || (i == 2 && s->no_resolv))
			continue;
		if (lstat(p, &fs) < 0) {
			if (errno != ENOENT) {
				rc = -1;
			} else if (i == 0) {
				/* what rootfs_open_in_root would create */
				_cleanup_close_ int f = openat(dir, names[i],
							       O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW |
								       O_CLOEXEC,
							       0644);
				rc = f < 0 || fchmod(f, 0644) < 0 ? -1 : 0;
				made = rc == 0;
			}
		} else if (S_ISREG(fs.st_mode) && fs.st_size == 0) {
			rc = copy_empty(dir, names[i], &fs);
		}
	}
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	if (made)
		times[1].tv_nsec = UTIME_OMIT;
	if (rc == 0 &&
	    (((st.st_uid != getuid() || st.st_gid != getgid()) && fchown(dir, st.st_uid, st.st_gid) < 0) ||
	     fchmod(dir, st.st_mode & 07777) < 0 || futimens(dir, times) < 0))
		rc = -1;
	if (rc < 0) {
		log_debug("sqfs: /etc left to the overlay's copy-up: %s", strerror(errno));
		for (size_t i = 0; dir >= 0 && i < ARRAY_SIZE(names); i++)
			unlinkat(dir, names[i], 0);
		unlinkat(up, "etc", AT_REMOVEDIR);
		return;
	}
	log_debug("sqfs: /etc made with the writable layer");
}

/* BURROW_SQFS_MNTDIRS is not 0 */
static bool mntdirs_enabled(void)
{
	const char *v = getenv("BURROW_SQFS_MNTDIRS");

	return !(v && strcmp(v, "0") == 0);
}

/* /proc, /sys and /dev are mount points in every container.  The first
 * lookup of a directory that only the FUSE lower has costs a round trip to
 * the daemon (the overlay reads its "origin" xattr, whether it may hold
 * whiteouts); one the upper layer has too is a merged directory and
 * needs none.  Their contents are never seen (the mounts cover them), so
 * make them in the upper layer, with the lower one's mode, owner and
 * times (premake_ok: an empty directory has no xattrs to lose).
 * BURROW_SQFS_MNTDIRS=0 leaves them to the lower. */
static void premake_mntdirs(const struct container_spec *s, const char *lower, const char *upper)
{
	static const char *const names[] = { "proc", "sys", "dev" };
	_cleanup_close_ int up = -1;

	if (!mntdirs_enabled() || !premake_ok(s))
		return;
	up = open(upper, O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = 0; up >= 0 && i < ARRAY_SIZE(names); i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", lower, names[i]);
		_cleanup_close_ int d = -1;
		struct stat st;

		if (lstat(p, &st) < 0 || !S_ISDIR(st.st_mode) || mkdirat(up, names[i], 0700) < 0)
			continue;
		d = openat(up, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (d < 0 ||
		    ((st.st_uid != getuid() || st.st_gid != getgid()) &&
		     fchown(d, st.st_uid, st.st_gid) < 0) ||
		    fchmod(d, st.st_mode & 07777) < 0 ||
		    futimens(d, (struct timespec[]){ st.st_atim, st.st_mtim }) < 0) {
			log_debug("sqfs: /%s left to the lower layer: %s", names[i], strerror(errno));
			unlinkat(up, names[i], AT_REMOVEDIR);
			continue;
		}
		log_debug("sqfs: /%s made with the writable layer", names[i]);
	}
}

int rootfs_sqfs_mount(const struct container_spec *s, pid_t *pid, struct err *e)
{
	_cleanup_free_ char *lower = xasprintf("%s/lower", s->rundir);
	_cleanup_free_ char *rw = xasprintf("%s/rw", s->rundir);
	_cleanup_free_ char *upper = xasprintf("%s/rw/upper", s->rundir);
	_cleanup_free_ char *work = xasprintf("%s/rw/work", s->rundir);
	const char *argv[] = { "squashfuse_ll", "-f", s->sqfs, NULL };
	/* with the single-ID map the kernel can't show the file's owners:
	 * no permission checks here, fuse-overlayfs above squashes them */
	bool single = s->idmap && s->idmap->single;
	const char *opts = single ? "" : "default_permissions";
	_cleanup_free_ char *shared = NULL;
	int r;

	*pid = 0;
	/* gone since create: say so, not that the mount is not connected */
	if (access(s->sqfs, R_OK) < 0)
		return err_make(e, errno, "single-file image %s", s->sqfs);
	r = sqfs_share_lower(s->rundir, s->sqfs, opts, &shared, &share_ref, e);
	if (r < 0) {
		if (e->errnum == ENOENT)
			err_wrap(e,
				 "squashfuse (fix: install the squashfuse package, which has squashfuse_ll)");
		return err_wrap(e, "mounting %s", s->sqfs);
	}
	if ((r ? symlink(shared, lower) : mkdir(lower, 0700)) < 0 && errno != EEXIST) {
		int saved = errno;
		rootfs_sqfs_umount(s, pid);
		return err_make(e, saved, "creating %s", lower);
	}
	if (mkdir(rw, 0700) < 0 && errno != EEXIST) {
		int saved = errno;
		rootfs_sqfs_umount(s, pid);
		return err_make(e, saved, "creating %s", rw);
	}
	if (mount("tmpfs", rw, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0) {
		int saved = errno;
		rootfs_sqfs_umount(s, pid);
		return err_make(e, saved, "mounting the writable layer's tmpfs on %s", rw);
	}
	if (mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0) {
		int saved = errno;
		rootfs_sqfs_umount(s, pid);
		return err_make(e, saved, "creating %s", upper);
	}
	if (!r && rootfs_fuse_start(lower, "fuse.squashfuse_ll", MS_RDONLY, opts, argv, pid, e) < 0) {
		rootfs_sqfs_umount(s, pid);
		if (e->errnum == ENOENT)
			err_wrap(e,
				 "squashfuse (fix: install the squashfuse package, which has squashfuse_ll)");
		return err_wrap(e, "mounting %s", s->sqfs);
	}
	if (for_start) {
		premake_etc(s, r ? shared : lower, upper);
		premake_mntdirs(s, r ? shared : lower, upper);
	}
	return 0;
}

void rootfs_sqfs_umount(const struct container_spec *s, pid_t *pid)
{
	_cleanup_free_ char *lower = xasprintf("%s/lower", s->rundir);
	_cleanup_free_ char *rw = xasprintf("%s/rw", s->rundir);

	/* shared (this process holds it): lower is the symbolic link */
	if (share_ref < 0)
		umount2(lower, MNT_DETACH | UMOUNT_NOFOLLOW);
	umount2(rw, MNT_DETACH);
	rootfs_stop_fuse(&(struct rootfs_fuse){ 0, *pid });
	*pid = 0;
	if (share_ref >= 0)
		unlink(lower);
	else if (rmdir(lower) < 0 && errno == ENOTDIR)
		unlink(lower);
	rmdir(rw);
	if (share_ref >= 0)
		close(share_ref);
	share_ref = -1;
}
