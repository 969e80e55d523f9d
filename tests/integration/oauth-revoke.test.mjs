// Revoke at the provider (issue 13 §5): deleting a connection with OAuth
// tokens, or a user disconnecting their own account, revokes the refresh
// token at the connector's RFC 7009 endpoint (Salesforce:
// /services/oauth2/revoke on its login URL) through the outbound policy, best
// effort; the audit entry says revoked / not supported / failed (with the
// class), and the stored tokens are destroyed either way. The stand-in is
// oidc-provider (tests/fakes/oauth-server.mjs), which records every
// revocation call and honours it: the grant is dead afterwards.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startBlackhole } from '../fakes/blackhole.mjs';
import { startOAuthServer } from '../fakes/oauth-server.mjs';
import { assertAbsent, stackLogs } from '../fakes/secrets.mjs';
import { SF_ROUTES, auditOf, identityStack } from '../lib/identity.mjs';
import { fieldErrors, formSubmission } from '../lib/lifecycle/lc.mjs';
import { makeUser, pageText, psql, psqlValue, signIn, sqlString, tetherctl, uniq } from '../lib/stack.mjs';

const REVOKE_TIMEOUT_MS = 1500;

let s;

before(async () => {
	s = await identityStack({ clients: 30, replace: { 'oauth.revoke_timeout_ms': REVOKE_TIMEOUT_MS } });
});

after(async () => {
	await s?.close();
});

/** The refresh tokens the stand-in issued to client c, newest last. */
function refreshTokens(c) {
	return s.sf.issued.refresh.filter((t) => t.clientId === c.client_id).map((t) => t.jti);
}

async function deleteConnection(app, id) {
	const csrf = await app.csrf(`/connections/${id}/delete`);
	return app.post(`/connections/${id}/delete`, { csrf, confirm: 'yes' });
}

function storedTokens(id) {
	return Number(psqlValue(`SELECT (SELECT count(*) FROM connection_secrets WHERE connection_id = ${id}
	    AND field IN ('access_token', 'refresh_token')) + (SELECT count(*) FROM user_connection_secrets
	    WHERE connection_id = ${id} AND field IN ('access_token', 'refresh_token'))`));
}

/** A generic HTTP connection (OAuth code, no revocation endpoint), connected. */
async function httpConnected() {
	const { app, team } = await s.session();
	const c = s.basicClient();
	const r = await app.create({ connector: 'http', protocol: 'oauth2_code', team: team.id,
		fields: { url: s.sf.url, test_path: '/services/oauth2/userinfo',
			authorize_url: s.sf.url + '/services/oauth2/authorize', token_url: s.sf.url + '/services/oauth2/token',
			client_id: c.client_id, client_secret: c.client_secret, scopes: 'openid offline_access' } });
	assert.equal(r.status, 200);
	const cb = await s.connect(app, r.id);
	assert.equal(cb.flash?.kind, 'success', JSON.stringify(cb.flash));
	return { app, c, r };
}

describe('Delete revokes the tokens at the provider', () => {
	test('a connected Salesforce connection: one revocation of its refresh token, audited "revoked"', async () => {
		const { app, team } = await s.session();
		const c = s.client();
		const { id } = await s.salesforce(app, team, c);
		const cb = await s.connect(app, id);
		assert.equal(cb.flash?.kind, 'success', JSON.stringify(cb.flash));
		const [refresh] = refreshTokens(c);
		assert.ok(refresh, 'a refresh token was issued');
		const calls = s.sf.revocations.length;
		const del = await deleteConnection(app, id);
		assert.equal(del.status, 303, pageText(del.text).slice(0, 300));
		const made = s.sf.revocations.slice(calls);
		assert.deepEqual(made.map((r) => [r.client_id, r.token_type_hint, r.token, r.status]),
		    [[c.client_id, 'refresh_token', refresh, 200]], 'revoked once, the refresh token');
		assert.equal(await s.sf.provider.RefreshToken.find(refresh), undefined,
		    'the provider no longer honours it');
		assert.deepEqual(auditOf(id, 'connection_delete'), [{ outcome: 'success', details: { revoke: 'revoked' } }]);
		assert.equal(storedTokens(id), 0);
		assertAbsent(refresh, { logs: stackLogs(), audit: psqlValue('SELECT string_agg(details::text, \' \') FROM audit_log') });
	});

	test('never connected: nothing to revoke, nothing sent', async () => {
		const { app, team } = await s.session();
		const { id } = await s.salesforce(app, team, s.client());
		const calls = s.sf.revocations.length;
		assert.equal((await deleteConnection(app, id)).status, 303);
		assert.equal(s.sf.revocations.length, calls);
		assert.deepEqual(auditOf(id, 'connection_delete'), [{ outcome: 'success', details: {} }]);
	});

	test('a connector without a revocation endpoint: "not supported", tokens destroyed', async () => {
		const { app, r } = await httpConnected();
		assert.ok(storedTokens(r.id) > 0);
		const calls = s.sf.revocations.length;
		assert.equal((await deleteConnection(app, r.id)).status, 303);
		assert.equal(s.sf.revocations.length, calls, 'nothing sent');
		assert.deepEqual(auditOf(r.id, 'connection_delete'),
		    [{ outcome: 'success', details: { revoke: 'not supported' } }]);
		assert.equal(storedTokens(r.id), 0);
	});

	test('the provider down: "failed" with its class, the connection and its tokens deleted anyway', async () => {
		const { app, team } = await s.session();
		const c = s.client();
		const { id } = await s.salesforce(app, team, c);
		await s.connect(app, id);
		s.sf.revocationStatus = 503;
		try {
			const del = await deleteConnection(app, id);
			assert.equal(del.status, 303);
		} finally {
			s.sf.revocationStatus = null;
		}
		assert.deepEqual(auditOf(id, 'connection_delete'),
		    [{ outcome: 'success', details: { revoke: 'failed', revoke_class: 'http_503' } }]);
		assert.equal(storedTokens(id), 0);
		assert.equal(psqlValue(`SELECT count(*) FROM connections WHERE id = ${id}`), '0');
	});

	test('a provider that never answers: given up after oauth.revoke_timeout_ms, "failed" (timeout), deleted', async () => {
		const { app, team } = await s.session();
		const { id } = await s.salesforce(app, team, s.client());
		await s.connect(app, id);
		const bh = await startBlackhole();
		try {
			// Its login URL (where the revocation endpoint is) now leads nowhere.
			psql(`UPDATE connections SET settings = jsonb_set(settings, '{login_url}',
			    '"https://127.0.0.1:${bh.port}"') WHERE id = ${id}`);
			const t0 = Date.now();
			const del = await deleteConnection(app, id);
			const ms = Date.now() - t0;
			assert.equal(del.status, 303);
			assert.ok(ms < REVOKE_TIMEOUT_MS + 2500, `the delete took ${ms} ms`);
		} finally {
			await bh.close();
		}
		assert.deepEqual(auditOf(id, 'connection_delete'),
		    [{ outcome: 'success', details: { revoke: 'failed', revoke_class: 'timeout' } }]);
		assert.equal(storedTokens(id), 0);
	});

	test('a delete refused (flows use it) revokes nothing', async () => {
		const { app, team } = await s.session();
		const c = s.client();
		const { id } = await s.salesforce(app, team, c);
		await s.connect(app, id);
		psqlValue(`WITH f AS (INSERT INTO flows (name, status) VALUES ('revoke-guard-${id}', 'active')
		    RETURNING id) INSERT INTO flow_connections (flow_id, connection_id) SELECT id, ${id} FROM f RETURNING flow_id`);
		const calls = s.sf.revocations.length;
		const del = await deleteConnection(app, id);
		assert.equal(del.status, 409);
		assert.equal(s.sf.revocations.length, calls);
		assert.ok(storedTokens(id) > 0, 'its tokens stay');
	});
});

/** A per-user Salesforce connection two users connected: its refresh tokens. */
async function perUserConnectedTwice() {
	const { app, team } = await s.session();
	const c = s.client();
	const { id } = await s.salesforce(app, team, c, { context: 'per_user' });
	const other = makeUser({ teams: [{ name: team.name, role: 'member' }] });
	const otherApp = s.tether.client((await signIn(other.email, other.password)).jar);
	assert.equal((await s.connect(app, id, { login: 'pat' })).flash?.kind, 'success');
	assert.equal((await s.connect(otherApp, id, { login: 'quinn' })).flash?.kind, 'success');
	const refresh = refreshTokens(c);
	assert.equal(refresh.length, 2);
	return { app, c, id, refresh };
}

describe('Delete of a per-user connection', () => {
	test('every user\'s own refresh token is revoked, each once', async () => {
		const { app, c, id, refresh } = await perUserConnectedTwice();
		const calls = s.sf.revocations.length;
		assert.equal((await deleteConnection(app, id)).status, 303);
		assert.deepEqual(s.sf.revocations.slice(calls).map((r) => r.token).sort(), [...refresh].sort());
		assert.deepEqual(auditOf(id, 'connection_delete'),
		    [{ outcome: 'success', details: { revoke: 'revoked', revoked: 2, failed: 0 } }]);
		assert.equal(storedTokens(id), 0);
	});
});

describe('A user disconnects their own account', () => {
	test('per-user Salesforce: the user\'s refresh token revoked, their tokens and state gone, audited', async () => {
		const { app, team, user } = await s.session();
		const c = s.client();
		const { id } = await s.salesforce(app, team, c, { context: 'per_user' });
		const cb = await s.connect(app, id, { login: 'pat' });
		assert.equal(cb.flash?.kind, 'success', JSON.stringify(cb.flash));
		const [refresh] = refreshTokens(c);
		const details = await app.get(`/connections/${id}`);
		assert.match(details.text, new RegExp(`action="/connections/${id}/disconnect"`));
		const calls = s.sf.revocations.length;
		const csrf = await app.csrf(`/connections/${id}`);
		const r = await app.post(`/connections/${id}/disconnect`, { csrf });
		assert.equal(r.status, 303);
		assert.deepEqual(s.sf.revocations.slice(calls).map((x) => [x.token_type_hint, x.token, x.status]),
		    [['refresh_token', refresh, 200]]);
		assert.equal(storedTokens(id), 0);
		assert.equal(psqlValue(`SELECT count(*) FROM user_connection_states WHERE connection_id = ${id}
		    AND user_id = ${user.id}`), '0');
		assert.deepEqual(auditOf(id, 'connection_user_disconnect'),
		    [{ outcome: 'success', details: { revoke: 'revoked' } }]);
		const after = await app.get(`/connections/${id}`);
		assert.match(pageText(after.text), /Connect your own account/);
	});
});

// An Edit that changes where the tokens go (a login or instance URL, the
// client, the connection mode) destroys them in Tether; they are revoked at
// the OLD destination too, with the client as it was, once the edit is saved.
describe('An edit that drops the tokens', () => {
	let sf2;

	before(async () => {
		sf2 = await startOAuthServer({ tls: { ...s.pki.issue('as2', ['localhost', '127.0.0.1']), ca: s.ca },
			clients: [], routes: SF_ROUTES });
		s.cleanup(() => sf2.close());
	});

	/** Edit through the form (fields without "f."), saved anyway if its test fails. */
	async function edit(app, id, fields, extra = { save_anyway: '1' }) {
		const form = await app.get(`/connections/${id}/edit?confirm=1`);
		assert.equal(form.status, 200, pageText(form.text).slice(0, 300));
		const body = formSubmission(form.text);
		for (const [k, v] of Object.entries(fields))
			body[`f.${k}`] = v;
		Object.assign(body, extra);
		return app.followRun(await app.post(`/connections/${id}/edit`, body));
	}

	/** A connected Salesforce connection: its refresh token, the calls so far. */
	async function connected() {
		const { app, team } = await s.session();
		const c = s.client();
		const { id } = await s.salesforce(app, team, c);
		assert.equal((await s.connect(app, id)).flash?.kind, 'success');
		const [refresh] = refreshTokens(c);
		return { app, c, id, refresh, stored: storedTokens(id), calls: s.sf.revocations.length };
	}

	test('a changed login URL: the old refresh token revoked at the old provider, nothing sent to the new', async () => {
		const { app, c, id, refresh, stored, calls } = await connected();
		const grant = `SELECT concat_ws('|', identity_account, granted_scopes,
		    token_expires_at IS NOT NULL, refresh_token_expires_at IS NOT NULL)
		    FROM connections WHERE id = ${id}`;
		// Whose tokens these are (this stand-in's userinfo names no org: as
		// oauth-identity.test's provider would have).
		psql(`UPDATE connections SET identity_account = '00D000000000001' WHERE id = ${id}`);
		assert.match(psqlValue(grant), /^00D000000000001\|[^|]+\|t\|/, 'connected: whose, which scopes');
		const was = pageText((await app.get(`/connections/${id}`)).text);
		assert.match(was, /Connected as 00D000000000001/);
		assert.match(was, /Granted scopes/);
		const r = await edit(app, id, { login_url: sf2.url, client_secret: c.client_secret });
		assert.equal(r.status, 303, JSON.stringify(fieldErrors(r.text ?? '')));
		assert.equal(storedTokens(id), 0, 'the tokens are destroyed in Tether');
		// What the old grant said goes with it: no account, no scopes, no expiry.
		assert.equal(psqlValue(grant), 'f|f', 'the old grant\'s account, scopes and expiry');
		const details = pageText((await app.get(`/connections/${id}`)).text);
		assert.doesNotMatch(details, /Connected as|00D000000000001/, 'Details names no account');
		assert.doesNotMatch(details, /Granted scopes/, 'nor the old grant\'s scopes');
		assert.deepEqual(s.sf.revocations.slice(calls).map((x) => [x.client_id, x.token_type_hint, x.token, x.status]),
		    [[c.client_id, 'refresh_token', refresh, 200]], 'revoked once at the old provider');
		assert.deepEqual(sf2.revocations, [], 'nothing sent to the new destination');
		assert.equal(await s.sf.provider.RefreshToken.find(refresh), undefined);
		assert.deepEqual(auditOf(id, 'connection_edit_revoke'),
		    [{ outcome: 'success', details: { revoke: 'revoked' } }]);
		assertAbsent(refresh, { logs: stackLogs(), audit: psqlValue('SELECT string_agg(details::text, \' \') FROM audit_log') });
	});

	test('another client (consumer key): revoked with the client it was issued to', async () => {
		const { app, c, id, refresh, stored, calls } = await connected();
		const c2 = s.client();
		const r = await edit(app, id, { client_id: c2.client_id, client_secret: c2.client_secret });
		assert.equal(r.status, 303, JSON.stringify(fieldErrors(r.text ?? '')));
		assert.deepEqual(s.sf.revocations.slice(calls).map((x) => [x.client_id, x.token, x.status]),
		    [[c.client_id, refresh, 200]]);
		assert.equal(storedTokens(id), 0);
	});

	test('the old provider down: audited "failed" with its class, the edit saved', async () => {
		const { app, c, id } = await connected();
		s.sf.revocationStatus = 503;
		try {
			const r = await edit(app, id, { login_url: sf2.url, client_secret: c.client_secret });
			assert.equal(r.status, 303);
		} finally {
			s.sf.revocationStatus = null;
		}
		assert.deepEqual(auditOf(id, 'connection_edit_revoke'),
		    [{ outcome: 'success', details: { revoke: 'failed', revoke_class: 'http_503' } }]);
		assert.equal(storedTokens(id), 0);
		assert.deepEqual(sf2.revocations, []);
	});

	test('a new connection mode on a connector without a revocation endpoint: "not supported", nothing sent', async () => {
		const { app, c, r } = await httpConnected();
		const name = uniq('revoke-uplink');
		tetherctl('uplink', 'add', name, 'http://127.0.0.1:9');
		const uplink = psqlValue(`SELECT id FROM uplinks WHERE name = ${sqlString(name)}`);
		const calls = s.sf.revocations.length;
		const e = await edit(app, r.id, { client_secret: c.client_secret }, { uplink, save_anyway: '1' });
		assert.equal(e.status, 303, JSON.stringify(fieldErrors(e.text ?? '')));
		assert.equal(psqlValue(`SELECT uplink_id FROM connections WHERE id = ${r.id}`), uplink);
		assert.equal(s.sf.revocations.length, calls, 'nothing sent');
		assert.deepEqual(auditOf(r.id, 'connection_edit_revoke'),
		    [{ outcome: 'success', details: { revoke: 'not supported' } }]);
		assert.equal(storedTokens(r.id), 0);
	});

	test('a refused edit (the secret not entered again) revokes nothing, the tokens stay', async () => {
		const { app, c, id, refresh, stored, calls } = await connected();
		const r = await edit(app, id, { login_url: sf2.url });
		assert.equal(r.status, 422);
		assert.equal(s.sf.revocations.length, calls);
		assert.deepEqual(sf2.revocations, []);
		assert.equal(storedTokens(id), stored);
		assert.deepEqual(auditOf(id, 'connection_edit_revoke'), []);
	});

	test('an edit that keeps the destination revokes nothing', async () => {
		const { app, c, id, refresh, stored, calls } = await connected();
		const r = await edit(app, id, {}, { description: 'only the words', save_anyway: '1' });
		assert.equal(r.status, 303);
		assert.equal(s.sf.revocations.length, calls);
		assert.equal(storedTokens(id), stored);
	});

	test('per-user: each user\'s refresh token revoked at the old provider', async () => {
		const { app, c, id, refresh } = await perUserConnectedTwice();
		const calls = s.sf.revocations.length;
		const r = await edit(app, id, { login_url: sf2.url, client_secret: c.client_secret });
		assert.equal(r.status, 303, JSON.stringify(fieldErrors(r.text ?? '')));
		assert.deepEqual(s.sf.revocations.slice(calls).map((x) => x.token).sort(), [...refresh].sort());
		assert.deepEqual(sf2.revocations, []);
		assert.deepEqual(auditOf(id, 'connection_edit_revoke'),
		    [{ outcome: 'success', details: { revoke: 'revoked', revoked: 2, failed: 0 } }]);
		assert.equal(storedTokens(id), 0);
	});
});
