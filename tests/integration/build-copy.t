#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# COPY/ADD through the real builder, for what the unit test
# (tests/unit/buildcopy.c) cannot see: layers of mapped IDs read inside the
# user namespace, whiteouts made by a RUN hiding files from COPY --from, a
# destination through a symlink of the image, symlinks leading out of the
# context, a hostile archive, globs and a tar context with a .dockerignore.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
[ "$(id -u)" != 0 ] || skip_all "run as an unprivileged user (make check does)"
fixture_store
T=$FIXTURE_DIR
fixture_image busybox
newctx() { rm -rf "${T:?}/$1"; mkdir -p "$T/$1"; echo "$T/$1"; }

# --- COPY --from a stage whose RUN deleted files and made a private dir
C=$(newctx from)
cat >"$C/Dockerfile" <<'DOCKERFILE'
FROM busybox AS one
RUN mkdir -p /data/sub /priv && echo a > /data/a && echo b > /data/b && echo s > /data/sub/s && \
    echo p > /priv/p && chown -R 1000:2000 /priv && chmod 700 /priv && chmod 600 /priv/p
RUN rm /data/b && rm -r /data/sub && mkdir /data/sub && echo n > /data/sub/new
FROM busybox
RUN mkdir -p /usr/local && ln -s usr/local /ul
COPY --from=one /data /copied
COPY --from=one /priv /priv
COPY --from=one /data/a /ul/bin/
DOCKERFILE
run burrow build -t copyfrom:1 "$C"
assert_rc 0 "COPY --from a stage with whiteouts and a private directory"
run burrow run --rm copyfrom:1 sh -c 'ls -A /copied; echo --; ls -A /copied/sub'
assert_eq "$out" "a
sub
--
new" "  deleted files are not copied; a replaced directory shows only its new content"
run burrow run --rm copyfrom:1 sh -c 'ls -ln /priv | tail -n 1'
assert_match "$out" '^-rw------- +1 1000 +2000 .* p$' "  a 0700 directory of mapped IDs is read, owners kept"
run burrow run --rm copyfrom:1 stat -c '%a %u:%g' /priv
assert_eq "$out" "700 1000:2000" "  the new destination takes the source directory's mode and owner"
run burrow run --rm copyfrom:1 sh -c 'cat /usr/local/bin/a; readlink /ul'
assert_eq "$out" "a
usr/local" "  a destination through a symlink of the image lands in its target, the symlink stays"

# --- the context: globs, symlinks out, hostile ADD
C=$(newctx ctx)
mkdir -p "$C/src/x" "$C/src/y"
echo 1 >"$C/src/x/f.txt"
echo 2 >"$C/src/y/f.txt"
echo 3 >"$C/one.txt"
echo 4 >"$C/two.txt"
ln -s /etc/passwd "$C/abs"
ln -s ../../../../etc/passwd "$C/rel"
printf 'FROM busybox\nCOPY *.txt /g/\nCOPY src/*/f.txt /h/\n' >"$C/Dockerfile"
run burrow build -t glob:1 "$C"
assert_rc 0 "COPY with globs"
run burrow run --rm glob:1 cat /g/one.txt /g/two.txt /h/f.txt
assert_eq "$out" "3
4
2" "  *.txt, and src/*/f.txt with the later match winning"
printf 'FROM busybox\nCOPY one.txt two.txt /single\n' >"$C/Dockerfile"
run burrow build "$C"
assert_rc 125 "several sources into a non-directory fails"
assert_match "$err" 'the destination must be a directory and end with a /' "  with docker's message"
printf 'FROM busybox\nCOPY abs /x\n' >"$C/Dockerfile"
run burrow build "$C"
assert_rc 125 "an absolute symlink out of the context fails"
assert_match "$err" 'outside the build context: abs' "  naming it"
printf 'FROM busybox\nCOPY rel /x\n' >"$C/Dockerfile"
run burrow build "$C"
assert_rc 125 "a relative symlink out of the context fails"
printf 'FROM busybox\nADD http://127.0.0.1:1/x.git /x/\n' >"$C/Dockerfile"
run burrow build "$C"
assert_rc 125 "ADD of a git URL fails"
assert_match "$err" 'git repository is not supported' "  clearly"

mkdir -p "$T/evil"
ln -s /tmp "$T/evil/up"
tar -C "$T/evil" -cf "$C/evil.tar" up
echo x >"$T/evil/payload"
tar -C "$T/evil" --transform 's,^payload,up/payload,' -rf "$C/evil.tar" payload
printf 'FROM busybox\nADD evil.tar /e/\n' >"$C/Dockerfile"
run burrow build "$C"
assert_rc 125 "ADD of an archive writing through its own symlink fails"
assert_match "$err" 'through a symlink' "  saying why"

# --- a tar context on stdin with a .dockerignore
C=$(newctx tarctx)
mkdir -p "$C/keep" "$C/drop"
echo k >"$C/keep/k"
echo d >"$C/drop/d"
printf 'drop\n' >"$C/.dockerignore"
printf 'FROM busybox\nCOPY . /ctx/\n' >"$C/Dockerfile"
run sh -c "tar -C '$C' -cf - . | '$BURROW' build -t tarctx:1 -"
assert_rc 0 "tar context on stdin"
run burrow run --rm tarctx:1 find /ctx
assert_eq "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" "/ctx /ctx/.dockerignore /ctx/Dockerfile /ctx/keep /ctx/keep/k " \
	"  its files are copied, its .dockerignore honoured"

done_testing
