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
#include <errno.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/base/util.h"
#include "rootfs.h"
#include "sqfs_share.h"
#include "userns.h"

/* the supervisor's hold on the shared mount (one container per process) */
static int share_ref = -1;

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
	return 0;
}

void rootfs_sqfs_umount(const struct container_spec *s, pid_t *pid)
{
	_cleanup_free_ char *lower = xasprintf("%s/lower", s->rundir);
	_cleanup_free_ char *rw = xasprintf("%s/rw", s->rundir);

	umount2(lower, MNT_DETACH | UMOUNT_NOFOLLOW);
	umount2(rw, MNT_DETACH);
	rootfs_stop_fuse(&(struct rootfs_fuse){ 0, *pid });
	*pid = 0;
	if (rmdir(lower) < 0 && errno == ENOTDIR)
		unlink(lower);
	rmdir(rw);
	if (share_ref >= 0)
		close(share_ref);
	share_ref = -1;
}
