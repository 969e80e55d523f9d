// Credentials for the automation engine (issue 14 §1):
// POST /api/v1/connections/{id}/credentials with scope connections:use
// hands a flow what it needs to call the system (here Basic, against a
// stand-in that accepts exactly that password), for a flow registered as
// using the connection, while its last test passes (or when the caller
// bypasses that); every ask, issued or denied, is a credential_uses row
// and an audit entry without any value; the answer is no-store; nothing
// of the password reaches the log or the audit trail. Refusals: no scope
// (403 insufficient_scope), a viewer (403), another team (404), a flow
// that does not use it (403), a failing connection (409), bad bodies (400).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { flowAdd, startBasicStandin } from '../lib/lifecycle/lc.mjs';
import { httpBasic, signedInUser } from '../lib/roles/world.mjs';
import {
	fcgiLogPath, makeTeam, psql, psqlValue, request, tetherctl, uniq,
} from '../lib/stack.mjs';
import { checkAnswer } from '../lib/openapi.mjs';

const PASSWORD = `pw-${uniq('cred')}`;
let standin;
let team;
let other;
let manager;
let conn;
let flow;
let engine;		// a member's token with connections:use

function token(email, scopes) {
	return tetherctl('token', 'add', email, uniq('tok'), ...(scopes ? ['--scopes', scopes] : [])).trim();
}

async function ask(t, id, body) {
	const r = await request(`/api/v1/connections/${id}/credentials`, { method: 'POST',
	    headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
	    body: JSON.stringify(body) });
	checkAnswer('POST', `/api/v1/connections/${id}/credentials`, r);	// as documented
	return { ...r, json: r.text !== '' ? JSON.parse(r.text) : undefined };
}

function uses(id) {
	return psql(`SELECT outcome, reason, COALESCE(flow_id::text, ''), token_id IS NOT NULL,`
	    + ` host(client_addr) FROM credential_uses WHERE connection_id = ${id} ORDER BY id`);
}

before(async () => {
	standin = await startBasicStandin({ user: 'svc', password: PASSWORD });
	team = makeTeam(uniq('cred-a'));
	other = makeTeam(uniq('cred-b'));
	manager = await signedInUser({ teams: [{ name: team.name, role: 'manager' }] });
	conn = await httpBasic(manager.jar, team, { url: standin.url, password: PASSWORD, user: 'svc' });
	assert.equal(psqlValue(`SELECT status FROM connections WHERE id = ${conn}`), 'ok');
	flow = flowAdd({ connections: [conn] });
	const member = await signedInUser({ teams: [{ name: team.name, role: 'member' }] });
	engine = token(member.email, 'connections:use');
});

after(async () => {
	await standin?.close();
});

describe('credentials for a flow', () => {
	test('Basic: the values and where they go, for the flow; recorded and audited without them', async () => {
		const before = uses(conn).length;
		const r = await ask(engine, conn, { flow_id: flow.id });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.headers.get('cache-control'), 'no-store');
		assert.deepEqual(r.json, { type: 'basic', base_url: standin.url, username: 'svc',
		    password: PASSWORD, connection_id: conn, flow_id: flow.id });
		// The values work: the stand-in accepts them.
		const auth = Buffer.from(`${r.json.username}:${r.json.password}`).toString('base64');
		const call = await fetch(`${r.json.base_url}/health`, { headers: { authorization: `Basic ${auth}` } });
		assert.equal(call.status, 200);
		const rows = uses(conn);
		assert.equal(rows.length, before + 1);
		assert.deepEqual(rows.at(-1), ['issued', '', String(flow.id), 't', '127.0.0.1']);
		const audit = psql(`SELECT outcome, details::text FROM audit_log WHERE object_type = 'connection'`
		    + ` AND object_id = ${conn} AND action = 'credential_read' ORDER BY id DESC LIMIT 1`)[0];
		assert.equal(audit[0], 'success');
		assert.match(audit[1], new RegExp(`"flow_id": ${flow.id}`));
		const all = psql(`SELECT row_to_json(a)::text FROM audit_log a`).map((x) => x[0]).join('\n');
		assert.ok(!all.includes(PASSWORD), 'no password in the audit log');
		assert.ok(!fs.readFileSync(fcgiLogPath(), 'utf8').includes(PASSWORD), 'nor in the log');
	});

	test('a token without connections:use: 403 insufficient_scope, nothing recorded', async () => {
		const u = await signedInUser({ teams: [{ name: team.name, role: 'manager' }] });
		const before = uses(conn).length;
		const r = await ask(token(u.email), conn, { flow_id: flow.id });
		assert.equal(r.status, 403);
		assert.equal(r.json.error, 'insufficient_scope');
		assert.match(r.headers.get('www-authenticate'), /scope="connections:use"/);
		assert.ok(!r.text.includes(PASSWORD));
		assert.equal(uses(conn).length, before);
	});

	test('a viewer\'s token is refused (403); another team\'s is not told it exists (404)', async () => {
		const viewer = await signedInUser({ teams: [{ name: team.name, role: 'viewer' }] });
		const v = await ask(token(viewer.email, 'connections:use'), conn, { flow_id: flow.id });
		assert.equal(v.status, 403);
		assert.equal(v.json.error, 'forbidden');
		assert.deepEqual(uses(conn).at(-1).slice(0, 2), ['denied', 'role']);
		const outsider = await signedInUser({ teams: [{ name: other.name, role: 'manager' }] });
		const o = await ask(token(outsider.email, 'connections:use'), conn, { flow_id: flow.id });
		assert.equal(o.status, 404);
		assert.ok(!v.text.includes(PASSWORD) && !o.text.includes(PASSWORD));
	});

	test('a flow that does not use the connection is refused and audited as denied', async () => {
		const stranger = flowAdd({ connections: [] });
		const r = await ask(engine, conn, { flow_id: stranger.id });
		assert.equal(r.status, 403);
		assert.equal(r.json.error, 'flow_not_using');
		assert.equal(r.json.field, 'flow_id');
		assert.deepEqual(uses(conn).at(-1).slice(0, 3), ['denied', 'flow', String(stranger.id)]);
		const audit = psqlValue(`SELECT outcome FROM audit_log WHERE object_id = ${conn}`
		    + ` AND action = 'credential_read' ORDER BY id DESC LIMIT 1`);
		assert.equal(audit, 'denied');
		const none = await ask(engine, conn, { flow_id: 999999999 });
		assert.equal(none.status, 403, 'a flow that does not exist is no different');
	});

	test('a failing connection is refused (409) unless the caller bypasses the check', async () => {
		standin.creds.password = 'changed-at-the-provider';
		const t = await request(`/api/v1/connections/${conn}/test`, { method: 'POST',
		    headers: { authorization: `Bearer ${token(manager.email)}`, 'content-type': 'application/json' },
		    body: '{}' });
		assert.equal(t.status, 200);
		assert.equal(psqlValue(`SELECT status FROM connections WHERE id = ${conn}`), 'failing');
		const r = await ask(engine, conn, { flow_id: flow.id });
		assert.equal(r.status, 409);
		assert.equal(r.json.error, 'not_ready');
		assert.match(r.json.message, /Failing.*bypass_status/);
		assert.deepEqual(uses(conn).at(-1).slice(0, 2), ['denied', 'status']);
		const b = await ask(engine, conn, { flow_id: flow.id, bypass_status: true });
		assert.equal(b.status, 200);
		assert.equal(b.json.password, PASSWORD);
		const audit = psqlValue(`SELECT details::text FROM audit_log WHERE object_id = ${conn}`
		    + ` AND action = 'credential_read' ORDER BY id DESC LIMIT 1`);
		assert.match(audit, /"bypass": true/);
		standin.creds.password = PASSWORD;
	});

	test('bad bodies are 400 and name the field; a shared connection takes no user', async () => {
		for (const [body, field] of [[{}, 'flow_id'], [{ flow_id: 'x' }, 'flow_id'],
		    [{ flow_id: 0 }, 'flow_id'], [{ flow_id: flow.id, extra: 1 }, 'extra'],
		    [{ flow_id: flow.id, bypass_status: 'yes' }, 'bypass_status']]) {
			const r = await ask(engine, conn, body);
			assert.equal(r.status, 400, JSON.stringify(body));
			assert.equal(r.json.field, field);
		}
		const u = await ask(engine, conn, { flow_id: flow.id, user_id: 1 });
		assert.equal(u.status, 422);
		assert.equal(u.json.field, 'user_id');
	});
});
