#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# The docker commands the GitHub Actions runner issues for a container job
# with a service container, in its order and with its flags: a labelled
# network, the job container (tail -f /dev/null as entrypoint, the docker
# socket and the work directory bind-mounted), start, ps with its filters,
# a service container with a network alias, exec with -e and --workdir
# reaching the service by its alias, rm --force, network rm.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
B=${BURROW_BUILD:?BURROW_BUILD must point at the build directory}
[ -x "$B/burrow-net" ] || skip_all "$B/burrow-net not built"
[ -c /dev/net/tun ] || skip_all "no /dev/net/tun"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
. "$(dirname "$0")/../lib/api.sh"
api_need_docker
api_start
trap '"$BURROW" rm -f -a >/dev/null 2>&1; api_stop; fixture_cleanup' EXIT

HASH=a1b2c3d4e5f6a7b8c9d0
NET=github_network_0123456789abcdef
WORK="$FIXTURE_DIR/work"
mkdir -p "$WORK/_temp" "$WORK/repo/repo"

run docker network create --label "$HASH" "$NET"
assert_rc 0 "network create --label HASH NAME"
run docker network ls --filter label="$HASH" --format '{{.Name}}'
assert_eq "$out" "$NET" "  found by its label"

# the job container
run docker create --name "${HASH}_job" --label "$HASH" --workdir /__w/repo/repo --network "$NET" \
	-e "HOME=/github/home" -e GITHUB_ACTIONS=true -e CI=true \
	-v "$API_SOCK":/var/run/docker.sock -v "$WORK":/__w \
	--entrypoint tail $IMG -f /dev/null
assert_rc 0 "create --entrypoint tail ... -f /dev/null with the socket and the work directory"
job=$out
assert_match "$job" '^[0-9a-f]{64}$' "  prints the ID"
run docker start "$job"
assert_rc 0 "start"
run docker ps --all --filter id="$job" --filter status=running --no-trunc --format "{{.ID}} {{.Status}}"
assert_match "$out" "^$job Up " "ps --all --filter id= --filter status=running --no-trunc --format"
run docker inspect --format '{{.Config.WorkingDir}} {{.HostConfig.NetworkMode}} {{index .Config.Labels "'$HASH'"}}' "$job"
assert_eq "$out" "/__w/repo/repo $NET " "  inspect: the workdir, the network, the label"

# the service container
run docker create --name "${HASH}_redis" --label "$HASH" --network "$NET" --network-alias redis \
	-e SVC=redis $IMG sh -c 'mkdir -p /www && echo "$SVC says hi" >/www/index.html && exec httpd -f -p 6379 -h /www'
assert_rc 0 "create the service with --network-alias"
svc=$out
run docker start "$svc"
assert_rc 0 "  start it"
run docker ps --all --filter id="$svc" --filter status=running --no-trunc --format "{{.ID}} {{.Status}}"
assert_match "$out" "^$svc Up " "  running"

# a step: a script in the work directory, run with exec -i, -e and --workdir
cat >"$WORK/_temp/step.sh" <<'EOF'
set -e
test -S /var/run/docker.sock
echo "step in $(pwd) for $GITHUB_REPOSITORY" >out.txt
printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 5 redis 6379 | tail -n 1 >>out.txt
EOF
step() {
	rm -f "$WORK/repo/repo/out.txt"
	docker exec -i --workdir /__w/repo/repo -e GITHUB_REPOSITORY=o/r -e HOME=/github/home "$job" \
		sh -e /__w/_temp/step.sh </dev/null && grep -q 'says hi' "$WORK/repo/repo/out.txt"
}
poll step
assert_rc 0 "exec -i --workdir -e: the step ran"
assert_eq "$(cat "$WORK/repo/repo/out.txt")" "step in /__w/repo/repo for o/r
redis says hi" "  in the workdir, with the variable, reaching the service by its alias"
run docker exec -i "$job" sh -c 'echo "$HOME $CI"'
assert_eq "$out" "/github/home true" "  the job container's environment"

# cleanup, as the runner does it
run docker rm --force "$job"
assert_rc 0 "rm --force the job container"
run docker rm --force "$svc"
assert_rc 0 "rm --force the service container"
run docker network rm "$NET"
assert_rc 0 "network rm"
run burrow ps -a -q
assert_eq "$out" "" "  no container is left"
assert_false "  nor the network" burrow network exists "$NET"

api_done
done_testing
