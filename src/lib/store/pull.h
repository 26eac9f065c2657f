/* pull.h - images from registries: the library entry points behind pull,
 * push, save and load (and run --pull).
 */
#ifndef BURROW_STORE_PULL_H
#define BURROW_STORE_PULL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/base/error.h"
#include "lib/runtime/userns.h"
#include "store.h"

enum store_progress_event {
	PROGRESS_RESOLVED, /* the manifest is known: count layers follow */
	PROGRESS_EXISTS,   /* layer index already in the store */
	PROGRESS_START,    /* layer index starts downloading */
	PROGRESS_BYTES,    /* done of total bytes (at most ~10 per second) */
	PROGRESS_DONE,     /* layer index downloaded, verified and unpacked */
	PROGRESS_CONFIG,   /* the config blob is being fetched or written */
	PROGRESS_WRITING,  /* the image is being committed */
};

struct store_progress {
	enum store_progress_event ev;
	size_t index, count;
	const char *digest;   /* the blob ("sha256:...") */
	uint64_t done, total; /* bytes; total 0 = unknown */
};

typedef void (*store_progress_fn)(void *ctx, const struct store_progress *p);

struct pull_opts {
	bool tls_verify;            /* default true: HTTPS with verified certificates */
	const char *platform;       /* "os/arch[/variant]"; NULL = this host */
	const char *arch;           /* overrides the architecture only */
	const char *authfile;       /* NULL = default search */
	const char *runroot;        /* for the default auth file (required) */
	char **search_registries;   /* for short names; NULL = docker.io */
	store_progress_fn progress; /* may be NULL */
	void *progress_ctx;
	volatile sig_atomic_t *cancel; /* set from a SIGINT handler: clean abort */
	const char **resolved;         /* out (optional): the name pulled; static until next pull */
	const char *user, *pass;       /* explicit credentials (the API's X-Registry-Auth), else looked up */
};

/* Pull ref ("debian:bookworm", "host:5000/x@sha256:...") into the store and
 * name it.  A short name is tried against each search registry in turn.
 * id receives the image id.  Nothing is left behind on failure. */
int store_pull(struct store *s, const struct idmap *m, const char *ref, const struct pull_opts *o,
	       char id[65], struct err *e);

/* Push image src (a local name or id) to dest (a qualified reference). */
struct push_opts {
	bool tls_verify;
	const char *authfile;
	const char *runroot;
	const char *format; /* "oci" (default) or "v2s2" */
	store_progress_fn progress;
	void *progress_ctx;
	volatile sig_atomic_t *cancel;
	char digest[72];         /* out: the manifest digest */
	const char *user, *pass; /* explicit credentials, else looked up */
};
int store_push(struct store *s, const struct idmap *m, const char *src, const char *dest, struct push_opts *o,
	       struct err *e);

/* save: write images to path ("-" = stdout) as a docker-archive or an
 * oci-archive tar. */
int store_save(struct store *s, const struct idmap *m, char **refs, const char *path, const char *format,
	       struct err *e);
/* The same to fd (a pipe or socket: written in order, not closed). */
int store_save_fd(struct store *s, const struct idmap *m, char **refs, int fd, const char *format,
		  struct err *e);
/* load: a docker-archive, oci-archive (tar, optionally compressed) or an
 * OCI layout directory.  *ids receives the loaded image ids and *names
 * their names. */
int store_load(struct store *s, const struct idmap *m, const char *path, char ***ids, char ***names,
	       volatile sig_atomic_t *cancel, struct err *e);

#endif
