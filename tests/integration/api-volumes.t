#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# The volume endpoints beyond the basics: list filters (name, label,
# dangling, driver), create with Labels and DriverOpts, remove with force
# (a volume in use stays, a missing one is no error), prune with label
# filters and the space it reclaimed.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
. "$(dirname "$0")/../lib/api.sh"
api_need_docker
api_start
trap '"$BURROW" rm -f -a >/dev/null 2>&1; api_stop; fixture_cleanup' EXIT

post() { # PATH JSON: the status code, the body in $body
	body=$(curl -sS --max-time 60 --unix-socket "$API_SOCK" -X POST -H 'Content-Type: application/json' \
		-d "$2" -w '\n%{http_code}' "http://d$1")
	code=$(echo "$body" | tail -n 1)
	body=$(echo "$body" | sed '$d')
}

post /volumes/create '{"Name":"va","Labels":{"team":"a","tier":"db"},"DriverOpts":{}}'
assert_eq "$code" 201 "create with Labels and an empty DriverOpts: 201"
assert_match "$body" '"Name":"va"' "  docker's object"
assert_match "$body" '"Labels":\{"team":"a","tier":"db"\}' "  with the labels"
assert_match "$body" '"Mountpoint":"/' "  and the mountpoint"
post /volumes/create '{"Name":"vx","DriverOpts":{"type":"tmpfs"}}'
assert_eq "$code" 400 "DriverOpts the local driver can't honour: 400"
assert_false "  and no volume made" burrow volume inspect vx
post /volumes/create '{"Name":"va"}'
assert_eq "$code" 201 "creating an existing name returns it (docker's create is idempotent)"
run docker volume create --label team=b vb
assert_rc 0 "docker volume create --label team=b vb"
run docker volume create vc
run docker run -d --name user -v vc:/data $IMG sleep 1000
assert_rc 0 "a container uses vc"

run docker volume ls --filter label=team --format '{{.Name}}'
assert_eq "$out" "va
vb" "ls --filter label=team"
run docker volume ls --filter label=team=a --filter label=tier=db --format '{{.Name}}'
assert_eq "$out" "va" "  two label filters must both match"
run docker volume ls --filter name=v[ab] --format '{{.Name}}'
assert_eq "$out" "va
vb" "  --filter name= (a regular expression)"
run docker volume ls --filter dangling=false --format '{{.Name}}'
assert_eq "$out" "vc" "  --filter dangling=false: the one in use"
run docker volume ls --filter dangling=true --format '{{.Name}}'
assert_eq "$out" "va
vb" "  --filter dangling=true"
run docker volume ls --filter driver=local -q
assert_eq "$(echo "$out" | wc -l)" 3 "  --filter driver=local"
run api_curl -o /dev/null -w '%{http_code}' '/volumes?filters=%7B%22color%22%3A%5B%22x%22%5D%7D'
assert_eq "$out" 400 "  an unknown filter: 400"

run api_curl -o /dev/null -w '%{http_code}' -X DELETE '/volumes/vc?force=1'
assert_eq "$out" 409 "DELETE ?force=1 of a volume in use: still 409, as docker's"
assert_true "  it stays" burrow volume inspect vc
run api_curl -o /dev/null -w '%{http_code}' -X DELETE '/volumes/nosuch?force=1'
assert_eq "$out" 204 "DELETE ?force=1 of a missing volume: 204"
run api_curl -o /dev/null -w '%{http_code}' -X DELETE '/volumes/nosuch'
assert_eq "$out" 404 "  without force: 404"

mp=$(burrow volume inspect --format '{{.Mountpoint}}' vb)
head -c 100000 /dev/zero >"$mp/f"
run api_curl -X POST '/volumes/prune?filters=%7B%22label%22%3A%5B%22team%3Db%22%5D%7D'
assert_match "$out" '"VolumesDeleted":\["vb"\]' "prune with a label filter removes only the match"
assert_match "$out" '"SpaceReclaimed":100000' "  and counts the bytes it held"
run docker volume prune -f
run burrow volume ls -q
assert_eq "$out" "vc" "prune removes every unused volume, not the one in use"
run docker rm -f user
run docker volume rm vc
assert_rc 0 "once its container is gone it goes"

api_done
done_testing
