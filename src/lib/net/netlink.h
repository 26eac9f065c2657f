/* netlink.h - the few rtnetlink requests user-defined networks need:
 * bridges, veth pairs, addresses, routes and routing rules.  Each call
 * works in the net namespace the socket was opened in (nl_open), so a
 * process that joined another namespace can keep a socket of each.
 * Addresses are IPv4 in host byte order.  Errors carry the kernel's errno
 * and name the step and the interface. */
#ifndef BURROW_NETLINK_H
#define BURROW_NETLINK_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/base/error.h"

int nl_open(struct err *e);
/* ifindex of name, 0 when there is none */
int nl_ifindex(int nl, const char *name);
/* A bridge (EEXIST is no error): its index in *index. */
int nl_bridge(int nl, const char *name, unsigned mtu, int *index, struct err *e);
/* A veth pair: host end `name` on bridge master (index), up; the peer
 * `peer` moved into the net namespace netns_fd with address mac. */
int nl_veth(int nl, const char *name, int master, const char *peer, int netns_fd, const char *mac,
	    unsigned mtu, struct err *e);
int nl_link_up(int nl, int index, struct err *e);
/* remove interface name (none: no error) */
int nl_link_del(int nl, const char *name, struct err *e);
int nl_addr(int nl, int index, uint32_t addr, unsigned bits, struct err *e); /* EEXIST: no error */
/* A route to dst/bits (0/0: default) in table (0: main), via gw (0: on
 * the link), out of oif (0: any); with neither gw nor oif an unreachable
 * route.  EEXIST is no error. */
int nl_route(int nl, uint32_t dst, unsigned bits, uint32_t gw, int oif, uint32_t table, struct err *e);
/* "from src/bits lookup table" at priority prio; EEXIST is no error. */
int nl_rule(int nl, uint32_t src, unsigned bits, uint32_t table, uint32_t prio, struct err *e);
/* Undo a network's routing: remove that rule and every default route of
 * table (the table's other routes went with their bridge).  Nothing to
 * remove is no error. */
int nl_table_drop(int nl, uint32_t src, unsigned bits, uint32_t table, uint32_t prio, struct err *e);

#endif
