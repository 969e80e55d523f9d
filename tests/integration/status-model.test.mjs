// The status model (issue "Health"): a test's outcome moves the status, and
// a change of status is history — a connection_status_changes row (from,
// to, why, which test, what started it, failures in a row) — while the
// connection keeps failing_since and its run of consecutive failures. The
// events outbox hears of a change once per transition: failing only after
// health.notify_after_failures (2 here) failures in a row, recovered only
// after a notified failure. What Tether cannot test is `not_testable`:
// neutral, never failing, never an event.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { basicCreds, json, startStandin } from '../fakes/http-standin.mjs';
import { managerSession, psql, psqlValue, uniq } from '../lib/stack.mjs';
import { startTether, tetherctlAsync } from '../lib/tether.mjs';

const cleanups = [];
let api;
let tether;
let answer = 200;

before(async () => {
	api = await startStandin({ name: 'status-api', handler: (req, res, rec) => {
		const c = basicCreds(req);
		if (rec.path !== '/v1/health')
			return json(res, 404, {});
		return json(res, c?.password === 'Status-Secret-42' ? answer : 401, {});
	} });
	tether = await startTether({ replace: { 'health.notify_after_failures': '2' } });
	cleanups.push(() => api.close(), () => tether.stop());
});

after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

// tetherctl test ID, as a child that lets the stand-in answer meanwhile.
async function ctlTest(id) {
	const r = await tetherctlAsync(['test', String(id)], { conf: tether.conf });
	assert.ok(r.status === 0 || r.status === 1, r.stderr);
	return r;
}

function state(id) {
	const [r] = psql(`SELECT status, consecutive_failures, failing_since IS NOT NULL,
	    to_char(failing_since, 'YYYY-MM-DD HH24:MI:SS.US'), notified_status
	    FROM connections WHERE id = ${id}`);
	return { status: r[0], failures: Number(r[1]), failing: r[2] === 't', since: r[3], notified: r[4] };
}

function changes(id, user = 'IS NULL') {
	return psql(`SELECT from_status, to_status, trigger, consecutive_failures, reason,
	    test_id = (SELECT max(id) FROM connection_tests t WHERE t.connection_id = s.connection_id
	        AND t.tested_at <= s.at)
	    FROM connection_status_changes s WHERE connection_id = ${id} AND user_id ${user} ORDER BY id`)
	    .map((r) => ({ from: r[0], to: r[1], trigger: r[2], failures: Number(r[3]), reason: r[4], ofTest: r[5] }));
}

// The status events (created, updated and deleted are the pages' own).
function events(id) {
	return psql(`SELECT type, payload::text FROM events WHERE connection_id = ${id}
	    AND type NOT IN ('connection.created', 'connection.updated', 'connection.deleted') ORDER BY id`)
	    .map((r) => ({ type: r[0], payload: JSON.parse(r[1]) }));
}

test('failures in a row: failing_since stays, the count climbs, one change row, one event after the second failure', async () => {
	const s = await managerSession({ admin: true });
	const app = tether.client(s.jar);
	const c = await app.create({ connector: 'http', protocol: 'basic', team: s.team.id, name: uniq('Status model'),
		fields: { url: `${api.url}/v1`, test_path: '/health', username: 'svc', password: 'Status-Secret-42' } });
	assert.equal(c.status, 303);
	assert.deepEqual(changes(c.id).map((x) => [x.from, x.to, x.trigger]), [['not_tested', 'ok', 'create']]);
	assert.deepEqual(events(c.id).map((e) => e.type), [], 'a first ok after creation is no recovery');

	answer = 503;
	await ctlTest(c.id);
	let st = state(c.id);
	assert.deepEqual([st.status, st.failures, st.failing, st.notified], ['failing', 1, true, 'ok']);
	const since = st.since;
	assert.deepEqual(changes(c.id).slice(1).map((x) => [x.from, x.to, x.trigger, x.failures, x.reason, x.ofTest]),
	    [['ok', 'failing', 'cli', 1, 'The system answered with unexpected status 503.', 't']]);
	assert.deepEqual(events(c.id).map((e) => e.type), [], 'one failure does not notify (a flap)');

	await ctlTest(c.id);
	st = state(c.id);
	assert.deepEqual([st.status, st.failures, st.since, st.notified], ['failing', 2, since, 'failing'],
	    'failing since the run began');
	assert.equal(changes(c.id).length, 2, 'failing again is no change');
	let ev = events(c.id);
	assert.deepEqual(ev.map((e) => e.type), ['connection.failing']);
	const p = ev[0].payload;
	assert.equal(p.connection.id, c.id);
	assert.equal(p.connection.connector, 'http');
	assert.equal(p.connection.owner_team.id, Number(s.team.id));
	assert.deepEqual([p.status.before, p.status.after], ['ok', 'failing'], 'before: what was last told');
	assert.deepEqual([p.test.result, p.test.trigger, p.test.http_status, p.consecutive_failures],
	    ['unexpected_status', 'cli', 503, 2]);

	await ctlTest(c.id);
	assert.equal(state(c.id).failures, 3);
	assert.equal(events(c.id).length, 1, 'a third failure tells nothing new');

	answer = 200;
	await ctlTest(c.id);
	st = state(c.id);
	assert.deepEqual([st.status, st.failures, st.failing, st.notified], ['ok', 0, false, 'ok']);
	assert.deepEqual(changes(c.id).slice(2).map((x) => [x.from, x.to, x.failures]), [['failing', 'ok', 0]]);
	ev = events(c.id);
	assert.deepEqual(ev.map((e) => e.type), ['connection.failing', 'connection.recovered']);
	assert.deepEqual([ev[1].payload.status.before, ev[1].payload.status.after], ['failing', 'ok']);
	await ctlTest(c.id);
	assert.equal(events(c.id).length, 2, 'ok again is no news');
	assert.equal(changes(c.id).length, 3);

	const all = psql(`SELECT payload::text FROM events WHERE connection_id = ${c.id}`).flat().join('\n');
	assert.ok(!all.includes('Status-Secret-42'), 'never a secret in an event');
});

test('one failure then recovery: nothing was told, so nothing recovers', async () => {
	const s = await managerSession({ admin: true });
	const app = tether.client(s.jar);
	const c = await app.create({ connector: 'http', protocol: 'basic', team: s.team.id, name: uniq('Flap'),
		fields: { url: `${api.url}/v1`, test_path: '/health', username: 'svc', password: 'Status-Secret-42' } });
	for (const a of [503, 200, 503, 200]) {
		answer = a;
		await ctlTest(c.id);
	}
	answer = 200;
	assert.deepEqual(changes(c.id).map((x) => x.to), ['ok', 'failing', 'ok', 'failing', 'ok'], 'every change is history');
	assert.deepEqual(events(c.id), [], 'a flapping connection below the threshold notifies nobody');
});

test('not_testable: a per-user connection as a whole, after tetherctl test --all, is neutral and silent', async () => {
	const s = await managerSession({ admin: true });
	const app = tether.client(s.jar);
	const c = await app.create({ connector: 'servicenow', protocol: 'basic', team: s.team.id,
		context: 'per_user', name: uniq('Per-user status'), fields: { url: 'https://per-user.example.com', username: 'svc' } });
	assert.equal(c.status, 303, c.flash?.message);
	assert.equal(state(c.id).status, 'not_testable', 'from birth');
	await ctlTest(c.id);
	const st = state(c.id);
	assert.deepEqual([st.status, st.failures, st.failing], ['not_testable', 0, false]);
	assert.equal(psqlValue(`SELECT last_test_result FROM connections WHERE id = ${c.id}`), 'unsupported');
	assert.deepEqual(changes(c.id), []);
	assert.deepEqual(changes(c.id, 'IS NOT NULL'), [],
	    'the creator has no credentials of their own: not connected, not failing');
	assert.equal(psqlValue(`SELECT count(*) FROM user_connection_states WHERE connection_id = ${c.id}`), '0');
	assert.deepEqual(events(c.id), []);
	assert.equal(psqlValue(`SELECT count(*) FROM connections WHERE id = ${c.id} AND status = 'failing'`), '0');
});

test('tetherctl test is recorded as CLI, never as a scheduled check', async () => {
	const s = await managerSession({ admin: true });
	const app = tether.client(s.jar);
	const c = await app.create({ connector: 'http', protocol: 'basic', team: s.team.id, name: uniq('CLI trigger'),
		fields: { url: `${api.url}/v1`, test_path: '/health', username: 'svc', password: 'Status-Secret-42' } });
	await ctlTest(c.id);
	assert.equal(psqlValue(`SELECT trigger FROM connection_tests WHERE connection_id = ${c.id} ORDER BY id DESC LIMIT 1`), 'cli');
	const page = await app.get(`/connections/${c.id}/history`);
	assert.match(page.text, /CLI/);
	assert.doesNotMatch(page.text, /Scheduled check/);
});
