// No secret ever comes back out. Runs last
// among the integration tests (zz-): one connection for every connector,
// protocol and API type that has secret fields, made through the real form
// with a unique marker in every secret field (MARKER-<run>-<n>-<field>);
// then every page of each (details, related, history, edit, edit?confirm=1,
// delete, sharing), the list, the API (list and one), a failing edit (422),
// a stale edit (409), a successful edit entering every secret again, an
// OAuth Reconnect, a per-user connection's own credentials and a named
// credential. Then the scan: every body and header fetched, every file of
// TETHER_LOG_DIR (tether-fcgi, nginx and PostgreSQL logs of the whole suite)
// and every row of every table of the database (bytea as hex). A marker
// anywhere — as is, percent-encoded, hex or inside base64 — fails the test.
//
// Destinations: hosts under .invalid (a DNS failure, at once), except Generic
// HTTP, whose base URL is a hostile stand-in on loopback that answers 401
// with everything it received (URL, headers, body) in its body and headers:
// a tester that copied an answer into a message would copy the secret.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { after, before, test } from 'node:test';

import {
	fieldErrors, filesUnder, findMarkers, formControls, formSubmission, needles,
	startEchoStandin, tablesContaining,
} from '../lib/lifecycle/lc.mjs';
import {
	csrfFrom, decodeEntities, env, get, managerSession, pageText, post, request, tagAttr, tetherctl, uniq, waitFor,
} from '../lib/stack.mjs';

const RUN = randomBytes(5).toString('hex');
const PREFIX = `MARKER-${RUN}-`;
let counter = 0;
const markers = [];		// every marker entered (for the report)

function marker(field) {
	const m = `${PREFIX}${++counter}-${field}`;
	markers.push(m);
	return m;
}

let s;			// an admin who manages a team of their own
let token;		// their API token
let echo;		// the hostile stand-in
const seen = [];	// { what, text }: every answer, body and headers
const made = [];	// { id, connector, protocol, apiType, secrets: [input names of secrets] }

function record(what, r) {
	const headers = [...r.headers].map(([k, v]) => `${k}: ${v}`).join('\n');
	seen.push({ what, text: `${r.status}\n${headers}\n${r.setCookies.join('\n')}\n\n${r.text}` });
	return r;
}

const G = async (p) => record(`GET ${p}`, await get(p, s.jar));
const P = async (p, body) => settle(record(`POST ${p}`, await post(p, body, s.jar)));

/** A Create or Save answered at once (303 to its Testing… page): follow the
 * run to its end as a browser does, every page recorded; the POST's answer. */
async function settle(r) {
	let loc = r.headers.get('location') ?? '';
	for (let i = 0; i < 120 && /^\/connections\/[0-9]+\/testing\?run=/.test(loc); i++) {
		const t = await G(loc);
		if (t.status === 200) {
			await new Promise((resolve) => setTimeout(resolve, 250));
			continue;
		}
		loc = t.headers.get('location') ?? '';
		if (/^\/connections\/[0-9]+\/edit\?/.test(loc))
			await G(loc);
	}
	return r;
}
const API = async (p) => record(`API GET ${p}`, await request(p, { headers: { authorization: `Bearer ${token}` } }));

/** Links /connectors/KEY of the catalog, then each connector's New connection links. */
async function catalog() {
	const list = await G('/connectors');
	assert.equal(list.status, 200);
	const keys = [...new Set([...list.text.matchAll(/href="\/connectors\/([a-z0-9-]+)"/g)].map((m) => m[1]))];
	assert.ok(keys.length >= 10, `the catalog lists the connectors: ${keys}`);
	const out = [];
	for (const key of keys) {
		const page = await G(`/connectors/${key}`);
		assert.equal(page.status, 200, `/connectors/${key}`);
		for (const m of page.text.matchAll(/href="\/connections\/new\?connector=([a-z0-9-]+)&amp;protocol=([a-z0-9_]+)"/g))
			out.push({ connector: m[1], protocol: m[2] });
	}
	return out;
}

/** The API types the New connection form offers ([''] when none). */
function apiTypes(html) {
	const sel = /<select[^>]*name="api_type"[^>]*>([\s\S]*?)<\/select>/.exec(html);
	return sel === null ? [''] : [...sel[1].matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]);
}

/** A value for a non-secret field the form leaves empty, by key and type. */
function valueFor(c, connector) {
	const byKey = {
		url: connector === 'http' ? echo.url : 'https://tether-marker.invalid',
		login_url: 'https://tether-marker.invalid', authorize_url: 'https://tether-marker.invalid/authorize',
		token_url: 'https://tether-marker.invalid/token', domain: 'tether-marker.invalid',
		host: 'tether-marker.invalid', client: '100', pool_id: 'pool-1', username: 'svc-user',
		client_id: 'client-id-1', email: 'svc@example.com', from: 'noreply@example.com',
	};
	const key = c.name.slice(2);
	if (byKey[key] !== undefined)
		return byKey[key];
	if (c.type === 'url')
		return 'https://tether-marker.invalid';
	if (c.type === 'email')
		return 'svc@example.com';
	if (c.type === 'date')		// a secret's expiry (f.KEY.expires_on)
		return '2031-01-31';
	return 'value-1';
}

before(async () => {
	s = await managerSession({ admin: true });
	token = tetherctl('token', 'add', s.user.email, uniq('scan')).trim();
	echo = await startEchoStandin({ status: 401 });
});

after(async () => {
	await echo?.close();
});

test('one connection per connector, protocol and API type with secrets, every secret a marker', async () => {
	const forms = await catalog();
	for (const { connector, protocol } of forms) {
		const first = await G(`/connections/new?connector=${connector}&protocol=${protocol}`);
		assert.equal(first.status, 200);
		for (const apiType of apiTypes(first.text)) {
			const form = apiType === '' ? first
			    : await G(`/connections/new?connector=${connector}&protocol=${protocol}&api_type=${apiType}`);
			const controls = formControls(form.text);
			const secrets = controls.filter((c) => c.type === 'password').map((c) => c.name);
			if (secrets.length === 0)
				continue;
			const body = formSubmission(form.text);
			body.name = uniq('scan');
			body.team = String(s.team.id);
			body.context = 'system';
			for (const c of controls) {
				if (!c.name?.startsWith('f.') || c.disabled)
					continue;
				if (c.type === 'password')
					body[c.name] = marker(c.name.slice(2));
				else if ((body[c.name] ?? '') === '' && c.type !== 'checkbox')
					body[c.name] = valueFor(c, connector);
			}
			let r = await P('/connections', body);
			// Fields whose pattern refuses the generic value (issue 16's
			// SIDs, client IDs, hosts): their placeholder is of the form.
			const refused = r.status === 422 ? Object.keys(fieldErrors(r.text)) : [];
			if (refused.length > 0) {
				for (const c of controls)
					if (refused.includes(c.name) && tagAttr(c.tag, 'placeholder'))
						body[c.name] = decodeEntities(tagAttr(c.tag, 'placeholder'));
				for (const h of formControls(r.text))
					if (h.type === 'hidden' && h.name)
						body[h.name] = h.value ?? '';
				r = await P('/connections', body);
			}
			// OAuth authorization code goes on to Connect: a 200 page with
			// "Connect later" to the new connection.
			const later = r.status === 200 ? /href="\/connections\/([0-9]+)">Connect later/.exec(r.text) : null;
			assert.equal(later !== null ? 303 : r.status, 303, `create ${connector}/${protocol}/${apiType}: ` +
			    `${JSON.stringify(fieldErrors(r.text))} ${pageText(r.text).slice(0, 200)}`);
			const id = Number(later !== null ? later[1] :
			    /^\/connections\/([0-9]+)(?:\/testing\?run=[\w-]+)?$/.exec(r.headers.get('location'))[1]);
			made.push({ id, connector, protocol, apiType, secrets });
		}
	}
	const combos = made.map((m) => `${m.connector}/${m.protocol}${m.apiType ? '/' + m.apiType : ''}`);
	// What the connectors declare today; a new connector with secrets joins by itself.
	for (const want of ['jira/cloud', 'jira/server', 'salesforce/oauth2_code', 'servicenow/basic',
	    'servicenow/oauth2_code', 'celonis/app_key/intelligence', 'celonis/app_key/data_push',
	    'celonis/api_key/data_push', 'celonis/oauth2_client/intelligence', 'msgraph/oauth2_code',
	    'google-workspace/oauth2_code', 'sap/basic', 'smtp/basic', 'http/basic', 'http/api_key',
	    'http/api_key_query', 'http/bearer', 'http/oauth2_code', 'http/oauth2_client'])
		assert.ok(combos.includes(want), `${want} was made (made: ${combos.join(' ')})`);
	assert.ok(!combos.some((c) => c.startsWith('celonis-user/') || c === 'http/none'), 'no secret, no connection');
});

test('a per-user connection with the user\'s own secret, and a named credential', async () => {
	// ServiceNow Basic run as each user: the password is the user's own.
	const form = await G('/connections/new?connector=servicenow&protocol=basic');
	const body = { ...formSubmission(form.text), name: uniq('scan-per-user'), team: String(s.team.id),
		context: 'per_user', 'f.url': 'https://tether-marker.invalid', 'f.username': 'svc-user', 'f.password': '' };
	const r = await P('/connections', body);
	assert.equal(r.status, 303, JSON.stringify(fieldErrors(r.text)));
	const id = Number(/^\/connections\/([0-9]+)/.exec(r.headers.get('location'))[1]);
	const creds = await G(`/connections/${id}/credentials`);
	assert.equal(creds.status, 200);
	const saved = await P(`/connections/${id}/credentials`, { csrf: csrfFrom(creds.text), 'f.password': marker('own_password') });
	assert.equal(saved.status, 303, pageText(saved.text).slice(0, 200));
	// Too long: 422, the form again, never the value.
	const long = await P(`/connections/${id}/credentials`,
	    { csrf: csrfFrom(creds.text), 'f.password': marker('own_long') + 'x'.repeat(4100) });
	assert.equal(long.status, 422);
	await G(`/connections/${id}`);
	await G(`/connections/${id}/credentials`);
	made.push({ id, connector: 'servicenow', protocol: 'basic', apiType: '', secrets: [] });

	// A named credential (Basic) and a Salesforce connection using it.
	const csrf = csrfFrom((await G('/named-credentials')).text);
	const nc = await P('/named-credentials', { csrf, name: uniq('scan-nc'), description: '', team: String(s.team.id),
		url: 'https://tether-marker.invalid', protocol: 'basic', 'f.username': 'svc-user', 'f.password': marker('nc_password') });
	assert.equal(nc.status, 303, pageText(nc.text).slice(0, 300));
	const ncPath = nc.headers.get('location');
	const ncId = /\/named-credentials\/([0-9]+)$/.exec(ncPath)?.[1];
	assert.ok(ncId, `redirected to the named credential: ${ncPath}`);
	const ncPage = await G(`/named-credentials/${ncId}`);
	assert.equal(ncPage.status, 200);
	// Edit it with a new secret, and with a URL change but no secret (422).
	const edit1 = await P(`/named-credentials/${ncId}`, { csrf, action: 'save', description: 'rotated',
		url: 'https://tether-marker.invalid', 'f.username': 'svc-user', 'f.password': marker('nc_password2') });
	assert.equal(edit1.status, 303, pageText(edit1.text).slice(0, 300));
	const edit2 = await P(`/named-credentials/${ncId}`, { csrf, action: 'save', description: 'moved',
		url: 'https://other.tether-marker.invalid', 'f.username': 'svc-user', 'f.password': '' });
	assert.equal(edit2.status, 422, pageText(edit2.text).slice(0, 300));
	const sf = await G('/connections/new?connector=salesforce&protocol=named_credential');
	const sfr = await P('/connections', { ...formSubmission(sf.text), name: uniq('scan-sf-nc'),
		team: String(s.team.id), context: 'system', named_credential: ncId });
	assert.equal(sfr.status, 303, JSON.stringify(fieldErrors(sfr.text)) + pageText(sfr.text).slice(0, 300));
	const sfId = Number(/^\/connections\/([0-9]+)/.exec(sfr.headers.get('location'))[1]);
	made.push({ id: sfId, connector: 'salesforce', protocol: 'named_credential', apiType: '', secrets: [] });
	await G('/named-credentials');
	await G(`/named-credentials/${ncId}`);
});

test('every page, the API, a failing, a stale and a successful edit of each; Reconnect', async () => {
	for (const m of made) {
		for (const p of ['', '/related', '/history', '/edit', '/edit?confirm=1', '/delete', '/sharing']) {
			const r = await G(`/connections/${m.id}${p}`);
			assert.equal(r.status, 200, `GET /connections/${m.id}${p} (${m.connector}/${m.protocol})`);
		}
		await API(`/api/v1/connections/${m.id}`);
		if (m.secrets.length === 0)
			continue;
		const form = await G(`/connections/${m.id}/edit?confirm=1`);
		const base = formSubmission(form.text);
		// Failing: the name emptied, every secret typed again: 422, nothing echoed.
		const failing = { ...base, name: '' };
		for (const f of m.secrets)
			failing[f] = marker(`${f.slice(2)}_422`);
		const r422 = await P(`/connections/${m.id}/edit`, failing);
		assert.equal(r422.status, 422, `failing edit of ${m.connector}/${m.protocol}`);
		assert.ok(fieldErrors(r422.text).name);
		// Another tab with the same form, opened before the save below.
		const other = formSubmission((await G(`/connections/${m.id}/edit?confirm=1`)).text);
		// Successful: every secret entered again (the edit tests the connection
		// first; the stand-ins are not there, so: Save anyway).
		const good = { ...base, description: 'secrets entered again', save_anyway: '1' };
		for (const f of m.secrets)
			good[f] = marker(`${f.slice(2)}_edit`);
		const r303 = await P(`/connections/${m.id}/edit`, good);
		assert.equal(r303.status, 303, `edit of ${m.connector}/${m.protocol}: ${JSON.stringify(fieldErrors(r303.text))}`);
		// Stale: the form opened before that save, secrets typed: 409, nothing echoed.
		const stale = { ...other, description: 'stale' };
		for (const f of m.secrets)
			stale[f] = marker(`${f.slice(2)}_409`);
		const r409 = await P(`/connections/${m.id}/edit`, stale);
		assert.equal(r409.status, 409, `stale edit of ${m.connector}/${m.protocol}`);
		const after = await G(`/connections/${m.id}`);
		assert.equal(after.status, 200);
		await G(`/connections/${m.id}/history`);
		if (m.protocol === 'oauth2_code') {
			const rc = await P(`/connections/${m.id}/reconnect`, { csrf: csrfFrom(after.text) });
			assert.equal(rc.status, 303, `reconnect ${m.connector}`);
			assert.match(rc.headers.get('location') ?? '', /^https:\/\//);
		}
	}
	await G('/');
	await G('/?q=scan');
	await G('/audit');
	await G('/audit?format=csv');
	const list = await API('/api/v1/connections?per_page=100');
	assert.equal(list.status, 200, list.text.slice(0, 200));
	assert.ok(echo.requests.length > 0, 'the Generic HTTP tests reached the hostile stand-in');
	assert.ok(markers.length >= 60, `${markers.length} markers entered`);
});

test('the scan finds a planted canary: in a page, in a log line, base64 in a log, hex in a row', async () => {
	// Not a secret: a description and a search, where a value may show.
	const canary = `CANARY-${RUN}-`;
	const c = await G('/connections/new?connector=jira&protocol=server');
	const r = await P('/connections', { ...formSubmission(c.text), name: uniq('scan-canary'), team: String(s.team.id),
		context: 'system', description: `${canary}plain and hex:${Buffer.from(`${canary}hex`).toString('hex')}`,
		'f.url': 'https://tether-marker.invalid', 'f.username': 'svc-user', 'f.password': 'not-a-marker' });
	assert.equal(r.status, 303, JSON.stringify(fieldErrors(r.text)));
	const id = /^\/connections\/([0-9]+)/.exec(r.headers.get('location'))[1];
	const page = await get(`/connections/${id}`, s.jar);
	const b64 = Buffer.from(`xy${canary}in-base64`).toString('base64url');
	// In the path: nginx's access log keeps no query strings.
	await get(`/x-${b64}`, s.jar);
	assert.ok(findMarkers([canary], { page: `${page.status}\n${page.text}` }).length > 0, 'found in the page');
	// nginx writes its access-log line after the answer has gone, so the
	// line may come a moment after the answer did.
	let inLogs = [];
	const inNginxLog = () => inLogs.some((h) => /\(base64(url)?\) in .*nginx/.test(h));
	await waitFor(() => {
		const logs = {};
		for (const f of filesUnder(env('TETHER_LOG_DIR')))
			logs[f] = fs.readFileSync(f, 'latin1');
		inLogs = findMarkers([canary], logs);
		return inNginxLog();
	}, 5000, 'the nginx access-log line').catch(() => {});
	assert.ok(inNginxLog(), `found base64 in the nginx log: ${inLogs}`);
	const rows = tablesContaining(needles(canary).map(([n]) => n)).map(([t]) => t);
	assert.ok(rows.includes('connections'), `found in the connections table: ${rows}`);
	const hexOnly = tablesContaining([Buffer.from(`${canary}hex`).toString('hex')]).map(([t]) => t);
	assert.ok(hexOnly.includes('connections'), 'found as hex');
	// The planted connection goes (its description is not a secret, but tidy).
	const del = await get(`/connections/${id}/delete`, s.jar);
	assert.equal((await post(`/connections/${id}/delete`, { csrf: csrfFrom(del.text), confirm: 'yes' }, s.jar)).status, 303);
});

test('no marker anywhere: pages, headers, API answers, logs of the whole suite, any database row', () => {
	assert.ok(made.length > 0 && seen.length > 0, 'the connections were made and the pages fetched');
	const report = [];
	// Every answer this test received.
	const answers = {};
	for (const [i, a] of seen.entries())
		answers[`answer ${i} (${a.what})`] = a.text;
	report.push(...findMarkers([PREFIX], answers));
	// Every log file of the stack: tether-fcgi, nginx, PostgreSQL, of the whole run.
	const logs = {};
	for (const f of filesUnder(env('TETHER_LOG_DIR')))
		logs[f] = fs.readFileSync(f, 'latin1');
	assert.ok(Object.keys(logs).some((f) => /tether-fcgi/.test(f)), `the tether-fcgi log is among ${Object.keys(logs)}`);
	report.push(...findMarkers([PREFIX], logs));
	// Every row of every table, bytea as hex: audit_log, connection_versions,
	// connection_tests, connections, connection_secrets (ciphertext), …
	report.push(...tablesContaining(needles(PREFIX).map(([n]) => n)).map(([t, n]) => `${n} row(s) of ${t}`));
	// Name what leaked, as far as the texts tell.
	const which = new Set();
	for (const t of [...Object.values(answers), ...Object.values(logs)])
		for (const m of t.matchAll(new RegExp(`${PREFIX}[0-9]+-[a-z0-9_]+`, 'g')))
			which.add(m[0].slice(PREFIX.length));
	assert.deepEqual(report, [], `markers leaked (${[...which].join(', ') || 'in an encoded form'})`);
});
