/* ctrcopy.h - copying files between the host and a container (cp), and a
 * container's whole filesystem out as a tar (export).
 *
 * The container's side runs through ctrfs_run() (lib/runtime/ctrfs.h): its
 * root directory is the container's root, so a symlink the container
 * planted resolves inside the container and never reaches the host.  The
 * data crosses as a tar stream through a pipe.  What comes out of a
 * container is unpacked on the host by the hardened layer unpacker
 * (unpack.h): no name, link or symlink in that stream can write outside
 * the destination.
 *
 * Destinations follow docker and podman:
 *  - SRC a file: DEST an existing directory gets DEST/basename(SRC); else
 *    DEST is the file (its parent must exist; a DEST ending in "/" must be
 *    an existing directory);
 *  - SRC a directory: DEST an existing directory gets DEST/basename(SRC)
 *    (SRC ending in "/." copies the content instead); a missing DEST is
 *    created with SRC's content; an existing file is an error;
 *  - "-" as SRC (into a container) is a tar on stdin, unpacked into the
 *    directory DEST; "-" as DEST (out of one) writes a tar to stdout.
 */
#ifndef BURROW_STORE_CTRCOPY_H
#define BURROW_STORE_CTRCOPY_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/base/error.h"
#include "lib/record/container.h"

struct ctr_copy {
	const struct container_spec *s; /* idmap set for a stopped container */
	pid_t init;                     /* the running container's init, or 0 */
	bool archive;                   /* podman's --archive (its default): new files
					  * belong to the container's user; false keeps
					  * the source's uid and gid */
};

/* host SRC (or "-": a tar read from infd) to DEST in the container */
int ctr_copy_in(const struct ctr_copy *c, const char *src, int infd, const char *dest, struct err *e);
/* SRC in the container to host DEST (or "-": a tar written to outfd) */
int ctr_copy_out(const struct ctr_copy *c, const char *src, const char *dest, int outfd, struct err *e);
/* The container's whole filesystem as a tar on outfd (export). */
int ctr_export(const struct ctr_copy *c, int outfd, struct err *e);

#endif
