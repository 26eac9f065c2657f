#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# burrow events: written by whichever process acts, read back with
# --since, --until, --filter, --format and --stream, and followed.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
tmp="$FIXTURE_DIR/tmp"
mkdir -p "$tmp"
follower=
trap 'test -n "$follower" && kill "$follower" 2>/dev/null; fixture_cleanup' EXIT

start=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
run burrow run --name ev1 -l team=a $IMG sh -c 'exit 3'
assert_rc 3 "a container that exits 3"
run burrow events --stream=false --since "$start" --filter container=ev1 --format '{{.Status}}'
assert_eq "$(echo "$out" | tr '\n' ' ')" "create start died " "create, start and died, in order"
run burrow events --stream=false --since "$start" --filter event=died --format json
assert_match "$out" '"ContainerExitCode":3' "died carries the exit code"
assert_match "$out" '"Name":"ev1"' "and the name"
assert_match "$out" '"Attributes":\{"team":"a"\}' "and the labels"
assert_match "$out" '"Type":"container"' "and the type"
run burrow events --stream=false --since "$start" --filter event=died
assert_match "$out" "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ \+0000 UTC container died [0-9a-f]{64} \(image=localhost/$IMG, name=ev1, team=a\)$" "the text line is podman's (the image's full name)"

id=$(burrow run -d --name ev2 $IMG sleep 1000)
burrow kill -s USR1 ev2 >/dev/null
burrow stop -t 1 ev2 >/dev/null
burrow rm ev2 ev1 >/dev/null
run burrow events --stream=false --since "$start" --filter "container=$id" --format '{{.Status}}'
assert_match "$(echo "$out" | tr '\n' ' ')" "^create start kill .*died.* stop remove $" "kill, stop and remove are recorded"
run burrow events --stream=false --since "$start" --filter container=ev2 --filter container=ev1 --filter event=remove --format '{{.Name}}'
assert_eq "$(echo "$out" | sort | tr '\n' ' ')" "ev1 ev2 " "filters with the same key are ORed, different keys ANDed"

burrow tag $IMG local/evtag:1 >/dev/null
burrow untag local/evtag:1 local/evtag:1 >/dev/null
run burrow events --stream=false --since "$start" --filter type=image --format '{{.Status}} {{.Name}}'
assert_match "$out" "tag localhost/local/evtag:1|tag local/evtag:1" "tag is recorded"
assert_match "$out" "untag" "untag is recorded"

mid=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
burrow run --rm --name ev3 $IMG true
run burrow events --stream=false --until "$mid" --since "$start" --format '{{.Name}}'
assert_no_match "$out" "ev3" "--until leaves out later events"
run burrow events --stream=false --since "$mid" --format '{{.Name}}'
assert_match "$out" "ev3" "--since takes RFC 3339"
assert_no_match "$out" "ev1" "and leaves out earlier events"
run burrow events --stream=false --since 1h --filter container=ev3 --format '{{.Status}}'
assert_match "$out" "remove" "--since takes a duration"
run burrow events --until 1s --since "$mid" --format '{{.Name}}'
assert_rc 0 "--until in the past ends without --stream=false"

# follow: the events of a run made after events started (the binary itself
# in the background, not the shell function: kill must reach it)
"$BURROW" events --since "$mid" --filter container=ev4 --format '{{.Status}}' >"$tmp/follow" 2>&1 &
follower=$!
burrow run --rm --name ev4 $IMG true
poll grep -q remove "$tmp/follow"
assert_eq "$(tr '\n' ' ' <"$tmp/follow")" "create start died remove " "events follows new events as they happen"
kill "$follower"
wait "$follower" 2>/dev/null
follower=

# volumes
burrow volume create evvol >/dev/null
burrow volume rm evvol >/dev/null
run burrow events --stream=false --since "$start" --filter type=volume --format '{{.Status}} {{.Name}}'
assert_eq "$(echo "$out" | tr '\n' ' ')" "create evvol remove evvol " "volume create and remove are recorded"
run burrow events --stream=false --since "$start" --filter volume=evvol --filter event=create
assert_match "$out" " UTC volume create evvol$" "as podman's text line"

# bad input
run burrow events --filter bogus=1 --stream=false
assert_rc 125 "an unknown filter fails with 125"
assert_match "$err" "bogus" "and names it"
run burrow events --since yesterday-ish --stream=false
assert_rc 125 "a bad time fails with 125"
run burrow events --format '{{.Status' --stream=false
assert_rc 125 "a template that doesn't parse fails with 125"

# the log stays bounded
log="$BURROW_RUNROOT/events.log"
i=0
while [ "$(stat -c %s "$log")" -le 1048576 ]; do
	head -n 1 "$log" >>"$log.pad"
	cat "$log.pad" "$log.pad" >"$log.pad2" && mv "$log.pad2" "$log.pad"
	cat "$log.pad" >>"$log"
	i=$((i + 1))
	[ $i -gt 30 ] && break
done
rm -f "$log.pad"
burrow run --rm --name ev5 $IMG true
assert_true "a full log moves to events.log.1" test -f "$log.1"
assert_true "and a new one starts" test "$(stat -c %s "$log")" -lt 1048576
run burrow events --stream=false --filter container=ev5 --format '{{.Status}}'
assert_match "$out" "remove" "both files are read"

done_testing
