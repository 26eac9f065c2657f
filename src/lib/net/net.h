/* net.h - the usermode network of a container: starts and stops
 * helpers/burrow-net, talks to its control socket, and writes the
 * container's resolv.conf and hosts for that network.  The options and
 * ports (lib/record/netspec.h) reach the helper as one JSON document on an
 * fd (--config-fd), in the form config.json keeps them.
 *
 * Typical use from the process that owns the container's user namespace
 * (the supervisor), once the container init exists but before it execs:
 *
 *   struct net_params o;  net_params_init(&o, &spec->net_opts);
 *   o.ports = spec->ports; o.nports = spec->nports; o.api_socket = ".../net.sock";
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
#include "lib/record/netspec.h"
#include "lib/record/portspec.h"

struct container_spec;

/* How burrow-net is started: the user's options (netspec.h), the published
 * ports and where things are. */
struct net_params {
	struct net_opts opts;
	const char *helper;            /* burrow-net path; NULL: next to our binary, else LIBEXECDIR */
	const char *resolv_conf;       /* upstream resolvers; NULL: /etc/resolv.conf */
	const char *api_socket;        /* control socket path (required, < 108 bytes) */
	const struct port_spec *ports; /* published at start; host_port must not be 0 */
	size_t nports;
	int log_fd; /* the helper's stderr; -1: inherit ours */
};

/* p->opts = *o (NULL: the defaults), nothing else set, log_fd -1. */
void net_params_init(struct net_params *p, const struct net_opts *o);

/* Addresses of the network in o->cidr ("10.0.2.100" ...), into buf (16 bytes). */
enum net_addr { NET_ADDR_GUEST, NET_ADDR_GATEWAY, NET_ADDR_DNS };
int net_addr(const struct net_opts *o, enum net_addr which, char buf[16], struct err *e);

struct net_helper {
	pid_t pid;        /* burrow-net; 0 when not running */
	int exit_fd;      /* closing it stops the helper */
	char *api_socket; /* owned copy of o->api_socket */
	bool pending;     /* spawned, waiting for net_attach(); then: */
	int target_fd;    /*   the pipe the init's pid goes to */
	int ready_fd;     /*   the helper's ready fd */
	int notify_fd;    /* port_handler=direct: where the init sends its seccomp
			   * listener (net_direct_send), else -1 */
};

/* Start burrow-net for the container whose init is init_pid (its user and net
 * namespaces are joined through /proc/PID/ns).  Returns once tap0 is
 * configured and every port in o->ports listens; on failure nothing is left
 * running and e holds the helper's own message (e.g. a busy port).
 * net_start() is net_spawn() then net_attach(). */
int net_start(const struct net_params *o, pid_t init_pid, struct net_helper *h, struct err *e);
/* The same in two steps, so that the helper loads, sets up libslirp and
 * binds the ports while the caller is still creating the container:
 * net_spawn() starts it and returns at once (h->pending); net_attach() hands
 * it the init's pid and waits until it is ready.  A failure of either (a
 * busy port, say) surfaces in net_attach(), which then leaves nothing
 * running.  net_stop() also ends a helper that is still pending. */
int net_spawn(const struct net_params *o, struct net_helper *h, struct err *e);
int net_attach(struct net_helper *h, pid_t init_pid, struct err *e);
/* Close the exit fd and reap the helper (SIGKILL after 5 s).  Returns the
 * helper's wait status, or -1 when it was not running.  Idempotent. */
int net_stop(struct net_helper *h);

/* port_handler=direct (socket switching, helpers/net/switch.c).
 * BURROW_PORT_DIRECT=0 turns it off: the ports are then served by the fast
 * handler alone and the init installs no filter. */
bool net_direct_off(void);
/* Its connect part (switch.c, connect.c): a TCP connect() to the host's
 * loopback address (10.0.2.2) gets a socket connected to the host's
 * 127.0.0.1.  BURROW_CONNECT_DIRECT=0 turns that part off: the filter then
 * sends no connect() and such connections go through slirp. */
bool net_connect_direct_off(void);
/* In the init, after no_new_privs and before its own filters: a seccomp
 * filter that sends the container's bind() and connect() calls of an IPv4
 * or IPv6 address to the process holding the listener, whose fd goes to
 * burrow-net over notify_fd.  Returns 0 when
 * done, 1 (e set) when the filter could not be installed (EBUSY: a
 * listener exists already; the ports are then served by the fast handler
 * alone), -1 when it is installed but its listener could not be passed on
 * (the container must not start: its binds would fail). */
int net_direct_install(int notify_fd, struct err *e);

/* Control socket requests (one JSON line each way). */
struct net_counters {
	uint64_t rx_bytes;   /* into the container (slirp frames + fast forwards + DNS) */
	uint64_t tx_bytes;   /* out of the container */
	uint64_t rx_packets; /* frames written to tap0 */
	uint64_t tx_packets; /* frames read from tap0 */
};
int net_counters(const char *api_socket, struct net_counters *c, struct err *e);
/* Publish one port (count must be 1) at runtime; *id receives the forward
 * id.  guest_addr: where the fast handler connects inside the helper's
 * namespace (NULL: 127.0.0.1), a container's address on a network. */
int net_add_port(const char *api_socket, const struct port_spec *p, enum port_handler handler,
		 const char *guest_addr, int *id, struct err *e);
int net_remove_port(const char *api_socket, int id, struct err *e);
/* Send a raw JSON request line; *reply is the reply line (malloc'd). */
int net_api_call(const char *api_socket, const char *request, char **reply, struct err *e);

/* /etc/resolv.conf for the container: the host's search/options lines (from
 * host_text, may be NULL) and "nameserver <DNS address>". */
char *net_resolv_conf(const struct net_opts *o, const char *host_text);
/* /etc/hosts for the container: localhost, the guest address as hostname and,
 * when host loopback is allowed, host.containers.internal -> the gateway. */
char *net_hosts(const struct net_opts *o, const char *hostname);

/* rundir/hosts and rundir/resolv.conf for s: the network's addresses
 * (slirp4netns), the host's files (host), the target's (container:ID), or
 * a private localhost (none). */
int net_write_etc_files(const struct container_spec *s, struct err *e);

/* Path of burrow-net: $BURROW_NET_HELPER, next to our executable, else LIBEXECDIR. */
char *net_find_helper(void);

/* --network container:ID (s->net == NET_CONTAINER, s->net_container = ID).
 * The container joins the user and net namespaces of ID's init, which must
 * be running (else e->status 125).  net_shared_open() opens both (O_CLOEXEC;
 * *userfd is -1 when that user namespace is already ours) and checks that
 * the init is still the one of the record after the open.  A target on the
 * host's network (--network host) is refused: its namespace belongs to the
 * host.  The record of ID is found beside s's (same root and runroot). */
int net_shared_open(const struct container_spec *s, int *userfd, int *netfd, struct err *e);
/* ID's generated /etc file ("hosts", "resolv.conf") for s to copy, or NULL. */
char *net_shared_file(const struct container_spec *s, const char *name);
/* The control socket of ID's burrow-net (whose counters s shares), or NULL. */
char *net_shared_socket(const struct container_spec *s);

#endif
