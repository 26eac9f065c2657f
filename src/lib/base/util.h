/* util.h - cleanup attributes, ownership helpers and small fd/file utilities. */
#ifndef BURROW_UTIL_H
#define BURROW_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

#include "error.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p)
{
	free(*(void **)p);
}
void closep(int *fd);
void fclosep(FILE **f);
void closedirp(void *d);
void strvfreep(char ***v);

#define _cleanup_free_ __attribute__((cleanup(freep)))
#define _cleanup_close_ __attribute__((cleanup(closep)))
#define _cleanup_fclose_ __attribute__((cleanup(fclosep)))
#define _cleanup_closedir_ __attribute__((cleanup(closedirp)))
#define _cleanup_strv_ __attribute__((cleanup(strvfreep)))

/* Take ownership out of a cleanup variable. */
#define steal_ptr(p) \
	({ \
		__typeof__(p) _t = (p); \
		(p) = NULL; \
		_t; \
	})
#define steal_fd(fd) \
	({ \
		int _t = (fd); \
		(fd) = -1; \
		_t; \
	})

/* Allocation that aborts on out-of-memory: there is nothing sane to unwind to. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* The next line of the text at *p (changed in place) that is not blank or
 * a "#" comment, without its line end and leading blanks; *lineno counts
 * every line.  NULL at the end. */
char *next_text_line(char **p, size_t *lineno);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* NULL-terminated string vectors */
size_t strv_len(char *const *v);
void strv_push(char ***v, const char *s); /* copies s */
void strv_free(char **v);
char **strv_dup(char *const *v);

/* I/O */
ssize_t write_all(int fd, const void *buf, size_t len);
ssize_t read_all(int fd, void *buf, size_t len); /* until len or EOF */
/* Read a whole file (at most max bytes, else EFBIG) relative to dirfd. */
int read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *outlen, struct err *e);
/* Lexically clean a '/'-separated path: drop "", "." and a leading "/",
 * resolve "..", clamping at the root.  *climbed (optional) tells whether a
 * ".." tried to climb above the root.  "" is the root itself. */
char *path_clean_lexical(const char *in, bool *climbed);
/* All of fd (at most max bytes, else EFBIG), NUL-terminated; what names it in errors. */
int read_fd_all(int fd, size_t max, char **out, size_t *outlen, const char *what, struct err *e);
/* Write atomically, without fsync: an unnamed file (O_TMPFILE) linked
 * under path when there is none yet, else a tmp file in the same directory
 * renamed over it. */
int write_file_atomic_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode,
			 struct err *e);
int write_file_at(int dirfd, const char *path, const char *data, struct err *e);
/* mkdir -p relative to dirfd (path may be absolute when dirfd is AT_FDCWD) */
int mkdir_p_at(int dirfd, const char *path, mode_t mode, struct err *e);
/* Close every fd from lo up except the n in keep (any order; values below
 * lo are ignored): close_range(2), or one by one on kernels without it. */
void close_fds_except(int lo, const int *keep, size_t n);

/* rm -rf relative to dirfd (rmtree.c): any depth with a bounded number of
 * fds; never follows symlinks; missing is not an error; one error message */
int rm_rf_at(int dirfd, const char *path, struct err *e);
/* The bytes of the regular files under the directory path (0 if it can't
 * be opened), as du --apparent-size counts them, without following links;
 * 64 levels deep at most. */
uint64_t tree_bytes(const char *path);
/* For a process that outlives its command: 0, 1 and 2 on /dev/null, and
 * the working directory /, so it holds no terminal, pipe or mount. */
void stdio_to_devnull(void);

/* A label filter against a list of "KEY=VALUE" (or "KEY"), NULL-ended or
 * NULL: want "KEY" matches any value of KEY, "KEY=VALUE" only that one. */
bool kv_list_has(char *const *kv, const char *want);

/* Send len bytes of buf over the unix socket sk with the descriptor fd
 * (SCM_RIGHTS; none when fd < 0); flags as sendmsg's.  EINTR is retried.
 * The bytes sent, or -1 with errno. */
ssize_t fd_sendmsg(int sk, const void *buf, size_t len, int fd, int flags);
/* Receive up to len bytes into buf and at most one descriptor (O_CLOEXEC)
 * into *fd (-1 when none came; fd NULL: none wanted); any other
 * descriptor that came is closed.  EINTR is retried.  The bytes received
 * (0 at EOF), or -1 with errno. */
ssize_t fd_recvmsg(int sk, void *buf, size_t len, int *fd);
/* Mark the directory path (relative to dirfd) as the top of directory
 * hierarchies (ext4's FS_TOPDIR_FL, `chattr +T`): ext4's Orlov allocator
 * then puts each new directory in it in a lightly used block group, not
 * next to the last one.  Without a journal, ext4 scans past every inode
 * freed in the last minutes before it hands out a new one, so files made
 * where others were just removed pay that scan each.  Best effort: false
 * where the filesystem has no such flag, or with BURROW_LAYER_SPREAD=0. */
bool fs_spread_dir(int dirfd, const char *path);

/* Hex helpers */
void hex_encode(const unsigned char *in, size_t n, char *out /* 2n+1 */);
bool is_hex(const char *s, size_t n);
/* 32 random bytes as 64 hex chars */
int random_hex_id(char out[65], struct err *e);

/* Parse a non-negative decimal integer with overflow check */
int parse_u64(const char *s, uint64_t *out);

/* Resolve the directory holding our own executable (for helpers). */
char *self_exe_dir(void);

/* Monotonic time in microseconds */
uint64_t now_usec(void);

/* Name of a statfs f_type, or NULL if unknown; *network is set for NFS,
 * Lustre, GPFS, CIFS/SMB and other network/cluster filesystems. */
const char *fs_magic_name(unsigned long magic, bool *network);

/* $HOME when it is an absolute path, else the passwd entry's, else "/"; malloc'd. */
char *user_home_dir(void);

#endif
