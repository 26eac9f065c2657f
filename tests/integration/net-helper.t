#!/bin/sh
# net-helper.t - helpers/burrow-net and src/lib/net/net.c against user+net
# namespaces the test makes itself (no containers needed): tap0, published
# ports through both handlers (TCP and UDP), outbound connections to the
# host's loopback, DNS to a resolver on loopback, the control socket, the
# busy-port error, teardown, the limits (a control client that never reads,
# TCP connections, UDP flows and their idle timeout), and 20 helpers at once.
# shellcheck disable=SC2086,SC2154
. "$(dirname "$0")/../lib/tap.sh"

B=${BURROW_BUILD:?BURROW_BUILD must point at the build directory}
NET=$B/burrow-net
DRIVE=$B/tests/netdrive
LIB=$(cd "$(dirname "$0")/../lib" && pwd)
SRV="perl $LIB/netsrv.pl"

[ -x "$NET" ] || skip_all "$NET not built"
[ -x "$DRIVE" ] || skip_all "$DRIVE not built"
[ -c /dev/net/tun ] || skip_all "no /dev/net/tun"
for c in curl nsenter unshare perl busybox; do
	command -v $c >/dev/null 2>&1 || skip_all "$c not installed"
done
unshare --user --map-root-user --net true 2>/dev/null ||
	skip_all "unprivileged user+net namespaces are not available"

T=$(mktemp -d /tmp/burrow-net.XXXXXX)
PIDS=
cleanup() {
	# everything still running inside a namespace this test made, servers
	# started in subshells included (only the test's own namespaces,
	# recorded when they were made, never the host's)
	for _ns in $NSIDS; do
		for q in /proc/[0-9]*; do
			[ "$(readlink "$q/ns/net" 2>/dev/null)" = "$_ns" ] && kill -9 "${q#/proc/}" 2>/dev/null
		done
	done
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# new_ns NAME: a user+net namespace held by a sleeping process; sets NSPID
new_ns() {
	mkfifo "$T/$1.pid"
	unshare --user --map-root-user --net sh -c 'echo $$ >&3; exec 3>&- sleep 100000' \
		3>"$T/$1.pid" </dev/null >/dev/null 2>&1 &
	read -r NSPID <"$T/$1.pid"
	PIDS="$PIDS $NSPID"
	NSIDS="$NSIDS $(readlink "/proc/$NSPID/ns/net")"
}

in_ns() { # NSPID CMD...
	_p=$1
	shift
	nsenter --preserve-credentials -U -n -t "$_p" "$@"
}

# serve NAME NSPID|- MODE ADDR PORT: start netsrv.pl (inside the namespace
# unless NSPID is -), wait for it to listen; sets SRVPORT
serve() {
	mkfifo "$T/$1.srv"
	if [ "$2" = - ]; then
		$SRV "$3" "$4" "$5" >"$T/$1.srv" 2>"$T/$1.srverr" </dev/null &
	else
		in_ns "$2" $SRV "$3" "$4" "$5" >"$T/$1.srv" 2>"$T/$1.srverr" </dev/null &
	fi
	PIDS="$PIDS $!"
	read -r _ SRVPORT <"$T/$1.srv"
}

# helper NAME NSPID ARGS...: start burrow-net, wait for its ready fd;
# sets HPID and READY ("1", or "0" + the error)
helper() {
	_n=$1 _p=$2
	shift 2
	mkfifo "$T/$_n.ready"
	"$NET" --target-pid "$_p" --ready-fd 3 --api-socket "$T/$_n.sock" "$@" \
		3>"$T/$_n.ready" 2>"$T/$_n.err" </dev/null &
	HPID=$!
	PIDS="$PIDS $HPID"
	read -r READY <"$T/$_n.ready"
}

api() { $SRV api "$T/$1.sock" "$2"; }
# the host port of the last forward in the list
last_port() { api "$1" '{"execute":"list_hostfwd"}' | sed -n 's/.*"host_port":\([0-9]*\).*/\1/p'; }
get() { curl -sS --max-time 30 "$@"; }

# wait_exit PID SECONDS: wait for our child; status 137 when the watchdog had
# to kill it (the watchdog is a bound on a hang, not synchronisation)
wait_exit() {
	(sleep "$2" && kill -9 "$1" 2>/dev/null) </dev/null >/dev/null 2>&1 &
	_wd=$!
	wait "$1"
	_rc=$?
	kill "$_wd" 2>/dev/null
	return $_rc
}

# processes in the network namespace of NSPID
ns_procs() {
	_net=$(readlink "/proc/$1/ns/net")
	_c=0
	for _d in /proc/[0-9]*; do
		[ "$(readlink "$_d/ns/net" 2>/dev/null)" = "$_net" ] && _c=$((_c + 1))
	done
	echo $_c
}

# ---- version, tap0 -----------------------------------------------------------
run "$NET" --version
assert_match "$out" "libslirp 4\.[0-9]" "--version names libslirp"

new_ns a
NSA=$NSPID
serve a-http "$NSA" http 0.0.0.0 80
serve a-udp "$NSA" udp 0.0.0.0 5353
helper a "$NSA" -p 80 -p 5353/udp
HA=$HPID
assert_eq "$READY" 1 "helper writes 1 to the ready fd"
run in_ns "$NSA" busybox ip -4 addr show tap0
assert_match "$out" "inet 10\.0\.2\.100/24" "tap0 has 10.0.2.100/24"
assert_match "$out" "mtu 65520" "tap0 MTU is 65520"
run in_ns "$NSA" busybox ip route
assert_match "$out" "default via 10\.0\.2\.2 dev tap0" "default route via 10.0.2.2"
run in_ns "$NSA" busybox ip link show lo
assert_match "$out" "<LOOPBACK,UP" "lo is up"

# ---- fast handler ------------------------------------------------------------
run api a '{"execute":"list_hostfwd"}'
assert_match "$out" '"guest_port":80,"handler":"fast"' "list_hostfwd shows the -p forward"
TPA=$(printf '%s' "$out" | sed -n 's/.*"host_port":\([0-9]*\),"guest_addr":"10.0.2.100","guest_port":80,.*/\1/p')
UPA=$(printf '%s' "$out" | sed -n 's/.*"host_port":\([0-9]*\),"guest_addr":"10.0.2.100","guest_port":5353,.*/\1/p')
run get "http://127.0.0.1:$TPA/"
assert_eq "$out" "hello from 127.0.0.1" "HTTP through the fast handler (container sees 127.0.0.1)"
run $SRV udpsend 127.0.0.1 "$UPA" ping
assert_eq "$out" "echo:ping" "UDP echo through the fast handler"
run $SRV udpsend 127.0.0.1 "$UPA" again
assert_eq "$out" "echo:again" "a second datagram of another flow"
big=$(head -c 300000 /dev/zero | tr '\0' x)
printf '%s' "$big" >"$T/big"
run api a '{"execute":"get_counters"}'
assert_match "$out" '"rx_bytes":[1-9][0-9]*,"tx_bytes":[1-9]' "get_counters counts the traffic"

# ---- slirp handler -------------------------------------------------------------
new_ns b
NSB=$NSPID
serve b-http "$NSB" http 0.0.0.0 80
serve b-udp "$NSB" udp 0.0.0.0 5353
helper b "$NSB" --port-handler slirp -p 80 -p 5353/udp
HB=$HPID
assert_eq "$READY" 1 "slirp-handler helper is ready"
run api b '{"execute":"list_hostfwd"}'
TPB=$(printf '%s' "$out" | sed -n 's/.*"host_port":\([0-9]*\),"guest_addr":"10.0.2.100","guest_port":80,.*/\1/p')
UPB=$(printf '%s' "$out" | sed -n 's/.*"host_port":\([0-9]*\),"guest_addr":"10.0.2.100","guest_port":5353,.*/\1/p')
assert_match "$out" '"handler":"slirp"' "forwards use the slirp handler"
run get "http://127.0.0.1:$TPB/"
assert_eq "$out" "hello from 10.0.2.2" "HTTP through slirp (a loopback client appears as the gateway)"
run $SRV udpsend 127.0.0.1 "$UPB" ping
assert_eq "$out" "echo:ping" "UDP echo through the slirp handler"

HOSTIP=$(busybox ip -4 -o addr show scope global 2>/dev/null | sed -n '1s/.* inet \([0-9.]*\)\/.*/\1/p')
if [ -n "$HOSTIP" ]; then
	run get --interface "$HOSTIP" "http://$HOSTIP:$TPB/"
	assert_eq "$out" "hello from $HOSTIP" "slirp handler preserves the source address ($HOSTIP)"
	run get --interface "$HOSTIP" "http://$HOSTIP:$TPA/"
	assert_eq "$out" "hello from 127.0.0.1" "the fast handler does not (documented)"
else
	skip "no non-loopback IPv4 address to test the source address with"
	skip "no non-loopback IPv4 address to test the source address with"
fi

# ---- outbound: host loopback and DNS ---------------------------------------------
serve host-http - http 127.0.0.1 0
HTTP_HOST=$SRVPORT
run in_ns "$NSA" $SRV httpget 10.0.2.2 "$HTTP_HOST"
assert_eq "$out" "hello from 127.0.0.1" "outbound TCP to the host's loopback via 10.0.2.2"

serve host-dns - dns 127.0.0.1 0
printf 'search example.test\nnameserver 127.0.0.1:%s\n' "$SRVPORT" >"$T/resolv.conf"
new_ns d
NSD=$NSPID
helper d "$NSD" --disable-host-loopback --resolv-conf "$T/resolv.conf"
assert_eq "$READY" 1 "helper with --disable-host-loopback is ready"
run in_ns "$NSD" $SRV httpget 10.0.2.2 "$HTTP_HOST"
assert_ne "$rc" 0 "host loopback refused with --disable-host-loopback"
assert_no_match "$out" "hello" "no data from the host's loopback"
run in_ns "$NSD" busybox nslookup foo.example 10.0.2.3
assert_match "$out" "192\.0\.2\.42" "DNS via 10.0.2.3 reaches a resolver on the host's loopback"
run in_ns "$NSD" busybox nslookup other.example 10.0.2.3
assert_match "$out" "192\.0\.2\.42" "a second query"

# ---- control socket ------------------------------------------------------------------
run api a '{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_addr":"127.0.0.1","host_port":0,"guest_port":80}}'
assert_match "$out" '"return":\{"id":3,"host_port":[0-9]+' "add_hostfwd at runtime returns id and port"
P3=$(printf '%s' "$out" | sed -n 's/.*"host_port":\([0-9]*\).*/\1/p')
run get "http://127.0.0.1:$P3/"
assert_eq "$out" "hello from 127.0.0.1" "the added forward works"
run api a '{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_port":0,"guest_port":80,"handler":"slirp"}}'
P4=$(printf '%s' "$out" | sed -n 's/.*"host_port":\([0-9]*\).*/\1/p')
run get "http://127.0.0.1:$P4/"
assert_eq "$out" "hello from 10.0.2.2" "an added slirp forward works next to fast ones"
run api a '{"execute":"remove_hostfwd","arguments":{"id":3}}'
assert_eq "$out" '{"return":{}}' "remove_hostfwd"
run get "http://127.0.0.1:$P3/"
assert_ne "$rc" 0 "the removed forward no longer accepts"
run api a '{"execute":"remove_hostfwd","arguments":{"id":4}}'
run get "http://127.0.0.1:$P4/"
assert_ne "$rc" 0 "the removed slirp forward no longer accepts"
run api a '{"execute":"list_hostfwd"}'
assert_no_match "$out" '"id":[34],' "list_hostfwd no longer lists them"
run api a '{"execute":"remove_hostfwd","arguments":{"id":42}}'
assert_match "$out" '"error":\{"desc":"no forward with id 42"' "unknown id is an error"
run api a '{"execute":"add_hostfwd","arguments":{"proto":"sctp","host_port":1,"guest_port":1}}'
assert_match "$out" '"error"' "bad proto is an error"
run api a 'not json'
assert_match "$out" '"error"' "bad JSON is an error"
run api a "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_port\":$TPB,\"guest_port\":80}}"
assert_match "$out" "cannot publish host port $TPB/tcp: the port is already in use" "runtime add of a busy port says so"

# ---- busy port, privileged port ------------------------------------------------------
serve busy - http 0.0.0.0 0
BUSY=$SRVPORT
new_ns e
NSE=$NSPID
helper e "$NSE" -p "$BUSY:80"
assert_match "$READY" "^0cannot publish host port $BUSY/tcp: the port is already in use" \
	"busy port: the ready fd carries the error"
wait_exit "$HPID" 60
assert_eq "$?" 1 "busy port: helper exits 1"
assert_false "busy port: no control socket left" test -e "$T/e.sock"
assert_eq "$(ns_procs "$NSE")" 1 "busy port: nothing of the helper left in the namespace"
if [ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" -gt 80 ] && [ "$(id -u)" != 0 ]; then
	helper e2 "$NSE" -p 80:80
	assert_match "$READY" "host port 80/tcp: ports below net.ipv4.ip_unprivileged_port_start" \
		"privileged port: the error names the port and the sysctl"
	wait_exit "$HPID" 60
else
	skip "privileged ports are allowed here"
fi

# ---- teardown ---------------------------------------------------------------------
kill -9 "$NSB"
wait_exit "$HB" 60
assert_eq "$?" 0 "killing the namespace's process ends the helper"
assert_false "its control socket is removed" test -e "$T/b.sock"

new_ns f
NSF=$NSPID
mkfifo "$T/f.exit" "$T/f.ready"
# the exit fifo first: its open pairs with our exec 6> below
"$NET" --target-pid "$NSF" --ready-fd 3 --exit-fd 4 4<"$T/f.exit" 3>"$T/f.ready" 2>"$T/f.err" </dev/null &
HF=$!
PIDS="$PIDS $HF"
exec 6>"$T/f.exit"
read -r READY <"$T/f.ready"
assert_eq "$READY" 1 "helper with --exit-fd is ready"
exec 6>&-
wait_exit "$HF" 60
assert_eq "$?" 0 "closing the exit fd ends the helper"
assert_eq "$(ns_procs "$NSF")" 1 "and leaves nothing in the namespace"

# ---- the library: net_start / net_counters / net_stop ----------------------------------
new_ns g
NSG=$NSPID
serve g-http "$NSG" http 0.0.0.0 80
serve g-udp "$NSG" udp 0.0.0.0 53
mkfifo "$T/g.in" "$T/g.out"
BURROW_NET_HELPER=$NET "$DRIVE" "$NSG" "$T/g.sock" "mtu=1500" - -p 80 -P 53/udp <"$T/g.in" >"$T/g.out" 2>"$T/g.err" &
DG=$!
PIDS="$PIDS $DG"
exec 9>"$T/g.in" 8<"$T/g.out"
read -r line <&8
assert_match "$line" "^ready [0-9]+" "net_start returns once the helper is ready"
read -r _ gt _ <&8
read -r _ gu _ <&8
run get "http://127.0.0.1:${gt%/tcp}/"
assert_eq "$out" "hello from 127.0.0.1" "a port published through net_start"
run $SRV udpsend 127.0.0.1 "${gu%/udp}" hi
assert_eq "$out" "echo:hi" "a -P port (53/udp) on a random host port"
run in_ns "$NSG" busybox ip link show tap0
assert_match "$out" "mtu 1500" "mtu=1500 from the network options"
exec 9>&-
read -r line <&8
assert_match "$line" "^counters [1-9][0-9]* [1-9][0-9]*" "net_counters"
read -r line <&8
assert_eq "$line" "stopped 0" "net_stop reaps the helper (status 0)"
read -r line <&8
assert_eq "$line" "socket removed" "net_stop leaves no control socket"
exec 8<&-
wait "$DG"

run env BURROW_NET_HELPER="$NET" "$DRIVE" "$NSG" "$T/g2.sock" "" - -p "$BUSY:80"
assert_eq "$rc" 1 "net: busy port fails before starting anything"
assert_match "$err" "cannot publish host port $BUSY/tcp: the port is already in use" \
	"net: the busy-port message names the port"
assert_false "net: no control socket" test -e "$T/g2.sock"
run env BURROW_NET_HELPER="$NET" "$DRIVE" "$NSG" "$T/g3.sock" "port_handler=bogus" -
assert_match "$err" "port_handler" "net: bad network options are refused"

# ---- --config-fd: the typed form burrow uses is checked field by field -------------
# bad_config NAME JSON: start the helper on JSON; READY gets what it reported on
# its ready fd, HERR its stderr, HRC its exit status
bad_config() {
	printf '%s' "$2" >"$T/$1.json"
	mkfifo "$T/$1.ready"
	"$NET" --target-pid "$NSG" --ready-fd 3 --config-fd 5 5<"$T/$1.json" \
		3>"$T/$1.ready" 2>"$T/$1.err" </dev/null &
	HPID=$!
	PIDS="$PIDS $HPID"
	read -r READY <"$T/$1.ready"
	wait_exit "$HPID" 10
	HRC=$?
	HERR=$(cat "$T/$1.err")
}
bad_config h1 '{"network_options":{"mtu":1500},"ports":[{"host_port":0,"container_port":80,"protocol":"tcp"}]}'
assert_eq "$READY" "0--config-fd: ports[0]: host_port: 0 is out of range (1-65535)" \
	"--config-fd: a bad port is refused with its field named"
assert_eq "$HRC" 1 "--config-fd: the helper exits 1"
assert_match "$HERR" "^burrow-net: error: --config-fd: ports\[0\]" "and logs the error"
bad_config h2 '{"network_options":{"mtu":"big"}}'
assert_eq "$READY" "0--config-fd: mtu: expected an integer" "--config-fd: a bad option is refused"
bad_config h3 '{"network_options":{"mtu":1500}} {"ports":[]}'
assert_eq "$READY" "0malformed --config-fd: not a JSON document" \
	"--config-fd: a second document after the first is refused"

# ---- limits: a stalled control client, TCP connections, UDP flows ------------------
# counter NAME KEY: a number from get_counters
counter() { api "$1" '{"execute":"get_counters"}' | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"; }
counter_is() { [ "$(counter "$1" "$2")" = "$3" ]; } # NAME KEY VALUE
# helper_cfg NAME NSPID JSON ARGS...: helper() with a --config-fd document
helper_cfg() {
	_n=$1 _p=$2
	printf '%s' "$3" >"$T/$_n.json"
	shift 3
	mkfifo "$T/$_n.ready"
	"$NET" --target-pid "$_p" --ready-fd 3 --api-socket "$T/$_n.sock" --config-fd 5 "$@" \
		5<"$T/$_n.json" 3>"$T/$_n.ready" 2>"$T/$_n.err" </dev/null &
	HPID=$!
	PIDS="$PIDS $HPID"
	read -r READY <"$T/$_n.ready"
}
new_ns l
NSL=$NSPID
serve l-http "$NSL" http 0.0.0.0 80
serve l-echo "$NSL" echo 0.0.0.0 7
serve l-udp "$NSL" udp 0.0.0.0 5353
helper_cfg l "$NSL" '{"limits":{"tcp_connections":4,"udp_flows":8}}' -p 80 -p 7 -p 5353/udp
assert_eq "$READY" 1 "a helper with limits from --config-fd"
run api l '{"execute":"list_hostfwd"}'
LH=$(printf '%s' "$out" | sed -n 's/.*"host_port":\([0-9]*\),"guest_addr":"10.0.2.100","guest_port":80,.*/\1/p')
LE=$(printf '%s' "$out" | sed -n 's/.*"host_port":\([0-9]*\),"guest_addr":"10.0.2.100","guest_port":7,.*/\1/p')
LU=$(printf '%s' "$out" | sed -n 's/.*"host_port":\([0-9]*\),"guest_addr":"10.0.2.100","guest_port":5353,.*/\1/p')

# a control client that sends 50000 requests and never reads its replies
mkfifo "$T/flood.out" "$T/flood.in"
$SRV apiflood "$T/l.sock" 50000 <"$T/flood.in" >"$T/flood.out" 2>"$T/flood.err" &
PIDS="$PIDS $!"
exec 7>"$T/flood.in"
read -r _ FLOODED <"$T/flood.out"
assert_match "$FLOODED" "^[0-9]+$" "a control client floods requests without reading ($FLOODED bytes went)"
run get --max-time 10 "http://127.0.0.1:$LH/"
assert_eq "$out" "hello from 127.0.0.1" "the published port still serves while it does not read"
run api l '{"execute":"list_hostfwd"}'
assert_match "$out" '"guest_port":80' "and another control client gets its answer"
exec 7>&-

# TCP: 4 connections at most; a 5th is reset; once they close, new ones work
mkfifo "$T/hold.out" "$T/hold.in"
$SRV tcphold 127.0.0.1 "$LE" 4 <"$T/hold.in" >"$T/hold.out" 2>"$T/hold.err" &
HOLD=$!
PIDS="$PIDS $HOLD"
exec 7>"$T/hold.in"
held=$(cat "$T/hold.out")
assert_eq "$(printf '%s' "$held" | tr '\n' ' ')" "ok ok ok ok held" "4 TCP connections (the limit) are served"
run counter l tcp_connections
assert_eq "$out" 4 "get_counters: tcp_connections 4"
run $SRV tcphold 127.0.0.1 "$LE" 1
assert_eq "$(printf '%s' "$out" | head -n 1)" "fail" "a 5th connection is refused"
exec 7>&-
wait "$HOLD"
poll counter_is l tcp_connections 0
assert_eq "$(counter l tcp_connections)" 0 "closed connections are counted out"
run $SRV tcphold 127.0.0.1 "$LE" 1
assert_eq "$(printf '%s' "$out" | head -n 1)" "ok" "after they closed, a new connection works"

# UDP: 30 sources, at most 8 flows; the newest sources are still answered
run $SRV udpmany 127.0.0.1 "$LU" 30
assert_ne "$out" 0 "datagrams from 30 source ports are answered ($out of 30)"
assert_eq "$(counter l udp_flows)" 8 "but no more than 8 flows are kept"
run $SRV udpsend 127.0.0.1 "$LU" late
assert_eq "$out" "echo:late" "a new source still gets through"

# idle flows expire (a 2 s timeout for the test)
new_ns l2
NSL2=$NSPID
serve l2-udp "$NSL2" udp 0.0.0.0 5353
helper_cfg l2 "$NSL2" '{"limits":{"udp_idle_timeout_ms":2000}}' -p 5353/udp
LU2=$(last_port l2)
run $SRV udpmany 127.0.0.1 "$LU2" 3
assert_eq "$out" 3 "three flows answered"
poll counter_is l2 udp_flows 0
assert_eq "$(counter l2 udp_flows)" 0 "idle flows expire"
run $SRV udpsend 127.0.0.1 "$LU2" again
assert_eq "$out" "echo:again" "and a source that comes back gets a new flow"

# an idle TCP connection is closed when tcp_idle_timeout_ms is set
new_ns l3
serve l3-echo "$NSPID" echo 0.0.0.0 7
helper_cfg l3 "$NSPID" '{"limits":{"tcp_idle_timeout_ms":1000}}' -p 7
LE3=$(last_port l3)
mkfifo "$T/idle.out" "$T/idle.in"
$SRV tcphold 127.0.0.1 "$LE3" 1 <"$T/idle.in" >"$T/idle.out" 2>"$T/idle.err" &
IDLE=$!
PIDS="$PIDS $IDLE"
exec 7>"$T/idle.in"
assert_eq "$(cat "$T/idle.out" | tr '\n' ' ')" "ok held " "a TCP connection, then idle"
poll counter_is l3 tcp_connections 0
assert_eq "$(counter l3 tcp_connections)" 0 "is closed after tcp_idle_timeout_ms"
exec 7>&-
wait "$IDLE"

bad_config h4 '{"limits":{"tcp_connections":0}}'
assert_eq "$READY" "0--config-fd: limits: tcp_connections: expected an integer from 1 to 65536" \
	"--config-fd: a bad limit is refused"
bad_config h5 '{"limits":{"threads":3}}'
assert_eq "$READY" "0--config-fd: limits: unknown field \"threads\"" "--config-fd: an unknown limit is refused"

# ---- 20 at once ------------------------------------------------------------------
i=0
while [ $i -lt 20 ]; do
	new_ns m$i
	eval "NSM$i=\$NSPID"
	serve m$i-http "$NSPID" http 0.0.0.0 80
	mkfifo "$T/m$i.ready"
	"$NET" --target-pid "$NSPID" --ready-fd 3 --api-socket "$T/m$i.sock" -p 80 \
		3>"$T/m$i.ready" 2>"$T/m$i.err" </dev/null &
	PIDS="$PIDS $!"
	i=$((i + 1))
done
i=0 nready=0 nok=0
while [ $i -lt 20 ]; do
	read -r r <"$T/m$i.ready"
	[ "$r" = 1 ] && nready=$((nready + 1))
	i=$((i + 1))
done
assert_eq "$nready" 20 "20 helpers at once are all ready"
i=0
while [ $i -lt 20 ]; do
	p=$(last_port m$i)
	[ "$(get "http://127.0.0.1:$p/")" = "hello from 127.0.0.1" ] && nok=$((nok + 1))
	i=$((i + 1))
done
assert_eq "$nok" 20 "all 20 serve HTTP through their published ports"

kill "$HA" 2>/dev/null
wait_exit "$HA" 60
assert_eq "$?" 0 "SIGTERM ends the helper cleanly"
for f in "$T"/*.err; do
	if grep -q "Sanitizer\|runtime error" "$f"; then
		not_ok "sanitizer report in $f"
		diag "$(cat "$f")"
	fi
done
done_testing
