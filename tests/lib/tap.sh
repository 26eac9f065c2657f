# tap.sh - TAP helpers for the shell integration tests.
#
#   . "$(dirname "$0")/../lib/tap.sh"
#   run burrow run --rm img true      # sets $out, $err, $rc
#   assert_eq "$rc" 0 "run exits 0"
#   done_testing
#
# Every assert prints what it saw on failure.  A file that cannot run here
# calls skip_all "reason".
#
#   poll burrow exec web test -e /ready    # retry until it succeeds (a state
#   assert_rc 0 "the container is ready"   # nothing signals); sets $out too
# shellcheck shell=sh

_tap_n=0
_tap_failed=0

ok() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
not_ok() { _tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1)); echo "not ok $_tap_n - $*"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n # SKIP $*"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
bail_out() { echo "Bail out! $*"; exit 255; }
done_testing() { echo "1..$_tap_n"; [ "$_tap_failed" -eq 0 ]; exit $?; }

# run CMD...: capture stdout in $out, stderr in $err, status in $rc
run() {
	_tap_o=$(mktemp) _tap_e=$(mktemp)
	"$@" >"$_tap_o" 2>"$_tap_e" </dev/null
	rc=$?
	out=$(cat "$_tap_o") err=$(cat "$_tap_e")
	rm -f "$_tap_o" "$_tap_e"
	return 0
}

# run_in INPUT CMD...: like run, with INPUT on stdin
run_in() {
	_tap_in=$1
	shift
	_tap_o=$(mktemp) _tap_e=$(mktemp)
	printf '%s' "$_tap_in" | "$@" >"$_tap_o" 2>"$_tap_e"
	rc=$?
	out=$(cat "$_tap_o") err=$(cat "$_tap_e")
	rm -f "$_tap_o" "$_tap_e"
	return 0
}

# poll [-t SECONDS] CMD...: run CMD (with run: $out, $err and $rc are from
# the last try) every 0.1 s until it succeeds.  Only for a state that no fd,
# fifo or log line announces.  Gives up after SECONDS (default $POLL_TIMEOUT,
# 60: generous, as a loaded 2-core machine needs), then prints what it waited
# for and what the last try said, and returns 1.
POLL_TIMEOUT=${POLL_TIMEOUT:-60}
poll() {
	_poll_t=$POLL_TIMEOUT
	if [ "$1" = -t ]; then
		_poll_t=$2
		shift 2
	fi
	_poll_end=$(($(date +%s) + _poll_t))
	while :; do
		run "$@"
		[ "$rc" = 0 ] && return 0
		[ "$(date +%s)" -lt "$_poll_end" ] || break
		sleep 0.1
	done
	diag "poll: gave up after $_poll_t s waiting for: $*"
	_tap_show
	return 1
}

_tap_show() { diag "command stdout: $out" "command stderr: $err" "command status: $rc"; }

assert_eq() { # GOT WANT DESC
	if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3"; diag "got:  '$1'" "want: '$2'"; _tap_show; fi
}
assert_ne() { # GOT NOTWANT DESC
	if [ "$1" != "$2" ]; then ok "$3"; else not_ok "$3"; diag "got unwanted: '$1'"; _tap_show; fi
}
# _tap_match GOT ERE: does GOT match ERE?  A one-line ERE is grep -E's (some
# line of GOT matches).  A multi-line ERE must match consecutive lines of GOT,
# its first line against the end of one line of GOT, its last against the
# start of another, the lines between whole lines: "^a\nb$" is a line "a"
# right before a line "b", and "x\n" is a line ending in x with a line after
# it (grep -E would take each line as a pattern of its own, and an empty one
# matches anything).  That is perl over the whole text, ^ and $ at line
# boundaries (/m), . never a newline, and a [^...] made not to match one.
_tap_match() {
	case $2 in
	*'
'*)
		printf '%s' "$1" | _TAP_RE=$2 perl -0777 -e '
			my $got = <STDIN> // "";
			my $re = $ENV{_TAP_RE};
			utf8::decode($got);
			utf8::decode($re);
			$re =~ s/(?<!\\)\[\^(\]?)/[^$1\n/g;
			exit($got =~ /$re/m ? 0 : 1);'
		;;
	*) printf '%s' "$1" | grep -Eq -- "$2" ;;
	esac
}
assert_match() { # GOT ERE DESC
	if _tap_match "$1" "$2"; then ok "$3"; else not_ok "$3"; diag "got:  '$1'" "want match: /$2/"; _tap_show; fi
}
assert_no_match() { # GOT ERE DESC
	if _tap_match "$1" "$2"; then not_ok "$3"; diag "got:  '$1'" "want no match: /$2/"; _tap_show; else ok "$3"; fi
}
assert_rc() { # WANT DESC   (checks $rc from the last run)
	if [ "$rc" = "$1" ]; then ok "$2"; else not_ok "$2"; diag "want status $1"; _tap_show; fi
}
assert_true() { # DESC CMD...
	_tap_d=$1
	shift
	if "$@"; then ok "$_tap_d"; else not_ok "$_tap_d"; diag "failed: $*"; fi
}
assert_false() { # DESC CMD...
	_tap_d=$1
	shift
	if "$@"; then not_ok "$_tap_d"; diag "unexpectedly succeeded: $*"; else ok "$_tap_d"; fi
}
