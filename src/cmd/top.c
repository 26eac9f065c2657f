/* top.c - burrow top: the container's processes, ps-style, with the PIDs
 * they have inside the container.  A container with a cgroup lists the
 * processes of its cgroup.procs (every process of the container, and only
 * those); one without is scanned for in /proc by PID namespace. */
#include <dirent.h>
#include <fcntl.h>
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

enum { O_HELP = 1 };
static const struct opt top_opts[] = {
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

struct proc {
	int pid, nspid, ppid;
	unsigned long uid;
	unsigned long long start, utime;
	char *cmd;
};

/* /proc files report size 0: read until EOF */
static char *read_small(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *txt;
	ssize_t n;

	if (fd < 0)
		return NULL;
	txt = xmalloc(65536);
	n = read_all(fd, txt, 65535);
	close(fd);
	if (n < 0) {
		free(txt);
		return NULL;
	}
	txt[n] = '\0';
	if (len)
		*len = (size_t)n;
	return txt;
}

/* the container's view of a host uid, via the init's uid_map */
static unsigned long inner_uid(const char *map, unsigned long host)
{
	const char *p = map;
	while (p && *p) {
		unsigned long in, out, cnt;
		if (sscanf(p, "%lu %lu %lu", &in, &out, &cnt) == 3 && host >= out && host < out + cnt)
			return in + (host - out);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return host;
}

/* one process (host pid) into v; false if it is gone */
static bool read_proc(int pid, const char *map, struct proc *pr)
{
	_cleanup_free_ char *status = NULL, *stat_txt = NULL, *cmdline = NULL;
	size_t clen = 0;
	const char *q;
	char sp[64];

	memset(pr, 0, sizeof *pr);
	pr->pid = pid;
	snprintf(sp, sizeof sp, "/proc/%d/status", pid);
	status = read_small(sp, NULL);
	if (!status)
		return false;
	q = strstr(status, "\nNSpid:");
	if (q) {
		const char *endl = strchr(q + 1, '\n');
		const char *last = q + 7;
		for (const char *r = q + 7; endl && r < endl; r++)
			if (*r == '\t' || *r == ' ')
				last = r + 1;
		pr->nspid = atoi(last);
	}
	q = strstr(status, "\nUid:");
	if (q)
		pr->uid = inner_uid(map, strtoul(q + 5, NULL, 10));
	snprintf(sp, sizeof sp, "/proc/%d/stat", pid);
	stat_txt = read_small(sp, NULL);
	if (stat_txt && (q = strrchr(stat_txt, ')'))) {
		unsigned long long f[24];
		int k = 0;
		const char *r = q + 4; /* past ") S " */
		memset(f, 0, sizeof f);
		while (k < 20 && r && *r) {
			f[k++] = strtoull(r, NULL, 10);
			r = strchr(r, ' ');
			if (r)
				r++;
		}
		pr->ppid = (int)f[0];
		pr->utime = f[10] + f[11];
		pr->start = f[18];
	}
	snprintf(sp, sizeof sp, "/proc/%d/cmdline", pid);
	cmdline = read_small(sp, &clen);
	if (cmdline && clen) {
		for (size_t k = 0; k + 1 < clen; k++)
			if (cmdline[k] == '\0')
				cmdline[k] = ' ';
		pr->cmd = xstrdup(cmdline);
	} else {
		pr->cmd = xstrdup("");
	}
	return true;
}

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
	_cleanup_free_ char *map = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	struct proc *v = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0, npids = 0;
	long hz = sysconf(_SC_CLK_TCK);
	double uptime = 0;
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
	snprintf(path, sizeof path, "/proc/%d/uid_map", c.st.pid);
	map = read_small(path, NULL);
	{
		_cleanup_free_ char *up = read_small("/proc/uptime", NULL);
		if (up)
			uptime = strtod(up, NULL);
	}
	if (cgroup_pids(&c, &pids, &npids)) {
		for (size_t i = 0; i < npids; i++) {
			struct proc pr;
			if (!read_proc((int)pids[i], map, &pr))
				continue;
			v = xrealloc(v, (n + 1) * sizeof *v);
			v[n++] = pr;
		}
	} else {
		d = opendir("/proc");
		while (d && (de = readdir(d))) {
			struct stat st;
			struct proc pr;
			char sp[300];
			if (de->d_name[0] < '1' || de->d_name[0] > '9')
				continue;
			snprintf(sp, sizeof sp, "/proc/%s/ns/pid", de->d_name);
			if (stat(sp, &st) < 0 || st.st_ino != nsst.st_ino || st.st_dev != nsst.st_dev)
				continue;
			if (!read_proc(atoi(de->d_name), map, &pr))
				continue;
			v = xrealloc(v, (n + 1) * sizeof *v);
			v[n++] = pr;
		}
	}
	printf("%-10s %-8s %-8s %-10s %-10s %s\n", "USER", "PID", "PPID", "ELAPSED", "TIME", "COMMAND");
	for (size_t i = 0; i < n; i++) {
		int ppid_ns = 0;
		long el = (long)(uptime - (double)v[i].start / (double)hz);
		long cpu = (long)(v[i].utime / (unsigned long long)hz);
		char el_s[32], cpu_s[32];
		for (size_t k = 0; k < n; k++)
			if (v[k].pid == v[i].ppid)
				ppid_ns = v[k].nspid;
		snprintf(el_s, sizeof el_s, "%ldm%02lds", el / 60, el % 60);
		snprintf(cpu_s, sizeof cpu_s, "%02ld:%02ld:%02ld", cpu / 3600, cpu / 60 % 60, cpu % 60);
		printf("%-10lu %-8d %-8d %-10s %-10s %s\n", v[i].uid, v[i].nspid, ppid_ns, el_s, cpu_s,
		       v[i].cmd);
		free(v[i].cmd);
	}
	free(v);
	ctr_free(&c);
	return 0;
usage:
	return err_mark_usage(e);
}
