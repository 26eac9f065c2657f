/* imgfilter.c - see imgfilter.h */
#include <fnmatch.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "imgfilter.h"
#include "lib/base/json.h"
#include "lib/base/util.h"

static const char *const keys[] = { "label", "dangling", "reference", "before", "since" };

int img_filters_check(struct store *st, char **f, struct err *e)
{
	for (size_t i = 0; f && f[i]; i++) {
		const char *eq = strchr(f[i], '=');
		bool known = false;

		for (size_t k = 0; eq && k < ARRAY_SIZE(keys); k++)
			known |= strlen(keys[k]) == (size_t)(eq - f[i]) &&
				 !strncmp(f[i], keys[k], strlen(keys[k]));
		if (!known || !eq[1])
			return err_make(
				e, 0,
				"invalid image filter \"%s\" (label=, dangling=, reference=, before=, since=)",
				f[i]);
		if (!strncmp(f[i], "dangling=", 9) && strcmp(eq + 1, "true") && strcmp(eq + 1, "false"))
			return err_make(e, 0, "invalid image filter \"%s\": dangling is true or false", f[i]);
		if (!strncmp(f[i], "before=", 7) || !strncmp(f[i], "since=", 6)) {
			struct image *img = NULL;
			if (store_image_get(st, eq + 1, &img, e) < 0) {
				/* a usage error here (125), not rmi's "not known" (1) */
				_cleanup_free_ char *why = xstrdup(e->msg ? e->msg : "");
				return err_make(e, 0, "image filter %s: %s", f[i], why);
			}
			image_free(img);
		}
	}
	return 0;
}

/* the image config's Labels has KEY (and VALUE) */
static bool has_label(struct store *st, const struct image *img, const char *kv)
{
	_cleanup_free_ char *txt = NULL, *key = xstrndup(kv, strcspn(kv, "="));
	struct err e = ERR_INIT;
	json_object *j = NULL, *cfg, *labels, *v;
	bool m = false;

	if (store_image_config(st, img->id, &txt, &e) == 0 &&
	    json_parse_strict(txt, strlen(txt), "image config", &j, &e) == 0 &&
	    json_object_object_get_ex(j, "config", &cfg) &&
	    json_object_object_get_ex(cfg, "Labels", &labels) &&
	    json_object_is_type(labels, json_type_object) && json_object_object_get_ex(labels, key, &v))
		m = !strchr(kv, '=') || !strcmp(json_object_get_string(v), strchr(kv, '=') + 1);
	json_object_put(j);
	err_clear(&e);
	return m;
}

static bool glob_short(const char *pattern, const char *n)
{
	static const char *const prefixes[] = { "", "localhost/", "docker.io/library/", "docker.io/" };

	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		size_t l = strlen(prefixes[i]);
		if (!strncmp(n, prefixes[i], l) && !fnmatch(pattern, n + l, 0))
			return true;
	}
	return false;
}

/* a glob over each name, with or without its tag, also without the default
 * "localhost/" and "docker.io/library/" prefixes, as podman matches */
static bool reference_matches(const struct image *img, const char *pattern)
{
	for (size_t i = 0; img->names && img->names[i]; i++) {
		const char *n = img->names[i], *slash = strrchr(n, '/'), *colon = strrchr(n, ':');
		_cleanup_free_ char *repo = NULL;

		if (glob_short(pattern, n))
			return true;
		if (colon && (!slash || colon > slash)) {
			repo = xstrndup(n, (size_t)(colon - n));
			if (glob_short(pattern, repo))
				return true;
		}
	}
	return false;
}

static bool one(struct store *st, const struct image *img, const char *f)
{
	const char *v = strchr(f, '=') + 1;

	if (!strncmp(f, "label=", 6))
		return has_label(st, img, v);
	if (!strncmp(f, "dangling=", 9))
		return (!img->names || !img->names[0]) == !strcmp(v, "true");
	if (!strncmp(f, "reference=", 10))
		return reference_matches(img, v);
	if (!strncmp(f, "before=", 7) || !strncmp(f, "since=", 6)) {
		struct image *ref = NULL;
		struct err e = ERR_INIT;
		bool m = false;
		if (store_image_get(st, v, &ref, &e) == 0) {
			int c = strcmp(img->created ? img->created : "", ref->created ? ref->created : "");
			m = f[0] == 'b' ? c < 0 : c > 0;
			image_free(ref);
		}
		err_clear(&e);
		return m;
	}
	return false;
}

bool img_filters_match(struct store *st, const struct image *img, char **f)
{
	for (size_t i = 0; f && f[i]; i++) {
		size_t klen = (size_t)(strchr(f[i], '=') - f[i]);
		bool any = false;

		if (!strncmp(f[i], "label=", 6)) {
			if (!one(st, img, f[i]))
				return false;
			continue;
		}
		for (size_t k = 0; f[k]; k++)
			if (!strncmp(f[k], f[i], klen + 1))
				any |= one(st, img, f[k]);
		if (!any)
			return false;
	}
	return true;
}
