/* ref.c - see ref.h */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/util.h"
#include "ref.h"

#define NAME_MAX_LEN 255
#define TAG_MAX_LEN 128

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool digest_valid(const char *d)
{
	return d && strncmp(d, "sha256:", 7) == 0 && strlen(d + 7) == 64 && is_hex(d + 7, 64);
}

bool tag_valid(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > TAG_MAX_LEN)
		return false;
	if (!(isalnum((unsigned char)t[0]) || t[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(isalnum((unsigned char)t[i]) || t[i] == '_' || t[i] == '.' || t[i] == '-'))
			return false;
	return true;
}

/* alnum+ (sep alnum+)*  with sep = "." | "_" | "__" | "-"+ */
static const char *path_component_problem(const char *c, size_t n)
{
	size_t i = 0;

	if (n == 0)
		return "empty path component";
	for (size_t k = 0; k < n; k++)
		if (c[k] >= 'A' && c[k] <= 'Z')
			return "repository name must be lowercase";
	while (i < n) {
		size_t start = i;
		while (i < n && is_lower_alnum(c[i]))
			i++;
		if (i == start)
			return "path components must start and end with a lowercase letter or digit";
		if (i == n)
			return NULL;
		if (c[i] == '.') {
			i++;
		} else if (c[i] == '_') {
			i++;
			if (i < n && c[i] == '_')
				i++;
		} else if (c[i] == '-') {
			while (i < n && c[i] == '-')
				i++;
		} else {
			return "invalid character in repository name";
		}
		if (i == n)
			return "path components must start and end with a lowercase letter or digit";
	}
	return NULL;
}

/* host (. host)* (: port)?  host = [A-Za-z0-9] | [A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9] */
static bool domain_valid(const char *d, size_t n)
{
	const char *colon = memchr(d, ':', n);
	size_t hn = colon ? (size_t)(colon - d) : n;
	size_t i = 0;

	if (hn == 0)
		return false;
	while (i < hn) {
		size_t start = i;
		while (i < hn && d[i] != '.')
			i++;
		if (i == start || !isalnum((unsigned char)d[start]) || !isalnum((unsigned char)d[i - 1]))
			return false;
		for (size_t k = start; k < i; k++)
			if (!isalnum((unsigned char)d[k]) && d[k] != '-')
				return false;
		if (i < hn) {
			i++;
			if (i == hn)
				return false;
		}
	}
	if (colon) {
		size_t pn = n - hn - 1;
		if (pn == 0 || pn > 5)
			return false;
		for (size_t k = hn + 1; k < n; k++)
			if (!isdigit((unsigned char)d[k]))
				return false;
	}
	return true;
}

static bool looks_like_domain(const char *c, size_t n)
{
	if (memchr(c, '.', n) || memchr(c, ':', n))
		return true;
	if (n == 9 && strncmp(c, "localhost", 9) == 0)
		return true;
	for (size_t i = 0; i < n; i++)
		if (c[i] >= 'A' && c[i] <= 'Z')
			return true;
	return false;
}

void ref_free(struct ref *r)
{
	free(r->domain);
	free(r->path);
	free(r->tag);
	free(r->digest);
	memset(r, 0, sizeof *r);
}

static int bad(struct err *e, const char *s, const char *why)
{
	return err_make(e, 0, "invalid image name \"%s\": %s", s, why);
}

int ref_parse(const char *s, struct ref *r, struct err *e)
{
	_cleanup_free_ char *name = NULL;
	const char *at, *slash, *colon, *p;
	size_t namelen;

	memset(r, 0, sizeof *r);
	if (!s || !*s)
		return err_make(e, 0, "invalid image name \"\": empty reference");
	for (p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return bad(e, s, "contains a space or control character");
	at = strchr(s, '@');
	namelen = at ? (size_t)(at - s) : strlen(s);
	if (at) {
		if (strncmp(at + 1, "sha256:", 7) != 0 && strchr(at + 1, ':'))
			return bad(e, s, "unsupported digest algorithm (only sha256)");
		if (!digest_valid(at + 1))
			return bad(e, s, "invalid digest (want sha256: and 64 lowercase hex characters)");
	}
	name = xasprintf("%.*s", (int)namelen, s);
	slash = strrchr(name, '/');
	colon = strrchr(name, ':');
	if (colon && (!slash || colon > slash)) {
		if (!tag_valid(colon + 1))
			return bad(e, s,
				   colon[1] ? "invalid tag (want [A-Za-z0-9_][A-Za-z0-9_.-]{0,127})"
					    : "empty tag");
		r->tag = xstrdup(colon + 1);
		name[colon - name] = '\0';
	}
	if (!*name)
		return ref_free(r), bad(e, s, "empty repository name");
	if (strlen(name) > NAME_MAX_LEN)
		return ref_free(r), bad(e, s, "repository name longer than 255 characters");
	slash = strchr(name, '/');
	p = name;
	if (slash && looks_like_domain(name, (size_t)(slash - name))) {
		if (!domain_valid(name, (size_t)(slash - name)))
			return ref_free(r), bad(e, s, "invalid registry domain");
		r->domain = xasprintf("%.*s", (int)(slash - name), name);
		p = slash + 1;
	}
	for (const char *c = p;;) {
		const char *end = strchr(c, '/');
		size_t n = end ? (size_t)(end - c) : strlen(c);
		const char *why = path_component_problem(c, n);
		if (why)
			return ref_free(r), bad(e, s, why);
		if (!end)
			break;
		c = end + 1;
	}
	r->path = xstrdup(p);
	if (at)
		r->digest = xstrdup(at + 1);
	return 0;
}

char *ref_string(const struct ref *r)
{
	return xasprintf("%s%s%s%s%s%s%s", r->domain ? r->domain : "", r->domain ? "/" : "", r->path,
			 r->tag ? ":" : "", r->tag ? r->tag : "", r->digest ? "@" : "",
			 r->digest ? r->digest : "");
}

/* docker.io spellings and its implicit library/ namespace */
static void normalize_docker(struct ref *r)
{
	if (!r->domain)
		return;
	if (strcmp(r->domain, "index.docker.io") == 0 || strcmp(r->domain, "registry-1.docker.io") == 0) {
		free(r->domain);
		r->domain = xstrdup("docker.io");
	}
	if (strcmp(r->domain, "docker.io") == 0 && !strchr(r->path, '/')) {
		char *p = xasprintf("library/%s", r->path);
		free(r->path);
		r->path = p;
	}
}

char *ref_normalize_new(const char *s, struct err *e)
{
	struct ref r;
	char *out;

	if (ref_parse(s, &r, e) < 0)
		return NULL;
	if (r.digest) {
		ref_free(&r);
		err_make(e, 0, "invalid image name \"%s\": a digest reference cannot name a new image", s);
		return NULL;
	}
	if (!r.domain)
		r.domain = xstrdup("localhost");
	normalize_docker(&r);
	if (!r.tag)
		r.tag = xstrdup("latest");
	out = ref_string(&r);
	ref_free(&r);
	/* the defaults make the name longer: it must still be a reference
	 * (255 characters at most), or the image could not be named again */
	if (ref_parse(out, &r, e) < 0) {
		free(out);
		return NULL;
	}
	ref_free(&r);
	return out;
}

int ref_candidates(const char *s, char ***out, struct err *e)
{
	struct ref r;
	char **v = NULL;

	if (ref_parse(s, &r, e) < 0)
		return -1;
	if (!r.tag && !r.digest)
		r.tag = xstrdup("latest");
	if (r.domain) {
		normalize_docker(&r);
		char *n = ref_string(&r);
		strv_push(&v, n);
		free(n);
	} else {
		char *n;
		r.domain = xstrdup("localhost");
		n = ref_string(&r);
		strv_push(&v, n);
		free(n);
		free(r.domain);
		r.domain = xstrdup("docker.io");
		normalize_docker(&r);
		n = ref_string(&r);
		strv_push(&v, n);
		free(n);
	}
	ref_free(&r);
	*out = v;
	return 0;
}

void ref_split_repo_tag(const char *name, char **repo, char **tag)
{
	const char *at = strchr(name, '@');
	const char *slash, *colon;
	size_t n = at ? (size_t)(at - name) : strlen(name);

	slash = memrchr(name, '/', n);
	colon = memrchr(name, ':', n);
	if (colon && (!slash || colon > slash)) {
		*repo = xasprintf("%.*s", (int)(colon - name), name);
		*tag = xasprintf("%.*s", (int)(n - (size_t)(colon - name) - 1), colon + 1);
	} else {
		*repo = xasprintf("%.*s", (int)n, name);
		*tag = xstrdup("<none>");
	}
}
