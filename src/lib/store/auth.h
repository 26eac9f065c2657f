/* auth.h - registry credentials in podman's auth.json and docker's config.json.
 *
 *   { "auths": { "REGISTRY": { "auth": base64("user:password") } } }
 *
 * Read order when no --authfile is given: $REGISTRY_AUTH_FILE,
 * $XDG_RUNTIME_DIR/containers/auth.json (else RUNROOT/auth.json),
 * ~/.config/containers/auth.json, ~/.docker/config.json.  Keys may be
 * "host", "https://host" or "https://host/v1/"; docker.io is also found as
 * "https://index.docker.io/v1/".  Credential helpers are not supported.
 */
#ifndef BURROW_STORE_AUTH_H
#define BURROW_STORE_AUTH_H

#include "lib/base/error.h"

/* The file login writes: --authfile, else $REGISTRY_AUTH_FILE, else
 * $XDG_RUNTIME_DIR/containers/auth.json, else RUNROOT/containers/auth.json */
char *auth_file_default(const char *authfile, const char *runroot);
/* Credentials for registry (a host[:port] as written in a reference, e.g.
 * "docker.io").  0 and *user, *pass set when found, 0 and NULLs when not,
 * -1 when a file exists but is malformed. */
int auth_lookup(const char *authfile, const char *runroot, const char *registry, char **user, char **pass,
		struct err *e);
/* Add or replace registry in path (created 0600, its directories 0700). */
int auth_store(const char *path, const char *registry, const char *user, const char *pass, struct err *e);
/* Remove registry (NULL: every entry) from path.  *found says whether
 * anything was there. */
int auth_remove(const char *path, const char *registry, int *found, struct err *e);

/* base64 (RFC 4648, with padding); decode returns NULL on bad input */
char *base64_encode(const void *data, size_t len);
char *base64_decode(const char *s, size_t *len);

#endif
