// The SSRF guard: loopback and the other internal ranges are
// refused unless the configuration's allowlist permits the range. The test
// suite's own stack allows 127.0.0.0/8; here Tethers of the test's own run
// with a copy of its configuration where outbound.allow is empty, or
// narrower (127.0.0.1/32), and every form of a loopback address is refused
// — at the form when the address is a numeric oddity (2130706433, 0x7f.1,
// 127.1, 0177.0.0.1 …), and at connect time for the rest: 127.0.0.1,
// 127.0.0.2, a host name that resolves to loopback (the check is on the
// address actually connected to, so a DNS answer cannot slip past),
// [::1], [::ffff:127.0.0.1], [::ffff:7f00:1], [::127.0.0.1], 0.0.0.0, [::].
// A refusal happens before any packet: the stand-in accepts no connection.
// The same guard covers every outbound call: HTTP tests, OAuth token calls
// and SMTP. Proxy variables from the environment are ignored.
//
// Only loopback addresses are used: nothing here may send a packet to any
// other address, even if the guard were broken.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { behaviours, routes, startStandin } from '../fakes/http-standin.mjs';
import { makePki } from '../fakes/pki.mjs';
import { startSmtp } from '../fakes/smtp.mjs';
import { lastTest } from '../lib/rows.mjs';
import { managerSession, pageText, psql, psqlValue, sqlString } from '../lib/stack.mjs';
import { startTether } from '../lib/tether.mjs';

const cleanups = [];
let closed;	// outbound.allow empty
let narrow;	// outbound.allow = 127.0.0.1/32
let open;	// outbound.allow as the stack's (127.0.0.0/8), CA bundle set
let target;	// plain HTTP on 127.0.0.1
let secure;	// HTTPS on 127.0.0.1, certificate for localhost
let pki;

before(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-ssrf-'));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	pki = makePki(path.join(dir, 'ca'));
	const leaf = pki.issue('srv', ['localhost', '127.0.0.1', '::1']);
	target = await startStandin({ name: 'target', handler: routes({ '/ok': behaviours.status(200, {}, 'ok') }) });
	secure = await startStandin({ name: 'secure', tls: leaf, handler: behaviours.status(200, {}, '{}') });
	cleanups.push(() => target.close(), () => secure.close());
	secure.leaf = leaf;
	closed = await startTether({ replace: { 'outbound.allow': '', 'outbound.ca_bundle': pki.caFile } });
	narrow = await startTether({ replace: { 'outbound.allow': '127.0.0.1/32', 'outbound.ca_bundle': pki.caFile } });
	open = await startTether({ replace: { 'outbound.ca_bundle': pki.caFile } });
	cleanups.push(() => closed.stop(), () => narrow.stop(), () => open.stop());
});

after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

async function session(t) {
	const s = await managerSession({ admin: true });
	return { app: t.client(s.jar), team: s.team };
}

/** Create a Generic HTTP (no auth) connection to url + /ok; { status, id, row }. */
async function probe(app, team, url, testPath = '/ok') {
	const c = await app.create({ connector: 'http', protocol: 'none', team: team.id,
		fields: { url, test_path: testPath } });
	return { ...c, row: c.id ? lastTest(c.id) : null };
}

test('without an allowlist every loopback form is refused at connect time, before any packet', async () => {
	const { app, team } = await session(closed);
	const p = target.port;
	const forms = [
		`http://127.0.0.1:${p}`,
		`http://127.0.0.2:${p}`,
		`http://127.255.255.254:${p}`,
		`http://localhost:${p}`,		// a name: its DNS answer is loopback
		`http://[::1]:${p}`,
		`http://[::ffff:127.0.0.1]:${p}`,	// IPv4-mapped
		`http://[::ffff:7f00:1]:${p}`,		// the same, in hex
		`http://[0:0:0:0:0:ffff:127.0.0.1]:${p}`,
		`http://[::127.0.0.1]:${p}`,		// IPv4-compatible
		`http://0.0.0.0:${p}`,			// "this host"
		`http://[::]:${p}`,
	];
	for (const url of forms) {
		const before = target.accepted;
		const c = await probe(app, team, url);
		assert.equal(c.status, 303, `${url}: the form accepts it (${pageText(c.res.text).slice(0, 200)})`);
		assert.deepEqual([c.row.result, c.row.httpStatus], ['policy', null], url);
		assert.equal(c.row.message, 'The address is not allowed by the outbound network policy.');
		assert.equal(target.accepted, before, `${url}: no connection reached the stand-in`);
	}
	assert.equal(target.requests.length, 0);
});

test('numeric forms of loopback that resolvers read as addresses are refused at the form (nothing saved)', async () => {
	const { app, team } = await session(closed);
	const p = target.port;
	for (const host of ['2130706433', '0x7f.1', '0x7f000001', '127.1', '127.0.1', '0177.0.0.1', '017700000001',
	    '127.0.0.01', '0x7F.0.0.1', '127.000.000.001']) {
		const name = `ssrf-${host}-${Date.now()}`;
		const c = await app.create({ connector: 'http', protocol: 'none', team: team.id, name,
			fields: { url: `http://${host}:${p}`, test_path: '/ok' } });
		assert.equal(c.status, 422, `http://${host}:${p}`);
		assert.match(pageText(c.res.text), /Enter an address like https:\/\/example\.com\./, host);
		assert.equal(psqlValue(`SELECT count(*) FROM connections WHERE name = ${sqlString(name)}`), '0');
	}
	assert.equal(target.accepted, 0);
});

test('every outbound call goes through the guard: HTTPS tests, OAuth token calls, SMTP', async () => {
	const { app, team } = await session(closed);
	const before = secure.accepted;
	const jira = await app.create({ connector: 'jira', protocol: 'cloud', team: team.id,
		fields: { url: `https://localhost:${secure.port}`, email: 'a@example.com', api_token: 'x' } });
	assert.equal(lastTest(jira.id).result, 'policy');
	const cc = await app.create({ connector: 'http', protocol: 'oauth2_client', team: team.id,
		fields: { url: `https://localhost:${secure.port}`, test_path: '/', token_url: `https://localhost:${secure.port}/token`,
			client_id: 'c', client_secret: 's' } });
	assert.deepEqual([lastTest(cc.id).result, lastTest(cc.id).httpStatus], ['policy', null], 'the token call is refused');
	assert.equal(secure.accepted, before, 'no connection reached the HTTPS stand-in');
	const smtp = await startSmtp({ tls: { ...secure.leaf }, user: 'u', password: 'p' });
	cleanups.push(() => smtp.close());
	const m = await app.create({ connector: 'smtp', protocol: 'basic', team: team.id,
		fields: { host: 'localhost', port: String(smtp.port), tls: 'starttls', username: 'u', password: 'p' } });
	assert.equal(lastTest(m.id).result, 'policy');
	assert.equal(smtp.wire().length, 0, 'no connection reached the SMTP server');
});

test('the allowlist permits exactly its range: 127.0.0.0/8 lets loopback IPv4 through (any form), not ::1 or 0.0.0.0', async () => {
	const { app, team } = await session(open);
	const p = target.port;
	for (const url of [`http://127.0.0.1:${p}`, `http://localhost:${p}`, `http://[::ffff:127.0.0.1]:${p}`]) {
		const c = await probe(app, team, url);
		assert.deepEqual([c.row.result, c.row.httpStatus], ['ok', 200], url);
	}
	const j = await app.create({ connector: 'jira', protocol: 'cloud', team: team.id,
		fields: { url: `https://localhost:${secure.port}`, email: 'a@example.com', api_token: 'x' } });
	assert.deepEqual([lastTest(j.id).result, lastTest(j.id).httpStatus], ['ok', 200], 'the HTTPS stand-in answers');
	for (const url of [`http://[::1]:${p}`, `http://0.0.0.0:${p}`, `http://[::]:${p}`]) {
		const before = target.accepted;
		const c = await probe(app, team, url);
		assert.equal(c.row.result, 'policy', url);
		assert.equal(target.accepted, before, url);
	}
});

test('a narrower allowlist (127.0.0.1/32) refuses the rest of 127.0.0.0/8 by policy, not by chance', async () => {
	const { app, team } = await session(narrow);
	const p = target.port;
	assert.equal((await probe(app, team, `http://127.0.0.1:${p}`)).row.result, 'ok');
	// 127.0.0.2 has no listener: allowed, it would be "unreachable"; it is "policy".
	assert.equal((await probe(app, team, `http://127.0.0.2:${p}`)).row.result, 'policy');
	const { app: app2, team: team2 } = await session(open);
	assert.equal((await probe(app2, team2, `http://127.0.0.2:${p}`)).row.result, 'unreachable',
	    'with 127.0.0.0/8 allowed the same address is tried (and nothing listens there)');
});

test('proxy variables in the environment are ignored: the request goes direct, the "proxy" sees nothing', async () => {
	const fakeProxy = await startStandin({ name: 'env-proxy', handler: behaviours.status(200, {}, 'proxied') });
	cleanups.push(() => fakeProxy.close());
	const envProxied = await startTether({
		replace: {},
		env: { http_proxy: fakeProxy.url, HTTP_PROXY: fakeProxy.url, https_proxy: fakeProxy.url,
			HTTPS_PROXY: fakeProxy.url, ALL_PROXY: fakeProxy.url, all_proxy: fakeProxy.url },
	});
	cleanups.push(() => envProxied.stop());
	const { app, team } = await session(envProxied);
	const before = target.requests.length;
	const c = await probe(app, team, `http://127.0.0.1:${target.port}`);
	assert.equal(c.row.result, 'ok');
	assert.equal(target.requests.length, before + 1, 'the target got the request');
	assert.equal(fakeProxy.accepted, 0, 'the environment\'s proxy got nothing');
});

test('a URL that reaches the test without the form is checked again by the same parser: what is fetched is what was checked', async () => {
	// Stored before a rule, or edited in the database: each of these is
	// 127.0.0.1 to libcurl, which the open allowlist permits, so a transfer
	// that parsed the text again would reach the stand-in. The one parse
	// refuses them before any packet, as the form does.
	const { app, team } = await session(open);
	const p = target.port;
	const good = await probe(app, team, `http://127.0.0.1:${p}`);
	assert.deepEqual([good.row.result, good.row.httpStatus], ['ok', 200], 'the stored URL works as saved');
	for (const url of [`http://127.1:${p}`, `http://0x7f.1:${p}`, `http://2130706433:${p}`,
	    `http://u@127.0.0.1:${p}`, `http:/127.0.0.1:${p}`, `http:///127.0.0.1:${p}`,
	    `http://127.0.0.1:0${p}`, `http://127.0.0.1:${p}#x`]) {
		psql(`UPDATE connections SET settings = jsonb_set(settings, '{url}', to_jsonb(${sqlString(url)}::text))
		    WHERE id = ${good.id}`);
		const before = target.accepted;
		const r = await app.test(good.id);
		assert.equal(r.status, 303, url);
		assert.deepEqual([lastTest(good.id).result, lastTest(good.id).httpStatus], ['policy', null], url);
		assert.equal(target.accepted, before, `${url}: no connection reached the stand-in`);
	}
});
