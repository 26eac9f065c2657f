#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# burrow build in the other modes: the single-ID map (root emulation for RUN,
# on by default, --userns-emulation=off) and fuse-overlayfs (whiteouts and
# opaque directories of its upper directory become proper layer entries).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
T=$FIXTURE_DIR
fixture_image busybox
mkdir -p "$T/ctx"

# --- single-ID map
printf 'FROM busybox\nRUN chown 1000:1000 /tmp && echo chowned\n' >"$T/ctx/Dockerfile"
run env BURROW_IDMAP=single "$BURROW" build -t emu:1 "$T/ctx"
assert_rc 0 "single-ID map: RUN chown succeeds under root emulation"
assert_match "$out" '^chowned$' "  the command went on"
run env BURROW_IDMAP=single "$BURROW" build --no-cache --userns-emulation=off "$T/ctx"
assert_rc 125 "--userns-emulation=off: the chown fails"
assert_match "$err" 'exit status 1' "  and the step reports its exit status"
run "$BURROW" build --userns-emulation=maybe "$T/ctx"
assert_rc 125 "a bad --userns-emulation value fails"

# --- fuse-overlayfs
if ! command -v fuse-overlayfs >/dev/null || [ ! -w /dev/fuse ]; then
	skip "fuse-overlayfs or a writable /dev/fuse is missing"
else
	cat >"$T/ctx/Dockerfile" <<'DOCKERFILE'
FROM busybox
RUN mkdir -p /d && echo 1 > /d/f && echo 1 > /d/f2
RUN rm /bin/vi && rm -rf /d && mkdir /d && echo 2 > /d/g
DOCKERFILE
	run env BURROW_OVERLAY=fuse "$BURROW" build -t fz:1 "$T/ctx"
	assert_rc 0 "fuse-overlayfs: build"
	run burrow run --rm fz:1 sh -c 'ls /bin/vi 2>&1; ls /d'
	assert_eq "$out" "ls: /bin/vi: No such file or directory
g" "  a deleted file and a replaced directory are right in the image"
fi

done_testing
