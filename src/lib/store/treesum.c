/* treesum.c - see treesum.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "digest.h"
#include "lib/base/log.h"
#include "lib/base/util.h"
#include "treesum.h"

#define TREE_MAX_DEPTH 512

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* names in dirfd, sorted */
static int sorted_names(int dirfd, char ***out, struct err *e)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	char **v = xcalloc(1, sizeof *v);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		strv_free(v);
		return err_make(e, errno, "reading a directory");
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			strv_push(&v, de->d_name);
	qsort(v, strv_len(v), sizeof *v, cmp_names);
	*out = v;
	return 0;
}

/* one entry: the path, NUL, then the metadata (a name cannot fake a line);
 * extra is the content's digest of a regular file, the target's of a
 * symlink, ignored for the rest */
static void put_entry(struct sha256 *h, const char *path, const struct stat *st, const char *extra)
{
	char line[256], dev[32];

	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
		snprintf(dev, sizeof dev, "%u:%u", major(st->st_rdev), minor(st->st_rdev));
		extra = dev;
	} else if (!S_ISREG(st->st_mode) && !S_ISLNK(st->st_mode)) {
		extra = "";
	}
	sha256_update(h, path, strlen(path) + 1);
	snprintf(line, sizeof line, "%o %u %u %" PRIu64 " %s\n", (unsigned)st->st_mode, (unsigned)st->st_uid,
		 (unsigned)st->st_gid, S_ISREG(st->st_mode) ? (uint64_t)st->st_size : 0, extra);
	sha256_update(h, line, strlen(line));
}

static int walk(int dirfd, const char *rel, struct sha256 *h, int depth, struct err *e)
{
	_cleanup_strv_ char **names = NULL;

	if (depth > TREE_MAX_DEPTH)
		return err_make(e, ELOOP, "%s: more than %d levels deep", rel, TREE_MAX_DEPTH);
	if (sorted_names(dirfd, &names, e) < 0)
		return err_wrap(e, "%s", *rel ? rel : ".");
	for (size_t i = 0; names[i]; i++) {
		_cleanup_free_ char *path = xasprintf("%s%s%s", rel, *rel ? "/" : "", names[i]);
		char extra[80] = "";
		struct stat st;

		if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			return err_make(e, errno, "%s", path);
		if (S_ISREG(st.st_mode)) {
			_cleanup_close_ int fd = openat(dirfd, names[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			uint64_t size;
			if (fd < 0 || sha256_fd(fd, extra, &size, e) < 0)
				return fd < 0 ? err_make(e, errno, "%s", path) : err_wrap(e, "%s", path);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t n = readlinkat(dirfd, names[i], target, sizeof target - 1);
			if (n < 0)
				return err_make(e, errno, "%s", path);
			target[n] = '\0';
			sha256_hex(target, (size_t)n, extra);
		}
		put_entry(h, path, &st, extra);
		if (S_ISDIR(st.st_mode)) {
			_cleanup_close_ int sub = openat(dirfd, names[i],
							 O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0)
				return err_make(e, errno, "%s", path);
			if (walk(sub, path, h, depth + 1, e) < 0)
				return -1;
		}
	}
	return 0;
}

int tree_digest_at(int dirfd, char out[72], struct err *e)
{
	struct sha256 *h = sha256_new();
	char hex[65];

	if (walk(dirfd, "", h, 0, e) < 0) {
		sha256_free(h);
		return err_wrap(e, "computing the tree digest");
	}
	sha256_final_hex(h, hex);
	snprintf(out, 72, "sha256:%s", hex);
	return 0;
}

/* --- the same digest while unpacking (tree_stream) */

/* one entry: what the walk hashes of its struct stat */
struct ts_rec {
	char *path;
	off_t size;
	dev_t rdev;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	bool have;      /* final */
	char extra[72]; /* "sha256:<hex>" of a file, <hex> of a symlink's target */
};

/* entries kept at most (about 200 bytes each): a larger layer is walked */
#define TREE_STREAM_MAX 262144

struct tree_stream {
	struct ts_rec *recs;
	size_t n, cap;
	uint32_t *slots; /* open addressing: index + 1, 0 = free */
	size_t nslots;
	bool unsure;
	struct sha256 *file; /* the regular file being written */
	uint64_t file_end;
};

static const char zeros[64 * 1024];

static void ts_set(struct ts_rec *r, const struct stat *st)
{
	r->size = st->st_size;
	r->rdev = st->st_rdev;
	r->mode = st->st_mode;
	r->uid = st->st_uid;
	r->gid = st->st_gid;
	r->have = true;
}

static size_t ts_hash(const char *s)
{
	size_t h = 14695981039346656037ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct ts_rec *ts_find(struct tree_stream *t, const char *path, size_t *slot)
{
	size_t mask = t->nslots - 1;
	for (size_t i = ts_hash(path) & mask;; i = (i + 1) & mask) {
		if (!t->slots[i]) {
			if (slot)
				*slot = i;
			return NULL;
		}
		if (strcmp(t->recs[t->slots[i] - 1].path, path) == 0)
			return &t->recs[t->slots[i] - 1];
	}
}

static void ts_grow(struct tree_stream *t)
{
	size_t n = t->nslots ? t->nslots * 2 : 4096;
	free(t->slots);
	t->slots = xcalloc(n, sizeof *t->slots);
	t->nslots = n;
	for (size_t k = 0; k < t->n; k++) {
		size_t slot;
		ts_find(t, t->recs[k].path, &slot);
		t->slots[slot] = (uint32_t)(k + 1);
	}
}

struct tree_stream *tree_stream_new(int rootfd)
{
	const char *env = getenv("BURROW_TREESUM_STREAM");
	int fd;
	DIR *d;
	struct dirent *de;
	struct stat st;
	bool empty = true;
	struct tree_stream *t;

	if (env && strcmp(env, "0") == 0)
		return NULL;
	/* an empty directory whose set-group-ID bit cannot hand down a group */
	fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || (st.st_mode & S_ISGID) || !(d = fdopendir(fd))) {
		close(fd);
		return NULL;
	}
	while (empty && (de = readdir(d)))
		empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
	closedir(d);
	if (!empty)
		return NULL;
	t = xcalloc(1, sizeof *t);
	ts_grow(t);
	return t;
}

void tree_stream_free(struct tree_stream *t)
{
	if (!t)
		return;
	for (size_t k = 0; k < t->n; k++)
		free(t->recs[k].path);
	free(t->recs);
	free(t->slots);
	sha256_free(t->file);
	free(t);
}

void tree_stream_unsure(struct tree_stream *t, const char *why, const char *path)
{
	if (!t || t->unsure)
		return;
	log_debug("tree digest: %s%s%s: reading the tree back after unpacking", why, path ? " " : "",
		  path ? path : "");
	t->unsure = true;
}

void tree_stream_parent(struct tree_stream *t, const char *dir)
{
	struct ts_rec *r;

	if (!t || t->unsure)
		return;
	r = ts_find(t, dir, NULL);
	if (!r || !S_ISDIR(r->mode))
		tree_stream_unsure(t, "no directory entry before", dir);
}

void tree_stream_begin(struct tree_stream *t, const char *path)
{
	const char *slash, *p;
	struct ts_rec *r;
	size_t slot, depth = 0;

	if (!t || t->unsure)
		return;
	for (p = path; *p; p++)
		depth += *p == '/';
	if (t->n >= TREE_STREAM_MAX) {
		tree_stream_unsure(t, "too many entries at", path);
		return;
	}
	if (depth >= TREE_MAX_DEPTH) {
		tree_stream_unsure(t, "deep path", path);
		return;
	}
	slash = strrchr(path, '/');
	if (slash) {
		_cleanup_free_ char *dir = xasprintf("%.*s", (int)(slash - path), path);
		tree_stream_parent(t, dir);
		if (t->unsure)
			return;
	}
	if (ts_find(t, path, &slot)) {
		tree_stream_unsure(t, "written twice", path);
		return;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->recs = xrealloc(t->recs, t->cap * sizeof *t->recs);
	}
	r = &t->recs[t->n];
	memset(r, 0, sizeof *r);
	r->path = xstrdup(path);
	t->slots[slot] = (uint32_t)++t->n;
	if (t->n * 2 > t->nslots)
		ts_grow(t);
}

static struct ts_rec *ts_get(struct tree_stream *t, const char *path)
{
	struct ts_rec *r;

	if (!t || t->unsure)
		return NULL;
	r = ts_find(t, path, NULL);
	if (!r)
		tree_stream_unsure(t, "not begun", path);
	return r;
}

void tree_stream_stat(struct tree_stream *t, const char *path, const struct stat *st, const char *target)
{
	struct ts_rec *r = ts_get(t, path);

	if (!r)
		return;
	ts_set(r, st);
	if (S_ISLNK(st->st_mode)) {
		/* tree_digest_at reads at most 4095 bytes of a target */
		if (!target || strlen(target) >= 4095) {
			tree_stream_unsure(t, "long symlink", path);
			return;
		}
		sha256_hex(target, strlen(target), r->extra);
	}
}

void tree_stream_link(struct tree_stream *t, const char *path, const char *target)
{
	struct ts_rec *r = ts_get(t, path), *to;

	if (!r)
		return;
	to = ts_find(t, target, NULL);
	if (!to || !to->have || S_ISDIR(to->mode)) {
		tree_stream_unsure(t, "hard link to an unknown target", path);
		return;
	}
	memcpy(r->extra, to->extra, sizeof r->extra);
	r->size = to->size;
	r->rdev = to->rdev;
	r->mode = to->mode;
	r->uid = to->uid;
	r->gid = to->gid;
	r->have = true;
}

static void ts_zeros(struct tree_stream *t, uint64_t to)
{
	while (t->file_end < to) {
		size_t n = to - t->file_end < sizeof zeros ? (size_t)(to - t->file_end) : sizeof zeros;
		sha256_update(t->file, zeros, n);
		t->file_end += n;
	}
}

void tree_stream_file_data(struct tree_stream *t, const void *buf, size_t len, uint64_t off)
{
	if (!t || t->unsure || len == 0)
		return;
	if (!t->file) {
		t->file = sha256_new();
		t->file_end = 0;
	}
	if (off < t->file_end) {
		tree_stream_unsure(t, "overlapping file data", NULL);
		return;
	}
	ts_zeros(t, off);
	sha256_update(t->file, buf, len);
	t->file_end += len;
}

void tree_stream_file_end(struct tree_stream *t, const char *path, const struct stat *st)
{
	struct ts_rec *r = ts_get(t, path);
	char hex[65];

	if (!r || t->unsure) {
		sha256_free(t ? t->file : NULL);
		if (t)
			t->file = NULL;
		return;
	}
	if (!t->file) {
		t->file = sha256_new();
		t->file_end = 0;
	}
	if ((uint64_t)st->st_size < t->file_end || !S_ISREG(st->st_mode)) {
		sha256_free(t->file);
		t->file = NULL;
		{
			tree_stream_unsure(t, "file size", path);
			return;
		}
	}
	ts_zeros(t, (uint64_t)st->st_size);
	sha256_final_hex(t->file, hex);
	t->file = NULL;
	snprintf(r->extra, sizeof r->extra, "sha256:%s", hex);
	ts_set(r, st);
}

/* the walk's order: names sorted with strcmp in each directory, a
 * directory followed by what is below it, i.e. "/" sorts before any byte
 * and the end of a path before "/" */
static int cmp_tree(const void *a, const void *b)
{
	const unsigned char *x = (const unsigned char *)((const struct ts_rec *)a)->path;
	const unsigned char *y = (const unsigned char *)((const struct ts_rec *)b)->path;

	for (; *x == *y; x++, y++)
		if (!*x)
			return 0;
	return (*x == '/' ? 1 : *x ? *x + 1 : 0) - (*y == '/' ? 1 : *y ? *y + 1 : 0);
}

int tree_stream_final(struct tree_stream *t, char out[72])
{
	struct sha256 *h;
	char hex[65];

	if (!t || t->unsure)
		return -1;
	for (size_t k = 0; k < t->n; k++)
		if (!t->recs[k].have) {
			tree_stream_unsure(t, "no final metadata for", t->recs[k].path);
			return -1;
		}
	if (t->n)
		qsort(t->recs, t->n, sizeof *t->recs, cmp_tree);
	/* the order changed: the index is stale, and nothing is added now */
	t->unsure = true;
	h = sha256_new();
	for (size_t k = 0; k < t->n; k++) {
		const struct ts_rec *r = &t->recs[k];
		struct stat st;
		memset(&st, 0, sizeof st);
		st.st_size = r->size;
		st.st_rdev = r->rdev;
		st.st_mode = r->mode;
		st.st_uid = r->uid;
		st.st_gid = r->gid;
		put_entry(h, r->path, &st, r->extra);
	}
	sha256_final_hex(h, hex);
	snprintf(out, 72, "sha256:%s", hex);
	return 0;
}
