#!/bin/sh
# guest.sh - runs inside the VM as root, after switch_root (mode delegated,
# as PID 1) or as a systemd service (mode systemd).  It prepares what a
# distribution would, runs tests/vm/cgroup.t as the test user with TAP on
# the serial console between two markers, and powers off.
#
#   delegated: cgroup2 on /sys/fs/cgroup, and a subtree delegated to the
#              user the way systemd does it (mkdir, controllers in the
#              parent's subtree_control, chown of the directory and of
#              cgroup.procs, cgroup.subtree_control, cgroup.threads)
#              then, in the same boot, the other delegated layouts
#              (tests/vm/layout.t, see layouts() below)
#   systemd:   the user's systemd (user@UID.service, Delegate=cpu memory
#              pids io) on the session bus: the transient-scope path, then
#              the delegated path under systemd-run --user --scope
# shellcheck shell=sh disable=SC2154 # mode, src, build, user, script: from burrow-vm.conf
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
. /etc/burrow-vm.conf
# shellcheck disable=SC2154 # set by burrow-vm.conf
uid=$(id -u "$user")
gid=$(id -g "$user")
home=$(getent passwd "$user" | cut -d: -f6)
con=/dev/ttyS0
rc=1

off() {
	echo "=== TAP END rc=$rc ===" >$con
	sync
	echo o >/proc/sysrq-trigger
	sleep 30
}

as_user() {
	setpriv --reuid="$uid" --regid="$gid" --init-groups --reset-env \
		env HOME="$home" USER="$user" LOGNAME="$user" PATH="$PATH" \
		BURROW_BUILD="$build" BURROW="$build/burrow" "$@"
}
# the same in place of the calling (sub)shell: after `echo 0 >cgroup.procs`
# the user's process is the one in the cgroup, with no root shell beside it
exec_as_user() {
	exec setpriv --reuid="$uid" --regid="$gid" --init-groups --reset-env \
		env HOME="$home" USER="$user" LOGNAME="$user" PATH="$PATH" \
		BURROW_BUILD="$build" BURROW="$build/burrow" "$@"
}

for d in /dev/fuse /dev/net/tun; do
	[ -c $d ] && chmod 0666 $d
done
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts 2>/dev/null
mkdir -p /run/lock

# chown what systemd chowns for Delegate=yes
deleg() { chown "$uid:$gid" "$1" "$1/cgroup.procs" "$1/cgroup.subtree_control" "$1/cgroup.threads"; }

# layout NAME BASE CALLER [OTHER-PID] [leaf]: tests/vm/layout.t as the user
# in the cgroup CALLER, containers expected under BASE
layout() {
	echo "=== TAP BEGIN === layout-$1" >$con
	_t0=$(date +%s)
	( echo 0 >"$3/cgroup.procs" && exec_as_user env BURROW_VM_MODE=delegated BURROW_VM_LAYOUT="$1" \
		BURROW_VM_BASE="$2" BURROW_VM_OTHER_PID="${4:-}" BURROW_VM_LEAF="${5:-0}" \
		sh "$src/tests/vm/layout.t" ) >$con 2>&1
	_r=$?
	echo "# layout $1 took $(($(date +%s) - _t0)) s" >$con
	echo "=== TAP END rc=$_r ===" >$con
	[ $_r -eq 0 ] || rc=1
}

# The delegated layouts besides cgroup.t's own scope, each shaped as root
# the way its manager would (no systemd or Slurm here), cpuset on offer.
layouts() {
	all="+cpu +cpuset +io +memory +pids"
	echo "+cpuset" >$cg/cgroup.subtree_control
	echo "+cpuset" >$cg/user.slice/cgroup.subtree_control
	# scope: a Delegate=yes scope of the user's systemd (systemd-run --user
	# --scope -p Delegate=yes): the manager's slices above are the user's
	# files but not burrow's to write, so the scope itself is used
	s=$cg/user.slice/user-$uid.slice
	m=$s/user@$uid.service
	mkdir -p $m/app.slice/run-r1.scope
	echo "$all" >$s/cgroup.subtree_control
	for d in $m $m/app.slice; do
		deleg $d
		echo "$all" >$d/cgroup.subtree_control
	done
	deleg $m/app.slice/run-r1.scope
	layout scope $m/app.slice/run-r1.scope $m/app.slice/run-r1.scope "" 1
	# session: an owned user slice with the controllers on, the caller in
	# an owned session scope with a login process of root's
	deleg $s
	mkdir $s/session-1.scope
	deleg $s/session-1.scope
	sleep 3600 &
	login=$!
	echo $login >$s/session-1.scope/cgroup.procs
	layout session $s $s/session-1.scope $login
	kill $login
	# leaf: a CI job's owned cgroup, the caller in a leaf below it that
	# is not the user's
	c=$cg/ci.slice
	mkdir -p $c/job-1/main
	echo "$all" >$c/cgroup.subtree_control
	deleg $c/job-1
	echo "$all" >$c/job-1/cgroup.subtree_control
	layout leaf $c/job-1 $c/job-1/main
	# slurm: a job step's cgroup (slurmstepd's cgroup/v2 shape), the user
	# cgroup of the step delegated, the tasks in root's task_0 leaf
	j=$cg/system.slice/slurmstepd.scope/job_1/step_0
	mkdir -p $j/user/task_0
	for d in $cg/system.slice $cg/system.slice/slurmstepd.scope $cg/system.slice/slurmstepd.scope/job_1 $j; do
		echo "$all" >$d/cgroup.subtree_control
	done
	deleg $j/user
	echo "$all" >$j/user/cgroup.subtree_control
	layout slurm $j/user $j/user/task_0
}

# shellcheck disable=SC2154 # set by burrow-vm.conf
case $mode in
delegated)
	mount -t cgroup2 -o nsdelegate none /sys/fs/cgroup || { echo "guest: no cgroup2" >$con; off; }
	cg=/sys/fs/cgroup
	echo "+cpu +memory +pids +io" >$cg/cgroup.subtree_control
	mkdir -p $cg/user.slice
	echo "+cpu +memory +pids +io" >$cg/user.slice/cgroup.subtree_control
	d=$cg/user.slice/user-$uid.scope
	mkdir -p $d
	chown "$uid:$gid" $d $d/cgroup.procs $d/cgroup.subtree_control $d/cgroup.threads
	echo "=== TAP BEGIN === delegated" >$con
	( echo 0 >$d/cgroup.procs && exec_as_user env BURROW_VM_MODE=delegated \
		sh "$src/$script" ) >$con 2>&1
	rc=$?
	echo "=== TAP END rc=$rc ===" >$con
	layouts
	;;
systemd)
	bus=/run/user/$uid/bus
	i=0
	while [ ! -S $bus ] && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -S $bus ] || { echo "guest: no user bus at $bus" >$con; systemctl --no-pager status "user@$uid.service" >$con 2>&1; off; }
	benv="XDG_RUNTIME_DIR=/run/user/$uid DBUS_SESSION_BUS_ADDRESS=unix:path=$bus"
	echo "=== TAP BEGIN === systemd" >$con
	# shellcheck disable=SC2086 # benv is two words on purpose
	( as_user env $benv BURROW_VM_MODE=systemd BURROW_CGROUP_MANAGER=systemd \
		sh "$src/$script" ) >$con 2>&1
	rc=$?
	echo "=== TAP END rc=$rc ===" >$con
	echo "=== TAP BEGIN === systemd-run-delegated" >$con
	# shellcheck disable=SC2086
	( as_user env $benv systemd-run --user --scope --quiet -p Delegate=yes \
		env BURROW_VM_MODE=systemd-delegated BURROW_CGROUP_MANAGER=delegated \
		sh "$src/$script" ) >$con 2>&1
	rc2=$?
	[ $rc -eq 0 ] && rc=$rc2
	;;
*)
	echo "guest: unknown mode $mode" >$con
	;;
esac
off
