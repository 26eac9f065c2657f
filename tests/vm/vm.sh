#!/bin/sh
# vm.sh - run tests/vm/cgroup.t in a qemu VM with a pure cgroup v2 kernel.
#
#   sh tests/vm/vm.sh BUILDDIR [delegated|systemd|all]
#
# Builds an initramfs (busybox-static plus the virtio, 9p, overlay, fuse and
# tun modules of the kernel), boots /boot/vmlinuz-$KVER under qemu TCG with
# the host's / shared read-only over 9p, and prints the guest's TAP
# (tests/vm/guest.sh) as one TAP stream.  Exits with its status.  Prints
# "1..0 # SKIP reason" when qemu, a readable kernel or busybox is missing.
#
# Environment: BURROW_VM_KERNEL (a vmlinuz path), BURROW_VM_SCRIPT (the
# guest's TAP script relative to the source tree, default
# tests/vm/cgroup.t; bench/cgroup uses bench/cgroup-guest), BURROW_VM_TIMEOUT
# (seconds per boot, default 900: TCG on a loaded 2-core machine is slow),
# BURROW_VM_KEEP=1 keeps the work directory and the console logs,
# BURROW_TEST_USER (default: the caller, or burrowtest as root).
# shellcheck shell=sh
set -u

build=$(cd "${1:?usage: vm.sh BUILDDIR [delegated|systemd|all]}" && pwd)
modes=${2:-all}
[ "$modes" = all ] && modes="delegated systemd"
src=$(cd "$(dirname "$0")/../.." && pwd)
timeout_s=${BURROW_VM_TIMEOUT:-900}

skip_all() { echo "1..0 # SKIP $*"; exit 0; }

qemu=$(command -v qemu-system-x86_64) || skip_all "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"
kernel=${BURROW_VM_KERNEL:-$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)}
[ -n "$kernel" ] || skip_all "no kernel in /boot (apt-get install linux-image-amd64)"
[ -r "$kernel" ] || skip_all "$kernel is not readable by $(id -un) (run make check as root, or chmod 0644 it)"
kver=${kernel##*/vmlinuz-}
mods=/lib/modules/$kver
[ -d "$mods" ] || skip_all "no modules for $kver in /lib/modules"
busybox=$(command -v busybox) || skip_all "busybox is not installed (apt-get install busybox-static)"
file -L "$busybox" 2>/dev/null | grep -q "statically linked" ||
	{ [ -x /bin/busybox ] && busybox=/bin/busybox; }
[ "$(uname -m)" = x86_64 ] || skip_all "the VM harness is for x86_64 hosts"
if [ "$(id -u)" = 0 ]; then user=${BURROW_TEST_USER:-burrowtest}; else user=${BURROW_TEST_USER:-$(id -un)}; fi
id -u "$user" >/dev/null 2>&1 || skip_all "no user $user"
[ -x "$build/tests/cgtest" ] && [ -x "$build/tests/cgwork" ] || skip_all "build $build/tests/cgtest and cgwork first (make check-vm)"

work=$(mktemp -d "${TMPDIR:-/tmp}/burrow-vm.XXXXXX")
# the guest reads the build and the tests through 9p as $user
chmod 0755 "$work"
cleanup() { [ "${BURROW_VM_KEEP:-0}" = 1 ] && echo "# vm.sh: kept $work" || rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- initramfs ------------------------------------------------------------------
ir=$work/initramfs
mkdir -p "$ir/bin" "$ir/lib/modules" "$ir/proc" "$ir/sys" "$ir/dev"
cp "$busybox" "$ir/bin/busybox"
cp "$src/tests/vm/initramfs-init" "$ir/init"
chmod 0755 "$ir/init" "$ir/bin/busybox"
: >"$ir/modules.order"
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs fscache \
	9pnet 9pnet_virtio 9p overlay fuse tun; do
	f=$(find "$mods/kernel" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" -o -name "$m.ko.gz" 2>/dev/null | head -n 1)
	if [ -z "$f" ]; then
		# built in, or absent: the init skips what it does not find
		continue
	fi
	case $f in
	*.xz) xz -dc "$f" >"$ir/lib/modules/$m.ko" ;;
	*.zst) zstd -qdc "$f" >"$ir/lib/modules/$m.ko" ;;
	*.gz) gzip -dc "$f" >"$ir/lib/modules/$m.ko" ;;
	*) cp "$f" "$ir/lib/modules/$m.ko" ;;
	esac
	echo "$m" >>"$ir/modules.order"
done
if command -v cpio >/dev/null 2>&1; then
	(cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"
else
	(cd "$ir" && find . | "$busybox" cpio -o -H newc | gzip -1) >"$work/initrd.gz"
fi

# --- boot --------------------------------------------------------------------------
n=0
failed=0
for mode in $modes; do
	log=$work/console-$mode.log
	start=$(date +%s)
	timeout --kill-after=10 "$timeout_s" "$qemu" -accel tcg -m 1G -smp 2 -nographic -no-reboot \
		-kernel "$kernel" -initrd "$work/initrd.gz" \
		-append "console=ttyS0 panic=-1 quiet loglevel=3 systemd.show_status=0 burrow.mode=$mode burrow.src=$src burrow.build=$build burrow.user=$user burrow.script=${BURROW_VM_SCRIPT:-tests/vm/cgroup.t}" \
		-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
		-nic none </dev/null >"$log" 2>&1
	qrc=$?
	echo "# vm.sh: mode $mode: qemu exited $qrc after $(($(date +%s) - start)) s"
	tr -d '\r' <"$log" >"$log.txt"
	if ! grep -q '=== TAP END' "$log.txt"; then
		n=$((n + 1))
		failed=1
		echo "not ok $n - VM mode $mode produced no complete TAP (timeout ${timeout_s}s or a boot failure)"
		tail -n 40 "$log.txt" | sed 's/^/# /'
		continue
	fi
	# every block between the markers, renumbered into one stream
	out=$(awk '/=== TAP BEGIN ===/ { on = 1; sub(/.*=== TAP BEGIN === */, ""); print "@@label " $0; next } /=== TAP END/ { on = 0; next } on' "$log.txt")
	label=$mode
	while IFS= read -r line; do
		case $line in
		"@@label "*) label=${line#@@label }; label=${label:-$mode} ;;
		"ok "* | "not ok "*)
			n=$((n + 1))
			st=${line%% [0-9]*}
			rest=$(printf '%s' "$line" | sed -E 's/^(not )?ok [0-9]+ ?//')
			case $rest in
			"# SKIP"*) echo "$st $n $rest [$label]" ;;
			"- "*) echo "$st $n - [$label] ${rest#- }" ;;
			*) echo "$st $n - [$label] $rest" ;;
			esac
			[ "$st" = ok ] || failed=1
			;;
		"1..0 # SKIP"*)
			n=$((n + 1))
			echo "ok $n # SKIP [$label] ${line#1..0 # SKIP }"
			;;
		"1.."*) ;;
		"#"*) echo "$line" ;;
		*) echo "# $line" ;;
		esac
	done <<EOF
$out
EOF
	if grep -q '=== TAP END rc=[1-9]' "$log.txt"; then
		failed=1
		if ! printf '%s\n' "$out" | grep -q '^not ok'; then
			n=$((n + 1))
			echo "not ok $n - [$mode] the guest's tests failed without a failing test line"
			tail -n 30 "$log.txt" | sed 's/^/# /'
		fi
	fi
done
echo "1..$n"
exit $failed
