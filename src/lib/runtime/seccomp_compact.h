/* seccomp_compact.h - a smaller program with the same answers as a
 * compiled seccomp filter: a tree over ranges of call numbers in place of
 * one comparison per call (seccomp_compact.c). */
#ifndef BURROW_SECCOMP_COMPACT_H
#define BURROW_SECCOMP_COMPACT_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>

/* part of the seccomp cache's key: bump on any change to the rewrite's
 * output, so programs cached by an older rewrite are not used */
#define SECCOMP_COMPACT_VERSION 3

/* f rewritten into *out (malloc'd, *nout instructions): 0, or -1 when it
 * can't be (an unknown shape, no gain, or any answer that differs in the
 * check against f); f itself is left alone. */
int seccomp_bpf_compact(const struct sock_filter *f, size_t n, struct sock_filter **out, size_t *nout);

/* Run a classic BPF program on d, as the kernel would, for the subset the
 * rewrite reads and writes: loads of seccomp_data words and constants,
 * RET K, JA and the four conditional jumps against a constant.  0 with
 * the RET value in *ret; -1 for any other instruction, a load outside
 * seccomp_data, a jump out of the program or running off its end. */
int seccomp_bpf_run(const struct sock_filter *f, size_t n, const struct seccomp_data *d, uint32_t *ret);

/* for tests: when set, called on the candidate program just before the
 * check against the original (to show that a wrong one is refused) */
extern void (*seccomp_compact_test_hook)(struct sock_filter *f, size_t n);

#endif
