/* hostcheck.c - see hostcheck.h.  The host facts, cgroups, the store, the
 * overlay and fuse, and the report itself; the ID and user namespace checks
 * are in hostcheck_userns.c. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "hostcheck.h"
#include "hostcheck_int.h"
#include "lib/base/netfs.h"
#include "lib/base/util.h"
#include "lib/cgroup/cgroup.h"

#define CGROUP2_MAGIC 0x63677270UL
#define TMPFS_MAGIC_ 0x01021994UL

/* ---- small helpers ---- */

void hc_add_check(struct hostinfo *h, const char *name, enum check_status st, char *detail, char *fix)
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

char *hc_read_line(const char *path)
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
char *hostcheck_find_program(const char *name)
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
	} else if (statfs("/sys/fs/cgroup/unified", &sf) == 0 && (unsigned long)sf.f_type == CGROUP2_MAGIC) {
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
		for (char *save = NULL, *w = strtok_r(c1 + 1, ",", &save); w; w = strtok_r(NULL, ",", &save))
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
		_cleanup_free_ char *s = hc_read_line(cf);
		h->cgroup_controllers = split_words(s ? s : "");
	}
	h->cgroup_writable = access(h->cgroup_dir, W_OK) == 0;
	{
		/* where run would put containers' cgroups on the delegated path:
		 * our own cgroup, or one of ours above it */
		struct err le = ERR_INIT;
		if (cgroup_probe_where(CG_C_MEMORY | CG_C_PIDS | CG_C_CPU, &h->cgroup_base, &h->cgroup_moves,
				       &le) == CGM_DELEGATED &&
		    h->cgroup_base) {
			_cleanup_free_ char *cf = xasprintf("%s/cgroup.controllers", h->cgroup_base);
			_cleanup_free_ char *s = hc_read_line(cf);
			strv_free(h->cgroup_delegated);
			h->cgroup_delegated = split_words(s ? s : "");
			err_clear(&le);
			return;
		}
		err_clear(&le);
	}
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
			_cleanup_free_ char *s = hc_read_line(cf);
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
	if (!net && netfs_of(c->root)) {
		/* a test build's stand-in for a network filesystem (netfs.h) */
		name = netfs_of(c->root);
		h->fs_magic = 0x6969UL;
	}
	h->fs_type = xstrdup(name ? name : "unknown");
}

/* ---- the checks ---- */

struct fuse_facts {
	char *fuse_overlayfs, *fusermount;
	bool devfuse_exists, devfuse_rw;
};

static void gather_fuse(struct hostinfo *h, struct fuse_facts *f)
{
	f->fuse_overlayfs = hostcheck_find_program("fuse-overlayfs");
	f->fusermount = hostcheck_find_program("fusermount3");
	f->devfuse_exists = access("/dev/fuse", F_OK) == 0;
	f->devfuse_rw = access("/dev/fuse", R_OK | W_OK) == 0;
	h->fuse_ok = f->fuse_overlayfs && f->fusermount && f->devfuse_rw;
}

static void check_overlay(struct hostinfo *h, const struct config *c)
{
	const char *why = h->kernel_overlay_error ? h->kernel_overlay_error : "unknown";
	_cleanup_free_ char *bad =
		h->store_error
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
			hc_add_check(
				h, "overlay", CHECK_OK,
				xasprintf("overlay = fuse: using fuse-overlayfs (kernel overlayfs in a user "
					  "namespace %s%s)",
					  h->kernel_overlay_ok ? "works too" : "does not work: ",
					  h->kernel_overlay_ok ? "" : why),
				NULL);
		else
			hc_add_check(
				h, "overlay", CHECK_FAIL,
				xstrdup("overlay = fuse, but fuse-overlayfs is not usable (see the fuse "
					"checks): containers cannot start"),
				h->kernel_overlay_ok
					? xstrdup("set `overlay = auto` in burrow.conf (or BURROW_OVERLAY=auto)")
					: xstrdup("as root run `apt-get install fuse-overlayfs fuse3`"));
		return;
	}
	if (h->kernel_overlay_ok)
		hc_add_check(
			h, "overlay", CHECK_OK,
			xasprintf("kernel overlayfs works in a user namespace on %s (userxattr, copy-up, "
				  "whiteouts); overlay = %s: using kernel",
				  h->fs_type, overlay_mode_name(c->overlay)),
			NULL);
	else if (c->overlay == OVERLAY_KERNEL)
		hc_add_check(h, "overlay", CHECK_FAIL, xasprintf("overlay = kernel, but %s", bad),
			     xstrdup("set `overlay = auto` in burrow.conf (or BURROW_OVERLAY=auto) to use "
				     "fuse-overlayfs"));
	else if (h->fuse_ok)
		hc_add_check(h, "overlay", CHECK_WARN,
			     xasprintf("%s; burrow uses fuse-overlayfs, which is slower", bad),
			     xstrdup("use a kernel >= 5.11 and a store root on a local ext4, xfs or btrfs "
				     "disk (`root = /local/path` in ~/.config/burrow/burrow.conf)"));
	else
		hc_add_check(h, "overlay", CHECK_FAIL,
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
		hc_add_check(h, "fuse-overlayfs", CHECK_OK, xstrdup(f->fuse_overlayfs), NULL);
	else
		hc_add_check(h, "fuse-overlayfs", miss, xasprintf("fuse-overlayfs not found%s", note),
			     xstrdup("as root run `apt-get install fuse-overlayfs fuse3`"));
	if (f->fusermount)
		hc_add_check(h, "fusermount3", CHECK_OK, xstrdup(f->fusermount), NULL);
	else
		hc_add_check(h, "fusermount3", miss, xasprintf("fusermount3 not found%s", note),
			     xstrdup("as root run `apt-get install fuse3`"));
	if (f->devfuse_rw)
		hc_add_check(h, "/dev/fuse", CHECK_OK, xstrdup("/dev/fuse is read-write for you"), NULL);
	else if (f->devfuse_exists)
		hc_add_check(h, "/dev/fuse", miss, xasprintf("/dev/fuse is not read-write for you%s", note),
			     xstrdup("as root run `chmod 0666 /dev/fuse`"));
	else
		hc_add_check(h, "/dev/fuse", miss, xasprintf("/dev/fuse does not exist%s", note),
			     xstrdup("as root run `modprobe fuse` (in a container: pass the device with "
				     "`--device /dev/fuse`)"));
}

static void check_runtime_dir(struct hostinfo *h, const struct config *c)
{
	unsigned uid = (unsigned)getuid();
	_cleanup_free_ char *run = xasprintf("/run/user/%u", uid);
	_cleanup_free_ char *fallback = config_tmp_runroot();
	_cleanup_free_ char *in_xdg = h->runtime_dir ? xasprintf("%s/burrow", h->runtime_dir) : NULL;
	_cleanup_free_ char *why = NULL;
	struct err re = ERR_INIT;
	struct stat st;
	char *fix, *detail;

	/* the runroot every other command refuses when it is not private */
	if (config_check_runroot(c, false, &re) < 0) {
		char *dot = strstr(re.msg, ". ");
		hc_add_check(h, "runroot", CHECK_FAIL,
			     dot ? xasprintf("%.*s", (int)(dot - re.msg), re.msg) : xstrdup(re.msg),
			     dot ? xstrdup(dot + 2) : NULL);
		err_clear(&re);
	} else if (c->runroot_moved_from) {
		hc_add_check(
			h, "runroot", CHECK_WARN,
			xasprintf("the default runroot %s is not safe to use: %s; burrow uses the private "
				  "%s instead",
				  c->runroot_moved_from, c->runroot_moved_why, c->runroot),
			xasprintf("ask an administrator to remove %s, or set XDG_RUNTIME_DIR to a private "
				  "directory such as /run/user/%u",
				  c->runroot_moved_from, uid));
	}
	if (h->runtime_dir && h->runtime_dir[0] == '/' && config_private_dir(h->runtime_dir, &why) == 1 &&
	    access(h->runtime_dir, W_OK) == 0) {
		hc_add_check(h, "XDG_RUNTIME_DIR", CHECK_OK,
			     xasprintf("%s (owned by you); runroot %s", h->runtime_dir, c->runroot), NULL);
		return;
	}
	if (!c->runroot_in_tmp && !(in_xdg && strcmp(c->runroot, in_xdg) == 0)) {
		/* BURROW_RUNROOT, --runroot or runroot = in burrow.conf: no fallback happens */
		hc_add_check(h, "XDG_RUNTIME_DIR", CHECK_OK,
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
		detail = xasprintf("XDG_RUNTIME_DIR=%s is not a private directory owned and writable by you"
				   "%s%s%s: the runroot falls back to %s",
				   h->runtime_dir, why ? " (" : "", why ? why : "", why ? ")" : "", fallback);
	hc_add_check(h, "XDG_RUNTIME_DIR", CHECK_WARN, detail, fix);
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
								  h->cgroup_dir ? h->cgroup_dir
										: "/sys/fs/cgroup/unified",
								  *v2 ? "only " : "no controllers", v2)
						      : xstrdup("");
		v1 = strv_join(h->cgroup_v1_controllers, " ");
		hc_add_check(
			h, "cgroup", CHECK_WARN,
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
	if (!*missing && h->cgroup_base) {
		hc_add_check(
			h, "cgroup", CHECK_OK,
			xasprintf("cgroup v2; containers' cgroups go under %s%s%s%s, which is delegated to "
				  "you; delegated controllers: %s",
				  h->cgroup_base, h->cgroup_moves ? " (after moving the processes of " : "",
				  h->cgroup_moves ? h->cgroup_base : "",
				  h->cgroup_moves ? " into its burrow-cli leaf)" : "", have),
			NULL);
		return;
	}
	if (!*missing) {
		hc_add_check(h, "cgroup", CHECK_OK,
			     xasprintf("cgroup v2 at %s (%s); delegated controllers: %s", h->cgroup_dir,
				       h->cgroup_writable ? "writable" : "via the systemd user manager",
				       have),
			     NULL);
		return;
	}
	if (!h->cgroup_writable && !h->cgroup_delegated[0]) {
		hc_add_check(h, "cgroup", CHECK_WARN,
			     xasprintf("cgroup v2, but %s is not writable and no systemd user manager "
				       "delegates a subtree: limits (--memory, --cpus, --pids-limit) are "
				       "unavailable",
				       h->cgroup_dir),
			     xasprintf("as root run `loginctl enable-linger %s` (systemd delegates a subtree "
				       "to user@.service); %s",
				       h->idmap.user, delegate_fix));
		return;
	}
	hc_add_check(h, "cgroup", CHECK_WARN,
		     xasprintf("cgroup v2 at %s; delegated controllers: %s; missing: %s (those limits are "
			       "unavailable)",
			       h->cgroup_dir, *have ? have : "none", missing),
		     xstrdup(delegate_fix));
}

static void check_store_fs(struct hostinfo *h, const struct config *c)
{
	_cleanup_free_ char *local = NULL;
	bool net = false;

	fs_magic_name(h->fs_magic, &net);
	if (h->store_error) {
		hc_add_check(h, "store-filesystem", CHECK_FAIL,
			     xasprintf("the store root %s is not usable: %s", c->root, h->store_error),
			     xstrdup("pick a writable local directory: `root = /local/path` in "
				     "~/.config/burrow/burrow.conf, or BURROW_ROOT=/local/path, or --root "
				     "/local/path"));
		return;
	}
	if (!net) {
		hc_add_check(h, "store-filesystem", CHECK_OK,
			     xasprintf("%s is on %s (0x%lx)", c->root, h->fs_type, h->fs_magic), NULL);
		return;
	}
	local = netfs_local_dir();
	hc_add_check(h, "store-filesystem", CHECK_WARN,
		     xasprintf("%s is on %s (0x%lx), a network filesystem: files owned by subordinate IDs, "
			       "xattrs and overlay upper directories often fail there, and it is slow; "
			       "containers' writable layers go to node-local %s/layers instead",
			       c->root, h->fs_type, h->fs_magic, local),
		     xstrdup("move the store to a local disk: `root = /local/path` in "
			     "~/.config/burrow/burrow.conf, or BURROW_ROOT=/local/path, or --root "
			     "/local/path"));
}

int hostcheck_run(struct hostinfo *h, const struct config *c, struct err *e)
{
	struct fuse_facts f = { NULL, NULL, false, false };

	memset(h, 0, sizeof *h);
	if (userns_lookup(&h->idmap, c->idmap, e) < 0)
		return err_wrap(e, "looking up the subordinate IDs");
	gather_host(h);
	gather_cgroup(h);
	gather_store_fs(h, c);
	gather_fuse(h, &f);

	hc_check_userns(h, c);
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
	free(h->cgroup_base);
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
