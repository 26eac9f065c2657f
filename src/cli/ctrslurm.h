/* ctrslurm.h - burrow run inside a Slurm job step.
 *
 * --slurm=auto (the default) turns Slurm mode on when SLURM_JOB_ID and
 * SLURM_STEP_ID are set.  Slurm mode puts these defaults in front of the
 * user's options, each only when the user gave none of its kind:
 *
 *   --userns=keep-id       the user's own UID and GID inside
 *   --network=host         the host's network (the fabric, the PMI server)
 *   --ipc=host             the host's IPC namespace
 *   --cgroups=disabled     no cgroup of burrow's: the step's cgroup applies
 *   -e 'SLURM_*' -e 'SLURMD_*' -e 'PMI_*' -e 'PMIX_*'
 *   -v DIR:DIR             PMIX_SERVER_TMPDIR and PMIX_SYSTEM_TMPDIR, so a
 *                          PMIx client reaches its server's socket
 *   --preserve-fds=N       the PMI-2 socket (PMI_FD), moved to fd 3
 *
 * and --node-share, on by default in Slurm mode: the first rank of the step
 * on a node starts one container (named slurm-JOB.STEP-NODE-HASH, HASH of
 * the command line), every rank, that one included, runs its command in it
 * the way `burrow exec` does, and a small process left by the first rank
 * removes the container once the last rank is gone.  Locks, all in
 * RUNROOT/slurm/ (node-local, private to the user):
 *
 *   KEY.lock   flock LOCK_EX while a rank looks for the container or
 *              starts it (held by the remover while it removes it)
 *   KEY.ref    flock LOCK_SH by every rank while it runs; the remover waits
 *              for LOCK_EX, which it gets when the last rank exits or is
 *              killed (the kernel drops a dead process's locks)
 *
 * The remover unlinks both files under both locks; a rank that locked a
 * file that was unlinked meanwhile starts over.
 */
#ifndef BURROW_CLI_CTRSLURM_H
#define BURROW_CLI_CTRSLURM_H

#include <stdbool.h>

#include "cli/cli.h"
#include "lib/base/error.h"

struct slurm_run {
	bool on;         /* Slurm mode */
	bool node_share; /* join the node's container (--node-share) */
	int argc;        /* the arguments with the defaults in front */
	char **argv;     /* (argv[0] is the verb); NULL when not on */
	int pmi_fds;     /* --preserve-fds for the PMI socket, 0: none */
	char *key;       /* node_share: the container's name */
};

/* True inside a Slurm job step (SLURM_JOB_ID and SLURM_STEP_ID set). */
bool slurm_in_step(void);
/* Look at run's arguments: Slurm mode on or off, and the arguments to use.
 * Call it before anything else opens a file descriptor (the PMI socket may
 * be moved to fd 3).  Errors in the user's options are left to the normal
 * parse: sr->on is then false. */
int slurm_run_prepare(int argc, char **argv, struct slurm_run *sr, struct err *e);
void slurm_run_free(struct slurm_run *sr);
/* --node-share: find or start the node's container and run the command in
 * it; *code is its exit code. */
int slurm_node_run(struct globals *g, struct slurm_run *sr, int *code, struct err *e);
/* For info: the defaults Slurm mode turns on, one per line. */
extern const char *const slurm_defaults[];

#endif
