// Sharing in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core, JavaScript off): a manager of team A opens a connection,
// follows Sharing, shares it with team B for use; a member of team B then
// finds it on the Integrations tab with its owner team and may test it but
// sees no Edit or Delete; a viewer of team A sees the connection with no
// Test, Edit, Delete or Sharing button. Screenshots go to TETHER_TEST_OUT
// (sharing-NN-*.png); no console error, no CSP violation.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import { numberedScreenshots, openBrowser, pageFlash, signInPage } from '../lib/browser.mjs';
import { startBasicStandin } from '../lib/lifecycle/lc.mjs';
import { httpBasic, sharesOf } from '../lib/roles/world.mjs';
import { baseUrl, makeTeam, makeUser, signIn, uniq } from '../lib/stack.mjs';

const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
const NAME = `Payroll API ${uniq('s')}`;

let standin;
let A, B;
let manager, memberB, viewer;
let id;
const browsers = [];	// one a user, each with its console messages
const screenshot = numberedScreenshots('sharing');	// sharing-NN-NAME.png

/** A browser of its own signed in as user (through the form): { page, close() … }. */
async function signedInPage(user) {
	const b = await openBrowser();
	browsers.push(b);
	await signInPage(b.page, user);
	return b;
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
	standin = await startBasicStandin({ user: 'svc', password: PASSWORD });
	A = makeTeam(uniq('Payroll team'));
	B = makeTeam(uniq('Finance team'));
	manager = makeUser({ name: 'Sharing Manager', teams: [{ name: A.name, role: 'manager' }] });
	memberB = makeUser({ name: 'Finance Member', teams: [{ name: B.name, role: 'member' }] });
	viewer = makeUser({ name: 'Payroll Viewer', teams: [{ name: A.name, role: 'viewer' }] });
	const { jar } = await signIn(manager.email, manager.password);
	id = await httpBasic(jar, A, { url: standin.url, password: PASSWORD, name: NAME });
});

after(async () => {
	for (const b of browsers)
		await b.close();
	await standin?.close();
});

test('a manager shares the connection with team B for use', async () => {
	const b = await signedInPage(manager);
	const { page } = b;
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
	assert.equal(await pageFlash(page), 'Shared for use.');
	const row = page.locator('.shares-table tbody tr', { hasText: B.name });
	assert.equal(await row.count(), 1, 'B is listed');
	assert.match(await row.innerText(), /Use/);
	assert.deepEqual(sharesOf(id), { [B.id]: 'use' }, 'the share is stored');
	await screenshot(page, 'shared');
	await b.close();
});

test('a member of team B sees it on the Integrations tab with its owner, tests it, cannot edit or delete it', async () => {
	const b = await signedInPage(memberB);
	const { page } = b;
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
	assert.equal(await pageFlash(page), 'The connection works.');
	assert.equal(standin.requests.length, before + 1, 'the test reached the system');
	await screenshot(page, 'details-of-b');
	// Its Sharing tab: who has access, but no form.
	await page.goto(`${baseUrl()}/connections/${id}/sharing`);
	assert.equal(await page.getByRole('button', { name: 'Share', exact: true }).count(), 0, 'no share form');
	assert.equal(await page.getByRole('button', { name: /^Revoke/ }).count(), 0, 'no revoke button');
	// A typed URL is refused.
	const r = await page.goto(`${baseUrl()}/connections/${id}/edit`);
	assert.equal(r.status(), 403);
	await b.close();
});

test('a viewer of team A sees no Test, Edit, Delete or Sharing button', async () => {
	const b = await signedInPage(viewer);
	const { page } = b;
	await page.goto(`${baseUrl()}/connections/${id}`);
	assert.equal(await page.getByRole('heading', { level: 1, name: NAME }).count(), 1, 'the viewer sees it');
	assert.deepEqual(await actions(page), { test: false, edit: false, delete: false, sharing: false });
	assert.equal(await page.getByRole('link', { name: 'Edit', exact: true }).count(), 0, 'no Edit anywhere');
	assert.equal(await page.getByRole('link', { name: 'Delete', exact: true }).count(), 0, 'no Delete anywhere');
	await screenshot(page, 'viewer');
	const r = await page.goto(`${baseUrl()}/connections/${id}/delete`);
	assert.equal(r.status(), 403, 'the Delete URL is refused');
	await b.close();
});

test('no console error and no Content-Security-Policy violation', () => {
	// The refused URLs typed on purpose above answer 403: that is not a page error.
	const messages = browsers.flatMap((b) => b.messages);
	assert.deepEqual(messages.filter((m) => /^error|pageerror|Content.Security.Policy|Refused to/i.test(m))
	    .filter((m) => !/status of 403 \(Forbidden\)/.test(m)), []);
});
