/* ctropts.c - the options run and create share, and the container spec
 * they build from them and the image. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctropts.h"
#include "lib/record/state.h"
#include "lib/base/util.h"

enum {
	O_RM = 1, O_INTERACTIVE, O_TTY, O_NAME, O_ENV, O_ENVFILE, O_WORKDIR, O_USER, O_VOLUME,
	O_TMPFS, O_HOSTNAME, O_ENTRYPOINT, O_INIT, O_READONLY, O_CAPADD, O_CAPDROP, O_SECOPT,
	O_NETWORK, O_HELP, O_DETACH, O_PUBLISH, O_RESTART, O_HCMD, O_HINTERVAL, O_HTIMEOUT,
	O_HRETRIES, O_HSTART, O_NOHC, O_LOGDRV, O_LOGOPT, O_STOPSIG, O_STOPTIMEOUT,
	O_PUBALL = 100,
	O_CGROUPS, O_ULIMIT,
	O_LIMIT = 300,  /* cgroup limits: + index in limit_flags[] */
	O_PULL = 200, O_PLATFORM, O_TLSVERIFY,
};

/* the cgroup limit flags, in O_LIMIT + i order: cgroup_limit_set() takes the name */
static const char *const limit_flags[] = {
	"memory", "memory-swap", "memory-reservation", "cpus", "cpu-shares", "cpu-quota",
	"cpu-period", "cpuset-cpus", "cpuset-mems", "pids-limit", "blkio-weight",
};

const struct opt ctr_opts[] = {
	{ "blkio-weight", 0, OPT_VALUE, O_LIMIT + 10, "N", "Block IO weight, 10 to 1000 (io.bfq.weight/io.weight)" },
	{ "cgroups", 0, OPT_VALUE, O_CGROUPS, "MODE", "enabled (default) or disabled: never create a cgroup" },
	{ "cpu-period", 0, OPT_VALUE, O_LIMIT + 6, "USEC", "CPU CFS period (with --cpu-quota)" },
	{ "cpu-quota", 0, OPT_VALUE, O_LIMIT + 5, "USEC", "CPU CFS quota per period (cpu.max)" },
	{ "cpu-shares", 0, OPT_VALUE, O_LIMIT + 4, "N", "CPU shares, 2 to 262144 (cpu.weight)" },
	{ "cpus", 0, OPT_VALUE, O_LIMIT + 3, "N", "Number of CPUs, e.g. 0.5 (cpu.max)" },
	{ "cpuset-cpus", 0, OPT_VALUE, O_LIMIT + 7, "LIST", "CPUs the container may use, e.g. 0-3,5" },
	{ "cpuset-mems", 0, OPT_VALUE, O_LIMIT + 8, "LIST", "Memory nodes the container may use" },
	{ "memory", 0, OPT_VALUE, O_LIMIT + 0, "SIZE", "Memory limit, e.g. 64m (memory.max)" },
	{ "memory-reservation", 0, OPT_VALUE, O_LIMIT + 2, "SIZE", "Memory soft limit (memory.low)" },
	{ "memory-swap", 0, OPT_VALUE, O_LIMIT + 1, "SIZE", "Memory plus swap limit, -1 for unlimited swap" },
	{ "pids-limit", 0, OPT_VALUE, O_LIMIT + 9, "N", "Maximum number of processes, -1 for unlimited" },
	{ "ulimit", 0, OPT_VALUE, O_ULIMIT, "TYPE=SOFT[:HARD]", "Set a resource limit (setrlimit), e.g. nofile=1024:2048" },
	{ "cap-add", 0, OPT_VALUE, O_CAPADD, "CAP", "Add a capability (or ALL)" },
	{ "cap-drop", 0, OPT_VALUE, O_CAPDROP, "CAP", "Drop a capability (or ALL)" },
	{ "detach", 'd', OPT_FLAG, O_DETACH, NULL, "Run in the background and print the container ID" },
	{ "entrypoint", 0, OPT_VALUE, O_ENTRYPOINT, "CMD", "Override the image's ENTRYPOINT" },
	{ "env", 'e', OPT_VALUE, O_ENV, "KEY[=VAL]", "Set an environment variable" },
	{ "env-file", 0, OPT_VALUE, O_ENVFILE, "FILE", "Read environment variables from FILE" },
	{ "health-cmd", 0, OPT_VALUE, O_HCMD, "CMD", "Healthcheck command (run with /bin/sh -c, or a JSON array)" },
	{ "health-interval", 0, OPT_VALUE, O_HINTERVAL, "DURATION", "Time between healthchecks (default 30s)" },
	{ "health-retries", 0, OPT_VALUE, O_HRETRIES, "N", "Failures in a row before unhealthy (default 3)" },
	{ "health-start-period", 0, OPT_VALUE, O_HSTART, "DURATION", "Failures during this start period do not count" },
	{ "health-timeout", 0, OPT_VALUE, O_HTIMEOUT, "DURATION", "Time a healthcheck may take (default 30s)" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "hostname", 'h', OPT_VALUE, O_HOSTNAME, "NAME", "Container hostname" },
	{ "init", 0, OPT_FLAG, O_INIT, NULL, "Run burrow-init as PID 1 to reap zombies and forward signals" },
	{ "interactive", 'i', OPT_FLAG, O_INTERACTIVE, NULL, "Keep stdin open" },
	{ "log-driver", 0, OPT_VALUE, O_LOGDRV, "DRIVER", "k8s-file (default) or none" },
	{ "log-opt", 0, OPT_VALUE, O_LOGOPT, "OPT", "max-size=SIZE or max-file=N" },
	{ "name", 0, OPT_VALUE, O_NAME, "NAME", "Container name" },
	{ "net", 0, OPT_VALUE, O_NETWORK, "MODE", "Alias for --network" },
	{ "network", 0, OPT_VALUE, O_NETWORK, "MODE", "slirp4netns[:OPTS] (default), none or host" },
	{ "no-healthcheck", 0, OPT_FLAG, O_NOHC, NULL, "Disable the image's healthcheck" },
	{ "publish", 'p', OPT_VALUE, O_PUBLISH, "[IP:]HOST:CTR[/PROTO]", "Publish a container port on the host" },
	{ "publish-all", 'P', OPT_FLAG, O_PUBALL, NULL, "Publish every EXPOSEd port on a random host port" },
	{ "read-only", 0, OPT_FLAG, O_READONLY, NULL, "Mount the root filesystem read-only" },
	{ "restart", 0, OPT_VALUE, O_RESTART, "POLICY", "no, on-failure[:N], always or unless-stopped" },
	{ "rm", 0, OPT_FLAG, O_RM, NULL, "Remove the container when it exits" },
	{ "security-opt", 0, OPT_VALUE, O_SECOPT, "OPT", "no-new-privileges (always on), seccomp=unconfined, label=disable" },
	{ "platform", 0, OPT_VALUE, O_PLATFORM, "OS/ARCH", "Platform of the image to pull (default: this host)" },
	{ "pull", 0, OPT_VALUE, O_PULL, "POLICY", "Pull the image: missing (default), always or never" },
	{ "stop-signal", 0, OPT_VALUE, O_STOPSIG, "SIGNAL", "Signal that stops the container (default: the image's, else TERM)" },
	{ "stop-timeout", 0, OPT_VALUE, O_STOPTIMEOUT, "SECONDS", "Time to wait before SIGKILL (default 10)" },
	{ "tmpfs", 0, OPT_VALUE, O_TMPFS, "PATH[:OPTS]", "Mount a tmpfs" },
	{ "tls-verify", 0, OPT_FLAG, O_TLSVERIFY, NULL, "Require HTTPS and verify certificates when pulling (default true)" },
	{ "tty", 't', OPT_FLAG, O_TTY, NULL, "Allocate a terminal" },
	{ "user", 'u', OPT_VALUE, O_USER, "USER[:GROUP]", "Run as this user (name or id)" },
	{ "volume", 'v', OPT_VALUE, O_VOLUME, "SRC:DST[:ro]", "Bind-mount a host path" },
	{ "workdir", 'w', OPT_VALUE, O_WORKDIR, "DIR", "Working directory inside the container" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

void run_args_free(struct run_args *a)
{
	strv_free(a->ports);
	strv_free(a->log_opts);
	strv_free(a->env_specs);
	strv_free(a->env_files);
	strv_free(a->volumes);
	strv_free(a->tmpfs);
	strv_free(a->cap_add);
	strv_free(a->cap_drop);
	strv_free(a->ulimits);
	if (a->has_limits)
		cgroup_limits_free(&a->limits);
}

static int check_secopt(const char *v, struct err *e)
{
	if (strcmp(v, "no-new-privileges") == 0 || strcmp(v, "no-new-privileges=true") == 0 ||
	    strcmp(v, "no-new-privileges:true") == 0)
		return 0;
	if (strcmp(v, "no-new-privileges=false") == 0 || strcmp(v, "no-new-privileges:false") == 0)
		return err_make(e, 0, "--security-opt %s: burrow always sets no_new_privs", v);
	if (strcmp(v, "seccomp=unconfined") == 0 || strcmp(v, "label=disable") == 0 ||
	    strcmp(v, "apparmor=unconfined") == 0)
		return 0;
	return err_make(e, 0, "unsupported --security-opt \"%s\" (supported: no-new-privileges, "
			      "seccomp=unconfined, label=disable, apparmor=unconfined)", v);
}

int run_parse_args(const char *verb, int argc, char **argv, struct run_args *a, bool *help, struct err *e)
{
	struct optparser p;
	int id;

	a->tls_verify = true;
	opt_init(&p, ctr_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_RM: a->rm = opt_flag_value(&p); break;
		case O_INTERACTIVE: a->interactive = opt_flag_value(&p); break;
		case O_TTY: a->tty = opt_flag_value(&p); break;
		case O_INIT: a->init = opt_flag_value(&p); break;
		case O_READONLY: a->read_only = opt_flag_value(&p); break;
		case O_NAME: a->name = p.value; break;
		case O_WORKDIR: a->workdir = p.value; break;
		case O_USER: a->user = p.value; break;
		case O_HOSTNAME: a->hostname = p.value; break;
		case O_ENTRYPOINT: a->entrypoint = p.value; break;
		case O_NETWORK: a->network = p.value; break;
		case O_ENV: strv_push(&a->env_specs, p.value); break;
		case O_ENVFILE: strv_push(&a->env_files, p.value); break;
		case O_VOLUME: strv_push(&a->volumes, p.value); break;
		case O_TMPFS: strv_push(&a->tmpfs, p.value); break;
		case O_CAPADD: strv_push(&a->cap_add, p.value); break;
		case O_CAPDROP: strv_push(&a->cap_drop, p.value); break;
		case O_DETACH: a->detach = opt_flag_value(&p); break;
		case O_NOHC: a->no_healthcheck = opt_flag_value(&p); break;
		case O_PUBLISH: strv_push(&a->ports, p.value); break;
		case O_PUBALL: a->publish_all = opt_flag_value(&p); break;
		case O_LOGOPT: strv_push(&a->log_opts, p.value); break;
		case O_RESTART: a->restart = p.value; break;
		case O_HCMD: a->health_cmd = p.value; break;
		case O_HINTERVAL: a->health_interval = p.value; break;
		case O_HTIMEOUT: a->health_timeout = p.value; break;
		case O_HRETRIES: a->health_retries = p.value; break;
		case O_HSTART: a->health_start = p.value; break;
		case O_LOGDRV: a->log_driver = p.value; break;
		case O_STOPSIG: a->stop_signal = p.value; break;
		case O_PULL:
			if (strcmp(p.value, "missing") != 0 && strcmp(p.value, "always") != 0 &&
			    strcmp(p.value, "never") != 0 && strcmp(p.value, "newer") != 0)
				return err_make(e, 0, "invalid --pull policy \"%s\" (missing, always, never)", p.value);
			a->pull = p.value;
			break;
		case O_PLATFORM: a->platform = p.value; break;
		case O_TLSVERIFY: a->tls_verify = opt_flag_value(&p); break;
		case O_STOPTIMEOUT: a->stop_timeout = p.value; break;
		case O_SECOPT:
			if (check_secopt(p.value, e) < 0)
				return -1;
			break;
		case O_CGROUPS: a->cgroups = p.value; break;
		case O_ULIMIT: {
			struct cg_ulimit u;
			if (cg_parse_ulimit(p.value, &u, e) < 0)
				return -1;
			strv_push(&a->ulimits, p.value);
			break;
		}
		case O_HELP: *help = true; return 0;
		case -1: return -1;
		default:
			if (id >= O_LIMIT && id < O_LIMIT + (int)ARRAY_SIZE(limit_flags)) {
				if (!a->has_limits)
					cgroup_limits_init(&a->limits);
				a->has_limits = true;
				if (cgroup_limit_set(&a->limits, limit_flags[id - O_LIMIT], p.value, e) < 0)
					return -1;
				break;
			}
			return err_make(e, 0, "internal error: option %d", id);
		}
	}
	if (a->has_limits && cgroup_limits_check(&a->limits, e) < 0)
		return -1;
	if (a->cgroups && strcmp(a->cgroups, "enabled") != 0 && strcmp(a->cgroups, "disabled") != 0)
		return err_make(e, 0, "invalid --cgroups \"%s\" (enabled, disabled)", a->cgroups);
	if (a->has_limits && a->cgroups && strcmp(a->cgroups, "disabled") == 0)
		return err_make(e, 0, "--cgroups=disabled conflicts with resource limits: "
				      "burrow never ignores a limit it cannot enforce");
	if (p.idx >= argc)
		return err_make(e, 0, "\"burrow %s\" requires at least 1 argument: an image", verb);
	a->image = argv[p.idx];
	a->cmd = argv + p.idx + 1;
	a->ncmd = argc - p.idx - 1;
	return 0;
}

static int build_caps(const struct run_args *a, uint64_t *caps, struct err *e)
{
	uint64_t all = 0, keep = 0;
	bool add_all = false, drop_all = false;

	for (int c = 0; c < 41; c++)
		all |= 1ULL << c;
	for (size_t i = 0; i < n_default_caps; i++)
		keep |= 1ULL << default_caps[i];
	for (size_t i = 0; a->cap_add && a->cap_add[i]; i++) {
		int c = parse_cap(a->cap_add[i], e);
		if (c == -1)
			return -1;
		add_all |= c == CAP_ALL;
	}
	for (size_t i = 0; a->cap_drop && a->cap_drop[i]; i++) {
		int c = parse_cap(a->cap_drop[i], e);
		if (c == -1)
			return -1;
		drop_all |= c == CAP_ALL;
	}
	if (add_all)
		keep = all;
	else if (drop_all)
		keep = 0;
	for (size_t i = 0; a->cap_drop && a->cap_drop[i]; i++) {
		int c = parse_cap(a->cap_drop[i], e);
		if (c >= 0)
			keep &= ~(1ULL << c);
	}
	for (size_t i = 0; a->cap_add && a->cap_add[i]; i++) {
		int c = parse_cap(a->cap_add[i], e);
		if (c >= 0)
			keep |= 1ULL << c;
	}
	*caps = keep;
	return 0;
}

/* --entrypoint takes a command string or a JSON array, as podman's does */
static int entrypoint_argv(const char *v, char ***out, struct err *e)
{
	json_object *j;

	*out = NULL;
	if (*v == '\0')
		return 0;
	if (*v != '[') {
		strv_push(out, v);
		return 0;
	}
	j = json_tokener_parse(v);
	if (!j || !json_object_is_type(j, json_type_array)) {
		json_object_put(j);
		return err_make(e, 0, "--entrypoint: invalid JSON array %s", v);
	}
	for (size_t i = 0; i < json_object_array_length(j); i++) {
		json_object *s = json_object_array_get_idx(j, i);
		if (!json_object_is_type(s, json_type_string)) {
			json_object_put(j);
			strv_free(*out);
			*out = NULL;
			return err_make(e, 0, "--entrypoint: the array must hold strings");
		}
		strv_push(out, json_object_get_string(s));
	}
	json_object_put(j);
	return 0;
}

/* The image's HEALTHCHECK (config.Healthcheck: Test, and Interval,
 * Timeout, StartPeriod in nanoseconds, Retries) as the defaults that the
 * --health-* flags override.  A Test of ["NONE"] disables it. */
static int image_healthcheck(struct store *st, const struct image *img, struct health_spec *h,
			     struct err *e)
{
	_cleanup_free_ char *txt = NULL;
	json_object *j, *cfg, *hc, *v;

	if (!st || store_image_config(st, img->id, &txt, e) < 0) {
		err_clear(e);
		return 0; /* an image without a readable config has no healthcheck */
	}
	j = json_tokener_parse(txt);
	if (!j)
		return 0;
	if (json_object_object_get_ex(j, "config", &cfg) && json_object_object_get_ex(cfg, "Healthcheck", &hc) &&
	    json_object_is_type(hc, json_type_object)) {
		if (json_object_object_get_ex(hc, "Test", &v) && json_object_is_type(v, json_type_array) &&
		    json_object_array_length(v) > 0) {
			for (size_t i = 0; i < json_object_array_length(v); i++) {
				json_object *t = json_object_array_get_idx(v, i);
				if (json_object_is_type(t, json_type_string))
					strv_push(&h->test, json_object_get_string(t));
			}
			if (h->test && strcmp(h->test[0], "NONE") == 0) {
				strv_free(h->test);
				h->test = NULL;
			}
		}
		if (json_object_object_get_ex(hc, "Interval", &v) && json_object_get_int64(v) > 0)
			h->interval_ms = json_object_get_int64(v) / 1000000;
		if (json_object_object_get_ex(hc, "Timeout", &v) && json_object_get_int64(v) > 0)
			h->timeout_ms = json_object_get_int64(v) / 1000000;
		if (json_object_object_get_ex(hc, "StartPeriod", &v) && json_object_get_int64(v) > 0)
			h->start_period_ms = json_object_get_int64(v) / 1000000;
		if (json_object_object_get_ex(hc, "Retries", &v) && json_object_get_int(v) > 0)
			h->retries = json_object_get_int(v);
	}
	json_object_put(j);
	return 0;
}

static int build_lifecycle(const struct run_args *a, const struct image *img, struct store *st,
			   struct container_spec *s, struct err *e)
{
	if (a->restart && parse_restart(a->restart, &s->restart, e) < 0)
		return -1;
	if (s->restart.mode != RESTART_NO && a->rm)
		return err_make(e, 0, "the --restart option conflicts with --rm");
	s->log_max_file = 1;
	if (a->log_driver && strcmp(a->log_driver, "k8s-file") != 0) {
		if (strcmp(a->log_driver, "none") != 0)
			return err_make(e, 0, "unsupported --log-driver \"%s\" (k8s-file, none)", a->log_driver);
		s->log_driver = LOGDRV_NONE;
	}
	for (size_t i = 0; a->log_opts && a->log_opts[i]; i++) {
		const char *o = a->log_opts[i];
		uint64_t v;
		if (strncmp(o, "max-size=", 9) == 0) {
			if (parse_size(o + 9, &s->log_max_size, e) < 0)
				return err_wrap(e, "--log-opt");
		} else if (strncmp(o, "max-file=", 9) == 0) {
			if (parse_u64(o + 9, &v) < 0 || v < 1 || v > 100)
				return err_make(e, 0, "--log-opt %s: max-file takes a number from 1 to 100", o);
			s->log_max_file = (int)v;
		} else if (strncmp(o, "path=", 5) == 0 || strncmp(o, "tag=", 4) == 0) {
			return err_make(e, 0, "unsupported --log-opt \"%s\" (max-size=, max-file=)", o);
		} else {
			return err_make(e, 0, "unsupported --log-opt \"%s\" (max-size=, max-file=)", o);
		}
	}
	s->stop_signal = SIGTERM;
	if (a->stop_signal || (img->cfg.stop_signal && *img->cfg.stop_signal)) {
		int sig = parse_signal(a->stop_signal ? a->stop_signal : img->cfg.stop_signal, e);
		if (sig < 0)
			return err_wrap(e, "--stop-signal");
		s->stop_signal = sig;
	}
	s->stop_timeout = 10;
	if (a->stop_timeout) {
		uint64_t v;
		if (parse_u64(a->stop_timeout, &v) < 0 || v > 1000000)
			return err_make(e, 0, "invalid --stop-timeout \"%s\"", a->stop_timeout);
		s->stop_timeout = (int)v;
	}
	if (a->health_cmd && !a->no_healthcheck) {
		if (a->health_cmd[0] == '[') {
			_cleanup_strv_ char **v = NULL;
			if (entrypoint_argv(a->health_cmd, &v, e) < 0)
				return err_wrap(e, "--health-cmd");
			strv_push(&s->health.test, "CMD");
			for (size_t i = 0; v && v[i]; i++)
				strv_push(&s->health.test, v[i]);
		} else if (*a->health_cmd && strcmp(a->health_cmd, "none") != 0) {
			strv_push(&s->health.test, "CMD-SHELL");
			strv_push(&s->health.test, a->health_cmd);
		}
	}
	s->health.interval_ms = 30000;
	s->health.timeout_ms = 30000;
	s->health.retries = 3;
	if (!a->health_cmd && !a->no_healthcheck && image_healthcheck(st, img, &s->health, e) < 0)
		return -1;
	if (a->health_interval && parse_duration_ms(a->health_interval, &s->health.interval_ms, e) < 0)
		return err_wrap(e, "--health-interval");
	if (a->health_timeout && parse_duration_ms(a->health_timeout, &s->health.timeout_ms, e) < 0)
		return err_wrap(e, "--health-timeout");
	if (a->health_start && parse_duration_ms(a->health_start, &s->health.start_period_ms, e) < 0)
		return err_wrap(e, "--health-start-period");
	if (a->health_retries) {
		uint64_t v;
		if (parse_u64(a->health_retries, &v) < 0 || v < 1 || v > 1000)
			return err_make(e, 0, "invalid --health-retries \"%s\"", a->health_retries);
		s->health.retries = (int)v;
	}
	if (s->health.interval_ms < 1 && s->health.test)
		return err_make(e, 0, "--health-interval must be positive");
	return 0;
}

static int build_command(const struct run_args *a, const struct image *img, char ***argv,
			 struct err *e)
{
	_cleanup_strv_ char **ep = NULL;

	if (a->entrypoint) {
		if (entrypoint_argv(a->entrypoint, &ep, e) < 0)
			return -1;
	} else {
		ep = strv_dup(img->cfg.entrypoint);
	}
	*argv = steal_ptr(ep);
	if (a->ncmd > 0) {
		for (int i = 0; i < a->ncmd; i++)
			strv_push(argv, a->cmd[i]);
	} else if (!a->entrypoint) {
		for (size_t i = 0; img->cfg.cmd && img->cfg.cmd[i]; i++)
			strv_push(argv, img->cfg.cmd[i]);
	}
	if (strv_len(*argv) == 0)
		return err_make(e, 0, "no command or entrypoint provided, and no CMD or ENTRYPOINT from image");
	return 0;
}

static char *find_init(struct err *e)
{
	_cleanup_free_ char *dir = self_exe_dir();
	char *p;

	if (dir) {
		p = xasprintf("%s/burrow-init", dir);
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	p = xstrdup(LIBEXECDIR "/burrow-init");
	if (access(p, X_OK) == 0)
		return p;
	err_make(e, errno, "--init: %s", p);
	free(p);
	return NULL;
}

static int build_mounts(const struct run_args *a, struct container_spec *s, struct err *e)
{
	s->nvolumes = strv_len(a->volumes);
	s->volumes = xcalloc(s->nvolumes + 1, sizeof *s->volumes);
	for (size_t i = 0; i < s->nvolumes; i++)
		if (parse_volume(a->volumes[i], &s->volumes[i], e) < 0)
			return err_wrap(e, "--volume %s", a->volumes[i]);
	s->ntmpfs = strv_len(a->tmpfs);
	s->tmpfs = xcalloc(s->ntmpfs + 1, sizeof *s->tmpfs);
	for (size_t i = 0; i < s->ntmpfs; i++)
		if (parse_tmpfs(a->tmpfs[i], &s->tmpfs[i], e) < 0)
			return err_wrap(e, "--tmpfs %s", a->tmpfs[i]);
	return 0;
}

int run_build_spec(struct globals *g, const struct run_args *a, const struct image *img,
		   const struct idmap *m, struct store *st, struct container_spec *s, struct err *e)
{
	char id[65];
	char created[48];

	if (random_hex_id(id, e) < 0)
		return -1;
	memcpy(s->id, id, sizeof id);
	s->idmap = m;
	s->image_id = xstrdup(img->id);
	s->image_ref = xstrdup(a->image);
	s->tty = a->tty;
	s->interactive = a->interactive;
	s->init = a->init;
	s->read_only = a->read_only;
	s->remove = a->rm;
	s->detach = a->detach;
	s->overlay = g->cfg.overlay;
	state_time_now(created, sizeof created);
	s->created = xstrdup(created);
	if (build_lifecycle(a, img, st, s, e) < 0)
		return -1;
	if (run_build_network(g->cfg.root, a, img, s, e) < 0)
		return -1;
	if (build_command(a, img, &s->argv, e) < 0)
		return -1;
	s->env = strv_dup(img->cfg.env);
	for (size_t i = 0; a->env_files && a->env_files[i]; i++)
		if (env_add_file(&s->env, a->env_files[i], e) < 0)
			return -1;
	for (size_t i = 0; a->env_specs && a->env_specs[i]; i++)
		if (env_add(&s->env, a->env_specs[i], e) < 0)
			return -1;
	if (a->workdir && a->workdir[0] != '/')
		return err_make(e, 0, "the working directory \"%s\" is not an absolute path", a->workdir);
	s->workdir = xstrdup(a->workdir ? a->workdir : img->cfg.workdir && *img->cfg.workdir ? img->cfg.workdir : "/");
	if (a->user && *a->user)
		s->user = xstrdup(a->user);
	else if (img->cfg.user && *img->cfg.user)
		s->user = xstrdup(img->cfg.user);
	if (a->hostname) {
		if (!*a->hostname || strlen(a->hostname) > 64)
			return err_make(e, 0, "invalid hostname \"%s\"", a->hostname);
		s->hostname = xstrdup(a->hostname);
	} else if (s->net == NET_HOST) {
		char h[65] = "";
		gethostname(h, sizeof h - 1);
		s->hostname = xstrdup(h);
	} else {
		s->hostname = xasprintf("%.12s", s->id);
	}
	if (build_caps(a, &s->caps, e) < 0 || build_mounts(a, s, e) < 0)
		return -1;
	if (a->init && !(s->init_path = find_init(e)))
		return -1;
	s->lowerdirs = xcalloc(img->nlayers + 1, sizeof(char *));
	for (size_t i = 0; i < img->nlayers; i++)
		s->lowerdirs[i] = store_layer_path(st, img->layers[img->nlayers - 1 - i].chain_id);
	s->ctrdir = xasprintf("%s/containers/%s", g->cfg.root, s->id);
	s->rundir = xasprintf("%s/containers/%s", g->cfg.runroot, s->id);
	if (a->has_limits) {
		s->has_limits = true;
		s->limits = a->limits;
		s->limits.cpuset_cpus = a->limits.cpuset_cpus ? xstrdup(a->limits.cpuset_cpus) : NULL;
		s->limits.cpuset_mems = a->limits.cpuset_mems ? xstrdup(a->limits.cpuset_mems) : NULL;
	}
	s->no_cgroups = a->cgroups && strcmp(a->cgroups, "disabled") == 0;
	s->ulimits = strv_dup(a->ulimits);
	return 0;
}

