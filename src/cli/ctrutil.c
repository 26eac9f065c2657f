/* ctrutil.c - see ctrutil.h */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctrutil.h"
#include "ctrvol.h"
#include "lib/net/net.h"
#include "lib/runtime/logfile.h"
#include "lib/runtime/start.h"
#include "lib/base/syscalls.h"
#include "lib/runtime/userns.h"
#include "lib/base/util.h"
#include "relay.h"
#include "lib/record/events.h"
#include "lib/cgroup/cgroup.h"
#include "lib/record/state.h"

int ctr_load_id(struct globals *g, const char *id, struct ctr *c, struct err *e)
{
	memset(c, 0, sizeof *c);
	ctr_state_init(&c->st);
	memcpy(c->id, id, 65);
	if (container_read_config(g->cfg.root, id, &c->cfg, e) < 0 ||
	    container_spec_from_json(c->cfg, g->cfg.root, g->cfg.runroot, &c->spec, e) < 0 ||
	    state_refresh(c->spec.ctrdir, c->spec.rundir, &c->st, NULL, e) < 0) {
		ctr_free(c);
		return -1;
	}
	return 0;
}

int ctr_load(struct globals *g, const char *ref, struct ctr *c, struct err *e)
{
	char id[65];

	memset(c, 0, sizeof *c);
	if (container_lookup(g->cfg.root, ref, id, e) < 0)
		return -1;
	return ctr_load_id(g, id, c, e);
}

void ctr_free(struct ctr *c)
{
	json_object_put(c->cfg);
	c->cfg = NULL;
	container_spec_free(&c->spec);
	ctr_state_free(&c->st);
}

bool ctr_running(const struct ctr *c)
{
	return c->st.status == ST_RUNNING || c->st.status == ST_PAUSED;
}

static int prepare_dirs_cb(void *arg, struct err *e)
{
	if (container_prepare_dirs(arg, e) < 0)
		return -1;
	return net_write_etc_files(arg, e);
}

static int rm_fn(void *arg, int outfd, struct err *e)
{
	(void)outfd;
	return rm_rf_at(AT_FDCWD, arg, e);
}

/* the start failed: leave no half-made state */
static void launch_failed(struct container_spec *s, const struct err *why)
{
	struct err e = ERR_INIT;
	struct ctr_state st;
	int lfd;

	if (rm_rf_at(AT_FDCWD, s->rundir, &e) < 0)
		err_clear(&e);
	if (s->remove) {
		const char *dirs[2] = { s->ctrdir, s->layer_dir };
		for (size_t i = 0; i < 2; i++) {
			if (!dirs[i] || rm_rf_at(AT_FDCWD, dirs[i], &e) == 0)
				continue;
			/* what the container made (with --userns, its root
			 * directory too) belongs to mapped ids */
			err_clear(&e);
			if (s->idmap &&
			    userns_run(s->idmap, 0, rm_fn, (void *)dirs[i], NULL, NULL, NULL, &e) < 0)
				err_clear(&e);
		}
		return;
	}
	lfd = state_lock(s->ctrdir, &e);
	if (lfd >= 0 && state_load(s->ctrdir, &st, &e) == 0) {
		st.status = ST_EXITED;
		st.exit_code = err_exit_status(why);
		st.pid = st.supervisor = 0;
		state_time_now(st.finished_at, sizeof st.finished_at);
		if (state_save(s->ctrdir, &st, &e) < 0)
			err_clear(&e);
		ctr_state_free(&st);
	}
	err_clear(&e);
	if (lfd >= 0)
		close(lfd);
}

mode_t cli_umask(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return mask;
}

int ctr_launch(struct globals *g, struct container_spec *s, int *code, struct err *e)
{
	struct container_proc p;
	struct winsize ws, *wsp = NULL;
	struct relay_stdio io = { { 0, 0, 0 }, -1, { -1, -1 }, "", 0, false };
	struct detach_keys keys, *pkeys = NULL;
	int rc;

	if (s->tty && isatty(STDIN_FILENO) && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		wsp = &ws;
	/* attached without -t: pipes in place of our terminal */
	if (!s->detach && !s->tty) {
		if (relay_stdio_open(&io, s->interactive, e) < 0) {
			launch_failed(s, e);
			return -1;
		}
		memcpy(s->stdio, io.child, sizeof s->stdio);
	}
	if (!s->detach)
		relay_block_signals();
	/* the container's directories are made while newuidmap runs */
	rc = container_start(s, wsp, prepare_dirs_cb, s, &p, e);
	relay_stdio_started(&io);
	memset(s->stdio, 0, sizeof s->stdio);
	if (rc < 0) {
		if (!s->detach)
			relay_unblock_signals();
		relay_stdio_close(&io);
		launch_failed(s, e);
		if (s->remove) {
			struct err ign = ERR_INIT;
			if (ctr_remove_anon_volumes(g, s, &ign) < 0)
				err_clear(&ign);
		}
		return -1;
	}
	if (s->detach) {
		/* the supervisor now runs on its own and outlives us */
		container_proc_release(&p);
		return 0;
	}
	/* while it runs: the next create's record directory (container.c) */
	container_make_spare(g->cfg.root, cli_umask());
	if (s->tty && s->interactive) {
		relay_raw_terminal();
		/* checked when parsed */
		if (detach_keys_parse(s->detach_keys, &keys, e) < 0)
			err_clear(e);
		else
			pkeys = &keys;
	}
	rc = relay_run(&p, s->interactive, pkeys, &io, e);
	if (pkeys && keys.detached)
		rc = 0; /* the supervisor carries on, as with -d */
	relay_stdio_close(&io);
	relay_restore_terminal();
	relay_unblock_signals();
	if (rc < 0) {
		/* the container ran: the relay's failure is its exit status */
		cli_report(e);
		err_clear(e);
		rc = 125;
	}
	container_proc_release(&p);
	*code = rc;
	return 0;
}

int ctr_relaunch(struct globals *g, struct ctr *c, int *code, struct err *e)
{
	struct idmap m;
	int rc = -1;

	memset(&m, 0, sizeof m);
	if (config_ensure_dirs(&g->cfg, e) == 0 &&
	    userns_lookup_cached(&m, g->cfg.idmap, g->cfg.runroot, e) == 0) {
		c->spec.idmap = &m;
		rc = ctr_launch(g, &c->spec, code, e);
		c->spec.idmap = NULL;
	}
	idmap_free(&m);
	return rc;
}

/* SIGKILL for the whole container: cgroup.kill where it has a cgroup
 * (every process, also those the init does not know of), else the init
 * (whose death ends its PID namespace).  0, or -errno of kill(2). */
static int kill_all(const struct ctr *c)
{
	struct cgroup cg = CGROUP_INIT;
	struct err e = ERR_INIT;
	int ok = c->st.cgroup[0] && ctr_cgroup_open(&c->st, &cg, &e) == 0 && cgroup_kill(&cg, &e) == 0;

	err_clear(&e);
	cgroup_close(&cg);
	if (ok)
		return 0;
	return kill(c->st.pid, SIGKILL) < 0 && errno != ESRCH ? -errno : 0;
}

int ctr_kill(struct ctr *c, int sig, struct err *e)
{
	int r;

	if (!ctr_running(c) || !proc_alive(c->st.pid, c->st.pid_start))
		return err_make(e, 0,
				"can only kill running containers. %.12s is in state %s: "
				"container state improper",
				c->id, ctr_status_name(c->st.status));
	if (sig == SIGKILL) {
		r = kill_all(c);
		return r < 0 ? err_make(e, -r, "sending signal %d to container %.12s", sig, c->id) : 0;
	}
	if (kill(c->st.pid, sig) < 0 && errno != ESRCH)
		return err_make(e, errno, "sending signal %d to container %.12s", sig, c->id);
	return 0;
}

int ctr_request_stop(struct globals *g, struct ctr *c, struct err *e)
{
	struct ctr_state st;
	int lfd = state_lock(c->spec.ctrdir, e);

	(void)g;
	if (lfd < 0)
		return -1;
	if (state_load(c->spec.ctrdir, &st, e) < 0) {
		close(lfd);
		return -1;
	}
	st.stop_requested = true;
	if (state_save(c->spec.ctrdir, &st, e) < 0) {
		ctr_state_free(&st);
		close(lfd);
		return -1;
	}
	ctr_state_free(&st);
	close(lfd);
	/* wake a supervisor that waits out a restart backoff */
	if (proc_alive(c->st.supervisor, c->st.supervisor_start))
		kill(c->st.supervisor, SIGUSR1);
	return 0;
}

static bool wait_pid(pid_t pid, unsigned long long start, int timeout_ms)
{
	int fd = sys_pidfd_open(pid, 0);
	struct pollfd pfd;
	int r;

	if (fd < 0)
		return true;
	if (!proc_alive(pid, start)) {
		close(fd);
		return true;
	}
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	do
		r = poll(&pfd, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	close(fd);
	return r > 0;
}

int ctr_wait_supervisor(const struct ctr *c, int timeout_ms)
{
	if (c->st.supervisor <= 0)
		return 0;
	return wait_pid(c->st.supervisor, c->st.supervisor_start, timeout_ms) ? 0 : -1;
}

int ctr_stop(struct globals *g, struct ctr *c, int sig, int timeout, struct err *e)
{
	struct ctr_state st;

	if (!proc_alive(c->st.supervisor, c->st.supervisor_start))
		return 0; /* stopping a stopped container is not an error */
	if (ctr_request_stop(g, c, e) < 0)
		return -1;
	/* the restart policy may have started a new init since c was loaded;
	 * the supervisor restarts only under the state lock and after checking
	 * stop_requested, so the state read now names the last init there is */
	if (state_load(c->spec.ctrdir, &st, e) < 0)
		return -1;
	c->st.status = st.status;
	c->st.pid = st.pid;
	c->st.pid_start = st.pid_start;
	ctr_state_free(&st);
	if (ctr_running(c) && proc_alive(c->st.pid, c->st.pid_start)) {
		if (sig != SIGKILL)
			kill(c->st.pid, sig);
		if (sig == SIGKILL || !wait_pid(c->st.pid, c->st.pid_start, timeout * 1000))
			kill_all(c);
	}
	if (ctr_wait_supervisor(c, 30000) < 0)
		return err_make(e, 0, "container %.12s: the supervisor did not finish in 30 s", c->id);
	events_container(&c->spec, "stop", -1);
	return 0;
}

int ctr_stop_ref(struct globals *g, const char *ref, int timeout, struct err *e)
{
	struct ctr c;
	int rc;

	if (ctr_load(g, ref, &c, e) < 0)
		return -1;
	rc = ctr_stop(g, &c, c.spec.stop_signal ? c.spec.stop_signal : SIGTERM,
		      timeout >= 0 ? timeout : c.spec.stop_timeout, e);
	ctr_free(&c);
	return rc;
}

int ctr_remove(struct globals *g, struct ctr *c, struct err *e)
{
	struct ctr_state st;
	int lfd = state_lock(c->spec.ctrdir, e);
	struct err ign = ERR_INIT;

	if (lfd < 0)
		return -1;
	if (state_load(c->spec.ctrdir, &st, &ign) == 0) {
		st.status = ST_REMOVING;
		if (state_save(c->spec.ctrdir, &st, &ign) < 0)
			err_clear(&ign);
		ctr_state_free(&st);
	}
	err_clear(&ign);
	close(lfd);
	events_container(&c->spec, "remove", -1);
	container_remove_cidfile(&c->spec);
	if (rm_rf_at(AT_FDCWD, c->spec.rundir, &ign) < 0)
		err_clear(&ign);
	for (int i = 0; i < 2; i++) {
		char *dir = i ? c->spec.layer_dir : c->spec.ctrdir;
		struct idmap m;
		int rc;
		if (!dir || rm_rf_at(AT_FDCWD, dir, &ign) == 0)
			continue;
		/* files the container made belong to mapped ids: remove them
		 * from inside the user namespace */
		err_clear(&ign);
		memset(&m, 0, sizeof m);
		if (userns_lookup_cached(&m, g->cfg.idmap, g->cfg.runroot, e) < 0)
			return -1;
		rc = userns_run(&m, 0, rm_fn, dir, NULL, NULL, NULL, e);
		idmap_free(&m);
		if (rc < 0)
			return err_wrap(e, "removing %s", dir);
	}
	return 0;
}

int ctr_remove_id(struct globals *g, const char *id, bool force, struct err *e)
{
	struct ctr c;
	int rc = 0;

	if (ctr_load_id(g, id, &c, e) < 0)
		return -1;
	if (ctr_running(&c) || proc_alive(c.st.supervisor, c.st.supervisor_start)) {
		if (!force) {
			rc = err_make(e, 0,
				      "cannot remove container %s as it is running - running or paused "
				      "containers cannot be removed without force: container state improper",
				      c.id);
			goto out;
		}
		if (ctr_stop(g, &c, SIGKILL, 0, e) < 0) {
			rc = -1;
			goto out;
		}
	}
	rc = ctr_remove(g, &c, e);
out:
	ctr_free(&c);
	return rc;
}

int ctr_each(struct globals *g, char *const *refs, size_t n, ctr_each_fn *fn, void *arg, struct err *e)
{
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		if (fn(g, refs[i], arg, e) < 0) {
			rc = cli_report(e);
			err_clear(e);
		} else {
			printf("%s\n", refs[i]);
			fflush(stdout);
		}
	}
	return rc;
}

/* ---- status text ------------------------------------------------------------- */

static char *human(long long d)
{
	if (d < 1)
		return xstrdup("Less than a second");
	if (d < 60)
		return xasprintf("%lld second%s", d, d == 1 ? "" : "s");
	if (d < 120)
		return xstrdup("About a minute");
	if (d < 3600)
		return xasprintf("%lld minutes", d / 60);
	if (d < 7200)
		return xstrdup("About an hour");
	if (d < 86400 * 2)
		return xasprintf("%lld hours", d / 3600);
	return xasprintf("%lld days", d / 86400);
}

char *ctr_ago(const char *t)
{
	struct timespec ts;

	if (!t || !*t || logfile_parse_time(t, strlen(t), &ts) < 0)
		return xstrdup("unknown");
	return human((long long)(time(NULL) - ts.tv_sec));
}

const char *ctr_health(const struct ctr *c)
{
	json_object *v;

	if (!c->st.health || !ctr_running(c) || !json_object_object_get_ex(c->st.health, "Status", &v))
		return NULL;
	return json_object_get_string(v);
}

char *ctr_status_text(const struct ctr *c)
{
	_cleanup_free_ char *a = NULL;
	const char *h = ctr_health(c);

	switch (c->st.status) {
	case ST_RUNNING:
	case ST_PAUSED:
		a = ctr_ago(c->st.started_at);
		return xasprintf("Up %s%s%s%s", a, c->st.status == ST_PAUSED ? " (paused)" : "",
				 h ? (strcmp(h, "starting") == 0  ? " (starting)"
				      : strcmp(h, "healthy") == 0 ? " (healthy)"
								  : " (unhealthy)")
				   : "",
				 "");
	case ST_EXITED:
		a = ctr_ago(c->st.finished_at);
		return xasprintf("Exited (%d) %s ago", c->st.exit_code, a);
	case ST_REMOVING:
		return xstrdup("Removing");
	case ST_CREATED:
	default:
		return xstrdup("Created");
	}
}

static enum cgroup_manager manager_of(const char *name)
{
	if (strcmp(name, "delegated") == 0)
		return CGM_DELEGATED;
	if (strcmp(name, "systemd") == 0)
		return CGM_SYSTEMD;
	return CGM_NONE;
}

int ctr_cgroup_open(const struct ctr_state *st, struct cgroup *cg, struct err *e)
{
	return cgroup_open(st->cgroup, manager_of(st->cgroup_manager),
			   st->cgroup_unit[0] ? st->cgroup_unit : NULL, cg, e);
}

/* lock -> load -> check the transition -> freeze/thaw -> save */
int ctr_pause(struct globals *g, const char *ref, bool pause, struct err *e)
{
	struct ctr c;
	struct ctr_state st;
	struct cgroup cg = CGROUP_INIT;
	int lfd, rc = -1;

	if (ctr_load(g, ref, &c, e) < 0)
		return -1;
	lfd = state_lock(c.spec.ctrdir, e);
	if (lfd < 0) {
		ctr_free(&c);
		return -1;
	}
	ctr_state_init(&st);
	if (state_load(c.spec.ctrdir, &st, e) < 0)
		goto out;
	if (pause && st.status == ST_PAUSED) {
		err_make(e, 0, "container %s is already paused", ref);
		goto out;
	}
	if (pause && st.status != ST_RUNNING) {
		err_make(e, 0, "container %s is not running", ref);
		goto out;
	}
	if (!pause && st.status != ST_PAUSED) {
		err_make(e, 0, "container %s is not paused", ref);
		goto out;
	}
	if (!st.cgroup[0]) {
		err_make(e, 0,
			 "container %s has no cgroup, and pausing needs one (cgroup.freeze): "
			 "start it with a resource limit (e.g. --pids-limit=-1) where a delegated "
			 "cgroup v2 subtree is available ('burrow info' shows whether limits are)",
			 ref);
		goto out;
	}
	if (ctr_cgroup_open(&st, &cg, e) < 0 || cgroup_freeze(&cg, pause, 10000, e) < 0) {
		err_wrap(e, "%s container %s", pause ? "pausing" : "unpausing", ref);
		goto out;
	}
	st.status = pause ? ST_PAUSED : ST_RUNNING;
	rc = state_save(c.spec.ctrdir, &st, e);
	if (rc == 0)
		events_container(&c.spec, pause ? "pause" : "unpause", -1);
out:
	cgroup_close(&cg);
	ctr_state_free(&st);
	close(lfd);
	ctr_free(&c);
	return rc;
}
