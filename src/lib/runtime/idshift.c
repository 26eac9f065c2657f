/* idshift.c - layers seen through a container's own ID map (see idshift.h).
 *
 * A layer's files are owned by intermediate IDs (the ones in the image: 0
 * for root).  A container with a map of its own (--userns=keep-id, nomap,
 * --uidmap) would see them through that map, so root's files would show
 * as the user.  The kernel can't help cheaply here: overlayfs refuses
 * idmapped mounts (MOUNT_ATTR_IDMAP: EINVAL on 6.18) and the layers sit on
 * the host's filesystem, where an unprivileged user may not idmap a mount
 * (EPERM).  So each layer is copied once per map with every owner r
 * changed to map(r), next to the layer (layers/<hex>/idmap-<key>), and
 * later containers with the same map use the copy: a warm start costs one
 * stat per layer.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "idshift.h"
#include "lib/base/log.h"
#include "rootfs.h"
#include "lib/base/util.h"

#define COPY_DEPTH_MAX 512

struct link_seen {
	dev_t dev;
	ino_t ino;
	char *path; /* relative to the copy's root */
};

struct shift {
	const struct userns_opts *o;
	int dstroot;
	struct link_seen *links;
	size_t nlinks;
};

static unsigned long map_id(const struct idrange *r, size_t n, unsigned long id)
{
	unsigned long v = idrange_map(r, n, id, false);
	return v == (unsigned long)-1 ? id : v;
}

static void shift_owner(const struct shift *sh, int dfd, const char *name, const struct stat *st, int flags)
{
	uid_t u = (uid_t)map_id(sh->o->uids, sh->o->nuids, st->st_uid);
	gid_t g = (gid_t)map_id(sh->o->gids, sh->o->ngids, st->st_gid);
	if (fchownat(dfd, name, u, g, flags) < 0)
		log_debug("idshift: chown %s: %s", name, strerror(errno));
}

static void copy_xattrs(int sfd, int dfd)
{
	char names[4096], val[65536];
	ssize_t len = flistxattr(sfd, names, sizeof names);

	for (ssize_t i = 0; i < len; i += (ssize_t)strlen(names + i) + 1) {
		ssize_t vl = fgetxattr(sfd, names + i, val, sizeof val);
		if (vl >= 0 && fsetxattr(dfd, names + i, val, (size_t)vl, 0) < 0)
			log_debug("idshift: xattr %s: %s", names + i, strerror(errno));
	}
}

static void set_times(int dfd, const char *name, const struct stat *st, int flags)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	utimensat(dfd, name, ts, flags);
}

static int copy_data(int in, int out, const char *name, struct err *e)
{
	char buf[65536];

	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (n > 0)
			continue;
		if (n == 0)
			return 0;
		if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
			return err_make(e, errno, "copying %s", name);
		break;
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_make(e, errno, "reading %s", name);
		if (n == 0)
			return 0;
		if (write_all(out, buf, (size_t)n) < 0)
			return err_make(e, errno, "writing %s", name);
	}
}

static int copy_file(struct shift *sh, int sdir, int ddir, const char *name, const char *rel,
		     const struct stat *st, struct err *e)
{
	_cleanup_close_ int in = -1, out = -1;

	if (st->st_nlink > 1) {
		for (size_t i = 0; i < sh->nlinks; i++)
			if (sh->links[i].dev == st->st_dev && sh->links[i].ino == st->st_ino) {
				if (linkat(sh->dstroot, sh->links[i].path, ddir, name, 0) < 0)
					return err_make(e, errno, "linking %s", rel);
				return 0;
			}
		sh->links = xrealloc(sh->links, (sh->nlinks + 1) * sizeof *sh->links);
		sh->links[sh->nlinks++] = (struct link_seen){ st->st_dev, st->st_ino, xstrdup(rel) };
	}
	in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return err_make(e, errno, "opening %s", rel);
	out = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return err_make(e, errno, "creating %s", rel);
	if (copy_data(in, out, rel, e) < 0)
		return -1;
	copy_xattrs(in, out);
	shift_owner(sh, out, "", st, AT_EMPTY_PATH);
	/* after the chown, which clears set-user-ID and set-group-ID */
	if (fchmod(out, st->st_mode & 07777) < 0)
		return err_make(e, errno, "chmod %s", rel);
	set_times(out, "", st, AT_EMPTY_PATH);
	return 0;
}

static int copy_tree(struct shift *sh, int sdir, int ddir, const char *rel, int depth, struct err *e)
{
	_cleanup_close_ int sfd = dup(sdir);
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (depth > COPY_DEPTH_MAX)
		return err_make(e, ELOOP, "%s: too deep", rel);
	if (sfd < 0 || !(d = fdopendir(sfd)))
		return err_make(e, errno, "reading %s", rel);
	(void)steal_fd(sfd); /* the DIR owns it */
	while (rc == 0 && (de = readdir(d))) {
		const char *n = de->d_name;
		_cleanup_free_ char *r = NULL;
		struct stat st;

		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		r = *rel ? xasprintf("%s/%s", rel, n) : xstrdup(n);
		if (fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = err_make(e, errno, "stat %s", r);
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			_cleanup_close_ int s2 = -1, d2 = -1;
			if (mkdirat(ddir, n, 0700) < 0) {
				rc = err_make(e, errno, "creating %s", r);
				break;
			}
			s2 = openat(dirfd(d), n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			d2 = openat(ddir, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (s2 < 0 || d2 < 0) {
				rc = err_make(e, errno, "opening %s", r);
				break;
			}
			rc = copy_tree(sh, s2, d2, r, depth + 1, e);
			if (rc < 0)
				break;
			copy_xattrs(s2, d2);
			shift_owner(sh, d2, "", &st, AT_EMPTY_PATH);
			fchmod(d2, st.st_mode & 07777);
			set_times(d2, "", &st, AT_EMPTY_PATH);
		} else if (S_ISREG(st.st_mode)) {
			rc = copy_file(sh, dirfd(d), ddir, n, r, &st, e);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t len = readlinkat(dirfd(d), n, target, sizeof target - 1);
			if (len < 0) {
				rc = err_make(e, errno, "reading the link %s", r);
				break;
			}
			target[len] = '\0';
			if (symlinkat(target, ddir, n) < 0) {
				rc = err_make(e, errno, "creating the link %s", r);
				break;
			}
			shift_owner(sh, ddir, n, &st, AT_SYMLINK_NOFOLLOW);
			set_times(ddir, n, &st, AT_SYMLINK_NOFOLLOW);
		} else {
			/* whiteouts (0:0 character devices), fifos, sockets */
			if (mknodat(ddir, n, st.st_mode, st.st_rdev) < 0) {
				rc = err_make(e, errno, "creating %s", r);
				break;
			}
			shift_owner(sh, ddir, n, &st, AT_SYMLINK_NOFOLLOW);
			fchmodat(ddir, n, st.st_mode & 07777, 0);
			set_times(ddir, n, &st, AT_SYMLINK_NOFOLLOW);
		}
	}
	closedir(d);
	return rc;
}

char *idshift_key(const struct userns_opts *o)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	_cleanup_free_ char *u = NULL;
	char *t;

	u = xstrdup("u");
	for (size_t i = 0; i < o->nuids; i++) {
		t = xasprintf("%s %lu:%lu:%lu", u, o->uids[i].inner, o->uids[i].outer, o->uids[i].count);
		free(u);
		u = t;
	}
	t = xasprintf("%s g", u);
	free(u);
	u = t;
	for (size_t i = 0; i < o->ngids; i++) {
		t = xasprintf("%s %lu:%lu:%lu", u, o->gids[i].inner, o->gids[i].outer, o->gids[i].count);
		free(u);
		u = t;
	}
	for (const char *p = u; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ULL;
	}
	return xasprintf("%016llx", (unsigned long long)h);
}

/* Remove the half-made copies (.idmap-<key>.<pid>) of starts that were
 * killed: the pid is gone and the copy hasn't changed for ten minutes (the
 * age guards against a pid seen from another PID namespace). */
static void sweep_stale_copies(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	time_t now = time(NULL);

	if (!d)
		return;
	while ((de = readdir(d))) {
		const char *dot = strrchr(de->d_name, '.');
		struct stat st;
		char *end;
		long pid;

		if (strncmp(de->d_name, ".idmap-", 7) != 0 || !dot || dot == de->d_name)
			continue;
		pid = strtol(dot + 1, &end, 10);
		if (*end || pid <= 0 || pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode) ||
		    now - st.st_mtime < 600)
			continue;
		{
			struct err ignore = ERR_INIT;
			log_debug("idshift: removing the stale copy %s/%s", dir, de->d_name);
			rm_rf_at(dirfd(d), de->d_name, &ignore);
			err_clear(&ignore);
		}
	}
	closedir(d);
}

/* layers/<hex>/diff -> layers/<hex>/idmap-<key>, made if missing */
static int shift_layer(const struct userns_opts *o, const char *key, const char *lower, char **out,
		       struct err *e)
{
	const char *slash = strrchr(lower, '/');
	_cleanup_free_ char *dir = slash ? xstrndup(lower, (size_t)(slash - lower)) : xstrdup(".");
	_cleanup_free_ char *dst = xasprintf("%s/idmap-%s", dir, key);
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int sfd = -1, dfd = -1;
	struct shift sh = { o, -1, NULL, 0 };
	struct stat st;
	int rc;

	if (access(dst, F_OK) == 0) {
		*out = steal_ptr(dst);
		return 0;
	}
	sweep_stale_copies(dir);
	tmp = xasprintf("%s/.idmap-%s.%d", dir, key, (int)getpid());
	rm_rf_at(AT_FDCWD, tmp, e);
	err_clear(e);
	sfd = open(lower, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0 || fstat(sfd, &st) < 0)
		return err_make(e, errno, "opening the layer %s", lower);
	if (mkdir(tmp, 0700) < 0 || (dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_make(e, errno, "creating %s", tmp);
	sh.dstroot = dfd;
	rc = copy_tree(&sh, sfd, dfd, "", 0, e);
	for (size_t i = 0; i < sh.nlinks; i++)
		free(sh.links[i].path);
	free(sh.links);
	if (rc == 0) {
		copy_xattrs(sfd, dfd);
		shift_owner(&sh, dfd, "", &st, AT_EMPTY_PATH);
		fchmod(dfd, st.st_mode & 07777);
		if (rename(tmp, dst) < 0 && errno != EEXIST && errno != ENOTEMPTY)
			rc = err_make(e, errno, "renaming %s", tmp);
	}
	if (rc < 0 || access(tmp, F_OK) == 0) {
		/* failed, or another start made it first */
		struct err ignore = ERR_INIT;
		rm_rf_at(AT_FDCWD, tmp, &ignore);
		err_clear(&ignore);
	}
	if (rc < 0)
		return err_wrap(e, "copying layer %s for the container's ID map", lower);
	log_debug("idshift: made %s", dst);
	*out = steal_ptr(dst);
	return 0;
}

bool idshift_needed(const struct container_spec *s)
{
	return userns_opts_nested(&s->userns) && s->idmap && !s->idmap->single;
}

int idshift_lowerdirs(const struct container_spec *s, char ***out, struct err *e)
{
	_cleanup_free_ char *key = idshift_key(&s->userns);
	_cleanup_strv_ char **v = NULL;
	size_t n = 0;

	while (s->lowerdirs && s->lowerdirs[n])
		n++;
	v = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		if (shift_layer(&s->userns, key, s->lowerdirs[i], &v[i], e) < 0)
			return -1;
	*out = steal_ptr(v);
	return 0;
}

unsigned long idshift_root_uid(const struct container_spec *s)
{
	return map_id(s->userns.uids, s->userns.nuids, 0);
}

unsigned long idshift_root_gid(const struct container_spec *s)
{
	return map_id(s->userns.gids, s->userns.ngids, 0);
}

/* ---- the init's own user namespace -------------------------------------- */

static void close_pair_fds(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0) {
			close(p[i]);
			p[i] = -1;
		}
}

int idshift_child_wait(int mapp[2], const struct container_spec *s, bool keep, struct err *e)
{
	char c;
	ssize_t n;

	close(mapp[1]);
	while ((n = read(mapp[0], &c, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		_exit(125); /* the supervisor reports why */
	/* the runroot is the user's and may be 0700 all the way: go to the
	 * container's run directory while we are still the user, and the
	 * init finds its files from there (rootfs.c) */
	if (chdir(s->rundir) < 0)
		return err_make(e, errno, "entering %s", s->rundir);
	/* root inside where the container has a root; keep-id with the
	 * single-ID map has none, and the user stays itself with the
	 * namespace's capabilities until become_user */
	if (idrange_map(s->userns.uids, s->userns.nuids, 0, false) != (unsigned long)-1 &&
	    userns_become_root(s->idmap, e) < 0)
		return -1;
	/* the new IDs made us undumpable; burrow-net must still join our
	 * namespaces (init_main makes us undumpable once it has) */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* ready: the supervisor may let burrow-net in */
	if (write(mapp[0], "1", 1) != 1)
		_exit(125);
	if (!keep) {
		close(mapp[0]);
		mapp[0] = -1;
	}
	return 0;
}

static int write_map(pid_t pid, const char *file, const struct idrange *r, size_t n, struct err *e)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/%s", (int)pid, file);
	_cleanup_free_ char *txt = idmap_text(r, n);
	if (write_file_at(AT_FDCWD, path, txt, e) < 0)
		return err_wrap(e, "writing the container's %s", file);
	return 0;
}

/* keep-id's texts to the init: their lengths, then passwd and group.  A
 * gone init (EPIPE) is no error here: it says why on its own channel. */
static int etc_send(int fd, const struct idshift_etc *t, struct err *e)
{
	const char *const parts[] = { t->passwd, t->group };
	uint32_t len[2] = { (uint32_t)strlen(t->passwd), (uint32_t)strlen(t->group) };

	for (int i = -1; i < 2; i++) {
		const char *p = i < 0 ? (const char *)len : parts[i];
		size_t left = i < 0 ? sizeof len : len[i];
		while (left > 0) {
			ssize_t n = send(fd, p, left, MSG_NOSIGNAL);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
				return 0;
			if (n < 0)
				return err_make(e, errno, "sending keep-id's passwd and group");
			p += n;
			left -= (size_t)n;
		}
	}
	return 0;
}

int idshift_etc_recv(int fd, struct idshift_etc *out, struct err *e)
{
	uint32_t len[2];
	char **parts[] = { &out->passwd, &out->group };

	ssize_t n = read_all(fd, len, sizeof len);

	if (n != (ssize_t)sizeof len)
		return err_make(e, n < 0 ? errno : 0, "reading keep-id's passwd and group");
	for (int i = 0; i < 2; i++) {
		if (len[i] > 1U << 23)
			return err_make(e, EINVAL, "keep-id's passwd and group: too long");
		*parts[i] = xcalloc(1, (size_t)len[i] + 1);
		if (len[i] && (n = read_all(fd, *parts[i], len[i])) != (ssize_t)len[i])
			return err_make(e, n < 0 ? errno : 0, "reading keep-id's passwd and group");
	}
	return 0;
}

int idshift_write_maps(pid_t child, const struct container_spec *s, int mapp[2], struct idshift_etc *etc,
		       struct err *e)
{
	int rc;

	close(mapp[0]);
	mapp[0] = -1;
	rc = write_map(child, "uid_map", s->userns.uids, s->userns.nuids, e);
	if (rc == 0)
		rc = write_map(child, "gid_map", s->userns.gids, s->userns.ngids, e);
	if (rc == 0 && write(mapp[1], "1", 1) != 1)
		rc = err_make(e, errno, "starting the container's user namespace");
	/* keep-id's texts, made (once) while the child becomes root and
	 * sent: it reads them when it binds them, a millisecond later */
	if (rc == 0 && etc) {
		if (!etc->passwd) {
			rc = idshift_etc_files(s, etc, e);
			if (rc == 0)
				log_debug("supervisor: keep-id's passwd and group");
		}
		if (rc == 0 && etc->passwd && etc->group)
			rc = etc_send(mapp[1], etc, e);
	}
	if (rc == 0) {
		/* until it is root there and dumpable again; at EOF it failed
		 * and says why on its own channel */
		char c;
		while (read(mapp[1], &c, 1) < 0 && errno == EINTR)
			;
	}
	close(mapp[1]);
	mapp[1] = -1;
	return rc;
}

/* ---- keep-id: the user in /etc/passwd and /etc/group ------------------- */

static char *read_in_root(int rootfd, const char *path)
{
	struct err e = ERR_INIT;
	_cleanup_close_ int fd = rootfs_open_in_root(rootfd, path, 0, &e);
	_cleanup_free_ char *fdpath = xasprintf("/proc/self/fd/%d", fd);
	char *buf = NULL;

	err_clear(&e);
	if (fd < 0 || read_file_at(AT_FDCWD, fdpath, 1 << 22, &buf, NULL, &e) < 0) {
		err_clear(&e);
		return xstrdup("");
	}
	return buf;
}

/* field k (0-based) of the line whose field 2 is id, or NULL */
static char *entry_field(const char *db, unsigned long id, int k)
{
	const char *line = db;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		_cleanup_free_ char *l = xstrndup(line, len);
		char *f[7] = { NULL }, *p = l;
		int n = 0;
		for (char *c; n < 7 && (c = strsep(&p, ":"));)
			f[n++] = c;
		if (n > 2 && *f[2] && strtoul(f[2], NULL, 10) == id && (k < n))
			return xstrdup(f[k]);
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

/* the image's file with the entry added */
static char *etc_text(const char *db, const char *add)
{
	size_t len = strlen(db);

	return xasprintf("%s%s%s", db, len && db[len - 1] != '\n' ? "\n" : "", add ? add : "");
}

static int write_etc(const struct container_spec *s, const char *name, const char *txt, struct err *e)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", s->rundir, name);

	if (write_file_atomic_at(AT_FDCWD, path, txt, strlen(txt), 0644, e) < 0)
		return -1;
	/* owned by the container's root, as the image's file */
	if (idshift_needed(s) && chown(path, (uid_t)idshift_root_uid(s), (gid_t)idshift_root_gid(s)) < 0)
		return err_make(e, errno, "chown %s", path);
	return 0;
}

bool idshift_etc_in_dev(void)
{
	const char *v = getenv("BURROW_KEEPID_TMPFS");

	return !(v && strcmp(v, "0") == 0);
}

void idshift_etc_free(struct idshift_etc *t)
{
	free(t->passwd);
	free(t->group);
	t->passwd = t->group = NULL;
}

int idshift_etc_files(const struct container_spec *s, struct idshift_etc *out, struct err *e)
{
	_cleanup_free_ char *merged = xasprintf("%s/merged", s->rundir);
	_cleanup_close_ int root = -1;
	_cleanup_free_ char *pw = NULL, *gr = NULL, *shell = NULL, *pwadd = NULL, *gradd = NULL;
	_cleanup_free_ char *have = NULL, *home = NULL, *pwtxt = NULL, *grtxt = NULL;
	const char *name = s->idmap && s->idmap->user ? s->idmap->user : "user";
	const char *hosthome = getenv("HOME");
	unsigned long uid = s->userns.uid, gid = s->userns.gid;

	if (s->userns.mode != USERNS_KEEPID)
		return 0;
	root = open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return err_make(e, errno, "opening %s", merged);
	pw = read_in_root(root, "/etc/passwd");
	gr = read_in_root(root, "/etc/group");
	have = entry_field(pw, uid, 0);
	if (!have) {
		/* podman's entry: name:*:UID:GID::HOME:SHELL, the home if the
		 * image has it, the shell of the image's root */
		struct err ig = ERR_INIT;
		int hfd = hosthome && *hosthome == '/' ? rootfs_open_in_root(root, hosthome, 0, &ig) : -1;
		err_clear(&ig);
		home = xstrdup(hfd >= 0 ? hosthome : "/");
		if (hfd >= 0)
			close(hfd);
		shell = entry_field(pw, 0, 6);
		pwadd = xasprintf("%s:*:%lu:%lu::%s:%s\n", name, uid, gid, home,
				  shell && *shell ? shell : "/bin/sh");
	}
	free(have);
	have = entry_field(gr, gid, 0);
	if (!have)
		gradd = xasprintf("%s:x:%lu:\n", name, gid);
	pwtxt = etc_text(pw, pwadd);
	grtxt = etc_text(gr, gradd);
	if (idshift_etc_in_dev()) {
		/* the init writes them (rootfs.c) */
		idshift_etc_free(out);
		out->passwd = steal_ptr(pwtxt);
		out->group = steal_ptr(grtxt);
		return 0;
	}
	if (write_etc(s, "passwd", pwtxt, e) < 0 || write_etc(s, "group", grtxt, e) < 0)
		return err_wrap(e, "--userns=keep-id");
	return 0;
}

int idshift_run(const struct container_spec *s, int (*fn)(void *arg, struct err *e), void *arg, struct err *e)
{
	int ready[2] = { -1, -1 }, mapp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	pid_t pid;
	int st, r, rc = -1;
	char c;

	if (pipe2(ready, O_CLOEXEC) < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, mapp) < 0 ||
	    pipe2(errp, O_CLOEXEC) < 0) {
		err_make(e, errno, "pipe");
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		err_make(e, errno, "fork");
		goto out;
	}
	if (pid == 0) {
		struct err ce = ERR_INIT;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(ready[0]);
		close(errp[0]);
		if (unshare(CLONE_NEWUSER) < 0) {
			err_make(&ce, errno, "creating the container's user namespace");
			err_send(errp[1], &ce);
			_exit(125);
		}
		if (write(ready[1], "1", 1) != 1)
			_exit(125);
		if (idshift_child_wait(mapp, s, false, &ce) < 0 || fn(arg, &ce) < 0) {
			err_send(errp[1], &ce);
			_exit(ce.status ? ce.status : 125);
		}
		_exit(0);
	}
	close(ready[1]);
	close(errp[1]);
	ready[1] = errp[1] = -1;
	if (read(ready[0], &c, 1) == 1)
		idshift_write_maps(pid, s, mapp, NULL, e);
	close_pair_fds(mapp);
	r = err_recv(errp[0], e);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (r > 0 || e->msg)
		goto out;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		err_make(e, 0, "the process in the container's user namespace failed (status %d)", st);
		goto out;
	}
	rc = 0;
out:
	close_pair_fds(ready);
	close_pair_fds(mapp);
	close_pair_fds(errp);
	return rc;
}
