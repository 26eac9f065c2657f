/* net.h - the usermode network of a container: starts and stops
 * helpers/burrow-net, talks to its control socket, and writes the
 * container's resolv.conf and hosts text for that network.
 *
 * Typical use from the process that owns the container's user namespace
 * (the supervisor), once the container init exists but before it execs:
 *
 *   struct net_opts o;  net_opts_init(&o);
 *   net_opts_parse(opts_from_--network, &o, e);      // "mtu=..,port_handler=.."
 *   ports_assign_random(&ports, &n, e); ports_check_available(ports, n, e);
 *   o.ports = ports; o.nports = n; o.api_socket = ".../net.sock";
 *   net_start(&o, init_pid, &h, e);                  // returns when tap0 is up
 *     (or net_spawn(&o, &h, e) before the init exists, net_attach(&h, init_pid, e) after)
 *   ...container runs...   net_counters(h.api_socket, &c, e);
 *   net_stop(&h);                                    // at container exit
 *
 * The helper also ends by itself when init_pid exits or when the process
 * holding h.exit_fd dies.  The supervisor (supervisor.c) spawns it before it mounts
 * the overlay, so loading it, libslirp and the port binding overlap with the
 * container's own setup.
 *
 * --network container:ID does not start a helper: net_shared_open() gives
 * the namespaces to join, net_shared_file() ID's /etc/hosts and resolv.conf. */
#ifndef BURROW_NET_H
#define BURROW_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/base/error.h"
#include "lib/record/portspec.h"

enum port_handler { PORT_HANDLER_FAST, PORT_HANDLER_SLIRP };

#define NET_DEFAULT_MTU 65520
#define NET_DEFAULT_CIDR "10.0.2.0/24"

struct net_opts {
	unsigned mtu;                   /* NET_DEFAULT_MTU */
	char cidr[20];                  /* NET_DEFAULT_CIDR; guest .100, gateway .2, DNS .3 */
	bool allow_host_loopback;       /* 10.0.2.2 reaches the host's 127.0.0.1 (default no) */
	bool enable_ipv6;               /* fd00::/64 through libslirp's router advertisements */
	enum port_handler handler;      /* how -p forwards are served (default fast) */
	const char *helper;             /* burrow-net path; NULL: next to our binary, else LIBEXECDIR */
	const char *resolv_conf;        /* upstream resolvers; NULL: /etc/resolv.conf */
	const char *api_socket;         /* control socket path (required, < 108 bytes) */
	const struct port_spec *ports;  /* published at start; host_port must not be 0 */
	size_t nports;
	int log_fd;                     /* the helper's stderr; -1: inherit ours */
};

void net_opts_init(struct net_opts *o);
/* Options of --network slirp4netns:OPTS, a comma list of mtu=N,
 * allow_host_loopback=BOOL, enable_ipv6=BOOL, cidr=A.B.C.D/N,
 * port_handler=fast|slirp (also rootlesskit|slirp4netns, podman's names).
 * NULL or "" changes nothing. */
int net_opts_parse(const char *s, struct net_opts *o, struct err *e);

/* Addresses of the network in o->cidr ("10.0.2.100" ...), into buf (16 bytes). */
enum net_addr { NET_ADDR_GUEST, NET_ADDR_GATEWAY, NET_ADDR_DNS };
int net_addr(const struct net_opts *o, enum net_addr which, char buf[16], struct err *e);

struct net_helper {
	pid_t pid;          /* burrow-net; 0 when not running */
	int exit_fd;        /* closing it stops the helper */
	char *api_socket;   /* owned copy of o->api_socket */
	bool pending;       /* spawned, waiting for net_attach(); then: */
	int target_fd;      /*   the pipe the init's pid goes to */
	int ready_fd;       /*   the helper's ready fd */
};

/* Start burrow-net for the container whose init is init_pid (its user and net
 * namespaces are joined through /proc/PID/ns).  Returns once tap0 is
 * configured and every port in o->ports listens; on failure nothing is left
 * running and e holds the helper's own message (e.g. a busy port).
 * net_start() is net_spawn() then net_attach(). */
int net_start(const struct net_opts *o, pid_t init_pid, struct net_helper *h, struct err *e);
/* The same in two steps, so that the helper loads, sets up libslirp and
 * binds the ports while the caller is still creating the container:
 * net_spawn() starts it and returns at once (h->pending); net_attach() hands
 * it the init's pid and waits until it is ready.  A failure of either (a
 * busy port, say) surfaces in net_attach(), which then leaves nothing
 * running.  net_stop() also ends a helper that is still pending. */
int net_spawn(const struct net_opts *o, struct net_helper *h, struct err *e);
int net_attach(struct net_helper *h, pid_t init_pid, struct err *e);
/* Close the exit fd and reap the helper (SIGKILL after 5 s).  Returns the
 * helper's wait status, or -1 when it was not running.  Idempotent. */
int net_stop(struct net_helper *h);

/* Control socket requests (one JSON line each way). */
struct net_counters {
	uint64_t rx_bytes;    /* into the container (slirp frames + fast forwards + DNS) */
	uint64_t tx_bytes;    /* out of the container */
	uint64_t rx_packets;  /* frames written to tap0 */
	uint64_t tx_packets;  /* frames read from tap0 */
};
int net_counters(const char *api_socket, struct net_counters *c, struct err *e);
/* Publish one port (count must be 1) at runtime; *id receives the forward id. */
int net_add_port(const char *api_socket, const struct port_spec *p, enum port_handler handler,
		 int *id, struct err *e);
int net_remove_port(const char *api_socket, int id, struct err *e);
/* Send a raw JSON request line; *reply is the reply line (malloc'd). */
int net_api_call(const char *api_socket, const char *request, char **reply, struct err *e);

/* /etc/resolv.conf for the container: the host's search/options lines (from
 * host_text, may be NULL) and "nameserver <DNS address>". */
char *net_resolv_conf(const struct net_opts *o, const char *host_text);
/* /etc/hosts for the container: localhost, the guest address as hostname and,
 * when host loopback is allowed, host.containers.internal -> the gateway. */
char *net_hosts(const struct net_opts *o, const char *hostname);

/* Path of burrow-net: $BURROW_NET_HELPER, next to our executable, else LIBEXECDIR. */
char *net_find_helper(void);

/* --network container:ID (s->net == NET_CONTAINER, s->net_container = ID).
 * The container joins the user and net namespaces of ID's init, which must
 * be running (else e->status 125).  net_shared_open() opens both (O_CLOEXEC;
 * *userfd is -1 when that user namespace is already ours) and checks that
 * the init is still the one of the record after the open.  A target on the
 * host's network (--network host) is refused: its namespace belongs to the
 * host.  The record of ID is found beside s's (same root and runroot). */
struct container_spec;
int net_shared_open(const struct container_spec *s, int *userfd, int *netfd, struct err *e);
/* ID's generated /etc file ("hosts", "resolv.conf") for s to copy, or NULL. */
char *net_shared_file(const struct container_spec *s, const char *name);
/* The control socket of ID's burrow-net (whose counters s shares), or NULL. */
char *net_shared_socket(const struct container_spec *s);

#endif
