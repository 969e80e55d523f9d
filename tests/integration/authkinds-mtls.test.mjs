// The client_cert kind (issue 16 §1): HTTPS with a client certificate. The
// stand-in requires a certificate of the client CA at the TLS handshake
// (Node's requestCert + rejectUnauthorized). The certificate and key are
// stored encrypted and handed to libcurl from memory; PEM whose line
// breaks a password field dropped works the same; the certificate's
// notAfter becomes its secret's expiry date (the connection's reminder).
// A certificate of another CA is refused at the handshake ("bad
// credentials"), so is a key that is not the certificate's; neither key
// nor certificate reaches a page, a log or a table.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { json, startStandin } from '../fakes/http-standin.mjs';
import { makePki } from '../fakes/pki.mjs';
import { assertAbsent, assertNotInDatabase, stackLogs } from '../fakes/secrets.mjs';
import { connRow, lastTest } from '../lib/rows.mjs';
import { managerSession, pageText, psql } from '../lib/stack.mjs';
import { startTether } from '../lib/tether.mjs';

const cleanups = [];
const apps = [];
let tether;
let api;
let good;
let shortLived;
let rogue;

before(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-mtls-'));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	const pki = makePki(path.join(dir, 'ca'));
	const clients = makePki(path.join(dir, 'clients'), 'Client CA');
	good = clients.issueClient('good', 'integration-client', 400);
	shortLived = clients.issueClient('short', 'short-lived-client', 20);
	rogue = makePki(path.join(dir, 'rogue'), 'Someone else').issueClient('rogue', 'rogue-client', 30);
	api = await startStandin({ name: 'mtls', tls: { ...pki.issue('api', ['localhost', '127.0.0.1']),
		clientCa: clients.caPem }, handler: (req, res, rec) =>
		json(res, rec.path === '/whoami' ? 200 : 404, { cn: rec.clientCn }) });
	cleanups.push(() => api.close());
	tether = await startTether({ replace: { 'outbound.ca_bundle': pki.caFile, 'outbound.allow': '127.0.0.0/8' } });
	cleanups.push(() => tether.stop());
});

after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

async function mtlsConnection(certificate, privateKey) {
	const s = await managerSession({ admin: true });
	const app = tether.client(s.jar);
	apps.push(app);
	const c = await app.create({ connector: 'https-client-cert', protocol: 'client_cert', team: s.team.id,
		fields: { url: api.url, test_path: '/whoami', test_status: '200', certificate, private_key: privateKey } });
	assert.equal(c.status, 303, pageText(c.res.text).slice(0, 400));
	return { ...c, app, row: lastTest(c.id) };
}

function expiry(id, field) {
	return psql(`SELECT COALESCE(expires_on::text, '') FROM connection_secrets
	    WHERE connection_id = ${Number(id)} AND field = '${field}'`)[0]?.[0];
}

test('a certificate of the client CA: accepted at the handshake, ok; its notAfter is the expiry', async () => {
	const n = api.requests.length;
	const c = await mtlsConnection(good.cert, good.key);
	assert.deepEqual([c.row.result, connRow(c.id).status], ['ok', 'ok']);
	assert.equal(api.requests.length, n + 1);
	assert.equal(api.requests.at(-1).clientCn, 'integration-client');
	assert.equal(expiry(c.id, 'certificate'), good.notAfter);
	const d = pageText((await c.app.get(`/connections/${c.id}`)).text);
	assert.match(d, new RegExp(`Certificate \\(PEM\\)\\s*Stored`));
});

test('PEM without its line breaks (as a password field sends it) works the same', async () => {
	const flat = (s) => s.replace(/\r?\n/g, '');
	const c = await mtlsConnection(flat(shortLived.cert), flat(shortLived.key));
	assert.equal(c.row.result, 'ok');
	assert.equal(api.requests.at(-1).clientCn, 'short-lived-client');
	assert.equal(expiry(c.id, 'certificate'), shortLived.notAfter);
	assert.equal(psql(`SELECT secrets_expire_on::text FROM connections WHERE id = ${c.id}`)[0][0],
	    shortLived.notAfter, 'the connection\'s expiry reminder follows the certificate');
});

test('a certificate of another CA, or a key that is not the certificate\'s: bad credentials, nothing served', async () => {
	const n = api.requests.length;
	const r = await mtlsConnection(rogue.cert, rogue.key);
	assert.deepEqual([r.row.result, connRow(r.id).status], ['bad_credentials', 'failing']);
	const m = await mtlsConnection(good.cert, shortLived.key);
	assert.equal(m.row.result, 'bad_credentials');
	assert.equal(api.requests.length, n, 'no request got past the handshake');
});

test('no key or certificate reaches a page, a log or a table', async () => {
	const pages = apps.flatMap((a) => a.pages).join('\n');
	for (const pem of [good.key, shortLived.key, rogue.key, good.cert]) {
		const body = pem.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
		const line = body.slice(0, 60);
		assertAbsent(line, { pages, logs: stackLogs() + tether.log() });
		assertNotInDatabase([line]);
	}
});
