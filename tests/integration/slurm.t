#!/bin/sh
# slurm.t - burrow run in Slurm job steps, on the two-node test cluster of
# tests/lib/slurm-cluster.sh (started by make check as root; the file skips
# when it is down): the Slurm defaults (the user's IDs, the SLURM_/PMI_
# variables, the PMI socket), exit codes and scancel, one container per node
# joined by every rank with /dev/shm shared, nothing left afterwards, and
# MPI programs from Debian's MPICH and Open MPI in single-file images built
# by tests/lib/mpi-image.sh (cached in $BURROW_TEST_CACHE).
# shellcheck shell=sh
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"

need_slurm
fixture_store
IMG=local/busybox:slurm
fixture_image $IMG
me=$(id -u)
# every srun is bounded: a hang fails the test instead of the suite
SRUN="timeout -k 10 120 srun --quiet"

# what a step may leave behind: containers, the node locks, processes
left_behind() {
	_p=$("$BURROW" ps -aq)
	_l=$(ls -A "$BURROW_RUNROOT/slurm" 2>/dev/null)
	# this file's only: other burrow tests may run beside it
	_s=$(pgrep -u "$me" -f "burrow-init --pause|(squashfuse|fuse-overlayfs).*($FIXTURE_DIR|/mpi-[a-z]*\.sqfs)" || true)
	[ -z "$_p$_l$_s" ] && return 0
	echo "containers: $_p; locks: $_l; processes: $_s"
	return 1
}

# --- the defaults -----------------------------------------------------------------
run $SRUN -N2 -n4 --mpi=pmi2 "$BURROW" run --rm $IMG \
	sh -c 'echo "rank=$SLURM_PROCID node=$SLURMD_NODENAME pmi=$PMI_RANK/$PMI_SIZE uid=$(id -u) gid=$(id -g) fd=$PMI_FD"; test -S /proc/self/fd/$PMI_FD || readlink /proc/self/fd/$PMI_FD'
assert_rc 0 "srun -N2 -n4 burrow run: every rank succeeds"
ranks=$(echo "$out" | sed -n 's/^rank=\([0-9]*\) .*/\1/p' | sort -n | tr '\n' ' ')
assert_eq "$ranks" "0 1 2 3 " "SLURM_PROCID 0-3 are passed into the container"
assert_match "$out" "node=n1 " "ranks run on n1"
assert_match "$out" "node=n2 " "and on n2"
assert_match "$out" "pmi=3/4 " "PMI_RANK and PMI_SIZE are passed"
assert_eq "$(echo "$out" | grep -c "uid=$me gid=$(id -g) ")" 4 "each rank keeps the user's UID and GID (keep-id)"
assert_eq "$(echo "$out" | grep -c 'fd=3$')" 4 "the PMI socket is open in the container as fd 3 (PMI_FD)"
poll left_behind
assert_rc 0 "nothing is left after the step (containers, locks, processes)"

run $SRUN -N1 -n1 "$BURROW" run --rm --slurm=off $IMG sh -c 'echo "[$SLURM_PROCID] $(id -u)"'
assert_rc 0 "--slurm=off runs too"
assert_eq "$out" "[] 0" "--slurm=off: no Slurm variables, root in the container"

run "$BURROW" run --rm --slurm=on --node-share=false $IMG sh -c 'id -u; readlink /proc/self/ns/net'
assert_rc 0 "--slurm=on outside a job step"
assert_eq "$(echo "$out" | head -n 1)" "$me" "--slurm=on outside a step: the user's UID"
assert_eq "$(echo "$out" | tail -n 1)" "$(readlink /proc/self/ns/net)" "--slurm=on: the host's network"

run "$BURROW" run --rm --node-share $IMG true
assert_rc 125 "--node-share outside Slurm mode is refused"
assert_match "$err" "needs Slurm mode" "and says why"

# --- exit codes and scancel ---------------------------------------------------------
run $SRUN -N2 -n2 "$BURROW" run --rm $IMG sh -c 'exit $((SLURM_PROCID + 3))'
assert_rc 4 "a failing rank's exit code reaches srun (the highest: 4)"
assert_match "$err" "Exited with exit code 4" "srun names the failing task's code"
poll left_behind
assert_rc 0 "nothing is left after failing ranks"

ctl=$FIXTURE_DIR/ctl
mkdir -p "$ctl"
$SRUN -N2 -n2 -J burrow-scancel "$BURROW" run --rm -v "$ctl:/ctl" $IMG \
	sh -c 'touch /ctl/up.$SLURM_PROCID; exec sleep 300' >"$ctl/out" 2>&1 &
srun_pid=$!
poll test -e "$ctl/up.0" -a -e "$ctl/up.1"
assert_rc 0 "both ranks of the step to cancel are running"
job=$(squeue -h -u "$me" -n burrow-scancel -o %i | head -n 1)
scancel "$job"
wait "$srun_pid"
src=$?
assert_ne "$src" 0 "scancel: srun ends with a failure ($src)"
poll left_behind
assert_rc 0 "scancel: nothing is left (containers, locks, processes)"

# a rank's burrow killed with SIGKILL: its command goes with it (the other
# rank's ends by itself), and the last rank out still removes everything
rm -f "$ctl"/*
$SRUN -N1 -n2 -K0 "$BURROW" run --rm -v "$ctl:/ctl" $IMG \
	sh -c 'touch /ctl/up.$SLURM_PROCID; while [ ! -e /ctl/go ]; do sleep 0.1; done' >"$ctl/out" 2>&1 &
srun_pid=$!
poll test -e "$ctl/up.0" -a -e "$ctl/up.1"
assert_rc 0 "both ranks of the step to kill a rank of are running"
victim=$(pgrep -u "$me" -f "burrow run --rm -v $ctl:/ctl" | while read -r p; do
	[ "$(tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | sed -n 's/^SLURM_PROCID=//p')" = 1 ] && echo "$p"
done | head -n 1)
if [ -n "$victim" ]; then
	kill -KILL "$victim"
	: >"$ctl/go"
	wait "$srun_pid"
	src=$?
	assert_ne "$src" 0 "a rank killed with SIGKILL fails the step ($src)"
	assert_match "$(cat "$ctl/out")" "task 1: Killed" "srun names the killed task"
else
	: >"$ctl/go"
	wait "$srun_pid"
	not_ok "finding rank 1's burrow run to kill"
	skip "no rank to kill"
fi
poll left_behind
assert_rc 0 "a rank killed with SIGKILL: nothing is left (containers, locks, processes)"

# --- one container per node --------------------------------------------------------
rm -f "$ctl"/*
SQ=$FIXTURE_DIR/busybox.sqfs
"$BURROW" save --format squashfs -o "$SQ" $IMG
run $SRUN -N1 -n1 "$BURROW" run --rm "$SQ" sh -c 'echo $(id -u):$(id -g) $(stat -c %u /bin/busybox)'
assert_eq "$out" "$me:$(id -g) 0" "a single-file image runs as the user in a step (keep-id), its files stay root's"
# --ipc=private: the container's own /dev/shm (Slurm mode's --ipc=host
# would show the host's), shared by the ranks that joined it
$SRUN -N2 -n4 "$BURROW" run --rm --ipc=private -v "$ctl:/ctl" "$SQ" sh -c '
	touch /dev/shm/r$SLURM_PROCID
	echo "$SLURMD_NODENAME $(readlink /proc/self/ns/mnt)" >/ctl/ns.$SLURM_PROCID
	while [ ! -e /ctl/go ]; do sleep 0.1; done
	echo "$SLURMD_NODENAME shm: $(ls /dev/shm | tr "\n" " ")"' >"$ctl/out" 2>&1 &
srun_pid=$!
poll test -e "$ctl/ns.0" -a -e "$ctl/ns.1" -a -e "$ctl/ns.2" -a -e "$ctl/ns.3"
assert_rc 0 "four ranks of a single-file image are running"
nmnt=$(cat "$ctl"/ns.* | sort -u | wc -l)
assert_eq "$nmnt" 2 "4 ranks on 2 nodes share 2 mount namespaces: one container per node"
nfuse=$(pgrep -u "$me" -c -f "squashfuse.*$SQ")
# (the two nodes of the test cluster are one machine: one shared mount may serve both)
assert_true "at most one squashfuse mount per node, not per rank ($nfuse)" [ "$nfuse" -ge 1 -a "$nfuse" -le 2 ]
: >"$ctl/go"
wait "$srun_pid"
assert_eq "$?" 0 "the ranks end well"
assert_eq "$(grep -c 'shm: r[0-3] r[0-3] $' "$ctl/out")" 4 "each rank sees the /dev/shm files of both ranks on its node"
poll left_behind
assert_rc 0 "nothing is left after the single-file image's step"

# a rank that joins the node's container has its own variables, none of
# the rank's that started it (each task exports one of its own)
rm -f "$ctl"/*
run $SRUN -N1 -n2 sh -c 'export "SLURM_TEST_ONLY_$SLURM_PROCID=1"; exec "$@"' sh \
	"$BURROW" run --rm -v "$ctl:/ctl" "$SQ" sh -c '
	touch /ctl/j.$SLURM_PROCID
	while [ ! -e /ctl/j.0 ] || [ ! -e /ctl/j.1 ]; do sleep 0.1; done
	echo "$SLURM_PROCID: $(env | grep ^SLURM_TEST_ONLY_ | sort | tr "\n" " ")$(readlink /proc/self/ns/mnt)"'
assert_rc 0 "two ranks on one node run together"
assert_eq "$(echo "$out" | sed 's/ mnt:.*//' | sort | tr '\n' '|')" "0: SLURM_TEST_ONLY_0=1|1: SLURM_TEST_ONLY_1=1|" \
	"each rank sees its own variable only, not the other's"
assert_eq "$(echo "$out" | sed -n 's/.* mnt:/mnt:/p' | sort -u | wc -l)" 1 "and they share the node's container"
poll left_behind
assert_rc 0 "nothing is left after it"

# --- MPI -------------------------------------------------------------------------
# mpi_image KIND: the cached single-file image with KIND's mpi-hello, built
# once (a few minutes of apt-get) by tests/lib/mpi-image.sh
mpi_image() {
	_c=${BURROW_TEST_CACHE:-$BURROW_BUILD/fixtures}
	_f=$_c/mpi-$1.sqfs
	if [ ! -s "$_f" ]; then
		mkdir -p "$_c"
		sh "$(dirname "$0")/../lib/mpi-image.sh" "$1" "$_f" >&2 || return 1
	fi
	echo "$_f"
}

if ! fixture_debian_tar >/dev/null; then
	skip "no Debian minbase tarball for the MPI images (MPICH)"
	skip "no Debian minbase tarball for the MPI images (Open MPI)"
else
	if MPICH=$(mpi_image mpich); then
		run $SRUN -N2 -n4 --mpi=pmi2 "$BURROW" run --rm "$MPICH" mpi-hello
		assert_rc 0 "MPICH under srun --mpi=pmi2: the job succeeds"
		assert_eq "$(echo "$out" | sed -n 's/^rank \([0-9]\) of 4 on n[12] sum 4$/\1/p' | sort | tr -d '\n')" \
			0123 "MPICH: ranks 0-3 of one world of 4, wired up across both nodes"
		assert_match "$out" "on n1 " "MPICH: ranks on n1"
		assert_match "$out" "on n2 " "MPICH: ranks on n2"
	else
		not_ok "building the MPICH image (tests/lib/mpi-image.sh)"
	fi
	# Open MPI speaks PMIx only: each node's slurmstepd serves its ranks
	# from its own directories (TmpFS and SlurmdSpoolDir are per node in the
	# test cluster, as on separate machines)
	if OMPI=$(mpi_image openmpi); then
		run $SRUN -N2 -n4 --mpi=pmix "$BURROW" run --rm "$OMPI" mpi-hello
		assert_rc 0 "Open MPI under srun --mpi=pmix: the job succeeds"
		assert_eq "$(echo "$out" | sed -n 's/^rank \([0-9]\) of 4 on n[12] sum 4$/\1/p' | sort | tr -d '\n')" \
			0123 "Open MPI: ranks 0-3 of one world of 4, wired up across both nodes"
		assert_match "$out" "on n1 " "Open MPI: ranks on n1"
		assert_match "$out" "on n2 " "Open MPI: ranks on n2"
		run $SRUN -N2 -n4 --mpi=pmix "$BURROW" run --rm --node-share=false "$OMPI" mpi-hello
		assert_rc 0 "Open MPI, one container per rank (--node-share=false): the job succeeds"
		assert_eq "$(echo "$out" | sed -n 's/^rank \([0-9]\) of 4 on n[12] sum 4$/\1/p' | sort | tr -d '\n')" \
			0123 "Open MPI, one container per rank: ranks 0-3 of one world of 4"
	else
		not_ok "building the Open MPI image (tests/lib/mpi-image.sh)"
	fi
fi
poll left_behind
assert_rc 0 "nothing is left after the MPI steps"

done_testing
