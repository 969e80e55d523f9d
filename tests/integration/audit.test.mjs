// The audit log: every action — sign-in,
// failed sign-in, connection create, edit (with the changed field names),
// test, share, unshare, transfer, delete, team and user changes — leaves
// exactly one entry with actor, team, object, action, outcome, client
// address and the request id of the answer, and never a secret. The Audit
// page filters by connection, actor, action, outcome and date range;
// managers see only their teams' entries, members and viewers get 403. The
// CSV export of the current filter doubles quotes, defuses formula-looking
// cells (= + - @) with a leading ', and shows control characters
// harmlessly, as does the page (rows put in with psql as the owner).

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { postEdit, startBasicStandin, testNow } from '../lib/lifecycle/lc.mjs';
import {
	assertEntry, auditMark, auditSince, auditWhere, httpBasic, parseAudit, parseCsv, sharing,
	signedInUser,
} from '../lib/roles/world.mjs';
import {
	flashOf, get, makeTeam, pageText, post, psql, psqlValue, sqlString, trySignIn, uniq,
} from '../lib/stack.mjs';

const PASSWORD = `mk-aud-${randomBytes(9).toString('hex')}`;
const NEW_PASSWORD = `mk-aud2-${randomBytes(9).toString('hex')}`;
const WRONG = `mk-wrong-${randomBytes(9).toString('hex')}`;
const USER_PASSWORD = `mk-user-${randomBytes(9).toString('hex')}`;

let standin;
let A, T2, O;
let adm, mgr, member, viewer, mgrO;
let X, Y;		// A's connection (transferred, then deleted), O's connection
let xName;
let start;		// the audit mark before everything
const rid = (res) => res.headers.get('x-request-id');
const CLIENT = '127.0.0.1';

before(async () => {
	start = auditMark();
	standin = await startBasicStandin({ user: 'svc', password: PASSWORD });
	A = makeTeam(uniq('aud-a'));
	T2 = makeTeam(uniq('aud-t2'));
	O = makeTeam(uniq('aud-o'));
	adm = await signedInUser({ admin: true });
	mgr = await signedInUser({ teams: [{ name: A.name, role: 'manager' }, { name: T2.name, role: 'manager' }] });
	member = await signedInUser({ teams: [{ name: A.name, role: 'member' }] });
	viewer = await signedInUser({ teams: [{ name: A.name, role: 'viewer' }] });
	mgrO = await signedInUser({ teams: [{ name: O.name, role: 'manager' }] });
	Y = await httpBasic(mgrO.jar, O, { url: standin.url, password: PASSWORD, name: uniq('aud-other') });
});

after(async () => {
	await standin?.close();
});

/** The one entry of an action since mark (asserting there is exactly one). */
function one(mark, action, cond = 'true') {
	const e = auditSince(mark, `a.action = ${sqlString(action)} AND (${cond})`);
	assert.equal(e.length, 1, `exactly one ${action} entry: ${JSON.stringify(e)}`);
	return e[0];
}

describe('each action leaves exactly one entry with the right fields', () => {
	test('sign-in: success and failure', async () => {
		let mark = auditMark();
		const ok = await trySignIn(member.email, member.password);
		assert.equal(ok.res.status, 303);
		assert.equal(auditSince(mark).length, 1, 'one entry in all');
		assertEntry(one(mark, 'sign_in'), { actorId: member.id, actor: member.email, teamId: '', type: 'user',
			objectId: member.id, object: member.email, outcome: 'success', client: CLIENT,
			requestId: rid(ok.res), details: {} }, 'sign-in');

		mark = auditMark();
		const bad = await trySignIn(member.email, WRONG);
		assert.equal(bad.res.status, 200);
		assert.equal(auditSince(mark).length, 1, 'one entry in all');
		assertEntry(one(mark, 'sign_in'), { actorId: '', type: 'user', object: member.email, outcome: 'failure',
			client: CLIENT, requestId: rid(bad.res) }, 'failed sign-in');

		mark = auditMark();
		const typo = await trySignIn(WRONG, WRONG);
		assert.equal(typo.res.status, 200);
		const e = one(mark, 'sign_in');
		assertEntry(e, { outcome: 'failure', requestId: rid(typo.res) }, 'unknown account');
		assert.ok(!JSON.stringify(e).includes(WRONG), 'what was typed as the e-mail is not recorded');
	});

	test('connection create: one entry with the field names, and one for its first test', async () => {
		const mark = auditMark();
		xName = uniq('Audited API');
		const form = await get('/connections/new?connector=http&protocol=basic', mgr.jar);
		assert.equal(form.status, 200);
		const r = await post('/connections', { csrf: mgr.csrf, connector: 'http', protocol: 'basic', api_type: '',
			name: xName, description: '', team: A.id, context: 'system', 'f.url': standin.url,
			'f.test_path': '/health', 'f.test_status': '200', 'f.username': 'svc', 'f.password': PASSWORD }, mgr.jar);
		assert.equal(r.status, 303, pageText(r.text).slice(0, 300));
		X = Number(/([0-9]+)$/.exec(r.headers.get('location'))[1]);
		assert.equal(auditSince(mark).length, 2, 'create and its test');
		const c = one(mark, 'connection_create');
		assertEntry(c, { actorId: mgr.id, actor: mgr.email, teamId: A.id, type: 'connection', objectId: X,
			object: xName, outcome: 'success', client: CLIENT, requestId: rid(r) }, 'create');
		assert.equal(c.details.connector, 'http');
		assert.deepEqual([...c.details.fields].sort(), ['password', 'test_path', 'test_status', 'url', 'username']);
		assertEntry(one(mark, 'connection_test'), { actorId: mgr.id, teamId: A.id, objectId: X, outcome: 'success',
			requestId: rid(r), details: { result: 'ok', trigger: 'create' } }, 'the test on create');
	});

	test('edit: one entry with the names of the changed fields (a secret among them, never its value)', async () => {
		standin.creds.password = NEW_PASSWORD;
		const mark = auditMark();
		const e = await postEdit(mgr.jar, X, { fields: { password: NEW_PASSWORD }, extra: { description: 'now described' } });
		assert.equal(e.status, 303, pageText(e.res.text).slice(0, 300));
		assert.equal(auditSince(mark).length, 2, 'edit and its test');
		const entry = one(mark, 'connection_edit');
		assertEntry(entry, { actorId: mgr.id, actor: mgr.email, teamId: A.id, type: 'connection', objectId: X,
			object: xName, outcome: 'success', client: CLIENT, requestId: rid(e.res) }, 'edit');
		assert.deepEqual([...entry.details.fields].sort(), ['description', 'password']);
		assertEntry(one(mark, 'connection_test'), { requestId: rid(e.res), details: { result: 'ok', trigger: 'edit' } },
		    'the test after the edit');
	});

	test('test, by a member: one entry, success or failure as it went', async () => {
		let mark = auditMark();
		const t = await testNow(member.jar, X);
		assert.equal(t.status, 303);
		assert.equal(auditSince(mark).length, 1);
		assertEntry(one(mark, 'connection_test'), { actorId: member.id, actor: member.email, teamId: A.id,
			type: 'connection', objectId: X, object: xName, outcome: 'success', client: CLIENT,
			requestId: rid(t.res), details: { result: 'ok', trigger: 'manual' } }, 'test');
		standin.creds.password = 'something else';
		mark = auditMark();
		const f = await testNow(member.jar, X);
		assert.equal(f.flash?.kind, 'error');
		assertEntry(one(mark, 'connection_test'), { outcome: 'failure', requestId: rid(f.res) }, 'failed test');
		standin.creds.password = NEW_PASSWORD;
	});

	test('share and unshare: one entry each', async () => {
		let mark = auditMark();
		const s = await sharing(mgr, X, { action: 'share', team: O.id, permission: 'use' });
		assert.equal(s.status, 303);
		assert.equal(auditSince(mark).length, 1);
		assertEntry(one(mark, 'connection_share'), { actorId: mgr.id, actor: mgr.email, teamId: A.id,
			type: 'connection', objectId: X, object: xName, outcome: 'success', client: CLIENT,
			requestId: rid(s.res), details: { team_id: Number(O.id), permission: 'use' } }, 'share');
		mark = auditMark();
		const u = await sharing(mgr, X, { action: 'revoke', team: O.id });
		assert.equal(u.status, 303);
		assert.equal(auditSince(mark).length, 1);
		assertEntry(one(mark, 'connection_unshare'), { actorId: mgr.id, teamId: A.id, objectId: X, outcome: 'success',
			client: CLIENT, requestId: rid(u.res), details: { team_id: Number(O.id) } }, 'unshare');
	});

	test('refused actions leave no success entry', async () => {
		const mark = auditMark();
		assert.equal((await post(`/connections/${X}/edit`, { csrf: viewer.csrf, name: 'x', description: '',
			version: '1' }, viewer.jar)).status, 403);
		assert.equal((await sharing(member, X, { action: 'share', team: O.id, permission: 'use' })).status, 403);
		assert.equal((await post(`/connections/${X}/test`, { csrf: mgrO.csrf }, mgrO.jar)).status, 404);
		assert.deepEqual(auditSince(mark, "a.outcome = 'success'"), []);
	});

	test('transfer: one entry naming the new owner team', async () => {
		const mark = auditMark();
		const t = await sharing(mgr, X, { action: 'transfer', team: T2.id });
		assert.equal(t.status, 303);
		assert.equal(auditSince(mark).length, 1);
		const e = one(mark, 'connection_transfer');
		assertEntry(e, { actorId: mgr.id, actor: mgr.email, type: 'connection', objectId: X, object: xName,
			outcome: 'success', client: CLIENT, requestId: rid(t.res), details: { team_id: Number(T2.id) } }, 'transfer');
		assert.ok([A.id, T2.id].includes(e.teamId), `a team: ${e.teamId}`);
	});

	test('delete: one entry, with the team that owned it', async () => {
		const mark = auditMark();
		const r = await post(`/connections/${X}/delete`, { csrf: mgr.csrf, confirm: 'yes' }, mgr.jar);
		assert.equal(r.status, 303);
		assert.equal(auditSince(mark).length, 1);
		assertEntry(one(mark, 'connection_delete'), { actorId: mgr.id, actor: mgr.email, teamId: T2.id,
			type: 'connection', objectId: X, object: xName, outcome: 'success', client: CLIENT, requestId: rid(r) },
		'delete');
	});

	test('team and user changes by an admin: one entry each', async () => {
		const teamName = uniq('aud-new-team');
		const email = `${uniq('aud-new')}@test.local`;
		const steps = [
			['team_create', '/teams', { action: 'create', name: teamName }, 'team', teamName],
			['user_create', '/users', { action: 'create', email, name: 'New One', password: USER_PASSWORD }, 'user', email],
			['team_member_set', () => `/teams/${teamId()}`, { action: 'add', email, role: 'viewer' }, 'team', teamName,
				{ role: 'viewer' }],
			['team_member_set', () => `/teams/${teamId()}`, { action: 'role', email, role: 'manager' }, 'team', teamName,
				{ role: 'manager' }],
			['team_member_remove', () => `/teams/${teamId()}`, { action: 'remove', email }, 'team', teamName],
			['user_disable', '/users', { action: 'disable', email }, 'user', email],
			['user_enable', '/users', { action: 'enable', email }, 'user', email],
			['user_admin_grant', '/users', { action: 'admin', email }, 'user', email],
			['user_admin_revoke', '/users', { action: 'unadmin', email }, 'user', email],
		];
		function teamId() {
			return psqlValue(`SELECT id FROM teams WHERE name = ${sqlString(teamName)}`);
		}
		for (const [action, path, form, type, label, details] of steps) {
			const mark = auditMark();
			const p = typeof path === 'function' ? path() : path;
			const r = await post(p, { csrf: adm.csrf, ...form }, adm.jar);
			assert.equal(r.status, 303, `${action}: ${pageText(r.text).slice(0, 300)}`);
			assert.equal(flashOf(r)?.kind, 'success', `${action}: ${JSON.stringify(flashOf(r))}`);
			assert.equal(auditSince(mark).length, 1, `${action}: one entry in all`);
			assertEntry(one(mark, action), { actorId: adm.id, actor: adm.email, type, object: label,
				outcome: 'success', client: CLIENT, requestId: rid(r), details }, action);
		}
	});

	test('team entries name their team (as object and as team)', () => {
		const teams = auditWhere(`a.id > ${start} AND a.action IN ('team_create', 'team_member_set',
		    'team_member_remove') AND a.actor_user_id = ${adm.id}`);
		assert.equal(teams.length, 4);
		const id = psqlValue(`SELECT id FROM teams WHERE name = ${sqlString(teams[0].object)}`);
		const wrong = [];
		for (const e of teams) {
			if (e.objectId !== id)
				wrong.push(`${e.action}: object id ${JSON.stringify(e.objectId)}, not the team's ${id}`);
			if (e.teamId !== id)
				wrong.push(`${e.action}: team ${JSON.stringify(e.teamId)}, not the team ${id}`);
		}
		assert.deepEqual(wrong, [], 'team entries name their team');
	});

	test('no entry holds a secret', () => {
		const all = psql(`SELECT row_to_json(a)::text FROM audit_log a WHERE id > ${start}`).map((r) => r[0]).join('\n');
		for (const s of [PASSWORD, NEW_PASSWORD, WRONG, USER_PASSWORD, member.password, mgr.password])
			assert.ok(!all.includes(s), `a secret (${s.slice(0, 10)}…) is in the audit log`);
	});
});

// ----------------------------------------------------------------- page

describe('the Audit page', () => {
	const MARK = uniq('aud-dates');

	before(() => {
		// Three entries of team A on three days (noon UTC), by a made-up actor,
		// about an object id no connection has (a fresh database starts at 1).
		psql(`INSERT INTO audit_log (at, actor_label, team_id, object_type, object_id, object_label, action, outcome,
		    client_addr, request_id) VALUES
		    ('2031-05-09 12:00:00+00', '${MARK}@x', ${A.id}, 'connection', 999999001, 'day one', 'connection_test', 'success', '10.0.0.1', 'r1'),
		    ('2031-05-10 12:00:00+00', '${MARK}@x', ${A.id}, 'connection', 999999001, 'day two', 'connection_test', 'failure', '10.0.0.2', 'r2'),
		    ('2031-05-11 12:00:00+00', '${MARK}@x', ${A.id}, 'connection', 999999001, 'day three', 'connection_edit', 'success', '10.0.0.3', 'r3')`);
	});

	async function audit(u, q) {
		const r = await get(`/audit?${q}`, u.jar);
		assert.equal(r.status, 200, `GET /audit?${q}: ${pageText(r.text).slice(0, 200)}`);
		return parseAudit(r.text);
	}

	test('filter by connection: exactly its entries, all of them', async () => {
		const p = await audit(adm, `connection=${X}`);
		const n = Number(psqlValue(`SELECT count(*) FROM audit_log WHERE object_type = 'connection' AND object_id = ${X}`));
		assert.ok(n >= 9, `the actions above (${n})`);
		assert.equal(p.total, n);
		assert.equal(p.rows.length, n);
		assert.ok(p.rows.every((r) => r.objectId === String(X) && r.type === 'Connection'));
		assert.deepEqual(p.rows.map((r) => r.action).reverse().filter((a, i, l) => l.indexOf(a) === i),
		    ['connection_create', 'connection_test', 'connection_edit', 'connection_share', 'connection_unshare',
		    'connection_transfer', 'connection_delete'], 'every kind, oldest last on the page');
		const del = p.rows[0];
		assert.equal(del.action, 'connection_delete', 'newest first');
		assert.equal(del.actor, mgr.email);
		assert.equal(del.client, CLIENT);
		assert.match(del.requestId, /^[0-9a-f]{16}$/);
	});

	test('filter by actor, action and outcome', async () => {
		const byActor = await audit(adm, `actor=${encodeURIComponent(member.email)}`);
		assert.equal(byActor.total, Number(psqlValue(`SELECT count(*) FROM audit_log
		    WHERE actor_label ILIKE ${sqlString('%' + member.email + '%')}`)));
		assert.ok(byActor.total >= 3);
		assert.ok(byActor.rows.every((r) => r.actor === member.email));
		const byAction = await audit(adm, `connection=${X}&action=connection_test`);
		assert.equal(byAction.total, 4, 'create, edit and two manual tests');
		assert.ok(byAction.rows.every((r) => r.action === 'connection_test'));
		const byOutcome = await audit(adm, `connection=${X}&outcome=failure`);
		assert.equal(byOutcome.total, 1);
		assert.equal(byOutcome.rows[0].action, 'connection_test');
		assert.equal(byOutcome.rows[0].actor, member.email);
		const all3 = await audit(adm, `actor=${encodeURIComponent(member.email)}&action=connection_test&outcome=success`);
		assert.ok(all3.rows.length >= 1 && all3.rows.every((r) => r.actor === member.email &&
		    r.action === 'connection_test' && /Success/.test(r.outcome)));
	});

	test('filter by date range (days, both ends included)', async () => {
		const q = `actor=${MARK}`;
		const objects = async (extra) => (await audit(adm, `${q}&${extra}`)).rows.map((r) => r.object);
		assert.deepEqual(await objects('from=2031-05-10&to=2031-05-10'), ['day two']);
		assert.deepEqual(await objects('from=2031-05-10'), ['day three', 'day two']);
		assert.deepEqual(await objects('to=2031-05-10'), ['day two', 'day one']);
		assert.deepEqual(await objects('from=2031-05-12'), []);
		assert.deepEqual(await objects('from=2031-05-09&to=2031-05-11&outcome=failure'), ['day two']);
	});

	test('every action the app records can be chosen in the filter', async () => {
		const r = await get('/audit', adm.jar);
		const offered = [...r.text.matchAll(/<option value="([a-z_]+)"/g)].map((m) => m[1]);
		const written = psql(`SELECT DISTINCT action FROM audit_log WHERE id > ${start} ORDER BY 1`).map((x) => x[0]);
		assert.deepEqual(written.filter((a) => !offered.includes(a)), [], 'actions recorded but not in the filter');
		const p = await audit(adm, 'action=team_member_remove');
		assert.ok(p.rows.length > 0 && p.rows.every((x) => x.action === 'team_member_remove'),
		    `?action=team_member_remove shows only those: ${[...new Set(p.rows.map((x) => x.action))]}`);
	});

	test('a date that does not exist is no server error', async () => {
		for (const q of ['from=2031-02-31', 'to=2031-04-31', 'from=2031-02-29']) {
			const r = await get(`/audit?${q}`, adm.jar);
			assert.ok([200, 400].includes(r.status), `GET /audit?${q} answered ${r.status}`);
		}
	});

	test('managers see only their teams\' entries; members and viewers get 403', async () => {
		const mine = await audit(mgr, `actor=${MARK}`);
		assert.equal(mine.total, 3, 'team A\'s');
		const theirs = await audit(mgrO, `actor=${MARK}`);
		assert.equal(theirs.total, 0, 'not team O\'s manager');
		assert.equal((await audit(mgrO, `connection=${X}`)).total, 0, 'nothing of A\'s connection for O');
		const y = await audit(mgrO, `connection=${Y}`);
		assert.ok(y.total >= 2 && y.rows.every((r) => r.objectId === String(Y)), 'O\'s own connection');
		assert.equal((await audit(mgr, `connection=${Y}`)).total, 0, 'nothing of O\'s connection for A');
		assert.equal((await audit(mgr, 'action=sign_in')).total, 0, 'no sign-ins (they belong to no team)');
		const csv = await get(`/audit?connection=${Y}&format=csv`, mgr.jar);
		assert.equal(csv.status, 200);
		assert.equal(parseCsv(csv.text).length, 1, 'the CSV too: only the header');
		for (const u of [member, viewer]) {
			for (const q of ['', '?format=csv', `?connection=${X}`]) {
				const r = await get(`/audit${q}`, u.jar);
				assert.equal(r.status, 403, `GET /audit${q}`);
				assert.doesNotMatch(r.text, /audit-table/);
			}
		}
	});
});

// ------------------------------------------------------------------ CSV

describe('CSV export and hostile labels', () => {
	const MARK = uniq('aud-csv');
	const labels = {
		formula: '=HYPERLINK("http://evil.example/","click")',
		plus: '+1+2',
		minus: '-2+3',
		at: '@SUM(A1:A2)',
		quotes: 'He said "hi", twice',
		control: 'ctl\u0001\u001b[31mred\r\nnext\ttab\u007fend',
		html: '<script>alert(1)</script>',
	};
	const visible = 'ctl\u2401\u241b[31mred\u240d\u240anext\u2409tab\u2421end';

	before(() => {
		const rows = Object.entries(labels).map(([k, v], i) => `('2031-06-0${i + 1} 12:00:00+00', ${sqlString(
		    `${MARK}@x`)}, ${A.id}, 'connection', ${100 + i}, ${sqlString(v)}, 'connection_edit', 'success', '10.0.0.9',
		    'rid-${k}', '{"fields":["name"]}')`);
		rows.push(`('2031-06-09 12:00:00+00', ${sqlString(`=cmd|${MARK}`)}, ${A.id}, 'connection', 200, 'actor formula',
		    'connection_edit', 'success', '10.0.0.9', 'rid-actor', '{}')`);
		psql(`INSERT INTO audit_log (at, actor_label, team_id, object_type, object_id, object_label, action, outcome,
		    client_addr, request_id, details) VALUES ${rows.join(',\n')}`);
	});

	test('the CSV of the current filter: quoted, quotes doubled, formulas defused, controls visible', async () => {
		const r = await get(`/audit?actor=${MARK}&format=csv`, adm.jar);
		assert.equal(r.status, 200);
		assert.match(r.headers.get('content-type'), /^text\/csv; charset=utf-8$/);
		assert.match(r.headers.get('content-disposition') ?? '', /^attachment; filename="[^"]+\.csv"$/);
		const text = r.text;
		assert.ok(!/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f]/.test(text), 'no control character in the CSV');
		assert.ok(!/\r(?!\n)|(?<!\r)\n/.test(text), 'CR and LF only as row ends');
		const rows = parseCsv(text);
		assert.deepEqual(rows[0], ['time', 'actor', 'team', 'object_type', 'object_id', 'object', 'action', 'outcome',
			'client_address', 'request_id', 'details']);
		assert.equal(rows.length, 1 + Object.keys(labels).length + 1, 'header and the filtered rows only');
		for (const row of rows.slice(1))
			assert.equal(row.length, 11, `11 cells: ${JSON.stringify(row)}`);
		const byRid = Object.fromEntries(rows.slice(1).map((row) => [row[9], row]));
		const obj = (k) => byRid[`rid-${k}`][5];
		assert.equal(obj('formula'), `'${labels.formula}`);
		assert.equal(obj('plus'), `'${labels.plus}`);
		assert.equal(obj('minus'), `'${labels.minus}`);
		assert.equal(obj('at'), `'${labels.at}`);
		assert.equal(obj('quotes'), labels.quotes);
		assert.equal(obj('control'), visible);
		assert.equal(obj('html'), labels.html, 'a CSV is not HTML: as it is');
		assert.equal(byRid['rid-actor'][1], `'=cmd|${MARK}`, 'any cell, the actor too');
		assert.ok(text.includes(`"'=HYPERLINK(""http://evil.example/"",""click"")"`), 'quotes doubled in the raw CSV');
		assert.ok(text.includes('"He said ""hi"", twice"'));
		assert.equal(byRid['rid-quotes'][10], '{"fields": ["name"]}', 'details as JSON, quotes doubled');
		assert.deepEqual(rows.slice(1).map((row) => row[9]).slice(0, 2), ['rid-actor', 'rid-html'], 'newest first');
	});

	test('the CSV link of the page carries the filter', async () => {
		const r = await get(`/audit?actor=${MARK}&outcome=success`, adm.jar);
		const m = /<a class="btn[^"]*" href="(\/audit\?[^"]*format=csv[^"]*)"/.exec(r.text);
		assert.ok(m, 'a Download CSV link');
		const href = m[1].replace(/&amp;/g, '&');
		const q = new URL(href, 'http://x').searchParams;
		assert.equal(q.get('actor'), MARK);
		assert.equal(q.get('outcome'), 'success');
		const csv = await get(href, adm.jar);
		assert.equal(parseCsv(csv.text).length, 1 + Object.keys(labels).length + 1);
	});

	test('the page shows the same labels escaped and control characters as symbols', async () => {
		const r = await get(`/audit?actor=${MARK}`, adm.jar);
		assert.equal(r.status, 200);
		assert.ok(!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(r.text), 'no raw control character');
		assert.ok(!r.text.includes('<script>alert(1)</script>'), 'no markup from a label');
		assert.ok(r.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'escaped');
		const p = parseAudit(r.text);
		const control = p.rows.find((x) => x.object.startsWith('ctl'));
		assert.ok(control, 'the row with control characters');
		assert.ok(!/[\r\n\t\u0001\u001b\u007f]/.test(control.objectRaw), 'none in its cell');
		assert.equal(control.object, visible);
		assert.equal(p.rows.find((x) => x.object.startsWith('He said'))?.object, labels.quotes);
	});

	test('a manager\'s CSV holds their team\'s rows; another team\'s manager gets only the header', async () => {
		const own = parseCsv((await get(`/audit?actor=${MARK}&format=csv`, mgr.jar)).text);
		assert.equal(own.length, 1 + Object.keys(labels).length + 1);
		const other = parseCsv((await get(`/audit?actor=${MARK}&format=csv`, mgrO.jar)).text);
		assert.equal(other.length, 1);
	});
});
