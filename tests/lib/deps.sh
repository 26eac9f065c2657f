#!/bin/sh
# deps.sh - install the Debian packages burrow builds and tests with.
#
#   sh tests/lib/deps.sh            build + test packages
#   sh tests/lib/deps.sh --bench    the same, plus iperf3 and charliecloud for bench/
#   sh tests/lib/deps.sh --list     print the package names and exit
#
# Run as root on Debian 12 (or later).  Nothing is done when every package
# is already installed, so re-runs are fast and need no network.  Works with
# no stdin (CI): apt runs with DEBIAN_FRONTEND=noninteractive.
# shellcheck shell=sh
set -eu

# build
PKGS="build-essential pkg-config libslirp-dev libglib2.0-dev libarchive-dev zlib1g-dev libzstd-dev liblz4-dev libjson-c-dev libsubid-dev libcap-dev libseccomp-dev libssl-dev libcurl4-openssl-dev scdoc"
# the static archives the binary links (libarchive's and burrow's own
# compression libraries: DEP_LIBS in the Makefile); Debian's libarchive-dev
# does not pull them in
PKGS="$PKGS libbz2-dev liblzma-dev"
# a pull inflates gzip layers with ISA-L (opened with dlopen(); the header
# is needed at build time, libisal2 comes along), zlib when it is missing
PKGS="$PKGS libisal-dev"
# save --format squashfs writes with libsquashfs (linked statically, with
# liblzo2 from liblzo2-dev, which libsquashfs-dev brings)
PKGS="$PKGS libsquashfs-dev"
# CDI device specs in YAML (src/lib/cdi/) are read with libyaml (linked statically)
PKGS="$PKGS libyaml-dev"
# run and test: ID maps, overlay, fixtures, prove, ps, runuser/script, ip
# registry tests: a local registry, fixture pushes, htpasswd
PKGS="$PKGS docker-registry skopeo apache2-utils"
PKGS="$PKGS uidmap fuse-overlayfs fuse3 busybox-static zstd gzip tar perl procps util-linux bsdutils bsdextrautils iproute2 passwd"
# single-file images: squashfuse_ll mounts them (run FILE.sqfs); the tests
# make a config-less SquashFS with tar2sqfs and read one back with sqfs2tar
PKGS="$PKGS squashfuse squashfs-tools-ng python3"
# cgroup v2 tests in a VM (tests/vm): qemu, a kernel, cpio for the initramfs,
# systemd + a user bus for the transient-scope path; libsystemd's headers
# for src/lib/cgroup/cgroup_systemd.c (the library itself is dlopen()ed)
PKGS="$PKGS libsystemd-dev qemu-system-x86 linux-image-amd64 cpio xz-utils systemd dbus dbus-user-session"
# the Docker API service (burrow system service): libmicrohttpd (opened with
# dlopen() when the service starts, src/lib/api/mhd_dl.h); its tests drive
# it with docker's client (from docker.io: dockerd is masked below and never
# started) and docker-py
PKGS="$PKGS libmicrohttpd-dev python3-docker docker.io"
# docker-compose 1.29 (Python, on docker-py) drives the service in
# tests/integration/api-compose.t
PKGS="$PKGS docker-compose"
# and testcontainers for Node, which make check as root installs from the npm
# registry once (tests/lib/testcontainers-fixture.sh): npm brings Node.js (an
# npm already there, as from NodeSource's nodejs, is used as it is)
command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"
# network tests: curl as the host-side client (perl and busybox do the rest)
PKGS="$PKGS curl"
# compatibility tests (tests/integration/compat-*.t): the same command lines
# through rootless podman, with runc as bench/ runs it
PKGS="$PKGS podman runc"
# build tests: a Debian minbase image made by debootstrap (as root, cached by
# tests/lib/debian-fixture.sh) and a local .deb made with dpkg-deb (dpkg)
PKGS="$PKGS debootstrap dpkg"
# make lint and make fmt (CI runs make lint)
PKGS="$PKGS clang-tidy cppcheck shellcheck clang-format git"
# make fuzz (CI runs it briefly): clang, and libFuzzer's runtime
# (libclang_rt.fuzzer-x86_64.a), which clang only recommends
PKGS="$PKGS clang libclang-rt-14-dev"
# Slurm job steps (tests/integration/slurm.t, bench/slurm): a two-node test
# cluster on 127.0.0.1 (tests/lib/slurm-cluster.sh): munge for its
# authentication, slurmctld, slurmd (slurmstepd, the pmi2 and pmix plugins),
# slurm-client for srun/sinfo/scancel; MPICH and Open MPI on the host for the
# host-side comparison (the test images install their own from Debian)
PKGS="$PKGS munge slurmctld slurmd slurm-client mpich libmpich-dev openmpi-bin libopenmpi-dev"
# The SPANK plugin (helpers/spank/, tests/integration/spank.t) builds against
# libslurm-dev's <slurm/spank.h>.
PKGS="$PKGS libslurm-dev"
# bench/pull times ISA-L's igzip (package isal) as the one-core inflate limit
BENCH_PKGS="iperf3 charliecloud-runtime isal"

want=$PKGS
list=
for arg in "$@"; do
	case $arg in
	--bench) want="$want $BENCH_PKGS" ;;
	--list) list=1 ;;
	-h | --help) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "deps.sh: unknown argument: $arg" >&2; exit 2 ;;
	esac
done
if [ -n "$list" ]; then
	echo "$want"
	exit 0
fi

missing=
for p in $want; do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) || s=
	[ "$s" = installed ] || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps.sh: all packages present"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing" >&2
	echo "deps.sh: run as root (sudo make deps) to install them" >&2
	exit 1
fi
echo "deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# docker.io brings dockerd, which the tests never use: keep it from starting
case " $missing " in
*" docker.io "*)
	if command -v systemctl >/dev/null 2>&1; then
		systemctl mask docker.service docker.socket containerd.service >/dev/null 2>&1 || true
	fi
	;;
*) ;;
esac
apt-get update </dev/null
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confdef \
	-o Dpkg::Options::=--force-confold $missing </dev/null
