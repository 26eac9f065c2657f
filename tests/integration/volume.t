#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# burrow volume and the volumes of run: create/ls/inspect/exists/rm/prune,
# -v NAME:/path (made on first use, filled from the image), anonymous
# volumes, --volumes-from, --mount, and bad input that leaves nothing.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
V="$BURROW_ROOT/volumes"
T="$FIXTURE_DIR/t"
mkdir -p "$T"

# the volume directories (not .lock) and the container records
vols() { find "$V" -mindepth 1 -maxdepth 1 ! -name .lock -printf '%f\n' 2>/dev/null | sort | tr '\n' ' '; }
ctrs() { burrow ps -a -q | wc -l; }

# --- volume create / ls / inspect / exists
run burrow volume create v1
assert_rc 0 "volume create"
assert_eq "$out" "v1" "  prints the name"
assert_true "  volumes/v1/_data exists" test -d "$V/v1/_data"
assert_true "  and volume.json" test -s "$V/v1/volume.json"
run burrow volume create v1
assert_rc 125 "creating it again fails with 125"
assert_eq "$err" "burrow: error: volume with name v1 already exists: volume already exists" "  podman's message"
run burrow volume create --ignore v1
assert_rc 0 "  --ignore: no error"
run burrow volume create --label team=a -l tier v2
assert_rc 0 "volume create with labels"
run burrow volume create
assert_rc 0 "volume create without a name"
assert_match "$out" "^[0-9a-f]{64}$" "  gets a 64-hex name"
anon_named=$out
run burrow volume ls
assert_rc 0 "volume ls"
assert_match "$out" "^DRIVER      VOLUME NAME$" "  podman's header"
assert_match "$out" "
local       v1
local       v2" "  a row per volume, sorted"
run burrow volume ls -q
assert_eq "$(printf '%s\n' "$out" | grep -c .)" 3 "volume ls -q: names only"
run burrow volume ls -q --filter label=team=a
assert_eq "$out" "v2" "--filter label=KEY=VALUE"
run burrow volume ls -q --filter label=tier
assert_eq "$out" "v2" "--filter label=KEY"
run burrow volume ls -q --filter 'label!=team'
assert_eq "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" "$anon_named v1 " "--filter label!=KEY"
run burrow volume ls -q --filter name=v1 --filter name=v2
assert_eq "$(printf '%s\n' "$out" | tr '\n' ' ')" "v1 v2 " "filters with the same key: any"
run burrow volume ls -q --filter name=v --filter label=tier
assert_eq "$out" "v2" "filters with different keys: all"
run burrow volume ls -q --filter driver=local --filter name='^v1$'
assert_eq "$out" "v1" "--filter driver, name as a regular expression"
run burrow volume ls -q --filter dangling=true --filter name='^v'
assert_eq "$(printf '%s\n' "$out" | tr '\n' ' ')" "v1 v2 " "--filter dangling=true"
run burrow volume ls -q --filter until=2000-01-01
assert_eq "$out" "" "--filter until=DATE in the past: none"
run burrow volume ls -q --filter until=1m --filter name='^v1$'
assert_eq "$out" "" "--filter until=1m: made just now, not yet"
run burrow volume ls --filter bogus=1
assert_rc 125 "an unknown filter fails with 125"
assert_match "$err" '^burrow: error: "bogus" is an invalid volume filter$' "  podman's message"
run burrow volume ls --format '{{.Name}} {{.Driver}} {{.Scope}}' --filter name=v2
assert_eq "$out" "v2 local local" "volume ls --format"
run burrow volume ls --format json --filter name=v2
assert_match "$out" '"Name": "v2"' "volume ls --format json"

run burrow volume inspect v2
assert_rc 0 "volume inspect"
assert_match "$out" '^\[' "  a JSON array"
assert_match "$out" '"Driver": "local"' "  Driver local"
assert_match "$out" "\"Mountpoint\": \"$V/v2/_data\"" "  Mountpoint in the store"
assert_match "$out" '"team": "a"' "  Labels"
assert_match "$out" '"Scope": "local"' "  Scope"
assert_match "$out" '"CreatedAt": "20[0-9-]+T' "  CreatedAt"
run burrow volume inspect --format '{{.Name}}:{{.Labels.team}}' v2
assert_eq "$out" "v2:a" "volume inspect --format"
run burrow volume inspect nope
assert_rc 125 "volume inspect of a missing volume: 125"
assert_match "$err" "no such volume nope" "  no such volume"
run burrow volume exists v1
assert_rc 0 "volume exists: 0"
run burrow volume exists nope
assert_rc 1 "volume exists of a missing one: 1"
assert_eq "$out$err" "" "  silently"

# --- bad names leave nothing behind
before=$(vols)
for bad in 'a/b' '..' 'a..b' '_x' '.hidden'; do
	run burrow volume create "$bad"
	assert_rc 125 "volume create '$bad' fails with 125"
	assert_eq "$(printf '%s\n' "$err" | wc -l)" 1 "  one line"
	assert_match "$err" "invalid volume name" "  names the problem"
done
assert_eq "$(vols)" "$before" "  and leaves no volume behind"

# --- -v NAME:/path: made on first use, filled from the image
run burrow run --rm -v data:/etc $IMG cat /etc/passwd
assert_rc 0 "run -v NAME:/etc with a new volume"
assert_match "$out" "^root:x:0:0" "  the container sees the image's /etc"
assert_true "  the volume was made" test -d "$V/data/_data"
assert_true "  and holds a copy of the image's /etc" test -s "$V/data/_data/passwd"
assert_eq "$(stat -c %u "$V/data/_data/passwd")" "$(id -u)" "  owned by container root (the user)"
run burrow run --rm -v data:/etc $IMG sh -c 'echo kept > /etc/mine'
run burrow run --rm -v data:/srv $IMG cat /srv/mine
assert_eq "$out" "kept" "data persists across containers"
run burrow run --rm -v data:/srv:ro $IMG sh -c 'echo x > /srv/f'
assert_rc 1 "-v NAME:/path:ro is read-only"
run burrow run --rm -v data:/srv:ro,z $IMG cat /srv/mine
assert_eq "$out" "kept" "  :z is accepted"
run burrow run --rm -v empty:/etc:nocopy $IMG ls /etc
assert_eq "$out" "" "-v NAME:/path:nocopy: no copy"
multi=$(burrow run --rm $IMG cat /proc/self/uid_map | wc -l)
run burrow run --rm --user 1000:1000 -v owned:/home/user/data:U $IMG sh -c 'stat -c %u:%g /home/user/data; touch /home/user/data/f && echo wrote'
if [ "$multi" -gt 1 ]; then
	assert_eq "$out" "1000:1000
wrote" ":U chowns the volume to the container's user"
else
	assert_match "$err" "not mapped in the container" ":U to an unmapped user (single-ID map) says why"
fi
run burrow run --rm -v owned2:/home/user/data:U $IMG stat -c %u:%g /home/user/data
assert_eq "$out" "0:0" ":U for root: owned by the container's root"
run burrow run --rm -v data:/srv $IMG ls -la /srv/
assert_no_match "$out" "hostname" "  the generated /etc files are not copied"

# a symlink in the image is copied as a symlink, never followed
run burrow run --rm -v links:/bin $IMG true
assert_rc 0 "copy-up of /bin (symlinks)"
assert_eq "$(readlink "$V/links/_data/sh")" "busybox" "  symlinks are copied as symlinks"

# an image whose path is a symlink out of its root: resolved inside the root
mkdir -p "$T/hostdir-secret" "$T/hctx"
echo secret >"$T/hostdir-secret/secret"
cat >"$T/hctx/Dockerfile" <<EOF
FROM local/busybox:1
RUN ln -s $T/hostdir-secret /escape && mkdir -p /d && ln -s $T/hostdir-secret/secret /d/link
EOF
run burrow build -q -t local/hostile:1 "$T/hctx"
assert_rc 0 "build an image with symlinks to a host path"
run burrow run --rm -v esc:/escape local/hostile:1 true
assert_match "$rc" "^(0|125)$" "-v over a symlink out of the root: resolved inside (mounted, or a clear error)"
assert_eq "$(ls -A "$V/esc/_data")" "" "  copies nothing from the host"
assert_eq "$(ls -A "$T/hostdir-secret")" "secret" "  and writes nothing there"
run burrow run --rm -v esc2:/d local/hostile:1 true
assert_eq "$(readlink "$V/esc2/_data/link")" "$T/hostdir-secret/secret" "  a symlink to a host file is copied as a symlink"
burrow volume rm esc esc2 >/dev/null

# --- volume rm: in use, -f
run burrow create --name user1 -v data:/srv $IMG true
assert_rc 0 "create a container that uses volume data"
cid=$(burrow inspect --format '{{.Id}}' user1)
run burrow volume rm data
assert_rc 2 "volume rm of a volume in use: 2 (podman's)"
assert_eq "$err" "burrow: error: volume data is being used by the following container(s): $cid: volume is being used" "  podman's message names the container"
assert_true "  the volume stays" test -d "$V/data"
run burrow inspect --format '{{json .Mounts}}' user1
assert_match "$out" '"Type": ?"volume"' "inspect: Mounts Type volume"
assert_match "$out" '"Name": ?"data"' "  Name"
assert_match "$out" "\"Source\": ?\"$V/data/_data\"" "  Source"
assert_match "$out" '"Destination": ?"/srv"' "  Destination"
assert_match "$out" '"Driver": ?"local"' "  Driver"
assert_match "$out" '"RW": ?true' "  RW"
run burrow ps -a -q --no-trunc --filter volume=data
assert_eq "$out" "$cid" "ps --filter volume=NAME"
run burrow ps -a -q --no-trunc --filter volume=/srv
assert_eq "$out" "$cid" "ps --filter volume=DESTINATION"
run burrow volume rm -f data
assert_rc 0 "volume rm -f removes the container too"
run burrow inspect user1
assert_rc 125 "  the container is gone"
assert_false "  the volume is gone" test -e "$V/data"
run burrow volume rm nope
assert_rc 1 "volume rm of a missing volume: 1 (podman's)"
assert_eq "$err" 'burrow: error: no volume with name "nope" found: no such volume' "  podman's message"

# --- anonymous volumes
before=$(vols)
run burrow run -d -v /scratch $IMG sleep 1000
assert_rc 0 "run -v /path: an anonymous volume"
cid=$out
new=$(vols)
assert_ne "$new" "$before" "  a volume was made"
run burrow inspect --format '{{json .Mounts}}' "$cid"
assert_match "$out" '"Name": ?"[0-9a-f]{64}"' "  named by a 64-hex id"
anon=$(printf '%s' "$out" | sed -n 's/.*"Name": *"\([0-9a-f]*\)".*/\1/p')
run burrow volume inspect --format '{{.Anonymous}}' "$anon"
assert_eq "$out" "true" "  recorded as anonymous"
burrow rm -f "$cid" >/dev/null
assert_true "rm without -v keeps the anonymous volume" test -d "$V/$anon"
burrow volume rm "$anon" >/dev/null
run burrow create -v /scratch $IMG true
cid=$out
anon=$(burrow inspect --format '{{json .Mounts}}' "$cid" | sed -n 's/.*"Name": *"\([0-9a-f]*\)".*/\1/p')
run burrow rm -v "$cid"
assert_rc 0 "rm -v"
assert_false "  removes the anonymous volume" test -e "$V/$anon"
run burrow create -v /scratch -v keepme:/keep $IMG true
burrow rm -v "$out" >/dev/null
assert_true "  but never a named one" test -d "$V/keepme"
before=$(vols)
run burrow run --rm -v /scratch $IMG sh -c 'echo x > /scratch/f'
assert_rc 0 "run --rm -v /path"
assert_eq "$(vols)" "$before" "  the anonymous volume goes with the container"
run burrow run --rm --mount type=volume,dst=/scratch $IMG true
assert_eq "$(vols)" "$before" "  also from --mount type=volume without a source"

before=$(vols)
run burrow run --rm -v /scratch $IMG /no/such/command
assert_rc 127 "run --rm -v /path of a missing command: 127"
assert_eq "$(vols)" "$before" "  the anonymous volume goes too"

# an image's VOLUME
C="$T/ctx"
mkdir -p "$C"
cat >"$C/Dockerfile" <<'EOF'
FROM local/busybox:1
RUN mkdir -p /data && echo seeded > /data/seed
VOLUME /data
EOF
run burrow build -q -t local/withvol:1 "$C"
assert_rc 0 "build an image with VOLUME /data"
before=$(vols)
run burrow run -d local/withvol:1 sleep 1000
cid=$out
run burrow exec "$cid" cat /data/seed
assert_eq "$out" "seeded" "the image's VOLUME is an anonymous volume filled from the image"
assert_ne "$(vols)" "$before" "  in the store"
burrow rm -f -v "$cid" >/dev/null
assert_eq "$(vols)" "$before" "  removed by rm -v"
run burrow run --rm -v named:/data local/withvol:1 cat /data/seed
assert_eq "$out" "seeded" "  a -v over the VOLUME replaces it (and is filled)"
# shellcheck disable=SC2086 # split the list
with_named=$(printf '%s\n' $before named | sort | tr '\n' ' ')
assert_eq "$(vols)" "$with_named" "  without an anonymous one"
run burrow run --rm local/withvol:1 true
assert_eq "$(vols)" "$with_named" "run --rm removes the image VOLUME's anonymous volume"

# --- --volumes-from
run burrow create --name src1 -v shared:/shared -v "$T:/hostdir" $IMG true
run burrow run --rm src1 true
run burrow run --rm -v shared:/shared $IMG sh -c 'echo hi > /shared/f'
run burrow run --rm --volumes-from src1 $IMG sh -c 'cat /shared/f; test -d /hostdir && echo bind'
assert_eq "$out" "hi
bind" "--volumes-from: the volumes and bind mounts of another container"
run burrow run --rm --volumes-from src1:ro $IMG sh -c 'echo x > /shared/g'
assert_rc 1 "--volumes-from CT:ro"
run burrow run --rm --volumes-from nope $IMG true
assert_rc 125 "--volumes-from a missing container: 125"
burrow rm src1 >/dev/null

# --- --mount
echo hostfile >"$T/file"
run burrow run --rm --mount "type=bind,source=$T,target=/mnt,readonly" $IMG sh -c 'cat /mnt/file; echo x > /mnt/y'
assert_eq "$out" "hostfile" "--mount type=bind,source,target"
assert_rc 1 "  readonly"
run burrow run --rm --mount "type=bind,src=$T,dst=/mnt,ro=false,bind-propagation=rslave" $IMG sh -c 'echo y > /mnt/y && echo ok'
assert_eq "$out" "ok" "--mount src,dst,ro=false,bind-propagation"
run burrow run --rm --mount "type=volume,source=mv,destination=/etc,volume-nocopy" $IMG ls /etc
assert_eq "$out" "" "--mount type=volume,volume-nocopy: made empty"
assert_true "  the volume exists" test -d "$V/mv"
run burrow run --rm --mount "type=volume,src=mv2,dst=/etc" $IMG cat /etc/group
assert_match "$out" "^root:x:0:" "--mount type=volume: made and filled"
run burrow run --rm --mount type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1770 $IMG sh -c 'stat -c %a /t; grep " /t " /proc/mounts'
assert_match "$out" "^1770" "--mount type=tmpfs,tmpfs-mode"
assert_match "$out" "size=1024k" "  tmpfs-size"
run burrow run --rm --mount "type=bind,src=$T,dst=/m" --mount "type=bind,src=$T,dst=/m" $IMG true
assert_rc 125 "two mounts on one destination: 125"
run burrow run --rm --mount "type=bind,src=$T,dst=/mnt,bind-propagation=rshared" $IMG grep " /mnt " /proc/self/mountinfo
assert_match "$out" " shared:[0-9]+ " "bind-propagation=rshared: the mount is shared"
run burrow run --rm -v "$T:/mnt" $IMG grep " /mnt " /proc/self/mountinfo
assert_no_match "$out" "shared:" "  the default is private"
# inspect of a kept container shows the bind mount's propagation
run burrow create --mount "type=bind,src=$T,dst=/mnt,bind-propagation=rshared" $IMG true
cid=$out
run burrow inspect --format '{{json .Mounts}}' "$cid"
assert_match "$out" '"Type": ?"bind"' "inspect: a bind mount"
assert_match "$out" '"Propagation": ?"rshared"' "  its Propagation"
burrow rm "$cid" >/dev/null

# --- bad input: one line, 125, nothing left
before_v=$(vols)
before_c=$(ctrs)
bad() { # DESC ARGS...
	_d=$1
	shift
	run burrow run --rm "$@" $IMG true
	assert_rc 125 "$_d: 125"
	assert_eq "$(printf '%s\n' "$err" | wc -l)" 1 "  one line"
	assert_eq "$(vols)" "$before_v" "  no volume left"
	assert_eq "$(ctrs)" "$before_c" "  no container left"
}
bad "unknown --mount key" --mount "type=bind,src=$T,dst=/m,foo=bar"
assert_match "$err" 'unknown key "foo"' "  names the key"
bad "unknown --mount type" --mount "type=nfs,dst=/m"
bad "--mount without a target" --mount "type=volume,src=x"
bad "--mount with a bad volume name" --mount "type=volume,src=a..b,dst=/m"
bad "-v with a '/' in a name" -v "a/b:/m"
bad "-v with '..' in a name" -v "a..b:/m"
bad "-v with a bad option" -v "newvol:/m:bogus"
bad "a good new volume and a bad flag" -v "newvol:/m" --restart bogus
burrow create --name taken $IMG true >/dev/null
before_c=$(ctrs)
bad "a new volume with a name already used" --name taken -v "newvol2:/m" -v /anon2

# --- volume prune
burrow rm -f taken >/dev/null
run burrow create -v inuse:/x $IMG true
keep=$out
run burrow volume create --label p=1 pl
run burrow volume prune -f --filter label=p=1
assert_rc 0 "volume prune --filter label"
assert_eq "$out" "pl" "  removes only the matching unused volume"
run sh -c 'echo n | "$BURROW" volume prune'
assert_match "$err" "WARNING! This will remove all volumes not used by at least one container" "volume prune asks"
assert_true "  and keeps the volumes on no" test -d "$V/v1"
run burrow volume prune -f
assert_rc 0 "volume prune -f"
assert_match "$out" "v1" "  removes unused volumes"
assert_true "  keeps a volume in use" test -d "$V/inuse"
burrow rm "$keep" >/dev/null
burrow volume prune -f >/dev/null
assert_eq "$(vols)" "" "everything pruned"
assert_eq "$(find "$V" -mindepth 1 -maxdepth 1 -name '.*' ! -name .lock)" "" "  no temporary directories left"

# --- differential: the same command lines through podman (a private store)
if command -v podman >/dev/null 2>&1 && [ -z "${BURROW_NO_PODMAN:-}" ]; then
	PR="$FIXTURE_DIR/podman"
	pod() { podman --root "$PR/root" --runroot "$PR/run" --events-backend none "$@"; }
	# same CMD...: exit status and message (prefix dropped) as podman's
	same() {
		_p_err=$(pod "$@" 2>&1 >/dev/null)
		_p_rc=$?
		run burrow "$@"
		assert_eq "$rc" "$_p_rc" "podman parity: $* exits $_p_rc"
		if [ "${SAME_MSG:-1}" = 1 ]; then
			assert_eq "$(printf '%s' "$err" | sed 's/^burrow: error: //')" \
				"$(printf '%s' "$_p_err" | sed 's/^Error: //')" "  and prints podman's message"
		fi
	}
	same volume create d1
	same volume create d1
	same volume exists d1
	same volume exists d2
	same volume inspect d2
	same volume rm d2
	# burrow names the bad name in its message: the status only
	SAME_MSG=0 same volume create 'a/b'
	SAME_MSG=0 same volume create '..'
	SAME_MSG=0 same volume ls --filter bogus=1
	same volume create -l k=v d2
	pod_ls=$(pod volume ls --filter label=k=v)
	assert_eq "$(burrow volume ls --filter label=k=v)" "$pod_ls" "podman parity: volume ls --filter label, the table"
	pod_q=$(pod volume ls -q | sort)
	assert_eq "$(burrow volume ls -q --filter name=d | sort)" "$pod_q" "podman parity: volume ls -q"
	pod_f=$(pod volume inspect --format '{{.Name}} {{.Driver}} {{.Scope}} {{.Labels.k}}' d2)
	assert_eq "$(burrow volume inspect --format '{{.Name}} {{.Driver}} {{.Scope}} {{.Labels.k}}' d2)" "$pod_f" \
		"podman parity: volume inspect --format"
	pod_p=$(pod volume prune -f --filter label=k=v)
	assert_eq "$(burrow volume prune -f --filter label=k=v)" "$pod_p" "podman parity: volume prune -f --filter"
	same volume rm d1
	pod unshare rm -rf "$PR" >/dev/null 2>&1 || true
else
	skip "podman is not installed: no comparison"
fi

done_testing
