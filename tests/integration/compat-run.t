#!/bin/sh
# Compatibility with podman: run and create flags, the same command lines
# through both (tests/lib/compat.sh).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
. "$(dirname "$0")/../lib/compat.sh"
compat_init
mkdir -p "$COMPAT_W/host"
printf 'a=1\n# comment\nb=two words\n' >"$COMPAT_W/host/labels"
compat_host

compat_cases <<'EOF_T'
0    o  $B run --rm --add-host foo:10.1.2.3 --add-host bar:::1 $COMPAT_IMG sh -c 'grep -E "foo|bar" /etc/hosts'
125  e  $B run --rm --add-host foo $COMPAT_IMG true
0    o  $B run --rm --dns 10.0.0.1 --dns-search example.com --dns-option ndots:3 $COMPAT_IMG cat /etc/resolv.conf
1    o  $B run --rm --dns-search . $COMPAT_IMG grep -c search /etc/resolv.conf
0    o  $B run --rm --no-hosts $COMPAT_IMG sh -c 'cat /etc/hosts 2>&1 | wc -l'
125  e  $B run --rm --no-hosts --add-host foo:1.2.3.4 $COMPAT_IMG true
0    o  $B run --rm --device /dev/null:/dev/mynull $COMPAT_IMG sh -c 'ls /dev/mynull && echo x >/dev/mynull'
125  -  $B run --rm --device /dev/nonexistent $COMPAT_IMG true
0    o  $B run --rm --shm-size 1m $COMPAT_IMG sh -c 'df -k /dev/shm | tail -n 1 | awk "{print \$2}"'
125  -  $B run --rm --shm-size bogus $COMPAT_IMG true ## burrow's message gives examples of sizes
0    o  $B run --rm --sysctl net.ipv4.ip_forward=1 $COMPAT_IMG cat /proc/sys/net/ipv4/ip_forward
0    o  $B run --rm --sysctl kernel.msgmax=8192 $COMPAT_IMG cat /proc/sys/kernel/msgmax
125  -  $B run --rm --sysctl vm.swappiness=10 $COMPAT_IMG true ## burrow says why: the key is not namespaced
125  e  $B run --rm --sysctl kernel.shmmax $COMPAT_IMG true
0    o  $B run --rm --tz Europe/Paris $COMPAT_IMG sh -c 'readlink /etc/localtime; echo $TZ'
125  -  $B run --rm --tz Nowhere/Nothing $COMPAT_IMG true ## podman's message is its stat of a zoneinfo path
0    o  FOO_COMPAT=bar $B run --rm --env-host $COMPAT_IMG sh -c 'echo $FOO_COMPAT'
0    o  $B run --rm --group-add 2000 --group-add wheel $COMPAT_IMG id -G
0    o  $B run --rm -u 1000 --group-add keep-groups $COMPAT_IMG id -u
125/126 -  $B run --rm --group-add nosuchgroup $COMPAT_IMG id -G ## burrow looks the group up at create, before anything is made; podman at start (126)
0    o  $B create -q --name l1 --label a=b --label c --label-file $H/labels --annotation k=v $COMPAT_IMG true | wc -l
0    o  $B inspect --format '{{.Config.Labels.a}} [{{.Config.Labels.c}}] {{index .Config.Labels "b"}} {{.Config.Annotations.k}}' l1
125  -  $B create --label-file $H/nope $COMPAT_IMG true ## burrow's message names the option, podman's says "unable to process labels"
0    o  $B create --cidfile $H/cid --name cid1 $COMPAT_IMG true >$H/out; wc -c <$H/cid && wc -c <$H/out
125  e  $B create --cidfile $H/cid --name cid2 $COMPAT_IMG true
1/0  -  $B container exists cid2 ## podman leaves the container behind when its --cidfile exists; burrow checks the file first
125  e  $B create --name cid1 $COMPAT_IMG true
0    o  $B create --replace --name cid1 $COMPAT_IMG echo replaced | wc -l
0    o  $B start -a cid1
0    o  $B ps -a --filter name=cid1 --format '{{.Names}} {{.Command}}'
0    o  $B run -q --rm $COMPAT_IMG echo quiet
0    o  $B run --rm -w /tmp -e A=1 -h myhost $COMPAT_IMG sh -c 'pwd; echo $A; hostname'
0    o  $B run --rm --entrypoint echo $COMPAT_IMG a b
0    o  $B run --rm --read-only $COMPAT_IMG sh -c 'touch /x 2>/dev/null || echo ro'
0    o  $B run --rm --tmpfs /scratch:size=1m $COMPAT_IMG sh -c 'grep -c " /scratch " /proc/mounts'
3    -  $B run --rm $COMPAT_IMG sh -c 'exit 3'
127  -  $B run --rm $COMPAT_IMG nosuchcommand
126  -  $B run --rm $COMPAT_IMG /etc
125  e  $B run --rm --nosuchflag $COMPAT_IMG true
125  e  $B run --rm --pull never localhost/nosuch/image:1 true
0    o  $B rm -f l1 cid1 | sort
# user namespaces and the namespace flags
0    o  $B run --rm --userns keep-id $COMPAT_IMG id -u
0    -  $B run --rm --pid host $COMPAT_IMG true
0    -  $B run --rm --ipc private --uts private $COMPAT_IMG true
0    -  $B run --rm --privileged $COMPAT_IMG true
0    -  $B run --rm --preserve-fds 0 $COMPAT_IMG true
EOF_T

done_testing
