/* exec.c - see exec.h */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "exec.h"
#include "spawn.h"
#include "spawn_int.h"
#include "lib/record/state.h"
#include "lib/base/syscalls.h"
#include "userns.h"
#include "lib/base/util.h"

/* LeakSanitizer checks at exit from a tracer it clones: after setns into
 * another PID namespace that tracer cannot attach to us and the exit spins
 * for ever.  Sanitizer builds check for leaks before the join instead. */
extern void __lsan_do_leak_check(void) __attribute__((weak));

/* Join the init's cgroup, so that an exec'd command is under the
 * container's limits, frozen with it and killed by cgroup.kill.  Best
 * effort: the caller may write there in a delegated subtree, not from
 * outside a systemd scope (EACCES: the command then runs in the caller's). */
static void join_cgroup(pid_t init)
{
	char path[64], *line, *s = NULL;
	struct err e = ERR_INIT;

	snprintf(path, sizeof path, "/proc/%d/cgroup", (int)init);
	if (read_file_at(AT_FDCWD, path, 1 << 16, &s, NULL, &e) < 0) {
		err_clear(&e);
		return;
	}
	line = strstr(s, "0::/");
	if (line && (line == s || line[-1] == '\n')) {
		_cleanup_free_ char *procs = NULL;
		int fd;
		line[strcspn(line, "\n")] = '\0';
		procs = xasprintf("/sys/fs/cgroup%s/cgroup.procs", line + 3);
		fd = open(procs, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, "0", 1) < 0) {
				/* not ours to move into: stay in the caller's cgroup */
			}
			close(fd);
		}
	}
	free(s);
}

int exec_join(pid_t init, struct err *e)
{
	static const char *const names[] = { "user", "mnt", "pid", "uts", "ipc", "net", "cgroup" };
	int fds[ARRAY_SIZE(names)];
	int rc = 0;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char path[64], self[64];
		struct stat a, b;
		snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)init, names[i]);
		snprintf(self, sizeof self, "/proc/self/ns/%s", names[i]);
		fds[i] = -1;
		if (stat(path, &a) < 0) {
			rc = err_make(e, errno, "reading the container's %s namespace", names[i]);
			continue;
		}
		if (stat(self, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			continue; /* already there (the supervisor's user ns, --network host) */
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			rc = err_make(e, errno, "opening %s", path);
	}
	if (rc == 0)
		join_cgroup(init);
	if (rc == 0 && __lsan_do_leak_check)
		__lsan_do_leak_check();
	for (size_t i = 0; i < ARRAY_SIZE(names) && rc == 0; i++) {
		if (fds[i] >= 0 && setns(fds[i], 0) < 0)
			rc = err_make(e, errno, "joining the container's %s namespace", names[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return rc;
}

static bool setgroups_denied(void)
{
	char buf[16] = "";
	int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, buf, sizeof buf - 1) < 0)
			buf[0] = '\0';
		close(fd);
	}
	return strncmp(buf, "deny", 4) == 0;
}

void exec_child(const struct exec_opts *o, int errfd)
{
	struct err e = ERR_INIT;
	struct user_spec u;
	_cleanup_strv_ char **env = NULL;
	int rootfd, en;
	sigset_t none;

	memset(&u, 0, sizeof u);
	if (o->tty && o->pts >= 0) {
		setsid();
		if (dup2(o->pts, 0) < 0 || dup2(o->pts, 1) < 0 || dup2(o->pts, 2) < 0 ||
		    ioctl(0, TIOCSCTTY, 0) < 0) {
			err_make(&e, errno, "attaching the terminal");
			goto fail;
		}
		if (o->pts > 2)
			close(o->pts);
	}
	rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0 || resolve_user(rootfd, o->user && *o->user ? o->user : "0", &u, &e) < 0) {
		if (rootfd < 0)
			err_make(&e, errno, "opening the container's root");
		goto fail;
	}
	close(rootfd);
	env = strv_dup(o->env);
	spawn_finalize_env(&env, o->hostname, o->tty, &u);
	if (o->workdir && chdir(o->workdir) < 0) {
		err_make(&e, errno, "changing to the working directory %s", o->workdir);
		goto fail;
	}
	if (spawn_become_user(o->caps, setgroups_denied(), &u, &e) < 0)
		goto fail;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		err_make(&e, errno, "setting no_new_privs");
		goto fail;
	}
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	en = spawn_exec_in_path(o->argv, env);
	if (en == ENOENT)
		err_make_status(&e, 127, 0, "%s: executable file not found in $PATH", o->argv[0]);
	else
		err_make_status(&e, 126, en, "%s", o->argv[0]);
	err_wrap(&e, "exec");
fail:
	err_send(errfd, &e);
	_exit(err_exit_status(&e));
}

/* ---- healthchecks -------------------------------------------------------------- */

void health_result_free(struct health_result *r)
{
	free(r->output);
	r->output = NULL;
}

static __attribute__((noreturn)) void probe_child(const struct container_spec *s, pid_t init, int outfd)
{
	struct err e = ERR_INIT;
	struct exec_opts o;
	_cleanup_strv_ char **argv = NULL;
	int dn = open("/dev/null", O_RDONLY | O_CLOEXEC), st, ep[2];
	pid_t pid;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (dn >= 0)
		dup2(dn, 0);
	dup2(outfd, 1);
	dup2(outfd, 2);
	if (exec_join(init, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		_exit(125);
	}
	if (strcmp(s->health.test[0], "CMD-SHELL") == 0) {
		strv_push(&argv, "/bin/sh");
		strv_push(&argv, "-c");
		strv_push(&argv, s->health.test[1] ? s->health.test[1] : "");
	} else {
		for (size_t i = 1; s->health.test[i]; i++)
			strv_push(&argv, s->health.test[i]);
	}
	if (!argv)
		_exit(125);
	memset(&o, 0, sizeof o);
	o.argv = argv;
	o.env = s->env;
	o.workdir = s->workdir;
	o.user = s->user;
	o.hostname = s->hostname;
	o.caps = s->caps;
	o.pts = -1;
	if (pipe2(ep, O_CLOEXEC) < 0)
		_exit(125);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(ep[0]);
		exec_child(&o, ep[1]);
	}
	close(ep[1]);
	if (pid < 0)
		_exit(125);
	if (err_recv(ep[0], &e) > 0)
		fprintf(stderr, "%s\n", e.msg);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	_exit(wait_status_code(st));
}

int health_probe(const struct container_spec *s, pid_t init, struct health_result *r, struct err *e)
{
	int p[2], st = 0;
	char buf[4096];
	size_t len = 0;
	pid_t pid;
	uint64_t deadline;
	bool timed_out = false;

	memset(r, 0, sizeof *r);
	if (!s->health.test || !s->health.test[0] || strcmp(s->health.test[0], "NONE") == 0)
		return err_make(e, 0, "container %s has no defined healthcheck", s->name);
	state_time_now(r->start, sizeof r->start);
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return err_make(e, errno, "fork");
	}
	if (pid == 0) {
		close(p[0]);
		probe_child(s, init, p[1]);
	}
	close(p[1]);
	deadline = now_usec() + (uint64_t)(s->health.timeout_ms > 0 ? s->health.timeout_ms : 30000) * 1000;
	for (;;) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };
		uint64_t now = now_usec();
		ssize_t n;
		int pr;
		if (now >= deadline) {
			timed_out = true;
			break;
		}
		pr = poll(&pfd, 1, (int)((deadline - now) / 1000) + 1);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			continue;
		n = read(p[0], buf + len, sizeof buf - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len >= sizeof buf - 1) {
			/* keep draining so the probe cannot block on a full pipe */
			char sink[4096];
			while (poll(&pfd, 1, 0) > 0 && read(p[0], sink, sizeof sink) > 0)
				;
		}
	}
	close(p[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	buf[len] = '\0';
	state_time_now(r->end, sizeof r->end);
	if (timed_out) {
		r->exit_code = -1;
		r->output = xasprintf("Health check exceeded timeout (%lldms)", (long long)s->health.timeout_ms);
	} else {
		r->exit_code = wait_status_code(st);
		r->output = xstrdup(buf);
	}
	return 0;
}

int health_record(const char *ctrdir, const struct container_spec *s, const struct health_result *r,
		  bool in_start_period, const char **status, struct err *e)
{
	struct ctr_state st;
	json_object *h, *log, *entry, *v;
	int lfd = state_lock(ctrdir, e), streak = 0, rc;
	const char *cur = "starting";

	if (lfd < 0)
		return -1;
	if (state_load(ctrdir, &st, e) < 0) {
		close(lfd);
		return -1;
	}
	if (!st.health)
		st.health = json_object_new_object();
	h = st.health;
	if (json_object_object_get_ex(h, "FailingStreak", &v))
		streak = json_object_get_int(v);
	if (json_object_object_get_ex(h, "Status", &v))
		cur = json_object_get_string(v);
	if (r->exit_code == 0) {
		streak = 0;
		cur = "healthy";
	} else if (!in_start_period) {
		streak++;
		if (streak >= (s->health.retries > 0 ? s->health.retries : 1))
			cur = "unhealthy";
	}
	*status = strcmp(cur, "healthy") == 0 ? "healthy" : strcmp(cur, "unhealthy") == 0 ? "unhealthy" : "starting";
	json_object_object_add(h, "Status", json_object_new_string(*status));
	json_object_object_add(h, "FailingStreak", json_object_new_int(streak));
	if (!json_object_object_get_ex(h, "Log", &log) || !json_object_is_type(log, json_type_array)) {
		log = json_object_new_array();
		json_object_object_add(h, "Log", log);
	}
	entry = json_object_new_object();
	json_object_object_add(entry, "Start", json_object_new_string(r->start));
	json_object_object_add(entry, "End", json_object_new_string(r->end));
	json_object_object_add(entry, "ExitCode", json_object_new_int(r->exit_code));
	json_object_object_add(entry, "Output", json_object_new_string(r->output ? r->output : ""));
	json_object_array_add(log, entry);
	while (json_object_array_length(log) > 5)
		json_object_array_del_idx(log, 0, 1);
	rc = state_save(ctrdir, &st, e);
	ctr_state_free(&st);
	close(lfd);
	return rc;
}
