#!/bin/sh
# The test library itself: assert_match and assert_no_match with a pattern
# of several lines.  Each check runs the helper in a subshell (its own TAP
# count) and looks at the TAP line it printed.
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
. "$(dirname "$0")/../lib/tap.sh"

# verdict ASSERT GOT ERE: "ok" or "not ok", as ASSERT reported it
verdict() {
	(_tap_n=0 _tap_failed=0; "$1" "$2" "$3" probe) | sed -n 's/^\(ok\|not ok\) 1 - probe$/\1/p'
}

text='first line
second line
third line'

assert_eq "$(verdict assert_match "$text" '^first line
second line$')" "ok" "two lines that follow each other match"
assert_eq "$(verdict assert_match "$text" '^first line
absent line$')" "not ok" "a pattern whose second line is absent fails"
assert_eq "$(verdict assert_match "$text" '^first line
third line$')" "not ok" "its lines must be consecutive in the text"
assert_eq "$(verdict assert_match "$text" 'absent
')" "not ok" "an empty pattern line does not match everything"
assert_eq "$(verdict assert_match "$text" '
absent')" "not ok" "  nor a leading one"
assert_eq "$(verdict assert_match "$text" 'third line
')" "not ok" "a trailing newline wants a line after"
assert_eq "$(verdict assert_match "$text" 'line
third')" "ok" "  the first pattern line ends a line, the last starts one"
assert_eq "$(verdict assert_match "$text" '^second
line$')" "not ok" "^ and $ are line boundaries"
assert_eq "$(verdict assert_match "$text" '^first [^x]+
third')" "not ok" "[^...] does not cross a line"
assert_eq "$(verdict assert_match "$text" 'first .*
third')" "not ok" "  nor does ."
assert_eq "$(verdict assert_match "" '
')" "not ok" "an empty text matches no multi-line pattern"
assert_eq "$(verdict assert_no_match "$text" '^first line
absent line$')" "ok" "assert_no_match: a pattern whose second line is absent is no match"
assert_eq "$(verdict assert_no_match "$text" '^second line
third line$')" "not ok" "  and two present lines are one"
assert_eq "$(verdict assert_match "$text" '^second line$')" "ok" "a one-line pattern matches any line, as grep -E"
assert_eq "$(verdict assert_match "$text" 'absent|third')" "ok" "  alternatives included"
done_testing
