// The status model as people see it (issue 11 §1, §3's summary): the
// neutral "Not testable", a per-user connection's own state for each viewer
// and the managers' summary of everyone's, the Details tab's failure run,
// status history and expiry, the Integrations tab's summary and filters,
// expiry dates on secret fields and the scheduled check in Edit.
// Connections are seeded with psql into teams of this run; pages come from
// a tether-fcgi of the test's own (tests/lib/tether.mjs) with an HTTP front
// for the browser part, which saves screenshots (tests/lib/browser.mjs).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { parseList, seed } from '../lib/list.mjs';
import {
	csrfFrom, makeUser, pageText, psql, psqlValue, signIn, sqlString, tetherctl, uniq,
} from '../lib/stack.mjs';
import { startTether, tetherctlAsync } from '../lib/tether.mjs';
import { fcgiRequest } from '../lib/fcgi.mjs';
import { formSubmission } from '../lib/lifecycle/lc.mjs';
import {
	assertCleanConsole, numberedScreenshots, openBrowser, signInPage,
} from '../lib/browser.mjs';

const P = uniq('H');

let tether;
let s;		// seeded teams and connections
const u = {};	// manager, a, b, c (shared team member), viewer, admin: { user, app }

async function session(teams, opts = {}) {
	const user = makeUser({ teams, ...opts });
	const { jar } = await signIn(user.email, user.password);
	return { user, app: tether.client(jar) };
}

async function page(who, uri) {
	const r = await who.app.get(uri);
	assert.equal(r.status, 200, `GET ${uri}: ${pageText(r.text).slice(0, 300)}`);
	return r.text;
}

/** The badges of a page: [{ cls, text }] in document order. */
function badges(html) {
	return [...html.matchAll(/<span class="badge badge-([a-z_]+)">([\s\S]*?)<\/span>/g)]
	    .map(([, cls, text]) => ({ cls, text: pageText(text) }));
}

/** The section with heading id `id` (up to its </section>). */
function section(html, id) {
	const at = html.indexOf(`id="${id}"`);
	assert.notEqual(at, -1, `a section titled #${id}`);
	const start = html.lastIndexOf('<section', at);
	return html.slice(start, html.indexOf('</section>', at));
}

const key = () => psqlValue('SELECT max(version) FROM vault_keys');

/** A stored (fake, never decrypted) per-user secret for a user. */
function userSecret(conn, user) {
	psql(`INSERT INTO user_connection_secrets (connection_id, user_id, field, key_version, nonce, ciphertext)
	    VALUES (${conn}, ${user}, 'password', ${key()}, '\\x00', '\\x00')`);
}

function userState(conn, user, status, { testedAgo = '1 hour', result, message = '' } = {}) {
	psql(`INSERT INTO user_connection_states (connection_id, user_id, status, last_tested_at,
	    last_test_result, last_test_message, failing_since, consecutive_failures)
	    VALUES (${conn}, ${user}, ${sqlString(status)}, now() - ${sqlString(testedAgo)}::interval,
	    ${sqlString(result ?? (status === 'ok' ? 'ok' : status === 'needs_reconnect' ? 'needs_reconnect' : 'http_error'))},
	    ${sqlString(message)}, ${status === 'ok' ? 'NULL' : `now() - ${sqlString(testedAgo)}::interval`},
	    ${status === 'ok' ? 0 : 1})`);
}

function userTest(conn, user, result, ago) {
	psql(`INSERT INTO connection_tests (connection_id, trigger, triggered_by, user_id, result, latency_ms,
	    tested_at) VALUES (${conn}, 'manual', ${user}, ${user}, ${sqlString(result)}, 120,
	    now() - ${sqlString(ago)}::interval)`);
}

before(async () => {
	tether = await startTether({ front: true });
	s = seed(P, {
		teams: ['own', 'shared', 'other', 'calm'],
		connections: [
			{ key: 'ok', team: 'own', name: `${P} Healthy`, status: 'ok', testedAgo: '5 minutes' },
			{ key: 'fail', team: 'own', name: `${P} Broken API`, status: 'failing', testedAgo: '10 minutes' },
			{ key: 'recon', team: 'own', name: `${P} Expired OAuth`, connector: 'servicenow',
			    protocol: 'oauth2_code', status: 'needs_reconnect', testedAgo: '1 hour' },
			{ key: 'expiring', team: 'own', name: `${P} Key expiring`, status: 'ok', testedAgo: '1 hour' },
			{ key: 'peruser', team: 'own', name: `${P} Per-user ServiceNow`, connector: 'servicenow',
			    protocol: 'basic' },
			{ key: 'hidden', team: 'other', name: `${P} Other team failing`, status: 'failing',
			    testedAgo: '1 hour' },
			{ key: 'calm', team: 'calm', name: `${P} Calm`, status: 'ok', testedAgo: '1 hour' },
		],
		shares: [{ connection: 'peruser', team: 'shared' }],
	});
	// The failing one: a run of four failures since two days ago, and its history.
	const f = s.connections.fail.id;
	psql(`UPDATE connections SET failing_since = now() - interval '2 days', consecutive_failures = 4,
	    last_test_message = 'HTTP 503 from the API' WHERE id = ${f};
	    INSERT INTO connection_status_changes (connection_id, at, from_status, to_status, reason, trigger,
	        consecutive_failures) VALUES
	      (${f}, now() - interval '5 days', 'not_tested', 'ok', 'The connection works.', 'create', 0),
	      (${f}, now() - interval '2 days', 'ok', 'failing', 'HTTP 503 from the API', 'schedule', 1);
	    UPDATE connections SET secrets_expire_on = current_date + 5 WHERE id = ${s.connections.expiring.id};
	    UPDATE connections SET execution_context = 'per_user', settings = '{"url":"https://sn.example.com","username":"svc"}'
	    WHERE id = ${s.connections.peruser.id};`);
	u.manager = await session([{ name: `${P}-own`, role: 'manager' }]);
	u.a = await session([`${P}-own`]);
	u.b = await session([`${P}-own`]);
	u.c = await session([`${P}-shared`]);
	u.viewer = await session([{ name: `${P}-own`, role: 'viewer' }]);
	u.admin = await session([], { admin: true });
	// Per-user: A connected with three tests of their own, B needs reconnect,
	// C (in the team it is shared with) and the manager not connected.
	const pu = s.connections.peruser.id;
	for (const who of [u.a, u.b])
		userSecret(pu, who.user.id);
	userState(pu, u.a.user.id, 'ok', { testedAgo: '20 minutes', message: 'The connection works.' });
	userState(pu, u.b.user.id, 'needs_reconnect', { message: 'The authorization has expired.' });
	for (const ago of ['3 hours', '2 hours', '20 minutes'])
		userTest(pu, u.a.user.id, 'ok', ago);
	userTest(pu, u.b.user.id, 'needs_reconnect', '1 hour');
});

after(async () => {
	await tether?.stop();
});

describe('not testable is neutral', () => {
	test('a connection Tether cannot test is Not testable after tetherctl test, never Failing', async () => {
		const pu = s.connections.peruser.id;
		// Reproduces the report: tested from the CLI (as nobody), it must not turn red.
		const r = await tetherctlAsync(['test', String(pu)]);
		assert.equal(r.status, 1, 'not a pass');
		assert.equal(psqlValue(`SELECT status FROM connections WHERE id = ${pu}`), 'not_testable');
		const l = parseList(await page(u.admin, `/?q=${encodeURIComponent(P)}`));
		const row = l.rows.find((x) => x.id === String(pu));
		assert.equal(row.status, 'Not testable');
		assert.match(row.lastTested, /No test$/, 'no red "Failed" either');
		assert.match(l.text, /Not testable/);
		const html = await page(u.admin, `/?q=${encodeURIComponent(P)}`);
		assert.ok(badges(html).some((b) => b.cls === 'not_testable' && b.text === 'Not testable'),
		    JSON.stringify(badges(html)));
	});

	test('the status filter offers Not testable and finds it; it is not counted as failing', async () => {
		const html = await page(u.admin, `/?q=${encodeURIComponent(P)}&status=not_testable`);
		const l = parseList(html);
		assert.ok(l.form.options.status.some((o) => o.value === 'not_testable' && o.label === 'Not testable'));
		assert.equal(l.form.status, 'not_testable');
		assert.deepEqual(l.rows.map((x) => x.id), [String(s.connections.peruser.id)]);
	});

	test('the API says not_testable, and each user\'s own state of a per-user connection', async () => {
		const api = async (who, id) => {
			const token = tetherctl('token', 'add', who.user.email, uniq('t')).trim();
			const r = await fcgiRequest(tether.sock, { uri: `/api/v1/connections/${id}`,
			    headers: { authorization: `Bearer ${token}` } });
			assert.equal(r.status, 200, r.text);
			return JSON.parse(r.text);
		};
		const j = await api(u.a, s.connections.peruser.id);
		assert.equal(j.status, 'not_testable');
		assert.equal(j.status_label, 'Not testable');
		assert.deepEqual([j.own_state.status, j.own_state.label], ['ok', 'Connected']);
		assert.match(j.own_state.last_tested_at, /^\d{4}-\d{2}-\d{2}T/);
		const c = await api(u.c, s.connections.peruser.id);
		assert.deepEqual([c.own_state.status, c.own_state.label], ['not_connected', 'Not connected']);
		const f = await api(u.a, s.connections.fail.id);
		assert.equal(f.consecutive_failures, 4);
		assert.match(f.failing_since, /^\d{4}-\d{2}-\d{2}T/);
		assert.equal(f.own_state, undefined);
	});
});

describe('a per-user connection shows each viewer their own state', () => {
	test('A (connected, three tests of their own) sees Connected everywhere, their last test and chart', async () => {
		const html = await page(u.a, `/connections/${s.connections.peruser.id}`);
		const bs = badges(html);
		assert.ok(bs.length >= 1);
		for (const b of bs)
			assert.deepEqual(b, { cls: 'ok', text: 'Connected' }, `every badge agrees: ${JSON.stringify(bs)}`);
		const text = pageText(html);
		assert.doesNotMatch(text, /Not tested yet|Not testable/);
		assert.doesNotMatch(text, /Last tested\s*Never/);
		assert.match(text, /Last tested\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
		const bars = [...html.matchAll(/<rect class="bar-/g)].length;
		assert.equal(bars, 3, 'A\'s own three tests, not B\'s');
		assert.doesNotMatch(text, /of \d+ users connected/, 'a member sees no summary of others');
		assert.match(text, /Password\s*Each user's own · yours is stored/, 'not "Not stored"');
	});

	test('B (needs reconnect) sees Needs reconnect and one call to action', async () => {
		const html = await page(u.b, `/connections/${s.connections.peruser.id}`);
		for (const b of badges(html))
			assert.deepEqual(b, { cls: 'needs_reconnect', text: 'Needs reconnect' });
		const text = pageText(html);
		assert.equal([...text.matchAll(/Enter your credentials/g)].length, 1, 'one call to action');
		assert.equal([...html.matchAll(/<rect class="bar-/g)].length, 1, 'B\'s one test');
	});

	test('C (shared team, no credentials) is Not connected', async () => {
		const html = await page(u.c, `/connections/${s.connections.peruser.id}`);
		const bs = badges(html);
		assert.ok(bs.length >= 1);
		for (const b of bs)
			assert.equal(b.text, 'Not connected');
		assert.equal([...html.matchAll(/<rect class="bar-/g)].length, 0, 'no chart of other people\'s tests');
	});

	test('the manager sees their own state and the summary of everyone who may use it', async () => {
		const html = await page(u.manager, `/connections/${s.connections.peruser.id}`);
		const text = pageText(html);
		// manager, a, b (own team, not the viewer) and c (shared team): 4 may use it.
		assert.match(text, /1 of 4 users connected\s*, 1 needs reconnect, 2 not connected/);
		const bs = badges(html);
		assert.ok(bs.length >= 1);
		for (const b of bs)
			assert.equal(b.text, 'Not connected', 'the manager\'s own state, in every badge');
	});
});

describe('the Details tab of a failing connection', () => {
	test('says since when and how many checks in a row, and the status history, newest first', async () => {
		const html = await page(u.a, `/connections/${s.connections.fail.id}`);
		const text = pageText(html);
		assert.match(text, /Failing since \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(4 checks in a row\)/);
		const h = pageText(section(html, 'status-history-title'));
		const to = '\\s*(?:&rarr;|→)\\s*(?:to\\s*)?';
		assert.match(h, new RegExp(`Connected${to}Failing\\s*HTTP 503 from the API\\s*Scheduled check[\\s\\S]*Not tested yet${to}Connected\\s*The connection works.\\s*Created`));
	});

	test('an expiry within the horizon: "Expires in 5 days (on DATE)"', async () => {
		const html = await page(u.a, `/connections/${s.connections.expiring.id}`);
		const d = psqlValue('SELECT to_char(current_date + 5, \'YYYY-MM-DD\')');
		assert.match(pageText(html), new RegExp(`Expires in 5 days \\(on ${d}\\)`));
		psql(`UPDATE connections SET secrets_expire_on = current_date - 1 WHERE id = ${s.connections.expiring.id}`);
		const d1 = psqlValue('SELECT to_char(current_date - 1, \'YYYY-MM-DD\')');
		assert.match(pageText(await page(u.a, `/connections/${s.connections.expiring.id}`)),
		    new RegExp(`Expired on ${d1}`));
		psql(`UPDATE connections SET secrets_expire_on = current_date + 5 WHERE id = ${s.connections.expiring.id}`);
	});

	test('an expiry beyond the horizon is shown as a date only', async () => {
		psql(`UPDATE connections SET secrets_expire_on = current_date + 200 WHERE id = ${s.connections.ok.id}`);
		const text = pageText(await page(u.a, `/connections/${s.connections.ok.id}`));
		const d = psqlValue('SELECT to_char(current_date + 200, \'YYYY-MM-DD\')');
		assert.match(text, new RegExp(`Expires on ${d}`));
		assert.doesNotMatch(text, /Expires in/);
		psql(`UPDATE connections SET secrets_expire_on = NULL WHERE id = ${s.connections.ok.id}`);
	});
});

describe('the Integrations tab summary', () => {
	test('counts what the viewer can see, each linking to the filtered list', async () => {
		const html = await page(u.a, '/');
		const sum = section(html, 'health-summary-title');
		const text = pageText(sum);
		assert.match(text, /1 failing/);
		assert.match(text, /1 needs reconnect/);
		assert.match(text, /1 expiring/);
		assert.match(sum, /href="\/\?status=failing"/);
		assert.match(sum, /href="\/\?status=needs_reconnect"/);
		assert.match(sum, /href="\/\?status=expiring"/);
		const l = parseList(await page(u.a, '/?status=expiring'));
		assert.deepEqual(l.rows.map((x) => x.name), [`${P} Key expiring`]);
		const f = parseList(await page(u.a, '/?status=failing'));
		assert.deepEqual(f.rows.map((x) => x.name), [`${P} Broken API`], 'not the other team\'s');
	});

	test('a viewer with nothing wrong sees one calm line, never an empty box', async () => {
		const calm = await session([`${P}-calm`]);
		const html = await page(calm, '/');
		const text = pageText(section(html, 'health-summary-title'));
		assert.match(text, /No connection is failing, needs reconnect or expires within 14 days/);
		assert.doesNotMatch(text, /\d+ failing/);
	});

	test('the cached page follows a status change (list version)', async () => {
		await page(u.a, '/');
		psql(`UPDATE connections SET status = 'ok', failing_since = NULL WHERE id = ${s.connections.fail.id}`);
		const text = pageText(section(await page(u.a, '/'), 'health-summary-title'));
		assert.doesNotMatch(text, /failing/);
		psql(`UPDATE connections SET status = 'failing', failing_since = now() - interval '2 days'
		    WHERE id = ${s.connections.fail.id}`);
	});
});

describe('secret expiry dates and the scheduled check', () => {
	let id;
	const day = (n) => psqlValue(`SELECT to_char(current_date + ${n}, 'YYYY-MM-DD')`);

	async function editForm(who) {
		const r = await who.app.get(`/connections/${id}/edit?confirm=1`);
		assert.equal(r.status, 200, pageText(r.text).slice(0, 300));
		return { html: r.text, body: formSubmission(r.text) };
	}

	async function postEdit(who, change) {
		const { body } = await editForm(who);
		for (const [k, v] of Object.entries(change)) {
			if (v === null)
				delete body[k];
			else
				body[k] = v;
		}
		return who.app.post(`/connections/${id}/edit`, body);
	}

	const stored = () => psql(`SELECT COALESCE(to_char(s.expires_on, 'YYYY-MM-DD'), ''),
	    COALESCE(to_char(c.secrets_expire_on, 'YYYY-MM-DD'), ''), c.check_interval
	    FROM connections c JOIN connection_secrets s ON s.connection_id = c.id AND s.field = 'token'
	    WHERE c.id = ${id}`)[0];

	before(() => {
		id = psqlValue(`INSERT INTO connections (owner_team_id, name, connector, auth_protocol, settings)
		    VALUES (${s.teams.own.id}, ${sqlString(`${P} Bearer`)}, 'http', 'bearer',
		    '{"url":"http://127.0.0.1:9/api","test_path":"/","test_status":"200"}') RETURNING id`);
		psql(`INSERT INTO connection_secrets (connection_id, field, key_version, nonce, ciphertext)
		    VALUES (${id}, 'token', ${key()}, '\\x00', '\\x00')`);
	});

	test('the edit form has an optional "Expires on" beside the secret and a "Scheduled check" select', async () => {
		const { html, body } = await editForm(u.manager);
		assert.match(html, /<input[^>]*name="f\.token\.expires_on"[^>]*type="date"|<input[^>]*type="date"[^>]*name="f\.token\.expires_on"/);
		assert.equal(body['f.token.expires_on'], '');
		const sel = /<select[^>]*name="check_interval"[^>]*>([\s\S]*?)<\/select>/.exec(html);
		assert.ok(sel, 'a check_interval select');
		const opts = [...sel[1].matchAll(/<option value="([^"]*)"([^>]*)>([^<]*)</g)].map((m) => [m[1], pageText(m[3])]);
		assert.deepEqual(opts, [['default', 'Default (every 60 minutes)'], ['15m', 'Every 15 minutes'],
			['1h', 'Hourly'], ['1d', 'Daily'], ['off', 'Off']]);
		assert.equal(body.check_interval, 'default');
	});

	test('a bad date is refused with a clear message and nothing is saved', async () => {
		for (const bad of ['2027-02-30', 'next week', '1999-12-31', '2027-1-5', `${day(10)}x`]) {
			const r = await postEdit(u.manager, { 'f.token.expires_on': bad, check_interval: '1h' });
			assert.equal(r.status, 422, bad);
			assert.match(pageText(r.text), /Enter a date as YYYY-MM-DD|Enter a real date|Enter a date from 2000-01-01 to 2099-12-31/, bad);
			assert.deepEqual(stored(), ['', '', 'default'], `${bad}: nothing saved`);
		}
		const r = await postEdit(u.manager, { check_interval: 'weekly' });
		assert.equal(r.status, 422);
		assert.match(pageText(r.text), /Choose one of the scheduled checks/);
	});

	test('a date and a schedule are saved, shown on Details, kept when left as they are', async () => {
		let r = await postEdit(u.manager, { 'f.token.expires_on': day(10), check_interval: '1h' });
		assert.equal(r.status, 303, pageText(r.text).slice(0, 400));
		assert.deepEqual(stored(), [day(10), day(10), '1h']);
		const text = pageText(await page(u.manager, `/connections/${id}`));
		assert.match(text, new RegExp(`Expires in 10 days \\(on ${day(10)}\\)`));
		assert.match(text, /Scheduled check\s*Hourly/);
		assert.match(text, new RegExp(`Token\\s*Stored · last changed on [^·]* · expires on ${day(10)}`));
		assert.match(text, /Version 2[\s\S]*Scheduled check, Token expiry date/, 'the version history names them');
		const { body } = await editForm(u.manager);
		assert.equal(body['f.token.expires_on'], day(10), 'the form shows the stored date');
		assert.equal(body.check_interval, '1h');
		r = await postEdit(u.manager, { description: 'changed' });
		assert.equal(r.status, 303);
		assert.deepEqual(stored(), [day(10), day(10), '1h'], 'left as it was: kept');
		r = await postEdit(u.manager, { description: 'changed again', 'f.token.expires_on': null, check_interval: null });
		assert.equal(r.status, 303);
		assert.deepEqual(stored(), [day(10), day(10), '1h'], 'left out of the form: kept');
	});

	test('clearing the date removes it', async () => {
		const r = await postEdit(u.manager, { 'f.token.expires_on': '', check_interval: 'default' });
		assert.equal(r.status, 303);
		assert.deepEqual(stored(), ['', '', 'default']);
	});

	test('the New connection form stores the date with the secret', async () => {
		const c = await u.manager.app.create({ connector: 'http', protocol: 'bearer', team: s.teams.own.id,
			name: uniq(`${P} New bearer`), fields: { url: 'http://127.0.0.1:9/api', token: 'tok-secret-value',
			'token.expires_on': day(30) } });
		assert.equal(c.status, 303, pageText(c.res.text).slice(0, 400));
		assert.equal(psqlValue(`SELECT to_char(expires_on, 'YYYY-MM-DD') FROM connection_secrets
		    WHERE connection_id = ${c.id} AND field = 'token'`), day(30));
	});
});

describe('in a browser', () => {
	const shot = numberedScreenshots('health-ui');
	let b;

	after(async () => {
		await b?.close();
	});

	test('the list with its summary; a count leads to the filtered list; Not testable is grey', async () => {
		b = await openBrowser({ viewport: { width: 1280, height: 900 } });
		await signInPage(b.page, u.a.user, tether.url);
		const summary = b.page.locator('.health-summary');
		await assert.doesNotReject(summary.waitFor());
		// The edits and creates above were tested against nothing listening: failing too.
		const failing = psql(`SELECT name FROM connections WHERE owner_team_id = ${s.teams.own.id}
		    AND status = 'failing' ORDER BY lower(name)`).map((r) => r[0]);
		assert.ok(failing.includes(`${P} Broken API`));
		assert.match(await summary.innerText(),
		    new RegExp(`${failing.length} failing\\s*1 needs reconnect\\s*1 expiring within 14 days`));
		const grey = await b.page.locator('.connections-table .badge-not_testable').first()
		    .evaluate((e) => getComputedStyle(e).color);
		const red = await b.page.locator('.health-summary .badge-failing').evaluate((e) => getComputedStyle(e).color);
		assert.notEqual(grey, red, 'Not testable is not drawn red');
		await shot(b.page, 'list-summary');
		await Promise.all([b.page.waitForURL(/\?status=failing$/),
			b.page.getByRole('link', { name: `${failing.length} failing` }).click()]);
		assert.deepEqual(await b.page.locator('.connections-table tbody th a').allInnerTexts(), failing);
		assertCleanConsole(b.messages, 'list');
	});

	test('Details of a failing connection: since when, status history', async () => {
		await b.page.goto(`${tether.url}/connections/${s.connections.fail.id}`);
		assert.match(await b.page.locator('.failing-since').innerText(), /Failing since .* \(4 checks in a row\)/);
		await assert.doesNotReject(b.page.getByRole('heading', { name: 'Status history' }).waitFor());
		await shot(b.page, 'details-failing');
	});

	test('a per-user connection as its connected user, and as a manager', async () => {
		await b.page.goto(`${tether.url}/connections/${s.connections.peruser.id}`);
		assert.deepEqual(await b.page.locator('.badge').allInnerTexts(), ['Connected', 'Connected']);
		await shot(b.page, 'peruser-as-user');
		await b.close();
		b = await openBrowser({ viewport: { width: 1280, height: 900 } });
		await signInPage(b.page, u.manager.user, tether.url);
		await b.page.goto(`${tether.url}/connections/${s.connections.peruser.id}`);
		assert.match(await b.page.locator('.people-summary').innerText(), /1 of 4 users connected, 1 needs reconnect/);
		await shot(b.page, 'peruser-as-manager');
		assertCleanConsole(b.messages, 'per-user');
	});

	test('the edit form with an expiry date and the scheduled check', async () => {
		const id = psqlValue(`SELECT id FROM connections WHERE name = ${sqlString(`${P} Bearer`)}`);
		await b.page.goto(`${tether.url}/connections/${id}/edit?confirm=1`);
		await b.page.getByLabel('Token expires on (optional)').fill('2031-05-17');
		await b.page.getByLabel('Scheduled check').selectOption('1d');
		await shot(b.page, 'edit-expiry-schedule');
		await Promise.all([b.page.waitForURL(new RegExp(`/connections/${id}$`)),
			b.page.getByRole('button', { name: 'Save' }).click()]);
		assert.match(await b.page.locator('.detail-status').innerText(), /Daily[\s\S]*Expires on 2031-05-17/);
		await shot(b.page, 'details-after-edit');
		assertCleanConsole(b.messages, 'edit');
	});
});

describe('a named credential\'s secret expiry', () => {
	let nc;
	let conn;
	const day = (n) => psqlValue(`SELECT to_char(current_date + ${n}, 'YYYY-MM-DD')`);
	const dates = () => psql(`SELECT COALESCE(to_char(s.expires_on, 'YYYY-MM-DD'), ''),
	    COALESCE(to_char(c.secrets_expire_on, 'YYYY-MM-DD'), '') FROM named_credential_secrets s, connections c
	    WHERE s.named_credential_id = ${nc} AND c.id = ${conn}`)[0];

	async function save(change) {
		const form = await u.manager.app.get(`/named-credentials/${nc}`);
		assert.equal(form.status, 200);
		const body = { csrf: csrfFrom(form.text), action: 'save', url: 'https://nc.example.com',
			description: '', 'f.token': '', ...change };
		for (const [k, v] of Object.entries(change))
			if (v === null)
				delete body[k];
		return u.manager.app.post(`/named-credentials/${nc}`, body);
	}

	before(() => {
		nc = psqlValue(`INSERT INTO named_credentials (owner_team_id, name, url, auth_protocol, settings)
		    VALUES (${s.teams.own.id}, ${sqlString(`${P} NC`)}, 'https://nc.example.com', 'bearer', '{}') RETURNING id`);
		psql(`INSERT INTO named_credential_secrets (named_credential_id, field, key_version, nonce, ciphertext)
		    VALUES (${nc}, 'token', ${key()}, '\\x00', '\\x00')`);
		conn = psqlValue(`INSERT INTO connections (owner_team_id, name, connector, auth_protocol,
		    named_credential_id) VALUES (${s.teams.own.id}, ${sqlString(`${P} Uses NC`)}, 'salesforce',
		    'named_credential', ${nc}) RETURNING id`);
	});

	test('its page has the date; a bad one is refused; a good one flags the connections using it', async () => {
		const form = await u.manager.app.get(`/named-credentials/${nc}`);
		assert.match(form.text, /<input[^>]*name="expires_on"[^>]*type="date"/);
		let r = await save({ expires_on: '2027-02-30' });
		assert.equal(r.status, 422);
		assert.match(pageText(r.text), /Enter a real date/);
		assert.deepEqual(dates(), ['', '']);
		r = await save({ expires_on: day(7) });
		assert.equal(r.status, 303, pageText(r.text).slice(0, 300));
		assert.deepEqual(dates(), [day(7), day(7)], 'the connection using it expires with it');
		assert.match(pageText(await page(u.a, `/connections/${conn}`)), new RegExp(`Expires in 7 days \\(on ${day(7)}\\)`));
		r = await save({ expires_on: null, description: 'kept' });
		assert.equal(r.status, 303);
		assert.deepEqual(dates(), [day(7), day(7)], 'left out: kept');
		r = await save({ expires_on: '' });
		assert.equal(r.status, 303);
		assert.deepEqual(dates(), ['', '']);
	});

	test('a connection that starts using a named credential takes its date', async () => {
		psql(`UPDATE named_credential_secrets SET expires_on = current_date + 3 WHERE named_credential_id = ${nc}`);
		const c2 = psqlValue(`INSERT INTO connections (owner_team_id, name, connector, auth_protocol,
		    named_credential_id) VALUES (${s.teams.own.id}, ${sqlString(`${P} Uses NC too`)}, 'salesforce',
		    'named_credential', ${nc}) RETURNING id`);
		assert.equal(psqlValue(`SELECT to_char(secrets_expire_on, 'YYYY-MM-DD') FROM connections WHERE id = ${c2}`), day(3));
		assert.equal(psqlValue(`SELECT to_char(secrets_expire_on, 'YYYY-MM-DD') FROM connections WHERE id = ${conn}`), day(3));
	});
});

describe('a user\'s own credentials of a per-user connection may carry an expiry', () => {
	const day = (n) => psqlValue(`SELECT to_char(current_date + ${n}, 'YYYY-MM-DD')`);

	async function saveOwn(who, fields) {
		const id = s.connections.peruser.id;
		return who.app.post(`/connections/${id}/credentials`, { csrf: await who.app.csrf(`/connections/${id}`),
			...fields });
	}

	test('"Your credentials" has the date; a bad one is refused; a good one is the user\'s own', async () => {
		const id = s.connections.peruser.id;
		const form = await page(u.c, `/connections/${id}/credentials`);
		assert.match(form, /<input[^>]*name="f\.password\.expires_on"[^>]*type="date"/);
		let r = await saveOwn(u.c, { 'f.password': 'c-own-secret', 'f.password.expires_on': '2027-13-01' });
		assert.equal(r.status, 422);
		assert.match(pageText(r.text), /Enter a real date/);
		assert.equal(psqlValue(`SELECT count(*) FROM user_connection_secrets WHERE connection_id = ${id}
		    AND user_id = ${u.c.user.id}`), '0', 'nothing saved');
		r = await saveOwn(u.c, { 'f.password': 'c-own-secret', 'f.password.expires_on': day(10) });
		assert.equal(r.status, 303, pageText(r.text).slice(0, 300));
		assert.equal(psqlValue(`SELECT to_char(expires_on, 'YYYY-MM-DD') FROM user_connection_secrets
		    WHERE connection_id = ${id} AND user_id = ${u.c.user.id}`), day(10));
		assert.match(pageText(await page(u.c, `/connections/${id}`)), new RegExp(`Expires in 10 days \\(on ${day(10)}\\)`));
		assert.doesNotMatch(pageText(await page(u.a, `/connections/${id}`)), /Expires in 10 days/, 'C\'s, not A\'s');
		assert.match(await page(u.c, `/connections/${id}/credentials`), new RegExp(`value="${day(10)}"`));
	});
});

describe('a per-user connection that acts as the user', () => {
	test('has nothing to connect: "Acts as you" everywhere, and Test stays offered', async () => {
		const id = psqlValue(`INSERT INTO connections (owner_team_id, name, connector, auth_protocol,
		    execution_context, settings) VALUES (${s.teams.own.id}, ${sqlString(`${P} Acts as user`)},
		    'celonis-user', 'user', 'per_user', '{"domain":"acme.eu-1.invalid"}') RETURNING id`);
		const html = await page(u.b, `/connections/${id}`);
		const bs = badges(html);
		assert.ok(bs.length >= 2, JSON.stringify(bs));
		for (const b of bs)
			assert.equal(b.text, 'Acts as you');
		assert.match(html, new RegExp(`action="/connections/${id}/test"`), 'the Test button');
		assert.doesNotMatch(pageText(html), /Enter your credentials|Not connected/);
	});
});
