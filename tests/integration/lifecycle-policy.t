#!/bin/sh
# Restart policies, healthchecks and log rotation, all run by the supervisor.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1

# --- on-failure:3 restarts exactly 3 times
burrow run -d --name fail --restart on-failure:3 $IMG sh -c 'echo attempt; exit 3' >/dev/null
run burrow wait fail
assert_eq "$out" 3 "wait returns the last exit code"
assert_eq "$(burrow inspect --format '{{.RestartCount}}' fail)" 3 "on-failure:3 restarts 3 times"
assert_eq "$(burrow logs fail | grep -c attempt)" 4 "the command ran 4 times in all"
assert_eq "$(burrow inspect --format '{{.HostConfig.RestartPolicy.Name}}' fail)" on-failure "inspect shows the policy"

# --- on-failure leaves a success alone
burrow run -d --name okay --restart on-failure $IMG true >/dev/null
run burrow wait okay
assert_eq "$(burrow inspect --format '{{.RestartCount}}' okay)" 0 "on-failure does not restart exit 0"

# --- always, ended by stop
burrow run -d --name loop --restart always $IMG sh -c 'sleep 0.2; exit 1' >/dev/null
i=0
while [ $i -lt 100 ] && [ "$(burrow inspect --format '{{.RestartCount}}' loop)" -lt 2 ]; do sleep 0.1; i=$((i + 1)); done
assert_true "always restarts" [ "$(burrow inspect --format '{{.RestartCount}}' loop)" -ge 2 ]
run burrow stop -t 1 loop
assert_rc 0 "stop ends the policy"
n=$(burrow inspect --format '{{.RestartCount}}' loop)
sleep 0.5
assert_eq "$(burrow inspect --format '{{.State.Status}} {{.RestartCount}}' loop)" "exited $n" "no restart after stop"

# --- healthcheck: unhealthy, then healthy
burrow run -d --name hc --health-cmd 'test -f /ready' --health-interval 0.3s --health-retries 2 $IMG sleep 1000 >/dev/null
hs() { burrow inspect --format '{{.State.Health.Status}}' hc; }
i=0
while [ $i -lt 100 ] && [ "$(hs)" != unhealthy ]; do sleep 0.1; i=$((i + 1)); done
assert_eq "$(hs)" unhealthy "the healthcheck turns unhealthy"
assert_match "$(burrow ps)" "Up .* \(unhealthy\) .*hc" "ps shows (unhealthy)"
run burrow healthcheck run hc
assert_rc 1 "healthcheck run exits 1 when unhealthy"
burrow exec hc touch /ready
run burrow healthcheck run hc
assert_rc 0 "healthcheck run exits 0 when healthy"
i=0
while [ $i -lt 100 ] && [ "$(hs)" != healthy ]; do sleep 0.1; i=$((i + 1)); done
assert_eq "$(hs)" healthy "then healthy"
assert_match "$(burrow ps)" "\(healthy\) .*hc" "ps shows (healthy)"
run burrow inspect --format '{{json .State.Health.Log}}' hc
assert_match "$out" '"ExitCode": ?0' "inspect has State.Health.Log"
run burrow healthcheck run fail
assert_rc 125 "healthcheck run on a container without one exits 125"

# --- log rotation and drivers
burrow run -d --name rot --log-opt max-size=2k --log-opt max-file=3 $IMG \
	sh -c 'i=0; while [ $i -lt 400 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done' >/dev/null
burrow wait rot >/dev/null
id=$(burrow inspect --format '{{.Id}}' rot)
n=$(find "$BURROW_ROOT/containers/$id" -mindepth 1 -maxdepth 1 -name 'log*' | wc -l)
assert_eq "$n" 3 "rotation keeps max-file files"
for f in "$BURROW_ROOT/containers/$id"/log*; do
	[ "$(wc -c <"$f")" -le 2048 ] || not_ok "$f is over max-size"
done
run burrow logs --tail 1 rot
assert_match "$out" "line-399-" "logs reads across rotated files"
burrow run -d --name quiet --log-driver none $IMG echo hidden >/dev/null
burrow wait quiet >/dev/null
run burrow logs quiet
assert_eq "$out" "" "--log-driver none keeps no log"

# --- logs -f follows until the container exits
burrow run -d --name follow $IMG sh -c 'echo first; sleep 0.5; echo second' >/dev/null
run burrow logs -f follow
assert_rc 0 "logs -f ends when the container exits"
assert_eq "$out" "first
second" "logs -f prints what comes later"
burrow rm -a -f >/dev/null
done_testing
