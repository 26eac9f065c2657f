/* util.c - see util.h */
#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
		*fd = -1; /* closed once: a later closep (the cleanup) is a no-op */
	}
}

void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

void closedirp(void *d)
{
	DIR **dp = d;
	if (*dp)
		closedir(*dp);
}

void strvfreep(char ***v)
{
	strv_free(*v);
}

static void oom(void)
{
	static const char m[] = "burrow: error: out of memory\n";
	if (write(STDERR_FILENO, m, sizeof m - 1) < 0) {
		/* ignore */
	}
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p)
		oom();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *r = strndup(s, n);
	if (!r)
		oom();
	return r;
}

char *next_text_line(char **p, size_t *lineno)
{
	while (**p) {
		char *nl = strchr(*p, '\n'), *line = *p;
		size_t l;

		(*lineno)++;
		if (nl)
			*nl = '\0';
		*p = nl ? nl + 1 : *p + strlen(*p);
		l = strlen(line);
		if (l > 0 && line[l - 1] == '\r')
			line[--l] = '\0';
		while (isspace((unsigned char)*line))
			line++;
		if (*line != '\0' && *line != '#')
			return line;
	}
	return NULL;
}

char *xasprintf(const char *fmt, ...)
{
	char *p;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		oom();
	va_end(ap);
	return p;
}

size_t strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

void strv_push(char ***v, const char *s)
{
	size_t n = strv_len(*v);
	*v = xrealloc(*v, (n + 2) * sizeof(char *));
	(*v)[n] = xstrdup(s);
	(*v)[n + 1] = NULL;
}

void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

char **strv_dup(char *const *v)
{
	size_t n = strv_len(v);
	char **r = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

ssize_t write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t w = write(fd, p + done, len - done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)w;
	}
	return (ssize_t)done;
}

ssize_t read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t r = read(fd, p + done, len - done);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

int read_fd_all(int fd, size_t max, char **out, size_t *outlen, const char *what, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;

	for (;;) {
		ssize_t r;
		if (len + 1 >= cap) {
			cap = cap ? cap * 2 : 4096;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return err_make(e, errno, "reading %s", what);
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > max)
			return err_make(e, EFBIG, "reading %s", what);
	}
	buf[len] = '\0';
	if (outlen)
		*outlen = len;
	*out = steal_ptr(buf);
	return 0;
}

int read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *outlen, struct err *e)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return err_make(e, errno, "opening %s", path);
	return read_fd_all(fd, max, out, outlen, path, e);
}

/* The data goes into an unnamed O_TMPFILE in the target's directory and is
 * named only just before the rename, so a writer killed while writing
 * leaves nothing behind (a kill in the two syscalls between link and
 * rename still can).  Where O_TMPFILE is not supported: a named temporary. */
static int open_tmp(int dirfd, const char *path, const char *tmp, mode_t mode, bool *named)
{
	const char *slash = strrchr(path, '/');
	int fd = -1;

	/* naming it goes through /proc (linkat AT_EMPTY_PATH needs a capability) */
	if (access("/proc/self/fd", X_OK) == 0) {
		char *dir = slash ? xstrndup(path, (size_t)(slash - path + (slash == path))) : xstrdup(".");
		fd = openat(dirfd, dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
		free(dir);
	}
	*named = fd < 0;
	if (fd >= 0)
		return fd;
	return openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
}

int write_file_atomic_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode,
			 struct err *e)
{
	_cleanup_free_ char *tmp = NULL;
	char rnd[65], proc[64];
	bool named;
	int fd, saved;

	if (random_hex_id(rnd, e) < 0)
		return -1;
	rnd[12] = '\0';
	tmp = xasprintf("%s.tmp-%s", path, rnd);
	fd = open_tmp(dirfd, path, tmp, mode, &named);
	if (fd < 0)
		return err_make(e, errno, "creating %s", tmp);
	if (write_all(fd, data, len) < 0)
		goto fail;
	if (!named) {
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
		/* a new file (a record's first config.json or state.json) is
		 * linked under its own name at once, whole: no rename after */
		if (linkat(AT_FDCWD, proc, dirfd, path, AT_SYMLINK_FOLLOW) == 0) {
			if (close(fd) < 0) {
				saved = errno;
				unlinkat(dirfd, path, 0);
				return err_make(e, saved, "writing %s", path);
			}
			return 0;
		}
		if (errno != EEXIST)
			goto fail;
		if (linkat(AT_FDCWD, proc, dirfd, tmp, AT_SYMLINK_FOLLOW) < 0)
			goto fail;
		named = true;
	}
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	if (renameat(dirfd, tmp, dirfd, path) < 0) {
		saved = errno;
		unlinkat(dirfd, tmp, 0);
		return err_make(e, saved, "renaming %s", tmp);
	}
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (named)
		unlinkat(dirfd, tmp, 0);
	return err_make(e, saved, "writing %s", tmp);
}

int write_file_at(int dirfd, const char *path, const char *data, struct err *e)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_TRUNC | O_CREAT, 0644);

	if (fd < 0)
		return err_make(e, errno, "opening %s", path);
	if (write_all(fd, data, strlen(data)) < 0)
		return err_make(e, errno, "writing %s", path);
	return 0;
}

/* mkdir p, and first its parent when that is missing; -1 on any failure */
static int mkdir_up(int dirfd, char *p, mode_t mode)
{
	char *slash;
	int r;

	if (mkdirat(dirfd, p, mode) == 0 || errno == EEXIST)
		return 0;
	slash = strrchr(p, '/');
	if (errno != ENOENT || !slash || slash == p)
		return -1;
	*slash = '\0';
	r = mkdir_up(dirfd, p, mode);
	*slash = '/';
	return r == 0 && (mkdirat(dirfd, p, mode) == 0 || errno == EEXIST) ? 0 : -1;
}

int mkdir_p_at(int dirfd, const char *path, mode_t mode, struct err *e)
{
	_cleanup_free_ char *p = xstrdup(path);
	size_t n = strlen(p);

	if (n == 0) { /* else the loop below starts past the end of p */
		// NOLINTNEXTLINE(clang-analyzer-unix.Malloc): _cleanup_free_ frees p; clang-tidy 14 misses that
		return err_make(e, ENOENT, "creating a directory: empty path");
	}
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	/* from the bottom up: the path is there, or only its last levels are
	 * missing, on nearly every call (every command makes its store's and
	 * runroot's directories); on any failure, each level from the top,
	 * which names the level that fails */
	if (mkdir_up(dirfd, p, mode) == 0)
		return 0;
	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdirat(dirfd, p, mode) < 0 && errno != EEXIST)
				return err_make(e, errno, "creating directory %s", p);
			*s = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

static void close_fds_range(int lo, int hi)
{
	long max;

	if (syscall(SYS_close_range, (unsigned)lo, hi < 0 ? ~0U : (unsigned)hi, 0) == 0)
		return;
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 1 << 20)
		max = 1 << 20;
	for (int fd = lo; fd < max && (hi < 0 || fd <= hi); fd++)
		close(fd);
}

void close_fds_except(int lo, const int *keep, size_t n)
{
	int k[16] = { 0 };
	size_t m = 0;

	for (size_t i = 0; i < n && m < ARRAY_SIZE(k); i++) {
		size_t j = m++;
		/* insertion sort: a handful of fds */
		while (j > 0 && k[j - 1] > keep[i]) {
			k[j] = k[j - 1];
			j--;
		}
		k[j] = keep[i];
	}
	for (size_t i = 0; i < m; i++) {
		if (k[i] < lo)
			continue;
		if (k[i] > lo)
			close_fds_range(lo, k[i] - 1);
		lo = k[i] + 1;
	}
	close_fds_range(lo, -1);
}

void hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[in[i] >> 4];
		out[2 * i + 1] = hx[in[i] & 15];
	}
	out[2 * n] = '\0';
}

bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[n] == '\0';
}

int random_hex_id(char out[65], struct err *e)
{
	unsigned char b[32];
	size_t got = 0;

	while (got < sizeof b) {
		ssize_t r = getrandom(b + got, sizeof b - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return err_make(e, errno, "getrandom");
		}
		got += (size_t)r;
	}
	hex_encode(b, sizeof b, out);
	return 0;
}

int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

char *self_exe_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(dirname(buf));
}

uint64_t now_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

char *path_clean_lexical(const char *in, bool *climbed)
{
	_cleanup_free_ char *buf = xstrdup(in);
	char *res = xcalloc(1, strlen(in) + 1), *save = NULL;
	size_t len = 0;

	if (climbed)
		*climbed = false;
	// NOLINTNEXTLINE(clang-analyzer-unix.Malloc): _cleanup_free_ frees buf; clang-tidy 14 misses that
	for (char *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			if (len == 0 && climbed)
				*climbed = true;
			while (len > 0 && res[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			res[len] = '\0';
			continue;
		}
		if (len > 0)
			res[len++] = '/';
		memcpy(res + len, c, strlen(c));
		len += strlen(c);
		res[len] = '\0';
	}
	return res;
}

const char *fs_magic_name(unsigned long magic, bool *network)
{
	static const struct {
		unsigned long magic;
		const char *name;
		bool network;
	} fs[] = {
		{ 0xEF53UL, "ext4", false },
		{ 0x58465342UL, "xfs", false },
		{ 0x9123683EUL, "btrfs", false },
		{ 0x01021994UL, "tmpfs", false },
		{ 0x794C7630UL, "overlayfs", false },
		{ 0x2FC12FC1UL, "zfs", false },
		{ 0xF2F52010UL, "f2fs", false },
		{ 0x858458F6UL, "ramfs", false },
		{ 0x73717368UL, "squashfs", false },
		{ 0x65735546UL, "fuse", false },
		{ 0x01021997UL, "9p", false },
		{ 0x4D44UL, "vfat", false },
		{ 0x6969UL, "nfs", true },
		{ 0x0BD00BD0UL, "lustre", true },
		{ 0x47504653UL, "gpfs", true },
		{ 0xFF534D42UL, "cifs", true },
		{ 0xFE534D42UL, "smb2", true },
		{ 0x517BUL, "smb", true },
		{ 0x00C36400UL, "ceph", true },
		{ 0x19830326UL, "beegfs", true },
		{ 0x5346414FUL, "afs", true },
	};

	*network = false;
	for (size_t i = 0; i < ARRAY_SIZE(fs); i++) {
		if (fs[i].magic == magic) {
			*network = fs[i].network;
			return fs[i].name;
		}
	}
	return NULL;
}

char *user_home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h && *h == '/')
		return xstrdup(h);
	pw = getpwuid(getuid());
	return xstrdup(pw && pw->pw_dir ? pw->pw_dir : "/");
}

void stdio_to_devnull(void)
{
	int dn = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (dn >= 0) {
		dup2(dn, 0);
		dup2(dn, 1);
		dup2(dn, 2);
		if (dn > 2)
			close(dn);
	}
	if (chdir("/") < 0) {
		/* stays where it is */
	}
}

bool kv_list_has(char *const *kv, const char *want)
{
	size_t kl = strcspn(want, "=");

	for (size_t i = 0; kv && kv[i]; i++) {
		if (strncmp(kv[i], want, kl) != 0 || (kv[i][kl] != '=' && kv[i][kl] != '\0'))
			continue;
		if (want[kl] == '\0' || strcmp(kv[i] + kl, want + kl) == 0)
			return true;
	}
	return false;
}

ssize_t fd_sendmsg(int sk, const void *buf, size_t len, int fd, int flags)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *c;
		memset(&u, 0, sizeof u);
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof u.buf;
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof fd);
	}
	while ((n = sendmsg(sk, &mh, flags)) < 0 && errno == EINTR)
		;
	return n;
}

ssize_t fd_recvmsg(int sk, void *buf, size_t len, int *fd)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof u.buf };
	ssize_t n;

	if (fd)
		*fd = -1;
	memset(&u, 0, sizeof u);
	while ((n = recvmsg(sk, &mh, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return n;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; (i + 1) * sizeof(int) <= c->cmsg_len - CMSG_LEN(0); i++) {
			int got;
			memcpy(&got, CMSG_DATA(c) + i * sizeof got, sizeof got);
			if (fd && *fd < 0)
				*fd = got;
			else
				close(got);
		}
	}
	return n;
}
