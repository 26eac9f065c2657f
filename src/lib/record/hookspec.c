/* hookspec.c - OCI hooks in the container record (hookspec.h). */
#include <string.h>

#include "hookspec.h"
#include "lib/base/util.h"

static const char *const kind_names[HOOK_NKINDS] = {
	[HOOK_PRESTART] = "prestart",
	[HOOK_CREATE_RUNTIME] = "createRuntime",
	[HOOK_CREATE_CONTAINER] = "createContainer",
	[HOOK_START_CONTAINER] = "startContainer",
	[HOOK_POSTSTART] = "poststart",
	[HOOK_POSTSTOP] = "poststop",
};

const char *hook_kind_name(enum hook_kind k)
{
	return (unsigned)k < HOOK_NKINDS ? kind_names[k] : "unknown";
}

int hook_kind_parse(const char *name)
{
	for (int i = 0; i < HOOK_NKINDS; i++)
		if (!strcmp(name, kind_names[i]))
			return i;
	return -1;
}

void hook_spec_free(struct hook_spec *h)
{
	free(h->path);
	strv_free(h->args);
	strv_free(h->env);
	free(h->origin);
	memset(h, 0, sizeof *h);
}

void hook_specs_free(struct hook_spec *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		hook_spec_free(&v[i]);
	free(v);
}

static bool strv_eq(char *const *a, char *const *b)
{
	size_t i = 0;

	for (; a && b && a[i] && b[i]; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return (!a || !a[i]) && (!b || !b[i]);
}

void hook_specs_add(struct hook_spec **v, size_t *n, const struct hook_spec *h)
{
	struct hook_spec *c;

	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].kind == h->kind && !strcmp((*v)[i].path, h->path) &&
		    strv_eq((*v)[i].args, h->args) && strv_eq((*v)[i].env, h->env))
			return;
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	c = &(*v)[(*n)++];
	memset(c, 0, sizeof *c);
	c->kind = h->kind;
	c->path = xstrdup(h->path);
	c->args = h->args ? strv_dup(h->args) : NULL;
	c->env = h->env ? strv_dup(h->env) : NULL;
	c->timeout = h->timeout;
	c->origin = h->origin ? xstrdup(h->origin) : NULL;
}

bool hook_specs_have(const struct hook_spec *v, size_t n, enum hook_kind k)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].kind == k || (k == HOOK_CREATE_RUNTIME && v[i].kind == HOOK_PRESTART))
			return true;
	return false;
}

static json_object *strv_to_json(char *const *v)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; v && v[i]; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

json_object *hook_specs_to_json(const struct hook_spec *v, size_t n)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "hookName", json_object_new_string(hook_kind_name(v[i].kind)));
		json_object_object_add(o, "path", json_object_new_string(v[i].path));
		if (v[i].args)
			json_object_object_add(o, "args", strv_to_json(v[i].args));
		if (v[i].env)
			json_object_object_add(o, "env", strv_to_json(v[i].env));
		if (v[i].timeout)
			json_object_object_add(o, "timeout", json_object_new_int(v[i].timeout));
		if (v[i].origin)
			json_object_object_add(o, "origin", json_object_new_string(v[i].origin));
		json_object_array_add(a, o);
	}
	return a;
}

static int strv_from_json(json_object *o, const char *key, char ***out, struct err *e)
{
	json_object *a;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &a) || !a)
		return 0;
	if (!json_object_is_type(a, json_type_array))
		return err_make(e, 0, "hook %s: not a list", key);
	*out = xcalloc(1, sizeof(char *));
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *s = json_object_array_get_idx(a, i);
		if (!json_object_is_type(s, json_type_string))
			return err_make(e, 0, "hook %s: not a list of strings", key);
		strv_push(out, json_object_get_string(s));
	}
	return 0;
}

int hook_specs_from_json(json_object *a, struct hook_spec **v, size_t *n, struct err *e)
{
	*v = NULL;
	*n = 0;
	if (!a)
		return 0;
	if (!json_object_is_type(a, json_type_array))
		return err_make(e, 0, "hooks: not a list");
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *o = json_object_array_get_idx(a, i), *f;
		struct hook_spec h;
		int k;

		memset(&h, 0, sizeof h);
		if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, "hookName", &f) ||
		    (k = hook_kind_parse(json_object_get_string(f))) < 0 ||
		    !json_object_object_get_ex(o, "path", &f) || !json_object_is_type(f, json_type_string))
			return err_make(e, 0, "hooks: an entry without a known hookName and a path");
		h.kind = (enum hook_kind)k;
		h.path = (char *)json_object_get_string(f);
		if (strv_from_json(o, "args", &h.args, e) < 0 || strv_from_json(o, "env", &h.env, e) < 0) {
			strv_free(h.args);
			strv_free(h.env);
			return -1;
		}
		if (json_object_object_get_ex(o, "timeout", &f))
			h.timeout = json_object_get_int(f);
		if (json_object_object_get_ex(o, "origin", &f))
			h.origin = (char *)json_object_get_string(f);
		hook_specs_add(v, n, &h);
		strv_free(h.args);
		strv_free(h.env);
	}
	return 0;
}
