#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# rm of a container whose files make a very deep tree: any depth is removed
# with a bounded number of fds.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1

# 5000 levels: chains of 1000 moved into one another (every path stays
# under PATH_MAX)
run burrow run --name deep $IMG sh -c '
	p=d i=1
	while [ $i -lt 1000 ]; do p=$p/d; i=$((i + 1)); done
	cd /tmp && mkdir -p "t0/$p" && echo bottom >"t0/$p/file" || exit 1
	for k in 1 2 3 4; do mkdir -p "t$k/$p" && mv "t$((k - 1))" "t$k/$p/" || exit 1; done
	echo made'
assert_eq "$out" "made" "a container made a tree 5000 levels deep"
id=$(burrow inspect --format '{{.Id}}' deep)
run sh -c 'ulimit -n 64 && exec "$BURROW" rm deep'
assert_rc 0 "rm removes it with 64 fds"
assert_eq "$(printf '%s\n' "$err" | grep -c .)" 0 "  and says nothing on stderr"
assert_false "  its directory is gone" test -e "$BURROW_ROOT/containers/$id"
run burrow ps -a -q
assert_eq "$out" "" "  and it is not listed"
done_testing
