#!/bin/sh
# demo.sh - `make demo`: build an image from a Dockerfile and serve a web
# page from a detached container, as the calling (unprivileged) user, in a
# private store that is removed at the end.  No registry, no network access:
# the base image is Debian's busybox-static, imported the way the tests'
# fixtures do.  Every command is printed before it runs, as a presenter
# would type it.
#
#   sh tests/demo.sh BUILD_DIR       (BUILD_DIR holds the burrow binary)
# shellcheck shell=sh
set -eu

build=${1:?usage: demo.sh BUILD_DIR}
build=$(cd "$build" && pwd)
BURROW=$build/burrow
BURROW_BUILD=$build
export BURROW BURROW_BUILD
[ -x "$BURROW" ] || { echo "demo: $BURROW is missing: run make first" >&2; exit 1; }
if [ "$(id -u)" = 0 ]; then
	echo "demo: burrow is rootless; run the demo as an ordinary user (make demo as root does that)" >&2
	exit 1
fi
command -v curl >/dev/null || { echo "demo: curl is missing (sudo make deps installs it)" >&2; exit 1; }

bail_out() { echo "demo: $*" >&2; exit 1; }
# shellcheck source=tests/lib/fixtures.sh
. "$(dirname "$0")/lib/fixtures.sh"

if [ -t 1 ]; then b=$(printf '\033[1m') d=$(printf '\033[36m') n=$(printf '\033[0m'); else b='' d='' n=''; fi

say() { printf '\n%s==> %s%s\n' "$b" "$*" "$n"; }
# show CMD...: print the command as typed (burrow for $BURROW), then run it;
# stop the demo with its status when it fails
show() {
	printf '%s$' "$d"
	for a in "$@"; do
		[ "$a" = "$BURROW" ] && a=burrow
		case $a in
		*[!A-Za-z0-9_./:=,@%+-]* | '') printf " '%s'" "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")" ;;
		*) printf ' %s' "$a" ;;
		esac
	done
	printf '%s\n' "$n"
	rc=0
	"$@" || rc=$?
	if [ "$rc" != 0 ]; then
		echo "demo: $1 failed with status $rc" >&2
		exit "$rc"
	fi
}
step() { show "$BURROW" "$@"; }

fixture_store # private BURROW_ROOT and BURROW_RUNROOT, removed at exit
cleanup() {
	"$BURROW" rm -f -a >/dev/null 2>&1 || true
	fixture_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
echo "burrow demo as $(id -un) (uid $(id -u)), store in $FIXTURE_DIR"

say "A base image from Debian's busybox-static: import a root filesystem tarball"
tar=$(fixture_rootfs_tar gz)
step import "$tar" busybox

say "Root in the container is you outside; its own hostname, PID 1 and process list"
step run --rm busybox sh -c 'id; cat /proc/self/uid_map; hostname; sleep 30 & ps; kill $!'

say "Build a web server image from a Dockerfile"
ctx=$FIXTURE_DIR/web
mkdir -p "$ctx"
cat >"$ctx/Dockerfile" <<'EOF'
FROM busybox
COPY index.html /www/index.html
RUN echo "built by $(id -un) on $(date -u +%F)" >>/www/index.html
EXPOSE 80
CMD ["httpd", "-f", "-v", "-p", "80", "-h", "/www"]
EOF
echo 'Hello from a rootless burrow container!' >"$ctx/index.html"
show cat "$ctx/Dockerfile"
step build -t demo/web:1 "$ctx"
step images

say "Run it detached, with its port 80 published on a free port of the host's 127.0.0.1"
step run -d --init --name web -p 127.0.0.1::80 demo/web:1
step port web
port=$("$BURROW" port web 80/tcp | sed -n '1s/.*://p')
[ -n "$port" ] || bail_out "no host port for web's port 80"

say "Ask it from the host (retrying while httpd starts up)"
show curl -sS --max-time 5 --retry 10 --retry-all-errors "http://127.0.0.1:$port/"

say "The container in ps, and httpd's log of that request"
step ps
step logs web

say "Stop it (burrow-init passes SIGTERM on to httpd) and clean up"
step stop web
step ps -a
step rm web
step rmi demo/web:1 busybox
step images

say "Done; the temporary store is removed now"
