/* treesum.h - a digest of an unpacked layer's tree.
 *
 * A layer is kept unpacked, so its diff id (the digest of the tar it came
 * from) cannot be checked again.  At commit the extractor records this
 * digest in the layer's meta.json as "tree_digest"; `burrow system check`
 * computes it again and so finds a layer whose files changed.  It covers,
 * in name order, each entry's relative path, type, permission bits, owner,
 * group, size, and the content of files, the target of symlinks and the
 * numbers of device nodes (not times or xattrs).  Run it where the layer's
 * files are readable: in the store's user namespace.
 */
#ifndef BURROW_STORE_TREESUM_H
#define BURROW_STORE_TREESUM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "lib/base/error.h"

/* "sha256:<hex>" of the tree below the directory dirfd (O_PATH is fine). */
int tree_digest_at(int dirfd, char out[72], struct err *e);

/* The same digest, computed while a layer is unpacked into an empty
 * directory (unpack.c), so that no file is read back: the unpacker tells
 * it each path it creates, the bytes it writes to regular files and the
 * fstat() of each entry once its metadata is final.  Whenever the tree on
 * disk could differ from what it was told (a path written twice, an entry
 * under a directory it did not see made, a failed chown, a sparse file
 * written out of order, ...) it gives up, and the caller walks the tree
 * with tree_digest_at() instead.  BURROW_TREESUM_STREAM=0 always walks. */
struct tree_stream;

/* NULL when switched off or when rootfd is not an empty directory. */
struct tree_stream *tree_stream_new(int rootfd);
void tree_stream_free(struct tree_stream *t);
/* give up (why is logged at debug level) */
void tree_stream_unsure(struct tree_stream *t, const char *why, const char *path);
/* dir (cleaned, relative, not "") must have been created before */
void tree_stream_parent(struct tree_stream *t, const char *dir);
/* path (cleaned, relative) is about to be created: its parent must be the
 * root or a directory created before, and path itself new */
void tree_stream_begin(struct tree_stream *t, const char *path);
/* the final metadata of path (begun before); extra: NULL, or the symlink
 * target for a symlink */
void tree_stream_stat(struct tree_stream *t, const char *path, const struct stat *st, const char *target);
/* path is a hard link to target: same inode, same record */
void tree_stream_link(struct tree_stream *t, const char *path, const char *target);
/* the content of the regular file being written, block by block (off is
 * where the block goes), then its end: tree_stream_file_end() pads the
 * hash with the zeros of holes up to st->st_size and records path */
void tree_stream_file_data(struct tree_stream *t, const void *buf, size_t len, uint64_t off);
void tree_stream_file_end(struct tree_stream *t, const char *path, const struct stat *st);
/* 0 and "sha256:<hex>" when sure, -1 when the caller must walk the tree */
int tree_stream_final(struct tree_stream *t, char out[72]);

#endif
