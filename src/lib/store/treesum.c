/* treesum.c - see treesum.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "digest.h"
#include "lib/base/util.h"
#include "treesum.h"

#define TREE_MAX_DEPTH 512

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* names in dirfd, sorted */
static int sorted_names(int dirfd, char ***out, struct err *e)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	char **v = xcalloc(1, sizeof *v);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		strv_free(v);
		return err_make(e, errno, "reading a directory");
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			strv_push(&v, de->d_name);
	qsort(v, strv_len(v), sizeof *v, cmp_names);
	*out = v;
	return 0;
}

static int walk(int dirfd, const char *rel, struct sha256 *h, int depth, struct err *e)
{
	_cleanup_strv_ char **names = NULL;

	if (depth > TREE_MAX_DEPTH)
		return err_make(e, ELOOP, "%s: more than %d levels deep", rel, TREE_MAX_DEPTH);
	if (sorted_names(dirfd, &names, e) < 0)
		return err_wrap(e, "%s", *rel ? rel : ".");
	for (size_t i = 0; names[i]; i++) {
		_cleanup_free_ char *path = xasprintf("%s%s%s", rel, *rel ? "/" : "", names[i]);
		char line[256], extra[80] = "";
		struct stat st;

		if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			return err_make(e, errno, "%s", path);
		if (S_ISREG(st.st_mode)) {
			_cleanup_close_ int fd = openat(dirfd, names[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			uint64_t size;
			if (fd < 0 || sha256_fd(fd, extra, &size, e) < 0)
				return fd < 0 ? err_make(e, errno, "%s", path) : err_wrap(e, "%s", path);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t n = readlinkat(dirfd, names[i], target, sizeof target - 1);
			if (n < 0)
				return err_make(e, errno, "%s", path);
			target[n] = '\0';
			sha256_hex(target, (size_t)n, extra);
		} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
			snprintf(extra, sizeof extra, "%u:%u", major(st.st_rdev), minor(st.st_rdev));
		}
		/* the path, NUL, then the metadata: a name cannot fake a line */
		sha256_update(h, path, strlen(path) + 1);
		snprintf(line, sizeof line, "%o %u %u %" PRIu64 " %s\n", (unsigned)st.st_mode,
			 (unsigned)st.st_uid, (unsigned)st.st_gid,
			 S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0, extra);
		sha256_update(h, line, strlen(line));
		if (S_ISDIR(st.st_mode)) {
			_cleanup_close_ int sub = openat(dirfd, names[i],
							 O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0)
				return err_make(e, errno, "%s", path);
			if (walk(sub, path, h, depth + 1, e) < 0)
				return -1;
		}
	}
	return 0;
}

int tree_digest_at(int dirfd, char out[72], struct err *e)
{
	struct sha256 *h = sha256_new();
	char hex[65];

	if (walk(dirfd, "", h, 0, e) < 0) {
		sha256_free(h);
		return err_wrap(e, "computing the tree digest");
	}
	sha256_final_hex(h, hex);
	snprintf(out, 72, "sha256:%s", hex);
	return 0;
}
