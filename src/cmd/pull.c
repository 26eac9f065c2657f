/* pull.c - burrow pull [-q] [--tls-verify] [--platform P] [--arch A] [--authfile F] IMAGE... */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/store/pull.h"
#include "lib/store/ref.h"
#include "lib/runtime/userns.h"
#include "lib/base/log.h"
#include "lib/base/netfs.h"
#include "lib/base/util.h"
#include "cli/progress.h"

enum { O_QUIET = 1, O_TLS, O_PLATFORM, O_ARCH, O_AUTHFILE, O_HELP };
static const struct opt opts[] = {
	{ "arch", 0, OPT_VALUE, O_ARCH, "ARCH", "Pull the image for this architecture (amd64, arm64, ...)" },
	{ "authfile", 0, OPT_VALUE, O_AUTHFILE, "FILE", "Read credentials from FILE (auth.json format)" },
	{ "platform", 0, OPT_VALUE, O_PLATFORM, "OS/ARCH[/VARIANT]", "Pull the image for this platform" },
	{ "quiet", 'q', OPT_FLAG, O_QUIET, NULL, "Print only the image ID, no progress" },
	{ "tls-verify", 0, OPT_FLAG, O_TLS, NULL,
	  "Require HTTPS and verified certificates (default true; false allows plain HTTP)" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const char usage[] = "[OPTIONS] IMAGE [IMAGE...]";
static const char summary[] = "Pull images from a registry into the local store.";

/* The first pull into a store on a network filesystem says so, once
 * (<root>/.netfs-warned), and names the setting that moves it. */
static void warn_netfs_once(const struct config *c)
{
	const char *net = netfs_of(c->root);
	_cleanup_free_ char *mark = NULL, *local = NULL;
	int fd;

	if (!net)
		return;
	mark = xasprintf("%s/.netfs-warned", c->root);
	if (access(mark, F_OK) == 0)
		return;
	local = netfs_local_dir();
	log_warn("the store %s is on %s, a network filesystem: image layers are read over the network and "
		 "containers' writable layers go to node-local %s/layers; to keep the store local, set "
		 "`root = /local/path` in %s (or BURROW_ROOT=/local/path)",
		 c->root, net, local, c->conf_path ? c->conf_path : "~/.config/burrow/burrow.conf");
	fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
}

CMD_DECL(pull)
{
	struct pull_opts po;
	struct optparser p;
	struct store *s = NULL;
	struct idmap m;
	bool quiet = false;
	int id, rc = 0;

	memset(&po, 0, sizeof po);
	po.tls_verify = true;
	opt_init(&p, opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_QUIET:
			quiet = opt_flag_value(&p);
			break;
		case O_TLS:
			po.tls_verify = opt_flag_value(&p);
			break;
		case O_PLATFORM:
			po.platform = p.value;
			break;
		case O_ARCH:
			po.arch = p.value;
			break;
		case O_AUTHFILE:
			po.authfile = p.value;
			break;
		case O_HELP:
			opt_print_help(stdout, "pull", usage, summary, opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (p.idx >= argc)
		return err_usage(e, "an image name is required");
	for (int i = p.idx; i < argc; i++) {
		struct ref r;
		if (ref_parse(argv[i], &r, e) < 0)
			return -1;
		ref_free(&r);
	}
	if (cli_store(g, &s, e) < 0)
		return -1;
	warn_netfs_once(&g->cfg);
	userns_lookup_cached(&m, g->cfg.idmap, g->cfg.runroot, e);
	err_clear(e);
	po.runroot = g->cfg.runroot;
	po.search_registries = g->cfg.search_registries;
	po.cancel = &progress_cancel;
	progress_catch_signals();
	for (int i = p.idx; i < argc; i++) {
		struct progress pr;
		const char *resolved = NULL;
		char imgid[65];
		progress_init(&pr, quiet);
		po.progress = progress_fn;
		po.progress_ctx = &pr;
		po.resolved = &resolved;
		if (!quiet)
			fprintf(stderr, "Trying to pull %s...\n", argv[i]);
		if (store_pull(s, &m, argv[i], &po, imgid, e) < 0) {
			progress_finish(&pr);
			rc = -1;
			break;
		}
		progress_finish(&pr);
		cli_image_event(g, "pull", imgid, resolved ? resolved : argv[i]);
		printf("%s\n", imgid);
		fflush(stdout);
	}
	idmap_free(&m);
	return rc;
}
