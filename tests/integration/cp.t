#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# burrow cp and export: files in and out of running and stopped
# containers, with podman's destination rules, and never outside the
# container's root.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
t="$FIXTURE_DIR/cp"
mkdir -p "$t/src/sub" "$t/out"
echo hello >"$t/src/file"
echo deep >"$t/src/sub/deep"
ln -s file "$t/src/link"
mkdir "$t/wh"
printf 'whiteout-looking\n' >"$t/wh/.wh.name"

burrow run -d --name c1 $IMG sleep 1000 >/dev/null
incat() { burrow exec c1 cat "$1"; }

# --- into a running container
run burrow cp "$t/src/file" c1:/tmp
assert_rc 0 "cp FILE CTR:DIR"
assert_eq "$(incat /tmp/file)" "hello" "the file lands in the directory"
run burrow exec c1 stat -c %u:%g /tmp/file
assert_eq "$out" "0:0" "owned by the container's user (root)"
run burrow cp "$t/src/file" c1:/tmp/renamed
assert_eq "$(incat /tmp/renamed)" "hello" "cp FILE CTR:NEWNAME names the file"
run burrow cp "$t/src" c1:/tmp
assert_rc 0 "cp DIR CTR:DIR"
assert_eq "$(incat /tmp/src/sub/deep)" "deep" "the directory lands inside, recursively"
run burrow exec c1 readlink /tmp/src/link
assert_eq "$out" "file" "symlinks are copied as symlinks"
run burrow cp "$t/wh/.wh.name" c1:/tmp/
if [ "$rc" = 0 ]; then
	assert_eq "$(incat /tmp/.wh.name)" "whiteout-looking" "a .wh. name is an ordinary file"
else
	# fuse-overlayfs keeps such names for itself
	assert_match "$err" "\.wh\.name" "a .wh. name the overlay refuses fails naming it"
fi
run burrow cp "$t/src" c1:/tmp/newdir
assert_eq "$(incat /tmp/newdir/file)" "hello" "cp DIR CTR:MISSING creates it with the content"
burrow exec c1 mkdir /tmp/existing
run burrow cp "$t/src/." c1:/tmp/existing
assert_eq "$(incat /tmp/existing/sub/deep)" "deep" "cp DIR/. CTR:DIR copies the content"
run burrow cp "$t/src" c1:/tmp/renamed
assert_rc 125 "a directory onto a file fails with 125"
run burrow cp "$t/src/file" c1:/nonexistent/dir/x
assert_rc 125 "a destination without a parent fails with 125"
run burrow cp "$t/src/file" c1:/tmp/missingdir/
assert_rc 125 "a FILE onto a missing DIR/ fails with 125"
run burrow cp "$t/nope" c1:/tmp
assert_rc 125 "a missing host source fails with 125"
assert_match "$err" "nope" "and names it"
(cd "$t/src" && tar -cf - file sub) >"$t/stream.tar"
burrow exec c1 mkdir /tmp/fromtar
run sh -c "'$BURROW' cp - c1:/tmp/fromtar <'$t/stream.tar'"
assert_rc 0 "cp - CTR:DIR unpacks a tar from stdin"
assert_eq "$(incat /tmp/fromtar/sub/deep)" "deep" "with its tree"

# the file-by-file copy (no tar) keeps modes and times, replaces what the
# container planted at the names it makes without following it, and a
# tree it does not copy (hard links) goes through the tar as before
mkdir -p "$t/meta/d"
echo x >"$t/meta/d/f"
chmod 0750 "$t/meta/d/f"
chmod 0711 "$t/meta/d"
touch -d '2001-02-03 04:05:06' "$t/meta/d/f" "$t/meta/d"
run burrow cp "$t/meta" c1:/tmp
assert_rc 0 "cp of a tree with modes and times"
run burrow exec c1 stat -c '%a %Y %u' /tmp/meta/d/f /tmp/meta/d
when=$(date -d '2001-02-03 04:05:06' +%s)
assert_eq "$(echo $out)" "750 $when 0 711 $when 0" "modes, times and the owner are those of the tar path"
burrow exec c1 sh -c "rm -rf /tmp/meta/d && ln -s /etc /tmp/meta/d && ln -s /etc/passwd /tmp/meta/x"
echo y >"$t/meta/x"
run burrow cp "$t/meta" c1:/tmp
assert_rc 0 "cp over names the container made symlinks"
run burrow exec c1 test -e /etc/f
assert_rc 1 "nothing is written through them"
run burrow exec c1 sh -c 'test -d /tmp/meta/d && test ! -L /tmp/meta/d && cat /tmp/meta/x /tmp/meta/d/f'
assert_eq "$(echo $out)" "y x" "they are replaced by what was copied"
run burrow exec c1 head -c 5 /etc/passwd
assert_eq "$out" "root:" "and their targets are untouched"
mkdir "$t/hl"
echo linked >"$t/hl/a"
ln "$t/hl/a" "$t/hl/b"
run burrow cp "$t/hl" c1:/tmp
assert_rc 0 "cp of a tree with hard links"
run burrow exec c1 sh -c 'cat /tmp/hl/b; stat -c %h /tmp/hl/a'
assert_eq "$(echo $out)" "linked 2" "keeps them linked"
rm -f "$t/meta/x"

# --- out of a running container
run burrow cp c1:/tmp/file "$t/out"
assert_rc 0 "cp CTR:FILE DIR"
assert_eq "$(cat "$t/out/file")" "hello" "the file lands in the directory"
assert_eq "$(stat -c %u "$t/out/file")" "$(id -u)" "owned by the user"
run burrow cp c1:/tmp/src "$t/out/tree"
assert_eq "$(cat "$t/out/tree/sub/deep")" "deep" "cp CTR:DIR MISSING creates it"
run sh -c "'$BURROW' cp c1:/tmp/src - | tar -tf - | sort"
assert_match "$out" "src/sub/deep" "cp CTR:DIR - writes a tar"
run burrow cp c1:/nope "$t/out"
assert_rc 125 "a missing container path fails with 125"
assert_match "$err" "could not be found" "with podman's words"
run burrow cp c1:/tmp/file c1:/tmp/x
assert_rc 125 "copying between containers is refused"
run burrow cp "$t/a" "$t/b"
assert_rc 125 "two host paths are a usage error"

# --- the container's symlinks never lead outside it
mkdir "$t/victim"
burrow exec c1 ln -s "$t/victim" /tmp/escape
burrow exec c1 ln -s / /tmp/rootlink
run burrow cp "$t/src/file" c1:/tmp/escape/
assert_eq "$(ls -A "$t/victim")" "" "writing through a planted absolute symlink stays in the container"
run burrow cp "$t/src/file" "c1:/tmp/rootlink$t/victim/"
assert_eq "$(ls -A "$t/victim")" "" "so does a path through a symlink to /"
burrow exec c1 ln -s /etc/passwd /tmp/pw
run burrow cp c1:/tmp/pw "$t/out/pw"
assert_rc 0 "copying a symlink out"
assert_eq "$(readlink "$t/out/pw")" "/etc/passwd" "gives a symlink, not the host's file"
run burrow cp "c1:/tmp/rootlink$t/victim" "$t/out/v2"
assert_true "reading through a symlink to / reads the container's tree" test ! -e "$t/out/v2"

# --- stopped containers
burrow run --name c2 $IMG sh -c 'echo made >/made.txt' >/dev/null
run burrow cp c2:/made.txt "$t/out/made"
assert_rc 0 "cp out of a stopped container"
assert_eq "$(cat "$t/out/made")" "made" "reads its changes"
run burrow cp "$t/src/file" c2:/added.txt
assert_rc 0 "cp into a stopped container"
run burrow diff c2
assert_match "$out" "A /added.txt" "the file is in its upper directory"
run burrow cp c2:/added.txt "$t/out/added"
assert_eq "$(cat "$t/out/added")" "hello" "and reads back"
assert_eq "$(grep -c "$BURROW_RUNROOT" /proc/self/mountinfo)" "0" "no mount is left"
c2id=$(burrow inspect --format '{{.Id}}' c2)
assert_false "no fuse-overlayfs is left" pgrep -u "$(id -u)" -f "fuse-overlayfs.*$c2id"

# --- ownership: the container's user, or the source's with --archive=false
if [ "$(burrow run --rm $IMG cat /proc/self/uid_map | wc -l)" -lt 2 ]; then
	skip "single-ID map: no other user in the container"
	skip "single-ID map: the source's IDs can't be kept"
else
	burrow run -d --name c3 --user 1000:1000 $IMG sleep 1000 >/dev/null
	run burrow cp "$t/src/file" c3:/tmp/owned
	run burrow exec c3 stat -c %u:%g /tmp/owned
	assert_eq "$out" "1000:1000" "new files belong to the container's user"

	run burrow cp --archive=false "$t/src/file" c1:/tmp/kept
	run burrow exec c1 stat -c %u /tmp/kept
	assert_eq "$out" "$(id -u)" "--archive=false keeps the source's numeric owner"
fi

# --- export
run burrow export -o "$t/c1.tar" c1
assert_rc 0 "export -o a running container"
tar -tf "$t/c1.tar" >"$t/c1.list"
assert_true "it holds the image's files" grep -qx 'bin/busybox' "$t/c1.list"
assert_true "and the container's changes" grep -qx 'tmp/src/sub/deep' "$t/c1.list"
assert_false "but not /proc" grep -q '^proc/.' "$t/c1.list"
assert_false "nor /dev" grep -q '^dev/.' "$t/c1.list"
run sh -c "'$BURROW' export c2 | tar -tf -"
assert_match "$out" "added.txt" "export of a stopped container to stdout"
run burrow import "$t/c1.tar" local/exported:1
assert_rc 0 "import takes what export wrote"
run burrow run --rm local/exported:1 cat /tmp/src/file
assert_eq "$out" "hello" "and runs"
run burrow export -o "$t/bad.tar" nosuchcontainer
assert_rc 125 "export of an unknown container fails with 125"
assert_true "and writes no file" test ! -e "$t/bad.tar"

burrow rm -f c1 c2 >/dev/null
burrow rm -f c3 >/dev/null 2>&1
done_testing
