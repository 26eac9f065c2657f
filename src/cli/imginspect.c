/* imginspect.c - see imginspect.h */
#include <json-c/json.h>
#include <stdlib.h>

#include "imginspect.h"
#include "lib/base/util.h"
#include "lib/store/sqfile.h"

static json_object *strv_json(char **v)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; v && v[i]; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

/* podman's Comment: a docker config's comment, else the first history
 * entry's (libimage's rule) */
static const char *image_comment(json_object *conf)
{
	json_object *v, *h;

	if (conf && json_object_object_get_ex(conf, "comment", &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	if (conf && json_object_object_get_ex(conf, "history", &h) &&
	    json_object_is_type(h, json_type_array) && json_object_array_length(h) > 0 &&
	    json_object_object_get_ex(json_object_array_get_idx(h, 0), "comment", &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return "";
}

/* config.KEY (a new reference), or dflt when the image has none */
static json_object *config_field(json_object *conf, const char *key, json_object *dflt)
{
	json_object *c, *v;

	if (conf && json_object_object_get_ex(conf, "config", &c) && json_object_object_get_ex(c, key, &v) &&
	    v) {
		json_object_put(dflt);
		return json_object_get(v);
	}
	return dflt;
}

static json_object *inspect_one(const struct image *img, const char *txt, bool sqfs)
{
	_cleanup_free_ char *dg = NULL;
	json_object *conf, *o = json_object_new_object(), *v, *rootfs, *layers;

	conf = txt ? json_tokener_parse(txt) : NULL;
	dg = xasprintf("sha256:%s", img->id);
	json_object_object_add(o, "Id", json_object_new_string(img->id));
	json_object_object_add(o, "Digest", json_object_new_string(img->digest ? img->digest : dg));
	json_object_object_add(o, "RepoTags", strv_json(img->names));
	json_object_object_add(o, "RepoDigests", strv_json(img->repo_digests));
	json_object_object_add(o, "Created", json_object_new_string(img->created ? img->created : ""));
#define COPY(key, as) \
	if (conf && json_object_object_get_ex(conf, key, &v)) \
		json_object_object_add(o, as, json_object_get(v));
	COPY("config", "Config");
	COPY("architecture", "Architecture");
	COPY("os", "Os");
	COPY("variant", "Variant");
	COPY("author", "Author");
	COPY("history", "History");
#undef COPY
	json_object_object_add(o, "Comment", json_object_new_string(image_comment(conf)));
	json_object_object_add(o, "Labels", config_field(conf, "Labels", json_object_new_object()));
	json_object_object_add(o, "User", config_field(conf, "User", json_object_new_string("")));
	json_object_object_add(o, "Size", json_object_new_int64((int64_t)img->size));
	json_object_object_add(o, "VirtualSize", json_object_new_int64((int64_t)img->size));
	rootfs = json_object_new_object();
	layers = json_object_new_array();
	for (size_t i = 0; i < img->nlayers; i++)
		json_object_array_add(layers, json_object_new_string(img->layers[i].diff_id));
	json_object_object_add(rootfs, "Type", json_object_new_string(sqfs ? "squashfs" : "layers"));
	json_object_object_add(rootfs, "Layers", layers);
	json_object_object_add(o, "RootFS", rootfs);
	json_object_object_add(o, "NamesHistory", strv_json(img->names));
	json_object_put(conf);
	return o;
}

int img_inspect_get(struct store *s, const char *ref, struct image **img, json_object **out, struct err *e)
{
	_cleanup_free_ char *txt = NULL;
	bool sqfs = sqfile_is_path(ref);

	*img = NULL;
	if (sqfs ? sqfile_image(ref, img, &txt, e) < 0
		 : store_image_get(s, ref, img, e) < 0 || store_image_config(s, (*img)->id, &txt, e) < 0)
		return -1;
	*out = inspect_one(*img, txt, sqfs);
	return 0;
}
