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
run docker rm -f t
api_done
done_testing
