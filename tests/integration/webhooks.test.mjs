// Webhooks (issue 11 §3): `tetherctl webhook add` prints the endpoint's id
// and its whsec_ secret once; an endpoint on an address the outbound policy
// refuses is refused (tetherctl and the page); tether-worker --once POSTs
// each event, signed the Standard Webhooks way (verified here with node's
// crypto), through the outbound policy with the test CA; a connection
// flipping between ok and 401 notifies once per transition, and with
// health.notify_after_failures = 2 a single failure does not; a 500 is
// tried again with the same webhook-id; every attempt shows on
// /webhooks/ID; no body carries a secret; a not_testable connection never
// notifies. Connection created/updated/deleted events come from the pages.
//
// The receiver is an HTTPS stand-in on loopback with a certificate of the
// test CA; each endpoint is scoped to the test's own team (--team), so the
// events of other tests never reach it.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { basicCreds, json, startStandin } from '../fakes/http-standin.mjs';
import { makePki } from '../fakes/pki.mjs';
import { assertAbsent, marker } from '../fakes/secrets.mjs';
import {
	csrfFrom, env, managerSession, pageText, psql, psqlValue, startProcess, tetherctl,
} from '../lib/stack.mjs';
import { startTether, tetherctlAsync } from '../lib/tether.mjs';

const cleanups = [];
let receiver;
let api;
let tether;
let workDir;
let apiAnswer = 200;		// what the API stand-in says to the right password
const receiverAnswers = [];	// statuses the receiver gives next (then 204)

before(async () => {
	workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-webhooks-'));
	cleanups.push(() => fs.rmSync(workDir, { recursive: true, force: true }));
	const pki = makePki(path.join(workDir, 'ca'));
	const leaf = pki.issue('hooks', ['localhost', '127.0.0.1']);
	receiver = await startStandin({ name: 'receiver', tls: leaf, handler: (req, res) => {
		res.writeHead(receiverAnswers.shift() ?? 204);
		res.end();
	} });
	api = await startStandin({ name: 'api', handler: (req, res, rec) => {
		const c = basicCreds(req);
		if (rec.path !== '/v1/health')
			return json(res, 404, {});
		return json(res, c !== null && c.password.startsWith('mkright') ? apiAnswer : 401, {});
	} });
	tether = await startTether({ replace: {
		'outbound.ca_bundle': pki.caFile,
		'health.notify_after_failures': '2',
	} });
	cleanups.push(() => receiver.close(), () => api.close(), () => tether.stop());
});

after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

/** tether-worker -c CONF --once (the stand-ins live in this process). */
async function workerOnce() {
	const p = startProcess(path.join(env('TETHER_BIN'), 'tether-worker'),
	    ['-c', tether.conf, '--once']);
	const r = await p.exited;
	assert.equal(r.code, 0, `tether-worker --once: ${p.stderr().slice(-1500)}`);
}

/** tetherctl webhook add …: { id, secret, stdout }. */
function addWebhook(...args) {
	const out = tetherctl('webhook', 'add', ...args);
	const id = /^id ([0-9]+)$/m.exec(out);
	const secret = /^secret (whsec_\S+)$/m.exec(out);
	assert.ok(id && secret, `tetherctl webhook add printed ${out}`);
	cleanups.push(() => tetherctl('webhook', 'remove', id[1], { check: false }));
	return { id: Number(id[1]), secret: secret[1], stdout: out };
}

/** Standard Webhooks: v1,base64(HMAC-SHA256(key, id.timestamp.body)). */
function verify(rec, secret) {
	const id = rec.headers['webhook-id'];
	const ts = rec.headers['webhook-timestamp'];
	const sig = rec.headers['webhook-signature'];
	assert.match(id ?? '', /^evt_[0-9]+$/, 'webhook-id');
	assert.match(ts ?? '', /^[0-9]+$/, 'webhook-timestamp');
	// The time it was sent (what the receiver checks against its own clock),
	// not the time this test reads it: a long --once run delivers early on.
	assert.ok(Math.abs(Number(ts) - rec.at / 1000) < 60, 'a timestamp of the sending');
	const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
	const want = 'v1,' + createHmac('sha256', key).update(`${id}.${ts}.${rec.body}`).digest('base64');
	assert.ok(sig.split(' ').includes(want), `signature ${sig} is ${want}`);
	assert.equal(rec.headers['content-type'], 'application/json');
	return JSON.parse(rec.body);
}

/** What reached endpoint w's path for connection `cid`, as verified events. */
function received(w, cid) {
	return receiver.requests.filter((r) => r.path === w.path).map((r) => ({ rec: r, ev: verify(r, w.secret) }))
	    .filter((x) => x.ev.data?.connection?.id === cid);
}

let hooks = 0;
/** An endpoint of its own on the receiver, for the team's events. */
function hook(team, ...args) {
	const p = `/hook/${++hooks}`;
	return { ...addWebhook(`${receiver.url}${p}`, '--team', team.name, ...args), path: p };
}

async function connection(s, password) {
	const app = tether.client(s.jar);
	const c = await app.create({ connector: 'http', protocol: 'basic', team: s.team.id,
		fields: { url: `${api.url}/v1`, test_path: '/health', username: 'svc', password } });
	assert.equal(c.status, 303, pageText(c.res.text).slice(0, 300));
	// No scheduled check of its own in the middle of the test.
	psql(`UPDATE jobs SET run_at = now() + interval '1 day' WHERE connection_id = ${c.id}`);
	return { app, id: c.id, name: c.name };
}

async function cliTest(id) {
	const r = await tetherctlAsync(['test', String(id)], { conf: tether.conf });
	return r;
}

test('tetherctl webhook add prints the id and a whsec_ secret once; list and the database never show it', async () => {
	const team = (await managerSession()).team;
	const w = addWebhook('https://localhost:9/hook', '--events', 'connection.failing,connection.recovered',
	    '--team', team.name);
	assert.match(w.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
	assert.equal(Buffer.from(w.secret.slice(6), 'base64').length, 32);
	const list = tetherctl('webhook', 'list');
	assert.match(list, new RegExp(`^${w.id}\\thttps://localhost:9/hook\\tconnection.failing,connection.recovered\\t${team.name}\\tenabled$`, 'm'));
	assert.ok(!list.includes(w.secret.slice(6)), 'list shows no secret');
	const row = psql(`SELECT url, key_version, length(ciphertext), strpos(encode(ciphertext, 'escape'),
	    ${`'${w.secret.slice(6, 20)}'`}) FROM webhook_endpoints WHERE id = ${w.id}`)[0];
	assert.equal(row[0], 'https://localhost:9/hook');
	assert.equal(row[3], '0', 'sealed, not in clear');
	assert.equal(psqlValue(`SELECT count(*) FROM audit_log WHERE object_type = 'webhook' AND object_id = ${w.id}
	    AND action = 'webhook_create' AND strpos(details::text, ${`'${w.secret.slice(6, 20)}'`}) = 0`), '1');
	const bad = tetherctl('webhook', 'add', 'https://x.test/h', '--events', 'connection.exploded', { check: false });
	assert.equal(bad.status, 1);
	assert.match(bad.stderr, /unknown event connection\.exploded/);
});

test('an endpoint on an address the outbound policy refuses is refused, by tetherctl and by the page', async () => {
	for (const url of ['https://169.254.169.254/latest', 'https://10.1.2.3/hook', 'https://[fd00::1]/hook']) {
		const r = tetherctl('webhook', 'add', url, { check: false });
		assert.equal(r.status, 1, url);
		assert.match(r.stderr, /outbound network policy does not allow this address/, url);
		assert.equal(r.stdout, '', 'no secret printed');
	}
	const plain = tetherctl('webhook', 'add', 'http://example.com/hook', { check: false });
	assert.equal(plain.status, 1);
	const s = await managerSession({ admin: true });
	const app = tether.client(s.jar);
	const page = await app.get('/webhooks');
	assert.equal(page.status, 200);
	const before = psqlValue('SELECT count(*) FROM webhook_endpoints');
	const r = await app.post('/webhooks', new URLSearchParams([['csrf', csrfFrom(page.text)],
	    ['action', 'create'], ['url', 'https://169.254.169.254/latest'], ['events', 'connection.failing']]));
	assert.equal(r.status, 422);
	assert.match(pageText(r.text), /outbound network policy does not allow this address/);
	assert.doesNotMatch(r.text, /whsec_/);
	assert.equal(psqlValue('SELECT count(*) FROM webhook_endpoints'), before);
	// Not an admin: no such page.
	const m = await managerSession();
	assert.equal((await tether.client(m.jar).get('/webhooks')).status, 404);
});

test('status events are signed, sent once per transition, not after a single failure; a 500 is tried again; no secret', async () => {
	const s = await managerSession({ admin: true });
	const w = hook(s.team);
	const password = marker('right');
	const c = await connection(s, password);
	await workerOnce();
	let got = received(w, c.id);
	assert.deepEqual(got.map((x) => x.ev.type), ['connection.created']);
	assert.equal(got[0].ev.data.connection.name, c.name);
	assert.match(got[0].ev.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

	apiAnswer = 401;
	await cliTest(c.id);
	await workerOnce();
	assert.equal(received(w, c.id).length, 1, 'one failure (notify_after_failures = 2): no event');
	await cliTest(c.id);
	await cliTest(c.id);		// still failing: no second event
	await workerOnce();
	got = received(w, c.id);
	assert.deepEqual(got.map((x) => x.ev.type), ['connection.created', 'connection.failing']);
	const failing = got[1].ev.data;
	assert.equal(failing.status.before, 'ok');
	assert.equal(failing.status.after, 'failing');
	assert.equal(failing.test.result, 'bad_credentials');
	assert.equal(failing.connection.owner_team.name, s.team.name);

	apiAnswer = 200;
	await cliTest(c.id);
	await cliTest(c.id);
	await workerOnce();
	got = received(w, c.id);
	assert.deepEqual(got.map((x) => x.ev.type), ['connection.created', 'connection.failing',
	    'connection.recovered']);

	// The receiver answers 500 once: the delivery waits (5 s), then goes
	// again with the same webhook-id.
	apiAnswer = 401;
	receiverAnswers.push(500);
	await cliTest(c.id);
	await cliTest(c.id);
	await workerOnce();
	got = received(w, c.id);
	assert.equal(got.length, 4);
	const d = psql(`SELECT d.id, d.state, d.attempts, extract(epoch FROM d.next_attempt_at - now())::int
	    FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
	    WHERE d.endpoint_id = ${w.id} AND e.type = 'connection.failing' ORDER BY d.id DESC LIMIT 1`)[0];
	assert.equal(d[1], 'pending');
	assert.equal(d[2], '1');
	assert.ok(Number(d[3]) > 0 && Number(d[3]) <= 5, `next try in ${d[3]} s`);
	await workerOnce();
	assert.equal(received(w, c.id).length, 4, 'not before its time');
	psql(`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE id = ${d[0]}`);
	await workerOnce();
	got = received(w, c.id);
	assert.equal(got.length, 5);
	assert.equal(got[4].rec.headers['webhook-id'], got[3].rec.headers['webhook-id'], 'the same id on a retry');
	assert.equal(got[4].ev.type, 'connection.failing');
	assert.deepEqual(psql(`SELECT coalesce(http_status::text, '-'), result FROM webhook_attempts
	    WHERE delivery_id = ${d[0]} ORDER BY id`), [['500', 'unexpected_status'], ['204', 'ok']]);
	assert.equal(psqlValue(`SELECT state FROM webhook_deliveries WHERE id = ${d[0]}`), 'delivered');

	// Every attempt on /webhooks/ID: time, HTTP status, latency.
	const page = await c.app.get(`/webhooks/${w.id}`);
	assert.equal(page.status, 200);
	const text = pageText(page.text);
	assert.match(text, /HTTP 500 · \d+ ms/);
	assert.match(text, /HTTP 204 · \d+ ms/);
	assert.match(text, /connection\.recovered/);
	assert.doesNotMatch(page.text, /whsec_/);

	// No secret in any body: the connection's password, the signing secret.
	assertAbsent(password, { receiver: receiver.allText() });
	assertAbsent(w.secret.slice(6), { receiver: receiver.allText(), page: page.text });
	apiAnswer = 200;
});

test('connection created, updated and deleted events come from the pages, deleted with the row as it was', async () => {
	const s = await managerSession({ admin: true });
	const w = hook(s.team, '--events', 'connection.created,connection.updated,connection.deleted');
	const c = await connection(s, marker('right'));
	const edit = await c.app.get(`/connections/${c.id}/edit`);
	assert.equal(edit.status, 200);
	const form = new URLSearchParams();
	for (const m of edit.text.matchAll(/<input\b[^>]*>/g)) {
		const name = /\bname="([^"]+)"/.exec(m[0]);
		const value = /\bvalue="([^"]*)"/.exec(m[0]);
		if (name && !/type="(password|checkbox|radio)"/.test(m[0]))
			form.set(name[1], value ? value[1].replace(/&amp;/g, '&') : '');
	}
	form.set('name', `${c.name}-renamed`);
	const e = await c.app.post(`/connections/${c.id}/edit`, form);
	assert.equal(e.status, 303, pageText(e.text).slice(0, 400));
	const del = await c.app.get(`/connections/${c.id}/delete`);
	const r = await c.app.post(`/connections/${c.id}/delete`, { csrf: csrfFrom(del.text), confirm: 'yes' });
	assert.equal(r.status, 303, pageText(r.text).slice(0, 400));
	await workerOnce();
	// Workers deliver in parallel: the order is the events' (their ids), not the arrival's.
	const got = received(w, c.id).sort((a, b) => Number(a.rec.headers['webhook-id'].slice(4)) -
	    Number(b.rec.headers['webhook-id'].slice(4)));
	assert.deepEqual(got.map((x) => x.ev.type), ['connection.created', 'connection.updated', 'connection.deleted']);
	assert.equal(got[2].ev.data.connection.name, `${c.name}-renamed`);
	assert.equal(got[2].ev.data.actor, s.user.email);
});

test('a not_testable connection never notifies', async () => {
	const s = await managerSession({ admin: true });
	const w = hook(s.team);
	const app = tether.client(s.jar);
	const c = await app.create({ connector: 'servicenow', protocol: 'basic', team: s.team.id, context: 'per_user',
		fields: { url: receiver.url, username: 'svc' } });
	assert.equal(c.status, 303, pageText(c.res.text).replace(/^[\s\S]*?New Generic HTTP connection/, '').slice(0, 1500));
	psql(`UPDATE jobs SET run_at = now() + interval '1 day' WHERE connection_id = ${c.id}`);
	apiAnswer = 401;
	for (let i = 0; i < 3; i++)
		await cliTest(c.id);
	apiAnswer = 200;
	await workerOnce();
	assert.equal(psqlValue(`SELECT status FROM connections WHERE id = ${c.id}`), 'not_testable');
	assert.deepEqual(received(w, c.id).map((x) => x.ev.type), ['connection.created']);
	assert.equal(psqlValue(`SELECT count(*) FROM events WHERE connection_id = ${c.id}
	    AND type NOT IN ('connection.created')`), '0');
});

test('two workers at once deliver each event once (SKIP LOCKED and the lease)', async () => {
	const s = await managerSession();
	const w = hook(s.team, '--events', 'connection.updated');
	const N = 30;
	// Events as the pages write them, here straight into the outbox: the
	// trigger fans each out to the endpoint in the same transaction.
	psql(`INSERT INTO events (type, connection_id, team_id, payload)
	    SELECT 'connection.updated', 900000000 + g, ${Number(s.team.id)},
	    jsonb_build_object('connection', jsonb_build_object('id', 900000000 + g))
	    FROM generate_series(1, ${N}) g`);
	assert.equal(psqlValue(`SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ${w.id}`), String(N));
	await Promise.all([workerOnce(), workerOnce()]);
	const ids = receiver.requests.filter((r) => r.path === w.path).map((r) => verify(r, w.secret) &&
	    r.headers['webhook-id']);
	assert.equal(ids.length, N, 'every event delivered');
	assert.equal(new Set(ids).size, N, 'none twice');
	assert.equal(psqlValue(`SELECT count(*) FROM webhook_attempts a JOIN webhook_deliveries d
	    ON d.id = a.delivery_id WHERE d.endpoint_id = ${w.id}`), String(N), 'one attempt each');
});
