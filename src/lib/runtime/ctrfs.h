/* ctrfs.h - working in a container's filesystem from the host, for cp and
 * export.
 *
 * ctrfs_run() calls fn in a child process whose root directory is the
 * container's root: for a running container the child joins the init's
 * namespaces (so the container's volumes and tmpfs mounts are there too);
 * for a stopped one it makes a user namespace with the container's map and
 * a mount namespace, mounts the container's overlay there and chroots into
 * it.  Either way no path the container planted can lead fn outside the
 * container, and fn runs as root of the container's user namespace.  fn's
 * error comes back to the caller; the child's descriptors are the
 * caller's (pipes pass data).
 *
 * ctrcopy.c moves tar streams in and out with it (ctrcopy.h).
 */
#ifndef BURROW_CTRFS_H
#define BURROW_CTRFS_H

#include <sys/types.h>

#include "lib/base/error.h"
#include "lib/record/container.h"

typedef int ctrfs_fn(void *arg, struct err *e);
/* init: the host pid of the running container's init, or 0 when stopped
 * (then s->idmap must be set).  Returns fn's result. */
int ctrfs_run(const struct container_spec *s, pid_t init, ctrfs_fn *fn, void *arg, struct err *e);

#endif
