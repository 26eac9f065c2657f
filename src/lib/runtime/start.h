/* start.h - starting a container, from the caller's side (start.c).
 *
 * Three processes take part:
 *   the caller (the CLI, or the builder for a RUN step);
 *   the supervisor (supervisor.c), cloned into a new user + mount
 *     namespace: the caller writes its ID maps (newuidmap/newgidmap at
 *     once) while it waits on the control socket; it then mounts the
 *     overlay (kernel, or fuse-overlayfs as its own child) and clones
 *   the container init (init.c), in new PID, mount, UTS, IPC, cgroup and
 *     (unless --network host) net namespaces.  It builds the rootfs, pivots,
 *     drops capabilities, sets no_new_privs and execs the command as PID 1.
 * The supervisor keeps the overlay and reports the init's exit status; it
 * exists so that fuse-overlayfs lives outside the container's PID
 * namespace and is torn down with it.  Errors before exec travel back as
 * (errno, status, message) on the control socket (msg.c).
 */
#ifndef BURROW_START_H
#define BURROW_START_H

#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/types.h>

#include "lib/record/container.h"
#include "lib/base/error.h"

struct container_proc {
	pid_t supervisor; /* host pid of the supervisor */
	pid_t init;       /* host pid of the container's PID 1 */
	int sk;           /* control socket to the supervisor */
	int ptmx;         /* pty master for -t, else -1 */
	bool exited;
	int wstatus; /* raw wait status of the init, once exited */
};

/* Start s; returns once the command was exec'd, or -1 with the child's
 * error (e->status 125, 126 or 127).  ws is the terminal size for -t.
 * prep (optional) runs while newuidmap/newgidmap write the maps: the supervisor
 * waits for both before it touches the container's directories. */
int container_start(const struct container_spec *s, const struct winsize *ws,
		    int (*prep)(void *arg, struct err *e), void *prep_arg, struct container_proc *p,
		    struct err *e);
/* Read one message from p->sk (call when it is readable).  Sets p->exited
 * and p->wstatus on the exit message.  Returns the message's type (0 at
 * EOF), or -1 on a broken socket or an error message. */
int container_handle_msg(struct container_proc *p, struct err *e);
/* An attached caller leaves a running container (--detach-keys): hand the
 * pty master back to the supervisor, which goes on as with -d, and wait
 * for its answer.  0: detached (the caller may exit), 1: the container
 * exited first, -1: error. */
int container_detach(struct container_proc *p, struct err *e);
/* Block until the container exits; returns its exit code (0-255, 128+N). */
int container_wait(struct container_proc *p, struct err *e);
/* Close the control fds and reap the supervisor. */
void container_proc_close(struct container_proc *p);
/* Close the control fds and leave the supervisor to finish exiting on its own
 * (it already reported the exit and cleaned up; the kernel unmounts the
 * overlay as its mount namespace goes): for a caller that exits next. */
void container_proc_release(struct container_proc *p);

#endif
