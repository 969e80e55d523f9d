// Connection mode on Edit (issue 12 §2): "Direct or Uplinked" sat under
// Authentication on New and could not be changed on Edit at all. It is a
// connection setting now, on both forms, and Edit changes it as a
// destination change: without the password entered again the save is
// refused at the password (nothing saved, nothing sent); with it the
// change is saved, tested through the uplink's proxy, and History says it
// in words. Walked in headless Chromium (no JavaScript) at 1366×900 and
// 390×844 against a Jira Server stand-in that only the uplink reaches.
//
// Tether is a tether-fcgi of the test's own behind a small HTTP front
// (tests/lib/tether.mjs) with an EMPTY outbound allowlist: loopback is
// refused directly; only the uplink's own allowlist lets it reach the
// (loopback) proxy, which maps the private host to the stand-in.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { basicCreds, startStandin } from '../fakes/http-standin.mjs';
import { makePki } from '../fakes/pki.mjs';
import { startProxy } from '../fakes/proxy.mjs';
import { assertCleanConsole, numberedScreenshots, openBrowser, pageFlash, signInPage }
    from '../lib/browser.mjs';
import { connRow, lastTest, uplinkName as uplinkOf } from '../lib/rows.mjs';
import { makeTeam, makeUser, signIn, uniq } from '../lib/stack.mjs';
import { startTether, tetherctlAsync } from '../lib/tether.mjs';

const HOST = 'jira.plant.test';
const PASSWORD = `pw-${Date.now().toString(36)}`;
const screenshot = numberedScreenshots('edit-mode');
const cleanups = [];
let tether, standin, proxy, user, team, plant;

before(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-edit-mode-'));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	const pki = makePki(path.join(dir, 'ca'));
	standin = await startStandin({ name: 'jira', tls: { ...pki.issue('jira', [HOST]), ca: pki.caPem },
		handler: (req, res, rec) => {
			const c = basicCreds(req);
			const ok = rec.path === '/rest/api/2/myself' && c?.user === 'svc' && c?.password === PASSWORD;
			res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
			res.end(ok ? '{"name":"svc"}' : '{}');
		} });
	cleanups.push(() => standin.close());
	proxy = await startProxy({ [`${HOST}:443`]: standin.port });
	cleanups.push(() => proxy.close());
	plant = `Plant-Net-${Date.now().toString(36)}`;
	const r = await tetherctlAsync(['uplink', 'add', plant, proxy.url, '127.0.0.0/8']);
	assert.equal(r.status, 0, r.stderr);
	tether = await startTether({ front: true, replace: { 'outbound.ca_bundle': pki.caFile,
		'outbound.allow': '', 'outbound.timeout_ms': '3000' } });
	cleanups.push(() => tether.stop());
	team = makeTeam(uniq('mode-team'));
	user = makeUser({ name: 'Mode Manager', teams: [{ name: team.name, role: 'manager' }] });
});

after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

/** A Direct Jira Server connection to the private host (its first test cannot resolve it). */
async function directJira(name) {
	const { jar } = await signIn(user.email, user.password);
	const c = await tether.client(jar).create({ connector: 'jira', protocol: 'server', team: team.id, name,
		fields: { url: `https://${HOST}`, username: 'svc', password: PASSWORD } });
	assert.equal(c.status, 303, JSON.stringify(c.flash));
	assert.equal(lastTest(c.id).result, 'dns');
	return c.id;
}

/** The text of the form section (fieldset) whose legend is `legend`. */
async function section(page, legend) {
	return (await page.locator('fieldset.form-section', {
		has: page.locator('legend', { hasText: new RegExp(`^${legend}$`) }) }).innerText()).replace(/\s+/g, ' ');
}

for (const [label, viewport] of [['desktop', { width: 1366, height: 900 }],
	['phone', { width: 390, height: 844 }]]) {
	test(`Edit changes Direct to Uplinked, with the password entered again (${label})`, { timeout: 120000 }, async () => {
		const id = await directJira(uniq(`Plant Jira ${label}`));
		const b = await openBrowser({ viewport });
		cleanups.push(() => b.close());
		const { page } = b;
		await signInPage(page, user, tether.url);

		// New: the mode is a connection setting, not an authentication one.
		await page.goto(`${tether.url}/connections/new?connector=jira&protocol=server`);
		assert.match(await section(page, 'Connection'), /Connection mode/);
		assert.doesNotMatch(await section(page, 'Authentication'), /Connection mode/);
		await page.locator('#f-uplink').scrollIntoViewIfNeeded();
		await screenshot(page, `new-form-${label}`);

		// Edit: offered there too, Direct selected.
		await page.goto(`${tether.url}/connections/${id}/edit?confirm=1`);
		assert.match(await section(page, 'Connection'), /Connection mode/, 'Edit offers the connection mode');
		assert.doesNotMatch(await section(page, 'Authentication'), /Connection mode/);
		const mode = page.locator('#f-uplink');
		assert.equal(await mode.locator('option:checked').innerText(), 'Direct');
		await mode.selectOption({ label: `Uplinked via ${plant}` });
		await screenshot(page, `edit-chosen-${label}`);

		// Saved without the password: refused at it, nothing saved or sent.
		const version = connRow(id).version;
		const asked = proxy.connects.length;
		await page.getByRole('button', { name: 'Save', exact: true }).click();
		await page.waitForLoadState('load');
		assert.match(page.url(), new RegExp(`/connections/${id}/edit$`), 'still on the form');
		assert.equal((await page.locator('[id="f-f.password-error"]').innerText()).replace(/\s+/g, ' '),
		    'Error: Enter this again: Connection mode changed, and a stored secret is never sent to a new destination.');
		assert.match(await page.locator('.error-summary').innerText(), /Password: Enter this again/);
		assert.equal(await page.locator('#f-uplink option:checked').innerText(), `Uplinked via ${plant}`,
		    'the choice is kept');
		assert.equal(connRow(id).version, version, 'nothing saved');
		assert.equal(uplinkOf(id), '');
		assert.equal(proxy.connects.length, asked, 'nothing sent');
		await screenshot(page, `edit-refused-${label}`);

		// With the password: saved, tested through the uplink.
		await page.locator('[id="f-f.password"]').fill(PASSWORD);
		await Promise.all([page.waitForURL(`${tether.url}/connections/${id}`),
			page.getByRole('button', { name: 'Save', exact: true }).click()]);
		assert.match(await pageFlash(page), /^Saved .* Test: /);
		assert.equal(uplinkOf(id), plant);
		assert.equal(connRow(id).version, version + 1);
		assert.equal(lastTest(id).result, 'ok', JSON.stringify(lastTest(id)));
		assert.ok(proxy.connects.slice(asked).includes(`${HOST}:443`), 'the test went through the uplink');
		assert.match(await page.locator('main').innerText(), new RegExp(`Uplinked via ${plant}`));
		await screenshot(page, `saved-${label}`);

		// History says it in words.
		await page.goto(`${tether.url}/connections/${id}/history`);
		const versions = (await page.locator('.detail-versions').innerText()).replace(/\s+/g, ' ');
		assert.match(versions, new RegExp(`Connection mode: Direct → Uplinked via ${plant}, Password`));
		await page.locator('.detail-versions').scrollIntoViewIfNeeded();
		await screenshot(page, `history-${label}`);
		// The refused save is a 422 page, which Chromium logs as a failed load.
		assertCleanConsole(b.messages.filter((m) => !/status of 422/.test(m)), label);
		assert.ok(!(await page.content()).includes(PASSWORD), 'the password is on no page');
		await b.close();
	});
}
