// The generic tester against stand-ins on loopback:
// each connector's test request (Jira Cloud and Server, ServiceNow,
// Celonis, Generic HTTP with every authentication kind) is exactly what the
// connector file says, with the connection's own credentials and nothing
// from the admin's request; and every classified reason is produced:
// ok, bad credentials (401 and 403), not found, unexpected status, timeout
// (total, and connect: a port whose accept queue is full), DNS failure, TLS error (untrusted CA, wrong name, no CA bundle at all),
// refused by the network policy (a scheme the connector does not allow),
// redirect (never followed), rate limited, unreachable, credentials that do
// not decrypt. A huge body is cut short and never shown; no secret reaches
// a stand-in other than its connection's destination, a page, a log, the
// audit log or a test message.
//
// Tether here is a tether-fcgi of the test's own (tests/lib/tether.mjs)
// with the test CA as outbound.ca_bundle, outbound.timeout_ms 1500 and
// outbound.connect_timeout_ms 600; a
// second one sends through a CONNECT proxy stand-in for Celonis, whose
// addresses are bare host names (https://{domain}/...).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startBlackhole } from '../fakes/blackhole.mjs';
import { basicCreds, behaviours, json, routes, startStandin } from '../fakes/http-standin.mjs';
import { startOAuthServer } from '../fakes/oauth-server.mjs';
import { makePki } from '../fakes/pki.mjs';
import { startProxy } from '../fakes/proxy.mjs';
import { assertAbsent, assertNotInDatabase, marker, stackLogs, withBasicDecoded } from '../fakes/secrets.mjs';
import { connRow, lastTest, testRows } from '../lib/rows.mjs';
import {
	csrfFrom, flashOf, get, managerSession, pageText, post, psql, sqlString,
} from '../lib/stack.mjs';
import { startTether } from '../lib/tether.mjs';

const TIMEOUT_MS = 1500;
const CONNECT_TIMEOUT_MS = 600;
const CELONIS = 'acme-test.eu-1.celonis.cloud';

const cleanups = [];
const standins = {};		// name -> stand-in (each records what reached it)
const owned = [];		// { secret, dest }: where each marker secret may go
const clients = [];		// every TetherClient, for the pages they saw
let pki;
let tls;
let tether;			// ca_bundle + short timeout
let proxied;			// ca_bundle + the CONNECT proxy
let celonis;
let workDir;

function own(secret, dest) {
	owned.push({ secret, dest });
	return secret;
}

async function session(t = tether) {
	const s = await managerSession({ admin: true });
	const app = t.client(s.jar);
	clients.push(app);
	return { ...s, app };
}

/** Create through the form; asserts the 303 and returns { id, flash, row }. */
async function create(app, spec) {
	const c = await app.create(spec);
	assert.equal(c.status, 303, `create ${spec.connector}/${spec.protocol}: ${pageText(c.res.text).slice(0, 400)} ` +
	    JSON.stringify([...c.res.text.matchAll(/id="f-([^"]+)-error"/g)].map((m) => m[1])));
	assert.ok(c.id > 0);
	return { ...c, row: lastTest(c.id) };
}

before(async () => {
	workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-tester-'));
	cleanups.push(() => fs.rmSync(workDir, { recursive: true, force: true }));
	pki = makePki(path.join(workDir, 'ca'));
	const leaf = pki.issue('srv', ['localhost', '127.0.0.1', CELONIS]);
	tls = { ...leaf, ca: pki.caPem };
	const rogue = makePki(path.join(workDir, 'rogue'), 'Someone else');
	const rogueLeaf = rogue.issue('srv', ['localhost', '127.0.0.1']);
	const otherName = pki.issue('other', ['other.example.test']);

	const start = async (name, opts) => {
		const s = await startStandin({ name, ...opts });
		standins[name] = s;
		cleanups.push(() => s.close());
		return s;
	};
	// Jira: one site; a token answers 200, "forbidden" tokens 403, the rest 401.
	await start('jira', { tls, handler: (req, res, rec) => {
		if (rec.path === '/rest/api/2/myself' || rec.path === '/jira/rest/api/2/myself') {
			const c = basicCreds(req);
			if (c === null)
				return json(res, 401, { errorMessages: ['no credentials'] });
			if (c.password.startsWith('mkforbidden'))
				return json(res, 403, { errorMessages: ['forbidden'] });
			if (c.password.startsWith('mkgood'))
				return json(res, 200, { accountId: 'a1', emailAddress: c.user });
			return json(res, 401, { errorMessages: ['bad'] });
		}
		if (rec.path === '/moved/rest/api/2/myself')
			return behaviours.redirect(`${standins.sink.url}/rest/api/2/myself`, 301)(req, res);
		return json(res, 404, { errorMessages: ['no such page'] });
	} });
	await start('servicenow', { tls, handler: (req, res, rec) => {
		if (rec.path !== '/api/now/table/sys_user')
			return json(res, 404, { error: { message: 'Invalid table' } });
		const c = basicCreds(req);
		return c !== null && c.password.startsWith('mkgood') ? json(res, 200, { result: [{ sys_id: '6816f79c' }] })
		    : json(res, 401, { error: { message: 'User Not Authenticated' } });
	} });
	// Generic HTTP over plain http (its connector allows http://).
	const sent = {};
	standins.hugeSent = sent;
	await start('generic', { handler: routes({
		'/health': behaviours.status(200, {}, 'fine'),
		'/teapot': behaviours.status(418, {}, 'short and stout'),
		'/empty': behaviours.status(204),
		'/busy': behaviours.status(429, { 'retry-after': '30' }),
		'/broken': behaviours.status(503),
		'/stall': behaviours.stall(),
		'/moved': (req, res) => behaviours.redirect(`${standins.sink.url}/landing`, 302)(req, res),
		'/huge': behaviours.huge(256 * 1024 * 1024, 'mkhugebodymarker', sent),
		'/echo-auth': (req, res) => json(res, req.headers.authorization || req.headers['x-api-key'] ||
		    req.headers['x-custom-key'] || /[?&]key=/.test(req.url) ? 200 : 401, {}),
	}) });
	// Where a redirect points: it must never see a request.
	await start('sink', { tls: null, handler: (req, res) => json(res, 200, { gotcha: true }) });
	await start('untrusted', { tls: rogueLeaf, handler: (req, res) => json(res, 200, {}) });
	await start('wrongname', { tls: otherName, handler: (req, res) => json(res, 200, {}) });
	// Celonis: its OAuth token endpoint and its API on one host (oidc-provider).
	celonis = await startOAuthServer({
		tls, host: CELONIS,
		clients: [{ client_id: 'celonis-client', client_secret: own(marker('celsecret'), 'celonis'),
			scope: 'intelligence.knowledge-models:read', grant_types: ['client_credentials'],
			response_types: [], redirect_uris: [] }],
		routes: { token: '/oauth2/token' },
		apiPaths: ['/intelligence/', '/integration/'],
		scopes: ['intelligence.knowledge-models:read'],
	});
	cleanups.push(() => celonis.close());
	// Celonis app key and API key: a plain stand-in on the same name, another port.
	await start('celonis-keys', { tls, handler: (req, res, rec) => {
		const okPath = rec.path === '/intelligence/api/knowledge-models' ||
		    rec.path === '/integration/api/v1/data-push/pool-42/jobs/';
		if (!okPath)
			return json(res, 404, {});
		const a = req.headers.authorization ?? '';
		return json(res, /^(AppKey|Bearer) mkgood/.test(a) ? 200 : 401, {});
	} });
	const proxy = await startProxy({ [`${CELONIS}:443`]: celonis.port });
	const keysProxy = await startProxy({ [`${CELONIS}:443`]: standins['celonis-keys'].port });
	cleanups.push(() => proxy.close(), () => keysProxy.close());

	tether = await startTether({ replace: {
		'outbound.ca_bundle': pki.caFile, 'outbound.timeout_ms': String(TIMEOUT_MS),
		'outbound.connect_timeout_ms': String(CONNECT_TIMEOUT_MS) } });
	proxied = await startTether({ replace: { 'outbound.ca_bundle': pki.caFile, 'outbound.proxy': proxy.url } });
	proxied.keys = await startTether({ replace: { 'outbound.ca_bundle': pki.caFile, 'outbound.proxy': keysProxy.url } });
	cleanups.push(() => tether.stop(), () => proxied.stop(), () => proxied.keys.stop());
});

after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

describe('each connector sends its own test request with its own credentials', () => {
	test('Jira Cloud: GET {url}/rest/api/2/myself with Basic email:API token, and nothing from the admin', async () => {
		const { app, team, jar } = await session();
		const jira = standins.jira;
		const token = own(marker('good'), 'jira');
		const before = jira.requests.length;
		const c = await create(app, { connector: 'jira', protocol: 'cloud', team: team.id,
			fields: { url: jira.url, email: 'robot@example.com', api_token: token } });
		assert.deepEqual([c.row.trigger, c.row.result, c.row.httpStatus], ['create', 'ok', 200]);
		assert.equal(c.flash.kind, 'success');
		assert.match(c.flash.message, /Test: The connection works\./);

		// Test again with an admin request full of things that must stay here.
		const adminSecret = marker('admin');
		const t = await app.test(c.id, { Authorization: `Bearer ${adminSecret}`, 'X-Forwarded-For': '203.0.113.9',
		    'User-Agent': `admin-browser ${adminSecret}`, Referer: `http://127.0.0.1/${adminSecret}` });
		assert.equal(t.status, 303);
		assert.equal(t.location.replace(/^https?:\/\/[^/]+/, ''), `/connections/${c.id}`);
		assert.deepEqual(t.flash, { kind: 'success', message: 'The connection works.' });
		const reqs = jira.requests.slice(before);
		assert.equal(reqs.length, 2, 'one request per test');
		for (const r of reqs) {
			assert.equal(r.method, 'GET');
			assert.equal(r.url, '/rest/api/2/myself');
			assert.deepEqual(basicCreds({ headers: r.headers }), { user: 'robot@example.com', password: token });
			assert.deepEqual(Object.keys(r.headers).sort(), ['accept', 'authorization', 'host', 'user-agent'],
			    'only Host, Authorization, User-Agent and Accept');
			assert.match(r.headers['user-agent'], /^Tether\//);
			assert.equal(r.body, '');
		}
		const text = jira.allText();
		assertAbsent(adminSecret, { jira: text }, "the admin's request");
		assert.ok(!text.includes(jar.get('tether_session')), 'the session cookie stays here');
		assert.ok(!text.includes('203.0.113.9'));
	});

	test('Jira Cloud: 401 and 403 are "bad credentials" with the status recorded', async () => {
		const { app, team } = await session();
		const wrong = await create(app, { connector: 'jira', protocol: 'cloud', team: team.id,
			fields: { url: standins.jira.url, email: 'robot@example.com', api_token: own(marker('wrong'), 'jira') } });
		assert.deepEqual([wrong.row.result, wrong.row.httpStatus], ['bad_credentials', 401]);
		assert.equal(wrong.flash.kind, 'error');
		assert.match(wrong.flash.message, /refused the credentials/);
		assert.deepEqual(connRow(wrong.id).status, 'failing');
		const forbidden = await create(app, { connector: 'jira', protocol: 'cloud', team: team.id,
			fields: { url: standins.jira.url, email: 'robot@example.com', api_token: own(marker('forbidden'), 'jira') } });
		assert.deepEqual([forbidden.row.result, forbidden.row.httpStatus], ['bad_credentials', 403]);
	});

	test('Jira Server: user name and password, under a context path', async () => {
		const { app, team } = await session();
		const before = standins.jira.requests.length;
		const pw = own(marker('good'), 'jira');
		const c = await create(app, { connector: 'jira', protocol: 'server', team: team.id,
			fields: { url: `${standins.jira.url}/jira/`, username: 'svc-tether', password: pw } });
		assert.deepEqual([c.row.result, c.row.httpStatus], ['ok', 200]);
		const [r] = standins.jira.requests.slice(before);
		assert.equal(r.url, '/jira/rest/api/2/myself', 'the trailing / of the URL is not doubled');
		assert.deepEqual(basicCreds({ headers: r.headers }), { user: 'svc-tether', password: pw });
	});

	test('ServiceNow: GET {instance}/api/now/table/sys_user?sysparm_limit=1; a wrong instance path is "not found"', async () => {
		const { app, team } = await session();
		const sn = standins.servicenow;
		const before = sn.requests.length;
		const c = await create(app, { connector: 'servicenow', protocol: 'basic', team: team.id,
			fields: { url: sn.url, username: 'integration', password: own(marker('good'), 'servicenow') } });
		assert.deepEqual([c.row.result, c.row.httpStatus], ['ok', 200]);
		const [r] = sn.requests.slice(before);
		assert.equal(r.method, 'GET');
		assert.equal(r.path, '/api/now/table/sys_user');
		assert.equal(new URL(r.url, 'http://x').searchParams.get('sysparm_limit'), '1');
		const nf = await create(app, { connector: 'servicenow', protocol: 'basic', team: team.id,
			fields: { url: `${sn.url}/nothing-here`, username: 'integration', password: own(marker('good'), 'servicenow') } });
		assert.deepEqual([nf.row.result, nf.row.httpStatus], ['not_found', 404]);
		assert.equal(nf.row.message, 'The address answered "not found": check the URL.');
	});

	test('Celonis application key (Intelligence API) and API key (Data push API): path and header by API type', async () => {
		const { app, team } = await session(proxied.keys);
		const s = standins['celonis-keys'];
		const before = s.requests.length;
		const appKey = own(marker('good'), 'celonis-keys');
		const a = await create(app, { connector: 'celonis', protocol: 'app_key', apiType: 'intelligence', team: team.id,
			fields: { domain: CELONIS, app_key: appKey } });
		assert.deepEqual([a.row.result, a.row.httpStatus], ['ok', 200]);
		const apiKey = own(marker('good'), 'celonis-keys');
		const b = await create(app, { connector: 'celonis', protocol: 'api_key', apiType: 'data_push', team: team.id,
			fields: { domain: CELONIS, pool_id: 'pool-42', api_key: apiKey } });
		assert.deepEqual([b.row.result, b.row.httpStatus], ['ok', 200]);
		const [ra, rb] = s.requests.slice(before);
		assert.equal(ra.url, '/intelligence/api/knowledge-models');
		assert.equal(ra.headers.authorization, `AppKey ${appKey}`);
		assert.equal(ra.headers.host, CELONIS, 'https://{domain} with no port');
		assert.equal(rb.url, '/integration/api/v1/data-push/pool-42/jobs/');
		assert.equal(rb.headers.authorization, `Bearer ${apiKey}`);
	});

	test('Celonis OAuth client credentials: obtaining a token is the test, then the API answers to that token', async () => {
		const { app, team } = await session(proxied);
		const calls = celonis.tokenCalls.length;
		const c = await create(app, { connector: 'celonis', protocol: 'oauth2_client', apiType: 'intelligence', team: team.id,
			fields: { domain: CELONIS, client_id: 'celonis-client',
				client_secret: owned.find((o) => o.dest === 'celonis').secret } });
		assert.deepEqual([c.row.result, c.row.httpStatus], ['ok', 200]);
		assert.deepEqual(celonis.tokenCalls.slice(calls).map((t) => [t.grant_type, t.client_id, t.status]),
		    [['client_credentials', 'celonis-client', 200]]);
		const api = celonis.apiRequests[celonis.apiRequests.length - 1];
		assert.equal(api.url, '/intelligence/api/knowledge-models');
		const bearer = /^Bearer (\S+)$/.exec(api.headers.authorization)[1];
		assert.ok(await celonis.validAccessToken(bearer), 'the bearer is the token the server issued');
		// A wrong client secret: the token request is refused, no API call.
		const apiCalls = celonis.apiRequests.length;
		const bad = await create(app, { connector: 'celonis', protocol: 'oauth2_client', apiType: 'intelligence', team: team.id,
			fields: { domain: CELONIS, client_id: 'celonis-client', client_secret: own(marker('wrongcel'), 'celonis') } });
		assert.deepEqual([bad.row.result, bad.row.httpStatus], ['bad_credentials', 401]);
		assert.equal(celonis.apiRequests.length, apiCalls);
	});

	test('Generic HTTP: basic, API key header (its own name), API key query, bearer: each where it belongs', async () => {
		const { app, team } = await session();
		const g = standins.generic;
		const url = g.url;
		const before = g.requests.length;
		const pw = own(marker('pw'), 'generic');
		const hk = own(marker('hk'), 'generic');
		const qk = own(marker('qk'), 'generic');
		const bt = own(marker('bt'), 'generic');
		const made = [
			await create(app, { connector: 'http', protocol: 'basic', team: team.id,
				fields: { url, test_path: '/echo-auth', username: 'u1', password: pw } }),
			await create(app, { connector: 'http', protocol: 'api_key', team: team.id,
				fields: { url, test_path: '/echo-auth', header: 'X-Custom-Key', api_key: hk } }),
			await create(app, { connector: 'http', protocol: 'api_key_query', team: team.id,
				fields: { url, test_path: '/echo-auth?a=1', param: 'key', api_key: qk } }),
			await create(app, { connector: 'http', protocol: 'bearer', team: team.id,
				fields: { url, test_path: '/echo-auth', token: bt } }),
		];
		for (const m of made)
			assert.deepEqual([m.row.result, m.row.httpStatus], ['ok', 200]);
		const [rb, rh, rq, rt] = g.requests.slice(before);
		assert.deepEqual(basicCreds({ headers: rb.headers }), { user: 'u1', password: pw });
		assert.equal(rh.headers['x-custom-key'], hk);
		assert.equal(rh.headers.authorization, undefined);
		assert.equal(rq.url, `/echo-auth?a=1&key=${qk}`);
		assert.equal(rq.headers.authorization, undefined);
		assert.equal(rt.headers.authorization, `Bearer ${bt}`);
	});

	test('Generic HTTP: the configured path and expected status decide; any other status is "unexpected status N"', async () => {
		const { app, team } = await session();
		const url = standins.generic.url;
		const teapot = await create(app, { connector: 'http', protocol: 'none', team: team.id,
			fields: { url, test_path: '/teapot' } });
		assert.deepEqual([teapot.row.result, teapot.row.httpStatus], ['unexpected_status', 418]);
		assert.equal(teapot.row.message, 'The system answered with unexpected status 418.');
		const expected = await create(app, { connector: 'http', protocol: 'none', team: team.id,
			fields: { url, test_path: '/teapot', test_status: '418' } });
		assert.deepEqual([expected.row.result, expected.row.httpStatus], ['ok', 418]);
		const empty = await create(app, { connector: 'http', protocol: 'none', team: team.id,
			fields: { url, test_path: '/empty', test_status: '200' } });
		assert.deepEqual([empty.row.result, empty.row.httpStatus], ['unexpected_status', 204]);
		const broken = await create(app, { connector: 'http', protocol: 'none', team: team.id,
			fields: { url, test_path: '/broken' } });
		assert.deepEqual([broken.row.result, broken.row.httpStatus], ['unexpected_status', 503]);
	});
});

describe('every classified reason', () => {
	test('rate limited: 429', async () => {
		const { app, team } = await session();
		const c = await create(app, { connector: 'http', protocol: 'none', team: team.id,
			fields: { url: standins.generic.url, test_path: '/busy' } });
		assert.deepEqual([c.row.result, c.row.httpStatus], ['rate_limited', 429]);
		assert.equal(c.row.message, 'The system is rate limiting requests; try again later.');
	});

	test('timeout: a peer that never answers is given up after outbound.timeout_ms, not 10 s', async () => {
		const { app, team } = await session();
		const c = await create(app, { connector: 'http', protocol: 'none', team: team.id,
			fields: { url: standins.generic.url, test_path: '/stall' } });
		assert.deepEqual([c.row.result, c.row.httpStatus], ['timeout', null]);
		assert.ok(c.row.latencyMs >= TIMEOUT_MS - 50 && c.row.latencyMs < TIMEOUT_MS + 1000,
		    `latency ${c.row.latencyMs} ms for a ${TIMEOUT_MS} ms timeout`);
		const t = await app.test(c.id);
		assert.equal(t.flash.message, 'The system did not answer in time.');
		assert.ok(t.ms < TIMEOUT_MS + 2500, `Test answered in ${t.ms} ms`);
		assert.equal(lastTest(c.id).result, 'timeout');
	});

	test('timeout: a host that never completes the TCP handshake is given up after outbound.connect_timeout_ms', async () => {
		const { app, team } = await session();
		const bh = await startBlackhole();
		try {
			const c = await create(app, { connector: 'http', protocol: 'none', team: team.id,
				fields: { url: `http://127.0.0.1:${bh.port}`, test_path: '/' } });
			assert.deepEqual([c.row.result, c.row.httpStatus], ['timeout', null]);
			assert.ok(c.row.latencyMs >= CONNECT_TIMEOUT_MS - 50 && c.row.latencyMs < TIMEOUT_MS - 100,
			    `latency ${c.row.latencyMs} ms: the connect timeout (${CONNECT_TIMEOUT_MS} ms), not the total (${TIMEOUT_MS} ms)`);
		} finally {
			await bh.close();
		}
	});

	test('DNS failure: a host under .invalid never resolves', async () => {
		const { app, team } = await session();
		const c = await create(app, { connector: 'jira', protocol: 'cloud', team: team.id,
			fields: { url: 'https://tether-test.invalid', email: 'a@example.com', api_token: own(marker('dns'), 'nowhere') } });
		assert.deepEqual([c.row.result, c.row.httpStatus], ['dns', null]);
		assert.equal(c.row.message, 'The host name could not be found (DNS).');
	});

	test('TLS: a certificate of another CA, a certificate for another name, and no CA bundle at all', async () => {
		const { app, team } = await session();
		for (const name of ['untrusted', 'wrongname']) {
			const s = standins[name];
			const before = s.requests.length;
			const secret = own(marker('tls'), 'nowhere');
			const c = await create(app, { connector: 'jira', protocol: 'cloud', team: team.id,
				fields: { url: s.url, email: 'a@example.com', api_token: secret } });
			assert.deepEqual([c.row.result, c.row.httpStatus], ['tls', null], name);
			assert.equal(s.requests.length, before, `${name}: no request after a failed handshake`);
			if (name === 'untrusted')
				assert.ok(s.tlsErrors > 0, 'the client refused the handshake');
		}
		// The stack's own Tether has no ca_bundle: the test CA is not trusted
		// there (verification is on by default), even for a trusted name.
		const { jar } = await managerSession({ admin: true });
		const form = await get(`/connections/new?connector=jira&protocol=cloud`, jar);
		const r = await post('/connections', { csrf: csrfFrom(form.text), connector: 'jira', protocol: 'cloud',
			api_type: '', name: `tls-${Date.now()}`, description: '', team: team.id, context: 'system',
			'f.url': standins.jira.url, 'f.email': 'a@example.com', 'f.api_token': own(marker('good'), 'nowhere'),
			'f.max_parallel_extractions': '4', 'f.read_only': '1' }, jar);
		assert.equal(r.status, 303);
		const id = Number(/\/connections\/([0-9]+)$/.exec(r.headers.get('location'))[1]);
		assert.deepEqual([lastTest(id).result, connRow(id).status], ['tls', 'failing']);
		assert.match(flashOf(r).message, /secure \(TLS\) connection could not be established/);
	});

	test('redirect: a 301 or 302 is the result "redirect", and its target never sees a request', async () => {
		const { app, team } = await session();
		const sink = standins.sink.requests.length;
		const j = await create(app, { connector: 'jira', protocol: 'cloud', team: team.id,
			fields: { url: `${standins.jira.url}/moved`, email: 'a@example.com', api_token: own(marker('good'), 'jira') } });
		assert.deepEqual([j.row.result, j.row.httpStatus], ['redirect', 301]);
		assert.equal(j.row.message, 'The system answered with an unexpected redirect.');
		const g = await create(app, { connector: 'http', protocol: 'bearer', team: team.id,
			fields: { url: standins.generic.url, test_path: '/moved', token: own(marker('redir'), 'generic') } });
		assert.deepEqual([g.row.result, g.row.httpStatus], ['redirect', 302]);
		// Even when the expected status is the redirect's, it is a redirect.
		const e = await create(app, { connector: 'http', protocol: 'none', team: team.id,
			fields: { url: standins.generic.url, test_path: '/moved', test_status: '302' } });
		assert.deepEqual([e.row.result, e.row.httpStatus], ['redirect', 302]);
		assert.equal(standins.sink.requests.length, sink, 'no redirect was followed');
	});

	test('unreachable: nothing listens on the port', async () => {
		const { app, team } = await session();
		// A port that was just free: bind, note it, close.
		const s = await startStandin({});
		const port = s.port;
		await s.close();
		const c = await create(app, { connector: 'http', protocol: 'none', team: team.id,
			fields: { url: `http://127.0.0.1:${port}`, test_path: '/' } });
		assert.deepEqual([c.row.result, c.row.httpStatus], ['unreachable', null]);
	});

	test('refused by the network policy: a scheme the connector does not allow, at the form and at connect time', async () => {
		const { app, team } = await session();
		const jira = standins.jira;
		const generic = standins.generic;
		// The form refuses http:// for Jira and anything but http(s) for Generic HTTP.
		for (const [connector, protocol, fields] of [
			['jira', 'cloud', { url: generic.url, email: 'a@example.com', api_token: 'x' }],
			['http', 'none', { url: `ftp://127.0.0.1:${generic.port}/`, test_path: '/' }],
			['http', 'none', { url: 'file:///etc/passwd', test_path: '/' }],
		]) {
			const c = await app.create({ connector, protocol, team: team.id, fields });
			assert.equal(c.status, 422, `${connector} ${fields.url}`);
			assert.match(pageText(c.res.text), /The address must start with https:\/\//);
		}
		// Past the form (a row changed behind its back), the prober still
		// allows only the connector's schemes: https for Jira.
		const c = await create(app, { connector: 'jira', protocol: 'cloud', team: team.id,
			fields: { url: jira.url, email: 'a@example.com', api_token: own(marker('good'), 'jira') } });
		assert.equal(c.row.result, 'ok');
		const before = generic.requests.length;
		psql(`UPDATE connections SET settings = jsonb_set(settings, '{url}', to_jsonb(${sqlString(generic.url)}::text))
		    WHERE id = ${c.id}`);
		const t = await app.test(c.id);
		assert.equal(t.flash.message, 'The address is not allowed by the outbound network policy.');
		assert.deepEqual([lastTest(c.id).result, lastTest(c.id).httpStatus], ['policy', null]);
		assert.equal(generic.requests.length, before, 'no http:// request for a connector that allows https only');
		for (const bad of ['file:///etc/passwd', `gopher://127.0.0.1:${generic.port}/`, `ftp://127.0.0.1:${generic.port}/`]) {
			psql(`UPDATE connections SET connector = 'http', auth_protocol = 'none',
			    settings = jsonb_build_object('url', ${sqlString(bad)}::text, 'test_path', '/', 'test_status', '200')
			    WHERE id = ${c.id}`);
			const r = await app.test(c.id);
			assert.equal(lastTest(c.id).result, 'policy', bad);
			assert.doesNotMatch(r.flash.message, /root:/, 'no file content');
		}
		assert.equal(generic.requests.length, before);
	});

	test('credentials missing: a stored secret that does not decrypt is never sent (no fallback)', async () => {
		const { app, team } = await session();
		const jira = standins.jira;
		const a = await create(app, { connector: 'jira', protocol: 'cloud', team: team.id,
			fields: { url: jira.url, email: 'a@example.com', api_token: own(marker('good'), 'jira') } });
		const b = await create(app, { connector: 'jira', protocol: 'cloud', team: team.id,
			fields: { url: jira.url, email: 'b@example.com', api_token: own(marker('good'), 'jira') } });
		assert.equal(a.row.result, 'ok');
		// b's ciphertext copied into a's row: bound to b, it fails to decrypt for a.
		psql(`UPDATE connection_secrets d SET nonce = s.nonce, ciphertext = s.ciphertext
		    FROM connection_secrets s WHERE d.connection_id = ${a.id} AND d.field = 'api_token'
		    AND s.connection_id = ${b.id} AND s.field = 'api_token'`);
		const before = jira.requests.length;
		const t = await app.test(a.id);
		assert.equal(t.flash.message, 'A stored credential is missing or cannot be decrypted: re-enter it.');
		assert.deepEqual([lastTest(a.id).result, connRow(a.id).status], ['credentials_missing', 'failing']);
		assert.equal(jira.requests.length, before, 'nothing was sent');
	});

	test('a huge body is read into a small capped buffer, not to the end, and never shown', async () => {
		const { app, team } = await session();
		const t0 = Date.now();
		const c = await create(app, { connector: 'http', protocol: 'none', team: team.id,
			fields: { url: standins.generic.url, test_path: '/huge' } });
		assert.deepEqual([c.row.result, c.row.httpStatus], ['ok', 200]);
		assert.ok(Date.now() - t0 < 5000, `created and tested in ${Date.now() - t0} ms`);
		const sent = standins.hugeSent;
		assert.equal(sent.aborted, true, 'Tether closed the connection before the end of the body');
		assert.ok(sent.bytes < 16 * 1024 * 1024, `${sent.bytes} of 256 MiB left the stand-in`);
		const details = await app.get(`/connections/${c.id}`);
		const history = await app.get(`/connections/${c.id}/history`);
		assertAbsent('mkhugebodymarker', { details: details.text, history: history.text });
		assertNotInDatabase(['mkhugebodymarker']);
	});
});

test('the details and history pages show the classified result, never a response body', async () => {
	const { app, team } = await session();
	const c = await create(app, { connector: 'http', protocol: 'none', team: team.id,
		fields: { url: standins.generic.url, test_path: '/teapot' } });
	const d = await app.get(`/connections/${c.id}`);
	assert.equal(d.status, 200);
	const text = pageText(d.text);
	assert.match(text, /Status Failing/);
	assert.match(text, /Last test message: The system answered with unexpected status 418\./);
	assert.doesNotMatch(text, /short and stout/, 'the body is never shown');
	const h = await app.get(`/connections/${c.id}/history`);
	assert.match(pageText(h.text), /unexpected status 418/);
	assert.doesNotMatch(h.text, /short and stout/);
	assert.deepEqual(testRows(c.id).map((r) => [r.trigger, r.result, r.httpStatus]), [['create', 'unexpected_status', 418]]);
});

test('no secret reaches a stand-in other than its connection\'s destination, a page, a log or the database', async () => {
	assert.ok(owned.length >= 20, `${owned.length} marker secrets were used`);
	const texts = {};
	for (const [name, s] of Object.entries(standins))
		if (typeof s.allText === 'function')
			texts[name] = s.allText();
	texts.celonis = celonis.requests.map((r) => `${r.method} ${r.url} ${JSON.stringify(r.headers)}`).join('\n') +
	    celonis.apiRequests.map((r) => `${r.url} ${JSON.stringify(r.headers)}`).join('\n');
	// Each marker reached its destination (or nowhere, for those that must not).
	for (const { secret, dest } of owned) {
		if (dest === 'nowhere' || dest === 'celonis')
			continue;
		assert.ok(withBasicDecoded(texts[dest]).includes(secret), `${secret} reached its own destination ${dest}`);
	}
	const pages = clients.flatMap((c) => c.pages).join('\n');
	const logs = stackLogs() + tether.log() + proxied.log() + proxied.keys.log();
	for (const { secret, dest } of owned) {
		const elsewhere = Object.fromEntries(Object.entries(texts).filter(([n]) => n !== dest));
		assertAbsent(secret, { ...elsewhere, 'the pages': pages, 'the logs': logs });
	}
	assertNotInDatabase(owned.map((o) => o.secret));
});
