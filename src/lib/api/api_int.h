/* api_int.h - what the endpoint files of the API share: the request, the
 * replies in docker's shapes, streamed bodies and hijacked connections. */
#ifndef BURROW_API_INT_H
#define BURROW_API_INT_H

#include <json-c/json.h>
#include "mhd_dl.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"

#define API_VERSION "1.41"
#define API_MIN_VERSION "1.24"
/* request bodies are read whole, up to this (create's JSON is a few KiB) */
#define API_BODY_MAX (1024 * 1024)
/* a tar body (archive PUT) is spooled to an unnamed file, up to this */
#define API_SPOOL_MAX (8ULL << 30)

struct api_req {
	struct MHD_Connection *conn;
	const char *method;
	char *url;        /* as received */
	const char *path; /* url without the /v1.xx prefix */
	char *body;       /* NUL-terminated */
	size_t body_len;
	int body_fd; /* a spooled body (an O_TMPFILE), or -1 */
	bool too_large, started, spool;
	/* dispatched before its body was read, which is never read: exec
	 * start from a client that keeps the request open as its stdin
	 * (dockerode: chunked, no Upgrade) */
	bool early;
	const struct api_backend *b;
	const struct api_opts *o;
	char *arg; /* what the route's * or ** matched */
};

typedef enum MHD_Result api_handler(struct api_req *r);

/* ---- replies; each returns what the access handler returns ---- */
enum MHD_Result api_reply_json(struct api_req *r, unsigned status, json_object *o); /* takes o */
enum MHD_Result api_reply_text(struct api_req *r, unsigned status, const char *type, const char *text);
enum MHD_Result api_reply_empty(struct api_req *r, unsigned status);
enum MHD_Result api_reply_error(struct api_req *r, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* An error from the library: 404 for what does not exist, 409 for a
 * conflict (a container in the wrong state, a name in use), else 500. */
enum MHD_Result api_reply_err(struct api_req *r, const struct err *e);
unsigned api_err_status(const struct err *e);

/* ---- the query string (docker's booleans: 1, true, True) ---- */
const char *api_query(struct api_req *r, const char *key);
bool api_query_bool(struct api_req *r, const char *key, bool def);
/* An integer in [min, max]; absent: def.  A bad value: -1. */
int api_query_int(struct api_req *r, const char *key, long long min, long long max, long long def,
		  long long *out);
/* filters={"key":["v",...]} (or {"key":{"v":true}}) with keys among
 * keys (NULL-terminated) into *out (NULL: none); -1 after replying 400. */
int api_filters(struct api_req *r, const char *const *keys, json_object **out, enum MHD_Result *res);
/* does an object pass f?  one(key, value, arg) tests one value; a key's
 * values are ORed, the keys ANDed, label filters' values ANDed. */
typedef bool api_filter_fn(const char *key, const char *value, const void *arg);
bool api_filters_match(json_object *f, api_filter_fn *one, const void *arg);
/* The request body as a JSON object ({} when empty); -1 after replying 400 */
int api_body_json(struct api_req *r, json_object **out, enum MHD_Result *res);

/* ---- the container verbs: the backend under the one lock ---- */
void api_lock(void);
void api_unlock(void);
/* Resolve a container name, ID or ID prefix; ENOENT when there is none. */
int api_ctr_lookup(struct api_req *r, const char *ref, char id[65], struct err *e);

/* ---- bodies that go on: a thread runs fn(arg, fd), writing the body to
 * fd, which it must not close; free_fn(arg) after.  When the client goes
 * away, writes to fd fail with EPIPE and poll() on it reports POLLERR. ---- */
typedef void api_stream_fn(void *arg, int fd);
enum MHD_Result api_reply_stream(struct api_req *r, unsigned status, const char *type, api_stream_fn *fn,
				 void *arg, void (*free_fn)(void *));
/* A reply with one more header: with fn a streamed body as above, else
 * none (HEAD). */
enum MHD_Result api_reply_header(struct api_req *r, unsigned status, const char *hname, const char *hval,
				 const char *type, api_stream_fn *fn, void *arg, void (*free_fn)(void *));
/* ---- hijacked connections (attach, exec start): 101 Switching Protocols,
 * then fn(arg, sock) in a thread of its own, with the connection's socket
 * (blocking); the connection ends when fn returns. ---- */
typedef void api_hijack_fn(void *arg, int sock);
enum MHD_Result api_reply_hijack(struct api_req *r, const char *type, api_hijack_fn *fn, void *arg,
				 void (*free_fn)(void *));
/* write all of buf; false when the peer is gone */
bool api_write_all(int fd, const void *buf, size_t n);
/* docker's multiplexed stream: an 8-byte header (stream 1 stdout, 2 stderr,
 * 0 stdin; the length big-endian) before each piece */
bool api_write_frame(int fd, int stream, const void *buf, size_t n);
/* Count a long-running piece of work as activity for the idle timer. */
void api_busy(int delta);
/* The service is ending: a body that goes on (a stream's fn) ends within
 * its next tick. */
bool api_stopping(void);
/* In a stream's fn: the service is ending or the client has left (its
 * connection hung up), so the body may end. */
bool api_stream_done(void);

/* ---- docker's JSON message streams (pull, push, build, load): one JSON
 * object a line; a client that went away sets gone ---- */
struct api_jsonl {
	int fd;
	bool gone;
};
void api_jsonl(struct api_jsonl *j, json_object *o); /* takes o */
void api_jsonl_status(struct api_jsonl *j, const char *status, const char *id);
void api_jsonl_error(struct api_jsonl *j, const char *msg);
void api_jsonl_stream(struct api_jsonl *j, const char *text);
/* The credentials of X-Registry-Auth (allocated; NULL when none); -1 when
 * the header is malformed. */
int api_registry_auth(struct api_req *r, char **user, char **pass);

/* ---- the endpoint groups ---- */
api_handler api_ping, api_version, api_info;
api_handler api_ctr_create, api_ctr_list, api_ctr_inspect, api_ctr_start, api_ctr_stop, api_ctr_restart,
	api_ctr_kill, api_ctr_pause, api_ctr_unpause, api_ctr_remove, api_ctr_wait, api_ctr_rename,
	api_ctr_prune, api_ctr_top;
api_handler api_ctr_logs, api_ctr_attach, api_ctr_stats;
api_handler api_ctr_archive_head, api_ctr_archive_get, api_ctr_archive_put, api_ctr_export, api_ctr_changes;
api_handler api_exec_create, api_exec_start, api_exec_inspect, api_exec_resize, api_ctr_resize;
api_handler api_img_list, api_img_inspect, api_img_create, api_img_tag, api_img_remove;
api_handler api_img_push, api_img_import, api_img_history, api_img_get, api_img_load, api_img_prune,
	api_build, api_auth;
api_handler api_vol_list, api_vol_create, api_vol_inspect, api_vol_remove, api_vol_prune;
api_handler api_events, api_system_df;
api_handler api_net_list, api_net_create, api_net_inspect, api_net_remove, api_net_connect,
	api_net_disconnect, api_net_prune;
/* docker's NetworkSettings.Networks and NetworkMode in a container's inspect */
void api_ctr_net_fixup(json_object *insp, const char *id);

/* A container as the record has it (lib/record), state healed. */
#include "lib/record/container.h"
#include "lib/record/state.h"
struct api_ctr {
	char id[65];
	json_object *cfg;
	struct container_spec spec;
	struct ctr_state st;
};
int api_ctr_load(struct api_req *r, const char *ref, struct api_ctr *c, struct err *e);
int api_ctr_load_id(const struct api_backend *b, const char *id, struct api_ctr *c, struct err *e);
void api_ctr_free(struct api_ctr *c);
bool api_ctr_running(const struct api_ctr *c);

/* How api_serve_fd serves: idle_time seconds without a connection before
 * it returns (0: never); a worker (front.c) also waits for the exec
 * sessions that have not ended, and stops listening before its last
 * connections end; ready(ready_arg) once it listens. */
struct api_how {
	unsigned idle_time;
	bool worker;
	void (*ready)(void *arg);
	void *ready_arg;
};
/* Serve on the listening socket fd until idle or SIGINT/SIGTERM/SIGHUP
 * (server.c); fd stays the caller's to close. */
int api_serve_fd(const struct api_opts *o, const struct api_backend *b, int fd, const struct api_how *how,
		 struct err *e);
/* any exec session created and not ended (exec.c) */
bool api_exec_pending(void);

/* GET /containers/json's entries from the last listing (listcache.c).
 * Between begin and end: get (1: *out, the entry with its Status made
 * again, and whether it runs; 0: build it, then put it with the keys that
 * get filled before the container was loaded); end forgets the entries
 * the listing did not see. */
struct api_lc_file {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};
struct api_lc_keys {
	bool ok;
	struct api_lc_file cfg, st;
};
bool api_list_cache_on(void);
void api_list_cache_begin(void);
int api_list_cache_get(const struct api_backend *b, const char *id, struct api_lc_keys *k, json_object **out,
		       bool *running);
void api_list_cache_put(const char *id, const struct api_lc_keys *k, const struct ctr_state *st,
			json_object *entry);
void api_list_cache_end(void);

/* docker's time format for a unix time ("2024-05-01T10:00:00Z") and the
 * other way round (0 on failure) */
int64_t api_parse_time(const char *rfc3339);

#endif
