/* exitcode.h - the exit code burrow reports for a process that ended: its
 * exit status, or 128+N when signal N killed it (as a shell does). */
#ifndef BURROW_EXITCODE_H
#define BURROW_EXITCODE_H

#include <sys/wait.h>

/* 128+N for a signal, else the exit code (125 for anything else) */
static inline int wait_status_code(int wstatus)
{
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	return 125;
}

#endif
