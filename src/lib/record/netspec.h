/* netspec.h - the network part of a container spec: the options of
 * --network slirp4netns:OPTS and the published ports, parsed once (by the
 * CLI) and kept typed from then on: in config.json as JSON objects, in the
 * supervisor and in the document burrow-net reads (net.h).
 *
 * JSON forms (config.json "network_options" and "ports"):
 *
 *   {"mtu":65520,"cidr":"10.0.2.0/24","allow_host_loopback":false,
 *    "enable_ipv6":false,"port_handler":"fast"}
 *   [{"host_ip":"127.0.0.1","host_port":8080,"container_port":80,
 *     "count":1,"protocol":"tcp"}, ...]
 *
 * The readers check every field (type, range, address syntax, unknown
 * keys): a record file is input like any other. */
#ifndef BURROW_NETSPEC_H
#define BURROW_NETSPEC_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"
#include "portspec.h"

/* direct: the fast handler, and in addition a TCP socket the container binds
 * to a published port is swapped for one bound on the host (socket
 * switching, helpers/net/switch.c): connections then reach the container
 * without a relay. */
enum port_handler { PORT_HANDLER_FAST, PORT_HANDLER_SLIRP, PORT_HANDLER_DIRECT };

#define NET_DEFAULT_MTU 65520
#define NET_DEFAULT_CIDR "10.0.2.0/24"
#define NET_MTU_MIN 576
#define NET_MTU_MAX 65521

/* More published ports than this (after random ranges are split into
 * single ports) are refused, at creation and when a record is read. */
#define PORT_SPECS_MAX 65536

struct net_opts {
	unsigned mtu;              /* NET_DEFAULT_MTU */
	char cidr[20];             /* NET_DEFAULT_CIDR; guest .100, gateway .2, DNS .3 */
	bool allow_host_loopback;  /* the gateway reaches the host's 127.0.0.1 (default no) */
	bool enable_ipv6;          /* fd00::/64 through libslirp's router advertisements */
	enum port_handler handler; /* how -p forwards are served (default fast) */
};

void net_opts_init(struct net_opts *o);
/* Options of --network slirp4netns:OPTS, a comma list of mtu=N,
 * allow_host_loopback=BOOL, enable_ipv6=BOOL, cidr=A.B.C.D/N,
 * port_handler=fast|slirp|direct (also rootlesskit|slirp4netns, podman's names).
 * NULL or "" changes nothing. */
int net_opts_parse(const char *s, struct net_opts *o, struct err *e);
/* A.B.C.D/N with 8 <= N <= 25 (room for .100): the network (host order)
 * and the prefix length. */
int net_cidr_parse(const char *s, uint32_t *net, unsigned *bits, struct err *e);
const char *port_handler_name(enum port_handler h);

/* --network NAME: a user-defined network (lib/net/network.h) the container
 * is attached to.  The address is picked when the record is made (--ip, or
 * the first free one) and kept: config.json "networks":
 *   [{"name":"appnet","aliases":["api"],"ip":"10.89.0.2"}, ...] */
#define NET_ATTACH_MAX 32
struct net_attach {
	char *network;  /* the network's name */
	char **aliases; /* --network-alias: more names for the container on it */
	char ip[16];    /* A.B.C.D */
};
void net_attaches_free(struct net_attach *v, size_t n);
json_object *net_attaches_to_json(const struct net_attach *v, size_t n);
/* *v is malloc'd (NULL when n is 0); on failure *v is NULL and *n 0. */
int net_attaches_from_json(json_object *j, struct net_attach **v, size_t *n, struct err *e);
/* the MAC address of ip on a network: 02:42 and the four bytes (docker's) */
void net_mac_of(const char *ip, char buf[18]);
/* a name for a container on a network: a container name, an alias */
bool net_alias_valid(const char *s);

json_object *net_opts_to_json(const struct net_opts *o);
int net_opts_from_json(json_object *j, struct net_opts *o, struct err *e);

/* A spec as it is stored: host_port may be 0 only if allow_random. */
int port_spec_check(const struct port_spec *p, bool allow_random, struct err *e);
json_object *port_specs_to_json(const struct port_spec *v, size_t n);
/* *v is malloc'd (NULL when n is 0); on failure *v is NULL and *n 0. */
int port_specs_from_json(json_object *j, struct port_spec **v, size_t *n, struct err *e);

#endif
