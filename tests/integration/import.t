#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# burrow import: formats, stdin, ids and digests, --change/-m, ownership
# mapping, name validation, and failed or interrupted imports leaving nothing.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
T=$FIXTURE_DIR
R=$BURROW_ROOT

layers() { ls -A "$R/layers" 2>/dev/null | tr '\n' ' '; }
nimages() { find "$R/images" -maxdepth 1 -name '*.json' | wc -l; }

# --- formats
for c in none gz zst; do
	tar=$(fixture_rootfs_tar $c)
	run burrow import "$tar" "local/busybox:$c"
	assert_rc 0 "import a $c tarball"
	assert_match "$out" '^sha256:[0-9a-f]{64}$' "  prints the image id, as podman's"
done
plain=$(fixture_rootfs_tar none)
diff=$(sha256sum <"$plain" | cut -d' ' -f1)
assert_eq "$(layers)" "$diff " "the three imports share one layer named by the sha256 of the uncompressed tar"
assert_true "  its meta.json records the diff id" grep -q "\"diff_id\":\"sha256:$diff\"" "$R/layers/$diff/meta.json"
assert_true "  the rootfs is unpacked" test -x "$R/layers/$diff/diff/bin/busybox"
run burrow images --format json
assert_match "$out" '"localhost/local/busybox:gz"' "the image is named localhost/local/busybox:gz"

# --- stdin, untagged, id = sha256 of the config blob
run sh -c "\"$BURROW\" import - <\"$(fixture_rootfs_tar gz)\""
assert_rc 0 "import from stdin"
id=${out#sha256:}
assert_eq "$(sha256sum <"$R/blobs/sha256/$id" | cut -d' ' -f1)" "$id" "the id is the sha256 of the config blob"
assert_true "  the config lists the diff id" grep -q "\"diff_ids\":\\[\"sha256:$diff\"\\]" "$R/blobs/sha256/$id"
assert_true "  with the default PATH" grep -q '"Env":\["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"\]' "$R/blobs/sha256/$id"

# --- --change and -m
run burrow import -q --change 'CMD ["sh"]' -c 'ENV FOO=bar' --change 'WORKDIR /srv' -m 'my message' "$plain" changed
assert_rc 0 "import with --change and -m"
cfg=$(cat "$R/blobs/sha256/${out#sha256:}")
assert_match "$cfg" '"Cmd":\["sh"\]' "  CMD in the config"
assert_match "$cfg" '"FOO=bar"' "  ENV in the config"
assert_match "$cfg" '"WorkingDir":"/srv"' "  WORKDIR in the config"
assert_match "$cfg" '"comment":"my message"' "  the message in the history"
run burrow import --change 'BOGUS x' "$plain" bogus
assert_rc 125 "an unknown --change instruction fails"
assert_match "$err" 'unknown instruction BOGUS' "  naming it"

# --- ownership: root in the tar -> the user, uid 1000 -> subordinate uid 999
mkdir -p "$T/own/home/user"
echo root >"$T/own/rootfile"
echo user >"$T/own/home/user/userfile"
tar -C "$T/own" --numeric-owner --owner=0 --group=0 -cf "$T/own.tar" rootfile home
tar -C "$T/own" --numeric-owner --owner=1000 --group=1000 -rf "$T/own.tar" home/user home/user/userfile
run burrow import "$T/own.tar" own
assert_rc 0 "import a tar with root- and 1000-owned entries"
od=$(sha256sum <"$T/own.tar" | cut -d' ' -f1)
sub=$(awk -F: -v u="$(id -un)" '$1 == u {print $2; exit}' /etc/subuid)
assert_eq "$(stat -c %u "$R/layers/$od/diff/rootfile")" "$(id -u)" "a root-owned entry is owned by the user on the host"
if [ -n "$sub" ]; then
	assert_eq "$(stat -c %u:%g "$R/layers/$od/diff/home/user/userfile")" "$((sub + 999)):$((sub + 999))" \
		"a uid 1000 entry is owned by subordinate id $((sub + 999))"
else
	skip "no subordinate range for $(id -un)"
fi

# --- names
for bad in 'Foo' 'x:-tag' 'a//b' 'x@sha256:123' "$(printf 'x:%0130d' 0)"; do
	run burrow import "$plain" "$bad"
	assert_rc 125 "import refuses the name '$(printf %.20s "$bad")'"
	assert_match "$err" '^burrow: error: invalid image name' "  with a one-line error"
done
run burrow import "$plain" Foo
assert_match "$err" 'must be lowercase' "the error names the problem"

# --- failures leave nothing behind
before_layers=$(layers) before_images=$(nimages)
head -c 100000 "$(fixture_rootfs_tar gz)" >"$T/cut.tar.gz"
run burrow import "$T/cut.tar.gz" truncated
assert_rc 125 "a truncated tar.gz fails"
assert_match "$err" 'importing .*cut.tar.gz: reading the archive' "  saying why"
assert_eq "$(layers)" "$before_layers" "  no layer (or scratch dir) is left"
assert_eq "$(nimages)" "$before_images" "  no image is left"
run burrow images --format json
assert_no_match "$out" 'truncated' "  no name is left"
run burrow import "$T/nonexistent.tar"
assert_rc 125 "a missing file fails"
assert_match "$err" 'No such file' "  saying so"
: >"$T/empty.tar"
run burrow import "$T/empty.tar"
assert_rc 125 "an empty file fails"
run burrow import
assert_rc 125 "import without a file is a usage error"
run burrow import a b c
assert_rc 125 "import with three arguments is a usage error"

# --- an interrupted import: kill -9 mid-stream, the next import sweeps it
mkfifo "$T/fifo"
"$BURROW" import "$T/fifo" interrupted >/dev/null 2>&1 &
pid=$!
exec 3>"$T/fifo"
cat "$plain" >&3     # returns once the importer has read most of it
stale=$(find "$R/layers" -mindepth 1 -maxdepth 1 -name '.tmp-*' | wc -l)
kill -KILL $pid
wait $pid 2>/dev/null
exec 3>&-
assert_ne "$stale" 0 "a scratch dir exists while importing"
run burrow images --format json
assert_no_match "$out" 'interrupted' "the killed import left no image"
run burrow import "$plain" after
assert_rc 0 "the next import works"
assert_eq "$(find "$R/layers" -mindepth 1 -maxdepth 1 -name '.tmp-*' | wc -l)" 0 "  and swept the dead import's scratch dir"

done_testing
