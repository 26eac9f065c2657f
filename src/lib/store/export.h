/* export.h - layers back into tar streams (save, push).
 *
 * The unpacked diff is walked inside the user namespace (the files belong
 * to mapped IDs) and written as a pax tar with libarchive: 0/0 character
 * devices become ".wh.NAME" files and a user.overlay.opaque directory gets
 * a ".wh..wh..opq" entry, so any runtime can read the layer.  The tar is not
 * byte-identical to the one pulled, so the diff ids (and with them the
 * config and the image id) of an exported image are recomputed.
 */
#ifndef BURROW_STORE_EXPORT_H
#define BURROW_STORE_EXPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "lib/base/error.h"
#include "lib/runtime/userns.h"
#include "store.h"

struct exported {
	char *config; /* the config with rootfs.diff_ids of the new tars */
	size_t config_len;
	char config_digest[72];
	size_t nlayers;
	int *fds;            /* anonymous temp files holding the uncompressed tars */
	char (*digests)[72]; /* "sha256:..." of each tar */
	uint64_t *sizes;
	char **names; /* the image's names */
	char **repo_digests;
};

int image_export(struct store *s, const struct idmap *m, const char *ref, struct exported *x, struct err *e);
void exported_free(struct exported *x);

/* Write the tar of layer directory rootfd to outfd (unit-tested). */
int layer_tar_write(int rootfd, int outfd, struct err *e);
/* The same, leaving out the entries skip() names (path relative to the
 * layer, no leading "/"; a skipped directory is left out whole). */
typedef bool layer_skip_fn(const char *path, const struct stat *st, void *arg);
int layer_tar_write_skip(int rootfd, int outfd, layer_skip_fn *skip, void *arg, struct err *e);
/* The same, also giving the tar's digest ("sha256:HEX", taken as it is
 * written: no second read) and size when digest is not NULL. */
int layer_tar_write_digest(int rootfd, int outfd, layer_skip_fn *skip, void *arg, char digest[72],
			   uint64_t *size, struct err *e);

#endif
