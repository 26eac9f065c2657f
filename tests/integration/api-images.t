#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# Images and volumes through the API: pull from the test registry (a
# loopback registry over plain HTTP, as the Docker daemon allows) with
# docker's progress stream, images, inspect, tag, rmi and its 404/409, and
# volume create, ls, inspect, rm, prune.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
. "$(dirname "$0")/../lib/registry.sh"
registry_start
. "$(dirname "$0")/../lib/api.sh"
api_need_docker
api_start

bb=$(fixture_rootfs_tar gz)
d=$(oci_new)
oci_add "$d" oci amd64 ',"Cmd":["/bin/sh","-c","echo hello from the registry"],"Labels":{"l":"v"}' "$bb"
reg_push "$d" oci test/busybox:1

# --- pull
run docker pull "$REG/test/busybox:1"
assert_rc 0 "docker pull from the loopback registry"
assert_match "$out" "Pull complete|Already exists" "  docker's progress lines"
assert_match "$out" "Downloaded newer image for $REG/test/busybox:1" "  and its status line"
run burrow images --format '{{.Repository}}:{{.Tag}}'
assert_eq "$out" "$REG/test/busybox:1" "  the CLI sees the image"
run api_curl -s -X POST "/images/create?fromImage=$REG/test/nope&tag=1"
assert_match "$out" '"error":' "pulling what is not there: an error in the stream"
run docker pull "$REG/test/nope:1"
assert_rc 1 "  docker pull fails"
run api_curl -s -w ' %{http_code}' -X POST '/images/create'
assert_match "$out" ' 400$' "no fromImage: 400"

run docker run --rm "$REG/test/busybox:1"
assert_eq "$out" "hello from the registry" "docker run of the pulled image"

# --- images, inspect, tag, rmi
run docker images --format '{{.Repository}}:{{.Tag}}'
assert_eq "$out" "$REG/test/busybox:1" "docker images"
run docker image inspect --format '{{.Os}} {{index .Config.Cmd 2}} {{.Config.Labels.l}}' "$REG/test/busybox:1"
assert_eq "$out" "linux echo hello from the registry v" "docker image inspect: Os, Config"
id=$(docker image inspect --format '{{.Id}}' "$REG/test/busybox:1")
assert_match "$id" '^sha256:[0-9a-f]{64}$' "  the ID"
run docker tag "$REG/test/busybox:1" local/other:2
assert_rc 0 "docker tag"
run docker images --format '{{.Repository}}:{{.Tag}}'
assert_match "$out" "local/other:2" "  the new name is listed"
run docker image inspect local/nope:1
assert_rc 1 "inspecting an image that is not there fails"
assert_match "$err" "No such image" "  docker's message"
run api_curl -s -w ' %{http_code}' "/images/local/nope:1/json"
assert_match "$out" ' 404$' "  404 on the wire"
run docker run -d --name user "$REG/test/busybox:1" sleep 1000
run docker rmi local/other:2
assert_rc 0 "docker rmi of one name of two"
assert_match "$out" "Untagged" "  untags it"
run docker rmi "$REG/test/busybox:1"
assert_rc 1 "docker rmi of an image a container uses fails"
run api_curl -s -w ' %{http_code}' -X DELETE "/images/$REG/test/busybox:1"
assert_match "$out" ' 409$' "  409 on the wire"
run docker rm -f user
run docker rmi "$REG/test/busybox:1"
assert_rc 0 "docker rmi once unused"
assert_match "$out" "Deleted: sha256:" "  deletes it"
run docker images -q
assert_eq "$out" "" "no image is left"

# --- volumes
run docker volume create --label team=a vol1
assert_rc 0 "docker volume create"
assert_eq "$out" "vol1" "  prints its name"
run docker volume ls --format '{{.Name}} {{.Driver}}'
assert_eq "$out" "vol1 local" "docker volume ls"
run docker volume inspect --format '{{.Name}} {{.Labels.team}}' vol1
assert_eq "$out" "vol1 a" "docker volume inspect"
run burrow volume ls -q
assert_eq "$out" "vol1" "  the CLI sees it"
fixture_image local/busybox:1
run docker run --rm -v vol1:/data local/busybox:1 sh -c 'echo kept >/data/f'
run docker run --rm -v vol1:/data local/busybox:1 cat /data/f
assert_eq "$out" "kept" "a named volume keeps its data"
run docker run -d --name holder -v vol1:/data local/busybox:1 sleep 1000
run docker volume rm vol1
assert_rc 1 "docker volume rm of a volume in use fails"
run api_curl -s -w ' %{http_code}' -X DELETE /volumes/vol1
assert_match "$out" ' 409$' "  409 on the wire"
run docker rm -f holder
run docker volume rm vol1
assert_rc 0 "docker volume rm"
run docker volume inspect vol1
assert_rc 1 "docker volume inspect of a removed volume fails"
run api_curl -s -w ' %{http_code}' /volumes/vol1
assert_match "$out" ' 404$' "  404 on the wire"
docker volume create vol2 >/dev/null
run docker volume prune -f
assert_rc 0 "docker volume prune"
run burrow volume ls -q
assert_eq "$out" "" "  removed the unused volume"
run api_curl -s -w ' %{http_code}' -X POST -H 'Content-Type: application/json' -d '{"Name":7}' /volumes/create
assert_match "$out" ' 400$' "a volume name of the wrong type: 400"

# --- docker-py
if python3 -c 'import docker' 2>/dev/null; then
	run python3 -c '
import docker
c = docker.from_env()
print(c.containers.run("local/busybox:1", "echo hi from py", remove=True).decode().strip())
ct = c.containers.run("local/busybox:1", "sh -c \"echo ready; exec sleep 1000\"", detach=True, labels={"k": "v"})
print([x.name for x in c.containers.list(filters={"label": "k=v"})] == [ct.name])
ct.kill()
print(ct.wait()["StatusCode"])
ct.remove()
print(len(c.images.list()) >= 1, c.volumes.create("pyvol").name)'
	assert_eq "$out" "hi from py
True
137
True pyvol" "docker-py: run, list with a label filter, kill, wait, remove, images, volumes"
else
	skip "docker-py: python3-docker is not installed"
fi
api_done
done_testing
