/* usernsopt.h - the container's user namespace: --userns, --uidmap and
 * --gidmap (podman's meaning), parsed, resolved into ID maps and kept in
 * the record.
 *
 * Rootless, every container lives in burrow's user namespace (the
 * "intermediate" one of podman's documentation): the user at 0 and the
 * subordinate range at 1..N (userns.h).  The default (--userns=host or "")
 * runs the container right there.  The other modes give the container's
 * init a user namespace of its own, nested in that one, whose map goes from
 * container IDs to intermediate IDs:
 *   keep-id[:uid=U,gid=G]  U -> 0 (the user), 0..U-1 -> 1..U, U+1.. -> U+1..
 *                          (U, G: the user's own IDs unless given)
 *   nomap                  0..N-1 -> 1..N: the user is not mapped
 *   --uidmap C:I:S         C..C+S-1 -> I..I+S-1, repeatable; --gidmap alike
 *                          (only one of them: the other takes the same map)
 * The image's layers are owned by intermediate IDs; rootfs.c shows them
 * through this map (idshift.c).
 */
#ifndef BURROW_USERNSOPT_H
#define BURROW_USERNSOPT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/base/error.h"

#define IDMAP_MAX 8

struct idrange {
	unsigned long inner, outer, count;
};

enum userns_mode { USERNS_HOST, USERNS_KEEPID, USERNS_NOMAP, USERNS_MAPS };

struct userns_opts {
	enum userns_mode mode;
	bool has_uid, has_gid;          /* keep-id:uid=,gid= given */
	unsigned long uid, gid;         /* keep-id: the user's IDs inside */
	struct idrange uids[IDMAP_MAX]; /* container -> intermediate; none: no new namespace */
	size_t nuids;
	struct idrange gids[IDMAP_MAX];
	size_t ngids;
};

/* Parse --userns (NULL = not given) and the --uidmap / --gidmap values
 * (NULL-terminated, or NULL) into o (mode, keep-id's options, explicit
 * maps).  Errors read as podman's. */
int userns_opts_parse(const char *userns, char *const *uidmaps, char *const *gidmaps, struct userns_opts *o,
		      struct err *e);
/* Fill in the maps: nuid/ngid are how many intermediate IDs exist (1 with
 * the single-ID map), uid/gid the user's own IDs (keep-id's default).
 * Explicit maps must stay inside 0..nuid-1. */
int userns_opts_resolve(struct userns_opts *o, unsigned long nuid, unsigned long ngid, unsigned long uid,
			unsigned long gid, struct err *e);
/* Parse one "C:I:S" map. */
int userns_parse_map(const char *s, struct idrange *r, struct err *e);

/* The container has a user namespace of its own. */
static inline bool userns_opts_nested(const struct userns_opts *o)
{
	return o->nuids > 0;
}
/* Map an ID through r (inner -> outer), or back (outer -> inner);
 * (unsigned long)-1 where it is not mapped. */
unsigned long idrange_map(const struct idrange *r, size_t n, unsigned long id, bool back);

json_object *userns_opts_to_json(const struct userns_opts *o);
/* NULL j: the default.  Unknown or broken content fails. */
int userns_opts_from_json(json_object *j, struct userns_opts *o, struct err *e);

#endif
