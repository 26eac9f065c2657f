/* volume.h - named and anonymous volumes in the store.
 *
 * Layout under the root:
 *   volumes/.lock              flock(LOCK_EX) around every change (volume_lock)
 *   volumes/NAME/volume.json   {"Name","Driver","CreatedAt","Labels","Options","Anonymous"}
 *   volumes/NAME/_data/        the content, mounted into containers
 *
 * A volume is made in volumes/.tmp-RANDOM and renamed into place, and
 * removed by renaming it to volumes/.rm-RANDOM first, so a reader sees a
 * whole volume or none.  _data is made by the user, whose UID is root in
 * the containers' user namespace: a new volume belongs to the container's
 * root.  Files the containers write there belong to mapped IDs, so removal
 * falls back to the user namespace (the idmap).
 *
 * The functions that change volumes expect the caller to hold
 * volume_lock(); readers need no lock.
 */
#ifndef BURROW_VOLUME_H
#define BURROW_VOLUME_H

#include <json-c/json.h>
#include <stdbool.h>

#include "lib/base/error.h"
#include "lib/runtime/userns.h"

struct volume {
	char *name;
	char *driver;     /* "local" */
	char *mountpoint; /* <root>/volumes/NAME/_data */
	char *created;    /* RFC 3339 */
	char **labels;    /* "KEY=VALUE" */
	char **options;   /* "KEY=VALUE" */
	bool anonymous;
};
void volume_free(struct volume *v);

/* Open volumes/.lock (making volumes/) and flock it; returns the fd. */
int volume_lock(const char *root, struct err *e);

/* Create volume name (NULL: an anonymous one with a random 64-hex name).
 * An existing name is an error ("volume with name X already exists"),
 * unless exist_ok, when *out is the existing one and *created false. */
int volume_create(const char *root, const char *name, char *const *labels, bool anonymous, bool exist_ok,
		  struct volume *out, bool *created, struct err *e);
/* Read volume name.  Missing: -1 with errnum ENOENT, "no such volume NAME". */
int volume_get(const char *root, const char *name, struct volume *out, struct err *e);
/* Names of every volume, sorted. */
int volume_list(const char *root, char ***names, struct err *e);
/* IDs of the containers whose records mount volume name. */
int volume_users(const char *root, const char *name, char ***ids, struct err *e);
/* Remove volume name and its content (in the user namespace of m when the
 * containers left files of mapped IDs).  Does not check for users. */
int volume_remove(const char *root, const struct idmap *m, const char *name, struct err *e);
/* true when _data holds nothing */
bool volume_is_empty(const struct volume *v);

/* podman's inspect form: Name, Driver, Mountpoint, CreatedAt, Labels,
 * Scope, Options, Anonymous. */
json_object *volume_to_json(const struct volume *v);

#endif
