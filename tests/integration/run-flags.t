#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# run and create: labels, annotations, /etc/hosts and resolv.conf entries,
# --cidfile, --tz, --env-host, --replace, --shm-size, --sysctl.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
tmp="$FIXTURE_DIR/tmp"
mkdir -p "$tmp"

count_ctrs() { burrow ps -aq | wc -l; }

# --- labels and annotations
printf '# a comment\nteam=web\n\nempty\n' >"$tmp/labels"
run burrow create --name lab -l tier=front --label team=api --label-file "$tmp/labels" --annotation note=hello $IMG true
assert_rc 0 "create with --label, --label-file and --annotation"
run burrow inspect --format '{{.Config.Labels.tier}} {{.Config.Labels.team}} [{{.Config.Labels.empty}}] {{.Config.Annotations.note}}' lab
assert_eq "$out" "front api [] hello" "labels (flags after files) and annotations are in inspect"
run burrow ps -a --filter label=tier=front --format '{{.Names}}'
assert_eq "$out" "lab" "ps --filter label=KEY=VALUE finds it"
run burrow ps -a --filter label=tier --format '{{.Names}}'
assert_eq "$out" "lab" "ps --filter label=KEY finds it"
run burrow ps -a --filter label=tier=back --format '{{.Names}}'
assert_eq "$out" "" "a label filter with another value does not"
run burrow ps -a --filter label=tier --filter label=nope --format '{{.Names}}'
assert_eq "$out" "" "every label filter must match"
run burrow create -l =x $IMG true
assert_rc 125 "a label without a name fails with 125"
run burrow create --annotation novalue $IMG true
assert_rc 125 "an annotation without = fails with 125"
assert_match "$err" "novalue" "and names it"
printf 'ok=1\n=bad\n' >"$tmp/badlabels"
run burrow create --label-file "$tmp/badlabels" $IMG true
assert_rc 125 "a label file with a nameless line fails with 125"
assert_match "$err" "badlabels:2" "and names the file and line"

# --- before, since, exited
burrow run --name first $IMG sh -c 'exit 3' >/dev/null 2>&1
burrow run --name second $IMG true >/dev/null 2>&1
run burrow ps -a --filter before=second --format '{{.Names}}'
assert_match "$out" "first" "ps --filter before= lists older containers"
assert_no_match "$out" "second" "and not the reference"
run burrow ps -a --filter since=first --format '{{.Names}}'
assert_match "$out" "second" "ps --filter since= lists newer containers"
assert_no_match "$out" "first" "and not the reference"
run burrow ps -a --filter exited=3 --format '{{.Names}}'
assert_eq "$out" "first" "ps --filter exited=CODE"
run burrow ps -a --filter exited=x
assert_rc 125 "a bad exit code filter fails with 125"
burrow rm -f lab first second >/dev/null

# --- /etc/hosts
run burrow run --rm --add-host db.example:10.1.2.3 --add-host gw:host-gateway $IMG cat /etc/hosts
assert_rc 0 "--add-host"
assert_match "$out" "^10.1.2.3	db.example" "the added host comes first"
assert_match "$out" "10.0.2.2	gw" "host-gateway is the host's address"
assert_match "$out" "localhost" "the generated entries stay"
run burrow run --rm --add-host bad $IMG true
assert_rc 125 "--add-host without an address fails with 125"
run burrow run --rm --add-host 'x:not-an-ip' $IMG true
assert_rc 125 "--add-host with a bad address fails with 125"
assert_match "$err" "not-an-ip" "and names it"
run burrow run --rm --no-hosts --add-host a:1.2.3.4 $IMG true
assert_rc 125 "--no-hosts with --add-host fails with 125"
n=$(count_ctrs)
run burrow run --rm --no-hosts $IMG sh -c 'cat /etc/hosts 2>/dev/null; echo end'
assert_rc 0 "--no-hosts"
assert_no_match "$out" "10.0.2.100" "--no-hosts keeps the image's /etc/hosts"
assert_eq "$(count_ctrs)" "$n" "the bad invocations left no container"

# --- resolv.conf
run burrow run --rm --dns 192.0.2.53 --dns 2001:db8::53 --dns-search example.org --dns-option ndots:2 $IMG cat /etc/resolv.conf
assert_rc 0 "--dns, --dns-search and --dns-option"
assert_match "$out" "^nameserver 192.0.2.53
nameserver 2001:db8::53" "the given servers, in order"
assert_no_match "$out" "10.0.2.3" "replace the default server"
assert_match "$out" "search example.org" "the search domain"
assert_match "$out" "options ndots:2" "the option"
run burrow run --rm --dns-search . $IMG cat /etc/resolv.conf
assert_no_match "$out" "search" "--dns-search . drops the search line"
run burrow run --rm --dns bogus $IMG true
assert_rc 125 "--dns with a bad address fails with 125"
assert_match "$err" "bogus" "and names it"
run burrow run --rm --dns-option 'a b' $IMG true
assert_rc 125 "a --dns-option with a space fails with 125"

# --- --cidfile
cid="$tmp/cid"
run burrow run -d --cidfile "$cid" --name cidct $IMG sleep 1000
assert_rc 0 "run -d --cidfile"
assert_eq "$(cat "$cid")" "$(burrow inspect --format '{{.Id}}' cidct)" "the file holds the full ID"
n=$(count_ctrs)
run burrow run -d --cidfile "$cid" $IMG sleep 1000
assert_rc 125 "an existing cidfile fails with 125"
assert_match "$err" "container id file exists" "with podman's message"
assert_eq "$(count_ctrs)" "$n" "and leaves no container"
burrow rm -f cidct >/dev/null
assert_true "rm removes the cidfile" test ! -e "$cid"
(cd "$tmp" && burrow run --rm --cidfile rel.cid $IMG true)
assert_true "run --rm removes a relative cidfile when it ends" test ! -e "$tmp/rel.cid"

# --- --tz
if [ -f /usr/share/zoneinfo/Europe/Paris ]; then
	want=$(md5sum </usr/share/zoneinfo/Europe/Paris)
	run burrow run --rm --tz Europe/Paris $IMG sh -c 'md5sum </etc/localtime'
	assert_eq "$out" "$want" "--tz ZONE puts the zone at /etc/localtime"
	run burrow inspect --format '{{.Config.Timezone}}' "$(burrow create --tz Europe/Paris $IMG true)"
	assert_eq "$out" "Europe/Paris" "and inspect shows it"
else
	skip "no tzdata on this host"
fi
run burrow run --rm --tz Mars/Olympus $IMG true
assert_rc 125 "an unknown zone fails with 125"
assert_match "$err" "unknown time zone Mars/Olympus" "with podman's message"
run burrow run --rm --tz ../../etc/passwd $IMG true
assert_rc 125 "a zone with .. fails with 125"

# --- --env-host
export BURROW_TEST_HOSTVAR=from-host
run burrow run --rm --env-host -e OVER=flag $IMG sh -c 'echo $BURROW_TEST_HOSTVAR $OVER'
assert_eq "$out" "from-host flag" "--env-host passes the caller's environment, -e still applies"
run burrow run --rm $IMG sh -c 'echo x$BURROW_TEST_HOSTVAR'
assert_eq "$out" "x" "without it nothing leaks"
unset BURROW_TEST_HOSTVAR

# --- --replace
old=$(burrow run -d --name rep $IMG sleep 1000)
run burrow run -d --replace --name rep $IMG sleep 1000
assert_rc 0 "run --replace over a running container"
assert_ne "$out" "$old" "a new container"
run burrow inspect "$old"
assert_rc 125 "the old one is gone"
run burrow run --rm --replace $IMG true
assert_rc 125 "--replace without --name fails with 125"
burrow rm -f rep >/dev/null

# --- --shm-size
run burrow run --rm --shm-size 2m $IMG sh -c 'df -k /dev/shm | tail -n1'
assert_match "$out" "^shm +2048 " "--shm-size sets the size of /dev/shm"
run burrow run --rm --shm-size 0 $IMG true
assert_rc 125 "--shm-size 0 fails with 125"

# --- --sysctl
run burrow run --rm --sysctl net.ipv4.ip_unprivileged_port_start=81 $IMG cat /proc/sys/net/ipv4/ip_unprivileged_port_start
assert_eq "$out" "81" "--sysctl sets a network sysctl in the container's namespace"
assert_ne "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" "81" "and not on the host"
run burrow run --rm --sysctl kernel.pid_max=100 $IMG true
assert_rc 125 "a sysctl that isn't namespaced fails with 125"
assert_match "$err" "kernel.pid_max is not namespaced" "and says so"
run burrow run --rm --network host --sysctl net.ipv4.ip_forward=1 $IMG true
assert_rc 125 "a net sysctl with the host network fails with 125"
run burrow run --rm --sysctl 'net.ipv4/../../x=1' $IMG true
assert_rc 125 "a sysctl key with .. fails with 125"

# --- --device
run burrow run --rm --device /dev/null:/dev/mynull $IMG sh -c 'test -c /dev/mynull && echo x >/dev/mynull && echo ok'
assert_eq "$out" "ok" "--device HOST:CTR binds the host's node"
run burrow run --rm --device /dev/null:/dev/ronull:r $IMG true
assert_rc 125 "permissions narrower than rw are refused: nothing could enforce them"
assert_match "$err" "can't be enforced" "and it says why"
run burrow run --rm --device /dev/null:/dev/n2:rwm $IMG test -c /dev/n2
assert_rc 0 "rwm is accepted"
if [ -c /dev/net/tun ] && [ -r /dev/net/tun ]; then
	run burrow run --rm --device /dev/net $IMG sh -c 'test -c /dev/net/tun && echo tun'
	assert_eq "$out" "tun" "--device DIR brings the devices below it"
else
	skip "no usable /dev/net/tun here"
fi
run burrow inspect --format '{{json .HostConfig.Devices}}' "$(burrow create --device /dev/zero:/dev/z:rw $IMG true)"
assert_match "$out" '"PathOnHost":"/dev/zero"' "inspect shows HostConfig.Devices"
n=$(count_ctrs)
run burrow run --rm --device /dev/nonexistent $IMG true
assert_rc 125 "a missing device fails with 125"
assert_match "$err" "/dev/nonexistent" "and names it"
if [ -e /dev/mem ] && ! [ -r /dev/mem ]; then
	run burrow run --rm --device /dev/mem $IMG true
	assert_rc 125 "a device the user can't open fails with 125"
	assert_match "$err" "can't open" "and says so"
else
	skip "no unreadable /dev/mem here"
fi
run burrow run --rm --device /dev/null:rel $IMG true
assert_rc 125 "a relative container path fails with 125"
run burrow run --rm --device /dev/null:/dev/x:rwz $IMG true
assert_rc 125 "bad permissions fail with 125"
run burrow run --rm --device /etc/passwd $IMG true
assert_rc 125 "a file that isn't a device fails with 125"
mkdir -p "$tmp/nocdi"
run env BURROW_CDI_SPEC_DIRS="$tmp/nocdi" "$BURROW" run --rm --device example.com/gpu=all $IMG true
assert_rc 125 "a CDI name no spec defines fails with 125 (tests/integration/cdi.t)"
assert_eq "$(count_ctrs)" "$n" "and the failures left no container"

# --- --group-add
if [ "$(burrow run --rm $IMG cat /proc/self/uid_map | wc -l)" -lt 2 ]; then
	skip "single-ID map: only gid 0 exists in the container"
	skip "single-ID map"
else
	run burrow run --rm --group-add 2000 --group-add wheel $IMG id -G
	assert_eq "$out" "0 10 2000" "--group-add takes gids and names of the image's groups"
	id=$(burrow run -d --group-add extra $IMG sleep 1000)
	run burrow exec "$id" id -G
	assert_eq "$out" "0 2000" "exec gets the container's added groups too"
	burrow rm -f "$id" >/dev/null
fi
run burrow run --rm --group-add keep-groups $IMG sh -c 'grep ^Groups: /proc/self/status'
assert_rc 0 "--group-add keep-groups"
run burrow run --rm --group-add keep-groups --group-add 10 $IMG true
assert_rc 125 "keep-groups with other groups fails with 125"
run burrow run --rm --group-add nosuchgroup $IMG true
assert_rc 125 "an unknown group name fails with 125"
assert_match "$err" "nosuchgroup" "and names it"

# --- -q
run burrow run --rm -q $IMG true
assert_rc 0 "run -q"

done_testing
