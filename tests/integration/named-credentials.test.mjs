// Named credentials: a
// manager creates one (Basic: a user name and a password, for a URL), then
// a Salesforce connection whose protocol is `named_credential` referencing
// it. That connection's edit form allows only name and description, it has
// no Reconnect, and its test goes to the credential's URL + the connector's
// test path with the credential's authentication (an HTTPS stand-in
// records it). Deleting the connection keeps the credential; deleting a
// referenced credential is refused (409) and its page lists the
// connections; changing its URL requires entering the secret again.
//
// HTTPS stand-ins, so the requests go through a tether-fcgi of the test's
// own with the test CA (tests/lib/tether.mjs), on the same database.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { basicCreds, json, startStandin } from '../fakes/http-standin.mjs';
import { makePki } from '../fakes/pki.mjs';
import { formControls } from '../lib/lifecycle/lc.mjs';
import { assertEntry, auditMark, auditSince } from '../lib/roles/world.mjs';
import {
	csrfFrom, flashOf, makeTeam, makeUser, pageText, psql, psqlValue, signIn, uniq,
} from '../lib/stack.mjs';
import { startTether } from '../lib/tether.mjs';

const TEST_PATH = '/services/oauth2/userinfo';
const PW1 = `mk-nc1-${randomBytes(9).toString('hex')}`;
const PW2 = `mk-nc2-${randomBytes(9).toString('hex')}`;

let dir;
let one;		// the credential's first URL
let two;		// its second URL
let tether;
let team;
let other;		// another team, with its own manager
let mgr;
let otherMgr;
let nc;			// the named credential's id
let ncName;
let conn;		// the Salesforce connection on it
let connName;

function handler(password) {
	return (req, res, rec) => {
		if (rec.path !== TEST_PATH)
			return json(res, 404, { error: 'not found' });
		const c = basicCreds(req);
		return c !== null && c.user === 'nc-user' && c.password === password
		    ? json(res, 200, { user_id: '005xx' }) : json(res, 401, { error: 'invalid_token' });
	};
}

async function session(t, role) {
	const user = makeUser({ teams: [{ name: t.name, role }] });
	const { jar } = await signIn(user.email, user.password);
	return { user, jar, app: tether.client(jar) };
}

function ncRow() {
	const [r] = psql(`SELECT name, url, auth_protocol, settings::text, owner_team_id FROM named_credentials
	    WHERE id = ${nc}`);
	return r === undefined ? null : { name: r[0], url: r[1], protocol: r[2], settings: JSON.parse(r[3]), team: r[4] };
}

function ncSecret() {
	return psqlValue(`SELECT field || ':' || encode(ciphertext, 'hex') FROM named_credential_secrets
	    WHERE named_credential_id = ${nc}`) ?? '';
}

before(async () => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-nc-'));
	const pki = makePki(path.join(dir, 'ca'));
	const leaf = pki.issue('srv', ['localhost', '127.0.0.1']);
	one = await startStandin({ name: 'salesforce-1', tls: leaf, handler: handler(PW1) });
	two = await startStandin({ name: 'salesforce-2', tls: leaf, handler: handler(PW2) });
	tether = await startTether({ replace: { 'outbound.ca_bundle': pki.caFile } });
	team = makeTeam(uniq('nc-team'));
	other = makeTeam(uniq('nc-other'));
	mgr = await session(team, 'manager');
	otherMgr = await session(other, 'manager');
});

after(async () => {
	await tether?.stop();
	await one?.close();
	await two?.close();
	if (dir)
		fs.rmSync(dir, { recursive: true, force: true });
});

describe('named credentials', () => {
	test('create one (Basic): the row, the sealed secret, one audit entry; the page never shows it', async () => {
		ncName = uniq('Salesforce prod');
		const mark = auditMark();
		const r = await mgr.app.post('/named-credentials', { csrf: await mgr.app.csrf('/named-credentials'), name: ncName,
			description: 'for flows', team: team.id, url: one.url, protocol: 'basic',
			'f.username': 'nc-user', 'f.password': PW1 });
		assert.equal(r.status, 303, pageText(r.text).slice(0, 400));
		const m = /\/named-credentials\/([0-9]+)$/.exec(r.headers.get('location'));
		assert.ok(m, r.headers.get('location'));
		nc = Number(m[1]);
		assert.deepEqual(ncRow(), { name: ncName, url: one.url, protocol: 'basic', settings: { username: 'nc-user' },
			team: team.id });
		const sec = ncSecret();
		assert.match(sec, /^password:[0-9a-f]+$/, 'one secret row, the password');
		assert.ok(!sec.includes(Buffer.from(PW1).toString('hex')), 'sealed');
		const entries = auditSince(mark);
		assert.equal(entries.length, 1, JSON.stringify(entries));
		assertEntry(entries[0], { actorId: mgr.user.id, type: 'named_credential', objectId: nc, object: ncName,
			action: 'named_credential_create', outcome: 'success', client: '127.0.0.1',
			requestId: r.headers.get('x-request-id') }, 'create');
		const page = await mgr.app.get(`/named-credentials/${nc}`);
		assert.equal(page.status, 200);
		assert.ok(!page.text.includes(PW1), 'the secret is never shown');
		assert.match(pageText(page.text), /Stored/);
		const list = await mgr.app.get('/named-credentials');
		assert.match(list.text, new RegExp(`href="/named-credentials/${nc}"`), 'listed');
	});

	test('its audit entry names its team, so the team\'s manager finds it in the audit log', async () => {
		const [e] = psql(`SELECT COALESCE(team_id::text, 'NULL') FROM audit_log WHERE object_type = 'named_credential'
		    AND object_id = ${nc} AND action = 'named_credential_create'`);
		assert.equal(e?.[0], team.id, 'team_id of the named_credential_create entry');
		const a = await mgr.app.get(`/audit?actor=${encodeURIComponent(mgr.user.email)}`);
		assert.equal(a.status, 200);
		assert.ok(a.text.includes('<code class="audit-key">named_credential_create</code>'),
		    'the manager sees the creation of their team\'s named credential');
	});

	test('refused: fields of another protocol (422), a team they do not manage (409); nothing saved', async () => {
		const before = psqlValue('SELECT count(*) FROM named_credentials');
		const c = await mgr.app.csrf('/named-credentials');
		const a = await mgr.app.post('/named-credentials', { csrf: c, name: uniq('mixed'), team: team.id,
			url: one.url, protocol: 'basic', 'f.username': 'u', 'f.password': 'p', 'f.token': 't' });
		assert.equal(a.status, 422);
		const b = await mgr.app.post('/named-credentials', { csrf: c, name: uniq('elsewhere'), team: other.id,
			url: one.url, protocol: 'bearer', 'f.token': 't' });
		assert.equal(b.status, 409);
		assert.equal(psqlValue('SELECT count(*) FROM named_credentials'), before);
	});

	test('a Salesforce connection on it: created, tested at the credential\'s URL with its Basic auth', async () => {
		const form = await mgr.app.get('/connections/new?connector=salesforce&protocol=named_credential');
		assert.equal(form.status, 200);
		const sel = /<select[^>]*name="named_credential"[^>]*>([\s\S]*?)<\/select>/.exec(form.text);
		assert.ok(sel, 'the form has the named credential select');
		assert.match(sel[1], new RegExp(`<option value="${nc}"`), 'offering it');
		assert.deepEqual(formControls(form.text).map((x) => x.name).filter((n) => n?.startsWith('f.')), [],
		    'no authentication fields of its own');
		connName = uniq('SF via credential');
		const from = one.requests.length;
		const r = await mgr.app.post('/connections', { csrf: csrfFrom(form.text), connector: 'salesforce',
			protocol: 'named_credential', api_type: '', name: connName, description: '', team: team.id,
			context: 'system', named_credential: String(nc) });
		assert.equal(r.status, 303, pageText(r.text).slice(0, 400));
		conn = Number(/\/connections\/([0-9]+)$/.exec(r.headers.get('location'))[1]);
		assert.equal(flashOf(r)?.kind, 'success', JSON.stringify(flashOf(r)));
		assert.equal(psqlValue(`SELECT named_credential_id FROM connections WHERE id = ${conn}`), String(nc));
		assert.equal(psqlValue(`SELECT count(*) FROM connection_secrets WHERE connection_id = ${conn}`), '0');
		const reqs = one.requests.slice(from);
		assert.equal(reqs.length, 1, 'one test request');
		assert.equal(reqs[0].method, 'GET');
		assert.equal(reqs[0].url, TEST_PATH, "the connector's test path under the credential's URL");
		assert.deepEqual(basicCreds({ headers: reqs[0].headers }), { user: 'nc-user', password: PW1 });
	});

	test('another team\'s manager may not reference it (422, nothing created)', async () => {
		const form = await otherMgr.app.get('/connections/new?connector=salesforce&protocol=named_credential');
		assert.doesNotMatch(form.text, new RegExp(`<option value="${nc}"`), 'not offered');
		const name = uniq('borrowed');
		const from = one.requests.length;
		const r = await otherMgr.app.post('/connections', { csrf: csrfFrom(form.text), connector: 'salesforce',
			protocol: 'named_credential', api_type: '', name, description: '', team: other.id, context: 'system',
			named_credential: String(nc) });
		assert.equal(r.status, 422);
		assert.match(pageText(r.text), /Choose a named credential of a team you manage/);
		assert.equal(psqlValue(`SELECT count(*) FROM connections WHERE name = '${name}'`), '0');
		assert.equal(one.requests.length, from, 'nothing sent with it');
		assert.equal((await otherMgr.app.get(`/named-credentials/${nc}`)).status, 404, 'its page: 404');
	});

	test('Details: the credential linked, no Reconnect; Test uses the credential', async () => {
		const d = await mgr.app.get(`/connections/${conn}`);
		assert.equal(d.status, 200);
		assert.match(d.text, new RegExp(`<a href="/named-credentials/${nc}">`), 'links the credential');
		assert.doesNotMatch(d.text, new RegExp(`action="/connections/${conn}/reconnect"`), 'no Reconnect');
		const rc = await mgr.app.post(`/connections/${conn}/reconnect`, { csrf: csrfFrom(d.text) });
		assert.equal(rc.status, 404, 'and its URL refuses');
		const from = one.requests.length;
		const t = await mgr.app.test(conn);
		assert.deepEqual(t.flash, { kind: 'success', message: 'The connection works.' });
		assert.deepEqual(one.requests.slice(from).map((x) => [x.url, basicCreds({ headers: x.headers })?.password]),
		    [[TEST_PATH, PW1]]);
		const page = await mgr.app.get(`/named-credentials/${nc}`);
		assert.match(page.text, new RegExp(`<a href="/connections/${conn}">`), 'the credential lists it');
	});

	test('Edit allows only name, description and the scheduled check; anything else is refused (400)', async () => {
		const form = await mgr.app.get(`/connections/${conn}/edit`);
		assert.equal(form.status, 200);
		const names = formControls(form.text).filter((c) => !c.disabled && c.name).map((c) => c.name).sort();
		assert.deepEqual(names, ['check_interval', 'csrf', 'description', 'name', 'once', 'version']);
		const version = psqlValue(`SELECT version FROM connections WHERE id = ${conn}`);
		const c = csrfFrom(form.text);
		for (const extra of [{ 'f.url': two.url }, { named_credential: '1' }, { 'f.username': 'x' },
		    { protocol: 'oauth2_code' }]) {
			const r = await mgr.app.post(`/connections/${conn}/edit`, { csrf: c, name: connName,
				description: 'x', version, ...extra });
			assert.equal(r.status, 400, JSON.stringify(extra));
		}
		assert.equal(psqlValue(`SELECT '[' || description || ']' FROM connections WHERE id = ${conn}`), '[]',
		    'nothing saved');
		const ok = await mgr.app.post(`/connections/${conn}/edit`, { csrf: c, name: connName,
			description: 'described', version });
		assert.equal(ok.status, 303, pageText(ok.text).slice(0, 300));
		assert.equal(psqlValue(`SELECT description || '|' || named_credential_id FROM connections WHERE id = ${conn}`),
		    `described|${nc}`);
	});

	test('deleting the credential while a connection uses it: 409, its page lists the connection', async () => {
		const mark = auditMark();
		const r = await mgr.app.post(`/named-credentials/${nc}`, { csrf: await mgr.app.csrf('/named-credentials'), action: 'delete' });
		assert.equal(r.status, 409, pageText(r.text).slice(0, 300));
		assert.match(r.text, new RegExp(`<a href="/connections/${conn}">${connName}</a>`), 'lists the connection');
		assert.ok(ncRow(), 'still there');
		assert.notEqual(ncSecret(), '', 'its secret too');
		assert.deepEqual(auditSince(mark, "a.action = 'named_credential_delete' AND a.outcome = 'success'"), [],
		    'no deletion recorded');
	});

	test('a new URL takes the secret again: without it 422 and nothing saved; with it the test goes there', async () => {
		const c = await mgr.app.csrf(`/named-credentials/${nc}`);
		const secretBefore = ncSecret();
		const r = await mgr.app.post(`/named-credentials/${nc}`, { csrf: c, action: 'save', url: two.url,
			description: '', 'f.username': 'nc-user', 'f.password': '' });
		assert.equal(r.status, 422);
		assert.match(pageText(r.text), /Enter this again: the URL changed/);
		assert.equal(ncRow().url, one.url, 'URL unchanged');
		assert.equal(ncSecret(), secretBefore, 'secret unchanged');
		// The same URL with an empty secret keeps it.
		const keep = await mgr.app.post(`/named-credentials/${nc}`, { csrf: c, action: 'save', url: one.url,
			description: 'kept', 'f.username': 'nc-user', 'f.password': '' });
		assert.equal(keep.status, 303, pageText(keep.text).slice(0, 300));
		assert.equal(ncSecret(), secretBefore, 'kept');
		const ok = await mgr.app.post(`/named-credentials/${nc}`, { csrf: c, action: 'save', url: two.url,
			description: 'moved', 'f.username': 'nc-user', 'f.password': PW2 });
		assert.equal(ok.status, 303, pageText(ok.text).slice(0, 300));
		assert.equal(ncRow().url, two.url);
		assert.notEqual(ncSecret(), secretBefore, 'a new sealed secret');
		const from1 = one.requests.length;
		const from2 = two.requests.length;
		const t = await mgr.app.test(conn);
		assert.equal(t.flash?.kind, 'success', JSON.stringify(t.flash));
		assert.equal(one.requests.length, from1, 'the old URL gets nothing');
		assert.deepEqual(two.requests.slice(from2).map((x) => [x.url, basicCreds({ headers: x.headers })?.password]),
		    [[TEST_PATH, PW2]]);
	});

	test('deleting the connection keeps the credential; then the credential can go', async () => {
		const d = await mgr.app.get(`/connections/${conn}/delete`);
		const r = await mgr.app.post(`/connections/${conn}/delete`, { csrf: csrfFrom(d.text), confirm: 'yes' });
		assert.equal(r.status, 303);
		assert.equal(psqlValue(`SELECT count(*) FROM connections WHERE id = ${conn}`), '0');
		assert.ok(ncRow(), 'the credential is kept');
		assert.notEqual(ncSecret(), '', 'with its secret');
		const page = await mgr.app.get(`/named-credentials/${nc}`);
		assert.match(page.text, /<input type="hidden" name="action" value="delete">/, 'now it offers Delete');
		const mark = auditMark();
		const del = await mgr.app.post(`/named-credentials/${nc}`, { csrf: csrfFrom(page.text), action: 'delete' });
		assert.equal(del.status, 303);
		assert.equal(ncRow(), null);
		assert.equal(ncSecret(), '', 'the secret went with it');
		const entries = auditSince(mark);
		assert.equal(entries.length, 1, JSON.stringify(entries));
		assertEntry(entries[0], { actorId: mgr.user.id, type: 'named_credential', objectId: nc,
			action: 'named_credential_delete', outcome: 'success', requestId: del.headers.get('x-request-id') },
		'delete');
	});

	test('no page and no audit entry ever showed a secret', () => {
		const seen = [mgr, otherMgr].map((s) => s.app.pages.join('\n')).join('\n');
		for (const p of [PW1, PW2])
			assert.ok(!seen.includes(p), 'not in a page');
		const audit = psql(`SELECT row_to_json(a)::text FROM audit_log a WHERE actor_user_id = ${mgr.user.id}`)
		    .map((r) => r[0]).join('\n');
		for (const p of [PW1, PW2])
			assert.ok(!audit.includes(p), 'not in the audit log');
	});
});
