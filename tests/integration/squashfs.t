#!/bin/sh
# shellcheck disable=SC2154,SC2016 # $out, $err and $rc come from tap.sh; quoted $ are for the container
# Single-file images: save --format squashfs writes the flattened image and
# its config into one SquashFS file; run, create and inspect take its path.
# The config is honoured, whiteouts, hard links, symlinks, xattrs and the
# owners are kept (squashed with the single-ID map), the file is never
# written, the store is never touched, and nothing is left behind, even
# when the container is killed; a damaged file is a one-line error, 125.
# The containers of one file share one squashfuse mount, which goes a
# grace period after the last of them (BURROW_SQFS_SHARE seconds, short
# here); BURROW_SQFS_SHARE=0 mounts the file per container.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
command -v squashfuse_ll >/dev/null 2>&1 || skip_all "squashfuse is not installed (Debian package squashfuse)"
[ -r /dev/fuse ] && [ -w /dev/fuse ] || skip_all "/dev/fuse is not usable by this user"
fixture_store
T=$FIXTURE_DIR
R=$BURROW_ROOT
fixture_image local/busybox:1

me=$(id -u)
export BURROW_SQFS_SHARE=0.3
store_size() { du -s --apparent-size -B1 "$R/layers" "$R/blobs" "$R/images" "$R/names.json" 2>/dev/null | awk '{ s += $1 } END { print s }'; }
daemons() { pgrep -u "$me" -x squashfuse_ll 2>/dev/null | tr '\n' ' '; }
# no squashfuse and no shared mount's files: once the grace period is over
gone() { [ -z "$(daemons)" ] && [ -z "$(ls -A "$BURROW_RUNROOT/sqfs" 2>/dev/null)" ]; }
supervisor() { awk '/^PPid:/ { print $2 }' "/proc/$(burrow inspect -f '{{.State.Pid}}' "$1")/status"; }
rundirs() { find "$BURROW_RUNROOT/containers" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l; }

C=$T/ctx
mkdir -p "$C"
cat >"$C/Dockerfile" <<'EOD'
FROM local/busybox:1
RUN mkdir -p /app/sub && echo data >/app/f && ln /app/f /app/hl && ln -s f /app/sl && \
    chown 1000:2000 /app/f && chown 1000:1000 /app/sub && chmod 0640 /app/f && rm /bin/vi && \
    mkfifo /app/fifo && chown 0:2000 /etc && chmod 0775 /etc
RUN rm -rf /home/user
ENV GREETING=hello
WORKDIR /app
LABEL org.example.k=v
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["echo $GREETING from $(pwd)"]
EOD
run burrow build -q -t local/app:1 "$C"
assert_rc 0 "an image to save is built"

# --- save
run burrow save --format squashfs local/app:1
assert_rc 125 "--format squashfs without -o is refused"
assert_match "$err" "needs -o FILE" "  and says -o FILE is needed"
run burrow save --format squashfs -o "$T/x.sqfs" local/app:1 local/busybox:1
assert_rc 125 "--format squashfs saves one image"
images_before=$(burrow images --no-trunc -q | sort | tr '\n' ' ')
size_before=$(store_size)
run burrow save --format squashfs -o "$T/app.sqfs" local/app:1
assert_rc 0 "save --format squashfs -o FILE"
assert_eq "$(head -c 4 "$T/app.sqfs")" "hsqs" "  writes a SquashFS file"
assert_eq "$(tail -c 8 "$T/app.sqfs")" "BURROWC1" "  with the image config after it"
assert_eq "$(find "$T" -maxdepth 1 -name 'app.sqfs.tmp*' | wc -l)" "0" "  and no temporary file left"
sum_before=$(sha256sum <"$T/app.sqfs")

# --- run: the config is honoured
run burrow run --rm "$T/app.sqfs"
assert_rc 0 "run FILE"
assert_eq "$out" "hello from /app" "  entrypoint, cmd, env and workdir come from the file"
cd "$T" || bail_out "cd $T"
run burrow run --rm ./app.sqfs 'echo relative'
assert_eq "$out" "relative" "a ./relative path runs too, arguments replace the cmd"
cd / || bail_out "cd /"
run burrow run --rm "$T/app.sqfs" '[ -e /bin/vi ] || echo gone; [ -e /home/user ] || echo gone2; readlink /app/sl; stat -c %h /app/f; [ "$(stat -c %i /app/f)" = "$(stat -c %i /app/hl)" ] && echo same; [ -p /app/fifo ] && echo fifo; cat /app/hl'
assert_eq "$out" "gone
gone2
f
2
same
fifo
data" "whiteouts applied; symlinks, hard links, fifos and content kept"
# xattrs: an image layer with one (a pax header), read back from the
# SquashFS with squashfs-tools-ng's sqfs2tar
if command -v python3 >/dev/null 2>&1 && command -v sqfs2tar >/dev/null 2>&1; then
	python3 - "$T/x.tar" <<'EOP'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    i = tarfile.TarInfo("xf")
    i.size = 2
    i.pax_headers = {"SCHILY.xattr.user.burrow": "yes"}
    t.addfile(i, io.BytesIO(b"x\n"))
EOP
	burrow import "$T/x.tar" local/x:1 >/dev/null
	burrow save --format squashfs -o "$T/x.sqfs" local/x:1
	run sh -c "sqfs2tar '$T/x.sqfs' | python3 -c 'import sys, tarfile; t = tarfile.open(fileobj=sys.stdin.buffer, mode=\"r|\"); print([m.pax_headers.get(\"SCHILY.xattr.user.burrow\") for m in t if m.name.endswith(\"xf\")][0])'"
	assert_eq "$out" "yes" "xattrs are kept"
	burrow rmi local/x:1 >/dev/null
else
	skip "python3 or sqfs2tar (squashfs-tools-ng) missing"
fi
run burrow info
if printf '%s' "$out" | grep -q 'owners in the file kept'; then
	run burrow run --rm "$T/app.sqfs" 'stat -c "%u:%g %a" /app/f; stat -c "%u:%g" /app/sub; id -u'
	assert_eq "$out" "1000:2000 640
1000:1000
0" "the owners and modes in the file are kept with subordinate IDs"
else
	skip "no subordinate IDs here: owners are squashed"
fi
run burrow run --rm "$T/app.sqfs" 'echo changed >/app/f && echo new >/app/new && mkdir /app/sub/d && cat /app/f /app/new'
assert_eq "$out" "changed
new" "the root filesystem is writable"
run burrow run --rm "$T/app.sqfs" 'cat /app/f; [ -e /app/new ] || echo fresh'
assert_eq "$out" "data
fresh" "  and each container starts from the file again"
assert_eq "$(sha256sum <"$T/app.sqfs")" "$sum_before" "  the file itself is never written"
assert_eq "$(burrow images --no-trunc -q | sort | tr '\n' ' ')" "$images_before" "burrow images is unchanged"
assert_eq "$(store_size)" "$size_before" "the store's size is unchanged: nothing was pulled or unpacked"
poll gone
assert_rc 0 "no squashfuse is left after the runs"
assert_eq "$(rundirs)" "0" "no runtime directory is left"

# --- create, start, inspect
run burrow create --name made "$T/app.sqfs"
assert_rc 0 "create FILE"
run burrow start -a made
assert_eq "$out" "hello from /app" "  start runs it"
run burrow inspect -f '{{.ImageName}}' made
assert_eq "$out" "$T/app.sqfs" "  the container names the file as its image"
run burrow commit made local/from-file:1
assert_rc 125 "commit of a container of a file is refused (its changes are not kept)"
assert_match "$err" "single-file image" "  and says why"
run burrow diff made
assert_rc 125 "so is diff"
burrow rm made >/dev/null
run burrow inspect "$T/app.sqfs"
assert_rc 0 "inspect FILE"
assert_match "$out" '"WorkingDir": "/app"' "  shows the image config"
assert_match "$out" '"org.example.k": "v"' "  with its labels"
assert_match "$out" '"Type": "squashfs"' "  and the rootfs type"
run burrow image inspect -f '{{.Config.WorkingDir}}' "$T/app.sqfs"
assert_eq "$out" "/app" "image inspect FILE too"

# --- a killed container leaves nothing
run burrow run -d --name k "$T/app.sqfs" 'exec sleep 1000'
assert_rc 0 "a detached container from the file"
pid=$(burrow inspect -f '{{.State.Pid}}' k)
assert_ne "$(daemons)" "" "  squashfuse serves it while it runs"
[ "${pid:-0}" -gt 1 ] && kill -9 "$pid"
run burrow wait k
assert_eq "$out" "137" "  kill -9 of its process ends it"
poll gone
assert_rc 0 "  and its squashfuse is gone"
assert_eq "$(rundirs)" "0" "  and its runtime directory"
burrow rm k >/dev/null

# --- one mount for the containers of a file
if [ -n "$(ls -A "$BURROW_RUNROOT/userns" 2>/dev/null)" ]; then
	burrow run -d --name s1 "$T/app.sqfs" 'exec sleep 1000' >/dev/null
	burrow run -d --name s2 "$T/app.sqfs" 'exec sleep 1000' >/dev/null
	run burrow exec s2 cat /app/hl
	assert_eq "$out" "data" "two containers of one file run"
	assert_eq "$(daemons | wc -w)" "1" "  and share one squashfuse"
	p1=$(supervisor s1)
	assert_eq "$(grep -c squashfuse "/proc/$p1/mountinfo")" "0" "  which is mounted in no supervisor's mount namespace"
	run burrow run --rm local/busybox:1 grep -c fuse-overlayfs /proc/self/mountinfo
	want=$out
	run burrow run --rm "$T/app.sqfs" 'grep -c fuse-overlayfs /proc/self/mountinfo'
	assert_eq "$out" "$want" "  the overlay over it is the one a store image gets (the kernel's where it can)"
	burrow rm -f s1 >/dev/null
	run burrow exec s2 cat /app/f
	assert_eq "$out" "data" "  it stays while a container uses it"
	burrow rm -f s2 >/dev/null
	poll gone
	assert_rc 0 "  and goes after the last one and the grace period, with its files"
	# a start takes a live shared mount through KEY.ref, which names the
	# sharer and its daemon (BURROW_SQFS_QUICK_REF=0: under KEY.lock)
	burrow run -d --name s4 "$T/app.sqfs" 'exec sleep 1000' >/dev/null
	sharer=$(cut -d' ' -f1 "$BURROW_RUNROOT"/sqfs/*.pid 2>/dev/null)
	fuse=$(cut -d' ' -f1 "$BURROW_RUNROOT"/sqfs/*.fuse 2>/dev/null)
	assert_eq "$(cut -d' ' -f1,3 "$BURROW_RUNROOT"/sqfs/*.ref 2>/dev/null)" "$sharer $fuse" "the shared mount's reference file names the sharer and its daemon"
	run env BURROW_SQFS_QUICK_REF=1 "$BURROW" --log-level debug run --rm "$T/app.sqfs" 'cat /app/f'
	assert_eq "$rc:$out:$(daemons | wc -w)" "0:data:1" "  a start beside a running container uses that mount"
	assert_match "$err" "sqfs: the shared mount by $sharer, through its reference file" "  found through that file"
	run env BURROW_SQFS_QUICK_REF=0 "$BURROW" --log-level debug run --rm "$T/app.sqfs" 'cat /app/f'
	assert_eq "$rc:$out:$(daemons | wc -w)" "0:data:1" "  BURROW_SQFS_QUICK_REF=0: so does one that looks it up under the lock"
	assert_no_match "$err" "through its reference file" "  without that file's record"
	# /etc/hostname: the image has none; the writable layer gets /etc
	# with the image's mode and owner and the file (BURROW_SQFS_ETC=0:
	# the overlay's copy-up)
	etc='stat -c "%a %u:%g" /etc; [ "$(cat /etc/hostname)" = "$(hostname)" ] && echo named; ls /etc | tr "\n" " "'
	run env BURROW_SQFS_ETC=1 "$BURROW" --log-level debug run --rm "$T/app.sqfs" "$etc"
	mine=$out
	assert_match "$err" "sqfs: /etc made with the writable layer" "  /etc comes with the writable layer"
	run env BURROW_SQFS_ETC=0 "$BURROW" --log-level debug run --rm "$T/app.sqfs" "$etc"
	assert_no_match "$err" "sqfs: /etc made" "  BURROW_SQFS_ETC=0: it is copied up"
	assert_eq "$mine" "$out" "  and the container sees the same /etc either way"
	assert_match "$mine" "^775 0:2000
named" "  with the image's mode and owner, and the hostname"
	burrow create --name st4 "$T/app.sqfs" true >/dev/null
	assert_eq "$(burrow cp st4:/etc - | tar -t | grep -c hostname)" "0" "  not when a stopped container's files are looked at (cp)"
	burrow rm st4 >/dev/null
	# /proc, /sys, /dev: mount points, made with the writable layer
	# (BURROW_SQFS_MNTDIRS=0: looked up in the lower)
	run env BURROW_SQFS_MNTDIRS=1 "$BURROW" --log-level debug run --rm "$T/app.sqfs" 'ls /proc/self/ns/mnt /sys/kernel /dev/null >/dev/null && echo there'
	assert_eq "$rc:$out" "0:there" "  /proc, /sys and /dev are mounted"
	assert_match "$err" "sqfs: /proc made with the writable layer" "  on mount points made with the writable layer"
	run env BURROW_SQFS_MNTDIRS=0 "$BURROW" --log-level debug run --rm "$T/app.sqfs" 'ls /proc/self/ns/mnt /sys/kernel /dev/null >/dev/null && echo there'
	assert_eq "$rc:$out" "0:there" "  BURROW_SQFS_MNTDIRS=0: mounted too"
	assert_no_match "$err" "sqfs: /proc made" "  on the image's own directories"
	burrow rm -f s4 >/dev/null
	run burrow run --rm "$T/app.sqfs" 'cat /app/f'
	sharer=$(cut -d' ' -f1 "$BURROW_RUNROOT"/sqfs/*.pid 2>/dev/null)
	[ -n "$sharer" ] && kill -9 "$sharer"
	run burrow run --rm "$T/app.sqfs" 'cat /app/f'
	assert_eq "$rc:$out" "0:data" "a killed shared mount is replaced by the next container"
	poll gone
	assert_rc 0 "  and nothing is left"
	run env BURROW_SQFS_SHARE=0 "$BURROW" run -d --name s3 "$T/app.sqfs" 'exec sleep 1000'
	p3=$(supervisor s3)
	assert_eq "$(grep -c squashfuse "/proc/$p3/mountinfo")" "1" "BURROW_SQFS_SHARE=0: the container mounts the file itself"
	burrow rm -f s3 >/dev/null
	assert_eq "$(daemons)" "" "  and its squashfuse goes with it"
else
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24; do skip "no kept user namespace here: each container mounts the file"; done
fi

# --- the single-ID map squashes the owners
run env BURROW_IDMAP=single "$BURROW" run --rm "$T/app.sqfs" 'stat -c "%u:%g" /app/f /app/sub; echo more >>/app/f && cat /app/f'
assert_eq "$out" "0:0
0:0
data
more" "with the single-ID map the owners are squashed to root, files stay writable"
run env BURROW_IDMAP=single "$BURROW" info
assert_match "$out" "owners in the file squashed to root" "  and burrow info says so"

# --- --userns=keep-id: the user inside, with an entry, the file's owners kept
run burrow info
subids=no
printf '%s' "$out" | grep -q 'owners in the file kept' && subids=yes
run burrow run --rm --userns=keep-id "$T/app.sqfs" 'id -u; id -g; grep "^[^:]*:[^:]*:$(id -u):" /etc/passwd | cut -d: -f3,4; stat -c "%u:%g" /bin/busybox; touch /tmp/k && stat -c "%u" /tmp/k'
assert_rc 0 "--userns=keep-id with a single-file image"
if [ $subids = yes ]; then
	assert_eq "$out" "$me
$(id -g)
$me:$(id -g)
0:0
$me" "  runs as the user, with a passwd entry; root's files stay root's, the user's new file is the user's"
	run burrow run --rm --userns=keep-id --user 0 "$T/app.sqfs" 'stat -c "%u:%g %a" /app/f; stat -c "%u:%g" /app/sub; echo more >>/app/f && cat /app/f'
	assert_eq "$out" "1000:2000 640
1000:1000
data
more" "  the owners in the file are kept, and its root can write"
else
	assert_match "$out" "^$me
$(id -g)
$me:$(id -g)
" "  runs as the user, with a passwd entry"
	skip "no subordinate IDs here: the file's owners can't be kept"
fi
run env BURROW_IDMAP=single "$BURROW" run --rm --userns=keep-id "$T/app.sqfs" 'id -u; echo x >/app/k && cat /app/k'
assert_eq "$out" "$me
x" "  with the single-ID map too (all files the user's)"
poll gone
assert_rc 0 "  and no squashfuse is left"

# --- fuse-overlayfs on top, as where the kernel overlay can't be used
run env BURROW_OVERLAY=fuse "$BURROW" run --rm "$T/app.sqfs" 'cat /app/hl; echo changed >/app/f && cat /app/f; grep -c "fuse-overlayfs" /proc/self/mountinfo'
assert_eq "$out" "data
changed
1" "fuse-overlayfs over the file works too"

# --- a container of the file doesn't hold the store's image
burrow create --name holder "$T/app.sqfs" >/dev/null
run burrow system check --quick
assert_rc 0 "system check finds nothing wrong with a container of a file"
run burrow rmi local/app:1
assert_rc 0 "the image the file was saved from can be removed"
run burrow start -a holder
assert_eq "$out" "hello from /app" "  and the container of the file still runs"
burrow rm holder >/dev/null

# --- a SquashFS without burrow's config runs with the defaults
if command -v tar2sqfs >/dev/null 2>&1; then
	tar2sqfs -q "$T/plain.sqfs" <"$(fixture_rootfs_tar none)" >/dev/null 2>&1
	run burrow run --rm "$T/plain.sqfs" sh -c 'echo $PATH; pwd'
	assert_eq "$out" "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
/" "a SquashFS without a config runs with the defaults"
	run burrow run --rm "$T/plain.sqfs"
	assert_rc 125 "  and needs a command"
else
	skip "tar2sqfs (squashfs-tools-ng) is not installed"
	skip "tar2sqfs (squashfs-tools-ng) is not installed"
fi

# --- damaged and hostile files
head -c 20000 "$T/app.sqfs" >"$T/trunc.sqfs"
run burrow run --rm "$T/trunc.sqfs" true
assert_rc 125 "a truncated file fails with 125"
assert_match "$err" "^burrow: error: .*trunc.sqfs: truncated SquashFS" "  with a one-line error"
assert_eq "$(printf '%s\n' "$err" | wc -l)" "1" "  of one line"
run burrow inspect "$T/trunc.sqfs"
assert_rc 125 "inspect of a truncated file fails with 125"
printf 'hsqs but not really a squashfs superblock, padded: %0200d\n' 0 >"$T/bad.sqfs"
run burrow create "$T/bad.sqfs" true
assert_rc 125 "a bad superblock fails with 125"
assert_match "$err" "^burrow: error: .*bad.sqfs: (corrupt SquashFS|unsupported SquashFS|not a SquashFS)" "  and says so"
run burrow run --rm "$T/missing.sqfs" true
assert_rc 125 "a missing file fails with 125"
run burrow run --rm "$T" true
assert_rc 125 "a directory is not an image file"
assert_eq "$(burrow ps -a -q | wc -l)" "0" "no container record is left by the failures"
poll gone
assert_rc 0 "no squashfuse is left at the end"
done_testing
