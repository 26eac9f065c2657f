/* workdir.c - WORKDIR creates its directory, as docker does: when the path
 * is missing from the stage's layers, the step gets a small layer holding
 * the missing directories (root-owned, 0755); otherwise it only changes the
 * config. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "builder_int.h"
#include "lib/base/util.h"
#include "mergefs.h"

/* 1 and *missing (clean, relative) when part of path does not exist, 0
 * when it does (or is not a directory: the RUN or run that uses it will
 * say so), -1 on error */
static int missing_part(char **lowerdirs, const char *path, char **missing, struct err *e)
{
	struct mfs fs;
	struct mentry m;
	int rc;

	*missing = NULL;
	memset(&fs, 0, sizeof fs);
	memset(&m, 0, sizeof m);
	if (!lowerdirs || !lowerdirs[0]) {
		*missing = xstrdup(path[0] == '/' ? path + 1 : path);
		return **missing ? 1 : 0;
	}
	if (mfs_open_dirs(&fs, lowerdirs, false, true, e) < 0)
		return -1;
	rc = mfs_resolve(&fs, path, true, &m, missing, e);
	if (rc == 1 && (!*missing || !**missing))
		rc = 0;
	mentry_clear(&m);
	mfs_close(&fs);
	return rc;
}

/* a tar of the directories of path whose remainder rel is missing */
static int dirs_tar(const char *path, const char *rel, int fd, struct err *e)
{
	struct archive *a = archive_write_new();
	_cleanup_free_ char *clean = NULL;
	const char *p = path;
	size_t plen, rlen = strlen(rel);
	int rc = -1;

	while (*p == '/')
		p++;
	clean = xstrdup(p);
	while ((plen = strlen(clean)) > 0 && clean[plen - 1] == '/')
		clean[plen - 1] = '\0';
	plen = strlen(clean);
	archive_write_set_format_pax_restricted(a);
	if (archive_write_open_fd(a, fd) != ARCHIVE_OK) {
		err_make(e, 0, "writing the WORKDIR layer: %s", archive_error_string(a));
		goto out;
	}
	/* every prefix of clean that ends inside the missing part */
	for (size_t i = 1; i <= plen; i++) {
		struct archive_entry *en;
		if (i != plen && clean[i] != '/')
			continue;
		if (i < plen - rlen)
			continue; /* exists already */
		en = archive_entry_new();
		{
			_cleanup_free_ char *name = b_strndup(clean, i);
			archive_entry_set_pathname(en, name);
		}
		archive_entry_set_filetype(en, AE_IFDIR);
		archive_entry_set_perm(en, 0755);
		archive_entry_set_uid(en, 0);
		archive_entry_set_gid(en, 0);
		archive_entry_set_mtime(en, time(NULL), 0);
		if (archive_write_header(a, en) != ARCHIVE_OK) {
			archive_entry_free(en);
			err_make(e, 0, "writing the WORKDIR layer: %s", archive_error_string(a));
			goto out;
		}
		archive_entry_free(en);
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		err_make(e, 0, "writing the WORKDIR layer: %s", archive_error_string(a));
		goto out;
	}
	rc = 0;
out:
	archive_write_free(a);
	return rc;
}

int workdir_layer(struct builder *b, struct bstage *s, const char *path, int *fd, struct err *e)
{
	_cleanup_strv_ char **lower = b_lowerdirs(b, s);
	_cleanup_free_ char *missing = NULL, *dir = NULL;
	_cleanup_close_ int t = -1;
	int rc;

	*fd = -1;
	rc = missing_part(lower, path, &missing, e);
	if (rc <= 0)
		return rc;
	dir = xasprintf("%s/layers", store_root(b->o->store));
	t = tmpfile_in(dir, e);
	if (t < 0)
		return -1;
	if (dirs_tar(path, missing, t, e) < 0)
		return -1;
	if (lseek(t, 0, SEEK_SET) < 0)
		return err_make(e, errno, "rewinding the WORKDIR layer");
	*fd = steal_fd(t);
	return 0;
}
