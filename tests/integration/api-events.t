#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# GET /events (since/until and filters, and followed as a stream), GET
# /system/df and POST /auth (a login checked against the test registry,
# which wants a password) through docker's CLI and curl.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
. "$(dirname "$0")/../lib/registry.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
. "$(dirname "$0")/../lib/api.sh"
api_need_docker
registry_start auth
api_start
EVPID=
trap '[ -z "$EVPID" ] || kill "$EVPID" 2>/dev/null; "$BURROW" rm -f -a >/dev/null 2>&1; api_stop; registry_stop; fixture_cleanup' EXIT

# --- past events: since and until
t0=$(date +%s)
run docker run -d --name ev1 -l team=x $IMG true
assert_rc 0 "docker run -d ev1 (labelled)"
poll sh -c "[ \"\$(docker inspect --format '{{.State.Status}}' ev1)\" = exited ]"
run docker run -d --name ev2 $IMG true
poll sh -c "[ \"\$(docker inspect --format '{{.State.Status}}' ev2)\" = exited ]"
t1=$(($(date +%s) + 1))
run docker events --since "$t0" --until "$t1" --filter type=container --filter event=start --format '{{.Actor.Attributes.name}} {{.Action}}'
assert_rc 0 "docker events --since --until (ends by itself)"
assert_eq "$out" "ev1 start
ev2 start" "  --filter type=container --filter event=start: both starts, in order"
run docker events --since "$t0" --until "$t1" --filter label=team=x --filter event=die --format '{{.Actor.Attributes.name}} {{.Action}} {{.Actor.Attributes.exitCode}}'
assert_eq "$out" "ev1 die 0" "  --filter label= and event=die, with the exit code"
run docker events --since "$t0" --until "$t1" --filter container=ev2 --format '{{.Action}}'
assert_eq "$(echo "$out" | head -n 2)" "create
start" "  --filter container=NAME"
run api_curl "/events?since=$t0&until=$t1&filters=%7B%22container%22%3A%5B%22ev1%22%5D%2C%22event%22%3A%5B%22start%22%5D%7D"
assert_match "$out" '^\{"status":"start","id":"[0-9a-f]{64}","from":"[^"]*busybox:1","Type":"container","Action":"start","Actor":\{"ID":"[0-9a-f]{64}","Attributes":\{.*"name":"ev1".*\},"scope":"local","time":[0-9]+,"timeNano":[0-9]+\}$' \
	"  docker's message on the wire"
run api_curl -o /dev/null -w '%{http_code}' "/events?since=yesterday"
assert_eq "$out" 400 "a bad since: 400"
run api_curl -o /dev/null -w '%{http_code}' "/events?until=1&filters=%7B%22color%22%3A%5B%22x%22%5D%7D"
assert_eq "$out" 400 "an unknown filter: 400"

# --- the stream: events as they happen
EV="$FIXTURE_DIR/events.out"
docker events --filter type=network --filter type=container --format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}' >"$EV" 2>&1 &
EVPID=$!
# the stream is open once an event made after the request shows up
n=0
streaming() {
	n=$((n + 1))
	docker network create "probe$n" >/dev/null && grep -q "network create probe" "$EV"
}
poll streaming
assert_rc 0 "docker events follows: a network made after it started shows up"
run docker run -d --name ev3 $IMG true
poll grep -q "container start ev3" "$EV"
assert_rc 0 "  and a container's start"
run grep -c "container start ev1" "$EV"
assert_eq "$out" 0 "  but nothing from before it started"
kill "$EVPID"
wait "$EVPID" 2>/dev/null
EVPID=
run docker version --format '{{.Server.APIVersion}}'
assert_eq "$out" "1.41" "the service serves on after the client left the stream"

# --- system df
docker volume create dfvol >/dev/null
run docker system df --format '{{.Type}} {{.TotalCount}} {{.Active}}'
assert_rc 0 "docker system df"
assert_eq "$out" "Images 1 1
Containers 3 0
Local Volumes 1 0
Build Cache 0 0" "  images, containers and volumes counted"
run api_curl /system/df
assert_match "$out" '"LayersSize":[1-9][0-9]*' "  LayersSize"
assert_match "$out" '"UsageData":\{"Size":0,"RefCount":0\}' "  a volume's UsageData"

# --- auth
run docker login -u "$REG_USER" -p "$REG_PASS" "$REG"
assert_rc 0 "docker login to the test registry (POST /auth)"
assert_match "$out" "Login Succeeded" "  Login Succeeded"
run docker login -u "$REG_USER" -p wrong "$REG"
assert_ne "$rc" 0 "a wrong password fails"
run api_curl -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	-d '{"username":"'"$REG_USER"'","password":"wrong","serveraddress":"'"$REG"'"}' /auth
assert_eq "$out" 401 "  401 on the wire"

api_done
done_testing
