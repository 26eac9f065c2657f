/* port.c - burrow port: the container's published ports, as podman prints
 * them ("80/tcp -> 0.0.0.0:8080").  They live in config.json with their
 * host ports already assigned (ctrnet.c); a container on the none or host
 * network has none, and so prints nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "lib/record/portspec.h"
#include "lib/base/util.h"

enum { O_HELP = 1, O_ALL };
static const struct opt port_opts[] = {
	{ "all", 'a', OPT_FLAG, O_ALL, NULL, "List the ports of all containers" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* PRIVATE_PORT[/PROTO] */
static int parse_filter(const char *s, unsigned *port, int *udp, struct err *e)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	*udp = -1;
	if (end == s || v < 1 || v > 65535)
		goto bad;
	if (*end == '/' && (strcmp(end + 1, "tcp") == 0 || strcmp(end + 1, "udp") == 0))
		*udp = end[1] == 'u';
	else if (*end)
		goto bad;
	*port = (unsigned)v;
	return 0;
bad:
	return err_make(e, 0, "invalid port \"%s\" (PORT[/tcp|udp])", s);
}

/* Print the mappings of c (all when port is 0); returns how many matched. */
static size_t print_ports(const struct ctr *c, unsigned port, int udp, bool all)
{
	size_t n = 0;

	for (size_t i = 0; i < c->spec.nports; i++) {
		struct port_spec ps = c->spec.ports[i];
		for (unsigned k = 0; k < ps.count; k++) {
			unsigned cp = ps.container_port + k, hp = ps.host_port + k;
			const char *ip = ps.host_ip[0] ? ps.host_ip : "0.0.0.0";
			bool v6 = strchr(ip, ':') != NULL;
			if (port && (cp != port || (udp >= 0 && ps.udp != (udp == 1))))
				continue;
			if (all)
				printf("%.12s\t", c->id);
			if (port && !all)
				printf("%s%s%s:%u\n", v6 ? "[" : "", ip, v6 ? "]" : "", hp);
			else
				printf("%u/%s -> %s%s%s:%u\n", cp, ps.udp ? "udp" : "tcp", v6 ? "[" : "", ip,
				       v6 ? "]" : "", hp);
			n++;
		}
	}
	return n;
}

static int port_all(struct globals *g, struct err *e)
{
	_cleanup_strv_ char **ids = NULL;

	if (container_list(g->cfg.root, &ids, e) < 0)
		return -1;
	for (size_t i = 0; ids && ids[i]; i++) {
		struct ctr c;
		if (ctr_load_id(g, ids[i], &c, e) < 0) {
			err_clear(e); /* removed meanwhile */
			continue;
		}
		if (c.st.status == ST_RUNNING || c.st.status == ST_PAUSED)
			print_ports(&c, 0, -1, true);
		ctr_free(&c);
	}
	return 0;
}

CMD_DECL(port)
{
	struct optparser p;
	bool all = false;
	unsigned port = 0;
	int udp = -1;
	struct ctr c;
	int id;

	opt_init(&p, port_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_ALL:
			all = opt_flag_value(&p);
			break;
		case O_HELP:
			opt_print_help(stdout, "port", "[OPTIONS] CONTAINER [PRIVATE_PORT[/PROTO]]",
				       "List a container's published ports.", port_opts);
			return 0;
		case -1:
		default:
			goto usage;
		}
	}
	if (all && p.idx < argc) {
		err_make(e, 0, "--all takes no container");
		goto usage;
	}
	if (all) {
		if (port_all(g, e) < 0)
			goto fail;
		return 0;
	}
	if (argc - p.idx < 1 || argc - p.idx > 2) {
		err_make(e, 0, "\"burrow port\" requires a container and an optional private port");
		goto usage;
	}
	if (argc - p.idx == 2 && parse_filter(argv[p.idx + 1], &port, &udp, e) < 0)
		goto usage;
	if (ctr_load(g, argv[p.idx], &c, e) < 0)
		goto fail;
	if (print_ports(&c, port, udp, false) == 0 && port) {
		err_make(e, 0, "failed to find published port \"%s\"", argv[p.idx + 1]);
		ctr_free(&c);
		goto fail;
	}
	ctr_free(&c);
	return 0;
fail:
	return -1;
usage:
	return err_mark_usage(e);
}
