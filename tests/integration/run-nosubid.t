#!/bin/sh
# The single-ID map: no subordinate range (forced with BURROW_IDMAP=single,
# which is what a user without /etc/subuid entries gets).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
export BURROW_IDMAP=single
fixture_image local/busybox:1
IMG=local/busybox:1

run burrow run --rm $IMG sh -c 'cat /proc/self/uid_map; cat /proc/self/setgroups; id -u'
assert_rc 0 "a container runs with the single-ID map"
assert_match "$out" "^ +0 +$(id -u) +1
deny
0$" "only root is mapped, setgroups is denied"
run burrow run --rm $IMG sh -c 'echo x > /tmp/f && cat /tmp/f'
assert_eq "$out" "x" "the root filesystem is writable"
run burrow run --rm -u 1000 $IMG id
assert_rc 125 "an unmapped user fails with 125"
assert_match "$err" "not mapped.*subordinate" "and explains the missing range"
run burrow info
assert_match "$out$err" "single" "burrow info reports the single-ID map"

# A real user without a range: inside util-linux's `unshare -r` burrow runs
# as "root" of that namespace, which has no entry in /etc/subuid, so the
# lookup itself finds nothing and falls back.
unset BURROW_IDMAP
if ! unshare -r true 2>/dev/null; then
	skip "util-linux unshare -r is not usable here"
elif grep -q '^root:' /etc/subuid 2>/dev/null; then
	skip "root has a subordinate range on this host"
else
	run unshare -r "$BURROW" run --rm $IMG sh -c 'cat /proc/self/uid_map; echo x > /etc/f && cat /etc/f'
	assert_rc 0 "a user with no subordinate range still runs containers"
	assert_match "$out" "^ +0 +0 +1
x$" "with the single-ID map found by the lookup"
	run unshare -r "$BURROW" info
	assert_match "$out" "no subordinate uid range for user root" "info says why the single-ID map is used"
	assert_match "$out" "usermod --add-subuids" "and how to get a range"
fi
done_testing
