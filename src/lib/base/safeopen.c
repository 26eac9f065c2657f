/* safeopen.c - see safeopen.h
 *
 * The fallback keeps one O_PATH fd on the directory reached so far and the
 * (st_dev, st_ino) of every directory between it and the root.  Each name is
 * opened with O_PATH|O_NOFOLLOW, so the kernel never follows a symlink for
 * us: a symlink is read with readlinkat on its own fd and its text is put in
 * front of what is left of the path (an absolute one restarts at the root).
 * ".." is the only step upwards: at the root it stays there (IN_ROOT) or
 * fails (BENEATH), and elsewhere the parent the kernel gives, and its own
 * parents up to the root, must be the directories we came down by, else a
 * rename moved us and we fail with EAGAIN, as openat2 does (and retry).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "safeopen.h"
#include "util.h"

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

#define MAX_SYMLINKS 40 /* the kernel's limit */
#define MAX_RETRIES 128 /* EAGAIN: a rename raced with ".." */

/* 0 not decided yet, else 1 + enum safe_open_impl (never AUTO) */
static int chosen;
static int have_openat2; /* 0 not probed, 1 yes, 2 no */

bool safe_open_have_openat2(void)
{
	int h = __atomic_load_n(&have_openat2, __ATOMIC_RELAXED);

	if (!h) {
		struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
					.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
		int fd = sys_openat2(AT_FDCWD, "/", &how, sizeof how);
		/* ENOSYS, or EPERM from a seccomp filter that does not know it */
		h = fd >= 0 ? 1 : 2;
		if (fd >= 0)
			close(fd);
		__atomic_store_n(&have_openat2, h, __ATOMIC_RELAXED);
	}
	return h == 1;
}

void safe_open_force(enum safe_open_impl impl)
{
	__atomic_store_n(&chosen, impl == SAFE_OPEN_AUTO ? 0 : 1 + (int)impl, __ATOMIC_RELAXED);
}

enum safe_open_impl safe_open_current(void)
{
	int c = __atomic_load_n(&chosen, __ATOMIC_RELAXED);

	if (!c) {
		const char *env = getenv("BURROW_SAFE_OPEN");
		if ((env && strcmp(env, "fallback") == 0) || !safe_open_have_openat2())
			c = 1 + SAFE_OPEN_FALLBACK;
		else
			c = 1 + SAFE_OPEN_OPENAT2;
		__atomic_store_n(&chosen, c, __ATOMIC_RELAXED);
	}
	return (enum safe_open_impl)(c - 1);
}

/* ---- the component walk ---------------------------------------------------- */

struct walk {
	int rootfd;
	unsigned resolve;
	int cur;           /* the directory reached; rootfd itself at the top */
	struct stat *up;   /* up[i]: the directory at depth i (up[0] = the root) */
	size_t depth, cap; /* cur is at depth; up[0..depth] are valid */
	char *rest;        /* what is left of the path */
	int nlinks;
};

static void walk_set_cur(struct walk *w, int fd)
{
	if (w->cur != w->rootfd)
		close(w->cur);
	w->cur = fd;
}

static void walk_to_root(struct walk *w)
{
	walk_set_cur(w, w->rootfd);
	w->depth = 0;
}

static void walk_push(struct walk *w, int fd, const struct stat *st)
{
	if (w->depth + 2 > w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		w->up = xrealloc(w->up, w->cap * sizeof *w->up);
	}
	w->up[++w->depth] = *st;
	walk_set_cur(w, fd);
}

static bool same_inode(int fd, const struct stat *want)
{
	struct stat st;
	return fstat(fd, &st) == 0 && st.st_dev == want->st_dev && st.st_ino == want->st_ino;
}

/* Whether dirfd, at depth, still hangs below the root through the very
 * directories we came down by (a rename may have moved one elsewhere). */
static bool still_below(const struct walk *w, int dirfd, size_t depth)
{
	int fd = dirfd;
	bool good = true;

	for (size_t i = depth; good && i > 0; i--) {
		int up = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd != dirfd)
			close(fd);
		fd = up;
		good = fd >= 0 && same_inode(fd, &w->up[i - 1]);
	}
	if (fd >= 0 && fd != dirfd)
		close(fd);
	return good;
}

/* ".." from the current directory */
static int walk_up(struct walk *w)
{
	int fd;

	if (w->depth == 0) {
		if (w->resolve & RESOLVE_BENEATH) {
			errno = EXDEV;
			return -1;
		}
		return 0; /* IN_ROOT: the root is its own parent */
	}
	if (w->depth == 1) {
		walk_to_root(w);
		return 0;
	}
	fd = openat(w->cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (!same_inode(fd, &w->up[w->depth - 1]) || !still_below(w, fd, w->depth - 1)) {
		close(fd);
		errno = EAGAIN; /* moved while we were in it: try again */
		return -1;
	}
	w->depth--;
	walk_set_cur(w, fd);
	return 0;
}

/* A symlink on procfs whose text is absolute or names an object ("pipe:[..]")
 * is a magic link (/proc/PID/fd/N, exe, cwd, root, ns/...).  Its text must
 * not be taken as a path: openat2 fails with ELOOP there, so do we. */
static bool is_magic(int linkfd, const char *text)
{
	struct statfs sf;

	if (fstatfs(linkfd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)
		return false;
	return text[0] == '/' || strchr(text, ':') != NULL;
}

/* Put the text of the symlink linkfd in front of next (what follows it; a
 * slash first when slash, so that "link/" must be a directory). */
static int walk_follow(struct walk *w, int linkfd, bool slash, const char *next)
{
	char buf[PATH_MAX];
	ssize_t n;
	char *rest;

	if ((w->resolve & RESOLVE_NO_SYMLINKS) || ++w->nlinks > MAX_SYMLINKS) {
		errno = ELOOP;
		return -1;
	}
	n = readlinkat(linkfd, "", buf, sizeof buf);
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof buf) {
		errno = ENAMETOOLONG;
		return -1;
	}
	buf[n] = '\0';
	if (n == 0) {
		errno = ENOENT;
		return -1;
	}
	if (is_magic(linkfd, buf)) {
		errno = ELOOP;
		return -1;
	}
	if (buf[0] == '/') {
		if (w->resolve & RESOLVE_BENEATH) {
			errno = EXDEV;
			return -1;
		}
		walk_to_root(w);
	}
	rest = xasprintf("%s%s%s", buf, slash ? "/" : "", next);
	free(w->rest);
	w->rest = rest;
	return 0;
}

static int walk(struct walk *w, int flags, mode_t mode)
{
	char *p = w->rest;

	for (;;) {
		char *name, *end, *next;
		bool last, slash;
		struct stat st;
		int fd;

		while (*p == '/')
			p++;
		if (!*p) /* the path ends at a directory: ".", "a/..", "a/" */
			return openat(w->cur, ".", flags | O_NOFOLLOW, mode);
		name = p;
		end = strchrnul(p, '/');
		next = end;
		while (*next == '/')
			next++;
		last = !*next;
		slash = *end == '/';
		if (end - name == 1 && name[0] == '.') {
			p = next;
			continue;
		}
		if (end - name == 2 && name[0] == '.' && name[1] == '.') {
			if (walk_up(w) < 0)
				return -1;
			p = next;
			continue;
		}
		*end = '\0';
		if (last && slash && (flags & O_CREAT)) {
			errno = EISDIR;
			return -1;
		}
		fd = openat(w->cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT && last && !slash && (flags & O_CREAT))
				return openat(w->cur, name, flags | O_NOFOLLOW, mode);
			return -1;
		}
		if (fstat(fd, &st) < 0) {
			close(fd);
			return -1;
		}
		if (S_ISLNK(st.st_mode) &&
		    (!last || slash || !((flags & O_NOFOLLOW) || ((flags & O_CREAT) && (flags & O_EXCL))))) {
			int r = walk_follow(w, fd, slash, next);
			close(fd);
			if (r < 0)
				return -1;
			p = w->rest;
			continue;
		}
		if (last && !slash) {
			int r;
			close(fd);
			r = openat(w->cur, name, flags | O_NOFOLLOW, mode);
			if (r >= 0 && (flags & O_PATH) && !(flags & O_NOFOLLOW) &&
			    (fstat(r, &st) < 0 || S_ISLNK(st.st_mode))) {
				close(r);
				r = -1;
				errno = ELOOP;
			}
			/* a symlink put there since we looked: look again */
			if (r < 0 && errno == ELOOP && !(flags & O_NOFOLLOW) && !(flags & O_CREAT)) {
				p = name;
				if (++w->nlinks > MAX_SYMLINKS)
					return -1;
				continue;
			}
			return r;
		}
		if (!S_ISDIR(st.st_mode)) {
			close(fd);
			errno = ENOTDIR;
			return -1;
		}
		walk_push(w, fd, &st);
		p = next;
	}
}

static int open_fallback(int rootfd, const char *path, int flags, mode_t mode, unsigned resolve)
{
	struct walk w = { .rootfd = rootfd, .resolve = resolve, .cur = rootfd };
	int fd, saved;

	if (*path == '/' && (resolve & RESOLVE_BENEATH)) {
		errno = EXDEV;
		return -1;
	}
	w.cap = 16;
	w.up = xcalloc(w.cap, sizeof *w.up);
	if (fstat(rootfd, &w.up[0]) < 0) {
		free(w.up);
		return -1;
	}
	w.rest = xstrdup(path);
	fd = walk(&w, flags, mode);
	saved = errno;
	walk_set_cur(&w, rootfd);
	free(w.rest);
	free(w.up);
	errno = saved;
	return fd;
}

int safe_open_in_root(int rootfd, const char *path, int flags, mode_t mode, unsigned resolve)
{
	const unsigned known = RESOLVE_IN_ROOT | RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			       RESOLVE_NO_MAGICLINKS;
	int fd, tries = 0;
	bool fallback;

	resolve |= RESOLVE_NO_MAGICLINKS;
	flags |= O_CLOEXEC;
	if ((resolve & ~known) || !(resolve & RESOLVE_IN_ROOT) == !(resolve & RESOLVE_BENEATH)) {
		errno = EINVAL;
		return -1;
	}
	if (!(flags & O_CREAT) && (flags & O_TMPFILE) != O_TMPFILE)
		mode = 0;
	if (!*path)
		path = ".";
	fallback = safe_open_current() == SAFE_OPEN_FALLBACK;
	do {
		struct open_how how = { .flags = (uint64_t)flags, .mode = mode, .resolve = resolve };
		fd = fallback ? open_fallback(rootfd, path, flags, mode, resolve)
			      : sys_openat2(rootfd, path, &how, sizeof how);
	} while (fd < 0 && errno == EAGAIN && ++tries < MAX_RETRIES);
	return fd;
}
