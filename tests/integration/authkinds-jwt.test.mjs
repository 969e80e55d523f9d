// The jwt_bearer kind (issue 16 §1): a Google service-account JSON key
// signs an RS256 assertion in Tether (libcrypto), posted to Google's token
// endpoint (https://oauth2.googleapis.com/token through the proxy
// stand-in), which verifies the signature with the account's public key
// and the claims (iss, aud, iat/exp, scope; sub with delegation). Obtaining
// the token is the test; "Connected as" is the key's client_email and
// project. A key Google does not know (or a signature that does not verify)
// is "bad credentials"; the key's own token_uri is never followed; the
// private key reaches no page, log, table or the wire.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { startGoogleToken } from '../fakes/google-token.mjs';
import { makePki } from '../fakes/pki.mjs';
import { assertAbsent, assertNotInDatabase, stackLogs } from '../fakes/secrets.mjs';
import { proxiedTether, runCleanups } from '../lib/authkinds.mjs';
import { connRow, lastTest } from '../lib/rows.mjs';
import { managerSession, pageText, psql } from '../lib/stack.mjs';

const cleanups = [];
const apps = [];
const EMAIL = 'tether-sync@acme-prod.iam.gserviceaccount.com';
let tether;
let google;
let px;
let known;
let unknown;

function serviceAccountKey(email, { tokenUri = 'https://oauth2.googleapis.com/token' } = {}) {
	const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
	const key = {
		type: 'service_account', project_id: 'acme-prod', private_key_id: crypto.randomBytes(20).toString('hex'),
		private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }), client_email: email,
		client_id: '112233445566778899', auth_uri: 'https://accounts.google.com/o/oauth2/auth',
		token_uri: tokenUri,
	};
	return { json: JSON.stringify(key, null, 2), key, publicPem: publicKey.export({ type: 'spki', format: 'pem' }) };
}

before(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-jwt-'));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	const pki = makePki(path.join(dir, 'ca'));
	known = serviceAccountKey(EMAIL, { tokenUri: 'https://evil.example.test/token' });
	unknown = serviceAccountKey('someone@other.iam.gserviceaccount.com');
	google = await startGoogleToken({ tls: pki.issue('google', ['oauth2.googleapis.com']),
		accounts: { [EMAIL]: known.publicPem } });
	cleanups.push(() => google.close());
	({ px, tether } = await proxiedTether(cleanups, pki.caFile, { 'oauth2.googleapis.com:443': google.port }));
});

after(() => runCleanups(cleanups));

async function jwtConnection(keyJson, fields = {}) {
	const s = await managerSession({ admin: true });
	const app = tether.client(s.jar);
	apps.push(app);
	const c = await app.create({ connector: 'google-service-account', protocol: 'jwt', team: s.team.id,
		fields: { key_json: keyJson, scopes: 'https://www.googleapis.com/auth/cloud-platform.read-only', ...fields } });
	assert.equal(c.status, 303, pageText(c.res.text).slice(0, 400));
	return { ...c, app, row: lastTest(c.id) };
}

test('a known key: the signed assertion is accepted, ok, Connected as the service account', async () => {
	const c = await jwtConnection(known.json);
	assert.deepEqual([c.row.result, connRow(c.id).status], ['ok', 'ok'], c.row.message);
	const rec = google.requests.at(-1);
	assert.equal(rec.verdict, 'ok');
	assert.equal(rec.headers['content-type'], 'application/x-www-form-urlencoded');
	assert.equal(rec.claims.iss, EMAIL);
	assert.equal(rec.claims.scope, 'https://www.googleapis.com/auth/cloud-platform.read-only');
	assert.equal(rec.claims.sub, undefined, 'no subject unless one is set');
	assert.equal(rec.claims.exp - rec.claims.iat, 3600);
	assert.deepEqual(px.connects, ['oauth2.googleapis.com:443'], 'the key\'s own token_uri is never used');
	assert.deepEqual(psql(`SELECT identity_account, identity_tenant FROM connections WHERE id = ${c.id}`)[0],
	    [EMAIL, 'acme-prod']);
	assert.match(pageText((await c.app.get(`/connections/${c.id}`)).text),
	    new RegExp(`Connected as ${EMAIL.replace(/\./g, '\\.')} · project acme-prod`));
});

test('domain-wide delegation: the subject is the sub claim', async () => {
	const c = await jwtConnection(known.json, { subject: 'admin@acme.example' });
	assert.equal(c.row.result, 'ok');
	assert.equal(google.requests.at(-1).claims.sub, 'admin@acme.example');
});

test('a key Google does not know, or one that is not a key: refused', async () => {
	const u = await jwtConnection(unknown.json);
	assert.deepEqual([u.row.result, google.requests.at(-1).verdict], ['bad_credentials', 'unknown iss']);
	// The known account's email with another private key: the signature fails.
	const forged = JSON.stringify({ ...known.key, private_key: unknown.key.private_key });
	const f = await jwtConnection(forged);
	assert.deepEqual([f.row.result, google.requests.at(-1).verdict], ['bad_credentials', 'bad signature']);
	const n = google.requests.length;
	const bad = await jwtConnection('{"type":"service_account"}');
	assert.equal(bad.row.result, 'credentials_missing');
	assert.equal(google.requests.length, n, 'nothing sent without a key that signs');
});

test('the private key reaches no page, log, table, nor the wire', async () => {
	const body = (pem) => pem.split('\n').filter((l) => l && !l.startsWith('-----')).join('').slice(0, 64);
	const pages = apps.flatMap((a) => a.pages).join('\n');
	for (const k of [known, unknown]) {
		const needle = body(k.key.private_key);
		assertAbsent(needle, { pages, logs: stackLogs() + tether.log(), wire: google.allText() });
		assertNotInDatabase([needle]);
	}
});
