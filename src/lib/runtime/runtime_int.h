/* runtime_int.h - what the files of src/lib/runtime share among themselves
 * (not a public interface: the rest of burrow uses start.h, exec.h,
 * health.h, exitcode.h and the headers of rootfs, rootemu, userns, logfile).
 *
 * The files call one way, from the caller's side down, never back up:
 *
 *   start.c        the caller: clones the supervisor, writes its ID maps
 *      |
 *   supervisor.c   the supervisor: mounts the overlay, starts and restarts
 *      |      \     the init, logs, attach, healthchecks, records the exit
 *      |     health.c   healthchecks, through the exec engine
 *      |         |
 *   init.c     exec.c     the container's PID 1; a command in a running container
 *      |   \     |
 *      |    become.c      become the user, complete the environment, exec
 *      |
 *   msg.c, rootfs.c, rootemu.c, userns.c, logfile.c
 *
 * Each section below names the file that defines it.
 */
#ifndef BURROW_RUNTIME_INT_H
#define BURROW_RUNTIME_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/types.h>

#include "lib/cgroup/cgroup.h"
#include "lib/record/container.h"
#include "lib/base/error.h"
#include "lib/net/net.h"
#include "lib/record/spec.h"
#include "seccomp.h"

/* ---- msg.c: the control protocol -------------------------------------------
 * One SOCK_SEQPACKET message per step between the caller and the supervisor
 * (GO, PID, PTY, ERROR, STARTED, EXIT) and between the supervisor and a
 * starting init (PTY, ERROR). */
enum msg_type { MSG_GO = 1, MSG_PID, MSG_PTY, MSG_ERROR, MSG_STARTED, MSG_EXIT };

struct msg {
	int type;
	int a, b;          /* PID: pid; ERROR: errnum, status; EXIT: wstatus */
	struct winsize ws; /* GO */
	char text[2048];   /* ERROR */
};

/* Send m, passing fd along when it is >= 0. */
int msg_send(int sk, const struct msg *m, int fd);
/* Returns bytes read (0 on EOF); *fd gets a passed descriptor or -1. */
ssize_t msg_recv(int sk, struct msg *m, int *fd);
/* Send e as an ERROR message with the exit status it suggests. */
void msg_send_error(int sk, const struct err *e, int status);
/* Turn a received ERROR message into e; returns -1. */
int msg_error(struct msg *m, struct err *e);

/* ---- become.c: the last steps before exec (the init and exec) ---------------- */
/* Drop the bounding set to caps, set the groups, gid and uid of u, then the
 * capabilities (kept only for uid 0).  single: only one id is mapped. */
int become_user(uint64_t caps, bool single, const struct user_spec *u, struct err *e);
/* PATH, HOSTNAME, HOME, TERM (tty) and container=burrow unless set. */
void become_finalize_env(char ***env, const char *hostname, bool tty, const struct user_spec *u);
/* execve along the environment's PATH; returns the errno that decides 126/127 */
int become_exec_in_path(char **argv, char **env);

/* ---- the supervisor's state (supervisor.c, init.c) ------------------------------- */
struct supervisor {
	const struct container_spec *s;
	struct msg go; /* the terminal size for each init */
	int sk;        /* to the caller; -1 once a detached caller has left */
	pid_t init;    /* host pid of the current init, 0 when none */
	unsigned long long init_start;
	int alive; /* write end the init watches for the supervisor's death */
	pid_t fuse_pid;
	int out, err;          /* -d without -t: read ends of the init's stdout/stderr */
	int ptmx;              /* -d -t: the pty master */
	struct cgroup cg;      /* the container's cgroup (the init is cloned into it), or CGROUP_INIT */
	struct net_helper net; /* slirp4netns: burrow-net for the current init */
	int netns;             /* container:ID: ID's net namespace for each init, else -1 */
	int shared_netns;      /* networks: the shared net namespace (netns.h), else -1 */
	int hold;              /* networks: the connection that keeps it, else -1 */
	int *fwd_ids;          /* networks: the published ports' forwards (netns_publish) */
	size_t nfwd;
	/* the container's filter (seccomp.h), len 0: none */
	struct seccomp_prog seccomp;
};

/* ---- init.c: the container's init -------------------------------------------- */
/* Spawn burrow-net (slirp4netns) for the next init: it sets up and binds
 * the published ports, then waits for supervisor_start_init to attach it. */
int supervisor_spawn_net(struct supervisor *m, struct err *e);
/* Clone a new container init over the mounted overlay.  Returns once it
 * exec'd; fills m->init, m->out/err or m->ptmx (or, attached, passes the
 * pty master on to the caller). */
int supervisor_start_init(struct supervisor *m, struct err *e);

/* ---- supervisor.c: the supervisor process ------------------------------------- */
/* The supervisor's whole life, in the process start.c clones into a new user
 * and mount namespace (or, container:ID, with nsfd: ID's user and net
 * namespaces).  sk: the control socket to the caller, parent: the caller's
 * pid.  Exits when the container is done for good. */
__attribute__((noreturn)) void supervisor_main(const struct container_spec *s, int sk, pid_t parent,
					       int nsfd[3]);

/* ---- exec.c: joining a running container ------------------------------------
 * Move the calling single-threaded process into the namespaces of init
 * (user first, then mnt, pid, uts, ipc, net, cgroup; those it shares are
 * skipped) and, where it may, into init's cgroup. */
int exec_join(pid_t init, struct err *e);

#endif
