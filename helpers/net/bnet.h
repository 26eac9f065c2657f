/* bnet.h - internals of burrow-net (see main.c for the command line).
 * Errors travel as struct err (lib/base/error.h); main.c prints them with
 * the logger (lib/base/log.h) and reports them on the ready fd. */
#ifndef BURROW_BNET_H
#define BURROW_BNET_H

#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <libslirp.h>

#include "lib/base/error.h"
#include "lib/record/portspec.h"

struct bnet;

/* ---- the event loop (main.c) ----------------------------------------------
 * Every fd the loop watches is a struct watch; the callback runs when poll
 * reports one of the events.  Watches are removed with watch_del() (safe
 * from inside a callback: the slot is freed after the dispatch). */
struct watch;
typedef void (*watch_cb)(struct bnet *b, struct watch *w, short revents);
struct watch {
	int fd;
	short events;
	bool dead;
	watch_cb cb;
	void *data;
};
struct watch *watch_add(struct bnet *b, int fd, short events, watch_cb cb, void *data);
void watch_del(struct bnet *b, struct watch *w);
uint64_t now_ms(void);
/* run fwd_sweep(), dns_sweep() and connect_sweep() at now_ms() + in_ms at
 * the latest */
static inline void want_sweep(struct bnet *b, uint64_t in_ms);

/* ---- counters (atomic: fast TCP forwards run in threads) ---------------- */
struct counters {
	uint64_t rx_bytes, tx_bytes, rx_packets, tx_packets;
};
#define COUNT(b, field, n) __atomic_fetch_add(&(b)->cnt.field, (uint64_t)(n), __ATOMIC_RELAXED)

/* ---- limits ---------------------------------------------------------------
 * What one client, or anyone who can reach a published port, may make the
 * helper hold (--config-fd "limits", main.c; 0 there means the default).
 * Past tcp_connections a new connection to a fast TCP forward is reset;
 * past udp_flows a datagram from a new source replaces the flow idle the
 * longest; flows idle for udp_idle_ms are dropped; past api_clients a new
 * control connection is closed.  tcp_idle_ms (0: none, the default, as
 * protocols such as ssh and database pools keep idle connections) closes
 * fast TCP connections that moved no byte either way for that long. */
struct limits {
	unsigned tcp_connections; /* per fast TCP forward (two threads each) */
	unsigned tcp_idle_ms;
	unsigned udp_flows; /* per fast UDP forward */
	unsigned udp_idle_ms;
	unsigned api_clients;
};
#define LIMIT_TCP_CONNECTIONS 256
#define LIMIT_UDP_FLOWS 256
#define LIMIT_UDP_IDLE_MS 60000
#define LIMIT_API_CLIENTS 32

/* ---- forwards (fwd.c) ---------------------------------------------------- */
/* H_DIRECT: H_FAST, and a TCP forward's listening socket can go to the
 * container (switch.c) */
enum handler { H_FAST, H_SLIRP, H_DIRECT };
struct fwd {
	int id;
	bool udp;
	enum handler handler;
	struct sockaddr_storage host; /* bound address (port filled in) */
	socklen_t hostlen;
	uint16_t guest_port;
	struct in_addr target;  /* fast: where inside the namespace (0: 127.0.0.1) */
	struct watch *w;        /* fast: the listening / UDP socket (NULL: switched) */
	bool switched;          /* direct: the container holds the host socket */
	struct udp_flow *flows; /* fast UDP: per-client sockets */
	unsigned nflows;
	int conns; /* fast TCP: open connections (atomic: their threads end them) */
	int refs;  /* the list's reference and one per connection (atomic) */
	struct fwd *next;
};

struct bnet {
	/* options */
	int ready_fd, exit_fd;
	const char *api_path;
	unsigned mtu;
	struct in_addr net, mask, guest, gateway, dns;
	bool disable_host_loopback, enable_ipv6;
	enum handler handler;
	const char *resolv_conf;

	Slirp *slirp;
	int tapfd;
	int factory;              /* SOCK_SEQPACKET to the in-namespace socket factory */
	pid_t factory_pid;        /* the factory as a child process (a user namespace to join) */
	pthread_t factory_thread; /* ... or as a thread of ours (already in that user namespace) */
	bool factory_is_thread;
	pthread_mutex_t factory_lock;
	struct counters cnt;

	struct watch **watches;
	size_t nwatches;
	bool quit;

	struct fwd *fwds;
	int next_id;

	struct dns *dns_state;
	uint64_t next_sweep;
	struct limits lim;
};

static inline void want_sweep(struct bnet *b, uint64_t in_ms)
{
	uint64_t t = now_ms() + in_ms;

	if (!b->next_sweep || t < b->next_sweep)
		b->next_sweep = t;
}

/* ns.c: join the target's namespaces in a child, create and configure tap0
 * there, return the tap fd; the child stays as the socket factory.  When
 * no user namespace is to be joined (userns_fd < 0: we run in the one that
 * owns the net namespace, as under burrow's supervisor), the child is a thread
 * that joins the net namespace alone (setns is per thread), which spares a
 * fork and a process. */
int ns_setup(struct bnet *b, int userns_fd, int netns_fd, struct err *e);
/* A socket of the given type created inside the container's netns. */
int ns_socket(struct bnet *b, int domain, int type);

/* fwd.c */
/* Returns the new forward's id, or -1 with e set. */
/* target: the fast handler's address inside the namespace (s_addr 0:
 * 127.0.0.1), as a shared namespace forwards to a container's address. */
int fwd_add(struct bnet *b, bool udp, const char *host_addr, uint16_t host_port, uint16_t guest_port,
	    struct in_addr target, enum handler h, struct err *e);
int fwd_remove(struct bnet *b, int id);
void fwd_sweep(struct bnet *b); /* idle UDP flows */
uint16_t fwd_host_port(const struct fwd *f);
/* stop listening (the socket is closed), listen again (bind_host anew: -1
 * when the port is taken) */
void fwd_unlisten(struct bnet *b, struct fwd *f);
int fwd_relisten(struct bnet *b, struct fwd *f);

/* switch.c: port_handler=direct.  The init's seccomp listener arrives on
 * the socket fd (--notify-fd); its bind() notifications are served from
 * the main loop. */
void switch_init(struct bnet *b, int fd);
/* shared with connect.c: whether notification id still waits; answer it
 * (cont: continue the call in the kernel, else return error, a negative
 * errno, or 0); an int socket option of fd (-1: none); whether fd of pid
 * is close-on-exec; the inet address a bind() or connect() notification
 * points at, read once (false unless a whole sockaddr_in or _in6) */
struct seccomp_notif;
bool notif_sockaddr(const struct seccomp_notif *n, struct sockaddr_storage *ss, size_t *lenp);
bool notif_id_valid(int lfd, uint64_t id);
void notif_respond(int lfd, uint64_t id, bool cont, int error);
int sockopt_int(int fd, int level, int name);
bool notif_fd_cloexec(pid_t pid, int fd);
/* connect.c: a connect() notification (lfd: the listener).  Returns false
 * when the call is to continue in the kernel; true when it was answered,
 * or will be from the main loop once the host's connect completes. */
bool connect_switch(struct bnet *b, int lfd, const struct seccomp_notif *n);
/* answers the blocking connects whose SO_SNDTIMEO ran out */
void connect_sweep(struct bnet *b);
/* open fast TCP connections and UDP flows of every forward */
void fwd_usage(struct bnet *b, uint64_t *tcp, uint64_t *udp);

/* api.c */
int api_listen(struct bnet *b, struct err *e);
void api_close(struct bnet *b);

/* dns.c: answers for the guest's DNS address, proxied to the resolv.conf
 * servers.  dns_input() returns true when it consumed the frame. */
int dns_init(struct bnet *b, struct err *e);
bool dns_input(struct bnet *b, const uint8_t *frame, size_t len);
void dns_sweep(struct bnet *b);
void dns_free(struct bnet *b);

/* main.c: write a frame to tap0 */
void tap_send(struct bnet *b, const void *buf, size_t len);

#endif
