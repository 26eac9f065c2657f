/* ctrnet.c - the network part of run and create: --network, -p and -P
 * become s->net, s->net_opts, s->net_container and s->ports (host ports
 * assigned), parsed here once for the record and everything after it. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctropts.h"
#include "ctrutil.h"
#include "lib/record/container.h"
#include "lib/record/netspec.h"
#include "lib/record/portspec.h"
#include "lib/base/util.h"
#include "lib/net/network.h"
#include "lib/record/events.h"
#include "lib/runtime/netns.h"

/* The default when --network is not given: the usermode network. */
#define DEFAULT_NETWORK "slirp4netns"

/* every --network NAME: one attachment each, with the aliases; the
 * addresses come later (ctr_network_assign) */
static int build_networks(const struct run_args *a, struct container_spec *s, struct err *e)
{
	size_t n = strv_len(a->networks);

	if (n > NET_ATTACH_MAX)
		return err_make(e, 0, "--network: at most %d networks", NET_ATTACH_MAX);
	if (a->ip && n > 1)
		return err_make(e, 0, "--ip can only be used with a single network");
	s->networks = xcalloc(n, sizeof *s->networks);
	for (size_t i = 0; i < n; i++) {
		enum net_mode m;
		_cleanup_free_ char *name = NULL;

		if (parse_network(a->networks[i], &m, &name, e) < 0)
			return -1;
		if (m != NET_BRIDGE)
			return err_make(e, 0, "--network %s cannot be combined with other networks",
					a->networks[i]);
		for (size_t k = 0; k < s->nnetworks; k++)
			if (strcmp(s->networks[k].network, name) == 0)
				return err_make(e, 0, "--network %s given twice", name);
		s->networks[s->nnetworks].network = steal_ptr(name);
		for (size_t k = 0; a->net_aliases && a->net_aliases[k]; k++) {
			if (!net_alias_valid(a->net_aliases[k]))
				return err_make(e, 0, "invalid --network-alias \"%s\"", a->net_aliases[k]);
			strv_push(&s->networks[s->nnetworks].aliases, a->net_aliases[k]);
		}
		s->nnetworks++;
	}
	if (a->ip)
		snprintf(s->networks[0].ip, sizeof s->networks[0].ip, "%s", a->ip);
	return 0;
}

int run_build_network(const char *root, const struct run_args *a, const struct image *img,
		      struct container_spec *s, struct err *e)
{
	_cleanup_free_ struct port_spec *v = NULL;
	_cleanup_free_ char *opts = NULL;
	size_t n = 0;

	net_opts_init(&s->net_opts);
	if (parse_network(a->network ? a->network : DEFAULT_NETWORK, &s->net, &opts, e) < 0)
		return -1;
	if (strv_len(a->networks) > 1)
		s->net = NET_BRIDGE; /* only networks combine: build_networks checks */
	if (s->net == NET_CONTAINER) {
		/* the name or ID becomes the full ID: the record keeps that */
		char id[65];

		if (container_lookup(root, opts, id, e) < 0)
			return err_wrap(e, "--network container:%s", opts);
		s->net_container = xstrdup(id);
		if ((a->ports && a->ports[0]) || a->publish_all)
			return err_make(e, 0,
					"conflicting options: port publishing and the container "
					"network mode");
		return 0;
	}
	if (s->net == NET_BRIDGE && build_networks(a, s, e) < 0)
		return -1;
	if (s->net != NET_BRIDGE && (a->net_aliases || a->ip))
		return err_make(e, 0, "--%s needs a network (--network NAME)",
				a->net_aliases ? "network-alias" : "ip");
	if (s->net == NET_SLIRP) {
		if (net_opts_parse(opts, &s->net_opts, e) < 0)
			return err_wrap(e, "--network");
	} else if (opts && s->net != NET_BRIDGE) {
		return err_make(e, 0, "--network: options are only valid for slirp4netns");
	}
	for (size_t i = 0; a->ports && a->ports[i]; i++) {
		v = xrealloc(v, (n + 1) * sizeof *v);
		if (port_spec_parse(a->ports[i], &v[n], e) < 0)
			return err_wrap(e, "--publish %s", a->ports[i]);
		n++;
	}
	if (a->publish_all && port_specs_from_exposed(img->cfg.exposed, &v, &n, e) < 0)
		return err_wrap(e, "--publish-all");
	if (n == 0)
		return 0;
	if (s->net != NET_SLIRP && s->net != NET_BRIDGE)
		return err_make(e, 0,
				"--publish needs the slirp4netns network (--network %s does not "
				"forward ports)",
				s->net == NET_HOST ? "host" : "none");
	if (ports_assign_random(&v, &n, e) < 0 || ports_check_available(v, n, e) < 0)
		return -1;
	if (n > PORT_SPECS_MAX)
		return err_make(e, 0, "--publish: %zu ports, at most %d", n, PORT_SPECS_MAX);
	free(s->ports);
	s->ports = steal_ptr(v);
	s->nports = n;
	return 0;
}

static bool strv_contains(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

/* the addresses and names taken on network net by other containers */
static int network_taken(const char *root, const char *net, const char *self, char ***ips, char ***names,
			 struct err *e)
{
	_cleanup_strv_ char **ids = NULL;

	if (network_members(root, net, &ids, e) < 0)
		return -1;
	for (size_t i = 0; ids[i]; i++) {
		json_object *j = NULL, *v;
		struct net_attach *at = NULL;
		size_t nat = 0;
		struct err ign = ERR_INIT;

		if (strcmp(ids[i], self) == 0 || container_read_config(root, ids[i], &j, &ign) < 0) {
			err_clear(&ign);
			continue;
		}
		if (json_object_object_get_ex(j, "name", &v) && json_object_is_type(v, json_type_string))
			strv_push(names, json_object_get_string(v));
		if (json_object_object_get_ex(j, "networks", &v) &&
		    net_attaches_from_json(v, &at, &nat, &ign) < 0)
			err_clear(&ign);
		for (size_t k = 0; k < nat; k++) {
			if (strcmp(at[k].network, net) != 0)
				continue;
			strv_push(ips, at[k].ip);
			for (size_t l = 0; at[k].aliases && at[k].aliases[l]; l++)
				strv_push(names, at[k].aliases[l]);
		}
		net_attaches_free(at, nat);
		json_object_put(j);
	}
	return 0;
}

int ctr_network_assign(const char *root, struct container_spec *s, const char *name, struct err *e)
{
	for (size_t i = 0; i < s->nnetworks; i++) {
		struct net_attach *at = &s->networks[i];
		_cleanup_strv_ char **ips = NULL, **names = NULL;
		struct network n;
		uint32_t ip;
		char buf[16];
		int rc = 0;

		if (network_get(root, at->network, &n, e) < 0)
			return -1;
		/* the record keeps the name: a prefix of the ID given becomes it */
		free(at->network);
		at->network = xstrdup(n.name);
		if (network_taken(root, n.name, s->id, &ips, &names, e) < 0) {
			network_free(&n);
			return -1;
		}
		for (size_t k = 0; at->aliases && at->aliases[k] && rc == 0; k++)
			if (strv_contains(names, at->aliases[k]))
				rc = err_make(
					e, 0,
					"network alias %s clashes with a container name or alias on network %s",
					at->aliases[k], n.name);
		if (rc == 0 && name && strv_contains(names, name))
			rc = err_make(e, 0, "the name %s is already an alias on network %s", name, n.name);
		if (rc == 0 && at->ip[0]) {
			if (net_ipv4_parse(at->ip, &ip) < 0)
				rc = err_make(e, 0, "--ip %s: not an IPv4 address", at->ip);
			else if (!net_in_subnet(ip, n.subnet, n.bits) || ip == n.gateway)
				rc = err_make(e, 0, "--ip %s is not a free host address of network %s",
					      at->ip, n.name);
			else if (strv_contains(ips, at->ip))
				rc = err_make(e, 0, "--ip %s is already taken on network %s", at->ip, n.name);
		} else if (rc == 0) {
			uint32_t last = n.subnet | ~(n.bits ? ~0u << (32 - n.bits) : 0u);
			for (ip = n.subnet + 1; ip < last; ip++) {
				net_ipv4_str(ip, buf);
				if (ip != n.gateway && !strv_contains(ips, buf))
					break;
			}
			if (ip >= last)
				rc = err_make(e, 0, "network %s has no free address left", n.name);
			else
				snprintf(at->ip, sizeof at->ip, "%s", buf);
		}
		network_free(&n);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* connect/disconnect events: the network's name, the container's ID */
static void connect_event(const struct globals *g, const char *status, const struct network *n,
			  const char *id)
{
	struct event ev = { .type = "network", .status = status, .id = id, .name = n->name, .exit_code = -1 };
	events_write(g->cfg.runroot, &ev);
}

/* connect and disconnect: the networks' lock, network NET and container
 * REF; the lock's fd, or -1 with nothing held */
static int net_ctr_open(struct globals *g, const char *net, const char *ref, struct network *n, struct ctr *c,
			struct err *e)
{
	int lfd = network_lock(g->cfg.root, e);

	if (lfd < 0)
		return -1;
	memset(c, 0, sizeof *c);
	if (network_get(g->cfg.root, net, n, e) < 0) {
		close(lfd);
		return -1;
	}
	if (ctr_load(g, ref, c, e) < 0) {
		close(lfd);
		network_free(n);
		return -1;
	}
	return lfd;
}

static void net_ctr_close(int lfd, struct network *n, struct ctr *c)
{
	close(lfd);
	network_free(n);
	if (c->cfg)
		ctr_free(c);
}

int ctr_net_connect(struct globals *g, const char *net, const char *ref, char *const *aliases, const char *ip,
		    struct err *e)
{
	struct network n;
	struct ctr c;
	struct net_attach *at;
	int lfd, rc = -1;

	for (size_t i = 0; aliases && aliases[i]; i++)
		if (!net_alias_valid(aliases[i]))
			return err_make(e, EINVAL, "invalid --alias \"%s\"", aliases[i]);
	if (ip && strlen(ip) >= sizeof at->ip)
		return err_make(e, EINVAL, "--ip %s: not an IPv4 address", ip);
	lfd = net_ctr_open(g, net, ref, &n, &c, e);
	if (lfd < 0)
		return -1;
	/* A container on the default network (slirp4netns) that is not
	 * running joins the networks from its next start on, as if created
	 * with --network NAME.  A running one cannot: its net namespace
	 * belongs to its own user namespace (or the keeper's), a sibling of
	 * the networks' one (lib/runtime/netns.h), and moving an interface
	 * between the two needs privileges over both, which no process of
	 * the user has. */
	if (c.spec.net == NET_SLIRP && ctr_running(&c)) {
		err_make(e, 0,
			 "container %s is running on the default network (slirp4netns), whose namespace "
			 "cannot take an interface of network %s (a user namespace of its own): stop it, "
			 "connect it, and start it again",
			 c.spec.name, n.name);
		e->errnum = EBUSY; /* the message says it all */
		goto out;
	}
	if (c.spec.net == NET_SLIRP && userns_opts_nested(&c.spec.userns)) {
		err_make(e, 0, "container %s has --userns or --uidmap, which a network cannot have yet",
			 c.spec.name);
		e->errnum = EINVAL;
		goto out;
	}
	if (c.spec.net != NET_BRIDGE && c.spec.net != NET_SLIRP) {
		err_make(e, 0, "container %s has network mode %s, which cannot join a network", c.spec.name,
			 c.spec.net == NET_HOST        ? "host"
			 : c.spec.net == NET_CONTAINER ? "container"
						       : "none");
		e->errnum = EINVAL;
		goto out;
	}
	c.spec.net = NET_BRIDGE;
	for (size_t i = 0; i < c.spec.nnetworks; i++)
		if (strcmp(c.spec.networks[i].network, n.name) == 0) {
			err_make(e, EEXIST, "container %s is already on network %s", c.spec.name, n.name);
			goto out;
		}
	if (c.spec.nnetworks >= NET_ATTACH_MAX) {
		err_make(e, 0, "container %s is on %d networks already", c.spec.name, NET_ATTACH_MAX);
		goto out;
	}
	c.spec.networks = xrealloc(c.spec.networks, (c.spec.nnetworks + 1) * sizeof *c.spec.networks);
	at = &c.spec.networks[c.spec.nnetworks++];
	memset(at, 0, sizeof *at);
	at->network = xstrdup(n.name);
	at->aliases = strv_dup(aliases);
	if (ip)
		snprintf(at->ip, sizeof at->ip, "%s", ip);
	if (ctr_network_assign(g->cfg.root, &c.spec, c.spec.name, e) < 0)
		goto out;
	/* the running container first: a failure changes no record */
	if (ctr_running(&c) && netns_connect(&c.spec, c.st.pid, e) < 0) {
		err_wrap(e, "connecting %s to %s", c.spec.name, n.name);
		goto out;
	}
	if (container_set_networks(g->cfg.root, c.id, c.spec.networks, c.spec.nnetworks, e) < 0)
		goto out;
	connect_event(g, "connect", &n, c.id);
	rc = 0;
out:
	net_ctr_close(lfd, &n, &c);
	return rc;
}

int ctr_net_disconnect(struct globals *g, const char *net, const char *ref, struct err *e)
{
	struct network n;
	struct ctr c;
	size_t k;
	int lfd, rc = -1;

	lfd = net_ctr_open(g, net, ref, &n, &c, e);
	if (lfd < 0)
		return -1;
	for (k = 0; k < c.spec.nnetworks; k++)
		if (strcmp(c.spec.networks[k].network, n.name) == 0)
			break;
	if (k == c.spec.nnetworks) {
		err_make(e, EINVAL, "container %s is not on network %s", c.spec.name, n.name);
		goto out;
	}
	if (c.spec.nnetworks == 1) {
		err_make(e, EBUSY,
			 "network %s is the last network of container %s: remove the container instead",
			 n.name, c.spec.name);
		goto out;
	}
	if (ctr_running(&c) && netns_disconnect(&c.spec, n.name, e) < 0) {
		err_wrap(e, "disconnecting %s from %s", c.spec.name, n.name);
		goto out;
	}
	free(c.spec.networks[k].network);
	strv_free(c.spec.networks[k].aliases);
	memmove(&c.spec.networks[k], &c.spec.networks[k + 1],
		(c.spec.nnetworks - k - 1) * sizeof c.spec.networks[k]);
	c.spec.nnetworks--;
	if (container_set_networks(g->cfg.root, c.id, c.spec.networks, c.spec.nnetworks, e) < 0)
		goto out;
	connect_event(g, "disconnect", &n, c.id);
	rc = 0;
out:
	net_ctr_close(lfd, &n, &c);
	return rc;
}
