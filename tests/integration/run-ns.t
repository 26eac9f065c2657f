#!/bin/sh
# run-ns.t - --pid, --ipc and --uts (host, container:NAME), --privileged and
# --preserve-fds: what the container sees, what inspect shows, and the
# errors (125, one line, no record left).
# shellcheck disable=SC2086,SC2154
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"

fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
T=/sbin/testinit
cleanup() {
	"$BURROW" rm -f -a >/dev/null 2>&1
	fixture_cleanup
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# an error: status 125, one line on stderr (LINES), no container left
# (NCTR: those there before)
NCTR=0
fails_cleanly() { # DESC [LINES]
	assert_rc 125 "$1: status 125"
	assert_eq "$(printf '%s\n' "$err" | grep -c .)" "${2:-1}" "$1: one line"
	assert_eq "$(burrow ps -a -q | grep -c .)" $NCTR "$1: no container left"
}

# ---- --pid ----
run burrow run --rm --net none --pid host $IMG sh -c "test -d /proc/$$ && echo seen; $T pid"
assert_rc 0 "--pid host runs"
assert_eq "$(echo "$out" | head -n1)" seen "--pid host: the test's own process is in /proc"
assert_ne "$(echo "$out" | tail -n1)" 1 "--pid host: the command is not PID 1"
run burrow run --rm --net none $IMG sh -c "test -d /proc/$$ && echo seen || echo hidden"
assert_eq "$out" hidden "the default: a private PID namespace"

run burrow run -d --name a --net none --hostname hosta $IMG sleep 1000
assert_rc 0 "run -d a target"
NCTR=1
run burrow run --rm --net none --pid container:a $IMG cat /proc/1/cmdline
assert_rc 0 "--pid container:a runs"
assert_match "$out" "sleep" "--pid container:a: a's PID 1 is visible"
run burrow inspect --format '{{.HostConfig.PidMode}} {{.HostConfig.IpcMode}} {{.HostConfig.UTSMode}} {{.HostConfig.Privileged}}' a
assert_eq "$out" "private shareable private false" "inspect: the defaults, as podman"

# ---- --uts ----
run burrow run --rm --net none --uts container:a $IMG hostname
assert_eq "$out" hosta "--uts container:a: a's hostname"
run burrow run --rm --net none --uts host $IMG sh -c 'hostname; cat /etc/hostname; echo $HOSTNAME'
assert_eq "$out" "$(printf '%s\n%s\n%s' "$(uname -n)" "$(uname -n)" "$(uname -n)")" "--uts host: the host's name, in /etc/hostname and HOSTNAME too"
run burrow run --rm --uts host --hostname x $IMG true
fails_cleanly "--uts host with --hostname"
assert_match "$err" "cannot set hostname when running in the host UTS namespace" "podman's message"
run burrow run --rm --uts container:a --hostname x $IMG true
fails_cleanly "--uts container: with --hostname"

# ---- --ipc ----
run burrow exec a $T msgq make 4242
assert_rc 0 "a makes a message queue"
run burrow run --rm --net none --ipc container:a $IMG $T msgq find 4242
assert_eq "$out" found "--ipc container:a: a's queue is there"
burrow exec a sh -c 'echo from-a >/dev/shm/marker'
run burrow run --rm --net none --ipc container:a $IMG sh -c 'cat /dev/shm/marker; echo from-b >/dev/shm/back'
assert_eq "$out" from-a "--ipc container:a: a's /dev/shm too"
run burrow exec a cat /dev/shm/back
assert_eq "$out" from-b "  both ways"
run burrow run --rm --net none $IMG $T msgq find 4242
assert_eq "$out" missing "the default: a private IPC namespace"
run burrow run --rm --net none --ipc none $IMG sh -c 'test -d /dev/shm && echo shm || echo noshm'
assert_eq "$out" noshm "--ipc none: no /dev/shm"
run burrow run --rm --net none --ipc host $IMG sh -c 'test -d /dev/shm && echo shm'
assert_rc 0 "--ipc host runs"
assert_eq "$out" shm "--ipc host: the host's /dev/shm"

# ---- two containers in one set of namespaces ----
run burrow run -d --name b --net none --pid container:a --ipc container:a --uts container:a $IMG sleep 1000
assert_rc 0 "b joins a's pid, ipc and uts namespaces"
run burrow inspect --format '{{.HostConfig.PidMode}} {{.HostConfig.IpcMode}} {{.HostConfig.UTSMode}}' b
AID=$(burrow inspect --format '{{.Id}}' a)
assert_eq "$out" "container:$AID container:$AID container:$AID" "inspect names the target's full ID"
run burrow exec b sh -c 'ps -o comm | grep -c sleep'
assert_eq "$out" 2 "exec in b sees both sleeps"
burrow rm -f b >/dev/null
run burrow restart a
run burrow run --rm --net none --pid container:a $IMG cat /proc/1/cmdline
assert_match "$out" "sleep" "a restarted: a new container joins its new namespace"

# ---- errors ----
run burrow run --rm --uts host --sysctl kernel.domainname=x $IMG true
fails_cleanly "--uts host with a UTS sysctl"
assert_match "$err" "sysctl 'kernel.domainname' is not allowed" "podman's message"
run burrow run --rm --ipc container:a --sysctl kernel.msgmax=100 $IMG true
fails_cleanly "--ipc container: with an IPC sysctl"
run burrow run --rm --pid bogus $IMG true
fails_cleanly "--pid bogus"
assert_match "$err" "unrecognized namespace mode bogus passed" "podman's message"
run burrow run --rm --ipc container:nosuch $IMG true
fails_cleanly "--ipc container:nosuch"
assert_match "$err" "nosuch" "names the missing container"
burrow create --name idle $IMG true >/dev/null
run burrow run --rm --pid container:idle $IMG true
assert_rc 125 "a target that is not running: 125"
assert_match "$err" "pid container:[0-9a-f]{12}: the container is not running" "says which and why"
assert_eq "$(burrow ps -a -q | grep -c .)" 2 "and leaves only a and idle"
# c with a user namespace of its own (not the kept one, nskeep.h)
run env BURROW_USERNS_KEEP=0 "$BURROW" run -d --name c --net none $IMG sleep 1000
run burrow run --rm --net none --pid container:a --uts container:c $IMG true
assert_rc 125 "namespaces of two containers in two user namespaces: 125"
assert_match "$err" "another user namespace" "because each has its own user namespace"
# containers in the kept user namespace share it
run burrow run -d --name d --net none $IMG sleep 1000
userns_of() { readlink "/proc/$(burrow inspect -f '{{.State.Pid}}' "$1")/ns/user"; }
if [ "$(userns_of a)" = "$(userns_of d)" ]; then
	run burrow run --rm --net none --pid container:a --uts container:d $IMG true
	assert_rc 0 "namespaces of two containers in the kept user namespace"
else
	skip "a and d have user namespaces of their own (no keeper: the single-ID map or BURROW_USERNS_KEEP=0)"
fi
burrow rm -f idle c d >/dev/null

# ---- --privileged ----
run burrow run --rm --net none --privileged $IMG sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status'
assert_rc 0 "--privileged runs"
assert_match "$out" "CapEff:	000001ffffffffff" "every capability"
assert_match "$out" "Seccomp:	0" "no syscall filter"
run burrow run --rm --net none --privileged $IMG sh -c 'mount | grep -c " /proc/kcore "; mount | grep " /sys "'
assert_match "$out" "^0" "no masked /proc paths"
assert_match "$out" "sysfs on /sys .*rw" "a writable /sys"
run burrow run --rm --net none $IMG sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status'
assert_no_match "$out" "000001ffffffffff" "without it: the default capabilities"
assert_match "$out" "Seccomp:	2" "and the filter"
run burrow run --rm --net none --privileged --cap-drop net_raw $IMG sh -c 'grep "^CapEff:" /proc/self/status'
assert_match "$out" "000001ffffffdfff" "--cap-drop still drops"
if [ -r /dev/fuse ] && [ -w /dev/fuse ]; then
	run burrow run --rm --net none --privileged $IMG test -c /dev/fuse
	assert_rc 0 "--privileged: the user's host devices (/dev/fuse)"
else
	skip "/dev/fuse not usable"
fi
burrow create --name p --privileged --ipc private --uts host $IMG true >/dev/null
run burrow inspect --format '{{.HostConfig.Privileged}} {{.HostConfig.IpcMode}} {{.HostConfig.UTSMode}}' p
assert_eq "$out" "true private host" "inspect: Privileged, an explicit --ipc private, --uts host"
burrow rm p >/dev/null

# ---- --preserve-fds ----
run sh -c "exec 3</dev/null 4</dev/null 5</dev/null; \"$BURROW\" run --rm --net none --preserve-fds 2 $IMG $T fds"
assert_rc 0 "--preserve-fds 2 runs"
assert_eq "$(echo $out)" "3 4" "exactly fds 3 and 4 reach the command"
run sh -c "exec 3</dev/null 4</dev/null; \"$BURROW\" run --rm --net none $IMG $T fds"
assert_eq "$out" "" "without it: none"
run sh -c "echo hello >\"$FIXTURE_DIR/f\"; exec 3<\"$FIXTURE_DIR/f\"; \"$BURROW\" run --rm --net none --preserve-fds 1 $IMG sh -c 'cat <&3'"
assert_eq "$out" hello "the fd is the caller's open file"
# through a pipe: the reader ends only when every writer closed it
out=$(sh -c "exec 3>&1 >/dev/null; \"$BURROW\" run -d --name pf --net none --preserve-fds 1 $IMG sh -c 'echo via-3 >&3; exec 3>&-; exec sleep 1000'" | {
	timeout 60 cat
	echo "eof $?"
})
assert_eq "$(echo $out)" "via-3 eof 0" "run -d --preserve-fds: the command writes to the caller's fd 3, and nothing else keeps it open"
burrow rm -f pf >/dev/null
run sh -c "exec 3<&- 4<&-; \"$BURROW\" run --rm --preserve-fds 1 $IMG true"
fails_cleanly "--preserve-fds with fd 3 closed"
assert_match "$err" "file descriptor 3 is not available" "podman's message"
run sh -c "exec 3</dev/null 4</dev/null; \"$BURROW\" exec --preserve-fds 1 a $T fds"
assert_eq "$out" 3 "exec --preserve-fds 1: fd 3 only"
run sh -c "exec 3</dev/null 4</dev/null; \"$BURROW\" exec a $T fds"
assert_eq "$out" "" "exec without it: none"
run sh -c "exec 3<&-; \"$BURROW\" exec --preserve-fds 1 a true"
assert_rc 125 "exec --preserve-fds with fd 3 closed: 125"
assert_match "$err" "file descriptor 3 is not available" "podman's message"
run burrow run --rm --preserve-fds x $IMG true
fails_cleanly "--preserve-fds x" 2
assert_match "$err" "See 'burrow run --help'" "a usage error, as podman's"

done_testing
