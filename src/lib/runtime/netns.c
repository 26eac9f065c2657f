/* netns.c - see netns.h */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns.h"
#include "userns.h"
#include "lib/base/log.h"
#include "lib/base/syscalls.h"
#include "lib/base/util.h"
#include "lib/net/net.h"
#include "lib/net/netlink.h"
#include "lib/net/netdns.h"
#include "lib/net/network.h"
#include "lib/record/events.h"
#include "lib/record/container.h"
#include "lib/record/state.h"

#define HOLDER_CLIENTS_MAX 4096
#define VETH_MTU 65520
#define RULE_PRIO 100
#define TABLE_BASE 1000

static int grace_ms = NETNS_GRACE_DEFAULT_MS;

void netns_set_grace(int ms)
{
	grace_ms = ms < 0 ? NETNS_GRACE_DEFAULT_MS : ms;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *netns_net_socket(const char *runroot)
{
	return xasprintf("%s/netns/net.sock", runroot);
}

/* <root> of a ctrdir <root>/containers/<id> */
static char *root_of(const char *ctrdir)
{
	const char *end = strrchr(ctrdir, '/');

	while (end && end > ctrdir && end[-1] != '/')
		end--;
	return end && end > ctrdir ? xstrndup(ctrdir, (size_t)(end - 1 - ctrdir)) : xstrdup("/");
}

/* New interfaces in the current net namespace get no IPv6 (the networks
 * are IPv4; lo keeps ::1): no link-local address, duplicate address
 * detection, router or multicast listener messages for each veth end.
 * BURROW_NET_IPV6LL=1 keeps the kernel's default. */
static void no_ipv6_by_default(void)
{
	const char *v = getenv("BURROW_NET_IPV6LL");
	int fd;

	if (v && strcmp(v, "1") == 0)
		return;
	fd = open("/proc/sys/net/ipv6/conf/default/disable_ipv6", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1\n", 2) != 2) {
			/* then they get link-local addresses as before */
		}
		close(fd);
	}
}

/* ---- the holder --------------------------------------------------------------- */

/* Nobody holds the namespace: true when the holder may go (its files
 * removed, the lock kept until it exits).  A command that holds the lock
 * is about to connect: false then, and the holder looks again soon.  One
 * that connected just before the lock was taken is served (*cfd). */
static bool holder_may_exit(const char *dir, int lfd, int *cfd)
{
	_cleanup_free_ char *lock = xasprintf("%s/lock", dir);
	int fd = open(lock, O_RDWR | O_CLOEXEC);

	*cfd = -1;
	if (fd < 0)
		return true;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return false;
	}
	*cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (*cfd >= 0) {
		close(fd);
		return false;
	}
	{
		_cleanup_free_ char *rec = xasprintf("%s/holder", dir);
		_cleanup_free_ char *sock = xasprintf("%s/hold.sock", dir);
		unlink(rec);
		unlink(sock);
	}
	return true;
}

__attribute__((noreturn)) static void holder_main(const char *dir, const char *root, const struct idmap *m,
						  int lfd, int gofd, int readyfd, int keepfd)
{
	struct pollfd *p = xcalloc(HOLDER_CLIENTS_MAX + 2, sizeof *p);
	struct netdns *dns = NULL;
	size_t n = 2;
	struct err e = ERR_INIT;
	long long idle_since = now_ms(), grace = grace_ms;
	char c;
	int nl;

	setsid();
	{
		const int keep[] = { lfd, gofd, readyfd, keepfd };
		close_fds_except(3, keep, ARRAY_SIZE(keep));
	}
	if (read(gofd, &c, 1) != 1)
		_exit(1);
	close(gofd);
	if (userns_become_root(m, &e) < 0)
		goto fail;
	nl = nl_open(&e);
	if (nl < 0 || nl_link_up(nl, nl_ifindex(nl, "lo"), &e) < 0)
		goto fail;
	close(nl);
	no_ipv6_by_default(); /* the bridges and the host ends */
	{
		_cleanup_free_ char *runroot = xstrndup(dir, strlen(dir) - strlen("/netns"));
		if (netdns_open(&dns, root, runroot, &e) < 0)
			goto fail;
	}
	{
		/* the bridges' traffic goes out through tap0 */
		int fd = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "1\n", 2) != 2) {
			err_make(&e, errno, "enabling forwarding");
			goto fail;
		}
		close(fd);
	}
	if (write(readyfd, "1", 1) != 1)
		_exit(1);
	close(readyfd);
	stdio_to_devnull();
	fcntl(lfd, F_SETFL, O_NONBLOCK);
	p[0].fd = lfd;
	p[0].events = POLLIN;
	p[1].fd = netdns_fd(dns);
	p[1].events = POLLIN;
	for (;;) {
		int timeout = -1, r;

		/* nobody left: gone once the grace period is over, unless a
		 * command holds the lock (it is about to connect): then look
		 * again shortly */
		if (n == 2) {
			long long left = idle_since + grace - now_ms();
			int cfd;

			if (left > 0) {
				timeout = (int)left;
			} else if (holder_may_exit(dir, lfd, &cfd)) {
				_exit(0);
			} else if (cfd >= 0) {
				p[n].fd = cfd;
				p[n].events = POLLIN;
				p[n].revents = 0;
				n++;
			} else {
				timeout = 20;
			}
		}
		r = poll(p, n, timeout);
		if (r < 0 && errno != EINTR)
			_exit(1);
		if (r > 0 && (p[0].revents & POLLIN)) {
			int cfd;
			while ((cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
				if (n >= HOLDER_CLIENTS_MAX + 2) {
					close(cfd);
					continue;
				}
				p[n].fd = cfd;
				p[n].events = POLLIN;
				p[n].revents = 0;
				n++;
			}
		}
		if (r > 0 && (p[1].revents & POLLIN))
			netdns_input(dns);
		for (size_t i = 2; r > 0 && i < n; i++) {
			char buf[64];
			ssize_t got;

			if (!p[i].revents)
				continue;
			got = read(p[i].fd, buf, sizeof buf - 1);
			if (got > 0) {
				/* "G<ms>\n": the grace period of the command that
				 * connected; the latest one applies */
				char *g;
				buf[got] = '\0';
				g = strrchr(buf, 'G');
				if (g && g[1] >= '0' && g[1] <= '9')
					grace = (long long)strtol(g + 1, NULL, 10);
				continue;
			}
			close(p[i].fd);
			p[i--] = p[--n];
			if (n == 2)
				idle_since = now_ms();
		}
	}
fail:
	if (e.msg)
		dprintf(readyfd, "0%s", e.msg);
	_exit(1);
}

static int holder_create(const char *dir, const char *root, const struct idmap *m, struct err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_free_ char *sock = xasprintf("%s/hold.sock", dir);
	_cleanup_free_ char *api = xasprintf("%s/net.sock", dir);
	_cleanup_close_ int lfd = -1;
	struct net_params np;
	struct net_helper h;
	struct idmap_job job;
	int go[2] = { -1, -1 }, rd[2] = { -1, -1 };
	char buf[512];
	ssize_t got = 0;
	pid_t pid;
	int rc = -1;

	if (strlen(sock) >= sizeof sa.sun_path || strlen(api) >= sizeof sa.sun_path)
		return err_make(e, ENAMETOOLONG, "%s", sock);
	strcpy(sa.sun_path, sock);
	unlink(sock);
	unlink(api);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 128) < 0)
		return err_make(e, errno, "listening on %s", sock);
	/* burrow-net first: the holder inherits its exit fd and ends it */
	net_params_init(&np, NULL);
	np.api_socket = api;
	np.resolv_conf = getenv("BURROW_NET_RESOLV_CONF"); /* tests: an alternate upstream */
	if (net_spawn(&np, &h, e) < 0)
		return err_wrap(e, "starting the networks' usermode network");
	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(rd, O_CLOEXEC) < 0) {
		err_make(e, errno, "pipe");
		goto out;
	}
	pid = sys_clone_ns(CLONE_NEWUSER | CLONE_NEWNET);
	if (pid < 0) {
		err_make(e, errno, "creating the networks' namespaces");
		goto out;
	}
	if (pid == 0) {
		close(go[1]);
		close(rd[0]);
		holder_main(dir, root, m, lfd, go[0], rd[1], h.exit_fd);
	}
	closep(&go[0]);
	closep(&rd[1]);
	if (userns_maps_start(pid, m, &job, e) < 0 || userns_maps_finish(&job, e) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto out;
	}
	got = write(go[1], "1", 1) == 1 ? read(rd[0], buf, sizeof buf - 1) : -1;
	buf[got > 0 ? got : 0] = '\0';
	if (got < 1 || buf[0] != '1') {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		err_make(e, 0, "setting up the networks' namespace: %s", buf[0] == '0' ? buf + 1 : "it died");
		goto out;
	}
	if (net_attach(&h, pid, e) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		err_wrap(e, "starting the networks' usermode network");
		goto out;
	}
	if (pid_record_write(dir, "holder", pid, e) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto out;
	}
	/* both outlive us: the holder keeps burrow-net's exit fd, burrow-net
	 * ends with the holder; whoever inherits them reaps them */
	log_debug("networks' namespace: holder %d, burrow-net %d", (int)pid, (int)h.pid);
	closep(&h.exit_fd);
	free(h.api_socket);
	h.api_socket = NULL;
	h.pid = 0;
	rc = 0;
out:
	if (rc < 0)
		net_stop(&h);
	closep(&go[0]);
	closep(&go[1]);
	closep(&rd[0]);
	closep(&rd[1]);
	return rc;
}

/* The holder died under running containers: their interfaces hang off a
 * namespace nobody serves now (no way out, no names, no ports).  Say so,
 * naming them: a restart attaches them to the new one. */
static void warn_orphans(const char *root, const char *runroot, const char *self, int pid)
{
	_cleanup_strv_ char **ids = NULL;
	_cleanup_free_ char *names = xstrdup("");
	struct err e = ERR_INIT;

	if (container_list(root, &ids, &e) < 0) {
		err_clear(&e);
		return;
	}
	for (size_t i = 0; ids[i]; i++) {
		json_object *j = NULL, *v;
		_cleanup_free_ char *rd = xasprintf("%s/containers/%s", runroot, ids[i]);

		if (strcmp(ids[i], self) == 0 || access(rd, F_OK) < 0 ||
		    container_read_config(root, ids[i], &j, &e) < 0) {
			err_clear(&e);
			continue;
		}
		if (json_object_object_get_ex(j, "network", &v) &&
		    strcmp(json_object_get_string(v), "bridge") == 0 &&
		    json_object_object_get_ex(j, "name", &v)) {
			char *n = xasprintf("%s%s%s", names, *names ? ", " : "", json_object_get_string(v));
			free(names);
			names = n;
		}
		json_object_put(j);
	}
	if (*names)
		log_warn(
			"the networks' namespace (holder %d) was gone and is made anew: %s lost their networks; "
			"restart them",
			pid, names);
	else
		log_info("the networks' namespace holder %d is gone: making a new one", pid);
}

int netns_join(const struct container_spec *s, int fds[3], struct err *e)
{
	_cleanup_free_ char *runroot = events_runroot_of(s->rundir), *root = root_of(s->ctrdir);
	_cleanup_free_ char *dir = xasprintf("%s/netns", runroot ? runroot : "/nonexistent");
	_cleanup_free_ char *lock = xasprintf("%s/lock", dir);
	_cleanup_free_ char *sock = xasprintf("%s/hold.sock", dir);
	_cleanup_close_ int lfd = -1, ufd = -1, nfd = -1, cfd = -1;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned long long start = 0;
	pid_t pid = 0;
	char path[64];

	fds[0] = fds[1] = fds[2] = -1;
	if (!runroot)
		return err_make(e, EINVAL, "no run root for %s", s->rundir);
	if (mkdir_p_at(AT_FDCWD, dir, 0700, e) < 0)
		return -1;
	lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lfd < 0)
		return err_make(e, errno, "opening %s", lock);
	while (flock(lfd, LOCK_EX) < 0)
		if (errno != EINTR)
			return err_make(e, errno, "locking %s", lock);
	if (pid_record_read(dir, "holder", &pid, &start) < 0 || !proc_alive(pid, start)) {
		if (pid > 0)
			warn_orphans(root, runroot, s->id, (int)pid);
		if (holder_create(dir, root, s->idmap, e) < 0)
			return -1;
		if (pid_record_read(dir, "holder", &pid, &start) < 0)
			return err_make(e, 0, "the networks' namespace holder left no record");
	}
	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
	ufd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
	nfd = open(path, O_RDONLY | O_CLOEXEC);
	if (strlen(sock) >= sizeof sa.sun_path)
		return err_make(e, ENAMETOOLONG, "%s", sock);
	strcpy(sa.sun_path, sock);
	cfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ufd < 0 || nfd < 0 || cfd < 0 || connect(cfd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    !proc_alive(pid, start))
		return err_make(e, errno, "joining the networks' namespace (holder %d)", (int)pid);
	/* the holder stays this long after the last container leaves */
	if (dprintf(cfd, "G%d\n", grace_ms) < 0)
		return err_make(e, errno, "joining the networks' namespace (holder %d)", (int)pid);
	fds[0] = steal_fd(ufd);
	fds[1] = steal_fd(nfd);
	fds[2] = steal_fd(cfd);
	return 0;
}

/* ---- a container's veths -------------------------------------------------------- */

/* the host end of s's pair on the bridge burrowN */
static void host_end(const struct container_spec *s, const struct network *n, char buf[32])
{
	snprintf(buf, 32, "vb%.10s%x", s->id, (unsigned)atoi(n->iface + 6) & 0xfff);
}

/* The lowest ethK free in the current net namespace (K >= from). */
static void free_eth(int nl, unsigned from, char buf[32])
{
	for (unsigned k = from;; k++) {
		snprintf(buf, 32, "eth%u", k);
		if (nl_ifindex(nl, buf) <= 0)
			return;
	}
}

/* networks first..nnetworks-1 of s; the default route through the first
 * that is not internal when route */
static int attach_child(const struct container_spec *s, int netns_fd, pid_t init, size_t first, bool route,
			struct err *e)
{
	_cleanup_free_ char *root = root_of(s->ctrdir);
	_cleanup_close_ int cfd = -1, nl = -1, cnl = -1;
	struct network *nets = xcalloc(s->nnetworks + 1, sizeof *nets);
	char(*peers)[32] = xcalloc(s->nnetworks + 1, sizeof *peers);
	char path[64];
	int tap, rc = -1;

	snprintf(path, sizeof path, "/proc/%d/ns/net", (int)init);
	cfd = open(path, O_RDONLY | O_CLOEXEC);
	if (cfd < 0) {
		err_make(e, errno, "opening the container's net namespace");
		goto out;
	}
	if (setns(cfd, CLONE_NEWNET) < 0) {
		err_make(e, errno, "joining the container's net namespace");
		goto out;
	}
	no_ipv6_by_default();
	/* the names the peers get: the next free ethK in the container */
	if (first > 0) {
		for (size_t i = first; i < s->nnetworks; i++)
			free_eth(-1, (unsigned)(i > first ? atoi(peers[i - 1] + 3) + 1 : 0), peers[i]);
	} else {
		for (size_t i = 0; i < s->nnetworks; i++)
			snprintf(peers[i], sizeof peers[i], "eth%u", (unsigned)i);
	}
	if (setns(netns_fd, CLONE_NEWNET) < 0) {
		err_make(e, errno, "joining the networks' namespace");
		goto out;
	}
	nl = nl_open(e);
	if (nl < 0)
		goto out;
	tap = nl_ifindex(nl, "tap0");
	{
		/* libslirp finds the bridges' addresses by ARP on tap0: the
		 * namespace answers for them */
		int fd = open("/proc/sys/net/ipv4/conf/tap0/proxy_arp", O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, "1\n", 2) != 2) {
				/* then only replies already known get through */
			}
			close(fd);
		}
	}
	for (size_t i = 0; i < s->nnetworks; i++) {
		struct network *n = &nets[i];
		char host[32], mac[18];
		uint32_t table;
		int br;

		if (network_get(root, s->networks[i].network, n, e) < 0)
			goto out;
		if (i < first)
			continue;
		table = TABLE_BASE + (uint32_t)atoi(n->iface + 6);
		if (nl_bridge(nl, n->iface, 0, &br, e) < 0 || nl_addr(nl, br, n->gateway, n->bits, e) < 0 ||
		    nl_route(nl, n->subnet, n->bits, 0, br, table, e) < 0 ||
		    (!n->internal && tap > 0 && nl_route(nl, 0, 0, 0x0a000202, tap, table, e) < 0) ||
		    (n->internal && nl_route(nl, 0, 0, 0, 0, table, e) < 0) ||
		    nl_rule(nl, n->subnet, n->bits, table, RULE_PRIO, e) < 0)
			goto fail_net;
		host_end(s, n, host);
		net_mac_of(s->networks[i].ip, mac);
		/* the host end of a previous init's pair may not be gone yet */
		if (nl_link_del(nl, host, e) < 0 ||
		    nl_veth(nl, host, br, peers[i], cfd, mac, VETH_MTU, e) < 0)
			goto fail_net;
		continue;
fail_net:
		err_wrap(e, "network %s", n->name);
		goto out;
	}
	if (setns(cfd, CLONE_NEWNET) < 0) {
		err_make(e, errno, "joining the container's net namespace");
		goto out;
	}
	cnl = nl_open(e);
	if (cnl < 0)
		goto out;
	for (size_t i = first; i < s->nnetworks; i++) {
		uint32_t ip = 0;
		int idx = nl_ifindex(cnl, peers[i]);

		if (idx <= 0) {
			err_make(e, ENODEV, "%s in the container", peers[i]);
			goto out;
		}
		net_ipv4_parse(s->networks[i].ip, &ip);
		if (nl_addr(cnl, idx, ip, nets[i].bits, e) < 0 || nl_link_up(cnl, idx, e) < 0)
			goto out;
		if (route && !nets[i].internal) {
			if (nl_route(cnl, 0, 0, nets[i].gateway, idx, 0, e) < 0)
				goto out;
			route = false;
		}
	}
	rc = 0;
out:
	free(peers);
	networks_free(nets, s->nnetworks);
	return rc;
}

/* fn in a child: its error comes back */
static int in_child(int (*fn)(void *arg, struct err *e), void *arg, struct err *e)
{
	int p[2];
	pid_t pid;
	int st;

	if (pipe2(p, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return err_make(e, errno, "fork");
	}
	if (pid == 0) {
		struct err ce = ERR_INIT;
		close(p[0]);
		if (fn(arg, &ce) < 0) {
			err_send(p[1], &ce);
			_exit(1);
		}
		_exit(0);
	}
	close(p[1]);
	if (err_recv(p[0], e) == 1) {
		close(p[0]);
		waitpid(pid, NULL, 0);
		return -1;
	}
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return err_make(e, 0, "changing the container's networks failed");
	return 0;
}

struct attach_args {
	const struct container_spec *s;
	int userns, netns;
	pid_t init;
	size_t first;
	bool route;
	const char *host; /* disconnect: the host end to remove */
};

static int attach_fn(void *arg, struct err *e)
{
	struct attach_args *a = arg;

	if (a->userns >= 0 && setns(a->userns, CLONE_NEWUSER) < 0)
		return err_make(e, errno, "joining the user namespace of the networks");
	return attach_child(a->s, a->netns, a->init, a->first, a->route, e);
}

static int detach_fn(void *arg, struct err *e)
{
	struct attach_args *a = arg;
	int nl;

	if (setns(a->userns, CLONE_NEWUSER) < 0 || setns(a->netns, CLONE_NEWNET) < 0)
		return err_make(e, errno, "joining the networks' namespace");
	nl = nl_open(e);
	if (nl < 0 || nl_link_del(nl, a->host, e) < 0)
		return -1;
	close(nl);
	return 0;
}

int netns_connect(const struct container_spec *s, pid_t init, struct err *e)
{
	int fds[3];
	struct attach_args a = { .s = s, .init = init, .first = s->nnetworks - 1, .route = false };
	int rc;

	if (s->nnetworks == 0)
		return err_make(e, EINVAL, "netns_connect: no network");
	if (netns_join(s, fds, e) < 0)
		return -1;
	a.userns = fds[0];
	a.netns = fds[1];
	rc = in_child(attach_fn, &a, e);
	close(fds[0]);
	close(fds[1]);
	close(fds[2]);
	return rc;
}

int netns_disconnect(const struct container_spec *s, const char *network, struct err *e)
{
	_cleanup_free_ char *root = root_of(s->ctrdir);
	struct attach_args a = { .s = s };
	struct network n;
	char host[32];
	int fds[3], rc;

	if (network_get(root, network, &n, e) < 0)
		return -1;
	host_end(s, &n, host);
	network_free(&n);
	if (netns_join(s, fds, e) < 0)
		return -1;
	a.userns = fds[0];
	a.netns = fds[1];
	a.host = host;
	rc = in_child(detach_fn, &a, e);
	close(fds[0]);
	close(fds[1]);
	close(fds[2]);
	return rc;
}

int netns_attach(const struct container_spec *s, int netns_fd, pid_t init, struct err *e)
{
	struct attach_args a = { .s = s,
				 .userns = -1,
				 .netns = netns_fd,
				 .init = init,
				 .first = 0,
				 .route = true };

	return in_child(attach_fn, &a, e);
}

/* ---- the early attach ------------------------------------------------------------- */

static int early_child(const struct container_spec *s, int netns_fd, int sk)
{
	struct err e = ERR_INIT;
	char b = 'N';
	int fd;

	if (unshare(CLONE_NEWNET) < 0 || (fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0) {
		err_make(&e, errno, "creating the container's net namespace");
		b = 'E';
		if (write(sk, &b, 1) == 1)
			err_send(sk, &e);
		return 1;
	}
	if (fd_sendmsg(sk, &b, 1, fd, MSG_NOSIGNAL) != 1)
		return 1;
	close(fd);
	if (attach_child(s, netns_fd, getpid(), 0, true, &e) < 0) {
		err_send(sk, &e);
		return 1;
	}
	return 0;
}

int netns_early_begin(const struct container_spec *s, int netns_fd, struct netns_early *p, struct err *e)
{
	const char *v = getenv("BURROW_NET_EARLY");
	int sk[2];
	pid_t pid;

	p->pid = 0;
	p->sk = -1;
	if (v && strcmp(v, "0") == 0)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sk) < 0)
		return err_make(e, errno, "socketpair");
	pid = fork();
	if (pid < 0) {
		close(sk[0]);
		close(sk[1]);
		return err_make(e, errno, "fork");
	}
	if (pid == 0) {
		close(sk[0]);
		_exit(early_child(s, netns_fd, sk[1]));
	}
	close(sk[1]);
	p->pid = pid;
	p->sk = sk[0];
	return 0;
}

int netns_early_netfd(struct netns_early *p, struct err *e)
{
	char b = 0;
	int fd;
	ssize_t n = fd_recvmsg(p->sk, &b, 1, &fd);

	if (n == 1 && b == 'N' && fd >= 0)
		return fd;
	if (fd >= 0)
		close(fd);
	if (n != 1 || err_recv(p->sk, e) != 1)
		err_make(e, 0, "creating the container's net namespace: the helper died");
	netns_early_cancel(p);
	return -1;
}

int netns_early_end(struct netns_early *p, struct err *e)
{
	int st = 0, rc = 0;

	if (err_recv(p->sk, e) == 1)
		rc = -1;
	while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
		;
	if (rc == 0 && (!WIFEXITED(st) || WEXITSTATUS(st) != 0))
		rc = err_make(e, 0, "attaching the container to its networks failed");
	closep(&p->sk);
	p->pid = 0;
	return rc;
}

void netns_early_cancel(struct netns_early *p)
{
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	closep(&p->sk);
	p->pid = 0;
}

struct drop_args {
	int userns, netns;
	const struct network *n;
};

static int drop_fn(void *arg, struct err *e)
{
	struct drop_args *a = arg;
	_cleanup_close_ int nl = -1;

	if (setns(a->userns, CLONE_NEWUSER) < 0 || setns(a->netns, CLONE_NEWNET) < 0)
		return err_make(e, errno, "joining the networks' namespace");
	nl = nl_open(e);
	if (nl < 0 || nl_link_del(nl, a->n->iface, e) < 0)
		return -1;
	return nl_table_drop(nl, a->n->subnet, a->n->bits, TABLE_BASE + (uint32_t)atoi(a->n->iface + 6),
			     RULE_PRIO, e);
}

int netns_drop_network(const char *runroot, const struct network *n, struct err *e)
{
	_cleanup_free_ char *dir = xasprintf("%s/netns", runroot);
	_cleanup_free_ char *lock = xasprintf("%s/lock", dir);
	_cleanup_close_ int lfd = -1, ufd = -1, nfd = -1;
	unsigned long long start = 0;
	struct drop_args a = { .n = n };
	pid_t pid = 0;
	char path[64];

	if (strncmp(n->iface, "burrow", 6) != 0)
		return 0;
	lfd = open(lock, O_RDWR | O_CLOEXEC);
	if (lfd < 0)
		return 0; /* no namespace was ever made */
	while (flock(lfd, LOCK_EX) < 0)
		if (errno != EINTR)
			return err_make(e, errno, "locking %s", lock);
	if (pid_record_read(dir, "holder", &pid, &start) < 0 || !proc_alive(pid, start))
		return 0; /* the namespace, and the bridge with it, is gone */
	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
	ufd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
	nfd = open(path, O_RDONLY | O_CLOEXEC);
	if (ufd < 0 || nfd < 0 || !proc_alive(pid, start))
		return 0;
	a.userns = ufd;
	a.netns = nfd;
	if (in_child(drop_fn, &a, e) < 0)
		return err_wrap(e, "removing the bridge %s of network %s", n->iface, n->name);
	return 0;
}

int netns_publish(const struct container_spec *s, int **ids, size_t *n, struct err *e)
{
	_cleanup_free_ char *runroot = events_runroot_of(s->rundir);
	_cleanup_free_ char *sock = runroot ? netns_net_socket(runroot) : NULL;

	*ids = NULL;
	*n = 0;
	if (!s->nports)
		return 0;
	if (!sock)
		return err_make(e, EINVAL, "no run root for %s", s->rundir);
	for (size_t i = 0; i < s->nports; i++) {
		for (unsigned k = 0; k < s->ports[i].count; k++) {
			struct port_spec one = s->ports[i];
			int id = -1;

			one.count = 1;
			one.host_port = (uint16_t)(s->ports[i].host_port + k);
			one.container_port = (uint16_t)(s->ports[i].container_port + k);
			if (net_add_port(sock, &one, PORT_HANDLER_FAST, s->networks[0].ip, &id, e) < 0) {
				netns_unpublish(s, *ids, *n);
				*ids = NULL;
				*n = 0;
				return err_wrap(e, "publishing port %u", one.host_port);
			}
			*ids = xrealloc(*ids, (*n + 1) * sizeof **ids);
			(*ids)[(*n)++] = id;
		}
	}
	return 0;
}

void netns_unpublish(const struct container_spec *s, int *ids, size_t n)
{
	_cleanup_free_ char *runroot = events_runroot_of(s->rundir);
	_cleanup_free_ char *sock = runroot ? netns_net_socket(runroot) : NULL;

	for (size_t i = 0; sock && i < n; i++) {
		struct err e = ERR_INIT;
		if (net_remove_port(sock, ids[i], &e) < 0)
			err_clear(&e);
	}
	free(ids);
}
