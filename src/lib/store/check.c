/* check.c - see check.h: verifying and repairing the store. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "digest.h"
#include "lib/base/util.h"
#include "lib/record/container.h"
#include "lib/record/state.h"
#include "store_int.h"
#include "treesum.h"

#define META_MAX (1 << 20)
#define RECORD_MAX (16 << 20)

struct layer_info {
	char hex[65];
	char *broken; /* why meta.json or diff/ is wrong, NULL if sound */
	char tree[72];
	char *corrupt; /* the digest found, when it differs from tree */
	time_t mtime;
	bool used;
	bool remove;
};

struct image_info {
	char id[65];
	char *damaged; /* why, NULL if sound */
	char **chains; /* hex chain ids, bottom first */
	char **users;  /* containers using it */
	bool remove;
};

struct ctr_info {
	char id[65];
	char *name;
	char *image; /* hex, NULL if none named */
	bool unreadable;
};

struct check {
	struct store *s;
	const struct idmap *m;
	const struct store_check_opts *o;
	struct layer_info *layers;
	size_t nlayers;
	struct image_info *images;
	size_t nimages;
	struct ctr_info *ctrs;
	size_t nctrs;
	struct store_finding *f;
	size_t nf;
	struct store_finding *dead; /* records whose supervisor is gone, reported last */
	size_t ndead;
};

static struct store_finding *add(struct store_finding **v, size_t *n, enum store_problem kind, char *what,
				 char *problem)
{
	struct store_finding *f;

	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	f = &(*v)[(*n)++];
	*f = (struct store_finding){ kind, what, problem, NULL, false };
	return f;
}

static void act(const struct check *c, struct store_finding *f, bool fixed, char *action)
{
	if (!c->o->repair) {
		free(action);
		return;
	}
	free(f->action);
	f->action = action;
	f->fixed = fixed;
}

void store_findings_free(struct store_finding *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].what);
		free(f[i].problem);
		free(f[i].action);
	}
	free(f);
}

static char *jstr(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return xstrdup(json_object_get_string(v));
}

/* the 64-hex entries of dir (suffix: ".json" for images/, "" for dirs) */
static char **hex_entries(int dirfd, const char *dir, const char *suffix)
{
	int fd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	char **v = xcalloc(1, sizeof *v);
	size_t sl = strlen(suffix);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return v;
	}
	while ((de = readdir(d))) {
		char id[65];
		if (strlen(de->d_name) != 64 + sl || strcmp(de->d_name + 64, suffix) != 0)
			continue;
		memcpy(id, de->d_name, 64);
		id[64] = '\0';
		if (is_hex(id, 64))
			strv_push(&v, id);
	}
	return v;
}

static struct layer_info *layer_find(struct check *c, const char *hex)
{
	for (size_t i = 0; i < c->nlayers; i++)
		if (strcmp(c->layers[i].hex, hex) == 0)
			return &c->layers[i];
	return NULL;
}

static struct image_info *image_find(struct check *c, const char *id)
{
	for (size_t i = 0; i < c->nimages; i++)
		if (strcmp(c->images[i].id, id) == 0)
			return &c->images[i];
	return NULL;
}

/* ---- scanning ---------------------------------------------------------------- */

static void scan_layers(struct check *c)
{
	_cleanup_strv_ char **hexes = hex_entries(c->s->rootfd, "layers", "");

	c->nlayers = strv_len(hexes);
	c->layers = xcalloc(c->nlayers + 1, sizeof *c->layers);
	for (size_t i = 0; i < c->nlayers; i++) {
		struct layer_info *l = &c->layers[i];
		_cleanup_free_ char *path = xasprintf("%s/meta.json", hexes[i]), *txt = NULL, *chain = NULL,
				    *tree = NULL, *diff = xasprintf("%s/diff", hexes[i]);
		_cleanup_json_ json_object *meta = NULL;
		struct err ign = ERR_INIT;
		struct stat st;

		memcpy(l->hex, hexes[i], 65);
		if (fstatat(c->s->layersfd, hexes[i], &st, AT_SYMLINK_NOFOLLOW) == 0)
			l->mtime = st.st_mtime;
		if (read_file_at(c->s->layersfd, path, META_MAX, &txt, NULL, &ign) < 0) {
			l->broken = xasprintf("meta.json is unreadable (%s)", ign.msg);
			err_clear(&ign);
			continue;
		}
		meta = json_tokener_parse(txt);
		chain = jstr(meta, "chain_id");
		if (!meta || !chain || !digest_hex(chain)) {
			l->broken = xstrdup("meta.json is corrupt");
			continue;
		}
		if (strcmp(digest_hex(chain), l->hex) != 0) {
			l->broken = xasprintf("meta.json names another layer (%.19s)", chain);
			continue;
		}
		if (fstatat(c->s->layersfd, diff, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode)) {
			l->broken = xstrdup("its diff directory is missing");
			continue;
		}
		tree = jstr(meta, "tree_digest");
		if (tree && digest_hex(tree))
			snprintf(l->tree, sizeof l->tree, "%s", tree);
	}
}

static void scan_images(struct check *c)
{
	_cleanup_strv_ char **ids = hex_entries(c->s->rootfd, "images", ".json");

	c->nimages = strv_len(ids);
	c->images = xcalloc(c->nimages + 1, sizeof *c->images);
	for (size_t i = 0; i < c->nimages; i++) {
		struct image_info *img = &c->images[i];
		_cleanup_free_ char *path = xasprintf("images/%s.json", ids[i]), *txt = NULL,
				    *blob = xasprintf("blobs/sha256/%s", ids[i]);
		_cleanup_json_ json_object *rec = NULL;
		struct err ign = ERR_INIT;
		json_object *layers;
		char prev[72] = "";

		memcpy(img->id, ids[i], 65);
		img->chains = xcalloc(1, sizeof *img->chains);
		if (read_file_at(c->s->rootfd, path, RECORD_MAX, &txt, NULL, &ign) < 0) {
			img->damaged = xasprintf("its record is unreadable (%s)", ign.msg);
			err_clear(&ign);
			continue;
		}
		rec = json_tokener_parse(txt);
		if (!rec || !json_object_object_get_ex(rec, "layers", &layers) ||
		    !json_object_is_type(layers, json_type_array)) {
			img->damaged = xstrdup("its record is corrupt");
			continue;
		}
		if (faccessat(c->s->rootfd, blob, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
			img->damaged = xstrdup("its config blob is missing");
		for (size_t k = 0; k < json_object_array_length(layers); k++) {
			json_object *jl = json_object_array_get_idx(layers, k);
			_cleanup_free_ char *d = jstr(jl, "diff_id"), *ch = jstr(jl, "chain_id");
			char want[72];
			struct layer_info *l;

			if (!digest_hex(d) || !digest_hex(ch)) {
				if (!img->damaged)
					img->damaged = xasprintf("layer %zu of its record is malformed", k);
				break;
			}
			strv_push(&img->chains, digest_hex(ch));
			chain_id_next(k ? prev : NULL, d, want);
			snprintf(prev, sizeof prev, "%s", ch);
			if (strcmp(want, ch) != 0 && !img->damaged)
				img->damaged = xasprintf("layer %.12s does not follow from its diff id",
							 digest_hex(ch));
			l = layer_find(c, digest_hex(ch));
			if (l)
				l->used = true;
			if (!l && !img->damaged)
				img->damaged = xasprintf("layer %.12s is missing", digest_hex(ch));
			else if (l && l->broken && !img->damaged)
				img->damaged = xasprintf("layer %.12s is broken", l->hex);
		}
	}
}

static void scan_containers(struct check *c)
{
	_cleanup_free_ char *dir = xasprintf("%s/containers", c->o->root);
	_cleanup_strv_ char **ids = hex_entries(AT_FDCWD, dir, "");

	c->nctrs = strv_len(ids);
	c->ctrs = xcalloc(c->nctrs + 1, sizeof *c->ctrs);
	for (size_t i = 0; i < c->nctrs; i++) {
		struct ctr_info *k = &c->ctrs[i];
		_cleanup_free_ char *ctrdir = xasprintf("%s/%s", dir, ids[i]), *img = NULL;
		json_object *j = NULL;
		struct err ign = ERR_INIT;
		struct ctr_state st;

		memcpy(k->id, ids[i], 65);
		if (container_read_config(c->o->root, k->id, &j, &ign) < 0) {
			err_clear(&ign);
			k->unreadable = true;
			continue;
		}
		k->name = jstr(j, "name");
		img = jstr(j, "image_id");
		/* a container of a single-file image needs no image in the store */
		if (img && digest_hex(img) && !json_object_object_get_ex(j, "sqfs", NULL))
			k->image = xstrdup(digest_hex(img));
		json_object_put(j);
		ctr_state_init(&st);
		if (state_load(ctrdir, &st, &ign) == 0 &&
		    (st.status == ST_RUNNING || st.status == ST_PAUSED) &&
		    !proc_alive(st.supervisor, st.supervisor_start)) {
			struct store_finding *f =
				add(&c->dead, &c->ndead, SP_CONTAINER_DEAD,
				    xasprintf("container %.12s (%s)", k->id, k->name ? k->name : ""),
				    xasprintf("the record says %s, but its supervisor (pid %d) is gone",
					      ctr_status_name(st.status), (int)st.supervisor));
			if (c->o->repair) {
				_cleanup_free_ char *rundir = xasprintf("%s/containers/%s", c->o->runroot,
									k->id);
				struct ctr_state st2;
				ctr_state_init(&st2);
				if (state_refresh(ctrdir, rundir, &st2, NULL, &ign) == 0)
					act(c, f, true, xstrdup("marked exited"));
				else
					act(c, f, false, xasprintf("left: %s", ign.msg));
				ctr_state_free(&st2);
			}
		}
		err_clear(&ign);
		ctr_state_free(&st);
	}
}

/* Tree digests of the sound layers that have one recorded, computed where
 * their files are readable.  Output lines: "hex sha256:..." or "hex !msg". */
struct tree_job {
	int layersfd;
	char **hexes;
};

static char *tree_line(int layersfd, const char *hex)
{
	_cleanup_free_ char *diff = xasprintf("%s/diff", hex);
	_cleanup_close_ int fd = openat(layersfd, diff, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct err le = ERR_INIT;
	char out[72], *line;

	if (fd < 0)
		err_make(&le, errno, "opening %s", diff);
	else
		tree_digest_at(fd, out, &le);
	if (!le.msg)
		return xasprintf("%s %s\n", hex, out);
	for (char *p = le.msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	line = xasprintf("%s !%s\n", hex, le.msg);
	err_clear(&le);
	return line;
}

static int tree_fn(void *arg, int outfd, struct err *e)
{
	struct tree_job *j = arg;

	for (size_t i = 0; j->hexes[i]; i++) {
		_cleanup_free_ char *line = tree_line(j->layersfd, j->hexes[i]);
		if (write_all(outfd, line, strlen(line)) < 0)
			return err_make(e, errno, "reporting a tree digest");
	}
	return 0;
}

static int verify_trees(struct check *c, struct err *e)
{
	_cleanup_strv_ char **hexes = xcalloc(1, sizeof(char *));
	_cleanup_free_ char *out = NULL;
	struct tree_job j;

	for (size_t i = 0; i < c->nlayers; i++)
		if (!c->layers[i].broken && c->layers[i].tree[0])
			strv_push(&hexes, c->layers[i].hex);
	if (!hexes[0])
		return 0;
	j = (struct tree_job){ c->s->layersfd, hexes };
	if (c->m) {
		if (userns_run(c->m, 0, tree_fn, &j, &out, NULL, NULL, e) < 0)
			return err_wrap(e, "verifying the layers' files");
	} else {
		out = xstrdup("");
		for (size_t i = 0; hexes[i]; i++) {
			_cleanup_free_ char *line = tree_line(j.layersfd, hexes[i]);
			char *t = xasprintf("%s%s", out, line);
			free(out);
			out = t;
		}
	}
	for (char *line = out, *eol; line && *line; line = eol ? eol + 1 : NULL) {
		struct layer_info *l;
		eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		if (strlen(line) < 66 || line[64] != ' ')
			continue;
		line[64] = '\0';
		l = layer_find(c, line);
		if (!l)
			continue;
		if (line[65] == '!')
			l->broken = xasprintf("its files cannot be read (%s)", line + 66);
		else if (strcmp(line + 65, l->tree) != 0)
			l->corrupt = xstrdup(line + 65);
	}
	return 0;
}

/* ---- findings and repairs ------------------------------------------------------ */

static char *users_text(char **users)
{
	char *t = xstrdup("");

	for (size_t i = 0; users && users[i]; i++) {
		char *n = xasprintf("%s%s%.12s", t, i ? ", " : "", users[i]);
		free(t);
		t = n;
	}
	return t;
}

/* containers first (without the store lock: removing one may need it) */
static void repair_containers(struct check *c, struct store_finding *f, const char *id, const char *why_left)
{
	struct err e = ERR_INIT;

	if (!c->o->force || !c->o->remove_container) {
		act(c, f, false, xasprintf("left: %s (--force removes it)", why_left));
		return;
	}
	if (c->o->remove_container(c->o->arg, id, &e) < 0) {
		act(c, f, false, xasprintf("left: removing container %.12s failed: %s", id, e.msg));
		err_clear(&e);
		return;
	}
	act(c, f, true, xasprintf("removed container %.12s", id));
}

/* Under the exclusive lock: the names of removed images and dangling
 * names, the removed images' records, then every layer no image record
 * uses any more that is to go (orphans, broken, corrupt, or used only by
 * a removed image), moved into a scratch dir t. */
static int repair_store(struct check *c, struct scratch *t, struct err *e)
{
	_cleanup_json_ json_object *names = NULL;
	_cleanup_strv_ char **ids = NULL;
	bool changed = false;

	if (names_load(c->s, &names, e) < 0)
		return -1;
	{
		json_object_object_foreach(names, key, val) {
			const char *id = json_object_is_type(val, json_type_string)
						 ? json_object_get_string(val)
						 : "";
			struct image_info *img = image_find(c, id);
			if (!img || img->remove) {
				json_object_object_del(names, key);
				changed = true;
			}
		}
	}
	if (changed && names_save(c->s, names, e) < 0)
		return -1;
	for (size_t i = 0; i < c->nimages; i++) {
		struct image_info *img = &c->images[i];
		char path[96];
		if (!img->remove)
			continue;
		snprintf(path, sizeof path, "images/%s.json", img->id);
		if (unlinkat(c->s->rootfd, path, 0) < 0 && errno != ENOENT)
			return err_make(e, errno, "removing %s/%s", c->o->root, path);
		snprintf(path, sizeof path, "blobs/sha256/%s", img->id);
		unlinkat(c->s->rootfd, path, 0);
	}
	/* what the image records on disk use now (a pull may have added one) */
	ids = hex_entries(c->s->rootfd, "images", ".json");
	for (size_t i = 0; i < c->nlayers; i++) {
		struct layer_info *l = &c->layers[i];
		char dst[96];
		bool used = false;
		if (!l->remove)
			continue;
		for (size_t k = 0; ids[k] && !used; k++) {
			_cleanup_free_ char *txt = NULL, *path = xasprintf("images/%s.json", ids[k]);
			struct err ign = ERR_INIT;
			if (read_file_at(c->s->rootfd, path, RECORD_MAX, &txt, NULL, &ign) < 0) {
				err_clear(&ign);
				used = true; /* in doubt, keep it */
			} else {
				used = strstr(txt, l->hex) != NULL;
			}
		}
		if (used) {
			l->remove = false;
			continue;
		}
		if (t->lockfd < 0 && scratch_create(c->s, t, true, e) < 0)
			return -1;
		snprintf(dst, sizeof dst, "%s/%s", t->name, l->hex);
		if (renameat(c->s->layersfd, l->hex, c->s->layersfd, dst) < 0 && errno != ENOENT)
			return err_make(e, errno, "removing layer %s", l->hex);
	}
	return 0;
}

static const char *layer_why(const struct layer_info *l)
{
	return l->broken ? l->broken : l->corrupt ? "its files differ from its record" : NULL;
}

int store_check(struct store *s, const struct idmap *m, const struct store_check_opts *o,
		struct store_finding **out, size_t *n, struct err *e)
{
	struct check c = { .s = s, .m = m, .o = o };
	struct scratch t = { "", -1 };
	time_t now = time(NULL);
	int rc = 0;

	*out = NULL;
	*n = 0;
	scan_containers(&c);
	if (store_lock(s, LOCK_SH, e) < 0)
		goto fail;
	scan_layers(&c);
	scan_images(&c);
	if (!o->quick && verify_trees(&c, e) < 0) {
		store_unlock(s);
		goto fail;
	}
	store_unlock(s);

	/* what follows from the layers: damaged images, their users */
	for (size_t i = 0; i < c.nimages; i++) {
		struct image_info *img = &c.images[i];
		for (size_t k = 0; img->chains[k] && !img->damaged; k++) {
			struct layer_info *l = layer_find(&c, img->chains[k]);
			if (l && layer_why(l))
				img->damaged = xasprintf("layer %.12s: %s", l->hex, layer_why(l));
		}
		for (size_t k = 0; k < c.nctrs; k++)
			if (c.ctrs[k].image && strcmp(c.ctrs[k].image, img->id) == 0)
				strv_push(&img->users, c.ctrs[k].id);
	}

	/* layers */
	for (size_t i = 0; i < c.nlayers; i++) {
		struct layer_info *l = &c.layers[i];
		struct store_finding *f;
		bool old = o->max_age_s <= 0 || now - l->mtime >= o->max_age_s;
		if (layer_why(l)) {
			f = add(&c.f, &c.nf, l->broken ? SP_LAYER_BROKEN : SP_LAYER_CORRUPT,
				xasprintf("layer %.12s", l->hex),
				l->broken ? xstrdup(l->broken)
					  : xasprintf("its files differ from its record (tree digest %.19s, "
						      "recorded %.19s)",
						      l->corrupt, l->tree));
			l->remove = true;
			act(&c, f, true,
			    xstrdup(l->used ? "removed with the images that use it" : "removed"));
		} else if (!l->used && old) {
			f = add(&c.f, &c.nf, SP_LAYER_ORPHAN, xasprintf("layer %.12s", l->hex),
				xstrdup("no image uses it"));
			l->remove = true;
			act(&c, f, true, xstrdup("removed"));
		}
	}
	/* images */
	for (size_t i = 0; i < c.nimages; i++) {
		struct image_info *img = &c.images[i];
		struct store_finding *f;
		if (!img->damaged)
			continue;
		f = add(&c.f, &c.nf, SP_IMAGE_DAMAGED, xasprintf("image %.12s", img->id),
			xasprintf("damaged: %s", img->damaged));
		if (!o->repair)
			continue;
		if (img->users) {
			_cleanup_free_ char *who = users_text(img->users);
			bool all = o->force && o->remove_container;
			for (size_t k = 0; all && img->users[k]; k++) {
				struct store_finding tmp = { 0 };
				repair_containers(&c, &tmp, img->users[k], "");
				all = tmp.fixed;
				if (!tmp.fixed)
					act(&c, f, false, steal_ptr(tmp.action));
				free(tmp.action);
			}
			if (!all) {
				if (!f->action)
					act(&c, f, false,
					    xasprintf("left: used by container %s (--force removes them too)",
						      who));
				continue;
			}
			act(&c, f, true, xasprintf("removed, with container %s", who));
		} else {
			act(&c, f, true, xstrdup("removed"));
		}
		img->remove = true;
	}
	/* a layer kept for an image that stays is not repaired */
	for (size_t i = 0; i < c.nimages; i++) {
		if (!c.images[i].damaged || c.images[i].remove)
			continue;
		for (size_t k = 0; c.images[i].chains[k]; k++) {
			struct layer_info *l = layer_find(&c, c.images[i].chains[k]);
			if (!l || !l->remove)
				continue;
			l->remove = false;
			for (size_t x = 0; x < c.nf; x++)
				if ((c.f[x].kind == SP_LAYER_CORRUPT || c.f[x].kind == SP_LAYER_BROKEN) &&
				    strncmp(c.f[x].what + 6, l->hex, 12) == 0)
					act(&c, &c.f[x], false,
					    xasprintf("left: image %.12s still uses it", c.images[i].id));
		}
	}
	/* names */
	{
		_cleanup_json_ json_object *names = NULL;
		struct err ign = ERR_INIT;
		if (names_load(s, &names, &ign) < 0) {
			add(&c.f, &c.nf, SP_NAME_DANGLING, xstrdup("names.json"), xstrdup(ign.msg));
			err_clear(&ign);
		} else {
			json_object_object_foreach(names, key, val) {
				const char *id = json_object_is_type(val, json_type_string)
							 ? json_object_get_string(val)
							 : "";
				if (!image_find(&c, id)) {
					struct store_finding *f =
						add(&c.f, &c.nf, SP_NAME_DANGLING, xasprintf("name %s", key),
						    xasprintf("points at image %.12s, which does not exist",
							      id));
					act(&c, f, true, xstrdup("removed"));
				}
			}
		}
	}
	/* containers */
	for (size_t i = 0; i < c.nctrs; i++) {
		struct ctr_info *k = &c.ctrs[i];
		struct store_finding *f;
		if (k->unreadable) {
			f = add(&c.f, &c.nf, SP_CONTAINER_RECORD, xasprintf("container %.12s", k->id),
				xstrdup("its config.json is unreadable"));
			if (o->repair && o->force) {
				_cleanup_free_ char *dir = xasprintf("%s/containers", o->root);
				char *one[] = { k->id, NULL };
				_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
				struct err re = ERR_INIT;
				if (dfd >= 0 && store_rm_trees(m, dfd, one, &re) == 0)
					act(&c, f, true, xstrdup("removed"));
				else
					act(&c, f, false,
					    xasprintf("left: %s", re.msg ? re.msg : strerror(errno)));
				err_clear(&re);
			} else {
				act(&c, f, false, xstrdup("left (--force removes it)"));
			}
		} else if (k->image && !image_find(&c, k->image)) {
			f = add(&c.f, &c.nf, SP_CONTAINER_IMAGE,
				xasprintf("container %.12s (%s)", k->id, k->name ? k->name : ""),
				xasprintf("its image %.12s does not exist", k->image));
			if (o->repair)
				repair_containers(&c, f, k->id, "its image is gone");
		}
	}
	for (size_t i = 0; i < c.ndead; i++) {
		struct store_finding *f = add(&c.f, &c.nf, c.dead[i].kind, c.dead[i].what, c.dead[i].problem);
		f->action = c.dead[i].action;
		f->fixed = c.dead[i].fixed;
	}
	free(c.dead);
	c.dead = NULL;
	c.ndead = 0;

	if (o->repair) {
		if (store_lock(s, LOCK_EX, e) < 0)
			goto fail;
		rc = repair_store(&c, &t, e);
		store_unlock(s);
		scratch_discard(s, m, &t);
		if (rc < 0)
			goto fail;
	}
	*out = c.f;
	*n = c.nf;
	c.f = NULL;
	c.nf = 0;
	rc = 0;
	goto out;
fail:
	rc = -1;
out:
	store_findings_free(c.f, c.nf);
	store_findings_free(c.dead, c.ndead);
	for (size_t i = 0; i < c.nlayers; i++) {
		free(c.layers[i].broken);
		free(c.layers[i].corrupt);
	}
	free(c.layers);
	for (size_t i = 0; i < c.nimages; i++) {
		free(c.images[i].damaged);
		strv_free(c.images[i].chains);
		strv_free(c.images[i].users);
	}
	free(c.images);
	for (size_t i = 0; i < c.nctrs; i++) {
		free(c.ctrs[i].name);
		free(c.ctrs[i].image);
	}
	free(c.ctrs);
	return rc;
}
