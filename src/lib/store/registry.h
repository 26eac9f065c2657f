/* registry.h - a Distribution API v2 client on libcurl.
 *
 * registry_open() pings /v2/ (HTTPS; with tls_verify false an untrusted
 * certificate is accepted and plain HTTP is tried when TLS fails), then
 * registry_auth() gets a Bearer token for a repository scope (anonymous or
 * with credentials from the auth files) or settles on Basic auth.
 * Requests follow redirects (blob storage) and are retried with backoff on
 * transient failures (connection errors, 429, 5xx).
 */
#ifndef BURROW_STORE_REGISTRY_H
#define BURROW_STORE_REGISTRY_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "curl_dl.h"

#include "lib/base/error.h"

struct reg_opts {
	bool tls_verify;
	const char *authfile;          /* NULL: the default search order */
	const char *runroot;           /* for the default auth file */
	const char *user, *pass;       /* explicit credentials (login), else looked up */
	volatile sig_atomic_t *cancel; /* set by a signal handler: abort transfers */
};

struct registry {
	char *name; /* as in references and auth files: "docker.io", "127.0.0.1:5000" */
	char *base; /* "https://registry-1.docker.io" */
	bool tls_verify;
	char *user, *pass;
	char *challenge;    /* WWW-Authenticate of the ping, NULL if open */
	char *authz;        /* "Authorization: ..." header or NULL */
	char *authz_origin; /* the only scheme://host:port authz is sent to */
	char *scope;        /* the scope authz was issued for */
	volatile sig_atomic_t *cancel;
};

struct http_resp {
	long code;
	char *body;
	size_t len;
	char *ctype, *digest, *location, *challenge, *range;
	uint64_t clen;
	bool too_large;
};
void http_resp_free(struct http_resp *r);

/* Registries reached like --tls-verify=false (an unverified certificate,
 * else plain HTTP) whatever the caller asked: those in list (burrow.conf
 * insecure-registries: "host", "host:port" or an IPv4 CIDR), and with
 * loopback those on localhost, 127.0.0.0/8 and ::1, as the Docker daemon
 * allows.  registry_set_insecure() sets the policy registry_open() uses
 * (once, at start; list must stay valid); registry_insecure() checks one
 * reference domain ("127.0.0.1:5000"). */
void registry_set_insecure(char **list, bool loopback);
bool registry_insecure(const char *domain, char *const *list, bool loopback);

/* The API host for a reference domain (docker.io -> registry-1.docker.io). */
const char *registry_api_host(const char *domain);
int registry_open(const char *domain, const struct reg_opts *o, struct registry **out, struct err *e);
void registry_close(struct registry *r);
/* Authorize for "repository:REPO:ACTIONS" (actions "pull" or "pull,push"). */
int registry_auth(struct registry *r, const char *repo, const char *actions, struct err *e);

/* Check the credentials (login): a token without a scope, or Basic auth
 * against /v2/.  An open registry passes. */
int registry_login_check(struct registry *r, struct err *e);

/* One request with retries.  url is absolute or a path under base.  hdrs
 * are extra "Name: value" lines (NULL-terminated, may be NULL).  The body
 * is kept up to max bytes (more sets too_large and fails).  Any HTTP
 * status is returned in resp->code; -1 only for transport failures. */
int registry_request(struct registry *r, const char *method, const char *url, const char *const *hdrs,
		     const void *body, size_t blen, int upload_fd, uint64_t upload_len, size_t max,
		     struct http_resp *resp, struct err *e);

/* The common options (TLS, redirects, timeouts, auth header) on an easy
 * handle; *list receives the header list to free after the transfer. */
void registry_setup_easy(struct registry *r, CURL *h, const char *url, const char *const *hdrs,
			 struct curl_slist **list);

/* An error for a non-2xx response, with the registry's message if any. */
int registry_http_error(const struct http_resp *resp, const char *what, struct err *e);

/* WWW-Authenticate parsing (unit-tested): scheme "Bearer"/"Basic" and params. */
struct challenge {
	char scheme[16];
	char *realm, *service, *scope;
};
int challenge_parse(const char *hdr, struct challenge *c);
void challenge_free(struct challenge *c);

/* Where credentials may go (unit-tested).  registry_url_origin() gives
 * "scheme://host:port" in lower case (the default port filled in) for an
 * http or https URL, else NULL (also for user@host).  registry_resolve()
 * makes a Location absolute against the URL of the request that got it.
 * registry_check_url() refuses a plain-HTTP URL (a token realm or an upload
 * Location) unless TLS verification is off for the registry. */
char *registry_url_origin(const char *url);
bool registry_same_origin(const char *a, const char *b);
char *registry_resolve(const char *request_url, const char *loc);
int registry_check_url(const struct registry *r, const char *what, const char *url, struct err *e);

/* Is this curl result worth retrying? */
bool registry_transient(CURLcode cc, long http_code);

#endif
