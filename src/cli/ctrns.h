/* ctrns.h - the namespace and privilege options of run and create (--pid,
 * --ipc, --uts, --privileged, --preserve-fds, --detach-keys): parsed here
 * and resolved into the spec, apart from the shared option table. */
#ifndef BURROW_CLI_CTRNS_H
#define BURROW_CLI_CTRNS_H

#include <stdbool.h>

#include "lib/record/container.h"
#include "opt.h"

/* option ids of these flags in ctr_opts (ctropts.c) */
enum {
	O_NS_PID = 600,
	O_NS_IPC,
	O_NS_UTS,
	O_NS_PRIVILEGED,
	O_NS_PRESERVE_FDS,
	O_NS_DETACH_KEYS,
	O_NS_LAST = O_NS_DETACH_KEYS,
};

struct ns_args {
	const char *mode[3]; /* --pid, --ipc, --uts as given (index enum ns_kind) */
	bool privileged;
	int preserve_fds;        /* run only */
	const char *detach_keys; /* NULL: the default */
};

/* One of the options above (id), its value in p. */
int ctr_ns_option(const struct optparser *p, int id, struct ns_args *a, struct err *e);
/* Right after parsing: fds 3..3+N-1 of --preserve-fds are open (before
 * burrow opens any), the modes and the detach keys are valid. */
int ctr_check_ns_args(const struct ns_args *a, struct err *e);
/* Into s, after spec_build: the modes (container: names become full IDs,
 * looked up in root; the hostname is the host's or the target's),
 * --privileged (every capability but cap_drop, no filter), --preserve-fds.  --uts
 * host or container: with --hostname is refused, as podman does. */
int ctr_build_namespaces(const char *root, const struct ns_args *a, char *const *cap_drop,
			 bool hostname_given, struct container_spec *s, struct err *e);

#endif
