#!/bin/bash
# tests/bench/tests.sh — a standing budget (docs/ARCHITECTURE.md,
# "Budgets"): BENCH_N (1,000) connections tested in one sweep through
# `tetherctl test --all --concurrency BENCH_CONCURRENCY` (8) against one
# local stand-in, reporting tests/s and the worst latency.
# A benchmark, not a test: it prints figures and exits 0 unless it could not
# measure (BENCH_STRICT=1 also exits 3 when one of its connections did not
# test ok).
#
#  1. starts a stand-in on 127.0.0.1 (node: GET /health -> 200 {"ok":true},
#     counting requests);
#  2. seeds BENCH_N Generic HTTP connections (no authentication, so no
#     secret) named "benchtest-NNNNNN" in a team "benchtest-team", as
#     tether_owner, pointing at the stand-in (a rerun replaces them);
#  3. runs tetherctl test --all (bounded by `timeout`), which tests every
#     connection of the database: on a stack with other connections the
#     sweep's figures include theirs, so its own are reported apart (count,
#     results, worst and p50/p99 latency from tetherctl's per-connection
#     lines);
#  4. removes its connections (BENCH_KEEP=1 keeps them) and stops the
#     stand-in (trap, by pid).
#
# Needs outbound.allow to permit 127.0.0.1 (the test stack's 127.0.0.0/8).
#
# Environment: TETHER_CONF (var/tether.conf), TETHER_PG_OWNER (from the
# configuration), TETHER_PSQL, TETHER_BIN (src/), BENCH_N (1000),
# BENCH_CONCURRENCY (8, at most 16), BENCH_TIMEOUT (seconds, 600).

set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
CONF=${TETHER_CONF:-$ROOT/var/tether.conf}
BIN=${TETHER_BIN:-$ROOT/src}
N=${BENCH_N:-1000}
CONC=${BENCH_CONCURRENCY:-8}
LIMIT=${BENCH_TIMEOUT:-600}

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

conf_get() {
	sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$CONF" | tail -n 1
}

[ -r "$CONF" ] || die "no configuration at $CONF (start a stack: deploy/tether up)"
[ -x "$BIN/tetherctl" ] || die "$BIN/tetherctl is not built (make)"
command -v node >/dev/null || die "node is not installed"
case $N in ''|*[!0-9]*) die "BENCH_N must be a number" ;; esac
case $CONC in ''|*[!0-9]*) die "BENCH_CONCURRENCY must be a number" ;; esac
PSQL=${TETHER_PSQL:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)/psql}
[ -x "$PSQL" ] || die "psql not found ($PSQL)"
PG_OWNER=${TETHER_PG_OWNER:-$(conf_get 'db\.owner_conninfo')}
[ -n "$PG_OWNER" ] || die "no db.owner_conninfo in $CONF"
ALLOW=$(conf_get 'outbound\.allow')
case ",${ALLOW// /}," in
*,127.0.0.0/8,* | *,127.0.0.1,* | *,127.0.0.1/32,* | *,0.0.0.0/0,*) ;;
*) die "outbound.allow ($ALLOW) does not permit 127.0.0.1: every test would be refused" ;;
esac

psql_owner() {
	"$PSQL" -X -q -v ON_ERROR_STOP=1 -tA -d "$PG_OWNER" "$@"
}

TMP=$(mktemp -d /tmp/tether-bench-tests.XXXXXX)
STANDIN_PID=""
cleanup() {
	local rc=$?
	if [ -n "$STANDIN_PID" ]; then
		kill -TERM "$STANDIN_PID" 2>/dev/null || true
		wait "$STANDIN_PID" 2>/dev/null || true
	fi
	if [ "${BENCH_KEEP:-0}" != 1 ] && [ -n "${SEEDED:-}" ]; then
		psql_owner -c "DELETE FROM connections WHERE name LIKE 'benchtest-%'
		    AND owner_team_id = (SELECT id FROM teams WHERE name = 'benchtest-team')" \
		    >/dev/null 2>&1 || say "could not remove the benchtest connections"
	fi
	rm -rf "$TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------- stand-in

cat >"$TMP/standin.mjs" <<'EOF'
import fs from 'node:fs';
import http from 'node:http';
let n = 0;
let open = 0;
let most = 0;
const s = http.createServer((req, res) => {
	n++;
	const body = req.url === '/health' ? '{"ok":true}' : '{}';
	res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'application/json',
	    'content-length': body.length });
	res.end(body);
});
s.keepAliveTimeout = 1000;
s.on('connection', (c) => {
	most = Math.max(most, ++open);
	c.on('close', () => { open--; });
});
s.listen(0, '127.0.0.1', () => fs.writeFileSync(process.argv[2], String(s.address().port)));
const stop = () => { fs.writeFileSync(process.argv[3], `${n} ${most}`); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Bounded: it stops by itself after BENCH_TIMEOUT + 60 s whatever happens.
setTimeout(stop, (Number(process.argv[4]) + 60) * 1000).unref();
EOF
node "$TMP/standin.mjs" "$TMP/port" "$TMP/served" "$LIMIT" &
STANDIN_PID=$!
for _ in $(seq 1 100); do
	[ -s "$TMP/port" ] && break
	sleep 0.1
done
[ -s "$TMP/port" ] || die "the stand-in did not start"
PORT=$(cat "$TMP/port")
say "stand-in on http://127.0.0.1:$PORT (pid $STANDIN_PID)"

# ------------------------------------------------------------------ seed

say "seeding $N connections"
SEEDED=1
psql_owner -v n="$N" -v url="http://127.0.0.1:$PORT" <<'EOF'
BEGIN;
INSERT INTO teams (name) SELECT 'benchtest-team'
    WHERE NOT EXISTS (SELECT 1 FROM teams WHERE name = 'benchtest-team');
DELETE FROM connections WHERE name LIKE 'benchtest-%'
    AND owner_team_id = (SELECT id FROM teams WHERE name = 'benchtest-team');
INSERT INTO connections (owner_team_id, name, connector, auth_protocol, settings)
SELECT t.id, format('benchtest-%s', lpad(i::text, 6, '0')), 'http', 'none',
    jsonb_build_object('url', :'url'::text, 'test_path', '/health', 'test_status', '200')
FROM teams t, generate_series(1, :n) AS i WHERE t.name = 'benchtest-team';
COMMIT;
EOF
psql_owner -o "$TMP/ids" -c "SELECT c.id FROM connections c JOIN teams t ON t.id = c.owner_team_id
    WHERE t.name = 'benchtest-team' AND c.name LIKE 'benchtest-%' ORDER BY c.id"
OURS=$(wc -l <"$TMP/ids")
ALL=$(psql_owner -c "SELECT count(*) FROM connections")
[ "$OURS" -eq "$N" ] || die "seeded $OURS connections, not $N"
[ "$ALL" -eq "$OURS" ] || say "note: the database has $((ALL - OURS)) other connections; the sweep tests them too"

# ----------------------------------------------------------------- sweep

say "tetherctl test --all --concurrency $CONC"
rc=0
POSIXLY_CORRECT=1 timeout -k 10 "$LIMIT" "$BIN/tetherctl" -c "$CONF" test --all \
    --concurrency "$CONC" >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" -eq 0 ] || { cat "$TMP/err" >&2; die "tetherctl exited $rc"; }
kill -TERM "$STANDIN_PID" 2>/dev/null || true
wait "$STANDIN_PID" 2>/dev/null || true
STANDIN_PID=""

SUMMARY=$(grep '^tested ' "$TMP/out" | tail -n 1)
[ -n "$SUMMARY" ] || die "no summary line from tetherctl"
printf '%s\n' "$SUMMARY"
# Our connections' lines ("ID RESULT NNNms"), by id.
awk 'NR == FNR { ours[$1] = 1; next }
    ($1 in ours) && $3 ~ /ms$/ { sub(/ms$/, "", $3); print $2, $3 }' "$TMP/ids" "$TMP/out" >"$TMP/mine"
TESTED=$(wc -l <"$TMP/mine")
OK=$(awk '$1 == "ok"' "$TMP/mine" | wc -l)
RESULTS=$(awk '{ n[$1]++ } END { for (k in n) printf "%s %d, ", k, n[k] }' "$TMP/mine")
read -r P50 P99 WORST < <(awk '{ print $2 }' "$TMP/mine" | sort -n |
    awk '{ v[NR] = $1 } END { if (NR == 0) { print "0 0 0"; exit }
	p50 = v[int((NR + 1) * 0.50)]; p99 = v[int(NR * 0.99) > 0 ? int(NR * 0.99) : 1];
	print p50 + 0, p99 + 0, v[NR] + 0 }')
SERVED='?'
MOST='?'
[ -s "$TMP/served" ] && read -r SERVED MOST < <(cat "$TMP/served"; echo)
printf 'benchtest: %d of %d connections tested (%s); the stand-in served %s requests, at most %s connections at once\n' \
    "$TESTED" "$N" "${RESULTS%, }" "$SERVED" "$MOST"
printf 'benchtest: latency p50 %s ms, p99 %s ms, worst %s ms; concurrency %s\n' "$P50" "$P99" "$WORST" "$CONC"
if [ "${BENCH_STRICT:-0}" = 1 ] && { [ "$TESTED" -ne "$N" ] || [ "$OK" -ne "$N" ]; }; then
	say "BENCH_STRICT: $OK of $N tested ok"
	exit 3
fi
exit 0
