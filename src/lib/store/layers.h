/* layers.h - fetching layers into the store and committing images
 * (shared by pull and load; internal to the store).
 *
 * layers_fetch() streams every needed blob (from a registry over curl
 * multi, at most FETCH_PARALLEL at a time, or from a local file) into
 * a pipe: the parent hashes and counts the compressed bytes (and
 * decompresses the largest layer itself, streamdec.h, so that decompression
 * and unpacking run at once; BURROW_PULL_DECOMPRESS=extractor turns that
 * off), and one extractor per layer, forked inside a single user namespace
 * child, runs unpack_fd() into a scratch directory.  The digest and size are checked
 * before the pipe is closed; a mismatch kills the extractors.  Each
 * extractor's diff id must match the config.  Layers already in the store
 * (by chain id) are skipped.  Nothing is in layers/ until image_commit().
 */
#ifndef BURROW_STORE_LAYERS_H
#define BURROW_STORE_LAYERS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/base/error.h"
#include "lib/runtime/userns.h"
#include "pull.h"
#include "registry.h"
#include "store.h"
#include "store_int.h"

#define FETCH_PARALLEL 6

struct layer_job {
	/* input */
	char blob_digest[72]; /* compressed blob, verified; "" = not checked */
	uint64_t blob_size;   /* 0 = unknown */
	char *url;            /* registry blob URL, or NULL */
	int fd;               /* local blob, or -1 */
	char diff_id[72];     /* from the config */
	char chain_id[72];
	char *media_type;
	/* state and output */
	bool present; /* already in the store */
	struct scratch t;
	uint64_t done;
	uint64_t size;        /* uncompressed */
	char tree_digest[72]; /* of the unpacked tree (treesum.h) */
	unsigned long skipped_devices;
};

/* Fetch and unpack the jobs not present.  r may be NULL for local jobs. */
int layers_fetch(struct store *s, const struct idmap *m, struct registry *r, struct layer_job *jobs, size_t n,
		 store_progress_fn cb, void *cbctx, volatile sig_atomic_t *cancel, struct err *e);
/* Mark jobs whose layer is already in the store. */
void layers_mark_present(struct store *s, struct layer_job *jobs, size_t n);
/* Drop scratch dirs and close fds. */
void layers_discard(struct store *s, const struct idmap *m, struct layer_job *jobs, size_t n);

struct commit_info {
	const char *config; /* the config blob */
	size_t config_len;
	const char *manifest; /* manifest blob (kept in blobs/), may be NULL */
	size_t manifest_len;
	const char *digest; /* manifest digest ("sha256:..."), may be NULL */
	const char *repo;   /* "docker.io/library/x" for RepoDigests, may be NULL */
	char **names;       /* names to point at the image, may be NULL */
};
/* Under the store lock: move the layers in, write the config, the image
 * record and the names.  id receives the image id (sha256 of the config). */
int image_commit(struct store *s, const struct idmap *m, struct layer_job *jobs, size_t n,
		 const struct commit_info *ci, char id[65], struct err *e);

/* the id the config blob gets */
void image_id_of(const char *config, size_t len, char id[65]);

#endif
