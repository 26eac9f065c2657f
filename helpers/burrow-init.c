/* burrow-init - a tiny init for `burrow run --init` (the tini/catatonit idea).
 *
 *   burrow-init [--] CMD [ARGS...]
 *   burrow-init --pause
 *
 * Runs CMD as its child in a process group of its own (the foreground one
 * when stdin is our terminal), forwards the signals it receives to it, reaps
 * every zombie that is reparented to it, and exits with CMD's status: the
 * exit code, or 128+N when CMD was killed by signal N.  Outside a PID
 * namespace it makes itself a child subreaper so orphans still come to it.
 *
 * --pause runs no command: it reaps what is reparented to it and exits 0 on
 * SIGTERM, SIGINT or SIGHUP.  It keeps a container up while other processes
 * join it (burrow run in a Slurm job step: one container per node).
 *
 * Self-contained on purpose: it is linked static and bound into containers.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* Signals that report a fault of our own; blocking them would hide it. */
static const int synchronous[] = { SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGSEGV, SIGSYS, SIGTRAP };

static void die(const char *what)
{
	fprintf(stderr, "burrow-init: %s: %s\n", what, strerror(errno));
	exit(125);
}

static int status_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 125;
}

static void run_child(char **argv, const sigset_t *orig)
{
	/* Own process group, so a terminal's ^C reaches it once, not twice
	 * (directly and forwarded).  SIGTTOU is still blocked here, which is
	 * what lets tcsetpgrp() hand the terminal over. */
	if (setpgid(0, 0) == 0 && isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgid(getppid()))
		(void)tcsetpgrp(STDIN_FILENO, getpid());
	for (int s = 1; s < NSIG; s++)
		(void)signal(s, SIG_DFL);
	sigprocmask(SIG_SETMASK, orig, NULL);
	execvp(argv[0], argv);
	{
		int err = errno;
		fprintf(stderr, "burrow-init: exec %s: %s\n", argv[0], strerror(err));
		_exit(err == ENOENT ? 127 : 126);
	}
}

/* Reap everything that has exited.  Returns 1 once the main child is gone
 * (its status in *st), else 0. */
static int reap(pid_t child, int *st)
{
	int done = 0;

	for (;;) {
		int s;
		pid_t p = waitpid(-1, &s, WNOHANG);
		if (p < 0 && errno == EINTR)
			continue;
		if (p <= 0)
			return done;
		if (p == child) {
			*st = s;
			done = 1;
		}
	}
}

static int pause_until_stopped(void)
{
	sigset_t all;

	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	sigfillset(&all);
	for (size_t i = 0; i < sizeof synchronous / sizeof synchronous[0]; i++)
		sigdelset(&all, synchronous[i]);
	if (sigprocmask(SIG_SETMASK, &all, NULL) < 0)
		die("sigprocmask");
	for (;;) {
		int st, sig = sigwaitinfo(&all, NULL);

		if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP)
			return 0;
		while (sig == SIGCHLD && waitpid(-1, &st, WNOHANG) > 0)
			;
	}
}

int main(int argc, char **argv)
{
	sigset_t all, orig;
	pid_t child;
	int st = 0;

	int dashdash;

	(void)argc;
	argv++;
	if (*argv && strcmp(*argv, "--pause") == 0 && !argv[1])
		return pause_until_stopped();
	dashdash = *argv && strcmp(*argv, "--") == 0;
	if (dashdash)
		argv++;
	if (!*argv || (!dashdash && **argv == '-')) {
		fprintf(stderr, "usage: burrow-init [--] CMD [ARGS...]\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die("prctl(PR_SET_CHILD_SUBREAPER)");

	sigfillset(&all);
	for (size_t i = 0; i < sizeof synchronous / sizeof synchronous[0]; i++)
		sigdelset(&all, synchronous[i]);
	if (sigprocmask(SIG_SETMASK, &all, &orig) < 0)
		die("sigprocmask");

	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0)
		run_child(argv, &orig);

	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);

		if (sig < 0) {
			if (errno == EINTR)
				continue;
			die("sigwaitinfo");
		}
		if (sig == SIGCHLD) {
			if (reap(child, &st))
				break;
			continue;
		}
		/* everything else belongs to the child; ESRCH just means it is
		 * exiting and its SIGCHLD is on the way */
		if (kill(child, sig) < 0 && errno != ESRCH)
			die("forwarding a signal");
	}
	/* the child's own children may have gone with it */
	reap(child, &st);
	return status_code(st);
}
