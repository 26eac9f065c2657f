/* specbuild.c - see specbuild.h */
#include <json-c/json.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "specbuild.h"
#include "lib/base/util.h"

static int build_caps(const struct spec_opts *a, uint64_t *caps, struct err *e)
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

/* --entrypoint (and a JSON --health-cmd): a command string is one word, a
 * JSON array of strings its words, "" none (*out NULL), as podman's */
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

/* the image's HEALTHCHECK over the defaults: its test, and the timings it sets */
static void image_health(const struct health_spec *img, struct health_spec *h)
{
	if (img->test && strcmp(img->test[0], "NONE") != 0)
		h->test = strv_dup(img->test);
	if (img->interval_ms > 0)
		h->interval_ms = img->interval_ms;
	if (img->timeout_ms > 0)
		h->timeout_ms = img->timeout_ms;
	if (img->start_period_ms > 0)
		h->start_period_ms = img->start_period_ms;
	if (img->retries > 0)
		h->retries = img->retries;
}

static int build_lifecycle(const struct spec_opts *a, const struct spec_image *img, struct container_spec *s,
			   struct err *e)
{
	if (a->restart && parse_restart(a->restart, &s->restart, e) < 0)
		return -1;
	if (s->restart.mode != RESTART_NO && a->rm)
		return err_make(e, 0, "the --restart option conflicts with --rm");
	s->log_max_file = 1;
	if (a->log_driver && strcmp(a->log_driver, "k8s-file") != 0) {
		if (strcmp(a->log_driver, "none") != 0)
			return err_make(e, 0, "unsupported --log-driver \"%s\" (k8s-file, none)",
					a->log_driver);
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
				return err_make(e, 0, "--log-opt %s: max-file takes a number from 1 to 100",
						o);
			s->log_max_file = (int)v;
		} else if (strncmp(o, "path=", 5) == 0 || strncmp(o, "tag=", 4) == 0) {
			return err_make(e, 0, "unsupported --log-opt \"%s\" (max-size=, max-file=)", o);
		} else {
			return err_make(e, 0, "unsupported --log-opt \"%s\" (max-size=, max-file=)", o);
		}
	}
	s->stop_signal = SIGTERM;
	if (a->stop_signal || (img->stop_signal && *img->stop_signal)) {
		int sig = parse_signal(a->stop_signal ? a->stop_signal : img->stop_signal, e);
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
	if (!a->health_cmd && !a->no_healthcheck)
		image_health(&img->health, &s->health);
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

static int build_command(const struct spec_opts *a, const struct spec_image *img, char ***argv, struct err *e)
{
	_cleanup_strv_ char **ep = NULL;

	if (a->entrypoint) {
		if (entrypoint_argv(a->entrypoint, &ep, e) < 0)
			return -1;
	} else {
		ep = strv_dup(img->entrypoint);
	}
	*argv = steal_ptr(ep);
	if (a->ncmd > 0) {
		for (int i = 0; i < a->ncmd; i++)
			strv_push(argv, a->cmd[i]);
	} else if (!a->entrypoint) {
		for (size_t i = 0; img->cmd && img->cmd[i]; i++)
			strv_push(argv, img->cmd[i]);
	}
	if (strv_len(*argv) == 0)
		return err_make(e, 0,
				"no command or entrypoint provided, and no CMD or ENTRYPOINT from image");
	return 0;
}

static bool mount_covers(const struct container_spec *s, const char *dst)
{
	for (size_t i = 0; i < s->nvolumes; i++)
		if (strcmp(s->volumes[i].dst, dst) == 0)
			return true;
	for (size_t i = 0; i < s->ntmpfs; i++)
		if (strcmp(s->tmpfs[i].dst, dst) == 0)
			return true;
	return false;
}

static int build_mounts(const struct spec_opts *a, const struct spec_image *img, struct container_spec *s,
			struct err *e)
{
	size_t nmounts = strv_len(a->mounts), nimg = strv_len(img->volumes);

	s->volumes = xcalloc(strv_len(a->volumes) + nmounts + nimg + 1, sizeof *s->volumes);
	s->tmpfs = xcalloc(strv_len(a->tmpfs) + nmounts + 1, sizeof *s->tmpfs);
	for (size_t i = 0; a->volumes && a->volumes[i]; i++, s->nvolumes++)
		if (parse_volume(a->volumes[i], &s->volumes[i], e) < 0)
			return err_wrap(e, "--volume %s", a->volumes[i]);
	for (size_t i = 0; a->tmpfs && a->tmpfs[i]; i++, s->ntmpfs++)
		if (parse_tmpfs(a->tmpfs[i], &s->tmpfs[i], e) < 0)
			return err_wrap(e, "--tmpfs %s", a->tmpfs[i]);
	for (size_t i = 0; i < nmounts; i++) {
		struct volume_spec v;
		struct tmpfs_spec t;
		int kind = parse_mount(a->mounts[i], &v, &t, e);
		if (kind < 0)
			return -1;
		if (kind == MOUNT_TMPFS)
			s->tmpfs[s->ntmpfs++] = t;
		else
			s->volumes[s->nvolumes++] = v;
	}
	for (size_t i = 0; i < s->nvolumes; i++)
		for (size_t k = 0; k < s->ntmpfs; k++)
			if (strcmp(s->volumes[i].dst, s->tmpfs[k].dst) == 0)
				return err_make(e, 0, "%s: duplicate mount destination", s->tmpfs[k].dst);
	for (size_t i = 0; i < s->nvolumes; i++)
		for (size_t k = 0; k < i; k++)
			if (strcmp(s->volumes[i].dst, s->volumes[k].dst) == 0)
				return err_make(e, 0, "%s: duplicate mount destination", s->volumes[i].dst);
	/* the image's VOLUMEs: an anonymous volume each, unless mounted over */
	for (size_t i = 0; i < nimg; i++) {
		struct volume_spec v;
		if (parse_volume(img->volumes[i], &v, e) < 0)
			return err_wrap(e, "the image's VOLUME %s", img->volumes[i]);
		if (!v.anonymous || mount_covers(s, v.dst)) {
			volume_spec_free(&v);
			continue;
		}
		free(v.mode);
		v.mode = NULL;
		s->volumes[s->nvolumes++] = v;
	}
	return 0;
}

int spec_build(const struct spec_opts *a, const struct spec_image *img, struct container_spec *s,
	       struct err *e)
{
	s->tty = a->tty;
	s->interactive = a->interactive;
	s->init = a->init;
	s->read_only = a->read_only;
	s->remove = a->rm;
	s->detach = a->detach;
	if (build_lifecycle(a, img, s, e) < 0)
		return -1;
	if (build_command(a, img, &s->argv, e) < 0)
		return -1;
	s->env = strv_dup(img->env);
	for (size_t i = 0; a->host_env && a->host_env[i]; i++)
		if (strchr(a->host_env[i], '=') != a->host_env[i] && env_add(&s->env, a->host_env[i], e) < 0)
			return -1;
	for (size_t i = 0; a->env_files && a->env_files[i]; i++)
		if (env_add_file(&s->env, a->env_files[i], e) < 0)
			return -1;
	for (size_t i = 0; a->env_specs && a->env_specs[i]; i++)
		if (env_add(&s->env, a->env_specs[i], e) < 0)
			return -1;
	if (a->workdir && a->workdir[0] != '/')
		return err_make(e, 0, "the working directory \"%s\" is not an absolute path", a->workdir);
	s->workdir = xstrdup(a->workdir ? a->workdir : img->workdir && *img->workdir ? img->workdir : "/");
	if (a->user && *a->user)
		s->user = xstrdup(a->user);
	else if (img->user && *img->user)
		s->user = xstrdup(img->user);
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
	if (build_caps(a, &s->caps, e) < 0 || build_mounts(a, img, s, e) < 0)
		return -1;
	if (a->has_limits) {
		s->has_limits = true;
		s->limits = a->limits;
		s->limits.cpuset_cpus = a->limits.cpuset_cpus ? xstrdup(a->limits.cpuset_cpus) : NULL;
		s->limits.cpuset_mems = a->limits.cpuset_mems ? xstrdup(a->limits.cpuset_mems) : NULL;
	}
	s->no_cgroups = a->cgroups && strcmp(a->cgroups, "disabled") == 0;
	s->ulimits = strv_dup(a->ulimits);
	s->seccomp = a->seccomp ? xstrdup(a->seccomp) : NULL;
	return spec_build_extras(a, img, s, e);
}
