/* build.c - POST /build: a build from a tar context (plain or compressed)
 * in the request body, with `burrow build`'s engine (lib/build), its
 * output sent as docker's JSON lines: {"stream": ...} for the text,
 * {"aux":{"ID":...}} for the result, {"errorDetail":..,"error":..} for a
 * failure (HTTP 200 all the same, as docker does).
 *
 * remote= names the context instead: an http(s) URL of a tar (plain or
 * compressed) or of a Dockerfile served as text/plain, downloaded in the
 * build's process (lib/build/remote.c) up to max-layer-size; git URLs are
 * refused (400).
 *
 * The context is unpacked by the hostile-tar unpacker (no path leaves its
 * directory; max-layer-size and max-layer-entries bound it) into a private
 * directory under the runroot that the service removes afterwards.  The
 * build runs in a child process of its own, as a CLI process would: its RUN
 * steps start containers, which must see none of the service's threads and
 * descriptors. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api_int.h"
#include "lib/base/forkjob.h"
#include "lib/base/json.h"
#include "lib/base/syscalls.h"
#include "lib/base/util.h"
#include "lib/build/builder.h"
#include "lib/build/copy.h"
#include "lib/build/dockerfile.h"
#include "lib/runtime/userns.h"
#include "lib/store/store.h"

struct bjob {
	const struct api_backend *b;
	int body;
	char **tags, **args, **labels;
	char *dockerfile, *target, *network, *platform;
	char *remote; /* a URL of a tar or a Dockerfile, in place of the body */
	bool quiet, nocache, pull;
	struct api_jsonl j;
};

/* what the child reports */
struct bresult {
	int rc;
	char id[65];
	char msg[4000];
};

static void bjob_free(void *arg)
{
	struct bjob *j = arg;

	if (j->body >= 0)
		close(j->body);
	strv_free(j->tags);
	strv_free(j->args);
	strv_free(j->labels);
	free(j->dockerfile);
	free(j->target);
	free(j->network);
	free(j->platform);
	free(j->remote);
	free(j);
}

/* remote=: the download is the tar context, or the Dockerfile alone (in
 * a directory of its own under tmpdir) */
static int remote_context(struct bjob *j, const char *tmpdir, struct build_context **ctx, struct err *e)
{
	const struct config *cfg = j->b->cfg;
	uint64_t max = cfg->max_layer_size ? cfg->max_layer_size : API_SPOOL_MAX;
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *dir = NULL;
	bool text;
	int rc;

	if (build_remote_fetch(j->remote, tmpdir, max, &fd, &text, e) < 0)
		return -1;
	if (!text)
		return build_context_from_tar_limited(fd, tmpdir, cfg->max_layer_size, cfg->max_layer_entries,
						      ctx, e);
	dir = xasprintf("%s/remote-dockerfile", tmpdir);
	if (mkdir(dir, 0700) < 0)
		return err_make(e, errno, "creating %s", dir);
	{
		_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		_cleanup_close_ int out = -1;
		char buf[65536];
		ssize_t n = 0;
		if (dfd < 0)
			return err_make(e, errno, "opening %s", dir);
		out = openat(dfd, "Dockerfile", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (out < 0)
			return err_make(e, errno, "writing the remote Dockerfile");
		while ((n = read(fd, buf, sizeof buf)) > 0)
			if (write_all(out, buf, (size_t)n) < 0)
				return err_make(e, errno, "writing the remote Dockerfile");
		if (n < 0)
			return err_make(e, errno, "reading the remote Dockerfile");
	}
	free(j->dockerfile);
	j->dockerfile = NULL; /* the file is the Dockerfile, whatever its name */
	rc = build_context_open(dir, ctx, e);
	return rc;
}

static int child_build(struct bjob *j, const char *tmpdir, int out_fd, char id[65], struct err *e)
{
	const struct config *cfg = j->b->cfg;
	struct build_context *ctx = NULL;
	struct store *st = NULL;
	struct build_opts bo;
	struct idmap m;
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int rc;

	if (j->remote && remote_context(j, tmpdir, &ctx, e) < 0)
		return -1;
	if (!j->remote && build_context_from_tar_limited(j->body, tmpdir, cfg->max_layer_size,
							 cfg->max_layer_entries, &ctx, e) < 0)
		return -1;
	rc = build_context_read(ctx, j->dockerfile ? j->dockerfile : "Dockerfile", DF_MAX_SIZE, &text, &len,
				e);
	if (rc < 0 && !j->dockerfile && e->errnum == ENOENT) {
		err_clear(e);
		rc = build_context_read(ctx, "Containerfile", DF_MAX_SIZE, &text, &len, e);
	}
	if (rc < 0) {
		err_wrap(e, "reading the Dockerfile");
		build_context_free(ctx);
		return -1;
	}
	if (store_open(cfg->root, &st, e) < 0) {
		build_context_free(ctx);
		return -1;
	}
	store_set_limits(st, cfg->max_layer_size, cfg->max_layer_entries);
	memset(&m, 0, sizeof m);
	userns_lookup_cached(&m, cfg->idmap, cfg->runroot, e);
	err_clear(e);
	memset(&bo, 0, sizeof bo);
	bo.dockerfile = text;
	bo.dockerfile_len = len;
	bo.dockerfile_name = j->dockerfile ? j->dockerfile : "Dockerfile";
	bo.ctx = ctx;
	bo.tags = j->tags;
	bo.build_args = j->args;
	bo.labels = j->labels;
	bo.target = j->target;
	bo.no_cache = j->nocache;
	bo.layers = true;
	bo.pull = j->pull ? BUILD_PULL_ALWAYS : BUILD_PULL_MISSING;
	bo.tls_verify = true; /* loopback and insecure-registries: registry_open() */
	bo.network = j->network;
	bo.platform = j->platform;
	bo.userns_emulation = true;
	bo.out_fd = out_fd;
	bo.store = st;
	bo.idmap = &m;
	bo.cfg = cfg;
	rc = build_run(&bo, id, e);
	idmap_free(&m);
	store_close(st);
	build_context_free(ctx);
	return rc;
}

/* the builder's text, a line (or 4 KiB) at a time, as {"stream": ...} */
struct relay {
	char buf[4096];
	size_t have;
};

static void relay_feed(struct bjob *j, struct relay *rl, const char *p, size_t n)
{
	while (n > 0) {
		size_t take = n < sizeof rl->buf - 1 - rl->have ? n : sizeof rl->buf - 1 - rl->have;
		char *nl;
		memcpy(rl->buf + rl->have, p, take);
		rl->have += take;
		p += take;
		n -= take;
		while ((nl = memchr(rl->buf, '\n', rl->have)) || rl->have == sizeof rl->buf - 1) {
			size_t l = nl ? (size_t)(nl - rl->buf) + 1 : rl->have;
			char c = rl->buf[l];
			rl->buf[l] = '\0';
			api_jsonl_stream(&j->j, rl->buf);
			rl->buf[l] = c;
			memmove(rl->buf, rl->buf + l, rl->have - l);
			rl->have -= l;
		}
	}
}

/* Relay fd until the build's process pid has ended (not until EOF: a
 * process its RUN steps left, such as a network helper, may hold the pipe
 * a while longer), then what is left in the pipe. */
static void relay_output(struct bjob *j, int fd, pid_t pid)
{
	struct relay rl = { .have = 0 };
	int pfd = sys_pidfd_open(pid, 0);
	bool ended = false, eof = false;
	char buf[4096];

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	while (!eof) {
		struct pollfd p[2] = { { fd, POLLIN, 0 }, { pfd, POLLIN, 0 } };
		ssize_t n;
		if (!ended && poll(p, pfd >= 0 ? 2 : 1, pfd >= 0 ? -1 : 500) < 0 && errno != EINTR)
			break;
		if (pfd >= 0 && (p[1].revents & POLLIN))
			ended = true;
		if (pfd < 0 && !ended) {
			siginfo_t si = { .si_pid = 0 };
			ended = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
				si.si_pid == pid;
		}
		while ((n = read(fd, buf, sizeof buf)) > 0)
			relay_feed(j, &rl, buf, (size_t)n);
		if (n == 0 || (ended && n < 0 && errno == EAGAIN))
			eof = true;
	}
	if (pfd >= 0)
		close(pfd);
	if (rl.have) {
		rl.buf[rl.have] = '\0';
		api_jsonl_stream(&j->j, rl.buf);
	}
}

/* in the job's process (lib/base/forkjob.h): fds[0] the output pipe,
 * fds[1] the context's tar */
static void build_job(const void *arg, size_t len, const int *fds, size_t nfds, void *resp, size_t res_len)
{
	struct forkjob_buf in = { (char *)(uintptr_t)arg, len, 0, false };
	struct bresult *res = resp;
	struct err e = ERR_INIT;
	struct bjob j;
	char *tmpdir;

	(void)res_len;
	memset(&j, 0, sizeof j);
	forkjob_get(&in, &j.b, sizeof j.b);
	j.tags = forkjob_get_strv(&in);
	j.args = forkjob_get_strv(&in);
	j.labels = forkjob_get_strv(&in);
	j.dockerfile = forkjob_get_str(&in);
	j.target = forkjob_get_str(&in);
	j.network = forkjob_get_str(&in);
	j.platform = forkjob_get_str(&in);
	forkjob_get(&in, &j.quiet, sizeof j.quiet);
	forkjob_get(&in, &j.nocache, sizeof j.nocache);
	forkjob_get(&in, &j.pull, sizeof j.pull);
	j.remote = forkjob_get_str(&in);
	tmpdir = forkjob_get_str(&in);
	if (in.bad || nfds != (j.remote ? 1U : 2U) || !tmpdir) {
		res->rc = -1;
		snprintf(res->msg, sizeof res->msg, "a malformed build job");
		return;
	}
	j.body = j.remote ? -1 : fds[1];
	res->rc = child_build(&j, tmpdir, j.quiet ? -1 : fds[0], res->id, &e);
	snprintf(res->msg, sizeof res->msg, "%s", e.msg ? e.msg : "the build failed");
}

static void build_stream(void *arg, int fd)
{
	struct bjob *j = arg;
	_cleanup_free_ char *tmpdir = xasprintf("%s/api-build-XXXXXX", j->b->runroot);
	struct bresult res;
	struct err e = ERR_INIT;
	int out[2] = { -1, -1 };
	struct forkjob fj = { -1, 0 };
	size_t got = 0;

	j->j.fd = fd;
	memset(&res, 0, sizeof res);
	if (!mkdtemp(tmpdir)) {
		api_jsonl_error(&j->j, "cannot make a directory for the build context");
		return;
	}
	if (pipe2(out, O_CLOEXEC) < 0) {
		api_jsonl_error(&j->j, "cannot start the build");
		goto out;
	}
	{
		struct forkjob_buf ja = { NULL, 0, 0, false };
		int fds[2] = { out[1], j->body };
		int rc;

		forkjob_put(&ja, &j->b, sizeof j->b);
		forkjob_put_strv(&ja, j->tags);
		forkjob_put_strv(&ja, j->args);
		forkjob_put_strv(&ja, j->labels);
		forkjob_put_str(&ja, j->dockerfile);
		forkjob_put_str(&ja, j->target);
		forkjob_put_str(&ja, j->network);
		forkjob_put_str(&ja, j->platform);
		forkjob_put(&ja, &j->quiet, sizeof j->quiet);
		forkjob_put(&ja, &j->nocache, sizeof j->nocache);
		forkjob_put(&ja, &j->pull, sizeof j->pull);
		forkjob_put_str(&ja, j->remote);
		forkjob_put_str(&ja, tmpdir);
		rc = forkjob_spawn(build_job, ja.p, ja.len, fds, j->remote ? 1 : 2, sizeof res, &fj, &e);
		free(ja.p);
		if (rc < 0) {
			api_jsonl_error(&j->j, "cannot start the build");
			goto out;
		}
	}
	close(out[1]);
	out[1] = -1;
	relay_output(j, out[0], fj.pid);
	/* the report comes once the build's process is done (a process of a
	 * RUN step may hold the output pipe open: no waiting for its EOF) */
	if (forkjob_wait(&fj, &res, sizeof res, &e) < 0) {
		err_clear(&e);
		memset(&res, 0, sizeof res);
		got = 0;
	} else {
		got = sizeof res;
	}
	res.id[64] = '\0';
	res.msg[sizeof res.msg - 1] = '\0';
	if (got != sizeof res) {
		api_jsonl_error(&j->j, "the build's process ended without an answer");
	} else if (res.rc < 0) {
		api_jsonl_error(&j->j, res.msg);
	} else {
		_cleanup_free_ char *full = xasprintf("sha256:%s", res.id);
		json_object *o = json_object_new_object(), *aux = json_object_new_object();
		json_object_object_add(aux, "ID", json_object_new_string(full));
		json_object_object_add(o, "aux", aux);
		api_jsonl(&j->j, o);
		if (j->quiet) {
			_cleanup_free_ char *t = xasprintf("%s\n", full);
			api_jsonl_stream(&j->j, t);
		} else {
			_cleanup_free_ char *t = xasprintf("Successfully built %.12s\n", res.id);
			api_jsonl_stream(&j->j, t);
		}
	}
out:
	for (int i = 0; i < 2; i++)
		if (out[i] >= 0)
			close(out[i]);
	if (rm_rf_at(AT_FDCWD, tmpdir, &e) < 0)
		err_clear(&e);
	err_clear(&e);
}

/* buildargs and labels: a JSON object of strings -> "K=V" */
static int kv_json(const char *q, char ***out)
{
	struct err e = ERR_INIT;
	json_object *o;

	if (!q || !*q)
		return 0;
	if (strlen(q) > 1024 * 1024 || json_parse_strict(q, strlen(q), "build query", &o, &e) < 0) {
		err_clear(&e);
		return -1;
	}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -1;
	}
	json_object_object_foreach(o, k, v) {
		_cleanup_free_ char *kv = NULL;
		if (json_object_is_type(v, json_type_null))
			continue; /* docker: a null value takes none */
		if (!json_object_is_type(v, json_type_string) || !*k) {
			json_object_put(o);
			return -1;
		}
		kv = xasprintf("%s=%s", k, json_object_get_string(v));
		strv_push(out, kv);
	}
	json_object_put(o);
	return 0;
}

static enum MHD_Result collect_tags(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	char ***v = cls;

	(void)kind;
	if (strcmp(key, "t") == 0 && value && *value && strv_len(*v) < 256)
		strv_push(v, value);
	return MHD_YES;
}

static char *opt_str(struct api_req *r, const char *key)
{
	const char *v = api_query(r, key);

	return v && *v && strlen(v) <= 4096 ? xstrdup(v) : NULL;
}

enum MHD_Result api_build(struct api_req *r)
{
	const char *net = api_query(r, "networkmode"), *remote = api_query(r, "remote");
	struct bjob *j;

	if (remote && *remote && build_remote_is_git(remote))
		return api_reply_error(
			r, MHD_HTTP_BAD_REQUEST,
			"remote git repositories are not supported as build contexts (%.200s): "
			"send the context as a tar, or the URL of a tar",
			remote);
	if (remote && *remote && strncmp(remote, "http://", 7) != 0 && strncmp(remote, "https://", 8) != 0)
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST,
				       "remote must be an http(s) URL of a tar or a Dockerfile: %.200s",
				       remote);
	if (remote && strlen(remote) > 4096)
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST, "remote: the URL is too long");
	if (r->body_fd < 0 && !(remote && *remote))
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST,
				       "the request body must be the build context (a tar)");
	if (!r->b->cfg)
		return api_reply_error(r, MHD_HTTP_NOT_IMPLEMENTED, "build is not available");
	j = xcalloc(1, sizeof *j);
	j->b = r->b;
	j->body = -1;
	if (remote && *remote)
		j->remote = xstrdup(remote); /* a body, if any, is not read */
	else
		j->body = fcntl(r->body_fd, F_DUPFD_CLOEXEC, 3);
	if (!j->remote && (j->body < 0 || lseek(j->body, 0, SEEK_SET) < 0)) {
		bjob_free(j);
		return api_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "reading the body: %s",
				       strerror(errno));
	}
	if (kv_json(api_query(r, "buildargs"), &j->args) < 0 ||
	    kv_json(api_query(r, "labels"), &j->labels) < 0) {
		bjob_free(j);
		return api_reply_error(r, MHD_HTTP_BAD_REQUEST,
				       "buildargs and labels must be JSON objects of strings");
	}
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect_tags, &j->tags);
	j->dockerfile = opt_str(r, "dockerfile");
	j->target = opt_str(r, "target");
	j->platform = opt_str(r, "platform");
	/* docker's "default" and "bridge" are the builder's default */
	if (net && *net && strcmp(net, "default") != 0 && strcmp(net, "bridge") != 0)
		j->network = opt_str(r, "networkmode");
	j->quiet = api_query_bool(r, "q", false);
	j->nocache = api_query_bool(r, "nocache", false);
	j->pull = api_query_bool(r, "pull", false);
	/* rm and forcerm: the builder keeps no containers either way */
	return api_reply_stream(r, MHD_HTTP_OK, "application/json", build_stream, j, bjob_free);
}
