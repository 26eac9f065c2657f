#!/bin/sh
# --userns=keep-id's /etc/passwd and /etc/group (src/lib/runtime/idshift.h):
# by default each init writes them into its /dev tmpfs, binds them on /etc
# and unlinks them; BURROW_KEEPID_TMPFS=0 writes them into the run
# directory as before.  Both ways must give the same files (text, owner,
# mode), the same ID maps and the same user, leave nothing behind (no file
# in /dev, no runroot entry, no process), and keep the files root's to edit.
# With a subordinate range and with the single-ID map.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
unset BURROW_KEEPID_TMPFS
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
NAME=$(id -un)

idmaps=single
if [ "${BURROW_IDMAP:-}" != single ] && grep -q "^$NAME:" /etc/subuid 2>/dev/null; then
	idmaps="auto single"
else
	skip "the subordinate range: the single-ID map is forced or $NAME has none"
fi

# what a keep-id container sees of its user, its files and its maps
SHOW='id; stat -c "%u:%g %a %s" /etc/passwd /etc/group; cat /etc/passwd /etc/group /proc/self/uid_map /proc/self/gid_map'
# the filesystem /etc/passwd is mounted from, as the container sees it
FSTYPE='awk "\$5 == \"/etc/passwd\" { for (i = 7; \$i != \"-\"; i++) ; print \$(i + 1) }" /proc/self/mountinfo'

# no process of ours (the keeper aside, which is shared) has its working
# directory or root in this test's store or runroot
leftover() {
	_k=$(cut -d' ' -f1 "$BURROW_RUNROOT/userns/keeper" 2>/dev/null)
	for _p in /proc/[0-9]*; do
		_pid=${_p#/proc/}
		[ "$_pid" = "$$" ] || [ "$_pid" = "$_k" ] && continue
		for _l in cwd root; do
			case $(readlink "$_p/$_l" 2>/dev/null) in
			"$FIXTURE_DIR"/*) echo "$_pid $(cat "$_p/comm" 2>/dev/null) $_l" ;;
			esac
		done
	done
}

for im in $idmaps; do
	for u in keep-id keep-id:uid=1000,gid=1000 keep-id:uid=2345,gid=2000; do
		run env BURROW_IDMAP=$im "$BURROW" run --rm --network none --userns=$u $IMG sh -c "$SHOW"
		assert_rc 0 "$im map, $u: runs"
		fast=$out
		run env BURROW_IDMAP=$im BURROW_KEEPID_TMPFS=0 "$BURROW" run --rm --network none --userns=$u $IMG sh -c "$SHOW"
		assert_rc 0 "$im map, $u, BURROW_KEEPID_TMPFS=0: runs"
		assert_eq "$fast" "$out" "$im map, $u: the same user, files, owners and maps both ways"
	done
	run env BURROW_IDMAP=$im "$BURROW" run --rm --network none --userns=keep-id $IMG sh -c \
		"$FSTYPE; ls -a /dev | grep -c burrow"
	assert_eq "$out" "tmpfs
0" "$im map: by default /etc/passwd comes from the /dev tmpfs, and no file is left in /dev"
	run env BURROW_IDMAP=$im BURROW_KEEPID_TMPFS=0 "$BURROW" run --rm --network none --userns=keep-id $IMG \
		sh -c "$FSTYPE"
	assert_ne "$out" "tmpfs" "$im map: BURROW_KEEPID_TMPFS=0 binds the run directory's file ($out)"
	# (the single-ID map has no root inside)
	[ "$im" = single ] && continue
	for t in 1 0; do
		run env BURROW_IDMAP=$im BURROW_KEEPID_TMPFS=$t "$BURROW" run --rm --network none --userns=keep-id -u 0 \
			$IMG sh -c 'echo "x:x:5:5::/:/bin/sh" >> /etc/passwd && tail -n 1 /etc/passwd'
		assert_eq "$out" "x:x:5:5::/:/bin/sh" "$im map, BURROW_KEEPID_TMPFS=$t: root may edit /etc/passwd"
	done
done

# a detached container: exec sees the entry, a restart writes it again
run burrow run -d --name k --network none --userns=keep-id $IMG sleep 1000
assert_rc 0 "run -d --userns=keep-id"
run burrow exec k grep -c "^$NAME:" /etc/passwd
assert_eq "$out" "1" "exec sees the user's entry"
run burrow restart -t 0 k
assert_rc 0 "restart"
run burrow exec k sh -c "grep -c '^$NAME:' /etc/passwd; ls -a /dev | grep -c burrow"
assert_eq "$out" "1
0" "after a restart too, with no file left in /dev"
run burrow rm -f k
assert_rc 0 "rm -f"

# a restart by the policy: the same supervisor gives each init the texts
run burrow run -d --name r --network none --restart on-failure:1 --userns=keep-id $IMG sh -c \
	"grep -c '^$NAME:' /etc/passwd; ls -a /dev | grep -c burrow; test -e /tmp/done || { touch /tmp/done; exit 1; }"
assert_rc 0 "run -d --restart on-failure:1 --userns=keep-id"
run burrow wait r
assert_eq "$out" "0" "the second init exits 0"
run burrow logs r
assert_eq "$out" "1
0
1
0" "both inits have the user's entry and nothing left in /dev"
run burrow rm -f r
assert_rc 0 "rm -f"

# nothing left: with the teardown before the exit status, the runroot
# entries are gone when run returns, both ways
for t in 1 0; do
	run env BURROW_LATE_TEARDOWN=0 BURROW_KEEPID_TMPFS=$t "$BURROW" run --rm --network none --userns=keep-id $IMG true
	assert_rc 0 "BURROW_KEEPID_TMPFS=$t: run --rm"
	left=
	for d in "$BURROW_RUNROOT"/containers/*; do
		[ -e "$d" ] && left="$left ${d##*/}"
	done
	assert_eq "$left" "" "BURROW_KEEPID_TMPFS=$t: no runroot entry is left"
done
assert_eq "$(leftover)" "" "no process is left in the store or the runroot"
run burrow ps -a -q
assert_eq "$out" "" "no record left"
done_testing
