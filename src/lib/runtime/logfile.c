/* logfile.c - see logfile.h */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "logfile.h"
#include "lib/base/util.h"

int logfile_open(struct logfile *l, const char *ctrdir, bool none, uint64_t max_size, int max_file,
		 struct err *e)
{
	_cleanup_free_ char *path = xasprintf("%s/log", ctrdir);
	struct stat st;

	memset(l, 0, sizeof *l);
	l->fd = -1;
	l->dir = xstrdup(ctrdir);
	l->max_size = max_size;
	l->max_file = max_file < 1 ? 1 : max_file;
	if (none)
		return 0;
	l->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (l->fd < 0)
		return err_make(e, errno, "opening %s", path);
	if (fstat(l->fd, &st) == 0)
		l->size = (uint64_t)st.st_size;
	return 0;
}

static void rotate(struct logfile *l)
{
	_cleanup_free_ char *cur = xasprintf("%s/log", l->dir);

	if (l->max_file <= 1) {
		if (ftruncate(l->fd, 0) == 0)
			l->size = 0;
		return;
	}
	for (int i = l->max_file - 1; i >= 1; i--) {
		_cleanup_free_ char *from = i == 1 ? xstrdup(cur) : xasprintf("%s/log.%d", l->dir, i - 1);
		_cleanup_free_ char *to = xasprintf("%s/log.%d", l->dir, i);
		rename(from, to);
	}
	close(l->fd);
	l->fd = open(cur, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC | O_CLOEXEC, 0600);
	l->size = 0;
}

static void put_line(struct logfile *l, int stream, const char *data, size_t n, bool full)
{
	char head[96], ts[48];
	struct timespec now;
	struct tm tm;
	struct iovec iov[3];
	size_t hl;

	if (l->fd < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	hl = (size_t)snprintf(head, sizeof head, "%s.%09ldZ %s %c ", ts, now.tv_nsec,
			      stream == LOG_STDERR ? "stderr" : "stdout", full ? 'F' : 'P');
	if (l->max_size && l->size > 0 && l->size + hl + n + 1 > l->max_size)
		rotate(l);
	if (l->fd < 0)
		return;
	iov[0] = (struct iovec){ head, hl };
	iov[1] = (struct iovec){ (void *)data, n };
	iov[2] = (struct iovec){ (void *)"\n", 1 };
	if (writev(l->fd, iov, 3) > 0)
		l->size += hl + n + 1;
}

void logfile_write(struct logfile *l, int stream, const char *data, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(data, '\n', n);
		size_t take = nl ? (size_t)(nl - data) : n;
		if (l->len[stream] + take > sizeof l->buf[stream]) {
			/* too long for one line: write what we have as a partial */
			put_line(l, stream, l->buf[stream], l->len[stream], false);
			l->len[stream] = 0;
			if (take > sizeof l->buf[stream]) {
				put_line(l, stream, data, take, !!nl);
				data += take + !!nl;
				n -= take + !!nl;
				continue;
			}
		}
		memcpy(l->buf[stream] + l->len[stream], data, take);
		l->len[stream] += take;
		if (!nl)
			return;
		put_line(l, stream, l->buf[stream], l->len[stream], true);
		l->len[stream] = 0;
		data += take + 1;
		n -= take + 1;
	}
}

void logfile_flush(struct logfile *l)
{
	for (int s = 0; s < 2; s++) {
		if (l->len[s])
			put_line(l, s, l->buf[s], l->len[s], false);
		l->len[s] = 0;
	}
}

void logfile_close(struct logfile *l)
{
	logfile_flush(l);
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	free(l->dir);
	l->dir = NULL;
}

int logfile_parse_time(const char *s, size_t n, struct timespec *ts)
{
	struct tm tm;
	char tmp[64], *end;
	long nsec = 0;

	if (n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	memset(&tm, 0, sizeof tm);
	end = strptime(tmp, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		return -1;
	if (*end == '.') {
		int digits = 0;
		end++;
		while (*end >= '0' && *end <= '9') {
			if (digits++ < 9)
				nsec = nsec * 10 + (*end - '0');
			end++;
		}
		while (digits++ < 9)
			nsec *= 10;
	}
	ts->tv_sec = timegm(&tm);
	ts->tv_nsec = nsec;
	if (*end == 'Z')
		return 0;
	if (*end == '+' || *end == '-') {
		int hh = 0, mm = 0;
		if (sscanf(end + 1, "%d:%d", &hh, &mm) < 1)
			return -1;
		ts->tv_sec -= (*end == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
		return 0;
	}
	return *end ? -1 : 0;
}

size_t logfile_parse(const char *buf, size_t n, struct logline **v, size_t *nv, struct logline *partial)
{
	size_t pos = 0;

	while (pos < n) {
		const char *line = buf + pos, *nl = memchr(line, '\n', n - pos);
		const char *sp1, *sp2, *sp3;
		size_t len, tl;
		if (!nl)
			break;
		len = (size_t)(nl - line);
		pos += len + 1;
		sp1 = memchr(line, ' ', len);
		if (!sp1)
			continue;
		sp2 = memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - line));
		if (!sp2)
			continue;
		sp3 = memchr(sp2 + 1, ' ', len - (size_t)(sp2 + 1 - line));
		if (!sp3) /* an empty partial has no trailing space */
			sp3 = nl;
		if (!partial->text && logfile_parse_time(line, (size_t)(sp1 - line), &partial->ts) < 0)
			continue;
		partial->stream = strncmp(sp1 + 1, "stderr", 6) == 0 ? LOG_STDERR : LOG_STDOUT;
		tl = sp3 < nl ? (size_t)(nl - sp3 - 1) : 0;
		partial->text = xrealloc(partial->text, partial->len + tl + 2);
		memcpy(partial->text + partial->len, sp3 + 1, tl);
		partial->len += tl;
		if (sp2[1] == 'F') {
			partial->text[partial->len++] = '\n';
			partial->text[partial->len] = '\0';
			*v = xrealloc(*v, (*nv + 1) * sizeof **v);
			(*v)[(*nv)++] = *partial;
			memset(partial, 0, sizeof *partial);
		} else {
			partial->text[partial->len] = '\0';
		}
	}
	return pos;
}

void logline_free(struct logline *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].text);
	free(v);
}

int logfile_read_all(const char *ctrdir, struct logline **v, size_t *n, struct err *e)
{
	struct logline partial;
	int last = 0;

	*v = NULL;
	*n = 0;
	memset(&partial, 0, sizeof partial);
	for (int i = 1; i < 1000; i++) {
		_cleanup_free_ char *p = xasprintf("%s/log.%d", ctrdir, i);
		if (access(p, F_OK) < 0)
			break;
		last = i;
	}
	for (int i = last; i >= 0; i--) {
		_cleanup_free_ char *p = i ? xasprintf("%s/log.%d", ctrdir, i) : xasprintf("%s/log", ctrdir);
		_cleanup_free_ char *txt = NULL;
		size_t len = 0;
		if (read_file_at(AT_FDCWD, p, (size_t)1 << 31, &txt, &len, e) < 0) {
			if (e->errnum == ENOENT) {
				err_clear(e);
				continue;
			}
			logline_free(*v, *n);
			free(partial.text);
			*v = NULL;
			*n = 0;
			return -1;
		}
		logfile_parse(txt, len, v, n, &partial);
	}
	if (partial.text) {
		*v = xrealloc(*v, (*n + 1) * sizeof **v);
		(*v)[(*n)++] = partial;
	}
	return 0;
}
