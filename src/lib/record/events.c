/* events.c - see events.h */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "container.h"
#include "events.h"
#include "state.h"
#include "lib/base/json.h"
#include "lib/base/log.h"
#include "lib/base/util.h"

#define EVENT_LINE_MAX 65536

static json_object *event_json(const struct event *ev)
{
	json_object *j = json_object_new_object(), *a = json_object_new_object();
	char t[48];

	state_time_now(t, sizeof t);
	if (ev->has_exit)
		json_object_object_add(j, "ContainerExitCode", json_object_new_int(ev->exit_code));
	if (ev->id && *ev->id)
		json_object_object_add(j, "ID", json_object_new_string(ev->id));
	if (ev->image && *ev->image)
		json_object_object_add(j, "Image", json_object_new_string(ev->image));
	if (ev->name && *ev->name)
		json_object_object_add(j, "Name", json_object_new_string(ev->name));
	json_object_object_add(j, "Status", json_object_new_string(ev->status));
	json_object_object_add(j, "Time", json_object_new_string(t));
	json_object_object_add(j, "Type", json_object_new_string(ev->type));
	for (size_t i = 0; ev->attrs && ev->attrs[i]; i++) {
		const char *eq = strchr(ev->attrs[i], '=');
		_cleanup_free_ char *k = eq ? xstrndup(ev->attrs[i], (size_t)(eq - ev->attrs[i])) : NULL;
		if (k)
			json_object_object_add(a, k, json_object_new_string(eq + 1));
	}
	json_object_object_add(j, "Attributes", a);
	return j;
}

void events_write(const char *runroot, const struct event *ev)
{
	_cleanup_free_ char *path = NULL, *old = NULL, *line = NULL;
	_cleanup_close_ int fd = -1;
	json_object *j;
	struct stat st;

	if (!runroot)
		return;
	path = xasprintf("%s/events.log", runroot);
	j = event_json(ev);
	line = xasprintf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
									   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(j);
	if (strlen(line) > EVENT_LINE_MAX)
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		log_debug("event %s %s: %s: %s", ev->type, ev->status, path, strerror(errno));
		return;
	}
	/* rotate under the lock: a writer that opened the old file before the
	 * rename sees a new inode at the path and appends there instead */
	if (fstat(fd, &st) == 0 && st.st_size > EVENTS_LOG_MAX) {
		old = xasprintf("%s/events.log.1", runroot);
		if (rename(path, old) == 0) {
			int nfd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
			if (nfd < 0 || flock(nfd, LOCK_EX) < 0) {
				if (nfd >= 0)
					close(nfd);
				return;
			}
			close(fd);
			fd = nfd;
		}
	} else {
		struct stat now;
		if (stat(path, &now) == 0 && (now.st_ino != st.st_ino || now.st_dev != st.st_dev)) {
			int nfd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
			if (nfd >= 0) {
				close(fd);
				fd = nfd;
				flock(fd, LOCK_EX);
			}
		}
	}
	if (write(fd, line, strlen(line)) < 0)
		log_debug("event %s %s: %s", ev->type, ev->status, strerror(errno));
}

char *events_runroot_of(const char *rundir)
{
	const char *slash, *c;
	size_t n;

	if (!rundir || !(slash = strrchr(rundir, '/')) || slash == rundir)
		return NULL;
	n = (size_t)(slash - rundir);
	if (n < 11 || strncmp(rundir + n - 11, "/containers", 11) != 0)
		return NULL;
	c = rundir + n - 11;
	return xstrndup(rundir, (size_t)(c - rundir));
}

void events_container(const struct container_spec *s, const char *status, int exit_code)
{
	_cleanup_free_ char *runroot = events_runroot_of(s->rundir);
	struct event ev = {
		.type = "container",
		.status = status,
		.id = s->id,
		.name = s->name,
		.image = s->image_ref,
		.has_exit = exit_code >= 0,
		.exit_code = exit_code,
		.attrs = s->labels,
	};

	events_write(runroot, &ev);
}

int64_t events_parse_time(const char *s)
{
	struct tm tm;
	const char *p;
	int64_t ns = 0;
	int digits = 0;

	memset(&tm, 0, sizeof tm);
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -1;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (digits++ < 9)
				ns = ns * 10 + (*p - '0');
		for (; digits < 9; digits++)
			ns *= 10;
	}
	if (strcmp(p, "Z") != 0)
		return -1;
	return (int64_t)timegm(&tm) * 1000000000LL + ns;
}

/* events in [offset, end) of one file */
static int read_file(const char *path, int64_t since_ns, int64_t until_ns, const char *needle,
		     uint64_t *offset, uint64_t *ino, events_fn *fn, void *arg, bool *stop, struct err *e)
{
	size_t nlen = needle ? strlen(needle) : 0;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len, used = 0;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return err_make(e, errno, "opening %s", path);
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return err_make(e, errno ? errno : EINVAL, "%s is not a regular file", path);
	if (ino) {
		if (*ino != (uint64_t)st.st_ino)
			*offset = 0; /* rotated: a new file */
		*ino = (uint64_t)st.st_ino;
	}
	if ((uint64_t)st.st_size <= *offset)
		return 0;
	len = (size_t)((uint64_t)st.st_size - *offset);
	buf = xmalloc(len + 1);
	while (used < len) {
		ssize_t n = pread(fd, buf + used, len - used, (off_t)(*offset + used));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	for (char *l = buf; l < buf + used && !*stop;) {
		char *nl = memchr(l, '\n', (size_t)(buf + used - l));
		json_object *j = NULL, *t;
		struct err pe = ERR_INIT;
		int64_t ns;

		if (!nl)
			break; /* a line still being written */
		*offset += (uint64_t)(nl + 1 - l);
		if (nlen && !memmem(l, (size_t)(nl - l), needle, nlen)) {
			l = nl + 1;
			continue;
		}
		if (json_parse_strict(l, (size_t)(nl - l), "event", &j, &pe) < 0) {
			err_clear(&pe);
			l = nl + 1;
			continue;
		}
		l = nl + 1;
		if (json_object_object_get_ex(j, "Time", &t) &&
		    (ns = events_parse_time(json_object_get_string(t))) >= 0 &&
		    (!since_ns || ns >= since_ns) && (!until_ns || ns < until_ns))
			*stop = !fn(j, ns, arg);
		json_object_put(j);
	}
	return 0;
}

static int read_both(const char *runroot, int64_t since_ns, int64_t until_ns, const char *needle,
		     uint64_t *offset, uint64_t *ino, events_fn *fn, void *arg, struct err *e)
{
	_cleanup_free_ char *path = xasprintf("%s/events.log", runroot);
	_cleanup_free_ char *old = xasprintf("%s/events.log.1", runroot);
	bool stop = false;
	struct stat st;

	if (*offset == 0 && *ino == 0) {
		uint64_t o = 0;
		if (read_file(old, since_ns, until_ns, needle, &o, NULL, fn, arg, &stop, e) < 0)
			return -1;
		if (stop)
			return 0;
	} else if (stat(path, &st) == 0 && (uint64_t)st.st_ino != *ino && stat(old, &st) == 0 &&
		   (uint64_t)st.st_ino == *ino) {
		/* rotated since the last call: the rest of the file we were reading */
		uint64_t o = *offset;
		if (read_file(old, since_ns, until_ns, needle, &o, NULL, fn, arg, &stop, e) < 0)
			return -1;
		if (stop)
			return 0;
	}
	return read_file(path, since_ns, until_ns, needle, offset, ino, fn, arg, &stop, e);
}

int events_read(const char *runroot, int64_t since_ns, int64_t until_ns, uint64_t *offset, uint64_t *ino,
		events_fn *fn, void *arg, struct err *e)
{
	return read_both(runroot, since_ns, until_ns, NULL, offset, ino, fn, arg, e);
}

int events_read_having(const char *runroot, const char *needle, int64_t since_ns, events_fn *fn, void *arg,
		       struct err *e)
{
	uint64_t offset = 0, ino = 0;

	return read_both(runroot, since_ns, 0, needle, &offset, &ino, fn, arg, e);
}
