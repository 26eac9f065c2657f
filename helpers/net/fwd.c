/* fwd.c - published ports.
 *
 * fast:  we listen on the host.  Each TCP connection gets a socket made in
 *        the container's netns by the factory (ns.c), connected to
 *        127.0.0.1:PORT there, and two threads splice() the two directions
 *        through a pipe each, at most lim.tcp_connections at once (more
 *        are reset), closed after lim.tcp_idle_ms without a byte either
 *        way when that is set.  UDP: one in-namespace socket per client address,
 *        watched by the main loop, dropped after lim.udp_idle_ms idle; at
 *        most lim.udp_flows (a new source replaces the flow idle longest:
 *        sources are easily forged).  bnet.h has the limits.
 * slirp: libslirp's hostfwd to GUEST:PORT (the container sees the client). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <string.h>
#include <unistd.h>

#include "bnet.h"

#define PIPE_SIZE (1024 * 1024) /* the unprivileged maximum (fs.pipe-max-size) */
#define THREAD_STACK (256 * 1024)

/* kept for on_accept when the fds run out */
static int spare_fd = -1;

struct udp_flow {
	struct fwd *f;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	int fd;
	struct watch *w;
	uint64_t last;
	struct udp_flow *next;
};

/* ---- fast TCP ---------------------------------------------------------------- */

struct conn {
	struct bnet *b;
	struct fwd *f; /* holds a reference: the forward may be removed meanwhile */
	int client, ctr;
	uint16_t guest_port;
	struct in_addr target;
	int refs;
	uint64_t last; /* now_ms() of the last bytes either way (atomic) */
};

struct dir {
	struct conn *c;
	bool to_ctr;
};

static void fwd_unref(struct fwd *f)
{
	if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(f);
}

static void conn_put(struct conn *c)
{
	if (__atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		close(c->client);
		if (c->ctr >= 0)
			close(c->ctr);
		__atomic_sub_fetch(&c->f->conns, 1, __ATOMIC_ACQ_REL);
		fwd_unref(c->f);
		free(c);
	}
}

/* refuse a connection: a reset, not an orderly close */
static void reset_close(int fd)
{
	struct linger l = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

/* A receive timed out (SO_RCVTIMEO, set with lim.tcp_idle_ms): go on
 * unless neither direction moved a byte for that long. */
static bool still_busy(struct conn *c)
{
	return now_ms() - __atomic_load_n(&c->last, __ATOMIC_RELAXED) < c->b->lim.tcp_idle_ms;
}

static void moved(struct conn *c)
{
	if (c->b->lim.tcp_idle_ms)
		__atomic_store_n(&c->last, now_ms(), __ATOMIC_RELAXED);
}

/* Move bytes from -> to until EOF; false on an error (reset, idle, ...). */
static bool pump(struct conn *c, int from, int to, bool rx)
{
	struct bnet *b = c->b;
	int p[2] = { -1, -1 };
	bool ok = true;
	const int psz = PIPE_SIZE;

	if (pipe2(p, O_CLOEXEC) == 0) {
		/* big pipes are what makes splice fast here (64 KiB: ~11 Gbit/s,
		 * 1 MiB: ~18); beyond pipe-user-pages-soft this fails and the
		 * default size stays */
		fcntl(p[1], F_SETPIPE_SZ, psz);
		for (;;) {
			ssize_t n = splice(from, NULL, p[1], NULL, (size_t)psz, SPLICE_F_MOVE);

			if (n < 0 && (errno == EINTR || (errno == EAGAIN && still_busy(c))))
				continue;
			moved(c);
			if (n <= 0) {
				ok = n == 0;
				break;
			}
			while (n > 0) {
				ssize_t m = splice(p[0], NULL, to, NULL, (size_t)n, SPLICE_F_MOVE);

				if (m < 0 && errno == EINTR)
					continue;
				if (m <= 0) {
					ok = false;
					goto out;
				}
				n -= m;
				if (rx)
					COUNT(b, rx_bytes, m);
				else
					COUNT(b, tx_bytes, m);
			}
		}
out:
		close(p[0]);
		close(p[1]);
		return ok;
	}
	/* no pipe (fd limit) or copy mode: a plain copy loop */
	size_t cap = 256 * 1024;
	char *buf = malloc(cap);

	if (!buf)
		return false;
	for (;;) {
		ssize_t n = read(from, buf, cap), w = 0;

		if (n < 0 && (errno == EINTR || (errno == EAGAIN && still_busy(c))))
			continue;
		moved(c);
		if (n <= 0) {
			ok = n == 0;
			break;
		}
		while (w < n) {
			ssize_t m = write(to, buf + w, (size_t)(n - w));

			if (m < 0 && errno == EINTR)
				continue;
			if (m <= 0) {
				free(buf);
				return false;
			}
			w += m;
		}
		if (rx)
			COUNT(b, rx_bytes, n);
		else
			COUNT(b, tx_bytes, n);
	}
	free(buf);
	return ok;
}

static void *dir_thread(void *arg)
{
	struct dir *d = arg;
	struct conn *c = d->c;
	int from = d->to_ctr ? c->client : c->ctr, to = d->to_ctr ? c->ctr : c->client;

	if (pump(c, from, to, d->to_ctr)) {
		shutdown(to, SHUT_WR);
	} else {
		/* wake the other direction too */
		shutdown(c->client, SHUT_RDWR);
		shutdown(c->ctr, SHUT_RDWR);
	}
	free(d);
	conn_put(c);
	return NULL;
}

static int spawn(void *(*fn)(void *), void *arg)
{
	pthread_attr_t a;
	pthread_t t;
	int r;

	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&a, THREAD_STACK);
	r = pthread_create(&t, &a, fn, arg);
	pthread_attr_destroy(&a);
	return r;
}

/* first thread of a connection: connect inside the container, then pump */
static void *conn_thread(void *arg)
{
	struct conn *c = arg;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(c->guest_port) };
	int one = 1;
	struct dir *d;

	sa.sin_addr.s_addr = c->target.s_addr ? c->target.s_addr : htonl(INADDR_LOOPBACK);
	c->ctr = ns_socket(c->b, AF_INET, SOCK_STREAM);
	if (c->ctr < 0 || connect(c->ctr, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		/* nothing listens in the container: reset the client */
		struct linger l = { 1, 0 };

		setsockopt(c->client, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		conn_put(c);
		return NULL;
	}
	setsockopt(c->ctr, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(c->client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (c->b->lim.tcp_idle_ms) {
		/* receives wake up this often to check for idleness */
		struct timeval tv = { c->b->lim.tcp_idle_ms / 1000, (c->b->lim.tcp_idle_ms % 1000) * 1000 };

		setsockopt(c->ctr, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(c->client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		moved(c);
	}
	c->refs = 2;
	d = malloc(sizeof(*d));
	if (d) {
		d->c = c;
		d->to_ctr = false;
		if (spawn(dir_thread, d) != 0) {
			free(d);
			d = NULL;
		}
	}
	if (!d) {
		c->refs = 1;
		conn_put(c);
		return NULL;
	}
	struct dir self = { .c = c, .to_ctr = true };
	struct dir *sp = malloc(sizeof(*sp));
	if (!sp) {
		shutdown(c->client, SHUT_RDWR);
		shutdown(c->ctr, SHUT_RDWR);
		conn_put(c);
		return NULL;
	}
	*sp = self;
	return dir_thread(sp);
}

static void on_accept(struct bnet *b, struct watch *w, short revents)
{
	struct fwd *f = w->data;

	(void)revents;
	for (int i = 0; i < 16; i++) {
		int fd = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC);
		struct conn *c;

		if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
			/* out of fds: take the connection off the queue with the
			 * spare fd and reset it, or poll would report it for ever */
			if (spare_fd < 0)
				return;
			close(spare_fd);
			fd = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0)
				reset_close(fd);
			spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			return;
		}
		if (fd < 0)
			return;
		if ((unsigned)__atomic_load_n(&f->conns, __ATOMIC_ACQUIRE) >= b->lim.tcp_connections) {
			reset_close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		__atomic_add_fetch(&f->conns, 1, __ATOMIC_ACQ_REL);
		__atomic_add_fetch(&f->refs, 1, __ATOMIC_ACQ_REL);
		c->b = b;
		c->f = f;
		c->client = fd;
		c->ctr = -1;
		c->guest_port = f->guest_port;
		c->target = f->target;
		c->refs = 1;
		if (spawn(conn_thread, c) != 0)
			conn_put(c);
	}
}

/* ---- fast UDP ---------------------------------------------------------------- */

static void flow_free(struct bnet *b, struct udp_flow *fl)
{
	watch_del(b, fl->w);
	close(fl->fd);
	fl->f->nflows--;
	free(fl);
}

/* at the limit: drop the flow idle the longest */
static void flow_evict(struct bnet *b, struct fwd *f)
{
	struct udp_flow **old = NULL;

	for (struct udp_flow **p = &f->flows; *p; p = &(*p)->next)
		if (!old || (*p)->last <= (*old)->last)
			old = p;
	if (old) {
		struct udp_flow *fl = *old;

		*old = fl->next;
		flow_free(b, fl);
	}
}

static void on_flow(struct bnet *b, struct watch *w, short revents)
{
	static uint8_t buf[65536];
	struct udp_flow *fl = w->data;

	(void)revents;
	for (int i = 0; i < 64; i++) {
		ssize_t n = recv(fl->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0)
			return;
		fl->last = now_ms();
		COUNT(b, tx_bytes, n);
		sendto(fl->f->w->fd, buf, (size_t)n, MSG_DONTWAIT, (struct sockaddr *)&fl->peer, fl->peerlen);
	}
}

static void on_udp(struct bnet *b, struct watch *w, short revents)
{
	static uint8_t buf[65536];
	struct fwd *f = w->data;

	(void)revents;
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		ssize_t n = recvfrom(w->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&peer, &plen);
		struct udp_flow *fl;

		if (n < 0)
			return;
		for (fl = f->flows; fl; fl = fl->next)
			if (fl->peerlen == plen && memcmp(&fl->peer, &peer, plen) == 0)
				break;
		if (!fl) {
			struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(f->guest_port) };
			int fd = ns_socket(b, AF_INET, SOCK_DGRAM);

			sa.sin_addr.s_addr = f->target.s_addr ? f->target.s_addr : htonl(INADDR_LOOPBACK);
			if (fd < 0)
				continue;
			while (f->nflows >= b->lim.udp_flows && f->flows)
				flow_evict(b, f);
			if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
			    !(fl = calloc(1, sizeof(*fl)))) {
				close(fd);
				continue;
			}
			fl->f = f;
			fl->fd = fd;
			memcpy(&fl->peer, &peer, plen);
			fl->peerlen = plen;
			fl->w = watch_add(b, fd, POLLIN, on_flow, fl);
			fl->next = f->flows;
			f->flows = fl;
			f->nflows++;
			want_sweep(b, b->lim.udp_idle_ms);
		}
		fl->last = now_ms();
		if (send(fl->fd, buf, (size_t)n, MSG_DONTWAIT) == n)
			COUNT(b, rx_bytes, n);
	}
}

void fwd_sweep(struct bnet *b)
{
	uint64_t now = now_ms();
	bool left = false;

	for (struct fwd *f = b->fwds; f; f = f->next)
		for (struct udp_flow **p = &f->flows; *p;) {
			struct udp_flow *fl = *p;

			if (now - fl->last >= b->lim.udp_idle_ms) {
				*p = fl->next;
				flow_free(b, fl);
			} else {
				left = true;
				p = &fl->next;
			}
		}
	if (left)
		want_sweep(b, b->lim.udp_idle_ms / 4 ? b->lim.udp_idle_ms / 4 : 1);
}

/* ---- add / remove -------------------------------------------------------------- */

static int host_sockaddr(const char *addr, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (addr && strchr(addr, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		*len = sizeof(*a);
		return inet_pton(AF_INET6, addr, &a->sin6_addr) == 1 ? 0 : -1;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;

	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	*len = sizeof(*a);
	return !addr || inet_pton(AF_INET, addr, &a->sin_addr) == 1 ? 0 : -1;
}

static uint16_t ss_port(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)ss)->sin6_port
					       : ((const struct sockaddr_in *)ss)->sin_port);
}

static int bind_host(struct fwd *f, struct err *e)
{
	int one = 1, fd;
	uint16_t port = ss_port(&f->host);

	fd = socket(f->host.ss_family, (f->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return err_make(e, errno, "socket");
	if (!f->udp)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&f->host, f->hostlen) < 0 || (!f->udp && listen(fd, 512) < 0)) {
		int err = errno;

		close(fd);
		if (err == EADDRINUSE)
			return err_make(e, 0,
					"cannot publish host port %u/%s: the port is already "
					"in use; stop what listens there or choose another host port",
					port, f->udp ? "udp" : "tcp");
		if (err == EACCES)
			return err_make(e, 0,
					"cannot publish host port %u/%s: ports below "
					"net.ipv4.ip_unprivileged_port_start need privileges; publish "
					"a higher host port or lower that sysctl",
					port, f->udp ? "udp" : "tcp");
		return err_make(e, err, "cannot publish host port %u/%s", port, f->udp ? "udp" : "tcp");
	}
	socklen_t l = f->hostlen;
	getsockname(fd, (struct sockaddr *)&f->host, &l);
	return fd;
}

int fwd_add(struct bnet *b, bool udp, const char *host_addr, uint16_t host_port, uint16_t guest_port,
	    struct in_addr target, enum handler h, struct err *e)
{
	struct fwd *f = calloc(1, sizeof(*f));
	int fd;

	if (!f)
		abort();
	f->udp = udp;
	f->handler = h;
	f->refs = 1;
	f->guest_port = guest_port;
	f->target = target;
	if (guest_port == 0 || host_sockaddr(host_addr, host_port, &f->host, &f->hostlen) < 0) {
		free(f);
		return err_make(e, 0, "bad forward address %s, port %u -> %u",
				host_addr ? host_addr : "0.0.0.0", host_port, guest_port);
	}
	for (struct fwd *o = b->fwds; o; o = o->next)
		if (host_port && o->udp == udp && ss_port(&o->host) == host_port &&
		    o->host.ss_family == f->host.ss_family) {
			free(f);
			return err_make(e, 0, "host port %u/%s is already forwarded (id %d)", host_port,
					udp ? "udp" : "tcp", o->id);
		}
	fd = bind_host(f, e);
	if (fd < 0) {
		free(f);
		return -1;
	}
	if (h != H_SLIRP) {
		if (!udp && spare_fd < 0)
			spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		f->w = watch_add(b, fd, POLLIN, udp ? on_udp : on_accept, f);
	} else {
		/* probe bound the port (resolving 0); hand it to libslirp */
		struct sockaddr_in g = { .sin_family = AF_INET,
					 .sin_addr = b->guest,
					 .sin_port = htons(guest_port) };

		close(fd);
		if (slirp_add_hostxfwd(b->slirp, (struct sockaddr *)&f->host, f->hostlen,
				       (struct sockaddr *)&g, sizeof(g), udp ? SLIRP_HOSTFWD_UDP : 0) < 0) {
			uint16_t port = ss_port(&f->host);

			free(f);
			return err_make(e, 0, "cannot publish host port %u/%s through libslirp", port,
					udp ? "udp" : "tcp");
		}
	}
	f->id = b->next_id++;
	/* keep the list in id order */
	struct fwd **p = &b->fwds;
	while (*p)
		p = &(*p)->next;
	*p = f;
	return f->id;
}

int fwd_remove(struct bnet *b, int id)
{
	for (struct fwd **p = &b->fwds; *p; p = &(*p)->next) {
		struct fwd *f = *p;

		if (f->id != id)
			continue;
		*p = f->next;
		if (f->handler != H_SLIRP) {
			while (f->flows) {
				struct udp_flow *fl = f->flows;

				f->flows = fl->next;
				flow_free(b, fl);
			}
			fwd_unlisten(b, f);
		} else {
			slirp_remove_hostxfwd(b->slirp, (struct sockaddr *)&f->host, f->hostlen,
					      f->udp ? SLIRP_HOSTFWD_UDP : 0);
		}
		/* connections still open keep it until they end */
		fwd_unref(f);
		return 0;
	}
	return -1;
}

void fwd_unlisten(struct bnet *b, struct fwd *f)
{
	if (!f->w)
		return;
	close(f->w->fd);
	watch_del(b, f->w);
	f->w = NULL;
}

int fwd_relisten(struct bnet *b, struct fwd *f)
{
	struct err e = ERR_INIT;
	int fd;

	if (f->w)
		return 0;
	fd = bind_host(f, &e);
	if (fd < 0) {
		err_clear(&e);
		return -1;
	}
	f->w = watch_add(b, fd, POLLIN, f->udp ? on_udp : on_accept, f);
	return 0;
}

uint16_t fwd_host_port(const struct fwd *f)
{
	return ss_port(&f->host);
}

void fwd_usage(struct bnet *b, uint64_t *tcp, uint64_t *udp)
{
	*tcp = *udp = 0;
	for (struct fwd *f = b->fwds; f; f = f->next) {
		*tcp += (unsigned)__atomic_load_n(&f->conns, __ATOMIC_ACQUIRE);
		*udp += f->nflows;
	}
}
