// tests/lib/roles/world.mjs — what the roles, sharing, per-user, named
// credential and audit tests share (tests/integration/roles*.test.mjs,
// sharing*.test.mjs, peruser*.test.mjs, named-credentials*.test.mjs,
// audit*.test.mjs, tests/browser/sharing.test.mjs): a small world of teams,
// users in every role and connections made through the real forms; the
// comparison of two 404 pages (equal apart from the request id); the
// buttons a connection page offers; audit rows read back from the database.
//
//   const w = await buildWorld({ url: standin.url, password });
//   w.users.manager.jar, w.teams.A.id, w.conns.A (id), w.missingId ...

import assert from 'node:assert/strict';

import { createConn, flowAdd, formSubmission, mustCreate } from '../lifecycle/lc.mjs';
import {
	flashOf, makeTeam, makeUser, pageText, post, psql, psqlValue, sessionCsrf, signIn, sqlString, uniq,
} from '../stack.mjs';

export { formSubmission, createConn, mustCreate };

export const ROLES = ['admin', 'manager', 'member', 'viewer', 'outsider'];

/**
 * A user in a role, signed in: { email, password, id, jar, csrf }.
 * teams: [{ name, role }]; admin: a global admin.
 */
export async function signedInUser({ teams = [], admin = false, name } = {}) {
	const u = makeUser({ admin, teams, name });
	const { jar } = await signIn(u.email, u.password);
	return { ...u, jar, csrf: await sessionCsrf(jar) };
}

/** An id no connection (or other row of the table) has, nor will soon. */
export function missingId(table = 'connections') {
	return Number(psqlValue(`SELECT COALESCE(max(id), 0) + 1000000 FROM ${table}`));
}

/**
 * A Generic HTTP (Basic) connection through the New connection form.
 * Resolves to its id.
 */
export async function httpBasic(jar, team, { url, password, name = uniq('conn'), user = 'svc',
    path = '/health' }) {
	const c = await mustCreate(jar, { connector: 'http', protocol: 'basic', name, team: team.id,
		fields: { url, test_path: path, test_status: '200', username: user, password } });
	return c.id;
}

/**
 * The world of the roles tests: team A (admin-less: a manager, a member, a
 * viewer), team B (managed by the outsider), team C (nobody's). Connections
 * of A: `A` (Generic HTTP Basic to `url`), `oauth` (ServiceNow OAuth 2.0,
 * system), `per` (ServiceNow Basic, per user); of C: `C` (Generic HTTP Basic
 * to `urlC`). A named credential of A (`nc`) and one of C (`ncC`); a flow
 * using `oauth` (`flow`) and one using `C` (`flowC`).
 */
export async function buildWorld({ url, urlC = url, password = 'pw-' + uniq('p') } = {}) {
	const A = makeTeam(uniq('roles-a'));
	const B = makeTeam(uniq('roles-b'));
	const C = makeTeam(uniq('roles-c'));
	const users = {
		admin: await signedInUser({ admin: true, name: 'Role Admin' }),
		manager: await signedInUser({ teams: [{ name: A.name, role: 'manager' }], name: 'Role Manager' }),
		member: await signedInUser({ teams: [{ name: A.name, role: 'member' }], name: 'Role Member' }),
		viewer: await signedInUser({ teams: [{ name: A.name, role: 'viewer' }], name: 'Role Viewer' }),
		outsider: await signedInUser({ teams: [{ name: B.name, role: 'manager' }], name: 'Role Outsider' }),
	};
	const m = users.manager.jar;
	const conns = {};
	conns.A = await httpBasic(m, A, { url, password, name: uniq('roles-conn-a') });
	conns.oauth = (await mustCreate(m, { connector: 'servicenow', protocol: 'oauth2_code',
		name: uniq('roles-oauth'), team: A.id, fields: { url: 'https://127.0.0.1:9',
			client_id: 'roles-client', client_secret: 'roles-client-secret' } })).id;
	conns.per = (await mustCreate(m, { connector: 'servicenow', protocol: 'basic',
		name: uniq('roles-per'), team: A.id, context: 'per_user',
		fields: { url: 'https://127.0.0.1:9', username: 'svc', password: null } })).id;
	conns.C = await httpBasic(users.admin.jar, C, { url: urlC, password, name: uniq('roles-conn-c') });
	const nc = makeNamedCredential(A, 'roles-nc');
	const ncC = makeNamedCredential(C, 'roles-ncc');
	const flow = flowAdd({ name: uniq('roles-flow'), version: 1, owner: 'Roles tests',
		connections: [conns.oauth] }).id;
	const flowC = flowAdd({ name: uniq('roles-flowc'), version: 1, owner: 'Roles tests',
		connections: [conns.C] }).id;
	return { teams: { A, B, C }, users, conns, nc, ncC, flow, flowC, password,
		missing: missingId(), missingNc: missingId('named_credentials'),
		missingFlow: missingId('flows'), missingTeam: missingId('teams') };
}

/** A named credential row of a team, straight into the database (no secret). */
export function makeNamedCredential(team, prefix) {
	return Number(psqlValue(`INSERT INTO named_credentials (owner_team_id, name, description, url,
	    auth_protocol, settings) VALUES (${Number(team.id)}, ${sqlString(uniq(prefix))}, '',
	    'https://127.0.0.1:9', 'bearer', '{}') RETURNING id`));
}

// -------------------------------------------------------------- answers

/** A page body with its request id taken out (an error page shows it). */
export function withoutRequestId(text, rid) {
	let t = text;
	if (rid)
		t = t.split(rid).join('REQUEST-ID');
	return t;
}

/**
 * Assert that two answers are the same 404: status, content type and body
 * equal once each one's request id is replaced.
 */
export function assertSame404(a, b, what) {
	assert.equal(a.status, 404, `${what}: status (${pageText(a.text).slice(0, 200)})`);
	assert.equal(b.status, 404, `${what}: status of the reference answer`);
	assert.equal(a.headers.get('content-type'), b.headers.get('content-type'), `${what}: content type`);
	const ra = a.headers.get('x-request-id');
	const rb = b.headers.get('x-request-id');
	assert.ok(ra && rb && ra !== rb, `${what}: each answer has its own request id`);
	assert.equal(withoutRequestId(a.text, ra), withoutRequestId(b.text, rb),
	    `${what}: the body is the one of a connection that does not exist, apart from the request id`);
}

// -------------------------------------------------------------- buttons

/**
 * The actions a connection page offers: which of test, edit, delete,
 * reconnect, share (the header's Sharing button, not the tab), and the
 * sharing forms (share, revoke, transfer).
 */
export function buttonsOf(html, id) {
	const has = (re) => re.test(html);
	return {
		test: has(new RegExp(`<form[^>]*action="/connections/${id}/test"`)),
		edit: has(new RegExp(`<a[^>]*href="/connections/${id}/edit"`)),
		delete: has(new RegExp(`<a[^>]*href="/connections/${id}/delete"`)),
		reconnect: has(new RegExp(`<form[^>]*action="/connections/${id}/reconnect"`)),
		share: has(new RegExp(`<a class="btn[^"]*" href="/connections/${id}/sharing"`)),
		shareForm: has(/<input type="hidden" name="action" value="share">/),
		revokeForm: has(/<input type="hidden" name="action" value="revoke">/),
		transferForm: has(/<input type="hidden" name="action" value="transfer">/),
	};
}

// ---------------------------------------------------------------- audit

/**
 * Audit rows matching a condition (SQL on audit_log a), oldest first:
 * [{ id, actorId, actor, teamId, type, objectId, object, action, outcome,
 * client, requestId, details }].
 */
export function auditWhere(cond) {
	// One JSON value a row: labels may hold tabs and newlines.
	return psql(`SELECT json_build_object('id', a.id, 'actorId', COALESCE(a.actor_user_id::text, ''),
	    'actor', a.actor_label, 'teamId', COALESCE(a.team_id::text, ''), 'type', a.object_type,
	    'objectId', COALESCE(a.object_id::text, ''), 'object', a.object_label, 'action', a.action,
	    'outcome', a.outcome, 'client', COALESCE(a.client_addr, ''), 'requestId', COALESCE(a.request_id, ''),
	    'details', a.details)::text FROM audit_log a WHERE ${cond} ORDER BY a.id`).map((r) => JSON.parse(r[0]));
}

/** The highest audit id now (entries after it are new). */
export function auditMark() {
	return Number(psqlValue('SELECT COALESCE(max(id), 0) FROM audit_log'));
}

/** The entries written since mark, oldest first. */
export function auditSince(mark, cond = 'true') {
	return auditWhere(`a.id > ${Number(mark)} AND (${cond})`);
}

/**
 * Assert that one entry has the expected fields (undefined: not checked);
 * the request id must be the one of the answer that made it.
 */
export function assertEntry(e, want, what) {
	for (const [k, v] of Object.entries(want)) {
		if (v === undefined)
			continue;
		if (k === 'details')
			assert.deepEqual(e.details, v, `${what}: details`);
		else
			assert.equal(e[k], String(v), `${what}: ${k}`);
	}
}

/** POST the sharing form: { status, res, flash }. */
export async function sharing(u, id, form) {
	const res = await post(`/connections/${id}/sharing`, { csrf: u.csrf, ...form }, u.jar);
	return { status: res.status, res, flash: flashOf(res) };
}

/** The shares of a connection: { teamId: permission }. */
export function sharesOf(id) {
	return Object.fromEntries(psql(`SELECT team_id, permission FROM connection_shares
	    WHERE connection_id = ${Number(id)} ORDER BY team_id`).map((r) => [r[0], r[1]]));
}

/** The owner team id of a connection ('' when it is gone). */
export function ownerOf(id) {
	return psqlValue(`SELECT owner_team_id FROM connections WHERE id = ${Number(id)}`) ?? '';
}

/**
 * The Audit page: { total, rows: [{ at, actor, team, type, objectId,
 * object, action, outcome, client, requestId, details, objectHtml }] } in
 * page order (newest first). total is 0 on the empty state.
 */
export function parseAudit(html) {
	const total = /of <strong>([\d,]+)<\/strong> event/.exec(html);
	const out = { total: total ? Number(total[1].replace(/,/g, '')) : 0, rows: [] };
	const table = /<table class="[^"]*audit-table[^"]*">([\s\S]*?)<\/table>/.exec(html);
	if (table === null)
		return out;
	const tbody = /<tbody>([\s\S]*?)<\/tbody>/.exec(table[1]);
	for (const tr of tbody ? tbody[1].matchAll(/<tr>([\s\S]*?)<\/tr>/g) : []) {
		const cell = (re) => {
			const m = re.exec(tr[1]);
			return m === null ? '' : m[1];
		};
		const objectHtml = cell(/<td data-label="Object" class="audit-object">([\s\S]*?)<\/td>/);
		const label = /<span class="audit-label">([\s\S]*?)<\/span>/.exec(objectHtml);
		out.rows.push({
			at: pageText(cell(/<th scope="row" class="tabular audit-when">([\s\S]*?)<\/th>/)),
			actor: pageText(cell(/<td data-label="Actor" class="audit-actor">([\s\S]*?)<\/td>/)),
			team: pageText(cell(/<td data-label="Team" class="audit-team">([\s\S]*?)<\/td>/)),
			type: pageText(cell(/<span class="audit-type">([\s\S]*?)(?:<a |#|<\/span>)/)),
			objectId: (/data-object-id="([0-9]*)"/.exec(objectHtml) ?? [])[1] ?? '',
			object: label ? pageText(label[1]) : '',
			objectRaw: label ? label[1] : '',
			action: pageText(cell(/<code class="audit-key">([\s\S]*?)<\/code>/)),
			outcome: pageText(cell(/<td data-label="Outcome">([\s\S]*?)<\/td>/)),
			client: pageText(cell(/<td data-label="Client"[^>]*>([\s\S]*?)<\/td>/)),
			requestId: pageText(cell(/<code class="audit-rid">([\s\S]*?)<\/code>/)),
			details: pageText(cell(/<span class="audit-about">([\s\S]*?)<\/span><\/td>/)),
			objectHtml,
		});
	}
	return out;
}

/** RFC 4180 CSV (quoted cells, doubled quotes, CRLF rows) into rows of cells. */
export function parseCsv(text) {
	const rows = [];
	let row = [];
	let cell = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const ch = text[i];
		if (quoted) {
			if (ch === '"' && text[i + 1] === '"') {
				cell += '"';
				i++;
			} else if (ch === '"')
				quoted = false;
			else
				cell += ch;
		} else if (ch === '"')
			quoted = true;
		else if (ch === ',') {
			row.push(cell);
			cell = '';
		} else if (ch === '\r' && text[i + 1] === '\n') {
			row.push(cell);
			rows.push(row);
			row = [];
			cell = '';
			i++;
		} else
			cell += ch;
	}
	if (cell !== '' || row.length > 0) {
		row.push(cell);
		rows.push(row);
	}
	return rows;
}
