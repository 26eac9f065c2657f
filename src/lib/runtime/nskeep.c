/* nskeep.c - see nskeep.h */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/nsfs.h>

#include "lib/base/log.h"
#include "lib/base/syscalls.h"
#include "lib/base/util.h"
#include "lib/record/state.h"
#include "nskeep.h"
#include "userns.h"

enum { KEEP_IDLE_DEFAULT = 600 };

bool nskeep_enabled(void)
{
	const char *v = getenv("BURROW_USERNS_KEEP");

	return !(v && strcmp(v, "0") == 0);
}

/* BURROW_USERNS_KEEP=N: seconds without a start before the keeper goes */
static int idle_seconds(void)
{
	const char *v = getenv("BURROW_USERNS_KEEP");
	char *end;
	long n;

	if (!v || !*v)
		return KEEP_IDLE_DEFAULT;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || n <= 0)
		return KEEP_IDLE_DEFAULT;
	return n > INT_MAX / 1000 ? INT_MAX / 1000 : (int)n;
}

/* ---- the keeper ------------------------------------------------------------ */

/* The record names this process: unlink it (under the lock, so that a
 * command making a new keeper meanwhile is not undone).  False when the
 * lock is busy: a command is about to use or replace us. */
static bool drop_record(const char *dir)
{
	_cleanup_free_ char *lock = xasprintf("%s/lock", dir), *rec = xasprintf("%s/keeper", dir);
	_cleanup_free_ char *txt = NULL;
	_cleanup_close_ int lfd = open(lock, O_RDWR | O_CLOEXEC);
	struct err e = ERR_INIT;
	size_t len = 0;

	if (lfd >= 0 && flock(lfd, LOCK_EX | LOCK_NB) < 0)
		return false;
	if (read_file_at(AT_FDCWD, rec, 64, &txt, &len, &e) == 0 && atoi(txt) == (int)getpid())
		unlink(rec);
	err_clear(&e);
	return true;
}

/* Sleep until the record or the directory goes, or no start came for the
 * idle period.  Starts show as opens in the directory (the record is read
 * each time), counted by an inotify instance that is never polled: only
 * its queue's length is looked at, once per period. */
__attribute__((noreturn)) static void keeper_main(const char *dir, int readyfd, int idle)
{
	int wfd, ufd;
	pid_t self = getpid();

	setsid();
	prctl(PR_SET_NAME, "burrow-userns");
	close_fds_except(3, &readyfd, 1);
	stdio_to_devnull();
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	{
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
	}
	wfd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	ufd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (wfd < 0 || ufd < 0 ||
	    inotify_add_watch(wfd, dir, IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF) < 0 ||
	    inotify_add_watch(ufd, dir, IN_OPEN) < 0)
		_exit(1);
	if (write(readyfd, &self, sizeof self) != (ssize_t)sizeof self)
		_exit(1);
	close(readyfd);
	for (;;) {
		struct pollfd p = { .fd = wfd, .events = POLLIN };
		union {
			struct inotify_event ev;
			char buf[4096];
		} u;
		int r = poll(&p, 1, idle * 1000), queued = 0;
		ssize_t n;

		if (r < 0 && errno != EINTR)
			_exit(1);
		if (r == 0) {
			if (ioctl(ufd, FIONREAD, &queued) < 0 || queued == 0) {
				if (drop_record(dir))
					_exit(0);
			}
			while (read(ufd, u.buf, sizeof u.buf) > 0)
				;
			continue;
		}
		while ((n = read(wfd, u.buf, sizeof u.buf)) > 0) {
			for (char *q = u.buf; q < u.buf + n;) {
				const struct inotify_event *ev = (const struct inotify_event *)q;
				if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT))
					_exit(0);
				if ((ev->mask & (IN_DELETE | IN_MOVED_FROM)) && ev->len &&
				    strcmp(ev->name, "keeper") == 0)
					_exit(0);
				q += sizeof *ev + ev->len;
			}
		}
	}
}

/* ---- the commands' side ------------------------------------------------------ */

static bool same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

/* /proc/PID/{uid,gid}_map holds exactly the ranges r */
static bool map_is(pid_t pid, const char *file, const struct idrange *r, size_t n)
{
	char path[64], buf[4096];
	_cleanup_close_ int fd = -1;
	ssize_t len;
	size_t i = 0;
	char *p;

	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (len = read_all(fd, buf, sizeof buf - 1)) <= 0)
		return false;
	buf[len] = '\0';
	p = buf;
	for (;;) {
		unsigned long a, b, c;
		int used = 0;
		if (sscanf(p, "%lu %lu %lu%n", &a, &b, &c, &used) != 3)
			break;
		if (i >= n || a != r[i].inner || b != r[i].outer || c != r[i].count)
			return false;
		i++;
		p += used;
	}
	return i == n;
}

/* setgroups(2) is allowed in PID's user namespace (the supervisor calls
 * it; newgidmap leaves it so) */
static bool setgroups_allowed(pid_t pid)
{
	char path[64], buf[16];
	_cleanup_close_ int fd = -1;
	ssize_t len;

	snprintf(path, sizeof path, "/proc/%d/setgroups", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (len = read_all(fd, buf, sizeof buf - 1)) <= 0)
		return false;
	buf[len] = '\0';
	return strncmp(buf, "allow", 5) == 0;
}

/* The keeper the record names, checked (nskeep.h): 1 and *fd, else 0;
 * *stale (when not NULL): it is one of the caller's keepers, alive, with
 * other maps */
static int keeper_use(const char *dir, const struct idmap *m, int *fd, pid_t *stale)
{
	_cleanup_close_ int ufd = -1, parent = -1, self = -1;
	unsigned long long start;
	uid_t owner = (uid_t)-1;
	char path[64];
	pid_t pid;

	if (pid_record_read(dir, "keeper", &pid, &start) < 0)
		return 0;
	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
	ufd = open(path, O_RDONLY | O_CLOEXEC);
	if (ufd < 0 || ioctl(ufd, NS_GET_OWNER_UID, &owner) < 0 || owner != getuid())
		return 0;
	parent = ioctl(ufd, NS_GET_PARENT);
	self = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
	if (parent < 0 || self < 0 || !same_file(parent, self))
		return 0;
	if (!map_is(pid, "uid_map", m->uids, m->nuids) || !map_is(pid, "gid_map", m->gids, m->ngids) ||
	    !setgroups_allowed(pid)) {
		if (stale && proc_alive(pid, start))
			*stale = pid;
		return 0;
	}
	/* checked last: everything above was read from the recorded process */
	if (!proc_alive(pid, start))
		return 0;
	*fd = steal_fd(ufd);
	return 1;
}

/* A new keeper: a child in a new user namespace forks the keeper and
 * exits (so that no command is left its parent); the keeper reports its
 * pid once it watches its directory; its maps are written, then the
 * record. */
static int keeper_create(const char *dir, const struct idmap *m, struct err *e)
{
	int rd[2];
	pid_t child, keeper = 0;
	ssize_t n;
	int idle = idle_seconds();

	if (pipe2(rd, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	child = sys_clone_ns(CLONE_NEWUSER);
	if (child < 0) {
		int saved = errno;
		close(rd[0]);
		close(rd[1]);
		return err_make(e, saved, "creating the kept user namespace");
	}
	if (child == 0) {
		pid_t k;
		close(rd[0]);
		k = fork();
		if (k == 0)
			keeper_main(dir, rd[1], idle);
		_exit(k < 0 ? 1 : 0);
	}
	close(rd[1]);
	n = read_all(rd[0], &keeper, sizeof keeper);
	close(rd[0]);
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof keeper || keeper <= 0)
		return err_make(e, 0, "the user-namespace keeper did not start");
	if (userns_write_maps(keeper, m, e) < 0) {
		kill(keeper, SIGKILL);
		return err_wrap(e, "the kept user namespace");
	}
	if (pid_record_write(dir, "keeper", keeper, e) < 0) {
		kill(keeper, SIGKILL);
		return -1;
	}
	log_debug("user-namespace keeper %d", (int)keeper);
	return 0;
}

int nskeep_open(const char *runroot, const struct idmap *m, int *fd, struct err *e)
{
	_cleanup_free_ char *dir = NULL, *lock = NULL;
	_cleanup_close_ int lfd = -1;
	pid_t stale = 0;

	*fd = -1;
	if (!nskeep_enabled() || m->single || !runroot)
		return 0;
	dir = xasprintf("%s/userns", runroot);
	if (keeper_use(dir, m, fd, NULL))
		return 1;
	lock = xasprintf("%s/lock", dir);
	if (mkdir_p_at(AT_FDCWD, dir, 0700, e) < 0)
		return -1;
	lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lfd < 0)
		return err_make(e, errno, "opening %s", lock);
	while (flock(lfd, LOCK_EX) < 0)
		if (errno != EINTR)
			return err_make(e, errno, "locking %s", lock);
	/* made meanwhile by another command? */
	if (keeper_use(dir, m, fd, &stale))
		return 1;
	/* one that lives on with other maps (an edited /etc/subuid) goes;
	 * any other process a record names is left alone */
	if (stale > 0)
		kill(stale, SIGKILL);
	if (keeper_create(dir, m, e) < 0)
		return -1;
	if (!keeper_use(dir, m, fd, NULL))
		return err_make(e, 0, "the new user-namespace keeper failed its check");
	return 1;
}
