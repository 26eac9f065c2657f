#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# The fast paths of a pull and their fallbacks give the same store: the
# largest layer decompressed by the fetching process (gzip with one member
# or several, bytes after the last member, zstd, a plain tar) or by the
# extractor (BURROW_PULL_DECOMPRESS=extractor), gzip inflated by ISA-L or
# by zlib (BURROW_INFLATE=zlib); a corrupt stream fails and
# leaves nothing; layers/ carries ext4's top-directory flag unless
# BURROW_LAYER_SPREAD=0.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
. "$(dirname "$0")/../lib/registry.sh"
registry_start
T=$FIXTURE_DIR
R=$BURROW_ROOT
P="--tls-verify=false"

command -v zstd >/dev/null || skip_all "zstd is not installed (tests/lib/deps.sh)"

# --- the layers: one busybox rootfs tar in several encodings
gz=$(fixture_rootfs_tar gz)
gzip -dc "$gz" >"$T/plain.tar"
zstd -q -c "$T/plain.tar" >"$T/zst.tar.zst"
half=$(($(wc -c <"$T/plain.tar") / 2))
{
	head -c "$half" "$T/plain.tar" | gzip -n
	tail -c +"$((half + 1))" "$T/plain.tar" | gzip -n
} >"$T/multi.tar.gz"
{
	cat "$gz"
	printf 'not gzip at all\n'
} >"$T/trail.tar.gz"
gzip -n -c "$T/plain.tar" | head -c 300000 >"$T/cut.tar.gz"

d=$(oci_new)
for k in gz plain multi trail zst cut; do
	case $k in
	gz) f=$gz ;;
	plain) f=$T/plain.tar ;;
	zst) f=$T/zst.tar.zst ;;
	*) f=$T/$k.tar.gz ;;
	esac
	oci_add "$d" "$k" amd64 ',"Cmd":["/bin/busybox","true"]' "$f" 2>/dev/null
	# skopeo would compress the plain tar on the way
	reg_push "$d" "$k" "paths/$k:1" --preserve-digests
done

# the tree digest and size of the only layer
layer_meta() {
	sed -n 's/.*"size":\([0-9]*\).*"tree_digest":"\([^"]*\)".*/\1 \2/p' "$R"/layers/[0-9a-f]*/meta.json
}

for k in gz plain multi trail zst; do
	ref="$REG/paths/$k:1"
	run env BURROW_PULL_DECOMPRESS=extractor "$BURROW" pull -q $P "$ref"
	assert_rc 0 "$k: pull with the extractor decompressing"
	want_id=$out
	want_meta=$(layer_meta)
	burrow rmi -a -f >/dev/null 2>&1
	run burrow --log-level=debug pull -q $P "$ref"
	assert_rc 0 "$k: pull with the fetcher decompressing"
	assert_eq "$(printf '%s\n' "$out" | tail -n 1)" "$want_id" "  the same image id"
	assert_eq "$(layer_meta)" "$want_meta" "  the same layer size and tree digest"
	case $k in
	plain) assert_match "$err" 'none, decompressed while fetching' "  passed through as it is" ;;
	zst) assert_match "$err" 'zstd, decompressed while fetching' "  decoded as zstd" ;;
	*) assert_match "$err" 'gzip, decompressed while fetching.*[(]isa-l[)]' "  decoded as gzip, by ISA-L" ;;
	esac
	run burrow run --rm "$ref"
	assert_rc 0 "  it runs"
	burrow rmi -a -f >/dev/null 2>&1
	case $k in
	gz | multi | trail)
		run env BURROW_INFLATE=zlib "$BURROW" --log-level=debug pull -q $P "$ref"
		assert_rc 0 "$k: pull with zlib inflating (BURROW_INFLATE=zlib)"
		assert_eq "$(printf '%s\n' "$out" | tail -n 1)" "$want_id" "  the same image id"
		assert_eq "$(layer_meta)" "$want_meta" "  the same layer size and tree digest"
		assert_match "$err" 'gzip, decompressed while fetching.*[(]zlib[)]' "  decoded by zlib"
		burrow rmi -a -f >/dev/null 2>&1
		;;
	esac
done

for how in fetcher extractor zlib; do
	inflate=
	[ "$how" = zlib ] && how=fetcher inflate=zlib
	run env BURROW_PULL_DECOMPRESS=$how BURROW_INFLATE=$inflate "$BURROW" pull -q $P "$REG/paths/cut:1"
	assert_rc 125 "a cut gzip stream fails ($how decompressing${inflate:+ with $inflate})"
	assert_match "$err" 'gzip|truncated|unexpected end|corrupt|archive' "  with the reason"
	assert_eq "$(find "$R/layers" "$R/images" -mindepth 1 -maxdepth 1 ! -name '.lock' 2>/dev/null | wc -l | tr -d ' ')" 0 "  and leaves no layer or image"
	assert_eq "$(store_leftovers)" "" "  and no scratch files"
done

# --- the top-directory flag on layers/ (ext4 only)
if [ "$(stat -f -c %T "$R" 2>/dev/null)" = ext2/ext3 ] && command -v lsattr >/dev/null; then
	burrow pull -q $P "$REG/paths/gz:1" >/dev/null
	assert_match "$(lsattr -d "$R/layers" 2>&1 | cut -d' ' -f1)" 'T' "layers/ is marked as a top directory"
	run env BURROW_LAYER_SPREAD=0 BURROW_ROOT="$T/nospread" "$BURROW" pull -q $P "$REG/paths/gz:1"
	assert_rc 0 "a pull with BURROW_LAYER_SPREAD=0 works"
	assert_no_match "$(lsattr -d "$T/nospread/layers" 2>&1 | cut -d' ' -f1)" 'T' "  and leaves layers/ unmarked"
	BURROW_ROOT="$T/nospread" "$BURROW" unshare rm -rf "$T/nospread" >/dev/null 2>&1
else
	skip "the store is not on ext4: no top-directory flag"
	skip "the store is not on ext4: no top-directory flag"
	skip "the store is not on ext4: no top-directory flag"
fi

done_testing
