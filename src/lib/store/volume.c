/* volume.c - see volume.h */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "volume.h"
#include "lib/base/json.h"
#include "lib/base/util.h"
#include "lib/record/container.h"
#include "lib/record/state.h"

#define VOLUME_JSON_MAX (1u << 20)

void volume_free(struct volume *v)
{
	free(v->name);
	free(v->driver);
	free(v->mountpoint);
	free(v->created);
	strv_free(v->labels);
	strv_free(v->options);
	memset(v, 0, sizeof *v);
}

static char *volumes_dir(const char *root)
{
	return xasprintf("%s/volumes", root);
}

int volume_lock(const char *root, struct err *e)
{
	_cleanup_free_ char *dir = volumes_dir(root);
	_cleanup_free_ char *path = xasprintf("%s/.lock", dir);
	int fd;

	if (mkdir_p_at(AT_FDCWD, dir, 0700, e) < 0)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_make(e, errno, "opening %s", path);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int saved = errno;
			close(fd);
			return err_make(e, saved, "locking %s", path);
		}
	}
	return fd;
}

/* {"K":"V"} from "K=V" strings */
static json_object *kv_object(char *const *kv)
{
	json_object *o = json_object_new_object();

	for (size_t i = 0; kv && kv[i]; i++) {
		const char *eq = strchr(kv[i], '=');
		_cleanup_free_ char *k = eq ? xasprintf("%.*s", (int)(eq - kv[i]), kv[i]) : xstrdup(kv[i]);
		json_object_object_add(o, k, json_object_new_string(eq ? eq + 1 : ""));
	}
	return o;
}

static int kv_from_object(json_object *o, char ***out, struct err *e)
{
	if (!o)
		return 0;
	if (!json_object_is_type(o, json_type_object))
		return err_make(e, 0, "labels and options must be objects");
	json_object_object_foreach(o, k, v) {
		_cleanup_free_ char *kv = NULL;
		if (!json_object_is_type(v, json_type_string))
			return err_make(e, 0, "the value of \"%s\" must be a string", k);
		kv = xasprintf("%s=%s", k, json_object_get_string(v));
		strv_push(out, kv);
	}
	return 0;
}

static json_object *volume_record(const struct volume *v)
{
	json_object *j = json_object_new_object();

	json_object_object_add(j, "Name", json_object_new_string(v->name));
	json_object_object_add(j, "Driver", json_object_new_string(v->driver));
	json_object_object_add(j, "CreatedAt", json_object_new_string(v->created));
	json_object_object_add(j, "Labels", kv_object(v->labels));
	json_object_object_add(j, "Options", kv_object(v->options));
	json_object_object_add(j, "Anonymous", json_object_new_boolean(v->anonymous));
	return j;
}

json_object *volume_to_json(const struct volume *v)
{
	json_object *j = json_object_new_object();

	json_object_object_add(j, "Name", json_object_new_string(v->name));
	json_object_object_add(j, "Driver", json_object_new_string(v->driver));
	json_object_object_add(j, "Mountpoint", json_object_new_string(v->mountpoint));
	json_object_object_add(j, "CreatedAt", json_object_new_string(v->created));
	json_object_object_add(j, "Labels", kv_object(v->labels));
	json_object_object_add(j, "Scope", json_object_new_string("local"));
	json_object_object_add(j, "Options", kv_object(v->options));
	json_object_object_add(j, "Anonymous", json_object_new_boolean(v->anonymous));
	return j;
}

/* an error with errnum set but no strerror text in the message */
static int err_quiet(struct err *e, int errnum)
{
	e->errnum = errnum;
	return -1;
}

static int no_such_volume(const char *name, struct err *e)
{
	err_make(e, 0, "no such volume %s", name);
	return err_quiet(e, ENOENT);
}

int volume_get(const char *root, const char *name, struct volume *out, struct err *e)
{
	_cleanup_free_ char *path = NULL, *txt = NULL;
	json_object *j = NULL, *v;
	size_t len = 0;
	struct volume r;
	int rc = -1;

	memset(out, 0, sizeof *out);
	memset(&r, 0, sizeof r);
	if (!volume_name_valid(name))
		return no_such_volume(name, e);
	path = xasprintf("%s/volumes/%s/volume.json", root, name);
	if (read_file_at(AT_FDCWD, path, VOLUME_JSON_MAX, &txt, &len, e) < 0) {
		if (e->errnum == ENOENT || e->errnum == ENOTDIR) {
			err_clear(e);
			return no_such_volume(name, e);
		}
		return -1;
	}
	if (json_parse_strict(txt, len, path, &j, e) < 0)
		return -1;
	if (!json_object_is_type(j, json_type_object) || !json_object_object_get_ex(j, "Name", &v) ||
	    !json_object_is_type(v, json_type_string) || strcmp(json_object_get_string(v), name) != 0) {
		err_make(e, 0, "%s: malformed volume record", path);
		goto out;
	}
	r.name = xstrdup(name);
	r.driver = xstrdup(json_object_object_get_ex(j, "Driver", &v) &&
					   json_object_is_type(v, json_type_string)
				   ? json_object_get_string(v)
				   : "local");
	r.created = xstrdup(json_object_object_get_ex(j, "CreatedAt", &v) &&
					    json_object_is_type(v, json_type_string)
				    ? json_object_get_string(v)
				    : "");
	r.anonymous = json_object_object_get_ex(j, "Anonymous", &v) && json_object_get_boolean(v);
	r.mountpoint = xasprintf("%s/volumes/%s/_data", root, name);
	if (kv_from_object(json_object_object_get_ex(j, "Labels", &v) ? v : NULL, &r.labels, e) < 0 ||
	    kv_from_object(json_object_object_get_ex(j, "Options", &v) ? v : NULL, &r.options, e) < 0) {
		err_wrap(e, "%s", path);
		goto out;
	}
	*out = r;
	memset(&r, 0, sizeof r);
	rc = 0;
out:
	volume_free(&r);
	json_object_put(j);
	return rc;
}

int volume_create(const char *root, const char *name, char *const *labels, bool anonymous, bool exist_ok,
		  struct volume *out, bool *created, struct err *e)
{
	_cleanup_free_ char *dir = volumes_dir(root);
	_cleanup_close_ int dfd = -1, tfd = -1;
	char rnd[65], anon[65], tmp[32], ts[48];
	struct volume v;
	json_object *j;
	const char *txt;
	int rc;

	memset(out, 0, sizeof *out);
	if (created)
		*created = false;
	if (!name) {
		if (random_hex_id(anon, e) < 0)
			return -1;
		name = anon;
	}
	if (!volume_name_valid(name)) {
		err_make(e, 0, "invalid volume name \"%s\": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*",
			 name);
		return err_quiet(e, EINVAL);
	}
	for (size_t i = 0; labels && labels[i]; i++)
		if (labels[i][0] == '=' || labels[i][0] == '\0') {
			err_make(e, 0, "invalid label \"%s\": empty key", labels[i]);
			return err_quiet(e, EINVAL);
		}
	if (volume_get(root, name, out, e) == 0) {
		if (exist_ok)
			return 0;
		volume_free(out);
		err_make(e, 0, "volume with name %s already exists: volume already exists", name);
		return err_quiet(e, EEXIST);
	}
	if (e->errnum != ENOENT)
		return -1;
	err_clear(e);
	if (mkdir_p_at(AT_FDCWD, dir, 0700, e) < 0)
		return -1;
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || random_hex_id(rnd, e) < 0)
		return dfd < 0 ? err_make(e, errno, "opening %s", dir) : -1;
	snprintf(tmp, sizeof tmp, ".tmp-%.16s", rnd);
	if (mkdirat(dfd, tmp, 0700) < 0)
		return err_make(e, errno, "creating %s/%s", dir, tmp);
	tfd = openat(dfd, tmp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	memset(&v, 0, sizeof v);
	v.name = xstrdup(name);
	v.driver = xstrdup("local");
	state_time_now(ts, sizeof ts);
	v.created = xstrdup(ts);
	v.labels = strv_dup(labels);
	v.anonymous = anonymous;
	j = volume_record(&v);
	txt = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = tfd < 0 ? err_make(e, errno, "opening %s/%s", dir, tmp) : 0;
	if (rc == 0 && mkdirat(tfd, "_data", 0755) < 0)
		rc = err_make(e, errno, "creating %s/%s/_data", dir, tmp);
	if (rc == 0)
		rc = write_file_atomic_at(tfd, "volume.json", txt, strlen(txt), 0600, e);
	json_object_put(j);
	if (rc == 0 && renameat(dfd, tmp, dfd, name) < 0)
		rc = err_make(e, errno, "creating volume %s", name);
	if (rc < 0) {
		struct err ign = ERR_INIT;
		if (rm_rf_at(dfd, tmp, &ign) < 0)
			err_clear(&ign);
		volume_free(&v);
		return -1;
	}
	v.mountpoint = xasprintf("%s/%s/_data", dir, name);
	*out = v;
	if (created)
		*created = true;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int volume_list(const char *root, char ***names, struct err *e)
{
	_cleanup_free_ char *dir = volumes_dir(root);
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;

	*names = xcalloc(1, sizeof(char *));
	if (!d)
		return errno == ENOENT ? 0 : err_make(e, errno, "opening %s", dir);
	while ((de = readdir(d))) {
		if (!volume_name_valid(de->d_name))
			continue; /* ., .., .lock, .tmp-*, .rm-* */
		strv_push(names, de->d_name);
	}
	qsort(*names, strv_len(*names), sizeof(char *), cmp_str);
	return 0;
}

int volume_users(const char *root, const char *name, char ***ids, struct err *e)
{
	_cleanup_strv_ char **all = NULL;

	*ids = xcalloc(1, sizeof(char *));
	if (container_list(root, &all, e) < 0)
		return -1;
	for (size_t i = 0; all[i]; i++) {
		json_object *j = NULL, *a;
		struct err ign = ERR_INIT;
		bool uses = false;
		if (container_read_config(root, all[i], &j, &ign) < 0) {
			err_clear(&ign);
			continue;
		}
		if (json_object_object_get_ex(j, "volumes", &a) && json_object_is_type(a, json_type_array)) {
			for (size_t k = 0; !uses && k < json_object_array_length(a); k++) {
				json_object *v = json_object_array_get_idx(a, k), *n;
				uses = json_object_object_get_ex(v, "name", &n) &&
				       json_object_is_type(n, json_type_string) &&
				       strcmp(json_object_get_string(n), name) == 0;
			}
		}
		json_object_put(j);
		if (uses)
			strv_push(ids, all[i]);
	}
	return 0;
}

static int rm_fn(void *arg, int outfd, struct err *e)
{
	(void)outfd;
	return rm_rf_at(AT_FDCWD, arg, e);
}

int volume_remove(const char *root, const struct idmap *m, const char *name, struct err *e)
{
	_cleanup_free_ char *dir = volumes_dir(root);
	_cleanup_free_ char *from = NULL, *to = NULL;
	struct err ign = ERR_INIT;
	char rnd[65];

	if (!volume_name_valid(name))
		return no_such_volume(name, e);
	if (random_hex_id(rnd, e) < 0)
		return -1;
	from = xasprintf("%s/%s", dir, name);
	to = xasprintf("%s/.rm-%.16s", dir, rnd);
	if (rename(from, to) < 0)
		return errno == ENOENT ? no_such_volume(name, e)
				       : err_make(e, errno, "removing volume %s", name);
	if (rm_rf_at(AT_FDCWD, to, &ign) == 0)
		return 0;
	err_clear(&ign);
	if (!m)
		return err_make(e, EACCES, "removing volume %s: files of other users left in %s", name, to);
	if (userns_run(m, 0, rm_fn, to, NULL, NULL, NULL, e) < 0)
		return err_wrap(e, "removing volume %s", name);
	return 0;
}

bool volume_is_empty(const struct volume *v)
{
	_cleanup_closedir_ DIR *d = opendir(v->mountpoint);
	struct dirent *de;

	if (!d)
		return false;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			return false;
	return true;
}
