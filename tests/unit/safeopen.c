/* safeopen.c - tests for safe_open_in_root (src/lib/base/safeopen.c).
 *
 * Every case runs twice, through openat2 and through the component walk
 * (forced), on a fresh copy of the same tree, and must give the same
 * answer both ways. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/base/safeopen.h"
#include "lib/base/util.h"
#include "lib/build/mergefs.h"
#include "tap.h"

#define IN_ROOT RESOLVE_IN_ROOT
#define BENEATH RESOLVE_BENEATH
#define NOSYM RESOLVE_NO_SYMLINKS

static const char *tmp;

static void mkfile(const char *root, const char *rel)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", root, rel);
	struct err e = ERR_INIT;
	_cleanup_free_ char *dir = xstrdup(p);
	int fd;

	*strrchr(dir, '/') = '\0';
	if (mkdir_p_at(AT_FDCWD, dir, 0755, &e) < 0)
		abort();
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, rel, strlen(rel)) < 0)
		abort();
	close(fd);
}

static void mklink(const char *root, const char *rel, const char *target)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", root, rel);
	if (symlink(target, p) < 0)
		abort();
}

/* The tree (root = TMP/MODE/root, so ../.. from the root is TMP):
 *   TMP/outside/secret                      the host file nobody may reach
 *   file, a/b/c/file                        plain files
 *   outside/secret, TMP/outside/secret      decoys inside the root: where
 *                                           clamped escapes land
 *   a/b/link-rel -> ../../file              relative, inside
 *   a/abs -> /a/b/c                         absolute, inside
 *   esc-abs -> TMP/outside/secret           absolute, outside
 *   esc-rel -> ../../outside/secret         relative, outside
 *   esc-dir -> ../..                        a directory outside
 *   esc-absdir -> /                         the root, absolutely
 *   loop1 -> loop2 -> loop1, self -> self   loops
 *   dangling -> newfile, dangling-out -> ../../outside/created
 *   dirlink -> a, filelink -> file, empty-dir/, chain/0 -> ... -> chain/40
 */
static char *make_tree(const char *mode)
{
	char *root = xasprintf("%s/%s/root", tmp, mode);
	_cleanup_free_ char *decoy = xasprintf("%s/outside/secret", tmp + 1);
	_cleanup_free_ char *esc_abs = xasprintf("%s/outside/secret", tmp);

	mkfile(tmp, "outside/secret");
	mkfile(root, "file");
	mkfile(root, "a/b/c/file");
	mkfile(root, "outside/secret");
	mkfile(root, decoy);
	mkfile(root, "empty-dir/.keep");
	mklink(root, "a/b/link-rel", "../../file");
	mklink(root, "a/abs", "/a/b/c");
	mklink(root, "esc-abs", esc_abs);
	mklink(root, "esc-rel", "../../outside/secret");
	mklink(root, "esc-dir", "../..");
	mklink(root, "esc-absdir", "/");
	mklink(root, "loop1", "loop2");
	mklink(root, "loop2", "loop1");
	mklink(root, "self", "self");
	mklink(root, "dangling", "newfile");
	mklink(root, "dangling-out", "../../outside/created");
	mklink(root, "dirlink", "a");
	mklink(root, "filelink", "file");
	/* chain/0 -> 1 -> ... -> 40 -> ../file: 41 links from 0, 40 from 1 */
	mkfile(root, "chain/.keep");
	for (int i = 0; i <= 40; i++) {
		_cleanup_free_ char *name = xasprintf("chain/%d", i);
		_cleanup_free_ char *to = i == 40 ? xstrdup("../file") : xasprintf("%d", i + 1);
		mklink(root, name, to);
	}
	return root;
}

/* One case: open path; want NULL = fails with err, else the fd is the
 * object at want below the root (lstat'd: a symlink is itself). */
static void check(const char *mode, int rootfd, const char *path, int flags, unsigned resolve, int err,
		  const char *want)
{
	int fd = safe_open_in_root(rootfd, path, flags, 0644, resolve);
	int got_errno = errno;
	const char *how = (resolve & BENEATH) ? "beneath" : "in-root";
	const char *nosym = (resolve & NOSYM) ? "+nosym" : "";

	if (!want) {
		if (!ok(fd < 0 && got_errno == err, "%s %s%s: \"%s\" fails: %s", mode, how, nosym, path,
			strerror(err)))
			printf("# got fd %d, %s\n", fd, fd < 0 ? strerror(got_errno) : "");
	} else {
		struct stat a, b;
		bool same = fd >= 0 && fstat(fd, &a) == 0 &&
			    fstatat(rootfd, want, &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_dev == b.st_dev &&
			    a.st_ino == b.st_ino;
		if (!ok(same, "%s %s%s: \"%s\" opens /%s", mode, how, nosym, path, want))
			printf("# got fd %d, %s\n", fd, fd < 0 ? strerror(got_errno) : "another file");
	}
	if (fd >= 0) {
		ok(fcntl(fd, F_GETFD) & FD_CLOEXEC, "%s: \"%s\" is close-on-exec", mode, path);
		close(fd);
	}
}

static bool exists(const char *dir, const char *rel)
{
	struct stat st;
	_cleanup_free_ char *p = xasprintf("%s/%s", dir, rel);
	return lstat(p, &st) == 0;
}

static void run_cases(const char *mode)
{
	_cleanup_free_ char *root = make_tree(mode);
	_cleanup_free_ char *decoy = xasprintf("%s/outside/secret", tmp + 1);
	_cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	const int P = O_PATH, R = O_RDONLY, D = O_DIRECTORY;

	if (rootfd < 0)
		abort();

	/* plain files and directories */
	check(mode, rootfd, "file", R, IN_ROOT, 0, "file");
	check(mode, rootfd, "file", R, BENEATH, 0, "file");
	check(mode, rootfd, "a/b/c/file", R, IN_ROOT, 0, "a/b/c/file");
	check(mode, rootfd, "a//b/./c/file", R, BENEATH, 0, "a/b/c/file");
	check(mode, rootfd, "a/b", P | D, IN_ROOT, 0, "a/b");
	check(mode, rootfd, "a/b/c/file", R | D, IN_ROOT, ENOTDIR, NULL);
	check(mode, rootfd, "missing", R, IN_ROOT, ENOENT, NULL);
	check(mode, rootfd, "missing/file", R, IN_ROOT, ENOENT, NULL);
	check(mode, rootfd, "file/x", R, IN_ROOT, ENOTDIR, NULL);
	check(mode, rootfd, ".", P, IN_ROOT, 0, ".");
	check(mode, rootfd, ".", P, BENEATH, 0, ".");
	check(mode, rootfd, "/", P, IN_ROOT, 0, ".");
	check(mode, rootfd, "/", P, BENEATH, EXDEV, NULL);
	check(mode, rootfd, "/a/b/c/file", R, IN_ROOT, 0, "a/b/c/file");
	check(mode, rootfd, "/a/b/c/file", R, BENEATH, EXDEV, NULL);

	/* the empty path is the root */
	check(mode, rootfd, "", P, IN_ROOT, 0, ".");
	check(mode, rootfd, "", R | D, BENEATH, 0, ".");
	check(mode, rootfd, "", O_WRONLY | O_CREAT, IN_ROOT, EISDIR, NULL);

	/* symlinks inside the root */
	check(mode, rootfd, "a/b/link-rel", R, IN_ROOT, 0, "file");
	check(mode, rootfd, "a/b/link-rel", R, BENEATH, 0, "file");
	check(mode, rootfd, "a/abs/file", R, IN_ROOT, 0, "a/b/c/file");
	check(mode, rootfd, "a/abs/file", R, BENEATH, EXDEV, NULL);
	check(mode, rootfd, "esc-absdir/file", R, IN_ROOT, 0, "file");
	check(mode, rootfd, "esc-absdir/file", R, BENEATH, EXDEV, NULL);
	check(mode, rootfd, "dirlink/b/c/file", R, BENEATH, 0, "a/b/c/file");
	check(mode, rootfd, "filelink", P, IN_ROOT, 0, "file");
	check(mode, rootfd, "filelink", P | O_NOFOLLOW, IN_ROOT, 0, "filelink");
	check(mode, rootfd, "filelink", R | O_NOFOLLOW, IN_ROOT, ELOOP, NULL);

	/* symlinks pointing outside: clamped, or refused */
	check(mode, rootfd, "esc-abs", R, IN_ROOT, 0, decoy);
	check(mode, rootfd, "esc-abs", R, BENEATH, EXDEV, NULL);
	check(mode, rootfd, "esc-rel", R, IN_ROOT, 0, "outside/secret");
	check(mode, rootfd, "esc-rel", R, BENEATH, EXDEV, NULL);
	/* ... in an intermediate component */
	check(mode, rootfd, "esc-dir/outside/secret", R, IN_ROOT, 0, "outside/secret");
	check(mode, rootfd, "esc-dir/outside/secret", R, BENEATH, EXDEV, NULL);
	check(mode, rootfd, "a/b/c/../../../esc-dir/outside/secret", R, IN_ROOT, 0, "outside/secret");

	/* .. */
	check(mode, rootfd, "a/b/../../file", R, BENEATH, 0, "file");
	check(mode, rootfd, "a/..", P, BENEATH, 0, ".");
	check(mode, rootfd, "a/b/c/..", P, IN_ROOT, 0, "a/b");
	check(mode, rootfd, "../file", R, IN_ROOT, 0, "file");
	check(mode, rootfd, "../file", R, BENEATH, EXDEV, NULL);
	check(mode, rootfd, "..", P, BENEATH, EXDEV, NULL);
	check(mode, rootfd, "a/../../../outside/secret", R, IN_ROOT, 0, "outside/secret");
	check(mode, rootfd, "a/../../../outside/secret", R, BENEATH, EXDEV, NULL);
	check(mode, rootfd, "/../../..", P, IN_ROOT, 0, ".");
	check(mode, rootfd, "a/b/c/../../b/c/../c/file", R, BENEATH, 0, "a/b/c/file");
	check(mode, rootfd, "a/b/c/../../../a/b/../../file", R, BENEATH, 0, "file");
	check(mode, rootfd, "dirlink/b/c/../../../../file", R, IN_ROOT, 0, "file");
	check(mode, rootfd, "dirlink/b/c/../../../../file", R, BENEATH, EXDEV, NULL);

	/* loops */
	check(mode, rootfd, "loop1", R, IN_ROOT, ELOOP, NULL);
	check(mode, rootfd, "loop2/x", R, BENEATH, ELOOP, NULL);
	check(mode, rootfd, "self", P, IN_ROOT, ELOOP, NULL);
	check(mode, rootfd, "self", P | O_NOFOLLOW, IN_ROOT, 0, "self");
	check(mode, rootfd, "chain/1", R, BENEATH, 0, "file");
	check(mode, rootfd, "chain/0", R, BENEATH, ELOOP, NULL);

	/* no symlinks at all */
	check(mode, rootfd, "file", R, BENEATH | NOSYM, 0, "file");
	check(mode, rootfd, "a/b/c/file", R, IN_ROOT | NOSYM, 0, "a/b/c/file");
	check(mode, rootfd, "a/b/link-rel", R, BENEATH | NOSYM, ELOOP, NULL);
	check(mode, rootfd, "dirlink/b", P, BENEATH | NOSYM, ELOOP, NULL);
	check(mode, rootfd, "filelink", P | O_NOFOLLOW, BENEATH | NOSYM, 0, "filelink");
	check(mode, rootfd, "filelink", R | O_NOFOLLOW, BENEATH | NOSYM, ELOOP, NULL);
	check(mode, rootfd, "dirlink/", P | O_NOFOLLOW, BENEATH | NOSYM, ELOOP, NULL);

	/* trailing slashes */
	check(mode, rootfd, "a/", R | D, IN_ROOT, 0, "a");
	check(mode, rootfd, "a/b//", P, BENEATH, 0, "a/b");
	check(mode, rootfd, "file/", R, IN_ROOT, ENOTDIR, NULL);
	check(mode, rootfd, "filelink/", P, IN_ROOT, ENOTDIR, NULL);
	check(mode, rootfd, "dirlink/", P | O_NOFOLLOW, IN_ROOT, 0, "a");
	check(mode, rootfd, "empty-dir/", O_WRONLY | O_CREAT, IN_ROOT, EISDIR, NULL);
	check(mode, rootfd, "missing/", R, IN_ROOT, ENOENT, NULL);

	/* O_CREAT */
	check(mode, rootfd, "created", O_WRONLY | O_CREAT, IN_ROOT, 0, "created");
	check(mode, rootfd, "a/b/created", O_WRONLY | O_CREAT | O_EXCL, BENEATH, 0, "a/b/created");
	check(mode, rootfd, "a/b/created", O_WRONLY | O_CREAT | O_EXCL, BENEATH, EEXIST, NULL);
	check(mode, rootfd, "nodir/created", O_WRONLY | O_CREAT, IN_ROOT, ENOENT, NULL);
	check(mode, rootfd, "dangling", O_WRONLY | O_CREAT | O_EXCL, IN_ROOT, EEXIST, NULL);
	check(mode, rootfd, "dangling", O_WRONLY | O_CREAT | O_NOFOLLOW, IN_ROOT, ELOOP, NULL);
	ok(!exists(root, "newfile"), "%s: nothing created through a refused dangling symlink", mode);
	check(mode, rootfd, "dangling", O_WRONLY | O_CREAT, IN_ROOT, 0, "newfile");
	check(mode, rootfd, "dangling-out", O_WRONLY | O_CREAT, BENEATH, EXDEV, NULL);
	ok(!exists(root, "outside/created"), "%s: BENEATH creates nothing through an escape", mode);
	check(mode, rootfd, "dangling-out", O_WRONLY | O_CREAT, IN_ROOT, 0, "outside/created");
	ok(!exists(tmp, "outside/created"), "%s: nothing was created outside the root", mode);
	{
		struct stat st;
		ok(fstatat(rootfd, "created", &st, 0) == 0 && (st.st_mode & 07777) == 0644,
		   "%s: O_CREAT uses the mode", mode);
	}

	/* bad resolve flags */
	check(mode, rootfd, "file", R, 0, EINVAL, NULL);
	check(mode, rootfd, "file", R, IN_ROOT | BENEATH, EINVAL, NULL);

	/* magic links are never followed; /proc's plain symlinks are */
	{
		_cleanup_close_ int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
		_cleanup_close_ int self = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
		_cleanup_free_ char *fdpath = xasprintf("self/fd/%d", rootfd);
		int fd;

		if (proc < 0 || self < 0) {
			ok(1, "# SKIP no /proc");
		} else {
			check(mode, proc, fdpath, P, IN_ROOT, ELOOP, NULL);
			check(mode, self, "cwd", P, IN_ROOT, ELOOP, NULL);
			check(mode, self, "exe", R, BENEATH, ELOOP, NULL);
			check(mode, self, "root/", P, IN_ROOT, ELOOP, NULL);
			check(mode, self, "exe", P | O_NOFOLLOW, IN_ROOT, 0, "exe");
			fd = safe_open_in_root(proc, "self/status", R, 0, BENEATH);
			ok(fd >= 0, "%s: /proc/self/status opens through the self symlink", mode);
			if (fd >= 0)
				close(fd);
		}
	}
}

/* A caller: mfs_open opens an entry mergefs resolved earlier; if a
 * directory on its path has been swapped for a symlink meanwhile, nothing
 * outside the layer is read (mergefs' own fallback used to follow it). */
static void test_mfs_open_swap(const char *mode)
{
	_cleanup_free_ char *layer = xasprintf("%s/%s/layer", tmp, mode);
	_cleanup_free_ char *d = xasprintf("%s/d", layer);
	_cleanup_free_ char *old = xasprintf("%s/%s/d.old", tmp, mode);
	_cleanup_free_ char *out = xasprintf("%s/outside", tmp);
	char *dirs[2] = { layer, NULL };
	struct mentry ent = { .path = (char *)"d/secret" };
	struct err e = ERR_INIT;
	struct mfs fs;
	int fd;

	mkfile(layer, "d/secret");
	if (!ok(mfs_open_dirs(&fs, dirs, false, true, &e) == 0, "%s: mfs_open_dirs", mode)) {
		err_clear(&e);
		return;
	}
	fd = mfs_open(&fs, &ent, O_RDONLY, &e);
	ok(fd >= 0, "%s: mfs_open d/secret", mode);
	if (fd >= 0)
		close(fd);
	err_clear(&e);
	if (rename(d, old) < 0 || symlink(out, d) < 0)
		abort();
	fd = mfs_open(&fs, &ent, O_RDONLY, &e);
	ok(fd < 0 && e.errnum == ELOOP, "%s: mfs_open d/secret with d now a symlink out: refused", mode);
	if (fd >= 0)
		close(fd);
	err_clear(&e);
	mfs_close(&fs);
}

int main(void)
{
	char tmpl[] = "/tmp/burrow-safeopen-test.XXXXXX";
	struct err e = ERR_INIT;

	umask(022);
	tmp = mkdtemp(tmpl);
	if (!tmp) {
		skip_all("mkdtemp failed");
		return 0;
	}
	if (safe_open_have_openat2()) {
		safe_open_force(SAFE_OPEN_OPENAT2);
		run_cases("openat2");
		test_mfs_open_swap("openat2");
	} else {
		diag("no openat2 here: only the fallback is tested");
	}
	safe_open_force(SAFE_OPEN_FALLBACK);
	run_cases("fallback");
	test_mfs_open_swap("fallback");

	/* the environment switch, read when the choice is first made */
	setenv("BURROW_SAFE_OPEN", "fallback", 1);
	safe_open_force(SAFE_OPEN_AUTO);
	is_int(safe_open_current(), SAFE_OPEN_FALLBACK, "BURROW_SAFE_OPEN=fallback forces the fallback");
	unsetenv("BURROW_SAFE_OPEN");
	safe_open_force(SAFE_OPEN_AUTO);
	is_int(safe_open_current(), safe_open_have_openat2() ? SAFE_OPEN_OPENAT2 : SAFE_OPEN_FALLBACK,
	       "without it, openat2 when the kernel has it");

	rm_rf_at(AT_FDCWD, tmp, &e);
	err_clear(&e);
	return done_testing();
}
