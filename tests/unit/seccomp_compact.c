/* seccomp_compact.c - tests for src/lib/runtime/seccomp_compact.c: the
 * BPF interpreter, the rewrite of libseccomp's programs (the default for
 * several capability sets, profiles with argument rules) checked call by
 * call against the original here, independently of the rewrite's own
 * check, the programs it must leave alone, and the rewritten default
 * loaded into the kernel. */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/base/util.h"
#include "lib/runtime/seccomp.h"
#include "lib/runtime/seccomp_compact.h"
#include "tap.h"

#define CAP(n) (1ULL << (n))
#define ARCH_X86_64 0xc000003eU
#define ARCH_I386 0x40000003U
#define ARCH_AARCH64 0xc00000b7U

static uint64_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 11;
}

/* the number of inputs on which a and b answer differently */
static long differences(const struct sock_filter *a, size_t na, const struct sock_filter *b, size_t nb)
{
	static const uint32_t archs[] = { ARCH_X86_64, ARCH_I386, ARCH_AARCH64, 0, 0x40000000U, UINT32_MAX };
	static const uint64_t vals[] = { 0,
					 8,
					 9,
					 16,
					 0x20000,
					 0x20008,
					 0xffffffffULL,
					 0x100000000ULL,
					 0xffffffffffffffffULL,
					 0x400000,
					 1,
					 2,
					 0x7fffffff };
	uint64_t seed = 42;
	long bad = 0;

	for (size_t ai = 0; ai < ARRAY_SIZE(archs); ai++) {
		for (uint32_t nr = 0; nr < 4096 + 64; nr++) {
			struct seccomp_data d;
			uint32_t n = nr < 4096 ? nr : 0x40000000U + (nr - 4096) * 7;

			for (int r = 0; r < 24; r++) {
				uint32_t ra = 1, rb = 2;

				memset(&d, 0, sizeof d);
				d.arch = archs[ai];
				d.nr = (int)n;
				for (int j = 0; j < 6; j++)
					d.args[j] = r == 0           ? 0
						    : rnd(&seed) % 3 ? vals[rnd(&seed) % ARRAY_SIZE(vals)]
								     : rnd(&seed);
				if (seccomp_bpf_run(a, na, &d, &ra) < 0 ||
				    seccomp_bpf_run(b, nb, &d, &rb) < 0 || ra != rb)
					bad++;
			}
		}
		/* the highest numbers */
		for (uint32_t n = UINT32_MAX - 8; n != 0; n++) {
			struct seccomp_data d;
			uint32_t ra = 1, rb = 2;

			memset(&d, 0, sizeof d);
			d.arch = archs[ai];
			d.nr = (int)n;
			if (seccomp_bpf_run(a, na, &d, &ra) < 0 || seccomp_bpf_run(b, nb, &d, &rb) < 0 ||
			    ra != rb)
				bad++;
		}
	}
	return bad;
}

static void test_run(void)
{
	/* arch x86_64? nr 39 (getpid) -> allow, else errno 38 */
	const struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 39, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 38),
	};
	const struct sock_filter off_end[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0) };
	struct seccomp_data d;
	uint32_t r = 0;

	memset(&d, 0, sizeof d);
	d.arch = ARCH_X86_64;
	d.nr = 39;
	ok(seccomp_bpf_run(f, ARRAY_SIZE(f), &d, &r) == 0 && r == SECCOMP_RET_ALLOW, "run: getpid allowed");
	d.nr = 40;
	ok(seccomp_bpf_run(f, ARRAY_SIZE(f), &d, &r) == 0 && r == (SECCOMP_RET_ERRNO | 38),
	   "run: others ENOSYS");
	d.arch = ARCH_I386;
	ok(seccomp_bpf_run(f, ARRAY_SIZE(f), &d, &r) == 0 && r == SECCOMP_RET_KILL_PROCESS,
	   "run: another architecture killed");
	is_int(seccomp_bpf_run(off_end, 1, &d, &r), -1, "run: a program without RET is refused");
	{
		/* outside the subset: refused, not run after a fashion */
		const struct sock_filter alu[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
			BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 0),
			BPF_STMT(BPF_RET | BPF_A, 0),
		};
		const struct sock_filter jx[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 0),
			BPF_STMT(BPF_RET | BPF_K, 0),
		};

		is_int(seccomp_bpf_run(alu, ARRAY_SIZE(alu), &d, &r), -1,
		       "run: an ALU instruction is refused");
		is_int(seccomp_bpf_run(jx, ARRAY_SIZE(jx), &d, &r), -1, "run: a jump against X is refused");
	}
}

static void check_default(uint64_t caps, const char *what)
{
	struct seccomp_profile p;
	struct seccomp_prog prog;
	struct sock_filter *f = NULL;
	struct err e = ERR_INIT;
	size_t n = 0;

	seccomp_profile_default(caps, &p);
	if (seccomp_compile(&p, &prog, &e) < 0) {
		ok(0, "%s: compiles: %s", what, e.msg);
		err_clear(&e);
		seccomp_profile_free(&p);
		return;
	}
	is_int(seccomp_bpf_compact(prog.insns, prog.len, &f, &n), 0, "%s: rewritten", what);
	ok(f && n > 10 && n * 2 < prog.len, "%s: %zu instructions instead of %u", what, n, prog.len);
	if (f)
		is_int(differences(prog.insns, prog.len, f, n), 0, "%s: every answer the same", what);
	free(f);
	seccomp_prog_free(&prog);
	seccomp_profile_free(&p);
}

/* json compiled and rewritten (or, when !want, maybe left alone), every
 * answer the same */
static void check_profile(const char *json, bool want, const char *what)
{
	struct seccomp_profile p;
	struct seccomp_prog prog;
	struct sock_filter *f = NULL;
	struct err e = ERR_INIT;
	size_t n = 0;

	if (seccomp_profile_parse(json, strlen(json), 0, &p, &e) < 0 || seccomp_compile(&p, &prog, &e) < 0) {
		ok(0, "%s: compiles: %s", what, e.msg);
		err_clear(&e);
		return;
	}
	if (seccomp_bpf_compact(prog.insns, prog.len, &f, &n) == 0)
		is_int(differences(prog.insns, prog.len, f, n), 0,
		       "%s: rewritten (%zu from %u), every answer the same", what, n, prog.len);
	else if (want)
		ok(0, "%s: rewritten (%u instructions left alone)", what, prog.len);
	else
		ok(f == NULL && n == 0, "%s: left alone (no shorter)", what);
	free(f);
	seccomp_prog_free(&prog);
	seccomp_profile_free(&p);
}

#define ALLOW_3ARCH "\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\",\"SCMP_ARCH_AARCH64\""
#define ALLOW_DEMO "\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_AARCH64\""
#define ARG_RULES \
	",{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":8," \
	"\"op\":\"SCMP_CMP_EQ\"}]},{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{" \
	"\"index\":0,\"value\":40,\"op\":\"SCMP_CMP_NE\"}]},{\"names\":[\"kill\"],\"action\":" \
	"\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":1,\"value\":9,\"op\":\"SCMP_CMP_GE\"}]}"

/* a default-like profile: most calls allowed, the rest ENOSYS, a few
 * EPERM; rules appended to the list */
static const char *allow_list(const char *archs, const char *rules)
{
	static const char *const names[] = {
		"read",          "write",           "open",        "close",        "stat",
		"fstat",         "lstat",           "poll",        "lseek",        "mmap",
		"mprotect",      "munmap",          "brk",         "rt_sigaction", "rt_sigprocmask",
		"rt_sigreturn",  "ioctl",           "pread64",     "pwrite64",     "readv",
		"writev",        "access",          "pipe",        "select",       "sched_yield",
		"mremap",        "msync",           "mincore",     "madvise",      "dup",
		"dup2",          "pause",           "nanosleep",   "getitimer",    "alarm",
		"setitimer",     "getpid",          "sendfile",    "connect",      "accept",
		"sendto",        "recvfrom",        "sendmsg",     "recvmsg",      "shutdown",
		"bind",          "listen",          "getsockname", "getpeername",  "socketpair",
		"setsockopt",    "getsockopt",      "fork",        "vfork",        "execve",
		"exit",          "wait4",           "kill",        "uname",        "fcntl",
		"flock",         "fsync",           "fdatasync",   "truncate",     "ftruncate",
		"getdents",      "getcwd",          "chdir",       "fchdir",       "rename",
		"mkdir",         "rmdir",           "creat",       "link",         "unlink",
		"symlink",       "readlink",        "chmod",       "fchmod",       "chown",
		"fchown",        "lchown",          "umask",       "gettimeofday", "getrlimit",
		"getrusage",     "sysinfo",         "times",       "getuid",       "getgid",
		"setuid",        "setgid",          "geteuid",     "getegid",      "setpgid",
		"getppid",       "getpgrp",         "setsid",      "getgroups",    "setgroups",
		"capget",        "capset",          "sigaltstack", "statfs",       "fstatfs",
		"prctl",         "arch_prctl",      "gettid",      "futex",        "set_tid_address",
		"clock_gettime", "clock_nanosleep", "exit_group",  "epoll_wait",   "epoll_ctl",
		"tgkill",        "openat",          "mkdirat",     "newfstatat",   "unlinkat",
		"renameat",      "readlinkat",      "fchmodat",    "faccessat",    "pselect6",
		"ppoll",         "set_robust_list", "epoll_pwait", "eventfd2",     "epoll_create1",
		"dup3",          "pipe2",           "prlimit64",   "getrandom",    "memfd_create",
		"execveat",      "statx",           "rseq",        "clone3",       "close_range",
		"openat2",       "faccessat2"
	};
	static char buf[8192];
	size_t l = (size_t)snprintf(buf, sizeof buf,
				    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
				    "\"architectures\":[%s],\"syscalls\":[{\"names\":[",
				    archs);

	for (size_t i = 0; i < ARRAY_SIZE(names) && l < sizeof buf; i++)
		l += (size_t)snprintf(buf + l, sizeof buf - l, "%s\"%s\"", i ? "," : "", names[i]);
	if (l < sizeof buf)
		snprintf(buf + l, sizeof buf - l,
			 "],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"ptrace\",\"kexec_load\","
			 "\"mount\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}%s]}",
			 rules);
	return buf;
}

/* the damage the test hook does to the candidate */
static enum { BREAK_NONE, BREAK_ONE_RET, BREAK_AARCH64 } breakage;
static int broken;

/* the block of arch in a rewritten program (a JEQ against it, then a JA
 * to the block, after the load of the architecture), or n */
static size_t arch_block(const struct sock_filter *f, size_t n, uint32_t arch)
{
	for (size_t i = 1; i + 1 < n && f[i].code == (BPF_JMP | BPF_JEQ | BPF_K); i += 2)
		if (f[i].k == arch && f[i + 1].code == (BPF_JMP | BPF_JA))
			return i + 2 + f[i + 1].k;
	return n;
}

static void tamper(struct sock_filter *f, size_t n)
{
	size_t from = breakage == BREAK_AARCH64 ? arch_block(f, n, ARCH_AARCH64) : 0;

	/* the first denial from there on becomes ALLOW */
	for (size_t i = from; i < n && breakage != BREAK_NONE; i++)
		if (f[i].code == (BPF_RET | BPF_K) && f[i].k != SECCOMP_RET_ALLOW) {
			f[i].k = SECCOMP_RET_ALLOW;
			broken++;
			return;
		}
}

/* the rewrite's own check refuses a candidate that answers differently */
static void test_check(void)
{
	struct seccomp_profile p;
	struct seccomp_prog prog;
	struct sock_filter *f = NULL;
	struct err e = ERR_INIT;
	const char *json = allow_list(ALLOW_DEMO, "");
	size_t n = 0;

	if (seccomp_profile_parse(json, strlen(json), 0, &p, &e) < 0 || seccomp_compile(&p, &prog, &e) < 0) {
		ok(0, "check: compiles: %s", e.msg);
		err_clear(&e);
		return;
	}
	seccomp_compact_test_hook = tamper;
	breakage = BREAK_NONE;
	is_int(seccomp_bpf_compact(prog.insns, prog.len, &f, &n), 0,
	       "check: rewritten, the hook doing nothing");
	free(f);
	breakage = BREAK_ONE_RET;
	broken = 0;
	is_int(seccomp_bpf_compact(prog.insns, prog.len, &f, &n), -1,
	       "check: one denial made ALLOW is refused");
	ok(broken == 1 && f == NULL && n == 0, "check: the candidate was damaged and nothing returned");
	breakage = BREAK_AARCH64;
	broken = 0;
	is_int(seccomp_bpf_compact(prog.insns, prog.len, &f, &n), -1,
	       "check: a denial of the third architecture (aarch64) made ALLOW is refused");
	ok(broken == 1 && f == NULL, "check: the aarch64 block was found and damaged");
	seccomp_compact_test_hook = NULL;
	seccomp_prog_free(&prog);
	seccomp_profile_free(&p);
}

static void test_refused(void)
{
	/* RET A and ALU: not a shape it knows */
	const struct sock_filter reta[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	/* arguments read before the call number: not one call */
	const struct sock_filter args_first[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1),
	};
	struct sock_filter *f = (struct sock_filter *)1;
	size_t n = 1;

	is_int(seccomp_bpf_compact(reta, ARRAY_SIZE(reta), &f, &n), -1, "refused: RET A");
	ok(f == NULL && n == 0, "refused: nothing returned");
	is_int(seccomp_bpf_compact(args_first, ARRAY_SIZE(args_first), &f, &n), -1,
	       "refused: arguments of every call");
}

/* the rewritten default in the kernel (seccomp_prog_for rewrites it) */
static void test_loaded(void)
{
	char dir[] = "/tmp/seccomp-compact-unit.XXXXXX";
	struct seccomp_prog prog;
	struct err e = ERR_INIT;
	pid_t pid;
	int st;

	if (!mkdtemp(dir)) {
		skip("mkdtemp");
		return;
	}
	unsetenv("BURROW_SECCOMP_COMPACT");
	is_int(seccomp_prog_for(NULL, 0, NULL, &prog, &e), 0, "without a cache: the default's program");
	ok(prog.len > 600, "without a cache: libseccomp's own, not worth a rewrite (%u instructions)",
	   prog.len);
	seccomp_prog_free(&prog);
	is_int(seccomp_prog_for(NULL, 0, dir, &prog, &e), 0, "loaded: the default's program");
	ok(prog.len < 600, "loaded: the rewritten one (%u instructions)", prog.len);
	pid = fork();
	if (pid == 0) {
		int r = 0;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_apply(&prog, &e) < 0)
			_exit(255);
		if (syscall(SYS_getppid) > 0)
			r |= 1;
		if (syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0UL) < 0 && errno == EPERM)
			r |= 2;
		if (syscall(SYS_io_uring_setup, 1U, NULL) < 0 && errno == ENOSYS)
			r |= 4;
		if (syscall(SYS_personality, 0xffffffffUL) >= 0)
			r |= 8;
		if (syscall(SYS_personality, 0x1234UL) < 0 && errno == ENOSYS)
			r |= 16;
		if (syscall(0x40000000 + 39) < 0 && errno == ENOSYS) /* x32's getpid */
			r |= 32;
		_exit(r);
	}
	ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 63,
	   "loaded: getppid works, kexec_load EPERM, io_uring_setup ENOSYS, personality(query) works, "
	   "personality(other) ENOSYS, x32 ENOSYS");
	seccomp_prog_free(&prog);
	setenv("BURROW_SECCOMP_COMPACT", "0", 1);
	is_int(seccomp_prog_for(NULL, 0, dir, &prog, &e), 0,
	       "BURROW_SECCOMP_COMPACT=0: the default's program");
	ok(prog.len > 600, "BURROW_SECCOMP_COMPACT=0: libseccomp's own, cached apart (%u instructions)",
	   prog.len);
	seccomp_prog_free(&prog);
	unsetenv("BURROW_SECCOMP_COMPACT");
	is_int(seccomp_prog_for(NULL, 0, dir, &prog, &e), 0, "again: the rewritten one, from the cache");
	ok(prog.len < 600, "again: %u instructions", prog.len);
	seccomp_prog_free(&prog);
	err_clear(&e);
	if (rm_rf_at(AT_FDCWD, dir, &e) < 0)
		diag("could not remove the cache directory");
	err_clear(&e);
}

int main(void)
{
	test_run();
	if (seccomp_arch_native() != SCMP_ARCH_X86_64) {
		skip("the rewrite's checks are written for x86_64");
		return done_testing();
	}
	check_default(0, "default, no capabilities");
	check_default(CAP(0) | CAP(1) | CAP(3) | CAP(4) | CAP(5) | CAP(6) | CAP(7) | CAP(8) | CAP(10) |
			      CAP(13) | CAP(18) | CAP(27) | CAP(29) | CAP(31),
		      "default, the default capabilities");
	check_default(~0ULL >> 23, "default, all capabilities");
	check_profile("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\",\"write\","
		      "\"exit_group\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"socket\"],\"action\":"
		      "\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		      false, "a profile with an argument rule");
	check_profile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"clone\"],\"action\":"
		      "\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":2114060288,\"valueTwo\":0,\"op\":"
		      "\"SCMP_CMP_MASKED_EQ\"}]}]}",
		      false, "a profile with a masked comparison");
	check_profile(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\","
		"\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],\"syscalls\":[{\"names\":[\"vmsplice\",\"kexec_load\"],"
		"\"action\":\"SCMP_ACT_ERRNO\"}]}",
		false, "a profile with x32");
	check_profile(allow_list(ALLOW_3ARCH, ""), true, "an allow list over x86_64, x86, x32 and aarch64");
	check_profile(allow_list(ALLOW_3ARCH, ARG_RULES), true, "the same with argument rules");
	check_profile(allow_list(ALLOW_DEMO, ARG_RULES), true, "an allow list over x86_64, x86 and aarch64");
	test_check();
	test_refused();
	test_loaded();
	return done_testing();
}
