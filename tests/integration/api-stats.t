#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# GET /containers/ID/stats through docker's CLI (docker stats) and curl:
# one reading (stream=false, one-shot), a stream, and the errors.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
. "$(dirname "$0")/../lib/api.sh"
api_need_docker
api_start

run docker run -d --name st $IMG sleep 1000
assert_rc 0 "a running container"
run docker stats --no-stream --format '{{.Name}} {{.Container}}' st
assert_rc 0 "docker stats --no-stream"
assert_match "$out" "^st st$" "  its row"
run api_curl -s '/containers/st/stats?stream=false'
assert_match "$out" '"cpu_stats":\{"cpu_usage":\{"total_usage":[0-9]+' "stream=false: docker's cpu_stats"
assert_match "$out" '"precpu_stats":\{"cpu_usage":\{"total_usage":[0-9]+' "  with an earlier reading"
assert_match "$out" '"system_cpu_usage":[1-9][0-9]*' "  and the host's CPU time"
assert_match "$out" '"name":"/st","id":"[0-9a-f]{64}"' "  the name and the ID"
assert_eq "$(printf '%s\n' "$out" | wc -l)" 1 "  one object"
run api_curl -s '/containers/st/stats?stream=false&one-shot=true'
assert_match "$out" '"preread":"0001-01-01T00:00:00Z"' "one-shot: no earlier reading"
run sh -c 'curl -sN --max-time 60 --unix-socket "$0" http://d/containers/st/stats | head -n 2 | grep -c "\"read\":"' "$API_SOCK"
assert_eq "$out" 2 "stream: one object after the other"
run api_curl -s -w ' %{http_code}' '/containers/nosuch/stats?stream=false'
assert_match "$out" ' 404$' "an unknown container: 404"
assert_match "$out" 'No such container: nosuch' "  docker's message"
run docker stop -t 1 st
run api_curl -s -w ' %{http_code}' '/containers/st/stats?stream=false&one-shot=true'
assert_match "$out" ' 200$' "a stopped container: 200"
assert_match "$out" '"pids_stats":\{"current":0\}' "  with zeros"
run docker rm -f st
api_done
done_testing
