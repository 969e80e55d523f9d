// tests/lib/identity.mjs — what the revoke and identity tests share (issue 13
// §5 §6): the OAuth stand-in at Salesforce's paths (its revocation endpoint
// at /services/oauth2/revoke, userinfo with an organization_id), a Tether
// of the tests trusting the test CA, Salesforce connections made and
// connected through it, and their audit entries.
//
//   const s = await identityStack({ clients: 8 });   // s.sf, s.tether, s.ca, s.client()
//   const { app, team } = await s.session();
//   const { id } = await s.salesforce(app, team, s.client(), { context: 'per_user' });
//   await s.connect(app, id, { login: 'alice' });      // the callback's answer
//   auditOf(id, 'connection_delete') -> [{ outcome, details }]
//   await s.close();

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { consent, startOAuthServer } from '../fakes/oauth-server.mjs';
import { makePki } from '../fakes/pki.mjs';
import { marker } from '../fakes/secrets.mjs';
import { confValue, managerSession, pageText, psql, sqlString } from './stack.mjs';
import { startTether } from './tether.mjs';

export const SF_ROUTES = { authorization: '/services/oauth2/authorize', token: '/services/oauth2/token',
	userinfo: '/services/oauth2/userinfo', revocation: '/services/oauth2/revoke' };

export async function identityStack({ clients: n = 8, front = false, replace = {} } = {}) {
	const cleanups = [];
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-identity-'));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	const pki = makePki(path.join(dir, 'ca'));
	const ca = pki.caPem;
	const tls = { ...pki.issue('as', ['localhost', '127.0.0.1']), ca };
	const tether = await startTether({ front, replace: { 'outbound.ca_bundle': pki.caFile, ...replace } });
	cleanups.push(() => tether.stop());
	const redirectUri = (front ? tether.url : confValue('http.base_url')).replace(/\/$/, '') +
	    '/oauth/callback';
	const clients = [];
	for (let i = 0; i < n; i++)
		clients.push({ client_id: `id-${i}`, client_secret: marker(`ids${i}`), redirect_uris: [redirectUri],
			token_endpoint_auth_method: i % 2 === 0 ? 'client_secret_post' : 'client_secret_basic' });
	const sf = await startOAuthServer({ tls, clients, routes: SF_ROUTES });
	cleanups.push(() => sf.close());
	let next = 0;
	const s = {
		sf, tether, ca, pki, redirectUri,
		/** Run fn at close (stand-ins a test adds). */
		cleanup(fn) {
			cleanups.push(fn);
		},
		/** A client of the provider for client_secret_post (Salesforce's). */
		client() {
			while (clients[next].token_endpoint_auth_method !== 'client_secret_post')
				next++;
			return clients[next++];
		},
		/** One for client_secret_basic (the generic HTTP connector's). */
		basicClient() {
			while (clients[next].token_endpoint_auth_method !== 'client_secret_basic')
				next++;
			return clients[next++];
		},
		async session(opts = { admin: true }) {
			const m = await managerSession(opts);
			return { ...m, app: tether.client(m.jar) };
		},
		/** A Salesforce connection at the stand-in (not connected yet): { id }. */
		async salesforce(app, team, c, { context = 'system', scopes = 'openid offline_access api' } = {}) {
			const r = await app.create({ connector: 'salesforce', protocol: 'oauth2_code', team: team.id,
				context, fields: { url: sf.url, login_url: sf.url, client_id: c.client_id,
					client_secret: c.client_secret, scopes } });
			assert.equal(r.status, context === 'system' ? 200 : 303, pageText(r.res.text).slice(0, 400));
			return { id: r.id };
		},
		/** Reconnect (or Connect), sign in at the provider as `login`, come back. */
		async connect(app, id, { login = 'alice', other = false } = {}) {
			let location;
			if (other) {
				const csrf = await app.csrf(`/connections/${id}`);
				const r = await app.post(`/connections/${id}/connect-other`, { csrf });
				assert.equal(r.status, 303, pageText(r.text).slice(0, 300));
				location = r.headers.get('location');
			} else {
				const rc = await app.reconnect(id);
				assert.equal(rc.status, 303, pageText(rc.res.text).slice(0, 300));
				location = rc.location;
			}
			return app.callback(await consent(location, { ca, login }));
		},
		async close() {
			for (const c of cleanups.reverse())
				await c();
		},
	};
	return s;
}

/** The audit entries of connection `id` with `action`, oldest first. */
export function auditOf(id, action) {
	return psql(`SELECT outcome, COALESCE(details::text, '') FROM audit_log
	    WHERE object_type = 'connection' AND object_id = ${Number(id)} AND action = ${sqlString(action)}
	    ORDER BY id`).map(([outcome, details]) => ({ outcome, details: details === '' ? null : JSON.parse(details) }));
}
