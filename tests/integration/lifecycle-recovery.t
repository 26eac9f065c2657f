#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# Recovery: a SIGKILLed supervisor, a wiped runroot (a reboot), and 20
# detached containers at once leave nothing behind.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1

# wait_gone PID: for a process we cannot wait on (not our child)
wait_gone() { poll gone "$1"; }

# --- a SIGKILLed supervisor
burrow run -d --name victim $IMG sleep 1000 >/dev/null
mon=$(burrow inspect --format '{{.State.ConmonPid}}' victim)
pid=$(burrow inspect --format '{{.State.Pid}}' victim)
kill -KILL "$mon"
assert_true "the supervisor is gone" wait_gone "$mon"
assert_true "its container died with it" wait_gone "$pid"
run burrow ps -a --format '{{.Names}} {{.State}}'
assert_eq "$out" "victim exited" "the next command reports the container exited"
assert_eq "$(burrow inspect --format '{{.State.ExitCode}}' victim)" 137 "a killed supervisor counts as SIGKILL"
assert_false "its runroot entry is removed" test -e "$BURROW_RUNROOT/containers/$(burrow inspect --format '{{.Id}}' victim)"
run burrow start victim
assert_rc 0 "it can be started again"
run burrow rm -f victim
assert_rc 0 "and removed"

# --- a reboot: supervisors gone, runroot wiped
burrow run -d --name r1 $IMG sleep 1000 >/dev/null
burrow run -d --name r2 $IMG sleep 1000 >/dev/null
m1=$(burrow inspect --format '{{.State.ConmonPid}}' r1)
m2=$(burrow inspect --format '{{.State.ConmonPid}}' r2)
kill -KILL "$m1" "$m2"
wait_gone "$m1"
wait_gone "$m2"
rm -rf "$BURROW_RUNROOT"
run burrow ps -a --format '{{.Names}} {{.State}}'
assert_rc 0 "ps works on a wiped runroot"
assert_eq "$(printf '%s\n' "$out" | sort)" "r1 exited
r2 exited" "the records are healed without a migrate step"
run burrow start r1
assert_rc 0 "a healed container starts again"
assert_eq "$(burrow exec r1 echo alive)" alive "and runs commands"
run burrow rm -f r1 r2
assert_rc 0 "healed containers are removed"

# --- 20 at once
i=0
pids=
while [ $i -lt 20 ]; do
	burrow run -d --name c$i $IMG sleep 1000 >"$FIXTURE_DIR/id.$i" 2>"$FIXTURE_DIR/err.$i" &
	pids="$pids $!"
	i=$((i + 1))
done
fails=0
for p in $pids; do wait "$p" || fails=$((fails + 1)); done
assert_eq "$fails" 0 "20 concurrent run -d succeed"
assert_eq "$(burrow ps -q | wc -l)" 20 "20 containers are running"
mons=$(burrow ps --format '{{.Id}}' | while read -r c; do burrow inspect --format '{{.State.ConmonPid}} {{.State.Pid}}' "$c"; done)
i=0
while [ $i -lt 20 ]; do burrow stop -t 0 c$i >/dev/null & i=$((i + 1)); done
wait
assert_eq "$(burrow ps -q | wc -l)" 0 "all stopped"
run burrow rm -a
assert_rc 0 "rm -a removes them"
# stop returns once the container has exited; its supervisor ends just after
left() { _l=; for _m in $mons; do gone "$_m" || _l="$_l $_m"; done; echo "$_l"; }
none_left() { [ -z "$(left)" ]; }
poll none_left
assert_eq "$(left)" "" "no supervisor and no container process is left"
assert_eq "$(printf '%s\n' $mons | wc -l)" 40 "20 supervisors and 20 container processes were running"
assert_eq "$(ls "$BURROW_ROOT/containers" | wc -l)" 0 "no record is left"
assert_eq "$(ls "$BURROW_RUNROOT/containers" 2>/dev/null | wc -l)" 0 "nothing is left in the runroot"
assert_eq "$(grep -c "$FIXTURE_DIR" /proc/self/mountinfo)" 0 "nothing is mounted"
done_testing
