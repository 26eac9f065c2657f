/* nsspec.h - the namespace modes of run and create: --pid, --ipc and --uts
 * (podman's meaning), parsed once into struct ns_mode for the record. */
#ifndef BURROW_NSSPEC_H
#define BURROW_NSSPEC_H

#include <stdbool.h>

#include "lib/base/error.h"

enum ns_kind { NSK_PID, NSK_IPC, NSK_UTS };

enum ns_share {
	NS_DEFAULT,   /* not given: a new namespace, shown as private (ipc: shareable) */
	NS_PRIVATE,   /* a new namespace */
	NS_HOST,      /* the caller's: not unshared */
	NS_CONTAINER, /* the one of a running container's init (container) */
	NS_SHAREABLE, /* ipc: a new one others may join (podman's default) */
	NS_NONE,      /* ipc: a new one without /dev/shm */
};

struct ns_mode {
	enum ns_share share;
	char *container; /* NS_CONTAINER: as given on the command line, then the full ID */
};

/* "host", "private", "container:REF", and for ipc "shareable" and "none";
 * "" is NS_DEFAULT.  An unknown mode is podman's error. */
int ns_mode_parse(enum ns_kind k, const char *v, struct ns_mode *m, struct err *e);
/* The mode as podman's inspect shows it (HostConfig.PidMode...): "private",
 * "shareable", "host", "none", "container:ID".  malloc'd. */
char *ns_mode_string(enum ns_kind k, const struct ns_mode *m);
/* Does the container get a namespace of its own (not host, not container:)? */
static inline bool ns_mode_is_new(const struct ns_mode *m)
{
	return m->share != NS_HOST && m->share != NS_CONTAINER;
}
/* "pid", "ipc", "uts" */
const char *ns_kind_name(enum ns_kind k);
void ns_mode_free(struct ns_mode *m);

#endif
