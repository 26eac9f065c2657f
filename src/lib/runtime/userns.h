/* userns.h - subordinate ID lookup (libsubid), ID maps and running code in a
 * user namespace.
 *
 * The map puts the user's own uid at 0 inside and the subordinate ranges
 * after it (1..N), as podman does.  With no range the map is the single ID
 * 0 -> uid with setgroups denied.
 */
#ifndef BURROW_USERNS_H
#define BURROW_USERNS_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/base/config.h"
#include "lib/base/error.h"
#include "lib/record/usernsopt.h"

struct idmap {
	uid_t uid;
	gid_t gid;
	char *user; /* login name */
	struct idrange uids[IDMAP_MAX];
	size_t nuids;
	struct idrange gids[IDMAP_MAX];
	size_t ngids;
	bool single;           /* single-ID map, setgroups deny */
	char *source;          /* where the ranges came from, for `info` */
	char *fallback_reason; /* why we use the single-ID map, or NULL */
};

/* Look up subordinate ranges for the current user with libsubid and build
 * the map.  mode IDMAP_SINGLE forces the single-ID map.  Never fails for a
 * missing range (that is the single-ID fallback). */
int userns_lookup(struct idmap *m, enum idmap_mode mode, struct err *e);
/* The same, reusing the answer cached in cache_dir (the runroot) while
 * /etc/subuid, /etc/subgid and /etc/nsswitch.conf are unchanged. */
int userns_lookup_cached(struct idmap *m, enum idmap_mode mode, const char *cache_dir, struct err *e);
void idmap_free(struct idmap *m);

/* Ranges from libsubid for user (uid or gid kind); returns count or -1. */
struct subid_range;
int userns_subid_ranges(const char *user, bool gid, unsigned long (*out)[2], int max);

/* Add the user's own id at 0 and the subordinate ranges after it. */
size_t idmap_build(struct idrange *dst, size_t max, unsigned long own, const unsigned long (*ranges)[2],
		   int nranges);

/* argv for newuidmap/newgidmap: prog PID inner outer count ... NULL.
 * Caller frees with strv_free(). */
char **idmap_helper_argv(const char *prog, pid_t pid, const struct idrange *r, size_t n);
/* Text for /proc/PID/uid_map ("inner outer count\n" lines); caller frees. */
char *idmap_text(const struct idrange *r, size_t n);
/* How many IDs the ranges hold. */
unsigned long idmap_size(const struct idrange *r, size_t n);
/* The map of a container with a user namespace of its own (o), from the
 * host: its ranges through m, then every ID of m it leaves out, at
 * container IDs above its own (so that a process with it still reaches
 * everything burrow's map does: `commit` of a nomap container). */
int userns_compose(const struct idmap *m, const struct userns_opts *o, struct idmap *out, struct err *e);
/* Map a container id to the host, or (unsigned long)-1 if unmapped. */
unsigned long idmap_to_host(const struct idrange *r, size_t n, unsigned long inner);

/* Find a setuid-capable helper (newuidmap/newgidmap).  Returns its path or
 * NULL with e explaining the problem and the fix. */
char *userns_find_helper(const char *name, struct err *e);
/* The same over a NULL-terminated list of directories (for tests). */
char *userns_find_helper_in(const char *const *dirs, const char *name, struct err *e);

/* Write the maps of pid (a child just cloned with CLONE_NEWUSER): runs
 * newuidmap and newgidmap concurrently, or writes the single-ID map. */
int userns_write_maps(pid_t pid, const struct idmap *m, struct err *e);

/* The same in two halves, so the caller can work while the helpers run. */
struct idmap_helper {
	pid_t pid;
	int errfd;
	const char *prog;
};
struct idmap_job {
	struct idmap_helper h[2];
	int n;
	char *progs[2];
};
int userns_maps_start(pid_t pid, const struct idmap *m, struct idmap_job *j, struct err *e);
/* Waits for the helpers; always frees j. */
int userns_maps_finish(struct idmap_job *j, struct err *e);

/* Become root inside a freshly mapped namespace (setresuid/gid 0, groups). */
int userns_become_root(const struct idmap *m, struct err *e);

/* Run fn in a child inside a new user namespace (plus extra clone flags such
 * as CLONE_NEWNS), as root there.  What the child writes to outfd is
 * returned in *out (optional).  Returns 0 and the child's raw wait status in
 * *wstatus (optional) unless fn failed, in which case -1 with e carrying
 * fn's error (and e->status the child's exit status).  fn may exec. */
typedef int (*userns_fn)(void *arg, int outfd, struct err *e);
int userns_run(const struct idmap *m, unsigned long extra_flags, userns_fn fn, void *arg, char **out,
	       size_t *outlen, int *wstatus, struct err *e);

/* Serialise an error to fd (for a child before exec) and read it back. */
void err_send(int fd, const struct err *e);
/* Returns 1 if an error was read into e, 0 on EOF, -1 on a read failure. */
int err_recv(int fd, struct err *e);

#endif
