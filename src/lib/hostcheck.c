/* hostcheck.c - see hostcheck.h */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "hostcheck.h"
#include "util.h"

#define CGROUP2_MAGIC 0x63677270UL
#define TMPFS_MAGIC_ 0x01021994UL

/* ---- small helpers ---- */

static void add_check(struct hostinfo *h, const char *name, enum check_status st, char *detail,
		      char *fix)
{
	struct host_check *c;

	h->checks = xrealloc(h->checks, (h->nchecks + 1) * sizeof *h->checks);
	c = &h->checks[h->nchecks++];
	c->name = xstrdup(name);
	c->status = st;
	c->detail = detail;
	c->fix = st == CHECK_OK ? NULL : fix;
	if (st == CHECK_OK)
		free(fix);
}

/* First line of a small file, trimmed; NULL if unreadable. */
static char *read_line(const char *path)
{
	_cleanup_free_ char *buf = NULL;
	struct err ignore = ERR_INIT;
	size_t len;

	if (read_file_at(AT_FDCWD, path, 64 * 1024, &buf, &len, &ignore) < 0) {
		err_clear(&ignore);
		return NULL;
	}
	buf[strcspn(buf, "\n")] = '\0';
	return steal_ptr(buf);
}

/* A sysctl as a number: 1 and *val set, 0 if absent, -1 if unreadable. */
static int read_sysctl(const char *path, long *val)
{
	_cleanup_free_ char *s = NULL;
	char *end;

	if (access(path, F_OK) < 0)
		return 0;
	s = read_line(path);
	if (!s)
		return -1;
	errno = 0;
	*val = strtol(s, &end, 10);
	return (errno || end == s) ? -1 : 1;
}

static char **split_words(const char *s)
{
	char **v = xcalloc(1, sizeof(char *));
	_cleanup_free_ char *copy = xstrdup(s);
	char *save = NULL;

	for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
		strv_push(&v, w);
	return v;
}

static bool strv_has(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static char *strv_join(char *const *v, const char *sep)
{
	char *s = xstrdup("");
	for (size_t i = 0; v && v[i]; i++) {
		char *t = xasprintf("%s%s%s", s, i ? sep : "", v[i]);
		free(s);
		s = t;
	}
	return s;
}

/* A program in $PATH or the usual system directories, or NULL. */
static char *find_program(const char *name)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *all = xasprintf("%s:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
					     path && *path ? path : "");
	char *save = NULL;

	for (char *d = strtok_r(all, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *p = NULL;
		struct stat st;
		if (*d != '/')
			continue;
		p = xasprintf("%s/%s", d, name);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0)
			return steal_ptr(p);
	}
	return NULL;
}

/* Split "problem; fix: remedy" as userns_find_helper() writes it. */
static void split_fix(const char *msg, char **detail, char **fix)
{
	const char *f = msg ? strstr(msg, "; fix: ") : NULL;

	if (!f) {
		*detail = xstrdup(msg ? msg : "unknown error");
		*fix = NULL;
		return;
	}
	*detail = xasprintf("%.*s", (int)(f - msg), msg);
	*fix = xstrdup(f + 7);
}

const char *check_status_name(enum check_status s)
{
	switch (s) {
	case CHECK_WARN:
		return "warn";
	case CHECK_FAIL:
		return "fail";
	case CHECK_OK:
	default:
		return "ok";
	}
}

const char *cgroup_layout_name(enum cgroup_layout l)
{
	switch (l) {
	case CGROUP_V2:
		return "v2";
	case CGROUP_HYBRID:
		return "hybrid";
	case CGROUP_V1:
		return "v1";
	case CGROUP_NONE:
	default:
		return "none";
	}
}

const char *fs_magic_name(unsigned long magic, bool *network)
{
	static const struct {
		unsigned long magic;
		const char *name;
		bool network;
	} fs[] = {
		{ 0xEF53UL, "ext4", false },          { 0x58465342UL, "xfs", false },
		{ 0x9123683EUL, "btrfs", false },     { 0x01021994UL, "tmpfs", false },
		{ 0x794C7630UL, "overlayfs", false }, { 0x2FC12FC1UL, "zfs", false },
		{ 0xF2F52010UL, "f2fs", false },      { 0x858458F6UL, "ramfs", false },
		{ 0x73717368UL, "squashfs", false },  { 0x65735546UL, "fuse", false },
		{ 0x01021997UL, "9p", false },        { 0x4D44UL, "vfat", false },
		{ 0x6969UL, "nfs", true },            { 0x0BD00BD0UL, "lustre", true },
		{ 0x47504653UL, "gpfs", true },       { 0xFF534D42UL, "cifs", true },
		{ 0xFE534D42UL, "smb2", true },       { 0x517BUL, "smb", true },
		{ 0x00C36400UL, "ceph", true },       { 0x19830326UL, "beegfs", true },
		{ 0x5346414FUL, "afs", true },
	};

	*network = false;
	for (size_t i = 0; i < ARRAY_SIZE(fs); i++) {
		if (fs[i].magic == magic) {
			*network = fs[i].network;
			return fs[i].name;
		}
	}
	return NULL;
}

/* ---- host facts ---- */

static void gather_host(struct hostinfo *h)
{
	struct utsname u;
	_cleanup_fclose_ FILE *f = NULL;
	char line[512], buf[PATH_MAX];
	ssize_t n;
	const char *rd;

	if (uname(&u) == 0) {
		h->kernel = xstrdup(u.release);
		h->arch = xstrdup(u.machine);
	} else {
		h->kernel = xstrdup("unknown");
		h->arch = xstrdup("unknown");
	}
	f = fopen("/etc/os-release", "re");
	if (!f)
		f = fopen("/usr/lib/os-release", "re");
	while (f && fgets(line, sizeof line, f)) {
		if (strncmp(line, "PRETTY_NAME=", 12) == 0) {
			char *v = line + 12;
			v[strcspn(v, "\n")] = '\0';
			if (*v == '"') {
				v++;
				v[strcspn(v, "\"")] = '\0';
			}
			h->os = xstrdup(v);
			break;
		}
	}
	n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n > 0) {
		buf[n] = '\0';
		h->exe = xstrdup(buf);
	} else {
		h->exe = xstrdup("/usr/local/bin/burrow");
	}
	rd = getenv("XDG_RUNTIME_DIR");
	if (rd && *rd)
		h->runtime_dir = xstrdup(rd);
}

static void gather_cgroup(struct hostinfo *h)
{
	struct statfs sf;
	const char *mnt = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *path = NULL;
	char line[4096];

	h->cgroup_v1_controllers = xcalloc(1, sizeof(char *));
	if (statfs("/sys/fs/cgroup", &sf) == 0 && (unsigned long)sf.f_type == CGROUP2_MAGIC) {
		h->cgroup = CGROUP_V2;
		mnt = "/sys/fs/cgroup";
	} else if (statfs("/sys/fs/cgroup/unified", &sf) == 0 &&
		   (unsigned long)sf.f_type == CGROUP2_MAGIC) {
		h->cgroup = CGROUP_HYBRID;
		mnt = "/sys/fs/cgroup/unified";
	} else if (statfs("/sys/fs/cgroup", &sf) == 0 && (unsigned long)sf.f_type == TMPFS_MAGIC_) {
		h->cgroup = CGROUP_V1;
	}

	/* "0::/path" is our v2 cgroup; "N:ctrl,ctrl:/path" lines are v1 hierarchies */
	f = fopen("/proc/self/cgroup", "re");
	while (f && fgets(line, sizeof line, f)) {
		char *c1 = strchr(line, ':'), *c2;
		if (!c1 || !(c2 = strchr(c1 + 1, ':')))
			continue;
		line[strcspn(line, "\n")] = '\0';
		*c2 = '\0';
		if (c2 == c1 + 1) {
			free(path);
			path = xstrdup(c2 + 1);
			continue;
		}
		for (char *save = NULL, *w = strtok_r(c1 + 1, ",", &save); w;
		     w = strtok_r(NULL, ",", &save))
			if (strncmp(w, "name=", 5) != 0 && !strv_has(h->cgroup_v1_controllers, w))
				strv_push(&h->cgroup_v1_controllers, w);
	}
	if (h->cgroup == CGROUP_NONE && h->cgroup_v1_controllers[0])
		h->cgroup = CGROUP_V1;

	h->cgroup_delegated = xcalloc(1, sizeof(char *));
	if (!mnt || !path) {
		h->cgroup_controllers = xcalloc(1, sizeof(char *));
		return;
	}
	h->cgroup_dir = strcmp(path, "/") == 0 ? xstrdup(mnt) : xasprintf("%s%s", mnt, path);
	{
		_cleanup_free_ char *cf = xasprintf("%s/cgroup.controllers", h->cgroup_dir);
		_cleanup_free_ char *s = read_line(cf);
		h->cgroup_controllers = split_words(s ? s : "");
	}
	h->cgroup_writable = access(h->cgroup_dir, W_OK) == 0;
	if (h->cgroup_writable) {
		strv_free(h->cgroup_delegated);
		h->cgroup_delegated = strv_dup(h->cgroup_controllers);
	} else if (h->cgroup == CGROUP_V2) {
		/* systemd delegates a subtree to the user manager; burrow asks it for a scope */
		unsigned u = (unsigned)getuid();
		_cleanup_free_ char *um = xasprintf("%s/user.slice/user-%u.slice/user@%u.service", mnt, u, u);
		_cleanup_free_ char *cf = xasprintf("%s/cgroup.controllers", um);
		struct stat st;
		if (stat(um, &st) == 0 && st.st_uid == getuid()) {
			_cleanup_free_ char *s = read_line(cf);
			strv_free(h->cgroup_delegated);
			h->cgroup_delegated = split_words(s ? s : "");
		}
	}
}

static void gather_store_fs(struct hostinfo *h, const struct config *c)
{
	_cleanup_free_ char *p = xstrdup(c->root);
	struct statfs sf;
	bool net;
	const char *name;

	for (;;) {
		if (statfs(p, &sf) == 0)
			break;
		char *slash = strrchr(p, '/');
		if (!slash || slash == p) {
			strcpy(p, "/");
			if (statfs(p, &sf) < 0) {
				h->fs_path = steal_ptr(p);
				h->fs_type = xstrdup("unknown");
				return;
			}
			break;
		}
		*slash = '\0';
	}
	h->fs_path = steal_ptr(p);
	h->fs_magic = (unsigned long)sf.f_type;
	name = fs_magic_name(h->fs_magic, &net);
	h->fs_type = xstrdup(name ? name : "unknown");
}

/* ---- the user namespace and overlay probe ---- */

struct probe_arg {
	const char *base;   /* probe directory with lower/upper/work/merged, or NULL */
};

static void copy_map(int outfd, const char *file, char tag)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	unsigned long a, b, n;

	while (f && fscanf(f, "%lu %lu %lu", &a, &b, &n) == 3)
		dprintf(outfd, "%c %lu %lu %lu\n", tag, a, b, n);
}

/* Runs as root in a new user+mount namespace: report the maps we got, then
 * mount a kernel overlay with userxattr and exercise lookup, copy-up and a
 * whiteout (what image layers need).  Results go to outfd as text. */
static int probe_child(void *arg, int outfd, struct err *e)
{
	const struct probe_arg *a = arg;
	struct stat st;
	const char *step;
	int fd;

	(void)e;
	copy_map(outfd, "/proc/self/uid_map", 'U');
	copy_map(outfd, "/proc/self/gid_map", 'G');
	if (!a->base) {
		dprintf(outfd, "O -1 no probe directory\n");
		return 0;
	}
	step = "chdir to the probe directory";
	if (chdir(a->base) < 0)
		goto fail;
	step = "mount -t overlay -o userxattr";
	if (mount("overlay", "merged", "overlay", 0,
		  "lowerdir=lower,upperdir=upper,workdir=work,userxattr") < 0)
		goto fail;
	step = "reading a lower file through the overlay";
	if (stat("merged/probe", &st) < 0)
		goto fail_mounted;
	step = "creating a file in the overlay";
	fd = open("merged/new", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail_mounted;
	close(fd);
	step = "finding the new file in the upper directory";
	if (stat("upper/new", &st) < 0)
		goto fail_mounted;
	step = "deleting a lower file (whiteout)";
	if (unlink("merged/probe") < 0)
		goto fail_mounted;
	if (stat("upper/probe", &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != 0) {
		errno = EOPNOTSUPP;
		step = "checking the whiteout in the upper directory";
		goto fail_mounted;
	}
	umount2("merged", MNT_DETACH);
	dprintf(outfd, "O 0 ok\n");
	return 0;
fail_mounted:
	{
		int saved = errno;
		umount2("merged", MNT_DETACH);
		errno = saved;
	}
fail:
	dprintf(outfd, "O %d %s\n", errno, step);
	return 0;
}

/* Make base/{lower,upper,work,merged} and lower/probe under dir; NULL on failure. */
static char *make_probe_dir(const char *dir, struct err *e)
{
	_cleanup_free_ char *tmpl = xasprintf("%s/.info-probe-XXXXXX", dir);
	static const char *const sub[] = { "lower", "upper", "work", "merged" };
	_cleanup_close_ int dfd = -1;
	int fd;

	if (mkdir_p_at(AT_FDCWD, dir, 0700, e) < 0)
		return NULL;
	if (!mkdtemp(tmpl)) {
		err_make(e, errno, "creating a probe directory in %s", dir);
		return NULL;
	}
	dfd = open(tmpl, O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = 0; dfd >= 0 && i < ARRAY_SIZE(sub); i++)
		if (mkdirat(dfd, sub[i], 0755) < 0)
			goto fail;
	if (dfd < 0)
		goto fail;
	fd = openat(dfd, "lower/probe", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	close(fd);
	return steal_ptr(tmpl);
fail:
	{
		struct err ignore = ERR_INIT;
		err_make(e, errno, "preparing the probe directory %s", tmpl);
		rm_rf_at(AT_FDCWD, tmpl, &ignore);
		err_clear(&ignore);
	}
	return NULL;
}

static bool parse_maps(const char *out, char tag, struct idrange *r, size_t max, size_t *n)
{
	const char *p = out;

	*n = 0;
	while (p && *p) {
		unsigned long a, b, c;
		if (p[0] == tag && sscanf(p + 1, "%lu %lu %lu", &a, &b, &c) == 3 && *n < max)
			r[(*n)++] = (struct idrange){ a, b, c };
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return *n > 0;
}

static bool same_map(const struct idrange *a, size_t na, const struct idrange *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (a[i].inner != b[i].inner || a[i].outer != b[i].outer || a[i].count != b[i].count)
			return false;
	return true;
}

static char *map_words(const struct idrange *r, size_t n)
{
	char *s = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		char *t = xasprintf("%s%s%lu:%lu:%lu", s, i ? "," : "", r[i].inner, r[i].outer, r[i].count);
		free(s);
		s = t;
	}
	return s;
}

/* Everything the sysctl checks found, for the userns fix. */
struct sysctls {
	int has_max, has_clone, has_aa;
	long max_userns, clone, aa;
};

static char *userns_fix(const struct hostinfo *h, const struct sysctls *s, const char *msg)
{
	_cleanup_free_ char *d = NULL, *f = NULL;

	if (s->has_max == 1 && s->max_userns <= 0)
		return xstrdup("as root run `sysctl -w user.max_user_namespaces=28633` (see the "
			       "max_user_namespaces check)");
	if (s->has_clone == 1 && s->clone != 1)
		return xstrdup("as root run `sysctl -w kernel.unprivileged_userns_clone=1` (see the "
			       "unprivileged_userns_clone check)");
	if (s->has_aa == 1 && s->aa != 0)
		return xstrdup("allow burrow in AppArmor (see the apparmor_restrict_unprivileged_userns "
			       "check)");
	split_fix(msg, &d, &f);
	if (f)
		return steal_ptr(f);
	if (!h->idmap.single)
		return xasprintf("check the ranges of %s in /etc/subuid and /etc/subgid; "
				 "`BURROW_IDMAP=single burrow info` tells whether the single-ID map works",
				 h->idmap.user);
	return xstrdup("check that the kernel allows unprivileged user namespaces "
		       "(CONFIG_USER_NS, container or seccomp policies of the host)");
}

static void run_probe(struct hostinfo *h, const struct config *c, const struct sysctls *s)
{
	struct err e = ERR_INIT;
	struct probe_arg a = { NULL };
	_cleanup_free_ char *base = NULL, *out = NULL, *perr = NULL;
	struct idrange got_u[IDMAP_MAX + 4], got_g[IDMAP_MAX + 4];
	size_t nu = 0, ng = 0;
	const char *p;

	/* probe where container upper directories live: the store root */
	base = make_probe_dir(c->root, &e);
	if (!base) {
		perr = xstrdup(e.msg);
		h->store_error = xstrdup(e.msg);
		err_clear(&e);
	}
	a.base = base;
	if (userns_run(&h->idmap, CLONE_NEWNS, probe_child, &a, &out, NULL, NULL, &e) < 0) {
		_cleanup_free_ char *d = NULL, *f = NULL;
		split_fix(e.msg, &d, &f);
		add_check(h, "userns", CHECK_FAIL,
			  xasprintf("cannot create a user namespace: %s", d), userns_fix(h, s, e.msg));
		h->kernel_overlay_error = xstrdup("not tested: no user namespace");
		err_clear(&e);
		goto out;
	}
	parse_maps(out, 'U', got_u, ARRAY_SIZE(got_u), &nu);
	parse_maps(out, 'G', got_g, ARRAY_SIZE(got_g), &ng);
	if (!same_map(got_u, nu, h->idmap.uids, h->idmap.nuids) ||
	    !same_map(got_g, ng, h->idmap.gids, h->idmap.ngids)) {
		_cleanup_free_ char *wu = map_words(h->idmap.uids, h->idmap.nuids);
		_cleanup_free_ char *gu = map_words(got_u, nu);
		_cleanup_free_ char *wg = map_words(h->idmap.gids, h->idmap.ngids);
		_cleanup_free_ char *gg = map_words(got_g, ng);
		add_check(h, "userns", CHECK_FAIL,
			  xasprintf("created a user namespace, but its maps differ: uid map %s (wanted "
				    "%s), gid map %s (wanted %s)", gu, wu, gg, wg),
			  xasprintf("check the ranges of %s in /etc/subuid and /etc/subgid", h->idmap.user));
	} else {
		_cleanup_free_ char *wu = map_words(got_u, nu);
		_cleanup_free_ char *wg = map_words(got_g, ng);
		h->userns_ok = true;
		add_check(h, "userns", CHECK_OK,
			  xasprintf("created a user namespace as root inside; uid map %s, gid map %s", wu,
				    wg),
			  NULL);
	}
	p = out ? strstr(out, "O ") : NULL;
	if (perr) {
		h->kernel_overlay_error = xasprintf("not tested: %s", perr);
	} else if (!p) {
		h->kernel_overlay_error = xstrdup("the probe gave no answer");
	} else {
		int en = 0, off = 0;
		if (sscanf(p, "O %d %n", &en, &off) < 1 || off == 0) {
			h->kernel_overlay_error = xstrdup("the probe gave a garbled answer");
		} else if (en == 0) {
			h->kernel_overlay_ok = true;
		} else {
			char *step = xstrdup(p + off);
			step[strcspn(step, "\n")] = '\0';
			h->kernel_overlay_error =
				en > 0 ? xasprintf("%s: %s", step, strerror(en)) : xstrdup(step);
			free(step);
		}
	}
out:
	if (base)
		rm_rf_at(AT_FDCWD, base, &e);
	err_clear(&e);
}

/* ---- the checks ---- */

static void check_helpers(struct hostinfo *h)
{
	static const char *const names[] = { "newuidmap", "newgidmap" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		struct err e = ERR_INIT;
		_cleanup_free_ char *p = userns_find_helper(names[i], &e);
		struct stat st;

		if (p) {
			bool suid = stat(p, &st) == 0 && (st.st_mode & S_ISUID) && st.st_uid == 0;
			add_check(h, names[i], CHECK_OK,
				  xasprintf("%s (%s)", p, suid ? "setuid root" : "file capabilities"), NULL);
		} else {
			char *d, *f;
			split_fix(e.msg, &d, &f);
			if (h->idmap.single) {
				char *t = xasprintf("%s; not needed for the single-ID map in use now", d);
				free(d);
				d = t;
			}
			add_check(h, names[i], h->idmap.single ? CHECK_WARN : CHECK_FAIL, d, f);
		}
		err_clear(&e);
	}
}

/* First start at or above 100000 past every range in /etc/subuid and /etc/subgid. */
static unsigned long free_subid_start(void)
{
	static const char *const files[] = { "/etc/subuid", "/etc/subgid" };
	unsigned long start = 100000;

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_fclose_ FILE *f = fopen(files[i], "re");
		char line[512];
		while (f && fgets(line, sizeof line, f)) {
			char *c = strchr(line, ':');
			unsigned long s, n;
			if (c && sscanf(c, ":%lu:%lu", &s, &n) == 2 && s + n > start && s + n < 0xffff0000UL)
				start = s + n;
		}
	}
	return start;
}

static void check_subids(struct hostinfo *h, const struct config *c)
{
	const struct idmap *m = &h->idmap;
	_cleanup_free_ char *u = NULL, *g = NULL;

	if (!m->single) {
		u = map_words(m->uids + 1, m->nuids - 1);
		g = map_words(m->gids + 1, m->ngids - 1);
		unsigned long nu = 0, ng = 0;
		for (size_t i = 1; i < m->nuids; i++)
			nu += m->uids[i].count;
		for (size_t i = 1; i < m->ngids; i++)
			ng += m->gids[i].count;
		add_check(h, "subordinate-ids", CHECK_OK,
			  xasprintf("%s has %lu subordinate uids and %lu gids from %s (container:host:size "
				    "uids %s, gids %s)",
				    m->user, nu, ng, m->source, u, g),
			  NULL);
		return;
	}
	if (c->idmap == IDMAP_SINGLE) {
		const char *env = getenv("BURROW_IDMAP");
		add_check(h, "subordinate-ids", CHECK_WARN,
			  xasprintf("%s; containers run with a single ID (root only)",
				    m->fallback_reason ? m->fallback_reason : "single-ID map"),
			  env && *env ? xstrdup("unset BURROW_IDMAP (or set BURROW_IDMAP=auto)")
				      : xasprintf("set `idmap = auto` in %s",
						  c->conf_path ? c->conf_path : "burrow.conf"));
		return;
	}
	{
		unsigned long s = free_subid_start();
		add_check(h, "subordinate-ids", CHECK_WARN,
			  xasprintf("%s; single-ID fallback in use: containers run with a single ID (root "
				    "only)",
				    m->fallback_reason ? m->fallback_reason : "no subordinate range"),
			  xasprintf("as root run `usermod --add-subuids %lu-%lu --add-subgids %lu-%lu %s`",
				    s, s + 65535, s, s + 65535, m->user));
	}
}

static void check_sysctls(struct hostinfo *h, struct sysctls *s)
{
	s->has_max = read_sysctl("/proc/sys/user/max_user_namespaces", &s->max_userns);
	if (s->has_max == 1 && s->max_userns > 0)
		add_check(h, "max_user_namespaces", CHECK_OK,
			  xasprintf("user.max_user_namespaces = %ld", s->max_userns), NULL);
	else if (s->has_max == 1)
		add_check(h, "max_user_namespaces", CHECK_FAIL,
			  xasprintf("user.max_user_namespaces = %ld: user namespaces are disabled",
				    s->max_userns),
			  xstrdup("as root run `sysctl -w user.max_user_namespaces=28633` and add the line "
				  "`user.max_user_namespaces = 28633` to /etc/sysctl.d/99-burrow.conf"));
	else
		add_check(h, "max_user_namespaces", CHECK_FAIL,
			  xstrdup("/proc/sys/user/max_user_namespaces is missing: the kernel has no user "
				  "namespaces"),
			  xstrdup("use a kernel built with CONFIG_USER_NS=y"));

	s->has_clone = read_sysctl("/proc/sys/kernel/unprivileged_userns_clone", &s->clone);
	if (s->has_clone == 1)
		add_check(h, "unprivileged_userns_clone", s->clone == 1 ? CHECK_OK : CHECK_FAIL,
			  xasprintf("kernel.unprivileged_userns_clone = %ld", s->clone),
			  xstrdup("as root run `sysctl -w kernel.unprivileged_userns_clone=1` and add the "
				  "line `kernel.unprivileged_userns_clone = 1` to "
				  "/etc/sysctl.d/99-burrow.conf"));
	s->has_aa = read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", &s->aa);
}

static void check_apparmor(struct hostinfo *h, const struct sysctls *s)
{
	if (s->has_aa != 1)
		return;
	if (s->aa == 0) {
		add_check(h, "apparmor_restrict_unprivileged_userns", CHECK_OK,
			  xstrdup("kernel.apparmor_restrict_unprivileged_userns = 0"), NULL);
		return;
	}
	add_check(h, "apparmor_restrict_unprivileged_userns", h->userns_ok ? CHECK_OK : CHECK_FAIL,
		  xasprintf("kernel.apparmor_restrict_unprivileged_userns = %ld%s", s->aa,
			    h->userns_ok ? ", but an AppArmor profile lets burrow use user namespaces"
					 : ": AppArmor denies unprivileged user namespaces"),
		  xasprintf("as root add an AppArmor profile: `printf 'abi <abi/4.0>,\\ninclude "
			    "<tunables/global>\\nprofile burrow %s flags=(unconfined) {\\n  userns,\\n}\\n' "
			    "> /etc/apparmor.d/burrow && apparmor_parser -r /etc/apparmor.d/burrow`, or "
			    "run `sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`",
			    h->exe));
}

struct fuse_facts {
	char *fuse_overlayfs, *fusermount;
	bool devfuse_exists, devfuse_rw;
};

static void gather_fuse(struct hostinfo *h, struct fuse_facts *f)
{
	f->fuse_overlayfs = find_program("fuse-overlayfs");
	f->fusermount = find_program("fusermount3");
	f->devfuse_exists = access("/dev/fuse", F_OK) == 0;
	f->devfuse_rw = access("/dev/fuse", R_OK | W_OK) == 0;
	h->fuse_ok = f->fuse_overlayfs && f->fusermount && f->devfuse_rw;
}

static void check_overlay(struct hostinfo *h, const struct config *c)
{
	const char *why = h->kernel_overlay_error ? h->kernel_overlay_error : "unknown";
	_cleanup_free_ char *bad = h->store_error
		? xasprintf("kernel overlayfs could not be tested (%s)", h->store_error)
		: xasprintf("kernel overlayfs does not work in a user namespace here (%s)", why);

	h->overlay_setting = c->overlay;
	switch (c->overlay) {
	case OVERLAY_KERNEL:
		h->overlay_in_use = h->kernel_overlay_ok ? "kernel" : NULL;
		break;
	case OVERLAY_FUSE:
		h->overlay_in_use = h->fuse_ok ? "fuse-overlayfs" : NULL;
		break;
	case OVERLAY_AUTO:
	default:
		h->overlay_in_use = h->kernel_overlay_ok ? "kernel" : h->fuse_ok ? "fuse-overlayfs" : NULL;
		break;
	}
	if (c->overlay == OVERLAY_FUSE) {
		if (h->fuse_ok)
			add_check(h, "overlay", CHECK_OK,
				  xasprintf("overlay = fuse: using fuse-overlayfs (kernel overlayfs in a user "
					    "namespace %s%s)",
					    h->kernel_overlay_ok ? "works too" : "does not work: ",
					    h->kernel_overlay_ok ? "" : why),
				  NULL);
		else
			add_check(h, "overlay", CHECK_FAIL,
				  xstrdup("overlay = fuse, but fuse-overlayfs is not usable (see the fuse "
					  "checks): containers cannot start"),
				  h->kernel_overlay_ok
					  ? xstrdup("set `overlay = auto` in burrow.conf (or BURROW_OVERLAY=auto)")
					  : xstrdup("as root run `apt-get install fuse-overlayfs fuse3`"));
		return;
	}
	if (h->kernel_overlay_ok)
		add_check(h, "overlay", CHECK_OK,
			  xasprintf("kernel overlayfs works in a user namespace on %s (userxattr, copy-up, "
				    "whiteouts); overlay = %s: using kernel",
				    h->fs_type, overlay_mode_name(c->overlay)),
			  NULL);
	else if (c->overlay == OVERLAY_KERNEL)
		add_check(h, "overlay", CHECK_FAIL,
			  xasprintf("overlay = kernel, but %s", bad),
			  xstrdup("set `overlay = auto` in burrow.conf (or BURROW_OVERLAY=auto) to use "
				  "fuse-overlayfs"));
	else if (h->fuse_ok)
		add_check(h, "overlay", CHECK_WARN,
			  xasprintf("%s; burrow uses fuse-overlayfs, which is slower", bad),
			  xstrdup("use a kernel >= 5.11 and a store root on a local ext4, xfs or btrfs "
				  "disk (`root = /local/path` in ~/.config/burrow/burrow.conf)"));
	else
		add_check(h, "overlay", CHECK_FAIL,
			  xasprintf("%s and fuse-overlayfs is not usable: containers cannot start", bad),
			  xstrdup("as root run `apt-get install fuse-overlayfs fuse3` (see the fuse "
				  "checks)"));
}

static void check_fuse(struct hostinfo *h, struct fuse_facts *f)
{
	/* fuse matters only when burrow would fall back to it */
	bool needed = !(h->overlay_in_use && strcmp(h->overlay_in_use, "kernel") == 0);
	enum check_status miss = needed ? CHECK_FAIL : CHECK_OK;
	const char *note = needed ? "" : " (not needed: burrow uses kernel overlayfs)";

	if (f->fuse_overlayfs)
		add_check(h, "fuse-overlayfs", CHECK_OK, xstrdup(f->fuse_overlayfs), NULL);
	else
		add_check(h, "fuse-overlayfs", miss, xasprintf("fuse-overlayfs not found%s", note),
			  xstrdup("as root run `apt-get install fuse-overlayfs fuse3`"));
	if (f->fusermount)
		add_check(h, "fusermount3", CHECK_OK, xstrdup(f->fusermount), NULL);
	else
		add_check(h, "fusermount3", miss, xasprintf("fusermount3 not found%s", note),
			  xstrdup("as root run `apt-get install fuse3`"));
	if (f->devfuse_rw)
		add_check(h, "/dev/fuse", CHECK_OK, xstrdup("/dev/fuse is read-write for you"), NULL);
	else if (f->devfuse_exists)
		add_check(h, "/dev/fuse", miss, xasprintf("/dev/fuse is not read-write for you%s", note),
			  xstrdup("as root run `chmod 0666 /dev/fuse`"));
	else
		add_check(h, "/dev/fuse", miss, xasprintf("/dev/fuse does not exist%s", note),
			  xstrdup("as root run `modprobe fuse` (in a container: pass the device with "
				  "`--device /dev/fuse`)"));
}

static void check_runtime_dir(struct hostinfo *h, const struct config *c)
{
	unsigned uid = (unsigned)getuid();
	_cleanup_free_ char *run = xasprintf("/run/user/%u", uid);
	_cleanup_free_ char *fallback = xasprintf("/tmp/burrow-%u", uid);
	_cleanup_free_ char *in_xdg = h->runtime_dir ? xasprintf("%s/burrow", h->runtime_dir) : NULL;
	struct stat st;
	char *fix, *detail;

	if (h->runtime_dir && h->runtime_dir[0] == '/' && stat(h->runtime_dir, &st) == 0 &&
	    S_ISDIR(st.st_mode) && st.st_uid == uid && access(h->runtime_dir, W_OK) == 0) {
		add_check(h, "XDG_RUNTIME_DIR", CHECK_OK,
			  xasprintf("%s (owned by you); runroot %s", h->runtime_dir, c->runroot), NULL);
		return;
	}
	if (strcmp(c->runroot, fallback) != 0 && !(in_xdg && strcmp(c->runroot, in_xdg) == 0)) {
		/* BURROW_RUNROOT, --runroot or runroot = in burrow.conf: no fallback happens */
		add_check(h, "XDG_RUNTIME_DIR", CHECK_OK,
			  xasprintf("%s; the runroot is set explicitly: %s",
				    h->runtime_dir ? "not usable" : "not set", c->runroot),
			  NULL);
		return;
	}
	if (stat(run, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == uid)
		fix = xasprintf("`export XDG_RUNTIME_DIR=%s` (or set BURROW_RUNROOT)", run);
	else
		fix = xasprintf("log in through a systemd session, or as root run `loginctl "
				"enable-linger %s` and then `export XDG_RUNTIME_DIR=%s`; or set "
				"BURROW_RUNROOT",
				h->idmap.user, run);
	if (!h->runtime_dir)
		detail = xasprintf("XDG_RUNTIME_DIR is not set: the runroot falls back to %s", fallback);
	else if (strcmp(c->runroot, in_xdg) == 0)
		detail = xasprintf("XDG_RUNTIME_DIR=%s is not a directory of your own, yet the runroot %s "
				   "is in it",
				   h->runtime_dir, c->runroot);
	else
		detail = xasprintf("XDG_RUNTIME_DIR=%s is not a directory owned and writable by you: the "
				   "runroot falls back to %s",
				   h->runtime_dir, fallback);
	add_check(h, "XDG_RUNTIME_DIR", CHECK_WARN, detail, fix);
}

static void check_cgroup(struct hostinfo *h)
{
	static const char *const want[] = { "memory", "pids", "cpu" };
	static const char delegate_fix[] =
		"as root run `mkdir -p /etc/systemd/system/user@.service.d && printf "
		"'[Service]\\nDelegate=cpu cpuset io memory pids\\n' > "
		"/etc/systemd/system/user@.service.d/delegate.conf && systemctl daemon-reload`, then "
		"log in again";
	_cleanup_free_ char *missing = xstrdup(""), *have = NULL, *v1 = NULL;

	if (h->cgroup == CGROUP_V1 || h->cgroup == CGROUP_HYBRID || h->cgroup == CGROUP_NONE) {
		_cleanup_free_ char *v2 = strv_join(h->cgroup_controllers, " ");
		_cleanup_free_ char *v2note = h->cgroup == CGROUP_HYBRID
			? xasprintf(", and the v2 tree at %s has %s%s",
				    h->cgroup_dir ? h->cgroup_dir : "/sys/fs/cgroup/unified",
				    *v2 ? "only " : "no controllers", v2)
			: xstrdup("");
		v1 = strv_join(h->cgroup_v1_controllers, " ");
		add_check(h, "cgroup", CHECK_WARN,
			  h->cgroup == CGROUP_NONE
				  ? xstrdup("no cgroup filesystem is mounted: limits (--memory, --cpus, "
					    "--pids-limit) and stats are unavailable")
				  : xasprintf("cgroup %s: the controllers (%s) are on cgroup v1, which "
					      "cannot be delegated to an unprivileged user%s; limits "
					      "(--memory, --cpus, --pids-limit) and stats are unavailable",
					      cgroup_layout_name(h->cgroup), *v1 ? v1 : "none", v2note),
			  xstrdup("boot with cgroup v2 only: add `systemd.unified_cgroup_hierarchy=1` to "
				  "GRUB_CMDLINE_LINUX in /etc/default/grub, run `update-grub` and reboot"));
		return;
	}
	have = strv_join(h->cgroup_delegated, " ");
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		if (!strv_has(h->cgroup_delegated, want[i])) {
			char *t = xasprintf("%s%s%s", missing, *missing ? " " : "", want[i]);
			free(missing);
			missing = t;
		}
	}
	if (!*missing) {
		add_check(h, "cgroup", CHECK_OK,
			  xasprintf("cgroup v2 at %s (%s); delegated controllers: %s", h->cgroup_dir,
				    h->cgroup_writable ? "writable" : "via the systemd user manager", have),
			  NULL);
		return;
	}
	if (!h->cgroup_writable && !h->cgroup_delegated[0]) {
		add_check(h, "cgroup", CHECK_WARN,
			  xasprintf("cgroup v2, but %s is not writable and no systemd user manager "
				    "delegates a subtree: limits (--memory, --cpus, --pids-limit) are "
				    "unavailable",
				    h->cgroup_dir),
			  xasprintf("as root run `loginctl enable-linger %s` (systemd delegates a subtree "
				    "to user@.service); %s",
				    h->idmap.user, delegate_fix));
		return;
	}
	add_check(h, "cgroup", CHECK_WARN,
		  xasprintf("cgroup v2 at %s; delegated controllers: %s; missing: %s (those limits are "
			    "unavailable)",
			    h->cgroup_dir, *have ? have : "none", missing),
		  xstrdup(delegate_fix));
}

static void check_store_fs(struct hostinfo *h, const struct config *c)
{
	bool net = false;

	fs_magic_name(h->fs_magic, &net);
	if (h->store_error) {
		add_check(h, "store-filesystem", CHECK_FAIL,
			  xasprintf("the store root %s is not usable: %s", c->root, h->store_error),
			  xstrdup("pick a writable local directory: `root = /local/path` in "
				  "~/.config/burrow/burrow.conf, or BURROW_ROOT=/local/path, or --root "
				  "/local/path"));
		return;
	}
	if (!net) {
		add_check(h, "store-filesystem", CHECK_OK,
			  xasprintf("%s is on %s (0x%lx)", c->root, h->fs_type, h->fs_magic), NULL);
		return;
	}
	add_check(h, "store-filesystem", CHECK_WARN,
		  xasprintf("%s is on %s (0x%lx), a network filesystem: files owned by subordinate IDs, "
			    "xattrs and overlay upper directories often fail there, and it is slow",
			    c->root, h->fs_type, h->fs_magic),
		  xstrdup("move the store to a local disk: `root = /local/path` in "
			  "~/.config/burrow/burrow.conf, or BURROW_ROOT=/local/path, or --root "
			  "/local/path"));
}

int hostcheck_run(struct hostinfo *h, const struct config *c, struct err *e)
{
	struct sysctls s;
	struct fuse_facts f = { NULL, NULL, false, false };

	memset(h, 0, sizeof *h);
	memset(&s, 0, sizeof s);
	if (userns_lookup(&h->idmap, c->idmap, e) < 0)
		return err_wrap(e, "looking up the subordinate IDs");
	gather_host(h);
	gather_cgroup(h);
	gather_store_fs(h, c);
	gather_fuse(h, &f);

	check_helpers(h);
	check_subids(h, c);
	check_sysctls(h, &s);
	run_probe(h, c, &s);
	check_apparmor(h, &s);
	check_overlay(h, c);
	check_fuse(h, &f);
	check_runtime_dir(h, c);
	check_cgroup(h);
	check_store_fs(h, c);

	free(f.fuse_overlayfs);
	free(f.fusermount);
	return 0;
}

void hostinfo_free(struct hostinfo *h)
{
	free(h->kernel);
	free(h->arch);
	free(h->os);
	free(h->exe);
	free(h->runtime_dir);
	free(h->cgroup_dir);
	strv_free(h->cgroup_controllers);
	strv_free(h->cgroup_v1_controllers);
	strv_free(h->cgroup_delegated);
	free(h->fs_path);
	free(h->fs_type);
	free(h->kernel_overlay_error);
	free(h->store_error);
	idmap_free(&h->idmap);
	for (size_t i = 0; i < h->nchecks; i++) {
		free(h->checks[i].name);
		free(h->checks[i].detail);
		free(h->checks[i].fix);
	}
	free(h->checks);
	memset(h, 0, sizeof *h);
}
