/* rootfs.c - see rootfs.h
 *
 * Mount targets are never built as path strings and then checked: each one
 * is opened inside the rootfs with openat2(RESOLVE_IN_ROOT) and mounted on
 * through its /proc/self/fd/N magic link, so a symlink planted by the image
 * (say /etc -> /host/etc) resolves inside the container's root.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/base/log.h"
#include "rootfs.h"
#include "lib/base/safeopen.h"
#include "lib/base/syscalls.h"
#include "lib/base/util.h"
#include "idshift.h"
#include "userns.h"
#include "volcopy.h"

#define FDPATH(buf, fd) (snprintf((buf), sizeof(buf), "/proc/self/fd/%d", (fd)), (buf))

int rootfs_open_in_root(int rootfd, const char *path, int create_as, struct err *e)
{
	_cleanup_free_ char *rel = NULL;
	_cleanup_close_ int dfd = -1;
	char *p, *slash, *last;
	int fd;

	while (*path == '/')
		path++;
	rel = xstrdup(*path ? path : ".");
	fd = safe_open_in_root(rootfd, rel, O_PATH, 0, RESOLVE_IN_ROOT);
	if (fd >= 0 || errno != ENOENT || !create_as) {
		if (fd < 0)
			return err_make(e, errno == ENOSYS ? ENOSYS : errno, "opening /%s in the container",
					path);
		return fd;
	}
	last = strrchr(rel, '/');
	if (last) {
		/* the parent is usually there: then no walk */
		*last = '\0';
		dfd = safe_open_in_root(rootfd, rel, O_PATH | O_DIRECTORY, 0, RESOLVE_IN_ROOT);
		*last++ = '/';
	} else {
		last = rel;
	}
	p = dfd >= 0 ? last : rel;
	/* else walk down, creating missing directories; every name is created
	 * relative to a directory fd that was resolved inside the root */
	if (dfd < 0 && (dfd = safe_open_in_root(rootfd, ".", O_PATH | O_DIRECTORY, 0, RESOLVE_IN_ROOT)) < 0)
		return err_make(e, errno, "opening the container root");
	for (; p < last; p = slash + 1) {
		int nfd;
		slash = strchr(p, '/');
		*slash = '\0';
		if (*p && strcmp(p, ".") != 0) {
			if (mkdirat(dfd, p, 0755) < 0 && errno != EEXIST)
				return err_make(e, errno, "creating /%s in the container", rel);
			nfd = safe_open_in_root(rootfd, rel, O_PATH | O_DIRECTORY, 0, RESOLVE_IN_ROOT);
			if (nfd < 0)
				return err_make(e, errno, "opening /%s in the container", rel);
			close(dfd);
			dfd = nfd;
		}
		*slash = '/';
	}
	if (create_as == S_IFDIR) {
		if (mkdirat(dfd, last, 0755) < 0 && errno != EEXIST)
			return err_make(e, errno, "creating /%s in the container", rel);
	} else {
		/* O_NOFOLLOW in a directory resolved inside the root: this is
		 * the file a new lookup would find */
		int f = openat(dfd, last, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0644);
		if (f < 0 && errno != EEXIST)
			return err_make(e, errno, "creating /%s in the container", rel);
		if (f >= 0)
			return f;
	}
	fd = safe_open_in_root(rootfd, rel, O_PATH, 0, RESOLVE_IN_ROOT);
	if (fd < 0)
		return err_make(e, errno, "opening /%s in the container", rel);
	return fd;
}

/* The mount flags the kernel will insist we keep on a remount. */
static unsigned long locked_flags(const char *path)
{
	struct statvfs sv;
	unsigned long f = 0;

	if (statvfs(path, &sv) < 0)
		return 0;
	if (sv.f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		f |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		f |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		f |= MS_RELATIME;
	if (sv.f_flag & ST_RDONLY)
		f |= MS_RDONLY;
	return f;
}

static int mount_on(int rootfd, const char *target, int create_as, const char *src, const char *type,
		    unsigned long flags, const char *data, struct err *e)
{
	_cleanup_close_ int fd = rootfs_open_in_root(rootfd, target, create_as, e);
	char p[64];

	if (fd < 0)
		return -1;
	if (mount(src, FDPATH(p, fd), type, flags, data) < 0)
		return err_make(e, errno, "mounting %s on %s", type ? type : src, target);
	return 0;
}

/* bind src (a host path or fd path) onto target; extra holds MS_RDONLY,
 * MS_NOSUID, MS_NODEV, MS_NOEXEC to apply with a remount */
static int bind_on(int rootfd, const char *target, int create_as, const char *src, bool rec,
		   unsigned long extra, struct err *e)
{
	char p[64];
	_cleanup_close_ int fd = -1;

	if (mount_on(rootfd, target, create_as, src, NULL, MS_BIND | (rec ? MS_REC : 0), NULL, e) < 0)
		return -1;
	if (!extra)
		return 0;
	fd = rootfs_open_in_root(rootfd, target, 0, e);
	if (fd < 0)
		return -1;
	FDPATH(p, fd);
	if (mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | extra | locked_flags(p), NULL) < 0)
		return err_make(e, errno, "remounting %s%s", target, (extra & MS_RDONLY) ? " read-only" : "");
	return 0;
}

/* ---- overlay ---------------------------------------------------------- */

static char *lowerdir_opt(char *const *lowerdirs)
{
	char *out = xstrdup("");
	for (size_t i = 0; lowerdirs && lowerdirs[i]; i++) {
		char *t = xasprintf("%s%s%s", out, i ? ":" : "", lowerdirs[i]);
		free(out);
		out = t;
	}
	return out;
}

char *rootfs_upper_base(const struct container_spec *s)
{
	return s->sqfs ? xasprintf("%s/rw", s->rundir) : container_layer_dir(s);
}

/* a single-file image with the single-ID map: its files keep the owners
 * they have in the file, which the map can't show (they would be nobody,
 * and the overlay could not copy them up), so fuse-overlayfs shows them
 * all as root */
static bool squash_owners(const struct container_spec *s)
{
	return s->sqfs && s->idmap && s->idmap->single;
}

/* a single-file image in a container with a map of its own (keep-id,
 * --uidmap): the file's owners are what the container must see, but the
 * FUSE mount shows them through the supervisor's namespace.  There are no
 * layers to copy per map (idshift.c), so fuse-overlayfs maps them: a file
 * owned by ID r inside the file shows as map(r), which the container's
 * namespace shows as r again. */
static bool sqfs_shift_owners(const struct container_spec *s)
{
	return s->sqfs && idshift_needed(s);
}

static void add_mappings(char **out, const char *opt, const struct idrange *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *t = xasprintf("%s%s%lu:%lu:%lu", *out, i ? ":" : opt, r[i].inner, r[i].outer,
				    r[i].count);
		free(*out);
		*out = t;
	}
}

static char *owner_mappings(const struct container_spec *s)
{
	char *out = xstrdup("");

	add_mappings(&out, ",uidmapping=", s->userns.uids, s->userns.nuids);
	add_mappings(&out, ",gidmapping=", s->userns.gids, s->userns.ngids);
	return out;
}

static int mount_kernel_overlay(const struct container_spec *s, char *const *lowerdirs, const char *merged,
				struct err *e)
{
	_cleanup_free_ char *lower = lowerdir_opt(lowerdirs);
	_cleanup_free_ char *up = rootfs_upper_base(s);
	_cleanup_free_ char *data = xasprintf("lowerdir=%s,upperdir=%s/upper,workdir=%s/work,userxattr",
					      lower, up, up);

	if (strlen(data) >= 4096)
		return err_make(e, E2BIG, "too many layers for one overlay mount");
	if (mount("overlay", merged, "overlay", MS_NODEV, data) < 0)
		return err_make(e, errno, "mounting overlay on %s", merged);
	return 0;
}

int rootfs_fuse_start(const char *target, const char *fstype, unsigned long flags, const char *opts,
		      const char *const *argv, pid_t *pid, struct err *e)
{
	int ep[2], err = 0;
	ssize_t got;
	_cleanup_close_ int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	_cleanup_free_ char *data = NULL;
	const char *args[16];
	char fdarg[32];
	size_t n = 0;
	pid_t child;

	if (fd < 0)
		return err_make(e, errno,
				"opening /dev/fuse (fix: install fuse3 and make /dev/fuse mode 0666)");
	/* We mount the fuse connection ourselves and hand the fd to the
	 * daemon running in the foreground: the mount exists when mount(2)
	 * returns, and the daemon is our child, so it dies with us. */
	data = xasprintf("fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other%s%s", fd, *opts ? "," : "",
			 opts);
	if (mount(argv[0], target, fstype, MS_NOSUID | MS_NODEV | flags, data) < 0)
		return err_make(e, errno, "mounting %s on %s", argv[0], target);
	snprintf(fdarg, sizeof fdarg, "/dev/fd/%d", fd);
	for (; n < ARRAY_SIZE(args) - 2 && argv[n]; n++)
		args[n] = argv[n];
	args[n++] = fdarg;
	args[n] = NULL;
	/* the exec's failure comes back through a close-on-exec pipe */
	if (pipe2(ep, O_CLOEXEC) < 0) {
		int saved = errno;
		umount2(target, MNT_DETACH);
		return err_make(e, saved, "starting %s", argv[0]);
	}
	child = fork();
	if (child < 0) {
		int saved = errno;
		close(ep[0]);
		close(ep[1]);
		umount2(target, MNT_DETACH);
		return err_make(e, saved, "starting %s", argv[0]);
	}
	if (child == 0) {
		int devnull = open("/dev/null", O_RDWR);
		close(ep[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fcntl(fd, F_SETFD, 0);
		if (devnull >= 0) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, STDOUT_FILENO);
			if (log_threshold < LOG_DEBUG)
				dup2(devnull, STDERR_FILENO);
		}
		execvp(args[0], (char *const *)args);
		err = errno;
		(void)!write(ep[1], &err, sizeof err);
		_exit(127);
	}
	close(ep[1]);
	do
		got = read(ep[0], &err, sizeof err);
	while (got < 0 && errno == EINTR);
	close(ep[0]);
	if (got == (ssize_t)sizeof err) {
		umount2(target, MNT_DETACH);
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
		return err_make(e, err, "starting %s", argv[0]);
	}
	*pid = child;
	return 0;
}

static int mount_fuse_overlay(const struct container_spec *s, char *const *lowerdirs, const char *merged,
			      pid_t *fuse_pid, struct err *e)
{
	_cleanup_free_ char *lower = lowerdir_opt(lowerdirs);
	_cleanup_free_ char *up = rootfs_upper_base(s);
	/* over squashfuse_ll, fuse-overlayfs 1.10 fails every open with
	 * EOPNOTSUPP (its xattr lookups on the lower) unless told to leave
	 * xattrs alone; squash_to_root does without them already */
	const char *extra = squash_owners(s) ? ",squash_to_root" : s->sqfs ? ",noxattrs=1" : "";
	_cleanup_free_ char *maps = sqfs_shift_owners(s) ? owner_mappings(s) : xstrdup("");
	_cleanup_free_ char *ovl = xasprintf("lowerdir=%s,upperdir=%s/upper,workdir=%s/work%s%s", lower, up,
					     up, extra, maps);
	const char *argv[] = { "fuse-overlayfs", "-f", "-o", ovl, NULL };

	return rootfs_fuse_start(merged, "fuse.fuse-overlayfs", 0, "default_permissions", argv, fuse_pid, e);
}

static int mount_overlay(const struct container_spec *s, const char *merged, pid_t *fuse_pid, struct err *e)
{
	_cleanup_strv_ char **shifted = NULL;
	char *const *lowerdirs = s->lowerdirs;
	struct err ke = ERR_INIT;

	*fuse_pid = 0;
	if (idshift_needed(s)) {
		/* a map of its own: the layers' copies for it, and / owned by its root */
		_cleanup_free_ char *base = rootfs_upper_base(s);
		_cleanup_free_ char *upper = xasprintf("%s/upper", base);
		if (!s->sqfs) {
			if (idshift_lowerdirs(s, &shifted, e) < 0)
				return -1;
			lowerdirs = shifted;
		}
		if (chown(upper, (uid_t)idshift_root_uid(s), (gid_t)idshift_root_gid(s)) < 0)
			return err_make(e, errno, "chown %s", upper);
		/* without the user mapped (nomap) the container's root must
		 * still look up its files in the run directory */
		if (chmod(s->rundir, 0711) < 0)
			return err_make(e, errno, "chmod %s", s->rundir);
	}
	if (sqfs_shift_owners(s) && s->overlay == OVERLAY_KERNEL)
		return err_make(
			e, 0,
			"a single-file image with --userns or --uidmap needs fuse-overlayfs (overlay = kernel is set)");
	if (s->overlay == OVERLAY_KERNEL ||
	    (s->overlay == OVERLAY_AUTO && !squash_owners(s) && !sqfs_shift_owners(s))) {
		if (mount_kernel_overlay(s, lowerdirs, merged, &ke) == 0)
			return 0;
		if (s->overlay == OVERLAY_KERNEL) {
			*e = ke;
			return err_wrap(e, "kernel overlay (overlay = kernel is set)");
		}
		log_debug("kernel overlay unavailable (%s), using fuse-overlayfs", ke.msg);
		err_clear(&ke);
	}
	return mount_fuse_overlay(s, lowerdirs, merged, fuse_pid, e);
}

int rootfs_mount_overlay(const struct container_spec *s, struct rootfs_fuse *f, struct err *e)
{
	_cleanup_free_ char *merged = xasprintf("%s/merged", s->rundir);

	f->overlay = f->sqfs = 0;
	if (s->sqfs && rootfs_sqfs_mount(s, &f->sqfs, e) < 0)
		return -1;
	if (mount_overlay(s, merged, &f->overlay, e) < 0) {
		if (s->sqfs)
			rootfs_sqfs_umount(s, &f->sqfs);
		return -1;
	}
	return 0;
}

int rootfs_umount_overlay(const struct container_spec *s, struct rootfs_fuse *f)
{
	_cleanup_free_ char *merged = xasprintf("%s/merged", s->rundir);

	umount2(merged, MNT_DETACH);
	rootfs_stop_fuse(&(struct rootfs_fuse){ f->overlay, 0 });
	f->overlay = 0;
	if (s->sqfs)
		rootfs_sqfs_umount(s, &f->sqfs);
	return 0;
}

static void stop_one(pid_t *pid, int sig)
{
	if (*pid <= 0)
		return;
	kill(*pid, sig);
	while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
		;
	*pid = 0;
}

void rootfs_stop_fuse(struct rootfs_fuse *f)
{
	stop_one(&f->overlay, SIGTERM); /* it flushes on the way out */
	stop_one(&f->sqfs, SIGKILL);    /* read-only: nothing to flush */
}

bool rootfs_fuse_reaped(struct rootfs_fuse *f, pid_t pid)
{
	if (pid <= 0)
		return false;
	if (pid == f->overlay)
		f->overlay = 0;
	else if (pid == f->sqfs)
		f->sqfs = 0;
	else
		return false;
	return true;
}

/* ---- the container's filesystem ---------------------------------------- */

static const char *const masked_paths[] = {
	"/proc/asound",
	"/proc/acpi",
	"/proc/kcore",
	"/proc/keys",
	"/proc/latency_stats",
	"/proc/timer_list",
	"/proc/timer_stats",
	"/proc/sched_debug",
	"/proc/scsi",
	"/sys/firmware",
	"/sys/devices/virtual/powercap",
};
static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static int mask_path(int rootfd, const char *path, struct err *e)
{
	_cleanup_close_ int fd = rootfs_open_in_root(rootfd, path, 0, e);
	struct stat st;
	char p[64];

	if (fd < 0) {
		if (e->errnum == ENOENT) {
			err_clear(e);
			return 0;
		}
		return -1;
	}
	if (fstat(fd, &st) < 0)
		return err_make(e, errno, "checking %s", path);
	FDPATH(p, fd);
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0") < 0)
			return err_make(e, errno, "masking %s", path);
	} else if (mount("/dev/null", p, NULL, MS_BIND, NULL) < 0) {
		return err_make(e, errno, "masking %s", path);
	}
	return 0;
}

static int readonly_path(int rootfd, const char *path, struct err *e)
{
	_cleanup_close_ int fd = rootfs_open_in_root(rootfd, path, 0, e);
	char p[64];

	if (fd < 0) {
		if (e->errnum == ENOENT) {
			err_clear(e);
			return 0;
		}
		return -1;
	}
	FDPATH(p, fd);
	if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0)
		return err_make(e, errno, "binding %s", path);
	close(fd);
	fd = rootfs_open_in_root(rootfd, path, 0, e);
	if (fd < 0)
		return -1;
	FDPATH(p, fd);
	if (mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | locked_flags(p), NULL) < 0)
		return err_make(e, errno, "making %s read-only", path);
	return 0;
}

static bool gid_mapped(const struct container_spec *s, unsigned long gid)
{
	if (userns_opts_nested(&s->userns))
		return idrange_map(s->userns.gids, s->userns.ngids, gid, false) != (unsigned long)-1;
	return idmap_to_host(s->idmap->gids, s->idmap->ngids, gid) != (unsigned long)-1;
}

/* /dev/shm and /dev/mqueue: --ipc host binds the host's (neither can be
 * mounted anew for an IPC namespace the container's user namespace does
 * not own; a host without /dev/mqueue gives none), --ipc none has no
 * /dev/shm, container:ID gets ID's later */
static int setup_ipc(const struct container_spec *s, int rootfd, struct err *e)
{
	const unsigned long fl = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	struct stat st;

	if (s->ipc_ns.share == NS_HOST) {
		if (bind_on(rootfd, "/dev/shm", S_IFDIR, "/dev/shm", true, 0, e) < 0)
			return err_wrap(e, "--ipc host");
		if (stat("/dev/mqueue", &st) == 0 &&
		    bind_on(rootfd, "/dev/mqueue", S_IFDIR, "/dev/mqueue", true, 0, e) < 0)
			return err_wrap(e, "--ipc host");
		return 0;
	}
	/* container:ID: ID's /dev/shm, attached by the init (rootfs_attach_at) */
	if (s->ipc_ns.share != NS_NONE && s->ipc_ns.share != NS_CONTAINER) {
		_cleanup_free_ char *shm = xasprintf("mode=1777,size=%llu",
						     s->shm_size ? (unsigned long long)s->shm_size
								 : 65536ULL * 1024);
		if (mount_on(rootfd, "/dev/shm", S_IFDIR, "shm", "tmpfs", fl, shm, e) < 0)
			return -1;
	}
	return mount_on(rootfd, "/dev/mqueue", S_IFDIR, "mqueue", "mqueue", fl, NULL, e);
}

/* --privileged: the host's devices the user can open, bound in as podman
 * does rootless (nodes can't be made); the container's own terminal
 * devices and those already there stay */
static int setup_privileged_dev(int rootfd, struct err *e)
{
	_cleanup_closedir_ DIR *d = opendir("/dev");
	struct dirent *de;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		_cleanup_free_ char *host = xasprintf("/dev/%s", de->d_name);
		_cleanup_close_ int there = -1;
		struct stat st;

		if (strncmp(de->d_name, "tty", 3) == 0 || strncmp(de->d_name, "pty", 3) == 0 ||
		    strcmp(de->d_name, "console") == 0 || strcmp(de->d_name, "ptmx") == 0)
			continue;
		if (lstat(host, &st) < 0 || !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
			continue;
		if (access(host, R_OK) < 0 && access(host, W_OK) < 0)
			continue;
		there = openat(rootfd, host + 1, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (there >= 0)
			continue;
		if (bind_on(rootfd, host, S_IFREG, host, false, 0, e) < 0)
			return err_wrap(e, "--privileged");
	}
	return 0;
}

/* One of the host's device nodes bound into the /dev tmpfs mounted just
 * before (dev): ours and empty, so the node is made right in it, with no
 * lookup from the container's root */
static int bind_dev_node(int dev, const char *name, struct err *e)
{
	_cleanup_free_ char *host = xasprintf("/dev/%s", name);
	_cleanup_close_ int fd = openat(dev, name,
					O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
					0644);
	char p[64];

	if (fd < 0)
		return err_make(e, errno, "creating /dev/%s in the container", name);
	if (mount(host, FDPATH(p, fd), NULL, MS_BIND, NULL) < 0)
		return err_make(e, errno, "mounting %s on %s", host, host);
	return 0;
}

static int setup_dev(const struct container_spec *s, int rootfd, struct err *e)
{
	static const char *const devs[] = { "null", "zero", "full", "random", "urandom", "tty" };
	static const char *const links[][2] = {
		{ "fd", "/proc/self/fd" },       { "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
		{ "ptmx", "pts/ptmx" },          { "core", "/proc/kcore" },
	};
	_cleanup_close_ int dev = -1;
	_cleanup_free_ char *ptsopt = NULL;

	if (mount_on(rootfd, "/dev", S_IFDIR, "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME,
		     "mode=755,size=65536k", e) < 0)
		return -1;
	dev = rootfs_open_in_root(rootfd, "/dev", 0, e);
	if (dev < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(devs); i++)
		if (bind_dev_node(dev, devs[i], e) < 0)
			return -1;
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (symlinkat(links[i][1], dev, links[i][0]) < 0 && errno != EEXIST)
			return err_make(e, errno, "creating /dev/%s", links[i][0]);
	ptsopt = gid_mapped(s, 5) ? xstrdup("newinstance,ptmxmode=0666,mode=0620,gid=5")
				  : xstrdup("newinstance,ptmxmode=0666,mode=0620");
	if (mount_on(rootfd, "/dev/pts", S_IFDIR, "devpts", "devpts", MS_NOSUID | MS_NOEXEC, ptsopt, e) < 0)
		return -1;
	if (setup_ipc(s, rootfd, e) < 0)
		return -1;
	if (s->init && bind_on(rootfd, "/dev/init", S_IFREG, s->init_path, false, MS_RDONLY, e) < 0)
		return err_wrap(e, "binding burrow-init for --init");
	if (s->privileged && setup_privileged_dev(rootfd, e) < 0)
		return -1;
	return 0;
}

/* --device: the host's node bound in (rootless can't mknod); a directory
 * brings what is below it */
static int setup_devices(const struct container_spec *s, int rootfd, struct err *e)
{
	for (size_t i = 0; s->devices && s->devices[i]; i++) {
		const char *d = s->devices[i], *c1 = strchr(d, ':'),
			   *c2 = strrchr(d, ':'); /* HOST:CTR:PERMS */
		_cleanup_free_ char *host = xstrndup(d, (size_t)(c1 - d));
		_cleanup_free_ char *ctr = xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
		struct stat st;

		if (stat(host, &st) < 0)
			return err_make(e, errno, "--device %s", host);
		if (bind_on(rootfd, ctr, S_ISDIR(st.st_mode) ? S_IFDIR : S_IFREG, host, S_ISDIR(st.st_mode),
			    0, e) < 0)
			return err_wrap(e, "--device %s", host);
	}
	return 0;
}

static int setup_sys(const struct container_spec *s, int rootfd, struct err *e)
{
	/* --privileged: writable, as podman's */
	const unsigned long ro = s->privileged ? 0 : MS_RDONLY, fl = MS_NOSUID | MS_NODEV | MS_NOEXEC | ro;

	if (s->net != NET_HOST) {
		if (mount_on(rootfd, "/sys", S_IFDIR, "sysfs", "sysfs", fl, NULL, e) == 0)
			return 0;
		if (e->errnum != EPERM)
			return -1;
		err_clear(e);
	}
	/* sharing the host's network namespace: sysfs can't be mounted anew */
	return bind_on(rootfd, "/sys", S_IFDIR, "/sys", true, ro, e);
}

/* --sysctl, through the container's own /proc before /proc/sys turns
 * read-only: the keys were checked to be namespaced (specextra.c) */
static int set_sysctls(const struct container_spec *s, int rootfd, struct err *e)
{
	for (size_t i = 0; s->sysctls[i]; i++) {
		const char *kv = s->sysctls[i], *val = strchr(kv, '=') + 1;
		_cleanup_free_ char *key = xstrndup(kv, (size_t)(val - 1 - kv));
		_cleanup_free_ char *path = NULL;
		_cleanup_close_ int fd = -1, wfd = -1;
		char p[64];

		for (char *c = key; *c; c++)
			if (*c == '.')
				*c = '/';
		path = xasprintf("/proc/sys/%s", key);
		fd = rootfs_open_in_root(rootfd, path, 0, e);
		if (fd < 0)
			return err_wrap(e, "--sysctl %.*s", (int)(val - 1 - kv), kv);
		wfd = open(FDPATH(p, fd), O_WRONLY | O_CLOEXEC);
		if (wfd < 0 || write(wfd, val, strlen(val)) != (ssize_t)strlen(val))
			return err_make(e, errno, "--sysctl %s", kv);
	}
	return 0;
}

/* a file of the run directory; with a user namespace of its own the init
 * is there already (idshift_child_wait) and may not walk the path to it */
static char *rundir_file(const struct container_spec *s, const char *name)
{
	return userns_opts_nested(&s->userns) ? xstrdup(name) : xasprintf("%s/%s", s->rundir, name);
}

static int bind_generated(const struct container_spec *s, int rootfd, const char *name, struct err *e)
{
	_cleanup_free_ char *src = rundir_file(s, name);
	_cleanup_free_ char *dst = xasprintf("/etc/%s", name);
	return bind_on(rootfd, dst, S_IFREG, src, false, 0, e);
}

/* keep-id's passwd and group (idshift_etc_files) into files of /dev (the
 * tmpfs setup_dev mounted), bound on /etc and unlinked at once: the mount
 * holds the file, and nothing is made on the run directory's filesystem.
 * Written by the init, they are owned by the container's root (or, with
 * the single-ID map, the user), as the run directory's would be. */
static int bind_texts(int rootfd, const struct idshift_etc *etc, struct err *e)
{
	const char *const names[] = { "passwd", "group" }, *const texts[] = { etc->passwd, etc->group };
	_cleanup_close_ int dev = rootfs_open_in_root(rootfd, "/dev", S_IFDIR, e);

	if (dev < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		_cleanup_free_ char *tmp = xasprintf(".burrow-%s", names[i]);
		_cleanup_free_ char *dst = xasprintf("/etc/%s", names[i]);
		_cleanup_close_ int fd = -1;
		char p[64];
		int rc;

		fd = openat(dev, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0)
			return err_make(e, errno, "creating /dev/%s", tmp);
		if (write_all(fd, texts[i], strlen(texts[i])) < 0 || fchmod(fd, 0644) < 0)
			rc = err_make(e, errno, "writing /dev/%s", tmp);
		else
			rc = mount_on(rootfd, dst, S_IFREG, FDPATH(p, fd), NULL, MS_BIND, NULL, e);
		unlinkat(dev, tmp, 0);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static bool user_covers(const struct container_spec *s, const char *path)
{
	for (size_t i = 0; i < s->nvolumes; i++)
		if (strcmp(s->volumes[i].dst, path) == 0)
			return true;
	for (size_t i = 0; i < s->ntmpfs; i++)
		if (strcmp(s->tmpfs[i].dst, path) == 0)
			return true;
	return false;
}

/* before the mount: the image's content into a new volume, and :U */
static int prepare_volume(const struct container_spec *s, int rootfd, const struct volume_spec *v,
			  struct err *e)
{
	if (v->copy_up && volume_copy_up(rootfd, v->dst, v->src, e) < 0)
		return -1;
	if (v->chown) {
		struct user_spec u;
		int rc;
		memset(&u, 0, sizeof u);
		if (resolve_user(rootfd, s->user ? s->user : "0", &u, e) < 0)
			return -1;
		rc = volume_chown(v->src, u.uid, u.gid, e);
		user_spec_free(&u);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int setup_volumes(const struct container_spec *s, int rootfd, struct err *e)
{
	for (size_t i = 0; i < s->nvolumes; i++) {
		const struct volume_spec *v = &s->volumes[i];
		_cleanup_close_ int src = -1, fd = -1;
		struct stat st;
		char p[64];

		if (prepare_volume(s, rootfd, v, e) < 0)
			return err_wrap(e, "volume %s:%s", v->name ? v->name : v->src, v->dst);
		src = open(v->src, O_PATH | O_CLOEXEC);
		if (src < 0 || fstat(src, &st) < 0)
			return err_make(e, errno, "volume source %s", v->src);
		if (bind_on(rootfd, v->dst, S_ISDIR(st.st_mode) ? S_IFDIR : S_IFREG, FDPATH(p, src), true,
			    (v->readonly ? MS_RDONLY : 0) | v->flags, e) < 0)
			return err_wrap(e, "volume %s:%s", v->src, v->dst);
		if (!v->propagation)
			continue;
		fd = rootfs_open_in_root(rootfd, v->dst, 0, e);
		if (fd < 0)
			return -1;
		if (mount(NULL, FDPATH(p, fd), NULL, v->propagation, NULL) < 0)
			return err_make(e, errno, "setting the propagation of %s", v->dst);
	}
	for (size_t i = 0; i < s->ntmpfs; i++) {
		const struct tmpfs_spec *t = &s->tmpfs[i];
		if (mount_on(rootfd, t->dst, S_IFDIR, "tmpfs", "tmpfs", t->flags, t->data, e) < 0)
			return -1;
	}
	if (s->read_only) {
		static const char *const rw[] = { "/tmp", "/var/tmp", "/run" };
		for (size_t i = 0; i < ARRAY_SIZE(rw); i++)
			if (!user_covers(s, rw[i]) && mount_on(rootfd, rw[i], S_IFDIR, "tmpfs", "tmpfs",
							       MS_NOSUID | MS_NODEV, "mode=1777", e) < 0)
				return -1;
	}
	return 0;
}

static int open_pty(int rootfd, int *ptmx, int *pts, struct err *e)
{
	_cleanup_close_ int pfd = rootfs_open_in_root(rootfd, "/dev/pts/ptmx", 0, e);
	char p[64];
	int unlock = 0, m, sl;

	if (pfd < 0)
		return -1;
	m = open(FDPATH(p, pfd), O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return err_make(e, errno, "opening the container's /dev/pts/ptmx");
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0) {
		close(m);
		return err_make(e, errno, "unlocking the pty");
	}
	sl = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (sl < 0) {
		close(m);
		return err_make(e, errno, "opening the pty peer");
	}
	/* /dev/console is the container's terminal, as with docker -t */
	if (bind_on(rootfd, "/dev/console", S_IFREG, FDPATH(p, sl), false, 0, e) < 0) {
		close(m);
		close(sl);
		return -1;
	}
	*ptmx = m;
	*pts = sl;
	return 0;
}

/* --pid host: a procfs can be mounted only for a PID namespace that the
 * container's user namespace owns; the host's /proc is bound instead, as
 * crun does */
static int setup_proc(const struct container_spec *s, int rootfd, struct err *e)
{
	const unsigned long fl = MS_NOSUID | MS_NODEV | MS_NOEXEC;

	if (mount_on(rootfd, "/proc", S_IFDIR, "proc", "proc", fl, NULL, e) == 0)
		return 0;
	if (s->pid_ns.share != NS_HOST || (e->errnum != EPERM && e->errnum != EBUSY))
		return -1;
	err_clear(e);
	return bind_on(rootfd, "/proc", S_IFDIR, "/proc", true, 0, e);
}

int rootfs_setup(const struct container_spec *s, int etcfd, int *rootfd, int *ptmx, int *pts, struct err *e)
{
	_cleanup_free_ char *merged = rundir_file(s, "merged");
	_cleanup_close_ int root = -1;

	*ptmx = *pts = -1;
	/* in a user namespace of its own the copied mounts are locked, and
	 * pivot_root refuses a locked root: bind it over itself first */
	if (userns_opts_nested(&s->userns) && mount(merged, merged, NULL, MS_BIND | MS_REC, NULL) < 0)
		return err_make(e, errno, "binding %s for the container's user namespace", merged);
	root = open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return err_make(e, errno, "opening %s", merged);
	if (setup_proc(s, root, e) < 0)
		return -1;
	log_debug("rootfs: proc");
	if (setup_sys(s, root, e) < 0 || setup_dev(s, root, e) < 0 || setup_devices(s, root, e) < 0)
		return -1;
	log_debug("rootfs: sys, dev");
	if (s->sysctls && set_sysctls(s, root, e) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(masked_paths) && !s->privileged; i++)
		if (mask_path(root, masked_paths[i], e) < 0)
			return -1;
	for (size_t i = 0; i < ARRAY_SIZE(readonly_paths) && !s->privileged; i++)
		if (readonly_path(root, readonly_paths[i], e) < 0)
			return -1;
	log_debug("rootfs: masks");
	if (bind_generated(s, root, "hostname", e) < 0 ||
	    (!s->no_hosts && bind_generated(s, root, "hosts", e) < 0) ||
	    (!s->no_resolv && bind_generated(s, root, "resolv.conf", e) < 0))
		return -1;
	if (s->userns.mode == USERNS_KEEPID && etcfd >= 0) {
		struct idshift_etc etc = { NULL, NULL };
		int rc = idshift_etc_recv(etcfd, &etc, e);
		if (rc == 0)
			rc = bind_texts(root, &etc, e);
		idshift_etc_free(&etc);
		if (rc < 0)
			return err_wrap(e, "--userns=keep-id");
	} else if (s->userns.mode == USERNS_KEEPID &&
		   (bind_generated(s, root, "passwd", e) < 0 || bind_generated(s, root, "group", e) < 0))
		return -1;
	if (s->tz) {
		_cleanup_free_ char *zone = strcmp(s->tz, "local") == 0
						    ? xstrdup("/etc/localtime")
						    : xasprintf("/usr/share/zoneinfo/%s", s->tz);
		if (bind_on(root, "/etc/localtime", S_IFREG, zone, false, MS_RDONLY, e) < 0)
			return err_wrap(e, "--tz %s", s->tz);
	}
	if (setup_volumes(s, root, e) < 0)
		return -1;
	if (s->tty && open_pty(root, ptmx, pts, e) < 0)
		return -1;
	log_debug("rootfs: volumes, files");
	*rootfd = steal_fd(root);
	return 0;
}

int rootfs_attach_at(int rootfd, const char *target, int mnt, struct err *e)
{
	_cleanup_close_ int fd = rootfs_open_in_root(rootfd, target, S_IFDIR, e);

	if (fd < 0)
		return -1;
	if (move_mount(mnt, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return err_make(e, errno, "mounting the shared %s", target);
	return 0;
}

int rootfs_pivot_root(int rootfd, struct err *e)
{
	if (fchdir(rootfd) < 0)
		return err_make(e, errno, "entering the container root");
	if (sys_pivot_root(".", ".") < 0)
		return err_make(e, errno, "pivot_root into the container root");
	log_debug("rootfs: pivot_root");
	return 0;
}

int rootfs_detach_old(struct err *e)
{
	if (umount2(".", MNT_DETACH) < 0)
		return err_make(e, errno, "detaching the old root");
	if (chdir("/") < 0)
		return err_make(e, errno, "chdir /");
	return 0;
}

int rootfs_pivot(int rootfd, struct err *e)
{
	if (rootfs_pivot_root(rootfd, e) < 0)
		return -1;
	return rootfs_detach_old(e);
}

int rootfs_finish(const struct container_spec *s, struct err *e)
{
	if (!s->read_only)
		return 0;
	if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | locked_flags("/"), NULL) < 0)
		return err_make(e, errno, "remounting / read-only");
	return 0;
}

void rootfs_remove_anon_volumes(const struct container_spec *s)
{
	for (size_t i = 0; i < s->nvolumes; i++) {
		const struct volume_spec *v = &s->volumes[i];
		_cleanup_free_ char *dir = NULL, *to = NULL;
		struct err e = ERR_INIT;
		char *slash;
		size_t n;

		/* <root>/volumes/NAME/_data: removed as volume rm does, by a
		 * rename out of sight first */
		if (!v->anonymous || !v->name || !v->src)
			continue;
		n = strlen(v->src);
		if (n < 7 || strcmp(v->src + n - 6, "/_data") != 0)
			continue;
		dir = xasprintf("%.*s", (int)(n - 6), v->src);
		slash = strrchr(dir, '/');
		if (!slash || strcmp(slash + 1, v->name) != 0)
			continue;
		to = xasprintf("%.*s/.rm-%.16s", (int)(slash - dir), dir, v->name);
		if (rename(dir, to) < 0 || rm_rf_at(AT_FDCWD, to, &e) < 0)
			log_warn("removing anonymous volume %.12s: %s", v->name,
				 e.msg ? e.msg : strerror(errno));
		err_clear(&e);
	}
}
