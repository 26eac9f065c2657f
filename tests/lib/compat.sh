# compat.sh - the same command lines through burrow and podman, compared
# (sourced after tap.sh and fixtures.sh by tests/integration/compat-*.t).
#
#   compat_init                  # private stores, local/busybox:1 in both
#   compat_cases <<'EOF'         # one case a line: RC FLAGS COMMAND [## NOTE]
#   0    o  $B volume ls
#   125  e  $B volume inspect nope
#   EOF
#   done_testing
#
# COMMAND is shell text run with eval, once with $B=bur (burrow) and once
# with $B=pod (podman with a private store); $H is a host directory of the
# engine's own, holding the same files for both, so that a case writing to
# the host does not see the other engine's output.  The two engines run
# their whole table side by side (each has its own store, so their states
# move in step), then every case is compared:
#
#   RC     the exit status both must give; B/P when burrow deliberately
#          differs (the NOTE says why)
#   FLAGS  o  normalised stdout must be the same
#          e  the first line of stderr must be the same, past the prefix
#             (podman's "Error: ", burrow's "burrow: error: ": burrow's
#             own prefix is its convention, the words after it are not)
#          -  the status only
#          T  a known mismatch still to fix: "not ok # TODO NOTE"; RC
#             and the rest are what podman does, what burrow should do
#          s  podman is not run (the NOTE says why): burrow's status only
#
# What may differ between two runs of the same engine is masked before the
# comparison (compat_norm: IDs, times, sizes, the host directory's name);
# a deliberate difference is a B/P status, a "-" flag or a normalisation,
# each with its reason beside it.
#
# With no podman (or one that cannot run here as this user, or
# BURROW_NO_PODMAN set) each case still checks burrow's status against RC.
# shellcheck shell=sh

COMPAT_IMG=local/busybox:1

bur() { "$BURROW" "$@"; }
# podman as the benchmarks run it (bench/README.md): runc where it is
# installed, and cgroupfs, as there is no systemd user session; events in a
# file under the private --tmpdir, so that events cases see this store's
# events only.  A podman command that hangs (events does, with an --until
# in the past) is stopped after a minute rather than hang the file.
pod() {
	timeout 60 podman --root "$COMPAT_PR/root" --runroot "$COMPAT_PR/run" --tmpdir "$COMPAT_PR/tmp" \
		${COMPAT_RUNTIME:+--runtime "$COMPAT_RUNTIME"} --cgroup-manager cgroupfs --events-backend file "$@"
}

compat_init() {
	fixture_store
	fixture_image "$COMPAT_IMG"
	COMPAT_W="$FIXTURE_DIR/compat"
	COMPAT_PR="$FIXTURE_DIR/podman"
	mkdir -p "$COMPAT_W/bur" "$COMPAT_W/pod" "$COMPAT_W/host-bur" "$COMPAT_W/host-pod" "$COMPAT_PR/tmp"
	COMPAT_PODMAN=
	COMPAT_RUNTIME=
	command -v runc >/dev/null 2>&1 && COMPAT_RUNTIME=runc
	# CI's second pass (BURROW_SAFE_OPEN=fallback) tries burrow's other path
	# only: podman's half would be the first pass's again
	if [ -z "${BURROW_NO_PODMAN:-}${BURROW_SAFE_OPEN:-}" ] && command -v podman >/dev/null 2>&1; then
		# podman must import and run a container here, as this user (one
		# that leaves no event for the events cases)
		if pod import "$(fixture_rootfs_tar)" "$COMPAT_IMG" >/dev/null 2>"$COMPAT_W/podman.err" &&
			pod --events-backend none run --rm "$COMPAT_IMG" true >/dev/null 2>>"$COMPAT_W/podman.err"; then
			COMPAT_PODMAN=1
		else
			diag "podman cannot run here: burrow's statuses only, against the table:" \
				"$(grep -v level=warning "$COMPAT_W/podman.err" | tail -n 3)"
		fi
	else
		diag "no podman (or BURROW_NO_PODMAN, BURROW_SAFE_OPEN): burrow's statuses only, against the table"
	fi
	trap 'compat_cleanup' EXIT
}

compat_cleanup() {
	if [ -d "$COMPAT_PR/root" ]; then
		pod rm -af -t 0 >/dev/null 2>&1
		# podman's pause process for this --tmpdir outlives the store: it
		# goes with it (after the unshare below, which needs it)
		_pause=$(cat "$COMPAT_PR/tmp/pause.pid" 2>/dev/null || true)
		# its layers belong to mapped IDs
		pod unshare rm -rf "$COMPAT_PR" >/dev/null 2>&1 || true
		case $_pause in
		'' | *[!0-9]*) ;;
		*) [ "$(cat "/proc/$_pause/comm" 2>/dev/null)" != catatonit ] || kill "$_pause" 2>/dev/null ;;
		esac
	fi
	fixture_cleanup
}

# compat_host: copy what the caller made in $COMPAT_W/host into both
# engines' $H, the host files the cases start with
compat_host() {
	for _e in bur pod; do
		cp -a "$COMPAT_W/host/." "$COMPAT_W/host-$_e/"
	done
}

# _compat_run ENGINE TABLE: every case of TABLE through ENGINE, results in
# $COMPAT_W/ENGINE/N.{rc,out,err}
_compat_run() {
	_e=$1
	_n=0
	# shellcheck disable=SC2034 # the cases' commands use $B
	B=$_e
	H="$COMPAT_W/host-$_e"
	export H
	while IFS= read -r _line; do
		case $_line in '' | '#'*) continue ;; esac
		_n=$((_n + 1))
		case $(_compat_flags "$_line") in *s*) [ "$_e" = pod ] && continue ;; esac
		_c=$(_compat_cmd "$_line")
		(cd "$H" && eval "$_c") >"$COMPAT_W/$_e/$_n.out" 2>"$COMPAT_W/$_e/$_n.err" </dev/null
		echo $? >"$COMPAT_W/$_e/$_n.rc"
	done <"$2"
}

# the FLAGS of a case line
_compat_flags() {
	_cf=${1#*[ 	]}
	_cf=${_cf#"${_cf%%[! 	]*}"}
	printf '%s\n' "${_cf%%[ 	]*}"
}

# the COMMAND of a case line (past RC and FLAGS, before " ## ")
_compat_cmd() {
	printf '%s\n' "$1" | sed -E 's/^[^ 	]+[ 	]+[^ 	]+[ 	]+//; s/ ## .*$//'
}

# normalise FILE: what may differ between two runs of one engine masked,
# and the columns podman's tabwriter pads to the widest masked value
# collapsed to two spaces
compat_norm() {
	sed -E \
		-e 's/(sha256:)?\b[0-9a-f]{64}\b/<ID>/g' \
		-e 's/\b[0-9a-f]{12}\b/<ID>/g' \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:]+(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?( [+-][0-9]{4})?( [A-Z]{3,4})?( m=[+-][0-9.]+)?/<TIME>/g' \
		-e 's/(About an?|Less than a|[0-9]+) (second|minute|hour|day|week|month|year)s?( ago)?/<AGO>/g' \
		-e 's/\b[0-9]+(\.[0-9]+)? ?([kKMG]i?)?B\b/<SIZE>/g' \
		-e 's/host-(bur|pod)/host-E/g' \
		-e 's/   +/  /g' -e 's/ +$//' "$1"
}

# the first error line of FILE (podman's warnings skipped), prefix removed,
# the program's own name (`podman container nosuch`) as burrow's, and the
# context podman's inner layers add that burrow has not:
#   "creating container storage: " (containers/storage names itself)
compat_errline() {
	grep -v -E '^(time=".*" level=(warning|info)|burrow: warning:|WARN\[)' "$1" | head -n 1 >"$1.first"
	compat_norm "$1.first" | sed -E 's/^(Error: |burrow: error: )//; s/^creating container storage: //' |
		sed -E "s/\`podman /\`burrow /g"
}

compat_cases() {
	_tab="$COMPAT_W/table"
	cat >"$_tab"
	if [ -n "$COMPAT_PODMAN" ]; then
		_compat_run pod "$_tab" &
		_pid=$!
	fi
	_compat_run bur "$_tab"
	[ -n "$COMPAT_PODMAN" ] && wait "$_pid"
	_n=0
	while IFS= read -r _line; do
		case $_line in '' | '#'*) continue ;; esac
		_n=$((_n + 1))
		_want=${_line%%[ 	]*}
		_fl=$(_compat_flags "$_line")
		_cmd=$(_compat_cmd "$_line")
		_note=
		case $_line in *' ## '*) _note=${_line#* ## } ;; esac
		_wb=${_want%/*} _wp=${_want#*/}
		_d="$_cmd"
		_why=
		_b="$COMPAT_W/bur/$_n" _p="$COMPAT_W/pod/$_n"
		_brc=$(cat "$_b.rc")
		[ "$_brc" = "$_wb" ] || _why="burrow exits $_brc, want $_wb"
		if [ -n "$COMPAT_PODMAN" ] && [ -f "$_p.rc" ]; then
			_prc=$(cat "$_p.rc")
			[ "$_prc" = "$_wp" ] || _why="$_why${_why:+; }podman exits $_prc, the table says $_wp"
			# a deliberate difference in status: the outputs differ too
			[ "$_wb" = "$_wp" ] || _fl=-
			case $_fl in *o*)
				compat_norm "$_b.out" >"$_b.nout"
				compat_norm "$_p.out" >"$_p.nout"
				cmp -s "$_b.nout" "$_p.nout" || _why="$_why${_why:+; }stdout differs"
				;;
			esac
			case $_fl in *e*)
				[ "$(compat_errline "$_b.err")" = "$(compat_errline "$_p.err")" ] ||
					_why="$_why${_why:+; }the message differs"
				;;
			esac
		fi
		_todo=
		case $_fl in *T*) _todo=" # TODO $_note" ;; esac
		if [ -z "$_why" ]; then
			_tap_n=$((_tap_n + 1))
			# a TODO about the output cannot be judged without podman's
			[ -n "$_todo" ] && [ -z "$COMPAT_PODMAN" ] && _todo=" # SKIP no podman to compare with"
			echo "ok $_tap_n - $_d$_todo"
			continue
		fi
		_tap_n=$((_tap_n + 1))
		[ -n "$_todo" ] || _tap_failed=$((_tap_failed + 1))
		echo "not ok $_tap_n - $_d$_todo"
		diag "$_why"
		diag "burrow ($_brc):" "$(head -c 2000 "$_b.out")" "burrow stderr:" "$(head -c 600 "$_b.err")"
		if [ -n "$COMPAT_PODMAN" ] && [ -f "$_p.rc" ]; then
			diag "podman ($(cat "$_p.rc")):" "$(head -c 2000 "$_p.out")" "podman stderr:" "$(head -c 600 "$_p.err")"
			case $_fl in *o*)
				diag "normalised diff (burrow -, podman +):" "$(diff "$_b.nout" "$_p.nout" | head -n 30)"
				;;
			esac
		fi
	done <"$_tab"
}
