/* rootemu.h - root emulation for builds without subordinate IDs.
 *
 * With the single-ID map only uid and gid 0 exist in the container, so the
 * calls package managers make as "root" fail: chown to a system user,
 * setuid/setgid to a sandbox user, setgroups (denied), mknod of a device.
 * rootemu_install() loads a seccomp filter (libseccomp) that makes exactly
 * these calls return 0 without doing anything:
 *
 *   chown, fchown, lchown, fchownat                          (and *32 on i386)
 *   setuid, setgid, setreuid, setregid, setresuid, setresgid,
 *   setfsuid, setfsgid, setgroups                            (and *32 on i386)
 *   mknod, mknodat with S_IFCHR or S_IFBLK                   (nothing is created)
 *
 * mknod of a FIFO, socket or regular file is left alone and creates it.
 * A faked device mknod creates no file at all: a later open or chmod of it
 * fails with ENOENT, which is what a package sees anyway when /dev is the
 * runtime's.  capset is not faked: capabilities do not depend on the ID
 * map, so a capset that fails here fails with subordinate IDs too.
 *
 * The lie is lazy: getuid() after a faked setuid() still says 0, and the
 * owner of a file after a faked chown() is unchanged.  Programs that check
 * need to be told not to switch: see ROOTEMU_APT_CONF for apt.
 *
 * The filter covers the native architecture plus the 32-bit ABIs the CPU
 * can also run (i386 and x32 on x86_64, arm on aarch64); calls from any
 * other ABI pass through untouched.  Call it after PR_SET_NO_NEW_PRIVS, just
 * before exec (libseccomp would set no_new_privs itself otherwise): it is
 * inherited by every child and cannot be removed.
 */
#ifndef BURROW_ROOTEMU_H
#define BURROW_ROOTEMU_H

#include "lib/base/error.h"

/* apt's download methods switch to the _apt user and then verify the
 * switch (getgid, getgroups), so under the filter every apt-get install
 * fails with "Could not switch group".  The emulated container therefore
 * gets this apt configuration, in a file on its /dev (a tmpfs of the
 * runtime, never part of a layer or an image) named by APT_CONFIG, which
 * apt reads on top of /etc/apt.  Images without apt ignore both. */
#define ROOTEMU_APT_CONF_PATH "/dev/.burrow-apt.conf"
#define ROOTEMU_APT_CONF \
	"// burrow root emulation: apt must not switch to _apt (see burrow-build(1))\n" \
	"APT::Sandbox::User \"root\";\n"

/* In the container's init after pivot_root, while still root: write
 * ROOTEMU_APT_CONF_PATH and set APT_CONFIG in env to it (unless env already
 * has an APT_CONFIG of its own). */
int rootemu_prepare(char ***env, struct err *e);

/* Install the filter in the calling thread (and its future children).
 * Checks afterwards that it is active: a harmless faked call must return 0. */
int rootemu_install(struct err *e);

#endif
