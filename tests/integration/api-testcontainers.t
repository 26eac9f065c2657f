#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# testcontainers for Node (from the npm registry, installed once by
# tests/lib/testcontainers-fixture.sh as root) against the API, with its
# reaper (Ryuk) disabled: a GenericContainer started, waited on for a log
# line, reached through its mapped port, exec'd in and stopped.  The checks
# are in tests/lib/api_testcontainers.js, one line each.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
tc=${BURROW_TEST_TESTCONTAINERS:-/var/cache/burrow-tests/testcontainers}
command -v node >/dev/null 2>&1 || skip_all "no Node.js (Debian's npm package brings it)"
[ -r "$tc/node_modules/testcontainers/package.json" ] ||
	skip_all "testcontainers is not installed in $tc (tests/lib/testcontainers-fixture.sh, run by make check as root, needs npm and the npm registry)"
fixture_store
. "$(dirname "$0")/../lib/api.sh"
api_need_docker
api_start
fixture_image local/busybox:1

# the mapped ports are on this host: without the override, testcontainers
# run inside a container (/.dockerenv) asks for the bridge network's gateway
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost NODE_PATH="$tc/node_modules"
# no ~/.testcontainers.properties or docker config of the user's
export HOME="$FIXTURE_DIR"
timeout 200 node "$(dirname "$0")/../lib/api_testcontainers.js" local/busybox:1 >"$FIXTURE_DIR/tc.out" 2>"$FIXTURE_DIR/tc.err"
tcrc=$?
while IFS= read -r line; do
	case $line in
	"PASS "*) ok "testcontainers: ${line#PASS }" ;;
	*) not_ok "testcontainers: ${line#FAIL }" ;;
	esac
done <"$FIXTURE_DIR/tc.out"
assert_eq "$tcrc" 0 "the testcontainers script ran to its end"
[ "$tcrc" = 0 ] || diag "$(tail -n 30 "$FIXTURE_DIR/tc.err")"
run docker ps -aq --filter label=suite=testcontainers
assert_eq "$out" "" "no container is left"
# what a failed run left behind
"$BURROW" rm -f -a >/dev/null 2>&1
api_done
done_testing
