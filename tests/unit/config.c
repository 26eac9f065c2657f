/* config.c - burrow.conf sizes and durations, and the private-directory check that guards
 * the runroot and $XDG_RUNTIME_DIR */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/base/config.h"
#include "lib/base/netfs.h"
#include "lib/base/util.h"
#include "tap.h"

static void bytes(const char *s, long long want)
{
	uint64_t v = 0;
	int r = config_parse_bytes(s, &v);
	if (want < 0)
		ok(r < 0, "\"%s\" is not a size", s);
	else
		ok(r == 0 && v == (uint64_t)want, "\"%s\" is %lld bytes (got %llu)", s, want,
		   (unsigned long long)v);
}

static void grace(const char *s, int want)
{
	int v = -7;
	int r = config_parse_grace(s, &v);
	if (want < 0)
		ok(r < 0, "\"%s\" is not a grace period", s);
	else
		ok(r == 0 && v == want, "grace \"%s\" is %d ms (got %d)", s, want, v);
}

static void check_private(const char *path, int want, const char *why_has, const char *desc)
{
	char *why = NULL;
	int r = config_private_dir(path, &why);
	is_int(r, want, "%s", desc);
	if (why_has)
		ok(why && strstr(why, why_has), "  why: %s", why ? why : "(none)");
	free(why);
}

int main(void)
{
	char tmpl[] = "/tmp/burrow-unit-config.XXXXXX";
	const char *tmp = mkdtemp(tmpl);
	char p[256], q[256];
	struct err e = ERR_INIT;

	bytes("123", 123);
	bytes("64G", 64LL << 30);
	bytes("64GiB", 64LL << 30);
	bytes("512m", 512LL << 20);
	bytes("1.5K", 1536);
	bytes("8 MB", 8LL << 20);
	bytes("0", -1);
	bytes("-1G", -1);
	bytes("lots", -1);
	bytes("1Q", -1);
	bytes("nan", -1);
	bytes("99999999T", -1);

	grace("0", 0);
	grace("10", 10000);
	grace("10s", 10000);
	grace("1.5", 1500);
	grace("250ms", 250);
	grace("1m", 60000);
	grace("60min", 3600000);
	grace("2h", -1);
	grace("3601", -1);
	grace("-1", -1);
	grace("", -1);
	grace("soon", -1);
	grace("nan", -1);
	grace("inf", -1);
	grace(" 5", -1);

	/* the network filesystems by their statfs magic numbers */
	{
		static const struct {
			unsigned long magic;
			const char *name;
			bool net;
		} fs[] = { { 0x6969UL, "nfs", true },        { 0x0BD00BD0UL, "lustre", true },
			   { 0x47504653UL, "gpfs", true },   { 0xFF534D42UL, "cifs", true },
			   { 0xFE534D42UL, "smb2", true },   { 0x00C36400UL, "ceph", true },
			   { 0x19830326UL, "beegfs", true }, { 0xEF53UL, "ext4", false },
			   { 0x01021994UL, "tmpfs", false }, { 0x58465342UL, "xfs", false } };
		for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) {
			bool net = !fs[i].net;
			const char *n = fs_magic_name(fs[i].magic, &net);
			ok(n && !strcmp(n, fs[i].name) && net == fs[i].net, "0x%lx is %s, %s", fs[i].magic,
			   fs[i].name, fs[i].net ? "a network filesystem" : "local");
		}
		ok(netfs_of("/proc") == NULL, "/proc is not a network filesystem");
		setenv("BURROW_LOCAL_DIR", "/somewhere/local", 1);
		{
			char *l = netfs_local_dir();
			is_str(l, "/somewhere/local", "BURROW_LOCAL_DIR names the node-local directory");
			free(l);
		}
		unsetenv("BURROW_LOCAL_DIR");
	}

	if (!tmp)
		return skip_all("mkdtemp failed");
	snprintf(p, sizeof p, "%s/own", tmp);
	mkdir(p, 0700);
	check_private(p, 1, NULL, "a directory of one's own at 0700 is private");
	chmod(p, 0750);
	check_private(p, -1, "mode 0750", "group bits are refused");
	chmod(p, 0777);
	check_private(p, -1, "mode 0777", "0777 is refused");
	chmod(p, 0700);
	snprintf(q, sizeof q, "%s/link", tmp);
	if (symlink(p, q) < 0)
		return skip_all("symlink failed");
	check_private(q, -1, "symbolic link", "a symlink to a private directory is refused");
	snprintf(q, sizeof q, "%s/file", tmp);
	fclose(fopen(q, "w"));
	check_private(q, -1, "not a directory", "a file is refused");
	snprintf(q, sizeof q, "%s/none", tmp);
	check_private(q, 0, NULL, "a missing directory is 0");
	snprintf(q, sizeof q, "%s/open", tmp);
	mkdir(q, 0700);
	chmod(q, 0777);
	snprintf(p, sizeof p, "%s/open/in", tmp);
	mkdir(p, 0700);
	/* the parent check is for parents of other users: ours passes */
	check_private(p, 1, NULL, "in a 0777 parent of one's own: private");
	if (getuid() != 0)
		check_private("/", -1, "owned by uid 0", "/ is root's");
	{
		struct config c = { 0 };
		c.runroot = xasprintf("%s/link", tmp);
		ok(config_check_runroot(&c, false, &e) < 0, "config_check_runroot refuses the symlink");
		ok(e.msg && strstr(e.msg, "is not safe to use") && strstr(e.msg, "--runroot"),
		   "  and says what to do: %s", e.msg ? e.msg : "");
		err_clear(&e);
		free(c.runroot);
		c.runroot = xasprintf("%s/made/run", tmp);
		ok(config_check_runroot(&c, false, &e) == 0, "a missing runroot passes without create");
		ok(config_check_runroot(&c, true, &e) == 0, "  and is made with create");
		check_private(c.runroot, 1, NULL, "  private");
		free(c.runroot);
	}
	if (rm_rf_at(AT_FDCWD, tmp, &e) < 0)
		diag("cleanup failed");
	err_clear(&e);
	return done_testing();
}
