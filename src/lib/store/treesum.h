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

#include "lib/base/error.h"

/* "sha256:<hex>" of the tree below the directory dirfd (O_PATH is fine). */
int tree_digest_at(int dirfd, char out[72], struct err *e);

#endif
