// Creating a connection in headless Chromium, JavaScript off (issue 12 §1):
// the protocol and API type are part of what is submitted, so the kind
// created is the kind chosen. Reported: change Celonis's API type to Data
// push without "Update form", fill, Create → an Intelligence connection.
// Now: the form comes back for Data push (422, nothing saved, values kept,
// the application key asking to be entered again), then creates a Data
// push connection. "Update fields" keeps what was typed (Jira Cloud →
// Server); the OAuth scopes follow the API type; a name over 120
// characters is refused with a message, never cut by maxlength; the user
// form reports every error at once. Screenshots at 1366×900 and 390×844
// go to TETHER_TEST_OUT (create-NN-*.png).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertCleanConsole, numberedScreenshots, openBrowser, signInPage } from '../lib/browser.mjs';
import { admin, baseUrl, makeTeam, makeUser, psqlValue, sqlString, uniq } from '../lib/stack.mjs';

const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };

let user;
let team;
let browser;
let page;
const shot = numberedScreenshots('create');

/** Both sizes of the page as it is now. */
async function shots(name) {
	await page.setViewportSize(DESKTOP);
	await shot(page, `${name}-desktop`);
	await page.setViewportSize(PHONE);
	await shot(page, `${name}-phone`);
	await page.setViewportSize(DESKTOP);
}

async function text() {
	return (await page.locator('main').innerText()).replace(/\s+/g, ' ');
}

const field = (key) => page.locator(`[id="f-f.${key}"]`);

/** The connections of the team with this name: "api_type/protocol" each. */
function kinds(name) {
	return psqlValue(`SELECT coalesce(string_agg(api_type || '/' || auth_protocol, ','), '')
	    FROM connections WHERE owner_team_id = ${team.id} AND name = ${sqlString(name)}`) ?? '';
}

before(async () => {
	team = makeTeam(uniq('create-team'));
	user = makeUser({ name: 'Create Manager', teams: [{ name: team.name, role: 'manager' }] });
	browser = await openBrowser({ viewport: DESKTOP });
	page = browser.page;
	await signInPage(page, user);
});

after(async () => {
	await browser?.close();
});

test('Celonis: Data push chosen without updating the form creates no Intelligence connection', async () => {
	const name = `Celonis push ${uniq('c')}`;
	await page.goto(`${baseUrl()}/connections/new?connector=celonis&protocol=app_key&api_type=intelligence`);
	await page.locator('#f-name').fill(name);
	await field('domain').fill('acme.celonis.invalid');
	await field('app_key').fill('SECRET-CREATE-CHOICE');
	assert.equal(await field('pool_id').count(), 0, 'no pool ID on the Intelligence API');
	await page.selectOption('#f-api_type', 'data_push');
	await shots('celonis-changed-not-updated');
	await page.getByRole('button', { name: 'Create', exact: true }).click();

	assert.equal(kinds(name), '', 'nothing saved (before: an Intelligence connection)');
	const t = await text();
	assert.match(t, /Nothing was saved: the fields you filled in were for another authentication protocol or API type/);
	assert.match(t, /fields for Application key · Data push API/);
	assert.equal(await field('pool_id').count(), 1, 'the Data push fields shown');
	assert.equal(await page.locator('#f-name').inputValue(), name, 'the name kept');
	assert.equal(await field('domain').inputValue(), 'acme.celonis.invalid', 'the domain kept');
	assert.equal(await field('app_key').inputValue(), '', 'the secret is not echoed');
	assert.equal((await page.locator('[id="f-f.app_key-stored"]').innerText()).trim(),
	    'Enter the application key again.', 'the secret says so at its field');
	assert.equal(await page.locator('#f-api_type').inputValue(), 'data_push');
	assert.ok(!(await page.content()).includes('SECRET-CREATE-CHOICE'), 'no secret in the page');
	await shots('celonis-refused-values-kept');

	await field('pool_id').fill('pool-abc123');
	await field('app_key').fill('SECRET-CREATE-CHOICE');
	await Promise.all([page.waitForURL(/\/connections\/[0-9]+$/),
		page.getByRole('button', { name: 'Create', exact: true }).click()]);
	assert.equal(kinds(name), 'data_push/app_key', 'a Data push connection');
	assertCleanConsole(browser.messages.filter((m) => !/status of 4\d\d/.test(m)), 'create');
});

test('Jira: "Update fields" to Server keeps what was typed, and Create makes a Server connection', async () => {
	const name = `Jira server ${uniq('j')}`;
	await page.goto(`${baseUrl()}/connections/new?connector=jira&protocol=cloud`);
	await page.locator('#f-name').fill(name);
	await page.locator('#f-description').fill('Service desk');
	await field('url').fill('https://jira.example.invalid');
	await field('api_token').fill('SECRET-JIRA');
	await page.selectOption('#f-protocol', 'server');
	await page.getByRole('button', { name: 'Update fields' }).click();
	assert.match(await text(), /Nothing is saved yet\. The form now shows the fields for Server \(password\)/);
	assert.equal(await page.locator('#f-name').inputValue(), name);
	assert.equal(await page.locator('#f-description').inputValue(), 'Service desk');
	assert.equal(await field('url').inputValue(), 'https://jira.example.invalid', 'the URL kept');
	assert.equal(await field('api_token').count(), 0, 'no API token on Server');
	await shots('jira-updated-fields');
	await field('username').fill('svc');
	await field('password').fill('SECRET-JIRA-PW');
	await Promise.all([page.waitForURL(/\/connections\/[0-9]+$/),
		page.getByRole('button', { name: 'Create', exact: true }).click()]);
	assert.equal(kinds(name), '/server', 'a Jira Server connection');
});

test('Celonis OAuth: the scopes follow the API type (ticked, and in what is saved for the token request)', async () => {
	const name = `Celonis OAuth push ${uniq('o')}`;
	const intelligence = page.locator('[id="f-f.scopes.knowledge_models"]');
	const push = page.locator('[id="f-f.scopes.data_push"]');
	await page.goto(`${baseUrl()}/connections/new?connector=celonis&protocol=oauth2_client&api_type=intelligence`);
	assert.equal(await intelligence.isChecked(), true, 'the Intelligence scope ticked for the Intelligence API');
	assert.equal(await push.count(), 0);
	assert.equal(await field('scopes').inputValue(), '', 'no other scopes');
	await page.locator('#f-name').fill(name);
	await field('domain').fill('acme.celonis.invalid');
	await field('client_id').fill('client-1');
	await page.selectOption('#f-api_type', 'data_push');
	await page.getByRole('button', { name: 'Update fields' }).click();
	assert.equal(await intelligence.count(), 0, 'no Intelligence scope offered for Data push');
	assert.equal(await push.isChecked(), true, 'the Data push scope ticked');
	assert.equal(await field('scopes').inputValue(), '', 'the Intelligence scope not carried over as text');
	await field('pool_id').fill('pool-abc123');
	await field('client_secret').fill('SECRET-OAUTH-PUSH');
	await shots('celonis-oauth-data-push-scopes');
	await Promise.all([page.waitForURL(/\/connections\/[0-9]+$/),
		page.getByRole('button', { name: 'Create', exact: true }).click()]);
	assert.equal(kinds(name), 'data_push/oauth2_client');
	assert.equal(psqlValue(`SELECT settings->>'scopes' FROM connections WHERE owner_team_id = ${team.id}
	    AND name = ${sqlString(name)}`), 'integration.data-pools:data_push', 'the token is asked with the Data push scope');
	const id = /\/connections\/([0-9]+)$/.exec(page.url())[1];

	// Edit shows the scope ticked; saving with another scope typed keeps both.
	await page.goto(`${baseUrl()}/connections/${id}/edit`);
	assert.equal(await push.isChecked(), true, 'the saved scope ticked on Edit');
	await field('scopes').fill('integration.data-pools:read');
	await field('client_secret').fill('SECRET-OAUTH-PUSH');
	await shots('celonis-oauth-edit-scopes');
	await Promise.all([page.waitForURL(new RegExp(`/connections/${id}$`)),
		page.getByRole('button', { name: 'Save', exact: true }).click()]);
	assert.equal(psqlValue(`SELECT settings->>'scopes' FROM connections WHERE id = ${id}`),
	    'integration.data-pools:data_push integration.data-pools:read');

	await page.goto(`${baseUrl()}/connections/new?connector=celonis&protocol=oauth2_client&api_type=data_push`);
	assert.equal(await push.isChecked(), true);
});

test('Enter in a field means Create, not "Update fields"', async () => {
	const name = `Jira enter ${uniq('e')}`;
	await page.goto(`${baseUrl()}/connections/new?connector=jira&protocol=cloud`);
	await page.locator('#f-name').fill(name);
	await field('url').fill('https://jira.example.invalid');
	await field('email').fill('ops@example.com');
	await field('api_token').fill('SECRET-ENTER');
	await Promise.all([page.waitForURL(/\/connections\/[0-9]+$/), page.locator('#f-name').press('Enter')]);
	assert.equal(kinds(name), '/cloud');
});

test('long input: the limit is said, and 121 characters are refused with a message, not cut', async () => {
	const long = `L${'x'.repeat(120)}`;
	await page.goto(`${baseUrl()}/connections/new?connector=jira&protocol=cloud`);
	assert.equal(await page.locator('#f-name').getAttribute('maxlength'), null, 'not cut by the browser');
	assert.match(await page.locator('#f-name-help').innerText(), /Up to 120 characters/);
	await page.locator('#f-name').fill(long);
	await field('url').fill('https://jira.example.invalid');
	await field('email').fill('ops@example.com');
	await field('api_token').fill('SECRET-LONG');
	await page.getByRole('button', { name: 'Create', exact: true }).click();
	assert.equal(kinds(long), '', 'nothing saved');
	assert.equal(kinds(long.slice(0, 120)), '', 'not saved cut either');
	assert.match(await page.locator('#f-name-error').innerText(), /at most 120 characters/);
	assert.equal(await page.locator('#f-name').inputValue(), long, 'the whole value kept to correct');
	assert.equal((await page.locator('[id="f-f.api_token-stored"]').innerText()).trim(),
	    'Enter the API token again.');
	await shots('long-name-refused');
});

test('the user form reports every error at once', async () => {
	const ab = await openBrowser({ viewport: DESKTOP });
	try {
		const p = ab.page;
		await signInPage(p, admin());
		await p.goto(`${baseUrl()}/users`);
		// Each passes the browser's own checks; each fails Tether's.
		await p.locator('#f-user-email').fill('ops@intranet');
		await p.locator('#f-user-name').fill('N'.repeat(121));
		await p.locator('#f-user-password').fill('short');
		await p.getByRole('button', { name: 'Create user' }).click();
		for (const id of ['user-email', 'user-name', 'user-password'])
			assert.equal(await p.locator(`#f-${id}-error`).count(), 1, `an error at ${id}`);
		page = p;
		await shots('users-every-error');
	} finally {
		await ab.close();
	}
});
