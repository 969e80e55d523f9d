// A tour of every page in headless Chromium (JavaScript off), as an admin, a
// manager, a member and a viewer of one team, at 1366×900 and 390×844: the
// Integrations tab, a connection's Details, Related, History, Sharing, Edit
// and Delete confirmation, New connection, Connectors and one connector,
// Named credentials and one, Audit, Teams and one, Users, Webhooks and one,
// a per-user connection's credentials page, error pages (404, and 403 where
// the role may not go) and the sign-in page. Each page must answer the status
// its role gets, show an <h1>, fit the phone's width
// (document.scrollingElement.scrollWidth <= innerWidth) and lay out its
// header without two of its parts overlapping; no console error, no CSP
// violation. Every page is saved to TETHER_TEST_OUT as
// tour-VIEWPORT-ROLE-NN-PAGE.png, and a chosen set once more as
// docs-NAME.png (the top 1366×900), which tools/screenshots.sh copies into
// docs/screenshots/. Every check of a tour is made, then the ones that failed
// are reported together, so that a defect leaves all the screenshots.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertCleanConsole, openBrowser, screenshot, signInPage } from '../lib/browser.mjs';
import { flowAdd, mustCreate, startBasicStandin, testNow } from '../lib/lifecycle/lc.mjs';
import { httpBasic } from '../lib/roles/world.mjs';
import {
	baseUrl, makeTeam, post, psqlValue, sessionCsrf, signIn, sqlString, tetherctl, uniq,
} from '../lib/stack.mjs';

const VIEWPORTS = {
	desktop: { width: 1366, height: 900 },
	phone: { width: 390, height: 844 },
};

let standin;
let w;
let webhookId;

/**
 * name when no row of table has it yet (a fresh stack: the screenshots read
 * like an installation's), else name with a unique tail.
 */
function fresh(table, column, name) {
	const taken = psqlValue(`SELECT count(*) FROM ${table} WHERE lower(${column}) = lower(${sqlString(name)})`);
	return Number(taken) === 0 ? name : `${name} ${uniq('t')}`;
}

/** A user in a role with a readable name and e-mail, signed in: { email, password, id, jar }. */
async function person(name, email, { admin = false, teams = [] } = {}) {
	const [local, domain] = email.split('@');
	const u = { email: fresh('users', 'email', email) === email ? email : `${local}-${uniq('t')}@${domain}`,
		password: `pw-${uniq('p')}` };
	tetherctl('user', 'add', u.email, ...(admin ? ['--admin'] : []), '--name', name, '--password-stdin',
	    { stdin: `${u.password}\n` });
	for (const t of teams)
		tetherctl('team', 'member', t.name, u.email, t.role);
	u.id = psqlValue(`SELECT id FROM users WHERE email = ${sqlString(u.email)}`);
	u.jar = (await signIn(u.email, u.password)).jar;
	return u;
}

/**
 * The tour's installation: team Payroll (a manager, a member, a viewer) and
 * Finance Ops; Payroll's connections "Payroll API" (Generic HTTP, Basic, to a
 * stand-in, tested twice, shared with Finance Ops for use, used by a flow),
 * "ServiceNow IT" (OAuth 2.0 authorization code, never authorised) and
 * "ServiceNow per user" (per-user Basic); a named credential; a webhook.
 */
async function buildTour() {
	const password = `pw-${uniq('tour')}`;
	standin = await startBasicStandin({ user: 'svc', password });
	const A = makeTeam(fresh('teams', 'name', 'Payroll'));
	const B = makeTeam(fresh('teams', 'name', 'Finance Ops'));
	const users = {
		admin: await person('Ada Admin', 'ada@example.com', { admin: true }),
		manager: await person('Maya Manager', 'maya@example.com', { teams: [{ name: A.name, role: 'manager' }] }),
		member: await person('Milo Member', 'milo@example.com', { teams: [{ name: A.name, role: 'member' }] }),
		viewer: await person('Vera Viewer', 'vera@example.com', { teams: [{ name: A.name, role: 'viewer' }] }),
	};
	const m = users.manager.jar;
	const conns = {};
	conns.A = await httpBasic(m, A, { url: standin.url, password,
		name: fresh('connections', 'name', 'Payroll API') });
	conns.oauth = (await mustCreate(m, { connector: 'servicenow', protocol: 'oauth2_code',
		name: fresh('connections', 'name', 'ServiceNow IT'), team: A.id,
		fields: { url: 'https://127.0.0.1:9', client_id: 'tour-client', client_secret: 'tour-client-secret' } })).id;
	conns.per = (await mustCreate(m, { connector: 'servicenow', protocol: 'basic',
		name: fresh('connections', 'name', 'ServiceNow per user'), team: A.id, context: 'per_user',
		fields: { url: 'https://127.0.0.1:9', username: 'svc', password: null } })).id;
	// Something on History and on the chart: two more tests.
	await testNow(m, conns.A);
	await testNow(m, conns.A);
	const share = await post(`/connections/${conns.A}/sharing`, { csrf: await sessionCsrf(m,
		`/connections/${conns.A}/sharing`), action: 'share', team: String(B.id), permission: 'use' }, m);
	assert.equal(share.status, 303, 'shared with Finance Ops');
	const flow = flowAdd({ name: fresh('flows', 'name', 'Monthly payroll sync'), version: 2,
		owner: 'Payroll team', connections: [conns.A] }).id;
	const nc = Number(psqlValue(`INSERT INTO named_credentials (owner_team_id, name, description, url,
	    auth_protocol, settings) VALUES (${Number(A.id)}, ${sqlString(fresh('named_credentials', 'name',
	    'Payroll gateway'))}, 'The payroll provider''s API gateway', 'https://payroll.example.com',
	    'bearer', '{}') RETURNING id`));
	const hook = 'https://localhost:9/tether/payroll';
	const taken = Number(psqlValue(`SELECT count(*) FROM webhook_endpoints WHERE url = ${sqlString(hook)}`));
	tetherctl('webhook', 'add', taken === 0 ? hook : `${hook}/${uniq('h')}`, '--team', A.name);
	webhookId = Number(psqlValue('SELECT max(id) FROM webhook_endpoints'));
	// An uplink into the payroll provider's network, an OAuth client of the
	// team, a second connection of the same kind (Replace in flows offers it),
	// and an API token of the member's.
	const uplink = Number(psqlValue(`INSERT INTO uplinks (name, proxy_url, allow, egress)
	    VALUES (${sqlString(fresh('uplinks', 'name', 'Payroll DC'))}, 'http://127.0.0.1:9',
	    '127.0.0.0/8', '192.0.2.44') RETURNING id`));
	const client = Number(psqlValue(`INSERT INTO oauth_clients (owner_team_id, name, connector,
	    protocol, client_id) VALUES (${Number(A.id)}, ${sqlString(fresh('oauth_clients', 'name',
	    'ServiceNow app'))}, 'servicenow', 'oauth2_code', 'tour-app') RETURNING id`));
	await httpBasic(m, A, { url: standin.url, password, name: fresh('connections', 'name', 'Payroll API (new)') });
	tetherctl('token', 'add', users.member.email, 'Nightly export', '--scopes', 'connections:read,tests:run');
	const missing = Number(psqlValue('SELECT COALESCE(max(id), 0) + 1000000 FROM connections'));
	return { teams: { A, B }, users, conns, flow, nc, missing, uplink, client };
}

before(async () => {
	w = await buildTour();
});

after(async () => {
	await standin?.close();
});

/**
 * The pages of the tour: [name, path, { role: status }]; a role left out
 * does not visit the page. Statuses are what the routes promise: 403 where
 * the role may not act (Edit, Delete, New connection, Named credentials,
 * Audit for members and viewers), 404 for the admins' pages (Teams).
 */
function pages() {
	const c = w.conns.A;
	const all = (s = 200) => ({ admin: s, manager: s, member: s, viewer: s });
	return [
		['integrations', '/', all()],
		['details', `/connections/${c}`, all()],
		['related', `/connections/${c}/related`, all()],
		['history', `/connections/${c}/history`, all()],
		['sharing', `/connections/${c}/sharing`, all()],
		['edit', `/connections/${c}/edit`, { admin: 200, manager: 200, member: 403, viewer: 403 }],
		['delete', `/connections/${c}/delete`, { admin: 200, manager: 200, member: 403, viewer: 403 }],
		['oauth-details', `/connections/${w.conns.oauth}`, { admin: 200, manager: 200 }],
		['per-user-details', `/connections/${w.conns.per}`, { admin: 200, member: 200 }],
		['per-user-credentials', `/connections/${w.conns.per}/credentials`,
			{ admin: 200, manager: 200, member: 200, viewer: 403 }],
		['new-connection', '/connections/new?connector=http',
			{ admin: 200, manager: 200, member: 403, viewer: 403 }],
		['new-connection-jira', '/connections/new?connector=jira', { admin: 200, manager: 200 }],
		['connectors', '/connectors', all()],
		['connector-jira', '/connectors/jira', all()],
		['named-credentials', '/named-credentials', { admin: 200, manager: 200, member: 403, viewer: 403 }],
		['named-credential', `/named-credentials/${w.nc}`, { admin: 200, manager: 200 }],
		['audit', '/audit', { admin: 200, manager: 200, member: 403, viewer: 403 }],
		['teams', '/teams', { admin: 200, manager: 404, member: 404, viewer: 404 }],
		['team', `/teams/${w.teams.A.id}`, { admin: 200 }],
		['users', '/users', { admin: 200 }],
		['webhooks', '/webhooks', { admin: 200 }],
		['webhook', `/webhooks/${webhookId}`, { admin: 200 }],
		['flow', `/flows/${w.flow}`, { admin: 200, manager: 200 }],
		['replace', `/connections/${c}/replace`, { admin: 200, manager: 200, member: 403, viewer: 403 }],
		['api-tokens', '/api-tokens', all()],
		['uplinks', '/uplinks', { admin: 200, manager: 403, member: 403, viewer: 403 }],
		['uplink', `/uplinks/${w.uplink}`, { admin: 200 }],
		['oauth-clients', '/oauth-clients', { admin: 200, manager: 200, member: 403, viewer: 403 }],
		['oauth-client', `/oauth-clients/${w.client}`, { admin: 200, manager: 200 }],
		['error-404', `/connections/${w.missing}`, all(404)],
	];
}

/**
 * The pages docs/ shows (ROLE:PAGE → docs/screenshots/NAME.png): saved again
 * as docs-NAME.png, the first 1366×900 only; tools/screenshots.sh copies them.
 */
const DOCS = {
	'admin:integrations': 'integrations',
	'manager:details': 'connection-details',
	'manager:history': 'connection-history',
	'manager:sharing': 'connection-sharing',
	'admin:new-connection-jira': 'new-connection',
	'admin:connector-jira': 'connector',
	'member:per-user-details': 'per-user-connection',
	'admin:named-credentials': 'named-credentials',
	'admin:audit': 'audit',
	'admin:users': 'users',
	'admin:webhooks': 'webhooks',
	'manager:replace': 'replace-in-flows',
	'member:api-tokens': 'api-tokens',
	'admin:uplinks': 'uplinks',
	'manager:oauth-clients': 'oauth-clients',
};

/**
 * What is wrong with the page as laid out now ([] when nothing): no <h1>,
 * wider than the viewport (phone), or two parts of the header overlapping
 * (the brand, the navigation, the user's e-mail, Sign out; and the
 * navigation's links among themselves, each clipped to the part of the
 * navigation that shows).
 */
async function layoutProblems(page, phone) {
	return page.evaluate((isPhone) => {
		const out = [];
		const h1 = document.querySelector('main h1');
		if (h1 === null || h1.textContent.trim() === '')
			out.push('no <h1> in main');
		const se = document.scrollingElement;
		if (isPhone && se.scrollWidth > window.innerWidth)
			out.push(`wider than the phone: scrollWidth ${se.scrollWidth} > ${window.innerWidth}`);
		const box = (el) => {
			const r = el.getBoundingClientRect();
			return { l: r.left, t: r.top, r: r.right, b: r.bottom };
		};
		const clip = (a, c) => ({ l: Math.max(a.l, c.l), t: Math.max(a.t, c.t),
			r: Math.min(a.r, c.r), b: Math.min(a.b, c.b) });
		const area = (a) => Math.max(0, a.r - a.l) * Math.max(0, a.b - a.t);
		const overlaps = (list) => {
			for (let i = 0; i < list.length; i++)
				for (let j = i + 1; j < list.length; j++)
					if (area(clip(list[i].box, list[j].box)) > 1)
						out.push(`header: ${list[i].name} overlaps ${list[j].name}`);
		};
		const parts = [['brand', '.site-header .brand'], ['navigation', '.site-nav'],
			['e-mail', '.user-menu .user-id'], ['API tokens', '.user-menu a.btn-header'],
			['Sign out', '.signout-form button']]
			.map(([name, sel]) => ({ name, el: document.querySelector(sel) }))
			.filter((p) => p.el !== null && area(box(p.el)) > 0)
			.map((p) => ({ name: p.name, box: box(p.el) }));
		overlaps(parts);
		const nav = document.querySelector('.site-nav');
		if (nav !== null) {
			// A scrolling navigation (phones) shows only its own box; one that
			// does not scroll shows its links wherever they spill, even over the
			// user menu.
			const scrolls = getComputedStyle(nav).overflowX !== 'visible';
			const shown = scrolls ? box(nav) : { l: -1e9, t: -1e9, r: 1e9, b: 1e9 };
			const links = [...nav.querySelectorAll('li')]
				.map((li) => ({ name: `"${li.textContent.trim()}"`, box: clip(box(li), shown) }))
				.filter((p) => area(p.box) > 0);
			overlaps([...links, ...parts.filter((p) => p.name !== 'navigation')]);
		}
		return out;
	}, phone);
}

/**
 * Visit each page the role may visit; screenshot each; the problems found
 * ([] when none), each "PAGE: what".
 */
async function tour({ page, messages }, role, vp) {
	const problems = [];
	let n = 0;
	for (const [name, path, statuses] of pages()) {
		if (!(role in statuses))
			continue;
		const seen = messages.length;
		const res = await page.goto(`${baseUrl()}${path}`);
		// Chromium logs every error status it loads; the expected one is no error.
		const expected = `error: Failed to load resource: the server responded with a status of ${statuses[role]} `;
		messages.splice(seen, messages.length - seen,
		    ...messages.slice(seen).filter((m) => !m.startsWith(expected)));
		const file = `tour-${vp}-${role}-${String(++n).padStart(2, '0')}-${name}`;
		await screenshot(page, file);
		const doc = vp === 'desktop' && DOCS[`${role}:${name}`];
		if (doc)
			await screenshot(page, `docs-${doc}`, { fullPage: false });
		if (res.status() !== statuses[role])
			problems.push(`${file}: status ${res.status()}, expected ${statuses[role]}`);
		for (const p of await layoutProblems(page, vp === 'phone'))
			problems.push(`${file}: ${p}`);
	}
	return problems;
}

for (const [vp, viewport] of Object.entries(VIEWPORTS)) {
	test(`the sign-in page renders at ${viewport.width}×${viewport.height}`, async () => {
		const b = await openBrowser({ viewport });
		try {
			const res = await b.page.goto(`${baseUrl()}/login`);
			await screenshot(b.page, `tour-${vp}-signed-out-01-sign-in`);
			assert.equal(res.status(), 200);
			assert.deepEqual(await layoutProblems(b.page, vp === 'phone'), []);
			assertCleanConsole(b.messages, 'sign-in');
		} finally {
			await b.close();
		}
	});

	for (const role of ['admin', 'manager', 'member', 'viewer']) {
		test(`every page of a ${role} renders at ${viewport.width}×${viewport.height}`, async () => {
			const b = await openBrowser({ viewport });
			try {
				await signInPage(b.page, w.users[role]);
				const problems = await tour(b, role, vp);
				assert.deepEqual(problems, [], `${role}, ${vp}: pages that do not render well`);
				assertCleanConsole(b.messages, `${role}, ${vp}`);
			} finally {
				await b.close();
			}
		});
	}
}

test('the layout checks see a page wider than the phone and a header that overlaps', async () => {
	const b = await openBrowser({ viewport: VIEWPORTS.phone });
	try {
		await signInPage(b.page, w.users.admin);
		assert.deepEqual(await layoutProblems(b.page, true), [], 'the Integrations tab as it is');
		await b.page.evaluate(() => {
			document.querySelector('main').style.minWidth = '600px';
			document.querySelector('.user-menu').style.cssText = 'position: absolute; left: 0; top: 0';
		});
		const found = await layoutProblems(b.page, true);
		assert.ok(found.some((p) => /^wider than the phone: scrollWidth \d+ > 390$/.test(p)), found.join('; '));
		assert.ok(found.some((p) => /^header: brand overlaps (e-mail|Sign out)$/.test(p)), found.join('; '));
	} finally {
		await b.close();
	}
});
