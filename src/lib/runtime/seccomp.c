/* seccomp.c - the containers' syscall filter (see seccomp.h): the default
 * table, the OCI/docker JSON profile parser, compiling with libseccomp, the
 * cache of compiled programs, and loading one.
 *
 * The default table gives the same answers as podman's default profile:
 * what it allows is allowed, what it denies with EPERM (or EINVAL, for
 * audit sockets) is denied the same way, everything else gets ENOSYS, and
 * the capability-dependent calls follow the container's capabilities.
 */
#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seccomp.h" // NOLINT(readability-duplicate-include): ours, not libseccomp's
#include "lib/base/json.h"
#include "lib/base/util.h"

/* ---- the default table ------------------------------------------------------- */

/* allowed whatever the arguments and capabilities */
static const char *const allowed[] = {
	/* files and directories */
	"_llseek access chdir chmod chown chown32 close close_range copy_file_range creat dup dup2 "
	"dup3 faccessat faccessat2 fadvise64 fadvise64_64 fallocate fchdir fchmod fchmodat fchmodat2 "
	"fchown fchown32 fchownat fcntl fcntl64 fdatasync flock fstat fstat64 fstatat64 fstatfs "
	"fstatfs64 fsync ftruncate ftruncate64 futimesat getcwd getdents getdents64 ioctl lchown "
	"lchown32 link linkat lseek lstat lstat64 mkdir mkdirat mknod mknodat name_to_handle_at "
	"newfstatat open openat openat2 readahead readlink readlinkat rename renameat renameat2 rmdir "
	"stat stat64 statfs statfs64 statx symlink symlinkat sync sync_file_range syncfs truncate "
	"truncate64 umask unlink unlinkat utime utimensat utimensat_time64 utimes",
	/* extended attributes */
	"fgetxattr flistxattr fremovexattr fsetxattr getxattr lgetxattr listxattr llistxattr "
	"lremovexattr lsetxattr removexattr setxattr",
	/* reading and writing */
	"pipe pipe2 pread64 preadv preadv2 pwrite64 pwritev pwritev2 read readv sendfile sendfile64 "
	"splice tee write writev",
	/* waiting for events */
	"_newselect epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 "
	"epoll_wait epoll_wait_old eventfd eventfd2 fanotify_init fanotify_mark inotify_add_watch "
	"inotify_init inotify_init1 inotify_rm_watch poll ppoll ppoll_time64 pselect6 pselect6_time64 "
	"select signalfd signalfd4 timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime "
	"timerfd_settime64",
	/* memory */
	"brk get_mempolicy madvise mbind membarrier memfd_create memfd_secret mincore mlock mlock2 "
	"mlockall mmap mmap2 mprotect mremap msync munlock munlockall munmap pkey_alloc pkey_free "
	"pkey_mprotect remap_file_pages set_mempolicy",
	/* processes and threads */
	"capget capset clone clone3 execve execveat exit exit_group fork futex futex_time64 "
	"get_robust_list get_thread_area getcpu getpgid getpgrp getpid getppid getpriority getrlimit "
	"getrusage getsid gettid ioprio_get ioprio_set kill pause pidfd_getfd pidfd_open "
	"pidfd_send_signal prctl prlimit64 process_mrelease process_vm_readv process_vm_writev ptrace "
	"reboot restart_syscall rseq sched_get_priority_max sched_get_priority_min sched_getaffinity "
	"sched_getattr sched_getparam sched_getscheduler sched_rr_get_interval "
	"sched_rr_get_interval_time64 sched_setaffinity sched_setattr sched_setparam "
	"sched_setscheduler sched_yield seccomp set_robust_list set_thread_area set_tid_address setns "
	"setpgid setpriority setrlimit setsid sysinfo syslog tgkill times tkill ugetrlimit uname "
	"unshare vfork wait4 waitid waitpid",
	/* signals */
	"alarm rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend "
	"rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo sigaltstack signal sigprocmask "
	"sigreturn",
	/* time and timers */
	"adjtimex clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime "
	"clock_gettime64 clock_nanosleep clock_nanosleep_time64 getitimer gettimeofday nanosleep "
	"setitimer time timer_create timer_delete timer_getoverrun timer_gettime timer_gettime64 "
	"timer_settime timer_settime64",
	/* user and group ids */
	"getegid getegid32 geteuid geteuid32 getgid getgid32 getgroups getgroups32 getresgid "
	"getresgid32 getresuid getresuid32 getuid getuid32 setfsgid setfsgid32 setfsuid setfsuid32 "
	"setgid setgid32 setgroups setgroups32 setregid setregid32 setresgid setresgid32 setresuid "
	"setresuid32 setreuid setreuid32 setuid setuid32",
	/* sockets */
	"accept accept4 bind connect getpeername getsockname getsockopt listen recv recvfrom recvmmsg "
	"recvmmsg_time64 recvmsg send sendmmsg sendmsg sendto setsockopt shutdown socketcall "
	"socketpair",
	/* System V and POSIX IPC */
	"ipc mq_getsetattr mq_notify mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend "
	"mq_timedsend_time64 mq_unlink msgctl msgget msgrcv msgsnd semctl semget semop semtimedop "
	"semtimedop_time64 shmat shmctl shmdt shmget",
	/* asynchronous I/O */
	"io_cancel io_destroy io_getevents io_setup io_submit",
	/* mounts (in the container's own namespaces) */
	"fsconfig fsmount fsopen fspick mount mount_setattr move_mount open_tree pivot_root umount "
	"umount2",
	/* landlock */
	"landlock_add_rule landlock_create_ruleset landlock_restrict_self",
	/* randomness; keys (per user namespace) */
	"getrandom keyctl",
};

/* known to be dangerous or obsolete: EPERM */
static const char *const denied =
	"bdflush cachestat futex_requeue futex_wait futex_waitv futex_wake io_pgetevents "
	"io_pgetevents_time64 kexec_file_load kexec_load map_shadow_stack migrate_pages move_pages "
	"nfsservctl nice oldfstat oldlstat oldolduname oldstat olduname pciconfig_iobase "
	"pciconfig_read pciconfig_write sgetmask ssetmask swapoff swapon syscall sysfs uselib "
	"userfaultfd ustat vm86 vm86old vmsplice";

#define CAPBIT(c) (1ULL << (c))
enum {
	DAC_READ_SEARCH = 2,
	SYS_MODULE = 16,
	SYS_RAWIO = 17,
	SYS_CHROOT = 18,
	SYS_PTRACE = 19,
	SYS_PACCT = 20,
	SYS_ADMIN = 21,
	SYS_TIME = 25,
	SYS_TTY_CONFIG = 26,
	AUDIT_WRITE = 29,
	PERFMON = 38,
	BPF = 39,
};

/* Calls that depend on capabilities, in order (the first rule that matches
 * a call decides): a row applies when the container has every capability
 * of need and none of unless. */
static const struct {
	const char *names;
	bool allow; /* else EPERM */
	uint64_t need, unless;
} by_cap[] = {
	{ "open_by_handle_at", true, CAPBIT(DAC_READ_SEARCH), 0 },
	{ "open_by_handle_at", false, 0, CAPBIT(DAC_READ_SEARCH) },
	{ "bpf lookup_dcookie quotactl quotactl_fd setdomainname sethostname", true, CAPBIT(SYS_ADMIN), 0 },
	{ "lookup_dcookie perf_event_open quotactl quotactl_fd setdomainname sethostname", false, 0,
	  CAPBIT(SYS_ADMIN) },
	{ "chroot", true, CAPBIT(SYS_CHROOT), 0 },
	{ "chroot", false, 0, CAPBIT(SYS_CHROOT) },
	{ "delete_module finit_module init_module query_module", true, CAPBIT(SYS_MODULE), 0 },
	{ "delete_module finit_module init_module query_module", false, 0, CAPBIT(SYS_MODULE) },
	{ "acct", true, CAPBIT(SYS_PACCT), 0 },
	{ "acct", false, 0, CAPBIT(SYS_PACCT) },
	{ "kcmp process_madvise", true, CAPBIT(SYS_PTRACE), 0 },
	{ "kcmp process_madvise", false, 0, CAPBIT(SYS_PTRACE) },
	{ "ioperm iopl", true, CAPBIT(SYS_RAWIO), 0 },
	{ "ioperm iopl", false, 0, CAPBIT(SYS_RAWIO) },
	{ "clock_settime clock_settime64 settimeofday stime", true, CAPBIT(SYS_TIME), 0 },
	{ "clock_settime clock_settime64 settimeofday stime", false, 0, CAPBIT(SYS_TIME) },
	{ "vhangup", true, CAPBIT(SYS_TTY_CONFIG), 0 },
	{ "vhangup", false, 0, CAPBIT(SYS_TTY_CONFIG) },
	/* socket(2): see audit_socket() between these and the next */
	{ "bpf", false, 0, CAPBIT(SYS_ADMIN) | CAPBIT(BPF) },
	{ "bpf", true, CAPBIT(BPF), 0 },
	{ "perf_event_open", false, 0, CAPBIT(SYS_ADMIN) | CAPBIT(BPF) },
	{ "perf_event_open", true, CAPBIT(PERFMON), 0 },
};
#define SOCKET_ROWS 18 /* the socket(2) rules go before by_cap[SOCKET_ROWS] */

/* personality(2) with these personas only (Linux, 32-bit, and the
 * query 0xffffffff) */
static const uint64_t personas[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };

/* calls of one architecture family */
static const struct {
	uint32_t native;
	const char *names;
} by_arch[] = {
	{ SCMP_ARCH_X86_64, "arch_prctl modify_ldt" },
	{ SCMP_ARCH_X32, "arch_prctl modify_ldt" },
	{ SCMP_ARCH_X86, "modify_ldt" },
	{ SCMP_ARCH_AARCH64, "arm_fadvise64_64 arm_sync_file_range breakpoint cacheflush set_tls "
			     "sync_file_range2" },
	{ SCMP_ARCH_ARM, "arm_fadvise64_64 arm_sync_file_range breakpoint cacheflush set_tls "
			 "sync_file_range2" },
	{ SCMP_ARCH_PPC64LE, "sync_file_range2 swapcontext" },
	{ SCMP_ARCH_S390X, "s390_pci_mmio_read s390_pci_mmio_write s390_runtime_instr" },
	{ SCMP_ARCH_S390, "s390_pci_mmio_read s390_pci_mmio_write s390_runtime_instr" },
	{ SCMP_ARCH_RISCV64, "riscv_flush_icache" },
};

/* ---- building a profile ------------------------------------------------------- */

static struct seccomp_rule *rule_new(struct seccomp_profile *p, uint32_t action)
{
	struct seccomp_rule *r;

	p->rules = xrealloc(p->rules, (p->nrules + 1) * sizeof(*p->rules));
	r = &p->rules[p->nrules++];
	memset(r, 0, sizeof(*r));
	r->action = action;
	return r;
}

/* names: space-separated */
static void rule_names(struct seccomp_rule *r, const char *names)
{
	const char *s = names;

	while (*s) {
		size_t n = strcspn(s, " ");

		if (n) {
			char name[64];

			snprintf(name, sizeof(name), "%.*s", (int)n, s);
			strv_push(&r->names, name);
		}
		s += n;
		s += strspn(s, " ");
	}
}

static void rule_arg(struct seccomp_rule *r, unsigned index, int op, uint64_t value, uint64_t value2)
{
	r->args = xrealloc(r->args, (r->nargs + 1) * sizeof(*r->args));
	r->args[r->nargs++] = (struct seccomp_arg){ index, value, value2, op };
}

static void audit_socket(struct seccomp_profile *p, uint64_t caps)
{
	struct seccomp_rule *r;

	if (caps & CAPBIT(AUDIT_WRITE)) {
		rule_names(rule_new(p, SCMP_ACT_ALLOW), "socket");
		return;
	}
	/* no audit netlink socket (AF_NETLINK, NETLINK_AUDIT): EINVAL */
	r = rule_new(p, SCMP_ACT_ERRNO(EINVAL));
	rule_names(r, "socket");
	rule_arg(r, 0, SCMP_CMP_EQ, 16, 0);
	rule_arg(r, 2, SCMP_CMP_EQ, 9, 0);
	r = rule_new(p, SCMP_ACT_ALLOW);
	rule_names(r, "socket");
	rule_arg(r, 2, SCMP_CMP_NE, 9, 0);
	r = rule_new(p, SCMP_ACT_ALLOW);
	rule_names(r, "socket");
	rule_arg(r, 0, SCMP_CMP_NE, 16, 0);
}

/* The 32-bit ABI of the native CPU, which the filter must know too.  Not
 * x32: each architecture costs the kernel about 0.1 ms more to load the
 * filter, and x32 is off in the kernels of most distributions; its calls
 * get the default action (ENOSYS), as they do from such a kernel. */
static void native_arches(struct seccomp_profile *p)
{
	p->badarch_default = true;
	switch (seccomp_arch_native()) {
	case SCMP_ARCH_X86_64:
		p->arches = xmalloc(sizeof(uint32_t));
		p->arches[0] = SCMP_ARCH_X86;
		p->narches = 1;
		break;
	case SCMP_ARCH_AARCH64:
		p->arches = xmalloc(sizeof(uint32_t));
		p->arches[0] = SCMP_ARCH_ARM;
		p->narches = 1;
		break;
	default:
		break;
	}
}

void seccomp_profile_default(uint64_t caps, struct seccomp_profile *p)
{
	uint32_t native = seccomp_arch_native();
	struct seccomp_rule *r;

	memset(p, 0, sizeof(*p));
	p->default_action = SCMP_ACT_ERRNO(ENOSYS);
	native_arches(p);
	rule_names(rule_new(p, SCMP_ACT_ERRNO(EPERM)), denied);
	r = rule_new(p, SCMP_ACT_ALLOW);
	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++)
		rule_names(r, allowed[i]);
	for (size_t i = 0; i < ARRAY_SIZE(personas); i++) {
		r = rule_new(p, SCMP_ACT_ALLOW);
		rule_names(r, "personality");
		rule_arg(r, 0, SCMP_CMP_EQ, personas[i], 0);
	}
	for (size_t i = 0; i < ARRAY_SIZE(by_arch); i++)
		if (by_arch[i].native == native)
			rule_names(rule_new(p, SCMP_ACT_ALLOW), by_arch[i].names);
	for (size_t i = 0; i < ARRAY_SIZE(by_cap); i++) {
		if (i == SOCKET_ROWS)
			audit_socket(p, caps);
		if ((caps & by_cap[i].need) == by_cap[i].need && !(caps & by_cap[i].unless))
			rule_names(rule_new(p, by_cap[i].allow ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(EPERM)),
				   by_cap[i].names);
	}
}

void seccomp_profile_free(struct seccomp_profile *p)
{
	for (size_t i = 0; i < p->nrules; i++) {
		strv_free(p->rules[i].names);
		free(p->rules[i].args);
	}
	free(p->rules);
	free(p->arches);
	memset(p, 0, sizeof(*p));
}

/* ---- the OCI/docker JSON format ---------------------------------------------- */

/* "SCMP_ARCH_X86_64" -> SCMP_ARCH_X86_64; 0 when unknown */
static uint32_t arch_from_name(const char *name)
{
	char low[32];
	size_t i;

	if (strncmp(name, "SCMP_ARCH_", 10) != 0 || strlen(name + 10) >= sizeof(low))
		return 0;
	for (i = 0; name[10 + i]; i++)
		low[i] = (char)tolower((unsigned char)name[10 + i]);
	low[i] = '\0';
	return seccomp_arch_resolve_name(low);
}

/* the native architecture as includes.arches/excludes.arches name it (Go's
 * names, as docker's profiles use them) */
static const char *native_go_arch(void)
{
	switch (seccomp_arch_native()) {
	case SCMP_ARCH_X86_64:
		return "amd64";
	case SCMP_ARCH_X86:
		return "386";
	case SCMP_ARCH_AARCH64:
		return "arm64";
	case SCMP_ARCH_ARM:
		return "arm";
	case SCMP_ARCH_PPC64LE:
		return "ppc64le";
	case SCMP_ARCH_S390X:
		return "s390x";
	case SCMP_ARCH_RISCV64:
		return "riscv64";
	default:
		return "";
	}
}

/* errnoRet (a number) wins over errno (a name, "EPERM") */
static int parse_action(const char *what, json_object *o, json_object *errno_ret, json_object *errno_name,
			uint32_t *out, struct err *e)
{
	const char *s = json_object_is_type(o, json_type_string) ? json_object_get_string(o) : NULL;
	int64_t ret = EPERM;

	if (!errno_ret && errno_name) {
		const char *n = json_object_is_type(errno_name, json_type_string)
					? json_object_get_string(errno_name)
					: "";
		int k;

		for (k = 1; k < 4096; k++)
			if (strerrorname_np(k) && strcmp(strerrorname_np(k), n) == 0)
				break;
		if (k == 4096)
			return err_make(e, 0, "%s: unknown errno name \"%s\"", what, n);
		ret = k;
		errno_ret = errno_name;
	} else if (errno_ret) {
		if (!json_object_is_type(errno_ret, json_type_int) || json_object_get_int64(errno_ret) < 0 ||
		    json_object_get_int64(errno_ret) > 4095)
			return err_make(e, 0, "%s: errnoRet must be a number from 0 to 4095", what);
		ret = json_object_get_int64(errno_ret);
	}
	if (!s)
		return err_make(e, 0, "%s: the action must be a string", what);
	if (strcmp(s, "SCMP_ACT_ALLOW") == 0)
		*out = SCMP_ACT_ALLOW;
	else if (strcmp(s, "SCMP_ACT_ERRNO") == 0)
		*out = SCMP_ACT_ERRNO((uint32_t)ret);
	else if (strcmp(s, "SCMP_ACT_KILL") == 0 || strcmp(s, "SCMP_ACT_KILL_THREAD") == 0)
		*out = SCMP_ACT_KILL_THREAD;
	else if (strcmp(s, "SCMP_ACT_KILL_PROCESS") == 0)
		*out = SCMP_ACT_KILL_PROCESS;
	else if (strcmp(s, "SCMP_ACT_TRAP") == 0)
		*out = SCMP_ACT_TRAP;
	else if (strcmp(s, "SCMP_ACT_LOG") == 0)
		*out = SCMP_ACT_LOG;
	else if (strcmp(s, "SCMP_ACT_TRACE") == 0)
		*out = SCMP_ACT_TRACE((uint32_t)(errno_ret ? ret : 0));
	else if (strcmp(s, "SCMP_ACT_NOTIFY") == 0)
		return err_make(e, 0, "%s: SCMP_ACT_NOTIFY is not supported", what);
	else
		return err_make(e, 0, "%s: unknown action \"%s\"", what, s);
	return 0;
}

static const struct {
	const char *name;
	int op;
} ops[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE },
	{ "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE },
	{ "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE },
	{ "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static int get_u64(json_object *o, const char *key, bool required, uint64_t *out, const char *what,
		   struct err *e)
{
	json_object *v;

	*out = 0;
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null)) {
		if (required)
			return err_make(e, 0, "%s: %s is required", what, key);
		return 0;
	}
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
		return err_make(e, 0, "%s: %s must be a number from 0 to 2^64-1", what, key);
	*out = json_object_get_uint64(v);
	return 0;
}

static int parse_args(json_object *a, struct seccomp_rule *r, const char *what, struct err *e)
{
	if (!json_object_is_type(a, json_type_array))
		return err_make(e, 0, "%s: args must be an array", what);
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *o = json_object_array_get_idx(a, i), *op;
		uint64_t index, value, value2;
		const char *ops_name;
		char w[96];
		int k = -1;

		snprintf(w, sizeof(w), "%s.args[%zu]", what, i);
		if (!json_object_is_type(o, json_type_object))
			return err_make(e, 0, "%s: not an object", w);
		json_object_object_foreach(o, key, val) {
			(void)val;
			if (strcmp(key, "index") != 0 && strcmp(key, "value") != 0 &&
			    strcmp(key, "valueTwo") != 0 && strcmp(key, "op") != 0)
				return err_make(e, 0, "%s: unknown field \"%s\"", w, key);
		}
		if (get_u64(o, "index", true, &index, w, e) < 0 ||
		    get_u64(o, "value", false, &value, w, e) < 0 ||
		    get_u64(o, "valueTwo", false, &value2, w, e) < 0)
			return -1;
		if (index > 5)
			return err_make(e, 0, "%s: index must be 0 to 5", w);
		ops_name = json_object_object_get_ex(o, "op", &op) &&
					   json_object_is_type(op, json_type_string)
				   ? json_object_get_string(op)
				   : NULL;
		for (size_t j = 0; ops_name && j < ARRAY_SIZE(ops); j++)
			if (strcmp(ops[j].name, ops_name) == 0)
				k = ops[j].op;
		if (k < 0)
			return err_make(
				e, 0,
				"%s: op must be one of SCMP_CMP_NE, _LT, _LE, _EQ, _GE, _GT, _MASKED_EQ", w);
		rule_arg(r, (unsigned)index, k, value, value2);
	}
	return 0;
}

/* includes/excludes: does the rule apply?  includes: every cap, and the
 * native arch among the arches; excludes: no cap, not the native arch. */
static int filter_applies(json_object *o, bool include, uint64_t caps, bool *applies, const char *what,
			  struct err *e)
{
	json_object *v;

	if (!o)
		return 0;
	if (!json_object_is_type(o, json_type_object))
		return err_make(e, 0, "%s: not an object", what);
	json_object_object_foreach(o, key, val) {
		if (strcmp(key, "caps") == 0 || strcmp(key, "arches") == 0) {
			if (!json_object_is_type(val, json_type_array))
				return err_make(e, 0, "%s.%s: must be an array", what, key);
			continue;
		}
		if (strcmp(key, "minKernel") == 0 && json_object_is_type(val, json_type_null))
			continue;
		if (strcmp(key, "minKernel") == 0)
			return err_make(e, 0, "%s.minKernel is not supported", what);
		return err_make(e, 0, "%s: unknown field \"%s\"", what, key);
	}
	if (json_object_object_get_ex(o, "caps", &v)) {
		size_t n = json_object_array_length(v);

		for (size_t i = 0; i < n; i++) {
			json_object *c = json_object_array_get_idx(v, i);
			int cap;

			if (!json_object_is_type(c, json_type_string))
				return err_make(e, 0, "%s.caps[%zu]: must be a string", what, i);
			cap = parse_cap(json_object_get_string(c), e);
			if (cap < 0) {
				err_wrap(e, "%s.caps[%zu]", what, i);
				return -1;
			}
			if (include && !(caps & CAPBIT(cap)))
				*applies = false;
			if (!include && (caps & CAPBIT(cap)))
				*applies = false;
		}
	}
	if (json_object_object_get_ex(o, "arches", &v) && json_object_array_length(v) > 0) {
		bool found = false;

		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *a = json_object_array_get_idx(v, i);

			if (!json_object_is_type(a, json_type_string))
				return err_make(e, 0, "%s.arches[%zu]: must be a string", what, i);
			if (strcmp(json_object_get_string(a), native_go_arch()) == 0)
				found = true;
		}
		if (include != found)
			*applies = false;
	}
	return 0;
}

static int parse_syscall(json_object *o, uint32_t default_action, uint64_t caps, size_t idx,
			 struct seccomp_profile *p, struct err *e)
{
	json_object *names = NULL, *v, *act = NULL, *eret = NULL, *ename = NULL;
	bool applies = true;
	struct seccomp_rule *r;
	uint32_t action;
	char what[48];

	snprintf(what, sizeof(what), "syscalls[%zu]", idx);
	if (!json_object_is_type(o, json_type_object))
		return err_make(e, 0, "%s: not an object", what);
	json_object_object_foreach(o, key, val) {
		if (strcmp(key, "names") == 0)
			names = val;
		else if (strcmp(key, "name") == 0)
			names = val;
		else if (strcmp(key, "action") == 0)
			act = val;
		else if (strcmp(key, "errnoRet") == 0)
			eret = json_object_is_type(val, json_type_null) ? NULL : val;
		else if (strcmp(key, "errno") == 0)
			ename = json_object_is_type(val, json_type_null) ? NULL : val;
		else if (strcmp(key, "comment") != 0 && strcmp(key, "args") != 0 &&
			 strcmp(key, "includes") != 0 && strcmp(key, "excludes") != 0)
			return err_make(e, 0, "%s: unknown field \"%s\"", what, key);
	}
	if (!names)
		return err_make(e, 0, "%s: names is required", what);
	if (!act)
		return err_make(e, 0, "%s: action is required", what);
	if (parse_action(what, act, eret, ename, &action, e) < 0)
		return -1;
	if ((json_object_object_get_ex(o, "includes", &v) &&
	     filter_applies(v, true, caps, &applies, "includes", e) < 0) ||
	    (json_object_object_get_ex(o, "excludes", &v) &&
	     filter_applies(v, false, caps, &applies, "excludes", e) < 0)) {
		err_wrap(e, "%s", what);
		return -1;
	}
	r = rule_new(p, action);
	if (json_object_is_type(names, json_type_string)) {
		strv_push(&r->names, json_object_get_string(names));
	} else if (json_object_is_type(names, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(names); i++) {
			json_object *n = json_object_array_get_idx(names, i);

			if (!json_object_is_type(n, json_type_string) || !*json_object_get_string(n))
				return err_make(e, 0, "%s.names[%zu]: must be a syscall name", what, i);
			strv_push(&r->names, json_object_get_string(n));
		}
	} else {
		return err_make(e, 0, "%s: names must be an array of strings", what);
	}
	if (json_object_object_get_ex(o, "args", &v) && !json_object_is_type(v, json_type_null) &&
	    parse_args(v, r, what, e) < 0)
		return -1;
	/* a rule that does what the default does, or that does not apply
	 * here, adds nothing (libseccomp refuses the first) */
	if (!applies || action == default_action || !r->names) {
		strv_free(r->names);
		free(r->args);
		p->nrules--;
	}
	return 0;
}

static int add_arch(struct seccomp_profile *p, const char *name, const char *what, struct err *e)
{
	uint32_t a = arch_from_name(name);

	if (!a)
		return err_make(e, 0, "%s: unknown architecture \"%s\"", what, name);
	if (a == seccomp_arch_native())
		return 0;
	for (size_t i = 0; i < p->narches; i++)
		if (p->arches[i] == a)
			return 0;
	p->arches = xrealloc(p->arches, (p->narches + 1) * sizeof(*p->arches));
	p->arches[p->narches++] = a;
	return 0;
}

static int parse_arches(json_object *j, struct seccomp_profile *p, struct err *e)
{
	json_object *v;

	if (json_object_object_get_ex(j, "architectures", &v) && !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_array))
			return err_make(e, 0, "architectures must be an array");
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *a = json_object_array_get_idx(v, i);

			if (!json_object_is_type(a, json_type_string))
				return err_make(e, 0, "architectures[%zu]: must be a string", i);
			if (add_arch(p, json_object_get_string(a), "architectures", e) < 0)
				return -1;
		}
	}
	/* archMap: the entry of the native architecture brings its sub-architectures */
	if (json_object_object_get_ex(j, "archMap", &v) && !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_array))
			return err_make(e, 0, "archMap must be an array");
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *m = json_object_array_get_idx(v, i), *a, *subs;

			if (!json_object_is_type(m, json_type_object) ||
			    !json_object_object_get_ex(m, "architecture", &a) ||
			    !json_object_is_type(a, json_type_string))
				return err_make(e, 0, "archMap[%zu]: architecture is required", i);
			if (!arch_from_name(json_object_get_string(a)))
				return err_make(e, 0, "archMap[%zu]: unknown architecture \"%s\"", i,
						json_object_get_string(a));
			if (arch_from_name(json_object_get_string(a)) != seccomp_arch_native())
				continue;
			if (!json_object_object_get_ex(m, "subArchitectures", &subs) ||
			    json_object_is_type(subs, json_type_null))
				continue;
			if (!json_object_is_type(subs, json_type_array))
				return err_make(e, 0, "archMap[%zu]: subArchitectures must be an array", i);
			for (size_t k = 0; k < json_object_array_length(subs); k++) {
				json_object *s = json_object_array_get_idx(subs, k);

				if (!json_object_is_type(s, json_type_string))
					return err_make(e, 0, "archMap[%zu]: names must be strings", i);
				if (add_arch(p, json_object_get_string(s), "archMap", e) < 0)
					return -1;
			}
		}
	}
	return 0;
}

static int parse_profile(json_object *j, uint64_t caps, struct seccomp_profile *p, struct err *e)
{
	json_object *v, *eret = NULL, *ename = NULL;

	if (!json_object_is_type(j, json_type_object))
		return err_make(e, 0, "not a JSON object");
	json_object_object_foreach(j, key, val) {
		if (strcmp(key, "defaultErrnoRet") == 0)
			eret = json_object_is_type(val, json_type_null) ? NULL : val;
		else if (strcmp(key, "defaultErrno") == 0)
			ename = json_object_is_type(val, json_type_null) ? NULL : val;
		else if (strcmp(key, "listenerPath") == 0 || strcmp(key, "listenerMetadata") == 0 ||
			 strcmp(key, "flags") == 0) {
			if (!json_object_is_type(val, json_type_null) &&
			    !(json_object_is_type(val, json_type_string) && !*json_object_get_string(val)) &&
			    !(json_object_is_type(val, json_type_array) &&
			      json_object_array_length(val) == 0))
				return err_make(e, 0, "%s is not supported", key);
		} else if (strcmp(key, "defaultAction") != 0 && strcmp(key, "architectures") != 0 &&
			   strcmp(key, "archMap") != 0 && strcmp(key, "syscalls") != 0)
			return err_make(e, 0, "unknown field \"%s\"", key);
	}
	if (!json_object_object_get_ex(j, "defaultAction", &v))
		return err_make(e, 0, "defaultAction is required");
	if (parse_action("defaultAction", v, eret, ename, &p->default_action, e) < 0)
		return -1;
	if (parse_arches(j, p, e) < 0)
		return -1;
	if (json_object_object_get_ex(j, "syscalls", &v) && !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_array))
			return err_make(e, 0, "syscalls must be an array");
		for (size_t i = 0; i < json_object_array_length(v); i++)
			if (parse_syscall(json_object_array_get_idx(v, i), p->default_action, caps, i, p, e) <
			    0)
				return -1;
	}
	return 0;
}

int seccomp_profile_parse(const char *json, size_t len, uint64_t caps, struct seccomp_profile *p,
			  struct err *e)
{
	json_object *j = NULL;
	int rc;

	memset(p, 0, sizeof(*p));
	if (json_parse_strict(json, len, "seccomp profile", &j, e) < 0)
		return -1;
	rc = parse_profile(j, caps, p, e);
	json_object_put(j);
	if (rc < 0) {
		seccomp_profile_free(p);
		if (strncmp(e->msg ? e->msg : "", "seccomp profile", 15) != 0)
			err_wrap(e, "seccomp profile");
		/* names from the profile are quoted in the message: one line, always */
		for (char *c = e->msg; c && *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
	}
	return rc;
}

/* ---- compiling ----------------------------------------------------------------- */

static int add_rule(scmp_filter_ctx ctx, const struct seccomp_rule *r, int nr)
{
	struct scmp_arg_cmp cmp[6];
	bool repeated = false;
	int rc;

	if (r->nargs > 6)
		return -EINVAL;
	for (size_t i = 0; i < r->nargs; i++) {
		cmp[i] = (struct scmp_arg_cmp){ r->args[i].index, (enum scmp_compare)r->args[i].op,
						r->args[i].value, r->args[i].value2 };
		for (size_t k = 0; k < i; k++)
			if (r->args[k].index == r->args[i].index)
				repeated = true;
	}
	if (!repeated)
		return seccomp_rule_add_array(ctx, r->action, nr, (unsigned)r->nargs, cmp);
	/* two conditions on one argument: docker's meaning is "any of them",
	 * one rule each */
	for (size_t i = 0; i < r->nargs; i++) {
		rc = seccomp_rule_add_array(ctx, r->action, nr, 1, &cmp[i]);
		if (rc < 0 && rc != -EEXIST)
			return rc;
	}
	return 0;
}

int seccomp_compile(const struct seccomp_profile *p, struct seccomp_prog *out, struct err *e)
{
	scmp_filter_ctx ctx = seccomp_init(p->default_action);
	const char *what = "creating the filter";
	struct stat st;
	int rc = 0, fd = -1;

	memset(out, 0, sizeof(*out));
	if (!ctx)
		return err_make(e, 0, "seccomp: creating the filter failed (bad default action?)");
	/* a tree, not a list: each call of the container is then checked in a
	 * few comparisons, not hundreds */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (p->badarch_default)
		seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, p->default_action);
	for (size_t i = 0; i < p->narches && rc >= 0; i++) {
		rc = seccomp_arch_add(ctx, p->arches[i]);
		if (rc == -EEXIST)
			rc = 0;
		what = "adding an architecture";
	}
	for (size_t i = 0; i < p->nrules && rc >= 0; i++)
		for (size_t k = 0; p->rules[i].names && p->rules[i].names[k] && rc >= 0; k++) {
			int nr = seccomp_syscall_resolve_name(p->rules[i].names[k]);

			/* unknown to this libseccomp: no architecture here has it */
			if (nr == __NR_SCMP_ERROR)
				continue;
			rc = add_rule(ctx, &p->rules[i], nr);
			if (rc == -EEXIST)
				rc = 0;
			if (rc < 0) {
				seccomp_release(ctx);
				return err_make(e, -rc, "seccomp: the rule for %s", p->rules[i].names[k]);
			}
		}
	if (rc >= 0) {
		what = "exporting the filter";
		fd = memfd_create("seccomp", MFD_CLOEXEC);
		rc = fd < 0 ? -errno : seccomp_export_bpf(ctx, fd);
	}
	seccomp_release(ctx);
	if (rc >= 0 && fstat(fd, &st) < 0)
		rc = -errno;
	if (rc >= 0 && (st.st_size <= 0 || st.st_size % (off_t)sizeof(struct sock_filter) ||
			st.st_size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS))
		rc = -E2BIG;
	if (rc >= 0) {
		out->insns = xmalloc((size_t)st.st_size);
		out->len = (unsigned short)(st.st_size / (off_t)sizeof(struct sock_filter));
		if (pread(fd, out->insns, (size_t)st.st_size, 0) != st.st_size) {
			rc = -EIO;
			seccomp_prog_free(out);
		}
	}
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		return err_make(e, -rc, "seccomp: %s", what);
	return 0;
}

void seccomp_prog_free(struct seccomp_prog *p)
{
	free(p->insns);
	p->insns = NULL;
	p->len = 0;
}
