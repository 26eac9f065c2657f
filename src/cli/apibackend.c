/* apibackend.c - the container verbs behind the API (lib/api/api.h): the
 * CLI's own code, each verb that starts, stops or removes run in a process
 * of its own (lib/base/forkjob.h), as a CLI process would, so that the
 * service's threads and descriptors never reach a supervisor and a verb's
 * process-wide settings (signals, umask) stay out of the service. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apibackend.h"
#include "ctrjson.h"
#include "ctropts.h"
#include "ctrutil.h"
#include "ctrvol.h"
#include "lib/base/forkjob.h"
#include "lib/base/util.h"

/* what a child reports */
struct result {
	int rc, errnum, status;
	char out[80];
	char msg[3900];
};

struct job {
	const char *id, *net, *ip;
	int argc;
	char **argv;
	int sig, timeout;
	bool flag, flag2;
};

typedef int job_fn(struct globals *g, struct job *j, char *out, size_t n, struct err *e);

/* in the job's process (lib/base/forkjob.h): fn as a CLI process runs it */
static void job_main(const void *arg, size_t len, const int *fds, size_t nfds, void *resp, size_t res_len)
{
	struct forkjob_buf in = { (char *)(uintptr_t)arg, len, 0, false };
	struct result *res = resp;
	struct globals *tmpl, g;
	struct err ce = ERR_INIT;
	struct job j;
	job_fn *fn;
	char *id, *net, *ip;

	(void)fds;
	(void)nfds;
	(void)res_len;
	memset(&j, 0, sizeof j);
	forkjob_get(&in, &fn, sizeof fn);
	forkjob_get(&in, &tmpl, sizeof tmpl);
	forkjob_get(&in, &j.sig, sizeof j.sig);
	forkjob_get(&in, &j.timeout, sizeof j.timeout);
	forkjob_get(&in, &j.flag, sizeof j.flag);
	forkjob_get(&in, &j.flag2, sizeof j.flag2);
	id = forkjob_get_str(&in);
	j.id = id;
	net = forkjob_get_str(&in);
	j.net = net;
	ip = forkjob_get_str(&in);
	j.ip = ip;
	j.argv = forkjob_get_strv(&in);
	while (j.argv && j.argv[j.argc])
		j.argc++;
	if (in.bad) {
		res->rc = err_make(&ce, EINVAL, "a malformed job");
	} else {
		g = *tmpl;
		g.store = NULL;
		g.may_open_store = true;
		res->rc = fn(&g, &j, res->out, sizeof res->out, &ce);
		cli_store_close(&g);
	}
	res->errnum = ce.errnum;
	res->status = ce.status;
	snprintf(res->msg, sizeof res->msg, "%s", ce.msg ? ce.msg : "");
}

/* fn(j) in a process of its own, as a CLI process would run it */
static int run_child(struct globals *tmpl, job_fn *fn, struct job *j, char *out, size_t n, struct err *e)
{
	struct forkjob_buf arg = { NULL, 0, 0, false };
	struct result res;
	int rc;

	forkjob_put(&arg, &fn, sizeof fn);
	forkjob_put(&arg, &tmpl, sizeof tmpl);
	forkjob_put(&arg, &j->sig, sizeof j->sig);
	forkjob_put(&arg, &j->timeout, sizeof j->timeout);
	forkjob_put(&arg, &j->flag, sizeof j->flag);
	forkjob_put(&arg, &j->flag2, sizeof j->flag2);
	forkjob_put_str(&arg, j->id);
	forkjob_put_str(&arg, j->net);
	forkjob_put_str(&arg, j->ip);
	forkjob_put_strv(&arg, j->argv);
	rc = forkjob_run(job_main, arg.p, arg.len, NULL, 0, &res, sizeof res, e);
	free(arg.p);
	if (rc < 0)
		return -1;
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

static void be_inspect_loaded(void *ctx, const char *id, json_object *cfg, const struct container_spec *spec,
			      const struct ctr_state *st, json_object **out, char **status)
{
	struct ctr c;

	(void)ctx;
	/* borrowed from the caller, which frees them */
	memset(&c, 0, sizeof c);
	snprintf(c.id, sizeof c.id, "%s", id);
	c.cfg = cfg;
	c.spec = *spec;
	c.st = *st;
	*out = ctr_inspect_json(&c);
	*status = ctr_status_text(&c);
}

static char *be_status_text(void *ctx, const struct ctr_state *st)
{
	struct ctr c;

	(void)ctx;
	memset(&c, 0, sizeof c);
	c.st = *st; /* borrowed */
	return ctr_status_text(&c);
}

/* network connect and disconnect join the container's namespaces when it
 * runs: a child of their own, like the CLI's process */
static int netconn_fn(struct globals *g, struct job *j, char *out, size_t n, struct err *e)
{
	(void)out;
	(void)n;
	return j->flag ? ctr_net_connect(g, j->net, j->id, j->argv, j->ip, e)
		       : ctr_net_disconnect(g, j->net, j->id, e);
}

static int be_net_connect(void *ctx, const char *net, const char *id, char *const *aliases, const char *ip,
			  struct err *e)
{
	struct job j = { .id = id, .net = net, .ip = ip, .argv = (char **)(uintptr_t)aliases, .flag = true };

	return run_child(G(ctx), netconn_fn, &j, NULL, 0, e);
}

static int be_net_disconnect(void *ctx, const char *net, const char *id, struct err *e)
{
	struct job j = { .id = id, .net = net };

	return run_child(G(ctx), netconn_fn, &j, NULL, 0, e);
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
	b->inspect_loaded = be_inspect_loaded;
	b->status_text = be_status_text;
	b->net_connect = be_net_connect;
	b->net_disconnect = be_net_disconnect;
}
