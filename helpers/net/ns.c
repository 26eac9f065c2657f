/* ns.c - the in-namespace child of burrow-net: tap0 and the socket factory.
 *
 * Protocol over a SOCK_SEQPACKET socketpair:
 *   child -> parent, once:  struct reply {err, msg} + SCM_RIGHTS tap fd
 *   parent -> child:        struct req {domain, type}
 *   child -> parent:        struct reply {err} + SCM_RIGHTS socket fd (err == 0)
 * The child exits when the parent closes its end (or dies: PDEATHSIG). */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/route.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bnet.h"

struct req {
	int domain, type;
};
struct reply {
	int err;
	char msg[240];
};

static int send_fd(int sock, const struct reply *r, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)r, .iov_len = sizeof(*r) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *c;

		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &m, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* Receive a reply and its fd (-1 if none). */
static int recv_fd(int sock, struct reply *r, int *fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = r, .iov_len = sizeof(*r) };
	struct msghdr m = { .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	ssize_t n;

	*fd = -1;
	do
		n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(*r))
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	return 0;
}

__attribute__((format(printf, 3, 4))) static int cfail(struct reply *r, int err, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	n = strlen(r->msg);
	if (err)
		snprintf(r->msg + n, sizeof(r->msg) - n, ": %s", strerror(err));
	r->err = err ? err : EINVAL;
	return -1;
}

static int if_flags_up(int s, const char *name, struct reply *r)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return cfail(r, errno, "getting the flags of %s", name);
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return cfail(r, errno, "bringing %s up", name);
	return 0;
}

static void set_sin(struct sockaddr *sa, struct in_addr a)
{
	struct sockaddr_in *in = (struct sockaddr_in *)sa;

	memset(in, 0, sizeof(*in));
	in->sin_family = AF_INET;
	in->sin_addr = a;
}

static void write_sysctl(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, val, strlen(val)) < 0) {
			/* best effort: IPv6 may be off in this kernel */
		}
		close(fd);
	}
}

/* In the container's namespaces: create and configure tap0. */
static int make_tap(const struct bnet *b, struct reply *r)
{
	struct ifreq ifr = { 0 };
	struct rtentry rt;
	int fd, s;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return cfail(r, errno, "opening /dev/net/tun");
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "tap0");
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		cfail(r, errno, "creating tap0 in the container's network namespace");
		close(fd);
		return -1;
	}
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		close(fd);
		return cfail(r, errno, "socket");
	}
	if (b->enable_ipv6) {
		write_sysctl("/proc/sys/net/ipv6/conf/tap0/accept_dad", "0");
		write_sysctl("/proc/sys/net/ipv6/conf/tap0/accept_ra", "1");
	} else {
		write_sysctl("/proc/sys/net/ipv6/conf/tap0/disable_ipv6", "1");
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "tap0");
	ifr.ifr_mtu = (int)b->mtu;
	if (ioctl(s, SIOCSIFMTU, &ifr) < 0) {
		cfail(r, errno, "setting the MTU of tap0 to %u", b->mtu);
		goto out;
	}
	set_sin(&ifr.ifr_addr, b->guest);
	if (ioctl(s, SIOCSIFADDR, &ifr) < 0) {
		cfail(r, errno, "setting the address of tap0");
		goto out;
	}
	set_sin(&ifr.ifr_netmask, b->mask);
	if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0) {
		cfail(r, errno, "setting the netmask of tap0");
		goto out;
	}
	if (if_flags_up(s, "lo", r) < 0 || if_flags_up(s, "tap0", r) < 0)
		goto out;
	memset(&rt, 0, sizeof(rt));
	set_sin(&rt.rt_dst, (struct in_addr){ 0 });
	set_sin(&rt.rt_genmask, (struct in_addr){ 0 });
	set_sin(&rt.rt_gateway, b->gateway);
	rt.rt_flags = RTF_UP | RTF_GATEWAY;
	rt.rt_dev = (char *)"tap0";
	if (ioctl(s, SIOCADDRT, &rt) < 0) {
		cfail(r, errno, "adding the default route via tap0");
		goto out;
	}
	close(s);
	return fd;
out:
	close(s);
	close(fd);
	return -1;
}

/* Close every fd from 3 up but the ones in keep (-1 entries are ignored):
 * the listening sockets of -p and the control socket, which the parent may
 * have opened before us, must close when the parent closes them. */
static void close_others(int keep[3])
{
	unsigned lo = 3;

	for (int i = 0; i < 3; i++) /* sort the three */
		for (int j = i + 1; j < 3; j++)
			if (keep[j] < keep[i]) {
				int x = keep[i];
				keep[i] = keep[j];
				keep[j] = x;
			}
	for (int i = 0; i < 3; i++) {
		if (keep[i] < (int)lo)
			continue;
		if ((unsigned)keep[i] > lo)
			syscall(SYS_close_range, lo, (unsigned)keep[i] - 1, 0);
		lo = (unsigned)keep[i] + 1;
	}
	syscall(SYS_close_range, lo, ~0U, 0);
}

/* Serve socket requests until the other end closes. */
static void factory_loop(int sock)
{
	for (;;) {
		struct req q;
		struct reply r;
		ssize_t n = recv(sock, &q, sizeof(q), 0);
		int fd;

		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(q))
			return;
		memset(&r, 0, sizeof(r));
		fd = socket(q.domain, q.type | SOCK_CLOEXEC, 0);
		r.err = fd < 0 ? errno : 0;
		if (send_fd(sock, &r, fd) < 0) {
			if (fd >= 0)
				close(fd);
			return;
		}
		if (fd >= 0)
			close(fd);
	}
}

__attribute__((noreturn)) static void child(struct bnet *b, int sock, int ufd, int nfd)
{
	struct reply r = { 0 };
	int tap, keep[3] = { sock, ufd, nfd };

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "burrow-net-ns");
	close_others(keep);
	if (ufd >= 0 && setns(ufd, CLONE_NEWUSER) < 0) {
		cfail(&r, errno, "joining the container's user namespace");
		send_fd(sock, &r, -1);
		_exit(1);
	}
	if (setns(nfd, CLONE_NEWNET) < 0) {
		cfail(&r, errno, "joining the container's network namespace");
		send_fd(sock, &r, -1);
		_exit(1);
	}
	close(nfd);
	if (ufd >= 0)
		close(ufd);
	tap = make_tap(b, &r);
	if (tap < 0) {
		send_fd(sock, &r, -1);
		_exit(1);
	}
	if (send_fd(sock, &r, tap) < 0)
		_exit(1);
	close(tap);
	factory_loop(sock);
	_exit(0);
}

/* The factory as a thread: same protocol, same process. */
struct ns_thread_arg {
	struct bnet *b;
	int sock, nfd;
};

static void *ns_thread(void *arg)
{
	struct ns_thread_arg *a = arg;
	struct reply r = { 0 };
	int tap = -1;

	prctl(PR_SET_NAME, "burrow-net-ns");
	if (setns(a->nfd, CLONE_NEWNET) < 0) {
		cfail(&r, errno, "joining the container's network namespace");
		send_fd(a->sock, &r, -1);
	} else if ((tap = make_tap(a->b, &r)) < 0) {
		send_fd(a->sock, &r, -1);
	} else if (send_fd(a->sock, &r, tap) == 0) {
		close(tap);
		factory_loop(a->sock);
	} else {
		close(tap);
	}
	close(a->sock);
	free(a);
	return NULL;
}

static int start_thread(struct bnet *b, int sock, int nfd)
{
	struct ns_thread_arg *a = malloc(sizeof(*a));
	pthread_attr_t at;
	int rc;

	if (!a)
		return -1;
	a->b = b;
	a->sock = sock;
	a->nfd = nfd;
	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, 128 * 1024);
	rc = pthread_create(&b->factory_thread, &at, ns_thread, a);
	pthread_attr_destroy(&at);
	if (rc != 0) {
		free(a);
		return -1;
	}
	b->factory_is_thread = true;
	return 0;
}

int ns_setup(struct bnet *b, int ufd, int nfd, struct err *e)
{
	int sv[2], tap;
	struct reply r;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return err_make(e, errno, "socketpair");
	pid = 0;
	if (ufd >= 0 || start_thread(b, sv[1], nfd) < 0) {
		fflush(NULL);
		pid = fork();
		if (pid < 0)
			return err_make(e, errno, "fork");
	} else {
		sv[1] = -1; /* the thread's now */
	}
	if (pid == 0 && sv[1] >= 0) {
		close(sv[0]);
		if (b->ready_fd >= 0)
			close(b->ready_fd);
		if (b->exit_fd >= 0)
			close(b->exit_fd);
		child(b, sv[1], ufd, nfd);
	}
	if (sv[1] >= 0)
		close(sv[1]);
	if (recv_fd(sv[0], &r, &tap) < 0) {
		close(sv[0]);
		return err_make(e, 0, "the namespace helper died before creating tap0");
	}
	if (r.err || tap < 0) {
		close(sv[0]);
		return err_make(e, 0, "%s", r.msg[0] ? r.msg : "creating tap0 failed");
	}
	b->tapfd = tap;
	b->factory = sv[0];
	b->factory_pid = pid;
	return 0;
}

int ns_socket(struct bnet *b, int domain, int type)
{
	struct req q = { .domain = domain, .type = type };
	struct reply r;
	int fd = -1, err = 0;

	pthread_mutex_lock(&b->factory_lock);
	if (send(b->factory, &q, sizeof(q), MSG_NOSIGNAL) != (ssize_t)sizeof(q) ||
	    recv_fd(b->factory, &r, &fd) < 0)
		err = EPIPE;
	else if (r.err)
		err = r.err;
	pthread_mutex_unlock(&b->factory_lock);
	if (err) {
		errno = err;
		return -1;
	}
	return fd;
}
