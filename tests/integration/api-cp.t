#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# docker cp through the API (HEAD, GET and PUT /containers/ID/archive):
# both ways, running and stopped containers, the path's stat header, and
# paths that try to leave the container.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
. "$(dirname "$0")/../lib/api.sh"
api_need_docker
api_start
T=$FIXTURE_DIR

run docker run -d --name box $IMG sh -c 'echo inside >/tmp/f; mkdir -p /tmp/d/sub; echo deep >/tmp/d/sub/g; ln -s /etc/passwd /tmp/link; exec sleep 1000'
assert_rc 0 "a running container"
poll docker exec box test -f /tmp/d/sub/g

run docker cp box:/tmp/f "$T/out-f"
assert_rc 0 "docker cp out of a running container"
assert_eq "$(cat "$T/out-f")" "inside" "  the file's content"
run docker cp box:/tmp/d "$T/out-d"
assert_rc 0 "docker cp of a directory"
assert_eq "$(cat "$T/out-d/sub/g")" "deep" "  the tree"
run docker cp box:/tmp/nope "$T/x"
assert_rc 1 "docker cp of a path that is not there fails"
assert_match "$err" "Could not find the file|No such container:path" "  docker's message (20.10's client prints its own for a 404)"

echo from-host >"$T/in-f"
run docker cp "$T/in-f" box:/tmp/
assert_rc 0 "docker cp into a running container"
run docker exec box cat /tmp/in-f
assert_eq "$out" "from-host" "  the file is there"
mkdir -p "$T/in-d/x"
echo tree >"$T/in-d/x/y"
run docker cp "$T/in-d" box:/tmp/newdir
assert_rc 0 "docker cp of a directory into a container"
run docker exec box cat /tmp/newdir/x/y
assert_eq "$out" "tree" "  the tree is there"

run api_curl -s -I '/containers/box/archive?path=/tmp/f'
assert_match "$out" "X-Docker-Container-Path-Stat: " "HEAD archive: the stat header"
hdr=$(printf '%s\n' "$out" | sed -n 's/^X-Docker-Container-Path-Stat: //p' | tr -d '\r' | base64 -d)
assert_match "$hdr" '"name":"f","size":7' "  name and size"
run api_curl -s -w '%{http_code}' -o /dev/null -I '/containers/box/archive?path=/nope'
assert_eq "$out" 404 "HEAD of a missing path: 404"
run api_curl -s -w '%{http_code}' -o /dev/null '/containers/box/archive'
assert_eq "$out" 400 "no path: 400"

# a link the container planted resolves inside it
run docker cp box:/tmp/link "$T/link-out"
assert_rc 0 "docker cp of a symlink"
run docker cp -L box:/tmp/link "$T/link-follow"
assert_match "$(cat "$T/link-follow" 2>/dev/null)" "^root:x:0:0" "  -L follows it inside the container"

# an archive whose names climb out is unpacked inside (or refused), never outside
mkdir -p "$T/evil"
(cd "$T/evil" && echo bad >x && tar -cf "$T/evil.tar" --transform 's,^x$,../../../../../../tmp/escaped-'"$$"',' x)
run api_curl -s -w ' %{http_code}' -X PUT -H 'Content-Type: application/x-tar' --data-binary "@$T/evil.tar" '/containers/box/archive?path=/tmp'
assert_false "an archive with ../ names writes nothing outside" test -e "/tmp/escaped-$$"

# a stopped container
run docker stop -t 0 box
run docker cp box:/tmp/in-f "$T/stopped-f"
assert_rc 0 "docker cp out of a stopped container"
assert_eq "$(cat "$T/stopped-f")" "from-host" "  the file"
echo later >"$T/later"
run docker cp "$T/later" box:/tmp/later
assert_rc 0 "docker cp into a stopped container"
run docker start box
run docker exec box cat /tmp/later
assert_eq "$out" "later" "  the file is there when it runs again"

# docker-py's put_archive and get_archive
if python3 -c 'import docker' 2>/dev/null; then
	run python3 -c '
import docker, io, tarfile
c = docker.from_env().containers.get("box")
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w") as t:
    data = b"py-data\n"
    ti = tarfile.TarInfo("py.txt"); ti.size = len(data)
    t.addfile(ti, io.BytesIO(data))
print(c.put_archive("/tmp", buf.getvalue()))
stream, stat = c.get_archive("/tmp/py.txt")
raw = b"".join(stream)
t = tarfile.open(fileobj=io.BytesIO(raw))
print(stat["name"], t.extractfile("py.txt").read().decode().strip())'
	assert_eq "$out" "True
py.txt py-data" "docker-py put_archive and get_archive"
else
	skip "docker-py: python3-docker is not installed"
fi
# docker diff: GET /containers/ID/changes
run docker diff box
assert_rc 0 "docker diff"
assert_match "$out" "^A /tmp/f$" "  a file the container added"
assert_match "$out" "^C /tmp$" "  a directory of the image it changed"
run api_curl -s /containers/box/changes
assert_match "$out" '\{"Path":"/tmp/f","Kind":1\}' "  docker's JSON (Kind 1: added)"
run api_curl -s -o /dev/null -w '%{http_code}' /containers/nosuch/changes
assert_eq "$out" "404" "  an unknown container: 404"
# docker export: the whole filesystem as a tar
run sh -c 'docker export box | tar -tf - | grep -cE "^(\\./)?(bin/busybox|tmp/later)$"'
assert_eq "$out" "2" "docker export: the image's files and the container's own"
run docker export -o "$FIXTURE_DIR/box.tar" box
assert_rc 0 "docker export -o"
assert_true "  the tar is there" test -s "$FIXTURE_DIR/box.tar"
run api_curl -s -o /dev/null -w '%{http_code}' /containers/nosuch/export
assert_eq "$out" "404" "exporting an unknown container: 404"
api_done
done_testing
