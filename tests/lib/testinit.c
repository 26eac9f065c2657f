/* testinit.c - a tiny static helper placed at /sbin/testinit in the test
 * fixture image (the idea of crun's tests/init).  It answers the questions
 * the integration tests ask from inside a container, without relying on
 * what busybox happens to print.
 *
 *   testinit pid              print getpid() (1 when it is the container's init)
 *   testinit ppid             print getppid()
 *   testinit exit N           exit with status N
 *   testinit sigwait [FILE]   write "ready" to FILE (or stdout, also for "-"),
 *                             wait for SIGTERM, SIGINT or SIGHUP, print the
 *                             signal's name (TERM, INT, HUP), exit 0
 *   testinit zombie           leave an orphaned zombie for PID 1 to reap and
 *                             print its pid
 *   testinit caps             print CapInh, CapPrm, CapEff, CapBnd, CapAmb
 *                             from /proc/self/status as KEY=HEX lines
 *   testinit nnp              print NoNewPrivs (0 or 1)
 *   testinit ttysize          print "ROWS COLS" of stdin (TIOCGWINSZ)
 *   testinit isatty [FD]      print "yes" if FD (default 0) is a terminal, else "no"
 *   testinit tiocsti TEXT     push TEXT (C escape \n understood) into the input of
 *                             the terminal on fd 0, 1, 2 or /dev/tty (TIOCSTI);
 *                             print "injected" if that worked, else "refused"
 *   testinit syscall NAME...  make each call with harmless arguments and print
 *                             "NAME ok" or "NAME ERRNO" (EPERM, ENOSYS, ...);
 *                             exit 1 when one failed.  NAME: vmsplice,
 *                             personality (READ_IMPLIES_EXEC, then back),
 *                             io_uring_setup, userfaultfd, getpid
 *   testinit msgq make|find KEY  create the System V message queue KEY (print
 *                             its id), or print "found" or "missing" for it
 *   testinit fds              print the open fds above 2, one a line
 *
 * Usage errors exit 2; failures print "testinit: ..." on stderr and exit 1.
 * Built with -static -Os by the Makefile (build/tests/testinit).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/msg.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int fail(const char *what)
{
	fprintf(stderr, "testinit: %s: %s\n", what, strerror(errno));
	return 1;
}

static int usage(void)
{
	fputs("usage: testinit pid|ppid|exit N|sigwait [FILE]|zombie|caps|nnp|ttysize|isatty [FD]|tiocsti TEXT|"
	      "syscall NAME...|msgq make|find KEY|fds\n",
	      stderr);
	return 2;
}

static int parse_int(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 255 * 255)
		return -1;
	*out = (int)v;
	return 0;
}

/* what a hostile program does with a terminal it was given: type into it */
static int do_tiocsti(const char *text)
{
	int fds[4] = { 0, 1, 2, open("/dev/tty", O_RDWR | O_NOCTTY) }, done = 0;

	for (int i = 0; i < 4 && !done; i++) {
		const char *p;
		if (fds[i] < 0 || !isatty(fds[i]))
			continue;
		for (p = text; *p; p++) {
			char c = *p;
			if (c == '\\' && p[1] == 'n')
				c = '\n', p++;
			if (ioctl(fds[i], TIOCSTI, &c) < 0)
				break;
		}
		done = !*p;
	}
	printf("%s\n", done ? "injected" : "refused");
	return 0;
}

static const char *signame(int sig)
{
	static char buf[16];

	switch (sig) {
	case SIGTERM:
		return "TERM";
	case SIGINT:
		return "INT";
	case SIGHUP:
		return "HUP";
	default:
		snprintf(buf, sizeof buf, "%d", sig);
		return buf;
	}
}

static void on_signal(int sig)
{
	(void)sig; /* never runs: the signals stay blocked until sigwaitinfo */
}

static int do_sigwait(const char *file)
{
	sigset_t set;
	siginfo_t info;
	struct sigaction sa;
	int sig, fd;

	/* Block first, so a signal sent right after "ready" is not lost.  A
	 * handler is installed too: PID 1 of a namespace ignores SIG_DFL. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return fail("sigprocmask");
	for (sig = 1; sig < NSIG; sig++)
		if (sigismember(&set, sig) == 1)
			sigaction(sig, &sa, NULL);

	if (!file || strcmp(file, "-") == 0) {
		printf("ready\n");
		fflush(stdout);
	} else {
		fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			return fail(file);
		if (write(fd, "ready\n", 6) != 6)
			return fail(file);
		close(fd);
	}
	do
		sig = sigwaitinfo(&set, &info);
	while (sig < 0 && errno == EINTR);
	if (sig < 0)
		return fail("sigwaitinfo");
	printf("%s\n", signame(sig));
	return 0;
}

static int do_zombie(void)
{
	int pipefd[2], status;
	pid_t child, gc = -1;
	siginfo_t info;

	if (pipe(pipefd) < 0)
		return fail("pipe");
	child = fork();
	if (child < 0)
		return fail("fork");
	if (child == 0) {
		close(pipefd[0]);
		gc = fork();
		if (gc < 0)
			_exit(1);
		if (gc == 0)
			_exit(0);
		/* wait until the grandchild has exited, without reaping it, so it
		 * is already a zombie when it is handed over to PID 1 */
		memset(&info, 0, sizeof info);
		if (waitid(P_PID, (id_t)gc, &info, WEXITED | WNOWAIT) < 0)
			_exit(1);
		if (write(pipefd[1], &gc, sizeof gc) != (ssize_t)sizeof gc)
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &gc, sizeof gc) != (ssize_t)sizeof gc)
		gc = -1;
	close(pipefd[0]);
	if (waitpid(child, &status, 0) < 0)
		return fail("waitpid");
	if (gc < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "testinit: zombie: the helper child failed\n");
		return 1;
	}
	printf("%d\n", (int)gc);
	return 0;
}

/* Print the /proc/self/status lines whose key is in keys (NULL-terminated),
 * as KEY=VALUE, or only VALUE when bare is set. */
static int print_status(const char *const *keys, int bare)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	int found = 0;

	if (!f)
		return fail("/proc/self/status");
	while (fgets(line, sizeof line, f)) {
		char *colon = strchr(line, ':'), *v;
		if (!colon)
			continue;
		*colon = '\0';
		v = colon + 1 + strspn(colon + 1, " \t");
		v[strcspn(v, "\n")] = '\0';
		for (const char *const *k = keys; *k; k++) {
			if (strcmp(line, *k) == 0) {
				if (bare)
					printf("%s\n", v);
				else
					printf("%s=%s\n", line, v);
				found++;
			}
		}
	}
	fclose(f);
	if (!found) {
		fprintf(stderr, "testinit: no such field in /proc/self/status\n");
		return 1;
	}
	return 0;
}

/* one call by name; returns 0 or the errno */
static int try_syscall(const char *name)
{
	long r = -1;

	errno = 0;
	if (strcmp(name, "vmsplice") == 0) {
		int p[2];
		char c = 'x';
		struct iovec iov = { &c, 1 };

		if (pipe(p) < 0)
			return errno;
		r = syscall(SYS_vmsplice, p[1], &iov, 1UL, 0U);
		close(p[0]);
		close(p[1]);
	} else if (strcmp(name, "personality") == 0) {
		r = syscall(SYS_personality, 0x0400000UL); /* READ_IMPLIES_EXEC */
		if (r >= 0)
			syscall(SYS_personality, (unsigned long)r);
	} else if (strcmp(name, "io_uring_setup") == 0) {
		char params[120] = { 0 }; /* struct io_uring_params */

		r = syscall(SYS_io_uring_setup, 1U, params);
		if (r >= 0)
			close((int)r);
	} else if (strcmp(name, "userfaultfd") == 0) {
		r = syscall(SYS_userfaultfd, 1 /* UFFD_USER_MODE_ONLY */);
		if (r >= 0)
			close((int)r);
	} else if (strcmp(name, "getpid") == 0) {
		r = syscall(SYS_getpid);
	} else {
		return -1;
	}
	return r < 0 ? errno : 0;
}

static int do_msgq(const char *how, const char *key)
{
	int k, id;

	if (parse_int(key, &k) < 0)
		return usage();
	if (strcmp(how, "make") == 0) {
		id = msgget((key_t)k, IPC_CREAT | 0600);
		if (id < 0)
			return fail("msgget");
		printf("%d\n", id);
		return 0;
	}
	id = msgget((key_t)k, 0);
	if (id < 0 && errno != ENOENT)
		return fail("msgget");
	printf("%s\n", id < 0 ? "missing" : "found");
	return 0;
}

static int do_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	if (!d)
		return fail("/proc/self/fd");
	while ((de = readdir(d))) {
		int fd;
		if (parse_int(de->d_name, &fd) < 0 || fd <= 2 || fd == dirfd(d))
			continue;
		printf("%d\n", fd);
	}
	closedir(d);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const cap_keys[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", NULL };
	static const char *const nnp_keys[] = { "NoNewPrivs", NULL };
	const char *cmd;
	int n = 0;

	if (argc < 2)
		return usage();
	cmd = argv[1];
	if (strcmp(cmd, "pid") == 0) {
		printf("%d\n", (int)getpid());
	} else if (strcmp(cmd, "ppid") == 0) {
		printf("%d\n", (int)getppid());
	} else if (strcmp(cmd, "exit") == 0) {
		if (argc < 3 || parse_int(argv[2], &n) < 0)
			return usage();
		return n & 255;
	} else if (strcmp(cmd, "sigwait") == 0) {
		return do_sigwait(argc > 2 ? argv[2] : NULL);
	} else if (strcmp(cmd, "zombie") == 0) {
		return do_zombie();
	} else if (strcmp(cmd, "caps") == 0) {
		return print_status(cap_keys, 0);
	} else if (strcmp(cmd, "msgq") == 0) {
		if (argc < 4)
			return usage();
		return do_msgq(argv[2], argv[3]);
	} else if (strcmp(cmd, "fds") == 0) {
		return do_fds();
	} else if (strcmp(cmd, "nnp") == 0) {
		return print_status(nnp_keys, 1);
	} else if (strcmp(cmd, "ttysize") == 0) {
		struct winsize ws;
		if (ioctl(0, TIOCGWINSZ, &ws) < 0)
			return fail("TIOCGWINSZ on stdin");
		printf("%u %u\n", (unsigned)ws.ws_row, (unsigned)ws.ws_col);
	} else if (strcmp(cmd, "tiocsti") == 0) {
		if (argc < 3)
			return usage();
		return do_tiocsti(argv[2]);
	} else if (strcmp(cmd, "isatty") == 0) {
		if (argc > 2 && parse_int(argv[2], &n) < 0)
			return usage();
		printf("%s\n", isatty(n) ? "yes" : "no");
	} else if (strcmp(cmd, "syscall") == 0) {
		int bad = 0;

		for (int i = 2; i < argc; i++) {
			int en = try_syscall(argv[i]);

			if (en < 0)
				return usage();
			printf("%s %s\n", argv[i], en ? strerrorname_np(en) : "ok");
			bad |= en != 0;
		}
		if (fflush(stdout) != 0)
			return fail("stdout");
		return bad;
	} else {
		return usage();
	}
	return fflush(stdout) == 0 ? 0 : fail("stdout");
}
