#!/bin/sh
# tools/screenshots.sh — refresh docs/screenshots/ from the browser tour's
# output: the docs-NAME.png files that tests/browser/tour.test.mjs saves (the
# top 1366×900 of the pages the README and docs/admin-guide.md show) become
# docs/screenshots/NAME.png.
#
#   TETHER_TEST_FILTER=tour deploy/tether test
#   tools/screenshots.sh [OUT]        OUT: the test output, var/test/out by default
#
# Exits 1 when OUT holds no docs-*.png (the tour did not run, or failed early).

set -eu

root=$(cd "$(dirname "$0")/.." && pwd -P)
out=${1:-$root/var/test/out}
dest=$root/docs/screenshots

n=0
mkdir -p "$dest"
for f in "$out"/docs-*.png; do
	[ -f "$f" ] || continue
	name=${f##*/docs-}
	cp "$f" "$dest/$name"
	n=$((n + 1))
done
if [ "$n" -eq 0 ]; then
	echo "tools/screenshots.sh: no docs-*.png in $out: run TETHER_TEST_FILTER=tour deploy/tether test first" >&2
	exit 1
fi
echo "tools/screenshots.sh: $n screenshots copied to docs/screenshots/"
