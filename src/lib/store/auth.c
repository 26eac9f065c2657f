/* auth.c - see auth.h */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "auth.h"
#include "lib/base/config.h"
#include "lib/base/log.h"
#include "lib/base/util.h"
#include "store_int.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode(const void *data, size_t len)
{
	const unsigned char *p = data;
	char *out = xmalloc((len + 2) / 3 * 4 + 1), *o = out;

	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < len ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < len ? p[i + 2] : 0);
		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = i + 1 < len ? b64[v >> 6 & 63] : '=';
		*o++ = i + 2 < len ? b64[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

char *base64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s), k = 0;
	unsigned acc = 0;
	int bits = 0;
	char *out = xmalloc(n / 4 * 3 + 4);

	for (size_t i = 0; i < n; i++) {
		const char *c;
		if (s[i] == '=')
			break;
		if (!(c = strchr(b64, s[i])) || !s[i]) {
			free(out);
			return NULL;
		}
		acc = acc << 6 | (unsigned)(c - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[k++] = (char)(acc >> bits & 0xff);
		}
	}
	out[k] = '\0';
	if (len)
		*len = k;
	return out;
}

char *auth_file_default(const char *authfile, const char *runroot)
{
	const char *v;

	if (authfile && *authfile)
		return xstrdup(authfile);
	if ((v = getenv("REGISTRY_AUTH_FILE")) && *v)
		return xstrdup(v);
	if ((v = getenv("XDG_RUNTIME_DIR")) && *v == '/') {
		/* another user's (or a world-writable) directory could hand us
		 * their credentials, or take ours */
		_cleanup_free_ char *why = NULL;
		int r = config_private_dir(v, &why);
		if (r == 1)
			return xasprintf("%s/containers/auth.json", v);
		if (r < 0)
			log_warn(
				"not using XDG_RUNTIME_DIR=%s for auth.json: %s; using %s/containers instead",
				v, why, runroot);
	}
	return xasprintf("%s/containers/auth.json", runroot);
}

static int load(const char *path, json_object **out, struct err *e)
{
	_cleanup_free_ char *txt = NULL;
	json_object *o;

	*out = NULL;
	if (read_file_at(AT_FDCWD, path, 1 << 20, &txt, NULL, e) < 0) {
		if (e->errnum == ENOENT) {
			err_clear(e);
			return 0;
		}
		return -1;
	}
	o = json_tokener_parse(txt);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return err_make(e, 0, "%s is not a valid auth file (JSON object expected)", path);
	}
	*out = o;
	return 0;
}

/* "https://host/v1/" -> "host" */
static char *key_host(const char *k)
{
	const char *s = k;
	if (strncmp(s, "https://", 8) == 0)
		s += 8;
	else if (strncmp(s, "http://", 7) == 0)
		s += 7;
	return xasprintf("%.*s", (int)strcspn(s, "/"), s);
}

static int lookup_in(json_object *root, const char *path, const char *registry, char **user, char **pass,
		     struct err *e)
{
	json_object *auths;

	if (!json_object_object_get_ex(root, "auths", &auths) ||
	    !json_object_is_type(auths, json_type_object))
		return 0;
	json_object_object_foreach(auths, key, val) {
		_cleanup_free_ char *h = key_host(key), *dec = NULL;
		json_object *a;
		char *colon;
		bool match = strcmp(h, registry) == 0 ||
			     (strcmp(registry, "docker.io") == 0 &&
			      (strcmp(h, "index.docker.io") == 0 || strcmp(h, "registry-1.docker.io") == 0));
		if (!match)
			continue;
		if (!json_object_object_get_ex(val, "auth", &a) || !json_object_is_type(a, json_type_string))
			continue; /* a credential helper entry, or identitytoken only */
		dec = base64_decode(json_object_get_string(a), NULL);
		if (!dec || !(colon = strchr(dec, ':')))
			return err_make(e, 0, "%s: the credentials for %s are malformed", path, key);
		*colon = '\0';
		*user = xstrdup(dec);
		*pass = xstrdup(colon + 1);
		return 1;
	}
	return 0;
}

int auth_lookup(const char *authfile, const char *runroot, const char *registry, char **user, char **pass,
		struct err *e)
{
	_cleanup_strv_ char **files = NULL;
	_cleanup_free_ char *h = user_home_dir();

	*user = *pass = NULL;
	if (authfile && *authfile) {
		strv_push(&files, authfile);
	} else {
		char *p = auth_file_default(NULL, runroot);
		strv_push(&files, p);
		free(p);
		p = xasprintf("%s/.config/containers/auth.json", h);
		strv_push(&files, p);
		free(p);
		p = xasprintf("%s/.docker/config.json", h);
		strv_push(&files, p);
		free(p);
	}
	for (size_t i = 0; files[i]; i++) {
		_cleanup_json_ json_object *root = NULL;
		int r;
		if (load(files[i], &root, e) < 0)
			return -1;
		if (!root)
			continue;
		r = lookup_in(root, files[i], registry, user, pass, e);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	return 0;
}

static int save(const char *path, json_object *root, struct err *e)
{
	_cleanup_free_ char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	const char *txt;

	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir_p_at(AT_FDCWD, dir, 0700, e) < 0)
			return -1;
	}
	txt = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	return write_file_atomic_at(AT_FDCWD, path, txt, strlen(txt), 0600, e);
}

int auth_store(const char *path, const char *registry, const char *user, const char *pass, struct err *e)
{
	_cleanup_json_ json_object *root = NULL;
	_cleanup_free_ char *raw = xasprintf("%s:%s", user, pass), *enc = NULL;
	json_object *auths, *ent;

	if (load(path, &root, e) < 0)
		return -1;
	if (!root)
		root = json_object_new_object();
	if (!json_object_object_get_ex(root, "auths", &auths) ||
	    !json_object_is_type(auths, json_type_object)) {
		auths = json_object_new_object();
		json_object_object_add(root, "auths", auths);
	}
	enc = base64_encode(raw, strlen(raw));
	ent = json_object_new_object();
	json_object_object_add(ent, "auth", json_object_new_string(enc));
	json_object_object_add(auths, registry, ent);
	return save(path, root, e);
}

int auth_remove(const char *path, const char *registry, int *found, struct err *e)
{
	_cleanup_json_ json_object *root = NULL;
	_cleanup_strv_ char **del = NULL;
	json_object *auths;

	*found = 0;
	if (load(path, &root, e) < 0)
		return -1;
	if (!root || !json_object_object_get_ex(root, "auths", &auths) ||
	    !json_object_is_type(auths, json_type_object))
		return 0;
	json_object_object_foreach(auths, key, val) {
		_cleanup_free_ char *h = key_host(key);
		(void)val;
		if (!registry || strcmp(h, registry) == 0 || strcmp(key, registry) == 0)
			strv_push(&del, key);
	}
	for (size_t i = 0; del && del[i]; i++)
		json_object_object_del(auths, del[i]);
	*found = del != NULL;
	return del ? save(path, root, e) : 0;
}
