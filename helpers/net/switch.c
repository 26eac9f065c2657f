/* switch.c - port_handler=direct: socket switching for published TCP ports
 * (and the listener's dispatch: connect() notifications go to connect.c).
 *
 * The container's init installs a seccomp filter (src/lib/net/direct.c)
 * that sends its bind() calls of a 16- or 28-byte address here.  When a
 * container process binds a TCP socket to a published port (any address or
 * the guest's, IPv4, or IPv6 "::" that also takes IPv4), we make a socket in
 * our (the host's) network namespace bound to the forward's host address
 * and port, put it in place of the container's descriptor
 * (SECCOMP_ADDFD_FLAG_SETFD) and answer 0: the application listens and
 * accepts on the host, and no byte crosses a relay.  Our own listener for
 * the forward is closed first (the fast handler serves it until then).
 * Everything else continues in the kernel as if nothing had looked at it,
 * and so does any bind we cannot serve (UDP, an IPv6-only socket, a port
 * not published, or published on more than one host address or on IPv6,
 * a second socket on a port already switched, a failure).
 *
 * What the container holds then is one socket bound to the address and
 * port the user published.  It is a socket of the host's namespace: it can
 * be reset (connect(AF_UNSPEC); a socket filter to stop that needs
 * privileges on TCP sockets) and then connected to any address the host
 * reaches, its whole loopback included, or bound to another host address
 * and port: hence direct requires allow_host_loopback (lib/record/
 * netspec.c) and is for trusted containers (burrow-run(1)).  The
 * addresses come from our forward table, never from the container; what we
 * read from it (the sockaddr, the socket's type and options) only decides
 * whether to switch.  The notifying task may be gone or its pid reused by
 * the time we look: every look through its pid is followed by
 * SECCOMP_IOCTL_NOTIF_ID_VALID, and the descriptor goes in by notification
 * id, which the kernel ties to the waiting task.
 *
 * Differences the application can see: getsockname() on the switched
 * socket and on its accepted connections gives the host's address and
 * port; the listener is not in the container's `ss`; peers are the real
 * clients (as with the slirp handler).  Socket options set before bind are
 * copied (a short list: keepalive, nodelay, defer-accept, linger); those
 * set after apply to the host socket itself. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bnet.h"
#include "lib/base/log.h"
#include "lib/base/util.h"

static struct watch *listener_w;

bool notif_id_valid(int lfd, uint64_t id)
{
	return ioctl(lfd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

void notif_respond(int lfd, uint64_t id, bool cont, int error)
{
	struct seccomp_notif_resp r = { .id = id, .error = error };

	if (cont)
		r.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	/* ENOENT: the task is gone (killed, or its call interrupted) */
	ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &r);
}

/* the forward a bind of (family, addr, port) in the container goes to */
static struct fwd *match(struct bnet *b, const struct sockaddr_storage *ss)
{
	uint16_t port;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;

		if (a->sin_addr.s_addr != htonl(INADDR_ANY) && a->sin_addr.s_addr != b->guest.s_addr)
			return NULL;
		port = ntohs(a->sin_port);
	} else {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;

		if (!IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr))
			return NULL;
		port = ntohs(a->sin6_port);
	}
	struct fwd *found = NULL;

	/* one host address per port: with two, the other would lose its relay */
	for (struct fwd *f = b->fwds; f; f = f->next)
		if (!f->udp && f->guest_port == port) {
			if (found || f->handler != H_DIRECT || f->target.s_addr ||
			    f->host.ss_family != AF_INET)
				return NULL;
			found = f;
		}
	return found;
}

int sockopt_int(int fd, int level, int name)
{
	int v = 0;
	socklen_t l = sizeof(v);

	return getsockopt(fd, level, name, &v, &l) == 0 ? v : -1;
}

/* the descriptor flags of fd in pid: O_CLOEXEC to give the new one */
bool notif_fd_cloexec(pid_t pid, int fd)
{
	char path[64], buf[256];
	int f;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return false;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	char *p = strstr(buf, "flags:");
	return p && (strtoul(p + 6, NULL, 8) & O_CLOEXEC);
}

/* A socket like the container's (ctr) bound to f's host address, or -1.
 * An IPv6 socket is bound to the host address as an IPv4-mapped one (or
 * "::" for 0.0.0.0), dual-stack as the container's was. */
static int host_socket(struct fwd *f, int ctr, int family)
{
	static const int sol[] = { SO_KEEPALIVE };
	static const int tcp[] = { TCP_NODELAY, TCP_DEFER_ACCEPT, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT };
	const struct sockaddr_in *h = (const struct sockaddr_in *)&f->host;
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, zero = 0, fl = fcntl(ctr, F_GETFL);
	int fd = socket(family,
			SOCK_STREAM | SOCK_CLOEXEC | (fl >= 0 && (fl & O_NONBLOCK) ? SOCK_NONBLOCK : 0),
			IPPROTO_TCP);
	struct linger lg;
	socklen_t ll = sizeof(lg);

	if (fd < 0)
		return -1;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		memcpy(&ss, h, sizeof(*h));
		len = sizeof(*h);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = h->sin_port;
		if (h->sin_addr.s_addr != htonl(INADDR_ANY)) {
			a->sin6_addr.s6_addr[10] = a->sin6_addr.s6_addr[11] = 0xff;
			memcpy(&a->sin6_addr.s6_addr[12], &h->sin_addr, 4);
		}
		len = sizeof(*a);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	for (size_t i = 0; i < sizeof(sol) / sizeof(sol[0]); i++) {
		int v = sockopt_int(ctr, SOL_SOCKET, sol[i]);
		if (v > 0)
			setsockopt(fd, SOL_SOCKET, sol[i], &v, sizeof(v));
	}
	for (size_t i = 0; i < sizeof(tcp) / sizeof(tcp[0]); i++) {
		int v = sockopt_int(ctr, IPPROTO_TCP, tcp[i]);
		if (v > 0)
			setsockopt(fd, IPPROTO_TCP, tcp[i], &v, sizeof(v));
	}
	if (getsockopt(ctr, SOL_SOCKET, SO_LINGER, &lg, &ll) == 0 && lg.l_onoff)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The inet address a bind() or connect() notification points at (args 1
 * and 2), read once from the caller's memory into ss: false unless it is a
 * whole sockaddr_in or sockaddr_in6 of that family.  Whatever is done with
 * the address is done with this copy, never with the caller's memory. */
bool notif_sockaddr(const struct seccomp_notif *n, struct sockaddr_storage *ss, size_t *lenp)
{
	size_t len = (size_t)n->data.args[2];
	struct iovec local, remote;

	if (len != sizeof(struct sockaddr_in) && len != sizeof(struct sockaddr_in6))
		return false;
	memset(ss, 0, sizeof(*ss));
	local = (struct iovec){ ss, len };
	remote = (struct iovec){ (void *)(uintptr_t)n->data.args[1], len };
	if (process_vm_readv(n->pid, &local, 1, &remote, 1, 0) != (ssize_t)len)
		return false;
	if (!((ss->ss_family == AF_INET && len == sizeof(struct sockaddr_in)) ||
	      (ss->ss_family == AF_INET6 && len == sizeof(struct sockaddr_in6))))
		return false;
	*lenp = len;
	return true;
}

/* bind(fd, addr, len) of pid: true when it was answered with a host socket */
static bool try_switch(struct bnet *b, int lfd, const struct seccomp_notif *n)
{
	struct sockaddr_storage ss;
	size_t len;
	int tfd = (int)n->data.args[0];
	_cleanup_close_ int pidfd = -1, ctr = -1, hfd = -1;
	struct stat st;
	struct fwd *f;
	bool cloexec, relisten = false;

	if (n->data.nr != __NR_bind || !notif_sockaddr(n, &ss, &len))
		return false;
	f = match(b, &ss);
	if (!f)
		return false;
	/* the socket itself: a TCP socket of that family, unbound, dual-stack */
	pidfd = (int)syscall(SYS_pidfd_open, n->pid, 0);
	if (pidfd < 0 || !notif_id_valid(lfd, n->id))
		return false;
	ctr = (int)syscall(SYS_pidfd_getfd, pidfd, tfd, 0);
	if (ctr < 0 || fstat(ctr, &st) < 0 || !S_ISSOCK(st.st_mode))
		return false;
	if (sockopt_int(ctr, SOL_SOCKET, SO_DOMAIN) != ss.ss_family ||
	    sockopt_int(ctr, SOL_SOCKET, SO_TYPE) != SOCK_STREAM ||
	    sockopt_int(ctr, SOL_SOCKET, SO_PROTOCOL) != IPPROTO_TCP ||
	    (ss.ss_family == AF_INET6 && sockopt_int(ctr, IPPROTO_IPV6, IPV6_V6ONLY) != 0))
		return false;
	{
		struct sockaddr_storage cur;
		socklen_t cl = sizeof(cur);

		memset(&cur, 0, sizeof(cur));
		/* bound already: let the kernel say EINVAL */
		if (getsockname(ctr, (struct sockaddr *)&cur, &cl) < 0 ||
		    (cur.ss_family == AF_INET ? ((struct sockaddr_in *)&cur)->sin_port
					      : ((struct sockaddr_in6 *)&cur)->sin6_port) != 0)
			return false;
	}
	cloexec = notif_fd_cloexec(n->pid, tfd);
	if (!notif_id_valid(lfd, n->id))
		return false;
	/* the port: ours until now (or free again, when a switched socket was
	 * closed), the container's from here */
	if (f->w) {
		fwd_unlisten(b, f);
		relisten = true;
	}
	hfd = host_socket(f, ctr, ss.ss_family);
	if (hfd < 0) {
		log_debug("port %u: no host socket for the container (%s)", f->guest_port, strerror(errno));
		if (relisten)
			fwd_relisten(b, f);
		return false;
	}
	struct seccomp_notif_addfd add = { .id = n->id,
					   .flags = SECCOMP_ADDFD_FLAG_SETFD,
					   .srcfd = (uint32_t)hfd,
					   .newfd = (uint32_t)tfd,
					   .newfd_flags = cloexec ? O_CLOEXEC : 0 };
	if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_ADDFD, &add) < 0) {
		log_debug("port %u: SECCOMP_IOCTL_NOTIF_ADDFD: %s", f->guest_port, strerror(errno));
		closep(&hfd);
		fwd_relisten(b, f);
		return false;
	}
	f->switched = true;
	log_debug("port %u: the container's socket is bound on the host, port %u", f->guest_port,
		  fwd_host_port(f));
	return true;
}

static void on_notify(struct bnet *b, struct watch *w, short revents)
{
	struct seccomp_notif n;

	if (revents & (POLLHUP | POLLERR | POLLNVAL)) {
		/* no task uses the filter any more */
		close(w->fd);
		watch_del(b, w);
		if (listener_w == w)
			listener_w = NULL;
		return;
	}
	memset(&n, 0, sizeof(n));
	if (ioctl(w->fd, SECCOMP_IOCTL_NOTIF_RECV, &n) < 0)
		return; /* ENOENT: the task went before we looked */
	if (n.data.nr == __NR_connect) {
		if (!connect_switch(b, w->fd, &n))
			notif_respond(w->fd, n.id, true, 0);
	} else if (try_switch(b, w->fd, &n))
		notif_respond(w->fd, n.id, false, 0);
	else
		notif_respond(w->fd, n.id, true, 0);
}

static void on_listener(struct bnet *b, struct watch *w, short revents)
{
	char c;
	int fd = -1;
	ssize_t r = fd_recvmsg(w->fd, &c, 1, &fd);

	(void)revents;
	if (r <= 0) {
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		close(w->fd);
		watch_del(b, w);
		return;
	}
	if (fd < 0)
		return;
	if (listener_w) {
		close(listener_w->fd);
		watch_del(b, listener_w);
	}
	listener_w = watch_add(b, fd, POLLIN, on_notify, NULL);
}

void switch_init(struct bnet *b, int fd)
{
	watch_add(b, fd, POLLIN, on_listener, NULL);
}
