#!/bin/sh
# debian-fixture.sh - the Debian minbase rootfs tarball for the build tests.
#
#   sh tests/lib/debian-fixture.sh          (root) make it unless it exists
#
# tests/integration/build-debian.t imports a Debian 12 (bookworm) minbase
# rootfs made by debootstrap.  debootstrap needs root, so `make check` as
# root (tests/lib/root-check.sh) calls this script before the suite runs as
# the test user.  The result is cached, world-readable, in
#
#   $BURROW_TEST_DEBIAN_TAR   (default /var/cache/burrow-tests/debian-bookworm-minbase.tar.zst)
#
# and is never rebuilt while it exists (delete it to refresh).  A user
# without root can point BURROW_TEST_DEBIAN_TAR at any such tarball
# (.tar.zst, .tar.gz or .tar); without one the tests that need it skip.
#
# The mirror is the one the machine's apt sources name for bookworm
# (tests/lib/apt-mirror.sh reads /etc/apt/sources.list, *.list and deb822
# *.sources), else http://deb.debian.org/debian; BURROW_TEST_DEBIAN_MIRROR
# overrides it.
# Exits 0 when the tarball exists afterwards, non-zero (with the reason) when
# it could not be made; root-check.sh treats that as a warning, not a failure.
# shellcheck shell=sh
set -eu

out=${BURROW_TEST_DEBIAN_TAR:-/var/cache/burrow-tests/debian-bookworm-minbase.tar.zst}
suite=bookworm

say() { echo "debian-fixture: $*"; }

if [ -s "$out" ]; then
	say "$out exists"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	say "$out is missing and only root can run debootstrap" >&2
	exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
	say "debootstrap is not installed (tests/lib/deps.sh installs it)" >&2
	exit 1
fi

# The Debian archive apt already uses (tests/lib/apt-mirror.sh)
mirror=${BURROW_TEST_DEBIAN_MIRROR:-$(sh "$(dirname "$0")/apt-mirror.sh" "$suite")}

case $out in
*.tar.zst) z="zstd -q -T0 -10" ;;
*.tar.gz | *.tgz) z="gzip -n" ;;
*.tar) z="cat" ;;
*) say "$out: name must end in .tar.zst, .tar.gz or .tar" >&2; exit 2 ;;
esac

dir=$(dirname "$out")
mkdir -p "$dir"
chmod 0755 "$dir"
work=$(mktemp -d "$dir/debootstrap.XXXXXX")
# shellcheck disable=SC2317 # called from the trap
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "debootstrap --variant=minbase $suite from $mirror (a few minutes, once)"
start=$(date +%s)
if ! debootstrap --variant=minbase "$suite" "$work/rootfs" "$mirror" >"$work/log" 2>&1; then
	tail -n 20 "$work/log" >&2
	say "debootstrap failed" >&2
	exit 1
fi
# apt's downloaded archives and lists are not part of the image; /dev is
# mounted by the runtime (and device nodes are skipped on import anyway)
find "$work/rootfs/var/cache/apt/archives" "$work/rootfs/var/lib/apt/lists" \
	-maxdepth 1 -type f ! -name lock -delete
rm -rf "$work/rootfs/dev/"*
tar -C "$work/rootfs" --numeric-owner --xattrs -cf - . | $z >"$work/out"
chmod 0644 "$work/out"
mv "$work/out" "$out"
say "$out: $(du -k "$out" | cut -f1) KiB in $(($(date +%s) - start)) s"
