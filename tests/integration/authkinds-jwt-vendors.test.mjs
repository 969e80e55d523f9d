// The JWT flows of Salesforce and Microsoft (issue 16 §1), declared as data
// (OAuth.assertion): the private key, sealed in the vault, signs an RS256
// assertion in Tether (libcrypto) that the vendor's token endpoint (a
// stand-in behind the CONNECT proxy, verifying with node:crypto) exchanges
// for an access token; the token then passes the connector's test call.
// - Salesforce JWT bearer flow: iss the consumer key, sub the username, aud
//   the login host (production, sandbox), exp in 3 minutes; "Connected as"
//   the user · org from userinfo; instance_url kept with the token.
// - Microsoft Entra ID client credentials with a certificate: the header's
//   x5t and x5t#S256 are the certificate's thumbprints; aud the token URL,
//   iss = sub = the client id, jti, nbf/iat/exp; the certificate's notAfter
//   is its secret's expiry.
// A key the vendor does not know is "bad credentials"; the credentials API
// hands out the token in the OAuth shape (never the key); no private key
// reaches a page, log, table or the wire.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { rsaKey, selfSigned } from '../fakes/jwt-token.mjs';
import { assertAbsent, assertNotInDatabase, stackLogs } from '../fakes/secrets.mjs';
import { runCleanups } from '../lib/authkinds.mjs';
import { jwtVendorsTether } from '../lib/jwt-vendors.mjs';
import { flowAdd } from '../lib/lifecycle/lc.mjs';
import { connRow, lastTest } from '../lib/rows.mjs';
import { fcgiRequest } from '../lib/fcgi.mjs';
import { managerSession, pageText, psql, tetherctl, uniq } from '../lib/stack.mjs';
import { startTether } from '../lib/tether.mjs';

const cleanups = [];
const apps = [];
const CONSUMER_KEY = '3MVG9rFJvQRVOvk5nd6A4swCyck.4BFLnjFuASqNZmmxzpQSFWSTe6lWQxtF3L5soyVLfjV3yBKkjcePAsPzi';
const USER = 'integration@acme.example';
const ORG = '00D5e000000AbCdEAK';
const TENANT = 'acme.onmicrosoft.com';
const CLIENT = '6731de76-14a6-49ae-97bc-6eba6914391e';
let tether;
let vendors;
let px;
let dir;
let sf;
let other;
let ms;

before(async () => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-jwt-vendors-'));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	sf = rsaKey();
	other = rsaKey();
	ms = selfSigned(dir, 'tether-graph', 40);
	({ vendors, px, tether } = await jwtVendorsTether(cleanups, dir, {
		salesforce: { [CONSUMER_KEY]: { publicPem: sf.publicPem, users: { [USER]: ORG } } },
		microsoft: { [TENANT]: { [CLIENT]: ms.cert } } }));
});

after(() => runCleanups(cleanups));

async function create(connector, protocol, fields) {
	const s = await managerSession({ admin: true });
	const app = tether.client(s.jar);
	apps.push(app);
	const c = await app.create({ connector, protocol, team: s.team.id, fields });
	assert.equal(c.status, 303, pageText(c.res.text).slice(0, 400));
	return { ...c, app, s, row: lastTest(c.id) };
}

const salesforce = (fields = {}) => create('salesforce', 'jwt_bearer', { login_url: 'https://login.salesforce.com',
	client_id: CONSUMER_KEY, username: USER, private_key: sf.pem, ...fields });
const entra = (fields = {}) => create('entra-id', 'client_certificate', { tenant: TENANT, client_id: CLIENT,
	certificate: ms.cert, private_key: ms.key, ...fields });

/** What a flow gets: a token of the connection's creator, as engine. */
async function credentials(c) {
	const id = c.id;
	const engine = tetherctl('token', 'add', c.s.user.email, uniq('tok'), '--scopes', 'connections:use').trim();
	const flow = flowAdd({ connections: [id] });
	// Through this test's Tether: a new token goes through its proxy.
	const r = await fcgiRequest(tether.sock, { method: 'POST', uri: `/api/v1/connections/${id}/credentials`,
		body: JSON.stringify({ flow_id: flow.id, bypass_status: true }), contentType: 'application/json',
		headers: { authorization: `Bearer ${engine}` }, timeoutMs: 60000 });
	assert.equal(r.status, 200, r.text);
	return JSON.parse(r.text);
}

function tokenRequest() {
	return vendors.requests.findLast((r) => r.method === 'POST');
}

test('Salesforce JWT bearer: the assertion as Salesforce checks it, ok, Connected as the user · org', async () => {
	const c = await salesforce();
	assert.deepEqual([c.row.result, connRow(c.id).status], ['ok', 'ok'], c.row.message);
	const rec = tokenRequest();
	assert.equal(rec.verdict, 'ok');
	assert.equal(rec.headers.host, 'login.salesforce.com');
	assert.equal(rec.path, '/services/oauth2/token');
	assert.equal(rec.headers['content-type'], 'application/x-www-form-urlencoded');
	const form = new URLSearchParams(rec.body);
	assert.deepEqual([...form.keys()].sort(), ['assertion', 'grant_type'], 'no client secret, no stray field');
	assert.deepEqual(rec.header, { alg: 'RS256', typ: 'JWT' });
	assert.deepEqual(Object.keys(rec.claims).sort(), ['aud', 'exp', 'iss', 'sub']);
	assert.deepEqual([rec.claims.iss, rec.claims.sub, rec.claims.aud],
	    [CONSUMER_KEY, USER, 'https://login.salesforce.com']);
	const ahead = rec.claims.exp - Math.floor(rec.at / 1000);
	assert.ok(ahead >= 170 && ahead <= 181, `exp is 3 minutes ahead (${ahead} s)`);
	// The token then passes the test call, which says who it is.
	const info = vendors.requests.at(-1);
	assert.equal(info.path, '/services/oauth2/userinfo');
	assert.match(info.headers.authorization, /^Bearer 00D!/);
	assert.deepEqual(psql(`SELECT identity_account, identity_tenant FROM connections WHERE id = ${c.id}`)[0],
	    [USER, ORG]);
	assert.match(pageText((await c.app.get(`/connections/${c.id}`)).text),
	    new RegExp(`Connected as ${USER.replace(/\./g, '\\.')} · org ${ORG}`));
	assert.deepEqual(px.connects.filter((h) => /salesforce/.test(h)).at(-1), 'login.salesforce.com:443');
	// A flow gets the access token and the org's instance URL, never the key;
	// Salesforce's token states no lifetime, so each ask signs a new assertion.
	const posts = () => vendors.requests.filter((r) => r.method === 'POST').length;
	const before = posts();
	const j = await credentials(c);
	assert.equal(posts(), before + 1, 'a token asked for again');
	assert.equal(tokenRequest().verdict, 'ok');
	assert.equal(j.type, 'oauth2');
	assert.equal(j.token_type, 'Bearer');
	assert.match(j.access_token, /^00D!/);
	assert.equal(j.instance_url, 'https://acme.my.salesforce.com');
	assert.equal(JSON.stringify(j).includes('PRIVATE KEY'), false);
});

test('Salesforce sandbox: the login host is the audience and the endpoint', async () => {
	const c = await salesforce({ login_url: 'https://test.salesforce.com' });
	assert.equal(c.row.result, 'ok', c.row.message);
	const rec = tokenRequest();
	assert.deepEqual([rec.headers.host, rec.claims.aud], ['test.salesforce.com', 'https://test.salesforce.com']);
});

test('Salesforce: a key the connected app does not have, or a user not pre-authorised: bad credentials', async () => {
	const k = await salesforce({ private_key: other.pem });
	assert.deepEqual([k.row.result, tokenRequest().verdict], ['bad_credentials', 'bad signature']);
	const u = await salesforce({ username: 'someone@acme.example' });
	assert.deepEqual([u.row.result, tokenRequest().verdict], ['bad_credentials', 'unknown sub']);
	const i = await salesforce({ client_id: '3MVG9unknown' });
	assert.deepEqual([i.row.result, tokenRequest().verdict], ['bad_credentials', 'unknown iss']);
	assert.match(pageText((await i.app.get(`/connections/${i.id}`)).text), /refused the credentials/);
});

test('Salesforce: a login host the outbound policy refuses gets no assertion', async () => {
	// Straight out (no proxy): the guard sees the address itself.
	const direct = await startTether();
	cleanups.push(() => direct.stop());
	const s = await managerSession({ admin: true });
	const app = direct.client(s.jar);
	apps.push(app);
	const n = vendors.requests.length;
	for (const login of ['https://169.254.169.254', 'https://10.0.0.7']) {
		const c = await app.create({ connector: 'salesforce', protocol: 'jwt_bearer', team: s.team.id,
			fields: { login_url: login, client_id: CONSUMER_KEY, username: USER, private_key: sf.pem } });
		assert.equal(c.status, 303, pageText(c.res.text).slice(0, 400));
		assert.equal(lastTest(c.id).result, 'policy', login);
	}
	assert.equal(vendors.requests.length, n, 'nothing sent');
});

test('Microsoft certificate credentials: x5t, the claims, the signature; ok; the certificate\'s expiry', async () => {
	const c = await entra();
	assert.deepEqual([c.row.result, connRow(c.id).status], ['ok', 'ok'], c.row.message);
	const rec = tokenRequest();
	assert.equal(rec.verdict, 'ok');
	assert.equal(rec.headers.host, 'login.microsoftonline.com');
	assert.equal(rec.path, `/${TENANT}/oauth2/v2.0/token`);
	const form = new URLSearchParams(rec.body);
	assert.deepEqual([...form.keys()].sort(), ['client_assertion', 'client_assertion_type', 'client_id',
		'grant_type', 'scope']);
	assert.deepEqual([form.get('client_id'), form.get('scope')], [CLIENT, 'https://graph.microsoft.com/.default']);
	const x = new crypto.X509Certificate(ms.cert);
	assert.deepEqual(rec.header, { alg: 'RS256', typ: 'JWT',
		x5t: crypto.createHash('sha1').update(x.raw).digest('base64url'),
		'x5t#S256': crypto.createHash('sha256').update(x.raw).digest('base64url') });
	const cl = rec.claims;
	assert.deepEqual([cl.aud, cl.iss, cl.sub], [`https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`,
		CLIENT, CLIENT]);
	assert.match(cl.jti, /^[0-9a-f-]{32,}$/);
	assert.ok(cl.exp - cl.nbf > 0 && cl.exp - cl.nbf <= 600 && cl.iat === cl.nbf, JSON.stringify(cl));
	assert.equal(vendors.requests.at(-1).path, '/v1.0/organization');
	assert.equal(psql(`SELECT COALESCE(expires_on::text, '') FROM connection_secrets
	    WHERE connection_id = ${c.id} AND field = 'certificate'`)[0][0], ms.notAfter);
	const before = vendors.requests.length;
	const j = await credentials(c);
	assert.equal(vendors.requests.length, before, 'a token within its expires_in is handed out as stored');
	assert.equal(j.type, 'oauth2');
	assert.match(j.access_token, /^eyJ0eXAi\./);
	assert.equal(JSON.stringify(j).includes('PRIVATE KEY'), false);
	// Two assertions never share a jti.
	await c.app.test(c.id);
	assert.notEqual(tokenRequest().claims.jti, cl.jti);
});

test('Microsoft: another key than the certificate\'s, or a certificate not uploaded: bad credentials', async () => {
	const k = await entra({ private_key: other.pem });
	assert.deepEqual([k.row.result, tokenRequest().verdict], ['bad_credentials', 'bad signature']);
	const stray = selfSigned(dir, 'stray', 10);
	const s = await entra({ certificate: stray.cert, private_key: stray.key });
	assert.deepEqual([s.row.result, tokenRequest().verdict], ['bad_credentials', 'bad x5t']);
	const n = vendors.requests.length;
	const bad = await entra({ private_key: 'not a key' });
	assert.equal(bad.row.result, 'credentials_missing');
	assert.equal(vendors.requests.length, n, 'nothing sent without a key that signs');
});

test('the private keys reach no page, log, table, nor the wire', async () => {
	const body = (pem) => pem.split('\n').filter((l) => l && !l.startsWith('-----')).join('').slice(0, 64);
	const pages = apps.flatMap((a) => a.pages).join('\n');
	for (const pem of [sf.pem, other.pem, ms.key]) {
		const needle = body(pem);
		assertAbsent(needle, { pages, logs: stackLogs() + tether.log(), wire: vendors.allText() });
		assertNotInDatabase([needle]);
	}
	// Nor the signed assertions (bearer credentials for minutes): only the wire to the vendor.
	const signed = vendors.requests.filter((r) => r.method === 'POST').map((r) => {
		const f = new URLSearchParams(r.body);
		return f.get('assertion') ?? f.get('client_assertion');
	}).filter((a) => a);
	assert.ok(signed.length >= 8);
	for (const a of signed) {
		const sig = a.split('.')[2];
		assertAbsent(sig, { pages, logs: stackLogs() + tether.log() });
		assertNotInDatabase([sig]);
	}
});
