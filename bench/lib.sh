# bench/lib.sh - what the benchmark scripts share: run as the test user,
# the podman wrapper, the interleaved timing loop and the statistics.
# shellcheck shell=sh

# as_user SCRIPT BIN VARS...: as root, re-run SCRIPT as $BURROW_TEST_USER
# (default burrowtest) from a copy it can read, passing the named
# environment variables on; returns only when not root.
as_user() {
	[ "$(id -u)" = 0 ] || return 0
	_script=$1 _bin=$2
	shift 2
	_user=${BURROW_TEST_USER:-burrowtest}
	id -u "$_user" >/dev/null 2>&1 ||
		{ echo "bench: no user $_user: run 'make check' as root once, or create it" >&2; exit 1; }
	_stage=$(mktemp -d "${TMPDIR:-/tmp}/burrow-bench.XXXXXX")
	trap 'rm -rf "$_stage"' EXIT
	mkdir -p "$_stage/bench" "$_stage/tests/lib" "$_stage/build"
	cp "$_script" "$_stage/bench/"
	cp "$(dirname "$_script")/lib.sh" "$_stage/bench/"
	cp "$(dirname "$_script")/../tests/lib/fixtures.sh" "$_stage/tests/lib/"
	cp "$_bin" "$_stage/build/burrow"
	for _h in burrow-init burrow-net; do
		[ -x "$(dirname "$_bin")/$_h" ] && cp "$(dirname "$_bin")/$_h" "$_stage/build/"
	done
	chown -R "$_user:" "$_stage"
	_home=$(getent passwd "$_user" | cut -d: -f6)
	_env=""
	for _v in "$@"; do
		eval "_val=\${$_v-}"
		[ -n "$_val" ] && _env="$_env $_v=$_val"
	done
	_rc=0
	# shellcheck disable=SC2086 # _env is a list of NAME=VALUE words
	(cd "$_stage" && runuser -u "$_user" -- env -i HOME="$_home" USER="$_user" LOGNAME="$_user" \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 $_env \
		sh "$_stage/bench/$(basename "$_script")" "$_stage/build/burrow") || _rc=$?
	exit "$_rc"
}

# timeloop WARMUP N OUTDIR NAME CMD... [:: NAME CMD...]: runs the commands
# interleaved (so machine noise hits them alike) and writes OUTDIR/NAME.us,
# one time per line in microseconds.  Perl's Time::HiRes around a plain
# fork+exec adds no shell forks to what it measures; a command's leading
# NAME=VALUE words go into its environment (no env(1) exec in the times).
timeloop() {
	perl -MTime::HiRes=time -e '
		my ($warm, $n, $dir, @a) = @ARGV;
		my @cmds; my $cur;
		for (@a) { if ($_ eq "::") { undef $cur; next }
			if (!$cur) { $cur = { name => $_, argv => [] }; push @cmds, $cur; next }
			push @{$cur->{argv}}, $_ }
		sub run1 { my ($c) = @_; my $t0 = time; my $pid = fork;
			die "fork: $!" unless defined $pid;
			if (!$pid) { open STDIN, "<", "/dev/null"; open STDOUT, ">", "/dev/null";
				open STDERR, ">", "$dir/$c->{name}.err"; my @a = @{$c->{argv}};
				while (@a > 1 && $a[0] =~ /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s) { $ENV{$1} = $2; shift @a }
				exec @a; exit 127 }
			waitpid $pid, 0; my $st = $?; my $dt = time - $t0;
			if ($st) { print STDERR "bench: $c->{name} failed (wait status $st): @{$c->{argv}}\n";
				open my $e, "<", "$dir/$c->{name}.err"; print STDERR <$e>; exit 1 }
			return $dt }
		for (1 .. $warm) { run1($_) for @cmds }
		my %t;
		for (1 .. $n) { push @{$t{$_->{name}}}, run1($_) for @cmds }
		for my $c (@cmds) { open my $f, ">", "$dir/$c->{name}.us" or die;
			printf $f "%d\n", $_ * 1e6 for @{$t{$c->{name}}} }
	' "$@"
}

# stats FILE: "min median p90" in milliseconds
stats() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		p = v[int(NR * 0.9 + 0.5) < 1 ? 1 : int(NR * 0.9 + 0.5)]
		printf "%.2f %.2f %.2f\n", v[1] / 1000, m / 1000, p / 1000 }'
}
median() { stats "$1" | awk '{ print $2 }'; }
row() { # NAME FILE
	# shellcheck disable=SC2046 # the statistics split into fields
	set -- "$1" $(stats "$2")
	printf '%-40s %9s %9s %9s\n' "$1" "$2" "$3" "$4"
}
# ratio SLOWER_FILE FASTER_FILE: median(SLOWER) / median(FASTER)
ratio() { awk -v a="$(median "$1")" -v b="$(median "$2")" 'BEGIN { printf "%.1f", a / b }'; }
