#!/bin/sh
# run --rm's late teardown (src/lib/runtime/supervisor.c): the exit status
# goes out once the record is moved aside; the overlay, the runroot entry
# and the files go after it.  What the caller sees must not change, with it
# and without it (BURROW_LATE_TEARDOWN=0).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
CTRS=$BURROW_ROOT/containers

# nothing of a removed container is left: no record, no .gone-*, no
# runroot entry
leftovers() {
	for f in "$CTRS"/* "$CTRS"/.gone-* "$BURROW_RUNROOT/containers"/*; do
		[ -e "$f" ] && echo "$f"
	done
}
none_left() { [ -z "$(leftovers)" ]; }

for late in 1 0; do
	export BURROW_LATE_TEARDOWN=$late
	what="BURROW_LATE_TEARDOWN=$late"
	run burrow run --rm --name same $IMG sh -c 'echo out; echo err >&2; exit 3'
	assert_rc 3 "$what: the exit status"
	assert_eq "$out" "out" "$what: the output"
	assert_eq "$err" "err" "$what: the error output"
	run burrow ps -a --format '{{.Names}}'
	assert_eq "$out" "" "$what: the container is gone once run returns"
	run burrow run --rm --name same $IMG true
	assert_rc 0 "$what: its name is free at once"
	got=$(burrow run --rm $IMG echo hi)
	assert_eq "$got" "hi" "$what: output through a command substitution"
	assert_true "$what: nothing is left behind" poll none_left
	run burrow run --name kept $IMG true
	assert_rc 0 "$what: a container without --rm"
	run burrow start -a kept
	assert_rc 0 "$what: starts again at once"
	run burrow inspect -f '{{.State.Status}}' kept
	assert_eq "$out" "exited" "$what: and is recorded as exited"
	burrow rm kept >/dev/null
done
unset BURROW_LATE_TEARDOWN

# a detached --rm container takes the same order (the record first), with
# and without BURROW_LATE_TEARDOWN_DETACHED; nothing is left either way
for late in 1 0; do
	export BURROW_LATE_TEARDOWN_DETACHED=$late
	what="BURROW_LATE_TEARDOWN_DETACHED=$late"
	run burrow run -d --rm --name det $IMG true
	assert_rc 0 "$what: run -d --rm"
	gone() { [ -z "$(burrow ps -a -q)" ]; }
	assert_true "$what: the container goes by itself" poll gone
	assert_true "$what: nothing is left behind" poll none_left
	run burrow run -d --rm --name det $IMG true
	assert_rc 0 "$what: its name is free again"
	assert_true "$what: and that one goes too" poll gone
done
unset BURROW_LATE_TEARDOWN_DETACHED

# a teardown cut short (a .gone-* directory nobody removes) is swept by the
# next listing; one still locked by its remover is left to it
mkdir -p "$CTRS/.gone-$(printf '%064d' 1)/upper/x"
run burrow ps -a
assert_false "a .gone-* directory left by a killed teardown is swept" test -d "$CTRS/.gone-$(printf '%064d' 1)"
mkdir -p "$CTRS/.gone-$(printf '%064d' 2)"
run flock "$CTRS/.gone-$(printf '%064d' 2)" sh -c "\"\$BURROW\" ps -a >/dev/null; test -d '$CTRS/.gone-$(printf '%064d' 2)'"
assert_rc 0 "one its remover still holds is left alone"
run burrow ps -a
assert_false "and swept once it is not" test -d "$CTRS/.gone-$(printf '%064d' 2)"

done_testing
