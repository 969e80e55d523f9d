// Test before save (issue 12 §2): a save that would break the connection no
// longer goes live at once. Edit runs the test of the changed connection
// first; when it fails nothing is saved, the form says why, marks each
// typed secret to be entered again (never echoed) and offers "Save anyway";
// keeping on editing and saving a working change saves it. Walked in
// headless Chromium against a Basic-auth stand-in, screenshots at 1366×900
// and 390×844.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import { assertCleanConsole, numberedScreenshots, openBrowser, pageFlash, signInPage }
    from '../lib/browser.mjs';
import { mustCreate, startBasicStandin } from '../lib/lifecycle/lc.mjs';
import { baseUrl, makeTeam, makeUser, signIn, uniq } from '../lib/stack.mjs';
import { connRow, secretCipher, testRows } from '../lib/rows.mjs';

const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
const WRONG = `wrong-${randomBytes(8).toString('hex')}`;
const screenshot = numberedScreenshots('edit-save');

let standin, user, id;

before(async () => {
	standin = await startBasicStandin({ user: 'svc', password: PASSWORD });
	const team = makeTeam(uniq('save-team'));
	user = makeUser({ name: 'Save Manager', teams: [{ name: team.name, role: 'manager' }] });
	const { jar } = await signIn(user.email, user.password);
	({ id } = await mustCreate(jar, { connector: 'http', protocol: 'basic', name: uniq('Billing API'),
	    fields: { url: standin.url, test_path: '/health', username: 'svc', password: PASSWORD } }));
});

after(async () => {
	await standin?.close();
});

for (const [label, viewport] of [['desktop', { width: 1366, height: 900 }],
	['phone', { width: 390, height: 844 }]]) {
	test(`a wrong password is not saved until "Save anyway" (${label})`, async () => {
		const b = await openBrowser({ viewport });
		const page = b.page;
		try {
			await signInPage(page, user);
			const version = connRow(id).version;
			const cipher = secretCipher(id, 'password');
			const tests = testRows(id).length;
			await page.goto(`${baseUrl()}/connections/${id}/edit?confirm=1`);
			await page.locator('[id="f-f.password"]').fill(WRONG);
			await page.getByRole('button', { name: 'Save', exact: true }).click();
			await page.waitForLoadState('load');
			assert.match(page.url(), new RegExp(`/connections/${id}/edit$`),
			    'still on the form: the broken change did not go live');
			assert.equal(connRow(id).version, version, 'nothing saved');
			assert.equal(secretCipher(id, 'password'), cipher, 'the stored password is kept');
			assert.equal(testRows(id).length, tests, 'the try is not recorded as a test');
			const main = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
			assert.match(main, /Nothing was saved: the connection with your changes failed its test\./);
			assert.match(main, /Save anyway/);
			assert.match(main, /Enter it again to save it/, 'the typed secret is to be entered again');
			assert.equal(await page.locator('[id="f-f.password"]').inputValue(), '', 'never echoed');
			assert.ok(!(await page.content()).includes(WRONG), 'the typed secret is not in the page');
			await screenshot(page, `test-failed-${label}`);

			// Save anyway: the user means it.
			await page.locator('[id="f-f.password"]').fill(WRONG);
			await Promise.all([page.waitForURL(`${baseUrl()}/connections/${id}`),
				page.getByRole('button', { name: 'Save anyway' }).click()]);
			assert.equal(connRow(id).version, version + 1, 'saved anyway');
			assert.match(await pageFlash(page), /^Saved /);
			await screenshot(page, `saved-anyway-${label}`);

			// Keep editing: a wrong test path fails, the right one saves.
			await page.goto(`${baseUrl()}/connections/${id}/edit?confirm=1`);
			await page.locator('[id="f-f.password"]').fill(PASSWORD);
			await page.locator('[id="f-f.test_path"]').fill('/nope');
			await page.getByRole('button', { name: 'Save', exact: true }).click();
			await page.waitForLoadState('load');
			assert.equal(connRow(id).version, version + 1, 'the wrong path is not saved');
			await page.locator('[id="f-f.test_path"]').fill('/health');
			await page.locator('[id="f-f.password"]').fill(PASSWORD);
			await Promise.all([page.waitForURL(`${baseUrl()}/connections/${id}`),
				page.getByRole('button', { name: 'Save', exact: true }).click()]);
			assert.equal(connRow(id).version, version + 2);
			assert.match(await pageFlash(page), /Test: The connection works\./);
			// The refused saves answer 422: the one console line allowed.
			assertCleanConsole(b.messages.filter((m) => !/status of 422/.test(m)), label);
		} finally {
			await b.close();
		}
	});
}
