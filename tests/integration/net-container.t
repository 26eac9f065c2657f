#!/bin/sh
# net-container.t - --network container:NAME: a container that shares the
# network namespace of another, running one (same loopback, same tap0, same
# /etc/hosts and resolv.conf), the errors (not running, no such container,
# -p), inspect's NetworkMode, and the target stopping first.
# shellcheck disable=SC2086,SC2154
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"

need_burrow_net pgrep

fixture_busybox

# burrow-net processes of container $1 (not its in-namespace child, burrow-net-ns)
helpers() {
	_n=0
	for _p in $(pgrep -f "burrow-net .*net-$(printf %.16s "$1")\.sock"); do
		[ "$(cat /proc/"$_p"/comm 2>/dev/null)" = burrow-net ] && _n=$((_n + 1))
	done
	echo $_n
}

# A: httpd on its loopback only
run burrow run -d --name a $IMG sh -c "mkdir -p /www && echo shared >/www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www"
assert_rc 0 "run -d the target container"
AID=$out
poll burrow exec a wget -qO- http://127.0.0.1:8080/
assert_eq "$out" "shared" "the target serves on its own 127.0.0.1"

# B by name: the same loopback, the same tap0
run burrow run --rm --network container:a $IMG sh -c 'wget -qO- http://127.0.0.1:8080/ && ip -4 -o addr show tap0'
assert_rc 0 "run --network container:NAME"
assert_match "$out" "^shared" "B reaches A's server on 127.0.0.1"
assert_match "$out" "tap0 +inet 10\.0\.2\.100/24" "B sees A's tap0 address"

# by ID prefix; /etc/hosts and resolv.conf come from A
AHOSTS=$(burrow exec a cat /etc/hosts)
ARESOLV=$(burrow exec a cat /etc/resolv.conf)
run burrow run --rm --network "container:$(printf %.12s "$AID")" $IMG cat /etc/hosts
assert_rc 0 "run --network container:ID-PREFIX"
assert_eq "$out" "$AHOSTS" "/etc/hosts is the target's"
run burrow run --rm --network "container:$AID" $IMG cat /etc/resolv.conf
assert_eq "$out" "$ARESOLV" "/etc/resolv.conf is the target's (full ID)"
run burrow run --rm --network container:a $IMG sh -c 'ls /sys/class/net | sort | tr "\n" " "'
assert_eq "$out" "lo tap0 " "sysfs shows the target's interfaces"
assert_eq "$(helpers "$AID")" 1 "the target keeps its one burrow-net"

# B detached: inspect, ps, no helper of its own
run burrow run -d --name b --network container:a $IMG sleep 1000
assert_rc 0 "run -d --network container:a"
BID=$out
run burrow inspect --format '{{.HostConfig.NetworkMode}}' b
assert_eq "$out" "container:$AID" "inspect: HostConfig.NetworkMode is container:<full ID>"
assert_eq "$(helpers "$BID")" 0 "B starts no burrow-net"
burrow exec b ping -c 1 10.0.2.2 >/dev/null 2>&1 # packets through A's tap0
run burrow inspect --format '{{.NetworkSettings.TxBytes}}' b
assert_match "$out" "^[1-9][0-9]*$" "inspect: B reports the counters of the network it shares"
run burrow exec b wget -qO- http://127.0.0.1:8080/
assert_eq "$out" "shared" "exec in B reaches A's loopback too"
assert_eq "$(readlink /proc/"$(burrow inspect --format '{{.State.Pid}}' b)"/ns/net)" \
	"$(readlink /proc/"$(burrow inspect --format '{{.State.Pid}}' a)"/ns/net)" \
	"A and B are in one network namespace"

# errors
run burrow run --rm --network container:a -p 8081:80 $IMG true
assert_rc 125 "-p with container: fails with 125"
assert_match "$err" "conflicting options: port publishing and the container network mode" "podman's message"
run burrow run --rm --network container:a -P $IMG true
assert_rc 125 "-P with container: fails too"
run burrow run --rm --network container:nosuch $IMG true
assert_rc 125 "an unknown container fails with 125"
assert_match "$err" "no such container" "and says so"
run burrow run --rm --network container: $IMG true
assert_rc 125 "container: without a name fails"
burrow create --name idle $IMG true >/dev/null
run burrow run --rm --network container:idle $IMG true
assert_rc 125 "a target that is not running fails with 125"
assert_match "$err" "not running" "and says it is not running"
run burrow create --name c2 --network container:idle $IMG true
assert_rc 0 "create accepts a stopped target (checked at start)"
run burrow start c2
assert_rc 125 "start fails while the target is not running"
assert_match "$err" "not running" "with the same message"
burrow rm -f c2 idle >/dev/null
run burrow run --rm --network host $IMG true
HOSTOK=$rc
if [ "$HOSTOK" = 0 ]; then
	burrow run -d --name h --network host $IMG sleep 1000 >/dev/null
	run burrow run --rm --network container:h $IMG true
	assert_rc 125 "a target on the host network is refused"
	assert_match "$err" "--network host" "and the message names --network host"
	burrow rm -f h >/dev/null
else
	skip "--network host does not work here"
	skip "--network host does not work here"
fi

# A stops first: B keeps running (loopback only), and its cleanup does not hang
run burrow stop -t 1 a
assert_rc 0 "stop the target"
run burrow inspect --format '{{.State.Status}}' b
assert_eq "$out" "running" "B outlives the target"
run burrow exec b sh -c 'ls /sys/class/net | tr "\n" " "'
assert_eq "$out" "lo " "A's tap0 went with A's burrow-net"
run timeout 60 "$BURROW" rm -f b
assert_rc 0 "rm -f B after the target stopped does not hang"
assert_eq "$(burrow ps -a --format json | grep -c "$BID")" 0 "B is gone"
run burrow start a
assert_rc 0 "the target starts again"
poll burrow exec a wget -qO- http://127.0.0.1:8080/
run timeout 60 "$BURROW" run --rm --network container:a $IMG wget -qO- http://127.0.0.1:8080/
assert_eq "$out" "shared" "and a new container can share its new namespace"
burrow create --name c3 --network container:a $IMG sleep 1000 >/dev/null
run burrow start c3
assert_rc 0 "create, then start, with a running target"
run burrow exec c3 wget -qO- http://127.0.0.1:8080/
assert_eq "$out" "shared" "the started container shares the target's loopback"
burrow rm -f c3 >/dev/null
burrow rm -f a >/dev/null
done_testing
