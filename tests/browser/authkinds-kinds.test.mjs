// The other new authentication kinds in headless Chromium (issue 16 §1):
// PostgreSQL created through its form against a real PostgreSQL (TLS,
// SCRAM) ends on Details "Connected"; a wrong password on "refused the
// credentials". HTTPS with client certificate, pasted into the password
// fields as a browser sends them (line breaks dropped), passes the mutual
// TLS handshake and shows the certificate's expiry on Details. Google Cloud
// (service account)'s form. Screenshots at 1366×900 and 390×844 go to
// TETHER_TEST_OUT (authkinds-*.png).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { json, startStandin } from '../fakes/http-standin.mjs';
import { makePki } from '../fakes/pki.mjs';
import { startPostgres } from '../fakes/postgres.mjs';
import { marker } from '../fakes/secrets.mjs';
import { bothSizes, createInBrowser, runCleanups } from '../lib/authkinds.mjs';
import { assertCleanConsole, openBrowser, pageFlash, signInPage } from '../lib/browser.mjs';
import { managerSession } from '../lib/stack.mjs';
import { startTether } from '../lib/tether.mjs';

const WIDE = { width: 1366, height: 900 };
const PASSWORD = marker('pgbrowser');
const cleanups = [];
let tether;
let pg;
let api;
let leaf;
let browser;

before(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-kinds-browser-'));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	const pki = makePki(path.join(dir, 'ca'));
	const clients = makePki(path.join(dir, 'clients'), 'Client CA');
	leaf = clients.issueClient('browser', 'browser-client', 45);
	pg = await startPostgres({ tls: pki.issue('pg', ['localhost']), user: 'reports', password: PASSWORD,
		database: 'sales' });
	cleanups.push(() => pg.close());
	api = await startStandin({ name: 'mtls', tls: { ...pki.issue('api', ['localhost']), clientCa: clients.caPem },
		handler: (req, res) => json(res, 200, { ok: true }) });
	cleanups.push(() => api.close());
	tether = await startTether({ front: true, replace: { 'outbound.ca_bundle': pki.caFile,
		'outbound.allow': '127.0.0.0/8' } });
	cleanups.push(() => tether.stop());
});

after(async () => {
	await browser?.close();
	await runCleanups(cleanups);
});

const shots = (page, name) => bothSizes(page, `authkinds-${name}`);
const create = (page, team, query, fields, selects) => createInBrowser(page, tether.url, team, query, fields, selects);

test('PostgreSQL, client certificate and service-account forms; Create to Details', { timeout: 180000 }, async () => {
	const { user, team } = await managerSession({ name: 'Kinds Manager' });
	browser = await openBrowser({ viewport: WIDE });
	const { page, messages } = browser;
	await signInPage(page, user, tether.url);

	await page.goto(`${tether.url}/connections/new?connector=postgresql&protocol=password`);
	assert.equal(await page.locator('[id="f-f.sslmode"]').inputValue(), 'verify_full');
	await shots(page, 'postgresql-form');
	const pgFields = { host: 'localhost', port: String(pg.port), database: 'sales', user: 'reports' };
	await create(page, team, 'connector=postgresql&protocol=password', { ...pgFields, password: PASSWORD },
	    { sslmode: 'verify_ca' });
	assert.match(await pageFlash(page), /created\. Test: The connection works\./);
	await shots(page, 'postgresql-details');
	await create(page, team, 'connector=postgresql&protocol=password', { ...pgFields,
		password: marker('pgwrong') }, { sslmode: 'verify_ca' });
	assert.match(await pageFlash(page), /Test: The system refused the credentials/);

	await page.goto(`${tether.url}/connections/new?connector=https-client-cert&protocol=client_cert`);
	await shots(page, 'client-cert-form');
	// A password field drops the line breaks of what is pasted into it.
	await create(page, team, 'connector=https-client-cert&protocol=client_cert', { url: api.url,
		test_path: '/whoami', certificate: leaf.cert, private_key: leaf.key });
	assert.match(await pageFlash(page), /created\. Test: The connection works\./);
	assert.equal(api.requests.at(-1).clientCn, 'browser-client');
	assert.match(await page.locator('main').innerText(), new RegExp(leaf.notAfter));
	await shots(page, 'client-cert-details');

	await page.goto(`${tether.url}/connections/new?connector=google-service-account&protocol=jwt`);
	assert.match(await page.locator('main').innerText(), /Service account key \(JSON\)/);
	await shots(page, 'google-service-account-form');
	assertCleanConsole(messages, 'the kinds\' pages');
});
