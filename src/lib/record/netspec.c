/* netspec.c - see netspec.h */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netspec.h"
#include "lib/base/util.h"

void net_opts_init(struct net_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->mtu = NET_DEFAULT_MTU;
	snprintf(o->cidr, sizeof(o->cidr), "%s", NET_DEFAULT_CIDR);
	o->handler = PORT_HANDLER_FAST;
}

const char *port_handler_name(enum port_handler h)
{
	return h == PORT_HANDLER_SLIRP ? "slirp" : h == PORT_HANDLER_DIRECT ? "direct" : "fast";
}

static int parse_bool(const char *k, const char *v, bool *out, struct err *e)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = false;
	else
		return err_make(e, 0, "network option %s: \"%s\" is not true or false", k, v);
	return 0;
}

int net_cidr_parse(const char *s, uint32_t *net, unsigned *bits, struct err *e)
{
	char buf[20];
	const char *slash = strchr(s, '/');
	uint64_t n;
	struct in_addr a;

	if (!slash || (size_t)(slash - s) >= sizeof(buf))
		return err_make(e, 0, "network option cidr: \"%s\" is not A.B.C.D/N", s);
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1 || parse_u64(slash + 1, &n) < 0)
		return err_make(e, 0, "network option cidr: \"%s\" is not A.B.C.D/N", s);
	if (n < 8 || n > 25)
		return err_make(e, 0,
				"network option cidr: prefix /%llu must be between /8 and "
				"/25 (the guest is .100)",
				(unsigned long long)n);
	*bits = (unsigned)n;
	*net = ntohl(a.s_addr) & ~((1u << (32 - n)) - 1);
	return 0;
}

static int set_cidr(struct net_opts *o, const char *v, struct err *e)
{
	uint32_t net;
	unsigned bits;

	if (net_cidr_parse(v, &net, &bits, e) < 0)
		return -1;
	if (strlen(v) >= sizeof(o->cidr))
		return err_make(e, 0, "network option cidr: \"%s\" is not A.B.C.D/N", v);
	snprintf(o->cidr, sizeof(o->cidr), "%s", v);
	return 0;
}

static int set_handler(struct net_opts *o, const char *v, struct err *e)
{
	if (strcmp(v, "fast") == 0 || strcmp(v, "rootlesskit") == 0)
		o->handler = PORT_HANDLER_FAST;
	else if (strcmp(v, "slirp") == 0 || strcmp(v, "slirp4netns") == 0)
		o->handler = PORT_HANDLER_SLIRP;
	else if (strcmp(v, "direct") == 0)
		o->handler = PORT_HANDLER_DIRECT;
	else
		return err_make(e, 0, "network option port_handler: \"%s\" is not fast, slirp or direct", v);
	return 0;
}

int net_opts_parse(const char *s, struct net_opts *o, struct err *e)
{
	_cleanup_free_ char *copy = NULL;
	char *save = NULL;

	if (!s || !*s)
		return 0;
	copy = xstrdup(s);
	for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *v = strchr(kv, '=');
		uint64_t n;

		if (!v)
			return err_make(e, 0, "network option \"%s\": expected KEY=VALUE", kv);
		*v++ = '\0';
		if (strcmp(kv, "mtu") == 0) {
			if (parse_u64(v, &n) < 0 || n < NET_MTU_MIN || n > NET_MTU_MAX)
				return err_make(e, 0,
						"network option mtu: \"%s\" must be between "
						"%d and %d",
						v, NET_MTU_MIN, NET_MTU_MAX);
			o->mtu = (unsigned)n;
		} else if (strcmp(kv, "allow_host_loopback") == 0) {
			if (parse_bool(kv, v, &o->allow_host_loopback, e) < 0)
				return -1;
		} else if (strcmp(kv, "enable_ipv6") == 0) {
			if (parse_bool(kv, v, &o->enable_ipv6, e) < 0)
				return -1;
		} else if (strcmp(kv, "cidr") == 0) {
			if (set_cidr(o, v, e) < 0)
				return -1;
		} else if (strcmp(kv, "port_handler") == 0) {
			if (set_handler(o, v, e) < 0)
				return -1;
		} else {
			return err_make(e, 0,
					"unknown network option \"%s\" (known: mtu, "
					"allow_host_loopback, enable_ipv6, cidr, port_handler)",
					kv);
		}
	}
	if (o->handler == PORT_HANDLER_DIRECT && !o->allow_host_loopback)
		return err_make(e, 0,
				"network option port_handler=direct needs allow_host_loopback=true: the "
				"socket the container is given lives in the host's network namespace, "
				"from which it can reach the host's loopback");
	return 0;
}

/* ---- JSON ------------------------------------------------------------------- */

json_object *net_opts_to_json(const struct net_opts *o)
{
	json_object *j = json_object_new_object();

	json_object_object_add(j, "mtu", json_object_new_int64(o->mtu));
	json_object_object_add(j, "cidr", json_object_new_string(o->cidr));
	json_object_object_add(j, "allow_host_loopback", json_object_new_boolean(o->allow_host_loopback));
	json_object_object_add(j, "enable_ipv6", json_object_new_boolean(o->enable_ipv6));
	json_object_object_add(j, "port_handler", json_object_new_string(port_handler_name(o->handler)));
	return j;
}

/* an integer (not a double, string or boolean) in [min, max] */
static int json_uint(json_object *v, const char *key, int64_t min, int64_t max, int64_t *out, struct err *e)
{
	int64_t n;

	if (!json_object_is_type(v, json_type_int))
		return err_make(e, 0, "%s: expected an integer", key);
	errno = 0;
	n = json_object_get_int64(v);
	if (errno != 0 || n < min || n > max)
		return err_make(e, 0, "%s: %s is out of range (%lld-%lld)", key,
				json_object_to_json_string(v), (long long)min, (long long)max);
	*out = n;
	return 0;
}

static int json_text(json_object *v, const char *key, const char **out, struct err *e)
{
	if (!json_object_is_type(v, json_type_string))
		return err_make(e, 0, "%s: expected a string", key);
	*out = json_object_get_string(v);
	if (strlen(*out) != (size_t)json_object_get_string_len(v))
		return err_make(e, 0, "%s: contains a NUL byte", key);
	return 0;
}

static int json_flag(json_object *v, const char *key, bool *out, struct err *e)
{
	if (!json_object_is_type(v, json_type_boolean))
		return err_make(e, 0, "%s: expected true or false", key);
	*out = json_object_get_boolean(v);
	return 0;
}

int net_opts_from_json(json_object *j, struct net_opts *o, struct err *e)
{
	net_opts_init(o);
	if (json_object_is_type(j, json_type_string)) /* older records: the CLI text */
		return net_opts_parse(json_object_get_string(j), o, e);
	if (!json_object_is_type(j, json_type_object))
		return err_make(e, 0, "network options: expected an object");
	json_object_object_foreach(j, key, v) {
		const char *s;
		int64_t n;

		if (strcmp(key, "mtu") == 0) {
			if (json_uint(v, key, NET_MTU_MIN, NET_MTU_MAX, &n, e) < 0)
				return -1;
			o->mtu = (unsigned)n;
		} else if (strcmp(key, "cidr") == 0) {
			if (json_text(v, key, &s, e) < 0 || set_cidr(o, s, e) < 0)
				return -1;
		} else if (strcmp(key, "allow_host_loopback") == 0) {
			if (json_flag(v, key, &o->allow_host_loopback, e) < 0)
				return -1;
		} else if (strcmp(key, "enable_ipv6") == 0) {
			if (json_flag(v, key, &o->enable_ipv6, e) < 0)
				return -1;
		} else if (strcmp(key, "port_handler") == 0) {
			if (json_text(v, key, &s, e) < 0)
				return -1;
			if (strcmp(s, "fast") == 0)
				o->handler = PORT_HANDLER_FAST;
			else if (strcmp(s, "slirp") == 0)
				o->handler = PORT_HANDLER_SLIRP;
			else if (strcmp(s, "direct") == 0)
				o->handler = PORT_HANDLER_DIRECT;
			else
				return err_make(e, 0, "port_handler: \"%s\" is not fast, slirp or direct", s);
		} else {
			return err_make(e, 0, "unknown network option \"%s\"", key);
		}
	}
	if (o->handler == PORT_HANDLER_DIRECT && !o->allow_host_loopback)
		return err_make(e, 0,
				"network option port_handler=direct needs allow_host_loopback=true: the "
				"socket the container is given lives in the host's network namespace, "
				"from which it can reach the host's loopback");
	return 0;
}

int port_spec_check(const struct port_spec *p, bool allow_random, struct err *e)
{
	unsigned char buf[sizeof(struct in6_addr)];

	if (!memchr(p->host_ip, '\0', sizeof(p->host_ip)))
		return err_make(e, 0, "host_ip is too long");
	if (p->host_ip[0] && inet_pton(strchr(p->host_ip, ':') ? AF_INET6 : AF_INET, p->host_ip, buf) != 1)
		return err_make(e, 0, "host_ip: \"%s\" is not an IP address", p->host_ip);
	if (p->container_port == 0)
		return err_make(e, 0, "container_port 0 is out of range (1-65535)");
	if (p->count == 0 || (unsigned)p->container_port + p->count - 1 > 65535)
		return err_make(e, 0, "container port range %u+%u is out of range (1-65535)",
				p->container_port, p->count);
	if (p->host_port == 0 && !allow_random)
		return err_make(e, 0, "host_port 0 is out of range (1-65535)");
	if ((unsigned)p->host_port + p->count - 1 > 65535)
		return err_make(e, 0, "host port range %u+%u is out of range (1-65535)", p->host_port,
				p->count);
	return 0;
}

json_object *port_specs_to_json(const struct port_spec *v, size_t n)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "host_ip", json_object_new_string(v[i].host_ip));
		json_object_object_add(j, "host_port", json_object_new_int64(v[i].host_port));
		json_object_object_add(j, "container_port", json_object_new_int64(v[i].container_port));
		json_object_object_add(j, "count", json_object_new_int64(v[i].count));
		json_object_object_add(j, "protocol", json_object_new_string(v[i].udp ? "udp" : "tcp"));
		json_object_array_add(a, j);
	}
	return a;
}

static int port_from_json(json_object *j, struct port_spec *p, struct err *e)
{
	bool have_host = false, have_ctr = false, have_proto = false;

	memset(p, 0, sizeof(*p));
	p->count = 1;
	if (json_object_is_type(j, json_type_string)) /* older records: the CLI text */
		return port_spec_parse(json_object_get_string(j), p, e) < 0 ? -1
									    : port_spec_check(p, false, e);
	if (!json_object_is_type(j, json_type_object))
		return err_make(e, 0, "expected an object");
	json_object_object_foreach(j, key, v) {
		const char *s;
		int64_t n;

		if (strcmp(key, "host_ip") == 0) {
			if (json_text(v, key, &s, e) < 0)
				return -1;
			if (strlen(s) >= sizeof(p->host_ip))
				return err_make(e, 0, "host_ip is too long");
			memcpy(p->host_ip, s, strlen(s) + 1);
		} else if (strcmp(key, "host_port") == 0) {
			if (json_uint(v, key, 1, 65535, &n, e) < 0)
				return -1;
			p->host_port = (uint16_t)n;
			have_host = true;
		} else if (strcmp(key, "container_port") == 0) {
			if (json_uint(v, key, 1, 65535, &n, e) < 0)
				return -1;
			p->container_port = (uint16_t)n;
			have_ctr = true;
		} else if (strcmp(key, "count") == 0) {
			if (json_uint(v, key, 1, 65535, &n, e) < 0)
				return -1;
			p->count = (uint16_t)n;
		} else if (strcmp(key, "protocol") == 0) {
			if (json_text(v, key, &s, e) < 0)
				return -1;
			if (strcmp(s, "udp") == 0)
				p->udp = true;
			else if (strcmp(s, "tcp") != 0)
				return err_make(e, 0, "protocol \"%s\" is not tcp or udp", s);
			have_proto = true;
		} else {
			return err_make(e, 0, "unknown field \"%s\"", key);
		}
	}
	if (!have_host || !have_ctr || !have_proto)
		return err_make(e, 0, "missing %s",
				!have_host  ? "host_port"
				: !have_ctr ? "container_port"
					    : "protocol");
	return port_spec_check(p, false, e);
}

int port_specs_from_json(json_object *j, struct port_spec **v, size_t *n, struct err *e)
{
	size_t len;

	*v = NULL;
	*n = 0;
	if (!json_object_is_type(j, json_type_array))
		return err_make(e, 0, "ports: expected an array");
	len = json_object_array_length(j);
	if (len > PORT_SPECS_MAX)
		return err_make(e, 0, "ports: %zu entries, at most %d", len, PORT_SPECS_MAX);
	if (len == 0)
		return 0;
	*v = xcalloc(len, sizeof(**v));
	for (size_t i = 0; i < len; i++) {
		if (port_from_json(json_object_array_get_idx(j, i), &(*v)[i], e) < 0) {
			free(*v);
			*v = NULL;
			return err_wrap(e, "ports[%zu]", i);
		}
	}
	*n = len;
	return 0;
}

/* ---- user-defined networks ------------------------------------------------ */

void net_attaches_free(struct net_attach *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].network);
		strv_free(v[i].aliases);
	}
	free(v);
}

json_object *net_attaches_to_json(const struct net_attach *v, size_t n)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object(), *al = json_object_new_array();

		json_object_object_add(o, "name", json_object_new_string(v[i].network));
		for (size_t k = 0; v[i].aliases && v[i].aliases[k]; k++)
			json_object_array_add(al, json_object_new_string(v[i].aliases[k]));
		json_object_object_add(o, "aliases", al);
		json_object_object_add(o, "ip", json_object_new_string(v[i].ip));
		json_object_array_add(a, o);
	}
	return a;
}

bool net_alias_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 253 ||
	    !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", s[i]))
			return false;
	return true;
}

int net_attaches_from_json(json_object *j, struct net_attach **v, size_t *n, struct err *e)
{
	struct net_attach *r = NULL;
	size_t len;

	*v = NULL;
	*n = 0;
	if (!json_object_is_type(j, json_type_array))
		return err_make(e, 0, "networks: not an array");
	len = json_object_array_length(j);
	if (len > NET_ATTACH_MAX)
		return err_make(e, 0, "networks: more than %d", NET_ATTACH_MAX);
	if (len == 0)
		return 0;
	r = xcalloc(len, sizeof *r);
	for (size_t i = 0; i < len; i++) {
		json_object *o = json_object_array_get_idx(j, i), *name, *ip, *al;
		struct in_addr a;

		if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, "name", &name) ||
		    !json_object_is_type(name, json_type_string) ||
		    !net_alias_valid(json_object_get_string(name)) ||
		    !json_object_object_get_ex(o, "ip", &ip) || !json_object_is_type(ip, json_type_string) ||
		    strlen(json_object_get_string(ip)) >= sizeof r[i].ip ||
		    inet_pton(AF_INET, json_object_get_string(ip), &a) != 1) {
			net_attaches_free(r, i);
			return err_make(e, 0, "networks[%zu]: want a name and an IPv4 address", i);
		}
		r[i].network = xstrdup(json_object_get_string(name));
		snprintf(r[i].ip, sizeof r[i].ip, "%s", json_object_get_string(ip));
		if (json_object_object_get_ex(o, "aliases", &al)) {
			bool good = json_object_is_type(al, json_type_array) &&
				    json_object_array_length(al) <= 64;
			for (size_t k = 0; good && k < json_object_array_length(al); k++) {
				json_object *s = json_object_array_get_idx(al, k);
				good = json_object_is_type(s, json_type_string) &&
				       net_alias_valid(json_object_get_string(s));
				if (good)
					strv_push(&r[i].aliases, json_object_get_string(s));
			}
			if (!good) {
				net_attaches_free(r, i + 1);
				return err_make(e, 0, "networks[%zu]: bad aliases", i);
			}
		}
	}
	*v = r;
	*n = len;
	return 0;
}

void net_mac_of(const char *ip, char buf[18])
{
	struct in_addr a;
	const unsigned char *b = (const unsigned char *)&a.s_addr;

	if (inet_pton(AF_INET, ip, &a) != 1)
		a.s_addr = 0;
	snprintf(buf, 18, "02:42:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3]);
}
