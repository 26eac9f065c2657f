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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <grp.h>
#include <linux/close_range.h>

#include "log.h"
#include "rootfs.h"
#include "spawn.h"
#include "syscalls.h"
#include "util.h"

enum msg_type { MSG_GO = 1, MSG_PID, MSG_PTY, MSG_ERROR, MSG_STARTED, MSG_EXIT };

struct msg {
	int type;
	int a, b;            /* PID: pid; ERROR: errnum, status; EXIT: wstatus */
	struct winsize ws;   /* GO */
	char text[2048];     /* ERROR */
};

static int msg_send(int sk, const struct msg *m, int fd)
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
static ssize_t msg_recv(int sk, struct msg *m, int *fd)
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
	int alivefd;     /* read end: POLLHUP once the holder is gone */
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

static int become_user(const struct container_spec *s, const struct user_spec *u, struct err *e)
{
	if (drop_bounding(s->caps, e) < 0)
		return -1;
	if (!s->idmap->single && setgroups(u->ngroups, u->groups) < 0)
		return err_make(e, errno, "setgroups");
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return err_make(e, errno == EINVAL ? 0 : errno,
				"gid %u is not mapped in this container%s", (unsigned)u->gid,
				s->idmap->single ? " (no subordinate gid range: only 0 is mapped)" : "");
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return err_make(e, errno == EINVAL ? 0 : errno,
				"uid %u is not mapped in this container%s", (unsigned)u->uid,
				s->idmap->single ? " (no subordinate uid range: only 0 is mapped)" : "");
	return set_caps(s->caps, u->uid == 0, e);
}

static void finalize_env(char ***env, const struct container_spec *s, const struct user_spec *u)
{
	if (!env_get(*env, "PATH"))
		env_set(env, "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	if (!env_get(*env, "HOSTNAME"))
		env_set(env, "HOSTNAME", s->hostname);
	if (!env_get(*env, "HOME"))
		env_set(env, "HOME", u->home ? u->home : "/");
	if (s->tty && !env_get(*env, "TERM"))
		env_set(env, "TERM", "xterm");
	if (!env_get(*env, "container"))
		env_set(env, "container", "burrow");
}

/* execvpe that searches the container's PATH; returns the errno that decides
 * the exit code */
static int exec_in_path(char **argv, char **env)
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
	} else if (!s->interactive) {
		int n = open("/dev/null", O_RDONLY);
		if (n < 0 || dup2(n, 0) < 0)
			return err_make(e, errno, "opening /dev/null for stdin");
		close(n);
	}
	return 0;
}

static __attribute__((noreturn)) void init_fail(struct init_ctx *c, struct err *e, int status)
{
	send_error(c->sk, e, status);
	if (write(c->failfd, "F", 1) < 0) {
		/* the holder sees our exit anyway */
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
	if (init_prepare(c, &u, &e) < 0)
		init_fail(c, &e, 125);
	log_debug("init: rootfs ready");
	env = strv_dup(s->env);
	finalize_env(&env, s, &u);
	if (s->init) {
		strv_push(&argv, "/dev/init");
		strv_push(&argv, "--");
	}
	for (size_t i = 0; s->argv[i]; i++)
		strv_push(&argv, s->argv[i]);
	if (become_user(s, &u, &e) < 0)
		init_fail(c, &e, 125);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		err_make(&e, errno, "setting no_new_privs");
		init_fail(c, &e, 125);
	}
	/* credential changes cleared the parent-death signal: set it again and
	 * make sure the holder did not die in between */
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
	en = exec_in_path(argv, env);
	if (en == ENOENT)
		err_make_status(&e, 127, 0, "%s: executable file not found in $PATH", argv[0]);
	else
		err_make_status(&e, 126, en, "%s", argv[0]);
	err_wrap(&e, "exec");
	init_fail(c, &e, en == ENOENT ? 127 : 126);
}

/* ---- the holder ----------------------------------------------------------- */

static __attribute__((noreturn)) void holder_main(const struct container_spec *s, int sk, pid_t parent)
{
	struct err e = ERR_INIT;
	struct msg go, m;
	int failp[2], alivep[2], st;
	pid_t fuse_pid = 0, child;
	sigset_t none;
	unsigned long flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP;
	char c;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(125);
	setsid();
	if (msg_recv(sk, &go, NULL) <= 0 || go.type != MSG_GO)
		_exit(125);
	log_debug("holder: maps written");
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
	if (rootfs_mount_overlay(s, &fuse_pid, &e) < 0)
		goto fail;
	log_debug("holder: overlay mounted");
	if (pipe2(failp, O_CLOEXEC) < 0 || pipe2(alivep, O_CLOEXEC) < 0) {
		err_make(&e, errno, "pipe");
		goto fail_mounted;
	}
	if (s->net != NET_HOST)
		flags |= CLONE_NEWNET;
	child = sys_clone_ns(flags);
	if (child < 0) {
		err_make(&e, errno, "creating the container namespaces (clone)");
		goto fail_mounted;
	}
	if (child == 0) {
		struct init_ctx ic = { s, &go, sk, failp[1], alivep[0] };
		close(failp[0]);
		close(alivep[1]);
		init_main(&ic);
	}
	close(failp[1]);
	close(alivep[0]);
	memset(&m, 0, sizeof m);
	m.type = MSG_PID;
	m.a = child;
	msg_send(sk, &m, -1);
	/* EOF: the init exec'd (the pipe is close-on-exec); a byte: it failed */
	if (read(failp[0], &c, 1) == 0) {
		memset(&m, 0, sizeof m);
		m.type = MSG_STARTED;
		msg_send(sk, &m, -1);
	}
	close(failp[0]);
	while (waitpid(child, &st, 0) < 0) {
		if (errno != EINTR) {
			st = 125 << 8;
			break;
		}
	}
	log_debug("holder: container exited");
	/* The overlay goes with this mount namespace when the holder exits;
	 * only fuse-overlayfs, which holds files in the upper dir, must stop
	 * before the container's layer is removed. */
	rootfs_stop_fuse(fuse_pid);
	if (s->remove) {
		struct err re = ERR_INIT;
		if (rm_rf_at(AT_FDCWD, s->ctrdir, &re) < 0)
			log_warn("removing %s: %s", s->ctrdir, re.msg);
		err_clear(&re);
	}
	log_debug("holder: cleaned up");
	memset(&m, 0, sizeof m);
	m.type = MSG_EXIT;
	m.a = st;
	msg_send(sk, &m, -1);
	_exit(0);

fail_mounted:
	rootfs_umount_overlay(s, fuse_pid);
fail:
	send_error(sk, &e, 125);
	_exit(125);
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
			/* the holder died without reporting: treat it as killed */
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

	memset(p, 0, sizeof *p);
	p->sk = p->ptmx = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sk) < 0)
		return err_make(e, errno, "socketpair");
	pid = sys_clone_ns(CLONE_NEWUSER | CLONE_NEWNS);
	if (pid < 0) {
		int saved = errno;
		close(sk[0]);
		close(sk[1]);
		return err_make(e, saved,
				"creating a user namespace (check 'burrow info': max_user_namespaces, AppArmor)");
	}
	if (pid == 0) {
		close(sk[0]);
		holder_main(s, sk[1], parent);
	}
	close(sk[1]);
	p->sk = sk[0];
	p->holder = pid;
	log_debug("cloned the holder %d", (int)pid);
	if (userns_maps_start(pid, s->idmap, &job, e) < 0)
		goto kill;
	if (prep && prep(prep_arg, e) < 0) {
		struct err ignore = ERR_INIT;
		userns_maps_finish(&job, &ignore);
		err_clear(&ignore);
		goto kill;
	}
	if (userns_maps_finish(&job, e) < 0)
		goto kill;
	log_debug("maps written");
	memset(&go, 0, sizeof go);
	go.type = MSG_GO;
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
		if (r == MSG_STARTED)
			return 0;
		if (p->exited) {
			err_make(e, 0, "the container exited before it started (status %d)",
				 wait_status_code(p->wstatus));
			goto reap;
		}
	}
kill:
	kill(pid, SIGKILL);
reap:
	/* the holder cleans up and exits on its own after an error */
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	p->holder = 0;
	container_proc_close(p);
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
	p->holder = 0;
	container_proc_close(p);
}

void container_proc_close(struct container_proc *p)
{
	if (p->holder > 0) {
		while (waitpid(p->holder, NULL, 0) < 0 && errno == EINTR)
			;
		p->holder = 0;
	}
	if (p->sk >= 0)
		close(p->sk);
	if (p->ptmx >= 0)
		close(p->ptmx);
	p->sk = p->ptmx = -1;
}
