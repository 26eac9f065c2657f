#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by tap.sh's run
# cgroup.t - limits, stats, freeze and cleanup through a delegated cgroup v2
# subtree, as an unprivileged user.  Runs inside the VM (tests/vm/vm.sh):
# BURROW_VM_MODE says which delegation path is under test, and
# BURROW_CGROUP_MANAGER forces it.
#
# Each test runs twice: through tests/vm/cgtest (the library, driven the way
# run/supervisor drive it) and through `burrow run` with the same flags.  The
# burrow run versions skip until run takes the limit flags; then they need
# no change beyond the image setup at the top of run_burrow.
. "$(dirname "$0")/../lib/tap.sh"

[ "$(id -u)" != 0 ] || skip_all "run as an unprivileged user (the VM harness does)"
[ -n "${BURROW_VM_MODE:-}" ] || skip_all "runs inside the VM: make check-vm"
B=${BURROW_BUILD:?}
CGTEST=$B/tests/cgtest
WORK=$B/tests/cgwork
[ -x "$CGTEST" ] && [ -x "$WORK" ] || skip_all "build $CGTEST and $WORK first (make check-vm)"
mode=$BURROW_VM_MODE
want_mgr=delegated
[ "${BURROW_CGROUP_MANAGER:-}" = systemd ] && want_mgr=systemd
diag "mode $mode: manager $want_mgr, cgroup $(grep '^0::' /proc/self/cgroup)"

# key VALUE-LINES: the value of key=... in $out
kv() { printf '%s\n' "$out" | sed -n "s/^$1=//p" | head -n 1; }

# `burrow run` with limits: skipped with the reason until run has the flags
run_has_limits=
if [ -x "${BURROW:-}" ] && "$BURROW" run --help 2>/dev/null | grep -q -- --memory; then
	run_has_limits=1
	# a private store with the busybox fixture (tests/lib/fixtures.sh)
	. "$(dirname "$0")/../lib/fixtures.sh"
	fixture_image local/busybox:1
	BURROW_VM_IMAGE=local/busybox:1
fi
burrow_run() { # DESC FLAGS... -- WORKLOAD...   (sets out, err, rc)
	if [ -z "$run_has_limits" ]; then
		return 1
	fi
	_d=$1
	shift
	_flags=
	while [ "$1" != -- ]; do _flags="$_flags $1"; shift; done
	shift
	# shellcheck disable=SC2086 # flags are words
	run "$BURROW" run --rm --network none -v "$WORK:/cgwork:ro" $_flags "${BURROW_VM_IMAGE:-busybox}" /cgwork "$@"
	return 0
}
skip_run() { skip "burrow run $1: run has no limit flags yet (issue #6 wiring)"; }

# --- the path in use -------------------------------------------------------
run "$CGTEST" --memory 64m probe
assert_rc 0 "probe finds a delegated cgroup"
assert_eq "$(kv manager)" "$want_mgr" "probe picks the $want_mgr path"

# --- OOM -----------------------------------------------------------------------
run "$CGTEST" --memory 64m --memory-swap 64m run -- "$WORK" hog 256
assert_eq "$(kv manager)" "$want_mgr" "hog: created through $want_mgr"
assert_eq "$(kv exit)" 137 "memory hog under --memory 64m is killed: exit 137"
assert_eq "$(kv oomkilled)" true "memory.events reports the OOM kill"
if burrow_run hog --memory 64m --memory-swap 64m -- hog 256; then
	assert_rc 137 "burrow run: memory hog exits 137"
else skip_run "--memory 64m hog"; fi

# --- update raises the limit: the hog survives ------------------------------------
run "$CGTEST" --memory 64m --memory-swap 64m update --memory 256m --memory-swap 256m -- "$WORK" hog 128
assert_eq "$(kv exit)" 0 "after update --memory 256m the 128m hog survives"
assert_eq "$(kv oomkilled)" false "no OOM kill after the update"
assert_match "$out" "survived" "the hog ran to the end"

# --- fork bomb ------------------------------------------------------------------
run "$CGTEST" --pids-limit 50 run -- "$WORK" forkbomb
forks=$(kv forks)
assert_eq "$(kv exit)" 0 "fork bomb under --pids-limit 50 returns"
assert_true "fork bomb stops below pids.max ($forks forks)" test "${forks:-999}" -lt 50
assert_match "$out" "errno=Resource temporarily unavailable" "fork fails with EAGAIN at pids.max"
assert_true "the VM is alive: we can still fork" sh -c true
if burrow_run forkbomb --pids-limit 50 -- forkbomb; then
	assert_rc 0 "burrow run: fork bomb is contained"
else skip_run "--pids-limit 50 forkbomb"; fi

# --- CPU quota ------------------------------------------------------------------
run "$CGTEST" --cpus 0.5 cpu 3 -- "$WORK" burn 30
cpu=$(kv cpu)
diag "cpu used under --cpus 0.5: $cpu"
assert_true "--cpus 0.5 burner uses 0.5 +- 0.15 CPU over 3 s (got $cpu)" \
	awk -v c="${cpu:-0}" 'BEGIN { exit !(c >= 0.35 && c <= 0.65) }'

# --- freeze -------------------------------------------------------------------------
run "$CGTEST" pause -- "$WORK" burn 30
diag "pause: freeze $(kv freeze_us) us; cpu usec before $(kv before_usec), frozen $(kv frozen_usec), thawed $(kv thawed_usec)"
assert_rc 0 "freeze and thaw succeed"
assert_true "no progress while frozen" test "$(kv frozen_usec)" -lt 20000
assert_true "progress after thaw" test "$(kv thawed_usec)" -gt 100000

# --- stats ----------------------------------------------------------------------------
# a hog that keeps its memory: 20 MiB, then sleep
run "$CGTEST" --memory 128m --pids-limit 100 stats -- "$WORK" hold 20 30
assert_rc 0 "stats succeed"
assert_eq "$(kv memory_max)" 134217728 "memory.max shows the 128m limit"
assert_true "memory.current is plausible ($(kv memory_current))" test "$(kv memory_current)" -gt 10000000
assert_true "memory.current is below the limit" test "$(kv memory_current)" -lt 134217728
assert_true "cpu usage is non-zero ($(kv cpu_usage_usec))" test "$(kv cpu_usage_usec)" -gt 0
assert_eq "$(kv pids_max)" 100 "pids.max shows the limit"
assert_true "pids.current counts the process ($(kv pids_current))" test "$(kv pids_current)" -ge 1
assert_true "cgroup.procs lists it ($(kv procs))" test "$(kv procs)" -ge 1
diag "memory.peak: $(kv memory_peak) (-1: not in this kernel)"

# --- a controller that is not delegated -------------------------------------------
run "$CGTEST" --cpuset-cpus 0 run -- true
assert_eq "$rc" 125 "--cpuset-cpus without the cpuset controller fails with 125"
assert_match "$err" "controller cpuset is not (delegated|enabled)" "the error names the cpuset controller"

# --- no leak ----------------------------------------------------------------------------
run "$CGTEST" --memory 64m --pids-limit 20 cycles 20 -- true
assert_rc 0 "20 containers created and destroyed"
assert_eq "$(kv stale_after_destroy)" 0 "each cgroup is gone once destroyed"
assert_eq "$(kv leftover)" 0 "no burrow cgroup is left after 20 containers"

# --- burrow run: the record, the cgroup's end, --ulimit, start latency ----------------
ms_now() { date +%s%N | sed 's/......$//'; }
# the cgroup directory of container ID (the scope's container leaf on the systemd path)
ctr_cg() {
	_d=$(find /sys/fs/cgroup -type d -name "burrow-$(printf %.12s "$1")*" 2>/dev/null | head -n 1)
	[ -d "$_d/container" ] && _d=$_d/container
	printf '%s' "$_d"
}
nprocs() { if [ -r "$1/cgroup.procs" ]; then grep -c . "$1/cgroup.procs"; else echo 0; fi; }
# processes on the VM whose command line is "sleep MARKER"
left_marker() {
	_n=0
	for _f in /proc/[0-9]*/cmdline; do
		[ "$(tr '\0' ' ' <"$_f" 2>/dev/null)" = "sleep $1 " ] && _n=$((_n + 1))
	done
	echo $_n
}
if [ -n "$run_has_limits" ]; then
	IMG=$BURROW_VM_IMAGE
	run "$BURROW" run --name oomer --network none -v "$WORK:/cgwork:ro" --memory 64m --memory-swap 64m "$IMG" /cgwork hog 256
	assert_rc 137 "burrow run (kept): the hog exits 137"
	run "$BURROW" inspect --format '{{.State.OOMKilled}}' oomer
	assert_eq "$out" true "inspect shows State.OOMKilled=true"
	run "$BURROW" rm oomer
	run "$BURROW" run --name fine --network none --memory 64m "$IMG" true
	assert_rc 0 "burrow run --memory 64m true exits 0"
	run "$BURROW" inspect --format '{{.State.OOMKilled}}' fine
	assert_eq "$out" false "no OOM kill: OOMKilled=false"
	run "$BURROW" rm fine
	run "$BURROW" run --rm --network none --memory 64m --ulimit nofile=64:128 "$IMG" sh -c 'ulimit -n; ulimit -Hn'
	assert_eq "$(printf '%s' "$out" | tr '\n' ' ')" "64 128" "--ulimit nofile=64:128 is set in the container"
	run "$BURROW" run --rm --network none --memory 64m "$IMG" cat /proc/self/cgroup
	assert_eq "$out" "0::/" "the cgroup namespace is rooted at the container's cgroup"
	i=0
	while [ $i -lt 20 ]; do
		"$BURROW" run --rm --network none --memory 32m --pids-limit 20 "$IMG" true >/dev/null 2>&1 || break
		i=$((i + 1))
	done
	assert_eq "$i" 20 "20 burrow run --rm with limits succeed"
	leftdirs=$(find /sys/fs/cgroup -type d -name 'burrow-*' ! -name burrow-cli ! -name 'burrow-vm*' 2>/dev/null)
	[ -z "$leftdirs" ] || diag "left: $leftdirs"
	left=$(printf '%s' "$leftdirs" | grep -c .)
	assert_eq "$left" 0 "no burrow cgroup is left after 20 burrow runs"
	# pause / unpause through burrow
	run "$BURROW" run -d --name pz --network none -v "$WORK:/cgwork:ro" --pids-limit 100 "$IMG" /cgwork burn 60
	assert_rc 0 "a detached burner with limits starts"
	run "$BURROW" pause pz
	assert_rc 0 "burrow pause"
	run "$BURROW" inspect --format '{{.State.Status}} {{.State.Paused}}' pz
	assert_eq "$out" "paused true" "inspect shows paused"
	run "$BURROW" pause pz
	assert_match "$err" "already paused" "pausing twice is refused"
	run "$BURROW" unpause pz
	assert_rc 0 "burrow unpause"
	run "$BURROW" inspect --format '{{.State.Status}}' pz
	assert_eq "$out" running "running again after unpause"
	run "$BURROW" rm -f pz
	assert_rc 0 "rm -f of the burner"
	# stats and update through burrow
	run "$BURROW" run -d --name st --network none -v "$WORK:/cgwork:ro" --memory 64m "$IMG" /cgwork hold 20 60
	assert_rc 0 "a detached supervisor with --memory 64m starts"
	# until the 20 MiB are touched (no output says so; its cgroup does)
	poll sh -c "'$BURROW' stats --no-stream --format json st | grep -q '\"MemUsage\": [1-9][0-9]\\{7,\\},'"
	run "$BURROW" stats --no-stream --format json st
	assert_rc 0 "burrow stats --no-stream --format json"
	assert_match "$out" '"MemLimit": 67108864,' "stats: MemLimit is 64 MiB"
	assert_match "$out" '"MemUsage": [1-9][0-9]*,' "stats: MemUsage is not zero"
	assert_match "$out" '"PIDs": [1-9]' "stats: PIDs is not zero"
	run "$BURROW" stats --no-stream st
	assert_match "$out" " st +[0-9.]+% +[0-9.]+[kMG]?B / 67.11MB " "stats table: the row with usage / 64 MiB limit"
	run "$BURROW" rm -f st
	run "$BURROW" run -d --name upd --network none -v "$WORK:/cgwork:ro" --memory 64m --memory-swap 64m "$IMG" sh -c 'while [ ! -e /go ]; do usleep 20000; done; /cgwork hog 128'
	assert_rc 0 "a detached hog with --memory 64m starts, waiting for /go"
	run "$BURROW" update --memory 256m upd
	assert_rc 125 "update --memory above the recorded --memory-swap is refused"
	assert_match "$err" "must be at least --memory" "and says why"
	run "$BURROW" update --memory 256m --memory-swap 256m upd
	assert_rc 0 "burrow update --memory 256m --memory-swap 256m"
	run "$BURROW" stats --no-stream --format json upd
	assert_match "$out" '"MemLimit": 268435456,' "stats shows the raised limit"
	"$BURROW" exec upd touch /go
	run "$BURROW" wait upd
	assert_eq "$out" 0 "after burrow update the 128m hog survives (exit 0, not 137)"
	run "$BURROW" logs upd
	assert_match "$out" "survived" "the hog ran to the end"
	run "$BURROW" start upd
	run "$BURROW" wait upd
	assert_eq "$out" 0 "the updated limit is kept across a restart"
	run "$BURROW" rm -f upd
	# the container's cgroup holds the container and nothing else: the
	# supervisor, fuse-overlayfs and burrow-net stay outside it
	# an init that ignores SIGTERM, with children that double-fork
	tree='trap "" TERM; for i in 1 2 3; do (sleep 7777 & sleep 7777 &) ; done; sleep 7777 & wait'
	run "$BURROW" run -d --name tree --network none --pids-limit 100 "$IMG" sh -c "$tree"
	assert_rc 0 "a detached process tree with limits starts"
	tid=$out
	cgd=$(ctr_cg "$tid")
	assert_true "its cgroup exists ($cgd)" test -n "$cgd" -a -d "$cgd"
	poll eval "[ \$(nprocs '$cgd') -ge 8 ]"
	assert_true "cgroup.procs lists the tree ($(nprocs "$cgd") processes)" test "$(nprocs "$cgd")" -ge 8
	ipid=$("$BURROW" inspect --format '{{.State.Pid}}' tree)
	mon=$(awk '{ print $4 }' "/proc/$ipid/stat" 2>/dev/null)
	assert_true "the supervisor ($mon) is not in the container's cgroup" sh -c "! grep -qx '${mon:-x}' '$cgd/cgroup.procs'"
	run "$BURROW" top tree
	assert_rc 0 "burrow top"
	tops=$(printf '%s\n' "$out" | grep -c ' sleep 7777$')
	assert_eq "$tops" 7 "top lists every process of the cgroup, double-forked ones too"
	assert_eq "$(($(printf '%s\n' "$out" | wc -l) - 1))" "$(nprocs "$cgd")" "top lists exactly cgroup.procs"
	# exec joins the container's cgroup where the caller may move itself:
	# in a delegated subtree, not from outside a systemd scope
	run "$BURROW" exec tree cat /proc/self/cgroup
	if [ "$want_mgr" = delegated ]; then
		assert_eq "$out" "0::/" "burrow exec runs in the container's cgroup"
	else
		assert_rc 0 "burrow exec from outside the scope runs (in the caller's cgroup: $out)"
	fi
	t0=$(ms_now)
	run "$BURROW" stop -t 1 tree
	t1=$(ms_now)
	assert_rc 0 "burrow stop -t 1 of an init that ignores SIGTERM"
	diag "stop -t 1 took $((t1 - t0)) ms"
	assert_true "the container's cgroup is empty or gone after stop" sh -c "[ ! -d '$cgd' ] || [ ! -s '$cgd/cgroup.procs' ]"
	assert_eq "$(left_marker 7777)" 0 "no process of the tree is left after stop"
	run "$BURROW" inspect --format '{{.State.Status}} {{.State.ExitCode}}' tree
	assert_eq "$out" "exited 137" "the supervisor survived the kill and recorded exit 137"
	run "$BURROW" start tree
	assert_rc 0 "the tree starts again"
	cgd=$(ctr_cg "$tid")
	poll eval "[ \$(nprocs '$cgd') -ge 8 ]"
	run "$BURROW" kill -s KILL tree
	assert_rc 0 "burrow kill -s KILL"
	run "$BURROW" wait tree
	assert_eq "$out" 137 "kill -s KILL: exit 137"
	assert_true "the container's cgroup is empty or gone after kill" sh -c "[ ! -d '$cgd' ] || [ ! -s '$cgd/cgroup.procs' ]"
	assert_eq "$(left_marker 7777)" 0 "no process of the tree is left after kill -s KILL"
	run "$BURROW" start tree
	poll eval "[ \$(left_marker 7777) -ge 7 ]"
	run "$BURROW" rm -f tree
	assert_rc 0 "rm -f of the running tree"
	assert_eq "$(left_marker 7777)" 0 "no process of the tree is left after rm -f"
	# --cpus 0.5 through burrow run, measured from the container's cpu.stat
	run "$BURROW" run -d --name half --network none -v "$WORK:/cgwork:ro" --cpus 0.5 "$IMG" /cgwork burn 60
	assert_rc 0 "a detached burner with --cpus 0.5 starts"
	cgd=$(ctr_cg "$out")
	# until the burner has used 0.2 s of CPU: running, and throttled by now
	poll eval "[ \"\$(sed -n 's/^usage_usec //p' '$cgd/cpu.stat')\" -ge 200000 ]"
	u0=$(sed -n 's/^usage_usec //p' "$cgd/cpu.stat"); t0=$(date +%s%N)
	sleep 3
	u1=$(sed -n 's/^usage_usec //p' "$cgd/cpu.stat"); t1=$(date +%s%N)
	cpu=$(awk -v a="${u0:-0}" -v b="${u1:-0}" -v t="$t0" -v u="$t1" 'BEGIN { printf "%.3f", (b - a) * 1000 / (u - t) }')
	diag "burrow run --cpus 0.5: $cpu CPU over 3 s"
	assert_true "burrow run --cpus 0.5 burner uses 0.5 +- 0.15 CPU over 3 s (got $cpu)" \
		awk -v c="$cpu" 'BEGIN { exit !(c >= 0.35 && c <= 0.65) }'
	run "$BURROW" rm -f half
	# start latency with and without limits (bench/cgroup measures the library alone)
	t0=$(ms_now)
	for _ in 1 2 3 4 5; do "$BURROW" run --rm --network none "$IMG" true; done
	t1=$(ms_now)
	for _ in 1 2 3 4 5; do "$BURROW" run --rm --network none --memory 64m "$IMG" true; done
	t2=$(ms_now)
	diag "burrow run --rm true, mean of 5 ($want_mgr): $(((t1 - t0) / 5)) ms without limits, $(((t2 - t1) / 5)) ms with --memory 64m"
else
	skip_run "record, cleanup and --ulimit"
fi

done_testing
