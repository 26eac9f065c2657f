/* netdns.h - the DNS server of user-defined networks.
 *
 * It runs in the shared net namespace (in the holder, runtime/netns.h) on
 * UDP port 53 of every address there; a query's destination, a network's
 * gateway, says which network asks.  A/AAAA queries for the name, the
 * aliases on that network and the short ID of a container on the network
 * whose run directory exists (it is started) are answered from the
 * records (a container on several networks also gets the names of its
 * other networks, from the DNS server of its first one).  The records are
 * kept between queries and read again when a directory or a config.json
 * changed (BURROW_DNS_CACHE=0: at each query), so names follow containers
 * as they start, stop and are renamed.  Other queries are forwarded to the usermode
 * network's DNS (10.0.2.3, burrow-net's forwarder) by a thread each (at
 * most NETDNS_FORWARDS at once, more are dropped). */
#ifndef BURROW_NETDNS_H
#define BURROW_NETDNS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"

#define NETDNS_FORWARDS 64
#define NETDNS_UPSTREAM 0x0a000203 /* 10.0.2.3 */

struct netdns;
/* root: the store; runroot: the run root (containers' run directories) */
int netdns_open(struct netdns **d, const char *root, const char *runroot, struct err *e);
int netdns_fd(const struct netdns *d);
/* read and answer (or forward) the queries waiting on netdns_fd() */
void netdns_input(struct netdns *d);
void netdns_close(struct netdns *d);

/* The answer to query q (len bytes) for network net, asked by the
 * container at address client there (may be NULL), from the records, into
 * out (at most 512 bytes); 0 when the name is not a member's (to be
 * forwarded), -1 when q is malformed.  For tests. */
int netdns_answer(const char *root, const char *runroot, const char *net, const char *client,
		  const uint8_t *q, size_t len, uint8_t *out, size_t *outlen);

#endif
