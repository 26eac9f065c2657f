/* idshift.h - a container's layers seen through its own ID map
 * (--userns=keep-id, nomap, --uidmap): copies of the layers with every
 * owner moved through the map, made once per map and layer (idshift.c). */
#ifndef BURROW_IDSHIFT_H
#define BURROW_IDSHIFT_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/base/error.h"
#include "lib/record/container.h"
#include "userns.h"

/* The container has a map of its own over burrow's full map (with the
 * single-ID map there is nothing to shift to: the layers stay as they are). */
bool idshift_needed(const struct container_spec *s);
/* The shifted copies of s->lowerdirs, made where missing (as root in
 * burrow's user namespace); *out is NULL-terminated, caller frees. */
int idshift_lowerdirs(const struct container_spec *s, char ***out, struct err *e);
/* The name of the map's copies: a hash of the ranges. */
char *idshift_key(const struct userns_opts *o);
/* The intermediate IDs of the container's root (the owner of /). */
unsigned long idshift_root_uid(const struct container_spec *s);
unsigned long idshift_root_gid(const struct container_spec *s);

/* The init's own user namespace (supervisor_start_init): over the
 * socketpair mapp the child waits for its maps, becomes root there and
 * answers; the supervisor writes them (as root in burrow's namespace no
 * helper is needed) and waits for the answer. */
int idshift_child_wait(int mapp[2], const struct container_spec *s, bool keep, struct err *e);
/* fn in a child inside a new user namespace with the container's map (cp
 * and export of a stopped container, after the overlay is mounted). */
int idshift_run(const struct container_spec *s, int (*fn)(void *arg, struct err *e), void *arg,
		struct err *e);
struct idshift_etc;
/* etc (keep-id, BURROW_KEEPID_TMPFS not 0), else NULL: keep-id's texts,
 * made into *etc if it is empty, are sent after the maps on mapp (the
 * child keeps its end: keep) while the child becomes root; the init reads
 * them with idshift_etc_recv when it binds them (rootfs.c). */
int idshift_write_maps(pid_t child, const struct container_spec *s, int mapp[2], struct idshift_etc *etc,
		       struct err *e);
/* keep-id: /etc/passwd and /etc/group, the image's with the user added
 * where missing (podman's entry).  By default their texts go to *out (the
 * supervisor makes them after the init's maps, idshift_write_maps) and
 * each init writes them into its /dev (a tmpfs), binds them on /etc and
 * unlinks them (rootfs.c): no file is made on the run directory's
 * filesystem, which costs 0.1-1 ms each on a busy ext4.  With
 * BURROW_KEEPID_TMPFS=0 they are written as rundir/passwd and rundir/group
 * before the init is cloned (*out stays empty), which the init binds. */
struct idshift_etc {
	char *passwd, *group; /* NULL: not made, or in the run directory */
};
int idshift_etc_files(const struct container_spec *s, struct idshift_etc *out, struct err *e);
/* In the init: the texts idshift_write_maps sent on fd. */
int idshift_etc_recv(int fd, struct idshift_etc *out, struct err *e);
void idshift_etc_free(struct idshift_etc *t);
/* Is BURROW_KEEPID_TMPFS not 0? */
bool idshift_etc_in_dev(void);

#endif
