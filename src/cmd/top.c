/* top.c - burrow top: the container's processes, ps-style, with the PIDs
 * they have inside the container.  A container with a cgroup lists the
 * processes of its cgroup.procs (every process of the container, and only
 * those); one without is scanned for in /proc by PID namespace. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "lib/cgroup/cgroup.h"
#include "lib/base/util.h"
#include "lib/runtime/procs.h"

enum { O_HELP = 1 };
static const struct opt top_opts[] = {
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* the host pids of the container's cgroup.procs; false without a cgroup */
static bool cgroup_pids(const struct ctr *c, pid_t **pids, size_t *n)
{
	struct cgroup cg = CGROUP_INIT;
	struct err e = ERR_INIT;
	bool ok;

	if (!c->st.cgroup[0])
		return false;
	ok = ctr_cgroup_open(&c->st, &cg, &e) == 0 && cgroup_procs(&cg, pids, n, &e) == 0;
	err_clear(&e);
	cgroup_close(&cg);
	return ok;
}

CMD_DECL(top)
{
	struct optparser p;
	struct ctr c;
	struct stat nsst;
	char path[64];
	struct ctr_proc *v = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0, npids = 0;
	long hz = sysconf(_SC_CLK_TCK);
	double uptime = ctr_procs_uptime();
	int id;

	opt_init(&p, top_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		if (id == O_HELP) {
			opt_print_help(stdout, "top", "CONTAINER",
				       "Show the processes of a running container.", top_opts);
			return 0;
		}
		goto usage;
	}
	if (argc - p.idx < 1) {
		err_make(e, 0, "\"burrow top\" requires at least 1 argument: a container");
		goto usage;
	}
	if (argc - p.idx > 1) {
		err_make(e, 0, "burrow top does not take ps format descriptors yet");
		goto usage;
	}
	if (ctr_load(g, argv[p.idx], &c, e) < 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/ns/pid", c.st.pid);
	if (!ctr_running(&c) || !proc_alive(c.st.pid, c.st.pid_start) || stat(path, &nsst) < 0) {
		ctr_free(&c);
		return err_make(e, 0, "top can only be used on running containers: container state improper");
	}
	if (cgroup_pids(&c, &pids, &npids))
		ctr_procs(c.st.pid, pids, npids, &v, &n);
	else
		ctr_procs(c.st.pid, NULL, 0, &v, &n);
	printf("%-10s %-8s %-8s %-10s %-10s %s\n", "USER", "PID", "PPID", "ELAPSED", "TIME", "COMMAND");
	for (size_t i = 0; i < n; i++) {
		int ppid_ns = ctr_proc_ppid(v, n, &v[i]);
		long el = (long)(uptime - (double)v[i].start / (double)hz);
		long cpu = (long)(v[i].utime / (unsigned long long)hz);
		char el_s[32], cpu_s[32];
		snprintf(el_s, sizeof el_s, "%ldm%02lds", el / 60, el % 60);
		snprintf(cpu_s, sizeof cpu_s, "%02ld:%02ld:%02ld", cpu / 3600, cpu / 60 % 60, cpu % 60);
		printf("%-10lu %-8d %-8d %-10s %-10s %s\n", v[i].uid, v[i].nspid, ppid_ns, el_s, cpu_s,
		       v[i].cmd);
	}
	ctr_procs_free(v, n);
	ctr_free(&c);
	return 0;
usage:
	return err_mark_usage(e);
}
