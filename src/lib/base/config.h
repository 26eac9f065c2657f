/* config.h - where burrow keeps things and which settings apply.
 *
 * Order of precedence: command-line (--root/--runroot), environment
 * (BURROW_ROOT, BURROW_RUNROOT, BURROW_OVERLAY, BURROW_IDMAP,
 * BURROW_NETWORK_GRACE), the config
 * file ($XDG_CONFIG_HOME/burrow/burrow.conf, "key = value" lines), then
 * XDG defaults.
 */
#ifndef BURROW_CONFIG_H
#define BURROW_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

enum overlay_mode { OVERLAY_AUTO, OVERLAY_KERNEL, OVERLAY_FUSE };
enum idmap_mode { IDMAP_AUTO, IDMAP_SINGLE };

struct config {
	char *root;               /* image and container store */
	char *runroot;            /* per-boot state: sockets, pids, mounts */
	bool runroot_in_tmp;      /* the default in TMPDIR (no private XDG_RUNTIME_DIR, nothing set) */
	bool runroot_private;     /* config_use_runroot found it there and private */
	char *runroot_moved_from; /* that default, when it was taken and runroot is a private one */
	char *runroot_moved_why;
	enum overlay_mode overlay;
	enum idmap_mode idmap;      /* "single" forces the single-ID map */
	char *conf_path;            /* the config file read, NULL if none */
	char *root_source;          /* "default", "--root", "BURROW_ROOT", "burrow.conf" */
	char **search_registries;   /* unqualified-search-registries (comma/space list), NULL = default */
	uint64_t max_layer_size;    /* max-layer-size: bytes one layer may unpack to, 0 = default */
	uint64_t max_layer_entries; /* max-layer-entries, 0 = default */
	char **cdi_spec_dirs;       /* cdi-spec-dirs (comma/space list), NULL = default (lib/cdi/cdi.h) */
	char **insecure_registries; /* insecure-registries (comma/space list): TLS not verified */
	int network_grace_ms;       /* network-grace / BURROW_NETWORK_GRACE: how long the networks'
				     * namespace outlives its last container; -1 = the default */
};

/* Fill c.  root_opt/runroot_opt are the command-line values or NULL. */
int config_load(struct config *c, const char *root_opt, const char *runroot_opt, struct err *e);
/* Create root and runroot (runroot at mode 0700) if missing, and check the
 * runroot as config_check_runroot() does. */
int config_ensure_dirs(const struct config *c, struct err *e);

/* Is dir a private directory of the caller?  Opened with O_NOFOLLOW and
 * checked on the fd: a directory (not a symlink), owned by the caller, mode
 * 0700 (no group or other bits), in a parent that others cannot write to
 * unless it is sticky (like /tmp), so the name stays bound to it.  1 yes,
 * 0 it does not exist, -1 no, with *why (allocated) saying why. */
int config_private_dir(const char *dir, char **why);

/* ${TMPDIR:-/tmp}/burrow-UID: the runroot without a private XDG_RUNTIME_DIR */
char *config_tmp_runroot(void);

/* What every command runs first: config_check_runroot(), and when the
 * default runroot in TMPDIR is taken by someone else (a directory or link
 * that is not the user's private one), a private mkdtemp directory beside
 * it instead, recorded in <root>/runroot-moved so later commands use the
 * same one, with a warning that says so.  A runroot set explicitly that
 * fails the check is an error. */
int config_use_runroot(struct config *c, struct err *e);

/* The runroot (in /tmp on shared machines) must be private: every command
 * checks it, and fails with the fix if another user could have made or
 * changed it.  create: make it first (mode 0700); else a missing runroot
 * passes (whatever creates it later checks again). */
int config_check_runroot(const struct config *c, bool create, struct err *e);
void config_free(struct config *c);
/* "123", "64G", "512MiB", "1.5g" -> bytes (K, M, G, T are powers of 1024);
 * -1 for anything else, 0 or an overflow. */
int config_parse_bytes(const char *s, uint64_t *out);
/* A duration for network-grace: "10", "10s", "500ms", "1m" (plain
 * numbers are seconds), at most an hour, into milliseconds; -1 for
 * anything else. */
int config_parse_grace(const char *s, int *ms);
const char *overlay_mode_name(enum overlay_mode m);

#endif
