#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# --device VENDOR/CLASS=NAME: CDI specs (JSON and YAML) from the spec
# directories, with harmless character devices (/dev/zero, /dev/null,
# /dev/full) standing in for GPUs, host files mounted in and environment
# set; unknown names and hostile specs are refused with 125 and leave
# no container behind.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
tmp="$FIXTURE_DIR/cdi"
mkdir -p "$tmp/specs" "$tmp/lib" "$tmp/share"
export XDG_CONFIG_HOME="$tmp/cfg"
mkdir -p "$XDG_CONFIG_HOME/burrow"
echo "gpu runtime" >"$tmp/lib/libgpu.so"
echo "fpga bitstream" >"$tmp/share/bits"

count_ctrs() { burrow ps -aq | wc -l; }
# burrow with the spec directories set to $1
with_dirs() {
	_d=$1
	shift
	BURROW_CDI_SPEC_DIRS=$_d "$BURROW" "$@"
}

cat >"$tmp/specs/gpu.json" <<EOF
{
  "cdiVersion": "0.6.0",
  "kind": "example.com/gpu",
  "devices": [
    { "name": "gpu0",
      "containerEdits": {
        "env": ["GPU_INDEX=0"],
        "deviceNodes": [ { "path": "/dev/gpu0", "hostPath": "/dev/zero", "type": "c", "major": 1, "minor": 5 } ] } },
    { "name": "gpu1",
      "containerEdits": {
        "deviceNodes": [ { "path": "/dev/gpu1", "hostPath": "/dev/null", "permissions": "rw" } ] } }
  ],
  "containerEdits": {
    "env": ["GPU_VENDOR=example", "PATH=/usr/sbin:/usr/bin:/sbin:/bin:/opt/gpu"],
    "mounts": [ { "hostPath": "$tmp/lib/libgpu.so", "containerPath": "/usr/lib/libgpu.so",
                  "options": ["ro", "nosuid", "nodev", "bind"] } ]
  }
}
EOF
cat >"$tmp/specs/acc.yaml" <<EOF
# a YAML spec, as vendors' generators write them
cdiVersion: 0.8.0
kind: example.org/acc
devices:
  - name: fpga
    containerEdits:
      env:
        - ACC=fpga
      deviceNodes:
        - path: /dev/fpga
          hostPath: /dev/full
          fileMode: 0666
containerEdits:
  mounts:
    - hostPath: $tmp/share
      containerPath: /opt/acc
      type: bind
      options: [rbind, ro]
EOF
export BURROW_CDI_SPEC_DIRS="$tmp/specs"

# --- JSON
run burrow run --rm --device example.com/gpu=gpu0 $IMG sh -c \
	'test -c /dev/gpu0 && head -c 4 /dev/gpu0 | od -An -tx1; echo "$GPU_VENDOR $GPU_INDEX"; cat /usr/lib/libgpu.so'
assert_rc 0 "--device VENDOR/CLASS=NAME from a JSON spec"
assert_match "$out" "00 00 00 00" "its node is there and reads as the host's /dev/zero"
assert_match "$out" "example 0" "the spec's and the device's environment are set"
assert_match "$out" "gpu runtime" "the spec's mount is there"
run burrow run --rm --device example.com/gpu=gpu0 $IMG sh -c 'echo x >/usr/lib/libgpu.so'
assert_ne "$rc" 0 "a mount with the ro option is read-only"
run burrow run --rm --device example.com/gpu=gpu0 -e GPU_VENDOR=mine $IMG sh -c 'echo "$GPU_VENDOR $PATH"'
assert_eq "$out" "example /usr/sbin:/usr/bin:/sbin:/bin:/opt/gpu" "the spec's environment is applied last, as CDI does"
run burrow run --rm --device example.com/gpu=all $IMG sh -c \
	'ls /dev/gpu0 /dev/gpu1 && echo x >/dev/gpu1 && echo "$GPU_INDEX"'
assert_rc 0 "=all selects every device of the kind"
assert_match "$out" "/dev/gpu1" "both nodes are there"

# --- YAML
run burrow run --rm --device example.org/acc=fpga $IMG sh -c \
	'test -c /dev/fpga && echo "$ACC" && cat /opt/acc/bits; echo x >/dev/fpga || echo full'
assert_rc 0 "--device from a YAML spec"
assert_match "$out" "fpga" "its environment is set"
assert_match "$out" "fpga bitstream" "its directory mount is there"
assert_match "$out" "full" "and the node is the host's /dev/full"
run burrow run --rm --device example.org/acc=fpga --device example.com/gpu=gpu1 --device /dev/null:/dev/plain \
	$IMG sh -c 'ls /dev/fpga /dev/gpu1 /dev/plain'
assert_rc 0 "CDI names from two specs and a host device together"

# --- in a Slurm job, =all of a GPU kind is the GPUs Slurm gave it
mkdir -p "$tmp/slurm"
cat >"$tmp/slurm/gpu.yaml" <<'EOF'
cdiVersion: 0.6.0
kind: example.net/gpu
devices:
  - {name: "0", containerEdits: {deviceNodes: [{path: /dev/g0, hostPath: /dev/zero}]}}
  - {name: "1", containerEdits: {deviceNodes: [{path: /dev/g1, hostPath: /dev/zero}]}}
  - {name: "2", containerEdits: {deviceNodes: [{path: /dev/g2, hostPath: /dev/zero}]}}
  - name: all
    containerEdits:
      deviceNodes: [{path: /dev/g0, hostPath: /dev/zero}, {path: /dev/g1, hostPath: /dev/zero},
                    {path: /dev/g2, hostPath: /dev/zero}]
EOF
run with_dirs "$tmp/slurm" run --rm --device example.net/gpu=all $IMG sh -c 'echo /dev/g*'
assert_eq "$out" "/dev/g0 /dev/g1 /dev/g2" "outside Slurm =all is the spec's device \"all\""
run env SLURM_JOB_GPUS=0,2 BURROW_CDI_SPEC_DIRS="$tmp/slurm" "$BURROW" run --rm --device example.net/gpu=all \
	$IMG sh -c 'echo /dev/g*'
assert_eq "$out" "/dev/g0 /dev/g2" "in a Slurm job =all is the job's GPUs (SLURM_JOB_GPUS)"
run env SLURM_JOB_GPUS=0,2 SLURM_STEP_GPUS=1 BURROW_CDI_SPEC_DIRS="$tmp/slurm" "$BURROW" run --rm \
	--device example.net/gpu=all $IMG sh -c 'echo /dev/g*'
assert_eq "$out" "/dev/g1" "and in a step the step's (SLURM_STEP_GPUS)"
run env SLURM_STEP_GPUS=5 BURROW_CDI_SPEC_DIRS="$tmp/slurm" "$BURROW" run --rm --device example.net/gpu=all $IMG true
assert_rc 125 "a GPU Slurm gives that no spec defines fails with 125"
assert_match "$err" "GPU 5" "and names it"
run env SLURM_JOB_GPUS=0 "$BURROW" run --rm --device example.org/acc=all $IMG test -c /dev/fpga
assert_rc 0 "Slurm's GPU list does not narrow a kind that is not a GPU"

# --- create records the edits
id=$(burrow create --device example.com/gpu=gpu0 $IMG true)
run burrow inspect --format '{{json .HostConfig.Devices}}' "$id"
assert_match "$out" '"PathOnHost":"/dev/zero"' "create records the CDI device's node"
mv "$tmp/specs" "$tmp/specs.away"
run burrow start -a "$id"
mv "$tmp/specs.away" "$tmp/specs"
assert_rc 0 "and start runs it without the spec being read again"
burrow rm -f "$id" >/dev/null

# --- burrow.conf's cdi-spec-dirs
mkdir -p "$tmp/confdir"
cp "$tmp/specs/gpu.json" "$tmp/confdir/"
printf 'cdi-spec-dirs = %s\n' "$tmp/confdir" >"$XDG_CONFIG_HOME/burrow/burrow.conf"
run env -u BURROW_CDI_SPEC_DIRS "$BURROW" run --rm --device example.com/gpu=gpu1 $IMG test -c /dev/gpu1
assert_rc 0 "burrow.conf cdi-spec-dirs names the spec directories"
printf 'cdi-spec-dirs = %s\n' "$tmp/nowhere" >"$XDG_CONFIG_HOME/burrow/burrow.conf"
run burrow run --rm --device example.com/gpu=gpu1 $IMG true
assert_rc 0 "BURROW_CDI_SPEC_DIRS wins over burrow.conf"
rm -f "$XDG_CONFIG_HOME/burrow/burrow.conf"

# --- a later directory overrides an earlier one; one directory can't hold a device twice
mkdir -p "$tmp/over" "$tmp/conflict"
cat >"$tmp/over/gpu.json" <<'EOF'
{"cdiVersion":"0.5.0","kind":"example.com/gpu","devices":[{"name":"gpu0","containerEdits":{"env":["OVER=1"]}}]}
EOF
run with_dirs "$tmp/specs:$tmp/over" run --rm --device example.com/gpu=gpu0 $IMG sh -c 'echo "$OVER"; test -e /dev/gpu0 || echo none'
assert_eq "$out" "1
none" "a device in a later directory overrides the earlier one"
cp "$tmp/over/gpu.json" "$tmp/conflict/a.json"
cp "$tmp/over/gpu.json" "$tmp/conflict/b.json"
n=$(count_ctrs)
run with_dirs "$tmp/conflict" run --rm --device example.com/gpu=gpu0 $IMG true
assert_rc 125 "the same device in two files of one directory is a conflict"
assert_match "$err" "conflicting" "and it says so"

# --- unknown names
run burrow run --rm --device example.com/gpu=gpu7 $IMG true
assert_rc 125 "a CDI name no spec defines fails with 125"
assert_match "$err" "example.com/gpu=gpu7" "and names it"
assert_eq "$(printf '%s\n' "$err" | wc -l)" "1" "in one line"
run burrow create --device nvidia.com/gpu=all $IMG true
assert_rc 125 "=all of a kind no spec has fails with 125"
run burrow run --rm --device 'example.com/gpu=bad name' $IMG true
assert_rc 125 "an invalid CDI name fails with 125"
assert_eq "$(count_ctrs)" "$n" "and no failure left a container"

# --- hostile and unsupported specs: 125, named, nothing left
bad_spec() { # NAME FILE CONTENT EXPECTED-ERROR DESCRIPTION
	mkdir -p "$tmp/bad-$1"
	printf '%s\n' "$3" >"$tmp/bad-$1/$2"
	run with_dirs "$tmp/bad-$1" run --rm --device example.com/gpu=gpu0 $IMG true
	assert_rc 125 "$5 is refused"
	assert_match "$err" "$4" "$5: the error says why"
}
head='{"cdiVersion":"0.6.0","kind":"example.com/gpu","devices":[{"name":"gpu0","containerEdits":'
bad_spec rel s.json "$head"'{"deviceNodes":[{"path":"dev/gpu0","hostPath":"/dev/zero"}]}}]}' \
	"absolute and clean" "a relative device path"
bad_spec dots s.json "$head"'{"mounts":[{"hostPath":"/etc/../etc/passwd","containerPath":"/x"}]}}]}' \
	"absolute and clean" "a mount path with .."
bad_spec type s.json "$head"'{"deviceNodes":[{"path":"/dev/gpu0","major":"one"}]}}]}' \
	"major must be an integer" "a field of the wrong type"
bad_spec env s.json "$head"'{"env":[1]}}]}' "env must be a string" "a non-string env entry"
bad_spec hook s.json "$head"'{"hooks":[{"hookName":"createContainer","path":"usr/bin/true"}]}}]}' \
	"the path must be absolute" "a hook with a relative path"
bad_spec ver s.json '{"cdiVersion":"9.0.0","kind":"example.com/gpu","devices":[{"name":"gpu0","containerEdits":{}}]}' \
	"unsupported cdiVersion" "an unknown cdiVersion"
bad_spec json s.json '{"cdiVersion":' "malformed" "a truncated JSON spec"
bad_spec alias s.yaml 'a: &x [1]
cdiVersion: 0.6.0
kind: example.com/gpu
devices: *x' "aliases" "a YAML spec with an alias"
bad_spec node s.json "$head"'{"deviceNodes":[{"path":"/dev/gpu0","hostPath":"/etc/passwd"}]}}]}' \
	"not a device node" "a host path that is not a device"
bad_spec mismatch s.json "$head"'{"deviceNodes":[{"path":"/dev/gpu0","hostPath":"/dev/zero","major":9}]}}]}' \
	"not the device the spec describes" "a node whose major is not the spec's"
if [ -e /dev/mem ] && ! [ -r /dev/mem ]; then
	bad_spec mem s.json "$head"'{"deviceNodes":[{"path":"/dev/gpu0","hostPath":"/dev/mem"}]}}]}' \
		"the user can't open /dev/mem" "a node the user can't open"
else
	skip "no unreadable /dev/mem here"
	skip "no unreadable /dev/mem here"
fi
# a bad spec doesn't hide the devices of the good ones beside it
mkdir -p "$tmp/mixed"
cp "$tmp/specs/gpu.json" "$tmp/mixed/"
printf '{"cdiVersion":' >"$tmp/mixed/broken.json"
run with_dirs "$tmp/mixed" run --rm --device example.com/gpu=gpu0 $IMG test -c /dev/gpu0
assert_rc 0 "a bad spec beside a good one doesn't stop the good one's devices"
run with_dirs "$tmp/mixed" run --rm --device example.com/gpu=gpu5 $IMG true
assert_rc 125 "a name no good spec defines fails"
assert_match "$err" "broken.json" "and the error names the bad spec"
mkdir -p "$tmp/bad-huge"
{
	printf '{"cdiVersion":"0.6.0","kind":"example.com/gpu","devices":[{"name":"gpu0","containerEdits":{"env":["X='
	head -c 1100000 /dev/zero | tr '\0' 'a'
	printf '"]}}]}\n'
} >"$tmp/bad-huge/s.json"
run with_dirs "$tmp/bad-huge" run --rm --device example.com/gpu=gpu0 $IMG true
assert_rc 125 "a spec over 1 MiB is refused"
assert_match "$err" "larger than" "and the error says so"
assert_eq "$(count_ctrs)" "$n" "no refused spec left a container"

done_testing
