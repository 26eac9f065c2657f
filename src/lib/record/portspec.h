/* portspec.h - published ports: the -p/--publish parser, -P (EXPOSE) lists,
 * random host port assignment and the "can this host port be bound" check.
 *
 * Syntax of one -p value (podman's):
 *
 *   [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]
 *
 * IP is IPv4 or a bracketed IPv6 address ("[::1]"); empty or absent means
 * all addresses.  HOSTPORT empty or 0 means "a random free port".  Both
 * ports may be ranges "A-B"; a host range must have the length of the
 * container range.  "80" alone publishes container port 80 on a random host
 * port.  Pure functions over strings, plus bind() probes: unit-tested in
 * tests/unit/portspec.c. */
#ifndef BURROW_PORTSPEC_H
#define BURROW_PORTSPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"

#define PORT_IP_MAX 48

struct port_spec {
	char host_ip[PORT_IP_MAX]; /* "" = all addresses; IPv6 without brackets */
	uint16_t host_port;        /* first host port; 0 = random */
	uint16_t container_port;   /* first container port */
	uint16_t count;            /* range length, >= 1 */
	bool udp;                  /* false = tcp */
};

/* Parse one -p value. */
int port_spec_parse(const char *s, struct port_spec *p, struct err *e);
/* Format back to the -p syntax (always with the protocol). */
char *port_spec_format(const struct port_spec *p);

/* -P: one spec per EXPOSE entry ("80", "80/tcp", "53/udp", "8000-8002/tcp"),
 * every one on a random host port.  Appends to *v (length *n). */
int port_specs_from_exposed(char *const *exposed, struct port_spec **v, size_t *n, struct err *e);

/* Give every spec with host_port 0 a free host port (each port of a random
 * range gets its own, so such a spec is split into count specs of one port).
 * *v may be reallocated. */
int ports_assign_random(struct port_spec **v, size_t *n, struct err *e);

/* Fail (with a message naming the port and the fix) when a host port is
 * below net.ipv4.ip_unprivileged_port_start or already in use, or when two
 * specs publish the same host port twice.  Ports of 0 are skipped. */
int ports_check_available(const struct port_spec *v, size_t n, struct err *e);

/* The value of /proc/sys/net/ipv4/ip_unprivileged_port_start (1024 when it
 * cannot be read). */
unsigned port_unprivileged_start(void);

#endif
