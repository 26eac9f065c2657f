# registry.sh - a local Distribution registry and OCI image builders for the
# registry tests (sourced after tap.sh and fixtures.sh).
#
#   registry_start [auth]      # docker-registry on 127.0.0.1:$REG_PORT; with
#                              # "auth": htpasswd user "tester" / "s3cret"
#   d=$(oci_new)               # empty OCI layout dir
#   oci_add d TAG ARCH CONFIG_EXTRA LAYER...   # LAYER: path of a tar (.tar, .tar.gz, .tar.zst)
#   reg_push d TAG NAME [skopeo args]          # copy to $REG/NAME
#
# Everything lives under $FIXTURE_DIR and goes away with it.
# shellcheck shell=sh

command -v docker-registry >/dev/null || skip_all "docker-registry is not installed (tests/lib/deps.sh)"
command -v skopeo >/dev/null || skip_all "skopeo is not installed (tests/lib/deps.sh)"

REG_USER=tester
REG_PASS=s3cret

free_port() {
	perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0, ReuseAddr => 1) or die; print $s->sockport, "\n"'
}

# http_up URL: the server answers (any HTTP status); for poll
http_up() {
	perl -MHTTP::Tiny -e 'exit(HTTP::Tiny->new(timeout => 5)->get($ARGV[0])->{status} == 599)' "$1"
}

registry_stop() {
	if [ -n "${REG_PID:-}" ]; then
		kill "$REG_PID" 2>/dev/null
		wait "$REG_PID" 2>/dev/null
		REG_PID=
	fi
}

registry_start() {
	_rd=$FIXTURE_DIR/registry.$$.${1:-open}
	mkdir -p "$_rd/data"
	REG_PORT=$(free_port)
	REG=127.0.0.1:$REG_PORT
	{
		printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n'
		printf 'storage:\n  filesystem:\n    rootdirectory: %s/data\n  delete:\n    enabled: true\n' "$_rd"
		printf 'http:\n  addr: %s\n' "$REG"
		if [ "${1:-}" = auth ]; then
			htpasswd -Bbn "$REG_USER" "$REG_PASS" >"$_rd/htpasswd" 2>/dev/null ||
				bail_out "htpasswd failed (apache2-utils)"
			printf 'auth:\n  htpasswd:\n    realm: burrow-test\n    path: %s/htpasswd\n' "$_rd"
		fi
	} >"$_rd/config.yml"
	docker-registry serve "$_rd/config.yml" >"$_rd/log" 2>&1 &
	REG_PID=$!
	trap 'registry_stop; fixture_cleanup' EXIT
	poll http_up "http://$REG/v2/" || { cat "$_rd/log" >&2; bail_out "docker-registry did not start"; }
}

sha256() { sha256sum "$1" | cut -d' ' -f1; }
fsize() { wc -c <"$1" | tr -d ' '; }

oci_new() {
	_d=$(mktemp -d "$FIXTURE_DIR/oci.XXXXXX")
	mkdir -p "$_d/blobs/sha256"
	printf '{"imageLayoutVersion":"1.0.0"}' >"$_d/oci-layout"
	printf '{"schemaVersion":2,"manifests":[]}' >"$_d/index.json"
	echo "$_d"
}

# _blob DIR FILE: store FILE as a blob, print its digest hex
_blob() {
	_h=$(sha256 "$2")
	cp "$2" "$1/blobs/sha256/$_h"
	echo "$_h"
}

# _index_add DIR MEDIATYPE HEX SIZE TAG: one more entry in index.json
_index_add() {
	printf '%s{"mediaType":"%s","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}' \
		"$(test -s "$1.entries" && echo ,)" "$2" "$3" "$4" "$5" >>"$1.entries"
	printf '{"schemaVersion":2,"manifests":[%s]}' "$(cat "$1.entries")" >"$1/index.json"
}

# oci_image DIR ARCH CONFIG_EXTRA LAYER... -> prints "hex size" of the manifest
oci_image() {
	_d=$1 _arch=$2 _extra=$3
	shift 3
	_layers='' _diffs=''
	for _l in "$@"; do
		case $_l in
		*.tar.gz | *.tgz) _mt=application/vnd.oci.image.layer.v1.tar+gzip _diff=$(gzip -dc "$_l" | sha256sum | cut -d' ' -f1) ;;
		*.tar.zst) _mt=application/vnd.oci.image.layer.v1.tar+zstd _diff=$(zstd -qdc "$_l" | sha256sum | cut -d' ' -f1) ;;
		*) _mt=application/vnd.oci.image.layer.v1.tar _diff=$(sha256 "$_l") ;;
		esac
		# a config that lies about the layer (tests of the diff id check)
		[ -n "${OCI_FAKE_DIFF:-}" ] && _diff=$OCI_FAKE_DIFF
		_h=$(_blob "$_d" "$_l")
		_layers="$_layers${_layers:+,}{\"mediaType\":\"$_mt\",\"digest\":\"sha256:$_h\",\"size\":$(fsize "$_l")}"
		_diffs="$_diffs${_diffs:+,}\"sha256:$_diff\""
	done
	_cf=$(mktemp "$FIXTURE_DIR/cfg.XXXXXX")
	printf '{"created":"2024-01-01T00:00:00Z","architecture":"%s","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]%s},"rootfs":{"type":"layers","diff_ids":[%s]},"history":[{"created":"2024-01-01T00:00:00Z","created_by":"burrow test fixture"}]}' \
		"$_arch" "$_extra" "$_diffs" >"$_cf"
	_ch=$(_blob "$_d" "$_cf")
	_mf=$(mktemp "$FIXTURE_DIR/man.XXXXXX")
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
		"$_ch" "$(fsize "$_cf")" "$_layers" >"$_mf"
	_mh=$(_blob "$_d" "$_mf")
	echo "$_mh $(fsize "$_mf")"
	rm -f "$_cf" "$_mf"
}

# oci_add DIR TAG ARCH CONFIG_EXTRA LAYER...: one image, tagged in index.json
oci_add() {
	_od=$1 _tag=$2
	shift 2
	# shellcheck disable=SC2046 # the digest and the size
	set -- $(oci_image "$_od" "$@")
	_index_add "$_od" application/vnd.oci.image.manifest.v1+json "$1" "$2" "$_tag"
}

# oci_add_index DIR TAG "ARCH:LAYER" ...: a multi-arch index, one image per arch
oci_add_index() {
	_od=$1 _tag=$2
	shift 2
	_ents=
	for _spec in "$@"; do
		_a=${_spec%%:*} _l=${_spec#*:}
		# shellcheck disable=SC2046 # the digest and the size
		set -- $(oci_image "$_od" "$_a" "" "$_l")
		_ents="$_ents${_ents:+,}{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:$1\",\"size\":$2,\"platform\":{\"architecture\":\"$_a\",\"os\":\"linux\"}}"
	done
	_if=$(mktemp "$FIXTURE_DIR/idx.XXXXXX")
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s]}' "$_ents" >"$_if"
	_ih=$(_blob "$_od" "$_if")
	_index_add "$_od" application/vnd.oci.image.index.v1+json "$_ih" "$(fsize "$_if")" "$_tag"
	rm -f "$_if"
}

# reg_push DIR TAG NAME [skopeo copy options]: push to $REG/NAME
reg_push() {
	_pd=$1 _pt=$2 _pn=$3
	shift 3
	skopeo copy -q --dest-tls-verify=false ${REG_CREDS:+--dest-creds "$REG_CREDS"} "$@" \
		"oci:$_pd:$_pt" "docker://$REG/$_pn" >"$FIXTURE_DIR/skopeo.log" 2>&1 ||
		{ cat "$FIXTURE_DIR/skopeo.log" >&2; bail_out "skopeo copy to $REG/$_pn failed"; }
}

# no leftovers in the store: no scratch dirs, lock files or temp files
store_leftovers() {
	find "$BURROW_ROOT" -name '.tmp-*' -o -name '*.tmp-*' -o -name 'pull-*.lock' 2>/dev/null | head -5
}
