// Create never freezes (issue 12 §2: "long tests show that they are running
// … never a frozen page for 11 seconds"). Against a stand-in that takes
// 4 s to answer, Create saves the connection and answers at once with the
// "Testing…" page of its first test (no JavaScript: a page that refreshes
// itself), which goes on to the new connection's details with the result
// when it is recorded. A reload of the Testing… page runs nothing again;
// a second POST of the same form creates nothing. Screenshots at 1366×900
// and 390×844.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import { assertCleanConsole, numberedScreenshots, openBrowser, pageFlash, signInPage }
    from '../lib/browser.mjs';
import { countByName, formSubmission, startBasicStandin } from '../lib/lifecycle/lc.mjs';
import { baseUrl, flashOf, get, makeTeam, makeUser, post, signIn, uniq } from '../lib/stack.mjs';
import { testRows } from '../lib/rows.mjs';

const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
const DELAY_MS = 4000;
const screenshot = numberedScreenshots('create-testing');

let standin, team, user, jar;

before(async () => {
	standin = await startBasicStandin({ user: 'svc', password: PASSWORD, delay: DELAY_MS });
	team = makeTeam(uniq('ct-team'));
	user = makeUser({ name: 'Create Manager', teams: [{ name: team.name, role: 'manager' }] });
	({ jar } = await signIn(user.email, user.password));
});

after(async () => {
	await standin?.close();
});

/** GET a Testing… page until it answers with a redirect: that answer. */
async function followRun(location) {
	for (let i = 0; i < 60; i++) {
		const r = await get(location, jar);
		if (r.status === 302 || r.status === 303)
			return r;
		assert.equal(r.status, 200, `${location}: the Testing… page`);
		await new Promise((res) => setTimeout(res, 250));
	}
	throw new Error(`no result at ${location}`);
}

test('Create answers at once with the Testing… page; a reload and a second POST repeat nothing', async () => {
	const form = await get('/connections/new?connector=http&protocol=basic', jar);
	const body = { ...formSubmission(form.text), name: uniq('Slow create'), description: '',
		team: String(team.id), 'f.url': standin.url, 'f.test_path': '/health', 'f.username': 'svc',
		'f.password': PASSWORD };
	assert.ok(body.once, 'the Create form carries a one-time token');
	const t0 = Date.now();
	const res = await post('/connections', body, jar);
	const ms = Date.now() - t0;
	assert.equal(res.status, 303);
	assert.ok(ms < 1000, `Create answers before the test ends, not after it (${ms} ms)`);
	const loc = res.headers.get('location') ?? '';
	const m = /^\/connections\/([0-9]+)\/testing\?run=[A-Za-z0-9_-]+$/.exec(loc);
	assert.ok(m, `on to the Testing… page of its first test: ${loc}`);
	const id = Number(m[1]);
	assert.match(flashOf(res).message, /^Connection ".*" created\.$/);
	assert.equal(countByName(team.id, body.name), 1, 'saved before the test');

	// The Testing… page: it says so and refreshes itself; reloads run nothing.
	const page = await get(loc, jar);
	assert.equal(page.status, 200);
	assert.match(page.text, /<meta http-equiv="refresh" content="1">/);
	assert.match(page.text, /Testing the new connection/);
	await get(loc, jar);
	// A second POST of the same form (a double click) creates nothing.
	const again = await post('/connections', body, jar);
	assert.equal(again.status, 303);
	assert.match(flashOf(again).message, /already/i);
	assert.equal(countByName(team.id, body.name), 1, 'one connection, not two');

	const done = await followRun(loc);
	assert.equal(done.headers.get('location'), `/connections/${id}`);
	assert.match(flashOf(done).message, /^Connection ".*" created\. Test: The connection works\./);
	assert.ok(Date.now() - t0 >= DELAY_MS, 'the result came when the test ended');
	assert.equal(testRows(id).length, 1, 'one first test, whatever was reloaded');
	const later = await get(loc, jar);
	assert.ok([302, 303].includes(later.status), 'a reload after the end goes on to the result');
	assert.equal(testRows(id).length, 1, 'and runs nothing');
});

for (const [label, viewport] of [['desktop', { width: 1366, height: 900 }],
	['phone', { width: 390, height: 844 }]]) {
	test(`Create in the browser shows "Testing…" at once, then the new connection (${label})`, async () => {
		const b = await openBrowser({ viewport });
		try {
			await signInPage(b.page, user);
			await b.page.goto(`${baseUrl()}/connections/new?connector=http&protocol=basic`);
			const name = uniq('Browser create');
			await b.page.locator('#f-name').fill(name);
			await b.page.locator('[id="f-f.url"]').fill(standin.url);
			await b.page.locator('[id="f-f.test_path"]').fill('/health');
			await b.page.locator('[id="f-f.username"]').fill('svc');
			await b.page.locator('[id="f-f.password"]').fill(PASSWORD);
			const team_ = b.page.locator('select[name="team"]');
			if (await team_.count() > 0)
				await team_.selectOption(String(team.id));
			const t0 = Date.now();
			await Promise.all([b.page.waitForURL(/\/connections\/[0-9]+\/testing\?run=/),
				b.page.getByRole('button', { name: 'Create' }).click()]);
			const ms = Date.now() - t0;
			assert.ok(ms < 2000, `the Testing… page comes at once (${ms} ms)`);
			assert.match(await b.page.locator('h1').innerText(), /^Testing the new connection .*…$/);
			assert.match(await pageFlash(b.page), /^Connection ".*" created\.$/);
			assert.equal(await b.page.locator('meta[http-equiv="refresh"]').getAttribute('content'), '1');
			await screenshot(b.page, `testing-${label}`);
			await b.page.waitForURL(/\/connections\/[0-9]+$/, { timeout: 20000 });
			assert.match(await pageFlash(b.page), /created\. Test: The connection works\./);
			assert.ok(Date.now() - t0 >= DELAY_MS, 'the result came when the test ended');
			await screenshot(b.page, `created-${label}`);
			assertCleanConsole(b.messages, label);
		} finally {
			await b.close();
		}
	});
}
