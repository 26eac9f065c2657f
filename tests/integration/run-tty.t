#!/bin/sh
# run -it through a real pseudo-terminal (tests/lib/ptydrive.c).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
PTY=$BURROW_BUILD/tests/ptydrive
[ -x "$PTY" ] || skip_all "ptydrive is not built"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1

# Ctrl-C is sent only once "started-sleeping" is printed, and that is
# printed by the process the ^C must end, after the shell has made it the
# terminal's foreground job: `sh -c '...; exec sleep'` in its own process,
# with SIGINT at its default since its exec.  (With "echo ...; sleep 60"
# typed at the prompt, a ^C that lands after the echo but before the shell
# has forked sleep, or before the child has reset the shell's SIGINT handler
# on its way to exec sleep, is swallowed, and the driver times out.)
# Each expect matches output, never the echo of the typed line: the echo
# has ' icanon"' and '$((1 + 1))' where the output has " icanon\r" and "2".
out=$("$PTY" -r 33 -c 101 -- "$BURROW" run --rm -it $IMG sh 2>&1 <<'S'
expect # 
send tty; stty size; echo "T=$TERM"\n
expect T=xterm
send stty -a | grep -o " icanon"\n
expect  icanon\r
send sh -c 'echo started-sleeping; exec sleep 1000'\n
expect started-sleeping\r
send \003
expect # 
send echo after-interrupt-$((1 + 1))\n
expect after-interrupt-2
resize 40 120
send stty size\n
expect 40 120
send exit 7\n
S
)
rc=$?
assert_eq "$rc" "7" "-it: the shell's exit code comes back"
assert_match "$out" "/dev/pts/0" "-it: stdin is the container's own pty"
assert_match "$out" "33 101" "-it: the terminal size is passed in"
assert_match "$out" "T=xterm" "-it: TERM is set"
assert_match "$out" "after-interrupt-2" "-it: Ctrl-C interrupts the command in the container, not burrow"
assert_match "$out" "40 120" "-it: a resize reaches the container"

out=$("$PTY" -- "$BURROW" run --rm -t $IMG sh -c 'test -t 0 && test -t 1 && echo both-tty' 2>&1 </dev/null)
assert_match "$out" "both-tty" "-t alone gives the command a terminal"

out=$("$PTY" -- sh -c "'$BURROW' run --rm -it $IMG true; stty -a | grep -o ' -icanon\| icanon' | head -n1" 2>&1 </dev/null)
assert_match "$out" " icanon" "the caller's terminal is restored afterwards"
done_testing
