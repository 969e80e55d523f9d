// A connection's whole life in headless Chromium (Debian's /usr/bin/chromium
// driven by playwright-core, a fresh profile, JavaScript off: the pages need
// none): create a Generic HTTP (Basic) connection through the form → its
// Details (tested at once against a stand-in on loopback) → Related, after
// a flow is registered with tetherctl → Edit, through the warning → Delete
// refused while the flow uses it → the flow removed → Delete succeeds, back
// on the Integrations tab with the message. A screenshot of every step goes
// to TETHER_TEST_OUT (lifecycle-NN-*.png); the console shows no error and no
// Content-Security-Policy violation.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import {
	assertCleanConsole, numberedScreenshots, openBrowser, pageFlash, signInPage,
} from '../lib/browser.mjs';
import { flowAdd, flowDetach, snapshot, startBasicStandin } from '../lib/lifecycle/lc.mjs';
import { baseUrl, makeTeam, makeUser, psql, uniq } from '../lib/stack.mjs';

const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
const NAME = `Billing API ${uniq('b')}`;

let standin;
let user;
let browser;		// openBrowser()
let page;
let id;			// the connection
let flow;		// the flow using it
const screenshot = numberedScreenshots('lifecycle');	// lifecycle-NN-NAME.png

/** The page's visible text, whitespace collapsed. */
async function text() {
	return (await page.locator('main').innerText()).replace(/\s+/g, ' ');
}

/** The rows of the flows table on the page: [[name, version, status, owner]]. */
async function flowRows() {
	return page.locator('table tbody tr').evaluateAll((rows) => rows.map((r) =>
	    [...r.querySelectorAll('th, td')].slice(0, 4).map((c) => c.innerText.trim())));
}

before(async () => {
	standin = await startBasicStandin({ user: 'svc', password: PASSWORD });
	const team = makeTeam(uniq('browser-team'));
	user = makeUser({ name: 'Browser Manager', teams: [{ name: team.name, role: 'manager' }] });
	browser = await openBrowser();
	page = browser.page;
});

after(async () => {
	await browser?.close();
	await standin?.close();
});

test('create: the New connection form of Generic HTTP (Basic), filled and sent', async () => {
	await signInPage(page, user);

	await page.goto(baseUrl() + '/connectors/http');
	await Promise.all([page.waitForURL(/\/connections\/new\?connector=http&protocol=basic$/),
		page.getByRole('link', { name: 'New connection with Basic (user name and password)' }).click()]);
	await page.locator('[id="f-name"]').fill(NAME);
	await page.locator('[id="f-description"]').fill('Health of the billing API');
	await page.locator('[id="f-f.url"]').fill(standin.url);
	await page.locator('[id="f-f.test_path"]').fill('/health');
	assert.equal(await page.locator('[id="f-f.test_status"]').inputValue(), '200', 'the default status');
	await page.locator('[id="f-f.username"]').fill('svc');
	await page.locator('[id="f-f.password"]').fill(PASSWORD);
	assert.equal(await page.locator('[id="f-f.password"]').getAttribute('type'), 'password');
	await screenshot(page, 'new-form');
	await Promise.all([page.waitForURL(/\/connections\/[0-9]+$/), page.getByRole('button', { name: 'Create' }).click()]);
	id = Number(/\/connections\/([0-9]+)$/.exec(page.url())[1]);
	assert.ok(id > 0);
	assert.equal(standin.requests.length, 1, 'tested at once against the stand-in');
});

test('details: tested at once, every setting shown, the secret stored and never shown', async () => {
	assert.ok(id, 'created');
	assert.equal(await pageFlash(page), `Connection "${NAME}" created. Test: The connection works.`);
	assert.equal(await page.title(), `${NAME} · Tether`);
	const t = await text();
	for (const s of ['Connected', 'Passed', 'Generic HTTP', 'Basic (user name and password)',
	    `Base URL ${standin.url}`, 'Test path /health', 'Expected status 200', 'User name svc',
	    'Health of the billing API', 'Version 1'])
		assert.ok(t.includes(s), `the Details tab shows "${s}"`);
	assert.match(t, /Password Stored · last changed on [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}(?! UTC)/);
	assert.ok(!(await page.content()).includes(PASSWORD), 'the password is nowhere in the page');
	await screenshot(page, 'details');
});

test('related: the flow registered with tetherctl is listed', async () => {
	assert.ok(id, 'created');
	flow = flowAdd({ name: `Invoice sync ${uniq('f')}`, version: 5, status: 'active', owner: 'Finance ops',
		connections: [id] });
	await page.reload();
	await Promise.all([page.waitForURL(new RegExp(`/connections/${id}/related$`)),
		page.getByRole('link', { name: /^Related/ }).click()]);
	assert.equal(await page.getByRole('link', { name: /^Related/ }).getAttribute('aria-current'), 'page');
	assert.deepEqual(await flowRows(), [[flow.name, '5', 'Active', 'Finance ops']]);
	assert.equal(await page.getByRole('link', { name: flow.name }).getAttribute('href'), `/flows/${flow.id}`);
	await screenshot(page, 'related');
});

test('edit: the warning first, then the form (secret empty), saved and tested', async () => {
	assert.ok(flow, 'the flow is registered');
	await Promise.all([page.waitForURL(new RegExp(`/connections/${id}/edit$`)),
		page.getByRole('link', { name: 'Edit', exact: true }).click()]);
	assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), `Edit ${NAME}?`);
	assert.match(await text(), /Edits are permanent and take effect immediately\. They affect the 1 flow that uses this connection:/);
	assert.deepEqual(await flowRows(), [[flow.name, '5', 'Active', 'Finance ops']]);
	assert.equal(await page.locator('[id="f-f.password"]').count(), 0, 'no form on the warning');
	await screenshot(page, 'edit-warning');

	await Promise.all([page.waitForURL(new RegExp(`/connections/${id}/edit\\?confirm=1$`)),
		page.getByRole('link', { name: 'Continue to edit' }).click()]);
	assert.equal(await page.locator('[id="f-f.password"]').inputValue(), '', 'the secret starts empty');
	for (const dis of ['f-connector', 'f-protocol', 'f-team', 'f-context'])
		assert.equal(await page.locator(`[id="${dis}"]`).isDisabled(), true, `${dis} is disabled`);
	assert.match(await text(), /Stored, last changed on .* Leave empty to keep it\./);
	await page.locator('[id="f-description"]').fill('Health of the billing API, checked by the browser test');
	await screenshot(page, 'edit-form');
	const before = standin.requests.length;
	await Promise.all([page.waitForURL(new RegExp(`/connections/${id}$`)), page.getByRole('button', { name: 'Save' }).click()]);
	assert.equal(await pageFlash(page), `Saved "${NAME}"; the change is live for every flow using it. Test: The connection works.`);
	assert.equal(standin.requests.length, before + 1, 'the save tested the connection');
	assert.equal(standin.requests.at(-1).authorization, 'Basic ' + Buffer.from(`svc:${PASSWORD}`).toString('base64'),
	    'with the stored secret, kept');
	const t = await text();
	assert.ok(t.includes('checked by the browser test'));
	assert.match(t, /Version 2 Current .* Description/);
	await screenshot(page, 'edit-saved');
});

test('delete: refused while the flow uses it, the flow listed', async () => {
	assert.ok(flow, 'the flow is registered');
	await Promise.all([page.waitForURL(new RegExp(`/connections/${id}/delete$`)),
		page.getByRole('link', { name: 'Delete', exact: true }).click()]);
	assert.equal(await page.getByRole('heading', { level: 1 }).innerText(),
	    "This connection can't be deleted while flows use it");
	assert.deepEqual(await flowRows(), [[flow.name, '5', 'Active', 'Finance ops']]);
	assert.equal(await page.getByRole('button', { name: 'Delete connection' }).count(), 0, 'no delete button');
	assert.equal(snapshot(id).row.version, 2, 'still there');
	await screenshot(page, 'delete-refused');
});

test('the flow removed: the confirmation page', async () => {
	assert.ok(flow, 'the flow is registered');
	flowDetach(flow.id);
	await page.reload();
	assert.match(await page.getByRole('heading', { level: 1 }).innerText(), new RegExp(`^Delete connection ${NAME.replace(/[()]/g, '.')}`));
	assert.match(await text(), /This is permanent: its settings, secrets and tokens are destroyed\. .*Used by No flows/);
	await screenshot(page, 'delete-confirm');
});

test('delete succeeds: back on the Integrations tab with the message; secrets gone', async () => {
	assert.ok(id, 'created');
	await Promise.all([page.waitForURL(baseUrl() + '/'), page.getByRole('button', { name: 'Delete connection' }).click()]);
	assert.equal(await pageFlash(page), `Connection "${NAME}" was deleted, with its secrets.`);
	assert.equal(await page.getByRole('link', { name: NAME }).count(), 0, 'not listed');
	const [[c, s]] = psql(`SELECT (SELECT count(*) FROM connections WHERE id = ${id}),
	    (SELECT count(*) FROM connection_secrets WHERE connection_id = ${id})`);
	assert.deepEqual([c, s], ['0', '0']);
	await screenshot(page, 'deleted');
	assertCleanConsole(browser.messages, 'the whole life');
});
