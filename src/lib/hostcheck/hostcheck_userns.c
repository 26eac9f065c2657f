/* hostcheck_userns.c - the checks about IDs and user namespaces: newuidmap
 * and newgidmap, the subordinate ranges, the sysctls and AppArmor that gate
 * unprivileged user namespaces, and the probe that creates one with the
 * user's map (and tries a kernel overlay mount inside it).  See hostcheck.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostcheck.h"
#include "hostcheck_int.h"
#include "lib/runtime/rootemu.h"
#include "lib/base/util.h"

/* A sysctl as a number: 1 and *val set, 0 if absent, -1 if unreadable. */
static int read_sysctl(const char *path, long *val)
{
	_cleanup_free_ char *s = NULL;
	char *end;

	if (access(path, F_OK) < 0)
		return 0;
	s = hc_read_line(path);
	if (!s)
		return -1;
	errno = 0;
	*val = strtol(s, &end, 10);
	return (errno || end == s) ? -1 : 1;
}

/* Split "problem; fix: remedy" as userns_find_helper() writes it. */
static void split_fix(const char *msg, char **detail, char **fix)
{
	const char *f = msg ? strstr(msg, "; fix: ") : NULL;

	if (!f) {
		*detail = xstrdup(msg ? msg : "unknown error");
		*fix = NULL;
		return;
	}
	*detail = xasprintf("%.*s", (int)(f - msg), msg);
	*fix = xstrdup(f + 7);
}

/* ---- the user namespace and overlay probe ---- */

struct probe_arg {
	const char *base; /* probe directory with lower/upper/work/merged, or NULL */
};

static void copy_map(int outfd, const char *file, char tag)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	unsigned long a, b, n;

	while (f && fscanf(f, "%lu %lu %lu", &a, &b, &n) == 3)
		dprintf(outfd, "%c %lu %lu %lu\n", tag, a, b, n);
}

/* Runs as root in a new user+mount namespace: report the maps we got, then
 * mount a kernel overlay with userxattr and exercise lookup, copy-up and a
 * whiteout (what image layers need).  Results go to outfd as text. */
static int probe_child(void *arg, int outfd, struct err *e)
{
	const struct probe_arg *a = arg;
	struct stat st;
	const char *step;
	int fd;

	(void)e;
	copy_map(outfd, "/proc/self/uid_map", 'U');
	copy_map(outfd, "/proc/self/gid_map", 'G');
	if (!a->base) {
		dprintf(outfd, "O -1 no probe directory\n");
		return 0;
	}
	step = "chdir to the probe directory";
	if (chdir(a->base) < 0)
		goto fail;
	step = "mount -t overlay -o userxattr";
	if (mount("overlay", "merged", "overlay", 0, "lowerdir=lower,upperdir=upper,workdir=work,userxattr") <
	    0)
		goto fail;
	step = "reading a lower file through the overlay";
	if (stat("merged/probe", &st) < 0)
		goto fail_mounted;
	step = "creating a file in the overlay";
	fd = open("merged/new", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail_mounted;
	close(fd);
	step = "finding the new file in the upper directory";
	if (stat("upper/new", &st) < 0)
		goto fail_mounted;
	step = "deleting a lower file (whiteout)";
	if (unlink("merged/probe") < 0)
		goto fail_mounted;
	if (stat("upper/probe", &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != 0) {
		errno = EOPNOTSUPP;
		step = "checking the whiteout in the upper directory";
		goto fail_mounted;
	}
	umount2("merged", MNT_DETACH);
	dprintf(outfd, "O 0 ok\n");
	return 0;
fail_mounted : {
	int saved = errno;
	umount2("merged", MNT_DETACH);
	errno = saved;
}
fail:
	dprintf(outfd, "O %d %s\n", errno, step);
	return 0;
}

/* Make base/{lower,upper,work,merged} and lower/probe under dir; NULL on failure. */
static char *make_probe_dir(const char *dir, struct err *e)
{
	_cleanup_free_ char *tmpl = xasprintf("%s/.info-probe-XXXXXX", dir);
	static const char *const sub[] = { "lower", "upper", "work", "merged" };
	_cleanup_close_ int dfd = -1;
	int fd;

	if (mkdir_p_at(AT_FDCWD, dir, 0700, e) < 0)
		return NULL;
	if (!mkdtemp(tmpl)) {
		err_make(e, errno, "creating a probe directory in %s", dir);
		return NULL;
	}
	dfd = open(tmpl, O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = 0; dfd >= 0 && i < ARRAY_SIZE(sub); i++)
		if (mkdirat(dfd, sub[i], 0755) < 0)
			goto fail;
	if (dfd < 0)
		goto fail;
	fd = openat(dfd, "lower/probe", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	close(fd);
	return steal_ptr(tmpl);
fail : {
	struct err ignore = ERR_INIT;
	err_make(e, errno, "preparing the probe directory %s", tmpl);
	rm_rf_at(AT_FDCWD, tmpl, &ignore);
	err_clear(&ignore);
}
	return NULL;
}

static bool parse_maps(const char *out, char tag, struct idrange *r, size_t max, size_t *n)
{
	const char *p = out;

	*n = 0;
	while (p && *p) {
		unsigned long a, b, c;
		if (p[0] == tag && sscanf(p + 1, "%lu %lu %lu", &a, &b, &c) == 3 && *n < max)
			r[(*n)++] = (struct idrange){ a, b, c };
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return *n > 0;
}

static bool same_map(const struct idrange *a, size_t na, const struct idrange *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (a[i].inner != b[i].inner || a[i].outer != b[i].outer || a[i].count != b[i].count)
			return false;
	return true;
}

static char *map_words(const struct idrange *r, size_t n)
{
	char *s = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		char *t = xasprintf("%s%s%lu:%lu:%lu", s, i ? "," : "", r[i].inner, r[i].outer, r[i].count);
		free(s);
		s = t;
	}
	return s;
}

/* Everything the sysctl checks found, for the userns fix. */
struct sysctls {
	int has_max, has_clone, has_aa;
	long max_userns, clone, aa;
};

static char *userns_fix(const struct hostinfo *h, const struct sysctls *s, const char *msg)
{
	_cleanup_free_ char *d = NULL, *f = NULL;

	if (s->has_max == 1 && s->max_userns <= 0)
		return xstrdup("as root run `sysctl -w user.max_user_namespaces=28633` (see the "
			       "max_user_namespaces check)");
	if (s->has_clone == 1 && s->clone != 1)
		return xstrdup("as root run `sysctl -w kernel.unprivileged_userns_clone=1` (see the "
			       "unprivileged_userns_clone check)");
	if (s->has_aa == 1 && s->aa != 0)
		return xstrdup("allow burrow in AppArmor (see the apparmor_restrict_unprivileged_userns "
			       "check)");
	split_fix(msg, &d, &f);
	if (f)
		return steal_ptr(f);
	if (!h->idmap.single)
		return xasprintf("check the ranges of %s in /etc/subuid and /etc/subgid; "
				 "`BURROW_IDMAP=single burrow info` tells whether the single-ID map works",
				 h->idmap.user);
	return xstrdup("check that the kernel allows unprivileged user namespaces "
		       "(CONFIG_USER_NS, container or seccomp policies of the host)");
}

static void run_probe(struct hostinfo *h, const struct config *c, const struct sysctls *s)
{
	struct err e = ERR_INIT;
	struct probe_arg a = { NULL };
	_cleanup_free_ char *base = NULL, *out = NULL, *perr = NULL;
	struct idrange got_u[IDMAP_MAX + 4], got_g[IDMAP_MAX + 4];
	size_t nu = 0, ng = 0;
	const char *p;

	/* probe where container upper directories live: the store root */
	base = make_probe_dir(c->root, &e);
	if (!base) {
		perr = xstrdup(e.msg);
		h->store_error = xstrdup(e.msg);
		err_clear(&e);
	}
	a.base = base;
	if (userns_run(&h->idmap, CLONE_NEWNS, probe_child, &a, &out, NULL, NULL, &e) < 0) {
		_cleanup_free_ char *d = NULL, *f = NULL;
		split_fix(e.msg, &d, &f);
		hc_add_check(h, "userns", CHECK_FAIL, xasprintf("cannot create a user namespace: %s", d),
			     userns_fix(h, s, e.msg));
		h->kernel_overlay_error = xstrdup("not tested: no user namespace");
		err_clear(&e);
		goto out;
	}
	parse_maps(out, 'U', got_u, ARRAY_SIZE(got_u), &nu);
	parse_maps(out, 'G', got_g, ARRAY_SIZE(got_g), &ng);
	if (!same_map(got_u, nu, h->idmap.uids, h->idmap.nuids) ||
	    !same_map(got_g, ng, h->idmap.gids, h->idmap.ngids)) {
		_cleanup_free_ char *wu = map_words(h->idmap.uids, h->idmap.nuids);
		_cleanup_free_ char *gu = map_words(got_u, nu);
		_cleanup_free_ char *wg = map_words(h->idmap.gids, h->idmap.ngids);
		_cleanup_free_ char *gg = map_words(got_g, ng);
		hc_add_check(h, "userns", CHECK_FAIL,
			     xasprintf("created a user namespace, but its maps differ: uid map %s (wanted "
				       "%s), gid map %s (wanted %s)",
				       gu, wu, gg, wg),
			     xasprintf("check the ranges of %s in /etc/subuid and /etc/subgid",
				       h->idmap.user));
	} else {
		_cleanup_free_ char *wu = map_words(got_u, nu);
		_cleanup_free_ char *wg = map_words(got_g, ng);
		h->userns_ok = true;
		hc_add_check(h, "userns", CHECK_OK,
			     xasprintf("created a user namespace as root inside; uid map %s, gid map %s", wu,
				       wg),
			     NULL);
	}
	p = out ? strstr(out, "O ") : NULL;
	if (perr) {
		h->kernel_overlay_error = xasprintf("not tested: %s", perr);
	} else if (!p) {
		h->kernel_overlay_error = xstrdup("the probe gave no answer");
	} else {
		int en = 0, off = 0;
		if (sscanf(p, "O %d %n", &en, &off) < 1 || off == 0) {
			h->kernel_overlay_error = xstrdup("the probe gave a garbled answer");
		} else if (en == 0) {
			h->kernel_overlay_ok = true;
		} else {
			char *step = xstrdup(p + off);
			step[strcspn(step, "\n")] = '\0';
			h->kernel_overlay_error = en > 0 ? xasprintf("%s: %s", step, strerror(en))
							 : xstrdup(step);
			free(step);
		}
	}
out:
	if (base)
		rm_rf_at(AT_FDCWD, base, &e);
	err_clear(&e);
}

static void check_helpers(struct hostinfo *h)
{
	static const char *const names[] = { "newuidmap", "newgidmap" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		struct err e = ERR_INIT;
		_cleanup_free_ char *p = userns_find_helper(names[i], &e);
		struct stat st;

		if (p) {
			bool suid = stat(p, &st) == 0 && (st.st_mode & S_ISUID) && st.st_uid == 0;
			hc_add_check(h, names[i], CHECK_OK,
				     xasprintf("%s (%s)", p, suid ? "setuid root" : "file capabilities"),
				     NULL);
		} else {
			char *d, *f;
			split_fix(e.msg, &d, &f);
			if (h->idmap.single) {
				char *t = xasprintf("%s; not needed for the single-ID map in use now", d);
				free(d);
				d = t;
			}
			hc_add_check(h, names[i], h->idmap.single ? CHECK_WARN : CHECK_FAIL, d, f);
		}
		err_clear(&e);
	}
}

/* First start at or above 100000 past every range in /etc/subuid and /etc/subgid. */
static unsigned long free_subid_start(void)
{
	static const char *const files[] = { "/etc/subuid", "/etc/subgid" };
	unsigned long start = 100000;

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_fclose_ FILE *f = fopen(files[i], "re");
		char line[512];
		while (f && fgets(line, sizeof line, f)) {
			char *c = strchr(line, ':');
			unsigned long s, n;
			if (c && sscanf(c, ":%lu:%lu", &s, &n) == 2 && s + n > start && s + n < 0xffff0000UL)
				start = s + n;
		}
	}
	return start;
}

static void check_subids(struct hostinfo *h, const struct config *c)
{
	const struct idmap *m = &h->idmap;
	_cleanup_free_ char *u = NULL, *g = NULL;

	if (!m->single) {
		u = map_words(m->uids + 1, m->nuids - 1);
		g = map_words(m->gids + 1, m->ngids - 1);
		unsigned long nu = 0, ng = 0;
		for (size_t i = 1; i < m->nuids; i++)
			nu += m->uids[i].count;
		for (size_t i = 1; i < m->ngids; i++)
			ng += m->gids[i].count;
		hc_add_check(
			h, "subordinate-ids", CHECK_OK,
			xasprintf("%s has %lu subordinate uids and %lu gids from %s (container:host:size "
				  "uids %s, gids %s)",
				  m->user, nu, ng, m->source, u, g),
			NULL);
		return;
	}
	if (c->idmap == IDMAP_SINGLE) {
		const char *env = getenv("BURROW_IDMAP");
		hc_add_check(h, "subordinate-ids", CHECK_WARN,
			     xasprintf("%s; containers run with a single ID (root only)",
				       m->fallback_reason ? m->fallback_reason : "single-ID map"),
			     env && *env ? xstrdup("unset BURROW_IDMAP (or set BURROW_IDMAP=auto)")
					 : xasprintf("set `idmap = auto` in %s",
						     c->conf_path ? c->conf_path : "burrow.conf"));
		return;
	}
	{
		unsigned long s = free_subid_start();
		hc_add_check(h, "subordinate-ids", CHECK_WARN,
			     xasprintf("%s; single-ID fallback in use: containers run with a single ID (root "
				       "only)",
				       m->fallback_reason ? m->fallback_reason : "no subordinate range"),
			     xasprintf("as root run `usermod --add-subuids %lu-%lu --add-subgids %lu-%lu %s`",
				       s, s + 65535, s, s + 65535, m->user));
	}
}

static void check_sysctls(struct hostinfo *h, struct sysctls *s)
{
	s->has_max = read_sysctl("/proc/sys/user/max_user_namespaces", &s->max_userns);
	if (s->has_max == 1 && s->max_userns > 0)
		hc_add_check(h, "max_user_namespaces", CHECK_OK,
			     xasprintf("user.max_user_namespaces = %ld", s->max_userns), NULL);
	else if (s->has_max == 1)
		hc_add_check(
			h, "max_user_namespaces", CHECK_FAIL,
			xasprintf("user.max_user_namespaces = %ld: user namespaces are disabled",
				  s->max_userns),
			xstrdup("as root run `sysctl -w user.max_user_namespaces=28633` and add the line "
				"`user.max_user_namespaces = 28633` to /etc/sysctl.d/99-burrow.conf"));
	else
		hc_add_check(h, "max_user_namespaces", CHECK_FAIL,
			     xstrdup("/proc/sys/user/max_user_namespaces is missing: the kernel has no user "
				     "namespaces"),
			     xstrdup("use a kernel built with CONFIG_USER_NS=y"));

	s->has_clone = read_sysctl("/proc/sys/kernel/unprivileged_userns_clone", &s->clone);
	if (s->has_clone == 1)
		hc_add_check(h, "unprivileged_userns_clone", s->clone == 1 ? CHECK_OK : CHECK_FAIL,
			     xasprintf("kernel.unprivileged_userns_clone = %ld", s->clone),
			     xstrdup("as root run `sysctl -w kernel.unprivileged_userns_clone=1` and add the "
				     "line `kernel.unprivileged_userns_clone = 1` to "
				     "/etc/sysctl.d/99-burrow.conf"));
	s->has_aa = read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", &s->aa);
}

static void check_apparmor(struct hostinfo *h, const struct sysctls *s)
{
	if (s->has_aa != 1)
		return;
	if (s->aa == 0) {
		hc_add_check(h, "apparmor_restrict_unprivileged_userns", CHECK_OK,
			     xstrdup("kernel.apparmor_restrict_unprivileged_userns = 0"), NULL);
		return;
	}
	hc_add_check(
		h, "apparmor_restrict_unprivileged_userns", h->userns_ok ? CHECK_OK : CHECK_FAIL,
		xasprintf("kernel.apparmor_restrict_unprivileged_userns = %ld%s", s->aa,
			  h->userns_ok ? ", but an AppArmor profile lets burrow use user namespaces"
				       : ": AppArmor denies unprivileged user namespaces"),
		xasprintf("as root add an AppArmor profile: `printf 'abi <abi/4.0>,\\ninclude "
			  "<tunables/global>\\nprofile burrow %s flags=(unconfined) {\\n  userns,\\n}\\n' "
			  "> /etc/apparmor.d/burrow && apparmor_parser -r /etc/apparmor.d/burrow`, or "
			  "run `sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`",
			  h->exe));
}

/* With the single-ID map, say what `burrow build` does about it, after
 * loading the filter in a child (it cannot be unloaded). */
static void check_rootemu(struct hostinfo *h)
{
	static const char what[] =
		"`burrow build` runs RUN steps with root emulation by default, because only root is "
		"mapped: chown, setuid/setgid, setgroups and mknod of devices succeed without effect, "
		"and apt is told not to switch to _apt; disable it with --userns-emulation=off";
	_cleanup_free_ char *msg = NULL;
	char buf[512];
	int p[2], st = 0;
	ssize_t n = 0;
	pid_t pid;

	if (!h->idmap.single)
		return;
	h->root_emulation = true;
	if (pipe2(p, O_CLOEXEC) < 0) {
		msg = xasprintf("pipe: %s", strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid == 0) {
		struct err e = ERR_INIT;
		close(p[0]);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			err_make(&e, errno, "setting no_new_privs");
		else if (rootemu_install(&e) == 0)
			_exit(0);
		if (write(p[1], e.msg, strlen(e.msg)) < 0)
			_exit(2);
		_exit(1);
	}
	close(p[1]);
	if (pid > 0)
		n = read_all(p[0], buf, sizeof buf - 1);
	close(p[0]);
	if (pid < 0)
		msg = xasprintf("fork: %s", strerror(errno));
	else if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		msg = n > 0 ? xasprintf("%.*s", (int)n, buf)
			    : xasprintf("the probe failed (status 0x%x)", st);
out:
	h->rootemu_ok = !msg;
	if (!msg)
		hc_add_check(h, "root-emulation", CHECK_OK, xasprintf("%s", what), NULL);
	else
		hc_add_check(h, "root-emulation", CHECK_WARN,
			     xasprintf("%s; but its seccomp filter does not load here (%s), so such builds "
				       "fail",
				       what, msg),
			     xstrdup("use a kernel with CONFIG_SECCOMP_FILTER=y, or get subordinate IDs "
				     "(see the subordinate-ids check)"));
}

void hc_check_userns(struct hostinfo *h, const struct config *c)
{
	struct sysctls s;

	memset(&s, 0, sizeof s);
	check_helpers(h);
	check_subids(h, c);
	check_rootemu(h);
	check_sysctls(h, &s);
	run_probe(h, c, &s);
	check_apparmor(h, &s);
}
