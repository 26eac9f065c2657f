/* hostcheck_int.h - what hostcheck.c and hostcheck_userns.c share. */
#ifndef BURROW_HOSTCHECK_INT_H
#define BURROW_HOSTCHECK_INT_H

#include "hostcheck.h"

/* Append a check; takes detail and fix (fix is dropped when st is ok). */
void hc_add_check(struct hostinfo *h, const char *name, enum check_status st, char *detail, char *fix);
/* First line of a small file, trimmed; NULL if unreadable. */
char *hc_read_line(const char *path);
/* The ID and user namespace checks, in report order: newuidmap, newgidmap,
 * subordinate-ids, the sysctls, the userns probe (which also tries the
 * kernel overlay) and AppArmor. */
void hc_check_userns(struct hostinfo *h, const struct config *c);

#endif
