/* volcopy.h - filling a new volume from the image, and :U (volcopy.c). */
#ifndef BURROW_VOLCOPY_H
#define BURROW_VOLCOPY_H

#include <sys/types.h>

#include "lib/base/error.h"

/* Copy what the rootfs holds at dst (a directory, resolved inside
 * rootfd) into the directory volpath when volpath is empty: files,
 * directories, symlinks (never followed) and fifos, with their owners,
 * modes and the directory's own owner and mode. */
int volume_copy_up(int rootfd, const char *dst, const char *volpath, struct err *e);
/* chown -R path (never following symlinks) to uid:gid. */
int volume_chown(const char *path, uid_t uid, gid_t gid, struct err *e);

#endif
