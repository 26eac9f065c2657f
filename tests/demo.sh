#!/bin/sh
# demo.sh - `make demo`: import a busybox image and run containers with it,
# as the calling (unprivileged) user, in a private store that is removed at
# the end.
#
#   sh tests/demo.sh BUILD_DIR       (BUILD_DIR holds the burrow binary)
# shellcheck shell=sh
set -eu

build=${1:?usage: demo.sh BUILD_DIR}
build=$(cd "$build" && pwd)
BURROW=$build/burrow
BURROW_BUILD=$build
export BURROW BURROW_BUILD
[ -x "$BURROW" ] || { echo "demo: $BURROW is missing: run make first" >&2; exit 1; }
if [ "$(id -u)" = 0 ]; then
	echo "demo: burrow is rootless; run the demo as an ordinary user (make demo as root does that)" >&2
	exit 1
fi

bail_out() { echo "demo: $*" >&2; exit 1; }
# shellcheck source=tests/lib/fixtures.sh
. "$(dirname "$0")/lib/fixtures.sh"

if [ -t 1 ]; then b=$(printf '\033[1m') n=$(printf '\033[0m'); else b='' n=''; fi
IMG=local/busybox:1

say() { printf '\n%s==> %s%s\n' "$b" "$*" "$n"; }
# show and run a burrow command; stop the demo with its status on failure
step() {
	printf '$ burrow'
	for a in "$@"; do
		case $a in
		*[!A-Za-z0-9_./:=,-]* | '') printf " '%s'" "$a" ;;
		*) printf ' %s' "$a" ;;
		esac
	done
	printf '\n'
	rc=0
	"$BURROW" "$@" || rc=$?
	if [ "$rc" != 0 ]; then
		echo "demo: burrow $1 failed with status $rc" >&2
		exit "$rc"
	fi
}

fixture_store # private BURROW_ROOT and BURROW_RUNROOT, removed at exit
echo "burrow demo as $(id -un) (uid $(id -u)), store in $FIXTURE_DIR"

say "Build a busybox root filesystem tarball from Debian's busybox-static"
tar=$(fixture_rootfs_tar gz)
ls -l "$tar"

say "Import it as an image; no registry, no daemon, no root"
step import "$tar" "$IMG"

say "Run a container: root inside is you outside (see uid_map), own hostname, PID 1"
step run --rm "$IMG" sh -c 'id; hostname; echo pid $$; cat /proc/self/uid_map'

say "A new PID namespace: ps inside shows only the container's processes"
step run --rm "$IMG" sh -c 'sleep 30 & ps; kill $!'

say "The image store"
step images

say "What burrow found on this host"
step info

say "Remove the image"
step rmi "$IMG"
step images

say "Done; the temporary store is removed now"
