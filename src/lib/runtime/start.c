/* start.c - starting a container, the caller's side (see start.h): clone
 * the supervisor (supervisor.c) into a new user and mount namespace, write
 * its ID maps and create the container's cgroup while it waits, send GO,
 * then read its messages until the command runs and, later, exits. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exitcode.h"
#include "lib/base/log.h"
#include "runtime_int.h"
#include "start.h"
#include "lib/base/syscalls.h"
#include "userns.h"
#include "lib/base/util.h"
#include "netns.h"
#include "nskeep.h"
#include "lib/record/events.h"

int container_handle_msg(struct container_proc *p, struct err *e)
{
	struct msg m;
	int fd = -1;
	ssize_t n = msg_recv(p->sk, &m, &fd);

	if (n < 0)
		return err_make(e, errno, "reading the container's control socket");
	if (n == 0) {
		if (!p->exited) {
			/* the supervisor died without reporting: treat it as killed */
			p->exited = true;
			p->wstatus = SIGKILL;
		}
		return 0;
	}
	switch (m.type) {
	case MSG_PID:
		p->init = m.a;
		break;
	case MSG_PTY:
		if (p->ptmx >= 0)
			close(p->ptmx);
		p->ptmx = fd;
		fd = -1;
		break;
	case MSG_ERROR:
		if (fd >= 0)
			close(fd);
		return msg_error(&m, e);
	case MSG_EXIT:
		p->exited = true;
		p->wstatus = m.a;
		break;
	case MSG_STARTED:
	default:
		break;
	}
	if (fd >= 0)
		close(fd);
	return m.type;
}

/* The kept user namespace (nskeep.h) in place of a new one, when there
 * is one to use; else the supervisor gets a new one and its maps. */
static void use_kept_userns(const struct container_spec *s, struct ns_fds *join)
{
	_cleanup_free_ char *runroot = events_runroot_of(s->rundir);
	struct err e = ERR_INIT;

	if (nskeep_open(runroot, s->idmap, &join->user, &e) < 0) {
		log_debug("not using the kept user namespace: %s", e.msg);
		err_clear(&e);
	}
}

/* The GO message: the container's cgroup (cg, when made) and the
 * terminal's size. */
static void go_message(struct msg *go, const struct cgroup *cg, const struct winsize *ws)
{
	memset(go, 0, sizeof *go);
	go->type = MSG_GO;
	if (cg->path) {
		go->a = (int)cg->manager;
		snprintf(go->text, sizeof go->text, "%s\n%s", cg->path, cg->unit ? cg->unit : "");
		log_debug("cgroup %s (%s)", cg->path, cgroup_manager_name(cg->manager));
	}
	if (ws)
		go->ws = *ws;
}

/* With the kept user namespace and no cgroup to make, the supervisor
 * needs nothing of the caller's after the clone but prep's directories:
 * prep runs before the clone, and the supervisor starts with the GO it
 * inherits instead of waiting for one (a hand-over less, which under load
 * waits for a CPU).  BURROW_EARLY_GO=0: prep beside the clone, then GO. */
static bool early_go_wanted(const struct container_spec *s, bool kept)
{
	const char *v = getenv("BURROW_EARLY_GO");

	return kept && !(s->has_limits && !s->no_cgroups) && !(v && strcmp(v, "0") == 0);
}

/* With the early GO, the directories and /etc files (prep) are made after
 * the clone, while the supervisor joins the kept user namespace and makes
 * its mount namespace; a second GO says they are there, and the supervisor
 * reads it only before it needs them (supervisor_main), so it seldom waits.
 * BURROW_PREP_OVERLAP=0: prep before the clone. */
static bool prep_overlap_wanted(void)
{
	const char *v = getenv("BURROW_PREP_OVERLAP");

	return !(v && strcmp(v, "0") == 0);
}

int container_start(const struct container_spec *s, const struct winsize *ws,
		    int (*prep)(void *arg, struct err *e), void *prep_arg, struct container_proc *p,
		    struct err *e)
{
	int sk[2];
	pid_t parent = getpid(), pid;
	struct msg go;
	struct idmap_job job;
	struct cgroup cg = CGROUP_INIT;
	struct ns_fds join = NS_FDS_INIT; /* container:ID: its namespaces */
	bool joining = ns_join_wanted(s), kept, early, overlap;

	memset(p, 0, sizeof *p);
	memset(&job, 0, sizeof job);
	p->sk = p->ptmx = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sk) < 0)
		return err_make(e, errno, "socketpair");
	if (joining && ns_fds_open(s, &join, e) < 0) {
		close(sk[0]);
		close(sk[1]);
		return -1;
	}
	if (!joining)
		use_kept_userns(s, &join);
	early = !joining && early_go_wanted(s, join.user >= 0);
	overlap = early && prep && prep_overlap_wanted();
	if (early) {
		if (!overlap && prep && prep(prep_arg, e) < 0) {
			close(sk[0]);
			close(sk[1]);
			ns_fds_close(&join);
			return -1;
		}
		go_message(&go, &cg, ws);
		if (overlap)
			go.b = GO_PREP_AFTER;
	}
	/* container:ID: the supervisor joins ID's user namespace itself, and
	 * so the kept one (nskeep.h) */
	pid = sys_clone_ns(joining || join.user >= 0 ? 0 : CLONE_NEWUSER | CLONE_NEWNS);
	if (pid < 0) {
		int saved = errno;
		close(sk[0]);
		close(sk[1]);
		ns_fds_close(&join);
		return err_make(
			e, saved,
			"creating a user namespace (check 'burrow info': max_user_namespaces, AppArmor)");
	}
	if (pid == 0) {
		close(sk[0]);
		supervisor_main(s, sk[1], parent, &join, early ? &go : NULL);
	}
	kept = join.user >= 0;
	ns_fds_close(&join);
	close(sk[1]);
	p->sk = sk[0];
	p->supervisor = pid;
	log_debug("cloned the supervisor %d", (int)pid);
	if (overlap) {
		if (prep(prep_arg, e) < 0)
			goto kill;
		log_debug("directories made");
		go.b = 0;
		/* a supervisor that failed meanwhile has sent its error and
		 * closed its end: read that below */
		if (msg_send(p->sk, &go, -1) < 0 && errno != EPIPE && errno != ECONNRESET) {
			err_make(e, errno, "starting the container");
			goto kill;
		}
	} else if (!early) {
		if (!joining && !kept && userns_maps_start(pid, s->idmap, &job, e) < 0)
			goto kill;
		if (prep && prep(prep_arg, e) < 0) {
			struct err ignore = ERR_INIT;
			userns_maps_finish(&job, &ignore);
			err_clear(&ignore);
			goto kill;
		}
		/* limits: the container's cgroup, with the supervisor as its
		 * supervisor (outside it); the supervisor clones the init into it */
		if (s->has_limits && !s->no_cgroups && cgroup_create(&s->limits, s->id, pid, &cg, e) < 0) {
			struct err ignore = ERR_INIT;
			userns_maps_finish(&job, &ignore);
			err_clear(&ignore);
			if (!e->status)
				e->status = 125;
			goto kill;
		}
		if (userns_maps_finish(&job, e) < 0)
			goto kill;
		log_debug("maps written");
		go_message(&go, &cg, ws);
		if (msg_send(p->sk, &go, -1) < 0) {
			err_make(e, errno, "starting the container");
			goto kill;
		}
	}
	for (;;) {
		int r = container_handle_msg(p, e);
		if (r < 0)
			goto reap;
		if (r == MSG_STARTED) {
			cgroup_close(&cg); /* the supervisor owns it now */
			return 0;
		}
		if (p->exited) {
			err_make(e, 0, "the container exited before it started (status %d)",
				 wait_status_code(p->wstatus));
			goto reap;
		}
	}
kill:
	kill(pid, SIGKILL);
reap:
	/* the supervisor cleans up and exits on its own after an error */
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	p->supervisor = 0;
	container_proc_close(p);
	if (cg.path) {
		struct err ignore = ERR_INIT;
		cgroup_destroy(&cg, &ignore);
		err_clear(&ignore);
	}
	return -1;
}

int container_detach(struct container_proc *p, struct err *e)
{
	struct msg m;

	memset(&m, 0, sizeof m);
	m.type = MSG_DETACH;
	if (msg_send(p->sk, &m, p->ptmx) < 0)
		return err_make(e, errno, "detaching from the container");
	while (!p->exited) {
		int r = container_handle_msg(p, e);
		if (r < 0)
			return -1;
		if (r == MSG_DETACH)
			return 0;
		if (r == 0)
			break;
	}
	return 1;
}

int container_wait(struct container_proc *p, struct err *e)
{
	while (!p->exited)
		if (container_handle_msg(p, e) < 0)
			return -1;
	return wait_status_code(p->wstatus);
}

void container_proc_release(struct container_proc *p)
{
	p->supervisor = 0;
	container_proc_close(p);
}

void container_proc_close(struct container_proc *p)
{
	if (p->supervisor > 0) {
		while (waitpid(p->supervisor, NULL, 0) < 0 && errno == EINTR)
			;
		p->supervisor = 0;
	}
	if (p->sk >= 0)
		close(p->sk);
	if (p->ptmx >= 0)
		close(p->ptmx);
	p->sk = p->ptmx = -1;
}
