#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# CDI hooks: a spec's containerEdits.hooks run at their points of the
# lifecycle with the OCI state on stdin (createRuntime, poststart and
# poststop in the supervisor's namespaces, createContainer in the
# container's before pivot_root, startContainer after it), as the user; a
# failing or hanging hook fails the start with 125 and leaves nothing; an
# nvidia-ctk style spec (0.5.0, spec-wide createContainer hooks,
# additionalGids) is accepted and its hooks find the rootfs through the
# bundle's config.json.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
tmp="$FIXTURE_DIR/cdi-hooks"
rm -rf "$tmp"
mkdir -p "$tmp/specs" "$tmp/log" "$tmp/lib"
export BURROW_CDI_SPEC_DIRS="$tmp/specs"
echo "gpu runtime" >"$tmp/lib/libgpu.so.1"
count_ctrs() { burrow ps -aq | wc -l; }

# a hook on the host: its argv, env, uid, stdin and namespaces, one file per kind
cat >"$tmp/hook" <<EOF
#!/bin/sh
kind=\$1
shift
{
	echo "argv: \$*"
	echo "env: \$HOOK_VAR PATH=\$PATH"
	echo "uid: \$(id -u)"
	echo "mnt: \$(readlink /proc/self/ns/mnt)"
	echo "uts: \$(cat /proc/sys/kernel/hostname)"
	echo "state: \$(cat)"
} >"$tmp/log/\$kind"
EOF
chmod +x "$tmp/hook"
hook() { # KIND: a hook entry running $tmp/hook KIND
	printf '{"hookName":"%s","path":"%s","args":["hook","%s","x y"],"env":["HOOK_VAR=v1","PATH=/usr/bin:/bin"]}' \
		"$1" "$tmp/hook" "$1"
}
cat >"$tmp/specs/gpu.json" <<EOF
{
  "cdiVersion": "0.6.0",
  "kind": "example.com/gpu",
  "devices": [
    { "name": "gpu0",
      "containerEdits": {
        "deviceNodes": [ { "path": "/dev/gpu0", "hostPath": "/dev/zero", "type": "c", "major": 1, "minor": 5,
                           "permissions": "rwm" } ],
        "hooks": [ $(hook createContainer),
                   { "hookName": "startContainer", "path": "/bin/sh",
                     "args": ["sh", "-c", "cat >/tmp/start.state; echo \$0 >/tmp/start.argv0", "startarg"] } ] } }
  ],
  "containerEdits": {
    "hooks": [ $(hook createRuntime), $(hook poststart), $(hook poststop) ]
  }
}
EOF

me=$(id -u)
host_mnt=$(readlink /proc/self/ns/mnt)
run burrow run --rm --hostname hk1 --device example.com/gpu=gpu0 $IMG sh -c \
	'readlink /proc/self/ns/mnt; cat /tmp/start.state; echo; cat /tmp/start.argv0; test -c /dev/gpu0 && echo node'
assert_rc 0 "a device whose spec has hooks of every kind runs"
ctr_mnt=$(printf '%s\n' "$out" | sed -n 1p)
for k in createRuntime createContainer poststart poststop; do
	if [ -f "$tmp/log/$k" ]; then ok "the $k hook ran"; else not_ok "the $k hook ran"; fi
done
assert_match "$(cat "$tmp/log/createContainer")" "argv: x y" "a hook gets its args"
assert_match "$(cat "$tmp/log/createContainer")" "env: v1 PATH=/usr/bin:/bin" "and exactly its env"
assert_eq "$(stat -c %u "$tmp/log/createRuntime")" "$me" "it runs as the user (what it writes is the user's)"
assert_eq "$(stat -c %u "$tmp/log/createContainer")" "$me" "createContainer too"
assert_match "$(cat "$tmp/log/createContainer")" "\"status\":\"creating\"" "createContainer gets the OCI state on stdin"
assert_match "$(cat "$tmp/log/createContainer")" '"id":"[0-9a-f]{64}"' "with the container's id"
assert_match "$(cat "$tmp/log/createContainer")" '"pid":[0-9]+' "and the init's pid"
assert_match "$(cat "$tmp/log/createContainer")" "\"bundle\":\"/" "and the bundle"
case "$(cat "$tmp/log/createContainer")" in
*"mnt: $ctr_mnt"*) ok "createContainer runs in the container's mount namespace" ;;
*) not_ok "createContainer runs in the container's mount namespace" ;;
esac
assert_match "$(cat "$tmp/log/createContainer")" "uts: hk1" "and its UTS namespace"
case "$(cat "$tmp/log/createRuntime")" in
*"mnt: $ctr_mnt"*) not_ok "createRuntime runs outside the container's mount namespace" ;;
*) ok "createRuntime runs outside the container's mount namespace" ;;
esac
assert_match "$(cat "$tmp/log/createRuntime")" "uts: $(cat /proc/sys/kernel/hostname)" "and in the host's UTS namespace"
assert_match "$out" '"status":"created"' "startContainer runs in the container with the state on stdin"
assert_match "$out" "startarg" "with its args, after pivot_root (its path is the container's /bin/sh)"
assert_match "$out" "node" "the device node is there too"
assert_match "$(cat "$tmp/log/poststart")" '"status":"running"' "poststart gets the running state"
assert_match "$(cat "$tmp/log/poststop")" '"status":"stopped"' "poststop gets the stopped state"
case "$(cat "$tmp/log/poststop")" in
*'"pid"'*) not_ok "poststop's state has no pid" ;;
*) ok "poststop's state has no pid" ;;
esac
: "$host_mnt"

# --- create records the hooks; start runs them without the spec
rm -f "$tmp/log/"*
id=$(burrow create --device example.com/gpu=gpu0 $IMG true)
mv "$tmp/specs" "$tmp/specs.away"
run burrow start -a "$id"
mv "$tmp/specs.away" "$tmp/specs"
assert_rc 0 "a created container with hooks starts without its spec"
if [ -f "$tmp/log/createContainer" ]; then ok "and its hooks ran"; else not_ok "and its hooks ran"; fi
burrow rm -f "$id" >/dev/null

# --- failures: 125, one line naming the hook, nothing left behind
n=$(count_ctrs)
fail_spec() { # KIND SCRIPT [TIMEOUT]
	mkdir -p "$tmp/fail-$1"
	printf '#!/bin/sh\n%s\n' "$2" >"$tmp/fail-$1/h"
	chmod +x "$tmp/fail-$1/h"
	_t=${3:+,\"timeout\":$3}
	printf '{"cdiVersion":"0.6.0","kind":"example.com/gpu","devices":[{"name":"gpu0","containerEdits":{"hooks":[{"hookName":"%s","path":"%s"%s}]}}]}\n' \
		"$1" "$tmp/fail-$1/h" "$_t" >"$tmp/fail-$1/spec.json"
}
rundirs() { find "$BURROW_RUNROOT/containers" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l | tr -d ' '; }
r0=$(rundirs)
for k in createRuntime createContainer; do
	fail_spec "$k" 'echo "no GPU today" >&2; exit 3'
	run env BURROW_CDI_SPEC_DIRS="$tmp/fail-$k" "$BURROW" run --rm --device example.com/gpu=gpu0 $IMG echo ran
	assert_rc 125 "a failing $k hook fails the start with 125"
	assert_match "$err" "$k hook .* exited with status 3: no GPU today" "$k: the error names the hook and its reason"
	assert_eq "$(printf '%s\n' "$err" | wc -l)" "1" "$k: in one line"
	assert_no_match "$out" "ran" "$k: the command did not run"
done
fail_spec startContainer 'exit 1'
mkdir -p "$tmp/fail-sc"
printf '{"cdiVersion":"0.6.0","kind":"example.com/gpu","devices":[{"name":"gpu0","containerEdits":{"hooks":[{"hookName":"startContainer","path":"/bin/false"}]}}]}\n' \
	>"$tmp/fail-sc/spec.json"
run env BURROW_CDI_SPEC_DIRS="$tmp/fail-sc" "$BURROW" run --rm --device example.com/gpu=gpu0 $IMG echo ran
assert_rc 125 "a failing startContainer hook fails the start with 125"
assert_match "$err" "startContainer hook /bin/false of example.com/gpu=gpu0: exited with status 1" "and names it and the device"
fail_spec createRuntime 'exec sleep 30' 1
run env BURROW_CDI_SPEC_DIRS="$tmp/fail-createRuntime" "$BURROW" run --rm --device example.com/gpu=gpu0 $IMG echo ran
assert_rc 125 "a hook past its timeout fails the start with 125"
assert_match "$err" "timed out after 1 s" "and says so"
assert_eq "$(count_ctrs)" "$n" "no failed start left a container record (run --rm)"
run env BURROW_CDI_SPEC_DIRS="$tmp/fail-createRuntime" "$BURROW" run -d --name hookd --device example.com/gpu=gpu0 $IMG sleep 30
assert_rc 125 "run -d with a failing hook fails with 125 too"
run burrow inspect --format '{{.State.Status}}' hookd
assert_ne "$out" "running" "and the container is not running"
assert_eq "$(rundirs)" "$r0" "nor a runtime directory"
if pgrep -u "$(id -u)" -f "sleep 30" >/dev/null 2>&1; then not_ok "nor a hook process"; else ok "nor a hook process"; fi
burrow rm -af >/dev/null 2>&1

# --- poststart and poststop failures are warnings, as in the OCI runtime spec
fail_spec poststart 'echo "late" >&2; exit 4'
run env BURROW_CDI_SPEC_DIRS="$tmp/fail-poststart" "$BURROW" run --rm --device example.com/gpu=gpu0 $IMG echo ran
assert_rc 0 "a failing poststart hook does not fail the container"
assert_match "$out" "ran" "the command ran"
assert_match "$err" "poststart hook .* exited with status 4: late" "and the failure is a warning"

# --- run --rm returns after its poststop hooks, however slow (no late
# teardown for a container that has one): a hook that takes its time
# still has its mark down when run returns
fail_spec poststop "sleep 1; echo done >'$tmp/log/slow-poststop'"
rm -f "$tmp/log/slow-poststop"
run env BURROW_CDI_SPEC_DIRS="$tmp/fail-poststop" "$BURROW" run --rm --device example.com/gpu=gpu0 $IMG true
assert_rc 0 "a container with a slow poststop hook runs"
if [ -f "$tmp/log/slow-poststop" ]; then ok "run --rm returned after its poststop hook"; else not_ok "run --rm returned after its poststop hook"; fi

# --- an nvidia-ctk style spec: 0.5.0 YAML, spec-wide createContainer hooks
# that find the rootfs through the bundle's config.json, additionalGids
mkdir -p "$tmp/nv" "$tmp/bin"
cat >"$tmp/bin/nvidia-ctk" <<'EOF'
#!/bin/sh
# stands in for nvidia-ctk: reads the state, then the bundle's root.path
state=$(cat)
bundle=$(printf '%s' "$state" | sed 's/.*"bundle":"\([^"]*\)".*/\1/')
root=$(sed 's/.*"root":{"path":"\([^"]*\)".*/\1/' "$bundle/config.json")
case "$2" in
update-ldcache) echo "ldcache $*" >"$root/etc/ld.so.hooked" ;;
create-symlinks) ln -s libgpu.so.1 "$root/usr/lib/libgpu.so" ;;
*) exit 2 ;;
esac
EOF
chmod +x "$tmp/bin/nvidia-ctk"
cat >"$tmp/nv/nvidia.yaml" <<EOF
---
cdiVersion: 0.5.0
kind: nvidia.com/gpu
devices:
- name: "0"
  containerEdits:
    deviceNodes:
    - path: /dev/nvidia0
      hostPath: /dev/zero
- name: all
  containerEdits:
    deviceNodes:
    - path: /dev/nvidia0
      hostPath: /dev/zero
containerEdits:
  env:
  - NVIDIA_VISIBLE_DEVICES=void
  deviceNodes:
  - path: /dev/nvidiactl
    hostPath: /dev/null
  hooks:
  - hookName: createContainer
    path: $tmp/bin/nvidia-ctk
    args:
    - nvidia-ctk
    - hook
    - update-ldcache
    - --folder
    - /usr/lib
  - hookName: createContainer
    path: $tmp/bin/nvidia-ctk
    args: [nvidia-ctk, hook, create-symlinks, --link, "libgpu.so.1::/usr/lib/libgpu.so"]
  mounts:
  - hostPath: $tmp/lib/libgpu.so.1
    containerPath: /usr/lib/libgpu.so.1
    options: [ro, nosuid, nodev, bind]
  additionalGids: [44]
EOF
run env BURROW_CDI_SPEC_DIRS="$tmp/nv" "$BURROW" run --rm --device nvidia.com/gpu=all $IMG sh -c \
	'cat /etc/ld.so.hooked; cat /usr/lib/libgpu.so; ls /dev/nvidia0 /dev/nvidiactl; echo "$NVIDIA_VISIBLE_DEVICES"; id -G'
assert_rc 0 "an nvidia-ctk style spec (0.5.0, createContainer hooks, additionalGids) runs"
assert_match "$out" "ldcache hook update-ldcache --folder /usr/lib" "its update-ldcache hook wrote into the rootfs"
assert_match "$out" "gpu runtime" "its create-symlinks hook's link resolves to the mounted library"
assert_match "$out" "/dev/nvidiactl" "its device nodes are there"
assert_match "$out" "void" "and its env"
assert_match "$out" "(^| )44( |$)" "and additionalGids joins the supplementary groups"

done_testing
