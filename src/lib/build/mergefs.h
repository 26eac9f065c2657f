/* mergefs.h - a read-only view over a stack of directories, for COPY/ADD.
 *
 * One view serves both kinds of source:
 *  - the build context: one directory, "strict" (a path or a symlink that
 *    leads above the root is an error, never clamped), filtered by the
 *    .dockerignore by the callers;
 *  - store layers (COPY --from, and the target stage's layers when the
 *    destination is resolved): several directories, top first, in the
 *    kernel overlay format the store writes (unpack.c whiteout_apply): a
 *    0/0 character device is a whiteout, user.overlay.opaque="y" (or
 *    trusted.overlay.opaque) marks an opaque directory.  Symlinks resolve
 *    inside the root (an absolute target starts again at the top), as they
 *    would inside the container.
 *
 * Nothing here mounts anything: the layers are walked by hand, which works
 * the same with the kernel overlay, fuse-overlayfs or no overlay at all.
 * Entries are found with fstatat() relative to the layer roots on paths
 * whose parents are real directories (never symlinks) in that layer, and
 * file content is opened with safe_open_in_root(RESOLVE_BENEATH|NO_SYMLINKS),
 * so nothing outside the roots is read even if the tree changes meanwhile.
 */
#ifndef BURROW_BUILD_MERGEFS_H
#define BURROW_BUILD_MERGEFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "lib/base/error.h"

struct dockerignore;

struct mfs {
	int *fds; /* layer roots (O_PATH directories), top first */
	size_t n;
	bool strict;    /* the context: escaping the root is an error */
	bool whiteouts; /* layers: honour whiteouts and opaque directories */
};

struct mentry {
	char *path; /* clean, relative to the root, "" = the root; its
			    * parents are directories of the view, not symlinks */
	struct stat st;
	size_t layer; /* the layer that provides it */
	size_t *dl;   /* directories: the layers holding it as a directory */
	size_t ndl;
};

/* Open the directories as a view (fds owned by the view). */
int mfs_open_dirs(struct mfs *fs, char *const *dirs, bool strict, bool whiteouts, struct err *e);
void mfs_close(struct mfs *fs);

void mentry_clear(struct mentry *m);
void mentry_copy(struct mentry *dst, const struct mentry *src);

/* The root directory (with no layer at all: an empty root, 0755, 0:0). */
int mfs_root(const struct mfs *fs, struct mentry *out, struct err *e);
/* The entry name in the directory dir: 0 found, 1 absent (or whited out). */
int mfs_child(const struct mfs *fs, const struct mentry *dir, const char *name, struct mentry *out,
	      struct err *e);
/* Resolve path (relative to the root; a leading "/" is ignored, "." and
 * ".." are handled).  Symlinks in the middle are followed, the last one
 * only with follow_last.  Returns 0 with *out, or 1 if a component is
 * missing: then *out is the deepest existing directory and, if rest is
 * not NULL, *rest the missing remainder (clean, relative).  A non-directory
 * in the middle fails with ENOTDIR, a loop with ELOOP, and in a strict view
 * an escape with EXDEV. */
int mfs_resolve(const struct mfs *fs, const char *path, bool follow_last, struct mentry *out, char **rest,
		struct err *e);
/* The names in the directory dir (union of its layers, sorted, unique;
 * whiteouts still included: mfs_child() says 1 for them). */
int mfs_list(const struct mfs *fs, const struct mentry *dir, char ***names, struct err *e);
/* Open an entry's content (regular file) without following anything. */
int mfs_open(const struct mfs *fs, const struct mentry *ent, int flags, struct err *e);
/* A symlink's target (caller frees). */
int mfs_readlink(const struct mfs *fs, const struct mentry *ent, char **target, struct err *e);

/* "a" + "b" -> "a/b", "" + "b" -> "b" */
char *path_join_rel(const char *a, const char *b);

#endif
