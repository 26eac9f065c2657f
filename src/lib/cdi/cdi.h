/* cdi.h - devices named by the Container Device Interface.
 *
 * `--device VENDOR/CLASS=NAME` (or `=all`) names a device that a vendor's
 * CDI spec describes: a JSON or YAML file in /etc/cdi or /var/run/cdi
 * (burrow.conf cdi-spec-dirs, or BURROW_CDI_SPEC_DIRS, replace that list)
 * with a kind ("vendor.com/class"), its devices and, for each one and for
 * the whole spec, the edits that give a container the device: environment
 * variables, device nodes, mounts and OCI hooks.
 *
 * Specs are read at create time and the edits become part of the
 * container's record: device nodes are bound from the host as --device
 * binds them (a rootless container can't mknod), mounts are bind mounts
 * and the environment is added after the image's and -e's, additional
 * GIDs join --group-add, and hooks are recorded and run at their points of
 * the container's lifecycle (lib/record/hookspec.h, runtime/hooks.c).
 *
 * Specs come from outside, so a file is bounded (CDI_MAX_SPEC_BYTES), its
 * fields must have the types the spec gives them, and every path must be
 * absolute and clean; a file that fails is skipped, and its error is the
 * one a name that no other spec defines reports.  The same device in two files of one directory is a
 * conflict; a later directory overrides an earlier one.  In a Slurm job,
 * `=all` of a GPU kind (class "gpu") is the GPUs Slurm gave the step
 * (SLURM_STEP_GPUS) or job (SLURM_JOB_GPUS), by their indices.
 */
#ifndef BURROW_CDI_H
#define BURROW_CDI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"
#include "lib/record/container.h"

#define CDI_MAX_SPEC_BYTES (1024 * 1024)
#define CDI_MAX_SPEC_FILES 1024

struct cdi_node {
	char *path;  /* in the container */
	char *host;  /* on the host (hostPath, else path) */
	char *perms; /* "rwm" subset, or NULL */
	char type;   /* 'c', 'b', 'u', 'p' or 0 */
	bool has_major, has_minor;
	int64_t major, minor;
};

struct cdi_mount {
	char *host, *ctr;
	char **options; /* may be NULL */
};

struct cdi_edits {
	char **env; /* "K=V" */
	struct cdi_node *nodes;
	size_t nnodes;
	struct cdi_mount *mounts;
	size_t nmounts;
	struct hook_spec *hooks;
	size_t nhooks;
	uint32_t *gids; /* additionalGids */
	size_t ngids;
};

struct cdi_device {
	char *name;
	struct cdi_edits edits;
};

struct cdi_spec {
	char *version; /* cdiVersion */
	char *kind;    /* "vendor/class" */
	struct cdi_device *devices;
	size_t ndevices;
	struct cdi_edits edits; /* the spec-wide containerEdits */
};

/* Is s (a --device value) a CDI name rather than a host path? */
bool cdi_is_name(const char *s);
/* Split "VENDOR/CLASS=NAME" into kind and name (malloc'd), checking both
 * against the CDI name rules; -1 with an error naming s. */
int cdi_parse_name(const char *s, char **kind, char **name, struct err *e);

/* Parse a spec document: YAML when yaml (YAML is a superset of JSON, so a
 * .yaml file may hold JSON), else JSON.  what names it in errors. */
int cdi_spec_parse(const char *buf, size_t len, bool yaml, const char *what, struct cdi_spec **out,
		   struct err *e);
void cdi_spec_free(struct cdi_spec *s);

/* The spec directories: BURROW_CDI_SPEC_DIRS (':'-separated) if set, else
 * conf (burrow.conf's cdi-spec-dirs) if not NULL, else /etc/cdi and
 * /var/run/cdi.  malloc'd vector. */
char **cdi_spec_dirs(char *const *conf);

/* The CDI names among devs (the --device values), resolved against the
 * specs in the directories cdi_spec_dirs(conf) names and added to s: its
 * env, devices ("HOST:CTR:rwm") and volumes.  Nothing is read when no
 * value is a CDI name.  A name no spec defines, a bad spec, or a
 * host path that is missing or not the node the spec describes: -1 with
 * an error naming it. */
int cdi_apply(char *const *conf, char *const *devs, struct container_spec *s, struct err *e);

#endif
