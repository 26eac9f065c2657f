/* ctrdiff.h - what a container changed in its filesystem (diff, the API's
 * changes): its overlay's upper directory against the image's layers. */
#ifndef BURROW_STORE_CTRDIFF_H
#define BURROW_STORE_CTRDIFF_H

#include <stddef.h>

#include "lib/base/error.h"
#include "lib/record/container.h"

struct ctr_change {
	char kind;  /* A added, C changed, D deleted */
	char *path; /* absolute in the container */
};

/* The changes of container s, sorted by path (*v NULL and *n 0 for none).
 * A container of a single-file image keeps no changes: an error. */
int ctr_changes(const struct container_spec *s, struct ctr_change **v, size_t *n, struct err *e);
void ctr_changes_free(struct ctr_change *v, size_t n);

#endif
