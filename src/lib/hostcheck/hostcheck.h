/* hostcheck.h - what `burrow info` checks on the host, as data.
 *
 * hostcheck_run() gathers facts (kernel, cgroup layout, store filesystem,
 * the ID map) and runs the checks, including real probes: it creates a user
 * namespace with the user's map and mounts a kernel overlay inside it.  Each
 * check carries its status, what was found and, when not ok, the exact fix
 * (a command or a config line).  Nothing here prints.
 */
#ifndef BURROW_HOSTCHECK_H
#define BURROW_HOSTCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/base/config.h"
#include "lib/base/error.h"
#include "lib/runtime/userns.h"

enum check_status { CHECK_OK = 0, CHECK_WARN, CHECK_FAIL };

struct host_check {
	char *name; /* short, stable: "newuidmap", "userns", "overlay", ... */
	enum check_status status;
	char *detail; /* what was found */
	char *fix;    /* the exact fix when not ok, else NULL */
};

enum cgroup_layout { CGROUP_NONE = 0, CGROUP_V1, CGROUP_HYBRID, CGROUP_V2 };

struct hostinfo {
	/* host */
	char *kernel;      /* uname release */
	char *arch;        /* uname machine */
	char *os;          /* PRETTY_NAME from os-release, or NULL */
	char *exe;         /* our own binary (for the AppArmor fix) */
	char *runtime_dir; /* $XDG_RUNTIME_DIR or NULL */
	enum cgroup_layout cgroup;
	char *cgroup_dir;             /* our cgroup v2 directory, or NULL */
	char **cgroup_controllers;    /* its cgroup.controllers (may be empty) */
	char **cgroup_v1_controllers; /* controllers bound to v1 hierarchies */
	char **cgroup_delegated;      /* controllers burrow may use for limits */
	bool cgroup_writable;
	char *cgroup_base; /* the delegated cgroup containers' cgroups go in, or NULL (cgroup_probe_where) */
	bool cgroup_moves; /* and the caller's processes move into its burrow-cli leaf first */

	/* store */
	char *fs_path; /* the directory statfs'd: the root or its nearest parent */
	char *fs_type; /* a name such as "ext4" or "nfs", or "unknown" */
	unsigned long fs_magic;
	enum overlay_mode overlay_setting;
	const char *overlay_in_use; /* "kernel", "fuse-overlayfs", or NULL: none works */
	char *store_error;          /* why the store root cannot be created or written, or NULL */

	/* probes */
	bool userns_ok;
	bool kernel_overlay_ok;
	char *kernel_overlay_error; /* why the kernel overlay probe failed */
	bool fuse_ok;               /* fuse-overlayfs, fusermount3 and /dev/fuse all usable */

	struct idmap idmap;
	/* single-ID map: `burrow build` runs RUN steps under root emulation
	 * (rootemu.h) by default; rootemu_ok says whether its filter loads here */
	bool root_emulation, rootemu_ok;

	struct host_check *checks;
	size_t nchecks;
};

/* Gather everything and run the checks for configuration c.  Check failures
 * are data (h->checks); -1 is returned only when the report itself cannot be
 * made. */
int hostcheck_run(struct hostinfo *h, const struct config *c, struct err *e);
/* A program in $PATH or the usual system directories (caller frees), or NULL. */
char *hostcheck_find_program(const char *name);
void hostinfo_free(struct hostinfo *h);

const char *check_status_name(enum check_status s);   /* "ok", "warn", "fail" */
const char *cgroup_layout_name(enum cgroup_layout l); /* "v2", "hybrid", "v1", "none" */

#endif
