#!/bin/sh
# squat-setup.sh USER - as root: a second unprivileged user and the
# directory it squats for tests/integration/runroot.t.
#
# Creates the user $BURROW_TEST_USER2 (default burrowtest2) if missing and,
# as that user, a fresh /tmp/burrow-squat-UID (UID: USER's) at mode 0777:
# what another user on a shared machine could put where USER's runroot goes.
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
dir=/tmp/burrow-squat-$(id -u "$user")
rm -rf "$dir"
runuser -u "$other" -- sh -c "umask 0; mkdir -m 0777 '$dir'"
