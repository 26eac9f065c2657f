/* image.c - reading, finding and removing images (see store.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/base/log.h"
#include "lib/base/util.h"
#include "ref.h"
#include "store_int.h"

#define JSON_MAX (16 << 20)

static char **json_strv(json_object *arr)
{
	char **v = NULL;
	size_t n;

	if (!arr || !json_object_is_type(arr, json_type_array))
		return NULL;
	n = json_object_array_length(arr);
	v = xcalloc(n + 1, sizeof *v);
	for (size_t i = 0, k = 0; i < n; i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(arr, i));
		if (s)
			v[k++] = xstrdup(s);
	}
	return v;
}

static char *json_str(json_object *o, const char *key)
{
	json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	return s && *s ? xstrdup(s) : NULL;
}

/* the "config" object of an OCI image config */
void image_config_parse(json_object *cfg, struct image_config *c)
{
	json_object *v;

	if (!cfg || !json_object_is_type(cfg, json_type_object))
		return;
	if (json_object_object_get_ex(cfg, "Entrypoint", &v))
		c->entrypoint = json_strv(v);
	if (json_object_object_get_ex(cfg, "Cmd", &v))
		c->cmd = json_strv(v);
	if (json_object_object_get_ex(cfg, "Env", &v))
		c->env = json_strv(v);
	c->workdir = json_str(cfg, "WorkingDir");
	c->user = json_str(cfg, "User");
	c->stop_signal = json_str(cfg, "StopSignal");
	if (json_object_object_get_ex(cfg, "ExposedPorts", &v) && json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, port, unused) {
			(void)unused;
			strv_push(&c->exposed, port);
		}
	}
	if (json_object_object_get_ex(cfg, "Volumes", &v) && json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, path, unused) {
			(void)unused;
			strv_push(&c->volumes, path);
		}
	}
}

void image_free(struct image *img)
{
	if (!img)
		return;
	strv_free(img->names);
	free(img->created);
	free(img->layers);
	strv_free(img->cfg.entrypoint);
	strv_free(img->cfg.cmd);
	strv_free(img->cfg.env);
	free(img->cfg.workdir);
	free(img->cfg.user);
	free(img->cfg.stop_signal);
	strv_free(img->cfg.exposed);
	strv_free(img->cfg.volumes);
	free(img->digest);
	strv_free(img->repo_digests);
	free(img->config_json);
	free(img);
}

static char **names_of(json_object *names, const char *id)
{
	char **v = xcalloc(1, sizeof *v);

	json_object_object_foreach(names, name, val) {
		if (strcmp(json_object_get_string(val), id) == 0)
			strv_push(&v, name);
	}
	return v;
}

static bool image_exists(struct store *s, const char *id)
{
	char path[96];
	snprintf(path, sizeof path, "images/%s.json", id);
	return faccessat(s->rootfd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

static int image_load(struct store *s, const char *id, json_object *names, struct image **out, struct err *e)
{
	_cleanup_free_ char *txt = NULL, *blob = NULL;
	_cleanup_json_ json_object *rec = NULL, *conf = NULL;
	json_object *layers, *v;
	struct image *img;
	char path[96];

	snprintf(path, sizeof path, "images/%s.json", id);
	if (read_file_at(s->rootfd, path, JSON_MAX, &txt, NULL, e) < 0)
		return -1;
	rec = json_tokener_parse(txt);
	if (!rec || !json_object_object_get_ex(rec, "layers", &layers) ||
	    !json_object_is_type(layers, json_type_array))
		return err_make(e, 0, "%s/%s is corrupt", s->root, path);
	snprintf(path, sizeof path, "blobs/sha256/%s", id);
	if (read_file_at(s->rootfd, path, JSON_MAX, &blob, NULL, e) < 0)
		return -1;
	conf = json_tokener_parse(blob);
	if (!conf)
		return err_make(e, 0, "%s/%s is corrupt", s->root, path);

	img = xcalloc(1, sizeof *img);
	snprintf(img->id, sizeof img->id, "%s", id);
	img->names = names_of(names, id);
	img->created = json_str(rec, "created");
	if (!img->created)
		img->created = json_str(conf, "created");
	if (json_object_object_get_ex(rec, "size", &v))
		img->size = (uint64_t)json_object_get_int64(v);
	img->nlayers = json_object_array_length(layers);
	img->layers = xcalloc(img->nlayers ? img->nlayers : 1, sizeof *img->layers);
	for (size_t i = 0; i < img->nlayers; i++) {
		json_object *l = json_object_array_get_idx(layers, i);
		_cleanup_free_ char *d = json_str(l, "diff_id"), *c = json_str(l, "chain_id");
		if (!digest_hex(d) || !digest_hex(c)) {
			image_free(img);
			return err_make(e, 0, "%s/images/%s.json: bad layer %zu", s->root, id, i);
		}
		snprintf(img->layers[i].diff_id, sizeof img->layers[i].diff_id, "%s", d);
		snprintf(img->layers[i].chain_id, sizeof img->layers[i].chain_id, "%s", c);
		if (json_object_object_get_ex(l, "size", &v))
			img->layers[i].size = (uint64_t)json_object_get_int64(v);
	}
	if (json_object_object_get_ex(conf, "config", &v))
		image_config_parse(v, &img->cfg);
	img->digest = json_str(rec, "digest");
	if (json_object_object_get_ex(rec, "repo_digests", &v))
		img->repo_digests = json_strv(v);
	if (json_object_object_get_ex(rec, "intermediate", &v))
		img->intermediate = json_object_get_boolean(v);
	/* run and create read it again for the labels and healthcheck */
	img->config_json = steal_ptr(blob);
	*out = img;
	return 0;
}

/* ids of every image record */
static int list_ids(struct store *s, char ***out, struct err *e)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	char **v = xcalloc(1, sizeof *v);
	int fd = openat(s->rootfd, "images", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		strv_free(v);
		return err_make(e, errno, "reading %s/images", s->root);
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n == 69 && strcmp(de->d_name + 64, ".json") == 0) {
			char id[65];
			memcpy(id, de->d_name, 64);
			id[64] = '\0';
			if (is_hex(id, 64))
				strv_push(&v, id);
		}
	}
	*out = v;
	return 0;
}

static int not_known(struct err *e, const char *ref)
{
	err_make_status(e, 1, 0, "%s: image not known", ref);
	e->errnum = ENOENT;
	return -1;
}

/* Find ref: a name (normalized candidates), a full id, "sha256:" + id, or
 * a unique id prefix of 3+ hex digits.  *by_name gets the matching name,
 * NULL when ref matched an id. */
static int resolve(struct store *s, json_object *names, const char *ref, char id[65], char **by_name,
		   struct err *e)
{
	_cleanup_strv_ char **cands = NULL, **ids = NULL, **hits = NULL;
	struct err perr = ERR_INIT;
	const char *hex = ref;
	bool sha = strncmp(ref, "sha256:", 7) == 0;
	size_t hlen;
	json_object *v;

	*by_name = NULL;
	if (sha)
		hex = ref + 7;
	hlen = strlen(hex);
	if (hlen == 64 && is_hex(hex, 64) && image_exists(s, hex)) {
		memcpy(id, hex, 65);
		return 0;
	}
	if (!sha) {
		if (ref_candidates(ref, &cands, &perr) == 0) {
			for (size_t i = 0; cands[i]; i++) {
				if (json_object_object_get_ex(names, cands[i], &v) &&
				    is_hex(json_object_get_string(v), 64) &&
				    image_exists(s, json_object_get_string(v))) {
					snprintf(id, 65, "%s", json_object_get_string(v));
					*by_name = xstrdup(cands[i]);
					return 0;
				}
			}
		}
	}
	if (hlen < 3 || hlen > 64 || !is_hex(hex, hlen)) {
		if (perr.msg) {
			err_clear(e);
			*e = perr;
			return -1;
		}
		return not_known(e, ref);
	}
	err_clear(&perr);
	if (list_ids(s, &ids, e) < 0)
		return -1;
	for (size_t i = 0; ids[i]; i++)
		if (strncmp(ids[i], hex, hlen) == 0)
			strv_push(&hits, ids[i]);
	/* strv_len(NULL) is 0, so hits is not NULL below */
	if (strv_len(hits) == 1) {
		memcpy(id, hits[0], 65); // NOLINT(clang-analyzer-core.NullDereference)
		return 0;
	}
	if (strv_len(hits) > 1) {
		_cleanup_free_ char *list = xstrdup("");
		for (size_t i = 0; hits[i]; i++) { // NOLINT(clang-analyzer-core.NullDereference)
			char *t = xasprintf("%s%s%.12s", list, i ? ", " : "", hits[i]);
			free(list);
			list = t;
		}
		return err_make(e, 0, "image ID prefix %s is ambiguous: it matches %s", hex, list);
	}
	return not_known(e, ref);
}

int store_image_get(struct store *s, const char *ref, struct image **out, struct err *e)
{
	_cleanup_json_ json_object *names = NULL;
	_cleanup_free_ char *by_name = NULL;
	char id[65];
	int rc;

	if (store_lock(s, LOCK_SH, e) < 0)
		return -1;
	rc = names_load(s, &names, e);
	if (rc == 0)
		rc = resolve(s, names, ref, id, &by_name, e);
	if (rc == 0)
		rc = image_load(s, id, names, out, e);
	store_unlock(s);
	return rc;
}

int store_image_list(struct store *s, struct image ***out, size_t *n, struct err *e)
{
	_cleanup_json_ json_object *names = NULL;
	_cleanup_strv_ char **ids = NULL;
	struct image **v;
	size_t k = 0;

	if (store_lock(s, LOCK_SH, e) < 0)
		return -1;
	if (names_load(s, &names, e) < 0 || list_ids(s, &ids, e) < 0) {
		store_unlock(s);
		return -1;
	}
	v = xcalloc(strv_len(ids) + 1, sizeof *v);
	for (size_t i = 0; ids[i]; i++) {
		struct err le = ERR_INIT;
		if (image_load(s, ids[i], names, &v[k], &le) < 0) {
			/* one broken record must not hide the others */
			log_warn("skipping image %.12s: %s", ids[i], le.msg);
			err_clear(&le);
			continue;
		}
		k++;
	}
	store_unlock(s);
	*out = v;
	*n = k;
	return 0;
}

/* ids of the containers whose config.json names image id */
static char **containers_using(struct store *s, const char *id)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	char **v = NULL;
	int fd = openat(s->rootfd, "containers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((de = readdir(d))) {
		_cleanup_free_ char *path = NULL, *txt = NULL, *img = NULL;
		_cleanup_json_ json_object *o = NULL;
		struct err ignore = ERR_INIT;

		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/config.json", de->d_name);
		if (read_file_at(dirfd(d), path, JSON_MAX, &txt, NULL, &ignore) < 0) {
			err_clear(&ignore);
			continue;
		}
		o = json_tokener_parse(txt);
		img = o ? json_str(o, "image_id") : NULL;
		/* a container of a single-file image uses the file, not the store */
		if (o && json_object_object_get_ex(o, "sqfs", NULL)) {
			free(img);
			img = NULL;
		}
		if (img && digest_hex(img) && strcmp(digest_hex(img), id) == 0)
			strv_push(&v, de->d_name);
	}
	return v;
}

/* chain ids referenced by every image record except skip */
static bool layer_in_use(struct store *s, const char *chain, const char *skip)
{
	_cleanup_strv_ char **ids = NULL;
	struct err ignore = ERR_INIT;

	if (list_ids(s, &ids, &ignore) < 0) {
		err_clear(&ignore);
		return true; /* when in doubt, keep the layer */
	}
	for (size_t i = 0; ids[i]; i++) {
		_cleanup_free_ char *txt = NULL;
		char path[96];
		if (strcmp(ids[i], skip) == 0)
			continue;
		snprintf(path, sizeof path, "images/%s.json", ids[i]);
		if (read_file_at(s->rootfd, path, JSON_MAX, &txt, NULL, &ignore) < 0) {
			err_clear(&ignore);
			return true;
		}
		if (strstr(txt, chain))
			return true;
	}
	return false;
}

/* Under the store lock: drop image id and move its unused layers into a
 * scratch dir t (removed by the caller after unlocking). */
static int delete_image(struct store *s, const struct image *img, struct scratch *t, struct err *e)
{
	char path[96];

	if (img->digest && digest_hex(img->digest)) {
		snprintf(path, sizeof path, "blobs/sha256/%s", digest_hex(img->digest));
		unlinkat(s->rootfd, path, 0);
	}
	snprintf(path, sizeof path, "images/%s.json", img->id);
	if (unlinkat(s->rootfd, path, 0) < 0 && errno != ENOENT)
		return err_make(e, errno, "removing %s/%s", s->root, path);
	snprintf(path, sizeof path, "blobs/sha256/%s", img->id);
	if (unlinkat(s->rootfd, path, 0) < 0 && errno != ENOENT)
		log_warn("removing %s/%s: %s", s->root, path, strerror(errno));
	for (size_t i = 0; i < img->nlayers; i++) {
		const char *hex = digest_hex(img->layers[i].chain_id);
		char dst[96];
		if (layer_in_use(s, hex, img->id))
			continue;
		if (t->lockfd < 0 && scratch_create(s, t, true, e) < 0)
			return err_wrap(e, "removing layer %.12s", hex);
		snprintf(dst, sizeof dst, "%s/%s", t->name, hex);
		if (renameat(s->layersfd, hex, s->layersfd, dst) < 0 && errno != ENOENT)
			log_warn("removing layer %s: %s", hex, strerror(errno));
	}
	return 0;
}

static int remove_locked(struct store *s, const char *ref, unsigned flags, char ***untagged, char ***deleted,
			 struct scratch *t, struct err *e)
{
	_cleanup_json_ json_object *names = NULL;
	_cleanup_free_ char *by_name = NULL;
	_cleanup_strv_ char **users = NULL;
	struct image *img = NULL;
	char id[65];
	int rc;

	if (names_load(s, &names, e) < 0 || resolve(s, names, ref, id, &by_name, e) < 0)
		return -1;
	if (image_load(s, id, names, &img, e) < 0)
		return -1;
	if (by_name && strv_len(img->names) > 1) {
		/* one of several names: untag only */
		json_object_object_del(names, by_name);
		rc = names_save(s, names, e);
		if (rc == 0)
			strv_push(untagged, by_name);
		image_free(img);
		return rc;
	}
	if (!by_name && strv_len(img->names) > 1 && !(flags & (STORE_RMI_FORCE | STORE_RMI_ALL_TAGS))) {
		rc = err_make(e, 0,
			      "unable to delete image %s by ID with more than one tag (%zu names): "
			      "please force removal",
			      id, strv_len(img->names));
		image_free(img);
		return rc;
	}
	users = containers_using(s, id);
	if (users && !(flags & STORE_RMI_FORCE)) {
		rc = err_make_status(e, 2, 0,
				     "image used by container %.12s: image is in use by a "
				     "container: remove the container first or force-remove the image",
				     users[0]);
		image_free(img);
		return rc;
	}
	for (size_t i = 0; img->names[i]; i++)
		json_object_object_del(names, img->names[i]);
	rc = names_save(s, names, e);
	if (rc == 0)
		rc = delete_image(s, img, t, e);
	if (rc == 0) {
		for (size_t i = 0; img->names[i]; i++)
			strv_push(untagged, img->names[i]);
		strv_push(deleted, id);
	}
	image_free(img);
	return rc;
}

int store_image_remove_flags(struct store *s, const struct idmap *m, const char *ref, unsigned flags,
			     char ***untagged, char ***deleted, struct err *e)
{
	_cleanup_strv_ char **u = NULL, **d = NULL;
	struct scratch t = { "", -1 };
	struct err se = ERR_INIT;
	int rc;

	if (store_sweep(s, m, &se) < 0) {
		log_debug("sweeping %s/layers: %s", s->root, se.msg);
		err_clear(&se);
	}
	if (store_lock(s, LOCK_EX, e) < 0)
		return -1;
	rc = remove_locked(s, ref, flags, &u, &d, &t, e);
	store_unlock(s);
	scratch_discard(s, m, &t);
	if (rc < 0)
		return -1;
	if (untagged)
		*untagged = steal_ptr(u);
	if (deleted)
		*deleted = steal_ptr(d);
	return 0;
}

int store_image_remove(struct store *s, const struct idmap *m, const char *ref, bool force, char ***untagged,
		       char ***deleted, struct err *e)
{
	return store_image_remove_flags(s, m, ref, force ? STORE_RMI_FORCE : 0, untagged, deleted, e);
}

int store_image_config(struct store *s, const char *id, char **json, struct err *e)
{
	char path[96];

	if (!is_hex(id, 64) || strlen(id) != 64)
		return err_make(e, EINVAL, "bad image id %s", id);
	snprintf(path, sizeof path, "blobs/sha256/%s", id);
	return read_file_at(s->rootfd, path, JSON_MAX, json, NULL, e);
}

int store_image_tag(struct store *s, const char *ref, const char *newname, struct err *e)
{
	_cleanup_json_ json_object *names = NULL;
	_cleanup_free_ char *by_name = NULL, *name = ref_normalize_new(newname, e);
	char id[65];
	int rc;

	if (!name)
		return -1;
	if (store_lock(s, LOCK_EX, e) < 0)
		return -1;
	rc = names_load(s, &names, e);
	if (rc == 0)
		rc = resolve(s, names, ref, id, &by_name, e);
	if (rc == 0) {
		json_object_object_add(names, name, json_object_new_string(id));
		rc = names_save(s, names, e);
	}
	store_unlock(s);
	return rc;
}

int store_image_untag(struct store *s, const char *ref, char **want, char ***removed, struct err *e)
{
	_cleanup_json_ json_object *names = NULL;
	_cleanup_free_ char *by_name = NULL;
	_cleanup_strv_ char **del = NULL, **norm = NULL;
	char id[65];
	int rc;

	for (size_t i = 0; want && want[i]; i++) {
		char *n = ref_normalize_new(want[i], e);
		if (!n)
			return -1;
		strv_push(&norm, n);
		free(n);
	}
	if (store_lock(s, LOCK_EX, e) < 0)
		return -1;
	rc = names_load(s, &names, e);
	if (rc == 0)
		rc = resolve(s, names, ref, id, &by_name, e);
	if (rc == 0) {
		json_object_object_foreach(names, name, val) {
			bool pick = !norm;
			if (strcmp(json_object_get_string(val), id) != 0)
				continue;
			for (size_t i = 0; norm && norm[i]; i++)
				pick = pick || strcmp(norm[i], name) == 0;
			if (pick)
				strv_push(&del, name);
		}
		for (size_t i = 0; norm && norm[i]; i++) {
			bool found = false;
			for (size_t k = 0; del && del[k]; k++)
				found = found || strcmp(del[k], norm[i]) == 0;
			if (!found) {
				rc = err_make_status(e, 1, 0, "%s: image %.12s has no name %s", ref, id,
						     norm[i]);
				break;
			}
		}
	}
	if (rc == 0 && del) {
		for (size_t i = 0; del[i]; i++)
			json_object_object_del(names, del[i]);
		rc = names_save(s, names, e);
	}
	store_unlock(s);
	if (rc == 0 && removed)
		*removed = steal_ptr(del);
	return rc;
}

int store_image_prune(struct store *s, const struct idmap *m, bool all, char ***deleted, struct err *e)
{
	return store_image_prune_if(s, m, all, NULL, NULL, deleted, e);
}

int store_image_prune_if(struct store *s, const struct idmap *m, bool all,
			 bool (*want)(void *ctx, const struct image *img), void *ctx, char ***deleted,
			 struct err *e)
{
	_cleanup_strv_ char **out = NULL;
	struct image **imgs = NULL;
	size_t n = 0;
	int rc = 0;

	if (store_image_list(s, &imgs, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		_cleanup_strv_ char **users = NULL, **d = NULL;
		struct err ie = ERR_INIT;
		bool dangling = !imgs[i]->names || !imgs[i]->names[0];
		if (rc == 0 && (dangling || all) && (!want || want(ctx, imgs[i]))) {
			users = containers_using(s, imgs[i]->id);
			if (!users) {
				if (store_image_remove_flags(s, m, imgs[i]->id, STORE_RMI_ALL_TAGS, NULL, &d,
							     &ie) < 0) {
					*e = ie;
					rc = -1;
				} else {
					strv_push(&out, imgs[i]->id);
				}
			}
		}
		image_free(imgs[i]);
	}
	free(imgs);
	if (rc == 0 && deleted)
		*deleted = steal_ptr(out);
	return rc;
}
