/* burrow-net - usermode networking for one rootless container (libslirp).
 *
 *   burrow-net (--target-pid PID | --target-fd N | --netns-path PATH [--userns-path PATH])
 *              [--ready-fd N] [--exit-fd N] [--api-socket PATH]
 *              [--mtu N] [--cidr A.B.C.D/N] [--disable-host-loopback]
 *              [--enable-ipv6] [--port-handler fast|slirp|direct] [--notify-fd N]
 *              [--resolv-conf PATH] [-p SPEC]... [--config-fd N]
 *              [--log-level error|warn|info|debug]
 *
 * A child joins the target's user namespace (when it is not ours) and net
 * namespace (a thread when the user namespace is ours already, as under
 * burrow's supervisor, else a process), creates tap0 there and configures it
 * with ioctls: address .100/N of --cidr (default 10.0.2.100/24), MTU 65520,
 * up, lo up, default
 * route via .2; with --enable-ipv6, libslirp's router advertisements give
 * fd00::/64.  The tap fd comes back over SCM_RIGHTS.  The child stays in
 * the namespace as a "socket factory": fast port forwards ask it for
 * sockets, which belong to the container's netns because they were created
 * there.
 *
 * The main process stays in the host namespaces and runs libslirp with a
 * poll() loop: gateway .2 (the host; its 127.0.0.1 unless
 * --disable-host-loopback), DNS .3.  UDP queries to .3:53 are answered by
 * our own proxy (dns.c) from the nameservers of --resolv-conf (default
 * /etc/resolv.conf), so resolvers on the host's loopback (127.0.0.53) work;
 * a "nameserver IP:PORT" (IPv4) line is accepted for tests.  TCP to .3:53 and
 * IPv6 DNS go through libslirp's own forwarding.
 *
 * --config-fd N: the network options and published ports as one JSON
 * document, the form burrow's config.json keeps them in (lib/record/netspec.h):
 *   {"network_options":{"mtu":65520,"cidr":"10.0.2.0/24",
 *     "allow_host_loopback":false,"enable_ipv6":false,"port_handler":"fast"},
 *    "ports":[{"host_ip":"","host_port":8080,"container_port":80,"count":1,
 *     "protocol":"tcp"}]}
 * Every field is checked.  This is how burrow starts the helper (net.c);
 * the options below are for running it by hand and in tests.  An optional
 * "limits" object bounds what clients can make the helper hold (bnet.h):
 *   "limits":{"tcp_connections":256,"tcp_idle_timeout_ms":0,"udp_flows":256,
 *     "udp_idle_timeout_ms":60000,"api_clients":32}
 * (the defaults; tcp_idle_timeout_ms 0 = none; the others at least 1,
 * udp_idle_timeout_ms at least 10).
 *
 * -p SPEC uses the syntax of burrow run -p ([IP:]HOSTPORT:PORT[/udp], ranges).
 * --port-handler fast (default): the helper listens on the host and
 * connects to 127.0.0.1:PORT inside the container with a socket from the
 * factory, moving TCP bytes with splice() in two threads per connection and
 * UDP datagrams per client flow (60 s idle timeout; "limits" above bound
 * connections and flows).  The container sees
 * connections from 127.0.0.1.  --port-handler slirp: libslirp's hostfwd to
 * .100:PORT; the container sees the client's address (clients on the host's
 * loopback appear as .2).
 *
 * --port-handler direct: fast, and the container's bind() of a TCP socket
 * to a published port is answered with a socket bound on the host
 * (switch.c), when the caller passes the init's seccomp listener over
 * --notify-fd N (a unix socket; the listener comes with one byte).
 *
 * --target-fd N: the target's pid arrives later, as a decimal line on fd N.
 * Everything that does not need the namespace (loading, libslirp, DNS, the
 * -p sockets, the control socket) is done first, so a caller can start the
 * helper while it is still creating the container (net_spawn/net_attach).
 *
 * Readiness: once tap0 is up and every -p listens, "1" is written to
 * --ready-fd.  A failure before that writes "0" and a one-line message to
 * it (and to stderr, through the logger) and exits 1.  The helper exits
 * when --exit-fd hangs up (or reads EOF), when the target process exits
 * (pidfd), or on SIGTERM.
 *
 * --api-socket: a unix stream socket, one JSON request per line, one reply
 * per line:
 *   {"execute":"add_hostfwd","arguments":{"proto":"tcp","host_addr":"0.0.0.0",
 *     "host_port":8080,"guest_port":80,"handler":"fast"}}  -> {"return":{"id":1,"host_port":8080}}
 *     (host_port 0 = a free port, reported back; handler defaults to --port-handler;
 *     an optional "guest_addr" other than the guest's own makes the fast
 *     handler connect there, a container on a bridge of the namespace)
 *   {"execute":"list_hostfwd"}  -> {"return":{"entries":[{"id":1,...}]}}
 *   {"execute":"remove_hostfwd","arguments":{"id":1}}  -> {"return":{}}
 *   {"execute":"get_counters"}  -> {"return":{"rx_bytes":..,"tx_bytes":..,
 *     "rx_packets":..,"tx_packets":..,"tcp_connections":..,"udp_flows":..}}
 *     (the last two: open fast TCP connections and UDP flows, all forwards)
 *   errors: {"error":{"desc":"..."}}
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bnet.h"
#include "lib/base/json.h"
#include "lib/base/log.h"
#include "lib/base/util.h"
#include "lib/record/netspec.h"

#if SLIRP_CONFIG_VERSION_MAX < 3
#error "burrow-net needs libslirp 4.5 or later (SlirpConfig version 3)"
#endif

static struct bnet B;

/* The factory is our child: gone before we are, so whoever waits for us
 * finds nothing of ours left in the container. */
static void stop_factory(void)
{
	if (B.factory >= 0) {
		close(B.factory);
		B.factory = -1;
	}
	if (B.factory_pid > 0) {
		kill(B.factory_pid, SIGKILL);
		while (waitpid(B.factory_pid, NULL, 0) < 0 && errno == EINTR)
			;
		B.factory_pid = 0;
	}
	if (B.factory_is_thread) {
		/* it ends when its socket closes (above) */
		pthread_join(B.factory_thread, NULL);
		B.factory_is_thread = false;
	}
}

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Fail before readiness: message on the ready fd (for net_start) and stderr. */
__attribute__((noreturn, format(printf, 1, 2))) static void fail(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("%s", msg);
	if (B.ready_fd >= 0)
		dprintf(B.ready_fd, "0%s\n", msg);
	api_close(&B);
	stop_factory();
	exit(1);
}

__attribute__((noreturn)) static void fail_err(struct err *e)
{
	fail("%s", e->msg ? e->msg : "unknown error");
}

/* ---- watches ---------------------------------------------------------------- */

struct watch *watch_add(struct bnet *b, int fd, short events, watch_cb cb, void *data)
{
	struct watch *w = calloc(1, sizeof(*w));
	struct watch **nw = realloc(b->watches, (b->nwatches + 1) * sizeof(*nw));

	if (!w || !nw)
		abort();
	b->watches = nw;
	w->fd = fd;
	w->events = events;
	w->cb = cb;
	w->data = data;
	b->watches[b->nwatches++] = w;
	return w;
}

void watch_del(struct bnet *b, struct watch *w)
{
	(void)b;
	if (w)
		w->dead = true;
}

static void watch_compact(struct bnet *b)
{
	size_t j = 0;

	for (size_t i = 0; i < b->nwatches; i++) {
		if (b->watches[i]->dead)
			free(b->watches[i]);
		else
			b->watches[j++] = b->watches[i];
	}
	b->nwatches = j;
}

/* ---- slirp callbacks -------------------------------------------------------- */

struct timer {
	SlirpTimerId id;
	void *cb_opaque;
	SlirpTimerCb cb;   /* old-style timers */
	int64_t expire_ms; /* -1: not armed */
	struct timer *next;
};
static struct timer *timers;

void tap_send(struct bnet *b, const void *buf, size_t len)
{
	ssize_t r;

	do
		r = write(b->tapfd, buf, len);
	while (r < 0 && errno == EINTR);
	/* EAGAIN: the guest is not reading; drop, TCP retransmits */
	if (r > 0) {
		COUNT(b, rx_bytes, r);
		COUNT(b, rx_packets, 1);
	}
}

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	tap_send(opaque, buf, len);
	return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
	(void)opaque;
	log_warn("guest error: %s", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
	(void)opaque;
	return now_ns();
}

static struct timer *timer_alloc(void)
{
	struct timer *t = calloc(1, sizeof(*t));

	if (!t)
		abort();
	t->expire_ms = -1;
	t->next = timers;
	timers = t;
	return t;
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	struct timer *t = timer_alloc();

	(void)opaque;
	t->cb = cb;
	t->cb_opaque = cb_opaque;
	return t;
}

#if SLIRP_CONFIG_VERSION_MAX >= 4
static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	struct timer *t = timer_alloc();

	(void)opaque;
	t->id = id;
	t->cb_opaque = cb_opaque;
	return t;
}
#endif

static void cb_timer_free(void *timer, void *opaque)
{
	(void)opaque;
	for (struct timer **p = &timers; *p; p = &(*p)->next)
		if (*p == timer) {
			*p = ((struct timer *)timer)->next;
			free(timer);
			return;
		}
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	(void)opaque;
	((struct timer *)timer)->expire_ms = expire_ms;
}

static void cb_register_poll_fd(int fd, void *opaque)
{
	(void)fd, (void)opaque;
}
static void cb_unregister_poll_fd(int fd, void *opaque)
{
	(void)fd, (void)opaque;
}
static void cb_notify(void *opaque)
{
	(void)opaque;
}

static const SlirpCb slirp_cbs = {
	.send_packet = cb_send_packet,
	.guest_error = cb_guest_error,
	.clock_get_ns = cb_clock_get_ns,
	.timer_new = cb_timer_new,
	.timer_free = cb_timer_free,
	.timer_mod = cb_timer_mod,
	.register_poll_fd = cb_register_poll_fd,
	.unregister_poll_fd = cb_unregister_poll_fd,
	.notify = cb_notify,
#if SLIRP_CONFIG_VERSION_MAX >= 4
	.timer_new_opaque = cb_timer_new_opaque,
#endif
};

static void run_timers(struct bnet *b)
{
	int64_t now = (int64_t)now_ms();
	bool again = true;

	/* a callback may re-arm or free timers: restart the scan after each */
	while (again) {
		again = false;
		for (struct timer *t = timers; t; t = t->next) {
			if (t->expire_ms < 0 || t->expire_ms > now)
				continue;
			t->expire_ms = -1;
			if (t->cb)
				t->cb(t->cb_opaque);
#if SLIRP_CONFIG_VERSION_MAX >= 4
			else
				slirp_handle_timer(b->slirp, t->id, t->cb_opaque);
#endif
			again = true;
			break;
		}
	}
}

/* ---- poll glue -------------------------------------------------------------- */

static struct pollfd *pfds;
static size_t npfds, cappfds;

static int add_pfd(int fd, short events)
{
	if (npfds == cappfds) {
		cappfds = cappfds ? cappfds * 2 : 64;
		pfds = realloc(pfds, cappfds * sizeof(*pfds));
		if (!pfds)
			abort();
	}
	pfds[npfds] = (struct pollfd){ .fd = fd, .events = events };
	return (int)npfds++;
}

static int cb_add_poll(int fd, int events, void *opaque)
{
	short ev = 0;

	(void)opaque;
	if (events & SLIRP_POLL_IN)
		ev |= POLLIN;
	if (events & SLIRP_POLL_OUT)
		ev |= POLLOUT;
	if (events & SLIRP_POLL_PRI)
		ev |= POLLPRI;
	return add_pfd(fd, ev);
}

static int cb_get_revents(int idx, void *opaque)
{
	short r = pfds[idx].revents;
	int ev = 0;

	(void)opaque;
	if (r & POLLIN)
		ev |= SLIRP_POLL_IN;
	if (r & POLLOUT)
		ev |= SLIRP_POLL_OUT;
	if (r & POLLPRI)
		ev |= SLIRP_POLL_PRI;
	if (r & POLLERR)
		ev |= SLIRP_POLL_ERR;
	if (r & POLLHUP)
		ev |= SLIRP_POLL_HUP;
	return ev;
}

static void on_tap(struct bnet *b, struct watch *w, short revents)
{
	static uint8_t *buf;
	size_t cap = b->mtu + 14 + 4;

	(void)w;
	if (revents & (POLLERR | POLLNVAL))
		fail("tap0 went away");
	if (!buf && !(buf = malloc(cap)))
		abort();
	/* drain a batch, so slirp sees bursts without a poll between frames */
	for (int i = 0; i < 64; i++) {
		ssize_t n = read(b->tapfd, buf, cap);

		if (n <= 0)
			break;
		COUNT(b, tx_bytes, n);
		COUNT(b, tx_packets, 1);
		if (dns_input(b, buf, (size_t)n))
			continue;
		slirp_input(b->slirp, buf, (int)n);
	}
}

static void on_exit_fd(struct bnet *b, struct watch *w, short revents)
{
	char c[64];

	if (revents & (POLLHUP | POLLERR | POLLNVAL)) {
		b->quit = true;
		return;
	}
	if (read(w->fd, c, sizeof(c)) <= 0)
		b->quit = true;
}

static void on_quit(struct bnet *b, struct watch *w, short revents)
{
	(void)w, (void)revents;
	b->quit = true;
}

static void on_signal(struct bnet *b, struct watch *w, short revents)
{
	struct signalfd_siginfo si;

	(void)revents;
	if (read(w->fd, &si, sizeof(si)) == sizeof(si))
		b->quit = true;
}

static void loop(struct bnet *b)
{
	while (!b->quit) {
		uint32_t timeout = UINT32_MAX;
		size_t nours;
		int64_t now = (int64_t)now_ms(), next = -1;
		int n;

		watch_compact(b);
		npfds = 0;
		for (size_t i = 0; i < b->nwatches; i++)
			add_pfd(b->watches[i]->fd, b->watches[i]->events);
		nours = npfds;
		slirp_pollfds_fill(b->slirp, &timeout, cb_add_poll, b);
		for (struct timer *t = timers; t; t = t->next)
			if (t->expire_ms >= 0 && (next < 0 || t->expire_ms < next))
				next = t->expire_ms;
		if (b->next_sweep && (next < 0 || (int64_t)b->next_sweep < next))
			next = (int64_t)b->next_sweep;
		if (next >= 0) {
			int64_t d = next > now ? next - now : 0;
			if ((uint64_t)d < timeout)
				timeout = (uint32_t)d;
		}
		n = poll(pfds, npfds, timeout == UINT32_MAX ? -1 : (int)(timeout > 60000 ? 60000 : timeout));
		if (n < 0 && errno != EINTR)
			fail("poll: %s", strerror(errno));
		if (n > 0) {
			/* the watch array may grow during callbacks: index by count */
			for (size_t i = 0; i < nours && i < b->nwatches; i++) {
				struct watch *w = b->watches[i];

				if (pfds[i].revents && !w->dead)
					w->cb(b, w, pfds[i].revents);
			}
		}
		slirp_pollfds_poll(b->slirp, n < 0, cb_get_revents, b);
		run_timers(b);
		if (b->next_sweep && now_ms() >= b->next_sweep) {
			b->next_sweep = 0;
			fwd_sweep(b);
			dns_sweep(b);
			connect_sweep(b);
		}
	}
}

/* ---- setup ------------------------------------------------------------------ */

static int parse_fd(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end || v < 0 || v > 65535)
		fail("bad fd number \"%s\"", s);
	return (int)v;
}

static void set_cidr(struct bnet *b, uint32_t net, unsigned bits)
{
	uint32_t mask = ~((1u << (32 - bits)) - 1);

	b->net.s_addr = htonl(net);
	b->mask.s_addr = htonl(mask);
	b->guest.s_addr = htonl(net | 100);
	b->gateway.s_addr = htonl(net | 2);
	b->dns.s_addr = htonl(net | 3);
}

static void parse_cidr_opt(struct bnet *b, const char *s)
{
	struct err e = ERR_INIT;
	uint32_t net;
	unsigned bits;

	if (net_cidr_parse(s, &net, &bits, &e) < 0) {
		err_clear(&e);
		fail("--cidr: \"%s\" is not A.B.C.D/N with 8 <= N <= 25", s);
	}
	set_cidr(b, net, bits);
}

/* --config-fd "limits" (bnet.h) */
static void read_limits(struct bnet *b, json_object *o)
{
	static const struct {
		const char *key;
		size_t off;
		int64_t min, max;
	} f[] = {
		{ "tcp_connections", offsetof(struct limits, tcp_connections), 1, 65536 },
		{ "tcp_idle_timeout_ms", offsetof(struct limits, tcp_idle_ms), 0, 86400000 },
		{ "udp_flows", offsetof(struct limits, udp_flows), 1, 65536 },
		{ "udp_idle_timeout_ms", offsetof(struct limits, udp_idle_ms), 10, 86400000 },
		{ "api_clients", offsetof(struct limits, api_clients), 1, 1024 },
	};

	if (!json_object_is_type(o, json_type_object))
		fail("--config-fd: limits: not a JSON object");
	json_object_object_foreach(o, key, val) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(f); i++)
			if (strcmp(key, f[i].key) == 0)
				break;
		if (i == ARRAY_SIZE(f))
			fail("--config-fd: limits: unknown field \"%s\"", key);
		if (!json_object_is_type(val, json_type_int) || json_object_get_int64(val) < f[i].min ||
		    json_object_get_int64(val) > f[i].max)
			fail("--config-fd: limits: %s: expected an integer from %lld to %lld", key,
			     (long long)f[i].min, (long long)f[i].max);
		*(unsigned *)((char *)&b->lim + f[i].off) = (unsigned)json_object_get_int64(val);
	}
}

/* --config-fd: the options and ports of burrow's record; *ports gets the
 * published ports (malloc'd). */
static void read_config(struct bnet *b, int fd, struct port_spec **ports, size_t *nports)
{
	_cleanup_free_ char *text = NULL;
	size_t textlen = 0;
	struct err e = ERR_INIT;
	struct net_opts o;
	json_object *j = NULL, *v;
	uint32_t net;
	unsigned bits;

	if (read_fd_all(fd, 64 << 20, &text, &textlen, "--config-fd", &e) < 0)
		fail_err(&e);
	close(fd);
	if (json_parse_strict(text, textlen, "--config-fd", &j, &e) < 0)
		fail_err(&e);
	if (!json_object_is_type(j, json_type_object))
		fail("--config-fd: not a JSON object");
	json_object_object_foreach(j, key, val) {
		if (strcmp(key, "limits") == 0)
			read_limits(b, val);
		else if (strcmp(key, "network_options") != 0 && strcmp(key, "ports") != 0)
			fail("--config-fd: unknown field \"%s\"", key);
	}
	net_opts_init(&o);
	if ((json_object_object_get_ex(j, "network_options", &v) && net_opts_from_json(v, &o, &e) < 0) ||
	    (json_object_object_get_ex(j, "ports", &v) && port_specs_from_json(v, ports, nports, &e) < 0) ||
	    net_cidr_parse(o.cidr, &net, &bits, &e) < 0) {
		json_object_put(j);
		err_wrap(&e, "--config-fd");
		fail_err(&e);
	}
	json_object_put(j);
	b->mtu = o.mtu;
	set_cidr(b, net, bits);
	b->disable_host_loopback = !o.allow_host_loopback;
	b->enable_ipv6 = o.enable_ipv6;
	b->handler = o.handler == PORT_HANDLER_SLIRP    ? H_SLIRP
		     : o.handler == PORT_HANDLER_DIRECT ? H_DIRECT
							: H_FAST;
}

/* every port of p, forwarded with the default handler */
static void publish(struct bnet *b, const struct port_spec *p)
{
	struct err e = ERR_INIT;

	for (unsigned k = 0; k < p->count; k++)
		if (fwd_add(b, p->udp, p->host_ip[0] ? p->host_ip : NULL,
			    p->host_port ? (uint16_t)(p->host_port + k) : 0,
			    (uint16_t)(p->container_port + k), (struct in_addr){ 0 }, b->handler, &e) < 0)
			fail_err(&e);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: burrow-net (--target-pid PID | --target-fd N | --netns-path PATH\n"
		"       [--userns-path PATH])\n"
		"       [--ready-fd N] [--exit-fd N] [--api-socket PATH] [--mtu N] [--cidr CIDR]\n"
		"       [--disable-host-loopback] [--enable-ipv6] [--port-handler fast|slirp|direct]\n"
		"       [--resolv-conf PATH] [-p [IP:]HOSTPORT:PORT[/udp]]... [--config-fd N] [--notify-fd N]\n"
		"       [--log-level error|warn|info|debug]\n");
	exit(2);
}

static void open_target(pid_t pid, const char *netns, const char *userns, int *ufd, int *nfd, int *pidfd)
{
	char p[64];

	*ufd = *nfd = *pidfd = -1;
	if (pid > 0) {
		snprintf(p, sizeof(p), "/proc/%d/ns/net", (int)pid);
		netns = p;
		*pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (*pidfd < 0)
			fail("target process %d: %s", (int)pid, strerror(errno));
	}
	if (!netns) /* main() checked that one target was given */
		fail("no target network namespace");
	*nfd = open(netns, O_RDONLY | O_CLOEXEC);
	if (*nfd < 0)
		fail("opening %s: %s", netns, strerror(errno));
	if (pid > 0) {
		snprintf(p, sizeof(p), "/proc/%d/ns/user", (int)pid);
		userns = p;
	}
	if (userns) {
		struct stat a, self;

		*ufd = open(userns, O_RDONLY | O_CLOEXEC);
		if (*ufd < 0)
			fail("opening %s: %s", userns, strerror(errno));
		/* already ours (a netns made in our own userns): no setns needed */
		if (fstat(*ufd, &a) == 0 && stat("/proc/self/ns/user", &self) == 0 &&
		    a.st_ino == self.st_ino && a.st_dev == self.st_dev) {
			close(*ufd);
			*ufd = -1;
		}
	}
}

/* --target-fd: one decimal line; EOF first means the caller gave up */
static pid_t read_target(int fd)
{
	char buf[32];
	size_t got = 0;
	char *end;
	long v;

	while (got < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + got, sizeof(buf) - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (memchr(buf, '\n', got))
			break;
	}
	close(fd);
	buf[got] = '\0';
	v = strtol(buf, &end, 10);
	if (got == 0 || v <= 0 || v > 0x3fffffff || (*end && *end != '\n'))
		fail("--target-fd: no target process id arrived");
	return (pid_t)v;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "target-pid", required_argument, NULL, 't' },
		{ "target-fd", required_argument, NULL, 'T' },
		{ "netns-path", required_argument, NULL, 'n' },
		{ "userns-path", required_argument, NULL, 'u' },
		{ "ready-fd", required_argument, NULL, 'r' },
		{ "exit-fd", required_argument, NULL, 'e' },
		{ "api-socket", required_argument, NULL, 'a' },
		{ "mtu", required_argument, NULL, 'm' },
		{ "cidr", required_argument, NULL, 'c' },
		{ "disable-host-loopback", no_argument, NULL, 'L' },
		{ "enable-ipv6", no_argument, NULL, '6' },
		{ "port-handler", required_argument, NULL, 'H' },
		{ "resolv-conf", required_argument, NULL, 'R' },
		{ "publish", required_argument, NULL, 'p' },
		{ "config-fd", required_argument, NULL, 'C' },
		{ "notify-fd", required_argument, NULL, 'N' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bnet *b = &B;
	const char *netns = NULL, *userns = NULL;
	char **ports = calloc((size_t)argc + 1, sizeof(char *));
	struct port_spec *cfg_ports = NULL;
	size_t nports = 0, ncfg_ports = 0;
	pid_t target = 0;
	int c, ufd = -1, nfd = -1, pidfd = -1, target_fd = -1, config_fd = -1, notify_fd = -1;
	struct err e = ERR_INIT;

	log_progname = "burrow-net";

	b->ready_fd = b->exit_fd = -1;
	b->mtu = 65520;
	b->lim = (struct limits){ .tcp_connections = LIMIT_TCP_CONNECTIONS,
				  .udp_flows = LIMIT_UDP_FLOWS,
				  .udp_idle_ms = LIMIT_UDP_IDLE_MS,
				  .api_clients = LIMIT_API_CLIENTS };
	b->tapfd = b->factory = -1;
	b->next_id = 1;
	pthread_mutex_init(&b->factory_lock, NULL);
	parse_cidr_opt(b, "10.0.2.0/24");
	while ((c = getopt_long(argc, argv, "p:hV", lo, NULL)) != -1) {
		switch (c) {
		case 't': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || v <= 0 || v > 0x3fffffff)
				fail("--target-pid: \"%s\" is not a process id", optarg);
			target = (pid_t)v;
			break;
		}
		case 'T':
			target_fd = parse_fd(optarg);
			break;
		case 'n':
			netns = optarg;
			break;
		case 'u':
			userns = optarg;
			break;
		case 'r':
			b->ready_fd = parse_fd(optarg);
			break;
		case 'e':
			b->exit_fd = parse_fd(optarg);
			break;
		case 'a':
			b->api_path = optarg;
			break;
		case 'm': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 576 || v > 65521)
				fail("--mtu must be between 576 and 65521");
			b->mtu = (unsigned)v;
			break;
		}
		case 'c':
			parse_cidr_opt(b, optarg);
			break;
		case 'L':
			b->disable_host_loopback = true;
			break;
		case '6':
			b->enable_ipv6 = true;
			break;
		case 'H':
			if (strcmp(optarg, "fast") == 0)
				b->handler = H_FAST;
			else if (strcmp(optarg, "slirp") == 0 || strcmp(optarg, "slirp4netns") == 0)
				b->handler = H_SLIRP;
			else if (strcmp(optarg, "direct") == 0)
				b->handler = H_DIRECT;
			else
				fail("--port-handler: \"%s\" is not fast, slirp or direct", optarg);
			break;
		case 'R':
			b->resolv_conf = optarg;
			break;
		case 'p':
			ports[nports++] = optarg;
			break;
		case 'C':
			config_fd = parse_fd(optarg);
			break;
		case 'N':
			notify_fd = parse_fd(optarg);
			fcntl(notify_fd, F_SETFD, FD_CLOEXEC);
			break;
		case 'l': {
			int l = log_parse_level(optarg);
			if (l < 0)
				fail("--log-level: \"%s\" is not error, warn, info or debug", optarg);
			log_threshold = (enum log_level)l;
			break;
		}
		case 'V':
			printf("burrow-net with libslirp %s (config version %d)\n", slirp_version_string(),
			       SLIRP_CONFIG_VERSION_MAX);
			free(ports);
			return 0;
		case 'h':
			usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc || (target <= 0 && !netns && target_fd < 0))
		usage();
	if ((target > 0) + (netns || userns) + (target_fd >= 0) > 1)
		fail("--target-pid, --target-fd and --netns-path/--userns-path exclude each other");
	/* the ready and exit fds must not leak into anything we start */
	if (b->ready_fd >= 0)
		fcntl(b->ready_fd, F_SETFD, FD_CLOEXEC);
	if (b->exit_fd >= 0)
		fcntl(b->exit_fd, F_SETFD, FD_CLOEXEC);
	if (target_fd >= 0)
		fcntl(target_fd, F_SETFD, FD_CLOEXEC);
	if (config_fd >= 0)
		read_config(b, config_fd, &cfg_ports, &ncfg_ports);
	signal(SIGPIPE, SIG_IGN);
	{
		/* a TCP connection holds up to six fds (two sockets, two
		 * pipes): the limits in bnet.h need more than the usual soft
		 * limit of 1024 */
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	if (target_fd < 0)
		open_target(target, netns, userns, &ufd, &nfd, &pidfd);

	/* libslirp */
	SlirpConfig cfg = { 0 };
	cfg.version = SLIRP_CONFIG_VERSION_MAX >= 4 ? 4 : 3;
	cfg.in_enabled = true;
	cfg.vnetwork = b->net;
	cfg.vnetmask = b->mask;
	cfg.vhost = b->gateway;
	cfg.vnameserver = b->dns;
	cfg.vdhcp_start.s_addr = htonl(ntohl(b->net.s_addr) | 15);
	cfg.in6_enabled = b->enable_ipv6;
	inet_pton(AF_INET6, "fd00::", &cfg.vprefix_addr6);
	cfg.vprefix_len = 64;
	inet_pton(AF_INET6, "fd00::2", &cfg.vhost6);
	inet_pton(AF_INET6, "fd00::3", &cfg.vnameserver6);
	cfg.if_mtu = b->mtu;
	cfg.if_mru = b->mtu;
	cfg.disable_host_loopback = b->disable_host_loopback;
	b->slirp = slirp_new(&cfg, &slirp_cbs, b);
	if (!b->slirp)
		fail("libslirp %s refused its configuration", slirp_version_string());

	if (b->exit_fd >= 0)
		watch_add(b, b->exit_fd, POLLIN, on_exit_fd, NULL);
	sigset_t ss;
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	/* blocked before any thread exists: fast forwards inherit the mask */
	pthread_sigmask(SIG_BLOCK, &ss, NULL);
	int sfd = signalfd(-1, &ss, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd >= 0)
		watch_add(b, sfd, POLLIN, on_signal, NULL);

	if (dns_init(b, &e) < 0)
		fail_err(&e);
	for (size_t i = 0; i < nports; i++) {
		struct port_spec p;

		if (port_spec_parse(ports[i], &p, &e) < 0)
			fail_err(&e);
		publish(b, &p);
	}
	free(ports);
	for (size_t i = 0; i < ncfg_ports; i++)
		publish(b, &cfg_ports[i]);
	free(cfg_ports);
	if (b->api_path && api_listen(b, &e) < 0)
		fail_err(&e);

	/* now the namespace: tap0 and the socket factory */
	if (target_fd >= 0) {
		target = read_target(target_fd);
		open_target(target, NULL, NULL, &ufd, &nfd, &pidfd);
	}
	if (ns_setup(b, ufd, nfd, &e) < 0)
		fail_err(&e);
	if (ufd >= 0)
		close(ufd);
	close(nfd);
	fcntl(b->tapfd, F_SETFL, fcntl(b->tapfd, F_GETFL) | O_NONBLOCK);
	watch_add(b, b->tapfd, POLLIN, on_tap, NULL);
	if (pidfd >= 0)
		watch_add(b, pidfd, POLLIN, on_quit, NULL);
	/* the factory dies with the namespace's last process or with us */
	watch_add(b, b->factory, POLLRDHUP, on_quit, NULL);
	if (notify_fd >= 0)
		switch_init(b, notify_fd);

	if (b->ready_fd >= 0) {
		if (write(b->ready_fd, "1", 1) != 1)
			fail("writing to --ready-fd: %s", strerror(errno));
		close(b->ready_fd);
		b->ready_fd = -1;
	}
	loop(b);

	api_close(b);
	while (b->fwds)
		fwd_remove(b, b->fwds->id);
	dns_free(b);
	slirp_cleanup(b->slirp);
	while (timers)
		cb_timer_free(timers, NULL);
	watch_compact(b);
	for (size_t i = 0; i < b->nwatches; i++)
		free(b->watches[i]);
	free(b->watches);
	free(pfds);
	stop_factory();
	return 0;
}
