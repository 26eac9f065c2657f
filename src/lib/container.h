/* container.h - what a container run needs, and its on-disk record.
 *
 * The CLI fills struct container_spec from flags and the image config;
 * spawn.c starts it (see spawn.h); rootfs.c builds its filesystem.
 */
#ifndef BURROW_CONTAINER_H
#define BURROW_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "config.h"
#include "error.h"
#include "spec.h"
#include "userns.h"

struct container_spec {
	char id[65];
	char *name;
	char *image_id;
	char *image_ref;          /* as the user named it */

	char **argv;              /* entrypoint + cmd, resolved */
	char **env;               /* final environment */
	char *workdir;            /* absolute; "/" if unset */
	char *user;               /* "user[:group]" resolved inside the rootfs; NULL = root */
	char *hostname;

	bool tty, interactive, init, read_only, remove;
	enum net_mode net;

	struct volume_spec *volumes;
	size_t nvolumes;
	struct tmpfs_spec *tmpfs;
	size_t ntmpfs;
	uint64_t caps;            /* bit n set = keep capability n */

	/* filesystem */
	enum overlay_mode overlay;  /* AUTO resolved at start: kernel, else fuse */
	char **lowerdirs;           /* absolute, top layer first */
	char *ctrdir;               /* <root>/containers/<id>: upper/, work/ */
	char *rundir;               /* <runroot>/containers/<id>: merged/, hostname, hosts, resolv.conf */
	char *init_path;            /* burrow-init on the host, for --init */

	const struct idmap *idmap;
};

void container_spec_free(struct container_spec *s);

/* Docker-style generated name ("brave_turing"). */
char *container_random_name(void);
/* Names: [a-zA-Z0-9][a-zA-Z0-9_.-]* */
bool container_name_valid(const char *name);

#endif
