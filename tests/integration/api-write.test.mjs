// The JSON API writes connections (issue 14 §2): create, update with the
// version (or If-Match) and 409 when stale, a destination change asking for
// every secret again, delete refused while flows use it, share, unshare and
// transfer with the sharing page's rules — all through the web forms' own
// checks (one validator), field errors as {"fields": {"settings.url": …}}.
// A token without connections:write is refused (403); another team's
// connection is not found (404); no secret reaches an answer, a log or the
// audit trail.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { flowAdd, flowDetach, startBasicStandin } from '../lib/lifecycle/lc.mjs';
import { signedInUser } from '../lib/roles/world.mjs';
import { makeTeam, psql, psqlValue, request, tetherctl, uniq } from '../lib/stack.mjs';
import { assertAbsent, marker, stackLogs } from '../fakes/secrets.mjs';
import { checkAnswer, checkRequest } from '../lib/openapi.mjs';

const PASSWORD = marker('apiw');
const PASSWORD2 = marker('apiw2');
const answers = [];
let standin;
let standin2;
let team;
let other;
let third;
let writer;		// a manager's token with connections:write
let managerEmail;
// The audit rows of this file only: the whole log of a long run is large.
const auditFrom = Number(psqlValue('SELECT COALESCE(max(id), 0) FROM audit_log'));

function token(email, scopes) {
	return tetherctl('token', 'add', email, uniq('tok'), ...(scopes ? ['--scopes', scopes] : [])).trim();
}

async function call(t, method, path, body, headers = {}) {
	const r = await request(`/api/v1${path}`, { method,
	    headers: { authorization: `Bearer ${t}`, ...(body !== undefined ?
		{ 'content-type': 'application/json' } : {}), ...headers },
	    body: body !== undefined ? JSON.stringify(body) : undefined });
	answers.push(r.text);
	checkAnswer(method, `/api/v1${path.split('?')[0]}`, r);	// as documented
	checkRequest(method, `/api/v1${path.split('?')[0]}`, body, r);	// and what it took
	return { ...r, json: r.text !== '' ? JSON.parse(r.text) : undefined };
}

function basicBody(over = {}) {
	return { name: uniq('api-conn'), description: 'made by the API', team_id: +team.id,
	    connector: 'http', protocol: 'basic', context: 'system',
	    settings: { url: standin.url, test_path: '/health', test_status: '200', username: 'svc' },
	    secrets: { password: PASSWORD }, ...over };
}

async function create(over = {}) {
	const r = await call(writer, 'POST', '/connections', basicBody(over));
	assert.equal(r.status, 201, r.text);
	return r.json;
}

before(async () => {
	standin = await startBasicStandin({ user: 'svc', password: PASSWORD });
	standin2 = await startBasicStandin({ user: 'svc', password: PASSWORD2 });
	team = makeTeam(uniq('apiw-a'));
	other = makeTeam(uniq('apiw-b'));
	third = makeTeam(uniq('apiw-c'));
	const m = await signedInUser({ teams: [{ name: team.name, role: 'manager' },
	    { name: third.name, role: 'manager' }] });
	managerEmail = m.email;
	writer = token(m.email, 'connections:read,connections:write');
});

after(async () => {
	await standin?.close();
	await standin2?.close();
});

describe('create', () => {
	test('201 with the connection as GET answers it, Location, audited like the page', async () => {
		const body = basicBody();
		const r = await call(writer, 'POST', '/connections', body);
		assert.equal(r.status, 201, r.text);
		assert.equal(r.headers.get('location'), `/api/v1/connections/${r.json.id}`);
		assert.equal(r.headers.get('etag'), '"1"');
		assert.equal(r.json.name, body.name);
		assert.equal(r.json.description, 'made by the API');
		assert.equal(r.json.owner_team.id, +team.id);
		assert.equal(r.json.settings.url, standin.url);
		assert.deepEqual(r.json.secrets.map((s) => s.field), ['password']);
		assert.equal(r.json.version, 1);
		// Tested once created, as the form does: the stand-in took the password.
		assert.equal(r.json.status, 'ok', r.text);
		assert.ok(r.json.last_tested_at);
		assert.equal(psqlValue(`SELECT trigger FROM connection_tests WHERE connection_id = ${r.json.id}`),
		    'create');
		const g = await call(writer, 'GET', `/connections/${r.json.id}`);
		assert.deepEqual(g.json, r.json);
		assert.equal(g.headers.get('etag'), '"1"');
		assert.equal(psqlValue(`SELECT count(*) FROM audit_log WHERE object_id = ${r.json.id}`
		    + ` AND action = 'connection_create' AND outcome = 'success'`), '1');
	});

	test('a setting left out takes the default the form shows', async () => {
		const r = await call(writer, 'POST', '/connections', basicBody({
		    settings: { url: standin.url, username: 'svc' } }));
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.settings.test_path, '/');
		assert.equal(r.json.settings.test_status, '200');
	});

	test('a secret\'s expiry date, as the form\'s "expires on" beside it', async () => {
		const r = await call(writer, 'POST', '/connections', basicBody({
		    secrets_expire_on: { password: '2031-01-02' } }));
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.expires_on, '2031-01-02');
		const bad = await call(writer, 'POST', '/connections', basicBody({
		    secrets_expire_on: { password: '2031-02-30' } }));
		assert.equal(bad.status, 422, bad.text);
		assert.ok(bad.json.fields['secrets_expire_on.password'], bad.text);
		const notSecret = await call(writer, 'POST', '/connections', basicBody({
		    secrets_expire_on: { url: '2031-01-02' } }));
		assert.equal(notSecret.status, 422);
		assert.ok(notSecret.json.fields['secrets_expire_on.url']);
		const cleared = await call(writer, 'PATCH', `/connections/${r.json.id}`, { version: 1,
		    secrets_expire_on: { password: null } });
		assert.equal(cleared.status, 200, cleared.text);
		assert.equal(cleared.json.expires_on, null);
	});

	test('the form\'s refusals, field by field, nothing saved', async () => {
		const cases = [
			[{ name: '' }, 'name'],
			[{ team_id: +other.id }, 'team_id'],
			[{ context: 'per_user' }, 'context'],
			[{ settings: { url: 'ftp://x', test_path: '/health', test_status: '200', username: 'svc' } },
			    'settings.url'],
			[{ settings: { url: standin.url, test_path: 'no-slash', test_status: '200', username: 'svc' } },
			    'settings.test_path'],
			[{ secrets: {} }, 'secrets.password'],
			[{ uplink_id: 999999 }, 'uplink_id'],
		];
		for (const [over, field] of cases) {
			const name = over.name ?? uniq('api-bad');
			const r = await call(writer, 'POST', '/connections', basicBody({ ...over, name }));
			assert.equal(r.status, 422, `${field}: ${r.text}`);
			assert.equal(r.json.error, 'invalid');
			assert.ok(r.json.fields[field], `${field} named: ${r.text}`);
			assert.equal(psqlValue(`SELECT count(*) FROM connections WHERE name = '${name.replace(/'/g, "''")}'`), '0');
		}
		const taken = await create();
		const dup = await call(writer, 'POST', '/connections', basicBody({ name: taken.name }));
		assert.equal(dup.status, 422);
		assert.match(dup.json.fields.name, /already exists/);
		const unknown = await call(writer, 'POST', '/connections', basicBody({ connector: 'nope' }));
		assert.equal(unknown.status, 422);
		assert.ok(unknown.json.fields.connector);
		const stray = await call(writer, 'POST', '/connections', basicBody({ settings: { url: standin.url,
		    test_path: '/health', test_status: '200', username: 'svc', bogus: 'x' } }));
		assert.equal(stray.status, 422);
		assert.ok(stray.json.fields['settings.bogus']);
		const key = await call(writer, 'POST', '/connections', { ...basicBody(), colour: 'red' });
		assert.equal(key.status, 400);
		assert.equal(key.json.error, 'unknown_key');
	});

	test('a token without connections:write: 403 insufficient_scope', async () => {
		const r = await call(token(managerEmail, 'connections:read'), 'POST', '/connections', basicBody());
		assert.equal(r.status, 403);
		assert.equal(r.json.error, 'insufficient_scope');
		assert.match(r.headers.get('www-authenticate'), /connections:write/);
	});
});

describe('update', () => {
	test('PATCH with version: partial, 200, version and ETag move on; stale 409', async () => {
		const c = await create();
		const r = await call(writer, 'PATCH', `/connections/${c.id}`, { version: 1, description: 'new words' });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.description, 'new words');
		assert.equal(r.json.name, c.name, 'absent: unchanged');
		assert.equal(r.json.settings.url, standin.url);
		assert.equal(r.json.version, 2);
		assert.equal(r.headers.get('etag'), '"2"');
		const stale = await call(writer, 'PATCH', `/connections/${c.id}`, { version: 1, description: 'lost' });
		assert.equal(stale.status, 409);
		assert.equal(stale.json.error, 'conflict');
		const im = await call(writer, 'PUT', `/connections/${c.id}`, { description: 'by etag' },
		    { 'if-match': '"1"' });
		assert.equal(im.status, 409);
		const ok = await call(writer, 'PUT', `/connections/${c.id}`, { description: 'by etag' },
		    { 'if-match': '"2"' });
		assert.equal(ok.status, 200, ok.text);
		assert.equal(ok.json.version, 3);
		const none = await call(writer, 'PATCH', `/connections/${c.id}`, { description: 'x' });
		assert.equal(none.status, 428);
		assert.equal(psqlValue(`SELECT count(*) FROM audit_log WHERE object_id = ${c.id}`
		    + ` AND action = 'connection_edit'`), '2');
		const bad = await call(writer, 'PATCH', `/connections/${c.id}`, { version: 3, name: '' });
		assert.equal(bad.status, 422);
		assert.ok(bad.json.fields.name);
	});

	test('a destination change without the secret: 422 at secrets.password; with it: 200', async () => {
		const c = await create();
		const settings = { url: standin2.url };
		const r = await call(writer, 'PATCH', `/connections/${c.id}`, { version: 1, settings });
		assert.equal(r.status, 422, r.text);
		assert.match(r.json.fields['secrets.password'], /Enter this again/);
		assert.equal(psqlValue(`SELECT settings->>'url' FROM connections WHERE id = ${c.id}`), standin.url);
		const ok = await call(writer, 'PATCH', `/connections/${c.id}`, { version: 1, settings,
		    secrets: { password: PASSWORD2 } });
		assert.equal(ok.status, 200, ok.text);
		assert.equal(ok.json.settings.url, standin2.url);
		assert.equal(ok.json.settings.username, 'svc', 'the other settings kept');
	});

	test('tested before it is saved, as the form: a failing change is refused unless save_anyway', async () => {
		const c = await create();
		const wrong = marker('wrong');
		const r = await call(writer, 'PATCH', `/connections/${c.id}`, { version: 1,
		    secrets: { password: wrong } });
		assert.equal(r.status, 422, r.text);
		assert.equal(r.json.error, 'test_failed');
		assert.match(r.json.message, /Nothing was saved.*save_anyway/);
		assert.equal(psqlValue(`SELECT version FROM connections WHERE id = ${c.id}`), '1');
		const anyway = await call(writer, 'PATCH', `/connections/${c.id}`, { version: 1,
		    secrets: { password: wrong }, save_anyway: true });
		assert.equal(anyway.status, 200, anyway.text);
		assert.equal(anyway.json.version, 2);
		assert.equal(anyway.json.status, 'failing', 'tested after the save');
		const bad = await call(writer, 'PATCH', `/connections/${c.id}`, { version: 2, save_anyway: 'yes' });
		assert.equal(bad.status, 400);
		const audit = psql(`SELECT row_to_json(a)::text FROM audit_log a WHERE a.id > ${auditFrom}`).map((x) => x[0]).join('\n');
		assertAbsent(wrong, { answers: answers.join('\n'), logs: stackLogs(), audit });
	});

	test('a member may not edit (403); another team\'s token is told nothing (404)', async () => {
		const c = await create();
		const member = await signedInUser({ teams: [{ name: team.name, role: 'member' }] });
		const m = await call(token(member.email, 'connections:write'), 'PATCH', `/connections/${c.id}`,
		    { version: 1, description: 'x' });
		assert.equal(m.status, 403);
		const outsider = await signedInUser({ teams: [{ name: other.name, role: 'manager' }] });
		const o = await call(token(outsider.email, 'connections:write'), 'PATCH', `/connections/${c.id}`,
		    { version: 1, description: 'x' });
		assert.equal(o.status, 404);
	});
});

describe('delete', () => {
	test('refused (409, the flows listed) while a flow uses it; then 204', async () => {
		const c = await create();
		const flow = flowAdd({ connections: [c.id] });
		const r = await call(writer, 'DELETE', `/connections/${c.id}`);
		assert.equal(r.status, 409, r.text);
		assert.equal(r.json.error, 'in_use');
		assert.deepEqual(r.json.flows.map((f) => f.id), [flow.id]);
		flowDetach(flow.id);
		const d = await call(writer, 'DELETE', `/connections/${c.id}`);
		assert.equal(d.status, 204, d.text);
		assert.equal(psqlValue(`SELECT count(*) FROM connections WHERE id = ${c.id}`), '0');
		assert.equal(psqlValue(`SELECT count(*) FROM audit_log WHERE object_id = ${c.id}`
		    + ` AND action = 'connection_delete' AND outcome = 'success'`), '1');
		const again = await call(writer, 'DELETE', `/connections/${c.id}`);
		assert.equal(again.status, 404);
	});
});

describe('share, unshare, transfer', () => {
	test('share for use, change to manage, unshare; the page\'s refusals', async () => {
		const c = await create();
		const r = await call(writer, 'POST', `/connections/${c.id}/shares`, { team_id: +other.id, permission: 'use' });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.shares.map((s) => [s.team_id, s.permission]), [[+other.id, 'use']]);
		const m = await call(writer, 'POST', `/connections/${c.id}/shares`, { team_id: +other.id, permission: 'manage' });
		assert.deepEqual(m.json.shares.map((s) => [s.team_id, s.permission]), [[+other.id, 'manage']]);
		assert.equal(psqlValue(`SELECT count(*) FROM audit_log WHERE object_id = ${c.id}`
		    + ` AND action = 'connection_share'`), '2');
		const own = await call(writer, 'POST', `/connections/${c.id}/shares`, { team_id: +team.id, permission: 'use' });
		assert.equal(own.status, 422);
		const perm = await call(writer, 'POST', `/connections/${c.id}/shares`, { team_id: +other.id, permission: 'all' });
		assert.equal(perm.status, 422);
		assert.ok(perm.json.fields.permission);
		const member = await signedInUser({ teams: [{ name: team.name, role: 'member' }] });
		const mt = await call(token(member.email, 'connections:write'), 'POST', `/connections/${c.id}/shares`,
		    { team_id: +other.id, permission: 'use' });
		assert.equal(mt.status, 403);
		const outsider = await signedInUser({ teams: [{ name: third.name, role: 'viewer' }] });
		const ot = await call(token(outsider.email, 'connections:write'), 'POST', `/connections/${c.id}/shares`,
		    { team_id: +other.id, permission: 'use' });
		assert.equal(ot.status, 404);
		const u = await call(writer, 'DELETE', `/connections/${c.id}/shares/${+other.id}`);
		assert.equal(u.status, 204, u.text);
		assert.equal(psqlValue(`SELECT count(*) FROM connection_shares WHERE connection_id = ${c.id}`), '0');
		const u2 = await call(writer, 'DELETE', `/connections/${c.id}/shares/${+other.id}`);
		assert.equal(u2.status, 404);
	});

	test('transfer to a team the user manages; not to another (409)', async () => {
		const c = await create();
		const no = await call(writer, 'POST', `/connections/${c.id}/transfer`, { team_id: +other.id });
		assert.equal(no.status, 409, no.text);
		const r = await call(writer, 'POST', `/connections/${c.id}/transfer`, { team_id: +third.id });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.owner_team.id, +third.id);
		assert.equal(r.json.version, 2);
		assert.equal(psqlValue(`SELECT count(*) FROM audit_log WHERE object_id = ${c.id}`
		    + ` AND action = 'connection_transfer' AND outcome = 'success'`), '1');
	});
});

describe('secrets', () => {
	test('no secret in any answer, log or audit row', () => {
		const audit = psql(`SELECT row_to_json(a)::text FROM audit_log a WHERE a.id > ${auditFrom}`).map((x) => x[0]).join('\n');
		for (const s of [PASSWORD, PASSWORD2])
			assertAbsent(s, { answers: answers.join('\n'), logs: stackLogs(), audit });
	});
});
