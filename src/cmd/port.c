/* port.c - burrow port: the container's published ports.  The -p specs are
 * recorded in config.json; they are forwarded (and so listed) once the
 * slirp network lands, so for the none and host networks this prints
 * nothing, as podman does for a container without published ports. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "ctrutil.h"

enum { O_HELP = 1, O_ALL };
static const struct opt port_opts[] = {
	{ "all", 'a', OPT_FLAG, O_ALL, NULL, "List the ports of all containers" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

CMD_DECL(port)
{
	struct optparser p;
	struct err e = ERR_INIT;
	bool all = false;
	struct ctr c;
	int id, rc;

	opt_init(&p, port_opts, argc, argv);
	while ((id = opt_next(&p, &e)) != 0) {
		switch (id) {
		case O_ALL: all = opt_flag_value(&p); break;
		case O_HELP:
			opt_print_help(stdout, "port", "[OPTIONS] CONTAINER [PRIVATE_PORT[/PROTO]]", "List a container's published ports.", port_opts);
			return 0;
		case -1:
		default:
			goto usage;
		}
	}
	if (all && p.idx < argc) {
		err_make(&e, 0, "--all takes no container");
		goto usage;
	}
	if (all)
		return 0;
	if (argc - p.idx < 1 || argc - p.idx > 2) {
		err_make(&e, 0, "\"burrow port\" requires a container and an optional private port");
		goto usage;
	}
	if (ctr_load(g, argv[p.idx], &c, &e) < 0) {
		rc = cmd_fail(&e);
		err_clear(&e);
		return rc;
	}
	/* no network with forwarding yet: nothing is published */
	ctr_free(&c);
	return 0;
usage:
	rc = cmd_usage_error("port", &e);
	err_clear(&e);
	return rc;
}
