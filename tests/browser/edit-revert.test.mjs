// Revert from the History tab (issue 12 §2): every earlier version has
// "Revert to version N"; a confirmation lists the settings that change back
// (never a secret); one POST (csrf, one-time token, optimistic lock) saves
// them as a new version, audited, and tests it. A version with another
// destination is not reverted with one click (secrets are not versioned and
// never follow a destination change); a stale page is 409 with nothing
// done; a second POST of the same form does nothing. Headless Chromium,
// screenshots at 1366×900 and 390×844.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import { numberedScreenshots, openBrowser, pageFlash, signInPage } from '../lib/browser.mjs';
import { auditRows, mustCreate, postEdit, startBasicStandin } from '../lib/lifecycle/lc.mjs';
import { baseUrl, csrfFrom, decodeEntities, get, makeTeam, makeUser, post, psql, psqlValue, signIn,
    uniq }
    from '../lib/stack.mjs';
import { connRow, secretCipher } from '../lib/rows.mjs';

const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
const screenshot = numberedScreenshots('edit-revert');

let standin, other, user, jar, id;

before(async () => {
	standin = await startBasicStandin({ user: 'svc', password: PASSWORD });
	other = await startBasicStandin({ user: 'svc', password: PASSWORD });
	const team = makeTeam(uniq('revert-team'));
	user = makeUser({ name: 'Revert Manager', teams: [{ name: team.name, role: 'manager' }] });
	({ jar } = await signIn(user.email, user.password));
	({ id } = await mustCreate(jar, { connector: 'http', protocol: 'basic', name: uniq('Orders API'),
	    fields: { url: standin.url, test_path: '/health', username: 'svc', password: PASSWORD } }));
	// Version 2: a broken test path, saved anyway (it goes live).
	const r = await postEdit(jar, id, { fields: { test_path: '/broken' }, extra: { save_anyway: '1' } });
	assert.equal(r.status, 303);
	assert.equal(connRow(id).version, 2);
});

after(async () => {
	await standin?.close();
	await other?.close();
});

/** The hidden fields of the page's revert form. */
function revertForm(html) {
	const m = /<form[^>]*action="\/connections\/[0-9]+\/revert"[^>]*>([\s\S]*?)<\/form>/.exec(html);
	assert.ok(m, 'the page has a revert form');
	const body = {};
	for (const i of m[1].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
		body[i[1]] = decodeEntities(i[2]);
	return body;
}

test('History: "Revert to version 1" → confirmation → reverted as version 3, tested, audited', async () => {
	const cipher = secretCipher(id, 'password');
	for (const [label, viewport] of [['desktop', { width: 1366, height: 900 }],
		['phone', { width: 390, height: 844 }]]) {
		const b = await openBrowser({ viewport });
		try {
			await signInPage(b.page, user);
			await b.page.goto(`${baseUrl()}/connections/${id}/history`);
			await screenshot(b.page, `history-${label}`);
			// The phone, after the desktop's revert, looks at going back to 2.
			const to = label === 'desktop' ? 1 : 2;
			await b.page.getByRole('link', { name: `Revert to version ${to}` }).click();
			await b.page.waitForURL(`${baseUrl()}/connections/${id}/revert?version=${to}`);
			const main = (await b.page.locator('main').innerText()).replace(/\s+/g, ' ');
			assert.match(main, new RegExp(`Revert .* to version ${to}\\?`));
			assert.match(main, label === 'desktop' ? /Test path \/broken \/health/ : /Test path \/health \/broken/,
			    'what changes back, from and to');
			assert.ok(!(await b.page.content()).includes(PASSWORD), 'no secret on the page');
			await screenshot(b.page, `confirm-${label}`);
			if (label === 'desktop') {
				await Promise.all([b.page.waitForURL(`${baseUrl()}/connections/${id}`),
					b.page.getByRole('button', { name: 'Revert to version 1' }).click()]);
				assert.match(await pageFlash(b.page),
				    /^Reverted to the settings of version 1 \(saved as version 3\)\. Test: The connection works\./);
				await screenshot(b.page, `reverted-${label}`);
			}
		} finally {
			await b.close();
		}
	}
	const row = connRow(id);
	assert.equal(row.version, 3, 'the revert is a new version');
	assert.equal(row.settings.test_path, '/health');
	assert.equal(secretCipher(id, 'password'), cipher, 'the secret is kept as it was');
	const audit = auditRows(id, 'connection_revert', user.id);
	assert.equal(audit.length, 1, 'audited once');
	assert.deepEqual(audit[0].details, { to_version: 1, fields: ['test_path'] });
	const log = await get(`/audit?action=connection_revert`, jar);
	assert.equal(log.status, 200);
	assert.match(log.text, /Connection reverted/, 'the audit log names it');
});

test('a second POST of the same revert form, and a stale one, do nothing', async () => {
	await postEdit(jar, id, { fields: { test_path: '/broken2' }, extra: { save_anyway: '1' } });
	const v = connRow(id).version;
	const page = await get(`/connections/${id}/revert?version=1`, jar);
	assert.equal(page.status, 200);
	const body = revertForm(page.text);
	const [a, b] = await Promise.all([post(`/connections/${id}/revert`, body, jar),
		post(`/connections/${id}/revert`, body, jar)]);
	assert.deepEqual([a.status, b.status].sort(), [303, 303]);
	assert.equal(connRow(id).version, v + 1, 'one revert, not two');
	// A page opened before another save: 409, nothing done.
	const stale = await get(`/connections/${id}/revert?version=2`, jar);
	assert.equal((await postEdit(jar, id, { fields: { test_path: '/other' },
	    extra: { save_anyway: '1' } })).status, 303);
	const s = await post(`/connections/${id}/revert`, revertForm(stale.text), jar);
	assert.equal(s.status, 409);
	assert.match(s.text, /Someone saved this connection after you opened this page/);
	assert.equal(connRow(id).settings.test_path, '/other');
});

test('a version with another destination whose secrets are no longer kept is not reverted', async () => {
	// Move to the other stand-in (the password entered again), then try to go back.
	const r = await postEdit(jar, id, { fields: { url: other.url, test_path: '/health', password: PASSWORD } });
	assert.equal(r.status, 303);
	const v = connRow(id).version;
	const page = await get(`/connections/${id}/revert?version=1`, jar);
	assert.equal(page.status, 200);
	assert.match(page.text, /had another destination/);
	assert.ok(!/action="\/connections\/[0-9]+\/revert"/.test(page.text), 'no revert button');
	const s = await post(`/connections/${id}/revert`, { csrf: csrfFrom(page.text), version: '1',
	    current: String(v) }, jar);
	assert.equal(s.status, 409);
	assert.equal(connRow(id).version, v, 'nothing done');
	assert.equal(connRow(id).settings.url, other.url);
});

test('a version with another destination whose secrets are kept comes back with them', async () => {
	// Versions 3 to 7 keep their secrets (connections.secret_versions_kept = 5).
	const v = connRow(id).version;
	assert.deepEqual(psql(`SELECT version FROM connection_secret_snapshots WHERE connection_id = ${id}
	    ORDER BY version`).map((r) => Number(r[0])), [v - 4, v - 3, v - 2, v - 1, v]);
	const then = psqlValue(`SELECT encode(ciphertext, 'hex') FROM connection_secret_versions
	    WHERE connection_id = ${id} AND version = 3 AND field = 'password'`);
	assert.notEqual(secretCipher(id, 'password'), then, 'sealed again since');
	const b = await openBrowser({ viewport: { width: 1366, height: 900 } });
	try {
		await signInPage(b.page, user);
		await b.page.goto(`${baseUrl()}/connections/${id}/revert?version=3`);
		const main = (await b.page.locator('main').innerText()).replace(/\s+/g, ' ');
		assert.match(main, /Base URL Destination/);
		assert.match(main, /Password Secret Stored \(never shown\) As stored in version 3/);
		assert.ok(!(await b.page.content()).includes(PASSWORD), 'no secret on the page');
		await screenshot(b.page, 'confirm-with-secrets-desktop');
		await Promise.all([b.page.waitForURL(`${baseUrl()}/connections/${id}`),
			b.page.getByRole('button', { name: 'Revert to version 3' }).click()]);
		assert.match(await pageFlash(b.page), /Test: The connection works\./);
	} finally {
		await b.close();
	}
	assert.equal(connRow(id).settings.url, standin.url, 'back to the first destination');
	assert.equal(secretCipher(id, 'password'), then, 'with the secret sealed then, as it was');
	const [last] = auditRows(id, 'connection_revert', user.id).slice(-1);
	assert.deepEqual(last.details, { to_version: 3, fields: ['url', 'password'] });
});
