// A test still running when its connection is deleted: Test now answers with a clear message — the Integrations list
// with "deleted while it was being tested" — and the API's test endpoint a
// 409 in JSON; never a 500, and nothing of the test is kept.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { json, startStandin } from '../fakes/http-standin.mjs';
import { mustCreate } from '../lib/lifecycle/lc.mjs';
import {
	baseUrl, csrfFrom, flashOf, get, managerSession, pageText, post, psqlValue, sleep,
	tetherctl, within,
} from '../lib/stack.mjs';

const cleanups = [];
let api;
let hold = false;		// while set, the stand-in keeps its answers
let release = () => {};
let held = 0;

before(async () => {
	api = await startStandin({ name: 'slow', handler: async (req, res) => {
		if (hold) {
			held++;
			await new Promise((resolve) => { release = resolve; });
		}
		return json(res, 200, { ok: true });
	} });
	cleanups.push(() => { release(); return api.close(); });
});

after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

/** A Generic HTTP connection to the stand-in; { id, jar, csrf, manager }. */
async function connection() {
	const m = await managerSession();
	const c = await mustCreate(m.jar, { connector: 'http', protocol: 'none', team: m.team.id,
		fields: { url: api.url, test_path: '/health', test_status: '200' } });
	const page = await get(`/connections/${c.id}`, m.jar);
	assert.equal(page.status, 200);
	return { id: c.id, jar: m.jar, csrf: csrfFrom(page.text), manager: m };
}

/** Hold the stand-in, start `run`, delete the connection while it waits, release. */
async function deleteDuring(c, run) {
	hold = true;
	const before = held;
	const pending = run();
	for (let i = 0; i < 200 && held === before; i++)
		await sleep(25);
	assert.equal(held, before + 1, 'the test reached the stand-in');
	const del = await post(`/connections/${c.id}/delete`, { csrf: c.csrf, confirm: 'yes' }, c.jar);
	assert.equal(del.status, 303, `deleted while the test runs: ${pageText(del.text).slice(0, 200)}`);
	assert.equal(psqlValue(`SELECT count(*) FROM connections WHERE id = ${c.id}`), '0');
	hold = false;
	release();
	const r = await within(pending, 20000);
	assert.ok(r !== null, 'the test answered');
	assert.equal(psqlValue(`SELECT count(*) FROM connection_tests WHERE connection_id = ${c.id}`), '0',
	    'nothing of the test is kept');
	return r;
}

test('Test now on a connection deleted meanwhile: the Integrations list with a clear message', async () => {
	const c = await connection();
	const r = await deleteDuring(c, () => post(`/connections/${c.id}/test`, { csrf: c.csrf }, c.jar));
	assert.ok(r.status < 500, `not a ${r.status}: ${pageText(r.text).slice(0, 300)}`);
	assert.equal(r.status, 303);
	assert.equal(r.headers.get('location'), '/');
	const flash = flashOf(r.res);
	assert.equal(flash?.kind, 'error');
	assert.match(flash?.message ?? '', /deleted while it was being tested/);
});

test('the API\'s test of a connection deleted meanwhile: 409 with a clear message in JSON', async () => {
	const c = await connection();
	const token = tetherctl('token', 'add', c.manager.user.email, 'tester-deleted').trim();
	const r = await deleteDuring(c, () => fetch(`${baseUrl()}/api/v1/connections/${c.id}/test`, {
		method: 'POST', headers: { authorization: `Bearer ${token}` },
		signal: AbortSignal.timeout(30000),
	}).then(async (res) => ({ status: res.status, text: await res.text(), headers: res.headers })));
	assert.equal(r.status, 409, r.text);
	assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
	const body = JSON.parse(r.text);
	assert.match(JSON.stringify(body), /deleted while it was being tested/);
});
