/* seccomp.h - the syscall filter of every container process.
 *
 * Three choices, kept in the container's record (container_spec.seccomp):
 *   NULL         the default profile: an allowlist of about 370 calls (the
 *                ones podman's default profile allows, the same
 *                capability-dependent ones), EPERM for a list of known
 *                dangerous calls (kexec_load, userfaultfd, vmsplice, bpf,
 *                the module calls, ...), ENOSYS for everything else
 *                (io_uring, new calls), so that libc falls back cleanly;
 *   "unconfined" no filter;
 *   JSON text    a profile in the OCI/docker format (seccomp_profile_parse).
 *
 * Building a filter with libseccomp takes about 10 ms, far too much for a
 * start, so compiled BPF programs are cached in <root>/seccomp/: one file
 * per (profile, capabilities, architecture, libseccomp version, table
 * version), which records its whole input and is used only when that input
 * matches.  A start then costs one small read and the seccomp(2) call.  The
 * supervisor reads the program while the caller writes its ID maps, and
 * each init loads it (seccomp_apply, after no_new_privs, right before
 * exec); exec and health probes read and load the same one.
 */
#ifndef BURROW_SECCOMP_H
#define BURROW_SECCOMP_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"
#include "lib/record/container.h"

#define SECCOMP_UNCONFINED "unconfined"
#define SECCOMP_CACHE_DIR "seccomp" /* in the store's root */
/* the default table's version (seccomp.c), in the cache's key: bump it when
 * the table changes, so that cached programs of the old one are not used */
#define SECCOMP_TABLE_VERSION 2

/* A compiled filter; len 0 = no filter. */
struct seccomp_prog {
	unsigned short len;
	struct sock_filter *insns;
};

/* One rule of a parsed profile: names (NULL-terminated) get action. */
struct seccomp_arg {
	unsigned index;
	uint64_t value, value2;
	int op; /* enum scmp_compare */
};
struct seccomp_rule {
	char **names;
	uint32_t action; /* SCMP_ACT_* with its errno or trace value */
	struct seccomp_arg *args;
	size_t nargs;
};
struct seccomp_profile {
	uint32_t default_action;
	uint32_t *arches; /* SCMP_ARCH_*, beside the native one */
	size_t narches;
	bool badarch_default;       /* other architectures get default_action, not a kill */
	struct seccomp_rule *rules; /* after includes/excludes were applied */
	size_t nrules;
};

/* Parse an OCI/docker profile.  Rules are selected for the native
 * architecture and caps (bit n = capability n) the way docker and podman do:
 * includes.caps all present, includes.arches naming the native one,
 * excludes.* naming none.  Errors are one line naming the field. */
int seccomp_profile_parse(const char *json, size_t len, uint64_t caps, struct seccomp_profile *p,
			  struct err *e);
/* The built-in default for caps. */
void seccomp_profile_default(uint64_t caps, struct seccomp_profile *p);
void seccomp_profile_free(struct seccomp_profile *p);

/* Compile p to BPF with libseccomp. */
int seccomp_compile(const struct seccomp_profile *p, struct seccomp_prog *out, struct err *e);

/* The program for a container: profile is container_spec.seccomp (NULL,
 * "unconfined" or JSON text), cachedir the cache directory (NULL: no cache).
 * "unconfined" gives len 0. */
int seccomp_prog_for(const char *profile, uint64_t caps, const char *cachedir, struct seccomp_prog *out,
		     struct err *e);
/* May the cache be read here: false in a user namespace whose ID maps
 * are not written yet (the owners of its files can't be told apart). */
bool seccomp_cache_usable(void);
/* Check a profile for run/create: parse and compile it (and so cache it). */
int seccomp_check(const char *profile, uint64_t caps, const char *cachedir, struct err *e);
/* <root>/seccomp for a container whose ctrdir is
 * <root>/containers/<id> (or <root>/layers/<scratch>, a build step);
 * malloc'd, NULL when ctrdir is not like that. */
char *seccomp_cachedir(const struct container_spec *s);

/* Load p into the calling thread (no_new_privs must be set); len 0: nothing. */
int seccomp_apply(const struct seccomp_prog *p, struct err *e);
void seccomp_prog_free(struct seccomp_prog *p);

#endif
