/* commit.h - a container's changes as a new image (burrow commit).
 *
 * The container's upper directory is written as a layer tar inside the user
 * namespace (its files belong to mapped IDs), unpacked into the store
 * through the same path as a build step's layer, and committed with the
 * image's config plus the --change instructions, a new diff id and a
 * history entry.  Whiteouts and opaque directories in the upper directory
 * become the OCI ".wh." entries.  Nothing is in the store until the commit
 * is complete.
 */
#ifndef BURROW_STORE_COMMIT_H
#define BURROW_STORE_COMMIT_H

#include "lib/base/error.h"
#include "lib/runtime/userns.h"
#include "store.h"

struct commit_opts {
	const char *image_id;     /* the container's image */
	const char *upper;        /* its upper directory */
	char **lowerdirs;         /* its layers' directories, top first */
	const char *ref;          /* the new image's name, or NULL */
	const char *author;       /* -a */
	const char *message;      /* -m: the history comment */
	const char *created_by;   /* the history entry's command, or NULL */
	char **changes;           /* -c: Dockerfile instructions (CMD, ENV, ...) */
	const struct idmap *view; /* the map to read the upper directory with: the
				   * container's own (--userns), or NULL for m */
};

int store_commit(struct store *s, const struct idmap *m, const struct commit_opts *o, char id[65],
		 struct err *e);

#endif
