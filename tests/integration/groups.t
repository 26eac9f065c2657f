#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# The verb groups (container, image, system) and their own verbs: exists,
# container prune, system df, system info, system reset.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1

# --- groups dispatch
run burrow container
assert_rc 125 "container without a command exits 125"
assert_match "$err" "missing command 'burrow container COMMAND'" "  and says so"
run burrow container nosuch
assert_rc 125 "an unknown container command exits 125"
assert_match "$err" 'unrecognized command `burrow container nosuch`' "  with podman's message"
run burrow container --help
assert_rc 0 "container --help"
for v in ls rm prune exists inspect run stop; do
	assert_match "$out" "
  $v " "  lists $v"
done
run burrow image --help
assert_match "$out" "
  exists " "image --help lists exists"
run burrow system --help
assert_match "$out" "
  reset " "system --help lists reset"

# --- exists
run burrow image exists local/busybox:1
assert_rc 0 "image exists: 0 for an image in the store"
assert_eq "$out$err" "" "  silently"
run burrow image exists nosuch:1
assert_rc 1 "image exists: 1 for an unknown image"
assert_eq "$out$err" "" "  silently"
run burrow image exists
assert_rc 125 "image exists without an argument exits 125"

"$BURROW" create --name c1 local/busybox:1 true >/dev/null || bail_out "cannot create c1"
run burrow container exists c1
assert_rc 0 "container exists: 0 for a container"
run burrow container exists nosuch
assert_rc 1 "container exists: 1 for none"
assert_eq "$out$err" "" "  silently"

# --- container ls/rm through the group
run burrow container ls -a --format '{{.Names}}'
assert_eq "$out" "c1" "container ls is ps"
run burrow container rm c1
assert_rc 0 "container rm"
run burrow container exists c1
assert_rc 1 "  the container is gone"

# --- container prune
"$BURROW" create --name p1 local/busybox:1 true >/dev/null
"$BURROW" run --name p2 local/busybox:1 true >/dev/null
"$BURROW" run -d --name live local/busybox:1 sleep 1000 >/dev/null || bail_out "cannot run live"
p1=$("$BURROW" inspect --format '{{.Id}}' p1) p2=$("$BURROW" inspect --format '{{.Id}}' p2)
run sh -c 'echo n | "$BURROW" container prune'
assert_rc 0 "container prune answered no"
assert_match "$err" "WARNING! This will remove all non running containers." "  asks first"
assert_eq "$("$BURROW" ps -aq | wc -l | tr -d ' ')" 3 "  and keeps them all"
run burrow container prune -f
assert_rc 0 "container prune -f"
assert_eq "$(printf '%s\n' "$out" | sort)" "$(printf '%s\n%s\n' "$p1" "$p2" | sort)" "  prints the removed IDs"
assert_eq "$("$BURROW" ps -a --format '{{.Names}}')" "live" "  the running one stays"

# --- system df
run burrow system df
assert_rc 0 "system df"
assert_match "$out" "^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE
Images +1 +1 +[0-9.]+[kM]B +0B \(0%\)
Containers +1 +1 +[0-9.]+[kMG]?B +0B \(0%\)
Local Volumes +0 +0 +0B +0B \(0%\)$" "  podman's table: one image in use, one running container"
run burrow system df --format '{{.Type}}={{.Total}}/{{.Active}}'
assert_eq "$out" "Images=1/1
Containers=1/1
Local Volumes=0/0" "system df --format"
run burrow system df --format json
assert_match "$out" '"Type": "Images"' "system df --format json"
run burrow system df -v
assert_match "$out" "Images space usage:" "system df -v lists the images"
assert_match "$out" "live" "  and the containers"

# --- system info
run burrow system info
assert_rc 0 "system info"
assert_match "$out" "^host:
  arch: " "  YAML like podman's"
assert_match "$out" "
store:
" "  with a store section"
assert_match "$out" "    running: 1" "  counting the running container"
run burrow system info --format json
printf '%s' "$out" >"$FIXTURE_DIR/info.json"
run perl -MJSON::PP -e '
	open my $f, "<", $ARGV[0] or die; local $/; my $j = decode_json(<$f>);
	printf "%s %s %s %d %d %s\n", $j->{host}{os}, $j->{host}{kernel} ne "" ? "k" : "-",
		$j->{store}{graphRoot}, $j->{store}{imageStore}{number},
		$j->{store}{containerStore}{number}, $j->{host}{security}{rootless} ? "rootless" : "root";
	' "$FIXTURE_DIR/info.json"
assert_eq "$out" "linux k $BURROW_ROOT 1 1 rootless" "system info --format json: os, kernel, graphRoot, counts, rootless"
run burrow system info --format '{{.Host.Os}} {{.Store.GraphRoot}} {{.Store.ImageStore.Number}}'
assert_eq "$out" "linux $BURROW_ROOT 1" "system info --format with podman's field names"
run burrow info --format '{{.Host.Os}} {{.Store.ImageStore.Number}}'
assert_eq "$out" "linux 1" "info --format with a template is podman's info, as system info"
run burrow system info --format '{{.Host.Nope}}'
assert_rc 125 "  a field it has not is an error"

# --- system reset
run sh -c 'echo n | "$BURROW" system reset'
assert_rc 0 "system reset answered no"
assert_match "$err" "WARNING! This will remove:" "  asks first"
assert_match "$err" "the graphRoot directory: \"$BURROW_ROOT\"" "  naming the store"
run burrow image exists local/busybox:1
assert_rc 0 "  and keeps everything"
run burrow system reset -f
assert_rc 0 "system reset -f"
assert_eq "$(ls -A "$BURROW_ROOT" | tr '\n' ' ')" "" "  empties the store root"
assert_eq "$(ls -A "$BURROW_RUNROOT" | tr '\n' ' ')" "" "  and the runroot"
run burrow ps -a -q
assert_eq "$out" "" "  no container is left (the running one too)"
run burrow images -q
assert_rc 0 "  the empty store works"
assert_eq "$out" "" "  with no image"
fixture_image local/busybox:1
run burrow run --rm local/busybox:1 echo works
assert_eq "$out" "works" "  and runs containers again"

done_testing
