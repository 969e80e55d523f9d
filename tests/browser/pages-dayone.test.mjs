// Issue 12 §3, "pages a new admin understands", walked in headless Chromium
// (JavaScript off): buttons by role, error pages that keep the navigation,
// protocol cards from the connector's own declaration, the "Get started"
// strip full while few connections show and one compact row after, the
// audit log in sentences with names, one format for counts and flows, and
// the phone view. Screenshots at 1366x900 and 390x844 to TETHER_TEST_OUT.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import { assertCleanConsole, openBrowser, screenshot, signInPage } from '../lib/browser.mjs';
import { seed, seedMany } from '../lib/list.mjs';
import { baseUrl, makeUser, psql, sqlString, uniq } from '../lib/stack.mjs';

const P = uniq('D');
const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };

let member, manager, crowded, seeded;

before(() => {
	seeded = seed(P, {
		teams: ['ops', 'fin', 'big'],
		connections: [
			{ key: 'j', team: 'ops', name: 'Jira Cloud (ops)', connector: 'jira', protocol: 'cloud',
			    status: 'ok', testedAgo: '2 hours', flows: 1 },
			{ key: 's', team: 'ops', name: 'ServiceNow incidents', connector: 'servicenow',
			    protocol: 'basic', status: 'failing', testedAgo: '20 minutes', flows: 2 },
		],
	});
	seedMany(`${P}-big`, `${P} bulk `, 12);
	member = makeUser({ name: 'Mia Member', teams: [{ name: `${P}-ops`, role: 'member' }] });
	manager = makeUser({ name: 'Max Manager', teams: [{ name: `${P}-ops`, role: 'manager' }] });
	crowded = makeUser({ name: 'Cara Crowded', teams: [{ name: `${P}-big`, role: 'manager' }] });
});

async function signedIn(user, viewport = DESKTOP) {
	const b = await openBrowser({ viewport });
	await signInPage(b.page, user);
	return b;
}

test('a member sees no button they cannot use; the reason is said', async () => {
	const b = await signedIn(member);
	try {
		const { page } = b;
		assert.equal(await page.getByRole('link', { name: 'New connection' }).count(), 0,
		    'no New connection link for a member');
		assert.match(await page.locator('.page-actions').innerText(),
		    /Only managers of a team can create connections/);
		assert.equal(await page.locator('.connector-card-cta').count(), 0, 'no "Connect →" cards');
		await screenshot(page, 'pages-index-member-desktop');
		await page.goto(`${baseUrl()}/connectors/jira`);
		assert.equal(await page.getByRole('link', { name: /New connection with/ }).count(), 0);
		assert.match(await page.locator('main').innerText(),
		    /Only managers of a team can create connections/);
		assertCleanConsole(b.messages, 'member');
	} finally {
		await b.close();
	}
	const m = await signedIn(manager);
	try {
		assert.equal(await m.page.getByRole('link', { name: 'New connection' }).count(), 1);
		assert.ok(await m.page.locator('.connector-card-cta').count() > 0, 'a manager gets the strip');
	} finally {
		await m.close();
	}
});

test('error pages keep the navigation bar and the user menu', async () => {
	const b = await signedIn(member);
	try {
		const { page } = b;
		for (const [path, status] of [['/no/such/page', 404], ['/connections/999999999', 404],
		    ['/teams', 404]]) {
			const res = await page.goto(`${baseUrl()}${path}`);
			assert.equal(res.status(), status, path);
			assert.equal(await page.locator('nav.site-nav').count(), 1, `${path}: the navigation bar`);
			assert.equal(await page.locator('.user-menu').count(), 1, `${path}: the user menu`);
			assert.match(await page.locator('.user-email').innerText(), /@test\.local/);
		}
		await screenshot(page, 'pages-error-404-desktop');
		// A POST without its CSRF token: 403, still with the bar.
		const res = await page.request.post(`${baseUrl()}/logout`, { form: { csrf: 'x' }, maxRedirects: 0 });
		assert.equal(res.status(), 403);
		assert.match(await res.text(), /class="site-nav"/);
	} finally {
		await b.close();
	}
	// Signed out: no navigation, no user menu, still a clean page.
	const anon = await openBrowser({ viewport: DESKTOP });
	try {
		const res = await anon.page.goto(`${baseUrl()}/static/../nowhere-${P}`);
		assert.ok([404, 302, 200].includes(res.status()));
		assert.equal(await anon.page.locator('.user-menu').count(), 0);
	} finally {
		await anon.close();
	}
});

test('protocol cards describe each protocol from its declaration', async () => {
	const b = await signedIn(manager);
	try {
		const { page } = b;
		await page.goto(`${baseUrl()}/connectors/jira`);
		const cloud = page.locator('.protocol-card', { hasText: 'Cloud (API token)' });
		const text = await cloud.innerText();
		assert.doesNotMatch(text, /user name and password/i, 'Jira Cloud is not a password');
		assert.match(text, /API token/);
		assert.match(text, /Account email/);
		await screenshot(page, 'pages-connector-jira-desktop');
		// Every protocol of every connector says something of its own.
		await page.goto(`${baseUrl()}/connectors`);
		await screenshot(page, 'pages-connectors-desktop');
		const keys = (await page.locator('.connector-card a.card-link').evaluateAll(
		    (as) => as.map((a) => a.getAttribute('href'))));
		assert.ok(keys.length >= 8);
		for (const href of keys) {
			await page.goto(`${baseUrl()}${href}`);
			for (const card of await page.locator('.protocol-card').all()) {
				const desc = (await card.locator('.protocol-desc').innerText()).trim();
				assert.ok(desc.length > 20, `${href}: a protocol card with no description`);
			}
		}
		await page.goto(`${baseUrl()}/connectors/celonis`);
		await screenshot(page, 'pages-connector-celonis-desktop');
	} finally {
		await b.close();
	}
});

test('the Get started strip: full while few connections show, one compact row after', async () => {
	const few = await signedIn(manager);
	try {
		assert.equal(await few.page.locator('.popular .connector-card').count(), 6, 'the full strip');
		// Never an orphan card alone on a row.
		const tops = await few.page.locator('.popular .connector-card').evaluateAll(
		    (cs) => cs.map((c) => Math.round(c.getBoundingClientRect().top)));
		const perRow = new Map();
		for (const t of tops)
			perRow.set(t, (perRow.get(t) ?? 0) + 1);
		assert.ok([...perRow.values()].every((n) => n > 1), `rows of cards: ${[...perRow.values()]}`);
		await screenshot(few.page, 'pages-index-few-desktop');
	} finally {
		await few.close();
	}
	const many = await signedIn(crowded);
	try {
		const { page } = many;
		assert.equal(await page.locator('.popular .connector-card').count(), 0, 'no cards');
		const row = page.locator('.popular-compact');
		assert.equal(await row.count(), 1, 'one compact row');
		const box = await row.boundingBox();
		assert.ok(box.height < 80, `the compact row is ${box.height}px high`);
		assert.match(await page.locator('.results-count').innerText(), /of 12 connections/);
		await screenshot(page, 'pages-index-many-desktop');
	} finally {
		await many.close();
	}
});

test('counts, flows, yes and no read the same everywhere', async () => {
	// A checkbox setting is stored as "1" (src/connform.c), the demo's as JSON true.
	psql(`UPDATE connections SET settings = '{"url": "https://acme.atlassian.net", "read_only": "1",
	    "email": "svc@acme.example", "max_parallel_extractions": "4"}' WHERE id = ${seeded.connections.j.id};
	    UPDATE connections SET settings = '{"url": "https://acme.service-now.com", "username": "svc"}'
	    WHERE id = ${seeded.connections.s.id}`);
	const b = await signedIn(manager);
	try {
		const { page } = b;
		const flows = await page.locator('td[data-label="Flows"]').allInnerTexts();
		assert.deepEqual(flows.map((s) => s.trim()).sort(), ['1 flow', '2 flows']);
		await page.goto(`${baseUrl()}/connections/${seeded.connections.j.id}`);
		const dd = page.locator('dt', { hasText: /^Read-only$/ }).locator('xpath=following-sibling::dd[1]');
		assert.equal((await dd.innerText()).trim(), 'Yes', 'a ticked box reads Yes, not 1');
		await screenshot(page, 'pages-connection-desktop');
		// Flow statuses capitalised as connection statuses are.
		await page.goto(`${baseUrl()}/connections/${seeded.connections.s.id}/related`);
		const st = await page.locator('td[data-label="Status"]').allInnerTexts();
		assert.deepEqual(st.map((x) => x.trim()), ['Active', 'Active']);
		await page.locator('main table a[href^="/flows/"]').first().click();
		assert.match(await page.locator('main').innerText(), /Status\s+Active/);
	} finally {
		await b.close();
	}
});

test('phone: the navigation shows that it scrolls; the list is compact', async () => {
	const admin = makeUser({ admin: true, name: 'Ada Admin', teams: [{ name: `${P}-ops`, role: 'manager' }] });
	const b = await signedIn(admin, PHONE);
	try {
		const { page } = b;
		const nav = page.locator('nav.site-nav');
		const m = await nav.evaluate((n) => ({ sw: n.scrollWidth, cw: n.clientWidth,
		    bg: getComputedStyle(n).backgroundImage, sb: getComputedStyle(n).scrollbarWidth }));
		assert.ok(m.sw > m.cw, 'seven links overflow the phone width');
		// What shows that it scrolls: a shade at the edge with more links, and a scrollbar.
		assert.match(m.bg, /gradient/, 'a scroll shade');
		assert.notEqual(m.sb, 'none', 'a visible scrollbar');
		await screenshot(page, 'pages-index-phone');
		// The list's compact mode: a connection in a few lines, not a tall card
		// of one labelled line a cell as before.
		await page.goto(`${baseUrl()}/?team=${seeded.teams.ops.id}`);
		await screenshot(page, 'pages-index-compact-phone');
		for (const row of await page.locator('table.connections-table tbody tr').all()) {
			const h = (await row.boundingBox()).height;
			assert.ok(h < 110, `a phone row is ${h}px high`);
		}
		await page.goto(`${baseUrl()}/connectors`);
		await screenshot(page, 'pages-connectors-phone');
		await page.goto(`${baseUrl()}/connectors/jira`);
		await screenshot(page, 'pages-connector-jira-phone');
		await page.goto(`${baseUrl()}/no/such/page`);
		await screenshot(page, 'pages-error-404-phone');
	} finally {
		await b.close();
	}
});

test('the audit log: sentences with names, a connection picked by name, no mid-word wraps', async () => {
	const conn = seeded.connections.j;
	const fin = seeded.teams.fin;
	const email = `${P.toLowerCase()}-a-rather-long-address@finance-operations.example.com`;
	psql(`INSERT INTO audit_log (at, actor_label, team_id, object_type, object_id, object_label, action,
	    outcome, client_addr, request_id, details) VALUES
	    (now(), ${sqlString(email)}, ${seeded.teams.ops.id}, 'connection', ${conn.id}, ${sqlString(conn.name)},
	     'connection_share', 'success', '10.1.2.3', 'ab12cd34ef56ab78', '{"team_id": ${fin.id}, "permission": "manage"}'),
	    (now(), ${sqlString(email)}, ${seeded.teams.ops.id}, 'connection', ${conn.id}, ${sqlString(conn.name)},
	     'connection_test', 'failure', '10.1.2.3', 'ab12cd34ef56ab79', '{"result": "failing", "trigger": "manual"}')`);
	const b = await signedIn(manager);
	try {
		const { page } = b;
		await page.goto(`${baseUrl()}/audit`);
		// The connection filter takes a name, not a number.
		const field = page.getByLabel('Connection');
		assert.notEqual(await field.getAttribute('type'), 'number');
		await field.fill(conn.name);
		await Promise.all([page.waitForURL(/\/audit\?/), page.getByRole('button', { name: 'Apply' }).click()]);
		const text = await page.locator('main').innerText();
		assert.match(text, new RegExp(`Shared with ${fin.name} \\(Manage\\)`));
		assert.match(text, /Test failed \(manual\)/);
		assert.doesNotMatch(text, /team_id|\{"|connection_share/, 'no raw JSON or action codes');
		const rows = await page.locator('table.audit-table tbody tr').count();
		assert.equal(rows, 2, 'only that connection');
		await screenshot(page, 'pages-audit-desktop');
		// An e-mail and a request id each on one line.
		for (const sel of ['.audit-actor', '.audit-rid']) {
			const lines = await page.locator(sel).first().evaluate((el) => {
				// the lines its text takes: the tops of its text's boxes
				const tops = new Set();
				const w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
				for (let n = w.nextNode(); n !== null; n = w.nextNode()) {
					const r = document.createRange();
					r.selectNodeContents(n);
					for (const x of r.getClientRects())
						if (x.width > 0)
							tops.add(Math.round(x.top / 4));
				}
				return tops.size;
			});
			assert.equal(lines, 1, `${sel} wraps over ${lines} lines`);
		}
	} finally {
		await b.close();
	}
	const p = await signedIn(manager, PHONE);
	try {
		await p.page.goto(`${baseUrl()}/audit?conn=${encodeURIComponent(conn.name)}`);
		await screenshot(p.page, 'pages-audit-phone');
	} finally {
		await p.close();
	}
});
