# faults.sh - what the fault tests share (sourced after tap.sh and
# fixtures.sh, after fixture_store).
#
#   ours                    pids of this test's burrow, burrow-net and
#                           fuse-overlayfs processes and its containers' commands
#   assert_store_clean WHAT after `rm -af`: no process, mount, runroot entry,
#                           container record, temporary file or orphan layer
#                           left (WHAT names the step in the messages)
#
# Processes are told apart from those of other tests by the FAULT_MARK
# variable every burrow process of this test inherits, and containers by
# the TOKEN argument their command gets (sleep $TOKEN).
# shellcheck shell=sh

FAULT_MARK="burrow-faults-$$-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')"
TOKEN=$((100000 + $(od -An -N3 -tu4 /dev/urandom | tr -d ' ') % 800000))
export FAULT_MARK

# rand N: a random number in [0, N)
rand() { echo $(($(od -An -N4 -tu4 /dev/urandom | tr -d ' ') % $1)); }

# usleep MICROSECONDS (the random point of a fault, never a synchronisation)
usleep() { sleep "$(($1 / 1000000)).$(printf %06d $(($1 % 1000000)))"; }

# ours [COMM...]: our processes with these names (default: burrow,
# burrow-net, fuse-overlayfs, and the containers' commands)
ours() {
	_uid=$(id -u)
	_all=
	[ $# -gt 0 ] || { set -- burrow burrow-net fuse-overlayfs; _all=1; }
	for _n in "$@"; do
		for _p in $(pgrep -u "$_uid" -x "$_n"); do
			{ tr '\0' '\n' <"/proc/$_p/environ"; } 2>/dev/null | grep -qx "FAULT_MARK=$FAULT_MARK" && echo "$_p"
		done
	done
	[ -z "$_all" ] || pgrep -u "$_uid" -fx "sleep $TOKEN"
	return 0
}

# the names of the store's images (names.json)
image_names() {
	[ -s "$BURROW_ROOT/names.json" ] || return 0
	perl -MJSON::PP -e 'local $/; print "$_\n" for sort keys %{ decode_json(<STDIN>) }' <"$BURROW_ROOT/names.json"
}

no_procs_left() { [ -z "$(ours)" ]; }

# files a killed write may leave: atomic-write temporaries (NAME.tmp-RAND)
# anywhere but the layer temporaries, which the next import or rmi sweeps
stray_tmp() { find "$BURROW_ROOT" -name '*.tmp-*' ! -path "$BURROW_ROOT/layers/.tmp-*" 2>/dev/null; }

# layer directories no image lists (and temporary layers not swept)
orphan_layers() {
	for _l in "$BURROW_ROOT"/layers/* "$BURROW_ROOT"/layers/.tmp-*; do
		[ -e "$_l" ] || continue
		_h=${_l##*/}
		case $_h in
		.tmp-*) echo "$_l" ;;
		*) cat "$BURROW_ROOT"/images/*.json 2>/dev/null | grep -q "sha256:$_h" || echo "$_l" ;;
		esac
	done
}

assert_store_clean() {
	_what=$1
	if poll -t 30 no_procs_left; then
		ok "$_what: no process left"
	else
		not_ok "$_what: processes left"
		diag "$(for _p in $(ours); do echo "$_p $({ tr '\0' ' ' <"/proc/$_p/cmdline"; } 2>/dev/null)"; done)"
	fi
	_m=$(grep -F "$FIXTURE_DIR" /proc/self/mountinfo)
	assert_eq "$_m" "" "$_what: no mount left"
	_r=$(ls "$BURROW_RUNROOT/containers" 2>/dev/null)
	assert_eq "$_r" "" "$_what: the runroot holds no container"
	_c=$(ls "$BURROW_ROOT/containers" 2>/dev/null)
	assert_eq "$_c" "" "$_what: the store holds no container record"
	assert_eq "$(stray_tmp)" "" "$_what: no half-written file"
	assert_eq "$(orphan_layers)" "" "$_what: every layer belongs to an image"
}
