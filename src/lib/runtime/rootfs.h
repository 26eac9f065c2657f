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

#include <sys/types.h>

#include "lib/record/container.h"
#include "lib/base/error.h"

/* Probe once whether kernel overlayfs works in this user namespace. */
int rootfs_mount_overlay(const struct container_spec *s, pid_t *fuse_pid, struct err *e);
int rootfs_umount_overlay(const struct container_spec *s, pid_t fuse_pid);
/* Stop the fuse-overlayfs daemon (if any) and reap it. */
void rootfs_stop_fuse(pid_t fuse_pid);

/* Returns an O_PATH fd on the merged root.  If s->tty, *ptmx receives a
 * master opened in the container's devpts and *pts the peer. */
int rootfs_setup(const struct container_spec *s, int *rootfd, int *ptmx, int *pts, struct err *e);
int rootfs_pivot(int rootfd, struct err *e);
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
