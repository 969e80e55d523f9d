// A connection's Details and Related tabs are kept by the worker that wrote
// them (issue 15, src/listcache.c): a view is answered from the copy only
// when every value its reads returned is the same as when it was written
// (db_batch_print), for the same session, with no message to show. A kept
// page must be the very page a fresh render gives (but for the request id
// and a fresh one-time token), and any change it shows must show on the
// next view. One worker of the test's own, and one with nothing kept
// (list.cache_pages = 0) to compare with.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { FcgiClient } from '../lib/fcgi.mjs';
import { accessLine } from '../lib/kept.mjs';
import { seed } from '../lib/list.mjs';
import { csrfFrom, makeUser, psql, psqlValue, signIn, uniq } from '../lib/stack.mjs';
import { startWorker } from '../lib/worker.mjs';

const cleanups = [];
after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

const onceOf = (html) => /name="once" value="([^"]+)"/.exec(html)?.[1];

/** GET uri on w: { status, text, csp, kept } (kept: answered from the copy). */
async function view(w, client, uri) {
	const r = await client.get(uri);
	const line = await accessLine(w, r);
	return { status: r.status, text: r.text, csp: r.headers.get('content-security-policy'),
	    kept: / note=list copy\b/.test(line) };
}

/** The page with what differs between two requests of one session taken out. */
function normal(html) {
	return html.replace(/[0-9a-f]{16}/g, 'RID').replace(/name="once" value="[^"]+"/g, 'ONCE');
}

/** A check of tabs on worker w (client), compared with a worker that keeps
 * nothing (other): keptAndSame(what, changed) views each tab twice; each
 * view is the page that worker writes, the second the kept copy; those in
 * `changed` (all at first) show a change: their first view is written
 * afresh. */
function keptChecker(w, client, other, tabs) {
	return async function keptAndSame(what, changed = tabs) {
		for (const uri of tabs) {
			const first = await view(w, client, uri);
			assert.equal(first.status, 200, `${what}: ${uri}`);
			if (changed.includes(uri))
				assert.equal(first.kept, false, `${what}: ${uri} is written afresh`);
			assert.equal(normal(first.text), normal((await other.get(uri)).text),
			    `${what}: ${uri} as a worker that keeps nothing writes it`);
			const again = await view(w, client, uri);
			assert.equal(again.kept, true, `${what}: ${uri} again is the kept copy`);
			assert.equal(normal(again.text), normal(first.text), `${what}: ${uri} kept as written`);
			assert.equal(normal(again.text), normal((await other.get(uri)).text),
			    `${what}: ${uri} as a worker that keeps nothing writes it`);
			// A manager's Test button carries a one-time token: the kept
			// copy carries this request's, not the one it was written with.
			const a = onceOf(first.text), b = onceOf(again.text);
			if (what === 'at first' && uri === tabs[0])
				assert.ok(a, 'a manager\'s Test button carries a one-time token');
			assert.equal(b === undefined, a === undefined);
			if (a !== undefined)
				assert.notEqual(b, a, `${what}: ${uri}: a fresh one-time token`);
		}
	};
}

test('Details and Related: kept while their reads say the same, written again on any change', async () => {
	const w = await startWorker(cleanups);
	const fresh = await startWorker(cleanups, { 'list.cache_pages': '0' });
	const P = uniq('kt');
	const data = seed(P, {
		teams: ['a', 'b'],
		connections: [{ key: 'x', team: 'a', name: `${P} x`, status: 'ok', testedAgo: '1 hour',
		    flows: 1 }],
	});
	const x = data.connections.x.id;
	const u = makeUser({ teams: [{ name: data.teams.a.name, role: 'manager' }] });
	const { jar } = await signIn(u.email, u.password);
	const client = new FcgiClient(w.sock, jar);
	const other = new FcgiClient(fresh.sock, jar);
	const tabs = [`/connections/${x}`, `/connections/${x}/related`, `/connections/${x}/related?sort=-name`];

	const keptAndSame = keptChecker(w, client, other, tabs);
	await keptAndSame('at first');

	// Every kind of change a tab shows: its next view is written afresh.
	// (Which tabs show it: the header every tab has, Details' own parts,
	// Related's flows.)
	const details = [tabs[0]], all = tabs;
	const changes = [
		['a test result', `WITH t AS (INSERT INTO connection_tests (connection_id, trigger, result,
		    latency_ms, message) VALUES (${x}, 'manual', 'failing', 12, 'refused') RETURNING id)
		    UPDATE connections SET status = 'failing', last_tested_at = now(),
		    last_test_result = 'failing' WHERE id = ${x}`, all],
		['a rename', `UPDATE connections SET name = '${P} x2' WHERE id = ${x}`, all],
		['the engine reads the credentials', `INSERT INTO credential_uses (connection_id, flow_id, outcome)
		    SELECT ${x}, fc.flow_id, 'issued' FROM flow_connections fc WHERE fc.connection_id = ${x}`,
		    details],
		['a flow renamed', `UPDATE flows SET name = name || '-r' WHERE id IN
		    (SELECT flow_id FROM flow_connections WHERE connection_id = ${x})`, all],
		['the user\'s role changes', `UPDATE team_members SET role = 'viewer'
		    WHERE user_id = ${u.id} AND team_id = ${data.teams.a.id}`, all],
		['a share with another team', `INSERT INTO connection_shares (connection_id, team_id, permission)
		    VALUES (${x}, ${data.teams.b.id}, 'use')`, []],
	];
	for (const [what, sql, changed] of changes) {
		psql(sql);
		await keptAndSame(`after ${what}`, changed);
	}

	// The Test button of a kept copy works, once: its token is this
	// request's. Then a message to show: written afresh, not kept.
	psql(`UPDATE team_members SET role = 'manager' WHERE user_id = ${u.id}`);
	await view(w, client, tabs[0]);
	const kept = await view(w, client, tabs[0]);
	assert.equal(kept.kept, true);
	const tests = () => Number(psqlValue(`SELECT count(*) FROM connection_tests
	    WHERE connection_id = ${x}`));
	const n = tests();
	const form = { csrf: csrfFrom(kept.text), once: onceOf(kept.text) };
	const ran = await client.post(`/connections/${x}/test`, form);
	assert.ok([302, 303].includes(ran.status), `Test: ${ran.status}`);
	for (let i = 0; i < 100 && tests() === n; i++)
		await new Promise((res) => setTimeout(res, 50));
	assert.equal(tests(), n + 1, 'the kept copy\'s Test ran the test');
	await client.post(`/connections/${x}/test`, form);
	await new Promise((res) => setTimeout(res, 300));
	assert.equal(tests(), n + 1, 'and its token works once');
	const flashed = await view(w, client, tabs[0]);
	assert.equal(flashed.kept, false, 'a page with a message is written afresh');
});

test('a kept tab is written again when anything it shows outside the connection\'s row moves (its stamp, sql/035)', async () => {
	const w = await startWorker(cleanups);
	const fresh = await startWorker(cleanups, { 'list.cache_pages': '0' });
	const P = uniq('ks');
	const data = seed(P, {
		teams: ['a', 'b'],
		connections: [
			{ key: 'y', team: 'a', name: `${P} y`, protocol: 'bearer', status: 'ok',
			    testedAgo: '1 hour', flows: 1 },
			{ key: 'z', team: 'a', name: `${P} z`, protocol: 'bearer', status: 'not_testable' },
		],
	});
	const y = data.connections.y.id, z = data.connections.z.id;
	psql(`UPDATE connections SET execution_context = 'per_user' WHERE id = ${z}`);
	const u = makeUser({ teams: [{ name: data.teams.a.name, role: 'manager' }] });
	const author = makeUser({});
	const colleague = makeUser({});
	const { jar } = await signIn(u.email, u.password);
	const client = new FcgiClient(w.sock, jar);
	const other = new FcgiClient(fresh.sock, jar);
	const details = [`/connections/${y}`], related = [`/connections/${y}/related`];
	const perUser = [`/connections/${z}`];
	const tabs = [...details, ...related, ...perUser];
	const keptAndSame = keptChecker(w, client, other, tabs);
	await keptAndSame('at first');

	// Not one of these touches the connection's own row.
	const changes = [
		['a test recorded', `INSERT INTO connection_tests (connection_id, trigger, result,
		    latency_ms, message) VALUES (${y}, 'manual', 'failing', 12, 'refused')`, details],
		['a status change recorded', `INSERT INTO connection_status_changes (connection_id,
		    from_status, to_status, reason, trigger) VALUES (${y}, 'ok', 'failing', 'refused', 'manual')`,
		    details],
		['a secret stored', `INSERT INTO connection_secrets (connection_id, field, key_version,
		    nonce, ciphertext) VALUES (${y}, 'token', (SELECT max(version) FROM vault_keys),
		    '\\x00', '\\x00')`, details],
		['its expiry set', `UPDATE connection_secrets SET expires_on = current_date + 40
		    WHERE connection_id = ${y}`, details],
		['a version recorded', `INSERT INTO connection_versions (connection_id, version,
		    changed_fields, changed_by) VALUES (${y}, 2, '{description}', ${author.id})`, details],
		['its author\'s new email', `UPDATE users SET email = 'renamed-' || email
		    WHERE id = ${author.id}`, details],
		['the engine reads the credentials', `INSERT INTO credential_uses (connection_id, flow_id,
		    outcome) SELECT ${y}, fc.flow_id, 'issued' FROM flow_connections fc
		    WHERE fc.connection_id = ${y}`, details],
		['a flow\'s status', `UPDATE flows SET status = 'inactive' WHERE id IN
		    (SELECT flow_id FROM flow_connections WHERE connection_id = ${y})`, [...details, ...related]],
		['a colleague joins the per-user connection\'s team', `INSERT INTO team_members
		    (team_id, user_id, role) VALUES (${data.teams.a.id}, ${colleague.id}, 'member')`, perUser],
		['the colleague stores their own secret', `INSERT INTO user_connection_secrets
		    (connection_id, user_id, field, key_version, nonce, ciphertext) VALUES (${z},
		    ${colleague.id}, 'token', (SELECT max(version) FROM vault_keys), '\\x00', '\\x00')`,
		    perUser],
		['their own status', `INSERT INTO user_connection_states (connection_id, user_id, status)
		    VALUES (${z}, ${colleague.id}, 'failing')`, perUser],
		['the colleague leaves', `DELETE FROM team_members WHERE user_id = ${colleague.id}`, perUser],
		['a share with a team the colleague is in', `INSERT INTO team_members (team_id, user_id, role)
		    VALUES (${data.teams.b.id}, ${colleague.id}, 'member');
		    INSERT INTO connection_shares (connection_id, team_id, permission)
		    VALUES (${z}, ${data.teams.b.id}, 'use')`, perUser],
		// What the header shows from other rows (each tab's).
		['the owner team renamed', `UPDATE teams SET name = name || '-r' WHERE id = ${data.teams.a.id}`,
		    tabs],
		['its creator', `UPDATE connections SET created_by = ${author.id} WHERE id = ${y}`,
		    [...details, ...related]],
		['its creator\'s new email', `UPDATE users SET email = 'again-' || email
		    WHERE id = ${author.id}`, [...details, ...related]],
		['a named credential', `INSERT INTO named_credentials (owner_team_id, name, auth_protocol)
		    VALUES (${data.teams.a.id}, '${P}-nc', 'bearer');
		    UPDATE connections SET named_credential_id = (SELECT id FROM named_credentials
		    WHERE name = '${P}-nc') WHERE id = ${y}`, [...details, ...related]],
		['the named credential renamed', `UPDATE named_credentials SET name = '${P}-nc2'
		    WHERE name = '${P}-nc'`, [...details, ...related]],
		['the user made viewer', `UPDATE team_members SET role = 'viewer' WHERE user_id = ${u.id}`,
		    tabs],
	];
	for (const [what, sql, changed] of changes) {
		psql(sql);
		await keptAndSame(`after ${what}`, changed);
	}
	// The engine's reads of the last 30 days: one that ages out moves the
	// count, with nothing written.
	psql(`DELETE FROM credential_uses WHERE connection_id = ${y};
	    INSERT INTO credential_uses (connection_id, outcome, at) VALUES
	    (${y}, 'issued', now() - interval '29 days 23 hours 59 minutes 58 seconds'),
	    (${y}, 'issued', now() - interval '1 day')`);
	await keptAndSame('two reads, one about to age out', details);
	assert.match((await view(w, client, details[0])).text, /2 credential reads in 30 days/);
	await new Promise((res) => setTimeout(res, 2500));
	await keptAndSame('after it aged out', details);
	assert.match((await view(w, client, details[0])).text, /1 credential read in 30 days/);
});

test('an OAuth connection\'s account is among the kept Details\' inputs; an uplinked one is written every time', async () => {
	const w = await startWorker(cleanups);
	const P = uniq('ko');
	const data = seed(P, {
		teams: ['a'],
		connections: [
			{ key: 'o', team: 'a', name: `${P} o`, connector: 'salesforce', protocol: 'oauth2_code',
			    status: 'ok', testedAgo: '1 hour' },
			{ key: 'u', team: 'a', name: `${P} u`, status: 'ok', testedAgo: '1 hour' },
		],
	});
	const u = makeUser({ admin: true });
	const { jar } = await signIn(u.email, u.password);
	const client = new FcgiClient(w.sock, jar);
	psql(`UPDATE connections SET settings = '{"instance_url": "https://acme.my.salesforce.com",
	    "login_url": "https://login.salesforce.com", "client_id": "id-1"}' WHERE id = ${data.connections.o.id}`);
	const o = `/connections/${data.connections.o.id}`;
	const fresh = await view(w, client, o);
	assert.equal(fresh.status, 200);
	assert.match(fresh.csp, /form-action 'self' https:\/\/login\.salesforce\.com/,
	    'Connect\'s form may go to the provider');
	const kept = await view(w, client, o);
	assert.equal(kept.kept, true, 'OAuth Details kept');
	assert.equal(kept.csp, fresh.csp, 'the kept copy\'s CSP lets Connect go to the provider too');
	// Related's header has the same Reconnect form.
	const related = await view(w, client, `${o}/related`);
	assert.equal(related.csp, fresh.csp, 'Related\'s Reconnect may go to the provider');
	const relatedKept = await view(w, client, `${o}/related`);
	assert.equal(relatedKept.kept, true, 'OAuth Related kept');
	assert.equal(relatedKept.csp, fresh.csp, 'and its kept copy\'s too');
	psql(`UPDATE connections SET identity_account = '00D0000000000AB' WHERE id = ${data.connections.o.id}`);
	const now = await view(w, client, o);
	assert.equal(now.kept, false, 'a new account: written afresh');
	assert.match(now.text, /00D0000000000AB/);
	// An uplink's addresses are read apart from the tab's reads: never kept.
	psql(`INSERT INTO uplinks (name, proxy_url) VALUES ('${P}-up', 'http://127.0.0.1:9');
	    UPDATE connections SET uplink_id = (SELECT id FROM uplinks WHERE name = '${P}-up')
	    WHERE id = ${data.connections.u.id}`);
	const up = `/connections/${data.connections.u.id}`;
	assert.equal((await view(w, client, up)).status, 200);
	assert.equal((await view(w, client, up)).kept, false, 'an uplinked connection: written every time');
	psql(`UPDATE connections SET uplink_id = NULL WHERE id = ${data.connections.u.id};
	    DELETE FROM uplinks WHERE name = '${P}-up'`);
});
