#!/bin/bash
# tests/bench/list.sh — a standing budget (docs/ARCHITECTURE.md,
# "Budgets"): the connection list (first page, 50 rows out of 10,000
# connections) must serve at least half the requests a second of a bare
# FastCGI responder of the same page size, on the same machine, measured in
# the same run. A benchmark, not a test: it
# prints figures and always runs to the end (exit 0 unless it could not
# measure; BENCH_STRICT=1 makes a ratio under the target exit 3).
#
# Against a running stack (by default `deploy/tether up`'s var/ on port
# 8080, or the environment tests/run-all.sh exports):
#  1. seeds BENCH_N (10000) connections with tests/bench/seed.sql as
#     tether_owner;
#  2. signs in as the admin and measures the size of the first list page;
#  3. starts src/tether-bare (same size, same worker count), a second
#     tether-fcgi with list.cache_pages = 0 ("fresh": every request queries
#     and renders), and an nginx of its own (temporary config, pid and
#     ports) with one server for each socket, with deploy's fastcgi settings;
#  4. runs BENCH_ROUNDS (3) rounds of wrk -t2 -c16 -dBENCH_DURATION (5s) on
#     tether, fresh and bare, one right after the other, and prints
#     requests/s, p50, p99, each round's ratio to bare and their medians.
# Everything it starts is stopped by pid on exit (trap).
#
# Environment: TETHER_URL, TETHER_VAR, TETHER_CONF, TETHER_PG_OWNER,
# TETHER_PSQL, TETHER_NGINX, TETHER_ADMIN_EMAIL, TETHER_ADMIN_PASSWORD,
# BENCH_N, BENCH_DURATION, BENCH_ROUNDS, BENCH_THREADS (2),
# BENCH_CONNECTIONS (16), BENCH_PORT (first of three free ports; 18090).

set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
# shellcheck source=tests/bench/lib.sh
. "$ROOT/tests/bench/lib.sh"
DURATION=${BENCH_DURATION:-5s}
PORT_T=${BENCH_PORT:-18090}
PORT_B=$((PORT_T + 1))
PORT_F=$((PORT_T + 2))
TARGET=0.50

for tool in curl wrk; do
	command -v "$tool" >/dev/null || die "$tool is not installed (apt-get install -y $tool)"
done
bench_stack
BARE=$ROOT/src/tether-bare
[ -x "$BARE" ] || die "$BARE is not built (make)"
bench_admin
case $ROUNDS in
[1-9] | [1-9][0-9]) ;;
*) die "BENCH_ROUNDS must be 1 to 99" ;;
esac
case $DURATION in
[0-9]*s | [0-9]*m) ;;
*) die "BENCH_DURATION must look like 15s or 1m" ;;
esac

# ---------------------------------------------------------------- cleanup

TMP=$(mktemp -d /tmp/tether-bench.XXXXXX)
chmod 0755 "$TMP"
NGINX_PID=""
BARE_PID=""
BARE_KIDS=""
FRESH_PID=""

cleanup() {
	local k
	trap - EXIT INT TERM
	bench_stop_pid "$NGINX_PID"
	# tether-bare's workers are forks of the first process; each by its pid.
	if [ -n "$BARE_PID" ]; then
		BARE_KIDS="$BARE_KIDS $(ps -o pid= --ppid "$BARE_PID" 2>/dev/null || true)"
	fi
	for k in $BARE_KIDS; do
		bench_stop_pid "$k"
	done
	bench_stop_pid "$BARE_PID"
	# The fresh tether-fcgi's master stops its workers itself.
	bench_stop_pid "$FRESH_PID"
	rm -rf "$TMP"
}
bench_on_exit cleanup

# ----------------------------------------------------------------- 1. seed

say "seeding $N connections (tests/bench/seed.sql)"
"$PSQL" -X -q -v ON_ERROR_STOP=1 -v n="$N" -d "$PG_OWNER" \
    -f "$ROOT/tests/bench/seed.sql" >"$TMP/seed.out" ||
    die "seed.sql failed"
sed 's/^/    /' "$TMP/seed.out" >&2

# --------------------------------------------------- 2. sign in, page size

COOKIE=$(bench_signin "$URL" "$EMAIL" "$PASSWORD" "$TMP")

curl -sS --max-time 30 -H "$COOKIE" -o "$TMP/page.html" -D "$TMP/page.head" "$URL/"
status=$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$TMP/page.head")
[ "$status" = 200 ] || die "GET / answered $status"
SIZE=$(stat -c %s "$TMP/page.html")
rows=$(grep -c '<tr' "$TMP/page.html" || true)
grep -q "of <strong>[0-9,]*</strong>" "$TMP/page.html" || die "the page has no \"Showing … of N\""
total=$(sed -n 's/.*of <strong>\([0-9,]*\)<\/strong>.*/\1/p' "$TMP/page.html" | head -n 1)
say "first list page: $SIZE bytes, $((rows - 1)) rows shown of $total connections"

# ------------------------------------------------ 3. bare responder, nginx

say "starting tether-bare (-b $SIZE -w $WORKERS)"
bench_bare "$TMP/bare.sock" "$SIZE" "$WORKERS" "$TMP/bare.log"

# The same tether, same workers, with no kept pages: what a first view and
# every view after a change cost.
say "starting a second tether-fcgi with list.cache_pages = 0 (-w $WORKERS)"
cp "$CONF" "$TMP/fresh.conf"
printf '\nlist.cache_pages = 0\nserver.pidfile = %s\n' "$TMP/fresh.pid" >>"$TMP/fresh.conf"
chmod 0644 "$TMP/fresh.conf"
LIBFCGI_OS_CLOSE_POLL_TIMEOUT=0 "$ROOT/src/tether-fcgi" -c "$TMP/fresh.conf" \
    -s "$TMP/fresh.sock" -w "$WORKERS" </dev/null >"$TMP/fresh.log" 2>&1 &
FRESH_PID=$!
for ((i = 0; i < 100; i++)); do
	[ -S "$TMP/fresh.sock" ] && break
	kill -0 "$FRESH_PID" 2>/dev/null || die "tether-fcgi (fresh) exited: $(cat "$TMP/fresh.log")"
	sleep 0.1
done
[ -S "$TMP/fresh.sock" ] || die "tether-fcgi (fresh) made no socket"

# Is tether started with LIBFCGI_OS_CLOSE_POLL_TIMEOUT=0 (docs/ARCHITECTURE.md)?
fcgi_pidfile=$(conf_get 'server\.pidfile')
if [ -n "$fcgi_pidfile" ] && [ -r "$fcgi_pidfile" ]; then
	read -r mpid <"$fcgi_pidfile" || mpid=""
	if [ -n "$mpid" ] && [ -r "/proc/$mpid/environ" ]; then
		if tr '\0' '\n' <"/proc/$mpid/environ" | grep -qx 'LIBFCGI_OS_CLOSE_POLL_TIMEOUT=0'; then
			say "tether-fcgi (pid $mpid) runs with LIBFCGI_OS_CLOSE_POLL_TIMEOUT=0"
		else
			say "warning: tether-fcgi (pid $mpid) runs without LIBFCGI_OS_CLOSE_POLL_TIMEOUT=0"
		fi
	fi
fi

say "starting nginx on ports $PORT_T (tether), $PORT_B (bare), $PORT_F (fresh)"
bench_nginx "$TMP/nginx" "$PORT_T" "$SOCK" "$PORT_F" "$TMP/fresh.sock" "$PORT_B" "$TMP/bare.sock"
for ((i = 0; i < 50; i++)); do
	code_t=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "$COOKIE" \
	    "http://127.0.0.1:$PORT_T/" || true)
	[ "$code_t" = 200 ] && break
	kill -0 "$NGINX_PID" 2>/dev/null || die "nginx exited: $(cat "$TMP/nginx/error.log")"
	sleep 0.1
done
[ "$code_t" = 200 ] || die "tether through the benchmark nginx answered $code_t"
size_f=$(curl -s --max-time 5 -H "$COOKIE" "http://127.0.0.1:$PORT_F/" | wc -c)
[ "$size_f" = "$SIZE" ] || die "tether (fresh) answered $size_f bytes, not $SIZE"
size_b=$(curl -s --max-time 5 "http://127.0.0.1:$PORT_B/" | wc -c)
[ "$size_b" = "$SIZE" ] || die "tether-bare answered $size_b bytes, not $SIZE"

# ----------------------------------------------------------------- 4. wrk

# run NAME PORT [HEADER]: warm up 1 s, then measure; sets RPS, P50, P99, ERR.
run() {
	local name=$1 port=$2 out=$TMP/wrk-$1.txt
	shift 2
	bench_wrk "$name" "$out" "http://127.0.0.1:$port/" "$@"
	if grep -q 'Non-2xx or 3xx responses' "$out"; then
		cat "$out" >&2
		die "$name answered errors during the run"
	fi
	ERR=$(sed -n 's/.*Socket errors: \(.*\)/\1/p' "$out")
	[ -z "$ERR" ] || say "$name: socket errors: $ERR"
}

# The workers of a tether-fcgi master, and their resident memory (KB): the
# standing budget says it stays flat however many requests they serve.
workers_of() {
	ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' ' || true
}
rss_of() {
	local p out=""
	for p in $(workers_of "$1"); do
		out="$out $(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo '?')"
	done
	echo "${out# }"
}
# Rounds of kept / fresh / bare one right after the other, so each ratio is
# taken from neighbouring minutes of the same machine; the median of the
# rounds is the figure.
printf '\nconnection list, first page of %s connections, %s bytes; %s workers each;\n' \
    "$total" "$SIZE" "$WORKERS"
printf 'wrk -t%s -c%s -d%s each, %s rounds, %s cores\n' "$THREADS" "$CONNS" "$DURATION" \
    "$ROUNDS" "$(nproc)"
printf '  tether: the list as users get it (a worker serves a page it kept while\n'
printf '          nothing on it changed: one session-and-version query a request)\n'
printf '  fresh:  the same page with list.cache_pages = 0 (its queries and a render\n'
printf '          every request: what the first view and every change cost)\n'
printf '  bare:   tether-bare, a libfcgi responder of the same page size\n\n'
printf '%-6s %-7s %12s %10s %10s %8s\n' round server 'requests/s' 'p50 ms' 'p99 ms' 'ratio'
: >"$TMP/ratios-tether"
: >"$TMP/ratios-fresh"
for ((round = 1; round <= ROUNDS; round++)); do
	run tether "$PORT_T" -H "$COOKIE"
	rps_t=$RPS p50_t=$P50 p99_t=$P99
	run fresh "$PORT_F" -H "$COOKIE"
	rps_f=$RPS p50_f=$P50 p99_f=$P99
	run bare "$PORT_B"
	r_t=$(awk -v t="$rps_t" -v b="$RPS" 'BEGIN { printf "%.2f", t / b }')
	r_f=$(awk -v t="$rps_f" -v b="$RPS" 'BEGIN { printf "%.2f", t / b }')
	echo "$r_t" >>"$TMP/ratios-tether"
	echo "$r_f" >>"$TMP/ratios-fresh"
	printf '%-6s %-7s %12s %10s %10s %8s\n' "$round" tether "$rps_t" "$p50_t" "$p99_t" "$r_t"
	printf '%-6s %-7s %12s %10s %10s %8s\n' "" fresh "$rps_f" "$p50_f" "$p99_f" "$r_f"
	printf '%-6s %-7s %12s %10s %10s\n' "" bare "$RPS" "$P50" "$P99"
	# Memory once warm (after the first round), and at the end.
	if [ "$round" = 1 ]; then
		RSS_T0=$( [ -n "${mpid:-}" ] && rss_of "$mpid" || true)
		RSS_F0=$(rss_of "$FRESH_PID")
	fi
done

# The session must still be good at the end (every answer was the list).
code_t=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "$COOKIE" "http://127.0.0.1:$PORT_T/")
[ "$code_t" = 200 ] || die "after the run tether answered $code_t"

RSS_T1=$( [ -n "${mpid:-}" ] && rss_of "$mpid" || true)
RSS_F1=$(rss_of "$FRESH_PID")
printf '\nresident memory of each worker (KB), after the first round -> after the last:\n'
printf '  tether: %s -> %s\n' "${RSS_T0:-?}" "${RSS_T1:-?}"
printf '  fresh:  %s -> %s\n' "$RSS_F0" "$RSS_F1"

ratio=$(bench_median <"$TMP/ratios-tether")
ratio_f=$(bench_median <"$TMP/ratios-fresh")
printf '\nratio tether/bare: %s (median of %s rounds; target: >= %s)\n' "$ratio" "$ROUNDS" "$TARGET"
printf 'ratio fresh/bare:  %s (every request rendered; no target)\n' "$ratio_f"
if awk -v r="$ratio" -v t="$TARGET" 'BEGIN { exit !(r < t) }'; then
	printf 'below the target\n'
	[ "${BENCH_STRICT:-0}" = 1 ] && exit 3
fi
exit 0
