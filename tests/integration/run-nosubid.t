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
done_testing
