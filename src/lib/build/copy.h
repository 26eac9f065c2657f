/* copy.h - the build context, and COPY/ADD turned into a layer tar.
 *
 * The context is a directory (or a tar read from stdin and unpacked
 * safely into a private temporary directory) filtered by its
 * .dockerignore (ignore.h).  Nothing outside the context is ever read:
 * sources are resolved with openat2(RESOLVE_IN_ROOT) against the context
 * directory, and a source that names a path outside it ("../x", or a
 * symlink leading out) fails.
 *
 * COPY/ADD produce an uncompressed tar holding exactly the new files at
 * their destination, plus the parent directories that did not exist yet
 * (root-owned, 0755); the builder turns that tar into a store layer the
 * same way it does a RUN's upper directory.  COPY --from reads from a
 * stack of store layers (another stage, or an image): that happens in a
 * child inside the user namespace, because the layer files belong to
 * mapped IDs.
 */
#ifndef BURROW_BUILD_COPY_H
#define BURROW_BUILD_COPY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/base/error.h"
#include "lib/runtime/userns.h"

struct build_context;

/* Open the directory dir as the context (reads dir/.dockerignore). */
int build_context_open(const char *dir, struct build_context **out, struct err *e);
/* A tar stream on fd (the "-" context): unpacked safely into a new
 * directory under tmpdir, removed again by build_context_free(). */
int build_context_from_tar(int fd, const char *tmpdir, struct build_context **out, struct err *e);
/* The same with bounds on the uncompressed stream's bytes and its entries
 * (0: unpack.h's defaults), for contexts from the API. */
int build_context_from_tar_limited(int fd, const char *tmpdir, uint64_t max_bytes, uint64_t max_entries,
				   struct build_context **out, struct err *e);
void build_context_free(struct build_context *c);
/* A context named by a URL (remote.c): is it a git repository (which is
 * not fetched)?  Download an http(s) one, at most max bytes, into an
 * unlinked file in dir: *fd, at its start; *text when it was served as
 * text/plain (the Dockerfile alone, as docker takes it), else a tar. */
bool build_remote_is_git(const char *url);
/* A libcurl handle (CURL *) for a GET of url: http(s) only, redirects too,
 * burrow's user agent, connect and stall timeouts, HTTP errors as errors,
 * curl's messages into errbuf (CURL_ERROR_SIZE); NULL when out of memory.
 * libcurl must be loaded (curl_api_load). */
void *build_http_handle(const char *url, char *errbuf);
int build_remote_fetch(const char *url, const char *dir, uint64_t max, int *fd, bool *text, struct err *e);
const char *build_context_dir(const struct build_context *c);
/* The text of a file of the context (for the default Dockerfile and
 * Dockerfile in a tar context); relpath must stay inside. */
int build_context_read(const struct build_context *c, const char *relpath, size_t max, char **text,
		       size_t *len, struct err *e);

struct copy_req {
	const char *instr;   /* "COPY" or "ADD", for messages */
	char **srcs;         /* expanded source words, globs allowed (NULL-terminated) */
	const char *dest;    /* expanded destination; relative ones are under workdir;
				  * a trailing "/" (or several sources) means a directory */
	const char *workdir; /* the stage's WORKDIR, "/" if unset */
	bool add;            /* ADD: local tar archives (any compression) are extracted
				  * into dest; an http(s) URL is downloaded (not extracted,
				  * 0600); a git URL fails with a clear error */
	bool chown;          /* --chown given: every new entry gets uid/gid */
	uid_t uid;           /* resolved by the builder against the stage's passwd */
	gid_t gid;
	int chmod;                /* --chmod, or -1 to keep the source modes */
	const char *heredoc_body; /* COPY <<EOF dest: the file content (srcs = {"EOF"}) */
	char **dest_lowerdirs;    /* the target stage's layers, top first: parents that
				  * already exist there are not added to the tar */
};

enum copy_from { COPY_FROM_CONTEXT, COPY_FROM_LAYERS };
struct copy_src {
	enum copy_from kind;
	const struct build_context *ctx; /* COPY_FROM_CONTEXT */
	char **lowerdirs;                /* COPY_FROM_LAYERS: layer diff dirs, top first */
};

/* "sha256:<hex>" over what r would copy: for every source file or
 * directory (in a stable order) its path relative to the source, type,
 * mode, size, link target and content, plus --chown/--chmod and dest.
 * Timestamps are left out, so touching a file is still a cache hit.
 * A missing source fails with "COPY failed: no source files were
 * specified" / "...: stat X: file does not exist (or is excluded by
 * .dockerignore)". */
int copy_digest(const struct copy_req *r, const struct copy_src *src, const struct idmap *m, char out[72],
		struct err *e);

/* Write the tar of the new files to outfd (a regular file; the caller
 * rewinds it).  m is the user namespace for reading COPY_FROM_LAYERS
 * sources and dest_lowerdirs. */
int copy_write_tar(const struct copy_req *r, const struct copy_src *src, const struct idmap *m, int outfd,
		   struct err *e);

#endif
