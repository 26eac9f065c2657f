/* rootfs.h - the container's filesystem, built inside its mount namespace.
 *
 * rootfs_mount_overlay() runs in the supervisor (user+mount ns) and
 * mounts the layers at rundir/merged, with kernel overlayfs (userxattr) or
 * fuse-overlayfs.  rootfs_setup() runs in the container's own mount
 * namespace and puts /proc, /sys, /dev, masks, volumes and the generated
 * /etc files in place; rootfs_pivot() makes it the root.  Every mount
 * target is resolved inside the rootfs with openat2(RESOLVE_IN_ROOT).
 */
#ifndef BURROW_ROOTFS_H
#define BURROW_ROOTFS_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/record/container.h"
#include "lib/base/error.h"

/* The FUSE daemons behind a container's filesystem, children of the
 * process that mounted it (0 = none): fuse-overlayfs when the kernel
 * overlay can't be used, squashfuse for a single-file image. */
struct rootfs_fuse {
	pid_t overlay;
	pid_t sqfs;
};

int rootfs_mount_overlay(const struct container_spec *s, struct rootfs_fuse *f, struct err *e);
int rootfs_umount_overlay(const struct container_spec *s, struct rootfs_fuse *f);
/* Stop the daemons (if any) and reap them. */
void rootfs_stop_fuse(struct rootfs_fuse *f);
/* pid was reaped by the caller: true if it was one of the daemons. */
bool rootfs_fuse_reaped(struct rootfs_fuse *f, pid_t pid);

/* Mount a FUSE filesystem of type fstype on target (with the mount flags
 * and the extra options opts) and start its daemon, argv + "/dev/fd/N", as a child that
 * dies with the caller. */
int rootfs_fuse_start(const char *target, const char *fstype, unsigned long flags, const char *opts,
		      const char *const *argv, pid_t *pid, struct err *e);

/* rootfs_sqfs.c: a single-file image (s->sqfs) mounted read-only with
 * squashfuse on <rundir>/lower, and a tmpfs on <rundir>/rw for the
 * overlay's upper and work directories (node-local memory: nothing of the
 * container's goes to the store).  Undone by rootfs_sqfs_umount. */
int rootfs_sqfs_mount(const struct container_spec *s, pid_t *pid, struct err *e);
void rootfs_sqfs_umount(const struct container_spec *s, pid_t *pid);
/* The mount is for the container's start (the supervisor's): its upper
 * layer may get what rootfs_setup would make there (BURROW_SQFS_ETC,
 * BURROW_SQFS_MNTDIRS); not for a look at a stopped container (ctrfs). */
void rootfs_sqfs_for_start(void);
/* The directory holding upper/ and work/. */
char *rootfs_upper_base(const struct container_spec *s);

/* Returns an O_PATH fd on the merged root.  If s->tty, *ptmx receives a
 * master opened in the container's devpts and *pts the peer.  etcfd:
 * keep-id's passwd and group come there (idshift_etc_recv), else -1: the
 * run directory's are bound. */
int rootfs_setup(const struct container_spec *s, int etcfd, int *rootfd, int *ptmx, int *pts, struct err *e);
int rootfs_pivot(int rootfd, struct err *e);
/* rootfs_pivot in two steps: pivot_root into rootfd (the old root then
 * lies over the new one, at "."), and the detach of the old root, whose
 * unmount waits for an RCU grace period.  Nothing may change the working
 * directory between the two, nor exec. */
int rootfs_pivot_root(int rootfd, struct err *e);
int rootfs_detach_old(struct err *e);
/* --ipc container:ID: attach mnt (a detached copy of ID's /dev/shm,
 * ns_shm_clone) on target under the root. */
int rootfs_attach_at(int rootfd, const char *target, int mnt, struct err *e);
/* After pivot: remount / read-only if asked (the last step). */
int rootfs_finish(const struct container_spec *s, struct err *e);

/* --rm: remove the container's anonymous volumes (the supervisor, as root
 * in the user namespace, after the container's record). */
void rootfs_remove_anon_volumes(const struct container_spec *s);

/* Open PATH (absolute, container view) under rootfd without leaving it,
 * creating missing directories (and the last component as a directory or
 * an empty file) when create is set.  Returns an O_PATH fd. */
int rootfs_open_in_root(int rootfd, const char *path, int create_as /* 0, S_IFDIR, S_IFREG */, struct err *e);

#endif
