/* layercommit.c - recording fetched layers and the image that uses them
 * (image_commit, layers.h) */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "layers.h"
#include "lib/base/json.h"
#include "lib/base/log.h"
#include "lib/base/util.h"

static uint64_t present_size(struct store *s, const char *chain)
{
	_cleanup_free_ char *txt = NULL, *path = xasprintf("%s/meta.json", digest_hex(chain));
	_cleanup_json_ json_object *o = NULL;
	struct err ignore = ERR_INIT;
	json_object *v;

	if (read_file_at(s->layersfd, path, 1 << 20, &txt, NULL, &ignore) < 0) {
		err_clear(&ignore);
		return 0;
	}
	o = json_tokener_parse(txt);
	return o && json_object_object_get_ex(o, "size", &v) ? (uint64_t)json_object_get_int64(v) : 0;
}

static int write_meta(struct store *s, struct layer_job *j, const char *created, struct err *e)
{
	_cleanup_json_ json_object *meta = json_object_new_object();
	_cleanup_free_ char *path = xasprintf("%s/meta.json", j->t.name);

	json_object_object_add(meta, "diff_id", json_object_new_string(j->diff_id));
	json_object_object_add(meta, "chain_id", json_object_new_string(j->chain_id));
	json_object_object_add(meta, "size", json_object_new_int64((int64_t)j->size));
	json_object_object_add(meta, "created", json_object_new_string(created));
	if (j->blob_digest[0])
		json_object_object_add(meta, "compressed_digest", json_object_new_string(j->blob_digest));
	if (j->blob_size)
		json_object_object_add(meta, "compressed_size", json_object_new_int64((int64_t)j->blob_size));
	if (j->media_type)
		json_object_object_add(meta, "media_type", json_object_new_string(j->media_type));
	if (j->tree_digest[0])
		json_object_object_add(meta, "tree_digest", json_object_new_string(j->tree_digest));
	return json_save_at(s->layersfd, path, meta, e);
}

static void strv_add_unique(json_object *arr, const char *s)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s) == 0)
			return;
	json_object_array_add(arr, json_object_new_string(s));
}

static int write_record(struct store *s, struct layer_job *jobs, size_t n, const struct commit_info *ci,
			const char *id, const char *created, struct err *e)
{
	_cleanup_json_ json_object *rec = NULL;
	_cleanup_free_ char *old = NULL;
	char path[96];
	json_object *layers, *rd, *v;
	uint64_t total = 0;
	struct err ignore = ERR_INIT;

	snprintf(path, sizeof path, "images/%s.json", id);
	if (read_file_at(s->rootfd, path, 16 << 20, &old, NULL, &ignore) == 0)
		rec = json_tokener_parse(old);
	err_clear(&ignore);
	if (!rec || !json_object_is_type(rec, json_type_object)) {
		json_object_put(rec);
		rec = json_object_new_object();
		json_object_object_add(rec, "id", json_object_new_string(id));
		json_object_object_add(rec, "created", json_object_new_string(created));
		layers = json_object_new_array();
		for (size_t i = 0; i < n; i++) {
			json_object *l = json_object_new_object();
			uint64_t sz = jobs[i].size ? jobs[i].size : present_size(s, jobs[i].chain_id);
			json_object_object_add(l, "diff_id", json_object_new_string(jobs[i].diff_id));
			json_object_object_add(l, "chain_id", json_object_new_string(jobs[i].chain_id));
			json_object_object_add(l, "size", json_object_new_int64((int64_t)sz));
			json_object_array_add(layers, l);
			total += sz;
		}
		json_object_object_add(rec, "layers", layers);
		json_object_object_add(rec, "size", json_object_new_int64((int64_t)total));
	}
	if (ci->digest) {
		json_object_object_add(rec, "digest", json_object_new_string(ci->digest));
		if (!json_object_object_get_ex(rec, "repo_digests", &rd)) {
			rd = json_object_new_array();
			json_object_object_add(rec, "repo_digests", rd);
		}
		if (ci->repo) {
			_cleanup_free_ char *r = xasprintf("%s@%s", ci->repo, ci->digest);
			strv_add_unique(rd, r);
		}
		if (!json_object_object_get_ex(rec, "blobs", &v)) {
			v = json_object_new_array();
			json_object_object_add(rec, "blobs", v);
		}
		strv_add_unique(v, ci->digest);
	}
	return json_save_at(s->rootfd, path, rec, e);
}

static char *config_created(const char *config)
{
	_cleanup_json_ json_object *o = json_tokener_parse(config);
	json_object *v;

	if (o && json_object_object_get_ex(o, "created", &v) && json_object_is_type(v, json_type_string))
		return xstrdup(json_object_get_string(v));
	return rfc3339_now();
}

int image_commit(struct store *s, const struct idmap *m, struct layer_job *jobs, size_t n,
		 const struct commit_info *ci, char id[65], struct err *e)
{
	_cleanup_free_ char *created = config_created(ci->config);
	_cleanup_json_ json_object *names = NULL;
	bool *moved = xcalloc(n ? n : 1, sizeof *moved);
	char path[96];
	int rc = -1;

	(void)m;
	image_id_of(ci->config, ci->config_len, id);
	for (size_t i = 0; i < n; i++)
		if (jobs[i].t.lockfd >= 0 && write_meta(s, &jobs[i], created, e) < 0)
			goto out_free;
	if (store_lock(s, LOCK_EX, e) < 0)
		goto out_free;
	for (size_t i = 0; i < n; i++) {
		const char *hex = digest_hex(jobs[i].chain_id);
		struct stat st;
		if (jobs[i].t.lockfd < 0)
			continue;
		if (fstatat(s->layersfd, hex, &st, AT_SYMLINK_NOFOLLOW) == 0)
			continue; /* someone else brought it in meanwhile */
		if (renameat(s->layersfd, jobs[i].t.name, s->layersfd, hex) < 0) {
			err_make(e, errno, "moving layer %.12s into %s/layers", hex, s->root);
			goto undo;
		}
		moved[i] = true;
	}
	snprintf(path, sizeof path, "blobs/sha256/%s", id);
	if (write_file_atomic_at(s->rootfd, path, ci->config, ci->config_len, 0600, e) < 0)
		goto undo;
	if (ci->manifest && ci->digest && digest_hex(ci->digest)) {
		snprintf(path, sizeof path, "blobs/sha256/%s", digest_hex(ci->digest));
		if (write_file_atomic_at(s->rootfd, path, ci->manifest, ci->manifest_len, 0600, e) < 0)
			goto undo;
	}
	if (write_record(s, jobs, n, ci, id, created, e) < 0)
		goto undo;
	if (ci->names && ci->names[0]) {
		if (names_load(s, &names, e) < 0)
			goto undo;
		for (size_t i = 0; ci->names[i]; i++)
			json_object_object_add(names, ci->names[i], json_object_new_string(id));
		if (names_save(s, names, e) < 0)
			goto undo;
	}
	rc = 0;
	goto unlock;
undo:
	for (size_t i = 0; i < n; i++)
		if (moved[i])
			renameat(s->layersfd, digest_hex(jobs[i].chain_id), s->layersfd, jobs[i].t.name);
unlock:
	store_unlock(s);
	if (rc == 0) {
		/* moved layers: only their lock files are left */
		for (size_t i = 0; i < n; i++) {
			char lockname[40];
			if (!moved[i])
				continue;
			snprintf(lockname, sizeof lockname, "%s.lock", jobs[i].t.name);
			unlinkat(s->layersfd, lockname, 0);
			close(jobs[i].t.lockfd);
			jobs[i].t.lockfd = -1;
		}
	}
out_free:
	free(moved);
	return rc;
}
