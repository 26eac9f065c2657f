/* commit.c - store_commit(): a container's changes (its upper directory)
 * become one more layer on its image, with the config changed as asked. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buildstore.h"
#include "commit.h"
#include "export.h"
#include "ref.h"
#include "store_int.h"
#include "lib/base/json.h"
#include "lib/base/util.h"

struct tar_job {
	const char *upper;
	char **lowerdirs;
	int fd;
};

static bool in_lower(char **lowerdirs, const char *path)
{
	struct stat st;

	for (size_t i = 0; lowerdirs && lowerdirs[i]; i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", lowerdirs[i], path);
		if (lstat(p, &st) == 0)
			return true;
	}
	return false;
}

/* What the runtime made for its own mounts when the image lacked it (the
 * generated /etc files, /etc/localtime for --tz, /proc, /sys, /dev) is not
 * a change of the container's: left out while still an empty
 * placeholder, as podman's commit does. */
static bool placeholder(const char *path, const struct stat *st, void *arg)
{
	static const char *const files[] = { "etc/hosts", "etc/resolv.conf", "etc/hostname",
					     "etc/localtime" };
	static const char *const dirs[] = { "proc", "sys", "dev" };
	struct tar_job *j = arg;

	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		if (!strcmp(path, files[i]) && S_ISREG(st->st_mode) && st->st_size == 0)
			return !in_lower(j->lowerdirs, path);
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (!strcmp(path, dirs[i]) && S_ISDIR(st->st_mode))
			return !in_lower(j->lowerdirs, path);
	return false;
}

/* the tar, and back on outfd its digest and size (taken as it is written) */
static int tar_fn(void *arg, int outfd, struct err *e)
{
	struct tar_job *j = arg;
	_cleanup_close_ int up = open(j->upper, O_PATH | O_DIRECTORY | O_CLOEXEC);
	char digest[72], line[128];
	uint64_t size = 0;
	int n;

	if (up < 0)
		return err_make(e, errno, "opening %s", j->upper);
	if (layer_tar_write_digest(up, j->fd, placeholder, j, digest, &size, e) < 0)
		return -1;
	n = snprintf(line, sizeof line, "%s %" PRIu64 "\n", digest, size);
	if (write_all(outfd, line, (size_t)n) < 0)
		return err_make(e, errno, "writing the layer digest");
	return 0;
}

static bool parse_digest(const char *s, char digest[72], uint64_t *size)
{
	char *end;
	const char *sp = s ? strchr(s, ' ') : NULL;

	if (!sp || sp - s != 71 || strncmp(s, "sha256:", 7) != 0 || strspn(s + 7, "0123456789abcdef") != 64)
		return false;
	memcpy(digest, s, 71);
	digest[71] = '\0';
	errno = 0;
	*size = strtoull(sp + 1, &end, 10);
	return errno == 0 && end != sp + 1 && (*end == '\n' || *end == '\0');
}

/* the base config with the changes, the new diff id and a history entry */
static int new_config(const char *base, const struct commit_opts *o, const char *diff_id, char **out,
		      struct err *e)
{
	_cleanup_json_ json_object *root = NULL;
	_cleanup_free_ char *now = rfc3339_now();
	json_object *cfg, *rootfs, *ids, *hist, *h;

	if (json_parse_strict(base, strlen(base), "image config", &root, e) < 0)
		return -1;
	if (!json_object_is_type(root, json_type_object))
		return err_make(e, 0, "the image config is not an object");
	if (!json_object_object_get_ex(root, "config", &cfg) || !json_object_is_type(cfg, json_type_object)) {
		cfg = json_object_new_object();
		json_object_object_add(root, "config", cfg);
	}
	for (size_t i = 0; o->changes && o->changes[i]; i++)
		if (image_config_change(cfg, o->changes[i], e) < 0)
			return -1;
	json_object_object_add(root, "created", json_object_new_string(now));
	if (o->author && *o->author)
		json_object_object_add(root, "author", json_object_new_string(o->author));
	if (!json_object_object_get_ex(root, "rootfs", &rootfs) ||
	    !json_object_is_type(rootfs, json_type_object) ||
	    !json_object_object_get_ex(rootfs, "diff_ids", &ids) ||
	    !json_object_is_type(ids, json_type_array))
		return err_make(e, 0, "the image config has no rootfs.diff_ids");
	json_object_array_add(ids, json_object_new_string(diff_id));
	if (!json_object_object_get_ex(root, "history", &hist) ||
	    !json_object_is_type(hist, json_type_array)) {
		hist = json_object_new_array();
		json_object_object_add(root, "history", hist);
	}
	h = json_object_new_object();
	json_object_object_add(h, "created", json_object_new_string(now));
	json_object_object_add(h, "created_by", json_object_new_string(o->created_by ? o->created_by : ""));
	if (o->author && *o->author)
		json_object_object_add(h, "author", json_object_new_string(o->author));
	if (o->message && *o->message)
		json_object_object_add(h, "comment", json_object_new_string(o->message));
	json_object_array_add(hist, h);
	*out = xstrdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
								    JSON_C_TO_STRING_NOSLASHESCAPE));
	return 0;
}

int store_commit(struct store *s, const struct idmap *m, const struct commit_opts *o, char id[65],
		 struct err *e)
{
	struct image *img = NULL;
	_cleanup_free_ char *base = NULL, *config = NULL;
	_cleanup_close_ int fd = -1;
	_cleanup_strv_ char **names = NULL;
	struct new_layer *nl = NULL;
	struct image_layer *layers = NULL;
	struct tar_job j;
	struct built_image b;
	_cleanup_free_ char *out = NULL;
	char diff_id[72];
	uint64_t size;
	int rc = -1;

	if (o->ref) {
		char *n = ref_normalize_new(o->ref, e);
		if (!n)
			return -1;
		strv_push(&names, n);
		free(n);
	}
	if (store_image_get(s, o->image_id, &img, e) < 0 || store_image_config(s, img->id, &base, e) < 0)
		goto out;
	fd = openat(s->rootfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		err_make(e, errno, "creating the layer tar");
		goto out;
	}
	j.upper = o->upper;
	j.lowerdirs = o->lowerdirs;
	j.fd = fd;
	if (userns_run(o->view ? o->view : m, 0, tar_fn, &j, &out, NULL, NULL, e) < 0) {
		err_wrap(e, "writing the layer");
		goto out;
	}
	if (!parse_digest(out, diff_id, &size)) {
		err_make(e, 0, "writing the layer: no digest came back");
		goto out;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		err_make(e, errno, "rewinding the layer tar");
		goto out;
	}
	layers = xcalloc(img->nlayers + 1, sizeof *layers);
	memcpy(layers, img->layers, img->nlayers * sizeof *layers);
	if (store_layer_from_tar_digest(s, m, fd, diff_id, size,
					img->nlayers ? img->layers[img->nlayers - 1].chain_id : NULL,
					&layers[img->nlayers], &nl, e) < 0)
		goto out;
	if (new_config(base, o, layers[img->nlayers].diff_id, &config, e) < 0)
		goto out;
	memset(&b, 0, sizeof b);
	b.config = config;
	b.config_len = strlen(config);
	b.layers = layers;
	b.nlayers = img->nlayers + 1;
	b.pending = nl ? &nl : NULL;
	b.npending = nl ? 1 : 0;
	b.names = names;
	rc = store_image_commit_built(s, m, &b, id, e);
out:
	if (nl)
		new_layer_free(s, m, nl);
	free(layers);
	if (img)
		image_free(img);
	return rc;
}
