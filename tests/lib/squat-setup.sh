#!/bin/sh
# squat-setup.sh USER - as root: a second unprivileged user and the
# directory it squats for tests/integration/runroot.t.
#
# Creates the user $BURROW_TEST_USER2 (default burrowtest2) if missing and,
# as that user, what another user on a shared machine could put where
# USER's runroot goes (UID: USER's):
#   /tmp/burrow-squat-UID               a directory at mode 0777
#   /tmp/burrow-squat-tmp-UID/          a sticky 1777 directory (a TMPDIR)
#   /tmp/burrow-squat-tmp-UID/burrow-UID   in it, the default runroot's name, 0777
# shellcheck shell=sh
set -eu
user=$1
other=${BURROW_TEST_USER2:-burrowtest2}
if [ "$(id -u)" != 0 ]; then
	echo "squat-setup.sh: must run as root" >&2
	exit 2
fi
if ! id -u "$other" >/dev/null 2>&1; then
	echo "squat-setup: creating user $other"
	useradd -M -s /usr/sbin/nologin "$other"
fi
uid=$(id -u "$user")
dir=/tmp/burrow-squat-$uid tmp=/tmp/burrow-squat-tmp-$uid
rm -rf "$dir" "$tmp"
runuser -u "$other" -- sh -c "umask 0; mkdir -m 0777 '$dir' && mkdir -m 1777 '$tmp' && mkdir -m 0777 '$tmp/burrow-$uid'"
