/* archive.c - files in and out of a container (docker cp): HEAD and GET
 * /containers/{id}/archive?path=P (the path's stat in the
 * X-Docker-Container-Path-Stat header; GET adds a tar of it) and PUT (a tar
 * unpacked into the directory P).
 *
 * The copying is cp's own (lib/store/ctrcopy.h): the container's side runs
 * with the container's root as its root directory, so no path or link the
 * container or the client made leads outside it, and what comes out goes
 * through the hardened unpacker.  Each runs in a child process, as joining
 * a container's namespaces takes the whole process. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api_int.h"
#include "lib/base/util.h"
#include "lib/runtime/ctrfs.h"
#include "lib/runtime/exec.h"
#include "lib/runtime/userns.h"
#include "lib/store/auth.h"
#include "lib/store/ctrcopy.h"

typedef int forked_fn(void *arg, struct err *e);

struct forked_err {
	int rc, errnum;
	char msg[1000];
};

/* fn(arg) in a child process; keep stays open in it */
static int run_forked(forked_fn *fn, void *arg, int keep, struct err *e)
{
	struct forked_err fe;
	int p[2], st;
	pid_t pid;
	size_t got = 0;

	if (pipe2(p, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return err_make(e, errno, "fork");
	}
	if (pid == 0) {
		struct err ce = ERR_INIT;
		int fds[2] = { p[1], keep };
		sigset_t all;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		/* the service's handlers and ignored signals are not the verb's */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		close_fds_except(3, fds, keep >= 0 ? 2 : 1);
		exec_skip_leak_check();
		memset(&fe, 0, sizeof fe);
		fe.rc = fn(arg, &ce);
		fe.errnum = ce.errnum;
		snprintf(fe.msg, sizeof fe.msg, "%s", ce.msg ? ce.msg : "");
		if (write(p[1], &fe, sizeof fe) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	while (got < sizeof fe) {
		ssize_t n = read(p[0], (char *)&fe + got, sizeof fe - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (got != sizeof fe)
		return err_make(e, 0, "the copy's process ended without an answer");
	if (fe.rc < 0) {
		err_make(e, 0, "%s", fe.msg);
		e->errnum = fe.errnum;
		return -1;
	}
	return 0;
}

struct job {
	struct api_ctr c;
	struct idmap m;
	struct ctr_copy cc;
	char *path;
	int fd; /* stat: where the answer goes; copy: the tar */
};

static void job_free(void *p)
{
	struct job *j = p;

	if (!j)
		return;
	j->c.spec.idmap = NULL;
	api_ctr_free(&j->c);
	idmap_free(&j->m);
	free(j->path);
	if (j->fd >= 0)
		close(j->fd);
	free(j);
}

static struct job *job_new(struct api_req *r, enum MHD_Result *res)
{
	const char *path = api_query(r, "path");
	struct err e = ERR_INIT;
	struct job *j;

	if (!path || !*path || strlen(path) > 4096) {
		*res = api_reply_error(r, MHD_HTTP_BAD_REQUEST, "path is required");
		return NULL;
	}
	j = calloc(1, sizeof *j);
	if (!j) {
		*res = MHD_NO;
		return NULL;
	}
	j->fd = -1;
	if (api_ctr_load(r, r->arg, &j->c, &e) < 0) {
		free(j);
		*res = api_reply_err(r, &e);
		err_clear(&e);
		return NULL;
	}
	j->cc.s = &j->c.spec;
	j->cc.archive = true;
	j->cc.init = api_ctr_running(&j->c) ? j->c.st.pid : 0;
	if (!j->cc.init && userns_lookup_cached(&j->m, r->b->idmap, r->b->runroot, &e) < 0) {
		job_free(j);
		*res = api_reply_err(r, &e);
		err_clear(&e);
		return NULL;
	}
	j->c.spec.idmap = &j->m;
	/* docker's paths are relative to the container's root */
	j->path = path[0] == '/' ? xstrdup(path) : xasprintf("/%s", path);
	return j;
}

/* ---- the stat ---- */

struct pstat {
	int found, err;
	mode_t mode;
	off_t size;
	time_t mtime;
	char link[512];
};

static int stat_fn(void *arg, struct err *e)
{
	struct job *j = arg;
	struct pstat ps;
	struct stat st;

	memset(&ps, 0, sizeof ps);
	if (lstat(j->path, &st) == 0) {
		ps.found = 1;
		ps.mode = st.st_mode;
		ps.size = st.st_size;
		ps.mtime = st.st_mtime;
		if (S_ISLNK(st.st_mode) && readlink(j->path, ps.link, sizeof ps.link - 1) < 0)
			ps.link[0] = '\0';
	} else {
		ps.err = errno;
	}
	if (write(j->fd, &ps, sizeof ps) != (ssize_t)sizeof ps)
		return err_make(e, errno, "writing the stat");
	return 0;
}

static int child_stat(void *arg, struct err *e)
{
	struct job *j = arg;
	return ctrfs_run(&j->c.spec, j->cc.init, stat_fn, j, e);
}

/* Go's os.FileMode bits, as docker sends them */
static unsigned long go_mode(mode_t m)
{
	unsigned long g = m & 0777;

	if (S_ISDIR(m))
		g |= 1UL << 31;
	else if (S_ISLNK(m))
		g |= 1UL << 27;
	else if (S_ISFIFO(m))
		g |= 1UL << 25;
	else if (S_ISSOCK(m))
		g |= 1UL << 24;
	else if (S_ISCHR(m))
		g |= (1UL << 26) | (1UL << 21);
	else if (S_ISBLK(m))
		g |= 1UL << 26;
	if (m & S_ISUID)
		g |= 1UL << 23;
	if (m & S_ISGID)
		g |= 1UL << 22;
	if (m & S_ISVTX)
		g |= 1UL << 20;
	return g;
}

/* the path's stat as docker's header value; -1 with the reply made */
static int path_stat(struct api_req *r, struct job *j, char **header, enum MHD_Result *res)
{
	struct err e = ERR_INIT;
	struct pstat ps;
	int p[2];
	ssize_t n;
	json_object *o;
	const char *base;
	char when[40];
	struct tm tm;

	if (pipe2(p, O_CLOEXEC) < 0) {
		*res = api_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "pipe: %s", strerror(errno));
		return -1;
	}
	j->fd = p[1];
	if (run_forked(child_stat, j, p[1], &e) < 0) {
		close(p[0]);
		close(p[1]);
		j->fd = -1;
		*res = api_reply_err(r, &e);
		err_clear(&e);
		return -1;
	}
	close(p[1]);
	j->fd = -1;
	n = read(p[0], &ps, sizeof ps);
	close(p[0]);
	if (n != (ssize_t)sizeof ps) {
		*res = api_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "no stat of %s", j->path);
		return -1;
	}
	if (!ps.found) {
		*res = api_reply_error(r,
				       ps.err == ENOENT || ps.err == ENOTDIR ? MHD_HTTP_NOT_FOUND
									     : MHD_HTTP_BAD_REQUEST,
				       "Could not find the file %s in container %s", j->path, r->arg);
		return -1;
	}
	base = strrchr(j->path, '/');
	base = base && base[1] ? base + 1 : j->path;
	gmtime_r(&ps.mtime, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(base));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)ps.size));
	json_object_object_add(o, "mode", json_object_new_int64((int64_t)go_mode(ps.mode)));
	json_object_object_add(o, "mtime", json_object_new_string(when));
	json_object_object_add(o, "linkTarget", json_object_new_string(ps.link));
	{
		const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
		*header = base64_encode(s, strlen(s));
	}
	json_object_put(o);
	return 0;
}

enum MHD_Result api_ctr_archive_head(struct api_req *r)
{
	enum MHD_Result res;
	struct job *j = job_new(r, &res);
	_cleanup_free_ char *hdr = NULL;

	if (!j)
		return res;
	if (path_stat(r, j, &hdr, &res) < 0) {
		job_free(j);
		return res;
	}
	job_free(j);
	return api_reply_header(r, MHD_HTTP_OK, "X-Docker-Container-Path-Stat", hdr, NULL, NULL, NULL, NULL);
}

/* ---- out ---- */

static int child_out(void *arg, struct err *e)
{
	struct job *j = arg;
	return ctr_copy_out(&j->cc, j->path, "-", j->fd, e);
}

static void out_stream(void *arg, int fd)
{
	struct job *j = arg;
	struct err e = ERR_INIT;

	j->fd = fd;
	if (run_forked(child_out, j, fd, &e) < 0)
		err_clear(&e); /* the tar ends short: the client sees it */
	j->fd = -1;
}

enum MHD_Result api_ctr_archive_get(struct api_req *r)
{
	enum MHD_Result res;
	struct job *j = job_new(r, &res);
	_cleanup_free_ char *hdr = NULL;

	if (!j)
		return res;
	if (path_stat(r, j, &hdr, &res) < 0) {
		job_free(j);
		return res;
	}
	return api_reply_header(r, MHD_HTTP_OK, "X-Docker-Container-Path-Stat", hdr, "application/x-tar",
				out_stream, j, job_free);
}

/* ---- in ---- */

static int child_in(void *arg, struct err *e)
{
	struct job *j = arg;
	return ctr_copy_in(&j->cc, "-", j->fd, j->path, e);
}

enum MHD_Result api_ctr_archive_put(struct api_req *r)
{
	enum MHD_Result res;
	struct job *j;
	struct err e = ERR_INIT;
	_cleanup_free_ char *hdr = NULL;
	int rc;

	if (r->body_fd < 0)
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST, "a tar archive is required");
	j = job_new(r, &res);
	if (!j)
		return res;
	if (path_stat(r, j, &hdr, &res) < 0) {
		job_free(j);
		return res;
	}
	j->fd = r->body_fd;
	lseek(j->fd, 0, SEEK_SET);
	rc = run_forked(child_in, j, j->fd, &e);
	j->fd = -1;
	job_free(j);
	if (rc < 0) {
		res = api_reply_error(r, MHD_HTTP_BAD_REQUEST, "%s", e.msg);
		err_clear(&e);
		return res;
	}
	return api_reply_empty(r, MHD_HTTP_OK);
}
