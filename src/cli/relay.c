/* relay.c - see relay.h */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "lib/base/util.h"
#include "lib/runtime/exitcode.h"
#include "relay.h"

static const int forwarded[] = { SIGINT,  SIGTERM,  SIGHUP,  SIGQUIT, SIGUSR1,
				 SIGUSR2, SIGWINCH, SIGCONT, SIGALRM };
static struct termios saved_tio;
static bool tio_saved;

static void relay_sigset(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(set, forwarded[i]);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGPIPE);
}

void relay_block_signals(void)
{
	sigset_t set;

	/* A shell starts background jobs with SIGINT and SIGQUIT ignored, and
	 * an ignored signal never reaches the signalfd: take them back. */
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		signal(forwarded[i], SIG_DFL);
	relay_sigset(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

void relay_unblock_signals(void)
{
	sigset_t set;
	relay_sigset(&set);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

void relay_raw_terminal(void)
{
	struct termios raw;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tio) < 0)
		return;
	tio_saved = true;
	raw = saved_tio;
	cfmakeraw(&raw);
	/* keep output post-processing: the container's pty already did it */
	raw.c_oflag = saved_tio.c_oflag;
	tcsetattr(STDIN_FILENO, TCSADRAIN, &raw);
}

void relay_restore_terminal(void)
{
	if (tio_saved) {
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_tio);
		tio_saved = false;
	}
}

static void copy_winsize(int master)
{
	struct winsize ws;
	if (master >= 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

/* copy what is readable from 'from' to 'to'; returns false on EOF/error */
static bool pump(int from, int to)
{
	char buf[16384];
	ssize_t n = read(from, buf, sizeof buf);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	return write_all(to, buf, (size_t)n) >= 0;
}

static void drain(int master)
{
	int fl = fcntl(master, F_GETFL);
	fcntl(master, F_SETFL, fl | O_NONBLOCK);
	for (;;) {
		char buf[16384];
		ssize_t n = read(master, buf, sizeof buf);
		if (n <= 0 || write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
			break;
	}
}

int relay_run(struct container_proc *p, bool interactive, struct err *e)
{
	_cleanup_close_ int sfd = -1;
	sigset_t set;
	bool stdin_open = interactive && p->ptmx >= 0, master_open = p->ptmx >= 0;

	relay_sigset(&set);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		return err_make(e, errno, "signalfd");
	copy_winsize(p->ptmx);
	while (!p->exited) {
		struct pollfd fds[4];
		int n = 0, isk, isig, iin = -1, imaster = -1;

		fds[isk = n++] = (struct pollfd){ .fd = p->sk, .events = POLLIN };
		fds[isig = n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		if (stdin_open)
			fds[iin = n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		if (master_open)
			fds[imaster = n++] = (struct pollfd){ .fd = p->ptmx, .events = POLLIN };
		if (poll(fds, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return err_make(e, errno, "poll");
		}
		if (fds[isig].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
				int sig = (int)si.ssi_signo;
				if (sig == SIGWINCH)
					copy_winsize(p->ptmx);
				else if (sig != SIGCHLD && sig != SIGPIPE && p->init > 0)
					kill(p->init, sig);
			}
		}
		if (imaster >= 0 && (fds[imaster].revents & (POLLIN | POLLHUP | POLLERR)))
			master_open = pump(p->ptmx, STDOUT_FILENO);
		if (iin >= 0 && (fds[iin].revents & (POLLIN | POLLHUP | POLLERR)))
			stdin_open = pump(STDIN_FILENO, p->ptmx);
		if (fds[isk].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (container_handle_msg(p, e) < 0)
				return -1;
		}
	}
	if (p->ptmx >= 0)
		drain(p->ptmx);
	return wait_status_code(p->wstatus);
}

int relay_child(pid_t child, int master, bool interactive, struct err *e)
{
	_cleanup_close_ int sfd = -1;
	sigset_t set;
	bool stdin_open = interactive && master >= 0, master_open = master >= 0;
	int st = 0;

	relay_sigset(&set);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		return err_make(e, errno, "signalfd");
	copy_winsize(master);
	for (;;) {
		struct pollfd fds[3];
		int n = 0, isig, iin = -1, imaster = -1;
		pid_t r = waitpid(child, &st, WNOHANG);
		if (r == child)
			break;
		fds[isig = n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		if (stdin_open)
			fds[iin = n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		if (master_open)
			fds[imaster = n++] = (struct pollfd){ .fd = master, .events = POLLIN };
		if (poll(fds, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return err_make(e, errno, "poll");
		}
		if (fds[isig].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
				int sig = (int)si.ssi_signo;
				if (sig == SIGWINCH)
					copy_winsize(master);
				else if (sig != SIGCHLD && sig != SIGPIPE)
					kill(child, sig);
			}
		}
		if (imaster >= 0 && (fds[imaster].revents & (POLLIN | POLLHUP | POLLERR)))
			master_open = pump(master, STDOUT_FILENO);
		if (iin >= 0 && (fds[iin].revents & (POLLIN | POLLHUP | POLLERR)))
			stdin_open = pump(STDIN_FILENO, master);
	}
	if (master >= 0)
		drain(master);
	return wait_status_code(st);
}
