/* network.c - see network.h */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "network.h"
#include "lib/base/json.h"
#include "lib/base/util.h"
#include "lib/record/container.h"
#include "lib/record/state.h"

#define NETWORK_JSON_MAX (1u << 20)
#define NETWORKS_MAX 4096

void network_free(struct network *n)
{
	free(n->name);
	free(n->driver);
	free(n->iface);
	free(n->created);
	strv_free(n->labels);
	memset(n, 0, sizeof *n);
}

void networks_free(struct network *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		network_free(&v[i]);
	free(v);
}

/* ---- addresses ------------------------------------------------------------ */

int net_ipv4_parse(const char *s, uint32_t *a)
{
	struct in_addr in;

	if (!s || inet_pton(AF_INET, s, &in) != 1)
		return -1;
	*a = ntohl(in.s_addr);
	return 0;
}

void net_ipv4_str(uint32_t a, char buf[16])
{
	struct in_addr in = { .s_addr = htonl(a) };

	inet_ntop(AF_INET, &in, buf, 16);
}

static uint32_t mask_of(unsigned bits)
{
	return bits ? ~0u << (32 - bits) : 0;
}

int net_subnet_parse(const char *s, uint32_t *net, unsigned *bits, struct err *e)
{
	const char *slash = s ? strchr(s, '/') : NULL;
	char addr[16];
	char *end;
	unsigned long b;
	uint32_t a;

	if (!slash || (size_t)(slash - s) >= sizeof addr)
		return err_make(e, 0, "invalid subnet \"%s\": want A.B.C.D/N", s ? s : "");
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	errno = 0;
	b = strtoul(slash + 1, &end, 10);
	if (net_ipv4_parse(addr, &a) < 0 || slash[1] < '0' || slash[1] > '9' || *end || errno || b > 32)
		return err_make(e, 0, "invalid subnet \"%s\": want A.B.C.D/N", s);
	if (b > 30)
		return err_make(e, 0, "subnet %s is too small: the prefix may be at most /30", s);
	if (b < 8)
		return err_make(e, 0, "subnet %s is too large: the prefix must be at least /8", s);
	if (a & ~mask_of((unsigned)b)) {
		char n[16];
		net_ipv4_str(a & mask_of((unsigned)b), n);
		return err_make(e, 0, "invalid subnet \"%s\": host bits set (the network is %s/%lu)", s, n,
				b);
	}
	*net = a;
	*bits = (unsigned)b;
	return 0;
}

bool net_subnets_overlap(uint32_t a, unsigned abits, uint32_t b, unsigned bbits)
{
	uint32_t m = mask_of(abits < bbits ? abits : bbits);

	return (a & m) == (b & m);
}

bool net_in_subnet(uint32_t ip, uint32_t net, unsigned bits)
{
	uint32_t m = mask_of(bits);

	return (ip & m) == (net & m) && (ip & ~m) != 0 && (ip & ~m) != ~m;
}

/* ---- records -------------------------------------------------------------- */

static char *networks_dir(const char *root)
{
	return xasprintf("%s/networks", root);
}

int network_lock(const char *root, struct err *e)
{
	_cleanup_free_ char *dir = networks_dir(root);
	_cleanup_free_ char *path = xasprintf("%s/.lock", dir);
	int fd;

	if (mkdir_p_at(AT_FDCWD, dir, 0700, e) < 0)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_make(e, errno, "opening %s", path);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int saved = errno;
			close(fd);
			return err_make(e, saved, "locking %s", path);
		}
	}
	return fd;
}

static void default_network(struct network *n)
{
	memset(n, 0, sizeof *n);
	n->name = xstrdup(NETWORK_DEFAULT);
	/* a fixed ID, as the default network is the same everywhere */
	memcpy(n->id, "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9", 65);
	n->driver = xstrdup("bridge");
	n->iface = xstrdup(NETWORK_DEFAULT_IFACE);
	n->created = xstrdup("1970-01-01T00:00:00Z");
	net_subnet_parse(NETWORK_DEFAULT_SUBNET, &n->subnet, &n->bits, NULL);
	n->gateway = n->subnet + 1;
	n->dns = false; /* as docker's default network: no names */
	n->builtin = true;
}

static json_object *kv_object(char *const *kv)
{
	json_object *o = json_object_new_object();

	for (size_t i = 0; kv && kv[i]; i++) {
		const char *eq = strchr(kv[i], '=');
		_cleanup_free_ char *k = eq ? xasprintf("%.*s", (int)(eq - kv[i]), kv[i]) : xstrdup(kv[i]);
		json_object_object_add(o, k, json_object_new_string(eq ? eq + 1 : ""));
	}
	return o;
}

json_object *network_to_json(const struct network *n)
{
	json_object *j = json_object_new_object(), *subs = json_object_new_array();
	json_object *sub = json_object_new_object(), *ipam = json_object_new_object();
	char a[16], cidr[24];

	net_ipv4_str(n->subnet, a);
	snprintf(cidr, sizeof cidr, "%s/%u", a, n->bits);
	json_object_object_add(sub, "subnet", json_object_new_string(cidr));
	net_ipv4_str(n->gateway, a);
	json_object_object_add(sub, "gateway", json_object_new_string(a));
	json_object_array_add(subs, sub);
	json_object_object_add(ipam, "driver", json_object_new_string("host-local"));
	json_object_object_add(j, "name", json_object_new_string(n->name));
	json_object_object_add(j, "id", json_object_new_string(n->id));
	json_object_object_add(j, "driver", json_object_new_string(n->driver));
	json_object_object_add(j, "network_interface", json_object_new_string(n->iface));
	json_object_object_add(j, "created", json_object_new_string(n->created));
	json_object_object_add(j, "subnets", subs);
	json_object_object_add(j, "ipv6_enabled", json_object_new_boolean(false));
	json_object_object_add(j, "internal", json_object_new_boolean(n->internal));
	json_object_object_add(j, "dns_enabled", json_object_new_boolean(n->dns));
	json_object_object_add(j, "labels", kv_object(n->labels));
	json_object_object_add(j, "ipam_options", ipam);
	return j;
}

static const char *jstr(json_object *j, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(j, k, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : NULL;
}

static int jbool(json_object *j, const char *k, bool *out)
{
	json_object *v;

	if (!json_object_object_get_ex(j, k, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return -1;
	*out = json_object_get_boolean(v);
	return 0;
}

/* the record j of file name (NAME.json) into n; every field checked */
static int network_from_json(json_object *j, const char *name, struct network *n, struct err *e)
{
	const char *s;
	json_object *subs, *sub, *labels;
	struct network r;

	memset(&r, 0, sizeof r);
	memset(n, 0, sizeof *n);
	if (!json_object_is_type(j, json_type_object) || !(s = jstr(j, "name")) || strcmp(s, name) != 0)
		return err_make(e, 0, "malformed network record (name)");
	r.name = xstrdup(s);
	if (!(s = jstr(j, "id")) || strlen(s) != 64 || !is_hex(s, 64)) {
		network_free(&r);
		return err_make(e, 0, "malformed network record (id)");
	}
	memcpy(r.id, s, 65);
	r.driver = xstrdup(jstr(j, "driver") ? jstr(j, "driver") : "bridge");
	r.iface = xstrdup(jstr(j, "network_interface") ? jstr(j, "network_interface") : "");
	r.created = xstrdup(jstr(j, "created") ? jstr(j, "created") : "");
	r.dns = true;
	if (strcmp(r.driver, "bridge") != 0 || strncmp(r.iface, "burrow", 6) != 0 || strlen(r.iface) > 15 ||
	    jbool(j, "internal", &r.internal) < 0 || jbool(j, "dns_enabled", &r.dns) < 0 ||
	    !json_object_object_get_ex(j, "subnets", &subs) || !json_object_is_type(subs, json_type_array) ||
	    json_object_array_length(subs) != 1 || !(sub = json_object_array_get_idx(subs, 0)) ||
	    net_subnet_parse(jstr(sub, "subnet"), &r.subnet, &r.bits, e) < 0 ||
	    net_ipv4_parse(jstr(sub, "gateway"), &r.gateway) < 0 ||
	    !net_in_subnet(r.gateway, r.subnet, r.bits)) {
		network_free(&r);
		err_clear(e);
		return err_make(e, 0, "malformed network record (driver, interface or subnet)");
	}
	if (json_object_object_get_ex(j, "labels", &labels)) {
		if (!json_object_is_type(labels, json_type_object)) {
			network_free(&r);
			return err_make(e, 0, "malformed network record (labels)");
		}
		json_object_object_foreach(labels, k, v) {
			_cleanup_free_ char *kv = NULL;
			if (!json_object_is_type(v, json_type_string)) {
				network_free(&r);
				return err_make(e, 0, "malformed network record (label %s)", k);
			}
			kv = xasprintf("%s=%s", k, json_object_get_string(v));
			strv_push(&r.labels, kv);
		}
	}
	*n = r;
	return 0;
}

static int not_found(const char *what, struct err *e)
{
	err_make(e, 0, "unable to find network with name or ID %s: network not found", what);
	e->errnum = ENOENT;
	return -1;
}

static int read_record(const char *root, const char *name, struct network *out, struct err *e)
{
	_cleanup_free_ char *path = xasprintf("%s/networks/%s.json", root, name);
	_cleanup_free_ char *txt = NULL;
	json_object *j = NULL;
	size_t len = 0;
	int rc;

	if (read_file_at(AT_FDCWD, path, NETWORK_JSON_MAX, &txt, &len, e) < 0) {
		if (e->errnum == ENOENT || e->errnum == ENOTDIR) {
			err_clear(e);
			return not_found(name, e);
		}
		return -1;
	}
	if (json_parse_strict(txt, len, path, &j, e) < 0)
		return -1;
	rc = network_from_json(j, name, out, e);
	json_object_put(j);
	if (rc < 0)
		return err_wrap(e, "%s", path);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* names of the records, sorted */
static int record_names(const char *root, char ***names, struct err *e)
{
	_cleanup_free_ char *dir = networks_dir(root);
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;

	*names = xcalloc(1, sizeof(char *));
	if (!d)
		return errno == ENOENT ? 0 : err_make(e, errno, "opening %s", dir);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		_cleanup_free_ char *n = NULL;

		if (len <= 5 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		n = xasprintf("%.*s", (int)(len - 5), de->d_name);
		if (container_name_valid(n))
			strv_push(names, n);
	}
	qsort(*names, strv_len(*names), sizeof(char *), cmp_str);
	return 0;
}

int network_list(const char *root, struct network **out, size_t *n, struct err *e)
{
	_cleanup_strv_ char **names = NULL;

	*out = NULL;
	*n = 0;
	if (record_names(root, &names, e) < 0)
		return -1;
	*out = xcalloc(strv_len(names) + 2, sizeof **out);
	default_network(&(*out)[(*n)++]);
	for (size_t i = 0; names[i]; i++) {
		if (read_record(root, names[i], &(*out)[*n], e) < 0) {
			err_clear(e); /* removed meanwhile, or damaged: network_get reports it */
			continue;
		}
		(*n)++;
	}
	return 0;
}

int network_get(const char *root, const char *name_or_id, struct network *out, struct err *e)
{
	struct network *all = NULL;
	size_t n = 0, len = strlen(name_or_id);
	ssize_t hit = -1;

	memset(out, 0, sizeof *out);
	if (strcmp(name_or_id, NETWORK_DEFAULT) == 0) {
		default_network(out);
		return 0;
	}
	if (container_name_valid(name_or_id)) {
		if (read_record(root, name_or_id, out, e) == 0)
			return 0;
		if (e->errnum != ENOENT)
			return -1;
		err_clear(e);
	}
	if (len < 3 || len > 64 || !is_hex(name_or_id, len))
		return not_found(name_or_id, e);
	if (network_list(root, &all, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (strncmp(all[i].id, name_or_id, len) != 0)
			continue;
		if (hit >= 0) {
			networks_free(all, n);
			return err_make(e, 0, "more than one network matches ID prefix %s", name_or_id);
		}
		hit = (ssize_t)i;
	}
	if (hit < 0) {
		networks_free(all, n);
		return not_found(name_or_id, e);
	}
	*out = all[hit];
	memset(&all[hit], 0, sizeof all[hit]);
	networks_free(all, n);
	return 0;
}

static int bad_input(struct err *e)
{
	e->errnum = EINVAL;
	return -1;
}

int network_create(const char *root, const struct network_create_opts *o, struct network *out, struct err *e)
{
	_cleanup_free_ char *dir = networks_dir(root), *file = NULL, *autoname = NULL;
	_cleanup_close_ int dfd = -1;
	struct network *all = NULL, r;
	size_t n = 0;
	const char *txt;
	char ts[48];
	json_object *j;
	int rc = -1;

	memset(out, 0, sizeof *out);
	memset(&r, 0, sizeof r);
	if (o->driver && strcmp(o->driver, "bridge") != 0) {
		err_make(e, 0, "unsupported network driver \"%s\" (bridge)", o->driver);
		return bad_input(e);
	}
	if (o->name && !container_name_valid(o->name)) {
		err_make(e, 0, "invalid network name \"%s\": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*",
			 o->name);
		return bad_input(e);
	}
	if (o->name && (strcmp(o->name, "host") == 0 || strcmp(o->name, "none") == 0 ||
			strcmp(o->name, "slirp4netns") == 0 || strcmp(o->name, "private") == 0 ||
			strcmp(o->name, "slirp") == 0)) {
		err_make(e, 0, "network name %s is reserved for a network mode", o->name);
		return bad_input(e);
	}
	for (size_t i = 0; o->labels && o->labels[i]; i++)
		if (o->labels[i][0] == '=' || o->labels[i][0] == '\0') {
			err_make(e, 0, "invalid label \"%s\": empty key", o->labels[i]);
			return bad_input(e);
		}
	if (o->subnet && net_subnet_parse(o->subnet, &r.subnet, &r.bits, e) < 0)
		return bad_input(e);
	if (o->gateway && !o->subnet) {
		err_make(e, 0, "--gateway needs --subnet");
		return bad_input(e);
	}
	if (o->gateway) {
		if (net_ipv4_parse(o->gateway, &r.gateway) < 0) {
			err_make(e, 0, "invalid gateway \"%s\"", o->gateway);
			return bad_input(e);
		}
		if (!net_in_subnet(r.gateway, r.subnet, r.bits)) {
			err_make(e, 0, "gateway %s is not a host address of subnet %s", o->gateway,
				 o->subnet);
			return bad_input(e);
		}
	}
	if (network_list(root, &all, &n, e) < 0)
		return -1;
	if (n >= NETWORKS_MAX) {
		err_make(e, 0, "too many networks (%d)", NETWORKS_MAX);
		goto fail_input;
	}
	for (size_t i = 0; o->name && i < n; i++)
		if (strcmp(all[i].name, o->name) == 0) {
			err_make(e, 0, "network name %s already used: network already exists", o->name);
			e->errnum = EEXIST;
			goto out;
		}
	if (o->subnet) {
		for (size_t i = 0; i < n; i++) {
			if (net_subnets_overlap(r.subnet, r.bits, all[i].subnet, all[i].bits)) {
				char a[16];
				net_ipv4_str(all[i].subnet, a);
				err_make(e, 0, "subnet %s overlaps %s/%u of network %s", o->subnet, a,
					 all[i].bits, all[i].name);
				goto fail_input;
			}
		}
	} else {
		bool found = false;
		for (uint32_t k = 0; k < 256 && !found; k++) {
			uint32_t cand = NETWORK_AUTO_BASE | (k << 8);
			found = true;
			for (size_t i = 0; i < n && found; i++)
				found = !net_subnets_overlap(cand, 24, all[i].subnet, all[i].bits);
			if (found)
				r.subnet = cand, r.bits = 24;
		}
		if (!found) {
			err_make(e, 0, "no free subnet left in 10.89.0.0/16: give one with --subnet");
			goto fail_input;
		}
	}
	if (!o->gateway)
		r.gateway = r.subnet + 1;
	/* the lowest free burrowN, N >= 1: the bridge's name */
	for (unsigned k = 1; !r.iface; k++) {
		_cleanup_free_ char *cand = xasprintf("burrow%u", k);
		bool used = false;
		for (size_t i = 0; i < n && !used; i++)
			used = strcmp(all[i].iface, cand) == 0;
		if (!used)
			r.iface = steal_ptr(cand);
	}
	if (!o->name) {
		for (unsigned k = 1; !autoname; k++) {
			_cleanup_free_ char *cand = xasprintf("burrow%u", k);
			bool used = false;
			for (size_t i = 0; i < n && !used; i++)
				used = strcmp(all[i].name, cand) == 0;
			if (!used)
				autoname = steal_ptr(cand);
		}
	}
	r.name = xstrdup(o->name ? o->name : autoname);
	r.driver = xstrdup("bridge");
	state_time_now(ts, sizeof ts);
	r.created = xstrdup(ts);
	r.internal = o->internal;
	r.dns = !o->no_dns;
	for (size_t i = 0; o->labels && o->labels[i]; i++) {
		_cleanup_free_ char *kv = strchr(o->labels[i], '=') ? xstrdup(o->labels[i])
								    : xasprintf("%s=", o->labels[i]);
		strv_push(&r.labels, kv);
	}
	if (random_hex_id(r.id, e) < 0)
		goto out;
	if (mkdir_p_at(AT_FDCWD, dir, 0700, e) < 0)
		goto out;
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		err_make(e, errno, "opening %s", dir);
		goto out;
	}
	file = xasprintf("%s.json", r.name);
	j = network_to_json(&r);
	txt = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = write_file_atomic_at(dfd, file, txt, strlen(txt), 0600, e);
	json_object_put(j);
	if (rc < 0)
		goto out;
	*out = r;
	memset(&r, 0, sizeof r);
	rc = 0;
	goto out;
fail_input:
	bad_input(e);
out:
	network_free(&r);
	networks_free(all, n);
	return rc;
}

int network_remove(const char *root, const char *name, struct err *e)
{
	_cleanup_free_ char *path = NULL;

	if (strcmp(name, NETWORK_DEFAULT) == 0)
		return err_make(e, EPERM, "the default network %s cannot be removed", name);
	if (!container_name_valid(name))
		return not_found(name, e);
	path = xasprintf("%s/networks/%s.json", root, name);
	if (unlink(path) < 0)
		return errno == ENOENT ? not_found(name, e) : err_make(e, errno, "removing %s", path);
	return 0;
}

int network_members(const char *root, const char *name, char ***ids, struct err *e)
{
	_cleanup_strv_ char **all = NULL;

	*ids = xcalloc(1, sizeof(char *));
	if (container_list(root, &all, e) < 0)
		return -1;
	for (size_t i = 0; all[i]; i++) {
		json_object *j = NULL, *a;
		struct err ign = ERR_INIT;
		bool on = false;

		if (container_read_config(root, all[i], &j, &ign) < 0) {
			err_clear(&ign);
			continue;
		}
		if (json_object_object_get_ex(j, "networks", &a) && json_object_is_type(a, json_type_array)) {
			for (size_t k = 0; !on && k < json_object_array_length(a); k++) {
				const char *nm = jstr(json_object_array_get_idx(a, k), "name");
				on = nm && strcmp(nm, name) == 0;
			}
		}
		json_object_put(j);
		if (on)
			strv_push(ids, all[i]);
	}
	return 0;
}
