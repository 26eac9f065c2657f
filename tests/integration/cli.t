#!/bin/sh
# The command line as a whole: the verb table against the completions and
# the man pages, every verb's --help against the completion flag lists and
# the man pages, --version, and usage errors (exit status 125).
#
# The lists are kept by hand in completions/ and man/; this test is what
# keeps them from drifting away from the parser (CONTRIBUTING.md, "Documentation").
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BASH_C=$SRC/completions/burrow.bash
ZSH_C=$SRC/completions/_burrow
FISH_C=$SRC/completions/burrow.fish

# words: one word per line, sorted, unique
words() { tr -s ' \t' '\n\n' | sed '/^$/d' | LC_ALL=C sort -u; }

# same_set DESC GOT WANT: two word lists hold the same words
same_set() {
	_g=$(printf '%s\n' "$2" | words)
	_w=$(printf '%s\n' "$3" | words)
	if [ "$_g" = "$_w" ]; then
		ok "$1"
	else
		not_ok "$1"
		_gf=$(mktemp) _wf=$(mktemp)
		printf '%s\n' "$_g" >"$_gf"
		printf '%s\n' "$_w" >"$_wf"
		diag "missing: $(LC_ALL=C comm -13 "$_gf" "$_wf" | tr '\n' ' ')" \
			"extra:   $(LC_ALL=C comm -23 "$_gf" "$_wf" | tr '\n' ' ')"
		rm -f "$_gf" "$_wf"
	fi
}

# help_flags SECTION: the flags (-x, --long) listed under "SECTION:" on stdin
help_flags() {
	awk -v sec="$1:" '$0 == sec { on = 1; next }
		on && /^[^ ]/ { on = 0 }
		on && /^ +-/ {
			for (i = 1; i <= NF; i++) {
				t = $i; c = sub(/,$/, "", t)
				if (t !~ /^--?[A-Za-z]/) break
				print t
				if (!c) break
			}
		}'
}

# bash_list VAR: the value of VAR="..." in the bash completion
bash_list() { sed -n "s/^$1=\"\(.*\)\"\$/\1/p" "$BASH_C"; }

# zsh_flags: the flags named in the _arguments specs on stdin
zsh_flags() {
	grep -E "^[[:space:]]*'" | grep -vE "^[[:space:]]*'[0-9*]*:" |
		grep -oE -- "(^|[^A-Za-z0-9-])--?[A-Za-z][A-Za-z-]*" | sed 's/^[^-]*//'
}
zsh_verb_flags() {
	_f=__burrow_$1
	[ "$1" = images ] && _f=__burrow_images_cmd
	awk -v f="$_f() {" '$0 == f { on = 1; next } on && /^}/ { exit } on' "$ZSH_C" | zsh_flags
}

# fish_flags PATTERN: the -s/-l flags on "complete" lines matching PATTERN
fish_flags() {
	grep -E "$1" "$FISH_C" | grep -oE -- " -[sl] [A-Za-z][A-Za-z-]*" |
		awk '$1 == "-s" { print "-" $2 } $1 == "-l" { print "--" $2 }'
}

# --- the verb table
run burrow help --commands
assert_rc 0 "help --commands exits 0"
verbs=$out
if [ -z "$verbs" ]; then
	bail_out "burrow help --commands printed nothing"
fi
same_set "bash completion offers exactly the verbs of the command table" \
	"$(bash_list _burrow_commands)" "$verbs"
same_set "zsh completion offers exactly the verbs of the command table" \
	"$(awk '/__burrow_verbs=\(/ { on = 1; next } on && /^[[:space:]]*\)/ { exit } on' "$ZSH_C" |
		sed -n "s/^[[:space:]]*'\([a-z-]*\):.*/\1/p")" "$verbs"
same_set "fish completion offers exactly the verbs of the command table" \
	"$(sed -n 's/^complete -c burrow -n __fish_use_subcommand -a \([a-z-]*\) .*/\1/p' "$FISH_C")" "$verbs"

run burrow help
assert_rc 0 "help exits 0"
same_set "burrow help lists exactly the verbs of the command table" \
	"$(printf '%s\n' "$out" | awk '$0 == "Commands:" { on = 1; next } on && !/^ / { exit } on { print $1 }')" \
	"$verbs"

# --- man pages: one per verb, and burrow(1) points at each
assert_true "man/burrow.1.scd exists" test -s "$SRC/man/burrow.1.scd"
for v in $verbs; do
	case $v in help | version) continue ;; esac
	assert_true "man/burrow-$v.1.scd exists" test -s "$SRC/man/burrow-$v.1.scd"
	assert_true "burrow(1) refers to burrow-$v(1)" grep -q "burrow-$v\*\{0,1\}(1)" "$SRC/man/burrow.1.scd"
done

# --- global options: burrow --help against the completions
run burrow --help
assert_rc 0 "--help exits 0"
gflags=$(printf '%s\n' "$out" | help_flags "Global options")
assert_ne "$gflags" "" "burrow --help lists global options"
same_set "bash completion offers exactly the global options" "$(bash_list _burrow_global_opts)" "$gflags"
same_set "zsh completion offers exactly the global options" \
	"$(awk '/_arguments -C/ { on = 1; next } on && /->command/ { exit } on' "$ZSH_C" | zsh_flags)" "$gflags"
same_set "fish completion offers exactly the global options" \
	"$(fish_flags '^complete -c burrow -n __fish_use_subcommand -[sl] ')" "$gflags"

# --- each verb's flags: VERB --help against the completions and its man page
for v in $verbs; do
	case $v in help | version) continue ;; esac
	run burrow "$v" --help
	assert_rc 0 "$v --help exits 0"
	assert_match "$out" "^Usage: burrow $v" "$v --help starts with its usage line"
	flags=$(printf '%s\n' "$out" | help_flags Options)
	# every verb takes --help, listed or not
	flags=$(printf '%s\n--help\n' "$flags")
	same_set "bash completion offers exactly the flags of $v --help" "$(bash_list "_burrow_opts_$v")" "$flags"
	same_set "zsh completion offers exactly the flags of $v --help" "$(zsh_verb_flags "$v")" "$flags"
	same_set "fish completion offers exactly the flags of $v --help" \
		"$(fish_flags "^complete -c burrow -n \\\$$v ")" "$flags"
	# value-taking flags in the bash list must all be flags of the verb
	vflags=$(bash_list "_burrow_value_opts_$v")
	bad=
	for f in $vflags; do
		printf '%s\n' "$flags" | grep -qx -- "$f" || bad="$bad $f"
	done
	assert_eq "$bad" "" "bash value-taking flags of $v are flags of $v"
	# the man page documents every long flag
	if [ -s "$SRC/man/burrow-$v.1.scd" ]; then
		undoc=
		for f in $(printf '%s\n' "$flags" | grep -- '^--' | grep -vx -- --help); do
			grep -qE -- "(^|[^A-Za-z-])$f([^A-Za-z-]|\$)" "$SRC/man/burrow-$v.1.scd" ||
				undoc="$undoc $f"
		done
		assert_eq "$undoc" "" "man/burrow-$v.1.scd documents every long flag of $v"
	fi
	run burrow help "$v"
	assert_rc 0 "help $v exits 0"
	assert_match "$out" "^Usage: burrow $v" "help $v prints the usage of $v"
done

# --- version
want_version=$(sed -n 's/^VERSION *:= *//p' "$SRC/Makefile")
for a in --version -v version; do
	run burrow $a
	assert_rc 0 "burrow $a exits 0"
	assert_eq "$out" "burrow version $want_version" "burrow $a prints the version from the Makefile"
done

# --- usage errors: 125 and a message that names the culprit
run burrow
assert_rc 125 "burrow with no command exits 125"
assert_match "$err" "^Usage: burrow" "burrow with no command prints the usage on stderr"

run burrow nosuchverb
assert_rc 125 "an unknown verb exits 125"
assert_eq "$out" "" "an unknown verb prints nothing on stdout"
assert_match "$(printf '%s\n' "$err" | head -n 1)" '^burrow: error: .*"nosuchverb"' \
	"an unknown verb is named on the first line of stderr"
assert_eq "$(printf '%s\n' "$err" | grep -c nosuchverb)" 1 "the unknown verb is named once"

run burrow help nosuchverb
assert_rc 125 "help for an unknown verb exits 125"
assert_match "$err" "nosuchverb" "help for an unknown verb names it"

run burrow --no-such-global images
assert_rc 125 "an unknown global option exits 125"
assert_match "$err" "no-such-global" "an unknown global option is named"

run burrow --log-level=loud images
assert_rc 125 "a bad --log-level exits 125"

for v in $verbs; do
	case $v in help | version) continue ;; esac
	run burrow "$v" --no-such-flag
	assert_rc 125 "$v --no-such-flag exits 125"
	assert_match "$err" "no-such-flag" "$v names the unknown flag"
done

done_testing
