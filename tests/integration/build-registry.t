#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# A built image goes to a registry and comes back: build (two layers on top
# of the busybox fixture, a whiteout among them) -> push -> rmi -> pull -> run,
# and FROM / COPY --from of an image that is only in the registry (pulled
# by the build, honouring --tls-verify and --pull).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
. "$(dirname "$0")/../lib/registry.sh"
registry_start
T=$FIXTURE_DIR
P="--tls-verify=false"
fixture_image busybox

mkdir -p "$T/ctx"
echo payload >"$T/ctx/payload.txt"
cat >"$T/ctx/Dockerfile" <<'EOF'
FROM busybox
RUN rm /bin/vi && echo built > /built
COPY payload.txt /payload.txt
ENV WHO=registry
CMD ["sh", "-c", "cat /built /payload.txt; echo $WHO; ls /bin/vi 2>&1 || true"]
EOF
run burrow build -q -t app:1 "$T/ctx"
assert_rc 0 "build"
run burrow push $P app:1 "$REG/built/app:1"
assert_rc 0 "push the built image"
burrow rmi -a -f >/dev/null 2>&1
burrow image prune >/dev/null 2>&1
run burrow pull -q $P "$REG/built/app:1"
assert_rc 0 "pull it back into an empty store"
run burrow run --rm "$REG/built/app:1"
assert_match "$out" "^built
payload
registry
ls: /bin/vi: No such file or directory$" "it runs, with its files, env and the whiteout"
run burrow history "$REG/built/app:1"
assert_match "$out" 'rm /bin/vi' "  its history came along"

# FROM an image that is only in the registry: pulled by the build
burrow rmi -a -f >/dev/null 2>&1
printf 'FROM %s/built/app:1\nRUN cat /built\n' "$REG" >"$T/ctx/Dockerfile"
run burrow build --pull=never "$T/ctx"
assert_rc 125 "--pull=never: a base that is not in the store fails"
run burrow build "$T/ctx"
assert_rc 125 "  TLS is verified by default (the test registry is plain HTTP)"
run burrow build $P "$T/ctx"
assert_rc 0 "--tls-verify=false: the base is pulled"
assert_match "$out" 'Trying to pull' "  and says so"
assert_match "$out" '^built$' "  and the RUN sees its files"
printf 'FROM scratch\nCOPY --from=%s/built/app:1 /payload.txt /p\n' "$REG" >"$T/ctx/Dockerfile"
run burrow build -q $P --pull=always -t fromimg:1 "$T/ctx"
assert_rc 0 "COPY --from an image reference (--pull=always)"

done_testing
