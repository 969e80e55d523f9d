// What the JSON API writes is what the pages show, and the API refuses with
// the forms' own words (issue 14 §2, one validator): a connection created
// through POST /api/v1/connections opens on its Details page tested and
// connected, edited through PATCH shows the new values in the Edit form,
// shared through POST …/shares is listed on Sharing; the New form and the
// API give the same message for the same bad URL and the same taken name.
// At 1366×900 and 390×844 (api-write-NN-*.png); the secret never reaches a
// page; no console error.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertCleanConsole, numberedScreenshots, openBrowser, signInPage } from '../lib/browser.mjs';
import { startBasicStandin } from '../lib/lifecycle/lc.mjs';
import { baseUrl, makeTeam, makeUser, request, tetherctl, uniq } from '../lib/stack.mjs';
import { marker } from '../fakes/secrets.mjs';

const PASSWORD = marker('apiwb');
const VIEWPORTS = [['desktop', { width: 1366, height: 900 }], ['phone', { width: 390, height: 844 }]];
const screenshot = numberedScreenshots('api-write');

let standin;
let A;
let B;
let manager;
let token;
let conn;
const browsers = [];

async function api(method, path, body) {
	const r = await request(`/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`,
	    ...(body ? { 'content-type': 'application/json' } : {}) },
	    body: body ? JSON.stringify(body) : undefined });
	return { ...r, json: r.text ? JSON.parse(r.text) : undefined };
}

function basic(over = {}) {
	return { name: uniq('Billing API'), description: 'Made by the payroll engine', team_id: +A.id,
	    connector: 'http', protocol: 'basic', context: 'system',
	    settings: { url: standin.url, test_path: '/health', username: 'svc' },
	    secrets: { password: PASSWORD }, ...over };
}

async function signedIn(viewport) {
	const b = await openBrowser({ viewport });
	browsers.push(b);
	await signInPage(b.page, manager);
	return b.page;
}

before(async () => {
	standin = await startBasicStandin({ user: 'svc', password: PASSWORD });
	A = makeTeam(uniq('Payroll team'));
	B = makeTeam(uniq('Finance team'));
	manager = makeUser({ name: 'API Manager', teams: [{ name: A.name, role: 'manager' }] });
	token = tetherctl('token', 'add', manager.email, uniq('engine'), '--scopes',
	    'connections:read,connections:write').trim();
	const r = await api('POST', '/connections', basic());
	assert.equal(r.status, 201, r.text);
	conn = r.json;
});

after(async () => {
	for (const b of browsers)
		await b.close();
	await standin?.close();
});

test('created through the API: its Details page, tested and connected, no secret', async () => {
	for (const [label, viewport] of VIEWPORTS) {
		const page = await signedIn(viewport);
		await page.goto(`${baseUrl()}/connections/${conn.id}`);
		assert.equal(await page.getByRole('heading', { level: 1, name: conn.name }).count(), 1);
		const main = await page.locator('main').innerText();
		assert.match(main, /Connected/);
		assert.match(main, new RegExp(standin.url.replace(/[.]/g, '\\.')));
		assert.ok(!(await page.content()).includes(PASSWORD), 'no secret in the page');
		await screenshot(page, `details-${label}`);
	}
});

test('edited through PATCH: the Edit form shows the new values and version', async () => {
	const r = await api('PATCH', `/connections/${conn.id}`, { version: conn.version,
	    description: 'Now read by the payroll engine nightly', settings: { test_path: '/health' } });
	assert.equal(r.status, 200, r.text);
	for (const [label, viewport] of VIEWPORTS) {
		const page = await signedIn(viewport);
		await page.goto(`${baseUrl()}/connections/${conn.id}/edit?confirm=1`);
		assert.equal(await page.locator('[id="f-description"]').inputValue(),
		    'Now read by the payroll engine nightly');
		assert.equal(await page.locator('input[name="version"]').inputValue(), String(r.json.version));
		assert.equal(await page.locator('[id="f-f.password"]').inputValue(), '', 'secrets are not echoed');
		await screenshot(page, `edit-form-${label}`);
	}
});

test('shared through the API: listed on the Sharing tab', async () => {
	const r = await api('POST', `/connections/${conn.id}/shares`, { team_id: +B.id, permission: 'use' });
	assert.equal(r.status, 200, r.text);
	for (const [label, viewport] of VIEWPORTS) {
		const page = await signedIn(viewport);
		await page.goto(`${baseUrl()}/connections/${conn.id}/sharing`);
		const row = page.locator('.shares-table tbody tr', { hasText: B.name });
		assert.equal(await row.count(), 1, 'B is listed');
		assert.match(await row.innerText(), /Use/);
		await screenshot(page, `sharing-${label}`);
	}
});

test('one validator: the New form and the API refuse a bad URL and a taken name in the same words', async () => {
	const page = await signedIn({ width: 1366, height: 900 });
	const fieldError = async (input) => (await page.locator(`[id="f-${input}-error"]`).innerText())
	    .replace(/^Error:\s*/, '').trim();
	await page.goto(`${baseUrl()}/connections/new?connector=http&protocol=basic`);
	await page.locator('[id="f-name"]').fill(conn.name);
	assert.equal(await page.locator('select[name="team"] option:checked').innerText(), A.name,
	    'the one team the manager manages is chosen');
	await page.locator('[id="f-f.url"]').fill('ftp://files.example.com');
	await page.locator('[id="f-f.test_path"]').fill('/health');
	await page.locator('[id="f-f.username"]').fill('svc');
	await page.locator('[id="f-f.password"]').fill(PASSWORD);
	await page.getByRole('button', { name: 'Create' }).click();
	await page.waitForLoadState();
	const formUrl = await fieldError('f.url');
	assert.ok(formUrl.length > 0, 'the form marks the URL');
	await screenshot(page, 'new-form-refused');
	const viaApi = await api('POST', '/connections', basic({ name: conn.name,
	    settings: { url: 'ftp://files.example.com', test_path: '/health', username: 'svc' } }));
	assert.equal(viaApi.status, 422);
	assert.equal(viaApi.json.fields['settings.url'], formUrl, 'the same words for the URL');
	// The name is checked once the rest is right: the same sentence again.
	await page.locator('[id="f-f.url"]').fill(standin.url);
	await page.locator('[id="f-f.password"]').fill(PASSWORD);
	await page.getByRole('button', { name: 'Create' }).click();
	await page.waitForLoadState();
	const formName = await fieldError('name');
	const taken = await api('POST', '/connections', basic({ name: conn.name }));
	assert.equal(taken.status, 422);
	assert.equal(taken.json.fields.name, formName, 'the same words for the taken name');
	assert.ok(!(await page.content()).includes(PASSWORD), 'the typed secret is not sent back');
});

test('no console error and no Content-Security-Policy violation', () => {
	// The refused forms sent on purpose above answer 422: that is not a page error.
	assertCleanConsole(browsers.flatMap((b) => b.messages)
	    .filter((m) => !/status of 422 \(Unprocessable/.test(m)), 'the pages');
});
