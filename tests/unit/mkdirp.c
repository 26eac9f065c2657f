/* mkdirp.c - tests for mkdir_p_at (src/lib/base/util.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "lib/base/util.h"
#include "tap.h"

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int main(void)
{
	char tmpl[] = "/tmp/burrow-mkdirp-test.XXXXXX";
	const char *tmp = mkdtemp(tmpl);
	struct err e = ERR_INIT;
	_cleanup_free_ char *deep = NULL, *slashes = NULL;

	if (!tmp)
		return skip_all("mkdtemp failed");
	deep = xasprintf("%s/a/b/c", tmp);
	ok(mkdir_p_at(AT_FDCWD, deep, 0755, &e) == 0 && is_dir(deep), "creates every missing level");
	err_clear(&e);
	ok(mkdir_p_at(AT_FDCWD, deep, 0755, &e) == 0, "an existing directory is fine");
	err_clear(&e);
	slashes = xasprintf("%s/d//e///", tmp);
	ok(mkdir_p_at(AT_FDCWD, slashes, 0755, &e) == 0 && is_dir(slashes), "doubled and trailing slashes");
	err_clear(&e);
	ok(mkdir_p_at(AT_FDCWD, "/", 0755, &e) == 0, "the root itself");
	err_clear(&e);
	/* an empty path (an empty --root or WorkingDir) is an error, not a read past its end */
	ok(mkdir_p_at(AT_FDCWD, "", 0755, &e) < 0 && e.errnum == ENOENT, "an empty path is refused");
	err_clear(&e);
	ok(mkdir_p_at(AT_FDCWD, NULL, 0755, &e) < 0 && e.errnum == ENOENT, "so is no path");
	err_clear(&e);

	rm_rf_at(AT_FDCWD, tmp, &e);
	err_clear(&e);
	return done_testing();
}
