/* connect.c - port_handler=direct, outgoing: a container's TCP connect()
 * to the host's loopback address gets a socket connected on the host.
 *
 * With allow_host_loopback=true (which direct requires) slirp maps the
 * gateway address (10.0.2.2) to the host's 127.0.0.1: every byte of such a
 * connection crosses the tap device, libslirp's TCP stack and a host socket.
 * The init's seccomp filter (src/lib/net/direct.c) also sends connect()
 * calls of a 16- or 28-byte address here.  When one goes to that address
 * (or to ::ffff:10.0.2.2 from a dual-stack IPv6 socket), we make a TCP
 * socket of the same family in our (the host's) network namespace, give it
 * the options the container set on its own, connect it to 127.0.0.1 (or
 * ::ffff:127.0.0.1) on the same port, put it in place of the container's
 * descriptor (SECCOMP_ADDFD_FLAG_SETFD) and answer with the connect's
 * result: the application then talks to the host's server over the host's
 * loopback.  The call is emulated, never continued: the address the kernel
 * connects to is ours (the loopback and the port read once), so the
 * container cannot change it after our check.
 *
 * Only a TCP socket, AF_INET or dual-stack AF_INET6, unbound and
 * unconnected, is switched; everything else (another address, UDP, a bound
 * socket, a failure of ours) continues in the kernel, through slirp.  A
 * non-blocking socket gets the host socket at once, with EINPROGRESS when
 * the connect has not completed yet.  A blocking one gets it at once when
 * the handshake is over already (on the loopback it mostly is), else it
 * waits, its call pending, while the main loop waits for the host socket
 * to become writable: then it gets the socket (blocking again) and 0, or
 * the error with its own socket left as it was (unconnected, as after a
 * failed connect); or, when its SO_SNDTIMEO runs out first, the socket,
 * still connecting, and EINPROGRESS, as the kernel answers then.
 *
 * What the application sees differently: getpeername() gives 127.0.0.1 or
 * ::ffff:127.0.0.1 (not 10.0.2.2), getsockname() a host address and port;
 * the connection is not in the container's `ss` or /proc/net/tcp but in
 * the host's; a socket that was in an epoll set before connect() leaves it
 * (the set holds the old socket); options set before connect() are copied
 * (a list below), those set after apply to the host socket itself.  What
 * the container gains: a TCP socket in the host's namespace, connected to
 * the host's loopback; and as with a bound one (switch.c), a socket of
 * the host's namespace, which it can reset and connect or bind there as a
 * host program could: direct is for trusted containers (burrow-run(1)). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bnet.h"
#include "lib/base/log.h"
#include "lib/base/util.h"

/* Blocking connects waiting at once, at most: past that, a connect goes
 * through slirp (a host port whose backlog is full keeps one waiting for
 * the kernel's SYN retries, two minutes). */
#define PENDING_MAX 256
static unsigned npending;

/* a blocking connect waiting for the host socket (the watch's fd) */
struct pending {
	int lfd; /* our own duplicate of the listener: it may close meanwhile */
	uint64_t id;
	int tfd;
	bool cloexec;
	uint64_t deadline; /* now_ms() at SO_SNDTIMEO's end, 0: none */
	struct watch *w;
	struct pending *next;
};
static struct pending *pendings;

/* Options of the container's socket (ctr) that matter to a client, on the
 * host socket fd.  Integers are copied when set (non-zero), buffer sizes
 * when they differ from a fresh socket's (the namespaces start with the same
 * defaults), timeouts when set. */
static void copy_options(int ctr, int fd)
{
	static const struct {
		int level, name;
	} ints[] = {
		{ SOL_SOCKET, SO_REUSEADDR },       { SOL_SOCKET, SO_REUSEPORT },
		{ SOL_SOCKET, SO_KEEPALIVE },       { SOL_SOCKET, SO_OOBINLINE },
		{ SOL_SOCKET, SO_PRIORITY },        { IPPROTO_IP, IP_TOS },
		{ IPPROTO_TCP, TCP_NODELAY },       { IPPROTO_TCP, TCP_KEEPIDLE },
		{ IPPROTO_TCP, TCP_KEEPINTVL },     { IPPROTO_TCP, TCP_KEEPCNT },
		{ IPPROTO_TCP, TCP_USER_TIMEOUT },  { IPPROTO_TCP, TCP_SYNCNT },
		{ IPPROTO_TCP, TCP_NOTSENT_LOWAT },
	};
	static const int bufs[] = { SO_RCVBUF, SO_SNDBUF };
	static const int timeouts[] = { SO_RCVTIMEO, SO_SNDTIMEO };
	struct linger lg;
	socklen_t len;

	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		int v = sockopt_int(ctr, ints[i].level, ints[i].name);

		if (v > 0)
			setsockopt(fd, ints[i].level, ints[i].name, &v, sizeof(v));
	}
	for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
		int v = sockopt_int(ctr, SOL_SOCKET, bufs[i]);

		/* the kernel doubles what is set: half of it gives the same */
		if (v > 0 && v != sockopt_int(fd, SOL_SOCKET, bufs[i])) {
			v /= 2;
			setsockopt(fd, SOL_SOCKET, bufs[i], &v, sizeof(v));
		}
	}
	for (size_t i = 0; i < sizeof(timeouts) / sizeof(timeouts[0]); i++) {
		struct timeval tv;

		len = sizeof(tv);
		if (getsockopt(ctr, SOL_SOCKET, timeouts[i], &tv, &len) == 0 && (tv.tv_sec || tv.tv_usec))
			setsockopt(fd, SOL_SOCKET, timeouts[i], &tv, sizeof(tv));
	}
	len = sizeof(lg);
	if (getsockopt(ctr, SOL_SOCKET, SO_LINGER, &lg, &len) == 0 && lg.l_onoff)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	{
		char cc[16], ours[16];
		socklen_t cl = sizeof(cc), ol = sizeof(ours);

		if (getsockopt(ctr, IPPROTO_TCP, TCP_CONGESTION, cc, &cl) == 0 &&
		    getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, ours, &ol) == 0 &&
		    (cl != ol || memcmp(cc, ours, cl) != 0))
			setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, cl);
	}
}

/* Put the host socket hfd in place of the container's descriptor; false
 * when that failed (the task is gone, or its call was interrupted). */
static bool install(int lfd, uint64_t id, int hfd, int tfd, bool cloexec)
{
	struct seccomp_notif_addfd add = { .id = id,
					   .flags = SECCOMP_ADDFD_FLAG_SETFD,
					   .srcfd = (uint32_t)hfd,
					   .newfd = (uint32_t)tfd,
					   .newfd_flags = cloexec ? O_CLOEXEC : 0 };

	if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_ADDFD, &add) < 0) {
		log_debug("connect: SECCOMP_IOCTL_NOTIF_ADDFD: %s", strerror(errno));
		return false;
	}
	return true;
}

static void set_blocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
}

static void pending_free(struct bnet *b, struct pending *p)
{
	for (struct pending **pp = &pendings; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	close(p->w->fd);
	watch_del(b, p->w);
	close(p->lfd);
	free(p);
	npending--;
}

/* the host socket of a blocking connect is writable: connected or failed */
static void on_connected(struct bnet *b, struct watch *w, short revents)
{
	struct pending *p = w->data;
	int err = 0;
	socklen_t len = sizeof(err);

	(void)revents;
	if (getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		notif_respond(p->lfd, p->id, false, -err);
	} else {
		set_blocking(w->fd);
		if (install(p->lfd, p->id, w->fd, p->tfd, p->cloexec))
			notif_respond(p->lfd, p->id, false, 0);
		else /* the call went, or can still go through slirp */
			notif_respond(p->lfd, p->id, true, 0);
	}
	pending_free(b, p);
}

void connect_sweep(struct bnet *b)
{
	uint64_t now = now_ms();

	for (struct pending *p = pendings, *next; p; p = next) {
		next = p->next;
		if (!p->deadline)
			continue;
		if (now < p->deadline) {
			want_sweep(b, p->deadline - now);
			continue;
		}
		/* SO_SNDTIMEO ran out: as the kernel does, the socket goes on
		 * connecting and the call returns EINPROGRESS */
		set_blocking(p->w->fd);
		if (install(p->lfd, p->id, p->w->fd, p->tfd, p->cloexec))
			notif_respond(p->lfd, p->id, false, -EINPROGRESS);
		else /* its own connect, through slirp, as on_connected does */
			notif_respond(p->lfd, p->id, true, 0);
		pending_free(b, p);
	}
}

/* The container's socket is one to switch: a TCP socket of that family
 * (IPv6: not IPv6-only), neither bound nor connected (a bound one, or one
 * connected or connecting already, gets the kernel's answer). */
static bool switchable(int ctr, int family)
{
	struct stat st;
	struct sockaddr_storage a;
	socklen_t l = sizeof(a);

	if (fstat(ctr, &st) < 0 || !S_ISSOCK(st.st_mode))
		return false;
	if (sockopt_int(ctr, SOL_SOCKET, SO_DOMAIN) != family ||
	    sockopt_int(ctr, SOL_SOCKET, SO_TYPE) != SOCK_STREAM ||
	    sockopt_int(ctr, SOL_SOCKET, SO_PROTOCOL) != IPPROTO_TCP ||
	    sockopt_int(ctr, SOL_SOCKET, SO_ACCEPTCONN) != 0 ||
	    (family == AF_INET6 && sockopt_int(ctr, IPPROTO_IPV6, IPV6_V6ONLY) != 0))
		return false;
	memset(&a, 0, sizeof(a));
	if (getsockname(ctr, (struct sockaddr *)&a, &l) < 0 || a.ss_family != family)
		return false;
	if (family == AF_INET) {
		const struct sockaddr_in *a4 = (const struct sockaddr_in *)&a;

		if (a4->sin_port != 0 || a4->sin_addr.s_addr != htonl(INADDR_ANY))
			return false;
	} else {
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)&a;

		if (a6->sin6_port != 0 || !IN6_IS_ADDR_UNSPECIFIED(&a6->sin6_addr))
			return false;
	}
	l = sizeof(a);
	return getpeername(ctr, (struct sockaddr *)&a, &l) < 0 && errno == ENOTCONN;
}

/* The port of a connect to the host's loopback through the gateway: to
 * 10.0.2.2, or ::ffff:10.0.2.2 from an IPv6 socket; else 0. */
static uint16_t loopback_port(const struct bnet *b, const struct sockaddr_storage *ss, size_t len)
{
	if (ss->ss_family == AF_INET && len == sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;

		return a->sin_addr.s_addr == b->gateway.s_addr ? ntohs(a->sin_port) : 0;
	}
	if (ss->ss_family == AF_INET6 && len == sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;

		return IN6_IS_ADDR_V4MAPPED(&a->sin6_addr) &&
				       memcmp(&a->sin6_addr.s6_addr[12], &b->gateway, 4) == 0
			       ? ntohs(a->sin6_port)
			       : 0;
	}
	return 0;
}

bool connect_switch(struct bnet *b, int lfd, const struct seccomp_notif *n)
{
	struct sockaddr_storage ss, to;
	size_t len;
	int tfd = (int)n->data.args[0];
	_cleanup_close_ int pidfd = -1, ctr = -1, hfd = -1;
	bool cloexec, nonblock;
	uint16_t port;
	int fl, r, zero = 0;

	/* read once: what we connect to comes from this copy */
	if (b->disable_host_loopback || !notif_sockaddr(n, &ss, &len))
		return false;
	port = loopback_port(b, &ss, len);
	if (!port)
		return false;
	pidfd = (int)syscall(SYS_pidfd_open, n->pid, 0);
	if (pidfd < 0 || !notif_id_valid(lfd, n->id))
		return false;
	ctr = (int)syscall(SYS_pidfd_getfd, pidfd, tfd, 0);
	if (ctr < 0 || !switchable(ctr, ss.ss_family))
		return false;
	fl = fcntl(ctr, F_GETFL);
	nonblock = fl >= 0 && (fl & O_NONBLOCK);
	cloexec = notif_fd_cloexec(n->pid, tfd);
	if (!notif_id_valid(lfd, n->id))
		return false;
	hfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (hfd < 0)
		return false;
	copy_options(ctr, hfd);
	/* 127.0.0.1, or ::ffff:127.0.0.1 on a dual-stack socket */
	memset(&to, 0, sizeof(to));
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&to;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&to;
		in_addr_t lo = htonl(INADDR_LOOPBACK);

		setsockopt(hfd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		a->sin6_addr.s6_addr[10] = a->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&a->sin6_addr.s6_addr[12], &lo, 4);
	}
	r = connect(hfd, (struct sockaddr *)&to, (socklen_t)len);
	if (r < 0 && errno == EINPROGRESS && !nonblock) {
		/* on the loopback the handshake is mostly done by the time
		 * connect() returns (the SYN-ACK waited in the socket's backlog
		 * until it let go of the lock): a blocking caller then needs no
		 * round through the loop (a non-blocking one gets EINPROGRESS,
		 * as from the kernel) */
		struct pollfd pfd = { .fd = hfd, .events = POLLOUT };
		int err = 0;
		socklen_t el = sizeof(err);

		if (poll(&pfd, 1, 0) == 1 && getsockopt(hfd, SOL_SOCKET, SO_ERROR, &err, &el) == 0) {
			r = err ? -1 : 0;
			errno = err;
		} else {
			errno = EINPROGRESS;
		}
	}
	if (r < 0 && errno != EINPROGRESS) {
		if (errno == EAGAIN || errno == EADDRNOTAVAIL)
			return false; /* ours (no port left): slirp may have one */
		/* as the kernel would have answered (slirp would reset it) */
		notif_respond(lfd, n->id, false, -errno);
		return true;
	}
	if (r == 0 || nonblock) {
		if (!nonblock)
			set_blocking(hfd);
		if (!install(lfd, n->id, hfd, tfd, cloexec))
			return false;
		notif_respond(lfd, n->id, false, r == 0 ? 0 : -EINPROGRESS);
		log_debug("connect: port %u switched to the host's loopback%s", port,
			  r == 0 ? "" : " (in progress)");
		return true;
	}
	/* blocking and in progress: answered from the main loop */
	if (npending >= PENDING_MAX)
		return false;
	struct pending *p = calloc(1, sizeof(*p));

	if (!p)
		return false;
	p->lfd = fcntl(lfd, F_DUPFD_CLOEXEC, 0);
	if (p->lfd < 0) {
		free(p);
		return false;
	}
	p->id = n->id;
	p->tfd = tfd;
	p->cloexec = cloexec;
	{
		struct timeval tv;
		socklen_t tl = sizeof(tv);

		if (getsockopt(ctr, SOL_SOCKET, SO_SNDTIMEO, &tv, &tl) == 0 && (tv.tv_sec || tv.tv_usec)) {
			uint64_t ms = (uint64_t)tv.tv_sec * 1000 + ((uint64_t)tv.tv_usec + 999) / 1000;

			p->deadline = now_ms() + ms;
			want_sweep(b, ms);
		}
	}
	npending++;
	p->w = watch_add(b, steal_fd(hfd), POLLOUT, on_connected, p);
	p->next = pendings;
	pendings = p;
	log_debug("connect: port %u: waiting for the host's loopback", port);
	return true;
}
