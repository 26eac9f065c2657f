/* spank_burrow.c - a Slurm SPANK plugin: srun --container-image=FILE|REF
 * runs every task of the step in a burrow container.
 *
 *   srun --container-image=/shared/app.sqfs [--container-mounts=SRC:DST[:ro],...]
 *        [--container-workdir=DIR] [--container-env=NAME[,NAME...]] CMD...
 *
 * How (docs/SPANK.md has the whole story):
 *   - srun (local context) checks the options, so a bad mount spec fails
 *     the step before it starts, with one line.
 *   - slurmstepd, once per node and step (slurm_spank_user_init, with the
 *     user's credentials): a child that drops to the user for good execs
 *       burrow run -d --name burrow-spank-JOB.STEP-NODE --slurm=off
 *         --network=host --ipc=host --pid=host --cgroups=disabled --init
 *         --entrypoint /dev/init [--userns=keep-id] [-v ...] [-w DIR]
 *         IMAGE --pause
 *     i.e. one container per node whose process only waits, and then
 *       burrow inspect --format {{.State.Pid}} NAME
 *     for its init's pid.  burrow does all the container work: the plugin
 *     links none of burrow's library into slurmstepd (a root daemon that
 *     outlives many jobs; burrow's library owns its process: signals, fds,
 *     prctl, exit paths of its children).
 *   - each task (slurm_spank_task_init, in the task's process just before
 *     Slurm execs the command): setns into that init's user and mount
 *     namespaces, chdir, and the image's environment on top of the task's
 *     (except the --container-env names), so the command is found and runs
 *     in the container's root, as the user: the same UID inside
 *     (keep-id), for an image of the store and a SquashFS file alike, as
 *     `burrow run` has it in a job step.
 *   - at the end of the step (slurm_spank_exit): burrow stop, burrow rm -f.
 *
 * Plugin arguments (plugstack.conf): burrow=PATH (else `burrow` along the
 * job's PATH).
 */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <slurm/spank.h>

#include "spank_mounts.h"

SPANK_PLUGIN(burrow, 1);

#define OUT_MAX 4096

static struct {
	char *image, *mounts, *workdir, *envnames;
	char *burrow; /* plugstack.conf burrow=PATH */
	char name[96];
	char **env; /* the job's environment, for the burrow commands */
	uid_t uid;
	gid_t gid;
	pid_t pid;    /* the container's init; 0: none started */
	pid_t owner;  /* the slurmstepd process that started it */
	char *failed; /* why it could not start: each task reports it and exits 125 */
} st;

static int set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? strdup(v) : NULL;
	return *dst || !v ? 0 : -1;
}

static int opt_image(int val, const char *arg, int remote)
{
	(void)val;
	(void)remote;
	if (!arg || !*arg) {
		slurm_error("burrow: --container-image needs a SquashFS file or an image reference");
		return -1;
	}
	return set_str(&st.image, arg);
}

static int opt_mounts(int val, const char *arg, int remote)
{
	char why[256];

	(void)val;
	(void)remote;
	if (spank_mounts_check(arg, why, sizeof why) < 0) {
		slurm_error("burrow: --container-mounts: %s", why);
		return -1;
	}
	return set_str(&st.mounts, arg);
}

static int opt_workdir(int val, const char *arg, int remote)
{
	(void)val;
	(void)remote;
	if (!arg || arg[0] != '/') {
		slurm_error("burrow: --container-workdir must be an absolute path");
		return -1;
	}
	return set_str(&st.workdir, arg);
}

static int opt_env(int val, const char *arg, int remote)
{
	(void)val;
	(void)remote;
	return set_str(&st.envnames, arg);
}

struct spank_option spank_options[] = {
	{ "container-image", "FILE|REF",
	  "[burrow] run each task in a container of this image: a SquashFS file (burrow save --format "
	  "squashfs) or an image in the user's store",
	  1, 0, opt_image },
	{ "container-mounts", "SRC:DST[:ro],...", "[burrow] bind mounts into the container", 1, 0,
	  opt_mounts },
	{ "container-workdir", "DIR", "[burrow] working directory inside the container", 1, 0, opt_workdir },
	{ "container-env", "NAME[,NAME...]",
	  "[burrow] variables that keep the task's value instead of the image's", 1, 0, opt_env },
	SPANK_OPTIONS_TABLE_END
};

int slurm_spank_init(spank_t sp, int ac, char **av)
{
	(void)sp;
	for (int i = 0; i < ac; i++)
		if (!strncmp(av[i], "burrow=", 7) && set_str(&st.burrow, av[i] + 7) < 0)
			return -1;
	return 0;
}

/* ---- running burrow ------------------------------------------------------- */

static void vec_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 2) * sizeof **v);

	if (!nv)
		abort();
	*v = nv;
	(*v)[(*n)++] = strdup(s);
	(*v)[*n] = NULL;
}

static void vec_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static const char *env_get(char **env, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; env && env[i]; i++)
		if (!strncmp(env[i], name, n) && env[i][n] == '=')
			return env[i] + n + 1;
	return NULL;
}

/* burrow=PATH, else `burrow` along the job's PATH; malloc'd or NULL */
static char *find_burrow(void)
{
	const char *path = env_get(st.env, "PATH");
	char *copy, *save = NULL;

	if (st.burrow)
		return strdup(st.burrow);
	if (!path)
		return NULL;
	copy = strdup(path);
	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *p;
		if (*d != '/' || asprintf(&p, "%s/burrow", d) < 0)
			continue;
		if (access(p, X_OK) == 0) {
			free(copy);
			return p;
		}
		free(p);
	}
	free(copy);
	return NULL;
}

/* Run burrow with argv as the job's user, for good (never back to root):
 * 0 and its stdout in out, or -1 and its last line of stderr in out.
 * shielded: SIGTERM, SIGINT and SIGHUP ignored. */
static int run_burrow(char **argv, bool shielded, char *out, size_t outlen)
{
	int op[2], ep[2];
	char err[OUT_MAX];
	size_t on = 0, en = 0;
	pid_t pid;
	int stt;

	out[0] = '\0';
	if (pipe2(op, O_CLOEXEC) < 0)
		return snprintf(out, outlen, "pipe: %s", strerror(errno)), -1;
	if (pipe2(ep, O_CLOEXEC) < 0) {
		close(op[0]);
		close(op[1]);
		return snprintf(out, outlen, "pipe: %s", strerror(errno)), -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(out, outlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int dn = open("/dev/null", O_RDONLY);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* at the end of the step slurmstepd signals what is left of it:
		 * the removal must run to its end */
		if (shielded) {
			signal(SIGTERM, SIG_IGN);
			signal(SIGINT, SIG_IGN);
			signal(SIGHUP, SIG_IGN);
		}
		if (dn < 0 || dup2(dn, 0) < 0 || dup2(op[1], 1) < 0 || dup2(ep[1], 2) < 0)
			_exit(125);
		/* root's supplementary groups go; then the user's ids, all three */
		if (geteuid() == 0)
			(void)setgroups(0, NULL);
		if (setresgid(st.gid, st.gid, st.gid) < 0 || setresuid(st.uid, st.uid, st.uid) < 0) {
			dprintf(2, "dropping to uid %u: %s\n", (unsigned)st.uid, strerror(errno));
			_exit(125);
		}
		execve(argv[0], argv, st.env);
		dprintf(2, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(op[1]);
	close(ep[1]);
	/* burrow run -d prints one ID; its stderr is short: read both in turn */
	for (;;) {
		ssize_t r = read(op[0], out + on, outlen - 1 - on);
		if (r <= 0 || on + (size_t)r >= outlen - 1) {
			if (r > 0)
				on += (size_t)r;
			break;
		}
		on += (size_t)r;
	}
	out[on] = '\0';
	for (;;) {
		char buf[512];
		ssize_t r = read(ep[0], buf, sizeof buf);
		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r && en < sizeof err - 1; i++)
			err[en++] = buf[i];
	}
	err[en] = '\0';
	close(op[0]);
	close(ep[0]);
	while (waitpid(pid, &stt, 0) < 0 && errno == EINTR)
		;
	while (on && (out[on - 1] == '\n' || out[on - 1] == ' '))
		out[--on] = '\0';
	if (WIFEXITED(stt) && WEXITSTATUS(stt) == 0)
		return 0;
	while (en && (err[en - 1] == '\n' || err[en - 1] == ' '))
		err[--en] = '\0';
	{
		char *last = strrchr(err, '\n');
		if (last || en)
			snprintf(out, outlen, "%s", last ? last + 1 : err);
		else if (WIFSIGNALED(stt))
			snprintf(out, outlen, "killed by signal %d", WTERMSIG(stt));
		else
			snprintf(out, outlen, "exit status %d", WEXITSTATUS(stt));
	}
	return -1;
}

/* the container could not start: said once in slurmd's log, and by each
 * task on its stderr (slurm_spank_task_init), which exits 125 */
static int start_failed(const char *what, const char *why)
{
	char msg[2 * OUT_MAX + 8];

	snprintf(msg, sizeof msg, "%s%s%s", what, why ? ": " : "", why ? why : "");
	slurm_error("burrow: %s", msg);
	free(st.failed);
	st.failed = strdup(msg);
	return 0;
}

static int start_container(spank_t sp)
{
	uint32_t job = 0, step = 0, node = 0;
	char **env = NULL, **argv = NULL;
	char out[OUT_MAX], *bin;
	size_t n = 0;
	int rc;

	if (spank_get_item(sp, S_JOB_UID, &st.uid) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_JOB_GID, &st.gid) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_JOB_ID, &job) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_JOB_STEPID, &step) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_JOB_NODEID, &node) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_JOB_ENV, &env) != ESPANK_SUCCESS) {
		return start_failed("can't read the job's ids and environment", NULL);
	}
	for (size_t i = 0; env && env[i]; i++)
		vec_push(&st.env, &n, env[i]);
	n = 0;
	snprintf(st.name, sizeof st.name, "burrow-spank-%u.%u-%u", job, step, node);
	if (!(bin = find_burrow())) {
		return start_failed(
			"no burrow binary (plugstack.conf burrow=PATH, or burrow along the job's PATH)",
			NULL);
	}
	{
		const char *fixed[] = { bin,
					"run",
					"-d",
					"--name",
					st.name,
					"--slurm=off",
					"--network=host",
					"--ipc=host",
					"--pid=host",
					"--cgroups=disabled",
					"--init",
					"--entrypoint",
					"/dev/init" };
		for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
			vec_push(&argv, &n, fixed[i]);
		/* the user's own UID inside, as burrow does in a job step, for an
		 * image of the store and a SquashFS file alike */
		vec_push(&argv, &n, "--userns=keep-id");
	}
	if (st.mounts) {
		char *copy = strdup(st.mounts), *save = NULL;
		for (char *m = strtok_r(copy, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
			vec_push(&argv, &n, "-v");
			vec_push(&argv, &n, m);
		}
		free(copy);
	}
	if (st.workdir) {
		vec_push(&argv, &n, "-w");
		vec_push(&argv, &n, st.workdir);
	}
	vec_push(&argv, &n, st.image);
	vec_push(&argv, &n, "--pause");
	rc = run_burrow(argv, false, out, sizeof out);
	vec_free(argv);
	argv = NULL;
	n = 0;
	if (rc < 0) {
		free(bin);
		{
			char what[OUT_MAX];
			snprintf(what, sizeof what, "starting %s", st.image);
			return start_failed(what, out);
		}
	}
	vec_push(&argv, &n, bin);
	vec_push(&argv, &n, "inspect");
	vec_push(&argv, &n, "--format");
	vec_push(&argv, &n, "{{.State.Pid}}");
	vec_push(&argv, &n, st.name);
	rc = run_burrow(argv, false, out, sizeof out);
	vec_free(argv);
	free(bin);
	st.pid = rc == 0 ? (pid_t)atol(out) : 0;
	st.owner = getpid();
	if (st.pid <= 0) {
		{
			char what[OUT_MAX];
			snprintf(what, sizeof what, "the container %s is not running", st.name);
			return start_failed(what, out);
		}
	}
	return 0;
}

int slurm_spank_user_init(spank_t sp, int ac, char **av)
{
	(void)ac;
	(void)av;
	if (spank_context() != S_CTX_REMOTE || !st.image)
		return 0;
	return start_container(sp);
}

/* ---- each task -------------------------------------------------------------- */

static bool env_name_listed(const char *kv)
{
	size_t klen = strcspn(kv, "=");
	const char *p = st.envnames;

	while (p && *p) {
		size_t n = strcspn(p, ",");
		if (n == klen && !strncmp(p, kv, n))
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

/* the container's environment: its init's, NUL-separated */
static char *read_environ(pid_t pid, size_t *len)
{
	char path[64], *buf = NULL;
	size_t cap = 0, n = 0;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t r;
		if (n + 4096 > cap) {
			char *nb = realloc(buf, cap + 65536);
			if (!nb)
				break;
			buf = nb;
			cap += 65536;
		}
		r = read(fd, buf + n, cap - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*len = n;
	return buf;
}

/* The task can't run in the container: one line on its stderr (srun's),
 * and it ends with 125, burrow's status for its own failures, so srun
 * reports the task's exit code (a failing task_init only fails the launch). */
static __attribute__((noreturn)) void task_fail(const char *what, int en)
{
	if (en)
		fprintf(stderr, "burrow: %s: %s\n", what, strerror(en));
	else
		fprintf(stderr, "burrow: %s\n", what);
	fflush(stderr);
	_exit(125);
}

int slurm_spank_task_init(spank_t sp, int ac, char **av)
{
	char path[64], cwd[4096];
	char *envbuf;
	size_t elen = 0;
	int ufd, mfd;
	bool have_cwd;

	(void)ac;
	(void)av;
	if (spank_context() != S_CTX_REMOTE || !st.image)
		return 0;
	if (st.failed || st.pid <= 0)
		task_fail(st.failed ? st.failed : "the container did not start", 0);
	have_cwd = getcwd(cwd, sizeof cwd) != NULL;
	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)st.pid);
	ufd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof path, "/proc/%d/ns/mnt", (int)st.pid);
	mfd = open(path, O_RDONLY | O_CLOEXEC);
	if (ufd < 0 || mfd < 0)
		task_fail("opening the container's namespaces", errno);
	envbuf = read_environ(st.pid, &elen);
	if (!envbuf) {
		envbuf = strdup("");
		elen = 0;
		if (!envbuf)
			task_fail("reading the container's environment", ENOMEM);
	}
	if (setns(ufd, CLONE_NEWUSER) < 0)
		task_fail("joining the container's user namespace", errno);
	if (setns(mfd, CLONE_NEWNS) < 0)
		task_fail("joining the container's mount namespace", errno);
	close(ufd);
	close(mfd);
	if (st.workdir) {
		if (chdir(st.workdir) < 0)
			task_fail(st.workdir, errno);
	} else if (!have_cwd || chdir(cwd) < 0) {
		/* the submit directory is not in the container: the image's
		 * working directory, else / */
		const char *wd = NULL;
		for (size_t i = 0; i < elen; i += strlen(envbuf + i) + 1)
			if (!strncmp(envbuf + i, "PWD=", 4))
				wd = envbuf + i + 4;
		if (!wd || chdir(wd) < 0)
			(void)chdir("/");
	}
	for (size_t i = 0; i < elen; i += strlen(envbuf + i) + 1) {
		char *kv = envbuf + i, *eq = strchr(kv, '=');
		if (!eq || eq == kv || env_name_listed(kv))
			continue;
		*eq = '\0';
		if (strcmp(kv, "PWD") != 0)
			spank_setenv(sp, kv, eq + 1, 1);
		*eq = '=';
	}
	free(envbuf);
	return 0;
}

int slurm_spank_exit(spank_t sp, int ac, char **av)
{
	char out[OUT_MAX], *bin;
	char **argv = NULL;
	size_t n = 0;

	(void)sp;
	(void)ac;
	(void)av;
	/* slurmstepd's children that inherit st call this too: the process
	 * that started the container removes it, once */
	if (spank_context() != S_CTX_REMOTE || st.pid <= 0 || st.owner != getpid())
		return 0;
	st.pid = 0;
	if (!(bin = find_burrow()))
		return 0;
	/* stop first: the init passes SIGTERM on to burrow-init --pause,
	 * which is in the host's PID namespace (--pid=host) and would
	 * outlive a SIGKILL of the init */
	vec_push(&argv, &n, bin);
	vec_push(&argv, &n, "stop");
	vec_push(&argv, &n, "-t");
	vec_push(&argv, &n, "5");
	vec_push(&argv, &n, st.name);
	(void)run_burrow(argv, true, out, sizeof out);
	vec_free(argv);
	argv = NULL;
	n = 0;
	vec_push(&argv, &n, bin);
	vec_push(&argv, &n, "rm");
	vec_push(&argv, &n, "-f");
	vec_push(&argv, &n, st.name);
	if (run_burrow(argv, true, out, sizeof out) < 0) {
		/* slurmstepd may have killed its processes already, and their
		 * last records race with the removal: an error only when the
		 * container is still there */
		char **iv = NULL, ign[OUT_MAX];
		size_t in = 0;
		vec_push(&iv, &in, bin);
		vec_push(&iv, &in, "inspect");
		vec_push(&iv, &in, st.name);
		if (run_burrow(iv, true, ign, sizeof ign) == 0)
			slurm_error("burrow: removing the container %s: %s", st.name, out);
		vec_free(iv);
	}
	vec_free(argv);
	free(bin);
	return 0;
}
