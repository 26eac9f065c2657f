/* atomicwrite.c - tests for write_file_atomic_at (src/lib/base/util.c):
 * a new file and a replaced one come out whole, with nothing left beside. */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/base/util.h"
#include "tap.h"

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static bool content_is(const char *path, const char *want)
{
	_cleanup_free_ char *txt = NULL;
	struct err e = ERR_INIT;
	bool r = read_file_at(AT_FDCWD, path, 1 << 20, &txt, NULL, &e) == 0 && strcmp(txt, want) == 0;

	err_clear(&e);
	return r;
}

int main(void)
{
	char tmpl[] = "/tmp/burrow-atomicwrite-test.XXXXXX";
	const char *tmp = mkdtemp(tmpl);
	struct err e = ERR_INIT;
	_cleanup_free_ char *path = NULL, *link = NULL;
	struct stat st;

	if (!tmp)
		return skip_all("mkdtemp failed");
	path = xasprintf("%s/config.json", tmp);
	ok(write_file_atomic_at(AT_FDCWD, path, "first", 5, 0600, &e) == 0, "a new file is written");
	err_clear(&e);
	ok(content_is(path, "first"), "whole");
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600, "with its mode");
	ok(entries(tmp) == 1, "and nothing beside it");
	ok(write_file_atomic_at(AT_FDCWD, path, "second!", 7, 0600, &e) == 0, "an existing file is replaced");
	err_clear(&e);
	ok(content_is(path, "second!"), "whole");
	ok(entries(tmp) == 1, "and nothing is left beside it");
	/* a dangling symlink is replaced, never followed */
	link = xasprintf("%s/state.json", tmp);
	ok(symlink("/nonexistent/target", link) == 0, "a dangling symlink is made");
	ok(write_file_atomic_at(AT_FDCWD, link, "x", 1, 0600, &e) == 0, "a dangling symlink is replaced");
	err_clear(&e);
	ok(lstat(link, &st) == 0 && S_ISREG(st.st_mode) && content_is(link, "x"), "by the file");
	ok(entries(tmp) == 2, "with nothing else made");

	rm_rf_at(AT_FDCWD, tmp, &e);
	err_clear(&e);
	return done_testing();
}
