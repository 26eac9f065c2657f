#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by tap.sh's run
# burrow info: the human report and the JSON object, the single-ID map
# forced with BURROW_IDMAP=single, and the real no-subuid fallback.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"

[ "$(id -u)" != 0 ] || skip_all "run as an unprivileged user (make check does)"
perl -MJSON::PP -e 1 2>/dev/null || skip_all "perl JSON::PP is needed to check the JSON"
fixture_store

# jq-like: jget EXPR reads JSON on stdin, prints the perl expression over $j
jget() {
	perl -MJSON::PP -e 'my $j = decode_json(join "", <STDIN>); my $v = eval $ARGV[0];
		die $@ if $@; print defined $v ? (ref $v eq "JSON::PP::Boolean" ? ($v ? "true" : "false") : $v) : "null"' "$1"
}

me=$(id -un)
uid=$(id -u)
# first subordinate uid range of this user, "START COUNT", or empty
subuid=$(awk -F: -v u="$me" -v n="$uid" '($1 == u || $1 == n) && $3 > 0 { print $2, $3; exit }' /etc/subuid)
subgid=$(awk -F: -v u="$me" -v n="$uid" '($1 == u || $1 == n) && $3 > 0 { print $2, $3; exit }' /etc/subgid)

# --- human report -----------------------------------------------------------------
run burrow info
assert_rc 0 "info exits 0"
assert_match "$out" "^burrow [0-9]" "report starts with the version"
for s in host store idmap checks; do
	assert_match "$out" "^$s\$" "report has a \"$s\" section"
done
assert_match "$out" "root +$BURROW_ROOT " "report shows the store root"
assert_match "$out" "runroot +$BURROW_RUNROOT\$" "report shows the runroot"
assert_match "$out" "kernel +$(uname -r) " "report shows the kernel"
assert_match "$out" "^  (ok|warn|FAIL) +userns " "report has the userns check"
assert_match "$out" "^  (ok|warn|FAIL) +overlay " "report has the overlay check"
assert_match "$out" "^  (ok|warn|FAIL) +cgroup " "report has the cgroup check"
assert_match "$out" "[0-9]+ ok, [0-9]+ warnings?, [0-9]+ failures?\$" "report ends with a summary"
nofix=$(printf '%s\n' "$out" | awk '/^  (warn|FAIL) / { want = $2; next }
	want != "" { if ($0 !~ /^ +fix: /) print want; want = "" }
	END { if (want != "") print want }')
assert_eq "$nofix" "" "every warn/FAIL line is followed by a fix: line"
assert_false "the probe leaves nothing in the store root" \
	sh -c 'ls -A "$BURROW_ROOT" | grep -q info-probe'

run burrow info extra
assert_rc 125 "an argument is a usage error (125)"
run burrow info --format yaml
assert_rc 125 "an unknown format is a usage error (125)"
assert_match "$err" "^burrow: error: unknown --format" "... with a message"
run burrow info --help
assert_rc 0 "--help exits 0"
assert_match "$out" "--format" "--help lists --format"

# --- JSON -------------------------------------------------------------------------
run burrow info --format json
assert_rc 0 "info --format json exits 0"
json=$out
assert_true "the output is one valid JSON object" \
	sh -c 'printf "%s" "$1" | perl -MJSON::PP -e "ref(decode_json(join q(), <STDIN>)) eq q(HASH) or exit 1"' _ "$json"
j() { printf '%s' "$json" | jget "$1"; }
assert_eq "burrow version $(j '$j->{version}')" "$(burrow version)" "version matches burrow version"
assert_eq "$(j '$j->{host}{kernel}')" "$(uname -r)" "host.kernel"
assert_match "$(j '$j->{host}{cgroupVersion}')" '^(v1|v2|hybrid|none)$' "host.cgroupVersion is v1, v2, hybrid or none"
case $(stat -fc %T /sys/fs/cgroup 2>/dev/null) in
cgroup2fs) want=v2 ;;
tmpfs) if [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then want=hybrid; else want=v1; fi ;;
*) want=none ;;
esac
assert_eq "$(j '$j->{host}{cgroupVersion}')" "$want" "host.cgroupVersion matches /sys/fs/cgroup"
assert_eq "$(j '$j->{store}{root}')" "$BURROW_ROOT" "store.root is BURROW_ROOT"
assert_eq "$(j '$j->{store}{rootSource}')" "BURROW_ROOT" "store.rootSource says where it came from"
assert_eq "$(j '$j->{store}{runroot}')" "$BURROW_RUNROOT" "store.runroot is BURROW_RUNROOT"
assert_eq "$(j '$j->{store}{fsMagic}')" "0x$(stat -fc %t "$BURROW_ROOT")" "store.fsMagic is the statfs type of the root"
assert_match "$(j '$j->{store}{overlayInUse}')" '^(kernel|fuse-overlayfs|null)$' "store.overlayInUse"
assert_eq "$(j 'scalar @{$j->{checks}} > 5 ? 1 : 0')" 1 "checks is a non-empty array"
bad=$(j 'join ",", map { $_->{name} } grep { $_->{status} !~ /^(ok|warn|fail)$/ || !length $_->{detail} ||
	($_->{status} eq "ok") != !defined $_->{fix} } @{$j->{checks}}')
assert_eq "$bad" "" "each check has a status, a detail, and a fix exactly when not ok"
assert_eq "$(j '$j->{summary}{ok} + $j->{summary}{warn} + $j->{summary}{fail} == @{$j->{checks}} ? 1 : 0')" 1 \
	"summary counts add up"
assert_eq "$(j '$j->{idmap}{uids}[0]{container} . ":" . $j->{idmap}{uids}[0]{host}')" "0:$uid" \
	"idmap maps container root to the user"
if [ -n "$subuid" ] && [ -n "$subgid" ]; then
	assert_eq "$(j '$j->{idmap}{single}')" false "idmap.single is false with a subordinate range"
	assert_eq "$(j '$j->{idmap}{uids}[1]{host} . " " . $j->{idmap}{uids}[1]{size}')" "$subuid" \
		"idmap.uids[1] is the range in /etc/subuid"
	assert_eq "$(j '$j->{idmap}{gids}[1]{host} . " " . $j->{idmap}{gids}[1]{size}')" "$subgid" \
		"idmap.gids[1] is the range in /etc/subgid"
	assert_eq "$(j '(grep { $_->{name} eq "subordinate-ids" } @{$j->{checks}})[0]{status}')" ok \
		"subordinate-ids check is ok"
	assert_eq "$(j '$j->{idmap}{buildRootEmulation}')" false \
		"with subordinate IDs builds need no root emulation (idmap.buildRootEmulation false)"
	assert_eq "$(j 'scalar grep { $_->{name} eq "root-emulation" } @{$j->{checks}}')" 0 \
		"... and there is no root-emulation check"
else
	assert_eq "$(j '$j->{idmap}{single}')" true "idmap.single is true without a subordinate range"
	skip "no subordinate uid range for $me"
	skip "no subordinate gid range for $me"
	skip "no subordinate range for $me"
	skip "no subordinate range for $me"
	skip "no subordinate range for $me"
fi

# --- BURROW_IDMAP=single ----------------------------------------------------------
run env BURROW_IDMAP=single "$BURROW" info --format json
assert_rc 0 "BURROW_IDMAP=single info exits 0"
json=$out
assert_eq "$(j '$j->{idmap}{single}')" true "BURROW_IDMAP=single: idmap.single"
assert_eq "$(j 'scalar @{$j->{idmap}{uids}} . " " . $j->{idmap}{uids}[0]{host} . " " . $j->{idmap}{uids}[0]{size}')" \
	"1 $uid 1" "BURROW_IDMAP=single: one uid, the user's own"
assert_eq "$(j '(grep { $_->{name} eq "subordinate-ids" } @{$j->{checks}})[0]{status}')" warn \
	"BURROW_IDMAP=single: subordinate-ids warns"
assert_match "$(j '(grep { $_->{name} eq "subordinate-ids" } @{$j->{checks}})[0]{fix}')" "BURROW_IDMAP" \
	"BURROW_IDMAP=single: the fix names BURROW_IDMAP"
assert_eq "$(j '(grep { $_->{name} eq "userns" } @{$j->{checks}})[0]{status}')" ok \
	"BURROW_IDMAP=single: the userns probe works with the single-ID map"
assert_eq "$(j '$j->{idmap}{buildRootEmulation}')" true "BURROW_IDMAP=single: idmap.buildRootEmulation"
assert_eq "$(j '(grep { $_->{name} eq "root-emulation" } @{$j->{checks}})[0]{status}')" ok \
	"BURROW_IDMAP=single: the root-emulation filter loads here"
run env BURROW_IDMAP=single "$BURROW" info
assert_match "$out" "single ID \\(root only\\)" "BURROW_IDMAP=single: the report says single ID (root only)"
assert_match "$out" "^  ok +root-emulation +.burrow build. runs RUN steps with root emulation by default" \
	"BURROW_IDMAP=single: the report explains root emulation for builds"
assert_match "$out" "chown, setuid/setgid, setgroups and mknod of devices succeed without effect" \
	"... what it does"
assert_match "$out" "disable it with --userns-emulation=off" "... and how to turn it off"

# --- the real no-subuid path ------------------------------------------------------
# A user without a subordinate range: root inside `unshare -r` (util-linux) has
# none unless /etc/subuid lists root, and its map is the single ID 0 -> 0.
if grep -q '^root:' /etc/subuid /etc/subgid 2>/dev/null; then
	for _ in 1 2 3; do skip "root has a subordinate range here: no user without one to try"; done
elif ! unshare -r true 2>/dev/null; then
	for _ in 1 2 3; do skip "util-linux unshare -r does not work here"; done
else
	run unshare -r "$BURROW" info
	assert_rc 0 "no-subuid user: info exits 0"
	assert_match "$out" "single-ID fallback in use: containers run with a single ID \\(root only\\)" \
		"no-subuid user: the report says the single-ID fallback is in use"
	assert_match "$out" "fix: as root run \`usermod --add-subuids [0-9]+-[0-9]+ --add-subgids [0-9]+-[0-9]+ root\`" \
		"no-subuid user: the fix is the usermod command"
fi

done_testing
