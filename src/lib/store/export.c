/* export.c - see export.h */
#include <dirent.h>
#include <errno.h>
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
#include "export.h"
#include "lib/base/util.h"
#include "store_int.h"

struct hardlink {
	dev_t dev;
	ino_t ino;
	char *path;
};

struct walk {
	struct archive *a;
	int outfd;
	struct sha256 *hash; /* of what is written, or NULL */
	uint64_t written;
	struct hardlink *links;
	size_t nlinks;
	char *buf;
	layer_skip_fn *skip; /* may be NULL */
	void *skip_arg;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_entry(struct walk *w, const char *path, const struct stat *st, int fd, const char *target,
		     const char *hardlink, struct err *e)
{
	struct archive_entry *ent = archive_entry_new();
	int rc = 0;

	archive_entry_set_pathname(ent, path);
	archive_entry_set_uid(ent, st->st_uid);
	archive_entry_set_gid(ent, st->st_gid);
	archive_entry_set_mode(ent, st->st_mode);
	archive_entry_set_mtime(ent, st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
	if (hardlink) {
		archive_entry_set_hardlink(ent, hardlink);
		archive_entry_set_size(ent, 0);
	} else if (S_ISREG(st->st_mode)) {
		archive_entry_set_size(ent, st->st_size);
	} else {
		archive_entry_set_size(ent, 0);
	}
	if (target)
		archive_entry_set_symlink(ent, target);
	if (archive_write_header(w->a, ent) != ARCHIVE_OK) {
		rc = err_make(e, 0, "writing %s: %s", path, archive_error_string(w->a));
		goto out;
	}
	if (fd >= 0 && !hardlink) {
		off_t left = st->st_size;
		while (left > 0) {
			ssize_t n = read(fd, w->buf, 256 * 1024);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				rc = err_make(e, n < 0 ? errno : EIO, "reading %s", path);
				goto out;
			}
			if (n > left)
				n = (ssize_t)left;
			if (archive_write_data(w->a, w->buf, (size_t)n) < 0) {
				rc = err_make(e, 0, "writing %s: %s", path, archive_error_string(w->a));
				goto out;
			}
			left -= n;
		}
	}
out:
	archive_entry_free(ent);
	return rc;
}

static int walk_dir(struct walk *w, int dfd, const char *prefix, struct err *e)
{
	_cleanup_strv_ char **names = NULL;
	DIR *d;
	struct dirent *de;
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t n;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return err_make(e, errno, "reading directory /%s", prefix);
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			strv_push(&names, de->d_name);
	n = strv_len(names);
	if (n)                                           /* then names is not NULL: strv_len(NULL) is 0 */
		qsort(names, n, sizeof *names, cmp_str); // NOLINT(clang-analyzer-core.NonNullParamChecker)
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *path = xasprintf("%s%s", prefix, names[i]);
		struct stat st;
		if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			closedir(d);
			return err_make(e, errno, "checking /%s", path);
		}
		if (w->skip && w->skip(path, &st, w->skip_arg))
			continue;
		if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
			_cleanup_free_ char *wh = xasprintf("%s.wh.%s", prefix, names[i]);
			st.st_mode = S_IFREG | 0644;
			st.st_size = 0;
			if (add_entry(w, wh, &st, -1, NULL, NULL, e) < 0)
				goto fail;
		} else if (S_ISDIR(st.st_mode)) {
			_cleanup_close_ int sub = openat(dirfd(d), names[i],
							 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			_cleanup_free_ char *dpath = xasprintf("%s/", path);
			char val[4];
			if (sub < 0) {
				err_make(e, errno, "opening /%s", path);
				goto fail;
			}
			if (add_entry(w, dpath, &st, -1, NULL, NULL, e) < 0)
				goto fail;
			if (fgetxattr(sub, "user.overlay.opaque", val, sizeof val) == 1 && val[0] == 'y') {
				_cleanup_free_ char *opq = xasprintf("%s.wh..wh..opq", dpath);
				struct stat ost = st;
				ost.st_mode = S_IFREG | 0644;
				ost.st_size = 0;
				if (add_entry(w, opq, &ost, -1, NULL, NULL, e) < 0)
					goto fail;
			}
			if (walk_dir(w, sub, dpath, e) < 0)
				goto fail;
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t l = readlinkat(dirfd(d), names[i], target, sizeof target - 1);
			if (l < 0) {
				err_make(e, errno, "reading symlink /%s", path);
				goto fail;
			}
			target[l] = '\0';
			if (add_entry(w, path, &st, -1, target, NULL, e) < 0)
				goto fail;
		} else if (S_ISREG(st.st_mode)) {
			_cleanup_close_ int f = -1;
			const char *link = NULL;
			if (st.st_nlink > 1) {
				for (size_t k = 0; k < w->nlinks && !link; k++)
					if (w->links[k].dev == st.st_dev && w->links[k].ino == st.st_ino)
						link = w->links[k].path;
				if (!link) {
					w->links = xrealloc(w->links, (w->nlinks + 1) * sizeof *w->links);
					w->links[w->nlinks].dev = st.st_dev;
					w->links[w->nlinks].ino = st.st_ino;
					w->links[w->nlinks++].path = xstrdup(path);
				}
			}
			if (!link) {
				f = openat(dirfd(d), names[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
				if (f < 0) {
					err_make(e, errno, "opening /%s", path);
					goto fail;
				}
			}
			if (add_entry(w, path, &st, f, NULL, link, e) < 0)
				goto fail;
		} else if (S_ISFIFO(st.st_mode)) {
			if (add_entry(w, path, &st, -1, NULL, NULL, e) < 0)
				goto fail;
		}
		/* sockets and real device nodes (never created by unpack) are left out */
	}
	closedir(d);
	return 0;
fail:
	closedir(d);
	return -1;
}

int layer_tar_write(int rootfd, int outfd, struct err *e)
{
	return layer_tar_write_skip(rootfd, outfd, NULL, NULL, e);
}

int layer_tar_write_skip(int rootfd, int outfd, layer_skip_fn *skip, void *arg, struct err *e)
{
	return layer_tar_write_digest(rootfd, outfd, skip, arg, NULL, NULL, e);
}

/* the tar's blocks go to the file and, on the way, into the digest */
static la_ssize_t out_write(struct archive *a, void *cd, const void *buf, size_t len)
{
	struct walk *w = cd;

	if (write_all(w->outfd, buf, len) < 0) {
		archive_set_error(a, errno, "%s", strerror(errno));
		return -1;
	}
	if (w->hash)
		sha256_update(w->hash, buf, len);
	w->written += len;
	return (la_ssize_t)len;
}

int layer_tar_write_digest(int rootfd, int outfd, layer_skip_fn *skip, void *arg, char digest[72],
			   uint64_t *size, struct err *e)
{
	struct walk w = { archive_write_new(),
			  outfd,
			  digest ? sha256_new() : NULL,
			  0,
			  NULL,
			  0,
			  xmalloc(256 * 1024),
			  skip,
			  arg };
	_cleanup_close_ int dfd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = -1;

	archive_write_set_format_pax_restricted(w.a);
	/* 1 MiB writes, not libarchive's 10 KiB: the last block is padded to
	 * 512 bytes only, so the bytes (and the digest) are the same */
	archive_write_set_bytes_per_block(w.a, 1024 * 1024);
	archive_write_set_bytes_in_last_block(w.a, 1);
	if (dfd < 0) {
		err_make(e, errno, "opening the layer");
	} else if (archive_write_open2(w.a, &w, NULL, out_write, NULL, NULL) != ARCHIVE_OK) {
		err_make(e, 0, "writing the layer tar: %s", archive_error_string(w.a));
	} else if (walk_dir(&w, dfd, "", e) == 0) {
		if (archive_write_close(w.a) != ARCHIVE_OK)
			err_make(e, 0, "writing the layer tar: %s", archive_error_string(w.a));
		else
			rc = 0;
	}
	archive_write_free(w.a);
	if (w.hash) {
		char hex[65];
		sha256_final_hex(w.hash, hex); /* frees it */
		snprintf(digest, 72, "sha256:%s", hex);
		if (size)
			*size = w.written;
	}
	for (size_t i = 0; i < w.nlinks; i++)
		free(w.links[i].path);
	free(w.links);
	free(w.buf);
	return rc;
}

struct export_job {
	int *rootfds;
	int *fds;
	size_t n;
};

static int export_fn(void *arg, int outfd, struct err *e)
{
	struct export_job *j = arg;

	(void)outfd;
	for (size_t i = 0; i < j->n; i++)
		if (layer_tar_write(j->rootfds[i], j->fds[i], e) < 0)
			return err_wrap(e, "layer %zu", i);
	return 0;
}

int image_export(struct store *s, const struct idmap *m, const char *ref, struct exported *x, struct err *e)
{
	_cleanup_free_ char *txt = NULL;
	_cleanup_json_ json_object *conf = NULL;
	struct image *img = NULL;
	struct export_job j = { NULL, NULL, 0 };
	json_object *rootfs, *ids;
	char hex[65];
	int rc = -1;

	memset(x, 0, sizeof *x);
	if (store_image_get(s, ref, &img, e) < 0 || store_image_config(s, img->id, &txt, e) < 0)
		goto out;
	conf = json_tokener_parse(txt);
	if (!conf || !json_object_object_get_ex(conf, "rootfs", &rootfs)) {
		err_make(e, 0, "image %.12s: the config is corrupt", img->id);
		goto out;
	}
	x->nlayers = img->nlayers;
	x->fds = xmalloc((img->nlayers + 1) * sizeof *x->fds);
	x->digests = xcalloc(img->nlayers + 1, sizeof *x->digests);
	x->sizes = xcalloc(img->nlayers + 1, sizeof *x->sizes);
	j.rootfds = xmalloc((img->nlayers + 1) * sizeof *j.rootfds);
	j.fds = x->fds;
	j.n = img->nlayers;
	for (size_t i = 0; i < img->nlayers; i++)
		x->fds[i] = j.rootfds[i] = -1;
	for (size_t i = 0; i < img->nlayers; i++) {
		_cleanup_free_ char *p = store_layer_path(s, img->layers[i].chain_id);
		j.rootfds[i] = p ? open(p, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
		x->fds[i] = open(s->root, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (j.rootfds[i] < 0 || x->fds[i] < 0) {
			err_make(e, errno, "layer %s of image %.12s", img->layers[i].chain_id, img->id);
			goto out;
		}
	}
	if (m ? userns_run(m, 0, export_fn, &j, NULL, NULL, NULL, e) < 0 : export_fn(&j, -1, e) < 0)
		goto out;
	ids = json_object_new_array();
	for (size_t i = 0; i < img->nlayers; i++) {
		if (sha256_fd(x->fds[i], x->digests[i], &x->sizes[i], e) < 0) {
			json_object_put(ids);
			goto out;
		}
		json_object_array_add(ids, json_object_new_string(x->digests[i]));
	}
	json_object_object_add(rootfs, "diff_ids", ids);
	x->config = xstrdup(json_object_to_json_string_ext(conf, JSON_C_TO_STRING_PLAIN |
									 JSON_C_TO_STRING_NOSLASHESCAPE));
	x->config_len = strlen(x->config);
	sha256_hex(x->config, x->config_len, hex);
	snprintf(x->config_digest, sizeof x->config_digest, "sha256:%s", hex);
	x->names = strv_dup(img->names);
	x->repo_digests = strv_dup(img->repo_digests);
	rc = 0;
out:
	for (size_t i = 0; j.rootfds && i < j.n; i++)
		if (j.rootfds[i] >= 0)
			close(j.rootfds[i]);
	free(j.rootfds);
	image_free(img);
	if (rc < 0)
		exported_free(x);
	return rc;
}

void exported_free(struct exported *x)
{
	for (size_t i = 0; x->fds && i < x->nlayers; i++)
		if (x->fds[i] >= 0)
			close(x->fds[i]);
	free(x->fds);
	free(x->digests);
	free(x->sizes);
	free(x->config);
	strv_free(x->names);
	strv_free(x->repo_digests);
	memset(x, 0, sizeof *x);
}

/* libarchive is linked statically (Makefile: ARCHIVE_LIBS).  Its pax
 * writer calls this helper from archive_write_set_format.o, and pulling
 * that object in drags every writer format (xar, 7zip, iso9660, ...) and
 * their libraries (libxml2, nettle) into the binary.  We only write
 * regular files, directories, symlinks, hard links and fifos, which pax
 * supports, so this is never reached; with a shared libarchive the
 * library's own (hidden) copy is used instead. */
void __archive_write_entry_filetype_unsupported(struct archive *a, struct archive_entry *entry,
						const char *format);
void __archive_write_entry_filetype_unsupported(struct archive *a, struct archive_entry *entry,
						const char *format)
{
	archive_set_error(a, EINVAL, "%s: unsupported file type for %s", archive_entry_pathname(entry),
			  format);
}
