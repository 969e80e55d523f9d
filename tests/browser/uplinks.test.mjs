// The Uplinks pages and the outbound addresses in headless Chromium: an
// admin follows the Uplinks link, is refused field by field, adds an
// uplink to the proxy stand-in (tests/fakes/proxy.mjs), tests it, sees the
// connections using it and Delete refused, then deletes it once unused; an
// Uplinked connection's Details show the uplink's egress addresses with a
// Copy button (JavaScript on; a read-only field without it); a connector
// page says the outbound addresses are not configured (this stack sets
// none) and how. Screenshots at 1366x900 and 390x844 go to TETHER_TEST_OUT
// (uplinks-NN-*.png); no console error, no CSP violation. A manager sees
// no Uplinks link and gets 403 with the navigation bar.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startProxy } from '../fakes/proxy.mjs';
import {
	assertCleanConsole, numberedScreenshots, openBrowser, pageFlash, signInPage,
} from '../lib/browser.mjs';
import { httpBasic } from '../lib/roles/world.mjs';
import { baseUrl, makeTeam, makeUser, psql, psqlValue, signIn, uniq } from '../lib/stack.mjs';

const screenshot = numberedScreenshots('uplinks');
const WIDE = { width: 1366, height: 900 };
const NARROW = { width: 390, height: 844 };
let proxy, target;
const browsers = [];

before(async () => {
	target = await startProxy({});
	proxy = await startProxy({ 'jira.plant.test:443': new URL(target.url).port });
});

after(async () => {
	for (const b of browsers)
		await b.close();
	await proxy?.close();
	await target?.close();
});

async function browser(opts) {
	const b = await openBrowser(opts);
	browsers.push(b);
	return b;
}

test('an admin adds, tests and deletes an uplink; refusals name their field', async () => {
	const team = makeTeam(uniq('Plant team'));
	const admin = makeUser({ admin: true, name: 'Uplink Admin', teams: [{ name: team.name, role: 'manager' }] });
	const b = await browser({ viewport: WIDE });
	const { page } = b;
	await signInPage(page, admin);
	await page.getByRole('link', { name: 'Uplinks', exact: true }).click();
	assert.equal(await page.title(), 'Uplinks · Tether');

	const name = uniq('Plant Lyon');
	await page.getByLabel('Name').fill(name);
	await page.getByLabel('Proxy address').fill('ftp://10.0.0.1');
	await page.getByLabel('Allowlist').fill('127.0.0.0/8');
	await page.getByLabel('Egress addresses').fill('192.0.2.44, nope');
	await page.getByLabel('Probe (optional)').fill('jira.plant.test:443');
	await page.getByRole('button', { name: 'Add uplink' }).click();
	const errors = await page.locator('.field-error').allInnerTexts();
	assert.equal(errors.length, 2, errors.join(' | '));
	assert.match(errors[0], /must start with https:\/\/ or http:\/\//);
	assert.match(errors[1], /"nope" is not an IPv4 or IPv6 address or range/);
	assert.equal(await page.getByLabel('Name').inputValue(), name, 'what was typed stays');
	assert.equal(psqlValue(`SELECT count(*) FROM uplinks WHERE name = '${name}'`), '0');
	await screenshot(page, 'refused');

	await page.getByLabel('Proxy address').fill(proxy.url);
	await page.getByLabel('Egress addresses').fill('192.0.2.44, 198.51.100.0/28');
	await page.getByRole('button', { name: 'Add uplink' }).click();
	assert.match(await pageFlash(page), new RegExp(`Uplink ${name} added`));
	await screenshot(page, 'added');

	await page.getByRole('button', { name: 'Test uplink' }).click();
	assert.match(await pageFlash(page), /The proxy opened a tunnel to jira\.plant\.test:443/);
	assert.ok(proxy.connects.includes('jira.plant.test:443'));
	await screenshot(page, 'tested');

	// A connection of the team, Uplinked through it.
	const id = Number(psqlValue(`SELECT id FROM uplinks WHERE name = '${name}'`));
	const { jar } = await signIn(admin.email, admin.password);
	const connName = uniq('Plant Jira');
	const cid = await httpBasic(jar, team, { url: 'https://jira.plant.test', password: 'pw-unused', name: connName });
	psql(`UPDATE connections SET uplink_id = ${id} WHERE id = ${cid}`);
	await page.goto(`${baseUrl()}/uplinks/${id}`);
	assert.equal(await page.getByRole('link', { name: connName }).getAttribute('href'), `/connections/${cid}`);
	assert.ok(await page.getByRole('button', { name: 'Delete uplink' }).isDisabled());
	assert.match(await page.locator('#delete-why').innerText(), /1 connection uses it/);
	await screenshot(page, 'in-use');

	await page.getByRole('link', { name: 'Uplinks', exact: true }).first().click();
	const row = page.locator('tr', { has: page.getByRole('link', { name }) });
	assert.match(await row.innerText(), /192\.0\.2\.44, 198\.51\.100\.0\/28[^]*1 connection/);
	await screenshot(page, 'list');

	// Details: the uplink's egress addresses, read-only, no Copy without JS.
	await page.goto(`${baseUrl()}/connections/${cid}`);
	assert.equal(await page.locator('#f-egress').inputValue(), '192.0.2.44, 198.51.100.0/28');
	assert.ok(await page.locator('#f-egress').getAttribute('readonly') !== null);
	assert.equal(await page.locator('button[data-copy="f-egress"]').isVisible(), false);
	assert.match(await page.locator('.egress-field').innerText(), new RegExp(`goes through uplink ${name}`));
	await screenshot(page, 'details-egress');

	// Connector page: not configured on this stack, and how to set it.
	await page.goto(`${baseUrl()}/connectors/jira`);
	assert.match(await page.locator('.egress-field').innerText(),
	    /Outbound addresses are not configured[^]*outbound\.egress_addresses/);
	await screenshot(page, 'connector-unset');
	// The form of a connector that reaches customers' networks says it too.
	await page.goto(`${baseUrl()}/connections/new?connector=sap&protocol=basic`);
	assert.match(await page.locator('.egress-field').innerText(), /Outbound addresses are not configured/);
	await screenshot(page, 'form-unset');
	await page.goto(`${baseUrl()}/connections/new?connector=jira&protocol=cloud`);
	assert.equal(await page.locator('.egress-field').count(), 0, 'not on Jira Cloud');

	psql(`UPDATE connections SET uplink_id = NULL WHERE id = ${cid}`);
	await page.goto(`${baseUrl()}/uplinks/${id}`);
	await page.getByRole('button', { name: 'Delete uplink' }).click();
	assert.equal(await pageFlash(page), 'Uplink deleted.');
	assert.equal(psqlValue(`SELECT count(*) FROM uplinks WHERE id = ${id}`), '0');
	// The refused form is answered 422 on purpose: Chromium logs that as an error.
	assertCleanConsole(b.messages.filter((l) => !/status of 422 /.test(l)), 'uplinks pages');

	// The same pages on a phone.
	const name2 = uniq('Plant Oslo');
	const m = await browser({ viewport: NARROW, isMobile: true, hasTouch: true });
	await signInPage(m.page, admin);
	await m.page.goto(`${baseUrl()}/uplinks`);
	await m.page.getByLabel('Name').fill(name2);
	await m.page.getByLabel('Proxy address').fill(proxy.url);
	await m.page.getByLabel('Allowlist').fill('127.0.0.0/8');
	await m.page.getByLabel('Egress addresses').fill('203.0.113.7');
	await m.page.getByRole('button', { name: 'Add uplink' }).click();
	await m.page.getByRole('button', { name: 'Test uplink' }).click();
	assert.match(await pageFlash(m.page), /The proxy answered \(HTTP 502 to a CONNECT/);
	await screenshot(m.page, 'phone-uplink');
	await m.page.goto(`${baseUrl()}/uplinks`);
	await screenshot(m.page, 'phone-list');
	assertCleanConsole(m.messages, 'uplinks pages on a phone');
});

test('with JavaScript the Copy button copies the outbound addresses', async () => {
	const team = makeTeam(uniq('Copy team'));
	const admin = makeUser({ admin: true, teams: [{ name: team.name, role: 'manager' }] });
	const name = uniq('Copy uplink');
	psql(`INSERT INTO uplinks (name, proxy_url, allow, egress) VALUES ('${name}', 'http://127.0.0.1:9', '', '192.0.2.99')`);
	const { jar } = await signIn(admin.email, admin.password);
	const cid = await httpBasic(jar, team, { url: 'https://jira.plant.test', password: 'pw-unused' });
	psql(`UPDATE connections SET uplink_id = (SELECT id FROM uplinks WHERE name = '${name}') WHERE id = ${cid}`);
	const b = await browser({ viewport: WIDE, js: true });
	await b.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl() });
	await signInPage(b.page, admin);
	await b.page.goto(`${baseUrl()}/connections/${cid}`);
	const copy = b.page.locator('button[data-copy="f-egress"]');
	await copy.click();
	// The copy is a promise: "Copied" comes when the clipboard took it.
	await b.page.locator('.egress-field .copy-status', { hasText: 'Copied' }).waitFor({ timeout: 5000 })
	    .catch(() => {});
	assert.equal(await b.page.locator('.egress-field .copy-status').innerText(), 'Copied');
	assert.equal(await b.page.evaluate(() => navigator.clipboard.readText()), '192.0.2.99');
	await screenshot(b.page, 'copied', { fullPage: false });
	assertCleanConsole(b.messages, 'copy');
	psql(`UPDATE connections SET uplink_id = NULL WHERE id = ${cid}`);
	psql(`DELETE FROM uplinks WHERE name = '${name}'`);
});

test('a manager sees no Uplinks link; /uplinks is 403 with the navigation bar', async () => {
	const team = makeTeam(uniq('Ops team'));
	const manager = makeUser({ teams: [{ name: team.name, role: 'manager' }] });
	const b = await browser({ viewport: WIDE });
	await signInPage(b.page, manager);
	assert.equal(await b.page.getByRole('link', { name: 'Uplinks', exact: true }).count(), 0);
	const r = await b.page.goto(`${baseUrl()}/uplinks`);
	assert.equal(r.status(), 403);
	assert.ok(await b.page.getByRole('navigation', { name: 'Main' }).isVisible());
	await screenshot(b.page, 'manager-403');
});
