#!/bin/sh
# --detach-keys for run, start -a, attach and exec with -it, through a real
# pseudo-terminal (tests/lib/ptydrive.c): the keys detach and leave the
# container (or the exec'd command) running; "" disables them; a bad
# sequence is podman's error.
# shellcheck disable=SC2016,SC2154
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
PTY=$BURROW_BUILD/tests/ptydrive
[ -x "$PTY" ] || skip_all "ptydrive is not built"
fixture_busybox

# run -it: the default Ctrl-P Ctrl-Q
out=$("$PTY" -- "$BURROW" run -it --name r --net none $IMG sh 2>&1 <<'S'
send echo in-$((6*7))\n
expect in-42
send \020\021
S
)
rc=$?
assert_eq "$rc" 0 "run -it: Ctrl-P Ctrl-Q detaches, status 0"
assert_match "$out" "in-42" "the session worked"
assert_no_match "$out" "Error|error" "nothing printed on detach"
assert_eq "$(burrow inspect --format '{{.State.Status}}' r)" running "the container runs on"
out=$("$PTY" -- "$BURROW" attach r 2>&1 <<'S'
send echo back-$((2*3))\n
expect back-6
send exit 7\n
S
)
assert_eq "$?" 7 "attach to it later, and its exit code comes back"
run burrow logs r
assert_match "$out" "back-6" "after the detach its terminal goes to the log"

# --detach-keys: another sequence, and a key that only looks like one
# (cat: each line shows twice, the terminal's echo and cat's copy)
out=$("$PTY" -- "$BURROW" run -it --name k --net none --detach-keys ctrl-a,x $IMG cat 2>&1 <<'S'
send \001y-held\n
expect y-held
expect y-held
send \020\021still-9\n
expect still-9
expect still-9
send \001x
S
)
rc=$?
assert_eq "$rc" 0 "--detach-keys ctrl-a,x detaches"
assert_match "$out" "still-9" "Ctrl-P Ctrl-Q is no detach key then"
assert_eq "$(burrow inspect --format '{{.State.Status}}' k)" running "k runs on"
burrow rm -f k >/dev/null

# "" disables detaching
out=$("$PTY" -- "$BURROW" run -it --rm --net none --detach-keys "" $IMG sh 2>&1 <<'S'
send \020\021echo after-$((4*4))\n
expect after-16
send exit 3\n
S
)
assert_eq "$?" 3 '--detach-keys "": the keys go to the container'

# start -a -i
burrow create -it --name s --net none $IMG sh >/dev/null
out=$("$PTY" -- "$BURROW" start -a -i --detach-keys ctrl-x s 2>&1 <<'S'
send echo st-$((5*5))\n
expect st-25
send \030
S
)
assert_eq "$?" 0 "start -a -i --detach-keys ctrl-x detaches"
assert_eq "$(burrow inspect --format '{{.State.Status}}' s)" running "s runs on"

# attach --detach-keys
out=$("$PTY" -- "$BURROW" attach --detach-keys q s 2>&1 <<'S'
send echo at-$((7*7))\n
expect at-49
send q
S
)
assert_eq "$?" 0 "attach --detach-keys q detaches"
assert_eq "$(burrow inspect --format '{{.State.Status}}' s)" running "s still runs"

# exec -it: the command stays after a detach
out=$("$PTY" -- "$BURROW" exec -it s sh -c 'echo ready; sleep 1000' 2>&1 <<'S'
expect ready
send \020\021
S
)
assert_eq "$?" 0 "exec -it detaches"
run burrow exec s sh -c 'ps -o args | grep -c "^sleep 1000"'
assert_eq "$out" 1 "the exec'd command runs on"

# errors: 125, podman's message, nothing left
for k in ctrl-zz foo ctrl-1 ","; do
	run burrow run --rm -it --detach-keys "$k" $IMG true
	assert_rc 125 "run --detach-keys '$k': 125"
	assert_match "$err" "invalid detach keys: Unknown character: " "podman's message"
done
assert_eq "$(burrow ps -a -q | grep -c .)" 2 "no container left by the errors"
run burrow attach --detach-keys ctrl-zz s
assert_rc 125 "attach --detach-keys ctrl-zz: 125"
run burrow exec -it --detach-keys ctrl-zz s true
assert_rc 125 "exec --detach-keys ctrl-zz: 125"
run burrow start -a --detach-keys ctrl-zz s
assert_rc 125 "start --detach-keys ctrl-zz: 125"

done_testing
