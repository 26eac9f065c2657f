#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# Hijacked streams end: attached `docker exec` and `docker run --rm`, many
# times over, each bounded by a timeout.  Once about one in ten to fifty
# never ended: the process doing the exec (or the start) was forked by the
# threaded service and hung at its first malloc, on a lock another thread
# held at the fork, so the stream was never closed (lib/base/forkjob.h).
# A single hang fails the file.  API_HANG_ROUNDS (default 100) sets the
# number of rounds of each.  Then: no wait stays behind docker run -d, and
# the streams that go on end when the service does.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
. "$(dirname "$0")/../lib/api.sh"
api_need_docker
api_start
N=${API_HANG_ROUNDS:-100}

run docker run -d --name box $IMG sleep 100000
assert_rc 0 "a running container"

# rounds NAME CMD...: N runs of CMD, each within 20 seconds, printing hi
rounds() {
	_name=$1
	shift
	_hung=0 _bad=0 _i=0
	while [ "$_i" -lt "$N" ]; do
		_i=$((_i + 1))
		_o=$(timeout -k 10 20 "$@" 2>&1)
		_rc=$?
		if [ "$_rc" = 124 ]; then
			_hung=$((_hung + 1))
			diag "$_name: round $_i did not end"
		elif [ "$_rc" != 0 ] || [ "$_o" != hi ]; then
			_bad=$((_bad + 1))
			diag "$_name: round $_i: status $_rc, output: $_o"
		fi
	done
	assert_eq "$_hung" 0 "$N x $_name: none hangs"
	assert_eq "$_bad" 0 "  and each prints hi and succeeds"
}

rounds "docker exec" docker exec box echo hi
rounds "docker run --rm" docker run --rm $IMG echo hi
rounds "docker exec -i" sh -c 'echo hi | docker exec -i box cat'

run sh -c "ls /proc/$API_PID/fd | wc -l"
diag "the service holds $out descriptors"

# docker run -d waits for the container's exit and leaves: the wait ends
# with its connection, and no thread stays behind
BASE=$(ls "/proc/$API_PID/task" | wc -l)
for i in 1 2 3; do
	docker run -d --name "bg$i" $IMG sleep 100000 >/dev/null
done
poll sh -c "test \$(ls /proc/$API_PID/task | wc -l) -le $BASE"
assert_rc 0 "3 x docker run -d: no wait is left behind (threads back to $BASE)"

# bodies that would go on for ever (a stats stream, a wait for a container
# that never starts) end when the service does
run docker create --name never $IMG true
assert_rc 0 "a container that never starts"
curl -sN --unix-socket "$API_SOCK" http://d/containers/box/stats >"$FIXTURE_DIR/stats.out" 2>&1 &
STATS_PID=$!
curl -s --unix-socket "$API_SOCK" -X POST http://d/containers/never/wait >/dev/null 2>&1 &
WAIT_PID=$!
poll test -s "$FIXTURE_DIR/stats.out"
assert_rc 0 "a stats stream is under way"
api_done
wait "$STATS_PID" "$WAIT_PID"
assert_true "  the stream ended with the service" gone "$STATS_PID"
run burrow rm -f box never bg1 bg2 bg3
assert_rc 0 "the containers are removed"
done_testing
