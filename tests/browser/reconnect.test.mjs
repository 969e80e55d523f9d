// Reconnect in headless Chromium: sign in, open a
// Salesforce connection, click Reconnect, sign in and allow on the OAuth
// provider's own pages (oidc-provider from npm, on loopback over HTTPS),
// and land on the details page with a success message and fresh tokens.
// The page's Content-Security-Policy must let the Reconnect form leave for
// the provider (form-action) and nothing else; the console shows no
// violation. Screenshots go to TETHER_TEST_OUT.
//
// Tether is a tether-fcgi of the test's own behind a small HTTP front
// (tests/lib/tether.mjs), whose address is its http.base_url, so the
// redirect URI the provider sends the browser back to is that front's.
// The browser reaches only loopback: any other request (the provider's
// page imports a web font) is aborted and must not be Tether's.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { startOAuthServer } from '../fakes/oauth-server.mjs';
import { makePki } from '../fakes/pki.mjs';
import { marker } from '../fakes/secrets.mjs';
import { openBrowser, screenshot, signInPage } from '../lib/browser.mjs';
import { connRow, lastTest, secretCipher } from '../lib/rows.mjs';
import { makeTeam, makeUser, psql, psqlValue, signIn } from '../lib/stack.mjs';
import { startTether } from '../lib/tether.mjs';

const cleanups = [];
let tether;
let as;
let client;
let user;
let team;

before(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-reconnect-'));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	const pki = makePki(path.join(dir, 'ca'));
	const tls = { ...pki.issue('as', ['localhost', '127.0.0.1']), ca: pki.caPem };
	tether = await startTether({ front: true, replace: { 'outbound.ca_bundle': pki.caFile } });
	cleanups.push(() => tether.stop());
	client = { client_id: 'browser-app', client_secret: marker('browser'),
		redirect_uris: [`${tether.url}/oauth/callback`], token_endpoint_auth_method: 'client_secret_post' };
	as = await startOAuthServer({ tls, clients: [client], routes: { authorization: '/services/oauth2/authorize',
		token: '/services/oauth2/token', userinfo: '/services/oauth2/userinfo' } });
	cleanups.push(() => as.close());
	team = makeTeam();
	user = makeUser({ teams: [{ name: team.name, role: 'manager' }] });
});

after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

test('Reconnect in Chromium: the provider\'s sign-in and consent, back on the details page with fresh tokens', { timeout: 120000 }, async () => {
	// The connection, made through the form by the same user (no tokens yet).
	const { jar } = await signIn(user.email, user.password);
	const app = tether.client(jar);
	const c = await app.create({ connector: 'salesforce', protocol: 'oauth2_code', team: team.id,
		name: 'Salesforce (browser)', fields: { url: as.url, login_url: as.url, client_id: client.client_id,
			client_secret: client.client_secret, scopes: 'openid offline_access api' } });
	// Created, it would go on to Connect (connect-oauth.test.mjs); here its
	// authorization is taken as lost since (the status a failed check leaves).
	assert.equal(c.status, 200);
	psql(`UPDATE connections SET status = 'needs_reconnect' WHERE id = ${Number(c.id)}`);
	assert.equal(connRow(c.id).status, 'needs_reconnect');
	const before = { at: secretCipher(c.id, 'access_token'), rt: secretCipher(c.id, 'refresh_token') };
	assert.deepEqual(before, { at: '', rt: '' });

	const browser = await openBrowser({ ignoreHTTPSErrors: true, js: true });
	cleanups.push(() => browser.close());
	const { context, page } = browser;
	const messages = [];
	const offsite = [];
	// Tether's pages only: the provider's page logs its aborted web font.
	page.on('console', (m) => {
		if ((m.location()?.url ?? '').startsWith(tether.url) || page.url().startsWith(tether.url))
			messages.push(`${m.type()}: ${m.text()} (${m.location()?.url})`);
	});
	page.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`));
	await context.route('**/*', (route) => {
		const u = new URL(route.request().url());
		if (u.hostname === '127.0.0.1' || u.hostname === 'localhost')
			return route.continue();
		offsite.push(route.request().url());
		return route.abort();
	});
	await signInPage(page, user, tether.url);

	await page.goto(`${tether.url}/connections/${c.id}`);
	assert.match(await page.locator('main').innerText(), /Needs reconnect/);
	await screenshot(page, 'reconnect-1-before');
	await Promise.all([
		page.waitForURL((u) => u.origin === as.url && u.pathname.startsWith('/interaction/')),
		page.getByRole('button', { name: 'Reconnect' }).click(),
	]);
	// The provider's sign-in page.
	await page.locator('input[name="login"]').fill('alice');
	await page.locator('input[name="password"]').fill('anything');
	await screenshot(page, 'reconnect-2-provider-login', { fullPage: false });
	await Promise.all([page.waitForLoadState(), page.getByRole('button', { name: 'Sign-in' }).click()]);
	// Its consent page.
	await page.getByRole('button', { name: 'Continue' }).waitFor();
	await screenshot(page, 'reconnect-3-provider-consent', { fullPage: false });
	await Promise.all([
		page.waitForURL(`${tether.url}/connections/${c.id}`),
		page.getByRole('button', { name: 'Continue' }).click(),
	]);
	const main = await page.locator('main').innerText();
	await screenshot(page, 'reconnect-4-after');
	assert.match(await page.locator('body').innerText(), /Reconnected\. Test: The connection works\./);
	assert.match(main, /Connected/);
	// The status now (the status history below keeps what it was).
	assert.doesNotMatch(await page.locator('.detail-status').innerText(), /Needs reconnect/);
	assert.equal(await page.locator('.conn-facts .badge').innerText(), 'Connected');

	// Fresh tokens: issued now, stored encrypted, tested with.
	assert.equal(as.count('authorization_code', true), 1);
	assert.equal(as.issued.access.length, 1);
	assert.notEqual(secretCipher(c.id, 'access_token'), '');
	assert.notEqual(secretCipher(c.id, 'refresh_token'), '');
	assert.deepEqual([lastTest(c.id).trigger, lastTest(c.id).result], ['reconnect', 'ok']);
	assert.equal(connRow(c.id).status, 'ok');
	const ttl = Number(psqlValue(`SELECT extract(epoch FROM token_expires_at - now()) FROM connections WHERE id = ${c.id}`));
	assert.ok(ttl > 3000, `the access token expires in an hour (${ttl} s)`);
	const html = await page.content();
	for (const t of [...as.issued.access, ...as.issued.refresh])
		assert.ok(!html.includes(t.jti), 'no token on the page');
	assert.ok(!html.includes(client.client_secret));

	assert.deepEqual(messages.filter((m) => /Content.Security.Policy|Refused to|error/i.test(m) &&
	    !offsite.some((o) => m.includes(o))), [], `console: ${messages.join('\n')}`);
	assert.ok(offsite.every((u) => !u.startsWith(tether.url)), `only the provider's page reached off-site: ${offsite}`);
	await browser.close();
});
