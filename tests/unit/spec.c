/* spec.c - tests for the run flag parsers and user lookup (src/lib/record/spec.c). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/record/container.h"
#include "lib/record/spec.h"
#include "lib/base/safeopen.h"
#include "lib/base/util.h"
#include "tap.h"

/* error message contains want */
static void has_msg(const struct err *e, const char *want, const char *what)
{
	if (!ok(e->msg && strstr(e->msg, want), "%s: message names the problem", what))
		printf("# got: '%s'\n# want substring: '%s'\n", e->msg ? e->msg : "(null)", want);
}

/* ---- volumes -------------------------------------------------------------- */

static void vol_ok(const char *s, const char *src, const char *dst, bool ro, unsigned long flags)
{
	struct volume_spec v;
	struct err e = ERR_INIT;
	int rc = parse_volume(s, &v, &e);

	if (!ok(rc == 0, "volume %s parses", s)) {
		printf("# error: %s\n", e.msg);
		err_clear(&e);
		return;
	}
	is_str(v.src, src, "volume %s: source", s);
	is_str(v.dst, dst, "volume %s: destination", s);
	is_int(v.readonly, ro, "volume %s: readonly", s);
	is_int(v.flags, flags, "volume %s: flags", s);
	volume_spec_free(&v);
}

static void vol_bad(const char *s, const char *msg)
{
	struct volume_spec v;
	struct err e = ERR_INIT;

	is_int(parse_volume(s, &v, &e), -1, "volume \"%s\" is rejected", s);
	has_msg(&e, msg, s);
	ok(v.src == NULL && v.dst == NULL, "volume \"%s\": nothing left allocated", s);
	err_clear(&e);
}

static void test_volumes(void)
{
	vol_ok("/data:/data", "/data", "/data", false, 0);
	vol_ok("/h/src:/c/dst:ro", "/h/src", "/c/dst", true, 0);
	vol_ok("/h:/c:rw", "/h", "/c", false, 0);
	vol_ok("/h//a///:/c//d/", "/h/a", "/c/d", false, 0);
	vol_ok("/h/./a:/c/./d/.", "/h/a", "/c/d", false, 0);
	vol_ok("/h/../x:/c", "/h/../x", "/c", false, 0);
	vol_ok("/:/host", "/", "/host", false, 0);
	vol_ok("/h:/c:ro,z", "/h", "/c", true, 0);
	vol_ok("/h:/c:Z,private,shared,slave,bind,rbind", "/h", "/c", false, 0);
	vol_ok("/h:/c:nosuid,nodev,noexec", "/h", "/c", false, MS_NOSUID | MS_NODEV | MS_NOEXEC);
	vol_ok("/h:/c:noexec,exec,nosuid", "/h", "/c", false, MS_NOSUID);
	vol_ok("/h:/c:ro,ro", "/h", "/c", true, 0);

	vol_bad("a/b:/data", "invalid volume name \"a/b\"");
	vol_bad("a..b:/data", "invalid volume name");
	vol_bad("_x:/data", "invalid volume name");
	vol_bad(":/data", "empty source");
	vol_bad("data", "want [SRC:]DST");
	vol_bad("", "want [SRC:]DST");
	vol_bad("/h:c", "unknown option \"c\"");
	vol_bad("h:c", "must be an absolute path");
	vol_bad("/h:", "empty container path");
	vol_bad("/h:/", "cannot mount over the container's /");
	vol_bad("/h://", "cannot mount over the container's /");
	vol_bad("/h:/./", "cannot mount over the container's /");
	vol_bad("/h:/a/../b", "must not contain \"..\"");
	vol_bad("/h:/..", "must not contain \"..\"");
	vol_bad("/h:/c:ro,rw", "\"ro\" and \"rw\" conflict");
	vol_bad("/h:/c:bogus", "unknown option \"bogus\"");
	vol_bad("/h:/c:RO", "unknown option \"RO\"");
	vol_bad("/h:/c:ro:x", "want [SRC:]DST[:OPTIONS]");
	vol_bad("/h:/c:O", "unknown option \"O\"");
	vol_bad("/c:bogus", "unknown option \"bogus\"");
	vol_bad("/h:/c:ro,,z", "empty option");
	vol_bad("/h:/c:", "empty option");
}

static void test_named_volumes(void)
{
	struct volume_spec v;
	struct tmpfs_spec t;
	struct err e = ERR_INIT;

	ok(parse_volume("data:/srv/data:ro,U,nocopy,z", &v, &e) == 0, "named volume parses");
	ok(v.is_volume && !v.anonymous && v.src == NULL, "named: a volume, not yet resolved");
	is_str(v.name, "data", "named: name");
	is_str(v.dst, "/srv/data", "named: destination");
	ok(v.readonly && v.chown && v.nocopy, "named: ro, U and nocopy");
	is_str(v.mode, "ro,U,nocopy,z", "named: mode as given");
	volume_spec_free(&v);

	ok(parse_volume("/anon", &v, &e) == 0, "anonymous volume parses");
	ok(v.is_volume && v.anonymous && !v.name && !v.src, "anonymous: no name yet");
	is_str(v.dst, "/anon", "anonymous: destination");
	volume_spec_free(&v);
	ok(parse_volume("/anon:ro", &v, &e) == 0 && v.anonymous && v.readonly,
	   "anonymous volume with options");
	volume_spec_free(&v);
	ok(parse_volume("/h:/c:rshared", &v, &e) == 0 && v.propagation == (MS_SHARED | MS_REC),
	   "propagation rshared");
	volume_spec_free(&v);
	ok(parse_volume("./rel:/c", &v, &e) == 0 && v.src && v.src[0] == '/' && !v.is_volume,
	   "a relative host path is a bind mount from the working directory");
	volume_spec_free(&v);
	ok(volume_name_valid("a.b-c_1") && !volume_name_valid("..") && !volume_name_valid("a/b") &&
		   !volume_name_valid("-x") && !volume_name_valid(""),
	   "volume names");

	is_int(parse_mount("type=bind,source=/h,target=/c,readonly,bind-propagation=rslave", &v, &t, &e),
	       MOUNT_BIND, "--mount bind");
	ok(v.src && strcmp(v.src, "/h") == 0 && strcmp(v.dst, "/c") == 0 && v.readonly &&
		   v.propagation == (MS_SLAVE | MS_REC),
	   "--mount bind: fields");
	volume_spec_free(&v);
	is_int(parse_mount("type=volume,src=vol,dst=/c,volume-nocopy,ro=false", &v, &t, &e), MOUNT_VOLUME,
	       "--mount volume");
	ok(v.is_volume && v.name && strcmp(v.name, "vol") == 0 && v.nocopy && !v.readonly,
	   "--mount volume: fields");
	volume_spec_free(&v);
	is_int(parse_mount("type=volume,destination=/c", &v, &t, &e), MOUNT_VOLUME,
	       "--mount anonymous volume");
	ok(v.anonymous, "--mount volume without a source is anonymous");
	volume_spec_free(&v);
	is_int(parse_mount("type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1770", &v, &t, &e), MOUNT_TMPFS,
	       "--mount tmpfs");
	is_str(t.data, "size=64m,mode=1770", "--mount tmpfs: data");
	tmpfs_spec_free(&t);

	is_int(parse_mount("type=bind,src=/h,dst=/c,foo=bar", &v, &t, &e), -1, "unknown --mount key");
	has_msg(&e, "unknown key \"foo\"", "unknown --mount key");
	err_clear(&e);
	is_int(parse_mount("type=nfs,dst=/c", &v, &t, &e), -1, "unknown --mount type");
	has_msg(&e, "unknown type \"nfs\"", "unknown --mount type");
	err_clear(&e);
	is_int(parse_mount("src=/h,dst=/c", &v, &t, &e), -1, "--mount without type");
	err_clear(&e);
	is_int(parse_mount("type=bind,dst=/c", &v, &t, &e), -1, "--mount bind without source");
	err_clear(&e);
	is_int(parse_mount("type=bind,src=/h,dst=/c,tmpfs-size=1m", &v, &t, &e), -1, "tmpfs key on a bind");
	has_msg(&e, "tmpfs-* options do not apply", "tmpfs key on a bind");
	err_clear(&e);
	is_int(parse_mount("type=volume,src=../x,dst=/c", &v, &t, &e), -1, "--mount volume with a path");
	err_clear(&e);
	is_int(parse_mount("type=volume,src=a..b,dst=/c", &v, &t, &e), -1, "--mount volume with \"..\"");
	has_msg(&e, "invalid volume name", "--mount volume with \"..\"");
	err_clear(&e);
	is_int(parse_mount("type=bind,src=/h,dst=/c,ro=maybe", &v, &t, &e), -1, "--mount ro=maybe");
	err_clear(&e);
	ok(v.src == NULL && v.name == NULL && t.dst == NULL, "--mount: nothing left allocated");
}

/* ---- tmpfs ---------------------------------------------------------------- */

#define TMPFS_DEFAULT (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static void tmpfs_ok(const char *s, const char *dst, unsigned long flags, const char *data)
{
	struct tmpfs_spec t;
	struct err e = ERR_INIT;

	if (!ok(parse_tmpfs(s, &t, &e) == 0, "tmpfs %s parses", s)) {
		printf("# error: %s\n", e.msg);
		err_clear(&e);
		return;
	}
	is_str(t.dst, dst, "tmpfs %s: destination", s);
	is_int(t.flags, flags, "tmpfs %s: flags", s);
	is_str(t.data, data, "tmpfs %s: data", s);
	tmpfs_spec_free(&t);
}

static void tmpfs_bad(const char *s, const char *msg)
{
	struct tmpfs_spec t;
	struct err e = ERR_INIT;

	is_int(parse_tmpfs(s, &t, &e), -1, "tmpfs \"%s\" is rejected", s);
	has_msg(&e, msg, s);
	ok(t.dst == NULL && t.data == NULL, "tmpfs \"%s\": nothing left allocated", s);
	err_clear(&e);
}

static void test_tmpfs(void)
{
	tmpfs_ok("/tmp", "/tmp", TMPFS_DEFAULT, "");
	tmpfs_ok("/run//lock/", "/run/lock", TMPFS_DEFAULT, "");
	tmpfs_ok("/tmp:size=64m,mode=1777", "/tmp", TMPFS_DEFAULT, "size=64m,mode=1777");
	tmpfs_ok("/tmp:size=10%", "/tmp", TMPFS_DEFAULT, "size=10%");
	tmpfs_ok("/tmp:size=4096", "/tmp", TMPFS_DEFAULT, "size=4096");
	tmpfs_ok("/tmp:size=1G,nr_inodes=10k", "/tmp", TMPFS_DEFAULT, "size=1G,nr_inodes=10k");
	tmpfs_ok("/tmp:uid=1000,gid=100,mode=0700", "/tmp", TMPFS_DEFAULT, "uid=1000,gid=100,mode=0700");
	tmpfs_ok("/tmp:ro", "/tmp", TMPFS_DEFAULT | MS_RDONLY, "");
	tmpfs_ok("/tmp:ro,rw", "/tmp", TMPFS_DEFAULT, "");
	tmpfs_ok("/tmp:exec", "/tmp", MS_NOSUID | MS_NODEV, "");
	tmpfs_ok("/tmp:exec,suid,dev", "/tmp", 0, "");
	tmpfs_ok("/tmp:exec,noexec", "/tmp", TMPFS_DEFAULT, "");
	tmpfs_ok("/tmp:tmpcopyup,notmpcopyup,size=1k", "/tmp", TMPFS_DEFAULT, "size=1k");

	tmpfs_bad("tmp", "must be an absolute path");
	tmpfs_bad("", "empty container path");
	tmpfs_bad("/", "cannot mount over the container's /");
	tmpfs_bad("/a/../b", "must not contain \"..\"");
	tmpfs_bad("/tmp:bogus", "unknown option \"bogus\"");
	tmpfs_bad("/tmp:size=1m,huge=1", "unknown option \"huge\"");
	tmpfs_bad("/tmp:size=abc", "bad value in \"size=abc\"");
	tmpfs_bad("/tmp:size=", "bad value in \"size=\"");
	tmpfs_bad("/tmp:size=1mb", "bad value");
	tmpfs_bad("/tmp:size=-1", "bad value");
	tmpfs_bad("/tmp:mode=999", "bad value in \"mode=999\"");
	tmpfs_bad("/tmp:mode=17777", "bad value");
	tmpfs_bad("/tmp:uid=-1", "bad value");
	tmpfs_bad("/tmp:uid=4294967295", "bad value");
	tmpfs_bad("/tmp:gid=x", "bad value");
	tmpfs_bad("/tmp:nr_inodes=10%", "bad value");
	tmpfs_bad("/tmp:size=1m,mode=1777,,", "empty option");
	tmpfs_bad("/tmp:", "empty option");
}

/* ---- environment ----------------------------------------------------------- */

static char *write_temp(const char *dir, const char *name, const char *text, size_t len)
{
	char *path = xasprintf("%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write_all(fd, text, len) < 0)
		abort();
	close(fd);
	return path;
}

static void test_env(const char *tmp)
{
	_cleanup_strv_ char **env = NULL;
	struct err e = ERR_INIT;

	setenv("BURROW_T_SET", "from caller", 1);
	unsetenv("BURROW_T_UNSET");

	is_int(env_add(&env, "A=1", &e), 0, "env_add A=1");
	is_str(env_get(env, "A"), "1", "env_get A");
	is_int(env_add(&env, "A=2", &e), 0, "env_add A=2 again");
	is_int(strv_len(env), 1, "a repeated key replaces, not appends");
	is_str(env_get(env, "A"), "2", "the later value wins");
	env_add(&env, "EQ==b=c", &e);
	is_str(env_get(env, "EQ"), "=b=c", "the value keeps later '='");
	env_add(&env, "EMPTY=", &e);
	is_str(env_get(env, "EMPTY"), "", "an empty value is kept");
	env_add(&env, "BURROW_T_SET", &e);
	is_str(env_get(env, "BURROW_T_SET"), "from caller", "KEY alone copies the caller's value");
	is_int(env_add(&env, "BURROW_T_UNSET", &e), 0, "KEY alone, unset: no error");
	ok(env_get(env, "BURROW_T_UNSET") == NULL, "KEY alone, unset: dropped");
	is_int(env_add(&env, "=x", &e), -1, "env_add =x is rejected");
	has_msg(&e, "invalid environment variable \"=x\"", "env =x");
	is_int(env_add(&env, "", &e), -1, "env_add \"\" is rejected");
	ok(env_get(env, "A=") == NULL && env_get(env, "") == NULL && env_get(env, "EQ=") == NULL,
	   "env_get does not match prefixes or empty keys");
	ok(env_get(env, "EM") == NULL, "env_get needs the whole key");
	env_set(&env, "PATH", "/bin");
	env_set(&env, "PATH", "/usr/bin:/bin");
	is_str(env_get(env, "PATH"), "/usr/bin:/bin", "env_set replaces");
	is_int(strv_len(env), 5, "no duplicates in env");
	ok(env_get(NULL, "A") == NULL, "env_get on an empty env");
	err_clear(&e);

	{
		static const char text[] = "\xef\xbb\xbf"
					   "FIRST=bom stripped\n"
					   "# a comment\n"
					   "\n"
					   "   \t\n"
					   "  INDENTED=yes\n"
					   "SPACES=  a b c  \n"
					   "QUOTED=\"quoted\" 'single'\n"
					   "HASH=a # not a comment\n"
					   "BURROW_T_SET\n"
					   "BURROW_T_UNSET\n"
					   "CRLF=dos\r\n"
					   "A=from file\n"
					   "NOEOL=last";
		_cleanup_strv_ char **fenv = NULL;
		_cleanup_free_ char *p = write_temp(tmp, "good.env", text, sizeof text - 1);

		env_set(&fenv, "A", "before");
		if (!ok(env_add_file(&fenv, p, &e) == 0, "env file parses"))
			printf("# error: %s\n", e.msg);
		is_str(env_get(fenv, "FIRST"), "bom stripped", "env file: a UTF-8 BOM is skipped");
		is_str(env_get(fenv, "INDENTED"), "yes", "env file: leading blanks are skipped");
		is_str(env_get(fenv, "SPACES"), "  a b c  ", "env file: the value is verbatim");
		is_str(env_get(fenv, "QUOTED"), "\"quoted\" 'single'", "env file: quotes are kept");
		is_str(env_get(fenv, "HASH"), "a # not a comment", "env file: # inside a value");
		is_str(env_get(fenv, "BURROW_T_SET"), "from caller", "env file: KEY alone copies");
		ok(env_get(fenv, "BURROW_T_UNSET") == NULL, "env file: KEY alone, unset: dropped");
		is_str(env_get(fenv, "CRLF"), "dos", "env file: CRLF line endings");
		is_str(env_get(fenv, "A"), "from file", "env file: replaces an earlier value");
		is_str(env_get(fenv, "NOEOL"), "last", "env file: last line without newline");
		is_int(strv_len(fenv), 9, "env file: nine variables");
		err_clear(&e);
	}
	{
		static const struct {
			const char *name, *text, *msg;
		} bad[] = {
			{ "space.env", "A=1\n# c\nBAD KEY=1\n",
			  "space.env:3: variable \"BAD KEY\" contains whitespace" },
			{ "tab.env", "K\tX\n", "tab.env:1: variable \"K\tX\" contains whitespace" },
			{ "trail.env", "KEY =v\n", "trail.env:1: variable \"KEY \" contains whitespace" },
			{ "noname.env", "\n\n=value\n", "noname.env:3: no variable name" },
		};
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			_cleanup_strv_ char **fenv = NULL;
			_cleanup_free_ char *p = write_temp(tmp, bad[i].name, bad[i].text,
							    strlen(bad[i].text));
			is_int(env_add_file(&fenv, p, &e), -1, "env file %s is rejected", bad[i].name);
			has_msg(&e, bad[i].msg, bad[i].name);
			err_clear(&e);
		}
	}
	{
		_cleanup_strv_ char **fenv = NULL;
		_cleanup_free_ char *p = write_temp(tmp, "nul.env", "A=1\0B=2\n", 8);
		_cleanup_free_ char *missing = xasprintf("%s/missing.env", tmp);
		is_int(env_add_file(&fenv, p, &e), -1, "env file with a NUL byte is rejected");
		has_msg(&e, "NUL", "nul.env");
		is_int(env_add_file(&fenv, missing, &e), -1, "missing env file is an error");
		has_msg(&e, "missing.env: No such file or directory", "missing env file");
		err_clear(&e);
	}
}

/* ---- users ---------------------------------------------------------------- */

static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\n"
			     "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
			     "# a comment\n"
			     "\n"
			     "broken line without fields\n"
			     "bad:x:notanumber:1::/bad:/bin/sh\n"
			     "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
			     "bob:x:1001:1001::/home/bob:/bin/sh\n"
			     "nohome:x:1002:1002:::\n"
			     "short:x:1003:1003\n"
			     "+nis\n";

static const char group[] = "root:x:0:\n"
			    "wheel:x:10:alice,bob\n"
			    "audio:x:29:alice\n"
			    "staff:x:50:bob\n"
			    "alice:x:1000:\n"
			    "bob:x:1001:\n"
			    "again:x:10:alice\n"
			    "bad:x:zz:alice\n"
			    "# comment:x:77:alice\n"
			    "2000:x:3000:\n";

static bool groups_are(const struct user_spec *u, const gid_t *want, size_t n)
{
	if (u->ngroups != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (u->groups[i] != want[i])
			return false;
	return true;
}

static void show_groups(const struct user_spec *u)
{
	printf("# groups:");
	for (size_t i = 0; i < u->ngroups; i++)
		printf(" %u", (unsigned)u->groups[i]);
	printf("\n");
}

#define USER_OK(spec, uid_, gid_, home_, ...) \
	do { \
		struct user_spec u; \
		struct err e = ERR_INIT; \
		const gid_t want[] = { __VA_ARGS__ }; \
		if (!ok(resolve_user_text(passwd, group, spec, &u, &e) == 0, "user \"%s\" resolves", \
			spec)) { \
			printf("# error: %s\n", e.msg); \
			err_clear(&e); \
			break; \
		} \
		is_int(u.uid, uid_, "user \"%s\": uid", spec); \
		is_int(u.gid, gid_, "user \"%s\": gid", spec); \
		is_str(u.home, home_, "user \"%s\": home", spec); \
		if (!ok(groups_are(&u, want, sizeof want / sizeof want[0]), "user \"%s\": groups", spec)) \
			show_groups(&u); \
		user_spec_free(&u); \
	} while (0)

static void user_bad(const char *pw, const char *gr, const char *spec, const char *msg)
{
	struct user_spec u;
	struct err e = ERR_INIT;

	is_int(resolve_user_text(pw, gr, spec, &u, &e), -1, "user \"%s\" is rejected", spec);
	is_str(e.msg, msg, "user \"%s\": message", spec);
	ok(u.groups == NULL && u.home == NULL, "user \"%s\": nothing left allocated", spec);
	err_clear(&e);
}

static void test_users_text(void)
{
	USER_OK("alice", 1000, 1000, "/home/alice", 1000, 10, 29);
	USER_OK("1000", 1000, 1000, "/home/alice", 1000, 10, 29);
	USER_OK("bob", 1001, 1001, "/home/bob", 1001, 10, 50);
	USER_OK("root", 0, 0, "/root", 0);
	USER_OK("0", 0, 0, "/root", 0);
	USER_OK("", 0, 0, "/root", 0);
	USER_OK("daemon", 1, 1, "/usr/sbin", 1);
	USER_OK("alice:staff", 1000, 50, "/home/alice", 50, 10, 29);
	USER_OK("alice:5", 1000, 5, "/home/alice", 5, 10, 29);
	USER_OK("alice:wheel", 1000, 10, "/home/alice", 10, 29);
	USER_OK("1000:1001", 1000, 1001, "/home/alice", 1001, 10, 29);
	USER_OK("4242", 4242, 0, "/", 0);
	USER_OK("4242:4242", 4242, 4242, "/", 4242);
	USER_OK("4242:audio", 4242, 29, "/", 29);
	USER_OK("4242:2000", 4242, 2000, "/", 2000);
	USER_OK("nohome", 1002, 1002, "/", 1002);
	USER_OK("short", 1003, 1003, "/", 1003);

	user_bad(passwd, group, "nobody", "unable to find user nobody: no matching entries in passwd file");
	user_bad(passwd, group, "bad", "unable to find user bad: no matching entries in passwd file");
	user_bad(passwd, group, "+nis", "unable to find user +nis: no matching entries in passwd file");
	user_bad(passwd, group, "alice:nogroup",
		 "unable to find group nogroup: no matching entries in group file");
	user_bad(passwd, group, "4242:bad", "unable to find group bad: no matching entries in group file");
	user_bad(passwd, group, ":wheel", "invalid user \":wheel\": empty user name");
	user_bad(passwd, group, "alice:", "invalid user \"alice:\": empty group name");
	user_bad(passwd, group, "99999999999", "invalid user \"99999999999\": uid out of range");
	user_bad(passwd, group, "4294967295", "invalid user \"4294967295\": uid out of range");
	user_bad(passwd, group, "1:4294967295", "invalid user \"1:4294967295\": gid out of range");
	user_bad(NULL, NULL, "root", "unable to find user root: no matching entries in passwd file");
	user_bad(passwd, NULL, "root:root", "unable to find group root: no matching entries in group file");

	{
		struct user_spec u;
		struct err e = ERR_INIT;
		is_int(resolve_user_text(NULL, NULL, "7:8", &u, &e), 0, "numeric ids need no files");
		ok(u.uid == 7 && u.gid == 8 && strcmp(u.home, "/") == 0 && u.ngroups == 1 && u.groups[0] == 8,
		   "7:8 without files: uid 7, gid 8, home /, groups {8}");
		user_spec_free(&u);
	}
}

static int open_dir(const char *path)
{
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		abort();
	return fd;
}

static void mkdirs(const char *base, const char *sub)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", base, sub);
	struct err e = ERR_INIT;
	if (mkdir_p_at(AT_FDCWD, p, 0755, &e) < 0)
		abort();
}

static void symlink_in(const char *base, const char *name, const char *target)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", base, name);
	if (symlink(target, p) < 0)
		abort();
}

/* resolve spec in the rootfs at dir; returns rc, fills uid */
static int resolve_in(const char *dir, const char *spec, uid_t *uid, struct err *e)
{
	_cleanup_close_ int fd = open_dir(dir);
	struct user_spec u;
	int rc = resolve_user(fd, spec, &u, e);

	if (rc == 0) {
		*uid = u.uid;
		user_spec_free(&u);
	}
	return rc;
}

static void test_users_rootfs(const char *tmp, const char *mode)
{
	_cleanup_free_ char *good = xasprintf("%s/%s-good", tmp, mode);
	_cleanup_free_ char *bare = xasprintf("%s/%s-bare", tmp, mode);
	_cleanup_free_ char *esc = xasprintf("%s/%s-escape", tmp, mode);
	_cleanup_free_ char *esc2 = xasprintf("%s/%s-escape2", tmp, mode);
	_cleanup_free_ char *fifo = xasprintf("%s/%s-fifo", tmp, mode);
	_cleanup_free_ char *big = xasprintf("%s/%s-big", tmp, mode);
	_cleanup_free_ char *outside = xasprintf("%s/outside", tmp);
	_cleanup_free_ char *outside_etc = xasprintf("%s/outside/etc", tmp);
	struct err e = ERR_INIT;
	uid_t uid = 12345;

	/* an ordinary rootfs */
	mkdirs(good, "etc");
	free(write_temp(good, "etc/passwd", passwd, sizeof passwd - 1));
	free(write_temp(good, "etc/group", group, sizeof group - 1));
	is_int(resolve_in(good, "alice", &uid, &e), 0, "%s: resolve_user in a rootfs", mode);
	is_int(uid, 1000, "%s: alice is 1000", mode);

	/* no /etc at all: numbers work, names do not */
	mkdirs(bare, "bin");
	is_int(resolve_in(bare, "1234:5", &uid, &e), 0, "%s: rootfs without /etc: numeric ok", mode);
	is_int(uid, 1234, "%s: uid 1234", mode);
	is_int(resolve_in(bare, "alice", &uid, &e), -1, "%s: rootfs without /etc: names fail", mode);
	has_msg(&e, "unable to find user alice", mode);

	/* a hostile rootfs: etc points outside, at a directory holding a user
	 * "evil", and at the host's /etc */
	mkdirs(outside, "etc");
	free(write_temp(outside_etc, "passwd", "evil:x:666:666::/evil:/bin/sh\n", 30));
	mkdirs(esc, "x");
	symlink_in(esc, "etc", outside_etc);
	is_int(resolve_in(esc, "evil", &uid, &e), -1, "%s: etc -> absolute path outside: not read", mode);
	has_msg(&e, "unable to find user evil", mode);
	mkdirs(esc2, "bin");
	symlink_in(esc2, "etc", "../../../../../../../../../etc");
	is_int(resolve_in(esc2, "root", &uid, &e), -1,
	       "%s: etc -> ../../../etc: the host's passwd is not read", mode);
	has_msg(&e, "unable to find user root", mode);
	{
		/* etc/passwd itself a symlink to the outside */
		_cleanup_free_ char *target = xasprintf("%s/passwd", outside_etc);
		_cleanup_free_ char *d = xasprintf("%s/%s-escape3", tmp, mode);
		mkdirs(d, "etc");
		symlink_in(d, "etc/passwd", target);
		is_int(resolve_in(d, "evil", &uid, &e), -1, "%s: etc/passwd -> outside: not read", mode);
	}

	/* a fifo must not hang the lookup */
	mkdirs(fifo, "etc");
	{
		_cleanup_free_ char *p = xasprintf("%s/etc/passwd", fifo);
		if (mkfifo(p, 0644) < 0)
			abort();
	}
	is_int(resolve_in(fifo, "root", &uid, &e), -1, "%s: a fifo passwd is refused", mode);
	has_msg(&e, "not a regular file", mode);

	/* an oversized file is refused */
	mkdirs(big, "etc");
	{
		_cleanup_free_ char *p = xasprintf("%s/etc/group", big);
		int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0 || ftruncate(fd, (4 << 20) + 1) < 0)
			abort();
		close(fd);
	}
	is_int(resolve_in(big, "0", &uid, &e), -1, "%s: a 4 MiB+1 group file is refused", mode);
	has_msg(&e, "File too large", mode);
	err_clear(&e);
}

/* ---- capabilities, network, signals ------------------------------------------- */

static void test_caps(void)
{
	struct err e = ERR_INIT;
	static const char *const bad[] = { "bogus",     "CAP_BOGUS",      "12",  "", "CAP_",
					   "net admin", "cap_net_admin,", "ALLX" };
	bool has_chown = false, has_sys_admin = false;

	is_int(parse_cap("NET_ADMIN", &e), CAP_NET_ADMIN, "cap NET_ADMIN");
	is_int(parse_cap("CAP_NET_ADMIN", &e), CAP_NET_ADMIN, "cap CAP_NET_ADMIN");
	is_int(parse_cap("cap_net_admin", &e), CAP_NET_ADMIN, "cap cap_net_admin");
	is_int(parse_cap("net_admin", &e), CAP_NET_ADMIN, "cap net_admin");
	is_int(parse_cap("Cap_Sys_Admin", &e), CAP_SYS_ADMIN, "cap Cap_Sys_Admin");
	is_int(parse_cap("chown", &e), CAP_CHOWN, "cap chown (0)");
	is_int(parse_cap("all", &e), CAP_ALL, "cap all");
	is_int(parse_cap("ALL", &e), CAP_ALL, "cap ALL");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		is_int(parse_cap(bad[i], &e), -1, "cap \"%s\" is rejected", bad[i]);
		has_msg(&e, "unknown capability", bad[i]);
	}
	is_str(e.msg, "unknown capability \"ALLX\"", "cap: the message quotes the name as given");
	is_int(n_default_caps, 14, "docker's default set has 14 capabilities");
	for (size_t i = 0; i < n_default_caps; i++) {
		has_chown |= default_caps[i] == CAP_CHOWN;
		has_sys_admin |= default_caps[i] == CAP_SYS_ADMIN;
	}
	ok(has_chown && !has_sys_admin, "default set: CHOWN in, SYS_ADMIN out");
	err_clear(&e);
}

static void test_network(void)
{
	struct err e = ERR_INIT;
	enum net_mode m = NET_HOST;
	char *opts = (char *)"junk";

	is_int(parse_network("none", &m, &opts, &e), 0, "network none");
	ok(m == NET_NONE && opts == NULL, "none: mode, no opts");
	is_int(parse_network("host", &m, &opts, &e), 0, "network host");
	ok(m == NET_HOST && opts == NULL, "host: mode, no opts");
	is_int(parse_network("slirp4netns", &m, &opts, &e), 0, "network slirp4netns");
	ok(m == NET_SLIRP && opts == NULL, "slirp4netns: mode, no opts");
	is_int(parse_network("private", &m, &opts, &e), 0, "network private");
	ok(m == NET_SLIRP && opts == NULL, "private is slirp");
	is_int(parse_network("slirp4netns:mtu=1500,port_handler=slirp4netns", &m, &opts, &e), 0,
	       "network slirp4netns:opts");
	ok(m == NET_SLIRP, "slirp4netns:opts: mode");
	is_str(opts, "mtu=1500,port_handler=slirp4netns", "slirp4netns:opts: options");
	free(opts);
	is_int(parse_network("slirp4netns:", &m, &opts, &e), 0, "network slirp4netns: (empty opts)");
	ok(opts == NULL, "empty opts are NULL");
	is_int(parse_network("host", &m, NULL, &e), 0, "opts may be NULL");
	is_int(parse_network("bridge", &m, &opts, &e), 0, "network bridge: the default network");
	ok(m == NET_BRIDGE, "bridge: a user-defined network");
	is_str(opts, "bridge", "bridge: the network's name");
	free(opts);
	is_int(parse_network("Host", &m, &opts, &e), 0, "network Host: a network's name (case)");
	ok(m == NET_BRIDGE, "Host: a user-defined network");
	free(opts);
	is_int(parse_network("-x", &m, &opts, &e), -1, "network -x is rejected");
	has_msg(&e,
		"valid modes are none, host, slirp4netns[:OPTIONS] (or slirp), private, container:NAME and "
		"the name of a network",
		"-x");
	has_msg(&e, "\"-x\"", "-x");
	is_int(parse_network("", &m, &opts, &e), -1, "network \"\" is rejected");
	is_int(parse_network("host:x", &m, &opts, &e), -1, "network host:x is rejected");
	is_int(parse_network("container:web", &m, &opts, &e), 0, "network container:NAME");
	ok(m == NET_CONTAINER, "container:NAME: mode");
	is_str(opts, "web", "container:NAME: the reference");
	free(opts);
	opts = NULL;
	is_int(parse_network("container:", &m, &opts, &e), -1, "network container: needs a name");
	has_msg(&e, "needs a container name or ID", "container:");
	err_clear(&e);
}

static void test_signals(void)
{
	struct err e = ERR_INIT;
	static const struct {
		const char *s;
		int sig;
	} good[] = {
		{ "TERM", SIGTERM }, { "SIGTERM", SIGTERM }, { "sigterm", SIGTERM }, { "term", SIGTERM },
		{ "15", SIGTERM },   { "9", SIGKILL },       { "KILL", SIGKILL },    { "SIGKILL", SIGKILL },
		{ "HUP", SIGHUP },   { "INT", SIGINT },      { "QUIT", SIGQUIT },    { "USR1", SIGUSR1 },
		{ "usr2", SIGUSR2 }, { "WINCH", SIGWINCH },  { "CHLD", SIGCHLD },    { "CLD", SIGCHLD },
		{ "IOT", SIGABRT },  { "STOP", SIGSTOP },    { "CONT", SIGCONT },    { "PWR", SIGPWR },
		{ "1", 1 },          { "64", 64 },           { "RTMIN", 34 },        { "SIGRTMIN+1", 35 },
		{ "rtmin+30", 64 },  { "RTMAX", 64 },        { "SIGRTMAX-1", 63 },   { "RTMAX-30", 34 },
		{ "SIGRTMIN", 34 },
	};
	static const char *const bad[] = { "0",
					   "65",
					   "-1",
					   "+5",
					   "",
					   "FOO",
					   "SIG",
					   "SIGSIGTERM",
					   "TERM ",
					   "RTMIN+31",
					   "RTMIN-1",
					   "RTMAX+1",
					   "RTMAX-31",
					   "RTMIN+",
					   "RTMIN+x",
					   "15x",
					   "99999999999999999999" };

	is_int(SIGRTMIN, 34, "glibc's SIGRTMIN is 34, as parse_signal assumes");
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		is_int(parse_signal(good[i].s, &e), good[i].sig, "signal \"%s\"", good[i].s);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		is_int(parse_signal(bad[i], &e), -1, "signal \"%s\" is rejected", bad[i]);
		has_msg(&e, "invalid signal", bad[i]);
	}
	err_clear(&e);
}

/* config.json keeps the limits, --cgroups and --ulimit for restarts and update */
static void test_limits_record(void)
{
	struct container_spec s, r;
	struct err e = ERR_INIT;
	json_object *j;
	char *lower[] = { "/l", NULL }, *argv[] = { "true", NULL };

	memset(&s, 0, sizeof s);
	memset(s.id, 'a', 64);
	s.name = "n";
	s.hostname = "h";
	s.argv = argv;
	s.lowerdirs = lower;
	s.has_limits = true;
	cgroup_limits_init(&s.limits);
	ok(cgroup_limit_set(&s.limits, "memory", "64m", &e) == 0, "--memory 64m");
	ok(cgroup_limit_set(&s.limits, "cpus", "0.5", &e) == 0, "--cpus 0.5");
	ok(cgroup_limit_set(&s.limits, "pids-limit", "-1", &e) == 0, "--pids-limit -1");
	ok(cgroup_limit_set(&s.limits, "cpuset-cpus", "0-1", &e) == 0, "--cpuset-cpus 0-1");
	strv_push(&s.ulimits, "nofile=10:20");
	j = container_spec_to_json(&s);
	ok(container_spec_from_json(j, "/r", "/rr", &r, &e) == 0, "the record reads back");
	ok(r.has_limits, "limits are recorded");
	is_int(r.limits.memory, 64 << 20, "memory");
	is_int(r.limits.cpu_quota, 50000, "cpu quota from --cpus");
	is_int(r.limits.cpu_period, 100000, "cpu period from --cpus");
	ok(r.limits.from_cpus, "from_cpus");
	is_int(r.limits.pids_limit, CG_MAX, "pids unlimited");
	ok(r.limits.memory_swap == CG_UNSET && r.limits.cpu_shares == CG_UNSET, "unset limits stay unset");
	is_str(r.limits.cpuset_cpus, "0-1", "cpuset");
	ok(r.limits.cpuset_mems == NULL, "no cpuset mems");
	ok(r.ulimits && strcmp(r.ulimits[0], "nofile=10:20") == 0, "ulimits recorded");
	ok(!r.no_cgroups, "cgroups enabled by default");
	container_spec_free(&r);
	json_object_put(j);
	cgroup_limits_free(&s.limits);
	strv_free(s.ulimits);

	memset(&s, 0, sizeof s);
	memset(s.id, 'b', 64);
	s.name = "n";
	s.hostname = "h";
	s.argv = argv;
	s.lowerdirs = lower;
	s.no_cgroups = true;
	j = container_spec_to_json(&s);
	ok(container_spec_from_json(j, "/r", "/rr", &r, &e) == 0, "a record without limits reads back");
	ok(!r.has_limits && r.no_cgroups && !r.ulimits, "--cgroups=disabled, no limits");
	container_spec_free(&r);
	json_object_put(j);
	err_clear(&e);

	/* volumes: every field comes back, and a bad one is refused */
	{
		struct volume_spec v[2];
		json_object *a, *o;
		memset(v, 0, sizeof v);
		if (parse_volume("data:/srv:ro,U,nocopy,rshared", &v[0], &e) < 0)
			printf("# %s\n", e.msg);
		v[0].src = xstrdup("/r/volumes/data/_data");
		v[0].copy_up = true;
		s.volumes = v;
		s.nvolumes = 1;
		j = container_spec_to_json(&s);
		ok(container_spec_from_json(j, "/r", "/rr", &r, &e) == 0,
		   "a record with a volume reads back");
		ok(r.nvolumes == 1 && r.volumes[0].is_volume && !r.volumes[0].anonymous &&
			   strcmp(r.volumes[0].name, "data") == 0 &&
			   strcmp(r.volumes[0].src, v[0].src) == 0 && r.volumes[0].readonly &&
			   r.volumes[0].chown && r.volumes[0].nocopy && r.volumes[0].copy_up &&
			   r.volumes[0].propagation == (MS_SHARED | MS_REC) &&
			   strcmp(r.volumes[0].mode, "ro,U,nocopy,rshared") == 0,
		   "  every volume field");
		container_spec_free(&r);
		a = json_object_object_get(j, "volumes");
		o = json_object_array_get_idx(a, 0);
		json_object_object_add(o, "name", json_object_new_string("../x"));
		ok(container_spec_from_json(j, "/r", "/rr", &r, &e) < 0,
		   "a bad volume name in a record is refused");
		container_spec_free(&r);
		err_clear(&e);
		json_object_object_add(o, "name", json_object_new_string("data"));
		json_object_object_add(o, "propagation", json_object_new_int64(1L << 30));
		ok(container_spec_from_json(j, "/r", "/rr", &r, &e) < 0, "bad propagation flags are refused");
		container_spec_free(&r);
		err_clear(&e);
		json_object_put(j);
		volume_spec_free(&v[0]);
	}
}

int main(void)
{
	char tmpl[] = "/tmp/burrow-spec-test.XXXXXX";
	char *tmp = mkdtemp(tmpl);
	struct err e = ERR_INIT;

	if (!tmp) {
		return skip_all("mkdtemp failed");
	}
	test_volumes();
	test_named_volumes();
	test_tmpfs();
	test_env(tmp);
	test_users_text();
	if (safe_open_have_openat2()) {
		safe_open_force(SAFE_OPEN_OPENAT2);
		test_users_rootfs(tmp, "openat2");
	}
	safe_open_force(SAFE_OPEN_FALLBACK);
	test_users_rootfs(tmp, "fallback");
	safe_open_force(SAFE_OPEN_AUTO);
	test_caps();
	test_network();
	test_signals();
	test_limits_record();
	rm_rf_at(AT_FDCWD, tmp, &e);
	err_clear(&e);
	return done_testing();
}
