/* events.c - GET /events: burrow's event log (lib/record/events.h) as
 * docker's stream of JSON objects, one a line, with since, until and
 * filters (type, container, image, event, label, network, volume).
 * Without until, or with one ahead, it follows the log (inotify on the
 * runroot) until the client goes or until passes. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "api_int.h"
#include "lib/base/util.h"
#include "lib/record/events.h"

struct evstream {
	char *runroot;
	json_object *filters;
	int64_t since_ns, until_ns;
	int fd;
	bool gone;
};

static const char *jget(json_object *j, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(j, k, &v) && v ? json_object_get_string(v) : "";
}

/* docker's action for burrow's (podman's) status */
static const char *action(const char *status)
{
	return strcmp(status, "died") == 0 ? "die" : status;
}

struct evmatch {
	json_object *ev;
};

static bool ev_one(const char *key, const char *v, const void *arg)
{
	json_object *ev = ((const struct evmatch *)arg)->ev, *a, *l;
	const char *type = jget(ev, "Type");

	if (strcmp(key, "type") == 0)
		return strcmp(type, v) == 0;
	if (strcmp(key, "event") == 0)
		return strcmp(action(jget(ev, "Status")), v) == 0 || strcmp(jget(ev, "Status"), v) == 0;
	if (strcmp(key, "container") == 0 || strcmp(key, "volume") == 0 || strcmp(key, "network") == 0) {
		if (strcmp(type, key) != 0)
			return false;
		return strcmp(jget(ev, "Name"), v) == 0 ||
		       (strlen(v) >= 3 && !strncmp(jget(ev, "ID"), v, strlen(v)));
	}
	if (strcmp(key, "image") == 0) {
		if (strcmp(type, "image") == 0)
			return strcmp(jget(ev, "Name"), v) == 0 ||
			       (strlen(v) >= 3 && !strncmp(jget(ev, "ID"), v, strlen(v)));
		return strcmp(jget(ev, "Image"), v) == 0;
	}
	if (strcmp(key, "label") == 0) {
		size_t lk = strcspn(v, "=");
		_cleanup_free_ char *k = xstrndup(v, lk);
		if (!json_object_object_get_ex(ev, "Attributes", &a) || !json_object_object_get_ex(a, k, &l))
			return false;
		return !v[lk] || strcmp(json_object_get_string(l), v + lk + 1) == 0;
	}
	return false;
}

/* the log's event as docker's message */
static json_object *docker_event(json_object *ev, int64_t ns)
{
	json_object *o = json_object_new_object(), *actor = json_object_new_object(),
		    *attrs = json_object_new_object(), *a, *code;
	const char *type = jget(ev, "Type"), *status = action(jget(ev, "Status"));
	const char *id = jget(ev, "ID");
	bool netconn = strcmp(type, "network") == 0 &&
		       (strcmp(status, "connect") == 0 || strcmp(status, "disconnect") == 0);

	if (json_object_object_get_ex(ev, "Attributes", &a) && json_object_is_type(a, json_type_object)) {
		json_object_object_foreach(a, k, v) {
			json_object_object_add(attrs, k, json_object_get(v));
		}
	}
	if (*jget(ev, "Image"))
		json_object_object_add(attrs, "image", json_object_new_string(jget(ev, "Image")));
	if (*jget(ev, "Name"))
		json_object_object_add(attrs, "name", json_object_new_string(jget(ev, "Name")));
	if (json_object_object_get_ex(ev, "ContainerExitCode", &code) && strcmp(status, "die") == 0) {
		_cleanup_free_ char *c = xasprintf("%d", json_object_get_int(code));
		json_object_object_add(attrs, "exitCode", json_object_new_string(c));
	}
	if (strcmp(type, "network") == 0)
		json_object_object_add(attrs, "type", json_object_new_string("bridge"));
	if (netconn) {
		/* burrow's log keeps the container's ID; docker's Actor is the network */
		json_object_object_add(attrs, "container", json_object_new_string(id));
		id = "";
	}
	json_object_object_add(actor, "ID", json_object_new_string(id));
	json_object_object_add(actor, "Attributes", attrs);
	if (strcmp(type, "container") == 0) {
		json_object_object_add(o, "status", json_object_new_string(status));
		json_object_object_add(o, "id", json_object_new_string(id));
		json_object_object_add(o, "from", json_object_new_string(jget(ev, "Image")));
	}
	json_object_object_add(o, "Type", json_object_new_string(type));
	json_object_object_add(o, "Action", json_object_new_string(status));
	json_object_object_add(o, "Actor", actor);
	json_object_object_add(o, "scope", json_object_new_string("local"));
	json_object_object_add(o, "time", json_object_new_int64(ns / 1000000000LL));
	json_object_object_add(o, "timeNano", json_object_new_int64(ns));
	return o;
}

static bool send_event(json_object *ev, int64_t ns, void *arg)
{
	struct evstream *s = arg;
	struct evmatch m = { ev };
	json_object *o;
	_cleanup_free_ char *line = NULL;

	if (!api_filters_match(s->filters, ev_one, &m))
		return true;
	o = docker_event(ev, ns);
	line = xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
									   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	if (!api_write_all(s->fd, line, strlen(line)))
		s->gone = true;
	return !s->gone;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void events_stream(void *arg, int fd)
{
	struct evstream *s = arg;
	uint64_t offset = 0, ino = 0;
	struct err e = ERR_INIT;
	bool follow = !s->until_ns || s->until_ns > now_ns();
	int ifd = -1;

	s->fd = fd;
	if (follow) {
		ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		if (ifd < 0 || inotify_add_watch(ifd, s->runroot, IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0)
			follow = false;
	}
	for (;;) {
		if (events_read(s->runroot, s->since_ns, s->until_ns, &offset, &ino, send_event, s, &e) < 0) {
			err_clear(&e);
			break;
		}
		if (s->gone || !follow)
			break;
		for (;;) {
			struct pollfd p[2] = { { .fd = ifd, .events = POLLIN }, { .fd = fd, .events = 0 } };
			int64_t left = s->until_ns ? s->until_ns - now_ns() : -1;
			char buf[4096];
			int r;
			if (s->until_ns && left <= 0)
				goto out;
			r = poll(p, 2, left < 0 || left > 1000000000LL ? 1000 : (int)(left / 1000000 + 1));
			if (r < 0 && errno != EINTR)
				goto out;
			/* a newline (whitespace between messages, which clients
			 * skip) each quiet second: libmicrohttpd, blocked reading
			 * our pipe, notices a client that left only when it sends */
			if (r == 0 && !api_write_all(fd, "\n", 1))
				goto out;
			if (r > 0 && (p[1].revents & (POLLERR | POLLHUP)))
				goto out; /* the client went away */
			if (r > 0 && (p[0].revents & POLLIN)) {
				while (read(ifd, buf, sizeof buf) > 0)
					;
				break;
			}
		}
	}
out:
	if (ifd >= 0)
		close(ifd);
}

static void evstream_free(void *arg)
{
	struct evstream *s = arg;

	free(s->runroot);
	json_object_put(s->filters);
	free(s);
}

/* docker's since/until: Unix seconds with an optional fraction, or RFC
 * 3339; 0 when absent, -1 when bad */
static int64_t query_time(struct api_req *r, const char *key)
{
	const char *v = api_query(r, key);
	char *end;
	long long secs;
	int64_t ns = 0;

	if (!v || !*v)
		return 0;
	errno = 0;
	secs = strtoll(v, &end, 10);
	if (!errno && end != v && (*end == '\0' || *end == '.')) {
		if (*end == '.') {
			int64_t scale = 100000000;
			for (const char *p = end + 1; *p; p++, scale /= 10) {
				if (*p < '0' || *p > '9')
					return -1;
				ns += (*p - '0') * scale;
			}
		}
		if (secs < 0 || secs > 253402300799LL)
			return -1;
		return (int64_t)secs * 1000000000LL + ns;
	}
	ns = events_parse_time(v);
	return ns > 0 ? ns : -1;
}

enum MHD_Result api_events(struct api_req *r)
{
	static const char *const keys[] = { "type",    "container", "image",  "event", "label",
					    "network", "volume",    "daemon", "scope", NULL };
	struct evstream *s;
	json_object *f;
	enum MHD_Result res;
	int64_t since = query_time(r, "since"), until = query_time(r, "until");

	if (since < 0 || until < 0)
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST,
				       "invalid since or until (Unix seconds or RFC 3339)");
	if (api_filters(r, keys, &f, &res) < 0)
		return res;
	s = xcalloc(1, sizeof *s);
	s->runroot = xstrdup(r->b->runroot);
	s->filters = f;
	/* docker: without since nor until, only what happens from now on */
	s->since_ns = since || until ? since : now_ns();
	s->until_ns = until;
	s->fd = -1;
	return api_reply_stream(r, MHD_HTTP_OK, "application/json", events_stream, s, evstream_free);
}
