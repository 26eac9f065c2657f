/* sqfs_share.h - one squashfuse mount of a single-file image shared by the
 * containers that run it.
 *
 * Mounting the file for each container means starting squashfuse_ll and
 * then paying a round trip to a fresh daemon, with cold caches, for each
 * file the container's first command touches: most of the start of a
 * container of a file.  So the mount is kept, one per user (runroot),
 * file (device, inode, size and mtime: a rewritten file gets a new one),
 * user namespace and Slurm job step (whose end kills all its processes),
 * and shared by the containers of that file:
 *
 * - Only in the kept user namespace (nskeep.h), which the containers of a
 *   user share; without it (BURROW_USERNS_KEEP=0, the single-ID map) each
 *   container mounts the file itself, as before.
 * - The mount belongs to a small process of its own, the sharer, forked
 *   (detached) by the first container's supervisor: it lives in a mount
 *   namespace of its own, where the mount is its only one, with
 *   squashfuse_ll as its child (parent-death signal), and keeps a detached
 *   copy of it (open_tree) open.  Nothing is mounted anywhere else:
 *   containers use /proc/SHARER/fd/N, that copy, as the overlay's lower
 *   directory (the kernel overlay clones a detached mount, never one of
 *   another mount namespace).
 * - <runroot>/sqfs/ holds KEY.lock (flock, exclusive, while a sharer is
 *   looked up, started or ended), KEY.pid and KEY.fuse (the sharer's and
 *   the daemon's "PID START" records) and KEY.ref, which each container's
 *   supervisor holds with a shared flock for as long as it runs.
 * - The sharer waits for the exclusive lock on KEY.ref: the kernel drops
 *   a process's flock when it exits or is killed, so it gets it once the
 *   last container is gone, however it ended.  It then waits the grace
 *   period (BURROW_SQFS_SHARE seconds, default 2), takes KEY.lock, and if
 *   no container came meanwhile removes the files and exits: its mount
 *   namespace, the mount and the daemon go with it.
 * - A sharer whose daemon died is replaced; a killed sharer takes its
 *   daemon along, and the next container starts a new one.
 *
 * BURROW_SQFS_SHARE=0 turns it off: each container mounts the file itself. */
#ifndef BURROW_SQFS_SHARE_H
#define BURROW_SQFS_SHARE_H
#include <stdbool.h>

#include "lib/base/error.h"

/* BURROW_SQFS_SHARE is not 0 */
bool sqfs_share_enabled(void);
/* The shared mount of file for the container in rundir (the FUSE options
 * opts), started when there is none: 1 with *lower, its path, and *ref,
 * an O_CLOEXEC fd holding it (close it when the container's overlay is
 * gone); 0 when not shared here (the caller mounts the file itself); -1
 * with e. */
int sqfs_share_lower(const char *rundir, const char *file, const char *opts, char **lower, int *ref,
		     struct err *e);

#endif
