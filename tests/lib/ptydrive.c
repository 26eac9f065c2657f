/* ptydrive - run a command on a new pseudo-terminal and drive it from a
 * script, for the -it tests.  No sleeps: every step waits for output.
 *
 *   ptydrive [-r ROWS] [-c COLS] [-T SECONDS] -- CMD [ARG...]  < script
 *   (-T: how long each step may wait, default 60 s)
 *
 * Script lines:
 *   expect TEXT     wait until TEXT appears in the output (after the last match)
 *   send TEXT       write TEXT (C escapes \n \r \t \003 \\ are understood)
 *   resize R C      set the window size (the child gets SIGWINCH)
 *   eof             close the input side (sends ^D)
 * At the end it waits for the child and exits with its status; all output
 * is copied to stdout.  A timeout exits 124 and prints what was seen.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char seen[1 << 20];
static size_t nseen, mark;
/* each expect, and the wait at the end: generous for a loaded machine */
static int timeout_s = 60;

static void unescape(char *s)
{
	char *o = s;
	while (*s) {
		if (*s == '\\' && s[1]) {
			s++;
			if (*s == 'n')
				*o++ = '\n';
			else if (*s == 'r')
				*o++ = '\r';
			else if (*s == 't')
				*o++ = '\t';
			else if (*s >= '0' && *s <= '7') {
				int v = 0, k = 0;
				while (k < 3 && *s >= '0' && *s <= '7')
					v = v * 8 + (*s++ - '0'), k++;
				*o++ = (char)v;
				continue;
			} else
				*o++ = *s;
			s++;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

static int pump(int m, int wait_ms)
{
	struct pollfd p = { .fd = m, .events = POLLIN };
	char buf[4096];
	ssize_t n;

	if (poll(&p, 1, wait_ms) <= 0)
		return 0;
	n = read(m, buf, sizeof buf);
	if (n <= 0)
		return -1;
	fwrite(buf, 1, (size_t)n, stdout);
	fflush(stdout);
	if (nseen + (size_t)n < sizeof seen - 1) {
		memcpy(seen + nseen, buf, (size_t)n);
		nseen += (size_t)n;
		seen[nseen] = '\0';
	}
	return 1;
}

static int expect(int m, const char *text)
{
	time_t end = time(NULL) + timeout_s;
	for (;;) {
		char *hit = memmem(seen + mark, nseen - mark, text, strlen(text));
		if (hit) {
			mark = (size_t)(hit - seen) + strlen(text);
			return 0;
		}
		if (time(NULL) > end || pump(m, 200) < 0)
			return -1;
	}
}

int main(int argc, char **argv)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	char line[4096];
	int opt, m, st;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+r:c:T:")) != -1) {
		if (opt == 'r')
			ws.ws_row = (unsigned short)atoi(optarg);
		else if (opt == 'c')
			ws.ws_col = (unsigned short)atoi(optarg);
		else if (opt == 'T')
			timeout_s = atoi(optarg);
		else
			return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: ptydrive [-r R] [-c C] [-T S] -- CMD...\n");
		return 2;
	}
	pid = forkpty(&m, NULL, NULL, &ws);
	if (pid < 0) {
		perror("forkpty");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[optind], argv + optind);
		perror("exec");
		_exit(127);
	}
	while (fgets(line, sizeof line, stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "expect ", 7) == 0) {
			unescape(line + 7);
			if (expect(m, line + 7) < 0) {
				fprintf(stderr, "\nptydrive: timed out waiting for \"%s\"\n", line + 7);
				kill(pid, SIGKILL);
				return 124;
			}
		} else if (strncmp(line, "send ", 5) == 0) {
			unescape(line + 5);
			if (write(m, line + 5, strlen(line + 5)) < 0)
				perror("write");
		} else if (strncmp(line, "resize ", 7) == 0) {
			sscanf(line + 7, "%hu %hu", &ws.ws_row, &ws.ws_col);
			ioctl(m, TIOCSWINSZ, &ws);
		} else if (strcmp(line, "eof") == 0) {
			if (write(m, "\004", 1) < 0)
				perror("write");
		}
	}
	{
		time_t end = time(NULL) + timeout_s;
		int r;
		while ((r = pump(m, 100)) >= 0 && time(NULL) <= end)
			if (waitpid(pid, &st, WNOHANG) == pid)
				goto exited;
		if (r < 0) {
			/* EOF on the master: every holder of the slave is gone */
			alarm((unsigned)timeout_s);
			if (waitpid(pid, &st, 0) == pid)
				goto exited;
		}
	}
	if (0) {
exited:
		while (pump(m, 0) > 0)
			;
		return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	fprintf(stderr, "\nptydrive: the command did not exit\n");
	kill(pid, SIGKILL);
	return 124;
}
