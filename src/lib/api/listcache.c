/* listcache.c - GET /containers/json's entries, kept from one listing to
 * the next.
 *
 * A listing built each entry from the container's record: its config.json
 * parsed, its spec built, its state refreshed, the whole inspect object
 * made, then the few fields docker's list shows taken from it, about
 * 150 us a container.  Records are written by rename, so a file that
 * keeps its inode, size, mtime and ctime is the file read before: an entry
 * whose config.json and state.json are unchanged (and whose supervisor,
 * when it runs, is still alive: state_refresh's check) is the entry of the
 * last listing, but for its Status ("Up 5 seconds"), made again from the
 * state kept beside it.  What changed, or a listing with filters, goes
 * the old way.  (An entry's one field from elsewhere, a user-defined
 * network's ID, stays: a network can't go while a container is on it.)
 * The entries live as long as the process (the service's worker).
 * BURROW_API_LIST_CACHE=0: every entry the old way. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api_int.h"
#include "lib/base/util.h"

struct lc_ent {
	char id[65];
	struct api_lc_keys k;
	struct ctr_state st; /* as refreshed when the entry was made; health owned */
	char *entry;         /* as JSON text: json-c's objects are not shared
				between threads (their counts are not atomic) */
	bool seen;
};

static pthread_mutex_t lc_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lc_ent *lc_v;
static size_t lc_n, lc_cap;

bool api_list_cache_on(void)
{
	const char *v = getenv("BURROW_API_LIST_CACHE");

	return !(v && strcmp(v, "0") == 0);
}

static bool file_key(const char *dir, const char *name, struct api_lc_file *f)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
	struct stat s;

	memset(f, 0, sizeof *f);
	if (stat(path, &s) < 0)
		return false;
	f->dev = s.st_dev;
	f->ino = s.st_ino;
	f->size = s.st_size;
	f->mtime = s.st_mtim;
	f->ctime = s.st_ctim;
	return true;
}

static bool file_same(const struct api_lc_file *a, const struct api_lc_file *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
	       a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

static struct lc_ent *find(const char *id)
{
	for (size_t i = 0; i < lc_n; i++)
		if (strcmp(lc_v[i].id, id) == 0)
			return &lc_v[i];
	return NULL;
}

static void ent_clear(struct lc_ent *x)
{
	free(x->entry);
	x->entry = NULL;
	ctr_state_free(&x->st);
}

void api_list_cache_begin(void)
{
	pthread_mutex_lock(&lc_lock);
	for (size_t i = 0; i < lc_n; i++)
		lc_v[i].seen = false;
	pthread_mutex_unlock(&lc_lock);
}

int api_list_cache_get(const struct api_backend *b, const char *id, struct api_lc_keys *k, json_object **out,
		       bool *running)
{
	_cleanup_free_ char *dir = xasprintf("%s/containers/%s", b->root, id);
	struct lc_ent *x;
	int rc = 0;

	*out = NULL;
	k->ok = file_key(dir, "config.json", &k->cfg) && file_key(dir, "state.json", &k->st);
	if (!k->ok)
		return 0;
	pthread_mutex_lock(&lc_lock);
	x = find(id);
	if (x && file_same(&x->k.cfg, &k->cfg) && file_same(&x->k.st, &k->st) &&
	    (!(x->st.status == ST_RUNNING || x->st.status == ST_PAUSED) ||
	     proc_alive(x->st.supervisor, x->st.supervisor_start))) {
		char *status = b->status_text(b->ctx, &x->st);
		*out = json_tokener_parse(x->entry);
		if (*out) {
			json_object_object_add(*out, "Status", json_object_new_string(status ? status : ""));
			*running = x->st.status == ST_RUNNING || x->st.status == ST_PAUSED;
			x->seen = true;
			rc = 1;
		}
		free(status);
	}
	pthread_mutex_unlock(&lc_lock);
	return rc;
}

void api_list_cache_put(const char *id, const struct api_lc_keys *k, const struct ctr_state *st,
			json_object *entry)
{
	struct lc_ent *x;

	if (!k->ok)
		return;
	pthread_mutex_lock(&lc_lock);
	x = find(id);
	if (!x) {
		if (lc_n == lc_cap) {
			lc_cap = lc_cap ? 2 * lc_cap : 32;
			lc_v = xrealloc(lc_v, lc_cap * sizeof *lc_v);
		}
		x = &lc_v[lc_n++];
		memset(x, 0, sizeof *x);
		snprintf(x->id, sizeof x->id, "%s", id);
	} else {
		ent_clear(x);
	}
	x->k = *k;
	x->st = *st;
	x->st.health = NULL;
	if (st->health && json_object_deep_copy(st->health, &x->st.health, NULL) < 0)
		x->st.health = NULL;
	x->entry = xstrdup(json_object_to_json_string_ext(entry, JSON_C_TO_STRING_PLAIN));
	x->seen = true;
	pthread_mutex_unlock(&lc_lock);
}

void api_list_cache_end(void)
{
	size_t j = 0;

	pthread_mutex_lock(&lc_lock);
	for (size_t i = 0; i < lc_n; i++) {
		if (!lc_v[i].seen) {
			ent_clear(&lc_v[i]);
			continue;
		}
		if (j != i)
			lc_v[j] = lc_v[i];
		j++;
	}
	lc_n = j;
	if (lc_n == 0) {
		free(lc_v);
		lc_v = NULL;
		lc_cap = 0;
	}
	pthread_mutex_unlock(&lc_lock);
}
