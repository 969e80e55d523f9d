// One refresh grant however many callers (Hardening, item 6). A provider
// that rotates refresh tokens and detects reuse (tests/fakes/oauth-server.mjs:
// oidc-provider) revokes the whole grant when a refresh token is presented
// twice, so "check expiry -> refresh -> store" must happen once per
// connection (per connection and user for per-user ones) however many tests
// run at once: page POSTs from several sessions and API calls, through
// several workers, against a token endpoint slowed down so the races are
// wide. Also: a lock wait is bounded and says "try again", never a 500.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { consent, startOAuthServer } from '../fakes/oauth-server.mjs';
import { makePki } from '../fakes/pki.mjs';
import { marker } from '../fakes/secrets.mjs';
import { connRow, testRows } from '../lib/rows.mjs';
import {
	confValue, env, flashOf, managerSession, pageText, psql, psqlValue, tetherctl, uniq,
	waitFor,
} from '../lib/stack.mjs';
import { apiCallFcgi } from '../lib/openapi.mjs';
import { startTether } from '../lib/tether.mjs';

const SF_ROUTES = { authorization: '/services/oauth2/authorize', token: '/services/oauth2/token',
	userinfo: '/services/oauth2/userinfo' };
const WORKING = 'The connection works.';
const BUSY = /^Another test is refreshing this connection's authorization; try again in a moment\.$/;

const cleanups = [];
let ca;
let as;			// the authorization server (Salesforce's paths)
let tether;		// 8 workers
let brief;		// 1 worker per test, short outbound timeout: lock waits end sooner
const clients = [];
let nextClient = 0;

before(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-race-'));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	const pki = makePki(path.join(dir, 'ca'));
	ca = pki.caPem;
	const tls = { ...pki.issue('as', ['localhost', '127.0.0.1']), ca };
	const redirectUri = confValue('http.base_url').replace(/\/$/, '') +
	    '/oauth/callback';
	for (let i = 0; i < 8; i++)
		clients.push({ client_id: `race-${i}`, client_secret: marker(`race${i}`), redirect_uris: [redirectUri],
			token_endpoint_auth_method: 'client_secret_post' });
	as = await startOAuthServer({ tls, clients, routes: SF_ROUTES });
	cleanups.push(() => as.close());
	tether = await startTether({ workers: 8, replace: { 'outbound.ca_bundle': pki.caFile } });
	brief = await startTether({ workers: 4, replace: { 'outbound.ca_bundle': pki.caFile,
		'outbound.timeout_ms': '1000', 'outbound.connect_timeout_ms': '1000' } });
	cleanups.push(() => tether.stop(), () => brief.stop());
});

after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

/** n signed-in admins, each with a page client and an API token on t. */
async function people(n, t = tether) {
	const out = [];
	for (let i = 0; i < n; i++) {
		const s = await managerSession({ admin: true });
		const token = tetherctl('token', 'add', s.user.email, uniq('race')).trim();
		out.push({ ...s, app: t.client(s.jar), token, t });
	}
	return out;
}

/** A Salesforce connection at the stand-in, Reconnected by its first person. */
async function connected(who, { context = 'system' } = {}) {
	const c = clients[nextClient++];
	const r = await who[0].app.create({ connector: 'salesforce', protocol: 'oauth2_code', team: who[0].team.id,
		context, fields: { url: as.url, login_url: as.url, client_id: c.client_id,
			client_secret: c.client_secret, scopes: 'openid offline_access api' } });
	// System OAuth code: Create goes on to the provider (200, Connect); per user: 303.
	assert.equal(r.status, context === 'system' ? 200 : 303, pageText(r.res.text).slice(0, 400));
	const reconnecting = context === 'per_user' ? who : [who[0]];
	for (const p of reconnecting)
		await reconnect(p, r.id);
	return { id: r.id, client: c };
}

async function reconnect(p, id) {
	const rc = await p.app.reconnect(id);
	assert.equal(rc.status, 303);
	const cb = await p.app.callback(await consent(rc.location, { ca }));
	assert.equal(cb.flash?.message, `Connected. Test: ${WORKING}`, 'the first consent is Connect');
}

/** POST /api/v1/connections/ID/test with a bearer token: { status, json }. */
async function apiTest(t, token, id) {
	const r = await apiCallFcgi(t.sock, 'POST', `/api/v1/connections/${id}/test`, token,
	    { trigger: 'api' });
	return { status: r.status, json: r.json, headers: r.headers };
}

/**
 * pagesEach page POSTs per person and one API call per person, all sent at
 * once (the details pages for csrf first). Resolves to [{ how, status,
 * message }] and the span of time they all overlapped in.
 */
async function stampede(who, id, pagesEach = 2) {
	const csrf = await Promise.all(who.map((p) => p.app.csrf(`/connections/${id}`)));
	const spans = [];
	const timed = async (fn) => {
		const t0 = Date.now();
		const r = await fn();
		spans.push([t0, Date.now()]);
		return r;
	};
	const calls = [];
	who.forEach((p, i) => {
		for (let k = 0; k < pagesEach; k++)
			calls.push(timed(async () => {
				const r = await p.app.post(`/connections/${id}/test`, { csrf: csrf[i] });
				return { how: 'page', status: r.status, message: flashOf(r)?.message ?? pageText(r.text).slice(0, 200) };
			}));
		calls.push(timed(async () => {
			const r = await apiTest(p.t, p.token, id);
			return { how: 'api', status: r.status, message: r.json?.message ?? '' };
		}));
	});
	const results = await Promise.all(calls);
	return { results, overlapped: Math.max(...spans.map((s) => s[0])) < Math.min(...spans.map((s) => s[1])) };
}

function expire(id) {
	psql(`UPDATE connections SET token_expires_at = now() - interval '1 hour' WHERE id = ${id}`);
}

/** Refresh grants since token call `from`: total, refused, and any refresh token used twice. */
function grants(from, clientId) {
	const calls = as.tokenCalls.slice(from).filter((c) => c.grant_type === 'refresh_token' &&
	    c.client_id === clientId);
	const reused = [...as.refreshUses(from)].filter(([, n]) => n > 1).length;
	return { total: calls.length, refused: calls.filter((c) => c.status !== 200).map((c) => c.error),
		reused };
}

function allWorked(results, what) {
	assert.deepEqual(results.map((r) => [r.how, r.status, r.message]),
	    results.map((r) => [r.how, r.how === 'page' ? 303 : 200, WORKING]), what);
}

describe('one refresh grant however many callers', () => {
	test('expired access token, rotating provider, slow token endpoint: 8 page tests from 4 sessions and 4 API tests, one grant; twice', async () => {
		const who = await people(4);
		const { id, client } = await connected(who);
		as.tokenDelayMs = 400;
		try {
			for (const round of [1, 2]) {
				expire(id);
				const calls = as.tokenCalls.length;
				const rows = testRows(id).length;
				const { results, overlapped } = await stampede(who, id);
				assert.ok(overlapped, `round ${round}: the twelve requests overlapped in time`);
				assert.deepEqual(grants(calls, client.client_id), { total: 1, refused: [], reused: 0 },
				    `round ${round}: one refresh grant (${JSON.stringify(as.tokenCalls.slice(calls))})`);
				allWorked(results, `round ${round}: every test ended Connected`);
				assert.deepEqual(testRows(id).slice(rows).map((r) => r.result), Array(12).fill('ok'));
				assert.equal(connRow(id).status, 'ok');
				assert.ok(Number(psqlValue(`SELECT extract(epoch FROM token_expires_at - now()) FROM connections
				    WHERE id = ${id}`)) > 3000, 'the new expiry is stored');
			}
		} finally {
			as.tokenDelayMs = 0;
		}
	});

	test('a provider that keeps the refresh token (no rotation): still one grant', async () => {
		const who = await people(4);
		const { id, client } = await connected(who);
		as.tokenDelayMs = 400;
		as.rotate = false;
		try {
			expire(id);
			const calls = as.tokenCalls.length;
			const { results, overlapped } = await stampede(who, id);
			assert.ok(overlapped);
			assert.equal(grants(calls, client.client_id).total, 1,
			    `one refresh grant (${JSON.stringify(as.tokenCalls.slice(calls).map((c) => [c.grant_type, c.status]))})`);
			allWorked(results, 'every test ended Connected');
		} finally {
			as.tokenDelayMs = 0;
			as.rotate = true;
		}
	});

	test('on a 401 (the provider forgot the access token, the stored expiry is ahead): one grant', async () => {
		const who = await people(4);
		const { id, client } = await connected(who);
		const access = as.issued.access.filter((t) => t.clientId === client.client_id).pop().jti;
		assert.ok(await as.destroyAccessToken(access));
		as.tokenDelayMs = 400;
		try {
			const calls = as.tokenCalls.length;
			const { results } = await stampede(who, id);
			assert.deepEqual(grants(calls, client.client_id), { total: 1, refused: [], reused: 0 },
			    JSON.stringify(as.tokenCalls.slice(calls).map((c) => [c.grant_type, c.status, c.error])));
			allWorked(results, 'every test ended Connected');
		} finally {
			as.tokenDelayMs = 0;
		}
	});

	test('per-user connection: one grant per user, each user\'s own tokens', async () => {
		const who = await people(3);
		const { id, client } = await connected(who, { context: 'per_user' });
		for (const t of as.issued.access.filter((x) => x.clientId === client.client_id))
			await as.destroyAccessToken(t.jti);
		as.tokenDelayMs = 400;
		try {
			const calls = as.tokenCalls.length;
			const { results } = await stampede(who, id, 3);
			assert.deepEqual(grants(calls, client.client_id), { total: 3, refused: [], reused: 0 },
			    JSON.stringify(as.tokenCalls.slice(calls).map((c) => [c.grant_type, c.status, c.error])));
			allWorked(results, 'every user\'s tests ended Connected');
			// Each user's refresh token was asked for once: three different ones.
			assert.equal(as.refreshUses(calls).size, 3);
		} finally {
			as.tokenDelayMs = 0;
		}
	});

	test('a token endpoint slower than the statement timeout: the others wait for it, not fail', async () => {
		const statementMs = Number(confValue('db.statement_timeout_ms'));
		const who = await people(2);
		const { id, client } = await connected(who);
		as.tokenDelayMs = statementMs + 1000;
		try {
			expire(id);
			const calls = as.tokenCalls.length;
			const { results } = await stampede(who, id, 1);
			assert.equal(grants(calls, client.client_id).total, 1);
			allWorked(results, 'the waiters used the new token');
		} finally {
			as.tokenDelayMs = 0;
		}
	});
});

describe('a bounded wait', () => {
	/** Hold the refresh lock of (id, user) from another session for ms. */
	async function holdLock(id, userId, ms) {
		const key = `hashtextextended('tether.oauth_refresh:${id}:${userId}', 0)`;
		const p = spawn(env('TETHER_PSQL'), ['-X', '-q', '-d', env('TETHER_PG_OWNER'), '-c',
		    `SELECT pg_advisory_xact_lock(${key}); SELECT pg_sleep(${ms / 1000});`], { stdio: 'ignore' });
		const done = new Promise((resolve) => p.on('close', resolve));
		await waitFor(() => psqlValue(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
		    AND granted AND ((classid::bigint << 32) | objid::bigint) = ${key}`) === '1', 5000,
		    'the lock held by psql');
		return { done };
	}

	test('longer than the outbound timeout: "try again" (page 303, API 503), no test recorded, status kept', async () => {
		const who = await people(1, brief);
		const { id } = await connected(who);
		expire(id);
		const rows = testRows(id).length;
		const status = connRow(id).status;
		const lock = await holdLock(id, 0, 8000);
		const t0 = Date.now();
		const [page, api] = await Promise.all([who[0].app.test(id), apiTest(brief, who[0].token, id)]);
		const waited = Date.now() - t0;
		assert.equal(page.status, 303, pageText(page.res.text).slice(0, 300));
		assert.equal(page.flash?.kind, 'error');
		assert.match(page.flash?.message ?? '', BUSY);
		assert.equal(api.status, 503);
		assert.equal(api.json.error, 'busy');
		assert.match(api.json.message, BUSY);
		assert.equal(api.headers.get('retry-after'), '5');
		assert.ok(waited >= 1000 && waited < 7500, `waited a bounded time (${waited} ms)`);
		assert.equal(testRows(id).length, rows, 'nothing recorded: the connection was not tested');
		assert.equal(connRow(id).status, status);
		await lock.done;
		assert.equal((await who[0].app.test(id)).flash.message, WORKING, 'usable once the lock is free');
	});
});
