// Day one, OAuth (issue 12 §1): an OAuth 2.0 authorization-code connection
// created in Chromium through the form is not born broken. Create leads
// straight to the provider's consent screen; until the admin comes back the
// connection says "Not connected yet", with one badge and one call to
// action (Connect), no failed test and no "authorization has expired";
// Connect brings it back tested, and only then does Reconnect appear. The
// exact redirect URI to register is on the create and edit forms, the
// connector page and the Details tab, in a read-only field, with a Copy
// button where JavaScript runs (a script of our own: the CSP allows no
// other). Screenshots at 1366×900 and 390×844 go to TETHER_TEST_OUT.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { startOAuthServer } from '../fakes/oauth-server.mjs';
import { makePki } from '../fakes/pki.mjs';
import { marker } from '../fakes/secrets.mjs';
import { assertCleanConsole, openBrowser, pageFlash, screenshot, signInPage } from '../lib/browser.mjs';
import { connRow, lastTest, secretCipher } from '../lib/rows.mjs';
import { makeTeam, makeUser, psql, psqlValue, sqlString, uniq } from '../lib/stack.mjs';
import { startTether } from '../lib/tether.mjs';

const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };

const cleanups = [];
let tether;
let as;
let client;
let user;
let redirect;

before(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-connect-'));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	const pki = makePki(path.join(dir, 'ca'));
	const tls = { ...pki.issue('as', ['localhost', '127.0.0.1']), ca: pki.caPem };
	tether = await startTether({ front: true, replace: { 'outbound.ca_bundle': pki.caFile } });
	cleanups.push(() => tether.stop());
	redirect = `${tether.url}/oauth/callback`;
	client = { client_id: 'connect-app', client_secret: marker('connect'),
		redirect_uris: [redirect], token_endpoint_auth_method: 'client_secret_post' };
	as = await startOAuthServer({ tls, clients: [client], routes: { authorization: '/services/oauth2/authorize',
		token: '/services/oauth2/token', userinfo: '/services/oauth2/userinfo' } });
	cleanups.push(() => as.close());
	const team = makeTeam();
	user = makeUser({ teams: [{ name: team.name, role: 'manager' }] });
});

after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

// A browser that reaches loopback only (the provider's page asks for a web font).
async function browserFor(opts = {}) {
	const b = await openBrowser({ ignoreHTTPSErrors: true, ...opts });
	cleanups.push(() => b.close());
	await b.context.route('**/*', (route) => {
		const u = new URL(route.request().url());
		return u.hostname === '127.0.0.1' || u.hostname === 'localhost' ? route.continue() : route.abort();
	});
	return b;
}

// The provider's sign-in and consent pages, then back to Tether at `back`.
async function consentAtProvider(page, back, shots) {
	await page.locator('input[name="login"]').fill('alice');
	await page.locator('input[name="password"]').fill('anything');
	if (shots)
		await screenshot(page, 'connect-03-provider-login', { fullPage: false });
	await Promise.all([page.waitForLoadState(), page.getByRole('button', { name: 'Sign-in' }).click()]);
	await page.getByRole('button', { name: 'Continue' }).waitFor();
	await Promise.all([page.waitForURL(back), page.getByRole('button', { name: 'Continue' }).click()]);
}

// The read-only redirect URI field on this page: its value.
async function redirectField(page) {
	const f = page.locator('input.redirect-uri');
	assert.equal(await f.count(), 1, `one redirect URI field on ${page.url()}`);
	assert.equal(await f.getAttribute('readonly'), '');
	assert.equal(await f.getAttribute('name'), null, 'not submitted with the form');
	return f.inputValue();
}

test('Create an OAuth connection: straight to the consent screen, "Not connected yet" until back, then tested', { timeout: 180000 }, async () => {
	const name = uniq('Salesforce day one');
	const b = await browserFor({ viewport: DESKTOP });
	const { page } = b;
	await signInPage(page, user, tether.url);

	// The create form shows the redirect URI to register.
	await page.goto(`${tether.url}/connections/new?connector=salesforce&protocol=oauth2_code`);
	assert.equal(await redirectField(page), redirect);
	await page.locator('#f-name').fill(name);
	await page.locator('[name="f.url"]').fill(as.url);
	await page.locator('[name="f.login_url"]').fill(as.url);
	await page.locator('[name="f.client_id"]').fill(client.client_id);
	await page.locator('[name="f.client_secret"]').fill(client.client_secret);
	await page.locator('[name="f.scopes"]').fill('openid offline_access api');
	await screenshot(page, 'connect-01-create-form');

	// Create: the reported failure was a connection page with a failed
	// first test and "Its authorization has expired". Now: the provider.
	await Promise.all([
		page.waitForURL((u) => u.origin === as.url || /^\/connections\/[0-9]+$/.test(u.pathname)),
		page.getByRole('button', { name: 'Create' }).click(),
	]);
	const id = Number(psqlValue(`SELECT id FROM connections WHERE name = ${sqlString(name)}`));
	assert.ok(id > 0, 'the connection was created');
	assert.equal(new URL(page.url()).origin, as.url,
	    `Create leads to the provider's consent screen, not ${page.url()}: ${await page.locator('body').innerText()}`);
	await screenshot(page, 'connect-02-provider', { fullPage: false });
	// Nothing was tested, nothing failed.
	assert.equal(lastTest(id), undefined, 'no test recorded before consent');
	assert.equal(connRow(id).status, 'not_tested');

	// The admin leaves the provider without consenting: the connection waits.
	await page.goto(`${tether.url}/connections/${id}`);
	const body = await page.locator('main').innerText();
	assert.doesNotMatch(body, /expired|Needs reconnect|Failing|Failed/i);
	assert.deepEqual(await page.locator('.conn-facts .badge').allInnerTexts(), ['Not connected yet']);
	assert.match(await page.locator('.detail-status').innerText(), /Not connected yet[^]*Starts once connected/);
	const actions = page.locator('.conn-actions');
	assert.equal(await actions.getByRole('button', { name: 'Connect', exact: true }).count(), 1, 'one Connect');
	assert.equal(await page.getByRole('button', { name: /Reconnect/ }).count(), 0, 'no Reconnect');
	assert.equal(await page.getByRole('button', { name: /^Test/ }).count(), 0, 'nothing to test yet');
	assert.equal(await page.locator('main .btn-primary').count(), 1, 'one call to action');
	assert.equal(await redirectField(page), redirect, 'the Details tab shows the redirect URI');
	// The Integrations list says the same, not "Not tested yet".
	await page.goto(`${tether.url}/?q=${encodeURIComponent(name)}`);
	assert.deepEqual(await page.locator('tbody tr .badge').allInnerTexts(), ['Not connected yet'], 'the list agrees');
	await page.goto(`${tether.url}/connections/${id}`);
	await screenshot(page, 'connect-04-not-connected-yet');
	await page.setViewportSize(PHONE);
	await screenshot(page, 'connect-04-not-connected-yet-phone');
	await page.setViewportSize(DESKTOP);

	// Connect: the provider, then back on the connection, tested.
	await Promise.all([
		page.waitForURL((u) => u.origin === as.url),
		actions.getByRole('button', { name: 'Connect', exact: true }).click(),
	]);
	await consentAtProvider(page, `${tether.url}/connections/${id}`, true);
	await screenshot(page, 'connect-05-connected');
	assert.equal(await pageFlash(page), 'Connected. Test: The connection works.');
	assert.equal(await page.locator('.conn-facts .badge').innerText(), 'Connected');
	assert.deepEqual([lastTest(id).trigger, lastTest(id).result], ['reconnect', 'ok']);
	assert.equal(connRow(id).status, 'ok');
	assert.notEqual(secretCipher(id, 'access_token'), '');
	// The status history says what happened: the first Connect.
	assert.match(await page.locator('main').innerText(), /Not connected yet\s+→\s+to\s+Connected\s+The connection works\.\s+Connect\n/);
	// Tokens now: Reconnect (and Test) from here on.
	assert.equal(await page.locator('.conn-actions').getByRole('button', { name: 'Reconnect' }).count(), 1);
	assert.equal(await page.locator('.conn-actions').getByRole('button', { name: /^Test/ }).count(), 1);
	assert.equal(await page.locator('.conn-actions').getByRole('button', { name: 'Connect', exact: true }).count(), 0);
	assert.ok(!(await page.content()).includes(client.client_secret));
	// The audit trail says Connect too (Create's start, the Connect button's, the consent).
	assert.deepEqual(psql(`SELECT action || ' ' || outcome FROM audit_log WHERE object_type = 'connection'
	    AND object_id = ${id} ORDER BY id`).map((r) => r[0]), ['connection_create success',
		'connection_connect_start success', 'connection_connect_start success', 'connection_connect success',
		'connection_test success']);

	// The edit form shows the redirect URI too.
	await page.goto(`${tether.url}/connections/${id}/edit`);
	assert.equal(await redirectField(page), redirect);
	await screenshot(page, 'connect-06-edit-form');
	await page.setViewportSize(PHONE);
	await screenshot(page, 'connect-06-edit-form-phone');
	assertCleanConsole(b.messages.filter((m) => !/ERR_FAILED|net::/.test(m)), 'connect pages');
	await b.close();
});

test('The connector page shows the redirect URI; with JavaScript a Copy button copies it (own script, clean CSP)', { timeout: 90000 }, async () => {
	const plain = await browserFor({ viewport: DESKTOP });
	await signInPage(plain.page, user, tether.url);
	await plain.page.goto(`${tether.url}/connectors/salesforce`);
	assert.equal(await redirectField(plain.page), redirect);
	assert.equal(await plain.page.getByRole('button', { name: /Copy/ }).count(), 0,
	    'no JavaScript: a read-only field, no button that cannot work');
	await screenshot(plain.page, 'connect-07-connector');
	await plain.page.setViewportSize(PHONE);
	await screenshot(plain.page, 'connect-07-connector-phone');
	await plain.close();

	const js = await browserFor({ viewport: DESKTOP, js: true, permissions: ['clipboard-read', 'clipboard-write'] });
	await signInPage(js.page, user, tether.url);
	await js.page.goto(`${tether.url}/connectors/salesforce`);
	const copy = js.page.getByRole('button', { name: /Copy/ });
	assert.equal(await copy.count(), 1);
	await copy.click();
	await js.page.getByText('Copied').waitFor();
	assert.equal(await js.page.evaluate(() => navigator.clipboard.readText()), redirect);
	await screenshot(js.page, 'connect-08-connector-copied', { fullPage: false });
	assertCleanConsole(js.messages, 'connector page with JavaScript');
	await js.close();
});
