// The Webhooks pages in headless Chromium (JavaScript off): an admin
// follows the Webhooks link, adds an endpoint for two events of one team,
// sees its signing secret once (and never again), then, after
// tether-worker delivered an event (a 500 first, then a 204), opens the
// endpoint and sees every attempt with its time, HTTP status and latency;
// disables it. Screenshots go to TETHER_TEST_OUT (webhooks-NN-*.png); no
// console error, no CSP violation. A manager sees no Webhooks link.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { startStandin } from '../fakes/http-standin.mjs';
import { makePki } from '../fakes/pki.mjs';
import {
	assertCleanConsole, numberedScreenshots, openBrowser, pageFlash, signInPage,
} from '../lib/browser.mjs';
import { httpBasic } from '../lib/roles/world.mjs';
import {
	confCopy, env, makeTeam, makeUser, psql, psqlValue, signIn, startProcess, uniq,
} from '../lib/stack.mjs';

const screenshot = numberedScreenshots('webhooks');
const answers = [];
let receiver;
let dir;
let conf;
let browser;

before(async () => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-webhooks-b-'));
	const pki = makePki(path.join(dir, 'ca'));
	receiver = await startStandin({ name: 'receiver', tls: pki.issue('hooks', ['localhost']),
		handler: (req, res) => { res.writeHead(answers.shift() ?? 204); res.end(); } });
	// The worker of this test trusts the receiver's CA.
	conf = confCopy(dir, { 'outbound.ca_bundle': pki.caFile });
});

after(async () => {
	await browser?.close();
	await receiver?.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

async function workerOnce() {
	const p = startProcess(path.join(env('TETHER_BIN'), 'tether-worker'), ['-c', conf, '--once']);
	assert.equal((await p.exited).code, 0, p.stderr().slice(-1000));
}

test('an admin adds a webhook, copies its secret once, and sees every delivery attempt', async () => {
	const team = makeTeam(uniq('Payments team'));
	const admin = makeUser({ admin: true, name: 'Hook Admin', teams: [{ name: team.name, role: 'manager' }] });
	browser = await openBrowser();
	const { page } = browser;
	await signInPage(page, admin);
	await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
	assert.equal(await page.title(), 'Webhooks · Tether');
	const url = `${receiver.url}/tether/${uniq('h')}`;
	await page.getByLabel('Address (https)').fill(url);
	await page.getByLabel('connection.created').check();
	await page.getByLabel('connection.failing').check();
	await page.getByLabel('Team').selectOption({ label: team.name });
	await screenshot(page, 'add-form');
	await page.getByRole('button', { name: 'Add webhook' }).click();
	const secret = await page.locator('#created-secret').inputValue();
	assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
	assert.match(await page.locator('.secret-once').innerText(), /will not be shown again/);
	await screenshot(page, 'created-secret-once');
	const id = Number(psqlValue(`SELECT id FROM webhook_endpoints WHERE url = '${url}'`));
	assert.deepEqual(psql(`SELECT array_to_string(events, ','), team_id FROM webhook_endpoints WHERE id = ${id}`)[0],
	    ['connection.failing,connection.created', team.id]);

	await page.goto(`${page.url().replace(/\/webhooks.*$/, '')}/webhooks`);
	assert.ok(!(await page.content()).includes(secret.slice(6)), 'never shown again');

	// An event, a 500, then its retry delivered.
	const { jar } = await signIn(admin.email, admin.password);
	await httpBasic(jar, team, { url: 'http://127.0.0.1:9', password: 'pw-unused', name: uniq('Ledger API') });
	answers.push(500);
	await workerOnce();
	psql(`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE endpoint_id = ${id} AND state = 'pending'`);
	await workerOnce();
	assert.equal(receiver.requests.filter((r) => url.endsWith(r.path)).length, 2);

	await page.getByRole('link', { name: url }).click();
	const rows = await page.locator('.attempt-list li').allInnerTexts();
	assert.equal(rows.length, 2);
	assert.match(rows[0], /^\d{4}-\d\d-\d\d \d\d:\d\d · HTTP 500 · \d+ ms · The system answered with unexpected status 500\.$/);
	assert.match(rows[1], /^\d{4}-\d\d-\d\d \d\d:\d\d · HTTP 204 · \d+ ms$/);
	assert.match(await page.locator('.deliveries-table').innerText(), /Delivered/);
	await screenshot(page, 'deliveries');

	await page.getByRole('button', { name: 'Disable' }).click();
	assert.equal(await pageFlash(page), 'Webhook disabled.');
	assert.equal(psqlValue(`SELECT enabled FROM webhook_endpoints WHERE id = ${id}`), 'f');
	await screenshot(page, 'disabled');
	await page.getByRole('button', { name: 'Delete webhook' }).click();
	assert.equal(await pageFlash(page), 'Webhook deleted.');
	assert.equal(psqlValue(`SELECT count(*) FROM webhook_endpoints WHERE id = ${id}`), '0');
	assertCleanConsole(browser.messages, 'webhooks pages');
});

test('a manager sees no Webhooks link, and /webhooks is not found for them', async () => {
	const team = makeTeam(uniq('Ops team'));
	const manager = makeUser({ teams: [{ name: team.name, role: 'manager' }] });
	const b = await openBrowser();
	try {
		await signInPage(b.page, manager);
		assert.equal(await b.page.getByRole('link', { name: 'Webhooks', exact: true }).count(), 0);
		const r = await b.page.goto(b.page.url().replace(/\/$/, '') + '/webhooks');
		assert.equal(r.status(), 404);
	} finally {
		await b.close();
	}
});
