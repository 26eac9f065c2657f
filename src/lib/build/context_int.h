/* context_int.h - the build context, as copy.c sees it. */
#ifndef BURROW_BUILD_CONTEXT_INT_H
#define BURROW_BUILD_CONTEXT_INT_H

#include "ignore.h"

struct build_context {
	char *dir;                /* the context directory */
	int dirfd;                /* O_PATH on it */
	struct dockerignore *ign; /* NULL without a .dockerignore */
	char *tmpdir;             /* a "-" context: remove on free */
};

/* true if relpath (relative to the context root) is hidden by the
 * .dockerignore; a directory an exception may reach into is not hidden
 * (when *walk_only is set it is there only to be walked). */
bool build_context_hidden(const struct build_context *c, const char *relpath, bool is_dir, bool *walk_only);

#endif
