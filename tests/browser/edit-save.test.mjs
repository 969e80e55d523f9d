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
import { baseUrl, makeTeam, makeUser, psql, signIn, uniq } from '../lib/stack.mjs';
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
			assert.match(page.url(), new RegExp(`/connections/${id}/edit(\\?|$)`),
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

// Save never freezes (issue 12 §2): against a stand-in that takes 4 s, Save
// answers at once with "Testing your changes…" (no JavaScript: it refreshes
// itself); a failing try brings the form back with why, "Save anyway" and
// every typed value but the secret; a passing one saves and goes on to the
// details. The typed secret is never written anywhere while it waits.
test('Save with a slow system answers at once, then the form or the details', async () => {
	const DELAY_MS = 4000;
	const slow = await startBasicStandin({ user: 'svc', password: PASSWORD, delay: DELAY_MS });
	const { jar } = await signIn(user.email, user.password);
	const { id: sid } = await mustCreate(jar, { connector: 'http', protocol: 'basic',
	    name: uniq('Slow save'), fields: { url: slow.url, test_path: '/health', username: 'svc',
	    password: PASSWORD } });
	try {
		for (const [label, viewport] of [['desktop', { width: 1366, height: 900 }],
			['phone', { width: 390, height: 844 }]]) {
			const b = await openBrowser({ viewport });
			const page = b.page;
			try {
				await signInPage(page, user);
				const version = connRow(sid).version;
				const tests = testRows(sid).length;
				await page.goto(`${baseUrl()}/connections/${sid}/edit?confirm=1`);
				const desc = `typed ${uniq('d')}`;
				await page.locator('#f-description').fill(desc);
				await page.locator('[id="f-f.password"]').fill(WRONG);
				let t0 = Date.now();
				await Promise.all([page.waitForURL(/\/testing\?run=/),
					page.getByRole('button', { name: 'Save', exact: true }).click()]);
				let ms = Date.now() - t0;
				assert.ok(ms < 2000, `Save answers before the try ends (${ms} ms)`);
				assert.match(await page.locator('h1').innerText(), /^Testing your changes to .*…$/);
				assert.equal(await page.locator('meta[http-equiv="refresh"]').getAttribute('content'), '1');
				const html = await page.content();
				assert.ok(!html.includes(WRONG), 'the typed secret is not in the page');
				const rows = psql('SELECT f::text FROM form_once f');
				assert.ok(rows.every((r) => !r.join(' ').includes(WRONG)),
				    'the typed secret is not kept in form_once');
				await page.reload();
				await screenshot(page, `slow-saving-${label}`);
				await page.waitForURL(/\/edit\?/, { timeout: 20000 });
				assert.ok(Date.now() - t0 >= DELAY_MS, 'the form came back when the try ended');
				assert.equal(connRow(sid).version, version, 'nothing saved');
				assert.equal(testRows(sid).length, tests, 'the try is not recorded as a test');
				const main = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
				assert.match(main, /Nothing was saved: the connection with your changes failed its test\./);
				assert.match(main, /Save anyway/);
				assert.match(main, /Enter it again to save it/);
				assert.equal(await page.locator('#f-description').inputValue(), desc,
				    'typed non-secret values are kept');
				assert.equal(await page.locator('[id="f-f.password"]').inputValue(), '');
				assert.ok(!(await page.content()).includes(WRONG), 'never echoed');
				await screenshot(page, `slow-failed-${label}`);

				// Keep editing: the right password saves after its try.
				await page.locator('[id="f-f.password"]').fill(PASSWORD);
				t0 = Date.now();
				await Promise.all([page.waitForURL(/\/testing\?run=/),
					page.getByRole('button', { name: 'Save', exact: true }).click()]);
				ms = Date.now() - t0;
				assert.ok(ms < 2000, `Save answers before the try ends (${ms} ms)`);
				await page.waitForURL(`${baseUrl()}/connections/${sid}`, { timeout: 20000 });
				assert.equal(connRow(sid).version, version + 1, 'saved once the try passed');
				assert.equal(connRow(sid).description, desc);
				assert.match(await pageFlash(page), /^Saved .* Test: The connection works\./);
				assert.equal(testRows(sid).length, tests + 1, 'the try is the save\'s test');
				await screenshot(page, `slow-saved-${label}`);
				assertCleanConsole(b.messages.filter((m) => !/status of 422/.test(m)), label);
			} finally {
				await b.close();
			}
		}
	} finally {
		await slow.close();
	}
});
