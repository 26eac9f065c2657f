/* copy.c - COPY/ADD: finding the sources, their digest, and the layer tar
 * (see copy.h).
 *
 * Choices where docker leaves room:
 *  - a source named on the line (or matched by a glob) is followed if it
 *    is a symlink; symlinks found below a source directory are copied as
 *    symlinks.  In the context a symlink (anywhere on a source's path)
 *    whose target is absolute or climbs above the context root is an
 *    error, never clamped; in COPY --from the layers' symlinks resolve
 *    inside the image root, as they would in a container;
 *  - the destination is resolved in the target stage's layers
 *    (dest_lowerdirs), following symlinks there: COPY x /bin/ with /bin ->
 *    usr/bin writes usr/bin/x, and an existing directory named by a
 *    destination without "/" receives the file;
 *  - directories created for the destination are 0755 0:0 with mtime 0,
 *    except the destination of a directory source, which takes that
 *    directory's mode (and --chown/--chmod) like docker; entries that
 *    exist in dest_lowerdirs are not put in the tar;
 *  - hard links among the copied files stay hard links;
 *  - ADD: a local file whose content is a tar (plain, gzip, bzip2, xz,
 *    lzma, zstd, lz4; in-process decoders only) is extracted into dest,
 *    keeping the archive's owners unless --chown (--chmod is not applied
 *    to extracted entries); a name climbing out with "..", or one written
 *    through a symlink the archive itself made, rejects the archive;
 *    ".wh." entries are left out.  An http(s) URL is downloaded (copyurl.c),
 *    not extracted, 0600, its Last-Modified as mtime; a git URL fails;
 *  - devices and sockets are left out (they cannot be made in a user
 *    namespace anyway).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context_int.h"
#include "copy.h"
#include "copy_int.h"
#include "lib/base/log.h"
#include "lib/store/digest.h"
#include "lib/store/unpack.h"
#include "lib/base/util.h"

#define BUFSZ (256 * 1024)

/* ---- sources ---- */

static void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->nitems; i++) {
		free(p->items[i].name);
		free(p->items[i].shown);
		mentry_clear(&p->items[i].ent);
	}
	free(p->items);
	free(p->dest);
	mfs_close(&p->fs);
	memset(p, 0, sizeof *p);
}

static void add_item(struct plan *p, const char *shown, struct mentry *ent)
{
	struct src_item *it;
	const char *slash = strrchr(shown, '/');

	p->items = xrealloc(p->items, (p->nitems + 1) * sizeof *p->items);
	it = &p->items[p->nitems++];
	it->shown = xstrdup(shown);
	it->name = xstrdup(slash ? slash + 1 : shown);
	it->ent = *ent;
	it->fd = -1;
	memset(ent, 0, sizeof *ent);
}

static int add_url(struct plan *p, const char *url, struct err *e)
{
	_cleanup_free_ char *name = copy_url_name(url);
	struct mentry ent;
	int fd;

	memset(&ent, 0, sizeof ent);
	if (copy_url_fetch(url, &fd, &ent.st, e) < 0)
		return -1;
	ent.path = xstrdup(*name ? name : "download");
	ent.layer = (size_t)-1;
	add_item(p, url, &ent);
	p->items[p->nitems - 1].fd = fd;
	free(p->items[p->nitems - 1].name);
	p->items[p->nitems - 1].name = xstrdup(name);
	return 0;
}

/* hidden by the .dockerignore (context only) */
static bool hidden(const struct plan *p, const char *relpath, const struct stat *st)
{
	return p->ctx && build_context_hidden(p->ctx, relpath, S_ISDIR(st->st_mode), NULL);
}

static int resolve_failed(const struct plan *p, const char *shown, struct err *e)
{
	if (e->errnum == EXDEV)
		return err_wrap(e, "%s failed", p->r->instr);
	return err_wrap(e, "%s failed: %s", p->r->instr, shown);
}

/* Resolve one literal path (relative, clean) of the source view: 0 found
 * and visible, 1 absent or hidden, -1 error. */
static int resolve_source(struct plan *p, const char *literal, struct mentry *out, struct err *e)
{
	int r = mfs_resolve(&p->fs, literal, true, out, NULL, e);

	if (r < 0) {
		if (e->errnum == ENOTDIR || e->errnum == ENOENT) {
			err_clear(e);
			return 1;
		}
		return resolve_failed(p, literal, e);
	}
	if (r == 1) {
		mentry_clear(out);
		return 1;
	}
	if (hidden(p, literal, &out->st) || hidden(p, out->path, &out->st)) {
		mentry_clear(out);
		return 1;
	}
	return 0;
}

static int expand_glob(struct plan *p, const struct mentry *dir, char **comps, size_t i, const char *literal,
		       struct err *e)
{
	_cleanup_strv_ char **names = NULL;
	/* a glob pattern has at least one component, so comps is never empty */
	bool last = comps[i + 1] == NULL; // NOLINT(clang-analyzer-core.NullDereference)

	if (!path_has_glob(comps[i])) {
		strv_push(&names, comps[i]);
	} else {
		_cleanup_strv_ char **all = NULL;
		if (mfs_list(&p->fs, dir, &all, e) < 0)
			return -1;
		for (size_t k = 0; all[k]; k++) {
			int m = path_match(comps[i], all[k], e);
			if (m < 0)
				return err_wrap(e, "%s failed", p->r->instr);
			if (m)
				strv_push(&names, all[k]);
		}
	}
	for (size_t k = 0; names && names[k]; k++) {
		_cleanup_free_ char *lit = path_join_rel(literal, names[k]);
		_cleanup_free_ char *real = path_join_rel(dir->path, names[k]);
		struct mentry ent;
		int r = mfs_resolve(&p->fs, real, true, &ent, NULL, e);

		if (r < 0) {
			if (e->errnum != ENOTDIR && e->errnum != ENOENT)
				return resolve_failed(p, lit, e);
			err_clear(e);
			continue;
		}
		if (r == 1 || hidden(p, lit, &ent.st) || hidden(p, ent.path, &ent.st)) {
			mentry_clear(&ent);
			continue;
		}
		if (last)
			add_item(p, lit, &ent);
		else if (S_ISDIR(ent.st.st_mode) && expand_glob(p, &ent, comps, i + 1, lit, e) < 0) {
			mentry_clear(&ent);
			return -1;
		}
		mentry_clear(&ent);
	}
	return 0;
}

/* lexical clean that clamps ".." at the root (destinations, layer paths) */
static char *clean_clamp(const char *in)
{
	return path_clean_lexical(in, NULL);
}

static int add_source(struct plan *p, const char *word, struct err *e)
{
	_cleanup_free_ char *clean = NULL;
	struct mentry ent;
	int r;

	if (p->ctx) {
		if (unpack_clean_path(word, &clean, e) < 0)
			return err_make(e, 0, "%s failed: forbidden path outside the build context: %s",
					p->r->instr, word);
	} else {
		clean = clean_clamp(word);
	}
	if (path_has_glob(clean)) {
		_cleanup_strv_ char **comps = NULL;
		_cleanup_free_ char *buf = xstrdup(clean);
		char *save = NULL;
		struct mentry root;
		for (char *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save))
			strv_push(&comps, c);
		if (mfs_root(&p->fs, &root, e) < 0)
			return -1;
		r = expand_glob(p, &root, comps, 0, "", e);
		mentry_clear(&root);
		if (r < 0)
			return -1;
		p->globbed = true;
		return 0;
	}
	r = resolve_source(p, clean, &ent, e);
	if (r < 0)
		return -1;
	if (r == 1) {
		err_make(e, 0, "%s failed: stat %s: file does not exist%s", p->r->instr, word,
			 p->ctx ? " (or is excluded by .dockerignore)" : "");
		e->errnum = ENOENT;
		return -1;
	}
	add_item(p, *clean ? clean : ".", &ent);
	return 0;
}

int plan_make(struct plan *p, const struct copy_req *r, const struct copy_src *src, struct err *e)
{
	const char *d = r->dest ? r->dest : "";
	size_t dl = strlen(d);
	_cleanup_free_ char *full = NULL;

	memset(p, 0, sizeof *p);
	p->r = r;
	p->src = src;
	for (size_t i = 0; r->srcs && r->srcs[i]; i++)
		p->nwords++;
	if (r->heredoc_body) {
		p->heredoc = true;
	} else {
		if (src->kind == COPY_FROM_CONTEXT) {
			if (!src->ctx)
				return err_make(e, 0, "%s: no build context", r->instr);
			p->ctx = src->ctx;
			p->fs.fds = xcalloc(1, sizeof *p->fs.fds);
			p->fs.fds[0] = fcntl(src->ctx->dirfd, F_DUPFD_CLOEXEC, 3);
			if (p->fs.fds[0] < 0) {
				free(p->fs.fds);
				p->fs.fds = NULL;
				return err_make(e, errno, "opening the build context");
			}
			p->fs.n = 1;
			p->fs.strict = true;
		} else if (mfs_open_dirs(&p->fs, src->lowerdirs, false, true, e) < 0) {
			return err_wrap(e, "%s --from", r->instr);
		}
		for (size_t i = 0; i < p->nwords; i++) {
			if (r->add && copy_is_url(r->srcs[i]) ? add_url(p, r->srcs[i], e) < 0
							      : add_source(p, r->srcs[i], e) < 0)
				goto fail;
		}
		if (p->nitems == 0) {
			err_make(e, 0, "%s failed: no source files were specified", r->instr);
			e->errnum = ENOENT;
			goto fail;
		}
	}
	/* the destination */
	p->dest_slash = dl == 0 || d[dl - 1] == '/' || strcmp(d, ".") == 0 || strcmp(d, "..") == 0 ||
			(dl >= 2 && strcmp(d + dl - 2, "/.") == 0) ||
			(dl >= 3 && strcmp(d + dl - 3, "/..") == 0);
	full = d[0] == '/' ? xstrdup(d) : xasprintf("%s/%s", r->workdir ? r->workdir : "/", d);
	p->dest = clean_clamp(full);
	if (!*p->dest)
		p->dest_slash = true;
	return 0;
fail:
	plan_free(p);
	return -1;
}

void plan_clear(struct plan *p)
{
	plan_free(p);
}

/* ---- the walk below a source directory ---- */

struct pending {
	char *rel;
	struct mentry ent;
};

struct walker {
	struct plan *p;
	plan_visit_fn visit;
	void *arg;
	struct pending *pend;
	size_t npend, nflushed;
};

static int flush_pending(struct walker *w, struct err *e)
{
	for (; w->nflushed < w->npend; w->nflushed++)
		if (w->visit(w->arg, w->pend[w->nflushed].rel, &w->pend[w->nflushed].ent, e) < 0)
			return -1;
	return 0;
}

static int walk(struct walker *w, const struct mentry *dir, const char *rel, struct err *e)
{
	_cleanup_strv_ char **names = NULL;

	if (mfs_list(&w->p->fs, dir, &names, e) < 0)
		return -1;
	for (size_t i = 0; names[i]; i++) {
		_cleanup_free_ char *crel = path_join_rel(rel, names[i]);
		struct mentry ent;
		bool walk_only = false;
		int r = mfs_child(&w->p->fs, dir, names[i], &ent, e);

		if (r < 0)
			return -1;
		if (r == 1)
			continue;
		if (w->p->ctx &&
		    build_context_hidden(w->p->ctx, ent.path, S_ISDIR(ent.st.st_mode), &walk_only) &&
		    !walk_only) {
			mentry_clear(&ent);
			continue;
		}
		if (walk_only) {
			/* an excluded directory an exception reaches into: it
			 * appears only if something below it does */
			w->pend = xrealloc(w->pend, (w->npend + 1) * sizeof *w->pend);
			w->pend[w->npend].rel = xstrdup(crel);
			w->pend[w->npend++].ent = ent;
			r = walk(w, &ent, crel, e);
			if (w->nflushed == w->npend)
				w->nflushed--;
			w->npend--;
			free(w->pend[w->npend].rel);
			mentry_clear(&w->pend[w->npend].ent);
			if (r < 0)
				return -1;
			continue;
		}
		r = flush_pending(w, e);
		if (r == 0)
			r = w->visit(w->arg, crel, &ent, e);
		if (r == 0 && S_ISDIR(ent.st.st_mode))
			r = walk(w, &ent, crel, e);
		mentry_clear(&ent);
		if (r < 0)
			return -1;
	}
	return 0;
}

static void walker_free(struct walker *w)
{
	for (size_t i = 0; i < w->npend; i++) {
		free(w->pend[i].rel);
		mentry_clear(&w->pend[i].ent);
	}
	free(w->pend);
}

int plan_walk(struct plan *p, const struct mentry *dir, plan_visit_fn visit, void *arg, struct err *e)
{
	struct walker w = { p, visit, arg, NULL, 0, 0 };
	int r = walk(&w, dir, "", e);

	walker_free(&w);
	return r;
}

/* ---- the digest ---- */

struct hasher {
	struct plan *p;
	struct sha256 *h;
	char *buf;
};

static void hash_bytes(struct sha256 *h, const void *data, size_t len)
{
	uint64_t l = len;
	sha256_update(h, &l, sizeof l);
	sha256_update(h, data, len);
}

static void hash_str(struct sha256 *h, const char *s)
{
	hash_bytes(h, s ? s : "", s ? strlen(s) + 1 : 0);
}

static void hash_u64(struct sha256 *h, uint64_t v)
{
	sha256_update(h, &v, sizeof v);
}

static int hash_fd(struct hasher *x, int fd, const char *what, struct err *e)
{
	uint64_t total = 0;
	off_t off = 0;
	ssize_t n;

	while ((n = pread(fd, x->buf, BUFSZ, off)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_make(e, errno, "reading %s", what);
		}
		sha256_update(x->h, x->buf, (size_t)n);
		total += (uint64_t)n;
		off += n;
	}
	hash_u64(x->h, total);
	return 0;
}

/* the ID a file owned by host ID id has inside the namespace of m */
static uint64_t inner_id(const struct idmap *m, unsigned long id, bool gid)
{
	const struct idrange *r;
	size_t n;

	if (!m)
		return id;
	r = gid ? m->gids : m->uids;
	n = gid ? m->ngids : m->nuids;
	for (size_t i = 0; i < n; i++)
		if (id >= r[i].outer && id - r[i].outer < r[i].count)
			return r[i].inner + (id - r[i].outer);
	return 65534; /* the overflow ID, as the kernel shows it */
}

static int hash_entry(void *arg, const char *rel, const struct mentry *ent, struct err *e)
{
	struct hasher *x = arg;
	const struct stat *st = &ent->st;

	hash_str(x->h, "entry");
	hash_str(x->h, rel);
	hash_u64(x->h, st->st_mode);
	if (x->p->src->kind == COPY_FROM_LAYERS) {
		hash_u64(x->h, inner_id(x->p->outside, st->st_uid, false));
		hash_u64(x->h, inner_id(x->p->outside, st->st_gid, true));
	}
	if (S_ISLNK(st->st_mode)) {
		_cleanup_free_ char *t = NULL;
		if (mfs_readlink(&x->p->fs, ent, &t, e) < 0)
			return -1;
		hash_str(x->h, t);
	} else if (S_ISREG(st->st_mode)) {
		_cleanup_close_ int fd = mfs_open(&x->p->fs, ent, O_RDONLY | O_NOCTTY, e);
		if (fd < 0)
			return -1;
		return hash_fd(x, fd, ent->path, e);
	}
	return 0;
}

int plan_digest(struct plan *p, char out[72], struct err *e)
{
	const struct copy_req *r = p->r;
	_cleanup_free_ char *buf = xmalloc(BUFSZ);
	struct hasher x = { p, sha256_new(), buf };
	char hex[65];
	int rc = 0;

	hash_str(x.h, "burrow-copy-v1");
	hash_u64(x.h, r->add);
	hash_u64(x.h, p->src->kind);
	hash_str(x.h, p->dest);
	hash_u64(x.h, p->dest_slash);
	hash_u64(x.h, r->chown);
	if (r->chown) {
		hash_u64(x.h, r->uid);
		hash_u64(x.h, r->gid);
	}
	hash_u64(x.h, (uint64_t)(int64_t)r->chmod);
	hash_u64(x.h, p->nwords);
	for (size_t i = 0; i < p->nwords; i++)
		hash_str(x.h, r->srcs[i]);
	if (p->heredoc)
		hash_str(x.h, r->heredoc_body);
	for (size_t i = 0; i < p->nitems && rc == 0; i++) {
		struct src_item *it = &p->items[i];
		hash_str(x.h, "item");
		hash_str(x.h, it->shown);
		if (it->fd >= 0) {
			rc = hash_fd(&x, it->fd, it->shown, e);
			continue;
		}
		rc = hash_entry(&x, "", &it->ent, e);
		if (rc == 0 && S_ISDIR(it->ent.st.st_mode))
			rc = plan_walk(p, &it->ent, hash_entry, &x, e);
	}
	if (rc < 0) {
		sha256_free(x.h);
		return -1;
	}
	sha256_final_hex(x.h, hex);
	snprintf(out, 72, "sha256:%s", hex);
	return 0;
}

/* ---- the entry points, inside the user namespace when needed ---- */

struct job {
	const struct copy_req *r;
	const struct copy_src *src;
	int outfd; /* the tar; -1: the digest */
	const struct idmap *outside;
	char digest[72];
};

static int job_run(struct job *j, struct err *e)
{
	struct plan p;
	int rc;

	if (plan_make(&p, j->r, j->src, e) < 0)
		return -1;
	p.outside = j->outside;
	rc = j->outfd < 0 ? plan_digest(&p, j->digest, e) : plan_write_tar(&p, j->outfd, e);
	plan_clear(&p);
	return rc;
}

static int job_fn(void *arg, int outfd, struct err *e)
{
	struct job *j = arg;

	if (job_run(j, e) < 0)
		return -1;
	if (j->outfd < 0 && write_all(outfd, j->digest, strlen(j->digest)) < 0)
		return err_make(e, errno, "sending the digest");
	return 0;
}

static int job_in_userns(struct job *j, const struct idmap *m, struct err *e)
{
	_cleanup_free_ char *out = NULL;
	size_t len = 0;

	if (userns_run(m, 0, job_fn, j, &out, &len, NULL, e) < 0)
		return -1;
	if (j->outfd < 0) {
		if (len != 71 || strncmp(out, "sha256:", 7) != 0)
			return err_make(e, 0, "%s: no digest from the user namespace", j->r->instr);
		memcpy(j->digest, out, 71);
		j->digest[71] = '\0';
	}
	return 0;
}

int copy_digest(const struct copy_req *r, const struct copy_src *src, const struct idmap *m, char out[72],
		struct err *e)
{
	struct job j = { r, src, -1, NULL, "" };

	/* The context belongs to the caller: no namespace, no fork.  Layers
	 * are tried from here first too (owners mapped back into the
	 * namespace, so the digest is the same), which keeps a cached step
	 * fast; only files we cannot read send us into the namespace. */
	if (m && src->kind == COPY_FROM_LAYERS && !r->heredoc_body) {
		j.outside = m;
		if (job_run(&j, e) < 0) {
			if (e->errnum != EACCES && e->errnum != EPERM)
				return -1;
			err_clear(e);
			j.outside = NULL;
			if (job_in_userns(&j, m, e) < 0)
				return -1;
		}
	} else if (job_run(&j, e) < 0) {
		return -1;
	}
	memcpy(out, j.digest, 72);
	return 0;
}

int copy_write_tar(const struct copy_req *r, const struct copy_src *src, const struct idmap *m, int outfd,
		   struct err *e)
{
	struct job j = { r, src, outfd, NULL, "" };
	bool layers = (src->kind == COPY_FROM_LAYERS && !r->heredoc_body) ||
		      (r->dest_lowerdirs && r->dest_lowerdirs[0]);

	if (outfd < 0)
		return err_make(e, EBADF, "%s: no output file", r->instr);
	if (m && layers)
		return job_in_userns(&j, m, e);
	return job_run(&j, e);
}
