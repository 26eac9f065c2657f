#!/bin/sh
# network-run.t - containers on user-defined networks: by name, alias and
# short ID through the network's DNS, across a restart and a rename;
# isolation between networks; --internal; the way out; -p from a networked
# container; 20 containers on one network; the shared namespace's holder
# killed and rebuilt; nothing left behind after the last container, at once
# (the tests' BURROW_NETWORK_GRACE=0) or after a grace period.
# Servers in the containers are busybox httpd; clients use nc and wget
# (no wget -T: Debian 12's busybox-static segfaults with it).
# shellcheck disable=SC2046,SC2086,SC2154
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"

LIB=$(cd "$(dirname "$0")/../lib" && pwd)
need_burrow_net curl perl pgrep

fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
NS="$BURROW_RUNROOT/netns"
start=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
T=$(mktemp -d /tmp/burrow-netrun.XXXXXX)
SPIDS=
cleanup() {
	for p in $SPIDS; do kill "$p" 2>/dev/null; done
	"$BURROW" rm -f -a >/dev/null 2>&1
	rm -rf "$T"
	fixture_cleanup
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# a server: httpd answering /id with the container's name
server() { # NAME NETWORK-FLAGS...
	_n=$1
	shift
	# shellcheck disable=SC2016 # expanded in the container
	burrow run -d --name "$_n" -e NAME="$_n" "$@" $IMG sh -c 'mkdir -p /www && echo $NAME >/www/id && exec httpd -f -p 80 -h /www' >/dev/null
}
# GET http://HOST/id from a new container on the given networks
get() { # HOST NETWORK-FLAGS...
	_h=$1
	shift
	run burrow run --rm "$@" $IMG sh -c "printf 'GET /id HTTP/1.0\r\n\r\n' | nc -w 5 $_h 80 | tail -n 1"
}
# the same until it answers (each try is a new container): a server just
# started may not listen yet
getp() {
	_try=0
	while [ $_try -lt 100 ]; do
		get "$@"
		[ -n "$out" ] && return 0
		_try=$((_try + 1))
	done
	return 1
}
holder() { cut -d' ' -f1 "$NS/holder" 2>/dev/null; }

burrow network create appnet >/dev/null
burrow network create othernet >/dev/null
burrow network create --internal inside >/dev/null

# --- two containers by name, alias and short ID
server db --network appnet --network-alias database
assert_eq "$?" 0 "run -d --network appnet --network-alias"
assert_true "  the holder of the shared namespace runs" test -s "$NS/holder"
h1=$(holder)
run burrow run --rm --network appnet $IMG sh -c 'ip -4 -o addr show eth0; ip route; cat /etc/resolv.conf'
assert_rc 0 "a second container on the network"
assert_match "$out" "eth0 +inet 10\.89\.0\.3/24" "  eth0 with the next address"
assert_match "$out" "default via 10\.89\.0\.1 dev eth0" "  the gateway as default route"
assert_match "$out" "nameserver 10\.89\.0\.1" "  resolv.conf points at the network's DNS"
getp db --network appnet
assert_eq "$out" "db" "by name"
get database --network appnet
assert_eq "$out" "db" "by alias"
short=$(burrow inspect --format '{{.Id}}' db | cut -c1-12)
get "$short" --network appnet
assert_eq "$out" "db" "by short ID"
get 10.89.0.2 --network appnet
assert_eq "$out" "db" "by address"
run burrow run --rm --network appnet --network-alias cli $IMG nslookup db
assert_match "$out" "Address: 10\.89\.0\.2" "nslookup db answers its address"
run burrow run --rm --network appnet $IMG nslookup nosuch.invalid
assert_ne "$rc" 0 "an unknown name is not found (forwarded)"
assert_eq "$(holder)" "$h1" "one holder for all of them"

run burrow run --rm --network bridge $IMG sh -c 'ip -4 -o addr show eth0; grep nameserver /etc/resolv.conf'
assert_match "$out" "inet 10\.88\.0\.[0-9]+/16" "--network bridge: the default network, never created"
assert_match "$out" "nameserver 10\.0\.2\.3" "  without names: the usermode network's DNS"

# --- restart and rename
run burrow restart db
assert_rc 0 "restart db"
getp db --network appnet
assert_eq "$out" "db" "by name after a restart"
run burrow rename db db2
assert_rc 0 "rename db db2"
get db2 --network appnet
assert_eq "$out" "db" "by the new name"
run burrow run --rm --network appnet $IMG nslookup db
assert_ne "$rc" 0 "  the old name is gone"
burrow stop -t 0 db2 >/dev/null
run burrow run --rm --network appnet $IMG nslookup db2
assert_ne "$rc" 0 "a stopped container has no name"
burrow start db2 >/dev/null
getp db2 --network appnet
assert_eq "$out" "db" "  and has it again once started"

# --- isolation between networks
server o1 --network othernet
getp o1 --network othernet
assert_eq "$out" "o1" "a server on othernet"
o1ip=$(burrow inspect --format '{{.NetworkSettings.Networks.othernet.IPAddress}}' o1)
get "$o1ip" --network appnet
assert_eq "$out" "" "appnet cannot reach othernet by address"
run burrow run --rm --network appnet $IMG nslookup o1
assert_ne "$rc" 0 "  nor resolve its names"
get o1 --network appnet --network othernet
assert_eq "$out" "o1" "a container on both reaches it"
run burrow run --rm --network appnet --network othernet $IMG sh -c 'ip -4 -o addr show | grep -c eth'
assert_eq "$out" "2" "  with an interface on each"

# --- connect and disconnect while running
run burrow network connect --alias dbo othernet db2
assert_rc 0 "network connect a running container"
run burrow exec db2 sh -c 'printf "GET /id HTTP/1.0\r\n\r\n" | nc -w 5 o1 80 | tail -n 1'
assert_eq "$out" "o1" "  it reaches the other network by name"
get dbo --network othernet
assert_eq "$out" "db" "  and is reached there by its alias"
run burrow inspect --format '{{.NetworkSettings.Networks.othernet.IPAddress}}' db2
assert_match "$out" "^10\.89\.1\.[0-9]+$" "  inspect shows its address there"
run burrow network connect othernet db2
assert_rc 125 "connecting it again: 125"
run burrow network disconnect othernet db2
assert_rc 0 "network disconnect"
run burrow exec db2 sh -c "printf 'GET /id HTTP/1.0\r\n\r\n' | nc -w 3 $o1ip 80 | tail -n 1"
assert_eq "$out" "" "  othernet is out of reach again"
run burrow exec db2 ip -4 -o addr show
assert_eq "$(printf '%s\n' "$out" | grep -c eth)" "1" "  one interface left"
run burrow network disconnect appnet db2
assert_rc 125 "disconnecting the last network: 125"
run burrow events --stream=false --since "$start" --filter type=network --format '{{.Status}} {{.Name}}'
assert_match "$out" "connect othernet" "events: network connect"
assert_match "$out" "disconnect othernet" "events: network disconnect"

# --- internal: the members, and no way out
server i1 --network inside
getp i1 --network inside
assert_eq "$out" "i1" "an internal network: its members by name"
run burrow run --rm --network inside $IMG ip route
assert_no_match "$out" "default" "  no default route"
HOSTIP=$(busybox ip -4 -o addr show scope global 2>/dev/null | sed -n '1s/.* inet \([0-9.]*\)\/.*/\1/p')
if [ -n "$HOSTIP" ]; then
	mkfifo "$T/h.fifo"
	perl "$LIB/netsrv.pl" http "$HOSTIP" 0 >"$T/h.fifo" 2>/dev/null </dev/null &
	SPIDS="$SPIDS $!"
	read -r _ HP <"$T/h.fifo"
	run timeout 60 "$BURROW" run --rm --network appnet $IMG wget -qO- "http://$HOSTIP:$HP/"
	assert_match "$out" "hello from" "the way out: a server on the host's address"
	run timeout 60 "$BURROW" run --rm --network inside $IMG sh -c "nc -w 3 $HOSTIP $HP </dev/null; echo rc=\$?"
	assert_match "$out" "rc=1" "  not from an internal network"
	# a removed network's bridge and routing go with it: an internal
	# network given the same bridge later has no way out either
	burrow network create --subnet 10.89.250.0/24 gone1 >/dev/null
	run timeout 60 "$BURROW" run --rm --network gone1 $IMG wget -qO- "http://$HOSTIP:$HP/"
	assert_match "$out" "hello from" "  a network's way out"
	br=$(burrow network inspect --format '{{.network_interface}}' gone1)
	burrow network rm gone1 >/dev/null
	burrow network create --internal --subnet 10.89.251.0/24 gone2 >/dev/null
	assert_eq "$(burrow network inspect --format '{{.network_interface}}' gone2)" "$br" \
		"  once removed, its bridge name goes to the next network"
	# (even for a container that routes through the gateway itself)
	run timeout 60 "$BURROW" run --rm --cap-add NET_ADMIN --network gone2 $IMG sh -c \
		"ip route add default via 10.89.251.1 && nc -w 3 $HOSTIP $HP </dev/null; echo rc=\$?"
	assert_match "$out" "rc=1" "  which, internal, has no way out through the old routes"
	burrow network rm gone2 >/dev/null
else
	for _ in 1 2 3 4 5; do skip "no global host address for the way out"; done
fi

# --- a published port of a networked container
server web --network appnet -p 127.0.0.1::80
wp=$(burrow port web 80 | sed -n '1s/.*://p')
poll curl -sf "http://127.0.0.1:$wp/id"
assert_eq "$out" "web" "-p from a networked container"
burrow rm -f web >/dev/null
run curl -sf "http://127.0.0.1:$wp/id"
assert_ne "$rc" 0 "  closed with the container"

# --- 20 containers on one network
burrow network create many >/dev/null
i=0
while [ $i -lt 20 ]; do
	server "m$i" --network many
	i=$((i + 1))
done
getp m19 --network many
run burrow run --rm --network many $IMG sh -c 'for i in $(seq 0 19); do printf "GET /id HTTP/1.0\r\n\r\n" | nc -w 5 m$i 80 | tail -n 1; done | tr "\n" " "'
assert_eq "$out" "m0 m1 m2 m3 m4 m5 m6 m7 m8 m9 m10 m11 m12 m13 m14 m15 m16 m17 m18 m19 " "20 containers: each reached by name"
# pairwise: every member reaches every other by name
bad=
i=0
while [ $i -lt 20 ]; do
	got=$(burrow exec "m$i" sh -c 'for j in $(seq 0 19); do [ "m$j" = "$NAME" ] && continue; printf "GET /id HTTP/1.0\r\n\r\n" | nc -w 5 m$j 80 | tail -n 1; done | tr "\n" " "' 2>&1 </dev/null)
	want=$(j=0; while [ $j -lt 20 ]; do [ $j -ne $i ] && printf 'm%s ' $j; j=$((j + 1)); done)
	[ "$got" = "$want" ] || bad="$bad m$i:[$got]"
	i=$((i + 1))
done
assert_eq "$bad" "" "  and each member reaches the other 19 by name (380 pairs)"
burrow rm -f $(i=0; while [ $i -lt 20 ]; do printf 'm%s ' $i; i=$((i + 1)); done) >/dev/null

# --- the holder killed: the next command rebuilds the namespace
h=$(holder)
kill -9 "$h"
poll gone "$h"
run burrow run -d --name after -e NAME=after --network appnet $IMG sh -c 'mkdir -p /www && echo $NAME >/www/id && exec httpd -f -p 80 -h /www'
assert_rc 0 "a run after the holder was killed"
assert_match "$err" "lost their networks; restart them" "  warns about the running containers"
assert_match "$err" "db2" "  naming them"
assert_ne "$(holder)" "$h" "  made a new holder"
getp after --network appnet
assert_eq "$out" "after" "  and the network works"
burrow restart db2 >/dev/null
getp db2 --network appnet
assert_eq "$out" "db" "a restart puts a container on the new namespace"

# --- nothing left after the last container
h=$(holder)
burrow rm -f -a >/dev/null
poll gone "$h"
assert_rc 0 "the holder exits after the last container"
assert_eq "$(ls "$NS")" "lock" "only the lock stays in the run root's netns/"
run pgrep -f "burrow-net .*$NS/net.sock"
assert_ne "$rc" 0 "no burrow-net left"

# --- a grace period (burrow.conf network-grace): the namespace outlives its
# last container a while, the next one joins it, and then it goes all the same
run env BURROW_NETWORK_GRACE=60 "$BURROW" run --rm --network appnet $IMG true
assert_rc 0 "a run with a grace period of 60 s"
h=$(holder)
assert_true "  the holder stays after its last container" kill -0 "$h"
run env BURROW_NETWORK_GRACE=60 "$BURROW" run --rm --network appnet $IMG true
assert_eq "$(holder)" "$h" "  the next container joins the same namespace"
run env BURROW_NETWORK_GRACE=1 "$BURROW" run --rm --network appnet $IMG true
assert_eq "$(holder)" "$h" "  and so does one with a grace period of 1 s"
poll gone "$h"
assert_rc 0 "the holder exits once the latest grace period is over"
assert_eq "$(ls "$NS")" "lock" "  nothing but the lock is left"
run pgrep -f "burrow-net .*$NS/net.sock"
assert_ne "$rc" 0 "  nor a burrow-net"
run env BURROW_NETWORK_GRACE=soon "$BURROW" run --rm --network appnet $IMG true
assert_rc 125 "a grace period that is not a duration is refused"
assert_match "$err" "BURROW_NETWORK_GRACE" "  naming the setting"

run burrow network rm appnet othernet inside many
assert_rc 0 "the networks can be removed"

done_testing
