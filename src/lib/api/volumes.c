/* volumes.c - the volume endpoints: list, create, inspect, remove, prune
 * (lib/store/volume.h; docker's Labels are an object). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "lib/base/util.h"
#include "lib/runtime/userns.h"
#include "lib/store/volume.h"

static json_object *vol_json(const struct volume *v)
{
	json_object *o = volume_to_json(v), *l = json_object_new_object();

	for (size_t i = 0; v->labels && v->labels[i]; i++) {
		const char *eq = strchr(v->labels[i], '=');
		_cleanup_free_ char *k = eq ? xstrndup(v->labels[i], (size_t)(eq - v->labels[i]))
					    : xstrdup(v->labels[i]);
		json_object_object_add(l, k, json_object_new_string(eq ? eq + 1 : ""));
	}
	json_object_object_add(o, "Labels", l);
	json_object_object_del(o, "Anonymous");
	return o;
}

static enum MHD_Result vol_err(struct api_req *r, struct err *e, const char *name)
{
	enum MHD_Result res;

	if (e->errnum == ENOENT)
		res = api_reply_error(r, MHD_HTTP_NOT_FOUND, "get %s: no such volume", name);
	else
		res = api_reply_err(r, e);
	err_clear(e);
	return res;
}

/* docker's volume filters: name (a regular expression), label, label!,
 * dangling, driver */
struct vol_ctx {
	const char *root;
	const struct volume *v;
};

static bool vol_one(const char *key, const char *val, const void *arg)
{
	const struct vol_ctx *c = arg;

	if (strcmp(key, "name") == 0) {
		regex_t re;
		bool m;
		if (regcomp(&re, val, REG_EXTENDED | REG_NOSUB) != 0)
			return strstr(c->v->name, val) != NULL;
		m = regexec(&re, c->v->name, 0, NULL, 0) == 0;
		regfree(&re);
		return m;
	}
	if (strcmp(key, "label") == 0)
		return kv_list_has(c->v->labels, val);
	if (strcmp(key, "label!") == 0)
		return !kv_list_has(c->v->labels, val);
	if (strcmp(key, "driver") == 0)
		return strcmp(c->v->driver ? c->v->driver : "local", val) == 0;
	if (strcmp(key, "dangling") == 0) {
		_cleanup_strv_ char **users = NULL;
		struct err e = ERR_INIT;
		bool want = strcmp(val, "true") == 0 || strcmp(val, "1") == 0;
		if (volume_users(c->root, c->v->name, &users, &e) < 0)
			err_clear(&e);
		return (strv_len(users) == 0) == want;
	}
	return false;
}

enum MHD_Result api_vol_list(struct api_req *r)
{
	static const char *const keys[] = { "name", "label", "label!", "dangling", "driver", NULL };
	_cleanup_strv_ char **names = NULL;
	json_object *o, *a, *f;
	struct err e = ERR_INIT;
	enum MHD_Result res;

	if (api_filters(r, keys, &f, &res) < 0)
		return res;
	o = json_object_new_object();
	a = json_object_new_array();
	if (volume_list(r->b->root, &names, &e) < 0)
		err_clear(&e);
	for (size_t i = 0; names && names[i]; i++) {
		struct volume v;
		struct vol_ctx c = { r->b->root, &v };
		if (volume_get(r->b->root, names[i], &v, &e) < 0) {
			err_clear(&e);
			continue;
		}
		if (api_filters_match(f, vol_one, &c))
			json_object_array_add(a, vol_json(&v));
		volume_free(&v);
	}
	json_object_put(f);
	json_object_object_add(o, "Volumes", a);
	json_object_object_add(o, "Warnings", json_object_new_array());
	return api_reply_json(r, MHD_HTTP_OK, o);
}

enum MHD_Result api_vol_inspect(struct api_req *r)
{
	struct volume v;
	struct err e = ERR_INIT;
	json_object *o;

	if (volume_get(r->b->root, r->arg, &v, &e) < 0)
		return vol_err(r, &e, r->arg);
	o = vol_json(&v);
	volume_free(&v);
	return api_reply_json(r, MHD_HTTP_OK, o);
}

enum MHD_Result api_vol_create(struct api_req *r)
{
	json_object *body, *name = NULL, *drv = NULL, *labels = NULL, *opts = NULL;
	_cleanup_strv_ char **lv = NULL;
	struct volume v;
	struct err e = ERR_INIT;
	enum MHD_Result res;
	bool created;
	int lfd, rc;

	if (api_body_json(r, &body, &res) < 0)
		return res;
	json_object_object_get_ex(body, "Name", &name);
	json_object_object_get_ex(body, "Driver", &drv);
	json_object_object_get_ex(body, "Labels", &labels);
	json_object_object_get_ex(body, "DriverOpts", &opts);
	if (opts && (!json_object_is_type(opts, json_type_object) || json_object_object_length(opts) > 0)) {
		json_object_put(body);
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST,
				       "invalid volume: DriverOpts: the local driver takes no options");
	}
	if ((name &&
	     (!json_object_is_type(name, json_type_string) || json_object_get_string_len(name) > 255)) ||
	    (drv && (!json_object_is_type(drv, json_type_string) ||
		     (*json_object_get_string(drv) && strcmp(json_object_get_string(drv), "local") != 0))) ||
	    (labels && !json_object_is_type(labels, json_type_object))) {
		json_object_put(body);
		return api_reply_error(
			r, MHD_HTTP_BAD_REQUEST,
			"invalid volume: Name a string, Driver \"local\", Labels an object of strings");
	}
	if (labels) {
		json_object_object_foreach(labels, k, val) {
			_cleanup_free_ char *kv = NULL;
			if (!json_object_is_type(val, json_type_string) || strlen(k) > 4096 ||
			    json_object_get_string_len(val) > 65536) {
				json_object_put(body);
				strv_free(steal_ptr(lv));
				return api_reply_error(r, MHD_HTTP_BAD_REQUEST,
						       "Labels: expected an object of strings");
			}
			kv = xasprintf("%s=%s", k, json_object_get_string(val));
			strv_push(&lv, kv);
		}
	}
	lfd = volume_lock(r->b->root, &e);
	rc = lfd < 0 ? -1
		     : volume_create(r->b->root,
				     name && *json_object_get_string(name) ? json_object_get_string(name)
									   : NULL,
				     lv, false, true, &v, &created, &e);
	if (lfd >= 0)
		close(lfd);
	json_object_put(body);
	if (rc < 0) {
		res = api_reply_err(r, &e);
		err_clear(&e);
		return res;
	}
	body = vol_json(&v);
	volume_free(&v);
	return api_reply_json(r, MHD_HTTP_CREATED, body);
}

static int remove_one(struct api_req *r, const char *name, struct err *e)
{
	_cleanup_strv_ char **users = NULL;
	struct idmap m;
	int lfd, rc;

	lfd = volume_lock(r->b->root, e);
	if (lfd < 0)
		return -1;
	rc = volume_users(r->b->root, name, &users, e);
	if (rc == 0 && users && users[0])
		rc = err_make(e, EBUSY, "remove %s: volume is in use - [%s]", name, users[0]);
	memset(&m, 0, sizeof m);
	if (rc == 0)
		rc = userns_lookup_cached(&m, r->b->idmap, r->b->runroot, e);
	if (rc == 0)
		rc = volume_remove(r->b->root, &m, name, e);
	idmap_free(&m);
	close(lfd);
	return rc;
}

/* DELETE /volumes/NAME[?force=1]: a volume in use is a 409 either way (as
 * docker's); force makes a missing one no error */
enum MHD_Result api_vol_remove(struct api_req *r)
{
	struct volume v;
	struct err e = ERR_INIT;
	int rc;

	if (volume_get(r->b->root, r->arg, &v, &e) < 0) {
		if (e.errnum == ENOENT && api_query_bool(r, "force", false)) {
			err_clear(&e);
			return api_reply_empty(r, MHD_HTTP_NO_CONTENT);
		}
		return vol_err(r, &e, r->arg);
	}
	volume_free(&v);
	api_lock();
	rc = remove_one(r, r->arg, &e);
	api_unlock();
	if (rc < 0)
		return vol_err(r, &e, r->arg);
	return api_reply_empty(r, MHD_HTTP_NO_CONTENT);
}

/* every volume no container uses that passes the label filters */
enum MHD_Result api_vol_prune(struct api_req *r)
{
	static const char *const keys[] = { "label", "label!", NULL };
	_cleanup_strv_ char **names = NULL;
	json_object *o, *a, *f;
	struct err e = ERR_INIT;
	enum MHD_Result res;
	uint64_t reclaimed = 0;

	if (api_filters(r, keys, &f, &res) < 0)
		return res;
	o = json_object_new_object();
	a = json_object_new_array();
	if (volume_list(r->b->root, &names, &e) < 0)
		err_clear(&e);
	api_lock();
	for (size_t i = 0; names && names[i]; i++) {
		struct volume v;
		struct vol_ctx c = { r->b->root, &v };
		uint64_t size = 0;
		bool match;
		if (volume_get(r->b->root, names[i], &v, &e) < 0) {
			err_clear(&e);
			continue;
		}
		match = api_filters_match(f, vol_one, &c);
		if (match)
			size = tree_bytes(v.mountpoint);
		volume_free(&v);
		if (match && remove_one(r, names[i], &e) == 0) {
			json_object_array_add(a, json_object_new_string(names[i]));
			reclaimed += size;
		}
		err_clear(&e);
	}
	api_unlock();
	json_object_put(f);
	json_object_object_add(o, "VolumesDeleted", a);
	json_object_object_add(o, "SpaceReclaimed", json_object_new_int64((int64_t)reclaimed));
	return api_reply_json(r, MHD_HTTP_OK, o);
}
