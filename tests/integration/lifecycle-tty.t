#!/bin/sh
# exec -t and attach through a real pseudo-terminal (tests/lib/ptydrive.c).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
PTY=$BURROW_BUILD/tests/ptydrive
[ -x "$PTY" ] || skip_all "ptydrive is not built"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1

burrow run -d -t -i --name t $IMG sh >/dev/null
out=$("$PTY" -r 30 -c 90 -- "$BURROW" exec -it t sh 2>&1 <<'S'
expect # 
send tty; stty size; echo "T=$TERM"\n
expect T=xterm
send exit 5\n
S
)
rc=$?
assert_eq "$rc" 5 "exec -it returns the shell's exit code"
assert_match "$out" "/dev/pts/[0-9]" "exec -it gets a terminal from the container's devpts"
assert_match "$out" "30 90" "exec -it passes the terminal size"

out=$("$PTY" -- "$BURROW" attach t 2>&1 <<'S'
send echo attached-$((6*7))\n
expect attached-42
send \020\021
S
)
rc=$?
assert_eq "$rc" 0 "attach detaches with Ctrl-P Ctrl-Q and exits 0"
assert_match "$out" "attached-42" "attach talks to the container's terminal"
assert_eq "$(burrow inspect --format '{{.State.Status}}' t)" running "the container runs on after a detach"

out=$("$PTY" -- "$BURROW" attach t 2>&1 <<'S'
send echo again-$((2 * 3))\n
expect again-6
send exit 9\n
S
)
rc=$?
assert_eq "$rc" 9 "attach returns the exit code when the container exits"
run burrow logs t
assert_match "$out" "attached-42" "a -t container's output is in its log"
run burrow attach t
assert_rc 125 "attach to a stopped container exits 125"
burrow rm -a -f >/dev/null
done_testing
