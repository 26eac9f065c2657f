#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# A misbehaving registry (tests/lib/fakereg.pl): a corrupted blob, a
# truncated blob, malformed, unknown and oversized manifests each give a
# one-line error and leave nothing in the store; the Bearer token flow with
# credentials from login; login/logout and the htpasswd registry.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
. "$(dirname "$0")/../lib/registry.sh"
T=$FIXTURE_DIR
R=$BURROW_ROOT
P="--tls-verify=false"
export XDG_RUNTIME_DIR="$T/xdg"
mkdir -p "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

d=$(oci_new)
oci_add "$d" 1 amd64 ',"Cmd":["/bin/sh","-c","echo hello"]' "$(fixture_rootfs_tar gz)"

mkfifo "$T/port" "$T/stall"
perl "$(dirname "$0")/../lib/fakereg.pl" "$d" "$T/port" "$T/stall" 2>"$T/fake.log" &
FAKE=$!
trap 'kill $FAKE 2>/dev/null; registry_stop; fixture_cleanup' EXIT
read -r port <"$T/port"
F=127.0.0.1:$port

empty_store() {
	n=$(find "$R/layers" "$R/images" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l | tr -d ' ')
	[ "$n" = 0 ] && [ -z "$(store_leftovers)" ]
}

run burrow pull -q $P "$F/good/x:1"
assert_rc 0 "the fake registry serves a good image"
burrow rmi -a -f >/dev/null 2>&1

for fault in corrupt:'digest mismatch' truncated:'truncated' badjson:'malformed manifest' \
	badtype:'unsupported manifest media type' huge:'too large'; do
	name=${fault%%:*} want=${fault#*:}
	run burrow pull -q $P "$F/$name/x:1"
	assert_rc 125 "$name: the pull fails"
	assert_match "$err" "^burrow: error: .*$want" "  $name: says why"
	assert_eq "$(printf '%s\n' "$err" | wc -l | tr -d ' ')" 1 "  $name: in one line"
	assert_true "  $name: no image, layer or temp file is left" empty_store
done

# --- Ctrl-C in the middle of a layer: the blob stalls half-way, then SIGINT
"$BURROW" pull -q $P "$F/stall/x:1" >"$T/int.out" 2>"$T/int.err" &
pid=$!
read -r _ <"$T/stall"
kill -INT $pid
wait $pid
rc=$?
assert_eq "$rc" 125 "Ctrl-C during a pull: exit 125"
assert_match "$(cat "$T/int.err")" 'interrupted' "  says it was interrupted"
assert_true "  no image, layer or temp file is left" empty_store

# --- Bearer tokens
run burrow pull -q $P "$F/bearer/x:1"
assert_rc 125 "bearer: anonymous pull is refused"
assert_match "$err" 'authentication required' "  with the reason"
run_in "wrong" burrow login $P -u tester --password-stdin "$F"
assert_rc 0 "login to the fake registry (open /v2/) stores the credentials"
run burrow pull -q $P "$F/bearer/x:1"
assert_rc 125 "  wrong credentials: the token server refuses"
run_in "s3cret" burrow login $P -u tester --password-stdin "$F"
assert_rc 0 "login again with the right password"
assert_true "  auth.json is in \$XDG_RUNTIME_DIR/containers" grep -q "\"$F\"" "$XDG_RUNTIME_DIR/containers/auth.json"
run burrow pull -q $P "$F/bearer/x:1"
assert_rc 0 "bearer: pull with a token from the token server"
run burrow logout "$F"
assert_rc 0 "logout"
assert_false "  the credentials are gone" grep -q "\"$F\"" "$XDG_RUNTIME_DIR/containers/auth.json"
run burrow logout "$F"
assert_rc 125 "  logging out twice fails"
printf '{"auths":{"%s":{"auth":"%s"}}}' "$F" "$(printf 'tester:s3cret' | base64)" >"$T/docker.json"
burrow rmi -a -f >/dev/null 2>&1
run burrow pull -q $P --authfile "$T/docker.json" "$F/bearer/x:1"
assert_rc 0 "--authfile is read"
mkdir -p "$T/home/.docker"
cp "$T/docker.json" "$T/home/.docker/config.json"
burrow rmi -a -f >/dev/null 2>&1
run env HOME="$T/home" "$BURROW" pull -q $P "$F/bearer/x:1"
# shellcheck disable=SC2088 # a test name, not a path
assert_rc 0 "~/.docker/config.json is read"

# --- docker-registry with htpasswd (Basic auth)
kill $FAKE 2>/dev/null
wait $FAKE 2>/dev/null
registry_start auth
REG_CREDS=$REG_USER:$REG_PASS reg_push "$d" 1 sec/bb:1
run burrow pull -q $P "$REG/sec/bb:1"
assert_rc 125 "htpasswd registry: anonymous pull is refused"
run_in "nope" burrow login $P -u "$REG_USER" --password-stdin "$REG"
assert_rc 125 "  login with a wrong password fails"
assert_match "$err" 'invalid username or password' "  and says so"
run_in "$REG_PASS" burrow login $P -u "$REG_USER" --password-stdin "$REG"
assert_rc 0 "  login"
run burrow pull -q $P "$REG/sec/bb:1"
assert_rc 0 "  pull with the stored credentials"
run burrow push $P "$REG/sec/bb:1" "$REG/sec/copy:1"
assert_rc 0 "  push with them"
run burrow logout -a
assert_rc 0 "logout -a"

done_testing
