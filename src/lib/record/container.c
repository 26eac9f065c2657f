/* container.c - container specs, names and records (see container.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container.h"
#include "recmemo.h"
#include "lib/base/log.h"
#include "lib/base/util.h"

void container_spec_free(struct container_spec *s)
{
	free(s->name);
	free(s->image_id);
	free(s->image_ref);
	free(s->created);
	strv_free(s->argv);
	strv_free(s->env);
	free(s->workdir);
	free(s->user);
	free(s->hostname);
	free(s->ports);
	free(s->net_container);
	net_attaches_free(s->networks, s->nnetworks);
	for (size_t i = 0; i < s->nvolumes; i++)
		volume_spec_free(&s->volumes[i]);
	free(s->volumes);
	for (size_t i = 0; i < s->ntmpfs; i++)
		tmpfs_spec_free(&s->tmpfs[i]);
	free(s->tmpfs);
	strv_free(s->health.test);
	strv_free(s->lowerdirs);
	free(s->sqfs);
	free(s->layer_dir);
	free(s->ctrdir);
	free(s->rundir);
	free(s->init_path);
	if (s->has_limits)
		cgroup_limits_free(&s->limits);
	strv_free(s->ulimits);
	strv_free(s->labels);
	strv_free(s->annotations);
	strv_free(s->add_hosts);
	strv_free(s->dns);
	strv_free(s->dns_search);
	strv_free(s->dns_options);
	free(s->cidfile);
	free(s->tz);
	strv_free(s->sysctls);
	strv_free(s->devices);
	strv_free(s->group_add);
	hook_specs_free(s->hooks, s->nhooks);
	ns_mode_free(&s->pid_ns);
	ns_mode_free(&s->ipc_ns);
	ns_mode_free(&s->uts_ns);
	free(s->seccomp);
	memset(s, 0, sizeof *s);
}

void container_remove_cidfile(const struct container_spec *s)
{
	_cleanup_free_ char *txt = NULL;
	size_t len = 0;
	struct err e = ERR_INIT;

	if (!s->cidfile)
		return;
	if (read_file_at(AT_FDCWD, s->cidfile, 256, &txt, &len, &e) == 0 && len >= 64 &&
	    strncmp(txt, s->id, 64) == 0)
		unlink(s->cidfile);
	err_clear(&e);
}

char *container_random_name(void)
{
	static const char *const adj[] = {
		"amazing", "bold",  "brave",   "busy",  "calm",   "clever", "cool",    "eager",    "focused",
		"gentle",  "happy", "hopeful", "keen",  "kind",   "lucid",  "modest",  "nifty",    "quirky",
		"serene",  "sharp", "sleepy",  "stoic", "tender", "upbeat", "vibrant", "wizardly",
	};
	static const char *const noun[] = {
		"badger",    "beaver",   "cricket", "ferret",     "gopher",  "hamster",  "hedgehog", "marmot",
		"meerkat",   "mole",     "otter",   "prairiedog", "rabbit",  "shrew",    "vole",     "wombat",
		"armadillo", "chipmunk", "lemming", "mongoose",   "muskrat", "pangolin", "platypus",
	};
	unsigned int r[2] = { 0, 0 };

	if (getrandom(r, sizeof r, 0) < 0)
		r[0] = r[1] = 0;
	return xasprintf("%s_%s", adj[r[0] % ARRAY_SIZE(adj)], noun[r[1] % ARRAY_SIZE(noun)]);
}

bool container_name_valid(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len > 128)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = n[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (i == 0 ? !alnum : !(alnum || c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

/* ---- config.json ------------------------------------------------------------ */

static json_object *strv_json(char *const *v)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; v && v[i]; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static char **json_strv(json_object *j, const char *key)
{
	json_object *a;
	char **v = NULL;

	if (!json_object_object_get_ex(j, key, &a) || !json_object_is_type(a, json_type_array))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(a); i++)
		strv_push(&v, json_object_get_string(json_object_array_get_idx(a, i)));
	if (!v)
		v = xcalloc(1, sizeof *v);
	return v;
}

static const char *jstr(json_object *j, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(j, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : NULL;
}

static char *jdup(json_object *j, const char *key)
{
	const char *s = jstr(j, key);
	return s ? xstrdup(s) : NULL;
}

static int64_t jint(json_object *j, const char *key, int64_t def)
{
	json_object *v;
	return json_object_object_get_ex(j, key, &v) ? json_object_get_int64(v) : def;
}

static bool jbool(json_object *j, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(j, key, &v) && json_object_get_boolean(v);
}

#define ADD(k, v) json_object_object_add(j, (k), (v))
/* The limits as set (CG_UNSET fields left out); cgroup.h stays free of JSON. */
static const struct {
	const char *key;
	size_t off;
} limit_fields[] = {
	{ "memory", offsetof(struct cgroup_limits, memory) },
	{ "memory_swap", offsetof(struct cgroup_limits, memory_swap) },
	{ "memory_reservation", offsetof(struct cgroup_limits, memory_reservation) },
	{ "cpu_quota", offsetof(struct cgroup_limits, cpu_quota) },
	{ "cpu_period", offsetof(struct cgroup_limits, cpu_period) },
	{ "cpu_shares", offsetof(struct cgroup_limits, cpu_shares) },
	{ "pids_limit", offsetof(struct cgroup_limits, pids_limit) },
	{ "blkio_weight", offsetof(struct cgroup_limits, blkio_weight) },
};

static json_object *cgroup_limits_to_json(const struct cgroup_limits *l)
{
	json_object *j = json_object_new_object();

	for (size_t i = 0; i < ARRAY_SIZE(limit_fields); i++) {
		int64_t v = *(const int64_t *)(const void *)((const char *)l + limit_fields[i].off);
		if (v != CG_UNSET)
			json_object_object_add(j, limit_fields[i].key, json_object_new_int64(v));
	}
	if (l->cpuset_cpus)
		json_object_object_add(j, "cpuset_cpus", json_object_new_string(l->cpuset_cpus));
	if (l->cpuset_mems)
		json_object_object_add(j, "cpuset_mems", json_object_new_string(l->cpuset_mems));
	json_object_object_add(j, "from_cpus", json_object_new_boolean(l->from_cpus));
	return j;
}

static void cgroup_limits_from_json(json_object *j, struct cgroup_limits *l)
{
	json_object *v;

	cgroup_limits_init(l);
	for (size_t i = 0; i < ARRAY_SIZE(limit_fields); i++)
		if (json_object_object_get_ex(j, limit_fields[i].key, &v))
			*(int64_t *)(void *)((char *)l + limit_fields[i].off) = json_object_get_int64(v);
	l->cpuset_cpus = jstr(j, "cpuset_cpus") ? jdup(j, "cpuset_cpus") : NULL;
	l->cpuset_mems = jstr(j, "cpuset_mems") ? jdup(j, "cpuset_mems") : NULL;
	l->from_cpus = jbool(j, "from_cpus");
}

/* the volume fields beyond src, dst, ro and flags; written only when set */
static void volume_spec_json_extra(const struct volume_spec *v, json_object *j)
{
	if (v->propagation)
		json_object_object_add(j, "propagation", json_object_new_int64((int64_t)v->propagation));
	if (v->mode)
		json_object_object_add(j, "mode", json_object_new_string(v->mode));
	if (v->name)
		json_object_object_add(j, "name", json_object_new_string(v->name));
	if (v->is_volume)
		json_object_object_add(j, "volume", json_object_new_boolean(true));
	if (v->anonymous)
		json_object_object_add(j, "anonymous", json_object_new_boolean(true));
	if (v->nocopy)
		json_object_object_add(j, "nocopy", json_object_new_boolean(true));
	if (v->copy_up)
		json_object_object_add(j, "copy_up", json_object_new_boolean(true));
	if (v->chown)
		json_object_object_add(j, "chown", json_object_new_boolean(true));
}

static int volume_spec_from_json_extra(json_object *j, struct volume_spec *v, struct err *e)
{
	const unsigned long prop = MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE | MS_REC;

	v->propagation = (unsigned long)jint(j, "propagation", 0);
	v->mode = jdup(j, "mode");
	v->name = jdup(j, "name");
	v->is_volume = jbool(j, "volume");
	v->anonymous = jbool(j, "anonymous");
	v->nocopy = jbool(j, "nocopy");
	v->copy_up = jbool(j, "copy_up");
	v->chown = jbool(j, "chown");
	if (v->propagation & ~prop)
		return err_make(e, 0, "bad propagation %lu", v->propagation);
	if (v->flags & ~(unsigned long)(MS_NOSUID | MS_NODEV | MS_NOEXEC))
		return err_make(e, 0, "bad flags %lu", v->flags);
	if (v->name && !volume_name_valid(v->name))
		return err_make(e, 0, "bad volume name \"%s\"", v->name);
	if (v->src[0] != '/' || v->dst[0] != '/')
		return err_make(e, 0, "paths must be absolute");
	return 0;
}

/* --pid, --ipc, --uts: "pid": "host" | "container:ID" | ..., absent for
 * the default (nsspec.h) */
static void ns_modes_to_json(const struct container_spec *s, json_object *j)
{
	const struct ns_mode *m[] = { &s->pid_ns, &s->ipc_ns, &s->uts_ns };

	for (int k = NSK_PID; k <= NSK_UTS; k++) {
		_cleanup_free_ char *v = NULL;

		if (m[k]->share == NS_DEFAULT)
			continue;
		v = ns_mode_string((enum ns_kind)k, m[k]);
		json_object_object_add(j, ns_kind_name((enum ns_kind)k), json_object_new_string(v));
	}
}

static int ns_modes_from_json(json_object *j, struct container_spec *s, struct err *e)
{
	struct ns_mode *m[] = { &s->pid_ns, &s->ipc_ns, &s->uts_ns };

	for (int k = NSK_PID; k <= NSK_UTS; k++) {
		const char *v = jstr(j, ns_kind_name((enum ns_kind)k));
		if (ns_mode_parse((enum ns_kind)k, v ? v : "", m[k], e) < 0)
			return err_wrap(e, "container %.12s: bad %s in its record", s->id,
					ns_kind_name((enum ns_kind)k));
		if (m[k]->share == NS_CONTAINER &&
		    (strlen(m[k]->container) != 64 || !is_hex(m[k]->container, 64)))
			return err_make(e, 0, "container %.12s: bad %s in its record", s->id,
					ns_kind_name((enum ns_kind)k));
	}
	return 0;
}

json_object *container_spec_to_json(const struct container_spec *s)
{
	json_object *j = json_object_new_object(), *a, *h;

	ADD("id", json_object_new_string(s->id));
	ADD("name", json_object_new_string(s->name ? s->name : ""));
	ADD("image_id", json_object_new_string(s->image_id ? s->image_id : ""));
	ADD("image", json_object_new_string(s->image_ref ? s->image_ref : ""));
	ADD("created", json_object_new_string(s->created ? s->created : ""));
	ADD("command", strv_json(s->argv));
	ADD("env", strv_json(s->env));
	ADD("workdir", json_object_new_string(s->workdir ? s->workdir : "/"));
	if (s->user)
		ADD("user", json_object_new_string(s->user));
	ADD("hostname", json_object_new_string(s->hostname ? s->hostname : ""));
	ADD("tty", json_object_new_boolean(s->tty));
	ADD("interactive", json_object_new_boolean(s->interactive));
	ADD("init", json_object_new_boolean(s->init));
	ADD("read_only", json_object_new_boolean(s->read_only));
	ADD("remove", json_object_new_boolean(s->remove));
	ADD("network", json_object_new_string(s->net == NET_HOST        ? "host"
					      : s->net == NET_SLIRP     ? "slirp4netns"
					      : s->net == NET_CONTAINER ? "container"
					      : s->net == NET_BRIDGE    ? "bridge"
									: "none"));
	if (s->net == NET_BRIDGE)
		ADD("networks", net_attaches_to_json(s->networks, s->nnetworks));
	if (s->net_container)
		ADD("network_container", json_object_new_string(s->net_container));
	ADD("ports", port_specs_to_json(s->ports, s->nports));
	if (s->net == NET_SLIRP)
		ADD("network_options", net_opts_to_json(&s->net_opts));
	a = json_object_new_array();
	for (size_t i = 0; i < s->nvolumes; i++) {
		json_object *v = json_object_new_object();
		json_object_object_add(v, "src", json_object_new_string(s->volumes[i].src));
		json_object_object_add(v, "dst", json_object_new_string(s->volumes[i].dst));
		json_object_object_add(v, "ro", json_object_new_boolean(s->volumes[i].readonly));
		json_object_object_add(v, "flags", json_object_new_int64((int64_t)s->volumes[i].flags));
		volume_spec_json_extra(&s->volumes[i], v);
		json_object_array_add(a, v);
	}
	ADD("volumes", a);
	a = json_object_new_array();
	for (size_t i = 0; i < s->ntmpfs; i++) {
		json_object *v = json_object_new_object();
		json_object_object_add(v, "dst", json_object_new_string(s->tmpfs[i].dst));
		json_object_object_add(v, "flags", json_object_new_int64((int64_t)s->tmpfs[i].flags));
		json_object_object_add(v, "data",
				       json_object_new_string(s->tmpfs[i].data ? s->tmpfs[i].data : ""));
		json_object_array_add(a, v);
	}
	ADD("tmpfs", a);
	ADD("caps", json_object_new_int64((int64_t)s->caps));
	ADD("restart", json_object_new_string(restart_mode_name(s->restart.mode)));
	ADD("restart_max", json_object_new_int(s->restart.max));
	if (s->health.test) {
		h = json_object_new_object();
		json_object_object_add(h, "test", strv_json(s->health.test));
		json_object_object_add(h, "interval_ms", json_object_new_int64(s->health.interval_ms));
		json_object_object_add(h, "timeout_ms", json_object_new_int64(s->health.timeout_ms));
		json_object_object_add(h, "start_period_ms",
				       json_object_new_int64(s->health.start_period_ms));
		json_object_object_add(h, "retries", json_object_new_int(s->health.retries));
		ADD("healthcheck", h);
	}
	ADD("log_driver", json_object_new_string(s->log_driver == LOGDRV_NONE ? "none" : "k8s-file"));
	ADD("log_max_size", json_object_new_int64((int64_t)s->log_max_size));
	ADD("log_max_file", json_object_new_int(s->log_max_file));
	ADD("stop_signal", json_object_new_int(s->stop_signal));
	ADD("stop_timeout", json_object_new_int(s->stop_timeout));
	ADD("overlay", json_object_new_string(overlay_mode_name(s->overlay)));
	ADD("lowerdirs", strv_json(s->lowerdirs));
	if (s->sqfs)
		ADD("sqfs", json_object_new_string(s->sqfs));
	if (s->layer_dir)
		ADD("layer_dir", json_object_new_string(s->layer_dir));
	if (s->init_path)
		ADD("init_path", json_object_new_string(s->init_path));
	if (s->has_limits)
		ADD("resources", cgroup_limits_to_json(&s->limits));
	if (s->no_cgroups)
		ADD("cgroups", json_object_new_string("disabled"));
	if (s->ulimits)
		ADD("ulimits", strv_json(s->ulimits));
	if (s->seccomp)
		ADD("seccomp", json_object_new_string(s->seccomp));
	if (s->root_emulation)
		ADD("root_emulation", json_object_new_boolean(true));
	if (s->labels)
		ADD("labels", strv_json(s->labels));
	if (s->annotations)
		ADD("annotations", strv_json(s->annotations));
	if (s->add_hosts)
		ADD("add_hosts", strv_json(s->add_hosts));
	if (s->dns)
		ADD("dns", strv_json(s->dns));
	if (s->dns_search)
		ADD("dns_search", strv_json(s->dns_search));
	if (s->dns_options)
		ADD("dns_options", strv_json(s->dns_options));
	if (s->no_hosts)
		ADD("no_hosts", json_object_new_boolean(true));
	if (s->no_resolv)
		ADD("no_resolv", json_object_new_boolean(true));
	if (s->cidfile)
		ADD("cidfile", json_object_new_string(s->cidfile));
	if (s->tz)
		ADD("tz", json_object_new_string(s->tz));
	if (s->shm_size)
		ADD("shm_size", json_object_new_int64((int64_t)s->shm_size));
	if (s->sysctls)
		ADD("sysctls", strv_json(s->sysctls));
	if (s->devices)
		ADD("devices", strv_json(s->devices));
	if (s->group_add)
		ADD("group_add", strv_json(s->group_add));
	if (s->nhooks)
		ADD("hooks", hook_specs_to_json(s->hooks, s->nhooks));
	if (s->userns.mode != USERNS_HOST)
		ADD("userns", userns_opts_to_json(&s->userns));
	ns_modes_to_json(s, j);
	if (s->privileged)
		ADD("privileged", json_object_new_boolean(true));
	return j;
}
#undef ADD

int container_spec_from_json(json_object *j, const char *root, const char *runroot, struct container_spec *s,
			     struct err *e)
{
	const char *id = jstr(j, "id"), *net = jstr(j, "network"), *ov = jstr(j, "overlay");
	json_object *a, *h;

	memset(s, 0, sizeof *s);
	if (!id || strlen(id) != 64 || !is_hex(id, 64))
		return err_make(e, 0, "container record without a valid id");
	memcpy(s->id, id, 65);
	s->name = jdup(j, "name");
	s->image_id = jdup(j, "image_id");
	s->image_ref = jdup(j, "image");
	s->created = jdup(j, "created");
	s->argv = json_strv(j, "command");
	s->env = json_strv(j, "env");
	s->workdir = jdup(j, "workdir");
	s->user = jdup(j, "user");
	s->hostname = jdup(j, "hostname");
	s->tty = jbool(j, "tty");
	s->interactive = jbool(j, "interactive");
	s->init = jbool(j, "init");
	s->read_only = jbool(j, "read_only");
	s->remove = jbool(j, "remove");
	s->root_emulation = jbool(j, "root_emulation");
	s->net = !net                              ? NET_NONE
		 : strcmp(net, "host") == 0        ? NET_HOST
		 : strcmp(net, "slirp4netns") == 0 ? NET_SLIRP
		 : strcmp(net, "container") == 0   ? NET_CONTAINER
		 : strcmp(net, "bridge") == 0      ? NET_BRIDGE
						   : NET_NONE;
	s->net_container = jdup(j, "network_container");
	if (s->net == NET_CONTAINER &&
	    (!s->net_container || strlen(s->net_container) != 64 || !is_hex(s->net_container, 64)))
		return err_make(e, 0, "container %.12s: bad network_container in its record", s->id);
	if (s->net == NET_BRIDGE &&
	    (!json_object_object_get_ex(j, "networks", &a) ||
	     net_attaches_from_json(a, &s->networks, &s->nnetworks, e) < 0 || s->nnetworks == 0)) {
		err_clear(e);
		return err_make(e, 0, "container %.12s: bad networks in its record", s->id);
	}
	net_opts_init(&s->net_opts);
	if (json_object_object_get_ex(j, "network_options", &a) && net_opts_from_json(a, &s->net_opts, e) < 0)
		return err_wrap(e, "container %.12s: bad network_options in its record", s->id);
	if (json_object_object_get_ex(j, "ports", &a) &&
	    port_specs_from_json(a, &s->ports, &s->nports, e) < 0)
		return err_wrap(e, "container %.12s: bad ports in its record", s->id);
	if (json_object_object_get_ex(j, "volumes", &a) && json_object_is_type(a, json_type_array)) {
		s->nvolumes = json_object_array_length(a);
		s->volumes = xcalloc(s->nvolumes + 1, sizeof *s->volumes);
		for (size_t i = 0; i < s->nvolumes; i++) {
			json_object *v = json_object_array_get_idx(a, i);
			s->volumes[i].src = xstrdup(jstr(v, "src") ? jstr(v, "src") : "/");
			s->volumes[i].dst = xstrdup(jstr(v, "dst") ? jstr(v, "dst") : "/");
			s->volumes[i].readonly = jbool(v, "ro");
			s->volumes[i].flags = (unsigned long)jint(v, "flags", 0);
			if (volume_spec_from_json_extra(v, &s->volumes[i], e) < 0)
				return err_wrap(e, "container %.12s: bad volume in its record", s->id);
		}
	}
	if (json_object_object_get_ex(j, "tmpfs", &a) && json_object_is_type(a, json_type_array)) {
		s->ntmpfs = json_object_array_length(a);
		s->tmpfs = xcalloc(s->ntmpfs + 1, sizeof *s->tmpfs);
		for (size_t i = 0; i < s->ntmpfs; i++) {
			json_object *v = json_object_array_get_idx(a, i);
			s->tmpfs[i].dst = xstrdup(jstr(v, "dst") ? jstr(v, "dst") : "/tmp");
			s->tmpfs[i].flags = (unsigned long)jint(v, "flags", 0);
			s->tmpfs[i].data = jstr(v, "data") && *jstr(v, "data") ? jdup(v, "data") : NULL;
		}
	}
	s->caps = (uint64_t)jint(j, "caps", 0);
	if (jstr(j, "restart") && parse_restart(jstr(j, "restart"), &s->restart, e) < 0)
		return -1;
	s->restart.max = (int)jint(j, "restart_max", 0);
	if (json_object_object_get_ex(j, "healthcheck", &h)) {
		s->health.test = json_strv(h, "test");
		s->health.interval_ms = jint(h, "interval_ms", 30000);
		s->health.timeout_ms = jint(h, "timeout_ms", 30000);
		s->health.start_period_ms = jint(h, "start_period_ms", 0);
		s->health.retries = (int)jint(h, "retries", 3);
	}
	s->log_driver = jstr(j, "log_driver") && strcmp(jstr(j, "log_driver"), "none") == 0 ? LOGDRV_NONE
											    : LOGDRV_K8S_FILE;
	s->log_max_size = (uint64_t)jint(j, "log_max_size", 0);
	s->log_max_file = (int)jint(j, "log_max_file", 1);
	s->stop_signal = (int)jint(j, "stop_signal", SIGTERM);
	s->stop_timeout = (int)jint(j, "stop_timeout", 10);
	s->overlay = ov && strcmp(ov, "kernel") == 0 ? OVERLAY_KERNEL
		     : ov && strcmp(ov, "fuse") == 0 ? OVERLAY_FUSE
						     : OVERLAY_AUTO;
	s->lowerdirs = json_strv(j, "lowerdirs");
	s->sqfs = jdup(j, "sqfs");
	s->layer_dir = jdup(j, "layer_dir");
	s->init_path = jdup(j, "init_path");
	if (json_object_object_get_ex(j, "resources", &a)) {
		s->has_limits = true;
		cgroup_limits_from_json(a, &s->limits);
	}
	s->no_cgroups = jstr(j, "cgroups") && strcmp(jstr(j, "cgroups"), "disabled") == 0;
	s->ulimits = json_strv(j, "ulimits");
	s->labels = json_strv(j, "labels");
	s->annotations = json_strv(j, "annotations");
	s->add_hosts = json_strv(j, "add_hosts");
	s->dns = json_strv(j, "dns");
	s->dns_search = json_strv(j, "dns_search");
	s->dns_options = json_strv(j, "dns_options");
	s->no_hosts = jbool(j, "no_hosts");
	s->no_resolv = jbool(j, "no_resolv");
	s->cidfile = jdup(j, "cidfile");
	s->tz = jdup(j, "tz");
	s->shm_size = (uint64_t)jint(j, "shm_size", 0);
	s->sysctls = json_strv(j, "sysctls");
	s->devices = json_strv(j, "devices");
	s->group_add = json_strv(j, "group_add");
	if (hook_specs_from_json(json_object_object_get_ex(j, "hooks", &h) ? h : NULL, &s->hooks, &s->nhooks,
				 e) < 0)
		return err_wrap(e, "container %.12s", s->id);
	s->seccomp = jdup(j, "seccomp");
	{
		json_object *u = NULL;
		if (userns_opts_from_json(json_object_object_get_ex(j, "userns", &u) ? u : NULL, &s->userns,
					  e) < 0)
			return err_wrap(e, "container %.12s", s->id);
	}
	s->privileged = jbool(j, "privileged");
	if (ns_modes_from_json(j, s, e) < 0)
		return -1;
	if (!s->argv || !s->argv[0] || !s->lowerdirs || !s->hostname || !s->name)
		return err_make(e, 0, "container %.12s: incomplete record", s->id);
	if (!s->workdir)
		s->workdir = xstrdup("/");
	s->ctrdir = xasprintf("%s/containers/%s", root, s->id);
	s->rundir = xasprintf("%s/containers/%s", runroot, s->id);
	return 0;
}

static int write_config_json(const char *ctrdir, json_object *j, struct err *e)
{
	const char *txt = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY);
	_cleanup_free_ char *path = xasprintf("%s/config.json", ctrdir);
	return write_file_atomic_at(AT_FDCWD, path, txt, strlen(txt), 0600, e);
}

int container_write_config(const struct container_spec *s, struct err *e)
{
	json_object *j = container_spec_to_json(s);
	int rc = write_config_json(s->ctrdir, j, e);
	json_object_put(j);
	return rc;
}

int container_read_config(const char *root, const char *id, json_object **out, struct err *e)
{
	_cleanup_free_ char *path = xasprintf("%s/containers/%s/config.json", root, id);
	_cleanup_free_ char *txt = NULL;

	if (read_file_at(AT_FDCWD, path, 4 << 20, &txt, NULL, e) < 0)
		return -1;
	*out = json_tokener_parse(txt);
	if (!*out || !json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
		return err_make(e, 0, "%s: malformed record", path);
	}
	return 0;
}

/* ---- names and lookup ------------------------------------------------------- */

static int lock_containers(const char *root, struct err *e)
{
	_cleanup_free_ char *dir = xasprintf("%s/containers", root);
	_cleanup_free_ char *lock = xasprintf("%s/.lock", dir);
	int fd;

	if (mkdir_p_at(AT_FDCWD, dir, 0700, e) < 0)
		return -1;
	/* each container's directory (its upper layer: cp, commit) in a
	 * lightly used block group too, as the layers' (lib/store) */
	fs_spread_dir(AT_FDCWD, dir);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		int saved = errno;
		if (fd >= 0)
			close(fd);
		return err_make(e, saved, "locking %s", lock);
	}
	return fd;
}

/* containers/ carries ext4's top-directory flag (above): a mkdir there
 * searches the block groups, about 0.15 ms on every create.  While a
 * container runs, the CLI makes a record directory ahead, with the layer's
 * upper and work (container_make_spare), and its next create renames it
 * into place.  Its name carries the umask its modes came from
 * (".spare-022", not an ID: no scan lists it); only the CLI's creates
 * under that umask take it.  BURROW_SPARE_CTRDIR=0: a mkdir each time. */
static int spare_mask = -1; /* container_use_spare()'s umask; -1: none */

static bool spare_wanted(void)
{
	const char *v = getenv("BURROW_SPARE_CTRDIR");

	return !(v && strcmp(v, "0") == 0);
}

static char *spare_path(const char *root, mode_t mask)
{
	return xasprintf("%s/containers/.spare-%03o", root, (unsigned)(mask & 0777));
}

void container_use_spare(mode_t mask)
{
	spare_mask = (int)(mask & 0777);
}

static int make_ctrdir(const char *root, const struct container_spec *s)
{
	/* a layer elsewhere (node-local) has no use for the spare's */
	if (spare_mask >= 0 && !s->layer_dir && spare_wanted()) {
		_cleanup_free_ char *spare = spare_path(root, (mode_t)spare_mask);
		if (renameat2(AT_FDCWD, spare, AT_FDCWD, s->ctrdir, RENAME_NOREPLACE) == 0)
			return 0;
	}
	return mkdir(s->ctrdir, 0700);
}

void container_make_spare(const char *root, mode_t mask)
{
	_cleanup_free_ char *spare = NULL, *upper = NULL, *work = NULL;

	if (!spare_wanted())
		return;
	spare = spare_path(root, mask);
	if (mkdir(spare, 0700) < 0) {
		if (errno != EEXIST)
			log_debug("no spare record directory: %s", strerror(errno));
		return;
	}
	/* as container_prepare_dirs makes them; a create that takes the
	 * spare before they are there makes them itself */
	upper = xasprintf("%s/upper", spare);
	work = xasprintf("%s/work", spare);
	if (mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0)
		log_debug("the spare record directory without its layer: %s", strerror(errno));
}

struct ent {
	char id[65];
	char *name;
	char *created;
};

static int ent_cmp(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	int c = strcmp(x->created ? x->created : "", y->created ? y->created : "");
	return c ? c : strcmp(x->id, y->id);
}

static void ents_free(struct ent *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].created);
	}
	free(v);
}

/* A record directory without config.json is a create killed between its
 * mkdir and the write (creates hold the containers lock), or a removal
 * killed half-way: nothing lists it, so nothing would ever remove it.
 * When the lock is free (no create in flight), move each one aside with
 * one rename and remove it, as the removal it was would have; ".gone-*"
 * directories are such moves whose removal was itself killed (or is under
 * way: then its remover holds a flock on it, and it is left alone).  Best
 * effort: errors leave the directory for the next time. */
static void sweep_incomplete(const char *root, char **names)
{
	_cleanup_free_ char *dir = xasprintf("%s/containers", root);
	_cleanup_free_ char *lock = xasprintf("%s/.lock", dir);
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	struct err ign = ERR_INIT;

	if (dfd < 0 || lfd < 0 || flock(lfd, LOCK_EX | LOCK_NB) < 0)
		return;
	for (size_t i = 0; names[i]; i++) {
		_cleanup_free_ char *cfg = xasprintf("%s/config.json", names[i]);
		_cleanup_free_ char *gone = NULL;

		if (names[i][0] == '.') {
			/* a supervisor still removing it (late teardown,
			 * runtime/supervisor.c) holds a lock on it */
			_cleanup_close_ int gfd = openat(dfd, names[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (gfd < 0 || flock(gfd, LOCK_EX | LOCK_NB) < 0)
				continue;
			gone = xstrdup(names[i]);
		} else {
			if (faccessat(dfd, cfg, F_OK, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
				continue;
			gone = xasprintf(".gone-%s", names[i]);
			if (renameat(dfd, names[i], dfd, gone) < 0)
				continue;
		}
		if (rm_rf_at(dfd, gone, &ign) < 0)
			err_clear(&ign);
	}
}

/* every record with its name; locked: the caller holds the containers
 * lock, so the sweep (which needs it free) is not tried */
static int scan(const char *root, bool locked, struct ent **out, size_t *n, struct err *e)
{
	_cleanup_free_ char *dir = xasprintf("%s/containers", root);
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;
	struct ent *v = NULL;
	size_t cnt = 0;
	_cleanup_strv_ char **incomplete = NULL;

	*out = NULL;
	*n = 0;
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return err_make(e, errno, "opening %s", dir);
	}
	while ((de = readdir(d))) {
		struct err ign = ERR_INIT;
		char *name, *created;
		if (strncmp(de->d_name, ".gone-", 6) == 0)
			strv_push(&incomplete, de->d_name);
		if (strlen(de->d_name) != 64 || !is_hex(de->d_name, 64))
			continue;
		if (recmemo_get(root, de->d_name, &name, &created, &ign) < 0) {
			if (ign.errnum == ENOENT)
				strv_push(&incomplete, de->d_name);
			err_clear(&ign);
			continue;
		}
		v = xrealloc(v, (cnt + 1) * sizeof *v);
		memcpy(v[cnt].id, de->d_name, 65);
		v[cnt].name = name ? name : xstrdup("");
		v[cnt].created = created;
		cnt++;
	}
	if (incomplete && !locked)
		sweep_incomplete(root, incomplete);
	{
		const char **ids = xcalloc(cnt + 1, sizeof *ids);
		for (size_t i = 0; i < cnt; i++)
			ids[i] = v[i].id;
		recmemo_keep(ids, cnt);
		free(ids);
	}
	if (cnt)
		qsort(v, cnt, sizeof *v, ent_cmp);
	*out = v;
	*n = cnt;
	return 0;
}

int container_list(const char *root, char ***ids, struct err *e)
{
	struct ent *v;
	size_t n;

	*ids = NULL;
	if (scan(root, false, &v, &n, e) < 0)
		return -1;
	*ids = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		(*ids)[i] = xstrdup(v[i].id);
	ents_free(v, n);
	return 0;
}

int container_lookup(const char *root, const char *ref, char id[65], struct err *e)
{
	struct ent *v;
	size_t n, hits = 0, len = strlen(ref);
	int rc = 0;
	char *list = NULL;

	if (scan(root, false, &v, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].name, ref) == 0 || strcmp(v[i].id, ref) == 0) {
			memcpy(id, v[i].id, 65);
			goto out;
		}
	}
	if (len > 0 && len < 64 && is_hex(ref, len)) {
		for (size_t i = 0; i < n; i++) {
			if (strncmp(v[i].id, ref, len) != 0)
				continue;
			if (hits++ == 0) {
				memcpy(id, v[i].id, 65);
				list = xasprintf("%.12s (%s)", v[i].id, v[i].name);
			} else {
				char *l = xasprintf("%s, %.12s (%s)", list, v[i].id, v[i].name);
				free(list);
				list = l;
			}
		}
	}
	if (hits == 1)
		goto out;
	if (hits > 1)
		rc = err_make(e, 0, "more than one result for container \"%s\": %s", ref, list);
	else
		rc = err_make(e, 0, "no container with name or ID \"%s\" found: no such container", ref),
		e->errnum = ENOENT;
out:
	free(list);
	ents_free(v, n);
	return rc;
}

static int name_taken(const struct ent *v, size_t n, const char *name, const char *except, const char **by)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].name, name) == 0 && (!except || strcmp(v[i].id, except) != 0)) {
			*by = v[i].id;
			return 1;
		}
	}
	return 0;
}

static int name_error(const char *name, const char *by, struct err *e)
{
	return err_make(e, 0,
			"the container name \"%s\" is already in use by %s. "
			"You have to remove that container to be able to reuse that name: "
			"that name is already in use",
			name, by);
}

static int bad_name(const char *name, struct err *e)
{
	return err_make(e, 0, "invalid container name \"%s\": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*",
			name);
}

int container_create_record(const char *root, struct container_spec *s, const char *want, struct err *e)
{
	_cleanup_close_ int lfd = -1;
	struct ent *v = NULL;
	size_t n = 0;
	const char *by;
	int rc = -1;

	if (want && !container_name_valid(want))
		return bad_name(want, e);
	lfd = lock_containers(root, e);
	if (lfd < 0)
		return -1;
	if (scan(root, true, &v, &n, e) < 0)
		return -1;
	free(s->name);
	s->name = want ? xstrdup(want) : container_random_name();
	for (int tries = 0; name_taken(v, n, s->name, NULL, &by); tries++) {
		if (want) {
			name_error(s->name, by, e);
			goto out;
		}
		free(s->name);
		if (tries < 8) {
			s->name = container_random_name();
		} else {
			_cleanup_free_ char *base = container_random_name();
			s->name = xasprintf("%s_%.6s", base, s->id);
		}
	}
	if (make_ctrdir(root, s) < 0) {
		err_make(e, errno, "creating %s", s->ctrdir);
		goto out;
	}
	rc = container_write_config(s, e);
out:
	ents_free(v, n);
	return rc;
}

int container_rename(const char *root, const char *id, const char *newname, struct err *e)
{
	_cleanup_close_ int lfd = -1;
	_cleanup_free_ char *ctrdir = xasprintf("%s/containers/%s", root, id);
	struct ent *v = NULL;
	size_t n = 0;
	const char *by;
	json_object *j = NULL;
	int rc = -1;

	if (!container_name_valid(newname))
		return bad_name(newname, e);
	lfd = lock_containers(root, e);
	if (lfd < 0 || scan(root, true, &v, &n, e) < 0)
		return -1;
	if (name_taken(v, n, newname, id, &by)) {
		/* podman's words for rename */
		err_make(e, 0,
			 "renaming container %s: name %s already in use, cannot rename container %s: "
			 "container already exists",
			 id, newname, id);
		e->errnum = EEXIST;
		goto out;
	}
	if (container_read_config(root, id, &j, e) < 0)
		goto out;
	json_object_object_add(j, "name", json_object_new_string(newname));
	rc = write_config_json(ctrdir, j, e);
out:
	json_object_put(j);
	ents_free(v, n);
	return rc;
}

int container_set_networks(const char *root, const char *id, const struct net_attach *nets, size_t n,
			   struct err *e)
{
	_cleanup_close_ int lfd = -1;
	_cleanup_free_ char *ctrdir = xasprintf("%s/containers/%s", root, id);
	json_object *j = NULL;
	int rc;

	lfd = lock_containers(root, e);
	if (lfd < 0 || container_read_config(root, id, &j, e) < 0)
		return -1;
	json_object_object_add(j, "networks", net_attaches_to_json(nets, n));
	/* a container of the default network connected while stopped is on
	 * the networks from now on */
	json_object_object_add(j, "network", json_object_new_string("bridge"));
	rc = write_config_json(ctrdir, j, e);
	json_object_put(j);
	return rc;
}

/* ---- directories ------------------------------------------------------------ */

char *container_net_socket(const struct container_spec *s)
{
	/* a unix socket path has 108 bytes: keep it beside the runroot's
	 * containers/ directory, named by a short ID */
	const char *slash = strrchr(s->rundir, '/');
	size_t len = slash ? (size_t)(slash - s->rundir) : strlen(s->rundir);

	if (len >= 11 && strncmp(s->rundir + len - 11, "/containers", 11) == 0)
		len -= 11;
	return xasprintf("%.*s/net-%.16s.sock", (int)len, s->rundir, s->id);
}

char *container_layer_dir(const struct container_spec *s)
{
	return xstrdup(s->layer_dir ? s->layer_dir : s->ctrdir);
}

int container_prepare_dirs(const struct container_spec *s, struct err *e)
{
	_cleanup_free_ char *ld = container_layer_dir(s);
	_cleanup_free_ char *upper = xasprintf("%s/upper", ld);
	_cleanup_free_ char *work = xasprintf("%s/work", ld);
	_cleanup_free_ char *merged = xasprintf("%s/merged", s->rundir);
	_cleanup_free_ char *hn = xasprintf("%s\n", s->hostname);
	_cleanup_close_ int rd = -1;

	if (s->layer_dir && mkdir_p_at(AT_FDCWD, s->layer_dir, 0700, e) < 0)
		return err_wrap(e, "creating the container's layer directory");
	if ((mkdir(upper, 0755) < 0 && errno != EEXIST) || (mkdir(work, 0700) < 0 && errno != EEXIST))
		return err_make(e, errno, "creating the container's layer in %s", ld);
	if (mkdir_p_at(AT_FDCWD, merged, 0700, e) < 0)
		return -1;
	rd = open(s->rundir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rd < 0)
		return err_make(e, errno, "opening %s", s->rundir);
	return write_file_at(rd, "hostname", hn, e);
}
