#!/bin/sh
# net-direct.t - port_handler=direct (helpers/net/switch.c): a TCP server in
# the container that binds a published port gets a socket bound on the
# host, so the host's clients reach it without a relay; everything else
# (another port, a bind to the container's loopback, UDP, BURROW_PORT_DIRECT=0)
# stays on the fast handler.  Which one served a forward is told by
# burrow-net's list_hostfwd ("switched") and by the peer address the server
# sees (the real client's with direct, 127.0.0.1 through the relay).
# Outgoing (helpers/net/connect.c): a TCP connect() to 10.0.2.2 gets a
# socket connected to the host's 127.0.0.1; the client then sees 127.0.0.1
# as its peer, and the host's server sees the client's own local port (it
# would see slirp's through slirp); other addresses, bound sockets, UDP and
# BURROW_CONNECT_DIRECT=0 go through slirp.
# shellcheck disable=SC2086,SC2154
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"

LIB=$(cd "$(dirname "$0")/../lib" && pwd)
need_burrow_net curl perl pgrep
[ "${BURROW_PORT_DIRECT:-1}" != 0 ] || skip_all "BURROW_PORT_DIRECT=0 turns what this tests off"
case $(uname -m) in x86_64 | aarch64) ;; *) skip_all "port_handler=direct: not on $(uname -m)" ;; esac

fixture_busybox

PERLV="-v /usr:/usr:ro -v /lib:/lib:ro -v /lib64:/lib64:ro -v $LIB:/t:ro"
[ -e /lib64 ] || PERLV="-v /usr:/usr:ro -v /lib:/lib:ro -v $LIB:/t:ro"
D="--network slirp4netns:port_handler=direct,allow_host_loopback=true"
hport() { burrow port "$1" "$2" | sed -n '1s/.*://p'; }
# api CT JSON: one request to the container's burrow-net
api() {
	_id=$(burrow inspect --format '{{.Id}}' "$1")
	_p=$(pgrep -o -f "burrow-net .*net-$(printf %.16s "$_id")\.sock")
	_s=$(tr '\0' '\n' <"/proc/$_p/cmdline" | sed -n '/^--api-socket$/{n;p;}')
	perl "$LIB/netsrv.pl" api "$_s" "$2"
}
# switched CT PORT: burrow-net's "switched" for the forward to PORT
switched() {
	api "$1" '{"execute":"list_hostfwd"}' |
		perl -MJSON::PP -0ne 'for (@{decode_json($_)->{return}{entries}}) {
			print $_->{switched} ? "true" : "false" if $_->{guest_port} == '"$2"' }'
}
logs_have() { burrow logs "$1" 2>/dev/null | grep -q "$2"; }
HOSTIP=$(busybox ip -4 -o addr show scope global 2>/dev/null | sed -n '1s/.* inet \([0-9.]*\)\/.*/\1/p')

run burrow run --rm --network slirp4netns:port_handler=bogus $IMG true
assert_rc 125 "an unknown port handler fails"
assert_match "$err" "fast, slirp or direct" "and names the three"
run burrow run --rm --network slirp4netns:port_handler=direct -p 80 $IMG true
assert_rc 125 "port_handler=direct without allow_host_loopback=true fails"
assert_match "$err" "needs allow_host_loopback=true" "and says why"

# --- an IPv4 server on a published port: switched
# (and one on an unpublished port, whose bind stays in the container)
run burrow run -d --name v4 $D -p 127.0.0.1::80 -p 0.0.0.0::81 $PERLV $IMG sh -c \
	'/usr/bin/perl /t/netsrv.pl http 0.0.0.0 8080 & exec /usr/bin/perl /t/netsrv.pl http 0.0.0.0 80' 
assert_rc 0 "run -d with port_handler=direct"
HP=$(hport v4 80/tcp)
poll curl -sf "http://127.0.0.1:$HP/"
assert_eq "$out" "hello from 127.0.0.1" "HTTP from the host reaches the server"
assert_eq "$(switched v4 80)" true "the container holds the host socket (switched)"
assert_eq "$(switched v4 81)" false "a published port nobody bound is not switched"
run burrow port v4 80
assert_eq "$out" "127.0.0.1:$HP" "port still shows the mapping"
poll burrow exec v4 wget -qO- http://127.0.0.1:8080/
assert_eq "$out" "hello from 127.0.0.1" "a server on an unpublished port is reached in the container"
run burrow exec v4 cat /proc/net/tcp
assert_no_match "$out" ":0050 00000000:0000 0A" "the published one does not listen in the container's namespace"
assert_match "$out" ":1F90 00000000:0000 0A" "the unpublished one does"
burrow rm -f v4 >/dev/null

# the client's own address, as with port_handler=slirp
if [ -n "$HOSTIP" ]; then
	run burrow run -d --name v4b $D -p 0.0.0.0::80 $PERLV $IMG /usr/bin/perl /t/netsrv.pl http 0.0.0.0 80
	poll logs_have v4b '^ready'
	run curl -sf --interface "$HOSTIP" "http://$HOSTIP:$(hport v4b 80/tcp)/"
	assert_eq "$out" "hello from $HOSTIP" "the server sees the client's address"
	burrow rm -f v4b >/dev/null
else
	skip "no global IPv4 address to connect from"
fi

# --- a dual-stack IPv6 server ("::", busybox httpd): switched, IPv4 clients
run burrow run -d --name v6 $D -p 127.0.0.1::80 $IMG sh -c \
	"mkdir -p /www && echo hello6 >/www/index.html && exec httpd -f -p 80 -h /www"
HP=$(hport v6 80/tcp)
poll curl -sf "http://127.0.0.1:$HP/"
assert_eq "$out" "hello6" "a dual-stack IPv6 server is reached"
assert_eq "$(switched v6 80)" true "and holds the host socket"
burrow rm -f v6 >/dev/null

# --- fallbacks: a server on the container's loopback, BURROW_PORT_DIRECT=0
run burrow run -d --name lo $D -p 127.0.0.1::80 $PERLV $IMG /usr/bin/perl /t/netsrv.pl http 127.0.0.1 80
poll logs_have lo '^ready'
run curl -sf "http://127.0.0.1:$(hport lo 80/tcp)/"
assert_eq "$out" "hello from 127.0.0.1" "a server on the container's 127.0.0.1 is reached through the relay"
assert_eq "$(switched lo 80)" false "and is not switched"
burrow rm -f lo >/dev/null

# one container port on two host addresses: both stay on the relay
run burrow run -d --name two $D -p 127.0.0.1::80 -p 127.0.0.2::80 $PERLV $IMG /usr/bin/perl /t/netsrv.pl http 0.0.0.0 80
poll logs_have two '^ready'
H1=$(burrow port two 80/tcp | sed -n '/127\.0\.0\.1:/s/.*://p')
H2=$(burrow port two 80/tcp | sed -n '/127\.0\.0\.2:/s/.*://p')
run curl -sf "http://127.0.0.1:$H1/"
assert_eq "$out" "hello from 127.0.0.1" "a port published on two host addresses: the first is reached"
run curl -sf "http://127.0.0.2:$H2/"
assert_eq "$out" "hello from 127.0.0.1" "and the second"
assert_eq "$(switched two 80)" "falsefalse" "and neither is switched"
burrow rm -f two >/dev/null

run env BURROW_PORT_DIRECT=0 "$BURROW" run -d --name off $D -p 127.0.0.1::80 $PERLV $IMG \
	/usr/bin/perl /t/netsrv.pl http 0.0.0.0 80
poll logs_have off '^ready'
run curl -sf "http://127.0.0.1:$(hport off 80/tcp)/"
assert_eq "$out" "hello from 127.0.0.1" "BURROW_PORT_DIRECT=0: the fast handler serves the port"
assert_eq "$(switched off 80)" false "and nothing is switched"
burrow rm -f off >/dev/null

# --- UDP under direct: the fast handler
run burrow run -d --name udp $D -p 127.0.0.1::5353/udp $PERLV $IMG /usr/bin/perl /t/netsrv.pl udp 0.0.0.0 5353
poll logs_have udp '^ready'
run perl "$LIB/netsrv.pl" udpsend 127.0.0.1 "$(hport udp 5353/udp)" ping
assert_eq "$out" "echo:ping" "UDP through -p with port_handler=direct"
burrow rm -f udp >/dev/null

# --- a server that closes its socket and binds again gets a new one
run burrow run -d --name again $D -p 127.0.0.1::80 $PERLV $IMG sh -c \
	'/usr/bin/perl -MIO::Socket::INET -e "IO::Socket::INET->new(LocalPort => 80, Listen => 1, ReuseAddr => 1) or die" &&
	 exec /usr/bin/perl /t/netsrv.pl http 0.0.0.0 80'
poll logs_have again '^ready'
run curl -sf "http://127.0.0.1:$(hport again 80/tcp)/"
assert_eq "$out" "hello from 127.0.0.1" "a second bind after the first socket closed is served"
assert_eq "$(switched again 80)" true "and switched"
burrow rm -f again >/dev/null

# --- outgoing: connect() to the host's loopback through 10.0.2.2
T=$(mktemp -d /tmp/burrow-direct.XXXXXX)
SRVPIDS=
trap 'kill $SRVPIDS 2>/dev/null; rm -rf "$T"; fixture_busybox_cleanup' EXIT
# hserve NAME MODE: a server on the host's 127.0.0.1; sets SP to its port
hserve() {
	mkfifo "$T/$1"
	perl "$LIB/netsrv.pl" "$2" 127.0.0.1 0 >"$T/$1" 2>/dev/null </dev/null &
	SRVPIDS="$SRVPIDS $!"
	read -r _ SP <"$T/$1"
}
hserve peer peer
PP=$SP
hserve http http
HTTPP=$SP
# conn [ENV=V] ARGS...: a container with port_handler=direct whose command
# (the init's child, under its filter: not burrow exec) is netsrv.pl connect ARGS
conn() {
	_e=
	case $1 in *=*) _e=$1 && shift ;; esac
	run env $_e "$BURROW" run --rm $D $PERLV $IMG /usr/bin/perl /t/netsrv.pl connect "$@"
}
# switched_conn CONNECT-OUTPUT PORT: the client's peer is 127.0.0.1:PORT and
# the server saw the client's own port (a relay's would differ)
switched_conn() {
	_l=$(printf '%s\n' "$1" | sed -n 's/.* local=\([0-9]*\) .*/\1/p')
	case $1 in *" peer=127.0.0.1:$2 local=$_l saw=127.0.0.1:$_l echo=ping") echo true ;; *) echo false ;; esac
}
if [ "${BURROW_CONNECT_DIRECT:-1}" = 0 ]; then
	for _i in $(seq 17); do skip "BURROW_CONNECT_DIRECT=0 turns the switching off"; done
else
	conn 10.0.2.2 "$PP" block
	assert_match "$out" "^connect=done peer=127\.0\.0\.1:$PP .* echo=ping$" \
		"a blocking connect to 10.0.2.2 reaches the host's server, data both ways"
	assert_eq "$(switched_conn "$out" "$PP")" true \
		"the connection is the host's own (its peer 127.0.0.1, the server sees the client's port)"
	conn 10.0.2.2 "$PP" nb
	assert_match "$out" "^connect=[a-z]* peer=127\.0\.0\.1:$PP .* echo=ping$" "a non-blocking connect to 10.0.2.2 reaches it"
	assert_eq "$(switched_conn "$out" "$PP")" true "and is switched too"
	conn 10.0.2.2 "$PP" v6
	assert_match "$out" "^connect=done peer=::ffff:127\.0\.0\.1:$PP .* echo=ping$" \
		"a dual-stack IPv6 socket's connect to ::ffff:10.0.2.2 reaches it"
	assert_eq "$(switched_conn "$(printf %s "$out" | sed 's/peer=::ffff:/peer=/')" "$PP")" true "and is switched"
	run burrow run --rm $D $IMG wget -qO- "http://10.0.2.2:$HTTPP/"
	assert_eq "$out" "hello from 127.0.0.1" "busybox wget through 10.0.2.2"
	# a port nobody listens on: refused, as through slirp
	conn 10.0.2.2 1 block
	assert_ne "$rc" 0 "a blocking connect to a closed port on 10.0.2.2 fails"
	assert_match "$err" "Connection refused" "with ECONNREFUSED"
	conn 10.0.2.2 1 nb
	assert_ne "$rc" 0 "a non-blocking one too"
	assert_match "$err" "Connection refused" "with ECONNREFUSED"
	# a server whose backlog is full: SO_SNDTIMEO ends a blocking connect
	# with EINPROGRESS (without it, the SYN retries would take 2 minutes)
	hserve full full
	_t0=$(date +%s)
	conn 10.0.2.2 "$SP" timeo
	assert_eq "$out" "connect=timedout" "a blocking connect held by the host's server ends at SO_SNDTIMEO"
	assert_eq "$(($(date +%s) - _t0 < 30))" 1 "in time"
	# the same server opening up while a blocking connect waits for it:
	# the host's SYN_SENT socket is burrow-net's, waiting in its loop
	mkfifo "$T/gate" "$T/gate.in"
	perl "$LIB/netsrv.pl" gate 127.0.0.1 0 <"$T/gate.in" >"$T/gate" 2>/dev/null &
	SRVPIDS="$SRVPIDS $!"
	exec 8>"$T/gate.in"
	read -r _ GP <"$T/gate"
	"$BURROW" run --rm $D $PERLV $IMG /usr/bin/perl /t/netsrv.pl connect 10.0.2.2 "$GP" held \
		>"$T/held.out" 2>&1 &
	HELD=$!
	GHEX=$(printf %04X "$GP")
	syn_sent() { grep -Eq "^ *[0-9]+: 0100007F:[0-9A-F]{4} 0100007F:$GHEX 02 " /proc/net/tcp; }
	poll syn_sent
	assert_rc 0 "a blocking connect to a full server waits on the host (SYN_SENT)"
	echo go >&8
	exec 8>&-
	wait "$HELD"
	out=$(cat "$T/held.out")
	assert_eq "$(switched_conn "$out" "$GP")" true "and is handed its socket once the server takes it"

	# a connection held open is in the host's table, not the container's
	PHEX=$(printf %04X "$PP")
	# est_to TABLE: an established connection from 127.0.0.1 to port PP
	est_to() { grep -Eq "^ *[0-9]+: 0100007F:[0-9A-F]{4} 0100007F:$PHEX 01 " "$1"; }
	run burrow run -d --name hold $D $IMG sh -c "sleep 1000 | nc 10.0.2.2 $PP"
	poll est_to /proc/net/tcp
	assert_rc 0 "a held connection: established in the host's namespace"
	run burrow exec hold cat /proc/net/tcp
	assert_no_match "$out" ":$PHEX 01 " "and not in the container's"
	burrow rm -f hold >/dev/null
fi

# --- untouched: another address, a bound socket, UDP
run burrow run --rm $D $PERLV $IMG sh -c 'mkfifo /tmp/r && { /usr/bin/perl /t/netsrv.pl peer 127.0.0.1 9000 >/tmp/r & } &&
	read -r _ _ </tmp/r && exec /usr/bin/perl /t/netsrv.pl connect 127.0.0.1 9000 block'
assert_eq "$(switched_conn "$out" 9000)" true "a connect to the container's own 127.0.0.1 stays there"
conn 10.0.2.2 "$PP" bound
assert_match "$out" "^connect=done peer=10\.0\.2\.2:$PP .* echo=ping$" \
	"a socket bound before its connect goes through slirp"
hserve udp udp
run burrow run --rm $D $PERLV $IMG /usr/bin/perl /t/netsrv.pl udpsend 10.0.2.2 "$SP" ping
assert_eq "$out" "echo:ping" "a connected UDP socket to 10.0.2.2 goes through slirp"

# --- the switch off: through slirp; published ports still switched
conn BURROW_CONNECT_DIRECT=0 10.0.2.2 "$PP" block
assert_match "$out" "^connect=done peer=10\.0\.2\.2:$PP .* echo=ping$" \
	"BURROW_CONNECT_DIRECT=0: a connect to 10.0.2.2 goes through slirp"
assert_eq "$(switched_conn "$out" "$PP")" false "and is not switched"
run env BURROW_CONNECT_DIRECT=0 "$BURROW" run -d --name coff $D -p 127.0.0.1::80 $PERLV $IMG \
	/usr/bin/perl /t/netsrv.pl http 0.0.0.0 80
poll logs_have coff '^ready'
run curl -sf "http://127.0.0.1:$(hport coff 80/tcp)/"
assert_eq "$out" "hello from 127.0.0.1" "while a published port is still served"
assert_eq "$(switched coff 80)" true "and switched"
burrow rm -f coff >/dev/null

done_testing
