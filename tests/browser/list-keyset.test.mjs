// The Integrations tab's pages in Chromium (issue 15): rows written and kept
// in C (src/rowcache.c) look as the template's did; Next and Previous carry
// a keyset cursor (after= / before=) and walk the same pages the page
// numbers give; a status change shows at once on a page whose other rows a
// worker kept; a cursor naming another team's connection is refused
// cleanly (the numbered page, nothing about that row). Screenshots at
// 1366x900 and 390x844 (list-keyset-NN-*.png in TETHER_TEST_OUT).

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import { assertCleanConsole, numberedScreenshots, openBrowser, shotsBothSizes,
    signInPage } from '../lib/browser.mjs';
import { seed, seedMany } from '../lib/list.mjs';
import { baseUrl, makeUser, psql, uniq } from '../lib/stack.mjs';

const P = uniq('K');
let data, user;

before(() => {
	data = seed(P, {
		teams: ['ops', 'other'],
		connections: [
			{ key: 'e', team: 'ops', name: `${P} R&D <api> "x" 'y'`, connector: 'jira',
			    protocol: 'cloud', status: 'failing', testedAgo: '5 minutes', flows: 2 },
			{ key: 'n', team: 'ops', name: `${P} never tested`, status: 'not_tested',
			    testedAgo: null },
			{ key: 'f', team: 'other', name: `${P} other team's secret name`, status: 'ok',
			    testedAgo: '1 hour' },
		],
	});
	// 118 more: three pages of the team's 120.
	seedMany(data.teams.ops.name, `${P} conn-`, 118);
	user = makeUser({ teams: [data.teams.ops.name] });
});

async function rowNames(page) {
	return page.locator('table tbody tr th a').allTextContents();
}

test('Next and Previous walk keyset pages; kept rows follow a status change; a foreign cursor tells nothing', async () => {
	const { page, messages, close } = await openBrowser({ viewport: { width: 1366, height: 900 } });
	const shot = numberedScreenshots('list-keyset');
	try {
		await signInPage(page, user);
		const q = encodeURIComponent(P);
		const numbered = [];
		for (let n = 1; n <= 3; n++) {
			await page.goto(`${baseUrl()}/?q=${q}${n > 1 ? `&page=${n}` : ''}`);
			numbered.push(await rowNames(page));
		}
		assert.deepEqual(numbered.map((p) => p.length), [50, 50, 20]);

		// Forwards with Next: each URL carries the last row shown.
		await page.goto(`${baseUrl()}/?q=${q}`);
		assert.equal((await rowNames(page))[0], `${P} conn-0001`);
		await page.getByRole('link', { name: 'Next page' }).click();
		assert.match(page.url(), /[?&]page=2&after=\d+/);
		assert.deepEqual(await rowNames(page), numbered[1]);
		assert.match(await page.locator('.pagination-status').innerText(), /Page 2 of 3/);
		assert.match(await page.locator('.results-count').innerText(), /Showing 51–100 of 120/);
		await shotsBothSizes(page, shot, 'page-2-by-next');
		await page.getByRole('link', { name: 'Next page' }).click();
		assert.deepEqual(await rowNames(page), numbered[2]);
		assert.equal(await page.getByRole('link', { name: 'Next page' }).count(), 0,
		    'no Next on the last page');
		const tricky = page.locator('table tbody tr', { hasText: 'R&D' });
		assert.equal(await tricky.locator('th a').textContent(), `${P} R&D <api> "x" 'y'`,
		    'a name with markup characters shows as written');
		assert.equal(await tricky.locator('td[data-label="Flows"]').innerText(), '2 flows');
		assert.match(await tricky.locator('td[data-label="Last tested"]').innerText(), /Failed/);
		const never = page.locator('table tbody tr', { hasText: 'never tested' });
		assert.equal(await never.locator('td[data-label="Last tested"]').innerText(), 'Never');
		assert.equal(await never.locator('td[data-label="Flows"]').innerText(), 'No flows');
		await shotsBothSizes(page, shot, 'page-3-by-next');

		// Backwards with Previous: each URL carries the first row shown.
		await page.getByRole('link', { name: 'Previous page' }).click();
		assert.match(page.url(), /[?&]page=2&before=\d+/);
		assert.deepEqual(await rowNames(page), numbered[1]);
		await page.getByRole('link', { name: 'Previous page' }).click();
		assert.doesNotMatch(page.url(), /before=|page=/, 'page 1 is the plain view');
		assert.deepEqual(await rowNames(page), numbered[0]);

		// A status change behind the kept rows shows on the very next view.
		const before = await page.locator('table tbody tr', { hasText: `${P} conn-0003` })
		    .locator('td[data-label="Status"]').innerText();
		assert.equal(before, 'Connected');
		psql(`UPDATE connections SET status = 'failing', last_test_result = 'failing'
		    WHERE name = '${P} conn-0003'`);
		await page.reload();
		const row = page.locator('table tbody tr', { hasText: `${P} conn-0003` });
		assert.equal(await row.locator('td[data-label="Status"]').innerText(), 'Failing');
		assert.match(await row.locator('td[data-label="Last tested"]').innerText(), /Failed/);
		await shotsBothSizes(page, shot, 'page-1-after-a-status-change');

		// Another team's connection as the cursor: page 2 by number, no error,
		// and nothing of that connection.
		for (const c of ['after', 'before']) {
			const r = await page.goto(`${baseUrl()}/?q=${q}&page=2&${c}=${data.connections.f.id}`);
			assert.equal(r.status(), 200);
			assert.deepEqual(await rowNames(page), numbered[1], `${c}= another team's row`);
			assert.doesNotMatch(await page.content(), /secret name/);
		}
		// A cursor that is no id at all: ignored.
		const r = await page.goto(`${baseUrl()}/?q=${q}&page=2&after=1%27%20OR%201=1`);
		assert.equal(r.status(), 200);
		assert.deepEqual(await rowNames(page), numbered[1]);
		assertCleanConsole(messages, 'keyset pages');
	} finally {
		await close();
	}
});
