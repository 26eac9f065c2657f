#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# A hostile registry cannot fill the disk: a layer of size 0 in the
# manifest, a blob longer than its size, a gzip bomb over max-layer-size
# and a layer over max-layer-entries each fail in one line, exit 125, and
# leave no image, layer or temp file in the store.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
. "$(dirname "$0")/../lib/registry.sh"
T=$FIXTURE_DIR
R=$BURROW_ROOT
P="--tls-verify=false"
export XDG_CONFIG_HOME="$T/cfg"
mkdir -p "$XDG_CONFIG_HOME/burrow"

d=$(oci_new)
oci_add "$d" 1 amd64 ',"Cmd":["/bin/sh","-c","echo hello"]' "$(fixture_rootfs_tar gz)"
# a gzip bomb: 64 MiB of zeros in a file, about 64 KiB compressed
mkdir -p "$T/bomb"
head -c 67108864 /dev/zero >"$T/bomb/zeros"
tar -C "$T/bomb" -cf - zeros | gzip -n >"$T/bomb.tar.gz"
rm -f "$T/bomb/zeros"
b=$(oci_new)
oci_add "$b" 1 amd64 '' "$T/bomb.tar.gz"

mkfifo "$T/port" "$T/bport"
perl "$(dirname "$0")/../lib/fakereg.pl" "$d" "$T/port" 2>"$T/fake.log" &
FAKE=$!
perl "$(dirname "$0")/../lib/fakereg.pl" "$b" "$T/bport" 2>"$T/bomb.log" &
BOMB=$!
trap 'kill $FAKE $BOMB 2>/dev/null; fixture_cleanup' EXIT
read -r port <"$T/port"
read -r bport <"$T/bport"
F=127.0.0.1:$port B=127.0.0.1:$bport

empty_store() {
	n=$(find "$R/layers" "$R/images" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l | tr -d ' ')
	[ "$n" = 0 ] && [ -z "$(store_leftovers)" ]
}

# fails NAME REF WANT: one line, 125, nothing left
fails() {
	run burrow pull -q $P "$2"
	assert_rc 125 "$1: the pull fails"
	assert_match "$err" "^burrow: error: .*$3" "  $1: says why"
	assert_eq "$(printf '%s\n' "$err" | wc -l | tr -d ' ')" 1 "  $1: in one line"
	assert_true "  $1: no image, layer or temp file is left" empty_store
	burrow rmi -a -f >/dev/null 2>&1
}

fails "a layer of size 0" "$F/zerosize/x:1" 'layer 0 has size 0'
fails "a blob longer than its size" "$F/long/x:1" 'larger than the [0-9]* bytes the manifest says'

printf 'max-layer-size = 8M\n' >"$XDG_CONFIG_HOME/burrow/burrow.conf"
fails "a gzip bomb over max-layer-size" "$B/good/x:1" 'unpacks to more than 8388608 bytes .max-layer-size'
run burrow pull -q $P "$F/good/x:1"
assert_rc 0 "a normal image under the limit is pulled"
burrow rmi -a -f >/dev/null 2>&1

printf 'max-layer-entries = 5\n' >"$XDG_CONFIG_HOME/burrow/burrow.conf"
fails "a layer over max-layer-entries" "$F/good/x:1" 'more than 5 entries .max-layer-entries'

printf 'max-layer-size = 1K\n' >"$XDG_CONFIG_HOME/burrow/burrow.conf"
fails "a blob whose declared size is over max-layer-size" "$F/good/x:1" 'more than the 1024 bytes a layer may take'

printf 'max-layer-size = lots\n' >"$XDG_CONFIG_HOME/burrow/burrow.conf"
run burrow pull -q $P "$F/good/x:1"
assert_rc 125 "a bad max-layer-size is refused"
assert_match "$err" 'max-layer-size must be a size' "  and says what it wants"

rm -f "$XDG_CONFIG_HOME/burrow/burrow.conf"
run burrow pull -q $P "$B/good/x:1"
assert_rc 0 "the same bomb is within the default limit"
assert_true "  and unpacked" test "$(burrow images -q | wc -l)" -eq 1

done_testing
