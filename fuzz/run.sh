#!/bin/bash
# fuzz/run.sh — run libFuzzer harnesses for a bounded time each.
#
#   fuzz/run.sh BUILD_DIR OUT_DIR SECONDS [NAME...]
#
# BUILD_DIR holds the fuzzers `make fuzz` built; each NAME (default: every
# fuzz_* there) runs SECONDS seconds on a copy of its seed corpus
# fuzz/corpus/NAME (new inputs go to OUT_DIR/NAME/corpus, the committed seeds
# stay as they are), with its dictionary fuzz/NAME.dict when there is one.
# The targets' own output is closed (-close_fd_mask=3); libFuzzer's and the
# sanitizers' reports stay. A crash, leak, timeout or sanitizer report
# leaves the input in OUT_DIR/NAME/ (crash-*, leak-*, timeout-*, oom-*)
# and the log in OUT_DIR/NAME/log. Prints one line a harness, "fuzz NAME: ok|FAILED ..."
# with its executions and coverage; exits 1 when any failed.

set -uo pipefail

if [ $# -lt 3 ]; then
	printf 'usage: %s BUILD_DIR OUT_DIR SECONDS [NAME...]\n' "$0" >&2
	exit 2
fi
FUZZ_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
build=$1 out=$2 seconds=$3
shift 3
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for f in "$build"/fuzz_*; do
		[ -x "$f" ] && names+=("$(basename "$f")")
	done
fi
[ ${#names[@]} -gt 0 ] || { printf 'fuzz: no fuzzers in %s\n' "$build" >&2; exit 1; }

failed=0
for name in "${names[@]}"; do
	dir=$out/$name
	rm -rf "$dir"
	mkdir -p "$dir/corpus"
	args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048
	    -max_len=65536 -print_final_stats=1 -close_fd_mask=3
	    -artifact_prefix="$dir/")
	[ -f "$FUZZ_SRC/$name.dict" ] && args+=(-dict="$FUZZ_SRC/$name.dict")
	seeds=()
	[ -d "$FUZZ_SRC/corpus/$name" ] && seeds=("$FUZZ_SRC/corpus/$name")
	# Bounded twice: libFuzzer stops itself; timeout is the backstop.
	rc=0
	TMPDIR=$dir timeout -k 10 $((seconds + 60)) "$build/$name" "${args[@]}" \
	    "$dir/corpus" "${seeds[@]}" >"$dir/log" 2>&1 || rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$dir/log" | tail -n 1)
	ft=$(grep -o 'ft: [0-9]*' "$dir/log" | tail -n 1)
	what="${runs:-?} runs in ${seconds}s, ${cov:-cov: ?}, ${ft:-ft: ?}, corpus $(find "$dir/corpus" -type f | wc -l) new"
	artifacts=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
	    -o -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) | head -n 5)
	if [ "$rc" -ne 0 ] || [ -n "$artifacts" ]; then
		failed=1
		printf 'fuzz %s: FAILED (exit %d): %s\n' "$name" "$rc" "$what"
		grep -m 5 -E 'ERROR|SUMMARY|runtime error|Test unit written' "$dir/log" | sed 's/^/    /'
		for a in $artifacts; do
			printf '    input kept: %s\n' "$a"
		done
		printf '    log: %s/log; replay: %s/%s INPUT\n' "$dir" "$build" "$name"
	else
		printf 'fuzz %s: ok: %s\n' "$name" "$what"
	fi
done
exit "$failed"
