/* builder.h - burrow build: a parsed Dockerfile run into an image.
 *
 * build_run() parses the Dockerfile, works out which stages the target
 * needs (FROM of another stage and COPY --from=stage are dependencies;
 * other stages are not built), then runs each needed stage's instructions
 * in order.  Every step ends as an image in the store: metadata steps get
 * an empty_layer history entry, RUN/COPY/ADD a new layer.  With layers
 * (the default) each step's image is kept as an untagged "intermediate"
 * image and indexed in the step cache (buildstore.h) under
 *   sha256(parent image id, instruction as written, the build args it
 *          uses, the content digest of COPY/ADD sources)
 * so an unchanged step is reused without running anything.  With
 * layers == false one working container serves the whole stage and its
 * upper directory becomes a single new layer at the end (buildah's way).
 *
 * The output (podman's: "STEP n/m: ...", RUN output, "--> Using cache",
 * "--> <id>", "COMMIT", "Successfully tagged") goes to out_fd; RUN's own
 * stdout/stderr are sent there too.  out_fd -1 (quiet) discards both.
 */
#ifndef BURROW_BUILD_BUILDER_H
#define BURROW_BUILD_BUILDER_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/base/config.h"
#include "lib/base/error.h"
#include "lib/record/spec.h"
#include "lib/store/store.h"
#include "lib/runtime/userns.h"
#include "copy.h"

enum build_pull { BUILD_PULL_MISSING, BUILD_PULL_ALWAYS, BUILD_PULL_NEVER };

struct build_opts {
	const char *dockerfile; /* the text */
	size_t dockerfile_len;
	const char *dockerfile_name; /* for messages: "Dockerfile" */
	struct build_context *ctx;
	char **tags;        /* as given (normalized here); may be NULL */
	char **build_args;  /* "K=V" (the command resolved bare "K") */
	const char *target; /* stage name or NULL for the last */
	bool no_cache;
	bool layers; /* false: one new layer per stage, no cache */
	enum build_pull pull;
	bool tls_verify;
	const char *network;   /* --network; NULL = slirp4netns if possible */
	char **labels;         /* "K=V" added to the final config */
	const char *platform;  /* must be the host's */
	bool userns_emulation; /* single-ID mode: root emulation for RUN */
	int out_fd;            /* progress and RUN output, -1 = quiet */

	/* environment */
	struct store *store;
	const struct idmap *idmap;
	const struct config *cfg; /* root, runroot, overlay, search registries */
};

/* Run the build; id receives the final image id.  Errors carry status 125
 * (e->status), and leave nothing tagged and no partial image. */
int build_run(const struct build_opts *o, char id[65], struct err *e);

/* "linux/amd64" for this host (static). */
const char *build_host_platform(void);

#endif
