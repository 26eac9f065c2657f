#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# The container endpoints through docker's CLI and curl: run --rm attached,
# run -d + logs + stop + rm, create/start/wait, inspect, ps with filters,
# kill, restart, rename, prune, and docker's status codes (404, 409, 304).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
. "$(dirname "$0")/../lib/api.sh"
api_need_docker
api_start

# --- run --rm, attached: create, attach (hijacked), start, wait(removed)
run docker run --rm $IMG echo hello from the api
assert_rc 0 "docker run --rm"
assert_eq "$out" "hello from the api" "  prints the container's output"
run docker run --rm $IMG sh -c 'echo to-err >&2; exit 3'
assert_rc 3 "docker run passes the exit code on"
assert_eq "$err" "to-err" "  and stderr goes to stderr"
run burrow ps -a -q
assert_eq "$out" "" "  --rm containers are gone"

# --- run -d, logs, inspect, stop, rm
run docker run -d --name web -l app=web -e FOO=bar $IMG sh -c 'echo started; echo oops >&2; exec sleep 1000'
assert_rc 0 "docker run -d"
id=$out
assert_match "$id" '^[0-9a-f]{64}$' "  prints the ID"
assert_eq "$(burrow inspect --format '{{.State.Status}}' web)" running "  the CLI sees it running"
poll docker logs web
assert_eq "$out" "started" "docker logs: stdout"
assert_eq "$err" "oops" "  and stderr apart"
run docker logs --tail 1 web
assert_eq "$err" "oops" "docker logs --tail 1"
assert_eq "$out" "" "  only the last line"
run docker logs -t web
assert_match "$out" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z started$' "docker logs -t: timestamps"
run docker inspect --format '{{.Name}} {{.State.Status}} {{.Config.Labels.app}} {{index .Config.Env 0}}' web
assert_match "$out" '^/web running web ' "docker inspect: name, state, label"
run docker inspect --format '{{range .Config.Env}}{{.}} {{end}}' web
assert_match "$out" 'FOO=bar' "  the environment"
run docker ps --format '{{.Names}} {{.Image}} {{.State}}'
assert_eq "$out" "web localhost/$IMG running" "docker ps (the image's full name, as podman's service shows it)"
run docker create --name idle $IMG true
assert_rc 0 "docker create"
run docker ps --format '{{.Names}}'
assert_eq "$out" "web" "docker ps leaves out what is not running"
run docker ps -a --format '{{.Names}} {{.State}}'
assert_eq "$out" "idle created
web running" "docker ps -a: newest first"
run docker ps -a --filter label=app=web --format '{{.Names}}'
assert_eq "$out" "web" "docker ps --filter label="
run docker ps -a --filter status=created --format '{{.Names}}'
assert_eq "$out" "idle" "docker ps --filter status="
run docker ps -a --filter name=idl --format '{{.Names}}'
assert_eq "$out" "idle" "docker ps --filter name="
run docker ps -a -n 1 --format '{{.Names}}'
assert_eq "$out" "idle" "docker ps -n 1"
run docker ps -q --no-trunc
assert_eq "$out" "$id" "docker ps -q --no-trunc"

run docker rm web
assert_rc 1 "docker rm of a running container fails"
assert_match "$err" "cannot remove a running container" "  docker's 409"
run docker start web
assert_rc 0 "starting a running container is not an error (304)"
run api_curl -s -o /dev/null -w '%{http_code}' -X POST /containers/web/start
assert_eq "$out" 304 "  304 on the wire"
run docker stop -t 1 web
assert_rc 0 "docker stop"
assert_eq "$(burrow inspect --format '{{.State.Status}}' web)" exited "  the CLI sees it exited"
run api_curl -s -o /dev/null -w '%{http_code}' -X POST /containers/web/stop
assert_eq "$out" 304 "stopping a stopped container: 304"
run api_curl -s -o /dev/null -w '%{http_code}' -X POST /containers/web/kill
assert_eq "$out" 409 "killing a stopped container: 409"
run docker rename web web2
assert_rc 0 "docker rename"
run docker rename idle web2
assert_rc 1 "a name in use is refused"
run docker rm web2
assert_rc 0 "docker rm"
run docker inspect web2
assert_rc 1 "docker inspect of a removed container fails"
assert_match "$err" "No such" "  no such container"

# --- create, start, wait, kill, restart
run docker start -a idle
assert_rc 0 "docker start -a of a created container"
run docker wait idle
assert_eq "$out" "0" "docker wait: the exit code"
run docker run -d --name k $IMG sleep 1000
run docker kill k
assert_rc 0 "docker kill"
run docker wait k
assert_eq "$out" "137" "  the container died of SIGKILL"
run docker restart -t 1 k
assert_rc 0 "docker restart"
assert_eq "$(burrow inspect --format '{{.State.Status}}' k)" running "  it runs again"
run docker rm -f k
assert_rc 0 "docker rm -f of a running container"
run burrow inspect k
assert_rc 125 "  gone"

# --- the attached run with published ports and bind mounts
mkdir -p "$FIXTURE_DIR/data"
echo from-host >"$FIXTURE_DIR/data/f"
run docker run --rm -v "$FIXTURE_DIR/data:/data" -w /data $IMG cat f
assert_eq "$out" "from-host" "docker run -v and -w"
run docker run --rm --entrypoint /bin/echo $IMG via entrypoint
assert_eq "$out" "via entrypoint" "docker run --entrypoint"
run docker run --rm -u 1000 $IMG id -u
assert_eq "$out" "1000" "docker run -u"

# --- prune
idle_id=$(burrow inspect --format '{{.Id}}' idle)
run docker container prune -f
assert_rc 0 "docker container prune"
assert_match "$out" "$idle_id" "  names what it deleted"
run burrow inspect idle
assert_rc 125 "  the stopped container is gone"

# --- bad input
run api_curl -s -w ' %{http_code}' -X POST -H 'Content-Type: application/json' \
	-d '{"Image":"local/busybox:1","HostConfig":{"NetworkMode":"mynet"}}' /containers/create
assert_eq "$(echo $out)" '{"message":"network mynet not found"} 404' "a network that is not there: docker's 404"
run docker run --rm local/nope:1 true
assert_rc 125 "an image that is not there"
run api_curl -s -w ' %{http_code}' -X POST -H 'Content-Type: application/json' -d '{"Image":"local/busybox:1","Env":["HOME"]}' /containers/create
assert_match "$out" '^ 400$' "Env without = is refused"
assert_match "$out" 'Env: each entry must be KEY=VALUE' "  naming the field"
run api_curl -s -w ' %{http_code}' -X POST -H 'Content-Type: application/json' -d '{"Image":"local/busybox:1","HostConfig":{"Binds":[1]}}' /containers/create
assert_match "$out" '^ 400$' "Binds of the wrong type"
assert_match "$out" 'Binds: expected an array of strings' "  naming the field"
run api_curl -s -w ' %{http_code}' -X POST -H 'Content-Type: application/json' -d '{"Image":"--help"}' /containers/create
assert_match "$out" ' 400$' "an image that looks like an option"
run burrow ps -a -q
assert_eq "$out" "" "nothing is left of the refused requests"
api_done
done_testing
