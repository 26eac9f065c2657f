/* run.c - burrow run: create a container from an image and run it, attached
 * (the CLI relays the terminal and signals) or with -d under its supervisor
 * (see src/lib/runtime/supervisor.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "cli/ctropts.h"
#include "cli/ctrutil.h"
#include "lib/record/container.h"
#include "lib/base/log.h"
#include "lib/store/pull.h"
#include "lib/store/store.h"
#include "cli/progress.h"
#include "lib/base/util.h"

static const char run_usage[] = "[OPTIONS] IMAGE [COMMAND [ARG...]]";
static const char run_summary[] = "Run a command in a new container.";

/* Shared by run and create: parse, resolve the image, build the spec and
 * write the record.  Returns 1 for --help, 0 when the record exists. */
int run_create_record(struct globals *g, const char *verb, int argc, char **argv,
		      struct container_spec *s, struct idmap *m, struct err *e);

/* --pull: missing (default) pulls only an image the store lacks; always
 * pulls first; never uses the store only.  Progress goes to stderr, as
 * podman's does, and only on a terminal. */
static int resolve_image(struct globals *g, const struct run_args *a, struct store *st,
			 const struct idmap *m, struct image **img, struct err *e)
{
	const char *policy = a->pull ? a->pull : "missing";
	struct pull_opts po;
	struct progress pr;
	char id[65];
	int rc;

	if (strcmp(policy, "always") != 0) {
		if (store_image_get(st, a->image, img, e) == 0)
			return 0;
		if (e->errnum != ENOENT || strcmp(policy, "never") == 0)
			return -1;
		err_clear(e);
	}
	memset(&po, 0, sizeof po);
	po.tls_verify = a->tls_verify;
	po.platform = a->platform;
	po.runroot = g->cfg.runroot;
	po.search_registries = g->cfg.search_registries;
	po.progress = progress_fn;
	po.progress_ctx = &pr;
	po.cancel = &progress_cancel;
	progress_init(&pr, !isatty(STDERR_FILENO));
	progress_catch_signals();
	rc = store_pull(st, m, a->image, &po, id, e);
	progress_finish(&pr);
	if (rc < 0)
		return err_wrap(e, "pulling %s", a->image);
	return store_image_get(st, id, img, e);
}

int run_create_record(struct globals *g, const char *verb, int argc, char **argv,
		      struct container_spec *s, struct idmap *m, struct err *e)
{
	struct run_args a;
	struct store *st = NULL;
	struct image *img = NULL;
	bool help = false;
	int rc = -1;

	memset(&a, 0, sizeof a);
	if (run_parse_args(verb, argc, argv, &a, &help, e) < 0) {
		e->status = -2; /* a usage error */
		goto out;
	}
	if (help) {
		opt_print_help(stdout, verb, run_usage,
			       strcmp(verb, "run") == 0 ? run_summary : "Create a container without starting it.",
			       ctr_opts);
		rc = 1;
		goto out;
	}
	if (strcmp(verb, "create") == 0)
		a.detach = true; /* started later by start, under a supervisor */
	if (config_ensure_dirs(&g->cfg, e) < 0 || userns_lookup_cached(m, g->cfg.idmap, g->cfg.runroot, e) < 0 ||
	    store_open(g->cfg.root, &st, e) < 0 || resolve_image(g, &a, st, m, &img, e) < 0)
		goto out;
	if (run_build_spec(g, &a, img, m, st, s, e) < 0 ||
	    container_create_record(g->cfg.root, s, a.name, e) < 0)
		goto out;
	rc = 0;
out:
	run_args_free(&a);
	if (img)
		image_free(img);
	if (st)
		store_close(st);
	return rc;
}

CMD_DECL(run)
{
	struct container_spec s;
	struct idmap m;
	struct err e = ERR_INIT;
	int rc, code = 125;

	memset(&s, 0, sizeof s);
	memset(&m, 0, sizeof m);
	log_debug("run: start");
	rc = run_create_record(g, "run", argc, argv, &s, &m, &e);
	if (rc == 1) {
		rc = 0;
		goto out;
	}
	if (rc < 0) {
		if (e.status == -2) {
			rc = cmd_usage_error("run", &e);
			goto out;
		}
		e.status = 0; /* everything before the container starts is a tool error */
		rc = cmd_fail(&e);
		goto out;
	}
	log_debug("run: record ready");
	if (ctr_launch(g, &s, &code, &e) < 0) {
		rc = err_exit_status(&e);
		fprintf(stderr, "burrow: error: %s\n", e.msg);
		goto out;
	}
	if (s.detach)
		printf("%s\n", s.id);
	rc = s.detach ? 0 : code;
out:
	err_clear(&e);
	container_spec_free(&s);
	idmap_free(&m);
	return rc;
}
