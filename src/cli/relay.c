/* relay.c - see relay.h */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

int detach_keys_parse(const char *spec, struct detach_keys *k, struct err *e)
{
	_cleanup_free_ char *copy = xstrdup(spec ? spec : "ctrl-p,ctrl-q");
	char *save = NULL;

	memset(k, 0, sizeof *k);
	if (!*copy)
		return 0;
	for (char *key = strtok_r(copy, ",", &save); key; key = strtok_r(NULL, ",", &save)) {
		int c = -1;

		if (strlen(key) == 1) {
			c = (unsigned char)key[0];
		} else if (strlen(key) == 6 && strncasecmp(key, "ctrl-", 5) == 0) {
			char x = (char)tolower((unsigned char)key[5]);
			const char *special = strchr("@[\\]^_", x);
			if (x >= 'a' && x <= 'z')
				c = x - 'a' + 1;
			else if (x && special)
				c = x == '@' ? 0 : 27 + (int)(special - "@[\\]^_") - 1;
		}
		if (c < 0 || k->len == DETACH_KEYS_MAX)
			return err_make(e, 0, "invalid detach keys: Unknown character: '%s'", key);
		k->seq[k->len++] = (unsigned char)c;
	}
	if (k->len == 0)
		return err_make(e, 0, "invalid detach keys: Unknown character: '%s'", spec);
	return 0;
}

size_t detach_keys_filter(struct detach_keys *k, const char *in, size_t n, char *out, bool *detach)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (k->len == 0) {
			out[o++] = (char)c;
			continue;
		}
		if (c != k->seq[k->matched] && k->matched) {
			/* not the sequence after all: what was held goes on */
			memcpy(out + o, k->seq, k->matched);
			o += k->matched;
			k->matched = 0;
		}
		if (c == k->seq[k->matched]) {
			if (++k->matched == k->len) {
				k->matched = 0;
				*detach = true;
				return o;
			}
			continue;
		}
		out[o++] = (char)c;
	}
	return o;
}

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

static void drain_to(int from, int to)
{
	int fl = fcntl(from, F_GETFL);
	fcntl(from, F_SETFL, fl | O_NONBLOCK);
	for (;;) {
		char buf[16384];
		ssize_t n = read(from, buf, sizeof buf);
		if (n <= 0 || write_all(to, buf, (size_t)n) < 0)
			break;
	}
}

static void drain(int master)
{
	drain_to(master, STDOUT_FILENO);
}

int relay_stdio_open(struct relay_stdio *io, bool want_stdin, struct err *e)
{
	memset(io, 0, sizeof *io);
	io->in = io->out[0] = io->out[1] = -1;
	for (int i = want_stdin ? 0 : 1; i < 3; i++) {
		int p[2];
		if (!isatty(i))
			continue;
		if (pipe2(p, O_CLOEXEC) < 0) {
			relay_stdio_close(io);
			return err_make(e, errno, "pipe");
		}
		if (i == 0) {
			io->child[0] = p[0];
			io->in = p[1];
			/* never block on a container that does not read */
			fcntl(io->in, F_SETFL, O_NONBLOCK);
		} else {
			io->child[i] = p[1];
			io->out[i - 1] = p[0];
		}
	}
	return 0;
}

void relay_stdio_started(struct relay_stdio *io)
{
	for (int i = 0; i < 3; i++) {
		if (io->child[i] > 2)
			close(io->child[i]);
		io->child[i] = 0;
	}
}

void relay_stdio_close(struct relay_stdio *io)
{
	relay_stdio_started(io);
	closep(&io->in);
	closep(&io->out[0]);
	closep(&io->out[1]);
	io->in = io->out[0] = io->out[1] = -1;
}

/* poll entries for io: our stdin while nothing waits to be written, else
 * the container's stdin; its stdout and stderr */
static int io_poll_add(const struct relay_stdio *io, struct pollfd *fds, int n, int idx[3])
{
	idx[0] = idx[1] = idx[2] = -1;
	if (!io)
		return n;
	if (io->in >= 0 && io->len == 0 && !io->in_eof)
		fds[idx[0] = n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	else if (io->in >= 0)
		fds[idx[0] = n++] = (struct pollfd){ .fd = io->in, .events = POLLOUT };
	for (int i = 0; i < 2; i++)
		if (io->out[i] >= 0)
			fds[idx[i + 1] = n++] = (struct pollfd){ .fd = io->out[i], .events = POLLIN };
	return n;
}

static void io_stdin(struct relay_stdio *io, short revents)
{
	if (io->len == 0 && !io->in_eof) {
		ssize_t n = read(STDIN_FILENO, io->buf, sizeof io->buf);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		if (n <= 0)
			io->in_eof = true;
		else
			io->len = (size_t)n;
	} else if (io->len > 0) {
		ssize_t n = write(io->in, io->buf, io->len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		if (n < 0) {
			/* the container closed its stdin: what it did not read is dropped */
			io->len = 0;
			io->in_eof = true;
		} else {
			io->len -= (size_t)n;
			memmove(io->buf, io->buf + n, io->len);
		}
	} else if (revents & (POLLERR | POLLHUP)) {
		io->in_eof = true;
	}
	if (io->in_eof && io->len == 0)
		closep(&io->in), io->in = -1;
}

static void io_handle(struct relay_stdio *io, const struct pollfd *fds, const int idx[3])
{
	if (!io)
		return;
	if (idx[0] >= 0 && fds[idx[0]].revents)
		io_stdin(io, fds[idx[0]].revents);
	for (int i = 0; i < 2; i++)
		if (idx[i + 1] >= 0 && (fds[idx[i + 1]].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    !pump(io->out[i], STDOUT_FILENO + i))
			closep(&io->out[i]), io->out[i] = -1;
}

/* what the container wrote before it exited (others may hold the pipes) */
static void io_drain(struct relay_stdio *io)
{
	if (!io)
		return;
	for (int i = 0; i < 2; i++)
		if (io->out[i] >= 0)
			drain_to(io->out[i], STDOUT_FILENO + i);
}

/* The user's keys to the pty master, through the detach keys; true when
 * they were typed */
static bool stdin_to_master(int master, struct detach_keys *keys, bool *open)
{
	char in[4096], out[4096 + DETACH_KEYS_MAX];
	ssize_t n = read(STDIN_FILENO, in, sizeof in);
	bool detach = false;
	size_t o;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return false;
	if (n <= 0) {
		*open = false;
		return false;
	}
	o = detach_keys_filter(keys, in, (size_t)n, out, &detach);
	if (o && write_all(master, out, o) < 0)
		*open = false;
	return detach;
}

int relay_run(struct container_proc *p, bool interactive, struct detach_keys *keys, struct relay_stdio *io,
	      struct err *e)
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
		struct pollfd fds[7];
		int n = 0, isk, isig, iin = -1, imaster = -1, iio[3];

		fds[isk = n++] = (struct pollfd){ .fd = p->sk, .events = POLLIN };
		fds[isig = n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		if (stdin_open)
			fds[iin = n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		if (master_open)
			fds[imaster = n++] = (struct pollfd){ .fd = p->ptmx, .events = POLLIN };
		n = io_poll_add(io, fds, n, iio);
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
		if (iin >= 0 && (fds[iin].revents & (POLLIN | POLLHUP | POLLERR))) {
			if (!keys) {
				stdin_open = pump(STDIN_FILENO, p->ptmx);
			} else if (stdin_to_master(p->ptmx, keys, &stdin_open)) {
				int r = container_detach(p, e);
				if (r < 0)
					return -1;
				if (r == 0) {
					keys->detached = true;
					return 0;
				}
			}
		}
		io_handle(io, fds, iio);
		if (fds[isk].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (container_handle_msg(p, e) < 0)
				return -1;
		}
	}
	if (p->ptmx >= 0)
		drain(p->ptmx);
	io_drain(io);
	return wait_status_code(p->wstatus);
}

/* exec detached: the terminal's master stays open (closing it would hang
 * the command up) in a process of its own, outside our session, which
 * reads and drops what the command writes until no one holds the terminal */
static int keep_terminal(int master, struct err *e)
{
	pid_t pid = fork();

	if (pid < 0)
		return err_make(e, errno, "fork");
	if (pid > 0) {
		/* the first child exits at once */
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return 0;
	}
	if (fork() != 0)
		_exit(0);
	setsid();
	{
		int dn = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (dn >= 0) {
			dup2(dn, 0);
			dup2(dn, 1);
			dup2(dn, 2);
		}
		close_fds_except(3, &master, 1);
	}
	relay_unblock_signals();
	for (;;) {
		char buf[4096];
		ssize_t n = read(master, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0);
	}
}

int relay_child(pid_t child, int master, bool interactive, struct detach_keys *keys, struct relay_stdio *io,
		struct err *e)
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
		struct pollfd fds[6];
		int n = 0, isig, iin = -1, imaster = -1, iio[3];
		pid_t r = waitpid(child, &st, WNOHANG);
		if (r == child)
			break;
		fds[isig = n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		if (stdin_open)
			fds[iin = n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		if (master_open)
			fds[imaster = n++] = (struct pollfd){ .fd = master, .events = POLLIN };
		n = io_poll_add(io, fds, n, iio);
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
		if (iin >= 0 && (fds[iin].revents & (POLLIN | POLLHUP | POLLERR))) {
			if (!keys) {
				stdin_open = pump(STDIN_FILENO, master);
			} else if (stdin_to_master(master, keys, &stdin_open)) {
				if (keep_terminal(master, e) < 0)
					return -1;
				keys->detached = true;
				return 0;
			}
		}
		io_handle(io, fds, iio);
	}
	if (master >= 0)
		drain(master);
	io_drain(io);
	return wait_status_code(st);
}
