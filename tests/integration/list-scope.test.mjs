// Kept Integrations pages by visibility scope (sql/032_list_scope_versions.sql):
// a team member's kept page depends only on what they may see, so a change
// in a team they have nothing to do with leaves it kept, and every change
// within what they see shows on the very next view. Each test drives one
// worker of its own (tether-fcgi -f), as list-cache.test.mjs does; the
// access log's "note=list copy" tells a kept page from a fresh one.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { FcgiClient } from '../lib/fcgi.mjs';
import { keptView as view, warmKept as warm } from '../lib/kept.mjs';
import { seed } from '../lib/list.mjs';
import { makeUser, psql, psqlValue, signIn, sqlString, uniq } from '../lib/stack.mjs';
import { startWorker } from '../lib/worker.mjs';

const cleanups = [];
after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

const names = (v) => v.list.rows.map((r) => r.name).sort();
const rowNamed = (v, name) => v.list.rows.find((r) => r.name === name);

/** Teams mine, other, far; a member of "mine" signed in on a worker of its own. */
async function setup() {
	const w = await startWorker(cleanups);
	const P = uniq('ls');
	const data = seed(P, {
		teams: ['mine', 'other', 'far'],
		connections: [
			{ key: 'm', team: 'mine', name: `${P} mine`, status: 'ok', testedAgo: '2 days' },
			{ key: 's', team: 'other', name: `${P} shared`, status: 'ok', testedAgo: '2 days' },
			{ key: 'o', team: 'other', name: `${P} other`, status: 'ok' },
			{ key: 'f', team: 'far', name: `${P} far`, status: 'ok' },
		],
		shares: [{ connection: 's', team: 'mine' }],
	});
	const u = makeUser({ teams: [data.teams.mine.name] });
	const { jar } = await signIn(u.email, u.password);
	// The search keeps the view to this test's rows; the page's health
	// summary and team options still depend on everything the member sees.
	return { w, P, data, u, client: new FcgiClient(w.sock, jar), uri: `/?q=${encodeURIComponent(P)}` };
}

test('a change a member cannot see leaves their kept page kept', async () => {
	const { w, P, data, client, uri } = await setup();
	let v = await warm(w, client, uri);
	assert.deepEqual(names(v), [`${P} mine`, `${P} shared`]);
	const before = Number(psqlValue('SELECT v FROM list_version'));
	psql(`UPDATE connections SET status = 'failing', last_tested_at = now()
	    WHERE id IN (${data.connections.o.id}, ${data.connections.f.id})`);
	psql(`UPDATE teams SET name = name || '-r' WHERE id = ${data.teams.far.id}`);
	psql(`INSERT INTO connections (owner_team_id, name, connector, auth_protocol)
	    VALUES (${data.teams.far.id}, ${sqlString(`${P} far new`)}, 'http', 'none')`);
	assert.ok(Number(psqlValue('SELECT v FROM list_version')) > before,
	    'the changes moved the global list version');
	v = await view(w, client, uri);
	assert.equal(v.copy, true, 'changes in teams the member is not in: still the kept page');
	assert.deepEqual(names(v), [`${P} mine`, `${P} shared`]);
});

test('every change within what a member sees shows on the very next view', async () => {
	const { w, P, data, u, client, uri } = await setup();
	const { m, s, o } = data.connections;
	const changes = [
		['their own team\'s connection fails',
		    `UPDATE connections SET status = 'failing' WHERE id = ${m.id}`,
		    (v) => assert.match(rowNamed(v, `${P} mine`).status, /Failing/)],
		['a connection shared with them is tested',
		    `UPDATE connections SET status = 'needs_reconnect',
		     last_tested_at = '2026-01-02 03:04:00+00' WHERE id = ${s.id}`,
		    (v) => {
			    assert.match(rowNamed(v, `${P} shared`).status, /Needs reconnect/);
			    assert.match(rowNamed(v, `${P} shared`).lastTested, /2026-01-02 03:04/);
		    }],
		['the owner team of a shared connection is renamed',
		    `UPDATE teams SET name = ${sqlString(`${P}-other-renamed`)} WHERE id = ${data.teams.other.id}`,
		    (v) => assert.equal(rowNamed(v, `${P} shared`).team, `${P}-other-renamed`)],
		['a flow starts using a shared connection',
		    `WITH f AS (INSERT INTO flows (name, status, owner) VALUES
		     (${sqlString(`${P}-flow`)}, 'active', 'tests') RETURNING id)
		     INSERT INTO flow_connections (flow_id, connection_id) SELECT id, ${s.id} FROM f`,
		    (v) => assert.equal(rowNamed(v, `${P} shared`).flows, 1)],
		['a connection is moved into their team',
		    `UPDATE connections SET owner_team_id = ${data.teams.mine.id} WHERE id = ${o.id}`,
		    (v) => assert.ok(rowNamed(v, `${P} other`), 'moved in: listed')],
		['a connection is moved out of their team',
		    `UPDATE connections SET owner_team_id = ${data.teams.far.id} WHERE id = ${m.id}`,
		    (v) => assert.equal(rowNamed(v, `${P} mine`), undefined, 'moved out: gone')],
		['they join a second team',
		    `INSERT INTO team_members (team_id, user_id, role) VALUES (${data.teams.far.id}, ${u.id}, 'viewer')`,
		    (v) => {
			    assert.ok(rowNamed(v, `${P} far`), 'the new team\'s connections');
			    assert.ok(v.list.form.options.team.some((o) => o.label === data.teams.far.name),
				'and the team in the team filter');
		    }],
		['their role in it changes',
		    `UPDATE team_members SET role = 'manager' WHERE team_id = ${data.teams.far.id} AND user_id = ${u.id}`,
		    (v) => assert.ok(rowNamed(v, `${P} far`))],
		['a connection of the second team is deleted',
		    `DELETE FROM connections WHERE id = ${data.connections.f.id}`,
		    (v) => assert.equal(rowNamed(v, `${P} far`), undefined)],
		['they leave it',
		    `DELETE FROM team_members WHERE team_id = ${data.teams.far.id} AND user_id = ${u.id}`,
		    (v) => {
			    assert.equal(rowNamed(v, `${P} mine`), undefined, 'the far team\'s rows are gone');
			    assert.ok(!v.list.form.options.team.some((o) => o.label === data.teams.far.name),
				'and the team from the team filter');
		    }],
		['a new connection in their team',
		    `INSERT INTO connections (owner_team_id, name, connector, auth_protocol)
		     VALUES (${data.teams.mine.id}, ${sqlString(`${P} new`)}, 'http', 'none')`,
		    (v) => assert.ok(rowNamed(v, `${P} new`))],
	];
	for (const [what, sql, check] of changes) {
		await warm(w, client, uri);
		psql(sql);
		const v = await view(w, client, uri);
		assert.equal(v.copy, false, `${what}: rendered again`);
		check(v);
	}
});

test('a member made manager gets New connection on the next view, and loses it with the role', async () => {
	// The session lookup reads the manager flag kept on the user's scope
	// row (sql/036), as memberships change.
	const { w, P, data, u, client, uri } = await setup();
	const canCreate = (v) => /New connection<\/a>/.test(v.r.text);
	let v = await warm(w, client, uri);
	assert.equal(canCreate(v), false, 'a member cannot create');
	psql(`UPDATE team_members SET role = 'manager' WHERE user_id = ${u.id}`);
	v = await view(w, client, uri);
	assert.equal(canCreate(v), true, 'a manager can, on the very next view');
	psql(`DELETE FROM team_members WHERE user_id = ${u.id};
	    INSERT INTO team_members (team_id, user_id, role) VALUES (${data.teams.far.id}, ${u.id}, 'viewer')`);
	v = await view(w, client, uri);
	assert.equal(canCreate(v), false, 'a viewer of another team cannot');
	assert.deepEqual(names(v), [`${P} far`], 'and sees that team\'s rows alone');
});

test('a team deleted in the same transaction as its last change commits cleanly', async () => {
	const P = uniq('lsd');
	const data = seed(P, { teams: ['gone'], connections: [{ key: 'g', team: 'gone', name: `${P} g` }] });
	psql(`BEGIN;
	    DELETE FROM connections WHERE id = ${data.connections.g.id};
	    DELETE FROM teams WHERE id = ${data.teams.gone.id};
	    COMMIT;`, { single: false });
	assert.equal(psqlValue(`SELECT count(*) FROM teams WHERE id = ${data.teams.gone.id}`), '0');
});

/** The health summary's numbers on a page: { failing, reconnect }. */
function healthOf(text) {
	const summary = /<section class="health-summary"[\s\S]*?<\/section>/.exec(text)?.[0] ?? '';
	const n = (cls) => Number((new RegExp(`${cls}"[^>]*><span[^>]*>([\\d,]+)`).exec(summary)?.[1] ?? '0')
	    .replace(/,/g, ''));
	return { failing: n('health-failing'), reconnect: n('health-reconnect') };
}

test('the health summary a worker keeps for a member moves with every change they could see', async () => {
	const { w, P, data, client, uri } = await setup();
	const { m, s, o } = data.connections;
	const views = [uri, `${uri}&sort=-name`, `${uri}&sort=tested`, `${uri}&sort=-tested`];
	let k = 0;
	/** A view not seen since the last change: rendered afresh, health kept or not. */
	const fresh = async () => {
		const v = await view(w, client, views[k++ % views.length]);
		return healthOf(v.r.text);
	};
	const before = await fresh();
	await fresh();	// read once, kept: the next views take it
	psql(`UPDATE connections SET status = 'failing' WHERE id = ${m.id}`);
	assert.equal((await fresh()).failing, before.failing + 1, 'their own team\'s failing connection');
	psql(`UPDATE connections SET status = 'needs_reconnect' WHERE id = ${s.id}`);
	assert.equal((await fresh()).reconnect, before.reconnect + 1, 'a shared one needing reconnect');
	psql(`UPDATE connections SET status = 'failing' WHERE id = ${o.id}`);
	const after = await fresh();
	assert.equal(after.failing, before.failing + 1, 'another team\'s failure is not theirs');
	psql(`UPDATE connections SET status = 'ok' WHERE id = ${m.id}`);
	assert.equal((await fresh()).failing, before.failing, 'back to ok');
});
