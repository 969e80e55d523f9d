// Sharing: a manager shares a connection
// with another team for `use` or `manage`, revokes the share, transfers
// ownership to another team they manage (refused otherwise, and refused
// when the name is taken there). What the other team's viewer, member and
// manager may then do follows the share capped by their role; the
// Integrations list shows shared connections with their owner; every
// change of sharing leaves exactly one audit entry, refusals none.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startBasicStandin } from '../lib/lifecycle/lc.mjs';
import { parseList } from '../lib/list.mjs';
import {
	assertEntry, assertSame404, auditMark, auditSince, buttonsOf, httpBasic, missingId, ownerOf,
	sharesOf, sharing, signedInUser,
} from '../lib/roles/world.mjs';
import { get, makeTeam, pageText, post, psqlValue, uniq } from '../lib/stack.mjs';

const PASSWORD = `pw-${uniq('s')}`;

let standin;
let A, B, T2, D;	// owner team, the team it is shared with, two more teams the manager manages
let mgr, mgr2, memberA, memberB, viewerB, mgrB;
let X;			// the connection
let name;
let missing;

before(async () => {
	standin = await startBasicStandin({ user: 'svc', password: PASSWORD });
	A = makeTeam(uniq('share-a'));
	B = makeTeam(uniq('share-b'));
	T2 = makeTeam(uniq('share-t2'));
	D = makeTeam(uniq('share-d'));
	mgr = await signedInUser({ teams: [{ name: A.name, role: 'manager' }, { name: T2.name, role: 'manager' },
		{ name: D.name, role: 'manager' }] });
	mgr2 = await signedInUser({ teams: [{ name: A.name, role: 'manager' }] });
	memberA = await signedInUser({ teams: [{ name: A.name, role: 'member' }] });
	memberB = await signedInUser({ teams: [{ name: B.name, role: 'member' }] });
	viewerB = await signedInUser({ teams: [{ name: B.name, role: 'viewer' }] });
	mgrB = await signedInUser({ teams: [{ name: B.name, role: 'manager' }] });
	name = uniq('Shared API');
	X = await httpBasic(mgr.jar, A, { url: standin.url, password: PASSWORD, name });
	missing = missingId();
});

after(async () => {
	await standin?.close();
});

const rid = (r) => r.res.headers.get('x-request-id');

/** The row of X on the Integrations tab of a user (searching its name), or undefined. */
async function listed(u) {
	const r = await get(`/?q=${encodeURIComponent(name)}`, u.jar);
	assert.equal(r.status, 200);
	return parseList(r.text).rows.find((row) => Number(row.id) === X);
}

async function testAs(u) {
	const before = standin.requests.length;
	const r = await post(`/connections/${X}/test`, { csrf: u.csrf }, u.jar);
	return { status: r.status, outbound: standin.requests.length - before };
}

describe('share, upgrade, revoke', () => {
	test('before: team B sees nothing of the connection', async () => {
		assertSame404(await get(`/connections/${X}`, memberB.jar), await get(`/connections/${missing}`, memberB.jar),
		    'member of B, details');
		assert.equal(await listed(memberB), undefined, 'not on B\'s Integrations tab');
		assert.equal((await listed(memberA))?.team, A.name, 'on A\'s Integrations tab, owned by A');
	});

	test('share with B for use: one share row and exactly one audit entry', async () => {
		const mark = auditMark();
		const r = await sharing(mgr, X, { action: 'share', team: B.id, permission: 'use' });
		assert.equal(r.status, 303, pageText(r.res.text).slice(0, 300));
		assert.equal(r.res.headers.get('location'), `/connections/${X}/sharing`);
		assert.equal(r.flash?.kind, 'success');
		assert.deepEqual(sharesOf(X), { [B.id]: 'use' });
		assert.equal(psqlValue(`SELECT created_by FROM connection_shares WHERE connection_id = ${X}`), mgr.id,
		    'who shared it');
		const entries = auditSince(mark);
		assert.equal(entries.length, 1, JSON.stringify(entries));
		assertEntry(entries[0], { actorId: mgr.id, actor: mgr.email, teamId: A.id, type: 'connection',
			objectId: X, object: name, action: 'connection_share', outcome: 'success', client: '127.0.0.1',
			requestId: rid(r), details: { team_id: Number(B.id), permission: 'use' } }, 'share');
		const page = await get(`/connections/${X}/sharing`, mgr.jar);
		const row = new RegExp(`<th scope="row">${B.name}</th>\\s*<td data-label="Permission">[\\s\\S]*?Use`);
		assert.match(page.text, row, 'the Sharing tab lists B with Use');
	});

	test('use: B\'s member and manager see and test it, with the owner on the list; nobody of B edits it', async () => {
		const row = await listed(memberB);
		assert.ok(row, 'on B\'s Integrations tab');
		assert.equal(row.team, A.name, 'with its owner team');
		for (const [who, u] of [['member of B', memberB], ['manager of B', mgrB]]) {
			const d = await get(`/connections/${X}`, u.jar);
			assert.equal(d.status, 200, who);
			assert.deepEqual(Object.fromEntries(Object.entries(buttonsOf(d.text, X))
			    .filter(([k]) => ['test', 'edit', 'delete', 'share'].includes(k))),
			{ test: true, edit: false, delete: false, share: false }, `${who}: only Test`);
			assert.deepEqual(await testAs(u), { status: 303, outbound: 1 }, `${who}: tests it`);
			assert.equal((await get(`/connections/${X}/edit`, u.jar)).status, 403, `${who}: edit`);
			assert.equal((await post(`/connections/${X}/delete`, { csrf: u.csrf, confirm: 'yes' }, u.jar)).status, 403,
			    `${who}: delete`);
			assert.equal((await sharing(u, X, { action: 'share', team: B.id, permission: 'manage' })).status, 403,
			    `${who}: upgrade its own share`);
		}
		const v = await get(`/connections/${X}`, viewerB.jar);
		assert.equal(v.status, 200, 'the viewer of B sees it');
		assert.equal(buttonsOf(v.text, X).test, false, 'the viewer of B has no Test button');
		assert.deepEqual(await testAs(viewerB), { status: 403, outbound: 0 }, 'the viewer of B may not test');
		assert.deepEqual(sharesOf(X), { [B.id]: 'use' }, 'the share is as it was');
	});

	test('upgrade to manage: one audit entry; B\'s manager edits, B\'s member still only tests', async () => {
		const mark = auditMark();
		const r = await sharing(mgr, X, { action: 'share', team: B.id, permission: 'manage' });
		assert.equal(r.status, 303);
		assert.deepEqual(sharesOf(X), { [B.id]: 'manage' });
		const entries = auditSince(mark);
		assert.equal(entries.length, 1, JSON.stringify(entries));
		assertEntry(entries[0], { actorId: mgr.id, teamId: A.id, objectId: X, action: 'connection_share',
			outcome: 'success', requestId: rid(r), details: { team_id: Number(B.id), permission: 'manage' } },
		'upgrade');
		assert.equal((await get(`/connections/${X}/edit`, mgrB.jar)).status, 200, 'B\'s manager edits');
		assert.equal((await get(`/connections/${X}/edit`, memberB.jar)).status, 403, 'B\'s member: capped at use');
		assert.deepEqual(await testAs(viewerB), { status: 403, outbound: 0 }, 'B\'s viewer: capped at view');
		const form = await get(`/connections/${X}/edit?confirm=1`, mgrB.jar);
		const version = /name="version" value="([0-9]+)"/.exec(form.text)[1];
		const m2 = auditMark();
		const e = await post(`/connections/${X}/edit`, { csrf: mgrB.csrf, name, description: 'edited by B',
			version, 'f.url': standin.url, 'f.test_path': '/health', 'f.test_status': '200', 'f.username': 'svc',
			'f.password': '' }, mgrB.jar);
		assert.equal(e.status, 303, pageText(e.text).slice(0, 300));
		assert.equal(psqlValue(`SELECT description FROM connections WHERE id = ${X}`), 'edited by B');
		const edits = auditSince(m2, "a.action = 'connection_edit'");
		assert.equal(edits.length, 1);
		assertEntry(edits[0], { actorId: mgrB.id, teamId: A.id, objectId: X, details: { fields: ['description'] } },
		    'edit through the share');
		assert.equal(ownerOf(X), A.id, 'still A\'s');
	});

	test('revoke: one audit entry; B gets the 404 of a missing connection again', async () => {
		const mark = auditMark();
		const r = await sharing(mgr, X, { action: 'revoke', team: B.id });
		assert.equal(r.status, 303, pageText(r.res.text).slice(0, 300));
		assert.deepEqual(sharesOf(X), {});
		const entries = auditSince(mark);
		assert.equal(entries.length, 1, JSON.stringify(entries));
		assertEntry(entries[0], { actorId: mgr.id, actor: mgr.email, teamId: A.id, type: 'connection', objectId: X,
			object: name, action: 'connection_unshare', outcome: 'success', client: '127.0.0.1',
			requestId: rid(r), details: { team_id: Number(B.id) } }, 'revoke');
		for (const [who, u] of [['member of B', memberB], ['manager of B', mgrB], ['viewer of B', viewerB]]) {
			assertSame404(await get(`/connections/${X}`, u.jar), await get(`/connections/${missing}`, u.jar), who);
			assertSame404(await post(`/connections/${X}/test`, { csrf: u.csrf }, u.jar),
			    await post(`/connections/${missing}/test`, { csrf: u.csrf }, u.jar), `${who}: test`);
		}
		assert.equal(await listed(memberB), undefined, 'gone from B\'s Integrations tab');
		const again = await sharing(mgr, X, { action: 'revoke', team: B.id });
		assert.equal(again.status, 422, 'revoking what is not shared: nothing changed');
		assert.deepEqual(auditSince(mark + 0, `a.id > ${entries[0].id}`), [], 'and nothing audited');
	});

	test('refused shares change nothing and are not audited as changes', async () => {
		const mark = auditMark();
		for (const [form, status, what] of [
			[{ action: 'share', team: A.id, permission: 'use' }, 422, 'the owner team'],
			[{ action: 'share', team: B.id, permission: 'admin' }, 422, 'an unknown permission'],
			[{ action: 'share', team: B.id }, 422, 'no permission'],
			[{ action: 'share', team: String(missingId('teams')), permission: 'use' }, 422, 'a team that does not exist'],
			[{ action: 'share', team: 'B', permission: 'use' }, 400, 'a team that is not an id'],
			[{ action: 'share', permission: 'use' }, 400, 'no team'],
			[{ action: 'steal', team: B.id }, 400, 'an unknown action'],
		]) {
			const r = await sharing(mgr, X, form);
			assert.equal(r.status, status, `${what}: ${pageText(r.res.text).slice(0, 200)}`);
		}
		assert.deepEqual(sharesOf(X), {});
		assert.deepEqual(auditSince(mark), [], 'nothing audited');
	});
});

describe('transfer', () => {
	test('to a team the manager does not manage: 409, nothing changes, nothing audited', async () => {
		const mark = auditMark();
		const r = await sharing(mgr, X, { action: 'transfer', team: B.id });
		assert.equal(r.status, 409, pageText(r.res.text).slice(0, 300));
		assert.match(pageText(r.res.text), /transfer only to a team you manage/);
		assert.equal(ownerOf(X), A.id);
		assert.deepEqual(auditSince(mark), []);
		// The page offers only the teams they manage.
		const page = await get(`/connections/${X}/sharing`, mgr.jar);
		const sel = /id="f-transfer-team"[^>]*>([\s\S]*?)<\/select>/.exec(page.text);
		assert.ok(sel, 'the transfer form');
		const offered = [...sel[1].matchAll(/<option value="([0-9]+)"/g)].map((m) => m[1]).sort();
		assert.deepEqual(offered, [T2.id, D.id].sort(), 'transfer targets: the other teams they manage');
	});

	test('to its own owner team: 422, nothing changes', async () => {
		const mark = auditMark();
		const r = await sharing(mgr, X, { action: 'transfer', team: A.id });
		assert.equal(r.status, 422);
		assert.equal(ownerOf(X), A.id);
		assert.deepEqual(auditSince(mark), []);
	});

	test('to a team they manage where the name is taken (any case): 409, nothing changes', async () => {
		await httpBasic(mgr.jar, D, { url: standin.url, password: PASSWORD, name: name.toUpperCase() });
		const mark = auditMark();
		const version = psqlValue(`SELECT version FROM connections WHERE id = ${X}`);
		const r = await sharing(mgr, X, { action: 'transfer', team: D.id });
		assert.equal(r.status, 409, pageText(r.res.text).slice(0, 300));
		assert.equal(ownerOf(X), A.id);
		assert.equal(psqlValue(`SELECT version FROM connections WHERE id = ${X}`), version);
		assert.deepEqual(auditSince(mark), []);
	});

	test('by a member or by the manager of a shared team with use: refused', async () => {
		const s = await sharing(mgr, X, { action: 'share', team: B.id, permission: 'use' });
		assert.equal(s.status, 303);
		const mark = auditMark();
		assert.equal((await sharing(memberA, X, { action: 'transfer', team: T2.id })).status, 403, 'member of A');
		assert.equal((await sharing(mgrB, X, { action: 'transfer', team: B.id })).status, 403, 'manager of B (use)');
		assert.equal(ownerOf(X), A.id);
		assert.deepEqual(auditSince(mark), []);
	});

	test('to another team they manage: the owner changes, a share with that team goes, one audit entry', async () => {
		const s = await sharing(mgr, X, { action: 'share', team: T2.id, permission: 'use' });
		assert.equal(s.status, 303);
		assert.deepEqual(sharesOf(X), { [B.id]: 'use', [T2.id]: 'use' });
		const version = Number(psqlValue(`SELECT version FROM connections WHERE id = ${X}`));
		const mark = auditMark();
		const r = await sharing(mgr, X, { action: 'transfer', team: T2.id });
		assert.equal(r.status, 303, pageText(r.res.text).slice(0, 300));
		assert.equal(r.flash?.kind, 'success');
		assert.equal(ownerOf(X), T2.id);
		assert.equal(Number(psqlValue(`SELECT version FROM connections WHERE id = ${X}`)), version + 1);
		assert.deepEqual(sharesOf(X), { [B.id]: 'use' }, 'the new owner\'s share is gone, B keeps its own');
		const entries = auditSince(mark);
		assert.equal(entries.length, 1, JSON.stringify(entries));
		assertEntry(entries[0], { actorId: mgr.id, actor: mgr.email, type: 'connection', objectId: X, object: name,
			action: 'connection_transfer', outcome: 'success', client: '127.0.0.1', requestId: rid(r),
			details: { team_id: Number(T2.id) } }, 'transfer');
		assert.ok([A.id, T2.id].includes(entries[0].teamId), `the entry names a team: ${entries[0].teamId}`);
		// Team A lost it: its member gets the 404 of a missing connection.
		assertSame404(await get(`/connections/${X}`, memberA.jar), await get(`/connections/${missing}`, memberA.jar),
		    'member of A after the transfer');
		const d = await get(`/connections/${X}`, mgr.jar);
		assert.match(pageText(d.text), new RegExp(`Owner team ${T2.name}`), 'the page names the new owner');
		assert.equal((await listed(memberB))?.team, T2.name, 'B sees it, owned by T2');
	});

	test('the transfer is in the audit log of the team that lost the connection', async () => {
		// mgr2 manages A only: the transfer took A's connection away.
		const r = await get(`/audit?connection=${X}&action=connection_transfer`, mgr2.jar);
		assert.equal(r.status, 200);
		assert.ok(/<code class="audit-key">connection_transfer<\/code>/.test(r.text),
		    'a manager of the old owner team sees who transferred it, and where');
	});

	test('a manage share does not let the other team take the connection away (transfer)', async () => {
		// "Manage" is: see, use in flows, test, edit and reconnect (the Sharing tab says so).
		const zName = uniq('Kept API');
		const Z = await httpBasic(mgr.jar, A, { url: standin.url, password: PASSWORD, name: zName });
		assert.equal((await sharing(mgr, Z, { action: 'share', team: B.id, permission: 'manage' })).status, 303);
		const mark = auditMark();
		const r = await sharing(mgrB, Z, { action: 'transfer', team: B.id });
		assert.ok([403, 409].includes(r.status), `the manager of B transferring A's connection to B: ${r.status}`);
		assert.equal(ownerOf(Z), A.id, 'still team A\'s');
		assert.equal((await get(`/connections/${Z}`, mgr2.jar)).status, 200, 'A\'s managers keep it');
		assert.deepEqual(auditSince(mark, "a.action = 'connection_transfer'"), []);
	});
});

