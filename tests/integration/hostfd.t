#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# No fd or terminal of the user's reaches a container: exec, run without -t,
# health probes and the supervisor of a detached container.  The terminal
# cases run on a real pseudo-terminal (tests/lib/ptydrive.c) and try what a
# hostile program would: TIOCSTI, typing into the user's shell.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
PTY=$BURROW_BUILD/tests/ptydrive
[ -x "$PTY" ] || skip_all "ptydrive is not built"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
T=$FIXTURE_DIR
mkdir -p "$T/home"
echo secret >"$T/home/secret.txt"
chmod 0600 "$T/home/secret.txt"

burrow run -d --name ct $IMG sleep 1000 >/dev/null

# --- exec: inherited fds
run burrow exec ct sh -c 'cat /proc/self/fd/7/secret.txt 2>/dev/null || echo closed' 7<"$T/home"
assert_eq "$out" "closed" "exec: an fd the caller has open on a host directory does not reach the command"
run burrow exec ct sh -c 'set -- $(cat /proc/$$/stat); [ "$6" = "$$" ] && echo own || echo "session $6"'
assert_eq "$out" "own" "exec: the command runs in a session of its own"

# --- exec without -t on a terminal: pipes, no TIOCSTI into the user's shell
# The shell on the pty reads a line after the exec: if the container pushed
# text into the terminal's input, the shell reads that instead of "clean".
pty_tiocsti() {
	"$PTY" -- sh -c "$1"'; echo marker-done; read line; echo "line=[$line]"' 2>&1 <<'S'
expect marker-done
send clean\n
expect line=[
S
}
out=$(pty_tiocsti '"$BURROW" exec ct /sbin/testinit tiocsti "echo PWNED\n"')
assert_match "$out" "refused" "exec: TIOCSTI from the command is refused"
assert_match "$out" 'line=\[clean\]' "  and nothing was typed into the user's shell"
out=$(pty_tiocsti '"$BURROW" exec -i ct /sbin/testinit tiocsti "echo PWNED\n"')
assert_match "$out" "refused" "exec -i: TIOCSTI is refused"
assert_match "$out" 'line=\[clean\]' "  and nothing was typed into the user's shell"
out=$("$PTY" -- sh -c 'for fd in 0 1 2; do "$BURROW" exec -i ct /sbin/testinit isatty $fd; done' 2>&1 </dev/null)
assert_eq "$(printf '%s\n' "$out" | tr -d '\r' | grep -c '^no$')" 3 \
	"exec -i on a terminal: the command's stdin, stdout and stderr are not terminals"
out=$("$PTY" -- sh -c 'echo typed | "$BURROW" exec -i ct cat; "$BURROW" exec ct sh -c "echo to-err >&2"' 2>&1 </dev/null)
assert_match "$out" "typed" "  stdin that is not a terminal still passes through"
assert_match "$out" "to-err" "  and stderr is relayed"
out=$("$PTY" -- "$BURROW" exec -i ct sh -c 'read l; echo "got $l"' 2>&1 <<'S'
send hello\n
expect got hello
S
)
assert_match "$out" "got hello" "exec -i relays what the user types"

# --- run without -t on a terminal: the same
out=$(pty_tiocsti '"$BURROW" run --rm -i '$IMG' /sbin/testinit tiocsti "echo PWNED\n"')
assert_match "$out" "refused" "run -i: TIOCSTI from the container is refused"
assert_match "$out" 'line=\[clean\]' "  and nothing was typed into the user's shell"
out=$("$PTY" -- sh -c 'for fd in 0 1 2; do "$BURROW" run --rm -i '$IMG' /sbin/testinit isatty $fd; done' 2>&1 </dev/null)
assert_eq "$(printf '%s\n' "$out" | tr -d '\r' | grep -c '^no$')" 3 \
	"run -i on a terminal: the container's stdin, stdout and stderr are not terminals"
out=$("$PTY" -- "$BURROW" run --rm -i $IMG sh -c 'read l; echo "got $l"; echo err-too >&2' 2>&1 <<'S'
send hello\n
expect err-too
S
)
assert_match "$out" "got hello" "run -i relays what the user types"

# --- build on a terminal: a RUN step gets a pipe, and its output is shown
mkdir -p "$T/ctx"
printf 'FROM %s\nRUN echo "fd1-tty=$(/sbin/testinit isatty 1)"\n' "$IMG" >"$T/ctx/Dockerfile"
out=$("$PTY" -- "$BURROW" build -t local/ttybuild:1 "$T/ctx" 2>&1 </dev/null)
assert_match "$out" "fd1-tty=no" "build on a terminal: a RUN step's output is shown, and is not a terminal"

# --- the supervisor of a detached container keeps none of the caller's fds
burrow run -d --name held $IMG sleep 1000 7<"$T/home" >/dev/null
mon=$(burrow inspect --format '{{.State.ConmonPid}}' held)
assert_eq "$(for f in /proc/"$mon"/fd/*; do readlink "$f"; done | grep -c "$T/home")" 0 \
	"run -d: the supervisor does not keep an fd the caller had open"
# a CI job: $(...) with another pipe of the job's on fd 3 returns at once
rm -f "$T/ci-id"
(
	id=$("$BURROW" run -d --name ci $IMG sleep 1000 3>&1)
	echo "$id" >"$T/ci-id"
) &
assert_true "\$(burrow run -d ...) returns while the container runs" poll -t 60 test -s "$T/ci-id"
burrow rm -f ci >/dev/null 2>&1
wait

# --- health probes
burrow run -d --name hc --health-cmd 'test ! -e /proc/self/fd/7' --health-interval 1s $IMG sleep 1000 \
	7<"$T/home" >/dev/null
healthy() { [ "$(burrow inspect --format '{{.State.Health.Status}}' hc)" != starting ]; }
poll -t 60 healthy
assert_eq "$(burrow inspect --format '{{.State.Health.Status}}' hc)" healthy \
	"a health probe does not get the caller's fds"
burrow rm -f hc >/dev/null

# a probe that times out is killed, not left running in the container
# (as a user other than root: the change of credentials is what cleared the
# probe's parent-death signal; the single-ID map has root only)
if burrow run --rm -u 1000 $IMG true >/dev/null 2>&1; then
	burrow run -d --name hto --user 1000 --health-cmd 'echo $$ >/tmp/probe.pid; exec sleep 1000' \
		--health-timeout 1s --health-interval 1h $IMG sleep 1000 >/dev/null
	run burrow healthcheck run hto
	assert_rc 1 "a probe that exceeds its timeout fails"
	probe_gone() {
		burrow exec hto sh -c 'p=$(cat /tmp/probe.pid) && s=$(cat /proc/$p/stat 2>/dev/null) || exit 0
			case ${s##*) } in Z* | X*) exit 0 ;; esac; exit 1'
	}
	assert_true "  and its command is killed" poll -t 30 probe_gone
else
	skip "no user 1000 in the container (single-ID map): a probe that exceeds its timeout fails"
	skip "  and its command is killed"
fi

burrow rm -a -f >/dev/null
done_testing
