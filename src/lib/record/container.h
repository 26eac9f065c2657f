/* container.h - what a container run needs, and its on-disk record.
 *
 * The CLI fills struct container_spec from flags and the image config;
 * start.c starts it (see start.h); rootfs.c builds its filesystem.
 *
 * Records.  <root>/containers/<id>/config.json is the spec, written once by
 * create/run (container_spec_to_json) and read back by start, restart and
 * the supervisor (container_spec_from_json); only rename changes it.  The
 * mutable part lives next to it in state.json (state.h).  Names are
 * reserved under <root>/containers/.lock, so two concurrent creates cannot
 * take the same name.
 */
#ifndef BURROW_CONTAINER_H
#define BURROW_CONTAINER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/types.h>

#include "lib/cgroup/cgroup.h"
#include "lib/base/config.h"
#include "lib/base/error.h"
#include "hookspec.h"
#include "netspec.h"
#include "nsspec.h"
#include "spec.h"
#include "usernsopt.h"

enum restart_mode { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS, RESTART_UNLESS_STOPPED };
struct restart_policy {
	enum restart_mode mode;
	int max; /* on-failure:N, 0 = unlimited */
};

struct health_spec {
	char **test; /* {"CMD-SHELL", cmd} or {"CMD", argv...}; NULL = none */
	int64_t interval_ms, timeout_ms, start_period_ms;
	int retries;
};

enum log_driver { LOGDRV_K8S_FILE, LOGDRV_NONE };

struct idmap; /* lib/runtime/userns.h */

struct container_spec {
	char id[65];
	char *name;
	char *image_id;
	char *image_ref; /* as the user named it */
	char *created;   /* RFC 3339 */

	char **argv;   /* entrypoint + cmd, resolved */
	char **env;    /* final environment */
	char *workdir; /* absolute; "/" if unset */
	char *user;    /* "user[:group]" resolved inside the rootfs; NULL = root */
	char *hostname;

	bool tty, interactive, init, read_only, remove;
	bool detach; /* the supervisor stays: logs, state, restarts */
	enum net_mode net;
	struct port_spec *ports; /* published ports, host ports assigned (netspec.h) */
	size_t nports;
	struct net_opts net_opts;    /* NET_SLIRP: the options of --network slirp4netns:OPTS */
	char *net_container;         /* NET_CONTAINER: full ID of the container whose user and
				   * net namespaces are joined, else NULL */
	struct net_attach *networks; /* NET_BRIDGE: the user-defined networks, in order */
	size_t nnetworks;

	struct volume_spec *volumes;
	size_t nvolumes;
	struct tmpfs_spec *tmpfs;
	size_t ntmpfs;
	uint64_t caps; /* bit n set = keep capability n */

	/* lifecycle */
	struct restart_policy restart;
	struct health_spec health;
	enum log_driver log_driver;
	uint64_t log_max_size; /* 0 = unlimited */
	int log_max_file;      /* files kept, >= 1 */
	int stop_signal;
	int stop_timeout; /* seconds */

	/* filesystem */
	enum overlay_mode overlay; /* AUTO resolved at start: kernel, else fuse */
	char **lowerdirs;          /* absolute, top layer first */
	char *sqfs;                /* a single-file image (save --format squashfs): its absolute path; then
		     * lowerdirs is <rundir>/lower, where squashfuse mounts it */
	char *ctrdir;              /* <root>/containers/<id>: upper/, work/, config.json, state.json, log */
	char *layer_dir;           /* upper/ and work/ when not in ctrdir: node-local, as the store is on a
				    * network filesystem (lib/base/netfs.h); NULL = ctrdir */
	char *rundir;    /* <runroot>/containers/<id>: merged/, hostname, hosts, resolv.conf, attach */
	char *init_path; /* burrow-init on the host, for --init */

	/* resources (cgroup.h): limits only when has_limits */
	bool has_limits;
	struct cgroup_limits limits;
	bool no_cgroups;     /* --cgroups=disabled */
	char **ulimits;      /* --ulimit specs, validated; set by the init */
	char *seccomp;       /* the syscall filter (lib/runtime/seccomp.h): NULL = the
			      * default, "unconfined", or a JSON profile's text */
	bool root_emulation; /* seccomp root emulation (rootemu.h), for build RUN
				     * steps with the single-ID map */

	/* metadata and the small run flags (podman's meaning) */
	char **labels;                           /* "K=V": the image's labels, then --label/--label-file */
	char **annotations;                      /* "K=V" (--annotation) */
	char **add_hosts;                        /* "NAME:IP" (--add-host); IP may be host-gateway */
	char **dns, **dns_search, **dns_options; /* --dns, --dns-search, --dns-option */
	bool no_hosts;                           /* --no-hosts: the image's /etc/hosts stays */
	bool no_resolv;                          /* --dns=none: the image's /etc/resolv.conf stays */
	char *cidfile;                           /* --cidfile: removed with the container */
	char *tz;                                /* --tz: "local" or a zone name under /usr/share/zoneinfo */
	uint64_t shm_size;                       /* --shm-size: /dev/shm bytes; 0 = 64 MiB */
	char **sysctls;                          /* "KEY=VALUE" (--sysctl), namespaced keys only */
	char **devices;                          /* "HOST:CTR:PERMS" (--device), normalized */
	char **group_add;                        /* --group-add: gids, group names, or keep-groups */
	struct hook_spec *hooks;                 /* OCI hooks (CDI devices' edits; hookspec.h) */
	size_t nhooks;
	struct ns_mode pid_ns, ipc_ns, uts_ns; /* --pid, --ipc, --uts (nsspec.h); container: full ID */
	bool privileged;                       /* --privileged: every capability, no filter, no masks */

	struct userns_opts userns; /* --userns, --uidmap, --gidmap (usernsopt.h) */

	const struct idmap *idmap;
	/* at start, not recorded: without tty and attached, the init's fds
	 * 0-2 instead of the caller's (pipes the caller relays in place of its
	 * terminal); 0: the caller's own, which are never a terminal */
	int stdio[3];
	/* at start, not recorded: --preserve-fds, the caller's fds 3..3+N-1
	 * passed on to the first init's command */
	int preserve_fds;
	/* at start, not recorded: attached with a terminal, the keys that
	 * detach (--detach-keys, not owned; NULL: ctrl-p,ctrl-q) */
	const char *detach_keys;
};

void container_spec_free(struct container_spec *s);

/* Docker-style generated name ("brave_turing"). */
char *container_random_name(void);
/* Names: [a-zA-Z0-9][a-zA-Z0-9_.-]* */
bool container_name_valid(const char *name);

/* --restart no|on-failure[:N]|always|unless-stopped */
int parse_restart(const char *s, struct restart_policy *r, struct err *e);
const char *restart_mode_name(enum restart_mode m);
/* Go-style durations: "1.5s", "2m", "300ms", "1h30m"; plain numbers are seconds. */
int parse_duration_ms(const char *s, int64_t *ms, struct err *e);
/* Sizes "10k", "5m", "1g", "512" (bytes). */
int parse_size(const char *s, uint64_t *out, struct err *e);

/* The record: config.json <-> spec.  from_json fills everything but idmap;
 * root and runroot give ctrdir and rundir. */
json_object *container_spec_to_json(const struct container_spec *s);
int container_spec_from_json(json_object *j, const char *root, const char *runroot, struct container_spec *s,
			     struct err *e);
int container_write_config(const struct container_spec *s, struct err *e);
/* Read <root>/containers/<id>/config.json. */
int container_read_config(const char *root, const char *id, json_object **out, struct err *e);

/* Create the record: take the name (want, or a generated one) under the
 * containers lock, make ctrdir and write config.json.  Duplicate or invalid
 * names fail with docker's message. */
int container_create_record(const char *root, struct container_spec *s, const char *want, struct err *e);

/* Makes the spare record directory (with the layer's upper and work) that
 * the next container_create_record() under the same umask takes (see
 * container.c), best effort: called off the critical path, once a
 * container has started. */
void container_make_spare(const char *root, mode_t mask);
/* Lets container_create_record() take a spare made under this umask (the
 * CLI's; a process whose threads may change it does not call this). */
void container_use_spare(mode_t mask);

/* Change the name in config.json (same checks as create). */
int container_rename(const char *root, const char *id, const char *newname, struct err *e);
/* network connect/disconnect: the record's "networks" become nets. */
int container_set_networks(const char *root, const char *id, const struct net_attach *nets, size_t n,
			   struct err *e);
/* Where the container's upper/ and work/ are: layer_dir or ctrdir (malloc'd). */
char *container_layer_dir(const struct container_spec *s);
/* ctrdir/upper and work (kept if present), rundir/merged and rundir/hostname.
 * Safe to call again before each start.  The network's /etc files (hosts,
 * resolv.conf) come from net_write_etc_files() (net.h). */
int container_prepare_dirs(const struct container_spec *s, struct err *e);
/* The control socket of the container's burrow-net (slirp4netns mode):
 * <runroot>/net-<ID prefix>.sock (unix paths are short), for net_counters()
 * and friends.  malloc'd. */
char *container_net_socket(const struct container_spec *s);

/* --cidfile: remove the file if it still holds this container's ID. */
void container_remove_cidfile(const struct container_spec *s);

/* IDs of every record, sorted by creation time (oldest first). */
int container_list(const char *root, char ***ids, struct err *e);
/* Resolve a name, full ID or unique ID prefix to a full ID.  Unknown:
 * "no container with name or ID ..." (errnum ENOENT); ambiguous: the
 * candidates are listed. */
int container_lookup(const char *root, const char *ref, char id[65], struct err *e);

#endif
