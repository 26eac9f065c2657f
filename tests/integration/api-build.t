#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# Images in and out through the API with docker's own CLI: build from a tar
# context (ARG, a --target stage, --label, -q, a failing step, hostile
# contexts), push to the test registry (plain HTTP on loopback, as the
# Docker daemon allows; X-Registry-Auth) and pull back, history, save |
# load, image prune (dangling, label, until) and import.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
. "$(dirname "$0")/../lib/registry.sh"
registry_start
. "$(dirname "$0")/../lib/api.sh"
api_need_docker
api_start
# the classic builder, as dockerd without BuildKit
export DOCKER_BUILDKIT=0
T=$FIXTURE_DIR
fixture_image local/busybox:1
leftovers() { find "$BURROW_RUNROOT" -maxdepth 1 -name 'api-build-*' | wc -l; }

# --- build: ARG, a --target stage, a label
C=$T/ctx
mkdir -p "$C"
cat >"$C/Dockerfile" <<'EOF'
FROM local/busybox:1 AS base
ARG GREETING=hello
RUN echo "$GREETING from the build" >/greeting
FROM base AS final
RUN echo "the last stage" >/final
FROM local/busybox:1 AS unused
RUN false
EOF
echo data >"$C/file"
run docker build -t local/built:1 -t local/built:2 --build-arg GREETING=bonjour --target final \
	--label team=api "$C"
assert_rc 0 "docker build with --build-arg, --target and --label"
assert_match "$out" "Successfully built [0-9a-f]{12}" "  docker's last line"
assert_match "$out" "Successfully tagged" "  and the tags"
run docker run --rm local/built:2 cat /greeting /final
assert_eq "$out" "bonjour from the build
the last stage" "  the build argument and the target stage made it"
run docker image inspect --format '{{.Config.Labels.team}}' local/built:1
assert_eq "$out" "api" "  the label is on the image"
run burrow images --format '{{.Repository}}:{{.Tag}}'
assert_match "$out" "local/built:1" "  the CLI sees it"
assert_eq "$(leftovers)" 0 "  the context's directory is gone"

tar -C "$C" -cf "$T/ctx.tar" .
run api_curl -s -X POST -H 'Content-Type: application/x-tar' --data-binary "@$T/ctx.tar" '/build?dockerfile=nope'
assert_match "$out" '"error":"reading the Dockerfile' "a Dockerfile that is not in the context: an error in the stream"
printf 'FROM local/busybox:1\nCOPY file /copied\n' >"$C/Dockerfile.alt"
run docker build -q -f "$C/Dockerfile.alt" "$C"
assert_rc 0 "docker build -q -f"
assert_match "$out" '^sha256:[0-9a-f]{64}$' "  prints only the ID"
printf 'FROM local/busybox:1\nRUN exit 3\n' >"$C/Dockerfile.bad"
run docker build -f "$C/Dockerfile.bad" "$C"
assert_rc 1 "a failing RUN fails docker build"
run api_curl -s -X POST -H 'Content-Type: application/x-tar' --data-binary @/dev/null '/build'
assert_match "$out" 'body must be the build context|"error"' "an empty context: an error"

# a context with a path that climbs out, and one that is not a tar
mkdir -p "$T/evil"
printf 'FROM local/busybox:1\n' >"$T/evil/Dockerfile"
echo pwned >"$T/evil/x"
tar -C "$T/evil" -cf "$T/evil.tar" Dockerfile
python3 -c '
import sys, tarfile, io
t = tarfile.open(sys.argv[1], "a")
i = tarfile.TarInfo("../../escaped"); d = b"pwned\n"; i.size = len(d)
t.addfile(i, io.BytesIO(d)); t.close()' "$T/evil.tar"
run api_curl -s -X POST -H 'Content-Type: application/x-tar' --data-binary "@$T/evil.tar" '/build?t=local/evil:1'
assert_match "$out" '"error"' "a context that climbs out of its directory: an error in the stream"
assert_false "  nothing was written outside" test -e "$BURROW_RUNROOT/escaped"
assert_false "  nothing was written further up" test -e "$T/escaped"
run api_curl -s -X POST --data-binary 'not a tar at all' '/build'
assert_match "$out" '"error"' "a body that is not a tar: an error in the stream"
assert_eq "$(leftovers)" 0 "  the contexts' directories are gone"
run curl -sf --unix-socket "$API_SOCK" http://d/_ping
assert_eq "$out" "OK" "the service still answers"

# --- push, pull back
run docker tag local/built:1 "$REG/api/built:1"
run docker push "$REG/api/built:1"
assert_rc 0 "docker push to the loopback registry"
assert_match "$out" "digest: sha256:[0-9a-f]{64}" "  docker's digest line"
run docker rmi "$REG/api/built:1"
run docker pull "$REG/api/built:1"
assert_rc 0 "docker pull of what was pushed"
run docker run --rm "$REG/api/built:1" cat /final
assert_eq "$out" "the last stage" "  its content survived the round trip"
run docker push "$REG/api/nope:1"
assert_rc 1 "docker push of an image that is not there fails"
# X-Registry-Auth: base64url JSON; a malformed one is a 400
run api_curl -s -w ' %{http_code}' -X POST -H 'X-Registry-Auth: %%%' "/images/$REG/api/built/push?tag=1"
assert_match "$out" ' 400$' "a malformed X-Registry-Auth: 400"

# --- history
run docker history --format '{{.CreatedBy}}' local/built:1
assert_rc 0 "docker history"
assert_match "$(printf '%s\n' "$out" | head -n 1)" "the last stage" "  newest step first"
run docker history -q local/built:1
assert_match "$(printf '%s\n' "$out" | head -n 1)" '^[0-9a-f]{12}$' "  the image's own ID on top"
run api_curl -s -w ' %{http_code}' /images/local/nope:1/history
assert_match "$out" ' 404$' "  404 for an image that is not there"

# --- save | load
run docker save -o "$T/saved.tar" local/built:1
assert_rc 0 "docker save"
assert_true "  writes a docker-archive" sh -c "tar -tf '$T/saved.tar' | grep -qx manifest.json"
run docker rmi local/built:1 local/built:2 "$REG/api/built:1"
run docker image inspect local/built:1
assert_rc 1 "  (the image is removed)"
run docker load -i "$T/saved.tar"
assert_rc 0 "docker load"
assert_match "$out" "Loaded image: .*local/built:1" "  names what it loaded"
run docker run --rm local/built:1 cat /final
assert_eq "$out" "the last stage" "  the loaded image runs"
run api_curl -s -o /dev/null -w '%{http_code}' "/images/get?names=local/built:1&names=local/busybox:1"
assert_eq "$out" 200 "GET /images/get with two names"
run api_curl -s -o /dev/null -w '%{http_code}' "/images/local/nope:1/get"
assert_eq "$out" 404 "  404 for an image that is not there"

# --- import
run sh -c "docker import - local/imported:1 <'$(fixture_rootfs_tar gz)'"
assert_rc 0 "docker import from stdin"
assert_match "$out" '^sha256:[0-9a-f]{64}$' "  prints the ID"
run docker run --rm local/imported:1 echo imported
assert_eq "$out" "imported" "  the imported image runs"
run docker import --change 'CMD ["echo","changed"]' "$(fixture_rootfs_tar none)" local/imported:2
run docker run --rm local/imported:2
assert_eq "$out" "changed" "docker import --change"

# --- prune
printf 'FROM local/busybox:1\nLABEL stage=one\nRUN echo 1 >/one\n' >"$C/Dockerfile.p"
docker build -q -t local/dangle:1 -f "$C/Dockerfile.p" "$C" >/dev/null
printf 'FROM local/busybox:1\nLABEL stage=two\nRUN echo 2 >/two\n' >"$C/Dockerfile.p"
docker build -q -t local/dangle:1 -f "$C/Dockerfile.p" "$C" >/dev/null
run burrow images -q --filter dangling=true
n_dangling=$(printf '%s\n' "$out" | grep -c .)
run docker image prune -f --filter label=stage=nope
assert_rc 0 "docker image prune with a label that matches nothing"
assert_match "$out" "Total reclaimed space: 0B" "  removes nothing"
run docker image prune -f --filter until=1h
assert_match "$out" "Total reclaimed space: 0B" "  nor does until=1h (all are newer)"
run docker image prune -f --filter label=stage=one
assert_rc 0 "docker image prune --filter label=stage=one"
assert_match "$out" "deleted: sha256:" "  removes the dangling image with that label"
run burrow images -q --filter dangling=true
assert_eq "$(printf '%s\n' "$out" | grep -c .)" "$((n_dangling - 1))" "  and only it"
run api_curl -s -w ' %{http_code}' -X POST '/images/prune?filters=%7B%22nope%22%3A%5B%22x%22%5D%7D'
assert_match "$out" ' 400$' "an unknown prune filter: 400"
run docker image prune -a -f
assert_rc 0 "docker image prune -a"
run docker image inspect local/dangle:1
assert_rc 1 "  removes unused named images"
assert_eq "$(leftovers)" 0 "no build directory is left"

# --- a context bigger than max-layer-size (burrow.conf) stops there
api_stop
export XDG_CONFIG_HOME="$T/config"
mkdir -p "$XDG_CONFIG_HOME/burrow"
printf 'max-layer-size = 64K\n' >"$XDG_CONFIG_HOME/burrow/burrow.conf"
api_start
mkdir -p "$T/big"
printf 'FROM local/busybox:1\nCOPY big /big\n' >"$T/big/Dockerfile"
head -c 1048576 /dev/zero >"$T/big/big"
tar -C "$T/big" -czf "$T/big.tar.gz" .
run api_curl -s -X POST -H 'Content-Type: application/x-tar' --data-binary "@$T/big.tar.gz" '/build?t=local/big:1'
assert_match "$out" '"error":.*more than 65536 bytes' "a context over max-layer-size: an error in the stream"
assert_eq "$(leftovers)" 0 "  its directory is gone"
run docker image inspect local/big:1
assert_rc 1 "  and no image was made"

# --- remote=: a context from a URL (a local HTTP server)
# the image again (pruned above), imported without the 64K bound
(XDG_CONFIG_HOME=$T/noconf && export XDG_CONFIG_HOME && fixture_image local/busybox:1)
W=$T/www
mkdir -p "$W" "$T/rctx"
printf 'FROM local/busybox:1\nCOPY hello /from-remote\n' >"$T/rctx/Dockerfile"
echo "remote context" >"$T/rctx/hello"
tar -C "$T/rctx" -czf "$W/ctx.tar.gz" .
printf 'FROM local/busybox:1\nRUN echo only a Dockerfile >/from-remote\n' >"$W/Dockerfile.txt"
head -c 200000 /dev/urandom >"$T/rctx/noise"
tar -C "$T/rctx" -czf "$W/huge.tar.gz" .
python3 -c 'import tarfile, io, sys
t = tarfile.open(sys.argv[1], "w")
for name in ("Dockerfile", "../escaped"):
    d = b"FROM local/busybox:1\n"
    i = tarfile.TarInfo(name); i.size = len(d); t.addfile(i, io.BytesIO(d))
t.close()' "$W/evil.tar"
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$W" >"$T/http.log" 2>&1 &
HTTP_PID=$!
trap 'kill $HTTP_PID 2>/dev/null; api_stop; registry_stop; fixture_cleanup' EXIT
poll -t 30 grep -q 'port [0-9]' "$T/http.log" || bail_out "the HTTP server did not start: $(cat "$T/http.log")"
PORT=$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$T/http.log" | head -n 1)
poll -t 30 curl -sf -o /dev/null "http://127.0.0.1:$PORT/" || bail_out "the HTTP server does not answer"
U=http://127.0.0.1:$PORT
run api_curl -s -X POST "/build?remote=$U/ctx.tar.gz&t=local/remote:1"
assert_match "$out" 'Successfully built' "remote= a .tar.gz URL: built"
run docker run --rm local/remote:1 cat /from-remote
assert_eq "$out" "remote context" "  from the downloaded context"
run api_curl -s -X POST "/build?remote=$U/Dockerfile.txt&t=local/remote:2"
assert_match "$out" 'Successfully built' "remote= a Dockerfile served as text/plain: built"
run docker run --rm local/remote:2 cat /from-remote
assert_eq "$out" "only a Dockerfile" "  from that Dockerfile alone"
run api_curl -s -X POST "/build?remote=$U/nope.tar&t=local/remote:3"
assert_match "$out" '"error":"remote .*404' "remote= a missing file: the HTTP error in the stream"
run api_curl -s -X POST "/build?remote=$U/huge.tar.gz&t=local/remote:4"
assert_match "$out" '"error":"remote .*larger than 65536 bytes' "  a download over max-layer-size stops there"
run api_curl -s -X POST "/build?remote=$U/evil.tar&t=local/remote:5"
assert_match "$out" '"error":' "  a tar with an entry leaving the context fails"
assert_false "  and writes nothing outside it" test -e "$BURROW_RUNROOT/escaped"
run api_curl -s -w ' %{http_code}' -X POST "/build?remote=https://github.com/example/repo.git"
assert_match "$out" 'remote git repositories are not supported' "remote= a git URL: refused with the reason"
assert_match "$out" ' 400$' "  400"
run api_curl -s -w ' %{http_code}' -X POST "/build?remote=ftp://127.0.0.1/x.tar"
assert_match "$out" ' 400$' "remote= another scheme: 400"
assert_eq "$(leftovers)" 0 "no build directory is left"
if python3 -c 'import docker' 2>/dev/null; then
	run python3 -c 'import os, sys, docker
c = docker.APIClient(base_url=os.environ["DOCKER_HOST"])
for l in c.build(path=sys.argv[1], tag="local/remote:6", decode=True):
    print(l)' "$U/ctx.tar.gz"
	assert_match "$out" 'Successfully built' "docker-py: build(path=URL) sends it as remote="
else
	skip "docker-py is not installed"
fi
kill $HTTP_PID
wait $HTTP_PID 2>/dev/null

api_done
done_testing
