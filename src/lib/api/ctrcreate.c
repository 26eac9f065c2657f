/* ctrcreate.c - POST /containers/create: docker's Config and HostConfig
 * become the arguments of `burrow create`, so the container is made by the
 * CLI's own code (the backend).  Every field's type and size is checked: a
 * client is not trusted.  Each value goes as one --opt=VALUE word, so no
 * value can turn into an option. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "lib/base/util.h"
#include "lib/net/network.h"

#define FIELD_MAX (64 * 1024) /* one string */
#define LIST_MAX 4096         /* one array or object */

struct args {
	char **v;
	const char *net; /* a network's name (NetworkMode, EndpointsConfig) */
	char why[256];   /* the first field that was wrong */
};

static void add(struct args *a, const char *opt, const char *val)
{
	char *w = xasprintf("--%s=%s", opt, val);
	strv_push(&a->v, w);
	free(w);
}

static int bad(struct args *a, const char *field, const char *what)
{
	if (!a->why[0])
		snprintf(a->why, sizeof a->why, "%s: %s", field, what);
	return -1;
}

/* a field that is absent or null is NULL; another type is an error */
static int get(struct args *a, json_object *o, const char *key, json_type t, json_object **out)
{
	json_object *v = NULL;

	*out = NULL;
	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, t))
		return bad(a, key,
			   t == json_type_string    ? "expected a string"
			   : t == json_type_boolean ? "expected a boolean"
			   : t == json_type_int     ? "expected an integer"
			   : t == json_type_array   ? "expected an array"
						    : "expected an object");
	if (t == json_type_string && json_object_get_string_len(v) > FIELD_MAX)
		return bad(a, key, "too long");
	if (t == json_type_string &&
	    memchr(json_object_get_string(v), '\0', (size_t)json_object_get_string_len(v)))
		return bad(a, key, "contains a NUL byte");
	if ((t == json_type_array && json_object_array_length(v) > LIST_MAX) ||
	    (t == json_type_object && json_object_object_length(v) > LIST_MAX))
		return bad(a, key, "too many elements");
	*out = v;
	return 0;
}

static int get_str(struct args *a, json_object *o, const char *key, const char **out)
{
	json_object *v;

	*out = NULL;
	if (get(a, o, key, json_type_string, &v) < 0)
		return -1;
	if (v)
		*out = json_object_get_string(v);
	return 0;
}

static int get_bool(struct args *a, json_object *o, const char *key, bool *out)
{
	json_object *v;

	*out = false;
	if (get(a, o, key, json_type_boolean, &v) < 0)
		return -1;
	*out = v && json_object_get_boolean(v);
	return 0;
}

static int get_int(struct args *a, json_object *o, const char *key, int64_t *out, bool *set)
{
	json_object *v;

	*set = false;
	if (get(a, o, key, json_type_int, &v) < 0)
		return -1;
	if (v) {
		*out = json_object_get_int64(v);
		*set = true;
	}
	return 0;
}

/* an array of strings (docker's strslice also takes one string) */
static int get_strv(struct args *a, json_object *o, const char *key, char ***out)
{
	json_object *v = NULL;

	*out = NULL;
	if (o && json_object_object_get_ex(o, key, &v) && v && json_object_is_type(v, json_type_string)) {
		const char *s;
		if (get_str(a, o, key, &s) < 0)
			return -1;
		strv_push(out, s);
		return 0;
	}
	if (get(a, o, key, json_type_array, &v) < 0)
		return -1;
	if (!v)
		return 0;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		json_object *s = json_object_array_get_idx(v, i);
		if (!json_object_is_type(s, json_type_string) || json_object_get_string_len(s) > FIELD_MAX ||
		    memchr(json_object_get_string(s), '\0', (size_t)json_object_get_string_len(s))) {
			strv_free(*out);
			*out = NULL;
			return bad(a, key, "expected an array of strings");
		}
		strv_push(out, json_object_get_string(s));
	}
	return 0;
}

static int add_strv(struct args *a, json_object *o, const char *key, const char *opt)
{
	char **v = NULL;

	if (get_strv(a, o, key, &v) < 0)
		return -1;
	for (size_t i = 0; v && v[i]; i++)
		add(a, opt, v[i]);
	strv_free(v);
	return 0;
}

static int add_str(struct args *a, json_object *o, const char *key, const char *opt)
{
	const char *s;

	if (get_str(a, o, key, &s) < 0)
		return -1;
	if (s && *s)
		add(a, opt, s);
	return 0;
}

/* Env: "K=V" only; a bare "K" would copy the service's own variable */
static int env(struct args *a, json_object *cfg)
{
	char **v = NULL;
	int rc = 0;

	if (get_strv(a, cfg, "Env", &v) < 0)
		return -1;
	for (size_t i = 0; v && v[i] && rc == 0; i++) {
		if (!strchr(v[i], '=') || v[i][0] == '=')
			rc = bad(a, "Env", "each entry must be KEY=VALUE");
		else
			add(a, "env", v[i]);
	}
	strv_free(v);
	return rc;
}

static int labels(struct args *a, json_object *cfg)
{
	json_object *l;

	if (get(a, cfg, "Labels", json_type_object, &l) < 0)
		return -1;
	if (!l)
		return 0;
	json_object_object_foreach(l, k, v) {
		_cleanup_free_ char *kv = NULL;
		if (!json_object_is_type(v, json_type_string) || !*k || strlen(k) > FIELD_MAX ||
		    json_object_get_string_len(v) > FIELD_MAX)
			return bad(a, "Labels", "expected an object of strings");
		kv = xasprintf("%s=%s", k, json_object_get_string(v));
		add(a, "label", kv);
	}
	return 0;
}

/* "80/tcp": [{"HostIp": "", "HostPort": "8080"}] -> -p [IP:]8080:80/tcp */
static int ports(struct args *a, json_object *hc)
{
	json_object *pb;

	if (get(a, hc, "PortBindings", json_type_object, &pb) < 0)
		return -1;
	if (!pb)
		return 0;
	json_object_object_foreach(pb, port, binds) {
		if (strlen(port) > 32 || strspn(port, "0123456789/tcpudsc") != strlen(port))
			return bad(a, "PortBindings", "expected PORT/PROTO keys");
		if (!binds || !json_object_is_type(binds, json_type_array) ||
		    json_object_array_length(binds) == 0) {
			add(a, "publish", port);
			continue;
		}
		for (size_t i = 0; i < json_object_array_length(binds) && i < LIST_MAX; i++) {
			json_object *b = json_object_array_get_idx(binds, i);
			const char *ip = NULL, *hp = NULL;
			_cleanup_free_ char *spec = NULL;
			if (!json_object_is_type(b, json_type_object) || get_str(a, b, "HostIp", &ip) < 0 ||
			    get_str(a, b, "HostPort", &hp) < 0)
				return bad(a, "PortBindings", "expected [{\"HostIp\", \"HostPort\"}]");
			if ((ip && strlen(ip) > 64) || (hp && strlen(hp) > 16))
				return bad(a, "PortBindings", "too long");
			if (ip && *ip)
				spec = xasprintf("%s:%s:%s", ip, hp ? hp : "", port);
			else if (hp && *hp)
				spec = xasprintf("%s:%s", hp, port);
			else
				spec = xstrdup(port);
			add(a, "publish", spec);
		}
	}
	return 0;
}

/* HostConfig.Mounts: [{Type, Source, Target, ReadOnly}] -> --mount */
static int mounts(struct args *a, json_object *hc)
{
	json_object *m;

	if (get(a, hc, "Mounts", json_type_array, &m) < 0)
		return -1;
	for (size_t i = 0; m && i < json_object_array_length(m); i++) {
		json_object *x = json_object_array_get_idx(m, i);
		const char *type, *src, *dst;
		bool ro;
		_cleanup_free_ char *spec = NULL;
		if (!json_object_is_type(x, json_type_object) || get_str(a, x, "Type", &type) < 0 ||
		    get_str(a, x, "Source", &src) < 0 || get_str(a, x, "Target", &dst) < 0 ||
		    get_bool(a, x, "ReadOnly", &ro) < 0)
			return bad(a, "Mounts",
				   "expected [{\"Type\", \"Source\", \"Target\", \"ReadOnly\"}]");
		if (!type || !dst || strpbrk(type, ",=") || strchr(dst, ',') || (src && strchr(src, ',')))
			return bad(a, "Mounts", "Type and Target are needed, and no value may hold a comma");
		if (strcmp(type, "tmpfs") == 0)
			spec = xasprintf("type=tmpfs,target=%s%s", dst, ro ? ",readonly" : "");
		else if (src && *src)
			spec = xasprintf("type=%s,source=%s,target=%s%s", type, src, dst,
					 ro ? ",readonly" : "");
		else
			spec = xasprintf("type=%s,target=%s%s", type, dst, ro ? ",readonly" : "");
		add(a, "mount", spec);
	}
	return 0;
}

static int restart_policy(struct args *a, json_object *hc)
{
	json_object *rp;
	const char *name;
	int64_t max = 0;
	bool set;

	if (get(a, hc, "RestartPolicy", json_type_object, &rp) < 0)
		return -1;
	if (!rp)
		return 0;
	if (get_str(a, rp, "Name", &name) < 0 || get_int(a, rp, "MaximumRetryCount", &max, &set) < 0)
		return -1;
	if (!name || !*name || strcmp(name, "no") == 0)
		return 0;
	if (strcmp(name, "always") != 0 && strcmp(name, "unless-stopped") != 0 &&
	    strcmp(name, "on-failure") != 0)
		return bad(a, "RestartPolicy", "Name must be no, always, unless-stopped or on-failure");
	if (max < 0 || max > 1000000)
		return bad(a, "RestartPolicy", "MaximumRetryCount out of range");
	if (strcmp(name, "on-failure") == 0 && max > 0) {
		_cleanup_free_ char *v = xasprintf("on-failure:%" PRId64, max);
		add(a, "restart", v);
	} else {
		add(a, "restart", name);
	}
	return 0;
}

/* NetworkMode: the default, host, none, container:X or a network's name;
 * NetworkingConfig.EndpointsConfig: one network (docker 1.41's rule) with
 * its Aliases and IPAMConfig.IPv4Address */
static int network(struct args *a, json_object *hc, json_object *body)
{
	const char *mode, *ip = NULL, *net = NULL;
	json_object *nc, *eps, *ep = NULL, *al = NULL, *ipam = NULL;

	if (get_str(a, hc, "NetworkMode", &mode) < 0)
		return -1;
	if (mode && (!*mode || strcmp(mode, "default") == 0 || strcmp(mode, "bridge") == 0))
		mode = NULL;
	if (get(a, body, "NetworkingConfig", json_type_object, &nc) < 0 ||
	    get(a, nc, "EndpointsConfig", json_type_object, &eps) < 0)
		return -1;
	if (eps && json_object_object_length(eps) > 1)
		return bad(a, "NetworkingConfig",
			   "a container is created on one network; connect it to others");
	if (eps) {
		json_object_object_foreach(eps, name, v) {
			if (strcmp(name, "bridge") != 0 && strcmp(name, "default") != 0)
				net = name;
			ep = v;
		}
	}
	if (mode && (strcmp(mode, "host") == 0 || strcmp(mode, "none") == 0 ||
		     strncmp(mode, "container:", 10) == 0)) {
		add(a, "network", mode);
		return 0;
	}
	if (mode && net && strcmp(mode, net) != 0)
		return bad(a, "NetworkingConfig", "the endpoint's network is not HostConfig.NetworkMode");
	if (mode)
		net = mode;
	if (!net)
		return 0;
	if (*net == '-')
		return bad(a, "NetworkMode", "invalid network name");
	add(a, "network", net);
	a->net = net;
	if (ep && !json_object_is_type(ep, json_type_object))
		return bad(a, "EndpointsConfig", "expected an object");
	if (get(a, ep, "Aliases", json_type_array, &al) < 0 ||
	    get(a, ep, "IPAMConfig", json_type_object, &ipam) < 0 || get_str(a, ipam, "IPv4Address", &ip) < 0)
		return -1;
	for (size_t i = 0; al && i < json_object_array_length(al); i++) {
		json_object *s = json_object_array_get_idx(al, i);
		if (!json_object_is_type(s, json_type_string) || json_object_get_string_len(s) > 253)
			return bad(a, "Aliases", "expected an array of names");
		add(a, "network-alias", json_object_get_string(s));
	}
	if (ip && *ip)
		add(a, "ip", ip);
	return 0;
}

/* Config.Healthcheck: {"Test": ["CMD-SHELL", cmd] | ["CMD", ...] |
 * ["NONE"] | [] (the image's), "Interval", "Timeout", "StartPeriod" in
 * nanoseconds, "Retries"} */
static int healthcheck(struct args *a, json_object *cfg)
{
	static const char *const dur[][2] = { { "Interval", "health-interval" },
					      { "Timeout", "health-timeout" },
					      { "StartPeriod", "health-start-period" } };
	json_object *h;
	char **test = NULL;
	int64_t n;
	bool set;

	if (get(a, cfg, "Healthcheck", json_type_object, &h) < 0)
		return -1;
	if (!h)
		return 0;
	if (get_strv(a, h, "Test", &test) < 0)
		return -1;
	if (test && test[0] && strcmp(test[0], "NONE") == 0) {
		strv_push(&a->v, "--no-healthcheck");
	} else if (test && test[0] && strcmp(test[0], "CMD-SHELL") == 0) {
		if (!test[1] || test[2] || !*test[1]) {
			strv_free(test);
			return bad(a, "Healthcheck", "CMD-SHELL takes one command");
		}
		if (test[1][0] == '[') {
			/* a shell command that looks like JSON stays a shell command */
			json_object *arr = json_object_new_array();
			json_object_array_add(arr, json_object_new_string("/bin/sh"));
			json_object_array_add(arr, json_object_new_string("-c"));
			json_object_array_add(arr, json_object_new_string(test[1]));
			add(a, "health-cmd", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN));
			json_object_put(arr);
		} else {
			add(a, "health-cmd", test[1]);
		}
	} else if (test && test[0] && strcmp(test[0], "CMD") == 0) {
		json_object *arr = json_object_new_array();
		for (size_t i = 1; test[i]; i++)
			json_object_array_add(arr, json_object_new_string(test[i]));
		if (json_object_array_length(arr) == 0) {
			json_object_put(arr);
			strv_free(test);
			return bad(a, "Healthcheck", "CMD needs a command");
		}
		add(a, "health-cmd", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN));
		json_object_put(arr);
	} else if (test && test[0]) {
		strv_free(test);
		return bad(a, "Healthcheck", "Test must start with NONE, CMD or CMD-SHELL");
	}
	strv_free(test);
	for (size_t i = 0; i < sizeof dur / sizeof dur[0]; i++) {
		if (get_int(a, h, dur[i][0], &n, &set) < 0)
			return -1;
		if (set && (n < 0 || n > INT64_C(86400000000000) * 365))
			return bad(a, dur[i][0], "out of range");
		if (set && n > 0) {
			/* docker's nanoseconds; burrow keeps milliseconds (at least 1) */
			_cleanup_free_ char *v = xasprintf("%" PRId64 "ms", n < 1000000 ? 1 : n / 1000000);
			add(a, dur[i][1], v);
		}
	}
	if (get_int(a, h, "Retries", &n, &set) < 0)
		return -1;
	if (set && (n < 0 || n > 1000))
		return bad(a, "Retries", "out of range");
	if (set && n > 0) {
		_cleanup_free_ char *v = xasprintf("%" PRId64, n);
		add(a, "health-retries", v);
	}
	return 0;
}

static int host_config(struct args *a, json_object *hc)
{
	bool b;
	int64_t n;
	bool set;
	json_object *tmpfs;

	if (add_strv(a, hc, "Binds", "volume") < 0 || ports(a, hc) < 0 || mounts(a, hc) < 0 ||
	    restart_policy(a, hc) < 0 || add_strv(a, hc, "CapAdd", "cap-add") < 0 ||
	    add_strv(a, hc, "CapDrop", "cap-drop") < 0 || add_strv(a, hc, "Dns", "dns") < 0 ||
	    add_strv(a, hc, "DnsSearch", "dns-search") < 0 ||
	    add_strv(a, hc, "DnsOptions", "dns-option") < 0 ||
	    add_strv(a, hc, "ExtraHosts", "add-host") < 0 ||
	    add_strv(a, hc, "SecurityOpt", "security-opt") < 0 ||
	    add_strv(a, hc, "GroupAdd", "group-add") < 0)
		return -1;
	if (get_bool(a, hc, "AutoRemove", &b) < 0)
		return -1;
	if (b)
		strv_push(&a->v, "--rm");
	if (get_bool(a, hc, "PublishAllPorts", &b) < 0)
		return -1;
	if (b)
		strv_push(&a->v, "--publish-all");
	if (get_bool(a, hc, "ReadonlyRootfs", &b) < 0)
		return -1;
	if (b)
		strv_push(&a->v, "--read-only");
	if (get_bool(a, hc, "Init", &b) < 0)
		return -1;
	if (b)
		strv_push(&a->v, "--init");
	if (get_bool(a, hc, "Privileged", &b) < 0)
		return -1;
	if (b)
		return bad(a, "Privileged", "not supported by a rootless runtime");
	if (get_int(a, hc, "Memory", &n, &set) < 0)
		return -1;
	if (set && n > 0) {
		_cleanup_free_ char *v = xasprintf("%" PRId64, n);
		add(a, "memory", v);
	}
	if (get_int(a, hc, "NanoCpus", &n, &set) < 0)
		return -1;
	if (set && n > 0) {
		_cleanup_free_ char *v = xasprintf("%" PRId64 ".%09" PRId64, n / 1000000000, n % 1000000000);
		add(a, "cpus", v);
	}
	if (get_int(a, hc, "PidsLimit", &n, &set) < 0)
		return -1;
	if (set && n > 0) {
		_cleanup_free_ char *v = xasprintf("%" PRId64, n);
		add(a, "pids-limit", v);
	}
	if (get_int(a, hc, "ShmSize", &n, &set) < 0)
		return -1;
	if (set && n > 0) {
		_cleanup_free_ char *v = xasprintf("%" PRId64, n);
		add(a, "shm-size", v);
	}
	if (get(a, hc, "Tmpfs", json_type_object, &tmpfs) < 0)
		return -1;
	if (tmpfs) {
		json_object_object_foreach(tmpfs, path, opts) {
			_cleanup_free_ char *v = NULL;
			if (!json_object_is_type(opts, json_type_string) || strlen(path) > FIELD_MAX ||
			    json_object_get_string_len(opts) > FIELD_MAX)
				return bad(a, "Tmpfs", "expected an object of strings");
			v = *json_object_get_string(opts)
				    ? xasprintf("%s:%s", path, json_object_get_string(opts))
				    : xstrdup(path);
			add(a, "tmpfs", v);
		}
	}
	return 0;
}

static int config(struct args *a, json_object *body, const char *name, const char **image, char ***cmd)
{
	json_object *hc, *ep;
	bool b;
	int64_t n;
	bool set;

	strv_push(&a->v, "create");
	/* docker's create never pulls: a missing image is a 404 and the
	 * client pulls */
	add(a, "pull", "never");
	if (name)
		add(a, "name", name);
	if (get_str(a, body, "Image", image) < 0)
		return -1;
	if (!*image || !**image)
		return bad(a, "Image", "required");
	if (**image == '-')
		return bad(a, "Image", "invalid reference");
	if (env(a, body) < 0 || labels(a, body) < 0 || healthcheck(a, body) < 0 ||
	    add_str(a, body, "WorkingDir", "workdir") < 0 || add_str(a, body, "User", "user") < 0 ||
	    add_str(a, body, "Hostname", "hostname") < 0 || add_str(a, body, "StopSignal", "stop-signal") < 0)
		return -1;
	if (get_bool(a, body, "Tty", &b) < 0)
		return -1;
	if (b)
		strv_push(&a->v, "--tty");
	if (get_bool(a, body, "OpenStdin", &b) < 0)
		return -1;
	if (b)
		strv_push(&a->v, "--interactive");
	if (get_int(a, body, "StopTimeout", &n, &set) < 0)
		return -1;
	if (set) {
		_cleanup_free_ char *v = xasprintf("%" PRId64, n);
		add(a, "stop-timeout", v);
	}
	/* Entrypoint: a JSON array for --entrypoint; [] or "" clears it */
	if (get(a, body, "Entrypoint", json_type_array, &ep) < 0) {
		const char *s;
		a->why[0] = '\0';
		if (get_str(a, body, "Entrypoint", &s) < 0)
			return bad(a, "Entrypoint", "expected an array of strings");
		if (s)
			add(a, "entrypoint", s);
	} else if (ep) {
		char **v = NULL;
		if (get_strv(a, body, "Entrypoint", &v) < 0)
			return -1;
		strv_free(v);
		add(a, "entrypoint", json_object_to_json_string_ext(ep, JSON_C_TO_STRING_PLAIN));
	}
	if (get_strv(a, body, "Cmd", cmd) < 0)
		return -1;
	if (get(a, body, "HostConfig", json_type_object, &hc) < 0)
		return -1;
	return hc ? host_config(a, hc) : 0;
}

enum MHD_Result api_ctr_create(struct api_req *r)
{
	json_object *body = NULL;
	struct args a = { NULL, NULL, "" };
	const char *name = api_query(r, "name"), *image = NULL;
	char **cmd = NULL;
	struct err e = ERR_INIT;
	enum MHD_Result res;
	char id[65];
	int rc;

	if (api_body_json(r, &body, &res) < 0)
		return res;
	if (name && (!*name || strlen(name) > 253)) {
		json_object_put(body);
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST, "Invalid container name (%s)", name);
	}
	if (name && *name == '/')
		name++;
	if (config(&a, body, name, &image, &cmd) < 0 ||
	    network(&a, json_object_object_get(body, "HostConfig"), body) < 0) {
		res = api_reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid container configuration: %s", a.why);
		goto out;
	}
	if (a.net) {
		/* docker's 404 for a network that is not there (not the image's) */
		struct network n;
		if (network_get(r->b->root, a.net, &n, &e) < 0) {
			res = e.errnum == ENOENT
				      ? api_reply_error(r, MHD_HTTP_NOT_FOUND, "network %s not found", a.net)
				      : api_reply_err(r, &e);
			err_clear(&e);
			goto out;
		}
		network_free(&n);
	}
	strv_push(&a.v, "--");
	strv_push(&a.v, image);
	for (size_t i = 0; cmd && cmd[i]; i++)
		strv_push(&a.v, cmd[i]);
	rc = r->b->create(r->b->ctx, (int)strv_len(a.v), a.v, id, &e);
	if (rc < 0) {
		/* docker: an image the store lacks is a 404 the client answers
		 * with a pull (run does) */
		if (e.msg && (strstr(e.msg, "not found") || strstr(e.msg, "no image") ||
			      strstr(e.msg, "No such image")))
			res = api_reply_error(r, MHD_HTTP_NOT_FOUND, "No such image: %s", image);
		else
			res = api_reply_err(r, &e);
		err_clear(&e);
	} else {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "Id", json_object_new_string(id));
		json_object_object_add(o, "Warnings", json_object_new_array());
		res = api_reply_json(r, MHD_HTTP_CREATED, o);
	}
out:
	strv_free(cmd);
	strv_free(a.v);
	json_object_put(body);
	return res;
}
