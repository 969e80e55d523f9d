// Reconnect into another Salesforce org, in headless Chromium (issue 13
// §6): Details says "Connected as" the account and org; Reconnect, signed
// in at the provider's own pages as a user of another org, comes back to
// Details with the refusal message, still connected as before; an admin
// sees "Connect a different account". A scope asked for and not granted is
// listed with a Reconnect. Screenshots at 1366×900 and 390×844 go to
// TETHER_TEST_OUT (oauth-identity-*.png).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertCleanConsole, openBrowser, pageFlash, screenshot, signInPage } from '../lib/browser.mjs';
import { identityStack } from '../lib/identity.mjs';
import { secretCipher } from '../lib/rows.mjs';

const ORG_A = '00D5g000004acme';
const ORG_B = '00D7x000009othr';
const WIDE = { width: 1366, height: 900 };
const NARROW = { width: 390, height: 844 };
let s;
let browser;

before(async () => {
	s = await identityStack({ clients: 6, front: true });
	s.sf.identityOf.set('alice', { organization_id: ORG_A, preferred_username: 'alice@acme.example' });
	s.sf.identityOf.set('mallory', { organization_id: ORG_B, preferred_username: 'mallory@other.example' });
});

after(async () => {
	await browser?.close();
	await s?.close();
});

/** Both sizes of the page as it is now. */
async function shots(page, name) {
	await page.setViewportSize(WIDE);
	await screenshot(page, `oauth-identity-${name}-1366`);
	await page.setViewportSize(NARROW);
	await screenshot(page, `oauth-identity-${name}-390`);
	await page.setViewportSize(WIDE);
}

test('Connected as, a reconnect into another org refused with its message, Connect a different account offered', { timeout: 180000 }, async () => {
	const { app, team, user } = await s.session({ admin: true });
	const { id } = await s.salesforce(app, team, s.client(), { scopes: 'openid offline_access api chatter_api' });
	assert.equal((await s.connect(app, id, { login: 'alice' })).flash?.kind, 'success');
	const kept = secretCipher(id, 'refresh_token');

	browser = await openBrowser({ ignoreHTTPSErrors: true, js: true, viewport: WIDE });
	const { page, messages } = browser;
	await signInPage(page, user, s.tether.url);
	await page.goto(`${s.tether.url}/connections/${id}`);
	const auth = page.locator('.detail-settings');
	assert.match(await auth.innerText(), new RegExp(`Connected as\\s+alice@acme\\.example · org ${ORG_A}`));
	assert.match(await auth.innerText(), /Missing scopes: chatter_api/);
	assert.equal(await page.getByRole('button', { name: 'Reconnect to ask for them' }).count(), 1);
	assert.equal(await page.getByRole('button', { name: 'Connect a different account' }).count(), 1);
	await shots(page, 'connected-as');
	const tetherMessages = messages.length;

	// Reconnect, signed in at the provider as a user of another org.
	await Promise.all([
		page.waitForURL((u) => u.origin === s.sf.url && u.pathname.startsWith('/interaction/')),
		page.locator('.conn-actions').getByRole('button', { name: 'Reconnect' }).click(),
	]);
	await page.locator('input[name="login"]').fill('mallory');
	await page.locator('input[name="password"]').fill('anything');
	await Promise.all([page.waitForLoadState(), page.getByRole('button', { name: 'Sign-in' }).click()]);
	await page.getByRole('button', { name: 'Continue' }).waitFor();
	await Promise.all([
		page.waitForURL(`${s.tether.url}/connections/${id}`),
		page.getByRole('button', { name: 'Continue' }).click(),
	]);
	assert.equal(await pageFlash(page), `Nothing changed: you signed in to another Salesforce org (${ORG_B}) as ` +
	    `mallory@other.example; this connection uses org ${ORG_A}. Sign in with an account of that org, ` +
	    'or ask an admin to Connect a different account.');
	assert.match(await page.locator('.detail-settings').innerText(),
	    new RegExp(`Connected as\\s+alice@acme\\.example · org ${ORG_A}`), 'still the first org');
	assert.equal(secretCipher(id, 'refresh_token'), kept, 'the old tokens stay');
	await shots(page, 'refused');
	assertCleanConsole(messages.slice(0, tetherMessages), 'Details');
});
