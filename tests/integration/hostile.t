#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# Hostile tarballs through the real binary: nothing may be created or
# changed outside the layer root.  The archives are built with perl's
# Archive::Tar, which writes whatever names and link targets it is given.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
perl -MArchive::Tar -e 1 2>/dev/null || skip_all "perl Archive::Tar is missing"
fixture_store
T=$FIXTURE_DIR
R=$BURROW_ROOT
S=$T/outside             # the sentinel tree
mkdir -p "$S/dir"
echo original >"$S/victim"

# mktar OUT < lines "TYPE NAME [ARG]": f file (ARG = content), d dir,
# l symlink, h hardlink (ARG = target), c char device (ARG = major:minor),
# p fifo
mktar() {
	perl -MArchive::Tar -MArchive::Tar::Constant -e '
		my $t = Archive::Tar->new;
		while (<STDIN>) {
			chomp; next unless length;
			my ($type, $name, $arg) = split / /, $_, 3;
			my %o = (uid => 0, gid => 0, mtime => 1000000000);
			if ($type eq "f") { $t->add_data($name, $arg // "", { %o, mode => 0644 }) }
			elsif ($type eq "d") { $t->add_data($name, "", { %o, type => DIR, mode => 0755 }) }
			elsif ($type eq "l") { $t->add_data($name, "", { %o, type => SYMLINK, linkname => $arg, mode => 0777 }) }
			elsif ($type eq "h") { $t->add_data($name, "", { %o, type => HARDLINK, linkname => $arg, mode => 0644 }) }
			elsif ($type eq "c") { my ($ma, $mi) = split /:/, $arg;
				$t->add_data($name, "", { %o, type => CHARDEV, devmajor => $ma, devminor => $mi, mode => 0666 }) }
			elsif ($type eq "p") { $t->add_data($name, "", { %o, type => FIFO, mode => 0644 }) }
		}
		$t->write($ARGV[0]) or die $t->error;' "$1"
}

state() { (cd "$S" && find . -printf '%p %y %m %s %n\n' | sort && cat victim) | cksum; }
clean=$(state)
ntar=0

# hostile WANT DESC < spec: import it; WANT is ok or fail
hostile() {
	_want=$1 _desc=$2
	ntar=$((ntar + 1))
	mktar "$T/h$ntar.tar"
	run burrow import "$T/h$ntar.tar" "hostile:$ntar"
	if [ "$_want" = ok ]; then assert_rc 0 "$_desc: imported"; else assert_rc 125 "$_desc: refused"; fi
	assert_eq "$(state)" "$clean" "$_desc: nothing outside the root changed"
	layer=$R/layers/$(sha256sum <"$T/h$ntar.tar" | cut -d' ' -f1)/diff
}

hostile fail "traversal ../../x" <<EOF2
f ../../x evil
EOF2
assert_match "$err" 'points outside the layer root' "  the error says why"
assert_eq "$(find "$R/layers" -mindepth 1 -maxdepth 1 | wc -l)" 0 "  no layer or scratch dir is left"

hostile ok "absolute path into the sentinel" <<EOF2
f $S/new evil
f $S/victim pwned
EOF2
assert_eq "$(cat "$layer$S/victim" 2>/dev/null)" "pwned" "  the absolute names land inside the layer"

hostile fail "symlink to the sentinel, then a file through it" <<EOF2
l evil $S
f evil/new pwned
EOF2

hostile ok "relative symlink escape a -> ../../.., then a/x" <<EOF2
l a ../../../../../../..
f a/x inside
EOF2
assert_eq "$(cat "$layer/x" 2>/dev/null)" "inside" "  a/x is clamped to the layer root"

hostile ok "symlink to the victim, then a file of the same name" <<EOF2
l s $S/victim
f s pwned
EOF2
assert_true "  the file replaced the symlink" test -f "$layer/s" -a ! -L "$layer/s"

hostile ok "a directory over a symlink to the sentinel" <<EOF2
l d $S/dir
d d
f d/new inside
EOF2
assert_true "  the directory replaced the symlink" test -d "$layer/d" -a ! -L "$layer/d"

hostile fail "hardlink to an absolute host file" <<EOF2
h h $S/victim
EOF2
assert_eq "$(stat -c %h "$S/victim")" 1 "  the host file has one link"

hostile fail "hardlink to /etc/passwd" <<EOF2
h h /etc/passwd
EOF2

hostile fail "hardlink to ../outside/victim" <<EOF2
h h ../outside/victim
EOF2

hostile fail "hardlink through a symlink to the sentinel" <<EOF2
l s $S
h h s/victim
EOF2

hostile ok "devices are skipped, whiteouts translated" <<EOF2
d dev
c dev/null 1:3
c dev/zero 1:5
c dev/sda 8:0
d w
f w/.wh.gone
f w/.wh..wh..opq
EOF2
assert_eq "$(echo "$err" | grep -c 'warning')" 1 "  one warning for all skipped devices"
assert_match "$err" 'skipped 3 device nodes' "  counting them"
assert_true "  no device node was made" test ! -e "$layer/dev/null"
assert_eq "$(stat -c '%F %t:%T' "$layer/w/gone" 2>/dev/null)" "character special file 0:0" \
	"  .wh.gone became an overlay whiteout"
if command -v getfattr >/dev/null; then
	assert_match "$(getfattr -n user.overlay.opaque --only-values "$layer/w" 2>/dev/null)" '^y$' \
		"  .wh..wh..opq became user.overlay.opaque=y"
else
	skip "getfattr is not installed"
fi

run burrow images -q
assert_eq "$(echo "$out" | grep -c .)" 5 "only the five accepted archives became images"

# load: a FIFO named as the config or as a layer in manifest.json must be
# refused, not opened (an open of a FIFO waits for a writer for ever)
cfg='{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:'$(printf '%064d' 7)'"]}}'
layers_before=$(find "$R/layers" -mindepth 1 -maxdepth 1 | wc -l)
for what in config layer; do
	if [ $what = config ]; then
		mktar "$T/fifo-$what.tar" <<EOF2
f manifest.json [{"Config":"cfg.json","RepoTags":["fifo:$what"],"Layers":["l.tar"]}]
p cfg.json
f l.tar
EOF2
	else
		mktar "$T/fifo-$what.tar" <<EOF2
f manifest.json [{"Config":"cfg.json","RepoTags":["fifo:$what"],"Layers":["l.tar"]}]
f cfg.json $cfg
p l.tar
EOF2
	fi
	run timeout 60 "$BURROW" load -i "$T/fifo-$what.tar"
	assert_rc 125 "load: a FIFO as the $what is refused (no hang)"
	assert_eq "$(printf '%s\n' "$err" | grep -c .)" 1 "  with one line"
	assert_match "$err" "not a regular file" "  that says why"
	run burrow images -q
	assert_eq "$(echo "$out" | grep -c .)" 5 "  and no image was added"
	assert_eq "$(find "$R/layers" -mindepth 1 -maxdepth 1 | wc -l)" "$layers_before" \
		"  nor a layer or a scratch directory"
done
done_testing
