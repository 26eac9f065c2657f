/* cgroup.h - resource limits, stats and freezing through delegated cgroup v2.
 *
 * burrow never writes outside a subtree that was delegated to the user.  It
 * finds one, in this order (cgroup_create):
 *   1. "delegated": a cgroup that is ours (its directory, cgroup.procs and
 *      cgroup.subtree_control writable by us) and can give the needed
 *      controllers to its children, found from our own cgroup (from
 *      /proc/self/cgroup) upwards while the cgroups are ours: the nearest
 *      that needs nobody moved (no process in it, so the controllers can
 *      be turned on for its children), as with the caller in a
 *      leaf of a CI job's or a Slurm step's cgroup, or in a session scope
 *      below an owned user slice.  Failing that our own cgroup, as under
 *      `systemd-run --user --scope -p Delegate=yes`: every process in it
 *      is moved first into the leaf "<ours>/burrow-cli" (the
 *      no-internal-process rule), which burrow does only when all of them
 *      are the user's.  Each container gets "<base>/burrow-<id>"
 *      (find_delegated in cgroup.c has the rules).
 *   2. "systemd": the user's systemd, over D-Bus (sd-bus, libsystemd is
 *      loaded on first use), starts the transient unit burrow-<id>.scope
 *      with Delegate=yes holding the supervisor's pid.  burrow waits for
 *      the job, moves the supervisor into "<scope>/supervisor", creates
 *      "<scope>/container" and writes the limits into it (the scope itself
 *      must stay empty to hand controllers down, and its own limit files
 *      belong to systemd).
 *   3. none: cgroup_create fails with a message naming the reason (cgroup
 *      v1 or hybrid host, a controller that is not delegated, no user
 *      session bus) and the fix, exit status 125.
 * BURROW_CGROUP_MANAGER=delegated|systemd|none forces one path (tests).
 *
 * The container's cgroup is the directory every other call works on: it is
 * opened once (O_PATH) and files are reached with *at() calls.  It holds
 * the container's processes and nothing else: the supervisor (burrow's
 * supervisor, with fuse-overlayfs and burrow-net) stays outside it, in the
 * delegated base's "burrow-cli" leaf or in the scope's "supervisor" leaf.
 * So limits, cgroup.freeze and cgroup.kill reach only the container, and a
 * systemd scope stays populated (systemd removes an empty scope with all
 * its cgroups at once) until the supervisor has read memory.events and
 * exits: the OOM kill can always be read after the container's last
 * process is gone.
 * Nothing here prints, exits or parses argv; the flag parsers below are
 * pure functions.
 */
#ifndef BURROW_CGROUP_H
#define BURROW_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/base/error.h"

/* ---- limits, podman semantics ------------------------------------------- */

#define CG_UNSET INT64_MIN /* a limit nobody asked for */
#define CG_MAX (-1)        /* "max": unlimited, where the flag allows it */

struct cgroup_limits {
	int64_t memory;             /* --memory, bytes -> memory.max */
	int64_t memory_swap;        /* --memory-swap: memory+swap bytes, CG_MAX = unlimited swap */
	int64_t memory_reservation; /* --memory-reservation -> memory.low */
	int64_t cpu_quota;          /* --cpu-quota/--cpus, usec per period, CG_MAX = no quota */
	int64_t cpu_period;         /* --cpu-period, usec (default 100000 when a quota is set) */
	int64_t cpu_shares;         /* --cpu-shares 2..262144 -> cpu.weight */
	char *cpuset_cpus;          /* --cpuset-cpus, validated list, owned */
	char *cpuset_mems;          /* --cpuset-mems, validated list, owned */
	int64_t pids_limit;         /* --pids-limit, CG_MAX (from -1 or 0) = unlimited */
	int64_t blkio_weight;       /* --blkio-weight 10..1000 */
	bool from_cpus;             /* cpu_quota/cpu_period came from --cpus */
};

/* All fields CG_UNSET / NULL. */
void cgroup_limits_init(struct cgroup_limits *l);
void cgroup_limits_free(struct cgroup_limits *l);
/* True if any limit is set (a run with limits must not run without them). */
bool cgroup_limits_any(const struct cgroup_limits *l);

/* Flag setters: parse and validate one flag's value into l (pure; the error
 * names the flag and the accepted form).  Call cgroup_limits_check() once
 * all flags are in, for the rules that tie flags together. */
int cgroup_limit_set(struct cgroup_limits *l, const char *flag, const char *value, struct err *e);
/* --memory-swap needs --memory and must be >= it; --cpus excludes
 * --cpu-quota/--cpu-period; --memory-reservation <= --memory. */
int cgroup_limits_check(const struct cgroup_limits *l, struct err *e);

/* ---- pure parsers and conversions (unit-tested) -------------------------- */

/* "64m", "1g", "512k", "100b", "1048576": bytes.  Units are binary (k = 1024);
 * a fraction is accepted ("1.5g").  -1 only if allow_minus1 (returns CG_MAX). */
int cg_parse_size(const char *s, bool allow_minus1, int64_t *out, struct err *e);
/* --cpus "0.5" -> quota 50000 with period 100000 */
int cg_parse_cpus(const char *s, int64_t *quota, int64_t *period, struct err *e);
/* "0-3,5,7-8": well-formed, ascending ranges, each id < 1024 */
int cg_parse_cpuset(const char *s, struct err *e);
/* crun/podman: 1 + ((shares - 2) * 9999) / 262142, clamped to 1..10000 */
uint64_t cg_shares_to_weight(uint64_t shares);
/* blkio weight 10..1000 -> io.weight 1..10000: 1 + (w - 10) * 9999 / 990 */
uint64_t cg_blkio_to_io_weight(uint64_t w);
/* The cgroup v2 files burrow writes for l, in the order written: fills f[]
 * (values owned by the caller: cg_files_free), returns the count and the
 * controllers needed in *ctrl_mask (CG_C_* bits).  An optional file is
 * skipped when the kernel lacks it (memory.swap.max without swap
 * accounting, for the implied swap of a bare --memory).  io.bfq.weight gets
 * the raw blkio weight; where BFQ is absent cgroup.c writes io.weight
 * "default cg_blkio_to_io_weight(w)" instead. */
enum {
	CG_C_CPU = 1 << 0,
	CG_C_CPUSET = 1 << 1,
	CG_C_IO = 1 << 2,
	CG_C_MEMORY = 1 << 3,
	CG_C_PIDS = 1 << 4,
};
#define CG_MAX_FILES 12
struct cg_file {
	const char *name;
	char *value;
	unsigned ctrl; /* CG_C_* bit the file belongs to */
	bool optional;
};
size_t cg_limit_files(const struct cgroup_limits *l, struct cg_file f[CG_MAX_FILES], unsigned *ctrl_mask);
void cg_files_free(struct cg_file *f, size_t n);
const char *cg_controller_name(unsigned bit);

/* --ulimit type=soft[:hard] -> resource (RLIMIT_*), soft, hard.
 * "unlimited" and -1 mean RLIM_INFINITY.  Applied by the init before exec. */
struct cg_ulimit {
	int resource;
	uint64_t soft, hard;
};
int cg_parse_ulimit(const char *s, struct cg_ulimit *out, struct err *e);

/* ---- stat file parsers (pure) ------------------------------------------- */

/* value of "key N" in a flat keyed file (memory.stat, cpu.stat,
 * memory.events, cgroup.events); -1 if absent */
int64_t cg_keyed_get(const char *text, const char *key);
/* sum of rbytes/wbytes/rios/wios over all devices of io.stat */
struct cg_io_totals {
	uint64_t rbytes, wbytes, rios, wios;
};
void cg_parse_io_stat(const char *text, struct cg_io_totals *t);

/* ---- a container's cgroup ------------------------------------------------- */

enum cgroup_manager { CGM_NONE = 0, CGM_DELEGATED, CGM_SYSTEMD };
const char *cgroup_manager_name(enum cgroup_manager m);

struct cgroup {
	enum cgroup_manager manager;
	char *path;  /* absolute directory, e.g. /sys/fs/cgroup/.../burrow-<id> */
	char *unit;  /* systemd: burrow-<id>.scope, else NULL */
	int dirfd;   /* O_PATH|O_DIRECTORY of path, -1 when closed */
	int scopefd; /* systemd: the scope's directory (removed on destroy), else -1 */
};
#define CGROUP_INIT \
	{ \
		CGM_NONE, NULL, NULL, -1, -1 \
	}

/* Where limits would come from, without creating anything: the manager
 * that cgroup_create would use, or CGM_NONE with e saying why and the fix.
 * needed: CG_C_* controllers that must be delegated. */
enum cgroup_manager cgroup_probe(unsigned needed, struct err *e);
/* The same, and on the delegated path *base (NULL allowed; caller frees)
 * is the directory containers' cgroups would go in and *moves (NULL
 * allowed) whether the caller's processes would first move into its
 * burrow-cli leaf; *base is NULL on the other paths. */
enum cgroup_manager cgroup_probe_where(unsigned needed, char **base, bool *moves, struct err *e);

/* Create the container's cgroup and apply l.  id is the container ID (a
 * short prefix is used in names).  pid is the supervisor: the process that
 * starts the container's processes and outlives them (the supervisor, or
 * cgtest's keeper).  It is not put into the container's cgroup: on the
 * delegated path it stays where it is (outside the new cgroup), on the
 * systemd path the scope is started with it and it is moved to the scope's
 * "supervisor" leaf, where it keeps the scope alive.  pid 0 (delegated path
 * only) means no supervisor; the systemd path needs one and fails with
 * EINVAL without it.  On failure nothing is left behind and pid is where it
 * was.  Processes enter the container's cgroup through cgroup_clone or
 * cgroup_enter. */
int cgroup_create(const struct cgroup_limits *l, const char *id, pid_t pid, struct cgroup *cg, struct err *e);
/* clone3(CLONE_INTO_CGROUP) with this fd starts a process directly inside
 * the container's cgroup, which skips a migration (the costly part of a
 * start: see bench/cgroup).  An O_RDONLY directory fd, caller closes. */
int cgroup_clone_fd(struct cgroup *cg, struct err *e);
/* Clone like sys_clone_ns(flags) (a fork with new namespaces), the child
 * starting inside the container's cgroup: clone3 with CLONE_INTO_CGROUP
 * (Linux >= 5.7), else a plain clone after which the child moves itself.
 * A CLONE_NEWCGROUP in flags is done by the child once it is inside (by
 * unshare), so its cgroup namespace is rooted at the container's cgroup.
 * Returns the pid in the parent (-1 with e), 0 in the child; a child that
 * could not enter or unshare gets 0 with e set and must not go on. */
pid_t cgroup_clone(struct cgroup *cg, unsigned long flags, struct err *e);
/* Move pid (0: the caller) into the container's cgroup. */
int cgroup_enter(struct cgroup *cg, pid_t pid, struct err *e);
/* Open an existing container cgroup by path (supervisor/stats/pause from a
 * record).  manager and unit may be CGM_NONE/NULL if unknown. */
int cgroup_open(const char *path, enum cgroup_manager m, const char *unit, struct cgroup *cg, struct err *e);
/* Write the limits set in l (others untouched): `burrow update`. */
int cgroup_update(struct cgroup *cg, const struct cgroup_limits *l, struct err *e);

struct cgroup_stats {
	int64_t memory_current; /* bytes, -1 if unknown */
	int64_t memory_max;     /* bytes, CG_MAX = unlimited, -1 unknown */
	int64_t memory_peak;    /* bytes, -1 where the kernel lacks memory.peak */
	int64_t memory_swap_current;
	int64_t anon, file, kernel_stack, sock, shmem;          /* memory.stat, -1 if absent */
	int64_t cpu_usage_usec, cpu_user_usec, cpu_system_usec; /* cpu.stat */
	int64_t nr_throttled, throttled_usec;
	struct cg_io_totals io;
	int64_t pids_current, pids_max; /* pids_max CG_MAX = unlimited */
	int64_t oom_kill;               /* memory.events oom_kill */
};
int cgroup_stats(struct cgroup *cg, struct cgroup_stats *st, struct err *e);
/* memory.events oom_kill > 0: 1, 0, or -1 with e */
int cgroup_oom_killed(struct cgroup *cg, struct err *e);
/* Freeze or thaw and wait (poll on cgroup.events) until "frozen" matches,
 * at most timeout_ms (-1: forever). */
int cgroup_freeze(struct cgroup *cg, bool freeze, int timeout_ms, struct err *e);
/* SIGKILL every process of the container: cgroup.kill (Linux >= 5.14),
 * else a loop over cgroup.procs until it is empty. */
int cgroup_kill(struct cgroup *cg, struct err *e);
/* The pids in cgroup.procs (host pids), *n entries, caller frees. */
int cgroup_procs(struct cgroup *cg, pid_t **pids, size_t *n, struct err *e);
/* Kill what is left in the container's cgroup, wait for it to empty (at
 * most 5 s) and remove it.  On the systemd path the scope is stopped too,
 * unless the caller is the container's supervisor: then systemd removes
 * the scope once the caller exits.  Idempotent; frees cg's fields. */
int cgroup_destroy(struct cgroup *cg, struct err *e);
/* Close fds and free without removing anything (the supervisor owns removal). */
void cgroup_close(struct cgroup *cg);

/* systemd path internals (cgroup_systemd.c) */
int cg_systemd_start_scope(const char *unit, pid_t pid, char **cgpath, struct err *e);
int cg_systemd_stop_unit(const char *unit, struct err *e);
bool cg_systemd_bus_available(struct err *e);

#endif
