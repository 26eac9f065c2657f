/* network.h - user-defined networks: their records in the store and the
 * address arithmetic they need.
 *
 * Layout under the root:
 *   networks/.lock        flock(LOCK_EX) around every change (network_lock)
 *   networks/NAME.json    the record, podman's inspect form:
 *     {"name":"appnet","id":"<64 hex>","driver":"bridge",
 *      "network_interface":"burrow1","created":"RFC 3339",
 *      "subnets":[{"subnet":"10.89.1.0/24","gateway":"10.89.1.1"}],
 *      "ipv6_enabled":false,"internal":false,"dns_enabled":true,
 *      "labels":{"k":"v"},"ipam_options":{"driver":"host-local"}}
 *
 * Records are written to a temporary file and renamed into place
 * (write_file_atomic_at) under the lock; readers need no lock and check
 * every field.  The default network "bridge" (NETWORK_DEFAULT) has no
 * file: it exists without being created, cannot be removed, and lists
 * first.  Which containers are on a network is read from their records
 * ("networks" in config.json, lib/record/netspec.h), so a record never
 * names a container that is gone.
 *
 * Addresses are IPv4 in host byte order. */
#ifndef BURROW_NETWORK_H
#define BURROW_NETWORK_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"

#define NETWORK_DEFAULT "bridge"
#define NETWORK_DEFAULT_SUBNET "10.88.0.0/16"
#define NETWORK_DEFAULT_IFACE "burrow0"
/* networks made without --subnet take the first free 10.89.N.0/24 */
#define NETWORK_AUTO_BASE 0x0a590000u /* 10.89.0.0 */

struct network {
	char *name;
	char id[65];
	char *driver;  /* "bridge" */
	char *iface;   /* the bridge's name in the networks' namespace */
	char *created; /* RFC 3339 */
	uint32_t subnet;
	unsigned bits;
	uint32_t gateway;
	bool internal; /* no route out */
	bool dns;      /* names of members answered by the network's DNS server */
	bool builtin;  /* the default network: no record */
	char **labels; /* "KEY=VALUE" */
};
void network_free(struct network *n);
void networks_free(struct network *v, size_t n);

/* ---- addresses ------------------------------------------------------------ */
/* A.B.C.D (nothing else) into *a. */
int net_ipv4_parse(const char *s, uint32_t *a);
void net_ipv4_str(uint32_t a, char buf[16]);
/* A subnet A.B.C.D/N for a network: 8 <= N <= 30 ("too small" past 30),
 * no host bits set. */
int net_subnet_parse(const char *s, uint32_t *net, unsigned *bits, struct err *e);
bool net_subnets_overlap(uint32_t a, unsigned abits, uint32_t b, unsigned bbits);
/* ip is a host address of net/bits (not the network or broadcast address) */
bool net_in_subnet(uint32_t ip, uint32_t net, unsigned bits);

/* ---- records -------------------------------------------------------------- */
/* Open networks/.lock (making networks/) and flock it; returns the fd. */
int network_lock(const char *root, struct err *e);

struct network_create_opts {
	const char *name;    /* NULL: the first free "burrowN" */
	const char *driver;  /* NULL or "bridge" */
	const char *subnet;  /* NULL: the first free 10.89.N.0/24 */
	const char *gateway; /* NULL: the first host address */
	bool internal;
	bool no_dns;
	char *const *labels; /* "KEY[=VALUE]" */
};
/* Check o (a bad name, driver, subnet or gateway, a subnet that overlaps
 * another network's: EINVAL; a name in use: EEXIST) and write the record.
 * The caller holds network_lock().  Nothing is left on failure. */
int network_create(const char *root, const struct network_create_opts *o, struct network *out, struct err *e);
/* By name, full ID or unique ID prefix (3+ hex digits).  Missing: -1 with
 * errnum ENOENT, "unable to find network with name or ID X: network not found". */
int network_get(const char *root, const char *name_or_id, struct network *out, struct err *e);
/* Every network, the default first, then by name. */
int network_list(const char *root, struct network **out, size_t *n, struct err *e);
/* Remove the record of name (the default cannot be).  Does not check for
 * members.  The caller holds network_lock(). */
int network_remove(const char *root, const char *name, struct err *e);
/* IDs of the containers whose records attach them to network name. */
int network_members(const char *root, const char *name, char ***ids, struct err *e);

/* podman's inspect form (the record's form plus nothing hidden). */
json_object *network_to_json(const struct network *n);

#endif
