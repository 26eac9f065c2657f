/* images.c - the image endpoints: list, inspect, create (a pull, with
 * docker's JSON progress stream), tag and remove.  Names are shown as
 * docker shows them: docker.io/library/busybox:latest is busybox:latest. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "lib/base/forkjob.h"
#include "lib/base/json.h"
#include "lib/base/util.h"
#include "lib/runtime/userns.h"
#include "lib/store/auth.h"
#include "lib/store/pull.h"
#include "lib/store/ref.h"
#include "lib/store/store.h"

static const char *short_name(const char *n)
{
	if (strncmp(n, "docker.io/library/", 18) == 0)
		return n + 18;
	if (strncmp(n, "docker.io/", 10) == 0)
		return n + 10;
	return n;
}

static json_object *names_json(char **names, bool digests)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; names && names[i]; i++)
		if (digests == (strchr(names[i], '@') != NULL))
			json_object_array_add(a, json_object_new_string(short_name(names[i])));
	return a;
}

static int open_store(struct api_req *r, struct store **st, enum MHD_Result *res)
{
	struct err e = ERR_INIT;

	if (store_open(r->b->root, st, &e) < 0) {
		*res = api_reply_err(r, &e);
		err_clear(&e);
		return -1;
	}
	return 0;
}

enum MHD_Result api_img_list(struct api_req *r)
{
	bool all = api_query_bool(r, "all", false);
	struct store *st;
	struct image **imgs = NULL;
	size_t n = 0;
	struct err e = ERR_INIT;
	enum MHD_Result res;
	json_object *out;

	if (open_store(r, &st, &res) < 0)
		return res;
	if (store_image_list(st, &imgs, &n, &e) < 0) {
		store_close(st);
		res = api_reply_err(r, &e);
		err_clear(&e);
		return res;
	}
	out = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		struct image *img = imgs[i];
		json_object *o;
		_cleanup_free_ char *id = xasprintf("sha256:%s", img->id);
		if (img->intermediate && !all) {
			image_free(img);
			continue;
		}
		o = json_object_new_object();
		json_object_object_add(o, "Id", json_object_new_string(id));
		json_object_object_add(o, "ParentId", json_object_new_string(""));
		json_object_object_add(o, "RepoTags", names_json(img->names, false));
		json_object_object_add(o, "RepoDigests", names_json(img->repo_digests, true));
		json_object_object_add(o, "Created", json_object_new_int64(api_parse_time(img->created)));
		json_object_object_add(o, "Size", json_object_new_int64((int64_t)img->size));
		json_object_object_add(o, "VirtualSize", json_object_new_int64((int64_t)img->size));
		json_object_object_add(o, "SharedSize", json_object_new_int(-1));
		json_object_object_add(o, "Labels", json_object_new_object());
		json_object_object_add(o, "Containers", json_object_new_int(-1));
		json_object_array_add(out, o);
		image_free(img);
	}
	free(imgs);
	store_close(st);
	return api_reply_json(r, MHD_HTTP_OK, out);
}

static enum MHD_Result no_image(struct api_req *r, struct err *e, const char *ref)
{
	enum MHD_Result res;

	if (e->errnum == ENOENT || e->status == 1 || (e->msg && strstr(e->msg, "not known")))
		res = api_reply_error(r, MHD_HTTP_NOT_FOUND, "No such image: %s", ref);
	else
		res = api_reply_err(r, e);
	err_clear(e);
	return res;
}

enum MHD_Result api_img_inspect(struct api_req *r)
{
	struct store *st;
	struct image *img = NULL;
	struct err e = ERR_INIT;
	enum MHD_Result res;
	_cleanup_free_ char *conf = NULL, *id = NULL;
	json_object *o, *oci = NULL, *v, *rootfs, *layers;

	if (open_store(r, &st, &res) < 0)
		return res;
	if (store_image_get(st, r->arg, &img, &e) < 0 || store_image_config(st, img->id, &conf, &e) < 0 ||
	    json_parse_strict(conf, strlen(conf), "image config", &oci, &e) < 0) {
		if (img)
			image_free(img);
		store_close(st);
		return no_image(r, &e, r->arg);
	}
	store_close(st);
	o = json_object_new_object();
	id = xasprintf("sha256:%s", img->id);
	json_object_object_add(o, "Id", json_object_new_string(id));
	json_object_object_add(o, "RepoTags", names_json(img->names, false));
	json_object_object_add(o, "RepoDigests", names_json(img->repo_digests, true));
	json_object_object_add(o, "Parent", json_object_new_string(""));
	json_object_object_add(o, "Comment", json_object_new_string(""));
	json_object_object_add(o, "Created", json_object_new_string(img->created ? img->created : ""));
	json_object_object_add(o, "Container", json_object_new_string(""));
	json_object_object_add(o, "DockerVersion", json_object_new_string(""));
	json_object_object_add(o, "Author", json_object_new_string(""));
	json_object_object_add(o, "Config",
			       json_object_object_get_ex(oci, "config", &v) && v ? json_object_get(v)
										 : json_object_new_object());
	json_object_object_add(o, "Architecture",
			       json_object_object_get_ex(oci, "architecture", &v) && v
				       ? json_object_get(v)
				       : json_object_new_string(""));
	json_object_object_add(o, "Os",
			       json_object_object_get_ex(oci, "os", &v) && v
				       ? json_object_get(v)
				       : json_object_new_string("linux"));
	json_object_object_add(o, "Size", json_object_new_int64((int64_t)img->size));
	json_object_object_add(o, "VirtualSize", json_object_new_int64((int64_t)img->size));
	v = json_object_new_object();
	json_object_object_add(v, "Name", json_object_new_string("overlay"));
	json_object_object_add(v, "Data", json_object_new_object());
	json_object_object_add(o, "GraphDriver", v);
	rootfs = json_object_new_object();
	layers = json_object_new_array();
	for (size_t i = 0; i < img->nlayers; i++)
		json_object_array_add(layers, json_object_new_string(img->layers[i].diff_id));
	json_object_object_add(rootfs, "Type", json_object_new_string("layers"));
	json_object_object_add(rootfs, "Layers", layers);
	json_object_object_add(o, "RootFS", rootfs);
	json_object_put(oci);
	image_free(img);
	return api_reply_json(r, MHD_HTTP_OK, o);
}

/* ---- docker's JSON message streams ---- */

void api_jsonl(struct api_jsonl *j, json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								  JSON_C_TO_STRING_NOSLASHESCAPE);
	_cleanup_free_ char *l = xasprintf("%s\r\n", s);

	if (!j->gone && !api_write_all(j->fd, l, strlen(l)))
		j->gone = true;
	json_object_put(o);
}

void api_jsonl_status(struct api_jsonl *j, const char *st, const char *id)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "status", json_object_new_string(st));
	if (id)
		json_object_object_add(o, "id", json_object_new_string(id));
	api_jsonl(j, o);
}

void api_jsonl_error(struct api_jsonl *j, const char *msg)
{
	json_object *o = json_object_new_object(), *d = json_object_new_object();

	json_object_object_add(d, "message", json_object_new_string(msg));
	json_object_object_add(o, "errorDetail", d);
	json_object_object_add(o, "error", json_object_new_string(msg));
	api_jsonl(j, o);
}

void api_jsonl_stream(struct api_jsonl *j, const char *text)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "stream", json_object_new_string(text));
	api_jsonl(j, o);
}

/* X-Registry-Auth: base64url (padding optional) of {"username":
 * "password":, "auth": base64("user:pass"), "serveraddress":} */
int api_registry_auth(struct api_req *r, char **user, char **pass)
{
	const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Registry-Auth");
	_cleanup_free_ char *b64 = NULL, *txt = NULL, *up = NULL;
	size_t n, len = 0;
	json_object *o, *v;
	struct err e = ERR_INIT;

	*user = *pass = NULL;
	if (!h || !*h)
		return 0;
	n = strlen(h);
	if (n > 64 * 1024)
		return -1;
	b64 = xmalloc(n + 4);
	for (size_t i = 0; i < n; i++)
		b64[i] = h[i] == '-' ? '+' : h[i] == '_' ? '/' : h[i];
	while (n % 4)
		b64[n++] = '=';
	b64[n] = '\0';
	txt = base64_decode(b64, &len);
	if (!txt || json_parse_strict(txt, len, "X-Registry-Auth", &o, &e) < 0) {
		err_clear(&e);
		return -1;
	}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -1;
	}
	if (json_object_object_get_ex(o, "username", &v) && json_object_is_type(v, json_type_string) &&
	    *json_object_get_string(v)) {
		*user = xstrdup(json_object_get_string(v));
		*pass = xstrdup(json_object_object_get_ex(o, "password", &v) &&
						json_object_is_type(v, json_type_string)
					? json_object_get_string(v)
					: "");
	} else if (json_object_object_get_ex(o, "auth", &v) && json_object_is_type(v, json_type_string) &&
		   (up = base64_decode(json_object_get_string(v), &len)) && strchr(up, ':')) {
		char *colon = strchr(up, ':');
		*user = xstrndup(up, (size_t)(colon - up));
		*pass = xstrdup(colon + 1);
	}
	json_object_put(o);
	return 0;
}

/* ---- create (a pull) and push: progress as docker's JSON lines ---- */

struct puller {
	const struct api_backend *b;
	char *ref; /* pull: what to pull; push: the local name, pushed under it */
	char *user, *pass;
	bool push;
	struct api_jsonl j;
};

static void puller_stream(void *arg, int fd);

static void on_progress(void *ctx, const struct store_progress *pr)
{
	struct puller *p = ctx;
	char id[13] = "";
	json_object *o, *d;

	if (pr->digest && strncmp(pr->digest, "sha256:", 7) == 0)
		snprintf(id, sizeof id, "%.12s", pr->digest + 7);
	switch (pr->ev) {
	case PROGRESS_EXISTS:
		api_jsonl_status(&p->j, p->push ? "Layer already exists" : "Already exists", id);
		break;
	case PROGRESS_START:
		api_jsonl_status(&p->j, p->push ? "Preparing" : "Pulling fs layer", id);
		break;
	case PROGRESS_BYTES:
		o = json_object_new_object();
		d = json_object_new_object();
		json_object_object_add(o, "status",
				       json_object_new_string(p->push ? "Pushing" : "Downloading"));
		json_object_object_add(d, "current", json_object_new_int64((int64_t)pr->done));
		json_object_object_add(d, "total", json_object_new_int64((int64_t)pr->total));
		json_object_object_add(o, "progressDetail", d);
		json_object_object_add(o, "id", json_object_new_string(id));
		api_jsonl(&p->j, o);
		break;
	case PROGRESS_DONE:
		api_jsonl_status(&p->j, p->push ? "Pushed" : "Pull complete", id);
		break;
	case PROGRESS_RESOLVED:
	case PROGRESS_CONFIG:
	case PROGRESS_WRITING:
	default:
		break;
	}
}

static void pull_run(struct puller *p, int fd)
{
	struct pull_opts po;
	struct store *st = NULL;
	struct idmap m;
	struct err e = ERR_INIT;
	char id[65];
	volatile sig_atomic_t cancel = 0;

	p->j.fd = fd;
	memset(&m, 0, sizeof m);
	memset(&po, 0, sizeof po);
	po.tls_verify = true; /* loopback and insecure-registries: registry_open() */
	po.runroot = p->b->runroot;
	po.search_registries = p->b->search_registries;
	po.progress = on_progress;
	po.progress_ctx = p;
	po.cancel = &cancel;
	po.user = p->user;
	po.pass = p->pass;
	{
		_cleanup_free_ char *msg = xasprintf("Pulling from %s", p->ref);
		api_jsonl_status(&p->j, msg, NULL);
	}
	if (store_open(p->b->root, &st, &e) < 0 ||
	    userns_lookup_cached(&m, p->b->idmap, p->b->runroot, &e) < 0 ||
	    store_pull(st, &m, p->ref, &po, id, &e) < 0) {
		api_jsonl_error(&p->j, e.msg ? e.msg : "pull failed");
		err_clear(&e);
	} else {
		_cleanup_free_ char *d = xasprintf("Digest: sha256:%s", id);
		_cleanup_free_ char *s = xasprintf("Status: Downloaded newer image for %s", p->ref);
		api_jsonl_status(&p->j, d, NULL);
		api_jsonl_status(&p->j, s, NULL);
	}
	idmap_free(&m);
	if (st)
		store_close(st);
}

static void puller_free(void *arg)
{
	struct puller *p = arg;

	free(p->ref);
	free(p->user);
	free(p->pass);
	free(p);
}

static struct puller *puller_new(struct api_req *r, enum MHD_Result *res)
{
	struct puller *p = xcalloc(1, sizeof *p);

	p->b = r->b;
	if (api_registry_auth(r, &p->user, &p->pass) < 0) {
		puller_free(p);
		*res = api_reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid X-Registry-Auth header");
		return NULL;
	}
	return p;
}

enum MHD_Result api_img_create(struct api_req *r)
{
	const char *from = api_query(r, "fromImage"), *tag = api_query(r, "tag");
	enum MHD_Result res;
	struct puller *p;

	if (api_query(r, "fromSrc"))
		return api_img_import(r);
	if (!from || !*from || strlen(from) > 1024 || (tag && strlen(tag) > 256) || *from == '-')
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST, "fromImage: an image reference is required");
	if (!(p = puller_new(r, &res)))
		return res;
	/* tag is a tag or a digest; fromImage may carry one already */
	if (tag && *tag)
		p->ref = xasprintf("%s%s%s", from, strncmp(tag, "sha256:", 7) == 0 ? "@" : ":", tag);
	else
		p->ref = xstrdup(from);
	return api_reply_stream(r, MHD_HTTP_OK, "application/json", puller_stream, p, puller_free);
}

static void push_run(struct puller *p, int fd)
{
	struct push_opts po;
	struct store *st = NULL;
	struct idmap m;
	struct err e = ERR_INIT;
	volatile sig_atomic_t cancel = 0;
	_cleanup_free_ char *repo = NULL, *tag = NULL;

	p->j.fd = fd;
	memset(&m, 0, sizeof m);
	memset(&po, 0, sizeof po);
	po.tls_verify = true;
	po.runroot = p->b->runroot;
	po.progress = on_progress;
	po.progress_ctx = p;
	po.cancel = &cancel;
	po.user = p->user;
	po.pass = p->pass;
	ref_split_repo_tag(p->ref, &repo, &tag);
	{
		_cleanup_free_ char *msg = xasprintf("The push refers to repository [%s]", short_name(repo));
		api_jsonl_status(&p->j, msg, NULL);
	}
	if (store_open(p->b->root, &st, &e) < 0 ||
	    userns_lookup_cached(&m, p->b->idmap, p->b->runroot, &e) < 0 ||
	    store_push(st, &m, p->ref, p->ref, &po, &e) < 0) {
		api_jsonl_error(&p->j, e.msg ? e.msg : "push failed");
		err_clear(&e);
	} else {
		_cleanup_free_ char *msg = xasprintf("%s: digest: %s", tag, po.digest);
		json_object *o = json_object_new_object(), *aux = json_object_new_object();
		api_jsonl_status(&p->j, msg, NULL);
		json_object_object_add(aux, "Tag", json_object_new_string(tag));
		json_object_object_add(aux, "Digest", json_object_new_string(po.digest));
		json_object_object_add(o, "progressDetail", json_object_new_object());
		json_object_object_add(o, "aux", aux);
		api_jsonl(&p->j, o);
	}
	idmap_free(&m);
	if (st)
		store_close(st);
}

/* in the job's process (lib/base/forkjob.h): the pull or push, writing
 * its JSON lines to fds[0] */
static void puller_job(const void *arg, size_t len, const int *fds, size_t nfds, void *res, size_t res_len)
{
	struct forkjob_buf in = { (char *)(uintptr_t)arg, len, 0, false };
	struct puller p;

	(void)res;
	(void)res_len;
	memset(&p, 0, sizeof p);
	forkjob_get(&in, &p.b, sizeof p.b);
	forkjob_get(&in, &p.push, sizeof p.push);
	p.ref = forkjob_get_str(&in);
	p.user = forkjob_get_str(&in);
	p.pass = forkjob_get_str(&in);
	if (!in.bad && nfds == 1 && p.ref) {
		if (p.push)
			push_run(&p, fds[0]);
		else
			pull_run(&p, fds[0]);
	}
	free(p.ref);
	free(p.user);
	free(p.pass);
}

/* Pulls and pushes run as jobs: their extractor and helper processes must
 * not be forked from the threaded service (lib/base/forkjob.h). */
static void puller_stream(void *arg, int fd)
{
	struct puller *p = arg;
	struct forkjob_buf a = { NULL, 0, 0, false };
	struct err e = ERR_INIT;
	char done = 0;

	forkjob_put(&a, &p->b, sizeof p->b);
	forkjob_put(&a, &p->push, sizeof p->push);
	forkjob_put_str(&a, p->ref);
	forkjob_put_str(&a, p->user);
	forkjob_put_str(&a, p->pass);
	if (forkjob_run(puller_job, a.p, a.len, &fd, 1, &done, sizeof done, &e) < 0) {
		p->j.fd = fd;
		api_jsonl_error(&p->j, e.msg ? e.msg : "the job failed");
		err_clear(&e);
	}
	free(a.p);
}

/* The stored name "name" (with tag) means, as a store lookup finds it;
 * NULL when there is no such image. */
static char *local_name(struct store *st, const char *name)
{
	_cleanup_strv_ char **cands = NULL;
	struct err e = ERR_INIT;
	char *found = NULL;

	if (ref_candidates(name, &cands, &e) < 0) {
		err_clear(&e);
		return NULL;
	}
	for (size_t i = 0; cands[i] && !found; i++) {
		struct image *img = NULL;
		if (store_image_get(st, cands[i], &img, &e) == 0) {
			for (size_t k = 0; img->names && img->names[k] && !found; k++)
				if (strcmp(img->names[k], cands[i]) == 0)
					found = xstrdup(cands[i]);
			image_free(img);
		}
		err_clear(&e);
	}
	return found;
}

enum MHD_Result api_img_push(struct api_req *r)
{
	const char *tag = api_query(r, "tag");
	_cleanup_free_ char *name = NULL;
	struct store *st;
	enum MHD_Result res;
	struct puller *p;

	if (strlen(r->arg) > 1024 || (tag && strlen(tag) > 128))
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST, "name or tag too long");
	/* no tag: docker pushes every tag; the name's own (or latest) here */
	name = tag && *tag ? xasprintf("%s:%s", r->arg, tag) : xstrdup(r->arg);
	if (open_store(r, &st, &res) < 0)
		return res;
	if (!(p = puller_new(r, &res))) {
		store_close(st);
		return res;
	}
	p->push = true;
	p->ref = local_name(st, name);
	store_close(st);
	if (!p->ref) {
		puller_free(p);
		return api_reply_error(r, MHD_HTTP_NOT_FOUND,
				       "An image does not exist locally with the tag: %s", name);
	}
	return api_reply_stream(r, MHD_HTTP_OK, "application/json", puller_stream, p, puller_free);
}

enum MHD_Result api_img_tag(struct api_req *r)
{
	const char *repo = api_query(r, "repo"), *tag = api_query(r, "tag");
	_cleanup_free_ char *name = NULL;
	struct store *st;
	struct err e = ERR_INIT;
	enum MHD_Result res;
	int rc;

	if (!repo || !*repo || strlen(repo) > 1024 || (tag && strlen(tag) > 128))
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST, "repo is required");
	name = xasprintf("%s:%s", repo, tag && *tag ? tag : "latest");
	if (open_store(r, &st, &res) < 0)
		return res;
	api_lock();
	rc = store_image_tag(st, r->arg, name, &e);
	api_unlock();
	store_close(st);
	if (rc < 0)
		return no_image(r, &e, r->arg);
	return api_reply_empty(r, MHD_HTTP_CREATED);
}

enum MHD_Result api_img_remove(struct api_req *r)
{
	bool force = api_query_bool(r, "force", false);
	_cleanup_strv_ char **untagged = NULL, **deleted = NULL;
	struct store *st;
	struct idmap m;
	struct err e = ERR_INIT;
	enum MHD_Result res;
	json_object *out;
	int rc;

	if (open_store(r, &st, &res) < 0)
		return res;
	memset(&m, 0, sizeof m);
	api_lock();
	rc = userns_lookup_cached(&m, r->b->idmap, r->b->runroot, &e);
	if (rc == 0)
		rc = store_image_remove(st, &m, r->arg, force, &untagged, &deleted, &e);
	api_unlock();
	idmap_free(&m);
	store_close(st);
	if (rc < 0) {
		if (e.status == 2 || (e.msg && strstr(e.msg, "in use"))) {
			res = api_reply_error(r, MHD_HTTP_CONFLICT, "%s", e.msg);
			err_clear(&e);
			return res;
		}
		return no_image(r, &e, r->arg);
	}
	out = json_object_new_array();
	for (size_t i = 0; untagged && untagged[i]; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "Untagged", json_object_new_string(short_name(untagged[i])));
		json_object_array_add(out, o);
	}
	for (size_t i = 0; deleted && deleted[i]; i++) {
		json_object *o = json_object_new_object();
		_cleanup_free_ char *d = strncmp(deleted[i], "sha256:", 7) == 0
						 ? xstrdup(deleted[i])
						 : xasprintf("sha256:%s", deleted[i]);
		json_object_object_add(o, "Deleted", json_object_new_string(d));
		json_object_array_add(out, o);
	}
	return api_reply_json(r, MHD_HTTP_OK, out);
}
