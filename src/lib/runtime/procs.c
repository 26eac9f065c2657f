/* procs.c - see procs.h */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procs.h"
#include "lib/base/util.h"

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
static bool read_proc(int pid, const char *map, struct ctr_proc *pr)
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

int ctr_procs(pid_t init, const pid_t *pids, size_t npids, struct ctr_proc **v, size_t *n)
{
	_cleanup_free_ char *map = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	struct stat nsst;
	char path[64];

	*v = NULL;
	*n = 0;
	snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)init);
	if (stat(path, &nsst) < 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/uid_map", (int)init);
	map = read_small(path, NULL);
	if (pids) {
		for (size_t i = 0; i < npids; i++) {
			struct ctr_proc pr;
			if (!read_proc((int)pids[i], map, &pr))
				continue;
			*v = xrealloc(*v, (*n + 1) * sizeof **v);
			(*v)[(*n)++] = pr;
		}
		return 0;
	}
	d = opendir("/proc");
	while (d && (de = readdir(d))) {
		struct stat st;
		struct ctr_proc pr;
		char sp[300];
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(sp, sizeof sp, "/proc/%s/ns/pid", de->d_name);
		if (stat(sp, &st) < 0 || st.st_ino != nsst.st_ino || st.st_dev != nsst.st_dev)
			continue;
		if (!read_proc(atoi(de->d_name), map, &pr))
			continue;
		*v = xrealloc(*v, (*n + 1) * sizeof **v);
		(*v)[(*n)++] = pr;
	}
	return 0;
}

void ctr_procs_free(struct ctr_proc *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].cmd);
	free(v);
}

int ctr_proc_ppid(const struct ctr_proc *v, size_t n, const struct ctr_proc *p)
{
	for (size_t k = 0; k < n; k++)
		if (v[k].pid == p->ppid)
			return v[k].nspid;
	return 0;
}

double ctr_procs_uptime(void)
{
	_cleanup_free_ char *up = read_small("/proc/uptime", NULL);

	return up ? strtod(up, NULL) : 0;
}
