/* runstep.c - RUN: a container over the stage's layers, and its upper
 * directory turned into a layer tar. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "builder_int.h"
#include "lib/record/container.h"
#include "lib/net/net.h"
#include "lib/base/log.h"
#include "lib/runtime/start.h"
#include "lib/store/export.h"
#include "lib/store/unpack.h"
#include "lib/base/util.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int tmpfile_in(const char *dir, struct err *e)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0) {
		_cleanup_free_ char *tmpl = xasprintf("%s/.build-XXXXXX", dir);
		fd = mkostemp(tmpl, O_CLOEXEC);
		if (fd < 0)
			return err_make(e, errno, "creating a temporary file in %s", dir);
		unlink(tmpl);
	}
	return fd;
}

static bool dir_empty(const char *path)
{
	_cleanup_closedir_ DIR *d = opendir(path);
	struct dirent *de;

	if (!d)
		return true;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			return false;
	return true;
}

struct tar_job {
	const char *dir;
	int fd;
	char **lowerdirs;
};

static bool fgetxattr_opaque(int dirfd, const char *name);

/* the lower layers' entry for path (top first): 0 found, -1 none */
static int lower_stat(char **lowerdirs, const char *path, struct stat *st)
{
	for (size_t i = 0; lowerdirs && lowerdirs[i]; i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", lowerdirs[i], path);
		if (lstat(p, st) == 0)
			return 0;
	}
	return -1;
}

/* The runtime's mount points land in the upper dir when the image lacks
 * them (empty /etc/hosts, /etc/resolv.conf, /etc/hostname, /proc, /sys,
 * /dev), and /etc is copied up to hold them.  They are not the RUN's
 * changes: drop the ones that are still empty placeholders, as buildah
 * does. */
static void drop_mount_points(int up, char **lowerdirs)
{
	static const char *const files[] = { "etc/hosts", "etc/resolv.conf", "etc/hostname" };
	static const char *const dirs[] = { "proc", "sys", "dev", "etc" };
	struct stat st, lst;

	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		if (fstatat(up, files[i], &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		    st.st_size == 0 && lower_stat(lowerdirs, files[i], &lst) < 0)
			unlinkat(up, files[i], 0);
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		if (fstatat(up, dirs[i], &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (lower_stat(lowerdirs, dirs[i], &lst) == 0 &&
		    (!S_ISDIR(lst.st_mode) || lst.st_mode != st.st_mode || lst.st_uid != st.st_uid ||
		     lst.st_gid != st.st_gid))
			continue;
		/* fails (and keeps it) unless empty; an opaque dir has an xattr
		 * that says it replaced the lower one: keep that too */
		if (fgetxattr_opaque(up, dirs[i]))
			continue;
		unlinkat(up, dirs[i], AT_REMOVEDIR);
	}
}

static int tar_fn(void *arg, int outfd, struct err *e)
{
	struct tar_job *j = arg;
	_cleanup_close_ int rootfd = open(j->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int up = open(j->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	(void)outfd;
	if (rootfd < 0 || up < 0)
		return err_make(e, errno, "opening %s", j->dir);
	drop_mount_points(up, j->lowerdirs);
	return layer_tar_write(rootfd, j->fd, e);
}

static bool fgetxattr_opaque(int dirfd, const char *name)
{
	char v[4];
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return true;
	return fgetxattr(fd, "user.overlay.opaque", v, sizeof v) > 0 ||
	       fgetxattr(fd, "trusted.overlay.opaque", v, sizeof v) > 0 ||
	       fgetxattr(fd, "user.fuseoverlayfs.opaque", v, sizeof v) > 0;
}

int upper_to_tar(struct builder *b, struct bstage *s, const char *ctrdir, int *fd, struct err *e)
{
	_cleanup_strv_ char **lower = b_lowerdirs(b, s);
	_cleanup_free_ char *upper = xasprintf("%s/upper", ctrdir);
	_cleanup_free_ char *layers = xasprintf("%s/layers", store_root(b->o->store));
	_cleanup_close_ int t = -1;
	struct tar_job j;

	*fd = -1;
	if (dir_empty(upper))
		return 0;
	t = tmpfile_in(layers, e);
	if (t < 0)
		return -1;
	j.dir = upper;
	j.fd = t;
	j.lowerdirs = lower;
	if (userns_run(b->o->idmap, 0, tar_fn, &j, NULL, NULL, NULL, e) < 0)
		return err_wrap(e, "writing the layer");
	if (dir_empty(upper))
		return 0;
	if (lseek(t, 0, SEEK_SET) < 0)
		return err_make(e, errno, "rewinding the layer tar");
	*fd = steal_fd(t);
	return 0;
}

struct untar_job {
	const char *dir;
	int fd;
};

static int untar_fn(void *arg, int outfd, struct err *e)
{
	struct untar_job *j = arg;
	_cleanup_close_ int rootfd = open(j->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct unpack_opts uo = { .no_chown = false };
	struct unpack_result r;

	(void)outfd;
	if (rootfd < 0)
		return err_make(e, errno, "opening %s", j->dir);
	return unpack_fd(j->fd, rootfd, &uo, &r, e);
}

int stage_work_ensure(struct builder *b, struct bstage *s, struct err *e)
{
	_cleanup_free_ char *up = NULL, *wk = NULL;

	if (s->work)
		return 0;
	if (store_tmp_create(b->o->store, &s->workdir_path, &s->work, e) < 0)
		return -1;
	up = xasprintf("%s/upper", s->workdir_path);
	wk = xasprintf("%s/work", s->workdir_path);
	if (mkdir(up, 0755) < 0 || mkdir(wk, 0700) < 0)
		return err_make(e, errno, "creating %s", up);
	return 0;
}

int tar_into_work(struct builder *b, struct bstage *s, int tarfd, struct err *e)
{
	_cleanup_free_ char *up = NULL;
	struct untar_job j;

	if (stage_work_ensure(b, s, e) < 0)
		return -1;
	up = xasprintf("%s/upper", s->workdir_path);
	j.dir = up;
	j.fd = tarfd;
	if (lseek(tarfd, 0, SEEK_SET) < 0)
		return err_make(e, errno, "rewinding the layer tar");
	if (userns_run(b->o->idmap, 0, untar_fn, &j, NULL, NULL, NULL, e) < 0)
		return -1;
	s->work_dirty = true;
	return 0;
}

static int prep_dirs(void *arg, struct err *e)
{
	if (container_prepare_dirs(arg, e) < 0)
		return -1;
	return net_write_etc_files(arg, e);
}

/* container_wait, copying what the step writes to pipe (read end) to
 * outfd meanwhile */
static int wait_relaying(struct container_proc *p, int rfd, int outfd, struct err *e)
{
	while (!p->exited) {
		struct pollfd fds[2] = { { .fd = p->sk, .events = POLLIN }, { .fd = rfd, .events = POLLIN } };
		if (poll(fds, rfd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return err_make(e, errno, "poll");
		}
		if (rfd >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			char buf[16384];
			ssize_t n = read(rfd, buf, sizeof buf);
			if (n <= 0 && !(n < 0 && errno == EINTR))
				closep(&rfd), rfd = -1;
			else if (n > 0 && write_all(outfd, buf, (size_t)n) < 0)
				closep(&rfd), rfd = -1;
		}
		if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) && container_handle_msg(p, e) < 0)
			return -1;
	}
	if (rfd >= 0) {
		fcntl(rfd, F_SETFL, O_NONBLOCK);
		for (;;) {
			char buf[16384];
			ssize_t n = read(rfd, buf, sizeof buf);
			if (n <= 0 || write_all(outfd, buf, (size_t)n) < 0)
				break;
		}
		close(rfd);
	}
	return container_wait(p, e);
}

/* in a child, so the container's stdio can be the build's output (through
 * a pipe when that is a terminal: a RUN step must not get the user's) */
static void __attribute__((noreturn))
run_child(struct container_spec *spec, int outfd, int errpipe, pid_t parent)
{
	struct container_proc p;
	struct err e = ERR_INIT;
	int n = open("/dev/null", O_RDWR), code, pp[2] = { -1, -1 };

	/* a killed or interrupted build takes its RUN container along (the
	 * supervisor dies with us, the container with the supervisor), so the scratch
	 * locks are free for the next build's sweep */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(125);

	if (n < 0 || dup2(n, 0) < 0 || dup2(outfd >= 0 ? outfd : n, 1) < 0 ||
	    dup2(outfd >= 0 ? outfd : n, 2) < 0) {
		err_make(&e, errno, "redirecting the output");
		err_send(errpipe, &e);
		_exit(125);
	}
	if (outfd >= 0 && isatty(outfd)) {
		if (pipe2(pp, O_CLOEXEC) < 0) {
			err_make(&e, errno, "pipe");
			err_send(errpipe, &e);
			_exit(125);
		}
		spec->stdio[1] = spec->stdio[2] = pp[1];
	}
	if (container_start(spec, NULL, prep_dirs, spec, &p, &e) < 0) {
		err_send(errpipe, &e);
		_exit(125);
	}
	if (pp[1] >= 0)
		close(pp[1]);
	code = pp[0] >= 0 ? wait_relaying(&p, pp[0], outfd, &e) : container_wait(&p, &e);
	if (code < 0) {
		err_send(errpipe, &e);
		container_proc_close(&p);
		_exit(125);
	}
	container_proc_close(&p);
	_exit(code & 0xff);
}

int run_in_stage(struct builder *b, struct bstage *s, const struct run_req *r, int *code, struct err *e)
{
	struct container_spec spec;
	_cleanup_free_ char *empty = NULL, *netopts = NULL;
	int ep[2] = { -1, -1 }, st, rc = -1;
	char id[65];
	pid_t pid, parent;

	memset(&spec, 0, sizeof spec);
	if (random_hex_id(id, e) < 0)
		return -1;
	memcpy(spec.id, id, sizeof id);
	spec.name = xasprintf("burrow-build-%.12s", id);
	spec.hostname = xasprintf("%.12s", id);
	spec.created = cfg_now();
	spec.argv = strv_dup(r->argv);
	spec.env = strv_dup(r->env);
	spec.workdir = xstrdup(r->workdir && *r->workdir ? r->workdir : "/");
	spec.user = r->user && *r->user ? xstrdup(r->user) : NULL;
	net_opts_init(&spec.net_opts);
	if (parse_network(b->o->network ? b->o->network : "slirp4netns", &spec.net, &netopts, e) < 0)
		goto out;
	if (spec.net == NET_SLIRP && net_opts_parse(netopts, &spec.net_opts, e) < 0) {
		err_wrap(e, "--network");
		goto out;
	}
	for (size_t i = 0; i < n_default_caps; i++)
		spec.caps |= 1ULL << default_caps[i];
	spec.log_driver = LOGDRV_NONE;
	spec.log_max_file = 1;
	spec.stop_signal = SIGTERM;
	spec.stop_timeout = 10;
	spec.overlay = b->o->cfg->overlay;
	spec.no_cgroups = true;
	spec.idmap = b->o->idmap;
	spec.root_emulation = b->o->idmap->single && b->o->userns_emulation;
	spec.ctrdir = xstrdup(s->workdir_path);
	/* named after the scratch dir, so a killed build's rundir can be
	 * recognised once its scratch dir is swept (rundirs_sweep) */
	spec.rundir = xasprintf("%s/build-%s-%.12s", b->o->cfg->runroot, strrchr(s->workdir_path, '/') + 1,
				id);
	spec.lowerdirs = b_lowerdirs(b, s);
	if (!spec.lowerdirs[0]) {
		/* FROM scratch: the overlay still wants a lower directory */
		empty = xasprintf("%s/empty", s->workdir_path);
		if (mkdir(empty, 0755) < 0 && errno != EEXIST) {
			err_make(e, errno, "creating %s", empty);
			goto out;
		}
		strv_push(&spec.lowerdirs, empty);
	}
	if (pipe2(ep, O_CLOEXEC) < 0) {
		err_make(e, errno, "pipe");
		goto out;
	}
	parent = getpid();
	pid = fork();
	if (pid < 0) {
		err_make(e, errno, "fork");
		goto out;
	}
	if (pid == 0) {
		close(ep[0]);
		run_child(&spec, b->o->out_fd, ep[1], parent);
	}
	close(ep[1]);
	ep[1] = -1;
	{
		struct err ce = ERR_INIT;
		int got = err_recv(ep[0], &ce);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (got == 1) {
			*e = ce;
			goto out;
		}
		err_clear(&ce);
	}
	*code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	rc = 0;
out : {
	struct err ig = ERR_INIT;
	if (spec.rundir && rm_rf_at(AT_FDCWD, spec.rundir, &ig) < 0)
		err_clear(&ig);
}
	if (empty)
		rmdir(empty);
	if (ep[0] >= 0)
		close(ep[0]);
	if (ep[1] >= 0)
		close(ep[1]);
	container_spec_free(&spec);
	return rc;
}

void rundirs_sweep(struct builder *b)
{
	_cleanup_closedir_ DIR *d = opendir(b->o->cfg->runroot);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		/* build-.tmp-<12 hex>-<12 hex> */
		char scratch[24];
		struct err e = ERR_INIT;
		size_t len = strlen(de->d_name);
		if (strncmp(de->d_name, "build-.tmp-", 11) != 0 || len != 6 + 17 + 1 + 12)
			continue;
		snprintf(scratch, sizeof scratch, "%.17s", de->d_name + 6);
		_cleanup_free_ char *live = xasprintf("%s/layers/%s", store_root(b->o->store), scratch);
		_cleanup_free_ char *dead = xasprintf("%s/%s", b->o->cfg->runroot, de->d_name);
		if (access(live, F_OK) == 0)
			continue; /* its build still runs (or its scratch awaits a sweep) */
		if (rm_rf_at(AT_FDCWD, dead, &e) < 0)
			err_clear(&e);
	}
}

static bool only_heredocs(const char *rest, const struct df_instr *in)
{
	/* "RUN <<EOF" (or several): the bodies are the script */
	const char *p = rest;

	for (size_t i = 0; i < in->nheredocs; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "<<", 2) != 0)
			return false;
		p += 2;
		if (*p == '-')
			p++;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '\0';
}

static char *join(char **v)
{
	char *out = xstrdup("");

	for (size_t i = 0; v && v[i]; i++) {
		char *t = xasprintf("%s%s%s", out, i ? " " : "", v[i]);
		free(out);
		out = t;
	}
	return out;
}

int run_step(struct builder *b, struct bstage *s, const struct df_instr *in, struct err *e)
{
	_cleanup_strv_ char **argv = NULL, **env = NULL;
	_cleanup_free_ char *by = NULL, *cmdtext = NULL;
	const char *rest = in->rest ? in->rest : "";
	struct run_req r;
	char key[65];
	int code = 0;

	for (size_t i = 0; i < in->nflags; i++)
		if (strcmp(in->flags[i].name, "mount") == 0)
			return err_make(e, 0, "RUN --mount is not supported");
		else if (strcmp(in->flags[i].name, "network") == 0 ||
			 strcmp(in->flags[i].name, "security") == 0)
			return err_make(e, 0, "RUN --%s is not supported", in->flags[i].name);
	if (in->json) {
		argv = strv_dup(in->argv);
	} else {
		argv = cfg_shell(s->config);
		if (in->nheredocs && only_heredocs(rest, in)) {
			_cleanup_free_ char *script = xstrdup("");
			for (size_t i = 0; i < in->nheredocs; i++) {
				char *t = xasprintf("%s%s", script, in->heredocs[i].body);
				free(script);
				script = t;
			}
			strv_push(&argv, script);
		} else if (in->nheredocs) {
			/* "RUN cat <<EOF > f": the shell reads the here-documents itself */
			_cleanup_free_ char *script = xstrdup(rest);
			for (size_t i = 0; i < in->nheredocs; i++) {
				char *t = xasprintf("%s\n%s%s", script, in->heredocs[i].body,
						    in->heredocs[i].name);
				free(script);
				script = t;
			}
			strv_push(&argv, script);
		} else {
			strv_push(&argv, rest);
		}
	}
	if (!argv || !argv[0])
		return err_make(e, 0, "RUN: empty command");
	/* the history's created_by, as podman writes it */
	if (in->json) {
		cmdtext = join(in->argv);
	} else {
		_cleanup_strv_ char **sh = cfg_shell(s->config);
		_cleanup_free_ char *shtext = join(sh);
		cmdtext = xasprintf("%s %s", shtext, rest);
	}
	if (s->args && s->args[0]) {
		_cleanup_free_ char *kv = join(s->args);
		by = xasprintf("|%zu %s %s", strv_len(s->args), kv, cmdtext);
	} else {
		by = xstrdup(cmdtext);
	}

	/* a step run under root emulation can give a different result (owners
	 * left as they were, no device nodes): it is cached apart */
	b_key(b, s, in, b->o->idmap->single && b->o->userns_emulation ? "root-emulation" : NULL, key);
	if (b_cache_try(b, s, key, e))
		return 0;

	env = cfg_env(s->config);
	for (size_t i = 0; s->args && s->args[i]; i++) {
		size_t n = strcspn(s->args[i], "=");
		_cleanup_free_ char *k = b_strndup(s->args[i], n);
		if (!env_get(env, k))
			strv_push(&env, s->args[i]);
	}
	if (!env_get(env, "PATH"))
		env_set(&env, "PATH", DEFAULT_PATH);
	r.argv = argv;
	r.env = env;
	r.workdir = cfg_get_str(s->config, "WorkingDir");
	r.user = cfg_get_str(s->config, "User");

	if (b->o->layers) {
		/* a fresh working dir for this step */
		struct store_tmp *t = NULL;
		char *path = NULL;
		int fd = -1, rc;
		if (store_tmp_create(b->o->store, &path, &t, e) < 0)
			return -1;
		free(s->workdir_path);
		s->workdir_path = path;
		s->work = t;
		rc = run_in_stage(b, s, &r, &code, e);
		if (rc == 0 && code != 0)
			rc = err_make(e, 0, "while running runtime: exit status %d", code);
		if (rc == 0)
			rc = upper_to_tar(b, s, s->workdir_path, &fd, e);
		store_tmp_discard(b->o->store, b->o->idmap, s->work);
		s->work = NULL;
		free(s->workdir_path);
		s->workdir_path = NULL;
		if (rc == 0)
			rc = b_commit_step(b, s, fd, by, key, e);
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if (stage_work_ensure(b, s, e) < 0)
		return -1;
	if (run_in_stage(b, s, &r, &code, e) < 0)
		return -1;
	if (code != 0)
		return err_make(e, 0, "while running runtime: exit status %d", code);
	s->work_dirty = true;
	return b_commit_step(b, s, -1, by, NULL, e);
}
