/* cgtest.c - drives src/lib/cgroup/cgroup.h the way run/supervisor will, for the
 * cgroup tests (tests/vm/cgroup.t, tests/integration/cgroup-host.t) and
 * bench/cgroup, until `burrow run` takes the limit flags.
 *
 *   cgtest [LIMITS] ACTION [ARGS] [-- CMD...]
 *
 * LIMITS are burrow run's flags (--memory 64m, --cpus 0.5, ...).  As in
 * burrow run, a child (the keeper) plays the supervisor's part: it is the
 * supervisor cgroup_create places outside the container's cgroup (on the
 * systemd path it keeps the scope, and memory.events, alive until the
 * result is read), and once the cgroup is ready and set up it clones CMD
 * into it (cgroup_clone; CGTEST_MIGRATE=1: fork, then cgroup_enter) and
 * reports its exit.  Results are printed as key=value lines for the shell
 * to check.
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/cgroup/cgroup.h"
#include "lib/base/util.h"

struct ctr {
	pid_t keeper; /* the supervisor, outside the container's cgroup */
	int ctlw;     /* to the keeper: the cgroup's path to start; EOF ends it */
	int resr;     /* from the keeper: the workload's pid, then its wait status */
	struct cgroup cg;
	uint64_t fork_us;   /* forking the keeper */
	uint64_t create_us; /* cgroup_create */
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

/* The keeper: on "PATH\n" it clones the workload into that cgroup (or
 * forks it, for an empty line), reports its pid and wait status, then
 * waits for EOF.  It plays the supervisor's part. */
static __attribute__((noreturn)) void keeper_main(int ctl, int res, char **cmd)
{
	char path[4096];
	size_t len = 0;
	struct cgroup cg = CGROUP_INIT;
	struct err e = ERR_INIT;
	int ws = 0;
	pid_t w;

	while (len < sizeof path - 1) {
		ssize_t n = read(ctl, path + len, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != 1)
			_exit(125);
		if (path[len] == '\n')
			break;
		len++;
	}
	path[len] = '\0';
	if (len && cgroup_open(path, CGM_NONE, NULL, &cg, &e) < 0) {
		fprintf(stderr, "cgtest: keeper: %s\n", e.msg);
		_exit(125);
	}
	if (len && getenv("CGTEST_MIGRATE")) {
		/* the old way: fork, then move the running process */
		w = fork();
		if (w > 0 && cgroup_enter(&cg, w, &e) < 0) {
			fprintf(stderr, "cgtest: keeper: %s\n", e.msg);
			kill(w, SIGKILL);
		}
	} else {
		w = len ? cgroup_clone(&cg, 0, &e) : fork();
	}
	if (w == 0) {
		if (e.msg) {
			fprintf(stderr, "cgtest: workload: %s\n", e.msg);
			_exit(125);
		}
		execvp(cmd[0], cmd);
		_exit(127);
	}
	if (w < 0)
		_exit(125);
	if (write(res, &w, sizeof w) != (ssize_t)sizeof w)
		_exit(125);
	while (waitpid(w, &ws, 0) < 0 && errno == EINTR)
		;
	if (write(res, &ws, sizeof ws) != (ssize_t)sizeof ws)
		_exit(125);
	while (read(ctl, path, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

static void end_keeper(struct ctr *c)
{
	if (c->keeper <= 0)
		return;
	close(c->ctlw);
	close(c->resr);
	while (waitpid(c->keeper, NULL, 0) < 0 && errno == EINTR)
		;
	c->keeper = 0;
}

static int start(const struct cgroup_limits *l, char **cmd, bool with_cg, struct ctr *c, struct err *e)
{
	int ctl[2], res[2];
	char id[65];
	uint64_t t0 = now_usec();

	c->cg = (struct cgroup)CGROUP_INIT;
	c->create_us = 0;
	if (pipe2(ctl, O_CLOEXEC) < 0 || pipe2(res, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	c->keeper = fork();
	if (c->keeper < 0)
		return err_make(e, errno, "fork");
	if (c->keeper == 0) {
		close(ctl[1]);
		close(res[0]);
		keeper_main(ctl[0], res[1], cmd);
	}
	close(ctl[0]);
	close(res[1]);
	c->ctlw = ctl[1];
	c->resr = res[0];
	c->fork_us = now_usec() - t0;
	if (!with_cg)
		return 0;
	t0 = now_usec();
	if (random_hex_id(id, e) < 0 || cgroup_create(l, id, c->keeper, &c->cg, e) < 0) {
		end_keeper(c);
		return -1;
	}
	c->create_us = now_usec() - t0;
	return 0;
}

/* the keeper starts the workload (in the cgroup, if there is one) */
static void release(struct ctr *c)
{
	char *line = xasprintf("%s\n", c->cg.path ? c->cg.path : "");

	if (write(c->ctlw, line, strlen(line)) != (ssize_t)strlen(line))
		perror("cgtest: release");
	free(line);
}

/* the workload's wait status from the keeper; -1 if it failed */
static int wait_workload(struct ctr *c)
{
	pid_t w;
	int ws;

	if (read(c->resr, &w, sizeof w) != (ssize_t)sizeof w ||
	    read(c->resr, &ws, sizeof ws) != (ssize_t)sizeof ws)
		return -1;
	return ws;
}

static int finish(struct ctr *c, struct err *e)
{
	int ws = wait_workload(c), code, oom;

	code = ws < 0 ? 125 : WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : WEXITSTATUS(ws);
	{
		/* the keeper, the supervisor, is still there: on the systemd
		 * path its scope, and memory.events, are too */
		struct err oe = ERR_INIT;
		oom = c->cg.dirfd >= 0 ? cgroup_oom_killed(&c->cg, &oe) : 0;
		if (oom < 0)
			printf("oom_error=%s\n", oe.msg);
		err_clear(&oe);
	}
	printf("exit=%d\noomkilled=%s\n", code, oom > 0 ? "true" : "false");
	fflush(stdout);
	code = cgroup_destroy(&c->cg, e);
	end_keeper(c);
	return code;
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
		uint64_t t0;
		/* without a cgroup: fork the keeper (the supervisor's part), start, reap */
		if (start(l, cmd, false, &c, e) < 0)
			return -1;
		base[i] = c.fork_us;
		release(&c);
		wait_workload(&c);
		end_keeper(&c);
		/* with one: the same plus cgroup_create; the workload is cloned
		 * straight into it (CLONE_INTO_CGROUP), as the supervisor does */
		if (start(l, cmd, true, &c, e) < 0)
			return -1;
		cr[i] = c.fork_us + c.create_us;
		mgr = cgroup_manager_name(c.cg.manager);
		release(&c);
		wait_workload(&c);
		t0 = now_usec();
		if (cgroup_destroy(&c.cg, e) < 0)
			return -1;
		de[i] = now_usec() - t0;
		end_keeper(&c);
	}
	qsort(cr, (size_t)n, sizeof *cr, cmp_u64);
	qsort(de, (size_t)n, sizeof *de, cmp_u64);
	qsort(base, (size_t)n, sizeof *base, cmp_u64);
	printf("manager=%s\nlimits=%s\nruns=%d\n", mgr, cgroup_limits_any(l) ? "yes" : "no", n);
	printf("start_without_us=%" PRIu64 "\nstart_with_median_us=%" PRIu64 "\nstart_with_p90_us=%" PRIu64
	       "\ndestroy_median_us=%" PRIu64 "\n",
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
		printf("manager=%s\nstale_after_destroy=%d\nleftover=%d\n", cgroup_manager_name(m), stale,
		       left);
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
		printf("before_usec=%" PRId64 "\nfrozen_usec=%" PRId64 "\nthawed_usec=%" PRId64 "\n", u1 - u0,
		       u2 - u1, u3 - u2);
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
			       st.memory_current, st.memory_max, st.memory_peak, st.anon, st.cpu_usage_usec,
			       st.pids_current, st.pids_max, st.io.rbytes, np);
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
