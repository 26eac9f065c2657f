/* ctropts.h - run and create: one option table, one spec builder. */
#ifndef BURROW_CMD_CTROPTS_H
#define BURROW_CMD_CTROPTS_H

#include <stdbool.h>

#include "cli/cli.h"
#include "cli/ctrns.h"
#include "opt.h"
#include "lib/record/container.h"
#include "lib/record/specbuild.h"
#include "lib/store/store.h"

struct run_args {
	struct spec_opts o;         /* what the spec is built from */
	const char *name, *network; /* the last --network */
	char **networks;            /* every --network */
	char **net_aliases;         /* --network-alias */
	const char *ip;             /* --ip */
	char **ports;
	char **volumes_from; /* --volumes-from CONTAINER[:ro|rw] */
	bool publish_all;
	const char *pull, *platform;   /* --pull missing|always|never, --platform */
	bool tls_verify;               /* --tls-verify (default true) */
	bool env_host, replace, quiet; /* --env-host, --replace, -q */
	const char *cidfile;           /* as given */
	const char *image;
	char *sqfs_config;         /* IMAGE is a single-file image: the config it holds (or NULL) */
	char *seccomp;             /* --security-opt seccomp=FILE: its text (a.o.seccomp) */
	const char *seccomp_file;  /* FILE, for errors */
	const char *userns;        /* --userns, as given */
	char **uidmaps, **gidmaps; /* --uidmap, --gidmap */
	struct ns_args ns;         /* --pid, --ipc, --uts, --privileged, ... (ctrns.h) */
	const char *slurm;         /* --slurm auto|on|off (ctrslurm.h) */
	int node_share;            /* --node-share: -1 not given, 0, 1 */
};

extern const struct opt ctr_opts[];

int run_parse_args(const char *verb, int argc, char **argv, struct run_args *a, bool *help, struct err *e);
void run_args_free(struct run_args *a);
/* ctrnet.c: --network, -p and -P into s->net, s->net_opts, s->net_container
 * (container:NAME, looked up in root) and s->ports (random host ports
 * assigned, busy or privileged ports refused). */
int run_build_network(const char *root, const struct run_args *a, const struct image *img,
		      struct container_spec *s, struct err *e);
/* NET_BRIDGE: check that s's networks exist, that its aliases clash with
 * no other name on them and its --ip is free and inside the subnet, and
 * pick the free addresses.  name is the container's name.  The caller
 * holds network_lock() until the record is written. */
int ctr_network_assign(const char *root, struct container_spec *s, const char *name, struct err *e);
/* Shared by run and create (verb): parse the options, find or pull the
 * image, build the spec and write the record.  Returns 1 after printing
 * --help, 0 when the record exists, -1 on error (a usage error for bad
 * options). */
int ctr_create_record(struct globals *g, const char *verb, int argc, char **argv, struct container_spec *s,
		      struct idmap *m, struct err *e);
int run_build_spec(struct globals *g, const struct run_args *a, const struct image *img,
		   const struct idmap *m, struct store *st, struct container_spec *s, struct err *e);

#endif
