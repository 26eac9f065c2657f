/* ctrslurm.c - burrow run inside a Slurm job step: the defaults Slurm mode
 * turns on, and one container per node joined by every rank (ctrslurm.h
 * says how the locks work). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctrslurm.h"
#include "ctropts.h"
#include "ctrutil.h"
#include "relay.h"
#include "lib/base/log.h"
#include "lib/base/util.h"
#include "lib/record/spec.h"
#include "lib/runtime/exec.h"
#include "lib/runtime/seccomp.h"
#include "lib/store/sqfile.h"

/* the variables a rank passes into the container */
static const char *const pass_env[] = { "SLURM_*", "SLURMD_*", "PMI_*", "PMIX_*" };
/* directories of the PMIx server a client connects to */
static const char *const pmix_dirs[] = { "PMIX_SERVER_TMPDIR", "PMIX_SYSTEM_TMPDIR" };
/* munged's socket: PMIx's munge security (PMIX_SECURITY_MODE=munge,...)
 * and Slurm's commands inside the container need it */
#define MUNGE_DIR "/run/munge"

const char *const slurm_defaults[] = {
	"--userns=keep-id",
	"--network=host",
	"--ipc=host",
	"--cgroups=disabled (the job step's cgroup applies)",
	"-e SLURM_* -e SLURMD_* -e PMI_* -e PMIX_*",
	"-v DIR:DIR for PMIX_SERVER_TMPDIR and PMIX_SYSTEM_TMPDIR, and /run/munge under PMIx",
	"--preserve-fds for PMI_FD (moved to fd 3)",
	"--node-share (one container per node and job step)",
	NULL,
};

bool slurm_in_step(void)
{
	return getenv("SLURM_JOB_ID") && getenv("SLURM_STEP_ID");
}

/* PMI_FD, the PMI-2 socket slurmstepd gives each task: fd 3 where that is
 * free (PMI_FD then says 3), so --preserve-fds=1 passes it alone.  Returns
 * the --preserve-fds count, 0 when there is no such fd. */
static int pmi_fd_setup(void)
{
	const char *v = getenv("PMI_FD");
	char *end;
	long fd;

	if (!v || !*v)
		return 0;
	errno = 0;
	fd = strtol(v, &end, 10);
	if (errno || *end || fd < 3 || fd > 4096 || fcntl((int)fd, F_GETFD) < 0)
		return 0;
	if (fd != 3 && fcntl(3, F_GETFD) < 0 && dup2((int)fd, 3) == 3) {
		close((int)fd);
		setenv("PMI_FD", "3", 1);
		return 1;
	}
	(void)fcntl((int)fd, F_SETFD, 0);
	return (int)fd - 2;
}

/* a name part from a variable: [A-Za-z0-9_.-] only */
static void name_part(char *out, size_t n, const char *var)
{
	const char *v = getenv(var);
	size_t i = 0;

	for (; v && *v && i + 1 < n; v++)
		out[i++] = (char)((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
						  (*v >= '0' && *v <= '9') || *v == '_' || *v == '.' ||
						  *v == '-'
					  ? *v
					  : '_');
	if (i == 0)
		out[i++] = '0';
	out[i] = '\0';
}

/* slurm-JOB.STEP-NODE-HASH, HASH (FNV-1a) of the whole command line, so
 * ranks with another command or other options get a container of their own */
static char *node_key(int argc, char **argv)
{
	uint64_t h = 14695981039346656037ULL;
	char job[32], step[32], node[64];

	for (int i = 1; i < argc; i++)
		for (const char *c = argv[i];; c++) {
			h = (h ^ (unsigned char)*c) * 1099511628211ULL;
			if (!*c)
				break;
		}
	name_part(job, sizeof job, "SLURM_JOB_ID");
	name_part(step, sizeof step, "SLURM_STEP_ID");
	name_part(node, sizeof node, getenv("SLURMD_NODENAME") ? "SLURMD_NODENAME" : "HOSTNAME");
	return xasprintf("slurm-%s.%s-%s-%012llx", job, step, node,
			 (unsigned long long)(h & 0xffffffffffffULL));
}

int slurm_run_prepare(int argc, char **argv, struct slurm_run *sr, struct err *e)
{
	struct run_args a;
	struct err pe = ERR_INIT;
	bool help = false;
	const char *mode;
	char **v = NULL;

	memset(sr, 0, sizeof *sr);
	memset(&a, 0, sizeof a);
	if (run_parse_args("run", argc, argv, &a, &help, &pe) < 0 || help) {
		/* the normal parse reports it */
		err_clear(&pe);
		run_args_free(&a);
		return 0;
	}
	mode = a.slurm ? a.slurm : "auto";
	sr->on = strcmp(mode, "on") == 0 || (strcmp(mode, "auto") == 0 && slurm_in_step());
	if (!sr->on) {
		bool share = a.node_share == 1;

		run_args_free(&a);
		if (!share)
			return 0;
		err_make(e, 0, "--node-share needs Slurm mode (--slurm=on, or a job step)");
		return err_mark_usage(e);
	}
	strv_push(&v, argv[0]);
	if (!a.userns && !a.uidmaps && !a.gidmaps)
		strv_push(&v, "--userns=keep-id");
	if (!a.networks)
		strv_push(&v, "--network=host");
	if (!a.ns.mode[NSK_IPC])
		strv_push(&v, "--ipc=host");
	if (!a.o.cgroups && !a.o.has_limits)
		strv_push(&v, "--cgroups=disabled");
	sr->node_share = a.node_share >= 0 ? a.node_share == 1 : !a.o.detach && !a.o.tty && !a.name;
	/* a shared node container keeps none of its first rank's variables:
	 * each rank's come with its exec (exec_rank), and a joining rank must
	 * not inherit one that only the first rank had */
	for (size_t i = 0; !sr->node_share && i < ARRAY_SIZE(pass_env); i++) {
		strv_push(&v, "-e");
		strv_push(&v, pass_env[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(pmix_dirs); i++) {
		const char *d = getenv(pmix_dirs[i]);
		struct stat st;

		if (d && d[0] == '/' && !strchr(d, ':') && stat(d, &st) == 0 && S_ISDIR(st.st_mode)) {
			_cleanup_free_ char *b = xasprintf("%s:%s", d, d);
			strv_push(&v, "-v");
			strv_push(&v, b);
		}
	}
	{
		struct stat st;

		if (getenv("PMIX_SECURITY_MODE") && stat(MUNGE_DIR, &st) == 0 && S_ISDIR(st.st_mode)) {
			strv_push(&v, "-v");
			strv_push(&v, MUNGE_DIR ":" MUNGE_DIR);
		}
	}
	if (!a.ns.preserve_fds)
		sr->pmi_fds = pmi_fd_setup();
	if (!sr->node_share && sr->pmi_fds) {
		_cleanup_free_ char *pf = xasprintf("--preserve-fds=%d", sr->pmi_fds);
		strv_push(&v, pf);
	}
	for (int i = 1; i < argc; i++)
		strv_push(&v, argv[i]);
	sr->argv = v;
	sr->argc = (int)strv_len(v);
	if (sr->node_share)
		sr->key = node_key(argc, argv);
	log_debug("slurm: mode on, node-share %s", sr->node_share ? sr->key : "off");
	run_args_free(&a);
	return 0;
}

void slurm_run_free(struct slurm_run *sr)
{
	strv_free(sr->argv);
	free(sr->key);
	memset(sr, 0, sizeof *sr);
}

/* ---- one container per node ------------------------------------------------ */

/* fd's file is still the one at path (not unlinked by the remover) */
static bool still_linked(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static int lock_file(const char *path, int op, struct err *e)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return err_make(e, errno, "opening %s", path);
	while (flock(fd, op) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			err_make(e, errno, "locking %s", path);
		else
			e->errnum = EWOULDBLOCK;
		close(fd);
		return -1;
	}
	return fd;
}

/* The remover: a process of its own (no terminal, no fds of the rank's),
 * which waits until no rank holds KEY.ref, then removes the container and
 * both files under both locks. */
static void remover(struct globals *g, const char *key, const char *lockp, const char *refp)
{
	struct err e = ERR_INIT;
	struct ctr c;
	int nul, rfd, lfd;

	(void)setsid();
	nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nul >= 0) {
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(nul, 2);
	}
	close_fds_except(3, NULL, 0);
	if (fork() != 0)
		_exit(0); /* reparented: the rank does not wait for it */
	rfd = lock_file(refp, LOCK_EX, &e);
	lfd = lock_file(lockp, LOCK_EX, &e);
	if (ctr_load(g, key, &c, &e) == 0) {
		if (ctr_remove_id(g, c.id, true, &e) < 0)
			log_warn("slurm: removing %s: %s", key, e.msg);
		ctr_free(&c);
	}
	err_clear(&e);
	unlink(refp);
	unlink(lockp);
	if (rfd >= 0)
		close(rfd);
	if (lfd >= 0)
		close(lfd);
	_exit(0);
}

/* Start the node's container: the user's options with -d, --init and the
 * name, and burrow-init --pause as its process.  The record keeps the
 * command the ranks run. */
static int start_node_container(struct globals *g, struct slurm_run *sr, struct err *e)
{
	static const char *const extra[] = { "--rm=false", "-d", "--interactive=false", "--tty=false",
					     "--init" };
	struct run_args a;
	struct container_spec s;
	struct idmap m;
	bool help = false;
	char **v = NULL;
	int rc, code = 0, img = -1;

	memset(&a, 0, sizeof a);
	if (run_parse_args("run", sr->argc, sr->argv, &a, &help, e) < 0) {
		run_args_free(&a);
		return err_mark_usage(e);
	}
	for (int i = 1; i < sr->argc; i++)
		if (sr->argv[i] == a.image)
			img = i;
	run_args_free(&a);
	if (img < 0)
		return err_make(e, 0, "internal error: no image argument");
	for (int i = 0; i < img; i++)
		strv_push(&v, sr->argv[i]);
	for (size_t i = 0; i < ARRAY_SIZE(extra); i++)
		strv_push(&v, extra[i]);
	strv_push(&v, "--name");
	strv_push(&v, sr->key);
	for (int i = img; i < sr->argc; i++)
		strv_push(&v, sr->argv[i]);
	memset(&s, 0, sizeof s);
	memset(&m, 0, sizeof m);
	rc = ctr_create_record(g, "run", (int)strv_len(v), v, &s, &m, e);
	strv_free(v);
	if (rc == 0) {
		strv_free(s.argv);
		s.argv = NULL;
		strv_push(&s.argv, "/dev/init");
		strv_push(&s.argv, "--pause");
		rc = ctr_launch(g, &s, &code, e);
	} else if (rc > 0) {
		rc = err_make(e, 0, "--help with --node-share");
	}
	container_spec_free(&s);
	idmap_free(&m);
	return rc;
}

static int wait_rank(pid_t pid, int ptmx, void *arg, struct err *e)
{
	(void)ptmx;
	(void)arg;
	return relay_child(pid, -1, false, NULL, NULL, e);
}

/* Run the command of the container's record in it, with this rank's
 * Slurm and PMI variables and its PMI socket. */
static int exec_rank(struct ctr *c, int pmi_fds, int *code, struct err *e)
{
	_cleanup_strv_ char **env = strv_dup(c->spec.env);
	_cleanup_free_ char *scdir = seccomp_cachedir(&c->spec);
	struct seccomp_prog sc = { 0, NULL };
	struct exec_request r;
	struct exec_result res;
	int rc;

	for (size_t i = 0; i < ARRAY_SIZE(pass_env); i++)
		if (env_add(&env, pass_env[i], e) < 0)
			return -1;
	if (seccomp_prog_for(c->spec.seccomp, c->spec.caps, scdir, &sc, e) < 0)
		return -1;
	memset(&r, 0, sizeof r);
	r.init = c->st.pid;
	r.argv = c->spec.argv;
	r.env = env;
	r.workdir = c->spec.workdir;
	r.user = c->spec.user;
	r.group_add = c->spec.group_add;
	r.hostname = c->spec.hostname;
	r.caps = c->spec.caps;
	r.die_with_caller = true;
	r.preserve_fds = pmi_fds;
	r.seccomp = &sc;
	r.wait = wait_rank;
	relay_block_signals();
	rc = exec_in_container(&r, &res, e);
	relay_unblock_signals();
	seccomp_prog_free(&sc);
	if (rc == 0)
		*code = res.exit_code;
	return rc;
}

int slurm_node_run(struct globals *g, struct slurm_run *sr, int *code, struct err *e)
{
	_cleanup_free_ char *dir = xasprintf("%s/slurm", g->cfg.runroot);
	_cleanup_free_ char *lockp = xasprintf("%s/%s.lock", dir, sr->key);
	_cleanup_free_ char *refp = xasprintf("%s/%s.ref", dir, sr->key);
	_cleanup_free_ char *why = NULL;
	_cleanup_close_ int rfd = -1;
	int lfd = -1, rc = -1;
	struct ctr c;
	bool loaded = false;

	if (config_ensure_dirs(&g->cfg, e) < 0)
		return -1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return err_make(e, errno, "creating %s", dir);
	if (config_private_dir(dir, &why) != 1)
		return err_make(e, 0, "%s is not safe to use: %s", dir,
				why ? why : "not a private directory");
	for (;;) {
		lfd = lock_file(lockp, LOCK_EX, e);
		if (lfd < 0)
			return -1;
		if (!still_linked(lfd, lockp)) {
			close(lfd);
			continue;
		}
		rfd = lock_file(refp, LOCK_SH | LOCK_NB, e);
		if (rfd >= 0)
			break;
		close(lfd);
		if (e->errnum != EWOULDBLOCK)
			return -1;
		/* the remover has it: wait until it is done, then start over */
		err_clear(e);
		{
			int w = lock_file(refp, LOCK_SH, e);

			if (w < 0)
				return -1;
			close(w);
		}
	}
	if (ctr_load(g, sr->key, &c, e) == 0) {
		loaded = true;
		if (!ctr_running(&c) || !proc_alive(c.st.pid, c.st.pid_start)) {
			/* left from an earlier step that died: start afresh */
			if (ctr_remove_id(g, c.id, true, e) < 0)
				goto out;
			ctr_free(&c);
			loaded = false;
		}
	} else if (e->errnum == ENOENT) {
		err_clear(e);
	} else {
		goto out;
	}
	if (!loaded) {
		pid_t pid;

		log_debug("slurm: starting the node's container %s", sr->key);
		if (start_node_container(g, sr, e) < 0)
			goto out;
		pid = fork();
		if (pid < 0) {
			err_make(e, errno, "fork");
			goto out;
		}
		if (pid == 0)
			remover(g, sr->key, lockp, refp);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		if (ctr_load(g, sr->key, &c, e) < 0)
			goto out;
		loaded = true;
	}
	close(lfd);
	lfd = -1;
	log_debug("slurm: joining %s", sr->key);
	rc = exec_rank(&c, sr->pmi_fds, code, e);
out:
	if (lfd >= 0)
		close(lfd);
	if (loaded)
		ctr_free(&c);
	return rc;
}
