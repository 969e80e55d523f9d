// Uplinked connections: a Jira connection can be Uplinked
// through a named uplink — an HTTP proxy into a private network, with its
// own allowlist — and then its test goes through that proxy; a Direct
// connection never uses a proxy. The worker here has an EMPTY outbound
// allowlist: loopback is refused directly, and only the uplink's own
// allowlist lets Tether reach the (loopback) proxy.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { basicCreds, startStandin } from '../fakes/http-standin.mjs';
import { makePki } from '../fakes/pki.mjs';
import { startProxy } from '../fakes/proxy.mjs';
import { fieldErrors, formControls, formSubmission, versionRows } from '../lib/lifecycle/lc.mjs';
import { connRow, lastTest, uplinkName as uplinkOf } from '../lib/rows.mjs';
import { csrfFrom, managerSession, pageText, psql, sqlString } from '../lib/stack.mjs';
import { startTether, tetherctlAsync } from '../lib/tether.mjs';

const HOST = 'jira.corp.test';
const cleanups = [];
let tether, app, standin, proxy, open, closed;

before(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-uplink-'));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	const pki = makePki(path.join(dir, 'ca'));
	const leaf = pki.issue('jira', [HOST]);
	standin = await startStandin({ name: 'jira', tls: { ...leaf, ca: pki.caPem }, handler: (req, res, rec) => {
		const c = basicCreds(req);
		const ok = rec.path === '/rest/api/2/myself' && c && c.user === 'svc' && c.password === 'pw-uplink';
		res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
		res.end(ok ? '{"name":"svc"}' : '{}');
	} });
	cleanups.push(() => standin.close());
	proxy = await startProxy({ [`${HOST}:443`]: standin.port });
	cleanups.push(() => proxy.close());
	const uniq = Date.now().toString(36);
	open = `corp-${uniq}`;
	closed = `closed-${uniq}`;
	let r = await tetherctlAsync(['uplink', 'add', open, proxy.url, '127.0.0.0/8']);
	assert.equal(r.status, 0, r.stderr);
	r = await tetherctlAsync(['uplink', 'add', closed, proxy.url]);
	assert.equal(r.status, 0, r.stderr);
	tether = await startTether({ replace: { 'outbound.ca_bundle': pki.caFile, 'outbound.allow': '',
		'outbound.timeout_ms': '3000' } });
	cleanups.push(() => tether.stop());
	app = tether.client((await managerSession({ admin: true })).jar);
});

after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

/** Create a Jira Server connection, Direct (uplink '') or through an uplink name. */
async function jira(uplinkName) {
	const form = await app.get('/connections/new?connector=jira&protocol=server');
	assert.equal(form.status, 200);
	let uplink = '';
	if (uplinkName) {
		const m = new RegExp(`<option value="([0-9]+)"[^>]*>Uplinked via ${uplinkName}<`).exec(form.text);
		assert.ok(m, `the form offers uplink ${uplinkName}`);
		uplink = m[1];
	}
	const team = /<option value="([0-9]+)"/.exec(form.text.slice(form.text.indexOf('name="team"')))[1];
	const r = await app.post('/connections', { csrf: csrfFrom(form.text), connector: 'jira',
		protocol: 'server', api_type: '', name: `uplink ${uplinkName || 'direct'} ${Date.now()}`,
		description: '', team, context: 'system', uplink,
		'f.url': `https://${HOST}`, 'f.max_parallel_extractions': '4', 'f.read_only': '1',
		'f.username': 'svc', 'f.password': 'pw-uplink' });
	assert.equal(r.status, 303, `create: ${r.status}`);
	return Number(/\/connections\/([0-9]+)$/.exec(r.headers.get('location'))[1]);
}

test('an Uplinked connection is tested through its uplink, allowed by the uplink\'s own allowlist', async () => {
	const before = standin.requests.length;
	const id = await jira(open);
	const t = lastTest(id);
	assert.equal(t.result, 'ok', JSON.stringify(t));
	assert.ok(proxy.connects.includes(`${HOST}:443`), `the proxy was asked: ${proxy.connects}`);
	assert.equal(standin.requests.length, before + 1);
	assert.equal(standin.requests.at(-1).path, '/rest/api/2/myself');
	const page = await app.get(`/connections/${id}`);
	assert.match(page.text, new RegExp(`Uplinked via ${open}`));
});

test('a Direct connection never uses a proxy (and cannot resolve the private host)', async () => {
	const asked = proxy.connects.length;
	const id = await jira('');
	assert.equal(lastTest(id).result, 'dns');
	assert.equal(proxy.connects.length, asked, 'no proxy was used');
});

test('an uplink whose allowlist does not cover its proxy is refused by the network policy', async () => {
	const asked = proxy.connects.length;
	const id = await jira(closed);
	assert.equal(lastTest(id).result, 'policy');
	assert.equal(proxy.connects.length, asked, 'nothing reached the proxy');
});

test('tetherctl uplink list and remove; removal is refused while connections use it', async () => {
	const list = await tetherctlAsync(['uplink', 'list']);
	assert.equal(list.status, 0);
	assert.match(list.stdout, new RegExp(`\\t${open}\\t`));
	assert.equal((await tetherctlAsync(['uplink', 'remove', open])).status, 1, 'in use');
	assert.equal((await tetherctlAsync(['uplink', 'remove', 'no-such-uplink'])).status, 1);
	assert.equal((await tetherctlAsync(['uplink', 'add', 'bad', 'ftp://x'])).status, 1, 'a bad proxy URL');
});

test('an uplink\'s proxy URL is checked by the same parser as the others before curl is given it', async () => {
	// Edited in the database past tetherctl's check: libcurl reads each as
	// the proxy's own 127.0.0.1 (the uplink's allowlist permits it), so a
	// transfer that parsed the text itself would go through the proxy.
	const name = `odd-${Date.now().toString(36)}`;
	assert.equal((await tetherctlAsync(['uplink', 'add', name, proxy.url, '127.0.0.0/8'])).status, 0);
	const port = new URL(proxy.url).port;
	for (const url of [`http://127.1:${port}`, `http://u:p@127.0.0.1:${port}`, `http://127.0.0.1:${port}#x`]) {
		psql(`UPDATE uplinks SET proxy_url = ${sqlString(url)} WHERE name = ${sqlString(name)}`);
		const asked = proxy.connects.length;
		const id = await jira(name);
		assert.equal(lastTest(id).result, 'policy', url);
		assert.equal(proxy.connects.length, asked, `${url}: nothing reached the proxy`);
	}
});

/** The Edit form of id as a browser submits it, changed: uplink by name ('' Direct), fields by key. */
async function edit(id, { uplinkName, fields = {}, extra = {} } = {}) {
	const form = await app.get(`/connections/${id}/edit?confirm=1`);
	assert.equal(form.status, 200);
	const body = formSubmission(form.text);
	if (uplinkName !== undefined)
		body.uplink = uplinkName === '' ? '' : uplinkId(form.text, uplinkName);
	for (const [k, v] of Object.entries(fields))
		body[`f.${k}`] = v;
	Object.assign(body, extra);
	return app.followRun(await app.post(`/connections/${id}/edit`, body));
}

function uplinkId(html, name) {
	const m = new RegExp(`<option value="([0-9]+)"[^>]*>Uplinked via ${name}<`).exec(html);
	assert.ok(m, `the form offers uplink ${name}`);
	return m[1];
}

test('Edit offers the connection mode among the connection settings, the current one selected', async () => {
	const id = await jira(open);
	const form = await app.get(`/connections/${id}/edit?confirm=1`);
	const connection = form.text.slice(form.text.indexOf('>Connection</legend>'),
	    form.text.indexOf('>Authentication</legend>'));
	assert.match(connection, /<label[^>]*for="f-uplink"[^>]*>Connection mode/, 'in the Connection section');
	const sel = formControls(form.text).find((c) => c.name === 'uplink');
	assert.deepEqual(sel.options.map((o) => o.label).filter((l) => l === 'Direct' || l.includes(open)),
	    ['Direct', `Uplinked via ${open}`]);
	assert.equal(sel.options.find((o) => o.selected).label, `Uplinked via ${open}`);
	const create = await app.get('/connections/new?connector=jira&protocol=server');
	const createConnection = create.text.slice(create.text.indexOf('>Connection</legend>'),
	    create.text.indexOf('>Authentication</legend>'));
	assert.match(createConnection, /for="f-uplink"[^>]*>Connection mode/, 'on New as well');
});

test('Edit changes Direct to Uplinked only with the secrets entered again; then tests through the uplink', async () => {
	const id = await jira('');
	assert.equal(lastTest(id).result, 'dns');
	const row = () => ({ uplink: uplinkOf(id), version: connRow(id).version,
		versions: Number(psql(`SELECT count(*) FROM connection_versions WHERE connection_id = ${id}`)[0][0]) });
	const before = row();
	const asked = proxy.connects.length;

	// Without the password: refused at it, nothing saved, nothing sent.
	let r = await edit(id, { uplinkName: open });
	assert.equal(r.status, 422, pageText(r.text).slice(0, 400));
	assert.equal(fieldErrors(r.text)['f.password'], 'Enter this again: Connection mode changed, and a ' +
	    'stored secret is never sent to a new destination.');
	assert.deepEqual(row(), before, 'nothing saved');
	assert.equal(proxy.connects.length, asked, 'nothing tried');
	const kept = formControls(r.text).find((c) => c.name === 'uplink');
	assert.equal(kept.options.find((o) => o.selected).label, `Uplinked via ${open}`, 'the choice is kept');

	// Not an uplink: refused at the mode.
	r = await edit(id, { extra: { uplink: '999999999' }, fields: { password: 'pw-uplink' } });
	assert.equal(r.status, 422);
	assert.equal(fieldErrors(r.text).uplink, 'Choose Direct or one of the uplinks.');
	assert.deepEqual(row(), before, 'nothing saved');

	// With it: saved, tried and tested through the uplink's proxy.
	r = await edit(id, { uplinkName: open, fields: { password: 'pw-uplink' } });
	assert.equal(r.status, 303, JSON.stringify(fieldErrors(r.text)));
	assert.equal(uplinkOf(id), open);
	assert.equal(connRow(id).version, before.version + 1);
	assert.ok(proxy.connects.slice(asked).includes(`${HOST}:443`), 'the test went through the uplink');
	assert.equal(lastTest(id).result, 'ok', JSON.stringify(lastTest(id)));
	assert.deepEqual(versionRows(id).at(-1).fields, ['uplink', 'password']);
	const history = await app.get(`/connections/${id}/history`);
	assert.match(pageText(history.text), new RegExp(`Connection mode: Direct → Uplinked via ${open}`));

	// One uplink to another, then back to Direct: the same rule each time.
	r = await edit(id, { uplinkName: closed });
	assert.equal(r.status, 422);
	assert.match(fieldErrors(r.text)['f.password'], /^Enter this again: Connection mode changed/);
	assert.equal(uplinkOf(id), open);
	r = await edit(id, { uplinkName: closed, fields: { password: 'pw-uplink' }, extra: { save_anyway: '1' } });
	assert.equal(r.status, 303, JSON.stringify(fieldErrors(r.text)));
	assert.equal(uplinkOf(id), closed);
	assert.equal(lastTest(id).result, 'policy', 'tested through the new uplink, whose allowlist refuses');
	r = await edit(id, { uplinkName: '', fields: { password: 'pw-uplink' }, extra: { save_anyway: '1' } });
	assert.equal(r.status, 303, JSON.stringify(fieldErrors(r.text)));
	assert.equal(uplinkOf(id), '');
	const words = pageText((await app.get(`/connections/${id}/history`)).text);
	assert.match(words, new RegExp(`Connection mode: Uplinked via ${open} → Uplinked via ${closed}`));
	assert.match(words, new RegExp(`Connection mode: Uplinked via ${closed} → Direct`));
});

test('Revert brings a version\'s connection mode back with its secrets, and tests through it', async () => {
	const id = await jira('');
	let r = await edit(id, { uplinkName: open, fields: { password: 'pw-uplink' } });
	assert.equal(r.status, 303, JSON.stringify(fieldErrors(r.text)));
	const uplinked = connRow(id).version;
	r = await edit(id, { uplinkName: '', fields: { password: 'pw-uplink' }, extra: { save_anyway: '1' } });
	assert.equal(r.status, 303, JSON.stringify(fieldErrors(r.text)));
	assert.equal(uplinkOf(id), '');

	const confirm = await app.get(`/connections/${id}/revert?version=${uplinked}`);
	assert.equal(confirm.status, 200);
	assert.match(pageText(confirm.text), new RegExp(`Connection mode Destination Direct Uplinked via ${open}`));
	const asked = proxy.connects.length;
	r = await app.post(`/connections/${id}/revert`, { csrf: csrfFrom(confirm.text), version: String(uplinked),
		current: String(connRow(id).version) });
	assert.equal(r.status, 303, pageText(r.text).slice(0, 400));
	assert.equal(uplinkOf(id), open, 'the mode came back');
	assert.ok(proxy.connects.slice(asked).includes(`${HOST}:443`), 'tested through the uplink');
	assert.equal(lastTest(id).result, 'ok');
	assert.match(pageText((await app.get(`/connections/${id}/history`)).text),
	    new RegExp(`Connection mode: Direct → Uplinked via ${open}, Password`));
});

test('Revert to a mode whose uplink was removed since is refused, nothing changed', async () => {
	const gone = `gone-${Date.now().toString(36)}`;
	assert.equal((await tetherctlAsync(['uplink', 'add', gone, proxy.url, '127.0.0.0/8'])).status, 0);
	const id = await jira(gone);
	const r = await edit(id, { uplinkName: '', fields: { password: 'pw-uplink' }, extra: { save_anyway: '1' } });
	assert.equal(r.status, 303, JSON.stringify(fieldErrors(r.text)));
	assert.equal((await tetherctlAsync(['uplink', 'remove', gone])).status, 0, 'no connection uses it now');
	const version = connRow(id).version;
	const confirm = await app.get(`/connections/${id}/revert?version=1`);
	assert.match(pageText(confirm.text), new RegExp(`Connection mode Destination Direct Uplinked via ${gone} \\(removed\\)`));
	const post = await app.post(`/connections/${id}/revert`, { csrf: csrfFrom(confirm.text), version: '1',
		current: String(version) });
	assert.equal(post.status, 409);
	assert.equal(connRow(id).version, version, 'nothing changed');
	assert.match(pageText((await app.get(`/connections/${id}/history`)).text),
	    new RegExp(`Connection mode: Uplinked via ${gone} → Direct`), 'History keeps the name');
});
