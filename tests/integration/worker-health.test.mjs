// tether-worker keeps health true by itself (issue 11 §2, §4): scheduled
// checks against local stand-ins (ok, 401, slow, refused) with TWO
// tether-worker processes at once, each with a configuration of this file's
// own (short poll and lease). The suite's shared stack runs no worker: the
// other files' connections are never tested behind their back. Here the
// connections left by earlier files get check_interval 'off' (they are never
// tested by the workers started here, --all included) and this file's own
// connections live in teams of its own.
//
// TETHER_WORKER_BIN runs another tether-worker binary (to see these tests
// fail against an older build).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';

import {
	childrenOf, confCopy, env, makeTeam, psql, psqlValue, sleep, startProcess, uniq,
	waitFor, within,
} from '../lib/stack.mjs';

const LEASE_S = 10;
const cleanups = [];
after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

const workerBin = () => process.env.TETHER_WORKER_BIN ?? path.join(env('TETHER_BIN'), 'tether-worker');

/* The connections there are (earlier files', earlier tests'): none of their
 * jobs is due, and none is tested by a later --all. */
function quiet() {
	psql(`UPDATE connections SET check_interval = 'off' WHERE check_interval <> 'off';
	    UPDATE jobs SET run_at = now() + interval '1 day', forced = false
	    WHERE locked_by IS NULL`);
}
before(quiet);

// ---------------------------------------------------------------- stand-ins

/** An HTTP stand-in: answer(req, res) after delayMs; hits by path. */
async function standin({ status = 200, delayMs = 0 } = {}) {
	const hits = new Map();
	let inFlight = 0;
	const server = http.createServer((req, res) => {
		hits.set(req.url, (hits.get(req.url) ?? 0) + 1);
		inFlight++;
		setTimeout(() => {
			inFlight--;
			const body = status === 200 ? '{"ok":true}' : '{"error":"unauthorized"}';
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(body);
		}, delayMs);
	});
	server.keepAliveTimeout = 1000;
	const sockets = new Set();
	server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const s = {
		url: `http://127.0.0.1:${server.address().port}`,
		hits,
		get inFlight() { return inFlight; },
		total() { return [...hits.values()].reduce((a, b) => a + b, 0); },
		async close() {
			for (const k of sockets)
				k.destroy();
			await new Promise((resolve) => server.close(() => resolve()));
		},
	};
	cleanups.push(() => s.close());
	return s;
}

/** A URL nothing listens on: connections are refused at once. */
async function refusedUrl() {
	const server = http.createServer();
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = server.address().port;
	await new Promise((resolve) => server.close(() => resolve()));
	return `http://127.0.0.1:${port}`;
}

// -------------------------------------------------------------- connections

/**
 * n Generic HTTP connections (no authentication) testing url/health/<tag>-<i>
 * in a team of their own; their ids (strings). opts: interval, sql (more
 * column values set after the insert, e.g. "status = 'failing'").
 */
function makeConns(n, url, opts = {}) {
	const team = opts.team ?? makeTeam();
	const tag = uniq('hw');
	const ids = psql(`INSERT INTO connections (owner_team_id, name, connector, auth_protocol,
	        settings, check_interval)
	    SELECT ${Number(team.id)}, format('%s-%s', :'tag', i), 'http', 'none',
	        jsonb_build_object('url', :'url'::text, 'test_path', format('/health/%s-%s', :'tag', i),
	            'test_status', '200'), :'iv'
	    FROM generate_series(1, ${Number(n)}) AS i RETURNING id`,
	{ vars: { tag, url, iv: opts.interval ?? 'default' } }).map((r) => r[0]);
	if (opts.sql)
		psql(`UPDATE connections SET ${opts.sql} WHERE id IN (${ids.join(',')})`);
	return ids;
}

/** Due now: the job's run_at, and the interval since the last test passed. */
function makeDue(ids, { lastTested = "now() - interval '2 hours'" } = {}) {
	psql(`UPDATE connections SET last_tested_at = ${lastTested} WHERE id IN (${ids.join(',')});
	    UPDATE jobs SET run_at = now(), locked_by = NULL, locked_at = NULL, attempts = 0
	    WHERE kind = 'check' AND connection_id IN (${ids.join(',')})`);
}

/** Scheduled tests per connection id (every id of ids, 0 when none). */
function scheduleCounts(ids) {
	const m = new Map(ids.map((id) => [id, 0]));
	for (const [id, n] of psql(`SELECT connection_id, count(*) FROM connection_tests
	    WHERE trigger = 'schedule' AND connection_id IN (${ids.join(',')}) GROUP BY 1`))
		m.set(id, Number(n));
	return m;
}

function countsOf(m) {
	const by = {};
	for (const n of m.values())
		by[n] = (by[n] ?? 0) + 1;
	return JSON.stringify(by);
}

// ------------------------------------------------------------------ workers

/** A configuration of the test's own: short poll and lease, short timeouts. */
function workerConf(replace = {}) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-hw-'));
	fs.chmodSync(dir, 0o755);
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	return confCopy(dir, {
		'worker.poll_ms': '100',
		'worker.lease_seconds': String(LEASE_S),
		'worker.processes': '2',
		'worker.batch': '4',
		'outbound.connect_timeout_ms': '1000',
		'outbound.timeout_ms': '2000',
		'worker.pidfile': path.join(dir, 'worker.pid'),
		...replace,
	});
}

/** A tether-worker daemon, stopped (by pid) when its test ends. */
const daemons = [];
function startDaemon(conf, args = []) {
	const p = startProcess(workerBin(), ['-c', conf, ...args]);
	daemons.push(p);
	return p;
}
afterEach(async () => {
	await Promise.all(daemons.splice(0).map((p) => p.stop('SIGTERM', 15000)));
	quiet();
});

/** tether-worker --once [...]; resolves to its exit ({ code, signal }) and stderr. */
async function runOnce(conf, args = []) {
	const p = startProcess(workerBin(), ['-c', conf, '--once', ...args]);
	const e = await within(p.exited, 60000);
	if (e === null)
		await p.stop('SIGKILL');
	return { exit: e, stderr: p.stderr() };
}

/**
 * n connections due now against a stand-in answering after delayMs, and one
 * daemon (one process, batches of `batch`) with a check of them in flight.
 */
async function slowSweep(n, delayMs, batch) {
	const slow = await standin({ delayMs });
	const ids = makeConns(n, slow.url);
	makeDue(ids);
	const conf = workerConf({ 'worker.processes': '1', 'worker.batch': String(batch) });
	const p = startDaemon(conf);
	await waitFor(() => slow.inFlight > 0, 15000, 'a check in flight');
	return { slow, ids, conf, p };
}

/** kill -9 a worker as a crash would: its processes first, then the master. */
async function crash(p) {
	for (const k of childrenOf(p.pid))
		try { process.kill(k, 'SIGKILL'); } catch { /* gone */ }
	try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }
	await within(p.exited, 5000);
	for (let i = 0; i < 50 && childrenOf(p.pid).length > 0; i++)
		await sleep(100);
}

// -------------------------------------------------------------------- tests

test('checks happen without any click: a due connection is tested as `schedule`, its status and the change recorded', async () => {
	const ok = await standin();
	const denied = await standin({ status: 401 });
	const [good] = makeConns(1, ok.url, { sql: "status = 'failing', consecutive_failures = 3" });
	const [bad] = makeConns(1, denied.url, { sql: "status = 'ok'" });
	const [gone] = makeConns(1, await refusedUrl(), { sql: "status = 'ok'" });
	const ids = [good, bad, gone];
	makeDue(ids);
	assert.equal(countsOf(scheduleCounts(ids)), '{"0":3}', 'nothing tested before a worker runs');

	const conf = workerConf();
	startDaemon(conf);
	startDaemon(conf);
	await waitFor(() => [...scheduleCounts(ids).values()].every((n) => n === 1), 20000,
	    'a scheduled test of each connection');
	const st = Object.fromEntries(psql(`SELECT id, status FROM connections WHERE id IN (${ids.join(',')})`));
	assert.equal(st[good], 'ok');
	assert.equal(st[bad], 'failing', 'a 401 with no authentication to renew is failing');
	assert.equal(st[gone], 'failing', 'refused');
	const changes = psql(`SELECT c.connection_id, c.from_status, c.to_status, c.trigger,
	        t.trigger FROM connection_status_changes c JOIN connection_tests t ON t.id = c.test_id
	    WHERE c.connection_id IN (${ids.join(',')}) ORDER BY c.id`);
	assert.deepEqual(changes.map((r) => r.join(' ')).sort(), [
		`${bad} ok failing schedule schedule`,
		`${gone} ok failing schedule schedule`,
		`${good} failing ok schedule schedule`,
	].sort());
	assert.equal(ok.total(), 1);
	assert.equal(denied.total(), 1);
	// Done: due again after the interval (the default hour, plus jitter up to a tenth).
	const next = psql(`SELECT extract(epoch FROM run_at - now())::int, locked_by IS NULL, attempts
	    FROM jobs WHERE kind = 'check' AND connection_id IN (${ids.join(',')})`);
	for (const [secs, free, attempts] of next) {
		assert.ok(Number(secs) > 3500 && Number(secs) <= 3960, `next check in ${secs} s`);
		assert.equal(free, 't');
		assert.equal(attempts, '0');
	}
});

test('no double checks: two --once --all at once (the second starts mid-sweep) test each connection exactly once', async () => {
	// Cron on two hosts at the same minute: the second joins the sweep the
	// first began instead of testing again what the first has tested.
	const ok = await standin({ delayMs: 20 });
	const ids = makeConns(150, ok.url);
	makeDue(ids, { lastTested: "now() - interval '5 minutes'" });	// not due by interval: --all makes them
	const conf = workerConf();
	const first = runOnce(conf, ['--all', '-p', '1']);
	await waitFor(() => [...scheduleCounts(ids).values()].filter((n) => n > 0).length >= 10, 20000,
	    'the first sweep under way');
	const [a, b] = await Promise.all([first, runOnce(conf, ['--all'])]);
	assert.deepEqual(a.exit, { code: 0, signal: null }, a.stderr);
	assert.deepEqual(b.exit, { code: 0, signal: null }, b.stderr);
	assert.equal(countsOf(scheduleCounts(ids)), '{"1":150}', 'scheduled tests per connection');
	assert.equal(ok.total(), 150, 'requests the stand-in saw');
	assert.ok([...ok.hits.values()].every((n) => n === 1));
	// The sweep is over: another --all is a new sweep, and tests each once more.
	const c = await runOnce(conf, ['--all']);
	assert.equal(c.exit.code, 0, c.stderr);
	assert.equal(countsOf(scheduleCounts(ids)), '{"2":150}');
	// And --once alone finds nothing due (they were just tested).
	await runOnce(conf);
	assert.equal(countsOf(scheduleCounts(ids)), '{"2":150}');
	// Jitter spreads the next runs of connections checked together.
	const most = psqlValue(`SELECT max(n) FROM (SELECT count(*) AS n FROM jobs
	    WHERE kind = 'check' AND connection_id IN (${ids.join(',')})
	    GROUP BY date_trunc('second', run_at)) s`);
	assert.ok(Number(most) <= 6, `${most} next runs in the same second`);
});

test('no double checks: a job that waited in its batch past its lease runs once, by one daemon', async () => {
	// Worker A claims 8 checks of 1.5 s in one batch: the 8th starts 10.5 s
	// after the claim, past the 10 s lease, when idle worker B may take it.
	// A must renew the lease of each job it starts, or leave it to B.
	const slow = await standin({ delayMs: 1500 });
	const ids = makeConns(8, slow.url);
	makeDue(ids);
	const conf = workerConf({ 'worker.processes': '1', 'worker.batch': '8' });
	startDaemon(conf);
	await waitFor(() => psqlValue(`SELECT count(*) FROM jobs WHERE kind = 'check'
	    AND connection_id IN (${ids.join(',')}) AND locked_by IS NOT NULL`) === '8', 15000,
	'A claimed all eight');
	startDaemon(conf);
	await waitFor(() => [...scheduleCounts(ids).values()].every((n) => n >= 1), 40000,
	    'every connection tested');
	await sleep(LEASE_S * 1000);	// a late double run shows now
	assert.equal(countsOf(scheduleCounts(ids)), '{"1":8}', 'scheduled tests per connection');
	assert.ok([...slow.hits.values()].every((n) => n === 1), 'each path requested once');
});

test('no double checks: a connection another worker is still checking (its lease ran out) is not checked again', async () => {
	// Another worker's check of the connection, past its lease: it holds the
	// connection's check lock (a session advisory lock) while it tests.
	const ok = await standin();
	const [id] = makeConns(1, ok.url);
	const holder = startProcess(env('TETHER_PSQL'), ['-X', '-q', '-d', env('TETHER_PG_OWNER'), '-c',
	    `SELECT pg_advisory_lock(hashtextextended('tether.check:${Number(id)}', 0)), pg_sleep(4)`]);
	daemons.push(holder);
	await sleep(500);
	makeDue([id]);
	startDaemon(workerConf());
	await waitFor(() => psqlValue(`SELECT run_at > now() + interval '30 seconds' FROM jobs
	    WHERE kind = 'check' AND connection_id = ${id}`) === 't', 10000, 'the job looked at');
	assert.equal(scheduleCounts([id]).get(id), 0, 'not tested while another check holds it');
	assert.equal(ok.total(), 0);
	const mins = Number(psqlValue(`SELECT extract(epoch FROM run_at - now()) / 60 FROM jobs
	    WHERE kind = 'check' AND connection_id = ${id}`));
	assert.ok(mins > 0.9 && mins < 1.2, `looked at again in ${mins} min`);
	await holder.exited;
});

test('kill -9 of one worker mid-sweep loses no job: the other takes its jobs after the lease', async () => {
	const { slow, ids, conf, p: a } = await slowSweep(12, 1500, 4);
	const [kid] = childrenOf(a.pid);
	const held = psql(`SELECT connection_id, extract(epoch FROM run_at)::float8 FROM jobs
	    WHERE kind = 'check' AND locked_by LIKE '%:${Number(kid)}:%'`);
	await crash(a);
	assert.ok(held.length >= 1 && held.length <= 4, `the killed worker held ${held.length} jobs`);
	const testedBefore = scheduleCounts(ids);
	const b = startDaemon(conf);
	await waitFor(() => [...scheduleCounts(ids).values()].every((n) => n >= 1), 40000,
	    'every connection tested');
	await sleep(2000);
	const counts = scheduleCounts(ids);
	assert.equal(countsOf(counts), `{"1":${ids.length}}`,
	    `each connection checked exactly once (before the kill: ${countsOf(testedBefore)})`);
	// The jobs it held were taken only once their lease had run out.
	for (const [cid, leaseEnd] of held) {
		const at = Number(psqlValue(`SELECT extract(epoch FROM tested_at) FROM connection_tests
		    WHERE connection_id = ${cid} AND trigger = 'schedule'`));
		if (testedBefore.get(cid) === 0)
			assert.ok(at >= Number(leaseEnd) - 0.5, `connection ${cid} tested ${(Number(leaseEnd) - at).toFixed(1)} s before its lease ended`);
	}
	await b.stop('SIGTERM');
});

test('a crash loop does not hammer: a job whose attempts keep climbing is leased 2^n times longer', async () => {
	const slow = await standin({ delayMs: 3000 });
	const [id] = makeConns(1, slow.url);
	makeDue([id]);
	psql(`UPDATE jobs SET attempts = 3 WHERE kind = 'check' AND connection_id = ${id}`);
	const conf = workerConf({ 'worker.processes': '1' });
	const a = startDaemon(conf);
	await waitFor(() => slow.inFlight > 0, 15000, 'the check in flight');
	const [lease, attempts] = psql(`SELECT extract(epoch FROM run_at - locked_at)::float8, attempts
	    FROM jobs WHERE kind = 'check' AND connection_id = ${id}`)[0];
	await crash(a);
	assert.equal(attempts, '4', 'the claim counts the attempt');
	assert.ok(Math.abs(Number(lease) - LEASE_S * 8) < 2, `leased for ${lease} s after 3 unfinished attempts`);
	// Nobody takes it before then.
	const b = startDaemon(conf);
	await sleep(3000);
	assert.equal(scheduleCounts([id]).get(id), 0);
	assert.equal(slow.total(), 1);
	// Due again (the lease over): it runs, and the attempts start again from 0.
	psql(`UPDATE jobs SET run_at = now() WHERE kind = 'check' AND connection_id = ${id}`);
	await waitFor(() => scheduleCounts([id]).get(id) === 1, 15000, 'the check');
	await waitFor(() => psqlValue(`SELECT attempts FROM jobs WHERE kind = 'check' AND connection_id = ${id}`) === '0',
	    5000, 'attempts back to 0');
	await b.stop('SIGTERM');
});

test('not_testable is never tested by the schedule (nor --all) and never red', async () => {
	const denied = await standin({ status: 401 });
	const team = makeTeam();
	const [perUser] = makeConns(1, denied.url, { team, sql: "execution_context = 'per_user'" });
	const [neutral] = makeConns(1, denied.url, { team, sql: "status = 'not_testable'" });
	const ids = [perUser, neutral];
	makeDue(ids);
	assert.equal(psqlValue(`SELECT status FROM connections WHERE id = ${perUser}`), 'not_testable');
	const conf = workerConf();
	const r = await runOnce(conf, ['--all']);
	assert.equal(r.exit.code, 0, r.stderr);
	const d = startDaemon(conf);
	makeDue(ids);
	await waitFor(() => psqlValue(`SELECT count(*) FROM jobs WHERE kind = 'check'
	    AND connection_id IN (${ids.join(',')}) AND run_at > now() + interval '10 minutes'`) === '2',
	    15000, 'both jobs looked at');
	await d.stop('SIGTERM');
	assert.equal(countsOf(scheduleCounts(ids)), '{"0":2}');
	assert.equal(denied.total(), 0, 'no request reached the stand-in');
	assert.deepEqual(psql(`SELECT DISTINCT status FROM connections WHERE id IN (${ids.join(',')})`), [['not_testable']]);
	assert.equal(psqlValue(`SELECT count(*) FROM connection_status_changes
	    WHERE connection_id IN (${ids.join(',')}) AND to_status = 'failing'`), '0');
});

test('needs_reconnect: the schedule retries at most once a day, never in a loop', async () => {
	const denied = await standin({ status: 401 });
	const team = makeTeam();
	const [recent] = makeConns(1, denied.url, { team, sql: "status = 'needs_reconnect'" });
	const [dayOld] = makeConns(1, denied.url, { team, sql: "status = 'needs_reconnect'" });
	makeDue([recent], { lastTested: "now() - interval '2 hours'" });
	makeDue([dayOld], { lastTested: "now() - interval '25 hours'" });
	const conf = workerConf();
	startDaemon(conf);
	startDaemon(conf);
	await waitFor(() => scheduleCounts([dayOld]).get(dayOld) === 1, 15000, 'the day-old one tested');
	await waitFor(() => psqlValue(`SELECT run_at > now() + interval '1 hour' FROM jobs
	    WHERE kind = 'check' AND connection_id = ${recent}`) === 't', 10000, 'the recent one looked at');
	await sleep(1500);
	assert.equal(scheduleCounts([recent]).get(recent), 0, 'tested 2 hours ago: not again before a day');
	assert.equal(scheduleCounts([dayOld]).get(dayOld), 1);
	const hours = (id) => Number(psqlValue(`SELECT extract(epoch FROM run_at - now()) / 3600
	    FROM jobs WHERE kind = 'check' AND connection_id = ${id}`));
	assert.ok(hours(recent) > 21.9 && hours(recent) < 24.3, `next look in ${hours(recent)} h (a day after its last test)`);
	assert.ok(hours(dayOld) > 23.9 && hours(dayOld) < 26.5, `next look in ${hours(dayOld)} h (a day)`);
	assert.equal(denied.total(), 1);
});

test('check_interval is honoured: 15m, default, 1d, off; a changed interval is looked at at once', async () => {
	const ok = await standin();
	const team = makeTeam();
	const [q] = makeConns(1, ok.url, { team, interval: '15m' });
	const [dflt] = makeConns(1, ok.url, { team });
	const [daily] = makeConns(1, ok.url, { team, interval: '1d' });
	const [off] = makeConns(1, ok.url, { team, interval: 'off' });
	makeDue([q, dflt], { lastTested: "now() - interval '20 minutes'" });
	makeDue([daily], { lastTested: "now() - interval '2 hours'" });
	makeDue([off], { lastTested: "now() - interval '3 days'" });
	const ids = [q, dflt, daily, off];
	const conf = workerConf();
	const d = startDaemon(conf);
	startDaemon(conf);
	await waitFor(() => psqlValue(`SELECT bool_and(run_at > now() + interval '5 minutes')
	    FROM jobs WHERE kind = 'check' AND connection_id IN (${ids.join(',')})`) === 't', 15000,
	'every job looked at');
	const counts = scheduleCounts(ids);
	assert.deepEqual([counts.get(q), counts.get(dflt), counts.get(daily), counts.get(off)], [1, 0, 0, 0]);
	const mins = Object.fromEntries(psql(`SELECT connection_id, extract(epoch FROM run_at - now()) / 60
	    FROM jobs WHERE kind = 'check' AND connection_id IN (${ids.join(',')})`));
	assert.ok(mins[q] > 14.5 && mins[q] < 16.6, `15m: next in ${mins[q]} min`);
	assert.ok(mins[dflt] > 39 && mins[dflt] < 45, `default hour, tested 20 min ago: next in ${mins[dflt]} min`);
	assert.ok(mins[daily] > 21 * 60 && mins[daily] < 24.3 * 60, `1d: next in ${mins[daily]} min`);
	assert.ok(mins[off] > 23.9 * 60, `off: looked at again in ${mins[off]} min`);
	// Edit sets 15 minutes on the default one, tested 20 minutes ago: due at once.
	psql(`UPDATE connections SET check_interval = '15m' WHERE id = ${dflt}`);
	await waitFor(() => scheduleCounts([dflt]).get(dflt) === 1, 10000, 'the re-scheduled check');
	await d.stop('SIGTERM');
	// --all does not test a connection whose checks are off.
	const r = await runOnce(conf, ['--all']);
	assert.equal(r.exit.code, 0, r.stderr);
	assert.equal(scheduleCounts([off]).get(off), 0);
});

test('jitter: 1,000 new connections do not come due in the same second', async () => {
	const team = makeTeam();
	const ids = makeConns(1000, 'http://127.0.0.1:9', { team });
	try {
		const [most, spread] = psql(`SELECT max(n), extract(epoch FROM max(t) - min(t))::int FROM
		    (SELECT date_trunc('second', run_at) AS t, count(*) AS n FROM jobs
		     WHERE kind = 'check' AND connection_id IN (${ids.join(',')}) GROUP BY 1) s`)[0];
		assert.ok(Number(most) <= 10, `${most} first checks in the same second`);
		assert.ok(Number(spread) >= 500, `first checks spread over ${spread} s`);
	} finally {
		psql(`DELETE FROM connections WHERE id IN (${ids.join(',')})`);
	}
});

test('SIGTERM: a worker stops within seconds and gives back the jobs it claimed but did not start', async () => {
	// A batch larger than six: a job left due by an earlier test may come first.
	const { slow, ids, p } = await slowSweep(6, 2000, 10);
	assert.equal(psqlValue(`SELECT count(*) FROM jobs WHERE kind = 'check'
	    AND connection_id IN (${ids.join(',')}) AND locked_by IS NOT NULL`), '6', 'all six claimed');
	const t0 = Date.now();
	const e = await p.stop('SIGTERM', 10000);
	const took = Date.now() - t0;
	assert.deepEqual(e, { code: 0, signal: null }, p.stderr());
	assert.ok(took < 4000, `stopped in ${took} ms`);
	assert.equal(childrenOf(p.pid).length, 0, 'no process left');
	const rows = psql(`SELECT connection_id, locked_by IS NULL, run_at <= now(), attempts FROM jobs
	    WHERE kind = 'check' AND connection_id IN (${ids.join(',')})`);
	const tested = scheduleCounts(ids);
	assert.equal([...tested.values()].reduce((a, b) => a + b, 0), 1, 'the one in flight finished');
	for (const [cid, free, due, attempts] of rows) {
		assert.equal(free, 't', `job of ${cid} released`);
		if (tested.get(cid) === 0) {
			assert.equal(due, 't', `unstarted job of ${cid} due again at once`);
			assert.equal(attempts, '0', 'the claim not counted');
		}
	}
});
