// The Integrations tab's counts in Chromium (issue 15): a search matching
// more than 10,000 connections is counted exactly from the worker's copy
// of the list; a view counted in SQL ("unused": credential reads are not in
// the copy) says "10,000+" and "Page 1 of 200+" and still pages on with
// Next; a member's health summary counts their teams' and shared
// connections once. Screenshots at 1366×900 and 390×844.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertCleanConsole, numberedScreenshots, openBrowser, shotsBothSizes,
    signInPage } from '../lib/browser.mjs';
import { admin, baseUrl, makeTeam, makeUser, psql, uniq } from '../lib/stack.mjs';

const P = uniq('BK');
let big, small, member;

before(() => {
	big = makeTeam(`${P}-big`);
	small = makeTeam(`${P}-small`);
	psql(`INSERT INTO connections (owner_team_id, name, connector, auth_protocol, status,
	        created_at)
	    SELECT ${big.id}, '${P} bulk ' || lpad(g::text, 5, '0'), 'http', 'none',
	        CASE WHEN g % 10 = 0 THEN 'failing' ELSE 'ok' END, now() - interval '100 days'
	    FROM generate_series(1, 10120) AS g;
	    INSERT INTO connections (owner_team_id, name, connector, auth_protocol, status)
	    SELECT ${small.id}, '${P} small ' || g, 'jira', 'cloud',
	        CASE WHEN g <= 3 THEN 'failing' WHEN g = 4 THEN 'needs_reconnect' ELSE 'ok' END
	    FROM generate_series(1, 8) AS g;
	    INSERT INTO connection_shares (connection_id, team_id, permission)
	    SELECT id, ${small.id}, 'use' FROM connections WHERE owner_team_id = ${big.id}
	    AND name LIKE '% bulk 0001_'`);
	member = makeUser({ teams: [small.name] });
});

after(() => {
	psql(`DELETE FROM connections WHERE owner_team_id IN (${big.id}, ${small.id})`);
});

test('a search with more than 10,000 matches: exact; counted in SQL "10,000+", Page 1 of 200+, Next', async () => {
	const { page, messages, close } = await openBrowser();
	const shot = numberedScreenshots('list-counts');
	try {
		await signInPage(page, admin());
		await page.goto(`${baseUrl()}/?q=${encodeURIComponent(P + ' bulk')}`);
		const exact = await page.locator('body').innerText();
		assert.match(exact, /Showing 1–50 of 10,120 connections matching the filters/);
		assert.match(exact, /Page 1 of 203\b/);
		await shotsBothSizes(page, shot, 'exact');
		await page.goto(`${baseUrl()}/?unused=30&q=${encodeURIComponent(P + ' bulk')}`);
		const body = await page.locator('body').innerText();
		assert.match(body, /Showing 1–50 of 10,000\+ connections matching the filters/);
		assert.match(body, /Page 1 of 200\+/);
		await shotsBothSizes(page, shot, 'estimated');
		await page.getByRole('link', { name: /Next/ }).click();
		assert.match(await page.locator('body').innerText(), /Showing 51–100 of 10,000\+/);
		// The team's own total is kept, so exact.
		await page.goto(`${baseUrl()}/?team=${big.id}`);
		assert.match(await page.locator('body').innerText(), /of 10,120 connections/);
		assertCleanConsole(messages, 'the list');
	} finally {
		await close();
	}
});

test('a member: their team\'s and shared connections, each counted once', async () => {
	const { page, messages, close } = await openBrowser();
	const shot = numberedScreenshots('list-counts-member');
	try {
		await signInPage(page, member);
		const body = await page.locator('body').innerText();
		// 8 owned + 10 shared (bulk 00010–00019); failing: 3 owned + 1 shared (00010).
		assert.match(body, /Showing 1–18 of 18 connections/);
		assert.match(body, /4 failing/);
		assert.match(body, /1 needs reconnect/);
		await shotsBothSizes(page, shot, 'summary');
		assertCleanConsole(messages, 'the list');
	} finally {
		await close();
	}
});
