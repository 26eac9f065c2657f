#!/bin/sh
# The user-namespace keeper (src/lib/runtime/nskeep.h): containers join one
# kept user namespace instead of writing maps each time; it is checked
# before use and rebuilt when killed, replaced or tampered with, it holds
# nothing of the caller's, goes with its directory or when idle, and
# BURROW_USERNS_KEEP=0 turns it off.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
NAME=$(id -un)
if [ "${BURROW_IDMAP:-}" = single ] || ! grep -q "^$NAME:" /etc/subuid 2>/dev/null; then
	skip_all "the keeper serves the map with a subordinate range only (the single-ID map is forced or $NAME has none)"
fi
unset BURROW_USERNS_KEEP
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
DIR=$BURROW_RUNROOT/userns
keeper() { cut -d' ' -f1 "$DIR/keeper" 2>/dev/null; }
# userns [KEEP]: the user namespace of a container (BURROW_USERNS_KEEP=KEEP)
userns() { env ${1:+BURROW_USERNS_KEEP=$1} "$BURROW" run --rm --network none $IMG readlink /proc/self/ns/user; }

# ---- shared, checked, made once ---------------------------------------------
run userns
assert_rc 0 "a first run makes the keeper"
first=$out
k1=$(keeper)
assert_match "$k1" "^[0-9]+$" "its record names a pid"
assert_eq "$(readlink "/proc/$k1/ns/user")" "$first" "the container is in the keeper's user namespace"
assert_ne "$first" "$(readlink /proc/self/ns/user)" "which is not the caller's"
assert_eq "$(stat -c %a "$DIR")" "700" "the keeper's directory is private (0700)"
run userns
assert_eq "$out" "$first" "a second container joins the same user namespace"
assert_eq "$(keeper)" "$k1" "through the same keeper"
run burrow run --rm $IMG cat /proc/self/uid_map
assert_eq "$(echo "$out" | tr -s ' ' | sed 's/^ //')" "$(tr -s ' ' <"/proc/$k1/uid_map" | sed 's/^ //')" \
	"with the keeper's map (the full one)"
assert_eq "$(cat "/proc/$k1/comm")" "burrow-userns" "the keeper is named burrow-userns"
# in the kept namespace the supervisor starts on the GO it inherits and
# waits for a second one when the CLI has made the directories and /etc
# files beside its start, or (BURROW_PREP_OVERLAP=0) the CLI makes them
# before the clone, or with BURROW_EARLY_GO=0 the supervisor waits for the
# CLI's GO: the same container each way, with the default network too
for o in "1 1 none" "1 0 none" "0 1 none" "1 1 slirp" "1 0 slirp"; do
	set -- $o
	net=--network=none
	[ "$3" = none ] || net=--network=slirp4netns
	run env BURROW_EARLY_GO=$1 BURROW_PREP_OVERLAP=$2 "$BURROW" run --rm --name "early-go-$1-$2-$3" \
		"$net" $IMG \
		sh -c 'readlink /proc/self/ns/user; cat /etc/hostname; grep -c localhost /etc/hosts'
	m="BURROW_EARLY_GO=$1 BURROW_PREP_OVERLAP=$2, network $3"
	assert_rc 0 "$m: the container runs"
	assert_eq "$(echo "$out" | sed -n 1p)" "$first" "$m: in the kept user namespace"
	assert_match "$(echo "$out" | sed -n 2p)" "^[0-9a-f]{12}$" "$m: with its hostname file"
	assert_match "$(echo "$out" | sed -n 3p)" "^[1-9]" "$m: and its hosts file"
done
fds=$(ls -l "/proc/$k1/fd" | awk 'NR > 1 { print $NF }' | sort | uniq -c | tr -s ' ' | sed 's/^ //')
assert_eq "$fds" "3 /dev/null
2 anon_inode:inotify" "it holds /dev/null and its two inotify watches, nothing of the caller's"

# ---- keep-id and a restarted container still work ---------------------------
run burrow run --rm --userns=keep-id $IMG id -u
assert_eq "$out" "$(id -u)" "--userns=keep-id nests its own namespace in the kept one"
run burrow run -d --name kept $IMG sleep 1000
assert_rc 0 "a detached container with the keeper"
run burrow exec kept readlink /proc/self/ns/user
assert_eq "$out" "$first" "exec joins it there"
burrow rm -f kept >/dev/null 2>&1

# ---- killed between runs: rebuilt ---------------------------------------------
kill -9 "$k1"
poll gone "$k1"
run userns
assert_rc 0 "a run after the keeper was killed"
k2=$(keeper)
assert_ne "$k2" "$k1" "made a new keeper"
assert_ne "$out" "$first" "with a new user namespace"
assert_eq "$(readlink "/proc/$k2/ns/user")" "$out" "and used it"

# ---- a record that names another process: not used --------------------------
sleep 1000 &
other=$!
printf '%s %s\n' "$other" "$(cut -d' ' -f22 "/proc/$other/stat")" >"$DIR/keeper"
run userns
assert_rc 0 "a run with a record that names one of the user's own processes"
assert_ne "$out" "$(readlink /proc/self/ns/user)" "is not run in that process's (the host's) user namespace"
k3=$(keeper)
assert_ne "$k3" "$other" "a new keeper replaced it"
assert_eq "$(readlink "/proc/$k3/ns/user")" "$out" "and was used"
kill "$other"
echo "$k3 12345" >"$DIR/keeper"
run userns
assert_rc 0 "a record with the wrong start time (a reused pid)"
assert_ne "$(keeper)" "$k3" "is not trusted: a new keeper"
k4=$(keeper)
assert_true "and the process it named was left alone" test -d "/proc/$k3"
kill -9 "$k3" 2>/dev/null

# ---- off ----------------------------------------------------------------------
a=$(userns 0)
b=$(userns 0)
assert_ne "$a" "$b" "BURROW_USERNS_KEEP=0: a user namespace per container"
assert_ne "$a" "$(readlink "/proc/$k4/ns/user")" "not the kept one"

# ---- gone with its record or directory, or when idle -------------------------
rm -f "$DIR/keeper"
assert_true "removing the record ends the keeper" poll gone "$k4"
run userns
k5=$(keeper)
rm -rf "$DIR"
assert_true "removing its directory ends the keeper" poll gone "$k5"
run userns 1
k6=$(keeper)
assert_match "$k6" "^[0-9]+$" "a keeper with an idle period of 1 s"
assert_true "goes after that idle period" poll gone "$k6"
assert_false "and removes its record" test -e "$DIR/keeper"

# ---- a start whose directories cannot be made -------------------------------
# with the prep overlap they are made after the supervisor's clone: the
# failure still ends the start with 125, and no supervisor or record stays
rr=$(mktemp -d "${TMPDIR:-/tmp}/burrow-rr.XXXXXX")
chmod 0700 "$rr"
: >"$rr/containers" # not a directory: the container's runroot entry fails
records() {
	_n=0
	for _d in "$BURROW_ROOT"/containers/*; do
		_b=${_d##*/}
		[ ${#_b} -eq 64 ] && case $_b in *[!0-9a-f]*) ;; *) _n=$((_n + 1)) ;; esac
	done
	echo "$_n"
}
before=$(records)
for o in 1 0; do
	run env BURROW_RUNROOT="$rr" BURROW_PREP_OVERLAP=$o "$BURROW" run --rm --name "noprep-$o" \
		--network none $IMG true
	assert_rc 125 "BURROW_PREP_OVERLAP=$o: a start whose directories fail fails with 125"
	assert_match "$err" "Not a directory" "  and says why"
	assert_eq "$(records)" "$before" "  and leaves no record"
	# the keeper of $rr was forked from the first of these CLIs: not counted
	kp=$(cut -d' ' -f1 "$rr/userns/keeper" 2>/dev/null)
	assert_eq "$(pgrep -f -- "--name noprep-$o" | grep -vx "${kp:-none}" | wc -l)" "0" "  nor a supervisor"
done
rm -rf "$rr"
[ -n "$kp" ] && assert_true "the keeper of that runroot goes with it" poll gone "$kp"

done_testing
