/* netfs.h - is a path on a network filesystem?
 *
 * HPC sites put home directories (and so the default store) on NFS, Lustre
 * or GPFS.  Those are slow for many small files, and overlay upper
 * directories, xattrs and files owned by subordinate IDs often fail there;
 * the store may stay there (read-mostly image layers work), but runtime
 * state and container writable layers go to node-local storage.
 */
#ifndef BURROW_NETFS_H
#define BURROW_NETFS_H

#include <stdbool.h>

/* The network filesystem that holds path (or its nearest existing
 * ancestor): "nfs", "lustre", "gpfs", "cifs", "smb2", "smb", "ceph",
 * "beegfs", "afs" (fs_magic_name in util.h), or NULL when it is local or
 * can't be told.  Test builds (BURROW_TEST_HOOKS) also report "nfs" for
 * paths under a prefix listed in BURROW_TEST_NETFS (':'-separated), as no
 * test can mount NFS here. */
const char *netfs_of(const char *path);

/* A node-local directory for what must not go to a network filesystem,
 * private to the user: $BURROW_LOCAL_DIR if set, else the first of
 * /var/tmp/burrow-UID, ${TMPDIR:-/tmp}/burrow-UID-local and
 * /dev/shm/burrow-UID whose filesystem is local.  malloc'd; not created. */
char *netfs_local_dir(void);

#endif
