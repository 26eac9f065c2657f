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

for d in /dev/fuse /dev/net/tun; do
	[ -c $d ] && chmod 0666 $d
done
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts 2>/dev/null
mkdir -p /run/lock

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
	( echo 0 >$d/cgroup.procs && as_user env BURROW_VM_MODE=delegated \
		sh "$src/$script" ) >$con 2>&1
	rc=$?
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
