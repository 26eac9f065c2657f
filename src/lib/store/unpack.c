/* unpack.c - see unpack.h */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "digest.h"
#include "lib/base/log.h"
#include "lib/base/safeopen.h"
#include "lib/base/util.h"
#include "treesum.h"
#include "unpack.h"

#define FEED_BUF (256 * 1024)

/* metadata of a directory, applied after every entry is written */
struct dirmeta {
	char *path;
	dev_t dev;
	ino_t ino;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	struct timespec times[2];
};

struct unpack {
	int rootfd;
	const struct unpack_opts *o;
	struct archive *tar;
	struct dirmeta *dirs;
	size_t ndirs, capdirs;
	unsigned long ndev;
	bool warned_chown, warned_xattr;
	struct tree_stream *ts; /* the tree digest, computed on the way (treesum.h) */
	bool keep_parent;       /* keep the last parent directory open (parent_fd) */
	bool lazy_meta;         /* no chown to the owner a new file has anyway, no
				 * chmod to the mode it was created with */
	uid_t euid;
	gid_t egid;
	mode_t umask;
	char *pdir; /* and its path */
	int pfd;
};

/* the decompressing reader feeding the tar reader */
struct feed {
	struct archive *outer;
	struct sha256 *hash;
	uint64_t size, max;
	char *errmsg;
	char *buf;
};

static char *too_big(uint64_t max)
{
	return xasprintf("the layer unpacks to more than %" PRIu64 " bytes (max-layer-size in burrow.conf)",
			 max);
}

static void archivep(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
}
#define _cleanup_archive_ __attribute__((cleanup(archivep)))

int unpack_clean_path(const char *in, char **out, struct err *e)
{
	bool climbed;
	char *res = path_clean_lexical(in, &climbed);

	if (climbed) {
		free(res);
		return err_make(e, 0, "entry \"%s\" points outside the layer root", in);
	}
	*out = res;
	return 0;
}

/* Open the directory dir (cleaned, relative to the root; "" is the root) as
 * O_PATH, creating missing components as 0755 directories. */
static int open_parent(struct unpack *u, const char *dir, struct err *e)
{
	_cleanup_free_ char *p = NULL;
	int fd = safe_open_in_root(u->rootfd, dir, O_PATH | O_DIRECTORY, 0, RESOLVE_IN_ROOT);

	if (fd >= 0)
		return fd;
	if (errno != ENOENT)
		return err_make(e, errno, "opening directory %s", dir);
	/* walk down, creating what is missing; each component is created in a
	 * directory already resolved inside the root */
	p = xstrdup(dir);
	fd = safe_open_in_root(u->rootfd, "", O_PATH | O_DIRECTORY, 0, RESOLVE_IN_ROOT);
	if (fd < 0)
		return err_make(e, errno, "opening the layer root");
	for (char *s = p, *name = p;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		int next;
		*s = '\0';
		next = safe_open_in_root(u->rootfd, p, O_PATH | O_DIRECTORY, 0, RESOLVE_IN_ROOT);
		if (next < 0 && errno == ENOENT) {
			if (mkdirat(fd, name, 0755) < 0 && errno != EEXIST) {
				int saved = errno;
				close(fd);
				return err_make(e, saved, "creating directory %s", p);
			}
			next = safe_open_in_root(u->rootfd, p, O_PATH | O_DIRECTORY, 0, RESOLVE_IN_ROOT);
		}
		if (next < 0) {
			int saved = errno;
			close(fd);
			return err_make(e, saved, "opening directory %s", p);
		}
		close(fd);
		fd = next;
		*s = c;
		if (c == '\0')
			break;
		name = s + 1;
	}
	return fd;
}

/* The parent directory of an entry, from open_parent(), borrowed.  A tar
 * lists a directory's entries one after another, so the last one stays
 * open: an entry only creates or replaces a name inside its parent, which
 * cannot change where the parent's path leads, so the fd is still right
 * for the next entry with the same parent.  BURROW_UNPACK_PARENT_CACHE=0
 * opens it for every entry. */
static int parent_fd(struct unpack *u, const char *dir, struct err *e)
{
	int fd;

	if (u->pfd >= 0 && strcmp(u->pdir, dir) == 0)
		return u->pfd;
	fd = open_parent(u, dir, e);
	if (fd < 0)
		return -1;
	if (u->pfd >= 0)
		close(u->pfd);
	free(u->pdir);
	u->pdir = u->keep_parent ? xstrdup(dir) : NULL;
	u->pfd = fd;
	return fd;
}

/* Remove whatever is at name unless it is a directory and keep_dir. */
static int clear_name(int pfd, const char *name, bool keep_dir, bool *is_dir, struct err *e)
{
	struct stat st;

	if (is_dir)
		*is_dir = false;
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : err_make(e, errno, "checking %s", name);
	if (S_ISDIR(st.st_mode)) {
		if (keep_dir) {
			if (is_dir)
				*is_dir = true;
			return 0;
		}
		return rm_rf_at(pfd, name, e);
	}
	if (unlinkat(pfd, name, 0) < 0 && errno != ENOENT)
		return err_make(e, errno, "replacing %s", name);
	return 0;
}

/* Whiteouts for the kernel overlay (mounted with userxattr in the user
 * namespace): ".wh.NAME" becomes a 0:0 character device NAME and
 * ".wh..wh..opq" the xattr user.overlay.opaque=y on the directory.  This is
 * the one place to add other forms (fuse-overlayfs). */
static int whiteout_apply(int pfd, const char *name, bool opaque, struct err *e)
{
	if (opaque) {
		char proc[64];
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", pfd);
		if (setxattr(proc, "user.overlay.opaque", "y", 1, 0) < 0)
			return err_make(e, errno, "marking directory opaque (user.overlay.opaque)");
		return 0;
	}
	if (clear_name(pfd, name, false, NULL, e) < 0)
		return -1;
	if (mknodat(pfd, name, S_IFCHR | 0, makedev(0, 0)) < 0)
		return err_make(e, errno, "creating whiteout for %s", name);
	return 0;
}

/* the final metadata of what path names now, for the tree digest */
static void stream_stat(struct unpack *u, int pfd, const char *name, const char *path, const char *target)
{
	struct stat st;

	if (!u->ts)
		return;
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		tree_stream_unsure(u->ts, "cannot stat", path);
	else
		tree_stream_stat(u->ts, path, &st, target);
}

static bool skip_xattr(const char *name)
{
	/* overlay metadata in a layer would be interpreted by the overlay
	 * (redirects, origins, opaque): only our whiteout translation sets it */
	return strncmp(name, "user.overlay.", 13) == 0 || strncmp(name, "trusted.overlay.", 16) == 0;
}

static void apply_xattrs(struct unpack *u, struct archive_entry *ent, int fd, const char *path)
{
	const char *name;
	const void *val;
	size_t size;

	if (archive_entry_xattr_reset(ent) == 0)
		return;
	while (archive_entry_xattr_next(ent, &name, &val, &size) == ARCHIVE_OK) {
		if (!name || skip_xattr(name))
			continue;
		if (fsetxattr(fd, name, val, size, 0) == 0)
			continue;
		/* NOLINTNEXTLINE(misc-redundant-expression): ENOTSUP is EOPNOTSUPP on Linux only */
		if ((errno == EPERM || errno == ENOTSUP || errno == EOPNOTSUPP) &&
		    (strncmp(name, "security.", 9) == 0 || strncmp(name, "trusted.", 8) == 0))
			continue;
		if (!u->warned_xattr) {
			log_warn(
				"cannot set extended attribute %s on %s: %s (further xattr errors not shown)",
				name, path, strerror(errno));
			u->warned_xattr = true;
		}
	}
}

static void chown_failed(struct unpack *u, const char *path, uid_t uid, gid_t gid)
{
	tree_stream_unsure(u->ts, "chown failed:", path);
	if (u->warned_chown)
		return;
	u->warned_chown = true;
	log_warn("cannot give %s the owner %u:%u: %s; files keep the importing user as owner "
		 "(are the subordinate ID ranges big enough?)",
		 path, (unsigned)uid, (unsigned)gid, strerror(errno));
}

static void entry_times(struct archive_entry *ent, struct timespec ts[2])
{
	ts[1].tv_sec = archive_entry_mtime(ent);
	ts[1].tv_nsec = archive_entry_mtime_nsec(ent);
	if (archive_entry_atime_is_set(ent)) {
		ts[0].tv_sec = archive_entry_atime(ent);
		ts[0].tv_nsec = archive_entry_atime_nsec(ent);
	} else {
		ts[0] = ts[1];
	}
}

/* Whether what this process creates already has the owner uid:gid: a
 * layer is unpacked into an empty root without the set-group-ID bit
 * (root_fresh), and no directory of the layer has that bit while
 * unpacking (their modes come last, finish_dirs).  Only for layers
 * (opts tree_digest); BURROW_UNPACK_LAZY_META=0 chowns and chmods every
 * entry. */
static bool owner_is_ours(const struct unpack *u, uid_t uid, gid_t gid)
{
	return u->lazy_meta && uid == u->euid && gid == u->egid;
}

/* The mode to create a regular file with: its own when the umask leaves
 * it alone and it has no set-ID or sticky bit (which a chown would clear),
 * else 0600 and a chmod after (finish_fd) */
static mode_t create_mode(const struct unpack *u, struct archive_entry *ent)
{
	mode_t want = archive_entry_mode(ent) & 07777;

	return u->lazy_meta && !(want & 07000) && !(want & u->umask) ? want : 0600;
}

/* owner, mode, xattrs and times of an open regular file, created with made */
static int finish_fd(struct unpack *u, struct archive_entry *ent, int fd, mode_t made, const char *path,
		     struct err *e)
{
	struct timespec ts[2];
	uid_t uid = (uid_t)archive_entry_uid(ent);
	gid_t gid = (gid_t)archive_entry_gid(ent);
	mode_t want = archive_entry_mode(ent) & 07777;

	if (!u->o->no_chown && !owner_is_ours(u, uid, gid) && fchown(fd, uid, gid) < 0)
		chown_failed(u, path, uid, gid);
	/* after chown, which clears the set-id bits */
	if (!(u->lazy_meta && made == want) && fchmod(fd, want) < 0)
		return err_make(e, errno, "setting the mode of %s", path);
	apply_xattrs(u, ent, fd, path);
	entry_times(ent, ts);
	if (futimens(fd, ts) < 0)
		return err_make(e, errno, "setting the times of %s", path);
	return 0;
}

/* owner and times of a symlink, fifo or whiteout, by name without following */
static int finish_name(struct unpack *u, struct archive_entry *ent, int pfd, const char *name,
		       const char *path, bool set_mode, struct err *e)
{
	struct timespec ts[2];
	uid_t uid = (uid_t)archive_entry_uid(ent);
	gid_t gid = (gid_t)archive_entry_gid(ent);

	if (!u->o->no_chown && !owner_is_ours(u, uid, gid) &&
	    fchownat(pfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		chown_failed(u, path, uid, gid);
	/* name was just created by us as a fifo, never a symlink */
	if (set_mode && fchmodat(pfd, name, archive_entry_mode(ent) & 07777, 0) < 0)
		return err_make(e, errno, "setting the mode of %s", path);
	entry_times(ent, ts);
	if (utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return err_make(e, errno, "setting the times of %s", path);
	return 0;
}

static int write_file(struct unpack *u, struct archive_entry *ent, int pfd, const char *name,
		      const char *path, struct err *e)
{
	_cleanup_close_ int fd = -1;
	const void *buf;
	size_t len;
	la_int64_t off, end = 0;
	mode_t made = create_mode(u, ent);
	int r;

	/* most names are new: create first, and clear the name only when
	 * something is there already (a later entry replaces an earlier one) */
	fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, made);
	if (fd < 0 && errno == EEXIST) {
		if (clear_name(pfd, name, false, NULL, e) < 0)
			return -1;
		fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, made);
	}
	if (fd < 0)
		return err_make(e, errno, "creating %s", path);
	while ((r = archive_read_data_block(u->tar, &buf, &len, &off)) == ARCHIVE_OK) {
		const char *p = buf;
		if (len > 0 && off + (la_int64_t)len > end)
			end = off + (la_int64_t)len;
		if (u->ts && off >= 0)
			tree_stream_file_data(u->ts, buf, len, (uint64_t)off);
		while (len > 0) {
			ssize_t w = pwrite(fd, p, len, (off_t)off);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				return err_make(e, errno, "writing %s", path);
			}
			p += w;
			off += w;
			len -= (size_t)w;
		}
	}
	if (r != ARCHIVE_EOF)
		return err_make(e, 0, "reading %s from the archive: %s", path,
				archive_error_string(u->tar) ? archive_error_string(u->tar) : "read error");
	/* trailing holes of sparse files (only: the data written sets the size) */
	if (archive_entry_size_is_set(ent) && archive_entry_size(ent) != end &&
	    ftruncate(fd, (off_t)archive_entry_size(ent)) < 0)
		return err_make(e, errno, "writing %s", path);
	if (finish_fd(u, ent, fd, made, path, e) < 0)
		return -1;
	if (u->ts) {
		struct stat st;
		if (fstat(fd, &st) < 0)
			memset(&st, 0, sizeof st); /* not a regular file: the stream gives up */
		tree_stream_file_end(u->ts, path, &st);
	}
	return 0;
}

static void record_dir(struct unpack *u, const char *path, const struct stat *st, struct archive_entry *ent)
{
	struct dirmeta *d = NULL;

	/* a directory listed again updates its earlier record */
	for (size_t i = u->ndirs; i-- > 0;)
		if (u->dirs[i].ino == st->st_ino && u->dirs[i].dev == st->st_dev) {
			d = &u->dirs[i];
			free(d->path);
			break;
		}
	if (!d) {
		if (u->ndirs == u->capdirs) {
			u->capdirs = u->capdirs ? u->capdirs * 2 : 64;
			u->dirs = xrealloc(u->dirs, u->capdirs * sizeof *u->dirs);
		}
		d = &u->dirs[u->ndirs++];
	}
	d->path = xstrdup(path);
	d->dev = st->st_dev;
	d->ino = st->st_ino;
	d->mode = archive_entry_mode(ent) & 07777;
	d->uid = (uid_t)archive_entry_uid(ent);
	d->gid = (gid_t)archive_entry_gid(ent);
	entry_times(ent, d->times);
}

static int make_dir(struct unpack *u, struct archive_entry *ent, int pfd, const char *name, const char *path,
		    struct err *e)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	bool is_dir;

	if (!*path) {
		fd = safe_open_in_root(u->rootfd, "", O_RDONLY | O_DIRECTORY, 0, RESOLVE_IN_ROOT);
	} else {
		if (clear_name(pfd, name, true, &is_dir, e) < 0)
			return -1;
		if (!is_dir && mkdirat(pfd, name, 0700) < 0)
			return err_make(e, errno, "creating directory %s", path);
		fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0 || fstat(fd, &st) < 0)
		return err_make(e, errno, "opening directory %s", path);
	apply_xattrs(u, ent, fd, path);
	record_dir(u, path, &st, ent);
	if (*path)
		tree_stream_stat(u->ts, path, &st, NULL); /* finish_dirs gives the final one */
	return 0;
}

static int make_hardlink(struct unpack *u, int pfd, const char *name, const char *path, const char *target,
			 struct err *e)
{
	_cleanup_free_ char *clean = NULL;
	_cleanup_close_ int tfd = -1;
	struct stat tst, st;
	char proc[64];

	if (unpack_clean_path(target, &clean, e) < 0)
		return err_wrap(e, "hard link %s", path);
	if (strcmp(clean, path) == 0)
		return 0;
	tfd = safe_open_in_root(u->rootfd, clean, O_PATH | O_NOFOLLOW, 0, RESOLVE_IN_ROOT);
	if (tfd < 0 || fstat(tfd, &tst) < 0)
		return err_make(e, errno, "hard link %s: target %s", path, target);
	if (S_ISDIR(tst.st_mode))
		return err_make(e, EPERM, "hard link %s: target %s is a directory", path, target);
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_ino == tst.st_ino &&
	    st.st_dev == tst.st_dev)
		return 0;
	if (clear_name(pfd, name, false, NULL, e) < 0)
		return -1;
	/* flink(): the target is an fd we resolved inside the root */
	if (linkat(tfd, "", pfd, name, AT_EMPTY_PATH) == 0)
		return 0;
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", tfd);
	if (linkat(AT_FDCWD, proc, pfd, name, AT_SYMLINK_FOLLOW) < 0)
		return err_make(e, errno, "hard link %s to %s", path, target);
	return 0;
}

/* the whiteout for name in the directory pfd (dir, relative to the root) */
static int make_whiteout(struct unpack *u, int pfd, const char *dir, const char *name, const char *raw,
			 struct err *e)
{
	_cleanup_free_ char *path = u->ts ? xasprintf("%s%s%s", dir, *dir ? "/" : "", name) : NULL;

	if (path)
		tree_stream_begin(u->ts, path);
	if (whiteout_apply(pfd, name, false, e) < 0)
		return err_wrap(e, "extracting %s", raw);
	if (path)
		stream_stat(u, pfd, name, path, NULL);
	return 0;
}

static int unpack_entry(struct unpack *u, struct archive_entry *ent, struct err *e)
{
	_cleanup_free_ char *path = NULL, *dir = NULL;
	int pfd;
	const char *raw = archive_entry_pathname(ent), *hl = archive_entry_hardlink(ent);
	const char *name, *slash;
	mode_t type = archive_entry_filetype(ent);

	if (!raw)
		return err_make(e, 0, "archive entry without a name");
	if (unpack_clean_path(raw, &path, e) < 0)
		return -1;
	slash = strrchr(path, '/');
	name = slash ? slash + 1 : path;
	dir = slash ? xasprintf("%.*s", (int)(slash - path), path) : xstrdup("");
	if (!*path && (hl || type != AE_IFDIR))
		return err_make(e, 0, "entry \"%s\" is not a directory but names the root", raw);
	if (u->ts && *dir)
		tree_stream_parent(u->ts, dir); /* open_parent() may make it */
	if (!u->keep_parent && u->pfd >= 0) {
		close(u->pfd);
		u->pfd = -1;
	}
	pfd = parent_fd(u, dir, e);
	if (pfd < 0)
		return err_wrap(e, "extracting %s", raw);

	if (!u->o->plain && strncmp(name, ".wh.", 4) == 0) {
		if (strcmp(name, ".wh..wh..opq") == 0)
			return whiteout_apply(pfd, NULL, true, e) < 0 ? err_wrap(e, "extracting %s", raw) : 0;
		if (strncmp(name, ".wh..wh.", 8) == 0)
			return 0; /* other aufs metadata (.wh..wh.plnk, ...) */
		name += 4;
		if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			return err_make(e, 0, "invalid whiteout entry \"%s\"", raw);
		return make_whiteout(u, pfd, dir, name, raw, e);
	}
	if (hl) {
		if (u->ts) {
			_cleanup_free_ char *clean = NULL;
			tree_stream_begin(u->ts, path);
			if (make_hardlink(u, pfd, name, path, hl, e) < 0)
				return -1;
			if (unpack_clean_path(hl, &clean, e) < 0)
				return -1;
			tree_stream_link(u->ts, path, clean);
			return 0;
		}
		return make_hardlink(u, pfd, name, path, hl, e);
	}
	switch (type) {
	case AE_IFREG:
	case AE_IFDIR:
	case AE_IFLNK:
	case AE_IFIFO:
		if (*path)
			tree_stream_begin(u->ts, path);
		break;
	default:
		break;
	}

	switch (type) {
	case AE_IFREG:
		return write_file(u, ent, pfd, name, path, e);
	case AE_IFDIR:
		return make_dir(u, ent, pfd, name, path, e);
	case AE_IFLNK: {
		const char *target = archive_entry_symlink(ent);
		if (!target)
			return err_make(e, 0, "symlink %s has no target", raw);
		if (clear_name(pfd, name, false, NULL, e) < 0)
			return -1;
		if (symlinkat(target, pfd, name) < 0)
			return err_make(e, errno, "creating symlink %s", path);
		if (finish_name(u, ent, pfd, name, path, false, e) < 0)
			return -1;
		stream_stat(u, pfd, name, path, target);
		return 0;
	}
	case AE_IFIFO:
		if (clear_name(pfd, name, false, NULL, e) < 0)
			return -1;
		if (mknodat(pfd, name, S_IFIFO | 0600, 0) < 0)
			return err_make(e, errno, "creating fifo %s", path);
		if (finish_name(u, ent, pfd, name, path, true, e) < 0)
			return -1;
		stream_stat(u, pfd, name, path, NULL);
		return 0;
	case AE_IFCHR:
		/* a whiteout already in overlay form */
		if (archive_entry_rdevmajor(ent) == 0 && archive_entry_rdevminor(ent) == 0)
			return make_whiteout(u, pfd, dir, name, raw, e);
		u->ndev++;
		return 0;
	case AE_IFBLK:
		u->ndev++;
		return 0;
	case AE_IFSOCK:
		return 0;
	default:
		return err_make(e, 0, "entry %s has an unknown file type 0%o", raw, (unsigned)type);
	}
}

/* Apply directory metadata, deepest (latest) first.  A directory replaced
 * since it was recorded (different inode) is left alone. */
static int finish_dirs(struct unpack *u, struct err *e)
{
	for (size_t i = u->ndirs; i-- > 0;) {
		struct dirmeta *d = &u->dirs[i];
		_cleanup_close_ int fd = safe_open_in_root(u->rootfd, d->path,
							   O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0,
							   RESOLVE_IN_ROOT);
		struct stat st;

		if (fd < 0 || fstat(fd, &st) < 0 || st.st_ino != d->ino || st.st_dev != d->dev) {
			tree_stream_unsure(u->ts, "directory replaced", d->path);
			continue;
		}
		if (!u->o->no_chown && !owner_is_ours(u, d->uid, d->gid) && fchown(fd, d->uid, d->gid) < 0)
			chown_failed(u, *d->path ? d->path : "/", d->uid, d->gid);
		if (fchmod(fd, d->mode) < 0)
			return err_make(e, errno, "setting the mode of %s", *d->path ? d->path : "/");
		if (futimens(fd, d->times) < 0)
			return err_make(e, errno, "setting the times of %s", *d->path ? d->path : "/");
		if (u->ts && *d->path) {
			if (fstat(fd, &st) < 0)
				tree_stream_unsure(u->ts, "cannot stat", d->path);
			else
				tree_stream_stat(u->ts, d->path, &st, NULL);
		}
	}
	return 0;
}

/* an empty directory without the set-group-ID bit: what is made below it
 * gets this process's group until finish_dirs */
static bool root_fresh(int rootfd)
{
	int fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	struct stat st;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || (st.st_mode & S_ISGID) || !(d = fdopendir(fd))) {
		close(fd);
		return false;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			return false;
	return true;
}

static la_ssize_t feed_read(struct archive *a, void *cd, const void **buf)
{
	struct feed *f = cd;
	la_ssize_t n = archive_read_data(f->outer, f->buf, FEED_BUF);

	if (n < 0) {
		const char *m = archive_error_string(f->outer);
		free(f->errmsg);
		f->errmsg = xstrdup(m ? m : "read error");
		archive_set_error(a, EIO, "%s", f->errmsg);
		return -1;
	}
	if (f->size + (uint64_t)n > f->max) {
		free(f->errmsg);
		f->errmsg = too_big(f->max);
		archive_set_error(a, EFBIG, "%s", f->errmsg);
		return -1;
	}
	if (f->hash)
		sha256_update(f->hash, f->buf, (size_t)n);
	f->size += (uint64_t)n;
	*buf = f->buf;
	return n;
}

static int open_outer(struct archive **out, int infd, struct err *e)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ent;

	/* only in-process decoders: never let a hostile header spawn a program */
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_lz4(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_fd(a, infd, FEED_BUF) != ARCHIVE_OK ||
	    archive_read_next_header(a, &ent) != ARCHIVE_OK) {
		bool empty = archive_filter_bytes(a, -1) == 0;
		err_make(e, 0, "reading the archive: %s",
			 empty                     ? "empty input"
			 : archive_error_string(a) ? archive_error_string(a)
						   : "unreadable input");
		archive_read_free(a);
		return -1;
	}
	*out = a;
	return 0;
}

static int run_entries(struct unpack *u, struct feed *f, struct err *e)
{
	struct archive_entry *ent;
	uint64_t max = u->o->max_entries ? u->o->max_entries : UNPACK_MAX_ENTRIES_DEFAULT;
	uint64_t count = 0;
	int r;

	for (;;) {
		r = archive_read_next_header(u->tar, &ent);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r != ARCHIVE_FATAL && ++count > max)
			return err_make(e, EFBIG,
					"the layer has more than %" PRIu64
					" entries (max-layer-entries in burrow.conf)",
					max);
		if (r == ARCHIVE_WARN) {
			log_debug("archive: %s", archive_error_string(u->tar));
		} else if (r != ARCHIVE_OK) {
			const char *m = f->errmsg ? f->errmsg : archive_error_string(u->tar);
			return err_make(e, 0, "reading the archive: %s", m ? m : "corrupt tar");
		}
		if (unpack_entry(u, ent, e) < 0) {
			if (f->errmsg) /* a data read failed underneath: say why */
				return err_make(e, 0, "reading the archive: %s", f->errmsg);
			return -1;
		}
	}
}

int unpack_fd(int infd, int rootfd, const struct unpack_opts *o, struct unpack_result *r, struct err *e)
{
	static const struct unpack_opts defaults = { .no_chown = false };
	_cleanup_archive_ struct archive *outer = NULL, *tar = NULL;
	_cleanup_free_ char *buf = xmalloc(FEED_BUF);
	struct feed f = { NULL, NULL, 0, 0, NULL, buf };
	struct unpack u;
	char hex[65];
	int rc;

	memset(&u, 0, sizeof u);
	memset(r, 0, sizeof *r);
	u.rootfd = rootfd;
	u.o = o ? o : &defaults;
	u.pfd = -1;
	{
		const char *env = getenv("BURROW_UNPACK_PARENT_CACHE");
		u.keep_parent = !(env && strcmp(env, "0") == 0);
		env = getenv("BURROW_UNPACK_LAZY_META");
		u.lazy_meta = !(env && strcmp(env, "0") == 0) && u.o->tree_digest && root_fresh(rootfd);
		u.euid = geteuid();
		u.egid = getegid();
		u.umask = umask(0);
		umask(u.umask);
	}
	f.max = u.o->max_bytes ? u.o->max_bytes : UNPACK_MAX_BYTES_DEFAULT;
	if (open_outer(&outer, infd, e) < 0)
		return -1;
	if (u.o->tree_digest && !u.o->plain)
		u.ts = tree_stream_new(rootfd);
	f.outer = outer;
	f.hash = u.o->plain || u.o->no_digest ? NULL : sha256_new(); /* cp needs no diff id */
	tar = archive_read_new();
	archive_read_support_format_tar(tar);
	u.tar = tar;
	if (archive_read_open(tar, &f, NULL, feed_read, NULL) != ARCHIVE_OK) {
		rc = err_make(e, 0, "reading the archive: %s",
			      f.errmsg                    ? f.errmsg
			      : archive_error_string(tar) ? archive_error_string(tar)
							  : "not a tar archive");
		goto out;
	}
	rc = run_entries(&u, &f, e);
	if (rc == 0)
		rc = finish_dirs(&u, e);
	/* hash what follows the end-of-archive blocks too: the diff id covers
	 * the whole stream */
	while (rc == 0) {
		la_ssize_t n = archive_read_data(outer, buf, FEED_BUF);
		if (n < 0)
			rc = err_make(e, 0, "reading the archive: %s", archive_error_string(outer));
		if (n <= 0)
			break;
		if (f.size + (uint64_t)n > f.max) {
			_cleanup_free_ char *m = too_big(f.max);
			rc = err_make(e, EFBIG, "%s", m);
			break;
		}
		if (f.hash)
			sha256_update(f.hash, buf, (size_t)n);
		f.size += (uint64_t)n;
	}
	if (rc == 0 && f.size == 0)
		rc = err_make(e, 0, "reading the archive: empty input");
	if (rc == 0) {
		r->entries = (unsigned long)archive_file_count(tar);
		r->skipped_devices = u.ndev;
		r->size = f.size;
		if (u.ts && tree_stream_final(u.ts, r->tree_digest) < 0)
			r->tree_digest[0] = '\0';
		if (f.hash) {
			sha256_final_hex(f.hash, hex);
			f.hash = NULL;
			snprintf(r->diff_id, sizeof r->diff_id, "sha256:%s", hex);
		}
	}
out:
	if (u.pfd >= 0)
		close(u.pfd);
	free(u.pdir);
	tree_stream_free(u.ts);
	sha256_free(f.hash);
	free(f.errmsg);
	for (size_t i = 0; i < u.ndirs; i++)
		free(u.dirs[i].path);
	free(u.dirs);
	return rc;
}

int unpack_tree_digest(int rootfd, const struct unpack_result *r, char out[72], struct err *e)
{
	if (r->tree_digest[0]) {
		snprintf(out, 72, "%s", r->tree_digest);
		return 0;
	}
	return tree_digest_at(rootfd, out, e);
}
