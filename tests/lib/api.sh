# api.sh - `burrow system service` for the API tests (sourced after
# fixtures.sh and fixture_store): api_start serves the Docker Engine API on
# $API_SOCK and points docker's CLI and docker-py at it (DOCKER_HOST);
# api_stop ends it (also at exit).  docker's CLI writes its configuration
# under DOCKER_CONFIG, a private directory here.  No dockerd is involved.
# shellcheck shell=sh

API_SOCK="$FIXTURE_DIR/api/burrow.sock"
export DOCKER_HOST="unix://$API_SOCK" DOCKER_CONFIG="$FIXTURE_DIR/docker-config"
mkdir -p "$DOCKER_CONFIG"
API_PID=

# curl against the socket: api_curl [CURL ARGS...] PATH
api_curl() {
	_p=
	for _a in "$@"; do _p=$_a; done
	_n=$(($# - 1))
	_args=
	while [ "$_n" -gt 0 ]; do
		_args="$_args $(printf '%s' "$1" | sed "s/'/'\\\\''/g;s/^/'/;s/\$/'/")"
		shift
		_n=$((_n - 1))
	done
	eval "curl -sS --max-time 60 --unix-socket \"\$API_SOCK\" $_args \"http://d\$_p\""
}

# api_start: start the service, wait for the socket to answer
api_start() {
	"$BURROW" system service --time 0 "unix://$API_SOCK" >"$FIXTURE_DIR/service.log" 2>&1 &
	API_PID=$!
	# a registry started before (tests/lib/registry.sh) stops with it
	trap 'api_stop; [ -z "${REG_PID:-}" ] || registry_stop; fixture_cleanup' EXIT
	if ! poll -t 30 curl -sf --unix-socket "$API_SOCK" http://d/_ping; then
		diag "service log:" "$(cat "$FIXTURE_DIR/service.log")"
		bail_out "the service did not answer on $API_SOCK"
	fi
}

# api_stop: SIGTERM; the service's exit status in API_RC
API_RC=
api_stop() {
	if [ -n "$API_PID" ]; then
		kill "$API_PID" 2>/dev/null
		wait "$API_PID" 2>/dev/null
		API_RC=$?
		API_PID=
	fi
}

# api_done: stop the service and check it ended well (two test points)
api_done() {
	api_stop
	assert_eq "$API_RC" 0 "the service ends on SIGTERM with status 0"
	_san=$(grep -c "LeakSanitizer\|ERROR: AddressSanitizer\|runtime error:" "$FIXTURE_DIR/service.log")
	assert_eq "$_san" 0 "  and its log has no sanitizer report"
	[ "$_san" = 0 ] || diag "$(cat "$FIXTURE_DIR/service.log")"
}

# the docker client, or skip the file
api_need_docker() {
	command -v docker >/dev/null 2>&1 || skip_all "no docker client (Debian's docker.io provides it)"
}
