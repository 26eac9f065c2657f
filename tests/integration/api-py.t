#!/bin/sh
# shellcheck disable=SC2154,SC2016 # $out, $err and $rc come from tap.sh; the $ in the Dockerfile is the build's
# docker-py (Debian's python3-docker) against the API: containers run,
# exec_run, put_archive, get_archive, logs(stream=True), wait and kill with
# label filters; images pull, build, tag and remove; volumes; networks
# (skipped, with the reason, where the service has no network endpoints).
# The checks are in tests/lib/api_py.py, one line each.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
python3 -c 'import docker' 2>/dev/null || skip_all "docker-py is not installed (Debian's python3-docker)"
fixture_store
. "$(dirname "$0")/../lib/registry.sh"
registry_start
. "$(dirname "$0")/../lib/api.sh"
api_need_docker
api_start
fixture_image local/busybox:1
bb=$(fixture_rootfs_tar gz)
d=$(oci_new)
oci_add "$d" oci amd64 ',"Cmd":["/bin/sh"]' "$bb"
reg_push "$d" oci py/busybox:1

C=$FIXTURE_DIR/ctx
mkdir -p "$C"
printf 'FROM local/busybox:1\nARG WHO=nobody\nRUN echo "built by $WHO" >/who\nCMD ["cat","/who"]\n' >"$C/Dockerfile"
printf 'FROM local/busybox:1\nRUN exit 1\n' >"$C/Dockerfile.bad"

timeout 200 python3 "$(dirname "$0")/../lib/api_py.py" "$REG" "$C" local/busybox:1 >"$FIXTURE_DIR/py.out" 2>"$FIXTURE_DIR/py.err"
pyrc=$?
while IFS= read -r line; do
	case $line in
	"PASS "*) ok "docker-py: ${line#PASS }" ;;
	"SKIP "*) skip "docker-py: ${line#SKIP }" ;;
	*) not_ok "docker-py: ${line#FAIL }" ;;
	esac
done <"$FIXTURE_DIR/py.out"
assert_eq "$pyrc" 0 "the docker-py script ran to its end (124: it hung, after the last check above)"
[ "$pyrc" = 0 ] || diag "$(cat "$FIXTURE_DIR/py.err")"
# what a failed run left behind
"$BURROW" rm -f -a >/dev/null 2>&1
api_done
done_testing
