// The API tokens page in headless Chromium (JavaScript off), at 1366×900
// and 390×844: a member follows "API tokens" in the header, sends the form
// empty (every message at once), makes a token with two scopes limited to
// one address, copies it once, uses it, and revokes it; an administrator
// adds a service account and makes a token for it. Screenshots go to
// TETHER_TEST_OUT (api-tokens-NN-*.png); no console error, no CSP
// violation.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import {
	assertCleanConsole, numberedScreenshots, openBrowser, pageFlash, signInPage,
} from '../lib/browser.mjs';
import { makeUser, request, uniq } from '../lib/stack.mjs';

const screenshot = numberedScreenshots('api-tokens');
const browsers = [];

after(async () => {
	for (const b of browsers)
		await b.close();
});

const VIEWPORTS = [['wide', { width: 1366, height: 900 }], ['phone', { width: 390, height: 844 }]];

for (const [size, viewport] of VIEWPORTS) {
	test(`${size}: a member makes a token, copies it once, uses it and revokes it`, async () => {
		const user = makeUser({ name: 'Token Member' });
		const b = await openBrowser({ viewport });
		browsers.push(b);
		const { page } = b;
		await signInPage(page, user);
		await page.getByRole('link', { name: 'API tokens' }).click();
		assert.equal(await page.title(), 'API tokens · Tether');
		await screenshot(page, `${size}-empty`);

		// Everything wrong at once; nothing saved.
		await page.locator('#f-token-name').fill('');
		for (const s of ['connections:read', 'flows:write', 'tests:run'])
			await page.getByRole('checkbox', { name: new RegExp(s) }).uncheck();
		await page.getByLabel('Only from these addresses').fill('10.0.0.0/40');
		await page.getByRole('button', { name: 'Create token' }).click();
		const errors = await page.locator('.field-error').allInnerTexts();
		assert.equal(errors.length, 3, errors.join(' | '));
		await screenshot(page, `${size}-errors`);
		// The refusal is a 422, which Chromium logs as a failed load.
		assertCleanConsole(b.messages.filter((m) => !/status of 422/.test(m)), `${size} refusal`);
		b.messages.length = 0;

		const name = uniq('Nightly export');
		await page.locator('#f-token-name').fill(name);
		await page.getByRole('checkbox', { name: /connections:read/ }).check();
		await page.getByRole('checkbox', { name: /tests:run/ }).check();
		await page.getByLabel('Expires').selectOption('30');
		await page.getByLabel('Only from these addresses').fill('127.0.0.1');
		await page.getByRole('button', { name: 'Create token' }).click();
		const token = await page.locator('#created-token').inputValue();
		assert.match(token, /^[A-Za-z0-9_-]{43}$/);
		assert.match(await page.locator('.secret-once').innerText(), /will not be shown again/);
		await screenshot(page, `${size}-created`);
		const r = await request('/api/v1/connections', { headers: { authorization: `Bearer ${token}` } });
		assert.equal(r.status, 200);

		await page.getByRole('link', { name: 'API tokens' }).click();
		assert.ok(!(await page.content()).includes(token), 'never shown again');
		const row = page.locator('tr', { hasText: name });
		assert.match(await row.innerText(), /connections:read, tests:run/);
		assert.match(await row.innerText(), /127\.0\.0\.1\/32/);
		await row.getByRole('button', { name: /Revoke/ }).click();
		assert.match(await pageFlash(page), /Token revoked/);
		assert.match(await page.locator('tr', { hasText: name }).innerText(), /Revoked/);
		await screenshot(page, `${size}-revoked`);
		const gone = await request('/api/v1/connections', { headers: { authorization: `Bearer ${token}` } });
		assert.equal(gone.status, 401);
		assertCleanConsole(b.messages, `${size} API tokens`);
	});
}

test('an administrator adds a service account and makes a token for it', async () => {
	const admin = makeUser({ admin: true, name: 'Token Admin' });
	const b = await openBrowser({ viewport: { width: 1366, height: 900 } });
	browsers.push(b);
	const { page } = b;
	await signInPage(page, admin);
	await page.getByRole('link', { name: 'API tokens' }).click();
	const svc = uniq('Flow engine');
	await page.getByLabel('New service account').fill(svc);
	await page.getByRole('button', { name: 'Add service account' }).click();
	assert.match(await pageFlash(page), /Service account added/);
	await page.locator('#f-token-name').fill('engine');
	await page.getByLabel('For', { exact: true }).selectOption({ label: `Service account: ${svc}` });
	await page.getByRole('checkbox', { name: /connections:use/ }).check();
	await page.getByRole('button', { name: 'Create token' }).click();
	assert.match(await page.locator('#created-token').inputValue(), /^[A-Za-z0-9_-]{43}$/);
	await page.getByRole('link', { name: 'API tokens' }).click();
	assert.match(await page.locator('tr', { hasText: `for ${svc}` }).innerText(), /connections:use/);
	await screenshot(page, 'admin-service-account');
	assertCleanConsole(b.messages, 'admin API tokens');
});
