/* netns.h - the namespace of user-defined networks: one user namespace and
 * one net namespace per user, shared by every container on a network.
 *
 * <runroot>/netns/ holds:
 *   lock       flock(LOCK_EX) while the namespace is looked up or made
 *   holder     "PID START\n" of the holder process, written atomically
 *   hold.sock  the holder's socket: each supervisor keeps a connection
 *   net.sock   the control socket of its burrow-net
 *
 * The holder is a small process that made both namespaces (the ID maps
 * are those of the containers) and keeps them: it brings up lo, enables
 * forwarding, serves the networks' DNS (lib/net/netdns.h), and counts the
 * connections to hold.sock.  When the last one closes it waits the grace
 * period (netns_set_grace; each connection sends the one of its command:
 * "G<ms>\n", the latest applies), and if still nobody holds it and no
 * command holds the lock, it removes its files and exits.
 * Its burrow-net (spawned by the command that made it, ended by the
 * holder's exit) gives the namespace tap0 and the way out.  The bridges,
 * routes and veths are made per container (netns_attach).  A holder found
 * dead is replaced by the next command that needs it. */
#ifndef BURROW_NETNS_H
#define BURROW_NETNS_H

#include <sys/types.h>

#include "lib/base/error.h"

struct network;

struct idmap;
struct container_spec;

/* How long the namespace outlives its last container (burrow.conf
 * network-grace): a run soon after finds it up.  0: it goes at once. */
#define NETNS_GRACE_DEFAULT_MS 10000
/* ms < 0: the default.  For the namespaces this process joins or makes. */
void netns_set_grace(int ms);

/* The namespace, made when needed: fds[0] its user namespace, fds[1] its net
 * namespace, fds[2] a connection to the holder that keeps it alive while
 * open.  All O_CLOEXEC. */
int netns_join(const struct container_spec *s, int fds[3], struct err *e);

/* From the supervisor (root in the shared user namespace): for each of s's
 * networks, the bridge with the gateway's address and its routing in the
 * shared namespace netns_fd, and a veth pair whose peer becomes ethN with
 * the recorded address in init's net namespace, plus the default route
 * (through the first network that is not internal). */
int netns_attach(const struct container_spec *s, int netns_fd, pid_t init, struct err *e);

/* The same begun before the init exists (the supervisor, while it mounts
 * the overlay): a child makes the init's net namespace (unshare) and
 * attaches it, as netns_attach does.  netns_early_netfd() gives that
 * namespace (for the init to join instead of a new one; the caller closes
 * it), netns_early_end() the attach's result; netns_early_cancel() ends
 * and reaps the child.  BURROW_NET_EARLY=0: not used (netns_early_begin
 * returns 0 with p->pid 0), the init makes its namespace and
 * netns_attach follows. */
struct netns_early {
	pid_t pid; /* 0: none */
	int sk;
};
int netns_early_begin(const struct container_spec *s, int netns_fd, struct netns_early *p, struct err *e);
int netns_early_netfd(struct netns_early *p, struct err *e);
int netns_early_end(struct netns_early *p, struct err *e);
void netns_early_cancel(struct netns_early *p);

/* From a command (the user's process): attach the running container s
 * (init its init) to its last network, s->networks[s->nnetworks - 1], as
 * the next free ethK, with no change to its default route (connect); or
 * remove its interface on network (disconnect), whose record s still has. */
int netns_connect(const struct container_spec *s, pid_t init, struct err *e);
int netns_disconnect(const struct container_spec *s, const char *network, struct err *e);

/* s's published ports, by the shared burrow-net to s's address on its
 * first network (fast handler); *ids the forwards, for netns_unpublish,
 * which also frees ids. */
int netns_publish(const struct container_spec *s, int **ids, size_t *n, struct err *e);
void netns_unpublish(const struct container_spec *s, int *ids, size_t n);

/* <runroot>/netns/net.sock, for publishing ports */
char *netns_net_socket(const char *runroot);

/* After network n's record is removed: remove its bridge, routing rule and
 * the default routes of its table from the networks' namespace, if one is
 * up, so a later network given the same bridge starts clean. */
int netns_drop_network(const char *runroot, const struct network *n, struct err *e);

#endif
