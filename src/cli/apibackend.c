/* apibackend.c - the container verbs behind the API (lib/api/api.h): the
 * CLI's own code, each verb that starts, stops or removes run in a child
 * process of its own, as a CLI process would, so that the service's threads
 * and descriptors never reach a supervisor and a verb's process-wide
 * settings (signals, umask) stay out of the service. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apibackend.h"
#include "ctrjson.h"
#include "ctropts.h"
#include "ctrutil.h"
#include "ctrvol.h"
#include "lib/base/util.h"

/* what a child reports */
struct result {
	int rc, errnum, status;
	char out[80];
	char msg[3900];
};

struct job {
	const char *id;
	int argc;
	char **argv;
	int sig, timeout;
	bool flag, flag2;
};

typedef int job_fn(struct globals *g, struct job *j, char *out, size_t n, struct err *e);

static int run_child(struct globals *tmpl, job_fn *fn, struct job *j, char *out, size_t n, struct err *e)
{
	struct result res;
	int p[2], status;
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
		struct globals g = *tmpl;
		struct err ce = ERR_INIT;
		int keep[1];
		sigset_t all;

		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		signal(SIGPIPE, SIG_DFL);
		/* the service's handlers and ignored signals are not the verb's */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		keep[0] = p[1];
		close_fds_except(3, keep, 1);
		g.store = NULL;
		g.may_open_store = true;
		memset(&res, 0, sizeof res);
		res.rc = fn(&g, j, res.out, sizeof res.out, &ce);
		res.errnum = ce.errnum;
		res.status = ce.status;
		snprintf(res.msg, sizeof res.msg, "%s", ce.msg ? ce.msg : "");
		cli_store_close(&g);
		if (write(p[1], &res, sizeof res) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	while (got < sizeof res) {
		ssize_t r = read(p[0], (char *)&res + got, sizeof res - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got != sizeof res)
		return err_make(e, 0, "the verb's process ended without an answer");
	if (res.rc < 0) {
		err_make(e, 0, "%s", res.msg);
		e->errnum = res.errnum;
		e->status = res.status;
		return -1;
	}
	if (out && n > 0) {
		size_t l = strnlen(res.out, sizeof res.out - 1);
		if (l >= n)
			l = n - 1;
		memcpy(out, res.out, l);
		out[l] = '\0';
	}
	return 0;
}

static struct globals *G(void *ctx)
{
	return ctx;
}

static int create_fn(struct globals *g, struct job *j, char *out, size_t n, struct err *e)
{
	struct container_spec s;
	struct idmap m;
	int rc;

	memset(&s, 0, sizeof s);
	memset(&m, 0, sizeof m);
	rc = ctr_create_record(g, "create", j->argc, j->argv, &s, &m, e);
	if (rc == 0)
		snprintf(out, n, "%s", s.id);
	else if (rc > 0)
		rc = err_make(e, EINVAL, "invalid create options");
	container_spec_free(&s);
	idmap_free(&m);
	return rc;
}

static int be_create(void *ctx, int argc, char **argv, char id[65], struct err *e)
{
	struct job j = { .argc = argc, .argv = argv };

	return run_child(G(ctx), create_fn, &j, id, 65, e);
}

static int start_fn(struct globals *g, struct job *j, char *out, size_t n, struct err *e)
{
	struct ctr c;
	int code = 0, rc;

	(void)out;
	(void)n;
	if (ctr_load_id(g, j->id, &c, e) < 0)
		return -1;
	if (c.st.status == ST_REMOVING) {
		ctr_free(&c);
		return err_make(e, EBUSY, "container %.12s is being removed", j->id);
	}
	c.spec.detach = true;
	rc = ctr_relaunch(g, &c, &code, e);
	ctr_free(&c);
	return rc;
}

static int be_start(void *ctx, const char *id, struct err *e)
{
	struct job j = { .id = id };

	return run_child(G(ctx), start_fn, &j, NULL, 0, e);
}

static int stop_fn(struct globals *g, struct job *j, char *out, size_t n, struct err *e)
{
	struct ctr c;
	int rc;

	(void)out;
	(void)n;
	if (ctr_load_id(g, j->id, &c, e) < 0)
		return -1;
	rc = ctr_stop(g, &c,
		      j->sig               ? j->sig
		      : c.spec.stop_signal ? c.spec.stop_signal
					   : SIGTERM,
		      j->timeout >= 0 ? j->timeout : c.spec.stop_timeout, e);
	ctr_free(&c);
	return rc;
}

static int be_stop(void *ctx, const char *id, int sig, int timeout, struct err *e)
{
	struct job j = { .id = id, .sig = sig, .timeout = timeout };

	return run_child(G(ctx), stop_fn, &j, NULL, 0, e);
}

static int be_kill(void *ctx, const char *id, int sig, struct err *e)
{
	struct ctr c;
	int rc;

	if (ctr_load_id(G(ctx), id, &c, e) < 0)
		return -1;
	rc = ctr_kill(&c, sig, e);
	ctr_free(&c);
	return rc;
}

static int pause_fn(struct globals *g, struct job *j, char *out, size_t n, struct err *e)
{
	(void)out;
	(void)n;
	return ctr_pause(g, j->id, j->flag, e);
}

static int be_pause(void *ctx, const char *id, bool pause, struct err *e)
{
	struct job j = { .id = id, .flag = pause };

	return run_child(G(ctx), pause_fn, &j, NULL, 0, e);
}

static int remove_fn(struct globals *g, struct job *j, char *out, size_t n, struct err *e)
{
	struct ctr c;
	int rc;

	(void)out;
	(void)n;
	if (!j->flag2)
		return ctr_remove_id(g, j->id, j->flag, e);
	if (ctr_load_id(g, j->id, &c, e) < 0)
		return -1;
	rc = ctr_remove_id(g, j->id, j->flag, e);
	if (rc == 0)
		rc = ctr_remove_anon_volumes(g, &c.spec, e);
	ctr_free(&c);
	return rc;
}

static int be_remove(void *ctx, const char *id, bool force, bool volumes, struct err *e)
{
	struct job j = { .id = id, .flag = force, .flag2 = volumes };

	return run_child(G(ctx), remove_fn, &j, NULL, 0, e);
}

static int be_inspect(void *ctx, const char *id, json_object **out, char **status, struct err *e)
{
	struct ctr c;

	if (ctr_load_id(G(ctx), id, &c, e) < 0)
		return -1;
	*out = ctr_inspect_json(&c);
	*status = ctr_status_text(&c);
	ctr_free(&c);
	return 0;
}

void api_backend_init(struct api_backend *b, struct globals *g)
{
	memset(b, 0, sizeof *b);
	b->ctx = g;
	b->root = g->cfg.root;
	b->runroot = g->cfg.runroot;
	b->idmap = g->cfg.idmap;
	b->search_registries = g->cfg.search_registries;
	b->cfg = &g->cfg;
	b->create = be_create;
	b->start = be_start;
	b->stop = be_stop;
	b->kill = be_kill;
	b->pause = be_pause;
	b->remove = be_remove;
	b->inspect = be_inspect;
}
