/* archive.c - files in and out of a container (docker cp): HEAD and GET
 * /containers/{id}/archive?path=P (the path's stat in the
 * X-Docker-Container-Path-Stat header; GET adds a tar of it) and PUT (a tar
 * unpacked into the directory P); GET /containers/{id}/export (a tar of
 * the whole filesystem) and GET /containers/{id}/changes (docker diff).
 *
 * The copying is cp's own (lib/store/ctrcopy.h): the container's side runs
 * with the container's root as its root directory, so no path or link the
 * container or the client made leads outside it, and what comes out goes
 * through the hardened unpacker. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api_int.h"
#include "lib/base/forkjob.h"
#include "lib/base/util.h"
#include "lib/runtime/ctrfs.h"
#include "lib/runtime/exec.h"
#include "lib/runtime/userns.h"
#include "lib/store/auth.h"
#include "lib/store/ctrcopy.h"
#include "lib/store/ctrdiff.h"

struct job {
	const struct api_backend *b;
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

/* the container (it exists: 404 else) and the path, made absolute */
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
	j->b = r->b;
	if (api_ctr_load(r, r->arg, &j->c, &e) < 0) {
		free(j);
		*res = api_reply_err(r, &e);
		err_clear(&e);
		return NULL;
	}
	/* docker's paths are relative to the container's root */
	j->path = path[0] == '/' ? xstrdup(path) : xasprintf("/%s", path);
	return j;
}

/* ---- each step in a process of its own (lib/base/forkjob.h), as joining
 * a container's namespaces takes the whole process ---- */

enum step { STEP_STAT, STEP_OUT, STEP_IN, STEP_EXPORT };

struct step_result {
	int rc, errnum;
	char msg[1000];
};

static int stat_fn(void *arg, struct err *e);

static int step(struct job *j, enum step what, struct err *e)
{
	j->c.spec.idmap = NULL;
	j->cc.s = &j->c.spec;
	j->cc.archive = true;
	j->cc.init = api_ctr_running(&j->c) ? j->c.st.pid : 0;
	if (!j->cc.init && userns_lookup_cached(&j->m, j->b->idmap, j->b->runroot, e) < 0)
		return -1;
	j->c.spec.idmap = &j->m;
	switch (what) {
	case STEP_STAT:
		return ctrfs_run(&j->c.spec, j->cc.init, stat_fn, j, e);
	case STEP_OUT:
		return ctr_copy_out(&j->cc, j->path, "-", j->fd, e);
	case STEP_IN:
		return ctr_copy_in(&j->cc, "-", j->fd, j->path, e);
	case STEP_EXPORT:
		return ctr_export(&j->cc, j->fd, e);
	default:
		return err_make(e, EINVAL, "no such step");
	}
}

static void step_job(const void *arg, size_t len, const int *fds, size_t nfds, void *res, size_t res_len)
{
	struct forkjob_buf in = { (char *)(uintptr_t)arg, len, 0, false };
	struct step_result *sr = res;
	struct job j;
	struct err e = ERR_INIT;
	enum step what;
	char id[65];

	(void)res_len;
	exec_skip_leak_check();
	memset(&j, 0, sizeof j);
	j.fd = nfds > 0 ? fds[0] : -1;
	forkjob_get(&in, &j.b, sizeof j.b);
	forkjob_get(&in, id, sizeof id);
	id[sizeof id - 1] = '\0';
	forkjob_get(&in, &what, sizeof what);
	j.path = forkjob_get_str(&in);
	if (in.bad || !j.path)
		sr->rc = err_make(&e, EINVAL, "a malformed copy job");
	else if (api_ctr_load_id(j.b, id, &j.c, &e) < 0)
		sr->rc = -1;
	else
		sr->rc = step(&j, what, &e);
	sr->errnum = e.errnum;
	snprintf(sr->msg, sizeof sr->msg, "%s", e.msg ? e.msg : "");
}

/* one step for j, with fd (-1: none) open in its process */
static int run_step(struct job *j, enum step what, int fd, struct err *e)
{
	struct forkjob_buf arg = { NULL, 0, 0, false };
	struct step_result sr;
	int rc;

	forkjob_put(&arg, &j->b, sizeof j->b);
	forkjob_put(&arg, j->c.id, sizeof j->c.id);
	forkjob_put(&arg, &what, sizeof what);
	forkjob_put_str(&arg, j->path);
	rc = forkjob_run(step_job, arg.p, arg.len, &fd, fd >= 0 ? 1 : 0, &sr, sizeof sr, e);
	free(arg.p);
	if (rc < 0)
		return -1;
	if (sr.rc < 0) {
		err_make(e, 0, "%s", sr.msg);
		e->errnum = sr.errnum;
		return -1;
	}
	return 0;
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
	if (run_step(j, STEP_STAT, p[1], &e) < 0) {
		close(p[0]);
		close(p[1]);
		*res = api_reply_err(r, &e);
		err_clear(&e);
		return -1;
	}
	close(p[1]);
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

static void out_stream(void *arg, int fd)
{
	struct job *j = arg;
	struct err e = ERR_INIT;

	if (run_step(j, STEP_OUT, fd, &e) < 0)
		err_clear(&e); /* the tar ends short: the client sees it */
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
	lseek(r->body_fd, 0, SEEK_SET);
	rc = run_step(j, STEP_IN, r->body_fd, &e);
	job_free(j);
	if (rc < 0) {
		res = api_reply_error(r, MHD_HTTP_BAD_REQUEST, "%s", e.msg);
		err_clear(&e);
		return res;
	}
	return api_reply_empty(r, MHD_HTTP_OK);
}

/* ---- export: the whole filesystem as a tar (docker export) ---- */

static void export_stream(void *arg, int fd)
{
	struct job *j = arg;
	struct err e = ERR_INIT;

	if (run_step(j, STEP_EXPORT, fd, &e) < 0)
		err_clear(&e); /* the tar ends short: the client sees it */
}

enum MHD_Result api_ctr_export(struct api_req *r)
{
	struct err e = ERR_INIT;
	enum MHD_Result res;
	struct job *j = calloc(1, sizeof *j);

	if (!j)
		return MHD_NO;
	j->fd = -1;
	j->b = r->b;
	if (api_ctr_load(r, r->arg, &j->c, &e) < 0) {
		free(j);
		res = api_reply_err(r, &e);
		err_clear(&e);
		return res;
	}
	j->path = xstrdup("");
	return api_reply_stream(r, MHD_HTTP_OK, "application/x-tar", export_stream, j, job_free);
}

/* ---- changes: docker diff's list, Kind 0 changed, 1 added, 2 deleted ---- */

enum MHD_Result api_ctr_changes(struct api_req *r)
{
	struct api_ctr c;
	struct err e = ERR_INIT;
	struct ctr_change *v;
	enum MHD_Result res;
	json_object *a;
	size_t n;

	if (api_ctr_load(r, r->arg, &c, &e) < 0 || ctr_changes(&c.spec, &v, &n, &e) < 0) {
		res = api_reply_err(r, &e);
		err_clear(&e);
		api_ctr_free(&c);
		return res;
	}
	a = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "Path", json_object_new_string(v[i].path));
		json_object_object_add(o, "Kind",
				       json_object_new_int(v[i].kind == 'C'   ? 0
							   : v[i].kind == 'A' ? 1
									      : 2));
		json_object_array_add(a, o);
	}
	ctr_changes_free(v, n);
	api_ctr_free(&c);
	return api_reply_json(r, MHD_HTTP_OK, a);
}
