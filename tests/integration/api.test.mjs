// The JSON API (docs/ARCHITECTURE.md; the contract is HACKING.md):
// bearer-token auth, connections list and details (secrets by name only),
// visibility as on the pages, the flows registry (create, read, replace,
// delete, audited), bad input (unknown keys, content type, size, JSON),
// methods and paths, and the delete protection of a connection that a
// flow uses, from the database to the web page and back.
//
// Connections are seeded with psql as tether_owner into teams of this run;
// tokens are made with `tetherctl token add`.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertApiError, assertSecurityHeaders } from '../lib/checks.mjs';
import { FcgiClient, waitForSocket } from '../lib/fcgi.mjs';
import { seed } from '../lib/list.mjs';
import { checkAnswer } from '../lib/openapi.mjs';
import { flowConns, flowFields, flowRow, flowsNamed } from '../lib/rows.mjs';
import {
	admin, env, fcgiLogPath, get, makeUser, pageText, post, psql, psqlValue, request,
	sessionCsrf, signIn, sqlString, startProcess, tetherctl, uniq,
} from '../lib/stack.mjs';

const P = uniq('API');
const SECRET = `s3cr3t-${randomBytes(8).toString('hex')}`;

let s;			// seeded teams and connections
let adminUser;		// { email, token }
let member;		// member of team a
let other;		// member of team b
let viewer;		// viewer of team a
let manager;		// manager of team a (may delete its connections on the web)

// ---------------------------------------------------------------- helpers

/** A token for a user, made with tetherctl; only the token is on stdout. */
function makeToken(email, name = 'tests', ...extra) {
	const token = tetherctl('token', 'add', email, name, ...extra).trim();
	assert.match(token, /^[A-Za-z0-9_-]{43}$/, 'tetherctl token add prints the token alone');
	return token;
}

/**
 * One API request. body: an object or array (sent as JSON), a string or a
 * Buffer (sent as is). Resolves to request()'s answer plus json (parsed
 * when the answer is JSON).
 */
async function api(method, path, token, body, headers = {}, opts = {}) {
	const h = { ...headers };
	if (token !== undefined && token !== null)
		h.authorization = `Bearer ${token}`;
	let b = body;
	if (b !== undefined && typeof b !== 'string' && !Buffer.isBuffer(b))
		b = JSON.stringify(b);
	if (b !== undefined && h['content-type'] === undefined)
		h['content-type'] = 'application/json';
	const r = await request(path, { method, body: b, headers: h });
	let json;
	if (/^application\/json; charset=utf-8$/i.test(r.headers.get('content-type') ?? '') &&
	    r.text !== '')
		json = JSON.parse(r.text);
	// Every answer as static/openapi.json says (malformed requests aside).
	if (!opts.raw)
		checkAnswer(method, path, r);
	return { ...r, json };
}

function flowBody(extra = {}) {
	return {
		name: uniq(`${P}-flow`),
		version: 1,
		status: 'active',
		owner: 'Ops team',
		description: 'Syncs invoices',
		progress_status: 'Running',
		connections: [],
		...extra,
	};
}

function audit(id) {
	return psql(`SELECT action, outcome, COALESCE(actor_user_id::text, ''), actor_label,
	    COALESCE(request_id, ''), COALESCE(client_addr, ''), details::text
	    FROM audit_log WHERE object_type = 'flow' AND object_id = ${Number(id)} ORDER BY id`)
	    .map(([action, outcome, actor, label, rid, addr, details]) =>
		({ action, outcome, actor, label, rid, addr, details: JSON.parse(details) }));
}

const cid = (key) => Number(s.connections[key].id);
const sorted = (xs) => [...xs].map(Number).sort((a, b) => a - b);

before(() => {
	s = seed(P, {
		teams: ['a', 'b'],
		connections: [
			{ key: 'a1', team: 'a', name: 'A One', connector: 'http', protocol: 'api_key',
			    status: 'ok', testedAgo: '1 hour', result: 'ok' },
			{ key: 'a2', team: 'a', name: 'A Two', connector: 'jira', protocol: 'cloud' },
			{ key: 'a3', team: 'a', name: 'A Three (delete me)' },
			{ key: 'b1', team: 'b', name: 'B One' },
			{ key: 'shared', team: 'b', name: 'B Shared' },
		],
		shares: [{ connection: 'shared', team: 'a', permission: 'use' }],
	});
	// Settings and one sealed-looking secret, put there as the owner would.
	psql(`UPDATE connections SET settings = '{"url": "https://api.example.com", "n": 3}',
	        description = 'First connection'
	    WHERE id = ${cid('a1')};
	    INSERT INTO connection_secrets (connection_id, field, key_version, nonce, ciphertext)
	    VALUES (${cid('a1')}, 'api_key', (SELECT max(version) FROM vault_keys),
	        decode('${randomBytes(24).toString('hex')}', 'hex'),
	        convert_to(${sqlString(SECRET)}, 'UTF8'));`);
	const a = admin();
	adminUser = { email: a.email, token: makeToken(a.email, 'admin') };
	member = makeUser({ teams: [`${P}-a`] });
	member.token = makeToken(member.email);
	other = makeUser({ teams: [`${P}-b`] });
	other.token = makeToken(other.email);
	viewer = makeUser({ teams: [{ name: `${P}-a`, role: 'viewer' }] });
	viewer.token = makeToken(viewer.email);
	manager = makeUser({ teams: [{ name: `${P}-a`, role: 'manager' }] });
	manager.token = makeToken(manager.email);
});

// ------------------------------------------------------------------- auth

describe('authentication', () => {
	test('no token is 401 with WWW-Authenticate: Bearer', async () => {
		for (const path of ['/api/v1/connections', '/api/v1/flows', '/api/v1/flows/1',
		    '/api/v1/connections/1/test']) {
			const r = await api('GET', path);
			assertApiError(r, 401, 'unauthorized', `GET ${path} without a token`);
			assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer\b/, path);
		}
		const r = await api('POST', '/api/v1/flows', undefined, flowBody());
		assertApiError(r, 401, 'unauthorized', 'POST without a token');
	});

	test('a wrong, malformed or other-scheme token is 401', async () => {
		const wrong = randomBytes(32).toString('base64url');
		for (const h of [`Bearer ${wrong}`, 'Bearer ', 'Bearer abc', `Bearer ${member.token}x`,
		    `Basic ${Buffer.from('a:b').toString('base64')}`, member.token]) {
			const r = await api('GET', '/api/v1/connections', undefined, undefined,
			    { authorization: h });
			assertApiError(r, 401, 'unauthorized', `Authorization: ${h.slice(0, 20)}…`);
			assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer\b/);
		}
		// The scheme is case-insensitive (RFC 7235).
		const r = await api('GET', '/api/v1/connections', undefined, undefined,
		    { authorization: `bearer ${member.token}` });
		assert.equal(r.status, 200);
	});

	test('a session cookie does not authenticate the API', async () => {
		const { jar } = await signIn(member.email, member.password);
		const r = await request('/api/v1/connections', {
			headers: { cookie: jar.header() },
		});
		assert.equal(r.status, 401);
	});

	test('a revoked token is 401; the token is looked up by hash and touched', async () => {
		const token = makeToken(member.email, 'to revoke');
		const id = psqlValue(`SELECT id FROM api_tokens WHERE token_hash =
		    sha256(convert_to(${sqlString(token)}, 'UTF8'))`);
		assert.ok(id, 'the stored hash is sha256 of the token');
		assert.equal(psqlValue(`SELECT last_used_at IS NULL FROM api_tokens WHERE id = ${id}`), 't');
		assert.equal((await api('GET', '/api/v1/connections', token)).status, 200);
		assert.equal(psqlValue(`SELECT last_used_at IS NOT NULL FROM api_tokens WHERE id = ${id}`),
		    't', 'last_used_at is set on use');
		const out = tetherctl('token', 'revoke', id);
		assert.match(out, new RegExp(`revoked token ${id}`));
		const r = await api('GET', '/api/v1/connections', token);
		assertApiError(r, 401, 'unauthorized', 'revoked token');
		assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer\b.*invalid_token/);
	});

	test('an expired token and a disabled user are 401', async () => {
		const expiring = makeToken(member.email, 'expiring', '--expires-days', '1');
		assert.equal((await api('GET', '/api/v1/flows', expiring)).status, 200);
		psql(`UPDATE api_tokens SET expires_at = now() - interval '1 second'
		    WHERE token_hash = sha256(convert_to(${sqlString(expiring)}, 'UTF8'))`);
		assertApiError(await api('GET', '/api/v1/flows', expiring), 401, 'unauthorized',
		    'expired token');

		const u = makeUser({ teams: [`${P}-a`] });
		const token = makeToken(u.email);
		assert.equal((await api('GET', '/api/v1/flows', token)).status, 200);
		tetherctl('user', 'disable', u.email);
		assertApiError(await api('GET', '/api/v1/flows', token), 401, 'unauthorized',
		    'disabled user');
	});
});

// ------------------------------------------------------------ connections

describe('connections', () => {
	test('the list shows what the Integrations tab shows, paginated', async () => {
		const r = await api('GET', '/api/v1/connections', member.token);
		assert.equal(r.status, 200);
		assertSecurityHeaders(r.headers, 'list');
		assert.match(r.headers.get('content-type'), /^application\/json; charset=utf-8$/i);
		assert.deepEqual(r.json.connections.map((c) => c.name),
		    ['A One', 'A Three (delete me)', 'A Two', 'B Shared'],
		    "the member's team's and the one shared with it, by name");
		assert.equal(r.json.total, 4);
		assert.equal(r.json.page, 1);
		const a1 = r.json.connections[0];
		assert.equal(a1.id, cid('a1'));
		assert.equal(a1.connector, 'http');
		assert.equal(a1.auth_protocol, 'api_key');
		assert.equal(a1.status, 'ok');
		assert.match(a1.last_tested_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		assert.deepEqual(a1.owner_team, { id: Number(s.teams.a.id), name: `${P}-a` });
		assert.equal(r.json.connections[1].last_tested_at, null);

		const o = await api('GET', '/api/v1/connections', other.token);
		assert.deepEqual(o.json.connections.map((c) => c.name), ['B One', 'B Shared']);

		const p1 = await api('GET', '/api/v1/connections?per_page=3', member.token);
		assert.deepEqual(p1.json.connections.map((c) => c.name),
		    ['A One', 'A Three (delete me)', 'A Two']);
		assert.equal(p1.json.per_page, 3);
		assert.equal(p1.json.total, 4);
		const p2 = await api('GET', '/api/v1/connections?per_page=3&page=2', member.token);
		assert.deepEqual(p2.json.connections.map((c) => c.name), ['B Shared']);
		const p9 = await api('GET', '/api/v1/connections?page=9', member.token);
		assert.deepEqual(p9.json.connections, []);

		const all = await api('GET', '/api/v1/connections?per_page=200', adminUser.token);
		assert.equal(all.status, 200);
		assert.ok(all.json.total >= 5, 'an admin sees every connection');
	});

	test('bad paging and unknown query parameters are 400', async () => {
		for (const q of ['per_page=201', 'per_page=0', 'page=0', 'page=abc', 'page=-1',
		    'per_page=1.5', 'page=1&page=2', 'sort=nope', 'status=x', 'limit=1&page=1']) {
			const r = await api('GET', `/api/v1/connections?${q}`, member.token);
			assertApiError(r, 400, undefined, `?${q}`);
		}
		const r = await api('GET', '/api/v1/flows/1?x=1', member.token);
		assertApiError(r, 400, undefined, 'a query parameter on /flows/{id}');
		assert.match(r.json.message, /"x"/);
	});

	test('one connection: details, secrets by name only, flows, version', async () => {
		const r = await api('GET', `/api/v1/connections/${cid('a1')}`, member.token);
		assert.equal(r.status, 200);
		const c = r.json;
		assert.equal(c.id, cid('a1'));
		assert.equal(c.name, 'A One');
		assert.equal(c.description, 'First connection');
		assert.equal(c.connector, 'http');
		assert.equal(c.auth_protocol, 'api_key');
		assert.equal(c.execution_context, 'system');
		assert.equal(c.status, 'ok');
		assert.equal(c.last_test_result, 'ok');
		assert.match(c.last_tested_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		assert.deepEqual(c.owner_team, { id: Number(s.teams.a.id), name: `${P}-a` });
		assert.deepEqual(c.settings, { url: 'https://api.example.com', n: 3 });
		assert.equal(c.version, 1);
		assert.deepEqual(c.flows, []);
		assert.equal(c.secrets.length, 1);
		assert.deepEqual(Object.keys(c.secrets[0]).sort(), ['field', 'updated_at']);
		assert.equal(c.secrets[0].field, 'api_key');
		assert.match(c.secrets[0].updated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		// Not the value, in any encoding.
		for (const form of [SECRET, Buffer.from(SECRET).toString('hex'),
		    Buffer.from(SECRET).toString('base64')]) {
			assert.ok(!r.text.includes(form), 'the secret value is never in a response');
		}
		assert.doesNotMatch(r.text, /ciphertext|nonce|key_version/);
		const list = await api('GET', '/api/v1/connections', member.token);
		assert.ok(!list.text.includes(SECRET));
		// And never in the log either.
		assert.ok(!fs.readFileSync(fcgiLogPath(), 'utf8').includes(SECRET));
	});

	test('invisible and missing connections are the same 404', async () => {
		const hidden = await api('GET', `/api/v1/connections/${cid('a1')}`, other.token);
		const missing = await api('GET', '/api/v1/connections/999999999', other.token);
		assertApiError(hidden, 404, 'not_found', 'invisible');
		assertApiError(missing, 404, 'not_found', 'missing');
		assert.equal(hidden.json.message.replace(/\d+/g, 'N'),
		    missing.json.message.replace(/\d+/g, 'N'));
		assert.deepEqual(Object.keys(hidden.json).sort(), Object.keys(missing.json).sort());
		// The shared one is visible to the team it is shared with.
		assert.equal((await api('GET', `/api/v1/connections/${cid('shared')}`, member.token))
		    .status, 200);
		// A viewer sees their team's connections.
		assert.equal((await api('GET', `/api/v1/connections/${cid('a1')}`, viewer.token))
		    .status, 200);
	});

	test('test: runs after the visibility and permission checks, with its trigger', async () => {
		const r = await api('POST', `/api/v1/connections/${cid('a1')}/test`, member.token,
		    { trigger: 'flow_open' });
		assert.equal(r.status, 200);
		assertSecurityHeaders(r.headers, '200');
		assert.deepEqual(Object.keys(r.json).sort(),
		    ['http_status', 'latency_ms', 'message', 'result', 'status']);
		assert.ok(['ok', 'bad_credentials', 'not_found', 'unexpected_status', 'timeout',
		    'dns', 'tls', 'policy', 'redirect', 'rate_limited', 'unreachable', 'protocol',
		    'no_tls', 'credentials_missing', 'needs_reconnect', 'unsupported']
		    .includes(r.json.result), r.json.result);
		assert.ok(['ok', 'failing', 'needs_reconnect'].includes(r.json.status));
		assert.ok(r.json.message.length > 0);
		const withBody = await api('POST', `/api/v1/connections/${cid('a1')}/test`,
		    member.token, {});
		assert.equal(withBody.status, 200);
		assertApiError(await api('POST', `/api/v1/connections/${cid('a1')}/test`,
		    member.token, { trigger: 'whenever' }), 400, 'invalid', 'a bad trigger');
		assertApiError(await api('POST', `/api/v1/connections/${cid('a1')}/test`,
		    other.token), 404, 'not_found', 'test of an invisible connection');
		assertApiError(await api('POST', '/api/v1/connections/999999999/test',
		    member.token), 404, 'not_found', 'test of a missing connection');
		assertApiError(await api('POST', `/api/v1/connections/${cid('a1')}/test`,
		    viewer.token), 403, 'forbidden', 'a viewer may not test');
		assertApiError(await api('POST', `/api/v1/connections/${cid('a1')}/test`,
		    member.token, { force: true }), 400, 'unknown_key', 'unknown key');
	});
});

// ------------------------------------------------------------------ flows

describe('flows', () => {
	test('create, read, list, replace and delete, each audited', async () => {
		const body = flowBody({ connections: [cid('a1'), cid('shared')] });
		const c = await api('POST', '/api/v1/flows', member.token, body);
		assert.equal(c.status, 201, c.text);
		assertSecurityHeaders(c.headers, 'create');
		const id = c.json.id;
		assert.ok(Number.isInteger(id) && id > 0);
		assert.equal(c.headers.get('location'), `/api/v1/flows/${id}`);
		for (const k of ['name', 'version', 'status', 'owner', 'description',
		    'progress_status'])
			assert.equal(c.json[k], body[k], k);
		assert.deepEqual(sorted(c.json.connections), sorted(body.connections));
		assert.match(c.json.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		assert.deepEqual(flowFields(id), [body.name, '1', 'active', 'Ops team', 'Syncs invoices',
		    'Running']);
		assert.deepEqual(flowConns(id), sorted(body.connections).map(String));

		const g = await api('GET', `/api/v1/flows/${id}`, member.token);
		assert.equal(g.status, 200);
		assert.deepEqual(g.json, c.json);

		const l = await api('GET', '/api/v1/flows?per_page=200', member.token);
		assert.ok(l.json.flows.some((f) => f.id === id && f.name === body.name));

		// The connection shows the flow that uses it.
		const conn = await api('GET', `/api/v1/connections/${cid('a1')}`, member.token);
		assert.deepEqual(conn.json.flows, [{ id, name: body.name, version: 1,
		    status: 'active' }]);

		let log = audit(id);
		assert.equal(log.length, 1);
		assert.equal(log[0].action, 'flow_create');
		assert.equal(log[0].outcome, 'success');
		assert.equal(log[0].actor, member.id);
		assert.equal(log[0].label, member.email);
		assert.equal(log[0].rid, c.headers.get('x-request-id'));
		assert.notEqual(log[0].addr, '', 'the client address is recorded');

		// PUT replaces everything, the set of connections included.
		const next = { name: `${body.name} v2`, version: 2, status: 'inactive',
		    connections: [cid('a2')] };
		const u = await api('PUT', `/api/v1/flows/${id}`, member.token, next);
		assert.equal(u.status, 200, u.text);
		assert.equal(u.json.name, next.name);
		assert.equal(u.json.version, 2);
		assert.equal(u.json.status, 'inactive');
		assert.equal(u.json.owner, '', 'PUT replaces: an absent owner is empty');
		assert.equal(u.json.description, '');
		assert.deepEqual(u.json.connections, [cid('a2')]);
		assert.deepEqual(flowConns(id), [String(cid('a2'))]);
		const gone = await api('GET', `/api/v1/connections/${cid('a1')}`, member.token);
		assert.deepEqual(gone.json.flows, []);
		log = audit(id);
		assert.equal(log.length, 2);
		assert.equal(log[1].action, 'flow_update');
		assert.equal(log[1].outcome, 'success');
		assert.equal(log[1].rid, u.headers.get('x-request-id'));
		assert.deepEqual(log[1].details.fields.sort(), ['connections', 'description', 'name',
		    'owner', 'progress_status', 'status', 'version']);

		const d = await api('DELETE', `/api/v1/flows/${id}`, member.token);
		assert.equal(d.status, 204);
		assert.equal(d.text, '');
		assertSecurityHeaders(d.headers, 'delete');
		assert.equal(flowRow(id), undefined);
		assert.deepEqual(flowConns(id), [], 'its flow_connections are gone');
		assertApiError(await api('GET', `/api/v1/flows/${id}`, member.token), 404,
		    'not_found', 'a deleted flow');
		assertApiError(await api('DELETE', `/api/v1/flows/${id}`, member.token), 404,
		    'not_found', 'deleting twice');
		log = audit(id);
		assert.equal(log.length, 3);
		assert.equal(log[2].action, 'flow_delete');
		assert.equal(log[2].outcome, 'success');
		assert.deepEqual(log[2].details.connections, [cid('a2')]);
	});

	test('a flow without connections, and PUT to a missing flow', async () => {
		const body = flowBody({ status: 'draft', connections: undefined });
		delete body.connections;
		const c = await api('POST', '/api/v1/flows', member.token, body);
		assert.equal(c.status, 201, c.text);
		assert.deepEqual(c.json.connections, []);
		assert.equal((await api('GET', `/api/v1/flows/${c.json.id}`, member.token)).status,
		    200, 'the engine can read back a bare draft');
		assertApiError(await api('PUT', '/api/v1/flows/999999999', member.token, flowBody()),
		    404, 'not_found', 'PUT to a missing flow');
		assert.equal((await api('DELETE', `/api/v1/flows/${c.json.id}`, member.token)).status,
		    204);
	});

	test("a connection of another team cannot be attached, nor is it revealed", async () => {
		for (const [conn, what] of [[cid('a1'), 'invisible'], [999999999, 'missing']]) {
			const body = flowBody({ connections: [cid('b1'), conn] });
			const r = await api('POST', '/api/v1/flows', other.token, body);
			const e = assertApiError(r, 404, 'connection_not_found', `attach ${what}`);
			assert.equal(e.message, `Connection ${conn} not found.`);
			assert.equal(flowsNamed(body.name), 0, 'nothing saved');
		}
		// A viewer sees it but may not use it.
		const body = flowBody({ connections: [cid('a1')] });
		assertApiError(await api('POST', '/api/v1/flows', viewer.token, body), 403,
		    'forbidden', 'a viewer attaching');
		assert.equal(flowsNamed(body.name), 0);
		// The refusals are audited as denied.
		assert.equal(psqlValue(`SELECT count(*) FROM audit_log WHERE action = 'flow_create'
		    AND outcome = 'denied' AND object_label = ${sqlString(body.name)}`), '1');
	});

	test("another team's flow: hidden, or visible but not changeable", async () => {
		const own = await api('POST', '/api/v1/flows', member.token,
		    flowBody({ connections: [cid('a1')] }));
		assert.equal(own.status, 201);
		const id = own.json.id;
		for (const [m, b] of [['GET'], ['PUT', flowBody()], ['DELETE']]) {
			assertApiError(await api(m, `/api/v1/flows/${id}`, other.token, b), 404,
			    'not_found', `${m} of a flow using only invisible connections`);
		}
		const l = await api('GET', '/api/v1/flows?per_page=200', other.token);
		assert.ok(!l.json.flows.some((f) => f.id === id));

		// Uses a1 (team a) and the shared one (team b): team b sees it and
		// the connection it may see, but may not change it.
		const both = await api('PUT', `/api/v1/flows/${id}`, member.token,
		    flowBody({ connections: [cid('a1'), cid('shared')] }));
		assert.equal(both.status, 200);
		const seen = await api('GET', `/api/v1/flows/${id}`, other.token);
		assert.equal(seen.status, 200);
		assert.deepEqual(seen.json.connections, [cid('shared')]);
		assertApiError(await api('PUT', `/api/v1/flows/${id}`, other.token,
		    flowBody({ connections: [cid('shared')] })), 403, 'forbidden', 'PUT');
		assertApiError(await api('DELETE', `/api/v1/flows/${id}`, other.token), 403,
		    'forbidden', 'DELETE');
		assert.deepEqual(flowConns(id), sorted([cid('a1'), cid('shared')]).map(String));
		assert.equal((await api('DELETE', `/api/v1/flows/${id}`, adminUser.token)).status, 204,
		    'an admin may');
	});

	test('unknown keys and bad values are 400, naming the key; nothing saved', async () => {
		const cases = [
			[{ colour: 'red' }, 'colour', 'unknown_key'],
			[{ id: 5 }, 'id', 'unknown_key'],
			[{ name: undefined }, 'name', 'missing_key'],
			[{ version: undefined }, 'version', 'missing_key'],
			[{ status: undefined }, 'status', 'missing_key'],
			[{ name: '' }, 'name'],
			[{ name: '   ' }, 'name'],
			[{ name: 'x'.repeat(201) }, 'name'],
			[{ name: 'tab\there' }, 'name'],
			[{ name: 5 }, 'name'],
			[{ version: 0 }, 'version'],
			[{ version: 1000001 }, 'version'],
			[{ version: '1' }, 'version'],
			[{ version: 1.5 }, 'version'],
			[{ status: 'paused' }, 'status'],
			[{ status: null }, 'status'],
			[{ owner: 'o'.repeat(201) }, 'owner'],
			[{ description: 'd'.repeat(2001) }, 'description'],
			[{ progress_status: 'p'.repeat(101) }, 'progress_status'],
			[{ connections: 'a' }, 'connections'],
			[{ connections: ['1'] }, 'connections'],
			[{ connections: [0] }, 'connections'],
			[{ connections: [cid('a1'), cid('a1')] }, 'connections'],
			[{ connections: Array.from({ length: 101 }, (_, i) => i + 1) }, 'connections'],
		];
		for (const [change, key, code = 'invalid_field'] of cases) {
			const body = { ...flowBody(), ...change };
			const r = await api('POST', '/api/v1/flows', member.token, body);
			const e = assertApiError(r, 400, code, JSON.stringify(change).slice(0, 60));
			assert.equal(e.field, key, `${key}: the error names the key`);
			if (typeof body.name === 'string')
				assert.equal(flowsNamed(body.name), 0, `${key}: nothing saved`);
			assert.ok(e.message.includes(key), `${key}: the message names it: ${e.message}`);
		}
		// Lengths count characters, not bytes.
		const wide = flowBody({ name: 'é'.repeat(200), owner: '🙂'.repeat(200) });
		const ok = await api('POST', '/api/v1/flows', member.token, wide);
		assert.equal(ok.status, 201, ok.text);
		assert.equal(ok.json.name, wide.name);
		assert.equal((await api('DELETE', `/api/v1/flows/${ok.json.id}`, member.token)).status,
		    204);
		// PUT checks the same way.
		const c = await api('POST', '/api/v1/flows', member.token, flowBody());
		const r = await api('PUT', `/api/v1/flows/${c.json.id}`, member.token,
		    { ...flowBody(), extra: 1 });
		assertApiError(r, 400, 'unknown_key', 'PUT with an unknown key');
		assert.equal(flowRow(c.json.id).name, c.json.name, 'unchanged');
	});

	test('content type, size, encoding and JSON syntax', async () => {
		const body = JSON.stringify(flowBody());
		for (const ct of ['text/plain', 'application/x-www-form-urlencoded',
		    'application/json; charset=iso-8859-1', 'application/jsonx', 'text/json']) {
			const r = await api('POST', '/api/v1/flows', member.token, body,
			    { 'content-type': ct });
			assertApiError(r, 415, 'unsupported_media_type', ct);
		}
		const okCt = await api('POST', '/api/v1/flows', member.token, flowBody(),
		    { 'content-type': 'application/json; charset=UTF-8' });
		assert.equal(okCt.status, 201, 'application/json; charset=UTF-8 is fine');

		const big = JSON.stringify(flowBody({ description: 'x'.repeat(70000) }));
		assertApiError(await api('POST', '/api/v1/flows', member.token, big), 413,
		    'payload_too_large', 'a 70 KB body');

		// Answered early, the body is still read: never a 502 from nginx
		// ("broken pipe while sending request to upstream").
		const huge = 'x'.repeat(300 * 1024);
		const counts = {};
		for (let i = 0; i < 30; i++) {
			const [token, ct] = [[member.token, 'text/plain'],
			    [member.token, 'application/json'], [undefined, 'application/json']][i % 3];
			const r = await api('POST', '/api/v1/flows', token, huge, { 'content-type': ct });
			counts[r.status] = (counts[r.status] ?? 0) + 1;
		}
		assert.deepEqual(counts, { 401: 10, 413: 10, 415: 10 }, '30 oversized POSTs');

		const bad = [
			['{"name": "x",', 'truncated'],
			['{"name": "a", "name": "b", "version": 1, "status": "draft"}', 'duplicate key'],
			['[1, 2]', 'an array'],
			['"flow"', 'a string'],
			['{} {}', 'two values'],
			[Buffer.concat([Buffer.from('{"name": "'), Buffer.from([0xff, 0xfe]),
			    Buffer.from('", "version": 1, "status": "draft"}')]), 'not UTF-8'],
			['{"name": "a\\u0000b", "version": 1, "status": "draft"}', 'a NUL'],
			['', 'empty'],
		];
		for (const [b, what] of bad) {
			const r = await api('POST', '/api/v1/flows', member.token, b);
			assertApiError(r, 400, undefined, what);
		}
	});

	test('methods and paths', async () => {
		const cases = [
			['DELETE', '/api/v1/connections', 'GET, HEAD, POST'],
			['POST', `/api/v1/connections/${cid('a1')}`, 'GET, HEAD, PUT, DELETE, PATCH'],
			['GET', `/api/v1/connections/${cid('a1')}/shares`, 'POST'],
			['GET', `/api/v1/connections/${cid('a1')}/test`, 'POST'],
			['PUT', '/api/v1/flows', 'GET, HEAD, POST'],
			['POST', '/api/v1/flows/1', 'GET, HEAD, PUT, DELETE'],
			['PATCH', '/api/v1/flows/1', 'GET, HEAD, PUT, DELETE'],
		];
		for (const [m, path, allow] of cases) {
			const r = await api(m, path, member.token);
			assertApiError(r, 405, 'method_not_allowed', `${m} ${path}`);
			assert.equal(r.headers.get('allow'), allow, `${m} ${path}: Allow`);
		}
		for (const path of ['/api/v1', '/api/v1/nothing', '/api/v2/connections',
		    '/api/v1/connections/abc', '/api/v1/connections/0', '/api/v1/connections/01',
		    '/api/v1/flows/1/connections', '/api/v1/']) {
			assertApiError(await api('GET', path, member.token), 404, 'not_found', path);
		}
		const h = await api('HEAD', '/api/v1/connections', member.token);
		assert.equal(h.status, 200);
		assert.equal(h.text, '');
		// A trailing slash is the same path.
		assert.equal((await api('GET', '/api/v1/flows/', member.token)).status, 200);
	});

	test('the access log names the route pattern, never the token', async () => {
		const r = await api('GET', `/api/v1/connections/${cid('a1')}`, member.token);
		const rid = r.headers.get('x-request-id');
		let line;
		for (let i = 0; i < 50 && line === undefined; i++) {
			line = fs.readFileSync(fcgiLogPath(), 'utf8').split('\n')
			    .find((l) => l.includes(`rid=${rid}`));
			if (line === undefined)
				await new Promise((res) => setTimeout(res, 100));
		}
		assert.ok(line, 'an access-log line for the request');
		assert.match(line, /route=\/api\/v1\/connections\/\{id\} status=200/);
		assert.match(line, new RegExp(`user=${member.id}\\b`));
		assert.ok(!fs.readFileSync(fcgiLogPath(), 'utf8').includes(member.token));
	});
});

// ------------------------------------------------------- delete protection

test('a connection used by a flow cannot be deleted, until the flow is removed', async () => {
	const id = cid('a3');
	const f = await api('POST', '/api/v1/flows', member.token,
	    flowBody({ name: `${P} delete-guard flow`, connections: [id] }));
	assert.equal(f.status, 201, f.text);

	// The database itself refuses, to the application's role too.
	assert.throws(() => psql(`DELETE FROM connections WHERE id = ${id}`,
	    { conninfo: env('TETHER_PG_APP') }), /foreign key/);
	assert.equal(psqlValue(`SELECT count(*) FROM connections WHERE id = ${id}`), '1');

	// The web page refuses too, and lists the flow.
	const { jar } = await signIn(manager.email, manager.password);
	const csrf = await sessionCsrf(jar);
	const confirm = await get(`/connections/${id}/delete`, jar);
	assert.equal(confirm.status, 200, 'the delete page opens');
	assert.ok(pageText(confirm.text).includes(`${P} delete-guard flow`),
	    'the delete page lists the flow that uses the connection');
	const refused = await post(`/connections/${id}/delete`, { csrf, confirm: 'yes' }, jar);
	assert.equal(refused.status, 409, 'the delete page refuses while a flow uses it');
	assert.ok(pageText(refused.text).includes(`${P} delete-guard flow`),
	    'the refusal lists the flow');
	assert.equal(psqlValue(`SELECT count(*) FROM connections WHERE id = ${id}`), '1');

	// Removed through the API, the flow no longer holds it.
	assert.equal((await api('DELETE', `/api/v1/flows/${f.json.id}`, member.token)).status, 204);
	const csrf2 = await sessionCsrf(jar);
	const done = await post(`/connections/${id}/delete`, { csrf: csrf2, confirm: 'yes' }, jar);
	assert.equal(done.status, 303);
	assert.equal(done.headers.get('location'), '/');
	assert.equal(psqlValue(`SELECT count(*) FROM connections WHERE id = ${id}`), '0');
	assertApiError(await api('GET', `/api/v1/connections/${id}`, member.token), 404,
	    'not_found', 'the deleted connection');
});

// ------------------------------------------------------------------ leaks

let leakProc = null;
let leakDir = null;
after(async () => {
	if (leakProc !== null)
		await leakProc.stop('SIGKILL', 5000);
	if (leakDir !== null)
		fs.rmSync(leakDir, { recursive: true, force: true });
});

test('every API answer, through one worker under valgrind, leaks nothing',
    { timeout: 15 * 60000 }, async (t) => {
	const which = spawnSync('sh', ['-c', 'command -v valgrind'], { encoding: 'utf8' });
	assert.equal(which.status, 0, 'valgrind is installed (apt-get install valgrind)');
	const out = env('TETHER_TEST_OUT');
	fs.mkdirSync(out, { recursive: true });
	const logPath = path.join(out, 'valgrind-api.log');
	fs.rmSync(logPath, { force: true });
	leakDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-api-leak-'));
	fs.chmodSync(leakDir, 0o755);
	const sock = path.join(leakDir, 'api.sock');

	const auth = (token) => ({ headers: { Authorization: `Bearer ${token}` } });
	const json = (token, method, uri, body, extra = {}) => ({
		...auth(token), method, uri, contentType: 'application/json',
		body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
		...extra,
	});
	const own = await api('POST', '/api/v1/flows', member.token,
	    flowBody({ connections: [cid('a1'), cid('shared')] }));
	assert.equal(own.status, 201);
	const mix = [
		[{ uri: '/api/v1/connections' }, 401],
		[{ uri: '/api/v1/connections', headers: { Authorization: `Bearer ${'x'.repeat(43)}` } }, 401],
		[{ ...auth(member.token), uri: '/api/v1/connections?per_page=2&page=2' }, 200],
		[{ ...auth(adminUser.token), uri: '/api/v1/connections' }, 200],
		[{ ...auth(member.token), method: 'HEAD', uri: '/api/v1/connections' }, 200],
		[{ ...auth(member.token), uri: '/api/v1/connections?per_page=999' }, 400],
		[{ ...auth(member.token), uri: '/api/v1/connections?x=%zz' }, 400],
		[{ ...auth(member.token), uri: '/api/v1/connections?y=1' }, 400],
		[{ ...auth(member.token), uri: `/api/v1/connections/${cid('a1')}` }, 200],
		[{ ...auth(other.token), uri: `/api/v1/connections/${cid('a1')}` }, 404],
		[json(member.token, 'POST', `/api/v1/connections/${cid('a1')}/test`, {}), 200],
		[{ ...auth(viewer.token), method: 'POST', uri: `/api/v1/connections/${cid('a1')}/test` }, 403],
		[json(member.token, 'POST', `/api/v1/connections/${cid('a1')}/test`, { x: 1 }), 400],
		[{ ...auth(member.token), uri: '/api/v1/flows' }, 200],
		[{ ...auth(adminUser.token), uri: '/api/v1/flows?per_page=5' }, 200],
		[{ ...auth(other.token), uri: `/api/v1/flows/${own.json.id}` }, 200],
		[json(other.token, 'PUT', `/api/v1/flows/${own.json.id}`, flowBody()), 403],
		[{ ...auth(other.token), method: 'DELETE', uri: `/api/v1/flows/${own.json.id}` }, 403],
		[json(member.token, 'POST', '/api/v1/flows', { ...flowBody(), colour: 'red' }), 400],
		[json(member.token, 'POST', '/api/v1/flows', flowBody({ version: 0 })), 400],
		[json(member.token, 'POST', '/api/v1/flows', flowBody({ connections: [1, 1] })), 400],
		[json(member.token, 'POST', '/api/v1/flows', '{"name": "a", "name": "b"}'), 400],
		[json(member.token, 'POST', '/api/v1/flows', '{"name": '), 400],
		[json(member.token, 'POST', '/api/v1/flows', '[1]'), 400],
		[json(member.token, 'POST', '/api/v1/flows', Buffer.from([0x7b, 0xff, 0x7d])), 400],
		[json(member.token, 'POST', '/api/v1/flows', '{"' + 'k'.repeat(300) + '": 1}'), 400],
		[json(member.token, 'POST', '/api/v1/flows', flowBody(), { contentType: 'text/plain' }), 415],
		[json(member.token, 'POST', '/api/v1/flows', 'x'.repeat(70000)), 413],
		[json(other.token, 'POST', '/api/v1/flows', flowBody({ connections: [cid('a1')] })), 404],
		[json(viewer.token, 'POST', '/api/v1/flows', flowBody({ connections: [cid('a1')] })), 403],
		[{ ...auth(member.token), method: 'PATCH', uri: '/api/v1/flows' }, 405],
		[{ ...auth(member.token), uri: '/api/v1/nothing' }, 404],
		[{ ...auth(member.token), uri: '/api/v1/flows/999999999' }, 404],
		// create, read, replace, delete: the id comes from the answer.
		['crud'],
	];
	const rounds = 3;
	const n = rounds * (mix.length - 1 + 4);
	leakProc = startProcess('valgrind', [
		'--leak-check=full', '--errors-for-leak-kinds=definite,indirect',
		'--error-exitcode=99', `--log-file=${logPath}`,
		path.join(env('TETHER_BIN'), 'tether-fcgi'), '-c', env('TETHER_CONF'), '-f',
		'-s', sock, '-n', String(n),
	], { env: { LIBFCGI_OS_CLOSE_POLL_TIMEOUT: '0' } });
	await waitForSocket(sock, 120000, () => leakProc.running);
	const c = new FcgiClient(sock, null);
	const send = async (opts, expect, what) => {
		const r = await c.request({ timeoutMs: 180000, ...opts });
		assert.equal(r.status, expect, `${what ?? `${opts.method ?? 'GET'} ${opts.uri}`}: ` +
		    r.body.slice(0, 200));
		return r;
	};
	for (let round = 0; round < rounds; round++) {
		for (const [opts, expect] of mix) {
			if (opts !== 'crud') {
				await send(opts, expect);
				continue;
			}
			const made = await send(json(member.token, 'POST', '/api/v1/flows',
			    flowBody({ connections: [cid('a1')] })), 201, 'create');
			const id = JSON.parse(made.body).id;
			await send({ ...auth(member.token), uri: `/api/v1/flows/${id}` }, 200);
			await send(json(member.token, 'PUT', `/api/v1/flows/${id}`,
			    flowBody({ connections: [cid('a2'), cid('shared')] })), 200);
			await send({ ...auth(member.token), method: 'DELETE',
			    uri: `/api/v1/flows/${id}` }, 204);
		}
	}
	let timer;
	const exit = await Promise.race([leakProc.exited,
	    new Promise((r) => { timer = setTimeout(() => r(null), 120000); })]);
	clearTimeout(timer);
	assert.notEqual(exit, null, `the worker did not exit after ${n} requests`);
	const log = fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8') : '';
	t.diagnostic(`${n} API requests under valgrind; log ${logPath}`);
	assert.equal(exit.code, 0, `valgrind exited ${exit.code}:\n` + log.split('\n')
	    .filter((l) => /lost|ERROR SUMMARY|Invalid|uninitialised|at 0x|by 0x/.test(l))
	    .slice(0, 80).join('\n'));
	assert.match(log, /ERROR SUMMARY: 0 errors/);
	leakProc = null;
	assert.equal((await api('DELETE', `/api/v1/flows/${own.json.id}`, member.token)).status,
	    204);
});
