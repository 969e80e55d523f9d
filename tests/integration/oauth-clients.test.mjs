// Reusable OAuth 2.0 clients (issue 13 §1): /oauth-clients (managers and
// admins) creates, shows, edits, shares and deletes a client; ServiceNow
// connections pick it ("Use a saved client") instead of typing a client ID
// and secret; their authorize URL and token calls take the client's current
// ID and secret, so rotating the secret applies to every connection from its
// next refresh; a client in use cannot be deleted (the refusal lists the
// connections); the secret is never in a page or the audit trail.
//
// Against the OAuth stand-in (tests/fakes/oauth-server.mjs) over HTTPS, with
// a tether-fcgi of the test's own that trusts the test CA.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { consent, startOAuthServer } from '../fakes/oauth-server.mjs';
import { makePki } from '../fakes/pki.mjs';
import { marker } from '../fakes/secrets.mjs';
import {
	confValue, csrfFrom, flashOf, makeUser, managerSession, pageText, psql, psqlValue,
	signIn, tetherctl, uniq,
} from '../lib/stack.mjs';
import { apiCallFcgi } from '../lib/openapi.mjs';
import { formDefaults, startTether } from '../lib/tether.mjs';

const SN_ROUTES = { authorization: '/oauth_auth.do', token: '/oauth_token.do',
	revocation: '/oauth_revoke_token.do' };
const WORKING = 'The connection works.';

const cleanups = [];
let ca;
let sn;
let tether;
let registered;		// the client registered at the stand-in
let typed;		// another, typed into a connection (its own ID and secret)
const WRONG = marker('ocwrong');

before(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-oc-'));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	const pki = makePki(path.join(dir, 'ca'));
	ca = pki.caPem;
	const tls = { ...pki.issue('as', ['localhost', '127.0.0.1']), ca };
	const redirectUri = confValue('http.base_url').replace(/\/$/, '') + '/oauth/callback';
	registered = { client_id: uniq('oc-app'), client_secret: marker('ocsecret'),
		redirect_uris: [redirectUri], token_endpoint_auth_method: 'client_secret_post' };
	typed = { ...registered, client_id: uniq('oc-own'), client_secret: marker('ocown') };
	sn = await startOAuthServer({ tls, clients: [registered, typed], routes: SN_ROUTES,
		apiPaths: ['/api/'] });
	cleanups.push(() => sn.close());
	tether = await startTether({ replace: { 'outbound.ca_bundle': pki.caFile } });
	cleanups.push(() => tether.stop());
});

after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

async function manager(opts) {
	const s = await managerSession(opts);
	return { ...s, app: tether.client(s.jar) };
}

/** POST /oauth-clients as `who`; { status, id, res }. */
async function createClient(who, fields = {}) {
	const page = await who.app.get('/oauth-clients');
	assert.equal(page.status, 200, pageText(page.text).slice(0, 300));
	const r = await who.app.post('/oauth-clients', { csrf: csrfFrom(page.text),
		name: uniq('client'), team: who.team.id, kind: 'servicenow/oauth2_code',
		client_id: registered.client_id, client_secret: registered.client_secret,
		auth_method: 'client_secret_post', token_url: '', authorize_url: '', scopes: '',
		...fields });
	const m = /\/oauth-clients\/([0-9]+)$/.exec(r.headers.get('location') ?? '');
	return { status: r.status, id: m ? Number(m[1]) : null, res: r };
}

/** POST /oauth-clients/ID action=save with the page's values and `fields`. */
async function saveClient(who, id, fields) {
	const page = await who.app.get(`/oauth-clients/${id}`);
	const value = (n) => {
		const m = new RegExp(`name="${n}"[^>]*value="([^"]*)"`).exec(page.text);
		return m ? m[1] : '';
	};
	return who.app.post(`/oauth-clients/${id}`, { csrf: csrfFrom(page.text), action: 'save',
		client_id: value('client_id'), client_secret: '', auth_method: 'client_secret_post',
		token_url: '', authorize_url: '', scopes: '', ...fields });
}

/** A ServiceNow connection on saved client `clientId`, connected. */
async function connectedOn(who, clientId) {
	const r = await who.app.create({ connector: 'servicenow', protocol: 'oauth2_code',
		team: who.team.id, fields: { url: sn.url, client_id: null, client_secret: null,
			scopes: 'openid offline_access api' },
		extra: { client_source: 'saved', oauth_client: String(clientId) } });
	assert.equal(r.status, 200, pageText(r.res.text).slice(0, 600));
	const rc = await who.app.reconnect(r.id);
	assert.equal(rc.status, 303);
	assert.equal(new URL(rc.location).searchParams.get('client_id'), registered.client_id,
	    'the authorize URL carries the client\'s ID');
	const cb = await who.app.callback(await consent(rc.location, { ca }));
	assert.equal(cb.flash?.message, `Connected. Test: ${WORKING}`);
	psql(`UPDATE jobs SET run_at = now() + interval '1 day' WHERE kind = 'check'
	    AND connection_id = ${r.id}`);
	return r.id;
}

function refreshCalls(from) {
	return sn.tokenCalls.slice(from).filter((c) => c.grant_type === 'refresh_token');
}

describe('OAuth clients', () => {
	test('managers create one; its page shows the ID, never the secret; viewers and other teams are kept out', async () => {
		const who = await manager();
		const c = await createClient(who);
		assert.equal(c.status, 303, pageText(c.res.text).slice(0, 400));
		const page = await who.app.get(`/oauth-clients/${c.id}`);
		assert.equal(page.status, 200);
		assert.match(pageText(page.text), new RegExp(`Client ID ${registered.client_id}`));
		assert.match(pageText(page.text), /Client secret Stored, last changed on/);
		assert.ok(!page.text.includes(registered.client_secret), 'no secret in the page');
		const list = await who.app.get('/oauth-clients');
		assert.match(list.text, new RegExp(`href="/oauth-clients/${c.id}"`));
		// The sealed secret: neither the value nor its field in plain text.
		assert.equal(psqlValue(`SELECT count(*) FROM oauth_client_secrets WHERE oauth_client_id =
		    ${c.id} AND position('${registered.client_secret}' in encode(ciphertext, 'escape')) = 0`), '1');
		const audit = psql(`SELECT action, details::text FROM audit_log WHERE object_type =
		    'oauth_client' AND object_id = ${c.id}`);
		assert.deepEqual(audit.map((a) => a[0]), ['oauth_client_create']);
		assert.ok(!audit.some((a) => a[1].includes(registered.client_secret)));

		const other = await manager();
		assert.equal((await other.app.get(`/oauth-clients/${c.id}`)).status, 404,
		    'another team\'s manager does not see it');
		const viewer = makeUser({ teams: [{ name: who.team.name, role: 'viewer' }] });
		const v = tether.client((await signIn(viewer.email, viewer.password)).jar);
		assert.equal((await v.get('/oauth-clients')).status, 403, 'a viewer is no manager');

		// Shared for use: the other team sees it and may pick it, not edit it.
		const pg = await who.app.get(`/oauth-clients/${c.id}`);
		const sh = await who.app.post(`/oauth-clients/${c.id}`, { csrf: csrfFrom(pg.text),
			action: 'share', team: other.team.id, permission: 'use' });
		assert.equal(sh.status, 303);
		assert.equal((await other.app.get(`/oauth-clients/${c.id}`)).status, 200);
		const denied = await saveClient(other, c.id, { client_id: 'taken-over' });
		assert.equal(denied.status, 403);
		const form = await other.app.get('/connections/new?connector=servicenow&protocol=oauth2_code');
		assert.match(form.text, new RegExp(`<option value="${c.id}"`), 'in the picker of the other team');
	});

	test('a connection on a saved client connects with it; rotating the secret applies to both connections at their next refresh', async () => {
		const who = await manager();
		const c = await createClient(who);
		const one = await connectedOn(who, c.id);
		const two = await connectedOn(who, c.id);
		for (const id of [one, two]) {
			assert.equal(psqlValue(`SELECT oauth_client_id FROM connections WHERE id = ${id}`), String(c.id));
			assert.equal(psqlValue(`SELECT count(*) FROM connection_secrets WHERE connection_id = ${id}
			    AND field = 'client_secret'`), '0', 'no secret of its own');
			assert.equal(psqlValue(`SELECT settings ? 'client_id' FROM connections WHERE id = ${id}`), 'f');
			const details = await who.app.get(`/connections/${id}`);
			assert.match(details.text, new RegExp(`<a href="/oauth-clients/${c.id}">`), 'Details link the client');
			assert.match(pageText(details.text), /Client secret From the OAuth client/);
		}
		const expiring = () => psql(`UPDATE connections SET token_expires_at = now() + interval '10 seconds'
		    WHERE id IN (${one}, ${two})`);

		// A wrong secret: the very next refresh of each connection presents it.
		let from = sn.tokenCalls.length;
		let r = await saveClient(who, c.id, { client_secret: WRONG });
		assert.equal(r.status, 303);
		assert.match(flashOf(r)?.message ?? '', /every connection from its next token call/);
		expiring();
		await who.app.test(one);
		await who.app.test(two);
		assert.deepEqual(refreshCalls(from).map((t) => [t.client_id, t.status]),
		    [[registered.client_id, 401], [registered.client_id, 401]], JSON.stringify(refreshCalls(from)));

		// The right one again: both refresh with it.
		from = sn.tokenCalls.length;
		r = await saveClient(who, c.id, { client_secret: registered.client_secret });
		assert.equal(r.status, 303);
		expiring();
		assert.equal((await who.app.test(one)).flash.message, WORKING);
		assert.equal((await who.app.test(two)).flash.message, WORKING);
		assert.deepEqual(refreshCalls(from).map((t) => t.status), [200, 200]);
		const audit = psql(`SELECT details::text FROM audit_log WHERE object_type = 'oauth_client'
		    AND object_id = ${c.id}`).map((a) => a[0]).join('\n');
		assert.ok(!audit.includes(WRONG) && !audit.includes(registered.client_secret));
		for (const p of who.app.pages)
			assert.ok(!p.includes(WRONG) && !p.includes(registered.client_secret), 'no secret in any page');
	});

	test('a client in use cannot be deleted: the refusal lists the connections; unused, it can', async () => {
		const who = await manager();
		const c = await createClient(who);
		const id = await connectedOn(who, c.id);
		const name = psqlValue(`SELECT name FROM connections WHERE id = ${id}`);
		let page = await who.app.get(`/oauth-clients/${c.id}`);
		const r = await who.app.post(`/oauth-clients/${c.id}`, { csrf: csrfFrom(page.text),
			action: 'delete' });
		assert.equal(r.status, 409);
		assert.match(pageText(r.text), /can't be deleted/);
		assert.match(r.text, new RegExp(`href="/connections/${id}">${name}<`));
		assert.equal(psqlValue(`SELECT count(*) FROM oauth_clients WHERE id = ${c.id}`), '1');

		page = await who.app.get(`/connections/${id}/delete`);
		const del = await who.app.post(`/connections/${id}/delete`, { csrf: csrfFrom(page.text),
			confirm: 'yes' });
		assert.equal(del.status, 303, pageText(del.text).slice(0, 300));
		page = await who.app.get(`/oauth-clients/${c.id}`);
		const ok = await who.app.post(`/oauth-clients/${c.id}`, { csrf: csrfFrom(page.text),
			action: 'delete' });
		assert.equal(ok.status, 303);
		assert.equal(psqlValue(`SELECT count(*) FROM oauth_clients WHERE id = ${c.id}`), '0');
		assert.equal(psqlValue(`SELECT count(*) FROM audit_log WHERE object_type = 'oauth_client'
		    AND object_id = ${c.id} AND action = 'oauth_client_delete'`), '1');
	});

	test('deleting a connection on a saved client revokes its token with the client\'s credentials', async () => {
		const who = await manager();
		const { id: clientId } = await createClient(who);
		const id = await connectedOn(who, clientId);
		const calls = sn.revocations.length;
		const csrf = csrfFrom((await who.app.get(`/connections/${id}/delete`)).text);
		const del = await who.app.post(`/connections/${id}/delete`, { csrf, confirm: 'yes' });
		assert.equal(del.status, 303, pageText(del.text).slice(0, 300));
		assert.deepEqual(sn.revocations.slice(calls).map((r) => [r.client_id, r.token_type_hint, r.status]),
		    [[registered.client_id, 'refresh_token', 200]], 'revoked, authenticated as the saved client');
		assert.equal(psqlValue(`SELECT details->>'revoke' FROM audit_log WHERE object_type = 'connection'
		    AND object_id = ${id} AND action = 'connection_delete'`), 'revoked');
	});

	test('"+" from the New connection form keeps its values and comes back with the new client selected', async () => {
		const who = await manager();
		const form = await who.app.get('/connections/new?connector=servicenow&protocol=oauth2_code');
		const name = uniq('kept');
		const typed = marker('typedsecret');
		const r = await who.app.post('/connections', { csrf: csrfFrom(form.text),
			connector: 'servicenow', protocol: 'oauth2_code', api_type: '', shown: 'oauth2_code/',
			name, description: 'kept across', team: who.team.id, context: 'system',
			'f.url': sn.url, 'f.client_id': '', 'f.client_secret': typed,
			'f.scopes': 'openid api', client_source: 'saved', oauth_client: '',
			client_action: 'new' });
		assert.equal(r.status, 303);
		const loc = new URL(r.headers.get('location'), 'http://x');
		assert.equal(loc.pathname, '/oauth-clients');
		const draft = loc.searchParams.get('draft');
		assert.ok(!psqlValue(`SELECT form FROM oauth_client_drafts WHERE token = '${draft}'`).includes(typed),
		    'no secret in the draft');
		const c = await createClient(who, { draft });
		assert.equal(c.status, 303);
		const back = new URL(c.res.headers.get('location'), 'http://x');
		assert.equal(back.pathname, '/connections/new');
		const id = back.searchParams.get('oauth_client');
		const again = await who.app.get(back.pathname + back.search);
		assert.equal(again.status, 200);
		assert.match(again.text, new RegExp(`name="name"[^>]*value="${name}"`));
		assert.match(again.text, /kept across/);
		assert.match(again.text, new RegExp(`<option value="${id}" selected>`));
		assert.match(again.text, /value="saved" checked/);
		assert.ok(!again.text.includes(typed));
		// Another user cannot use the draft.
		const other = await manager();
		const theirs = await other.app.get(back.pathname + back.search);
		assert.ok(!theirs.text.includes(name));
	});

	test('a saved client that is not the user\'s to use is refused', async () => {
		const who = await manager();
		const c = await createClient(who);
		const other = await manager();
		const r = await other.app.create({ connector: 'servicenow', protocol: 'oauth2_code',
			team: other.team.id, fields: { url: sn.url, client_id: null, client_secret: null },
			extra: { client_source: 'saved', oauth_client: String(c.id) } });
		assert.equal(r.status, 422);
		assert.match(pageText(r.res.text), /Choose a saved OAuth client/);
		// "Use a saved client" left checked, none chosen, a client ID typed: the typed one.
		const own = await who.app.create({ connector: 'servicenow', protocol: 'oauth2_code',
			team: who.team.id, fields: { url: sn.url, client_id: registered.client_id,
				client_secret: registered.client_secret },
			extra: { client_source: 'saved', oauth_client: '' } });
		assert.equal(own.status, 200, pageText(own.res.text).slice(0, 400));
		assert.equal(psqlValue(`SELECT oauth_client_id IS NULL FROM connections WHERE id = ${own.id}`), 't');
	});

	test('tetherctl rotate-key re-encrypts client secrets, and the next refresh still works', async () => {
		const who = await manager();
		const c = await createClient(who);
		const id = await connectedOn(who, c.id);
		const r = tetherctl('rotate-key', { check: false, env: { POSIXLY_CORRECT: '1' }, timeoutMs: 240000 });
		assert.equal(r.status, 0, r.stderr);
		assert.equal(psqlValue(`SELECT count(*) FROM oauth_client_secrets WHERE key_version <
		    (SELECT max(version) FROM vault_keys)`), '0', 'every client secret is in the newest key');
		const from = sn.tokenCalls.length;
		psql(`UPDATE connections SET token_expires_at = now() + interval '10 seconds' WHERE id = ${id}`);
		assert.equal((await who.app.test(id)).flash.message, WORKING);
		assert.deepEqual(refreshCalls(from).map((t) => t.status), [200]);
	});
});

/** The edit form's values as the browser would send them (secrets empty). */
async function editForm(who, id) {
	const page = await who.app.get(`/connections/${id}/edit?confirm=1`);
	assert.equal(page.status, 200, pageText(page.text).slice(0, 300));
	const body = {};
	for (const m of page.text.matchAll(/<input type="hidden" name="([a-z_]+)" value="([^"]*)">/g))
		body[m[1]] = m[2];
	body.name = /id="f-name"[^>]*value="([^"]*)"/.exec(page.text)[1];
	body.description = '';
	for (const [k, v] of Object.entries(formDefaults(page.text)))
		body[`f.${k}`] = v;
	// The picker as the browser sends it: the checked source, the selected client.
	const src = /name="client_source" value="([a-z]+)" checked/.exec(page.text);
	if (src !== null)
		body.client_source = src[1];
	const sel = /<select[^>]*name="oauth_client"[^>]*>[\s\S]*?<option value="([0-9]*)" selected>/.exec(page.text);
	body.oauth_client = sel !== null ? sel[1] : '';
	return { page, body };
}

describe('the edit form', () => {
	test('a connection with its own client ID and secret moves to a saved client; its pencil comes back to the edit form', async () => {
		const who = await manager();
		const c = await createClient(who);
		const r = await who.app.create({ connector: 'servicenow', protocol: 'oauth2_code',
			team: who.team.id, fields: { url: sn.url, client_id: registered.client_id,
				client_secret: registered.client_secret, scopes: 'openid offline_access api' },
			extra: { client_source: 'own' } });
		assert.equal(r.status, 200, pageText(r.res.text).slice(0, 600));
		assert.equal(psqlValue(`SELECT oauth_client_id IS NULL FROM connections WHERE id = ${r.id}`), 't');

		// The pencil on the edit form: to the client, and back with the form.
		let { body } = await editForm(who, r.id);
		const away = await who.app.post(`/connections/${r.id}/edit`, { ...body,
			client_source: 'saved', oauth_client: String(c.id), client_action: 'edit' });
		assert.equal(away.status, 303);
		const at = new URL(away.headers.get('location'), 'http://x');
		assert.equal(at.pathname, `/oauth-clients/${c.id}`);
		const saved = await saveClient(who, c.id, { draft: at.searchParams.get('draft') });
		assert.equal(saved.status, 303);
		const back = new URL(saved.headers.get('location'), 'http://x');
		assert.equal(back.pathname, `/connections/${r.id}/edit`);
		const form = await who.app.get(back.pathname + back.search);
		assert.equal(form.status, 200, pageText(form.text).slice(0, 300));
		assert.match(form.text, new RegExp(`<option value="${c.id}" selected>`));
		assert.match(form.text, /value="saved" checked/);

		// Save on the saved client: the connection's own secret and tokens go.
		({ body } = await editForm(who, r.id));
		const s = await who.app.post(`/connections/${r.id}/edit`, { ...body, 'f.client_id': '',
			client_source: 'saved', oauth_client: String(c.id) });
		assert.equal(s.status, 303, pageText(s.text).slice(0, 600));
		assert.equal(psqlValue(`SELECT oauth_client_id FROM connections WHERE id = ${r.id}`), String(c.id));
		assert.equal(psqlValue(`SELECT count(*) FROM connection_secrets WHERE connection_id = ${r.id}
		    AND field = 'client_secret'`), '0');
		const rc = await who.app.reconnect(r.id);
		assert.equal(new URL(rc.location).searchParams.get('client_id'), registered.client_id);
		const cb = await who.app.callback(await consent(rc.location, { ca }));
		assert.match(cb.flash?.message ?? '', /^(Re)?[Cc]onnected\. Test: The connection works\.$/);
		// The page with a saved client: nothing changed, nothing saved.
		({ body } = await editForm(who, r.id));
		const same = await who.app.post(`/connections/${r.id}/edit`, body);
		assert.equal(same.status, 303);
		assert.equal(flashOf(same)?.message, 'Nothing changed, so nothing was saved.');
	});
});

describe('client credentials', () => {
	test('a generic HTTP connection takes the client\'s token URL, ID and secret; scopes outside the allowed ones are refused', async () => {
		const who = await manager();
		const tokenUrl = `${sn.url}${SN_ROUTES.token}`;
		const c = await createClient(who, { kind: 'http/oauth2_client', token_url: tokenUrl,
			scopes: 'api' });
		assert.equal(c.status, 303, pageText(c.res.text).slice(0, 400));
		const from = sn.tokenCalls.length;
		const r = await who.app.create({ connector: 'http', protocol: 'oauth2_client',
			team: who.team.id, fields: { url: `${sn.url}/api`, test_path: '/now', test_status: '200',
				token_url: null, client_id: null, client_secret: null, scopes: '' },
			extra: { client_source: 'saved', oauth_client: String(c.id) } });
		assert.equal(r.status, 303, pageText(r.res.text).slice(0, 600));
		assert.equal(r.flash?.message ?? '', `Connection "${r.name}" created. Test: ${WORKING}`);
		assert.deepEqual(sn.tokenCalls.slice(from).map((t) => [t.grant_type, t.client_id, t.status]),
		    [['client_credentials', registered.client_id, 200]]);
		assert.equal(psqlValue(`SELECT settings ? 'token_url' FROM connections WHERE id = ${r.id}`), 'f');
		assert.equal(psqlValue(`SELECT details->>'oauth_client_id' FROM audit_log WHERE object_type =
		    'connection' AND object_id = ${r.id} AND action = 'connection_create'`), String(c.id),
		    'the audit entry names the client');

		const bad = await who.app.create({ connector: 'http', protocol: 'oauth2_client',
			team: who.team.id, fields: { url: `${sn.url}/api`, test_path: '/now', test_status: '200',
				token_url: null, client_id: null, client_secret: null, scopes: 'api admin' },
			extra: { client_source: 'saved', oauth_client: String(c.id) } });
		assert.equal(bad.status, 422);
		assert.match(pageText(bad.res.text), /allows only these scopes: api\./);
	});

	test('a token URL on a connector whose token URL is fixed is refused', async () => {
		const who = await manager();
		const c = await createClient(who, { token_url: 'https://elsewhere.example/token' });
		assert.equal(c.status, 422);
		assert.match(pageText(c.res.text), /token URL is fixed/);
	});
});

// The JSON API sets oauth_client_id too (issue 13 §1): from a typed client ID
// and secret to a saved client and back, each a new destination (the tokens
// go, revoked at the provider with the client they were issued to), and the
// next token call takes the credentials chosen.
describe('the API switches between a typed client and a saved one', () => {
	/** PATCH /api/v1/connections/ID at the connection's version (checked against the document). */
	async function patch(token, id, body) {
		const version = Number(psqlValue(`SELECT version FROM connections WHERE id = ${id}`));
		return apiCallFcgi(tether.sock, 'PATCH', `/api/v1/connections/${id}`, token,
		    { version, save_anyway: true, ...body });
	}

	/** Reconnect through the pages: the authorize URL's client_id, and the code's token call. */
	async function reconnectAs(who, id) {
		const rc = await who.app.reconnect(id);
		assert.equal(rc.status, 303, pageText(rc.res.text).slice(0, 300));
		const from = sn.tokenCalls.length;
		const cb = await who.app.callback(await consent(rc.location, { ca }));
		assert.match(cb.flash?.message ?? '', /^(Re)?[Cc]onnected\. Test: The connection works\.$/);
		return { authorizeClient: new URL(rc.location).searchParams.get('client_id'),
			tokenCalls: sn.tokenCalls.slice(from).map((t) => [t.grant_type, t.client_id, t.status]) };
	}

	const clientOf = (id) => psqlValue(`SELECT COALESCE(oauth_client_id::text, 'none') FROM connections WHERE id = ${id}`);
	const ownSecret = (id) => psqlValue(`SELECT count(*) FROM connection_secrets WHERE connection_id = ${id}
	    AND field = 'client_secret'`);

	test('typed -> saved -> typed: the next token call uses the chosen credentials; back asks for the secret again', async () => {
		const who = await manager();
		const token = tetherctl('token', 'add', who.user.email, uniq('oc-api'), '--scopes',
		    'connections:read,connections:write').trim();
		const c = await createClient(who);
		assert.equal(c.status, 303);
		const r = await who.app.create({ connector: 'servicenow', protocol: 'oauth2_code',
			team: who.team.id, fields: { url: sn.url, client_id: typed.client_id,
				client_secret: typed.client_secret, scopes: 'openid offline_access api' },
			extra: { client_source: 'own' } });
		assert.equal(r.status, 200, pageText(r.res.text).slice(0, 600));
		let at = await reconnectAs(who, r.id);
		assert.equal(at.authorizeClient, typed.client_id);
		assert.deepEqual(at.tokenCalls, [['authorization_code', typed.client_id, 200]]);

		// To the saved client: its ID and secret from now on; the typed
		// client's tokens go, revoked with the typed client.
		let revocations = sn.revocations.length;
		const toSaved = await patch(token, r.id, { oauth_client_id: c.id });
		assert.equal(toSaved.status, 200, toSaved.text);
		assert.equal(toSaved.json.oauth_client_id, c.id);
		assert.equal(clientOf(r.id), String(c.id));
		assert.equal(ownSecret(r.id), '0', 'the typed secret is gone');
		assert.deepEqual(sn.revocations.slice(revocations).map((x) => [x.client_id, x.token_type_hint, x.status]),
		    [[typed.client_id, 'refresh_token', 200]]);
		at = await reconnectAs(who, r.id);
		assert.equal(at.authorizeClient, registered.client_id);
		assert.deepEqual(at.tokenCalls, [['authorization_code', registered.client_id, 200]]);

		// Back to a typed client: without its secret refused (a new
		// destination gets no stored secret), nothing changed.
		const version = psqlValue(`SELECT version FROM connections WHERE id = ${r.id}`);
		const bare = await patch(token, r.id, { oauth_client_id: null, settings: { client_id: typed.client_id } });
		assert.equal(bare.status, 422, bare.text);
		assert.match(bare.json.fields['secrets.client_secret'] ?? '', /^Enter this again/);
		assert.equal(clientOf(r.id), String(c.id));
		assert.equal(psqlValue(`SELECT version FROM connections WHERE id = ${r.id}`), version);
		revocations = sn.revocations.length;
		const back = await patch(token, r.id, { oauth_client_id: null, settings: { client_id: typed.client_id },
			secrets: { client_secret: typed.client_secret } });
		assert.equal(back.status, 200, back.text);
		assert.equal(back.json.oauth_client_id ?? null, null);
		assert.equal(clientOf(r.id), 'none');
		assert.equal(ownSecret(r.id), '1');
		assert.deepEqual(sn.revocations.slice(revocations).map((x) => [x.client_id, x.status]),
		    [[registered.client_id, 200]], 'the saved client\'s tokens revoked with the saved client');
		at = await reconnectAs(who, r.id);
		assert.equal(at.authorizeClient, typed.client_id);
		assert.deepEqual(at.tokenCalls, [['authorization_code', typed.client_id, 200]]);
		for (const a of [toSaved, bare, back])
			for (const secret of [typed.client_secret, registered.client_secret])
				assert.ok(!a.text.includes(secret), 'no secret in an answer');
	});
});
