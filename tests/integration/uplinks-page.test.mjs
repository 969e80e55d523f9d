// Uplinks in the portal (issue 13 §3) and outbound addresses (§2): /uplinks
// for administrators lists, creates, edits, tests and deletes uplinks; each
// refusal names its field and saves nothing; delete is refused while
// connections use the uplink, naming them; Test reaches the proxy stand-in
// (tests/fakes/proxy.mjs) through the uplink's own allowlist and says what
// happened; others get 403 with the nav bar; every POST needs its CSRF
// token. outbound.egress_addresses shows on connector pages, on on-premises
// connectors' forms, on a connection's Details (the uplink's own when
// Uplinked) and in the API; unset, the pages say how to set it.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { startProxy } from '../fakes/proxy.mjs';
import {
	confCopy, csrfFrom, flashOf, managerSession, pageText, psqlValue, request, sqlString, tetherctl, uniq,
} from '../lib/stack.mjs';
import { startTether, tetherctlAsync } from '../lib/tether.mjs';

const EGRESS = '203.0.113.7, 198.51.100.0/28';
const cleanups = [];
let tether, bare, admin, manager, proxy, target;

before(async () => {
	target = await startProxy({});	// a port that answers; the probe's host
	proxy = await startProxy({ 'probe.corp.test:443': new URL(target.url).port });
	cleanups.push(() => proxy.close(), () => target.close());
	tether = await startTether({ replace: { 'outbound.allow': '',
		'outbound.egress_addresses': EGRESS, 'outbound.timeout_ms': '3000' } });
	bare = await startTether({ replace: { 'outbound.allow': '' } });
	cleanups.push(() => tether.stop(), () => bare.stop());
	admin = tether.client((await managerSession({ admin: true })).jar);
	manager = tether.client((await managerSession()).jar);
});

after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

/** POST /uplinks (create) with the page's token; fields by name. */
async function create(fields) {
	const page = await admin.get('/uplinks');
	assert.equal(page.status, 200);
	return admin.post('/uplinks', { csrf: csrfFrom(page.text), action: 'create', name: '',
		proxy_url: '', allow: '', egress: '', probe: '', ...fields });
}

function uplinkRow(name) {
	return psqlValue(`SELECT id || '|' || coalesce(proxy_url, '') || '|' || allow || '|' || egress || '|' || probe FROM uplinks WHERE name = ${sqlString(name)}`) ?? '';
}

test('an admin creates an uplink; it is listed with its proxy, allowlist and egress', async () => {
	const name = uniq('corp');
	const r = await create({ name, proxy_url: proxy.url, allow: '127.0.0.0/8', egress: '192.0.2.10',
		probe: 'probe.corp.test:443' });
	assert.equal(r.status, 303, pageText(r.text).slice(0, 400));
	const id = Number(/\/uplinks\/([0-9]+)$/.exec(r.headers.get('location'))[1]);
	assert.equal(uplinkRow(name), `${id}|${proxy.url}|127.0.0.0/8|192.0.2.10|probe.corp.test:443`);
	const list = pageText((await admin.get('/uplinks')).text);
	assert.match(list, new RegExp(`${name}[^]*${proxy.url.replace(/[.]/g, '\\.')}[^]*127\\.0\\.0\\.0/8[^]*192\\.0\\.2\\.10`));
	assert.equal(psqlValue(`SELECT count(*) FROM audit_log WHERE object_type = 'uplink' AND object_id = ${id} AND action = 'uplink_create'`), '1');
});

test('bad fields are refused one by one, with nothing saved', async () => {
	const name = uniq('bad');
	const r = await create({ name, proxy_url: 'ftp://x', allow: '10.0.0.0/99', egress: 'not-an-ip',
		probe: 'nohost' });
	assert.equal(r.status, 422);
	const t = pageText(r.text);
	assert.match(t, /The address must start with https:\/\/ or http:\/\//);
	assert.match(t, /prefix length/);
	assert.match(t, /"not-an-ip" is not an IPv4 or IPv6 address or range/);
	assert.match(t, /Write it as host:port/);
	assert.match(r.text, new RegExp(`value="${name}"`), 'the form keeps what was typed');
	assert.equal(uplinkRow(name), '');
	const empty = await create({ name: '', proxy_url: '' });
	assert.equal(empty.status, 422);
	assert.match(pageText(empty.text), /Enter a name/);
});

test('a name already used is refused; an edit changes the uplink and is audited', async () => {
	const a = uniq('a'), b = uniq('b');
	await create({ name: a, proxy_url: proxy.url, allow: '127.0.0.0/8' });
	await create({ name: b, proxy_url: proxy.url });
	const dup = await create({ name: a, proxy_url: proxy.url });
	assert.equal(dup.status, 422);
	assert.match(pageText(dup.text), /Another uplink is named/);
	const id = uplinkRow(b).split('|')[0];
	const page = await admin.get(`/uplinks/${id}`);
	assert.equal(page.status, 200);
	const taken = await admin.post(`/uplinks/${id}`, { csrf: csrfFrom(page.text), action: 'update',
		name: a, proxy_url: proxy.url, allow: '', egress: '', probe: '' });
	assert.equal(taken.status, 422);
	const ok = await admin.post(`/uplinks/${id}`, { csrf: csrfFrom(page.text), action: 'update',
		name: b, proxy_url: proxy.url, allow: '127.0.0.1/32', egress: '2001:db8::1', probe: '' });
	assert.equal(ok.status, 303);
	assert.equal(uplinkRow(b), `${id}|${proxy.url}|127.0.0.1/32|2001:db8::1|`);
	assert.equal(psqlValue(`SELECT count(*) FROM audit_log WHERE object_type = 'uplink' AND object_id = ${id} AND action = 'uplink_update'`), '1');
});

test('Test reaches the proxy through the allowlist and classifies what happened', async () => {
	const good = uniq('good'), closed = uniq('closed'), nowhere = uniq('nowhere'), plain = uniq('plain');
	await create({ name: good, proxy_url: proxy.url, allow: '127.0.0.0/8', probe: 'probe.corp.test:443' });
	await create({ name: closed, proxy_url: proxy.url, allow: '', probe: 'probe.corp.test:443' });
	await create({ name: nowhere, proxy_url: proxy.url, allow: '127.0.0.0/8', probe: 'other.corp.test:443' });
	await create({ name: plain, proxy_url: proxy.url, allow: '127.0.0.0/8' });
	const run = async (name) => {
		const id = uplinkRow(name).split('|')[0];
		const page = await admin.get(`/uplinks/${id}`);
		const r = await admin.post(`/uplinks/${id}`, { csrf: csrfFrom(page.text), action: 'test' });
		assert.equal(r.status, 303);
		assert.equal(r.headers.get('location'), `/uplinks/${id}`);
		const f = flashOf(r);
		assert.equal(f.kind, /opened a tunnel|answered \(HTTP/.test(f.message) ? 'success' : 'error', f.message);
		return f.message;
	};
	let asked = proxy.connects.length;
	assert.match(await run(good), /The proxy opened a tunnel to probe\.corp\.test:443/);
	assert.deepEqual(proxy.connects.slice(asked), ['probe.corp.test:443']);
	asked = proxy.connects.length;
	assert.match(await run(closed), /Refused by this uplink's allowlist/);
	assert.equal(proxy.connects.length, asked, 'nothing reached the proxy');
	assert.match(await run(nowhere), /The proxy answered HTTP 502: it would not open a tunnel to other\.corp\.test:443/);
	assert.match(await run(plain), /The proxy answered \(HTTP 502 to a CONNECT/);
});

test('delete is refused while a connection uses the uplink, naming it; then it goes', async () => {
	const name = uniq('used');
	await create({ name, proxy_url: proxy.url, allow: '127.0.0.0/8' });
	const id = uplinkRow(name).split('|')[0];
	const c = await admin.create({ connector: 'jira', protocol: 'server', name: uniq('via'),
		fields: { url: 'https://jira.corp.test', username: 'svc', password: 'pw' } });
	assert.ok(c.id, `created: ${c.status}`);
	// Uplinked after the fact, as tetherctl or the form would.
	psqlValue(`UPDATE connections SET uplink_id = ${id} WHERE id = ${c.id} RETURNING id`);
	const page = await admin.get(`/uplinks/${id}`);
	assert.match(page.text, new RegExp(`href="/connections/${c.id}"[^>]*>${c.name}<`), 'lists its connections');
	assert.match(pageText((await admin.get('/uplinks')).text), new RegExp(`${name}[^]*1 connection`));
	const r = await admin.post(`/uplinks/${id}`, { csrf: csrfFrom(page.text), action: 'delete' });
	assert.equal(r.status, 409);
	assert.match(pageText(r.text), /used by 1 connection/);
	assert.match(r.text, new RegExp(`href="/connections/${c.id}"`));
	assert.notEqual(uplinkRow(name), '');
	psqlValue(`UPDATE connections SET uplink_id = NULL WHERE id = ${c.id} RETURNING id`);
	const gone = await admin.post(`/uplinks/${id}`, { csrf: csrfFrom(page.text), action: 'delete' });
	assert.equal(gone.status, 303);
	assert.equal(uplinkRow(name), '');
});

test('only admins: others get 403 with the nav bar; no POST without its token', async () => {
	for (const p of ['/uplinks', '/uplinks/1']) {
		const r = await manager.get(p);
		assert.equal(r.status, 403, p);
		assert.match(r.text, /class="site-nav"/);
	}
	const name = uniq('nocsrf');
	const r = await admin.post('/uplinks', { action: 'create', name, proxy_url: proxy.url, allow: '',
		egress: '', probe: '' });
	assert.equal(r.status, 403);
	assert.equal(uplinkRow(name), '');
	const nav = await admin.get('/');
	assert.match(nav.text, /href="\/uplinks"/, 'in the admin nav');
	assert.doesNotMatch((await manager.get('/')).text, /href="\/uplinks"/);
});

test('egress addresses on connector pages, on-premises forms, Details and the API', async () => {
	const conn = await admin.get('/connectors/salesforce');
	assert.match(conn.text, /203\.0\.113\.7, 198\.51\.100\.0\/28/);
	const form = await admin.get('/connections/new?connector=sap&protocol=basic');
	assert.match(form.text, /id="f-egress"[^>]*value="203\.0\.113\.7, 198\.51\.100\.0\/28"/);
	const cloud = await admin.get('/connections/new?connector=salesforce&protocol=oauth2_code');
	assert.doesNotMatch(cloud.text, /id="f-egress"/, 'not on cloud-only forms');
	const c = await admin.create({ connector: 'jira', protocol: 'server', name: uniq('egr'),
		fields: { url: 'https://jira.corp.test', username: 'svc', password: 'pw' } });
	const details = await admin.get(`/connections/${c.id}`);
	assert.match(details.text, /203\.0\.113\.7, 198\.51\.100\.0\/28/);
	const name = uniq('egup');
	await create({ name, proxy_url: proxy.url, allow: '127.0.0.0/8', egress: '192.0.2.44' });
	psqlValue(`UPDATE connections SET uplink_id = ${uplinkRow(name).split('|')[0]} WHERE id = ${c.id} RETURNING id`);
	const up = await admin.get(`/connections/${c.id}`);
	assert.match(up.text, /id="f-egress"[^>]*value="192\.0\.2\.44"/);
	assert.match(pageText(up.text), new RegExp(`goes through uplink ${name}`));
	assert.doesNotMatch(up.text, /203\.0\.113\.7/, "an Uplinked connection shows its uplink's addresses");
	const edit = await admin.get(`/connections/${c.id}/edit`);
	assert.equal(edit.status, 200);
	assert.match(edit.text, /id="f-egress"[^>]*value="192\.0\.2\.44"/, 'its edit form too');
});

test('unset, the pages say so and how to set it', async () => {
	const app = bare.client((await managerSession({ admin: true })).jar);
	const t = pageText((await app.get('/connectors/jira')).text);
	assert.match(t, /Outbound addresses are not configured/);
	assert.match(t, /outbound\.egress_addresses/);
});

test('the API gives the outbound addresses: connection JSON and connector JSON', async () => {
	const { user } = await managerSession({ admin: true });
	const token = tetherctl('token', 'add', user.email, 'egress').trim();
	const api = async (p) => {
		const r = await request(p, { headers: { authorization: `Bearer ${token}` } });
		return { status: r.status, json: JSON.parse(r.text) };
	};
	const jira = await api('/api/v1/connectors/jira');
	assert.equal(jira.status, 200);
	assert.deepEqual(jira.json.egress.addresses, [], 'the main stack sets none');
	assert.equal(jira.json.egress.configured, false);
	assert.match(jira.json.egress.how_to_set, /outbound\.egress_addresses/);
	assert.deepEqual(jira.json.protocols.map((p) => [p.key, p.on_premises]), [['cloud', false], ['server', true]]);
	const name = uniq('apiup');
	await create({ name, proxy_url: proxy.url, allow: '127.0.0.0/8', egress: '192.0.2.50, 2001:db8::/64' });
	const c = await admin.create({ connector: 'jira', protocol: 'server', name: uniq('apieg'),
		fields: { url: 'https://jira.corp.test', username: 'svc', password: 'pw' } });
	psqlValue(`UPDATE connections SET uplink_id = ${uplinkRow(name).split('|')[0]} WHERE id = ${c.id} RETURNING id`);
	const got = await api(`/api/v1/connections/${c.id}`);
	assert.equal(got.status, 200);
	assert.equal(got.json.uplink, name);
	assert.deepEqual(got.json.egress, { configured: true, addresses: ['192.0.2.50', '2001:db8::/64'], uplink: name });
	assert.equal((await api('/api/v1/connectors/no-such')).status, 404);
});

test('a wrong outbound.egress_addresses stops Tether at start, naming the key', async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-egress-'));
	try {
		const conf = confCopy(dir, { 'outbound.egress_addresses': '203.0.113.7, gateway.example' });
		const r = await tetherctlAsync(['uplink', 'list'], { conf });
		assert.equal(r.status, 1);
		assert.match(r.stderr, /outbound\.egress_addresses: "gateway\.example" is not an IPv4 or IPv6 address/);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
});

test('tetherctl uplink add --egress --probe, list and test go through the same code', async () => {
	const name = uniq('ctl');
	let r = await tetherctlAsync(['uplink', 'add', name, proxy.url, '127.0.0.0/8', '--egress', '192.0.2.7',
		'--probe', 'probe.corp.test:443']);
	assert.equal(r.status, 0, r.stderr);
	const id = r.stdout.trim();
	assert.equal(uplinkRow(name), `${id}|${proxy.url}|127.0.0.0/8|192.0.2.7|probe.corp.test:443`);
	r = await tetherctlAsync(['uplink', 'list']);
	assert.match(r.stdout, new RegExp(`^${id}\\t${name}\\t[^\\t]+\\t127\\.0\\.0\\.0/8\\t192\\.0\\.2\\.7\\tprobe\\.corp\\.test:443$`, 'm'));
	r = await tetherctlAsync(['uplink', 'test', name]);
	assert.equal(r.status, 0, r.stderr);
	assert.match(r.stdout, /^ok\tThe proxy opened a tunnel to probe\.corp\.test:443/);
	r = await tetherctlAsync(['uplink', 'add', name, proxy.url, '--egress', 'nope']);
	assert.equal(r.status, 1);
	assert.match(r.stderr, /"nope" is not an IPv4 or IPv6 address/);
	assert.equal(uplinkRow(name).split('|')[3], '192.0.2.7', 'nothing saved');
	assert.equal(psqlValue(`SELECT string_agg(action || ':' || actor_label, ',' ORDER BY id) FROM audit_log WHERE object_type = 'uplink' AND object_id = ${id}`),
	    'uplink_create:tetherctl,uplink_test:tetherctl');
	assert.equal((await tetherctlAsync(['uplink', 'remove', name])).status, 0);
	assert.equal(uplinkRow(name), '');
});
