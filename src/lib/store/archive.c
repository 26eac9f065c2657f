/* archive.c - store_save() and store_load(): docker-archive, oci-archive
 * and OCI layout directories (see pull.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "digest.h"
#include "export.h"
#include "layers.h"
#include "lib/base/log.h"
#include "lib/base/safeopen.h"
#include "lib/base/util.h"
#include "manifest.h"
#include "pull.h"
#include "ref.h"
#include "unpack.h"

/* --- save */

static int put_mem(struct archive *a, const char *name, const void *data, size_t len, struct err *e)
{
	struct archive_entry *ent = archive_entry_new();
	int rc = 0;

	archive_entry_set_pathname(ent, name);
	archive_entry_set_filetype(ent, AE_IFREG);
	archive_entry_set_perm(ent, 0644);
	archive_entry_set_size(ent, (la_int64_t)len);
	if (archive_write_header(a, ent) != ARCHIVE_OK || (len && archive_write_data(a, data, len) < 0))
		rc = err_make(e, 0, "writing %s: %s", name, archive_error_string(a));
	archive_entry_free(ent);
	return rc;
}

static int put_dir(struct archive *a, const char *name, struct err *e)
{
	struct archive_entry *ent = archive_entry_new();
	int rc = 0;

	archive_entry_set_pathname(ent, name);
	archive_entry_set_filetype(ent, AE_IFDIR);
	archive_entry_set_perm(ent, 0755);
	if (archive_write_header(a, ent) != ARCHIVE_OK)
		rc = err_make(e, 0, "writing %s: %s", name, archive_error_string(a));
	archive_entry_free(ent);
	return rc;
}

static int put_fd(struct archive *a, const char *name, int fd, uint64_t size, struct err *e)
{
	struct archive_entry *ent = archive_entry_new();
	_cleanup_free_ char *buf = xmalloc(256 * 1024);
	uint64_t left = size;
	int rc = 0;

	archive_entry_set_pathname(ent, name);
	archive_entry_set_filetype(ent, AE_IFREG);
	archive_entry_set_perm(ent, 0644);
	archive_entry_set_size(ent, (la_int64_t)size);
	if (archive_write_header(a, ent) != ARCHIVE_OK || lseek(fd, 0, SEEK_SET) < 0) {
		rc = err_make(e, 0, "writing %s: %s", name, archive_error_string(a));
		goto out;
	}
	while (left > 0) {
		ssize_t n = read(fd, buf, left < 256 * 1024 ? left : 256 * 1024);
		if (n <= 0) {
			rc = err_make(e, n < 0 ? errno : EIO, "reading the tar of %s", name);
			goto out;
		}
		if (archive_write_data(a, buf, (size_t)n) < 0) {
			rc = err_make(e, 0, "writing %s: %s", name, archive_error_string(a));
			goto out;
		}
		left -= (uint64_t)n;
	}
out:
	archive_entry_free(ent);
	return rc;
}

static const char *strip_digest(const char *d)
{
	return d + 7;
}

static char *oci_manifest(const struct exported *x, bool docker)
{
	json_object *m = json_object_new_object(), *c = json_object_new_object(),
		    *ls = json_object_new_array();
	char *out;

	json_object_object_add(m, "schemaVersion", json_object_new_int(2));
	json_object_object_add(m, "mediaType",
			       json_object_new_string(docker ? MT_DOCKER_MANIFEST : MT_OCI_MANIFEST));
	json_object_object_add(c, "mediaType",
			       json_object_new_string(docker ? MT_DOCKER_CONFIG : MT_OCI_CONFIG));
	json_object_object_add(c, "digest", json_object_new_string(x->config_digest));
	json_object_object_add(c, "size", json_object_new_int64((int64_t)x->config_len));
	json_object_object_add(m, "config", c);
	for (size_t i = 0; i < x->nlayers; i++) {
		json_object *l = json_object_new_object();
		json_object_object_add(l, "mediaType",
				       json_object_new_string(
					       docker ? "application/vnd.docker.image.rootfs.diff.tar"
						      : MT_OCI_LAYER));
		json_object_object_add(l, "digest", json_object_new_string(x->digests[i]));
		json_object_object_add(l, "size", json_object_new_int64((int64_t)x->sizes[i]));
		json_object_array_add(ls, l);
	}
	json_object_object_add(m, "layers", ls);
	out = xstrdup(
		json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(m);
	return out;
}

static int save(struct store *s, const struct idmap *m, char **refs, const char *path, int fd,
		const char *format, struct err *e)
{
	bool oci = strcmp(format, "oci-archive") == 0;
	struct exported *xs;
	size_t n = strv_len(refs);
	struct archive *a = NULL;
	json_object *top = json_object_new_array();
	_cleanup_free_ char *tmp = NULL;
	int outfd = -1, rc = -1;

	if (!oci && strcmp(format, "docker-archive") != 0) {
		json_object_put(top);
		return err_make(e, 0, "unknown format \"%s\" (docker-archive or oci-archive)", format);
	}
	xs = xcalloc(n + 1, sizeof *xs);
	for (size_t i = 0; i < n; i++)
		if (image_export(s, m, refs[i], &xs[i], e) < 0)
			goto out;
	if (fd >= 0) {
		outfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	} else if (strcmp(path, "-") == 0) {
		outfd = dup(STDOUT_FILENO);
	} else {
		tmp = xasprintf("%s.tmp-%d", path, (int)getpid());
		outfd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	}
	if (outfd < 0) {
		err_make(e, errno, "creating %s", tmp ? tmp : "stdout");
		goto out;
	}
	a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	archive_write_set_bytes_in_last_block(a, 1);
	if (archive_write_open_fd(a, outfd) != ARCHIVE_OK) {
		err_make(e, 0, "writing %s: %s", path, archive_error_string(a));
		goto out;
	}
	if (oci && (put_mem(a, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30, e) < 0 ||
		    put_dir(a, "blobs/", e) < 0 || put_dir(a, "blobs/sha256/", e) < 0))
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct exported *x = &xs[i];
		json_object *ent = json_object_new_object(), *tags = json_object_new_array(),
			    *ls = json_object_new_array();
		json_object_array_add(top, ent);
		for (size_t k = 0; k < x->nlayers; k++) {
			_cleanup_free_ char *name = oci ? xasprintf("blobs/sha256/%s",
								    strip_digest(x->digests[k]))
							: xasprintf("%s.tar", strip_digest(x->digests[k]));
			bool dup_layer = false;
			for (size_t p = 0; p < i && !dup_layer; p++)
				for (size_t q = 0; q < xs[p].nlayers; q++)
					dup_layer = dup_layer || strcmp(xs[p].digests[q], x->digests[k]) == 0;
			for (size_t q = 0; q < k; q++)
				dup_layer = dup_layer || strcmp(x->digests[q], x->digests[k]) == 0;
			json_object_array_add(ls, json_object_new_string(name));
			if (!dup_layer && put_fd(a, name, x->fds[k], x->sizes[k], e) < 0) {
				json_object_put(tags);
				json_object_put(ls);
				goto out;
			}
		}
		if (oci) {
			_cleanup_free_ char *man = oci_manifest(x, false), *cname = NULL, *mname = NULL;
			char mhex[65];
			sha256_hex(man, strlen(man), mhex);
			cname = xasprintf("blobs/sha256/%s", strip_digest(x->config_digest));
			mname = xasprintf("blobs/sha256/%s", mhex);
			if (put_mem(a, cname, x->config, x->config_len, e) < 0 ||
			    put_mem(a, mname, man, strlen(man), e) < 0) {
				json_object_put(tags);
				json_object_put(ls);
				goto out;
			}
			{
				_cleanup_free_ char *d = xasprintf("sha256:%s", mhex);
				json_object *ann = json_object_new_object();
				json_object_object_add(ent, "mediaType",
						       json_object_new_string(MT_OCI_MANIFEST));
				json_object_object_add(ent, "digest", json_object_new_string(d));
				json_object_object_add(ent, "size",
						       json_object_new_int64((int64_t)strlen(man)));
				if (x->names && x->names[0]) {
					_cleanup_free_ char *repo = NULL, *tag = NULL;
					ref_split_repo_tag(x->names[0], &repo, &tag);
					json_object_object_add(ann, "org.opencontainers.image.ref.name",
							       json_object_new_string(tag));
					json_object_object_add(ann, "io.containerd.image.name",
							       json_object_new_string(x->names[0]));
				}
				json_object_object_add(ent, "annotations", ann);
			}
			json_object_put(tags);
			json_object_put(ls);
		} else {
			_cleanup_free_ char *cname = xasprintf("%s.json", strip_digest(x->config_digest));
			if (put_mem(a, cname, x->config, x->config_len, e) < 0) {
				json_object_put(tags);
				json_object_put(ls);
				goto out;
			}
			for (size_t k = 0; x->names && x->names[k]; k++)
				json_object_array_add(tags, json_object_new_string(x->names[k]));
			json_object_object_add(ent, "Config", json_object_new_string(cname));
			json_object_object_add(ent, "RepoTags", tags);
			json_object_object_add(ent, "Layers", ls);
		}
	}
	{
		const char *txt;
		json_object *idx = NULL;
		if (oci) {
			idx = json_object_new_object();
			json_object_object_add(idx, "schemaVersion", json_object_new_int(2));
			json_object_object_add(idx, "manifests", json_object_get(top));
			txt = json_object_to_json_string_ext(idx, JSON_C_TO_STRING_PLAIN |
									  JSON_C_TO_STRING_NOSLASHESCAPE);
		} else {
			txt = json_object_to_json_string_ext(top, JSON_C_TO_STRING_PLAIN |
									  JSON_C_TO_STRING_NOSLASHESCAPE);
		}
		rc = put_mem(a, oci ? "index.json" : "manifest.json", txt, strlen(txt), e);
		json_object_put(idx);
		if (rc < 0)
			goto out;
		rc = -1;
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		err_make(e, 0, "writing %s: %s", path, archive_error_string(a));
		goto out;
	}
	if (close(outfd) < 0) {
		outfd = -1;
		err_make(e, errno, "writing %s", path);
		goto out;
	}
	outfd = -1;
	if (tmp && rename(tmp, path) < 0) {
		err_make(e, errno, "renaming %s to %s", tmp, path);
		goto out;
	}
	free(tmp);
	tmp = NULL;
	rc = 0;
out:
	if (a)
		archive_write_free(a);
	if (outfd >= 0)
		close(outfd);
	if (tmp)
		unlink(tmp);
	for (size_t i = 0; i < n; i++)
		exported_free(&xs[i]);
	free(xs);
	json_object_put(top);
	return rc;
}

/* --- load */

/* Paths come from the archive: resolved inside it, and only regular files.
 * The open does not wait (a FIFO named as a config or a layer would block
 * an ordinary open for ever) and anything else is refused before a read. */
static int open_blob(int dirfd, const char *path, struct err *e)
{
	_cleanup_free_ char *clean = NULL;
	struct stat st;
	int fd;

	if (unpack_clean_path(path, &clean, e) < 0 || !*clean)
		return err_make(e, 0, "bad path \"%s\" in the archive", path);
	fd = safe_open_in_root(dirfd, clean, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0, RESOLVE_IN_ROOT);
	if (fd < 0)
		return err_make(e, errno, "opening %s in the archive", clean);
	if (fstat(fd, &st) < 0) {
		err_make(e, errno, "opening %s in the archive", clean);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return err_make(e, 0, "%s in the archive is not a regular file", clean);
	}
	if (fcntl(fd, F_SETFL, 0) < 0) {
		err_make(e, errno, "opening %s in the archive", clean);
		close(fd);
		return -1;
	}
	return fd;
}

static int read_small(int dirfd, const char *path, char **out, size_t *len, struct err *e)
{
	_cleanup_close_ int fd = open_blob(dirfd, path, e);
	char proc[64];

	if (fd < 0)
		return -1;
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	if (read_file_at(AT_FDCWD, proc, MANIFEST_MAX, out, len, e) < 0)
		return err_wrap(e, "%s in the archive", path);
	return 0;
}

struct load_ctx {
	struct store *s;
	const struct idmap *m;
	int dirfd;
	volatile sig_atomic_t *cancel;
	char ***ids, ***names;
};

/* one image: its config, the layer files and the names */
static int load_one(struct load_ctx *c, const char *config, size_t cfglen, char **paths, char (*digests)[72],
		    char **names, struct err *e)
{
	struct image_cfg_info ci;
	struct layer_job *jobs;
	size_t n = strv_len(paths);
	char parent[72] = "", id[65];
	int rc = -1;

	if (config_parse_info(config, cfglen, &ci, e) < 0)
		return -1;
	if (strv_len(ci.diff_ids) != n) {
		config_info_free(&ci);
		return err_make(e, 0, "the config lists %zu layers, the archive %zu", strv_len(ci.diff_ids),
				n);
	}
	jobs = xcalloc(n + 1, sizeof *jobs);
	for (size_t i = 0; i < n; i++) {
		jobs[i].fd = -1;
		jobs[i].t.lockfd = -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct layer_job *j = &jobs[i];
		snprintf(j->diff_id, sizeof j->diff_id, "%s", ci.diff_ids[i]);
		chain_id_next(i ? parent : NULL, j->diff_id, j->chain_id);
		snprintf(parent, sizeof parent, "%s", j->chain_id);
		if (digests)
			snprintf(j->blob_digest, sizeof j->blob_digest, "%s", digests[i]);
		else
			snprintf(j->blob_digest, sizeof j->blob_digest, "%s", "");
	}
	layers_mark_present(c->s, jobs, n);
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].present)
			continue;
		if ((jobs[i].fd = open_blob(c->dirfd, paths[i], e)) < 0)
			goto out;
		if (!jobs[i].blob_digest[0])
			snprintf(jobs[i].blob_digest, sizeof jobs[i].blob_digest, "%s", "");
	}
	if (layers_fetch(c->s, c->m, NULL, jobs, n, NULL, NULL, c->cancel, e) < 0)
		goto out;
	{
		struct commit_info info = { config, cfglen, NULL, 0, NULL, NULL, names };
		if (image_commit(c->s, c->m, jobs, n, &info, id, e) < 0)
			goto out;
	}
	strv_push(c->ids, id);
	for (size_t i = 0; names && names[i]; i++)
		strv_push(c->names, names[i]);
	rc = 0;
out:
	layers_discard(c->s, c->m, jobs, n);
	free(jobs);
	config_info_free(&ci);
	return rc;
}

static char *load_name(const char *raw)
{
	struct err e = ERR_INIT;
	char *n = ref_normalize_new(raw, &e);
	err_clear(&e);
	return n;
}

static int load_docker(struct load_ctx *c, struct err *e)
{
	_cleanup_free_ char *txt = NULL;
	_cleanup_json_ json_object *top = NULL;

	if (read_small(c->dirfd, "manifest.json", &txt, NULL, e) < 0)
		return -1;
	top = json_tokener_parse(txt);
	if (!top || !json_object_is_type(top, json_type_array))
		return err_make(e, 0, "malformed docker-archive: manifest.json is not an array");
	for (size_t i = 0; i < json_object_array_length(top); i++) {
		json_object *ent = json_object_array_get_idx(top, i), *cfg, *tags, *ls;
		_cleanup_free_ char *config = NULL;
		_cleanup_strv_ char **paths = NULL, **names = NULL;
		size_t clen = 0;
		if (!json_object_object_get_ex(ent, "Config", &cfg) ||
		    !json_object_is_type(cfg, json_type_string) ||
		    !json_object_object_get_ex(ent, "Layers", &ls) ||
		    !json_object_is_type(ls, json_type_array))
			return err_make(e, 0, "malformed docker-archive: manifest.json entry %zu", i);
		if (read_small(c->dirfd, json_object_get_string(cfg), &config, &clen, e) < 0)
			return -1;
		for (size_t k = 0; k < json_object_array_length(ls); k++)
			strv_push(&paths, json_object_get_string(json_object_array_get_idx(ls, k)));
		if (!paths)
			paths = xcalloc(1, sizeof *paths);
		if (json_object_object_get_ex(ent, "RepoTags", &tags) &&
		    json_object_is_type(tags, json_type_array))
			for (size_t k = 0; k < json_object_array_length(tags); k++) {
				char *nm = load_name(
					json_object_get_string(json_object_array_get_idx(tags, k)));
				if (nm)
					strv_push(&names, nm);
				free(nm);
			}
		if (load_one(c, config, clen, paths, NULL, names, e) < 0)
			return -1;
	}
	return 0;
}

static int load_oci_manifest(struct load_ctx *c, const char *digest, char **names, struct err *e)
{
	_cleanup_free_ char *body = NULL, *config = NULL, *mpath = NULL, *cpath = NULL;
	_cleanup_strv_ char **paths = NULL;
	struct manifest man;
	size_t len = 0, clen = 0;
	char(*digests)[72] = NULL;
	char hex[65];
	int rc;

	mpath = xasprintf("blobs/sha256/%s", digest + 7);
	if (read_small(c->dirfd, mpath, &body, &len, e) < 0)
		return -1;
	sha256_hex(body, len, hex);
	if (strcmp(hex, digest + 7) != 0)
		return err_make(e, 0, "manifest %s: digest mismatch", digest);
	if (manifest_parse(body, len, NULL, &man, e) < 0)
		return -1;
	if (man.kind == MANIFEST_INDEX) {
		struct platform p;
		const struct descriptor *d;
		platform_host(&p);
		rc = manifest_select(&man, &p, &d, e);
		if (rc == 0)
			rc = load_oci_manifest(c, d->digest, names, e);
		manifest_free(&man);
		return rc;
	}
	cpath = xasprintf("blobs/sha256/%s", man.config.digest + 7);
	if (read_small(c->dirfd, cpath, &config, &clen, e) < 0) {
		manifest_free(&man);
		return -1;
	}
	sha256_hex(config, clen, hex);
	if (strcmp(hex, man.config.digest + 7) != 0) {
		manifest_free(&man);
		return err_make(e, 0, "config %s: digest mismatch", man.config.digest);
	}
	digests = xcalloc(man.nlayers + 1, sizeof *digests);
	for (size_t i = 0; i < man.nlayers; i++) {
		char *p = xasprintf("blobs/sha256/%s", man.layers[i].digest + 7);
		strv_push(&paths, p);
		free(p);
		snprintf(digests[i], sizeof digests[i], "%s", man.layers[i].digest);
	}
	if (!paths)
		paths = xcalloc(1, sizeof *paths);
	rc = load_one(c, config, clen, paths, digests, names, e);
	free(digests);
	manifest_free(&man);
	return rc;
}

static int load_oci(struct load_ctx *c, struct err *e)
{
	_cleanup_free_ char *txt = NULL;
	_cleanup_json_ json_object *top = NULL;
	json_object *ms;

	if (read_small(c->dirfd, "index.json", &txt, NULL, e) < 0)
		return -1;
	top = json_tokener_parse(txt);
	if (!top || !json_object_object_get_ex(top, "manifests", &ms) ||
	    !json_object_is_type(ms, json_type_array))
		return err_make(e, 0, "malformed OCI layout: index.json has no manifests");
	for (size_t i = 0; i < json_object_array_length(ms); i++) {
		json_object *ent = json_object_array_get_idx(ms, i), *v, *ann;
		_cleanup_strv_ char **names = NULL;
		const char *dg;
		if (!json_object_object_get_ex(ent, "digest", &v) ||
		    !digest_valid(dg = json_object_get_string(v)))
			return err_make(e, 0, "malformed OCI layout: index.json entry %zu has no digest", i);
		if (json_object_object_get_ex(ent, "annotations", &ann)) {
			char *nm = NULL;
			if (json_object_object_get_ex(ann, "io.containerd.image.name", &v))
				nm = load_name(json_object_get_string(v));
			if (!nm && json_object_object_get_ex(ann, "org.opencontainers.image.ref.name", &v))
				nm = load_name(json_object_get_string(v));
			if (nm)
				strv_push(&names, nm);
			free(nm);
		}
		if (load_oci_manifest(c, dg, names, e) < 0)
			return -1;
	}
	return 0;
}

struct unpack_job {
	int infd, rootfd;
};

int store_save(struct store *s, const struct idmap *m, char **refs, const char *path, const char *format,
	       struct err *e)
{
	return save(s, m, refs, path, -1, format, e);
}

int store_save_fd(struct store *s, const struct idmap *m, char **refs, int fd, const char *format,
		  struct err *e)
{
	return save(s, m, refs, "the archive", fd, format, e);
}

int store_load(struct store *s, const struct idmap *m, const char *path, char ***ids, char ***names,
	       volatile sig_atomic_t *cancel, struct err *e)
{
	struct load_ctx c = { s, m, -1, cancel, ids, names };
	struct scratch t = { "", -1 };
	struct stat st;
	struct err se = ERR_INIT;
	int rc = -1;

	*ids = NULL;
	*names = NULL;
	if (store_sweep(s, m, &se) < 0)
		err_clear(&se);
	if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		c.dirfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (c.dirfd < 0)
			return err_make(e, errno, "opening %s", path);
	} else {
		/* an archive: unpack it (safely, as ourselves) into a scratch dir */
		struct unpack_opts uo = { .no_chown = true, .max_bytes = s->max_layer_size };
		struct unpack_result r;
		_cleanup_close_ int in = strcmp(path, "-") == 0 ? dup(STDIN_FILENO)
								: open(path, O_RDONLY | O_CLOEXEC);
		if (in < 0)
			return err_make(e, errno, "opening %s", path);
		if (scratch_create(s, &t, true, e) < 0)
			return -1;
		c.dirfd = openat(s->layersfd, t.name, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (c.dirfd < 0 || unpack_fd(in, c.dirfd, &uo, &r, e) < 0) {
			if (c.dirfd < 0)
				err_make(e, errno, "opening the scratch directory");
			err_wrap(e, "reading %s", path);
			goto out;
		}
	}
	if (faccessat(c.dirfd, "manifest.json", F_OK, 0) == 0)
		rc = load_docker(&c, e);
	else if (faccessat(c.dirfd, "index.json", F_OK, 0) == 0)
		rc = load_oci(&c, e);
	else
		rc = err_make(e, 0, "%s is not a docker-archive, an oci-archive or an OCI layout", path);
	if (rc < 0)
		err_wrap(e, "loading %s", path);
out:
	if (c.dirfd >= 0)
		close(c.dirfd);
	if (t.lockfd >= 0)
		scratch_discard(s, NULL, &t);
	if (rc < 0) {
		strv_free(*ids);
		strv_free(*names);
		*ids = *names = NULL;
	}
	return rc;
}
