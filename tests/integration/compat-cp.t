#!/bin/sh
# Compatibility with podman: cp both ways, commit, export and import, the
# same command lines through both (tests/lib/compat.sh).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
. "$(dirname "$0")/../lib/compat.sh"
compat_init
mkdir -p "$COMPAT_W/host/src/sub" "$COMPAT_W/host/out"
echo hello >"$COMPAT_W/host/src/file"
echo deep >"$COMPAT_W/host/src/sub/deep"
(cd "$COMPAT_W/host/src" && tar -cf ../stream.tar file sub)
compat_host

compat_cases <<'EOF_T'
0    -  $B create --name c $COMPAT_IMG sh -c 'echo changed >/etc/motd; mkdir -p /data/d; echo x >/data/d/f'
0    o  $B start -a c
# --- cp into and out of a stopped container
0    o  $B cp $H/src/file c:/tmp/
0    o  $B cp $H/src c:/tmp/srcdir
0    o  $B cp c:/tmp/file $H/out/f1 && cat $H/out/f1
0    o  $B cp c:/tmp/srcdir $H/out/ && find $H/out/srcdir | sort | sed "s|$H||"
0    o  $B cp c:/data/d/. $H/out/dot && ls $H/out/dot
0    o  $B cp c:/data/d/f - | tar -tvf - | awk '{print $1, $6}'
# podman's tar names directories without the trailing slash GNU tar and
# burrow give them: both are the same to every tar reader
0    o  $B cp c:/data - | tar -tf - | sed 's|/$||' | sort
0    o  $B cp - c:/tmp/ <$H/stream.tar && $B cp c:/tmp/sub/deep -  | tar -xOf -
125  e  $B cp c:/nonexistent $H/out/
125  e  $B cp $H/nope c:/tmp/
125  e  $B cp $H/src/file nosuch:/tmp/
125  -  $B cp $H/src/file $H/out/ ## podman: "copying from host to host is not supported"; burrow's words differ
125  -  $B cp $H/src c:/tmp/file ## a directory onto a file: both refuse, each in its words
# --- commit
0    o  $B commit -q c local/c1 | wc -c
0    o  $B commit -f docker -c 'CMD ["cat","/etc/motd"]' -c 'ENV A=1' -c 'LABEL k=v' -c 'WORKDIR /tmp' -c 'EXPOSE 80' -c 'USER 1000' -m msg -a me -q c local/c2 | wc -l
0/125 -  $B commit -q -m msg c local/c5 ## podman 4.3 takes -m with -f docker only; an OCI image keeps the message in its history, as newer podman does
0    o  $B image inspect --format '{{.Config.Cmd}} {{.Config.Labels.k}} {{.Labels.k}} {{.Config.WorkingDir}} {{.Config.User}} {{.Author}} {{.User}}' local/c2
0    oT $B image inspect --format '{{.Comment}}' local/c2 ## commit -f docker still writes an OCI config, which has no comment field
# podman commits the environment its container got from podman (TERM, container=podman)
0/0  -  $B image inspect --format '{{.Config.Env}}' local/c2
0    o  $B image inspect --format '{{json .Config.ExposedPorts}}' local/c2
0    o  $B run --rm local/c2
0    -  $B history --format '{{.Comment}}' local/c2 | head -n 1 ## podman 4.3 puts "FROM base" in the new history entry and -m in the config only; burrow puts -m in the history entry
0    o  $B commit -q --format docker c local/c3 | wc -c
125  -  $B commit -c 'BOGUS x' c local/c4 ## burrow's message lists the instructions it takes
125  eT $B commit c -c 'BOGUS x' local/c4 ## options after the first argument (cobra's interspersed flags) are not parsed yet
125  e  $B commit nosuch local/c4
0    o  $B images --format '{{.Repository}}:{{.Tag}}' | grep -v c5 | sort
# --- export and import
0    o  $B export c | tar -tf - | grep -E '^(./)?etc/motd$'
0    o  $B export -o $H/c.tar c && tar -xOf $H/c.tar etc/motd 2>/dev/null || tar -xOf $H/c.tar ./etc/motd
125  e  $B export nosuch
0    o  $B import -q $H/c.tar local/imp | wc -c
0    o  $B import -q -c 'CMD ["cat","/etc/motd"]' -m imported $H/c.tar local/imp2 | wc -c
0    o  $B run --rm local/imp2
0    o  $B history --format '{{.Comment}}' local/imp2 | head -n 1
0    o  $B image inspect --format '{{.Comment}}|{{.Labels}}|{{.User}}' local/imp2
0    o  $B import -q - local/imp3 <$H/c.tar | wc -c
125  -  $B import $H/nope local/imp4 ## both fail naming the file, each in its words
0    o  $B rm c
EOF_T

done_testing
