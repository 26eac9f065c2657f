/* nsjoin.c - the namespaces of other containers that a new one joins:
 * --network, --pid, --ipc and --uts container:ID.  Each is the namespace of
 * ID's running init; all of them must belong to one user namespace, which
 * the supervisor joins instead of creating its own (a namespace can only
 * be joined from the user namespace that owns it). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/base/log.h"
#include "lib/base/util.h"
#include "lib/record/state.h"
#include "netns.h"
#include "runtime_int.h"

static bool same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

static bool same_as_self(int fd, const char *ns)
{
	char p[32];
	_cleanup_close_ int self = -1;

	snprintf(p, sizeof p, "/proc/self/ns/%s", ns);
	self = open(p, O_RDONLY | O_CLOEXEC);
	return self >= 0 && same_file(fd, self);
}

/* dir is <base>/containers/<id>: the same place for another id */
static char *sibling_dir(const char *dir, const char *id)
{
	const char *slash = strrchr(dir, '/');

	return xasprintf("%.*s/%s", (int)(slash ? slash - dir : 0), dir, id);
}

/* the user namespace and namespace ns of container id's running init */
static int target_open(const struct container_spec *s, enum ns_kind k, const char *id, int *userfd, int *nsfd,
		       int *mntfd, struct err *e)
{
	const char *ns = ns_kind_name(k);
	_cleanup_free_ char *ctrdir = sibling_dir(s->ctrdir, id), *rundir = sibling_dir(s->rundir, id);
	_cleanup_free_ char *cfg = xasprintf("%s/config.json", ctrdir);
	_cleanup_close_ int ufd = -1, nfd = -1;
	struct ctr_state st;
	char path[64];
	int rc = -1;

	if (access(cfg, F_OK) < 0)
		return err_make_status(e, 125, 0, "--%s container:%.12s: the container no longer exists", ns,
				       id);
	ctr_state_init(&st);
	if (state_refresh(ctrdir, rundir, &st, NULL, e) < 0) {
		err_wrap(e, "--%s container:%.12s", ns, id);
		goto out;
	}
	if ((st.status != ST_RUNNING && st.status != ST_PAUSED) || st.pid <= 0) {
		err_make_status(e, 125, 0,
				"--%s container:%.12s: the container is not running (it is %s); start it "
				"first",
				ns, id, ctr_status_name(st.status));
		goto out;
	}
	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)st.pid);
	ufd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)st.pid, ns);
	nfd = open(path, O_RDONLY | O_CLOEXEC);
	if (mntfd) {
		snprintf(path, sizeof path, "/proc/%d/ns/mnt", (int)st.pid);
		*mntfd = open(path, O_RDONLY | O_CLOEXEC);
	}
	/* opened first, checked after: a pid reused in between is caught */
	if (ufd < 0 || nfd < 0 || (mntfd && *mntfd < 0) || !proc_alive(st.pid, st.pid_start)) {
		err_make_status(e, 125, 0, "--%s container:%.12s: the container is not running", ns, id);
		goto out;
	}
	if (same_as_self(nfd, ns)) {
		err_make_status(e, 125, 0,
				"--%s container:%.12s: that container uses the host's %s namespace; use "
				"--%s host",
				ns, id, ns, ns);
		goto out;
	}
	*userfd = steal_fd(ufd);
	*nsfd = steal_fd(nfd);
	rc = 0;
out:
	ctr_state_free(&st);
	if (rc < 0 && mntfd)
		closep(mntfd);
	if (rc < 0 && !e->status)
		e->status = 125;
	return rc;
}

bool ns_join_wanted(const struct container_spec *s)
{
	return s->net == NET_CONTAINER || s->net == NET_BRIDGE || s->pid_ns.share == NS_CONTAINER ||
	       s->ipc_ns.share == NS_CONTAINER || s->uts_ns.share == NS_CONTAINER;
}

void ns_fds_close(struct ns_fds *f)
{
	closep(&f->user);
	closep(&f->net);
	closep(&f->pid);
	closep(&f->ipc);
	closep(&f->uts);
	closep(&f->ipc_mnt);
	closep(&f->shared_net);
	closep(&f->hold);
}

int ns_shm_clone(int mntns, struct err *e)
{
	int sk[2], fd = -1;
	struct msg m;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sk) < 0)
		return err_make(e, errno, "socketpair");
	pid = fork();
	if (pid == 0) {
		/* entering a mount namespace moves the root there too */
		struct err ce = ERR_INIT;
		int t = -1;

		close(sk[0]);
		if (setns(mntns, CLONE_NEWNS) < 0)
			err_make(&ce, errno,
				 "entering the mount namespace of the container whose IPC is shared");
		else if ((t = open_tree(AT_FDCWD, "/dev/shm",
					OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE)) < 0)
			err_make(&ce, errno, "copying /dev/shm of the container whose IPC is shared");
		if (t < 0) {
			msg_send_error(sk[1], &ce, 125);
			_exit(125);
		}
		/* the copy, as an fd on a STARTED message */
		memset(&m, 0, sizeof m);
		m.type = MSG_STARTED;
		msg_send(sk[1], &m, t);
		_exit(0);
	}
	close(sk[1]);
	if (pid < 0) {
		close(sk[0]);
		return err_make(e, errno, "fork");
	}
	if (msg_recv(sk[0], &m, &fd) <= 0)
		err_make(e, 0, "copying /dev/shm of the container whose IPC is shared: no answer");
	else if (m.type == MSG_ERROR)
		msg_error(&m, e);
	close(sk[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (fd >= 0 && m.type != MSG_STARTED)
		closep(&fd);
	return fd;
}

int ns_fds_open(const struct container_spec *s, struct ns_fds *f, struct err *e)
{
	const struct ns_mode *m[] = { &s->pid_ns, &s->ipc_ns, &s->uts_ns };
	int *fds[] = { &f->pid, &f->ipc, &f->uts };
	const char *user_of = "network"; /* whose user namespace f->user is */

	*f = (struct ns_fds)NS_FDS_INIT;
	if (s->net == NET_CONTAINER && net_shared_open(s, &f->user, &f->net, e) < 0)
		return -1;
	if (s->net == NET_BRIDGE) {
		int nf[3];

		if (netns_join(s, nf, e) < 0) {
			if (!e->status)
				e->status = 125;
			return -1;
		}
		log_debug("joined the networks' namespace");
		f->user = nf[0];
		f->shared_net = nf[1];
		f->hold = nf[2];
		user_of = "network";
	}
	for (int k = NSK_PID; k <= NSK_UTS; k++) {
		_cleanup_close_ int ufd = -1;

		if (m[k]->share != NS_CONTAINER)
			continue;
		if (target_open(s, (enum ns_kind)k, m[k]->container, &ufd, fds[k],
				k == NSK_IPC ? &f->ipc_mnt : NULL, e) < 0)
			goto fail;
		if (f->user < 0) {
			f->user = steal_fd(ufd);
			user_of = ns_kind_name((enum ns_kind)k);
		} else if (!same_file(ufd, f->user)) {
			/* each container has its own user namespace: one can join
			 * namespaces of one container (or of those that joined it) */
			err_make_status(e, 125, 0,
					"--%s container:%.12s: that container is in another user namespace "
					"than the one of --%s container:; share namespaces with one "
					"container only",
					ns_kind_name((enum ns_kind)k), m[k]->container, user_of);
			goto fail;
		}
	}
	if (f->user >= 0 && same_as_self(f->user, "user"))
		closep(&f->user);
	return 0;
fail:
	ns_fds_close(f);
	return -1;
}
