// The Integrations tab's counts (issue 15): the health summary, the total
// and the status filters' totals come from counts kept by triggers
// (sql/031) and must equal an exact COUNT(*) after every kind of change —
// inserts, deletes, status changes, team moves, shares added and removed —
// for an admin and for members of one and of two teams (a connection
// shared with both of a member's teams, or shared with the team that owns
// it, is counted once). A view matching more than 10,000 rows shows
// "10,000+" and still pages on.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import { parseList, seedMany } from '../lib/list.mjs';
import { admin, get, makeTeam, makeUser, psql, psqlValue, signIn, uniq } from '../lib/stack.mjs';

const P = uniq('K');
let A, B, C;			// teams
let one, two, boss;		// { jar, teams: [ids] | null (admin) }

async function session(user, teams) {
	const { jar } = await signIn(user.email, user.password);
	return { jar, teams };
}

// Exactly, with SQL of its own: what the viewer may see, filtered.
function truth(who, where = 'true') {
	const vis = who.teams === null ? 'true' :
	    `(c.owner_team_id IN (${who.teams.join(',')}) OR c.id IN (SELECT sh.connection_id` +
	    ` FROM connection_shares sh WHERE sh.team_id IN (${who.teams.join(',')})))`;
	return Number(psqlValue(`SELECT count(*) FROM connections c WHERE ${vis} AND ${where}`));
}

async function shown(who, query = '') {
	const r = await get('/' + query, who.jar);
	assert.equal(r.status, 200);
	const l = parseList(r.text);
	const summary = /<section class="health-summary"[\s\S]*?<\/section>/.exec(r.text)?.[0] ?? '';
	const num = (re) => Number((re.exec(summary)?.[1] ?? '0').replace(/,/g, ''));
	return {
		total: l.showing === null ? 0 : l.showing.total,
		estimated: l.estimated,
		failing: num(/([\d,]+) failing/),
		reconnect: num(/([\d,]+) needs reconnect/),
		list: l,
	};
}

async function check(what) {
	for (const [name, who] of [['one team', one], ['two teams', two], ['admin', boss]]) {
		// Other test files may write while this one reads: an admin's figures
		// are compared again once if they moved under the page.
		for (let attempt = 0; ; attempt++) {
			const want = { total: truth(who), failing: truth(who, "c.status = 'failing'"),
			    reconnect: truth(who, "c.status = 'needs_reconnect'"),
			    ok: truth(who, "c.status = 'ok'"), team: truth(who, `c.owner_team_id = ${C.id}`) };
			const all = await shown(who);
			const ok = await shown(who, '?status=ok');
			const team = await shown(who, `?team=${C.id}`);
			const got = { total: all.total, failing: all.failing, reconnect: all.reconnect,
			    ok: ok.total, team: team.total };
			if (who.teams === null && attempt === 0 && JSON.stringify(got) !== JSON.stringify(want))
				continue;
			assert.deepEqual(got, want, `${what}: ${name}`);
			break;
		}
	}
}

before(async () => {
	A = makeTeam(`${P}-a`);
	B = makeTeam(`${P}-b`);
	C = makeTeam(`${P}-c`);
	seedMany(A.name, `${P} a `, 40);
	seedMany(B.name, `${P} b `, 25);
	seedMany(C.name, `${P} c `, 30);
	psql(`UPDATE connections SET status = 'failing' WHERE owner_team_id IN (${A.id}, ${B.id}, ${C.id})
	    AND right(name, 1) IN ('1', '7');
	    UPDATE connections SET status = 'needs_reconnect' WHERE owner_team_id IN (${A.id}, ${C.id})
	    AND right(name, 1) = '3';
	    INSERT INTO connection_shares (connection_id, team_id, permission)
	    SELECT id, ${A.id}, 'use' FROM connections WHERE owner_team_id = ${C.id} AND right(name, 1) IN ('1', '3', '5');
	    INSERT INTO connection_shares (connection_id, team_id, permission)
	    SELECT id, ${B.id}, 'use' FROM connections WHERE owner_team_id = ${C.id} AND right(name, 1) IN ('1', '2');
	    INSERT INTO connection_shares (connection_id, team_id, permission)
	    SELECT id, ${B.id}, 'use' FROM connections WHERE owner_team_id = ${A.id} AND right(name, 1) = '1';`);
	one = await session(makeUser({ teams: [A.name] }), [A.id]);
	two = await session(makeUser({ teams: [A.name, { name: B.name, role: 'viewer' }] }), [A.id, B.id]);
	const a = admin();
	boss = await session(a, null);
});

test('counts equal COUNT(*) as seeded, for members of one and two teams and an admin', async () => {
	await check('seeded');
});

test('counts follow inserts, deletes, status changes, team moves and shares', async () => {
	seedMany(A.name, `${P} new `, 7);
	psql(`UPDATE connections SET status = 'failing' WHERE name LIKE '${P} new %'`);
	await check('after inserts');
	psql(`DELETE FROM connections WHERE owner_team_id = ${C.id} AND right(name, 1) = '1'`);
	await check('after deletes (some were shared)');
	psql(`UPDATE connections SET status = 'ok' WHERE owner_team_id = ${A.id} AND right(name, 1) = '7';
	    UPDATE connections SET status = 'needs_reconnect' WHERE owner_team_id = ${B.id} AND right(name, 1) = '4'`);
	await check('after status changes');
	// A move into a team the member belongs to, of a row shared with them.
	psql(`UPDATE connections SET owner_team_id = ${A.id}, name = name || ' moved'
	    WHERE owner_team_id = ${C.id} AND right(name, 1) = '3'`);
	await check('after team moves');
	psql(`DELETE FROM connection_shares WHERE team_id = ${B.id};
	    INSERT INTO connection_shares (connection_id, team_id, permission)
	    SELECT id, ${B.id}, 'manage' FROM connections WHERE owner_team_id = ${C.id}`);
	await check('after shares removed and added');
	// Status and team moved in one statement, many rows at once.
	psql(`UPDATE connections SET owner_team_id = ${C.id}, status = 'failing', name = name || ' back'
	    WHERE owner_team_id = ${A.id} AND name LIKE '${P} new %'`);
	await check('after a move and status change in one statement');
});

test('the kept counts equal GROUP BY over every connection', () => {
	const wrong = psqlValue(`SELECT count(*) FROM (SELECT owner_team_id, status, count(*) AS n
	    FROM connections GROUP BY 1, 2) a FULL JOIN (SELECT * FROM connection_status_counts
	    WHERE n <> 0) b USING (owner_team_id, status) WHERE a.n IS DISTINCT FROM b.n`);
	assert.equal(wrong, '0');
});

test('more than 10,000 matches: exact from the worker\'s copy; "10,000+" where a view is counted in SQL', async () => {
	const big = makeTeam(`${P}-big`);
	// Created long ago and never read: the "unused" view (credential reads
	// are not in the worker's copy) still counts in SQL, up to its cap.
	psql(`INSERT INTO connections (owner_team_id, name, connector, auth_protocol, status,
	    created_at)
	    SELECT ${big.id}, '${P} huge ' || lpad(g::text, 5, '0'), 'http', 'none', 'ok',
	    now() - interval '100 days'
	    FROM generate_series(1, 10050) AS g`);
	// Every other view is answered from the worker's copy: exact, whatever its size.
	const exact = await shown(boss, `?q=${encodeURIComponent(P + ' huge')}`);
	assert.equal(exact.estimated, false);
	assert.equal(exact.total, 10050);
	assert.match(exact.list.text, /Showing 1–50 of 10,050 connections/);
	assert.match(exact.list.text, /Page 1 of 201\b/);
	assert.ok(exact.list.next, 'a Next link');
	const last = await shown(boss, `?q=${encodeURIComponent(P + ' huge')}&page=201`);
	assert.match(last.list.text, /Showing 10,001–10,050 of 10,050 connections/);
	assert.equal(last.list.next, null);
	const q = `?unused=30&q=${encodeURIComponent(P + ' huge')}`;
	const first = await shown(boss, q);
	assert.equal(first.estimated, true);
	assert.equal(first.total, 10000);
	assert.match(first.list.text, /Showing 1–50 of 10,000\+ connections/);
	assert.match(first.list.text, /Page 1 of 200\+/);
	assert.ok(first.list.next, 'a Next link');
	// Page 200 still counts up to the cap: more, and Next. Page 201 counts
	// past the page asked for: the exact 10,050, the last page, no Next.
	const p200 = await shown(boss, `${q}&page=200`);
	assert.equal(p200.estimated, true);
	assert.match(p200.list.text, /Showing 9,951–10,000 of 10,000\+/);
	assert.ok(p200.list.next, 'Next on page 200');
	const p201 = await shown(boss, `${q}&page=201`);
	assert.equal(p201.estimated, false);
	assert.equal(p201.list.rows.length, 50);
	assert.match(p201.list.text, /Showing 10,001–10,050 of 10,050 connections/);
	assert.equal(p201.list.next, null);
	// Under the cap: exact.
	const some = await shown(boss, `?q=${encodeURIComponent(P + ' huge 0001')}`);
	assert.equal(some.estimated, false);
	assert.equal(some.total, 10);
	// The team's unfiltered total is kept: exact whatever its size.
	const team = await shown(boss, `?team=${big.id}`);
	assert.equal(team.estimated, false);
	assert.equal(team.total, 10050);
	psql(`DELETE FROM connections WHERE owner_team_id = ${big.id}`);
});

test('every page of a member of two teams shows exactly their rows, in order', async () => {
	// Enough rows that the pages cross both teams and the shared ones.
	seedMany(B.name, `${P} page `, 60);
	for (const [query, order, where] of [
		['', 'lower(c.name), c.id', 'true'],
		['?sort=-tested', 'c.last_tested_at DESC NULLS LAST, c.id DESC', 'true'],
		['?status=failing&sort=-name', 'lower(c.name) DESC, c.id DESC', "c.status = 'failing'"],
	]) {
		const want = psql(`SELECT c.id FROM connections c WHERE (c.owner_team_id IN (${two.teams})
		    OR c.id IN (SELECT connection_id FROM connection_shares WHERE team_id IN (${two.teams})))
		    AND ${where} ORDER BY ${order}`).map(([id]) => id);
		const got = [];
		for (let page = 1; got.length < want.length + 50; page++) {
			const l = (await shown(two, `${query}${query ? '&' : '?'}page=${page}`)).list;
			got.push(...l.rows.map((r) => r.id));
			if (l.next === null)
				break;
		}
		assert.deepEqual(got, want, `pages of /${query}`);
	}
});
