/* relay.h - relaying the user's terminal and signals to a running container
 * (shared by run and, later, start -a and attach). */
#ifndef BURROW_CMD_RELAY_H
#define BURROW_CMD_RELAY_H

#include <stdbool.h>

#include "lib/runtime/start.h"

/* Signals that burrow forwards to the container's PID 1. */
void relay_block_signals(void);
void relay_unblock_signals(void);
/* Put stdin in raw mode (when it is a terminal); restored by relay_restore. */
void relay_raw_terminal(void);
void relay_restore_terminal(void);
/* Run until the container exits: forward signals, copy stdin to the pty
 * master (if interactive) and the master to stdout.  Returns the exit code. */
int relay_run(struct container_proc *p, bool interactive, struct err *e);

#endif

/* For exec: relay between the terminal and master (or, with master -1,
 * only forward signals) until child exits; returns its exit code. */
int relay_child(pid_t child, int master, bool interactive, struct err *e);
