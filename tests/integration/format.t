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
assert_eq "$out" "second
web" "  one name per line, newest first"
run burrow ps -a --format 'table {{.Names}}\t{{.Status}}'
assert_eq "$(printf '%s\n' "$out" | head -n 1)" "NAMES       STATUS" \
	"ps table header: podman's names, 12-wide columns"
assert_match "$out" "
web         Exited \(3\) .* ago" "  and the rows aligned the same way"
run burrow ps -a --format 'table {{.ID}}\t{{.Image}}\t{{.Command}}'
assert_match "$out" "^CONTAINER ID  IMAGE +COMMAND
" "  .ID is CONTAINER ID, as podman's header"
assert_match "$out" "$short  local/busybox:1  sh -c exit 3" "  short ID, image and command text"
run burrow ps -a --noheading --format 'table {{.Names}}'
assert_no_match "$out" "NAMES" "--noheading leaves the table header out"
run burrow ps -a --format '{{if eq .ExitCode 3}}{{.Names}}={{.ExitCode}}{{else}}{{.Names}} is {{.State}}{{end}}'
assert_eq "$out" "second is created
web=3" "if/else and eq over ps fields (.State is the state, as podman 5's)"
run burrow ps -a --filter name=web --format 'table {{.CreatedAt}}\t{{.RunningFor}}'
assert_match "$out" "^CREATED AT +RUNNING FOR
20[0-9-]+ [0-9:.]+ \+0000 UTC  .* ago$" "CreatedAt as Go prints a time, RunningFor as podman's"
run burrow ps -a --format '{{.Names | upper | printf "%-8s|"}}{{len .Names}}'
assert_eq "$out" "SECOND  |6
WEB     |3" "a pipeline into printf, and len"
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

done_testing
