/* spec.c - see spec.h */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

#include "spec.h"
#include "netspec.h"
#include "lib/base/safeopen.h"
#include "lib/base/util.h"

/* the user databases of an image are small; a bigger one is hostile */
#define USERDB_MAX (4u << 20)
#define ENV_FILE_MAX (4u << 20)

/* ---- paths ---------------------------------------------------------------- */

/* Normalise an absolute path: collapse repeated slashes, drop "." and a
 * trailing slash.  ".." components are an error unless allow_dotdot. */
static int normalise_abs(const char *in, bool allow_dotdot, const char *what, char **out, struct err *e)
{
	_cleanup_free_ char *res = NULL;
	size_t n = 0;
	const char *p = in;

	if (in[0] != '/')
		return err_make(e, 0, "%s \"%s\" must be an absolute path", what, in);
	res = xmalloc(strlen(in) + 2);
	while (*p) {
		size_t len;
		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len == 0)
			break;
		if (len == 1 && p[0] == '.') {
			p += len;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.' && !allow_dotdot)
			return err_make(e, 0, "%s \"%s\" must not contain \"..\"", what, in);
		res[n++] = '/';
		memcpy(res + n, p, len);
		n += len;
		p += len;
	}
	if (n == 0)
		res[n++] = '/';
	res[n] = '\0';
	*out = steal_ptr(res);
	return 0;
}

static int container_dst(const char *in, const char *what, char **out, struct err *e)
{
	_cleanup_free_ char *d = NULL;

	if (in[0] == '\0')
		return err_make(e, 0, "%s: empty container path", what);
	if (normalise_abs(in, false, what, &d, e) < 0)
		return -1;
	if (strcmp(d, "/") == 0)
		return err_make(e, 0, "%s \"%s\": cannot mount over the container's /", what, in);
	*out = steal_ptr(d);
	return 0;
}

/* ---- -v/--volume -------------------------------------------------------- */

static const char *const volume_ignored[] = { "z", "Z", "bind", "rbind" };

static const struct {
	const char *name;
	unsigned long set, clear;
} volume_flags[] = {
	{ "nosuid", MS_NOSUID, 0 }, { "suid", 0, MS_NOSUID },   { "nodev", MS_NODEV, 0 },
	{ "dev", 0, MS_NODEV },     { "noexec", MS_NOEXEC, 0 }, { "exec", 0, MS_NOEXEC },
};

unsigned long volume_propagation(const char *name)
{
	static const struct {
		const char *name;
		unsigned long flags;
	} modes[] = {
		{ "private", MS_PRIVATE },       { "rprivate", MS_PRIVATE | MS_REC },
		{ "shared", MS_SHARED },         { "rshared", MS_SHARED | MS_REC },
		{ "slave", MS_SLAVE },           { "rslave", MS_SLAVE | MS_REC },
		{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
	};
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		if (strcmp(name, modes[i].name) == 0)
			return modes[i].flags;
	return 0;
}

bool volume_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 255 || !isalnum((unsigned char)name[0]) || strstr(name, ".."))
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

/* a host source: absolute, or relative to the working directory */
static int host_source(const char *in, char **out, struct err *e)
{
	_cleanup_free_ char *abs = NULL;

	if (in[0] != '/') {
		_cleanup_free_ char *cwd = getcwd(NULL, 0);
		if (!cwd)
			return err_make(e, errno, "volume source \"%s\": finding the working directory", in);
		abs = xasprintf("%s/%s", cwd, in);
	}
	return normalise_abs(abs ? abs : in, true, "volume source", out, e);
}

/* the comma-separated options of -v (also --mount's): 0, or -1 with e */
static int volume_options(const char *s, char *opts, struct volume_spec *v, struct err *e)
{
	bool ro = false, rw = false;
	char *o;

	while ((o = strsep(&opts, ","))) {
		bool known = false;
		if (*o == '\0')
			return err_make(e, 0, "invalid volume \"%s\": empty option", s);
		if (strcmp(o, "ro") == 0) {
			ro = known = true;
		} else if (strcmp(o, "rw") == 0) {
			rw = known = true;
		} else if (strcmp(o, "U") == 0) {
			v->chown = known = true;
		} else if (strcmp(o, "nocopy") == 0 || strcmp(o, "copy") == 0) {
			v->nocopy = o[0] == 'n';
			known = true;
		} else if (volume_propagation(o)) {
			v->propagation = volume_propagation(o);
			known = true;
		}
		for (size_t i = 0; !known && i < ARRAY_SIZE(volume_flags); i++) {
			if (strcmp(o, volume_flags[i].name) == 0) {
				v->flags = (v->flags | volume_flags[i].set) & ~volume_flags[i].clear;
				known = true;
			}
		}
		for (size_t i = 0; !known && i < ARRAY_SIZE(volume_ignored); i++)
			known = strcmp(o, volume_ignored[i]) == 0;
		if (!known)
			return err_make(e, 0, "invalid volume \"%s\": unknown option \"%s\"", s, o);
	}
	if (ro && rw)
		return err_make(e, 0, "invalid volume \"%s\": \"ro\" and \"rw\" conflict", s);
	v->readonly = ro;
	return 0;
}

int parse_volume(const char *s, struct volume_spec *v, struct err *e)
{
	_cleanup_free_ char *buf = xstrdup(s);
	struct volume_spec r;
	char *parts[3] = { NULL, NULL, NULL };
	char *p = buf;
	int n = 0;

	memset(v, 0, sizeof *v);
	memset(&r, 0, sizeof r);
	for (char *c = p;; c++) {
		if (*c == ':' || *c == '\0') {
			bool end = *c == '\0';
			if (n == 3)
				return err_make(e, 0, "invalid volume \"%s\": want [SRC:]DST[:OPTIONS]", s);
			*c = '\0';
			parts[n++] = p;
			p = c + 1;
			if (end)
				break;
		}
	}
	/* a lone absolute path is an anonymous volume (so is "/dst:OPTS" with
	 * known options, as docker reads it, but not "/a:/b", a bind mount) */
	if (n == 1 || (n == 2 && parts[0][0] == '/' && parts[1][0] != '/' && parts[1][0] != '\0')) {
		if (parts[0][0] != '/')
			return err_make(e, 0, "invalid volume \"%s\": want [SRC:]DST[:OPTIONS]", s);
		r.is_volume = r.anonymous = true;
		if (n == 2)
			r.mode = xstrdup(parts[1]);
		if (container_dst(parts[0], "volume destination", &r.dst, e) < 0) {
			volume_spec_free(&r);
			return err_wrap(e, "invalid volume \"%s\"", s);
		}
		if (n == 2 && volume_options(s, parts[1], &r, e) < 0) {
			volume_spec_free(&r);
			return -1;
		}
		goto done;
	}
	if (parts[0][0] == '\0')
		return err_make(e, 0, "invalid volume \"%s\": empty source", s);
	if (parts[0][0] == '/' || parts[0][0] == '.') {
		if (host_source(parts[0], &r.src, e) < 0)
			return -1;
	} else {
		if (!volume_name_valid(parts[0]))
			return err_make(e, 0,
					"invalid volume \"%s\": invalid volume name \"%s\": names must match "
					"[a-zA-Z0-9][a-zA-Z0-9_.-]* (no \"..\")",
					s, parts[0]);
		r.is_volume = true;
		r.name = xstrdup(parts[0]);
	}
	if (container_dst(parts[1], "volume destination", &r.dst, e) < 0) {
		volume_spec_free(&r);
		return err_wrap(e, "invalid volume \"%s\"", s);
	}
	if (n == 3)
		r.mode = xstrdup(parts[2]);
	if (n == 3 && volume_options(s, parts[2], &r, e) < 0) {
		volume_spec_free(&r);
		return -1;
	}
done:
	*v = r;
	return 0;
}

void volume_spec_free(struct volume_spec *v)
{
	free(v->src);
	free(v->dst);
	free(v->mode);
	free(v->name);
	memset(v, 0, sizeof *v);
}

void volume_spec_copy(struct volume_spec *dst, const struct volume_spec *src)
{
	*dst = *src;
	dst->src = src->src ? xstrdup(src->src) : NULL;
	dst->dst = src->dst ? xstrdup(src->dst) : NULL;
	dst->mode = src->mode ? xstrdup(src->mode) : NULL;
	dst->name = src->name ? xstrdup(src->name) : NULL;
}

/* ---- --tmpfs ------------------------------------------------------------- */

/* digits, then at most one suffix from sfx */
static bool number_with_suffix(const char *s, const char *sfx)
{
	size_t d = strspn(s, "0123456789");
	if (d == 0 || d > 19)
		return false;
	return s[d] == '\0' || (strchr(sfx, s[d]) && s[d + 1] == '\0');
}

static bool id_number(const char *s)
{
	uint64_t v;
	return parse_u64(s, &v) == 0 && v < UINT32_MAX;
}

static bool octal_mode(const char *s)
{
	size_t d = strspn(s, "01234567");
	return d > 0 && s[d] == '\0' && strtoul(s, NULL, 8) <= 07777;
}

int parse_tmpfs(const char *s, struct tmpfs_spec *t, struct err *e)
{
	_cleanup_free_ char *buf = xstrdup(s);
	_cleanup_free_ char *dst = NULL, *data = xstrdup("");
	unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	char *opts = strchr(buf, ':'), *o;

	memset(t, 0, sizeof *t);
	if (opts)
		*opts++ = '\0';
	if (container_dst(buf, "tmpfs destination", &dst, e) < 0)
		return err_wrap(e, "invalid tmpfs \"%s\"", s);
	while (opts && (o = strsep(&opts, ","))) {
		static const struct {
			const char *name;
			unsigned long set, clear;
		} fl[] = {
			{ "ro", MS_RDONLY, 0 },   { "rw", 0, MS_RDONLY },     { "noexec", MS_NOEXEC, 0 },
			{ "exec", 0, MS_NOEXEC }, { "nosuid", MS_NOSUID, 0 }, { "suid", 0, MS_NOSUID },
			{ "nodev", MS_NODEV, 0 }, { "dev", 0, MS_NODEV },     { "tmpcopyup", 0, 0 },
			{ "notmpcopyup", 0, 0 },
		};
		const char *val = strchr(o, '=');
		bool good = false, known = false;

		if (*o == '\0')
			return err_make(e, 0, "invalid tmpfs \"%s\": empty option", s);

		for (size_t i = 0; i < ARRAY_SIZE(fl) && !known; i++) {
			if (strcmp(o, fl[i].name) == 0) {
				flags = (flags | fl[i].set) & ~fl[i].clear;
				known = true;
			}
		}
		if (known)
			continue;
		if (!val)
			return err_make(e, 0, "invalid tmpfs \"%s\": unknown option \"%s\"", s, o);
		val++;
		if (strncmp(o, "size=", 5) == 0)
			good = number_with_suffix(val, "kKmMgG%");
		else if (strncmp(o, "nr_inodes=", 10) == 0)
			good = number_with_suffix(val, "kKmMgG");
		else if (strncmp(o, "mode=", 5) == 0)
			good = octal_mode(val);
		else if (strncmp(o, "uid=", 4) == 0 || strncmp(o, "gid=", 4) == 0)
			good = id_number(val);
		else
			return err_make(e, 0, "invalid tmpfs \"%s\": unknown option \"%.*s\"", s,
					(int)(val - 1 - o), o);
		if (!good)
			return err_make(e, 0, "invalid tmpfs \"%s\": bad value in \"%s\"", s, o);
		{
			char *d = xasprintf("%s%s%s", data, data[0] ? "," : "", o);
			free(data);
			data = d;
		}
	}
	t->dst = steal_ptr(dst);
	t->flags = flags;
	t->data = steal_ptr(data);
	return 0;
}

void tmpfs_spec_free(struct tmpfs_spec *t)
{
	free(t->dst);
	free(t->data);
	memset(t, 0, sizeof *t);
}

/* ---- environment ---------------------------------------------------------- */

static ssize_t env_find(char *const *env, const char *key, size_t klen)
{
	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], key, klen) == 0 && env[i][klen] == '=')
			return (ssize_t)i;
	return -1;
}

/* Set "KEY=VAL" where kv's key is its first klen bytes. */
static void env_put(char ***env, const char *kv, size_t klen)
{
	ssize_t i = env_find(*env, kv, klen);
	if (i < 0) {
		strv_push(env, kv);
		return;
	}
	free((*env)[i]);
	(*env)[i] = xstrdup(kv);
}

void env_set(char ***env, const char *key, const char *val)
{
	_cleanup_free_ char *kv = xasprintf("%s=%s", key, val);
	env_put(env, kv, strlen(key));
}

const char *env_get(char *const *env, const char *key)
{
	size_t klen = strlen(key);
	ssize_t i;

	if (klen == 0 || strchr(key, '='))
		return NULL;
	i = env_find(env, key, klen);
	return i < 0 ? NULL : env[i] + klen + 1;
}

/* KEY=VAL sets; KEY alone copies the caller's value or is dropped; PREFIX*
 * copies every variable of the caller's whose name starts with PREFIX
 * (podman's -e 'SLURM_*'). */
static void env_apply(char ***env, const char *line, size_t klen)
{
	if (line[klen] == '\0' && klen > 0 && line[klen - 1] == '*') {
		for (char **v = environ; v && *v; v++)
			if (strncmp(*v, line, klen - 1) == 0 && strchr(*v, '='))
				env_put(env, *v, strcspn(*v, "="));
	} else if (line[klen] == '=') {
		env_put(env, line, klen);
	} else {
		const char *v = getenv(line);
		if (v)
			env_set(env, line, v);
	}
}

int env_add(char ***env, const char *spec, struct err *e)
{
	size_t klen = strcspn(spec, "=");

	if (klen == 0)
		return err_make(e, 0, "invalid environment variable \"%s\": empty name", spec);
	env_apply(env, spec, klen);
	return 0;
}

int env_add_file(char ***env, const char *path, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, lineno = 0;
	char *p;

	if (read_file_at(AT_FDCWD, path, ENV_FILE_MAX, &buf, &len, e) < 0)
		return err_wrap(e, "reading env file");
	if (memchr(buf, '\0', len))
		return err_make(e, 0, "env file %s: contains a NUL byte", path);
	p = buf;
	if (strncmp(p, "\xef\xbb\xbf", 3) == 0) /* a UTF-8 byte-order mark */
		p += 3;
	for (char *line; (line = next_text_line(&p, &lineno));) {
		size_t klen = strcspn(line, "=");

		if (klen == 0)
			return err_make(e, 0, "%s:%zu: no variable name", path, lineno);
		for (size_t i = 0; i < klen; i++)
			if (isspace((unsigned char)line[i]))
				return err_make(e, 0, "%s:%zu: variable \"%.*s\" contains whitespace", path,
						lineno, (int)klen, line);
		env_apply(env, line, klen);
	}
	return 0;
}

/* ---- users and groups ----------------------------------------------------- */

/* Split a colon-separated database line in place into at most max fields. */
static size_t split_fields(char *line, char **f, size_t max)
{
	size_t n = 0;
	f[n++] = line;
	for (char *c = line; *c && n < max; c++) {
		if (*c == ':') {
			*c = '\0';
			f[n++] = c + 1;
		}
	}
	return n;
}

static bool parse_id(const char *s, unsigned long *out)
{
	uint64_t v;
	if (parse_u64(s, &v) < 0 || v >= UINT32_MAX)
		return false;
	*out = (unsigned long)v;
	return true;
}

/* Iterate over the lines of a database text: calls fn for each entry with
 * its fields; stops when fn returns true. */
typedef bool (*db_fn)(char **f, size_t n, void *arg);

static void db_each(const char *text, size_t nfields, db_fn fn, void *arg)
{
	_cleanup_free_ char *copy = NULL;
	char *p, *f[8];

	if (!text)
		return;
	copy = xstrdup(text);
	for (p = copy; *p;) {
		char *line = p, *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		p = nl ? nl + 1 : p + strlen(p);
		if (*line == '\0' || *line == '#' || *line == '+' || *line == '-')
			continue;
		if (fn(f, split_fields(line, f, nfields), arg))
			return;
	}
}

struct pw_query {
	const char *name;  /* match by name, or */
	unsigned long uid; /* by uid when name is NULL */
	bool found;
	char *pw_name;
	unsigned long pw_uid, pw_gid;
	char *home;
};

static bool pw_match(char **f, size_t n, void *arg)
{
	struct pw_query *q = arg;
	unsigned long uid, gid;

	if (n < 4 || !parse_id(f[2], &uid) || !parse_id(f[3], &gid))
		return false;
	if (q->name ? strcmp(f[0], q->name) != 0 : uid != q->uid)
		return false;
	q->found = true;
	q->pw_name = xstrdup(f[0]);
	q->pw_uid = uid;
	q->pw_gid = gid;
	q->home = xstrdup(n >= 6 && f[5][0] ? f[5] : "/");
	return true;
}

struct gr_query {
	const char *name; /* find this group */
	bool found;
	unsigned long gid;
	const char *member; /* or collect the groups listing this user */
	gid_t *groups;
	size_t ngroups;
};

static void add_group(gid_t **v, size_t *n, gid_t g)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i] == g)
			return;
	*v = xrealloc(*v, (*n + 1) * sizeof(gid_t));
	(*v)[(*n)++] = g;
}

static bool gr_match(char **f, size_t n, void *arg)
{
	struct gr_query *q = arg;
	unsigned long gid;
	char *save = NULL;

	if (n < 3 || !parse_id(f[2], &gid))
		return false;
	if (q->name) {
		if (strcmp(f[0], q->name) != 0)
			return false;
		q->found = true;
		q->gid = gid;
		return true;
	}
	if (n < 4)
		return false;
	for (char *m = strtok_r(f[3], ",", &save); m; m = strtok_r(NULL, ",", &save)) {
		if (strcmp(m, q->member) == 0) {
			add_group(&q->groups, &q->ngroups, (gid_t)gid);
			break;
		}
	}
	return false;
}

static bool all_digits(const char *s)
{
	return *s && s[strspn(s, "0123456789")] == '\0';
}

int resolve_user_text(const char *passwd, const char *group, const char *spec, struct user_spec *u,
		      struct err *e)
{
	_cleanup_free_ char *buf = xstrdup(spec[0] ? spec : "0");
	struct pw_query pq = { 0 };
	struct gr_query gq = { 0 };
	char *user = buf, *grp = strchr(buf, ':');
	unsigned long id = 0;

	memset(u, 0, sizeof *u);
	if (grp)
		*grp++ = '\0';
	if (user[0] == '\0')
		return err_make(e, 0, "invalid user \"%s\": empty user name", spec);
	if (grp && grp[0] == '\0')
		return err_make(e, 0, "invalid user \"%s\": empty group name", spec);

	if (all_digits(user)) {
		if (!parse_id(user, &id))
			return err_make(e, 0, "invalid user \"%s\": uid out of range", spec);
		pq.uid = id;
	} else {
		pq.name = user;
	}
	db_each(passwd, 7, pw_match, &pq);
	if (!pq.found && pq.name)
		return err_make(e, 0, "unable to find user %s: no matching entries in passwd file", user);
	u->uid = (uid_t)(pq.found ? pq.pw_uid : id);
	u->gid = (gid_t)(pq.found ? pq.pw_gid : 0);
	u->home = pq.found ? steal_ptr(pq.home) : xstrdup("/");

	if (grp) {
		if (all_digits(grp)) {
			if (!parse_id(grp, &id)) {
				free(pq.pw_name);
				user_spec_free(u);
				return err_make(e, 0, "invalid user \"%s\": gid out of range", spec);
			}
			u->gid = (gid_t)id;
		} else {
			gq.name = grp;
			db_each(group, 4, gr_match, &gq);
			if (!gq.found) {
				free(pq.pw_name);
				user_spec_free(u);
				return err_make(e, 0,
						"unable to find group %s: no matching entries in group file",
						grp);
			}
			u->gid = (gid_t)gq.gid;
		}
	}
	add_group(&u->groups, &u->ngroups, u->gid);
	if (pq.found) {
		struct gr_query mq = { .member = pq.pw_name };
		db_each(group, 4, gr_match, &mq);
		for (size_t i = 0; i < mq.ngroups; i++)
			add_group(&u->groups, &u->ngroups, mq.groups[i]);
		free(mq.groups);
	}
	free(pq.pw_name);
	return 0;
}

/* Read a user database; a missing one leaves *out NULL. */
static int read_userdb(int rootfd, const char *path, char **out, struct err *e)
{
	_cleanup_close_ int fd = safe_open_in_root(rootfd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK, 0,
						   RESOLVE_IN_ROOT);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	struct stat st;

	*out = NULL;
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
			return 0;
		return err_make(e, errno, "opening the image's /%s", path);
	}
	if (fstat(fd, &st) < 0)
		return err_make(e, errno, "reading the image's /%s", path);
	if (!S_ISREG(st.st_mode))
		return err_make(e, 0, "the image's /%s is not a regular file", path);
	if (st.st_size > (off_t)USERDB_MAX)
		return err_make(e, EFBIG, "reading the image's /%s", path);
	for (size_t cap = 0;;) {
		ssize_t r;
		if (len + 1 >= cap) {
			cap = cap ? cap * 2 : (size_t)st.st_size + 2;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return err_make(e, errno, "reading the image's /%s", path);
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > USERDB_MAX)
			return err_make(e, EFBIG, "reading the image's /%s", path);
	}
	buf[len] = '\0';
	*out = steal_ptr(buf);
	return 0;
}

int resolve_user(int rootfd, const char *spec, struct user_spec *u, struct err *e)
{
	_cleanup_free_ char *passwd = NULL, *group = NULL;

	memset(u, 0, sizeof *u);
	if (read_userdb(rootfd, "etc/passwd", &passwd, e) < 0 ||
	    read_userdb(rootfd, "etc/group", &group, e) < 0)
		return -1;
	return resolve_user_text(passwd, group, spec, u, e);
}

int group_add_check(char *const *v, struct err *e)
{
	for (size_t i = 0; v && v[i]; i++) {
		if (!*v[i] || strchr(v[i], ':') || strchr(v[i], '\n'))
			return err_make(e, 0, "invalid --group-add \"%s\"", v[i]);
		if (!strcmp(v[i], "keep-groups") && (i > 0 || v[1]))
			return err_make(
				e, 0,
				"the '--group-add keep-groups' option is not allowed with other groups");
	}
	return 0;
}

int resolve_user_groups(int rootfd, const char *spec, char *const *group_add, struct user_spec *u,
			struct err *e)
{
	_cleanup_free_ char *passwd = NULL, *group = NULL;

	memset(u, 0, sizeof *u);
	if (read_userdb(rootfd, "etc/passwd", &passwd, e) < 0 ||
	    read_userdb(rootfd, "etc/group", &group, e) < 0 ||
	    resolve_user_text(passwd, group, spec, u, e) < 0)
		return -1;
	for (size_t i = 0; group_add && group_add[i]; i++) {
		struct user_spec g;
		_cleanup_free_ char *gspec = NULL;
		bool dup = false;

		if (!strcmp(group_add[i], "keep-groups")) {
			u->keep_groups = true;
			continue;
		}
		gspec = xasprintf("0:%s", group_add[i]);
		if (resolve_user_text(passwd, group, gspec, &g, e) < 0)
			return err_wrap(e, "--group-add %s", group_add[i]);
		for (size_t k = 0; k < u->ngroups; k++)
			dup |= u->groups[k] == g.gid;
		if (!dup) {
			u->groups = xrealloc(u->groups, (u->ngroups + 1) * sizeof *u->groups);
			u->groups[u->ngroups++] = g.gid;
		}
		user_spec_free(&g);
	}
	return 0;
}

void user_spec_free(struct user_spec *u)
{
	free(u->groups);
	free(u->home);
	memset(u, 0, sizeof *u);
}

/* ---- capabilities --------------------------------------------------------- */

const int default_caps[] = {
	CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FSETID,           CAP_FOWNER,
	CAP_MKNOD,   CAP_NET_RAW,      CAP_SETGID,           CAP_SETUID,
	CAP_SETFCAP, CAP_SETPCAP,      CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
	CAP_KILL,    CAP_AUDIT_WRITE,
};
const size_t n_default_caps = ARRAY_SIZE(default_caps);

int parse_cap(const char *name, struct err *e)
{
	_cleanup_free_ char *full = NULL;
	const char *n = name;
	cap_value_t v;

	if (strcasecmp(n, "all") == 0)
		return CAP_ALL;
	if (strncasecmp(n, "cap_", 4) == 0)
		n += 4;
	/* libcap also takes numbers; docker and podman take names only */
	if (n[0] == '\0' || strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_") != strlen(n))
		goto bad;
	full = xasprintf("cap_%s", n);
	if (cap_from_name(full, &v) < 0)
		goto bad;
	return (int)v;
bad:
	err_make(e, 0, "unknown capability \"%s\"", name);
	return -1;
}

/* ---- --network ------------------------------------------------------------ */

int parse_network(const char *s, enum net_mode *mode, char **opts, struct err *e)
{
	if (opts)
		*opts = NULL;
	if (strcmp(s, "none") == 0) {
		*mode = NET_NONE;
	} else if (strcmp(s, "host") == 0) {
		*mode = NET_HOST;
	} else if (strcmp(s, "slirp4netns") == 0 || strcmp(s, "slirp") == 0 || strcmp(s, "private") == 0) {
		*mode = NET_SLIRP;
	} else if (strncmp(s, "slirp4netns:", 12) == 0 || strncmp(s, "slirp:", 6) == 0) {
		const char *o = strchr(s, ':') + 1;
		*mode = NET_SLIRP;
		if (*o && opts)
			*opts = xstrdup(o);
	} else if (strncmp(s, "container:", 10) == 0) {
		if (s[10] == '\0')
			return err_make(e, 0, "--network container: needs a container name or ID");
		*mode = NET_CONTAINER;
		if (opts)
			*opts = xstrdup(s + 10);
	} else if (net_alias_valid(s) && !strchr(s, ':')) {
		*mode = NET_BRIDGE;
		if (opts)
			*opts = xstrdup(s);
	} else {
		return err_make(e, 0,
				"unsupported network mode \"%s\": valid modes are none, host, "
				"slirp4netns[:OPTIONS] (or slirp), private, container:NAME and "
				"the name of a network",
				s);
	}
	return 0;
}

/* ---- signals ------------------------------------------------------------- */

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "HUP", SIGHUP },       { "INT", SIGINT },     { "QUIT", SIGQUIT }, { "ILL", SIGILL },
	{ "TRAP", SIGTRAP },     { "ABRT", SIGABRT },   { "IOT", SIGIOT },   { "BUS", SIGBUS },
	{ "FPE", SIGFPE },       { "KILL", SIGKILL },   { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 },     { "PIPE", SIGPIPE },   { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },   { "CLD", SIGCHLD },  { "CONT", SIGCONT },
	{ "STOP", SIGSTOP },     { "TSTP", SIGTSTP },   { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },
	{ "URG", SIGURG },       { "XCPU", SIGXCPU },   { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM },
	{ "PROF", SIGPROF },     { "WINCH", SIGWINCH }, { "IO", SIGIO },     { "POLL", SIGPOLL },
	{ "PWR", SIGPWR },       { "SYS", SIGSYS },
};

/* the real-time range as glibc programs see it: 34..64 */
#define RT_MIN 34
#define RT_MAX 64

int parse_signal(const char *s, struct err *e)
{
	const char *n = s;
	unsigned long v;

	if (all_digits(s)) {
		if (parse_id(s, &v) && v >= 1 && v <= RT_MAX)
			return (int)v;
		goto bad;
	}
	if (strncasecmp(n, "SIG", 3) == 0)
		n += 3;
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
		if (strcasecmp(n, signals[i].name) == 0)
			return signals[i].sig;
	if (strncasecmp(n, "RTMIN", 5) == 0 || strncasecmp(n, "RTMAX", 5) == 0) {
		bool min = toupper((unsigned char)n[4]) == 'N';
		const char *rest = n + 5;
		if (*rest == '\0')
			return min ? RT_MIN : RT_MAX;
		if (*rest != (min ? '+' : '-') || !all_digits(rest + 1) || !parse_id(rest + 1, &v) ||
		    v > RT_MAX - RT_MIN)
			goto bad;
		return min ? RT_MIN + (int)v : RT_MAX - (int)v;
	}
bad:
	err_make(e, 0, "invalid signal \"%s\"", s);
	return -1;
}
