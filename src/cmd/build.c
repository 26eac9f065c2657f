/* build.c - burrow build [OPTIONS] CONTEXT|- */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/build/builder.h"
#include "lib/build/copy.h"
#include "lib/build/dockerfile.h"
#include "lib/store/store.h"
#include "lib/runtime/userns.h"
#include "lib/base/util.h"

enum {
	O_TAG = 1,
	O_FILE,
	O_BUILD_ARG,
	O_TARGET,
	O_NO_CACHE,
	O_PULL,
	O_TLS_VERIFY,
	O_NETWORK,
	O_QUIET,
	O_LAYERS,
	O_LABEL,
	O_PLATFORM,
	O_USERNS_EMU,
	O_HELP,
};
static const struct opt opts[] = {
	{ "tag", 't', OPT_VALUE, O_TAG, "NAME", "Name the resulting image; repeatable" },
	{ "file", 'f', OPT_VALUE, O_FILE, "FILE",
	  "The Dockerfile (default CONTEXT/Dockerfile; - reads stdin)" },
	{ "build-arg", 0, OPT_VALUE, O_BUILD_ARG, "KEY[=VALUE]",
	  "Set a build argument (KEY alone takes the value from the environment); repeatable" },
	{ "target", 0, OPT_VALUE, O_TARGET, "STAGE", "Build up to this stage (default the last)" },
	{ "no-cache", 0, OPT_FLAG, O_NO_CACHE, NULL, "Do not use cached steps (the cache is refreshed)" },
	{ "pull", 0, OPT_VALUE, O_PULL, "POLICY",
	  "Pull base images: missing (default), always, never (true = always, false = missing)" },
	{ "tls-verify", 0, OPT_FLAG, O_TLS_VERIFY, NULL,
	  "Require HTTPS and verify certificates (default true)" },
	{ "network", 0, OPT_VALUE, O_NETWORK, "MODE", "RUN's network: slirp4netns (default), none or host" },
	{ "quiet", 'q', OPT_FLAG, O_QUIET, NULL, "Print only the image ID" },
	{ "layers", 0, OPT_FLAG, O_LAYERS, NULL,
	  "Keep a layer and a cached image per step (default true; false: one new layer)" },
	{ "label", 0, OPT_VALUE, O_LABEL, "KEY=VALUE", "Add a label to the image; repeatable" },
	{ "platform", 0, OPT_VALUE, O_PLATFORM, "OS/ARCH", "Target platform (only the host's is supported)" },
	{ "userns-emulation", 0, OPT_VALUE, O_USERNS_EMU, "on|off",
	  "Root emulation for RUN in single-ID mode (default on)" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const char usage[] = "[OPTIONS] CONTEXT|-";
static const char summary[] = "Build an image from a Dockerfile and a context directory.";

CMD_DECL(build)
{
	_cleanup_strv_ char **tags = NULL, **args = NULL, **labels = NULL;
	_cleanup_free_ char *text = NULL;
	struct build_opts bo;
	struct optparser p;
	struct store *s = NULL;
	struct build_context *ctx = NULL;
	struct idmap m;
	const char *file = NULL, *ctxarg, *pull = "missing", *emu = "on";
	size_t len = 0;
	bool quiet = false;
	char id[65];
	int o, rc;

	memset(&bo, 0, sizeof bo);
	bo.layers = true;
	bo.tls_verify = true;
	opt_init(&p, opts, argc, argv);
	while ((o = opt_next(&p, e)) != 0) {
		switch (o) {
		case O_TAG:
			strv_push(&tags, p.value);
			break;
		case O_FILE:
			file = p.value;
			break;
		case O_BUILD_ARG:
			if (strchr(p.value, '=')) {
				strv_push(&args, p.value);
			} else {
				const char *v = getenv(p.value);
				if (v) {
					_cleanup_free_ char *kv = xasprintf("%s=%s", p.value, v);
					strv_push(&args, kv);
				}
			}
			break;
		case O_TARGET:
			bo.target = p.value;
			break;
		case O_NO_CACHE:
			bo.no_cache = opt_flag_value(&p);
			break;
		case O_PULL:
			pull = p.value;
			break;
		case O_TLS_VERIFY:
			bo.tls_verify = opt_flag_value(&p);
			break;
		case O_NETWORK:
			bo.network = p.value;
			break;
		case O_QUIET:
			quiet = opt_flag_value(&p);
			break;
		case O_LAYERS:
			bo.layers = opt_flag_value(&p);
			break;
		case O_LABEL:
			strv_push(&labels, p.value);
			break;
		case O_PLATFORM:
			bo.platform = p.value;
			break;
		case O_USERNS_EMU:
			emu = p.value;
			break;
		case O_HELP:
			opt_print_help(stdout, "build", usage, summary, opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (argc - p.idx != 1)
		return err_usage(e, "build takes exactly one context (a directory or -), got %d arguments",
				 argc - p.idx);
	ctxarg = argv[p.idx];
	if (strcmp(pull, "missing") == 0 || strcmp(pull, "false") == 0 || strcmp(pull, "ifmissing") == 0) {
		bo.pull = BUILD_PULL_MISSING;
	} else if (strcmp(pull, "always") == 0 || strcmp(pull, "true") == 0 || strcmp(pull, "newer") == 0) {
		bo.pull = BUILD_PULL_ALWAYS;
	} else if (strcmp(pull, "never") == 0) {
		bo.pull = BUILD_PULL_NEVER;
	} else {
		return err_usage(e, "--pull: unknown policy \"%s\" (always, missing, never, true, false)",
				 pull);
	}
	if (strcmp(emu, "on") == 0 || strcmp(emu, "true") == 0) {
		bo.userns_emulation = true;
	} else if (strcmp(emu, "off") == 0 || strcmp(emu, "false") == 0) {
		bo.userns_emulation = false;
	} else {
		return err_usage(e, "--userns-emulation: expected on or off, got \"%s\"", emu);
	}
	if (file && strcmp(file, "-") == 0 && strcmp(ctxarg, "-") == 0)
		return err_usage(e, "the Dockerfile and the context cannot both come from stdin");
	if (cli_store(g, &s, e) < 0)
		return -1;
	if (strcmp(ctxarg, "-") == 0)
		rc = build_context_from_tar_limited(STDIN_FILENO, g->cfg.runroot, g->cfg.max_layer_size,
						    g->cfg.max_layer_entries, &ctx, e);
	else
		rc = build_context_open(ctxarg, &ctx, e);
	if (rc < 0)
		return -1;
	if (file && strcmp(file, "-") == 0) {
		rc = read_fd_all(STDIN_FILENO, DF_MAX_SIZE, &text, &len, "the Dockerfile from stdin", e);
	} else if (file) {
		rc = read_file_at(AT_FDCWD, file, 4u << 20, &text, &len, e);
		if (rc < 0 && e->errnum == ENOENT && file[0] != '/') {
			/* as buildah: a relative -f not found here is looked up in the context */
			struct err ce = ERR_INIT;
			if (build_context_read(ctx, file, 4u << 20, &text, &len, &ce) == 0) {
				err_clear(e);
				rc = 0;
			}
			err_clear(&ce);
		}
	} else {
		rc = build_context_read(ctx, "Dockerfile", 4u << 20, &text, &len, e);
		if (rc < 0 && e->errnum == ENOENT) {
			err_clear(e);
			rc = build_context_read(ctx, "Containerfile", 4u << 20, &text, &len, e);
		}
	}
	if (rc < 0) {
		err_wrap(e, "reading the Dockerfile");
		build_context_free(ctx);
		return -1;
	}
	memset(&m, 0, sizeof m);
	userns_lookup_cached(&m, g->cfg.idmap, g->cfg.runroot, e);
	err_clear(e);
	bo.dockerfile = text;
	bo.dockerfile_len = len;
	bo.dockerfile_name = file && strcmp(file, "-") != 0 ? file : "Dockerfile";
	bo.ctx = ctx;
	bo.tags = tags;
	bo.build_args = args;
	bo.labels = labels;
	bo.out_fd = quiet ? -1 : STDOUT_FILENO;
	bo.store = s;
	bo.idmap = &m;
	bo.cfg = &g->cfg;
	fflush(stdout);
	rc = build_run(&bo, id, e);
	idmap_free(&m);
	build_context_free(ctx);
	if (rc < 0)
		return -1;
	cli_image_event(g, "build", id, tags ? tags[0] : NULL);
	printf("%s\n", id);
	return 0;
}
