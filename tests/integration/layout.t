#!/bin/sh
# The source layout rules of docs/ARCHITECTURE.md, checked on the tree:
#   - src/lib's folders include each other in one direction only:
#     base <- cgroup <- record <- cdi <- net <- runtime <- store <- build <- api <- hostcheck
#     (a folder may include the ones before it, never one after it);
#   - the library includes nothing from src/cli or src/cmd, and src/cli
#     nothing from src/cmd;
#   - no C file is past 1,000 lines.
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
. "$(dirname "$0")/../lib/tap.sh"

SRC=$(cd "$(dirname "$0")/../.." && pwd)
[ -d "$SRC/src/lib" ] || skip_all "no source tree beside the tests"
cd "$SRC" || bail_out "cd $SRC"

ORDER="base cgroup record cdi net runtime store build api hostcheck"
rank() {
	_i=0
	for _f in $ORDER; do
		[ "$_f" = "$1" ] && { echo "$_i"; return; }
		_i=$((_i + 1))
	done
	echo -1
}

# every folder of src/lib has its place in the order
for d in src/lib/*/; do
	f=$(basename "$d")
	if [ "$(rank "$f")" -ge 0 ]; then
		ok "src/lib/$f has a place in the folder order"
	else
		not_ok "src/lib/$f has a place in the folder order (add it to ORDER here and in docs/ARCHITECTURE.md)"
	fi
done

# include edges between folders that go the wrong way
bad=""
edges=$(grep -rHo '#include "lib/[a-z]*/' src/lib | sed 's|^src/lib/\([a-z]*\)/[^:]*:#include "lib/\([a-z]*\)/|\1 \2|' | sort -u)
[ -n "$edges" ] || bail_out "found no include lines under src/lib"
while read -r from to; do
	[ "$from" = "$to" ] && continue
	if [ "$(rank "$from")" -lt "$(rank "$to")" ]; then
		bad="$bad $from->$to"
	fi
done <<EOF
$edges
EOF
if [ -z "$bad" ]; then
	ok "src/lib folders include only the folders before them"
else
	not_ok "src/lib folders include only the folders before them"
	diag "wrong-way includes:$bad"
	grep -rn '#include "lib/' src/lib | while IFS=: read -r file line text; do
		from=$(echo "$file" | cut -d/ -f3)
		to=$(echo "$text" | sed 's|.*"lib/\([a-z]*\)/.*|\1|')
		[ "$(rank "$from")" -lt "$(rank "$to")" ] && diag "  $file:$line: $text"
	done
fi

run grep -rln -e '#include "cli/' -e '#include "cmd/' -e '#include "cmd.h"' src/lib
assert_eq "$out" "" "src/lib includes nothing from src/cli or src/cmd"
run grep -rln -e '#include "cmd/' -e '#include "cmd.h"' src/cli
assert_eq "$out" "" "src/cli includes nothing from src/cmd"

long=$(find src helpers \( -name "*.c" -o -name "*.h" \) -exec wc -l {} + | awk '$2 != "total" && $1 > 1000 { print $2 " (" $1 " lines)" }')
assert_eq "$long" "" "no source file is past 1,000 lines"

done_testing
