#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# Hijacked streams end: attached `docker exec` and `docker run --rm`, many
# times over, each bounded by a timeout.  Once one of them in 40-75 never
# ended (the upgraded socket was not closed); a single hang fails the file.
# API_HANG_ROUNDS (default 100) sets the number of rounds of each.
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
		_o=$(timeout 20 "$@" 2>&1)
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

run docker rm -f box
assert_rc 0 "the container is removed"
run sh -c "ls /proc/$API_PID/fd | wc -l"
diag "the service holds $out descriptors"
api_done
done_testing
