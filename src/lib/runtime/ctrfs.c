/* ctrfs.c - see ctrfs.h */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctrfs.h"
#include "idshift.h"
#include "rootfs.h"
#include "runtime_int.h"
#include "userns.h"
#include "lib/base/util.h"

struct stopped_arg {
	const struct container_spec *s;
	ctrfs_fn *fn;
	void *arg;
};

/* into the container's filesystem, then fn */
static int enter_fn(void *p, struct err *e)
{
	struct stopped_arg *a = p;
	/* in the container's user namespace we are in the run directory already */
	_cleanup_free_ char *merged = userns_opts_nested(&a->s->userns)
					      ? xstrdup("merged")
					      : xasprintf("%s/merged", a->s->rundir);

	if (chdir(merged) < 0 || chroot(".") < 0 || chdir("/") < 0)
		return err_make(e, errno, "entering the container's filesystem");
	return a->fn(a->arg, e);
}

/* in the new user and mount namespaces: the overlay, then the root; with
 * a map of its own, in a user namespace with that map (owners as the
 * container sees them; made before the chroot, which forbids it) */
static int stopped_fn(void *p, int outfd, struct err *e)
{
	struct stopped_arg *a = p;
	struct rootfs_fuse fuse = { 0, 0 };
	int rc;

	(void)outfd;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return err_make(e, errno, "making the mounts private");
	if (rootfs_mount_overlay(a->s, &fuse, e) < 0)
		return err_wrap(e, "mounting the container's filesystem");
	if (userns_opts_nested(&a->s->userns))
		rc = idshift_run(a->s, enter_fn, a, e);
	else
		rc = enter_fn(a, e);
	if (fuse.overlay > 0 || fuse.sqfs > 0) {
		/* the daemon flushes on unmount; the mount is ours alone */
		_cleanup_free_ char *merged = xasprintf("%s/merged", a->s->rundir);
		umount2(userns_opts_nested(&a->s->userns) ? merged : "/", MNT_DETACH);
		rootfs_stop_fuse(&fuse);
	}
	return rc;
}

/* after joining a container with a user namespace of its own we are the
 * user, unmapped with nomap: be its root, so that what we make can be
 * given to its users */
static int be_root(const struct container_spec *s, struct err *e)
{
	if (!userns_opts_nested(&s->userns) ||
	    idrange_map(s->userns.uids, s->userns.nuids, 0, false) == (unsigned long)-1)
		return 0;
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return err_make(e, errno, "becoming root in the container's user namespace");
	return 0;
}

static int running(const struct container_spec *s, pid_t init, ctrfs_fn *fn, void *arg, struct err *e)
{
	int errp[2];
	pid_t pid;
	int st, r;

	if (pipe2(errp, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	pid = fork();
	if (pid < 0) {
		close(errp[0]);
		close(errp[1]);
		return err_make(e, errno, "fork");
	}
	if (pid == 0) {
		struct err ce = ERR_INIT;
		close(errp[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* in the container's namespaces with the caller's fds (cp's host
		 * directory): not dumpable, so that no process of the container
		 * can reach them through ptrace or /proc/PID/fd */
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		if (exec_join(init, &ce) < 0 || be_root(s, &ce) < 0 || chdir("/") < 0 || fn(arg, &ce) < 0) {
			if (!ce.msg)
				err_make(&ce, errno, "entering the container");
			err_send(errp[1], &ce);
			_exit(ce.status ? ce.status : 125);
		}
		_exit(0);
	}
	close(errp[1]);
	r = err_recv(errp[0], e);
	close(errp[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (r > 0)
		return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return err_make(e, 0, "the copy process failed (status %d)", st);
	return 0;
}

int ctrfs_run(const struct container_spec *s, pid_t init, ctrfs_fn *fn, void *arg, struct err *e)
{
	struct stopped_arg a = { .s = s, .fn = fn, .arg = arg };

	if (init > 0)
		return running(s, init, fn, arg, e);
	if (!s->idmap)
		return err_make(e, 0, "internal error: no ID map for a stopped container");
	if (container_prepare_dirs(s, e) < 0)
		return -1;
	return userns_run(s->idmap, CLONE_NEWNS, stopped_fn, &a, NULL, NULL, NULL, e);
}
