/* exec.c - running a command in a running container (see exec.h): join
 * the init's namespaces, open a terminal in its devpts, fork, and in the
 * child become the container's user and exec. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec.h"
#include "exitcode.h"
#include "runtime_int.h"
#include "seccomp.h"
#include "lib/record/spec.h"
#include "userns.h"
#include "lib/base/log.h"
#include "lib/base/syscalls.h"
#include "lib/base/util.h"

/* LeakSanitizer checks at exit from a tracer it clones: after setns into
 * another PID namespace that tracer cannot attach to us and the exit spins
 * for ever.  Sanitizer builds check for leaks before the join instead. */
extern void __lsan_do_leak_check(void) __attribute__((weak));
/* AddressSanitizer keeps a shadow of the stack: see spawn_child. */
extern void __asan_unpoison_memory_region(void const volatile *addr, size_t size) __attribute__((weak));
static bool skip_leak_check;

void exec_skip_leak_check(void)
{
	skip_leak_check = true;
}

/* BURROW_X=0 turns an optimisation off (the old path, kept tested). */
static bool switched_off(const char *name)
{
	const char *v = getenv(name);

	return v && strcmp(v, "0") == 0;
}

/* Join the init's cgroup, so that an exec'd command is under the
 * container's limits, frozen with it and killed by cgroup.kill.  Best
 * effort: the caller may write there in a delegated subtree, not from
 * outside a systemd scope (EACCES: the command then runs in the caller's). */
/* The "0::/PATH" line of a /proc/PID/cgroup text, cut at its end; NULL
 * without one (cgroup v1 only). */
static char *unified_line(char *s)
{
	char *line = strstr(s, "0::/");

	if (!line || (line != s && line[-1] != '\n'))
		return NULL;
	line[strcspn(line, "\n")] = '\0';
	return line;
}

/* Whether we are in that cgroup already (both paths are read in our own
 * cgroup namespace, so equal text is the same cgroup): a move into it
 * would change nothing, and every write to cgroup.procs takes the
 * cgroup-wide lock whose writer waits for an RCU grace period.
 * BURROW_EXEC_CGROUP_SKIP=0 writes anyway. */
static bool in_cgroup_already(const char *line)
{
	_cleanup_free_ char *self = NULL;
	struct err e = ERR_INIT;
	const char *mine;

	if (switched_off("BURROW_EXEC_CGROUP_SKIP"))
		return false;
	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", 1 << 16, &self, NULL, &e) < 0) {
		err_clear(&e);
		return false;
	}
	mine = unified_line(self);
	return mine && strcmp(mine, line) == 0;
}

static void join_cgroup(pid_t init)
{
	char path[64], *line, *s = NULL;
	struct err e = ERR_INIT;

	snprintf(path, sizeof path, "/proc/%d/cgroup", (int)init);
	if (read_file_at(AT_FDCWD, path, 1 << 16, &s, NULL, &e) < 0) {
		err_clear(&e);
		return;
	}
	line = unified_line(s);
	if (line && !in_cgroup_already(line)) {
		_cleanup_free_ char *procs = NULL;
		int fd;
		procs = xasprintf("/sys/fs/cgroup%s/cgroup.procs", line + 3);
		fd = open(procs, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, "0", 1) < 0) {
				/* not ours to move into: stay in the caller's cgroup */
			}
			close(fd);
		}
	}
	free(s);
}

/* Bits of the namespaces exec_join enters, in the order of names[] below. */
static const int ns_flags[] = { CLONE_NEWUSER, CLONE_NEWNS,  CLONE_NEWPID,   CLONE_NEWUTS,
				CLONE_NEWIPC,  CLONE_NEWNET, CLONE_NEWCGROUP };
#define ALL_NS_FLAGS \
	(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | \
	 CLONE_NEWCGROUP)

/* All of them at once, through a pidfd of the init (Linux 5.8): one
 * setns() that enters every namespace in flags or none.  Returns true when
 * done; false when not (a kernel before 5.8 takes no pidfd there, or any
 * other failure, which entered nothing: the caller goes one by one, and
 * reports what fails then).  BURROW_EXEC_PIDFD=0: always false. */
static bool join_by_pidfd(pid_t init, int flags)
{
	_cleanup_close_ int pfd = -1;

	if (switched_off("BURROW_EXEC_PIDFD") || !flags)
		return false;
	pfd = sys_pidfd_open(init, 0);
	return pfd >= 0 && setns(pfd, flags) == 0;
}

/* Before any namespace is entered: the cgroup move (its paths are read in
 * our own cgroup namespace) and, in sanitizer builds, the leak check. */
static void before_join(pid_t init)
{
	join_cgroup(init);
	if (__lsan_do_leak_check && !skip_leak_check)
		__lsan_do_leak_check();
}

int exec_join(pid_t init, struct err *e)
{
	static const char *const names[] = { "user", "mnt", "pid", "uts", "ipc", "net", "cgroup" };
	int fds[ARRAY_SIZE(names)];
	int rc = 0, flags = 0;
	bool early = false;

	/* The usual case first: every namespace of the init differs from ours,
	 * and one setns() of all seven enters them, without the 14 stat()s of
	 * the /proc/PID/ns files below (about 0.1 ms).  That setns fails as a whole
	 * (our own user namespace: EINVAL; a host namespace, --network host:
	 * EPERM, as it belongs to our user namespace) and then the comparison
	 * picks those to enter.  BURROW_EXEC_JOIN_ALL=0: compare first. */
	if (!switched_off("BURROW_EXEC_JOIN_ALL") && !switched_off("BURROW_EXEC_PIDFD")) {
		before_join(init);
		early = true;
		if (join_by_pidfd(init, ALL_NS_FLAGS))
			return 0;
	}
	/* which namespaces are not ours already (the supervisor's user ns,
	 * --network host): setns refuses to enter one's own user namespace */
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char path[64], self[64];
		struct stat a, b;
		snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)init, names[i]);
		snprintf(self, sizeof self, "/proc/self/ns/%s", names[i]);
		if (stat(path, &a) < 0) {
			rc = err_make(e, errno, "reading the container's %s namespace", names[i]);
			continue;
		}
		if (stat(self, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			continue;
		flags |= ns_flags[i];
	}
	if (rc < 0)
		return -1;
	if (!early)
		before_join(init);
	if (join_by_pidfd(init, flags))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char path[64];
		fds[i] = -1;
		if (!(flags & ns_flags[i]))
			continue;
		snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)init, names[i]);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0 && rc == 0)
			rc = err_make(e, errno, "opening %s", path);
	}
	for (size_t i = 0; i < ARRAY_SIZE(names) && rc == 0; i++) {
		if (fds[i] >= 0 && setns(fds[i], 0) < 0)
			rc = err_make(e, errno, "joining the container's %s namespace", names[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return rc;
}

static bool setgroups_denied(void)
{
	char buf[16] = "";
	int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, buf, sizeof buf - 1) < 0)
			buf[0] = '\0';
		close(fd);
	}
	return strncmp(buf, "deny", 4) == 0;
}

/* Fds 0-2 of the command: the container's terminal (pts) with tty, else
 * stdio[] or the caller's, never a terminal of the caller's. */
static int exec_stdio(const struct exec_request *r, int pts, struct err *e)
{
	if (r->tty && pts >= 0) {
		if (dup2(pts, 0) < 0 || dup2(pts, 1) < 0 || dup2(pts, 2) < 0 || ioctl(0, TIOCSCTTY, 0) < 0)
			return err_make(e, errno, "attaching the terminal");
		return 0;
	}
	for (int i = 0; i < 3; i++) {
		if (r->stdio[i] > 2 && dup2(r->stdio[i], i) < 0)
			return err_make(e, errno, "attaching fd %d", i);
		if (isatty(i)) {
			int dn = open("/dev/null", O_RDWR | O_CLOEXEC);
			if (dn < 0 || dup2(dn, i) < 0)
				return err_make(e, errno, "opening /dev/null");
			close(dn);
		}
	}
	return 0;
}

/* What the child allocates and execve needs: in the vfork-like spawn
 * (spawn_child) it is in our memory, and we free it once the child is gone
 * (after fork() the child's writes here are its own: nothing to free). */
struct child_owned {
	char **env;
	struct user_spec u;
};

/* In the child (not dumpable): take fds 0-2, close every other but
 * errfd, become the user, chdir and exec.  On failure the error goes to
 * errfd (err_send) and the child exits 125, 126 or 127. */
static __attribute__((noreturn)) void exec_child(const struct exec_request *r, int pts, int errfd,
						 struct child_owned *own)
{
	struct err e = ERR_INIT;
	struct user_spec u;
	_cleanup_strv_ char **env = NULL;
	int rootfd, en;
	sigset_t none;

	memset(&u, 0, sizeof u);
	/* a session of its own: no controlling terminal of the caller's */
	setsid();
	if (exec_stdio(r, pts, &e) < 0)
		goto fail;
	/* nothing the caller had open (an fd on a host directory would lead
	 * out of the container, a terminal into the user's shell) reaches the
	 * command but --preserve-fds' 3..3+N-1: errfd moves to 3+N, everything
	 * above goes */
	if (errfd != 3 + r->preserve_fds) {
		if (dup3(errfd, 3 + r->preserve_fds, O_CLOEXEC) < 0)
			_exit(125);
		errfd = 3 + r->preserve_fds;
	}
	close_fds_except(errfd + 1, NULL, 0);
	for (int fd = 3; fd < errfd; fd++)
		fcntl(fd, F_SETFD, 0);
	rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0 ||
	    resolve_user_groups(rootfd, r->user && *r->user ? r->user : "0", r->group_add, &u, &e) < 0) {
		if (rootfd < 0)
			err_make(&e, errno, "opening the container's root");
		goto fail;
	}
	close(rootfd);
	env = strv_dup(r->env);
	become_finalize_env(&env, r->hostname, r->tty, &u);
	own->env = env;
	own->u = u;
	if (r->workdir && chdir(r->workdir) < 0) {
		err_make(&e, errno, "changing to the working directory %s", r->workdir);
		goto fail;
	}
	if (become_user(r->caps, setgroups_denied(), &u, &e) < 0)
		goto fail;
	if (r->die_with_caller) {
		/* the credential change cleared the parent-death signal: set it
		 * again, then make sure the caller (the only reader of errfd)
		 * did not die in between */
		struct pollfd pfd = { .fd = errfd, .events = POLLOUT };
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLERR))
			_exit(125);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		err_make(&e, errno, "setting no_new_privs");
		goto fail;
	}
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (r->seccomp && seccomp_apply(r->seccomp, &e) < 0)
		goto fail;
	en = become_exec_in_path(r->argv, env);
	if (en == ENOENT)
		err_make_status(&e, 127, 0, "%s: executable file not found in $PATH", r->argv[0]);
	else
		err_make_status(&e, 126, en, "%s", r->argv[0]);
	err_wrap(&e, "exec");
fail:
	err_send(errfd, &e);
	_exit(err_exit_status(&e));
}

/* A terminal in the container's own devpts (the caller joined its mount
 * namespace): the terminal lives in the container. */
static int open_pty(const struct exec_request *r, int *ptmx, int *pts, struct err *e)
{
	*ptmx = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*ptmx < 0 || unlockpt(*ptmx) < 0 || (*pts = ioctl(*ptmx, TIOCGPTPEER, O_RDWR | O_NOCTTY)) < 0)
		return err_make(e, errno, "opening a terminal in the container");
	if (r->ws)
		ioctl(*ptmx, TIOCSWINSZ, r->ws);
	return 0;
}

/* The child: its stdin, the detached double fork, then exec_child. */
static __attribute__((noreturn)) void exec_fork_child(const struct exec_request *r, int pts, int errfd,
						      struct child_owned *own)
{
	if (r->die_with_caller)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (r->detach) {
		int dn = open("/dev/null", O_RDWR);
		setsid();
		if (dn >= 0) {
			dup2(dn, 0);
			dup2(dn, 1);
			dup2(dn, 2);
			if (dn > 2)
				close(dn);
		}
		/* the command is reparented to the container's init */
		if (fork() != 0)
			_exit(0);
	} else if (!r->interactive && !r->tty) {
		int dn = open("/dev/null", O_RDONLY);
		if (dn > 0) {
			dup2(dn, 0);
			close(dn);
		}
	}
	exec_child(r, pts, errfd, own);
}

/* What the spawned child needs: the request, the terminal's pts and the
 * pipe whose write end carries its error; what it leaves us to free. */
struct child_arg {
	const struct exec_request *r;
	int pts, errp[2];
	struct child_owned own;
};

static int child_main(void *p)
{
	struct child_arg *a = p;

	close(a->errp[0]);
	exec_fork_child(a->r, a->pts, a->errp[1], &a->own);
}

/* The child's stack in the vfork-like spawn: part of ours, in the frame of
 * spawn_child, which waits for its exec or exit (it must not be another
 * mapping: sanitizers take the stack to be the thread's). */
#define CHILD_STACK (256 * 1024)

/* The child that becomes the command.  It shares our memory and we are
 * suspended until it execs or exits (CLONE_VM | CLONE_VFORK, like
 * posix_spawn): no copy of our page tables, no copy-on-write faults in
 * either process, no teardown of a copied address space at its exec
 * (about 0.1-0.3 ms).  We are single-threaded and stopped, so its calls
 * into libc (malloc, libcap) see a consistent state; what it allocates for
 * the exec we free after (child_owned).  Fds, credentials, signal dispositions, seccomp and
 * the parent-death signal are its own as after fork(); dumpability
 * belongs to the memory, which is non-dumpable for both until the exec.
 * BURROW_EXEC_VFORK=0: fork(). */
static pid_t __attribute__((noinline)) spawn_child(struct child_arg *a)
{
	char stack[CHILD_STACK] __attribute__((aligned(64)));
	pid_t pid;

	if (switched_off("BURROW_EXEC_VFORK")) {
		pid = fork();
		if (pid == 0)
			child_main(a);
		return pid;
	}
	pid = clone(child_main, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, a);
	/* The child's frames never returned (it exec'd or exited): in
	 * sanitizer builds their redzones are still marked in the shadow we
	 * share, where our later frames would hit them. */
	if (__asan_unpoison_memory_region)
		__asan_unpoison_memory_region(stack, sizeof stack);
	/* keep the stack alive until here */
	__asm__ __volatile__("" : : "r"(stack) : "memory");
	return pid;
}

int exec_in_container(const struct exec_request *r, struct exec_result *res, struct err *e)
{
	_cleanup_close_ int ptmx = -1, pts = -1;
	int errp[2] = { -1, -1 }, rc = -1, st, dumpable;
	struct child_arg a;
	pid_t pid;

	memset(&a, 0, sizeof a);
	a.r = r;
	res->exit_code = 0;
	if (exec_join(r->init, e) < 0)
		return -1;
	log_debug("exec: joined");
	if (r->tty && open_pty(r, &ptmx, &pts, e) < 0)
		return -1;
	if (pipe2(errp, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	/* The child is in the container's PID namespace with the caller's
	 * fds until it closes them: not dumpable from the fork (exec makes
	 * the command dumpable again), so that a root process in the
	 * container cannot open them through /proc/PID/fd meanwhile. */
	dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	a.pts = pts;
	a.errp[0] = errp[0];
	a.errp[1] = errp[1];
	pid = spawn_child(&a);
	strv_free(a.own.env);
	user_spec_free(&a.own.u);
	if (dumpable > 0)
		prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
	if (pid < 0) {
		err_make(e, errno, "fork");
		goto out;
	}
	closep(&errp[1]);
	closep(&pts);
	log_debug("exec: forked");
	if (err_recv(errp[0], e) > 0) {
		/* the child's error (its exit status is err_exit_status(e)) */
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		goto out;
	}
	if (r->detach) {
		/* the intermediate child, which exits once it forked the command */
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		rc = 0;
		goto out;
	}
	if (r->wait) {
		int code = r->wait(pid, ptmx, r->wait_arg, e);
		if (code < 0)
			goto out;
		res->exit_code = code;
	} else {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		res->exit_code = wait_status_code(st);
	}
	rc = 0;
out:
	closep(&errp[0]);
	closep(&errp[1]);
	return rc;
}
