/* ctrstream.c - what a container says and when it ends: GET logs (follow,
 * stdout, stderr, since, until, timestamps, tail), POST attach (hijacked:
 * the output from the start on, read from the container's log) and POST
 * wait (condition not-running, next-exit, removed).  Output is docker's
 * multiplexed stream unless the container has a terminal. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "api_int.h"
#include "lib/base/syscalls.h"
#include "lib/base/util.h"
#include "lib/record/events.h"
#include "lib/runtime/logfile.h"

#define TICK_MS 100 /* nothing signals new log lines: they are read in ticks */

/* An inotify descriptor that becomes readable when container record
 * ctrdir changes: a file linked or renamed into it (its state or its
 * config written: write_file_atomic_at) or removed, the directory itself
 * removed or moved away.  So a start, an
 * end or a removal is seen when it happens, not at the next tick; the
 * ticks stay as the fallback (-1 when inotify fails). */
static int record_watch(const char *ctrdir)
{
	int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

	if (fd >= 0 &&
	    inotify_add_watch(fd, ctrdir,
			      IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* the events so far, read and dropped: did the state or the config
 * change, or the record go?  (other files come and go as it starts) */
static bool record_watch_changed(int fd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool changed = false;
	ssize_t n;

	while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0) {
		for (ssize_t off = 0; off + (ssize_t)sizeof(struct inotify_event) <= n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(buf + off);
			if ((ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_Q_OVERFLOW)) ||
			    (ev->len > 0 &&
			     (strcmp(ev->name, "state.json") == 0 || strcmp(ev->name, "config.json") == 0)))
				changed = true;
			off += (ssize_t)(sizeof(struct inotify_event) + ev->len);
		}
	}
	return changed;
}

/* poll p[0..n) for up to TICK_MS, waiting on while what woke it is only
 * the watch (p[w]) with nothing of interest */
static int poll_record(struct pollfd *p, nfds_t n, nfds_t w)
{
	for (;;) {
		int r = poll(p, n, TICK_MS);
		bool other = false;
		if (r <= 0 || !p[w].revents)
			return r;
		for (nfds_t i = 0; i < n; i++)
			other |= i != w && p[i].revents;
		if (record_watch_changed(p[w].fd) || other)
			return r;
	}
}

struct follow {
	const struct api_backend *b;
	char id[65];
	char *ctrdir;
	bool follow, out, err, ts, tty, attach, sock;
	long long tail;             /* -1: all */
	int64_t since_ns, until_ns; /* 0: none */
	int cur;                    /* the log file being read, -1 none */
	ino_t cur_ino;
	char *rundir; /* attach with stdin to a terminal: its supervisor's socket */
	bool use_socket, want_stdin;
	char *typed; /* stdin sent before the container ran (at most 64 KiB) */
	size_t ntyped;
	int in_fd; /* connected to <rundir>/attach once it runs, -1 */
	/* stdin without a terminal: the supervisor hands the init's stdin
	 * (pipe) over its attach socket; closing both is the stdin's EOF */
	bool in_pipe, pipe_got, in_eof;
	int pipe_fd, pipe_sk;
	char *pend;
	size_t plen;
	struct logline partial;
};

static void follow_free(void *p)
{
	struct follow *f = p;

	if (f->cur >= 0)
		close(f->cur);
	if (f->in_fd >= 0)
		close(f->in_fd);
	if (f->pipe_fd >= 0)
		close(f->pipe_fd);
	if (f->pipe_sk >= 0)
		close(f->pipe_sk);
	free(f->rundir);
	free(f->typed);
	free(f->ctrdir);
	free(f->pend);
	free(f->partial.text);
	free(f);
}

static bool emit(struct follow *f, int fd, const struct logline *l)
{
	int64_t ns = (int64_t)l->ts.tv_sec * 1000000000LL + l->ts.tv_nsec;
	char pre[48] = "";
	_cleanup_free_ char *buf = NULL;
	size_t n, pl;

	if ((l->stream == LOG_STDERR && !f->err) || (l->stream != LOG_STDERR && !f->out))
		return true;
	if ((f->since_ns && ns < f->since_ns) || (f->until_ns && ns > f->until_ns))
		return true;
	if (f->ts) {
		struct tm tm;
		char d[32];
		gmtime_r(&l->ts.tv_sec, &tm);
		strftime(d, sizeof d, "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(pre, sizeof pre, "%s.%09ldZ ", d, l->ts.tv_nsec);
	}
	pl = strlen(pre);
	n = pl + l->len;
	buf = xmalloc(n + 1);
	memcpy(buf, pre, pl + 1);
	memcpy(buf + pl, l->text, l->len);
	buf[n] = '\0';
	if (f->tty)
		return api_write_all(fd, buf, n);
	return api_write_frame(fd, l->stream == LOG_STDERR ? 2 : 1, buf, n);
}

/* read what fd has to its end, appending the lines */
static void slurp(struct follow *f, int fd, struct logline **v, size_t *nv)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
		size_t used;
		if (n <= 0)
			continue;
		f->pend = xrealloc(f->pend, f->plen + (size_t)n + 1);
		memcpy(f->pend + f->plen, buf, (size_t)n);
		f->plen += (size_t)n;
		used = logfile_parse(f->pend, f->plen, v, nv, &f->partial);
		memmove(f->pend, f->pend + used, f->plen - used);
		f->plen -= used;
	}
}

static bool emit_all(struct follow *f, int fd, struct logline *v, size_t nv, size_t from)
{
	bool ok = true;

	for (size_t i = from; i < nv && ok; i++)
		ok = emit(f, fd, &v[i]);
	logline_free(v, nv);
	return ok;
}

static void open_current(struct follow *f, bool create)
{
	_cleanup_free_ char *path = xasprintf("%s/log", f->ctrdir);
	struct stat st;

	f->cur = open(path, O_RDONLY | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
	if (f->cur >= 0 && fstat(f->cur, &st) == 0)
		f->cur_ino = st.st_ino;
}

/* log.N .. log.1, then the current file: what is there now */
static bool dump_existing(struct follow *f, int fd)
{
	struct logline *v = NULL;
	size_t nv = 0;
	int last = 0;

	for (int i = 1; i < 1000; i++) {
		_cleanup_free_ char *p = xasprintf("%s/log.%d", f->ctrdir, i);
		if (access(p, F_OK) < 0)
			break;
		last = i;
	}
	for (int i = last; i >= 1; i--) {
		_cleanup_free_ char *p = xasprintf("%s/log.%d", f->ctrdir, i);
		int lfd = open(p, O_RDONLY | O_CLOEXEC);
		struct stat st;
		if (lfd < 0)
			continue;
		if (f->cur >= 0 && fstat(lfd, &st) == 0 && st.st_ino == f->cur_ino) {
			close(lfd);
			continue;
		}
		slurp(f, lfd, &v, &nv);
		close(lfd);
	}
	if (f->cur >= 0)
		slurp(f, f->cur, &v, &nv);
	return emit_all(f, fd, v, nv, f->tail >= 0 && (size_t)f->tail < nv ? nv - (size_t)f->tail : 0);
}

/* the supervisor's attach socket of a container with a terminal: what is
 * written there is typed into the terminal, and the terminal's output comes
 * from it as it is made (the log has only whole lines: no prompt) */
static int connect_attach(const char *rundir)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int dfd = open(rundir, O_PATH | O_DIRECTORY | O_CLOEXEC), fd;

	if (dfd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/attach", dfd);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		fd = -1;
	}
	close(dfd);
	return fd;
}

static void pipe_close(struct follow *f)
{
	if (f->pipe_fd >= 0)
		close(f->pipe_fd);
	if (f->pipe_sk >= 0)
		close(f->pipe_sk);
	f->pipe_fd = f->pipe_sk = -1;
}

/* stdin for the container's pipe: kept (up to 64 KiB) until there is one */
static void pipe_write(struct follow *f, const char *buf, size_t n)
{
	if (!f->pipe_got && f->ntyped + n <= 65536) {
		f->typed = xrealloc(f->typed, f->ntyped + n);
		memcpy(f->typed + f->ntyped, buf, n);
		f->ntyped += n;
	} else if (f->pipe_fd >= 0 && !api_write_all(f->pipe_fd, buf, n)) {
		pipe_close(f); /* nobody reads it any more */
	}
}

/* the init's stdin from the supervisor (a byte, with the pipe unless it
 * was closed already), then what the client typed so far */
static void pipe_open(struct follow *f)
{
	char b;
	struct pollfd p;
	int sk = connect_attach(f->rundir);

	if (sk < 0)
		return; /* not yet: the next tick */
	p = (struct pollfd){ .fd = sk, .events = POLLIN };
	if (poll(&p, 1, 5000) <= 0 || fd_recvmsg(sk, &b, 1, &f->pipe_fd) != 1) {
		if (f->pipe_fd >= 0)
			closep(&f->pipe_fd);
		close(sk);
		f->in_pipe = false; /* it has no stdin to give */
		return;
	}
	f->pipe_got = true;
	f->pipe_sk = sk;
	if (f->ntyped > 0 && f->pipe_fd >= 0 && !api_write_all(f->pipe_fd, f->typed, f->ntyped))
		pipe_close(f);
	f->ntyped = 0;
	if (f->in_eof || f->pipe_fd < 0)
		pipe_close(f);
}

/* has the client gone?  (a pipe's reader closed, a socket hung up); stdin
 * a client sends on a hijacked socket is read and dropped */
static bool client_gone(struct follow *f, int fd, short rev)
{
	if (rev & (POLLERR | POLLHUP | POLLNVAL))
		return true;
	if (f->sock && (rev & POLLIN)) {
		char buf[4096];
		/* stdin for a pipe not there yet: what fits in the buffer */
		size_t want = f->in_pipe && !f->pipe_got ? 65536 - f->ntyped : sizeof buf;
		ssize_t n = recv(fd, buf, want < sizeof buf ? want : sizeof buf, MSG_DONTWAIT);
		if (n == 0) {
			f->sock = false; /* half-closed: it still reads */
			f->in_eof = true;
			pipe_close(f);
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			return true;
		} else if (n > 0 && f->in_pipe) {
			pipe_write(f, buf, (size_t)n);
		} else if (n > 0 && f->in_fd < 0 && f->want_stdin && f->ntyped + (size_t)n <= 65536) {
			f->typed = xrealloc(f->typed, f->ntyped + (size_t)n);
			memcpy(f->typed + f->ntyped, buf, (size_t)n);
			f->ntyped += (size_t)n;
		} else if (n > 0 && f->in_fd >= 0 && f->want_stdin &&
			   !api_write_all(f->in_fd, buf, (size_t)n)) {
			close(f->in_fd);
			f->in_fd = -1;
		}
	}
	return false;
}

/* the supervisor's pidfd once the container started; -1 when it has
 * already ended (or is gone), -2 when it has not started yet */
static int supervisor_fd(struct follow *f)
{
	struct api_ctr c;
	struct err e = ERR_INIT;
	int pfd;

	if (api_ctr_load_id(f->b, f->id, &c, &e) < 0) {
		err_clear(&e);
		return -1;
	}
	if (c.st.status == ST_CREATED && !proc_alive(c.st.supervisor, c.st.supervisor_start)) {
		api_ctr_free(&c);
		return -2;
	}
	pfd = c.st.supervisor > 0 ? sys_pidfd_open(c.st.supervisor, 0) : -1;
	if (pfd >= 0 && !proc_alive(c.st.supervisor, c.st.supervisor_start)) {
		close(pfd);
		pfd = -1;
	}
	api_ctr_free(&c);
	return pfd;
}

/* An attach (output from the log file) ends when its record is gone: a
 * --rm container's supervisor removes the record once the log is closed,
 * and what it does after (the overlay's unmount, its own exit, which
 * tears down its mount namespace) can take tens of milliseconds that the
 * client would wait for the stream's end.  BURROW_API_RECORD_EOF=0: the
 * stream ends with the supervisor only. */
static bool record_eof(void)
{
	const char *v = getenv("BURROW_API_RECORD_EOF");

	return !(v && strcmp(v, "0") == 0);
}

/* is the record gone (removed, or moved away for removal)? */
static bool record_gone(const struct follow *f)
{
	_cleanup_free_ char *cfg = xasprintf("%s/config.json", f->ctrdir);

	return access(cfg, F_OK) < 0 && errno == ENOENT;
}

static void follow_run(struct follow *f, int fd)
{
	int pidfd = -1, wfd = -1;
	bool ok = true, ended = false, eof_on_gone = f->attach && record_eof();

	if (!f->attach)
		ok = dump_existing(f, fd);
	if (!f->follow)
		goto out;
	/* before the first look, so a start right after it is not missed */
	wfd = record_watch(f->ctrdir);
	while (ok && !ended && !api_stream_done()) {
		/* a full buffer waits for the pipe */
		bool full = f->in_pipe && !f->pipe_got && f->ntyped >= 65536;
		struct pollfd p[4] = { { .fd = fd, .events = f->sock && !full ? POLLIN : 0 },
				       { .fd = pidfd, .events = POLLIN },
				       { .fd = f->in_fd, .events = POLLIN },
				       { .fd = -1, .events = POLLIN } };
		struct logline *v = NULL;
		size_t nv = 0;
		struct stat st;
		_cleanup_free_ char *path = xasprintf("%s/log", f->ctrdir);

		if (pidfd < 0) {
			pidfd = supervisor_fd(f);
			if (pidfd == -1)
				ended = true; /* gone or done: what the log holds is all */
		}
		if (pidfd >= 0 && f->use_socket && f->in_fd < 0) {
			f->in_fd = connect_attach(f->rundir);
			if (f->in_fd >= 0 && f->ntyped > 0) {
				api_write_all(f->in_fd, f->typed, f->ntyped);
				f->ntyped = 0;
			}
			if (f->in_fd >= 0 && f->cur >= 0) {
				/* what was logged until now, then the socket only */
				slurp(f, f->cur, &v, &nv);
				ok = emit_all(f, fd, v, nv, 0);
				v = NULL;
				nv = 0;
				close(f->cur);
				f->cur = -1;
			}
		}
		if (pidfd >= 0 && f->in_pipe && !f->pipe_got)
			pipe_open(f);
		p[1].fd = pidfd;
		p[2].fd = f->in_fd;
		/* until it runs, its record says when it starts (or goes);
		 * then, for an attach, when it goes */
		p[3].fd = pidfd < 0 || (eof_on_gone && f->in_fd < 0) ? wfd : -1;
		if (!ended && poll_record(p, 4, 3) > 0) {
			if (client_gone(f, fd, p[0].revents))
				break;
			if (pidfd >= 0 && p[1].revents)
				ended = true;
			if (pidfd >= 0 && p[3].fd >= 0 && p[3].revents && record_gone(f))
				ended = true;
			if (f->in_fd >= 0 && p[2].revents) {
				char buf[16384];
				ssize_t k = read(f->in_fd, buf, sizeof buf);
				if (k <= 0) {
					close(f->in_fd);
					f->in_fd = -1;
				} else if (f->out && !api_write_all(fd, buf, (size_t)k)) {
					ok = false;
				}
			}
		}
		if (f->in_fd >= 0) {
			if (ended) {
				/* the rest the terminal said before it closed */
				char buf[16384];
				ssize_t k;
				while ((k = recv(f->in_fd, buf, sizeof buf, MSG_DONTWAIT)) > 0)
					if (f->out)
						api_write_all(fd, buf, (size_t)k);
			}
			continue;
		}
		if (f->cur >= 0)
			slurp(f, f->cur, &v, &nv);
		if (stat(path, &st) == 0 && (f->cur < 0 || st.st_ino != f->cur_ino)) {
			/* rotated: the old file is complete, go on with the new one */
			if (f->cur >= 0)
				close(f->cur);
			open_current(f, false);
			if (f->cur >= 0)
				slurp(f, f->cur, &v, &nv);
		}
		ok = emit_all(f, fd, v, nv, 0);
	}
	if (ok && f->partial.text) {
		emit(f, fd, &f->partial);
	}
out:
	if (pidfd >= 0)
		close(pidfd);
	if (wfd >= 0)
		close(wfd);
}

static void logs_stream(void *arg, int fd)
{
	follow_run(arg, fd);
}

static int64_t query_time_ns(struct api_req *r, const char *key, bool *bad)
{
	const char *v = api_query(r, key);
	char *end;
	double d;

	if (!v || !*v)
		return 0;
	d = strtod(v, &end);
	if (*end || d < 0 || d > 1e11) {
		*bad = true;
		return 0;
	}
	return (int64_t)(d * 1e9);
}

static struct follow *follow_new(struct api_req *r, const struct api_ctr *c)
{
	struct follow *f = calloc(1, sizeof *f);

	if (!f)
		return NULL;
	f->b = r->b;
	memcpy(f->id, c->id, sizeof f->id);
	f->ctrdir = xstrdup(c->spec.ctrdir);
	f->rundir = xstrdup(c->spec.rundir);
	f->tty = c->spec.tty;
	f->cur = -1;
	f->in_fd = f->pipe_fd = f->pipe_sk = -1;
	f->tail = -1;
	return f;
}

enum MHD_Result api_ctr_logs(struct api_req *r)
{
	struct api_ctr c;
	struct err e = ERR_INIT;
	struct follow *f;
	enum MHD_Result res;
	const char *tail = api_query(r, "tail");
	bool bad = false;
	int64_t since = query_time_ns(r, "since", &bad), until = query_time_ns(r, "until", &bad);

	if (bad)
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid since or until (Unix seconds)");
	if (!api_query_bool(r, "stdout", false) && !api_query_bool(r, "stderr", false))
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST,
				       "Bad parameters: you must choose at least one stream");
	if (api_ctr_load(r, r->arg, &c, &e) < 0) {
		res = api_reply_err(r, &e);
		err_clear(&e);
		return res;
	}
	f = follow_new(r, &c);
	api_ctr_free(&c);
	if (!f)
		return MHD_NO;
	f->follow = api_query_bool(r, "follow", false);
	f->out = api_query_bool(r, "stdout", false);
	f->err = api_query_bool(r, "stderr", false);
	f->ts = api_query_bool(r, "timestamps", false);
	f->since_ns = since;
	f->until_ns = until;
	if (tail && *tail && strcmp(tail, "all") != 0) {
		char *end;
		/* a negative tail is all of it, as docker's (dockerode sends -1) */
		f->tail = strtoll(tail, &end, 10);
		if (f->tail < 0)
			f->tail = -1;
		if (*end || end == tail) {
			follow_free(f);
			return api_reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid tail: %s", tail);
		}
	}
	open_current(f, false);
	return api_reply_stream(r, MHD_HTTP_OK,
				f->tty ? "application/vnd.docker.raw-stream"
				       : "application/vnd.docker.multiplexed-stream",
				logs_stream, f, follow_free);
}

/* attach: the output from now on (from the start for a container not
 * started yet), until the container ends.  The log file is made and held
 * open here, so a container that ends and is removed (--rm) before we look
 * again has left all its output in it.  stdin reaches a container with a
 * terminal (through its supervisor's attach socket), once it runs. */
static void attach_run(void *arg, int sock)
{
	struct follow *f = arg;

	f->sock = true;
	follow_run(f, sock);
}

enum MHD_Result api_ctr_attach(struct api_req *r)
{
	struct api_ctr c;
	struct err e = ERR_INIT;
	struct follow *f;
	enum MHD_Result res;

	if (api_ctr_load(r, r->arg, &c, &e) < 0) {
		res = api_reply_err(r, &e);
		err_clear(&e);
		return res;
	}
	f = follow_new(r, &c);
	if (f)
		f->in_pipe = !f->tty && c.spec.interactive && api_query_bool(r, "stdin", false);
	api_ctr_free(&c);
	if (!f)
		return MHD_NO;
	f->attach = true;
	f->use_socket = f->tty;
	f->want_stdin = f->tty && api_query_bool(r, "stdin", false);
	f->follow = api_query_bool(r, "stream", false);
	f->out = api_query_bool(r, "stdout", false);
	f->err = api_query_bool(r, "stderr", false);
	open_current(f, true);
	if (api_query_bool(r, "logs", false)) {
		f->attach = false; /* the log so far, then on */
	} else if (f->cur >= 0) {
		lseek(f->cur, 0, SEEK_END);
	}
	return api_reply_hijack(r,
				f->tty ? "application/vnd.docker.raw-stream"
				       : "application/vnd.docker.multiplexed-stream",
				attach_run, f, follow_free);
}

/* ---- wait ---- */

enum wait_cond { W_NOT_RUNNING, W_NEXT_EXIT, W_REMOVED };

struct waiter {
	const struct api_backend *b;
	char id[65];
	enum wait_cond cond;
	int64_t since_ns;
	int last_code;
	bool seen_running;
	char finished_at[48]; /* when it last ended, as the wait began */
	char *ctrdir;
};

static void waiter_free(void *p)
{
	struct waiter *w = p;

	free(w->ctrdir);
	free(w);
}

struct died {
	const char *id;
	int code;
	bool found;
};

static bool died_fn(json_object *ev, int64_t t, void *arg)
{
	struct died *d = arg;
	json_object *id, *st, *code;

	(void)t;
	if (json_object_object_get_ex(ev, "ID", &id) && strcmp(json_object_get_string(id), d->id) == 0 &&
	    json_object_object_get_ex(ev, "Status", &st) && strcmp(json_object_get_string(st), "died") == 0 &&
	    json_object_object_get_ex(ev, "ContainerExitCode", &code)) {
		d->code = json_object_get_int(code);
		d->found = true;
	}
	return true;
}

/* the exit code of a container that is gone: its last "died" event */
static int gone_code(struct waiter *w)
{
	struct died d = { w->id, w->last_code, false };
	struct err e = ERR_INIT;

	if (events_read_having(w->b->runroot, w->id, w->since_ns, died_fn, &d, &e) < 0)
		err_clear(&e);
	return d.code;
}

static void wait_stream(void *arg, int fd)
{
	struct waiter *w = arg;
	int code = -1;
	bool answer = true;
	/* before the first look: a change after it wakes the poll below */
	int wfd = record_watch(w->ctrdir);

	for (;;) {
		struct api_ctr c;
		struct err e = ERR_INIT;
		struct pollfd p[3] = { { .fd = fd, .events = 0 },
				       { .fd = -1, .events = POLLIN },
				       { .fd = wfd, .events = POLLIN } };
		bool alive;

		if (api_stream_done()) {
			answer = false;
			break;
		}
		if (api_ctr_load_id(w->b, w->id, &c, &e) < 0) {
			err_clear(&e);
			code = gone_code(w);
			break;
		}
		alive = api_ctr_running(&c) || proc_alive(c.st.supervisor, c.st.supervisor_start);
		w->last_code = c.st.exit_code;
		if (alive)
			w->seen_running = true;
		if (!alive && w->cond == W_NOT_RUNNING && c.st.status != ST_CREATED) {
			code = c.st.exit_code;
			api_ctr_free(&c);
			break;
		}
		/* a run that began and ended between two looks shows in its
		 * finish time */
		if (!alive && w->cond == W_NEXT_EXIT && c.st.status != ST_CREATED &&
		    (w->seen_running || strcmp(c.st.finished_at, w->finished_at) != 0)) {
			code = c.st.exit_code;
			api_ctr_free(&c);
			break;
		}
		if (alive && c.st.supervisor > 0)
			p[1].fd = sys_pidfd_open(c.st.supervisor, 0);
		api_ctr_free(&c);
		if (poll_record(p, 3, 2) > 0 && (p[0].revents & (POLLERR | POLLHUP))) {
			if (p[1].fd >= 0)
				close(p[1].fd);
			answer = false; /* the client went away */
			break;
		}
		if (p[1].fd >= 0)
			close(p[1].fd);
	}
	if (wfd >= 0)
		close(wfd);
	if (answer) {
		_cleanup_free_ char *body = xasprintf("{\"StatusCode\":%d,\"Error\":null}\n",
						      code < 0 ? 0 : code);
		api_write_all(fd, body, strlen(body));
	}
}

enum MHD_Result api_ctr_wait(struct api_req *r)
{
	const char *cond = api_query(r, "condition");
	struct api_ctr c;
	struct err e = ERR_INIT;
	struct waiter *w;
	enum MHD_Result res;
	struct timespec now;

	if (api_ctr_load(r, r->arg, &c, &e) < 0) {
		res = api_reply_err(r, &e);
		err_clear(&e);
		return res;
	}
	w = calloc(1, sizeof *w);
	if (!w) {
		api_ctr_free(&c);
		return MHD_NO;
	}
	w->b = r->b;
	memcpy(w->id, c.id, sizeof w->id);
	clock_gettime(CLOCK_REALTIME, &now);
	w->since_ns = (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec - 1000000000LL;
	memcpy(w->finished_at, c.st.finished_at, sizeof w->finished_at);
	w->ctrdir = xstrdup(c.spec.ctrdir);
	api_ctr_free(&c);
	if (!cond || !*cond || strcmp(cond, "not-running") == 0) {
		w->cond = W_NOT_RUNNING;
	} else if (strcmp(cond, "next-exit") == 0) {
		w->cond = W_NEXT_EXIT;
	} else if (strcmp(cond, "removed") == 0) {
		w->cond = W_REMOVED;
	} else {
		waiter_free(w);
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid condition: %s", cond);
	}
	return api_reply_stream(r, MHD_HTTP_OK, "application/json", wait_stream, w, waiter_free);
}
