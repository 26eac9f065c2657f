/* run.c - burrow run: create a container from an image and run it attached. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/container.h"
#include "lib/log.h"
#include "lib/spawn.h"
#include "lib/store/store.h"
#include "lib/util.h"
#include "relay.h"

enum {
	O_RM = 1, O_INTERACTIVE, O_TTY, O_NAME, O_ENV, O_ENVFILE, O_WORKDIR, O_USER, O_VOLUME,
	O_TMPFS, O_HOSTNAME, O_ENTRYPOINT, O_INIT, O_READONLY, O_CAPADD, O_CAPDROP, O_SECOPT,
	O_NETWORK, O_HELP,
};

static const struct opt run_opts[] = {
	{ "cap-add", 0, OPT_VALUE, O_CAPADD, "CAP", "Add a capability (or ALL)" },
	{ "cap-drop", 0, OPT_VALUE, O_CAPDROP, "CAP", "Drop a capability (or ALL)" },
	{ "entrypoint", 0, OPT_VALUE, O_ENTRYPOINT, "CMD", "Override the image's ENTRYPOINT" },
	{ "env", 'e', OPT_VALUE, O_ENV, "KEY[=VAL]", "Set an environment variable" },
	{ "env-file", 0, OPT_VALUE, O_ENVFILE, "FILE", "Read environment variables from FILE" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "hostname", 'h', OPT_VALUE, O_HOSTNAME, "NAME", "Container hostname" },
	{ "init", 0, OPT_FLAG, O_INIT, NULL, "Run burrow-init as PID 1 to reap zombies and forward signals" },
	{ "interactive", 'i', OPT_FLAG, O_INTERACTIVE, NULL, "Keep stdin open" },
	{ "name", 0, OPT_VALUE, O_NAME, "NAME", "Container name" },
	{ "net", 0, OPT_VALUE, O_NETWORK, "MODE", "Alias for --network" },
	{ "network", 0, OPT_VALUE, O_NETWORK, "MODE", "none or host (default none)" },
	{ "read-only", 0, OPT_FLAG, O_READONLY, NULL, "Mount the root filesystem read-only" },
	{ "rm", 0, OPT_FLAG, O_RM, NULL, "Remove the container when it exits" },
	{ "security-opt", 0, OPT_VALUE, O_SECOPT, "OPT", "no-new-privileges (always on), seccomp=unconfined, label=disable" },
	{ "tmpfs", 0, OPT_VALUE, O_TMPFS, "PATH[:OPTS]", "Mount a tmpfs" },
	{ "tty", 't', OPT_FLAG, O_TTY, NULL, "Allocate a terminal" },
	{ "user", 'u', OPT_VALUE, O_USER, "USER[:GROUP]", "Run as this user (name or id)" },
	{ "volume", 'v', OPT_VALUE, O_VOLUME, "SRC:DST[:ro]", "Bind-mount a host path" },
	{ "workdir", 'w', OPT_VALUE, O_WORKDIR, "DIR", "Working directory inside the container" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static const char run_usage[] = "[OPTIONS] IMAGE [COMMAND [ARG...]]";
static const char run_summary[] = "Run a command in a new container.";

struct run_args {
	bool rm, interactive, tty, init, read_only;
	const char *name, *workdir, *user, *hostname, *entrypoint, *network;
	char **env_specs, **env_files, **volumes, **tmpfs, **cap_add, **cap_drop;
	const char *image;
	char **cmd;   /* borrowed from argv */
	int ncmd;
};

static void run_args_free(struct run_args *a)
{
	strv_free(a->env_specs);
	strv_free(a->env_files);
	strv_free(a->volumes);
	strv_free(a->tmpfs);
	strv_free(a->cap_add);
	strv_free(a->cap_drop);
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

static int parse_args(int argc, char **argv, struct run_args *a, bool *help, struct err *e)
{
	struct optparser p;
	int id;

	opt_init(&p, run_opts, argc, argv);
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
		case O_SECOPT:
			if (check_secopt(p.value, e) < 0)
				return -1;
			break;
		case O_HELP: *help = true; return 0;
		case -1: return -1;
		default: return err_make(e, 0, "internal error: option %d", id);
		}
	}
	if (p.idx >= argc)
		return err_make(e, 0, "\"burrow run\" requires at least 1 argument: an image");
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

static int build_spec(struct globals *g, const struct run_args *a, const struct image *img,
		      const struct idmap *m, struct store *st, struct container_spec *s, struct err *e)
{
	char id[65];

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
	s->overlay = g->cfg.overlay;
	if (parse_network(a->network ? a->network : "none", &s->net, NULL, e) < 0)
		return -1;
	if (s->net == NET_SLIRP)
		return err_make(e, 0, "the slirp4netns network is not available yet; use --network none or host");
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
	return 0;
}

static json_object *strv_json(char *const *v)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; v && v[i]; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static int write_record(const struct container_spec *s, const char *state, int pid, int exit_code,
			struct err *e)
{
	json_object *j = json_object_new_object();
	char created[64];
	time_t now = time(NULL);
	const char *txt;
	int rc;

	strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	json_object_object_add(j, "id", json_object_new_string(s->id));
	json_object_object_add(j, "name", json_object_new_string(s->name));
	json_object_object_add(j, "image_id", json_object_new_string(s->image_id));
	json_object_object_add(j, "image", json_object_new_string(s->image_ref));
	json_object_object_add(j, "created", json_object_new_string(created));
	json_object_object_add(j, "command", strv_json(s->argv));
	json_object_object_add(j, "env", strv_json(s->env));
	json_object_object_add(j, "hostname", json_object_new_string(s->hostname));
	json_object_object_add(j, "state", json_object_new_string(state));
	json_object_object_add(j, "pid", json_object_new_int(pid));
	json_object_object_add(j, "exit_code", json_object_new_int(exit_code));
	txt = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY);
	{
		_cleanup_free_ char *path = xasprintf("%s/config.json", s->ctrdir);
		rc = write_file_atomic_at(AT_FDCWD, path, txt, strlen(txt), 0600, e);
	}
	json_object_put(j);
	return rc;
}

/* Reserve the name under the containers lock: fail if a record uses it. */
static int reserve_name(struct globals *g, struct container_spec *s, const char *want, struct err *e)
{
	_cleanup_free_ char *dir = xasprintf("%s/containers", g->cfg.root);
	_cleanup_free_ char *lock = NULL;
	_cleanup_close_ int lfd = -1;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (mkdir_p_at(AT_FDCWD, dir, 0700, e) < 0)
		return -1;
	lock = xasprintf("%s/.lock", dir);
	lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lfd < 0 || flock(lfd, LOCK_EX) < 0)
		return err_make(e, errno, "locking %s", lock);
	s->name = want ? xstrdup(want) : container_random_name();
	if (!container_name_valid(s->name))
		return err_make(e, 0, "invalid container name \"%s\": names match [a-zA-Z0-9][a-zA-Z0-9_.-]*", s->name);
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		_cleanup_free_ char *cfg = NULL, *txt = NULL;
		json_object *j, *n;
		bool clash;
		if (de->d_name[0] == '.')
			continue;
		cfg = xasprintf("%s/%s/config.json", dir, de->d_name);
		if (read_file_at(AT_FDCWD, cfg, 1 << 20, &txt, NULL, e) < 0) {
			err_clear(e);
			continue;
		}
		j = json_tokener_parse(txt);
		clash = j && json_object_object_get_ex(j, "name", &n) &&
			strcmp(json_object_get_string(n), s->name) == 0;
		json_object_put(j);
		if (clash) {
			if (!want) { /* a generated name clashed: draw again */
				free(s->name);
				s->name = xasprintf("%s_%.6s", container_random_name(), s->id);
				continue;
			}
			return err_make(e, 0, "the container name \"%s\" is already in use by %.12s. "
					      "You have to remove that container to be able to reuse that name",
					s->name, de->d_name);
		}
	}
	if (mkdir(s->ctrdir, 0700) < 0)
		return err_make(e, errno, "creating %s", s->ctrdir);
	return write_record(s, "created", 0, 0, e);
}

static char *hosts_text(const struct container_spec *s)
{
	_cleanup_free_ char *host = NULL;

	if (s->net == NET_HOST && read_file_at(AT_FDCWD, "/etc/hosts", 1 << 20, &host, NULL, NULL) == 0)
		return xasprintf("%s\n127.0.1.1\t%s %s\n", host, s->hostname, s->name);
	return xasprintf("127.0.0.1\tlocalhost localhost.localdomain\n"
			 "::1\tlocalhost ip6-localhost ip6-loopback\n"
			 "127.0.1.1\t%s %s\n", s->hostname, s->name);
}

static int prepare_dirs(const struct container_spec *s, struct err *e)
{
	_cleanup_free_ char *upper = xasprintf("%s/upper", s->ctrdir);
	_cleanup_free_ char *work = xasprintf("%s/work", s->ctrdir);
	_cleanup_free_ char *merged = xasprintf("%s/merged", s->rundir);
	_cleanup_free_ char *hosts = hosts_text(s);
	_cleanup_free_ char *resolv = NULL, *hn = xasprintf("%s\n", s->hostname);
	_cleanup_close_ int rd = -1;

	if (mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0)
		return err_make(e, errno, "creating the container's layer in %s", s->ctrdir);
	if (mkdir_p_at(AT_FDCWD, merged, 0700, e) < 0)
		return -1;
	rd = open(s->rundir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rd < 0)
		return err_make(e, errno, "opening %s", s->rundir);
	if (read_file_at(AT_FDCWD, "/etc/resolv.conf", 1 << 20, &resolv, NULL, e) < 0) {
		err_clear(e);
		resolv = xstrdup("");
	}
	if (write_file_at(rd, "hostname", hn, e) < 0 || write_file_at(rd, "hosts", hosts, e) < 0 ||
	    write_file_at(rd, "resolv.conf", resolv, e) < 0)
		return -1;
	return 0;
}

static int prepare_dirs_cb(void *arg, struct err *e)
{
	return prepare_dirs(arg, e);
}

static void discard(const struct container_spec *s, const struct idmap *m, bool record)
{
	struct err e = ERR_INIT;

	if (s->rundir && rm_rf_at(AT_FDCWD, s->rundir, &e) < 0)
		err_clear(&e);
	if (record && s->ctrdir && rm_rf_at(AT_FDCWD, s->ctrdir, &e) < 0) {
		/* the container may have left files owned by mapped ids */
		err_clear(&e);
		(void)m;
	}
	err_clear(&e);
}

CMD_DECL(run)
{
	struct run_args a;
	struct container_spec s;
	struct container_proc p;
	struct idmap m;
	struct store *st = NULL;
	struct image *img = NULL;
	struct err e = ERR_INIT;
	struct winsize ws, *wsp = NULL;
	bool help = false, created = false;
	int rc = 125;

	memset(&a, 0, sizeof a);
	memset(&s, 0, sizeof s);
	memset(&m, 0, sizeof m);
	log_debug("run: start");
	if (parse_args(argc, argv, &a, &help, &e) < 0) {
		rc = cmd_usage_error("run", &e);
		goto out;
	}
	if (help) {
		opt_print_help(stdout, "run", run_usage, run_summary, run_opts);
		rc = 0;
		goto out;
	}
	if (config_ensure_dirs(&g->cfg, &e) < 0 || userns_lookup_cached(&m, g->cfg.idmap, g->cfg.runroot, &e) < 0 ||
	    store_open(g->cfg.root, &st, &e) < 0)
		goto fail;
	if (store_image_get(st, a.image, &img, &e) < 0)
		goto fail;
	log_debug("run: image resolved");
	if (build_spec(g, &a, img, &m, st, &s, &e) < 0)
		goto fail;
	if (reserve_name(g, &s, a.name, &e) < 0)
		goto fail;
	created = true;
	log_debug("run: record ready");
	if (s.tty && isatty(STDIN_FILENO) && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		wsp = &ws;
	relay_block_signals();
	/* the container's directories are made while newuidmap runs */
	if (container_start(&s, wsp, prepare_dirs_cb, &s, &p, &e) < 0) {
		relay_unblock_signals();
		rc = err_exit_status(&e);
		fprintf(stderr, "burrow: error: %s\n", e.msg);
		goto cleanup;
	}
	log_debug("run: container started");
	if (write_record(&s, "running", p.init, 0, &e) < 0)
		log_warn("%s", e.msg), err_clear(&e);
	if (s.tty && s.interactive)
		relay_raw_terminal();
	rc = relay_run(&p, s.interactive, &e);
	relay_restore_terminal();
	relay_unblock_signals();
	if (rc < 0) {
		fprintf(stderr, "burrow: error: %s\n", e.msg);
		rc = 125;
	}
	container_proc_release(&p);
	log_debug("run: container exited");
	if (!s.remove && write_record(&s, "exited", 0, rc, &e) < 0)
		log_warn("%s", e.msg), err_clear(&e);
cleanup:
	discard(&s, &m, s.remove);
	goto out;
fail:
	e.status = 0; /* everything before the container starts is a tool error */
	rc = cmd_fail(&e);
	if (created)
		discard(&s, &m, true);
out:
	err_clear(&e);
	run_args_free(&a);
	container_spec_free(&s);
	if (img)
		image_free(img);
	if (st)
		store_close(st);
	idmap_free(&m);
	return rc;
}
