/* cdi_apply.c - finding the specs and applying a device's edits to a
 * container spec (cdi.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cdi_int.h"

struct loaded {
	struct cdi_spec *spec;
	char *file;
	size_t dir; /* index in the directory list: a later one overrides */
};

struct registry {
	struct loaded *v;
	size_t n;
	char *bad; /* why the first spec that could not be read was refused */
};

char **cdi_spec_dirs(char *const *conf)
{
	const char *env = getenv("BURROW_CDI_SPEC_DIRS");
	char **dirs = xcalloc(1, sizeof(char *));

	if (env && *env) {
		_cleanup_free_ char *copy = xstrdup(env);
		char *save = NULL;
		for (char *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save))
			strv_push(&dirs, t);
	} else if (conf) {
		for (size_t i = 0; conf[i]; i++)
			strv_push(&dirs, conf[i]);
	} else {
		strv_push(&dirs, "/etc/cdi");
		strv_push(&dirs, "/var/run/cdi");
	}
	return dirs;
}

static bool spec_file_name(const char *n, bool *yaml)
{
	size_t l = strlen(n);

	if (n[0] == '.')
		return false;
	*yaml = (l > 5 && !strcmp(n + l - 5, ".yaml")) || (l > 4 && !strcmp(n + l - 4, ".yml"));
	return *yaml || (l > 5 && !strcmp(n + l - 5, ".json"));
}

static int dirent_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_file(int dfd, const char *dir, const char *name, bool yaml, size_t di, struct registry *r,
		     struct err *e)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -1;
	struct cdi_spec *s = NULL;
	struct stat st;
	size_t len;

	/* O_NONBLOCK: a fifo named like a spec can't hang us */
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return err_make(e, errno, "reading CDI spec %s", path);
	if (fstat(fd, &st) < 0)
		return err_make(e, errno, "reading CDI spec %s", path);
	if (!S_ISREG(st.st_mode))
		return 0; /* a directory or a device named *.json is no spec */
	if (st.st_size > CDI_MAX_SPEC_BYTES)
		return err_make(e, EFBIG, "CDI spec %s: larger than %d bytes", path, CDI_MAX_SPEC_BYTES);
	if (read_fd_all(fd, CDI_MAX_SPEC_BYTES, &buf, &len, path, e) < 0)
		return -1;
	if (cdi_spec_parse(buf, len, yaml, path, &s, e) < 0)
		return -1;
	r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
	r->v[r->n].spec = s;
	r->v[r->n].file = steal_ptr(path);
	r->v[r->n].dir = di;
	r->n++;
	return 0;
}

static int load_dir(const char *dir, size_t di, struct registry *r, struct err *e)
{
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_strv_ char **names = NULL;
	struct dirent *de;
	size_t n = 0;
	int dfd2;

	if (dfd < 0)
		return errno == ENOENT || errno == ENOTDIR
			       ? 0
			       : err_make(e, errno, "reading CDI specs in %s", dir);
	dfd2 = dup(dfd);
	if (dfd2 < 0 || !(d = fdopendir(dfd2))) {
		if (dfd2 >= 0)
			close(dfd2);
		return err_make(e, errno, "reading CDI specs in %s", dir);
	}
	names = xcalloc(1, sizeof(char *));
	while ((de = readdir(d))) {
		bool yaml;
		if (!spec_file_name(de->d_name, &yaml))
			continue;
		if (++n > CDI_MAX_SPEC_FILES)
			return err_make(e, 0, "reading CDI specs in %s: more than %d files", dir,
					CDI_MAX_SPEC_FILES);
		strv_push(&names, de->d_name);
	}
	qsort(names, n, sizeof *names, dirent_cmp);
	for (size_t i = 0; i < n; i++) {
		bool yaml = false;
		spec_file_name(names[i], &yaml);
		/* a bad spec doesn't hide the devices of the others: its error
		 * is kept for a name that no spec that could be read defines */
		if (load_file(dfd, dir, names[i], yaml, di, r, e) < 0) {
			cdi_err_clean(e);
			if (!r->bad)
				r->bad = xstrdup(e->msg ? e->msg : "unreadable");
			err_clear(e);
		}
	}
	return 0;
}

static void registry_free(struct registry *r)
{
	for (size_t i = 0; i < r->n; i++) {
		cdi_spec_free(r->v[i].spec);
		free(r->v[i].file);
	}
	free(r->v);
	free(r->bad);
}

/* a device picked: spec index and device index */
struct pick {
	size_t spec, dev;
};

static bool picked(const struct pick *p, size_t n, size_t spec, size_t dev)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].spec == spec && p[i].dev == dev)
			return true;
	return false;
}

static void add_pick(struct pick **picks, size_t *np, struct pick p)
{
	if (picked(*picks, *np, p.spec, p.dev))
		return;
	*picks = xrealloc(*picks, (*np + 1) * sizeof **picks);
	(*picks)[(*np)++] = p;
}

static ssize_t find_dev(const struct cdi_spec *s, const char *name)
{
	for (size_t i = 0; i < s->ndevices; i++)
		if (!strcmp(s->devices[i].name, name))
			return (ssize_t)i;
	return -1;
}

/* The spec that defines kind=name with the highest priority: a later
 * directory overrides an earlier one, two files of one directory conflict. */
static int lookup(const struct registry *r, const char *kind, const char *name, struct pick *out,
		  struct err *e)
{
	bool found = false;

	for (size_t i = 0; i < r->n; i++) {
		ssize_t d;
		if (strcmp(r->v[i].spec->kind, kind) != 0 || (d = find_dev(r->v[i].spec, name)) < 0)
			continue;
		if (found && r->v[out->spec].dir == r->v[i].dir)
			return err_make(e, 0, "CDI device %s=%s: conflicting definitions in %s and %s", kind,
					name, r->v[out->spec].file, r->v[i].file);
		found = true;
		out->spec = i;
		out->dev = (size_t)d;
	}
	return found ? 1 : 0;
}

static int pick_all(const struct registry *r, const char *kind, struct pick **picks, size_t *np,
		    struct err *e)
{
	for (size_t i = 0; i < r->n; i++) {
		if (strcmp(r->v[i].spec->kind, kind) != 0)
			continue;
		for (size_t d = 0; d < r->v[i].spec->ndevices; d++) {
			struct pick p = { 0, 0 };
			/* the definition that wins, once */
			if (lookup(r, kind, r->v[i].spec->devices[d].name, &p, e) < 0)
				return -1;
			add_pick(picks, np, p);
		}
	}
	return 0;
}

static void cdi_env_set(char ***env, const char *kv)
{
	size_t klen = strcspn(kv, "=");

	for (size_t i = 0; *env && (*env)[i]; i++)
		if (!strncmp((*env)[i], kv, klen) && (*env)[i][klen] == '=') {
			free((*env)[i]);
			(*env)[i] = xstrdup(kv);
			return;
		}
	strv_push(env, kv);
}

static int add_node(const struct cdi_node *n, const char *who, struct container_spec *s, struct err *e)
{
	_cleanup_free_ char *d = NULL;
	struct stat st;

	if (stat(n->host, &st) < 0)
		return err_make(e, errno, "CDI device %s: device node %s", who, n->host);
	if (n->type == 'p')
		return err_make(e, 0, "CDI device %s: %s: fifo device nodes are not supported", who, n->path);
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return err_make(e, 0, "CDI device %s: %s is not a device node", who, n->host);
	if ((n->type == 'b' && !S_ISBLK(st.st_mode)) ||
	    ((n->type == 'c' || n->type == 'u') && !S_ISCHR(st.st_mode)) ||
	    (n->has_major && major(st.st_rdev) != (unsigned)n->major) ||
	    (n->has_minor && minor(st.st_rdev) != (unsigned)n->minor))
		return err_make(
			e, 0, "CDI device %s: %s is not the device the spec describes (type, major or minor)",
			who, n->host);
	if (n->perms && (!strchr(n->perms, 'r') || !strchr(n->perms, 'w')))
		return err_make(
			e, 0,
			"CDI device %s: %s: permissions narrower than rw can't be enforced without root "
			"(no device cgroup)",
			who, n->path);
	if (access(n->host, R_OK | W_OK) < 0)
		return err_make(e, errno, "CDI device %s: the user can't open %s", who, n->host);
	d = xasprintf("%s:%s:rwm", n->host, n->path);
	for (size_t i = 0; s->devices && s->devices[i]; i++)
		if (!strcmp(s->devices[i], d))
			return 0;
	strv_push(&s->devices, d);
	return 0;
}

static int add_mount(const struct cdi_mount *m, const char *who, struct container_spec *s, struct err *e)
{
	struct volume_spec v;
	struct stat st;

	memset(&v, 0, sizeof v);
	if (stat(m->host, &st) < 0)
		return err_make(e, errno, "CDI device %s: mount source %s", who, m->host);
	for (size_t i = 0; m->options && m->options[i]; i++) {
		const char *o = m->options[i];
		unsigned long prop = volume_propagation(o);

		if (!strcmp(o, "ro"))
			v.readonly = true;
		else if (!strcmp(o, "rw"))
			v.readonly = false;
		else if (!strcmp(o, "nosuid"))
			v.flags |= MS_NOSUID;
		else if (!strcmp(o, "nodev"))
			v.flags |= MS_NODEV;
		else if (!strcmp(o, "noexec"))
			v.flags |= MS_NOEXEC;
		else if (prop)
			v.propagation = prop;
		else if (strcmp(o, "bind") != 0 && strcmp(o, "rbind") != 0 && strcmp(o, "suid") != 0 &&
			 strcmp(o, "dev") != 0 && strcmp(o, "exec") != 0)
			return err_make(e, 0, "CDI device %s: mount %s: option \"%s\" is not supported", who,
					m->ctr, o);
	}
	v.src = xstrdup(m->host);
	v.dst = xstrdup(m->ctr);
	if (m->options && m->options[0]) {
		size_t len = 1;
		for (size_t i = 0; m->options[i]; i++)
			len += strlen(m->options[i]) + 1;
		v.mode = xcalloc(1, len);
		for (size_t i = 0; m->options[i]; i++) {
			if (i)
				strcat(v.mode, ",");
			strcat(v.mode, m->options[i]);
		}
	}
	s->volumes = xrealloc(s->volumes, (s->nvolumes + 1) * sizeof *s->volumes);
	s->volumes[s->nvolumes++] = v;
	return 0;
}

static int apply_edits(const struct cdi_edits *ed, const char *who, struct container_spec *s, struct err *e)
{
	for (size_t i = 0; ed->env && ed->env[i]; i++)
		cdi_env_set(&s->env, ed->env[i]);
	for (size_t i = 0; i < ed->nnodes; i++)
		if (add_node(&ed->nodes[i], who, s, e) < 0)
			return -1;
	for (size_t i = 0; i < ed->nmounts; i++)
		if (add_mount(&ed->mounts[i], who, s, e) < 0)
			return -1;
	for (size_t i = 0; i < ed->ngids; i++) {
		char g[16];
		bool dup = false;
		snprintf(g, sizeof g, "%u", ed->gids[i]);
		for (size_t k = 0; s->group_add && s->group_add[k]; k++)
			dup |= !strcmp(s->group_add[k], g);
		if (!dup)
			strv_push(&s->group_add, g);
	}
	for (size_t i = 0; i < ed->nhooks; i++) {
		struct hook_spec h = ed->hooks[i];
		h.origin = (char *)who;
		hook_specs_add(&s->hooks, &s->nhooks, &h);
	}
	return 0;
}

static char *dirs_list(char *const *dirs)
{
	char *out = xstrdup("");

	for (size_t i = 0; dirs && dirs[i]; i++) {
		char *n = xasprintf("%s%s%s", out, i ? ", " : "", dirs[i]);
		free(out);
		out = n;
	}
	return out;
}

/* In a Slurm job, "all" of a GPU kind (class "gpu") means the GPUs Slurm
 * gave the step (SLURM_STEP_GPUS), else the job (SLURM_JOB_GPUS): the
 * devices named by those global indices.  0: not in such a job. */
static int slurm_gpus(const struct registry *r, const char *kind, struct pick **picks, size_t *np,
		      struct err *e)
{
	const char *var = "SLURM_STEP_GPUS", *list = getenv(var), *slash = strchr(kind, '/');
	_cleanup_free_ char *copy = NULL;
	char *save = NULL;

	if (!slash || strcmp(slash + 1, "gpu") != 0)
		return 0;
	if (!list || !*list) {
		var = "SLURM_JOB_GPUS";
		list = getenv(var);
	}
	if (!list || !*list)
		return 0;
	copy = xstrdup(list);
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		struct pick p = { 0, 0 };
		int found = lookup(r, kind, t, &p, e);

		if (found < 0)
			return -1;
		if (!found)
			return err_make(
				e, 0,
				"CDI device %s=all: no spec defines GPU %s, which %s gives this job%s%s",
				kind, t, var, r->bad ? "; " : "", r->bad ? r->bad : "");
		add_pick(picks, np, p);
	}
	return 1;
}

static int resolve(const struct registry *r, char *const *dirs, char *const *devs, struct pick **picks,
		   size_t *np, struct err *e)
{
	for (size_t i = 0; devs && devs[i]; i++) {
		_cleanup_free_ char *kind = NULL, *name = NULL;
		struct pick p = { 0, 0 };
		int found;

		if (!cdi_is_name(devs[i]))
			continue;
		if (cdi_parse_name(devs[i], &kind, &name, e) < 0)
			return -1;
		if (!strcmp(name, "all")) {
			int slurm = slurm_gpus(r, kind, picks, np, e);
			if (slurm < 0)
				return -1;
			if (slurm)
				continue;
		}
		found = lookup(r, kind, name, &p, e);
		if (found < 0)
			return -1;
		if (!found && !strcmp(name, "all")) {
			/* no device named "all": every device of the kind */
			bool kind_known = false;
			for (size_t k = 0; k < r->n; k++)
				kind_known |= !strcmp(r->v[k].spec->kind, kind);
			if (kind_known) {
				if (pick_all(r, kind, picks, np, e) < 0)
					return -1;
				continue;
			}
		}
		if (!found && r->bad)
			return err_make(e, 0, "CDI device %s: no valid spec defines it; %s", devs[i], r->bad);
		if (!found) {
			_cleanup_free_ char *where = dirs_list(dirs);
			return err_make(e, 0, "unknown CDI device %s: no spec in %s defines it", devs[i],
					*where ? where : "(no directory)");
		}
		add_pick(picks, np, p);
	}
	return 0;
}

int cdi_apply(char *const *conf, char *const *devs, struct container_spec *s, struct err *e)
{
	_cleanup_strv_ char **dirs = NULL;
	struct registry r = { NULL, 0, NULL };
	_cleanup_free_ struct pick *picks = NULL;
	_cleanup_free_ bool *spec_done = NULL;
	size_t np = 0;
	bool any = false;
	int rc = -1;

	for (size_t i = 0; devs && devs[i]; i++)
		any |= cdi_is_name(devs[i]);
	if (!any)
		return 0;
	dirs = cdi_spec_dirs(conf);
	for (size_t i = 0; dirs && dirs[i]; i++)
		if (load_dir(dirs[i], i, &r, e) < 0)
			goto out;
	if (resolve(&r, dirs, devs, &picks, &np, e) < 0)
		goto out;
	spec_done = xcalloc(r.n ? r.n : 1, sizeof *spec_done);
	for (size_t i = 0; r.v && i < np; i++) {
		const struct loaded *l = &r.v[picks[i].spec];
		_cleanup_free_ char *who = xasprintf("%s=%s", l->spec->kind,
						     l->spec->devices[picks[i].dev].name);

		/* the spec-wide edits once, before its first device's own */
		if (!spec_done[picks[i].spec]) {
			spec_done[picks[i].spec] = true;
			if (apply_edits(&l->spec->edits, who, s, e) < 0)
				goto out;
		}
		if (apply_edits(&l->spec->devices[picks[i].dev].edits, who, s, e) < 0)
			goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		cdi_err_clean(e);
	registry_free(&r);
	return rc;
}
