#!/bin/sh
# shellcheck disable=SC2154,SC2016 # $out, $err, $rc come from tap.sh; quoted $ are for the container
# Package installs in a Debian image made by debootstrap (the cached fixture
# of tests/lib/debian-fixture.sh): apt-get install of a local .deb built with
# dpkg-deb, whose postinst chowns files and adds a user, then useradd.
#
#  - burrow run, with subordinate IDs: it just works;
#  - burrow run, single-ID map: it fails (apt's setgroups, the postinst's
#    chown), which is what root emulation (src/lib/runtime/rootemu.h) is for;
#  - burrow build, with subordinate IDs and with the single-ID map under root
#    emulation (the default there): both succeed and the image runs;
#    --userns-emulation=off with the single-ID map fails cleanly (125, the
#    step named) and tags nothing.
#
# The single-ID map gets a store of its own: layers unpacked with
# subordinate IDs belong to IDs that map does not have.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"

[ "$(id -u)" != 0 ] || skip_all "run as an unprivileged user (make check does)"
command -v dpkg-deb >/dev/null 2>&1 || skip_all "dpkg-deb is needed to build the test package"
fixture_store
fixture_debian local/debian:12
IMG=local/debian:12

# the single-ID map, with its own store
SROOT=$FIXTURE_DIR/root-single SRUN=$FIXTURE_DIR/run-single
single() { env BURROW_IDMAP=single BURROW_ROOT="$SROOT" BURROW_RUNROOT="$SRUN" "$BURROW" "$@"; }
_e=$(single import "$(fixture_debian_tar)" $IMG 2>&1 >/dev/null) ||
	bail_out "cannot import the Debian fixture with the single-ID map: $_e"

# the package, alone in a directory _apt can read (apt downloads as _apt)
debdir=$FIXTURE_DIR/deb
mkdir -p "$debdir"
chmod 0755 "$debdir"
deb=$(fixture_deb "$debdir" x)
debname=${deb##*/}

if [ "$(burrow run --rm $IMG cat /proc/self/uid_map | wc -l)" -ge 2 ]; then
	subids=1
else
	subids=
fi

# --- burrow run -----------------------------------------------------------------
check_installed='ls -ln /usr/share/x; cat /usr/share/x/hello; id -u x >/dev/null && echo user-x'
if [ -n "$subids" ]; then
	run burrow run --rm -v "$debdir:/deb:ro" $IMG sh -c \
		"apt-get install -y /deb/$debname >/dev/null && $check_installed"
	assert_rc 0 "subordinate IDs: apt-get install of a local .deb works in a container"
	assert_match "$out" "^hello from x$" "the package's file is there"
	assert_match "$out" " 1 +1 .* owned$" "the postinst gave /usr/share/x/owned to daemon (1:1)"
	assert_match "$out" "^user-x$" "and added its system user"
else
	for _ in 1 2 3 4; do skip "no subordinate IDs for $(id -un)"; done
fi

run single run --rm -v "$debdir:/deb:ro" $IMG apt-get install -y "/deb/$debname"
assert_ne "$rc" 0 "single-ID map without emulation: apt-get install fails"
assert_match "$out$err" "setgroups|seteuid|Operation not permitted|Invalid argument" \
	"... on the ID switches only root emulation can fake"
run single run --rm $IMG sh -c 'echo "${APT_CONFIG:-none}"; ls /dev/.burrow-apt.conf 2>&1'
assert_match "$out" "^none
.*No such file" "burrow run leaves apt's configuration alone"

# --- burrow build ---------------------------------------------------------------
ctx=$FIXTURE_DIR/ctx
mkdir -p "$ctx"
cp "$deb" "$ctx/x.deb"
cat >"$ctx/Dockerfile" <<EOF
FROM $IMG
WORKDIR /tmp
COPY x.deb ./
RUN apt-get install -y ./x.deb && useradd -m alice && id alice && ls -l /usr/share/x/hello
EOF
NBUILD=15
if ! "$BURROW" build --help >/dev/null 2>&1; then
	for _ in $(seq $NBUILD); do skip "burrow build is not there yet"; done
	done_testing
fi

check_image='cat /usr/share/x/hello; id alice; id -u x >/dev/null && echo user-x; stat -c %u:%g /usr/share/x/owned; test -d /home/alice && echo home'
if [ -n "$subids" ]; then
	run burrow build -t local/app:sub -f "$ctx/Dockerfile" "$ctx"
	assert_rc 0 "subordinate IDs: the build succeeds"
	assert_match "$out" "uid=1000\\(alice\\)" "RUN installed the package and added alice"
	assert_match "$out" "/usr/share/x/hello" "... and listed the file"
	run burrow run --rm local/app:sub sh -c "$check_image"
	assert_rc 0 "the built image runs"
	assert_match "$out" "^hello from x
uid=1000\\(alice\\) gid=1000\\(alice\\) groups=1000\\(alice\\)
user-x
1:1
home$" "the file, alice, the package's user, daemon's file and alice's home are in the image"
else
	for _ in 1 2 3 4 5; do skip "no subordinate IDs for $(id -un)"; done
fi

run single build -t local/app:emu -f "$ctx/Dockerfile" "$ctx"
assert_rc 0 "single-ID map: the build succeeds with root emulation (the default)"
assert_match "$out" "uid=1000\\(alice\\)" "RUN installed the package and added alice"
assert_match "$out" "/usr/share/x/hello" "... and listed the file"
run single run --rm local/app:emu sh -c "$check_image"
assert_rc 0 "the image built with emulation runs"
assert_match "$out" "^hello from x
uid=1000\\(alice\\) gid=1000\\(alice\\) groups=1000\\(alice\\)
user-x
0:0
home$" "the file, alice and the package's user are there; the faked chown left owned at 0:0"
run single run --rm local/app:emu sh -c 'echo "${APT_CONFIG:-none}"; cat /etc/apt/apt.conf.d/* | grep -c Sandbox'
assert_match "$out" "^none
0$" "the emulation's apt setting did not end up in the image"

# no --no-cache: the emulated build above cached this step, and a step
# run without emulation must not reuse it
run single build --userns-emulation=off -t local/app:off -f "$ctx/Dockerfile" "$ctx"
assert_rc 125 "single-ID map, --userns-emulation=off: the build fails with 125"
assert_match "$err" "RUN apt-get install -y ./x.deb" "the error names the failing step"
assert_match "$out$err" "setgroups|seteuid|Operation not permitted|Invalid argument" \
	"and the output shows why"
run single images --format json
assert_no_match "$out" "local/app:off" "the failed build tagged nothing"
done_testing
