/* relay.h - relaying the user's terminal and signals to a running container
 * (shared by run and, later, start -a and attach). */
#ifndef BURROW_CMD_RELAY_H
#define BURROW_CMD_RELAY_H

#include <stdbool.h>

#include "lib/runtime/start.h"

/* --detach-keys: podman's syntax, a comma-separated list of keys, each a
 * single character or ctrl-X (X one of a-z @ [ \\ ] ^ _); NULL is the default
 * ctrl-p,ctrl-q, "" disables detaching. */
#define DETACH_KEYS_MAX 32
struct detach_keys {
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len;     /* 0: never detach */
	size_t matched; /* typed so far, held back */
	bool detached;  /* set by relay_run when the user detached */
};
int detach_keys_parse(const char *spec, struct detach_keys *k, struct err *e);
/* Pass n bytes the user typed through k: out (room for n + DETACH_KEYS_MAX)
 * gets what goes on to the container, the length is returned; a prefix of
 * the sequence is held back until the next key decides.  *detach is set
 * when the whole sequence was typed (what followed it is dropped). */
size_t detach_keys_filter(struct detach_keys *k, const char *in, size_t n, char *out, bool *detach);

/* Signals that burrow forwards to the container's PID 1. */
void relay_block_signals(void);
void relay_unblock_signals(void);
/* Put stdin in raw mode (when it is a terminal); restored by relay_restore. */
void relay_raw_terminal(void);
void relay_restore_terminal(void);

/* Without -t the container must not get the user's terminal (TIOCSTI would
 * type into the user's shell, a read would take its input): each of our
 * fds 0-2 that is a terminal is replaced, for the container, by a pipe we
 * relay.  Other files and pipes are passed through as they are. */
struct relay_stdio {
	int child[3];   /* the container's ends, for its 0-2; 0 where not relayed */
	int in;         /* our end of its stdin, -1 */
	int out[2];     /* our ends of its stdout and stderr, -1 */
	char buf[4096]; /* read from our stdin, not yet written to in */
	size_t len;
	bool in_eof;
};
/* Pipes for the terminals among fds 0 (only if stdin is wanted), 1 and 2. */
int relay_stdio_open(struct relay_stdio *io, bool want_stdin, struct err *e);
/* Once the container has its ends: close ours of them. */
void relay_stdio_started(struct relay_stdio *io);
void relay_stdio_close(struct relay_stdio *io);

/* Run until the container exits: forward signals, copy stdin to the pty
 * master (if interactive) and the master to stdout, or relay io (may be
 * NULL).  Returns the exit code.  keys (NULL: none): typed on an
 * interactive terminal, they hand the master back to the supervisor, which
 * goes on as with -d; relay_run then returns 0 with keys->detached set. */
int relay_run(struct container_proc *p, bool interactive, struct detach_keys *keys, struct relay_stdio *io,
	      struct err *e);

/* For exec: relay between the terminal and master (or, with master -1,
 * io, or only signals) until child exits; returns its exit code.  keys
 * (NULL: none), typed on an interactive terminal: the command is left
 * running with its terminal held by a small process of ours that reads
 * and drops its output until it ends; returns 0 with keys->detached. */
int relay_child(pid_t child, int master, bool interactive, struct detach_keys *keys, struct relay_stdio *io,
		struct err *e);

#endif
