/* spawn.c - see spawn.h */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <grp.h>
#include <linux/close_range.h>

#include "lib/base/log.h"
#include "spawn_int.h"
#include "lib/record/state.h"
#include "rootemu.h"
#include "rootfs.h"
#include "spawn.h"
#include "lib/base/syscalls.h"
#include "lib/base/util.h"

int msg_send(int sk, const struct msg *m, int fd)
{
	struct iovec iov = { .iov_base = (void *)m, .iov_len = sizeof *m };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *c;
		memset(&u, 0, sizeof u);
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof u.buf;
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof fd);
	}
	while (sendmsg(sk, &mh, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* Returns bytes read (0 on EOF); *fd gets a passed descriptor or -1. */
ssize_t msg_recv(int sk, struct msg *m, int *fd)
{
	struct iovec iov = { .iov_base = m, .iov_len = sizeof *m };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof u.buf };
	ssize_t n;

	if (fd)
		*fd = -1;
	do
		n = recvmsg(sk, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return n;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int got;
			memcpy(&got, CMSG_DATA(c), sizeof got);
			if (fd && *fd < 0)
				*fd = got;
			else
				close(got);
		}
	}
	return n;
}

static void send_error(int sk, const struct err *e, int status)
{
	struct msg m;

	memset(&m, 0, sizeof m);
	m.type = MSG_ERROR;
	m.a = e->errnum;
	m.b = status;
	snprintf(m.text, sizeof m.text, "%s", e->msg ? e->msg : "unknown error");
	msg_send(sk, &m, -1);
}

int wait_status_code(int st)
{
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 125;
}

/* ---- the container init (before exec) ----------------------------------- */

struct init_ctx {
	const struct container_spec *s;
	const struct msg *go;
	int sk;          /* control socket (CLOEXEC) */
	int failfd;      /* write a byte here before failing (CLOEXEC) */
	int alivefd;     /* read end: POLLHUP once the supervisor is gone */
	int outfd, errfd;  /* detached: stdout and stderr pipes to the supervisor, else -1 */
	int netfd;       /* slirp4netns: a byte once burrow-net is up, EOF if it failed; else -1 */
	int joinnet;     /* container:ID: the net namespace to join instead of a new one; else -1 */
};

static int loopback_up(struct err *e)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;

	if (fd < 0)
		return err_make(e, errno, "socket");
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return err_make(e, errno, "reading the flags of lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return err_make(e, errno, "bringing lo up");
	return 0;
}

static int drop_bounding(uint64_t keep, struct err *e)
{
	int last = (int)cap_max_bits() - 1;

	for (int c = 0; c <= last && c < 64; c++) {
		if (keep & (1ULL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return err_make(e, errno, "dropping capability %d from the bounding set", c);
	}
	return 0;
}

static int set_caps(uint64_t keep, bool root, struct err *e)
{
	cap_t caps = cap_init();
	int last = (int)cap_max_bits() - 1, rc = 0;

	if (!caps)
		return err_make(e, errno, "cap_init");
	if (root) {
		for (int c = 0; c <= last && c < 64; c++) {
			cap_value_t v = c;
			if (!(keep & (1ULL << c)))
				continue;
			cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET);
			cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET);
			cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET);
		}
	}
	if (cap_set_proc(caps) < 0)
		rc = err_make(e, errno, "setting capabilities");
	cap_free(caps);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return rc;
}

int spawn_become_user(uint64_t caps, bool single, const struct user_spec *u, struct err *e)
{
	if (drop_bounding(caps, e) < 0)
		return -1;
	if (!single && setgroups(u->ngroups, u->groups) < 0)
		return err_make(e, errno, "setgroups");
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return err_make(e, errno == EINVAL ? 0 : errno,
				"gid %u is not mapped in this container%s", (unsigned)u->gid,
				single ? " (no subordinate gid range: only 0 is mapped)" : "");
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return err_make(e, errno == EINVAL ? 0 : errno,
				"uid %u is not mapped in this container%s", (unsigned)u->uid,
				single ? " (no subordinate uid range: only 0 is mapped)" : "");
	return set_caps(caps, u->uid == 0, e);
}

void spawn_finalize_env(char ***env, const char *hostname, bool tty, const struct user_spec *u)
{
	if (!env_get(*env, "PATH"))
		env_set(env, "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	if (!env_get(*env, "HOSTNAME"))
		env_set(env, "HOSTNAME", hostname);
	if (!env_get(*env, "HOME"))
		env_set(env, "HOME", u->home ? u->home : "/");
	if (tty && !env_get(*env, "TERM"))
		env_set(env, "TERM", "xterm");
	if (!env_get(*env, "container"))
		env_set(env, "container", "burrow");
}

/* execvpe that searches the container's PATH; returns the errno that decides
 * the exit code */
int spawn_exec_in_path(char **argv, char **env)
{
	const char *path = env_get(env, "PATH");
	int best = ENOENT;

	if (strchr(argv[0], '/')) {
		execve(argv[0], argv, env);
		return errno;
	}
	if (!path || !*path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (const char *p = path; ; ) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		char full[4096];
		if (n + strlen(argv[0]) + 2 < sizeof full) {
			snprintf(full, sizeof full, "%.*s/%s", (int)(n ? n : 1), n ? p : ".", argv[0]);
			execve(full, argv, env);
			if (errno != ENOENT && errno != ENOTDIR)
				best = errno;
		}
		if (!colon)
			break;
		p = colon + 1;
	}
	return best;
}

static int init_prepare(struct init_ctx *c, struct user_spec *u, struct err *e)
{
	const struct container_spec *s = c->s;
	_cleanup_close_ int rootfd = -1, ptmx = -1, pts = -1;

	if (s->tty && setsid() < 0)
		return err_make(e, errno, "setsid");
	if (sethostname(s->hostname, strlen(s->hostname)) < 0)
		return err_make(e, errno, "setting the hostname");
	log_debug("init: start");
	if (rootfs_setup(s, &rootfd, &ptmx, &pts, e) < 0)
		return -1;
	if (s->tty) {
		struct msg m;
		memset(&m, 0, sizeof m);
		m.type = MSG_PTY;
		if (msg_send(c->sk, &m, ptmx) < 0)
			return err_make(e, errno, "passing the terminal to burrow");
	}
	/* resolve the user against the image's files before pivoting away */
	if (resolve_user(rootfd, s->user ? s->user : "0", u, e) < 0)
		return -1;
	if (rootfs_pivot(rootfd, e) < 0)
		return -1;
	log_debug("init: pivoted");
	if (s->net != NET_HOST && loopback_up(e) < 0)
		return -1;
	if (s->workdir && strcmp(s->workdir, "/") != 0) {
		if (mkdir_p_at(AT_FDCWD, s->workdir, 0755, e) < 0)
			return err_wrap(e, "creating the working directory");
		if (chdir(s->workdir) < 0)
			return err_make(e, errno, "changing to the working directory %s", s->workdir);
	}
	if (rootfs_finish(s, e) < 0)
		return -1;
	if (s->tty) {
		if (ioctl(pts, TIOCSCTTY, 0) < 0)
			return err_make(e, errno, "setting the controlling terminal");
		if (c->go->ws.ws_row && ioctl(pts, TIOCSWINSZ, &c->go->ws) < 0)
			return err_make(e, errno, "setting the terminal size");
		if (dup2(pts, 0) < 0 || dup2(pts, 1) < 0 || dup2(pts, 2) < 0)
			return err_make(e, errno, "attaching the terminal");
	} else {
		if (!s->interactive || s->detach) {
			int n = open("/dev/null", O_RDONLY);
			if (n < 0 || dup2(n, 0) < 0)
				return err_make(e, errno, "opening /dev/null for stdin");
			close(n);
		}
		if (c->outfd >= 0 && (dup2(c->outfd, 1) < 0 || dup2(c->errfd, 2) < 0))
			return err_make(e, errno, "attaching the log pipes");
	}
	return 0;
}

static __attribute__((noreturn)) void init_fail(struct init_ctx *c, struct err *e, int status)
{
	send_error(c->sk, e, status);
	if (write(c->failfd, "F", 1) < 0) {
		/* the supervisor sees our exit anyway */
	}
	_exit(status);
}

static __attribute__((noreturn)) void init_main(struct init_ctx *c)
{
	const struct container_spec *s = c->s;
	struct user_spec u;
	struct err e = ERR_INIT;
	_cleanup_strv_ char **env = NULL, **argv = NULL;
	struct pollfd pfd;
	int en;

	memset(&u, 0, sizeof u);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (c->joinnet >= 0 && setns(c->joinnet, CLONE_NEWNET) < 0) {
		err_make(&e, errno, "joining the network namespace of container %.12s", s->net_container);
		init_fail(c, &e, 125);
	}
	if (init_prepare(c, &u, &e) < 0)
		init_fail(c, &e, 125);
	log_debug("init: rootfs ready");
	if (c->netfd >= 0) {
		char b;
		ssize_t n;
		while ((n = read(c->netfd, &b, 1)) < 0 && errno == EINTR)
			;
		if (n != 1)
			_exit(125); /* the supervisor reports the helper's error */
		close(c->netfd);
		log_debug("init: network up");
	}
	env = strv_dup(s->env);
	spawn_finalize_env(&env, s->hostname, s->tty, &u);
	if (s->root_emulation && rootemu_prepare(&env, &e) < 0)
		init_fail(c, &e, 125);
	if (s->init) {
		strv_push(&argv, "/dev/init");
		strv_push(&argv, "--");
	}
	for (size_t i = 0; s->argv[i]; i++)
		strv_push(&argv, s->argv[i]);
	for (size_t i = 0; s->ulimits && s->ulimits[i]; i++) {
		struct cg_ulimit ul;
		struct rlimit rl;
		if (cg_parse_ulimit(s->ulimits[i], &ul, &e) < 0)
			init_fail(c, &e, 125);
		rl.rlim_cur = ul.soft == UINT64_MAX ? RLIM_INFINITY : (rlim_t)ul.soft;
		rl.rlim_max = ul.hard == UINT64_MAX ? RLIM_INFINITY : (rlim_t)ul.hard;
		if (setrlimit(ul.resource, &rl) < 0) {
			err_make(&e, errno, "--ulimit %s", s->ulimits[i]);
			init_fail(c, &e, 125);
		}
	}
	if (spawn_become_user(s->caps, s->idmap->single, &u, &e) < 0)
		init_fail(c, &e, 125);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		err_make(&e, errno, "setting no_new_privs");
		init_fail(c, &e, 125);
	}
	if (s->root_emulation && rootemu_install(&e) < 0)
		init_fail(c, &e, 125);
	/* credential changes cleared the parent-death signal: set it again and
	 * make sure the supervisor did not die in between */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	pfd = (struct pollfd){ .fd = c->alivefd, .events = POLLIN };
	if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLIN)))
		_exit(125);
	syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
	/* the command starts with default dispositions and nothing blocked,
	 * whatever burrow inherited */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	{
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
	}
	en = spawn_exec_in_path(argv, env);
	if (en == ENOENT)
		err_make_status(&e, 127, 0, "%s: executable file not found in $PATH", argv[0]);
	else
		err_make_status(&e, 126, en, "%s", argv[0]);
	err_wrap(&e, "exec");
	init_fail(c, &e, en == ENOENT ? 127 : 126);
}

/* ---- the supervisor ----------------------------------------------------------- */

static void close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	p[0] = p[1] = -1;
}

/* burrow-net for the init child: the supervisor is root in the init's user
 * namespace (the helper skips joining it) and still in the host's network
 * namespace, where the helper binds the published ports. */
static int supervisor_spawn_net(struct supervisor *m, struct err *e)
{
	const struct container_spec *s = m->s;
	struct net_params o;
	_cleanup_free_ char *sock = container_net_socket(s);
	int rc;

	net_stop(&m->net);
	net_params_init(&o, &s->net_opts);
	o.ports = s->ports;
	o.nports = s->nports;
	o.api_socket = sock;
	o.resolv_conf = getenv("BURROW_NET_RESOLV_CONF"); /* tests: an alternate upstream */
	if (o.resolv_conf && !*o.resolv_conf)
		o.resolv_conf = NULL;
	/* the helper outlives this moment: it must not hold the caller's
	 * terminal (a pty driver would never see it close); at debug level
	 * its messages are worth seeing */
	_cleanup_close_ int null = log_threshold >= LOG_DEBUG ? -1 : open("/dev/null", O_WRONLY | O_CLOEXEC);
	o.log_fd = null;
	unlink(sock);
	rc = net_spawn(&o, &m->net, e);
	if (rc < 0)
		return err_wrap(e, "starting the network (burrow-net)");
	return 0;
}

/* The helper was spawned early (supervisor_main) or is spawned now (a restart);
 * it joins the init's namespaces and is up when this returns. */
/* write(2) to a pipe whose reader may be gone, without dying of SIGPIPE:
 * the init closes its end when it fails before it reads (a bad volume
 * under load), and the supervisor must live to report that error. */
static ssize_t write_nosigpipe(int fd, const void *buf, size_t len)
{
	sigset_t pipe_set, old;
	struct timespec zero = { 0, 0 };
	ssize_t n;
	int en;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	n = write(fd, buf, len);
	en = errno;
	if (n < 0 && en == EPIPE)
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = en;
	return n;
}

static int supervisor_start_net(struct supervisor *m, pid_t child, struct err *e)
{
	if (!m->net.pending && supervisor_spawn_net(m, e) < 0)
		return -1;
	if (net_attach(&m->net, child, e) < 0)
		return err_wrap(e, "starting the network (burrow-net)");
	return 0;
}

int supervisor_start_init(struct supervisor *m, struct err *e)
{
	const struct container_spec *s = m->s;
	unsigned long flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP;
	int failp[2] = { -1, -1 }, alivep[2] = { -1, -1 }, isk[2] = { -1, -1 };
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, netp[2] = { -1, -1 };
	struct err ne = ERR_INIT, ce = ERR_INIT;
	bool net_failed = false;
	pid_t child;
	char c;
	int rc = -1;

	if (pipe2(failp, O_CLOEXEC) < 0 || pipe2(alivep, O_CLOEXEC) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, isk) < 0 ||
	    (s->detach && !s->tty && (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0)) ||
	    (s->net == NET_SLIRP && pipe2(netp, O_CLOEXEC) < 0)) {
		err_make(e, errno, "pipe");
		goto out;
	}
	if (s->net != NET_HOST && s->net != NET_CONTAINER)
		flags |= CLONE_NEWNET;
	/* with a cgroup, the init starts inside it (the supervisor stays out) */
	child = m->cg.path ? cgroup_clone(&m->cg, flags, &ce) : sys_clone_ns(flags);
	if (child < 0) {
		if (ce.msg)
			err_make(e, ce.errnum, "creating the container namespaces: %s", ce.msg);
		else
			err_make(e, errno, "creating the container namespaces (clone)");
		err_clear(&ce);
		goto out;
	}
	if (child == 0) {
		struct init_ctx ic = { s, &m->go, isk[1], failp[1], alivep[0], outp[1], errp[1], netp[0], m->netns };
		if (ce.msg)
			init_fail(&ic, &ce, 125);
		if (m->sk >= 0)
			close(m->sk);
		if (netp[1] >= 0)
			close(netp[1]);
		if (m->net.exit_fd >= 0)
			close(m->net.exit_fd);
		if (m->net.pending) {
			close(m->net.target_fd);
			close(m->net.ready_fd);
		}
		init_main(&ic);
	}
	close(failp[1]);
	close(alivep[0]);
	close(isk[1]);
	failp[1] = alivep[0] = isk[1] = -1;
	if (outp[1] >= 0) {
		close(outp[1]);
		close(errp[1]);
		outp[1] = errp[1] = -1;
	}
	if (netp[0] >= 0) {
		/* the init builds its rootfs meanwhile and waits for this before exec */
		close(netp[0]);
		netp[0] = -1;
		if (supervisor_start_net(m, child, &ne) < 0) {
			net_failed = true;
			kill(child, SIGKILL);
		} else if (write_nosigpipe(netp[1], "1", 1) != 1 && errno != EPIPE) {
			err_make(&ne, errno, "starting the network");
			net_failed = true;
			kill(child, SIGKILL);
		}
		/* EPIPE: the init failed (or died) meanwhile; failp says which */
		close(netp[1]);
		netp[1] = -1;
	}
	/* EOF: the init exec'd (the pipe is close-on-exec); a byte: it failed,
	 * and its message is already queued on isk */
	if (read(failp[0], &c, 1) != 0) {
		struct msg msg;
		int st;
		err_make(e, 0, "the container failed to start");
		while (msg_recv(isk[0], &msg, NULL) > 0) {
			if (msg.type == MSG_ERROR) {
				msg.text[sizeof msg.text - 1] = '\0';
				err_make_status(e, msg.b ? msg.b : 125, 0, "%s", msg.text);
				e->errnum = msg.a;
				break;
			}
		}
		while (waitpid(child, &st, 0) < 0 && errno == EINTR)
			;
		net_stop(&m->net);
		goto out;
	}
	if (net_failed) {
		int st;
		while (waitpid(child, &st, 0) < 0 && errno == EINTR)
			;
		err_clear(e);
		*e = ne;
		memset(&ne, 0, sizeof ne);
		goto out;
	}
	/* the pty master, if any, came before the exec */
	for (;;) {
		struct msg msg;
		int fd = -1;
		if (recv(isk[0], &c, 1, MSG_PEEK | MSG_DONTWAIT) <= 0 || msg_recv(isk[0], &msg, &fd) <= 0)
			break;
		if (msg.type == MSG_PTY && fd >= 0) {
			if (s->detach) {
				if (m->ptmx >= 0)
					close(m->ptmx);
				m->ptmx = fd;
				continue;
			}
			msg_send(m->sk, &msg, fd);
		}
		if (fd >= 0)
			close(fd);
	}
	m->init = child;
	m->init_start = proc_start_time(child);
	if (m->alive >= 0)
		close(m->alive);
	m->alive = alivep[1];
	alivep[1] = -1;
	m->out = outp[0];
	m->err = errp[0];
	outp[0] = errp[0] = -1;
	rc = 0;
out:
	close_pair(failp);
	close_pair(alivep);
	close_pair(isk);
	close_pair(outp);
	close_pair(errp);
	close_pair(netp);
	err_clear(&ne);
	return rc;
}

/* --network container:ID: into ID's user namespace instead of a new one (a
 * net namespace can only be joined from the user namespace that owns it),
 * and a new mount namespace there; the init joins nsfd[1], the net
 * namespace (supervisor_start_init). */
static int supervisor_join_shared(struct supervisor *m, int nsfd[2], struct err *e)
{
	if (nsfd[0] >= 0 && setns(nsfd[0], CLONE_NEWUSER) < 0)
		return err_make(e, errno, "joining the user namespace of container %.12s",
				m->s->net_container);
	closep(&nsfd[0]);
	if (unshare(CLONE_NEWNS) < 0)
		return err_make(e, errno, "creating the mount namespace");
	m->netns = steal_fd(nsfd[1]);
	return 0;
}

static __attribute__((noreturn)) void supervisor_main(const struct container_spec *s, int sk, pid_t parent,
						  int nsfd[2])
{
	struct err e = ERR_INIT;
	struct supervisor mon;
	struct msg m;
	sigset_t none;
	int st;

	/* SIGCHLD and SIGUSR1 stay pending for the supervisor's signalfd */
	sigemptyset(&none);
	sigaddset(&none, SIGCHLD);
	sigaddset(&none, SIGUSR1);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(125);
	setsid();
	memset(&mon, 0, sizeof mon);
	mon.s = s;
	mon.sk = sk;
	mon.alive = mon.out = mon.err = mon.ptmx = -1;
	mon.net.exit_fd = -1;
	mon.netns = -1;
	mon.cg = (struct cgroup)CGROUP_INIT;
	if (msg_recv(sk, &mon.go, NULL) <= 0 || mon.go.type != MSG_GO)
		_exit(125);
	if (mon.go.a != CGM_NONE) {
		/* the caller made our cgroup: "path\nunit" in the GO message */
		char *nl;
		mon.go.text[sizeof mon.go.text - 1] = '\0';
		nl = strchr(mon.go.text, '\n');
		if (nl)
			*nl++ = '\0';
		if (cgroup_open(mon.go.text, (enum cgroup_manager)mon.go.a, nl && *nl ? nl : NULL,
				&mon.cg, &e) < 0)
			goto fail;
	}
	log_debug("supervisor: maps written");
	if (nsfd[1] >= 0 && supervisor_join_shared(&mon, nsfd, &e) < 0)
		goto fail;
	if (userns_become_root(s->idmap, &e) < 0)
		goto fail;
	/* credentials changed: the parent-death signal was reset */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(125);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		err_make(&e, errno, "making the mount namespace private");
		goto fail;
	}
	/* burrow-net loads, sets up libslirp and binds the published ports
	 * while the overlay is mounted and the init builds its rootfs; it joins
	 * the init's namespaces in supervisor_start_init */
	if (s->net == NET_SLIRP && supervisor_spawn_net(&mon, &e) < 0)
		goto fail;
	if (rootfs_mount_overlay(s, &mon.fuse_pid, &e) < 0)
		goto fail;
	log_debug("supervisor: overlay mounted");
	if (supervisor_start_init(&mon, &e) < 0)
		goto fail_mounted;
	memset(&m, 0, sizeof m);
	m.type = MSG_PID;
	m.a = mon.init;
	msg_send(sk, &m, -1);
	supervisor_record_start(&mon, false);
	if (s->detach) {
		/* From here on the supervisor is the container's supervisor and outlives
		 * the CLI, which exits once it reads STARTED: no parent-death
		 * signal, no terminal, and no hold on the CLI's stdout (which may
		 * be the pipe of a $(burrow run -d ...)).  setsid() above already
		 * made it a session leader: with the CLI gone it is orphaned and
		 * reparented, as a double fork would leave it. */
		int dn = open("/dev/null", O_RDWR | O_CLOEXEC);
		prctl(PR_SET_PDEATHSIG, 0);
		if (dn >= 0) {
			dup2(dn, 0);
			dup2(dn, 1);
			dup2(dn, 2);
			close(dn);
		}
	}
	memset(&m, 0, sizeof m);
	m.type = MSG_STARTED;
	msg_send(sk, &m, -1);
	if (s->detach) {
		close(sk);
		mon.sk = -1;
	}
	st = supervisor_run(&mon);
	log_debug("supervisor: container exited");
	supervisor_cleanup(&mon, st);
	log_debug("supervisor: cleaned up");
	if (mon.sk >= 0) {
		memset(&m, 0, sizeof m);
		m.type = MSG_EXIT;
		m.a = st;
		msg_send(mon.sk, &m, -1);
	}
	_exit(0);

fail_mounted:
	rootfs_umount_overlay(s, mon.fuse_pid);
fail:
	send_error(sk, &e, err_exit_status(&e));
	_exit(err_exit_status(&e));
}

/* ---- the caller's side ------------------------------------------------------ */

int container_handle_msg(struct container_proc *p, struct err *e)
{
	struct msg m;
	int fd = -1;
	ssize_t n = msg_recv(p->sk, &m, &fd);

	if (n < 0)
		return err_make(e, errno, "reading the container's control socket");
	if (n == 0) {
		if (!p->exited) {
			/* the supervisor died without reporting: treat it as killed */
			p->exited = true;
			p->wstatus = SIGKILL;
		}
		return 0;
	}
	switch (m.type) {
	case MSG_PID:
		p->init = m.a;
		break;
	case MSG_PTY:
		if (p->ptmx >= 0)
			close(p->ptmx);
		p->ptmx = fd;
		fd = -1;
		break;
	case MSG_ERROR:
		m.text[sizeof m.text - 1] = '\0';
		err_make_status(e, m.b ? m.b : 125, 0, "%s", m.text);
		e->errnum = m.a;
		if (fd >= 0)
			close(fd);
		return -1;
	case MSG_EXIT:
		p->exited = true;
		p->wstatus = m.a;
		break;
	case MSG_STARTED:
	default:
		break;
	}
	if (fd >= 0)
		close(fd);
	return m.type;
}

int container_start(const struct container_spec *s, const struct winsize *ws,
		    int (*prep)(void *arg, struct err *e), void *prep_arg,
		    struct container_proc *p, struct err *e)
{
	int sk[2];
	pid_t parent = getpid(), pid;
	struct msg go;
	struct idmap_job job;
	struct cgroup cg = CGROUP_INIT;
	int nsfd[2] = { -1, -1 };  /* container:ID: its user and net namespaces */

	memset(p, 0, sizeof *p);
	memset(&job, 0, sizeof job);
	p->sk = p->ptmx = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sk) < 0)
		return err_make(e, errno, "socketpair");
	if (s->net == NET_CONTAINER && net_shared_open(s, &nsfd[0], &nsfd[1], e) < 0) {
		close(sk[0]);
		close(sk[1]);
		return -1;
	}
	/* container:ID: the supervisor joins ID's user namespace itself */
	pid = sys_clone_ns(nsfd[1] >= 0 ? 0 : CLONE_NEWUSER | CLONE_NEWNS);
	if (pid < 0) {
		int saved = errno;
		close(sk[0]);
		close(sk[1]);
		closep(&nsfd[0]);
		closep(&nsfd[1]);
		return err_make(e, saved,
				"creating a user namespace (check 'burrow info': max_user_namespaces, AppArmor)");
	}
	if (pid == 0) {
		close(sk[0]);
		supervisor_main(s, sk[1], parent, nsfd);
	}
	closep(&nsfd[0]);
	closep(&nsfd[1]);
	close(sk[1]);
	p->sk = sk[0];
	p->supervisor = pid;
	log_debug("cloned the supervisor %d", (int)pid);
	if (s->net != NET_CONTAINER && userns_maps_start(pid, s->idmap, &job, e) < 0)
		goto kill;
	if (prep && prep(prep_arg, e) < 0) {
		struct err ignore = ERR_INIT;
		userns_maps_finish(&job, &ignore);
		err_clear(&ignore);
		goto kill;
	}
	/* limits: the container's cgroup, with the supervisor as its supervisor
	 * (outside it); the supervisor clones the init into it */
	if (s->has_limits && !s->no_cgroups && cgroup_create(&s->limits, s->id, pid, &cg, e) < 0) {
		struct err ignore = ERR_INIT;
		userns_maps_finish(&job, &ignore);
		err_clear(&ignore);
		if (!e->status)
			e->status = 125;
		goto kill;
	}
	if (userns_maps_finish(&job, e) < 0)
		goto kill;
	log_debug("maps written");
	memset(&go, 0, sizeof go);
	go.type = MSG_GO;
	if (cg.path) {
		go.a = (int)cg.manager;
		snprintf(go.text, sizeof go.text, "%s\n%s", cg.path, cg.unit ? cg.unit : "");
		log_debug("cgroup %s (%s)", cg.path, cgroup_manager_name(cg.manager));
	}
	if (ws)
		go.ws = *ws;
	if (msg_send(p->sk, &go, -1) < 0) {
		err_make(e, errno, "starting the container");
		goto kill;
	}
	for (;;) {
		int r = container_handle_msg(p, e);
		if (r < 0)
			goto reap;
		if (r == MSG_STARTED) {
			cgroup_close(&cg);   /* the supervisor owns it now */
			return 0;
		}
		if (p->exited) {
			err_make(e, 0, "the container exited before it started (status %d)",
				 wait_status_code(p->wstatus));
			goto reap;
		}
	}
kill:
	kill(pid, SIGKILL);
reap:
	/* the supervisor cleans up and exits on its own after an error */
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	p->supervisor = 0;
	container_proc_close(p);
	if (cg.path) {
		struct err ignore = ERR_INIT;
		cgroup_destroy(&cg, &ignore);
		err_clear(&ignore);
	}
	return -1;
}

int container_wait(struct container_proc *p, struct err *e)
{
	while (!p->exited)
		if (container_handle_msg(p, e) < 0)
			return -1;
	return wait_status_code(p->wstatus);
}

void container_proc_release(struct container_proc *p)
{
	p->supervisor = 0;
	container_proc_close(p);
}

void container_proc_close(struct container_proc *p)
{
	if (p->supervisor > 0) {
		while (waitpid(p->supervisor, NULL, 0) < 0 && errno == EINTR)
			;
		p->supervisor = 0;
	}
	if (p->sk >= 0)
		close(p->sk);
	if (p->ptmx >= 0)
		close(p->ptmx);
	p->sk = p->ptmx = -1;
}
