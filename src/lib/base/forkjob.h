/* forkjob.h - work that needs a process of its own (joining a container's
 * namespaces, a verb's process-wide settings) asked for by a program with
 * threads.
 *
 * A child forked by a process with threads gets copies of the locks that
 * other threads held at that moment (the allocator's, a logger's), locked
 * for ever: one that then allocates can hang.  So jobs are not forked by
 * the threaded program but by the runner, a process it forks once, while it
 * still has a single thread (forkjob_start), and which stays that way.
 * For each job the runner forks a child, which runs fn(arg, len, fds, res)
 * and sends res back; nothing else of the program's reaches it but fds.
 *
 * The runner is a copy of the program as it was at forkjob_start: fn, and
 * pointers inside arg, may refer to what existed then and has not changed
 * since (the configuration); all else goes in arg as bytes (forkjob_put_*
 * and forkjob_get_* below). */
#ifndef BURROW_FORKJOB_H
#define BURROW_FORKJOB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* at most this many descriptors go with a job */
#define FORKJOB_MAX_FDS 4

/* in the job's process: fds are copies of those passed, in their order
 * (nfds of them); res (res_len bytes, zeroed) goes back to the caller when
 * fn returns */
typedef void forkjob_fn(const void *arg, size_t len, const int *fds, size_t nfds, void *res, size_t res_len);

/* Fork the runner.  Call while the process has one thread.  Idempotent. */
int forkjob_start(struct err *e);
/* End the runner (jobs still running go on) and reap it. */
void forkjob_stop(void);

struct forkjob {
	int fd;    /* the result pipe */
	pid_t pid; /* the job's process */
};

/* Start fn(arg) in a process of its own, with copies of the nfds fds open
 * in it, for a result of res_len bytes; j->pid is known on return. */
int forkjob_spawn(forkjob_fn *fn, const void *arg, size_t len, const int *fds, size_t nfds, size_t res_len,
		  struct forkjob *j, struct err *e);
/* Wait for the job's res; -1 (e) when it ended without one. */
int forkjob_wait(struct forkjob *j, void *res, size_t res_len, struct err *e);
/* Both in one */
int forkjob_run(forkjob_fn *fn, const void *arg, size_t len, const int *fds, size_t nfds, void *res,
		size_t res_len, struct err *e);

/* ---- the job's argument as bytes ---- */
struct forkjob_buf {
	char *p;
	size_t len, off;
	bool bad; /* a get ran past the end */
};
void forkjob_put(struct forkjob_buf *b, const void *v, size_t n);
void forkjob_put_str(struct forkjob_buf *b, const char *s);   /* NULL too */
void forkjob_put_strv(struct forkjob_buf *b, char *const *v); /* NULL too */
/* in the job: b = { (char *)arg, len } */
void forkjob_get(struct forkjob_buf *b, void *v, size_t n);
char *forkjob_get_str(struct forkjob_buf *b);   /* malloc'd; NULL as put */
char **forkjob_get_strv(struct forkjob_buf *b); /* malloc'd; NULL as put */

#endif
