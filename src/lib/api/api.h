/* api.h - the Docker Engine API (version 1.41) over a unix socket, for
 * `burrow system service`: docker's CLI, docker-py and the CI tools that
 * speak it drive burrow unchanged.
 *
 * HTTP comes from libmicrohttpd, one thread per connection, so a request
 * that waits (wait, logs --follow, attach) holds only its own thread.  The
 * service keeps no state besides the store: containers it starts have their
 * own supervisors and outlive it, and the CLI works on the same store.
 *
 * The container verbs (create, start, stop, kill, remove, inspect, pause)
 * are the CLI's own: the caller hands them in as a struct api_backend, so
 * this library does the HTTP and the docker JSON and the verbs stay in one
 * place.  Backend calls come from several threads at once: the CLI runs
 * each verb that starts, stops or removes in a child process of its own,
 * as it would run a CLI process.  In-process library calls that change the
 * store (tag, rmi, volumes) and inspect take one lock. */
#ifndef BURROW_API_H
#define BURROW_API_H

#include <json-c/json.h>
#include <stdbool.h>

#include "lib/base/config.h"
#include "lib/base/error.h"

struct container_spec;
struct ctr_state;

struct api_backend {
	void *ctx;
	const char *root, *runroot; /* the store and the runtime directory */
	enum idmap_mode idmap;      /* for what the store unpacks or removes */
	char **search_registries;   /* for short image names; NULL: docker.io */
	const struct config *cfg;   /* the rest of the configuration (build, load) */
	/* Create a container from `burrow create` arguments (argv[0] is "create");
	 * id gets its full ID. */
	int (*create)(void *ctx, int argc, char **argv, char id[65], struct err *e);
	/* Start a created or stopped container under its supervisor. */
	int (*start)(void *ctx, const char *id, struct err *e);
	/* Stop: sig (0: the container's stop signal), then SIGKILL after
	 * timeout seconds (< 0: the container's own timeout). */
	int (*stop)(void *ctx, const char *id, int sig, int timeout, struct err *e);
	int (*kill)(void *ctx, const char *id, int sig, struct err *e);
	int (*pause)(void *ctx, const char *id, bool pause, struct err *e);
	/* Remove; a running container only with force (killed first); with
	 * volumes its anonymous volumes too. */
	int (*remove)(void *ctx, const char *id, bool force, bool volumes, struct err *e);
	/* The docker-shaped inspect object and ps's status text ("Up 5
	 * seconds"), both owned by the caller. */
	int (*inspect)(void *ctx, const char *id, json_object **out, char **status, struct err *e);
	/* The same of a container the caller has loaded already (its record,
	 * parsed record and refreshed state), so a listing reads each once. */
	void (*inspect_loaded)(void *ctx, const char *id, json_object *cfg, const struct container_spec *spec,
			       const struct ctr_state *st, json_object **out, char **status);
	/* ps's status text alone, from a state loaded before (the listing's
	 * cache: the text changes with the time). */
	char *(*status_text)(void *ctx, const struct ctr_state *st);
	/* network connect (aliases NULL-terminated or NULL, ip NULL: the
	 * next free one) and disconnect of container id */
	int (*net_connect)(void *ctx, const char *net, const char *id, char *const *aliases, const char *ip,
			   struct err *e);
	int (*net_disconnect)(void *ctx, const char *net, const char *id, struct err *e);
};

struct api_opts {
	const char *uri;     /* unix://PATH or tcp://127.0.0.1:PORT */
	int listen_fd;       /* >= 0: a socket already listening (systemd) */
	unsigned idle_time;  /* seconds without a request before exiting; 0: never */
	const char *version; /* burrow's version, in /version */
};

/* Default listening URI: unix://$XDG_RUNTIME_DIR/burrow/burrow.sock, or
 * under the runroot. */
char *api_default_uri(const char *runroot);

/* Serve until idle for o->idle_time seconds or until SIGINT/SIGTERM. */
int api_serve(const struct api_opts *o, const struct api_backend *b, struct err *e);

#endif
