#!/bin/sh
# Both overlay paths, copy-on-write, whiteouts of deleted files.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1

layer_sum() { (cd "$BURROW_ROOT/layers" && find . -path '*/diff/*' \( -type f -o -type l \) -print | sort | xargs -r md5sum 2>/dev/null | md5sum); }

for mode in kernel fuse; do
	if [ $mode = fuse ] && { ! command -v fuse-overlayfs >/dev/null || [ ! -w /dev/fuse ]; }; then
		skip "fuse-overlayfs or a writable /dev/fuse is missing"
		continue
	fi
	export BURROW_OVERLAY=$mode
	before=$(layer_sum)
	run burrow run --rm $IMG sh -c 'mount | head -n1'
	if [ $mode = kernel ]; then
		assert_match "$out" "^overlay on / type overlay .*userxattr" "$mode: the root is a kernel overlay with userxattr"
	else
		assert_match "$out" "on / type fuse.fuse-overlayfs" "$mode: the root is fuse-overlayfs"
	fi
	run burrow run --name "cow-$mode" $IMG sh -c 'echo changed > /etc/passwd; rm /bin/ls; mkdir -p /new/dir; echo n > /new/dir/f; rm -r /root; cat /etc/passwd; test -e /bin/ls || echo ls-gone'
	assert_eq "$out" "changed
ls-gone" "$mode: the container sees its own writes and deletions"
	assert_eq "$(layer_sum)" "$before" "$mode: the image layer is untouched"
	upper=$(dirname "$(grep -lE "\"name\": ?\"cow-$mode\"" "$BURROW_ROOT"/containers/*/config.json)")/upper
	assert_true "$mode: the change is in the container's upper layer" test -f "$upper/new/dir/f"
	assert_true "$mode: a deletion is a whiteout in the upper layer" test -c "$upper/bin/ls"
	run burrow run --rm $IMG sh -c 'head -n1 /etc/passwd; test -x /bin/ls && echo ls-present'
	assert_eq "$out" "root:x:0:0:root:/root:/bin/sh
ls-present" "$mode: a new container starts from the unchanged image"
	assert_eq "$(pgrep -u "$(id -u)" -c fuse-overlayfs)" "0" "$mode: no fuse-overlayfs process is left"
done

unset BURROW_OVERLAY
run env BURROW_OVERLAY=bogus "$BURROW" run --rm $IMG true
assert_rc 125 "an unknown BURROW_OVERLAY value fails with 125"
done_testing
