#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# A store on a network filesystem (NFS, Lustre, GPFS, ...): `info` and the
# first pull say so and name the setting; containers' writable layers and
# the runtime state go to node-local storage.  No test can mount NFS here,
# so the test build's BURROW_TEST_NETFS names the paths to treat as NFS
# (lib/base/netfs.h); the magic-number table itself is the unit test's
# (tests/unit/config.c).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
export BURROW_LOCAL_DIR="$FIXTURE_DIR/local"

# --- a local store: nothing said
run burrow info
assert_no_match "$out" "network filesystem" "a local store: info says nothing about network filesystems"
run burrow info --format json
assert_match "$out" '"networkFilesystem": null' "and its JSON has networkFilesystem null"
export BURROW_TEST_NETFS="$BURROW_ROOT"

# --- info
run burrow info
assert_rc 0 "info with the store on (fake) NFS"
assert_match "$out" "filesystem +nfs" "info names the store's filesystem"
assert_match "$out" "layers +$BURROW_LOCAL_DIR/layers \(node-local" "and where writable layers go instead"
assert_match "$out" "network filesystem" "its check warns"
assert_match "$out" "BURROW_ROOT=/local/path" "and names the setting to change"
run burrow info --format json
assert_match "$out" "\"networkFilesystem\": \"nfs\"" "info --format json: networkFilesystem"
assert_match "$out" "\"writableLayers\": \"$BURROW_LOCAL_DIR/layers\"" "and writableLayers"

# --- writable layers are node-local
run burrow run --name netc $IMG sh -c 'echo data >/written'
assert_rc 0 "a container runs with the store on NFS"
id=$(burrow inspect --format '{{.Id}}' netc)
if [ -f "$BURROW_LOCAL_DIR/layers/$id/upper/written" ]; then
	ok "its writable layer is in the node-local directory"
else
	not_ok "its writable layer is in the node-local directory"
fi
if [ -e "$BURROW_ROOT/containers/$id/upper" ]; then not_ok "and not in the store"; else ok "and not in the store"; fi
run burrow diff netc
assert_match "$out" "A /written" "diff reads the node-local layer"
run burrow start -a netc
assert_rc 0 "the container restarts over the same layer"
run burrow rm netc
assert_rc 0 "rm"
if [ -e "$BURROW_LOCAL_DIR/layers/$id" ]; then not_ok "rm removes the node-local layer"; else ok "rm removes the node-local layer"; fi
run burrow run --rm $IMG sh -c 'echo x >/y'
assert_eq "$(ls "$BURROW_LOCAL_DIR/layers" | wc -l)" "0" "run --rm leaves no node-local layer"

# --- runtime state: a default runroot on NFS moves to node-local storage
mkdir -p "$FIXTURE_DIR/nettmp"
run env -u BURROW_RUNROOT -u XDG_RUNTIME_DIR TMPDIR="$FIXTURE_DIR/nettmp" \
	BURROW_TEST_NETFS="$FIXTURE_DIR/nettmp" "$BURROW" info --format json
assert_match "$out" "\"runroot\": \"$BURROW_LOCAL_DIR/run\"" \
	"a default runroot on a network filesystem moves to node-local storage"
run env -u XDG_RUNTIME_DIR TMPDIR="$FIXTURE_DIR/nettmp" BURROW_TEST_NETFS="$FIXTURE_DIR/nettmp" \
	"$BURROW" info --format json
assert_match "$out" "\"runroot\": \"$BURROW_RUNROOT\"" "an explicit runroot stays where it is set"

# --- the first pull says so, once
if command -v docker-registry >/dev/null && command -v skopeo >/dev/null; then
	. "$(dirname "$0")/../lib/registry.sh"
	registry_start
	d=$(oci_new)
	oci_add "$d" bb amd64 '' "$(fixture_rootfs_tar gz)"
	reg_push "$d" bb test/netfs:1
	run burrow pull -q --tls-verify=false "$REG/test/netfs:1"
	assert_rc 0 "pull into a store on NFS"
	assert_match "$err" "is on nfs, a network filesystem" "the first pull warns"
	assert_match "$err" "BURROW_ROOT=/local/path" "and names the setting"
	assert_eq "$(printf '%s\n' "$err" | grep -c 'network filesystem')" "1" "in one warning"
	run burrow pull -q --tls-verify=false "$REG/test/netfs:1"
	assert_no_match "$err" "network filesystem" "the next pull does not repeat it"
	registry_stop
else
	for _ in 1 2 3 4 5; do skip "no docker-registry or skopeo (tests/lib/deps.sh)"; done
fi

done_testing
