/* imgio.c - the image endpoints that move images in and out or look into
 * their past: history, get (a docker-archive, as `burrow save`), load (as
 * `burrow load`), create with fromSrc (an import, as `burrow import`) and
 * prune (dangling, label, until), and auth (a login check).  Each calls the
 * library function its CLI verb calls. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api_int.h"
#include "lib/base/json.h"
#include "lib/base/util.h"
#include "lib/runtime/userns.h"
#include "lib/store/buildstore.h"
#include "lib/store/pull.h"
#include "lib/store/registry.h"
#include "lib/store/store.h"

static const char *short_name(const char *n)
{
	if (strncmp(n, "docker.io/library/", 18) == 0)
		return n + 18;
	if (strncmp(n, "docker.io/", 10) == 0)
		return n + 10;
	return n;
}

static enum MHD_Result reply_e(struct api_req *r, struct err *e, const char *ref)
{
	enum MHD_Result res;

	if (ref && (e->errnum == ENOENT || e->status == 1))
		res = api_reply_error(r, MHD_HTTP_NOT_FOUND, "No such image: %s", ref);
	else
		res = api_reply_err(r, e);
	err_clear(e);
	return res;
}

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : "";
}

/* ---- history ---- */

enum MHD_Result api_img_history(struct api_req *r)
{
	struct store *st;
	struct image *img = NULL;
	struct err e = ERR_INIT;
	_cleanup_free_ char *txt = NULL;
	json_object *conf = NULL, *hist, *out;
	char **ids = NULL;
	size_t n = 0, layer = 0;

	if (store_open(r->b->root, &st, &e) < 0)
		return reply_e(r, &e, NULL);
	if (store_image_get(st, r->arg, &img, &e) < 0 || store_image_config(st, img->id, &txt, &e) < 0 ||
	    json_parse_strict(txt, strlen(txt), "image config", &conf, &e) < 0) {
		image_free(img);
		store_close(st);
		return reply_e(r, &e, r->arg);
	}
	out = json_object_new_array();
	if (json_object_object_get_ex(conf, "history", &hist) && json_object_is_type(hist, json_type_array)) {
		n = json_object_array_length(hist);
		ids = store_history_ids(st, img->id, n);
	}
	/* newest first; sizes belong to the non-empty steps, bottom layer first */
	for (size_t i = 0; i < n; i++) {
		json_object *h = json_object_array_get_idx(hist, i), *ent = json_object_new_object(), *v;
		bool empty = json_object_object_get_ex(h, "empty_layer", &v) && json_object_get_boolean(v);
		_cleanup_free_ char *id = ids[i] ? xasprintf("sha256:%s", ids[i]) : xstrdup("<missing>");
		json_object *tags = NULL;
		uint64_t size = 0;
		if (!empty && layer < img->nlayers)
			size = img->layers[layer++].size;
		if (i == n - 1 && img->names && img->names[0]) {
			tags = json_object_new_array();
			for (size_t k = 0; img->names[k]; k++)
				json_object_array_add(tags,
						      json_object_new_string(short_name(img->names[k])));
		}
		json_object_object_add(ent, "Id", json_object_new_string(id));
		json_object_object_add(ent, "Created",
				       json_object_new_int64(api_parse_time(jstr(h, "created"))));
		json_object_object_add(ent, "CreatedBy", json_object_new_string(jstr(h, "created_by")));
		json_object_object_add(ent, "Tags", tags);
		json_object_object_add(ent, "Size", json_object_new_int64((int64_t)size));
		json_object_object_add(ent, "Comment", json_object_new_string(jstr(h, "comment")));
		json_object_array_put_idx(out, n - 1 - i, ent);
	}
	for (size_t i = 0; ids && i < n; i++)
		free(ids[i]);
	free(ids);
	json_object_put(conf);
	image_free(img);
	store_close(st);
	return api_reply_json(r, MHD_HTTP_OK, out);
}

/* ---- get: a docker-archive of one or more images ---- */

struct saver {
	const struct api_backend *b;
	char **refs;
};

static void save_stream(void *arg, int fd)
{
	struct saver *s = arg;
	struct store *st = NULL;
	struct idmap m;
	struct err e = ERR_INIT;

	memset(&m, 0, sizeof m);
	/* an error midway can only cut the archive short: the client sees a
	 * truncated tar, as with docker */
	if (store_open(s->b->root, &st, &e) < 0 ||
	    userns_lookup_cached(&m, s->b->idmap, s->b->runroot, &e) < 0 ||
	    store_save_fd(st, &m, s->refs, fd, "docker-archive", &e) < 0)
		err_clear(&e);
	idmap_free(&m);
	if (st)
		store_close(st);
}

static void saver_free(void *arg)
{
	struct saver *s = arg;

	strv_free(s->refs);
	free(s);
}

static enum MHD_Result collect_names(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	char ***v = cls;

	(void)kind;
	if (strcmp(key, "names") == 0 && value && *value && strv_len(*v) < 256)
		strv_push(v, value);
	return MHD_YES;
}

enum MHD_Result api_img_get(struct api_req *r)
{
	struct saver *s;
	struct store *st;
	struct err e = ERR_INIT;
	char **refs = NULL;

	if (strcmp(r->path, "/images/get") != 0)
		strv_push(&refs, r->arg);
	else
		MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect_names, &refs);
	if (!refs)
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST, "no image named (names=...)");
	if (store_open(r->b->root, &st, &e) < 0) {
		strv_free(refs);
		return reply_e(r, &e, NULL);
	}
	/* what is not there is a 404 before the body starts */
	for (size_t i = 0; refs[i]; i++) {
		struct image *img = NULL;
		if (store_image_get(st, refs[i], &img, &e) < 0) {
			enum MHD_Result res = reply_e(r, &e, refs[i]);
			store_close(st);
			strv_free(refs);
			return res;
		}
		image_free(img);
	}
	store_close(st);
	s = xcalloc(1, sizeof *s);
	s->b = r->b;
	s->refs = refs;
	return api_reply_stream(r, MHD_HTTP_OK, "application/x-tar", save_stream, s, saver_free);
}

/* ---- load and import: the spooled body is the archive ---- */

struct loader {
	const struct api_backend *b;
	int body; /* a descriptor of its own on the spooled body */
	bool quiet;
	char *ref; /* import: the name, or NULL */
	char *message;
	char **changes;
	struct api_jsonl j;
};

static void loader_free(void *arg)
{
	struct loader *l = arg;

	if (l->body >= 0)
		close(l->body);
	free(l->ref);
	free(l->message);
	strv_free(l->changes);
	free(l);
}

static struct loader *loader_new(struct api_req *r)
{
	struct loader *l;

	if (r->body_fd < 0)
		return NULL;
	l = xcalloc(1, sizeof *l);
	l->b = r->b;
	l->body = fcntl(r->body_fd, F_DUPFD_CLOEXEC, 3);
	if (l->body < 0) {
		free(l);
		return NULL;
	}
	return l;
}

static int open_all(const struct api_backend *b, struct store **st, struct idmap *m, struct err *e)
{
	memset(m, 0, sizeof *m);
	if (store_open(b->root, st, e) < 0)
		return -1;
	if (b->cfg)
		store_set_limits(*st, b->cfg->max_layer_size, b->cfg->max_layer_entries);
	return userns_lookup_cached(m, b->idmap, b->runroot, e);
}

static void load_stream(void *arg, int fd)
{
	struct loader *l = arg;
	struct store *st = NULL;
	struct idmap m;
	struct err e = ERR_INIT;
	_cleanup_strv_ char **ids = NULL, **names = NULL;
	_cleanup_free_ char *path = xasprintf("/proc/self/fd/%d", l->body);
	volatile sig_atomic_t cancel = 0;

	l->j.fd = fd;
	if (open_all(l->b, &st, &m, &e) < 0 || store_load(st, &m, path, &ids, &names, &cancel, &e) < 0) {
		api_jsonl_error(&l->j, e.msg ? e.msg : "load failed");
		err_clear(&e);
	} else {
		for (size_t i = 0; names && names[i]; i++) {
			_cleanup_free_ char *t = xasprintf("Loaded image: %s\n", short_name(names[i]));
			api_jsonl_stream(&l->j, t);
		}
		for (size_t i = 0; (!names || !names[0]) && ids && ids[i]; i++) {
			_cleanup_free_ char *t = xasprintf("Loaded image ID: sha256:%s\n", ids[i]);
			api_jsonl_stream(&l->j, t);
		}
	}
	idmap_free(&m);
	if (st)
		store_close(st);
}

enum MHD_Result api_img_load(struct api_req *r)
{
	struct loader *l = loader_new(r);

	if (!l)
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST, "the request body must be an image archive");
	l->quiet = api_query_bool(r, "quiet", false);
	return api_reply_stream(r, MHD_HTTP_OK, "application/json", load_stream, l, loader_free);
}

static void import_stream(void *arg, int fd)
{
	struct loader *l = arg;
	struct store *st = NULL;
	struct idmap m;
	struct err e = ERR_INIT;
	struct import_opts io = { l->message, l->changes };
	_cleanup_free_ char *path = xasprintf("/proc/self/fd/%d", l->body);
	char id[65];

	l->j.fd = fd;
	if (open_all(l->b, &st, &m, &e) < 0 || store_import(st, &m, path, l->ref, &io, id, &e) < 0) {
		api_jsonl_error(&l->j, e.msg ? e.msg : "import failed");
		err_clear(&e);
	} else {
		_cleanup_free_ char *s = xasprintf("sha256:%s", id);
		api_jsonl_status(&l->j, s, NULL);
	}
	idmap_free(&m);
	if (st)
		store_close(st);
}

static enum MHD_Result collect_changes(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	char ***v = cls;

	(void)kind;
	if (strcmp(key, "changes") == 0 && value && *value && strv_len(*v) < 256)
		strv_push(v, value);
	return MHD_YES;
}

/* POST /images/create?fromSrc=-&repo=&tag=&message=&changes= */
enum MHD_Result api_img_import(struct api_req *r)
{
	const char *src = api_query(r, "fromSrc"), *repo = api_query(r, "repo"), *tag = api_query(r, "tag");
	const char *msg = api_query(r, "message");
	struct loader *l;

	if (strcmp(src, "-") != 0)
		return api_reply_error(r, MHD_HTTP_NOT_IMPLEMENTED,
				       "fromSrc: only - (the request body) is supported, not a URL");
	if ((repo && strlen(repo) > 1024) || (tag && strlen(tag) > 128) || (msg && strlen(msg) > 65536))
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST, "repo, tag or message too long");
	l = loader_new(r);
	if (!l)
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST, "the request body must be a tar archive");
	if (repo && *repo)
		l->ref = tag && *tag ? xasprintf("%s:%s", repo, tag) : xstrdup(repo);
	l->message = msg && *msg ? xstrdup(msg) : NULL;
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect_changes, &l->changes);
	return api_reply_stream(r, MHD_HTTP_OK, "application/json", import_stream, l, loader_free);
}

/* ---- prune: filters dangling (default true), label, label!, until ---- */

struct prune_filter {
	struct store *st;
	char **labels, **nolabels;
	int64_t until; /* 0: none */
	char **sizes;  /* "ID SIZE" of the images chosen */
};

/* the strings of filter key: {"k":["a","b"]} or the older {"k":{"a":true}} */
static int filter_strs(json_object *f, const char *key, char ***out)
{
	json_object *vals;

	if (!json_object_object_get_ex(f, key, &vals))
		return 0;
	if (json_object_is_type(vals, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(vals); i++) {
			json_object *v = json_object_array_get_idx(vals, i);
			if (!json_object_is_type(v, json_type_string))
				return -1;
			strv_push(out, json_object_get_string(v));
		}
		return 0;
	}
	if (!json_object_is_type(vals, json_type_object))
		return -1;
	json_object_object_foreach(vals, k, v) {
		(void)v;
		strv_push(out, k);
	}
	return 0;
}

/* until: Unix seconds, an RFC 3339 time, or a duration before now ("24h",
 * "1h30m", "90s") */
static int64_t parse_until(const char *s)
{
	const char *p = s;
	double total = 0;

	if (!*s)
		return -1;
	if (strchr(s, 'T'))
		return api_parse_time(s) > 0 ? api_parse_time(s) : -1;
	if (strspn(s, "0123456789.") == strlen(s))
		return (int64_t)strtod(s, NULL);
	while (*p) {
		char *end;
		double v = strtod(p, &end);
		if (end == p || v < 0)
			return -1;
		if (*end == 'h')
			total += v * 3600;
		else if (*end == 'm' && end[1] != 's')
			total += v * 60;
		else if (*end == 's')
			total += v;
		else if (*end == 'm' && end[1] == 's')
			total += v / 1000, end++;
		else
			return -1;
		p = end + 1;
	}
	return (int64_t)time(NULL) - (int64_t)total;
}

static bool has_label(json_object *labels, const char *want)
{
	const char *eq = strchr(want, '=');
	_cleanup_free_ char *k = eq ? xstrndup(want, (size_t)(eq - want)) : xstrdup(want);
	json_object *v;

	if (!labels || !json_object_object_get_ex(labels, k, &v))
		return false;
	return !eq || strcmp(json_object_get_string(v), eq + 1) == 0;
}

static bool prune_want(void *ctx, const struct image *img)
{
	struct prune_filter *f = ctx;
	_cleanup_free_ char *txt = NULL;
	json_object *conf = NULL, *c, *labels = NULL;
	struct err e = ERR_INIT;
	bool ok = true;

	if (f->until && api_parse_time(img->created) >= f->until)
		return false;
	if (f->labels || f->nolabels) {
		if (store_image_config(f->st, img->id, &txt, &e) < 0) {
			err_clear(&e);
			return false;
		}
		conf = json_tokener_parse(txt);
		if (conf && json_object_object_get_ex(conf, "config", &c) && c)
			json_object_object_get_ex(c, "Labels", &labels);
		for (size_t i = 0; ok && f->labels && f->labels[i]; i++)
			ok = has_label(labels, f->labels[i]);
		for (size_t i = 0; ok && f->nolabels && f->nolabels[i]; i++)
			ok = !has_label(labels, f->nolabels[i]);
		json_object_put(conf);
	}
	if (ok) {
		_cleanup_free_ char *t = xasprintf("%s %llu", img->id, (unsigned long long)img->size);
		strv_push(&f->sizes, t);
	}
	return ok;
}

enum MHD_Result api_img_prune(struct api_req *r)
{
	const char *q = api_query(r, "filters");
	struct prune_filter pf = { 0 };
	_cleanup_strv_ char **dangling = NULL, **until = NULL, **deleted = NULL;
	json_object *f = NULL, *out, *list;
	struct idmap m;
	struct err e = ERR_INIT;
	bool all = false;
	uint64_t reclaimed = 0;
	int rc;

	if (q && *q) {
		if (strlen(q) > 65536 || json_parse_strict(q, strlen(q), "filters", &f, &e) < 0 ||
		    !json_object_is_type(f, json_type_object) || filter_strs(f, "dangling", &dangling) < 0 ||
		    filter_strs(f, "label", &pf.labels) < 0 || filter_strs(f, "label!", &pf.nolabels) < 0 ||
		    filter_strs(f, "until", &until) < 0) {
			json_object_put(f);
			err_clear(&e);
			strv_free(pf.labels);
			strv_free(pf.nolabels);
			return api_reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid filters: %s", q);
		}
		json_object_object_foreach(f, k, v) {
			(void)v;
			if (strcmp(k, "dangling") && strcmp(k, "label") && strcmp(k, "label!") &&
			    strcmp(k, "until")) {
				_cleanup_free_ char *bad = xstrdup(k);
				json_object_put(f);
				strv_free(pf.labels);
				strv_free(pf.nolabels);
				return api_reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid filter '%s'", bad);
			}
		}
		json_object_put(f);
	}
	for (size_t i = 0; dangling && dangling[i]; i++)
		all = strcasecmp(dangling[i], "false") == 0 || strcmp(dangling[i], "0") == 0;
	if (until && until[0] && (pf.until = parse_until(until[0])) < 0) {
		strv_free(pf.labels);
		strv_free(pf.nolabels);
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid until: %s", until[0]);
	}
	memset(&m, 0, sizeof m);
	rc = store_open(r->b->root, &pf.st, &e);
	if (rc == 0) {
		api_lock();
		rc = userns_lookup_cached(&m, r->b->idmap, r->b->runroot, &e);
		if (rc == 0)
			rc = store_image_prune_if(pf.st, &m, all, prune_want, &pf, &deleted, &e);
		api_unlock();
		store_close(pf.st);
	}
	idmap_free(&m);
	strv_free(pf.labels);
	strv_free(pf.nolabels);
	if (rc < 0) {
		strv_free(pf.sizes);
		return reply_e(r, &e, NULL);
	}
	out = json_object_new_object();
	list = json_object_new_array();
	for (size_t i = 0; deleted && deleted[i]; i++) {
		json_object *o = json_object_new_object();
		_cleanup_free_ char *d = xasprintf("sha256:%s", deleted[i]);
		json_object_object_add(o, "Deleted", json_object_new_string(d));
		json_object_array_add(list, o);
		for (size_t k = 0; pf.sizes && pf.sizes[k]; k++)
			if (strncmp(pf.sizes[k], deleted[i], 64) == 0 && pf.sizes[k][64] == ' ')
				reclaimed += strtoull(pf.sizes[k] + 65, NULL, 10);
	}
	strv_free(pf.sizes);
	json_object_object_add(out, "ImagesDeleted", list);
	json_object_object_add(out, "SpaceReclaimed", json_object_new_int64((int64_t)reclaimed));
	return api_reply_json(r, MHD_HTTP_OK, out);
}

/* ---- auth: check credentials against a registry, as `burrow login` does
 * (docker's CLI keeps them itself and sends X-Registry-Auth later) ---- */

enum MHD_Result api_auth(struct api_req *r)
{
	json_object *body, *v;
	enum MHD_Result res;
	struct registry *reg = NULL;
	struct err e = ERR_INIT;
	const char *user = "", *pass = "", *server = "";
	_cleanup_free_ char *domain = NULL;
	size_t n;
	json_object *out;

	if (api_body_json(r, &body, &res) < 0)
		return res;
	if (json_object_object_get_ex(body, "username", &v) && json_object_is_type(v, json_type_string))
		user = json_object_get_string(v);
	if (json_object_object_get_ex(body, "password", &v) && json_object_is_type(v, json_type_string))
		pass = json_object_get_string(v);
	if (json_object_object_get_ex(body, "serveraddress", &v) && json_object_is_type(v, json_type_string))
		server = json_object_get_string(v);
	/* "https://index.docker.io/v1/", "http://host:5000", "host:5000" */
	if (strncmp(server, "https://", 8) == 0)
		server += 8;
	else if (strncmp(server, "http://", 7) == 0)
		server += 7;
	n = strcspn(server, "/");
	domain = n ? xstrndup(server, n) : xstrdup("docker.io");
	if (strcmp(domain, "index.docker.io") == 0) {
		free(domain);
		domain = xstrdup("docker.io");
	}
	if (!*user || strlen(user) > 1024 || strlen(pass) > 65536 || strlen(domain) > 255) {
		json_object_put(body);
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST,
				       "username, password and serveraddress are required");
	}
	{
		struct reg_opts ro = { true, NULL, r->b->runroot, user, pass, NULL };
		if (registry_open(domain, &ro, &reg, &e) < 0 || registry_login_check(reg, &e) < 0) {
			registry_close(reg);
			json_object_put(body);
			res = api_reply_error(r,
					      e.errnum == EACCES || (e.msg && strstr(e.msg, "401"))
						      ? MHD_HTTP_UNAUTHORIZED
						      : MHD_HTTP_INTERNAL_SERVER_ERROR,
					      "login to %s failed: %s", domain,
					      e.msg ? e.msg : "unknown error");
			err_clear(&e);
			return res;
		}
	}
	registry_close(reg);
	json_object_put(body);
	out = json_object_new_object();
	json_object_object_add(out, "Status", json_object_new_string("Login Succeeded"));
	json_object_object_add(out, "IdentityToken", json_object_new_string(""));
	return api_reply_json(r, MHD_HTTP_OK, out);
}
