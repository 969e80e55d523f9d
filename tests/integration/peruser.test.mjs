// Per-user connections: a ServiceNow
// (Basic) connection whose context is per_user. Each user enters their own
// password at /connections/ID/credentials; the Details page shows each
// user's own state; a test runs with the signed-in user's credentials — the
// HTTPS stand-in records the Authorization header: A's test carries A's
// secret, B's carries B's — and nobody sees or uses another's. A secret
// row copied to another user does not decrypt for them.
//
// The stand-in speaks HTTPS (ServiceNow URLs are https://): the requests go
// through a tether-fcgi of the test's own with the test CA as
// outbound.ca_bundle (tests/lib/tether.mjs), on the same database.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { basicCreds, json, startStandin } from '../fakes/http-standin.mjs';
import { makePki } from '../fakes/pki.mjs';
import { auditMark, auditSince, assertEntry } from '../lib/roles/world.mjs';
import {
	flashOf, makeTeam, makeUser, pageText, psql, psqlValue, signIn, uniq,
} from '../lib/stack.mjs';
import { postEdit } from '../lib/lifecycle/lc.mjs';
import { startTether } from '../lib/tether.mjs';

const PATH = '/api/now/table/sys_user';
const secret = (who) => `mk-${who}-${randomBytes(9).toString('hex')}`;
const PW = { a: secret('a'), b: secret('b'), d: secret('d') };

let dir;
let standin;
let tether;
let team;
const u = {};		// manager, a, b, c (no credentials), d (wrong password), viewer: { user, app }
let id;

/** The Basic password of each request to the stand-in since index from. */
function passwords(from) {
	return standin.requests.slice(from).map((r) => basicCreds({ headers: r.headers })?.password ?? null);
}

async function session(role) {
	const user = makeUser({ teams: [{ name: team.name, role }] });
	const { jar } = await signIn(user.email, user.password);
	return { user, jar, app: tether.client(jar) };
}

async function saveCredentials(s, password) {
	return s.app.post(`/connections/${id}/credentials`, { csrf: await s.app.csrf(`/connections/${id}`), 'f.password': password });
}

/** The "Your account" status the Details page shows to s. */
async function ownState(s) {
	const r = await s.app.get(`/connections/${id}`);
	assert.equal(r.status, 200);
	const m = /id="account-title"[\s\S]*?<dt>Status<\/dt>\s*<dd>([\s\S]*?)<\/dd>/.exec(r.text);
	assert.ok(m, 'the "Your account" panel');
	return pageText(m[1]);
}

function userSecrets() {
	return psql(`SELECT user_id, field, encode(ciphertext, 'hex') FROM user_connection_secrets
	    WHERE connection_id = ${id} ORDER BY user_id`).map((r) => ({ user: r[0], field: r[1], ct: r[2] }));
}

before(async () => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-peruser-'));
	const pki = makePki(path.join(dir, 'ca'));
	const leaf = pki.issue('srv', ['localhost', '127.0.0.1']);
	standin = await startStandin({ name: 'servicenow', tls: leaf, handler: (req, res, rec) => {
		if (rec.path !== PATH)
			return json(res, 404, { error: { message: 'Invalid table' } });
		const c = basicCreds(req);
		return c !== null && c.user === 'svc' && (c.password === PW.a || c.password === PW.b)
		    ? json(res, 200, { result: [{ sys_id: '6816f79c' }] })
		    : json(res, 401, { error: { message: 'User Not Authenticated' } });
	} });
	tether = await startTether({ replace: { 'outbound.ca_bundle': pki.caFile } });
	team = makeTeam(uniq('peruser'));
	u.manager = await session('manager');
	for (const k of ['a', 'b', 'c', 'd'])
		u[k] = await session('member');
	u.viewer = await session('viewer');
});

after(async () => {
	await tether?.stop();
	await standin?.close();
	if (dir)
		fs.rmSync(dir, { recursive: true, force: true });
});

describe('a per-user connection', () => {
	test('created per user: no shared password, no outbound call, nobody connected yet', async () => {
		const c = await u.manager.app.create({ connector: 'servicenow', protocol: 'basic', team: team.id,
			context: 'per_user', name: uniq('Per-user ServiceNow'), fields: { url: standin.url, username: 'svc' } });
		assert.equal(c.status, 303, pageText(c.res.text).slice(0, 300));
		id = c.id;
		assert.equal(psqlValue(`SELECT execution_context FROM connections WHERE id = ${id}`), 'per_user');
		assert.equal(psqlValue(`SELECT count(*) FROM connection_secrets WHERE connection_id = ${id}`), '0',
		    'no shared secret');
		assert.equal(standin.requests.length, 0, 'the creator has no credentials: nothing was sent');
		for (const k of ['manager', 'a', 'b'])
			assert.equal(await ownState(u[k]), 'Not connected', `${k}: not connected`);
	});

	test('a shared password is refused on create (each user brings their own)', async () => {
		const c = await u.manager.app.create({ connector: 'servicenow', protocol: 'basic', team: team.id,
			context: 'per_user', name: uniq('Per-user with password'),
			fields: { url: standin.url, username: 'svc', password: 'shared-one' } });
		assert.equal(c.status, 422);
		assert.match(pageText(c.res.text), /Each user connects their own account/);
	});

	test('the credentials page asks only for the secret, empty', async () => {
		const r = await u.a.app.get(`/connections/${id}/credentials`);
		assert.equal(r.status, 200);
		const inputs = [...r.text.matchAll(/<input\b[^>]*name="(f\.[^"]+)"[^>]*>/g)];
		// and the optional date it expires on (health-ui.test.mjs)
		assert.deepEqual(inputs.map((m) => m[1]), ['f.password', 'f.password.expires_on']);
		assert.match(inputs[1][0], /type="date"/);
		assert.match(inputs[0][0], /type="password"/);
		assert.doesNotMatch(inputs[0][0], /\bvalue="[^"]/, 'always empty');
	});

	test('A and B save their own passwords: each save tests with that user\'s own secret', async () => {
		const from = standin.requests.length;
		const mark = auditMark();
		const ra = await saveCredentials(u.a, PW.a);
		assert.equal(ra.status, 303, pageText(ra.text).slice(0, 300));
		assert.equal(ra.headers.get('location').replace(/^https?:\/\/[^/]+/, ''), `/connections/${id}`);
		assert.equal(flashOf(ra)?.kind, 'success', JSON.stringify(flashOf(ra)));
		const rb = await saveCredentials(u.b, PW.b);
		assert.equal(rb.status, 303);
		assert.deepEqual(passwords(from), [PW.a, PW.b], 'A\'s save sent A\'s password, B\'s sent B\'s');
		assert.deepEqual(standin.requests.slice(from).map((r) => basicCreds({ headers: r.headers }).user),
		    ['svc', 'svc'], 'the shared user name');
		const rows = userSecrets();
		assert.deepEqual(rows.map((r) => [r.user, r.field]), [[u.a.user.id, 'password'], [u.b.user.id, 'password']]
		    .sort((x, y) => Number(x[0]) - Number(y[0])));
		for (const r of rows) {
			for (const p of Object.values(PW))
				assert.ok(!r.ct.includes(Buffer.from(p).toString('hex')), 'stored encrypted');
		}
		const entries = auditSince(mark, "a.action = 'connection_user_credentials'");
		assert.equal(entries.length, 2, JSON.stringify(entries));
		assertEntry(entries[0], { actorId: u.a.user.id, teamId: team.id, objectId: id, outcome: 'success',
			client: '127.0.0.1', requestId: ra.headers.get('x-request-id'), details: {} }, 'A\'s save');
		assertEntry(entries[1], { actorId: u.b.user.id, requestId: rb.headers.get('x-request-id') }, 'B\'s save');
	});

	test('Test uses the signed-in user\'s credentials: A\'s carries A\'s, B\'s carries B\'s', async () => {
		for (const [k, pw] of [['a', PW.a], ['b', PW.b], ['a', PW.a]]) {
			const from = standin.requests.length;
			const t = await u[k].app.test(id);
			assert.equal(t.status, 303);
			assert.deepEqual(t.flash, { kind: 'success', message: 'The connection works.' }, k);
			assert.deepEqual(passwords(from), [pw], `${k}'s test`);
			const [who, tu] = psql(`SELECT triggered_by, user_id FROM connection_tests WHERE connection_id = ${id}
			    ORDER BY id DESC LIMIT 1`)[0];
			assert.deepEqual([who, tu], [u[k].user.id, u[k].user.id], 'the test row names whose credentials');
		}
		assert.equal(await ownState(u.a), 'Connected');
		assert.equal(await ownState(u.b), 'Connected');
	});

	test('a user without credentials is not connected, and their test sends nothing', async () => {
		assert.equal(await ownState(u.c), 'Not connected');
		const from = standin.requests.length;
		const t = await u.c.app.test(id);
		assert.equal(t.status, 303);
		assert.equal(t.flash?.kind, 'error');
		assert.equal(standin.requests.length, from, 'no request: C has no password, and never A\'s or B\'s');
		assert.equal(await ownState(u.c), 'Not connected');
	});

	test('a wrong password fails for its user only', async () => {
		const from = standin.requests.length;
		const r = await saveCredentials(u.d, PW.d);
		assert.equal(r.status, 303);
		assert.equal(flashOf(r)?.kind, 'error');
		assert.deepEqual(passwords(from), [PW.d]);
		assert.equal(await ownState(u.d), 'Failing');
		assert.equal(await ownState(u.a), 'Connected', 'A is still connected');
		assert.equal(await ownState(u.b), 'Connected', 'B is still connected');
	});

	test('a secret row copied to another user does not decrypt for them', async () => {
		psql(`INSERT INTO user_connection_secrets (connection_id, user_id, field, key_version, nonce, ciphertext)
		    SELECT connection_id, ${u.c.user.id}, field, key_version, nonce, ciphertext
		    FROM user_connection_secrets WHERE connection_id = ${id} AND user_id = ${u.a.user.id}`);
		const from = standin.requests.length;
		const t = await u.c.app.test(id);
		assert.equal(t.status, 303);
		assert.equal(t.flash?.kind, 'error');
		assert.deepEqual(passwords(from), [], 'A\'s password never leaves for C');
		psql(`DELETE FROM user_connection_secrets WHERE connection_id = ${id} AND user_id = ${u.c.user.id}`);
	});

	test('viewers may not enter credentials (403) nor test; the page says so', async () => {
		const v = u.viewer;
		assert.equal((await v.app.get(`/connections/${id}/credentials`)).status, 403);
		const c = await v.app.csrf(`/connections/${id}`);
		const before = userSecrets().length;
		const r = await v.app.post(`/connections/${id}/credentials`, { csrf: c, 'f.password': PW.a });
		assert.equal(r.status, 403);
		assert.equal(userSecrets().length, before, 'nothing stored');
		assert.equal((await v.app.post(`/connections/${id}/test`, { csrf: c })).status, 403);
		assert.match(pageText((await v.app.get(`/connections/${id}`)).text), /You can't connect an account/);
	});

	test('a new destination drops every user\'s own credentials: no password goes to the new host', async () => {
		assert.ok(userSecrets().length > 0, 'users have credentials of their own');
		const moved = standin.url.replace('localhost', '127.0.0.1');
		assert.notEqual(moved, standin.url);
		const r = await postEdit(u.manager.jar, id, { fields: { url: moved } });
		assert.equal(r.status, 303, pageText(r.res.text).slice(0, 400));
		assert.equal(psqlValue(`SELECT settings->>'url' FROM connections WHERE id = ${id}`), moved);
		assert.deepEqual(userSecrets(), [], 'each user must enter their password again');
		const from = standin.requests.length;
		await u.a.app.test(id);
		assert.deepEqual(passwords(from), [], 'A\'s old password is not sent to the new host');
		assert.equal(await ownState(u.a), 'Not connected');
		assert.equal(await ownState(u.b), 'Not connected');
		// Entering it again connects A through the new address.
		const saved = await saveCredentials(u.a, PW.a);
		assert.equal(saved.status, 303);
		assert.deepEqual(passwords(from), [PW.a]);
		assert.equal(await ownState(u.a), 'Connected');
	});

	test('nobody\'s pages show another user\'s secret, nor their own', async () => {
		for (const [k, s] of Object.entries(u)) {
			const seen = s.app.pages.join('\n');
			for (const [who, p] of Object.entries(PW))
				assert.ok(!seen.includes(p) && !seen.includes(Buffer.from(p).toString('base64')),
				    `${k}'s pages never show ${who}'s password`);
		}
		const audit = psql(`SELECT row_to_json(a)::text FROM audit_log a
		    WHERE object_type = 'connection' AND object_id = ${id}`).map((r) => r[0]).join('\n');
		for (const p of Object.values(PW))
			assert.ok(!audit.includes(p), 'no password in the audit log');
	});
});
