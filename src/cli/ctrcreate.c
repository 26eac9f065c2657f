/* ctrcreate.c - what run and create share: parse the options, find (or
 * pull) the image, build the spec and write the container's record. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctropts.h"
#include "ctrvol.h"
#include "lib/runtime/userns.h"
#include "lib/store/pull.h"
#include "lib/store/store.h"
#include "lib/store/volume.h"
#include "lib/base/util.h"
#include "progress.h"

/* --pull: missing (default) pulls only an image the store lacks; always
 * pulls first; never uses the store only.  Progress goes to stderr, as
 * podman's does, and only on a terminal. */
static int resolve_image(struct globals *g, const struct run_args *a, struct store *st, const struct idmap *m,
			 struct image **img, struct err *e)
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

int ctr_create_record(struct globals *g, const char *verb, int argc, char **argv, struct container_spec *s,
		      struct idmap *m, struct err *e)
{
	struct run_args a;
	struct store *st = NULL;
	struct image *img = NULL;
	bool help = false;
	char **made = NULL;
	int rc = -1, vlock = -1;

	memset(&a, 0, sizeof a);
	if (run_parse_args(verb, argc, argv, &a, &help, e) < 0) {
		err_mark_usage(e);
		goto out;
	}
	if (help) {
		opt_print_help(stdout, verb, "[OPTIONS] IMAGE [COMMAND [ARG...]]",
			       strcmp(verb, "run") == 0 ? "Run a command in a new container."
							: "Create a container without starting it.",
			       ctr_opts);
		rc = 1;
		goto out;
	}
	if (strcmp(verb, "create") == 0)
		a.o.detach = true; /* started later by start, under a supervisor */
	if (cli_store(g, &st, e) < 0 || userns_lookup_cached(m, g->cfg.idmap, g->cfg.runroot, e) < 0 ||
	    resolve_image(g, &a, st, m, &img, e) < 0)
		goto out;
	if (run_build_spec(g, &a, img, m, st, s, e) < 0 ||
	    (a.volumes_from && ctr_volumes_from(g, a.volumes_from, s, e) < 0))
		goto out;
	/* volumes are made under their lock, which is held until the record
	 * names them (volume rm checks the records); none is left behind */
	if (ctr_has_volumes(s)) {
		vlock = volume_lock(g->cfg.root, e);
		if (vlock < 0)
			goto out;
		if (ctr_resolve_volumes(g->cfg.root, s, &made, e) < 0) {
			ctr_volumes_rollback(g->cfg.root, m, made);
			goto out;
		}
	}
	if (container_create_record(g->cfg.root, s, a.name, e) < 0) {
		ctr_volumes_rollback(g->cfg.root, m, made);
		goto out;
	}
	rc = 0;
out:
	if (vlock >= 0)
		close(vlock);
	strv_free(made);
	run_args_free(&a);
	if (img)
		image_free(img);
	cli_store_close(g);
	return rc;
}
