/* rmtree.c - tests for rm_rf_at (src/lib/base/rmtree.c): any depth with
 * few fds, read-only directories, symlinks never followed, one error line. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/base/util.h"
#include "tap.h"

static bool exists(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0;
}

/* a chain of depth directories "d" below dir, with a file at the bottom */
static int make_deep(const char *dir, int depth)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	for (int i = 0; i < depth && fd >= 0; i++) {
		int next;
		if (mkdirat(fd, "d", 0755) < 0)
			break;
		next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		fd = next;
	}
	if (fd < 0)
		return -1;
	close(openat(fd, "bottom", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	close(fd);
	return 0;
}

/* at every level: files, a leaf directory with files, a read-only
 * directory, a symlink to outside, and the next level */
static int make_wide(int fd, int depth, const char *outside)
{
	int next, rc;

	for (int i = 0; i < 3; i++) {
		char n[16];
		snprintf(n, sizeof n, "f%d", i);
		close(openat(fd, n, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	}
	if (mkdirat(fd, "leaf", 0755) < 0 || mkdirat(fd, "ro", 0755) < 0)
		return -1;
	next = openat(fd, "leaf", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(openat(next, "x", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	close(next);
	next = openat(fd, "ro", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(openat(next, "y", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	close(next);
	fchmodat(fd, "ro", depth % 2 ? 0500 : 0, 0);
	if (symlinkat(outside, fd, "out") < 0)
		return -1;
	if (depth == 0)
		return 0;
	if (mkdirat(fd, "next", 0755) < 0)
		return -1;
	next = openat(fd, "next", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rc = make_wide(next, depth - 1, outside);
	close(next);
	return rc;
}

/* In a user and mount namespace: a tmpfs mounted deep in the tree makes
 * the removal fail (EBUSY).  Exits 0 if the error was one line naming the
 * tree once, 1 if not, 77 if no namespace could be made. */
static int busy_child(const char *tmp)
{
	struct err e = ERR_INIT;
	_cleanup_free_ char *top = xasprintf("%s/busy", tmp), *mnt = NULL, *map = NULL;
	uid_t uid = getuid();
	gid_t gid = getgid();
	const char *p;
	int n = 0, fd;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return 77;
	map = xasprintf("0 %u 1", (unsigned)uid);
	fd = open("/proc/self/uid_map", O_WRONLY);
	if (fd < 0 || write(fd, map, strlen(map)) < 0)
		return 77;
	close(fd);
	fd = open("/proc/self/setgroups", O_WRONLY);
	if (fd >= 0 && write(fd, "deny", 4) < 0)
		return 77;
	close(fd);
	free(map);
	map = xasprintf("0 %u 1", (unsigned)gid);
	fd = open("/proc/self/gid_map", O_WRONLY);
	if (fd < 0 || write(fd, map, strlen(map)) < 0)
		return 77;
	close(fd);
	if (mkdir(top, 0755) < 0 || make_deep(top, 40) < 0)
		return 1;
	mnt = xasprintf("%s/d/d/d/m", top);
	if (mkdir(mnt, 0755) < 0 || mount("none", mnt, "tmpfs", 0, NULL) < 0)
		return 77;
	if (rm_rf_at(AT_FDCWD, top, &e) == 0)
		return 1;
	for (p = e.msg; (p = strstr(p, top)); p++)
		n++;
	for (p = e.msg; (p = strstr(p, "removing")); p++)
		n++;
	printf("# %s\n", e.msg);
	return n == 2 && !strchr(e.msg, '\n') && e.errnum == EBUSY ? 0 : 1;
}

int main(void)
{
	char tmpl[] = "/tmp/burrow-rmtree-test.XXXXXX";
	const char *tmp = mkdtemp(tmpl);
	struct err e = ERR_INIT;
	_cleanup_free_ char *deep = NULL, *wide = NULL, *outside = NULL, *file = NULL;
	struct rlimit saved, low = { 64, 64 };
	int fd, st = 0;
	pid_t pid;

	if (!tmp)
		return skip_all("mkdtemp failed");
	outside = xasprintf("%s/outside", tmp);
	file = xasprintf("%s/outside/keep", tmp);
	mkdir(outside, 0755);
	close(open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));

	deep = xasprintf("%s/deep", tmp);
	mkdir(deep, 0755);
	ok(make_deep(deep, 5000) == 0, "made a tree 5000 levels deep");
	getrlimit(RLIMIT_NOFILE, &saved);
	low.rlim_max = saved.rlim_max;
	setrlimit(RLIMIT_NOFILE, &low);
	ok(rm_rf_at(AT_FDCWD, deep, &e) == 0, "removes it with 64 fds");
	if (e.msg)
		diag(e.msg);
	err_clear(&e);
	setrlimit(RLIMIT_NOFILE, &saved);
	ok(!exists(deep), "  nothing is left");

	wide = xasprintf("%s/wide", tmp);
	mkdir(wide, 0755);
	fd = open(wide, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ok(make_wide(fd, 40, outside) == 0,
	   "made a tree 40 levels deep with files, read-only directories and symlinks at each");
	close(fd);
	ok(rm_rf_at(AT_FDCWD, wide, &e) == 0, "removes it");
	if (e.msg)
		diag(e.msg);
	err_clear(&e);
	ok(!exists(wide), "  nothing is left");
	ok(exists(file), "  the symlinks' target is untouched");

	ok(rm_rf_at(AT_FDCWD, wide, &e) == 0, "a missing tree is not an error");
	err_clear(&e);

	pid = fork();
	if (pid == 0)
		_exit(busy_child(tmp));
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
		skip("no user and mount namespace to mount a tmpfs in");
	else
		ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		   "a removal that fails says so in one line, naming the tree once");

	rm_rf_at(AT_FDCWD, tmp, &e);
	err_clear(&e);
	return done_testing();
}
