#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by tap.sh's run
# burrow unshare: the map, root inside, exit statuses, option pass-through,
# removing files owned by subordinate IDs, and the single-ID map.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"

[ "$(id -u)" != 0 ] || skip_all "run as an unprivileged user (make check does)"
fixture_store
mkdir -p "$FIXTURE_DIR/work" || bail_out "mkdir"
W=$FIXTURE_DIR/work
# files made below may belong to subordinate IDs: remove them from inside
trap '"$BURROW" unshare rm -rf "$W" >/dev/null 2>&1; fixture_cleanup' EXIT

me=$(id -un)
uid=$(id -u)
gid=$(id -g)
subuid=$(awk -F: -v u="$me" -v n="$uid" '($1 == u || $1 == n) && $3 > 0 { print $2, $3; exit }' /etc/subuid)
subgid=$(awk -F: -v u="$me" -v n="$uid" '($1 == u || $1 == n) && $3 > 0 { print $2, $3; exit }' /etc/subgid)
# squeeze a /proc/PID/[ug]id_map into "a b c;a b c;"
squeeze() { awk '{ printf "%s %s %s;", $1, $2, $3 }'; }

# --- the map and root inside ------------------------------------------------------
run burrow unshare cat /proc/self/uid_map
assert_rc 0 "unshare cat /proc/self/uid_map exits 0"
if [ -n "$subuid" ]; then want="0 $uid 1;1 $subuid;"; else want="0 $uid 1;"; fi
assert_eq "$(printf '%s\n' "$out" | squeeze)" "$want" "uid_map is the user at 0 and /etc/subuid after it"
run burrow unshare cat /proc/self/gid_map
if [ -n "$subgid" ]; then want="0 $gid 1;1 $subgid;"; else want="0 $gid 1;"; fi
assert_eq "$(printf '%s\n' "$out" | squeeze)" "$want" "gid_map is the group at 0 and /etc/subgid after it"
run burrow unshare id -u
assert_eq "$out" 0 "id -u is 0 inside"
run burrow unshare sh -c 'echo "$BURROW_UNSHARE"'
assert_eq "$out" 1 "BURROW_UNSHARE=1 is set inside"
run burrow unshare sh -c 'readlink /proc/self/ns/mnt'
assert_ne "$out" "$(readlink /proc/self/ns/mnt)" "the command runs in a new mount namespace"
run burrow unshare ls -ldn "$W"
assert_rc 0 "options after the command go to the command (ls -ldn)"
assert_match "$out" "^d[^ ]+ +[0-9]+ +0 +0 " "ls -ldn shows our directory owned by 0:0 inside"
run burrow unshare -- id -u
assert_eq "$out" 0 "-- ends burrow's options"
run_in 'id -u' env SHELL=/bin/sh "$BURROW" unshare
assert_eq "$out" 0 "no command runs \$SHELL, reading stdin"
run_in 'hello' burrow unshare cat
assert_eq "$out" hello "stdin is passed through"

# --- exit statuses ----------------------------------------------------------------
run burrow unshare true
assert_rc 0 "exit status 0"
run burrow unshare sh -c 'exit 3'
assert_rc 3 "exit status 3 passes through"
run burrow unshare sh -c 'kill -TERM $$'
assert_rc 143 "killed by SIGTERM: 128+15"
run burrow unshare burrow-no-such-command-xyz
assert_rc 127 "a missing command: 127"
assert_match "$err" '^burrow: error: .*burrow-no-such-command-xyz.*not found' "... with an error naming it"
assert_eq "$(printf '%s\n' "$err" | wc -l)" 1 "... on one line"
run burrow unshare "$W/missing"
assert_rc 127 "a missing path: 127"
printf 'echo hi\n' >"$W/noexec"
chmod 644 "$W/noexec"
run burrow unshare "$W/noexec"
assert_rc 126 "a file that is not executable: 126"
assert_match "$err" '^burrow: error: executing .*noexec: Permission denied$' "... with an error naming it"
run burrow unshare --no-such-flag
assert_rc 125 "an unknown flag is a usage error (125)"
run burrow unshare --help
assert_rc 0 "--help exits 0"
assert_match "$out" "^Usage: burrow unshare" "--help shows the usage"
run burrow unshare "$BURROW" unshare true
assert_rc 125 "nesting burrow unshare is refused"
assert_match "$err" "already inside" "... with a reason"

# --- files owned by subordinate IDs -----------------------------------------------
if [ -n "$subuid" ] && [ -n "$subgid" ]; then
	mkdir "$W/owned"
	run burrow unshare sh -c "mkdir '$W/owned/sub' && echo x >'$W/owned/sub/f' && chown -R 1000:1000 '$W/owned/sub'"
	assert_rc 0 "a tree chowned to 1000:1000 inside the namespace"
	want=$(($(echo "$subuid" | cut -d' ' -f1) + 999))
	assert_eq "$(stat -c %u "$W/owned/sub/f")" "$want" "... is owned by subordinate uid $want on the host"
	run rm -rf "$W/owned/sub"
	assert_ne "$rc" 0 "rm -rf without unshare fails"
	assert_true "... and leaves the tree" test -e "$W/owned/sub/f"
	run burrow unshare rm -rf "$W/owned/sub"
	assert_rc 0 "burrow unshare rm -rf removes it"
	assert_false "... and it is gone" test -e "$W/owned/sub"
else
	for _ in 1 2 3 4 5 6; do skip "$me has no subordinate range"; done
fi

# --- the single-ID map ------------------------------------------------------------
run env BURROW_IDMAP=single "$BURROW" unshare cat /proc/self/uid_map /proc/self/setgroups
assert_eq "$(printf '%s\n' "$out" | head -1 | squeeze)" "0 $uid 1;" "BURROW_IDMAP=single: the single-ID map"
assert_eq "$(printf '%s\n' "$out" | tail -1)" deny "BURROW_IDMAP=single: setgroups is denied"
# a real user without a subordinate range: root inside util-linux `unshare -r`
if grep -q '^root:' /etc/subuid 2>/dev/null || ! unshare -r true 2>/dev/null; then
	for _ in 1 2; do skip "no user without a subordinate range to try (unshare -r)"; done
else
	run unshare -r "$BURROW" unshare cat /proc/self/uid_map
	assert_rc 0 "no-subuid user: unshare works"
	assert_eq "$(printf '%s\n' "$out" | squeeze)" "0 0 1;" "no-subuid user: the single-ID map"
fi

done_testing
