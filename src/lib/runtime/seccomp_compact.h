/* seccomp_compact.h - a smaller program with the same answers as a
 * compiled seccomp filter: a tree over ranges of call numbers in place of
 * one comparison per call (seccomp_compact.c). */
#ifndef BURROW_SECCOMP_COMPACT_H
#define BURROW_SECCOMP_COMPACT_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>

/* f rewritten into *out (malloc'd, *nout instructions): 0, or -1 when it
 * can't be (an unknown shape, no gain, or any answer that differs in the
 * check against f); f itself is left alone. */
int seccomp_bpf_compact(const struct sock_filter *f, size_t n, struct sock_filter **out, size_t *nout);

/* Run a classic BPF program on d as the kernel would: 0 with the RET value
 * in *ret, -1 for a program the kernel would refuse at that point. */
int seccomp_bpf_run(const struct sock_filter *f, size_t n, const struct seccomp_data *d, uint32_t *ret);

#endif
