#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# burrow images and rmi: table, -q, --no-trunc, json, untag vs delete,
# images in use, unknown images, rmi -a.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
R=$BURROW_ROOT

run burrow images
assert_rc 0 "images on an empty store"
assert_match "$out" '^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$' "  prints only the header"
run burrow images -q
assert_eq "$out" "" "images -q on an empty store prints nothing"
run burrow images --format json
assert_eq "$out" "[]" "images --format json on an empty store is []"

tar=$(fixture_rootfs_tar gz)
id1=$("$BURROW" import "$tar" local/busybox:1) id1=${id1#sha256:}
id2=$("$BURROW" import "$tar") id2=${id2#sha256:}
short1=$(printf %.12s "$id1") short2=$(printf %.12s "$id2")

run burrow images
assert_rc 0 "images"
assert_match "$out" "^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE
" "  header like podman's"
assert_match "$out" "
localhost/local/busybox +1 +$short1 +(Less than a second|[0-9]+ seconds?) ago +[0-9.]+ (kB|MB)" \
	"  a row with repository, tag, 12-hex id, age and decimal size"
assert_match "$out" "
<none> +<none> +$short2 " "  an untagged image shows <none>"
run burrow images -n
assert_no_match "$out" 'REPOSITORY' "images -n leaves out the header"
run burrow images -q
assert_eq "$(echo "$out" | sort | tr '\n' ' ')" "$(printf '%s\n%s\n' "$short1" "$short2" | sort | tr '\n' ' ')" \
	"images -q prints the short ids"
run burrow images -q --no-trunc
assert_match "$out" "sha256:$id1" "images -q --no-trunc prints full ids"
run burrow images --format json
assert_rc 0 "images --format json"
printf '%s' "$out" >"$FIXTURE_DIR/images.json"
run perl -MJSON::PP -e '
	open my $f, "<", $ARGV[0] or die; local $/; my $j = decode_json(<$f>);
	for my $i (@$j) {
		printf "%s %s %d %d %s\n", $i->{Id}, join(",", @{$i->{Names}}) || "-", $i->{Size},
			$i->{Created}, $i->{CreatedAt};
	}' "$FIXTURE_DIR/images.json"
assert_match "$out" "$id1 localhost/local/busybox:1 [1-9][0-9]* 1[0-9]{9} 20[0-9-]+T" \
	"  Id, Names, Size, Created (unix) and CreatedAt"
assert_match "$out" "$id2 - " "  the untagged image has no names"
run burrow images --format '{{.ID}}'
assert_rc 0 "images --format with a template"
assert_eq "$(echo "$out" | sort | tr '\n' ' ')" "$(printf '%s\n%s\n' "$short1" "$short2" | sort | tr '\n' ' ')" \
	"  one line per image, the short ids"
run burrow images --format 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}'
assert_match "$out" "^REPOSITORY +TAG +IMAGE ID
" "  a table format has podman's header"
assert_match "$out" "
localhost/local/busybox  1           $short1" "  and columns aligned as podman's tabwriter does"
run burrow images --format yaml
assert_rc 125 "a format name burrow lacks is an error"
run burrow images --format '{{.ID'
assert_rc 125 "a template that does not parse is an error"
assert_match "$err" "template: 1:" "  naming the position"

# --- filters
id3=$("$BURROW" import -c 'LABEL team=web' "$tar" local/labelled:2) id3=${id3#sha256:}
short3=$(printf %.12s "$id3")
run burrow images -q --filter label=team=web
assert_eq "$out" "$short3" "--filter label=KEY=VALUE"
run burrow images -q --filter label=team --filter label=nope
assert_eq "$out" "" "  every label filter must match"
run burrow images -q --filter dangling=true
assert_eq "$out" "$short2" "--filter dangling=true: the untagged image"
run burrow images -q --filter dangling=false
assert_no_match "$out" "$short2" "--filter dangling=false leaves it out"
run burrow images -q --filter 'reference=local/busy*'
assert_eq "$out" "$short1" "--filter reference=GLOB, matched without localhost/"
run burrow images -q --filter reference=local/busybox --filter reference=local/labelled
assert_eq "$(echo "$out" | sort | tr '\n' ' ')" "$(printf '%s\n%s\n' "$short1" "$short3" | sort | tr '\n' ' ')" "  the same key twice matches either"
run burrow images -q local/labelled
assert_eq "$out" "$short3" "images REFERENCE is a reference filter"
run burrow images -q --filter "since=$id1"
assert_match "$out" "$short3" "--filter since=IMAGE lists newer images"
assert_no_match "$out" "$short1" "  and not the image itself"
run burrow images -q --filter before=local/labelled:2
assert_match "$out" "$short1" "--filter before=IMAGE lists older images"
assert_no_match "$out" "$short3" "  and not the image itself"
run burrow images --filter bogus=1
assert_rc 125 "an unknown filter fails with 125"
assert_match "$err" "bogus" "  and names it"
run burrow images --filter dangling=maybe
assert_rc 125 "dangling takes true or false"
run burrow images --filter before=nosuchimage
assert_rc 125 "before= an unknown image fails with 125"
"$BURROW" rmi local/labelled:2 >/dev/null

# --- rmi
run burrow rmi nosuchimage
assert_rc 1 "rmi of an unknown image exits 1"
assert_eq "$err" "burrow: error: nosuchimage: image not known" "  with podman's message"
run burrow rmi
assert_rc 125 "rmi without arguments is a usage error"

# a second name for id1 (no 'tag' verb yet: edit names.json as tag would)
perl -MJSON::PP -i -0pe '$j = decode_json($_); $j->{"localhost/alias:2"} = "'"$id1"'"; $_ = encode_json($j)' "$R/names.json"
run burrow rmi "$short1"
assert_rc 125 "rmi by id of an image with two names needs -f"
run burrow rmi alias:2
assert_rc 0 "rmi of one of two names"
assert_eq "$out" "Untagged: localhost/alias:2" "  only untags"
assert_match "$("$BURROW" images -q)" "$short1" "  the image stays"

# in use by a container
mkdir -p "$R/containers/c0ffee"
printf '{"id":"c0ffee","image_id":"%s"}' "$id1" >"$R/containers/c0ffee/config.json"
run burrow rmi local/busybox:1
assert_rc 2 "rmi of an image used by a container exits 2"
assert_match "$err" 'in use' "  saying it is in use"
run burrow rmi -f local/busybox:1
assert_rc 0 "rmi -f removes it anyway"
assert_eq "$out" "Untagged: localhost/local/busybox:1
Deleted: $id1" "  printing Untagged and Deleted like podman"
rm -rf "$R/containers/c0ffee"
assert_ne "$(ls "$R/layers")" "" "the layer stays while the untagged image uses it"

id3=$("$BURROW" import "$tar" x:1) id3=${id3#sha256:}
run burrow rmi -a
assert_rc 0 "rmi -a"
assert_match "$out" "Deleted: $id2" "  deletes the untagged image"
assert_match "$out" "Untagged: localhost/x:1
Deleted: $id3" "  and the tagged one"
assert_eq "$("$BURROW" images -q)" "" "no images left"
assert_eq "$(ls -A "$R/layers")" "" "no layers left"
assert_eq "$(ls -A "$R/blobs/sha256")" "" "no blobs left"
run burrow rmi -a
assert_rc 0 "rmi -a on an empty store"

done_testing
