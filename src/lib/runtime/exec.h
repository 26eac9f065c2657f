/* exec.h - running a command inside a running container (burrow exec, and
 * healthchecks from the supervisor or `burrow healthcheck run`).
 *
 * exec_join() moves the calling (single-threaded) process into the
 * namespaces of the container's init: user first (the caller owns it; a
 * supervisor is already inside and skips it), then mnt, pid, uts, ipc, net
 * and cgroup, skipping any it already shares (--network host).  Joining the
 * PID namespace only affects children, so the caller then forks and the
 * child calls exec_child(), which is PID N inside the container.
 */
#ifndef BURROW_EXEC_H
#define BURROW_EXEC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/record/container.h"
#include "lib/base/error.h"

struct exec_opts {
	char **argv;
	char **env;              /* the container's, with -e applied */
	const char *workdir;
	const char *user;        /* NULL = root */
	const char *hostname;
	uint64_t caps;
	bool tty;
	int pts;                 /* -t: the terminal's peer, opened after the join; else -1 */
};

int exec_join(pid_t init, struct err *e);
/* In the forked child: become the user, chdir and exec.  On failure the
 * error goes to errfd (err_send) and the child exits 125, 126 or 127. */
__attribute__((noreturn)) void exec_child(const struct exec_opts *o, int errfd);

/* Health probes. */
struct health_result {
	int exit_code;           /* -1: timed out or could not run */
	char *output;            /* at most 4 KiB */
	char start[48], end[48];
};
/* Run s->health.test in the container (fork, join, exec), waiting at most
 * the probe's timeout. */
int health_probe(const struct container_spec *s, pid_t init, struct health_result *r, struct err *e);
/* Record a result in state.json (Status, FailingStreak, the last 5 Log
 * entries).  in_start_period: failures do not count yet.  Returns the new
 * status name ("healthy", "unhealthy", "starting") in *status (static). */
int health_record(const char *ctrdir, const struct container_spec *s, const struct health_result *r,
		  bool in_start_period, const char **status, struct err *e);
void health_result_free(struct health_result *r);

#endif
