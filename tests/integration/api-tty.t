#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# docker run -it and exec -it through the API on a real pseudo-terminal
# (tests/lib/ptydrive.c): what is typed reaches the container's terminal,
# its output and exit code come back.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
PTY=$BURROW_BUILD/tests/ptydrive
[ -x "$PTY" ] || skip_all "ptydrive is not built"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
. "$(dirname "$0")/../lib/api.sh"
api_need_docker
api_start

# (the shell's first prompt may come before the service listens to the
# terminal: what is typed is kept until then, and the test waits for output)
out=$("$PTY" -- docker run -it --rm $IMG sh 2>&1 <<'S'
send echo typed-$((6*7))\n
expect typed-42
send exit 3\n
S
)
rc=$?
assert_eq "$rc" 3 "docker run -it: the shell's exit code"
assert_match "$out" "typed-42" "  what is typed reaches the container's terminal"

run docker run -d -t -i --name t $IMG sh
assert_rc 0 "a detached container with a terminal"
out=$("$PTY" -- docker exec -it t sh 2>&1 <<'S'
expect # 
send tty; echo exec-$((2*3))\n
expect exec-6
send exit 4\n
S
)
rc=$?
assert_eq "$rc" 4 "docker exec -it: the shell's exit code"
assert_match "$out" "/dev/pts/[0-9]" "  a terminal from the container's devpts"
# resize: docker exec -it gives the terminal's size at the start and on
# every change (SIGWINCH)
out=$("$PTY" -r 33 -c 77 -- docker exec -it t sh 2>&1 <<'S'
expect # 
send while [ "$(stty size)" != "33 77" ]; do :; done; echo size-$((1+1))\n
expect size-2
resize 40 100
send while [ "$(stty size)" != "40 100" ]; do :; done; echo resized-$((2+2))\n
expect resized-4
send exit 0\n
S
)
rc=$?
assert_eq "$rc" 0 "docker exec -it on a 33x77 terminal, then resized"
assert_match "$out" "size-2" "  the command's terminal has the size at the start"
assert_match "$out" "resized-4" "  and the new size after a resize"
run api_curl -s -w ' %{http_code}' -X POST '/containers/t/resize?h=20&w=60'
assert_match "$out" ' 200$' "POST /containers/ID/resize"
run docker exec t sh -c 'stty size </proc/1/fd/0'
assert_eq "$out" "20 60" "  the container's terminal has the new size"
run api_curl -s -w ' %{http_code}' -X POST '/containers/t/resize?h=x&w=60'
assert_match "$out" ' 400$' "  a bad size: 400"
run api_curl -s -w ' %{http_code}' -X POST '/containers/nosuch/resize?h=20&w=60'
assert_match "$out" ' 404$' "  an unknown container: 404"
run api_curl -s -w ' %{http_code}' -X POST '/exec/nosuch/resize?h=20&w=60'
assert_match "$out" ' 404$' "  an unknown exec session: 404"
run docker stop -t 1 t
run api_curl -s -w ' %{http_code}' -X POST '/containers/t/resize?h=20&w=60'
assert_match "$out" ' 409$' "  a stopped container: 409"
assert_match "$out" 'is not running' "  docker's message"
run docker rm -f t
api_done
done_testing
