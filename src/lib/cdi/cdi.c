/* cdi.c - CDI names and spec documents (cdi.h).  Every field is checked
 * for the type the spec gives it; unknown fields are ignored, as newer
 * spec versions add some, but the known ones burrow can't apply
 * (intelRdt, netDevices) are refused when not empty. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "cdi_int.h"
#include "lib/base/json.h"

#define CDI_MAX_NAME 255

bool cdi_path_ok(const char *p)
{
	size_t n = strlen(p);

	if (p[0] != '/' || n > 4096 || strpbrk(p, ":\n\r") || strstr(p, "//"))
		return false;
	if (strstr(p, "/./") || strstr(p, "/../") || (n >= 2 && !strcmp(p + n - 2, "/.")) ||
	    (n >= 3 && !strcmp(p + n - 3, "/..")))
		return false;
	return true;
}

void cdi_err_clean(struct err *e)
{
	size_t n;

	if (!e->msg)
		return;
	for (char *p = e->msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	n = strlen(e->msg);
	if (n > CDI_MAX_ERR)
		memcpy(e->msg + CDI_MAX_ERR - 3, "...", 4);
}

/* letters, digits and the characters of extra; starting with a letter
 * (or a digit when digit_first) and ending in a letter or digit */
static bool name_ok(const char *s, size_t n, const char *extra, bool digit_first)
{
	if (n == 0 || n > CDI_MAX_NAME)
		return false;
	if (!(isalpha((unsigned char)s[0]) || (digit_first && isdigit((unsigned char)s[0]))))
		return false;
	if (!isalnum((unsigned char)s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(extra, s[i]))
			return false;
	return true;
}

static bool kind_ok(const char *k)
{
	const char *slash = strchr(k, '/');

	return slash && name_ok(k, (size_t)(slash - k), "-_.", false) &&
	       name_ok(slash + 1, strlen(slash + 1), "-_", false);
}

static bool device_name_ok(const char *n)
{
	return name_ok(n, strlen(n), "-_.:", true);
}

bool cdi_is_name(const char *s)
{
	return s[0] != '/' && strchr(s, '=') != NULL;
}

int cdi_parse_name(const char *s, char **kind, char **name, struct err *e)
{
	const char *eq = strchr(s, '=');
	_cleanup_free_ char *k = NULL;

	if (!eq)
		return err_make(e, 0, "invalid CDI device name \"%s\" (VENDOR/CLASS=NAME)", s);
	k = xstrndup(s, (size_t)(eq - s));
	if (!kind_ok(k) || !device_name_ok(eq + 1))
		return err_make(e, 0, "invalid CDI device name \"%s\" (VENDOR/CLASS=NAME)", s);
	*kind = steal_ptr(k);
	*name = xstrdup(eq + 1);
	return 0;
}

/* parsing context: the document's name and the field being read */
struct ctx {
	const char *what;
	struct err *e;
};

static int bad(struct ctx *c, const char *field, const char *msg)
{
	return err_make(c->e, 0, "CDI spec %s: %s %s", c->what, field, msg);
}

/* a string without a NUL byte */
static int str_of(struct ctx *c, json_object *v, const char *field, const char **out)
{
	if (!json_object_is_type(v, json_type_string))
		return bad(c, field, "must be a string");
	*out = json_object_get_string(v);
	if (strlen(*out) != (size_t)json_object_get_string_len(v))
		return bad(c, field, "holds a NUL byte");
	return 0;
}

/* field key of object o: absent = NULL (0), else its type is checked */
static int get(struct ctx *c, json_object *o, const char *key, json_type t, json_object **out)
{
	json_object *v = NULL;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, t))
		return bad(c, key,
			   t == json_type_string  ? "must be a string"
			   : t == json_type_array ? "must be a list"
			   : t == json_type_int   ? "must be an integer"
						  : "must be an object");
	*out = v;
	return 0;
}

static int get_str(struct ctx *c, json_object *o, const char *key, bool required, const char **out)
{
	json_object *v;

	*out = NULL;
	if (get(c, o, key, json_type_string, &v) < 0)
		return -1;
	if (!v)
		return required ? bad(c, key, "is missing") : 0;
	return str_of(c, v, key, out);
}

static int get_int(struct ctx *c, json_object *o, const char *key, int64_t lo, int64_t hi, bool *has,
		   int64_t *out)
{
	json_object *v;

	*has = false;
	if (get(c, o, key, json_type_int, &v) < 0)
		return -1;
	if (!v)
		return 0;
	errno = 0;
	*out = json_object_get_int64(v);
	if (errno || *out < lo || *out > hi)
		return bad(c, key, "is out of range");
	*has = true;
	return 0;
}

/* a list of strings (absent = NULL) */
static int get_strv(struct ctx *c, json_object *o, const char *key, char ***out)
{
	json_object *a;

	*out = NULL;
	if (get(c, o, key, json_type_array, &a) < 0)
		return -1;
	if (!a)
		return 0;
	*out = xcalloc(1, sizeof(char *));
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		const char *s;
		if (str_of(c, json_object_array_get_idx(a, i), key, &s) < 0)
			return -1;
		strv_push(out, s);
	}
	return 0;
}

static int node_parse(struct ctx *c, json_object *o, struct cdi_node *n)
{
	const char *path, *host, *type, *perms;
	bool has;
	int64_t v;

	if (!json_object_is_type(o, json_type_object))
		return bad(c, "deviceNodes", "must be a list of objects");
	if (get_str(c, o, "path", true, &path) < 0 || get_str(c, o, "hostPath", false, &host) < 0 ||
	    get_str(c, o, "type", false, &type) < 0 || get_str(c, o, "permissions", false, &perms) < 0)
		return -1;
	n->path = xstrdup(path);
	n->host = xstrdup(host ? host : path);
	if (!cdi_path_ok(n->path) || !cdi_path_ok(n->host))
		return err_make(c->e, 0, "CDI spec %s: device node %s%s%s: paths must be absolute and clean",
				c->what, path, host ? " from " : "", host ? host : "");
	if (type) {
		if (strlen(type) != 1 || !strchr("cbup", type[0]))
			return bad(c, "deviceNodes type", "must be c, b, u or p");
		n->type = type[0];
	}
	if (perms) {
		if (!*perms || strlen(perms) > 3 || strspn(perms, "rwm") != strlen(perms))
			return bad(c, "deviceNodes permissions", "must be a combination of r, w and m");
		n->perms = xstrdup(perms);
	}
	if (get_int(c, o, "major", 0, UINT32_MAX, &n->has_major, &n->major) < 0 ||
	    get_int(c, o, "minor", 0, UINT32_MAX, &n->has_minor, &n->minor) < 0 ||
	    get_int(c, o, "fileMode", 0, 07777, &has, &v) < 0 ||
	    get_int(c, o, "uid", 0, UINT32_MAX, &has, &v) < 0 ||
	    get_int(c, o, "gid", 0, UINT32_MAX, &has, &v) < 0)
		return -1;
	return 0;
}

static int cdi_mount_parse(struct ctx *c, json_object *o, struct cdi_mount *m)
{
	const char *host, *ctr, *type;

	if (!json_object_is_type(o, json_type_object))
		return bad(c, "mounts", "must be a list of objects");
	if (get_str(c, o, "hostPath", true, &host) < 0 || get_str(c, o, "containerPath", true, &ctr) < 0 ||
	    get_str(c, o, "type", false, &type) < 0 || get_strv(c, o, "options", &m->options) < 0)
		return -1;
	m->host = xstrdup(host);
	m->ctr = xstrdup(ctr);
	if (!cdi_path_ok(host) || !cdi_path_ok(ctr))
		return err_make(c->e, 0, "CDI spec %s: mount %s on %s: paths must be absolute and clean",
				c->what, host, ctr);
	if (type && strcmp(type, "bind") != 0 && strcmp(type, "none") != 0)
		return err_make(c->e, 0, "CDI spec %s: mount %s on %s: type %s is not supported (only bind)",
				c->what, host, ctr, type);
	return 0;
}

static int hook_parse(struct ctx *c, json_object *o, struct cdi_edits *ed)
{
	const char *name, *path;
	_cleanup_strv_ char **args = NULL, **env = NULL;
	struct hook_spec h;
	bool has;
	int64_t v = 0;
	int kind;

	if (!json_object_is_type(o, json_type_object))
		return bad(c, "hooks", "must be a list of objects");
	if (get_str(c, o, "hookName", true, &name) < 0 || get_str(c, o, "path", true, &path) < 0 ||
	    get_strv(c, o, "args", &args) < 0 || get_strv(c, o, "env", &env) < 0 ||
	    get_int(c, o, "timeout", 1, INT_MAX, &has, &v) < 0)
		return -1;
	if ((kind = hook_kind_parse(name)) < 0)
		return err_make(c->e, 0, "CDI spec %s: unknown hook kind \"%s\"", c->what, name);
	if (!cdi_path_ok(path))
		return err_make(c->e, 0, "CDI spec %s: %s hook %s: the path must be absolute and clean",
				c->what, name, path);
	for (size_t i = 0; env && env[i]; i++)
		if (!strchr(env[i], '=') || env[i][0] == '=')
			return err_make(c->e, 0, "CDI spec %s: %s hook %s: env \"%s\" is not NAME=VALUE",
					c->what, name, path, env[i]);
	memset(&h, 0, sizeof h);
	h.kind = (enum hook_kind)kind;
	h.path = (char *)path;
	h.args = args && args[0] ? args : NULL;
	h.env = env;
	h.timeout = has ? (int)v : 0;
	hook_specs_add(&ed->hooks, &ed->nhooks, &h);
	return 0;
}

static int gids_parse(struct ctx *c, json_object *o, struct cdi_edits *ed)
{
	json_object *a;

	if (get(c, o, "additionalGids", json_type_array, &a) < 0)
		return -1;
	if (!a)
		return 0;
	ed->ngids = json_object_array_length(a);
	ed->gids = xcalloc(ed->ngids ? ed->ngids : 1, sizeof *ed->gids);
	for (size_t i = 0; i < ed->ngids; i++) {
		json_object *g = json_object_array_get_idx(a, i);
		int64_t v;
		errno = 0;
		if (!json_object_is_type(g, json_type_int) || (v = json_object_get_int64(g), errno) ||
		    v < 0 || v >= UINT32_MAX)
			return bad(c, "additionalGids", "must be a list of group IDs");
		ed->gids[i] = (uint32_t)v;
	}
	return 0;
}

static int parse_edits(struct ctx *c, json_object *o, struct cdi_edits *ed)
{
	json_object *a;
	static const char *const unsupported[] = { "intelRdt", "netDevices" };

	if (!o)
		return 0;
	if (!json_object_is_type(o, json_type_object))
		return bad(c, "containerEdits", "must be an object");
	if (get_strv(c, o, "env", &ed->env) < 0)
		return -1;
	for (size_t i = 0; ed->env && ed->env[i]; i++) {
		const char *eq = strchr(ed->env[i], '=');
		if (!eq || eq == ed->env[i])
			return err_make(c->e, 0, "CDI spec %s: env \"%s\" is not NAME=VALUE", c->what,
					ed->env[i]);
	}
	if (get(c, o, "deviceNodes", json_type_array, &a) < 0)
		return -1;
	if (a) {
		ed->nnodes = json_object_array_length(a);
		ed->nodes = xcalloc(ed->nnodes ? ed->nnodes : 1, sizeof *ed->nodes);
		for (size_t i = 0; i < ed->nnodes; i++)
			if (node_parse(c, json_object_array_get_idx(a, i), &ed->nodes[i]) < 0)
				return -1;
	}
	if (get(c, o, "mounts", json_type_array, &a) < 0)
		return -1;
	if (a) {
		ed->nmounts = json_object_array_length(a);
		ed->mounts = xcalloc(ed->nmounts ? ed->nmounts : 1, sizeof *ed->mounts);
		for (size_t i = 0; i < ed->nmounts; i++)
			if (cdi_mount_parse(c, json_object_array_get_idx(a, i), &ed->mounts[i]) < 0)
				return -1;
	}
	if (get(c, o, "hooks", json_type_array, &a) < 0)
		return -1;
	for (size_t i = 0; a && i < json_object_array_length(a); i++)
		if (hook_parse(c, json_object_array_get_idx(a, i), ed) < 0)
			return -1;
	if (gids_parse(c, o, ed) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(unsupported); i++) {
		json_object *v;
		if (!json_object_object_get_ex(o, unsupported[i], &v) || !v)
			continue;
		if ((json_object_is_type(v, json_type_array) && json_object_array_length(v) == 0) ||
		    (json_object_is_type(v, json_type_object) && json_object_object_length(v) == 0))
			continue;
		return err_make(c->e, 0, "CDI spec %s: containerEdits.%s is not supported", c->what,
				unsupported[i]);
	}
	return 0;
}

static bool version_ok(const char *v)
{
	unsigned a, b, p;
	int n = 0;

	/* 0.1.0 ... 0.8.0 and 1.x: the field names burrow reads are the same */
	return sscanf(v, "%u.%u.%u%n", &a, &b, &p, &n) == 3 && v[n] == '\0' && isdigit((unsigned char)v[0]) &&
	       (a == 0 || a == 1) && !strpbrk(v, " +-");
}

static int parse_spec(struct ctx *c, json_object *j, struct cdi_spec *s)
{
	const char *version, *kind;
	json_object *devs, *edits;

	if (!json_object_is_type(j, json_type_object))
		return err_make(c->e, 0, "CDI spec %s: not an object", c->what);
	if (get_str(c, j, "cdiVersion", true, &version) < 0 || get_str(c, j, "kind", true, &kind) < 0)
		return -1;
	if (!version_ok(version))
		return err_make(c->e, 0, "CDI spec %s: unsupported cdiVersion \"%s\"", c->what, version);
	if (!kind_ok(kind))
		return err_make(c->e, 0, "CDI spec %s: invalid kind \"%s\" (VENDOR/CLASS)", c->what, kind);
	s->version = xstrdup(version);
	s->kind = xstrdup(kind);
	if (get(c, j, "containerEdits", json_type_object, &edits) < 0 || parse_edits(c, edits, &s->edits) < 0)
		return -1;
	if (get(c, j, "devices", json_type_array, &devs) < 0)
		return -1;
	if (!devs || json_object_array_length(devs) == 0)
		return err_make(c->e, 0, "CDI spec %s: no devices", c->what);
	s->ndevices = json_object_array_length(devs);
	s->devices = xcalloc(s->ndevices, sizeof *s->devices);
	for (size_t i = 0; i < s->ndevices; i++) {
		json_object *d = json_object_array_get_idx(devs, i);
		struct cdi_device *dev = &s->devices[i];
		const char *name;

		if (!json_object_is_type(d, json_type_object))
			return bad(c, "devices", "must be a list of objects");
		if (get_str(c, d, "name", true, &name) < 0)
			return -1;
		if (!device_name_ok(name))
			return err_make(c->e, 0, "CDI spec %s: invalid device name \"%s\"", c->what, name);
		for (size_t k = 0; k < i; k++)
			if (!strcmp(s->devices[k].name, name))
				return err_make(c->e, 0, "CDI spec %s: device %s is defined twice", c->what,
						name);
		dev->name = xstrdup(name);
		if (get(c, d, "containerEdits", json_type_object, &edits) < 0)
			return -1;
		if (!edits)
			return err_make(c->e, 0, "CDI spec %s: device %s has no containerEdits", c->what,
					name);
		if (parse_edits(c, edits, &dev->edits) < 0)
			return -1;
	}
	return 0;
}

int cdi_spec_parse(const char *buf, size_t len, bool yaml, const char *what, struct cdi_spec **out,
		   struct err *e)
{
	struct ctx c = { what, e };
	json_object *j = NULL;
	struct cdi_spec *s;
	int rc;

	*out = NULL;
	if (len > CDI_MAX_SPEC_BYTES) {
		err_make(e, EFBIG, "CDI spec %s: larger than %d bytes", what, CDI_MAX_SPEC_BYTES);
		cdi_err_clean(e);
		return -1;
	}
	rc = yaml ? cdi_yaml_to_json(buf, len, what, &j, e) : json_parse_strict(buf, len, what, &j, e);
	if (rc < 0) {
		err_wrap(e, "CDI spec");
		cdi_err_clean(e);
		return -1;
	}
	s = xcalloc(1, sizeof *s);
	rc = parse_spec(&c, j, s);
	json_object_put(j);
	if (rc < 0) {
		cdi_spec_free(s);
		cdi_err_clean(e);
		return -1;
	}
	*out = s;
	return 0;
}

static void edits_free(struct cdi_edits *ed)
{
	strv_free(ed->env);
	for (size_t i = 0; ed->nodes && i < ed->nnodes; i++) {
		free(ed->nodes[i].path);
		free(ed->nodes[i].host);
		free(ed->nodes[i].perms);
	}
	free(ed->nodes);
	for (size_t i = 0; ed->mounts && i < ed->nmounts; i++) {
		free(ed->mounts[i].host);
		free(ed->mounts[i].ctr);
		strv_free(ed->mounts[i].options);
	}
	free(ed->mounts);
	hook_specs_free(ed->hooks, ed->nhooks);
	free(ed->gids);
}

void cdi_spec_free(struct cdi_spec *s)
{
	if (!s)
		return;
	free(s->version);
	free(s->kind);
	for (size_t i = 0; s->devices && i < s->ndevices; i++) {
		free(s->devices[i].name);
		edits_free(&s->devices[i].edits);
	}
	free(s->devices);
	edits_free(&s->edits);
	free(s);
}
