/* progress.h - the pull/push progress display (stderr).
 *
 * On a terminal: one line per layer with bytes, rate and state, redrawn in
 * place (like podman).  Otherwise plain lines as things happen.  Quiet:
 * nothing.  Also the SIGINT/SIGTERM flag the library polls to abort.
 */
#ifndef BURROW_CMD_PROGRESS_H
#define BURROW_CMD_PROGRESS_H

#include <signal.h>
#include <stdbool.h>

#include "lib/store/pull.h"

struct progress_line {
	char digest[72];
	uint64_t done, total, last_done;
	uint64_t t0, last_t;
	double rate;
	const char *state;
};

struct progress {
	bool quiet, tty;
	const char *verb; /* "Copying" */
	size_t n;
	struct progress_line *lines;
	size_t drawn; /* lines on screen */
};

void progress_init(struct progress *p, bool quiet);
void progress_fn(void *ctx, const struct store_progress *ev);
void progress_finish(struct progress *p);

/* Catch SIGINT/SIGTERM into progress_cancel (no SA_RESTART) */
extern volatile sig_atomic_t progress_cancel;
void progress_catch_signals(void);

#endif
