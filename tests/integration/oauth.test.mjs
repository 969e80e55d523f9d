// OAuth 2.0 for connections against a real,
// standards-compliant authorization server from the npm registry
// (oidc-provider, tests/fakes/oauth-server.mjs) on loopback over HTTPS:
//
// - Reconnect: authorization code with PKCE (S256, which the server
//   requires and checks), a single-use state bound to the session, the user
//   and the connection, expiring in minutes, and the redirect URI fixed by
//   http.base_url (never by the request's Host); the callback stores the
//   tokens encrypted, tests, and returns to the details page with a message.
// - Refresh before expiry and on a 401; the rotated refresh token is stored
//   (the old one is dead at the server); concurrent refreshes through four
//   workers reach the server once; invalid_grant after revocation puts the
//   connection in "needs reconnect" with an entry in its test history and
//   the flows using it blocked.
// - Client credentials (client_secret_basic): obtaining a token is the test.
// - Salesforce (its own paths: /services/oauth2/authorize, /token,
//   /userinfo — the test is GET {instance}/services/oauth2/userinfo) and
//   Microsoft Graph (login.microsoftonline.com and graph.microsoft.com
//   reached through a CONNECT proxy stand-in; the test is GET /v1.0/me).
//
// The browser's part (the provider's login and consent pages) is done by
// consent() over HTTPS; tests/browser/reconnect.test.mjs does it in Chromium.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import querystring from 'node:querystring';
import { after, before, describe, test } from 'node:test';

import { startStandin } from '../fakes/http-standin.mjs';
import { consent, httpsRequest, startOAuthServer } from '../fakes/oauth-server.mjs';
import { makePki } from '../fakes/pki.mjs';
import { startProxy } from '../fakes/proxy.mjs';
import { assertAbsent, assertNotInDatabase, marker, stackLogs } from '../fakes/secrets.mjs';
import { fcgiRequest } from '../lib/fcgi.mjs';
import { connRow, lastTest, secretCipher, testRows } from '../lib/rows.mjs';
import {
	confValue, flashOf, managerSession, pageText, psql, psqlValue, tetherctl,
} from '../lib/stack.mjs';
import { startTether } from '../lib/tether.mjs';

const SF_ROUTES = { authorization: '/services/oauth2/authorize', token: '/services/oauth2/token',
	userinfo: '/services/oauth2/userinfo' };
const N_CLIENTS = 10;

const cleanups = [];
const apps = [];
let pki;
let ca;
let sf;			// the authorization server at Salesforce's paths
let ms;			// the same software as login.microsoftonline.com
let graph;		// graph.microsoft.com stand-in
let tether;		// 4 workers, CA bundle
let proxied;		// CA bundle + proxy for the Microsoft names
let redirectUri;
const clients = [];	// one client a test: { client_id, client_secret }
let nextClient = 0;

function client() {
	return clients[nextClient++];
}

before(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-oauth-'));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	pki = makePki(path.join(dir, 'ca'));
	ca = pki.caPem;
	const leaf = pki.issue('as', ['localhost', '127.0.0.1', 'login.microsoftonline.com', 'graph.microsoft.com']);
	const tls = { ...leaf, ca };
	redirectUri = confValue('http.base_url').replace(/\/$/, '') + '/oauth/callback';
	for (let i = 0; i < N_CLIENTS; i++) {
		clients.push({ client_id: `tether-${i}`, client_secret: marker(`cs${i}`), redirect_uris: [redirectUri],
			token_endpoint_auth_method: 'client_secret_post' });
	}
	clients.push({ client_id: 'tether-basic', client_secret: marker('csb'), redirect_uris: [redirectUri],
		token_endpoint_auth_method: 'client_secret_basic' });
	clients.push({ client_id: 'machine', client_secret: marker('csm'), grant_types: ['client_credentials'],
		response_types: [], redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic' });
	sf = await startOAuthServer({ tls, clients, routes: SF_ROUTES, apiPaths: ['/api/'] });
	cleanups.push(() => sf.close());

	const msClient = { client_id: 'graph-app', client_secret: marker('msg'), redirect_uris: [redirectUri],
		token_endpoint_auth_method: 'client_secret_post' };
	clients.msgraph = msClient;
	ms = await startOAuthServer({ tls, clients: [msClient], host: 'login.microsoftonline.com',
		routes: { authorization: '/contoso.onmicrosoft.com/oauth2/v2.0/authorize',
			token: '/contoso.onmicrosoft.com/oauth2/v2.0/token' } });
	cleanups.push(() => ms.close());
	graph = await startStandin({ name: 'graph', tls, handler: async (req, res, rec) => {
		const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
		const ok = rec.path === '/v1.0/me' && m !== null && await ms.validAccessToken(m[1]);
		res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
		res.end(ok ? '{"id":"48d31887","displayName":"Robot"}' : '{"error":{"code":"InvalidAuthenticationToken"}}');
	} });
	cleanups.push(() => graph.close());
	const px = await startProxy({ 'login.microsoftonline.com:443': ms.port, 'graph.microsoft.com:443': graph.port });
	cleanups.push(() => px.close());

	tether = await startTether({ workers: 4, replace: { 'outbound.ca_bundle': pki.caFile } });
	proxied = await startTether({ replace: { 'outbound.ca_bundle': pki.caFile, 'outbound.proxy': px.url } });
	cleanups.push(() => tether.stop(), () => proxied.stop());
});

after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

async function session(t = tether) {
	const s = await managerSession({ admin: true });
	const app = t.client(s.jar);
	apps.push(app);
	return { ...s, app };
}

/** A Salesforce connection at the test server for client c; { id, create }. */
async function salesforce(app, team, c) {
	const r = await app.create({ connector: 'salesforce', protocol: 'oauth2_code', team: team.id,
		fields: { url: sf.url, login_url: sf.url, client_id: c.client_id, client_secret: c.client_secret,
			scopes: 'openid offline_access api' } });
	// Create goes on to the provider (Connect): nothing tested, nothing failed.
	assert.equal(r.status, 200, pageText(r.res.text).slice(0, 400));
	assert.ok(r.connectUrl.startsWith(sf.url + '/services/oauth2/authorize?'), r.connectUrl);
	return { id: r.id, create: r };
}

/** Reconnect, consent at the provider, come back: the callback's answer. */
async function reconnect(app, id, opts = {}) {
	const rc = await app.reconnect(id);
	assert.equal(rc.status, 303);
	const back = await consent(rc.location, { ca, ...opts });
	return { rc, back, cb: await app.callback(back) };
}

function tokensOf(list, clientId) {
	return list.filter((t) => t.clientId === clientId).map((t) => t.jti);
}

function sha256hex(s) {
	return createHash('sha256').update(s).digest('hex');
}

describe('Reconnect: authorization code with PKCE and state', () => {
	test('the authorization request: S256 challenge, fixed redirect URI, fresh state bound to session, user and connection', async () => {
		const { app, team, user, jar } = await session();
		const c = client();
		const { id, create } = await salesforce(app, team, c);
		assert.equal(lastTest(id), undefined, 'no tokens yet, so no test and no failure');
		assert.equal(connRow(id).status, 'not_tested');
		assert.match(pageText(create.res.text), /created\. Connect .* Taking you to Salesforce/);
		// The Host and forwarding headers of the request change nothing.
		const rc = await app.reconnect(id, { Host: 'evil.example', 'X-Forwarded-Host': 'evil.example',
		    'X-Forwarded-Proto': 'https' });
		assert.equal(rc.status, 303);
		const u = new URL(rc.location);
		assert.equal(u.origin + u.pathname, sf.url + '/services/oauth2/authorize');
		const q = Object.fromEntries(u.searchParams);
		assert.equal(q.response_type, 'code');
		assert.equal(q.client_id, c.client_id);
		assert.equal(q.redirect_uri, redirectUri, 'http.base_url + /oauth/callback');
		assert.equal(q.code_challenge_method, 'S256');
		assert.match(q.code_challenge, /^[A-Za-z0-9_-]{43}$/);
		assert.match(q.state, /^[A-Za-z0-9_-]{40,}$/);
		assert.equal(q.scope, 'openid offline_access api');
		assert.ok(!rc.location.includes(c.client_secret), 'no secret in the browser\'s URL');
		const [row] = psql(`SELECT s.session_id, s.user_id, s.connection_id, s.used_at IS NULL,
		    round(extract(epoch FROM s.expires_at - s.created_at)), s.redirect_uri,
		    s.session_id = (SELECT id FROM sessions WHERE token_hash = sha256(convert_to(${"'" + jar.get('tether_session') + "'"}, 'UTF8')))
		    FROM oauth_states s WHERE s.state_hash = '\\x${sha256hex(q.state)}'::bytea`);
		assert.ok(row, 'the state is stored (as a hash)');
		assert.deepEqual(row.slice(1), [user.id, String(id), 't', '600', redirectUri, 't']);
		// A second Reconnect makes a different state and challenge.
		const q2 = Object.fromEntries(new URL((await app.reconnect(id)).location).searchParams);
		assert.notEqual(q2.state, q.state);
		assert.notEqual(q2.code_challenge, q.code_challenge);
	});

	test('the callback exchanges the code once (PKCE checked by the server), stores the tokens encrypted and tests', async () => {
		const { app, team } = await session();
		const c = client();
		const { id } = await salesforce(app, team, c);
		const calls = sf.tokenCalls.length;
		const { cb } = await reconnect(app, id);
		assert.ok(cb.status === 302 || cb.status === 303, `callback answered ${cb.status}`);
		assert.equal(cb.location.replace(/^https?:\/\/[^/]+/, ''), `/connections/${id}`);
		assert.deepEqual(cb.flash, { kind: 'success', message: 'Connected. Test: The connection works.' });
		assert.deepEqual(sf.tokenCalls.slice(calls).map((t) => [t.grant_type, t.client_id, t.status]),
		    [['authorization_code', c.client_id, 200]], 'one code exchange, accepted with its PKCE verifier');
		const access = tokensOf(sf.issued.access, c.client_id);
		const refresh = tokensOf(sf.issued.refresh, c.client_id);
		assert.equal(access.length, 1);
		assert.equal(refresh.length, 1);
		// Stored, encrypted: the ciphertext is not the token.
		for (const [field, value] of [['access_token', access[0]], ['refresh_token', refresh[0]]]) {
			const hex = secretCipher(id, field);
			assert.ok(hex.length > 0, `${field} stored`);
			assert.ok(!hex.includes(Buffer.from(value).toString('hex')), `${field} is not stored in the clear`);
		}
		// The test was GET {instance}/services/oauth2/userinfo with that token.
		const ui = sf.requests.filter((r) => r.url === '/services/oauth2/userinfo');
		assert.equal(ui[ui.length - 1].headers.authorization, `Bearer ${access[0]}`);
		assert.deepEqual(testRows(id).map((r) => [r.trigger, r.result]),
		    [['reconnect', 'ok']]);
		const row = connRow(id);
		assert.equal(row.status, 'ok');
		const ttl = Number(psqlValue(`SELECT round(extract(epoch FROM token_expires_at - now())) FROM connections WHERE id = ${id}`));
		assert.ok(ttl > 3500 && ttl <= 3600, `token_expires_at from expires_in (${ttl} s)`);
		const d = await app.get(`/connections/${id}`);
		assert.match(pageText(d.text), /Status Connected/);
		assertAbsent(access[0], { details: d.text });
	});

	test('the state is single-use, bound to the session, expires, and a provider error changes nothing', async () => {
		const { app, team } = await session();
		const other = await session();
		const c = client();
		const { id } = await salesforce(app, team, c);
		// Another signed-in admin cannot use this admin's state (and does not spend it).
		const rc = await app.reconnect(id);
		const back = await consent(rc.location, { ca });
		const stolen = await other.app.callback(back);
		assert.equal(stolen.status, 400);
		assert.match(pageText(stolen.res.text), /expired or was already used/);
		const ok = await app.callback(back);
		assert.equal(ok.flash?.kind, 'success', 'the rightful session still can');
		const codes = sf.count('authorization_code');
		// Replayed: refused before any code exchange.
		const replay = await app.callback(back);
		assert.equal(replay.status, 400);
		assert.match(pageText(replay.res.text), /expired or was already used/);
		assert.equal(sf.count('authorization_code'), codes, 'no second exchange');
		// Expired: ten minutes, here moved into the past.
		const rc2 = await app.reconnect(id);
		const state2 = new URL(rc2.location).searchParams.get('state');
		psql(`UPDATE oauth_states SET expires_at = now() - interval '1 second'
		    WHERE state_hash = '\\x${sha256hex(state2)}'::bytea`);
		const back2 = await consent(rc2.location, { ca });
		const late = await app.callback(back2);
		assert.equal(late.status, 400);
		assert.equal(sf.count('authorization_code'), codes);
		// A made-up state, and none at all.
		assert.equal((await app.get('/oauth/callback?state=madeup&code=x')).status, 400);
		assert.equal((await app.get('/oauth/callback?code=x')).status, 400);
		// The provider says no: a message, nothing changed, no test recorded.
		const before = [secretCipher(id, 'access_token'), testRows(id).length];
		const rc3 = await app.reconnect(id);
		const state3 = new URL(rc3.location).searchParams.get('state');
		const denied = await app.callback(`${redirectUri}?error=access_denied&error_description=no&state=${state3}`);
		assert.deepEqual(denied.flash, { kind: 'error', message: 'The provider reports that access was denied. Nothing changed.' });
		assert.deepEqual([secretCipher(id, 'access_token'), testRows(id).length], before);
		assert.equal(sf.count('authorization_code'), codes);
	});

	test('Referrer-Policy: no-referrer on every answer of the callback and on the Reconnect redirect', async () => {
		const { app, team } = await session();
		const { id } = await salesforce(app, team, client());
		const noReferrer = (r, what) => assert.equal(r.headers.get('referrer-policy'), 'no-referrer', what);
		// The Reconnect POST's Location carries the state.
		const rc = await app.reconnect(id);
		assert.equal(rc.status, 303);
		noReferrer(rc.res, 'Reconnect: 303 to the provider');
		const back = await consent(rc.location, { ca });
		const ok = await app.callback(back);
		assert.equal(ok.flash?.kind, 'success');
		noReferrer(ok.res, 'callback: success redirect');
		const used = await app.callback(back);
		assert.equal(used.status, 400);
		noReferrer(used.res, 'callback: state already used');
		for (const q of ['state=madeup&code=x', 'code=x']) {
			const r = await app.callback(`${redirectUri}?${q}`);
			assert.equal(r.status, 400, q);
			noReferrer(r.res, `callback: ${q}`);
		}
		const s2 = new URL((await app.reconnect(id)).location).searchParams.get('state');
		const denied = await app.callback(`${redirectUri}?error=access_denied&state=${s2}`);
		assert.equal(denied.flash?.kind, 'error');
		noReferrer(denied.res, 'callback: provider error redirect');
		const s3 = new URL((await app.reconnect(id)).location).searchParams.get('state');
		const nocode = await app.callback(`${redirectUri}?state=${s3}`);
		assert.equal(nocode.status, 400);
		noReferrer(nocode.res, 'callback: no code');
		// Before any page runs: signed out (to the sign-in page), wrong method.
		const out = await fcgiRequest(tether.sock, { uri: `/oauth/callback?state=${s3}&code=x` });
		assert.match(String(out.status), /^30[23]$/);
		assert.match(out.headers.get('location'), /\/login/);
		noReferrer(out, 'callback signed out');
		const post = await app.post('/oauth/callback', { state: s3 });
		assert.equal(post.status, 405);
		noReferrer(post, 'callback: POST');
		// Other pages keep same-origin.
		assert.equal((await app.get(`/connections/${id}`)).headers.get('referrer-policy'), 'same-origin');
	});

	test('Generic HTTP OAuth 2.0 (authorization code) with client_secret_basic at its own authorize and token URLs', async () => {
		const { app, team } = await session();
		const c = clients.find((x) => x.client_id === 'tether-basic');
		const r = await app.create({ connector: 'http', protocol: 'oauth2_code', team: team.id,
			fields: { url: sf.url, test_path: '/services/oauth2/userinfo', authorize_url: sf.url + SF_ROUTES.authorization,
				token_url: sf.url + SF_ROUTES.token, client_id: c.client_id, client_secret: c.client_secret,
				scopes: 'openid offline_access' } });
		assert.equal(r.status, 200);
		const { cb } = await reconnect(app, r.id);
		assert.deepEqual(cb.flash, { kind: 'success', message: 'Connected. Test: The connection works.' });
		const call = sf.requests.filter((x) => x.url === SF_ROUTES.token && x.headers.authorization).pop();
		assert.equal(call.headers.authorization, 'Basic ' + Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64'));
	});
});

describe('refresh', () => {
	async function connected() {
		const s = await session();
		const c = client();
		const { id } = await salesforce(s.app, s.team, c);
		const { cb } = await reconnect(s.app, id);
		assert.equal(cb.flash?.kind, 'success');
		return { ...s, c, id };
	}

	test('before expiry: one refresh_token grant, the rotated refresh token is stored, the old one is dead', async () => {
		const { app, c, id } = await connected();
		const oldRefresh = tokensOf(sf.issued.refresh, c.client_id).pop();
		const before = { rt: secretCipher(id, 'refresh_token'), at: secretCipher(id, 'access_token') };
		psql(`UPDATE connections SET token_expires_at = now() + interval '30 seconds' WHERE id = ${id}`);
		const refreshes = sf.count('refresh_token');
		const t = await app.test(id);
		assert.deepEqual(t.flash, { kind: 'success', message: 'The connection works.' });
		assert.equal(sf.count('refresh_token'), refreshes + 1);
		assert.equal(sf.count('refresh_token', false), 0, 'no refused refresh');
		const newRefresh = tokensOf(sf.issued.refresh, c.client_id).pop();
		assert.notEqual(newRefresh, oldRefresh, 'the server rotated the refresh token');
		assert.notEqual(secretCipher(id, 'refresh_token'), before.rt, 'the rotated refresh token is stored');
		assert.notEqual(secretCipher(id, 'access_token'), before.at);
		const ui = sf.requests.filter((r) => r.url === '/services/oauth2/userinfo').pop();
		assert.equal(ui.headers.authorization, `Bearer ${tokensOf(sf.issued.access, c.client_id).pop()}`,
		    'the test used the new access token');
		assert.ok(Number(psqlValue(`SELECT extract(epoch FROM token_expires_at - now()) FROM connections
		    WHERE id = ${id}`)) > 3000, 'a new expiry, an hour ahead');
		// The old refresh token no longer works at the server.
		const r = await httpsRequest(new URL(SF_ROUTES.token, sf.url), { method: 'POST', ca,
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: querystring.stringify({ grant_type: 'refresh_token', refresh_token: oldRefresh,
				client_id: c.client_id, client_secret: c.client_secret }) });
		assert.equal(r.status, 400);
		assert.equal(JSON.parse(r.body).error, 'invalid_grant');
	});

	test('on a 401: refresh once and test again, one history row', async () => {
		const { app, c, id } = await connected();
		const access = tokensOf(sf.issued.access, c.client_id).pop();
		assert.ok(await sf.destroyAccessToken(access), 'the server forgot the access token');
		const rows = testRows(id).length;
		const refreshes = sf.count('refresh_token');
		const t = await app.test(id);
		assert.deepEqual(t.flash, { kind: 'success', message: 'The connection works.' });
		assert.equal(sf.count('refresh_token'), refreshes + 1);
		const ui = sf.requests.filter((r) => r.url === '/services/oauth2/userinfo').slice(-2);
		assert.deepEqual(ui.map((r) => r.headers.authorization), [`Bearer ${access}`,
		    `Bearer ${tokensOf(sf.issued.access, c.client_id).pop()}`], '401 with the old token, then the new one');
		assert.deepEqual(testRows(id).slice(rows).map((r) => [r.trigger, r.result, r.httpStatus]), [['manual', 'ok', 200]]);
	});

	test('concurrent refreshes are serialised: four tests at once through four workers, one refresh at the server', async () => {
		const { app, c, id } = await connected();
		psql(`UPDATE connections SET token_expires_at = now() - interval '1 hour' WHERE id = ${id}`);
		const refreshes = sf.count('refresh_token');
		const calls = sf.tokenCalls.length;
		const rows = testRows(id).length;
		// The four POSTs are sent together, after the details pages (for csrf).
		const csrf = await app.csrf(`/connections/${id}`);
		const spans = [];
		const results = await Promise.all([0, 1, 2, 3].map(async () => {
			const t0 = Date.now();
			const r = await app.post(`/connections/${id}/test`, { csrf });
			spans.push([t0, Date.now()]);
			return { status: r.status, flash: flashOf(r) };
		}));
		assert.ok(Math.max(...spans.map((x) => x[0])) < Math.min(...spans.map((x) => x[1])),
		    `the four requests overlapped in time: ${JSON.stringify(spans)}`);
		assert.deepEqual(results.map((r) => r.status), [303, 303, 303, 303]);
		assert.equal(sf.count('refresh_token'), refreshes + 1, `refresh grants: ${JSON.stringify(sf.tokenCalls.slice(-5))}`);
		assert.deepEqual(results.map((r) => r.flash.message), Array(4).fill('The connection works.'));
		assert.deepEqual(testRows(id).slice(rows).map((r) => r.result), ['ok', 'ok', 'ok', 'ok']);
		assert.equal(connRow(id).status, 'ok');
		// And the stored refresh token is the newest the server issued: it still works.
		const t = await app.test(id);
		assert.equal(t.flash.message, 'The connection works.');
		psql(`UPDATE connections SET token_expires_at = now() - interval '1 hour' WHERE id = ${id}`);
		assert.equal((await app.test(id)).flash.message, 'The connection works.');
		assert.deepEqual(sf.tokenCalls.slice(calls).map((x) => [x.grant_type, x.client_id, x.status]),
		    [['refresh_token', c.client_id, 200], ['refresh_token', c.client_id, 200]], 'no refresh was refused');
	});

	test('invalid_grant after revocation: needs reconnect, in the history, flows blocked; Reconnect repairs it', async () => {
		const { app, c, id } = await connected();
		const flow = tetherctl('flow', 'add', '--name', `oauth-flow-${id}`, '--version', '2', '--status', 'active',
		    '--connection', String(id)).trim();
		await sf.revokeRefreshToken(c);
		psql(`UPDATE connections SET token_expires_at = now() - interval '1 hour' WHERE id = ${id}`);
		const t = await app.test(id);
		assert.deepEqual(t.flash, { kind: 'error', message: 'The authorization is missing or was revoked: reconnect.' });
		assert.deepEqual(sf.tokenCalls.slice(-1).map((x) => [x.grant_type, x.status, x.error]),
		    [['refresh_token', 400, 'invalid_grant']]);
		const last = lastTest(id);
		assert.deepEqual([last.trigger, last.result], ['manual', 'needs_reconnect']);
		assert.equal(connRow(id).status, 'needs_reconnect');
		assert.equal(psqlValue(`SELECT progress_status FROM flows WHERE id = ${Number(flow)}`),
		    'Blocked: connection needs reconnect');
		const d = pageText((await app.get(`/connections/${id}`)).text);
		assert.match(d, /Status Needs reconnect/);
		assert.match(d, /Use Reconnect to sign in/);
		const h = pageText((await app.get(`/connections/${id}/history`)).text);
		assert.match(h, /authorization is missing or was revoked/);
		// The way back.
		const { cb } = await reconnect(app, id);
		assert.deepEqual(cb.flash, { kind: 'success', message: 'Reconnected. Test: The connection works.' });
		assert.equal(connRow(id).status, 'ok');
		assert.equal(psqlValue(`SELECT progress_status FROM flows WHERE id = ${Number(flow)}`), 'Ready');
		tetherctl('flow', 'remove', flow);
	});

	test('invalid_grant met on a 401 (access token and grant revoked): needs reconnect too', async () => {
		const { app, c, id } = await connected();
		await sf.revokeRefreshToken(c);		// revokes the grant: its access token too
		const t = await app.test(id);
		assert.equal(t.flash.message, 'The authorization is missing or was revoked: reconnect.');
		assert.deepEqual([lastTest(id).result, connRow(id).status], ['needs_reconnect', 'needs_reconnect']);
	});
});

describe('client credentials and the other providers', () => {
	test('Generic HTTP client credentials: the token (client_secret_basic) is the test, then the API takes it', async () => {
		const { app, team } = await session();
		const c = clients.find((x) => x.client_id === 'machine');
		const calls = sf.tokenCalls.length;
		const r = await app.create({ connector: 'http', protocol: 'oauth2_client', team: team.id,
			fields: { url: sf.url, test_path: '/api/v1/ping', token_url: sf.url + SF_ROUTES.token,
				client_id: c.client_id, client_secret: c.client_secret, scopes: 'api' } });
		assert.equal(r.status, 303);
		assert.deepEqual([lastTest(r.id).result, lastTest(r.id).httpStatus], ['ok', 200]);
		assert.deepEqual(sf.tokenCalls.slice(calls).map((t) => [t.grant_type, t.client_id, t.status]),
		    [['client_credentials', 'machine', 200]]);
		const api = sf.apiRequests.pop();
		assert.equal(api.url, '/api/v1/ping');
		assert.ok(await sf.validAccessToken(/^Bearer (\S+)$/.exec(api.headers.authorization)[1]));
		// Each test gets a new token: client credentials never need a refresh.
		await app.test(r.id);
		assert.deepEqual(sf.tokenCalls.slice(calls).map((t) => t.grant_type), ['client_credentials', 'client_credentials']);
		const bad = await app.create({ connector: 'http', protocol: 'oauth2_client', team: team.id,
			fields: { url: sf.url, test_path: '/api/v1/ping', token_url: sf.url + SF_ROUTES.token,
				client_id: c.client_id, client_secret: marker('wrong'), scopes: 'api' } });
		assert.deepEqual([lastTest(bad.id).result, lastTest(bad.id).httpStatus], ['bad_credentials', 401]);
	});

	test('Microsoft Graph: Reconnect at login.microsoftonline.com/{tenant}, then GET /v1.0/me with the token', async () => {
		const { app, team } = await session(proxied);
		const c = clients.msgraph;
		const r = await app.create({ connector: 'msgraph', protocol: 'oauth2_code', team: team.id,
			fields: { tenant: 'contoso.onmicrosoft.com', client_id: c.client_id, client_secret: c.client_secret,
				scopes: 'openid offline_access User.Read' } });
		assert.equal(r.status, 200);
		const rc = await app.reconnect(r.id);
		assert.match(rc.location, /^https:\/\/login\.microsoftonline\.com\/contoso\.onmicrosoft\.com\/oauth2\/v2\.0\/authorize\?/);
		const back = await consent(rc.location, { ca, origin: `https://127.0.0.1:${ms.port}` });
		const cb = await app.callback(back);
		assert.deepEqual(cb.flash, { kind: 'success', message: 'Connected. Test: The connection works.' });
		const me = graph.requests.filter((x) => x.path === '/v1.0/me');
		assert.equal(me.length, 1);
		assert.equal(me[0].headers.host, 'graph.microsoft.com');
		assert.equal(me[0].headers.authorization, `Bearer ${tokensOf(ms.issued.access, c.client_id).pop()}`);
		// Refresh on a 401 from Graph.
		await ms.destroyAccessToken(tokensOf(ms.issued.access, c.client_id).pop());
		const t = await app.test(r.id);
		assert.equal(t.flash.message, 'The connection works.');
		assert.equal(ms.count('refresh_token', true), 1);
	});
});

test('no client secret or token reaches a page, a log or the database in the clear', async () => {
	const tokens = [...sf.issued.access, ...sf.issued.refresh, ...sf.issued.clientCredentials,
		...ms.issued.access, ...ms.issued.refresh].map((t) => t.jti);
	assert.ok(tokens.length >= 10, `${tokens.length} tokens were issued`);
	const where = { pages: apps.flatMap((a) => a.pages).join('\n'),
		logs: stackLogs() + tether.log() + proxied.log(), graph: graph.allText() };
	const secrets = [...clients.slice(0, nextClient), clients.msgraph].map((c) => c.client_secret);
	for (const s of secrets)
		assertAbsent(s, where);
	for (const t of tokens)
		assertAbsent(t, { ...where, graph: '' });
	assertNotInDatabase([...secrets, ...tokens]);
});
