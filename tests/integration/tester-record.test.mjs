// Every test is recorded: a connection_tests row (when, the
// trigger — create, manual, cli —, who, result, HTTP status, latency,
// message), and the connection's status, Last Tested Date and every using
// flow's Progress Status, all in the same transaction: the timestamps are
// one transaction's now(), and when the flows' update fails nothing of the
// test is kept. `tetherctl test ID` records the same way (--all: the sweep of
// tests/bench/tests.sh). The details, history and related pages show it.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { basicCreds, json, startStandin } from '../fakes/http-standin.mjs';
import { connRow, flowRow, lastTest, testRows } from '../lib/rows.mjs';
import { managerSession, pageText, psql, psqlValue, tetherctl } from '../lib/stack.mjs';
import { startTether, tetherctlAsync } from '../lib/tether.mjs';

const cleanups = [];
let api;
let tether;
let answer = 200;	// what the stand-in answers to a right password

before(async () => {
	api = await startStandin({ name: 'api', handler: (req, res, rec) => {
		const c = basicCreds(req);
		if (rec.path !== '/v1/health')
			return json(res, 404, {});
		return json(res, c?.password === 'right' ? answer : 401, {});
	} });
	tether = await startTether();
	cleanups.push(() => api.close(), () => tether.stop());
});

after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

async function setup() {
	const s = await managerSession({ admin: true });
	const app = tether.client(s.jar);
	const c = await app.create({ connector: 'http', protocol: 'basic', team: s.team.id,
		fields: { url: `${api.url}/v1`, test_path: '/health', username: 'svc', password: 'right' } });
	assert.equal(c.status, 303);
	const flows = [1, 2].map((i) => Number(tetherctl('flow', 'add', '--name', `rec-${c.id}-${i}`, '--version', String(i),
	    '--status', 'active', '--owner', 'ops', '--progress', 'Waiting', '--connection', String(c.id)).trim()));
	const bystander = Number(tetherctl('flow', 'add', '--name', `rec-${c.id}-other`, '--version', '1',
	    '--status', 'active', '--progress', 'Untouched').trim());
	cleanups.push(() => {
		for (const f of [...flows, bystander])
			tetherctl('flow', 'remove', String(f), { check: false });
	});
	return { ...s, app, id: c.id, flows, bystander, create: c };
}

test('a test is one row, and status, Last Tested Date and the flows\' Progress Status move with it in one transaction', async () => {
	const { app, user, id, flows, bystander, create } = await setup();
	const first = testRows(id);
	assert.deepEqual(first.map((r) => [r.trigger, r.result, r.httpStatus, r.by]), [['create', 'ok', 200, user.id]]);
	const by = flowRow(bystander);

	answer = 503;
	const t = await app.test(id);
	answer = 200;
	assert.equal(t.status, 303);
	assert.deepEqual(t.flash, { kind: 'error', message: 'The system answered with unexpected status 503.' });
	const rows = testRows(id);
	assert.equal(rows.length, 2);
	const row = rows[1];
	assert.deepEqual([row.trigger, row.result, row.httpStatus, row.by, row.message],
	    ['manual', 'unexpected_status', 503, user.id, 'The system answered with unexpected status 503.']);
	assert.ok(row.latencyMs >= 0 && row.latencyMs < 5000);
	const conn = connRow(id);
	assert.deepEqual([conn.status, conn.result, conn.message, conn.testedAt],
	    ['failing', 'unexpected_status', 'The system answered with unexpected status 503.', row.testedAt],
	    'Last Tested Date is the row\'s own time');
	for (const f of flows) {
		const fr = flowRow(f);
		assert.equal(fr.progress, 'Blocked: connection failing');
		assert.equal(fr.updatedAt, row.testedAt, 'the same transaction\'s now()');
	}
	assert.deepEqual(flowRow(bystander), by, 'a flow that does not use it is untouched');
	const audit = psql(`SELECT action, outcome, details::text FROM audit_log WHERE object_type = 'connection'
	    AND object_id = ${id} AND action = 'connection_test' ORDER BY id`);
	assert.deepEqual(audit.map((a) => [a[0], a[1], JSON.parse(a[2])]), [
		['connection_test', 'success', { result: 'ok', trigger: 'create' }],
		['connection_test', 'failure', { result: 'unexpected_status', trigger: 'manual' }],
	]);

	const ok = await app.test(id);
	assert.deepEqual(ok.flash, { kind: 'success', message: 'The connection works.' });
	const last = lastTest(id);
	assert.equal(connRow(id).status, 'ok');
	for (const f of flows) {
		const fr = flowRow(f);
		assert.deepEqual([fr.progress, fr.updatedAt], ['Ready', last.testedAt]);
	}

	// The pages: details (status, Last tested), history (every test), related (progress).
	const d = pageText((await app.get(`/connections/${id}`)).text);
	assert.match(d, /Status Connected/);
	const shown = psqlValue(`SELECT to_char(last_tested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')
	    FROM connections WHERE id = ${id}`);
	assert.ok(d.includes(`Last tested ${shown} Passed`), `the details page shows Last tested ${shown}: ${d.slice(0, 800)}`);
	const h = pageText((await app.get(`/connections/${id}/history`)).text);
	assert.match(h, /unexpected status 503/);
	assert.match(h, /The connection works\./);
	const rel = pageText((await app.get(`/connections/${id}/related`)).text);
	assert.equal((rel.match(/Ready/g) ?? []).length, 2, `both flows Ready: ${rel.slice(0, 600)}`);
	void create;
});

test('when the flows cannot be updated, nothing of the test is kept: no row, no status, no Last Tested Date', async () => {
	const { app, id, flows } = await setup();
	const before = { rows: testRows(id).length, conn: connRow(id), flow: flowRow(flows[1]), flow0: flowRow(flows[0]),
		audit: psqlValue(`SELECT count(*) FROM audit_log WHERE object_id = ${id} AND action = 'connection_test'`) };
	const fn = `tether_test_refuse_${id}`;
	psql(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
	    BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
	    CREATE TRIGGER ${fn} BEFORE UPDATE ON flows FOR EACH ROW WHEN (OLD.id = ${flows[1]}) EXECUTE FUNCTION ${fn}();`);
	try {
		answer = 401;	// a change the test would record
		const requests = api.requests.length;
		const t = await app.test(id);
		assert.ok(t.status >= 500, `the failed recording is an error page (${t.status})`);
		assert.equal(api.requests.length, requests + 1, 'the test itself ran');
	} finally {
		answer = 200;
		psql(`DROP TRIGGER ${fn} ON flows; DROP FUNCTION ${fn}();`);
	}
	assert.equal(testRows(id).length, before.rows, 'no connection_tests row');
	assert.deepEqual(connRow(id), before.conn, 'status and Last Tested Date unchanged');
	assert.deepEqual(flowRow(flows[1]), before.flow);
	assert.deepEqual(flowRow(flows[0]), before.flow0, 'the other flow was not changed either');
	assert.equal(psqlValue(`SELECT count(*) FROM audit_log WHERE object_id = ${id} AND action = 'connection_test'`),
	    before.audit);
	// And the next test works and records.
	const ok = await app.test(id);
	assert.equal(ok.flash.message, 'The connection works.');
	assert.equal(testRows(id).length, before.rows + 1);
});

test('tetherctl test ID records with the trigger "cli" (not "schedule": no scheduler ran it) and no user; exit status and usage', async () => {
	const { id, flows } = await setup();
	const one = await tetherctlAsync(['test', String(id)]);
	assert.equal(one.status, 0, one.stderr);
	assert.match(one.stdout, new RegExp(`^${id} ok [0-9]+ms$`, 'm'));
	const row = lastTest(id);
	assert.deepEqual([row.trigger, row.result, row.by], ['cli', 'ok', '']);
	assert.equal(connRow(id).testedAt, row.testedAt);
	assert.equal(flowRow(flows[0]).updatedAt, row.testedAt);
	answer = 500;
	try {
		const bad = await tetherctlAsync(['test', String(id)]);
		// The test ran and failed: exit 1, the result on its line.
		assert.equal(bad.status, 1, bad.stderr);
		assert.match(bad.stdout, new RegExp(`^${id} unexpected_status [0-9]+ms$`, 'm'));
	} finally {
		answer = 200;
	}
	assert.equal(connRow(id).status, 'failing');
	assert.equal((await tetherctlAsync(['test', '999999999'])).status, 1, 'no such connection');
	assert.equal((await tetherctlAsync(['test'])).status, 2, 'usage');
	assert.equal((await tetherctlAsync(['test', '--all', '--concurrency', '17'])).status, 2, 'at most 16');
});

test('Tether\'s own limit: at most 20 tests a minute per user, the 21st is 429 and records nothing', async () => {
	const { app, id } = await setup();
	// The create test counts: 19 more are allowed.
	for (let i = 0; i < 19; i++) {
		const t = await app.test(id);
		assert.equal(t.status, 303, `test ${i + 2}`);
	}
	const rows = testRows(id).length;
	const requests = api.requests.length;
	const t = await app.test(id);
	assert.equal(t.status, 429);
	assert.match(pageText(t.res.text), /You ran many tests in the last minute/);
	assert.equal(testRows(id).length, rows);
	assert.equal(api.requests.length, requests, 'no outbound call');
});
