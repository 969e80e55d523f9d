// Reconnect comes back as the same account (issue 13 §6). Salesforce's
// identity is one call, GET {login URL}/services/oauth2/userinfo with the new
// access token: preferred_username names the account, organization_id is
// the org a reconnect must match. The stand-in (oidc-provider) answers with
// the org set per login (as.identityOf). A reconnect into another org is
// refused with a message and the old tokens stay (the new ones are revoked);
// an admin's "Connect a different account" is the explicit, audited way. The
// scopes granted are compared with those asked for.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startStandin } from '../fakes/http-standin.mjs';
import { consent, startOAuthServer } from '../fakes/oauth-server.mjs';
import { startProxy } from '../fakes/proxy.mjs';
import { marker } from '../fakes/secrets.mjs';
import { auditOf, identityStack } from '../lib/identity.mjs';
import { connRow, secretCipher } from '../lib/rows.mjs';
import { pageText, psql } from '../lib/stack.mjs';
import { startTether } from '../lib/tether.mjs';

const ORG_A = '00DA0000000acme';
const ORG_B = '00DB0000000other';
let s;

before(async () => {
	s = await identityStack({ clients: 30 });
	s.sf.identityOf.set('alice', { organization_id: ORG_A, preferred_username: 'alice@acme.example' });
	s.sf.identityOf.set('carol', { organization_id: ORG_A, preferred_username: 'carol@acme.example' });
	s.sf.identityOf.set('mallory', { organization_id: ORG_B, preferred_username: 'mallory@other.example' });
	s.sf.identityOf.set('nobody', { preferred_username: 'nobody@nowhere.example' });
});

after(async () => {
	await s?.close();
});

function identityRow(id, user = null) {
	const [r] = user === null ?
	    psql(`SELECT identity_account, identity_tenant FROM connections WHERE id = ${id}`) :
	    psql(`SELECT identity_account, identity_tenant FROM user_connection_states
		WHERE connection_id = ${id} AND user_id = ${user}`);
	return r;
}

async function connectedSalesforce(opts = {}) {
	const sess = await s.session(opts.session);
	const { id } = await s.salesforce(sess.app, sess.team, s.client(), opts);
	const cb = await s.connect(sess.app, id, { login: 'alice' });
	assert.equal(cb.flash?.kind, 'success', JSON.stringify(cb.flash));
	return { ...sess, id };
}

describe('Connected as', () => {
	test('Connect stores the account and org; Details shows "Connected as"', async () => {
		const { app, id } = await connectedSalesforce();
		assert.deepEqual(identityRow(id), ['alice@acme.example', ORG_A]);
		const d = pageText((await app.get(`/connections/${id}`)).text);
		assert.match(d, new RegExp(`Connected as alice@acme\\.example · org ${ORG_A}`));
	});

	test('a reconnect as another account of the same org goes through', async () => {
		const { app, id } = await connectedSalesforce();
		const cb = await s.connect(app, id, { login: 'carol' });
		assert.deepEqual(cb.flash, { kind: 'success', message: 'Reconnected. Test: The connection works.' });
		assert.deepEqual(identityRow(id), ['carol@acme.example', ORG_A]);
	});
});

describe('A reconnect into another org is refused', () => {
	test('shared: the message says so, the old tokens and identity stay, the new tokens are revoked, audited', async () => {
		const { app, id } = await connectedSalesforce();
		const before = [secretCipher(id, 'access_token'), secretCipher(id, 'refresh_token'), connRow(id).status];
		const revoked = s.sf.revocations.length;
		const cb = await s.connect(app, id, { login: 'mallory' });
		assert.equal(cb.flash?.kind, 'error');
		assert.equal(cb.flash.message, `Nothing changed: you signed in to another Salesforce org (${ORG_B}) as ` +
		    `mallory@other.example; this connection uses org ${ORG_A}. Sign in with an account of that org, ` +
		    'or ask an admin to Connect a different account.');
		assert.deepEqual([secretCipher(id, 'access_token'), secretCipher(id, 'refresh_token'), connRow(id).status], before,
		    'the old tokens stay');
		assert.deepEqual(identityRow(id), ['alice@acme.example', ORG_A]);
		assert.deepEqual(s.sf.revocations.slice(revoked).map((r) => [r.token_type_hint, r.status]),
		    [['refresh_token', 200]], 'the other org\'s new grant is revoked, not kept');
		assert.deepEqual(auditOf(id, 'connection_reconnect').map((a) => [a.outcome, a.details]),
		    [['denied', { reason: 'different account', tenant: ORG_B, account: 'mallory@other.example' }]]);
		// The old tokens still work.
		const t = await app.test(id);
		assert.match(t.flash?.message ?? '', /works/);
	});

	test('an org that cannot be read is refused too, saying so', async () => {
		const { app, id } = await connectedSalesforce();
		const cb = await s.connect(app, id, { login: 'nobody' });
		assert.equal(cb.flash?.message, 'Nothing changed: Tether could not confirm which Salesforce org you ' +
		    `signed in to, and this connection uses org ${ORG_A}. Try again later.`);
		assert.deepEqual(identityRow(id), ['alice@acme.example', ORG_A]);
	});

	test('per user: each user\'s own reconnect must come back as their own org', async () => {
		const { app, id, user } = await connectedSalesforce({ context: 'per_user' });
		assert.deepEqual(identityRow(id, user.id), ['alice@acme.example', ORG_A]);
		assert.deepEqual(identityRow(id), ['\\N', '\\N'], 'per user: not the connection\'s');
		const cb = await s.connect(app, id, { login: 'mallory' });
		assert.match(cb.flash?.message ?? '', /^Nothing changed: you signed in to another Salesforce org/);
		assert.deepEqual(identityRow(id, user.id), ['alice@acme.example', ORG_A]);
		const d = pageText((await app.get(`/connections/${id}`)).text);
		assert.match(d, new RegExp(`You are connected as alice@acme\\.example · org ${ORG_A}`));
	});
});

describe('Connect a different account', () => {
	test('an admin may, explicitly: the new org is stored and the change audited', async () => {
		const { app, id } = await connectedSalesforce();
		const d = (await app.get(`/connections/${id}`)).text;
		assert.match(d, new RegExp(`action="/connections/${id}/connect-other"`));
		const cb = await s.connect(app, id, { login: 'mallory', other: true });
		assert.deepEqual(cb.flash, { kind: 'success', message: 'Connected to a different account. Test: The connection works.' });
		assert.deepEqual(identityRow(id), ['mallory@other.example', ORG_B]);
		assert.deepEqual(auditOf(id, 'connection_connect_other_account_start').map((a) => a.outcome), ['success']);
		assert.deepEqual(auditOf(id, 'connection_connect_other_account').map((a) => [a.outcome, a.details]),
		    [['success', { from_account: 'alice@acme.example', from_tenant: ORG_A,
			account: 'mallory@other.example', tenant: ORG_B }]]);
		// From now on, the new org is the one a reconnect must match.
		const back = await s.connect(app, id, { login: 'alice' });
		assert.match(back.flash?.message ?? '', /^Nothing changed/);
	});

	test('a manager who is not an admin may not: no button, and the POST is refused', async () => {
		const { app, id } = await connectedSalesforce({ session: { admin: false } });
		const d = (await app.get(`/connections/${id}`)).text;
		assert.doesNotMatch(d, /connect-other/);
		const csrf = await app.csrf(`/connections/${id}`);
		const r = await app.post(`/connections/${id}/connect-other`, { csrf });
		assert.equal(r.status, 403);
		assert.deepEqual(identityRow(id), ['alice@acme.example', ORG_A]);
	});
});

describe('Granted scopes', () => {
	test('a scope asked for and not granted is shown, with a Reconnect that asks for it', async () => {
		const { app, id } = await connectedSalesforce({ scopes: 'openid offline_access api chatter_api' });
		const granted = psql(`SELECT granted_scopes FROM connections WHERE id = ${id}`)[0][0];
		assert.ok(!granted.split(' ').includes('chatter_api'), `granted: ${granted}`);
		const html = (await app.get(`/connections/${id}`)).text;
		assert.match(pageText(html), /Missing scopes: chatter_api ?\./);
		assert.match(html, /Reconnect to ask for them/);
		const rc = await app.reconnect(id);
		assert.match(new URL(rc.location).searchParams.get('scope'), /\bchatter_api\b/);
	});

	test('nothing missing: no note', async () => {
		const { app, id } = await connectedSalesforce();
		assert.doesNotMatch(pageText((await app.get(`/connections/${id}`)).text), /Missing scopes/);
	});
});

describe('Microsoft Graph: the tenant from the id token', () => {
	const TENANT_A = '72f988bf-86f1-41af-91ab-2d7cd011db47';
	const TENANT_B = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
	let ms;
	let proxied;
	let msClient;

	before(async () => {
		const tls = { ...s.pki.issue('ms', ['login.microsoftonline.com', 'graph.microsoft.com', '127.0.0.1']), ca: s.ca };
		msClient = { client_id: 'graph-identity', client_secret: marker('gid'), redirect_uris: [s.redirectUri],
			token_endpoint_auth_method: 'client_secret_post' };
		ms = await startOAuthServer({ tls, clients: [msClient], host: 'login.microsoftonline.com', idTokenClaims: true,
			routes: { authorization: '/contoso.onmicrosoft.com/oauth2/v2.0/authorize',
				token: '/contoso.onmicrosoft.com/oauth2/v2.0/token' } });
		s.cleanup(() => ms.close());
		ms.identityOf.set('alice', { tid: TENANT_A, preferred_username: 'alice@contoso.example' });
		ms.identityOf.set('mallory', { tid: TENANT_B, preferred_username: 'mallory@fabrikam.example' });
		const graph = await startStandin({ name: 'graph', tls, handler: async (req, res) => {
			const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
			const ok = m !== null && await ms.validAccessToken(m[1]);
			res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
			res.end(ok ? '{"id":"1"}' : '{"error":{"code":"InvalidAuthenticationToken"}}');
		} });
		s.cleanup(() => graph.close());
		const px = await startProxy({ 'login.microsoftonline.com:443': ms.port, 'graph.microsoft.com:443': graph.port });
		s.cleanup(() => px.close());
		proxied = await startTether({ replace: { 'outbound.ca_bundle': s.pki.caFile, 'outbound.proxy': px.url } });
		s.cleanup(() => proxied.stop());
	});

	async function connectMs(app, id, login) {
		const rc = await app.reconnect(id);
		assert.equal(rc.status, 303);
		return app.callback(await consent(rc.location, { ca: s.ca, login, origin: `https://127.0.0.1:${ms.port}` }));
	}

	test('Connected as the id token\'s account and tenant; another tenant refused', async () => {
		const sess = await s.session();
		const app = proxied.client(sess.jar);
		const r = await app.create({ connector: 'msgraph', protocol: 'oauth2_code', team: sess.team.id,
			fields: { tenant: 'contoso.onmicrosoft.com', client_id: msClient.client_id,
				client_secret: msClient.client_secret, scopes: 'openid offline_access User.Read' } });
		assert.equal(r.status, 200);
		assert.equal((await connectMs(app, r.id, 'alice')).flash?.kind, 'success');
		assert.deepEqual(identityRow(r.id), ['alice@contoso.example', TENANT_A]);
		assert.match(pageText((await app.get(`/connections/${r.id}`)).text),
		    new RegExp(`Connected as alice@contoso\\.example · tenant ${TENANT_A}`));
		const cb = await connectMs(app, r.id, 'mallory');
		assert.match(cb.flash?.message ?? '', new RegExp(`^Nothing changed: you signed in to another Microsoft Graph tenant \\(${TENANT_B}\\)`));
		assert.deepEqual(identityRow(r.id), ['alice@contoso.example', TENANT_A]);
	});
});
