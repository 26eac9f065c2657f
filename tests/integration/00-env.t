#!/bin/sh
# The test environment itself: who runs the suite, on what kernel, and
# whether the host pieces burrow relies on are in place.  Most checks only
# report (as TAP diagnostics); running the suite as root is an error,
# because burrow is rootless and root would hide every permission bug.
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
. "$(dirname "$0")/../lib/tap.sh"
# report on stderr, so prove shows the environment without -v
diag() { printf "%s\n" "$@" | sed "s/^/# /" >&2; }

uid=$(id -u)
diag "user: $(id -un) (uid $uid, gid $(id -g)), groups: $(id -Gn)"
diag "kernel: $(uname -srm)"
[ -r /etc/os-release ] && diag "os: $(. /etc/os-release && echo "$PRETTY_NAME")"
diag "BURROW=${BURROW:-unset}" "BURROW_BUILD=${BURROW_BUILD:-unset}"
diag "HOME=${HOME:-unset} XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-unset} TMPDIR=${TMPDIR:-unset}"
for v in BURROW_OVERLAY BURROW_IDMAP BURROW_SAFE_OPEN BURROW_ROOT BURROW_RUNROOT; do
	eval "val=\${$v-}"
	# shellcheck disable=SC2154 # val is set by the eval above
	[ -n "$val" ] && diag "$v=$val (set for the whole suite)"
done

if [ "$uid" = 0 ]; then
	not_ok "the suite runs as an unprivileged user"
	diag "running as root: run 'make check' as an ordinary user, or as root to let" \
		"tests/lib/root-check.sh create the user burrowtest and run the suite as it"
else
	ok "the suite runs as an unprivileged user ($(id -un))"
fi

if [ -n "${BURROW:-}" ] && [ -x "$BURROW" ]; then
	ok "the burrow binary is executable: $BURROW"
else
	not_ok "the burrow binary is executable: ${BURROW:-BURROW is unset}"
fi

# newuidmap/newgidmap: setuid root or file capabilities (report only)
for h in newuidmap newgidmap; do
	p=$(command -v "$h" 2>/dev/null)
	if [ -z "$p" ]; then
		diag "$h: not installed (package uidmap); only the single-ID map works"
	elif [ -u "$p" ]; then
		diag "$h: $p is setuid root"
	elif command -v getcap >/dev/null 2>&1 && [ -n "$(getcap "$p" 2>/dev/null)" ]; then
		diag "$h: $p has file capabilities: $(getcap "$p")"
	else
		diag "$h: $p is neither setuid nor has file capabilities: ID maps will fail"
	fi
done

name=$(id -un)
sub=$(grep -E "^($name|$uid):" /etc/subuid 2>/dev/null | head -n 1)
subg=$(grep -E "^($name|$uid):" /etc/subgid 2>/dev/null | head -n 1)
diag "subuid: ${sub:-none}" "subgid: ${subg:-none}"

for d in /dev/fuse /dev/net/tun; do
	if [ -e "$d" ]; then
		diag "$d: mode $(stat -c '%a %U:%G' "$d")"
	else
		diag "$d: missing"
	fi
done
for f in /proc/sys/user/max_user_namespaces /proc/sys/kernel/unprivileged_userns_clone \
	/proc/sys/kernel/apparmor_restrict_unprivileged_userns; do
	[ -r "$f" ] && diag "$(echo "${f#/proc/sys/}" | tr / .) = $(cat "$f")"
done
diag "cgroup: $(stat -fc %T /sys/fs/cgroup 2>/dev/null) at /sys/fs/cgroup"
command -v fuse-overlayfs >/dev/null 2>&1 && diag "fuse-overlayfs: $(command -v fuse-overlayfs)"

# Tools the tests and fixtures use: missing ones fail here, with a name,
# rather than as puzzling failures further on.
for t in busybox tar gzip zstd prove awk sed grep mktemp; do
	if command -v "$t" >/dev/null 2>&1 || [ -x "/bin/$t" ]; then
		ok "$t is installed"
	else
		not_ok "$t is installed (sudo make deps)"
	fi
done

# a user namespace can be created at all (report only: burrow info explains why not)
if command -v unshare >/dev/null 2>&1; then
	if unshare -U true 2>/dev/null; then
		diag "unshare -U: works"
	else
		diag "unshare -U: fails; unprivileged user namespaces look disabled"
	fi
fi

done_testing
