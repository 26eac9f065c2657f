/* syscalls.h - thin wrappers for system calls glibc 2.36 lacks. */
#ifndef BURROW_SYSCALLS_H
#define BURROW_SYSCALLS_H

#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RESOLVE_NO_MAGICLINKS
#define RESOLVE_NO_MAGICLINKS 0x02
#endif
#ifndef RESOLVE_NO_SYMLINKS
#define RESOLVE_NO_SYMLINKS 0x04
#endif
#ifndef RESOLVE_BENEATH
#define RESOLVE_BENEATH 0x08
#endif
#ifndef RESOLVE_IN_ROOT
#define RESOLVE_IN_ROOT 0x10
#endif

static inline int sys_openat2(int dirfd, const char *path, struct open_how *how, size_t size)
{
	return (int)syscall(SYS_openat2, dirfd, path, how, size);
}

static inline int sys_pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

/* fork-like clone with namespace flags (no new stack: the child continues here) */
static inline pid_t sys_clone_ns(unsigned long flags)
{
	return (pid_t)syscall(SYS_clone, flags | 17 /* SIGCHLD */, NULL, NULL, NULL, NULL);
}

static inline int sys_pidfd_open(pid_t pid, unsigned int flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

#endif
