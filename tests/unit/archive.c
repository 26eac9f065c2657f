/* archive.c - safe extraction of hostile layer tarballs (src/lib/store/unpack.c).
 *
 * Every archive is built here with libarchive's writer.  A sentinel tree
 * "outside" sits next to the layer root; after each extraction its listing
 * (names, types, sizes, link counts, contents) must be unchanged. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/store/digest.h"
#include "lib/store/unpack.h"
#include "lib/base/util.h"
#include "tap.h"

struct ent {
	const char *name;
	char type;         /* f file, d dir, l symlink, h hardlink, c chardev, p fifo */
	const char *arg;   /* file content, link target */
	int mode;          /* 0: default */
	const char *xattr; /* "name=value" or NULL */
};

static char tmpdir[64];

static char *build_tar(const char *name, const struct ent *ents, size_t n, bool gz)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	struct archive *a = archive_write_new();

	archive_write_set_format_pax_restricted(a);
	if (gz)
		archive_write_add_filter_gzip(a);
	archive_write_open_filename(a, path);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		const struct ent *x = &ents[i];
		size_t len = 0;

		archive_entry_set_pathname(e, x->name);
		archive_entry_set_mtime(e, 1000000000, 0);
		archive_entry_set_uid(e, 0);
		archive_entry_set_gid(e, 0);
		switch (x->type) {
		case 'f':
			len = x->arg ? strlen(x->arg) : 0;
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, x->mode ? x->mode : 0644);
			archive_entry_set_size(e, (la_int64_t)len);
			break;
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, x->mode ? x->mode : 0755);
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_perm(e, 0777);
			archive_entry_set_symlink(e, x->arg);
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_hardlink(e, x->arg);
			break;
		case 'c':
			archive_entry_set_filetype(e, AE_IFCHR);
			archive_entry_set_perm(e, 0666);
			archive_entry_set_rdevmajor(e, 1);
			archive_entry_set_rdevminor(e, 3);
			break;
		case 'p':
			archive_entry_set_filetype(e, AE_IFIFO);
			archive_entry_set_perm(e, 0600);
			break;
		default:
			break;
		}
		if (x->xattr) {
			const char *eq = strchr(x->xattr, '=');
			char *k = xasprintf("%.*s", (int)(eq - x->xattr), x->xattr);
			archive_entry_xattr_add_entry(e, k, eq + 1, strlen(eq + 1));
			free(k);
		}
		archive_write_header(a, e);
		if (len)
			archive_write_data(a, x->arg, len);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return path;
}

/* recursive listing of dir (no symlink following) into *out */
static void listing(int dfd, const char *prefix, char **out)
{
	DIR *d = fdopendir(dup(dfd));
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;
		char *line, *sub;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		sub = xasprintf("%s/%s", prefix, de->d_name);
		line = xasprintf("%s%s %o %ld %lu\n", *out, sub, st.st_mode, (long)st.st_size,
				 (unsigned long)st.st_nlink);
		free(*out);
		*out = line;
		if (S_ISREG(st.st_mode)) {
			char *txt = NULL;
			struct err e = ERR_INIT;
			if (read_file_at(dfd, de->d_name, 1 << 20, &txt, NULL, &e) == 0) {
				line = xasprintf("%s  = %s\n", *out, txt);
				free(*out);
				*out = line;
			}
			free(txt);
			err_clear(&e);
		} else if (S_ISDIR(st.st_mode)) {
			int fd = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
			if (fd >= 0) {
				listing(fd, sub, out);
				close(fd);
			}
		}
		free(sub);
	}
	closedir(d);
}

static char *outside_state(void)
{
	char *s = xstrdup("");
	char *p = xasprintf("%s/outside", tmpdir);
	int fd = open(p, O_RDONLY | O_DIRECTORY);
	listing(fd, "outside", &s);
	close(fd);
	free(p);
	/* /tmp itself must not gain our marker either */
	if (access("/tmp/burrow-unpack-escape", F_OK) == 0) {
		char *t = xasprintf("%sESCAPED to /tmp\n", s);
		free(s);
		s = t;
	}
	return s;
}

static int rootfd = -1;

static void fresh_root(void)
{
	struct err e = ERR_INIT;
	char *p = xasprintf("%s/root", tmpdir);
	if (rootfd >= 0)
		close(rootfd);
	rm_rf_at(AT_FDCWD, p, &e);
	err_clear(&e);
	mkdir(p, 0755);
	rootfd = open(p, O_PATH | O_DIRECTORY);
	free(p);
}

/* extract; returns rc and fills *res */
static int extract(const char *tar, struct unpack_result *res, char **errmsg)
{
	struct unpack_opts o = { .no_chown = true };
	struct err e = ERR_INIT;
	int fd = open(tar, O_RDONLY), rc;

	fresh_root();
	rc = unpack_fd(fd, rootfd, &o, res, &e);
	close(fd);
	if (errmsg)
		*errmsg = e.msg ? xstrdup(e.msg) : NULL;
	err_clear(&e);
	return rc;
}

static bool in_root_is(const char *path, mode_t type)
{
	struct stat st;
	return fstatat(rootfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) == type;
}

static char *in_root_read(const char *path)
{
	char *txt = NULL;
	struct err e = ERR_INIT;
	int fd = openat(rootfd, path, O_RDONLY | O_NOFOLLOW);
	if (fd >= 0) {
		char proc[64];
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
		read_file_at(AT_FDCWD, proc, 1 << 20, &txt, NULL, &e);
		close(fd);
	}
	err_clear(&e);
	return txt;
}

/* run one hostile case: extraction must (not) succeed and outside must not change */
static int hostile(const char *what, const struct ent *ents, size_t n, bool want_ok)
{
	char *before = outside_state(), *after, *msg = NULL;
	char *tar = build_tar("hostile.tar", ents, n, false);
	struct unpack_result r;
	int rc = extract(tar, &r, &msg);

	after = outside_state();
	if (want_ok)
		ok(rc == 0, "%s: extracts (%s)", what, msg ? msg : "ok");
	else
		ok(rc < 0, "%s: refused (%s)", what, msg ? msg : "no error");
	is_str(after, before, "%s: nothing outside the root changed", what);
	free(before);
	free(after);
	free(msg);
	free(tar);
	return rc;
}

int main(void)
{
	char *victim_abs, *outside_abs, *abs_name, *msg = NULL;
	struct unpack_result r;
	struct stat st;
	char *tar;
	int xrc;

	snprintf(tmpdir, sizeof tmpdir, "/tmp/burrow-unpack.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		return skip_all("cannot create a temporary directory");
	}
	outside_abs = xasprintf("%s/outside", tmpdir);
	victim_abs = xasprintf("%s/outside/victim", tmpdir);
	mkdir(outside_abs, 0755);
	{
		struct err e = ERR_INIT;
		write_file_at(AT_FDCWD, victim_abs, "original", &e);
		err_clear(&e);
	}

	/* ---- clean paths ---- */
	{
		struct err e = ERR_INIT;
		char *c = NULL;
		ok(unpack_clean_path("./a//b/./c/", &c, &e) == 0 && !strcmp(c, "a/b/c"), "clean ./a//b/./c/");
		free(c);
		ok(unpack_clean_path("/abs/x", &c, &e) == 0 && !strcmp(c, "abs/x"), "clean /abs/x -> abs/x");
		free(c);
		ok(unpack_clean_path("a/../b", &c, &e) == 0 && !strcmp(c, "b"), "clean a/../b -> b");
		free(c);
		ok(unpack_clean_path("./", &c, &e) == 0 && !strcmp(c, ""), "clean ./ -> root");
		free(c);
		ok(unpack_clean_path("a/../../b", &c, &e) < 0, "a/../../b climbs out: rejected");
		err_clear(&e);
	}

	/* ---- hostile archives ---- */
	{
		const struct ent t[] = { { "../../etc/x", 'f', "evil", 0, NULL } };
		hostile("traversal ../../etc/x", t, 1, false);
	}
	{
		const struct ent t[] = { { "ok", 'f', "fine", 0, NULL },
					 { "a/../../x", 'f', "evil", 0, NULL } };
		hostile("traversal a/../../x after a good entry", t, 2, false);
	}
	{
		const struct ent t[] = { { "/tmp/burrow-unpack-escape", 'f', "evil", 0, NULL } };
		hostile("absolute /tmp/burrow-unpack-escape", t, 1, true);
		ok(in_root_is("tmp/burrow-unpack-escape", S_IFREG), "  absolute name lands inside the root");
	}
	abs_name = xasprintf("%s/x", outside_abs);
	{
		const struct ent t[] = { { abs_name, 'f', "evil", 0, NULL } };
		hostile("absolute path into the sentinel dir", t, 1, true);
	}
	{
		const struct ent t[] = { { "evil", 'l', outside_abs, 0, NULL },
					 { "evil/x", 'f', "evil", 0, NULL } };
		hostile("symlink evil -> /outside, then evil/x", t, 2, false);
		ok(in_root_is("evil", S_IFLNK), "  the symlink is stored verbatim");
	}
	{
		const struct ent t[] = { { "evil", 'l', "/", 0, NULL }, { "evil/x", 'f', "evil", 0, NULL } };
		hostile("symlink evil -> /, then evil/x", t, 2, true);
		ok(in_root_is("x", S_IFREG), "  evil/x resolved inside the root");
	}
	{
		const struct ent t[] = { { "a", 'l', "../../..", 0, NULL }, { "a/x", 'f', "evil", 0, NULL } };
		hostile("relative symlink a -> ../../.., then a/x", t, 2, true);
		ok(in_root_is("x", S_IFREG), "  a/x is clamped to the root");
	}
	{
		const struct ent t[] = { { "d", 'l', "../outside", 0, NULL },
					 { "d/", 'd', NULL, 0, NULL },
					 { "d/f", 'f', "inside", 0, NULL } };
		hostile("directory entry over a symlink", t, 3, true);
		ok(in_root_is("d", S_IFDIR) && in_root_is("d/f", S_IFREG),
		   "  the symlink was replaced by a dir");
	}
	{
		const struct ent t[] = { { "h", 'h', victim_abs, 0, NULL } };
		hostile("hardlink to an absolute host file", t, 1, false);
		stat(victim_abs, &st);
		is_int(st.st_nlink, 1, "  host file link count unchanged");
	}
	{
		const struct ent t[] = { { "h", 'h', "../outside/victim", 0, NULL } };
		hostile("hardlink to ../outside/victim", t, 1, false);
	}
	{
		const struct ent t[] = { { "s", 'l', outside_abs, 0, NULL },
					 { "h", 'h', "s/victim", 0, NULL } };
		hostile("hardlink through a symlink to outside", t, 2, false);
	}
	{
		const struct ent t[] = { { "s", 'l', victim_abs, 0, NULL }, { "s", 'f', "pwned", 0, NULL } };
		char *txt;
		hostile("symlink to a host file, then a file of the same name", t, 2, true);
		txt = in_root_read("s");
		ok(in_root_is("s", S_IFREG) && txt && !strcmp(txt, "pwned"),
		   "  the file replaced the symlink");
		free(txt);
	}
	{
		const struct ent t[] = { { "s", 'l', "../outside/victim", 0, NULL },
					 { "t", 'h', "s", 0, NULL },
					 { "t", 'f', "pwned", 0, NULL } };
		hostile("hardlink to a symlink, then a file over the hardlink", t, 3, true);
	}
	{
		const struct ent t[] = { { "f", 'f', "one", 0, NULL }, { "f", 'l', victim_abs, 0, NULL } };
		hostile("a symlink replacing a file", t, 2, true);
		ok(in_root_is("f", S_IFLNK), "  now a symlink");
	}
	{
		const struct ent t[] = { { "dir/", 'd', NULL, 0, NULL },
					 { "dir/.wh..wh..opq", 'f', "", 0, NULL },
					 { "dir/a", 'l', outside_abs, 0, NULL },
					 { "dir/.wh.a", 'f', "", 0, NULL } };
		hostile("whiteout over a symlink to outside", t, 4, true);
		ok(fstatat(rootfd, "dir/a", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISCHR(st.st_mode) &&
			   st.st_rdev == makedev(0, 0),
		   "  .wh.a became a 0:0 char device");
	}
	{
		const struct ent t[] = { { "x", 'f', "evil", 0, NULL }, { "x", 'h', "x", 0, NULL } };
		hostile("hardlink to itself", t, 2, true);
	}
	free(abs_name);

	/* ---- ordinary content ---- */
	{
		const struct ent t[] = {
			{ "./", 'd', NULL, 0755, NULL },
			{ "ro/", 'd', NULL, 0555, NULL },
			{ "ro/f", 'f', "data", 0444, NULL },
			{ "ro/sub/deep", 'f', "deep", 0, NULL },
			{ "suid", 'f', "x", 04755, NULL },
			{ "link", 'l', "/etc/passwd", 0, NULL },
			{ "hard", 'h', "ro/f", 0, NULL },
			{ "fifo", 'p', NULL, 0, NULL },
			{ "dev/null", 'c', NULL, 0, NULL },
			{ "dev/zero", 'c', NULL, 0, NULL },
			{ "op/", 'd', NULL, 0, NULL },
			{ "op/.wh..wh..opq", 'f', "", 0, NULL },
			{ "op/.wh.gone", 'f', "", 0, NULL },
			{ "op/.wh..wh.plnk", 'f', "", 0, NULL },
			{ "xa", 'f', "x", 0, "user.burrow.test=yes" },
			{ "xo/", 'd', NULL, 0, "user.overlay.redirect=/etc" },
		};
		char buf[16];
		ssize_t n;
		tar = build_tar("good.tar", t, ARRAY_SIZE(t), false);
		xrc = extract(tar, &r, &msg);
		ok(xrc == 0, "ordinary archive extracts (%s)", msg ? msg : "ok");
		free(msg);
		ok(fstatat(rootfd, "ro", &st, 0) == 0 && (st.st_mode & 07777) == 0555,
		   "a 0555 directory keeps its mode and its content was written");
		ok(in_root_is("ro/f", S_IFREG) && in_root_is("ro/sub/deep", S_IFREG), "  content under it");
		ok(fstatat(rootfd, "ro/sub", &st, 0) == 0 && (st.st_mode & 0777) == 0755,
		   "  implicit parent directory is 0755");
		ok(fstatat(rootfd, "suid", &st, 0) == 0 && (st.st_mode & 07777) == 04755, "setuid bit kept");
		ok(fstatat(rootfd, "suid", &st, 0) == 0 && st.st_mtime == 1000000000, "mtime kept");
		ok(fstatat(rootfd, "link", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode), "symlink");
		ok(fstatat(rootfd, "hard", &st, 0) == 0 && st.st_nlink == 2, "hardlink shares the inode");
		ok(in_root_is("fifo", S_IFIFO), "fifo");
		ok(!in_root_is("dev/null", S_IFCHR), "devices skipped");
		is_int(r.skipped_devices, 2, "  and counted once each");
		{
			char p[64];
			int fd = openat(rootfd, "op", O_PATH);
			snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
			n = getxattr(p, "user.overlay.opaque", buf, sizeof buf);
			ok(n == 1 && buf[0] == 'y', ".wh..wh..opq -> user.overlay.opaque=y");
			close(fd);
		}
		ok(fstatat(rootfd, "op/gone", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISCHR(st.st_mode) &&
			   st.st_rdev == makedev(0, 0),
		   ".wh.gone -> 0:0 whiteout");
		ok(!in_root_is("op/.wh..wh.plnk", S_IFREG) && !in_root_is("op/.wh.gone", S_IFREG),
		   "no .wh. files left");
		{
			char p[64];
			int fd = openat(rootfd, "xa", O_RDONLY);
			snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
			n = getxattr(p, "user.burrow.test", buf, sizeof buf);
			ok(n == 3 && !memcmp(buf, "yes", 3), "user xattr applied");
			close(fd);
			fd = openat(rootfd, "xo", O_PATH);
			snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
			ok(getxattr(p, "user.overlay.redirect", buf, sizeof buf) < 0,
			   "overlay xattrs from the archive are dropped");
			close(fd);
		}
		/* diff id = sha256 of the tar file */
		{
			char *data = NULL, hex[65], want[72];
			size_t len = 0;
			struct err e = ERR_INIT;
			read_file_at(AT_FDCWD, tar, 1 << 24, &data, &len, &e);
			sha256_hex(data, len, hex);
			snprintf(want, sizeof want, "sha256:%s", hex);
			is_str(r.diff_id, want, "diff id is the sha256 of the uncompressed tar");
			is_int(r.size, len, "size is its length");
			free(data);
			err_clear(&e);
		}
		{
			char first[72];
			char *gz = build_tar("good.tar.gz", t, ARRAY_SIZE(t), true);
			snprintf(first, sizeof first, "%s", r.diff_id);
			ok(extract(gz, &r, NULL) == 0, "the same archive gzipped extracts");
			is_str(r.diff_id, first, "  with the same diff id");
			/* truncated and corrupt */
			{
				char *data = NULL, *cut = xasprintf("%s/cut.tar.gz", tmpdir);
				size_t len = 0;
				struct err e = ERR_INIT;
				int fd;
				read_file_at(AT_FDCWD, gz, 1 << 24, &data, &len, &e);
				fd = open(cut, O_WRONLY | O_CREAT | O_TRUNC, 0644);
				write_all(fd, data, len / 2);
				close(fd);
				xrc = extract(cut, &r, &msg);
				ok(xrc < 0, "truncated gzip fails cleanly (%s)", msg ? msg : "");
				free(msg);
				fd = open(cut, O_WRONLY | O_CREAT | O_TRUNC, 0644);
				for (size_t i = 0; i < len; i++)
					data[i] ^= (char)(i * 7 + 1);
				write_all(fd, data, len);
				close(fd);
				xrc = extract(cut, &r, &msg);
				ok(xrc < 0, "garbage fails cleanly (%s)", msg ? msg : "");
				free(msg);
				fd = open(cut, O_WRONLY | O_CREAT | O_TRUNC, 0644);
				close(fd);
				xrc = extract(cut, &r, &msg);
				ok(xrc < 0 && msg && strstr(msg, "empty"), "empty input fails (%s)",
				   msg ? msg : "");
				free(msg);
				free(data);
				free(cut);
				err_clear(&e);
			}
			free(gz);
		}
		{
			/* a plain tar cut inside a file's data */
			char *data = NULL, *cut = xasprintf("%s/cut.tar", tmpdir);
			size_t len = 0;
			struct err e = ERR_INIT;
			int fd;
			read_file_at(AT_FDCWD, tar, 1 << 24, &data, &len, &e);
			fd = open(cut, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			write_all(fd, data, 512 * 5 + 100);
			close(fd);
			xrc = extract(cut, &r, &msg);
			ok(xrc < 0, "truncated tar fails cleanly (%s)", msg ? msg : "");
			free(msg);
			free(data);
			free(cut);
			err_clear(&e);
		}
		free(tar);
	}

	{
		struct err e = ERR_INIT;
		if (rootfd >= 0)
			close(rootfd);
		rm_rf_at(AT_FDCWD, tmpdir, &e);
		unlink("/tmp/burrow-unpack-escape");
		err_clear(&e);
	}
	free(victim_abs);
	free(outside_abs);
	return done_testing();
}
