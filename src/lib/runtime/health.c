/* health.c - healthchecks (see health.h).
 *
 * health_probe() forks a probe process, so that the caller (the supervisor,
 * or `burrow healthcheck run`) stays where it is; the probe joins the
 * container and runs the test with exec_in_container() like `burrow exec`,
 * with its output on a pipe that the caller reads up to the timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec.h"
#include "exitcode.h"
#include "health.h"
#include "seccomp.h"
#include "lib/record/state.h"
#include "lib/base/util.h"

void health_result_free(struct health_result *r)
{
	free(r->output);
	r->output = NULL;
}

/* The probe process: stdout and stderr to outfd, into the container, run
 * the test.  Its exit code is the test's; an error that kept the test from
 * running goes to outfd, where it becomes the probe's output. */
static __attribute__((noreturn)) void probe_child(const struct container_spec *s, pid_t init, int outfd)
{
	struct err e = ERR_INIT;
	struct exec_request r;
	struct exec_result res;
	struct seccomp_prog sc;
	_cleanup_strv_ char **argv = NULL;
	_cleanup_free_ char *scdir = seccomp_cachedir(s);
	int dn = open("/dev/null", O_RDONLY | O_CLOEXEC);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* a fork of the supervisor, itself perhaps a fork of the threaded API
	 * service, whose heap a leak check can't tell apart: a false leak
	 * would end the probe (status 1, "unhealthy") */
	exec_skip_leak_check();
	if (dn >= 0)
		dup2(dn, 0);
	dup2(outfd, 1);
	dup2(outfd, 2);
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
	memset(&r, 0, sizeof r);
	r.init = init;
	r.argv = argv;
	r.env = s->env;
	r.workdir = s->workdir;
	r.user = s->user;
	r.group_add = s->group_add;
	r.hostname = s->hostname;
	r.caps = s->caps;
	r.die_with_caller = true;
	/* the container's filter, as for exec */
	if (seccomp_prog_for(s->seccomp, s->caps, scdir, &sc, &e) < 0) {
		dprintf(outfd, "%s\n", e.msg);
		_exit(125);
	}
	r.seccomp = &sc;
	if (exec_in_container(&r, &res, &e) < 0) {
		dprintf(outfd, "%s\n", e.msg);
		_exit(err_exit_status(&e));
	}
	_exit(res.exit_code);
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
		r->output = xasprintf("Health check exceeded timeout (%lldms)",
				      (long long)s->health.timeout_ms);
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
	*status = strcmp(cur, "healthy") == 0     ? "healthy"
		  : strcmp(cur, "unhealthy") == 0 ? "unhealthy"
						  : "starting";
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
