#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by tap.sh's run
# burrow-init run directly on the host: status pass-through, signals,
# forwarding and zombie reaping (it makes itself a child subreaper).
. "$(dirname "$0")/../lib/tap.sh"

INIT=${BURROW_BUILD:+$BURROW_BUILD/burrow-init}
[ -n "$INIT" ] && [ -x "$INIT" ] || skip_all "BURROW_BUILD/burrow-init not built"

D=$(mktemp -d) || bail_out "mktemp"
trap 'rm -rf "$D"' EXIT
export D

# poll_gone PID: wait for PID to disappear from /proc.  Nothing signals
# "reaped" on an fd, so this one poll is unavoidable.
poll_gone() { poll test ! -e "/proc/$1"; }

# --- exit status ------------------------------------------------------------
run "$INIT" sh -c 'exit 7'
assert_rc 7 "exit status 7 passes through"
run "$INIT" true
assert_rc 0 "exit status 0 passes through"
run "$INIT" -- sh -c 'echo hi; echo err >&2; exit 3'
assert_rc 3 "-- before CMD"
assert_eq "$out" "hi" "child stdout is inherited"
assert_eq "$err" "err" "child stderr is inherited"
run "$INIT" sh -c 'kill -KILL $$'
assert_rc 137 "killed by SIGKILL gives 128+9"
run "$INIT" sh -c 'kill -TERM $$'
assert_rc 143 "killed by SIGTERM gives 128+15"

# --- exec failures ---------------------------------------------------------
run "$INIT" "$D/does-not-exist"
assert_rc 127 "missing command exits 127"
assert_match "$err" "^burrow-init: exec $D/does-not-exist: No such file or directory" \
	"missing command is named on stderr"
printf 'not a program\n' >"$D/noexec"
chmod 644 "$D/noexec"
run "$INIT" "$D/noexec"
assert_rc 126 "non-executable command exits 126"
assert_match "$err" "^burrow-init: exec $D/noexec: Permission denied" "EACCES is reported"
run "$INIT"
assert_rc 2 "no command is a usage error"
assert_match "$err" "usage: burrow-init" "usage is printed"

# --- signal forwarding ------------------------------------------------------
# The child is perl rather than sh: dash can sit on a trapped signal that
# lands just before `wait` blocks until the job ends.
cat >"$D/trap.pl" <<'EOS'
my $sig = shift;
$SIG{$sig} = sub { open(my $f, ">", "$ENV{D}/got") or die; print $f "$sig\n"; close $f; exit 5 };
open(my $r, ">", "$ENV{D}/ready") or die;
print $r "up\n";
close $r;
sleep 60 while 1;
EOS
for sig in TERM INT HUP QUIT USR1 USR2 WINCH; do
	mkfifo "$D/ready"
	rm -f "$D/got"
	"$INIT" perl "$D/trap.pl" "$sig" </dev/null &
	ipid=$!
	read -r _ <"$D/ready"
	kill -s "$sig" "$ipid"
	wait "$ipid"
	rc=$?
	assert_eq "$rc" 5 "SIG$sig to burrow-init reaches the child's handler (exit status)"
	assert_eq "$(cat "$D/got" 2>/dev/null)" "$sig" "SIG$sig: the child's handler ran"
	rm -f "$D/ready"
done

# --- zombie reaping -------------------------------------------------------
# main.sh double-forks an orphan that blocks on a fifo.  Once the subshell in
# between is gone the orphan must belong to burrow-init; when released it
# must be reaped while the main child still runs.
cat >"$D/orphan.sh" <<'EOS'
echo $$ > "$D/ready"
read -r x < "$D/go2"
EOS
cat >"$D/main.sh" <<'EOS'
(sh "$D/orphan.sh" &)
echo up > "$D/ready2"
read -r x < "$D/go"
exit 3
EOS
mkfifo "$D/ready" "$D/ready2" "$D/go" "$D/go2"
"$INIT" sh "$D/main.sh" </dev/null &
ipid=$!
read -r opid <"$D/ready"
read -r _ <"$D/ready2"
# field 4 of stat is the ppid; "comm" may hold spaces, so cut after ")"
ppid=$(sed 's/.*) //' "/proc/$opid/stat" | cut -d' ' -f2)
assert_eq "$ppid" "$ipid" "the orphan is reparented to burrow-init (subreaper)"
echo go >"$D/go2"
if poll_gone "$opid"; then ok "the orphan is reaped, not left a zombie"
else not_ok "the orphan is reaped, not left a zombie"; diag "$(cat "/proc/$opid/status" 2>&1 | head -3)"; fi
zombies=$(ps -o stat= --ppid "$ipid" | grep -c Z)
assert_eq "$zombies" 0 "burrow-init has no <defunct> children"
echo go >"$D/go"
wait "$ipid"
rc=$?
assert_eq "$rc" 3 "burrow-init exits with the main child's status after reaping"

# a child that exits while leaving a running orphan behind: burrow-init
# follows the main child and exits promptly
mkfifo "$D/hold"
run "$INIT" sh -c '(sh -c "read -r x < \"$D/hold\"" &); exit 4'
assert_rc 4 "exits with the main child even while an orphan lives"
echo >"$D/hold"

done_testing
