#!/bin/bash
# tests/bench/health.sh — tether-worker's budget (docs/ARCHITECTURE.md,
# "Budgets"): BENCH_N (10,000) connections checked by two tether-worker
# daemons against local stand-ins, at least 200 checks a second on a 2-core
# machine with zero double runs; what a killed worker costs; and the
# Integrations list's throughput while a sweep runs, beside the list alone.
# A benchmark, not a test: it prints figures and exits 0 unless it could not
# measure (BENCH_STRICT=1 also exits 3 below the target or on a double run).
#
# Against a running stack whose outbound.allow permits 127.0.0.1 (the test
# and dev stacks; `deploy/tether up`'s allows nothing: use those):
#  1. starts the stand-ins in one node process: ok (200), denied (401), slow
#     (200 after BENCH_SLOW_MS, 250) and a refused port; each counts the
#     requests of each path;
#  2. seeds BENCH_N Generic HTTP connections "healthbench-NNNNNN" in a team
#     "healthbench-team" (a rerun replaces them): 60 % ok, 20 % denied,
#     10 % slow, 10 % refused, each with a path of its own; every other
#     connection of the database gets no job due during the run;
#  3. signs in as the admin and measures the list alone (wrk, BENCH_DURATION);
#  4. sweep: every check due now, two daemons (BENCH_PROCESSES processes
#     each, batches of BENCH_BATCH, lease BENCH_LEASE s); the list measured
#     again while it runs; then checks/s, p50/p99 of a check's probe, the
#     double runs (tests of one connection beyond one) and the stand-ins'
#     requests beyond one a path;
#  5. kill: the same sweep again, and one daemon killed with SIGKILL (its
#     processes, then its master) when a fifth is done, then started again
#     (as systemd would): the jobs it held, how long they waited (the
#     lease), the sweep's time against the first one's, double runs, and the
#     requests re-sent (checks in flight when it died);
#  6. removes its connections (BENCH_KEEP=1 keeps them) and stops everything
#     it started, by pid (trap).
# Every wait is bounded (BENCH_TIMEOUT, 300 s a sweep).
#
# Environment: TETHER_URL, TETHER_VAR, TETHER_CONF, TETHER_BIN, TETHER_PSQL,
# TETHER_PG_OWNER, TETHER_ADMIN_EMAIL, TETHER_ADMIN_PASSWORD (as list.sh),
# BENCH_N (10000), BENCH_PROCESSES (worker.processes of each daemon, 4),
# BENCH_BATCH (8), BENCH_LEASE (30), BENCH_SLOW_MS (250), BENCH_DURATION
# (wrk, 10s), BENCH_TIMEOUT (300).

set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
# shellcheck source=tests/bench/lib.sh
. "$ROOT/tests/bench/lib.sh"
VAR=${TETHER_VAR:-$ROOT/var}
CONF=${TETHER_CONF:-$VAR/tether.conf}
BIN=${TETHER_BIN:-$ROOT/src}
URL=${TETHER_URL:-http://127.0.0.1:8080}
URL=${URL%/}
N=${BENCH_N:-10000}
PROCS=${BENCH_PROCESSES:-4}
BATCH=${BENCH_BATCH:-8}
LEASE=${BENCH_LEASE:-30}
SLOW_MS=${BENCH_SLOW_MS:-250}
DURATION=${BENCH_DURATION:-10s}
LIMIT=${BENCH_TIMEOUT:-300}
TARGET=200

[ -r "$CONF" ] || die "no configuration at $CONF (start a stack: tests/lib/dev-stack.sh up)"
[ -x "$BIN/tether-worker" ] || die "$BIN/tether-worker is not built (make)"
for tool in curl wrk node; do
	command -v "$tool" >/dev/null || die "$tool is not installed"
done
for v in "$N" "$PROCS" "$BATCH" "$LEASE" "$SLOW_MS" "$LIMIT"; do
	case $v in ''|*[!0-9]*) die "BENCH_* numbers must be numbers ($v)" ;; esac
done
bench_psql
# The stand-ins are on loopback.
case ",$(conf_get 'outbound\.allow' | tr -d ' ')," in
*,127.0.0.0/8,* | *,127.0.0.1,* | *,127.0.0.1/32,* | *,0.0.0.0/0,*) ;;
*) die "outbound.allow in $CONF does not permit 127.0.0.1: every check would be refused" ;;
esac
bench_admin

psql_owner() {
	"$PSQL" -X -q -v ON_ERROR_STOP=1 -tA -F ' ' -d "$PG_OWNER" "$@"
}

# wait_file FILE SECONDS: until FILE is there and not empty.
wait_file() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# ---------------------------------------------------------------- cleanup

TMP=$(mktemp -d /tmp/tether-bench-health.XXXXXX)
chmod 0755 "$TMP"
STANDIN_PID=""
WORKER_PIDS=()
SEEDED=""

# Workers get 20 s to finish the check in flight and give back their jobs.
cleanup() {
	local rc=$? p
	trap - EXIT INT TERM
	for p in "${WORKER_PIDS[@]}" "$STANDIN_PID"; do
		bench_stop_pid "$p" 20
	done
	if [ "${BENCH_KEEP:-0}" != 1 ] && [ -n "$SEEDED" ]; then
		psql_owner -c "DELETE FROM connections WHERE name LIKE 'healthbench-%'" >/dev/null 2>&1 ||
		    say "could not remove the healthbench connections"
	fi
	rm -rf "$TMP"
	exit "$rc"
}
bench_on_exit cleanup

# -------------------------------------------------------------- 1. stand-ins

cat >"$TMP/standin.mjs" <<'EOF'
// ok, denied, slow on ephemeral ports, and a refused one; requests per path.
import fs from 'node:fs';
import http from 'node:http';
const [portsFile, countsFile, slowMs, limitS] = process.argv.slice(2);
const hits = new Map();
const serve = (status, delay) => http.createServer((req, res) => {
	hits.set(req.url, (hits.get(req.url) ?? 0) + 1);
	const answer = () => {
		res.writeHead(status, { 'content-type': 'application/json' });
		res.end(status === 200 ? '{"ok":true}' : '{"error":"unauthorized"}');
	};
	if (delay > 0)
		setTimeout(answer, delay);
	else
		answer();
});
const listen = (s) => new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s.address().port)));
const ok = await listen(serve(200, 0));
const denied = await listen(serve(401, 0));
const slow = await listen(serve(200, Number(slowMs)));
const gone = http.createServer();
const refused = await listen(gone);
await new Promise((resolve) => gone.close(resolve));
fs.writeFileSync(portsFile, `${ok} ${denied} ${slow} ${refused}\n`);
// Dump the counts on demand (SIGUSR1) and at the end: requests, paths,
// paths requested more than once.
const dump = () => {
	let total = 0, again = 0;
	for (const n of hits.values()) {
		total += n;
		again += n - 1;
	}
	fs.writeFileSync(countsFile, `${total} ${hits.size} ${again}\n`);
};
process.on('SIGUSR1', () => { dump(); hits.clear(); });
const stop = () => { dump(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setTimeout(stop, Number(limitS) * 1000).unref();
EOF
node "$TMP/standin.mjs" "$TMP/ports" "$TMP/counts" "$SLOW_MS" $((LIMIT * 3 + 120)) &
STANDIN_PID=$!
wait_file "$TMP/ports" 10 || die "the stand-ins did not start"
read -r P_OK P_DENIED P_SLOW P_REFUSED <"$TMP/ports"
say "stand-ins: ok :$P_OK, 401 :$P_DENIED, slow ($SLOW_MS ms) :$P_SLOW, refused :$P_REFUSED"

# The stand-ins' counts since the last call: "requests paths re-requested".
standin_counts() {
	rm -f "$TMP/counts"
	kill -USR1 "$STANDIN_PID"
	wait_file "$TMP/counts" 5 || die "the stand-ins gave no counts"
	cat "$TMP/counts"
}

# ------------------------------------------------------------------- 2. seed

say "seeding $N connections"
SEEDED=1
psql_owner -v n="$N" -v ok="http://127.0.0.1:$P_OK" -v denied="http://127.0.0.1:$P_DENIED" \
    -v slow="http://127.0.0.1:$P_SLOW" -v refused="http://127.0.0.1:$P_REFUSED" <<'EOF' >/dev/null
BEGIN;
INSERT INTO teams (name) SELECT 'healthbench-team'
    WHERE NOT EXISTS (SELECT 1 FROM teams WHERE name = 'healthbench-team');
DELETE FROM connections WHERE name LIKE 'healthbench-%';
INSERT INTO connections (owner_team_id, name, connector, auth_protocol, settings)
SELECT t.id, format('healthbench-%s', lpad(i::text, 6, '0')), 'http', 'none',
    jsonb_build_object('url', CASE WHEN i % 10 < 6 THEN :'ok' WHEN i % 10 < 8 THEN :'denied'
        WHEN i % 10 = 8 THEN :'slow' ELSE :'refused' END,
        'test_path', format('/health/%s', i), 'test_status', '200')
FROM teams t, generate_series(1, :n) AS i WHERE t.name = 'healthbench-team';
COMMIT;
ANALYZE jobs;
ANALYZE connections;
EOF
# Jobs of other connections: none due while the benchmark runs.
psql_owner -c "UPDATE jobs SET run_at = now() + interval '1 day' WHERE connection_id IS NULL
    OR connection_id NOT IN (SELECT id FROM connections WHERE name LIKE 'healthbench-%')" >/dev/null
OURS="SELECT id FROM connections WHERE name LIKE 'healthbench-%'"

# ----------------------------------------------------------- 3. list alone

COOKIE=$(bench_signin "$URL" "$EMAIL" "$PASSWORD" "$TMP")
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "$COOKIE" "$URL/")
[ "$code" = 200 ] || die "GET / answered $code"

# list LABEL: wrk on the first list page; prints "requests/s p99-ms".
list() {
	local out=$TMP/wrk-$1.txt
	timeout 120 wrk -t2 -c8 -d"$DURATION" --latency -H "$COOKIE" "$URL/" >"$out" 2>&1 ||
	    die "wrk failed: $(cat "$out")"
	grep -q 'Non-2xx or 3xx responses' "$out" && die "the list answered errors: $(cat "$out")"
	printf '%s %s\n' "$(awk '/^Requests\/sec:/ { print $2 }' "$out")" \
	    "$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")"
}
say "the list alone (wrk -t2 -c8 -d$DURATION)"
read -r LIST_RPS LIST_P99 < <(list alone)

# ---------------------------------------------------------------- 4. sweep

cat "$CONF" >"$TMP/worker.conf"
printf '\nworker.processes = %s\nworker.batch = %s\nworker.lease_seconds = %s\nworker.poll_ms = 200\nworker.pidfile =\n' \
    "$PROCS" "$BATCH" "$LEASE" >>"$TMP/worker.conf"

start_worker() {
	"$BIN/tether-worker" -c "$TMP/worker.conf" </dev/null >>"$TMP/worker-$1.log" 2>&1 &
	WORKER_PIDS[$1]=$!
}

# make_due: every check of ours due now, as if never tested; prints the
# time (its transaction's: no check of this sweep starts before it).
make_due() {
	psql_owner -c "UPDATE connections SET last_tested_at = NULL WHERE id IN ($OURS);
	    UPDATE jobs SET run_at = now(), attempts = 0, locked_by = NULL, locked_at = NULL,
	        forced = false WHERE kind = 'check' AND connection_id IN ($OURS);
	    SELECT extract(epoch FROM now())"
}

tested_since() {
	psql_owner -c "SELECT count(DISTINCT connection_id) FROM connection_tests
	    WHERE trigger = 'schedule' AND tested_at >= to_timestamp($1) AND connection_id IN ($OURS)"
}

# wait_sweep T0: until every connection of ours has a test since T0.
wait_sweep() {
	local i
	for ((i = 0; i < LIMIT * 2; i++)); do
		[ "$(tested_since "$1")" -ge "$N" ] && return 0
		sleep 0.5
	done
	psql_owner -c "SELECT j.connection_id, j.run_at, j.attempts, j.locked_by, j.forced,
	    c.last_tested_at, c.status FROM jobs j JOIN connections c ON c.id = j.connection_id
	    WHERE j.kind = 'check' AND c.id IN ($OURS) AND NOT EXISTS (SELECT 1 FROM connection_tests t
	    WHERE t.connection_id = c.id AND t.trigger = 'schedule' AND t.tested_at >= to_timestamp($1))
	    LIMIT 10" >&2
	psql_owner -c "SELECT t.connection_id, t.tested_at, t.result, t.latency_ms
	    FROM connection_tests t WHERE t.trigger = 'schedule' AND t.connection_id IN
	    (SELECT c.id FROM connections c WHERE c.id IN ($OURS) AND NOT EXISTS (SELECT 1
	    FROM connection_tests u WHERE u.connection_id = c.id AND u.trigger = 'schedule'
	    AND u.tested_at >= to_timestamp($1)) LIMIT 10)" >&2
	echo "sweep began at $(date -u -d "@${1%.*}" +%T)" >&2
	tail -n 5 "$TMP"/worker-*.log >&2
	die "the sweep did not end in $LIMIT s ($(tested_since "$1") of $N)"
}

# figures T0: "checks seconds checks/s p50 p99 double-runs" of the tests since T0.
figures() {
	psql_owner -c "SELECT count(*), round(extract(epoch FROM max(tested_at)) - $1, 1),
	    round(count(*) / (extract(epoch FROM max(tested_at)) - $1))::int,
	    percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms),
	    percentile_disc(0.99) WITHIN GROUP (ORDER BY latency_ms),
	    count(*) - count(DISTINCT connection_id)
	    FROM connection_tests WHERE trigger = 'schedule' AND tested_at >= to_timestamp($1)
	    AND connection_id IN ($OURS)"
}

standin_counts >/dev/null
T0=$(make_due)
say "sweep: two daemons x $PROCS processes, batches of $BATCH"
start_worker 0
start_worker 1
sleep 2
read -r SWEEP_LIST_RPS SWEEP_LIST_P99 < <(list sweep)
wait_sweep "$T0"
read -r CHECKS SECS RATE P50 P99 DOUBLES < <(figures "$T0")
read -r REQS _ RESENT < <(standin_counts)
RESULTS=$(psql_owner -c "SELECT string_agg(result || ' ' || n, ', ' ORDER BY result) FROM
    (SELECT result, count(*) AS n FROM connection_tests WHERE trigger = 'schedule'
     AND tested_at >= to_timestamp($T0) AND connection_id IN ($OURS) GROUP BY 1) s")

# ----------------------------------------------------------------- 5. kill

T1=$(make_due)
say "sweep again, one daemon killed with SIGKILL a fifth of the way"
for ((i = 0; i < LIMIT * 10; i++)); do
	[ "$(tested_since "$T1")" -ge $((N / 5)) ] && break
	sleep 0.1
done
victim=${WORKER_PIDS[1]}
kids=$(ps -o pid= --ppid "$victim" | tr -d ' ' | tr '\n' ' ')
pattern=$(printf '%%:%s:%%|' $kids)
kill -KILL $kids "$victim" 2>/dev/null || true
KILLED_AT=$(psql_owner -c "SELECT extract(epoch FROM now())")
HELD_IDS=$(psql_owner -c "SELECT string_agg(connection_id::text, ',') FROM jobs
    WHERE kind = 'check' AND locked_by SIMILAR TO '(${pattern%|})'")
HELD=$(awk -F, '{ print NF }' <<<"$HELD_IDS")
start_worker 1
wait_sweep "$T1"
read -r CHECKS2 SECS2 RATE2 _ _ DOUBLES2 < <(figures "$T1")
read -r _ _ RESENT2 < <(standin_counts)
# The jobs it held: checked how long after the kill (the lease, at most).
WAITED=$(psql_owner -c "SELECT round(min(t) - $KILLED_AT, 1) || ' to ' || round(max(t) - $KILLED_AT, 1)
    FROM (SELECT extract(epoch FROM tested_at) AS t FROM connection_tests
    WHERE trigger = 'schedule' AND tested_at >= to_timestamp($T1)
    AND connection_id IN (${HELD_IDS:-0})) s")

# -------------------------------------------------------------- 6. report

printf '\ntether-worker: %s connections (60 %% ok, 20 %% 401, 10 %% slow %s ms, 10 %% refused),\n' "$N" "$SLOW_MS"
printf 'two daemons x %s processes, batches of %s, lease %s s, %s cores\n' "$PROCS" "$BATCH" "$LEASE" "$(nproc)"
printf '  sweep:   %s checks in %s s: %s checks/s (target >= %s); probe p50 %s ms, p99 %s ms\n' \
    "$CHECKS" "$SECS" "$RATE" "$TARGET" "$P50" "$P99"
printf '           results: %s\n' "$RESULTS"
printf '           double runs: %s; stand-in requests %s, re-sent %s\n' "$DOUBLES" "$REQS" "$RESENT"
printf '  killed:  one daemon SIGKILLed holding %s jobs; sweep %s s (vs %s s), %s checks/s;\n' \
    "$HELD" "$SECS2" "$SECS" "$RATE2"
printf '           its jobs checked %s s after the kill (lease %s s); double runs %s; requests re-sent %s\n' \
    "$WAITED" "$LEASE" "$DOUBLES2" "$RESENT2"
printf '  list:    alone %s requests/s (p99 %s ms); during the sweep %s requests/s (p99 %s ms)\n' \
    "$LIST_RPS" "$LIST_P99" "$SWEEP_LIST_RPS" "$SWEEP_LIST_P99"
if [ "${BENCH_STRICT:-0}" = 1 ] && { [ "$RATE" -lt "$TARGET" ] || [ "$DOUBLES" -ne 0 ] ||
    [ "$DOUBLES2" -ne 0 ]; }; then
	exit 3
fi
exit 0
