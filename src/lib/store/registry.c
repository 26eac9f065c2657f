/* registry.c - see registry.h */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "auth.h"
#include "lib/base/log.h"
#include "lib/base/util.h"
#include "registry.h"
#include "store_int.h"

#define RETRIES 4
#define TOKEN_MAX (1u << 20)

void http_resp_free(struct http_resp *r)
{
	free(r->body);
	free(r->ctype);
	free(r->digest);
	free(r->location);
	free(r->challenge);
	free(r->range);
	memset(r, 0, sizeof *r);
}

/* ---- which registries may be reached without verified TLS ---- */

static char **insecure_list;   /* burrow.conf insecure-registries (not owned) */
static bool insecure_loopback; /* the service: loopback registries, as dockerd */

void registry_set_insecure(char **list, bool loopback)
{
	insecure_list = list;
	insecure_loopback = loopback;
}

/* "host:port" -> host ("[::1]:5000" -> "::1") into buf */
static void domain_host(const char *domain, char *buf, size_t n)
{
	const char *end;

	if (*domain == '[' && (end = strchr(domain, ']'))) {
		snprintf(buf, n, "%.*s", (int)(end - domain - 1), domain + 1);
		return;
	}
	end = strchr(domain, ':');
	if (end && !strchr(end + 1, ':'))
		snprintf(buf, n, "%.*s", (int)(end - domain), domain);
	else
		snprintf(buf, n, "%s", domain);
}

static bool in_cidr(const char *host, const char *cidr)
{
	char net[64];
	const char *slash = strchr(cidr, '/');
	struct in_addr a, b;
	char *end;
	unsigned long bits;

	if (!slash || (size_t)(slash - cidr) >= sizeof net)
		return false;
	snprintf(net, sizeof net, "%.*s", (int)(slash - cidr), cidr);
	bits = strtoul(slash + 1, &end, 10);
	if (*end || bits > 32 || inet_pton(AF_INET, net, &b) != 1 || inet_pton(AF_INET, host, &a) != 1)
		return false;
	if (bits == 0)
		return true;
	return ((ntohl(a.s_addr) ^ ntohl(b.s_addr)) >> (32 - bits)) == 0;
}

bool registry_insecure(const char *domain, char *const *list, bool loopback)
{
	char host[256];

	domain_host(domain, host, sizeof host);
	if (loopback &&
	    (strcmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 || in_cidr(host, "127.0.0.0/8")))
		return true;
	for (size_t i = 0; list && list[i]; i++) {
		const char *l = list[i];
		if (strncmp(l, "http://", 7) == 0)
			l += 7;
		else if (strncmp(l, "https://", 8) == 0)
			l += 8;
		if (strcmp(l, domain) == 0 || strcmp(l, host) == 0 || in_cidr(host, l))
			return true;
	}
	return false;
}

const char *registry_api_host(const char *domain)
{
	if (strcmp(domain, "docker.io") == 0 || strcmp(domain, "index.docker.io") == 0)
		return "registry-1.docker.io";
	return domain;
}

bool registry_transient(CURLcode cc, long code)
{
	switch (cc) {
	case CURLE_OK:
		return code == 429 || code == 500 || code == 502 || code == 503 || code == 504;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

/* --- where credentials may go */

char *registry_url_origin(const char *url)
{
	const char *host;
	size_t sl, hl;
	bool tls;
	char *out;

	if (strncasecmp(url, "https://", 8) == 0)
		tls = true, sl = 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		tls = false, sl = 7;
	else
		return NULL;
	host = url + sl;
	hl = strcspn(host, "/?#");
	/* user:password@host is never what a registry sends: no origin */
	if (hl == 0 || memchr(host, '@', hl) || memchr(host, '\\', hl))
		return NULL;
	out = xasprintf("%s://%.*s", tls ? "https" : "http", (int)hl, host);
	for (char *c = out; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	/* the default port spelled out or not is the same origin */
	if (!strchr(out + (tls ? 8 : 7), ':') || out[strlen(out) - 1] == ']') {
		char *t = xasprintf("%s:%s", out, tls ? "443" : "80");
		free(out);
		out = t;
	}
	return out;
}

bool registry_same_origin(const char *a, const char *b)
{
	_cleanup_free_ char *oa = a ? registry_url_origin(a) : NULL;
	_cleanup_free_ char *ob = b ? registry_url_origin(b) : NULL;
	return oa && ob && strcmp(oa, ob) == 0;
}

char *registry_resolve(const char *request_url, const char *loc)
{
	_cleanup_free_ char *origin = registry_url_origin(request_url);
	const char *path;
	size_t dir;

	if (strncasecmp(loc, "https://", 8) == 0 || strncasecmp(loc, "http://", 7) == 0)
		return xstrdup(loc);
	if (!origin)
		return NULL;
	if (strncmp(loc, "//", 2) == 0)
		return xasprintf("%.*s%s", (int)(strchr(origin, ':') - origin + 1), origin, loc);
	/* the request URL's scheme://host[:port] as it was written */
	path = strstr(request_url, "://") + 3;
	path += strcspn(path, "/?#");
	if (loc[0] == '/')
		return xasprintf("%.*s%s", (int)(path - request_url), request_url, loc);
	/* relative to the request path's directory */
	dir = strcspn(path, "?#");
	while (dir > 0 && path[dir - 1] != '/')
		dir--;
	if (dir == 0)
		return xasprintf("%.*s/%s", (int)(path - request_url), request_url, loc);
	return xasprintf("%.*s%s", (int)(path + dir - request_url), request_url, loc);
}

/* Plain HTTP for a token or an upload only when TLS checks are off for
 * this registry (--tls-verify=false): else credentials or layers would go
 * out in clear text to a place the registry merely named. */
int registry_check_url(const struct registry *r, const char *what, const char *url, struct err *e)
{
	_cleanup_free_ char *o = registry_url_origin(url);

	if (!o)
		return err_make(e, EPROTO, "%s: the registry sent an unusable %s \"%s\"", r->name, what, url);
	if (strncmp(o, "http://", 7) == 0 && r->tls_verify)
		return err_make(e, EPROTO,
				"%s: refusing the plain-HTTP %s %s (TLS verification is on; "
				"--tls-verify=false only for a registry you trust)",
				r->name, what, url);
	return 0;
}

/* --- WWW-Authenticate */

int challenge_parse(const char *hdr, struct challenge *c)
{
	const char *p = hdr;
	size_t n;

	memset(c, 0, sizeof *c);
	while (*p == ' ')
		p++;
	n = strcspn(p, " ");
	if (n == 0 || n >= sizeof c->scheme)
		return -1;
	snprintf(c->scheme, sizeof c->scheme, "%.*s", (int)n, p);
	p += n;
	while (*p) {
		char key[32], *val;
		size_t kl;
		while (*p == ' ' || *p == ',')
			p++;
		kl = strcspn(p, "= ,");
		if (!kl)
			break;
		snprintf(key, sizeof key, "%.*s", (int)(kl < 31 ? kl : 31), p);
		p += kl;
		if (*p != '=')
			continue;
		p++;
		if (*p == '"') {
			const char *end = ++p;
			size_t k = 0;
			val = xmalloc(strlen(p) + 1);
			while (*end && *end != '"') {
				if (*end == '\\' && end[1])
					end++;
				val[k++] = *end++;
			}
			val[k] = '\0';
			p = *end ? end + 1 : end;
		} else {
			size_t vl = strcspn(p, ",");
			val = xasprintf("%.*s", (int)vl, p);
			p += vl;
		}
		if (strcasecmp(key, "realm") == 0 && !c->realm)
			c->realm = val;
		else if (strcasecmp(key, "service") == 0 && !c->service)
			c->service = val;
		else if (strcasecmp(key, "scope") == 0 && !c->scope)
			c->scope = val;
		else
			free(val);
	}
	return 0;
}

void challenge_free(struct challenge *c)
{
	free(c->realm);
	free(c->service);
	free(c->scope);
	memset(c, 0, sizeof *c);
}

/* --- one transfer */

struct xfer {
	struct http_resp *resp;
	size_t cap, max;
	volatile sig_atomic_t *cancel;
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = sz * n;

	if (x->resp->len + len > x->max) {
		x->resp->too_large = true;
		return 0;
	}
	if (x->resp->len + len + 1 > x->cap) {
		x->cap = (x->resp->len + len + 1) * 2;
		x->resp->body = xrealloc(x->resp->body, x->cap);
	}
	memcpy(x->resp->body + x->resp->len, p, len);
	x->resp->len += len;
	x->resp->body[x->resp->len] = '\0';
	return len;
}

static void set_hdr(char **dst, const char *v, size_t n)
{
	free(*dst);
	*dst = xasprintf("%.*s", (int)n, v);
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = sz * n, kl;
	const char *v;

	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* a new response (after a redirect or 100-continue) */
		free(x->resp->ctype);
		free(x->resp->challenge);
		free(x->resp->digest);
		free(x->resp->location);
		x->resp->ctype = x->resp->challenge = x->resp->digest = x->resp->location = NULL;
		return len;
	}
	kl = strcspn(p, ":");
	if (kl >= len)
		return len;
	v = p + kl + 1;
	while (v < p + len && (*v == ' ' || *v == '\t'))
		v++;
	n = (size_t)(p + len - v);
	while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
#define IS(name) (kl == strlen(name) && strncasecmp(p, name, kl) == 0)
	if (IS("Content-Type"))
		set_hdr(&x->resp->ctype, v, n);
	else if (IS("Docker-Content-Digest"))
		set_hdr(&x->resp->digest, v, n);
	else if (IS("WWW-Authenticate"))
		set_hdr(&x->resp->challenge, v, n);
	else if (IS("Location"))
		set_hdr(&x->resp->location, v, n);
	else if (IS("Range"))
		set_hdr(&x->resp->range, v, n);
#undef IS
	return len;
}

static int on_progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	struct xfer *x = ud;
	(void)a, (void)b, (void)c, (void)d;
	return x->cancel && *x->cancel ? 1 : 0;
}

void registry_setup_easy(struct registry *r, CURL *h, const char *url, const char *const *hdrs,
			 struct curl_slist **list)
{
	curl_setup_common(h, url);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, NULL);
	if (!r->tls_verify) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	*list = NULL;
	/* Credentials go only to the scheme, host and port they were made for
	 * (a Location or a realm may name any other).  On a redirect curl drops
	 * a custom Authorization header once the host, port or scheme changes,
	 * so a blob GET sent on to a CDN goes there without it. */
	curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
	if (r->authz && registry_same_origin(url, r->authz_origin))
		*list = curl_slist_append(*list, r->authz);
	for (size_t i = 0; hdrs && hdrs[i]; i++)
		*list = curl_slist_append(*list, hdrs[i]);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, *list);
}

static CURLcode perform(struct registry *r, const char *method, const char *url, const char *const *hdrs,
			const void *body, size_t blen, int upload_fd, uint64_t upload_len, size_t max,
			struct http_resp *resp, char *errbuf)
{
	CURL *h = curl_easy_init();
	struct curl_slist *list = NULL;
	struct xfer x = { resp, 0, max, r->cancel };
	FILE *up = NULL;
	CURLcode cc;

	/* the caller reads and frees resp and errbuf whatever this returns */
	memset(resp, 0, sizeof *resp);
	errbuf[0] = '\0';
	if (!h)
		return CURLE_OUT_OF_MEMORY;
	registry_setup_easy(r, h, url, hdrs, &list);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, &x);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (upload_fd >= 0) {
		int dfd = dup(upload_fd);
		up = dfd >= 0 ? fdopen(dfd, "rb") : NULL;
		if (!up || fseeko(up, 0, SEEK_SET) < 0) {
			if (up)
				fclose(up);
			curl_slist_free_all(list);
			curl_easy_cleanup(h);
			return CURLE_READ_ERROR;
		}
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READDATA, up);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)upload_len);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	} else if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
		if (body || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
		}
	}
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->code);
	{
		curl_off_t cl = -1;
		if (curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK && cl >= 0)
			resp->clen = (uint64_t)cl;
	}
	if (!errbuf[0] && cc != CURLE_OK)
		snprintf(errbuf, CURL_ERROR_SIZE, "%s", curl_easy_strerror(cc));
	if (up)
		fclose(up);
	curl_slist_free_all(list);
	curl_easy_cleanup(h);
	return cc;
}

static void backoff(int attempt)
{
	struct timespec ts = { 0, 200L * 1000 * 1000 << attempt };
	while (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	nanosleep(&ts, NULL);
}

static int request_once_retrying(struct registry *r, const char *method, const char *url,
				 const char *const *hdrs, const void *body, size_t blen, int upload_fd,
				 uint64_t upload_len, size_t max, struct http_resp *resp, struct err *e)
{
	char errbuf[CURL_ERROR_SIZE];

	for (int attempt = 0;; attempt++) {
		CURLcode cc = perform(r, method, url, hdrs, body, blen, upload_fd, upload_len, max, resp,
				      errbuf);
		if (r->cancel && *r->cancel) {
			http_resp_free(resp);
			return err_make(e, EINTR, "interrupted");
		}
		if (cc == CURLE_WRITE_ERROR && resp->too_large) {
			http_resp_free(resp);
			return err_make(e, EFBIG, "%s %s: the response is larger than %zu bytes", method, url,
					max);
		}
		if (registry_transient(cc, resp->code) && attempt < RETRIES) {
			log_debug("%s %s: %s (HTTP %ld), retrying", method, url,
				  cc ? errbuf : "transient error", resp->code);
			http_resp_free(resp);
			backoff(attempt);
			continue;
		}
		if (cc != CURLE_OK) {
			http_resp_free(resp);
			return err_make(e, 0, "%s %s: %s", method, url, errbuf);
		}
		return 0;
	}
}

int registry_http_error(const struct http_resp *resp, const char *what, struct err *e)
{
	_cleanup_json_ json_object *o = NULL;
	json_object *errs, *m;
	const char *msg = NULL, *code = NULL;

	if (resp->body && resp->len && (o = json_tokener_parse(resp->body)) &&
	    json_object_object_get_ex(o, "errors", &errs) && json_object_is_type(errs, json_type_array) &&
	    json_object_array_length(errs) > 0) {
		json_object *e0 = json_object_array_get_idx(errs, 0);
		if (json_object_object_get_ex(e0, "message", &m))
			msg = json_object_get_string(m);
		if (json_object_object_get_ex(e0, "code", &m))
			code = json_object_get_string(m);
	}
	if (resp->code == 401)
		return err_make(e, EACCES, "%s: authentication required (HTTP 401)%s%s", what,
				msg ? ": " : "", msg ? msg : "");
	if (resp->code == 403)
		return err_make(e, EACCES, "%s: access denied (HTTP 403)%s%s", what, msg ? ": " : "",
				msg ? msg : "");
	if (resp->code == 404 && code && strcmp(code, "MANIFEST_UNKNOWN") == 0)
		return err_make(e, ENOENT, "%s: manifest unknown", what);
	if (resp->code == 404 && code && strcmp(code, "NAME_UNKNOWN") == 0)
		return err_make(e, ENOENT, "%s: repository name not known to registry", what);
	if (resp->code == 404)
		return err_make(e, ENOENT, "%s: not found (HTTP 404)", what);
	return err_make(e, 0, "%s: HTTP %ld%s%s", what, resp->code, msg ? ": " : "", msg ? msg : "");
}

int registry_open(const char *domain, const struct reg_opts *o, struct registry **out, struct err *e)
{
	struct registry *r;
	struct http_resp resp = { 0 };
	const char *host = registry_api_host(domain);
	char *url;
	int rc;

	if (curl_api_load(e) < 0)
		return -1;
	r = xcalloc(1, sizeof *r);
	r->name = xstrdup(domain);
	r->tls_verify = o->tls_verify && !registry_insecure(domain, insecure_list, insecure_loopback);
	r->cancel = o->cancel;
	if (o->user) {
		r->user = xstrdup(o->user);
		r->pass = xstrdup(o->pass ? o->pass : "");
	} else if (auth_lookup(o->authfile, o->runroot, domain, &r->user, &r->pass, e) < 0) {
		registry_close(r);
		return -1;
	}
	r->base = xasprintf("https://%s", host);
	url = xasprintf("%s/v2/", r->base);
	rc = request_once_retrying(r, "GET", url, NULL, NULL, 0, -1, 0, 1 << 16, &resp, e);
	free(url);
	if (rc < 0 && !r->tls_verify) {
		/* --tls-verify=false: plain HTTP when TLS does not work */
		struct err e2 = ERR_INIT;
		free(r->base);
		r->base = xasprintf("http://%s", host);
		url = xasprintf("%s/v2/", r->base);
		rc = request_once_retrying(r, "GET", url, NULL, NULL, 0, -1, 0, 1 << 16, &resp, &e2);
		free(url);
		if (rc == 0)
			err_clear(e);
		else
			err_clear(&e2);
	}
	if (rc < 0) {
		err_wrap(e, "pinging container registry %s", domain);
		if (r->tls_verify && e->msg &&
		    (strstr(e->msg, "SSL") || strstr(e->msg, "TLS") || strstr(e->msg, "certificate")))
			err_wrap(e, "use --tls-verify=false for a plain-HTTP or self-signed registry");
		registry_close(r);
		return -1;
	}
	if (resp.code == 401 && resp.challenge) {
		r->challenge = steal_ptr(resp.challenge);
	} else if (resp.code != 200 && resp.code != 401) {
		registry_http_error(&resp, "pinging the registry", e);
		err_wrap(e, "%s is not a registry (Distribution API v2)", domain);
		http_resp_free(&resp);
		registry_close(r);
		return -1;
	}
	http_resp_free(&resp);
	log_debug("registry %s at %s (%s)", domain, r->base, r->challenge ? r->challenge : "open");
	*out = r;
	return 0;
}

void registry_close(struct registry *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->base);
	free(r->user);
	free(r->pass);
	free(r->challenge);
	free(r->authz);
	free(r->authz_origin);
	free(r->scope);
	free(r);
}

/* "Authorization: Basic" for the requests to origin's scheme, host and port */
static int basic_header(struct registry *r, const char *origin, struct err *e)
{
	_cleanup_free_ char *raw = NULL, *enc = NULL;

	if (!r->user)
		return err_make(e, EACCES, "%s requires authentication: use burrow login %s", r->name,
				r->name);
	raw = xasprintf("%s:%s", r->user, r->pass);
	enc = base64_encode(raw, strlen(raw));
	free(r->authz);
	free(r->authz_origin);
	r->authz = xasprintf("Authorization: Basic %s", enc);
	r->authz_origin = xstrdup(origin);
	return 0;
}

static char *url_escape(const char *s)
{
	char *t = curl_easy_escape(NULL, s, 0);
	char *out = xstrdup(t ? t : "");
	curl_free(t);
	return out;
}

static int bearer(struct registry *r, const struct challenge *c, const char *scope, struct err *e)
{
	_cleanup_free_ char *url = NULL, *svc = NULL, *sc = NULL;
	_cleanup_json_ json_object *o = NULL;
	struct http_resp resp;
	json_object *t;
	int rc;

	if (!c->realm || strncmp(c->realm, "http", 4) != 0)
		return err_make(e, 0, "%s: the authentication challenge has no usable realm", r->name);
	if (registry_check_url(r, "token realm", c->realm, e) < 0)
		return -1;
	free(r->authz);
	free(r->authz_origin);
	r->authz = r->authz_origin = NULL;
	svc = url_escape(c->service ? c->service : "");
	sc = url_escape(scope);
	url = xasprintf("%s%sservice=%s&scope=%s", c->realm, strchr(c->realm, '?') ? "&" : "?", svc, sc);
	/* the password goes to the token server named by the realm, and only there */
	if (r->user && basic_header(r, c->realm, e) < 0)
		return -1;
	rc = request_once_retrying(r, "GET", url, NULL, NULL, 0, -1, 0, TOKEN_MAX, &resp, e);
	free(r->authz);
	free(r->authz_origin);
	r->authz = r->authz_origin = NULL;
	if (rc < 0)
		return err_wrap(e, "getting a token from %s", c->realm);
	if (resp.code == 401 || resp.code == 403) {
		http_resp_free(&resp);
		return err_make(e, EACCES, "%s: %s", r->name,
				r->user ? "invalid username or password" : "authentication required");
	}
	if (resp.code != 200) {
		registry_http_error(&resp, "getting a token", e);
		http_resp_free(&resp);
		return -1;
	}
	o = resp.body ? json_tokener_parse(resp.body) : NULL;
	http_resp_free(&resp);
	if (!o ||
	    !((json_object_object_get_ex(o, "token", &t) && json_object_is_type(t, json_type_string)) ||
	      (json_object_object_get_ex(o, "access_token", &t) && json_object_is_type(t, json_type_string))))
		return err_make(e, 0, "%s: the token server sent no token", r->name);
	r->authz = xasprintf("Authorization: Bearer %s", json_object_get_string(t));
	r->authz_origin = xstrdup(r->base);
	return 0;
}

static int auth_with(struct registry *r, const char *chal, const char *scope, struct err *e)
{
	struct challenge c;
	int rc;

	if (challenge_parse(chal, &c) < 0)
		return err_make(e, 0, "%s: cannot parse the authentication challenge \"%s\"", r->name, chal);
	if (strcasecmp(c.scheme, "Bearer") == 0)
		rc = bearer(r, &c, scope, e);
	else if (strcasecmp(c.scheme, "Basic") == 0)
		rc = basic_header(r, r->base, e);
	else
		rc = err_make(e, 0, "%s: unsupported authentication scheme %s", r->name, c.scheme);
	challenge_free(&c);
	if (rc == 0) {
		free(r->scope);
		r->scope = xstrdup(scope);
	}
	return rc;
}

int registry_auth(struct registry *r, const char *repo, const char *actions, struct err *e)
{
	_cleanup_free_ char *scope = xasprintf("repository:%s:%s", repo, actions);

	if (!r->challenge)
		return 0;
	if (r->scope && strcmp(r->scope, scope) == 0)
		return 0;
	return auth_with(r, r->challenge, scope, e);
}

int registry_request(struct registry *r, const char *method, const char *url, const char *const *hdrs,
		     const void *body, size_t blen, int upload_fd, uint64_t upload_len, size_t max,
		     struct http_resp *resp, struct err *e)
{
	_cleanup_free_ char *full = strncmp(url, "http", 4) == 0 ? xstrdup(url)
								 : xasprintf("%s%s", r->base, url);

	if (request_once_retrying(r, method, full, hdrs, body, blen, upload_fd, upload_len, max, resp, e) < 0)
		return -1;
	/* a challenge from elsewhere (an upload Location on another host)
	 * could name any realm: only the registry's own are answered */
	if (resp->code == 401 && resp->challenge && registry_same_origin(full, r->base)) {
		/* a token for another scope, or an expired one: once more */
		struct challenge c;
		_cleanup_free_ char *chal = steal_ptr(resp->challenge), *scope = NULL;
		http_resp_free(resp);
		if (challenge_parse(chal, &c) == 0) {
			scope = xstrdup(c.scope ? c.scope : r->scope ? r->scope : "");
			challenge_free(&c);
		}
		if (auth_with(r, chal, scope ? scope : "", e) < 0)
			return -1;
		return request_once_retrying(r, method, full, hdrs, body, blen, upload_fd, upload_len, max,
					     resp, e);
	}
	return 0;
}

int registry_login_check(struct registry *r, struct err *e)
{
	struct http_resp resp;
	int rc;

	if (!r->challenge)
		return 0; /* an open registry takes anything */
	if (auth_with(r, r->challenge, "", e) < 0)
		return -1;
	{
		_cleanup_free_ char *url = xasprintf("%s/v2/", r->base);
		if (request_once_retrying(r, "GET", url, NULL, NULL, 0, -1, 0, 1 << 16, &resp, e) < 0)
			return -1;
	}
	rc = resp.code == 200
		     ? 0
		     : err_make(e, EACCES, "logging in to %s: invalid username or password (HTTP %ld)",
				r->name, resp.code);
	http_resp_free(&resp);
	return rc;
}
