#!/bin/sh
# shellcheck disable=SC2154,SC2016 # $out, $err and $rc come from tap.sh; quoted $ are for the container
# burrow build: podman-style output, every instruction, the step cache (hits,
# misses on COPY and --build-arg changes, --no-cache), whiteouts,
# multi-stage (by name, by index, from an image, unused stages skipped,
# --target), .dockerignore, --layers=false, -q, -f, a tar context on stdin,
# --label, --platform, --network, bad input leaving nothing behind, and the
# intermediate images hidden by images and removed by image prune.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
T=$FIXTURE_DIR
R=$BURROW_ROOT
fixture_image busybox

cfg() { cat "$R/blobs/sha256/$1"; }          # config blob of image id
jcfg() { jq -c "$2" "$R/blobs/sha256/$1"; }   # jq over it
leftovers() { # scratch dirs, build containers, build rundirs
	find "$R/layers" "$R/containers" "$BURROW_RUNROOT" -mindepth 1 -maxdepth 1 \
		\( -path "$R/layers/.tmp*" -o -path "$R/containers/*" ! -name .lock ! -name '.spare-*' -o -name 'build-*' \) \
		-printf '%f ' 2>/dev/null
}
lastline() { printf '%s\n' "$1" | tail -n 1; }
newctx() { rm -rf "${T:?}/$1"; mkdir -p "$T/$1"; echo "$T/$1"; }

# --- FROM + RUN + metadata + -t, podman's output
C=$(newctx basic)
cat >"$C/Dockerfile" <<'EOF'
FROM busybox
ENV A=b
RUN echo out-line; echo err-line >&2; echo "hello $A" > /hello && rm /bin/vi
RUN true
LABEL x=y
CMD ["cat", "/hello"]
EOF
run burrow build -t basic:1 "$C"
assert_rc 0 "build FROM/ENV/RUN/LABEL/CMD"
assert_match "$out" '^STEP 1/6: FROM busybox' "  STEP 1/6: FROM busybox"
assert_match "$out" 'STEP 3/6: RUN echo out-line; echo err-line >&2; echo "hello \$A" > /hello && rm /bin/vi' "  STEP lines show the instruction as written"
assert_match "$out" 'out-line' "  RUN stdout is streamed"
assert_match "$out$err" 'err-line' "  RUN stderr is streamed"
assert_match "$out" '--> [0-9a-f]{12}' "  each step prints --> ID"
assert_match "$out" 'COMMIT basic:1' "  COMMIT with the tag"
assert_match "$out" 'Successfully tagged localhost/basic:1' "  Successfully tagged with the normalized name"
id=$(lastline "$out")
assert_match "$id" '^[0-9a-f]{64}$' "  the last line is the full image id"
step2=$(printf '%s\n' "$out" | sed -n 's/^--> \([0-9a-f]\{12\}\)$/\1/p' | head -n 1)
run burrow run --rm basic:1
assert_eq "$out" "hello b" "the image runs its CMD and has the RUN's file"
run burrow run --rm basic:1 ls /bin/vi
assert_rc 1 "a file deleted by RUN is gone in the image"
assert_eq "$(jcfg "$id" '.rootfs.diff_ids | length')" "2" "  one new layer: RUN true and the metadata steps add none"
assert_eq "$(jcfg "$id" '[.history[] | select(.empty_layer != true)] | length')" "2" "  history: two non-empty entries (base + RUN)"
assert_eq "$(jcfg "$id" '.history[-1].created_by')" '"/bin/sh -c #(nop) CMD [\"cat\", \"/hello\"]"' "  history created_by like podman's"
assert_eq "$(jcfg "$id" '.config.Labels.x')" '"y"' "  LABEL in the config"
run burrow history basic:1
assert_match "$out" 'echo out-line' "history shows the RUN step"
assert_match "$out" "^$step2 .*ENV A=b" "  and names each step's image, as podman does"
# the layer of the RUN has a whiteout and no runtime mount points
burrow save -o "$T/basic.tar" basic:1 2>/dev/null
mkdir -p "$T/basic.x" && tar -C "$T/basic.x" -xf "$T/basic.tar"
all=$(find "$T/basic.x" -type f -exec sh -c 'tar -tf "$1" 2>/dev/null' sh {} \;)
assert_match "$all" 'bin/\.wh\.vi' "  the saved layer carries a .wh.vi whiteout"
assert_no_match "$all" 'etc/hosts|etc/resolv.conf|etc/hostname' "  and no /etc/hosts, resolv.conf or hostname placeholder"
assert_eq "$(leftovers)" "" "  no scratch dir, container or rundir is left"

# --- the cache
run burrow build -t basic:1 "$C"
assert_rc 0 "rebuild"
assert_eq "$(printf '%s\n' "$out" | grep -c '^--> Using cache [0-9a-f]\{64\}$')" "5" "  every step after FROM is a cache hit"
assert_no_match "$out" '^out-line' "  nothing runs"
assert_eq "$(lastline "$out")" "$id" "  the same image id"
run burrow build --no-cache -t basic:nc "$C"
assert_no_match "$out" 'Using cache' "--no-cache runs every step"
assert_match "$out" 'out-line' "  the RUN ran"
assert_ne "$(lastline "$out")" "$id" "  a new image"

C=$(newctx cache)
echo one >"$C/f.txt"
cat >"$C/Dockerfile" <<'EOF'
FROM busybox
ARG V=1
RUN echo "v=$V" > /v
COPY f.txt /f.txt
RUN cat /v /f.txt
EOF
run burrow build -t cache:1 "$C"
assert_rc 0 "build with ARG and COPY"
run burrow build -t cache:1 "$C"
assert_eq "$(printf '%s\n' "$out" | grep -c 'Using cache')" "4" "  rebuild: all 4 steps cached"
echo two >"$C/f.txt"
run burrow build -t cache:2 "$C"
assert_eq "$(printf '%s\n' "$out" | grep -c 'Using cache')" "2" "changed COPY source: ARG and the RUN before it are cached"
assert_match "$out" 'v=1
two' "  the COPY and the RUN after it run again"
touch "$C/f.txt"
run burrow build -t cache:2 "$C"
assert_eq "$(printf '%s\n' "$out" | grep -c 'Using cache')" "4" "touching a file keeps the cache (content, not mtime)"
run burrow build --build-arg V=2 -t cache:3 "$C"
assert_match "$out" 'v=2' "--build-arg V=2 reaches RUN"
assert_eq "$(printf '%s\n' "$out" | grep -c 'Using cache')" "0" "  and misses the cache from the ARG on"
run burrow run --rm cache:3 cat /v
assert_eq "$out" "v=2" "  the image has the new value"
run burrow run --rm cache:3 sh -c 'echo "[$V]"'
assert_eq "$out" "[]" "  build args are not kept in the image's env"
run burrow build --build-arg NOPE=1 -t cache:3 "$C"
assert_match "$err" 'one or more build args were not consumed: \[NOPE\]' "an unused --build-arg is warned about"

run burrow build -q -t two:a -t two:b "$C"
assert_match "$(burrow images)" '^localhost/two +a ' "-t is repeatable: the first name"
assert_match "$(burrow images)" '^localhost/two +b ' "  and the second"

# --- -q, -f, stdin context, --label
run burrow build -q -t cache:q "$C"
assert_rc 0 "-q"
assert_match "$out" '^[0-9a-f]{64}$' "  prints only the image id"
cp "$C/Dockerfile" "$T/Other.dockerfile"
run burrow build -q -f "$T/Other.dockerfile" "$C"
assert_match "$out" '^[0-9a-f]{64}$' "-f names the Dockerfile"
mkdir -p "$C/sub" && cp "$C/Dockerfile" "$C/sub/Build.df"
run sh -c "cd '$T' && '$BURROW' build -q -f sub/Build.df '$C'"
assert_match "$out" '^[0-9a-f]{64}$' "  a relative -f not in the current directory is found in the context"
run sh -c "tar -C '$C' -c . | '$BURROW' build -q --label a=1 --label b=two -t stdin:1 -"
assert_rc 0 "a tar context on stdin"
assert_eq "$(jcfg "$out" '.config.Labels')" '{"a":"1","b":"two"}' "  --label adds labels to the final image"
run sh -c "printf 'FROM busybox\nRUN echo from-stdin\n' | '$BURROW' build -f - '$C'"
assert_match "$out" 'from-stdin' "-f - reads the Dockerfile from stdin"

# --- every metadata instruction
C=$(newctx meta)
cat >"$C/Dockerfile" <<'EOF'
ARG BASE=busybox
FROM ${BASE}
MAINTAINER someone@example.org
ARG TARGETARCH
ENV P1=a P2="b c"
ENV LEGACY value with spaces
LABEL "com.example.k"="v" other=${P1}
EXPOSE 80 53/udp
WORKDIR /srv
WORKDIR sub
RUN echo "$TARGETARCH" > /arch
USER user:extra
VOLUME ["/data"]
VOLUME /cache /logs
STOPSIGNAL SIGINT
HEALTHCHECK --interval=5s --timeout=2s --retries=4 CMD ["true"]
ONBUILD RUN echo later
SHELL ["/bin/sh", "-ec"]
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["echo $P2 $(cat /arch); pwd; id -u"]
EOF
run burrow build -q -t meta:1 "$C"
assert_rc 0 "every metadata instruction"
m=$out
assert_eq "$(jcfg "$m" '.config.Env[1:]')" '["P1=a","P2=b c","LEGACY=value with spaces"]' "  ENV (both forms)"
assert_eq "$(jcfg "$m" '.config.Labels')" '{"com.example.k":"v","other":"a"}' "  LABEL with quotes and \$VAR"
assert_eq "$(jcfg "$m" '.config.ExposedPorts')" '{"80/tcp":{},"53/udp":{}}' "  EXPOSE"
assert_eq "$(jcfg "$m" '.config.WorkingDir')" '"/srv/sub"' "  WORKDIR, relative to the previous one"
assert_eq "$(jcfg "$m" '.config.User')" '"user:extra"' "  USER"
assert_eq "$(jcfg "$m" '.config.Volumes')" '{"/data":{},"/cache":{},"/logs":{}}' "  VOLUME (both forms)"
assert_eq "$(jcfg "$m" '.config.StopSignal')" '"SIGINT"' "  STOPSIGNAL"
assert_eq "$(jcfg "$m" '.config.Healthcheck')" '{"Test":["CMD","true"],"Interval":5000000000,"Timeout":2000000000,"Retries":4}' "  HEALTHCHECK"
assert_eq "$(jcfg "$m" '.config.OnBuild')" '["RUN echo later"]' "  ONBUILD is stored"
assert_eq "$(jcfg "$m" '.config.Shell')" '["/bin/sh","-ec"]' "  SHELL"
assert_eq "$(jcfg "$m" '.config.Entrypoint')" '["/bin/sh","-c"]' "  ENTRYPOINT"
assert_eq "$(jcfg "$m" '.author')" '"someone@example.org"' "  MAINTAINER"
run burrow run --rm meta:1
assert_eq "$out" "b c amd64
/srv/sub
1000" "  it runs as USER in WORKDIR; TARGETARCH and a global ARG in FROM work"

# --- WORKDIR makes its directory in a layer when it is missing
C=$(newctx workdir)
printf 'FROM busybox\nWORKDIR /made/here\nWORKDIR /tmp\n' >"$C/Dockerfile"
run burrow build -q "$C"
assert_rc 0 "WORKDIR of a missing directory"
wd=$out
assert_eq "$(jcfg "$wd" '.rootfs.diff_ids | length')" "2" "  one layer for the missing one, none for /tmp"
run burrow run --rm -w / "$wd" ls -ld /made/here
assert_match "$out" '^drwxr-xr-x .* /made/here$' "  the directory is in the image"

# --- RUN forms: exec, heredoc, SHELL, env/workdir/user of the stage
C=$(newctx runforms)
cat >"$C/Dockerfile" <<'DOCKERFILE'
FROM busybox
RUN ["/bin/sh", "-c", "echo exec-form > /exec"]
RUN <<EOF
echo line1 > /heredoc
echo line2 >> /heredoc
EOF
RUN cat <<EOT > /cat-heredoc
from cat
EOT
SHELL ["/bin/sh", "-xc"]
RUN echo shell-changed
WORKDIR /w
USER 1000
RUN pwd > /tmp/pwd; id -u >> /tmp/pwd
DOCKERFILE
run burrow build -t runforms:1 "$C"
assert_rc 0 "RUN exec form, heredocs, SHELL, WORKDIR, USER"
assert_match "$out$err" '\+ echo shell-changed' "  SHELL changes how RUN runs"
run burrow run --rm runforms:1 cat /exec /heredoc /cat-heredoc /tmp/pwd
assert_eq "$out" "exec-form
line1
line2
from cat
/w
1000" "  the files are in the image"

# --- COPY / ADD: .dockerignore, --chown by name, --chmod, ADD of a tar, heredoc
C=$(newctx copy)
mkdir -p "$C/dir/keep" "$C/dir/skip"
echo k >"$C/dir/keep/k.txt"; echo s >"$C/dir/skip/s.txt"; echo s2 >"$C/dir/skip/important.txt"
echo secret >"$C/secret.txt"
printf 'secret.txt\ndir/skip\n!dir/skip/important.txt\n' >"$C/.dockerignore"
mkdir -p "$T/tarsrc/inner" && echo t >"$T/tarsrc/inner/t.txt" && tar -C "$T/tarsrc" -czf "$C/a.tar.gz" inner
cat >"$C/Dockerfile" <<'DOCKERFILE'
FROM busybox
COPY dir /dir
COPY --chown=user:extra --chmod=0600 dir/keep/k.txt /owned/
ADD a.tar.gz /unpacked/
COPY <<EOF /etc/from-heredoc
heredoc content
EOF
ARG WHO=world
COPY <<EOF /etc/expanded
hello $WHO ${WHO:+set} ${NOPE:-dflt} \$WHO "q"
EOF
COPY <<"EOF" /etc/literal
hello $WHO
EOF
DOCKERFILE
run burrow build -t copy:1 "$C"
assert_rc 0 "COPY, --chown, --chmod, ADD, COPY heredoc"
run burrow run --rm copy:1 find /dir
assert_no_match "$out" 's\.txt' ".dockerignore excludes dir/skip/s.txt"
assert_match "$out" 'dir/skip/important\.txt' "  the ! exception brings dir/skip/important.txt back"
assert_match "$out" 'dir/keep/k\.txt' "  other files are copied"
run burrow run --rm copy:1 ls -ln /owned/k.txt
assert_match "$out" '^-rw------- +1 1000 +2000 ' "  --chown=user:extra (names from the image) and --chmod"
run burrow run --rm copy:1 cat /unpacked/inner/t.txt /etc/from-heredoc
assert_eq "$out" "t
heredoc content" "  ADD extracts a local tar.gz; COPY <<EOF writes a file"
run burrow run --rm copy:1 cat /etc/expanded /etc/literal
assert_eq "$out" 'hello world set dflt $WHO "q"
hello $WHO' "  an unquoted COPY heredoc expands variables, a quoted one does not"
printf 'FROM busybox\nCOPY secret.txt /\n' >"$C/Dockerfile"
run burrow build "$C"
assert_rc 125 "COPY of an ignored file fails"
printf 'FROM busybox\nCOPY ../outside /\n' >"$C/Dockerfile"
run burrow build "$C"
assert_rc 125 "COPY of a source outside the context fails"

# --- multi-stage
C=$(newctx multi)
cat >"$C/Dockerfile" <<'EOF'
FROM busybox AS unused
RUN echo unused-stage-ran; false

FROM busybox AS builder
RUN mkdir /out && echo built > /out/prog

FROM busybox AS second
RUN echo second > /second

FROM scratch
COPY --from=builder /out /app
COPY --from=2 /second /second
COPY --from=busybox /bin/busybox /bin/busybox
CMD ["/bin/busybox", "cat", "/app/prog", "/second"]
EOF
run burrow build -t multi:1 "$C"
assert_rc 0 "multi-stage into scratch (COPY --from by name, index and image)"
assert_no_match "$out" 'unused-stage-ran' "  the unused stage is not built"
assert_match "$out" 'STEP 1/9: FROM busybox AS builder' "  STEP counts only the built stages"
run burrow run --rm multi:1
assert_eq "$out" "built
second" "  the result runs"
id=$(lastline "$(burrow build -t multi:1 "$C")")
assert_eq "$(jcfg "$id" '.rootfs.diff_ids | length')" "3" "  three layers: one per COPY"
run burrow build --target builder -t multi:builder "$C"
assert_rc 0 "--target builder"
assert_no_match "$out" 'second' "  builds only what the target needs"
run burrow run --rm multi:builder cat /out/prog
assert_eq "$out" "built" "  the target stage is the image"
run burrow build --target nosuch "$C"
assert_rc 125 "--target of an unknown stage fails"

# --- --layers=false: one new layer, no intermediate images
C=$(newctx squash)
echo f >"$C/f"
printf 'FROM busybox\nRUN echo a > /a\nCOPY f /f\nRUN rm /bin/vi; echo b > /b\n' >"$C/Dockerfile"
before=$(burrow images -a -q | wc -l)
run burrow build -q --layers=false -t squash:1 "$C"
assert_rc 0 "--layers=false"
sq=$out
assert_eq "$(jcfg "$sq" '.rootfs.diff_ids | length')" "2" "  the base layer plus one new layer"
assert_eq "$(jcfg "$sq" '[.history[] | select(.empty_layer != true)] | length')" "2" "  history matches the layers"
assert_eq "$(burrow images -a -q | wc -l)" "$((before + 1))" "  no intermediate images"
run burrow run --rm squash:1 sh -c 'cat /a /f /b; ls /bin/vi'
assert_eq "$out" "a
f
b" "  every step's change is in the one layer, the deletion too"

# --- intermediate images: hidden, -a, prune
assert_no_match "$(burrow images)" "$step2" "images hides the build's intermediate images"
assert_match "$(burrow images -a)" "<none> +<none> +$step2" "images -a shows them"
run burrow image prune
assert_rc 0 "image prune removes them"
assert_no_match "$(burrow images -a)" "$step2" "  they are gone"
run burrow run --rm basic:1
assert_eq "$out" "hello b" "  tagged images still run"

# --- --network
C=$(newctx net)
printf 'FROM busybox\nRUN ls /sys/class/net\n' >"$C/Dockerfile"
run burrow build --network none "$C"
assert_match "$out" '^lo$' "--network none: lo in RUN"
assert_no_match "$out" '^(tap0|eth0)$' "  and nothing else"
run burrow build --no-cache --network host "$C"
assert_rc 0 "--network host"

# --- bad input: clean errors, exit 125, nothing tagged, nothing left
C=$(newctx bad)
printf 'FROM busybox\nRUN echo x > /x\nRUN exit 3\n' >"$C/Dockerfile"
run burrow build -t bad:1 "$C"
assert_rc 125 "a failing RUN exits 125"
assert_match "$err" 'building at STEP "RUN exit 3": while running runtime: exit status 3' "  naming the step, the command and the exit status"
run burrow image exists bad:1
assert_rc 1 "  nothing is tagged"
assert_eq "$(leftovers)" "" "  no scratch dir, container or rundir is left"
printf 'FROM busybox\nRUNN true\n' >"$C/Dockerfile"
run burrow build -t bad:1 "$C"
assert_rc 125 "an unknown instruction exits 125"
assert_match "$err" 'Dockerfile:2: unknown instruction' "  naming the line"
assert_no_match "$out" 'STEP' "  before any step runs"
printf 'FROM nosuch/base:1\n' >"$C/Dockerfile"
run burrow build --pull=never -t bad:1 "$C"
assert_rc 125 "a missing base image exits 125"
assert_match "$err" 'nosuch/base' "  naming it"
printf 'FROM busybox\nCOPY missing.txt /\n' >"$C/Dockerfile"
run burrow build -t bad:1 "$C"
assert_rc 125 "a missing COPY source exits 125"
assert_match "$err" 'missing\.txt' "  naming it"
printf 'FROM busybox\nRUN --mount=type=cache,target=/c true\n' >"$C/Dockerfile"
run burrow build "$C"
assert_rc 125 "RUN --mount is rejected"
assert_match "$err" 'RUN --mount is not supported' "  clearly"
printf 'FROM --platform=linux/s390x busybox\n' >"$C/Dockerfile"
run burrow build "$C"
assert_rc 125 "FROM --platform of another architecture fails"
assert_match "$err" 'platform linux/s390x is not supported' "  clearly"
run burrow build --platform linux/s390x "$C"
assert_rc 125 "--platform of another architecture fails"
run burrow build --pull=sometimes "$C"
assert_rc 125 "a bad --pull policy fails"
printf 'FROM busybox\nRUN echo should-not-run\n' >"$C/Dockerfile"
run burrow build -t Bad:Name "$C"
assert_rc 125 "a bad -t name fails"
assert_no_match "$out" 'should-not-run' "  before anything runs"
run burrow build "$T/nosuchdir"
assert_rc 125 "a missing context fails"
run burrow image exists bad:1
assert_rc 1 "nothing was ever tagged bad:1"
assert_eq "$(leftovers)" "" "no scratch dir, container or rundir is left"

# --- a build killed in the middle of a RUN: the next build cleans up
printf 'FROM busybox\nRUN echo started; exec sleep 317\n' >"$C/Dockerfile"
"$BURROW" build -t killed:1 "$C" >"$T/killed.out" 2>&1 &
bpid=$!
poll grep -q '^started$' "$T/killed.out"
assert_match "$(cat "$T/killed.out")" '^started$' "a RUN is running"
kill -9 $bpid
wait $bpid 2>/dev/null
assert_true "  killing burrow ends the RUN container" poll sh -c "! pgrep -f '^sleep 317$'"
assert_ne "$(leftovers)" "" "  its scratch dir is still there"
printf 'FROM busybox\nRUN true\n' >"$C/Dockerfile"
run burrow build -q "$C"
assert_rc 0 "the next build"
assert_eq "$(leftovers)" "" "  sweeps the killed build's scratch and run dirs"
run burrow image exists killed:1
assert_rc 1 "  and the killed build tagged nothing"

# --- the layer GC still works: with every image gone, no layer is left
burrow rmi -a -f >/dev/null 2>&1
burrow image prune >/dev/null 2>&1
assert_eq "$(burrow images -a -q | wc -l | tr -d ' ')" "0" "rmi -a and image prune remove every image, intermediates too"
assert_eq "$(find "$R/layers" -mindepth 1 -maxdepth 1 | wc -l | tr -d ' ')" "0" "  and every layer"

done_testing
