#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# The network endpoints through docker's CLI and curl: create with labels,
# a subnet and a gateway, ls with filters, inspect, containers created on a
# network with aliases reaching each other by name, connect and disconnect
# (a running container gets and loses its interface), rm and prune, and
# docker's status codes (404, 409, 403).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
B=${BURROW_BUILD:?BURROW_BUILD must point at the build directory}
[ -x "$B/burrow-net" ] || skip_all "$B/burrow-net not built"
[ -c /dev/net/tun ] || skip_all "no /dev/net/tun"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
. "$(dirname "$0")/../lib/api.sh"
api_need_docker
api_start
trap '"$BURROW" rm -f -a >/dev/null 2>&1; api_stop; fixture_cleanup' EXIT

# --- create, ls, inspect
run docker network create --label team=a --subnet 10.99.5.0/24 --gateway 10.99.5.1 n1
assert_rc 0 "docker network create --label --subnet --gateway"
assert_match "$out" '^[0-9a-f]{64}$' "  prints the network's ID"
n1id=$out
run burrow network inspect --format '{{.id}} {{(index .subnets 0).subnet}} {{.labels.team}}' n1
assert_eq "$out" "$n1id 10.99.5.0/24 a" "  the CLI sees the same network, subnet and label"
run docker network create n1
assert_ne "$rc" 0 "creating it again fails"
assert_match "$err" 'already exists' "  naming the conflict"
run api_curl -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	-d '{"Name":"n1","CheckDuplicate":true}' /networks/create
assert_eq "$out" 409 "  with status 409"
run docker network create --internal n2
assert_rc 0 "docker network create --internal"
run docker network ls --format '{{.Name}} {{.Driver}}'
assert_eq "$out" "bridge bridge
n1 bridge
n2 bridge" "docker network ls: the default network and both"
run docker network ls --filter label=team=a --format '{{.Name}}'
assert_eq "$out" "n1" "  --filter label=team=a"
run docker network ls --filter name=n2 --format '{{.Name}}'
assert_eq "$out" "n2" "  --filter name="
run docker network ls --filter type=custom --filter driver=bridge -q --no-trunc
assert_eq "$(echo "$out" | wc -l)" 2 "  --filter type=custom --filter driver=bridge"
run docker network ls --filter id="$(echo "$n1id" | cut -c1-10)" --format '{{.Name}}'
assert_eq "$out" "n1" "  --filter id= (a prefix)"
run docker network inspect --format '{{.Name}} {{.Driver}} {{.Internal}} {{(index .IPAM.Config 0).Subnet}} {{(index .IPAM.Config 0).Gateway}} {{.Labels.team}}' n1
assert_eq "$out" "n1 bridge false 10.99.5.0/24 10.99.5.1 a" "docker network inspect: docker's fields"
run docker network inspect --format '{{.Internal}}' n2
assert_eq "$out" "true" "  Internal"
run api_curl -w '\n%{http_code}' /networks/nosuch
assert_match "$out" '"message":"network nosuch not found"' "an unknown network: docker's message"
assert_match "$out" '404$' "  and 404"
run api_curl -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	-d '{"Name":"n3","Driver":"overlay"}' /networks/create
assert_eq "$out" 404 "another driver: 404 (docker's plugin not found)"
run api_curl -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	-d '{"Name":"n3","IPAM":{"Config":[{"Subnet":"10.99.5.0/25"}]}}' /networks/create
assert_eq "$out" 400 "an overlapping subnet: 400"
assert_false "  and no network made" burrow network exists n3

# --- containers on a network, by name and alias
run docker run -d --name srv --network n1 --network-alias db $IMG \
	sh -c 'mkdir -p /www && echo served >/www/id && exec httpd -f -p 80 -h /www'
assert_rc 0 "docker run -d --network n1 --network-alias db"
run docker inspect --format '{{.HostConfig.NetworkMode}} {{.NetworkSettings.Networks.n1.IPAddress}} {{.NetworkSettings.Networks.n1.Gateway}}' srv
assert_match "$out" '^n1 10\.99\.5\.[0-9]+ 10\.99\.5\.1$' "  inspect: NetworkMode and the address on n1"
srvip=$(echo "$out" | cut -d' ' -f2)
run docker inspect --format '{{range .NetworkSettings.Networks.n1.Aliases}}{{.}} {{end}}' srv
assert_match "$out" '^db [0-9a-f]{12} $' "  the alias and the short ID among the aliases, as docker's"
run docker network inspect --format '{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}' n1
assert_eq "$out" "srv $srvip/24" "docker network inspect lists the container"
get() { # HOST: GET /id from a new container on n1
	docker run --rm --network n1 $IMG sh -c "printf 'GET /id HTTP/1.0\r\n\r\n' | nc -w 5 $1 80 | tail -n 1" |
		grep -x served
}
poll get srv
assert_eq "$out" "served" "a container on n1 reaches srv by name"
run get db
assert_eq "$out" "served" "  and by its alias"
run curl -sS -o /dev/null -w '%{http_code}' --unix-socket "$API_SOCK" -X POST -H 'Content-Type: application/json' \
	-d '{"Image":"'$IMG'","Cmd":["true"],"HostConfig":{"NetworkMode":"n1"},"NetworkingConfig":{"EndpointsConfig":{"n1":{"Aliases":["web"]},"n2":{}}}}' \
	"http://d/containers/create?name=two"
assert_eq "$out" 400 "create on two networks at once: 400 (docker 1.41's rule)"

# --- connect, disconnect
run docker network connect --alias side n2 srv
assert_rc 0 "docker network connect --alias n2 srv (running)"
run docker inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' srv
assert_eq "$out" "n1 n2 " "  inspect shows both networks"
run burrow exec srv ip -o -4 addr show
assert_match "$out" 'eth1.*inet 10\.' "  and the container has an interface on n2"
run docker network connect n2 srv
assert_ne "$rc" 0 "connecting it again fails"
run api_curl -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{"Container":"nosuch"}' \
	/networks/n2/connect
assert_eq "$out" 404 "  an unknown container: 404"
run docker network disconnect n2 srv
assert_rc 0 "docker network disconnect n2 srv"
run burrow exec srv ip -o -4 addr show
assert_no_match "$out" 'eth1' "  the interface is gone"
run docker inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' srv
assert_eq "$out" "n1 " "  and inspect shows n1 only"

# a container on the default network (slirp4netns): stopped, it joins a
# network from its next start; running, it cannot (its namespace is its own
# user namespace's), with docker's error format and the reason
run docker run -d --name plain $IMG sleep 1000
assert_rc 0 "a container on the default network"
run api_curl -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' -d '{"Container":"plain"}' \
	/networks/n2/connect
assert_match "$out" '^\{"message":"container plain is running on the default network' \
	"connecting it while it runs: docker's error format with the reason"
assert_match "$out" '403$' "  and 403, as docker's refused connects"
run docker stop -t 0 plain
run docker network connect n2 plain
assert_rc 0 "docker network connect n2 plain once it is stopped"
run docker start plain
assert_rc 0 "  it starts"
run burrow exec plain ip -o -4 addr show
assert_match "$out" 'eth0.*inet 10\.' "  with an interface on n2"
run docker inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' plain
assert_eq "$out" "n2 " "  and inspect shows n2"
run docker rm -f plain

# --- rm, prune
run docker network rm bridge
assert_ne "$rc" 0 "docker network rm bridge fails"
run api_curl -o /dev/null -w '%{http_code}' -X DELETE /networks/bridge
assert_eq "$out" 403 "  with 403 (a predefined network)"
run api_curl -w '\n%{http_code}' -X DELETE /networks/n1
assert_match "$out" 'has active endpoints' "removing a network with a container on it: docker's message"
assert_match "$out" '403$' "  and 403"
run docker network prune -f
assert_eq "$out" "Deleted Networks:
n2" "docker network prune removes the unused network only"
assert_false "  n2 is gone" burrow network exists n2
assert_true "  n1 stays" burrow network exists n1
run docker rm -f srv
run docker network rm n1
assert_rc 0 "docker network rm n1 once its container is gone"
assert_false "  it is gone" burrow network exists n1
run api_curl -o /dev/null -w '%{http_code}' -X DELETE /networks/n1
assert_eq "$out" 404 "  removing it again: 404"

api_done
done_testing
