/* exec.c - exec sessions: POST /containers/{id}/exec (create), POST
 * /exec/{id}/start (hijacked, or detached), GET /exec/{id}/json (inspect),
 * POST /exec/{id}/resize and /containers/{id}/resize.
 *
 * A session lives in the service's memory from create until it is
 * inspected after its end (at most EXEC_MAX at once; the oldest finished
 * ones make room).  Start runs the command as `burrow exec` does
 * (lib/runtime/exec.h), in a child process, since joining the container's
 * namespaces takes the whole calling process: the child relays the
 * hijacked socket to the command's pipes (docker's multiplexed stream) or
 * terminal and reports the exit code. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api_int.h"
#include "lib/base/forkjob.h"
#include "lib/base/util.h"
#include "lib/record/spec.h"
#include "lib/runtime/exec.h"
#include "lib/runtime/seccomp.h"

#define EXEC_MAX 256

struct session {
	char id[65];
	char ctr[65];
	char **argv, **env;
	char *workdir, *user;
	bool tty, in, out, err, privileged;
	bool running, started, done;
	int exit_code;
	pid_t pid;
	unsigned short rows, cols; /* a resize before the start */
	int resize_w;              /* running with a terminal: resizes go here, else -1 */
};

static pthread_mutex_t sessions_lock = PTHREAD_MUTEX_INITIALIZER;
static struct session *sessions[EXEC_MAX];

static void session_free(struct session *s)
{
	if (!s)
		return;
	if (s->resize_w >= 0)
		close(s->resize_w);
	strv_free(s->argv);
	strv_free(s->env);
	free(s->workdir);
	free(s->user);
	free(s);
}

bool api_exec_pending(void)
{
	bool any = false;

	pthread_mutex_lock(&sessions_lock);
	for (size_t i = 0; i < EXEC_MAX && !any; i++)
		any = sessions[i] && !sessions[i]->done;
	pthread_mutex_unlock(&sessions_lock);
	return any;
}

/* a copy of session id's fields (under the lock), or NULL */
static struct session *find(const char *id)
{
	for (size_t i = 0; i < EXEC_MAX; i++)
		if (sessions[i] && strcmp(sessions[i]->id, id) == 0)
			return sessions[i];
	return NULL;
}

static bool add(struct session *s)
{
	size_t slot = EXEC_MAX;

	for (size_t i = 0; i < EXEC_MAX && slot == EXEC_MAX; i++)
		if (!sessions[i])
			slot = i;
	for (size_t i = 0; i < EXEC_MAX && slot == EXEC_MAX; i++)
		if (sessions[i]->done || !sessions[i]->started) {
			session_free(sessions[i]);
			sessions[i] = NULL;
			slot = i;
		}
	if (slot == EXEC_MAX)
		return false;
	sessions[slot] = s;
	return true;
}

static void random_id(char id[65])
{
	unsigned char b[32] = { 0 };
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	ssize_t n = fd >= 0 ? read(fd, b, sizeof b) : -1;

	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)sizeof b) {
		/* no /dev/urandom: the time and a counter still make IDs unique */
		static unsigned long counter;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf((char *)b, sizeof b, "%lx.%lx.%lx", (unsigned long)ts.tv_sec,
			 (unsigned long)ts.tv_nsec, __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
	}
	for (size_t i = 0; i < sizeof b; i++)
		snprintf(id + 2 * i, 3, "%02x", b[i]);
}

static int field_strv(json_object *o, const char *key, char ***out)
{
	json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) > 4096)
		return -1;
	*out = calloc(1, sizeof(char *));
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		json_object *s = json_object_array_get_idx(v, i);
		if (!json_object_is_type(s, json_type_string) || json_object_get_string_len(s) > 65536) {
			strv_free(*out);
			*out = NULL;
			return -1;
		}
		strv_push(out, json_object_get_string(s));
	}
	return 0;
}

static int field_str(json_object *o, const char *key, const char **out)
{
	json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, json_type_string) || json_object_get_string_len(v) > 65536)
		return -1;
	*out = json_object_get_string(v);
	return 0;
}

static int field_bool(json_object *o, const char *key, bool *out)
{
	json_object *v;

	*out = false;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return -1;
	*out = json_object_get_boolean(v);
	return 0;
}

enum MHD_Result api_exec_create(struct api_req *r)
{
	json_object *body;
	struct api_ctr c;
	struct err e = ERR_INIT;
	enum MHD_Result res;
	struct session *s;
	const char *wd, *user;
	json_object *o;
	bool ok;

	if (api_body_json(r, &body, &res) < 0)
		return res;
	if (api_ctr_load(r, r->arg, &c, &e) < 0) {
		json_object_put(body);
		res = api_reply_err(r, &e);
		err_clear(&e);
		return res;
	}
	s = calloc(1, sizeof *s);
	if (!s) {
		json_object_put(body);
		api_ctr_free(&c);
		return MHD_NO;
	}
	memcpy(s->ctr, c.id, sizeof s->ctr);
	s->resize_w = -1;
	if (field_strv(body, "Cmd", &s->argv) < 0 || field_strv(body, "Env", &s->env) < 0 ||
	    field_str(body, "WorkingDir", &wd) < 0 || field_str(body, "User", &user) < 0 ||
	    field_bool(body, "Tty", &s->tty) < 0 || field_bool(body, "AttachStdin", &s->in) < 0 ||
	    field_bool(body, "AttachStdout", &s->out) < 0 || field_bool(body, "AttachStderr", &s->err) < 0 ||
	    field_bool(body, "Privileged", &s->privileged) < 0) {
		res = api_reply_error(
			r, MHD_HTTP_BAD_REQUEST,
			"invalid exec configuration: Cmd and Env arrays of strings, WorkingDir and "
			"User strings, Tty, AttachStdin/out/err and Privileged booleans");
		goto out;
	}
	if (!s->argv || !s->argv[0]) {
		res = api_reply_error(r, MHD_HTTP_BAD_REQUEST, "No exec command specified");
		goto out;
	}
	if (wd && *wd && *wd != '/') {
		res = api_reply_error(r, MHD_HTTP_BAD_REQUEST, "WorkingDir must be an absolute path");
		goto out;
	}
	for (size_t i = 0; s->env && s->env[i]; i++)
		if (!strchr(s->env[i], '=') || s->env[i][0] == '=') {
			res = api_reply_error(r, MHD_HTTP_BAD_REQUEST, "Env: each entry must be KEY=VALUE");
			goto out;
		}
	if (!api_ctr_running(&c)) {
		res = api_reply_error(r, MHD_HTTP_CONFLICT, "Container %s is not running", c.id);
		goto out;
	}
	s->workdir = wd && *wd ? xstrdup(wd) : NULL;
	s->user = user && *user ? xstrdup(user) : NULL;
	random_id(s->id);
	pthread_mutex_lock(&sessions_lock);
	ok = add(s);
	pthread_mutex_unlock(&sessions_lock);
	if (!ok) {
		res = api_reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "too many exec sessions");
		goto out;
	}
	o = json_object_new_object();
	json_object_object_add(o, "Id", json_object_new_string(s->id));
	s = NULL;
	res = api_reply_json(r, MHD_HTTP_CREATED, o);
out:
	session_free(s);
	json_object_put(body);
	api_ctr_free(&c);
	return res;
}

/* ---- the child: join, run, relay ---- */

struct relay {
	int sock, in_w, out_r, err_r;
	int resize_r;     /* the terminal's new sizes (rows, cols) from the service, or -1 */
	int child_fds[3]; /* the command's ends of the pipes: closed here once it runs */
	bool tty;
};

static bool sock_write(int fd, const void *p, size_t n)
{
	return api_write_all(fd, p, n);
}

static int relay_wait(pid_t pid, int ptmx, void *arg, struct err *e)
{
	struct relay *x = arg;
	char buf[32768];
	int st;
	bool sock_in = true;

	(void)e;
	for (size_t i = 0; i < 3; i++)
		if (x->child_fds[i] >= 0) {
			close(x->child_fds[i]);
			x->child_fds[i] = -1;
		}
	for (;;) {
		struct pollfd p[4];
		int n = 0, ix_sock = -1, ix_out = -1, ix_err = -1, ix_rs = -1;
		if (sock_in) {
			p[n] = (struct pollfd){ .fd = x->sock, .events = POLLIN };
			ix_sock = n++;
		}
		if (x->tty ? ptmx >= 0 : x->out_r >= 0) {
			p[n] = (struct pollfd){ .fd = x->tty ? ptmx : x->out_r, .events = POLLIN };
			ix_out = n++;
		}
		if (!x->tty && x->err_r >= 0) {
			p[n] = (struct pollfd){ .fd = x->err_r, .events = POLLIN };
			ix_err = n++;
		}
		if (ix_out < 0 && ix_err < 0)
			break;
		if (x->tty && ptmx >= 0 && x->resize_r >= 0) {
			p[n] = (struct pollfd){ .fd = x->resize_r, .events = POLLIN };
			ix_rs = n++;
		}
		if (poll(p, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (ix_rs >= 0 && p[ix_rs].revents) {
			unsigned short sz[2];
			if (read(x->resize_r, sz, sizeof sz) == (ssize_t)sizeof sz) {
				struct winsize ws = { .ws_row = sz[0], .ws_col = sz[1] };
				ioctl(ptmx, TIOCSWINSZ, &ws);
			} else {
				x->resize_r = -1; /* the service is gone */
			}
		}
		if (ix_sock >= 0 && p[ix_sock].revents) {
			ssize_t k = read(x->sock, buf, sizeof buf);
			int to = x->tty ? ptmx : x->in_w;
			if (k <= 0) {
				sock_in = false; /* stdin ended (or the client half-closed) */
				if (!x->tty && x->in_w >= 0) {
					close(x->in_w);
					x->in_w = -1;
				}
			} else if (to >= 0 && write(to, buf, (size_t)k) < 0 && errno != EAGAIN) {
				sock_in = false;
			}
		}
		if (ix_out >= 0 && p[ix_out].revents) {
			int fd = x->tty ? ptmx : x->out_r;
			ssize_t k = read(fd, buf, sizeof buf);
			if (k <= 0) {
				if (x->tty)
					ptmx = -1;
				else {
					close(x->out_r);
					x->out_r = -1;
				}
			} else if (!(x->tty ? sock_write(x->sock, buf, (size_t)k)
					    : api_write_frame(x->sock, 1, buf, (size_t)k))) {
				break;
			}
		}
		if (ix_err >= 0 && p[ix_err].revents) {
			ssize_t k = read(x->err_r, buf, sizeof buf);
			if (k <= 0) {
				close(x->err_r);
				x->err_r = -1;
			} else if (!api_write_frame(x->sock, 2, buf, (size_t)k)) {
				break;
			}
		}
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return 255;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

struct child_result {
	int rc, exit_code, status;
	char msg[1000];
};

/* in the job's process (lib/base/forkjob.h): the exec as `burrow exec`
 * runs it */
static void child(const struct api_backend *b, const struct session *s, int sock, int resize_r, bool detach,
		  struct child_result *cr)
{
	struct api_ctr c;
	struct err e = ERR_INIT;
	struct exec_request rq;
	struct exec_result er;
	struct seccomp_prog sc = { 0, NULL };
	struct relay x = { sock, -1, -1, -1, resize_r, { -1, -1, -1 }, s->tty };
	struct winsize ws = { .ws_row = s->rows, .ws_col = s->cols };
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 };
	_cleanup_strv_ char **env = NULL;
	_cleanup_free_ char *scdir = NULL;

	memset(&rq, 0, sizeof rq);
	exec_skip_leak_check();
	/* a client gone: the relay's writes fail, they don't end it */
	signal(SIGPIPE, SIG_IGN);
	if (api_ctr_load_id(b, s->ctr, &c, &e) < 0)
		goto fail;
	if (!api_ctr_running(&c) || !proc_alive(c.st.pid, c.st.pid_start)) {
		err_make(&e, 0, "Container %s is not running", c.id);
		goto fail;
	}
	env = strv_dup(c.spec.env);
	for (size_t i = 0; s->env && s->env[i]; i++)
		if (env_add(&env, s->env[i], &e) < 0)
			goto fail;
	rq.init = c.st.pid;
	rq.argv = s->argv;
	rq.env = env;
	rq.workdir = s->workdir ? s->workdir : c.spec.workdir;
	rq.user = s->user ? s->user : c.spec.user;
	rq.group_add = c.spec.group_add;
	rq.hostname = c.spec.hostname;
	rq.caps = s->privileged ? ~0ULL : c.spec.caps;
	rq.tty = s->tty;
	if (s->tty && s->rows && s->cols)
		rq.ws = &ws;
	rq.interactive = s->in;
	rq.detach = detach;
	if (!detach) {
		if (!s->tty) {
			if ((s->in && pipe2(in, O_CLOEXEC) < 0) || pipe2(out, O_CLOEXEC) < 0 ||
			    pipe2(errp, O_CLOEXEC) < 0) {
				err_make(&e, errno, "pipe");
				goto fail;
			}
			rq.stdio[0] = s->in ? in[0] : 0;
			rq.stdio[1] = out[1];
			rq.stdio[2] = errp[1];
			x.in_w = in[1];
			x.out_r = out[0];
			x.err_r = errp[0];
			x.child_fds[0] = in[0];
			x.child_fds[1] = out[1];
			x.child_fds[2] = errp[1];
		}
		rq.wait = relay_wait;
		rq.wait_arg = &x;
	}
	scdir = seccomp_cachedir(&c.spec);
	if (seccomp_prog_for(c.spec.seccomp, c.spec.caps, scdir, &sc, &e) < 0)
		goto fail;
	rq.seccomp = &sc;
	/* the command's ends close in us once it has them: the wait sees EOF */
	if (exec_in_container(&rq, &er, &e) < 0)
		goto fail;
	cr->exit_code = er.exit_code;
	return;
fail:
	cr->rc = -1;
	cr->status = e.status;
	snprintf(cr->msg, sizeof cr->msg, "%s", e.msg ? e.msg : "exec failed");
}

/* the session and the backend as the job's bytes, and back */
static void exec_job(const void *arg, size_t len, const int *fds, size_t nfds, void *res, size_t res_len)
{
	struct forkjob_buf in = { (char *)(uintptr_t)arg, len, 0, false };
	const struct api_backend *b;
	struct session s;
	bool detach;

	(void)res_len;
	memset(&s, 0, sizeof s);
	forkjob_get(&in, &b, sizeof b);
	forkjob_get(&in, s.ctr, sizeof s.ctr);
	forkjob_get(&in, &s.tty, sizeof s.tty);
	forkjob_get(&in, &s.in, sizeof s.in);
	forkjob_get(&in, &s.privileged, sizeof s.privileged);
	forkjob_get(&in, &detach, sizeof detach);
	forkjob_get(&in, &s.rows, sizeof s.rows);
	forkjob_get(&in, &s.cols, sizeof s.cols);
	s.argv = forkjob_get_strv(&in);
	s.env = forkjob_get_strv(&in);
	s.workdir = forkjob_get_str(&in);
	s.user = forkjob_get_str(&in);
	if (in.bad || !s.argv) {
		struct child_result *cr = res;
		cr->rc = -1;
		snprintf(cr->msg, sizeof cr->msg, "a malformed exec job");
		return;
	}
	child(b, &s, nfds > 0 ? fds[0] : -1, nfds > 1 ? fds[1] : -1, detach, res);
}

/* run the session in a process of its own and wait for its answer; the
 * pipes' child ends are closed by the exec before the command runs (they
 * are O_CLOEXEC in it, and the relay holds only its own ends) */
static int run_exec(const struct api_backend *b, struct session *s, int sock, bool detach,
		    struct child_result *cr)
{
	struct forkjob_buf arg = { NULL, 0, 0, false };
	struct forkjob j;
	struct err e = ERR_INIT;
	int rc, fds[2] = { sock, -1 }, rs[2] = { -1, -1 };
	size_t nfds = sock >= 0 ? 1 : 0;

	memset(cr, 0, sizeof *cr);
	/* a terminal's resizes reach the job through a pipe */
	if (sock >= 0 && s->tty && pipe2(rs, O_CLOEXEC | O_NONBLOCK) == 0)
		fds[nfds++] = rs[0];
	forkjob_put(&arg, &b, sizeof b);
	forkjob_put(&arg, s->ctr, sizeof s->ctr);
	forkjob_put(&arg, &s->tty, sizeof s->tty);
	forkjob_put(&arg, &s->in, sizeof s->in);
	forkjob_put(&arg, &s->privileged, sizeof s->privileged);
	forkjob_put(&arg, &detach, sizeof detach);
	forkjob_put(&arg, &s->rows, sizeof s->rows);
	forkjob_put(&arg, &s->cols, sizeof s->cols);
	forkjob_put_strv(&arg, s->argv);
	forkjob_put_strv(&arg, s->env);
	forkjob_put_str(&arg, s->workdir);
	forkjob_put_str(&arg, s->user);
	rc = forkjob_spawn(exec_job, arg.p, arg.len, fds, nfds, sizeof *cr, &j, &e);
	free(arg.p);
	if (rs[0] >= 0)
		close(rs[0]);
	if (rc == 0) {
		struct session *live;
		pthread_mutex_lock(&sessions_lock);
		live = find(s->id);
		if (live) {
			unsigned short sz[2] = { live->rows, live->cols };
			live->pid = j.pid;
			live->resize_w = rs[1];
			rs[1] = -1;
			/* a resize that came while the job was starting */
			if (live->resize_w >= 0 && sz[0] && sz[1] && (sz[0] != s->rows || sz[1] != s->cols) &&
			    write(live->resize_w, sz, sizeof sz) < 0) {
				/* full: sizes are waiting already */
			}
		}
		pthread_mutex_unlock(&sessions_lock);
		rc = forkjob_wait(&j, cr, sizeof *cr, &e);
	}
	if (rc < 0) {
		cr->rc = -1;
		snprintf(cr->msg, sizeof cr->msg, "%s", e.msg ? e.msg : "exec failed");
		err_clear(&e);
	}
	if (rs[1] >= 0)
		close(rs[1]);
	return cr->rc;
}

struct start_job {
	const struct api_backend *b;
	char id[65];
};

static void finish(const char *id, const struct child_result *cr)
{
	struct session *s;

	pthread_mutex_lock(&sessions_lock);
	s = find(id);
	if (s) {
		s->running = false;
		s->done = true;
		if (s->resize_w >= 0)
			close(s->resize_w);
		s->resize_w = -1;
		s->exit_code = cr->rc < 0 ? (cr->status ? cr->status : 126) : cr->exit_code;
	}
	pthread_mutex_unlock(&sessions_lock);
}

static void hijacked(void *arg, int sock)
{
	struct start_job *j = arg;
	struct child_result cr;
	struct session *s, copy;

	pthread_mutex_lock(&sessions_lock);
	s = find(j->id);
	if (s)
		copy = *s;
	pthread_mutex_unlock(&sessions_lock);
	if (!s)
		return;
	/* a running session is not dropped: its strings stay */
	run_exec(j->b, &copy, sock, false, &cr);
	if (cr.rc < 0) {
		_cleanup_free_ char *m = xasprintf("%s\r\n", cr.msg);
		if (copy.tty)
			api_write_all(sock, m, strlen(m));
		else
			api_write_frame(sock, 2, m, strlen(m));
	}
	finish(j->id, &cr);
}

enum MHD_Result api_exec_start(struct api_req *r)
{
	json_object *body;
	enum MHD_Result res;
	struct session *s, copy;
	bool detach = false, tty = false, busy = false;
	struct start_job *j;

	if (api_body_json(r, &body, &res) < 0)
		return res;
	if (field_bool(body, "Detach", &detach) < 0 || field_bool(body, "Tty", &tty) < 0) {
		json_object_put(body);
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST, "Detach and Tty are booleans");
	}
	json_object_put(body);
	pthread_mutex_lock(&sessions_lock);
	s = find(r->arg);
	if (s) {
		busy = s->started;
		s->started = s->running = true;
		copy = *s;
	}
	pthread_mutex_unlock(&sessions_lock);
	if (!s)
		return api_reply_error(r, MHD_HTTP_NOT_FOUND, "No such exec instance: %s", r->arg);
	if (busy)
		return api_reply_error(r, MHD_HTTP_CONFLICT, "Exec %s has already been started", r->arg);
	if (detach) {
		struct child_result cr;
		run_exec(r->b, &copy, -1, true, &cr);
		finish(r->arg, &cr);
		if (cr.rc < 0)
			return api_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", cr.msg);
		return api_reply_empty(r, MHD_HTTP_OK);
	}
	j = calloc(1, sizeof *j);
	if (!j)
		return MHD_NO;
	j->b = r->b;
	memcpy(j->id, copy.id, sizeof j->id);
	/* without Upgrade (dockerode): the output as a plain body */
	if (!MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Upgrade"))
		return api_reply_stream(r, MHD_HTTP_OK,
					copy.tty ? "application/vnd.docker.raw-stream"
						 : "application/vnd.docker.multiplexed-stream",
					hijacked, j, free);
	return api_reply_hijack(r,
				copy.tty ? "application/vnd.docker.raw-stream"
					 : "application/vnd.docker.multiplexed-stream",
				hijacked, j, free);
}

enum MHD_Result api_exec_inspect(struct api_req *r)
{
	struct session *s;
	json_object *o, *pc, *args;

	pthread_mutex_lock(&sessions_lock);
	s = find(r->arg);
	if (!s) {
		pthread_mutex_unlock(&sessions_lock);
		return api_reply_error(r, MHD_HTTP_NOT_FOUND, "No such exec instance: %s", r->arg);
	}
	o = json_object_new_object();
	pc = json_object_new_object();
	args = json_object_new_array();
	json_object_object_add(o, "ID", json_object_new_string(s->id));
	json_object_object_add(o, "ContainerID", json_object_new_string(s->ctr));
	json_object_object_add(o, "Running", json_object_new_boolean(s->running));
	json_object_object_add(o, "ExitCode", s->done ? json_object_new_int(s->exit_code) : NULL);
	json_object_object_add(o, "OpenStdin", json_object_new_boolean(s->in));
	json_object_object_add(o, "OpenStdout", json_object_new_boolean(s->out));
	json_object_object_add(o, "OpenStderr", json_object_new_boolean(s->err));
	json_object_object_add(o, "CanRemove", json_object_new_boolean(false));
	json_object_object_add(o, "DetachKeys", json_object_new_string(""));
	json_object_object_add(o, "Pid", json_object_new_int(s->running ? s->pid : 0));
	json_object_object_add(pc, "tty", json_object_new_boolean(s->tty));
	json_object_object_add(pc, "entrypoint", json_object_new_string(s->argv[0]));
	for (size_t i = 1; s->argv[i]; i++)
		json_object_array_add(args, json_object_new_string(s->argv[i]));
	json_object_object_add(pc, "arguments", args);
	json_object_object_add(pc, "privileged", json_object_new_boolean(s->privileged));
	json_object_object_add(pc, "user", json_object_new_string(s->user ? s->user : ""));
	json_object_object_add(o, "ProcessConfig", pc);
	pthread_mutex_unlock(&sessions_lock);
	return api_reply_json(r, MHD_HTTP_OK, o);
}

/* ---- resize: h and w, rows and columns ---- */

static int resize_args(struct api_req *r, unsigned short *rows, unsigned short *cols, enum MHD_Result *res)
{
	long long h, w;

	if (api_query_int(r, "h", 0, 65535, 0, &h) < 0 || api_query_int(r, "w", 0, 65535, 0, &w) < 0) {
		*res = api_reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid h or w");
		return -1;
	}
	*rows = (unsigned short)h;
	*cols = (unsigned short)w;
	return 0;
}

/* a session's terminal: before the start the size it starts with, while it
 * runs through the job's pipe too; one without a terminal, or ended,
 * ignores it */
enum MHD_Result api_exec_resize(struct api_req *r)
{
	unsigned short sz[2];
	enum MHD_Result res;
	struct session *s;

	if (resize_args(r, &sz[0], &sz[1], &res) < 0)
		return res;
	pthread_mutex_lock(&sessions_lock);
	s = find(r->arg);
	if (s && sz[0] && sz[1]) {
		/* kept for a job that is starting too */
		s->rows = sz[0];
		s->cols = sz[1];
		if (s->resize_w >= 0 && write(s->resize_w, sz, sizeof sz) < 0) {
			/* full: the job has sizes to read already */
		}
	}
	pthread_mutex_unlock(&sessions_lock);
	if (!s)
		return api_reply_error(r, MHD_HTTP_NOT_FOUND, "No such exec instance: %s", r->arg);
	return api_reply_empty(r, MHD_HTTP_OK);
}

/* a container's terminal: the init's stdin is it (a pts of the container's
 * devpts); without a terminal there is nothing to resize */
enum MHD_Result api_ctr_resize(struct api_req *r)
{
	unsigned short rows, cols;
	enum MHD_Result res;
	struct api_ctr c;
	struct err e = ERR_INIT;
	struct winsize ws;
	char path[64];
	int fd;

	if (resize_args(r, &rows, &cols, &res) < 0)
		return res;
	if (api_ctr_load(r, r->arg, &c, &e) < 0) {
		res = api_reply_err(r, &e);
		err_clear(&e);
		return res;
	}
	if (!api_ctr_running(&c) || !proc_alive(c.st.pid, c.st.pid_start)) {
		res = api_reply_error(r, MHD_HTTP_CONFLICT, "Container %s is not running", c.id);
		api_ctr_free(&c);
		return res;
	}
	ws = (struct winsize){ .ws_row = rows, .ws_col = cols };
	snprintf(path, sizeof path, "/proc/%d/fd/0", (int)c.st.pid);
	fd = c.spec.tty && rows && cols ? open(path, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
	if (c.spec.tty && rows && cols && (fd < 0 || !isatty(fd) || ioctl(fd, TIOCSWINSZ, &ws) < 0))
		res = api_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "resizing the terminal of %s: %s",
				      c.id, strerror(errno));
	else
		res = api_reply_empty(r, MHD_HTTP_OK);
	if (fd >= 0)
		close(fd);
	api_ctr_free(&c);
	return res;
}
