#!/bin/sh
# Compatibility with podman: volumes, -v/--mount/--volumes-from, the same
# command lines through both (tests/lib/compat.sh).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
. "$(dirname "$0")/../lib/compat.sh"
compat_init
mkdir -p "$COMPAT_W/host/dir"
echo data >"$COMPAT_W/host/dir/file"
compat_host

compat_cases <<'EOF_T'
# --- volume create/ls/inspect/rm/prune/exists
0    o  $B volume create v1
0    o  $B volume create -l team=a -l tier v2
0    o  $B volume create --label team=b v3
125  e  $B volume create v1
0/125 o  $B volume create --ignore v1 ## --ignore is podman 4.4's, newer than the 4.3 compared with
0    -  $B volume exists v2
1    -  $B volume exists nope
0    o  $B volume ls
0    o  $B volume ls -q
0    o  $B volume ls --filter label=team=a
0    o  $B volume ls --filter label=team --format '{{.Name}} {{.Driver}}'
0/125 o  $B volume ls --filter label!=team=a -q ## label! for volumes is podman 4.4's
0    o  $B volume ls --filter name=v2 --filter name=v3 -q
0    o  $B volume ls --filter driver=local --filter dangling=true -q
0    o  $B volume ls --format 'table {{.Name}}\t{{.Labels}}'
125  e  $B volume ls --filter bogus=1
0    o  $B volume inspect --format '{{.Name}} {{.Driver}} {{.Scope}} {{.Labels.team}} {{len .Options}}' v2
0    o  $B volume inspect --format '{{json .Labels}}' v2 v3
125  e  $B volume inspect nope
0    o  $B volume inspect v1 | grep -c Mountpoint
0    o  $B volume prune -f --filter label=team=b
0    o  $B volume ls -q
0    o  $B volume rm v2
1    e  $B volume rm nope
# --- -v NAME:/path, anonymous volumes, --volumes-from, :U :z :Z
0    o  $B run --name c1 -v data:/data $COMPAT_IMG sh -c 'echo hi >/data/f; cat /data/f'
0    o  $B volume ls -q
0    o  $B run --rm -v data:/data:ro $COMPAT_IMG cat /data/f
1    -  $B run --rm -v data:/data:ro $COMPAT_IMG touch /data/g
0    o  $B run --name c2 -v /anon $COMPAT_IMG sh -c 'echo a >/anon/x'
0    o  $B volume ls -q --filter dangling=false | wc -l
0    o  $B inspect --format '{{range .Mounts}}{{.Type}} {{.Destination}} {{.RW}};{{end}}' c1
0    o  $B run --rm --volumes-from c1 $COMPAT_IMG cat /data/f
0    o  $B run --rm --volumes-from c1:ro $COMPAT_IMG sh -c 'touch /data/z || echo ro'
125  e  $B run --rm --volumes-from nope $COMPAT_IMG true
0    o  $B run --rm -v $H/dir:/h:z $COMPAT_IMG cat /h/file
0    o  $B run --rm -v $H/dir:/h:Z,ro $COMPAT_IMG cat /h/file
0    o  $B run --rm -v data:/data:U $COMPAT_IMG stat -c %u /data/f
2    e  $B volume rm data
0    o  $B rm c1 c2 | sort
0    o  $B volume rm data
# --- --mount
0    o  $B run --rm --mount type=bind,source=$H/dir,target=/h,readonly $COMPAT_IMG cat /h/file
1    -  $B run --rm --mount type=bind,src=$H/dir,dst=/h,ro=true $COMPAT_IMG touch /h/new
0    o  $B run --rm --mount type=volume,source=mv,target=/m $COMPAT_IMG sh -c 'echo m >/m/f; cat /m/f'
0    o  $B run --rm --mount type=volume,src=mv,destination=/m,ro $COMPAT_IMG cat /m/f
0    o  $B run --rm --mount type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1770 $COMPAT_IMG stat -c %a /t
0    o  $B run --rm --mount type=tmpfs,destination=/t $COMPAT_IMG sh -c 'grep " /t " /proc/mounts | cut -d" " -f3'
# burrow's messages quote the whole --mount value and say what it takes
# (the valid keys, types), where podman's name the bad word only: kept
125  -  $B run --rm --mount type=bind,source=$H/dir,target=/h,bogus=1 $COMPAT_IMG true
125  -  $B run --rm --mount type=nope,target=/h $COMPAT_IMG true
125  -  $B run --rm --mount type=bind,source=$H/dir $COMPAT_IMG true
125  -  $B run --rm -v $H/missing:/h $COMPAT_IMG true
0    o  $B volume inspect --format '{{.Name}}' --all
0    o  $B volume prune -f
0    o  $B volume ls -q
EOF_T

done_testing
