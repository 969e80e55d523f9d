// The Integrations tab: search, filters, sorting, pagination,
// flow counts, the state kept in the URL, empty states, what a non-admin
// may see, and escaping. Connections are seeded with psql as tether_owner
// into teams of this run; a non-admin member of those teams then sees
// exactly the seeded rows, whatever other tests left in the database.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import { linkQuery, parseList, seed, seedMany } from '../lib/list.mjs';
import { admin, get, makeUser, signIn, uniq } from '../lib/stack.mjs';

const P = uniq('L');

// key, team, name, connector, protocol, status, tested, flows
const CONNECTIONS = [
	{ key: 'alpha', team: 'a', name: 'Alpha Payroll', connector: 'jira', protocol: 'cloud',
	    status: 'ok', testedAgo: '1 hour', flows: 2 },
	{ key: 'alpha2', team: 'a', name: 'alpha invoices', connector: 'salesforce',
	    protocol: 'oauth2_code', status: 'failing', testedAgo: '2 days' },
	{ key: 'pct', team: 'a', name: 'Beta 100% Sync', connector: 'servicenow', protocol: 'basic',
	    status: 'needs_reconnect', testedAgo: '3 days', flows: 1 },
	{ key: 'under', team: 'b', name: 'Gamma under_score', connector: 'jira', protocol: 'server',
	    status: 'not_tested', testedAgo: null },
	{ key: 'hundred', team: 'b', name: 'Delta 100 Percent', connector: 'http', protocol: 'none',
	    status: 'ok', testedAgo: '10 minutes' },
	{ key: 'underx', team: 'b', name: 'Epsilon underXscore', connector: 'http',
	    protocol: 'api_key', status: 'ok', testedAgo: '5 days', result: 'ok' },
	{ key: 'shared', team: 'c', name: 'Zeta Shared', connector: 'smtp', protocol: 'basic',
	    status: 'ok', testedAgo: '20 minutes' },
	{ key: 'hidden', team: 'c', name: `Eta Hidden ${P}`, connector: 'smtp', protocol: 'basic',
	    status: 'ok', testedAgo: '30 minutes' },
	{ key: 'html', team: 'a', name: '<script>alert(1)</script><b>bold</b> & "q"',
	    connector: 'http', protocol: 'none', status: 'not_tested', testedAgo: null },
];
// What the member of teams a and b sees: theirs and the one shared with a.
const VISIBLE = CONNECTIONS.filter((c) => c.team !== 'c' || c.key === 'shared');

let s;			// seeded ids
let member;		// non-admin, in teams a and b
let jar;		// signed in as member
let adminJar;

const names = (list) => list.rows.map((r) => r.name);
const byName = (xs) => [...xs].sort((x, y) => {
	const a = x.toLowerCase();
	const b = y.toLowerCase();
	return a < b ? -1 : a > b ? 1 : 0;
});

async function list(query = '', j = jar) {
	const r = await get('/' + query, j);
	assert.equal(r.status, 200, `GET /${query}`);
	return parseList(r.text);
}

before(async () => {
	s = seed(P, {
		teams: ['a', 'b', 'c', 'd', 'empty'],
		connections: CONNECTIONS,
		shares: [{ connection: 'shared', team: 'a' }],
	});
	member = makeUser({ teams: [`${P}-a`, { name: `${P}-b`, role: 'viewer' }] });
	({ jar } = await signIn(member.email, member.password));
	const a = admin();
	({ jar: adminJar } = await signIn(a.email, a.password));
});

test('a member sees the connections of their teams and those shared with them', async () => {
	const l = await list();
	assert.deepEqual(byName(names(l)), byName(VISIBLE.map((c) => c.name)));
	assert.ok(!names(l).includes(`Eta Hidden ${P}`), "another team's connection is not listed");
	assert.deepEqual(l.showing, { first: 1, last: VISIBLE.length, total: VISIBLE.length });
	assert.doesNotMatch(l.text, /Eta Hidden/);
	// Its id does not leak through the team filter either.
	const lc = await list(`?team=${s.teams.c.id}`);
	assert.deepEqual(names(lc), ['Zeta Shared'], "team c's filter shows only what is shared");
	// The team filter offers the member's teams only.
	const teams = l.form.options.team.map((o) => o.label);
	assert.ok(teams.includes(`${P}-a`) && teams.includes(`${P}-b`));
	assert.ok(!teams.includes(`${P}-c`), 'no option for a team the member is not in');
});

test('rows show connector, status, owner team and flow counts', async () => {
	const l = await list();
	const row = (key) => l.rows.find((r) => r.id === s.connections[key].id);
	const alpha = row('alpha');
	assert.ok(alpha, 'Alpha Payroll is listed, linked by id');
	assert.equal(alpha.status, 'Connected');
	assert.equal(alpha.team, `${P}-a`);
	assert.equal(alpha.flows, 2);
	assert.equal(alpha.flowsHref, `/connections/${s.connections.alpha.id}/related`);
	assert.match(alpha.lastTested, /^\d{4}-\d\d-\d\d \d\d:\d\d Passed$/);
	assert.equal(row('pct').flows, 1);
	assert.equal(row('pct').status, 'Needs reconnect');
	assert.equal(row('alpha2').flows, 0);
	assert.equal(row('alpha2').flowsHref, null, 'no link for no flows');
	assert.equal(row('alpha2').status, 'Failing');
	assert.match(row('alpha2').lastTested, /Failed$/);
	assert.equal(row('under').status, 'Not tested yet');
	assert.equal(row('under').lastTested, 'Never');
	assert.equal(row('shared').team, `${P}-c`, 'a shared connection names its owner team');
});

test('search q: substring, case-insensitive', async () => {
	let l = await list('?q=ALPHA');
	assert.deepEqual(byName(names(l)), ['alpha invoices', 'Alpha Payroll']);
	assert.equal(l.showing.total, 2);
	l = await list('?q=pay');
	assert.deepEqual(names(l), ['Alpha Payroll']);
	l = await list('?q=' + encodeURIComponent('ayro'));
	assert.deepEqual(names(l), ['Alpha Payroll'], 'a substring inside a word');
	l = await list('?q=' + encodeURIComponent('a p'));
	assert.deepEqual(names(l), ['Alpha Payroll'], 'with a space');
});

test('search q: LIKE wildcards % and _ are literal', async () => {
	let l = await list('?q=' + encodeURIComponent('100%'));
	assert.deepEqual(names(l), ['Beta 100% Sync'], '"100%" matches only the name with a %');
	l = await list('?q=100');
	assert.deepEqual(byName(names(l)), ['Beta 100% Sync', 'Delta 100 Percent']);
	l = await list('?q=' + encodeURIComponent('%'));
	assert.deepEqual(names(l), ['Beta 100% Sync'], '"%" alone is not "everything"');
	l = await list('?q=' + encodeURIComponent('under_score'));
	assert.deepEqual(names(l), ['Gamma under_score'], '"_" is not "any character"');
	l = await list('?q=_');
	assert.deepEqual(names(l), ['Gamma under_score']);
	l = await list('?q=' + encodeURIComponent('\\'));
	assert.equal(l.showing, null, 'a backslash matches nothing here');
	assert.ok(l.emptyFiltered);
});

test('filter by status', async () => {
	const want = (st) => byName(VISIBLE.filter((c) => c.status === st).map((c) => c.name));
	for (const st of ['ok', 'failing', 'needs_reconnect', 'not_tested']) {
		const l = await list(`?status=${st}`);
		assert.deepEqual(byName(names(l)), want(st), `status=${st}`);
		assert.equal(l.form.status, st, `status=${st} stays selected`);
	}
	// An unknown status is ignored: everything is listed.
	const l = await list('?status=bogus');
	assert.equal(l.showing.total, VISIBLE.length);
});

test('filter by team', async () => {
	let l = await list(`?team=${s.teams.a.id}`);
	assert.deepEqual(byName(names(l)),
	    byName(VISIBLE.filter((c) => c.team === 'a').map((c) => c.name)));
	assert.equal(l.form.team, s.teams.a.id);
	l = await list(`?team=${s.teams.b.id}`);
	assert.deepEqual(byName(names(l)),
	    byName(VISIBLE.filter((c) => c.team === 'b').map((c) => c.name)));
	// A team with nothing: the filtered empty state.
	l = await list(`?team=${s.teams.d.id}`);
	assert.equal(l.rows.length, 0);
	assert.ok(l.emptyFiltered, 'says that no connection matches');
	// Not a number: ignored.
	l = await list('?team=abc');
	assert.equal(l.showing.total, VISIBLE.length);
});

test('filter by connector', async () => {
	const l0 = await list();
	const offered = l0.form.options.connector.map((o) => o.value);
	assert.ok(offered.includes('jira'),
	    `the connector filter offers jira (the catalog in connectors/ offers: ${JSON.stringify(offered)})`);
	let l = await list('?connector=jira');
	assert.equal(l.flash, null, 'no complaint about a known connector');
	assert.deepEqual(byName(names(l)), ['Alpha Payroll', 'Gamma under_score']);
	assert.equal(l.form.connector, 'jira');
	assert.ok(l.rows.every((r) => /jira/i.test(r.connector)), 'the Connector column says Jira');
	l = await list('?connector=jira&status=ok');
	assert.deepEqual(names(l), ['Alpha Payroll'], 'filters combine');
	// An unknown connector: a message, and all connections.
	l = await list('?connector=no-such-thing');
	assert.match(l.flash ?? '', /connector does not exist/);
	assert.equal(l.showing.total, VISIBLE.length);
});

test('sort by name, both ways, and by last tested', async () => {
	const all = VISIBLE.map((c) => c.name);
	let l = await list();
	assert.deepEqual(names(l), byName(all), 'by name A–Z by default');
	assert.equal(l.ariaSort.Name, 'ascending');
	l = await list('?sort=name');
	assert.deepEqual(names(l), byName(all));
	l = await list('?sort=-name');
	assert.deepEqual(names(l), byName(all).reverse(), 'Z–A');
	assert.equal(l.ariaSort.Name, 'descending');

	// Newest first, never tested last; oldest first, never tested first.
	const ago = (c) => c.testedAgo === null ? null : parseAgo(c.testedAgo);
	const tested = VISIBLE.filter((c) => ago(c) !== null).sort((x, y) => ago(x) - ago(y));
	const never = VISIBLE.filter((c) => ago(c) === null);
	l = await list('?sort=-tested');
	assert.deepEqual(names(l).slice(0, tested.length), tested.map((c) => c.name), 'newest first');
	assert.deepEqual(byName(names(l).slice(tested.length)), byName(never.map((c) => c.name)),
	    'never tested last');
	assert.equal(l.ariaSort['Last tested'], 'descending');
	l = await list('?sort=tested');
	assert.deepEqual(byName(names(l).slice(0, never.length)), byName(never.map((c) => c.name)),
	    'never tested first');
	assert.deepEqual(names(l).slice(never.length), [...tested].reverse().map((c) => c.name),
	    'then oldest first');
	// An unknown sort: the default.
	l = await list('?sort=bogus');
	assert.deepEqual(names(l), byName(all));
});

function parseAgo(s) {
	const [n, unit] = s.split(' ');
	const m = { minute: 1, minutes: 1, hour: 60, hours: 60, day: 1440, days: 1440 }[unit];
	return Number(n) * m;
}

test('the state is in the URL: form values, sort links and pager links keep it', async () => {
	const q = `?q=E&status=ok&team=${s.teams.b.id}&sort=-name`;
	const l = await list(q);
	assert.equal(l.form.q, 'E');
	assert.equal(l.form.status, 'ok');
	assert.equal(l.form.team, s.teams.b.id);
	assert.equal(l.form.sort, '-name');
	assert.deepEqual(names(l), ['Epsilon underXscore', 'Delta 100 Percent']);
	assert.match(l.text, /matching the filters/);
	// The Name header flips the sort and keeps the filters.
	assert.deepEqual(linkQuery(l.sortLinks.Name), { q: 'E', status: 'ok', team: s.teams.b.id });
	assert.deepEqual(linkQuery(l.sortLinks['Last tested']),
	    { q: 'E', status: 'ok', team: s.teams.b.id, sort: '-tested' });
	// Following the Name link gives A–Z with the same filters.
	const flipped = await list(l.sortLinks.Name.replace(/^\//, ''));
	assert.deepEqual(names(flipped), ['Delta 100 Percent', 'Epsilon underXscore']);
	// A search with characters that need escaping survives the round trip.
	const odd = await list('?q=' + encodeURIComponent('100% S') + '&sort=-name');
	assert.equal(odd.form.q, '100% S');
	assert.deepEqual(names(odd), ['Beta 100% Sync']);
	assert.equal(linkQuery(odd.sortLinks.Name).q, '100% S');
	// The form submits with GET to / (works without JavaScript).
	const r = await get(q, jar);
	assert.match(r.text, /<form\b[^>]*method="get"[^>]*action="\/"|<form\b[^>]*action="\/"[^>]*method="get"/);
});

test('pagination: 50 a page, page=2 shows the rest, links keep the state', async () => {
	const pager = makeUser({ teams: [] });
	const team = `${P}-d`;
	seedMany(team, 'Paged ', 57);
	const { tetherctl } = await import('../lib/stack.mjs');
	tetherctl('team', 'member', team, pager.email, 'member');
	const { jar: pj } = await signIn(pager.email, pager.password);

	let l = await list('', pj);
	assert.equal(l.rows.length, 50);
	assert.deepEqual(l.showing, { first: 1, last: 50, total: 57 });
	assert.match(l.text, /Showing 1–50 of 57 connections/);
	assert.match(l.text, /Page 1 of 2/);
	assert.equal(l.prev, null, 'no previous page on page 1');
	// Next carries its cursor: the last row shown (a keyset page, issue 15).
	assert.deepEqual(linkQuery(l.next), { page: '2', after: l.rows[49].id });
	assert.deepEqual(names(l), Array.from({ length: 50 }, (_, i) => `Paged ${String(i + 1).padStart(4, '0')}`));

	l = await list('?page=2', pj);
	assert.equal(l.rows.length, 7);
	assert.deepEqual(l.showing, { first: 51, last: 57, total: 57 });
	assert.match(l.text, /Showing 51–57 of 57 connections/);
	assert.match(l.text, /Page 2 of 2/);
	assert.equal(l.next, null, 'no next page on the last page');
	assert.deepEqual(linkQuery(l.prev), {}, 'previous is page 1, without page=');
	assert.deepEqual(names(l), Array.from({ length: 7 }, (_, i) => `Paged ${String(i + 51).padStart(4, '0')}`));

	// With a sort and a search, the pager links keep both.
	l = await list('?q=paged&sort=-name', pj);
	assert.deepEqual(linkQuery(l.next), { q: 'paged', sort: '-name', page: '2',
	    after: l.rows[49].id });
	const l2 = await list(l.next.replace(/^\//, ''), pj);
	assert.deepEqual(l2.showing, { first: 51, last: 57, total: 57 });
	assert.equal(l2.rows[6].name, 'Paged 0001', 'Z–A: the last page ends with the first name');
	assert.deepEqual(linkQuery(l2.prev), { q: 'paged', sort: '-name' });

	// A bad page number is ignored (page 1).
	for (const p of ['0', '-1', 'x', '1e3']) {
		const b = await list(`?page=${p}`, pj);
		assert.deepEqual(b.showing, { first: 1, last: 50, total: 57 }, `page=${p}`);
	}
});

test('a page past the last one does not claim rows it does not show', async () => {
	// 8 rows fit on page 1. Page 3 may show the last page again, or an
	// honest empty page with a way back, but not "Showing 0–100 of 8".
	const l = await list('?page=3');
	if (l.showing !== null) {
		const { first, last, total } = l.showing;
		assert.ok(first >= 1 && first <= last && last <= total,
		    `a sensible "Showing ${first}–${last} of ${total}"`);
		assert.equal(last - first + 1, l.rows.length, '"Showing" counts the rows shown');
	}
	if (l.rows.length === 0)
		assert.ok(l.prev !== null || l.emptyFiltered, 'a way back to the list');
	else
		assert.deepEqual(byName(names(l)), byName(VISIBLE.map((c) => c.name)), 'the last page');
});

test('empty states: no connections at all, and none matching', async () => {
	const lonely = makeUser({ teams: [`${P}-empty`] });
	const { jar: ej } = await signIn(lonely.email, lonely.password);
	let l = await list('', ej);
	assert.ok(l.emptyFirst, '"Create your first connection"');
	assert.equal(l.rows.length, 0);
	assert.equal(l.form, null, 'no filter form when there is nothing to filter');
	assert.match(l.text, /Browse connectors/);
	// A member cannot create one: the page says so instead of inviting them to.
	assert.doesNotMatch(l.text, /Create your first connection/);
	assert.match(l.text, /Only managers of a team can create connections/);
	l = await list('?q=zzzz-nothing', ej);
	assert.ok(l.emptyFiltered, 'a search with no hits says so, not "create your first"');
	assert.equal(l.form?.q, 'zzzz-nothing', 'the form keeps the search');
	l = await list('?q=nothing-like-this');
	assert.ok(l.emptyFiltered);
	assert.ok(!l.emptyFirst);
	assert.match(l.text, /Clear filters/);
});

test('an admin sees every team\'s connections', async () => {
	const l = await list(`?q=${encodeURIComponent(`Eta Hidden ${P}`)}`, adminJar);
	assert.deepEqual(names(l), [`Eta Hidden ${P}`]);
	const lt = await list(`?team=${s.teams.c.id}`, adminJar);
	assert.deepEqual(byName(names(lt)), byName(['Zeta Shared', `Eta Hidden ${P}`]));
	assert.ok(lt.form.options.team.some((o) => o.label === `${P}-c`), 'admins may pick any team');
});

test('an HTML-looking connection name is escaped', async () => {
	const r = await get('/?q=' + encodeURIComponent('<script>'), jar);
	assert.equal(r.status, 200);
	const l = parseList(r.text);
	assert.equal(l.rows.length, 1);
	assert.equal(l.rows[0].name, '<script>alert(1)</script><b>bold</b> & "q"');
	assert.ok(r.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt; &amp;'),
	    'the name is HTML-escaped');
	assert.ok(!r.text.includes('<script>alert(1)'), 'no live script tag');
	assert.ok(!r.text.includes('<b>bold</b>'), 'no live markup');
	// The search box echoes the query escaped, inside the attribute.
	assert.match(r.text, /name="q" value="&lt;script&gt;"/);
	// A quote in the search cannot break out of the attribute.
	const q = await get('/?q=' + encodeURIComponent('"><b>x'), jar);
	assert.equal(q.status, 200);
	assert.ok(!q.text.includes('"><b>x'));
	assert.ok(parseList(q.text).form.q === '"><b>x');
});

test('a search longer than 100 characters is refused with a message', async () => {
	const l = await list('?q=' + 'a'.repeat(101));
	assert.match(l.flash ?? '', /at most 100 characters/);
	assert.equal(l.showing.total, VISIBLE.length, 'and the whole list is shown');
});
