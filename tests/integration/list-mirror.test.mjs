// The worker's copy of the list (src/listmirror.c, issue 15) must answer
// every view exactly as the SQL list does. Two workers of the test's own
// on one database: one with the copy (the default), one without it and
// without kept pages (list.mirror = 0, list.cache_pages = 0). Users of
// different teams, an admin and a member of no team view the same ~40
// views on both, and the pages must be the same bytes but for the request
// id; then the data changes behind both workers' backs in every way the
// copy follows (list_changes, sql/034) and the next views must agree again
// (the copy's worker answering from kept pages where nothing it shows
// changed).

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { FcgiClient } from '../lib/fcgi.mjs';
import { keptView } from '../lib/kept.mjs';
import { parseList, seed } from '../lib/list.mjs';
import { makeUser, psql, psqlValue, signIn, sqlString, uniq } from '../lib/stack.mjs';
import { startWorker } from '../lib/worker.mjs';

const cleanups = [];
after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

/** The page with what differs between any two requests taken out. */
function normal(html) {
	return html.replace(/[0-9a-f]{16}/g, 'RID');
}

/** Views of one user on both workers: the same page, or the assertion says
 * where they part. */
async function same(users, uris, what, { admin = true } = {}) {
	let compared = 0;
	for (const uri of uris)
		for (const [who, u] of Object.entries(users)) {
			if (who === 'admin' && !admin)
				continue;
			let a, b;
			// The admin's health summary counts every connection of the
			// stack: a check of the stack's own worker may land between the
			// two views; once more then.
			for (let i = 0; i < 3; i++) {
				a = normal((await u.copy.get(uri)).text);
				b = normal((await u.sql.get(uri)).text);
				if (a === b || who !== 'admin')
					break;
			}
			if (a !== b) {
				let at = 0;
				while (at < a.length && a[at] === b[at])
					at++;
				assert.fail(`${what}: ${who} on ${uri}: the copy's page differs at ${at}:\n` +
				    `copy: ${a.slice(Math.max(0, at - 200), at + 200)}\n` +
				    `sql:  ${b.slice(Math.max(0, at - 200), at + 200)}`);
			}
			compared++;
		}
	return compared;
}

test('every view from the worker\'s copy is the SQL list\'s page, before and after every kind of change', async () => {
	const copy = await startWorker(cleanups);
	const sql = await startWorker(cleanups, { 'list.mirror': '0', 'list.cache_pages': '0' });
	const P = uniq('lm');
	const conns = [];
	// Ties in the tested sorts, never tested rows, upper case and letters
	// outside ASCII in names (lower() as PostgreSQL's), several connectors.
	const statuses = ['ok', 'failing', 'needs_reconnect', 'not_tested', 'ok', 'not_testable'];
	for (let i = 0; i < 140; i++) {
		const team = ['a', 'b', 'c'][i % 3];
		const names = [`${P} Ärger ${i}`, `${P} ledger ${i}`, `${P} İnvoice ${i}`, `${P} ΣALES ${i}`,
		    `${P} payroll ${i}`, `${P} Straße ${i}`, `${P} LEDGER-x ${i}`];
		conns.push({
			key: `k${i}`, team, name: names[i % names.length],
			connector: ['http', 'jira', 'salesforce', 'http'][i % 4],
			protocol: ['none', 'api_token', 'oauth2_code', 'none'][i % 4],
			status: statuses[i % statuses.length],
			testedAgo: i % 5 === 0 ? null : `${i % 7} hours`,
			flows: i % 11 === 0 ? 2 : 0,
		});
	}
	const data = seed(P, {
		teams: ['a', 'b', 'c', 'd'],
		connections: conns,
		shares: [{ connection: 'k1', team: 'a' }, { connection: 'k2', team: 'a' },
		    { connection: 'k4', team: 'c' }, { connection: 'k5', team: 'a' },
		    { connection: 'k7', team: 'd' }],
	});
	const ids = Object.values(data.connections).map((c) => c.id).join(',');
	// Expiring: some within the horizon, one long expired, some far away;
	// a refresh token's expiry alone for others.
	psql(`UPDATE connections SET secrets_expire_on = current_date + (id % 40 - 5)::int
	    WHERE id IN (${ids}) AND id % 3 = 0;
	    UPDATE connections SET refresh_token_expires_at = now() + (id % 30)::int * interval '1 day'
	    WHERE id IN (${ids}) AND id % 4 = 1;
	    UPDATE connections SET last_tested_at = '2026-01-01 10:00:00+00'
	    WHERE id IN (${ids}) AND id % 9 = 2`);
	const t = data.teams;
	const specs = {
		admin: { admin: true },
		a: { teams: [t.a.name] },
		ab: { teams: [t.a.name, t.b.name] },
		cViewer: { teams: [{ name: t.c.name, role: 'viewer' }] },
		d: { teams: [t.d.name] },
		none: {},
	};
	const users = {};
	for (const [who, spec] of Object.entries(specs)) {
		const u = makeUser(spec);
		const { jar } = await signIn(u.email, u.password);
		users[who] = { u, copy: new FcgiClient(copy.sock, jar), sql: new FcgiClient(sql.sock, jar) };
	}
	const q = (s) => encodeURIComponent(s);
	const own = `q=${q(P)}`;
	const views = [
		`/?${own}`, `/?${own}&page=2`, `/?${own}&page=3`, `/?${own}&page=99`,
		`/?${own}&sort=-name`, `/?${own}&sort=-name&page=2`, `/?${own}&sort=tested`,
		`/?${own}&sort=-tested`, `/?${own}&sort=tested&page=2`, `/?${own}&sort=-tested&page=3`,
		`/?${own}&status=failing`, `/?${own}&status=ok&sort=-tested`, `/?${own}&status=expiring`,
		`/?${own}&status=needs_reconnect&page=2`, `/?${own}&connector=jira`,
		`/?${own}&connector=salesforce&status=not_tested`, `/?${own}&team=${t.a.id}`,
		`/?${own}&team=${t.b.id}&sort=-tested`, `/?q=${q(P + ' ärger')}`, `/?q=${q(P + ' ΣALES')}`,
		`/?q=${q(P + ' σales 1')}`, `/?q=${q(P + ' İNVOICE')}`, `/?q=${q(P + ' straße')}`,
		`/?q=${q(P + ' ledger')}&sort=-tested`, `/?q=${q(P + ' no such name')}`,
		`/?q=${q(P + ' 1')}&page=2`,
	];
	let n = await same(users, views, 'at first');
	// Cursors: the pager's own links (Next carries after=, Previous before=),
	// and cursors that are gone, not the viewer's, or beyond the list.
	const cursorViews = [];
	for (const who of ['a', 'ab', 'admin']) {
		for (const base of [`/?${own}&page=2`, `/?${own}&page=3`, `/?${own}&sort=-tested&page=3`]) {
			const l = parseList((await users[who].copy.get(base)).text);
			for (const link of [l.next, l.prev])
				if (link)
					cursorViews.push((({ pathname, search }) => pathname + search)(new URL(link, 'http://x/')));
		}
	}
	assert.ok(cursorViews.some((v) => v.includes('after=')), 'a Next link with a cursor');
	assert.ok(cursorViews.some((v) => v.includes('before=')), 'a Previous link with a cursor');
	const far = data.connections.k7.id;	// team b's, shared with d only
	cursorViews.push(`/?${own}&page=2&after=${far}`, `/?${own}&page=3&before=${far}`,
	    `/?${own}&page=2&after=999999999`, `/?${own}&sort=-tested&page=2&before=${data.connections.k0.id}`);
	n += await same(users, cursorViews, 'cursors');

	// Every kind of change the copy follows, each seen on the next views.
	const c = data.connections;
	const changes = [
		['a status change', `UPDATE connections SET status = 'failing', last_test_result = 'failing',
		    last_tested_at = now() WHERE id = ${c.k3.id}`],
		['a rename that moves a row across pages', `UPDATE connections SET name = ${sqlString(`${P} Aaa first`)}
		    WHERE id = ${c.k60.id}`],
		['a new connection', `INSERT INTO connections (owner_team_id, name, connector, auth_protocol, status)
		    VALUES (${t.a.id}, ${sqlString(`${P} new one`)}, 'http', 'none', 'ok')`],
		['a deleted connection', `DELETE FROM connections WHERE id = ${c.k10.id}`],
		['a share', `INSERT INTO connection_shares (connection_id, team_id, permission)
		    VALUES (${c.k8.id}, ${t.c.id}, 'use')`],
		['an unshare', `DELETE FROM connection_shares WHERE connection_id = ${c.k1.id}`],
		['a flow starts using a connection', `WITH f AS (INSERT INTO flows (name, status, owner)
		    VALUES (${sqlString(`${P}-flow-x`)}, 'active', 'tests') RETURNING id)
		    INSERT INTO flow_connections (flow_id, connection_id) SELECT id, ${c.k12.id} FROM f`],
		['a connection moves to another team', `UPDATE connections SET owner_team_id = ${t.d.id}
		    WHERE id = ${c.k13.id}`],
		['a team is renamed', `UPDATE teams SET name = ${sqlString(`${P}-b-renamed`)} WHERE id = ${t.b.id}`],
		['a member joins a team', `INSERT INTO team_members (team_id, user_id, role)
		    VALUES (${t.c.id}, ${users.a.u.id}, 'member')`],
		['a secret starts expiring', `UPDATE connections SET secrets_expire_on = current_date + 1
		    WHERE id = ${c.k20.id}`],
		['many rows in one transaction', `UPDATE connections SET status = 'ok' WHERE id IN (${ids})
		    AND status = 'failing'`],
	];
	const watched = [`/?${own}`, `/?${own}&page=2`, `/?${own}&sort=-tested`, `/?${own}&status=failing`,
	    `/?${own}&status=expiring`, `/?${own}&team=${t.b.id}`, `/?q=${q(P + ' ledger')}`];
	for (const [what, stmt] of changes) {
		const before = Number(psqlValue('SELECT v FROM list_version'));
		psql(stmt);
		assert.ok(Number(psqlValue('SELECT v FROM list_version')) > before, `${what}: a new list version`);
		n += await same(users, watched, `after ${what}`);
	}
	// More changes than the copy remembers (src/listmirror.c keeps the last
	// 1,024 to check its kept walks against): one the views show, then 1,100
	// of another team's they do not, in two commits, both read by the next
	// views at once. No walk kept from before them may be taken as true.
	const flood = uniq('flood');
	cleanups.push(() => psql(`DELETE FROM connections WHERE name LIKE ${sqlString(`${flood} %`)}`));
	psql(`UPDATE connections SET status = 'failing', last_test_result = 'failing',
	    last_tested_at = now() WHERE id = ${c.k30.id}`);
	psql(`INSERT INTO connections (owner_team_id, name, connector, auth_protocol, status)
	    SELECT ${t.d.id}, ${sqlString(flood)} || ' ' || g, 'http', 'none', 'ok'
	    FROM generate_series(1, 1100) AS g`);
	n += await same(users, watched, 'after more changes than the copy remembers');
	assert.ok(n > 500, `${n} pages compared`);
});

test('a page kept from the copy outlives a change it does not show, not one it shows', async () => {
	const w = await startWorker(cleanups);
	const P = uniq('lk');
	const data = seed(P, {
		teams: ['a'],
		connections: [
			{ key: 'x', team: 'a', name: `${P} x`, status: 'ok', testedAgo: '1 day' },
			{ key: 'y', team: 'a', name: `${P} y`, status: 'ok', testedAgo: '2 days' },
		],
	});
	const u = makeUser({ teams: [data.teams.a.name] });
	const { jar } = await signIn(u.email, u.password);
	const client = new FcgiClient(w.sock, jar);
	const uri = `/?q=${encodeURIComponent(`${P} x`)}`;
	const failing = (v) => Number(/([\d,]+) failing/.exec(v.r.text)?.[1].replace(/,/g, '') ?? 0);
	await keptView(w, client, uri);
	const first = await keptView(w, client, uri);
	assert.equal(first.copy, true, 'the second view is kept');
	assert.equal(failing(first), 0);
	// y is not on the page (its search finds x only) and its change moves
	// no count: the member's list version moves, the kept page stays.
	psql(`UPDATE connections SET name = ${sqlString(`${P} yy`)}, last_tested_at = now()
	    WHERE id = ${data.connections.y.id}`);
	const v = await keptView(w, client, uri);
	assert.equal(v.copy, true, 'a change to a row not shown leaves the page kept');
	// y fails: the health summary above the list counts it; the kept page
	// stays and takes the new count in place.
	psql(`UPDATE connections SET status = 'failing' WHERE id = ${data.connections.y.id}`);
	const h = await keptView(w, client, uri);
	assert.equal(h.copy, true, 'a new count elsewhere: the kept page, its summary anew');
	assert.equal(failing(h), 1, 'the summary counts y failing');
	assert.equal(h.list.rows.length, 1);
	assert.equal(h.r.text.replace(/[0-9a-f]{16}/g, ''), (await client.get(uri)).text
	    .replace(/[0-9a-f]{16}/g, ''), 'the same page again');
	// x is: the next view is written afresh and shows it.
	psql(`UPDATE connections SET status = 'failing', last_test_result = 'failing'
	    WHERE id = ${data.connections.x.id}`);
	const x = await keptView(w, client, uri);
	assert.equal(x.copy, false, 'a change to a row shown: a fresh page');
	assert.equal(x.list.rows[0].status, 'Failing');
});
