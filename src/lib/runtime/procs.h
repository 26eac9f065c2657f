/* procs.h - the processes of a running container, as top shows them: host
 * and container PIDs, the parent, the user as the container sees it, start
 * and CPU times, the command line. */
#ifndef BURROW_PROCS_H
#define BURROW_PROCS_H

#include <stddef.h>
#include <sys/types.h>

struct ctr_proc {
	int pid, nspid, ppid;            /* host pid, pid inside the container, host parent */
	unsigned long uid;               /* the container's view (the init's uid_map) */
	unsigned long long start, utime; /* clock ticks: since boot; user+system */
	char *cmd;
};

/* The processes of pids (the container's cgroup.procs), or with pids NULL
 * every process in the PID namespace of init.  -1 when init has no PID
 * namespace to read (it is gone). */
int ctr_procs(pid_t init, const pid_t *pids, size_t npids, struct ctr_proc **v, size_t *n);
void ctr_procs_free(struct ctr_proc *v, size_t n);
/* seconds since boot (/proc/uptime), 0 if unknown */
double ctr_procs_uptime(void);
/* the PID of p's parent inside the container (0: outside it) */
int ctr_proc_ppid(const struct ctr_proc *v, size_t n, const struct ctr_proc *p);

#endif
