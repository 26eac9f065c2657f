/* containers.c - the container endpoints but create, logs, attach and
 * wait: list, inspect, start, stop, restart, kill, pause, unpause, remove,
 * rename and prune, with docker's status codes (404 unknown, 304 already
 * started or stopped, 409 a conflict). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api_int.h"
#include "lib/base/json.h"
#include "lib/base/util.h"
#include "lib/record/spec.h"
#include "lib/runtime/procs.h"

int api_ctr_load_id(const struct api_backend *b, const char *id, struct api_ctr *c, struct err *e)
{
	memset(c, 0, sizeof *c);
	ctr_state_init(&c->st);
	snprintf(c->id, sizeof c->id, "%s", id);
	if (container_read_config(b->root, id, &c->cfg, e) < 0 ||
	    container_spec_from_json(c->cfg, b->root, b->runroot, &c->spec, e) < 0 ||
	    state_refresh(c->spec.ctrdir, c->spec.rundir, &c->st, NULL, e) < 0) {
		api_ctr_free(c);
		return -1;
	}
	return 0;
}

int api_ctr_load(struct api_req *r, const char *ref, struct api_ctr *c, struct err *e)
{
	char id[65];

	memset(c, 0, sizeof *c);
	ctr_state_init(&c->st);
	if (api_ctr_lookup(r, ref, id, e) < 0)
		return -1;
	if (api_ctr_load_id(r->b, id, c, e) < 0) {
		if (e->errnum == ENOENT) {
			err_clear(e);
			err_make(e, 0, "No such container: %s", ref);
			e->errnum = ENOENT;
			return -1;
		}
		return -1;
	}
	return 0;
}

void api_ctr_free(struct api_ctr *c)
{
	json_object_put(c->cfg);
	c->cfg = NULL;
	container_spec_free(&c->spec);
	ctr_state_free(&c->st);
}

bool api_ctr_running(const struct api_ctr *c)
{
	return c->st.status == ST_RUNNING || c->st.status == ST_PAUSED;
}

int64_t api_parse_time(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
		return 0;
	return (int64_t)timegm(&tm);
}

/* ---- list ---- */

/* filters={"label":["a=b"]} (also the older {"label":{"a=b":true}}) */
struct filters {
	json_object *f;
};

static bool filter_values(json_object *f, const char *key, json_object **vals)
{
	return f && json_object_object_get_ex(f, key, vals) && *vals;
}

/* does any value of filter key accept s? (no such filter: yes) */
typedef bool filter_fn(const char *want, const void *arg);
static bool filter_any(json_object *f, const char *key, filter_fn *fn, const void *arg)
{
	json_object *vals;

	if (!filter_values(f, key, &vals))
		return true;
	if (json_object_is_type(vals, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(vals); i++)
			if (fn(json_object_get_string(json_object_array_get_idx(vals, i)), arg))
				return true;
		return json_object_array_length(vals) == 0;
	}
	json_object_object_foreach(vals, k, v) {
		(void)v;
		if (fn(k, arg))
			return true;
	}
	return json_object_object_length(vals) == 0;
}

/* label filters must all match */
static bool filter_all(json_object *f, const char *key, filter_fn *fn, const void *arg)
{
	json_object *vals;

	if (!filter_values(f, key, &vals))
		return true;
	if (json_object_is_type(vals, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(vals); i++)
			if (!fn(json_object_get_string(json_object_array_get_idx(vals, i)), arg))
				return false;
		return true;
	}
	json_object_object_foreach(vals, k, v) {
		(void)v;
		if (!fn(k, arg))
			return false;
	}
	return true;
}

static bool f_id(const char *want, const void *arg)
{
	const struct api_ctr *c = arg;
	return want && strncmp(c->id, want, strlen(want)) == 0;
}

static bool f_name(const char *want, const void *arg)
{
	const struct api_ctr *c = arg;
	if (want && *want == '/')
		want++;
	return want && c->spec.name && strstr(c->spec.name, want);
}

static const char *docker_state(const struct api_ctr *c)
{
	switch (c->st.status) {
	case ST_CREATED:
		return "created";
	case ST_RUNNING:
		return "running";
	case ST_PAUSED:
		return "paused";
	case ST_REMOVING:
		return "removing";
	case ST_EXITED:
	default:
		return "exited";
	}
}

static bool f_status(const char *want, const void *arg)
{
	return want && strcmp(docker_state(arg), want) == 0;
}

static bool f_label(const char *want, const void *arg)
{
	const struct api_ctr *c = arg;

	return want && kv_list_has(c->spec.labels, want);
}

static bool f_exited(const char *want, const void *arg)
{
	const struct api_ctr *c = arg;
	return want && c->st.status == ST_EXITED && atoi(want) == c->st.exit_code;
}

static bool f_ancestor(const char *want, const void *arg)
{
	const struct api_ctr *c = arg;
	if (!want || !*want)
		return false;
	if (c->spec.image_ref && strcmp(c->spec.image_ref, want) == 0)
		return true;
	if (strncmp(want, "sha256:", 7) == 0)
		want += 7;
	return c->spec.image_id && strncmp(c->spec.image_id, want, strlen(want)) == 0;
}

static const char *const known_filters[] = { "id", "name", "status", "label", "exited", "ancestor", NULL };

static json_object *get_path(json_object *o, const char *a, const char *b)
{
	json_object *x = NULL, *y = NULL;

	if (!json_object_object_get_ex(o, a, &x) || !x)
		return NULL;
	if (!b)
		return x;
	return json_object_object_get_ex(x, b, &y) ? y : NULL;
}

/* docker's Ports of a list entry from inspect's NetworkSettings.Ports */
static json_object *list_ports(json_object *insp)
{
	json_object *ports = get_path(insp, "NetworkSettings", "Ports"), *out = json_object_new_array();

	if (!ports || !json_object_is_type(ports, json_type_object))
		return out;
	json_object_object_foreach(ports, k, binds) {
		int priv = atoi(k);
		const char *proto = strchr(k, '/') ? strchr(k, '/') + 1 : "tcp";
		size_t n = binds && json_object_is_type(binds, json_type_array)
				   ? json_object_array_length(binds)
				   : 0;
		for (size_t i = 0; i < n || i == 0; i++) {
			json_object *p = json_object_new_object(),
				    *b = n ? json_object_array_get_idx(binds, i) : NULL;
			json_object_object_add(p, "PrivatePort", json_object_new_int(priv));
			json_object_object_add(p, "Type", json_object_new_string(proto));
			if (b) {
				json_object *ip = get_path(b, "HostIp", NULL),
					    *hp = get_path(b, "HostPort", NULL);
				const char *ips = ip ? json_object_get_string(ip) : "";
				json_object_object_add(p, "IP",
						       json_object_new_string(*ips ? ips : "0.0.0.0"));
				json_object_object_add(p, "PublicPort",
						       json_object_new_int(
							       hp ? atoi(json_object_get_string(hp)) : 0));
			}
			json_object_array_add(out, p);
		}
	}
	return out;
}

static json_object *list_entry(const struct api_ctr *c, json_object *insp, const char *status)
{
	json_object *o = json_object_new_object(), *names = json_object_new_array(), *cmd;
	json_object *hc = json_object_new_object(), *ns = json_object_new_object(), *labels;
	_cleanup_free_ char *name = xasprintf("/%s", c->spec.name ? c->spec.name : c->id);
	_cleanup_free_ char *image_id = xasprintf("sha256:%s", c->spec.image_id ? c->spec.image_id : "");
	char *command = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&command, &len);

	for (size_t i = 0; c->spec.argv && c->spec.argv[i]; i++)
		fprintf(f, "%s%s", i ? " " : "", c->spec.argv[i]);
	fclose(f);
	json_object_object_add(o, "Id", json_object_new_string(c->id));
	json_object_array_add(names, json_object_new_string(name));
	json_object_object_add(o, "Names", names);
	json_object_object_add(o, "Image",
			       json_object_new_string(c->spec.image_ref ? c->spec.image_ref : ""));
	json_object_object_add(o, "ImageID", json_object_new_string(image_id));
	json_object_object_add(o, "Command", json_object_new_string(command ? command : ""));
	free(command);
	json_object_object_add(o, "Created", json_object_new_int64(api_parse_time(c->spec.created)));
	json_object_object_add(o, "Ports", list_ports(insp));
	labels = get_path(insp, "Config", "Labels");
	json_object_object_add(o, "Labels", labels ? json_object_get(labels) : json_object_new_object());
	json_object_object_add(o, "State", json_object_new_string(docker_state(c)));
	json_object_object_add(o, "Status", json_object_new_string(status ? status : ""));
	cmd = get_path(insp, "HostConfig", "NetworkMode");
	json_object_object_add(hc, "NetworkMode",
			       json_object_new_string(cmd ? json_object_get_string(cmd) : "default"));
	json_object_object_add(o, "HostConfig", hc);
	cmd = get_path(insp, "NetworkSettings", "Networks");
	json_object_object_add(ns, "Networks", cmd ? json_object_get(cmd) : json_object_new_object());
	json_object_object_add(o, "NetworkSettings", ns);
	json_object_object_add(o, "Mounts", json_object_new_array());
	return o;
}

enum MHD_Result api_ctr_list(struct api_req *r)
{
	bool all = api_query_bool(r, "all", false);
	_cleanup_strv_ char **ids = NULL;
	json_object *f = NULL, *out;
	struct err e = ERR_INIT;
	enum MHD_Result res;
	long long limit;
	size_t n;
	bool cache;

	if (api_query_int(r, "limit", -1, 1000000, -1, &limit) < 0)
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid limit");
	if (api_filters(r, known_filters, &f, &res) < 0)
		return res;
	if (limit > 0)
		all = true;
	if (container_list(r->b->root, &ids, &e) < 0) {
		json_object_put(f);
		res = api_reply_err(r, &e);
		err_clear(&e);
		return res;
	}
	out = json_object_new_array();
	n = strv_len(ids);
	/* without filters, unchanged entries come from the last listing */
	cache = !f && r->b->status_text && api_list_cache_on();
	if (cache)
		api_list_cache_begin();
	/* newest first, as docker lists them */
	for (size_t k = n; k-- > 0;) {
		struct api_ctr c;
		struct api_lc_keys keys = { .ok = false };
		json_object *insp = NULL, *ent;
		char *status = NULL;
		bool running;
		if (limit > 0 && json_object_array_length(out) >= (size_t)limit)
			break;
		if (cache && api_list_cache_get(r->b, ids[k], &keys, &ent, &running) == 1) {
			if (all || running)
				json_object_array_add(out, ent);
			else
				json_object_put(ent);
			continue;
		}
		if (api_ctr_load_id(r->b, ids[k], &c, &e) < 0) {
			err_clear(&e); /* removed meanwhile */
			continue;
		}
		if ((!all && !api_ctr_running(&c) && !filter_values(f, "status", &insp)) ||
		    !filter_any(f, "id", f_id, &c) || !filter_any(f, "name", f_name, &c) ||
		    !filter_any(f, "status", f_status, &c) || !filter_all(f, "label", f_label, &c) ||
		    !filter_any(f, "exited", f_exited, &c) || !filter_any(f, "ancestor", f_ancestor, &c)) {
			api_ctr_free(&c);
			continue;
		}
		insp = NULL;
		api_lock();
		r->b->inspect_loaded(r->b->ctx, c.id, c.cfg, &c.spec, &c.st, &insp, &status);
		api_unlock();
		api_ctr_net_fixup(insp, c.id);
		ent = list_entry(&c, insp, status);
		if (cache)
			api_list_cache_put(c.id, &keys, &c.st, ent);
		json_object_array_add(out, ent);
		json_object_put(insp);
		free(status);
		api_ctr_free(&c);
	}
	if (cache)
		api_list_cache_end();
	json_object_put(f);
	return api_reply_json(r, MHD_HTTP_OK, out);
}

/* ---- one container ---- */

enum MHD_Result api_ctr_inspect(struct api_req *r)
{
	struct err e = ERR_INIT;
	json_object *o = NULL, *name;
	char id[65], *status = NULL;
	enum MHD_Result res;
	int rc;

	if (api_ctr_lookup(r, r->arg, id, &e) < 0)
		goto fail;
	api_lock();
	rc = r->b->inspect(r->b->ctx, id, &o, &status, &e);
	api_unlock();
	free(status);
	if (rc < 0)
		goto fail;
	/* clients (docker-py's run) read logs only from the drivers they know:
	 * the k8s-file log answers the logs endpoint as json-file's does */
	{
		json_object *hc, *lc, *t;
		if (json_object_object_get_ex(o, "HostConfig", &hc) &&
		    json_object_object_get_ex(hc, "LogConfig", &lc) &&
		    json_object_object_get_ex(lc, "Type", &t) &&
		    strcmp(json_object_get_string(t), "k8s-file") == 0)
			json_object_object_add(lc, "Type", json_object_new_string("json-file"));
	}
	api_ctr_net_fixup(o, id);
	/* docker's names begin with a slash */
	if (json_object_object_get_ex(o, "Name", &name) && json_object_is_type(name, json_type_string) &&
	    json_object_get_string(name)[0] != '/') {
		_cleanup_free_ char *n = xasprintf("/%s", json_object_get_string(name));
		json_object_object_add(o, "Name", json_object_new_string(n));
	}
	/* docker's NetworkSettings always has Networks (testcontainers reads
	 * it): a container on the default slirp4netns network is on "bridge" */
	{
		json_object *ns, *nets, *ip, *gw, *b;
		if (json_object_object_get_ex(o, "NetworkSettings", &ns) &&
		    !json_object_object_get_ex(ns, "Networks", &nets)) {
			nets = json_object_new_object();
			if (json_object_object_get_ex(ns, "IPAddress", &ip) && *json_object_get_string(ip)) {
				b = json_object_new_object();
				json_object_object_add(b, "NetworkID", json_object_new_string(""));
				json_object_object_add(b, "IPAddress", json_object_get(ip));
				if (json_object_object_get_ex(ns, "Gateway", &gw))
					json_object_object_add(b, "Gateway", json_object_get(gw));
				json_object_object_add(nets, "bridge", b);
			}
			json_object_object_add(ns, "Networks", nets);
		}
	}
	return api_reply_json(r, MHD_HTTP_OK, o);
fail:
	res = api_reply_err(r, &e);
	err_clear(&e);
	return res;
}

/* load r->arg; on failure the reply is made */
static int load(struct api_req *r, struct api_ctr *c, enum MHD_Result *res)
{
	struct err e = ERR_INIT;

	if (api_ctr_load(r, r->arg, c, &e) < 0) {
		*res = api_reply_err(r, &e);
		err_clear(&e);
		return -1;
	}
	return 0;
}

static enum MHD_Result done(struct api_req *r, int rc, struct err *e)
{
	enum MHD_Result res;

	if (rc >= 0)
		return api_reply_empty(r, MHD_HTTP_NO_CONTENT);
	res = api_reply_err(r, e);
	err_clear(e);
	return res;
}

enum MHD_Result api_ctr_start(struct api_req *r)
{
	struct api_ctr c;
	struct err e = ERR_INIT;
	enum MHD_Result res;
	int rc;

	if (load(r, &c, &res) < 0)
		return res;
	if (api_ctr_running(&c)) {
		api_ctr_free(&c);
		return api_reply_empty(r, MHD_HTTP_NOT_MODIFIED);
	}
	rc = r->b->start(r->b->ctx, c.id, &e);
	api_ctr_free(&c);
	return done(r, rc, &e);
}

static int query_signal(struct api_req *r, const char *key, int *sig, enum MHD_Result *res)
{
	const char *s = api_query(r, key);
	struct err e = ERR_INIT;

	*sig = 0;
	if (!s || !*s)
		return 0;
	*sig = parse_signal(s, &e);
	if (*sig <= 0) {
		*res = api_reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid signal: %s", s);
		err_clear(&e);
		return -1;
	}
	return 0;
}

static enum MHD_Result stop_or_restart(struct api_req *r, bool restart)
{
	struct api_ctr c;
	struct err e = ERR_INIT;
	enum MHD_Result res;
	long long t;
	int rc = 0, sig;

	if (api_query_int(r, "t", -1, 86400 * 365, -1, &t) < 0)
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid t (seconds)");
	if (query_signal(r, "signal", &sig, &res) < 0 || load(r, &c, &res) < 0)
		return res;
	if (!restart && !api_ctr_running(&c)) {
		api_ctr_free(&c);
		return api_reply_empty(r, MHD_HTTP_NOT_MODIFIED);
	}
	if (api_ctr_running(&c) || proc_alive(c.st.supervisor, c.st.supervisor_start))
		rc = r->b->stop(r->b->ctx, c.id, sig, (int)t, &e);
	if (rc == 0 && restart)
		rc = r->b->start(r->b->ctx, c.id, &e);
	api_ctr_free(&c);
	return done(r, rc, &e);
}

enum MHD_Result api_ctr_stop(struct api_req *r)
{
	return stop_or_restart(r, false);
}

enum MHD_Result api_ctr_restart(struct api_req *r)
{
	return stop_or_restart(r, true);
}

enum MHD_Result api_ctr_kill(struct api_req *r)
{
	struct api_ctr c;
	struct err e = ERR_INIT;
	enum MHD_Result res;
	int rc, sig;

	if (query_signal(r, "signal", &sig, &res) < 0 || load(r, &c, &res) < 0)
		return res;
	if (!api_ctr_running(&c)) {
		api_ctr_free(&c);
		return api_reply_error(r, MHD_HTTP_CONFLICT, "Container %s is not running", r->arg);
	}
	rc = r->b->kill(r->b->ctx, c.id, sig ? sig : SIGKILL, &e);
	api_ctr_free(&c);
	return done(r, rc, &e);
}

static enum MHD_Result pause_or_not(struct api_req *r, bool pause)
{
	struct api_ctr c;
	struct err e = ERR_INIT;
	enum MHD_Result res;
	int rc;

	if (load(r, &c, &res) < 0)
		return res;
	if (pause ? c.st.status != ST_RUNNING : c.st.status != ST_PAUSED) {
		res = api_reply_error(r, MHD_HTTP_CONFLICT, "Container %s is not %s", c.id,
				      pause ? "running" : "paused");
		api_ctr_free(&c);
		return res;
	}
	rc = r->b->pause(r->b->ctx, c.id, pause, &e);
	api_ctr_free(&c);
	return done(r, rc, &e);
}

enum MHD_Result api_ctr_pause(struct api_req *r)
{
	return pause_or_not(r, true);
}

enum MHD_Result api_ctr_unpause(struct api_req *r)
{
	return pause_or_not(r, false);
}

enum MHD_Result api_ctr_remove(struct api_req *r)
{
	bool force = api_query_bool(r, "force", false), vols = api_query_bool(r, "v", false);
	struct api_ctr c;
	struct err e = ERR_INIT;
	enum MHD_Result res;
	int rc;

	if (api_query_bool(r, "link", false))
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST, "links are not supported");
	if (load(r, &c, &res) < 0)
		return res;
	if (!force && (api_ctr_running(&c) || proc_alive(c.st.supervisor, c.st.supervisor_start))) {
		res = api_reply_error(r, MHD_HTTP_CONFLICT,
				      "You cannot remove a running container %s. Stop the container before "
				      "attempting removal or force remove",
				      c.id);
		api_ctr_free(&c);
		return res;
	}
	rc = r->b->remove(r->b->ctx, c.id, force, vols, &e);
	api_ctr_free(&c);
	return done(r, rc, &e);
}

enum MHD_Result api_ctr_rename(struct api_req *r)
{
	const char *name = api_query(r, "name");
	struct err e = ERR_INIT;
	char id[65];
	int rc;

	if (!name || !*name)
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST, "name is required");
	if (*name == '/')
		name++;
	if (api_ctr_lookup(r, r->arg, id, &e) < 0)
		return done(r, -1, &e);
	api_lock();
	rc = container_rename(r->b->root, id, name, &e);
	api_unlock();
	if (rc < 0 && e.msg && strstr(e.msg, "already")) {
		enum MHD_Result res = api_reply_error(r, MHD_HTTP_CONFLICT, "%s", e.msg);
		err_clear(&e);
		return res;
	}
	return done(r, rc, &e);
}

enum MHD_Result api_ctr_prune(struct api_req *r)
{
	_cleanup_strv_ char **ids = NULL;
	json_object *f = NULL, *deleted = json_object_new_array(), *o = json_object_new_object();
	struct err e = ERR_INIT;
	enum MHD_Result res;

	if (api_filters(r, known_filters, &f, &res) < 0) {
		json_object_put(deleted);
		json_object_put(o);
		return res;
	}
	if (container_list(r->b->root, &ids, &e) < 0)
		err_clear(&e);
	for (size_t i = 0; ids && ids[i]; i++) {
		struct api_ctr c;
		int rc;
		if (api_ctr_load_id(r->b, ids[i], &c, &e) < 0) {
			err_clear(&e);
			continue;
		}
		if (api_ctr_running(&c) || proc_alive(c.st.supervisor, c.st.supervisor_start) ||
		    !filter_all(f, "label", f_label, &c)) {
			api_ctr_free(&c);
			continue;
		}
		rc = r->b->remove(r->b->ctx, c.id, false, false, &e);
		if (rc == 0)
			json_object_array_add(deleted, json_object_new_string(c.id));
		err_clear(&e);
		api_ctr_free(&c);
	}
	json_object_put(f);
	json_object_object_add(o, "ContainersDeleted", deleted);
	json_object_object_add(o, "SpaceReclaimed", json_object_new_int(0));
	return api_reply_json(r, MHD_HTTP_OK, o);
}

/* top: the processes in the container's PID namespace, as `burrow top`
 * lists them (ps_args is not taken) */
enum MHD_Result api_ctr_top(struct api_req *r)
{
	static const char *const titles[] = { "USER", "PID", "PPID", "ELAPSED", "TIME", "COMMAND" };
	struct api_ctr c;
	enum MHD_Result res;
	struct ctr_proc *v = NULL;
	size_t n = 0;
	long hz = sysconf(_SC_CLK_TCK);
	double uptime = ctr_procs_uptime();
	json_object *o, *t, *procs;

	if (api_query(r, "ps_args") && *api_query(r, "ps_args"))
		return api_reply_error(r, MHD_HTTP_NOT_IMPLEMENTED, "ps_args are not supported yet");
	if (load(r, &c, &res) < 0)
		return res;
	if (!api_ctr_running(&c) || !proc_alive(c.st.pid, c.st.pid_start) ||
	    ctr_procs(c.st.pid, NULL, 0, &v, &n) < 0) {
		res = api_reply_error(r, MHD_HTTP_CONFLICT, "Container %s is not running", c.id);
		api_ctr_free(&c);
		return res;
	}
	api_ctr_free(&c);
	o = json_object_new_object();
	t = json_object_new_array();
	procs = json_object_new_array();
	for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
		json_object_array_add(t, json_object_new_string(titles[i]));
	for (size_t i = 0; i < n; i++) {
		json_object *row = json_object_new_array();
		long el = (long)(uptime - (double)v[i].start / (double)hz);
		long cpu = (long)(v[i].utime / (unsigned long long)hz);
		char buf[64];
		snprintf(buf, sizeof buf, "%lu", v[i].uid);
		json_object_array_add(row, json_object_new_string(buf));
		snprintf(buf, sizeof buf, "%d", v[i].nspid);
		json_object_array_add(row, json_object_new_string(buf));
		snprintf(buf, sizeof buf, "%d", ctr_proc_ppid(v, n, &v[i]));
		json_object_array_add(row, json_object_new_string(buf));
		snprintf(buf, sizeof buf, "%ldm%02lds", el / 60, el % 60);
		json_object_array_add(row, json_object_new_string(buf));
		snprintf(buf, sizeof buf, "%02ld:%02ld:%02ld", cpu / 3600, cpu / 60 % 60, cpu % 60);
		json_object_array_add(row, json_object_new_string(buf));
		json_object_array_add(row, json_object_new_string(v[i].cmd));
		json_object_array_add(procs, row);
	}
	ctr_procs_free(v, n);
	json_object_object_add(o, "Titles", t);
	json_object_object_add(o, "Processes", procs);
	return api_reply_json(r, MHD_HTTP_OK, o);
}
