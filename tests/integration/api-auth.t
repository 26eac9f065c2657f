#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# Registry credentials through the API: a registry that wants a password
# (htpasswd), docker login (POST /auth checks them), then pull and push
# with the X-Registry-Auth docker's CLI and docker-py send; wrong or no
# credentials fail.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
. "$(dirname "$0")/../lib/registry.sh"
registry_start auth
. "$(dirname "$0")/../lib/api.sh"
api_need_docker
api_start

d=$(oci_new)
oci_add "$d" oci amd64 ',"Cmd":["/bin/sh","-c","echo behind a password"]' "$(fixture_rootfs_tar gz)"
REG_CREDS="$REG_USER:$REG_PASS" reg_push "$d" oci auth/busybox:1

run docker pull "$REG/auth/busybox:1"
assert_rc 1 "docker pull without credentials fails"
run sh -c "echo wrong | docker login -u '$REG_USER' --password-stdin '$REG'"
assert_rc 1 "docker login with a wrong password fails"
run sh -c "printf '%s\n' '$REG_PASS' | docker login -u '$REG_USER' --password-stdin '$REG'"
assert_rc 0 "docker login (POST /auth)"
assert_match "$out" "Login Succeeded" "  docker's message"
run docker pull "$REG/auth/busybox:1"
assert_rc 0 "docker pull with the credentials docker login kept (X-Registry-Auth)"
run docker run --rm "$REG/auth/busybox:1"
assert_eq "$out" "behind a password" "  the image runs"
run docker tag "$REG/auth/busybox:1" "$REG/auth/pushed:1"
run docker push "$REG/auth/pushed:1"
assert_rc 0 "docker push with X-Registry-Auth"
assert_match "$out" "digest: sha256:" "  docker's digest line"
run docker logout "$REG"
run docker push "$REG/auth/pushed:1"
assert_rc 1 "docker push after docker logout fails"
assert_no_match "$(cat "$BURROW_RUNROOT"/containers/auth.json 2>/dev/null)" "$REG" \
	"the service kept no credentials of its own"

if python3 -c 'import docker' 2>/dev/null; then
	run python3 -c '
import sys, docker
c = docker.from_env()
reg, user, pw = sys.argv[1:4]
# the high-level pull ignores errors in the stream: read it
errs = [l for l in c.api.pull(reg + "/auth/busybox", tag="1", stream=True, decode=True,
                              auth_config={"username": user, "password": "nope"}) if "error" in l]
print("refused" if errs else "pulled with a wrong password")
img = c.images.pull(reg + "/auth/busybox", tag="1", auth_config={"username": user, "password": pw})
print(reg + "/auth/busybox:1" in img.tags)
img.tag(reg + "/auth/py", "1")
for l in c.images.push(reg + "/auth/py", tag="1", auth_config={"username": user, "password": pw}, stream=True, decode=True):
    if "error" in l: print("error", l["error"])
    if "aux" in l: print("pushed", l["aux"]["Digest"][:7])' "$REG" "$REG_USER" "$REG_PASS"
	assert_eq "$out" "refused
True
pushed sha256:" "docker-py: pull and push with auth_config"
else
	skip "docker-py: python3-docker is not installed"
fi
api_done
done_testing
