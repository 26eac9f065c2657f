/* ctrnet.c - the network part of run and create: --network, -p and -P
 * become s->net, s->net_opts, s->net_container and s->ports (host ports
 * assigned), parsed here once for the record and everything after it. */
#include <stdlib.h>
#include <string.h>

#include "ctropts.h"
#include "lib/record/container.h"
#include "lib/record/netspec.h"
#include "lib/record/portspec.h"
#include "lib/base/util.h"

/* The default when --network is not given: the usermode network. */
#define DEFAULT_NETWORK "slirp4netns"

int run_build_network(const char *root, const struct run_args *a, const struct image *img,
		      struct container_spec *s, struct err *e)
{
	_cleanup_free_ struct port_spec *v = NULL;
	_cleanup_free_ char *opts = NULL;
	size_t n = 0;

	net_opts_init(&s->net_opts);
	if (parse_network(a->network ? a->network : DEFAULT_NETWORK, &s->net, &opts, e) < 0)
		return -1;
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
	if (s->net == NET_SLIRP) {
		if (net_opts_parse(opts, &s->net_opts, e) < 0)
			return err_wrap(e, "--network");
	} else if (opts) {
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
	if (s->net != NET_SLIRP)
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
