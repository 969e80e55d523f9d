// Replace a connection across its flows (issue 13 §4): the page
// /connections/ID/replace (pick, preview, choose, confirm) and the API's
// POST /api/v1/connections/ID/replace (dry run: the preview) share one
// domain function. Permissions, an incompatible replacement, a partial
// choice, atomicity under a concurrent flow change (a stale preview, and a
// flow locked and changed while the swap waits), the audit on both
// connections and on each flow, a dry run that changes nothing, and Delete
// allowed once no flow uses the old connection.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { seed } from '../lib/list.mjs';
import { flowConns, flowRow } from '../lib/rows.mjs';
import { valgrindWorker } from '../lib/valgrind.mjs';
import {
	admin, csrfFrom, decodeEntities, env, flashOf, get, makeUser, pageText, post, psql,
	psqlValue, request, signIn, sleep, sqlString, tetherctl, uniq,
} from '../lib/stack.mjs';
import { checkAnswer } from '../lib/openapi.mjs';

const P = uniq('RPL');

let s;
let manager;	// manager of team a: may edit a's connections
let member;	// member of team a: may use, not edit
let outsider;	// manager of team c only
let adminTok;

const cid = (key) => Number(s.connections[key].id);

function makeToken(email) {
	return tetherctl('token', 'add', email, 'replace-tests').trim();
}

async function api(method, path, token, body) {
	const r = await request(path, {
		method,
		body: body === undefined ? undefined : JSON.stringify(body),
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
	});
	checkAnswer(method, path, r);	// as static/openapi.json says
	return { ...r, json: r.text !== '' ? JSON.parse(r.text) : undefined };
}

/** A flow using the connections (ids), made as the engine would have. */
function makeFlow(name, conns, version = 1) {
	const id = psqlValue(`INSERT INTO flows (name, version, status, owner)
	    VALUES (${sqlString(name)}, ${version}, 'active', 'Ops') RETURNING id`);
	if (conns.length > 0)
		psql(`INSERT INTO flow_connections (flow_id, connection_id)
		    SELECT ${id}, x FROM unnest(ARRAY[${conns.join(',')}]::bigint[]) x`);
	return Number(id);
}

function auditOf(type, id, action) {
	return psql(`SELECT outcome, details::text, actor_label FROM audit_log
	    WHERE object_type = ${sqlString(type)} AND object_id = ${Number(id)}
	      AND action = ${sqlString(action)} ORDER BY id`)
	    .map(([outcome, details, actor]) => ({ outcome, details: JSON.parse(details), actor }));
}

/** The flow checkboxes of a preview page: [{ value, checked, disabled }]. */
function flowBoxes(html) {
	return [...html.matchAll(/<input\b[^>]*\bname="flow"[^>]*>/g)].map(([tag]) => ({
		value: decodeEntities(/\bvalue="([^"]*)"/.exec(tag)[1]),
		checked: /\schecked\b/.test(tag),
		disabled: /\sdisabled\b/.test(tag),
	}));
}

/** The options of the replacement select: [{ value, label }]. */
function candidates(html) {
	const sel = /<select\b[^>]*\bname="to"[^>]*>([\s\S]*?)<\/select>/.exec(html);
	if (sel === null)
		return [];
	return [...sel[1].matchAll(/<option\b[^>]*value="([^"]*)"[^>]*>([\s\S]*?)<\/option>/g)]
	    .filter(([, v]) => v !== '').map(([, v, l]) => ({ value: Number(v), label: pageText(l) }));
}

before(async () => {
	s = seed(P, {
		teams: ['a', 'b', 'c'],
		connections: [
			{ key: 'old', team: 'a', name: 'Old CRM', status: 'ok', testedAgo: '1 day' },
			{ key: 'good', team: 'a', name: 'New CRM', status: 'ok', testedAgo: '1 hour',
			    result: 'ok' },
			{ key: 'failing', team: 'a', name: 'Broken CRM', status: 'failing',
			    testedAgo: '1 hour', result: 'bad_credentials' },
			{ key: 'jira', team: 'a', name: 'Some Jira', connector: 'jira', protocol: 'cloud' },
			{ key: 'basic', team: 'a', name: 'HTTP basic', protocol: 'basic' },
			{ key: 'hidden', team: 'b', name: 'Team B CRM', status: 'ok', testedAgo: '1 hour',
			    result: 'ok' },
			{ key: 'shared', team: 'b', name: 'Shared CRM', status: 'ok', testedAgo: '1 hour',
			    result: 'ok' },
			{ key: 'other', team: 'c', name: 'Team C side' },
			{ key: 'old2', team: 'a', name: 'Old ERP' },
			{ key: 'new2', team: 'a', name: 'New ERP', status: 'ok', testedAgo: '1 hour',
			    result: 'ok' },
			{ key: 'old3', team: 'a', name: 'Old HR' },
			{ key: 'new3', team: 'a', name: 'New HR' },
		],
		shares: [{ connection: 'shared', team: 'a', permission: 'use' }],
	});
	manager = makeUser({ teams: [{ name: `${P}-a`, role: 'manager' }] });
	member = makeUser({ teams: [`${P}-a`] });
	outsider = makeUser({ teams: [{ name: `${P}-c`, role: 'manager' }] });
	manager.token = makeToken(manager.email);
	member.token = makeToken(member.email);
	adminTok = makeToken(admin().email);
	manager.jar = (await signIn(manager.email, manager.password)).jar;
	member.jar = (await signIn(member.email, member.password)).jar;
});

describe('the page', () => {
	test('offers only compatible connections the user may use, and previews each flow', async () => {
		const f1 = makeFlow(`${P} invoices`, [cid('old')], 4);
		const r = await get(`/connections/${cid('old')}/replace`, manager.jar);
		assert.equal(r.status, 200);
		const ids = candidates(r.text).map((c) => c.value);
		for (const k of ['good', 'failing', 'shared', 'new2'])
			assert.ok(ids.includes(cid(k)), `${k}: same connector and protocol, usable`);
		for (const k of ['old', 'jira', 'basic', 'hidden', 'other'])
			assert.ok(!ids.includes(cid(k)), `${k}: itself, another connector or protocol, or not usable`);

		const p = await get(`/connections/${cid('old')}/replace?to=${cid('failing')}`, manager.jar);
		assert.equal(p.status, 200);
		const text = pageText(p.text);
		assert.match(text, /last test did not pass/i, 'warns that the replacement failed');
		assert.ok(text.includes(`${P} invoices`), 'the flow is listed');
		const box = flowBoxes(p.text).find((b) => b.value.startsWith(`${f1}.`));
		assert.ok(box && box.checked && !box.disabled, 'checked by default');

		const ok = await get(`/connections/${cid('old')}/replace?to=${cid('good')}`, manager.jar);
		assert.doesNotMatch(pageText(ok.text), /did not pass/i);
		assert.match(pageText(ok.text), /passed/i);
		psql(`DELETE FROM flows WHERE id = ${f1}`);
	});

	test('is for those who may edit the connection: a member gets 403, an outsider 404', async () => {
		makeFlow(`${P} perm`, [cid('old3')]);
		const m = await get(`/connections/${cid('old3')}/replace`, member.jar);
		assert.equal(m.status, 403);
		const { jar } = await signIn(outsider.email, outsider.password);
		const o = await get(`/connections/${cid('old3')}/replace`, jar);
		assert.equal(o.status, 404);
		const csrf = csrfFrom((await get('/', member.jar)).text);
		const mp = await post(`/connections/${cid('old3')}/replace`,
		    { csrf, to: String(cid('new3')) }, member.jar);
		assert.equal(mp.status, 403);
	});

	test('refuses an incompatible or invisible replacement, changing nothing', async () => {
		const f = makeFlow(`${P} incompatible`, [cid('old3')]);
		for (const [to, re] of [[cid('jira'), /same connector/i], [cid('basic'), /same connector/i],
		    [cid('hidden'), /not found/i], [cid('old3'), /another connection/i]]) {
			const p = await get(`/connections/${cid('old3')}/replace?to=${to}`, manager.jar);
			assert.equal(p.status, 422, `to=${to}`);
			assert.match(pageText(p.text), re);
			const csrf = csrfFrom(p.text);
			const r = await post(`/connections/${cid('old3')}/replace`,
			    new URLSearchParams([['csrf', csrf], ['to', String(to)], ['flow', `${f}.1`]]),
			    manager.jar);
			assert.equal(r.status, 422);
			assert.deepEqual(flowConns(f), [String(cid('old3'))]);
		}
	});

	test('a partial choice moves only the chosen flows, audited on both and on each', async () => {
		const a = makeFlow(`${P} part-a`, [cid('old2')]);
		const b = makeFlow(`${P} part-b`, [cid('old2'), cid('other')]);
		const c = makeFlow(`${P} part-c`, [cid('old2')]);
		const p = await get(`/connections/${cid('old2')}/replace?to=${cid('new2')}`, manager.jar);
		const boxes = flowBoxes(p.text);
		const boxB = boxes.find((x) => x.value.startsWith(`${b}.`));
		assert.ok(boxB.disabled && !boxB.checked,
		    'a flow also using a connection the manager cannot use is not offered');
		assert.match(pageText(p.text), /may not change/i);
		const chosen = boxes.filter((x) => x.value.startsWith(`${a}.`));
		const r = await post(`/connections/${cid('old2')}/replace`,
		    new URLSearchParams([['csrf', csrfFrom(p.text)], ['to', String(cid('new2'))],
		    ...chosen.map((x) => ['flow', x.value])]), manager.jar);
		assert.equal(r.status, 303, pageText(r.text).slice(0, 300));
		assert.match(flashOf(r).message, /1 flow/);
		assert.deepEqual(flowConns(a), [String(cid('new2'))]);
		assert.deepEqual(flowConns(b).sort(), [String(cid('old2')), String(cid('other'))].sort());
		assert.deepEqual(flowConns(c), [String(cid('old2'))]);

		const [onOld] = auditOf('connection', cid('old2'), 'connection_replace');
		assert.equal(onOld.outcome, 'success');
		assert.equal(onOld.details.replaced_by, cid('new2'));
		assert.deepEqual(onOld.details.flows, [a]);
		const [onNew] = auditOf('connection', cid('new2'), 'connection_replace');
		assert.equal(onNew.details.replaces, cid('old2'));
		assert.deepEqual(onNew.details.flows, [a]);
		const [onFlow] = auditOf('flow', a, 'flow_update');
		assert.equal(onFlow.outcome, 'success');
		assert.deepEqual(onFlow.details.fields, ['connections']);
		assert.deepEqual(onFlow.details.replaced, { from: cid('old2'), to: cid('new2') });
		assert.equal(auditOf('flow', c, 'flow_update').length, 0);
	});

	test('a preview gone stale (a flow changed meanwhile) is a conflict: nothing moves', async () => {
		const a = makeFlow(`${P} stale-a`, [cid('old3')]);
		const b = makeFlow(`${P} stale-b`, [cid('old3')]);
		const p = await get(`/connections/${cid('old3')}/replace?to=${cid('new3')}`, manager.jar);
		const boxes = flowBoxes(p.text).filter((x) => [a, b].some((id) => x.value.startsWith(`${id}.`)));
		assert.equal(boxes.length, 2);
		// The engine updates flow b through the API in between.
		const put = await api('PUT', `/api/v1/flows/${b}`, adminTok, {
			name: `${P} stale-b`, version: 2, status: 'active', owner: 'Ops', description: '',
			progress_status: '', connections: [cid('old3')],
		});
		assert.equal(put.status, 200, put.text);
		const r = await post(`/connections/${cid('old3')}/replace`,
		    new URLSearchParams([['csrf', csrfFrom(p.text)], ['to', String(cid('new3'))],
		    ...boxes.map((x) => ['flow', x.value])]), manager.jar);
		assert.equal(r.status, 409);
		assert.match(pageText(r.text), /changed since/i);
		assert.match(pageText(r.text), /nothing was replaced/i);
		assert.deepEqual(flowConns(a), [String(cid('old3'))]);
		assert.deepEqual(flowConns(b), [String(cid('old3'))]);
		assert.equal(auditOf('flow', a, 'flow_update').length, 0);
	});
});

describe('the API', () => {
	test('a dry run returns the preview and changes nothing', async () => {
		const oldC = cid('old'), f = makeFlow(`${P} dry`, [oldC], 7);
		const before = flowRow(f);
		const r = await api('POST', `/api/v1/connections/${oldC}/replace`, manager.token,
		    { replacement_id: cid('failing'), dry_run: true });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.dry_run, true);
		assert.equal(r.json.replacement.id, cid('failing'));
		assert.equal(r.json.replacement.last_test_passed, false);
		assert.ok(r.json.warnings.some((w) => /did not pass/.test(w)));
		const row = r.json.flows.find((x) => x.id === f);
		assert.deepEqual({ ...row, updated_at: undefined }, { id: f, name: `${P} dry`, version: 7,
		    status: 'active', owner: 'Ops', may_change: true, chosen: true, updated_at: undefined });
		assert.deepEqual(flowConns(f), [String(oldC)]);
		assert.deepEqual(flowRow(f), before);
		assert.equal(auditOf('flow', f, 'flow_update').length, 0);
		psql(`DELETE FROM flows WHERE id = ${f}`);
	});

	test('same permissions and messages as the page', async () => {
		const f = makeFlow(`${P} api-perm`, [cid('old3')]);
		const m = await api('POST', `/api/v1/connections/${cid('old3')}/replace`, member.token,
		    { replacement_id: cid('new3') });
		assert.equal(m.status, 403);
		assert.equal(m.json.error, 'forbidden');
		const j = await api('POST', `/api/v1/connections/${cid('old3')}/replace`, manager.token,
		    { replacement_id: cid('jira') });
		assert.equal(j.status, 422);
		assert.equal(j.json.error, 'incompatible');
		assert.equal(j.json.field, 'replacement_id');
		const h = await api('POST', `/api/v1/connections/${cid('old3')}/replace`, manager.token,
		    { replacement_id: cid('hidden') });
		assert.equal(h.status, 404);
		const bad = await api('POST', `/api/v1/connections/${cid('old3')}/replace`, manager.token,
		    { replacement_id: cid('new3'), flow_ids: ['x'] });
		assert.equal(bad.status, 400);
		const unk = await api('POST', `/api/v1/connections/${cid('old3')}/replace`, manager.token,
		    { replacement_id: cid('new3'), also: 1 });
		assert.equal(unk.status, 400);
		const nu = await api('POST', `/api/v1/connections/${cid('old3')}/replace`, manager.token,
		    { replacement_id: cid('new3'), flow_ids: [f, 999999999] });
		assert.equal(nu.status, 422);
		assert.equal(nu.json.field, 'flow_ids');
		assert.deepEqual(flowConns(f), [String(cid('old3'))]);
	});

	test('all or none while another transaction holds and changes a chosen flow', async () => {
		const oldC = cid('old'), newC = cid('good');
		const a = makeFlow(`${P} lock-a`, [oldC]);
		const b = makeFlow(`${P} lock-b`, [oldC]);
		// Another writer locks flow a, moves it off the old connection, holds
		// the lock two seconds, then commits.
		const holder = spawn(env('TETHER_PSQL'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d',
		    env('TETHER_PG_OWNER'), '-c', `BEGIN; SELECT id FROM flows WHERE id = ${a} FOR UPDATE;
		    DELETE FROM flow_connections WHERE flow_id = ${a};
		    UPDATE flows SET updated_at = now() WHERE id = ${a};
		    SELECT pg_sleep(2); COMMIT;`], { stdio: 'ignore' });
		const done = new Promise((resolve) => holder.on('exit', resolve));
		for (let i = 0; i < 50 && psqlValue(`SELECT count(*) FROM pg_stat_activity
		    WHERE query LIKE '%pg_sleep(2)%' AND pid <> pg_backend_pid()`) === '0'; i++)
			await sleep(50);
		const started = Date.now();
		const r = await api('POST', `/api/v1/connections/${oldC}/replace`, manager.token,
		    { replacement_id: newC, flow_ids: [a, b] });
		assert.equal(await done, 0);
		assert.ok(Date.now() - started > 800, 'the swap waited for the lock');
		assert.equal(r.status, 409, r.text);
		assert.equal(r.json.error, 'conflict');
		assert.match(r.json.message, /lock-a/);
		assert.deepEqual(flowConns(a), []);
		assert.deepEqual(flowConns(b), [String(oldC)], 'b did not move alone');
		const denied = auditOf('connection', oldC, 'connection_replace').at(-1);
		assert.equal(denied.outcome, 'failure');
	});

	test('replace every flow, then Delete is allowed', async () => {
		const oldC = cid('old'), newC = cid('shared');
		psql(`DELETE FROM flows WHERE id IN (SELECT flow_id FROM flow_connections
		    WHERE connection_id = ${oldC})`);
		const a = makeFlow(`${P} all-a`, [oldC]);
		const b = makeFlow(`${P} all-b`, [oldC, newC]);
		const del0 = await get(`/connections/${oldC}/delete`, manager.jar);
		assert.match(pageText(del0.text), /Replace in flows/);
		const r = await api('POST', `/api/v1/connections/${oldC}/replace`, manager.token,
		    { replacement_id: newC });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.replaced, 2);
		assert.equal(r.json.remaining, 0);
		assert.deepEqual(flowConns(a), [String(newC)]);
		assert.deepEqual(flowConns(b), [String(newC)]);
		const after = await get(`/connections/${oldC}/replace`, manager.jar);
		assert.match(pageText(after.text), /No flows use it\W+you can delete it now/i);
		assert.match(after.text, new RegExp(`href="/connections/${oldC}/delete"`));
		const csrf = csrfFrom((await get(`/connections/${oldC}/delete`, manager.jar)).text);
		const d = await post(`/connections/${oldC}/delete`, { csrf, confirm: 'yes' }, manager.jar);
		assert.equal(d.status, 303);
		assert.equal(psqlValue(`SELECT count(*) FROM connections WHERE id = ${oldC}`), '0');
	});
});

describe('leaks', () => {
	let w = null;
	after(async () => {
		await w?.stop();
	});

	test('page and API answers, through one worker under valgrind, leak nothing',
	    { timeout: 15 * 60000 }, async (t) => {
		const oldC = cid('old3'), newC = cid('new3');
		const flows = [0, 1, 2].map((i) => makeFlow(`${P} leak-${i}`, [oldC]));
		const cookie = manager.jar.header();
		const csrf = csrfFrom((await get(`/connections/${oldC}/replace`, manager.jar)).text);
		const stamp = (id) => psqlValue(`SELECT (extract(epoch FROM updated_at) * 1000000)::bigint
		    FROM flows WHERE id = ${id}`);
		const form = (pairs) => new URLSearchParams([['csrf', csrf], ...pairs]).toString();
		const json = (token, body) => ({ method: 'POST', uri: `/api/v1/connections/${oldC}/replace`,
		    headers: { Authorization: `Bearer ${token}` }, contentType: 'application/json',
		    body: JSON.stringify(body) });
		const mix = [
			[{ uri: `/connections/${oldC}/replace`, cookie }, 200],
			[{ uri: `/connections/${oldC}/replace?to=${newC}`, cookie }, 200],
			[{ uri: `/connections/${oldC}/replace?to=${cid('jira')}`, cookie }, 422],
			[{ method: 'POST', uri: `/connections/${oldC}/replace`, cookie,
			    body: form([['to', String(newC)], ['flow', `${flows[0]}.1`]]) }, 409],
			[{ method: 'POST', uri: `/connections/${oldC}/replace`, cookie,
			    body: form([['to', String(newC)], ['flow', 'x']]) }, 400],
			[{ method: 'POST', uri: `/connections/${oldC}/replace`, cookie,
			    body: form([['to', String(newC)]]) }, 422],
			[json(manager.token, { replacement_id: newC, dry_run: true }), 200],
			[json(manager.token, { replacement_id: newC, flow_ids: [flows[0]], dry_run: true }), 200],
			[json(member.token, { replacement_id: newC }), 403],
			[json(manager.token, { replacement_id: cid('jira') }), 422],
			[json(manager.token, { replacement_id: newC, flow_ids: [1, 1] }), 400],
			[json(manager.token, { replacement_id: newC, flow_ids: [999999999] }), 422],
		];
		const rounds = 2;
		const n = rounds * mix.length + 2;
		w = await valgrindWorker('replace', n);
		const send = async (opts, expect) => {
			const r = await w.client.request({ timeoutMs: 180000, ...opts });
			assert.equal(r.status, expect, `${opts.method ?? 'GET'} ${opts.uri}: ` +
			    r.body.slice(0, 200));
		};
		for (let round = 0; round < rounds; round++)
			for (const [opts, expect] of mix)
				await send(opts, expect);
		// The swap itself: the page's (two flows, stamps as shown), then the API's (the rest).
		await send({ method: 'POST', uri: `/connections/${oldC}/replace`, cookie,
		    body: form([['to', String(newC)], ['flow', `${flows[0]}.${stamp(flows[0])}`],
		    ['flow', `${flows[1]}.${stamp(flows[1])}`]]) }, 303);
		await send(json(manager.token, { replacement_id: newC }), 200);
		assert.deepEqual(flows.map((f) => flowConns(f)), flows.map(() => [String(newC)]));
		await w.finish();
		t.diagnostic(`${n} requests under valgrind; log ${w.logPath}`);
	});
});
