/* server.c - libmicrohttpd on a listening socket (front.c makes it), the
 * routes, the replies and the idle timer of the API (api.h). */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api_int.h"
#include "lib/base/forkjob.h"
#include "lib/base/json.h"
#include "lib/base/log.h"
#include "lib/base/util.h"
#include "lib/record/container.h"

static pthread_mutex_t backend_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t busy_lock = PTHREAD_MUTEX_INITIALIZER;
static int busy_count;       /* open connections and hijacked streams */
static bool stopping;        /* the service is ending: bodies that go on end */
static time_t last_activity; /* CLOCK_MONOTONIC seconds */

void api_lock(void)
{
	pthread_mutex_lock(&backend_lock);
}

void api_unlock(void)
{
	pthread_mutex_unlock(&backend_lock);
}

static time_t mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

bool api_stopping(void)
{
	return __atomic_load_n(&stopping, __ATOMIC_RELAXED);
}

void api_busy(int delta)
{
	pthread_mutex_lock(&busy_lock);
	busy_count += delta;
	last_activity = mono_now();
	pthread_mutex_unlock(&busy_lock);
}

/* ---- replies ---- */

static enum MHD_Result queue(struct api_req *r, unsigned status, struct MHD_Response *resp)
{
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Api-Version", API_VERSION);
	MHD_add_response_header(resp, "Server", "burrow (linux)");
	MHD_add_response_header(resp, "Docker-Experimental", "false");
	MHD_add_response_header(resp, "Ostype", "linux");
	ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result api_reply_text(struct api_req *r, unsigned status, const char *type, const char *text)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), (void *)(uintptr_t)text,
								    MHD_RESPMEM_MUST_COPY);

	if (resp && type)
		MHD_add_response_header(resp, "Content-Type", type);
	return queue(r, status, resp);
}

enum MHD_Result api_reply_json(struct api_req *r, unsigned status, json_object *o)
{
	enum MHD_Result ret;
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								  JSON_C_TO_STRING_NOSLASHESCAPE);
	_cleanup_free_ char *line = xasprintf("%s\n", s);

	ret = api_reply_text(r, status, "application/json", line);
	json_object_put(o);
	return ret;
}

enum MHD_Result api_reply_empty(struct api_req *r, unsigned status)
{
	return queue(r, status, MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT));
}

static enum MHD_Result reply_message(struct api_req *r, unsigned status, const char *msg)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "message", json_object_new_string(msg));
	return api_reply_json(r, status, o);
}

enum MHD_Result api_reply_error(struct api_req *r, unsigned status, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	enum MHD_Result ret;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	ret = reply_message(r, status, msg ? msg : "out of memory");
	free(msg);
	return ret;
}

unsigned api_err_status(const struct err *e)
{
	const char *m = e->msg ? e->msg : "";

	if (e->errnum == ENOENT || strstr(m, "no such") || strstr(m, "No such") || strstr(m, "not found") ||
	    strstr(m, "not known"))
		return MHD_HTTP_NOT_FOUND;
	if (e->errnum == EEXIST || e->errnum == EBUSY || strstr(m, "state improper") || strstr(m, "in use") ||
	    strstr(m, "already"))
		return MHD_HTTP_CONFLICT;
	if (e->errnum == EINVAL || e->usage || strstr(m, "invalid"))
		return MHD_HTTP_BAD_REQUEST;
	return MHD_HTTP_INTERNAL_SERVER_ERROR;
}

enum MHD_Result api_reply_err(struct api_req *r, const struct err *e)
{
	return reply_message(r, api_err_status(e), e->msg ? e->msg : "unknown error");
}

/* ---- the query string and the body ---- */

const char *api_query(struct api_req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

bool api_query_bool(struct api_req *r, const char *key, bool def)
{
	const char *v = api_query(r, key);

	if (!v)
		return def;
	if (*v == '\0')
		return def;
	return strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0;
}

int api_query_int(struct api_req *r, const char *key, long long min, long long max, long long def,
		  long long *out)
{
	const char *v = api_query(r, key);
	char *end;
	long long n;

	if (!v || !*v) {
		*out = def;
		return 0;
	}
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || *end || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

int api_body_json(struct api_req *r, json_object **out, enum MHD_Result *res)
{
	struct err e = ERR_INIT;
	size_t i = 0;

	while (i < r->body_len && strchr(" \t\r\n", r->body[i]))
		i++;
	if (i == r->body_len) {
		*out = json_object_new_object();
		return 0;
	}
	if (json_parse_strict(r->body, r->body_len, "request body", out, &e) < 0) {
		*res = api_reply_err(r, &(struct err){ EINVAL, 0, false, e.msg });
		err_clear(&e);
		return -1;
	}
	if (!json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
		*res = api_reply_error(r, MHD_HTTP_BAD_REQUEST, "request body: not a JSON object");
		return -1;
	}
	return 0;
}

int api_ctr_lookup(struct api_req *r, const char *ref, char id[65], struct err *e)
{
	if (container_lookup(r->b->root, ref, id, e) < 0) {
		if (e->errnum == ENOENT || !e->errnum) {
			err_clear(e);
			err_make(e, 0, "No such container: %s", ref);
			e->errnum = ENOENT;
			return -1;
		}
		return -1;
	}
	return 0;
}

/* ---- streamed bodies ---- */

struct stream {
	api_stream_fn *fn;
	void *arg;
	void (*free_fn)(void *);
	int fd;
	int sock; /* the client's connection, or -1 */
};

/* the connection of the body this thread writes: libmicrohttpd reads the
 * pipe, blocking, and so doesn't see the client leave; we look */
static __thread int stream_sock = -1;

bool api_stream_done(void)
{
	struct pollfd p = { .fd = stream_sock, .events = POLLRDHUP };

	if (api_stopping())
		return true;
	return stream_sock >= 0 && poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLRDHUP | POLLERR));
}

static void *stream_thread(void *p)
{
	struct stream *s = p;

	stream_sock = s->sock;
	s->fn(s->arg, s->fd);
	stream_sock = -1;
	close(s->fd);
	if (s->free_fn)
		s->free_fn(s->arg);
	free(s);
	api_busy(-1);
	return NULL;
}

static bool spawn(void *(*fn)(void *), void *arg)
{
	pthread_attr_t at;
	pthread_t t;
	int rc;

	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&at, 256 * 1024);
	rc = pthread_create(&t, &at, fn, arg);
	pthread_attr_destroy(&at);
	return rc == 0;
}

static enum MHD_Result stream_reply(struct api_req *r, unsigned status, const char *type, api_stream_fn *fn,
				    void *arg, void (*free_fn)(void *), const char *hname, const char *hval)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn,
								     MHD_CONNECTION_INFO_CONNECTION_FD);
	struct MHD_Response *resp;
	struct stream *s;
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0) {
		if (free_fn)
			free_fn(arg);
		return api_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "pipe: %s", strerror(errno));
	}
	s = xmalloc(sizeof *s);
	*s = (struct stream){ fn, arg, free_fn, p[1], ci ? ci->connect_fd : -1 };
	api_busy(1);
	if (!spawn(stream_thread, s)) {
		api_busy(-1);
		close(p[0]);
		close(p[1]);
		free(s);
		if (free_fn)
			free_fn(arg);
		return api_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot start a thread");
	}
	resp = MHD_create_response_from_pipe(p[0]);
	if (!resp) {
		close(p[0]);
		return MHD_NO;
	}
	if (type)
		MHD_add_response_header(resp, "Content-Type", type);
	if (hname)
		MHD_add_response_header(resp, hname, hval);
	return queue(r, status, resp);
}

enum MHD_Result api_reply_stream(struct api_req *r, unsigned status, const char *type, api_stream_fn *fn,
				 void *arg, void (*free_fn)(void *))
{
	return stream_reply(r, status, type, fn, arg, free_fn, NULL, NULL);
}

enum MHD_Result api_reply_header(struct api_req *r, unsigned status, const char *hname, const char *hval,
				 const char *type, api_stream_fn *fn, void *arg, void (*free_fn)(void *))
{
	struct MHD_Response *resp;

	if (fn)
		return stream_reply(r, status, type, fn, arg, free_fn, hname, hval);
	resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (resp)
		MHD_add_response_header(resp, hname, hval);
	return queue(r, status, resp);
}

/* ---- hijacked connections ---- */

struct hijack {
	api_hijack_fn *fn;
	void *arg;
	void (*free_fn)(void *);
	int sock;
	struct MHD_UpgradeResponseHandle *urh;
};

static void *hijack_thread(void *p)
{
	struct hijack *h = p;

	h->fn(h->arg, h->sock);
	if (h->free_fn)
		h->free_fn(h->arg);
	shutdown(h->sock, SHUT_RDWR);
	MHD_upgrade_action(h->urh, MHD_UPGRADE_ACTION_CLOSE);
	free(h);
	api_busy(-1);
	return NULL;
}

static void upgraded(void *cls, struct MHD_Connection *conn, void *con_cls, const char *extra_in,
		     size_t extra_in_size, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
	struct hijack *h = cls;
	int fl;

	(void)conn;
	(void)con_cls;
	(void)extra_in;
	(void)extra_in_size; /* stdin sent before the switch is not forwarded */
	h->sock = sock;
	h->urh = urh;
	fl = fcntl(sock, F_GETFL);
	if (fl >= 0)
		fcntl(sock, F_SETFL, fl & ~O_NONBLOCK);
	api_busy(1);
	if (!spawn(hijack_thread, h)) {
		if (h->free_fn)
			h->free_fn(h->arg);
		MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
		free(h);
		api_busy(-1);
	}
}

enum MHD_Result api_reply_hijack(struct api_req *r, const char *type, api_hijack_fn *fn, void *arg,
				 void (*free_fn)(void *))
{
	struct hijack *h = xmalloc(sizeof *h);
	struct MHD_Response *resp;
	const char *up = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Upgrade");

	if (!up || strcasecmp(up, "tcp") != 0) {
		free(h);
		if (free_fn)
			free_fn(arg);
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST,
				       "this endpoint needs a hijacked connection (Upgrade: tcp)");
	}
	*h = (struct hijack){ fn, arg, free_fn, -1, NULL };
	resp = MHD_create_response_for_upgrade(upgraded, h);
	if (!resp) {
		free(h);
		if (free_fn)
			free_fn(arg);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Upgrade", "tcp");
	MHD_add_response_header(resp, "Connection", "Upgrade");
	MHD_add_response_header(resp, "Content-Type", type);
	return queue(r, MHD_HTTP_SWITCHING_PROTOCOLS, resp);
}

bool api_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == ENOTSOCK)
			w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

bool api_write_frame(int fd, int stream, const void *buf, size_t n)
{
	unsigned char h[8] = { (unsigned char)stream,
			       0,
			       0,
			       0,
			       (unsigned char)(n >> 24),
			       (unsigned char)(n >> 16),
			       (unsigned char)(n >> 8),
			       (unsigned char)n };

	return api_write_all(fd, h, sizeof h) && api_write_all(fd, buf, n);
}

/* ---- routes ---- */

struct route {
	const char *method; /* NULL: any */
	const char *pattern;
	api_handler *fn;
};

static enum MHD_Result not_found(struct api_req *r);

static const struct route routes[] = {
	{ "GET", "/_ping", api_ping },
	{ "HEAD", "/_ping", api_ping },
	{ "GET", "/version", api_version },
	{ "GET", "/info", api_info },
	{ "POST", "/containers/create", api_ctr_create },
	{ "GET", "/containers/json", api_ctr_list },
	{ "POST", "/containers/prune", api_ctr_prune },
	{ "GET", "/containers/*/json", api_ctr_inspect },
	{ "POST", "/containers/*/start", api_ctr_start },
	{ "POST", "/containers/*/stop", api_ctr_stop },
	{ "POST", "/containers/*/restart", api_ctr_restart },
	{ "POST", "/containers/*/kill", api_ctr_kill },
	{ "POST", "/containers/*/pause", api_ctr_pause },
	{ "POST", "/containers/*/unpause", api_ctr_unpause },
	{ "POST", "/containers/*/wait", api_ctr_wait },
	{ "POST", "/containers/*/rename", api_ctr_rename },
	{ "POST", "/containers/*/attach", api_ctr_attach },
	{ "GET", "/containers/*/logs", api_ctr_logs },
	{ "GET", "/containers/*/top", api_ctr_top },
	{ "POST", "/containers/*/resize", api_ctr_resize },
	{ "POST", "/containers/*/exec", api_exec_create },
	{ "POST", "/exec/*/start", api_exec_start },
	{ "POST", "/exec/*/resize", api_exec_resize },
	{ "GET", "/exec/*/json", api_exec_inspect },
	{ "HEAD", "/containers/*/archive", api_ctr_archive_head },
	{ "GET", "/containers/*/archive", api_ctr_archive_get },
	{ "PUT", "/containers/*/archive", api_ctr_archive_put },
	{ "GET", "/containers/*/export", api_ctr_export },
	{ "GET", "/containers/*/changes", api_ctr_changes },
	{ "GET", "/containers/*/stats", api_ctr_stats },
	{ "DELETE", "/containers/*", api_ctr_remove },
	{ "GET", "/images/json", api_img_list },
	{ "POST", "/images/create", api_img_create },
	{ "GET", "/images/**/json", api_img_inspect },
	{ "POST", "/images/**/tag", api_img_tag },
	{ "DELETE", "/images/**", api_img_remove },
	{ "POST", "/build", api_build },
	{ "POST", "/auth", api_auth },
	{ "GET", "/images/get", api_img_get },
	{ "POST", "/images/load", api_img_load },
	{ "POST", "/images/prune", api_img_prune },
	{ "GET", "/images/**/get", api_img_get },
	{ "GET", "/images/**/history", api_img_history },
	{ "POST", "/images/**/push", api_img_push },
	{ "GET", "/volumes", api_vol_list },
	{ "POST", "/volumes/create", api_vol_create },
	{ "POST", "/volumes/prune", api_vol_prune },
	{ "GET", "/volumes/*", api_vol_inspect },
	{ "DELETE", "/volumes/*", api_vol_remove },
	{ "GET", "/events", api_events },
	{ "GET", "/system/df", api_system_df },
	{ "GET", "/networks", api_net_list },
	{ "POST", "/networks/create", api_net_create },
	{ "POST", "/networks/prune", api_net_prune },
	{ "POST", "/networks/*/connect", api_net_connect },
	{ "POST", "/networks/*/disconnect", api_net_disconnect },
	{ "GET", "/networks/*", api_net_inspect },
	{ "DELETE", "/networks/*", api_net_remove },
	{ NULL, NULL, NULL },
};

/* pattern segments: a literal, * (one segment) or ** (one or more); what
 * the wildcard matched goes to *arg */
static bool match(const char *pattern, const char *path, char **arg)
{
	const char *wild = strchr(pattern, '*');
	size_t pre, plen = strlen(path);
	const char *suffix;
	size_t slen, mlen;

	if (!wild)
		return strcmp(pattern, path) == 0;
	pre = (size_t)(wild - pattern);
	if (strncmp(pattern, path, pre) != 0)
		return false;
	suffix = wild[1] == '*' ? wild + 2 : wild + 1;
	slen = strlen(suffix);
	if (plen < pre + slen + 1 || strcmp(path + plen - slen, suffix) != 0)
		return false;
	mlen = plen - pre - slen;
	if (wild[1] != '*' && memchr(path + pre, '/', mlen))
		return false;
	free(*arg);
	*arg = xstrndup(path + pre, mlen);
	return true;
}

static enum MHD_Result not_found(struct api_req *r)
{
	return api_reply_error(r, MHD_HTTP_NOT_FOUND, "page not found");
}

/* /v1.41/containers/json -> /containers/json; a version above ours is
 * docker's 400 */
static int strip_version(struct api_req *r, enum MHD_Result *res)
{
	const char *u = r->url;
	unsigned maj, min;
	int n = 0;

	r->path = u;
	if (sscanf(u, "/v%u.%u%n", &maj, &min, &n) == 2 && n > 0 && (u[n] == '/' || u[n] == '\0')) {
		if (maj > 1 || (maj == 1 && min > 41)) {
			*res = api_reply_error(
				r, MHD_HTTP_BAD_REQUEST,
				"client version %u.%u is too new. Maximum supported API version is "
				"%s",
				maj, min, API_VERSION);
			return -1;
		}
		r->path = u + n;
	}
	return 0;
}

static enum MHD_Result dispatch(struct api_req *r)
{
	enum MHD_Result res;
	bool path_known = false;

	if (strip_version(r, &res) < 0)
		return res;
	log_debug("api: %s %s", r->method, r->url);
	for (const struct route *rt = routes; rt->pattern; rt++) {
		if (!match(rt->pattern, r->path, &r->arg))
			continue;
		path_known = true;
		if (rt->method && strcmp(rt->method, r->method) != 0)
			continue;
		return rt->fn(r);
	}
	if (path_known)
		return api_reply_error(r, MHD_HTTP_METHOD_NOT_ALLOWED, "method %s not allowed for %s",
				       r->method, r->path);
	return not_found(r);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* bodies that are not JSON (a tar) go to an unnamed file in the runroot */
static bool spooled(const char *method, const char *url)
{
	if (strcmp(method, "PUT") == 0)
		return ends_with(url, "/archive");
	return strcmp(method, "POST") == 0 && (ends_with(url, "/build") || ends_with(url, "/images/load") ||
					       ends_with(url, "/images/create"));
}

/* dockerode's exec start with stdin: no Upgrade, a chunked body it never
 * ends (its stdin would follow).  MHD can answer before a body only at
 * once, so the reply comes before the body, which is not read. */
static bool early(struct MHD_Connection *conn, const char *method, const char *url)
{
	const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding");

	return strcmp(method, "POST") == 0 && strstr(url, "/exec/") && ends_with(url, "/start") && te &&
	       strcasecmp(te, "chunked") == 0 &&
	       !MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Upgrade");
}

struct server {
	const struct api_backend *b;
	const struct api_opts *o;
};

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct server *srv = cls;
	struct api_req *r = *con_cls;

	(void)version;
	if (!r) {
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		r = calloc(1, sizeof *r);
		if (!r)
			return MHD_NO;
		r->conn = conn;
		r->method = method;
		r->url = xstrdup(url);
		r->b = srv->b;
		r->o = srv->o;
		r->body_fd = -1;
		*con_cls = r;
		r->spool = spooled(method, url);
		if (cl && strtoull(cl, NULL, 10) > (r->spool ? API_SPOOL_MAX : API_BODY_MAX))
			r->too_large = true;
		api_busy(0);
		if (early(conn, method, url)) {
			r->early = r->started = true;
			r->body = xstrdup("");
			return dispatch(r);
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0 && r->spool) {
		if (!r->too_large && r->body_fd < 0)
			r->body_fd = open(r->b->runroot, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (r->too_large || r->body_fd < 0 || r->body_len + *upload_data_size > API_SPOOL_MAX ||
		    !api_write_all(r->body_fd, upload_data, *upload_data_size))
			r->too_large = true;
		else
			r->body_len += *upload_data_size;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (!r->too_large && r->body_len + *upload_data_size <= API_BODY_MAX) {
			r->body = xrealloc(r->body, r->body_len + *upload_data_size + 1);
			memcpy(r->body + r->body_len, upload_data, *upload_data_size);
			r->body_len += *upload_data_size;
			r->body[r->body_len] = '\0';
		} else {
			r->too_large = true;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->started)
		return MHD_YES;
	r->started = true;
	if (r->too_large)
		return api_reply_error(r, MHD_HTTP_CONTENT_TOO_LARGE,
				       "request body too large (or it could not be stored)");
	if (!r->body)
		r->body = xstrdup("");
	return dispatch(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct api_req *r = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (!r)
		return;
	free(r->url);
	free(r->body);
	if (r->body_fd >= 0)
		close(r->body_fd);
	free(r->arg);
	free(r);
	*con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	(void)conn;
	(void)socket_context;
	api_busy(toe == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1);
}

__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];

	(void)cls;
	vsnprintf(buf, sizeof buf, fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	log_debug("libmicrohttpd: %s", buf);
}

/* SIGINT, SIGTERM and SIGHUP end the service: whichever thread takes one
 * writes to this pipe, which the main loop polls */
static int stop_pipe[2] = { -1, -1 };

static void on_stop_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (write(stop_pipe[1], &c, 1) < 0) {
		/* full: a byte is already there */
	}
	errno = saved;
}

int api_serve_fd(const struct api_opts *o, const struct api_backend *b, int fd, const struct api_how *how,
		 struct err *e)
{
	struct server srv = { b, o };
	struct MHD_Daemon *d;
	struct sigaction sa, old_int, old_term, old_hup;
	int rc = 0;
	time_t trimmed = 0;

	/* one malloc arena for all the connections' threads: what they
	 * allocate is small and short-lived, and an arena of each thread's
	 * own keeps its pages resident after the thread is gone */
	mallopt(M_ARENA_MAX, 1);
	/* the jobs that need a process (lib/base/forkjob.h) are forked by a
	 * runner forked now, while this process has a single thread */
	if (forkjob_start(e) < 0)
		return -1;
	/* libmicrohttpd (and the GnuTLS it brings) only now: the runner and
	 * each job it forks stay without them */
	if (mhd_load(e) < 0) {
		forkjob_stop();
		return -1;
	}
	if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		forkjob_stop();
		return err_make(e, errno, "pipe");
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	signal(SIGPIPE, SIG_IGN);
	last_activity = mono_now();
	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL_INTERNAL_THREAD |
				     MHD_ALLOW_UPGRADE | MHD_USE_ERROR_LOG | (how->worker ? MHD_USE_ITC : 0),
			     0, NULL, NULL, on_request, &srv, MHD_OPTION_LISTEN_SOCKET, fd,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION,
			     on_connection, NULL, MHD_OPTION_CONNECTION_LIMIT, (unsigned)512,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)600, MHD_OPTION_EXTERNAL_LOGGER,
			     mhd_log, NULL, MHD_OPTION_THREAD_STACK_SIZE, (size_t)(512 * 1024),
			     MHD_OPTION_END);
	if (!d) {
		rc = err_make(e, 0, "cannot start the HTTP server");
		goto out;
	}
	if (how->ready)
		how->ready(how->ready_arg);
	for (;;) {
		struct pollfd p = { .fd = stop_pipe[0], .events = POLLIN };
		bool idle, quiet;
		time_t seen;
		if (poll(&p, 1, 1000) > 0)
			break; /* SIGINT, SIGTERM, SIGHUP */
		pthread_mutex_lock(&busy_lock);
		idle = how->idle_time > 0 && busy_count <= 0 &&
		       mono_now() - last_activity >= (time_t)how->idle_time;
		quiet = busy_count <= 0;
		seen = last_activity;
		pthread_mutex_unlock(&busy_lock);
		/* a worker keeps the exec sessions that have not ended */
		if (idle && how->worker && api_exec_pending())
			idle = false;
		if (idle && how->worker) {
			/* no more connections: they wait in the backlog for the
			 * next worker.  One taken meanwhile is served first. */
			MHD_quiesce_daemon(d);
			while (poll(&p, 1, 20) == 0) {
				pthread_mutex_lock(&busy_lock);
				quiet = busy_count <= 0;
				pthread_mutex_unlock(&busy_lock);
				if (quiet)
					break;
			}
		}
		if (idle)
			break;
		/* once nothing is open, the memory the connections' threads freed
		 * (one malloc arena each) goes back to the system */
		if (quiet && seen != trimmed) {
			malloc_trim(0);
			trimmed = seen;
		}
	}
	/* a body that waits for ever (wait, logs -f, attach, stats) would keep
	 * its connection's thread, which MHD_stop_daemon joins, reading */
	__atomic_store_n(&stopping, true, __ATOMIC_RELAXED);
	MHD_stop_daemon(d);
out:
	forkjob_stop();
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	close(stop_pipe[0]);
	close(stop_pipe[1]);
	stop_pipe[0] = stop_pipe[1] = -1;
	return rc;
}
