#!/bin/sh
# --userns=keep-id|nomap|host, --uidmap and --gidmap (podman's meaning): the
# container's own user namespace, nested in burrow's, with the layers shown
# through its map; with a subordinate range and with the single-ID map.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
ME=$(id -u)
MYG=$(id -g)
NAME=$(id -un)
HOSTDIR=$FIXTURE_DIR/host
mkdir -p "$HOSTDIR"

# with BURROW_IDMAP=single from outside (or no range) only the last part runs
with_range=1
if [ "${BURROW_IDMAP:-}" = single ] || ! grep -q "^$NAME:" /etc/subuid 2>/dev/null; then
	with_range=
	skip "the parts with a subordinate range: the single-ID map is forced or $NAME has no range"
fi
if [ -n "$with_range" ]; then

# ---- keep-id ------------------------------------------------------------
run burrow run --rm --userns=keep-id $IMG id
assert_rc 0 "run --userns=keep-id"
assert_eq "$out" "uid=$ME($NAME) gid=$MYG($NAME) groups=$MYG($NAME)" "id shows the user's own uid, gid and name"

run burrow run --rm --userns=keep-id $IMG sh -c 'grep "^'"$NAME"':" /etc/passwd; grep "^'"$NAME"':" /etc/group'
assert_eq "$out" "$NAME:*:$ME:$MYG::/:/bin/sh
$NAME:x:$MYG:" "/etc/passwd and /etc/group have the user's entries (podman's form)"

run burrow run --rm --userns=keep-id $IMG stat -c '%u:%g %U' /etc/passwd /bin/busybox /
assert_eq "$out" "0:0 root
0:0 root
0:0 root" "the image's root-owned files stay root's inside"

run burrow run --rm --userns=keep-id $IMG cat /proc/self/uid_map
assert_match "$out" "^ +0 +1 +$ME
 +$ME +0 +1
 +$((ME + 1)) +$((ME + 1)) +[0-9]+$" "the map (podman's): 0..U-1 below, the user (burrow's 0) at U, the rest above"

run burrow run --rm --userns=keep-id -v "$HOSTDIR:/data" $IMG sh -c 'echo hi > /data/f && stat -c %u:%g /data/f'
assert_eq "$out" "$ME:$MYG" "a file made in a bind mount is the user's inside"
assert_eq "$(stat -c %u:%g "$HOSTDIR/f")" "$ME:$MYG" "and the user's on the host"

run burrow run --rm --userns=keep-id -u 0 $IMG id -u
assert_eq "$out" "0" "--user overrides keep-id's default user"

run burrow run --rm --userns=keep-id:uid=1000,gid=1000 $IMG sh -c 'id -u; id -g; id -un; stat -c %u /etc/passwd'
assert_eq "$out" "1000
1000
user
0" "keep-id:uid=,gid= puts the user at other IDs (the image's user 1000 keeps its name)"

run burrow run --rm --userns=keep-id $IMG sh -c 'echo x > /tmp/f && stat -c %u /tmp/f && touch /etc/new 2>/dev/null || echo ro'
assert_eq "$out" "$ME
ro" "the user writes where the image lets it, not in root's /etc"

# a second container with the same map reuses the layers' copy
n1=$(find "$BURROW_ROOT" -maxdepth 3 -name 'idmap-*' | wc -l)
run burrow run --rm --userns=keep-id $IMG true
assert_rc 0 "a second keep-id run"
n2=$(find "$BURROW_ROOT" -maxdepth 3 -name 'idmap-*' | wc -l)
assert_eq "$n1:$n2" "2:2" "one copy of the layer per map (keep-id, keep-id:uid=1000), reused"

# a start killed while copying leaves .idmap-<key>.<pid>: the next copy made
# in that layer removes it once the pid is gone and it is ten minutes old
ldir=$(dirname "$(find "$BURROW_ROOT" -maxdepth 3 -name 'idmap-*' | head -n 1)")
dead=$(cat /proc/sys/kernel/pid_max)
dead=$((dead - 1))
mkdir -p "$ldir/.idmap-0000000000000000.$dead/bin" "$ldir/.idmap-1111111111111111.$dead"
touch -d '1 hour ago' "$ldir/.idmap-0000000000000000.$dead"
run burrow run --rm --userns=keep-id:uid=2000,gid=2000 $IMG true
assert_rc 0 "a run with a third map"
assert_false "the stale half-made copy is removed" test -e "$ldir/.idmap-0000000000000000.$dead"
assert_true "  but not one that may still be in the making" test -e "$ldir/.idmap-1111111111111111.$dead"
rmdir "$ldir/.idmap-1111111111111111.$dead"

# ---- the record: start, exec, cp, inspect ---------------------------------
run burrow create --name kid --userns=keep-id $IMG sleep 1000
assert_rc 0 "create --userns=keep-id"
run burrow inspect --format '{{.HostConfig.UsernsMode}}' kid
assert_eq "$out" "private" "inspect shows HostConfig.UsernsMode (podman's private)"
run burrow inspect --format '{{json .HostConfig.IDMappings.UidMap}}' kid
assert_match "$out" "\"0:1:$ME\"" "and the UID map"
echo data >"$FIXTURE_DIR/cpfile"
run burrow cp "$FIXTURE_DIR/cpfile" kid:/tmp/cpfile
assert_rc 0 "cp into a created keep-id container"
run burrow start kid
assert_rc 0 "start it"
run burrow exec kid id -u
assert_eq "$out" "$ME" "exec runs as the user"
run burrow exec kid stat -c '%u %U' /tmp/cpfile /etc/passwd
assert_eq "$out" "$ME $NAME
0 root" "cp gave the file to the container's user; image files stay root's"
run burrow cp "$FIXTURE_DIR/cpfile" kid:/tmp/cpfile2
run burrow exec kid stat -c '%u' /tmp/cpfile2
assert_eq "$out" "$ME" "cp into the running container too"
run burrow exec kid sh -c 'echo c > /tmp/mine'
run burrow commit -q kid local/kid:1
assert_rc 0 "commit a keep-id container"
run burrow run --rm local/kid:1 stat -c '%u %g' /tmp/mine /etc/passwd
assert_eq "$out" "$ME $MYG
0 0" "the committed layer keeps the owners the container saw"
run sh -c "\"$BURROW\" export kid | tar -tvf - --numeric-owner bin/busybox tmp/mine 2>/dev/null | awk '{print \$6, \$2}' | sort"
assert_eq "$out" "bin/busybox 0/0
tmp/mine $ME/$MYG" "export shows them too"
run burrow restart -t 0 kid
assert_rc 0 "restart"
run burrow exec kid sh -c 'id -u; stat -c %u /etc/passwd'
assert_eq "$out" "$ME
0" "after a restart the container has its map again"
run burrow rm -f kid
assert_rc 0 "rm -f"

# ---- nomap, host, explicit maps ---------------------------------------------
run burrow run --rm --userns=nomap $IMG sh -c 'cat /proc/self/uid_map; id -u; stat -c %u /etc/passwd'
assert_rc 0 "run --userns=nomap"
assert_match "$out" "^ +0 +[0-9]+ +[0-9]+
0
0$" "nomap: root inside, image files root's"
# inside, the map's outer IDs are burrow's (podman's intermediate) IDs
assert_match "$out" "^ +0 +1 +[0-9]+" "container 0 is intermediate 1, the first subordinate ID"
assert_no_match "$out" "^ +[0-9]+ +0 +" "the user (intermediate 0) is not mapped"

run burrow run -d --name nm --userns=nomap $IMG sleep 1000
assert_rc 0 "a detached nomap container"
run burrow exec nm id -u
assert_eq "$out" "0" "exec into it runs as its root"
run burrow cp "$FIXTURE_DIR/cpfile" nm:/tmp/cpfile
run burrow exec nm stat -c %u:%g /tmp/cpfile
assert_eq "$out" "0:0" "cp into it gives the file to its root"
run burrow rm -f nm
assert_rc 0 "rm -f a nomap container"

run burrow run --rm --userns=host $IMG sh -c 'cat /proc/self/uid_map | head -1'
assert_match "$out" "^ +0 +$ME +1$" "--userns=host: the default map, root is the user"
run burrow run --rm --userns= $IMG id -u
assert_eq "$out" "0" "--userns= is the default too"

run burrow run --rm --uidmap 0:1:1000 --gidmap 0:1:1000 $IMG sh -c 'cat /proc/self/uid_map; stat -c %u /etc/passwd'
assert_match "$out" "^ +0 +1 +1000
0$" "--uidmap C:I:S: I is in burrow's namespace (1 = the first subordinate ID)"
run burrow run --rm --uidmap 0:1:500 --uidmap 500:0:1 $IMG sh -c 'cat /proc/self/gid_map; id -u'
assert_match "$out" "^ +0 +1 +500
 +500 +0 +1
0$" "repeatable; --gidmap defaults to the uid map"

# ---- bad input: one line, 125, no record ------------------------------------
for args in "--userns=keep-id --uidmap 0:1:1" "--userns=bogus" "--uidmap 0:1" "--uidmap a:b:c" \
	"--uidmap 0:1:99999999" "--gidmap 0:70000:10" "--userns=keep-id:foo=1" "--userns=keep-id:uid=x" \
	"--uidmap 0:1:10 --uidmap 5:100:10"; do
	# shellcheck disable=SC2086
	run burrow run --rm $args $IMG true
	assert_rc 125 "run $args fails with 125"
	assert_eq "$(printf '%s\n' "$err" | wc -l)" "1" "with one line: $err"
	# shellcheck disable=SC2086
	run burrow create $args $IMG true
	assert_rc 125 "create $args fails with 125"
done
run burrow run --rm --userns=keep-id --uidmap 0:1:1 $IMG true
assert_match "$err" "mutually exclusive" "keep-id with --uidmap: podman's message"
run burrow run --rm --userns=bogus $IMG true
assert_match "$err" "unrecognized namespace mode bogus passed" "unknown mode: podman's message"
run burrow ps -a -q
assert_eq "$out" "" "no record is left behind"

fi

# ---- without a subordinate range ---------------------------------------------
export BURROW_IDMAP=single
run burrow run --rm --userns=keep-id $IMG sh -c 'id; cat /proc/self/uid_map; stat -c %u /etc/passwd; echo x > /etc/f && echo w'
assert_rc 0 "keep-id with the single-ID map"
assert_match "$out" "^uid=$ME\\($NAME\\) gid=$MYG\\($NAME\\)" "id shows the user"
assert_match "$out" " +$ME +0 +1
$ME
w$" "only the user is mapped: the image's root-owned files are the user's (as on the host) and writable"
run burrow run --rm --userns=keep-id -v "$HOSTDIR:/data" $IMG sh -c 'echo hi > /data/g'
assert_eq "$(stat -c %u "$HOSTDIR/g")" "$ME" "bind mount files are the user's"
run burrow run --rm --userns=nomap $IMG true
assert_rc 125 "nomap needs a subordinate range"
assert_match "$err" "subordinate" "and says so"
run burrow ps -a -q
assert_eq "$out" "" "no record left"
done_testing
