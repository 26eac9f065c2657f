/* networks.c - the network endpoints: list, create, inspect, remove,
 * connect, disconnect and prune over the network records
 * (lib/net/network.h), in docker's shapes: 404 for a network that does not
 * exist, 409 for a name in use, 403 for the default network's removal and
 * for a network that still has containers.  Connect and disconnect are
 * the CLI's own verbs (the backend).  Also the networks' part of a
 * container's inspect (api_ctr_net_fixup). */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_int.h"
#include "lib/base/forkjob.h"
#include "lib/base/json.h"
#include "lib/base/log.h"
#include "lib/base/util.h"
#include "lib/net/network.h"
#include "lib/record/container.h"
#include "lib/record/events.h"
#include "lib/record/netspec.h"
#include "lib/runtime/netns.h"

/* docker's predefined networks: burrow has "bridge"; host and none are
 * network modes, refused the same way */
static bool predefined(const char *name)
{
	return strcmp(name, NETWORK_DEFAULT) == 0 || strcmp(name, "host") == 0 || strcmp(name, "none") == 0;
}

static json_object *kv_labels(char *const *kv)
{
	json_object *o = json_object_new_object();

	for (size_t i = 0; kv && kv[i]; i++) {
		const char *eq = strchr(kv[i], '=');
		_cleanup_free_ char *k = eq ? xstrndup(kv[i], (size_t)(eq - kv[i])) : xstrdup(kv[i]);
		json_object_object_add(o, k, json_object_new_string(eq ? eq + 1 : ""));
	}
	return o;
}

/* the containers on n: {ID: {Name, EndpointID, MacAddress, IPv4Address,
 * IPv6Address}} */
static json_object *members_json(const struct api_backend *b, const struct network *n)
{
	json_object *all = json_object_new_object();
	_cleanup_strv_ char **ids = NULL;
	struct err e = ERR_INIT;

	if (network_members(b->root, n->name, &ids, &e) < 0)
		err_clear(&e);
	for (size_t i = 0; ids && ids[i]; i++) {
		json_object *j = NULL, *v, *m;
		struct net_attach *at = NULL;
		size_t nat = 0;

		if (container_read_config(b->root, ids[i], &j, &e) < 0) {
			err_clear(&e);
			continue;
		}
		m = json_object_new_object();
		json_object_object_add(m, "Name",
				       json_object_new_string(json_object_object_get_ex(j, "name", &v)
								      ? json_object_get_string(v)
								      : ""));
		json_object_object_add(m, "EndpointID", json_object_new_string(ids[i]));
		if (json_object_object_get_ex(j, "networks", &v) &&
		    net_attaches_from_json(v, &at, &nat, &e) < 0)
			err_clear(&e);
		for (size_t k = 0; k < nat; k++) {
			char mac[18];
			_cleanup_free_ char *cidr = NULL;
			if (strcmp(at[k].network, n->name) != 0)
				continue;
			net_mac_of(at[k].ip, mac);
			cidr = xasprintf("%s/%u", at[k].ip, n->bits);
			json_object_object_add(m, "MacAddress", json_object_new_string(mac));
			json_object_object_add(m, "IPv4Address", json_object_new_string(cidr));
		}
		json_object_object_add(m, "IPv6Address", json_object_new_string(""));
		net_attaches_free(at, nat);
		json_object_put(j);
		json_object_object_add(all, ids[i], m);
	}
	return all;
}

/* docker's network object; with_members: Containers filled (inspect) */
static json_object *net_json(const struct api_backend *b, const struct network *n, bool with_members)
{
	json_object *o = json_object_new_object(), *ipam = json_object_new_object(),
		    *cfgs = json_object_new_array(), *cfg = json_object_new_object(),
		    *from = json_object_new_object();
	char a[16], cidr[24];

	net_ipv4_str(n->subnet, a);
	snprintf(cidr, sizeof cidr, "%s/%u", a, n->bits);
	json_object_object_add(cfg, "Subnet", json_object_new_string(cidr));
	net_ipv4_str(n->gateway, a);
	json_object_object_add(cfg, "Gateway", json_object_new_string(a));
	json_object_array_add(cfgs, cfg);
	json_object_object_add(ipam, "Driver", json_object_new_string("default"));
	json_object_object_add(ipam, "Options", NULL);
	json_object_object_add(ipam, "Config", cfgs);
	json_object_object_add(o, "Name", json_object_new_string(n->name));
	json_object_object_add(o, "Id", json_object_new_string(n->id));
	json_object_object_add(o, "Created", json_object_new_string(n->created ? n->created : ""));
	json_object_object_add(o, "Scope", json_object_new_string("local"));
	json_object_object_add(o, "Driver", json_object_new_string(n->driver ? n->driver : "bridge"));
	json_object_object_add(o, "EnableIPv6", json_object_new_boolean(false));
	json_object_object_add(o, "IPAM", ipam);
	json_object_object_add(o, "Internal", json_object_new_boolean(n->internal));
	json_object_object_add(o, "Attachable", json_object_new_boolean(false));
	json_object_object_add(o, "Ingress", json_object_new_boolean(false));
	json_object_object_add(from, "Network", json_object_new_string(""));
	json_object_object_add(o, "ConfigFrom", from);
	json_object_object_add(o, "ConfigOnly", json_object_new_boolean(false));
	json_object_object_add(o, "Containers", with_members ? members_json(b, n) : json_object_new_object());
	json_object_object_add(o, "Options", json_object_new_object());
	json_object_object_add(o, "Labels", kv_labels(n->labels));
	return o;
}

static enum MHD_Result net_err(struct api_req *r, struct err *e, const char *ref)
{
	enum MHD_Result res;

	if (e->errnum == ENOENT)
		res = api_reply_error(r, MHD_HTTP_NOT_FOUND, "network %s not found", ref);
	else
		res = api_reply_err(r, e);
	err_clear(e);
	return res;
}

static void net_event(const struct api_backend *b, const char *status, const struct network *n)
{
	struct event ev = { .type = "network",
			    .status = status,
			    .id = n->id,
			    .name = n->name,
			    .exit_code = -1 };

	events_write(b->runroot, &ev);
}

/* ---- list and prune: docker's filters ---- */

struct net_ctx {
	const struct api_backend *b;
	const struct network *n;
};

static bool one_matches(const char *key, const char *v, const void *arg)
{
	const struct api_backend *b = ((const struct net_ctx *)arg)->b;
	const struct network *n = ((const struct net_ctx *)arg)->n;

	if (strcmp(key, "name") == 0) {
		regex_t re;
		bool m;
		if (regcomp(&re, v, REG_EXTENDED | REG_NOSUB) != 0)
			return strstr(n->name, v) != NULL;
		m = regexec(&re, n->name, 0, NULL, 0) == 0;
		regfree(&re);
		return m;
	}
	if (strcmp(key, "id") == 0)
		return strncmp(n->id, v, strlen(v)) == 0;
	if (strcmp(key, "label") == 0)
		return kv_list_has(n->labels, v);
	if (strcmp(key, "label!") == 0)
		return !kv_list_has(n->labels, v);
	if (strcmp(key, "driver") == 0)
		return strcmp(n->driver ? n->driver : "bridge", v) == 0;
	if (strcmp(key, "type") == 0)
		return strcmp(v, n->builtin ? "builtin" : "custom") == 0;
	if (strcmp(key, "scope") == 0)
		return strcmp(v, "local") == 0;
	if (strcmp(key, "dangling") == 0) {
		_cleanup_strv_ char **ids = NULL;
		struct err e = ERR_INIT;
		bool dangling, want = strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
		if (network_members(b->root, n->name, &ids, &e) < 0)
			err_clear(&e);
		dangling = !n->builtin && (!ids || !ids[0]);
		return dangling == want;
	}
	if (strcmp(key, "until") == 0) {
		int64_t when = strtoll(v, NULL, 10);
		return when <= 0 || api_parse_time(n->created) < when;
	}
	return false;
}

static bool net_matches(const struct api_backend *b, const struct network *n, json_object *f)
{
	struct net_ctx c = { b, n };

	return api_filters_match(f, one_matches, &c);
}

enum MHD_Result api_net_list(struct api_req *r)
{
	static const char *const keys[] = { "name", "id",    "label",    "label!", "driver",
					    "type", "scope", "dangling", NULL };
	struct network *v = NULL;
	size_t n = 0;
	json_object *f, *a;
	struct err e = ERR_INIT;
	enum MHD_Result res;

	if (api_filters(r, keys, &f, &res) < 0)
		return res;
	if (network_list(r->b->root, &v, &n, &e) < 0) {
		json_object_put(f);
		res = api_reply_err(r, &e);
		err_clear(&e);
		return res;
	}
	a = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		if (net_matches(r->b, &v[i], f))
			json_object_array_add(a, net_json(r->b, &v[i], false));
	networks_free(v, n);
	json_object_put(f);
	return api_reply_json(r, MHD_HTTP_OK, a);
}

enum MHD_Result api_net_inspect(struct api_req *r)
{
	struct network n;
	struct err e = ERR_INIT;
	json_object *o;

	if (network_get(r->b->root, r->arg, &n, &e) < 0)
		return net_err(r, &e, r->arg);
	o = net_json(r->b, &n, true);
	network_free(&n);
	return api_reply_json(r, MHD_HTTP_OK, o);
}

/* IPAM: {"Driver", "Config": [{"Subnet", "Gateway", "IPRange"}]}, one
 * subnet at most */
static const char *ipam_opts(json_object *body, struct network_create_opts *o)
{
	json_object *ipam, *cfg, *c, *v;

	if (!json_object_object_get_ex(body, "IPAM", &ipam) || !ipam)
		return NULL;
	if (!json_object_is_type(ipam, json_type_object))
		return "IPAM: expected an object";
	if (json_object_object_get_ex(ipam, "Driver", &v) && v &&
	    (!json_object_is_type(v, json_type_string) ||
	     (*json_object_get_string(v) && strcmp(json_object_get_string(v), "default") != 0)))
		return "IPAM: only the default driver is supported";
	if (!json_object_object_get_ex(ipam, "Config", &cfg) || !cfg)
		return NULL;
	if (!json_object_is_type(cfg, json_type_array))
		return "IPAM.Config: expected an array";
	if (json_object_array_length(cfg) > 1)
		return "IPAM.Config: one subnet per network";
	if (json_object_array_length(cfg) == 0)
		return NULL;
	c = json_object_array_get_idx(cfg, 0);
	if (!json_object_is_type(c, json_type_object))
		return "IPAM.Config: expected objects";
	json_object_object_foreach(c, k, val) {
		if (!val || (json_object_is_type(val, json_type_string) && !*json_object_get_string(val)))
			continue;
		if (!json_object_is_type(val, json_type_string) && strcmp(k, "AuxiliaryAddresses") != 0)
			return "IPAM.Config: expected strings";
		if (strcmp(k, "Subnet") == 0)
			o->subnet = json_object_get_string(val);
		else if (strcmp(k, "Gateway") == 0)
			o->gateway = json_object_get_string(val);
		else if (strcmp(k, "IPRange") == 0 || strcmp(k, "AuxiliaryAddresses") == 0)
			return "IPAM.Config: IPRange and AuxiliaryAddresses are not supported";
	}
	if (o->gateway && !o->subnet)
		return "IPAM.Config: a Gateway needs a Subnet";
	return NULL;
}

enum MHD_Result api_net_create(struct api_req *r)
{
	json_object *body, *v, *reply;
	_cleanup_strv_ char **labels = NULL;
	struct network_create_opts o;
	const char *why = NULL;
	struct network n;
	struct err e = ERR_INIT;
	enum MHD_Result res;
	int lfd, rc;

	memset(&o, 0, sizeof o);
	if (api_body_json(r, &body, &res) < 0)
		return res;
	if (!json_object_object_get_ex(body, "Name", &v) || !json_object_is_type(v, json_type_string) ||
	    !*json_object_get_string(v))
		why = "Name: required";
	else
		o.name = json_object_get_string(v);
	if (!why && json_object_object_get_ex(body, "Driver", &v) && v) {
		if (!json_object_is_type(v, json_type_string))
			why = "Driver: expected a string";
		else if (*json_object_get_string(v) && strcmp(json_object_get_string(v), "bridge") != 0) {
			res = api_reply_error(r, MHD_HTTP_NOT_FOUND, "plugin \"%s\" not found",
					      json_object_get_string(v));
			json_object_put(body);
			return res;
		}
	}
	if (!why && json_object_object_get_ex(body, "Internal", &v) && v) {
		if (!json_object_is_type(v, json_type_boolean))
			why = "Internal: expected a boolean";
		o.internal = json_object_get_boolean(v);
	}
	if (!why && json_object_object_get_ex(body, "EnableIPv6", &v) && v && json_object_get_boolean(v))
		why = "EnableIPv6: IPv6 networks are not supported";
	if (!why && json_object_object_get_ex(body, "Options", &v) && v &&
	    (!json_object_is_type(v, json_type_object) || json_object_object_length(v) > 0))
		why = "Options: the bridge driver takes none";
	if (!why && json_object_object_get_ex(body, "Labels", &v) && v) {
		if (!json_object_is_type(v, json_type_object)) {
			why = "Labels: expected an object of strings";
		} else {
			json_object_object_foreach(v, k, val) {
				_cleanup_free_ char *kv = NULL;
				if (!json_object_is_type(val, json_type_string) || strlen(k) > 4096 ||
				    json_object_get_string_len(val) > 65536) {
					why = "Labels: expected an object of strings";
					break;
				}
				kv = xasprintf("%s=%s", k, json_object_get_string(val));
				strv_push(&labels, kv);
			}
		}
	}
	if (!why)
		why = ipam_opts(body, &o);
	if (why) {
		json_object_put(body);
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid network: %s", why);
	}
	if (predefined(o.name)) {
		res = api_reply_error(r, MHD_HTTP_FORBIDDEN,
				      "operation is not permitted on predefined %s network ", o.name);
		json_object_put(body);
		return res;
	}
	o.labels = labels;
	api_lock();
	lfd = network_lock(r->b->root, &e);
	rc = lfd < 0 ? -1 : network_create(r->b->root, &o, &n, &e);
	if (lfd >= 0)
		close(lfd);
	api_unlock();
	if (rc < 0) {
		if (e.errnum == EEXIST)
			res = api_reply_error(r, MHD_HTTP_CONFLICT, "network with name %s already exists",
					      o.name);
		else
			res = api_reply_error(r, MHD_HTTP_BAD_REQUEST, "%s",
					      e.msg ? e.msg : "invalid network");
		err_clear(&e);
		json_object_put(body);
		return res;
	}
	json_object_put(body);
	net_event(r->b, "create", &n);
	reply = json_object_new_object();
	json_object_object_add(reply, "Id", json_object_new_string(n.id));
	json_object_object_add(reply, "Warning", json_object_new_string(""));
	network_free(&n);
	return api_reply_json(r, MHD_HTTP_CREATED, reply);
}

/* in a job of its own: netns_drop_network forks, which the threaded
 * service must not do itself */
static void drop_job(const void *arg, size_t len, const int *fds, size_t nfds, void *res, size_t res_len)
{
	struct forkjob_buf b = { (char *)arg, len, 0, false };
	struct network n;
	struct err e = ERR_INIT;
	char *runroot = forkjob_get_str(&b);

	(void)fds;
	(void)nfds;
	(void)res;
	(void)res_len;
	memset(&n, 0, sizeof n);
	n.name = forkjob_get_str(&b);
	n.iface = forkjob_get_str(&b);
	forkjob_get(&b, &n.subnet, sizeof n.subnet);
	forkjob_get(&b, &n.bits, sizeof n.bits);
	if (!b.bad && runroot && n.name && n.iface && netns_drop_network(runroot, &n, &e) < 0)
		log_warn("%s", e.msg);
	err_clear(&e);
	free(runroot);
	free(n.name);
	free(n.iface);
}

/* the removed network's bridge and routing go from a live namespace */
static void drop_bridge(const struct api_backend *b, const struct network *n)
{
	struct forkjob_buf arg = { NULL, 0, 0, false };
	struct err e = ERR_INIT;
	char res = 0;

	forkjob_put_str(&arg, b->runroot);
	forkjob_put_str(&arg, n->name);
	forkjob_put_str(&arg, n->iface);
	forkjob_put(&arg, &n->subnet, sizeof n->subnet);
	forkjob_put(&arg, &n->bits, sizeof n->bits);
	if (forkjob_run(drop_job, arg.p, arg.len, NULL, 0, &res, sizeof res, &e) < 0)
		log_warn("removing the bridge of network %s: %s", n->name, e.msg);
	err_clear(&e);
	free(arg.p);
}

/* remove n unless it is predefined or has containers (403 both, as
 * docker's); the caller holds the locks */
static int remove_one(const struct api_backend *b, const struct network *n, unsigned *status, struct err *e)
{
	_cleanup_strv_ char **ids = NULL;

	*status = MHD_HTTP_FORBIDDEN;
	if (n->builtin || predefined(n->name))
		return err_make(e, EPERM, "%s is a pre-defined network and cannot be removed", n->name);
	if (network_members(b->root, n->name, &ids, e) < 0) {
		*status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		return -1;
	}
	if (ids[0])
		return err_make(e, EBUSY,
				"error while removing network: network %s id %s has active endpoints",
				n->name, n->id);
	*status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	if (network_remove(b->root, n->name, e) < 0)
		return -1;
	drop_bridge(b, n);
	net_event(b, "remove", n);
	return 0;
}

enum MHD_Result api_net_remove(struct api_req *r)
{
	struct network n;
	struct err e = ERR_INIT;
	enum MHD_Result res;
	unsigned status = 0;
	int lfd, rc;

	if (network_get(r->b->root, r->arg, &n, &e) < 0)
		return net_err(r, &e, r->arg);
	api_lock();
	lfd = network_lock(r->b->root, &e);
	rc = lfd < 0 ? -1 : remove_one(r->b, &n, &status, &e);
	if (lfd >= 0)
		close(lfd);
	api_unlock();
	network_free(&n);
	if (rc < 0) {
		res = api_reply_error(r, status ? status : MHD_HTTP_INTERNAL_SERVER_ERROR, "%s",
				      e.msg ? e.msg : "error");
		err_clear(&e);
		return res;
	}
	return api_reply_empty(r, MHD_HTTP_NO_CONTENT);
}

enum MHD_Result api_net_prune(struct api_req *r)
{
	static const char *const keys[] = { "label", "label!", "until", NULL };
	struct network *v = NULL;
	size_t n = 0;
	json_object *f, *o, *a;
	struct err e = ERR_INIT;
	enum MHD_Result res;
	int lfd;

	if (api_filters(r, keys, &f, &res) < 0)
		return res;
	a = json_object_new_array();
	api_lock();
	lfd = network_lock(r->b->root, &e);
	if (lfd >= 0 && network_list(r->b->root, &v, &n, &e) == 0) {
		for (size_t i = 0; i < n; i++) {
			unsigned status;
			if (v[i].builtin || !net_matches(r->b, &v[i], f))
				continue;
			if (remove_one(r->b, &v[i], &status, &e) == 0)
				json_object_array_add(a, json_object_new_string(v[i].name));
			err_clear(&e);
		}
	}
	err_clear(&e);
	if (lfd >= 0)
		close(lfd);
	api_unlock();
	networks_free(v, n);
	json_object_put(f);
	o = json_object_new_object();
	json_object_object_add(o, "NetworksDeleted", a);
	return api_reply_json(r, MHD_HTTP_OK, o);
}

/* ---- connect and disconnect: {"Container", "EndpointConfig": {"Aliases",
 * "IPAMConfig": {"IPv4Address"}}} / {"Container", "Force"} ---- */

static enum MHD_Result connect_or_not(struct api_req *r, bool connect)
{
	json_object *body, *v, *ep = NULL, *al = NULL, *ipam = NULL;
	_cleanup_strv_ char **aliases = NULL;
	const char *ctr = NULL, *ip = NULL, *why = NULL;
	struct network n;
	struct err e = ERR_INIT;
	enum MHD_Result res;
	char id[65];
	int rc;

	if (api_body_json(r, &body, &res) < 0)
		return res;
	if (!json_object_object_get_ex(body, "Container", &v) || !json_object_is_type(v, json_type_string) ||
	    !*json_object_get_string(v))
		why = "Container: required";
	else
		ctr = json_object_get_string(v);
	if (!why && connect && json_object_object_get_ex(body, "EndpointConfig", &ep) && ep) {
		if (!json_object_is_type(ep, json_type_object))
			why = "EndpointConfig: expected an object";
		else if (json_object_object_get_ex(ep, "Aliases", &al) && al) {
			if (!json_object_is_type(al, json_type_array) || json_object_array_length(al) > 64)
				why = "EndpointConfig.Aliases: expected an array of strings";
			for (size_t i = 0; !why && i < json_object_array_length(al); i++) {
				json_object *s = json_object_array_get_idx(al, i);
				if (!json_object_is_type(s, json_type_string))
					why = "EndpointConfig.Aliases: expected an array of strings";
				/* docker's own alias, the short ID, is there anyway */
				else if (strcmp(json_object_get_string(s), ctr) != 0)
					strv_push(&aliases, json_object_get_string(s));
			}
		}
		if (!why && json_object_object_get_ex(ep, "IPAMConfig", &ipam) && ipam &&
		    json_object_is_type(ipam, json_type_object) &&
		    json_object_object_get_ex(ipam, "IPv4Address", &v) && v) {
			if (!json_object_is_type(v, json_type_string))
				why = "EndpointConfig.IPAMConfig.IPv4Address: expected a string";
			else if (*json_object_get_string(v))
				ip = json_object_get_string(v);
		}
	}
	if (why) {
		json_object_put(body);
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid request: %s", why);
	}
	if (network_get(r->b->root, r->arg, &n, &e) < 0) {
		json_object_put(body);
		return net_err(r, &e, r->arg);
	}
	if (api_ctr_lookup(r, ctr, id, &e) < 0) {
		network_free(&n);
		json_object_put(body);
		res = api_reply_err(r, &e);
		err_clear(&e);
		return res;
	}
	/* short IDs given as aliases (docker-compose does) are answered anyway */
	for (size_t i = 0; aliases && aliases[i]; i++)
		if (strlen(aliases[i]) >= 12 && strncmp(id, aliases[i], strlen(aliases[i])) == 0) {
			free(aliases[i]);
			memmove(&aliases[i], &aliases[i + 1],
				(strv_len(aliases + i + 1) + 1) * sizeof *aliases);
			i--;
		}
	rc = connect ? r->b->net_connect(r->b->ctx, n.name, id, aliases, ip, &e)
		     : r->b->net_disconnect(r->b->ctx, n.name, id, &e);
	network_free(&n);
	json_object_put(body);
	if (rc < 0) {
		unsigned status = api_err_status(&e);
		if (e.errnum == EEXIST || e.errnum == EINVAL || e.errnum == EBUSY)
			status = MHD_HTTP_FORBIDDEN;
		res = api_reply_error(r, status, "%s", e.msg ? e.msg : "error");
		err_clear(&e);
		return res;
	}
	return api_reply_empty(r, MHD_HTTP_OK);
}

enum MHD_Result api_net_connect(struct api_req *r)
{
	return connect_or_not(r, true);
}

enum MHD_Result api_net_disconnect(struct api_req *r)
{
	return connect_or_not(r, false);
}

/* ---- a container's inspect: docker's fields of NetworkSettings.Networks,
 * the short ID among the aliases (docker adds it, and docker-compose
 * checks for it), and the network's name as HostConfig.NetworkMode ---- */
void api_ctr_net_fixup(json_object *insp, const char *id)
{
	json_object *ns, *nets, *hc, *mode;
	const char *first = NULL;
	char shortid[13];

	snprintf(shortid, sizeof shortid, "%.12s", id);
	if (!json_object_object_get_ex(insp, "NetworkSettings", &ns) || !ns)
		return;
	if (!json_object_object_get_ex(ns, "Networks", &nets) || !nets) {
		json_object_object_add(ns, "Networks", json_object_new_object());
		return;
	}
	json_object_object_foreach(nets, name, ep) {
		json_object *al, *v, *ipam;
		bool seen = false;
		if (!first)
			first = name;
		if (!json_object_object_get_ex(ep, "Aliases", &al) ||
		    !json_object_is_type(al, json_type_array)) {
			al = json_object_new_array();
			json_object_object_add(ep, "Aliases", al);
		}
		for (size_t i = 0; i < json_object_array_length(al); i++)
			seen |= strcmp(json_object_get_string(json_object_array_get_idx(al, i)), shortid) ==
				0;
		if (!seen)
			json_object_array_add(al, json_object_new_string(shortid));
		ipam = json_object_new_object();
		if (json_object_object_get_ex(ep, "IPAddress", &v))
			json_object_object_add(ipam, "IPv4Address", json_object_get(v));
		json_object_object_add(ep, "IPAMConfig", ipam);
		json_object_object_add(ep, "Links", NULL);
		json_object_object_add(ep, "EndpointID", json_object_new_string(id));
		json_object_object_add(ep, "IPv6Gateway", json_object_new_string(""));
		json_object_object_add(ep, "GlobalIPv6Address", json_object_new_string(""));
		json_object_object_add(ep, "GlobalIPv6PrefixLen", json_object_new_int(0));
		json_object_object_add(ep, "DriverOpts", NULL);
	}
	if (first && json_object_object_get_ex(insp, "HostConfig", &hc) &&
	    json_object_object_get_ex(hc, "NetworkMode", &mode) &&
	    strcmp(json_object_get_string(mode), "bridge") == 0)
		json_object_object_add(hc, "NetworkMode", json_object_new_string(first));
}
