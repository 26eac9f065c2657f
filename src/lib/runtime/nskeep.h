/* nskeep.h - the user-namespace keeper: one user namespace per user and
 * runroot, with the ID maps written once, which containers join instead of
 * making their own (as podman's pause process).  Writing the maps means
 * running newuidmap and newgidmap, two setuid programs, for every
 * container: 1.3-2 ms on a quiet machine, much more on a busy one.  With
 * the keeper a start opens the namespace through /proc and setns()es into
 * it: a few system calls.
 *
 * <runroot>/userns/ (0700, in the private runroot) holds:
 *   lock    flock(LOCK_EX) while a keeper is made
 *   keeper  "PID START\n" of the keeper, written atomically
 *
 * The keeper is a child cloned into a new user namespace whose maps the
 * command that made it wrote; it has no other namespace, holds no fd but
 * its own (stdio on /dev/null, its directory watched), sleeps in poll()
 * and exits when its record or directory is removed, or after an idle
 * period with no start (BURROW_USERNS_KEEP seconds, default 600).  Each
 * use opens the record, which the keeper sees (inotify, read at its idle
 * timer only, so a start never wakes it).
 *
 * Before a namespace is used it is checked, on the opened fd: the keeper is
 * alive with its recorded start time (no reused pid), the namespace is
 * owned by the caller's uid, its parent is the caller's own user
 * namespace, its uid_map and gid_map are the ones this start would write
 * (an edited /etc/subuid makes a new keeper), and setgroups is allowed.  Anything else, and
 * a new keeper is made; if that fails too, the start writes its own maps
 * as before.  Only the full map (subordinate ranges) uses it: the
 * single-ID map is written without helpers anyway.
 *
 * The containers of one user share the namespace then, as with podman:
 * their other namespaces (mount, PID, net, IPC, UTS, cgroup) stay their
 * own, and their root has only the capabilities of its bounding set.
 * BURROW_USERNS_KEEP=0 turns it off (a user namespace per container). */
#ifndef BURROW_NSKEEP_H
#define BURROW_NSKEEP_H

#include "lib/base/error.h"

struct idmap;

/* An O_CLOEXEC fd of the kept user namespace for maps m under runroot,
 * made when needed: 1 and *fd, or 0 when the keeper is not used (turned
 * off, the single-ID map), or -1 with e (the caller falls back). */
int nskeep_open(const char *runroot, const struct idmap *m, int *fd, struct err *e);

/* Is the keeper on (BURROW_USERNS_KEEP not 0)? */
bool nskeep_enabled(void);

#endif
