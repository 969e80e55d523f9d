// Two users of different teams, and an admin, on the same views of one
// worker (issue 15): whatever a worker keeps (pages by session and view,
// rows by id and the values they show: src/listcache.c, src/rowcache.c) must never show a
// user a connection they may not see, nor a row older than the last
// committed change. Each step changes the data behind the worker's back and
// requires the very next view of every user to show it.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { FcgiClient } from '../lib/fcgi.mjs';
import { parseList, seed } from '../lib/list.mjs';
import { makeUser, psql, signIn, uniq } from '../lib/stack.mjs';
import { startWorker } from '../lib/worker.mjs';

const cleanups = [];
after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

async function listOf(client, uri) {
	const r = await client.get(uri);
	assert.equal(r.status, 200, `GET ${uri}: ${r.status}`);
	return parseList(r.text);
}

async function rowsOf(client, uri) {
	return (await listOf(client, uri)).rows;
}

/** Every user views every uri twice (a kept page and kept rows on the way);
 * each must see exactly the names `want[user]` gives, in each view, the
 * count of them, and among the team options no team of `P` but `teams[user]`
 * (when given). */
async function expectViews(users, uris, want, what, P = null, teams = null) {
	for (const uri of uris)
		for (let round = 0; round < 2; round++)
			for (const [who, client] of Object.entries(users)) {
				const l = await listOf(client, uri);
				const at = `${what}: ${who} on ${uri} (view ${round + 1})`;
				assert.deepEqual(l.rows.map((x) => x.name).sort(), [...want[who]].sort(), at);
				assert.equal(l.showing?.total ?? 0, want[who].length, `${at}: the count`);
				if (teams !== null && teams[who] !== undefined)
					assert.deepEqual((l.form?.options.team ?? []).map((o) => o.label)
					    .filter((t) => t.includes(P)).sort(), [...teams[who]].sort(),
					    `${at}: the team options`);
			}
}

test('users of different teams on the same views see their own rows, current', async () => {
	const w = await startWorker(cleanups);
	const P = uniq('lt');
	const data = seed(P, {
		teams: ['a', 'b'],
		connections: [
			{ key: 'a1', team: 'a', name: `${P} a1`, status: 'ok', testedAgo: '2 days' },
			{ key: 'a2', team: 'a', name: `${P} a2`, status: 'failing', testedAgo: '1 day' },
			{ key: 'a3', team: 'a', name: `${P} a3`, status: 'ok', testedAgo: '3 days' },
			{ key: 'b1', team: 'b', name: `${P} b1`, status: 'ok', testedAgo: '1 day' },
		],
		shares: [{ connection: 'a3', team: 'b' }],
	});
	const ua = makeUser({ teams: [data.teams.a.name] });
	const ub = makeUser({ teams: [data.teams.b.name] });
	const admin = makeUser({ admin: true });
	const users = {};
	for (const [who, u] of [['a', ua], ['b', ub], ['admin', admin]]) {
		const { jar } = await signIn(u.email, u.password);
		users[who] = new FcgiClient(w.sock, jar);
	}
	const q = encodeURIComponent(P);
	const uris = [`/?q=${q}`, `/?q=${q}&sort=-name`, `/?q=${q}&sort=-tested`];
	const n = (k) => `${P} ${k}`;
	let want = {
		a: [n('a1'), n('a2'), n('a3')],
		b: [n('a3'), n('b1')],
		admin: [n('a1'), n('a2'), n('a3'), n('b1')],
	};
	const ta = data.teams.a.name, tb = data.teams.b.name;
	await expectViews(users, uris, want, 'at first', P, { a: [ta], b: [tb], admin: [ta, tb] });
	// Only a status filter: b's view of "ok" holds the shared row and its own.
	await expectViews(users, [`/?q=${q}&status=ok`], {
		a: [n('a1'), n('a3')], b: [n('a3'), n('b1')], admin: [n('a1'), n('a3'), n('b1')],
	}, 'status ok');

	// The shared row's status changes: everyone's next view shows it.
	psql(`UPDATE connections SET status = 'failing', last_test_result = 'failing'
	    WHERE id = ${data.connections.a3.id}`);
	for (const [who, client] of Object.entries(users)) {
		const row = (await rowsOf(client, uris[0])).find((x) => x.name === n('a3'));
		assert.equal(row?.status, 'Failing', `${who} sees a3 failing`);
	}
	await expectViews(users, [`/?q=${q}&status=ok`], {
		a: [n('a1')], b: [n('b1')], admin: [n('a1'), n('b1')],
	}, 'status ok after a3 failed');

	// A rename in team a: a's and the admin's next views show it, b never.
	psql(`UPDATE connections SET name = '${P} a1 renamed' WHERE id = ${data.connections.a1.id}`);
	want.a = [`${P} a1 renamed`, n('a2'), n('a3')];
	want.admin = [`${P} a1 renamed`, n('a2'), n('a3'), n('b1')];
	await expectViews(users, uris, want, 'after the rename');

	// The share is withdrawn: b's kept pages and rows must not bring a3 back.
	psql(`DELETE FROM connection_shares WHERE connection_id = ${data.connections.a3.id}`);
	want = { ...want, b: [n('b1')] };
	await expectViews(users, uris, want, 'after the unshare');

	// b joins team a: their next view has team a's rows.
	psql(`INSERT INTO team_members (team_id, user_id, role)
	    VALUES (${data.teams.a.id}, ${ub.id}, 'viewer')`);
	want = { ...want, b: [...want.a, n('b1')] };
	await expectViews(users, uris, want, 'after b joined team a', P,
	    { a: [ta], b: [ta, tb], admin: [ta, tb] });
});
