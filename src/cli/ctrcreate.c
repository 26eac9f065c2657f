/* ctrcreate.c - what run and create share: parse the options, find (or
 * pull) the image, build the spec and write the container's record. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctropts.h"
#include "ctrutil.h"
#include "lib/base/util.h"
#include "lib/runtime/seccomp.h"
#include "ctrvol.h"
#include "lib/runtime/userns.h"
#include "lib/store/pull.h"
#include "lib/store/sqfile.h"
#include "lib/store/store.h"
#include "lib/store/volume.h"
#include "lib/net/network.h"
#include "progress.h"
#include "lib/record/events.h"

/* --pull: missing (default) pulls only an image the store lacks; always
 * pulls first; never uses the store only.  Progress goes to stderr, as
 * podman's does, and only on a terminal. */
static int resolve_image(struct globals *g, struct run_args *a, struct store *st, const struct idmap *m,
			 struct image **img, struct err *e)
{
	const char *policy = a->pull ? a->pull : "missing";
	struct pull_opts po;
	struct progress pr;
	char id[65];
	int rc;

	/* a single-file image: read (and checked) where it is, never pulled */
	if (sqfile_is_path(a->image))
		return sqfile_image(a->image, img, &a->sqfs_config, e);
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
	progress_init(&pr, a->quiet || !isatty(STDERR_FILENO));
	progress_catch_signals();
	rc = store_pull(st, m, a->image, &po, id, e);
	progress_finish(&pr);
	if (rc < 0)
		return err_wrap(e, "pulling %s", a->image);
	cli_image_event(g, "pull", id, a->image);
	return store_image_get(st, id, img, e);
}

/* --replace: the container that has the name goes first, running or not */
static int replace_named(struct globals *g, const char *name, struct err *e)
{
	char id[65];

	if (container_lookup(g->cfg.root, name, id, e) < 0) {
		if (e->errnum != ENOENT)
			return -1;
		err_clear(e);
		return 0;
	}
	if (strcmp(id, name) != 0 && strncmp(id, name, strlen(name)) == 0) {
		/* a prefix of another container's ID is not its name */
		return 0;
	}
	if (ctr_remove_id(g, id, true, e) < 0)
		return -1;
	/* podman names the container it replaced before the new one's ID */
	printf("%s\n", name);
	fflush(stdout);
	return 0;
}

/* --cidfile: made before the record so that an existing file stops the
 * create with nothing left behind, as podman's */
static int cidfile_write(const struct container_spec *s, struct err *e)
{
	int fd = open(s->cidfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	ssize_t n;

	if (fd < 0) {
		if (errno == EEXIST)
			return err_make(e, 0,
					"container id file exists. Ensure another container is not using it "
					"or delete %s",
					s->cidfile);
		return err_make(e, errno, "opening cidfile %s", s->cidfile);
	}
	n = write(fd, s->id, 64);
	if (n != 64 || close(fd) < 0) {
		int err = n < 0 ? errno : EIO;
		unlink(s->cidfile);
		return err_make(e, err, "writing cidfile %s", s->cidfile);
	}
	return 0;
}

int ctr_create_record(struct globals *g, const char *verb, int argc, char **argv, struct container_spec *s,
		      struct idmap *m, struct err *e)
{
	struct run_args a;
	struct userns_opts uo;
	struct store *st = NULL;
	struct image *img = NULL;
	bool help = false;
	char **made = NULL;
	int rc = -1, vlock = -1, nlock = -1;

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
	if (ctr_check_ns_args(&a.ns, e) < 0)
		goto out;
	if (a.replace && !a.name) {
		err_make(e, 0, "cannot replace container without --name being set");
		goto out;
	}
	if (strcmp(verb, "create") == 0)
		a.o.detach = true; /* started later by start, under a supervisor */
	if (userns_opts_parse(a.userns, a.uidmaps, a.gidmaps, &uo, e) < 0)
		goto out;
	if (cli_store(g, &st, e) < 0 || userns_lookup_cached(m, g->cfg.idmap, g->cfg.runroot, e) < 0 ||
	    userns_opts_resolve(&uo, idmap_size(m->uids, m->nuids), idmap_size(m->gids, m->ngids), m->uid,
				m->gid, e) < 0 ||
	    resolve_image(g, &a, st, m, &img, e) < 0)
		goto out;
	if (a.replace && replace_named(g, a.name, e) < 0)
		goto out;
	if (run_build_spec(g, &a, img, m, st, s, e) < 0 ||
	    (a.volumes_from && ctr_volumes_from(g, a.volumes_from, s, e) < 0))
		goto out;
	s->userns = uo;
	if (userns_opts_nested(&uo) && (s->pid_ns.share == NS_CONTAINER || s->ipc_ns.share == NS_CONTAINER ||
					s->uts_ns.share == NS_CONTAINER)) {
		/* another container's namespaces are joined from its user namespace */
		err_make(
			e, 0,
			"--userns and --uidmap/--gidmap cannot be combined with --pid, --ipc or --uts container:");
		goto out;
	}
	if (userns_opts_nested(&uo) && s->net == NET_BRIDGE) {
		/* the containers on networks share the networks' user namespace */
		err_make(e, 0, "--userns and --uidmap/--gidmap cannot be combined with a network yet");
		goto out;
	}
	if (userns_opts_nested(&uo) && s->net == NET_CONTAINER) {
		/* the shared net namespace is joined from its owner's user namespace */
		err_make(e, 0, "--userns and --uidmap/--gidmap cannot be combined with --network container:");
		goto out;
	}
	if (uo.mode == USERNS_KEEPID && !a.o.user) {
		/* keep-id runs as the user unless --user says otherwise (podman) */
		free(s->user);
		s->user = xasprintf("%lu:%lu", uo.uid, uo.gid);
	}
	/* a profile is checked (and compiled into the cache) before the record exists */
	if (a.seccomp_file) {
		_cleanup_free_ char *cachedir = xasprintf("%s/" SECCOMP_CACHE_DIR, g->cfg.root);

		if (seccomp_check(s->seccomp, s->caps, cachedir, e) < 0) {
			err_wrap(e, "--security-opt seccomp=%s", a.seccomp_file);
			goto out;
		}
	}
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
	/* addresses are picked under the networks' lock, held until the record
	 * names them */
	if (s->net == NET_BRIDGE) {
		nlock = network_lock(g->cfg.root, e);
		if (nlock < 0 || ctr_network_assign(g->cfg.root, s, a.name, e) < 0) {
			ctr_volumes_rollback(g->cfg.root, m, made);
			goto out;
		}
	}
	if (s->cidfile && cidfile_write(s, e) < 0) {
		ctr_volumes_rollback(g->cfg.root, m, made);
		goto out;
	}
	container_use_spare(cli_umask());
	if (container_create_record(g->cfg.root, s, a.name, e) < 0) {
		ctr_volumes_rollback(g->cfg.root, m, made);
		if (s->cidfile)
			unlink(s->cidfile);
		goto out;
	}
	events_container(s, "create", -1);
	rc = 0;
out:
	if (vlock >= 0)
		close(vlock);
	if (nlock >= 0)
		close(nlock);
	strv_free(made);
	run_args_free(&a);
	if (img)
		image_free(img);
	cli_store_close(g);
	return rc;
}
