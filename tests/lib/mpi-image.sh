#!/bin/sh
# mpi-image.sh - the MPI test images for tests/integration/slurm.t.
#
#   sh tests/lib/mpi-image.sh mpich|openmpi OUT.sqfs
#
# Builds, from the Debian minbase fixture (tests/lib/debian-fixture.sh), an
# image with Debian's MPICH (libmpich-dev) or Open MPI (libopenmpi-dev) and
# /usr/local/bin/mpi-hello (tests/lib/mpi/mpi-hello.c) compiled in it by
# mpicc; the compiler and the headers are purged again, only the MPI
# library stays (libmpich12, libopenmpi3 with its PMIx), and saves it as a single-file image OUT.sqfs.  The RUN apt-get
# reaches the Debian mirror the fixture's sources name through the build's
# usermode network.  Runs as the test user with $BURROW; the result is
# cached by the caller (slurm.t keeps it in $BURROW_TEST_CACHE, which
# root-check.sh makes for the test user, or in the build directory), so
# the few minutes of apt-get are spent once.
# shellcheck shell=sh
set -eu

kind=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
case $kind in
mpich) dev=libmpich-dev lib=libmpich12 ;;
openmpi) dev=libopenmpi-dev lib=libopenmpi3 ;;
*) echo "mpi-image.sh: unknown MPI: $kind (mpich or openmpi)" >&2; exit 2 ;;
esac
: "${BURROW:?BURROW must point at the burrow binary}"
tar=${BURROW_TEST_DEBIAN_TAR:-}
if [ -z "$tar" ]; then
	for f in /var/cache/burrow-tests/debian-bookworm-minbase.tar.zst \
		/var/cache/burrow-tests/debian-bookworm-minbase.tar.gz; do
		[ -r "$f" ] && tar=$f && break
	done
fi
[ -n "$tar" ] && [ -r "$tar" ] || { echo "mpi-image.sh: no Debian minbase tarball" >&2; exit 1; }

ctx=$(mktemp -d "${TMPDIR:-/tmp}/mpi-image.XXXXXX")
trap 'rm -rf "$ctx"; "$BURROW" rmi -f "local/mpi-$kind:build" "local/debian-mpi-base:$kind" >/dev/null 2>&1 || true' EXIT
"$BURROW" import "$tar" "local/debian-mpi-base:$kind" >/dev/null 2>&1
cp "$here/mpi/mpi-hello.c" "$ctx/"
cat >"$ctx/Containerfile" <<END
FROM local/debian-mpi-base:$kind
COPY mpi-hello.c /usr/local/src/
RUN apt-get update -qq && \\
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $dev >/dev/null && \\
    mpicc -O2 -o /usr/local/bin/mpi-hello /usr/local/src/mpi-hello.c && \\
    apt-mark manual $lib >/dev/null && \\
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq --auto-remove $dev >/dev/null && \\
    apt-get clean && rm -rf /var/lib/apt/lists/* /usr/local/src
CMD ["/usr/local/bin/mpi-hello"]
END
"$BURROW" build -q -t "local/mpi-$kind:build" -f "$ctx/Containerfile" "$ctx" >/dev/null
"$BURROW" save --format squashfs -o "$out.tmp.$$" "local/mpi-$kind:build"
mv "$out.tmp.$$" "$out"
