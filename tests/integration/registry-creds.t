#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# Credentials stay with their registry: a push whose upload Location names
# another server sends the layers there without the Authorization header;
# a relative Location resolves against the registry and keeps it.  (The
# plain-HTTP realm and Location rules are unit-tested in tests/unit/regurl.c.)
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
. "$(dirname "$0")/../lib/registry.sh"
T=$FIXTURE_DIR
P="--tls-verify=false"
export XDG_RUNTIME_DIR="$T/xdg"
mkdir -p "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

d=$(oci_new)
oci_add "$d" 1 amd64 ',"Cmd":["/bin/sh","-c","echo hello"]' "$(fixture_rootfs_tar gz)"

# the other server first: the registry's upload Location points at it
mkfifo "$T/port" "$T/oport"
perl "$(dirname "$0")/../lib/fakereg.pl" "$d" "$T/oport" 2>"$T/other.log" &
OTHER=$!
trap 'kill $OTHER $FAKE 2>/dev/null; fixture_cleanup' EXIT
read -r oport <"$T/oport"
FAKEREG_OTHER=127.0.0.1:$oport perl "$(dirname "$0")/../lib/fakereg.pl" "$d" "$T/port" 2>"$T/fake.log" &
FAKE=$!
read -r port <"$T/port"
F=127.0.0.1:$port

run burrow pull -q $P "$F/good/x:1"
assert_rc 0 "an image to push"
run_in "s3cret" burrow login $P -u tester --password-stdin "$F"
assert_rc 0 "login to the registry"

run burrow push $P "$F/good/x:1" "$F/leak/x:1"
assert_rc 0 "push with an upload Location on another port"
assert_true "  the registry was asked with the credentials" \
	grep -q "^POST /v2/leak/x/blobs/uploads/ authorization=Basic " "$T/fake.log"
assert_true "  the blobs went to the other server" grep -q "^PUT /v2/leak/x/blobs/uploads/u1?digest=" "$T/other.log"
assert_false "  without the Authorization header" grep -q "authorization=[^n]" "$T/other.log"
assert_true "  the manifest went to the registry" grep -q "^PUT /v2/leak/x/manifests/1 authorization=Basic " "$T/fake.log"

run burrow push $P "$F/good/x:1" "$F/rel/x:1"
assert_rc 0 "push with a relative upload Location"
assert_true "  it resolves against the registry, with the credentials" \
	grep -q "^PUT /v2/rel/x/blobs/uploads/u1?digest=sha256:[0-9a-f]* authorization=Basic " "$T/fake.log"
assert_eq "$(grep -c "/v2/rel/" "$T/other.log")" 0 "  nothing of it reaches the other server"

done_testing
