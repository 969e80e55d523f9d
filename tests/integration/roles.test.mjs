// Roles × routes: one table of every
// route and method of the web pages with the exact status each role gets —
// admin, manager, member and viewer of the owner team A, and an outsider
// (a manager of another team B). A viewer sees A's connections; a member
// also tests them; a manager also creates, edits, reconnects, shares and
// deletes; admins do everything, and only they reach /teams and /users
// (404 for the others). Visible but not allowed is 403; what a user may not
// see answers like what does not exist.
//
// Then: every connection route and method on a connection the user may not
// see (team C's; a guessed neighbouring id) answers exactly like a missing
// id — 404, same body apart from the request id — and causes no outbound
// call and no change; the buttons each role sees; and fields a form does
// not declare (owner team, ids, key versions…) refused with 400, never
// applied.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { formSubmission, snapshot, startBasicStandin } from '../lib/lifecycle/lc.mjs';
import {
	ROLES, assertSame404, auditMark, auditSince, buildWorld, buttonsOf, ownerOf, sharesOf,
} from '../lib/roles/world.mjs';
import { get, pageText, post, psqlValue, request, uniq } from '../lib/stack.mjs';

const PASSWORD = `pw-${uniq('r')}`;

let standin;		// connection A's system
let standinC;		// connection C's system (nobody of the roles may reach it)
let w;
let editBody;		// the unchanged edit form of A, as a browser would send it

const T = (admin, manager, member, viewer, outsider) => ({ admin, manager, member, viewer, outsider });

before(async () => {
	standin = await startBasicStandin({ user: 'svc', password: PASSWORD });
	standinC = await startBasicStandin({ user: 'svc', password: PASSWORD });
	w = await buildWorld({ url: standin.url, urlC: standinC.url, password: PASSWORD });
	const form = await get(`/connections/${w.conns.A}/edit?confirm=1`, w.users.manager.jar);
	assert.equal(form.status, 200, 'the manager reads the edit form');
	editBody = formSubmission(form.text);
	delete editBody.csrf;
});

after(async () => {
	await standin?.close();
	await standinC?.close();
});

const conn = (key) => w.conns[key];

/*
 * The table. path(): the URL; body(role, u): the POST form (csrf added);
 * want: the status per role; out: outbound calls to A's stand-in per role
 * (0 when absent).
 */
const ROUTES = [
	{ m: 'GET', p: '/', path: () => '/', want: T(200, 200, 200, 200, 200) },
	{ m: 'HEAD', p: '/', path: () => '/', want: T(200, 200, 200, 200, 200) },
	{ m: 'GET', p: '/connectors', path: () => '/connectors', want: T(200, 200, 200, 200, 200) },
	{ m: 'GET', p: '/connectors/http', path: () => '/connectors/http', want: T(200, 200, 200, 200, 200) },
	{ m: 'GET', p: '/connections/new?connector=http&protocol=basic',
		path: () => '/connections/new?connector=http&protocol=basic', want: T(200, 200, 403, 403, 200) },
	{ m: 'POST', p: '/connections (team A, no name)', path: () => '/connections',
		body: () => ({ connector: 'http', protocol: 'basic', api_type: '', name: '', description: '',
			team: w.teams.A.id, context: 'system', 'f.url': standin.url, 'f.test_path': '/health',
			'f.test_status': '200', 'f.username': 'svc', 'f.password': PASSWORD }),
		want: T(422, 422, 403, 403, 422) },
	{ m: 'GET', p: '/connections/{A}', path: () => `/connections/${conn('A')}`, want: T(200, 200, 200, 200, 404) },
	{ m: 'HEAD', p: '/connections/{A}', path: () => `/connections/${conn('A')}`, want: T(200, 200, 200, 200, 404) },
	{ m: 'GET', p: '/connections/{A}/related', path: () => `/connections/${conn('A')}/related`,
		want: T(200, 200, 200, 200, 404) },
	{ m: 'GET', p: '/connections/{A}/history', path: () => `/connections/${conn('A')}/history`,
		want: T(200, 200, 200, 200, 404) },
	{ m: 'GET', p: '/connections/{A}/sharing', path: () => `/connections/${conn('A')}/sharing`,
		want: T(200, 200, 200, 200, 404) },
	{ m: 'GET', p: '/connections/{A}/edit', path: () => `/connections/${conn('A')}/edit`,
		want: T(200, 200, 403, 403, 404) },
	{ m: 'GET', p: '/connections/{oauth}/edit (flows use it: the warning)',
		path: () => `/connections/${conn('oauth')}/edit`, want: T(200, 200, 403, 403, 404) },
	{ m: 'POST', p: '/connections/{A}/edit (allowed: unchanged; others: a new name)',
		path: () => `/connections/${conn('A')}/edit`,
		body: (role) => (['admin', 'manager'].includes(role) ? { ...editBody }
		    : { ...editBody, name: `crafted by ${role}` }),
		want: T(303, 303, 403, 403, 404) },
	{ m: 'GET', p: '/connections/{A}/delete', path: () => `/connections/${conn('A')}/delete`,
		want: T(200, 200, 403, 403, 404) },
	{ m: 'POST', p: '/connections/{A}/delete (allowed: unconfirmed; others: confirm=yes)',
		path: () => `/connections/${conn('A')}/delete`,
		body: (role) => (['admin', 'manager'].includes(role) ? {} : { confirm: 'yes' }),
		want: T(422, 422, 403, 403, 404) },
	{ m: 'POST', p: '/connections/{A}/test', path: () => `/connections/${conn('A')}/test`,
		body: () => ({}), want: T(303, 303, 303, 403, 404), out: T(1, 1, 1, 0, 0) },
	{ m: 'POST', p: '/connections/{A}/reconnect (not OAuth)', path: () => `/connections/${conn('A')}/reconnect`,
		body: () => ({}), want: T(404, 404, 403, 403, 404), says404: /nothing to (re)?connect/ },
	{ m: 'POST', p: '/connections/{oauth}/reconnect', path: () => `/connections/${conn('oauth')}/reconnect`,
		body: () => ({}), want: T(303, 303, 403, 403, 404) },
	{ m: 'POST', p: '/connections/{A}/sharing (revoke a share that is not there)',
		path: () => `/connections/${conn('A')}/sharing`,
		body: () => ({ action: 'revoke', team: w.teams.C.id }), want: T(422, 422, 403, 403, 404) },
	{ m: 'POST', p: '/connections/{A}/sharing (share with team B, by the others)',
		path: () => `/connections/${conn('A')}/sharing`, only: ['member', 'viewer', 'outsider'],
		body: () => ({ action: 'share', team: w.teams.B.id, permission: 'manage' }),
		want: T(undefined, undefined, 403, 403, 404) },
	{ m: 'GET', p: '/connections/{A}/credentials (shared credentials)',
		path: () => `/connections/${conn('A')}/credentials`, want: T(404, 404, 404, 403, 404),
		says404: /uses shared credentials/ },
	{ m: 'GET', p: '/connections/{per}/credentials', path: () => `/connections/${conn('per')}/credentials`,
		want: T(200, 200, 200, 403, 404) },
	{ m: 'POST', p: '/connections/{per}/credentials (empty)', path: () => `/connections/${conn('per')}/credentials`,
		body: () => ({ 'f.password': '' }), want: T(422, 422, 422, 403, 404) },
	{ m: 'POST', p: '/connections/{per}/reconnect (per user, not OAuth)',
		path: () => `/connections/${conn('per')}/reconnect`, body: () => ({}), want: T(404, 404, 404, 403, 404),
		says404: /nothing to (re)?connect/ },
	{ m: 'GET', p: '/flows/{flow}', path: () => `/flows/${w.flow}`, want: T(200, 200, 200, 200, 404) },
	{ m: 'GET', p: '/audit', path: () => '/audit', want: T(200, 200, 403, 403, 200) },
	{ m: 'GET', p: '/audit?format=csv', path: () => '/audit?format=csv', want: T(200, 200, 403, 403, 200) },
	{ m: 'GET', p: '/named-credentials', path: () => '/named-credentials', want: T(200, 200, 403, 403, 200) },
	{ m: 'POST', p: '/named-credentials (team A, no name)', path: () => '/named-credentials',
		body: () => ({ name: '', description: '', team: w.teams.A.id, url: 'https://127.0.0.1:9',
			protocol: 'bearer', 'f.token': 'x' }), want: T(422, 422, 403, 403, 422) },
	{ m: 'GET', p: '/named-credentials/{nc of A}', path: () => `/named-credentials/${w.nc}`,
		want: T(200, 200, 404, 404, 404) },
	{ m: 'POST', p: '/named-credentials/{nc of A} (unknown action)', path: () => `/named-credentials/${w.nc}`,
		body: () => ({ action: 'nothing' }), want: T(400, 400, 404, 404, 404) },
	{ m: 'GET', p: '/teams', path: () => '/teams', want: T(200, 404, 404, 404, 404) },
	{ m: 'POST', p: '/teams (no name)', path: () => '/teams', body: () => ({ action: 'create', name: '' }),
		want: T(422, 404, 404, 404, 404) },
	{ m: 'GET', p: '/teams/{A}', path: () => `/teams/${w.teams.A.id}`, want: T(200, 404, 404, 404, 404) },
	{ m: 'POST', p: '/teams/{A} (no such role)', path: () => `/teams/${w.teams.A.id}`,
		body: (role) => ({ action: 'role', email: w.users[role].email, role: 'manager-please' }),
		want: T(422, 404, 404, 404, 404) },
	{ m: 'POST', p: '/teams/{A} (make oneself manager, by the others)', path: () => `/teams/${w.teams.A.id}`,
		only: ['manager', 'member', 'viewer', 'outsider'],
		body: (role) => ({ action: 'add', email: w.users[role].email, role: 'manager' }),
		want: T(undefined, 404, 404, 404, 404) },
	{ m: 'GET', p: '/users', path: () => '/users', want: T(200, 404, 404, 404, 404) },
	{ m: 'POST', p: '/users (enable nobody)', path: () => '/users',
		body: () => ({ action: 'enable', email: `nobody-${uniq('x')}@test.local` }), want: T(303, 404, 404, 404, 404) },
	{ m: 'POST', p: '/users (make oneself admin, by the others)', path: () => '/users',
		only: ['manager', 'member', 'viewer', 'outsider'],
		body: (role) => ({ action: 'admin', email: w.users[role].email }), want: T(undefined, 404, 404, 404, 404) },
	{ m: 'GET', p: '/webhooks', path: () => '/webhooks', want: T(200, 404, 404, 404, 404) },
	{ m: 'POST', p: '/webhooks (a refused address)', path: () => '/webhooks',
		body: () => ({ action: 'create', url: 'https://169.254.169.254/hook' }), want: T(422, 404, 404, 404, 404) },
	{ m: 'POST', p: '/webhooks/{missing} (delete)', path: () => '/webhooks/999999999',
		body: () => ({ action: 'delete' }), want: T(404, 404, 404, 404, 404) },
];

async function send(route, role) {
	const u = w.users[role];
	if (route.m === 'POST')
		return post(route.path(), { csrf: u.csrf, ...(await route.body(role, u)) }, u.jar);
	return request(route.path(), { jar: u.jar, method: route.m });
}

describe('every route and method, per role: the exact status', () => {
	for (const role of ROLES) {
		for (const route of ROUTES) {
			if (route.only && !route.only.includes(role))
				continue;
			test(`${role}: ${route.m} ${route.p} → ${route.want[role]}`, async () => {
				const before = standin.requests.length;
				const snapA = snapshot(conn('A'));
				const r = await send(route, role);
				assert.equal(r.status, route.want[role],
				    `${role} ${route.m} ${route.p}: ${pageText(r.text).slice(0, 300)}`);
				assert.equal(standin.requests.length - before, route.out?.[role] ?? 0,
				    `${role} ${route.m} ${route.p}: outbound calls to connection A's system`);
				if (r.status === 403 || r.status === 404) {
					// Refused: nothing about connection A changed (no test, no save).
					assert.deepEqual(snapshot(conn('A')), snapA, `${role} ${route.m} ${route.p}: A unchanged`);
				}
				if (r.status === 404 && route.says404 && role !== 'outsider') {
					// Visible, but there is nothing of this kind here: it says why.
					assert.match(pageText(r.text), route.says404, `${role} ${route.m} ${route.p}: the reason`);
				} else if (r.status === 404 && route.m !== 'HEAD') {
					// The 404 of a refused route is the one of a page that does not exist.
					const ref = await request('/connections/' + w.missing, { jar: w.users[role].jar });
					assertSame404(r, ref, `${role} ${route.m} ${route.p}`);
				}
				if (r.status === 403)
					assert.match(r.text, /Error 403/, '403 page');
			});
		}
	}

	test('after the table: nobody but the admin changed a team, a user or a share', () => {
		const roles = psqlValue(`SELECT string_agg(u.email || '=' || m.role, ',' ORDER BY u.email)
		    FROM team_members m JOIN users u ON u.id = m.user_id WHERE m.team_id = ${w.teams.A.id}`);
		for (const [role, want] of [['manager', 'manager'], ['member', 'member'], ['viewer', 'viewer']])
			assert.ok(roles.includes(`${w.users[role].email}=${want}`), `${role} keeps its role: ${roles}`);
		assert.ok(!roles.includes(w.users.outsider.email), 'the outsider did not join team A');
		assert.equal(psqlValue(`SELECT count(*) FROM users WHERE is_admin AND id IN (${
		    ['manager', 'member', 'viewer', 'outsider'].map((r) => w.users[r].id).join(',')})`), '0',
		'nobody made themselves admin');
		assert.deepEqual(sharesOf(conn('A')), {}, 'connection A is shared with nobody');
		assert.equal(ownerOf(conn('A')), w.teams.A.id, 'A still belongs to team A');
	});
});

// ------------------------------------------- invisible = does not exist

/** Every connection route and method, with a form that would do the most. */
function connectionCalls(role) {
	const u = w.users[role];
	const full = { ...editBody, name: `taken over by ${role}` };
	return [
		['GET', ''], ['HEAD', ''], ['GET', '/related'], ['GET', '/history'], ['GET', '/sharing'],
		['GET', '/edit'], ['GET', '/edit?confirm=1'], ['GET', '/delete'], ['GET', '/credentials'],
		['HEAD', '/edit'],
		['POST', '/edit', full], ['POST', '/delete', { confirm: 'yes' }], ['POST', '/test', {}],
		['POST', '/reconnect', {}],
		['POST', '/sharing', { action: 'share', team: w.teams.B.id, permission: 'manage' }],
		['POST', '/sharing', { action: 'transfer', team: w.teams.B.id }],
		['POST', '/sharing', { action: 'revoke', team: w.teams.A.id }],
		['POST', '/credentials', { 'f.password': 'mine-now' }],
		['PUT', ''], ['DELETE', ''],
	].map(([m, suffix, body]) => ({ m, suffix, body: body && { csrf: u.csrf, ...body } }));
}

async function call(role, id, c) {
	const u = w.users[role];
	const path = `/connections/${id}${c.suffix}`;
	if (c.m === 'POST')
		return post(path.replace(/\?.*$/, ''), c.body, u.jar);
	return request(path, { jar: u.jar, method: c.m });
}

describe('a connection the user may not see answers exactly like one that does not exist', () => {
	for (const role of ['manager', 'member', 'viewer', 'outsider']) {
		test(`${role}: every route and method on team C's connection and on a missing id`, async () => {
			const snapC = snapshot(conn('C'));
			const outC = standinC.requests.length;
			const mark = auditMark();
			for (const c of connectionCalls(role)) {
				const what = `${role} ${c.m} /connections/{C}${c.suffix}`;
				const a = await call(role, conn('C'), c);
				const b = await call(role, w.missing, c);
				if (c.m === 'PUT' || c.m === 'DELETE') {
					assert.equal(a.status, 405, `${what}: method not allowed`);
					assert.equal(b.status, 405, `${what}: method not allowed (missing id)`);
					continue;
				}
				if (c.m === 'HEAD') {
					assert.equal(a.status, 404, what);
					assert.equal(b.status, 404, `${what} (missing id)`);
					assert.equal(a.text, '', `${what}: no body`);
					continue;
				}
				assertSame404(a, b, what);
			}
			assert.equal(standinC.requests.length, outC, `${role}: no outbound call to connection C's system`);
			assert.deepEqual(snapshot(conn('C')), snapC, `${role}: connection C unchanged`);
			assert.deepEqual(sharesOf(conn('C')), {}, `${role}: C shared with nobody`);
			assert.equal(ownerOf(conn('C')), w.teams.C.id, `${role}: C still team C's`);
			assert.equal(psqlValue(`SELECT count(*) FROM oauth_states WHERE connection_id = ${conn('C')}`), '0',
			    `${role}: no OAuth dance started for C`);
			assert.equal(psqlValue(`SELECT count(*) FROM user_connection_secrets
			    WHERE connection_id = ${conn('C')}`), '0', `${role}: no credentials stored for C`);
			assert.deepEqual(auditSince(mark, `a.object_type = 'connection' AND a.object_id = ${conn('C')}`), [],
			    `${role}: nothing about C in the audit log`);
		});
	}

	test("outsider: team A's connections (real ids of another team) and their neighbours", async () => {
		const u = w.users.outsider;
		for (const key of ['A', 'oauth', 'per']) {
			for (const c of connectionCalls('outsider').filter((x) => !['PUT', 'DELETE', 'HEAD'].includes(x.m))) {
				const a = await call('outsider', conn(key), c);
				const b = await call('outsider', w.missing, c);
				assertSame404(a, b, `outsider ${c.m} /connections/{${key}}${c.suffix}`);
			}
		}
		// Ids written otherwise never reach a connection either.
		for (const p of [`/connections/0${conn('A')}`, `/connections/${conn('A')}abc`, `/connections/+${conn('A')}`,
		    `/connections/${conn('A')}.0`, '/connections/99999999999999999999']) {
			const a = await get(p, u.jar);
			const b = await get(`/connections/${w.missing}`, u.jar);
			assertSame404(a, b, `outsider GET ${p}`);
		}
		assert.deepEqual(sharesOf(conn('A')), {}, 'A shared with nobody');
		assert.equal(ownerOf(conn('A')), w.teams.A.id, 'A still team A\'s');
	});

	test('named credentials, flows and teams out of reach answer like missing ones', async () => {
		for (const role of ['manager', 'member', 'viewer', 'outsider']) {
			const u = w.users[role];
			assertSame404(await get(`/named-credentials/${w.ncC}`, u.jar),
			    await get(`/named-credentials/${w.missingNc}`, u.jar), `${role} GET named credential of C`);
			assertSame404(
			    await post(`/named-credentials/${w.ncC}`, { csrf: u.csrf, action: 'delete' }, u.jar),
			    await post(`/named-credentials/${w.missingNc}`, { csrf: u.csrf, action: 'delete' }, u.jar),
			    `${role} POST delete named credential of C`);
			assertSame404(await get(`/flows/${w.flowC}`, u.jar), await get(`/flows/${w.missingFlow}`, u.jar),
			    `${role} GET flow of C`);
			const missingPage = await get('/no-such-page', u.jar);
			for (const p of ['/teams', `/teams/${w.teams.C.id}`, `/teams/${w.missingTeam}`, '/users'])
				assertSame404(await get(p, u.jar), missingPage, `${role} GET ${p}`);
		}
		assert.equal(psqlValue(`SELECT count(*) FROM named_credentials WHERE id = ${w.ncC}`), '1',
		    'the named credential of C is still there');
	});
});

// ---------------------------------------------------------------- buttons

describe('buttons a role may not use are not shown', () => {
	const want = {
		admin: { test: true, edit: true, delete: true, share: true },
		manager: { test: true, edit: true, delete: true, share: true },
		member: { test: true, edit: false, delete: false, share: false },
		viewer: { test: false, edit: false, delete: false, share: false },
	};
	for (const role of Object.keys(want)) {
		test(`${role}: Details, Related, History and Sharing of A and of the OAuth one`, async () => {
			const u = w.users[role];
			for (const tab of ['', '/related', '/history', '/sharing']) {
				const r = await get(`/connections/${conn('A')}${tab}`, u.jar);
				assert.equal(r.status, 200);
				const b = buttonsOf(r.text, conn('A'));
				for (const k of ['test', 'edit', 'delete', 'share'])
					assert.equal(b[k], want[role][k], `${role} ${tab || 'details'}: ${k} button`);
				assert.equal(b.reconnect, false, `${role} ${tab || 'details'}: no Reconnect (not OAuth)`);
			}
			const o = await get(`/connections/${conn('oauth')}`, u.jar);
			assert.equal(buttonsOf(o.text, conn('oauth')).reconnect, role === 'admin' || role === 'manager',
			    `${role}: Reconnect on the OAuth connection`);
			const s = await get(`/connections/${conn('A')}/sharing`, u.jar);
			const b = buttonsOf(s.text, conn('A'));
			assert.equal(b.shareForm, want[role].share, `${role}: the share form`);
			// The admin may transfer to any team; the manager manages no other team.
			assert.equal(b.transferForm, role === 'admin', `${role}: the transfer form`);
		});
	}

	test('the per-user connection: members and up may enter their own credentials, viewers not', async () => {
		for (const [role, can] of [['admin', true], ['manager', true], ['member', true], ['viewer', false]]) {
			const r = await get(`/connections/${conn('per')}`, w.users[role].jar);
			assert.equal(r.status, 200);
			assert.equal(new RegExp(`href="/connections/${conn('per')}/credentials"`).test(r.text), can,
			    `${role}: the "Enter your credentials" link`);
		}
	});
});

// ---------------------------------------------------- undeclared fields

describe('fields a form does not declare are refused (400) and never applied', () => {
	const cases = () => [
		['edit + owner_team_id', `/connections/${conn('A')}/edit`, { ...editBody, owner_team_id: w.teams.B.id }],
		['edit + team', `/connections/${conn('A')}/edit`, { ...editBody, team: w.teams.B.id }],
		['edit + owner_team', `/connections/${conn('A')}/edit`, { ...editBody, owner_team: w.teams.B.id }],
		['edit + id', `/connections/${conn('A')}/edit`, { ...editBody, id: conn('C') }],
		['edit + key_version', `/connections/${conn('A')}/edit`, { ...editBody, key_version: '7' }],
		['edit + created_by', `/connections/${conn('A')}/edit`, { ...editBody, created_by: w.users.outsider.id }],
		['edit + context', `/connections/${conn('A')}/edit`, { ...editBody, context: 'per_user' }],
		['edit + connector', `/connections/${conn('A')}/edit`, { ...editBody, connector: 'jira' }],
		['edit + status', `/connections/${conn('A')}/edit`, { ...editBody, status: 'ok', name: 'renamed' }],
		['edit + f.not_a_field', `/connections/${conn('A')}/edit`, { ...editBody, 'f.not_a_field': 'x', name: 'renamed' }],
		['edit + f.password.key_version', `/connections/${conn('A')}/edit`,
			{ ...editBody, 'f.password.key_version': '2' }],
		['sharing + owner_team_id', `/connections/${conn('A')}/sharing`,
			{ action: 'share', team: w.teams.B.id, permission: 'use', owner_team_id: w.teams.B.id }],
		['sharing + created_by', `/connections/${conn('A')}/sharing`,
			{ action: 'share', team: w.teams.B.id, permission: 'use', created_by: '1' }],
		['delete + id', `/connections/${conn('A')}/delete`, { confirm: 'yes', id: conn('A') }],
		['test + user_id', `/connections/${conn('A')}/test`, { user_id: w.users.admin.id }],
		['credentials + f.username (not a secret)', `/connections/${conn('per')}/credentials`,
			{ 'f.password': 'x', 'f.username': 'evil' }],
		['credentials + f.bogus', `/connections/${conn('per')}/credentials`, { 'f.password': 'x', 'f.bogus': 'y' }],
		['credentials + user_id', `/connections/${conn('per')}/credentials`,
			{ 'f.password': 'x', user_id: w.users.member.id }],
		['named credential + team', `/named-credentials/${w.nc}`,
			{ action: 'save', url: 'https://127.0.0.1:9', description: '', team: w.teams.B.id }],
		['named credential + name', `/named-credentials/${w.nc}`,
			{ action: 'save', url: 'https://127.0.0.1:9', description: '', name: 'renamed' }],
		['teams/{A} + is_admin', `/teams/${w.teams.A.id}`,
			{ action: 'add', email: w.users.outsider.email, role: 'viewer', is_admin: '1' }],
		['users + is_admin', '/users', { action: 'create', email: `${uniq('x')}@test.local`, name: 'X',
			password: 'long enough password', is_admin: '1' }],
	];

	test('as the manager (and the admin for teams and users): each is 400 and nothing changes', async () => {
		const snapA = snapshot(conn('A'));
		const mark = auditMark();
		const users = psqlValue('SELECT count(*) FROM users');
		const members = psqlValue(`SELECT count(*) FROM team_members WHERE team_id = ${w.teams.A.id}`);
		const standinBefore = standin.requests.length;
		for (const [what, path, body] of cases()) {
			const u = path.startsWith('/teams') || path === '/users' ? w.users.admin : w.users.manager;
			const r = await post(path, { csrf: u.csrf, ...body }, u.jar);
			assert.equal(r.status, 400, `${what}: ${pageText(r.text).slice(0, 200)}`);
			assert.match(r.text, /Error 400/, `${what}: the error page`);
		}
		assert.deepEqual(snapshot(conn('A')), snapA, 'connection A unchanged');
		assert.equal(ownerOf(conn('A')), w.teams.A.id, 'owner unchanged');
		assert.deepEqual(sharesOf(conn('A')), {}, 'no share');
		assert.equal(standin.requests.length, standinBefore, 'no test ran');
		assert.equal(psqlValue(`SELECT count(*) FROM user_connection_secrets WHERE connection_id = ${conn('per')}`),
		    '0', 'no per-user secret stored');
		assert.equal(psqlValue(`SELECT url || '|' || name FROM named_credentials WHERE id = ${w.nc}`).split('|')[0],
		    'https://127.0.0.1:9', 'the named credential unchanged');
		assert.equal(psqlValue('SELECT count(*) FROM users'), users, 'no user created');
		assert.equal(psqlValue(`SELECT count(*) FROM team_members WHERE team_id = ${w.teams.A.id}`), members,
		    'no member added');
		assert.deepEqual(auditSince(mark, "a.action <> 'sign_in'"), [], 'nothing audited as done');
	});

	test('create: owner_team_id, id or created_by beside a valid form are 400; nothing is created', async () => {
		const u = w.users.manager;
		const form = await get('/connections/new?connector=http&protocol=basic', u.jar);
		const base = { ...formSubmission(form.text), team: w.teams.A.id, context: 'system',
			'f.url': standin.url, 'f.test_path': '/health', 'f.test_status': '200', 'f.username': 'svc',
			'f.password': PASSWORD };
		for (const extra of [{ owner_team_id: w.teams.C.id }, { id: '1' }, { created_by: w.users.admin.id },
		    { version: '5' }, { status: 'ok' }, { 'f.secret_key_version': '1' }]) {
			const name = uniq('crafted');
			const before = standin.requests.length;
			const r = await post('/connections', { ...base, name, ...extra }, u.jar);
			assert.equal(r.status, 400, `create + ${Object.keys(extra)[0]}: ${pageText(r.text).slice(0, 200)}`);
			assert.equal(psqlValue(`SELECT count(*) FROM connections WHERE name = '${name}'`), '0',
			    `create + ${Object.keys(extra)[0]}: no connection`);
			assert.equal(standin.requests.length, before, 'no test ran');
		}
	});

	test('create: a team the user does not manage is refused with the form (422), nothing created', async () => {
		const u = w.users.outsider;
		const form = await get('/connections/new?connector=http&protocol=basic', u.jar);
		assert.equal(form.status, 200);
		assert.doesNotMatch(form.text, new RegExp(`<option value="${w.teams.A.id}"`),
		    'team A is not offered to the outsider');
		const name = uniq('foreign');
		const before = standin.requests.length;
		const r = await post('/connections', { ...formSubmission(form.text), name, team: w.teams.A.id,
			context: 'system', 'f.url': standin.url, 'f.test_path': '/health', 'f.test_status': '200',
			'f.username': 'svc', 'f.password': PASSWORD }, u.jar);
		assert.equal(r.status, 422, pageText(r.text).slice(0, 300));
		assert.match(pageText(r.text), /Choose a team you manage/);
		assert.equal(psqlValue(`SELECT count(*) FROM connections WHERE name = '${name}'`), '0', 'nothing created');
		assert.equal(standin.requests.length, before, 'no test ran');
	});
});
