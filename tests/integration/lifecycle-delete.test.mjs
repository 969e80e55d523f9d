// Connection lifecycle, deleting: a
// confirmation page; refused while flows use the connection — the GET page
// and a POST (409) both list the flows, nothing is deleted and the refusal is
// audited; once no flow uses it, a confirmed POST is 303 to the Integrations
// tab with a "deleted" message, and the connection, its secrets, versions
// and tests are gone, with an audit entry that outlives them.

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import {
	auditRows, flashText, flowAdd, flowDetach, flowsTable, mustCreate, snapshot,
} from '../lib/lifecycle/lc.mjs';
import {
	csrfFrom, flashOf, get, makeUser, managerSession, pageText, post, psql, sessionCsrf,
	signIn, uniq,
} from '../lib/stack.mjs';

let s;

before(async () => {
	s = await managerSession();
});

async function jiraConn() {
	return mustCreate(s.jar, { connector: 'jira', protocol: 'server', name: uniq('Jira server'),
		fields: { url: 'https://jira.invalid', username: 'svc', password: `pw-${uniq('d')}` } });
}

/** Rows the connection owns, by table (0 everywhere once it is deleted). */
function owned(id) {
	const [r] = psql(`SELECT (SELECT count(*) FROM connections WHERE id = ${id}),
	    (SELECT count(*) FROM connection_secrets WHERE connection_id = ${id}),
	    (SELECT count(*) FROM connection_versions WHERE connection_id = ${id}),
	    (SELECT count(*) FROM connection_tests WHERE connection_id = ${id}),
	    (SELECT count(*) FROM flow_connections WHERE connection_id = ${id})`);
	const [c, sec, v, t, f] = r.map(Number);
	return { connections: c, secrets: sec, versions: v, tests: t, flows: f };
}

describe('Delete', () => {
	test('GET shows a confirmation page with a POST form (csrf, confirm=yes)', async () => {
		const c = await jiraConn();
		const r = await get(`/connections/${c.id}/delete`, s.jar);
		assert.equal(r.status, 200);
		assert.match(pageText(r.text), new RegExp(`Delete connection ${c.name} \\? This is permanent: its ` +
		    'settings, secrets and tokens are destroyed\\.'));
		const form = new RegExp(`<form class="form-actions" method="post" action="/connections/${c.id}/delete">` +
		    '<input type="hidden" name="csrf" value="[^"]+">\\s*<input type="hidden" name="confirm" value="yes">');
		assert.match(r.text, form);
		assert.deepEqual(flowsTable(r.text), []);
		assert.equal(owned(c.id).connections, 1, 'a GET deletes nothing');
	});

	test('refused while flows use it: the page and a POST (409) list the flows; nothing deleted', async () => {
		const c = await jiraConn();
		const f1 = flowAdd({ name: `Sync issues ${uniq('f')}`, version: 2, status: 'active', owner: 'PMO',
			connections: [c.id] });
		const f2 = flowAdd({ name: `Archive ${uniq('f')}`, version: 9, status: 'draft', owner: 'Records',
			connections: [c.id] });
		const expected = [
			{ id: f2.id, name: f2.name, version: '9', status: 'Draft', owner: 'Records' },
			{ id: f1.id, name: f1.name, version: '2', status: 'Active', owner: 'PMO' },
		];
		const page = await get(`/connections/${c.id}/delete`, s.jar);
		assert.equal(page.status, 200);
		assert.match(pageText(page.text), new RegExp(`This connection can't be deleted while flows use it ${c.name} ` +
		    'is used by 2 flows\\. Remove it from these flows first, then delete it\\.'));
		assert.deepEqual(flowsTable(page.text), expected);
		assert.ok(!/name="confirm"/.test(page.text), 'no delete form while in use');

		const before = snapshot(c.id);
		const csrf = await sessionCsrf(s.jar, `/connections/${c.id}`);
		const r = await post(`/connections/${c.id}/delete`, { csrf, confirm: 'yes' }, s.jar);
		assert.equal(r.status, 409);
		assert.deepEqual(flowsTable(r.text), expected);
		assert.equal(flashText(r.text), 'Nothing was deleted: flows use this connection.');
		const after = snapshot(c.id);
		delete before.audit;
		delete after.audit;
		assert.deepEqual(after, before, 'nothing deleted or changed');
		assert.deepEqual(owned(c.id), { connections: 1, secrets: 1, versions: 1, tests: 1, flows: 2 });
		const denied = auditRows(c.id, 'connection_delete', s.user.id);
		assert.deepEqual(denied.map((a) => [a.outcome, a.details]), [['denied', { reason: 'in use by flows' }]]);
	});

	test('a POST without confirm=yes is 422 and deletes nothing', async () => {
		const c = await jiraConn();
		const csrf = await sessionCsrf(s.jar, `/connections/${c.id}`);
		for (const body of [{ csrf }, { csrf, confirm: 'no' }]) {
			const r = await post(`/connections/${c.id}/delete`, body, s.jar);
			assert.equal(r.status, 422);
			assert.equal(flashText(r.text), 'Confirm the deletion to delete this connection.');
		}
		assert.equal(owned(c.id).connections, 1);
		assert.deepEqual(auditRows(c.id, 'connection_delete', s.user.id), []);
	});

	test('a member (not a manager) cannot delete: 403, nothing deleted', async () => {
		const c = await jiraConn();
		const m = makeUser({ teams: [{ name: s.team.name, role: 'member' }] });
		const { jar } = await signIn(m.email, m.password);
		assert.equal((await get(`/connections/${c.id}/delete`, jar)).status, 403);
		const csrf = await sessionCsrf(jar, `/connections/${c.id}`);
		const r = await post(`/connections/${c.id}/delete`, { csrf, confirm: 'yes' }, jar);
		assert.equal(r.status, 403);
		assert.equal(owned(c.id).connections, 1);
	});

	test('the flow removed, it is deleted: 303 to / with a message; secrets and all its rows gone; audited', async () => {
		const c = await jiraConn();
		const f = flowAdd({ name: `Sync ${uniq('f')}`, connections: [c.id] });
		let r = await get(`/connections/${c.id}/delete`, s.jar);
		assert.deepEqual(flowsTable(r.text).map((x) => x.id), [f.id]);
		flowDetach(f.id);
		r = await get(`/connections/${c.id}/delete`, s.jar);
		assert.equal(r.status, 200);
		assert.deepEqual(flowsTable(r.text), []);
		assert.deepEqual(owned(c.id), { connections: 1, secrets: 1, versions: 1, tests: 1, flows: 0 });

		const del = await post(`/connections/${c.id}/delete`, { csrf: csrfFrom(r.text), confirm: 'yes' }, s.jar);
		assert.equal(del.status, 303);
		assert.equal(del.headers.get('location'), '/');
		const flash = flashOf(del);
		assert.deepEqual(flash, { kind: 'success', message: `Connection "${c.name}" was deleted, with its secrets.` });
		assert.deepEqual(owned(c.id), { connections: 0, secrets: 0, versions: 0, tests: 0, flows: 0 });
		// The Integrations tab shows the message once, and no longer lists it.
		const list = await get('/', s.jar);
		assert.equal(list.status, 200);
		assert.equal(flashText(list.text), flash.message);
		assert.ok(!list.text.includes(`/connections/${c.id}"`), 'not listed any more');
		assert.equal(flashText((await get('/', s.jar)).text), '', 'shown once');
		// Gone for every page, and the flow is still there.
		for (const p of ['', '/edit', '/delete', '/related'])
			assert.equal((await get(`/connections/${c.id}${p}`, s.jar)).status, 404, `GET /connections/${c.id}${p}`);
		assert.equal(psql(`SELECT count(*) FROM flows WHERE id = ${f.id}`)[0][0], '1');
		// The audit entry outlives the connection: who, what, success.
		const audit = auditRows(c.id, 'connection_delete', s.user.id);
		assert.equal(audit.length, 1);
		assert.equal(audit[0].outcome, 'success');
		assert.equal(audit[0].actorId, String(s.user.id));
		assert.equal(audit[0].label, c.name);
		// A second POST finds nothing.
		const again = await post(`/connections/${c.id}/delete`, { csrf: csrfFrom(list.text), confirm: 'yes' }, s.jar);
		assert.equal(again.status, 404);
	});
});
