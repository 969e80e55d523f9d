// Sharing in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core, JavaScript off): a manager of team A opens a connection,
// follows Sharing, shares it with team B for use; a member of team B then
// finds it on the Integrations tab with its owner team and may test it but
// sees no Edit or Delete; a viewer of team A sees the connection with no
// Test, Edit, Delete or Sharing button. Screenshots go to TETHER_TEST_OUT
// (sharing-NN-*.png); no console error, no CSP violation.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { chromium } from 'playwright-core';

import { startBasicStandin } from '../lib/lifecycle/lc.mjs';
import { httpBasic, sharesOf } from '../lib/roles/world.mjs';
import { baseUrl, env, makeTeam, makeUser, signIn, uniq } from '../lib/stack.mjs';

const CHROMIUM = process.env.TETHER_CHROMIUM ?? '/usr/bin/chromium';
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
const NAME = `Payroll API ${uniq('s')}`;

let standin;
let A, B;
let manager, memberB, viewer;
let id;
let browser;
const messages = [];
let shot = 0;

async function screenshot(page, name) {
	const dir = env('TETHER_TEST_OUT');
	fs.mkdirSync(dir, { recursive: true });
	const f = path.join(dir, `sharing-${String(++shot).padStart(2, '0')}-${name}.png`);
	await page.screenshot({ path: f, fullPage: true });
	assert.ok(fs.statSync(f).size > 5000, `${f} is a real screenshot`);
}

/** A fresh browser context signed in as user (through the form); its page. */
async function signedInPage(user) {
	const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
	const page = await context.newPage();
	page.setDefaultTimeout(20000);
	page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
	page.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`));
	await page.goto(baseUrl() + '/login');
	await page.getByLabel('Email').fill(user.email);
	await page.getByLabel('Password').fill(user.password);
	await Promise.all([page.waitForURL(baseUrl() + '/'), page.getByRole('button', { name: 'Sign in' }).click()]);
	return page;
}

async function flash(page) {
	const f = page.locator('.flash .alert-body');
	return (await f.count()) === 0 ? '' : (await f.innerText()).trim();
}

/** Which of the header's action buttons the page shows. */
async function actions(page) {
	const actionsBar = page.locator('.conn-actions');
	const count = async (role, name) => actionsBar.getByRole(role, { name, exact: true }).count();
	return {
		test: await actionsBar.getByRole('button', { name: /^Test/ }).count() > 0,
		edit: await count('link', 'Edit') > 0,
		delete: await count('link', 'Delete') > 0,
		sharing: await count('link', 'Sharing') > 0,
	};
}

before(async () => {
	assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} exists (apt-get install chromium)`);
	standin = await startBasicStandin({ user: 'svc', password: PASSWORD });
	A = makeTeam(uniq('Payroll team'));
	B = makeTeam(uniq('Finance team'));
	manager = makeUser({ name: 'Sharing Manager', teams: [{ name: A.name, role: 'manager' }] });
	memberB = makeUser({ name: 'Finance Member', teams: [{ name: B.name, role: 'member' }] });
	viewer = makeUser({ name: 'Payroll Viewer', teams: [{ name: A.name, role: 'viewer' }] });
	const { jar } = await signIn(manager.email, manager.password);
	id = await httpBasic(jar, A, { url: standin.url, password: PASSWORD, name: NAME });
	browser = await chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
		    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
		timeout: 60000,
	});
});

after(async () => {
	await browser?.close();
	await standin?.close();
});

test('a manager shares the connection with team B for use', async () => {
	const page = await signedInPage(manager);
	await page.goto(`${baseUrl()}/connections/${id}`);
	assert.deepEqual(await actions(page), { test: true, edit: true, delete: true, sharing: true },
	    'the manager has every button');
	await Promise.all([page.waitForURL(new RegExp(`/connections/${id}/sharing$`)),
		page.locator('.conn-actions').getByRole('link', { name: 'Sharing', exact: true }).click()]);
	assert.match(await page.locator('main').innerText(), /Not shared with any other team yet\./);
	await page.getByLabel(/^Team/).selectOption({ label: B.name });
	assert.equal(await page.getByLabel(/^Use/).isChecked(), true, 'Use is the default permission');
	await screenshot(page, 'share-form');
	await Promise.all([page.waitForURL(new RegExp(`/connections/${id}/sharing$`)),
		page.getByRole('button', { name: 'Share', exact: true }).click()]);
	assert.equal(await flash(page), 'Shared for use.');
	const row = page.locator('.shares-table tbody tr', { hasText: B.name });
	assert.equal(await row.count(), 1, 'B is listed');
	assert.match(await row.innerText(), /Use/);
	assert.deepEqual(sharesOf(id), { [B.id]: 'use' }, 'the share is stored');
	await screenshot(page, 'shared');
	await page.context().close();
});

test('a member of team B sees it on the Integrations tab with its owner, tests it, cannot edit or delete it', async () => {
	const page = await signedInPage(memberB);
	const row = page.locator('table tbody tr', { hasText: NAME });
	assert.equal(await row.count(), 1, 'listed on B\'s Integrations tab');
	assert.match(await row.innerText(), new RegExp(A.name), 'with its owner team');
	await screenshot(page, 'list-of-b');
	await Promise.all([page.waitForURL(new RegExp(`/connections/${id}$`)),
		row.getByRole('link', { name: NAME }).click()]);
	assert.deepEqual(await actions(page), { test: true, edit: false, delete: false, sharing: false });
	assert.match((await page.locator('.conn-facts').innerText()).replace(/\s+/g, ' '), new RegExp(`Owner team ${A.name}`));
	const before = standin.requests.length;
	await Promise.all([page.waitForURL(new RegExp(`/connections/${id}$`)),
		page.locator('.conn-actions').getByRole('button', { name: /^Test/ }).click()]);
	assert.equal(await flash(page), 'The connection works.');
	assert.equal(standin.requests.length, before + 1, 'the test reached the system');
	await screenshot(page, 'details-of-b');
	// Its Sharing tab: who has access, but no form.
	await page.goto(`${baseUrl()}/connections/${id}/sharing`);
	assert.equal(await page.getByRole('button', { name: 'Share', exact: true }).count(), 0, 'no share form');
	assert.equal(await page.getByRole('button', { name: /^Revoke/ }).count(), 0, 'no revoke button');
	// A typed URL is refused.
	const r = await page.goto(`${baseUrl()}/connections/${id}/edit`);
	assert.equal(r.status(), 403);
	await page.context().close();
});

test('a viewer of team A sees no Test, Edit, Delete or Sharing button', async () => {
	const page = await signedInPage(viewer);
	await page.goto(`${baseUrl()}/connections/${id}`);
	assert.equal(await page.getByRole('heading', { level: 1, name: NAME }).count(), 1, 'the viewer sees it');
	assert.deepEqual(await actions(page), { test: false, edit: false, delete: false, sharing: false });
	assert.equal(await page.getByRole('link', { name: 'Edit', exact: true }).count(), 0, 'no Edit anywhere');
	assert.equal(await page.getByRole('link', { name: 'Delete', exact: true }).count(), 0, 'no Delete anywhere');
	await screenshot(page, 'viewer');
	const r = await page.goto(`${baseUrl()}/connections/${id}/delete`);
	assert.equal(r.status(), 403, 'the Delete URL is refused');
	await page.context().close();
});

test('no console error and no Content-Security-Policy violation', () => {
	// The refused URLs typed on purpose above answer 403: that is not a page error.
	assert.deepEqual(messages.filter((m) => /^error|pageerror|Content.Security.Policy|Refused to/i.test(m))
	    .filter((m) => !/status of 403 \(Forbidden\)/.test(m)), []);
});
