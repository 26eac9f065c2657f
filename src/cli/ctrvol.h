/* ctrvol.h - the volumes of run and create (see ctrvol.c). */
#ifndef BURROW_CLI_CTRVOL_H
#define BURROW_CLI_CTRVOL_H

#include <stdbool.h>

#include "cli/cli.h"
#include "lib/record/container.h"
#include "lib/runtime/userns.h"

/* --volumes-from CONTAINER[:ro|rw]: add the mounts of each container,
 * except where s already mounts something (an image VOLUME gives way). */
int ctr_volumes_from(struct globals *g, char *const *refs, struct container_spec *s, struct err *e);
/* s has volumes still to resolve */
bool ctr_has_volumes(const struct container_spec *s);
/* Resolve the volumes of s to their directories, making the missing ones
 * (named on first use, and anonymous) and setting copy_up for an empty
 * one without nocopy.  The names made are pushed on *created, for
 * ctr_volumes_rollback() if the container's record is not written.  The
 * caller holds volume_lock(). */
int ctr_resolve_volumes(const char *root, struct container_spec *s, char ***created, struct err *e);
void ctr_volumes_rollback(const char *root, const struct idmap *m, char *const *created);
/* rm -v: remove the anonymous volumes of s that no other container uses. */
int ctr_remove_anon_volumes(struct globals *g, const struct container_spec *s, struct err *e);

#endif
