/* recmemo.c - see recmemo.h */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "container.h"
#include "recmemo.h"
#include "lib/base/util.h"

struct memo {
	char id[65];
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	char *name, *created;
};

static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;
static struct memo *memo;
static size_t memo_n;

static bool same_file(const struct memo *m, const struct stat *st)
{
	return m->dev == st->st_dev && m->ino == st->st_ino && m->size == st->st_size &&
	       m->mtime.tv_sec == st->st_mtim.tv_sec && m->mtime.tv_nsec == st->st_mtim.tv_nsec &&
	       m->ctime.tv_sec == st->st_ctim.tv_sec && m->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static char *jdup(json_object *j, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(j, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return xstrdup(json_object_get_string(v));
}

static struct memo *find(const char *id)
{
	for (size_t i = 0; i < memo_n; i++)
		if (strcmp(memo[i].id, id) == 0)
			return &memo[i];
	return NULL;
}

int recmemo_get(const char *root, const char *id, char **name, char **created, struct err *e)
{
	_cleanup_free_ char *path = xasprintf("%s/containers/%s/config.json", root, id);
	struct stat st, st2;
	json_object *j;
	struct memo *m;
	bool hit = false;

	*name = *created = NULL;
	if (stat(path, &st) < 0)
		return err_make(e, errno, "%s", path);
	pthread_mutex_lock(&memo_lock);
	m = find(id);
	if (m && same_file(m, &st)) {
		*name = dup_or_null(m->name);
		*created = dup_or_null(m->created);
		hit = true;
	}
	pthread_mutex_unlock(&memo_lock);
	if (hit)
		return 0;
	if (container_read_config(root, id, &j, e) < 0)
		return -1;
	*name = jdup(j, "name");
	*created = jdup(j, "created");
	json_object_put(j);
	/* remembered only when the file read is the one stat saw: a write
	 * in between would leave a newer file with the older times */
	if (stat(path, &st2) < 0 || st2.st_ino != st.st_ino || st2.st_dev != st.st_dev)
		return 0;
	pthread_mutex_lock(&memo_lock);
	m = find(id);
	if (!m) {
		memo = xrealloc(memo, (memo_n + 1) * sizeof *memo);
		m = &memo[memo_n++];
		memset(m, 0, sizeof *m);
		memcpy(m->id, id, strnlen(id, 64));
	}
	free(m->name);
	free(m->created);
	m->name = dup_or_null(*name);
	m->created = dup_or_null(*created);
	m->dev = st.st_dev;
	m->ino = st.st_ino;
	m->size = st.st_size;
	m->mtime = st.st_mtim;
	m->ctime = st.st_ctim;
	pthread_mutex_unlock(&memo_lock);
	return 0;
}

void recmemo_keep(const char *const *ids, size_t n)
{
	size_t k = 0;

	pthread_mutex_lock(&memo_lock);
	/* every record scanned is remembered (but for a race with a write),
	 * so only more entries than records means some are gone */
	if (memo_n <= n) {
		pthread_mutex_unlock(&memo_lock);
		return;
	}
	for (size_t i = 0; i < memo_n; i++) {
		bool keep = false;
		for (size_t x = 0; x < n && !keep; x++)
			keep = strcmp(memo[i].id, ids[x]) == 0;
		if (keep) {
			memo[k++] = memo[i];
		} else {
			free(memo[i].name);
			free(memo[i].created);
		}
	}
	memo_n = k;
	pthread_mutex_unlock(&memo_lock);
}
