#!/bin/sh
# slurm-cluster.sh - a two-node Slurm cluster on this machine, for the tests.
#
#   sh tests/lib/slurm-cluster.sh [start]   (root) start it unless it is up
#   sh tests/lib/slurm-cluster.sh stop      (root) stop what start started
#   sh tests/lib/slurm-cluster.sh status    exit 0 when both nodes are idle
#
# Debian's munge, slurmctld and two slurmd (nodes n1 and n2, both
# NodeHostname=localhost, each on its own port) all on 127.0.0.1, with
# MpiDefault=pmi2.  Each node has its own directories, as separate machines
# would: SlurmdSpoolDir (the PMIx server's sockets) and TmpFS (the base of
# the PMIx client directory, spmix_appdir_UID_JOB.STEP, whose name has no
# node in it: with one TmpFS for both nodes the second slurmstepd of a
# --mpi=pmix step fails to create it).  TmpFS stays under /tmp, where a
# container can make the client's session directory in its own /tmp.
# Everything else lives in
#
#   $BURROW_TEST_SLURM_DIR   (default /var/lib/burrow-tests/slurm)
#   $BURROW_TEST_SLURM_TMPFS (default /tmp/burrow-tests-slurm): n1/, n2/
#
# slurm.conf, spool and state directories, logs and pid files; the client
# commands find the cluster with SLURM_CONF=$BURROW_TEST_SLURM_DIR/slurm.conf
# (tests/lib/fixtures.sh: need_slurm).  munged is the machine's own, on its
# default socket: a running one is reused, else it is started here (and
# stopped by `stop`).  The SPANK plugin configuration is
# $BURROW_TEST_SLURM_DIR/plugstack.conf, which includes plugstack.conf.d/*.conf.
#
# `make check` as root (tests/lib/root-check.sh) runs start before the suite
# and stop after it, unless the cluster was already up.  start is idempotent:
# with the same slurm.conf and both nodes idle it does nothing.  It waits for
# the nodes by polling sinfo (up to BURROW_TEST_SLURM_TIMEOUT seconds, 60)
# and exits non-zero with the reason, and the daemons' log tails, when they
# don't come up; the tests that need Slurm then skip.
# shellcheck shell=sh
set -eu

dir=${BURROW_TEST_SLURM_DIR:-/var/lib/burrow-tests/slurm}
timeout=${BURROW_TEST_SLURM_TIMEOUT:-60}
ctld_port=${BURROW_TEST_SLURM_PORT:-16817}
tmpfs=${BURROW_TEST_SLURM_TMPFS:-/tmp/burrow-tests-slurm}
conf=$dir/slurm.conf
SLURM_CONF=$conf
export SLURM_CONF

say() { echo "slurm-cluster: $*"; }
die() {
	say "$*" >&2
	exit 1
}

# pid_alive FILE: the pid in FILE runs
pid_alive() {
	[ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

# nodes_idle: sinfo lists n1 and n2, both idle (or mixed/allocated: up)
nodes_idle() {
	s=$(sinfo -h -N -o '%N %t' 2>/dev/null) || return 1
	n=$(echo "$s" | awk '$2 ~ /^(idle|mix|alloc)$/ { c++ } END { print c + 0 }')
	[ "$n" -ge 2 ]
}

# poll CMD...: run CMD every 0.1 s until it succeeds, for $timeout seconds
poll() {
	i=0
	while ! "$@"; do
		i=$((i + 1))
		[ "$i" -ge $((timeout * 10)) ] && return 1
		sleep 0.1
	done
	return 0
}

munge_ok() { munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; }

# wait for a daemon's pid file and process to go away (after a signal)
stop_pid() {
	f=$1
	p=$(cat "$f" 2>/dev/null) || p=
	if [ -n "$p" ] && kill "$p" 2>/dev/null; then
		gone() { ! kill -0 "$p" 2>/dev/null; }
		poll gone || kill -9 "$p" 2>/dev/null || true
	fi
	rm -f "$f"
}

no_jobs() { [ -z "$(squeue -h -o %i 2>/dev/null)" ]; }

stop() {
	# end the jobs first, so no slurmstepd outlives its slurmd
	if pid_alive "$dir/run/slurmctld.pid" && ! no_jobs; then
		squeue -h -o %i 2>/dev/null | xargs -r scancel 2>/dev/null || true
		poll no_jobs || say "warning: jobs still running after $timeout s"
	fi
	for n in n1 n2; do stop_pid "$dir/run/slurmd-$n.pid"; done
	stop_pid "$dir/run/slurmctld.pid"
	rm -rf "${tmpfs:?}"
	if [ -f "$dir/run/munged.started" ]; then
		p=$(cat /run/munge/munged.pid 2>/dev/null || true)
		if [ -n "$p" ]; then
			kill "$p" 2>/dev/null || true
			gone() { ! kill -0 "$p" 2>/dev/null; }
			poll gone || true
		fi
		rm -f "$dir/run/munged.started"
	fi
	say "stopped"
}

write_conf() {
	cpus=$(nproc)
	# a node that declares more CPUs than the machine has is drained
	[ "$cpus" -gt 0 ] || cpus=1
	cat <<EOF
# written by tests/lib/slurm-cluster.sh: a two-node test cluster on 127.0.0.1
ClusterName=burrowtest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
TmpFS=$tmpfs/%n
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd-%n.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$dir/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=pmi2
ReturnToService=2
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=2
NodeName=n[1-2] NodeHostname=localhost NodeAddr=127.0.0.1 Port=[$((ctld_port + 1))-$((ctld_port + 2))] CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=n[1-2] Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:64
EOF
}

# each node's TmpFS (made again if something cleaned /tmp meanwhile)
tmpfs_dirs() {
	[ ! -L "$tmpfs" ] || die "$tmpfs is a symbolic link"
	mkdir -p "$tmpfs/n1" "$tmpfs/n2"
	chmod 0755 "$tmpfs"
	chmod 1777 "$tmpfs/n1" "$tmpfs/n2"
}

status() {
	[ -s "$conf" ] && pid_alive "$dir/run/slurmctld.pid" &&
		pid_alive "$dir/run/slurmd-n1.pid" && pid_alive "$dir/run/slurmd-n2.pid" &&
		munge_ok && nodes_idle
}

logs() {
	for f in "$dir"/log/*.log; do
		[ -f "$f" ] || continue
		echo "--- $f" >&2
		tail -n 15 "$f" >&2
	done
}

start() {
	for b in munged slurmctld slurmd sinfo; do
		command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] ||
			die "$b is not installed (tests/lib/deps.sh installs munge, slurmctld, slurmd, slurm-client)"
	done
	mkdir -p "$dir"
	chmod 0755 "$dir"
	new=$(write_conf)
	if [ -s "$conf" ] && [ "$(cat "$conf")" = "$new" ] && status; then
		tmpfs_dirs
		say "up (n1, n2 idle)"
		return 0
	fi
	# something half up or a changed configuration: start afresh
	stop >/dev/null
	mkdir -p "$dir/state" "$dir/spool/n1" "$dir/spool/n2" "$dir/run" "$dir/log" "$dir/plugstack.conf.d"
	chmod 0755 "$dir/log" "$dir/run" "$dir/plugstack.conf.d"
	rm -rf "${dir:?}/state/"* "$dir/spool/n1/"* "$dir/spool/n2/"* "${tmpfs:?}"
	tmpfs_dirs
	: >"$dir/log/slurmctld.log"
	: >"$dir/log/slurmd-n1.log"
	: >"$dir/log/slurmd-n2.log"
	echo "$new" >"$conf"
	chmod 0644 "$conf"
	[ -f "$dir/plugstack.conf" ] ||
		echo "include $dir/plugstack.conf.d/*.conf" >"$dir/plugstack.conf"
	chmod 0644 "$dir/plugstack.conf"

	# munge: the machine's key (the package makes one) and default socket
	if ! munge_ok; then
		[ -s /etc/munge/munge.key ] || die "no /etc/munge/munge.key (reinstall munge, or run mungekey)"
		mkdir -p /run/munge
		chown munge: /run/munge
		chmod 0755 /run/munge
		say "starting munged"
		runuser -u munge -- /usr/sbin/munged ||
			die "munged did not start ($(tail -n 3 /var/log/munge/munged.log 2>/dev/null))"
		: >"$dir/run/munged.started"
		poll munge_ok || die "munged started but munge -n | unmunge fails"
	fi

	say "starting slurmctld and slurmd n1, n2 (ports $ctld_port-$((ctld_port + 2)))"
	/usr/sbin/slurmctld -f "$conf" -i || {
		logs
		die "slurmctld did not start"
	}
	for n in n1 n2; do
		/usr/sbin/slurmd -f "$conf" -N "$n" || {
			logs
			die "slurmd -N $n did not start"
		}
	done
	if ! poll nodes_idle; then
		sinfo -N >&2 || true
		logs
		die "the nodes were not idle after $timeout s"
	fi
	say "up (n1, n2 idle) in $dir"
}

case ${1:-start} in
start)
	[ "$(id -u)" = 0 ] || die "start must run as root"
	start
	;;
stop)
	[ "$(id -u)" = 0 ] || die "stop must run as root"
	stop
	;;
status)
	if status; then
		say "up"
	else
		say "down"
		exit 1
	fi
	;;
*)
	echo "slurm-cluster.sh: unknown command: $1 (start, stop or status)" >&2
	exit 2
	;;
esac
