#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# --format: Go templates through every verb that has one, compared with the
# output podman 4.3 prints for the same command lines (podman was run by
# hand; IDs and times masked).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1

id=$("$BURROW" create --name web local/busybox:1 sh -c 'exit 3') ||
	bail_out "cannot create a container"
"$BURROW" start -a web >/dev/null 2>&1
"$BURROW" create --name second local/busybox:1 true >/dev/null || bail_out "cannot create a second container"
short=$(printf %.12s "$id")

# --- ps
run burrow ps -a --format '{{.Names}}'
assert_rc 0 "ps --format {{.Names}}"
assert_eq "$out" "web
second" "  one name per line, oldest first (podman's --sort created)"
run burrow ps -a --format 'table {{.Names}}\t{{.Status}}'
assert_eq "$(printf '%s\n' "$out" | head -n 1)" "NAMES       STATUS" \
	"ps table header: podman's names, 12-wide columns"
assert_match "$out" "
web         Exited \(3\) .* ago" "  and the rows aligned the same way"
run burrow ps -a --format 'table {{.ID}}\t{{.Image}}\t{{.Command}}'
assert_match "$out" "^CONTAINER ID  IMAGE +COMMAND
" "  .ID is CONTAINER ID, as podman's header"
assert_match "$out" "$short  localhost/local/busybox:1  sh -c exit 3" "  short ID, the image's full name and command text"
run burrow ps -a --noheading --format 'table {{.Names}}'
assert_no_match "$out" "NAMES" "--noheading leaves the table header out"
run burrow ps -a --format '{{if eq .ExitCode 3}}{{.Names}}={{.ExitCode}}{{else}}{{.Names}} is {{.State}}{{end}}'
assert_eq "$out" "web=3
second is created" "if/else and eq over ps fields (.State is the state, as podman 5's)"
run burrow ps -a --filter name=web --format 'table {{.CreatedAt}}\t{{.RunningFor}}'
assert_match "$out" "^CREATED AT +RUNNING FOR
20[0-9-]+ [0-9:.]+ \+0000 UTC  .* ago$" "CreatedAt as Go prints a time, RunningFor as podman's"
run burrow ps -a --format '{{.Names | upper | printf "%-8s|"}}{{len .Names}}'
assert_eq "$out" "WEB     |3
SECOND  |6" "a pipeline into printf, and len"
run burrow ps -a --filter name=web --format '{{json .Labels}} {{.Labels.nope}}'
assert_eq "$out" '{} <no value>' "json of a field, and a missing map key prints <no value> as podman's"
run burrow ps -a --filter name=web --format '{{.Nope}}'
assert_rc 125 "a field podman's container has not is an error, as podman's"
assert_match "$err" "can't evaluate field Nope" "  naming the field"

# --- inspect
run burrow inspect --format '{{.Name}} {{.State.Status}} {{.State.ExitCode}}' web
assert_eq "$out" "web exited 3" "inspect: fields at any depth"
run burrow inspect --format '{{range .Config.Cmd}}[{{.}}]{{end}}' web
assert_eq "$out" "[sh][-c][exit 3]" "inspect: range over an array"
run burrow inspect --format '{{json .Config.Cmd}}' web
assert_eq "$out" '["sh","-c","exit 3"]' "inspect: {{json}} is compact, as podman's"
run burrow inspect --format '{{index .State "Status"}} {{index .Config.Cmd 2}} {{join .Config.Cmd ","}}' web
assert_eq "$out" "exited exit 3 sh,-c,exit 3" "inspect: index into a map and an array, join"
run burrow inspect --format '{{with .State}}{{.Status}}{{end}} {{lower "ABC"}} {{$x := .Name}}{{$x}}' web
assert_eq "$out" "exited abc web" "inspect: with, lower, variables"
run burrow inspect --format '{{.Name}}' web second
assert_eq "$out" "web
second" "inspect: one line per container"

# --- errors: one line, 125, the position, nothing on stdout
run burrow inspect --format '{{.Name | nosuch}}' web
assert_rc 125 "an unknown function is an error"
assert_eq "$out" "" "  nothing printed"
assert_eq "$err" 'burrow: error: template: 1:11: function "nosuch" not defined' "  one line naming the position"
run burrow ps -a --format '{{if .Names}}x'
assert_rc 125 "an unclosed if is an error"
assert_match "$err" "template: 1:3: .*end" "  naming where the if began"
run burrow ps -a --format '{{.Names.Foo}}'
assert_rc 125 "a field of a string is an error"
assert_match "$err" "can't evaluate field Foo in type string" "  with Go's message"
run burrow ps --format '{{template "x"}}'
assert_rc 125 "an unsupported action is an error, even with no container to show"

# --- images, history, image inspect, version
run burrow images --format '{{.Repository}}:{{.Tag}} {{.Dangling}}'
assert_eq "$out" "localhost/local/busybox:1 false" "images: template fields"
run burrow image inspect --format '{{.Os}} {{len .RootFS.Layers}}' local/busybox:1
assert_eq "$out" "linux 1" "image inspect --format"
run burrow history --format '{{.ID}} {{printf "%.10s" .CreatedBy}}' local/busybox:1
assert_rc 0 "history --format"
assert_match "$out" "^[0-9a-f]{12} " "  history rows through the template"
run burrow history --format 'table {{.ID}}\t{{.Created}}\t{{.CreatedBy}}' local/busybox:1
assert_match "$out" "^ID  +CREATED  +CREATED BY
[0-9a-f]{12}  .* ago  .{42}\.\.\.$" "history table: podman's headers, CREATED BY cut at 45 characters"
run burrow version --format '{{.Client.Version}}'
assert_eq "$out" "$(sed -n 's/^VERSION *:= *//p' "$(dirname "$0")/../../Makefile")" "version --format {{.Client.Version}}"
run burrow version --format json
assert_match "$out" '"OsArch": "linux/' "version --format json"

# --- the engine against podman's: templates over literals and the two
# fields both version commands have, where podman is installed
if command -v podman >/dev/null 2>&1 && podman version --format '{{.Client.Os}}' >/dev/null 2>&1; then
	n=0 same=0
	while IFS= read -r t; do
		[ -n "$t" ] || continue
		n=$((n + 1))
		p=$(podman version --format "$t" 2>/dev/null)
		prc=$?
		b=$("$BURROW" version --format "$t" 2>/dev/null)
		brc=$?
		if [ "$prc" = "$brc" ] && { [ "$prc" != 0 ] || [ "$p" = "$b" ]; }; then
			same=$((same + 1))
		else
			diag "differs from podman: $t" "  podman ($prc): $p" "  burrow ($brc): $b"
		fi
	done <<'EOF_T'
{{.Client.Os}} {{len .Client.Os}} {{upper .Client.Os}}
{{printf "%5.2f|%x|%q|%v|%t" 3.14159 255 "a\tb" true false}}
{{print 1 2 "a" 3 "b" "c" true false}}
{{println 1 "a"}}x
{{printf "%-6d|%06d|%+.1e|%g|%G" 42 -42 12345.678 0.000001 1e30}}
{{printf "%s %d" "a"}}
{{printf "%d %s" 1 "a" 2}}
{{printf "%x %X %o %b %c %U" -255 255 8 5 65 65}}
{{printf "%08.3f|%-8.2f|% d|%#x" 3.14159 2.5 5 255}}
{{upper "h\u00e9llo"}} {{lower "H\u00c9LLO"}} {{title "hello wORLD foo-bar"}}
{{join (split "a,b,c" ",") "|"}} {{split "abc" ""}} {{index "abc" 1}}
{{eq 1 1.0}}
{{eq "a" "a" "b"}} {{and 1 0 2}} {{or 0 "" "x"}} {{not 0}}
{{truncate "abcdef" 3}}
{{$x := 1}}{{$x = 2}}{{$x}}
{{1.5}} {{1e3}} {{0x10}} {{'a'}} {{1_000}} {{.5}} {{1e20}} {{123456789.0}}
{{if 0}}a{{else if ""}}b{{else}}c{{end}}
{{range $i, $c := split "x y" " "}}{{$i}}{{$c}}{{end}}
{{range split "" ","}}[{{.}}]{{else}}empty{{end}}
{{with $x := "v"}}{{$x}}{{.}}{{end}}
{{printf "%v %q %T" (split "a b" " ") (split "a b" " ") 1}}
{{printf "%s|%d|%e" 3 "x" 0}}
{{printf "%.2s|%5.1s|%-5t|" "h\u00e9llo" "h\u00e9llo" true}}
{{printf "%+q %#q"  "\u00e9" "a"}}
{{ 3 | printf "%d-%d" 4 }} {{ "a" | eq "a" }} {{ not true | not }}
a {{- " b " -}} c {{/* c */}}
{{pad "x" 1 2}}|{{json "a<b>"}} {{json 1.5}} {{json nil}}
{{nosuch}}
{{if}}{{end}}
{{ 1 | 2 }}
{{index (split "a,b" ",") 5}}
{{upper 1}}
{{.Client.Os.X}}
{{end}}
{{$x}}
EOF_T
	assert_eq "$same" "$n" "$n templates print what podman prints (or both fail)"
else
	skip "podman is not installed: no comparison with its templates"
fi

done_testing
