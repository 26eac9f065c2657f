/* copytar.c - the tar COPY/ADD produce: the destination resolved in the
 * target stage's layers, the entries, and ADD's archive extraction (see
 * copy.c for the choices made). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "copy_int.h"
#include "lib/base/log.h"
#include "lib/store/unpack.h"
#include "lib/base/util.h"

#define BUFSZ (256 * 1024)

struct link {
	dev_t dev;
	ino_t ino;
	char *path;
};

struct tw {
	struct plan *p;
	struct archive *a;
	char *buf;
	struct mfs lower; /* the target stage's layers */
	char **made;      /* directories put in this tar */
	struct link *links;
	size_t nlinks;
	const char *prefix; /* walking a source directory: where it lands */
};

struct meta {
	mode_t mode; /* type and permission bits */
	uid_t uid;
	gid_t gid;
	struct timespec mtime;
};

/* libarchive's message for a failed write is "Write error": name the cause
 * (a full disk) from its errno when there is one */
static int tw_fail(struct tw *t, const char *path, struct err *e)
{
	int en = archive_errno(t->a);

	if (en > 0)
		return err_make(e, en, "writing %s to the layer", path);
	return err_make(e, 0, "writing %s to the layer: %s", path, archive_error_string(t->a));
}

static int tw_header(struct tw *t, const char *path, const struct meta *m, int64_t size, const char *symlink,
		     const char *hardlink, struct err *e)
{
	struct archive_entry *ent = archive_entry_new();
	_cleanup_free_ char *name = S_ISDIR(m->mode) && !hardlink ? xasprintf("%s/", path) : xstrdup(path);
	int rc = 0;

	archive_entry_set_pathname(ent, name);
	archive_entry_set_uid(ent, m->uid);
	archive_entry_set_gid(ent, m->gid);
	archive_entry_set_mode(ent, m->mode);
	archive_entry_set_mtime(ent, m->mtime.tv_sec, m->mtime.tv_nsec);
	archive_entry_set_size(ent, size);
	if (symlink)
		archive_entry_set_symlink(ent, symlink);
	if (hardlink) {
		archive_entry_set_hardlink(ent, hardlink);
		archive_entry_set_size(ent, 0);
	}
	if (archive_write_header(t->a, ent) != ARCHIVE_OK)
		rc = tw_fail(t, path, e);
	archive_entry_free(ent);
	return rc;
}

static int tw_data(struct tw *t, const void *buf, size_t n, const char *path, struct err *e)
{
	if (archive_write_data(t->a, buf, n) < 0)
		return tw_fail(t, path, e);
	return 0;
}

static bool made(const struct tw *t, const char *path)
{
	for (size_t i = 0; t->made && t->made[i]; i++)
		if (strcmp(t->made[i], path) == 0)
			return true;
	return false;
}

static void meta_of(const struct tw *t, const struct stat *st, struct meta *m)
{
	const struct copy_req *r = t->p->r;

	m->mode = st->st_mode;
	if (r->chmod >= 0 && !S_ISLNK(st->st_mode))
		m->mode = (st->st_mode & S_IFMT) | ((mode_t)r->chmod & 07777);
	if (r->chown) {
		m->uid = r->uid;
		m->gid = r->gid;
	} else if (t->p->src->kind == COPY_FROM_LAYERS) {
		m->uid = st->st_uid;
		m->gid = st->st_gid;
	} else {
		m->uid = 0;
		m->gid = 0;
	}
	m->mtime = st->st_mtim;
}

/* Make sure the directory path (clean, relative to /) exists, resolving
 * it in the target's layers; missing components are added to the tar, the
 * last one with *last (else 0755 0:0).  *real is where it really is. */
static int dest_dir(struct tw *t, const char *path, const struct meta *last, char **real, struct err *e)
{
	_cleanup_free_ char *rest = NULL, *base = NULL, *buf = NULL;
	struct mentry ent;
	char *save = NULL;
	int r = mfs_resolve(&t->lower, path, true, &ent, &rest, e);

	if (r < 0) {
		if (e->errnum == ENOTDIR)
			return err_make(e, 0, "%s failed: cannot copy to /%s: a parent is not a directory",
					t->p->r->instr, path);
		return err_wrap(e, "%s failed: destination /%s", t->p->r->instr, path);
	}
	base = steal_ptr(ent.path);
	if (r == 0 && !S_ISDIR(ent.st.st_mode)) {
		mentry_clear(&ent);
		return err_make(e, 0, "%s failed: cannot copy to /%s: it exists and is not a directory",
				t->p->r->instr, path);
	}
	mentry_clear(&ent);
	buf = rest ? xstrdup(rest) : NULL;
	for (char *c = buf ? strtok_r(buf, "/", &save) : NULL; c; c = strtok_r(NULL, "/", &save)) {
		char *next = path_join_rel(base, c);
		free(base);
		base = next;
		if (made(t, base))
			continue;
		struct meta m = { S_IFDIR | 0755, 0, 0, { 0, 0 } };
		if (last && !save[0])
			m = *last;
		/* strtok_r leaves save at the rest: empty means this was the last */
		if (tw_header(t, base, &m, 0, NULL, NULL, e) < 0)
			return -1;
		strv_push(&t->made, base);
	}
	*real = steal_ptr(base);
	return 0;
}

static int emit_fd(struct tw *t, const char *target, const struct meta *m, int fd, const char *what,
		   struct err *e);

/* One entry of a source at target (relative to /). */
static int emit(struct tw *t, const char *target, const struct mentry *ent, struct err *e)
{
	const struct stat *st = &ent->st;
	struct meta m;

	meta_of(t, st, &m);
	if (S_ISDIR(st->st_mode)) {
		return tw_header(t, target, &m, 0, NULL, NULL, e);
	}
	if (S_ISLNK(st->st_mode)) {
		_cleanup_free_ char *lt = NULL;
		if (mfs_readlink(&t->p->fs, ent, &lt, e) < 0)
			return -1;
		return tw_header(t, target, &m, 0, lt, NULL, e);
	}
	if (S_ISFIFO(st->st_mode))
		return tw_header(t, target, &m, 0, NULL, NULL, e);
	if (!S_ISREG(st->st_mode))
		return 0; /* devices, sockets */
	if (st->st_nlink > 1) {
		for (size_t i = 0; i < t->nlinks; i++)
			if (t->links[i].dev == st->st_dev && t->links[i].ino == st->st_ino)
				return tw_header(t, target, &m, 0, NULL, t->links[i].path, e);
		t->links = xrealloc(t->links, (t->nlinks + 1) * sizeof *t->links);
		t->links[t->nlinks].dev = st->st_dev;
		t->links[t->nlinks].ino = st->st_ino;
		t->links[t->nlinks++].path = xstrdup(target);
	}
	_cleanup_close_ int fd = mfs_open(&t->p->fs, ent, O_RDONLY | O_NOCTTY, e);

	if (fd < 0)
		return -1;
	return emit_fd(t, target, &m, fd, ent->path, e);
}

/* a regular file's header and content from fd (read from offset 0) */
static int emit_fd(struct tw *t, const char *target, const struct meta *m, int fd, const char *what,
		   struct err *e)
{
	struct stat fst;
	off_t left, off = 0;

	if (fstat(fd, &fst) < 0)
		return err_make(e, errno, "checking %s", what);
	if (tw_header(t, target, m, fst.st_size, NULL, NULL, e) < 0)
		return -1;
	for (left = fst.st_size; left > 0;) {
		ssize_t n = pread(fd, t->buf, left < BUFSZ ? (size_t)left : BUFSZ, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_make(e, errno, "reading %s", what);
		if (n == 0) {
			/* the file shrank while we copied it: pad */
			memset(t->buf, 0, BUFSZ);
			n = left < BUFSZ ? (ssize_t)left : BUFSZ;
		}
		if (tw_data(t, t->buf, (size_t)n, target, e) < 0)
			return -1;
		left -= n;
		off += n;
	}
	return 0;
}

static int emit_below(void *arg, const char *rel, const struct mentry *ent, struct err *e)
{
	struct tw *t = arg;
	_cleanup_free_ char *target = path_join_rel(t->prefix, rel);
	return emit(t, target, ent, e);
}

/* ---- ADD: local archives ---- */

static void archivep(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
}

/* An archive reader on fd if its content is a tar (any compression). */
static struct archive *open_archive(int fd, struct archive_entry **first)
{
	struct archive *a = archive_read_new();

	archive_read_support_format_tar(a);
	/* in-process decoders only */
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_lz4(a);
	if (archive_read_open_fd(a, fd, BUFSZ) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	int r = archive_read_next_header(a, first);
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

static bool under_symlink(char *const *links, const char *path)
{
	size_t n = strlen(path);

	for (size_t i = 0; links && links[i]; i++) {
		size_t l = strlen(links[i]);
		if (l < n && strncmp(links[i], path, l) == 0 && path[l] == '/')
			return true;
	}
	return false;
}

static void strv_remove(char **v, const char *s)
{
	size_t k = 0;

	for (size_t i = 0; v && v[i]; i++) {
		if (strcmp(v[i], s) == 0)
			free(v[i]);
		else
			v[k++] = v[i];
	}
	if (v)
		v[k] = NULL;
}

static int extract_entry(struct tw *t, struct archive *a, struct archive_entry *ent, const char *dir,
			 char ***links, const char *shown, struct err *e)
{
	const char *raw = archive_entry_pathname(ent), *hl = archive_entry_hardlink(ent);
	const char *base;
	_cleanup_free_ char *clean = NULL, *target = NULL;
	mode_t type = archive_entry_filetype(ent);
	struct meta m;

	if (!raw)
		return err_make(e, 0, "%s: an entry has no name", shown);
	if (unpack_clean_path(raw, &clean, e) < 0)
		return err_make(e, 0, "entry \"%s\" points outside the destination", raw);
	if (!*clean)
		return 0;
	base = strrchr(clean, '/') ? strrchr(clean, '/') + 1 : clean;
	if (strncmp(base, ".wh.", 4) == 0) {
		log_debug("ADD %s: leaving out the whiteout entry %s", shown, raw);
		return 0;
	}
	if (under_symlink(*links, clean))
		return err_make(e, 0, "entry \"%s\" would be written through a symlink of the archive", raw);
	target = path_join_rel(dir, clean);
	m.mode = archive_entry_mode(ent);
	m.uid = t->p->r->chown ? t->p->r->uid : (uid_t)archive_entry_uid(ent);
	m.gid = t->p->r->chown ? t->p->r->gid : (gid_t)archive_entry_gid(ent);
	m.mtime.tv_sec = archive_entry_mtime(ent);
	m.mtime.tv_nsec = archive_entry_mtime_nsec(ent);
	strv_remove(*links, clean);
	if (hl) {
		_cleanup_free_ char *hclean = NULL, *htarget = NULL;
		if (unpack_clean_path(hl, &hclean, e) < 0 || !*hclean)
			return err_make(e, 0, "hard link \"%s\" points outside the destination", raw);
		if (under_symlink(*links, hclean))
			return err_make(e, 0, "hard link \"%s\" goes through a symlink of the archive", raw);
		htarget = path_join_rel(dir, hclean);
		m.mode = S_IFREG | (m.mode & 07777);
		return tw_header(t, target, &m, 0, NULL, htarget, e);
	}
	switch (type) {
	case AE_IFDIR:
		return tw_header(t, target, &m, 0, NULL, NULL, e);
	case AE_IFLNK:
		if (!archive_entry_symlink(ent))
			return err_make(e, 0, "symlink \"%s\" has no target", raw);
		strv_push(links, clean);
		return tw_header(t, target, &m, 0, archive_entry_symlink(ent), NULL, e);
	case AE_IFIFO:
		return tw_header(t, target, &m, 0, NULL, NULL, e);
	case AE_IFREG: {
		int64_t size = archive_entry_size_is_set(ent) ? archive_entry_size(ent) : 0;
		int64_t done = 0;
		la_ssize_t n;
		if (tw_header(t, target, &m, size, NULL, NULL, e) < 0)
			return -1;
		while (done < size && (n = archive_read_data(a, t->buf, BUFSZ)) != 0) {
			if (n < 0)
				return err_make(e, 0, "reading %s: %s", raw, archive_error_string(a));
			if (n > size - done)
				n = (la_ssize_t)(size - done);
			if (tw_data(t, t->buf, (size_t)n, target, e) < 0)
				return -1;
			done += n;
		}
		if (done < size) {
			return err_make(e, 0, "reading %s: the archive is truncated", raw);
		}
		return 0;
	}
	default:
		return 0; /* devices, sockets */
	}
}

/* 1 if the item was an archive (and was extracted), 0 if not */
static int try_extract(struct tw *t, const struct src_item *it, struct err *e)
{
	_cleanup_close_ int fd = mfs_open(&t->p->fs, &it->ent, O_RDONLY | O_NOCTTY, e);
	__attribute__((cleanup(archivep))) struct archive *a = NULL;
	_cleanup_strv_ char **links = NULL;
	_cleanup_free_ char *dir = NULL;
	struct archive_entry *ent;
	int r;

	if (fd < 0)
		return -1;
	a = open_archive(fd, &ent);
	if (!a)
		return 0;
	if (dest_dir(t, t->p->dest, NULL, &dir, e) < 0)
		return -1;
	for (;;) {
		if (extract_entry(t, a, ent, dir, &links, it->shown, e) < 0)
			return err_wrap(e, "%s failed: extracting %s", t->p->r->instr, it->shown);
		r = archive_read_next_header(a, &ent);
		if (r == ARCHIVE_EOF)
			return 1;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return err_make(e, 0, "%s failed: extracting %s: %s", t->p->r->instr, it->shown,
					archive_error_string(a) ? archive_error_string(a)
								: "corrupt archive");
	}
}

/* ---- the whole tar ---- */

/* does path name an existing directory (in this tar or in the layers)? */
static int is_existing_dir(struct tw *t, const char *path, bool *yes, char **real, struct err *e)
{
	struct mentry ent;
	int r;

	*yes = false;
	if (made(t, path)) {
		*yes = true;
		*real = xstrdup(path);
		return 0;
	}
	r = mfs_resolve(&t->lower, path, true, &ent, NULL, e);
	if (r < 0) {
		if (e->errnum != ENOTDIR && e->errnum != ELOOP)
			return -1;
		err_clear(e);
		return 0;
	}
	if (r == 0 && S_ISDIR(ent.st.st_mode)) {
		*yes = true;
		*real = xstrdup(ent.path);
	}
	mentry_clear(&ent);
	return 0;
}

static int write_item(struct tw *t, const struct src_item *it, bool dest_is_dir, struct err *e)
{
	struct plan *p = t->p;
	_cleanup_free_ char *dir = NULL, *target = NULL;

	if (p->r->add && p->ctx && it->fd < 0 && S_ISREG(it->ent.st.st_mode)) {
		int r = try_extract(t, it, e);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	if (S_ISDIR(it->ent.st.st_mode)) {
		struct meta m;
		int r;
		meta_of(t, &it->ent.st, &m);
		if (dest_dir(t, p->dest, &m, &dir, e) < 0)
			return -1;
		t->prefix = dir;
		r = plan_walk(p, &it->ent, emit_below, t, e);
		t->prefix = NULL;
		return r;
	}
	if (dest_is_dir) {
		if (dest_dir(t, p->dest, NULL, &dir, e) < 0)
			return -1;
		target = path_join_rel(dir, it->name);
	} else {
		const char *slash = strrchr(p->dest, '/');
		_cleanup_free_ char *parent = slash ? xasprintf("%.*s", (int)(slash - p->dest), p->dest)
						    : xstrdup("");
		if (dest_dir(t, parent, NULL, &dir, e) < 0)
			return -1;
		target = path_join_rel(dir, slash ? slash + 1 : p->dest);
	}
	if (it->fd >= 0) {
		struct meta m;
		if (!*it->name && dest_is_dir)
			return err_make(e, 0,
					"ADD %s: the URL names no file; give the destination a file name",
					it->shown);
		meta_of(t, &it->ent.st, &m);
		return emit_fd(t, target, &m, it->fd, it->shown, e);
	}
	return emit(t, target, &it->ent, e);
}

static int write_heredoc(struct tw *t, bool dest_is_dir, struct err *e)
{
	struct plan *p = t->p;
	const char *body = p->r->heredoc_body;
	const char *name = p->r->srcs && p->r->srcs[0] ? p->r->srcs[0] : "EOF";
	_cleanup_free_ char *dir = NULL, *target = NULL;
	struct stat st;
	struct meta m;

	memset(&st, 0, sizeof st);
	st.st_mode = S_IFREG | 0644;
	meta_of(t, &st, &m);
	if (dest_is_dir) {
		if (dest_dir(t, p->dest, NULL, &dir, e) < 0)
			return -1;
		target = path_join_rel(dir, name);
	} else {
		const char *slash = strrchr(p->dest, '/');
		_cleanup_free_ char *parent = slash ? xasprintf("%.*s", (int)(slash - p->dest), p->dest)
						    : xstrdup("");
		if (dest_dir(t, parent, NULL, &dir, e) < 0)
			return -1;
		target = path_join_rel(dir, slash ? slash + 1 : p->dest);
	}
	if (tw_header(t, target, &m, (int64_t)strlen(body), NULL, NULL, e) < 0)
		return -1;
	return tw_data(t, body, strlen(body), target, e);
}

static int write_all_items(struct tw *t, struct err *e)
{
	struct plan *p = t->p;
	bool dest_is_dir = p->dest_slash;
	_cleanup_free_ char *real = NULL;

	if (!dest_is_dir) {
		if (is_existing_dir(t, p->dest, &dest_is_dir, &real, e) < 0)
			return -1;
	}
	if (p->heredoc)
		return write_heredoc(t, dest_is_dir, e);
	if ((p->nwords > 1 || p->nitems > 1) && !dest_is_dir)
		return err_make(e, 0,
				"When using %s with more than one source file, the destination "
				"must be a directory and end with a /",
				p->r->instr);
	for (size_t i = 0; i < p->nitems; i++)
		if (write_item(t, &p->items[i], dest_is_dir, e) < 0)
			return -1;
	return 0;
}

int plan_write_tar(struct plan *p, int outfd, struct err *e)
{
	struct tw t;
	int rc = -1;

	memset(&t, 0, sizeof t);
	t.p = p;
	if (mfs_open_dirs(&t.lower, p->r->dest_lowerdirs, false, true, e) < 0)
		return err_wrap(e, "the layers of the target stage");
	t.buf = xmalloc(BUFSZ);
	t.a = archive_write_new();
	archive_write_set_format_pax_restricted(t.a);
	archive_write_set_bytes_in_last_block(t.a, 1);
	if (archive_write_open_fd(t.a, outfd) != ARCHIVE_OK) {
		err_make(e, 0, "writing the layer tar: %s", archive_error_string(t.a));
	} else if (write_all_items(&t, e) == 0) {
		if (archive_write_close(t.a) != ARCHIVE_OK)
			tw_fail(&t, "the layer tar", e);
		else
			rc = 0;
	}
	archive_write_free(t.a);
	mfs_close(&t.lower);
	strv_free(t.made);
	for (size_t i = 0; i < t.nlinks; i++)
		free(t.links[i].path);
	free(t.links);
	free(t.buf);
	return rc;
}
