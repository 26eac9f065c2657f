/* buildstore.h - what `burrow build` needs from the store.
 *
 * A build step's layer is a tar (a RUN's upper directory, or COPY/ADD
 * output).  store_layer_from_tar() unpacks it through the same safe path
 * pull and load use (layers_fetch with a local blob) into a scratch
 * directory under layers/; nothing is in layers/<chain> until
 * store_image_commit_built() commits an image that uses it, so a build that
 * fails leaves no orphan layer (scratch dirs of a dead build are swept).
 *
 * The step cache is <root>/build-cache/<keyhex>, holding the id of the
 * (intermediate) image the step produced, written atomically.  An entry
 * whose image is gone (pruned) is a miss.
 */
#ifndef BURROW_STORE_BUILDSTORE_H
#define BURROW_STORE_BUILDSTORE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/base/error.h"
#include "lib/runtime/userns.h"
#include "store.h"

struct new_layer; /* a layer unpacked into a scratch dir, not yet in the store */

/* tarfd: an uncompressed tar in a regular file (read from offset 0).
 * parent_chain: the chain id of the layer below, NULL for the bottom one.
 * *out gets the diff id, chain id and size; *nl the pending layer (NULL
 * when the store already has that chain id). */
int store_layer_from_tar(struct store *s, const struct idmap *m, int tarfd, const char *parent_chain,
			 struct image_layer *out, struct new_layer **nl, struct err *e);
/* The same with the tar's digest and size already known (taken as it was
 * written); unpacking it checks the digest all the same, as for a pulled
 * blob, so a wrong one fails the unpack.  Only a layer already in the
 * store under that chain id is taken on the word of the digest. */
int store_layer_from_tar_digest(struct store *s, const struct idmap *m, int tarfd, const char *diff_id,
				uint64_t size, const char *parent_chain, struct image_layer *out,
				struct new_layer **nl, struct err *e);
/* layers/<scratch>/diff of a pending layer (malloc'd), and its chain id */
char *new_layer_path(const struct store *s, const struct new_layer *nl);
const char *new_layer_chain(const struct new_layer *nl);
/* Drop a pending layer (after its commit: frees only). */
void new_layer_free(struct store *s, const struct idmap *m, struct new_layer *nl);

struct built_image {
	const char *config; /* the config blob */
	size_t config_len;
	const struct image_layer *layers; /* bottom first */
	size_t nlayers;
	struct new_layer **pending; /* the layers among them not yet in the store */
	size_t npending;
	char **names; /* normalized names, may be NULL */
	bool intermediate;
};
int store_image_commit_built(struct store *s, const struct idmap *m, const struct built_image *b, char id[65],
			     struct err *e);

/* The final image of a build may be its last step's image: it is a
 * result then, not a hidden intermediate. */
void store_image_unmark_intermediate(struct store *s, const char *id);

/* The image a build step started from, kept in the record ("parent", set
 * once) so that history can name each step's image, as podman does.
 * store_image_parent: 0 and the id if recorded and still there. */
void store_image_set_parent(struct store *s, const char *id, const char *parent);
int store_image_parent(struct store *s, const char *id, char parent[65]);
/* The id of the image each of the n history entries of image id ended in,
 * where known (history, the CLI's and the API's): the image itself for the
 * last entry, and for a built image the step images it descends from
 * (their parent links), each at the entry its own history ends with.  A
 * NULL-padded array of n + 1; ids[i] NULL = unknown. */
char **store_history_ids(struct store *s, const char *id, size_t n);

/* The step cache.  get: 0 and the id on a hit (the image exists), -1 on a
 * miss. */
int store_build_cache_get(struct store *s, const char *keyhex, char id[65]);
int store_build_cache_put(struct store *s, const char *keyhex, const char *id, struct err *e);

/* A private working directory under layers/ (swept if we die): *path is
 * absolute.  The discard removes it inside the user namespace. */
struct store_tmp;
int store_tmp_create(struct store *s, char **path, struct store_tmp **t, struct err *e);
void store_tmp_discard(struct store *s, const struct idmap *m, struct store_tmp *t);

/* Remove stale scratch dirs of dead processes (best effort). */
void store_build_sweep(struct store *s, const struct idmap *m);

#endif
