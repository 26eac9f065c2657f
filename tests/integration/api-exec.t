#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# Exec sessions through docker's CLI and docker-py: attached (stdout and
# stderr apart, the exit code), with stdin, -e and -w, detached, and the
# errors (a stopped container, an unknown session).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
. "$(dirname "$0")/../lib/api.sh"
api_need_docker
api_start

run docker run -d --name box $IMG sleep 1000
assert_rc 0 "a running container"
run docker exec box echo hi
assert_rc 0 "docker exec"
assert_eq "$out" "hi" "  its output"
run docker exec box sh -c 'echo out; echo err >&2; exit 4'
assert_rc 4 "docker exec passes the exit code on"
assert_eq "$out" "out" "  stdout"
assert_eq "$err" "err" "  and stderr apart"
run docker exec -e GREETING=hello -w /tmp box sh -c 'echo $GREETING $(pwd)'
assert_eq "$out" "hello /tmp" "docker exec -e -w"
run docker exec -u 1000 box id -u
assert_eq "$out" "1000" "docker exec -u"
run_in "typed in" docker exec -i box cat
assert_eq "$out" "typed in" "docker exec -i: stdin reaches the command"
run docker exec -d box sh -c 'echo detached >/tmp/d'
assert_rc 0 "docker exec -d"
poll docker exec box cat /tmp/d
assert_eq "$out" "detached" "  the detached command ran"
run docker exec box nosuchcommand
assert_ne "$rc" 0 "a command that is not there fails"

if python3 -c 'import docker' 2>/dev/null; then
	run python3 -c '
import docker
c = docker.from_env().containers.get("box")
r = c.exec_run(["sh", "-c", "echo py; exit 2"])
print(r.exit_code, r.output.decode().strip())'
	assert_eq "$out" "2 py" "docker-py exec_run"
else
	skip "docker-py: python3-docker is not installed"
fi

run docker top box
assert_rc 0 "docker top"
assert_match "$out" "PID +PPID" "  the titles"
assert_match "$out" "sleep 1000" "  the container's command"
run api_curl -s '/containers/box/top'
assert_match "$out" '"Titles":\["USER","PID"' "  docker's JSON"

run api_curl -s -w ' %{http_code}' -X POST /exec/nope/start
assert_match "$out" '^ 404$' "starting an unknown exec session: 404"
run api_curl -s -w ' %{http_code}' /exec/nope/json
assert_match "$out" 'No such exec instance' "inspecting one: docker's message"
run api_curl -s -w ' %{http_code}' -X POST -H 'Content-Type: application/json' -d '{"Cmd":"ls"}' /containers/box/exec
assert_match "$out" '^ 400$' "Cmd of the wrong type: 400"
# exec start without Upgrade: the output as a plain body (docker answers so too)
run api_curl -s -X POST -H 'Content-Type: application/json' -d '{"Cmd":["echo","plain"],"AttachStdout":true}' /containers/box/exec
xid=$(printf '%s' "$out" | sed -n 's/.*"Id":"\([0-9a-f]*\)".*/\1/p')
run sh -c "curl -sS --max-time 30 --unix-socket '$API_SOCK' -X POST -H 'Content-Type: application/json' -d '{}' http://d/exec/$xid/start | tail -c 6"
assert_eq "$out" "plain" "exec start without Upgrade: the multiplexed output as the body"
run api_curl -s "/exec/$xid/json"
assert_match "$out" '"ExitCode":0' "  and the exit code after it"
run docker stop -t 0 box
run docker top box
assert_rc 1 "docker top of a stopped container fails"
run docker exec box true
assert_ne "$rc" 0 "exec in a stopped container fails"
assert_match "$err" "is not running" "  docker's message"
api_done
done_testing
