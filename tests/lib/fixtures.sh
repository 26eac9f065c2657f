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

fixture_store() {
	FIXTURE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/burrow-test.XXXXXX")
	export BURROW_ROOT="$FIXTURE_DIR/root" BURROW_RUNROOT="$FIXTURE_DIR/run"
	trap 'fixture_cleanup' EXIT
}

fixture_cleanup() {
	if [ -n "${FIXTURE_DIR:-}" ] && [ -d "$FIXTURE_DIR" ]; then
		# layers are owned by mapped IDs: remove them from inside the namespace
		"$BURROW" unshare rm -rf "$FIXTURE_DIR/root" >/dev/null 2>&1 || true
		rm -rf "$FIXTURE_DIR" 2>/dev/null || true
	fi
}

# Build the busybox rootfs tree once per build directory.
fixture_rootfs_dir() {
	_d="$BURROW_BUILD/fixtures/busybox-rootfs"
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
