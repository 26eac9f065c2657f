/* hooks.c - running a container's OCI hooks (lib/record/hookspec.h).
 *
 * A hook is run as an OCI runtime runs it: its path with its args and
 * exactly its env, the container's state JSON on stdin, stdout discarded
 * and stderr kept for the error message, killed after its timeout.  It
 * runs with the credentials of the process that runs it, which is root of
 * the container's user namespace, i.e. the calling user on the host, never
 * more.  The caller picks the namespaces: the supervisor runs prestart,
 * createRuntime, poststart and poststop (the host's PID and network
 * namespaces, the supervisor's mount namespace: the host's tree with the
 * rootfs mounted at <rundir>/merged); the init runs createContainer before
 * pivot_root and startContainer after it (the container's namespaces).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "lib/base/json.h"
#include "lib/base/log.h"
#include "lib/base/syscalls.h"
#include "lib/base/util.h"
#include "runtime_int.h"

#define HOOK_OCI_VERSION "1.0.2"
#define HOOK_ERR_TAIL 512

char *hooks_state_json(const struct container_spec *s, const char *status, pid_t pid)
{
	json_object *j = json_object_new_object(), *ann = json_object_new_object();
	char *out;

	json_object_object_add(j, "ociVersion", json_object_new_string(HOOK_OCI_VERSION));
	json_object_object_add(j, "id", json_object_new_string(s->id));
	json_object_object_add(j, "status", json_object_new_string(status));
	if (pid > 0)
		json_object_object_add(j, "pid", json_object_new_int(pid));
	json_object_object_add(j, "bundle", json_object_new_string(s->rundir ? s->rundir : "/"));
	for (size_t i = 0; s->annotations && s->annotations[i]; i++) {
		const char *eq = strchr(s->annotations[i], '=');
		_cleanup_free_ char *k = NULL;
		if (!eq)
			continue;
		k = xstrndup(s->annotations[i], (size_t)(eq - s->annotations[i]));
		json_object_object_add(ann, k, json_object_new_string(eq + 1));
	}
	json_object_object_add(j, "annotations", ann);
	out = xstrdup(
		json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(j);
	return out;
}

static json_object *strv_obj(char *const *v)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; v && v[i]; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

int hooks_write_bundle(const struct container_spec *s, struct err *e)
{
	json_object *j, *root, *proc;
	_cleanup_free_ char *path = NULL, *tmp = NULL, *merged = NULL;
	const char *txt;
	_cleanup_close_ int fd = -1;

	if (!s->nhooks)
		return 0;
	path = xasprintf("%s/config.json", s->rundir);
	tmp = xasprintf("%s/.config.json.tmp", s->rundir);
	merged = xasprintf("%s/merged", s->rundir);
	j = json_object_new_object();
	root = json_object_new_object();
	proc = json_object_new_object();
	json_object_object_add(j, "ociVersion", json_object_new_string(HOOK_OCI_VERSION));
	json_object_object_add(root, "path", json_object_new_string(merged));
	json_object_object_add(j, "root", root);
	json_object_object_add(proc, "args", strv_obj(s->argv));
	json_object_object_add(proc, "env", strv_obj(s->env));
	json_object_object_add(proc, "cwd", json_object_new_string(s->workdir ? s->workdir : "/"));
	json_object_object_add(j, "process", proc);
	if (s->hostname)
		json_object_object_add(j, "hostname", json_object_new_string(s->hostname));
	txt = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write_all(fd, txt, strlen(txt)) < 0 || rename(tmp, path) < 0) {
		json_object_put(j);
		return err_make(e, errno, "writing the hooks' bundle %s", path);
	}
	json_object_put(j);
	return 0;
}

static __attribute__((noreturn)) void hook_child(const struct hook_spec *h, int in, int errw)
{
	char *const noenv[] = { NULL };
	char *argv0[] = { h->path, NULL };
	sigset_t none;
	int dn = open("/dev/null", O_WRONLY);

	if (dup2(in, 0) < 0 || dup2(errw, 2) < 0 || (dn >= 0 && dup2(dn, 1) < 0))
		_exit(127);
	syscall(SYS_close_range, 3, ~0U, 0);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	execve(h->path, h->args ? h->args : argv0, h->env ? h->env : noenv);
	dprintf(2, "%s: %s\n", h->path, strerror(errno));
	_exit(127);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* the last non-empty line of buf, cleaned of control characters */
static char *last_line(char *buf, size_t n)
{
	char *start;

	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	start = strrchr(buf, '\n');
	start = start ? start + 1 : buf;
	for (char *p = start; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return start;
}

static int run_one(const struct container_spec *s, const struct hook_spec *h, const char *state,
		   struct err *e)
{
	_cleanup_close_ int in = -1, pidfd = -1;
	int errp[2] = { -1, -1 };
	char tail[HOOK_ERR_TAIL + 1];
	size_t tn = 0;
	uint64_t deadline = h->timeout > 0 ? mono_ms() + (uint64_t)h->timeout * 1000 : 0;
	bool timed_out = false;
	const char *kind = hook_kind_name(h->kind);
	pid_t pid;
	int st = 0;

	(void)s;
	in = memfd_create("oci-state", MFD_CLOEXEC);
	if (in < 0 || write_all(in, state, strlen(state)) < 0 || lseek(in, 0, SEEK_SET) < 0)
		return err_make(e, errno, "%s hook %s: passing the state", kind, h->path);
	if (pipe2(errp, O_CLOEXEC) < 0)
		return err_make(e, errno, "%s hook %s: pipe", kind, h->path);
	pid = fork();
	if (pid < 0) {
		close(errp[0]);
		close(errp[1]);
		return err_make(e, errno, "%s hook %s: fork", kind, h->path);
	}
	if (pid == 0)
		hook_child(h, in, errp[1]);
	close(errp[1]);
	pidfd = sys_pidfd_open(pid, 0);
	for (bool eof = false;;) {
		struct pollfd p[2] = { { eof ? -1 : errp[0], POLLIN, 0 }, { pidfd, POLLIN, 0 } };
		int left = -1;
		char buf[512];
		ssize_t r;

		if (eof && pidfd < 0)
			break;
		if (deadline) {
			uint64_t now = mono_ms();
			if (now >= deadline) {
				timed_out = true;
				kill(pid, SIGKILL);
				break;
			}
			left = (int)(deadline - now);
		}
		if (poll(p, 2, left) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break; /* exited: what it wrote so far is read below */
		if (!p[0].revents)
			continue;
		r = read(errp[0], buf, sizeof buf);
		if (r <= 0) {
			eof = r == 0 || errno != EINTR;
			continue;
		}
		/* keep the end: the reason is usually the last line */
		if (tn + (size_t)r > HOOK_ERR_TAIL) {
			size_t drop = tn + (size_t)r - HOOK_ERR_TAIL;
			if (drop > tn)
				drop = tn;
			memmove(tail, tail + drop, tn - drop);
			tn -= drop;
		}
		if ((size_t)r > HOOK_ERR_TAIL - tn)
			r = (ssize_t)(HOOK_ERR_TAIL - tn);
		memcpy(tail + tn, buf, (size_t)r);
		tn += (size_t)r;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	/* what is left in the pipe, without waiting for a child it left behind */
	if (fcntl(errp[0], F_SETFL, O_NONBLOCK) == 0 && tn < HOOK_ERR_TAIL) {
		ssize_t r = read(errp[0], tail + tn, HOOK_ERR_TAIL - tn);
		if (r > 0)
			tn += (size_t)r;
	}
	close(errp[0]);
	if (timed_out)
		return err_make(e, 0, "%s hook %s%s%s: timed out after %d s", kind, h->path,
				h->origin ? " of " : "", h->origin ? h->origin : "", h->timeout);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	{
		const char *why = last_line(tail, tn);
		char how[64];
		if (WIFEXITED(st))
			snprintf(how, sizeof how, "exited with status %d", WEXITSTATUS(st));
		else
			snprintf(how, sizeof how, "killed by signal %d", WTERMSIG(st));
		return err_make(e, 0, "%s hook %s%s%s: %s%s%s", kind, h->path, h->origin ? " of " : "",
				h->origin ? h->origin : "", how, *why ? ": " : "", why);
	}
}

int hooks_run(const struct container_spec *s, enum hook_kind kind, pid_t pid, struct err *e)
{
	static const char *const status[HOOK_NKINDS] = {
		[HOOK_PRESTART] = "creating",         [HOOK_CREATE_RUNTIME] = "creating",
		[HOOK_CREATE_CONTAINER] = "creating", [HOOK_START_CONTAINER] = "created",
		[HOOK_POSTSTART] = "running",         [HOOK_POSTSTOP] = "stopped",
	};
	bool warn_only = kind == HOOK_POSTSTART || kind == HOOK_POSTSTOP;
	_cleanup_free_ char *state = NULL;
	/* the older prestart hooks run just before createRuntime's */
	enum hook_kind order[2] = { kind, kind };
	size_t norder = 1;

	if (!s->nhooks)
		return 0;
	if (kind == HOOK_CREATE_RUNTIME) {
		order[0] = HOOK_PRESTART;
		norder = 2;
	}
	state = hooks_state_json(s, status[kind], kind == HOOK_POSTSTOP ? 0 : pid);
	for (size_t k = 0; k < norder; k++)
		for (size_t i = 0; i < s->nhooks; i++) {
			struct err he = ERR_INIT;
			if (s->hooks[i].kind != order[k])
				continue;
			log_debug("running the %s hook %s", hook_kind_name(order[k]), s->hooks[i].path);
			if (run_one(s, &s->hooks[i], state, &he) == 0)
				continue;
			if (!warn_only) {
				*e = he;
				return -1;
			}
			/* the OCI runtime spec: a failing poststart or poststop
			 * hook is a warning, the lifecycle goes on */
			log_warn("%s", he.msg);
			err_clear(&he);
		}
	return 0;
}
