/* buildcopy.c - the build context and COPY/ADD (src/lib/build/copy.h).
 *
 * Every tree is made here in a temporary directory; the tar COPY writes is
 * read back with libarchive.  m is NULL throughout: the layers are read
 * directly, as the test user owns them. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/base/safeopen.h"
#include "lib/base/util.h"
#include "lib/build/copy.h"
#include "lib/runtime/userns.h"
#include "tap.h"

static char tmp[64];
static const struct idmap *cur_m; /* NULL but in test_userns */

struct tent {
	char *path;
	mode_t mode;
	unsigned uid, gid;
	char *data;
	char *link;
	char *hardlink;
	long mtime;
};

struct tlist {
	struct tent *v;
	size_t n;
};

static void tlist_free(struct tlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].data);
		free(l->v[i].link);
		free(l->v[i].hardlink);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* ---- making trees ---- */

static char *P(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *P(const char *fmt, ...)
{
	static char buf[8][512];
	static int k;
	char rel[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof rel, fmt, ap);
	va_end(ap);
	k = (k + 1) % 8;
	snprintf(buf[k], sizeof buf[k], "%s/%s", tmp, rel);
	return buf[k];
}

static void mkd(const char *rel)
{
	struct err e = ERR_INIT;
	mkdir_p_at(AT_FDCWD, P("%s", rel), 0755, &e);
	err_clear(&e);
}

static void put(const char *rel, const char *data, mode_t mode)
{
	int fd = open(P("%s", rel), O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd >= 0) {
		if (write_all(fd, data, strlen(data)) < 0)
			diag("write failed");
		fchmod(fd, mode);
		close(fd);
	}
}

static void lnk(const char *target, const char *rel)
{
	if (symlink(target, P("%s", rel)) < 0)
		diag("symlink failed");
}

/* ---- running COPY and reading the tar back ---- */

static int run_copy(const struct copy_req *r, const struct copy_src *s, struct tlist *out, struct err *e)
{
	int fd = open(tmp, O_TMPFILE | O_RDWR, 0600);
	struct archive *a;
	struct archive_entry *ent;
	int rc;

	memset(out, 0, sizeof *out);
	rc = copy_write_tar(r, s, cur_m, fd, e);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	lseek(fd, 0, SEEK_SET);
	a = archive_read_new();
	archive_read_support_format_tar(a);
	if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
		/* an empty tar */
		archive_read_free(a);
		close(fd);
		return 0;
	}
	while (archive_read_next_header(a, &ent) == ARCHIVE_OK) {
		struct tent t;
		la_int64_t size = archive_entry_size(ent);
		memset(&t, 0, sizeof t);
		t.path = xstrdup(archive_entry_pathname(ent));
		t.mode = archive_entry_mode(ent);
		t.uid = (unsigned)archive_entry_uid(ent);
		t.gid = (unsigned)archive_entry_gid(ent);
		t.mtime = (long)archive_entry_mtime(ent);
		if (archive_entry_symlink(ent))
			t.link = xstrdup(archive_entry_symlink(ent));
		if (archive_entry_hardlink(ent))
			t.hardlink = xstrdup(archive_entry_hardlink(ent));
		t.data = xcalloc(1, (size_t)size + 1);
		if (size > 0)
			archive_read_data(a, t.data, (size_t)size);
		out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
		out->v[out->n++] = t;
	}
	archive_read_free(a);
	close(fd);
	return 0;
}

static const struct tent *find(const struct tlist *l, const char *path)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].path, path) == 0)
			return &l->v[i];
	return NULL;
}

/* "a/ a/b ..." : the entry names in order */
static char *names(const struct tlist *l)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < l->n; i++)
		len += strlen(l->v[i].path) + 1;
	s = xcalloc(1, len);
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, l->v[i].path);
	}
	return s;
}

static struct build_context *ctx;
static const char *workdir = "/";

static void req_init(struct copy_req *r, char **srcs, const char *dest)
{
	memset(r, 0, sizeof *r);
	r->instr = "COPY";
	r->srcs = srcs;
	r->dest = dest;
	r->workdir = workdir;
	r->chmod = -1;
}

/* COPY srcs... dest from the context; the entry names, or "ERR: msg" */
static char *copy_names(char **srcs, const char *dest, struct tlist *keep)
{
	struct copy_req r;
	struct copy_src s = { COPY_FROM_CONTEXT, ctx, NULL };
	struct err e = ERR_INIT;
	struct tlist l;
	char *res;

	if (keep) /* empty when the copy fails, so the checks fail rather than crash */
		*keep = (struct tlist){ 0 };
	req_init(&r, srcs, dest);
	if (run_copy(&r, &s, &l, &e) < 0) {
		res = xasprintf("ERR: %s", e.msg);
		err_clear(&e);
		return res;
	}
	res = names(&l);
	if (keep)
		*keep = l;
	else
		tlist_free(&l);
	return res;
}

#define V(...) ((char *[]){ __VA_ARGS__, NULL })

static void check_names(char **srcs, const char *dest, const char *want, const char *what)
{
	char *got = copy_names(srcs, dest, NULL);
	is_str(got, want, "%s", what);
	free(got);
}

static void check_err(char **srcs, const char *dest, const char *needle, const char *what)
{
	char *got = copy_names(srcs, dest, NULL);
	if (!ok(strncmp(got, "ERR: ", 5) == 0 && strstr(got, needle), "%s", what))
		printf("# got: %s\n# want an error with: %s\n", got, needle);
	free(got);
}

static void make_context(void)
{
	mkd("ctx/dir/sub");
	mkd("ctx/src/a");
	mkd("ctx/src/b");
	mkd("ctx/secret");
	mkd("ctx/build/deep");
	put("ctx/Dockerfile", "FROM scratch\n", 0644);
	put("ctx/a.txt", "alpha\n", 0644);
	put("ctx/b.txt", "beta\n", 0600);
	put("ctx/run.sh", "#!/bin/sh\n", 0755);
	put("ctx/dir/f", "f\n", 0644);
	put("ctx/dir/sub/g", "g\n", 0640);
	lnk("f", "ctx/dir/ln");
	lnk("/etc/passwd", "ctx/dir/abs"); /* copied as a symlink: fine */
	put("ctx/src/a/x", "ax\n", 0644);
	put("ctx/src/b/x", "bx\n", 0644);
	put("ctx/src/b/y", "by\n", 0644);
	put("ctx/secret/key", "k\n", 0600);
	put("ctx/x.log", "log\n", 0644);
	put("ctx/keep.log", "keep\n", 0644);
	put("ctx/build/out", "o\n", 0644);
	put("ctx/build/keep", "kept\n", 0644);
	put("ctx/build/deep/z", "z\n", 0644);
	lnk("/etc/passwd", "ctx/evil");
	lnk("../../../etc/passwd", "ctx/evil2");
	lnk("a.txt", "ctx/good");
	lnk("dir", "ctx/dirlink");
	if (link(P("ctx/dir/f"), P("ctx/dir/hard")) < 0)
		diag("link failed");
	put("ctx/.dockerignore", "# comment\nsecret\n*.log\n!keep.log\nbuild\n!build/keep\n", 0644);
}

static void test_basic(void)
{
	struct tlist l;
	const struct tent *t;
	char *got;

	got = copy_names(V("a.txt"), "/x/b.txt", &l);
	is_str(got, "x/ x/b.txt", "file to file: parents first");
	free(got);
	t = find(&l, "x/b.txt");
	ok(t && strcmp(t->data, "alpha\n") == 0 && (t->mode & 07777) == 0644 && t->uid == 0 && t->gid == 0,
	   "file content, mode 0644, owner 0:0");
	t = find(&l, "x/");
	ok(t && (t->mode & 07777) == 0755 && t->uid == 0 && t->mtime == 0, "created parent 0755 0:0");
	tlist_free(&l);

	check_names(V("a.txt"), "/x/", "x/ x/a.txt", "file into dir/");
	workdir = "/w";
	check_names(V("a.txt"), "rel/", "w/ w/rel/ w/rel/a.txt", "relative dest is under WORKDIR");
	workdir = "/";
	check_names(V("/a.txt"), "/", "a.txt", "a leading / is the context root; dest /");

	got = copy_names(V("dir"), "/d", &l);
	is_str(got, "d/ d/abs d/f d/hard d/ln d/sub/ d/sub/g", "directory: its contents, sorted");
	free(got);
	t = find(&l, "d/ln");
	ok(t && S_ISLNK(t->mode) && t->link && strcmp(t->link, "f") == 0, "symlink inside copied as symlink");
	t = find(&l, "d/abs");
	ok(t && S_ISLNK(t->mode) && strcmp(t->link, "/etc/passwd") == 0,
	   "absolute symlink inside kept as is");
	t = find(&l, "d/hard");
	ok(t && t->hardlink && strcmp(t->hardlink, "d/f") == 0, "hard link kept as a hard link");
	t = find(&l, "d/sub/g");
	ok(t && (t->mode & 07777) == 0640 && strcmp(t->data, "g\n") == 0, "mode kept");
	tlist_free(&l);

	check_names(V("good"), "/o/", "o/ o/good", "a symlink named as source is followed");
	got = copy_names(V("good"), "/o/", &l);
	t = find(&l, "o/good");
	ok(t && S_ISREG(t->mode) && strcmp(t->data, "alpha\n") == 0, "followed symlink gives the file");
	free(got);
	tlist_free(&l);
	check_names(V("dirlink"), "/q", "q/ q/abs q/f q/hard q/ln q/sub/ q/sub/g",
		    "symlink to a directory: its contents");
}

static void test_globs(void)
{
	check_names(V("*.txt"), "/g/", "g/ g/a.txt g/b.txt", "glob *.txt");
	check_names(V("src/*/x"), "/h/", "h/ h/x h/x", "glob src/*/x (two matches, same name)");
	check_names(V("src/?/y"), "/h/", "h/ h/y", "glob ? in the middle");
	check_names(V("a.txt"), "/one", "one", "single file, dest without /");
	check_names(V("a.t[x]t"), "/one", "one", "glob with one match, dest without /: a file");
	check_err(
		V("a.txt", "b.txt"), "/multi",
		"When using COPY with more than one source file, the destination must be a directory and end with a /",
		"several sources need a dest/");
	check_err(V("*.txt"), "/multi", "more than one source file",
		  "glob with several matches needs a dest/");
	check_err(V("nope*"), "/n/", "no source files were specified", "glob without a match");
	check_err(V("nope"), "/n/", "stat nope: file does not exist", "missing source");
}

static void test_ignore(void)
{
	struct tlist l;
	char *got = copy_names(V("."), "/c/", &l);

	ok(find(&l, "c/a.txt") && find(&l, "c/Dockerfile") && find(&l, "c/.dockerignore"), "context copied");
	ok(!find(&l, "c/secret/") && !find(&l, "c/secret/key"), "excluded directory left out");
	ok(!find(&l, "c/x.log") && find(&l, "c/keep.log"), "*.log excluded, !keep.log back");
	ok(find(&l, "c/build/") && find(&l, "c/build/keep") && !find(&l, "c/build/out") &&
		   !find(&l, "c/build/deep/") && !find(&l, "c/build/deep/z"),
	   "!build/keep inside an excluded directory");
	if (!ok(find(&l, "c/") && find(&l, "c/")->uid == 0 && (find(&l, "c/")->mode & 07777) == 0755,
		"the new destination of a directory takes its mode, owner 0:0"))
		diag(got);
	free(got);
	tlist_free(&l);
	check_err(V("secret/key"), "/s", "or is excluded by .dockerignore", "excluded file is absent");
	check_err(V("x.log"), "/s", "does not exist", "excluded by glob pattern");
	check_names(V("*.log"), "/s/", "s/ s/keep.log", "glob does not see excluded files");
	check_names(V("build/keep"), "/s/", "s/ s/keep", "exception file is visible");
}

static void test_outside(void)
{
	char *got;
	struct err e = ERR_INIT;
	char *text = NULL;
	size_t len;

	check_err(V("../x"), "/o/", "outside the build context", "../x refused");
	check_err(V("dir/../../x"), "/o/", "outside the build context", "dir/../../x refused");
	check_err(V("evil"), "/o/", "outside the build context", "absolute symlink out refused");
	got = copy_names(V("evil"), "/o/", NULL);
	ok(strstr(got, "evil") != NULL, "the error names the source (%s)", got);
	free(got);
	check_err(V("evil2"), "/o/", "outside the build context", "relative symlink out refused");
	check_err(V("e*"), "/o/", "outside the build context", "glob matching a symlink out refused");
	ok(build_context_read(ctx, "Dockerfile", 1 << 20, &text, &len, &e) == 0 && text &&
		   strcmp(text, "FROM scratch\n") == 0,
	   "build_context_read Dockerfile");
	free(text);
	text = NULL;
	ok(build_context_read(ctx, "../ctx/Dockerfile", 1 << 20, &text, &len, &e) < 0,
	   "build_context_read ../ refused");
	err_clear(&e);
	ok(build_context_read(ctx, "evil", 1 << 20, &text, &len, &e) < 0,
	   "build_context_read through an absolute symlink refused");
	err_clear(&e);
	ok(build_context_read(ctx, "secret/key", 1 << 20, &text, &len, &e) == 0,
	   "build_context_read ignores the .dockerignore");
	free(text);
	err_clear(&e);
}

static void test_owner_mode_lower(void)
{
	struct copy_req r;
	struct copy_src s = { COPY_FROM_CONTEXT, ctx, NULL };
	struct err e = ERR_INIT;
	struct tlist l;
	const struct tent *t;
	char *got;

	req_init(&r, V("dir"), "/own/");
	r.chown = true;
	r.uid = 1000;
	r.gid = 1001;
	r.chmod = 0600;
	ok(run_copy(&r, &s, &l, &e) == 0, "COPY --chown --chmod");
	t = find(&l, "own/f");
	ok(t && t->uid == 1000 && t->gid == 1001 && (t->mode & 07777) == 0600, "--chown/--chmod on a file");
	t = find(&l, "own/sub/");
	ok(t && t->uid == 1000 && (t->mode & 07777) == 0600, "--chmod on a directory too");
	t = find(&l, "own/ln");
	ok(t && S_ISLNK(t->mode) && t->uid == 1000, "symlink chowned");
	t = find(&l, "own/");
	ok(t && t->uid == 1000 && (t->mode & 07777) == 0600, "the destination of a directory gets them");
	tlist_free(&l);

	/* the target's layers: /usr/local exists, /bin -> usr/bin */
	mkd("low1/usr/local");
	mkd("low2/usr/bin");
	lnk("usr/bin", "low2/bin");
	char *lowers[] = { P("low1"), P("low2"), NULL };
	req_init(&r, V("a.txt"), "/usr/local/bin/");
	r.dest_lowerdirs = lowers;
	ok(run_copy(&r, &s, &l, &e) == 0, "COPY with dest_lowerdirs");
	got = names(&l);
	is_str(got, "usr/local/bin/ usr/local/bin/a.txt", "existing parents not emitted");
	free(got);
	tlist_free(&l);
	req_init(&r, V("a.txt"), "/bin/");
	r.dest_lowerdirs = lowers;
	run_copy(&r, &s, &l, &e);
	got = names(&l);
	is_str(got, "usr/bin/a.txt", "dest through a symlink of the layers");
	free(got);
	tlist_free(&l);
	req_init(&r, V("a.txt"), "/usr/local");
	r.dest_lowerdirs = lowers;
	run_copy(&r, &s, &l, &e);
	got = names(&l);
	is_str(got, "usr/local/a.txt", "dest without / naming an existing directory");
	free(got);
	tlist_free(&l);
	err_clear(&e);
}

static void write_tar(const char *path, int filter, const char *const *spec)
{
	/* spec: "type name [arg]" strings; type f (content arg), d, l (target), h (target) */
	struct archive *a = archive_write_new();

	archive_write_set_format_pax_restricted(a);
	if (filter == 1)
		archive_write_add_filter_gzip(a);
	else if (filter == 2)
		archive_write_add_filter_xz(a);
	archive_write_open_filename(a, path);
	for (size_t i = 0; spec[i]; i += 3) {
		struct archive_entry *ent = archive_entry_new();
		const char *arg = spec[i + 2];
		archive_entry_set_pathname(ent, spec[i + 1]);
		archive_entry_set_uid(ent, 123);
		archive_entry_set_gid(ent, 456);
		archive_entry_set_mtime(ent, 1000000000, 0);
		switch (spec[i][0]) {
		case 'd':
			archive_entry_set_filetype(ent, AE_IFDIR);
			archive_entry_set_perm(ent, 0750);
			break;
		case 'l':
			archive_entry_set_filetype(ent, AE_IFLNK);
			archive_entry_set_perm(ent, 0777);
			archive_entry_set_symlink(ent, arg);
			break;
		case 'h':
			archive_entry_set_filetype(ent, AE_IFREG);
			archive_entry_set_perm(ent, 0644);
			archive_entry_set_hardlink(ent, arg);
			break;
		default:
			archive_entry_set_filetype(ent, AE_IFREG);
			archive_entry_set_perm(ent, 0644);
			archive_entry_set_size(ent, (la_int64_t)strlen(arg));
			break;
		}
		archive_write_header(a, ent);
		if (spec[i][0] == 'f')
			archive_write_data(a, arg, strlen(arg));
		archive_entry_free(ent);
	}
	archive_write_close(a);
	archive_write_free(a);
}

static void test_add(void)
{
	struct copy_req r;
	struct copy_src s = { COPY_FROM_CONTEXT, ctx, NULL };
	struct err e = ERR_INIT;
	struct tlist l;
	const struct tent *t;
	char *got;
	static const char *const good[] = { "d",      "top/",        "",  "f",      "top/f", "hello\n", "l",
					    "top/ln", "/etc/passwd", "h", "top/hl", "top/f", NULL };
	int rc;
	static const char *const climb[] = { "f", "ok", "x", "f", "../evil", "x", NULL };
	static const char *const through[] = { "l", "d", "/etc", "f", "d/passwd", "x", NULL };

	mkd("ctx/arch");
	write_tar(P("ctx/arch/good.tar.gz"), 1, good);
	write_tar(P("ctx/arch/good.txz"), 2, good);
	write_tar(P("ctx/arch/climb.tar"), 0, climb);
	write_tar(P("ctx/arch/through.tar"), 0, through);
	put("ctx/arch/plain.gz", "not a tar at all\n", 0644);

	req_init(&r, V("arch/good.tar.gz"), "/opt");
	r.instr = "ADD";
	r.add = true;
	ok(run_copy(&r, &s, &l, &e) == 0, "ADD of a .tar.gz");
	got = names(&l);
	is_str(got, "opt/ opt/top/ opt/top/f opt/top/ln opt/top/hl", "extracted into dest");
	free(got);
	t = find(&l, "opt/top/f");
	ok(t && t->uid == 123 && t->gid == 456 && strcmp(t->data, "hello\n") == 0,
	   "archive owners kept, content");
	t = find(&l, "opt/top/hl");
	ok(t && t->hardlink && strcmp(t->hardlink, "opt/top/f") == 0, "hard link retargeted under dest");
	tlist_free(&l);

	req_init(&r, V("arch/good.txz"), "/opt/");
	r.instr = "ADD";
	r.add = true;
	r.chown = true;
	r.uid = 7;
	r.gid = 8;
	ok(run_copy(&r, &s, &l, &e) == 0, "ADD of an xz tar with --chown");
	t = find(&l, "opt/top/f");
	ok(t && t->uid == 7 && t->gid == 8, "--chown applies to extracted entries");
	tlist_free(&l);

	req_init(&r, V("arch/climb.tar"), "/opt/");
	r.instr = "ADD";
	r.add = true;
	rc = run_copy(&r, &s, &l, &e);
	ok(rc < 0 && e.msg && strstr(e.msg, "../evil"), "hostile ../ archive rejected (%s)",
	   e.msg ? e.msg : "");
	err_clear(&e);
	req_init(&r, V("arch/through.tar"), "/opt/");
	r.instr = "ADD";
	r.add = true;
	rc = run_copy(&r, &s, &l, &e);
	ok(rc < 0 && e.msg && strstr(e.msg, "symlink"),
	   "archive writing through its own symlink rejected (%s)", e.msg ? e.msg : "");
	err_clear(&e);

	req_init(&r, V("arch/plain.gz"), "/opt/");
	r.instr = "ADD";
	r.add = true;
	ok(run_copy(&r, &s, &l, &e) == 0, "ADD of a .gz that is no tar");
	got = names(&l);
	is_str(got, "opt/ opt/plain.gz", "copied as a file");
	free(got);
	tlist_free(&l);

	req_init(&r, V("arch/good.tar.gz"), "/opt/");
	ok(run_copy(&r, &s, &l, &e) == 0 && find(&l, "opt/good.tar.gz"), "COPY never extracts");
	tlist_free(&l);

	req_init(&r, V("git@github.com:x/y.git"), "/opt/");
	r.instr = "ADD";
	r.add = true;
	rc = run_copy(&r, &s, &l, &e);
	ok(rc < 0 && e.msg && strstr(e.msg, "ADD of a git repository is not supported") &&
		   err_exit_status(&e) == 125,
	   "ADD of a git URL: clear error, 125 (%s)", e.msg ? e.msg : "");
	err_clear(&e);
	req_init(&r, V("https://example.com/x/y.git"), "/opt/");
	r.instr = "ADD";
	r.add = true;
	ok(run_copy(&r, &s, &l, &e) < 0 && e.msg && strstr(e.msg, "git repository"),
	   "ADD of an https .git URL");
	err_clear(&e);

	req_init(&r, V("EOF"), "/etc/motd");
	r.heredoc_body = "hi there\n";
	ok(run_copy(&r, &s, &l, &e) == 0, "COPY heredoc");
	t = find(&l, "etc/motd");
	ok(t && strcmp(t->data, "hi there\n") == 0 && (t->mode & 07777) == 0644, "heredoc file");
	tlist_free(&l);
}

/* a tiny HTTP server on 127.0.0.1: /file.txt is found, the rest is 404;
 * one byte per request goes to *counter */
static pid_t http_server(int *port, int *counter)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof sa;
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), cnt[2];
	pid_t pid;

	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(s, 8) < 0 ||
	    getsockname(s, (struct sockaddr *)&sa, &sl) < 0 || pipe2(cnt, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	*port = ntohs(sa.sin_port);
	pid = fork();
	if (pid == 0) {
		for (;;) {
			char req[4096];
			size_t len = 0;
			int c = accept(s, NULL, NULL);
			if (c < 0)
				_exit(1);
			while (len < sizeof req - 1) {
				ssize_t n = read(c, req + len, sizeof req - 1 - len);
				if (n <= 0)
					break;
				len += (size_t)n;
				req[len] = '\0';
				if (strstr(req, "\r\n\r\n"))
					break;
			}
			req[len] = '\0';
			if (write(cnt[1], "r", 1) < 0)
				_exit(1);
			if (strncmp(req, "GET /file.txt", 13) == 0)
				dprintf(c,
					"HTTP/1.0 200 OK\r\nContent-Length: 11\r\n"
					"Last-Modified: Sun, 09 Sep 2001 01:46:40 GMT\r\n\r\ndownloaded\n");
			else
				dprintf(c, "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
			close(c);
		}
	}
	close(s);
	close(cnt[1]);
	*counter = cnt[0];
	return pid;
}

static void test_url(void)
{
	struct copy_req r;
	struct copy_src s = { COPY_FROM_CONTEXT, ctx, NULL };
	struct err e = ERR_INIT;
	struct tlist l;
	const struct tent *t;
	char digest[72], *url, *bad, buf[16];
	int port, counter, rc;
	pid_t pid;

	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	pid = http_server(&port, &counter);
	if (pid < 0) {
		diag("no local HTTP server: ADD of a URL not checked");
		return;
	}
	url = xasprintf("http://127.0.0.1:%d/file.txt?x=1", port);
	bad = xasprintf("http://127.0.0.1:%d/missing", port);
	req_init(&r, V(url), "/dl/");
	r.instr = "ADD";
	r.add = true;
	rc = copy_digest(&r, &s, NULL, digest, &e);
	ok(rc == 0, "digest of an ADD URL %s", e.msg ? e.msg : "");
	err_clear(&e);
	rc = run_copy(&r, &s, &l, &e);
	ok(rc == 0, "ADD of a URL %s", e.msg ? e.msg : "");
	t = find(&l, "dl/file.txt");
	ok(t && strcmp(t->data, "downloaded\n") == 0 && (t->mode & 07777) == 0600 && t->mtime == 1000000000,
	   "downloaded file: name from the URL, 0600, Last-Modified");
	tlist_free(&l);
	err_clear(&e);
	is_int(read(counter, buf, sizeof buf), 1, "downloaded once for the digest and the tar");
	req_init(&r, V(bad), "/dl/");
	r.instr = "ADD";
	r.add = true;
	ok(run_copy(&r, &s, &l, &e) < 0 && e.msg && strstr(e.msg, "404"), "a 404 fails (%s)",
	   e.msg ? e.msg : "");
	err_clear(&e);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(counter);
	free(url);
	free(bad);
}

static bool make_whiteout(const char *rel)
{
	return mknod(P("%s", rel), S_IFCHR | 0, makedev(0, 0)) == 0;
}

static void test_layers(void)
{
	struct copy_req r;
	struct err e = ERR_INIT;
	struct tlist l;
	char *got;
	char digest[72];

	/* lower: etc/{gone,kept}, var/old, usr/bin/tool; upper: whiteout
	 * etc/gone, opaque var with var/new, bin -> usr/bin */
	mkd("lay/lower/etc");
	mkd("lay/lower/var");
	mkd("lay/lower/usr/bin");
	mkd("lay/upper/etc");
	mkd("lay/upper/var");
	put("lay/lower/etc/gone", "g\n", 0644);
	put("lay/lower/etc/kept", "k\n", 0644);
	put("lay/lower/var/old", "o\n", 0644);
	put("lay/lower/usr/bin/tool", "#!/bin/sh\n", 0755);
	put("lay/upper/var/new", "n\n", 0644);
	lnk("usr/bin", "lay/upper/bin");
	bool wh = make_whiteout("lay/upper/etc/gone");
	bool opq = setxattr(P("lay/upper/var"), "user.overlay.opaque", "y", 1, 0) == 0;
	if (!wh)
		diag("cannot mknod a 0/0 whiteout here: whiteout case not checked");
	if (!opq)
		diag("cannot set user.overlay.opaque here: opaque case not checked");
	char *layers[] = { P("lay/upper"), P("lay/lower"), NULL };
	struct copy_src s = { COPY_FROM_LAYERS, NULL, layers };

	req_init(&r, V("/etc"), "/out/etc");
	ok(run_copy(&r, &s, &l, &e) == 0, "COPY --from of a directory");
	got = names(&l);
	is_str(got, wh ? "out/ out/etc/ out/etc/kept" : "out/ out/etc/ out/etc/gone out/etc/kept",
	       "whiteout in the upper layer hides the file");
	free(got);
	ok(find(&l, "out/etc/kept") && find(&l, "out/etc/kept")->uid == getuid(),
	   "owners kept from the layer files");
	tlist_free(&l);

	req_init(&r, V("/var"), "/out/");
	run_copy(&r, &s, &l, &e);
	got = names(&l);
	is_str(got, opq ? "out/ out/new" : "out/ out/new out/old", "opaque directory hides the lower one");
	free(got);
	tlist_free(&l);

	req_init(&r, V("/bin/tool"), "/t");
	ok(run_copy(&r, &s, &l, &e) == 0 && find(&l, "t") && strcmp(find(&l, "t")->data, "#!/bin/sh\n") == 0,
	   "a path through a symlink of the image");
	tlist_free(&l);
	err_clear(&e);

	req_init(&r, V("/etc/gone"), "/t");
	if (wh) {
		ok(run_copy(&r, &s, &l, &e) < 0 && e.msg && strstr(e.msg, "does not exist"),
		   "a whited-out file is missing");
		err_clear(&e);
	}
	req_init(&r, V("/../../etc/kept"), "/t");
	ok(run_copy(&r, &s, &l, &e) == 0 && find(&l, "t"), "../ clamps at the image root");
	tlist_free(&l);
	req_init(&r, V("/etc"), "/out/etc");
	ok(copy_digest(&r, &s, NULL, digest, &e) == 0 && strncmp(digest, "sha256:", 7) == 0,
	   "digest of a layer source");
	err_clear(&e);
}

static char *digest_of(char **srcs, const char *dest)
{
	struct copy_req r;
	struct copy_src s = { COPY_FROM_CONTEXT, ctx, NULL };
	struct err e = ERR_INIT;
	char d[72];

	req_init(&r, srcs, dest);
	if (copy_digest(&r, &s, NULL, d, &e) < 0) {
		char *m = xasprintf("ERR: %s", e.msg);
		err_clear(&e);
		return m;
	}
	return xstrdup(d);
}

static void test_digest(void)
{
	char *d1 = digest_of(V("dir", "a.txt"), "/d/");
	char *d2 = digest_of(V("dir", "a.txt"), "/d/");
	char *d3, *d4, *d5, *d6, *d7;
	struct timespec ts[2] = { { 12345, 0 }, { 12345, 0 } };
	uint64_t t0;

	ok(strncmp(d1, "sha256:", 7) == 0 && strlen(d1) == 71, "digest form (%s)", d1);
	is_str(d2, d1, "stable across runs");
	utimensat(AT_FDCWD, P("ctx/dir/sub/g"), ts, 0);
	d3 = digest_of(V("dir", "a.txt"), "/d/");
	is_str(d3, d1, "touch does not change it");
	put("ctx/dir/sub/g", "G\n", 0640);
	d4 = digest_of(V("dir", "a.txt"), "/d/");
	ok(strcmp(d4, d1) != 0, "a content change does");
	chmod(P("ctx/dir/sub/g"), 0644);
	d5 = digest_of(V("dir", "a.txt"), "/d/");
	ok(strcmp(d5, d4) != 0, "a mode change does");
	d6 = digest_of(V("dir", "a.txt"), "/e/");
	ok(strcmp(d6, d5) != 0, "the destination counts");
	d7 = digest_of(V("nope"), "/e/");
	ok(strstr(d7, "does not exist") != NULL, "digest of a missing source fails");
	t0 = now_usec();
	for (int i = 0; i < 20; i++)
		free(digest_of(V("."), "/all/"));
	printf("# digest of the whole test context: %.2f ms\n", (double)(now_usec() - t0) / 20000.0);
	free(d1);
	free(d2);
	free(d3);
	free(d4);
	free(d5);
	free(d6);
	free(d7);
}

static void test_tar_context(void)
{
	struct build_context *c = NULL;
	struct err e = ERR_INIT;
	char *text = NULL;
	size_t len;
	int fd;
	static const char *const spec[] = { "f", "Dockerfile", "FROM x\n", "d", "sub/",          "",
					    "f", "sub/y",      "why\n",    "f", ".dockerignore", "sub\n",
					    NULL };

	write_tar(P("ctx.tar"), 0, spec);
	fd = open(P("ctx.tar"), O_RDONLY);
	ok(build_context_from_tar(fd, tmp, &c, &e) == 0, "build_context_from_tar %s", e.msg ? e.msg : "");
	close(fd);
	if (!c)
		return;
	ok(build_context_read(c, "Dockerfile", 4096, &text, &len, &e) == 0 && strcmp(text, "FROM x\n") == 0,
	   "Dockerfile read from the tar context");
	free(text);
	char *dir = xstrdup(build_context_dir(c));
	struct copy_req r;
	struct copy_src s = { COPY_FROM_CONTEXT, c, NULL };
	struct tlist l;
	req_init(&r, V("."), "/");
	ok(run_copy(&r, &s, &l, &e) == 0 && find(&l, "Dockerfile") && !find(&l, "sub/"),
	   "tar context honours its .dockerignore");
	tlist_free(&l);
	build_context_free(c);
	ok(access(dir, F_OK) < 0 && errno == ENOENT, "the unpacked context is removed");
	free(dir);
	err_clear(&e);
}

static int ns_make(void *arg, int outfd, struct err *e)
{
	const char *base = arg;
	char *dir = xasprintf("%s/priv", base), *file = xasprintf("%s/priv/secret", base);
	int fd = -1, rc = 0;

	(void)outfd;
	if (mkdir(base, 0755) < 0 || mkdir(dir, 0700) < 0) {
		rc = err_make(e, errno, "mkdir %s", dir);
	} else if ((fd = open(file, O_WRONLY | O_CREAT, 0600)) < 0) {
		rc = err_make(e, errno, "creating %s", file);
	} else {
		if (write_all(fd, "s\n", 2) < 0 || fchown(fd, 1, 2) < 0)
			rc = err_make(e, errno, "writing %s", file);
		close(fd);
		fd = -1;
		if (rc == 0 && chown(dir, 1, 2) < 0)
			rc = err_make(e, errno, "chown %s", dir);
	}
	free(file);
	file = xasprintf("%s/pub", base);
	if (rc == 0 && ((fd = open(file, O_WRONLY | O_CREAT, 0644)) < 0 || fchown(fd, 3, 4) < 0))
		rc = err_make(e, errno, "creating %s", file);
	if (fd >= 0)
		close(fd);
	free(dir);
	free(file);
	return rc;
}

struct ns_digest {
	struct copy_req *r;
	struct copy_src *s;
};

/* the digest as seen from inside the namespace */
static int ns_digest(void *arg, int outfd, struct err *e)
{
	struct ns_digest *d = arg;
	char out[72];

	if (copy_digest(d->r, d->s, NULL, out, e) < 0)
		return -1;
	return write_all(outfd, out, strlen(out)) < 0 ? -1 : 0;
}

static int ns_rm(void *arg, int outfd, struct err *e)
{
	(void)outfd;
	return rm_rf_at(AT_FDCWD, arg, e);
}

/* the real thing: layer files of mapped IDs, unreadable outside the namespace */
static void test_userns(void)
{
	struct idmap m;
	struct err e = ERR_INIT;
	struct copy_req r;
	struct tlist l;
	const struct tent *t;
	char digest[72];
	char *base = xstrdup(P("nslow"));
	char *layers[] = { base, NULL };
	struct copy_src s = { COPY_FROM_LAYERS, NULL, layers };
	struct copy_src cs = { COPY_FROM_CONTEXT, ctx, NULL };

	memset(&m, 0, sizeof m);
	if (userns_lookup(&m, IDMAP_AUTO, &e) < 0 || m.single) {
		diag("no subordinate IDs: the user namespace case is not checked");
		err_clear(&e);
		idmap_free(&m);
		free(base);
		return;
	}
	if (userns_run(&m, 0, ns_make, base, NULL, NULL, NULL, &e) < 0) {
		printf("# %s\n", e.msg);
		ok(0, "making files of mapped IDs");
		err_clear(&e);
		idmap_free(&m);
		free(base);
		return;
	}
	ok(access(P("nslow/priv/secret"), R_OK) < 0, "the layer file is unreadable outside");
	cur_m = &m;
	req_init(&r, V("/priv"), "/out/");
	ok(run_copy(&r, &s, &l, &e) == 0, "COPY --from read inside the user namespace %s",
	   e.msg ? e.msg : "");
	t = find(&l, "out/secret");
	ok(t && strcmp(t->data, "s\n") == 0 && t->uid == 1 && t->gid == 2,
	   "content read, namespace owners kept");
	tlist_free(&l);
	ok(copy_digest(&r, &s, &m, digest, &e) == 0 && strlen(digest) == 71,
	   "digest inside the user namespace");
	err_clear(&e);
	{
		struct ns_digest nd = { &r, &s };
		char *inside = NULL;
		size_t len = 0;
		req_init(&r, V("/pub"), "/out/");
		ok(copy_digest(&r, &s, &m, digest, &e) == 0, "digest of a readable layer file from outside");
		ok(userns_run(&m, 0, ns_digest, &nd, &inside, &len, NULL, &e) == 0 && inside && len == 71 &&
			   strncmp(inside, digest, 71) == 0,
		   "the same digest as inside the namespace (owners mapped back)");
		free(inside);
		err_clear(&e);
	}
	req_init(&r, V("a.txt"), "/priv/");
	r.dest_lowerdirs = layers;
	ok(run_copy(&r, &cs, &l, &e) == 0 && l.n == 1 && find(&l, "priv/a.txt"),
	   "dest_lowerdirs read inside the namespace: /priv exists");
	tlist_free(&l);
	err_clear(&e);
	cur_m = NULL;
	userns_run(&m, 0, ns_rm, base, NULL, NULL, NULL, &e);
	err_clear(&e);
	idmap_free(&m);
	free(base);
}

int main(void)
{
	struct err e = ERR_INIT;

	snprintf(tmp, sizeof tmp, "/tmp/buildcopy.XXXXXX");
	if (!mkdtemp(tmp)) {
		return skip_all("no temporary directory");
	}
	make_context();
	mkd("w");
	if (build_context_open(P("ctx"), &ctx, &e) < 0) {
		printf("# %s\n", e.msg);
		ok(0, "build_context_open");
		return done_testing();
	}
	ok(1, "build_context_open");
	test_basic();
	test_globs();
	test_ignore();
	test_outside();
	safe_open_force(SAFE_OPEN_FALLBACK);
	diag("the context's escapes again, through the fallback of safe_open_in_root");
	test_outside();
	safe_open_force(SAFE_OPEN_AUTO);
	test_owner_mode_lower();
	test_add();
	test_url();
	test_layers();
	test_digest();
	test_tar_context();
	test_userns();
	build_context_free(ctx);
	rm_rf_at(AT_FDCWD, tmp, &e);
	err_clear(&e);
	return done_testing();
}
