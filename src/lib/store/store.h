/* store.h - the per-user content-addressed image store (docs/ARCHITECTURE.md, "Where things live on disk").
 *
 * Layout under the root:
 *   store.lock                 flock(LOCK_EX) around every change
 *   blobs/sha256/<hex>         image configs (and later manifests)
 *   layers/<chainhex>/diff/    unpacked layer, owned by mapped IDs
 *   layers/<chainhex>/meta.json  {"diff_id","chain_id","size","created"}
 *   images/<idhex>.json        {"id","created","size","layers":[{diff_id,chain_id,size}]}
 *   names.json                 {"localhost/x:1": "<idhex>", ...}  (the one source of names)
 *   containers/<id>/...        container records (container.c); "image_id" in config.json
 *
 * Every write is a temp file plus rename; an import that fails or is
 * interrupted leaves no image and no layer (temp layers live in
 * layers/.tmp-<rand>, each guarded by a flock on layers/.tmp-<rand>.lock;
 * the next import or rmi removes those whose lock is free).
 *
 * Where a function takes an idmap, m == NULL means "work in this process
 * without a user namespace and without chown" (unit tests).
 */
#ifndef BURROW_STORE_H
#define BURROW_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"
#include "lib/runtime/userns.h"

struct store;

struct image_layer {
	char diff_id[72];  /* "sha256:<hex>" of the uncompressed tar */
	char chain_id[72]; /* "sha256:<hex>" OCI chain id */
	uint64_t size;     /* bytes of the uncompressed tar */
};

/* The parts of the OCI image config ("config" object) that run uses. */
struct image_config {
	char **entrypoint; /* NULL if unset */
	char **cmd;        /* NULL if unset */
	char **env;        /* "K=V" strings, NULL if none */
	char *workdir;     /* NULL if unset */
	char *user;        /* NULL if unset */
	char *stop_signal; /* NULL if unset */
	char **exposed;    /* "80/tcp" strings */
	char **volumes;    /* VOLUME paths */
};

struct image {
	char id[65];   /* hex sha256 of the config blob */
	char **names;  /* normalized references, e.g. localhost/local/busybox:1 */
	char *created; /* RFC 3339 */
	uint64_t size; /* sum of layer sizes */
	size_t nlayers;
	struct image_layer *layers; /* bottom layer first */
	struct image_config cfg;
	char *digest;        /* manifest digest it was pulled by, or NULL */
	char **repo_digests; /* "repo@sha256:..." */
	bool intermediate;   /* made by a build step (images hides it unless -a) */
	char *config_json;   /* the config blob as read (store_image_get), or NULL */
};

/* Open (creating if needed) the store at root. */
int store_open(const char *root, struct store **out, struct err *e);
void store_close(struct store *s);
/* Bound what one layer (pulled, loaded or imported) may unpack to: bytes of
 * uncompressed tar and entries (burrow.conf max-layer-size and
 * max-layer-entries); 0 keeps the default (unpack.h). */
void store_set_limits(struct store *s, uint64_t max_bytes, uint64_t max_entries);
const char *store_root(const struct store *s);

/* Import a rootfs tarball (plain, gzip or zstd; path "-" is stdin) as a
 * one-layer image.  ref may be NULL (untagged).  The layer is extracted in
 * a user namespace with map m.  On success id receives the image id. */
struct import_opts {
	const char *message; /* history comment, may be NULL */
	char **changes;      /* "CMD ...", "ENV K=V", ... (podman --change), may be NULL */
};
int store_import(struct store *s, const struct idmap *m, const char *path, const char *ref,
		 const struct import_opts *o, char id[65], struct err *e);

/* Find an image by name (normalized as podman does), full id, or unique id
 * prefix (at least 3 hex chars).  Not found: -1 with e->errnum == ENOENT. */
int store_image_get(struct store *s, const char *ref, struct image **out, struct err *e);
int store_image_list(struct store *s, struct image ***out, size_t *n, struct err *e);
/* Remove a name or an image.  If ref is a name and the image has other
 * names, only the name goes.  Layers no longer used by any image are
 * deleted (in the user namespace).  An image used by a container needs
 * force.  *untagged and *deleted (optional) list what happened. */
int store_image_remove(struct store *s, const struct idmap *m, const char *ref, bool force, char ***untagged,
		       char ***deleted, struct err *e);
/* The same with flags: STORE_RMI_FORCE as force above; STORE_RMI_ALL_TAGS
 * removes an image named by id with several names without force (rmi -a).
 * Exit statuses in e->status: 1 no such image, 2 in use, else 125. */
enum { STORE_RMI_FORCE = 1, STORE_RMI_ALL_TAGS = 2 };
int store_image_remove_flags(struct store *s, const struct idmap *m, const char *ref, unsigned flags,
			     char ***untagged, char ***deleted, struct err *e);
/* Add name newname (normalized like import names) to image ref. */
int store_image_tag(struct store *s, const char *ref, const char *newname, struct err *e);
/* Remove names from image ref: the given ones (normalized), or all of them
 * when names is NULL.  The image stays (untagged). */
int store_image_untag(struct store *s, const char *ref, char **names, char ***removed, struct err *e);
/* Remove dangling images (no names), or with all every image no container
 * uses.  *deleted lists the ids. */
int store_image_prune(struct store *s, const struct idmap *m, bool all, char ***deleted, struct err *e);
/* The same, of those images for which want(ctx, img) is true (the API's
 * label and until filters). */
int store_image_prune_if(struct store *s, const struct idmap *m, bool all,
			 bool (*want)(void *ctx, const struct image *img), void *ctx, char ***deleted,
			 struct err *e);
/* The config blob (JSON text) of image id. */
int store_image_config(struct store *s, const char *id, char **json, struct err *e);
/* Absolute path of layers/<chainhex>/diff. */
char *store_layer_path(const struct store *s, const char *chain_id);
void image_free(struct image *img);

#endif
