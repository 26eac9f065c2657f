#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# burrow commit: a container's changes (added, changed, deleted) as a new
# image, with --change, --message, --author, -q.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1

burrow run --name c1 $IMG sh -c 'echo data >/new; rm /bin/vi; mkdir -p /d/e; echo x >/d/e/f; echo changed >/etc/group' >/dev/null
run burrow commit c1 local/committed:1
assert_rc 0 "commit a stopped container"
assert_match "$out" "^[0-9a-f]{64}$" "prints the image ID"
assert_match "$err" "Writing manifest to image destination" "and podman's progress line"
id=$out
run burrow images -q --no-trunc
assert_match "$out" "$id" "the image is in the store"
run burrow run --rm local/committed:1 sh -c 'cat /new /d/e/f /etc/group; test -e /bin/vi && echo vi-still-there; test -e /bin/sh && echo sh-ok'
assert_eq "$out" "data
x
changed
sh-ok" "added and changed files are in it, deleted ones are gone"
run burrow run --rm --no-hosts local/committed:1 sh -c 'test -e /etc/hosts && echo present || echo absent'
assert_eq "$out" "absent" "the runtime's placeholder files are left out"

run burrow commit -q -m "a message" -a "A. Author <a@example.org>" -c 'CMD ["cat", "/new"]' -c 'ENV FOO=bar' -c 'LABEL team=web' c1 local/committed:2
assert_rc 0 "commit with --change, --message, --author and -q"
assert_match "$out" "^[0-9a-f]{64}$" "-q prints the ID"
assert_eq "$err" "" "and nothing else"
run burrow run --rm local/committed:2
assert_eq "$out" "data" "CMD from --change"
run burrow run --rm local/committed:2 sh -c 'echo $FOO'
assert_eq "$out" "bar" "ENV from --change"
run burrow history local/committed:2
assert_match "$out" "a message" "the message is in the history"
run burrow inspect --format '{{.Config.Labels.team}}' "$(burrow create local/committed:2)"
assert_eq "$out" "web" "LABEL from --change reaches containers"

# a running container
burrow run -d --name c2 $IMG sh -c 'echo live >/live; sleep 1000' >/dev/null
poll burrow exec c2 test -f /live
run burrow commit c2 local/committed:3
assert_rc 0 "commit a running container"
run burrow run --rm local/committed:3 cat /live
assert_eq "$out" "live" "its changes are in the image"

# no name: a dangling image
run burrow commit -q c1
assert_rc 0 "commit without a name"
anon=$out
run burrow images -a -q --no-trunc
assert_match "$out" "$anon" "the unnamed image is in the store"

# bad input leaves nothing
n=$(burrow images -aq | wc -l)
run burrow commit -c 'FROBNICATE x' c1 local/bad:1
assert_rc 125 "an unknown --change instruction fails with 125"
assert_match "$err" "FROBNICATE" "and names it"
run burrow commit nosuch local/bad:1
assert_rc 125 "an unknown container fails with 125"
run burrow commit c1 'Bad:Name:x'
assert_rc 125 "a bad image name fails with 125"
assert_eq "$(burrow images -aq | wc -l)" "$n" "and no image is left behind"

run burrow events --stream=false --filter event=commit --format '{{.Name}}'
assert_match "$out" "local/committed:1" "commit is an event"

burrow rm -f c1 c2 >/dev/null
done_testing
