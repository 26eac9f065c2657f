#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# burrow run: flags, image config, isolation, exit codes, cleanup.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1

# --- the basics the README shows
run burrow run --rm $IMG sh -c 'id; hostname; echo $$; cat /proc/self/uid_map'
assert_rc 0 "run --rm exits 0"
assert_match "$out" "^uid=0\(root\) gid=0\(root\)" "the command runs as root in the container"
assert_match "$out" "
1
" "the command is PID 1"
assert_match "$out" "0 +$(id -u) +1" "container root maps to the user"
sub=$(awk -F: -v u="$(id -un)" '$1 == u {print $2; exit}' /etc/subuid)
if [ -n "$sub" ]; then
	assert_match "$out" "1 +$sub " "uid 1 maps to the subordinate range"
else
	skip "no subordinate range for $(id -un)"
fi

# the subordinate ranges are cached in the runroot; a stale or broken cache is ignored
printf 'v1 stale-key\nu 5 5\ng 5 5\n' >"$BURROW_RUNROOT/subid-cache"
run burrow run --rm $IMG cat /proc/self/uid_map
assert_match "$out" "0 +$(id -u) +1" "a stale range cache is ignored"
assert_no_match "$out" " 5 +5\$" "and its ranges are not used"
assert_eq "$(head -c 3 "$BURROW_RUNROOT/subid-cache")" "v2 " "the cache is rewritten"
assert_eq "$(sed -n 2p "$BURROW_RUNROOT/subid-cache")" "n $(id -un)" "with the user's name"
if [ "${BURROW_SUBID_CACHE_USER-}" != 0 ]; then
	# a hit names the user from the cache, not from the passwd lookup
	key=$(head -n1 "$BURROW_RUNROOT/subid-cache")
	ranges=$(grep '^[ug] ' "$BURROW_RUNROOT/subid-cache")
	printf '%s\nn cached-name\n%s\n' "$key" "$ranges" >"$BURROW_RUNROOT/subid-cache"
	run burrow run --rm --userns keep-id $IMG sh -c 'grep "^cached-name:" /etc/passwd | cut -d: -f1'
	assert_eq "$out" "cached-name" "a cache hit names the user"
else
	skip "BURROW_SUBID_CACHE_USER=0: a cache hit does not name the user"
fi
run env BURROW_SUBID_CACHE_USER=0 "$BURROW" run --rm --userns keep-id $IMG cut -d: -f1 /etc/passwd
assert_match "$out" "^$(id -un)\$" "BURROW_SUBID_CACHE_USER=0: the name comes from the passwd lookup"
rm -f "$BURROW_RUNROOT/subid-cache"

# --- isolation
for ns in user mnt pid uts ipc net cgroup; do
	host=$(readlink /proc/self/ns/$ns)
	run burrow run --rm $IMG readlink /proc/self/ns/$ns
	assert_ne "$out" "$host" "the container has its own $ns namespace"
done
run burrow run --rm $IMG sh -c 'ls /proc | grep "^[0-9]" | sort -n | tail -n1'
assert_match "$out" "^[0-9]$" "only the container's own few processes are visible in /proc"
run burrow run --rm $IMG sh -c "test -d /proc/$$ && echo visible || echo hidden"
assert_eq "$out" "hidden" "the test shell's pid is not visible inside"
before=$(hostname)
run burrow run --rm --cap-add SYS_ADMIN $IMG sh -c 'hostname changed-inside && hostname'
assert_eq "$out" "changed-inside" "a hostname set inside takes effect inside"
assert_eq "$(hostname)" "$before" "and does not change the host's hostname"
run burrow run --rm --network none $IMG sh -c 'ip link show | grep -c "^[0-9]"; cat /sys/class/net/lo/operstate'
assert_match "$out" "^1" "--network none: only loopback"
run burrow run --rm $IMG sh -c 'ping -c1 -W1 127.0.0.1 >/dev/null && echo lo-up'
assert_eq "$out" "lo-up" "loopback is up"
run burrow run --rm --network none $IMG sh -c 'ping -c1 -W1 127.0.0.1 >/dev/null && echo lo-up'
assert_eq "$out" "lo-up" "--network none: loopback is up"
# the init's unmount of the host's tree, joined right before the exec
# (BURROW_DETACH_LATE) or before the rest of its work: either way one root,
# the command in it, with the user, capabilities and filter asked for
for o in 1 0; do
	run env BURROW_DETACH_LATE=$o "$BURROW" run --rm --network none -u 1000 $IMG sh -c \
		'awk "\$5 == \"/\"" /proc/self/mountinfo | wc -l; pwd; id -u; grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status | tr -d "\t"'
	assert_rc 0 "BURROW_DETACH_LATE=$o: run"
	assert_eq "$(echo "$out" | sed -n 1p)" "1" "BURROW_DETACH_LATE=$o: one mount on /, the rootfs"
	assert_eq "$(echo "$out" | sed -n 2,3p | tr '\n' ' ')" "/ 1000 " "BURROW_DETACH_LATE=$o: in /, as the user"
	assert_match "$out" "CapEff:0000000000000000" "BURROW_DETACH_LATE=$o: no capabilities"
	assert_match "$out" "NoNewPrivs:1" "BURROW_DETACH_LATE=$o: no_new_privs"
	assert_match "$out" "Seccomp:2" "BURROW_DETACH_LATE=$o: the seccomp filter"
done
run burrow run --rm --network host $IMG sh -c 'readlink /proc/self/ns/net; hostname'
assert_match "$out" "^$(readlink /proc/self/ns/net | sed 's/[][]/./g')" "--network host shares the host's network namespace"
assert_match "$out" "$(hostname)\$" "--network host keeps the host name"
run burrow run --rm --network bogus $IMG true
assert_rc 125 "--network with an unknown mode fails with 125"
assert_match "$err" "bogus" "and names the bad mode"

# --- filesystem
run burrow run --rm $IMG sh -c 'grep -c . /etc/hostname; cat /etc/hosts; test -s /etc/resolv.conf || test -f /etc/resolv.conf && echo resolv'
assert_match "$out" "localhost" "/etc/hosts is generated"
assert_match "$out" "resolv" "/etc/resolv.conf is generated"
run burrow run --rm $IMG sh -c 'awk "{print \$2\" \"\$1\" \"substr(\$4, 1, 2)}" /proc/mounts'
assert_match "$out" "/proc proc rw" "/proc is mounted"
assert_match "$out" "/sys sysfs ro" "/sys is read-only"
assert_match "$out" "/dev/pts devpts" "/dev/pts is a new devpts instance"
assert_match "$out" "/dev/shm shm" "/dev/shm is a tmpfs"
assert_match "$out" "/dev/mqueue mqueue" "/dev/mqueue is mounted"
assert_match "$out" "/proc/sys proc ro" "/proc/sys is read-only"
run burrow run --rm $IMG sh -c 'ls /dev | tr "\n" " "'
for d in null zero full random urandom tty ptmx pts shm mqueue fd stdin stdout stderr; do
	assert_match " $out" " $d " "/dev/$d exists"
done
run burrow run --rm $IMG sh -c 'echo x > /dev/null && head -c 4 /dev/zero | wc -c'
assert_eq "$out" "4" "device nodes work"
run burrow run --rm $IMG sh -c 'cat /proc/keys 2>/dev/null | wc -c; cat /proc/timer_list 2>/dev/null | wc -c; ls /sys/firmware | wc -l'
assert_eq "$(echo $out)" "0 0 0" "masked paths show nothing"
run burrow run --rm $IMG sh -c 'echo 1 > /proc/sys/kernel/ns_last_pid'
assert_ne "$rc" "0" "/proc/sys can't be written"

run burrow run --rm --read-only $IMG sh -c 'touch /x'
assert_ne "$rc" "0" "--read-only: the root is read-only"
assert_match "$err" "Read-only" "and says so"
run burrow run --rm --read-only $IMG sh -c 'touch /tmp/x /run/x /var/tmp/x && echo ok'
assert_eq "$out" "ok" "--read-only keeps /tmp, /run and /var/tmp writable"
run burrow run --rm --tmpfs /scratch:size=1m,mode=1777 $IMG sh -c 'mount | grep " /scratch "'
assert_match "$out" "tmpfs on /scratch type tmpfs \(rw,nosuid,nodev,noexec" "--tmpfs mounts a tmpfs with podman's default flags"
run burrow run --rm --tmpfs /scratch:bogus=1 $IMG true
assert_rc 125 "--tmpfs with a bad option fails with 125"

vol=$FIXTURE_DIR/vol
mkdir -p "$vol"
echo hostdata >"$vol/in"
run burrow run --rm -v "$vol:/data" $IMG sh -c 'cat /data/in; echo from-container > /data/out; mkdir /data/sub'
assert_eq "$out" "hostdata" "-v: the container reads host files"
assert_eq "$(cat "$vol/out")" "from-container" "-v: the host sees the container's writes"
assert_eq "$(stat -c %u "$vol/out")" "$(id -u)" "a file written by container root is owned by the user on the host"
assert_eq "$(stat -c %u "$vol/sub")" "$(id -u)" "so is a directory"
run burrow run --rm -v "$vol:/data:ro" $IMG sh -c 'cat /data/in && touch /data/new'
assert_ne "$rc" "0" "-v :ro: writes fail"
assert_true "-v :ro: nothing was written" test ! -e "$vol/new"
printf '#!/bin/sh\necho ran\n' >"$vol/script"; chmod +x "$vol/script"
run burrow run --rm -v "$vol:/data:noexec" $IMG /data/script
assert_rc 126 "-v :noexec: a script on the volume can't be executed"
run burrow run --rm -v "$vol:/data" $IMG /data/script
assert_eq "$out" "ran" "without noexec it can"
run burrow run --rm -v "$FIXTURE_DIR/does-not-exist:/data" $IMG true
assert_rc 125 "-v with a missing source fails with 125"
assert_match "$err" "does-not-exist" "and names the path"
run burrow run --rm -v rel/dir:/data $IMG true
assert_rc 125 "-v with a relative path that is no volume name fails with 125"
assert_match "$err" "invalid volume name" "and says why (named volumes: volume.t)"

# --- image config and process flags
run burrow run --rm -e FOO=bar -e EMPTY= $IMG sh -c 'echo "$FOO|$EMPTY|$PATH|$HOME|$HOSTNAME"'
assert_match "$out" "^bar\|\|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\|/root\|[0-9a-f]{12}$" "-e, image PATH, HOME, HOSTNAME"
printf 'A=1\n# comment\n\nB=two words\nFROMHOST\n' >"$FIXTURE_DIR/envfile"
FROMHOST=passed run burrow run --rm --env-file "$FIXTURE_DIR/envfile" $IMG sh -c 'echo "$A|$B|$FROMHOST"'
assert_eq "$out" "1|two words|passed" "--env-file, with KEY taken from the caller"
run burrow run --rm --env-file "$FIXTURE_DIR/nope" $IMG true
assert_rc 125 "--env-file with a missing file fails with 125"
run burrow run --rm -w /var/lib/new $IMG pwd
assert_eq "$out" "/var/lib/new" "-w creates and enters the directory"
run burrow run --rm -w relative $IMG pwd
assert_rc 125 "-w with a relative path fails with 125"
run burrow run --rm -u user $IMG id
assert_eq "$out" "uid=1000(user) gid=1000(user) groups=10(wheel),1000(user),2000(extra)" "-u NAME resolves uid, gid and groups from the image"
run burrow run --rm -u 1000:2000 $IMG sh -c 'echo $(id -u) $(id -g)'
assert_eq "$out" "1000 2000" "-u UID:GID"
run burrow run --rm -u user:wheel $IMG id -g
assert_eq "$out" "10" "-u NAME:GROUP"
run burrow run --rm -u nosuchuser $IMG id
assert_rc 125 "-u with an unknown user fails with 125"
assert_match "$err" "nosuchuser" "and names the user"
run burrow run --rm --hostname box1 $IMG sh -c 'hostname; cat /etc/hostname'
assert_eq "$(echo $out)" "box1 box1" "--hostname"
run burrow run --rm --entrypoint /bin/echo $IMG hello
assert_eq "$out" "hello" "--entrypoint replaces the entrypoint"
run burrow run --rm --entrypoint '["/bin/sh","-c"]' $IMG 'echo json'
assert_eq "$out" "json" "--entrypoint takes a JSON array"
run burrow run --rm $IMG
assert_rc 125 "an image with no CMD and no command fails with 125"
assert_match "$err" "no command or entrypoint" "and says why"
"$BURROW" import --change 'CMD ["echo", "from-cmd"]' "$(fixture_rootfs_tar)" local/withcmd:1 >/dev/null
run burrow run --rm local/withcmd:1
assert_eq "$out" "from-cmd" "with no command the image's CMD runs"
run burrow run --rm local/withcmd:1 echo override
assert_eq "$out" "override" "a command replaces the image's CMD"

# --- capabilities and privileges
run burrow run --rm $IMG sh -c 'grep -E "^Cap(Eff|Bnd)" /proc/self/status'
assert_match "$out" "CapEff:	00000000a80425fb" "docker's default capability set"
run burrow run --rm --cap-drop CHOWN --cap-add NET_ADMIN $IMG sh -c 'grep CapEff /proc/self/status'
assert_match "$out" "CapEff:	00000000a80435fa" "--cap-drop CHOWN --cap-add NET_ADMIN"
run burrow run --rm --cap-drop all $IMG sh -c 'grep CapEff /proc/self/status'
assert_match "$out" "CapEff:	0000000000000000" "--cap-drop all"
run burrow run --rm --cap-add BOGUS $IMG true
assert_rc 125 "--cap-add with an unknown capability fails with 125"
run burrow run --rm -u 1000 $IMG sh -c 'grep -E "CapEff|NoNewPrivs" /proc/self/status'
assert_match "$out" "CapEff:	0000000000000000" "a non-root user has no effective capabilities"
assert_match "$out" "NoNewPrivs:	1" "no_new_privs is set"
run burrow run --rm --security-opt no-new-privileges $IMG true
assert_rc 0 "--security-opt no-new-privileges is accepted"
run burrow run --rm --security-opt bogus $IMG true
assert_rc 125 "an unknown --security-opt fails with 125"

# --- stdin
run_in "hello" burrow run --rm -i $IMG cat
assert_eq "$out" "hello" "-i passes stdin"
run_in "hello" burrow run --rm $IMG cat
assert_eq "$out" "" "without -i stdin is empty"

# --- exit codes
run burrow run --rm $IMG sh -c 'exit 3'
assert_rc 3 "the container's exit code is burrow's"
run burrow run --rm $IMG /no/such/binary
assert_rc 127 "a missing command gives 127"
assert_match "$err" "^burrow: error: .*no/such/binary" "with a one-line error"
run burrow run --rm $IMG /etc/passwd
assert_rc 126 "a non-executable command gives 126"
run burrow run --rm --init $IMG sh -c 'kill -KILL $$'
assert_rc 137 "a command killed by SIGKILL gives 137"
run burrow run --rm --bogus-flag $IMG true
assert_rc 125 "an unknown flag gives 125"
run burrow run --rm local/no-such-image:1 true
assert_rc 125 "an unknown image gives 125"
run burrow run
assert_rc 125 "run without an image gives 125"

# --- --init
run burrow run --rm --init $IMG sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; echo $$'
assert_match "$out" "^/dev/init -- sh" "--init runs burrow-init as PID 1"
assert_ne "$(echo "$out" | tail -n1)" "1" "and the command is not PID 1"
# an orphan that exits at once: it stays in /proc as a zombie until PID 1 reaps it
run burrow run --rm --init $IMG sh -c '(sh -c "exit 0" & echo $! >/tmp/orphan); p=$(cat /tmp/orphan); i=0; while [ -e /proc/$p ] && [ $i -lt 1500 ]; do i=$((i+1)); usleep 20000; done; if [ -e /proc/$p ]; then echo "left: $(cat /proc/$p/stat)"; else echo reaped; fi'
assert_eq "$out" "reaped" "--init reaps orphaned zombies"

# --- names and records
run burrow run --name keepme $IMG true
assert_rc 0 "run without --rm"
n=$(grep -lE '"name": ?"keepme"' "$BURROW_ROOT"/containers/*/config.json 2>/dev/null | wc -l)
assert_eq "$n" "1" "keeps the container record"
run burrow run --rm --name keepme $IMG true
assert_rc 125 "a name in use fails with 125"
assert_match "$err" "already in use" "and says the name is in use"
run burrow run --rm --name 'bad name!' $IMG true
assert_rc 125 "an invalid name fails with 125"
# an attached run leaves a spare record directory, which the next create takes
# (named by the umask it was made under, with the layer's directories)
spare=$BURROW_ROOT/containers/.spare-$(printf '%03o' "$(($(umask)))")
if [ "${BURROW_SPARE_CTRDIR-}" != 0 ]; then
	assert_true "an attached run leaves a spare record directory" test -d "$spare"
	assert_true "with the layer's upper directory" test -d "$spare/upper"
	assert_true "and its work directory" test -d "$spare/work"
	ino=$(stat -c %i "$spare")
	run burrow create $IMG true
	assert_rc 0 "create with a spare record directory"
	assert_eq "$(stat -c %i "$BURROW_ROOT/containers/$out")" "$ino" "the create takes the spare as its record directory"
	assert_false "and leaves none" test -e "$spare"
	assert_eq "$(stat -c %a "$BURROW_ROOT/containers/$out/upper")" "$(printf '%o' "$((0755 & ~$(umask)))")" "its upper directory has the mode a mkdir gives it"
	assert_eq "$(burrow ps -a -q --no-trunc | grep -c "$out")" 1 "ps lists the container"
	burrow rm "$out" >/dev/null
	burrow run --rm $IMG true
	mask=$(umask)
	umask 077
	run burrow create $IMG true
	umask "$mask"
	assert_true "a create under another umask leaves the spare alone" test -d "$spare"
	burrow rm "$out" >/dev/null
	rm -rf "$spare"
else
	skip "BURROW_SPARE_CTRDIR=0: no spare record directory"
fi
run env BURROW_SPARE_CTRDIR=0 "$BURROW" run --rm $IMG true
assert_rc 0 "BURROW_SPARE_CTRDIR=0: a run"
assert_false "makes no spare record directory" test -e "$spare"

# --- nothing is left after --rm
left=$(ls "$BURROW_RUNROOT/containers" 2>/dev/null | wc -l)
assert_eq "$left" "0" "no runtime state is left"
left=$(grep -LE '"name": ?"keepme"' "$BURROW_ROOT"/containers/*/config.json 2>/dev/null | wc -l)
assert_eq "$left" "0" "only the kept container's record is left"
assert_eq "$(pgrep -u "$(id -u)" -c fuse-overlayfs)" "0" "no fuse-overlayfs is left"

done_testing
