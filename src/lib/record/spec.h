/* spec.h - parsers for the values of run's flags and for image user
 * databases.  Pure functions over strings and fds: unit-tested. */
#ifndef BURROW_SPEC_H
#define BURROW_SPEC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/base/error.h"

/* -v/--volume [SRC:]DST[:OPTS] and --mount type=bind|volume.
 *
 * SRC is a host path (absolute, or relative to the working directory when
 * it starts with "."), or a volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]*, no
 * ".."); a lone DST is an anonymous volume.  DST must be absolute.  OPTS:
 * comma list of ro, rw, nosuid/suid, nodev/dev, noexec/exec, U (chown the
 * source to the container's user), nocopy/copy, z and Z (accepted; no
 * SELinux), and the propagation modes.
 *
 * For a volume (is_volume) src is NULL after parsing: the caller resolves
 * the name (an anonymous volume gets one) to the volume's directory and
 * sets copy_up when the image's content at DST goes into it first; the
 * runtime sees only resolved bind mounts. */
struct tmpfs_spec;
struct volume_spec {
	char *src;
	char *dst;
	bool readonly;
	unsigned long flags;       /* extra MS_* flags: MS_NOSUID, MS_NODEV, MS_NOEXEC */
	unsigned long propagation; /* MS_SHARED, MS_SLAVE, MS_PRIVATE, ... (| MS_REC); 0 = rprivate */
	char *mode;                /* the options as given ("ro,z"), for inspect; may be NULL */
	char *name;                /* volume name; NULL for a bind mount */
	bool is_volume, anonymous;
	bool nocopy;  /* never copy the image's content into the volume */
	bool copy_up; /* set by the caller: copy the image's content at dst into
		       * src (when src is still empty) before mounting */
	bool chown;   /* :U: chown src (recursively) to the container's user */
};
int parse_volume(const char *s, struct volume_spec *v, struct err *e);
void volume_spec_free(struct volume_spec *v);
void volume_spec_copy(struct volume_spec *dst, const struct volume_spec *src);
/* Volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 255 bytes, no "..". */
bool volume_name_valid(const char *name);
/* "rshared", "private", ... as MS_* flags; 0 for anything else. */
unsigned long volume_propagation(const char *name);

/* --mount type=bind|volume|tmpfs,KEY[=VALUE],...  Keys: source/src,
 * target/destination/dst, readonly/ro[=true|false], bind-propagation,
 * bind-nonrecursive, tmpfs-size, tmpfs-mode, volume-nocopy[=true|false],
 * consistency, relabel (accepted), U/chown.  Fills *v for bind and volume
 * (returns MOUNT_BIND or MOUNT_VOLUME) or *t for tmpfs (MOUNT_TMPFS); -1
 * with an error naming the bad key. */
enum { MOUNT_BIND = 1, MOUNT_VOLUME, MOUNT_TMPFS };
int parse_mount(const char *s, struct volume_spec *v, struct tmpfs_spec *t, struct err *e);

/* --tmpfs DST[:OPTS]   OPTS passed to mount(2) data after validation
 * (size=, mode=, uid=, gid=, nr_inodes=) plus flags ro, noexec, nosuid,
 * nodev, exec, suid, dev. */
struct tmpfs_spec {
	char *dst;
	unsigned long flags; /* MS_* */
	char *data;          /* "size=64m,mode=1777" */
};
int parse_tmpfs(const char *s, struct tmpfs_spec *t, struct err *e);
void tmpfs_spec_free(struct tmpfs_spec *t);

/* -e KEY=VAL, or -e KEY (take KEY from the caller's environment; dropped if
 * unset).  Appends/replaces in *env (a strv of "K=V"). */
int env_add(char ***env, const char *spec, struct err *e);
/* --env-file FILE: KEY=VAL and KEY lines, # comments, blank lines. */
int env_add_file(char ***env, const char *path, struct err *e);
/* Set or replace KEY=VAL in env. */
void env_set(char ***env, const char *key, const char *val);
const char *env_get(char *const *env, const char *key);

/* Resolve -u / image User "user[:group]" (names or numbers) against the
 * rootfs's /etc/passwd and /etc/group, opened relative to rootfd without
 * leaving the root (openat2 RESOLVE_IN_ROOT).  Numeric ids need no entry.
 * Supplementary groups are those listing the user in /etc/group. */
struct user_spec {
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	size_t ngroups;
	char *home;       /* from passwd, or "/" */
	bool keep_groups; /* --group-add keep-groups: no setgroups, the caller's groups stay */
};
int resolve_user(int rootfd, const char *spec, struct user_spec *u, struct err *e);
void user_spec_free(struct user_spec *u);
/* resolve_user, then the --group-add entries: numbers, group names of the
 * rootfs's /etc/group, or keep-groups (alone). */
int resolve_user_groups(int rootfd, const char *spec, char *const *group_add, struct user_spec *u,
			struct err *e);
/* A --group-add list as given to run: keep-groups stands alone. */
int group_add_check(char *const *group_add, struct err *e);
/* The same over the text of passwd and group files (either may be NULL). */
int resolve_user_text(const char *passwd, const char *group, const char *spec, struct user_spec *u,
		      struct err *e);

/* --cap-add/--cap-drop: "NET_ADMIN", "CAP_NET_ADMIN", "all" (any case).
 * Returns the capability number, CAP_ALL (-2) for "all", or -1 with e. */
#define CAP_ALL (-2)
int parse_cap(const char *name, struct err *e);
/* docker's default capability set */
extern const int default_caps[];
extern const size_t n_default_caps;

/* --network none|host|slirp4netns[:opts]|slirp[:opts]|private|container:REF;
 * *opts (may be NULL) receives the malloc'd options after the colon (for
 * container:, the name or ID as given), or NULL */
/* NET_BRIDGE: user-defined networks (--network NAME, *opts = NAME) */
enum net_mode { NET_NONE, NET_HOST, NET_SLIRP, NET_CONTAINER, NET_BRIDGE };
int parse_network(const char *s, enum net_mode *mode, char **opts, struct err *e);

/* Signal name or number ("TERM", "SIGTERM", "15") */
int parse_signal(const char *s, struct err *e);

#endif
