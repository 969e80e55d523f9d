// Replace a connection across its flows in headless Chromium (JavaScript
// off: the pages need none): Delete refused while three flows use the old
// connection → "Replace in flows…" → pick a replacement whose last test
// failed (the warning) → pick one that passed → untick one flow → confirm
// → the message, one flow left → Replace again for the last one → "No flows
// use it — you can delete it now" → Delete → back on the Integrations tab.
// Screenshots at 1366×900 (replace-NN-*.png) and 390×844 (replace-phone-*);
// the console shows no error and no Content-Security-Policy violation.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
	assertCleanConsole, numberedScreenshots, openBrowser, pageFlash, screenshot as shot,
	signInPage,
} from '../lib/browser.mjs';
import { seed } from '../lib/list.mjs';
import { flowConns } from '../lib/rows.mjs';
import { baseUrl, makeUser, psql, psqlValue, sqlString, uniq } from '../lib/stack.mjs';

const P = uniq('BRP');
let s;
let user;
let browser;
let page;
const flows = {};
const screenshot = numberedScreenshots('replace');

const cid = (k) => Number(s.connections[k].id);

async function text() {
	return (await page.locator('main').innerText()).replace(/\s+/g, ' ');
}

function makeFlow(name, conn, version) {
	const id = psqlValue(`INSERT INTO flows (name, version, status, owner)
	    VALUES (${sqlString(name)}, ${version}, 'active', 'Finance ops') RETURNING id`);
	psql(`INSERT INTO flow_connections (flow_id, connection_id) VALUES (${id}, ${conn})`);
	return Number(id);
}

before(async () => {
	s = seed(P, {
		teams: ['a'],
		connections: [
			{ key: 'old', team: 'a', name: 'Billing API (old key)', status: 'ok', testedAgo: '2 days' },
			{ key: 'good', team: 'a', name: 'Billing API (rotated key)', status: 'ok',
			    testedAgo: '1 hour', result: 'ok' },
			{ key: 'bad', team: 'a', name: 'Billing API (staging)', status: 'failing',
			    testedAgo: '3 hours', result: 'bad_credentials' },
		],
	});
	flows.invoices = makeFlow('Invoice sync', cid('old'), 12);
	flows.refunds = makeFlow('Refund export', cid('old'), 3);
	flows.dunning = makeFlow('Dunning reminders', cid('old'), 1);
	user = makeUser({ name: 'Replace Manager', teams: [{ name: `${P}-a`, role: 'manager' }] });
	browser = await openBrowser({ viewport: { width: 1366, height: 900 } });
	page = browser.page;
	await signInPage(page, user);
});

after(async () => {
	await browser?.close();
});

test('the Related tab offers Replace in flows… to those who may edit it', async () => {
	await page.goto(`${baseUrl()}/connections/${cid('old')}/related`);
	assert.equal(await page.getByRole('link', { name: 'Replace in flows…' }).count(), 1);
	await screenshot(page, 'related');
});

test('Delete is refused while flows use it, and offers Replace in flows…', async () => {
	await page.goto(`${baseUrl()}/connections/${cid('old')}/delete`);
	assert.match(await text(), /can't be deleted while flows use it/);
	await screenshot(page, 'delete-refused');
	await Promise.all([page.waitForURL(/\/replace$/),
		page.getByRole('link', { name: 'Replace in flows…' }).click()]);
	assert.match(await text(), /Replace Billing API \(old key\) in flows/);
	assert.equal(await page.locator('input[name="flow"]').count(), 0, 'nothing to tick before a pick');
	await screenshot(page, 'pick');
});

test('a replacement whose last test failed is previewed with a clear warning', async () => {
	await page.getByLabel('Replacement').selectOption(String(cid('bad')));
	await Promise.all([page.waitForURL(/\?to=/),
		page.getByRole('button', { name: 'Preview the change' }).click()]);
	const t = await text();
	assert.match(t, /Warning: the replacement's last test did not pass \(Failing/);
	assert.equal(await page.locator('.alert-warning').count(), 1);
	assert.equal(await page.locator('input[name="flow"]:checked').count(), 3, 'all chosen by default');
	await screenshot(page, 'preview-failing');
});

test('pick the one that passed, untick one flow, confirm: two flows move', async () => {
	await page.getByLabel('Replacement').selectOption(String(cid('good')));
	await Promise.all([page.waitForURL(/\?to=/),
		page.getByRole('button', { name: 'Preview the change' }).click()]);
	assert.match(await text(), /The replacement's last test passed/);
	assert.equal(await page.locator('.alert-warning').count(), 0);
	const rows = await page.locator('table tbody tr').evaluateAll((rs) => rs.map((r) =>
	    [...r.querySelectorAll('th, td')].slice(0, 4).map((c) => c.innerText.trim())));
	assert.deepEqual(rows, [
		['Dunning reminders', '1', 'Active', 'Finance ops'],
		['Invoice sync', '12', 'Active', 'Finance ops'],
		['Refund export', '3', 'Active', 'Finance ops'],
	]);
	await page.getByLabel('Refund export').uncheck();
	await screenshot(page, 'preview-chosen');
	await Promise.all([page.waitForURL(/\/replace$/),
		page.getByRole('button', { name: 'Replace in the chosen flows' }).click()]);
	assert.equal(await pageFlash(page),
	    'Replaced in 2 flows: they now use "Billing API (rotated key)". Other flows still use this connection.');
	assert.deepEqual(flowConns(flows.invoices), [String(cid('good'))]);
	assert.deepEqual(flowConns(flows.dunning), [String(cid('good'))]);
	assert.deepEqual(flowConns(flows.refunds), [String(cid('old'))]);
	await screenshot(page, 'after-partial');
});

test('the last flow moves; then no flow uses it and Delete goes through', async () => {
	await page.getByLabel('Replacement').selectOption(String(cid('good')));
	await Promise.all([page.waitForURL(/\?to=/),
		page.getByRole('button', { name: 'Preview the change' }).click()]);
	await Promise.all([page.waitForURL(/\/replace$/),
		page.getByRole('button', { name: 'Replace in the chosen flows' }).click()]);
	assert.match(await pageFlash(page), /^Replaced in 1 flow: it now uses/);
	assert.match(await text(), /No flows use it — you can delete it now/);
	await screenshot(page, 'unused');

	// The same pages on a phone.
	const phone = await openBrowser({ viewport: { width: 390, height: 844 }, isMobile: true });
	try {
		await signInPage(phone.page, user);
		await phone.page.goto(`${baseUrl()}/connections/${cid('good')}/related`);
		await shot(phone.page, 'replace-phone-related');
		await phone.page.goto(`${baseUrl()}/connections/${cid('good')}/replace?to=${cid('bad')}`);
		await shot(phone.page, 'replace-phone-preview');
		await phone.page.goto(`${baseUrl()}/connections/${cid('old')}/replace`);
		await shot(phone.page, 'replace-phone-unused');
		assertCleanConsole(phone.messages, 'phone');
	} finally {
		await phone.close();
	}

	await Promise.all([page.waitForURL(/\/delete$/),
		page.getByRole('link', { name: /^Delete Billing API \(old key\)$/ }).click()]);
	await screenshot(page, 'delete-confirm');
	await Promise.all([page.waitForURL(`${baseUrl()}/`),
		page.getByRole('button', { name: 'Delete connection' }).click()]);
	assert.match(await pageFlash(page), /was deleted/);
	assert.equal(psqlValue(`SELECT count(*) FROM connections WHERE id = ${cid('old')}`), '0');
	assertCleanConsole(browser.messages, 'desktop');
});
