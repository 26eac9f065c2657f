/* userns.c - see userns.h */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <shadow/subid.h>

#include "lib/base/dl.h"
#include "lib/base/log.h"
#include "lib/base/syscalls.h"
#include "userns.h"
#include "lib/base/util.h"

extern char **environ;

/* libsubid is opened on first use (see dl.h): with the cache below, run
 * does not load it (nor the PAM, SELinux and audit libraries it needs) */
static const char *const subid_names[] = { "libsubid.so.4", "libsubid.so", NULL };
static struct dl_lib subid_lib = { subid_names, "libsubid4", NULL };

int userns_subid_ranges(const char *user, bool gid, unsigned long (*out)[2], int max)
{
	static __typeof__(subid_init) *init;
	static __typeof__(subid_get_uid_ranges) *get_uid;
	static __typeof__(subid_get_gid_ranges) *get_gid;
	struct subid_range *r = NULL;
	int n, k = 0;

	if (!init) {
		struct err e = ERR_INIT;
		FILE *null;
		if (!DL_SYM(&subid_lib, init, "subid_init", &e) ||
		    !DL_SYM(&subid_lib, get_uid, "subid_get_uid_ranges", &e) ||
		    !DL_SYM(&subid_lib, get_gid, "subid_get_gid_ranges", &e)) {
			log_warn("%s", e.msg);
			err_clear(&e);
			init = NULL;
			return -1;
		}
		/* libsubid logs to the stream given here; keep its chatter off stdout */
		null = fopen("/dev/null", "we");
		init("burrow", null ? null : stderr);
	}
	n = gid ? get_gid(user, &r) : get_uid(user, &r);
	if (n < 0) {
		free(r);
		return -1;
	}
	for (int i = 0; i < n && k < max; i++) {
		if (r[i].count == 0)
			continue;
		out[k][0] = r[i].start;
		out[k][1] = r[i].count;
		k++;
	}
	free(r);
	return k;
}

size_t idmap_build(struct idrange *dst, size_t max, unsigned long own, const unsigned long (*ranges)[2],
		   int nranges)
{
	size_t n = 0;
	unsigned long next = 1;

	if (max == 0)
		return 0;
	dst[n++] = (struct idrange){ 0, own, 1 };
	for (int i = 0; i < nranges && n < max; i++) {
		unsigned long start = ranges[i][0], count = ranges[i][1];
		/* never map the user's own id twice */
		if (own >= start && own < start + count)
			continue;
		if (count > 0xffffffffUL - next)
			count = 0xffffffffUL - next;
		if (count == 0)
			break;
		dst[n++] = (struct idrange){ next, start, count };
		next += count;
	}
	return n;
}

char **idmap_helper_argv(const char *prog, pid_t pid, const struct idrange *r, size_t n)
{
	char **v = xcalloc(2 + 3 * n + 1, sizeof(char *));
	size_t k = 0;

	v[k++] = xstrdup(prog);
	v[k++] = xasprintf("%d", (int)pid);
	for (size_t i = 0; i < n; i++) {
		v[k++] = xasprintf("%lu", r[i].inner);
		v[k++] = xasprintf("%lu", r[i].outer);
		v[k++] = xasprintf("%lu", r[i].count);
	}
	v[k] = NULL;
	return v;
}

char *idmap_text(const struct idrange *r, size_t n)
{
	char *s = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		char *t = xasprintf("%s%lu %lu %lu\n", s, r[i].inner, r[i].outer, r[i].count);
		free(s);
		s = t;
	}
	return s;
}

unsigned long idmap_size(const struct idrange *r, size_t n)
{
	unsigned long k = 0;
	for (size_t i = 0; i < n; i++)
		k += r[i].count;
	return k;
}

/* [inner, inner+count) of the intermediate namespace through m's ranges,
 * at container IDs from c on */
static int push_through(struct idrange *dst, size_t *n, unsigned long c, unsigned long inner,
			unsigned long count, const struct idrange *m, size_t mn)
{
	for (size_t k = 0; k < mn; k++) {
		unsigned long lo = inner > m[k].inner ? inner : m[k].inner;
		unsigned long hi = inner + count < m[k].inner + m[k].count ? inner + count
									   : m[k].inner + m[k].count;
		if (lo >= hi)
			continue;
		if (*n == IDMAP_MAX)
			return -1;
		dst[(*n)++] = (struct idrange){ c + (lo - inner), m[k].outer + (lo - m[k].inner), hi - lo };
	}
	return 0;
}

/* one kind: the container's ranges, then what they leave out of m above them */
static int compose_kind(struct idrange *dst, size_t *n, const struct idrange *o, size_t on,
			const struct idrange *m, size_t mn)
{
	unsigned long size = idmap_size(m, mn), next = 0, at = 0;

	*n = 0;
	for (size_t i = 0; i < on; i++) {
		if (push_through(dst, n, o[i].inner, o[i].outer, o[i].count, m, mn) < 0)
			return -1;
		if (o[i].inner + o[i].count > next)
			next = o[i].inner + o[i].count;
	}
	while (at < size) {
		unsigned long end = size;
		bool covered = false;
		for (size_t i = 0; i < on; i++) {
			if (at >= o[i].outer && at < o[i].outer + o[i].count) {
				at = o[i].outer + o[i].count;
				covered = true;
				break;
			}
			if (o[i].outer > at && o[i].outer < end)
				end = o[i].outer;
		}
		if (covered)
			continue;
		if (push_through(dst, n, next, at, end - at, m, mn) < 0)
			return -1;
		next += end - at;
		at = end;
	}
	return 0;
}

int userns_compose(const struct idmap *m, const struct userns_opts *o, struct idmap *out, struct err *e)
{
	memset(out, 0, sizeof *out);
	out->uid = m->uid;
	out->gid = m->gid;
	out->user = xstrdup(m->user ? m->user : "");
	out->single = m->single;
	if (compose_kind(out->uids, &out->nuids, o->uids, o->nuids, m->uids, m->nuids) < 0 ||
	    compose_kind(out->gids, &out->ngids, o->gids, o->ngids, m->gids, m->ngids) < 0) {
		idmap_free(out);
		return err_make(e, 0, "the container's ID map has too many ranges");
	}
	return 0;
}

unsigned long idmap_to_host(const struct idrange *r, size_t n, unsigned long inner)
{
	for (size_t i = 0; i < n; i++)
		if (inner >= r[i].inner && inner - r[i].inner < r[i].count)
			return r[i].outer + (inner - r[i].inner);
	return (unsigned long)-1;
}

#define SUBID_FILES "/etc/subuid and /etc/subgid"

static char *subid_source(void)
{
	_cleanup_fclose_ FILE *f = fopen("/etc/nsswitch.conf", "re");
	char line[512];

	while (f && fgets(line, sizeof line, f)) {
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (strncmp(s, "subid:", 6) == 0) {
			s += 6;
			while (*s == ' ' || *s == '\t')
				s++;
			s[strcspn(s, " \t\n#")] = '\0';
			if (*s && strcmp(s, "files") != 0)
				return xasprintf("nss module \"%s\" (nsswitch.conf subid:)", s);
		}
	}
	return xstrdup(SUBID_FILES);
}

/* ---- the range cache ----------------------------------------------------
 * Looking the ranges up means loading libsubid and its dependencies, about
 * 0.8 ms: too much for every run.  When the ranges come from the files,
 * the answer is cached under the runroot, keyed on the uid and on the
 * mtime and size of /etc/subuid, /etc/subgid and /etc/nsswitch.conf, so
 * an edit to any of them is seen at once.  Other sources (SSSD, LDAP) are
 * always asked.  The user's name is cached too ("n NAME", keyed on
 * /etc/passwd as well): a hit then needs neither the passwd lookup (NSS:
 * nsswitch.conf, nscd, /etc/passwd) nor a read of nsswitch.conf for the
 * source (a hit means it names the files).  BURROW_SUBID_CACHE_USER=0:
 * both are looked up on every run, as before. */
static bool cache_user_wanted(void)
{
	const char *v = getenv("BURROW_SUBID_CACHE_USER");

	return !(v && strcmp(v, "0") == 0);
}

static char *cache_key(uid_t uid)
{
	static const char *const files[] = { "/etc/subuid", "/etc/subgid", "/etc/nsswitch.conf",
					     "/etc/passwd" };
	char *key = xasprintf("v2 %u", (unsigned)uid);

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		struct stat st;
		char *k;
		if (stat(files[i], &st) < 0)
			memset(&st, 0, sizeof st);
		k = xasprintf("%s %lld.%09ld:%lld", key, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
			      (long long)st.st_size);
		free(key);
		key = k;
	}
	return key;
}

static int cache_read(const char *path, const char *key, unsigned long (*ur)[2], int *nu,
		      unsigned long (*gr)[2], int *ng, char **user)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char line[512];

	*nu = *ng = 0;
	if (!f || !fgets(line, sizeof line, f))
		return -1;
	line[strcspn(line, "\n")] = '\0';
	if (strcmp(line, key) != 0)
		/* cppcheck-suppress resourceLeak ; f is _cleanup_fclose_ */
		return -1;
	while (fgets(line, sizeof line, f)) {
		char kind;
		unsigned long a, b;
		if (strncmp(line, "n ", 2) == 0) {
			line[strcspn(line, "\n")] = '\0';
			if (user && line[2] && !*user)
				*user = xstrdup(line + 2);
			continue;
		}
		if (sscanf(line, "%c %lu %lu", &kind, &a, &b) != 3)
			return -1;
		if (kind == 'u' && *nu < IDMAP_MAX - 1) {
			ur[*nu][0] = a;
			ur[(*nu)++][1] = b;
		} else if (kind == 'g' && *ng < IDMAP_MAX - 1) {
			gr[*ng][0] = a;
			gr[(*ng)++][1] = b;
		}
	}
	return 0;
}

static void cache_write(const char *dir, const char *path, const char *key, const char *user,
			const unsigned long (*ur)[2], int nu, const unsigned long (*gr)[2], int ng)
{
	_cleanup_free_ char *txt = xasprintf("%s\nn %s\n", key, user);
	struct err e = ERR_INIT;

	for (int i = 0; i < nu; i++) {
		char *t = xasprintf("%su %lu %lu\n", txt, ur[i][0], ur[i][1]);
		free(txt);
		txt = t;
	}
	for (int i = 0; i < ng; i++) {
		char *t = xasprintf("%sg %lu %lu\n", txt, gr[i][0], gr[i][1]);
		free(txt);
		txt = t;
	}
	if (mkdir_p_at(AT_FDCWD, dir, 0700, &e) < 0 ||
	    write_file_atomic_at(AT_FDCWD, path, txt, strlen(txt), 0600, &e) < 0)
		log_debug("not caching the subordinate ranges: %s", e.msg);
	err_clear(&e);
}

int userns_lookup(struct idmap *m, enum idmap_mode mode, struct err *e)
{
	return userns_lookup_cached(m, mode, NULL, e);
}

int userns_lookup_cached(struct idmap *m, enum idmap_mode mode, const char *cache_dir, struct err *e)
{
	unsigned long ur[IDMAP_MAX][2], gr[IDMAP_MAX][2];
	_cleanup_free_ char *key = NULL, *path = NULL;
	struct passwd *pw;
	int nu, ng;
	bool tried = false;

	(void)e;
	memset(m, 0, sizeof *m);
	m->uid = getuid();
	m->gid = getgid();
	if (mode != IDMAP_SINGLE && cache_dir && cache_user_wanted()) {
		key = cache_key(m->uid);
		path = xasprintf("%s/subid-cache", cache_dir);
		tried = true;
		if (cache_read(path, key, ur, &nu, gr, &ng, &m->user) == 0 && m->user) {
			m->source = xstrdup(SUBID_FILES);
			goto ranges;
		}
		free(m->user);
		m->user = NULL;
	}
	pw = getpwuid(m->uid);
	m->user = pw ? xstrdup(pw->pw_name) : xasprintf("%u", (unsigned)m->uid);
	m->source = subid_source();

	if (mode == IDMAP_SINGLE) {
		m->fallback_reason = xstrdup(
			"the single-ID map was asked for (BURROW_IDMAP or idmap = single)");
		goto single;
	}
	if (cache_dir && strncmp(m->source, "nss module", 10) != 0) {
		if (!key) {
			key = cache_key(m->uid);
			path = xasprintf("%s/subid-cache", cache_dir);
		}
	} else {
		free(key);
		key = NULL;
	}
	if (!key || tried || cache_read(path, key, ur, &nu, gr, &ng, NULL) < 0) {
		nu = userns_subid_ranges(m->user, false, ur, IDMAP_MAX - 1);
		ng = userns_subid_ranges(m->user, true, gr, IDMAP_MAX - 1);
		if (key && nu >= 0 && ng >= 0)
			cache_write(cache_dir, path, key, m->user, (const unsigned long(*)[2])ur, nu,
				    (const unsigned long(*)[2])gr, ng);
	}
ranges:
	if (nu <= 0 || ng <= 0) {
		m->fallback_reason = xasprintf("no subordinate %s range for user %s in %s",
					       nu <= 0 ? "uid" : "gid", m->user, m->source);
		goto single;
	}
	m->nuids = idmap_build(m->uids, IDMAP_MAX, m->uid, (const unsigned long(*)[2])ur, nu);
	m->ngids = idmap_build(m->gids, IDMAP_MAX, m->gid, (const unsigned long(*)[2])gr, ng);
	if (m->nuids < 2 || m->ngids < 2) {
		m->fallback_reason = xasprintf("the subordinate range of %s overlaps its own id", m->user);
		goto single;
	}
	return 0;
single:
	m->single = true;
	m->uids[0] = (struct idrange){ 0, m->uid, 1 };
	m->gids[0] = (struct idrange){ 0, m->gid, 1 };
	m->nuids = m->ngids = 1;
	return 0;
}

void idmap_free(struct idmap *m)
{
	free(m->user);
	free(m->source);
	free(m->fallback_reason);
	memset(m, 0, sizeof *m);
}

char *userns_find_helper(const char *name, struct err *e)
{
	static const char *const dirs[] = { "/usr/bin", "/bin", "/usr/sbin", "/usr/local/bin", NULL };
	return userns_find_helper_in(dirs, name, e);
}

char *userns_find_helper_in(const char *const *dirs, const char *name, struct err *e)
{
	struct stat st;

	for (size_t i = 0; dirs[i]; i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", dirs[i], name);
		if (stat(p, &st) < 0)
			continue;
		if ((st.st_mode & S_ISUID) && st.st_uid == 0)
			return steal_ptr(p);
		if (getxattr(p, "security.capability", NULL, 0) > 0)
			return steal_ptr(p);
		err_make(e, 0,
			 "%s is neither setuid root nor has file capabilities; fix: as root run "
			 "'chmod u+s %s' (or 'setcap cap_setuid,cap_setgid+ep %s'), or reinstall the "
			 "uidmap package",
			 p, p, p);
		return NULL;
	}
	err_make(e, 0,
		 "%s not found; fix: as root run 'apt-get install uidmap' (or your distribution's "
		 "shadow-utils/uidmap package), or set idmap = single in burrow.conf to run with one ID",
		 name);
	return NULL;
}

static int write_proc(pid_t pid, const char *file, const char *data, struct err *e)
{
	_cleanup_free_ char *p = xasprintf("/proc/%d/%s", (int)pid, file);
	return write_file_at(AT_FDCWD, p, data, e);
}

static int start_helper(struct idmap_helper *h, const char *prog, pid_t target, const struct idrange *r,
			size_t n, struct err *e)
{
	_cleanup_strv_ char **argv = idmap_helper_argv(prog, target, r, n);
	posix_spawn_file_actions_t fa;
	int p[2], rc;

	if (pipe2(p, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDERR_FILENO);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	rc = posix_spawn(&h->pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		return err_make(e, rc, "running %s", prog);
	}
	h->errfd = p[0];
	h->prog = prog;
	return 0;
}

static int finish_helper(struct idmap_helper *h, struct err *e)
{
	char buf[1024];
	ssize_t n = read_all(h->errfd, buf, sizeof buf - 1);
	int st;

	close(h->errfd);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	while (waitpid(h->pid, &st, 0) < 0)
		if (errno != EINTR)
			return err_make(e, errno, "waiting for %s", h->prog);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	return err_make(e, 0, "%s failed: %s (check the ranges in /etc/subuid and /etc/subgid)", h->prog,
			buf[0] ? buf : "no message");
}

int userns_maps_start(pid_t pid, const struct idmap *m, struct idmap_job *j, struct err *e)
{
	memset(j, 0, sizeof *j);
	if (m->single) {
		_cleanup_free_ char *u = idmap_text(m->uids, m->nuids);
		_cleanup_free_ char *g = idmap_text(m->gids, m->ngids);
		if (write_proc(pid, "setgroups", "deny", e) < 0 || write_proc(pid, "uid_map", u, e) < 0 ||
		    write_proc(pid, "gid_map", g, e) < 0)
			return err_wrap(e, "writing the single-ID map");
		return 0;
	}
	if (!(j->progs[0] = userns_find_helper("newuidmap", e)) ||
	    !(j->progs[1] = userns_find_helper("newgidmap", e)))
		goto fail;
	/* both helpers run at once; each takes a millisecond or so */
	if (start_helper(&j->h[0], j->progs[0], pid, m->uids, m->nuids, e) < 0)
		goto fail;
	j->n = 1;
	if (start_helper(&j->h[1], j->progs[1], pid, m->gids, m->ngids, e) < 0)
		goto fail;
	j->n = 2;
	return 0;
fail : {
	struct err ignore = ERR_INIT;
	userns_maps_finish(j, &ignore);
	err_clear(&ignore);
	return -1;
}
}

int userns_maps_finish(struct idmap_job *j, struct err *e)
{
	int rc = 0;

	for (int i = 0; i < j->n; i++) {
		struct err he = ERR_INIT;
		if (finish_helper(&j->h[i], &he) < 0 && rc == 0) {
			*e = he;
			rc = -1;
		} else {
			err_clear(&he);
		}
	}
	free(j->progs[0]);
	free(j->progs[1]);
	memset(j, 0, sizeof *j);
	return rc;
}

int userns_write_maps(pid_t pid, const struct idmap *m, struct err *e)
{
	struct idmap_job j;

	if (userns_maps_start(pid, m, &j, e) < 0)
		return -1;
	return userns_maps_finish(&j, e);
}

int userns_become_root(const struct idmap *m, struct err *e)
{
	if (setresgid(0, 0, 0) < 0)
		return err_make(e, errno, "setresgid(0) in the user namespace");
	if (!m->single && setgroups(0, NULL) < 0)
		return err_make(e, errno, "setgroups in the user namespace");
	if (setresuid(0, 0, 0) < 0)
		return err_make(e, errno, "setresuid(0) in the user namespace");
	return 0;
}

void err_send(int fd, const struct err *e)
{
	struct {
		int errnum, status;
	} hdr = { e->errnum, e->status };
	size_t len = e->msg ? strlen(e->msg) : 0;
	char buf[4096];

	if (len > sizeof buf - sizeof hdr)
		len = sizeof buf - sizeof hdr;
	memcpy(buf, &hdr, sizeof hdr);
	if (len)
		memcpy(buf + sizeof hdr, e->msg, len);
	if (write_all(fd, buf, sizeof hdr + len) < 0) {
		/* the parent is gone; nothing to report to */
	}
}

int err_recv(int fd, struct err *e)
{
	char buf[4096 + 1];
	struct {
		int errnum, status;
	} hdr;
	ssize_t n = read_all(fd, buf, sizeof buf - 1);

	if (n < 0)
		return -1;
	if ((size_t)n < sizeof hdr)
		return 0;
	memcpy(&hdr, buf, sizeof hdr);
	buf[n] = '\0';
	err_clear(e);
	e->errnum = hdr.errnum;
	e->status = hdr.status;
	e->msg = xstrdup(buf + sizeof hdr);
	return 1;
}

int userns_run(const struct idmap *m, unsigned long extra_flags, userns_fn fn, void *arg, char **out,
	       size_t *outlen, int *wstatus, struct err *e)
{
	int sync[2] = { -1, -1 }, errp[2] = { -1, -1 }, outp[2] = { -1, -1 };
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;
	pid_t parent = getpid(), pid;
	int st, rc = 0;

	if (pipe2(sync, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 || pipe2(outp, O_CLOEXEC) < 0) {
		rc = err_make(e, errno, "pipe");
		goto out;
	}
	pid = sys_clone_ns(CLONE_NEWUSER | extra_flags);
	if (pid < 0) {
		rc = err_make(e, errno, "creating a user namespace (clone)");
		goto out;
	}
	if (pid == 0) {
		struct err ce = ERR_INIT;
		char c;
		close(sync[1]);
		close(errp[0]);
		close(outp[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(125);
		if (read(sync[0], &c, 1) != 1)
			_exit(125);
		if (userns_become_root(m, &ce) < 0 || fn(arg, outp[1], &ce) < 0) {
			err_send(errp[1], &ce);
			_exit(ce.status ? ce.status : 125);
		}
		_exit(0);
	}
	close(sync[0]);
	sync[0] = -1;
	close(errp[1]);
	errp[1] = -1;
	close(outp[1]);
	outp[1] = -1;
	if (userns_write_maps(pid, m, e) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		rc = -1;
		goto out;
	}
	if (write(sync[1], "1", 1) != 1) {
		rc = err_make(e, errno, "starting the user namespace child");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto out;
	}
	close(sync[1]);
	sync[1] = -1;
	for (;;) {
		ssize_t r;
		if (len + 4096 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = xrealloc(buf, cap);
		}
		r = read(outp[0], buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			rc = err_make(e, errno, "waiting for the user namespace child");
			goto out;
		}
	}
	if (err_recv(errp[0], e) > 0) {
		rc = -1;
		goto out;
	}
	if (wstatus)
		*wstatus = st;
	else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		rc = err_make(e, 0, "the user namespace child %s %d",
			      WIFSIGNALED(st) ? "was killed by signal" : "exited with",
			      WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		goto out;
	}
	if (out) {
		if (!buf)
			buf = xmalloc(1);
		buf[len] = '\0';
		*out = steal_ptr(buf);
	}
	if (outlen)
		*outlen = len;
out:
	for (int i = 0; i < 2; i++) {
		if (sync[i] >= 0)
			close(sync[i]);
		if (errp[i] >= 0)
			close(errp[i]);
		if (outp[i] >= 0)
			close(outp[i]);
	}
	return rc;
}
