/* logs.c - burrow logs: print (and follow) a container's k8s-file log. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "lib/runtime/logfile.h"
#include "lib/base/syscalls.h"
#include "lib/base/util.h"
#include "cli/when.h"

enum { O_FOLLOW = 1, O_TAIL, O_SINCE, O_TS, O_HELP };
static const struct opt logs_opts[] = {
	{ "follow", 'f', OPT_FLAG, O_FOLLOW, NULL, "Keep printing new output until the container exits" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "since", 0, OPT_VALUE, O_SINCE, "TIME",
	  "Only output since TIME (RFC 3339, Unix seconds, or a duration like 10m)" },
	{ "tail", 'n', OPT_VALUE, O_TAIL, "N", "Only the last N lines (-1: all)" },
	{ "timestamps", 't', OPT_FLAG, O_TS, NULL, "Prefix each line with its timestamp" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

struct logs_ctx {
	bool ts;
	struct timespec since;
	bool has_since;
};

static void print_line(const struct logs_ctx *x, const struct logline *l)
{
	FILE *f = l->stream == LOG_STDERR ? stderr : stdout;

	if (x->has_since && (l->ts.tv_sec < x->since.tv_sec ||
			     (l->ts.tv_sec == x->since.tv_sec && l->ts.tv_nsec < x->since.tv_nsec)))
		return;
	if (x->ts) {
		struct tm tm;
		char d[32];
		gmtime_r(&l->ts.tv_sec, &tm);
		strftime(d, sizeof d, "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(f, "%s.%09ldZ ", d, l->ts.tv_nsec);
	}
	fwrite(l->text, 1, l->len, f);
	fflush(f);
}

static int parse_since(const char *v, struct timespec *ts, struct err *e)
{
	int64_t ns;

	if (cli_parse_time(v, &ns) < 0)
		return err_make(e, 0,
				"invalid --since \"%s\" (RFC 3339 time, Unix seconds or a duration like 10m)",
				v);
	ts->tv_sec = (time_t)(ns / 1000000000LL);
	ts->tv_nsec = (long)(ns % 1000000000LL);
	return 0;
}

/* read fd to EOF, appending parsed lines */
static void slurp(int fd, char **pend, size_t *plen, struct logline **v, size_t *nv, struct logline *partial)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
		size_t used;
		if (n <= 0)
			continue;
		*pend = xrealloc(*pend, *plen + (size_t)n + 1);
		memcpy(*pend + *plen, buf, (size_t)n);
		*plen += (size_t)n;
		used = logfile_parse(*pend, *plen, v, nv, partial);
		memmove(*pend, *pend + used, *plen - used);
		*plen -= used;
	}
}

CMD_DECL(logs)
{
	struct optparser p;
	struct logs_ctx x;
	bool follow = false;
	long long tail = -1;
	int id, rc = 0, cur = -1, last = 0, pidfd = -1;
	struct ctr c;
	struct logline *v = NULL, partial;
	size_t nv = 0, plen = 0;
	char *pend = NULL;
	struct stat curst;

	memset(&x, 0, sizeof x);
	memset(&partial, 0, sizeof partial);
	opt_init(&p, logs_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FOLLOW:
			follow = opt_flag_value(&p);
			break;
		case O_TS:
			x.ts = opt_flag_value(&p);
			break;
		case O_TAIL: {
			char *end;
			tail = strtoll(p.value, &end, 10);
			if (*end || end == p.value || tail < -1) {
				err_make(e, 0, "invalid --tail \"%s\"", p.value);
				goto usage;
			}
			break;
		}
		case O_SINCE:
			if (parse_since(p.value, &x.since, e) < 0)
				goto usage;
			x.has_since = true;
			break;
		case O_HELP:
			opt_print_help(stdout, "logs", "[OPTIONS] CONTAINER",
				       "Show the output of a container.", logs_opts);
			return 0;
		case -1:
		default:
			goto usage;
		}
	}
	if (argc - p.idx != 1) {
		err_make(e, 0, "\"burrow logs\" requires exactly 1 argument: a container");
		goto usage;
	}
	if (ctr_load(g, argv[p.idx], &c, e) < 0)
		return -1;
	if (follow && c.st.supervisor > 0) {
		pidfd = sys_pidfd_open(c.st.supervisor, 0);
		if (pidfd >= 0 && !proc_alive(c.st.supervisor, c.st.supervisor_start)) {
			close(pidfd);
			pidfd = -1;
		}
	}
	/* open the current file first: what rotates after this is in log.1 */
	{
		_cleanup_free_ char *path = xasprintf("%s/log", c.spec.ctrdir);
		cur = open(path, O_RDONLY | O_CLOEXEC);
		if (cur >= 0)
			fstat(cur, &curst);
	}
	for (int i = 1; i < 1000; i++) {
		_cleanup_free_ char *pth = xasprintf("%s/log.%d", c.spec.ctrdir, i);
		if (access(pth, F_OK) < 0)
			break;
		last = i;
	}
	for (int i = last; i >= 1; i--) {
		_cleanup_free_ char *pth = xasprintf("%s/log.%d", c.spec.ctrdir, i);
		int fd = open(pth, O_RDONLY | O_CLOEXEC);
		struct stat sb;
		if (fd < 0)
			continue;
		/* the file we hold open may have rotated into log.1 meanwhile */
		if (cur >= 0 && fstat(fd, &sb) == 0 && sb.st_ino == curst.st_ino) {
			close(fd);
			continue;
		}
		slurp(fd, &pend, &plen, &v, &nv, &partial);
		close(fd);
	}
	if (cur >= 0)
		slurp(cur, &pend, &plen, &v, &nv, &partial);
	for (size_t i = (tail >= 0 && (size_t)tail < nv) ? nv - (size_t)tail : 0; i < nv; i++)
		print_line(&x, &v[i]);
	logline_free(v, nv);
	v = NULL;
	nv = 0;
	while (pidfd >= 0) {
		_cleanup_free_ char *path = xasprintf("%s/log", c.spec.ctrdir);
		struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
		struct stat now;
		bool done;
		/* nothing signals new log lines: a bounded wait on the supervisor's exit */
		done = poll(&pfd, 1, 100) > 0;
		if (cur >= 0)
			slurp(cur, &pend, &plen, &v, &nv, &partial);
		if (stat(path, &now) == 0 && (cur < 0 || now.st_ino != curst.st_ino)) {
			/* rotated: the old file is complete, go on with the new one */
			if (cur >= 0)
				close(cur);
			cur = open(path, O_RDONLY | O_CLOEXEC);
			if (cur >= 0) {
				fstat(cur, &curst);
				slurp(cur, &pend, &plen, &v, &nv, &partial);
			}
		}
		for (size_t i = 0; i < nv; i++)
			print_line(&x, &v[i]);
		logline_free(v, nv);
		v = NULL;
		nv = 0;
		if (done) {
			close(pidfd);
			pidfd = -1;
		}
	}
	if (partial.text) {
		print_line(&x, &partial);
		free(partial.text);
	}
	if (cur >= 0)
		close(cur);
	free(pend);
	ctr_free(&c);
	return rc;
usage:
	return err_mark_usage(e);
}
