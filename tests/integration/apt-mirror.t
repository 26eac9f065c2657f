#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# tests/lib/apt-mirror.sh: the Debian mirror for debootstrap comes from the
# machine's apt sources (one-line and deb822), not from a fixed name.
. "$(dirname "$0")/../lib/tap.sh"
M="sh $(dirname "$0")/../lib/apt-mirror.sh"
D=$(mktemp -d) || bail_out "mktemp"
trap 'rm -rf "$D"' EXIT

cat >"$D/one.list" <<'E'
# a comment, a source archive and the security archive first
deb-src http://src.example/debian bookworm main
deb http://security.debian.org/debian-security bookworm-security main
deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] http://mirror.example.org/debian/ bookworm main # note
E
cat >"$D/deb822.sources" <<'E'
Types: deb
URIs: http://disabled.example/debian
Suites: bookworm
Enabled: no

Types: deb deb-src
URIs: https://ftp.example.net/debian
Suites: bookworm bookworm-updates
Components: main

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
E
cat >"$D/other.list" <<'E'
deb http://ppa.example/ubuntu jammy main
deb file:/srv/local ./
E

run env APT_SOURCES="$D/one.list" $M
assert_eq "$out" "http://mirror.example.org/debian" "one-line entry with options, after deb-src and security"
run env APT_SOURCES="$D/deb822.sources" $M
assert_eq "$out" "https://ftp.example.net/debian" "deb822: the enabled stanza, not security"
run env APT_SOURCES="$D/deb822.sources $D/one.list" $M
assert_eq "$out" "https://ftp.example.net/debian" "the first file in apt's order wins"
run env APT_SOURCES="$D/other.list $D/deb822.sources" $M trixie
assert_eq "$out" "https://ftp.example.net/debian" "no archive for the suite: the first Debian one"
run env APT_SOURCES="$D/other.list" $M
assert_eq "$out" "http://deb.debian.org/debian" "no Debian archive: the default"
run env APT_SOURCES="$D/missing.list" $M
assert_eq "$out" "http://deb.debian.org/debian" "no sources at all: the default"
assert_rc 0 "and exits 0"
done_testing
