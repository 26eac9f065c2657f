/* df.c - GET /system/df (docker system df: images, containers and volumes
 * with their sizes and use).  POST /auth is imgio.c's. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api_int.h"
#include "lib/base/util.h"
#include "lib/record/container.h"
#include "lib/store/registry.h"
#include "lib/store/store.h"
#include "lib/store/volume.h"

static json_object *strv_json(char *const *v)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; v && v[i]; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

enum MHD_Result api_system_df(struct api_req *r)
{
	_cleanup_strv_ char **ids = NULL, **vols = NULL, **image_of = NULL;
	json_object *o = json_object_new_object(), *imgs = json_object_new_array(),
		    *ctrs = json_object_new_array(), *va = json_object_new_array();
	struct store *st = NULL;
	struct image **iv = NULL;
	size_t ni = 0;
	int64_t layers = 0;
	struct err e = ERR_INIT;

	/* containers: their writable layer (upper) and which image each uses */
	if (container_list(r->b->root, &ids, &e) < 0)
		err_clear(&e);
	for (size_t i = 0; ids && ids[i]; i++) {
		struct api_ctr c;
		json_object *x, *names;
		_cleanup_free_ char *name = NULL, *upper = NULL, *imgid = NULL;
		if (api_ctr_load_id(r->b, ids[i], &c, &e) < 0) {
			err_clear(&e);
			continue;
		}
		x = json_object_new_object();
		names = json_object_new_array();
		name = xasprintf("/%s", c.spec.name ? c.spec.name : c.id);
		{
			_cleanup_free_ char *ld = container_layer_dir(&c.spec);
			upper = xasprintf("%s/upper", ld);
		}
		imgid = xasprintf("sha256:%s", c.spec.image_id ? c.spec.image_id : "");
		json_object_object_add(x, "Id", json_object_new_string(c.id));
		json_object_array_add(names, json_object_new_string(name));
		json_object_object_add(x, "Names", names);
		json_object_object_add(x, "Image",
				       json_object_new_string(c.spec.image_ref ? c.spec.image_ref : ""));
		json_object_object_add(x, "ImageID", json_object_new_string(imgid));
		json_object_object_add(x, "Command",
				       json_object_new_string(c.spec.argv && c.spec.argv[0] ? c.spec.argv[0]
											    : ""));
		json_object_object_add(x, "Created", json_object_new_int64(api_parse_time(c.spec.created)));
		json_object_object_add(x, "State",
				       json_object_new_string(api_ctr_running(&c)         ? "running"
							      : c.st.status == ST_CREATED ? "created"
											  : "exited"));
		json_object_object_add(x, "Status", json_object_new_string(""));
		json_object_object_add(x, "SizeRw", json_object_new_int64((int64_t)tree_bytes(upper)));
		json_object_object_add(x, "SizeRootFs", json_object_new_int64(0));
		json_object_object_add(x, "Labels", json_object_new_object());
		json_object_object_add(x, "Mounts", json_object_new_array());
		json_object_array_add(ctrs, x);
		strv_push(&image_of, c.spec.image_id ? c.spec.image_id : "");
		api_ctr_free(&c);
	}
	/* images: their size and how many containers use each */
	if (store_open(r->b->root, &st, &e) < 0 || store_image_list(st, &iv, &ni, &e) < 0)
		err_clear(&e);
	for (size_t i = 0; i < ni; i++) {
		json_object *x = json_object_new_object();
		_cleanup_free_ char *id = xasprintf("sha256:%s", iv[i]->id);
		int users = 0;
		for (size_t k = 0; image_of && image_of[k]; k++)
			users += strcmp(image_of[k], iv[i]->id) == 0;
		json_object_object_add(x, "Id", json_object_new_string(id));
		json_object_object_add(x, "ParentId", json_object_new_string(""));
		json_object_object_add(x, "RepoTags", strv_json(iv[i]->names));
		json_object_object_add(x, "RepoDigests", strv_json(iv[i]->repo_digests));
		json_object_object_add(x, "Created", json_object_new_int64(api_parse_time(iv[i]->created)));
		json_object_object_add(x, "Size", json_object_new_int64((int64_t)iv[i]->size));
		json_object_object_add(x, "VirtualSize", json_object_new_int64((int64_t)iv[i]->size));
		json_object_object_add(x, "SharedSize", json_object_new_int64(0));
		json_object_object_add(x, "Labels", json_object_new_object());
		json_object_object_add(x, "Containers", json_object_new_int(users));
		json_object_array_add(imgs, x);
		layers += (int64_t)iv[i]->size;
		image_free(iv[i]);
	}
	free(iv);
	if (st)
		store_close(st);
	/* volumes: their content and how many containers mount each */
	if (volume_list(r->b->root, &vols, &e) < 0)
		err_clear(&e);
	for (size_t i = 0; vols && vols[i]; i++) {
		struct volume v;
		_cleanup_strv_ char **users = NULL;
		json_object *x, *u;
		if (volume_get(r->b->root, vols[i], &v, &e) < 0) {
			err_clear(&e);
			continue;
		}
		if (volume_users(r->b->root, v.name, &users, &e) < 0)
			err_clear(&e);
		x = volume_to_json(&v);
		json_object_object_del(x, "Anonymous");
		u = json_object_new_object();
		json_object_object_add(u, "Size", json_object_new_int64((int64_t)tree_bytes(v.mountpoint)));
		json_object_object_add(u, "RefCount", json_object_new_int64((int64_t)strv_len(users)));
		json_object_object_add(x, "UsageData", u);
		json_object_array_add(va, x);
		volume_free(&v);
	}
	json_object_object_add(o, "LayersSize", json_object_new_int64(layers));
	json_object_object_add(o, "Images", imgs);
	json_object_object_add(o, "Containers", ctrs);
	json_object_object_add(o, "Volumes", va);
	json_object_object_add(o, "BuildCache", json_object_new_array());
	return api_reply_json(r, MHD_HTTP_OK, o);
}
