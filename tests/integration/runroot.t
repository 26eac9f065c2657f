#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# The runroot (/tmp/burrow-UID on machines without XDG_RUNTIME_DIR) cannot
# be squatted.  Set explicitly, a symlink, a directory with a loose mode or
# one another user owns is refused by every command (login too) with the
# fix, and nothing is written into it.  The default name in TMPDIR, taken,
# gives way to a private mkdtemp directory that every later command uses,
# with a warning: pull, run and login work, and nothing goes into the taken
# one.  An XDG_RUNTIME_DIR that is not private is not used for auth.json,
# neither written nor read.  The other user's directories (owned by
# $BURROW_TEST_USER2) are made by the root setup (tests/lib/squat-setup.sh);
# without them those cases skip.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
. "$(dirname "$0")/../lib/registry.sh"
T=$FIXTURE_DIR
P="--tls-verify=false"
unset XDG_RUNTIME_DIR REGISTRY_AUTH_FILE
export HOME="$T/home"
mkdir -p "$HOME"

d=$(oci_new)
oci_add "$d" 1 amd64 ',"Cmd":["/bin/sh","-c","echo hello"]' "$(fixture_rootfs_tar gz)"
mkfifo "$T/port"
perl "$(dirname "$0")/../lib/fakereg.pl" "$d" "$T/port" 2>"$T/fake.log" &
FAKE=$!
trap 'kill $FAKE 2>/dev/null; fixture_cleanup' EXIT
read -r port <"$T/port"
F=127.0.0.1:$port

with_runroot() { _rr=$1; shift; env BURROW_RUNROOT="$_rr" "$BURROW" "$@"; }

# refused RUNROOT WHY NAME: ps, images, pull and login all fail, nothing is written
refused() {
	for cmd in ps images "pull -q $P $F/good/x:1"; do
		# shellcheck disable=SC2086 # cmd is split on purpose
		run with_runroot "$1" $cmd
		assert_rc 125 "$3: burrow ${cmd%% *} is refused"
		assert_match "$err" "^burrow: error: runroot $1 is not safe to use: .*$2" "  and says why"
	done
	run_in "s3cret" with_runroot "$1" login $P -u tester --password-stdin "$F"
	assert_rc 125 "$3: burrow login is refused"
	assert_false "  no auth.json is written into it" test -e "$1/containers/auth.json"
	run with_runroot "$1" info
	assert_match "$out$err" "runroot $1 is not safe to use" "  burrow info reports it"
}

mkdir -m 0700 "$T/mine"
ln -s "$T/mine" "$T/link"
refused "$T/link" 'symbolic link' "a symlink to a directory of one's own"
assert_eq "$(find "$T/mine" -mindepth 1 | wc -l | tr -d ' ')" 0 "  nothing is written through the link"

mkdir "$T/loose"
chmod 0777 "$T/loose"
refused "$T/loose" 'mode 0777, not 0700.*chmod 0700' "a directory of one's own at mode 0777"
chmod 0755 "$T/loose"
run with_runroot "$T/loose" ps
assert_rc 125 "mode 0755 is refused too"

SQ=/tmp/burrow-squat-$(id -u)
if [ -d "$SQ" ] && [ ! -L "$SQ" ] && [ "$(stat -c %u "$SQ")" != "$(id -u)" ] && [ -w "$SQ" ]; then
	rm -rf "$SQ/containers" 2>/dev/null
	refused "$SQ" "owned by uid $(stat -c %u "$SQ"), not by you" "another user's 0777 directory"
	run_in "s3cret" env XDG_RUNTIME_DIR="$SQ" "$BURROW" login $P -u tester --password-stdin "$F"
	assert_rc 0 "XDG_RUNTIME_DIR is another user's directory: login works"
	assert_match "$err" "not using XDG_RUNTIME_DIR=$SQ for auth.json: it is owned by uid" "  with a warning"
	assert_false "  and writes nothing there" test -e "$SQ/containers/auth.json"
	rm -rf "$SQ/containers" 2>/dev/null
	"$BURROW" logout -a >/dev/null 2>&1
else
	skip "another user's directory: no $SQ owned by another user (run the suite as root: tests/lib/squat-setup.sh)"
fi

# a world-writable XDG_RUNTIME_DIR: auth.json goes to the runroot instead,
# and one planted there is not read
mkdir "$T/xdg"
chmod 0777 "$T/xdg"
run_in "s3cret" env XDG_RUNTIME_DIR="$T/xdg" "$BURROW" login $P -u tester --password-stdin "$F"
assert_rc 0 "a world-writable XDG_RUNTIME_DIR: login works"
assert_match "$err" "not using XDG_RUNTIME_DIR=$T/xdg for auth.json: it has mode 0777" "  with a warning"
assert_false "  auth.json is not written there" test -e "$T/xdg/containers/auth.json"
assert_true "  but in the runroot" grep -q "\"$F\"" "$BURROW_RUNROOT/containers/auth.json"
"$BURROW" logout -a >/dev/null 2>&1
mkdir -p "$T/xdg/containers"
printf '{"auths":{"%s":{"auth":"%s"}}}' "$F" "$(printf 'tester:s3cret' | base64)" >"$T/xdg/containers/auth.json"
run env XDG_RUNTIME_DIR="$T/xdg" "$BURROW" pull -q $P "$F/bearer/x:1"
assert_rc 125 "credentials planted in it are not used"
assert_match "$err" 'authentication required' "  the registry asks for them"
chmod 0700 "$T/xdg"
run env XDG_RUNTIME_DIR="$T/xdg" "$BURROW" pull -q $P "$F/bearer/x:1"
assert_rc 0 "the same file in a private XDG_RUNTIME_DIR is used"

# the default name in TMPDIR is taken: a private directory beside it
UID_=$(id -u)
mkdir -m 1777 "$T/tmp"
ln -s "$T/mine" "$T/tmp/burrow-$UID_"
dflt() { env -u BURROW_RUNROOT TMPDIR="$T/tmp" "$BURROW" "$@"; }
run dflt ps
assert_rc 0 "the default runroot is a symlink: burrow ps works"
assert_match "$err" "runroot $T/tmp/burrow-$UID_ is not safe to use: it is a symbolic link.*using the private $T/tmp/burrow-$UID_\.[A-Za-z0-9]{6} instead" "  with a warning naming the private one"
moved=$(cat "$BURROW_ROOT/runroot-moved")
assert_eq "$(stat -c %a "$moved")" 700 "  which is made at mode 0700"
run dflt images
assert_rc 0 "  the next command"
assert_match "$err" "using the private $moved instead" "  uses the same one"
run dflt info
assert_match "$out" "runroot +$moved" "  burrow info shows it"
assert_match "$out$err" "warn +runroot +the default runroot $T/tmp/burrow-$UID_ is not safe to use" "  and warns"
assert_eq "$(find "$T/mine" -mindepth 1 | wc -l | tr -d ' ')" 0 "  nothing is written through the link"

ST=/tmp/burrow-squat-tmp-$UID_
if [ -d "$ST/burrow-$UID_" ] && [ "$(stat -c %u "$ST/burrow-$UID_")" != "$UID_" ]; then
	sq() { env -u BURROW_RUNROOT TMPDIR="$ST" BURROW_ROOT="$T/root2" "$BURROW" "$@"; }
	run sq pull -q $P "$F/good/x:1"
	assert_rc 0 "the default runroot is another user's 0777 directory: pull works"
	assert_match "$err" "runroot $ST/burrow-$UID_ is not safe to use: it is owned by uid" "  with a warning"
	run sq run --rm "$F/good/x:1" echo ran
	assert_eq "$rc:$out" "0:ran" "  run works"
	run_in "s3cret" sq login $P -u tester --password-stdin "$F"
	assert_rc 0 "  login works"
	moved=$(cat "$T/root2/runroot-moved")
	assert_true "  auth.json is in the private runroot" grep -q "\"$F\"" "$moved/containers/auth.json"
	assert_eq "$(find "$ST/burrow-$UID_" -mindepth 1 | wc -l | tr -d ' ')" 0 "  nothing is written into the squatted one"
	sq logout -a >/dev/null 2>&1
	sq rmi -a -f >/dev/null 2>&1
	env BURROW_ROOT="$T/root2" "$BURROW" unshare rm -rf "$T/root2" >/dev/null 2>&1
	rm -rf "$moved"
else
	skip "the default runroot squatted by another user: no $ST/burrow-$UID_ owned by another user (run the suite as root: tests/lib/squat-setup.sh)"
fi

# the ordinary cases still work
run with_runroot "$T/fresh/run" ps
assert_rc 0 "a runroot that does not exist yet is fine"
run with_runroot "$T/fresh/run" images
assert_rc 0 "  and is made at mode 0700"
assert_eq "$(stat -c %a "$T/fresh/run")" 700 "  (mode $(stat -c %a "$T/fresh/run"))"

done_testing
