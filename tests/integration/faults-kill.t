#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# faults-kill.t - SIGKILL at random points of run, run -d, pull, build, rm,
# import and tag: the CLI, the supervisor or burrow-net, whichever is
# there at that moment.  After each kill the next command must work (it
# heals what the kill left), and at every checkpoint, after rm -af and rmi,
# nothing may be left: processes, mounts, runroot entries, container
# records, half-written files, orphan layers.
#
# FAULT_ITERATIONS (default 200) faults in all, spread over the operations,
# or as many as FAULT_TIME seconds (default 120) allow on a loaded machine
# (every operation gets at least one);
# the delays are random (microseconds, within the time each operation took
# once here unharmed), the checks never wait on a sleep.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
. "$(dirname "$0")/../lib/registry.sh"
. "$(dirname "$0")/../lib/faults.sh"
fixture_image local/busybox:1
IMG=local/busybox:1
P="--tls-verify=false"
registry_start
d=$(oci_new)
mkdir -p "$FIXTURE_DIR/extra/etc"
echo extra >"$FIXTURE_DIR/extra/etc/extra"
tar -C "$FIXTURE_DIR/extra" --numeric-owner --owner=0 --group=0 -czf "$FIXTURE_DIR/extra.tar.gz" .
oci_add "$d" 1 amd64 '' "$(fixture_rootfs_tar gz)" "$FIXTURE_DIR/extra.tar.gz"
reg_push "$d" 1 fault/img:1
ctx=$FIXTURE_DIR/ctx
mkdir -p "$ctx"
dd if=/dev/urandom of="$ctx/blob" bs=64k count=16 2>/dev/null
printf 'FROM %s\nARG N\nRUN echo "$N" >/n && cp /bin/busybox /bb\nCOPY blob /blob\nRUN cat /blob /blob >/blob2\n' "$IMG" >"$ctx/Dockerfile"

N=${FAULT_ITERATIONS:-200}
budget=${FAULT_TIME:-120}
ops="run rund pull build rm import tag"
nops=7
kills=0 cli_kills=0 sup_kills=0 net_kills=0 failed=0

# victim CLI_PID: kill -KILL the CLI, a supervisor or burrow-net of this
# test (a random one of those that exist now; the CLI when none does)
victim() {
	case $(rand 3) in
	1) _v=$(ours burrow | grep -vx "$1" | head -n 1) _k=sup ;;
	2) _v=$(ours burrow-net fuse-overlayfs | head -n 1) _k=net ;;
	*) _v='' _k=cli ;;
	esac
	[ -n "$_v" ] || _v=$1 _k=cli
	kill -KILL "$_v" 2>/dev/null || return 0
	kills=$((kills + 1))
	case $_k in
	cli) cli_kills=$((cli_kills + 1)) ;;
	sup) sup_kills=$((sup_kills + 1)) ;;
	net) net_kills=$((net_kills + 1)) ;;
	esac
}

# cmd OP I: the command line of OP for iteration I
cmd() {
	case $1 in
	run) echo "run --rm $IMG true" ;;
	rund) echo "run -d --name d$2 $IMG sleep $TOKEN" ;;
	pull) echo "pull -q $P $REG/fault/img:1" ;;
	build) echo "build -q --no-cache --build-arg N=$2 -t local/built:$2 $ctx" ;;
	rm) echo "rm -f victim$2" ;;
	import) echo "import $(fixture_rootfs_tar gz) local/imp:$2" ;;
	tag) echo "tag $IMG local/tagged:$2" ;;
	esac
}

# prepare OP I: what OP needs first (a container to remove, no image to pull)
prepare() {
	case $1 in
	rm) burrow run -d --name "victim$2" $IMG sleep $TOKEN >/dev/null ;;
	pull) burrow rmi -f "$REG/fault/img:1" >/dev/null 2>&1 ;;
	esac
	return 0
}

now_us() { echo $(($(date +%s%N) / 1000)); }

# calibrate OP: how long OP takes here when nothing kills it (microseconds),
# so that the random points fall inside it
calibrate() {
	prepare "$1" cal
	_t0=$(now_us)
	# shellcheck disable=SC2046 # the command line is split into words
	"$BURROW" $(cmd "$1" cal) >/dev/null 2>&1 </dev/null || bail_out "burrow $(cmd "$1" cal) fails"
	eval "dur_$1=$(($(now_us) - _t0))"
}

# fault OP I: start OP, kill something at a random point, reap the CLI
fault() {
	eval "_max=\$dur_$1"
	# shellcheck disable=SC2046 # the command line is split into words
	timeout 120 "$BURROW" $(cmd "$1" "$2") >/dev/null 2>&1 </dev/null &
	_cli=$!
	usleep "$(rand "$_max")"
	victim "$_cli"
	wait "$_cli" 2>/dev/null
	[ $? -ne 124 ] || { not_ok "burrow $(cmd "$1" "$2") hung after a kill"; failed=$((failed + 1)); }
}

# heal WHAT: the commands after a kill work
heal() {
	run burrow ps -a
	[ "$rc" -eq 0 ] || { not_ok "$1: ps -a after the kill fails: $err"; failed=$((failed + 1)); }
	run burrow images
	[ "$rc" -eq 0 ] || { not_ok "$1: images after the kill fails: $err"; failed=$((failed + 1)); }
}

# checkpoint: remove everything but the fixture image, then nothing may be left
checkpoint() {
	run burrow rm -af
	assert_rc 0 "$1: rm -af after the kills"
	names=$(image_names | grep -vx "localhost/local/busybox:1")
	# shellcheck disable=SC2086 # one name per word
	[ -z "$names" ] || run burrow rmi -f $names
	assert_rc 0 "$1: rmi of what the kills left"
	run burrow run --rm $IMG cat /etc/passwd
	assert_rc 0 "$1: a container runs after the kills"
	assert_store_clean "$1"
}

# the state a kill at the worst moment leaves, made by hand: a create killed
# between its mkdir and config.json, a removal killed half-way
half=$BURROW_ROOT/containers/$(printf '%064d' 7)
mkdir -p "$half" "$BURROW_ROOT/containers/.gone-$(printf '%064d' 8)/upper"
: >"$half/config.json.tmp-abcdef"
run burrow ps -a
assert_rc 0 "ps -a with a half-made record directory"
assert_false "the next command removes a record directory without config.json" test -e "$half"
assert_eq "$(find "$BURROW_ROOT/containers" -mindepth 1 -maxdepth 1 ! -name .lock ! -name '.spare-*')" "" "and a removal that was killed half-way"

for op in $ops; do calibrate "$op"; done
diag "$(for op in $ops; do eval "echo $op: \$((\$dur_$op / 1000)) ms"; done | tr '\n' ' ')"
checkpoint "before the kills"

i=0
t0=$(date +%s)
while [ $i -lt "$N" ] && { [ $i -lt $nops ] || [ $(($(date +%s) - t0)) -lt "$budget" ]; }; do
	op=$(echo $ops | cut -d' ' -f$((i % nops + 1)))
	prepare "$op" $i
	fault "$op" $i
	heal "$op #$i"
	i=$((i + 1))
	[ $((i % (nops * 5))) -eq 0 ] && checkpoint "after $i faults"
done
[ $((i % (nops * 5))) -eq 0 ] || checkpoint "after $i faults"
diag "$kills of $i kills landed (the others came after the command had ended; $N asked for, $budget s allowed): $cli_kills of the CLI, $sup_kills of a supervisor, $net_kills of burrow-net or fuse-overlayfs"
assert_eq "$failed" 0 "every command after a kill worked"

# the operations still work and their results are whole
run burrow pull -q $P "$REG/fault/img:1"
assert_rc 0 "pull works after the kills"
assert_eq "$(burrow run --rm "$REG/fault/img:1" cat /etc/extra)" extra "the pulled image is whole"
run burrow build -q --build-arg N=last -t local/built:last "$ctx"
assert_rc 0 "build works after the kills"
assert_eq "$(burrow run --rm local/built:last cat /n)" last "the built image is whole"
run burrow rmi -f "$REG/fault/img:1" local/built:last
assert_rc 0 "and both are removed"
checkpoint "at the end"
done_testing
