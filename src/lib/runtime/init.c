/* init.c - the container's init, from both sides.
 *
 * The supervisor (supervisor.c) calls supervisor_start_init() for the first
 * start and for every restart: it clones the init into new PID, mount, UTS,
 * IPC, cgroup and (unless --network host or container:ID) net namespaces,
 * inside the container's cgroup when there is one, attaches burrow-net for
 * slirp4netns, and waits until the init exec'd or failed.
 *
 * The init (init_main) builds the rootfs over the mounted overlay, pivots,
 * sets up the terminal or the log pipes, applies the ulimits, becomes the
 * container's user (become.c) with no_new_privs and execs the command as
 * PID 1.  An error before exec goes back to the supervisor as an ERROR
 * message (msg.c) plus a byte on a close-on-exec pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "idshift.h"
#include "lib/base/log.h"
#include "runtime_int.h"
#include "lib/record/state.h"
#include "rootemu.h"
#include "rootfs.h"
#include "lib/base/syscalls.h"
#include "lib/base/util.h"
#include "userns.h"
#include "netns.h"

/* ---- the init (before exec) ------------------------------------------------- */

struct detach_job {
	pthread_t thread;
	int errnum;
};

struct init_ctx {
	const struct container_spec *s;
	const struct msg *go;
	int sk;                    /* control socket (CLOEXEC) */
	int failfd;                /* write a byte here before failing (CLOEXEC) */
	int alivefd;               /* read end: POLLHUP once the supervisor is gone */
	int outfd, errfd;          /* detached: stdout and stderr pipes to the supervisor, else -1 */
	int infd;                  /* detached -i without -t: stdin's pipe from the supervisor, else -1 */
	int netfd;                 /* slirp4netns: a byte once burrow-net is up, EOF if it failed; else -1 */
	const struct ns_fds *join; /* container:ID: the namespaces to join instead of new ones */
	int preserve_fds;          /* --preserve-fds: fds 3..3+N-1 go to the command */
	int shm;                   /* --ipc container:ID: a copy of ID's /dev/shm to attach, else -1 */
	const struct seccomp_prog *seccomp; /* loaded last before exec */
	int hooksk;    /* createRuntime hooks: 'R' when ready, a byte back when run; else -1 */
	pid_t hostpid; /* our pid in the host's PID namespace, for the hooks' state */
	int etcfd;     /* keep-id: where its passwd and group come (idshift_etc_recv), else -1 */
	int directfd;  /* port_handler=direct: burrow-net's socket for the seccomp listener, else -1 */
	struct detach_job *detach; /* the old root's detach, joined right before the exec; else NULL */
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

/* lo up in a thread beside the rootfs's mounts: in a new network namespace
 * it takes the rtnl lock, which the teardown of the previous container's
 * namespace (a kernel worker) may hold for milliseconds, and it needs
 * nothing of the mounts.  Joined where the init brought lo up before (after
 * pivot_root, before anything else of the container runs); with hooks the
 * old order, as they may look.  BURROW_LOOPBACK_OVERLAP=0: inline. */
struct lo_job {
	pthread_t thread;
	bool started;
	struct err e;
};

static void *lo_thread(void *arg)
{
	struct lo_job *j = arg;

	loopback_up(&j->e);
	return NULL;
}

static void lo_start(const struct init_ctx *c, struct lo_job *j)
{
	const char *v = getenv("BURROW_LOOPBACK_OVERLAP");

	j->started = false;
	j->e = (struct err)ERR_INIT;
	if (c->s->net == NET_HOST || c->s->nhooks || (v && strcmp(v, "0") == 0))
		return;
	j->started = pthread_create(&j->thread, NULL, lo_thread, j) == 0;
}

/* lo up: the thread's result, or now */
static int lo_finish(struct lo_job *j, struct err *e)
{
	if (!j->started)
		return loopback_up(e);
	pthread_join(j->thread, NULL);
	j->started = false;
	if (j->e.msg) {
		*e = j->e;
		j->e = (struct err)ERR_INIT;
		return -1;
	}
	return 0;
}

/* The old root's detach in a thread while the init waits for burrow-net
 * (both wait: the unmount for an RCU grace period, the read for the
 * helper's tap0), joined before anything else runs in the new root.
 * BURROW_DETACH_OVERLAP=0 detaches first, then waits.
 *
 * Or, when nothing before the exec needs the old root gone (no working
 * directory to enter as root, no --read-only remount of /, no hooks, no
 * seccomp listener of burrow-net's or root emulation's), joined only right
 * before the exec: the unmount's grace period then passes while the init
 * changes its user and capabilities and loads its seccomp filter (all of
 * them per thread; the thread, still root, only unmounts).  Until the join
 * the main thread leaves its working directory alone (the new root's top,
 * where "/" is too).  BURROW_DETACH_LATE=0: joined as above. */

static bool detach_overlap_wanted(const struct init_ctx *c)
{
	const char *v = getenv("BURROW_DETACH_OVERLAP");

	return c->netfd >= 0 && !(v && strcmp(v, "0") == 0);
}

static bool detach_late_wanted(const struct init_ctx *c)
{
	const struct container_spec *s = c->s;
	const char *v = getenv("BURROW_DETACH_LATE");

	if (v && strcmp(v, "0") == 0)
		return false;
	return !s->nhooks && !s->read_only && !(s->workdir && strcmp(s->workdir, "/") != 0) &&
	       c->directfd < 0 && !s->root_emulation;
}

static void *detach_thread(void *arg)
{
	struct detach_job *j = arg;

	/* "." is the working directory the main thread leaves alone until
	 * the join; the chdir("/") of rootfs_detach_old comes after it */
	j->errnum = umount2(".", MNT_DETACH) < 0 ? errno : 0;
	return NULL;
}

/* The network's byte: EOF means burrow-net failed, which the supervisor
 * reports. */
static void init_wait_net(struct init_ctx *c)
{
	char b;
	ssize_t n;

	while ((n = read(c->netfd, &b, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		_exit(125);
	closep(&c->netfd);
	log_debug("init: network up");
}

/* After pivot_root: the old root detached and the working directory the
 * new root.  Returns 1 when lo and the network are up too (the overlap),
 * 0 when not yet, -1 with e. */
static int init_detach_old(struct init_ctx *c, struct lo_job *lo, struct err *e)
{
	static struct detach_job late;
	struct detach_job j = { 0, 0 };

	if (detach_late_wanted(c) && pthread_create(&late.thread, NULL, detach_thread, &late) == 0) {
		c->detach = &late;
		return 0;
	}
	if (!detach_overlap_wanted(c) || pthread_create(&j.thread, NULL, detach_thread, &j) != 0)
		return rootfs_detach_old(e) < 0 ? -1 : 0;
	if (c->s->net != NET_HOST && lo_finish(lo, e) < 0) {
		pthread_join(j.thread, NULL);
		return -1;
	}
	init_wait_net(c);
	pthread_join(j.thread, NULL);
	if (j.errnum)
		return err_make(e, j.errnum, "detaching the old root");
	if (chdir("/") < 0)
		return err_make(e, errno, "chdir /");
	return 1;
}

/* Before pivot_root: the supervisor's createRuntime hooks, then the
 * createContainer hooks here, in the container's namespaces with the host's
 * tree still visible (hooks.c). */
static int init_hooks_create(struct init_ctx *c, struct err *e)
{
	char buf[24];
	ssize_t n = readlink("/proc/self", buf, sizeof buf - 1);

	/* /proc is still the supervisor's: its numbers are the host's */
	if (n > 0) {
		buf[n] = '\0';
		c->hostpid = (pid_t)atoi(buf);
	} else {
		c->hostpid = getpid();
	}
	if (c->hooksk >= 0) {
		char b;
		if (write(c->hooksk, "R", 1) != 1 || read(c->hooksk, &b, 1) != 1)
			_exit(125); /* the supervisor reports the hook's error */
	}
	return hooks_run(c->s, HOOK_CREATE_CONTAINER, c->hostpid, e);
}

/* Without a tty: the pipes the caller relays (spec.stdio) in place of its
 * own fds, and never a terminal of the caller's (TIOCSTI would type into
 * its shell, a read would take its input): /dev/null instead. */
static int init_stdio(const struct container_spec *s, bool logged, struct err *e)
{
	for (int i = 0; i < 3; i++) {
		if (i == 0 && (!s->interactive || s->detach))
			continue;
		if (i > 0 && logged)
			break;
		if (s->stdio[i] > 2 && dup2(s->stdio[i], i) < 0)
			return err_make(e, errno, "attaching fd %d", i);
	}
	for (int i = 0; i < 3; i++) {
		if (isatty(i)) {
			int n = open("/dev/null", O_RDWR | O_CLOEXEC);
			if (n < 0 || dup2(n, i) < 0)
				return err_make(e, errno, "opening /dev/null");
			close(n);
		}
	}
	return 0;
}

static int init_prepare(struct init_ctx *c, struct user_spec *u, struct err *e)
{
	const struct container_spec *s = c->s;
	_cleanup_close_ int rootfd = -1, ptmx = -1, pts = -1;
	struct lo_job lo;
	int overlapped;

	if (s->tty && setsid() < 0)
		return err_make(e, errno, "setsid");
	/* --uts host or container: the hostname is someone else's */
	if (ns_mode_is_new(&s->uts_ns) && sethostname(s->hostname, strlen(s->hostname)) < 0)
		return err_make(e, errno, "setting the hostname");
	log_debug("init: start");
	lo_start(c, &lo);
	if (rootfs_setup(s, c->etcfd, &rootfd, &ptmx, &pts, e) < 0)
		return -1;
	if (c->shm >= 0 && rootfs_attach_at(rootfd, "/dev/shm", c->shm, e) < 0)
		return -1;
	if (s->nhooks && init_hooks_create(c, e) < 0)
		return -1;
	if (s->tty) {
		struct msg m;
		memset(&m, 0, sizeof m);
		m.type = MSG_PTY;
		if (msg_send(c->sk, &m, ptmx) < 0)
			return err_make(e, errno, "passing the terminal to burrow");
	}
	/* resolve the user against the image's files before pivoting away */
	if (resolve_user_groups(rootfd, s->user ? s->user : "0", s->group_add, u, e) < 0)
		return -1;
	if (rootfs_pivot_root(rootfd, e) < 0 || (overlapped = init_detach_old(c, &lo, e)) < 0)
		return -1;
	log_debug("init: pivoted");
	/* lo: up already when the detach overlapped the network's wait */
	if (s->net != NET_HOST && !overlapped && lo_finish(&lo, e) < 0)
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
		if (c->infd >= 0) {
			if (dup2(c->infd, 0) < 0)
				return err_make(e, errno, "attaching the stdin pipe");
		} else if (!s->interactive || s->detach) {
			int n = open("/dev/null", O_RDONLY);
			if (n < 0 || dup2(n, 0) < 0)
				return err_make(e, errno, "opening /dev/null for stdin");
			close(n);
		}
		if (c->outfd >= 0 && (dup2(c->outfd, 1) < 0 || dup2(c->errfd, 2) < 0))
			return err_make(e, errno, "attaching the log pipes");
		if (init_stdio(s, c->outfd >= 0, e) < 0)
			return -1;
	}
	return 0;
}

/* container:ID: its net, IPC and UTS namespaces (the PID namespace was
 * entered by the supervisor before the clone) */
static int init_join(const struct init_ctx *c, struct err *e)
{
	const struct container_spec *s = c->s;

	if (c->join->net >= 0 && setns(c->join->net, CLONE_NEWNET) < 0)
		return err_make(e, errno, "joining the network namespace of container %.12s",
				s->net_container);
	if (c->join->ipc >= 0 && setns(c->join->ipc, CLONE_NEWIPC) < 0)
		return err_make(e, errno, "joining the IPC namespace of container %.12s",
				s->ipc_ns.container);
	if (c->join->uts >= 0 && setns(c->join->uts, CLONE_NEWUTS) < 0)
		return err_make(e, errno, "joining the UTS namespace of container %.12s",
				s->uts_ns.container);
	return 0;
}

static __attribute__((noreturn)) void init_fail(struct init_ctx *c, struct err *e, int status)
{
	msg_send_error(c->sk, e, status);
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
	if (init_join(c, &e) < 0)
		init_fail(c, &e, 125);
	if (init_prepare(c, &u, &e) < 0)
		init_fail(c, &e, 125);
	log_debug("init: rootfs ready");
	if (c->netfd >= 0)
		init_wait_net(c);
	if (hooks_run(s, HOOK_START_CONTAINER, c->hostpid, &e) < 0)
		init_fail(c, &e, 125);
	/* burrow-net has joined our namespaces (which needs us dumpable); from
	 * here to the exec (which makes the command dumpable again) nobody
	 * takes the supervisor's fds through /proc/PID/fd */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	env = strv_dup(s->env);
	become_finalize_env(&env, s->hostname, s->tty, &u);
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
	if (become_user(s->caps, s->idmap->single, &u, &e) < 0)
		init_fail(c, &e, 125);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		err_make(&e, errno, "setting no_new_privs");
		init_fail(c, &e, 125);
	}
	/* before the container's filter, which may deny seccomp(2) itself */
	if (c->directfd >= 0) {
		int r = net_direct_install(c->directfd, &e);

		if (r < 0)
			init_fail(c, &e, 125);
		if (r > 0) {
			log_debug("init: %s; the fast handler serves the ports", e.msg ? e.msg : "");
			err_clear(&e);
		}
		closep(&c->directfd);
	}
	/* all that is left of the init's own work comes before the filters,
	 * which may deny what it needs (a profile that lists only the
	 * command's calls): after them, only the exec.
	 * Credential changes cleared the parent-death signal: set it again and
	 * make sure the supervisor did not die in between */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	pfd = (struct pollfd){ .fd = c->alivefd, .events = POLLIN };
	if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLIN)))
		_exit(125);
	syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
	for (int fd = 3; fd < 3 + c->preserve_fds; fd++)
		fcntl(fd, F_SETFD, 0);
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
	if (c->detach) {
		pthread_join(c->detach->thread, NULL);
		if (c->detach->errnum) {
			err_make(&e, c->detach->errnum, "detaching the old root");
			init_fail(c, &e, 125);
		}
		c->detach = NULL;
		log_debug("init: old root detached");
	}
	if (s->root_emulation && rootemu_install(&e) < 0)
		init_fail(c, &e, 125);
	if (seccomp_apply(c->seccomp, &e) < 0)
		init_fail(c, &e, 125);
	log_debug("init: exec");
	en = become_exec_in_path(argv, env);
	if (en == ENOENT)
		err_make_status(&e, 127, 0, "%s: executable file not found in $PATH", argv[0]);
	else
		err_make_status(&e, 126, en, "%s", argv[0]);
	err_wrap(&e, "exec");
	init_fail(c, &e, en == ENOENT ? 127 : 126);
}

/* ---- the supervisor's side ------------------------------------------------ */

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
int supervisor_spawn_net(struct supervisor *m, struct err *e)
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

/* The helper was spawned early (supervisor_main) or is spawned now (a restart);
 * it joins the init's namespaces and is up when this returns. */
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
	unsigned long flags = CLONE_NEWNS | CLONE_NEWCGROUP;
	int failp[2] = { -1, -1 }, alivep[2] = { -1, -1 }, isk[2] = { -1, -1 };
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, netp[2] = { -1, -1 }, mapp[2] = { -1, -1 };
	int hsk[2] = { -1, -1 }, inp[2] = { -1, -1 };
	struct idshift_etc *etc = NULL;
	_cleanup_close_ int shm = -1;
	struct err ne = ERR_INIT, ce = ERR_INIT, he = ERR_INIT;
	bool net_failed = false, hook_failed = false;
	pid_t child;
	char c;
	int rc = -1;

	if (pipe2(failp, O_CLOEXEC) < 0 || pipe2(alivep, O_CLOEXEC) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, isk) < 0 ||
	    (s->detach && !s->tty && (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0)) ||
	    (s->detach && !s->tty && s->interactive && pipe2(inp, O_CLOEXEC) < 0) ||
	    ((s->net == NET_SLIRP || s->net == NET_BRIDGE) && pipe2(netp, O_CLOEXEC) < 0) ||
	    (hook_specs_have(s->hooks, s->nhooks, HOOK_CREATE_RUNTIME) &&
	     socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, hsk) < 0)) {
		err_make(e, errno, "pipe");
		goto out;
	}
	/* networks: the namespace made and attached early, to join */
	if (m->early.pid > 0 && (m->join.net = netns_early_netfd(&m->early, e)) < 0)
		goto out;
	if (s->net != NET_HOST && s->net != NET_CONTAINER && m->join.net < 0)
		flags |= CLONE_NEWNET;
	if (userns_opts_nested(&s->userns)) {
		/* --userns=keep-id, nomap, --uidmap: a user namespace of its own,
		 * whose maps we write (idshift.c) before it goes on; keep-id's
		 * passwd and group follow them */
		flags |= CLONE_NEWUSER;
		if (s->userns.mode == USERNS_KEEPID && idshift_etc_in_dev())
			etc = &m->etc;
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, mapp) < 0) {
			err_make(e, errno, "socketpair");
			goto out;
		}
	}
	/* --pid/--ipc/--uts host: the caller's; container:ID: joined */
	if (ns_mode_is_new(&s->pid_ns))
		flags |= CLONE_NEWPID;
	if (ns_mode_is_new(&s->ipc_ns))
		flags |= CLONE_NEWIPC;
	if (ns_mode_is_new(&s->uts_ns))
		flags |= CLONE_NEWUTS;
	/* a fresh copy of ID's /dev/shm for each init (a copy attaches once) */
	if (m->join.ipc_mnt >= 0 && (shm = ns_shm_clone(m->join.ipc_mnt, e)) < 0)
		goto out;
	/* the init is born in ID's PID namespace: the supervisor's children
	 * from now on are (its own PID stays), which a restart needs too */
	if (m->join.pid >= 0 && setns(m->join.pid, CLONE_NEWPID) < 0) {
		err_make(e, errno, "joining the PID namespace of container %.12s", s->pid_ns.container);
		goto out;
	}
	/* with a cgroup, the init starts inside it (the supervisor stays out) */
	child = m->cg.path ? cgroup_clone(&m->cg, flags, &ce) : sys_clone_ns(flags);
	if (s->net == NET_BRIDGE && child != 0)
		closep(&m->join.net);
	if (child < 0) {
		if (ce.msg)
			err_make(e, ce.errnum, "creating the container namespaces: %s", ce.msg);
		else
			err_make(e, errno, "creating the container namespaces (clone)");
		err_clear(&ce);
		goto out;
	}
	if (child == 0) {
		struct init_ctx ic = {
			s,       &m->go,   isk[1],          failp[1], alivep[0],   outp[1], errp[1], inp[0],
			netp[0], &m->join, m->preserve_fds, shm,      &m->seccomp, hsk[1],  0,       -1,
			-1,      NULL
		};
		if (ce.msg)
			init_fail(&ic, &ce, 125);
		if (mapp[0] >= 0 && idshift_child_wait(mapp, s, etc != NULL, &ce) < 0)
			init_fail(&ic, &ce, 125);
		ic.etcfd = etc ? mapp[0] : -1;
		ic.directfd = m->net.notify_fd;
		if (m->sk >= 0)
			close(m->sk);
		if (hsk[0] >= 0)
			close(hsk[0]);
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
	if (mapp[1] >= 0) {
		if (idshift_write_maps(child, s, mapp, etc, e) < 0) {
			int st;
			kill(child, SIGKILL);
			while (waitpid(child, &st, 0) < 0 && errno == EINTR)
				;
			goto out;
		}
		log_debug("supervisor: the init's own maps written");
	}
	if (outp[1] >= 0) {
		close(outp[1]);
		close(errp[1]);
		outp[1] = errp[1] = -1;
	}
	if (inp[0] >= 0) {
		close(inp[0]);
		inp[0] = -1;
	}
	if (netp[0] >= 0) {
		/* the init builds its rootfs meanwhile and waits for this before exec */
		close(netp[0]);
		netp[0] = -1;
		if (m->early.pid > 0       ? netns_early_end(&m->early, &ne) < 0
		    : s->net == NET_BRIDGE ? netns_attach(s, m->shared_netns, child, &ne) < 0
					   : supervisor_start_net(m, child, &ne) < 0) {
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
		log_debug("supervisor: network attached");
	}
	/* createRuntime: once the init has built its rootfs, before it pivots;
	 * EOF instead of 'R': it failed, and failp says why */
	if (hsk[0] >= 0 && !net_failed) {
		char r;
		close(hsk[1]);
		hsk[1] = -1;
		if (read(hsk[0], &r, 1) == 1) {
			if (hooks_run(s, HOOK_CREATE_RUNTIME, child, &he) < 0) {
				hook_failed = true;
				kill(child, SIGKILL);
			} else if (write_nosigpipe(hsk[0], "1", 1) != 1) {
				/* it died meanwhile: failp says why */
			}
		}
	}
	/* EOF: the init exec'd (the pipe is close-on-exec); a byte: it failed,
	 * and its message is already queued on isk */
	if (read(failp[0], &c, 1) != 0) {
		struct msg msg;
		int st;
		err_make(e, 0, "the container failed to start");
		while (msg_recv(isk[0], &msg, NULL) > 0) {
			if (msg.type == MSG_ERROR) {
				msg_error(&msg, e);
				break;
			}
		}
		while (waitpid(child, &st, 0) < 0 && errno == EINTR)
			;
		net_stop(&m->net);
		goto out;
	}
	if (net_failed || hook_failed) {
		int st;
		while (waitpid(child, &st, 0) < 0 && errno == EINTR)
			;
		err_clear(e);
		*e = net_failed ? ne : he;
		memset(net_failed ? &ne : &he, 0, sizeof ne);
		goto out;
	}
	/* the pty master, if any, came before the exec */
	for (;;) {
		struct msg msg;
		int fd = -1;
		if (recv(isk[0], &c, 1, MSG_PEEK | MSG_DONTWAIT) <= 0 || msg_recv(isk[0], &msg, &fd) <= 0)
			break;
		if (msg.type == MSG_PTY && fd >= 0) {
			if (m->detached) {
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
	log_debug("supervisor: init exec'd");
	m->init = child;
	m->init_start = proc_start_time(child);
	/* late teardown (supervisor.c): held, the init's mount namespace is
	 * not unmounted (an RCU grace period) in its exit, before its parent
	 * hears of it, but after the exit status went out */
	if (m->init_mnt >= 0)
		closep(&m->init_mnt);
	if (supervisor_late_teardown(m)) {
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/ns/mnt", (int)child);
		m->init_mnt = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (m->alive >= 0)
		close(m->alive);
	m->alive = alivep[1];
	alivep[1] = -1;
	m->out = outp[0];
	m->err = errp[0];
	outp[0] = errp[0] = -1;
	if (m->in >= 0)
		close(m->in);
	m->in = inp[1];
	inp[1] = -1;
	/* poststart: a failure is a warning (hooks.c) */
	hooks_run(s, HOOK_POSTSTART, child, &he);
	rc = 0;
out:
	netns_early_cancel(&m->early); /* not ended: the start failed before */
	close_pair(failp);
	close_pair(alivep);
	close_pair(isk);
	close_pair(outp);
	close_pair(errp);
	close_pair(inp);
	close_pair(netp);
	close_pair(mapp);
	close_pair(hsk);
	err_clear(&ne);
	err_clear(&he);
	return rc;
}
