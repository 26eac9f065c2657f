/* supervisor.c - the per-container supervisor.
 *
 * The supervisor (cloned by container_start, start.c) is the process that
 * is already in the container's user and mount namespaces, holds the
 * overlay and fuse-overlayfs, and is the parent of the container's init.
 * supervisor_main() (at the end of this file) sets it up: it waits for the
 * caller's GO (the ID maps are written), opens the container's cgroup,
 * becomes root in the namespace, mounts the overlay, starts the init
 * (init.c) and reports PID and STARTED to the caller.  With -d
 * it outlives the CLI and:
 *   - writes the init's stdout/stderr (or, with -t, the pty) to the
 *     k8s-file log (logfile.h), rotating it;
 *   - serves <rundir>/attach, a unix socket through which `burrow attach`
 *     talks to the pty;
 *   - runs the healthcheck on a timer (health_probe, health.c);
 *   - applies the restart policy: a new init is cloned over the same
 *     mounted overlay, after a backoff of 100 ms doubling up to 30 s;
 *   - records every transition in state.json and cleans up at the end.
 * Attached (run without -d, start -a), the CLI relays the terminal and the
 * supervisor only records the state and runs healthchecks, until the CLI
 * detaches (--detach-keys: DETACH with the pty master); from then on it acts
 * as with -d.
 *
 * `stop` ends the restart policy by setting stop_requested in state.json
 * before it signals the init, and pokes the supervisor with SIGUSR1 so that a
 * backoff wait ends early.  The supervisor reads the flag under the state lock
 * when the init exits.
 *
 * Idle, the supervisor sleeps in poll() with no timeout (or the healthcheck
 * interval).  It is a fork of the CLI, so after the start it returns the
 * heap to the kernel (malloc_trim) and drops its mappings of the CLI's code
 * (see trim()), which keeps its resident set under 1 MB.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exitcode.h"
#include "health.h"
#include "lib/base/log.h"
#include "logfile.h"
#include "rootfs.h"
#include "runtime_int.h"
#include "lib/record/state.h"
#include "idshift.h"
#include "userns.h"
#include "netns.h"
#include "lib/base/util.h"
#include "lib/record/events.h"

enum { MAX_CLIENTS = 8 };

struct sup_loop {
	struct supervisor *m;
	struct logfile log;
	int sfd;
	int listen_fd;
	int clients[MAX_CLIENTS];
	uint64_t next_health; /* usec, 0 = no healthcheck */
	uint64_t started;     /* usec of the last start */
};

/* Record a start in st (loaded under the state lock, which the caller holds)
 * and save it. */
static void record_start_locked(struct supervisor *m, struct ctr_state *stp, bool restart)
{
	const struct container_spec *s = m->s;
	struct ctr_state st = *stp;
	struct err e = ERR_INIT;

	st.status = ST_RUNNING;
	st.pid = m->init;
	st.pid_start = m->init_start;
	st.supervisor = getpid();
	st.supervisor_start = proc_start_time(st.supervisor);
	st.exit_code = 0;
	st.oom_killed = false;
	st.finished_at[0] = '\0';
	if (m->cg.path) {
		snprintf(st.cgroup, sizeof st.cgroup, "%s", m->cg.path);
		snprintf(st.cgroup_manager, sizeof st.cgroup_manager, "%s",
			 cgroup_manager_name(m->cg.manager));
		snprintf(st.cgroup_unit, sizeof st.cgroup_unit, "%s", m->cg.unit ? m->cg.unit : "");
	}
	state_time_now(st.started_at, sizeof st.started_at);
	if (restart) {
		st.restart_count++;
	} else {
		st.restart_count = 0;
		st.stop_requested = false;
	}
	json_object_put(st.health);
	st.health = NULL;
	if (s->health.test) {
		st.health = json_object_new_object();
		json_object_object_add(st.health, "Status", json_object_new_string("starting"));
		json_object_object_add(st.health, "FailingStreak", json_object_new_int(0));
		json_object_object_add(st.health, "Log", json_object_new_array());
	}
	if (state_save(s->ctrdir, &st, &e) < 0) {
		log_warn("recording the start: %s", e.msg);
		err_clear(&e);
	}
	*stp = st;
}

static void supervisor_record_start(struct supervisor *m, bool restart)
{
	const struct container_spec *s = m->s;
	struct ctr_state st;
	struct err e = ERR_INIT;
	int lfd = state_lock(s->ctrdir, &e);

	if (lfd < 0 || state_load(s->ctrdir, &st, &e) < 0) {
		log_warn("recording the start: %s", e.msg);
		err_clear(&e);
		if (lfd >= 0)
			close(lfd);
		return;
	}
	record_start_locked(m, &st, restart);
	ctr_state_free(&st);
	close(lfd);
	events_container(s, "start", -1);
}

/* Start the init again for the restart policy, unless a stop came in.  The
 * check, the start and its record happen under the state lock: stop sets
 * stop_requested under the same lock and then signals the pid it finds
 * recorded, so it either prevents the restart or sees the new init.
 * Returns 1 when restarted, 0 when a stop prevented it, -1 on error. */
static int restart_unless_stopped(struct supervisor *m, struct err *e)
{
	const struct container_spec *s = m->s;
	struct ctr_state st;
	int lfd = state_lock(s->ctrdir, e);
	int rc = 1;

	if (lfd < 0)
		return -1;
	if (state_load(s->ctrdir, &st, e) < 0) {
		close(lfd);
		return -1;
	}
	if (st.stop_requested || st.status == ST_REMOVING)
		rc = 0;
	else if (supervisor_start_init(m, e) < 0)
		rc = -1;
	else
		record_start_locked(m, &st, true);
	ctr_state_free(&st);
	close(lfd);
	if (rc == 1)
		events_container(s, "start", -1);
	return rc;
}

/* Record the exit; returns whether stop/kill/rm asked for no restart. */
bool supervisor_record_exit(struct supervisor *m, int wstatus, bool final)
{
	const struct container_spec *s = m->s;
	struct ctr_state st;
	struct err e = ERR_INIT;
	int lfd = state_lock(s->ctrdir, &e);
	bool stop = false;

	if (lfd < 0 || state_load(s->ctrdir, &st, &e) < 0) {
		err_clear(&e);
		if (lfd >= 0)
			close(lfd);
		return true;
	}
	stop = st.stop_requested || st.status == ST_REMOVING;
	if (st.status != ST_REMOVING)
		st.status = ST_EXITED;
	st.exit_code = wait_status_code(wstatus);
	st.oom_killed = false;
	if (m->cg.path) {
		struct err oe = ERR_INIT;
		int r = cgroup_oom_killed(&m->cg, &oe);
		st.oom_killed = r > 0;
		err_clear(&oe);
	}
	st.pid = 0;
	st.pid_start = 0;
	if (final) {
		st.supervisor = 0;
		st.supervisor_start = 0;
	}
	state_time_now(st.finished_at, sizeof st.finished_at);
	if (state_save(s->ctrdir, &st, &e) < 0)
		err_clear(&e);
	ctr_state_free(&st);
	close(lfd);
	return stop;
}

static bool should_restart(const struct supervisor *m, int wstatus, int count)
{
	const struct restart_policy *r = &m->s->restart;

	if (!m->detached)
		return false;
	switch (r->mode) {
	case RESTART_ALWAYS:
	case RESTART_UNLESS_STOPPED:
		return true;
	case RESTART_ON_FAILURE:
		return wait_status_code(wstatus) != 0 && (r->max == 0 || count < r->max);
	case RESTART_NO:
	default:
		return false;
	}
}

/* ---- attach ------------------------------------------------------------------- */

static void open_attach_socket(struct sup_loop *l)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int dfd = open(l->m->s->rundir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd;

	if (dfd < 0)
		return;
	/* the runroot path may be longer than sun_path: go through the fd */
	snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/attach", dfd);
	unlink(sa.sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0 && (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 4) < 0)) {
		close(fd);
		fd = -1;
	}
	close(dfd);
	l->listen_fd = fd;
}

static void drop_client(struct sup_loop *l, int i)
{
	close(l->clients[i]);
	l->clients[i] = -1;
}

static void to_clients(struct sup_loop *l, const char *buf, size_t n)
{
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (l->clients[i] >= 0 && send(l->clients[i], buf, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
		    errno != EAGAIN)
			drop_client(l, i);
}

/* read what is there; false on EOF/error */
static bool pump_output(struct sup_loop *l, int fd, int stream)
{
	char buf[16384];
	ssize_t n = read(fd, buf, sizeof buf);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	logfile_write(&l->log, stream, buf, (size_t)n);
	if (fd == l->m->ptmx)
		to_clients(l, buf, (size_t)n);
	return true;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void drain_outputs(struct sup_loop *l)
{
	struct supervisor *m = l->m;
	int *fds[] = { &m->out, &m->err, &m->ptmx };

	for (int i = 0; i < 3; i++) {
		char buf[16384];
		ssize_t n;
		if (*fds[i] < 0)
			continue;
		fcntl(*fds[i], F_SETFL, fcntl(*fds[i], F_GETFL) | O_NONBLOCK);
		while ((n = read(*fds[i], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
			if (n > 0) {
				logfile_write(&l->log, i == 1 ? LOG_STDERR : LOG_STDOUT, buf, (size_t)n);
				if (i == 2)
					to_clients(l, buf, (size_t)n);
			}
		}
		close_fd(fds[i]);
	}
	logfile_flush(&l->log);
}

/* ---- health ------------------------------------------------------------------- */

static void run_health(struct sup_loop *l)
{
	const struct container_spec *s = l->m->s;
	struct health_result r;
	struct err e = ERR_INIT;
	const char *status;
	bool in_start = (int64_t)(now_usec() - l->started) / 1000 < s->health.start_period_ms;

	if (health_probe(s, l->m->init, &r, &e) < 0 ||
	    health_record(s->ctrdir, s, &r, in_start, &status, &e) < 0)
		err_clear(&e);
	health_result_free(&r);
	l->next_health = now_usec() +
			 (uint64_t)(s->health.interval_ms > 0 ? s->health.interval_ms : 30000) * 1000;
}

/* ---- the loop ------------------------------------------------------------------ */

static void trim(void)
{
	/* The supervisor is a fork of the CLI: its page tables still map the
	 * libc, json-c and burrow code the CLI ran (with fault-around, 64 KiB
	 * per fault), about 1.8 MB of shared pages it will not touch again.
	 * Unmap the read-only file pages that hold no private copy (smaps
	 * "Anonymous: 0"): they stay in the page cache and fault back in, one
	 * page at a time (MADV_RANDOM turns fault-around off), when used.  Only
	 * the resident set changes.  Mappings with private copies (relocated
	 * data) are left alone.  The ranges are collected first so that no
	 * libc code runs between the madvise calls. */
	struct {
		unsigned long a, b;
	} r[256];
	size_t n = 0, len = 0;
	int fd = open("/proc/self/smaps", O_RDONLY | O_CLOEXEC);
	char *buf, *line;
	unsigned long a = 0, b = 0;
	bool cand = false;

	if (fd < 0)
		return;
	buf = xmalloc(1 << 20);
	for (;;) {
		ssize_t k = read(fd, buf + len, (1 << 20) - 1 - len);
		if (k <= 0)
			break;
		len += (size_t)k;
	}
	close(fd);
	buf[len] = '\0';
	for (line = buf; line && *line && n < ARRAY_SIZE(r);
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		unsigned long x, y;
		char perms[8];
		long kb;
		if (sscanf(line, "%lx-%lx %7s", &x, &y, perms) == 3) {
			const char *eol = strchr(line, '\n'), *slash = strchr(line, '/');
			a = x;
			b = y;
			cand = perms[1] == '-' && perms[3] == 'p' && slash && (!eol || slash < eol);
		} else if (cand && strncmp(line, "Anonymous:", 10) == 0 &&
			   sscanf(line + 10, "%ld", &kb) == 1) {
			if (kb == 0) {
				r[n].a = a;
				r[n].b = b;
				n++;
			}
			cand = false;
		}
	}
	free(buf);
	malloc_trim(0);
	for (size_t i = 0; i < n; i++) {
		madvise((void *)r[i].a, r[i].b - r[i].a, MADV_RANDOM);
		madvise((void *)r[i].a, r[i].b - r[i].a, MADV_DONTNEED);
	}
}

static bool reap(struct sup_loop *l, int *st);

/* The log and, with a terminal, the attach socket: from the start with
 * -d, else from a detach on. */
static void detached_outputs(struct sup_loop *l)
{
	const struct container_spec *s = l->m->s;
	struct err e = ERR_INIT;

	if (logfile_open(&l->log, s->ctrdir, s->log_driver == LOGDRV_NONE, s->log_max_size, s->log_max_file,
			 &e) < 0) {
		err_clear(&e);
		l->log.fd = -1;
	}
	if (s->tty || s->interactive)
		open_attach_socket(l);
}

/* The attached caller speaks: DETACH with the pty master (the user typed
 * the detach keys), or EOF.  Detached, the supervisor goes on as with -d:
 * no parent-death signal, nothing of the caller's held, the log and the
 * attach socket; then it answers, and the caller may leave. */
static void caller_message(struct sup_loop *l)
{
	struct supervisor *m = l->m;
	struct msg msg;
	int fd = -1, dn;
	ssize_t n = msg_recv(m->sk, &msg, &fd);

	if (n <= 0) {
		close_fd(&m->sk);
		return;
	}
	if (msg.type != MSG_DETACH || m->detached) {
		if (fd >= 0)
			close(fd);
		return;
	}
	prctl(PR_SET_PDEATHSIG, 0);
	dn = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (dn >= 0) {
		dup2(dn, 0);
		dup2(dn, 1);
		dup2(dn, 2);
		close(dn);
	}
	if (fd >= 0) {
		close_fd(&m->ptmx);
		m->ptmx = fd;
	}
	m->detached = true;
	detached_outputs(l);
	memset(&msg, 0, sizeof msg);
	msg.type = MSG_DETACH;
	msg_send(m->sk, &msg, -1);
	close_fd(&m->sk);
}

static int supervise(struct sup_loop *l)
{
	struct supervisor *m = l->m;
	bool trimmed = false;

	for (;;) {
		struct pollfd fds[6 + MAX_CLIENTS];
		int st, n = 0, isig, iout = -1, ierr = -1, ipty = -1, ilisten = -1, isk = -1, icl = -1,
			timeout = -1;
		/* before every wait: a child that exited before the signalfd
		 * existed left no signal to read */
		if (reap(l, &st))
			return st;
		if (l->next_health) {
			uint64_t now = now_usec();
			timeout = l->next_health > now ? (int)((l->next_health - now) / 1000) + 1 : 0;
		}
		fds[isig = n++] = (struct pollfd){ .fd = l->sfd, .events = POLLIN };
		if (m->out >= 0)
			fds[iout = n++] = (struct pollfd){ .fd = m->out, .events = POLLIN };
		if (m->err >= 0)
			fds[ierr = n++] = (struct pollfd){ .fd = m->err, .events = POLLIN };
		if (m->ptmx >= 0)
			fds[ipty = n++] = (struct pollfd){ .fd = m->ptmx, .events = POLLIN };
		if (l->listen_fd >= 0)
			fds[ilisten = n++] = (struct pollfd){ .fd = l->listen_fd, .events = POLLIN };
		if (m->sk >= 0)
			fds[isk = n++] = (struct pollfd){ .fd = m->sk, .events = POLLIN };
		icl = n;
		for (int i = 0; i < MAX_CLIENTS; i++)
			fds[n++] = (struct pollfd){ .fd = l->clients[i], .events = POLLIN };
		/* attached, the CLI is around anyway: no trimming on the
		 * start-up path of a short run --rm */
		if (!trimmed && timeout != 0 && m->detached) {
			trim();
			trimmed = true;
		}
		if (poll(fds, (nfds_t)n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			return 125 << 8;
		}
		if (iout >= 0 && (fds[iout].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    !pump_output(l, m->out, LOG_STDOUT))
			close_fd(&m->out);
		if (ierr >= 0 && (fds[ierr].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    !pump_output(l, m->err, LOG_STDERR))
			close_fd(&m->err);
		if (ipty >= 0 && (fds[ipty].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    !pump_output(l, m->ptmx, LOG_STDOUT)) {
			/* EIO: no process holds the terminal any more; the exit follows */
			if (!(fds[ipty].revents & POLLIN))
				close_fd(&m->ptmx);
		}
		if (isk >= 0 && (fds[isk].revents & (POLLIN | POLLHUP | POLLERR)))
			caller_message(l);
		if (ilisten >= 0 && (fds[ilisten].revents & POLLIN)) {
			int c = accept4(l->listen_fd, NULL, NULL, SOCK_CLOEXEC);
			/* -i without -t: the client gets the init's stdin; its
			 * end (EOF) closes ours, as docker's StdinOnce */
			if (c >= 0 && !l->m->s->tty && msg_send_fd(c, m->in) < 0)
				close_fd(&c);
			for (int i = 0; c >= 0 && i < MAX_CLIENTS; i++) {
				if (l->clients[i] < 0) {
					l->clients[i] = c;
					c = -1;
				}
			}
			if (c >= 0)
				close(c);
		}
		for (int i = 0; i < MAX_CLIENTS; i++) {
			char buf[4096];
			ssize_t r;
			if (l->clients[i] < 0 || !(fds[icl + i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(l->clients[i], buf, sizeof buf);
			if (r <= 0) {
				drop_client(l, i);
				if (!m->s->tty)
					close_fd(&m->in);
			} else if (m->ptmx >= 0)
				write_all(m->ptmx, buf, (size_t)r);
		}
		if (l->next_health && now_usec() >= l->next_health && m->init > 0) {
			run_health(l);
			trimmed = false; /* the probe faulted code back in */
		}
		if (fds[isig].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(l->sfd, &si, sizeof si) == (ssize_t)sizeof si)
				;
		}
	}
}

/* reap children; returns true (and *st) when the init was among them */
static bool reap(struct sup_loop *l, int *st)
{
	struct supervisor *m = l->m;

	for (;;) {
		int ws;
		pid_t p = waitpid(-1, &ws, WNOHANG);
		if (p <= 0)
			return false;
		if (p == m->init) {
			m->init = 0;
			drain_outputs(l);
			*st = ws;
			return true;
		}
		rootfs_fuse_reaped(&m->fuse, p);
		if (p == m->net.pid)
			m->net.pid = 0; /* burrow-net ended with its init */
	}
}

/* sleep for the backoff; false if a stop came in meanwhile */
static bool backoff(struct sup_loop *l, uint64_t ms)
{
	uint64_t until = now_usec() + ms * 1000;
	struct ctr_state st;
	struct err e = ERR_INIT;
	bool stop;

	for (;;) {
		struct pollfd pfd = { .fd = l->sfd, .events = POLLIN };
		uint64_t now = now_usec();
		bool poked = false;
		if (now >= until)
			break;
		if (poll(&pfd, 1, (int)((until - now) / 1000) + 1) > 0) {
			struct signalfd_siginfo si;
			while (read(l->sfd, &si, sizeof si) == (ssize_t)sizeof si)
				poked |= si.ssi_signo == SIGUSR1;
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
		}
		if (!poked)
			continue;
		if (state_load(l->m->s->ctrdir, &st, &e) < 0)
			err_clear(&e);
		stop = st.stop_requested || st.status == ST_REMOVING;
		ctr_state_free(&st);
		if (stop)
			return false;
	}
	if (state_load(l->m->s->ctrdir, &st, &e) < 0)
		err_clear(&e);
	stop = st.stop_requested || st.status == ST_REMOVING;
	ctr_state_free(&st);
	return !stop;
}

/* Supervise until the container is done for good (restart policy included);
 * returns the last raw wait status. */
static int supervisor_run(struct supervisor *m)
{
	const struct container_spec *s = m->s;
	struct sup_loop l;
	struct err e = ERR_INIT;
	sigset_t set;
	int st, r, count = 0;

	memset(&l, 0, sizeof l);
	l.m = m;
	l.listen_fd = -1;
	for (int i = 0; i < MAX_CLIENTS; i++)
		l.clients[i] = -1;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, NULL);
	l.sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	l.log.fd = -1;
	if (m->detached)
		detached_outputs(&l);
	for (;;) {
		l.started = now_usec();
		l.next_health = s->health.test ? l.started + (uint64_t)(s->health.interval_ms > 0
										? s->health.interval_ms
										: 30000) *
								     1000
					       : 0;
		st = supervise(&l);
		events_container(s, "died", wait_status_code(st));
		if (!should_restart(m, st, count)) {
			break;
		}
		if (supervisor_record_exit(m, st, false))
			break;
		{
			uint64_t delay = 100ULL << (count < 9 ? count : 9);
			if (delay > 30000)
				delay = 30000;
			if (!backoff(&l, delay))
				break;
		}
		count++;
		r = restart_unless_stopped(m, &e);
		if (r < 0) {
			char *msg = xasprintf("burrow: restarting the container: %s\n", e.msg);
			logfile_write(&l.log, LOG_STDERR, msg, strlen(msg));
			free(msg);
			err_clear(&e);
		}
		if (r <= 0)
			break;
	}
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (l.clients[i] >= 0)
			close(l.clients[i]);
	if (l.listen_fd >= 0)
		close(l.listen_fd);
	logfile_close(&l.log);
	if (l.sfd >= 0)
		close(l.sfd);
	return st;
}

/* ---- start-up ------------------------------------------------------------------ */

/* container:ID (--network, --pid, --ipc, --uts) and networks: into ID's (or
 * the networks', or the kept one: nskeep.h) user namespace instead of a new one (a namespace can only be joined from the user
 * namespace that owns it), and a new mount namespace there; the init joins
 * the others (supervisor_start_init). */
static int supervisor_join_shared(struct supervisor *m, struct ns_fds *join, struct err *e)
{
	if (join->user >= 0 && setns(join->user, CLONE_NEWUSER) < 0)
		return err_make(e, errno, "joining the user namespace of %s",
				m->s->net == NET_BRIDGE ? "the networks"
				: ns_join_wanted(m->s)  ? "the container whose namespaces are shared"
							: "the user-namespace keeper");
	closep(&join->user);
	if (unshare(CLONE_NEWNS) < 0)
		return err_make(e, errno, "creating the mount namespace");
	/* networks: each init gets its own net namespace, attached to the
	 * shared one (netns_attach) */
	m->shared_netns = steal_fd(join->shared_net);
	m->hold = steal_fd(join->hold);
	m->join = *join;
	*join = (struct ns_fds)NS_FDS_INIT;
	return 0;
}

/* The container's seccomp program (a read of the cache, usually) into
 * m->seccomp; -1 with *e on failure. */
static int supervisor_load_seccomp(struct supervisor *m, struct err *e)
{
	_cleanup_free_ char *scdir = seccomp_cachedir(m->s);

	return seccomp_prog_for(m->s->seccomp, m->s->caps, scdir, &m->seccomp, e);
}

void supervisor_main(const struct container_spec *s, int sk, pid_t parent, struct ns_fds *join,
		     const struct msg *go)
{
	struct err e = ERR_INIT;
	struct supervisor mon;
	struct msg m;
	sigset_t none;
	char *gone = NULL;
	bool late, sc_early;
	int st;

	/* SIGCHLD and SIGUSR1 stay pending for the supervisor's signalfd */
	sigemptyset(&none);
	sigaddset(&none, SIGCHLD);
	sigaddset(&none, SIGUSR1);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(125);
	setsid();
	{
		/* of the CLI's fds only those it handed over: the supervisor
		 * may live long, and every other fd of the calling shell (a
		 * directory, a CI job's pipe) would stay open for as long and
		 * go on to each health probe */
		const int keep[] = { sk,         join->user,  join->net,     join->pid,
				     join->ipc,  join->uts,   join->ipc_mnt, join->shared_net,
				     join->hold, s->stdio[0], s->stdio[1],   s->stdio[2] };
		/* --preserve-fds: 3..3+N-1 stay for the first init (close-on-exec
		 * here: no helper the supervisor runs gets them) */
		close_fds_except(3 + s->preserve_fds, keep, ARRAY_SIZE(keep));
		for (int fd = 3; fd < 3 + s->preserve_fds; fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	memset(&mon, 0, sizeof mon);
	mon.s = s;
	mon.sk = sk;
	mon.detached = s->detach;
	mon.alive = mon.out = mon.err = mon.ptmx = mon.in = mon.init_mnt = -1;
	mon.net.exit_fd = mon.net.notify_fd = -1;
	mon.join = (struct ns_fds)NS_FDS_INIT;
	mon.preserve_fds = s->preserve_fds;
	mon.shared_netns = mon.hold = -1;
	mon.early.sk = -1;
	mon.cg = (struct cgroup)CGROUP_INIT;
	/* the filter (a read of the cache, usually) while the caller writes
	 * the ID maps; in a user namespace of our own, whose maps those are,
	 * after them (seccomp_cache_usable) */
	sc_early = seccomp_cache_usable();
	if (sc_early)
		supervisor_load_seccomp(&mon, &e);
	if (go)
		mon.go = *go;
	else if (msg_recv(sk, &mon.go, NULL) <= 0 || mon.go.type != MSG_GO)
		_exit(125);
	if (e.msg)
		goto fail;
	if (mon.go.a != CGM_NONE) {
		/* the caller made our cgroup: "path\nunit" in the GO message */
		char *nl;
		mon.go.text[sizeof mon.go.text - 1] = '\0';
		nl = strchr(mon.go.text, '\n');
		if (nl)
			*nl++ = '\0';
		if (cgroup_open(mon.go.text, (enum cgroup_manager)mon.go.a, nl && *nl ? nl : NULL, &mon.cg,
				&e) < 0)
			goto fail;
	}
	if (!sc_early && supervisor_load_seccomp(&mon, &e) < 0)
		goto fail;
	log_debug("supervisor: maps written");
	if ((ns_join_wanted(s) || join->user >= 0) && supervisor_join_shared(&mon, join, &e) < 0)
		goto fail;
	if (userns_become_root(s->idmap, &e) < 0)
		goto fail;
	/* credentials changed: the parent-death signal was reset */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(125);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		err_make(&e, errno, "making the mount namespace private");
		goto fail;
	}
	if (mon.go.b == GO_PREP_AFTER) {
		/* the caller's directories and files (start.c): the network's
		 * socket, the overlay and the init need them */
		if (msg_recv(sk, &m, NULL) <= 0 || m.type != MSG_GO)
			_exit(125);
		mon.go.b = 0;
		log_debug("supervisor: directories there");
	}
	/* burrow-net loads, sets up libslirp and binds the published ports
	 * while the overlay is mounted and the init builds its rootfs; it joins
	 * the init's namespaces in supervisor_start_init */
	if (s->net == NET_SLIRP && supervisor_spawn_net(&mon, &e) < 0)
		goto fail;
	if (s->net == NET_BRIDGE && netns_early_begin(s, mon.shared_netns, &mon.early, &e) < 0)
		goto fail;
	rootfs_sqfs_for_start();
	if (rootfs_mount_overlay(s, &mon.fuse, &e) < 0)
		goto fail;
	log_debug("supervisor: overlay mounted");
	/* keep-id's passwd and group: in the run directory now, or, by
	 * default, made after the init's maps (idshift_write_maps) */
	if (s->userns.mode == USERNS_KEEPID && !idshift_etc_in_dev()) {
		if (idshift_etc_files(s, &mon.etc, &e) < 0)
			goto fail_mounted;
		log_debug("supervisor: keep-id's passwd and group");
	}
	if (hooks_write_bundle(s, &e) < 0)
		goto fail_mounted;
	if (supervisor_start_init(&mon, &e) < 0)
		goto fail_mounted;
	/* --preserve-fds went to the first command only: a restart runs without */
	for (int fd = 3; fd < 3 + mon.preserve_fds; fd++)
		close(fd);
	mon.preserve_fds = 0;
	/* networks: the ports go to the container's address, once */
	if (s->net == NET_BRIDGE && netns_publish(s, &mon.fwd_ids, &mon.nfwd, &e) < 0) {
		kill(mon.init, SIGKILL);
		while (waitpid(mon.init, NULL, 0) < 0 && errno == EINTR)
			;
		goto fail_mounted;
	}
	memset(&m, 0, sizeof m);
	m.type = MSG_PID;
	m.a = mon.init;
	msg_send(sk, &m, -1);
	supervisor_record_start(&mon, false);
	log_debug("supervisor: start recorded");
	if (s->detach) {
		/* From here on the supervisor outlives the CLI, which exits
		 * once it reads STARTED: no parent-death
		 * signal, no terminal, and no hold on the CLI's stdout (which may
		 * be the pipe of a $(burrow run -d ...)).  setsid() above already
		 * made it a session leader: with the CLI gone it is orphaned and
		 * reparented, as a double fork would leave it. */
		int dn = open("/dev/null", O_RDWR | O_CLOEXEC);
		prctl(PR_SET_PDEATHSIG, 0);
		if (dn >= 0) {
			dup2(dn, 0);
			dup2(dn, 1);
			dup2(dn, 2);
			close(dn);
		}
	}
	memset(&m, 0, sizeof m);
	m.type = MSG_STARTED;
	msg_send(sk, &m, -1);
	if (s->detach) {
		close(sk);
		mon.sk = -1;
	}
	st = supervisor_run(&mon);
	log_debug("supervisor: container exited");
	idshift_etc_free(&mon.etc); /* no init after this one */
	late = supervisor_late_teardown(&mon);
	supervisor_cleanup(&mon, st, &gone);
	log_debug("supervisor: cleaned up");
	if (mon.sk >= 0) {
		/* the caller exits once it has the status: the rest of a late
		 * teardown must not die with it */
		if (late)
			prctl(PR_SET_PDEATHSIG, 0);
		memset(&m, 0, sizeof m);
		m.type = MSG_EXIT;
		m.a = st;
		msg_send(mon.sk, &m, -1);
	}
	if (late)
		supervisor_cleanup_late(&mon, gone);
	_exit(0);

fail_mounted:
	rootfs_umount_overlay(s, &mon.fuse);
fail:
	msg_send_error(sk, &e, err_exit_status(&e));
	_exit(err_exit_status(&e));
}
