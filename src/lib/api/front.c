/* front.c - the service's listening socket and its front process.
 *
 * libmicrohttpd brings GnuTLS and its chain along (p11-kit, nettle, gmp,
 * libtasn1, libunistring...): about 3 MB of RSS once loaded, which a
 * service that waits for requests most of the time would hold for ever.
 * So the process that listens never loads it.  When a connection comes,
 * this front forks a worker (it has a single thread, so the fork is safe),
 * which forks the forkjob runner, opens libmicrohttpd and serves on the
 * same socket (server.c: api_serve_fd) until it has had no connection and
 * no exec session pending for WORKER_LINGER seconds; it then stops
 * listening, ends its last connections and exits, and the front waits for
 * the next connection.  Idle, the service is the front alone (about 1 MB);
 * the first request after an idle spell pays the worker's start (a fork,
 * the runner's fork, libmicrohttpd's loading: 3-8 ms here).  The first
 * worker starts at once, so a missing libmicrohttpd fails the start.
 * BURROW_API_WORKER=0: one process serves, libmicrohttpd loaded throughout. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "api_int.h"
#include "lib/base/log.h"
#include "lib/base/syscalls.h"
#include "lib/base/util.h"

#define WORKER_LINGER 10 /* seconds a worker stays without a connection */

char *api_default_uri(const char *runroot)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (xdg && *xdg == '/')
		return xasprintf("unix://%s/burrow/burrow.sock", xdg);
	return xasprintf("unix://%s/burrow.sock", runroot);
}

static int listen_unix(const char *path, struct err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_free_ char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	struct stat st;
	mode_t old;
	int fd, rc;

	if (strlen(path) >= sizeof sa.sun_path)
		return err_make(e, ENAMETOOLONG, "socket path %s", path);
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return err_make(e, errno, "creating %s", dir);
		if (stat(dir, &st) < 0)
			return err_make(e, errno, "%s", dir);
		if (st.st_uid != geteuid())
			return err_make(e, EPERM, "%s belongs to another user", dir);
	}
	/* a socket left by a service that is gone is replaced; a live one is not */
	if (lstat(path, &st) == 0) {
		int probe;
		if (!S_ISSOCK(st.st_mode))
			return err_make(e, EEXIST, "%s exists and is not a socket", path);
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		strcpy(sa.sun_path, path);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof sa) == 0) {
			close(probe);
			return err_make(e, EADDRINUSE, "another service listens on %s", path);
		}
		if (probe >= 0)
			close(probe);
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_make(e, errno, "socket");
	strcpy(sa.sun_path, path);
	old = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (rc < 0 || chmod(path, 0600) < 0 || listen(fd, 128) < 0) {
		int err = errno;
		close(fd);
		return err_make(e, err, "listening on %s", path);
	}
	return fd;
}

static int listen_tcp(const char *hostport, struct err *e)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	_cleanup_free_ char *host = xstrdup(hostport);
	char *colon = strrchr(host, ':'), *end;
	unsigned long port;
	int fd, one = 1;

	if (!colon)
		return err_make(e, EINVAL, "tcp://%s: no port", hostport);
	*colon = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (*end || port == 0 || port > 65535 || inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return err_make(e, EINVAL, "tcp://%s: expected tcp://IPV4:PORT", hostport);
	sa.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_make(e, errno, "socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 128) < 0) {
		int err = errno;
		close(fd);
		return err_make(e, err, "listening on tcp://%s", hostport);
	}
	log_warn("the API listens on tcp://%s without authentication: anyone who can reach it can run "
		 "containers as you",
		 hostport);
	return fd;
}

static bool worker_mode(void)
{
	const char *v = getenv("BURROW_API_WORKER");

	return !(v && strcmp(v, "0") == 0);
}

static time_t mono_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* SIGINT, SIGTERM and SIGHUP end the front: the handler writes to this pipe */
static int front_stop[2] = { -1, -1 };

static void on_front_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (write(front_stop[1], &c, 1) < 0) {
		/* full: a byte is already there */
	}
	errno = saved;
}

static void worker_ready(void *arg)
{
	int *fd = arg;
	char ok = 0;

	if (write(*fd, &ok, 1) < 0) {
		/* the front is gone */
	}
	close(*fd);
	*fd = -1;
}

/* in the worker: serve, then exit */
static __attribute__((noreturn)) void worker_main(const struct api_opts *o, const struct api_backend *b,
						  int fd, int ready_fd)
{
	struct api_how how = { o->idle_time > 0 && o->idle_time < WORKER_LINGER ? o->idle_time
										: WORKER_LINGER,
			       true, worker_ready, &ready_fd };
	struct err e = ERR_INIT;
	int rc;

	close(front_stop[0]);
	close(front_stop[1]);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	prctl(PR_SET_NAME, "burrow-api");
	rc = api_serve_fd(o, b, fd, &how, &e);
	if (rc < 0 && ready_fd >= 0) {
		/* before it listened: the front reports it */
		char c = 1;
		const char *m = e.msg ? e.msg : "the API worker failed";
		if (write(ready_fd, &c, 1) < 0 || write(ready_fd, m, strlen(m)) < 0) {
			/* the front is gone */
		}
	} else if (rc < 0) {
		log_error("%s", e.msg ? e.msg : "the API worker failed");
	}
	err_clear(&e);
	_exit(rc < 0 ? 1 : 0);
}

/* a worker started and listening: its pid, or -1 with e set */
static pid_t worker_start(const struct api_opts *o, const struct api_backend *b, int fd, struct err *e)
{
	int rp[2];
	pid_t pid;
	char buf[1024];
	ssize_t n, k;

	if (pipe2(rp, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	pid = fork();
	if (pid < 0) {
		close(rp[0]);
		close(rp[1]);
		return err_make(e, errno, "fork");
	}
	if (pid == 0) {
		close(rp[0]);
		worker_main(o, b, fd, rp[1]);
	}
	close(rp[1]);
	n = 0;
	while ((size_t)n < sizeof buf - 1 && (k = read(rp[0], buf + n, sizeof buf - 1 - (size_t)n)) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			break;
		n += k;
		if (buf[0] == 0)
			break;
	}
	close(rp[0]);
	if (n >= 1 && buf[0] == 0)
		return pid;
	buf[n > 0 ? n : 0] = '\0';
	waitpid(pid, NULL, 0);
	return err_make(e, 0, "%s", n > 1 ? buf + 1 : "the API worker ended as it started");
}

/* until worker pid exits (1) or a signal stops the front (0) */
static int worker_wait(pid_t pid)
{
	int pfd = sys_pidfd_open(pid, 0), st;

	for (;;) {
		struct pollfd p[2] = { { .fd = front_stop[0], .events = POLLIN },
				       { .fd = pfd, .events = POLLIN } };
		int r = poll(p, pfd >= 0 ? 2 : 1, pfd >= 0 ? -1 : 10);
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0 && p[0].revents) {
			kill(pid, SIGTERM);
			waitpid(pid, NULL, 0);
			if (pfd >= 0)
				close(pfd);
			return 0;
		}
		if (waitpid(pid, &st, WNOHANG) == pid) {
			if (pfd >= 0)
				close(pfd);
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				log_warn("the API worker ended (wait status %d)", st);
			return 1;
		}
	}
	waitpid(pid, NULL, 0);
	if (pfd >= 0)
		close(pfd);
	return 1;
}

static void log_listening(void *arg)
{
	const struct api_opts *o = arg;

	log_info("API listening on %s", o->listen_fd >= 0 ? "the socket passed by systemd" : o->uri);
}

/* the front: a worker for each busy spell */
static int front(const struct api_opts *o, const struct api_backend *b, int fd, struct err *e)
{
	struct sigaction sa, old_int, old_term, old_hup;
	time_t last = 0;
	bool first = true;
	int rc = 0;

	if (pipe2(front_stop, O_CLOEXEC | O_NONBLOCK) < 0)
		return err_make(e, errno, "pipe");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_front_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		pid_t pid;
		if (!first) {
			struct pollfd p[2] = { { .fd = front_stop[0], .events = POLLIN },
					       { .fd = fd, .events = POLLIN } };
			if (poll(p, 2, o->idle_time > 0 ? 1000 : -1) < 0 && errno != EINTR) {
				rc = err_make(e, errno, "poll");
				break;
			}
			if (p[0].revents)
				break;
			if (!(p[1].revents & POLLIN)) {
				if (o->idle_time > 0 && mono_sec() - last >= (time_t)o->idle_time)
					break;
				continue;
			}
		}
		pid = worker_start(o, b, fd, e);
		if (pid < 0) {
			rc = -1;
			break;
		}
		if (first)
			log_listening((void *)(uintptr_t)o);
		first = false;
		if (worker_wait(pid) == 0)
			break;
		/* the worker was idle for its linger already */
		last = mono_sec() -
		       (o->idle_time > 0 && o->idle_time < WORKER_LINGER ? o->idle_time : WORKER_LINGER);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	close(front_stop[0]);
	close(front_stop[1]);
	front_stop[0] = front_stop[1] = -1;
	return rc;
}

int api_serve(const struct api_opts *o, const struct api_backend *b, struct err *e)
{
	const char *unix_path = NULL;
	int fd = o->listen_fd, rc;

	if (fd < 0) {
		if (strncmp(o->uri, "unix://", 7) == 0 && o->uri[7] == '/') {
			unix_path = o->uri + 7;
			fd = listen_unix(unix_path, e);
		} else if (strncmp(o->uri, "tcp://", 6) == 0) {
			fd = listen_tcp(o->uri + 6, e);
		} else {
			return err_make(e, EINVAL,
					"unsupported URI \"%s\" (unix:///PATH or tcp://127.0.0.1:PORT)",
					o->uri);
		}
		if (fd < 0)
			return -1;
	}
	if (worker_mode()) {
		rc = front(o, b, fd, e);
	} else {
		struct api_how how = { o->idle_time, false, log_listening, (void *)(uintptr_t)o };
		rc = api_serve_fd(o, b, fd, &how, e);
	}
	close(fd);
	if (unix_path)
		unlink(unix_path);
	return rc;
}
