// The JWT flows of Salesforce and Microsoft Entra ID in headless Chromium
// (issue 16 §1): each form offered among its connector's protocols, filled
// as a browser sends it (PEM pasted into password fields loses its line
// breaks), Create to Details "Connected as" the user · org (Salesforce) or
// the app's tenant (Entra, with the certificate's expiry); a private key the
// vendor does not know ends on "refused the credentials". The vendors are
// stand-ins behind the CONNECT proxy that verify every assertion.
// Screenshots at 1366×900 and 390×844 go to TETHER_TEST_OUT
// (authkinds-jwt-*.png).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { rsaKey, selfSigned } from '../fakes/jwt-token.mjs';
import { bothSizes, createInBrowser, runCleanups } from '../lib/authkinds.mjs';
import { assertCleanConsole, openBrowser, pageFlash, signInPage } from '../lib/browser.mjs';
import { jwtVendorsTether } from '../lib/jwt-vendors.mjs';
import { managerSession } from '../lib/stack.mjs';

const WIDE = { width: 1366, height: 900 };
const CONSUMER_KEY = '3MVG9browserConsumerKeyForTheJwtBearerFlow';
const USER = 'integration@acme.example';
const ORG = '00D5e000000BrWsEAK';
const TENANT = 'acme.onmicrosoft.com';
const CLIENT = '0b9e8f6c-2f4e-4d4b-9a51-3c1f0e7d2a11';
const cleanups = [];
let tether;
let vendors;
let sf;
let other;
let ms;
let browser;

before(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-jwt-browser-'));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	sf = rsaKey();
	other = rsaKey();
	ms = selfSigned(dir, 'tether-graph', 60);
	({ vendors, tether } = await jwtVendorsTether(cleanups, dir, {
		salesforce: { [CONSUMER_KEY]: { publicPem: sf.publicPem, users: { [USER]: ORG } } },
		microsoft: { [TENANT]: { [CLIENT]: ms.cert } }, front: true }));
});

after(async () => {
	await browser?.close();
	await runCleanups(cleanups);
});

const shots = (page, name) => bothSizes(page, `authkinds-jwt-${name}`);
const create = (page, team, query, fields) => createInBrowser(page, tether.url, team, query, fields);

test('Salesforce JWT bearer and Entra ID certificate: forms, Create to Details, a wrong key refused',
    { timeout: 180000 }, async () => {
	const { user, team } = await managerSession({ name: 'JWT Manager' });
	browser = await openBrowser({ viewport: WIDE });
	const { page, messages } = browser;
	await signInPage(page, user, tether.url);

	await page.goto(`${tether.url}/connections/new?connector=salesforce`);
	assert.match(await page.locator('main').innerText(), /OAuth 2\.0 JWT bearer flow \(certificate\)/);
	await shots(page, 'salesforce-protocols');
	await page.goto(`${tether.url}/connections/new?connector=salesforce&protocol=jwt_bearer`);
	const form = await page.locator('main').innerText();
	assert.match(form, /App Manager/);
	assert.match(form, /pre-authorized/);
	assert.doesNotMatch(form, /Use a saved client|Consumer secret/, 'no client secret to give or save');
	assert.equal(await page.locator('[id="f-f.login_url"]').inputValue(), 'https://login.salesforce.com');
	await shots(page, 'salesforce-form');
	const sfq = 'connector=salesforce&protocol=jwt_bearer';
	await create(page, team, sfq, { client_id: CONSUMER_KEY, username: USER, private_key: sf.pem });
	assert.match(await pageFlash(page), /created\. Test: The connection works\./);
	assert.match(await page.locator('main').innerText(), new RegExp(`${USER.replace(/\./g, '\\.')} · org ${ORG}`));
	await shots(page, 'salesforce-details');
	await create(page, team, sfq, { client_id: CONSUMER_KEY, username: USER, private_key: other.pem });
	assert.match(await pageFlash(page), /Test: The system refused the credentials/);
	assert.equal(vendors.requests.findLast((r) => r.method === 'POST').verdict, 'bad signature');
	await shots(page, 'salesforce-refused');

	await page.goto(`${tether.url}/connections/new?connector=entra-id&protocol=client_certificate`);
	assert.match(await page.locator('main').innerText(), /Certificates and secrets/);
	await shots(page, 'entra-form');
	await create(page, team, 'connector=entra-id&protocol=client_certificate', { tenant: TENANT,
		client_id: CLIENT, certificate: ms.cert, private_key: ms.key });
	assert.match(await pageFlash(page), /created\. Test: The connection works\./);
	const details = await page.locator('main').innerText();
	assert.match(details, /Acme Corp/);
	assert.match(details, new RegExp(ms.notAfter));
	await shots(page, 'entra-details');
	assertCleanConsole(messages, 'the JWT flows\' pages');
});
