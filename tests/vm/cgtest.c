/* cgtest.c - drives src/lib/cgroup.h the way run/monitor will, for the
 * cgroup tests (tests/vm/cgroup.t, tests/integration/cgroup-host.t) and
 * bench/cgroup, until `burrow run` takes the limit flags.
 *
 *   cgtest [LIMITS] ACTION [ARGS] [-- CMD...]
 *
 * LIMITS are burrow run's flags (--memory 64m, --cpus 0.5, ...).  A
 * "container" is CMD forked and held at a sync point while cgroup_create
 * moves it into its cgroup, then released to exec.  Results are printed as
 * key=value lines for the shell to check.
 *
 *   probe                 which manager would be used, or the error (125)
 *   run -- CMD            exit=N oomkilled=true|false
 *   cpu SECS -- CMD       cpu=USED/SECS from cpu.stat, after 1 s of warm-up
 *   pause -- CMD          progress (cpu.stat usage) while frozen and thawed
 *   update LIMITS -- CMD  create with the first limits, update, then release
 *   stats -- CMD          cgroup_stats after 1 s
 *   cycles N -- CMD       N create/run/destroy; leftover=cgroups left behind
 *   bench N               start latency added by cgroup_create, median/p90
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/cgroup.h"
#include "lib/util.h"

struct ctr {
	pid_t pid;
	int syncw;
	struct cgroup cg;
};

static struct cgroup_limits *to_free[2];

static int die(struct err *e)
{
	for (int i = 0; i < 2; i++)
		if (to_free[i])
			cgroup_limits_free(to_free[i]);
	fprintf(stderr, "cgtest: error: %s\n", e->msg ? e->msg : "?");
	printf("error=%s\n", e->msg ? e->msg : "?");
	int st = err_exit_status(e);
	err_clear(e);
	return st;
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int start(const struct cgroup_limits *l, char **cmd, bool with_cg, struct ctr *c,
		 struct err *e)
{
	int p[2];
	char id[65];

	c->cg = (struct cgroup)CGROUP_INIT;
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	if (with_cg && getenv("CGTEST_CLONE_INTO")) {
		/* the CLONE_INTO_CGROUP way: create first, then clone3 into it */
		struct clone_args ca = { .exit_signal = SIGCHLD };
		int cfd;
		if (random_hex_id(id, e) < 0 || cgroup_create(l, id, 0, &c->cg, e) < 0)
			return -1;
		cfd = cgroup_clone_fd(&c->cg, e);
		if (cfd < 0)
			return -1;
		ca.flags = CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)cfd;
		c->pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
		close(cfd);
		with_cg = false;
	} else {
		c->pid = fork();
	}
	if (c->pid < 0)
		return err_make(e, errno, "fork");
	if (c->pid == 0) {
		char b;
		close(p[1]);
		if (read(p[0], &b, 1) != 1)
			_exit(125);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	close(p[0]);
	c->syncw = p[1];
	if (!with_cg)
		return 0;
	if (random_hex_id(id, e) < 0 || cgroup_create(l, id, c->pid, &c->cg, e) < 0) {
		close(c->syncw);
		waitpid(c->pid, NULL, 0);
		return -1;
	}
	return 0;
}

static void release(struct ctr *c)
{
	if (write(c->syncw, "x", 1) != 1)
		perror("cgtest: release");
	close(c->syncw);
}

static int finish(struct ctr *c, struct err *e)
{
	int ws = 0, code, oom;

	while (waitpid(c->pid, &ws, 0) < 0 && errno == EINTR)
		;
	code = WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : WEXITSTATUS(ws);
	{
		/* informational, as in the monitor: systemd may already have
		 * removed an empty scope's files */
		struct err oe = ERR_INIT;
		oom = c->cg.dirfd >= 0 ? cgroup_oom_killed(&c->cg, &oe) : 0;
		err_clear(&oe);
	}
	printf("exit=%d\noomkilled=%s\n", code, oom > 0 ? "true" : "false");
	fflush(stdout);
	return cgroup_destroy(&c->cg, e);
}

static int64_t usage(struct ctr *c)
{
	struct cgroup_stats st;
	struct err e = ERR_INIT;

	if (cgroup_stats(&c->cg, &st, &e) < 0) {
		err_clear(&e);
		return -1;
	}
	return st.cpu_usage_usec;
}

static void stop(struct ctr *c, struct err *e)
{
	if (cgroup_kill(&c->cg, e) < 0 || finish(c, e) < 0) {
		printf("stop_error=%s\n", e->msg);
		err_clear(e);
	}
}

/* LIMITS: "--flag value" pairs until a word that is not a flag */
static int parse_limits(char **argv, int *i, struct cgroup_limits *l, struct err *e)
{
	while (argv[*i] && strncmp(argv[*i], "--", 2) == 0 && argv[*i][2]) {
		if (!argv[*i + 1])
			return err_make(e, 0, "%s needs a value", argv[*i]);
		if (cgroup_limit_set(l, argv[*i] + 2, argv[*i + 1], e) < 0)
			return -1;
		*i += 2;
	}
	return cgroup_limits_check(l, e);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* burrow-* cgroups next to where ours was created (the scope's parent for systemd) */
static int leftovers(const char *path, enum cgroup_manager m)
{
	_cleanup_free_ char *dir = xstrdup(path);
	int n = 0;
	DIR *d;
	struct dirent *de;

	for (int up = m == CGM_SYSTEMD ? 2 : 1; up > 0; up--) {
		char *s = strrchr(dir, '/');
		if (s)
			*s = '\0';
	}
	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strncmp(de->d_name, "burrow-", 7) == 0 && strcmp(de->d_name, "burrow-cli") != 0)
			n++;
	closedir(d);
	return n;
}

static int bench(const struct cgroup_limits *l, int n, struct err *e)
{
	char *cmd[] = { (char *)"true", NULL };
	uint64_t *cr = xcalloc((size_t)n, sizeof *cr), *de = xcalloc((size_t)n, sizeof *de);
	uint64_t *base = xcalloc((size_t)n, sizeof *base);
	const char *mgr = "none";

	for (int i = 0; i < n; i++) {
		struct ctr c;
		uint64_t t0 = now_usec(), t1;
		/* without a cgroup: fork, release, reap */
		if (start(l, cmd, false, &c, e) < 0)
			return -1;
		base[i] = now_usec() - t0;
		release(&c);
		waitpid(c.pid, NULL, 0);
		t0 = now_usec();
		if (start(l, cmd, true, &c, e) < 0)
			return -1;
		t1 = now_usec();
		mgr = cgroup_manager_name(c.cg.manager);
		release(&c);
		waitpid(c.pid, NULL, 0);
		cr[i] = t1 - t0;
		t0 = now_usec();
		if (cgroup_destroy(&c.cg, e) < 0)
			return -1;
		de[i] = now_usec() - t0;
	}
	qsort(cr, (size_t)n, sizeof *cr, cmp_u64);
	qsort(de, (size_t)n, sizeof *de, cmp_u64);
	qsort(base, (size_t)n, sizeof *base, cmp_u64);
	printf("manager=%s\nlimits=%s\nruns=%d\n", mgr, cgroup_limits_any(l) ? "yes" : "no", n);
	printf("start_without_us=%" PRIu64 "\nstart_with_median_us=%" PRIu64
	       "\nstart_with_p90_us=%" PRIu64 "\ndestroy_median_us=%" PRIu64 "\n",
	       base[n / 2], cr[n / 2], cr[n * 9 / 10], de[n / 2]);
	printf("added_median_us=%" PRId64 "\n", (int64_t)cr[n / 2] - (int64_t)base[n / 2]);
	free(cr);
	free(de);
	free(base);
	return 0;
}

int main(int argc, char **argv)
{
	struct cgroup_limits l, l2;
	struct err e = ERR_INIT;
	struct ctr c;
	const char *action;
	char **cmd = NULL;
	int i = 1, ret = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	cgroup_limits_init(&l);
	cgroup_limits_init(&l2);
	to_free[0] = &l;
	to_free[1] = &l2;
	if (parse_limits(argv, &i, &l, &e) < 0) {
		cgroup_limits_free(&l);
		return die(&e);
	}
	if (i >= argc) {
		fprintf(stderr, "usage: cgtest [LIMITS] probe|run|cpu|pause|update|stats|cycles|bench "
				"[ARGS] [-- CMD...]\n");
		return 2;
	}
	action = argv[i++];
	for (int j = i; j < argc; j++)
		if (strcmp(argv[j], "--") == 0) {
			cmd = &argv[j + 1];
			argv[j] = NULL;
			break;
		}

	if (strcmp(action, "probe") == 0) {
		struct cg_file f[CG_MAX_FILES];
		unsigned needed;
		enum cgroup_manager m;
		cg_files_free(f, cg_limit_files(&l, f, &needed));
		m = cgroup_probe(needed, &e);
		cgroup_limits_free(&l);
		if (m == CGM_NONE)
			return die(&e);
		printf("manager=%s\n", cgroup_manager_name(m));
		return 0;
	}
	if (strcmp(action, "bench") == 0)
		return bench(&l, i < argc && argv[i] ? atoi(argv[i]) : 50, &e) < 0 ? die(&e) : 0;
	if (!cmd || !cmd[0]) {
		fprintf(stderr, "cgtest: %s needs -- CMD\n", action);
		return 2;
	}
	if (strcmp(action, "update") == 0 && parse_limits(argv, &i, &l2, &e) < 0)
		return die(&e);
	if (strcmp(action, "cycles") == 0) {
		int n = argv[i] ? atoi(argv[i]) : 20, left = 0, stale = 0;
		_cleanup_free_ char *path = NULL;
		enum cgroup_manager m = CGM_NONE;
		for (int k = 0; k < n; k++) {
			if (start(&l, cmd, true, &c, &e) < 0)
				return die(&e);
			free(path);
			path = xstrdup(c.cg.path);
			m = c.cg.manager;
			release(&c);
			if (finish(&c, &e) < 0)
				return die(&e);
			if (access(path, F_OK) == 0)
				stale++;
		}
		/* systemd drops a stopped scope asynchronously: give it 3 s */
		for (int t = 0; t < 30 && (left = leftovers(path, m)) > 0; t++)
			msleep(100);
		printf("manager=%s\nstale_after_destroy=%d\nleftover=%d\n", cgroup_manager_name(m),
		       stale, left);
		return 0;
	}

	if (start(&l, cmd, true, &c, &e) < 0)
		return die(&e);
	printf("manager=%s\ncgroup=%s\n", cgroup_manager_name(c.cg.manager), c.cg.path);
	if (strcmp(action, "run") == 0) {
		release(&c);
		ret = finish(&c, &e);
	} else if (strcmp(action, "update") == 0) {
		ret = cgroup_update(&c.cg, &l2, &e);
		release(&c);
		if (ret == 0)
			ret = finish(&c, &e);
		else
			stop(&c, &e);
	} else if (strcmp(action, "cpu") == 0) {
		int secs = argv[i] ? atoi(argv[i]) : 3;
		int64_t u1, u2;
		uint64_t t1, t2;
		release(&c);
		msleep(1000);
		u1 = usage(&c);
		t1 = now_usec();
		msleep(secs * 1000);
		u2 = usage(&c);
		t2 = now_usec();
		printf("cpu=%.3f\n", (double)(u2 - u1) / (double)(t2 - t1));
		stop(&c, &e);
	} else if (strcmp(action, "pause") == 0) {
		int64_t u0, u1, u2, u3;
		uint64_t t0;
		release(&c);
		msleep(500);
		u0 = usage(&c);
		t0 = now_usec();
		ret = cgroup_freeze(&c.cg, true, 5000, &e);
		printf("freeze_us=%" PRIu64 "\n", now_usec() - t0);
		u1 = usage(&c);
		msleep(1000);
		u2 = usage(&c);
		if (ret == 0)
			ret = cgroup_freeze(&c.cg, false, 5000, &e);
		msleep(1000);
		u3 = usage(&c);
		printf("before_usec=%" PRId64 "\nfrozen_usec=%" PRId64 "\nthawed_usec=%" PRId64 "\n",
		       u1 - u0, u2 - u1, u3 - u2);
		if (ret == 0)
			stop(&c, &e);
	} else if (strcmp(action, "stats") == 0) {
		struct cgroup_stats st;
		pid_t *pids = NULL;
		size_t np = 0;
		release(&c);
		msleep(1000);
		ret = cgroup_stats(&c.cg, &st, &e);
		if (ret == 0)
			ret = cgroup_procs(&c.cg, &pids, &np, &e);
		if (ret == 0) {
			printf("memory_current=%" PRId64 "\nmemory_max=%" PRId64 "\nmemory_peak=%" PRId64
			       "\nanon=%" PRId64 "\ncpu_usage_usec=%" PRId64 "\npids_current=%" PRId64
			       "\npids_max=%" PRId64 "\nio_rbytes=%" PRIu64 "\nprocs=%zu\n",
			       st.memory_current, st.memory_max, st.memory_peak, st.anon,
			       st.cpu_usage_usec, st.pids_current, st.pids_max, st.io.rbytes, np);
			free(pids);
			stop(&c, &e);
		}
	} else {
		fprintf(stderr, "cgtest: unknown action %s\n", action);
		stop(&c, &e);
		return 2;
	}
	cgroup_limits_free(&l);
	cgroup_limits_free(&l2);
	if (ret < 0)
		return die(&e);
	err_clear(&e);
	return 0;
}
