#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# faults-concurrent.t - 50 commands at once on one store: run --rm, run -d,
# exec and rm.  All succeed, and the store is consistent afterwards: the
# detached containers run, the removed ones are gone, and after rm -af
# nothing is left (processes, mounts, runroot entries, records, files).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
. "$(dirname "$0")/../lib/faults.sh"
fixture_image local/busybox:1
IMG=local/busybox:1
T=$FIXTURE_DIR

# the targets of exec and rm, made beforehand
for i in 0 1 2 3 4; do
	burrow run -d --name "ex$i" $IMG sleep $TOKEN >/dev/null || bail_out "cannot start ex$i"
done
i=0
while [ $i -lt 10 ]; do
	burrow run -d --name "gone$i" $IMG sleep $TOKEN >/dev/null || bail_out "cannot start gone$i"
	i=$((i + 1))
done

# 15 run --rm, 15 run -d, 10 exec, 10 rm -f: 50 at once
pids=
start() {
	_n=$1
	shift
	"$BURROW" "$@" >"$T/out.$_n" 2>"$T/err.$_n" </dev/null &
	pids="$pids $!:$_n"
}
i=0
while [ $i -lt 15 ]; do
	start "rm$i" run --rm $IMG sh -c "echo run$i"
	start "d$i" run -d --name "det$i" $IMG sleep $TOKEN
	i=$((i + 1))
done
i=0
while [ $i -lt 10 ]; do
	start "ex$i" exec "ex$((i % 5))" echo "exec$i"
	start "gone$i" rm -f "gone$i"
	i=$((i + 1))
done
fails=0
for pn in $pids; do
	if ! wait "${pn%%:*}"; then
		fails=$((fails + 1))
		diag "${pn#*:} failed: $(cat "$T/err.${pn#*:}")"
	fi
done
assert_eq "$fails" 0 "50 concurrent run --rm, run -d, exec and rm succeed"
bad=0
i=0
while [ $i -lt 15 ]; do
	[ "$(cat "$T/out.rm$i")" = "run$i" ] || bad=$((bad + 1))
	i=$((i + 1))
done
i=0
while [ $i -lt 10 ]; do
	[ "$(cat "$T/out.ex$i")" = "exec$i" ] || bad=$((bad + 1))
	i=$((i + 1))
done
assert_eq "$bad" 0 "every run --rm and exec printed its own output"

run burrow ps -a --format '{{.Names}} {{.State}}'
assert_rc 0 "ps -a works"
assert_eq "$(printf '%s\n' "$out" | grep -c '^det[0-9]* running$')" 15 "the 15 detached containers run"
assert_eq "$(printf '%s\n' "$out" | grep -c '^ex[0-9] running$')" 5 "the exec targets still run"
assert_eq "$(printf '%s\n' "$out" | grep -c '^gone')" 0 "the removed containers are gone"
assert_eq "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 20 "and nothing else is there"
assert_eq "$(ls "$BURROW_ROOT/containers" | wc -l | tr -d ' ')" 20 "20 records in the store"

run burrow rm -af
assert_rc 0 "rm -af removes them all"
assert_store_clean "after rm -af"
done_testing
