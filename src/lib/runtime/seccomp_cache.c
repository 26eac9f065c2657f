/* seccomp_cache.c - the cache of the containers' compiled syscall filters
 * in the store (seccomp_prog_for, see seccomp.h), the rewrite to a shorter
 * program that cached ones get (seccomp_compact.c), and loading a program
 * into the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp.h" // NOLINT(readability-duplicate-include): ours, not libseccomp's
#include "lib/base/util.h"
#include "seccomp_compact.h"
#include "version.h"
#include "lib/record/spec.h"

/* ---- the cache ---------------------------------------------------------------------
 * <cachedir>/<FNV-1a of the key, hex>: "BSC1", the key's length (4 bytes,
 * host order), the key, the program.  The key is the whole input: a file
 * whose key differs is not used (nor a hash collision). */

#define CACHE_MAGIC "BSC1"

/* BURROW_SECCOMP_COMPACT=0: libseccomp's program as it is */
static bool compact_wanted(void)
{
	const char *v = getenv("BURROW_SECCOMP_COMPACT");

	return !(v && strcmp(v, "0") == 0);
}

/* everything the program depends on: the tables' and the rewrite's
 * versions, burrow's (its parser and compiler), libseccomp's, the
 * architecture, the capabilities, and the profile (a file's text after
 * "profile", never equal to the default's key) */
static char *cache_key(const char *profile, uint64_t caps)
{
	const struct scmp_version *v = seccomp_version();

	return xasprintf("burrow %s seccomp table %d compact %d\nlibseccomp %u.%u.%u\narch %u\ncaps %llx\n%s%s",
			 BURROW_VERSION, SECCOMP_TABLE_VERSION, compact_wanted() ? SECCOMP_COMPACT_VERSION : 0,
			 v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0, seccomp_arch_native(),
			 (unsigned long long)caps, profile ? "profile\n" : "default", profile ? profile : "");
}

/* the same answers in fewer instructions, when they can be (see
 * seccomp_compact.c): the kernel's load of the filter, on every start,
 * costs in proportion to its length */
static void compact(struct seccomp_prog *p)
{
	struct sock_filter *f;
	size_t n;

	if (!p->len || !compact_wanted() || seccomp_bpf_compact(p->insns, p->len, &f, &n) < 0)
		return;
	free(p->insns);
	p->insns = f;
	p->len = (unsigned short)n;
}

static char *cache_path(const char *cachedir, const char *key)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const unsigned char *s = (const unsigned char *)key; *s; s++)
		h = (h ^ *s) * 0x100000001b3ULL;
	return xasprintf("%s/%016llx", cachedir, (unsigned long long)h);
}

/* The overflow uid: what geteuid() and fstat() give for an ID that the
 * user namespace does not map. */
static uid_t overflow_uid(void)
{
	static uid_t u = (uid_t)-1;

	if (u == (uid_t)-1) {
		_cleanup_close_ int fd = open("/proc/sys/kernel/overflowuid", O_RDONLY | O_CLOEXEC);
		char buf[16];
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;

		u = 65534;
		if (n > 0) {
			buf[n] = '\0';
			u = (uid_t)strtoul(buf, NULL, 10);
		}
	}
	return u;
}

bool seccomp_cache_usable(void)
{
	return geteuid() != overflow_uid();
}

/* only what the caller alone could have written is trusted: its own, not
 * writable by group or others; and never in a user namespace whose maps
 * are not written yet, where every file's owner and our own uid read as
 * the overflow uid */
static bool cache_trusted(int fd, bool dir)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode)) &&
	       st.st_uid == geteuid() && st.st_uid != overflow_uid() && !(st.st_mode & (S_IWGRP | S_IWOTH));
}

static bool cache_read(const char *cachedir, const char *path, const char *key, struct seccomp_prog *out)
{
	_cleanup_close_ int dfd = open(cachedir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int fd = -1;
	size_t klen = strlen(key), n;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	uint32_t l;

	if (dfd < 0 || !cache_trusted(dfd, true))
		return false;
	fd = openat(dfd, strrchr(path, '/') + 1, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || !cache_trusted(fd, false) || fstat(fd, &st) < 0 || st.st_size > (1 << 22) ||
	    (size_t)st.st_size < 8 + klen)
		return false;
	buf = xmalloc((size_t)st.st_size);
	if (read_all(fd, buf, (size_t)st.st_size) != st.st_size)
		return false;
	memcpy(&l, buf + 4, 4);
	if (memcmp(buf, CACHE_MAGIC, 4) != 0 || l != klen || memcmp(buf + 8, key, klen) != 0)
		return false;
	n = (size_t)st.st_size - 8 - klen;
	if (n == 0 || n % sizeof(struct sock_filter) || n / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return false;
	out->insns = xmalloc(n);
	memcpy(out->insns, buf + 8 + klen, n);
	out->len = (unsigned short)(n / sizeof(struct sock_filter));
	return true;
}

static void cache_write(const char *cachedir, const char *path, const char *key, const struct seccomp_prog *p)
{
	size_t klen = strlen(key), plen = p->len * sizeof(struct sock_filter);
	_cleanup_free_ char *buf = xmalloc(8 + klen + plen);
	uint32_t l = (uint32_t)klen;
	struct err e = ERR_INIT;

	memcpy(buf, CACHE_MAGIC, 4);
	memcpy(buf + 4, &l, 4);
	memcpy(buf + 8, key, klen);
	memcpy(buf + 8 + klen, p->insns, plen);
	/* a cache: when it cannot be written, the next start compiles again */
	if (mkdir_p_at(AT_FDCWD, cachedir, 0700, &e) < 0 ||
	    write_file_atomic_at(AT_FDCWD, path, buf, 8 + klen + plen, 0600, &e) < 0)
		err_clear(&e);
}

int seccomp_prog_for(const char *profile, uint64_t caps, const char *cachedir, struct seccomp_prog *out,
		     struct err *e)
{
	_cleanup_free_ char *key = NULL, *path = NULL;
	struct seccomp_profile p;
	int rc;

	memset(out, 0, sizeof(*out));
	if (profile && strcmp(profile, SECCOMP_UNCONFINED) == 0)
		return 0;
	key = cache_key(profile, caps);
	if (cachedir) {
		path = cache_path(cachedir, key);
		if (cache_read(cachedir, path, key, out))
			return 0;
	}
	if (profile) {
		if (seccomp_profile_parse(profile, strlen(profile), caps, &p, e) < 0)
			return -1;
	} else {
		seccomp_profile_default(caps, &p);
	}
	rc = seccomp_compile(&p, out, e);
	seccomp_profile_free(&p);
	if (rc < 0)
		return -1;
	/* the rewrite and its check take longer than the compile (about
	 * 20 ms): worth it for a program that is cached and loaded many times */
	if (path) {
		compact(out);
		cache_write(cachedir, path, key, out);
	}
	return 0;
}

int seccomp_check(const char *profile, uint64_t caps, const char *cachedir, struct err *e)
{
	struct seccomp_prog p;

	if (seccomp_prog_for(profile, caps, cachedir, &p, e) < 0)
		return -1;
	seccomp_prog_free(&p);
	return 0;
}

char *seccomp_cachedir(const struct container_spec *s)
{
	const char *end = s->ctrdir ? s->ctrdir + strlen(s->ctrdir) : NULL;

	/* ctrdir is <root>/containers/<id>, or <root>/layers/<scratch> for a
	 * build step: two levels up is the store's root */
	for (int up = 0; end && up < 2; up++) {
		while (end > s->ctrdir && end[-1] != '/')
			end--;
		if (end == s->ctrdir)
			return NULL;
		end--;
	}
	return end ? xasprintf("%.*s/" SECCOMP_CACHE_DIR, (int)(end - s->ctrdir), s->ctrdir) : NULL;
}

/* ---- loading ---------------------------------------------------------------------- */

int seccomp_apply(const struct seccomp_prog *p, struct err *e)
{
	struct sock_fprog fp = { .len = p->len, .filter = p->insns };

	if (!p->len)
		return 0;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0 &&
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0) < 0)
		return err_make(e, errno,
				"loading the seccomp filter (a kernel without CONFIG_SECCOMP_FILTER "
				"needs --security-opt seccomp=unconfined)");
	return 0;
}
