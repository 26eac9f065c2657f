#!/bin/sh
# Compatibility with podman: verb groups, ps and images filters, system df,
# version, events, Go templates and the exit statuses of errors, the same
# command lines through both (tests/lib/compat.sh).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
. "$(dirname "$0")/../lib/compat.sh"
compat_init

compat_cases <<'EOF_T'
0    -  $B create --name a1 --label team=web $COMPAT_IMG sh -c 'exit 3'
3    o  $B start -a a1
0    -  $B create --name a2 --label team=db $COMPAT_IMG true
0    o  $B tag $COMPAT_IMG local/other:2
# --- verb groups
0    o  $B container ls -a --format '{{.Names}} {{.Status}}'
0    o  $B container list -a -q | wc -l
0    -  $B container exists a1
1    -  $B container exists nope
0    o  $B container inspect --format '{{.Name}} {{.State.ExitCode}} {{.Config.Labels.team}}' a1
125  e  $B container inspect nope
0    -  $B image exists local/other:2
1    -  $B image exists local/nope:1
0    o  $B image ls --format '{{.Repository}}:{{.Tag}}' | sort
0    o  $B image rm local/other:2
1    e  $B image rm local/other:2
125  e  $B container nosuch
# --- ps filters
0    o  $B ps -a --filter label=team=web --format '{{.Names}}'
0    o  $B ps -a --filter status=exited --format '{{.Names}} {{.ExitCode}}'
0    o  $B ps -a --filter exited=3 --format '{{.Names}}'
0    -  $B ps -a --filter status=created --format '{{.Names}} {{.State}}' ## .State is the state as podman 5 prints it (created); podman 4.3 capitalises it
0    o  $B ps -a --filter name=a --filter label=team=db --format '{{.Names}}'
0    o  $B ps -a --filter ancestor=localhost/$COMPAT_IMG --format '{{.Names}}' | sort
0    o  $B ps -a --filter ancestor=local/busybox --format '{{.Names}}' | sort
0    o  $B ps -a --filter since=a1 --format '{{.Names}}'
0    o  $B ps -a --filter before=a2 --format '{{.Names}}'
0    o  $B ps -a --filter name=a1 --format 'table {{.Names}}\t{{.Command}}\t{{.Labels}}'
0    o  $B ps -a --filter name=a1 --format '{{.Image}}'
0    o  $B container inspect --format '{{.ImageName}} {{.Config.Image}}' a1
0    o  $B events --stream=false --filter event=create --format '{{.Name}} {{.Image}}'
0    o  $B ps -a --noheading --format 'table {{.Names}}'
0    o  $B ps -a --no-trunc --format '{{.Command}}'
125  -  $B ps --filter bogus=1 ## burrow's message lists the filters it takes
125  -  $B ps --filter status=bogus ## burrow's message lists the states
# --- images filters
0    o  $B images --filter reference=local/busybox --format '{{.Repository}} {{.Tag}}'
0    o  $B images --filter dangling=false -q | wc -l
0    o  $B images --filter label=nope=1 -q
0    o  $B images --format 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}'
0    o  $B images --noheading --format 'table {{.Repository}}'
125  -  $B images --filter bogus=1 ## burrow's message lists the filters it takes
# --- system df, version
0    o  $B system df --format '{{.Type}} {{.Total}} {{.Active}}'
0    o  $B system df --format 'table {{.Type}}\t{{.Total}}'
0    o  $B version --format '{{.Client.Os}}/{{.Client.OsArch}}'
0    o  $B version --format '{{printf "%s-%s" .Client.Os "x"}} {{len .Client.Os}}'
125  -  $B version --format '{{.Client.Nope}}'
# --- events: this store's own, bounded
0    o  $B events --stream=false --filter event=died --format '{{.Type}} {{.Status}} {{.Name}}'
0    o  $B events --stream=false --filter container=a1 --filter event=start --format '{{.Status}} {{.Name}} {{.Attributes.team}}'
0    o  $B events --stream=false --filter type=image --filter event=untag --format '{{.Type}} {{.Status}}'
0    o  $B events --stream=false --filter label=team=db --format '{{.Status}} {{.Name}}'
125/0 -  $B events --stream=false --filter bogus=1 ## podman 4.3 ignores a filter it does not know; burrow refuses it, as podman's other verbs
125/0 -  $B events --stream=false --since yesterday ## podman 4.3 takes a time it cannot parse as no bound
# --- Go templates
125  -  $B ps -a --format '{{range .Names}}{{.}}{{end}}'
0    o  $B inspect --format '{{range .Config.Cmd}}<{{.}}>{{end}}' a1
0    o  $B inspect --format '{{if eq .State.ExitCode 3}}three{{else}}other{{end}} {{if .State.Running}}up{{else if .State.Dead}}dead{{else}}down{{end}}' a1
0    o  $B inspect --format '{{json .Config.Cmd}} {{json .Config.Labels}}' a1
0    o  $B inspect --format '{{index .Config.Labels "team"}} {{index .Config.Cmd 0}}' a1
0    o  $B inspect --format '{{printf "%-5s|%3d" .Name .State.ExitCode}}' a1
0    o  $B inspect --format '{{join .Config.Cmd "+"}} {{lower "AbC"}} {{upper .Name}} {{len .Config.Cmd}}' a1
0    o  $B ps -a --filter name=a1 --format 'table {{.Names | upper}}\t{{len .Names}}'
0    o  $B ps -a --format '{{.Names}}' --filter label=team --sort names
0    o  $B ps -a --format '{{.Names}}' --sort status
0    o  $B ps -a --format '{{.Names}}' --sort created
0    o  $B ps -a --format '{{.Names}}' --sort runningfor
0    o  $B ps -a --latest --format '{{.Names}}'
125  e  $B ps -a --sort bogus
# template errors: burrow gives line:column and the reason; Go's names of
# the template ("ps:") and of its types (*define.Version) mean nothing here
125  -  $B inspect --format '{{.Name | nosuch}}' a1
125  -  $B ps -a --format '{{if .Names}}x'
125  -  $B inspect --format '{{.Nope}}' a1
125  -  $B images --format '{{.Repository'
125/0 -  $B volume ls --format '{{.Name' ## podman 4.3 prints nothing and exits 0 on a bad volume ls template
# --- errors: no such container/image/volume
125  e  $B start nope
125  e  $B stop nope
1    e  $B rm nope
0    o  $B rm -f nope
1    e  $B rmi local/nope:1
125  e  $B inspect nope
125  e  $B image inspect local/nope:1
125  e  $B logs nope
125  e  $B exec nope true
125  e  $B volume inspect nope
125  e  $B run --rm --pull never local/nope:1
125  e  $B commit nope local/x
125  e  $B wait nope
125  e  $B kill nope
125  e  $B rename nope other
125  e  $B rename a1 a2
0    o  $B container rm a1
0    o  $B rm a2
0    o  $B container prune -f | wc -l
EOF_T

done_testing
