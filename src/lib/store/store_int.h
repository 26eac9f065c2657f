/* store_int.h - internals shared by the store's source files (not API). */
#ifndef BURROW_STORE_INT_H
#define BURROW_STORE_INT_H

#include <json-c/json.h>
#include <stdbool.h>

#include "lib/base/error.h"
#include "lib/runtime/userns.h"
#include "store.h"

struct store {
	char *root;
	int rootfd;   /* O_PATH|O_DIRECTORY */
	int layersfd; /* layers/, O_PATH|O_DIRECTORY */
	int lockfd;   /* store.lock */
	/* what one layer may unpack to (store_set_limits); 0 = the default */
	uint64_t max_layer_size, max_layer_entries;
	bool spread_checked; /* layers/ has been given the ext4 top-directory flag */
};

static inline void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define _cleanup_json_ __attribute__((cleanup(json_putp)))

/* the "config" object of an OCI image config into c (image.c) */
void image_config_parse(json_object *cfg, struct image_config *c);

/* flock(LOCK_EX or LOCK_SH) on store.lock; store_unlock is idempotent */
int store_lock(struct store *s, int op, struct err *e);
void store_unlock(struct store *s);

/* A private scratch directory under layers/: creates ".tmp-<rand>.lock"
 * (held with flock) then the directory ".tmp-<rand>".  A scratch dir whose
 * lock is free belongs to a dead process and is swept. */
struct scratch {
	char name[24]; /* ".tmp-<12 hex>" */
	int lockfd;
};
int scratch_create(struct store *s, struct scratch *t, bool mkdir_it, struct err *e);
/* Mark layers/ as the top of directory hierarchies (ext4's FS_TOPDIR_FL,
 * `chattr +T`), once per store handle; scratch_create calls it.  ext4's
 * Orlov allocator then places each new layer in a lightly used block group
 * instead of next to the last one.  Without a journal, ext4 scans past every
 * inode freed in the last minutes before it hands out a new one: a layer
 * unpacked where another was just removed pays that scan for each file
 * (seconds of system time for a Debian image).  Best effort, silent where
 * the filesystem has no such flag; BURROW_LAYER_SPREAD=0 turns it off. */
void store_spread_layers(struct store *s);
/* Remove the scratch dir (in the user namespace if m), then its lock. */
void scratch_discard(struct store *s, const struct idmap *m, struct scratch *t);
/* Remove stale scratch directories of dead processes. */
int store_sweep(struct store *s, const struct idmap *m, struct err *e);
/* rm -rf names (relative to dirfd); inside the user namespace when m is not NULL */
int store_rm_trees(const struct idmap *m, int dirfd, char **names, struct err *e);

/* names.json: { "name": "<idhex>" } */
int names_load(struct store *s, json_object **out, struct err *e);
int names_save(struct store *s, json_object *names, struct err *e);
int json_save_at(int dirfd, const char *path, json_object *o, struct err *e);
/* "sha256:<hex>" or "<hex>" -> pointer to the hex part, NULL if malformed */
const char *digest_hex(const char *d);

/* import.c: the OCI config of an imported image, and one podman --change
 * applied to a "config" object (exported for the unit tests) */
char *rfc3339_now(void);
int image_config_build(const struct import_opts *o, const char *diff_id, const char *created, char **out,
		       struct err *e);
int image_config_change(json_object *cfg, const char *change, struct err *e);

#endif
