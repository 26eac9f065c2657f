/* spawn_int.h - what spawn.c shares with supervisor.c and exec.c (not a public
 * interface: the CLI uses spawn.h, exec.h and state.h). */
#ifndef BURROW_SPAWN_INT_H
#define BURROW_SPAWN_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/types.h>

#include "lib/cgroup/cgroup.h"
#include "lib/record/container.h"
#include "lib/base/error.h"
#include "lib/net/net.h"
#include "lib/record/spec.h"

enum msg_type { MSG_GO = 1, MSG_PID, MSG_PTY, MSG_ERROR, MSG_STARTED, MSG_EXIT };

struct msg {
	int type;
	int a, b;            /* PID: pid; ERROR: errnum, status; EXIT: wstatus */
	struct winsize ws;   /* GO */
	char text[2048];     /* ERROR */
};

int msg_send(int sk, const struct msg *m, int fd);
/* Returns bytes read (0 on EOF); *fd gets a passed descriptor or -1. */
ssize_t msg_recv(int sk, struct msg *m, int *fd);

/* Shared by the container init and exec. */
int spawn_become_user(uint64_t caps, bool single, const struct user_spec *u, struct err *e);
void spawn_finalize_env(char ***env, const char *hostname, bool tty, const struct user_spec *u);
/* execve along the environment's PATH; returns the errno that decides 126/127 */
int spawn_exec_in_path(char **argv, char **env);

/* The supervisor, which is the supervisor (see supervisor.c). */
struct supervisor {
	const struct container_spec *s;
	struct msg go;             /* the terminal size for each init */
	int sk;                    /* to the caller; -1 once a detached caller has left */
	pid_t init;                /* host pid of the current init, 0 when none */
	unsigned long long init_start;
	int alive;                 /* write end the init watches for the supervisor's death */
	pid_t fuse_pid;
	int out, err;              /* -d without -t: read ends of the init's stdout/stderr */
	int ptmx;                  /* -d -t: the pty master */
	struct cgroup cg;          /* the container's cgroup (the init is cloned into it), or CGROUP_INIT */
	struct net_helper net;     /* slirp4netns: burrow-net for the current init */
	int netns;                 /* container:ID: ID's net namespace for each init, else -1 */
};

/* Clone a new container init over the mounted overlay.  Returns once it
 * exec'd; fills m->init, m->out/err or m->ptmx (or, attached, passes the
 * pty master on to the caller). */
int supervisor_start_init(struct supervisor *m, struct err *e);
/* supervisor.c: record the start, then supervise until the container is done
 * for good (restart policy included); returns the last raw wait status. */
void supervisor_record_start(struct supervisor *m, bool restart);
int supervisor_run(struct supervisor *m);
/* Unmount, stop fuse-overlayfs, remove the runroot entry, record the exit
 * (or remove the container with --rm). */
void supervisor_cleanup(struct supervisor *m, int wstatus);

#endif
