#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by tap.sh's run
# layout.t - limits in one delegated cgroup layout, as an unprivileged user.
# tests/vm/guest.sh builds each layout as root in the VM's delegated boot
# (after cgroup.t) and runs this script in it:
#   BURROW_VM_LAYOUT  its name (session, scope, leaf, slurm)
#   BURROW_VM_BASE    the cgroup directory containers' cgroups must go in
#   BURROW_VM_LEAF=1  when the caller's processes must move into its
#                     burrow-cli leaf first (they stay put otherwise)
#   BURROW_VM_OTHER_PID  a process of another user (root) in the caller's
#                     cgroup, like a login: it must stay where it is
# Each layout: `burrow info` says where containers go, `run --memory` kills
# a hog with 137, pids.max and cpu.max are set, and nothing is left after.
. "$(dirname "$0")/../lib/tap.sh"

[ "$(id -u)" != 0 ] || skip_all "run as an unprivileged user (the VM harness does)"
[ -n "${BURROW_VM_LAYOUT:-}" ] || skip_all "runs inside the VM, in a layout tests/vm/guest.sh builds"
B=${BURROW_BUILD:?}
WORK=$B/tests/cgwork
base=${BURROW_VM_BASE:?}
L=$BURROW_VM_LAYOUT
own() { sed -n 's/^0:://p' /proc/self/cgroup; }
caller=$(own)
diag "layout $L: caller in $caller, containers under $base"

. "$(dirname "$0")/../lib/fixtures.sh"
IMG=local/busybox:1
"$BURROW" image inspect "$IMG" >/dev/null 2>&1 || fixture_image "$IMG"

# an ERE matching the text s literally
lit() { printf '%s' "$1" | sed 's/[].[^$*+?(){}|\\]/\\&/g'; }

run "$BURROW" info
if [ "${BURROW_VM_LEAF:-0}" = 1 ]; then
	assert_match "$out" "limits +available \(delegated cgroup: containers under $(lit "$base"), after moving its processes into $(lit "$base")/burrow-cli\)" \
		"[$L] info: containers go under the caller's cgroup, its processes moved into a leaf"
else
	assert_match "$out" "limits +available \(delegated cgroup: containers under $(lit "$base")\)$" \
		"[$L] info: containers go under $base"
fi

assert_match "$out" "ok +cgroup +cgroup v2; containers' cgroups go under $(lit "$base")" \
	"[$L] info's cgroup check names the same cgroup"
run "$BURROW" info --format json
assert_match "$out" "\"cgroupParent\": *\"$(lit "$base")\"" "[$L] info --format json: cgroupParent"

run "$BURROW" run --rm --network none -v "$WORK:/cgwork:ro" --memory 64m --memory-swap 64m "$IMG" /cgwork hog 256
assert_rc 137 "[$L] run --memory 64m: the hog is killed with 137"

run "$BURROW" run -d --name lim --network none --pids-limit 50 --cpus 0.5 "$IMG" sleep 600
assert_rc 0 "[$L] run -d --pids-limit 50 --cpus 0.5"
cgd=$base/burrow-$(printf %.12s "$out")
assert_eq "$(cat "$cgd/pids.max" 2>&1)" 50 "[$L] pids.max is 50 in $cgd"
assert_eq "$(cat "$cgd/cpu.max" 2>&1)" "50000 100000" "[$L] cpu.max is 50000 100000"
run "$BURROW" rm -f lim
assert_rc 0 "[$L] rm -f"

if [ "${BURROW_VM_LEAF:-0}" = 1 ]; then
	assert_eq "$(own)" "${base#/sys/fs/cgroup}/burrow-cli" "[$L] the caller was moved into the burrow-cli leaf"
else
	assert_eq "$(own)" "$caller" "[$L] the caller was not moved"
fi
if [ -n "${BURROW_VM_OTHER_PID:-}" ]; then
	assert_eq "$(sed -n 's/^0:://p' "/proc/$BURROW_VM_OTHER_PID/cgroup")" "$caller" \
		"[$L] the other user's process in the caller's cgroup was not moved"
fi
left=$(find /sys/fs/cgroup -type d -name 'burrow-*' ! -name burrow-cli ! -name 'burrow-vm*' 2>/dev/null)
assert_eq "$left" "" "[$L] no burrow cgroup is left"
done_testing
