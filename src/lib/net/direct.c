/* direct.c - the init's half of port_handler=direct (net.h): a seccomp
 * filter whose listener burrow-net serves (helpers/net/switch.c).
 *
 * The filter is a few instructions of classic BPF, not libseccomp: it
 * passes every call but bind() and connect() (connect: unless
 * BURROW_CONNECT_DIRECT=0) of the native ABI with an address length of a
 * sockaddr_in (16) or a sockaddr_in6 (28), which it hands to the listener.
 * A unix, netlink or packet socket's bind or connect never leaves the
 * kernel.  The container's own filter (loaded after this one) still
 * decides first: its errors and kills take precedence over a notification. */
#include <endian.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/base/util.h"
#include "net.h"

#if defined(__x86_64__)
#define DIRECT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define DIRECT_ARCH AUDIT_ARCH_AARCH64
#endif

#if __BYTE_ORDER == __LITTLE_ENDIAN
#define ARG_LO(n) (offsetof(struct seccomp_data, args[n]))
#else
#define ARG_LO(n) (offsetof(struct seccomp_data, args[n]) + 4)
#endif

int net_direct_install(int notify_fd, struct err *e)
{
#ifdef DIRECT_ARCH
	/* connect: a number no call has when BURROW_CONNECT_DIRECT=0 */
	uint32_t nr_connect = net_connect_direct_off() ? UINT32_MAX : __NR_connect;
	/* jumps count the instructions skipped: 1 -> 8, 3 -> 5, 4 -> 8,
	 * 6 and 7 -> 9 */
	struct sock_filter insns[] = {
		/* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		/* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, DIRECT_ARCH, 0, 6),
		/* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		/* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_bind, 1, 0),
		/* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr_connect, 0, 3),
		/* 5 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
		/* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 16, 2, 0),
		/* 7 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 28, 1, 0),
		/* 8 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* 9 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	};
	struct sock_fprog prog = { .len = sizeof(insns) / sizeof(insns[0]), .filter = insns };
	int fd;

	fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (fd < 0) {
		err_make(e, errno, "installing the filter of port_handler=direct");
		return 1;
	}
	/* past this point the filter stays: without its listener at
	 * burrow-net, every bind() it catches would fail with ENOSYS */
	if (fd_sendmsg(notify_fd, "L", 1, fd, MSG_NOSIGNAL) != 1) {
		int en = errno;

		close(fd);
		return err_make(e, en, "passing the seccomp listener to burrow-net");
	}
	close(fd);
	return 0;
#else
	(void)notify_fd;
	return err_make(e, ENOTSUP, "port_handler=direct: not on this architecture");
#endif
}
