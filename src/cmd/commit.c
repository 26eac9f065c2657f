/* commit.c - burrow commit: a container's changes as a new image. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "lib/base/util.h"
#include "lib/runtime/userns.h"
#include "lib/store/commit.h"
#include "lib/store/store.h"

enum { O_AUTHOR = 1, O_CHANGE, O_MESSAGE, O_PAUSE, O_QUIET, O_FORMAT, O_HELP };
static const struct opt commit_opts[] = {
	{ "author", 'a', OPT_VALUE, O_AUTHOR, "AUTHOR", "The image's author" },
	{ "change", 'c', OPT_VALUE, O_CHANGE, "INSTRUCTION",
	  "Apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, ...)" },
	{ "format", 'f', OPT_VALUE, O_FORMAT, "FORMAT", "oci (the default) or docker" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "message", 'm', OPT_VALUE, O_MESSAGE, "MESSAGE", "The commit message (history comment)" },
	{ "pause", 'p', OPT_FLAG, O_PAUSE, NULL, "Pause a running container while committing" },
	{ "quiet", 'q', OPT_FLAG, O_QUIET, NULL, "Print only the image ID" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

CMD_DECL(commit)
{
	struct optparser p;
	struct commit_opts co;
	_cleanup_strv_ char **changes = NULL;
	_cleanup_free_ char *upper = NULL, *created_by = NULL;
	bool pause = false, quiet = false, paused = false;
	struct store *st = NULL;
	struct idmap m;
	struct ctr c;
	char id[65];
	int opt, rc = -1;

	memset(&co, 0, sizeof co);
	opt_init(&p, commit_opts, argc, argv);
	while ((opt = opt_next(&p, e)) != 0) {
		switch (opt) {
		case O_AUTHOR:
			co.author = p.value;
			break;
		case O_CHANGE:
			strv_push(&changes, p.value);
			break;
		case O_MESSAGE:
			co.message = p.value;
			break;
		case O_PAUSE:
			pause = opt_flag_value(&p);
			break;
		case O_QUIET:
			quiet = opt_flag_value(&p);
			break;
		case O_FORMAT:
			if (strcmp(p.value, "oci") != 0 && strcmp(p.value, "docker") != 0)
				return err_usage(e, "unrecognized image type \"%s\" (oci, docker)", p.value);
			break;
		case O_HELP:
			opt_print_help(stdout, "commit", "[OPTIONS] CONTAINER [IMAGE]",
				       "Create an image from a container's changes.", commit_opts);
			return 0;
		default:
			return err_mark_usage(e);
		}
	}
	if (argc - p.idx < 1 || argc - p.idx > 2)
		return err_usage(e, "\"burrow commit\" requires 1 or 2 arguments: CONTAINER [IMAGE]");
	co.ref = argc - p.idx == 2 ? argv[p.idx + 1] : NULL;
	co.changes = changes;
	if (ctr_load(g, argv[p.idx], &c, e) < 0)
		return -1;
	if (c.spec.sqfs) {
		/* its changes are on a tmpfs inside its own mount namespace */
		err_make(e, 0,
			 "container %.12s runs the single-file image %s: its changes are not kept, "
			 "so it can't be committed",
			 c.id, c.spec.sqfs);
		ctr_free(&c);
		return -1;
	}
	memset(&m, 0, sizeof m);
	if (cli_store(g, &st, e) < 0 || userns_lookup_cached(&m, g->cfg.idmap, g->cfg.runroot, e) < 0)
		goto out;
	if (pause && ctr_running(&c)) {
		if (ctr_pause(g, c.id, true, e) < 0)
			goto out;
		paused = true;
	}
	{
		_cleanup_free_ char *ld = container_layer_dir(&c.spec);
		upper = xasprintf("%s/upper", ld);
	}
	created_by = xstrdup("");
	for (size_t i = 0; c.spec.argv && c.spec.argv[i]; i++) {
		char *n = xasprintf("%s%s%s", created_by, i ? " " : "", c.spec.argv[i]);
		free(created_by);
		created_by = n;
	}
	co.image_id = c.spec.image_id;
	co.upper = upper;
	co.lowerdirs = c.spec.lowerdirs;
	co.created_by = created_by;
	if (userns_opts_nested(&c.spec.userns) && !m.single) {
		/* a map of its own: the upper layer's owners as the container sees them */
		struct idmap cm;
		if (userns_compose(&m, &c.spec.userns, &cm, e) < 0)
			goto out;
		co.view = &cm;
		rc = store_commit(st, &m, &co, id, e);
		co.view = NULL;
		idmap_free(&cm);
	} else {
		rc = store_commit(st, &m, &co, id, e);
	}
	if (paused) {
		struct err pe = ERR_INIT;
		if (ctr_pause(g, c.id, false, &pe) < 0)
			cli_report(&pe); /* the image is made; say the container stayed paused */
		err_clear(&pe);
	}
	if (rc == 0) {
		cli_image_event(g, "commit", id, co.ref);
		if (!quiet)
			fprintf(stderr, "Writing manifest to image destination\n");
		printf("%s\n", id);
	}
out:
	idmap_free(&m);
	ctr_free(&c);
	return rc;
}
