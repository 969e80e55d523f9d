// API tokens with scopes, expiry and a client range (issue 14 §1, §3):
// each route asks for its scope (403 insufficient_scope naming it, with
// RFC 6750's WWW-Authenticate), a token without --scopes keeps the powers
// tokens always had and never connections:use, a token outside its client
// range or expired or revoked is 401, and the /api-tokens page makes
// (shown once, never in HTML again, the audit or the log), lists and
// revokes tokens; administrators make service accounts, which cannot sign
// in, and tokens for them, and nobody makes a token for another person.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';

import {
	fcgiLogPath, get, makeUser, pageText, post, psql, psqlValue, request, sessionCsrf,
	signIn, sqlString, tetherctl, trySignIn, uniq,
} from '../lib/stack.mjs';
import { checkAnswer } from '../lib/openapi.mjs';

function makeToken(email, ...extra) {
	const token = tetherctl('token', 'add', email, uniq('tok'), ...extra).trim();
	assert.match(token, /^[A-Za-z0-9_-]{43}$/, 'tetherctl token add prints the token alone');
	return token;
}

async function api(method, path, token, body) {
	const headers = { authorization: `Bearer ${token}` };
	if (body !== undefined)
		headers['content-type'] = 'application/json';
	const r = await request(path, { method, headers,
	    body: body !== undefined ? JSON.stringify(body) : undefined });
	let json;
	if (/^application\/json/.test(r.headers.get('content-type') ?? '') && r.text !== '')
		json = JSON.parse(r.text);
	checkAnswer(method, path, r);	// as static/openapi.json says
	return { ...r, json };
}

function tokenRow(name) {
	return psql(`SELECT array_to_string(scopes, ','), COALESCE(client_range::text, ''),`
	    + ` expires_at IS NOT NULL, revoked_at IS NOT NULL FROM api_tokens`
	    + ` WHERE name = ${sqlString(name)}`)[0];
}

/** POST a form in which an array value is a repeated field, as browsers send it. */
function postForm(path, fields, jar) {
	const f = new URLSearchParams();
	for (const [k, v] of Object.entries(fields))
		for (const one of Array.isArray(v) ? v : [v])
			f.append(k, String(one));
	return post(path, f, jar);
}

describe('scopes on the API', () => {
	test('a token made without --scopes keeps its old powers and never connections:use', async () => {
		const u = makeUser();
		const name = uniq('plain');
		const token = tetherctl('token', 'add', u.email, name).trim();
		assert.deepEqual(tokenRow(name), ['connections:read,flows:write,tests:run', '', 'f', 'f']);
		const list = await api('GET', '/api/v1/connections', token);
		assert.equal(list.status, 200);
		const flows = await api('GET', '/api/v1/flows', token);
		assert.equal(flows.status, 200);
	});

	test('each route asks for its scope: 403 insufficient_scope naming it', async () => {
		const u = makeUser();
		const token = makeToken(u.email, '--scopes', 'flows:write');
		const r = await api('GET', '/api/v1/connections', token);
		assert.equal(r.status, 403);
		assert.equal(r.json.error, 'insufficient_scope');
		assert.match(r.json.message, /connections:read/);
		assert.match(r.headers.get('www-authenticate'),
		    /^Bearer realm="tether", error="insufficient_scope", scope="connections:read"$/);
		const t = await api('POST', '/api/v1/connections/1/test', token, {});
		assert.equal(t.status, 403, 'running a test needs tests:run');
		assert.match(t.headers.get('www-authenticate'), /scope="tests:run"/);
		// flows:write reads and writes the registry.
		const f = await api('GET', '/api/v1/flows', token);
		assert.equal(f.status, 200);
		const made = await api('POST', '/api/v1/flows', token, { name: uniq('flow'), version: 1,
		    status: 'draft', connections: [] });
		assert.equal(made.status, 201, made.text);
	});

	test('a read-only token reads but cannot write flows or run tests', async () => {
		const u = makeUser();
		const token = makeToken(u.email, '--scopes', 'connections:read');
		assert.equal((await api('GET', '/api/v1/flows', token)).status, 200);
		const w = await api('POST', '/api/v1/flows', token, { name: uniq('flow'), version: 1,
		    status: 'draft', connections: [] });
		assert.equal(w.status, 403);
		assert.match(w.json.message, /flows:write/);
	});

	test('tetherctl refuses unknown scopes and bad ranges, saving nothing', () => {
		const u = makeUser();
		const before = psqlValue(`SELECT count(*) FROM api_tokens WHERE user_id = ${u.id}`);
		for (const args of [['--scopes', 'connections:read,admin'], ['--scopes', ''],
		    ['--client-range', '10.0.0.0/33'], ['--client-range', 'example.com'],
		    ['--expires-days', '0']]) {
			assert.throws(() => tetherctl('token', 'add', u.email, uniq('bad'), ...args),
			    undefined, args.join(' '));
		}
		assert.equal(psqlValue(`SELECT count(*) FROM api_tokens WHERE user_id = ${u.id}`), before);
	});

	test('a token used outside its client range is refused as invalid and not marked used', async () => {
		const u = makeUser();
		const far = makeToken(u.email, '--client-range', '10.20.0.0/16');
		const r = await api('GET', '/api/v1/connections', far);
		assert.equal(r.status, 401);
		assert.match(r.headers.get('www-authenticate'), /invalid_token/);
		assert.equal(psqlValue(`SELECT count(*) FROM api_tokens WHERE user_id = ${u.id}`
		    + ` AND last_used_at IS NOT NULL`), '0');
		const near = makeToken(u.email, '--client-range', '127.0.0.0/8');
		assert.equal((await api('GET', '/api/v1/connections', near)).status, 200);
		const log = fs.readFileSync(fcgiLogPath(), 'utf8');
		assert.ok(!log.includes(far) && !log.includes(near), 'no token in the log');
	});

	test('an expired or revoked token is 401', async () => {
		const u = makeUser();
		const name = uniq('old');
		const token = tetherctl('token', 'add', u.email, name, '--expires-days', '1').trim();
		assert.equal((await api('GET', '/api/v1/connections', token)).status, 200);
		psql(`UPDATE api_tokens SET expires_at = now() - interval '1 second'`
		    + ` WHERE name = ${sqlString(name)}`);
		assert.equal((await api('GET', '/api/v1/connections', token)).status, 401);
		const other = makeToken(u.email);
		const id = psqlValue(`SELECT max(id) FROM api_tokens WHERE user_id = ${u.id}`);
		assert.match(tetherctl('token', 'revoke', id), /revoked token/);
		assert.equal((await api('GET', '/api/v1/connections', other)).status, 401);
		assert.match(tetherctl('token', 'list', u.email), /\trevoked\tconnections:read,flows:write,tests:run\tany/);
	});
});

describe('the API tokens page', () => {
	async function page(jar) {
		const r = await get('/api-tokens', jar);
		assert.equal(r.status, 200);
		return r;
	}

	test('make a token: shown once, works, listed with its scopes; revoke it', async () => {
		const u = makeUser();
		const { jar } = await signIn(u.email, u.password);
		const first = await page(jar);
		assert.match(pageText(first.text), /No tokens yet/);
		// The form starts with the scopes tokens always had, 90 days.
		assert.match(first.text, /value="connections:read" checked/);
		assert.doesNotMatch(first.text, /value="connections:use" checked/);
		const csrf = await sessionCsrf(jar, '/api-tokens');
		const name = uniq('engine');
		const r = await postForm('/api-tokens', { csrf, action: 'create', name,
		    scopes: ['connections:read', 'tests:run'], expires: '30', client_range: '127.0.0.1' }, jar);
		assert.equal(r.status, 201, pageText(r.text).slice(0, 300));
		assert.match(r.headers.get('cache-control') ?? '', /no-store/);
		const token = /id="created-token" type="text" readonly value="([A-Za-z0-9_-]{43})"/.exec(r.text)[1];
		assert.deepEqual(tokenRow(name), ['connections:read,tests:run', '127.0.0.1/32', 't', 'f']);
		assert.equal((await api('GET', '/api/v1/connections', token)).status, 200);
		assert.equal((await api('GET', '/api/v1/flows', token)).status, 200);
		const again = await page(jar);
		assert.ok(!again.text.includes(token), 'the token is never shown again');
		assert.match(pageText(again.text), new RegExp(`${name}.*connections:read, tests:run`));
		assert.match(pageText(again.text), /from 127\.0\.0\.1\/32 only/);
		const audit = psql(`SELECT action || ' ' || details::text FROM audit_log WHERE object_type`
		    + ` = 'api_token' AND object_label LIKE ${sqlString('%' + name)}`)
		    .map((row) => row.join(' ')).join('\n');
		assert.match(audit, /token_create .*connections:read, tests:run/);
		assert.ok(!audit.includes(token));
		assert.ok(!fs.readFileSync(fcgiLogPath(), 'utf8').includes(token));
		const id = psqlValue(`SELECT id FROM api_tokens WHERE name = ${sqlString(name)}`);
		const rv = await post(`/api-tokens/${id}`, { csrf, action: 'revoke' }, jar);
		assert.equal(rv.status, 303);
		assert.equal((await api('GET', '/api/v1/connections', token)).status, 401);
		assert.match(pageText((await page(jar)).text), /Revoked/);
	});

	test('every error of the form at once, values kept, nothing saved', async () => {
		const u = makeUser();
		const { jar } = await signIn(u.email, u.password);
		const csrf = await sessionCsrf(jar, '/api-tokens');
		const r = await postForm('/api-tokens', { csrf, action: 'create', name: '', expires: '7',
		    client_range: '10.0.0.0/99' }, jar);
		assert.equal(r.status, 422);
		const text = pageText(r.text);
		assert.match(text, /Name the token/);
		assert.match(text, /Choose at least one scope/);
		assert.match(text, /Choose how long the token lasts/);
		assert.match(text, /prefix length of an IPv4 range is 1 to 32/);
		assert.match(r.text, /value="10\.0\.0\.0\/99"/);
		assert.equal(psqlValue(`SELECT count(*) FROM api_tokens WHERE user_id = ${u.id}`), '0');
		const odd = await postForm('/api-tokens', { csrf, action: 'create', name: 'x',
		    scopes: 'root', expires: '30' }, jar);
		assert.equal(odd.status, 400, 'a scope the form never offers');
	});

	test('nobody sees, revokes or makes tokens of another person', async () => {
		const a = makeUser();
		const b = makeUser({ admin: true });
		const token = makeToken(a.email);
		const id = psqlValue(`SELECT max(id) FROM api_tokens WHERE user_id = ${a.id}`);
		const { jar } = await signIn(b.email, b.password);
		const p = await page(jar);
		assert.ok(!pageText(p.text).includes(a.email), 'an admin does not see a person\'s tokens');
		const csrf = await sessionCsrf(jar, '/api-tokens');
		const rv = await post(`/api-tokens/${id}`, { csrf, action: 'revoke' }, jar);
		assert.equal(rv.status, 404);
		assert.equal((await api('GET', '/api/v1/connections', token)).status, 200);
		const mk = await postForm('/api-tokens', { csrf, action: 'create', name: 'as a',
		    scopes: 'connections:read', expires: '30', for: a.id }, jar);
		assert.equal(mk.status, 422);
		assert.match(pageText(mk.text), /for yourself and, as an administrator, for service accounts only/);
		assert.equal(psqlValue(`SELECT count(*) FROM api_tokens WHERE user_id = ${a.id}`), '1');
		const forged = await postForm('/api-tokens', { action: 'create', name: 'x',
		    scopes: 'connections:read', expires: '30' }, jar);
		assert.equal(forged.status, 403, 'a POST without the CSRF token');
	});

	test('service accounts: made by admins, cannot sign in, hold tokens admins make', async () => {
		const adm = makeUser({ admin: true });
		const { jar } = await signIn(adm.email, adm.password);
		const csrf = await sessionCsrf(jar, '/api-tokens');
		const name = uniq('Flow engine');
		const r = await postForm('/api-tokens', { csrf, action: 'service', name }, jar);
		assert.equal(r.status, 303);
		const svc = psql(`SELECT id, email FROM users WHERE is_service AND name = ${sqlString(name)}`)[0];
		assert.match(svc[1], /^service-[0-9]+@tether\.invalid$/);
		const p = await page(jar);
		assert.match(pageText(p.text), new RegExp(`${name}.*${svc[1].replace(/\./g, '\\.')}`));
		const mk = await postForm('/api-tokens', { csrf, action: 'create', name: 'engine',
		    scopes: ['connections:read'], expires: '0', for: svc[0] }, jar);
		assert.equal(mk.status, 201, pageText(mk.text).slice(0, 300));
		const token = /id="created-token" type="text" readonly value="([^"]+)"/.exec(mk.text)[1];
		assert.equal((await api('GET', '/api/v1/connections', token)).status, 200);
		assert.match(pageText((await page(jar)).text), new RegExp(`engine for ${name}`));
		// It cannot sign in, whatever is tried.
		for (const pw of ['!', '', 'x'])
			assert.notEqual((await trySignIn(svc[1], pw)).res.status, 303);
		// A member cannot add service accounts.
		const m = makeUser();
		const mj = (await signIn(m.email, m.password)).jar;
		const mc = await sessionCsrf(mj, '/api-tokens');
		const no = await postForm('/api-tokens', { csrf: mc, action: 'service', name: 'x' }, mj);
		assert.equal(no.status, 403);
		assert.doesNotMatch((await page(mj)).text, /Service accounts/);
	});
});
