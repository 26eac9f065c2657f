/* unpack.h - safe, single-pass extraction of (hostile) layer tarballs.
 *
 * One libarchive reader with the "raw" format and the compression filters
 * yields the uncompressed tar stream; every byte is hashed (the diff id)
 * and fed to a second reader that parses the tar.  Nothing an entry says
 * can create or write outside the root directory:
 *
 *  - names are cleaned lexically; a leading "/" is dropped (the name is
 *    taken relative to the root) and a ".." that would climb above the root
 *    REJECTS the whole archive (docker's "breakout" rule) instead of being
 *    clamped, so a hostile tar fails loudly;
 *  - the parent directory of every entry is opened with
 *    safe_open_in_root(RESOLVE_IN_ROOT) (lib/base/safeopen.h), so symlinks
 *    in the layer (absolute or relative) resolve inside the root;
 *  - the last component is created with *at() calls, O_NOFOLLOW and
 *    O_EXCL; an existing non-directory is unlinked first, a directory over
 *    a directory is merged;
 *  - symlink targets are stored verbatim and never followed here;
 *  - hard link targets are cleaned like names and opened inside the root.
 *
 * Directory metadata (mode, owner, times) is applied after all entries so
 * a 0555 directory does not block its own content.  Char/block devices
 * cannot be made in a user namespace and are skipped (counted).  Whiteouts
 * are translated for the kernel overlay (see whiteout_apply in unpack.c).
 */
#ifndef BURROW_STORE_UNPACK_H
#define BURROW_STORE_UNPACK_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/base/error.h"

/* What one layer may unpack to unless burrow.conf says otherwise
 * (max-layer-size, max-layer-entries): far above any real image layer (the
 * largest public ones, CUDA and ML stacks, are a few GiB and a few hundred
 * thousand files), yet a gzip bomb stops there instead of at a full disk. */
#define UNPACK_MAX_BYTES_DEFAULT (64ULL << 30)
#define UNPACK_MAX_ENTRIES_DEFAULT 4000000ULL

struct unpack_opts {
	bool no_chown;        /* keep the extracting user as owner (unit tests, no userns) */
	bool plain;           /* not a layer (cp): ".wh." names are files like any other,
			       * and no diff id is computed */
	bool no_digest;       /* no diff id: the caller hashes the same stream itself (a
			       * local uncompressed blob, checked against its digest) */
	uint64_t max_bytes;   /* of the uncompressed tar stream; 0 = UNPACK_MAX_BYTES_DEFAULT */
	uint64_t max_entries; /* tar entries; 0 = UNPACK_MAX_ENTRIES_DEFAULT */
	bool tree_digest;     /* compute the tree digest (treesum.h) on the way, when it
			       * can be sure of it; unpack_tree_digest() walks otherwise */
};

struct unpack_result {
	char diff_id[72];      /* "sha256:<hex>" of the uncompressed tar stream */
	uint64_t size;         /* its length */
	unsigned long entries; /* tar entries seen */
	unsigned long skipped_devices;
	char tree_digest[72]; /* "sha256:<hex>" (opts tree_digest), "" when not sure */
};

/* Read a tar (plain, gzip, bzip2, xz, zstd, lz4) from infd and unpack it
 * into the directory rootfd (an O_PATH fd is fine).  More than max_bytes
 * of uncompressed stream (which bounds the bytes written: headers count,
 * sparse holes do not take space) or more than max_entries entries fail.
 * On failure the root may hold a partial tree: the caller discards it. */
int unpack_fd(int infd, int rootfd, const struct unpack_opts *o, struct unpack_result *r, struct err *e);

/* The tree digest of what unpack_fd() (with tree_digest set) made in
 * rootfd: r's when the unpacker was sure of it, else a walk of the tree. */
int unpack_tree_digest(int rootfd, const struct unpack_result *r, char out[72], struct err *e);

/* Lexically clean an entry name: drop "", "." and a leading "/", resolve
 * "..".  "" means the root itself.  -1 if the name climbs above the root. */
int unpack_clean_path(const char *in, char **out, struct err *e);

#endif
