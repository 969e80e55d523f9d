// Proactive OAuth refresh and expiry reminders (issue 11, tether-worker's
// jobs "refresh" and "expiry"), against the OAuth stand-in
// (tests/fakes/oauth-server.mjs: oidc-provider, rotating refresh tokens
// with reuse detection) and `tether-worker --once`:
//
// - a token near expiry is refreshed once by the worker, even with four
//   tests in flight at the same moment (one refresh lock for tests, pages
//   and the worker); the rotated refresh token is stored and used next time;
// - invalid_grant: needs_reconnect recorded once (trigger `refresh`), one
//   event, no further grants until reconnected;
// - a connector with OAuth.refresh_daily refreshes after a day even though
//   its token does not expire; one without does not;
// - refresh_token_expires_in is kept; per-user tokens' expiries go to the
//   user's own state;
// - a secret expiring in 3 days: one connection.expiring event, not two.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startStandin } from '../fakes/http-standin.mjs';
import { consent, startOAuthServer } from '../fakes/oauth-server.mjs';
import { makePki } from '../fakes/pki.mjs';
import { marker } from '../fakes/secrets.mjs';
import { connRow, testRows } from '../lib/rows.mjs';
import {
	confCopy, confValue, env, flashOf, managerSession, pageText, psql, psqlValue, tetherctl, uniq,
} from '../lib/stack.mjs';
import { apiCallFcgi } from '../lib/openapi.mjs';
import { startTether } from '../lib/tether.mjs';

const SF_ROUTES = { authorization: '/services/oauth2/authorize', token: '/services/oauth2/token',
	userinfo: '/services/oauth2/userinfo' };
const SN_ROUTES = { authorization: '/oauth_auth.do', token: '/oauth_token.do' };
const WORKING = 'The connection works.';

const cleanups = [];
let ca;
let sf;			// Salesforce's paths (refresh_daily connector)
let sn;			// ServiceNow's paths (no refresh_daily), its API under /api/
let down;		// a token endpoint that answers 503
let tether;
let workerConf;
const clients = [];
let nextClient = 0;

before(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-proactive-'));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	const pki = makePki(path.join(dir, 'ca'));
	ca = pki.caPem;
	const tls = { ...pki.issue('as', ['localhost', '127.0.0.1']), ca };
	const redirectUri = confValue('http.base_url').replace(/\/$/, '') + '/oauth/callback';
	for (let i = 0; i < 12; i++)
		clients.push({ client_id: `proactive-${i}`, client_secret: marker(`pro${i}`),
			redirect_uris: [redirectUri], token_endpoint_auth_method: 'client_secret_post' });
	sf = await startOAuthServer({ tls, clients, routes: SF_ROUTES });
	sn = await startOAuthServer({ tls, clients, routes: SN_ROUTES, apiPaths: ['/api/'] });
	down = await startStandin({ name: 'down', tls, handler: async (req, res) => {
		res.writeHead(503, { 'content-type': 'application/json' });
		res.end('{"error":"temporarily_unavailable"}');
	} });
	cleanups.push(() => sf.close(), () => sn.close(), () => down.close());
	tether = await startTether({ workers: 4, replace: { 'outbound.ca_bundle': pki.caFile } });
	cleanups.push(() => tether.stop());
	workerConf = confCopy(dir, { 'outbound.ca_bundle': pki.caFile, 'worker.processes': '2' });
});

after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

/** `tether-worker -c CONF --once`: resolves to { code, stderr }. */
function workerOnce() {
	return new Promise((resolve) => {
		const p = spawn(path.join(env('TETHER_BIN'), 'tether-worker'), ['-c', workerConf, '--once'],
		    { stdio: ['ignore', 'ignore', 'pipe'] });
		let err = '';
		p.stderr.on('data', (d) => { err += d; });
		p.on('exit', (code) => resolve({ code, stderr: err }));
	});
}

async function person() {
	const s = await managerSession({ admin: true });
	const token = tetherctl('token', 'add', s.user.email, uniq('pro')).trim();
	return { ...s, app: tether.client(s.jar), token };
}

/** A connection at a stand-in, Reconnected; its scheduled check out of the way. */
async function connected(who, { as = sf, context = 'system', users = [who] } = {}) {
	const c = clients[nextClient++];
	const fields = as === sf ?
		{ url: as.url, login_url: as.url, client_id: c.client_id, client_secret: c.client_secret,
			scopes: 'openid offline_access api' } :
		{ url: as.url, client_id: c.client_id, client_secret: c.client_secret,
			scopes: 'openid offline_access api' };
	const r = await who.app.create({ connector: as === sf ? 'salesforce' : 'servicenow',
		protocol: 'oauth2_code', team: who.team.id, context, fields });
	// System OAuth code: Create goes on to the provider (200, Connect); per user: 303.
	assert.equal(r.status, context === 'system' ? 200 : 303, pageText(r.res.text).slice(0, 400));
	for (const p of users) {
		const rc = await p.app.reconnect(r.id);
		assert.equal(rc.status, 303);
		const cb = await p.app.callback(await consent(rc.location, { ca }));
		assert.equal(cb.flash?.message, `Connected. Test: ${WORKING}`, 'the first consent is Connect');
	}
	psql(`UPDATE jobs SET run_at = now() + interval '1 day' WHERE kind = 'check'
	    AND connection_id = ${r.id}`);
	return { id: r.id, client: c };
}

function refreshGrants(as, from, clientId) {
	return as.tokenCalls.slice(from).filter((c) => c.grant_type === 'refresh_token' &&
	    c.client_id === clientId);
}

/** The connection's refresh job: { runIn (seconds), user } or null. */
function refreshJob(id, userId = 0) {
	const [r] = psql(`SELECT extract(epoch FROM run_at - now())::int FROM jobs WHERE kind = 'refresh'
	    AND connection_id = ${id} AND COALESCE(user_id, 0) = ${userId}`);
	return r === undefined ? null : { runIn: Number(r[0]) };
}

function due(id, userId = 0) {
	psql(`UPDATE jobs SET run_at = now() WHERE kind = 'refresh' AND connection_id = ${id}
	    AND COALESCE(user_id, 0) = ${userId}`);
}

/** The connection's events of a type (after event id `from`), oldest first. */
function events(id, type, from = 0) {
	return psql(`SELECT payload::text FROM events WHERE connection_id = ${id} AND type = '${type}'
	    AND id > ${from} ORDER BY id`).map((r) => JSON.parse(r[0]));
}

function lastEventId() {
	return Number(psqlValue('SELECT COALESCE(max(id), 0) FROM events'));
}

async function apiTest(token, id) {
	const r = await apiCallFcgi(tether.sock, 'POST', `/api/v1/connections/${id}/test`, token,
	    { trigger: 'api' });
	return { status: r.status, json: r.json };
}

describe('proactive refresh', () => {
	test('a reconnect schedules the refresh refresh_ahead_seconds before the access token expires', async () => {
		const who = await person();
		const { id } = await connected(who, { as: sn });
		const ahead = Number(confValue('health.refresh_ahead_seconds') ?? 300);
		const job = refreshJob(id);
		assert.ok(job !== null, 'a refresh job exists');
		// The stand-in's access tokens live an hour.
		assert.ok(Math.abs(job.runIn - (3600 - ahead)) < 30, `due in ${job.runIn} s`);
	});

	test('near expiry with four tests in flight: the worker and the tests send one refresh grant in all', async () => {
		const who = await person();
		const { id, client } = await connected(who, { as: sn });
		psql(`UPDATE connections SET token_expires_at = now() + interval '20 seconds' WHERE id = ${id}`);
		due(id);
		const calls = sn.tokenCalls.length;
		sn.tokenDelayMs = 400;
		try {
			// Two Test button presses and two API tests, with the worker.
			const csrf = await who.app.csrf(`/connections/${id}`);
			const press = async () => {
				const r = await who.app.post(`/connections/${id}/test`, { csrf });
				return [r.status, flashOf(r)?.message];
			};
			const api = async () => {
				const r = await apiTest(who.token, id);
				return [r.status, r.json?.message];
			};
			const [w, ...tests] = await Promise.all([workerOnce(), press(), press(), api(), api()]);
			assert.equal(w.code, 0, w.stderr);
			assert.deepEqual(tests, [[303, WORKING], [303, WORKING], [200, WORKING], [200, WORKING]]);
		} finally {
			sn.tokenDelayMs = 0;
		}
		const grants = refreshGrants(sn, calls, client.client_id);
		assert.deepEqual(grants.map((g) => g.status), [200], JSON.stringify(grants));
		assert.ok(Number(psqlValue(`SELECT extract(epoch FROM token_expires_at - now()) FROM connections
		    WHERE id = ${id}`)) > 3000, 'the new expiry is stored');
		assert.ok(refreshJob(id).runIn > 3000, 'the next refresh is from the new expiry');
	});

	test('a rotated refresh token is stored and used the next time; the worker alone, twice', async () => {
		const who = await person();
		const { id, client } = await connected(who, { as: sn });
		const calls = sn.tokenCalls.length;
		for (const round of [1, 2]) {
			psql(`UPDATE connections SET token_expires_at = now() + interval '2 minutes' WHERE id = ${id}`);
			due(id);
			const w = await workerOnce();
			assert.equal(w.code, 0, w.stderr);
			assert.equal(refreshGrants(sn, calls, client.client_id).length, round, `round ${round}`);
		}
		const grants = refreshGrants(sn, calls, client.client_id);
		assert.deepEqual(grants.map((g) => [g.status, g.error]), [[200, null], [200, null]]);
		assert.notEqual(grants[0].refresh_token, grants[1].refresh_token, 'the second used the rotated one');
		// Not due: the worker looks, decides under the lock, and does not ask.
		due(id);
		await workerOnce();
		assert.equal(refreshGrants(sn, calls, client.client_id).length, 2, 'not due: no grant');
		assert.equal(connRow(id).status, 'ok');
		assert.equal((await who.app.test(id)).flash.message, WORKING, 'the stored tokens work');
	});

	test('invalid_grant: needs reconnect recorded once, one event, no more grants; a reconnect schedules it again', async () => {
		const who = await person();
		const { id, client } = await connected(who, { as: sn });
		await sn.revokeRefreshToken(client);
		psql(`UPDATE connections SET token_expires_at = now() + interval '2 minutes' WHERE id = ${id}`);
		due(id);
		const calls = sn.tokenCalls.length;
		const rows = testRows(id).length;
		const from = lastEventId();
		await workerOnce();
		assert.deepEqual(refreshGrants(sn, calls, client.client_id).map((g) => g.error), ['invalid_grant']);
		assert.equal(connRow(id).status, 'needs_reconnect');
		assert.deepEqual(testRows(id).slice(rows).map((t) => [t.trigger, t.result]),
		    [['refresh', 'needs_reconnect']]);
		assert.equal(psqlValue(`SELECT count(*) FROM connection_status_changes WHERE connection_id = ${id}
		    AND to_status = 'needs_reconnect' AND trigger = 'refresh'`), '1');
		assert.equal(events(id, 'connection.needs_reconnect', from).length, 1);
		assert.equal(refreshJob(id), null, 'no refresh job until reconnected');
		await workerOnce();
		await workerOnce();
		assert.equal(refreshGrants(sn, calls, client.client_id).length, 1, 'no further grants');
		assert.equal(events(id, 'connection.needs_reconnect', from).length, 1);
		const rc = await who.app.reconnect(id);
		await who.app.callback(await consent(rc.location, { ca }));
		assert.ok(refreshJob(id) !== null, 'reconnected: the refresh job is back');
	});

	test('a token endpoint answering 503: retried with backoff, connection.refresh_failed once per run of failures', async () => {
		const who = await person();
		const { id, client } = await connected(who, { as: sn });
		const url = connRow(id).settings.url;
		const from = lastEventId();
		psql(`UPDATE connections SET token_expires_at = now() + interval '2 minutes',
		    settings = jsonb_set(settings, '{url}', to_jsonb('${down.url}'::text)) WHERE id = ${id}`);
		for (const round of [1, 2, 3]) {
			due(id);
			await workerOnce();
			assert.equal(events(id, 'connection.refresh_failed', from).length, 1, `round ${round}: one event`);
			const [r] = psql(`SELECT attempts, extract(epoch FROM run_at - now())::int, last_error FROM jobs
			    WHERE kind = 'refresh' AND connection_id = ${id}`);
			assert.equal(Number(r[0]), round, 'the attempts count up');
			assert.match(r[2], /^refresh: unexpected_status$/);
		}
		const ev = events(id, 'connection.refresh_failed', from)[0];
		assert.deepEqual(ev.refresh, { result: 'unexpected_status', http_status: 503 });
		assert.equal(connRow(id).status, 'ok', 'a refresh that could not reach the provider does not fail the connection');
		// Back: refreshed, the run of failures over; a new run would tell again.
		psql(`UPDATE connections SET settings = jsonb_set(settings, '{url}', to_jsonb('${url}'::text))
		    WHERE id = ${id}`);
		const calls = sn.tokenCalls.length;
		due(id);
		await workerOnce();
		assert.deepEqual(refreshGrants(sn, calls, client.client_id).map((g) => g.status), [200]);
		const [r] = psql(`SELECT attempts, last_error IS NULL FROM jobs WHERE kind = 'refresh'
		    AND connection_id = ${id}`);
		assert.deepEqual(r, ['0', 't']);
	});

	test('invalid_grant met by a test (the Test button): the refresh job goes too', async () => {
		const who = await person();
		const { id, client } = await connected(who, { as: sn });
		await sn.revokeRefreshToken(client);
		psql(`UPDATE connections SET token_expires_at = now() - interval '1 minute' WHERE id = ${id}`);
		const r = await who.app.test(id);
		assert.equal(r.status, 303);
		assert.equal(connRow(id).status, 'needs_reconnect');
		assert.equal(refreshJob(id), null, 'no refresh job until reconnected');
	});

	test('refresh_daily (Salesforce): refreshed after a day although the token does not expire; ServiceNow is not', async () => {
		const who = await person();
		const daily = await connected(who, { as: sf });
		const plain = await connected(who, { as: sn });
		const sfCalls = sf.tokenCalls.length;
		const snCalls = sn.tokenCalls.length;
		for (const { id } of [daily, plain]) {
			// As if the provider had said no expires_in, a day and an hour ago.
			psql(`UPDATE connections SET token_expires_at = NULL WHERE id = ${id};
			    UPDATE connection_secrets SET updated_at = now() - interval '25 hours'
			    WHERE connection_id = ${id} AND field = 'access_token';
			    INSERT INTO jobs (kind, connection_id, run_at) VALUES ('refresh', ${id}, now())
			    ON CONFLICT (kind, COALESCE(connection_id, 0), COALESCE(user_id, 0))
			    DO UPDATE SET run_at = now()`);
		}
		await workerOnce();
		assert.deepEqual(refreshGrants(sf, sfCalls, daily.client.client_id).map((g) => g.status), [200]);
		assert.deepEqual(refreshGrants(sn, snCalls, plain.client.client_id), []);
		// The answer said expires_in 3600: next before that expiry; without
		// one, a day after this refresh.
		const ahead = Number(confValue('health.refresh_ahead_seconds') ?? 300);
		assert.ok(Math.abs(refreshJob(daily.id).runIn - (3600 - ahead)) < 60);
		psql(`UPDATE connections SET token_expires_at = NULL WHERE id = ${daily.id}`);
		due(daily.id);
		await workerOnce();
		const next = refreshJob(daily.id);
		assert.ok(next !== null && Math.abs(next.runIn - 86400) < 120, `daily: next in a day (${next?.runIn})`);
		assert.equal(refreshJob(plain.id), null, 'no expiry, not daily: nothing to schedule');
		// A day has not passed since: no second grant.
		due(daily.id);
		await workerOnce();
		assert.equal(refreshGrants(sf, sfCalls, daily.client.client_id).length, 1);
	});

	test('refresh_token_expires_in is kept on the connection; a per-user token\'s expiries go to the user\'s state', async () => {
		const who = await person();
		sn.refreshTokenExpiresIn = 3 * 86400;
		try {
			const sys = await connected(who, { as: sn });
			assert.ok(Math.abs(Number(psqlValue(`SELECT extract(epoch FROM refresh_token_expires_at - now())
			    FROM connections WHERE id = ${sys.id}`)) - 3 * 86400) < 60);
			const pu = await connected(who, { as: sn, context: 'per_user', users: [who] });
			const [row] = psql(`SELECT extract(epoch FROM token_expires_at - now())::int,
			    extract(epoch FROM refresh_token_expires_at - now())::int
			    FROM user_connection_states WHERE connection_id = ${pu.id} AND user_id = ${who.user.id}`);
			assert.ok(row !== undefined, 'the user\'s state has the expiries');
			assert.ok(Math.abs(Number(row[0]) - 3600) < 60 && Math.abs(Number(row[1]) - 3 * 86400) < 60, row.join(' '));
			assert.equal(connRow(pu.id).tokenExpiresAt, '', 'the connection\'s own expiry is untouched');
			assert.ok(refreshJob(pu.id, who.user.id) !== null, 'the user\'s refresh job');
			// The user's token near expiry: the worker refreshes the user's own tokens.
			psql(`UPDATE user_connection_states SET token_expires_at = now() + interval '1 minute'
			    WHERE connection_id = ${pu.id} AND user_id = ${who.user.id}`);
			due(pu.id, who.user.id);
			const calls = sn.tokenCalls.length;
			await workerOnce();
			assert.deepEqual(refreshGrants(sn, calls, pu.client.client_id).map((g) => g.status), [200]);
			assert.ok(Number(psqlValue(`SELECT extract(epoch FROM token_expires_at - now()) FROM
			    user_connection_states WHERE connection_id = ${pu.id} AND user_id = ${who.user.id}`)) > 3000);
			// A test by the user reads the user's own expiry: near, refreshed first.
			psql(`UPDATE user_connection_states SET token_expires_at = now() + interval '30 seconds'
			    WHERE connection_id = ${pu.id} AND user_id = ${who.user.id}`);
			const before = sn.tokenCalls.length;
			assert.equal((await who.app.test(pu.id)).flash.message, WORKING);
			assert.deepEqual(refreshGrants(sn, before, pu.client.client_id).map((g) => g.status), [200],
			    'the test refreshed the user\'s token ahead of its expiry');
		} finally {
			sn.refreshTokenExpiresIn = null;
		}
	});
});

describe('expiry reminders', () => {
	test('a secret expiring in 3 days: one connection.expiring event after --once, none on the second run', async () => {
		const who = await person();
		const { id } = await connected(who, { as: sn });
		psql(`UPDATE connection_secrets SET expires_on = current_date + 3
		    WHERE connection_id = ${id} AND field = 'client_secret';
		    UPDATE jobs SET run_at = now() WHERE kind = 'expiry'`);
		await workerOnce();
		const ev = events(id, 'connection.expiring');
		assert.equal(ev.length, 1, JSON.stringify(ev));
		assert.equal(ev[0].days_left, 3);
		assert.deepEqual(ev[0].what, ['client_secret']);
		assert.match(ev[0].expires_on, /^\d{4}-\d{2}-\d{2}$/);
		assert.ok(!JSON.stringify(ev[0]).includes(clients[nextClient - 1].client_secret), 'never a value');
		psql('UPDATE jobs SET run_at = now() WHERE kind = \'expiry\'');
		await workerOnce();
		assert.equal(events(id, 'connection.expiring').length, 1, 'once per expiry date');
	});

	test('a refresh token expiring (refresh_token_expires_in) is announced as "refresh token"', async () => {
		const who = await person();
		sn.refreshTokenExpiresIn = 5 * 86400;
		let id;
		try {
			({ id } = await connected(who, { as: sn }));
		} finally {
			sn.refreshTokenExpiresIn = null;
		}
		psql('UPDATE jobs SET run_at = now() WHERE kind = \'expiry\'');
		await workerOnce();
		const ev = events(id, 'connection.expiring');
		assert.equal(ev.length, 1);
		assert.deepEqual(ev[0].what, ['refresh token']);
		assert.ok(ev[0].days_left === 4 || ev[0].days_left === 5, String(ev[0].days_left));
	});
});
