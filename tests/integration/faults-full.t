#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# faults-full.t - a store on a small tmpfs that fills up during pull and
# build: a one-line error, no partial image, nothing half-written.
#
# An unprivileged user cannot mount a tmpfs on the host, so the file
# re-runs itself in a user and mount namespace of its own (unshare -Urm)
# with a tmpfs over the store, then in a nested user namespace that maps
# the caller's own uid back (burrow wants to be an ordinary user, and runs
# with the single-ID map there).
# shellcheck disable=SC2016 # the inner sh -c script expands its own arguments
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
SMALL=${SMALL:-6m}

if [ -z "${FAULTS_FULL_DIR:-}" ]; then
	command -v unshare >/dev/null || skip_all "no unshare(1)"
	unshare -Urm true 2>/dev/null || skip_all "unprivileged user namespaces are not available"
	unshare -U --map-user=0 true 2>/dev/null || skip_all "unshare(1) has no --map-user (util-linux 2.38)"
	fixture_store
	mkdir -p "$BURROW_ROOT"
	fixture_rootfs_tar gz >/dev/null
	FAULTS_FULL_DIR=$FIXTURE_DIR unshare -Urm sh -c '
		mount -t tmpfs -o size="$5" tmpfs "$1/root" || exit 1
		exec unshare -U --map-user="$2" --map-group="$3" sh "$4"' \
		sh "$FIXTURE_DIR" "$(id -u)" "$(id -g)" "$0" "$SMALL"
	exit $?
fi

# --- in the namespaces: the store is a $SMALL tmpfs
FIXTURE_DIR=$FAULTS_FULL_DIR
export BURROW_ROOT="$FIXTURE_DIR/root" BURROW_RUNROOT="$FIXTURE_DIR/run" BURROW_IDMAP=single
. "$(dirname "$0")/../lib/registry.sh"
. "$(dirname "$0")/../lib/faults.sh"
T=$FIXTURE_DIR
P="--tls-verify=false"
registry_start
# the outer shell removes $FIXTURE_DIR; here only the registry is stopped
trap 'registry_stop' EXIT
grep -q " $BURROW_ROOT tmpfs " /proc/self/mounts || bail_out "no tmpfs on $BURROW_ROOT"
fixture_image local/busybox:1
IMG=local/busybox:1

# one line of error, and it says why
one_line_enospc() {
	_lines=$(printf '%s\n' "$err" | grep -c .)
	if [ "$_lines" -eq 1 ] && printf '%s' "$err" | grep -q '^burrow: error: .*No space left on device'; then
		ok "$1: one line of error that names the full disk"
	else
		not_ok "$1: one line of error that names the full disk"
		diag "stderr ($_lines lines): $err"
	fi
}

# nothing of the failed command is left in the store
no_partial() {
	assert_eq "$(image_names)" "localhost/local/busybox:1" "$1: no image but the fixture"
	assert_eq "$(stray_tmp)" "" "$1: no half-written file"
	assert_eq "$(orphan_layers)" "" "$1: no layer without an image"
	assert_eq "$(ls "$BURROW_ROOT/containers" 2>/dev/null)" "" "$1: no container record"
}

# --- pull: a layer of random bytes bigger than the store
mkdir -p "$T/big"
dd if=/dev/urandom of="$T/big/blob" bs=1M count=12 2>/dev/null
tar -C "$T/big" --numeric-owner --owner=0 --group=0 -czf "$T/big.tar.gz" .
rm -rf "$T/big"
d=$(oci_new)
oci_add "$d" 1 amd64 '' "$(fixture_rootfs_tar gz)" "$T/big.tar.gz"
reg_push "$d" 1 fault/big:1
rm -f "$T/big.tar.gz"
run burrow pull -q $P "$REG/fault/big:1"
assert_rc 125 "a pull that fills the store fails"
one_line_enospc "pull"
no_partial "pull"

# --- build: COPY of a file bigger than the store
mkdir -p "$T/ctx"
dd if=/dev/urandom of="$T/ctx/blob" bs=1M count=12 2>/dev/null
printf 'FROM %s\nCOPY blob /blob\n' "$IMG" >"$T/ctx/Dockerfile"
run burrow build -q -t local/full:1 "$T/ctx"
assert_rc 125 "a build whose COPY fills the store fails"
one_line_enospc "build COPY"
no_partial "build COPY"

# --- build: a RUN step that fills the store (its upper directory)
printf 'FROM %s\nRUN dd if=/dev/zero of=/zero bs=1M count=12\n' "$IMG" >"$T/ctx/Dockerfile"
rm -f "$T/ctx/blob"
run burrow build -q -t local/full:2 "$T/ctx"
assert_false "a build whose RUN fills the store fails" test "$rc" -eq 0
assert_eq "$(printf '%s\n' "$err" | grep -c '^burrow: error:')" 1 "build RUN: one error line from burrow"
no_partial "build RUN"

# --- and once there is room again, both work
run burrow pull -q $P "$REG/fault/big:1"
assert_rc 125 "the big image still does not fit"
printf 'FROM %s\nRUN echo ok >/ok\n' "$IMG" >"$T/ctx/Dockerfile"
run burrow build -q -t local/small:1 "$T/ctx"
assert_rc 0 "a build that fits works after the failures"
assert_eq "$(burrow run --rm --network none local/small:1 cat /ok)" ok "and its image is whole"
run burrow rmi local/small:1
assert_rc 0 "and is removed"
no_partial "at the end"
done_testing
