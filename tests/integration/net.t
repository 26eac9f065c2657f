#!/bin/sh
# net.t - the slirp4netns network of run and create (helpers/burrow-net
# started by the supervisor): the default network, -p over TCP and UDP, -P with
# EXPOSE and `port`, outbound connections to the host's loopback, DNS through
# 10.0.2.3, busy ports, teardown, 20 containers at once and the source
# address with port_handler=slirp.  Servers inside the container are busybox
# httpd or tests/lib/netsrv.pl run by the host's perl (bind-mounted).
# shellcheck disable=SC2086,SC2154
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"

B=${BURROW_BUILD:?BURROW_BUILD must point at the build directory}
LIB=$(cd "$(dirname "$0")/../lib" && pwd)
SRV="perl $LIB/netsrv.pl"
[ -x "$B/burrow-net" ] || skip_all "$B/burrow-net not built"
[ -c /dev/net/tun ] || skip_all "no /dev/net/tun"
for c in curl perl pgrep; do
	command -v $c >/dev/null 2>&1 || skip_all "$c not installed"
done

fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
T=$(mktemp -d /tmp/burrow-netit.XXXXXX)
SPIDS=
cleanup() {
	for p in $SPIDS; do kill "$p" 2>/dev/null; done
	"$BURROW" rm -f -a >/dev/null 2>&1
	rm -rf "$T"
	fixture_cleanup
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# the host's perl inside the container, for netsrv.pl
PERLV="-v /usr:/usr:ro -v /lib:/lib:ro -v /lib64:/lib64:ro -v $LIB:/t:ro"
[ -e /lib64 ] || PERLV="-v /usr:/usr:ro -v /lib:/lib:ro -v $LIB:/t:ro"

# serve NAME MODE ADDR PORT: a netsrv.pl server on the host; sets SRVPORT
serve() {
	mkfifo "$T/$1.fifo"
	$SRV "$2" "$3" "$4" >"$T/$1.fifo" 2>/dev/null </dev/null &
	SPIDS="$SPIDS $!"
	read -r _ SRVPORT <"$T/$1.fifo"
}
hport() { burrow port "$1" "$2" | sed -n '1s/.*://p'; }
helper_of() { pgrep -o -f "burrow-net .*net-$(printf %.16s "$1")\.sock"; }

# --- the default network
run burrow run --rm $IMG sh -c 'ip -4 -o addr show tap0; cat /etc/resolv.conf /etc/hosts'
assert_rc 0 "run with the default network"
assert_match "$out" "tap0 +inet 10\.0\.2\.100/24" "the default network is slirp4netns: tap0 has 10.0.2.100"
assert_match "$out" "nameserver 10\.0\.2\.3" "resolv.conf points at 10.0.2.3"
assert_match "$out" "10\.0\.2\.100	" "hosts maps the guest address to the hostname"
assert_no_match "$out" "host\.containers\.internal" "no host.containers.internal without allow_host_loopback"
# the init detaches the old root while it waits for burrow-net (and
# without that overlap, BURROW_DETACH_OVERLAP=0): either way the command
# sees one root (the overlay), lo and tap0 up, and its working directory
for o in 1 0; do
	run env BURROW_DETACH_OVERLAP=$o "$BURROW" run --rm -w /srv/wd $IMG sh -c \
		'awk "\$5 == \"/\" { printf \"%s \", \$9 }" /proc/self/mountinfo; echo; pwd; ip -o link show lo; ip -o link show tap0'
	assert_rc 0 "BURROW_DETACH_OVERLAP=$o: run with the default network"
	assert_eq "$(echo "$out" | sed -n 1p)" "overlay " "BURROW_DETACH_OVERLAP=$o: the overlay is the only root"
	assert_eq "$(echo "$out" | sed -n 2p)" "/srv/wd" "BURROW_DETACH_OVERLAP=$o: the working directory is set"
	assert_match "$out" "lo: <LOOPBACK,UP" "BURROW_DETACH_OVERLAP=$o: lo is up"
	assert_match "$out" "tap0: <[^>]*UP" "BURROW_DETACH_OVERLAP=$o: tap0 is up"
done
run burrow run --rm --network none $IMG sh -c 'ls /sys/class/net'
assert_eq "$out" "lo" "--network none: only loopback"
run burrow run --rm --network slirp:mtu=1500 $IMG cat /sys/class/net/tap0/mtu
assert_eq "$out" "1500" "--network slirp:mtu=1500 (the short alias, with options)"
run burrow run --rm --network slirp4netns:bogus=1 $IMG true
assert_rc 125 "an unknown slirp4netns option fails with 125"
run burrow run --rm --network none -p 8080:80 $IMG true
assert_rc 125 "-p with --network none fails"
assert_match "$err" "slirp4netns" "and says which network forwards ports"

# --- HTTP through -p, -d, port and inspect
run burrow run -d --name web -p 127.0.0.1::80 $IMG sh -c "mkdir -p /www && echo hello >/www/index.html && exec httpd -f -p 80 -h /www"
assert_rc 0 "run -d with -p"
WID=$out
run burrow port web
assert_match "$out" "^80/tcp -> 127\.0\.0\.1:[0-9]+$" "port lists the mapping"
HP=$(hport web 80/tcp)
poll curl -sf "http://127.0.0.1:$HP/"
assert_eq "$out" "hello" "HTTP from the host through -p reaches httpd in the container"
run burrow port web 80
assert_eq "$out" "127.0.0.1:$HP" "port CONTAINER PRIVATE_PORT prints the host address"
run burrow port web 81
assert_rc 125 "port with an unpublished private port fails"
run burrow ps --filter name=web
assert_match "$out" " 127\.0\.0\.1:$HP->80/tcp " "ps shows the mapping as podman does"
run burrow inspect --format '{{.NetworkSettings.IPAddress}} {{.HostConfig.NetworkMode}}' web
assert_eq "$out" "10.0.2.100 slirp4netns" "inspect: IPAddress and NetworkMode"
run burrow inspect web
assert_match "$out" "\"80/tcp\": \[" "inspect: NetworkSettings.Ports has 80/tcp"
assert_match "$out" "\"HostPort\": \"$HP\"" "with the host port"
run burrow port -a
assert_match "$out" "$(printf %.12s "$WID")	80/tcp -> 127\.0\.0\.1:$HP" "port -a lists running containers"

# --- RX/TX counters in inspect (from burrow-net's control socket)
counters() { burrow inspect --format '{{.NetworkSettings.RxBytes}} {{.NetworkSettings.TxBytes}} {{.NetworkSettings.RxPackets}} {{.NetworkSettings.TxPackets}}' "$1"; }
C0=$(counters web)
assert_match "$C0" "^[0-9]+ [0-9]+ [0-9]+ [0-9]+$" "inspect: NetworkSettings has RxBytes TxBytes RxPackets TxPackets"
i=0
while [ $i -lt 5 ]; do curl -sf "http://127.0.0.1:$HP/" >/dev/null; i=$((i + 1)); done
C1=$(counters web)
set -- $C0
RX0=$1 TX0=$2
set -- $C1
assert_true "traffic through -p increases RxBytes ($RX0 -> $1)" test "$1" -gt "$RX0"
assert_true "and TxBytes ($TX0 -> $2)" test "$2" -gt "$TX0"
run burrow create --name cnt $IMG true
run burrow inspect --format '{{.NetworkSettings.RxBytes}}' cnt
assert_eq "$out" "0" "a container that is not running reports 0"
burrow rm cnt >/dev/null

# --- the control socket of a container started by burrow: a forward added
# and removed at runtime
SOCK="$BURROW_RUNROOT/net-$(printf %.16s "$WID").sock"
assert_true "the supervisor made the control socket" test -S "$SOCK"
run $SRV api "$SOCK" '{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_addr":"127.0.0.1","host_port":0,"guest_port":80}}'
assert_match "$out" '"return":\{"id":[0-9]+,"host_port":[0-9]+' "add_hostfwd on a running container"
RID=$(printf '%s' "$out" | sed -n 's/.*"id":\([0-9]*\).*/\1/p')
RP=$(printf '%s' "$out" | sed -n 's/.*"host_port":\([0-9]*\).*/\1/p')
run curl -sf --max-time 30 "http://127.0.0.1:$RP/"
assert_eq "$out" "hello" "HTTP through the forward added at runtime"
run $SRV api "$SOCK" '{"execute":"list_hostfwd"}'
assert_match "$out" "\"id\":$RID,\"proto\":\"tcp\",\"host_addr\":\"127.0.0.1\",\"host_port\":$RP" "list_hostfwd shows it"
run $SRV api "$SOCK" "{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":$RID}}"
assert_eq "$out" '{"return":{}}' "remove_hostfwd"
run curl -s --max-time 5 "http://127.0.0.1:$RP/"
assert_eq "$rc" 7 "the removed forward refuses connections (curl: couldn't connect)"
run curl -sf --max-time 30 "http://127.0.0.1:$HP/"
assert_eq "$out" "hello" "the -p forward still works"

HPID=$(helper_of "$WID")
assert_ne "$HPID" "" "burrow-net runs for the detached container"
burrow kill web >/dev/null 2>&1
burrow wait web >/dev/null 2>&1
assert_true "killing the container ends its burrow-net" poll sh -c "! kill -0 $HPID 2>/dev/null"
run curl -s --max-time 2 "http://127.0.0.1:$HP/"
assert_ne "$rc" 0 "and the host port is closed"
burrow rm web >/dev/null

# --- UDP echo through -p .../udp (netsrv.pl inside the container)
run burrow run -d --name udp -p 127.0.0.1::5353/udp $PERLV $IMG /usr/bin/perl /t/netsrv.pl udp 0.0.0.0 5353
assert_rc 0 "run -d -p .../udp"
UP=$(hport udp 5353/udp)
poll $SRV udpsend 127.0.0.1 "$UP" ping
assert_eq "$out" "echo:ping" "UDP echo through -p .../udp"
burrow rm -f udp >/dev/null

# --- -P with EXPOSE
"$BURROW" import --change 'EXPOSE 80' "$(fixture_rootfs_tar)" local/web:1 >/dev/null
run burrow run -d --name pall -P local/web:1 sh -c "mkdir -p /www && echo exposed >/www/index.html && exec httpd -f -p 80 -h /www"
assert_rc 0 "run -P"
run burrow port pall
assert_match "$out" "^80/tcp -> 0\.0\.0\.0:[0-9]+$" "-P publishes the EXPOSEd port on a random host port"
PP=$(hport pall 80)
poll curl -sf "http://127.0.0.1:$PP/"
assert_eq "$out" "exposed" "HTTP through the -P port"
burrow rm -f pall >/dev/null

# --- outbound to the host's loopback
serve hhttp http 127.0.0.1 0
LP=$SRVPORT
run burrow run --rm --network slirp4netns:allow_host_loopback=true $IMG sh -c "grep host.containers.internal /etc/hosts; wget -qO- http://10.0.2.2:$LP/"
assert_rc 0 "allow_host_loopback=true: 10.0.2.2 reaches the host's loopback"
assert_match "$out" "hello from 127\.0\.0\.1" "the host server answered"
assert_match "$out" "10\.0\.2\.2	host\.containers\.internal" "hosts has host.containers.internal"
# (no wget -T: the busybox-static of Debian 12 segfaults with it, which
# would pass an assert_ne for the wrong reason)
run timeout 60 "$BURROW" run --rm --network slirp4netns:allow_host_loopback=false $IMG wget -qO- "http://10.0.2.2:$LP/"
assert_eq "$rc" 1 "allow_host_loopback=false: the same connection is refused"
assert_match "$err" "can't connect to remote host \(10\.0\.2\.2\)" "wget says it could not connect"
run timeout 60 "$BURROW" run --rm $IMG wget -qO- "http://10.0.2.2:$LP/"
assert_eq "$rc" 1 "and so it is by default"

# --- DNS through 10.0.2.3 to a resolver on the host's loopback
serve dns dns 127.0.0.1 0
printf 'search example.test\nnameserver 127.0.0.1:%s\n' "$SRVPORT" >"$T/resolv.conf"
run env BURROW_NET_RESOLV_CONF="$T/resolv.conf" "$BURROW" run --rm $IMG nslookup some.example.test 10.0.2.3
assert_match "$out" "192\.0\.2\.42" "DNS via 10.0.2.3 reaches the test resolver"

# --- a busy port: clean error, nothing left
serve busy echo 127.0.0.1 0
BUSY=$SRVPORT
before=$(burrow ps -aq | wc -l)
helpers_before=$(pgrep -f "burrow-net .*$BURROW_RUNROOT/net-" | wc -l)
run burrow run --rm -p "127.0.0.1:$BUSY:80" $IMG true
assert_rc 125 "a busy host port fails run with 125"
assert_match "$err" "$BUSY" "the message names the port"
run burrow run -d -p "127.0.0.1:$BUSY:80" $IMG true
assert_rc 125 "also with -d"
assert_eq "$(burrow ps -aq | wc -l)" "$before" "no container is left behind"
assert_eq "$(pgrep -f "burrow-net .*$BURROW_RUNROOT/net-" | wc -l)" "$helpers_before" "and no helper"
start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start 2>/dev/null || echo 1024)
if [ "$start" -gt 80 ]; then
	run burrow run --rm -p 80:80 $IMG true
	assert_rc 125 "a privileged host port fails with 125"
	assert_match "$err" "ip_unprivileged_port_start" "and names the fix"
else
	skip "ip_unprivileged_port_start is $start"
	skip "ip_unprivileged_port_start is $start"
fi

# --- 20 containers with published ports at once
ids=
i=0
while [ $i -lt 20 ]; do
	ids="$ids $(burrow run -d -p 127.0.0.1::80 $IMG sh -c "mkdir -p /www && echo c$i >/www/index.html && exec httpd -f -p 80 -h /www")"
	i=$((i + 1))
done
good=0
i=0
for id in $ids; do
	p=$(hport "$id" 80)
	poll curl -sf "http://127.0.0.1:$p/"
	[ "$out" = "c$i" ] && good=$((good + 1))
	i=$((i + 1))
done
assert_eq "$good" 20 "20 containers with published ports at once each answer on their port"
hpids=
for id in $ids; do hpids="$hpids $(helper_of "$id")"; done
assert_eq "$(echo $hpids | wc -w)" 20 "each has its own burrow-net"
burrow rm -f $ids >/dev/null
alive() { _n=0; for p in $hpids; do kill -0 "$p" 2>/dev/null && _n=$((_n + 1)); done; echo $_n; }
none_alive() { [ "$(alive)" = 0 ]; }
# the supervisors kill their helpers and do not wait for them to be reaped
assert_true "their helpers are gone after rm -f" poll none_alive

# --- port_handler=slirp preserves the source address
HOSTIP=$(busybox ip -4 -o addr show scope global 2>/dev/null | sed -n '1s/.* inet \([0-9.]*\)\/.*/\1/p')
run burrow run -d --name src --network slirp4netns:port_handler=slirp -p 80 $PERLV $IMG /usr/bin/perl /t/netsrv.pl http 0.0.0.0 80
SP=$(hport src 80)
if [ -n "$HOSTIP" ]; then
	poll curl -sf --interface "$HOSTIP" "http://$HOSTIP:$SP/"
	assert_eq "$out" "hello from $HOSTIP" "port_handler=slirp: the container sees the client's address"
else
	poll curl -sf "http://127.0.0.1:$SP/"
	assert_eq "$out" "hello from 10.0.2.2" "port_handler=slirp: a loopback client appears as the gateway"
fi
burrow rm -f src >/dev/null

done_testing
