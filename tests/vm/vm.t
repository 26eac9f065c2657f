#!/bin/sh
# vm.t - the cgroup v2 tests in a qemu VM, as part of make check.
# tests/vm/vm.sh boots the kernel and prints the guest's TAP; it skips with
# the reason when qemu, a readable kernel or busybox-static is missing.
# Both modes (pre-delegated, systemd) take about a minute each under TCG.
[ -n "${BURROW_BUILD:-}" ] || { echo "1..0 # SKIP BURROW_BUILD is not set (make check sets it)"; exit 0; }
[ "${BURROW_VM:-1}" = 0 ] && { echo "1..0 # SKIP BURROW_VM=0"; exit 0; }
exec sh "$(dirname "$0")/vm.sh" "$BURROW_BUILD" "${BURROW_VM_MODES:-all}"
