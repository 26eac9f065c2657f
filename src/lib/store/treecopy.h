/* treecopy.h - cp of a host tree into a running container without a tar.
 *
 * The tar path of ctrcopy.c moves every byte five times (read, into the
 * tar, through the pipe, out of the tar, write).  For the common case, a
 * host file or directory holding only directories, regular files with one
 * link and symlinks, tree_copy_run() copies file by file instead: the host
 * side is a directory opened by the caller before it entered the
 * container, the data moves in the kernel (copy_file_range, else
 * sendfile), and what is made in the container is the same as the tar
 * path makes (owner, mode, times; directories' last).
 *
 * Safety in the container: every name is one component created or opened
 * relative to a directory fd already held, with O_NOFOLLOW / O_EXCL /
 * AT_SYMLINK_NOFOLLOW, so a symlink the container planted is replaced,
 * never followed; the destination directory was opened under the
 * container's root.  The process holding the host directory is not
 * dumpable (ctrfs.c), so no process of the container can take that fd.
 */
#ifndef BURROW_STORE_TREECOPY_H
#define BURROW_STORE_TREECOPY_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/base/error.h"

struct tree_copy {
	int srcdir;      /* host: the directory holding src */
	const char *src; /* its name there, "." for the content of srcdir */
	int destdir;     /* container: the directory to copy into */
	const char *top; /* the name made there, "" for a content copy */
	uid_t uid;       /* the owner of everything made */
	gid_t gid;
};

/* On the host: whether srcdir/src holds only what tree_copy_run() copies
 * (directories, regular files of one link, symlinks, sockets, which are
 * left out as the tar path does).  false on any error: the tar path then
 * reports it. */
bool tree_copy_fits(int srcdir, const char *src);
/* In the container. */
int tree_copy_run(const struct tree_copy *t, struct err *e);

#endif
