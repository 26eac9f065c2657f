/* ctrcopy.c - see ctrcopy.h */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "ctrcopy.h"
#include "treecopy.h"
#include "unpack.h"
#include "lib/base/util.h"
#include "lib/record/spec.h"
#include "lib/runtime/ctrfs.h"
#include "lib/runtime/userns.h"

#define BUFSZ (256 * 1024)
#define PIPE_SZ (1024 * 1024) /* fewer switches between the two sides */

/* ---- a tree as a tar ---------------------------------------------------------- */

struct link {
	dev_t dev;
	ino_t ino;
	char *name;
};

struct tt {
	struct archive *a;
	char *buf;
	struct link *links;
	size_t nlinks;
	bool set_owner; /* every entry gets uid:gid */
	bool one_mount; /* export: leave out what is mounted over the root
			 * (/proc, /sys, /dev, volumes, the generated /etc files) */
	uint64_t mnt_id;
	uid_t uid;
	gid_t gid;
};

static int tt_write_data(struct tt *t, int fd, int64_t size, const char *name, struct err *e)
{
	int64_t left = size;

	while (left > 0) {
		ssize_t n = read(fd, t->buf, left < BUFSZ ? (size_t)left : BUFSZ);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_make(e, errno, "reading %s", name);
		if (n == 0) {
			/* it shrank while we read: pad to the size in the header */
			memset(t->buf, 0, left < BUFSZ ? (size_t)left : BUFSZ);
			n = left < BUFSZ ? (ssize_t)left : BUFSZ;
		}
		if (archive_write_data(t->a, t->buf, (size_t)n) < 0)
			return err_make(e, 0, "writing the tar: %s", archive_error_string(t->a));
		left -= n;
	}
	return 0;
}

static int tt_entry(struct tt *t, int dirfd, const char *name, const char *arc, struct err *e);

static int tt_dir(struct tt *t, int fd, const char *arc, struct err *e)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		close(fd);
		return err_make(e, errno, "reading %s", arc);
	}
	while (rc == 0 && (errno = 0, de = readdir(d))) {
		_cleanup_free_ char *sub = NULL;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		sub = *arc ? xasprintf("%s/%s", arc, de->d_name) : xstrdup(de->d_name);
		rc = tt_entry(t, dirfd(d), de->d_name, sub, e);
	}
	if (rc == 0 && errno)
		rc = err_make(e, errno, "reading %s", arc);
	closedir(d);
	return rc;
}

/* arc "" is the top of a content copy: its own entry is left out */
static int tt_entry(struct tt *t, int dirfd, const char *name, const char *arc, struct err *e)
{
	_cleanup_close_ int fd = -1;
	struct archive_entry *ent;
	struct stat st;
	char target[4096];
	int rc = 0;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return err_make(e, errno, "%s", arc);
	if (t->one_mount) {
		struct statx sx;
		if (statx(dirfd, name, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) < 0)
			return err_make(e, errno, "%s", arc);
		if (!t->mnt_id)
			t->mnt_id = sx.stx_mnt_id;
		else if (sx.stx_mnt_id != t->mnt_id)
			return 0;
	}
	if (S_ISSOCK(st.st_mode))
		return 0;
	if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
		fd = openat(dirfd, name,
			    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK |
				    (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
		if (fd < 0 || fstat(fd, &st) < 0)
			return err_make(e, errno, "opening %s", arc);
	}
	if (S_ISDIR(st.st_mode) && !*arc)
		return tt_dir(t, steal_fd(fd), arc, e);
	ent = archive_entry_new();
	archive_entry_set_pathname(ent, arc);
	archive_entry_set_mode(ent, st.st_mode);
	archive_entry_set_uid(ent, t->set_owner ? t->uid : st.st_uid);
	archive_entry_set_gid(ent, t->set_owner ? t->gid : st.st_gid);
	archive_entry_set_mtime(ent, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	archive_entry_set_size(ent, S_ISREG(st.st_mode) ? st.st_size : 0);
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlinkat(dirfd, name, target, sizeof target - 1);
		if (n < 0) {
			archive_entry_free(ent);
			return err_make(e, errno, "reading the link %s", arc);
		}
		target[n] = '\0';
		archive_entry_set_symlink(ent, target);
	} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
		archive_entry_set_rdev(ent, st.st_rdev);
	} else if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
		for (size_t i = 0; i < t->nlinks; i++) {
			if (t->links[i].dev == st.st_dev && t->links[i].ino == st.st_ino) {
				archive_entry_set_hardlink(ent, t->links[i].name);
				archive_entry_set_size(ent, 0);
				closep(&fd);
				break;
			}
		}
		if (fd >= 0) {
			t->links = xrealloc(t->links, (t->nlinks + 1) * sizeof *t->links);
			t->links[t->nlinks++] = (struct link){ st.st_dev, st.st_ino, xstrdup(arc) };
		}
	}
	if (archive_write_header(t->a, ent) != ARCHIVE_OK)
		rc = err_make(e, 0, "writing the tar: %s", archive_error_string(t->a));
	archive_entry_free(ent);
	if (rc == 0 && S_ISREG(st.st_mode) && fd >= 0)
		rc = tt_write_data(t, fd, st.st_size, arc, e);
	if (rc == 0 && S_ISDIR(st.st_mode))
		rc = tt_dir(t, steal_fd(fd), arc, e);
	return rc;
}

/* dirfd/name (or the directory dirfd itself for name ".") as arc */
static int tree_tar(int dirfd, const char *name, const char *arc, const struct tt *owner, bool one_mount,
		    int outfd, struct err *e)
{
	struct tt t;
	int rc;

	memset(&t, 0, sizeof t);
	t.one_mount = one_mount;
	if (owner) {
		t.set_owner = true;
		t.uid = owner->uid;
		t.gid = owner->gid;
	}
	t.buf = xmalloc(BUFSZ);
	t.a = archive_write_new();
	archive_write_set_format_pax_restricted(t.a);
	archive_write_set_bytes_per_block(t.a, BUFSZ); /* not 10 KiB writes to the pipe */
	archive_write_set_bytes_in_last_block(t.a, 1);
	if (archive_write_open_fd(t.a, outfd) != ARCHIVE_OK) {
		rc = err_make(e, 0, "writing the tar: %s", archive_error_string(t.a));
	} else {
		rc = tt_entry(&t, dirfd, name, arc, e);
		if (archive_write_close(t.a) != ARCHIVE_OK && rc == 0)
			rc = err_make(e, 0, "writing the tar: %s", archive_error_string(t.a));
	}
	archive_write_free(t.a);
	for (size_t i = 0; i < t.nlinks; i++)
		free(t.links[i].name);
	free(t.links);
	free(t.buf);
	return rc;
}

/* ---- where things land ---------------------------------------------------------- */

enum kind { K_MISSING, K_FILE, K_DIR, K_NOPARENT };

struct probe {
	enum kind kind; /* of the path (symlinks followed) */
	uid_t uid;      /* the container's user */
	gid_t gid;
};

static char *parent_of(const char *p)
{
	const char *slash = strrchr(p, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == p)
		return xstrdup("/");
	return xstrndup(p, (size_t)(slash - p));
}

static char *base_of(const char *p)
{
	_cleanup_free_ char *t = xstrdup(p);
	size_t n = strlen(t);
	const char *slash;

	while (n > 1 && t[n - 1] == '/')
		t[--n] = '\0';
	slash = strrchr(t, '/');
	return xstrdup(slash ? slash + 1 : t);
}

static enum kind kind_of(const char *path)
{
	struct stat st;
	_cleanup_free_ char *parent = NULL;

	if (stat(path, &st) == 0)
		return S_ISDIR(st.st_mode) ? K_DIR : K_FILE;
	parent = parent_of(path);
	if (stat(parent, &st) < 0 || !S_ISDIR(st.st_mode))
		return K_NOPARENT;
	return K_MISSING;
}

/* ends in "/." : the content of the directory */
static bool content_of(const char *p)
{
	size_t n = strlen(p);
	return (n >= 2 && !strcmp(p + n - 2, "/.")) || !strcmp(p, ".");
}

/* how SRC (a file or directory) lands at DEST of kind k: the directory to
 * unpack into and the name of the top entry ("" for a content copy) */
static int landing(const char *src, bool src_dir, const char *dest, enum kind k, char **dir, char **top,
		   struct err *e)
{
	size_t dl = strlen(dest);
	bool slash = dl > 0 && dest[dl - 1] == '/';

	if (k == K_NOPARENT)
		return err_make(e, ENOENT, "copying to %s: the parent directory does not exist", dest);
	if (k == K_DIR) {
		*dir = xstrdup(dest);
		*top = src_dir && content_of(src) ? xstrdup("") : base_of(src);
		return 0;
	}
	if (k == K_FILE && src_dir)
		return err_make(e, 0, "cannot copy a directory onto the file %s", dest);
	if (k == K_MISSING && slash && !src_dir)
		return err_make(e, ENOENT, "copying to %s: the directory does not exist", dest);
	*dir = parent_of(dest);
	*top = base_of(dest);
	return 0;
}

/* ---- the container's side --------------------------------------------------------- */

struct cside {
	const struct container_spec *s;
	const char *path; /* in the container */
	int fd;           /* probe: its answer; in: a tar to unpack; out: the tar written */
	const char *top;  /* out: the name of the top entry */
	bool archive;
	bool one_mount;
	const struct tree_copy *tree; /* in without a tar: the host side */
};

static int probe_fn(void *arg, struct err *e)
{
	struct cside *c = arg;
	struct probe p = { .kind = kind_of(c->path) };
	struct user_spec u;
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	memset(&u, 0, sizeof u);
	if (root >= 0 && resolve_user(root, c->s->user ? c->s->user : "0", &u, e) == 0) {
		p.uid = u.uid;
		p.gid = u.gid;
		user_spec_free(&u);
	}
	err_clear(e);
	if (root >= 0)
		close(root);
	if (write(c->fd, &p, sizeof p) != (ssize_t)sizeof p)
		return err_make(e, errno, "answering the probe");
	return 0;
}

static int probe(const struct ctr_copy *cc, const char *path, struct probe *out, struct err *e)
{
	int pp[2];
	struct cside c = { .s = cc->s, .path = path };
	int rc;

	memset(out, 0, sizeof *out);
	if (pipe2(pp, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	c.fd = pp[1];
	rc = ctrfs_run(cc->s, cc->init, probe_fn, &c, e);
	close(pp[1]);
	if (rc == 0 && read(pp[0], out, sizeof *out) != (ssize_t)sizeof *out)
		rc = err_make(e, EIO, "probing %s in the container", path);
	close(pp[0]);
	return rc;
}

static int in_fn(void *arg, struct err *e)
{
	struct cside *c = arg;
	struct unpack_opts o = { .plain = true };
	struct unpack_result r;
	_cleanup_close_ int dir = open(c->path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (dir < 0)
		return err_make(e, errno, "%s in the container", c->path);
	return unpack_fd(c->fd, dir, &o, &r, e);
}

static int in_tree_fn(void *arg, struct err *e)
{
	struct cside *c = arg;
	struct tree_copy t = *c->tree;
	_cleanup_close_ int dir = open(c->path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (dir < 0)
		return err_make(e, errno, "%s in the container", c->path);
	t.destdir = dir;
	return tree_copy_run(&t, e);
}

static int out_fn(void *arg, struct err *e)
{
	struct cside *c = arg;
	_cleanup_free_ char *parent = parent_of(c->path), *base = base_of(c->path);
	_cleanup_close_ int dir = -1;
	bool content = content_of(c->path);

	dir = open(content ? c->path : parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return err_make(e, errno, "%s in the container", c->path);
	return tree_tar(dir, content ? "." : base, c->top, NULL, c->one_mount, c->fd, e);
}

/* ---- moving the stream ---------------------------------------------------------- */

typedef int side_fn(void *arg, int fd, struct err *e);

/* fn(arg, fd) in a child process while the caller's work runs: the two
 * ends of one pipe; the child's error comes back */
static pid_t side_start(side_fn *fn, void *arg, int fd, int other, int *errfd, struct err *e)
{
	int ep[2];
	pid_t pid;

	if (pipe2(ep, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	pid = fork();
	if (pid < 0) {
		close(ep[0]);
		close(ep[1]);
		return err_make(e, errno, "fork");
	}
	if (pid == 0) {
		struct err ce = ERR_INIT;
		close(ep[0]);
		close(other);
		signal(SIGPIPE, SIG_DFL);
		if (fn(arg, fd, &ce) < 0) {
			err_send(ep[1], &ce);
			_exit(125);
		}
		_exit(0);
	}
	close(ep[1]);
	*errfd = ep[0];
	return pid;
}

static int side_finish(pid_t pid, int errfd, int rc, struct err *e)
{
	struct err ce = ERR_INIT;
	int st, r = err_recv(errfd, &ce);

	close(errfd);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (r > 0 && rc == 0) {
		*e = ce;
		return -1;
	}
	err_clear(&ce);
	if (rc == 0 && (!WIFEXITED(st) || WEXITSTATUS(st) != 0))
		return err_make(e, 0, "copying failed (status %d)", st);
	return rc;
}

struct hside {
	const char *path; /* host: the source (in), or the directory to unpack into (out) */
	const char *top;
	const struct tt *owner;
};

static int host_tar_fn(void *arg, int fd, struct err *e)
{
	struct hside *h = arg;
	_cleanup_free_ char *parent = parent_of(h->path), *base = base_of(h->path);
	bool content = content_of(h->path);
	_cleanup_close_ int dir = open(content ? h->path : parent, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (dir < 0)
		return err_make(e, errno, "%s", h->path);
	return tree_tar(dir, content ? "." : base, h->top, h->owner, false, fd, e);
}

static int host_unpack_fn(void *arg, int fd, struct err *e)
{
	struct hside *h = arg;
	struct unpack_opts o = { .plain = true, .no_chown = true };
	struct unpack_result r;
	_cleanup_close_ int dir = open(h->path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (dir < 0)
		return err_make(e, errno, "%s", h->path);
	return unpack_fd(fd, dir, &o, &r, e);
}

int ctr_copy_in(const struct ctr_copy *c, const char *src, int infd, const char *dest, struct err *e)
{
	struct probe p;
	struct cside cs = { .s = c->s, .archive = c->archive };
	_cleanup_free_ char *dir = NULL, *top = NULL;
	struct tt owner;
	struct stat st;
	int pp[2], errfd = -1, rc;
	pid_t pid;

	if (probe(c, dest, &p, e) < 0)
		return -1;
	if (!strcmp(src, "-")) {
		if (p.kind != K_DIR)
			return err_make(e, ENOTDIR,
					"copying a tar stream to %s: not a directory in the container", dest);
		cs.path = dest;
		cs.fd = infd;
		return ctrfs_run(c->s, c->init, in_fn, &cs, e);
	}
	if (stat(src, &st) < 0) {
		if (errno != ENOENT)
			return err_make(e, errno, "%s", src);
		err_make(e, 0, "\"%s\" could not be found on the host: no such file or directory", src);
		e->errnum = ENOENT;
		return -1;
	}
	if (landing(src, S_ISDIR(st.st_mode), dest, p.kind, &dir, &top, e) < 0)
		return -1;
	owner.uid = p.uid;
	owner.gid = p.gid;
	/* into a running container, owned by its user: file by file, no tar
	 * (treecopy.h), when the tree holds nothing else than it copies */
	if (c->archive && c->init > 0 && !userns_opts_nested(&c->s->userns) && strcmp(top, ".") != 0 &&
	    strcmp(top, "..") != 0) {
		_cleanup_free_ char *sparent = parent_of(src), *sbase = base_of(src);
		bool content = S_ISDIR(st.st_mode) && content_of(src);
		_cleanup_close_ int sdir = open(content ? src : sparent, O_PATH | O_DIRECTORY | O_CLOEXEC);
		struct tree_copy t = { .srcdir = sdir,
				       .src = content ? "." : sbase,
				       .destdir = -1,
				       .top = top,
				       .uid = p.uid,
				       .gid = p.gid };
		if (sdir >= 0 && tree_copy_fits(sdir, t.src)) {
			cs.path = dir;
			cs.tree = &t;
			return ctrfs_run(c->s, c->init, in_tree_fn, &cs, e);
		}
	}
	if (pipe2(pp, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	fcntl(pp[1], F_SETPIPE_SZ, PIPE_SZ);
	struct hside h = { .path = src, .top = top, .owner = c->archive ? &owner : NULL };
	pid = side_start(host_tar_fn, &h, pp[1], pp[0], &errfd, e);
	close(pp[1]);
	if (pid < 0) {
		close(pp[0]);
		return -1;
	}
	cs.path = dir;
	cs.fd = pp[0];
	rc = ctrfs_run(c->s, c->init, in_fn, &cs, e);
	close(pp[0]);
	if (rc < 0)
		kill(pid, SIGKILL);
	return side_finish(pid, errfd, rc, e);
}

int ctr_copy_out(const struct ctr_copy *c, const char *src, const char *dest, int outfd, struct err *e)
{
	struct probe p;
	struct cside cs = { .s = c->s, .path = src };
	_cleanup_free_ char *dir = NULL, *top = NULL;
	int pp[2], errfd = -1, rc;
	pid_t pid;

	if (probe(c, src, &p, e) < 0)
		return -1;
	if (p.kind == K_MISSING || p.kind == K_NOPARENT) {
		/* podman's words (the strerror() would say it twice) */
		err_make(e, 0, "\"%s\" could not be found on container %s: no such file or directory", src,
			 c->s->name ? c->s->name : c->s->id);
		e->errnum = ENOENT;
		return -1;
	}
	if (!strcmp(dest, "-")) {
		_cleanup_free_ char *base = base_of(src);
		cs.fd = outfd;
		cs.top = p.kind == K_DIR && content_of(src) ? "" : base;
		return ctrfs_run(c->s, c->init, out_fn, &cs, e);
	}
	if (landing(src, p.kind == K_DIR, dest, kind_of(dest), &dir, &top, e) < 0)
		return -1;
	if (pipe2(pp, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	fcntl(pp[1], F_SETPIPE_SZ, PIPE_SZ);
	struct hside h = { .path = dir };
	pid = side_start(host_unpack_fn, &h, pp[0], pp[1], &errfd, e);
	close(pp[0]);
	if (pid < 0) {
		close(pp[1]);
		return -1;
	}
	cs.fd = pp[1];
	cs.top = top;
	rc = ctrfs_run(c->s, c->init, out_fn, &cs, e);
	close(pp[1]);
	return side_finish(pid, errfd, rc, e);
}

int ctr_export(const struct ctr_copy *c, int outfd, struct err *e)
{
	struct cside cs = { .s = c->s, .path = "/.", .fd = outfd, .top = "", .one_mount = true };

	return ctrfs_run(c->s, c->init, out_fn, &cs, e);
}
