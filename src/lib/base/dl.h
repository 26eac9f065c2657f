/* dl.h - shared libraries loaded on first use.
 *
 * burrow run starts in a few milliseconds, and loading libcrypto and
 * libsubid (which brings PAM, SELinux and audit libraries along) costs
 * about 1.1 ms of that before main() even runs, on every command, though
 * run needs neither: hashing happens on import and pull, and the
 * subordinate ranges are cached (userns.c).  So those two libraries are
 * opened with dlopen() when first used.  Symbols are declared through the
 * library's own header with __typeof__, so the compiler still checks every
 * call against the real prototype.
 */
#ifndef BURROW_DL_H
#define BURROW_DL_H

#include <stdbool.h>

#include "error.h"

struct dl_lib {
	const char *const *sonames; /* tried in order, NULL-terminated */
	const char *package;        /* Debian package, for the error's fix */
	void *handle;
};

/* Open the library (once) and look up sym; NULL with e set on failure. */
void *dl_sym(struct dl_lib *l, const char *sym, struct err *e);

#define DL_SYM(lib, fnptr, name, e) ((fnptr) = (__typeof__(fnptr))dl_sym((lib), (name), (e)), (fnptr) != NULL)

#endif
