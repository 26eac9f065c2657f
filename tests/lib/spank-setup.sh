#!/bin/sh
# spank-setup.sh SRC - (root) build the SPANK plugin from the source tree SRC
# and load it in the Slurm test cluster (tests/lib/slurm-cluster.sh):
#
#   $BURROW_TEST_SLURM_DIR/spank/spank_burrow.so
#   $BURROW_TEST_SLURM_DIR/plugstack.conf.d/burrow.conf:
#       required $BURROW_TEST_SLURM_DIR/spank/spank_burrow.so
#
# "required", so a container that can't start fails the step (an optional
# plugin's failures are only logged); a step without --container-image
# never notices the plugin.  Each step's slurmstepd reads plugstack.conf
# afresh, so the running daemons need no restart.  Exits non-zero, and
# tests/integration/spank.t skips, when libslurm-dev's headers are missing.
# shellcheck shell=sh
set -eu
src=$1
dir=${BURROW_TEST_SLURM_DIR:-/var/lib/burrow-tests/slurm}
[ -f /usr/include/slurm/spank.h ] || {
	echo "spank-setup: no /usr/include/slurm/spank.h (tests/lib/deps.sh installs libslurm-dev)" >&2
	exit 1
}
[ -d "$dir/plugstack.conf.d" ] || {
	echo "spank-setup: no Slurm test cluster in $dir" >&2
	exit 1
}
make -s -C "$src" BUILDDIR="$dir/spank" "$dir/spank/spank_burrow.so"
chmod 0755 "$dir/spank"
chmod 0755 "$dir/spank/spank_burrow.so"
echo "required $dir/spank/spank_burrow.so" >"$dir/plugstack.conf.d/burrow.conf"
chmod 0644 "$dir/plugstack.conf.d/burrow.conf"
echo "spank-setup: $dir/spank/spank_burrow.so in $dir/plugstack.conf.d/burrow.conf"
