// Credentials for the engine from OAuth connections (issue 14 §1), against
// the OAuth stand-in (tests/fakes/oauth-server.mjs): a valid access token
// and its expiry, never the refresh token nor the client secret; a token
// about to expire is refreshed first, and four engine calls at the same
// moment send one refresh grant in all (the refresh lock of every other
// refresh); a per-user connection hands out the named user's own token,
// refuses a user who has not connected (409) and one who may not use it
// (422), and wants a user named (422).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { consent, startOAuthServer } from '../fakes/oauth-server.mjs';
import { makePki } from '../fakes/pki.mjs';
import { marker } from '../fakes/secrets.mjs';
import { flowAdd } from '../lib/lifecycle/lc.mjs';
import {
	confValue, makeUser, managerSession, pageText, psql, psqlValue, signIn, tetherctl, uniq,
} from '../lib/stack.mjs';
import { apiCallFcgi } from '../lib/openapi.mjs';
import { startTether } from '../lib/tether.mjs';

const SN_ROUTES = { authorization: '/oauth_auth.do', token: '/oauth_token.do' };

const cleanups = [];
let ca;
let sn;
let tether;
const clients = [];
let nextClient = 0;

before(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-cred-oauth-'));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	const pki = makePki(path.join(dir, 'ca'));
	ca = pki.caPem;
	const tls = { ...pki.issue('as', ['localhost', '127.0.0.1']), ca };
	const redirectUri = confValue('http.base_url').replace(/\/$/, '') + '/oauth/callback';
	for (let i = 0; i < 6; i++)
		clients.push({ client_id: `cred-${i}`, client_secret: marker(`cred${i}`),
			redirect_uris: [redirectUri], token_endpoint_auth_method: 'client_secret_post' });
	sn = await startOAuthServer({ tls, clients, routes: SN_ROUTES, apiPaths: ['/api/'] });
	cleanups.push(() => sn.close());
	tether = await startTether({ workers: 4, replace: { 'outbound.ca_bundle': pki.caFile } });
	cleanups.push(() => tether.stop());
});

after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

async function person(teamOf) {
	const s = teamOf === undefined ? await managerSession() : await (async () => {
		const user = makeUser({ teams: [{ name: teamOf.name, role: 'member' }] });
		const { jar } = await signIn(user.email, user.password);
		return { user, team: teamOf, jar };
	})();
	const token = tetherctl('token', 'add', s.user.email, uniq('engine'), '--scopes',
	    'connections:use').trim();
	return { ...s, app: tether.client(s.jar), token };
}

/** A ServiceNow OAuth connection, connected by each of users. */
async function connected(who, { context = 'system', users = [who] } = {}) {
	const c = clients[nextClient++];
	const r = await who.app.create({ connector: 'servicenow', protocol: 'oauth2_code',
		team: who.team.id, context, fields: { url: sn.url, client_id: c.client_id,
			client_secret: c.client_secret, scopes: 'openid offline_access api' } });
	assert.equal(r.status, context === 'system' ? 200 : 303, pageText(r.res.text).slice(0, 400));
	for (const p of users) {
		const rc = await p.app.reconnect(r.id);
		assert.equal(rc.status, 303);
		await p.app.callback(await consent(rc.location, { ca }));
	}
	return { id: r.id, client: c };
}

async function ask(t, id, body) {
	const r = await apiCallFcgi(tether.sock, 'POST', `/api/v1/connections/${id}/credentials`, t, body);
	return { status: r.status, text: r.text, json: r.json };
}

/** GET on the provider's own API with a bearer token: its status. */
function providerApi(token) {
	return new Promise((resolve, reject) => {
		https.get(`${sn.url}/api/now/table/sys_user`, { ca, headers: { authorization: `Bearer ${token}` } },
		    (res) => { res.resume(); resolve(res.statusCode); }).on('error', reject);
	});
}

function refreshGrants(from, clientId) {
	return sn.tokenCalls.slice(from).filter((c) => c.grant_type === 'refresh_token' &&
	    c.client_id === clientId);
}

describe('OAuth credentials for a flow', () => {
	test('an access token and its expiry; never the refresh token nor the client secret', async () => {
		const who = await person();
		const { id, client } = await connected(who);
		const flow = flowAdd({ connections: [id] });
		const r = await ask(who.token, id, { flow_id: flow.id });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(Object.keys(r.json).sort(), ['access_token', 'base_url', 'connection_id',
		    'expires_at', 'flow_id', 'token_type', 'type']);
		assert.equal(r.json.type, 'oauth2');
		assert.equal(r.json.token_type, 'Bearer');
		assert.equal(await providerApi(r.json.access_token), 200, 'the provider\'s API takes it');
		assert.match(r.json.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		for (const call of sn.tokenCalls)
			assert.ok(call.refresh_token === null || !r.text.includes(call.refresh_token),
			    'never a refresh token');
		assert.ok(!r.text.includes(client.client_secret), 'never the client secret');
	});

	test('near expiry, four engine calls at once: one refresh grant, all four get the new token', async () => {
		const who = await person();
		const { id, client } = await connected(who);
		const flow = flowAdd({ connections: [id] });
		const old = (await ask(who.token, id, { flow_id: flow.id })).json.access_token;
		psql(`UPDATE connections SET token_expires_at = now() + interval '20 seconds' WHERE id = ${id}`);
		const calls = sn.tokenCalls.length;
		sn.tokenDelayMs = 400;
		let answers;
		try {
			answers = await Promise.all([1, 2, 3, 4].map(() => ask(who.token, id, { flow_id: flow.id })));
		} finally {
			sn.tokenDelayMs = 0;
		}
		const grants = refreshGrants(calls, client.client_id);
		assert.deepEqual(grants.map((g) => g.status), [200], JSON.stringify(grants));
		// A caller that waited on the lock may be told to try again (503): never a stale token.
		const served = answers.filter((a) => a.status === 200);
		assert.ok(served.length >= 1, answers.map((a) => `${a.status} ${a.text}`).join('\n'));
		for (const a of answers)
			assert.ok(a.status === 200 || a.status === 409 || a.status === 503, `${a.status} ${a.text}`);
		const fresh = new Set(served.map((a) => a.json.access_token));
		assert.equal(fresh.size, 1, 'one new token for everyone');
		assert.ok(!fresh.has(old), 'not the token about to expire');
		assert.ok(Number(psqlValue(`SELECT extract(epoch FROM token_expires_at - now())
		    FROM connections WHERE id = ${id}`)) > 3000, 'the new expiry is stored');
	});

	test('per user: the named user\'s own token; not connected, not allowed and unnamed are refused', async () => {
		const who = await person();
		const other = await person(who.team);
		const { id } = await connected(who, { context: 'per_user', users: [who] });
		const flow = flowAdd({ connections: [id] });
		const mine = await ask(who.token, id, { flow_id: flow.id, user_id: Number(who.user.id) });
		assert.equal(mine.status, 200, mine.text);
		assert.equal(mine.json.type, 'oauth2');
		const tokenOwner = psqlValue(`SELECT count(*) FROM user_connection_secrets WHERE connection_id = ${id}
		    AND user_id = ${who.user.id} AND field = 'access_token'`);
		assert.equal(tokenOwner, '1');
		const none = await ask(who.token, id, { flow_id: flow.id, user_id: Number(other.user.id) });
		assert.equal(none.status, 409, none.text);
		assert.match(none.json.message, /not connected|Not connected|connect/i);
		const unnamed = await ask(who.token, id, { flow_id: flow.id });
		assert.equal(unnamed.status, 422);
		assert.equal(unnamed.json.field, 'user_id');
		const stranger = makeUser();
		const no = await ask(who.token, id, { flow_id: flow.id, user_id: Number(stranger.id) });
		assert.equal(no.status, 422);
		assert.match(no.json.message, /may not use this connection/);
	});
});
