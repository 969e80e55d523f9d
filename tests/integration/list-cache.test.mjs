// The Integrations tab's kept pages (src/listcache.c, sql/007_list_version.sql):
// a worker serves a page it rendered before only while nothing on it can
// have changed. Each test drives one worker of its own (tether-fcgi -f on a
// socket of its own), so that every request meets the copies of the one
// before; the access log's "note=list copy" tells a kept page from a fresh
// one. For every kind of change the list shows (a connection's status and
// last test, a team's name, flows, shares, membership, new and deleted
// connections, the user, the session) the test first proves a copy is being
// served, then changes the data behind the worker's back and requires the
// very next view to show it.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { FcgiClient } from '../lib/fcgi.mjs';
import { keptView as view, warmKept as warm } from '../lib/kept.mjs';
import { parseList, seed } from '../lib/list.mjs';
import {
	csrfFrom, get, makeUser, psql, psqlValue, signIn, sqlString, uniq,
} from '../lib/stack.mjs';
import { startWorker } from '../lib/worker.mjs';

const cleanups = [];
after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

function rowNamed(list, name) {
	return list.rows.find((row) => row.name === name);
}

function listVersion() {
	return Number(psqlValue('SELECT v FROM list_version'));
}

/** An admin's session on a worker of its own, and a few connections. */
async function setup(replace = {}) {
	const w = await startWorker(cleanups, replace);
	const P = uniq('lc');
	const data = seed(P, {
		teams: ['a', 'b'],
		connections: [
			{ key: 'x', team: 'a', name: `${P} x`, status: 'ok', testedAgo: '2 days' },
			{ key: 'y', team: 'a', name: `${P} y`, status: 'not_tested' },
			{ key: 'z', team: 'b', name: `${P} z`, status: 'ok', testedAgo: '1 day' },
		],
	});
	const u = makeUser({ admin: true, name: 'Cache Admin' });
	const { jar } = await signIn(u.email, u.password);	// sessions live in PostgreSQL
	return { w, P, data, u, jar, client: new FcgiClient(w.sock, jar), uri: `/?q=${encodeURIComponent(P)}` };
}

test('a reloaded view is the kept page, carrying this request\'s own id', async () => {
	const { w, P, client, uri } = await setup();
	const first = await view(w, client, uri);
	assert.equal(first.copy, false, 'the first view is rendered');
	assert.equal(first.list.rows.length, 3);
	const second = await view(w, client, uri);
	assert.ok(second.copy, 'the second view is the kept page');
	assert.notEqual(second.rid, first.rid);
	assert.ok(second.r.text.includes(`<code>${second.rid}</code>`), 'the footer shows this request\'s id');
	assert.ok(!second.r.text.includes(first.rid), 'and not the first one\'s');
	assert.equal(second.r.text.replace(second.rid, 'RID'), first.r.text.replace(first.rid, 'RID'),
	    'otherwise the same bytes');
	assert.equal(second.r.headers.get('content-length'), String(Buffer.byteLength(second.r.body)));
	assert.equal(second.r.headers.get('cache-control'), 'no-store', 'headers as for any signed-in page');
	// Another view (sort, page, filter) is a page of its own.
	const sorted = await view(w, client, `${uri}&sort=-name`);
	assert.equal(sorted.copy, false);
	assert.deepEqual(sorted.list.rows.map((r) => r.name), [`${P} z`, `${P} y`, `${P} x`]);
	assert.ok((await view(w, client, uri)).copy, 'the first view is still kept');
	// HEAD of a kept page: headers only.
	const head = await client.get(uri, { method: 'HEAD' });
	assert.equal(head.status, 200);
	assert.equal(head.body.length, 0);
});

test('a test result, a team rename, flows and new or deleted connections show at once', async () => {
	const { w, P, data, client, uri } = await setup();
	const x = data.connections.x;

	await warm(w, client, uri);
	psql(`UPDATE connections SET status = 'failing', last_test_result = 'failing',
	    last_tested_at = '2026-01-02 03:04:00+00' WHERE id = ${x.id}`);
	let v = await view(w, client, uri);
	assert.equal(v.copy, false, 'a changed connection: rendered again');
	assert.match(rowNamed(v.list, x.name).status, /Failing/);
	assert.match(rowNamed(v.list, x.name).lastTested, /2026-01-02 03:04/);
	assert.ok((await view(w, client, uri)).copy, 'and kept again');

	psql(`UPDATE teams SET name = ${sqlString(`${P}-renamed`)} WHERE id = ${data.teams.a.id}`);
	v = await view(w, client, uri);
	assert.equal(v.copy, false);
	assert.equal(rowNamed(v.list, x.name).team, `${P}-renamed`, 'the owner team\'s new name');
	assert.ok(v.list.form.options.team.some((o) => o.label === `${P}-renamed`),
	    'and in the team filter');

	await warm(w, client, uri);
	psql(`WITH f AS (INSERT INTO flows (name, status, owner) VALUES
	    (${sqlString(`${P}-flow`)}, 'active', 'tests') RETURNING id)
	    INSERT INTO flow_connections (flow_id, connection_id) SELECT id, ${x.id} FROM f`);
	v = await view(w, client, uri);
	assert.equal(rowNamed(v.list, x.name).flows, 1, 'a flow using it counts at once');

	await warm(w, client, uri);
	psql(`INSERT INTO connections (owner_team_id, name, connector, auth_protocol)
	    VALUES (${data.teams.b.id}, ${sqlString(`${P} new`)}, 'http', 'none')`);
	v = await view(w, client, uri);
	assert.ok(rowNamed(v.list, `${P} new`), 'a new connection is listed');
	assert.equal(v.list.showing.total, 4);

	await warm(w, client, uri);
	psql(`DELETE FROM connections WHERE name = ${sqlString(`${P} new`)}`);
	v = await view(w, client, uri);
	assert.equal(rowNamed(v.list, `${P} new`), undefined, 'a deleted connection is gone');
	assert.equal(v.list.showing.total, 3);
});

test('a delete through the app itself: the redirect and the next view both show it gone', async () => {
	const { w, data, client, uri } = await setup();
	const y = data.connections.y;
	const kept = await warm(w, client, uri);
	assert.ok(rowNamed(kept.list, y.name));
	const del = await client.post(`/connections/${y.id}/delete`,
	    { csrf: csrfFrom(kept.r.text), confirm: 'yes' });
	assert.equal(del.status, 303);
	const shown = await view(w, client, uri);	// carries the "deleted" message
	assert.equal(shown.copy, false, 'a page with a message is rendered');
	assert.ok(shown.list.flash, 'the message is shown');
	assert.equal(rowNamed(shown.list, y.name), undefined);
	const next = await view(w, client, uri);
	assert.equal(rowNamed(next.list, y.name), undefined, 'the next view too');
	assert.equal(next.list.flash, null, 'and the message only once');
});

test('the Test button: the very next view shows the new last test', async () => {
	const { w, data, client, uri } = await setup();
	const x = data.connections.x;
	const kept = await warm(w, client, uri);
	const before = rowNamed(kept.list, x.name).lastTested;
	const t = await client.post(`/connections/${x.id}/test`, { csrf: csrfFrom(kept.r.text) });
	assert.equal(t.status, 303, 'the test ran');
	const tested = psql(`SELECT to_char(last_tested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
	    status FROM connections WHERE id = ${x.id}`)[0];
	await view(w, client, uri);	// the page with the test's message
	const next = await view(w, client, uri);
	const row = rowNamed(next.list, x.name);
	assert.notEqual(row.lastTested, before, 'not the kept page from before the test');
	assert.match(row.lastTested, new RegExp(tested[0]), 'the new last test');
	assert.equal(next.copy, false, 'rendered after the change');
	assert.ok((await view(w, client, uri)).copy, 'then kept again');
});

test('through nginx and every worker: each change is on the very next view', async () => {
	const P = uniq('lcn');
	const data = seed(P, { teams: ['t'], connections: [{ key: 'c', team: 't', name: `${P} c` }] });
	const u = makeUser({ admin: true });
	const { jar } = await signIn(u.email, u.password);
	const uri = `/?q=${encodeURIComponent(P)}`;
	const statuses = [['ok', /Connected/], ['failing', /Failing/], ['needs_reconnect', /Needs reconnect/]];
	for (let i = 0; i < 24; i++) {
		const [status, label] = statuses[i % statuses.length];
		psql(`UPDATE connections SET status = ${sqlString(status)} WHERE id = ${data.connections.c.id}`);
		// Several views, so that every worker's kept page is met after each change.
		for (let k = 0; k < 3; k++) {
			const r = await get(uri, jar);
			assert.equal(r.status, 200);
			const row = rowNamed(parseList(r.text), `${P} c`);
			assert.match(row.status, label, `change ${i + 1} (${status}), view ${k + 1}`);
		}
	}
});

test('shares and team membership change what a member sees, at once', async () => {
	const w = await startWorker(cleanups);
	const P = uniq('lcm');
	const data = seed(P, {
		teams: ['mine', 'other'],
		connections: [
			{ key: 'm', team: 'mine', name: `${P} mine` },
			{ key: 'o', team: 'other', name: `${P} other` },
		],
	});
	const u = makeUser({ teams: [data.teams.mine.name] });
	const { jar } = await signIn(u.email, u.password);
	const client = new FcgiClient(w.sock, jar);
	const uri = `/?q=${encodeURIComponent(P)}`;

	let v = await warm(w, client, uri);
	assert.deepEqual(v.list.rows.map((r) => r.name), [`${P} mine`]);
	psql(`INSERT INTO connection_shares (connection_id, team_id, permission)
	    VALUES (${data.connections.o.id}, ${data.teams.mine.id}, 'use')`);
	v = await view(w, client, uri);
	assert.deepEqual(v.list.rows.map((r) => r.name).sort(), [`${P} mine`, `${P} other`],
	    'a connection shared with my team appears');

	await warm(w, client, uri);
	psql(`DELETE FROM connection_shares WHERE connection_id = ${data.connections.o.id}`);
	v = await view(w, client, uri);
	assert.deepEqual(v.list.rows.map((r) => r.name), [`${P} mine`], 'an ended share: gone');

	await warm(w, client, uri);
	psql(`DELETE FROM team_members WHERE user_id = ${u.id}`);
	v = await view(w, client, uri);
	assert.deepEqual(v.list.rows, [], 'out of the team: nothing of it is shown');
});

test('the user and the session are checked every time, never taken from a copy', async () => {
	const { w, u, jar, client, uri } = await setup();
	await warm(w, client, uri);
	psql(`UPDATE users SET name = 'Renamed Admin' WHERE id = ${u.id}`);
	let v = await view(w, client, uri);
	assert.equal(v.copy, false, 'a renamed user: rendered again');
	assert.match(v.r.text, /title="Renamed Admin · [^"]*@test.local"/, 'the header shows the new name');

	// A second session of the same user has its own page (its own CSRF token).
	const other = await signIn(u.email, u.password);
	const oc = new FcgiClient(w.sock, other.jar);
	const ov = await view(w, oc, uri);
	assert.equal(ov.copy, false, 'another session never gets this session\'s page');
	assert.notEqual(csrfFrom(ov.r.text), csrfFrom(v.r.text));

	// Signing out ends it: the old cookie gets the sign-in page, not the copy.
	v = await warm(w, client, uri);
	const stolen = jar.clone();
	const out = await client.post('/logout', { csrf: csrfFrom(v.r.text) });
	assert.equal(out.status, 303);
	const after = await new FcgiClient(w.sock, stolen).get(uri);
	assert.equal(after.status, 302, 'a signed-out session is not served the kept page');
	assert.match(after.headers.get('location') ?? '', /^\/login/);

	// A disabled user likewise.
	await warm(w, oc, uri);
	psql(`UPDATE users SET disabled = true WHERE id = ${u.id}`);
	const gone = await oc.get(uri);
	assert.equal(gone.status, 302, 'a disabled user is not served the kept page');
});

test('a message is shown every time and never kept; list.cache_pages = 0 keeps nothing', async () => {
	const { w, client, uri } = await setup();
	for (let i = 0; i < 2; i++) {
		const v = await view(w, client, `${uri}&connector=no-such-connector`);
		assert.equal(v.copy, false, `view ${i + 1} with a bad filter is rendered`);
		assert.match(v.list.flash ?? '', /connector does not exist/i);
	}

	const off = await startWorker(cleanups, { 'list.cache_pages': '0' });
	const u = makeUser({ admin: true });
	const { jar } = await signIn(u.email, u.password);
	const c = new FcgiClient(off.sock, jar);
	for (let i = 0; i < 3; i++)
		assert.equal((await view(off, c, uri)).copy, false, 'no page is kept when turned off');
});

test('the list version moves once per committed change, never for a rolled-back one', () => {
	const P = uniq('lcv');
	seed(P, { teams: ['t'], connections: [
		{ key: 'a', team: 't', name: `${P} a` }, { key: 'b', team: 't', name: `${P} b` },
	] });
	const like = sqlString(`${P} %`);
	let before = listVersion();
	psql(`UPDATE connections SET name = name WHERE name LIKE ${like}`);
	assert.equal(listVersion(), before + 1, 'two rows in one transaction: one step');

	// One database session, as a worker has: each of its transactions counts.
	before = listVersion();
	psql(`BEGIN; UPDATE connections SET name = name WHERE name LIKE ${like}; COMMIT;
	    BEGIN; UPDATE connections SET name = name WHERE name LIKE ${like}; COMMIT;
	    UPDATE connections SET name = name WHERE name LIKE ${like};`, { single: false });
	assert.equal(listVersion(), before + 3, 'three transactions in one session: three steps');

	before = listVersion();
	psql(`BEGIN; UPDATE connections SET status = 'failing' WHERE name LIKE ${like}; ROLLBACK;`,
	    { single: false });
	assert.equal(listVersion(), before, 'a rolled-back change leaves it');

	before = listVersion();
	psql(`UPDATE sessions SET last_seen_at = last_seen_at WHERE false;
	    INSERT INTO audit_log (actor_label, object_type, action, outcome)
	    VALUES ('list-cache test', 'connection', 'viewed', 'success')`);
	assert.equal(listVersion(), before, 'tables the list does not show leave it');
});
