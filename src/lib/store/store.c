/* store.c - opening the store, locking, scratch directories and names.json.
 * Images are read and removed in image.c, imported in import.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/base/log.h"
#include "lib/base/util.h"
#include "store_int.h"

/* a scratch dir without its lock file is left alone this long, in case its
 * creator is between the two steps (it never is for long) */
#define SCRATCH_ORPHAN_AGE 600

const char *digest_hex(const char *d)
{
	if (!d)
		return NULL;
	if (strncmp(d, "sha256:", 7) == 0)
		d += 7;
	return strlen(d) == 64 && is_hex(d, 64) ? d : NULL;
}

int store_open(const char *root, struct store **out, struct err *e)
{
	static const char *const dirs[] = { "blobs", "blobs/sha256", "layers", "images" };
	struct store *s;

	if (mkdir_p_at(AT_FDCWD, root, 0700, e) < 0)
		return err_wrap(e, "creating the store %s", root);
	s = xcalloc(1, sizeof *s);
	s->root = xstrdup(root);
	s->layersfd = s->lockfd = -1;
	s->rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->rootfd < 0) {
		err_make(e, errno, "opening the store %s", root);
		goto fail;
	}
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		if (mkdirat(s->rootfd, dirs[i], 0700) < 0 && errno != EEXIST) {
			err_make(e, errno, "creating %s/%s", root, dirs[i]);
			goto fail;
		}
	}
	s->layersfd = openat(s->rootfd, "layers", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->layersfd < 0) {
		err_make(e, errno, "opening %s/layers", root);
		goto fail;
	}
	s->lockfd = openat(s->rootfd, "store.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lockfd < 0) {
		err_make(e, errno, "opening %s/store.lock", root);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	store_close(s);
	return -1;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (s->lockfd >= 0)
		close(s->lockfd);
	if (s->layersfd >= 0)
		close(s->layersfd);
	if (s->rootfd >= 0)
		close(s->rootfd);
	free(s->root);
	free(s);
}

void store_set_limits(struct store *s, uint64_t max_bytes, uint64_t max_entries)
{
	s->max_layer_size = max_bytes;
	s->max_layer_entries = max_entries;
}

const char *store_root(const struct store *s)
{
	return s->root;
}

int store_lock(struct store *s, int op, struct err *e)
{
	while (flock(s->lockfd, op) < 0)
		if (errno != EINTR)
			return err_make(e, errno, "locking %s/store.lock", s->root);
	return 0;
}

void store_unlock(struct store *s)
{
	flock(s->lockfd, LOCK_UN);
}

char *store_layer_path(const struct store *s, const char *chain_id)
{
	const char *hex = digest_hex(chain_id);
	return hex ? xasprintf("%s/layers/%s/diff", s->root, hex) : NULL;
}

void store_spread_layers(struct store *s)
{
	if (s->spread_checked)
		return;
	s->spread_checked = true;
	if (!fs_spread_dir(s->layersfd, "."))
		log_debug("%s/layers is not marked as a top directory", s->root);
}

int scratch_create(struct store *s, struct scratch *t, bool mkdir_it, struct err *e)
{
	store_spread_layers(s);
	for (int tries = 0; tries < 8; tries++) {
		char rnd[65], lockname[40];
		int fd;

		if (random_hex_id(rnd, e) < 0)
			return -1;
		snprintf(t->name, sizeof t->name, ".tmp-%.12s", rnd);
		snprintf(lockname, sizeof lockname, "%s.lock", t->name);
		fd = openat(s->layersfd, lockname, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			if (errno == EEXIST)
				continue;
			return err_make(e, errno, "creating %s/layers/%s", s->root, lockname);
		}
		/* a sweeper that opened the new file first may hold it: pick again */
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			close(fd);
			continue;
		}
		if (mkdir_it && mkdirat(s->layersfd, t->name, 0700) < 0) {
			int saved = errno;
			unlinkat(s->layersfd, lockname, 0);
			close(fd);
			return err_make(e, saved, "creating %s/layers/%s", s->root, t->name);
		}
		t->lockfd = fd;
		return 0;
	}
	return err_make(e, EEXIST, "creating a scratch directory in %s/layers", s->root);
}

static void scratch_unlock(struct store *s, struct scratch *t)
{
	char lockname[40];

	snprintf(lockname, sizeof lockname, "%s.lock", t->name);
	unlinkat(s->layersfd, lockname, 0);
	if (t->lockfd >= 0)
		close(t->lockfd);
	t->lockfd = -1;
}

void scratch_discard(struct store *s, const struct idmap *m, struct scratch *t)
{
	struct err e = ERR_INIT;
	char *names[] = { t->name, NULL };

	if (t->lockfd < 0)
		return;
	if (store_rm_trees(m, s->layersfd, names, &e) < 0) {
		/* the lock goes with us; the next sweep finishes the job */
		log_warn("removing %s/layers/%s: %s", s->root, t->name, e.msg);
		err_clear(&e);
		close(t->lockfd);
		t->lockfd = -1;
		return;
	}
	scratch_unlock(s, t);
}

struct rm_job {
	int dirfd;
	char **names;
};

static int rm_fn(void *arg, int outfd, struct err *e)
{
	struct rm_job *j = arg;

	(void)outfd;
	for (size_t i = 0; j->names[i]; i++)
		if (rm_rf_at(j->dirfd, j->names[i], e) < 0)
			return -1;
	return 0;
}

int store_rm_trees(const struct idmap *m, int dirfd, char **names, struct err *e)
{
	struct rm_job j = { dirfd, names };

	if (!names || !names[0])
		return 0;
	if (!m)
		return rm_fn(&j, -1, e);
	return userns_run(m, 0, rm_fn, &j, NULL, NULL, NULL, e);
}

/* a lock file whose directory is gone (renamed into place, or never made) */
static void sweep_lone_lock(struct store *s, const char *lockname)
{
	char dir[32];
	struct stat st;
	int lfd;

	snprintf(dir, sizeof dir, "%.17s", lockname);
	if (fstatat(s->layersfd, dir, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return;
	lfd = openat(s->layersfd, lockname, O_RDWR | O_CLOEXEC);
	if (lfd < 0)
		return;
	if (flock(lfd, LOCK_EX | LOCK_NB) == 0 && fstatat(s->layersfd, dir, &st, AT_SYMLINK_NOFOLLOW) < 0)
		unlinkat(s->layersfd, lockname, 0);
	close(lfd);
}

int store_sweep(struct store *s, const struct idmap *m, struct err *e)
{
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_strv_ char **stale = NULL;
	_cleanup_free_ int *locks = NULL;
	size_t nlocks = 0;
	struct dirent *de;
	int fd, rc;

	fd = openat(s->layersfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return err_make(e, errno, "reading %s/layers", s->root);
	}
	while ((de = readdir(d))) {
		char lockname[300];
		struct stat st;
		int lfd;

		if (strncmp(de->d_name, ".tmp-", 5) != 0)
			continue;
		if (strlen(de->d_name) == 22 && strcmp(de->d_name + 17, ".lock") == 0) {
			sweep_lone_lock(s, de->d_name);
			continue;
		}
		if (strlen(de->d_name) != 17)
			continue;
		if (fstatat(s->layersfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
			continue;
		snprintf(lockname, sizeof lockname, "%s.lock", de->d_name);
		lfd = openat(s->layersfd, lockname, O_RDWR | O_CLOEXEC);
		if (lfd < 0) {
			/* the lock is created first and removed last: no lock
			 * file means nobody owns the directory, unless it is brand new */
			if (time(NULL) - st.st_ctime < SCRATCH_ORPHAN_AGE)
				continue;
		} else if (flock(lfd, LOCK_EX | LOCK_NB) < 0) {
			close(lfd);
			continue;
		} else {
			locks = xrealloc(locks, (nlocks + 1) * sizeof *locks);
			locks[nlocks++] = lfd;
		}
		strv_push(&stale, de->d_name);
	}
	rc = store_rm_trees(m, s->layersfd, stale, e);
	for (size_t i = 0; stale && stale[i]; i++) {
		char lockname[300];
		if (rc == 0) {
			snprintf(lockname, sizeof lockname, "%s.lock", stale[i]);
			unlinkat(s->layersfd, lockname, 0);
		}
		log_debug("swept stale %s/layers/%s", s->root, stale[i]);
	}
	for (size_t i = 0; i < nlocks; i++)
		close(locks[i]);
	return rc;
}

int json_save_at(int dirfd, const char *path, json_object *o, struct err *e)
{
	const char *txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								    JSON_C_TO_STRING_NOSLASHESCAPE);
	return write_file_atomic_at(dirfd, path, txt, strlen(txt), 0600, e);
}

int names_load(struct store *s, json_object **out, struct err *e)
{
	_cleanup_free_ char *txt = NULL;
	json_object *o;

	if (read_file_at(s->rootfd, "names.json", 64 << 20, &txt, NULL, e) < 0) {
		if (e->errnum != ENOENT)
			return -1;
		err_clear(e);
		*out = json_object_new_object();
		return 0;
	}
	o = json_tokener_parse(txt);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return err_make(e, 0, "%s/names.json is corrupt", s->root);
	}
	*out = o;
	return 0;
}

int names_save(struct store *s, json_object *names, struct err *e)
{
	return json_save_at(s->rootfd, "names.json", names, e);
}
