/* recmemo.c - tests for the records' names kept in memory
 * (src/lib/record/recmemo.c) through container_lookup and container_list:
 * a record rewritten (renamed, as every write is) is read again. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/base/util.h"
#include "lib/record/container.h"
#include "lib/record/recmemo.h"
#include "tap.h"

#define ID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* the record's config.json written aside and renamed into place */
static void put(const char *root, const char *id, const char *name, const char *created)
{
	_cleanup_free_ char *dir = xasprintf("%s/containers/%s", root, id);
	_cleanup_free_ char *tmp = xasprintf("%s/config.json.tmp", dir);
	_cleanup_free_ char *cfg = xasprintf("%s/config.json", dir);
	FILE *f;

	mkdir(dir, 0700);
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "{\"id\":\"%s\",\"name\":\"%s\",\"created\":\"%s\"}\n", id, name, created);
	fclose(f);
	rename(tmp, cfg);
}

static bool finds(const char *root, const char *ref, const char *want)
{
	struct err e = ERR_INIT;
	char id[65];
	bool r = container_lookup(root, ref, id, &e) == 0 && strcmp(id, want) == 0;

	err_clear(&e);
	return r;
}

int main(void)
{
	char tmpl[] = "/tmp/burrow-recmemo-test.XXXXXX";
	const char *root = mkdtemp(tmpl);
	struct err e = ERR_INIT;
	_cleanup_free_ char *ctrs = NULL;
	char **ids = NULL, *name = NULL, *created = NULL;

	if (!root)
		return skip_all("mkdtemp failed");
	ctrs = xasprintf("%s/containers", root);
	mkdir(ctrs, 0700);
	put(root, ID_A, "one", "2026-01-01T00:00:02Z");
	put(root, ID_B, "two", "2026-01-01T00:00:01Z");
	ok(finds(root, "one", ID_A) && finds(root, "two", ID_B), "each record found by its name");
	ok(finds(root, "one", ID_A), "and again, from memory");

	put(root, ID_A, "uno", "2026-01-01T00:00:02Z");
	ok(finds(root, "uno", ID_A), "a rewritten record is read again: its new name");
	ok(!finds(root, "one", ID_A), "its old name is gone");

	ok(container_list(root, &ids, &e) == 0 && ids && ids[0] && ids[1] && !ids[2] &&
		   strcmp(ids[0], ID_B) == 0 && strcmp(ids[1], ID_A) == 0,
	   "the list is ordered by creation time");
	err_clear(&e);
	strv_free(ids);
	ids = NULL;
	put(root, ID_B, "two", "2026-01-01T00:00:03Z");
	ok(container_list(root, &ids, &e) == 0 && ids && ids[0] && strcmp(ids[0], ID_A) == 0,
	   "a changed creation time reorders it");
	err_clear(&e);
	strv_free(ids);

	{
		_cleanup_free_ char *cfg = xasprintf("%s/%s/config.json", ctrs, ID_B);
		unlink(cfg);
	}
	ok(recmemo_get(root, ID_B, &name, &created, &e) < 0 && e.errnum == ENOENT,
	   "a record without config.json is not answered from memory");
	err_clear(&e);
	ok(!finds(root, "two", ID_B), "nor found");

	rm_rf_at(AT_FDCWD, root, &e);
	err_clear(&e);
	return done_testing();
}
