#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# The syscall filter (src/lib/runtime/seccomp.c): the default profile denies
# what podman's denies (EPERM for the listed calls, ENOSYS for the rest),
# in the init, in exec and in health probes; --security-opt
# seccomp=unconfined turns it off; seccomp=PROFILE.json loads a profile in
# the OCI/docker format, and a bad one fails with one line and 125.
# The calls are made by testinit, bound in from the build directory.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
PROBE=$BURROW_BUILD/tests/testinit
[ -x "$PROBE" ] || skip_all "$PROBE not built"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
V="-v $PROBE:/probe:ro"
T=$FIXTURE_DIR/seccomp
mkdir -p "$T"

# on the host (unconfined): the calls work here, or the kernel has them off
run "$PROBE" syscall vmsplice personality io_uring_setup userfaultfd getpid
HOST=$out

# --- the default filter
# shellcheck disable=SC2086
run burrow run --rm $V $IMG /probe syscall getpid vmsplice personality
assert_match "$out" "getpid ok" "default filter: an allowed call works"
assert_match "$out" "vmsplice EPERM" "default filter: vmsplice is denied with EPERM"
assert_match "$out" "personality ENOSYS" "default filter: personality with a persona not on the list fails with ENOSYS"
assert_rc 1 "the probe saw a failure"
case $HOST in *"io_uring_setup ok"*)
	# shellcheck disable=SC2086
	run burrow run --rm $V $IMG /probe syscall io_uring_setup
	assert_match "$out" "io_uring_setup ENOSYS" "default filter: io_uring_setup gets ENOSYS"
	;;
*) skip "io_uring is off on this host" ;;
esac
case $HOST in *"userfaultfd ok"*)
	# shellcheck disable=SC2086
	run burrow run --rm $V $IMG /probe syscall userfaultfd
	assert_match "$out" "userfaultfd EPERM" "default filter: userfaultfd gets EPERM"
	;;
*) skip "userfaultfd is off on this host" ;;
esac

# --- unconfined
# shellcheck disable=SC2086
run burrow run --rm --security-opt seccomp=unconfined $V $IMG /probe syscall getpid vmsplice personality
assert_rc 0 "seccomp=unconfined: every call works"
assert_match "$out" "vmsplice ok" "seccomp=unconfined: vmsplice works"
assert_match "$out" "personality ok" "seccomp=unconfined: personality works"

# --- exec and health probes get the container's filter
# shellcheck disable=SC2086
run burrow run -d --name sc-d $V --health-cmd '/probe syscall vmsplice' --health-interval 1h $IMG sleep 1000
assert_rc 0 "a detached container with the default filter"
run burrow exec sc-d /probe syscall vmsplice
assert_match "$out" "vmsplice EPERM" "exec: the command gets the container's filter"
run burrow healthcheck run sc-d
assert_rc 1 "healthcheck: the probe gets the filter (vmsplice fails, unhealthy)"
# shellcheck disable=SC2086
run burrow run -d --name sc-u --security-opt seccomp=unconfined $V --health-cmd '/probe syscall vmsplice' \
	--health-interval 1h $IMG sleep 1000
run burrow exec sc-u /probe syscall vmsplice
assert_match "$out" "vmsplice ok" "exec into an unconfined container is unconfined"
run burrow healthcheck run sc-u
assert_rc 0 "healthcheck in an unconfined container: healthy"
burrow rm -f sc-d sc-u >/dev/null 2>&1

# --- a profile file
cat >"$T/p.json" <<'EOF'
{"defaultAction":"SCMP_ACT_ALLOW",
 "architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"],
 "syscalls":[{"names":["vmsplice"],"action":"SCMP_ACT_ERRNO","errnoRet":13},
	     {"names":["personality"],"action":"SCMP_ACT_ERRNO","errno":"EBUSY",
	      "args":[{"index":0,"value":4194304,"op":"SCMP_CMP_EQ"}]},
	     {"names":["no_such_call"],"action":"SCMP_ACT_ERRNO"}]}
EOF
# shellcheck disable=SC2086
run burrow run --rm --security-opt seccomp="$T/p.json" $V $IMG /probe syscall getpid vmsplice personality
assert_match "$out" "getpid ok" "profile: the default action allows"
assert_match "$out" "vmsplice EACCES" "profile: errnoRet 13 gives EACCES"
assert_match "$out" "personality EBUSY" "profile: an argument condition and an errno name"

# --- a profile that lists only the command's own calls (as a tight,
# hand-made profile does) and kills on anything else: after the filter the
# init makes no call but the exec (through $PATH), so the command runs
cat >"$T/tight.json" <<'EOF'
{"defaultAction":"SCMP_ACT_KILL_PROCESS",
 "syscalls":[{"names":["execve","arch_prctl","brk","exit_group","getrandom","getuid","mprotect","prctl",
		       "prlimit64","readlink","rseq","set_robust_list","set_tid_address","write"],
	      "action":"SCMP_ACT_ALLOW"}]}
EOF
run burrow run --rm --security-opt seccomp="$T/tight.json" $IMG echo tight
assert_rc 0 "a profile with only the command's calls: the container runs"
assert_eq "$out" "tight" "and the command's output is there"

printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_BOGUS"}]}' >"$T/bad.json"
before=$(burrow ps -aq | wc -l)
# shellcheck disable=SC2086
run burrow run --rm --security-opt seccomp="$T/bad.json" $IMG true
assert_rc 125 "a bad profile fails with 125"
assert_eq "$err" "burrow: error: --security-opt seccomp=$T/bad.json: seccomp profile: syscalls[0]: unknown action \"SCMP_ACT_BOGUS\"" \
	"in one line that names the problem"
assert_eq "$(burrow ps -aq | wc -l)" "$before" "and leaves no container behind"
run burrow run --rm --security-opt seccomp="$T/missing.json" $IMG true
assert_rc 125 "a missing profile fails with 125"
assert_match "$err" "seccomp=$T/missing.json: .*No such file" "naming the file"
for kw in unconfined default; do
	printf '%s\n' "$kw" >"$T/kw.json"
	run burrow run --rm --security-opt seccomp="$T/kw.json" $IMG true
	assert_rc 125 "a profile file that reads \"$kw\" fails with 125 (never the keyword)"
	assert_match "$err" "seccomp=$T/kw.json: seccomp profile: not a JSON object" "saying it is not a JSON object"
done
printf '{"defaultAction":"SCMP_ACT_NOTIFY"}' >"$T/notify.json"
run burrow run --rm --security-opt seccomp="$T/notify.json" $IMG true
assert_match "$err" "SCMP_ACT_NOTIFY is not supported" "an unsupported action says so"

# --- the compiled program is cached in the store
run sh -c "ls \"\$BURROW_ROOT\"/seccomp 2>/dev/null | wc -l"
assert_ne "$out" 0 "compiled filters are cached under the store's seccomp/"
done_testing
