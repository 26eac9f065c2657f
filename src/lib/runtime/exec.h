/* exec.h - running a command inside a running container: `burrow exec`,
 * and the healthcheck probes (health.h).
 *
 * exec_in_container() moves the calling (single-threaded) process into the
 * namespaces of the container's init: user first (the caller owns it; a
 * supervisor is already inside and skips it), then mnt, pid, uts, ipc, net
 * and cgroup, skipping any it already shares (--network host), and into the
 * init's cgroup where it may.  Joining the PID namespace only affects
 * children, so it then forks: the child, PID N inside the container,
 * becomes the container's user with its capabilities and no_new_privs and
 * execs the command; an error before exec comes back over a pipe.  No
 * supervisor is involved, which keeps exec to a few milliseconds.
 *
 * Nothing of the caller's reaches the command but what it is given: the
 * child is not dumpable until it execs (a root process in the container
 * cannot take its fds through /proc/PID/fd), closes every fd above 2 (but
 * those of preserve_fds), and
 * runs in a session of its own.  Without tty, fds 0-2 are the caller's, or
 * stdio[] where given (pipes the caller relays), and a terminal among them
 * is replaced by /dev/null: the container never gets the user's terminal
 * (TIOCSTI would type into the user's shell, a read would take its input).
 *
 * The caller stays in the container's namespaces: one that must not (the
 * supervisor) forks first, as health_probe() does.
 */
#ifndef BURROW_EXEC_H
#define BURROW_EXEC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/types.h>

#include "lib/base/error.h"

struct seccomp_prog;

struct exec_request {
	pid_t init; /* host pid of the container's init */
	char **argv;
	char **env;               /* the container's, with -e applied */
	const char *workdir;      /* NULL: / */
	const char *user;         /* USER[:GROUP]; NULL or "": root */
	char *const *group_add;   /* the container's --group-add, or NULL */
	const char *hostname;     /* for $HOSTNAME */
	uint64_t caps;            /* the capabilities the command keeps */
	bool tty;                 /* a terminal from the container's devpts */
	const struct winsize *ws; /* tty: its size (optional) */
	bool interactive;         /* keep stdin; without it (and without tty) stdin is /dev/null */
	bool detach;              /* in a new session on /dev/null, reparented to the
				  * container's init: return once it exec'd */
	bool die_with_caller;     /* the command gets SIGKILL when the caller dies */
	int stdio[3];             /* without tty: the command's fds 0-2 instead of the
				   * caller's (pipes it relays); 0: the caller's own */
	int preserve_fds;         /* the caller's fds 3..3+N-1 go to the command too */
	/* the container's filter (seccomp.h), loaded last before exec; or NULL */
	const struct seccomp_prog *seccomp;
	/* Attached: wait for the command (pid), relaying the terminal's master
	 * (ptmx, -1 without tty); returns its exit code, or -1.  NULL: only
	 * wait. */
	int (*wait)(pid_t pid, int ptmx, void *arg, struct err *e);
	void *wait_arg;
};

struct exec_result {
	int exit_code; /* the command's (0-255, 128+N); 0 with detach */
};

/* Returns 0 once the command ran (and, unless detached, exited), or -1
 * when the join, the terminal or the wait failed, or the command could not
 * be started (e->status 126 or 127 for exec itself, else 125). */
int exec_in_container(const struct exec_request *r, struct exec_result *res, struct err *e);

/* Sanitizer builds check for leaks before the join (see exec.c).  A child
 * forked from a threaded process (the API service) holds memory only the
 * other threads reached, which the check would report: it calls this
 * first, and ends with _exit(), which runs no check either. */
void exec_skip_leak_check(void);

#endif
