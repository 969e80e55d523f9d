// OAuth clients in headless Chromium, JavaScript off (issue 13 §1): on the
// New connection form of Celonis with OAuth 2.0 client credentials, a
// manager types a name and a domain, presses "+" next to the saved-client
// list, creates a client on the OAuth clients page and comes back to the
// form with what was typed kept and the new client selected; the pencil
// edits that client and comes back the same way; Create makes a connection
// that uses the client. Screenshots at 1366×900 and 390×844 go to
// TETHER_TEST_OUT (oauth-clients-NN-*.png); no console error.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
	assertCleanConsole, numberedScreenshots, openBrowser, pageFlash, signInPage,
} from '../lib/browser.mjs';
import { baseUrl, makeTeam, makeUser, psqlValue, uniq } from '../lib/stack.mjs';

const browsers = [];
const screenshot = numberedScreenshots('oauth-clients');
let manager;
const NAME = `Celonis EU ${uniq('b')}`;
const CLIENT = `Celonis app ${uniq('c')}`;
const SECRET = `mk-bc-${uniq('s')}`;

before(() => {
	const team = makeTeam(uniq('Process team'));
	manager = makeUser({ name: 'Client Manager', teams: [{ name: team.name, role: 'manager' }] });
});

after(async () => {
	for (const b of browsers)
		await b.close();
});

async function open(viewport) {
	const b = await openBrowser({ viewport });
	browsers.push(b);
	await signInPage(b.page, manager);
	return b;
}

for (const [label, viewport] of [['desktop', { width: 1366, height: 900 }],
	['phone', { width: 390, height: 844 }]]) {
	test(`${label}: "+" and the pencil leave the form and come back with its values and the client`, async () => {
		const { page, messages } = await open(viewport);
		const name = `${NAME} ${label}`;
		const client = `${CLIENT} ${label}`;
		await page.goto(`${baseUrl()}/connections/new?connector=celonis&protocol=oauth2_client`);
		await page.locator('#f-name').fill(name);
		await page.locator('[name="f.domain"]').fill('acme.eu-1.celonis.cloud');
		const pick = page.locator('fieldset.oauth-client-pick');
		assert.equal(await pick.count(), 1, 'the OAuth client picker is on the form');
		await pick.getByLabel('Use a saved client').check();
		await screenshot(page, `${label}-form`);

		// "+": to the OAuth clients page, the connector preselected.
		await Promise.all([page.waitForURL(/\/oauth-clients\?draft=/),
			pick.getByRole('button', { name: 'New OAuth client' }).click()]);
		assert.match(await page.locator('main').innerText(), /Your connection form is kept/);
		assert.equal(await page.locator('#f-kind').inputValue(), 'celonis/oauth2_client');
		await page.locator('#f-name').fill(client);
		await page.locator('#f-client_id').fill(`client-${label}`);
		await page.locator('#f-client_secret').fill(SECRET);
		await screenshot(page, `${label}-new-client`);
		await Promise.all([page.waitForURL(/\/connections\/new\?draft=.*oauth_client=/),
			page.getByRole('button', { name: 'Create and go back to the connection' }).click()]);
		assert.match(await pageFlash(page), /OAuth client created and selected/);
		assert.equal(await page.locator('#f-name').inputValue(), name, 'the name is kept');
		assert.equal(await page.locator('[name="f.domain"]').inputValue(), 'acme.eu-1.celonis.cloud');
		assert.equal(await pick.getByLabel('Use a saved client').isChecked(), true);
		assert.equal((await page.locator('#f-oauth_client option:checked').innerText()).startsWith(client), true,
		    'the new client is selected');
		assert.ok(!(await page.content()).includes(SECRET), 'no secret in the form');
		await screenshot(page, `${label}-back-with-client`);

		// The pencil: edit the selected client, come back.
		await Promise.all([page.waitForURL(/\/oauth-clients\/[0-9]+\?draft=/),
			pick.getByRole('button', { name: 'Edit the selected OAuth client' }).click()]);
		await page.locator('#f-auth_method').selectOption('client_secret_post');
		await screenshot(page, `${label}-edit-client`);
		await Promise.all([page.waitForURL(/\/connections\/new\?draft=.*oauth_client=/),
			page.getByRole('button', { name: 'Save and go back to the connection' }).click()]);
		assert.equal(await page.locator('#f-name').inputValue(), name);
		assert.equal((await page.locator('#f-oauth_client option:checked').innerText()).startsWith(client), true);

		// Create: the connection uses the client.
		await Promise.all([page.waitForURL(/\/connections\/[0-9]+/),
			page.getByRole('button', { name: 'Create', exact: true }).click()]);
		const id = /\/connections\/([0-9]+)/.exec(page.url())[1];
		assert.equal(psqlValue(`SELECT o.name FROM connections c JOIN oauth_clients o ON
		    o.id = c.oauth_client_id WHERE c.id = ${id}`), client);
		assert.equal(psqlValue(`SELECT auth_method FROM oauth_clients WHERE name = '${client}'`),
		    'client_secret_post', 'the pencil saved the client');

		// The client's page lists the connection.
		await page.goto(`${baseUrl()}/oauth-clients`);
		await screenshot(page, `${label}-list`);
		await page.getByRole('link', { name: client }).click();
		assert.match(await page.locator('main').innerText(), new RegExp(name));
		await screenshot(page, `${label}-client-page`);
		assertCleanConsole(messages, label);
	});
}
