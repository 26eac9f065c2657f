#!/bin/sh
# fuzz-regress.t - replay the fuzz harnesses' seed corpora and regression
# inputs (tests/fuzz/corpus/NAME, tests/fuzz/regress/NAME) through the
# harnesses built with the sanitizers and a plain main (tests/fuzz/driver.c):
# every input a fuzzer ever crashed on stays fixed, without clang.
# shellcheck shell=sh
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
[ -d "$top/tests/fuzz" ] || bail_out "no tests/fuzz in $top"
# the harnesses make their temporary directories under TMPDIR; keep them
# in one place that is removed at the end
TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/burrow-fuzz.XXXXXX")
export TMPDIR
trap 'chmod -R u+rwx "$TMPDIR" 2>/dev/null; rm -rf "$TMPDIR"' EXIT

for src in "$top"/tests/fuzz/*.c; do
	name=$(basename "$src" .c)
	[ "$name" = driver ] && continue
	bin=$BURROW_BUILD/tests/fuzz/$name
	if [ ! -x "$bin" ]; then
		not_ok "$name: harness $bin not built (make check builds it)"
		continue
	fi
	set --
	for d in corpus regress; do
		[ -d "$top/tests/fuzz/$d/$name" ] && set -- "$@" "$top/tests/fuzz/$d/$name"
	done
	if [ $# -eq 0 ]; then
		not_ok "$name: no seed corpus in tests/fuzz/corpus/$name"
		continue
	fi
	run "$bin" "$@"
	n=$(printf '%s\n' "$err" | sed -n 's/^\([0-9]*\) inputs ran$/\1/p')
	if [ "$rc" -eq 0 ] && [ "${n:-0}" -gt 0 ]; then
		ok "$name: $n inputs replay cleanly"
	else
		not_ok "$name: replaying its inputs failed (status $rc)"
		diag "$(printf '%s\n' "$err" | tail -n 30)"
	fi
done
done_testing
