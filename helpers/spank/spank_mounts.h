/* spank_mounts.h - the --container-mounts syntax, checked in srun before
 * the step starts (and again in slurmstepd). */
#ifndef BURROW_SPANK_MOUNTS_H
#define BURROW_SPANK_MOUNTS_H

#include <stddef.h>

/* spec: SRC:DST[:ro|rw][,SRC:DST[:ro|rw]...], both paths absolute.  0, or
 * -1 with why (one line) naming the entry at fault. */
int spank_mounts_check(const char *spec, char *why, size_t n);

#endif
