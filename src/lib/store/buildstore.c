/* buildstore.c - see buildstore.h */
#include <errno.h>
#include <json-c/json.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buildstore.h"
#include "digest.h"
#include "layers.h"
#include "lib/base/log.h"
#include "lib/base/util.h"
#include "store_int.h"

struct new_layer {
	struct layer_job job;
};

struct store_tmp {
	struct scratch t;
};

int store_layer_from_tar(struct store *s, const struct idmap *m, int tarfd, const char *parent_chain,
			 struct image_layer *out, struct new_layer **nl, struct err *e)
{
	char diff_id[72];
	uint64_t size;

	if (sha256_fd(tarfd, diff_id, &size, e) < 0)
		return -1;
	return store_layer_from_tar_digest(s, m, tarfd, diff_id, size, parent_chain, out, nl, e);
}

int store_layer_from_tar_digest(struct store *s, const struct idmap *m, int tarfd, const char *diff_id,
				uint64_t size, const char *parent_chain, struct image_layer *out,
				struct new_layer **nl, struct err *e)
{
	struct new_layer *l;

	*nl = NULL;
	memset(out, 0, sizeof *out);
	snprintf(out->diff_id, sizeof out->diff_id, "%s", diff_id);
	out->size = size;
	chain_id_next(parent_chain, out->diff_id, out->chain_id);
	l = xcalloc(1, sizeof *l);
	l->job.fd = -1;
	l->job.t.lockfd = -1;
	snprintf(l->job.diff_id, sizeof l->job.diff_id, "%s", out->diff_id);
	snprintf(l->job.chain_id, sizeof l->job.chain_id, "%s", out->chain_id);
	snprintf(l->job.blob_digest, sizeof l->job.blob_digest, "%s", out->diff_id);
	l->job.blob_size = out->size;
	layers_mark_present(s, &l->job, 1);
	if (l->job.present) {
		free(l);
		return 0;
	}
	l->job.fd = dup(tarfd);
	if (l->job.fd < 0 || lseek(l->job.fd, 0, SEEK_SET) < 0) {
		err_make(e, errno, "reading the layer tar");
		new_layer_free(s, m, l);
		return -1;
	}
	if (layers_fetch(s, m, NULL, &l->job, 1, NULL, NULL, NULL, e) < 0) {
		new_layer_free(s, m, l);
		return -1;
	}
	close(l->job.fd);
	l->job.fd = -1;
	l->job.size = out->size;
	*nl = l;
	return 0;
}

char *new_layer_path(const struct store *s, const struct new_layer *nl)
{
	if (nl->job.t.lockfd < 0)
		return store_layer_path(s, nl->job.chain_id);
	return xasprintf("%s/layers/%s/diff", s->root, nl->job.t.name);
}

const char *new_layer_chain(const struct new_layer *nl)
{
	return nl->job.chain_id;
}

void new_layer_free(struct store *s, const struct idmap *m, struct new_layer *nl)
{
	if (!nl)
		return;
	layers_discard(s, m, &nl->job, 1);
	free(nl);
}

/* "intermediate": true on a new record made by a build step, or off */
static void mark_intermediate(struct store *s, const char *rec, bool on)
{
	_cleanup_free_ char *txt = NULL;
	_cleanup_json_ json_object *o = NULL;
	struct err e = ERR_INIT;

	if (store_lock(s, LOCK_EX, &e) < 0)
		goto out;
	if (read_file_at(s->rootfd, rec, 16 << 20, &txt, NULL, &e) == 0 && (o = json_tokener_parse(txt)) &&
	    json_object_is_type(o, json_type_object)) {
		if (on)
			json_object_object_add(o, "intermediate", json_object_new_boolean(1));
		else
			json_object_object_del(o, "intermediate");
		json_save_at(s->rootfd, rec, o, &e);
	}
	store_unlock(s);
out:
	if (e.msg)
		log_warn("marking %s: %s", rec, e.msg);
	err_clear(&e);
}

int store_image_commit_built(struct store *s, const struct idmap *m, const struct built_image *b, char id[65],
			     struct err *e)
{
	struct layer_job *jobs = xcalloc(b->nlayers ? b->nlayers : 1, sizeof *jobs);
	struct commit_info ci;
	char rec[96];
	bool existed;
	int rc;

	for (size_t i = 0; i < b->nlayers; i++) {
		struct layer_job *j = &jobs[i];
		j->fd = -1;
		j->t.lockfd = -1;
		for (size_t k = 0; k < b->npending; k++)
			if (b->pending[k] && b->pending[k]->job.t.lockfd >= 0 &&
			    strcmp(b->pending[k]->job.chain_id, b->layers[i].chain_id) == 0)
				*j = b->pending[k]->job;
		snprintf(j->diff_id, sizeof j->diff_id, "%s", b->layers[i].diff_id);
		snprintf(j->chain_id, sizeof j->chain_id, "%s", b->layers[i].chain_id);
		j->size = b->layers[i].size;
		j->url = NULL;
		j->media_type = NULL;
	}
	memset(&ci, 0, sizeof ci);
	ci.config = b->config;
	ci.config_len = b->config_len;
	ci.names = b->names;
	image_id_of(b->config, b->config_len, id);
	snprintf(rec, sizeof rec, "images/%s.json", id);
	existed = faccessat(s->rootfd, rec, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	rc = image_commit(s, m, jobs, b->nlayers, &ci, id, e);
	if (rc == 0 && b->intermediate && !existed)
		mark_intermediate(s, rec, true);
	/* give the scratch state back: a moved layer has lockfd -1 now */
	for (size_t i = 0; i < b->nlayers; i++)
		for (size_t k = 0; k < b->npending; k++)
			if (b->pending[k] && b->pending[k]->job.t.lockfd >= 0 &&
			    strcmp(b->pending[k]->job.chain_id, jobs[i].chain_id) == 0)
				b->pending[k]->job.t = jobs[i].t;
	free(jobs);
	return rc;
}

void store_image_unmark_intermediate(struct store *s, const char *id)
{
	char rec[96];

	snprintf(rec, sizeof rec, "images/%s.json", id);
	mark_intermediate(s, rec, false);
}

void store_image_set_parent(struct store *s, const char *id, const char *parent)
{
	_cleanup_free_ char *txt = NULL;
	_cleanup_json_ json_object *o = NULL;
	struct err e = ERR_INIT;
	json_object *v;
	char rec[96];

	if (!parent || !*parent || strcmp(id, parent) == 0)
		return;
	snprintf(rec, sizeof rec, "images/%s.json", id);
	if (store_lock(s, LOCK_EX, &e) < 0)
		goto out;
	if (read_file_at(s->rootfd, rec, 16 << 20, &txt, NULL, &e) == 0 && (o = json_tokener_parse(txt)) &&
	    json_object_is_type(o, json_type_object) && !json_object_object_get_ex(o, "parent", &v)) {
		json_object_object_add(o, "parent", json_object_new_string(parent));
		json_save_at(s->rootfd, rec, o, &e);
	}
	store_unlock(s);
out:
	err_clear(&e);
}

int store_image_parent(struct store *s, const char *id, char parent[65])
{
	_cleanup_free_ char *txt = NULL;
	_cleanup_json_ json_object *o = NULL;
	struct err e = ERR_INIT;
	json_object *v;
	const char *p;
	char rec[96];

	snprintf(rec, sizeof rec, "images/%s.json", id);
	if (read_file_at(s->rootfd, rec, 16 << 20, &txt, NULL, &e) < 0) {
		err_clear(&e);
		return -1;
	}
	o = json_tokener_parse(txt);
	if (!o || !json_object_object_get_ex(o, "parent", &v) || !(p = json_object_get_string(v)) ||
	    strlen(p) != 64 || !is_hex(p, 64))
		return -1;
	snprintf(rec, sizeof rec, "images/%s.json", p);
	if (faccessat(s->rootfd, rec, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	memcpy(parent, p, 65);
	return 0;
}

/* ---- the step cache */

int store_build_cache_get(struct store *s, const char *keyhex, char id[65])
{
	_cleanup_free_ char *path = xasprintf("build-cache/%s", keyhex), *txt = NULL;
	struct err e = ERR_INIT;
	char rec[96];

	if (read_file_at(s->rootfd, path, 128, &txt, NULL, &e) < 0) {
		err_clear(&e);
		return -1;
	}
	txt[strcspn(txt, "\n")] = '\0';
	if (strlen(txt) != 64 || !is_hex(txt, 64)) {
		unlinkat(s->rootfd, path, 0);
		return -1;
	}
	snprintf(rec, sizeof rec, "images/%s.json", txt);
	if (faccessat(s->rootfd, rec, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
		/* the image was pruned: the entry is stale */
		unlinkat(s->rootfd, path, 0);
		return -1;
	}
	memcpy(id, txt, 65);
	return 0;
}

int store_build_cache_put(struct store *s, const char *keyhex, const char *id, struct err *e)
{
	_cleanup_free_ char *path = xasprintf("build-cache/%s", keyhex);
	_cleanup_free_ char *txt = xasprintf("%s\n", id);

	if (mkdirat(s->rootfd, "build-cache", 0700) < 0 && errno != EEXIST)
		return err_make(e, errno, "creating %s/build-cache", s->root);
	return write_file_atomic_at(s->rootfd, path, txt, strlen(txt), 0600, e);
}

/* ---- scratch working directories */

int store_tmp_create(struct store *s, char **path, struct store_tmp **t, struct err *e)
{
	struct store_tmp *x = xcalloc(1, sizeof *x);

	x->t.lockfd = -1;
	if (scratch_create(s, &x->t, true, e) < 0) {
		free(x);
		return -1;
	}
	*path = xasprintf("%s/layers/%s", s->root, x->t.name);
	*t = x;
	return 0;
}

void store_tmp_discard(struct store *s, const struct idmap *m, struct store_tmp *t)
{
	if (!t)
		return;
	scratch_discard(s, m, &t->t);
	free(t);
}

void store_build_sweep(struct store *s, const struct idmap *m)
{
	struct err e = ERR_INIT;

	if (store_sweep(s, m, &e) < 0) {
		log_debug("sweeping %s/layers: %s", s->root, e.msg);
		err_clear(&e);
	}
}

/* see buildstore.h */
char **store_history_ids(struct store *s, const char *id, size_t n)
{
	char **ids = xcalloc(n + 1, sizeof *ids);
	char cur[65], parent[65];

	if (n == 0)
		return ids;
	ids[n - 1] = xstrdup(id);
	snprintf(cur, sizeof cur, "%s", id);
	for (size_t hops = 0; hops < n && store_image_parent(s, cur, parent) == 0; hops++) {
		_cleanup_free_ char *txt = NULL;
		struct err e = ERR_INIT;
		json_object *conf, *h;
		size_t len = 0;
		if (store_image_config(s, parent, &txt, &e) < 0) {
			err_clear(&e);
			break;
		}
		conf = json_tokener_parse(txt);
		if (conf && json_object_object_get_ex(conf, "history", &h) &&
		    json_object_is_type(h, json_type_array))
			len = json_object_array_length(h);
		json_object_put(conf);
		if (len >= 1 && len <= n && !ids[len - 1])
			ids[len - 1] = xstrdup(parent);
		memcpy(cur, parent, 65);
	}
	return ids;
}
