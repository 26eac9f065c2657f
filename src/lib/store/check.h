/* check.h - `burrow system check`: verify the store and the container
 * records, and with repair fix what can be fixed.
 *
 * What is checked:
 *   layers      meta.json present and naming its own directory, diff/
 *               present, and (unless quick) the tree digest recorded at
 *               commit equal to the files' (treesum.h; layers from before
 *               it was recorded are not verified); a layer no image uses
 *               is an orphan once it is older than max_age_s
 *   images      the record and config blob readable, the chain ids
 *               following from the diff ids, every layer present and
 *               sound: otherwise the image is damaged
 *   names       each entry of names.json points at an image record
 *   containers  config.json readable, the image it names present, and a
 *               record that says running or paused has a live supervisor
 *
 * Repairs (podman's semantics): a damaged image is removed unless a
 * container uses it; with force, those containers are removed first
 * (through remove_container, which stops them).  Dangling names and orphan
 * layers are removed, a record whose supervisor is gone is marked exited
 * (state_refresh), a container whose image is gone or whose record is
 * unreadable is removed only with force.
 */
#ifndef BURROW_STORE_CHECK_H
#define BURROW_STORE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"
#include "lib/runtime/userns.h"
#include "store.h"

enum store_problem {
	SP_LAYER_CORRUPT,    /* its files differ from the tree digest recorded */
	SP_LAYER_BROKEN,     /* meta.json or diff/ missing or wrong */
	SP_LAYER_ORPHAN,     /* no image uses it */
	SP_IMAGE_DAMAGED,    /* unreadable, or a layer missing, broken or corrupt */
	SP_NAME_DANGLING,    /* names.json points at no image */
	SP_CONTAINER_RECORD, /* config.json unreadable */
	SP_CONTAINER_IMAGE,  /* its image is gone */
	SP_CONTAINER_DEAD,   /* running or paused, its supervisor gone */
};

struct store_finding {
	enum store_problem kind;
	char *what;    /* "layer 0123456789ab", "image 0123456789ab", "name x", "container 0123456789ab" */
	char *problem; /* what is wrong, one line */
	char *action;  /* repair: what was done, or why not; NULL without repair */
	bool fixed;    /* repaired */
};

struct store_check_opts {
	bool quick;        /* skip the tree digests (reading every layer's files) */
	bool repair;       /* fix what can be fixed */
	bool force;        /* also remove containers of damaged or missing images */
	int64_t max_age_s; /* orphan layers younger than this are left alone */
	const char *root;  /* the store root (containers/ lives there) */
	const char *runroot;
	/* force: remove container id, stopping it first */
	int (*remove_container)(void *arg, const char *id, struct err *e);
	void *arg;
};

/* Check (and with o->repair fix) the store; the findings, in the order
 * layers, images, names, containers, go to *out (n entries, caller frees
 * with store_findings_free).  -1 only when the check itself could not run. */
int store_check(struct store *s, const struct idmap *m, const struct store_check_opts *o,
		struct store_finding **out, size_t *n, struct err *e);
void store_findings_free(struct store_finding *f, size_t n);

#endif
