#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# Images from a real registry (Debian's docker-registry on 127.0.0.1): OCI
# and Docker schema2, a multi-arch index, zstd, a multi-layer image with
# whiteouts and an opaque directory, shared layers, concurrent pulls, tag /
# untag / history / inspect / prune, and the round trips
# save -> rmi -> load -> run and push -> rmi -> pull -> run.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
. "$(dirname "$0")/../lib/registry.sh"
registry_start
T=$FIXTURE_DIR
R=$BURROW_ROOT
P="--tls-verify=false"

nlayers() { find "$R/layers" -mindepth 1 -maxdepth 1 ! -name '.*' | wc -l | tr -d ' '; }

# --- fixtures
bb=$(fixture_rootfs_tar gz)
bbz=$(fixture_rootfs_tar zst)
mkdir -p "$T/l1/etc/keep" "$T/l1/etc/gone" "$T/l1/opq" "$T/l2/opq" "$T/a" "$T/b"
echo base >"$T/l1/etc/file-to-delete"
echo keep >"$T/l1/etc/keep/x"
echo old >"$T/l1/opq/old"
echo new >"$T/l2/opq/new"
: >"$T/l2/.wh.etc-placeholder"
touch "$T/l2/opq/.wh..wh..opq"
mkdir -p "$T/l2/etc"
: >"$T/l2/etc/.wh.file-to-delete"
: >"$T/l2/etc/.wh.gone"
rm -f "$T/l2/.wh.etc-placeholder"
tar -C "$T/l1" --numeric-owner --owner=0 --group=0 -czf "$T/l1.tar.gz" .
tar -C "$T/l2" --numeric-owner --owner=0 --group=0 -czf "$T/l2.tar.gz" .
echo amd64 >"$T/a/arch"
echo arm64 >"$T/b/arch"
tar -C "$T/a" -cf "$T/a.tar" .
tar -C "$T/b" -cf "$T/b.tar" .

d=$(oci_new)
oci_add "$d" oci amd64 ',"Cmd":["/bin/sh","-c","echo hello from oci"]' "$bb"
oci_add "$d" zst amd64 '' "$bbz"
oci_add "$d" layered amd64 '' "$bb" "$T/l1.tar.gz" "$T/l2.tar.gz"
oci_add_index "$d" multi "amd64:$T/a.tar" "arm64:$T/b.tar"
reg_push "$d" oci test/busybox:oci
reg_push "$d" oci test/busybox:v2s2 --format v2s2
reg_push "$d" zst test/busybox:zst
reg_push "$d" layered test/layered:1
reg_push "$d" multi test/multi:1 --all

# --- OCI manifest, pull and run
run burrow pull $P "$REG/test/busybox:oci"
assert_rc 0 "pull an OCI image"
assert_match "$out" '^[0-9a-f]{64}$' "  prints the image id on stdout"
assert_match "$err" 'Copying blob' "  progress lines on stderr when not a tty"
run burrow run --rm "$REG/test/busybox:oci"
assert_eq "$out" "hello from oci" "  runs with the image's Cmd"
assert_eq "$(store_leftovers)" "" "  no scratch or lock files are left"

run burrow pull -q $P "$REG/test/busybox:v2s2"
assert_rc 0 "pull a Docker schema2 image"
assert_match "$out" '^[0-9a-f]{64}$' "  -q prints only the id"
assert_eq "$err" "" "  -q prints no progress"
assert_eq "$(nlayers)" 1 "  the OCI and the schema2 image share one layer"

run burrow pull -q $P "$REG/test/busybox:zst"
assert_rc 0 "pull an image with a zstd layer"
run burrow run --rm "$REG/test/busybox:zst" /bin/busybox true
assert_rc 0 "  it runs"

# --- platforms
run burrow pull -q $P "$REG/test/multi:1"
assert_rc 0 "pull a multi-arch index"
run burrow run --rm "$REG/test/multi:1" /bin/cat /arch 2>/dev/null
run burrow image inspect "$REG/test/multi:1"
assert_match "$out" '"Architecture": "amd64"' "  the host's (amd64) entry is chosen"
run burrow pull -q $P --arch arm64 "$REG/test/multi:1"
assert_rc 0 "pull --arch arm64"
run burrow image inspect "$REG/test/multi:1"
assert_match "$out" '"Architecture": "arm64"' "  the arm64 entry is chosen"
run burrow pull -q $P --platform linux/s390x "$REG/test/multi:1"
assert_rc 125 "a platform the index lacks fails"
assert_match "$err" 'linux/s390x.*linux/amd64, linux/arm64' "  the error lists what the index offers"
run burrow pull $P --platform 'bad//x' "$REG/test/multi:1"
assert_rc 125 "a malformed --platform is refused"

# --- multi-layer, whiteouts, opaque directory, kernel and fuse overlay
run burrow pull -q $P "$REG/test/layered:1"
assert_rc 0 "pull a three-layer image"
run burrow run --rm "$REG/test/layered:1" /bin/sh -c 'ls /etc/file-to-delete /etc/gone 2>&1; cat /etc/keep/x; ls /opq'
assert_no_match "$out" '^/etc/file-to-delete$' "  a whited-out file is gone"
assert_match "$out" 'keep' "  files next to it stay"
assert_eq "$(printf '%s\n' "$out" | tail -n 1)" "new" "  the opaque directory hides the lower layer's content"
run burrow system check
assert_rc 0 "  system check finds every layer's files as recorded (tree digests taken while unpacking)"
for ov in fuse kernel; do
	if [ $ov = fuse ] && ! command -v fuse-overlayfs >/dev/null; then
		skip "fuse-overlayfs is not installed"
		continue
	fi
	run env BURROW_OVERLAY=$ov "$BURROW" run --rm "$REG/test/layered:1" /bin/sh -c \
		'test ! -e /etc/file-to-delete && test ! -e /etc/gone && test ! -e /opq/old && cat /opq/new'
	assert_eq "$out" "new" "  whiteouts and the opaque dir work with BURROW_OVERLAY=$ov"
done
run burrow history "$REG/test/layered:1"
assert_rc 0 "history"
assert_match "$out" 'burrow test fixture' "  shows the created-by steps"

# --- names
run burrow tag "$REG/test/busybox:oci" mine:1 other/name:2
assert_rc 0 "tag adds names"
run burrow images --format json
assert_match "$out" '"localhost/mine:1"' "  localhost/ is the default registry for tags"
run burrow images --digests
assert_match "$out" 'DIGEST' "images --digests shows a digest column"
assert_match "$out" 'sha256:[0-9a-f]{64}' "  with the manifest digest"
run burrow untag "$REG/test/busybox:oci" other/name:2
assert_rc 0 "untag one name"
run burrow image inspect mine:1
assert_match "$out" '"RepoDigests": \[' "image inspect prints RepoDigests"
run burrow image ls -q
assert_rc 0 "image ls runs images"
run burrow image nosuch
assert_rc 125 "an unknown image subcommand exits 125"

# --- concurrent pulls of the same image: both succeed, one download
run burrow rmi -a -f
"$BURROW" pull -q $P "$REG/test/layered:1" >"$T/p1" 2>"$T/e1" &
p1=$!
"$BURROW" pull -q $P "$REG/test/layered:1" >"$T/p2" 2>"$T/e2"
r2=$?
wait $p1
r1=$?
assert_eq "$r1 $r2" "0 0" "two concurrent pulls of one image both succeed"
assert_eq "$(cat "$T/p1")" "$(cat "$T/p2")" "  and agree on the id"
assert_eq "$(nlayers)" 3 "  the layers are there once"
assert_eq "$(store_leftovers)" "" "  nothing is left over"

# --- prune
burrow untag "$REG/test/layered:1" >/dev/null 2>&1
run burrow image prune
assert_rc 0 "image prune"
assert_match "$out" '^[0-9a-f]{64}$' "  removes the unnamed image"
assert_eq "$(nlayers)" 0 "  and its layers"

# --- save -> rmi -> load -> run
burrow pull -q $P "$REG/test/busybox:oci" >/dev/null
for f in docker-archive oci-archive; do
	run burrow save -o "$T/img.$f.tar" --format $f "$REG/test/busybox:oci"
	assert_rc 0 "save --format $f"
	burrow rmi -a -f >/dev/null 2>&1
	run burrow load -i "$T/img.$f.tar"
	assert_rc 0 "  load it back"
	assert_match "$out" "Loaded image: $REG/test/busybox:oci" "  under its name"
	run burrow run --rm "$REG/test/busybox:oci"
	assert_eq "$out" "hello from oci" "  and it runs"
done
run burrow load -i "$d"
assert_rc 0 "load an OCI layout directory"
run burrow load -i /etc/passwd
assert_rc 125 "loading something else fails"
assert_eq "$(store_leftovers)" "" "  and leaves nothing behind"

# --- push -> rmi -> pull -> run
run burrow push $P "$REG/test/busybox:oci" "$REG/pushed/bb:1"
assert_rc 0 "push to the registry"
run burrow push $P "$REG/test/busybox:oci" "$REG/pushed/bb:1"
assert_match "$err" 'skipped: already exists' "  a second push finds the blobs there (HEAD)"
burrow rmi -a -f >/dev/null 2>&1
run burrow pull -q $P "$REG/pushed/bb:1"
assert_rc 0 "  pull it back"
run burrow run --rm "$REG/pushed/bb:1"
assert_eq "$out" "hello from oci" "  and it runs"
run burrow push $P "$REG/pushed/bb:1" "$REG/other/bb:1"
assert_rc 0 "push to another repository (cross-repo mount)"
run burrow push "$REG/pushed/bb:1" "nodomain"
assert_rc 125 "push needs a qualified destination"

# --- run and create pull what they need (--pull=missing|always|never)
burrow rmi -a -f >/dev/null 2>&1
run burrow run --rm --pull=never "$REG/pushed/bb:1"
assert_rc 125 "run --pull=never does not pull"
assert_match "$err" "not known" "  and says the image is not known"
run burrow run --rm "$REG/pushed/bb:1"
assert_rc 125 "run pulls over HTTPS by default (plain-HTTP registry: fails)"
run burrow run --rm --tls-verify=false "$REG/pushed/bb:1"
assert_eq "$out" "hello from oci" "run pulls a missing image (--pull=missing) and runs it"
n=$(nlayers)
run burrow run --rm --pull=always --tls-verify=false "$REG/pushed/bb:1"
assert_eq "$out" "hello from oci" "run --pull=always pulls again and runs"
assert_eq "$(nlayers)" "$n" "  without storing the layer twice"
run burrow create --pull=bogus "$REG/pushed/bb:1"
assert_rc 125 "an unknown --pull policy fails with 125"

# --- the image's HEALTHCHECK is what run uses unless flags say otherwise
hd=$(oci_new)
oci_add "$hd" hc amd64 ',"Cmd":["sleep","1000"],"Healthcheck":{"Test":["CMD-SHELL","test -f /ready"],"Interval":200000000,"Retries":1}' "$bb"
run burrow load -i "$hd"
img=$(printf '%s\n' "$out" | sed -n 's/^Loaded image: //p' | head -n1)
assert_ne "$img" "" "an image with a HEALTHCHECK loads"
burrow run -d --name hcimg "$img" >/dev/null
hs() { burrow inspect --format '{{.State.Health.Status}}' "$1" 2>/dev/null; }
health_is() { [ "$(hs "$1")" = "$2" ]; }
poll health_is hcimg unhealthy
assert_eq "$(hs hcimg)" unhealthy "  the image's healthcheck runs (unhealthy without /ready)"
burrow exec hcimg touch /ready
poll health_is hcimg healthy
assert_eq "$(hs hcimg)" healthy "  and turns healthy"
burrow run -d --name nohc --no-healthcheck "$img" >/dev/null
assert_no_match "$(hs nohc)" "healthy|starting" "  --no-healthcheck turns it off"
burrow rm -f hcimg nohc >/dev/null 2>&1

# --- errors
run burrow pull $P "$REG/test/nosuch:1"
assert_rc 125 "pulling a missing image fails"
assert_match "$err" '^burrow: error: .*(manifest unknown|not known|not found)' "  with a one-line reason"
run burrow pull "$REG/test/busybox:oci"
assert_rc 125 "HTTPS is the default: a plain-HTTP registry fails without --tls-verify=false"
run burrow pull $P 'Bad/Name'
assert_rc 125 "a bad reference is refused"
assert_eq "$(printf '%s\n' "$err" | wc -l | tr -d ' ')" 1 "  with one line"

# a config whose diff id is not the layer's: checked by the fetching
# process, which decompresses the layer (the default), or by the extractor
OCI_FAKE_DIFF=$(printf '%064d' 7) oci_add "$d" baddiff amd64 '' "$bb"
reg_push "$d" baddiff test/baddiff:1
for mode in BURROW_PULL_DIFF_ID=fetcher BURROW_PULL_DIFF_ID=extractor BURROW_PULL_DECOMPRESS=extractor; do
	run env "$mode" "$BURROW" pull -q $P "$REG/test/baddiff:1"
	assert_rc 125 "a wrong diff id fails the pull ($mode)"
	assert_match "$err" "^burrow: error: .*the unpacked content has diff id sha256:[0-9a-f]{64}, the config says sha256:0{63}7\$" \
		"  says why"
	assert_eq "$(printf '%s\n' "$err" | wc -l | tr -d ' ')" 1 "  in one line"
	assert_eq "$(store_leftovers)" "" "  leaves nothing behind"
done

done_testing
