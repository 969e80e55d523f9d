#!/bin/bash
# tests/bench/mixed.sh — the Integrations tab under realistic traffic (issue
# 15): many admins and team members on different views while tests keep
# changing statuses underneath. A benchmark, not a test: it prints figures
# and always runs to the end (exit 0 unless it could not measure).
#
# Against a running stack (as list.sh: var/ of `deploy/tether up`, or the
# environment of tests/lib/dev-stack.sh's env.sh):
#  1. seeds BENCH_N (10,000) connections with tests/bench/seed.sql, points
#     its "http"/none connections at a local stand-in (/health answers 200
#     or 500 at random, so tests flip statuses) and adds BENCH_USERS (24)
#     users "bench-uNN@bench.local": the first four admins, the others
#     viewers, members and managers of the bench teams;
#  2. signs each in once (a session each) and writes every session's views
#     for tests/bench/mixed.lua: 17 list views (first, pages 2-5 and a deep
#     one, sorts, statuses, "expiring", searches, connectors, a team) and
#     the Details and Related pages of 15 connections it may see;
#  3. starts tether-bare with the median size of those pages, a tether-fcgi
#     with list.cache_pages = 0 under callgrind, and an nginx of its own;
#  4. runs BENCH_ROUNDS (3) rounds of wrk -t2 -c16 -dBENCH_DURATION (10s):
#     tether quiet, tether while a writer tests random stand-in connections
#     through the API (POST /api/v1/connections/ID/test: tester_run, the code
#     path every test takes) at about BENCH_WRITES (20) a second, and bare; prints requests/s, p50/p99, each
#     round's ratios and their medians;
#  5. prints the resident memory of tether's workers and PostgreSQL at the
#     start and the end, and the instructions of one fresh Integrations
#     render (first page, an admin; callgrind: (I(1+K) - I(1)) / K).
# Everything it starts is stopped by pid on exit (trap). Its users and
# connections stay (a rerun replaces the connections, keeps the users).
#
# Environment: TETHER_URL, TETHER_VAR, TETHER_CONF, TETHER_PG_OWNER,
# TETHER_PSQL, TETHER_NGINX, TETHER_BIN (src/), BENCH_N, BENCH_DURATION,
# BENCH_ROUNDS, BENCH_THREADS (2), BENCH_CONNECTIONS (16), BENCH_WRITES
# (20), BENCH_USERS (24), BENCH_CALLGRIND (1; 0 skips it), BENCH_PORT (first
# of three free ports; 18790), BENCH_SESSIONS_OUT (a copy of the sessions).

set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
# shellcheck source=tests/bench/lib.sh
. "$ROOT/tests/bench/lib.sh"
BIN=${TETHER_BIN:-$ROOT/src}
DURATION=${BENCH_DURATION:-10s}
WRITES=${BENCH_WRITES:-20}
USERS=${BENCH_USERS:-24}
CALLGRIND=${BENCH_CALLGRIND:-1}
PORT_T=${BENCH_PORT:-18790}
PORT_B=$((PORT_T + 1))
PORT_C=$((PORT_T + 2))
TARGET=0.25

for tool in curl wrk node; do
	command -v "$tool" >/dev/null || die "$tool is not installed (apt-get install -y $tool)"
done
[ "$CALLGRIND" = 0 ] || command -v valgrind >/dev/null ||
    die "valgrind is not installed (apt-get install -y valgrind, or BENCH_CALLGRIND=0)"
for b in tether-bare tether-fcgi tetherctl; do
	[ -x "$BIN/$b" ] || die "$BIN/$b is not built (make)"
done
bench_stack
case $N in '' | *[!0-9]*) die "BENCH_N must be a number" ;; esac
case $ROUNDS in [1-9] | [1-9][0-9]) ;; *) die "BENCH_ROUNDS must be 1 to 99" ;; esac
case $WRITES in [1-9] | [1-9][0-9] | [1-4][0-9][0-9]) ;; *) die "BENCH_WRITES must be 1 to 499" ;; esac
case $USERS in 2[0-9] | [3-9][0-9]) ;; *) die "BENCH_USERS must be 20 to 99" ;; esac
case $DURATION in [0-9]*s | [0-9]*m) ;; *) die "BENCH_DURATION must look like 15s or 1m" ;; esac
ALLOW=$(conf_get 'outbound\.allow')
case ",${ALLOW// /}," in
*,127.0.0.0/8,* | *,127.0.0.1,* | *,127.0.0.1/32,* | *,0.0.0.0/0,*) ;;
*) die "outbound.allow ($ALLOW) does not permit 127.0.0.1: the writer's tests would be refused" ;;
esac

psql_owner() {
	"$PSQL" -X -q -v ON_ERROR_STOP=1 -tA -d "$PG_OWNER" "$@"
}

# ---------------------------------------------------------------- cleanup

TMP=$(mktemp -d /tmp/tether-mixed.XXXXXX)
chmod 0755 "$TMP"
NGINX_PID="" BARE_PID="" BARE_KIDS="" CG_PID="" STANDIN_PID="" WRITER_PID=""

cleanup() {
	local k
	trap - EXIT INT TERM
	bench_stop_pid "$WRITER_PID"
	bench_stop_pid "$NGINX_PID"
	if [ -n "$BARE_PID" ]; then
		BARE_KIDS="$BARE_KIDS $(ps -o pid= --ppid "$BARE_PID" 2>/dev/null || true)"
	fi
	for k in $BARE_KIDS; do
		bench_stop_pid "$k"
	done
	bench_stop_pid "$BARE_PID"
	bench_stop_pid "$CG_PID" 20
	bench_stop_pid "$STANDIN_PID"
	rm -rf "$TMP"
}
bench_on_exit cleanup

# ---------------------------------------------------------------- stand-in

cat >"$TMP/standin.mjs" <<'EOF'
import fs from 'node:fs';
import http from 'node:http';
// /health: 200 two times in three, 500 otherwise, so tests flip statuses.
const s = http.createServer((req, res) => {
	const ok = req.url === '/health' && Math.random() < 0.67;
	const body = ok ? '{"ok":true}' : '{"ok":false}';
	res.writeHead(ok ? 200 : 500, { 'content-type': 'application/json',
	    'content-length': body.length });
	res.end(body);
});
s.keepAliveTimeout = 1000;
s.listen(0, '127.0.0.1', () => fs.writeFileSync(process.argv[2], String(s.address().port)));
process.on('SIGTERM', () => process.exit(0));
setTimeout(() => process.exit(0), 3600 * 1000).unref();	// bounded
EOF
node "$TMP/standin.mjs" "$TMP/standin.port" </dev/null >/dev/null 2>&1 &
STANDIN_PID=$!
for ((i = 0; i < 100; i++)); do
	[ -s "$TMP/standin.port" ] && break
	sleep 0.1
done
[ -s "$TMP/standin.port" ] || die "the stand-in did not start"
STANDIN_URL=http://127.0.0.1:$(cat "$TMP/standin.port")

# ----------------------------------------------------------------- 1. seed

say "seeding $N connections (tests/bench/seed.sql)"
"$PSQL" -X -q -v ON_ERROR_STOP=1 -v n="$N" -d "$PG_OWNER" \
    -f "$ROOT/tests/bench/seed.sql" >"$TMP/seed.out" || die "seed.sql failed"
psql_owner -v url="$STANDIN_URL" >/dev/null <<'EOF'
UPDATE connections SET settings = jsonb_build_object('url', :'url'::text,
    'test_path', '/health', 'test_status', '200')
WHERE name LIKE 'bench-%' AND connector = 'http' AND auth_protocol = 'none';
EOF
psql_owner -o "$TMP/writer-ids" -c "SELECT id FROM connections WHERE name LIKE 'bench-%'
    AND connector = 'http' AND auth_protocol = 'none' ORDER BY id"
NW=$(wc -l <"$TMP/writer-ids")
[ "$NW" -gt 0 ] || die "no stand-in connections to test"
say "$NW connections test against the stand-in $STANDIN_URL"

# Users: admins first, then viewers, members and managers of the bench teams.
mapfile -t TEAMS < <(psql_owner -c "SELECT name FROM teams WHERE name LIKE 'bench-team-%' ORDER BY name")
[ "${#TEAMS[@]}" -gt 0 ] || die "no bench teams"
BPW=bench-mixed-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
(umask 077 && printf '%s\n' "$BPW" >"$TMP/bpw")
ROLES=(viewer member manager)
for ((u = 1; u <= USERS; u++)); do
	email=$(printf 'bench-u%02d@bench.local' "$u")
	admin=()
	[ "$u" -le 4 ] && admin=(--admin)
	if ! "$BIN/tetherctl" -c "$CONF" user add "$email" "${admin[@]}" --name "Bench $u" \
	    --password-stdin <"$TMP/bpw" >/dev/null 2>&1; then
		"$BIN/tetherctl" -c "$CONF" user passwd "$email" --password-stdin \
		    <"$TMP/bpw" >/dev/null || die "could not set $email's password"
	fi
	if [ "$u" -gt 4 ]; then
		team=${TEAMS[$(((u - 5) % ${#TEAMS[@]}))]}
		"$BIN/tetherctl" -c "$CONF" team member "$team" "$email" \
		    "${ROLES[$((u % 3))]}" >/dev/null || die "could not add $email to $team"
	fi
done

# The writer's service users: admins (they may test any connection), as
# many as keep each under the API's 20 tests a minute, with a fresh token
# each run (the last run's are deleted first).
NTOK=$((WRITES * 3 + 5))
psql_owner -v n="$NTOK" >/dev/null <<'EOF'
DELETE FROM api_tokens WHERE user_id IN (SELECT id FROM users
    WHERE email LIKE 'bench-w%@bench.local');
INSERT INTO users (email, name, password_hash, is_admin, is_service)
SELECT format('bench-w%s@bench.local', lpad(g::text, 3, '0')), 'Bench writer',
    '!no-password', true, true
FROM generate_series(1, :n) AS g
ON CONFLICT ((lower(email))) DO NOTHING;
EOF
say "API tokens for $NTOK writer accounts"
(umask 077 && : >"$TMP/tokens")
for ((u = 1; u <= NTOK; u++)); do
	"$BIN/tetherctl" -c "$CONF" token add "$(printf 'bench-w%03d@bench.local' "$u")" \
	    mixed --scopes tests:run 2>/dev/null | tail -n 1 \
	    >>"$TMP/tokens" || die "could not make a token for writer $u"
done
[ "$(grep -c . "$TMP/tokens")" -eq "$NTOK" ] || die "made $(grep -c . "$TMP/tokens") tokens, not $NTOK"
export BENCH_MIXED_TOKENS=$TMP/tokens BENCH_MIXED_IDS=$TMP/writer-ids

# ------------------------------------------------ 2. sessions and their views

TEAM_ID=$(psql_owner -c "SELECT id FROM teams WHERE name = '${TEAMS[0]}'")
# A deep page: the admins' tenth page from the end (members' lists are
# shorter; their page is the last one).
DEEP=$(((N + 49) / 50 - 10))
[ "$DEEP" -gt 5 ] || DEEP=6
LIST_VIEWS="/ /?page=2 /?page=3 /?page=4 /?page=5 /?page=$DEEP /?sort=-name
/?sort=-tested&page=2 /?sort=tested /?status=failing /?status=ok&page=4
/?status=needs_reconnect /?q=Payroll /?q=Ledger&sort=-tested /?connector=jira
/?connector=salesforce&status=failing /?status=expiring /?team=$TEAM_ID"
say "signing in $USERS users"
: >"$TMP/sessions"
for ((u = 1; u <= USERS; u++)); do
	email=$(printf 'bench-u%02d@bench.local' "$u")
	mkdir -p "$TMP/s$u"
	cookie=$(bench_signin "$URL" "$email" "$BPW" "$TMP/s$u")
	cookie=${cookie#Cookie: }
	# Fifteen connections this user may see, at random.
	if [ "$u" -le 4 ]; then
		sql="SELECT id FROM connections WHERE name LIKE 'bench-%' ORDER BY random() LIMIT 15"
	else
		sql="SELECT c.id FROM connections c JOIN team_members m ON m.team_id = c.owner_team_id
		    JOIN users us ON us.id = m.user_id WHERE us.email = '$email'
		    ORDER BY random() LIMIT 15"
	fi
	mapfile -t ids < <(psql_owner -c "$sql")
	line=$cookie
	for v in $LIST_VIEWS; do line+=$'\t'$v; done
	for ((k = 0; k < ${#ids[@]}; k++)); do
		if [ "$k" -lt 10 ]; then line+=$'\t'/connections/${ids[$k]}
		else line+=$'\t'/connections/${ids[$k]}/related; fi
	done
	printf '%s\n' "$line" >>"$TMP/sessions"
done
export BENCH_MIXED_DATA=$TMP/sessions
# BENCH_SESSIONS_OUT=FILE keeps a copy (mode 600) for profiling by hand:
# BENCH_MIXED_DATA=FILE wrk -s tests/bench/mixed.lua URL.
if [ -n "${BENCH_SESSIONS_OUT:-}" ]; then
	(umask 077 && cp "$TMP/sessions" "$BENCH_SESSIONS_OUT")
fi

# Every view of the first admin and the first member once: they must answer
# 200, and their median size is the bare page's.
: >"$TMP/sizes"
for u in 1 5; do
	IFS=$'\t' read -r -a f < <(sed -n "${u}p" "$TMP/sessions")
	for ((k = 1; k < ${#f[@]}; k++)); do
		code=$(curl -sS --max-time 30 -H "Cookie: ${f[0]}" -o "$TMP/page.html" \
		    -w '%{http_code}' "$URL${f[$k]}")
		[ "$code" = 200 ] || die "GET ${f[$k]} as user $u answered $code"
		stat -c %s "$TMP/page.html" >>"$TMP/sizes"
	done
done
SIZE=$(sort -n "$TMP/sizes" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
say "$(wc -l <"$TMP/sizes") pages checked; median size $SIZE bytes"

# ------------------------------------------ 3. bare, callgrind worker, nginx

BARE=$BIN/tether-bare
bench_bare "$TMP/bare.sock" "$SIZE" "$WORKERS" "$TMP/bare.log"

bench_nginx "$TMP/nginx" "$PORT_T" "$SOCK" "$PORT_B" "$TMP/bare.sock" "$PORT_C" "$TMP/cg.sock"
COOKIE1=$(sed -n '1s/\t.*//p' "$TMP/sessions")
for ((i = 0; i < 50; i++)); do
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Cookie: $COOKIE1" \
	    "http://127.0.0.1:$PORT_T/" || true)
	[ "$code" = 200 ] && break
	kill -0 "$NGINX_PID" 2>/dev/null || die "nginx exited: $(cat "$TMP/nginx/error.log")"
	sleep 0.1
done
[ "$code" = 200 ] || die "tether through the benchmark nginx answered $code"

# ----------------------------------------------------------- callgrind

# instr CONF K: total instructions of a foreground worker with CONF that
# served 1 + K first pages (an admin's) and exited.
instr() {
	local conf=$1 k=$2 out=$TMP/cg.$2 i
	rm -f "$TMP/cg.sock" "$out"
	valgrind --tool=callgrind --callgrind-out-file="$out" "$BIN/tether-fcgi" \
	    -c "$conf" -s "$TMP/cg.sock" -f -n $((k + 1)) </dev/null \
	    >"$TMP/cg.log" 2>&1 &
	CG_PID=$!
	for ((i = 0; i < 600; i++)); do
		[ -S "$TMP/cg.sock" ] && break
		kill -0 "$CG_PID" 2>/dev/null || { cat "$TMP/cg.log" >&2; return 1; }
		sleep 0.1
	done
	for ((i = 0; i <= k; i++)); do
		curl -s -o /dev/null --max-time 60 -H "Cookie: $COOKIE1" "http://127.0.0.1:$PORT_C/"
	done
	for ((i = 0; i < 300; i++)); do
		kill -0 "$CG_PID" 2>/dev/null || break
		sleep 0.1
	done
	bench_stop_pid "$CG_PID" 10
	wait "$CG_PID" 2>/dev/null || true
	CG_PID=""
	sed -n 's/^summary: *//p' "$out" | head -n 1
}
# per_render CONF: instructions of one render, (I(1 + 10) - I(1 + 0)) / 10.
per_render() {
	local a b
	a=$(instr "$1" 0 || true)
	b=$(instr "$1" 10 || true)
	if [ -n "$a" ] && [ -n "$b" ]; then
		awk -v a="$a" -v b="$b" 'BEGIN { printf "%.0f", (b - a) / 10 }'
	else
		echo unmeasured
	fi
}
INSTR="skipped" INSTR_ROWS="skipped"
if [ "$CALLGRIND" != 0 ]; then
	say "callgrind: fresh renders of the first page"
	# No kept page; "cold": no kept rows either (a first view); "rows":
	# the rows kept (a page whose rows did not change, or one did).
	for c in cold rows; do
		cp "$CONF" "$TMP/cg-$c.conf"
		printf '\nlist.cache_pages = 0\n' >>"$TMP/cg-$c.conf"
		[ "$c" = cold ] && printf 'list.cache_rows = 0\n' >>"$TMP/cg-$c.conf"
		chmod 0644 "$TMP/cg-$c.conf"
	done
	INSTR=$(per_render "$TMP/cg-cold.conf")
	INSTR_ROWS=$(per_render "$TMP/cg-rows.conf")
fi

# ----------------------------------------------------------------- 4. wrk

# The workers of tether's master and PostgreSQL's processes: resident KB.
mpid=""
fcgi_pidfile=$(conf_get 'server\.pidfile')
[ -n "$fcgi_pidfile" ] && [ -r "$fcgi_pidfile" ] && read -r mpid <"$fcgi_pidfile"
# PostgreSQL's postmaster: the first line of its socket's lock file.
pg_host=$(printf '%s' "$PG_OWNER" | sed -n 's/.*host=\([^ ]*\).*/\1/p')
pg_port=$(printf '%s' "$PG_OWNER" | sed -n 's/.*port=\([0-9]*\).*/\1/p')
PG_MASTER=""
pg_lock=$pg_host/.s.PGSQL.${pg_port:-5432}.lock
[ -r "$pg_lock" ] && PG_MASTER=$(head -n 1 "$pg_lock")
rss_workers() {
	local p out=""
	[ -n "$mpid" ] || { echo '?'; return; }
	for p in $(ps -o pid= --ppid "$mpid" 2>/dev/null); do
		out="$out $(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo '?')"
	done
	echo "${out# }"
}
# PostgreSQL: the sum of its processes' proportional set sizes (shared
# buffers counted once).
pss_pg() {
	local p sum=0 v
	[ -n "$PG_MASTER" ] || { echo '?'; return; }
	for p in "$PG_MASTER" $(ps -o pid= --ppid "$PG_MASTER" 2>/dev/null); do
		v=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}

# run NAME PORT: the mixed views on PORT; sets RPS, P50, P99.
run() {
	local out=$TMP/wrk-$1.txt
	bench_wrk "$1" "$out" "http://127.0.0.1:$2/" -s "$ROOT/tests/bench/mixed.lua"
	if grep -q 'Non-2xx or 3xx responses' "$out"; then
		say "$1: $(grep 'Non-2xx' "$out")"
	fi
}

RSS_W0=$(rss_workers)
PSS_PG0=$(pss_pg)
printf '\nmixed traffic: %s connections, %s sessions (4 admins, the others team\n' "$N" "$USERS"
printf 'members), %s paths each picked at random (17 list views, 10 Details, 5 Related);\n' \
    "$(awk -F'\t' 'NR == 1 { print NF - 1 }' "$TMP/sessions")"
printf 'bare: %s bytes (median page); %s workers each; wrk -t%s -c%s -d%s, %s rounds,\n' \
    "$SIZE" "$WORKERS" "$THREADS" "$CONNS" "$DURATION" "$ROUNDS"
printf '%s cores; writes: POST /api/v1/connections/ID/test, about %s/s on %s stand-in connections\n\n' \
    "$(nproc)" "$WRITES" "$NW"
printf '%-6s %-8s %12s %10s %10s %8s\n' round server 'requests/s' 'p50 ms' 'p99 ms' 'ratio'
: >"$TMP/r-quiet"
: >"$TMP/r-writes"
: >"$TMP/p99-writes"
for ((round = 1; round <= ROUNDS; round++)); do
	run quiet "$PORT_T"
	rq=$RPS q50=$P50 q99=$P99
	# The writer: wrk on the API's test, paced (BENCH_WRITES a second).
	# Four connections, each waiting 4/WRITES s less a fifth for the answer.
	BENCH_MIXED_GAP_MS=$((3200 / WRITES)) timeout 300 wrk -t1 -c4 -d"$DURATION" \
	    -s "$ROOT/tests/bench/mixed-writer.lua" "http://127.0.0.1:$PORT_T/" \
	    >"$TMP/writer.txt" 2>&1 &
	WRITER_PID=$!
	run writes "$PORT_T"
	wait "$WRITER_PID" 2>/dev/null || true
	WRITER_PID=""
	rw=$RPS w50=$P50 w99=$P99
	wrate=$(awk '/^Requests\/sec:/ { printf "%.1f", $2 }' "$TMP/writer.txt")
	wbad=$(sed -n 's/.*Non-2xx or 3xx responses: *//p' "$TMP/writer.txt")
	run bare "$PORT_B"
	ratio_q=$(awk -v t="$rq" -v b="$RPS" 'BEGIN { printf "%.3f", t / b }')
	ratio_w=$(awk -v t="$rw" -v b="$RPS" 'BEGIN { printf "%.3f", t / b }')
	echo "$ratio_q" >>"$TMP/r-quiet"
	echo "$ratio_w" >>"$TMP/r-writes"
	echo "$w99" >>"$TMP/p99-writes"
	printf '%-6s %-8s %12s %10s %10s %8s\n' "$round" quiet "$rq" "$q50" "$q99" "$ratio_q"
	printf '%-6s %-8s %12s %10s %10s %8s  (%s writes/s)\n' "" writes "$rw" "$w50" "$w99" \
	    "$ratio_w" "$wrate${wbad:+, $wbad refused}"
	printf '%-6s %-8s %12s %10s %10s\n' "" bare "$RPS" "$P50" "$P99"
done

printf '\nresident memory (KB), start -> end:\n'
printf '  tether workers (RSS): %s -> %s\n' "$RSS_W0" "$(rss_workers)"
printf '  PostgreSQL (sum of PSS): %s -> %s\n' "$PSS_PG0" "$(pss_pg)"
printf 'fresh Integrations render (first page, admin), instructions a request:\n'
printf '  nothing kept: %s; its rows kept: %s\n' "$INSTR" "$INSTR_ROWS"
printf 'ratio to bare, median of %s rounds: quiet %s, with writes %s (target >= %s);\n' \
    "$ROUNDS" "$(bench_median <"$TMP/r-quiet")" "$(bench_median <"$TMP/r-writes")" "$TARGET"
printf 'p99 with writes, median: %s ms (target <= 20)\n' "$(bench_median <"$TMP/p99-writes")"
exit 0
