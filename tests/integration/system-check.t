#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# burrow system check [--repair]: a clean store checks clean; a corrupt
# layer file, a deleted layer, a dangling name, an orphan layer, a container
# whose image is gone and a record whose supervisor was SIGKILLed are each
# found, repaired with --repair (--force for what a container uses), and
# the store checks clean after.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
R=$BURROW_ROOT

# the only layer (chain id, hex) and the only image (id) of the store
only_layer() { find "$R/layers" -mindepth 1 -maxdepth 1 -type d -regextype posix-extended -regex '.*/[0-9a-f]{64}' -printf '%f\n'; }
only_image() { ls "$R/images" | sed -n 's/^\([0-9a-f]\{64\}\)\.json$/\1/p'; }
short() { printf %.12s "$1"; }
clean() { # DESC
	run burrow system check
	assert_rc 0 "$1: check exits 0"
	assert_eq "$out" "" "$1: and reports nothing"
}

clean "a fresh store"
run burrow system check --quick
assert_rc 0 "check --quick of a fresh store exits 0"

# --- a layer file changed; a container uses the image ------------------------
lid=$(only_layer)
assert_match "$lid" '^[0-9a-f]{64}$' "the image's layer ($lid)"
assert_match "$(cat "$R/layers/$lid/meta.json")" '"tree_digest": *"sha256:[0-9a-f]{64}"' "the layer records its tree digest"
iid=$(only_image)
run burrow create --name user1 $IMG true
assert_rc 0 "a container of the image"
cid=$out
f=$(find "$R/layers/$lid/diff" -type f | head -n 1)
burrow unshare sh -c "printf x >>'$f'"
run burrow system check --quick
assert_rc 0 "check --quick does not read the files: nothing found"
run burrow system check
assert_rc 1 "a changed layer file: check exits 1"
assert_match "$out" "^layer $(short "$lid"): its files differ from its record" "the corrupt layer is reported"
assert_match "$out" "image $(short "$iid"): damaged: layer $(short "$lid")" "the image using it is damaged"
run burrow system check --repair
assert_rc 1 "--repair without --force leaves an image a container uses: exit 1"
assert_match "$out" "image $(short "$iid"): damaged: .*; left: used by container $(short "$cid") \(--force removes them too\)" \
	"and says so"
assert_match "$out" "layer $(short "$lid"): .*; left: image $(short "$iid") still uses it" "the layer stays with it"
run burrow image inspect $IMG
assert_rc 0 "the image is still there"
run burrow system check --force
assert_rc 125 "--force without --repair is a usage error"
run burrow system check --repair --force
assert_rc 0 "--repair --force fixes everything: exit 0"
assert_match "$out" "image $(short "$iid"): damaged: .*; removed, with container $(short "$cid")" \
	"the image and its container are removed"
assert_match "$out" "layer $(short "$lid"): .*; removed with the images that use it" "and the layer"
run burrow image exists $IMG
assert_rc 1 "the image is gone"
run burrow ps -a -q
assert_eq "$out" "" "the container is gone"
assert_true "the layer directory is gone" test ! -e "$R/layers/$lid"
clean "after --repair --force"

# --- a layer directory deleted ------------------------------------------------
fixture_image $IMG
lid=$(only_layer)
iid=$(only_image)
burrow unshare rm -rf "$R/layers/$lid"
run burrow system check
assert_rc 1 "a deleted layer: check exits 1"
assert_match "$out" "image $(short "$iid"): damaged: layer $(short "$lid") is missing" "the image is damaged"
run burrow system check --repair
assert_rc 0 "--repair removes the unused damaged image"
assert_match "$out" "image $(short "$iid"): .*; removed" "and says so"
run burrow images -q
assert_eq "$out" "" "no image is left"
clean "after the missing layer's repair"

# --- a dangling name, an orphan layer ------------------------------------------
fixture_image $IMG
ghost=$(printf '%064d' 0)
perl -MJSON::PP -e 'my $f = shift; open my $h, "<", $f or die; local $/; my $j = decode_json(<$h>);
	$j->{"localhost/ghost:1"} = shift; open $h, ">", $f or die; print $h encode_json($j)' "$R/names.json" "$ghost"
orphan=$(printf '%064d' 1 | tr 0 a)
mkdir -p "$R/layers/$orphan/diff"
printf '{"diff_id":"sha256:%s","chain_id":"sha256:%s","size":0}' "$orphan" "$orphan" >"$R/layers/$orphan/meta.json"
run burrow system check
assert_rc 1 "a dangling name and an orphan layer: check exits 1"
assert_match "$out" "^name localhost/ghost:1: points at image 000000000000, which does not exist$" "the dangling name is reported"
assert_match "$out" "^layer $(short "$orphan"): no image uses it$" "the orphan layer is reported"
assert_eq "$(printf '%s\n' "$out" | grep -c .)" 2 "and nothing else"
run burrow system check --max 1h
assert_no_match "$out" "no image uses it" "--max 1h leaves the new orphan layer alone"
run burrow system check --repair
assert_rc 0 "--repair fixes both"
assert_match "$out" "name localhost/ghost:1: .*; removed" "the name is removed"
assert_match "$out" "layer $(short "$orphan"): no image uses it; removed" "the orphan layer is removed"
assert_true "the orphan layer directory is gone" test ! -e "$R/layers/$orphan"
run burrow image inspect $IMG
assert_rc 0 "the sound image stays"
clean "after the name and layer repairs"

# --- a container whose image is gone ---------------------------------------------
run burrow create --name lost $IMG true
cid=$out
run burrow rmi -f $IMG
assert_rc 0 "rmi -f removes the image a container uses"
run burrow system check
assert_rc 1 "a container without its image: check exits 1"
assert_match "$out" "container $(short "$cid") \(lost\): its image [0-9a-f]{12} does not exist" "it is reported"
run burrow system check --repair
assert_rc 1 "--repair alone leaves it"
assert_match "$out" "; left: its image is gone \(--force removes it\)" "and says why"
run burrow system check --repair --force
assert_rc 0 "--repair --force removes it"
assert_match "$out" "; removed container $(short "$cid")" "and says so"
clean "after the lost container's repair"

# --- a supervisor killed with SIGKILL --------------------------------------------
fixture_image $IMG
run burrow run -d --name victim $IMG sleep 1000
assert_rc 0 "a detached container"
cid=$out
mon=$(burrow inspect --format '{{.State.ConmonPid}}' victim)
kill -9 "$mon"
poll gone "$mon"
run burrow system check
assert_rc 1 "a dead supervisor: check exits 1"
assert_match "$out" "^container $(short "$cid") \(victim\): the record says running, but its supervisor \(pid $mon\) is gone$" \
	"the record is reported"
run burrow system check --repair
assert_rc 0 "--repair fixes it"
assert_match "$out" "; marked exited$" "by marking it exited"
run burrow inspect --format '{{.State.Status}}' victim
assert_eq "$out" exited "the record says exited"
clean "after the dead supervisor's repair"
run burrow rm victim
assert_rc 0 "the repaired container is removed normally"

# --- usage -------------------------------------------------------------------------
run burrow system check extra
assert_rc 125 "an extra argument is a usage error"
run burrow system prune --repair
assert_rc 125 "check's flags are refused for prune"
done_testing
