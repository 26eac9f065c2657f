#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# burrow network: create/ls/inspect/exists/rm/prune, the records in the
# store, the default network, the filters of ls and ps, --network NAME,
# --network-alias and --ip of create (the addresses kept in the record),
# network rm with containers on the network (-f removes them), events,
# and bad input that leaves nothing behind.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
N="$BURROW_ROOT/networks"
start=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)

# the network records
recs() { find "$N" -mindepth 1 -maxdepth 1 ! -name .lock -printf '%f\n' 2>/dev/null | sort | tr '\n' ' '; }
ctrs() { burrow ps -a -q | wc -l; }

# --- the default network exists without being created
run burrow network ls
assert_rc 0 "network ls with no network made"
assert_match "$out" "^NETWORK ID    NAME              DRIVER
[0-9a-f]{12}  bridge            bridge$" "  lists the default network 'bridge'"
run burrow network exists bridge
assert_rc 0 "network exists bridge"
run burrow network inspect --format '{{.name}} {{(index .subnets 0).subnet}}' bridge
assert_eq "$out" "bridge 10.88.0.0/16" "  its subnet"
run burrow network rm bridge
assert_rc 125 "the default network cannot be removed"
assert_eq "$err" "burrow: error: the default network bridge cannot be removed" "  one line"

# --- create / ls / inspect / exists
run burrow network create appnet
assert_rc 0 "network create appnet"
assert_eq "$out" "appnet" "  prints the name"
assert_true "  networks/appnet.json exists" test -s "$N/appnet.json"
assert_eq "$(stat -c %a "$N/appnet.json")" "600" "  private to the user"
run burrow network inspect --format '{{(index .subnets 0).subnet}} {{(index .subnets 0).gateway}} {{.network_interface}} {{.internal}} {{.dns_enabled}}' appnet
assert_eq "$out" "10.89.0.0/24 10.89.0.1 burrow1 false true" "  the first free 10.89.N.0/24, gateway .1, bridge burrow1"
run burrow network create appnet
assert_rc 125 "creating it again fails with 125"
assert_eq "$err" "burrow: error: network name appnet already used: network already exists" "  podman's message"
run burrow network create --ignore appnet
assert_rc 0 "  --ignore: no error"
run burrow network create --subnet 10.99.0.0/16 --gateway 10.99.0.254 --internal --label team=a -l tier n2
assert_rc 0 "network create --subnet --gateway --internal --label"
run burrow network inspect n2
assert_rc 0 "network inspect n2"
assert_match "$out" '"subnet": "10.99.0.0/16"' "  the subnet"
assert_match "$out" '"gateway": "10.99.0.254"' "  the gateway"
assert_match "$out" '"internal": true' "  internal"
assert_match "$out" '"team": "a"' "  a label"
assert_match "$out" '"tier": ""' "  a label without a value"
run burrow network create
assert_rc 0 "network create without a name"
assert_eq "$out" "burrow1" "  takes the first free burrowN"
run burrow network inspect --format '{{(index .subnets 0).subnet}} {{.network_interface}}' burrow1
assert_eq "$out" "10.89.1.0/24 burrow3" "  the next free subnet and bridge"
run burrow network ls -q
assert_eq "$(printf '%s\n' "$out" | tr '\n' ' ')" "bridge appnet burrow1 n2 " "network ls -q: the default, then by name"
run burrow network ls -q --filter label=team=a
assert_eq "$out" "n2" "--filter label=KEY=VALUE"
run burrow network ls -q --filter label=tier
assert_eq "$out" "n2" "--filter label=KEY"
run burrow network ls -q --filter name=app --filter name=n2
assert_eq "$(printf '%s\n' "$out" | tr '\n' ' ')" "appnet n2 " "filters with the same key: any"
run burrow network ls -q --filter name=n --filter label=tier
assert_eq "$out" "n2" "filters with different keys: all"
id=$(burrow network inspect --format '{{.id}}' appnet)
run burrow network ls -q --filter "id=$(printf %.8s "$id")"
assert_eq "$out" "appnet" "--filter id=PREFIX"
run burrow network ls -q --filter driver=bridge --filter name='^b'
assert_eq "$(printf '%s\n' "$out" | tr '\n' ' ')" "bridge burrow1 " "--filter driver"
run burrow network ls -q --filter bogus=1
assert_rc 125 "an unknown filter is an error"
run burrow network ls --format json
assert_match "$out" '"name": "n2"' "network ls --format json"
run burrow network ls --no-trunc
assert_match "$out" "$id  appnet" "network ls --no-trunc: full IDs"
run burrow network inspect "$(printf %.6s "$id")"
assert_match "$out" '"name": "appnet"' "network inspect by ID prefix"
run burrow network exists appnet
assert_rc 0 "network exists appnet"
run burrow network exists nosuch
assert_rc 1 "network exists nosuch: 1"
assert_eq "$err" "" "  and quiet"
run burrow network inspect nosuch
assert_rc 125 "network inspect of an unknown network"
assert_eq "$err" "burrow: error: unable to find network with name or ID nosuch: network not found" "  one line"

# --- bad input: one line, 125, nothing made
before=$(recs)
bad() { # DESC ARGS...
	desc=$1
	shift
	run burrow network create "$@"
	assert_rc 125 "$desc: 125"
	assert_eq "$(printf '%s\n' "$err" | wc -l)" "1" "  one line: $err"
	assert_eq "$(recs)" "$before" "  no record left"
}
bad "an overlapping subnet" --subnet 10.89.0.128/25 x1
assert_eq "$err" "burrow: error: subnet 10.89.0.128/25 overlaps 10.89.0.0/24 of network appnet" "  names the other network"
bad "a subnet that contains another" --subnet 10.0.0.0/8 x1
bad "a subnet too small" --subnet 10.98.0.0/31 x1
assert_match "$err" "too small" "  says so"
bad "host bits set" --subnet 10.98.0.1/24 x1
bad "not a subnet" --subnet 10.98.0.0 x1
bad "a gateway outside the subnet" --subnet 10.98.0.0/24 --gateway 10.97.0.1 x1
bad "the broadcast address as gateway" --subnet 10.98.0.0/24 --gateway 10.98.0.255 x1
bad "a gateway without a subnet" --gateway 10.98.0.1 x1
bad "a bad name" 'a!b'
bad "a reserved name" host
bad "an unknown driver" -d macvlan x1
bad "a driver option" -o mtu=9000 x1

# --- containers on networks: create records the address
run burrow create --network appnet --name db $IMG true
assert_rc 0 "create --network appnet"
run burrow inspect --format '{{.HostConfig.NetworkMode}} {{.NetworkSettings.Networks.appnet.IPAddress}} {{.NetworkSettings.Networks.appnet.Gateway}} {{.NetworkSettings.Networks.appnet.MacAddress}}' db
assert_eq "$out" "bridge 10.89.0.2 10.89.0.1 02:42:0a:59:00:02" "  inspect: the first free address, the gateway, the MAC"
run burrow create --network appnet --network-alias api --network-alias www --name web $IMG true
assert_rc 0 "create --network-alias"
run burrow inspect --format '{{.NetworkSettings.Networks.appnet.IPAddress}} {{json .NetworkSettings.Networks.appnet.Aliases}}' web
assert_eq "$out" '10.89.0.3 ["api","www"]' "  the next address and the aliases"
run burrow create --network appnet --network n2 --name multi $IMG true
assert_rc 0 "create on two networks"
run burrow inspect --format '{{.NetworkSettings.Networks.appnet.IPAddress}} {{.NetworkSettings.Networks.n2.IPAddress}}' multi
assert_eq "$out" "10.89.0.4 10.99.0.1" "  an address on each (the gateway of n2 is .254)"
run burrow create --network n2 --ip 10.99.0.200 --name fixed $IMG true
assert_rc 0 "create --ip"
run burrow inspect --format '{{.NetworkSettings.Networks.n2.IPAddress}}' fixed
assert_eq "$out" "10.99.0.200" "  keeps it"
run burrow create --network "$(printf %.8s "$id")" --name byid $IMG true
assert_rc 0 "create --network ID-PREFIX"
run burrow inspect --format '{{json .NetworkSettings.Networks}}' byid
assert_match "$out" '^\{"appnet":' "  recorded under the network's name"
burrow rm byid >/dev/null
run burrow ps -a --filter network=appnet --format '{{.Names}}'
assert_eq "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" "db multi web " "ps --filter network=NAME"
run burrow ps -a --filter network=n2 --filter network=nosuch --format '{{.Names}}'
assert_eq "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" "fixed multi " "  several: any"
run burrow network inspect --format '{{len .containers}}' appnet
assert_eq "$out" "3" "network inspect: the containers on it"

# --- bad input to create/run: one line, 125, no container left
n=$(ctrs)
badc() { # DESC ARGS...
	desc=$1
	shift
	run burrow create "$@" $IMG true
	assert_rc 125 "$desc: 125"
	assert_eq "$(printf '%s\n' "$err" | wc -l)" "1" "  one line: $err"
	assert_eq "$(ctrs)" "$n" "  no container left"
}
badc "an unknown network" --network nosuch
assert_eq "$err" "burrow: error: unable to find network with name or ID nosuch: network not found" "  names it"
badc "--ip outside the subnet" --network n2 --ip 10.89.0.9
badc "--ip of the gateway" --network n2 --ip 10.99.0.254
badc "--ip already taken" --network n2 --ip 10.99.0.200
assert_eq "$err" "burrow: error: --ip 10.99.0.200 is already taken on network n2" "  says by what"
badc "--ip that is no address" --network n2 --ip 10.99.0
badc "--ip with two networks" --network n2 --network appnet --ip 10.99.0.9
badc "--ip without a network" --ip 10.99.0.9
badc "an alias that is another container's name" --network appnet --network-alias db
assert_eq "$err" "burrow: error: network alias db clashes with a container name or alias on network appnet" "  names it"
badc "a name that is another container's alias" --network appnet --name api
badc "a network given twice" --network appnet --network appnet
badc "a network mixed with a mode" --network appnet --network host

# --- rm with containers on it
run burrow network rm appnet
assert_rc 125 "network rm of a network with containers: 125"
assert_match "$err" "^burrow: error: network appnet has containers on it: (db|web|multi), (db|web|multi), (db|web|multi) \(use -f to remove them too\)$" "  names them, in one line"
assert_true "  the record stays" test -s "$N/appnet.json"
run burrow network prune -f
assert_eq "$out" "burrow1" "network prune: only the network without containers"
assert_eq "$(recs)" "appnet.json n2.json " "  the others stay"
run burrow network rm -f appnet
assert_rc 0 "network rm -f"
assert_eq "$out" "appnet" "  prints the name"
run burrow ps -a --format '{{.Names}}'
assert_eq "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" "fixed " "  removed the containers on it (multi was on n2 too)"
assert_eq "$(recs)" "n2.json " "  and the record"
run burrow rm fixed
run burrow network rm n2 nosuch
assert_rc 125 "network rm of a missing one among others"
assert_eq "$out" "n2" "  removes the others"
assert_eq "$(recs)" "" "nothing left"

# --- events
run burrow events --stream=false --since "$start" --filter type=network --format '{{.Status}} {{.Name}}'
assert_match "$out" "^create appnet$" "events: network create"
assert_match "$out" "^remove appnet$" "events: network remove"

done_testing
