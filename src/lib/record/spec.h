/* spec.h - parsers for the values of run's flags and for image user
 * databases.  Pure functions over strings and fds: unit-tested. */
#ifndef BURROW_SPEC_H
#define BURROW_SPEC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/base/error.h"

/* -v/--volume SRC:DST[:OPTS]  OPTS: comma list of ro, rw, z, Z (ignored),
 * rprivate/private/... (ignored).  SRC must be absolute (named volumes are
 * not supported yet: clear error).  DST must be absolute. */
struct volume_spec {
	char *src;
	char *dst;
	bool readonly;
	unsigned long flags; /* extra MS_* flags: MS_NOSUID, MS_NODEV, MS_NOEXEC */
};
int parse_volume(const char *s, struct volume_spec *v, struct err *e);
void volume_spec_free(struct volume_spec *v);

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
	char *home; /* from passwd, or "/" */
};
int resolve_user(int rootfd, const char *spec, struct user_spec *u, struct err *e);
void user_spec_free(struct user_spec *u);
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
enum net_mode { NET_NONE, NET_HOST, NET_SLIRP, NET_CONTAINER };
int parse_network(const char *s, enum net_mode *mode, char **opts, struct err *e);

/* Signal name or number ("TERM", "SIGTERM", "15") */
int parse_signal(const char *s, struct err *e);

#endif
