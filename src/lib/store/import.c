/* import.c - store_import(): a rootfs tarball becomes a one-layer image. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "digest.h"
#include "lib/base/log.h"
#include "lib/base/util.h"
#include "ref.h"
#include "store_int.h"
#include "unpack.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

char *rfc3339_now(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[64];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
	return xasprintf("%s.%09ldZ", buf, ts.tv_nsec);
}

static const char *oci_arch(void)
{
	static const struct {
		const char *uname, *oci;
	} map[] = {
		{ "x86_64", "amd64" },    { "aarch64", "arm64" }, { "i686", "386" },
		{ "i386", "386" },        { "armv7l", "arm" },    { "armv6l", "arm" },
		{ "ppc64le", "ppc64le" }, { "s390x", "s390x" },   { "riscv64", "riscv64" },
	};
	static struct utsname u;

	if (uname(&u) < 0)
		return "amd64";
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (strcmp(u.machine, map[i].uname) == 0)
			return map[i].oci;
	return u.machine;
}

/* CMD/ENTRYPOINT/VOLUME value: a JSON array of strings, else NULL */
static json_object *json_string_array(const char *val)
{
	json_object *a = json_tokener_parse(val);

	if (!a || !json_object_is_type(a, json_type_array)) {
		json_object_put(a);
		return NULL;
	}
	for (size_t i = 0; i < json_object_array_length(a); i++)
		if (!json_object_is_type(json_object_array_get_idx(a, i), json_type_string)) {
			json_object_put(a);
			return NULL;
		}
	return a;
}

static json_object *obj_child(json_object *o, const char *key)
{
	json_object *v;

	if (json_object_object_get_ex(o, key, &v))
		return v;
	v = json_object_new_object();
	json_object_object_add(o, key, v);
	return v;
}

static void env_put(json_object *env, const char *kv)
{
	size_t klen = strcspn(kv, "=");

	for (size_t i = 0; i < json_object_array_length(env); i++) {
		const char *cur = json_object_get_string(json_object_array_get_idx(env, i));
		if (strncmp(cur, kv, klen) == 0 && cur[klen] == '=') {
			json_object_array_put_idx(env, i, json_object_new_string(kv));
			return;
		}
	}
	json_object_array_add(env, json_object_new_string(kv));
}

static char *unquote(const char *s)
{
	size_t n = strlen(s);
	if (n >= 2 && ((s[0] == '"' && s[n - 1] == '"') || (s[0] == '\'' && s[n - 1] == '\'')))
		return xasprintf("%.*s", (int)(n - 2), s + 1);
	return xstrdup(s);
}

/* One podman --change: "INSTRUCTION VALUE" or "INSTRUCTION=VALUE". */
int image_config_change(json_object *cfg, const char *change, struct err *e)
{
	static const char *const known =
		"CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR";
	size_t klen = strcspn(change, " \t=");
	_cleanup_free_ char *key = xasprintf("%.*s", (int)klen, change);
	const char *val = change + klen;

	while (*val == ' ' || *val == '\t')
		val++;
	if (*val == '=' && klen > 0)
		val++;
	while (*val == ' ' || *val == '\t')
		val++;
	if (!*key || !*val)
		return err_make(e, 0, "invalid --change \"%s\": want INSTRUCTION VALUE (%s)", change, known);

	if (strcasecmp(key, "CMD") == 0 || strcasecmp(key, "ENTRYPOINT") == 0) {
		json_object *a = *val == '[' ? json_string_array(val) : NULL;
		if (*val == '[' && !a)
			return err_make(e, 0, "invalid --change \"%s\": not a JSON array of strings", change);
		if (!a) {
			a = json_object_new_array();
			json_object_array_add(a, json_object_new_string("/bin/sh"));
			json_object_array_add(a, json_object_new_string("-c"));
			json_object_array_add(a, json_object_new_string(val));
		}
		json_object_object_add(cfg, strcasecmp(key, "CMD") == 0 ? "Cmd" : "Entrypoint", a);
	} else if (strcasecmp(key, "ENV") == 0) {
		_cleanup_free_ char *kv = NULL;
		size_t n = strcspn(val, "= \t");
		if (n == 0)
			return err_make(e, 0, "invalid --change \"%s\": want ENV KEY=VALUE", change);
		if (val[n] == '=') {
			_cleanup_free_ char *v = unquote(val + n + 1);
			kv = xasprintf("%.*s=%s", (int)n, val, v);
		} else {
			const char *v = val + n;
			while (*v == ' ' || *v == '\t')
				v++;
			kv = xasprintf("%.*s=%s", (int)n, val, v);
		}
		env_put(obj_child(cfg, "Env"), kv);
	} else if (strcasecmp(key, "EXPOSE") == 0) {
		json_object *ports = obj_child(cfg, "ExposedPorts");
		_cleanup_free_ char *copy = xstrdup(val);
		char *save = NULL;
		for (char *p = strtok_r(copy, " \t", &save); p; p = strtok_r(NULL, " \t", &save)) {
			_cleanup_free_ char *port = strchr(p, '/') ? xstrdup(p) : xasprintf("%s/tcp", p);
			uint64_t num;
			char *slash = strchr(port, '/');
			*slash = '\0';
			if (parse_u64(port, &num) < 0 || num == 0 || num > 65535 ||
			    (strcmp(slash + 1, "tcp") && strcmp(slash + 1, "udp") &&
			     strcmp(slash + 1, "sctp")))
				return err_make(e, 0, "invalid --change \"%s\": bad port %s", change, p);
			*slash = '/';
			json_object_object_add(ports, port, json_object_new_object());
		}
	} else if (strcasecmp(key, "LABEL") == 0) {
		size_t n = strcspn(val, "=");
		_cleanup_free_ char *k = NULL, *v = NULL;
		if (n == 0 || !val[n])
			return err_make(e, 0, "invalid --change \"%s\": want LABEL KEY=VALUE", change);
		k = xasprintf("%.*s", (int)n, val);
		v = unquote(val + n + 1);
		json_object_object_add(obj_child(cfg, "Labels"), k, json_object_new_string(v));
	} else if (strcasecmp(key, "VOLUME") == 0) {
		json_object *vols = obj_child(cfg, "Volumes");
		_cleanup_json_ json_object *a = *val == '[' ? json_string_array(val) : NULL;
		_cleanup_free_ char *copy = xstrdup(val);
		char *save = NULL;
		if (*val == '[' && !a)
			return err_make(e, 0, "invalid --change \"%s\": not a JSON array of strings", change);
		for (size_t i = 0; a && i < json_object_array_length(a); i++)
			json_object_object_add(vols, json_object_get_string(json_object_array_get_idx(a, i)),
					       json_object_new_object());
		for (char *p = a ? NULL : strtok_r(copy, " \t", &save); p; p = strtok_r(NULL, " \t", &save))
			json_object_object_add(vols, p, json_object_new_object());
	} else if (strcasecmp(key, "ONBUILD") == 0) {
		json_object *a;
		if (!json_object_object_get_ex(cfg, "OnBuild", &a)) {
			a = json_object_new_array();
			json_object_object_add(cfg, "OnBuild", a);
		}
		json_object_array_add(a, json_object_new_string(val));
	} else if (strcasecmp(key, "USER") == 0 || strcasecmp(key, "WORKDIR") == 0 ||
		   strcasecmp(key, "STOPSIGNAL") == 0) {
		const char *k = strcasecmp(key, "USER") == 0      ? "User"
				: strcasecmp(key, "WORKDIR") == 0 ? "WorkingDir"
								  : "StopSignal";
		if (strcasecmp(key, "WORKDIR") == 0 && val[0] != '/')
			return err_make(e, 0, "invalid --change \"%s\": WORKDIR must be absolute", change);
		json_object_object_add(cfg, k, json_object_new_string(val));
	} else {
		return err_make(e, 0, "invalid --change \"%s\": unknown instruction %s (%s)", change, key,
				known);
	}
	return 0;
}

int image_config_build(const struct import_opts *o, const char *diff_id, const char *created, char **out,
		       struct err *e)
{
	_cleanup_json_ json_object *root = json_object_new_object();
	json_object *cfg = json_object_new_object(), *env, *rootfs, *ids, *hist, *h;
	const char *hex = digest_hex(diff_id);

	json_object_object_add(root, "created", json_object_new_string(created));
	json_object_object_add(root, "architecture", json_object_new_string(oci_arch()));
	json_object_object_add(root, "os", json_object_new_string("linux"));
	json_object_object_add(root, "config", cfg);
	env = json_object_new_array();
	json_object_array_add(env, json_object_new_string(DEFAULT_PATH));
	json_object_object_add(cfg, "Env", env);
	for (size_t i = 0; o && o->changes && o->changes[i]; i++)
		if (image_config_change(cfg, o->changes[i], e) < 0)
			return -1;
	rootfs = json_object_new_object();
	json_object_object_add(rootfs, "type", json_object_new_string("layers"));
	ids = json_object_new_array();
	json_object_array_add(ids, json_object_new_string(diff_id));
	json_object_object_add(rootfs, "diff_ids", ids);
	json_object_object_add(root, "rootfs", rootfs);
	hist = json_object_new_array();
	h = json_object_new_object();
	json_object_object_add(h, "created", json_object_new_string(created));
	{
		_cleanup_free_ char *by = xasprintf("/bin/sh -c #(nop) ADD file:%s in / ", hex ? hex : "");
		json_object_object_add(h, "created_by", json_object_new_string(by));
	}
	if (o && o->message && *o->message)
		json_object_object_add(h, "comment", json_object_new_string(o->message));
	json_object_array_add(hist, h);
	json_object_object_add(root, "history", hist);
	*out = xstrdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
								    JSON_C_TO_STRING_NOSLASHESCAPE));
	return 0;
}

struct extract_job {
	int infd;
	int rootfd;
	struct unpack_opts o;
};

/* runs in the user namespace: unpack, then report "diff_id size devices tree_digest" */
static int extract_fn(void *arg, int outfd, struct err *e)
{
	struct extract_job *j = arg;
	struct unpack_result r;
	char line[240], tree[72];
	int n;

	if (unpack_fd(j->infd, j->rootfd, &j->o, &r, e) < 0 || unpack_tree_digest(j->rootfd, &r, tree, e) < 0)
		return -1;
	n = snprintf(line, sizeof line, "%s %" PRIu64 " %lu %s\n", r.diff_id, r.size, r.skipped_devices,
		     tree);
	if (write_all(outfd, line, (size_t)n) < 0)
		return err_make(e, errno, "reporting the layer digest");
	return 0;
}

static int extract(const struct idmap *m, struct extract_job *j, struct unpack_result *r, char tree_out[72],
		   struct err *e)
{
	_cleanup_free_ char *out = NULL;
	char diff[80], tree[80];
	uint64_t size;
	unsigned long ndev;

	if (!m) {
		j->o.no_chown = true;
		if (unpack_fd(j->infd, j->rootfd, &j->o, r, e) < 0)
			return -1;
		return unpack_tree_digest(j->rootfd, r, tree_out, e);
	}
	if (userns_run(m, 0, extract_fn, j, &out, NULL, NULL, e) < 0)
		return -1;
	memset(r, 0, sizeof *r);
	if (sscanf(out, "%79s %" SCNu64 " %lu %79s", diff, &size, &ndev, tree) != 4 || !digest_hex(diff) ||
	    !digest_hex(tree))
		return err_make(e, 0, "unpacking: unexpected report \"%s\"", out);
	snprintf(tree_out, 72, "sha256:%s", digest_hex(tree));
	snprintf(r->diff_id, sizeof r->diff_id, "sha256:%s", digest_hex(diff));
	r->size = size;
	r->skipped_devices = ndev;
	return 0;
}

static int open_input(const char *path, struct err *e)
{
	struct stat st;
	int fd;

	if (strcmp(path, "-") == 0) {
		if (isatty(STDIN_FILENO))
			return err_make(e, 0,
					"refusing to read an archive from a terminal (use a file or a pipe)");
		fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	}
	if (fd < 0)
		return err_make(e, errno, "opening %s", path);
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return err_make(e, EISDIR, "opening %s", path);
	}
	return fd;
}

/* Under the store lock: put the layer in place and write the records.
 * *dedup is set when the layer already existed (the scratch copy is
 * then discarded by the caller). */
static int commit(struct store *s, const struct scratch *t, const char *chainhex, const char *config,
		  const char *id, const char *name, const char *created, const struct unpack_result *r,
		  bool *dedup, struct err *e)
{
	_cleanup_json_ json_object *rec = json_object_new_object(), *names = NULL;
	json_object *layers = json_object_new_array(), *l = json_object_new_object();
	char path[96];
	struct stat st;

	*dedup = fstatat(s->layersfd, chainhex, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (!*dedup && renameat(s->layersfd, t->name, s->layersfd, chainhex) < 0)
		return err_make(e, errno, "moving the layer into %s/layers", s->root);
	snprintf(path, sizeof path, "blobs/sha256/%s", id);
	if (write_file_atomic_at(s->rootfd, path, config, strlen(config), 0600, e) < 0)
		goto undo;
	json_object_object_add(rec, "id", json_object_new_string(id));
	json_object_object_add(rec, "created", json_object_new_string(created));
	json_object_object_add(rec, "size", json_object_new_int64((int64_t)r->size));
	json_object_object_add(l, "diff_id", json_object_new_string(r->diff_id));
	json_object_object_add(l, "chain_id", json_object_new_string(r->diff_id));
	json_object_object_add(l, "size", json_object_new_int64((int64_t)r->size));
	json_object_array_add(layers, l);
	json_object_object_add(rec, "layers", layers);
	snprintf(path, sizeof path, "images/%s.json", id);
	if (json_save_at(s->rootfd, path, rec, e) < 0)
		goto undo_blob;
	if (name) {
		if (names_load(s, &names, e) < 0)
			goto undo_image;
		json_object_object_add(names, name, json_object_new_string(id));
		if (names_save(s, names, e) < 0)
			goto undo_image;
	}
	return 0;
undo_image:
	unlinkat(s->rootfd, path, 0);
undo_blob:
	snprintf(path, sizeof path, "blobs/sha256/%s", id);
	unlinkat(s->rootfd, path, 0);
undo:
	if (!*dedup)
		renameat(s->layersfd, chainhex, s->layersfd, t->name);
	return -1;
}

int store_import(struct store *s, const struct idmap *m, const char *path, const char *ref,
		 const struct import_opts *o, char id[65], struct err *e)
{
	_cleanup_free_ char *name = NULL, *config = NULL, *created = NULL, *diffdir = NULL;
	_cleanup_close_ int infd = -1, rootfd = -1;
	struct scratch t = { "", -1 };
	struct extract_job job;
	struct unpack_result r;
	struct err se = ERR_INIT;
	char chainhex[65], metapath[64], tree[72];
	bool dedup = false;
	int rc = -1;

	if (ref && !(name = ref_normalize_new(ref, e)))
		return -1;
	created = rfc3339_now();
	/* check --change before the work; the config is rebuilt after */
	if (image_config_build(o, "sha256:", created, &config, e) < 0)
		return -1;
	infd = open_input(path, e);
	if (infd < 0)
		return -1;
	if (store_sweep(s, m, &se) < 0) {
		log_debug("sweeping %s/layers: %s", s->root, se.msg);
		err_clear(&se);
	}
	if (scratch_create(s, &t, true, e) < 0)
		return -1;
	diffdir = xasprintf("%s/diff", t.name);
	if (mkdirat(s->layersfd, diffdir, 0755) < 0 || fchmodat(s->layersfd, diffdir, 0755, 0) < 0 ||
	    (rootfd = openat(s->layersfd, diffdir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		err_make(e, errno, "creating %s/layers/%s", s->root, diffdir);
		goto out;
	}
	memset(&job, 0, sizeof job);
	job.infd = infd;
	job.rootfd = rootfd;
	job.o.max_bytes = s->max_layer_size;
	job.o.max_entries = s->max_layer_entries;
	job.o.tree_digest = true;
	if (extract(m, &job, &r, tree, e) < 0) {
		err_wrap(e, "importing %s", path);
		goto out;
	}
	if (r.skipped_devices)
		log_warn("skipped %lu device node%s: they cannot be created without privileges",
			 r.skipped_devices, r.skipped_devices == 1 ? "" : "s");
	snprintf(chainhex, sizeof chainhex, "%s", digest_hex(r.diff_id));
	free(config);
	config = NULL;
	if (image_config_build(o, r.diff_id, created, &config, e) < 0)
		goto out;
	sha256_hex(config, strlen(config), id);
	{
		_cleanup_json_ json_object *meta = json_object_new_object();
		json_object_object_add(meta, "diff_id", json_object_new_string(r.diff_id));
		json_object_object_add(meta, "chain_id", json_object_new_string(r.diff_id));
		json_object_object_add(meta, "size", json_object_new_int64((int64_t)r.size));
		json_object_object_add(meta, "created", json_object_new_string(created));
		json_object_object_add(meta, "tree_digest", json_object_new_string(tree));
		snprintf(metapath, sizeof metapath, "%s/meta.json", t.name);
		if (json_save_at(s->layersfd, metapath, meta, e) < 0)
			goto out;
	}
	if (store_lock(s, LOCK_EX, e) < 0)
		goto out;
	rc = commit(s, &t, chainhex, config, id, name, created, &r, &dedup, e);
	store_unlock(s);
out:
	if (rc < 0 || dedup) {
		closep(&rootfd);
		rootfd = -1;
		scratch_discard(s, m, &t);
	} else {
		/* the directory is now layers/<chain>; only the lock file is left */
		char lockname[40];
		snprintf(lockname, sizeof lockname, "%s.lock", t.name);
		unlinkat(s->layersfd, lockname, 0);
		close(t.lockfd);
	}
	return rc;
}
