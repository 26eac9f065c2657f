/* netdrive.c - drive src/lib/net/net.c the way the supervisor does, for the tests.
 *
 *   netdrive PID APISOCK NETOPTS [RESOLV_CONF|-] [-p SPEC]... [-P EXPOSED]...
 *
 * Parses NETOPTS like --network slirp4netns:NETOPTS, assigns random host
 * ports, checks them, calls net_start() for the namespaces of PID and prints
 * "ready" and one "published HOSTPORT/PROTO CONTAINERPORT" line per port.
 * Then it waits for EOF on stdin, prints "counters RX TX" and calls
 * net_stop().  The helper is found through $BURROW_NET_HELPER.  Errors: "error: MESSAGE" on stderr, status 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/net/net.h"
#include "lib/base/util.h"

static struct port_spec *ports;
static char **exposed;

static int die(struct err *e)
{
	fprintf(stderr, "error: %s\n", e->msg ? e->msg : "?");
	err_clear(e);
	free(ports);
	strv_free(exposed);
	return 1;
}

int main(int argc, char **argv)
{
	struct err e = ERR_INIT;
	struct net_params o;
	struct net_helper h;
	struct net_counters c;
	size_t n = 0;
	char buf[256];

	if (argc < 4) {
		fprintf(stderr, "usage: netdrive PID APISOCK NETOPTS [RESOLV|-] [-p SPEC]... [-P PORT]...\n");
		return 2;
	}
	net_params_init(&o, NULL);
	if (net_opts_parse(argv[3], &o.opts, &e) < 0)
		return die(&e);
	o.api_socket = argv[2];
	int i = 4;
	if (i < argc && argv[i][0] != '-') {
		o.resolv_conf = argv[i];
		i++;
	} else if (i < argc && strcmp(argv[i], "-") == 0) {
		i++;
	}
	for (; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "-p") == 0) {
			ports = xrealloc(ports, (n + 1) * sizeof(*ports));
			if (port_spec_parse(argv[i + 1], &ports[n], &e) < 0)
				return die(&e);
			n++;
		} else if (strcmp(argv[i], "-P") == 0) {
			strv_push(&exposed, argv[i + 1]);
		}
	}
	if (port_specs_from_exposed(exposed, &ports, &n, &e) < 0 || ports_assign_random(&ports, &n, &e) < 0 ||
	    ports_check_available(ports, n, &e) < 0)
		return die(&e);
	o.ports = ports;
	o.nports = n;
	if (net_start(&o, (pid_t)atoi(argv[1]), &h, &e) < 0)
		return die(&e);
	printf("ready %d\n", (int)h.pid);
	for (size_t k = 0; k < n; k++)
		for (unsigned j = 0; j < ports[k].count; j++)
			printf("published %u/%s %u\n", ports[k].host_port + j, ports[k].udp ? "udp" : "tcp",
			       ports[k].container_port + j);
	fflush(stdout);
	while (fgets(buf, sizeof(buf), stdin))
		;
	if (net_counters(h.api_socket, &c, &e) < 0)
		return die(&e);
	printf("counters %llu %llu\n", (unsigned long long)c.rx_bytes, (unsigned long long)c.tx_bytes);
	int st = net_stop(&h);
	printf("stopped %d\n", st);
	printf("socket %s\n", access(argv[2], F_OK) == 0 ? "left" : "removed");
	free(ports);
	strv_free(exposed);
	return 0;
}
