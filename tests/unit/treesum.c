/* treesum.c - tests for tree_digest_at (src/lib/store/treesum.c): the same
 * tree gives the same digest, and a changed byte, mode, name, symlink target
 * or a new file gives another. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/base/util.h"
#include "lib/store/treesum.h"
#include "tap.h"

static int put(const char *root, const char *rel, const char *data)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", root, rel);
	struct err e = ERR_INIT;
	int r = write_file_at(AT_FDCWD, p, data, &e);

	err_clear(&e);
	return r;
}

static void digest(const char *root, char out[72])
{
	struct err e = ERR_INIT;
	_cleanup_close_ int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || tree_digest_at(fd, out, &e) < 0)
		snprintf(out, 72, "error: %s", e.msg ? e.msg : "open");
	err_clear(&e);
}

int main(void)
{
	char tmpl[] = "/tmp/burrow-treesum-test.XXXXXX";
	const char *tmp = mkdtemp(tmpl);
	struct err e = ERR_INIT;
	char a[72], b[72];
	struct stat st;
	_cleanup_free_ char *sub = NULL, *f = NULL, *lnk = NULL;

	if (!tmp)
		return skip_all("mkdtemp failed");
	sub = xasprintf("%s/etc", tmp);
	f = xasprintf("%s/etc/passwd", tmp);
	lnk = xasprintf("%s/link", tmp);
	mkdir(sub, 0755);
	put(tmp, "etc/passwd", "root:x:0:0::/root:/bin/sh\n");
	put(tmp, "hello", "hi\n");
	if (symlink("etc/passwd", lnk) < 0)
		return skip_all("symlink failed");

	digest(tmp, a);
	ok(strncmp(a, "sha256:", 7) == 0 && strlen(a) == 71, "a digest: %s", a);
	digest(tmp, b);
	is_str(b, a, "the same tree gives the same digest");

	put(tmp, "etc/passwd", "root:x:0:0::/root:/bin/bash\n");
	digest(tmp, b);
	ok(strcmp(a, b) != 0, "a changed file changes it");
	put(tmp, "etc/passwd", "root:x:0:0::/root:/bin/sh\n");
	digest(tmp, b);
	is_str(b, a, "and changing it back restores it");

	if (stat(f, &st) < 0)
		return skip_all("stat failed");
	chmod(f, (st.st_mode & 07777) ^ 0040);
	digest(tmp, b);
	ok(strcmp(a, b) != 0, "a changed mode changes it");
	chmod(f, st.st_mode & 07777);

	unlink(lnk);
	if (symlink("hello", lnk) == 0) {
		digest(tmp, b);
		ok(strcmp(a, b) != 0, "a changed symlink target changes it");
		unlink(lnk);
		if (symlink("etc/passwd", lnk) < 0)
			diag("symlink back failed");
	}
	digest(tmp, b);
	is_str(b, a, "back to the first tree");

	put(tmp, "new", "");
	digest(tmp, b);
	ok(strcmp(a, b) != 0, "a new empty file changes it");

	rm_rf_at(AT_FDCWD, tmp, &e);
	err_clear(&e);
	return done_testing();
}
