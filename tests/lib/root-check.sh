#!/bin/sh
# root-check.sh - `make check` / `make demo` when run as root.
#
#   sh tests/lib/root-check.sh        make check as the test user
#   sh tests/lib/root-check.sh demo   make demo as the test user
#
# burrow is rootless, and its tests must run as an ordinary user.  As root
# this script installs the Debian packages (tests/lib/deps.sh), creates or
# reuses the unprivileged user $BURROW_TEST_USER (default burrowtest) with a
# subordinate ID range, and a second one, $BURROW_TEST_USER2 (default
# burrowtest2), that squats a directory (tests/lib/squat-setup.sh), makes
# /dev/fuse and /dev/net/tun usable by everyone (as distributions do), starts
# the two-node Slurm test cluster (tests/lib/slurm-cluster.sh), copies
# the source tree (without build/ and .git/) to a staging directory that user
# owns, and runs make there as that user
# with a clean environment.  It exits with make's status.  The staging
# directory is removed afterwards unless KEEP_STAGE=1.
#
# Passed through to the user's make: PROVE_FLAGS; TESTS, what prove runs
# (default: everything); BURROW_OVERLAY / BURROW_IDMAP / BURROW_SAFE_OPEN /
# BURROW_USERNS_KEEP / BURROW_LATE_TEARDOWN / BURROW_EARLY_GO / BURROW_PREP_OVERLAP / BURROW_DETACH_OVERLAP /
# BURROW_EXEC_PIDFD / BURROW_EXEC_CGROUP_SKIP / BURROW_EXEC_JOIN_ALL / BURROW_EXEC_VFORK /
# BURROW_KEEPID_TMPFS / BURROW_SECCOMP_COMPACT / BURROW_LOOPBACK_OVERLAP /
# BURROW_DETACH_LATE / BURROW_TREESUM_STREAM / BURROW_PULL_DIFF_ID /
# BURROW_UNPACK_PARENT_CACHE / BURROW_UNPACK_LAZY_META / BURROW_PORT_DIRECT /
# BURROW_CONNECT_DIRECT /
# BURROW_LATE_TEARDOWN_DETACHED / BURROW_API_RECORD_EOF /
# BURROW_API_LIST_CACHE / BURROW_API_WORKER / BURROW_SQFS_QUICK_REF /
# BURROW_SQFS_ETC / BURROW_SQFS_MNTDIRS / BURROW_SPARE_CTRDIR /
# BURROW_SUBID_CACHE_USER when set (to force a fallback
# path for the whole suite);
# BURROW_TEST_DEBIAN_TAR, the Debian rootfs tarball tests/lib/debian-fixture.sh
# makes (default /var/cache/burrow-tests/debian-bookworm-minbase.tar.zst);
# BURROW_VM=0 / BURROW_VM_MODES for the VM tests, and BURROW_VM_KERNEL, a
# readable copy of the kernel when /boot's is root-only.
# shellcheck shell=sh
set -eu

target=${1:-check}
case $target in
check | demo) ;;
*) echo "root-check.sh: unknown target: $target (check or demo)" >&2; exit 2 ;;
esac
user=${BURROW_TEST_USER:-burrowtest}
src=$(cd "$(dirname "$0")/../.." && pwd)

say() { echo "root-check: $*"; }

if [ "$(id -u)" != 0 ]; then
	echo "root-check.sh: must run as root (as a normal user, run make $target directly)" >&2
	exit 2
fi

sh "$src/tests/lib/deps.sh" </dev/null

# The Debian minbase rootfs for the build tests: debootstrap needs root, so it
# is made here once (about 30 s and 35 MB) and cached outside the tree; the
# tests that need it skip with the reason when it could not be made.  The
# demo does not use it.
if [ "$target" = check ]; then
	sh "$src/tests/lib/debian-fixture.sh" </dev/null ||
		say "warning: no Debian fixture tarball; tests/integration/build-debian.t will skip"
	# testcontainers for Node from the npm registry (needs the network once;
	# cached like the Debian tarball)
	sh "$src/tests/lib/testcontainers-fixture.sh" </dev/null ||
		say "warning: no testcontainers; tests/integration/api-testcontainers.t will skip"
fi

# The two-node Slurm test cluster (munge, slurmctld, two slurmd on 127.0.0.1)
# for tests/integration/slurm.t; stopped again after the suite unless it was
# already up.  The tests that need it skip with the reason when it is down.
slurm_started=
if [ "$target" = check ]; then
	if sh "$src/tests/lib/slurm-cluster.sh" status >/dev/null 2>&1; then
		say "the Slurm test cluster is up"
	elif sh "$src/tests/lib/slurm-cluster.sh" start </dev/null; then
		slurm_started=1
	else
		say "warning: no Slurm test cluster; tests/integration/slurm.t will skip"
	fi
fi
# The SPANK plugin, built from this tree and loaded by the cluster's
# plugstack.conf (tests/integration/spank.t skips without it).
if [ "$target" = check ] && sh "$src/tests/lib/slurm-cluster.sh" status >/dev/null 2>&1; then
	sh "$src/tests/lib/spank-setup.sh" "$src" </dev/null ||
		say "warning: the SPANK plugin is not loaded; tests/integration/spank.t will skip"
fi

# -- the unprivileged test user ------------------------------------------------
if ! id -u "$user" >/dev/null 2>&1; then
	say "creating user $user"
	useradd -m -s /bin/sh "$user"
fi
home=$(getent passwd "$user" | cut -d: -f6)
if [ -z "$home" ] || [ ! -d "$home" ]; then
	home=/home/$user
	mkdir -p "$home"
	chown "$user:" "$home"
	usermod -d "$home" "$user"
fi

# Give $user a subordinate range in FILE unless it has one: 65536 IDs from
# 100000, or right after the highest range already given out.
ensure_range() {
	touch "$1"
	if grep -q "^$user:" "$1" || grep -q "^$(id -u "$user"):" "$1"; then
		return 0
	fi
	start=$(awk -F: 'BEGIN { end = 100000 }
		NF >= 3 && $2 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+$/ { e = $2 + $3; if (e > end) end = e }
		END { print end }' "$1")
	say "adding $user:$start:65536 to $1"
	echo "$user:$start:65536" >>"$1"
}
ensure_range /etc/subuid
ensure_range /etc/subgid

# a cache the test user keeps between runs: the MPI images of slurm.t
# (tests/lib/mpi-image.sh, a few minutes of apt-get each, made once)
BURROW_TEST_CACHE=${BURROW_TEST_CACHE:-/var/cache/burrow-tests/$user}
mkdir -p "$BURROW_TEST_CACHE"
chown "$user:" "$BURROW_TEST_CACHE"
chmod 0755 "$BURROW_TEST_CACHE"
export BURROW_TEST_CACHE

# a second user who squats a directory where $user's runroot could go
# (tests/integration/runroot.t)
sh "$src/tests/lib/squat-setup.sh" "$user"

# -- host settings a distribution would have -------------------------------------
for d in /dev/fuse /dev/net/tun; do
	[ -c "$d" ] && chmod 0666 "$d"
done
if [ -f /proc/sys/kernel/unprivileged_userns_clone ] &&
	[ "$(cat /proc/sys/kernel/unprivileged_userns_clone)" = 0 ]; then
	say "enabling kernel.unprivileged_userns_clone"
	echo 1 >/proc/sys/kernel/unprivileged_userns_clone || true
fi

# -- staging copy owned by the user --------------------------------------------
stage=$(mktemp -d "${TMPDIR:-/tmp}/burrow-check.XXXXXX")
# shellcheck disable=SC2317 # called from the trap
cleanup() {
	if [ -n "$slurm_started" ]; then
		sh "$src/tests/lib/slurm-cluster.sh" stop </dev/null || true
	fi
	if [ "${KEEP_STAGE:-0}" = 1 ]; then
		say "staging directory kept: $stage"
	else
		rm -rf "$stage"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

tar -C "$src" --exclude=./build --exclude=./.git -cf - . | tar -C "$stage" -xf -
chown -R "$user:" "$stage"
chmod 0755 "$stage"

# The VM tests (tests/vm) boot the host's kernel, which Debian may install
# 0600: give the user a readable copy in the staging directory.
kernel=$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
if [ -n "$kernel" ] && ! runuser -u "$user" -- test -r "$kernel"; then
	cp "$kernel" "$stage/${kernel##*/}"
	chmod 0644 "$stage/${kernel##*/}"
	BURROW_VM_KERNEL=$stage/${kernel##*/}
	export BURROW_VM_KERNEL
fi

say "running make $target as $user in $stage"
set -- HOME="$home" USER="$user" LOGNAME="$user" SHELL=/bin/sh \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	LANG=C.UTF-8 TERM="${TERM:-dumb}"
for v in PROVE_FLAGS TESTS BURROW_OVERLAY BURROW_IDMAP BURROW_SAFE_OPEN BURROW_USERNS_KEEP \
	BURROW_LATE_TEARDOWN BURROW_EARLY_GO BURROW_PREP_OVERLAP BURROW_DETACH_OVERLAP BURROW_EXEC_PIDFD BURROW_EXEC_CGROUP_SKIP BURROW_EXEC_JOIN_ALL BURROW_EXEC_VFORK BURROW_KEEPID_TMPFS \
	BURROW_SECCOMP_COMPACT BURROW_LOOPBACK_OVERLAP BURROW_DETACH_LATE BURROW_TREESUM_STREAM BURROW_PULL_DIFF_ID BURROW_UNPACK_PARENT_CACHE BURROW_UNPACK_LAZY_META BURROW_PORT_DIRECT BURROW_CONNECT_DIRECT \
	BURROW_LATE_TEARDOWN_DETACHED BURROW_API_RECORD_EOF BURROW_API_LIST_CACHE BURROW_API_WORKER \
	BURROW_SQFS_QUICK_REF BURROW_SQFS_ETC BURROW_SQFS_MNTDIRS BURROW_SPARE_CTRDIR BURROW_SUBID_CACHE_USER BURROW_VM BURROW_VM_KERNEL BURROW_VM_MODES BURROW_TEST_DEBIAN_TAR \
	BURROW_TEST_SLURM_DIR BURROW_TEST_CACHE FAULT_ITERATIONS FAULT_TIME; do
	eval "val=\${$v-}"
	# shellcheck disable=SC2154 # val is set by the eval above
	[ -n "$val" ] && set -- "$@" "$v=$val"
done
rc=0
(cd "$stage" && runuser -u "$user" -- env -i "$@" \
	make --no-print-directory -j"$(nproc)" -C "$stage" "$target") || rc=$?
say "make $target as $user exited with status $rc"
exit "$rc"
