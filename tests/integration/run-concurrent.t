#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# run-concurrent.t - 20 `run --rm IMAGE` at once on one store, with the
# default network and with --network none: every one succeeds and prints
# its own output, and nothing is left behind (containers, runroot entries).
# bench/concurrent times the same with 50.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
T=$FIXTURE_DIR
N=20

for net in default none; do
	opt=
	[ $net = none ] && opt="--network none"
	pids=
	i=0
	while [ $i -lt $N ]; do
		# shellcheck disable=SC2086 # opt is empty or two words
		"$BURROW" run --rm $opt $IMG sh -c "echo run$i" >"$T/out.$i" 2>"$T/err.$i" </dev/null &
		pids="$pids $!:$i"
		i=$((i + 1))
	done
	fails=0
	for pn in $pids; do
		if ! wait "${pn%%:*}"; then
			fails=$((fails + 1))
			diag "run ${pn#*:} failed: $(cat "$T/err.${pn#*:}")"
		fi
	done
	assert_eq "$fails" 0 "$N concurrent run --rm ($net network) all succeed"
	bad=0
	i=0
	while [ $i -lt $N ]; do
		[ "$(cat "$T/out.$i")" = "run$i" ] || bad=$((bad + 1))
		i=$((i + 1))
	done
	assert_eq "$bad" 0 "  each prints its own output"
	assert_eq "$(burrow ps -a -q | wc -l | tr -d ' ')" 0 "  and no container is left"
done
assert_eq "$(find "$BURROW_RUNROOT/containers" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l | tr -d ' ')" 0 \
	"no per-container runroot entries are left"

done_testing
