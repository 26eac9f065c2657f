#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# burrow system service: the socket (mode, directory, a live one not taken
# over, the idle exit), _ping/version/info as docker's CLI, docker-py and
# curl see them, API versions, error bodies and status codes.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
. "$(dirname "$0")/../lib/api.sh"
api_need_docker

# --- usage
run burrow system service --time nope
assert_rc 125 "--time must be a number"
run burrow system service unix:///a unix:///b
assert_rc 125 "one URI at most"
run burrow system service --time 1 ftp://x
assert_rc 125 "an unknown URI scheme is refused"
assert_match "$err" "unsupported URI" "  and says so"
run burrow system service --help
assert_match "$out" "Docker Engine API" "--help describes the service"

# --- the idle timer: --time 1 exits after a second without requests
run burrow system service --time 1 "unix://$FIXTURE_DIR/idle/s.sock"
assert_rc 0 "--time 1 exits by itself when idle"
assert_false "  and removes its socket" test -e "$FIXTURE_DIR/idle/s.sock"

api_start
assert_eq "$(stat -c %a "$API_SOCK")" 600 "the socket is 0600"
assert_eq "$(stat -c %a "$(dirname "$API_SOCK")")" 700 "  in a 0700 directory"
run burrow system service --time 1 "unix://$API_SOCK"
assert_rc 125 "a second service does not take over a live socket"
assert_match "$err" "another service listens" "  and says so"

# --- the front and its worker (lib/api/front.c): the process that listens
# never maps libmicrohttpd; a worker serves, and goes after 10 s without a
# connection; the next connection starts another
if [ "${BURROW_API_WORKER:-1}" != 0 ]; then
	assert_false "the listening process does not map libmicrohttpd" grep -q libmicrohttpd "/proc/$API_PID/maps"
	# shellcheck disable=SC2317 # called through poll
	no_worker() { ! pgrep -x -P "$API_PID" burrow-api >/dev/null; }
	assert_true "its worker goes when idle" poll -t 30 no_worker
	run api_curl -i /_ping
	assert_match "$out" "HTTP/1.1 200" "  and the next request starts another"
	assert_true "  (a child named burrow-api)" pgrep -x -P "$API_PID" burrow-api
else
	skip "BURROW_API_WORKER=0: one process serves"
fi

# --- _ping
run api_curl -i /_ping
assert_match "$out" "HTTP/1.1 200" "_ping answers 200"
assert_match "$out" "Api-Version: 1.41" "  with Api-Version 1.41"
assert_match "$out" "OK" "  and OK"
run api_curl -I /_ping
assert_match "$out" "HTTP/1.1 200" "HEAD /_ping"
run api_curl -i /v1.41/_ping
assert_match "$out" "HTTP/1.1 200" "the /v1.41 prefix"
run api_curl -i /v1.24/version
assert_match "$out" "HTTP/1.1 200" "an older version prefix is served"
run api_curl -i /v1.99/version
assert_match "$out" "HTTP/1.1 400" "a newer one is docker's 400"
assert_match "$out" '"message":"client version 1.99 is too new' "  with docker's message"

# --- errors
run api_curl -i /nope
assert_match "$out" "HTTP/1.1 404" "an unknown path is 404"
assert_match "$out" '\{"message":"page not found"\}' "  with a JSON message"
run api_curl -i -X DELETE /info
assert_match "$out" "HTTP/1.1 405" "a known path with another method is 405"
run api_curl -i /containers/nope/json
assert_match "$out" "HTTP/1.1 404" "an unknown container is 404"
assert_match "$out" '"message":"No such container: nope"' "  with docker's message"
run api_curl -i -X POST -H 'Content-Type: application/json' -d '{"Image": 5}' /containers/create
assert_match "$out" "HTTP/1.1 400" "a field of the wrong type is 400"
assert_match "$out" 'Image: expected a string' "  naming the field"
run api_curl -i -X POST -H 'Content-Type: application/json' -d '{"Image": ' /containers/create
assert_match "$out" "HTTP/1.1 400" "malformed JSON is 400"
head -c 2000000 /dev/zero | tr '\0' 'a' >"$FIXTURE_DIR/big"
run api_curl -i -X POST -H 'Content-Type: application/json' --data-binary "@$FIXTURE_DIR/big" /containers/create
assert_match "$out" "HTTP/1.1 413" "a body over 1 MiB is 413"
run api_curl -i -H "X-Big: $(head -c 100000 /dev/zero | tr '\0' 'b')" /_ping
assert_no_match "$out" "HTTP/1.1 200" "a 100 kB header is refused"
run api_curl /_ping
assert_eq "$out" "OK" "the service still answers after bad requests"

# --- the docker CLI
run docker version --format '{{.Server.APIVersion}}'
assert_rc 0 "docker version talks to the service"
assert_eq "$out" "1.41" "  API 1.41"
run docker version --format '{{.Server.Version}}'
assert_eq "$out" "$(burrow version | sed -n 's/^burrow version //p')" "  the server version is burrow's"
run docker info --format '{{.OSType}} {{.Driver}} {{.CgroupVersion}}'
assert_rc 0 "docker info"
assert_eq "$out" "linux overlay 2" "  OSType, Driver, CgroupVersion"
run docker info --format '{{.Containers}} {{.Images}}'
assert_eq "$out" "0 0" "  counts containers and images"

# --- docker-py
if python3 -c 'import docker' 2>/dev/null; then
	run python3 -c '
import docker
c = docker.from_env()
print(c.ping(), c.version()["ApiVersion"], c.info()["OSType"])'
	assert_eq "$out" "True 1.41 linux" "docker-py: ping, version, info"
else
	skip "docker-py: python3-docker is not installed"
fi

api_done
assert_false "the socket goes with the service" test -e "$API_SOCK"
done_testing
