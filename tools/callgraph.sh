#!/bin/bash
# tools/callgraph.sh — the file-level call graph of src/ from the objects'
# symbol tables (nm): an edge a -> b when a.o uses a function b.o defines.
# Prints the cycles (the files of each loop, as tsort finds them) and exits
# 1 when there is one; `-v` prints every edge too.
# Run after `make` (it reads src/*.o).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../src"
verbose=${1:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for o in *.o; do
	f=${o%.o}
	nm -g --defined-only "$o" | awk -v f="$f" '$2 ~ /[TDBR]/ { print $3, f }'
done | sort >"$tmp/defs"
for o in *.o; do
	f=${o%.o}
	nm -u "$o" | awk -v f="$f" '{ print $2, f }'
done | sort >"$tmp/uses"
join "$tmp/uses" "$tmp/defs" | awk '$2 != $3 { print $2, $3 }' | sort -u >"$tmp/edges"
[ "$verbose" = -v ] && cat "$tmp/edges"
# tsort (coreutils) orders the files by the graph and names every loop it meets.
n=$(wc -l <"$tmp/edges")
if tsort "$tmp/edges" >/dev/null 2>"$tmp/loops"; then
	echo "$n edges between $(tr ' ' '\n' <"$tmp/edges" | sort -u | wc -l) files; no cycles"
	exit 0
fi
echo "$n edges; cycles:"
sed -n 's/^tsort: //p' "$tmp/loops"
exit 1
