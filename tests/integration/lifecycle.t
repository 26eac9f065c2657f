#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# The container lifecycle: run -d, ps, logs, exec, inspect, top, diff, port,
# stop, start, restart, kill, wait, rename, create, rm, and the bad inputs.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1

status_is() { [ "$(burrow inspect --format '{{.State.Status}}' "$1")" = "$2" ]; }

# --- run -d
run burrow run -d --name web $IMG sh -c 'echo to-out; echo to-err >&2; exec sleep 1000'
assert_rc 0 "run -d exits 0"
id=$out
assert_match "$id" '^[0-9a-f]{64}$' "run -d prints the full ID"
assert_eq "$(burrow inspect --format '{{.State.Status}}' web)" running "the container is running when run -d returns"
mon=$(burrow inspect --format '{{.State.ConmonPid}}' web)
assert_true "the supervisor is alive" kill -0 "$mon"
assert_eq "$(burrow inspect --format '{{.Id}}' "$(printf %.8s "$id")")" "$id" "lookup by ID prefix"
assert_eq "$(burrow inspect --format '{{.Name}}' "$id")" web "lookup by full ID"

# --- ps
run burrow ps
assert_match "$out" "CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES" "ps prints the table header"
assert_match "$out" "$(printf %.12s "$id") +localhost/$IMG .* Up .* web" "ps lists the running container"
run burrow ps -q
assert_eq "$out" "$(printf %.12s "$id")" "ps -q prints the short ID"
run burrow ps -q --no-trunc
assert_eq "$out" "$id" "ps -q --no-trunc prints the full ID"
run burrow ps --format json
assert_match "$out" '"Names": \[' "ps --format json is podman-like JSON"
assert_match "$out" '"State": "running"' "ps --format json has the state"
run burrow ps --format '{{.Names}} {{.State}}'
assert_eq "$out" "web running" "ps --format takes a template"
run burrow ps --filter name=^we
assert_match "$out" "web" "ps --filter name= matches"
run burrow ps --filter name=nope -q
assert_eq "$out" "" "ps --filter name= filters out"
run burrow ps --filter ancestor=$IMG -q
assert_eq "$out" "$(printf %.12s "$id")" "ps --filter ancestor= matches by image name"
run burrow ps --filter status=exited -q
assert_eq "$out" "" "ps --filter status=exited leaves out running containers"

# --- logs
assert_true "the log holds stdout and stderr" poll sh -c "'$BURROW' logs web 2>&1 | grep -q to-err"
run burrow logs web
assert_eq "$out" "to-out" "logs prints stdout on stdout"
assert_eq "$err" "to-err" "logs prints stderr on stderr"
run burrow logs --timestamps web
assert_match "$out" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z to-out$' "logs --timestamps prefixes the time"
run burrow logs --tail 1 web
assert_eq "$out$err" "to-err" "logs --tail 1 prints the last line only"
run burrow logs --since 1h web
assert_eq "$out" "to-out" "logs --since 1h keeps recent lines"
run burrow logs --since 2099-01-01T00:00:00Z web
assert_eq "$out$err" "" "logs --since in the future prints nothing"
log=$(ls "$BURROW_ROOT"/containers/"$id"/log)
assert_match "$(head -n1 "$log")" '^[0-9T:.-]+Z stdout F to-out$' "the log file is in k8s-file format"

# --- exec
run burrow exec web sh -c 'echo in-exec; cat /etc/hostname'
assert_rc 0 "exec exits 0"
assert_eq "$out" "in-exec
$(printf %.12s "$id")" "exec runs inside the container"
run burrow exec web sh -c 'exit 42'
assert_rc 42 "exec returns the command's exit code"
run burrow exec -e X=1 -w /tmp -u 1000 web sh -c 'echo $X $(pwd) $(id -u)'
assert_eq "$out" "1 /tmp 1000" "exec -e -w -u"
run burrow exec web readlink /proc/1/exe
assert_eq "$out" "/bin/busybox" "exec sees the container's PID 1"
run burrow exec web sh -c 'echo $$'
assert_ne "$out" "" "exec gets a pid inside the PID namespace"
[ "${out:-99999}" -lt 1000 ] && ok "exec is a child of the container's PID namespace" || not_ok "exec pid $out"
run burrow exec web nosuchcmd
assert_rc 127 "exec of a missing command exits 127"
run burrow exec -d web sh -c 'echo detached > /tmp/d'
assert_rc 0 "exec -d exits 0"
assert_true "exec -d ran the command" poll sh -c "'$BURROW' exec web cat /tmp/d | grep -q detached"
run burrow exec --privileged=false web sh -c 'grep CapEff /proc/self/status'
assert_match "$out" "CapEff:.*00000000a80425fb" "exec keeps the container's capabilities"
run_in "piped" burrow exec -i web cat
assert_eq "$out" "piped" "exec -i passes stdin"
# an fd burrow inherits (here one on the host's /) must not reach the command
run burrow exec web sh -c 'test -e /proc/self/fd/7 && echo leaked || echo closed' 7</
assert_eq "$out" "closed" "exec passes no inherited fd above 2 into the container"

# one setns on a pidfd of the init, and the fallback (one namespace at a
# time, and a move into the cgroup even when already there): the same
# namespaces as the init's either way
nsof() { echo "for n in mnt pid net uts ipc cgroup user; do readlink /proc/$1/ns/\$n; done"; }
want=$(burrow exec web sh -c "$(nsof 1)")
assert_match "$want" "user:\\[" "the init's namespaces, read by exec"
for o in 1 0; do
	run env BURROW_EXEC_PIDFD=$o BURROW_EXEC_CGROUP_SKIP=$o "$BURROW" exec web sh -c "$(nsof self)"
	assert_rc 0 "BURROW_EXEC_PIDFD=$o: exec exits 0"
	assert_eq "$out" "$want" "BURROW_EXEC_PIDFD=$o: exec is in each of the init's namespaces"
done

# --- top, inspect, diff, port
run burrow top web
assert_match "$out" "USER +PID +PPID" "top prints a ps-style header"
assert_match "$out" "0 +1 +0 .*sleep 1000" "top lists PID 1 with its container PID"
run burrow inspect web
assert_match "$out" '"Status": "running"' "inspect shows State.Status"
assert_match "$out" '"Pid": [1-9]' "inspect shows State.Pid"
assert_match "$out" '"RestartPolicy"' "inspect has HostConfig.RestartPolicy"
assert_match "$out" '"Ports": \{' "inspect has NetworkSettings.Ports"
run burrow inspect --format '{{.State.Running}} {{.Config.Hostname}}' web
assert_eq "$out" "true $(printf %.12s "$id")" "inspect --format takes dotted paths"
run burrow inspect --format '{{json .State.Running}}' web
assert_eq "$out" "true" "inspect --format json action"
burrow exec web sh -c 'echo x > /newfile; echo y >> /etc/passwd; rm /bin/vi' >/dev/null
run burrow diff web
assert_match "$out" "A /newfile" "diff: A for an added file"
assert_match "$out" "C /etc/passwd" "diff: C for a changed file"
assert_match "$out" "D /bin/vi" "diff: D for a deleted file"
assert_match "$out" "C /etc" "diff: C for a changed directory"
run burrow port web
assert_rc 0 "port exits 0"
assert_eq "$out" "" "port prints nothing without a published port"

# --- bad input
run burrow inspect nosuch
assert_rc 125 "an unknown container exits 125"
assert_eq "$err" 'burrow: error: inspecting object: no such object: "nosuch"' "an unknown container: one line, podman's"
run burrow run -d --name web $IMG true
assert_rc 125 "a duplicate name exits 125"
assert_match "$err" '^burrow: error: the container name "web" is already in use by' "a duplicate name: docker's message"
run burrow run -d --name 'bad/name' $IMG true
assert_rc 125 "an invalid name exits 125"
assert_match "$err" 'invalid container name' "an invalid name is named"
run burrow inspect --format '{{.State.Nope}}' web
assert_rc 125 "an unknown field in --format exits 125"
assert_eq "$(printf '%s\n' "$err" | wc -l)" 1 "a bad --format is one line"
run burrow inspect --format '{{.State.Status' web
assert_rc 125 "a malformed --format exits 125"
run burrow ps --format '{{range .}}'
assert_rc 125 "an unsupported ps --format exits 125"
run burrow ps --filter bogus=1
assert_rc 125 "an unknown ps filter exits 125"
run burrow rm web
assert_rc 125 "rm of a running container exits 125"
assert_match "$err" "cannot remove container $id as it is running" "rm of a running container: podman's message"
run burrow run -d --restart sometimes $IMG true
assert_rc 125 "a bad --restart exits 125"
run burrow run -d --log-opt max-size=lots $IMG true
assert_rc 125 "a bad --log-opt exits 125"
n_before=$(ls "$BURROW_ROOT/containers" | wc -l)
run burrow run -d --health-interval 5 --health-cmd true --health-retries x $IMG true
assert_rc 125 "a bad --health-retries exits 125"
assert_eq "$(ls "$BURROW_ROOT/containers" | wc -l)" "$n_before" "bad input leaves no record"

# --- kill, stop, wait
# PID 1 of a PID namespace gets only the signals it handles: the kernel
# drops the HUP that sleep does not handle.  (A delivered HUP would have
# killed it before kill(2) returned to burrow; the exec below gives the exit
# time to show.)
webpid=$(burrow inspect --format '{{.State.Pid}}' web)
webstart=$(sed 's/.*) //' "/proc/$webpid/stat" | cut -d' ' -f20)
run burrow kill -s HUP web
assert_rc 0 "kill -s HUP exits 0"
run burrow exec web true
assert_rc 0 "exec still works after the HUP"
assert_eq "$(sed 's/.*) //' "/proc/$webpid/stat" 2>/dev/null | cut -d' ' -f1,20)" "S $webstart" \
	"sleep as PID 1 ignores an unhandled HUP: the same process sleeps on"
assert_true "and the container is running" status_is web running
burrow run -d --name sig $IMG /sbin/testinit sigwait >/dev/null
assert_true "testinit is waiting" poll sh -c "'$BURROW' logs sig | grep -q ready"
run burrow kill -s HUP sig
assert_rc 0 "kill -s HUP a waiting process"
run burrow wait sig
assert_eq "$out" "0" "wait prints the exit code"
assert_true "the signal reached PID 1" poll sh -c "'$BURROW' logs sig | grep -q HUP"
assert_true "the stopped container is exited" status_is sig exited
run burrow kill sig
assert_rc 125 "kill of a stopped container exits 125"
assert_match "$err" "can only kill running containers" "kill of a stopped container: podman's message"
run burrow exec sig true
assert_rc 125 "exec on a stopped container exits 125"
assert_match "$err" "can only create exec sessions on running containers" "exec on a stopped container: podman's message"

start=$(date +%s)
run burrow stop -t 1 web
end=$(date +%s)
assert_rc 0 "stop -t 1 exits 0"
assert_eq "$out" "web" "stop prints the name"
# at least the 1 s grace, and well under the default 10 s (a loaded machine
# adds seconds)
took=$((end - start))
assert_true "stop -t 1 of a process ignoring SIGTERM takes about 1 s ($took s)" \
	sh -c "[ $took -ge 1 ] && [ $took -le 8 ]"
assert_eq "$(burrow inspect --format '{{.State.ExitCode}}' web)" 137 "SIGKILL after the timeout: 137"
assert_true "the supervisor is gone after stop" gone "$mon"
run burrow stop web
assert_rc 0 "stopping a stopped container is not an error"

# --- start, restart
run burrow start web
assert_rc 0 "start exits 0"
assert_true "start runs it again" status_is web running
assert_eq "$(burrow exec web cat /newfile)" "x" "the container keeps its files across a restart"
run burrow restart -t 0 web
assert_rc 0 "restart exits 0"
assert_true "restart leaves it running" status_is web running
pid1=$(burrow inspect --format '{{.State.Pid}}' web)
assert_ne "$pid1" 0 "restart gives a new PID 1"

# --- create, start -a, rename
run burrow create --name job $IMG sh -c 'echo created-ran; exit 3'
assert_rc 0 "create exits 0"
assert_match "$out" '^[0-9a-f]{64}$' "create prints the ID"
assert_true "a created container is created" status_is job created
run burrow start -a job
assert_rc 3 "start -a returns the exit code"
assert_eq "$out" "created-ran" "start -a shows the output"
run burrow rename job job2
assert_rc 0 "rename exits 0"
assert_eq "$(burrow inspect --format '{{.Name}}' job2)" job2 "rename changes the name"
run burrow rename job2 web
assert_rc 125 "rename to a used name exits 125"
echo hi | burrow create -i --name cat1 $IMG cat >/dev/null
run_in "from-stdin" burrow start -a -i cat1
assert_eq "$out" "from-stdin" "start -a -i passes stdin"

# --- ambiguous prefix
ids=$(burrow ps -aq --no-trunc)
p=""
for a in $ids; do for b in $ids; do
	[ "$a" != "$b" ] && [ "$(printf %.1s "$a")" = "$(printf %.1s "$b")" ] && p=$(printf %.1s "$a")
done; done
if [ -n "$p" ]; then
	run burrow inspect "$p"
	assert_rc 125 "an ambiguous prefix exits 125"
	assert_match "$err" "more than one result for container \"$p\"" "an ambiguous prefix lists the candidates"
else
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17; do burrow create $IMG true >/dev/null; done
	p=$(burrow ps -aq --no-trunc | cut -c1 | sort | uniq -d | head -n1)
	run burrow inspect "$p"
	assert_rc 125 "an ambiguous prefix exits 125"
	assert_match "$err" "more than one result for container \"$p\"" "an ambiguous prefix lists the candidates"
fi

# --- rm -f, rm -a, system prune
run burrow rm -f web
assert_rc 0 "rm -f of a running container exits 0"
assert_eq "$out" "web" "rm prints the container as given, as podman's"
keep=$(burrow run -d $IMG sleep 1000)
kpid=$(burrow inspect --format '{{.State.Pid}}' "$keep")
kmon=$(burrow inspect --format '{{.State.ConmonPid}}' "$keep")
run burrow system prune -f
assert_rc 0 "system prune -f exits 0"
assert_match "$out" "Deleted Containers" "system prune lists what it removed"
assert_eq "$(burrow ps -a -q | wc -l)" 1 "system prune keeps the running container"
run burrow rm -a -f
assert_rc 0 "rm -a -f exits 0"
assert_eq "$(burrow ps -a -q)" "" "rm -a leaves no container"
assert_eq "$(ls "$BURROW_ROOT/containers")" "" "rm -a leaves no record"
assert_eq "$(ls "$BURROW_RUNROOT/containers" 2>/dev/null || true)" "" "rm -a leaves nothing in the runroot"
assert_eq "$(grep -c "$BURROW_RUNROOT" /proc/self/mountinfo)" 0 "nothing is mounted"
left() { _l=; for _p in $kpid $kmon; do gone "$_p" || _l="$_l $_p"; done; echo "$_l"; }
none_left() { [ -z "$(left)" ]; }
poll none_left
assert_eq "$(left)" "" "no process is left (the last container and its supervisor)"
done_testing
