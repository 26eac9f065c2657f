/* cgroup.c - see cgroup.h: finding a delegated subtree, creating a
 * container's cgroup, limits, stats, freeze, kill and removal. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/nsfs.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "lib/base/util.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CGROUP2_SUPER_MAGIC_ 0x63677270UL
#define LEAF "burrow-cli"
#define SUPERVISOR "supervisor" /* systemd: the scope's leaf for the supervisor */
#define CONTAINER "container"   /* systemd: the scope's leaf for the container */
#define ALL_CTRLS (CG_C_CPU | CG_C_CPUSET | CG_C_IO | CG_C_MEMORY | CG_C_PIDS)

const char *cgroup_manager_name(enum cgroup_manager m)
{
	switch (m) {
	case CGM_DELEGATED:
		return "delegated";
	case CGM_SYSTEMD:
		return "systemd";
	case CGM_NONE:
		return "none";
	default:
		return "?";
	}
}

/* ---- small file helpers --------------------------------------------------- */

/* Write value to dirfd/name; -errno on failure (no struct err: callers
 * name the step themselves). */
static int cg_write(int dirfd, const char *name, const char *value)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(value);
	ssize_t w;

	if (fd < 0)
		return -errno;
	w = write(fd, value, len);
	if (w < 0)
		return -errno;
	return (size_t)w == len ? 0 : -EIO;
}

/* Read dirfd/name; NULL with errno set when absent or unreadable. */
static char *cg_read(int dirfd, const char *name)
{
	struct err e = ERR_INIT;
	char *buf = NULL;
	int saved;

	if (read_file_at(dirfd, name, 1 << 20, &buf, NULL, &e) < 0) {
		saved = e.errnum;
		err_clear(&e);
		errno = saved;
		return NULL;
	}
	return buf;
}

static int64_t cg_read_num(int dirfd, const char *name)
{
	_cleanup_free_ char *s = cg_read(dirfd, name);
	uint64_t v;

	if (!s)
		return -1;
	s[strcspn(s, "\n")] = '\0';
	if (strcmp(s, "max") == 0)
		return CG_MAX;
	return parse_u64(s, &v) == 0 ? (int64_t)v : -1;
}

/* CG_C_* bits named in a space-separated controller list */
static unsigned ctrl_mask_of(const char *list)
{
	static const unsigned bits[] = { CG_C_CPU, CG_C_CPUSET, CG_C_IO, CG_C_MEMORY, CG_C_PIDS };
	unsigned m = 0;

	if (!list)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(bits); i++) {
		const char *name = cg_controller_name(bits[i]);
		size_t n = strlen(name);
		for (const char *p = list; (p = strstr(p, name)); p += n)
			if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || !p[n]))
				m |= bits[i];
	}
	return m;
}

static const char *first_ctrl(unsigned mask)
{
	for (unsigned b = 1; b <= CG_C_PIDS; b <<= 1)
		if (mask & b)
			return cg_controller_name(b);
	return "?";
}

/* "+cpu +memory ..." for mask */
static void subtree_words(unsigned mask, char *buf, size_t len)
{
	buf[0] = '\0';
	for (unsigned b = 1; b <= CG_C_PIDS; b <<= 1) {
		size_t n = strlen(buf);
		if (mask & b)
			snprintf(buf + n, len - n, "%s+%s", n ? " " : "", cg_controller_name(b));
	}
}

static bool is_cgroup2(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && (unsigned long)sf.f_type == CGROUP2_SUPER_MAGIC_;
}

/* Our cgroup v2 path relative to the hierarchy ("/user.slice/..."), or NULL */
static char *own_cgroup(void)
{
	_cleanup_free_ char *s = cg_read(AT_FDCWD, "/proc/self/cgroup");

	if (!s)
		return NULL;
	for (char *line = s; line && *line;) {
		char *eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		if (strncmp(line, "0::", 3) == 0)
			return xstrdup(line + 3);
		line = eol ? eol + 1 : NULL;
	}
	return NULL;
}

static bool valid_id(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > 64)
		return false;
	for (const char *p = id; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') && !(*p >= '0' && *p <= '9') &&
		    *p != '_' && *p != '-')
			return false;
	return true;
}

/* ---- discovery ------------------------------------------------------------- */

static enum cgroup_manager forced_manager(void)
{
	const char *m = getenv("BURROW_CGROUP_MANAGER");

	if (!m || !*m)
		return (enum cgroup_manager) - 1;
	if (strcmp(m, "delegated") == 0 || strcmp(m, "cgroupfs") == 0)
		return CGM_DELEGATED;
	if (strcmp(m, "systemd") == 0)
		return CGM_SYSTEMD;
	return CGM_NONE;
}

static int no_v2_error(struct err *e)
{
	return err_make(e, 0,
			"resource limits need cgroup v2, and this host %s (controllers on "
			"v1 hierarchies cannot be delegated to a user) (fix: boot with "
			"systemd.unified_cgroup_hierarchy=1, or run without limit flags or "
			"with --cgroups=disabled)",
			is_cgroup2(CGROUP_ROOT "/unified") ? "is a cgroup v1/v2 hybrid" : "uses cgroup v1");
}

/* Is every cgroup file burrow writes in fd's directory writable by us? */
static bool owned_dir(int fd)
{
	return faccessat(fd, ".", W_OK, AT_EACCESS) == 0 &&
	       faccessat(fd, "cgroup.procs", W_OK, AT_EACCESS) == 0 &&
	       faccessat(fd, "cgroup.subtree_control", W_OK, AT_EACCESS) == 0;
}

/* Does a component of rel name a systemd user manager (user@UID.service)?
 * Every cgroup below one belongs to the user, but only the units started
 * with Delegate=yes are ours to write in: the manager's own slices are not. */
static bool in_user_manager(const char *rel)
{
	for (const char *p = rel; (p = strstr(p, "/user@")); p++) {
		size_t n = strcspn(p + 1, "/");
		if (n > 8 && strncmp(p + 1 + n - 8, ".service", 8) == 0)
			return true;
	}
	return false;
}

/* Is pid the user's: its real uid is ours (a setuid helper like
 * newuidmap too), or it lives in a user namespace the user created (a
 * container's processes under subordinate ids)?  A login or sudo running
 * as root is not.  A process that is gone counts as ours. */
static bool proc_is_ours(const char *pid)
{
	_cleanup_free_ char *f = xasprintf("/proc/%s/status", pid), *status = cg_read(AT_FDCWD, f);
	_cleanup_close_ int ns = -1;
	const char *u;
	unsigned ruid;
	uid_t owner;

	if (!status)
		return true;
	u = strstr(status, "\nUid:");
	if (u && sscanf(u + 5, "%u", &ruid) == 1 && ruid == (unsigned)getuid())
		return true;
	free(f);
	f = xasprintf("/proc/%s/ns/user", pid);
	ns = open(f, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return errno == ENOENT || errno == ESRCH;
	return ioctl(ns, NS_GET_OWNER_UID, &owner) == 0 && owner == getuid();
}

/* The first process in fd's cgroup.procs that is not the user's, or 0. */
static pid_t foreign_proc(int fd)
{
	_cleanup_free_ char *procs = cg_read(fd, "cgroup.procs");

	if (!procs)
		return 0;
	for (char *line = procs, *eol; line && *line; line = eol ? eol + 1 : NULL) {
		uint64_t pid;
		eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		if (parse_u64(line, &pid) == 0 && !proc_is_ours(line))
			return (pid_t)pid;
	}
	return 0;
}

/* "/a/b" -> "/a" -> "" */
static void cut_last(char *rel)
{
	char *slash = strrchr(rel, '/');

	if (slash)
		*slash = '\0';
	else
		rel[0] = '\0';
}

/* Where a container's cgroup goes on the delegated path.  From our own
 * cgroup C (its parent when we sit in C's burrow-cli leaf) upwards, while
 * the cgroups are ours: the nearest one that can take a child with the
 * needed controllers without moving anybody, which is one that holds no
 * process, so its controllers can be turned on for its children (the caller in
 * a leaf: a CI job's or a Slurm step's cgroup; an owned slice above the
 * caller's session scope).  C itself holds the caller: it is used only when
 * nothing above is ours, and then every process in it is moved into its
 * burrow-cli leaf, which is done only when all of them are the user's own
 * (a login or sudo running as root in C is not ours to move, and enabling
 * cpuset over it fails with EPERM).  Inside a systemd user manager only
 * C (a Delegate=yes scope) is used.  0 with *base set and *leaf saying
 * whether C's processes must move, or -1 with e saying why not (not an
 * error for the caller yet). */
static int find_delegated(unsigned needed, char **base, int *basefd, bool *leaf, struct err *e)
{
	_cleanup_free_ char *rel = NULL, *fallback = NULL;
	_cleanup_close_ int fallbackfd = -1;
	struct err why = ERR_INIT;
	char *slash;
	bool first = true;

	if (!is_cgroup2(CGROUP_ROOT))
		return no_v2_error(e);
	rel = own_cgroup();
	if (!rel)
		return err_make(e, 0, "no cgroup v2 entry in /proc/self/cgroup");
	slash = strrchr(rel, '/');
	if (slash && strcmp(slash + 1, LEAF) == 0)
		*slash = '\0';
	for (; rel[0] && strcmp(rel, "/") != 0; first = false, cut_last(rel)) {
		_cleanup_free_ char *path = xasprintf("%s%s", CGROUP_ROOT, rel), *ctrls = NULL, *procs = NULL;
		_cleanup_close_ int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		unsigned have;
		pid_t other;

		if (fd < 0) {
			if (!why.msg)
				err_make(&why, errno, "opening %s", path);
			break;
		}
		if (!owned_dir(fd)) {
			if (!why.msg)
				err_make(&why, 0, "our cgroup %s is not delegated to this user", path);
			if (first)
				continue; /* the caller in a leaf that is not its own */
			break;
		}
		if (!first && in_user_manager(rel))
			continue;
		ctrls = cg_read(fd, "cgroup.controllers");
		have = ctrl_mask_of(ctrls);
		if (needed & ~have) {
			if (!why.msg)
				err_make(&why, 0, "controller %s is not delegated to %s (it offers: %s)",
					 first_ctrl(needed & ~have), path,
					 ctrls && ctrls[0] != '\n' ? strtok(ctrls, "\n") : "none");
			continue;
		}
		/* no process in it: the controllers can be turned on for its
		 * children (a cgroup with controllers on has none) */
		procs = cg_read(fd, "cgroup.procs");
		if (procs && !procs[0]) {
			err_clear(&why);
			*base = steal_ptr(path);
			*basefd = steal_fd(fd);
			*leaf = false;
			return 0;
		}
		if (!first)
			continue;
		other = foreign_proc(fd);
		if (other > 0) {
			err_clear(&why);
			err_make(&why, 0,
				 "our cgroup %s holds process %d of another user, which burrow does not move "
				 "into a leaf, and no cgroup above it is ours",
				 path, (int)other);
			continue;
		}
		fallback = steal_ptr(path);
		fallbackfd = steal_fd(fd);
	}
	if (fallback) {
		err_clear(&why);
		*base = steal_ptr(fallback);
		*basefd = steal_fd(fallbackfd);
		*leaf = true;
		return 0;
	}
	if (!why.msg)
		err_make(&why, 0, "no cgroup of ours from %s up is delegated to this user", CGROUP_ROOT);
	*e = why;
	return -1;
}

/* Neither path works: one message with both reasons and the fix. */
static int none_error(struct err *e, struct err *deleg, struct err *sd)
{
	char *m = xasprintf("cannot get a cgroup for resource limits: %s; %s (fix: log in through "
			    "a systemd user session or run `loginctl enable-linger $USER`, or start "
			    "burrow under `systemd-run --user --scope -p Delegate=yes`; or run "
			    "without limit flags)",
			    deleg->msg ? deleg->msg : "no delegated subtree",
			    sd->msg ? sd->msg : "no user systemd");
	int errnum = sd->errnum;

	err_clear(deleg);
	err_clear(sd);
	err_make(e, errnum, "%s", m);
	free(m);
	e->errnum = 0; /* the errno is part of the text already */
	return -1;
}

enum cgroup_manager cgroup_probe_where(unsigned needed, char **basep, bool *moves, struct err *e)
{
	enum cgroup_manager forced = forced_manager();
	_cleanup_free_ char *base = NULL;
	_cleanup_close_ int fd = -1;
	struct err why = ERR_INIT, sd = ERR_INIT;
	bool leaf = false;

	if (basep)
		*basep = NULL;
	if (moves)
		*moves = false;
	if (forced == CGM_NONE) {
		err_make(e, 0, "cgroups are turned off by BURROW_CGROUP_MANAGER=none");
		return CGM_NONE;
	}
	if (!is_cgroup2(CGROUP_ROOT)) {
		no_v2_error(e);
		return CGM_NONE;
	}
	if (forced != CGM_SYSTEMD) {
		if (find_delegated(needed, &base, &fd, &leaf, &why) == 0) {
			if (basep)
				*basep = steal_ptr(base);
			if (moves)
				*moves = leaf;
			return CGM_DELEGATED;
		}
		if (forced == CGM_DELEGATED) {
			*e = why;
			return CGM_NONE;
		}
	}
	if (cg_systemd_bus_available(&sd)) {
		err_clear(&why);
		return CGM_SYSTEMD;
	}
	none_error(e, &why, &sd);
	return CGM_NONE;
}

enum cgroup_manager cgroup_probe(unsigned needed, struct err *e)
{
	return cgroup_probe_where(needed, NULL, NULL, e);
}

/* ---- creation ------------------------------------------------------------------ */

/* Move every process of the base cgroup into base/burrow-cli so that the
 * base may hand controllers to its children (no internal processes). */
static int move_to_leaf(int basefd, const char *base, struct err *e)
{
	_cleanup_free_ char *procs = cg_read(basefd, "cgroup.procs");
	_cleanup_close_ int leaffd = -1;
	char self[32];

	if (!procs)
		return err_make(e, errno, "reading %s/cgroup.procs", base);
	if (!procs[0])
		return 0;
	if (mkdirat(basefd, LEAF, 0755) < 0 && errno != EEXIST)
		return err_make(e, errno, "creating %s/%s", base, LEAF);
	leaffd = openat(basefd, LEAF, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (leaffd < 0)
		return err_make(e, errno, "opening %s/%s", base, LEAF);
	snprintf(self, sizeof self, "%d", (int)getpid());
	(void)cg_write(leaffd, "cgroup.procs", self);
	for (char *line = procs, *eol; line && *line; line = eol ? eol + 1 : NULL) {
		int r;
		eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		r = cg_write(leaffd, "cgroup.procs", line);
		if (r < 0 && r != -ESRCH)
			return err_make(e, -r, "moving process %s from %s into %s/%s", line, base, base,
					LEAF);
	}
	return 0;
}

/* Enable the wanted controllers for base's children.  Moves the processes
 * of base into a leaf first when base holds any. */
static int enable_controllers(int basefd, const char *base, unsigned want, bool leaf, struct err *e)
{
	_cleanup_free_ char *cur = cg_read(basefd, "cgroup.subtree_control");
	char words[80];
	int r;

	want &= ~ctrl_mask_of(cur);
	if (!want)
		return 0;
	subtree_words(want, words, sizeof words);
	r = cg_write(basefd, "cgroup.subtree_control", words);
	if (r == -EBUSY && leaf) {
		if (move_to_leaf(basefd, base, e) < 0)
			return -1;
		r = cg_write(basefd, "cgroup.subtree_control", words);
	}
	if (r < 0)
		return err_make(e, -r, "enabling %s in %s/cgroup.subtree_control", words, base);
	return 0;
}

/* Write the limit files; a missing file means its controller is off. */
static int apply_limits(struct cgroup *cg, const struct cgroup_limits *l, struct err *e)
{
	struct cg_file f[CG_MAX_FILES];
	unsigned mask;
	size_t n = cg_limit_files(l, f, &mask);
	int ret = 0;

	for (size_t i = 0; i < n && ret == 0; i++) {
		int r;
		if (strcmp(f[i].name, "io.bfq.weight") == 0 && faccessat(cg->dirfd, f[i].name, F_OK, 0) < 0) {
			char v[32];
			uint64_t w;
			parse_u64(f[i].value, &w);
			snprintf(v, sizeof v, "default %" PRIu64, cg_blkio_to_io_weight(w));
			r = cg_write(cg->dirfd, "io.weight", v);
			if (r == -ENOENT) /* neither file: name the controller */
				r = cg_write(cg->dirfd, f[i].name, f[i].value);
		} else {
			r = cg_write(cg->dirfd, f[i].name, f[i].value);
		}
		if (r == -ENOENT && f[i].optional)
			continue;
		if (r == -ENOENT)
			ret = err_make(e, 0,
				       "controller %s is not enabled in %s (no %s): it is not "
				       "delegated to this user",
				       cg_controller_name(f[i].ctrl), cg->path, f[i].name);
		else if (r < 0)
			ret = err_make(e, -r, "setting %s to %s in %s", f[i].name, f[i].value, cg->path);
	}
	cg_files_free(f, n);
	return ret;
}

static int move_pid(struct cgroup *cg, pid_t pid, struct err *e)
{
	char buf[32];
	int r;

	snprintf(buf, sizeof buf, "%d", (int)pid);
	r = cg_write(cg->dirfd, "cgroup.procs", buf);
	if (r < 0)
		return err_make(e, -r, "moving process %d into %s", (int)pid, cg->path);
	return 0;
}

static int make_child(int parentfd, const char *parent, const char *name, struct cgroup *cg, struct err *e)
{
	if (mkdirat(parentfd, name, 0755) < 0) {
		/* a stale one from a crash: reuse it only if it is empty */
		if (errno != EEXIST || unlinkat(parentfd, name, AT_REMOVEDIR) < 0 ||
		    mkdirat(parentfd, name, 0755) < 0)
			return err_make(e, errno, "creating cgroup %s/%s", parent, name);
	}
	cg->path = xasprintf("%s/%s", parent, name);
	cg->dirfd = openat(parentfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cg->dirfd < 0)
		return err_make(e, errno, "opening %s", cg->path);
	return 0;
}

static int create_delegated(int basefd, const char *base, bool leaf, unsigned needed,
			    const struct cgroup_limits *l, const char *name, struct cgroup *cg, struct err *e)
{
	_cleanup_free_ char *ctrls = cg_read(basefd, "cgroup.controllers");
	unsigned want = ctrl_mask_of(ctrls) & ALL_CTRLS;

	/* every controller on offer, for a later `burrow update`, except
	 * cpuset: turning it on moves the processes below base to a new
	 * cpuset, which the kernel refuses (EPERM) for one with privileges we
	 * lack (another user's, or a setuid helper of ours such as newuidmap
	 * at that moment), so only a --cpuset-* flag asks for it */
	want = (want & ~CG_C_CPUSET) | needed;
	/* the supervisor stays where it is: in base's leaf once the
	 * controllers are on (enable_controllers moves base's processes),
	 * or in the caller's cgroup below base */
	if (enable_controllers(basefd, base, want, leaf, e) < 0)
		return -1;
	cg->manager = CGM_DELEGATED;
	if (make_child(basefd, base, name, cg, e) < 0 || apply_limits(cg, l, e) < 0)
		return -1;
	return 0;
}

static int create_systemd(const struct cgroup_limits *l, const char *name, unsigned needed, pid_t pid,
			  struct cgroup *cg, struct err *e)
{
	_cleanup_free_ char *scope = NULL, *ctrls = NULL;
	unsigned have;

	cg->manager = CGM_SYSTEMD;
	cg->unit = xasprintf("%s.scope", name);
	if (cg_systemd_start_scope(cg->unit, pid, &scope, e) < 0) {
		free(cg->unit);
		cg->unit = NULL;
		return -1;
	}
	cg->scopefd = open(scope, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cg->scopefd < 0)
		return err_make(e, errno, "opening %s", scope);
	ctrls = cg_read(cg->scopefd, "cgroup.controllers");
	have = ctrl_mask_of(ctrls);
	if (needed & ~have)
		return err_make(e, 0,
				"controller %s is not delegated by the user's systemd to %s "
				"(fix, as root: printf '[Service]\\nDelegate=cpu cpuset io "
				"memory pids\\n' > /etc/systemd/system/user@.service.d/"
				"delegate.conf; systemctl daemon-reload; then log in again)",
				first_ctrl(needed & ~have), scope);
	/* the scope holds pid: move it to the supervisor leaf, where it keeps
	 * the scope alive until it exits, then hand the controllers down to
	 * the container's leaf */
	if (make_child(cg->scopefd, scope, SUPERVISOR, cg, e) < 0 || move_pid(cg, pid, e) < 0)
		return -1;
	close(cg->dirfd);
	cg->dirfd = -1;
	free(cg->path);
	cg->path = NULL;
	if (make_child(cg->scopefd, scope, CONTAINER, cg, e) < 0 ||
	    enable_controllers(cg->scopefd, scope, have & ALL_CTRLS, false, e) < 0 ||
	    apply_limits(cg, l, e) < 0)
		return -1;
	return 0;
}

int cgroup_create(const struct cgroup_limits *l, const char *id, pid_t pid, struct cgroup *cg, struct err *e)
{
	enum cgroup_manager forced = forced_manager();
	struct cg_file f[CG_MAX_FILES];
	_cleanup_free_ char *base = NULL;
	_cleanup_close_ int basefd = -1;
	unsigned needed = 0;
	char name[64];
	struct err why = ERR_INIT, ignore = ERR_INIT;
	bool leaf = false;
	int ret;

	*cg = (struct cgroup)CGROUP_INIT;
	if (!valid_id(id))
		return err_make(e, 0, "invalid container id for a cgroup name: %s", id);
	snprintf(name, sizeof name, "burrow-%.12s", id);
	cg_files_free(f, cg_limit_files(l, f, &needed));
	if (forced == CGM_NONE)
		return err_make(e, 0, "cgroups are turned off by BURROW_CGROUP_MANAGER=none");
	if (!is_cgroup2(CGROUP_ROOT))
		return no_v2_error(e);
	if (forced != CGM_SYSTEMD) {
		if (find_delegated(needed, &base, &basefd, &leaf, &why) == 0) {
			/* a subtree that is ours but fails is a real error */
			ret = create_delegated(basefd, base, leaf, needed, l, name, cg, e);
			if (ret < 0) {
				cgroup_destroy(cg, &ignore);
				err_clear(&ignore);
			}
			return ret;
		}
		if (forced == CGM_DELEGATED) {
			*e = why;
			return -1;
		}
	}
	if (!(forced == CGM_SYSTEMD) && !cg_systemd_bus_available(&ignore))
		return none_error(e, &why, &ignore);
	err_clear(&ignore);
	if (pid <= 0)
		return err_make(e, EINVAL, "the systemd path needs the container's pid for its scope");
	ret = create_systemd(l, name, needed, pid, cg, e);
	if (ret < 0) {
		cgroup_destroy(cg, &ignore);
		err_clear(&ignore);
	}
	err_clear(&why);
	return ret;
}

int cgroup_open(const char *path, enum cgroup_manager m, const char *unit, struct cgroup *cg, struct err *e)
{
	*cg = (struct cgroup)CGROUP_INIT;
	cg->dirfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cg->dirfd < 0)
		return err_make(e, errno, "opening cgroup %s", path);
	cg->manager = m;
	cg->path = xstrdup(path);
	cg->unit = unit ? xstrdup(unit) : NULL;
	if (m == CGM_SYSTEMD) {
		_cleanup_free_ char *parent = xstrdup(path);
		char *slash = strrchr(parent, '/');
		if (slash)
			*slash = '\0';
		cg->scopefd = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	return 0;
}

int cgroup_clone_fd(struct cgroup *cg, struct err *e)
{
	int fd = openat(cg->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return err_make(e, errno, "opening %s", cg->path);
	return fd;
}

int cgroup_enter(struct cgroup *cg, pid_t pid, struct err *e)
{
	if (cg->dirfd < 0)
		return err_make(e, EBADF, "entering a closed cgroup");
	return move_pid(cg, pid, e);
}

pid_t cgroup_clone(struct cgroup *cg, unsigned long flags, struct err *e)
{
	unsigned long nscg = flags & CLONE_NEWCGROUP;
	struct clone_args ca = { .exit_signal = SIGCHLD };
	_cleanup_close_ int fd = cgroup_clone_fd(cg, e);
	bool moved = true;
	pid_t pid;

	if (fd < 0)
		return -1;
	/* the cgroup namespace is made in the child, once it is inside: a
	 * clone's new namespace would be rooted at the parent's cgroup */
	flags &= ~(nscg | 0xffUL);
	ca.flags = flags | CLONE_INTO_CGROUP;
	ca.cgroup = (uint64_t)fd;
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
	if (pid < 0 && (errno == ENOSYS || errno == E2BIG || errno == EINVAL)) {
		/* before Linux 5.7: the child moves itself */
		moved = false;
		pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
	}
	if (pid < 0)
		return err_make(e, errno, "starting a process in %s (clone)", cg->path);
	if (pid > 0)
		return pid;
	if (!moved && move_pid(cg, 0, e) < 0)
		return 0;
	if (nscg && syscall(SYS_unshare, CLONE_NEWCGROUP) < 0)
		err_make(e, errno, "creating the cgroup namespace");
	return 0;
}

int cgroup_update(struct cgroup *cg, const struct cgroup_limits *l, struct err *e)
{
	if (cg->dirfd < 0)
		return err_make(e, EBADF, "updating a closed cgroup");
	return apply_limits(cg, l, e);
}

/* ---- state ------------------------------------------------------------------ */

int cgroup_stats(struct cgroup *cg, struct cgroup_stats *st, struct err *e)
{
	_cleanup_free_ char *mstat = NULL, *cstat = NULL, *io = NULL, *ev = NULL;

	if (cg->dirfd < 0)
		return err_make(e, EBADF, "stats of a closed cgroup");
	*st = (struct cgroup_stats){ 0 };
	st->memory_current = cg_read_num(cg->dirfd, "memory.current");
	st->memory_max = cg_read_num(cg->dirfd, "memory.max");
	st->memory_peak = cg_read_num(cg->dirfd, "memory.peak");
	st->memory_swap_current = cg_read_num(cg->dirfd, "memory.swap.current");
	st->pids_current = cg_read_num(cg->dirfd, "pids.current");
	st->pids_max = cg_read_num(cg->dirfd, "pids.max");
	mstat = cg_read(cg->dirfd, "memory.stat");
	st->anon = mstat ? cg_keyed_get(mstat, "anon") : -1;
	st->file = mstat ? cg_keyed_get(mstat, "file") : -1;
	st->kernel_stack = mstat ? cg_keyed_get(mstat, "kernel_stack") : -1;
	st->sock = mstat ? cg_keyed_get(mstat, "sock") : -1;
	st->shmem = mstat ? cg_keyed_get(mstat, "shmem") : -1;
	cstat = cg_read(cg->dirfd, "cpu.stat");
	if (!cstat)
		return err_make(e, errno, "reading %s/cpu.stat", cg->path);
	st->cpu_usage_usec = cg_keyed_get(cstat, "usage_usec");
	st->cpu_user_usec = cg_keyed_get(cstat, "user_usec");
	st->cpu_system_usec = cg_keyed_get(cstat, "system_usec");
	st->nr_throttled = cg_keyed_get(cstat, "nr_throttled");
	st->throttled_usec = cg_keyed_get(cstat, "throttled_usec");
	io = cg_read(cg->dirfd, "io.stat");
	cg_parse_io_stat(io ? io : "", &st->io);
	ev = cg_read(cg->dirfd, "memory.events");
	st->oom_kill = ev ? cg_keyed_get(ev, "oom_kill") : -1;
	return 0;
}

int cgroup_oom_killed(struct cgroup *cg, struct err *e)
{
	_cleanup_free_ char *ev = cg_read(cg->dirfd, "memory.events");

	if (!ev)
		return err_make(e, errno, "reading %s/memory.events", cg->path);
	return cg_keyed_get(ev, "oom_kill") > 0 ? 1 : 0;
}

/* Wait until cgroup.events has "key want", at most timeout_ms. */
static int wait_event(struct cgroup *cg, const char *key, int64_t want, int timeout_ms, struct err *e)
{
	_cleanup_close_ int fd = openat(cg->dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	uint64_t deadline = timeout_ms < 0 ? 0 : now_usec() + (uint64_t)timeout_ms * 1000;

	if (fd < 0)
		return err_make(e, errno, "opening %s/cgroup.events", cg->path);
	for (;;) {
		char buf[256];
		ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
		struct pollfd p = { .fd = fd, .events = POLLPRI };
		int wait_ms = -1;

		if (n < 0)
			return err_make(e, errno, "reading %s/cgroup.events", cg->path);
		buf[n] = '\0';
		if (cg_keyed_get(buf, key) == want)
			return 0;
		if (deadline) {
			uint64_t now = now_usec();
			if (now >= deadline)
				return err_make(e, ETIMEDOUT,
						"waiting for \"%s %" PRId64 "\" in "
						"%s/cgroup.events",
						key, want, cg->path);
			wait_ms = (int)((deadline - now + 999) / 1000);
		}
		if (poll(&p, 1, wait_ms) < 0 && errno != EINTR)
			return err_make(e, errno, "polling %s/cgroup.events", cg->path);
	}
}

int cgroup_freeze(struct cgroup *cg, bool freeze, int timeout_ms, struct err *e)
{
	int r = cg_write(cg->dirfd, "cgroup.freeze", freeze ? "1" : "0");

	if (r < 0)
		return err_make(e, -r, "writing %s/cgroup.freeze", cg->path);
	return wait_event(cg, "frozen", freeze ? 1 : 0, timeout_ms, e);
}

int cgroup_procs(struct cgroup *cg, pid_t **pids, size_t *n, struct err *e)
{
	_cleanup_free_ char *s = cg_read(cg->dirfd, "cgroup.procs");
	pid_t *v = NULL;
	size_t cnt = 0;

	if (!s)
		return err_make(e, errno, "reading %s/cgroup.procs", cg->path);
	for (char *p = s, *eol; p && *p; p = eol ? eol + 1 : NULL) {
		uint64_t pid;
		eol = strchr(p, '\n');
		if (eol)
			*eol = '\0';
		if (parse_u64(p, &pid) == 0) {
			v = xrealloc(v, (cnt + 1) * sizeof *v);
			v[cnt++] = (pid_t)pid;
		}
	}
	*pids = v;
	*n = cnt;
	return 0;
}

int cgroup_kill(struct cgroup *cg, struct err *e)
{
	int r = cg_write(cg->dirfd, "cgroup.kill", "1");

	if (r == 0)
		return 0;
	if (r != -ENOENT)
		return err_make(e, -r, "writing %s/cgroup.kill", cg->path);
	/* before Linux 5.14: kill what is listed until nothing new shows up */
	for (int round = 0; round < 100; round++) {
		_cleanup_free_ pid_t *pids = NULL;
		size_t n;
		if (cgroup_procs(cg, &pids, &n, e) < 0)
			return -1;
		if (n == 0)
			return 0;
		for (size_t i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
		usleep(1000);
	}
	return 0;
}

/* Remove dirfd's child directories (containers may nest cgroups), deepest first. */
static void rmdir_children(int parent, int depth)
{
	_cleanup_close_ int fd = openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;

	if (fd < 0 || depth > 32 || !(d = fdopendir(fd)))
		return;
	fd = -1; // NOLINT(clang-analyzer-deadcode.DeadStores): read by _cleanup_close_, the DIR owns it now
	while ((de = readdir(d))) {
		int sub;
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = openat(dirfd(d), de->d_name, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (sub >= 0) {
			rmdir_children(sub, depth + 1);
			close(sub);
		}
		unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

/* systemd path: is the caller in cg's scope (the supervisor, in the scope's supervisor leaf)?
 * Then the scope must outlive this call: systemd removes it when we exit. */
static bool self_in_scope(const struct cgroup *cg)
{
	_cleanup_free_ char *own = own_cgroup(), *scope = NULL;
	char *slash;
	size_t n;

	if (!own || !cg->path || strncmp(cg->path, CGROUP_ROOT, strlen(CGROUP_ROOT)) != 0)
		return false;
	scope = xstrdup(cg->path + strlen(CGROUP_ROOT));
	slash = strrchr(scope, '/');
	if (slash && strcmp(slash + 1, CONTAINER) == 0)
		*slash = '\0';
	n = strlen(scope);
	return strncmp(own, scope, n) == 0 && (own[n] == '/' || own[n] == '\0');
}

int cgroup_destroy(struct cgroup *cg, struct err *e)
{
	int ret = 0;

	if (cg->dirfd >= 0 && cg->path) {
		_cleanup_free_ pid_t *pids = NULL;
		struct err gone = ERR_INIT;
		size_t n = 0;
		/* systemd may already have removed an empty scope with our
		 * directory in it: unreadable means nothing left to kill */
		if (cgroup_procs(cg, &pids, &n, &gone) == 0 && n > 0) {
			if (cgroup_kill(cg, e) < 0 || wait_event(cg, "populated", 0, 5000, e) < 0)
				ret = -1;
		}
		err_clear(&gone);
		rmdir_children(cg->dirfd, 0);
		/* the kernel may still count a task that was just reaped: EBUSY
		 * until cgroup.events says "populated 0" */
		for (int i = 0; ret == 0 && rmdir(cg->path) < 0 && errno != ENOENT; i++) {
			struct err ignore = ERR_INIT;
			if (errno != EBUSY || i == 20) {
				ret = err_make(e, errno, "removing cgroup %s", cg->path);
				break;
			}
			if (wait_event(cg, "populated", 0, 100, &ignore) < 0)
				usleep(10000);
			err_clear(&ignore);
		}
	}
	if (cg->unit && !self_in_scope(cg)) {
		struct err ignore = ERR_INIT;
		/* what is left is the supervisor leaf: systemd stops an empty
		 * scope by itself, but may lag, and a supervisor that is not us
		 * (cgtest's keeper) is ended with it */
		cg_systemd_stop_unit(cg->unit, &ignore);
		err_clear(&ignore);
	}
	cgroup_close(cg);
	return ret;
}

void cgroup_close(struct cgroup *cg)
{
	if (cg->dirfd >= 0)
		close(cg->dirfd);
	if (cg->scopefd >= 0)
		close(cg->scopefd);
	free(cg->path);
	free(cg->unit);
	*cg = (struct cgroup)CGROUP_INIT;
}
