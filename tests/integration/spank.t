#!/bin/sh
# spank.t - the SPANK plugin (helpers/spank/, docs/SPANK.md) on the two-node
# test cluster: srun --container-image=FILE|REF runs every task in the
# container (its root, its environment, the mounts, the working directory,
# --container-env), a bad mount spec fails in one line before the step
# starts, and nothing is left on the nodes afterwards.  The cluster loads the
# plugin when make check as root built it (tests/lib/spank-setup.sh); the
# file skips when Slurm or the plugin is not there.
# shellcheck shell=sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"

need_slurm
srun --help 2>/dev/null | grep -q -- '--container-image=FILE|REF' ||
	skip_all "the test cluster does not load the SPANK plugin (tests/lib/spank-setup.sh, libslurm-dev)"
fixture_store
IMG=local/busybox:spank
fixture_image $IMG
me=$(id -u)
# the plugin runs `burrow` along the job's PATH: this build's
PATH=$(dirname "$BURROW"):$PATH
export PATH
SRUN="timeout -k 10 120 srun --quiet"
SQ="$FIXTURE_DIR/img.sqfs"
"$BURROW" save --format squashfs -o "$SQ" $IMG || bail_out "cannot save $IMG as $SQ"
mkdir -p "$FIXTURE_DIR/data" "$FIXTURE_DIR/out"
echo "from the host" >"$FIXTURE_DIR/data/file"
echo "NAME=spank-test" >"$FIXTURE_DIR/os-release"

left_behind() {
	_p=$("$BURROW" ps -aq)
	# this file's: squashfuse_ll names the image, the pause process has
	# the container's mounts (it is in the host's PID namespace)
	_s=$(pgrep -u "$me" -f "squashfuse.*$FIXTURE_DIR|fuse-overlayfs.*$FIXTURE_DIR" || true)
	for _q in $(pgrep -u "$me" -f 'init --pause'); do
		grep -qs "$FIXTURE_DIR" "/proc/$_q/mountinfo" && _s="$_s $_q"
	done
	[ -z "$_p$_s" ] && return 0
	echo "containers: $_p; processes: $_s"
	return 1
}
# the removal runs as the step ends on each node, after srun returns: wait
# for it (bounded)
wait_clean() {
	_i=0
	while ! left_behind >/dev/null && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	left_behind
}

# --- a SquashFS file, two nodes, a mount ------------------------------------------
run $SRUN -N2 -n2 --container-image="$SQ" \
	--container-mounts="$FIXTURE_DIR/data:/data:ro,$FIXTURE_DIR/os-release:/etc/os-release" \
	sh -c 'echo "rank=$SLURM_PROCID node=$SLURMD_NODENAME"; cat /etc/os-release /data/file; ls /bin/busybox; test -e "$FIXTURE_DIR" || echo no-host-tree; echo x >/data/new || echo ro'
assert_rc 0 "srun -N2 -n2 --container-image=FILE.sqfs runs"
assert_match "$out" "rank=0 node=n1" "rank 0 on n1"
assert_match "$out" "rank=1 node=n2" "rank 1 on n2"
assert_eq "$(echo "$out" | grep -c '^NAME=spank-test$')" 2 "both ranks see the mount over /etc/os-release"
assert_eq "$(echo "$out" | grep -c '^from the host$')" 2 "and the directory mount"
assert_eq "$(echo "$out" | grep -c '^/bin/busybox$')" 2 "the container's root is the image's"
assert_eq "$(echo "$out" | grep -c '^no-host-tree$')" 2 "the host's tree is not there"
assert_eq "$(echo "$out" | grep -c '^ro$')" 2 "a :ro mount is read-only"
run $SRUN -N2 -n2 --container-image="$SQ" sh -c 'test -e /etc/os-release && echo there || echo none; echo "uid=$(id -u) gid=$(id -g)"'
assert_rc 0 "srun ... without a mount"
assert_eq "$(echo "$out" | grep -c '^none$')" 2 "the image's /etc (which has no os-release, unlike the host's)"
assert_eq "$(echo "$out" | grep -c "^uid=$me gid=$(id -g)$")" 2 "each task from the file is the user (keep-id)"
res=$(wait_clean)
assert_eq "$res" "" "nothing is left on the nodes after the steps"

# --- an image of the store: the user's own UID (keep-id), env, workdir ------------------
run env FROM_HOST=kept PATH="/host/only:$PATH" $SRUN -N1 -n2 --container-image=$IMG --container-workdir=/tmp/wd \
	--container-env=FROM_HOST sh -c 'echo "uid=$(id -u) pwd=$(pwd) path=$PATH from=$FROM_HOST"'
assert_rc 0 "--container-image=REF (an image in the store) runs"
assert_eq "$(echo "$out" | grep -c "^uid=$me pwd=/tmp/wd ")" 2 "each task is the user (keep-id) in --container-workdir"
assert_no_match "$out" "path=/host/only" "the image's PATH replaces the task's"
assert_eq "$(echo "$out" | grep -c 'from=kept$')" 2 "a --container-env variable keeps the task's value"
res=$(wait_clean)
assert_eq "$res" "" "nothing is left"

# --- bad input: one line from the plugin, the step never starts ----------------------
for spec in "data:/data" "$FIXTURE_DIR/data" "$FIXTURE_DIR/data:/data:rx" "$FIXTURE_DIR/data:/data,,"; do
	run $SRUN -N1 -n1 --container-image="$SQ" --container-mounts="$spec" touch "$FIXTURE_DIR/out/ran"
	assert_ne "$rc" 0 "a bad mount spec ($spec) fails"
	assert_eq "$(printf '%s\n' "$err" | grep -c 'burrow: --container-mounts')" 1 "$spec: with one line of ours"
done
if [ -e "$FIXTURE_DIR/out/ran" ]; then not_ok "no task ran"; else ok "no task ran"; fi
run $SRUN -N2 -n2 --container-image="$FIXTURE_DIR/missing.sqfs" touch "$FIXTURE_DIR/out/ran"
assert_rc 125 "an image that is not there fails each task with 125"
assert_eq "$(printf '%s\n' "$err" | grep -c "^burrow: starting $FIXTURE_DIR/missing.sqfs: .*No such file")" 2 \
	"each task says why in one line"
if [ -e "$FIXTURE_DIR/out/ran" ]; then not_ok "and its command did not run"; else ok "and its command did not run"; fi
res=$(wait_clean)
assert_eq "$res" "" "and no failure left anything mounted or running"

done_testing
