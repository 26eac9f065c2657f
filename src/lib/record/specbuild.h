/* specbuild.h - a container spec from the image's config and the run and
 * create flags, with no I/O beyond the --env-file files: the caller parses
 * argv into struct spec_opts and reads the image into struct spec_image.
 *
 * The caller sets s->id and s->net first (the hostname defaults to the
 * short ID, or to the host's name with the host network) and everything
 * that needs the store, the clock or the network (image ID and reference,
 * layers, directories, ports, the init binary). */
#ifndef BURROW_SPECBUILD_H
#define BURROW_SPECBUILD_H

#include <stdbool.h>

#include "container.h"

/* What the image contributes (all may be NULL or 0). */
struct spec_image {
	char **entrypoint, **cmd, **env; /* ENTRYPOINT, CMD, ENV ("K=V") */
	const char *workdir, *user, *stop_signal;
	char **labels;             /* LABEL ("K=V") */
	struct health_spec health; /* HEALTHCHECK: test NULL = none; 0 = unset */
	char **volumes;            /* VOLUME: anonymous volumes where no mount covers them */
};

/* The flags, as given (NULL / false / 0 = not given). */
struct spec_opts {
	bool rm, interactive, tty, init, read_only, detach, no_healthcheck;
	const char *workdir, *user, *hostname;
	const char *entrypoint; /* a command, a JSON array, or "" for none */
	const char *restart, *log_driver, *stop_signal, *stop_timeout;
	const char *health_cmd, *health_interval, *health_timeout, *health_retries, *health_start;
	char **env_specs, **env_files, **volumes, **tmpfs, **cap_add, **cap_drop, **log_opts;
	char **mounts; /* --mount */
	char **cmd;    /* the arguments after the image (borrowed) */
	int ncmd;
	bool has_limits; /* limits were given (then initialised) */
	struct cgroup_limits limits;
	const char *cgroups; /* "enabled" or "disabled" */
	char **ulimits;
	/* specextra.c */
	char **labels, **label_files, **annotations, **add_hosts, **dns, **dns_search, **dns_options;
	char **sysctls;
	char **devices;   /* --device HOST[:CTR][:PERMS] */
	char **group_add; /* --group-add */
	bool no_hosts;
	const char *cidfile; /* absolute */
	const char *tz, *shm_size;
	char **host_env;     /* --env-host: the caller's environment (borrowed) */
	const char *seccomp; /* --security-opt seccomp=: "unconfined" or a profile's text */
};

/* Fill s from o and img: command (ENTRYPOINT + CMD, or the overrides),
 * environment (image, then --env-file files, then -e), working directory,
 * user, hostname, capabilities, mounts, restart, logging, stop signal and
 * timeout, healthcheck, limits.  s owns what it gets; on error it may hold
 * some fields (container_spec_free releases them). */
int spec_build(const struct spec_opts *o, const struct spec_image *img, struct container_spec *s,
	       struct err *e);

/* The labels, annotations, hosts and DNS entries, --cidfile, --tz,
 * --shm-size and --sysctl parts of spec_build (specextra.c). */
int spec_build_extras(const struct spec_opts *o, const struct spec_image *img, struct container_spec *s,
		      struct err *e);
/* A --sysctl KEY=VALUE the container's own namespaces hold (net.* only
 * with a network namespace of its own). */
int sysctl_check(const char *kv, enum net_mode net, struct err *e);
/* --device HOST[:CTR][:PERMS] as "HOST:CTR:PERMS" (PERMS of r, w, m;
 * default rwm), both paths absolute and clean.  malloc'd, or NULL. */
char *device_normalize(const char *spec, struct err *e);

#endif
