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
 *   msg.c, rootfs.c, rootemu.c, userns.c, logfile.c, nsjoin.c
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
#include "idshift.h"
#include "netns.h"
#include "rootfs.h"
#include "seccomp.h"

/* ---- msg.c: the control protocol -------------------------------------------
 * One SOCK_SEQPACKET message per step between the caller and the supervisor
 * (GO, PID, PTY, ERROR, STARTED, EXIT; DETACH: an attached caller leaves and
 * hands the pty master back, the supervisor answers DETACH once it no longer
 * depends on the caller) and between the supervisor and a
 * starting init (PTY, ERROR). */
enum msg_type { MSG_GO = 1, MSG_PID, MSG_PTY, MSG_ERROR, MSG_STARTED, MSG_EXIT, MSG_DETACH };

struct msg {
	int type;
	int a, b;          /* PID: pid; ERROR: errnum, status; EXIT: wstatus;
			    * GO: cgroup manager, GO_PREP_AFTER or 0 */
	struct winsize ws; /* GO */
	char text[2048];   /* ERROR */
};

/* In an early GO's b (start.c): the caller makes the container's
 * directories and files after the clone, and sends a second GO when they
 * are there, which the supervisor waits for before it uses them. */
#define GO_PREP_AFTER 1

/* Send m, passing fd along when it is >= 0. */
int msg_send(int sk, const struct msg *m, int fd);
/* Returns bytes read (0 on EOF); *fd gets a passed descriptor or -1. */
ssize_t msg_recv(int sk, struct msg *m, int *fd);
/* One byte on a stream socket, with fd (>= 0) or without */
int msg_send_fd(int sk, int fd);
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

/* ---- hooks.c: OCI hooks (lib/record/hookspec.h) ----------------------------------
 * Run s's hooks of kind (createRuntime runs the prestart ones first) with the
 * state JSON for the point the kind names; pid is the init's host pid.  A
 * failure of any kind but poststart and poststop stops there and returns -1
 * naming the hook; those two only warn, as the OCI runtime spec has it. */
int hooks_run(const struct container_spec *s, enum hook_kind kind, pid_t pid, struct err *e);
/* The OCI state JSON (malloc'd); pid 0 leaves it out. */
char *hooks_state_json(const struct container_spec *s, const char *status, pid_t pid);
/* With hooks, <rundir>/config.json: a minimal OCI config naming the rootfs
 * (root.path), the process and the hostname, which hooks that read the
 * bundle (as NVIDIA's nvidia-ctk hooks do) need. */
int hooks_write_bundle(const struct container_spec *s, struct err *e);

/* ---- nsjoin.c: namespaces of other containers ----------------------------------
 * --network/--pid/--ipc/--uts container:ID: the target's namespaces, and the
 * user namespace that owns them (-1 where not joined). */
struct ns_fds {
	int user, net, pid, ipc, uts;
	int ipc_mnt;    /* --ipc container:ID: the mount namespace of ID's init, for its /dev/shm */
	int shared_net; /* networks: the shared net namespace (netns.h) */
	int hold;       /* networks: the connection that keeps it */
};
#define NS_FDS_INIT \
	{ \
		-1, -1, -1, -1, -1, -1, -1, -1 \
	}
/* Does s join namespaces of another container, or the networks'? */
bool ns_join_wanted(const struct container_spec *s);
/* Open them (O_CLOEXEC): each target must be running (else e->status 125)
 * and all in one user namespace; f->user is -1 when that is ours. */
int ns_fds_open(const struct container_spec *s, struct ns_fds *f, struct err *e);
void ns_fds_close(struct ns_fds *f);
/* A detached copy (open_tree) of the /dev/shm in the mount namespace mntns,
 * made by a short-lived child that enters it; an fd, or -1. */
int ns_shm_clone(int mntns, struct err *e);

/* ---- the supervisor's state (supervisor.c, init.c) ------------------------------- */
struct supervisor {
	const struct container_spec *s;
	struct msg go; /* the terminal size for each init */
	int sk;        /* to the caller; -1 once a detached caller has left */
	bool detached; /* -d, or the attached caller detached (MSG_DETACH) */
	pid_t init;    /* host pid of the current init, 0 when none */
	unsigned long long init_start;
	int alive;               /* write end the init watches for the supervisor's death */
	int init_mnt;            /* late teardown: the init's mount namespace, held, else -1 */
	struct rootfs_fuse fuse; /* rootfs.h */
	int out, err;            /* -d without -t: read ends of the init's stdout/stderr */
	int ptmx;                /* -d -t: the pty master */
	int in; /* -d -i without -t: the write end of the init's stdin (attach passes it on), else -1 */
	struct cgroup cg;      /* the container's cgroup (the init is cloned into it), or CGROUP_INIT */
	struct net_helper net; /* slirp4netns: burrow-net for the current init */
	/* container:ID: ID's namespaces for each init (the user namespace is
	 * joined by the supervisor itself), else -1 */
	struct ns_fds join;
	int preserve_fds;         /* --preserve-fds for the first init only, then 0 */
	int shared_netns;         /* networks: the shared net namespace (netns.h), else -1 */
	int hold;                 /* networks: the connection that keeps it, else -1 */
	struct netns_early early; /* networks: the first init's attach, begun early (netns.h) */
	int *fwd_ids;             /* networks: the published ports' forwards (netns_publish) */
	size_t nfwd;
	/* the container's filter (seccomp.h), len 0: none */
	struct seccomp_prog seccomp;
	struct idshift_etc etc; /* keep-id's passwd and group for each init (idshift.h) */
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
/* Record the init's exit (wstatus) in state.json, final when the
 * supervisor ends; true when stop/kill/rm asked for no restart. */
bool supervisor_record_exit(struct supervisor *m, int wstatus, bool final);

/* ---- teardown.c: the end of a container ------------------------------------- */
/* Does the teardown come after the exit status (run --rm, attached)? */
bool supervisor_late_teardown(const struct supervisor *m);
/* Stop the network, remove the runroot entry, record the exit (or remove
 * the container with --rm).  *gone (late teardown): the moved record
 * directory that supervisor_cleanup_late removes, else NULL. */
void supervisor_cleanup(struct supervisor *m, int wstatus, char **gone);
/* After the exit status went out (late teardown): the rest. */
void supervisor_cleanup_late(struct supervisor *m, char *gone);
/* The supervisor's whole life, in the process start.c clones into a new user
 * and mount namespace (or, container:ID, with join: ID's user namespace and
 * the namespaces to join; the supervisor takes them).  sk: the control
 * socket to the caller, parent: the caller's pid; go: the GO message when
 * the caller had it before the clone (start.c), else NULL: wait for it.
 * Exits when the container is done for good. */
__attribute__((noreturn)) void supervisor_main(const struct container_spec *s, int sk, pid_t parent,
					       struct ns_fds *join, const struct msg *go);

/* ---- exec.c: joining a running container ------------------------------------
 * Move the calling single-threaded process into the namespaces of init
 * (user first, then mnt, pid, uts, ipc, net, cgroup; those it shares are
 * skipped) and, where it may, into init's cgroup. */
int exec_join(pid_t init, struct err *e);

#endif
