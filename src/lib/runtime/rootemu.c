/* rootemu.c - the seccomp filter behind root emulation (see rootemu.h).
 *
 * The idea is charliecloud's (ch-run --seccomp): answer the privileged
 * calls with success and do nothing.  This is a separate implementation on
 * libseccomp, which resolves each name for every architecture in the filter
 * and skips the names an architecture does not have.
 */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rootemu.h"
#include "lib/record/spec.h"
#include "lib/base/util.h"

/* Calls faked whatever their arguments.  The *32 names exist on 32-bit
 * ABIs only (i386, arm), where the plain names take 16-bit IDs. */
static const char *const faked[] = {
	"chown",       "fchown",     "lchown",     "fchownat",    "chown32",    "fchown32",   "lchown32",
	"setuid",      "setgid",     "setreuid",   "setregid",    "setresuid",  "setresgid",  "setfsuid",
	"setfsgid",    "setgroups",  "setuid32",   "setgid32",    "setreuid32", "setregid32", "setresuid32",
	"setresgid32", "setfsuid32", "setfsgid32", "setgroups32",
};

/* Secondary ABIs the native CPU runs: the filter must know them, or a
 * 32-bit dpkg would escape the emulation. */
static int add_arches(scmp_filter_ctx ctx)
{
	uint32_t extra[2] = { 0, 0 };
	int rc;

	switch (seccomp_arch_native()) {
	case SCMP_ARCH_X86_64:
		extra[0] = SCMP_ARCH_X86;
		extra[1] = SCMP_ARCH_X32;
		break;
	case SCMP_ARCH_AARCH64:
		extra[0] = SCMP_ARCH_ARM;
		break;
	default:
		break;
	}
	for (size_t i = 0; i < 2 && extra[i]; i++) {
		rc = seccomp_arch_add(ctx, extra[i]);
		if (rc < 0 && rc != -EEXIST)
			return rc;
	}
	return 0;
}

/* Fake a name if some architecture in the filter has it. */
static int fake(scmp_filter_ctx ctx, const char *name, unsigned argc, const struct scmp_arg_cmp *cmp)
{
	int nr = seccomp_syscall_resolve_name(name);
	int rc;

	if (nr == __NR_SCMP_ERROR)
		return 0; /* unknown to this libseccomp: no ABI we filter has it */
	rc = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(0), nr, argc, cmp);
	/* -EDOM/-EINVAL: the name exists elsewhere, not in any ABI filtered here */
	if (rc == -EDOM || rc == -EINVAL)
		return 0;
	return rc;
}

/* mknod(path, mode, dev) and mknodat(dirfd, path, mode, dev): fake only
 * when the file type in mode is a character or block device. */
static int fake_mknod(scmp_filter_ctx ctx, const char *name, unsigned mode_arg)
{
	static const mode_t types[] = { S_IFCHR, S_IFBLK };
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		struct scmp_arg_cmp cmp = {
			.arg = mode_arg,
			.op = SCMP_CMP_MASKED_EQ,
			.datum_a = S_IFMT,
			.datum_b = types[i],
		};
		int rc = fake(ctx, name, 1, &cmp);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int rootemu_install(struct err *e)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	const char *what = "adding architectures";
	int rc;

	if (!ctx)
		return err_make(e, ENOMEM, "root emulation: creating the seccomp filter");
	/* an ABI not in the filter runs unfiltered (the default would kill it) */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
	if (rc == 0)
		rc = add_arches(ctx);
	for (size_t i = 0; rc == 0 && i < sizeof faked / sizeof faked[0]; i++) {
		what = faked[i];
		rc = fake(ctx, faked[i], 0, NULL);
	}
	if (rc == 0) {
		what = "mknod";
		rc = fake_mknod(ctx, "mknod", 1);
	}
	if (rc == 0) {
		what = "mknodat";
		rc = fake_mknod(ctx, "mknodat", 2);
	}
	if (rc == 0) {
		what = "loading the filter";
		rc = seccomp_load(ctx);
	}
	seccomp_release(ctx);
	if (rc < 0)
		return err_make(e, -rc, "root emulation: seccomp filter: %s", what);
	/* fchown of fd -1 fails with EBADF unless the filter answers it */
	if (syscall(SYS_fchown, -1, 0, 0) != 0)
		return err_make(e, errno, "root emulation: the seccomp filter is loaded but not active");
	return 0;
}

int rootemu_prepare(char ***env, struct err *e)
{
	static const char conf[] = ROOTEMU_APT_CONF;
	_cleanup_close_ int fd = -1;

	if (env_get(*env, "APT_CONFIG"))
		return 0;
	fd = open(ROOTEMU_APT_CONF_PATH, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (fd < 0)
		return err_make(e, errno, "root emulation: creating %s", ROOTEMU_APT_CONF_PATH);
	if (write_all(fd, conf, sizeof conf - 1) < 0)
		return err_make(e, errno, "root emulation: writing %s", ROOTEMU_APT_CONF_PATH);
	env_set(env, "APT_CONFIG", ROOTEMU_APT_CONF_PATH);
	return 0;
}
