#!/bin/sh
# Signals sent to burrow reach the container; if burrow dies, so does the container.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1

for sig in TERM INT HUP; do
	fifo=$FIXTURE_DIR/out.$sig
	mkfifo "$fifo"
	"$BURROW" run --rm $IMG sh -c "trap 'echo got-$sig; exit 9' $sig; echo ready; while :; do usleep 20000; done" >"$fifo" &
	pid=$!
	exec 3<"$fifo"
	read -r line <&3
	assert_eq "$line" "ready" "$sig: the container started"
	kill -s $sig $pid
	read -r line <&3
	assert_eq "$line" "got-$sig" "SIG$sig sent to burrow reaches the container"
	wait $pid
	assert_eq "$?" "9" "$sig: burrow exits with the container's code"
	exec 3<&-
done

# burrow killed with SIGKILL: the whole container goes too.  The fifo's
# write side is held by every process of the container; EOF means all died.
# The sleep's argument is unique to this run: other tests of the same user
# may have their own sleeps running.
fifo=$FIXTURE_DIR/out.kill
mkfifo "$fifo"
mark=$((100000 + $$))
"$BURROW" run --rm $IMG sh -c "echo ready; sleep $mark & wait" >"$fifo" &
pid=$!
exec 3<"$fifo"
read -r line <&3
assert_eq "$line" "ready" "KILL: the container started"
kill -KILL $pid
rest=$(timeout 60 cat <&3)
assert_eq "$?" "0" "killing burrow ends every process of the container"
exec 3<&-
wait $pid 2>/dev/null
assert_eq "$(pgrep -u "$(id -u)" -c -f "^sleep $mark\$")" "0" "no container process is left"
done_testing
