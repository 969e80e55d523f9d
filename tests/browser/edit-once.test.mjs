// A double click on Test runs one test, not two (issue 12 §2): the Test
// form carries a one-time token; the first POST with it runs the test, any
// other POST with the same token (a second click, a resent form) answers at
// once that the test is already running or done, and records nothing.
// Checked with two fast POSTs of the same form and with a real double click
// in headless Chromium, against a slow stand-in (each answer takes 1.5 s);
// a long test shows "Testing…" at once, without JavaScript (a page that
// refreshes itself until the result is recorded);
// the same for Create and Save (two fast POSTs: one connection, one save,
// and the second told so, not "name taken" or "someone else saved").

import assert from 'node:assert/strict';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import { numberedScreenshots, openBrowser, pageFlash, signInPage } from '../lib/browser.mjs';
import { countByName, editForm, formSubmission, mustCreate } from '../lib/lifecycle/lc.mjs';
import { baseUrl, decodeEntities, flashOf, get, makeTeam, makeUser, post, signIn, uniq }
    from '../lib/stack.mjs';
import { testRows } from '../lib/rows.mjs';

const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
const DELAY_MS = 1500;
const screenshot = numberedScreenshots('edit-once');

let standin, team, user, jar, id;

/** A Basic-auth health endpoint on loopback that answers after delay ms. */
async function slowStandin(delay = DELAY_MS) {
	const s = { requests: 0 };
	const server = http.createServer((req, res) => {
		s.requests++;
		setTimeout(() => {
			const ok = req.headers.authorization ===
			    `Basic ${Buffer.from(`svc:${PASSWORD}`).toString('base64')}`;
			res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
			res.end(ok ? '{"ok":true}' : '{"error":"unauthorized"}');
		}, delay);
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	s.url = `http://127.0.0.1:${server.address().port}`;
	s.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); });
	return s;
}

/** The hidden fields of the page's Test form: { csrf, once }. */
function testForm(html, cid) {
	const m = new RegExp(`<form[^>]*action="/connections/${cid}/test"[^>]*>([\\s\\S]*?)</form>`).exec(html);
	assert.ok(m, 'the page has a Test form');
	const body = {};
	for (const i of m[1].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
		body[i[1]] = decodeEntities(i[2]);
	return body;
}

before(async () => {
	standin = await slowStandin();
	team = makeTeam(uniq('once-team'));
	user = makeUser({ name: 'Once Manager', teams: [{ name: team.name, role: 'manager' }] });
	({ jar } = await signIn(user.email, user.password));
	({ id } = await mustCreate(jar, { connector: 'http', protocol: 'basic', name: uniq('Slow API'),
	    fields: { url: standin.url, test_path: '/health', username: 'svc', password: PASSWORD } }));
});

after(async () => {
	await standin?.close();
});

/** Follow a Test run's page (GET …/testing?run=…) until it answers with the result. */
async function runResult(location) {
	for (let i = 0; i < 40; i++) {
		const r = await get(location, jar);
		if (r.status === 302)
			return r;
		assert.equal(r.status, 200);
		await new Promise((res) => setTimeout(res, 250));
	}
	throw new Error(`no result at ${location}`);
}

test('two fast POSTs of the same Test form run one test; the second says so at once', async () => {
	const page = await get(`/connections/${id}`, jar);
	const body = testForm(page.text, id);
	const before = testRows(id).length;
	const t0 = Date.now();
	const [a, b] = await Promise.all([post(`/connections/${id}/test`, body, jar),
		new Promise((r) => setTimeout(r, 200)).then(() => post(`/connections/${id}/test`, body, jar))
		    .then((res) => ({ res, ms: Date.now() - t0 }))]);
	assert.equal(a.status, 303);
	assert.equal(b.res.status, 303);
	const done = await runResult(a.headers.get('location'));
	assert.match(flashOf(done).message, /works/);
	assert.match(flashOf(b.res).message, /already/i, 'the second POST is told what happened');
	assert.ok(b.ms < DELAY_MS, `the second answer comes at once (${b.ms} ms)`);
	assert.equal(testRows(id).length, before + 1, 'one test recorded, not two');
	// A later POST of the same form still runs nothing.
	const c = await post(`/connections/${id}/test`, body, jar);
	assert.equal(c.status, 303);
	assert.equal(testRows(id).length, before + 1, 'a resent Test form runs no second test');
	assert.match(flashOf(c).message, /already/i);
	assert.ok(body.once, 'the Test form carries a one-time token');
});

for (const [label, viewport] of [['desktop', { width: 1366, height: 900 }],
	['phone', { width: 390, height: 844 }]]) {
	test(`a double click on Test in the browser runs one test (${label})`, async () => {
		const b = await openBrowser({ viewport });
		try {
			await signInPage(b.page, user);
			await b.page.goto(`${baseUrl()}/connections/${id}`);
			const before = testRows(id).length;
			// An impatient second click while the first is still running
			// (Chromium folds two clicks within a few ms into one POST).
			// The mouse, not the locator: a locator waits for the page to
			// settle, a user does not.
			const box = await b.page.getByRole('button', { name: 'Test connection' }).boundingBox();
			const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
			await b.page.mouse.click(x, y);
			await new Promise((r) => setTimeout(r, 50));
			await b.page.mouse.click(x, y);
			// The Testing… page, then the details page with the result.
			let flash = '';
			for (let i = 0; i < 80 && !/works/.test(flash); i++) {
				await new Promise((r) => setTimeout(r, 250));
				flash = await pageFlash(b.page).catch(() => '');
			}
			assert.equal(b.page.url(), `${baseUrl()}/connections/${id}`);
			await new Promise((r) => setTimeout(r, 500));
			assert.equal(testRows(id).length, before + 1, 'one test recorded, not two');
			await screenshot(b.page, `after-double-click-${label}`);
			assert.match(await pageFlash(b.page), /The connection works\./);
		} finally {
			await b.close();
		}
	});
}

test('two fast POSTs of the same Create form create one connection; the second is told so', async () => {
	const form = await get('/connections/new?connector=http&protocol=basic', jar);
	const body = { ...formSubmission(form.text), name: uniq('Twice API'), description: '',
		team: String(team.id), 'f.url': standin.url, 'f.test_path': '/health', 'f.username': 'svc',
		'f.password': PASSWORD };
	const [a, b] = await Promise.all([post('/connections', body, jar),
		new Promise((r) => setTimeout(r, 200)).then(() => post('/connections', body, jar))]);
	assert.equal(countByName(team.id, body.name), 1, 'one connection');
	const answers = [a, b].map((r) => `${r.status} ${flashOf(r)?.message ?? ''}`).sort();
	assert.match(answers[0], /^303 Connection ".*" created\./);
	assert.match(answers[1], /^303 .*already/i, `the second is told what happened: ${answers[1]}`);
});

test('two fast POSTs of the same Save create one version; the second is told so', async () => {
	const { body } = await editForm(jar, id);
	body.description = `changed ${uniq('d')}`;
	const [a, b] = await Promise.all([post(`/connections/${id}/edit`, body, jar),
		new Promise((r) => setTimeout(r, 200)).then(() => post(`/connections/${id}/edit`, body, jar))]);
	const answers = [a, b].map((r) => `${r.status} ${flashOf(r)?.message ?? ''}`).sort();
	assert.match(answers[0], /^303 Saved /);
	assert.match(answers[1], /^303 .*already/i, `the second is told what happened: ${answers[1]}`);
});

test('a long test shows "Testing…" at once, refreshing itself, then the result (no JavaScript)', async () => {
	const slow = await slowStandin(5000);
	const { id: sid } = await mustCreate(jar, { connector: 'http', protocol: 'basic', name: uniq('Slow API'),
	    fields: { url: slow.url, test_path: '/health', username: 'svc', password: PASSWORD } });
	try {
		for (const [label, viewport] of [['desktop', { width: 1366, height: 900 }],
			['phone', { width: 390, height: 844 }]]) {
			const b = await openBrowser({ viewport });
			try {
				await signInPage(b.page, user);
				await b.page.goto(`${baseUrl()}/connections/${sid}`);
				const before = testRows(sid).length;
				const t0 = Date.now();
				await Promise.all([b.page.waitForURL(/\/testing\?run=/),
					b.page.getByRole('button', { name: 'Test connection' }).click()]);
				const ms = Date.now() - t0;
				assert.ok(ms < 3000, `the answer comes at once, not after the test (${ms} ms)`);
				assert.match(await b.page.locator('h1').innerText(), /^Testing .*…$/);
				assert.equal(await b.page.locator('meta[http-equiv="refresh"]').getAttribute('content'), '1');
				await screenshot(b.page, `testing-${label}`);
				await b.page.waitForURL(`${baseUrl()}/connections/${sid}`, { timeout: 20000 });
				assert.match(await pageFlash(b.page), /The connection works\./);
				assert.equal(testRows(sid).length, before + 1);
				assert.ok(Date.now() - t0 >= 5000, 'the result came when the test ended');
			} finally {
				await b.close();
			}
		}
	} finally {
		await slow.close();
	}
});
