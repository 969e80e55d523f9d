// One way to write times and numbers on every page (issue 12 §3): a time is
// "YYYY-MM-DD HH:MM" in a <time> element (templates/macros.cs timestamp()),
// never with seconds, an ISO "T", "+00" or " UTC" after it — the page says
// "Times are in UTC" once; counts have thousands separators ("10,000"); a
// yes/no value reads Yes or No, never "1", "0", "t" or "true"; "1 flow",
// "2 flows"; flow statuses are capitalised as connection statuses are.
// Walks every page an admin reaches by following links from the
// Integrations tab on a seeded stack (deploy/demo.sql and tetherctl demo
// seed, removed after; a webhook, the audit log those made), in Chromium
// with JavaScript off, and collects every violation with its page; then
// saves the pages with times at 1366×900 and 390×844.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { demoConnectionIds, loadDemo, removeDemo } from '../lib/demo.mjs';
import { admin, baseUrl, psql, sqlString, tetherctl } from '../lib/stack.mjs';
import { assertCleanConsole, openBrowser, screenshot, signInPage } from '../lib/browser.mjs';

const PAGES_MAX = 160;		// distinct pages walked at most
const PER_SHAPE = 16;		// pages of one shape (/connections/N/history…)
const SCALE_OWNER = 'Formats test (scale)';

let b;
let had;			// the stack had the demo before: it stays
const walked = [];		// [{ url, issues: [] }]

/** The shape of a path: numbers as N, the query dropped. */
function shape(u) {
	return u.pathname.replace(/\/[0-9]+(?=\/|$)/g, '/N');
}

/**
 * What a page says wrongly about times and numbers, as strings (run in the
 * page: no JavaScript of the page's own is needed).
 */
function pageIssues() {
	const issues = [];
	const say = (what, text) => issues.push(`${what}: "${text.trim().slice(0, 80)}"`);
	const skip = (el) => el.closest('code, kbd, pre, input, textarea, select, script, style, .audit-key, .visually-hidden') !== null;
	const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	const texts = [];
	for (let n = walker.nextNode(); n !== null; n = walker.nextNode())
		if (!skip(n.parentElement) && n.textContent.trim() !== '')
			texts.push(n);
	const body = document.body.innerText;
	// Times: "YYYY-MM-DD HH:MM", nothing more.
	for (const m of body.matchAll(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(\.\d+)?( ?(?:\+|-)\d{2}(?::?\d{2})?| ?UTC| ?Z)?/g))
		if (/T/.test(m[0]) || m[1] || m[2] || m[3])
			say('a time not as "YYYY-MM-DD HH:MM"', m[0]);
	for (const n of texts) {
		// An SVG tooltip (<title>) cannot hold a <time>: its text is checked.
		const inTime = n.parentElement.closest('time, svg title') !== null;
		for (const m of n.textContent.matchAll(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}| ?UTC|\+)?/g))
			if (!inTime)
				say('a time outside timestamp()', m[0]);
			else if (m[1] || /T/.test(m[0]))
				say('a time not as "YYYY-MM-DD HH:MM"', m[0]);
		// Counts: four digits and more have separators. A count is a number
		// before what it counts ("1002 flows", "10000 ms"), or all of its
		// element's text (a table cell, a tab's count); not a year, not
		// digits in a name ("bulk 0001").
		const COUNTED = /^ ?(ms|flows?|connections?|tests?|checks?|members?|teams?|events?|users?|characters|secrets?|deliveries|attempts?|days?|hours?|minutes?|seconds?|connectors?|other teams?|in a row)\b/;
		for (const m of n.textContent.matchAll(/(?<![\w.,:/#-])[1-9]\d{3,}(?![\w:/-]|\.\d|,\d)/g)) {
			const v = Number(m[0]);
			if (m[0].length === 4 && v >= 1900 && v <= 2100)
				continue;
			const after = n.textContent.slice(m.index + m[0].length);
			if (COUNTED.test(after) || n.textContent.trim() === m[0])
				say('a number without thousands separators', n.textContent);
		}
		// One, many.
		for (const m of n.textContent.matchAll(/\b1 (flows|connections|checks|tests|members|teams|events|users|secrets|deliveries|attempts|days|hours|minutes)\b|(?<![\d,.])\b(?:0|[2-9]|\d{2,}|\d{1,3}(?:,\d{3})+) (flow|connection|check|test|member|team|event|user|secret|delivery|attempt|day|hour|minute)\b(?![-\w])/g))
			say('a plural that does not follow its number', m[0]);
	}
	// Yes/no values: a cell or definition that is only 1, 0, t, f, true, false.
	for (const el of document.querySelectorAll('dd, td')) {
		if (skip(el))
			continue;
		const t = el.innerText.trim();
		if (/^(t|f|true|false)$/i.test(t))
			say('a boolean not as Yes/No', t);
		if (/^[01]$/.test(t)) {
			// A count column is fine ("Members 1"); a yes/no one is not.
			const head = el.tagName === 'DD' ? el.previousElementSibling?.innerText ?? ''
			    : el.getAttribute('data-label') ??
			      el.closest('table')?.querySelectorAll('thead th')[el.cellIndex]?.innerText ?? '';
			if (!/^(#|Members?|Connections?|Flows?|Version|Attempts?|Teams?|Users?|Events?|Count|Failures|Uses)\b/i.test(head.trim()))
				say(`a boolean not as Yes/No (${head.trim()})`, t);
		}
	}
	// Flow statuses, as connection statuses: capitalised.
	for (const el of document.querySelectorAll('.badge, [data-label="Status"], [data-label="Flow status"]')) {
		const t = el.innerText.trim();
		if (/^[a-z]/.test(t))
			say('a status not capitalised', t);
	}
	// A page with times says once that they are UTC.
	const times = document.querySelectorAll('time').length;
	const notes = (body.match(/Times are in UTC/g) ?? []).length;
	if (times > 0 && notes !== 1)
		say(`"Times are in UTC" ${notes} times beside ${times} times`, '');
	return issues;
}

describe('times and numbers on every page', () => {
	before(async () => {
		had = demoConnectionIds().length > 0;
		loadDemo();
		// Counts past a thousand: 1,001 flows use the first demo connection
		// (the list, Details, the Related tab and its count).
		psql(`INSERT INTO flows (name, version, status, owner)
		    SELECT 'Scale flow ' || translate(substr(md5(g::text), 1, 8), '0123456789', 'ghijklmnop'), 1, 'active', ${sqlString(SCALE_OWNER)} FROM generate_series(1, 1001) g;
		    INSERT INTO flow_connections (flow_id, connection_id)
		    SELECT f.id, ${demoConnectionIds()[0]} FROM flows f WHERE f.owner = ${sqlString(SCALE_OWNER)}`);
		// A webhook for the Webhooks pages (its deliveries, when the tests
		// before this one changed a status, fail: .example never resolves).
		const hook = 'https://hooks.acme.example/tether';
		if (!tetherctl('webhook', 'list').includes(hook))
			tetherctl('webhook', 'add', hook);
		b = await openBrowser({ viewport: { width: 1366, height: 900 } });
		await signInPage(b.page, admin());
	});

	after(async () => {
		await b?.close();
		psql(`DELETE FROM flow_connections WHERE flow_id IN (SELECT id FROM flows WHERE owner = ${sqlString(SCALE_OWNER)});
		    DELETE FROM flows WHERE owner = ${sqlString(SCALE_OWNER)}`);
		if (had === false)
			removeDemo();
	});

	test('no page writes a time, a count or a yes/no another way', async (t) => {
		const base = baseUrl();
		const seen = new Set();
		const shapes = new Map();
		// The demo's connections first (every kind of setting), then what
		// the links lead to.
		const queue = ['/', ...demoConnectionIds().map((id) => `/connections/${id}`)];
		while (queue.length > 0 && walked.length < PAGES_MAX) {
			const u = new URL(queue.shift(), base);
			const key = u.pathname + u.search;
			if (seen.has(key))
				continue;
			seen.add(key);
			const s = shape(u);
			if ((shapes.get(s) ?? 0) >= PER_SHAPE)
				continue;
			shapes.set(s, (shapes.get(s) ?? 0) + 1);
			b.messages.length = 0;
			const r = await b.page.goto(u.href);
			if (r === null || r.status() !== 200)
				continue;
			assertCleanConsole(b.messages, key);
			walked.push({ url: key, issues: await b.page.evaluate(pageIssues) });
			for (const href of await b.page.$$eval('a[href^="/"]', (as) => as.map((a) => a.getAttribute('href'))))
				if (!/^\/(logout|oauth|login)|\/(delete|reconnect|testing)\b|[?&](page|sort|export|format)=/.test(href))
					queue.push(href.split('#')[0]);
		}
		t.diagnostic(`walked: ${walked.map((w) => w.url).join(' ')}`);
		const bad = walked.filter((w) => w.issues.length > 0)
		    .map((w) => `${w.url}\n  ${[...new Set(w.issues)].join('\n  ')}`);
		assert.ok(walked.length >= 20, `walked ${walked.length} pages`);
		assert.deepEqual(bad, [], `pages that write times or numbers another way (of ${walked.length} walked)`);
	});

	test('the pages with times, at 1366×900 and 390×844', async () => {
		const shots = ['/', '/connections/N', '/connections/N/history', '/connections/N/related',
			'/audit', '/webhooks', '/teams', '/users', '/named-credentials', '/flows/N'];
		// The demo's first connection (with 1,001 flows), else the first walked.
		const demo = demoConnectionIds()[0];
		const first = (p) => (p.startsWith('/connections/N') ? p.replace('N', demo) : undefined) ??
		    walked.find((w) => shape(new URL(w.url, baseUrl())) === p)?.url;
		for (const [w, h, tag] of [[1366, 900, 'wide'], [390, 844, 'phone']]) {
			await b.page.setViewportSize({ width: w, height: h });
			for (const p of shots) {
				const u = first(p);
				if (u === undefined)
					continue;
				const r = await b.page.goto(new URL(u, baseUrl()).href);
				assert.equal(r.status(), 200, u);
				await screenshot(b.page, `formats-${tag}-${p.replace(/[^a-z]+/gi, '-').replace(/^-|-$/g, '') || 'list'}`);
			}
		}
	});
});
