#!/bin/sh
# apt-mirror.sh [SUITE] - print the Debian mirror this machine's apt uses,
# for debootstrap (tests/lib/debian-fixture.sh, bench/pull).
#
# It reads the apt sources: one-line "deb [OPTIONS] URI SUITE COMPONENT..."
# entries in /etc/apt/sources.list and /etc/apt/sources.list.d/*.list, and
# deb822 stanzas (Types, URIs, Suites, Enabled) in
# /etc/apt/sources.list.d/*.sources.  The mirror is the first http(s) or ftp
# archive that carries SUITE (default bookworm), else the first one whose
# URI names Debian; security archives are not full mirrors and never count.
# Without one it prints http://deb.debian.org/debian.  APT_SOURCES (a list
# of files) replaces the default files, for testing.
# shellcheck shell=sh
set -eu

suite=${1:-bookworm}
fallback=http://deb.debian.org/debian

if [ -n "${APT_SOURCES:-}" ]; then
	# shellcheck disable=SC2086 # a list of files
	set -- $APT_SOURCES
else
	set -- /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources
fi

# "URI SUITE" for every enabled binary archive, in apt's order
entries() {
	for f in "$@"; do
		[ -r "$f" ] || continue
		case $f in
		*.sources)
			awk '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && tolower(enabled) != "no")
					for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) print u[i], s[j]
				types = ""; enabled = ""; nu = 0; ns = 0
			}
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			{
				key = tolower($1)
				if (key == "types:") { types = ""; for (i = 2; i <= NF; i++) types = types " " $i; types = types " " }
				else if (key == "uris:") { for (i = 2; i <= NF; i++) u[++nu] = $i }
				else if (key == "suites:") { for (i = 2; i <= NF; i++) s[++ns] = $i }
				else if (key == "enabled:") enabled = $2
			}
			END { flush() }' "$f"
			;;
		*)
			awk '
			{ sub(/#.*/, "") }
			$1 == "deb" {
				sub(/^[ \t]*deb[ \t]+/, "")
				sub(/^\[[^]]*\][ \t]*/, "")
				split($0, w, /[ \t]+/)
				if (w[1] != "" && w[2] != "") print w[1], w[2]
			}' "$f"
			;;
		esac
	done
}

# mirrors only: network URIs, not the security archive
candidates() {
	entries "$@" | awk '
		$1 ~ /^(https?|ftp):\/\// && $1 !~ /security/ && $2 !~ /-security$/ {
			sub(/\/+$/, "", $1); print
		}'
}

m=$(candidates "$@" | awk -v s="$suite" '$2 == s { print $1; exit }')
[ -n "$m" ] || m=$(candidates "$@" | awk 'tolower($1) ~ /debian/ { print $1; exit }')
echo "${m:-$fallback}"
