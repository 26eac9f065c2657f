/* safeopen.h - open a path that comes from an image or a build context
 * without leaving a root directory.
 *
 *   fd = safe_open_in_root(rootfd, "etc/passwd", O_RDONLY, 0, RESOLVE_IN_ROOT);
 *
 * resolve holds exactly one of
 *   RESOLVE_IN_ROOT   symlinks and ".." resolve as if rootfd were "/": an
 *                     absolute symlink restarts at rootfd, ".." stops there;
 *   RESOLVE_BENEATH   a path that would leave rootfd (an absolute path or
 *                     symlink, ".." above rootfd) fails with EXDEV;
 * and optionally RESOLVE_NO_SYMLINKS (any symlink fails with ELOOP; with
 * O_NOFOLLOW a final symlink is opened as itself, as open(2) does); any
 * other combination fails with EINVAL.  Magic
 * links (/proc/PID/fd/N and the like) are never followed: RESOLVE_NO_MAGICLINKS
 * is always on.  flags are open(2) flags (O_PATH, O_DIRECTORY, O_CREAT,
 * O_NOFOLLOW, ...); O_CLOEXEC is always added; mode is used with O_CREAT.
 * An empty path is the root itself, like "." (openat2 itself says ENOENT).
 *
 * Returns the new fd, or -1 with errno set, like openat2(2), which is used
 * when the kernel has it (Linux 5.6; probed once).  Otherwise, or when the
 * environment has BURROW_SAFE_OPEN=fallback (so the tests can cover it),
 * the path is walked one component at a time with openat(O_PATH|O_NOFOLLOW),
 * resolving symlinks here (at most 40, like the kernel).  EAGAIN (a rename
 * raced with "..") is retried, up to 128 times, either way.
 */
#ifndef BURROW_SAFEOPEN_H
#define BURROW_SAFEOPEN_H

#include <stdbool.h>
#include <sys/types.h>

#include "syscalls.h"

int safe_open_in_root(int rootfd, const char *path, int flags, mode_t mode, unsigned resolve);

/* which implementation safe_open_in_root uses */
enum safe_open_impl {
	SAFE_OPEN_AUTO,     /* openat2 if the kernel has it, unless BURROW_SAFE_OPEN=fallback */
	SAFE_OPEN_OPENAT2,  /* always openat2 */
	SAFE_OPEN_FALLBACK, /* always the component walk */
};

/* Override the choice (for the unit tests, which run every case both ways). */
void safe_open_force(enum safe_open_impl impl);

/* The implementation in use (never SAFE_OPEN_AUTO). */
enum safe_open_impl safe_open_current(void);

/* Whether the kernel has a usable openat2 (probed once). */
bool safe_open_have_openat2(void);

#endif
