/* rootemu.c - tests for the root emulation filter (src/lib/runtime/rootemu.c).
 *
 * The filter cannot be removed once loaded, so every check that needs it
 * runs in a forked child, which prints its TAP lines and hands its counts
 * back over a pipe.  Without the filter these checks fail: as a normal
 * user chown to another owner, setuid and setgroups fail with EPERM or
 * EINVAL and mknod of a device with EPERM; as root they really change the
 * owner and the IDs, which the "unchanged" checks catch.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/runtime/rootemu.h"
#include "lib/record/spec.h"
#include "lib/base/util.h"
#include "tap.h"

static char dir[] = "/tmp/burrow-rootemu.XXXXXX";

static char *at(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static bool owner_is(const char *path, bool follow, uid_t uid, gid_t gid)
{
	struct stat st;
	if ((follow ? stat(path, &st) : lstat(path, &st)) < 0) {
		printf("# stat %s: %s\n", path, strerror(errno));
		return false;
	}
	if (st.st_uid == uid && st.st_gid == gid)
		return true;
	printf("# %s is owned by %u:%u, want %u:%u\n", path, st.st_uid, st.st_gid, uid, gid);
	return false;
}

#ifdef __x86_64__
/* A call through the i386 ABI (int $0x80) from this 64-bit process. */
static long call_i386(long nr, long a1)
{
	long ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a1) : "memory", "r8", "r9", "r10", "r11");
	return ret;
}
#endif

static void checks_under_filter(void)
{
	_cleanup_free_ char *f = at("file"), *l = at("link"), *chr = at("chr"), *blk = at("blk"),
			    *fifo = at("fifo"), *reg = at("reg");
	uid_t uid = getuid(), euid = geteuid();
	gid_t gid = getgid(), egid = getegid();
	gid_t before[64], after[64], one = 1234;
	int nbefore = getgroups(64, before), nafter;
	_cleanup_close_ int fd = -1, dfd = -1;
	struct err e = ERR_INIT;
	struct stat st;
	int rc;

	fd = open(f, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || dfd < 0 || symlink("file", l) < 0)
		printf("# setting up %s: %s\n", dir, strerror(errno));

	rc = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	is_int(rc, 0, "no_new_privs");
	rc = rootemu_install(&e);
	is_int(rc, 0, "the filter loads%s%s", e.msg ? ": " : "", e.msg ? e.msg : "");
	err_clear(&e);

	/* the chown family: success, nothing changes */
	is_int(chown(f, 0, 0), 0, "chown to 0:0 returns 0");
	is_int(chown(f, 1234, 1234), 0, "chown to 1234:1234 returns 0");
	ok(owner_is(f, true, uid, gid), "and the owner is unchanged");
	is_int(fchown(fd, 1234, 1234), 0, "fchown returns 0");
	is_int(lchown(l, 1234, 1234), 0, "lchown of a symlink returns 0");
	ok(owner_is(l, false, uid, gid), "and the link's owner is unchanged");
	is_int(fchownat(dfd, "file", 4321, 4321, 0), 0, "fchownat returns 0");
	ok(owner_is(f, true, uid, gid), "the file still has its owner after all of them");

	/* the setuid/setgid family and setgroups: success, the IDs stay */
	is_int(setgroups(1, &one), 0, "setgroups returns 0");
	nafter = getgroups(64, after);
	ok(nafter == nbefore && memcmp(before, after, sizeof(gid_t) * (size_t)(nafter > 0 ? nafter : 0)) == 0,
	   "and the supplementary groups are unchanged");
	is_int(setgid(1234), 0, "setgid returns 0");
	is_int(setresgid(1234, 1234, 1234), 0, "setresgid returns 0");
	is_int(setregid(1234, 1234), 0, "setregid returns 0");
	is_int(setuid(1234), 0, "setuid returns 0");
	is_int(setresuid(1234, 1234, 1234), 0, "setresuid returns 0");
	is_int(setreuid(1234, 1234), 0, "setreuid returns 0");
	is_int(seteuid(1234), 0, "seteuid returns 0");
	ok(getuid() == uid && geteuid() == euid && getgid() == gid && getegid() == egid,
	   "and uid, euid, gid, egid are unchanged (%u %u %u %u)", getuid(), geteuid(), getgid(), getegid());
	/* setfsuid returns the previous fsuid: the fake answers 0 */
	is_int(syscall(SYS_setfsuid, 1234), 0, "setfsuid is answered too");
	is_int(syscall(SYS_setfsgid, 1234), 0, "setfsgid is answered too");

	/* mknod: devices are faked and not created; other types are real */
	is_int(mknod(chr, S_IFCHR | 0666, makedev(1, 3)), 0, "mknod of a char device returns 0");
	ok(lstat(chr, &st) < 0 && errno == ENOENT, "and creates nothing");
	is_int(mknodat(dfd, "blk", S_IFBLK | 0660, makedev(7, 0)), 0, "mknodat of a block device returns 0");
	ok(lstat(blk, &st) < 0 && errno == ENOENT, "and creates nothing");
	is_int(mkfifo(fifo, 0600), 0, "mkfifo works");
	ok(lstat(fifo, &st) == 0 && S_ISFIFO(st.st_mode), "and the FIFO exists");
	is_int(mknod(reg, S_IFREG | 0600, 0), 0, "mknod of a regular file works");
	ok(lstat(reg, &st) == 0 && S_ISREG(st.st_mode), "and the file exists");
	ok(mknod(fifo, S_IFIFO | 0600, 0) < 0 && errno == EEXIST, "mknod of a FIFO still checks: EEXIST");

	/* the rest is untouched */
	ok(rmdir("/nonexistent-burrow") < 0 && errno == ENOENT, "an unrelated call fails normally (ENOENT)");
	if (euid != 0)
		ok(umount2(dir, 0) < 0 && errno == EPERM, "umount still fails with EPERM");
	ok(chmod("/nonexistent-burrow", 0644) < 0 && errno == ENOENT, "chmod is not faked");

#ifdef __x86_64__
	/* the i386 ABI of the same CPU is filtered too: setuid32 (213) */
	if (call_i386(199 /* getuid32 */, 0) == (long)uid) {
		is_int(call_i386(213, 1234), 0, "i386 setuid32 returns 0");
		is_int(call_i386(46 /* setgid, 16-bit */, 1234), 0, "i386 setgid returns 0");
		ok(getuid() == uid && getgid() == gid, "and the IDs are unchanged");
	} else {
		skip("no i386 ABI in this kernel");
	}
#endif
}

/* Run fn in a child; its TAP lines continue our numbering. */
static void in_child(void (*fn)(void))
{
	int p[2], st;
	pid_t pid;

	if (pipe(p) < 0) {
		ok(0, "pipe: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int counts[2];
		close(p[0]);
		fn();
		counts[0] = tap_n;
		counts[1] = tap_failed;
		if (write(p[1], counts, sizeof counts) != sizeof counts)
			_exit(2);
		_exit(0);
	}
	close(p[1]);
	{
		int counts[2];
		ssize_t n = read(p[0], counts, sizeof counts);
		close(p[0]);
		waitpid(pid, &st, 0);
		if (n == sizeof counts) {
			tap_n = counts[0];
			tap_failed = counts[1];
		}
		ok(n == sizeof counts && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		   "the child finished (status 0x%x)", st);
	}
}

static void test_prepare_keeps_apt_config(void)
{
	_cleanup_strv_ char **env = NULL;
	struct err e = ERR_INIT;

	env_set(&env, "APT_CONFIG", "/etc/mine.conf");
	is_int(rootemu_prepare(&env, &e), 0, "prepare leaves a user's APT_CONFIG alone");
	is_str(env_get(env, "APT_CONFIG"), "/etc/mine.conf", "and does not replace it");
	err_clear(&e);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		return skip_all("cannot create a temporary directory");
	}
	in_child(checks_under_filter);
	test_prepare_keeps_apt_config();
	{
		_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);
		if (system(cmd) != 0) /* NOLINT(cert-env33-c): a fixed test command */
			diag("could not remove the temporary directory");
	}
	return done_testing();
}
