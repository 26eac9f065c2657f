#!/bin/sh
# testcontainers-fixture.sh - testcontainers for Node, from the npm registry,
# for tests/integration/api-testcontainers.t.
#
#   sh tests/lib/testcontainers-fixture.sh       (root) install it unless it is there
#
# The test drives the API service with testcontainers' GenericContainer.
# Installing it needs the network, so `make check` as root
# (tests/lib/root-check.sh) runs this script once before the suite, and the
# result is cached, world-readable, in
#
#   $BURROW_TEST_TESTCONTAINERS   (default /var/cache/burrow-tests/testcontainers)
#
# with node_modules/testcontainers inside; it is not reinstalled while it
# exists (delete the directory to refresh).  The version is pinned: the 10.x
# line runs on Debian 12's Node.js 18 (newer ones want Node.js 22).
# Exits 0 when the module is there afterwards, non-zero with the reason
# when it could not be installed (no npm, no network); root-check.sh treats
# that as a warning and the test skips.
# shellcheck shell=sh
set -eu

dir=${BURROW_TEST_TESTCONTAINERS:-/var/cache/burrow-tests/testcontainers}
version=10.28.0

say() { echo "testcontainers-fixture: $*"; }

if [ -f "$dir/node_modules/testcontainers/package.json" ]; then
	say "$dir has testcontainers"
	exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
	say "npm is not installed (Debian's npm package; tests/lib/deps.sh installs it)" >&2
	exit 1
fi
tmp="$dir.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
printf '{"name":"burrow-tests-testcontainers","private":true}\n' >"$tmp/package.json"
# a private npm cache, so nothing lands in root's home
if ! (cd "$tmp" && npm install --no-audit --no-fund --loglevel=error --cache "$tmp/.npm-cache" \
	"testcontainers@$version" </dev/null); then
	say "npm install testcontainers@$version failed" >&2
	exit 1
fi
rm -rf "$tmp/.npm-cache"
chmod -R a+rX "$tmp"
rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
mv "$tmp" "$dir"
say "installed testcontainers@$version in $dir"
