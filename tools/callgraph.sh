#!/bin/bash
# tools/callgraph.sh — the file-level call graph of src/ from the objects'
# symbol tables (nm): an edge a -> b when a.o uses a function b.o defines.
# Prints the cycles (strongly connected components of more than one file)
# and exits 1 when there is one; `-v` prints every edge too.
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
python3 - "$tmp/edges" <<'PY'
import sys
edges = {}
for line in open(sys.argv[1]):
    a, b = line.split()
    edges.setdefault(a, set()).add(b)
    edges.setdefault(b, set())
# Tarjan's strongly connected components
index, low, stack, on, sccs, n = {}, {}, [], set(), [], [0]
def visit(v):
    index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
    for w in edges[v]:
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        c = []
        while True:
            w = stack.pop(); on.discard(w); c.append(w)
            if w == v: break
        sccs.append(c)
sys.setrecursionlimit(10000)
for v in sorted(edges):
    if v not in index:
        visit(v)
cycles = [sorted(c) for c in sccs if len(c) > 1]
print(f"{sum(len(e) for e in edges.values())} edges between {len(edges)} files; "
      f"{len(cycles)} cycles")
for c in cycles:
    inner = sorted(f"{a}->{b}" for a in c for b in edges[a] if b in c)
    print("cycle:", " ".join(c))
    print("   edges:", " ".join(inner))
sys.exit(1 if cycles else 0)
PY
