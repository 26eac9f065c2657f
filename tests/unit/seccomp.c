/* seccomp.c - tests for src/lib/runtime/seccomp.c: the OCI/docker profile
 * parser (fields, includes/excludes against capabilities and the native
 * architecture, one-line errors), the default table, compiled filters
 * loaded into a child (the calls answer as the table says), and the cache
 * of compiled programs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/base/util.h"
#include "lib/runtime/seccomp.h"
#include "tap.h"

#define CAP(n) (1ULL << (n))

static int parse(const char *json, uint64_t caps, struct seccomp_profile *p, struct err *e)
{
	err_clear(e);
	return seccomp_profile_parse(json, strlen(json), caps, p, e);
}

/* the error of a profile that must fail */
static void bad(const char *json, const char *want, const char *what)
{
	struct seccomp_profile p;
	struct err e = ERR_INIT;

	is_int(parse(json, 0, &p, &e), -1, "%s: refused", what);
	is_str(e.msg, want, "%s: the message", what);
	err_clear(&e);
}

/* does the parsed profile hold a rule for name, and with what action? */
static bool has_rule(const struct seccomp_profile *p, const char *name, uint32_t *action)
{
	for (size_t i = 0; i < p->nrules; i++)
		for (size_t k = 0; p->rules[i].names && p->rules[i].names[k]; k++)
			if (strcmp(p->rules[i].names[k], name) == 0) {
				*action = p->rules[i].action;
				return true;
			}
	return false;
}

static void test_parse(void)
{
	struct seccomp_profile p;
	struct err e = ERR_INIT;
	uint32_t a = 0;

	is_int(parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
		     "\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\",\"subArchitectures\":"
		     "[\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]},{\"architecture\":\"SCMP_ARCH_AARCH64\","
		     "\"subArchitectures\":[\"SCMP_ARCH_ARM\"]}],"
		     "\"syscalls\":["
		     "{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\",\"comment\":\"io\"},"
		     "{\"names\":[\"vmsplice\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1},"
		     "{\"names\":[\"bpf\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},"
		     "{\"names\":[\"chroot\"],\"action\":\"SCMP_ACT_ERRNO\",\"excludes\":{\"caps\":[\"CAP_SYS_CHROOT\"]}},"
		     "{\"name\":\"kill\",\"action\":\"SCMP_ACT_LOG\",\"args\":null},"
		     "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":"
		     "[{\"index\":0,\"value\":4294967295,\"valueTwo\":0,\"op\":\"SCMP_CMP_EQ\"}]},"
		     "{\"names\":[\"nosys\"],\"action\":\"SCMP_ACT_ERRNO\",\"errno\":\"ENOSYS\"}"
		     "]}",
		     CAP(18), &p, &e),
	       0, "a profile with every supported field parses");
	is_int(p.default_action, SCMP_ACT_ERRNO(38), "defaultAction with defaultErrnoRet");
	if (seccomp_arch_native() == SCMP_ARCH_X86_64)
		is_int(p.narches, 2, "archMap: the native entry's sub-architectures only");
	else
		skip("not x86_64");
	ok(has_rule(&p, "write", &a) && a == SCMP_ACT_ALLOW, "names: each name gets the action");
	ok(has_rule(&p, "vmsplice", &a) && a == SCMP_ACT_ERRNO(1), "errnoRet");
	ok(!has_rule(&p, "bpf", &a), "includes.caps: left out without the capability");
	ok(!has_rule(&p, "chroot", &a), "excludes.caps: left out with the capability");
	ok(has_rule(&p, "kill", &a) && a == SCMP_ACT_LOG, "the single \"name\" form and SCMP_ACT_LOG");
	ok(has_rule(&p, "personality", &a) && p.rules[3].nargs == 1 &&
		   p.rules[3].args[0].value == 0xffffffffULL,
	   "args: a 32-bit value");
	ok(!has_rule(&p, "nosys", &a), "a rule with the default's own action is dropped");
	seccomp_profile_free(&p);

	is_int(parse("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"bpf\"],"
		     "\"action\":\"SCMP_ACT_ERRNO\",\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}}]}",
		     CAP(21), &p, &e),
	       0, "includes.caps with the capability");
	ok(has_rule(&p, "bpf", &a) && a == SCMP_ACT_ERRNO(EPERM), "the rule is in, errno EPERM by default");
	seccomp_profile_free(&p);

	bad("[]", "seccomp profile: not a JSON object", "not an object");
	bad("{\"defaultAction\":\"SCMP_ACT_ALLOW\"", "malformed seccomp profile: not a JSON document",
	    "malformed JSON");
	bad("{}", "seccomp profile: defaultAction is required", "no defaultAction");
	bad("{\"defaultAction\":\"SCMP_ACT_MAYBE\"}",
	    "seccomp profile: defaultAction: unknown action \"SCMP_ACT_MAYBE\"", "unknown default action");
	bad("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"color\":1}", "seccomp profile: unknown field \"color\"",
	    "unknown field");
	bad("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/x\"}",
	    "seccomp profile: listenerPath is not supported", "listenerPath");
	bad("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_Z80\"]}",
	    "seccomp profile: architectures: unknown architecture \"SCMP_ARCH_Z80\"", "unknown architecture");
	bad("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"]}]}",
	    "seccomp profile: syscalls[0]: action is required", "no action");
	bad("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
	    "seccomp profile: syscalls[0]: SCMP_ACT_NOTIFY is not supported", "SCMP_ACT_NOTIFY");
	bad("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\","
	    "\"errnoRet\":-1}]}",
	    "seccomp profile: syscalls[0]: errnoRet must be a number from 0 to 4095", "negative errnoRet");
	bad("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\","
	    "\"errno\":\"EWHAT\"}]}",
	    "seccomp profile: syscalls[0]: unknown errno name \"EWHAT\"", "unknown errno name");
	bad("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\","
	    "\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	    "seccomp profile: syscalls[0].args[0]: index must be 0 to 5", "argument index 6");
	bad("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\","
	    "\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_ABOUT\"}]}]}",
	    "seccomp profile: syscalls[0].args[0]: op must be one of SCMP_CMP_NE, _LT, _LE, _EQ, _GE, _GT, _MASKED_EQ",
	    "unknown operator");
	bad("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\","
	    "\"includes\":{\"minKernel\":\"5.4\"}}]}",
	    "seccomp profile: syscalls[0]: includes.minKernel is not supported", "minKernel");
	bad("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\","
	    "\"includes\":{\"caps\":[\"CAP_FLY\"]}}]}",
	    "seccomp profile: syscalls[0]: includes.caps[0]: unknown capability \"CAP_FLY\"",
	    "unknown capability");
	bad("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":5,\"action\":\"SCMP_ACT_ERRNO\"}]}",
	    "seccomp profile: syscalls[0]: names must be an array of strings", "names as a number");
	err_clear(&e);
}

/* In a child: no_new_privs, the program, then each call; the child exits
 * with a bit set for each call that answered as expected. */
static int answers(const struct seccomp_prog *prog)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		struct err e = ERR_INIT;
		int p[2], r = 0;
		char c = 'x';
		struct iovec iov = { &c, 1 };
		char params[120] = { 0 };

		if (pipe(p) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_apply(prog, &e) < 0)
			_exit(255);
		if (syscall(SYS_getpid) == getpid())
			r |= 1;
		if (syscall(SYS_vmsplice, p[1], &iov, 1UL, 0U) < 0 && errno == EPERM)
			r |= 2;
		if (syscall(SYS_io_uring_setup, 1U, params) < 0 && errno == ENOSYS)
			r |= 4;
		if (syscall(SYS_personality, 0xffffffffUL) >= 0)
			r |= 8;
		if (syscall(SYS_personality, 0x0400000UL) < 0 && errno == ENOSYS)
			r |= 16;
		if (syscall(SYS_bpf, 0, NULL, 0) < 0 && errno == EPERM)
			r |= 32;
		_exit(r);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void test_default(void)
{
	struct seccomp_profile p;
	struct seccomp_prog prog;
	struct err e = ERR_INIT;
	uint32_t a = 0;

	seccomp_profile_default(0, &p);
	ok(has_rule(&p, "read", &a) && a == SCMP_ACT_ALLOW, "default: read is allowed");
	ok(has_rule(&p, "kexec_load", &a) && a == SCMP_ACT_ERRNO(EPERM), "default: kexec_load gets EPERM");
	ok(!has_rule(&p, "io_uring_setup", &a), "default: io_uring_setup falls to the default");
	is_int(p.default_action, SCMP_ACT_ERRNO(ENOSYS), "default: everything else gets ENOSYS");
	ok(has_rule(&p, "bpf", &a) && a == SCMP_ACT_ERRNO(EPERM),
	   "default without capabilities: bpf gets EPERM");
	seccomp_profile_free(&p);
	seccomp_profile_default(CAP(21), &p);
	ok(has_rule(&p, "bpf", &a) && a == SCMP_ACT_ALLOW, "default with CAP_SYS_ADMIN: bpf is allowed");
	seccomp_profile_free(&p);
	seccomp_profile_default(CAP(29), &p);
	ok(has_rule(&p, "socket", &a) && a == SCMP_ACT_ALLOW,
	   "with CAP_AUDIT_WRITE: socket without conditions");
	seccomp_profile_free(&p);
	seccomp_profile_default(0, &p);
	ok(has_rule(&p, "socket", &a) && a == SCMP_ACT_ERRNO(EINVAL), "without it: audit sockets get EINVAL");

	is_int(seccomp_compile(&p, &prog, &e), 0, "the default compiles");
	ok(prog.len > 100 && prog.len <= BPF_MAXINSNS, "to a BPF program (%u instructions)", prog.len);
	is_int(answers(&prog), 63,
	       "loaded: getpid works, vmsplice EPERM, io_uring_setup ENOSYS, "
	       "personality(query) works, personality(other) ENOSYS, bpf EPERM");
	seccomp_prog_free(&prog);
	seccomp_profile_free(&p);
	err_clear(&e);
}

/* the one cache file in sub rewritten with its own header and key but a
 * one-instruction program, then given mode; 0 or -1 */
static int plant(const char *sub, mode_t mode)
{
	_cleanup_closedir_ DIR *d = opendir(sub);
	struct dirent *de = NULL;
	char buf[8192];
	const struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	uint32_t l;
	ssize_t got;
	int fd, rc = -1;

	while (d && (de = readdir(d)) && de->d_name[0] == '.')
		;
	if (!d || !de || (fd = openat(dirfd(d), de->d_name, O_RDWR)) < 0)
		return -1;
	got = read(fd, buf, sizeof buf);
	if (got > 8) {
		memcpy(&l, buf + 4, 4);
		if (l + 8 + sizeof allow <= (size_t)got && ftruncate(fd, (off_t)8 + l) == 0 &&
		    pwrite(fd, &allow, sizeof allow, (off_t)8 + l) == (ssize_t)sizeof allow &&
		    fchmod(fd, mode) == 0)
			rc = 0;
	}
	close(fd);
	return rc;
}

/* In a new user namespace whose maps are not written (the supervisor's,
 * before the caller writes them), every file's owner and our own uid read
 * as the overflow uid: the planted file, ours and of mode 0600, must not be
 * used there, as a file of another user's would pass the owner check. */
static void test_cache_unmapped(const char *sub, const char *profile)
{
	int st = 0;
	pid_t pid;

	is_int(plant(sub, 0600), 0, "trust: planted again, for an unmapped user namespace");
	pid = fork();
	if (pid == 0) {
		struct seccomp_prog p;
		struct err e = ERR_INIT;

		if (unshare(CLONE_NEWUSER) < 0)
			_exit(2);
		if (seccomp_cache_usable() || seccomp_prog_for(profile, 0, sub, &p, &e) < 0)
			_exit(3);
		_exit(p.len > 1 ? 0 : 1);
	}
	ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st), "unmapped: the child ran");
	if (WEXITSTATUS(st) == 2)
		skip("unmapped: no user namespaces here");
	else
		is_int(WEXITSTATUS(st), 0, "unmapped: the cache is not usable and the planted program not used");
}

/* a cache file is used only when the caller alone could have written it
 * and its directory */
static void test_cache_trust(const char *dir, const char *profile)
{
	_cleanup_free_ char *sub = xasprintf("%s/t", dir);
	struct seccomp_prog p;
	struct err e = ERR_INIT;

	is_int(seccomp_prog_for(profile, 0, sub, &p, &e), 0, "trust: cached");
	seccomp_prog_free(&p);
	is_int(plant(sub, 0600), 0, "trust: a program planted under the right key");
	is_int(seccomp_prog_for(profile, 0, sub, &p, &e), 0, "trust: read");
	is_int(p.len, 1, "trust: a file of mode 0600 in a directory of 0700 is used");
	seccomp_prog_free(&p);
	is_int(plant(sub, 0620), 0, "trust: planted again, group-writable");
	is_int(seccomp_prog_for(profile, 0, sub, &p, &e), 0, "trust: read");
	ok(p.len > 1, "trust: a group-writable file is not used (%u instructions)", p.len);
	seccomp_prog_free(&p);
	is_int(plant(sub, 0602), 0, "trust: planted again, writable by others");
	is_int(seccomp_prog_for(profile, 0, sub, &p, &e), 0, "trust: read");
	ok(p.len > 1, "trust: a file writable by others is not used (%u instructions)", p.len);
	seccomp_prog_free(&p);
	is_int(plant(sub, 0600), 0, "trust: planted again, the directory group-writable");
	is_int(chmod(sub, 0770), 0, "trust: chmod g+w the directory");
	is_int(seccomp_prog_for(profile, 0, sub, &p, &e), 0, "trust: read");
	ok(p.len > 1, "trust: a file in a group-writable directory is not used (%u instructions)", p.len);
	seccomp_prog_free(&p);
	is_int(chmod(sub, 0700), 0, "trust: chmod the directory back");
	test_cache_unmapped(sub, profile);
	if (geteuid() == 0) {
		_cleanup_free_ char *f = NULL;

		is_int(plant(sub, 0600), 0, "trust: planted again, another owner");
		is_int(chown(sub, 65534, 65534), 0, "trust: the directory given away");
		is_int(seccomp_prog_for(profile, 0, sub, &p, &e), 0, "trust: read");
		ok(p.len > 1, "trust: a directory of another owner is not used (%u instructions)", p.len);
		seccomp_prog_free(&p);
		if (chown(sub, 0, 0) != 0)
			diag("chown back");
	} else {
		skip("trust: another owner (needs root)");
	}
	err_clear(&e);
}

static void test_cache(void)
{
	char dir[] = "/tmp/seccomp-unit.XXXXXX";
	struct seccomp_prog a, b;
	struct err e = ERR_INIT;
	_cleanup_free_ char *sub = NULL;
	int n = 0, fd;
	struct stat st;
	const char *profile = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"vmsplice\"],"
			      "\"action\":\"SCMP_ACT_ERRNO\"}]}";

	if (!mkdtemp(dir)) {
		skip("mkdtemp");
		return;
	}
	sub = xasprintf("%s/c", dir);
	is_int(seccomp_prog_for(SECCOMP_UNCONFINED, 0, sub, &a, &e), 0, "unconfined");
	is_int(a.len, 0, "unconfined: no program");
	ok(stat(sub, &st) < 0, "unconfined: nothing cached");
	is_int(seccomp_prog_for(NULL, 0, sub, &a, &e), 0, "the default, first time (compiled)");
	is_int(seccomp_prog_for(NULL, 0, sub, &b, &e), 0, "the default, second time (cached)");
	ok(a.len == b.len && memcmp(a.insns, b.insns, a.len * sizeof(*a.insns)) == 0, "the same program");
	seccomp_prog_free(&b);
	is_int(seccomp_prog_for(profile, 0, sub, &b, &e), 0, "a profile");
	ok(a.len != b.len, "has its own program");
	seccomp_prog_free(&a);
	seccomp_prog_free(&b);
	{
		_cleanup_closedir_ DIR *d = opendir(sub);
		struct dirent *de;

		while (d && (de = readdir(d)))
			if (de->d_name[0] != '.') {
				/* damage each cached file: it must not be used */
				fd = openat(dirfd(d), de->d_name, O_WRONLY | O_TRUNC);
				if (fd >= 0) {
					if (write(fd, "BSC1junk", 8) != 8)
						n = -100;
					close(fd);
				}
				n++;
			}
	}
	is_int(n, 2, "one file per profile");
	is_int(seccomp_prog_for(profile, 0, sub, &b, &e), 0, "a damaged cache file is rebuilt");
	is_int(answers(&b) & 3, 3, "and the program works");
	seccomp_prog_free(&b);
	test_cache_trust(dir, profile);
	is_int(seccomp_prog_for("{\"defaultAction\":1}", 0, sub, &b, &e), -1, "a bad profile fails");
	is_str(e.msg, "seccomp profile: defaultAction: the action must be a string", "with its message");
	err_clear(&e);
	rm_rf_at(AT_FDCWD, dir, &e);
	err_clear(&e);
}

int main(void)
{
	test_parse();
	test_default();
	test_cache();
	return done_testing();
}
