/* sqimage.h - an image flattened into one SquashFS file (save --format
 * squashfs).
 *
 * The image's layers are merged as the container would see them (whiteouts
 * and opaque directories applied, through mergefs.c) inside the user
 * namespace, so ownership is the numeric IDs of the image, and written with
 * libsquashfs (squashfs-tools-ng) in this process: regular files (hard
 * links kept), directories, symlinks, device nodes, fifos and sockets, with
 * their modes, owners, mtimes and extended attributes (the overlay's own
 * user.overlay.* and trusted.overlay.* left out).  The image config follows
 * the filesystem as a trailer (src/lib/store/sqfile.h).  The output is
 * written to a temporary file beside path and renamed over it at the end.
 */
#ifndef BURROW_BUILD_SQIMAGE_H
#define BURROW_BUILD_SQIMAGE_H

#include "lib/base/error.h"
#include "lib/runtime/userns.h"
#include "lib/store/store.h"

int sqimage_save(struct store *s, const struct idmap *m, const char *ref, const char *path, struct err *e);

#endif
