/* net.c - see net.h */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/stat.h>

#include "lib/record/container.h"
#include "net.h"
#include "lib/record/state.h"
#include "lib/base/log.h"
#include "lib/base/util.h"

#define HELPER_START_TIMEOUT_MS 30000
#define API_TIMEOUT_MS 5000

void net_params_init(struct net_params *p, const struct net_opts *o)
{
	memset(p, 0, sizeof(*p));
	if (o)
		p->opts = *o;
	else
		net_opts_init(&p->opts);
	p->log_fd = -1;
}

int net_addr(const struct net_opts *o, enum net_addr which, char buf[16], struct err *e)
{
	uint32_t net;
	unsigned bits, host;
	struct in_addr a;

	if (net_cidr_parse(o->cidr, &net, &bits, e) < 0)
		return -1;
	switch (which) {
	case NET_ADDR_GUEST:
		host = 100;
		break;
	case NET_ADDR_GATEWAY:
		host = 2;
		break;
	case NET_ADDR_DNS:
		host = 3;
		break;
	default:
		return err_make(e, EINVAL, "net_addr");
	}
	a.s_addr = htonl(net | host);
	inet_ntop(AF_INET, &a, buf, 16);
	return 0;
}

char *net_resolv_conf(const struct net_opts *o, const char *host_text)
{
	char dns[16] = "10.0.2.3";
	char *out = xstrdup("");

	net_addr(o, NET_ADDR_DNS, dns, NULL);
	for (const char *l = host_text; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);

		if ((len > 7 && strncmp(l, "search ", 7) == 0) ||
		    (len > 7 && strncmp(l, "domain ", 7) == 0) ||
		    (len > 8 && strncmp(l, "options ", 8) == 0)) {
			char *n = xasprintf("%s%.*s\n", out, (int)len, l);
			free(out);
			out = n;
		}
		l = nl ? nl + 1 : l + len;
	}
	char *n = xasprintf("%snameserver %s\n", out, dns);
	free(out);
	return n;
}

char *net_hosts(const struct net_opts *o, const char *hostname)
{
	char guest[16] = "10.0.2.100", gw[16] = "10.0.2.2";

	net_addr(o, NET_ADDR_GUEST, guest, NULL);
	net_addr(o, NET_ADDR_GATEWAY, gw, NULL);
	return xasprintf("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
			 "%s\t%s\n%s%s%s",
			 guest, hostname ? hostname : "localhost", o->allow_host_loopback ? gw : "",
			 o->allow_host_loopback ? "\thost.containers.internal host.docker.internal" : "",
			 o->allow_host_loopback ? "\n" : "");
}

char *net_find_helper(void)
{
	const char *env = getenv("BURROW_NET_HELPER");
	_cleanup_free_ char *dir = self_exe_dir();
	char *p;

	if (env && *env)
		return xstrdup(env);
	if (dir) {
		p = xasprintf("%s/burrow-net", dir);
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return xstrdup(LIBEXECDIR "/burrow-net");
}

/* ---- start / stop --------------------------------------------------------- */

static void reap(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
}

/* The options and ports as burrow-net --config-fd reads them, in a memfd:
 * any size, and nothing blocks before the helper reads it. */
static int config_fd(const struct net_params *o, struct err *e)
{
	json_object *j = json_object_new_object();
	_cleanup_close_ int fd = memfd_create("burrow-net-config", MFD_CLOEXEC);
	_cleanup_free_ char *text = NULL;
	size_t len;

	json_object_object_add(j, "network_options", net_opts_to_json(&o->opts));
	json_object_object_add(j, "ports", port_specs_to_json(o->ports, o->nports));
	text = xstrdup(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
	json_object_put(j);
	if (fd < 0)
		return err_make(e, errno, "memfd_create");
	len = strlen(text);
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_make(e, n < 0 ? errno : EIO, "writing the network configuration");
		off += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) < 0)
		return err_make(e, errno, "writing the network configuration");
	return steal_fd(fd);
}

bool net_direct_off(void)
{
	const char *v = getenv("BURROW_PORT_DIRECT");

	return v && strcmp(v, "0") == 0;
}

bool net_connect_direct_off(void)
{
	const char *v = getenv("BURROW_CONNECT_DIRECT");

	return v && strcmp(v, "0") == 0;
}

int net_spawn(const struct net_params *o, struct net_helper *h, struct err *e)
{
	_cleanup_free_ char *helper = o->helper ? xstrdup(o->helper) : net_find_helper();
	_cleanup_strv_ char **argv = NULL;
	_cleanup_close_ int ready_r = -1, ready_w = -1, exit_r = -1, exit_w = -1;
	_cleanup_close_ int tgt_r = -1, tgt_w = -1, cfg = -1, ntf_r = -1, ntf_w = -1;
	int rp[2], xp[2], tp[2], np[2];
	pid_t pid;

	memset(h, 0, sizeof(*h));
	h->exit_fd = h->target_fd = h->ready_fd = h->notify_fd = -1;
	if (!o->api_socket || strlen(o->api_socket) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return err_make(e, ENAMETOOLONG, "network control socket path");
	if (access(helper, X_OK) < 0)
		return err_make(e, errno, "network helper %s", helper);
	for (size_t i = 0; i < o->nports; i++)
		if (!o->ports[i].host_port)
			return err_make(e, EINVAL,
					"net_start: port %u has no host port yet "
					"(call ports_assign_random)",
					o->ports[i].container_port);
	cfg = config_fd(o, e);
	if (cfg < 0)
		return -1;
	if (pipe2(rp, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	ready_r = rp[0], ready_w = rp[1];
	if (pipe2(xp, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	exit_r = xp[0], exit_w = xp[1];
	/* a socket, not a pipe: net_attach() writes without SIGPIPE */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, tp) < 0)
		return err_make(e, errno, "socketpair");
	tgt_r = tp[0], tgt_w = tp[1];
	/* port_handler=direct: the init's seccomp listener goes this way */
	if (o->opts.handler == PORT_HANDLER_DIRECT && !net_direct_off()) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, np) < 0)
			return err_make(e, errno, "socketpair");
		ntf_r = np[0], ntf_w = np[1];
	}

	strv_push(&argv, helper);
	strv_push(&argv, "--target-fd");
	strv_push(&argv, "5");
	strv_push(&argv, "--ready-fd");
	strv_push(&argv, "3");
	strv_push(&argv, "--exit-fd");
	strv_push(&argv, "4");
	strv_push(&argv, "--api-socket");
	strv_push(&argv, o->api_socket);
	strv_push(&argv, "--config-fd");
	strv_push(&argv, "6");
	if (log_threshold != LOG_WARN) {
		static const char *const levels[] = { "error", "warn", "info", "debug" };
		strv_push(&argv, "--log-level");
		strv_push(&argv, levels[log_threshold > LOG_DEBUG ? LOG_DEBUG : log_threshold]);
	}
	if (ntf_r >= 0) {
		strv_push(&argv, "--notify-fd");
		strv_push(&argv, "7");
	}
	if (o->resolv_conf) {
		strv_push(&argv, "--resolv-conf");
		strv_push(&argv, o->resolv_conf);
	}
	pid = fork();
	if (pid < 0)
		return err_make(e, errno, "fork");
	if (pid == 0) {
		/* move the four ends above 6 first, so dup2 cannot clobber them */
		int r = fcntl(ready_w, F_DUPFD_CLOEXEC, 10), x = fcntl(exit_r, F_DUPFD_CLOEXEC, 10);
		int tg = fcntl(tgt_r, F_DUPFD_CLOEXEC, 10), c = fcntl(cfg, F_DUPFD_CLOEXEC, 10);
		int nt = ntf_r >= 0 ? fcntl(ntf_r, F_DUPFD_CLOEXEC, 10) : -1;
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (r < 0 || x < 0 || tg < 0 || c < 0 || null < 0 || (ntf_r >= 0 && nt < 0))
			_exit(127);
		if (o->log_fd >= 0 && o->log_fd != 2)
			dup2(o->log_fd, 2);
		if (dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(r, 3) < 0 || dup2(x, 4) < 0 ||
		    dup2(tg, 5) < 0 || dup2(c, 6) < 0 || (nt >= 0 && dup2(nt, 7) < 0))
			_exit(127);
		syscall(SYS_close_range, nt >= 0 ? 8 : 7, ~0U, 0);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], argv);
		dprintf(3, "0exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	h->pid = pid;
	h->pending = true;
	h->exit_fd = steal_fd(exit_w);
	h->target_fd = steal_fd(tgt_w);
	h->ready_fd = steal_fd(ready_r);
	h->notify_fd = steal_fd(ntf_w);
	h->api_socket = xstrdup(o->api_socket);
	return 0;
}

/* a failed start: nothing of the helper stays */
static void spawn_failed(struct net_helper *h, int *status)
{
	kill(h->pid, SIGKILL);
	reap(h->pid, status);
	h->pid = 0;
	h->pending = false;
	closep(&h->exit_fd);
	closep(&h->target_fd);
	closep(&h->ready_fd);
	closep(&h->notify_fd);
	free(h->api_socket);
	h->api_socket = NULL;
}

int net_attach(struct net_helper *h, pid_t init_pid, struct err *e)
{
	char buf[1024];
	size_t got = 0;
	int status = 0;

	if (!h->pending)
		return err_make(e, EINVAL, "net_attach: no helper waiting");
	/* a helper that already failed (a busy port) has closed its end: EPIPE,
	 * and its message is on the ready fd */
	snprintf(buf, sizeof(buf), "%d\n", (int)init_pid);
	if (send(h->target_fd, buf, strlen(buf), MSG_NOSIGNAL) < 0 && errno != EPIPE && errno != ECONNRESET) {
		int err = errno;
		spawn_failed(h, &status);
		return err_make(e, err, "passing the container to the network helper");
	}
	closep(&h->target_fd);

	/* "1" = up; "0" + message = failed before ready; EOF = died */
	for (;;) {
		struct pollfd pfd = { .fd = h->ready_fd, .events = POLLIN };
		int n = poll(&pfd, 1, HELPER_START_TIMEOUT_MS);
		ssize_t r;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n ? errno : ETIMEDOUT;
			spawn_failed(h, &status);
			return err_make(e, err, "network helper did not start");
		}
		r = read(h->ready_fd, buf + got, sizeof(buf) - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r > 0)
			got += (size_t)r;
		if (got > 0 && buf[0] == '1')
			break;
		if (r <= 0 || got == sizeof(buf) - 1) {
			buf[got] = '\0';
			spawn_failed(h, &status);
			if (got > 1 && buf[0] == '0') {
				char *nl = strchr(buf, '\n');
				if (nl)
					*nl = '\0';
				return err_make(e, 0, "%s", buf + 1);
			}
			if (WIFEXITED(status))
				return err_make(e, 0,
						"network helper exited with status %d before "
						"it was ready",
						WEXITSTATUS(status));
			return err_make(e, 0,
					"network helper was killed by signal %d before it "
					"was ready",
					WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		}
	}
	closep(&h->ready_fd);
	h->pending = false;
	return 0;
}

int net_start(const struct net_params *o, pid_t init_pid, struct net_helper *h, struct err *e)
{
	if (net_spawn(o, h, e) < 0)
		return -1;
	return net_attach(h, init_pid, e);
}

int net_stop(struct net_helper *h)
{
	int status = -1;

	if (h->pending) {
		closep(&h->target_fd);
		closep(&h->ready_fd);
		h->pending = false;
	}
	closep(&h->exit_fd);
	closep(&h->notify_fd);
	if (h->pid > 0) {
		int pfd = (int)syscall(SYS_pidfd_open, h->pid, 0);

		if (pfd >= 0) {
			struct pollfd p = { .fd = pfd, .events = POLLIN };
			int n;

			while ((n = poll(&p, 1, 5000)) < 0 && errno == EINTR)
				;
			if (n == 0)
				kill(h->pid, SIGKILL);
			close(pfd);
		}
		reap(h->pid, &status);
		h->pid = 0;
	}
	free(h->api_socket);
	h->api_socket = NULL;
	return status;
}

/* ---- control socket ------------------------------------------------------- */

int net_api_call(const char *api_socket, const char *request, char **reply, struct err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *line = xasprintf("%s\n", request);
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (strlen(api_socket) >= sizeof(sa.sun_path))
		return err_make(e, ENAMETOOLONG, "%s", api_socket);
	strcpy(sa.sun_path, api_socket);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return err_make(e, errno, "connecting to the network helper at %s", api_socket);
	if (write_all(fd, line, strlen(line)) < 0)
		return err_make(e, errno, "writing to the network helper");
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;
		int n = poll(&p, 1, API_TIMEOUT_MS);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			return err_make(e, n ? errno : ETIMEDOUT, "waiting for the network helper");
		}
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(buf);
			return err_make(e, r ? errno : 0, "the network helper closed the connection");
		}
		len += (size_t)r;
		buf[len] = '\0';
		if (memchr(buf, '\n', len)) {
			*strchr(buf, '\n') = '\0';
			*reply = buf;
			return 0;
		}
	}
}

/* Send request, return the "return" member (a new reference) or fail with
 * the helper's error text. */
static json_object *api_request(const char *api_socket, json_object *req, struct err *e)
{
	_cleanup_free_ char *reply = NULL;
	json_object *j, *r, *err, *desc;

	if (net_api_call(api_socket, json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN), &reply, e) <
	    0)
		return NULL;
	j = json_tokener_parse(reply);
	if (!j) {
		err_make(e, 0, "the network helper sent bad JSON: %s", reply);
		return NULL;
	}
	if (json_object_object_get_ex(j, "error", &err)) {
		err_make(e, 0, "network helper: %s",
			 json_object_object_get_ex(err, "desc", &desc) ? json_object_get_string(desc)
								       : reply);
		json_object_put(j);
		return NULL;
	}
	if (!json_object_object_get_ex(j, "return", &r)) {
		err_make(e, 0, "the network helper sent no return value: %s", reply);
		json_object_put(j);
		return NULL;
	}
	json_object_get(r);
	json_object_put(j);
	return r;
}

static uint64_t get_u64(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? (uint64_t)json_object_get_int64(v) : 0;
}

int net_counters(const char *api_socket, struct net_counters *c, struct err *e)
{
	json_object *req = json_object_new_object(), *r;

	json_object_object_add(req, "execute", json_object_new_string("get_counters"));
	r = api_request(api_socket, req, e);
	json_object_put(req);
	if (!r)
		return -1;
	c->rx_bytes = get_u64(r, "rx_bytes");
	c->tx_bytes = get_u64(r, "tx_bytes");
	c->rx_packets = get_u64(r, "rx_packets");
	c->tx_packets = get_u64(r, "tx_packets");
	json_object_put(r);
	return 0;
}

int net_add_port(const char *api_socket, const struct port_spec *p, enum port_handler handler,
		 const char *guest_addr, int *id, struct err *e)
{
	json_object *req = json_object_new_object(), *args = json_object_new_object(), *r, *v;

	if (p->count != 1) {
		json_object_put(req);
		json_object_put(args);
		return err_make(e, EINVAL, "net_add_port: one port at a time");
	}
	json_object_object_add(req, "execute", json_object_new_string("add_hostfwd"));
	json_object_object_add(args, "proto", json_object_new_string(p->udp ? "udp" : "tcp"));
	json_object_object_add(args, "host_addr",
			       json_object_new_string(p->host_ip[0] ? p->host_ip : "0.0.0.0"));
	json_object_object_add(args, "host_port", json_object_new_int(p->host_port));
	json_object_object_add(args, "guest_port", json_object_new_int(p->container_port));
	json_object_object_add(args, "handler", json_object_new_string(port_handler_name(handler)));
	if (guest_addr)
		json_object_object_add(args, "guest_addr", json_object_new_string(guest_addr));
	json_object_object_add(req, "arguments", args);
	r = api_request(api_socket, req, e);
	json_object_put(req);
	if (!r)
		return -1;
	if (id)
		*id = json_object_object_get_ex(r, "id", &v) ? json_object_get_int(v) : -1;
	json_object_put(r);
	return 0;
}

int net_remove_port(const char *api_socket, int id, struct err *e)
{
	json_object *req = json_object_new_object(), *args = json_object_new_object(), *r;

	json_object_object_add(req, "execute", json_object_new_string("remove_hostfwd"));
	json_object_object_add(args, "id", json_object_new_int(id));
	json_object_object_add(req, "arguments", args);
	r = api_request(api_socket, req, e);
	json_object_put(req);
	if (!r)
		return -1;
	json_object_put(r);
	return 0;
}

/* ---- --network container:ID ------------------------------------------------ */

/* dir is <base>/containers/<id>: the same place for another id */
static char *sibling_dir(const char *dir, const char *id)
{
	const char *slash = strrchr(dir, '/');

	return xasprintf("%.*s/%s", (int)(slash ? slash - dir : 0), dir, id);
}

static bool same_ns(int fd, const char *self)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(self, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

int net_shared_open(const struct container_spec *s, int *userfd, int *netfd, struct err *e)
{
	const char *id = s->net_container;
	_cleanup_free_ char *ctrdir = NULL, *rundir = NULL, *cfg = NULL;
	_cleanup_close_ int ufd = -1, nfd = -1;
	struct ctr_state st;
	char path[64];
	int rc = -1;

	*userfd = *netfd = -1;
	if (s->net != NET_CONTAINER || !id || strlen(id) != 64 || !is_hex(id, 64))
		return err_make(e, EINVAL, "net_shared_open: no container to share the network of");
	ctrdir = sibling_dir(s->ctrdir, id);
	rundir = sibling_dir(s->rundir, id);
	cfg = xasprintf("%s/config.json", ctrdir);
	if (access(cfg, F_OK) < 0)
		return err_make_status(e, 125, 0,
				       "--network container:%.12s: the container no longer "
				       "exists",
				       id);
	ctr_state_init(&st);
	if (state_refresh(ctrdir, rundir, &st, NULL, e) < 0) {
		err_wrap(e, "--network container:%.12s", id);
		goto out;
	}
	if ((st.status != ST_RUNNING && st.status != ST_PAUSED) || st.pid <= 0) {
		err_make_status(e, 125, 0,
				"--network container:%.12s: the container is not running "
				"(it is %s); start it first",
				id, ctr_status_name(st.status));
		goto out;
	}
	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)st.pid);
	ufd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof path, "/proc/%d/ns/net", (int)st.pid);
	nfd = open(path, O_RDONLY | O_CLOEXEC);
	/* opened first, checked after: a pid reused in between is caught */
	if (ufd < 0 || nfd < 0 || !proc_alive(st.pid, st.pid_start)) {
		err_make_status(e, 125, 0, "--network container:%.12s: the container is not running", id);
		goto out;
	}
	if (same_ns(nfd, "/proc/self/ns/net")) {
		err_make_status(e, 125, 0,
				"--network container:%.12s: that container uses the host's "
				"network; use --network host",
				id);
		goto out;
	}
	if (same_ns(ufd, "/proc/self/ns/user"))
		closep(&ufd);
	*userfd = steal_fd(ufd);
	*netfd = steal_fd(nfd);
	rc = 0;
out:
	ctr_state_free(&st);
	if (rc < 0 && !e->status)
		e->status = 125;
	return rc;
}

char *net_shared_file(const struct container_spec *s, const char *name)
{
	_cleanup_free_ char *rd = NULL, *p = NULL;
	char *text = NULL;

	if (s->net != NET_CONTAINER || !s->net_container || !s->rundir)
		return NULL;
	rd = sibling_dir(s->rundir, s->net_container);
	p = xasprintf("%s/%s", rd, name);
	if (read_file_at(AT_FDCWD, p, 1 << 20, &text, NULL, NULL) < 0)
		return NULL;
	return text;
}

char *net_shared_socket(const struct container_spec *s)
{
	struct container_spec t;
	char *sock;

	if (s->net != NET_CONTAINER || !s->net_container || !s->rundir)
		return NULL;
	memset(&t, 0, sizeof t);
	snprintf(t.id, sizeof t.id, "%s", s->net_container);
	t.rundir = sibling_dir(s->rundir, s->net_container);
	sock = container_net_socket(&t);
	free(t.rundir);
	return sock;
}
