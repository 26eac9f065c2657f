/* sqfs_share.c - see sqfs_share.h */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/base/log.h"
#include "lib/base/util.h"
#include "lib/record/events.h"
#include "lib/record/state.h"
#include "rootfs.h"
#include "sqfs_share.h"
#include "userns.h"

enum { GRACE_MS_DEFAULT = 2000 };
/* the sharer's fd of its detached copy of the mount: containers use
 * /proc/SHARER/fd/TREE_FD as their lower directory */
enum { TREE_FD = 64 };

/* BURROW_SQFS_SHARE: 0 turns sharing off, else the grace period in
 * seconds (fractions allowed) */
static int grace_ms(void)
{
	const char *v = getenv("BURROW_SQFS_SHARE");
	char *end;
	double d;

	if (!v || !*v)
		return GRACE_MS_DEFAULT;
	errno = 0;
	d = strtod(v, &end);
	if (errno || *end || d < 0)
		return GRACE_MS_DEFAULT;
	return d > 3600 ? 3600000 : (int)(d * 1000);
}

bool sqfs_share_enabled(void)
{
	const char *v = getenv("BURROW_SQFS_SHARE");

	return !(v && strcmp(v, "0") == 0);
}

static ino_t ns_ino(const char *path)
{
	struct stat st;
	return stat(path, &st) < 0 ? 0 : st.st_ino;
}

/* sep and the variable name's value when it is a plain number, else "" */
static char *slurm_part(const char *sep, const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v || strlen(v) > 20 || strspn(v, "0123456789") != strlen(v))
		return xstrdup("");
	return xasprintf("%s%s", sep, v);
}

/* we run in the kept user namespace (nskeep.h): the one that later
 * containers of this user join too, so a mount of it can be shared */
static bool in_kept_userns(const char *runroot)
{
	_cleanup_free_ char *dir = xasprintf("%s/userns", runroot);
	_cleanup_free_ char *ns = NULL;
	unsigned long long start;
	pid_t keeper;

	if (pid_record_read(dir, "keeper", &keeper, &start) < 0 || !proc_alive(keeper, start))
		return false;
	ns = xasprintf("/proc/%d/ns/user", (int)keeper);
	return ns_ino(ns) != 0 && ns_ino(ns) == ns_ino("/proc/self/ns/user");
}

/* ---- the sharer ------------------------------------------------------------ */

static void sharer_teardown(const char *dir, const char *key, const char *mnt, pid_t daemon)
{
	_cleanup_free_ char *rec = xasprintf("%s.pid", key), *fuse = xasprintf("%s.fuse", key);
	_cleanup_free_ char *ref = xasprintf("%s/%s.ref", dir, key),
			    *lock = xasprintf("%s/%s.lock", dir, key);
	_cleanup_free_ char *p = xasprintf("%s/%s", dir, rec), *f = xasprintf("%s/%s", dir, fuse);

	unlink(p);
	unlink(f);
	unlink(ref);
	umount2(mnt, MNT_DETACH);
	rmdir(mnt);
	kill(daemon, SIGKILL);
	/* last: a command that locked it finds it unlinked and starts over */
	unlink(lock);
}

/* A detached copy of the mount at TREE_FD.  The overlay clones its lower
 * layers (clone_private_mount), which the kernel allows for a mount of
 * the caller's own mount namespace or for a detached one, never for one
 * of another namespace such as ours. */
static int share_tree(const char *mnt, struct err *e)
{
	int t = open_tree(AT_FDCWD, mnt, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	if (t < 0)
		return err_make(e, errno, "a detached copy of %s", mnt);
	if (t != TREE_FD && (dup3(t, TREE_FD, O_CLOEXEC) < 0 || close(t) < 0))
		return err_make(e, errno, "a detached copy of %s", mnt);
	return 0;
}

/* The sharer's and the daemon's "PID START" in KEY.ref itself, for the
 * containers' quick way in (share_quick): a container that holds KEY.ref
 * shared reads them from the fd it holds, not from KEY.pid and KEY.fuse
 * under KEY.lock.  A ref left by a killed sharer keeps its old record,
 * whose processes are gone: the next sharer's overwrites it. */
static void ref_record_write(int reffd, pid_t daemon)
{
	char buf[96];
	int n = snprintf(buf, sizeof buf, "%d %llu %d %llu\n", (int)getpid(), proc_start_time(getpid()),
			 (int)daemon, proc_start_time(daemon));

	if (ftruncate(reffd, 0) < 0 || pwrite(reffd, buf, (size_t)n, 0) != n)
		log_debug("sqfs: writing the shared mount's record into its reference file: %s",
			  strerror(errno));
}

/* Mount the file, report to readyfd, then live while containers hold the
 * reference file shared, plus the grace period. */
__attribute__((noreturn)) static void sharer_main(const char *dir, const char *key, const char *file,
						  const char *opts, int readyfd, int grace)
{
	_cleanup_free_ char *mnt = xasprintf("%s/%s.mnt", dir, key);
	_cleanup_free_ char *lockp = xasprintf("%s/%s.lock", dir, key),
			    *refp = xasprintf("%s/%s.ref", dir, key);
	_cleanup_free_ char *rec = xasprintf("%s.pid", key), *fuse = xasprintf("%s.fuse", key);
	const char *argv[] = { "squashfuse_ll", "-f", file, NULL };
	struct err e = ERR_INIT;
	int lockfd, reffd, keep[1] = { readyfd };
	pid_t daemon = 0;

	sigset_t none;

	close_fds_except(3, keep, 1);
	stdio_to_devnull();
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	/* not the supervisor's signal handling: a TERM or HUP ends it (and
	 * its daemon, by the parent-death signal) */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	lockfd = open(lockp, O_RDWR | O_CLOEXEC);
	reffd = open(refp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lockfd < 0 || reffd < 0)
		err_make(&e, errno, "opening %s", lockfd < 0 ? lockp : refp);
	else if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		err_make(&e, errno, "a mount namespace for the shared mount");
	else if ((mkdir(mnt, 0700) < 0 && errno != EEXIST))
		err_make(&e, errno, "creating %s", mnt);
	else if (rootfs_fuse_start(mnt, "fuse.squashfuse_ll", MS_RDONLY, opts, argv, &daemon, &e) < 0)
		rmdir(mnt);
	else if (share_tree(mnt, &e) < 0 || pid_record_write(dir, fuse, daemon, &e) < 0 ||
		 pid_record_write(dir, rec, getpid(), &e) < 0)
		sharer_teardown(dir, key, mnt, daemon);
	if (e.msg) {
		err_send(readyfd, &e);
		_exit(1);
	}
	ref_record_write(reffd, daemon);
	close(readyfd);
	for (;;) {
		/* until no container holds it, then the grace period */
		while (flock(reffd, LOCK_EX) < 0 && errno == EINTR)
			;
		flock(reffd, LOCK_UN);
		poll(NULL, 0, grace);
		while (flock(lockfd, LOCK_EX) < 0 && errno == EINTR)
			;
		if (flock(reffd, LOCK_EX | LOCK_NB) == 0)
			break;
		flock(lockfd, LOCK_UN);
	}
	sharer_teardown(dir, key, mnt, daemon);
	_exit(0);
}

static int sharer_start(const char *dir, const char *key, const char *file, const char *opts, int grace,
			struct err *e)
{
	int rd[2], st;
	pid_t child;

	if (pipe2(rd, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	child = fork();
	if (child < 0) {
		close(rd[0]);
		close(rd[1]);
		return err_make(e, errno, "fork");
	}
	if (child == 0) {
		/* detached from the supervisor: it outlives this container */
		close(rd[0]);
		setsid();
		if (fork() == 0)
			sharer_main(dir, key, file, opts, rd[1], grace);
		_exit(0);
	}
	close(rd[1]);
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	/* closed without a word: mounted; an error: why not */
	st = err_recv(rd[0], e);
	close(rd[0]);
	return st > 0 ? -1 : 0;
}

/* ---- a container's use -------------------------------------------------------- */

/* BURROW_SQFS_QUICK_REF is not 0 */
static bool quick_enabled(void)
{
	const char *v = getenv("BURROW_SQFS_QUICK_REF");

	return !(v && strcmp(v, "0") == 0);
}

/* The quick way in: a live sharer of key, taken without KEY.lock.  Holding
 * KEY.ref shared keeps the sharer from ending (it ends only once it holds
 * KEY.ref exclusively, and unlinks KEY.ref before anything else); a ref
 * still linked once we hold it belongs to a sharer that has not begun to
 * end.  Its record in the ref (ref_record_write) names the sharer and the
 * daemon, both checked alive as sharer_alive does.  The sharer lives in
 * the user namespace whose inode the key names, ours, so this is the kept
 * one and no in_kept_userns is needed.  1 with *pid and *ref; 0 when there
 * is no such sharer (ending, starting, gone, or its daemon died): the
 * caller takes the slow way, under KEY.lock, which also replaces it. */
static int share_quick(const char *refp, pid_t *pid, int *ref)
{
	_cleanup_close_ int fd = open(refp, O_RDWR | O_CLOEXEC);
	unsigned long long start, dstart;
	int p, d;
	char buf[96];
	struct stat st;
	ssize_t n;

	if (fd < 0 || flock(fd, LOCK_SH | LOCK_NB) < 0 || fstat(fd, &st) < 0 || st.st_nlink == 0)
		return 0;
	n = pread(fd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "%d %llu %d %llu", &p, &start, &d, &dstart) != 4 || !proc_alive(p, start) ||
	    !proc_alive(d, dstart))
		return 0;
	*pid = p;
	*ref = steal_fd(fd);
	return 1;
}

static bool sharer_alive(const char *dir, const char *key, pid_t *pid)
{
	_cleanup_free_ char *rec = xasprintf("%s.pid", key), *fuse = xasprintf("%s.fuse", key);
	unsigned long long start, fstart;
	pid_t daemon;

	if (pid_record_read(dir, rec, pid, &start) < 0 || !proc_alive(*pid, start))
		return false;
	if (pid_record_read(dir, fuse, &daemon, &fstart) == 0 && proc_alive(daemon, fstart))
		return true;
	/* its daemon died: the mount is useless, make another */
	kill(*pid, SIGKILL);
	return false;
}

int sqfs_share_lower(const char *rundir, const char *file, const char *opts, char **lower, int *ref,
		     struct err *e)
{
	_cleanup_free_ char *runroot = events_runroot_of(rundir);
	_cleanup_free_ char *dir = NULL, *key = NULL, *lockp = NULL, *refp = NULL;
	_cleanup_free_ char *job = slurm_part("-", "SLURM_JOB_ID"), *step = slurm_part(".", "SLURM_STEP_ID");
	int grace = grace_ms(), lockfd = -1;
	struct stat st, ls;
	pid_t pid;

	*lower = NULL;
	*ref = -1;
	if (!sqfs_share_enabled() || !runroot)
		return 0;
	if (stat(file, &st) < 0)
		return err_make(e, errno, "single-file image %s", file);
	dir = xasprintf("%s/sqfs", runroot);
	/* one mount per file and version, in this user namespace; and per
	 * Slurm job step, whose end kills every process it started */
	key = xasprintf("%lx-%lx-%lx-%llx.%lx-%lx%s%s", (unsigned long)st.st_dev, (unsigned long)st.st_ino,
			(unsigned long)st.st_size, (unsigned long long)st.st_mtim.tv_sec,
			(unsigned long)st.st_mtim.tv_nsec, (unsigned long)ns_ino("/proc/self/ns/user"), job,
			step);
	lockp = xasprintf("%s/%s.lock", dir, key);
	refp = xasprintf("%s/%s.ref", dir, key);
	if (quick_enabled() && share_quick(refp, &pid, ref)) {
		log_debug("sqfs: the shared mount by %d, through its reference file", (int)pid);
		*lower = xasprintf("/proc/%d/fd/%d", (int)pid, TREE_FD);
		return 1;
	}
	if (!in_kept_userns(runroot))
		return 0;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return err_make(e, errno, "creating %s", dir);
	for (;;) {
		lockfd = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (lockfd < 0)
			return err_make(e, errno, "opening %s", lockp);
		while (flock(lockfd, LOCK_EX) < 0 && errno == EINTR)
			;
		/* a sharer that went unlinked it meanwhile: start over */
		if (fstat(lockfd, &ls) == 0 && ls.st_nlink > 0)
			break;
		close(lockfd);
	}
	if (!sharer_alive(dir, key, &pid)) {
		if (sharer_start(dir, key, file, opts, grace, e) < 0 || !sharer_alive(dir, key, &pid)) {
			close(lockfd);
			if (!e->msg)
				err_make(e, 0, "the shared mount did not start");
			return -1;
		}
		log_debug("sqfs: shared mount of %s by %d", file, (int)pid);
	}
	*ref = open(refp, O_RDWR | O_CLOEXEC);
	if (*ref < 0) {
		close(lockfd);
		return err_make(e, errno, "opening %s", refp);
	}
	while (flock(*ref, LOCK_SH) < 0 && errno == EINTR)
		;
	close(lockfd);
	*lower = xasprintf("/proc/%d/fd/%d", (int)pid, TREE_FD);
	return 1;
}
