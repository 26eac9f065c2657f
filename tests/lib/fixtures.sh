# fixtures.sh - per-test store and fixture images (sourced after tap.sh).
#
#   . "$(dirname "$0")/../lib/fixtures.sh"
#   fixture_store                 # private BURROW_ROOT/BURROW_RUNROOT, removed at exit
#   tar=$(fixture_rootfs_tar)     # busybox rootfs tar.gz (cached in $BURROW_BUILD/fixtures)
#   fixture_image local/busybox:1 # imports it into the private store
# shellcheck shell=sh

: "${BURROW:?BURROW must point at the burrow binary (make check sets it)}"
: "${BURROW_BUILD:=$(dirname "$BURROW")}"
export BURROW BURROW_BUILD
burrow() { "$BURROW" "$@"; }

# gone PID: PID has exited (no longer in /proc, or a zombie).  One read of
# its stat file: a process that exits between two looks still counts.
gone() {
	_gs=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	case ${_gs##*) } in
	Z* | X*) return 0 ;;
	*) return 1 ;;
	esac
}

fixture_store() {
	FIXTURE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/burrow-test.XXXXXX")
	export BURROW_ROOT="$FIXTURE_DIR/root" BURROW_RUNROOT="$FIXTURE_DIR/run"
	# the networks' namespace goes with its last container, so a test's
	# end leaves no process behind (network-run.t checks the grace period)
	export BURROW_NETWORK_GRACE="${BURROW_NETWORK_GRACE:-0}"
	trap 'fixture_cleanup' EXIT
}

fixture_cleanup() {
	if [ -n "${FIXTURE_DIR:-}" ] && [ -d "$FIXTURE_DIR" ]; then
		# layers are owned by mapped IDs: remove them from inside the namespace
		"$BURROW" unshare rm -rf "$FIXTURE_DIR/root" >/dev/null 2>&1 || true
		rm -rf "$FIXTURE_DIR" 2>/dev/null || true
	fi
}

# need_burrow_net [CMD...]: skip the file unless burrow-net is built,
# /dev/net/tun is there and each CMD is installed; B is the build directory
need_burrow_net() {
	# shellcheck disable=SC2034 # B is the caller's
	B=${BURROW_BUILD:?BURROW_BUILD must point at the build directory}
	[ -x "$BURROW_BUILD/burrow-net" ] || skip_all "$BURROW_BUILD/burrow-net not built"
	[ -c /dev/net/tun ] || skip_all "no /dev/net/tun"
	for _c in "$@"; do
		command -v "$_c" >/dev/null 2>&1 || skip_all "$_c not installed"
	done
}

# fixture_busybox: a store of the file's own with the busybox fixture as
# $IMG; the file's containers go with the store when it ends
fixture_busybox() {
	fixture_store
	fixture_image local/busybox:1
	# shellcheck disable=SC2034 # IMG is the caller's
	IMG=local/busybox:1
	trap fixture_busybox_cleanup EXIT
	trap 'exit 1' INT TERM
}

fixture_busybox_cleanup() {
	"$BURROW" rm -f -a >/dev/null 2>&1
	fixture_cleanup
}

# Build the busybox rootfs tree once per build directory.
fixture_rootfs_dir() {
	_d="$BURROW_BUILD/fixtures/busybox-rootfs"
	# a rebuilt testinit (a new question to ask) makes a new fixture
	if [ -x "$_d/bin/busybox" ] && [ -x "$BURROW_BUILD/tests/testinit" ] &&
		! cmp -s "$BURROW_BUILD/tests/testinit" "$_d/sbin/testinit"; then
		rm -rf "$_d" "$BURROW_BUILD"/fixtures/busybox-rootfs.tar*
	fi
	if [ ! -x "$_d/bin/busybox" ]; then
		_t="$_d.tmp.$$"
		rm -rf "$_t"
		mkdir -p "$_t/bin" "$_t/etc" "$_t/tmp" "$_t/root" "$_t/home/user" "$_t/proc" "$_t/sys" "$_t/dev" "$_t/sbin"
		cp /bin/busybox "$_t/bin/busybox"
		for a in $(/bin/busybox --list); do
			[ -e "$_t/bin/$a" ] || ln -s busybox "$_t/bin/$a"
		done
		[ -x "$BURROW_BUILD/tests/testinit" ] && cp "$BURROW_BUILD/tests/testinit" "$_t/sbin/testinit"
		printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$_t/etc/passwd"
		printf 'root:x:0:\nwheel:x:10:user\nuser:x:1000:\nextra:x:2000:user\nnogroup:x:65534:\n' >"$_t/etc/group"
		chmod 1777 "$_t/tmp"
		rm -rf "$_d"
		mv "$_t" "$_d"
	fi
	echo "$_d"
}

# fixture_rootfs_tar [gz|zst|none] -> path of a tarball of the busybox rootfs
fixture_rootfs_tar() {
	_c=${1:-gz}
	_src=$(fixture_rootfs_dir)
	case $_c in
	gz) _f="$BURROW_BUILD/fixtures/busybox-rootfs.tar.gz" _z="gzip -n" ;;
	zst) _f="$BURROW_BUILD/fixtures/busybox-rootfs.tar.zst" _z="zstd -q" ;;
	none) _f="$BURROW_BUILD/fixtures/busybox-rootfs.tar" _z="cat" ;;
	*) bail_out "fixture_rootfs_tar: unknown compression $_c" ;;
	esac
	if [ ! -s "$_f" ]; then
		tar -C "$_src" --numeric-owner --owner=0 --group=0 -cf - . | $_z >"$_f.tmp.$$" && mv "$_f.tmp.$$" "$_f"
	fi
	echo "$_f"
}

# fixture_image REF [gz|zst|none]: import the busybox rootfs as REF
fixture_image() {
	"$BURROW" import "$(fixture_rootfs_tar "${2:-gz}")" "$1" >/dev/null ||
		bail_out "cannot import the busybox fixture as $1"
}

# The Debian 12 minbase rootfs tarball made by debootstrap (as root, once:
# tests/lib/debian-fixture.sh, which `make check` as root runs), or the one
# BURROW_TEST_DEBIAN_TAR names.  Prints its path; fails when there is none.
fixture_debian_tar() {
	if [ -n "${BURROW_TEST_DEBIAN_TAR:-}" ]; then
		[ -s "$BURROW_TEST_DEBIAN_TAR" ] && [ -r "$BURROW_TEST_DEBIAN_TAR" ] || return 1
		echo "$BURROW_TEST_DEBIAN_TAR"
		return 0
	fi
	for _f in /var/cache/burrow-tests/debian-bookworm-minbase.tar.zst \
		/var/cache/burrow-tests/debian-bookworm-minbase.tar.gz; do
		if [ -s "$_f" ] && [ -r "$_f" ]; then
			echo "$_f"
			return 0
		fi
	done
	return 1
}

# fixture_debian REF: import the Debian minbase rootfs as REF into the
# current store, or skip the whole file (call it before the first test).
fixture_debian() {
	_t=$(fixture_debian_tar) ||
		skip_all "no Debian minbase tarball (${BURROW_TEST_DEBIAN_TAR:-/var/cache/burrow-tests/debian-bookworm-minbase.tar.zst}): run make check as root once, or point BURROW_TEST_DEBIAN_TAR at one"
	# the single-ID map warns about the owners it cannot give: not an error
	_e=$("$BURROW" import "$_t" "$1" 2>&1 >/dev/null) ||
		bail_out "cannot import the Debian fixture $_t as $1: $_e"
}

# fixture_deb DIR NAME: build NAME_1.0_all.deb in DIR with dpkg-deb and print
# its path.  It installs /usr/share/NAME/hello and /usr/share/NAME/owned; its
# postinst gives hello to root:root and owned to daemon:daemon and adds the
# system user NAME: what fails without subordinate IDs unless root is emulated.
fixture_deb() {
	_root="$1/$2.pkg"
	rm -rf "$_root"
	mkdir -p "$_root/DEBIAN" "$_root/usr/share/$2"
	cat >"$_root/DEBIAN/control" <<-END
		Package: $2
		Version: 1.0
		Architecture: all
		Maintainer: burrow tests <tests@burrow.invalid>
		Description: burrow test package $2
		 Installs /usr/share/$2/hello and /usr/share/$2/owned; the postinst
		 changes their owners and adds the system user $2.
	END
	cat >"$_root/DEBIAN/postinst" <<-END
		#!/bin/sh
		set -e
		if [ "\$1" = configure ]; then
		    chown root:root /usr/share/$2/hello
		    chown daemon:daemon /usr/share/$2/owned
		    getent passwd $2 >/dev/null ||
		        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin $2
		fi
	END
	chmod 0755 "$_root/DEBIAN/postinst"
	echo "hello from $2" >"$_root/usr/share/$2/hello"
	echo "owned by daemon" >"$_root/usr/share/$2/owned"
	dpkg-deb --root-owner-group -Zgzip --build "$_root" "$1/${2}_1.0_all.deb" >/dev/null ||
		bail_out "dpkg-deb could not build the test package $2"
	rm -rf "$_root"
	echo "$1/${2}_1.0_all.deb"
}

# need_slurm: the two-node test cluster (tests/lib/slurm-cluster.sh, which
# `make check` as root starts) is up, or skip the whole file with the reason.
# Exports SLURM_CONF for srun/sinfo/scancel.  BURROW_TEST_SLURM_DIR names
# another cluster directory.
need_slurm() {
	SLURM_CONF=${BURROW_TEST_SLURM_DIR:-/var/lib/burrow-tests/slurm}/slurm.conf
	export SLURM_CONF
	command -v srun >/dev/null 2>&1 ||
		skip_all "no srun (tests/lib/deps.sh installs slurm-client)"
	[ -r "$SLURM_CONF" ] ||
		skip_all "no test cluster ($SLURM_CONF): run make check as root, or sh tests/lib/slurm-cluster.sh start as root"
	_idle=$(sinfo -h -N -o '%N %t' 2>/dev/null | awk '$2 ~ /^(idle|mix|alloc)$/ { c++ } END { print c + 0 }')
	[ "$_idle" -ge 2 ] ||
		skip_all "the test cluster ($SLURM_CONF) is not up: sh tests/lib/slurm-cluster.sh start as root"
}
