// GET /api/v1/connections with the Integrations tab's filters, search and
// sorts, paged by keyset cursors (issue 14 §2): a walk sees every row once
// and in order while rows change between pages; a cursor is signed for its
// view, so a crafted, tampered or borrowed one is a 400 before any query;
// page/per_page still work (with total) for older clients.
//
// Connections are seeded with psql into teams of this run; tokens come from
// `tetherctl token add`. Every answer is checked against the OpenAPI
// document (tests/lib/openapi.mjs).

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { assertApiError } from '../lib/checks.mjs';
import { seed, seedMany } from '../lib/list.mjs';
import { apiCall } from '../lib/openapi.mjs';
import { makeUser, psql, sqlString, tetherctl, uniq } from '../lib/stack.mjs';

const P = uniq('APIL');

let bigTeam;		// 120 connections
let bigToken;		// a member of bigTeam
let s;			// the small seeded set
let smallToken;		// a member of team a of the small set
let adminToken;

function token(email) {
	return tetherctl('token', 'add', email, uniq('tok')).trim();
}

const api = (path, tok) => apiCall('GET', path, tok);

/** Every page of a listing by cursor: [[rows of page 1], …]. */
async function walk(path, tok, between) {
	const pages = [];
	let next = null;
	for (let i = 0; i < 100; i++) {
		const sep = path.includes('?') ? '&' : '?';
		const r = await api(next === null ? path : `${path}${sep}cursor=${next}`, tok);
		assert.equal(r.status, 200, `${path} page ${i + 1}: ${r.text.slice(0, 200)}`);
		assert.deepEqual(Object.keys(r.json).sort(), ['connections', 'next_cursor']);
		pages.push(r.json.connections);
		next = r.json.next_cursor;
		if (next === null)
			return pages;
		assert.match(next, /^[A-Za-z0-9_.-]+$/, 'a cursor is URL-safe');
		if (between !== undefined)
			await between(i);
	}
	throw new Error('the walk did not end');
}

const key = (c) => [c.name.toLowerCase(), c.id];
function before2(a, b) {
	return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

before(() => {
	const team = `${P}-big`;
	tetherctl('team', 'add', team);
	seedMany(team, `${P}-c-`, 120);
	bigTeam = psql(`SELECT id FROM teams WHERE name = ${sqlString(team)}`)[0][0];
	bigToken = token(makeUser({ teams: [team] }).email);

	s = seed(P, {
		teams: ['a', 'b'],
		connections: [
			{ key: 'a1', team: 'a', name: 'Alpha CRM', connector: 'http', status: 'ok',
			    testedAgo: '3 hours' },
			{ key: 'a2', team: 'a', name: 'Beta mail', connector: 'smtp',
			    protocol: 'basic', status: 'failing', testedAgo: '1 hour' },
			{ key: 'a3', team: 'a', name: 'Gamma never', connector: 'http' },
			{ key: 'a4', team: 'a', name: 'delta 50%_off', connector: 'http', status: 'ok',
			    testedAgo: '2 days' },
			{ key: 'a5', team: 'a', name: 'Epsilon never', connector: 'http' },
			{ key: 'b1', team: 'b', name: 'Shared zeta', connector: 'http', status: 'ok',
			    testedAgo: '10 minutes' },
			{ key: 'b2', team: 'b', name: 'B hidden', connector: 'http' },
		],
		shares: [{ connection: 'b1', team: 'a' }],
	});
	smallToken = token(makeUser({ teams: [`${P}-a`] }).email);
	adminToken = token(makeUser({ admin: true }).email);
});

describe('cursor paging', () => {
	test('120 connections by 50: each once, in order, while one is renamed between pages', async () => {
		let renamed;
		const pages = await walk('/api/v1/connections?limit=50', bigToken, (i) => {
			if (i !== 0)
				return;
			// Move a row already shown past the end: OFFSET paging would
			// skip a row at the page boundary here.
			renamed = psql(`UPDATE connections SET name = ${sqlString(`${P}-zz-moved`)}
			    WHERE owner_team_id = ${bigTeam} AND name = ${sqlString(`${P}-c-0010`)}
			    RETURNING id`)[0][0];
		});
		assert.deepEqual(pages.map((p) => p.length), [50, 50, 21],
		    '120 rows, one of them shown again under its new name');
		const all = pages.flat();
		for (let i = 1; i < all.length; i++)
			assert.ok(before2(key(all[i - 1]), key(all[i])),
			    `in order: ${all[i - 1].name} before ${all[i].name}`);
		const seen = new Map();
		for (const c of all)
			seen.set(c.id, (seen.get(c.id) ?? 0) + 1);
		assert.equal(seen.size, 120, 'every connection seen');
		for (const [id, n] of seen)
			assert.equal(n, Number(id) === Number(renamed) ? 2 : 1, `connection ${id}`);
		assert.equal(all.at(-1).name, `${P}-zz-moved`);
	});

	test('every sort walks the whole filtered list in the order one long page has', async () => {
		for (const sort of ['name', '-name', 'tested', '-tested']) {
			const one = await api(`/api/v1/connections?sort=${sort}&limit=200`, smallToken);
			assert.equal(one.status, 200);
			assert.equal(one.json.next_cursor, null);
			const pages = await walk(`/api/v1/connections?sort=${sort}&limit=2`, smallToken);
			assert.deepEqual(pages.flat().map((c) => c.id), one.json.connections.map((c) => c.id),
			    `sort=${sort}`);
			assert.equal(one.json.connections.length, 6, 'five of team a and one shared');
		}
		const tested = await api('/api/v1/connections?sort=-tested&limit=200', smallToken);
		assert.deepEqual(tested.json.connections.map((c) => c.name),
		    ['Shared zeta', 'Beta mail', 'Alpha CRM', 'delta 50%_off', 'Epsilon never',
		        'Gamma never'], 'newest first, never tested last (newest id first)');
	});

	test('filters and search as on the Integrations tab', async () => {
		const names = async (q) => {
			const r = await api(`/api/v1/connections?${q}`, smallToken);
			assert.equal(r.status, 200, `?${q}: ${r.text.slice(0, 200)}`);
			return r.json.connections.map((c) => c.name);
		};
		assert.deepEqual(await names('q=50%25_'), ['delta 50%_off'], 'LIKE wildcards are text');
		assert.deepEqual(await names('q=NEVER'), ['Epsilon never', 'Gamma never']);
		assert.deepEqual(await names('status=failing'), ['Beta mail']);
		assert.deepEqual(await names('connector=smtp'), ['Beta mail']);
		assert.deepEqual(await names(`team=${s.teams.b.id}`), ['Shared zeta']);
		assert.deepEqual(await names('unused=30'), [], 'all made just now');
		assert.deepEqual(await names('status=ok&sort=-name'),
		    ['Shared zeta', 'delta 50%_off', 'Alpha CRM']);
		const q = await walk('/api/v1/connections?q=a&sort=-tested&limit=1', smallToken);
		assert.equal(q.flat().length, (await names('q=a')).length, 'a filtered walk');
	});

	test('page and per_page still work, with the filters and a total', async () => {
		const r = await api('/api/v1/connections?status=ok&per_page=2&page=2', smallToken);
		assert.equal(r.status, 200);
		assert.equal(r.json.total, 3);
		assert.equal(r.json.page, 2);
		assert.equal(r.json.per_page, 2);
		assert.deepEqual(r.json.connections.map((c) => c.name), ['Shared zeta']);
		const all = await api('/api/v1/connections', adminToken);
		assert.equal(all.status, 200);
		assert.ok(all.json.total >= 127);
		assert.equal(typeof all.json.next_cursor, 'string', 'a cursor to go on with');
	});
});

describe('bad input is a 400 naming the parameter', () => {
	test('filters, limits and mixing the two pagings', async () => {
		for (const [q, field] of [['limit=0', 'limit'], ['limit=201', 'limit'],
		    ['limit=abc', 'limit'], ['status=sleepy', 'status'], ['sort=age', 'sort'],
		    ['connector=nope', 'connector'], ['team=x', 'team'], ['unused=7', 'unused'],
		    [`q=${'x'.repeat(101)}`, 'q'], ['limit=5&page=2', 'page'],
		    ['cursor=abc&per_page=5', 'per_page']]) {
			const r = await api(`/api/v1/connections?${q}`, smallToken);
			const j = assertApiError(r, 400, undefined, `?${q}`);
			assert.equal(j.field, field, `?${q}`);
		}
	});

	test('a crafted, tampered or borrowed cursor is refused, never run', async () => {
		const first = await api('/api/v1/connections?limit=2', smallToken);
		const c = first.json.next_cursor;
		assert.equal(typeof c, 'string');
		const [payload, mac] = c.split('.');
		const decoded = Buffer.from(payload, 'base64url').toString();
		assert.match(decoded, /^v1\.0\.\d+\.k\./, 'sort, id and key');
		const forged = Buffer.from(decoded.replace(/\.k\..*$/, ".k.' OR true --"))
		    .toString('base64url');
		const bad = [
			'abc', "' OR 1=1 --", `${payload}.`, `${forged}.${mac}`, `${payload}.${'A'.repeat(43)}`,
			'x'.repeat(3000),
		];
		for (const cur of bad) {
			const r = await api(`/api/v1/connections?limit=2&cursor=${encodeURIComponent(cur)}`,
			    smallToken);
			const j = assertApiError(r, 400, 'invalid_parameter', `cursor ${cur.slice(0, 20)}`);
			assert.equal(j.field, 'cursor');
		}
		for (const other of ['sort=-name', 'status=ok', 'q=a']) {
			const r = await api(`/api/v1/connections?limit=2&${other}&cursor=${c}`, smallToken);
			assertApiError(r, 400, 'invalid_parameter', `a cursor used with ${other}`);
		}
		const ok = await api(`/api/v1/connections?limit=2&cursor=${c}`, smallToken);
		assert.equal(ok.status, 200, 'the cursor itself is good');
	});
});

describe('history: tests and versions', () => {
	let cid;
	before(() => {
		cid = s.connections.a1.id;
		const u = psql(`SELECT id, email FROM users ORDER BY id LIMIT 1`)[0];
		// Seven tests, two at the same instant (the id breaks the tie), and
		// four versions, one by nobody (the user deleted).
		psql(`INSERT INTO connection_tests (connection_id, tested_at, trigger, triggered_by,
		    result, http_status, latency_ms, message)
		    SELECT ${cid}, CASE WHEN g IN (3, 4) THEN timestamptz '2026-01-01 10:00:00.123456+00'
		        ELSE timestamptz '2026-01-01 00:00:00+00' + g * interval '1 hour' END,
		        'manual', ${u[0]}, CASE WHEN g % 2 = 0 THEN 'ok' ELSE 'http_error' END,
		        200 + g, 10 * g, 'test ' || g FROM generate_series(1, 7) AS g;
		    INSERT INTO connection_versions (connection_id, version, changed_fields, changed_by,
		        settings) VALUES
		    (${cid}, 1, '{}', ${u[0]}, '{"url": "https://a.example"}'),
		    (${cid}, 2, '{url,api_key}', ${u[0]}, '{"url": "https://b.example"}'),
		    (${cid}, 3, '{api_key.expires_on}', NULL, '{}'),
		    (${cid}, 4, '{name}', ${u[0]}, '{}');`);
	});

	test('tests, newest first, by cursor; the same instant ordered by id', async () => {
		const all = await api(`/api/v1/connections/${cid}/tests?limit=200`, smallToken);
		assert.equal(all.status, 200);
		const msgs = all.json.tests.map((t) => t.message);
		assert.deepEqual(msgs, ['test 4', 'test 3', 'test 7', 'test 6', 'test 5', 'test 2',
		    'test 1'], 'newest first (3 and 4 share 10:00:00.123456, after 7 at 07:00)');
		assert.equal(all.json.tests[0].http_status, 204);
		assert.match(all.json.tests[0].tested_at, /^2026-01-01T10:00:00Z$/);
		assert.equal(all.json.next_cursor, null);
		const seen = [];
		let cur = null;
		for (let i = 0; i < 10; i++) {
			const r = await api(`/api/v1/connections/${cid}/tests?limit=2`
			    + (cur ? `&cursor=${cur}` : ''), smallToken);
			assert.equal(r.status, 200);
			seen.push(...r.json.tests.map((t) => t.message));
			cur = r.json.next_cursor;
			if (cur === null)
				break;
		}
		assert.deepEqual(seen, msgs, 'pages of two walk the same history');
	});

	test('versions: number, when, by whom, names of changed fields, never a value', async () => {
		const r = await api(`/api/v1/connections/${cid}/versions`, smallToken);
		assert.equal(r.status, 200);
		assert.deepEqual(r.json.versions.map((v) => v.version), [4, 3, 2, 1]);
		assert.deepEqual(r.json.versions[2].changed_fields, ['url', 'api_key']);
		assert.equal(r.json.versions[1].changed_by, null);
		assert.equal(typeof r.json.versions[0].changed_by, 'string');
		assert.doesNotMatch(r.text, /[ab]\.example/, 'settings values are not in the history');
		const p1 = await api(`/api/v1/connections/${cid}/versions?limit=3`, smallToken);
		assert.deepEqual(p1.json.versions.map((v) => v.version), [4, 3, 2]);
		const p2 = await api(`/api/v1/connections/${cid}/versions?limit=3&cursor=${p1.json.next_cursor}`,
		    smallToken);
		assert.deepEqual(p2.json.versions.map((v) => v.version), [1]);
		assert.equal(p2.json.next_cursor, null);
	});

	test('the same visibility and scope as the connection; bad cursors are 400', async () => {
		const outsider = token(makeUser({ teams: [`${P}-b`] }).email);
		for (const what of ['tests', 'versions']) {
			assertApiError(await api(`/api/v1/connections/${cid}/${what}`, outsider), 404,
			    'not_found', `${what} of another team's connection`);
			assertApiError(await api(`/api/v1/connections/99999999/${what}`, smallToken), 404,
			    'not_found', `${what} of no connection`);
			for (const bad of ['abc', "'--", Buffer.from('t.x.1').toString('base64url'),
			    Buffer.from('v.0').toString('base64url'), 'x'.repeat(200)]) {
				const r = await api(`/api/v1/connections/${cid}/${what}?cursor=${bad}`, smallToken);
				assert.equal(assertApiError(r, 400, 'invalid_parameter', `${what} ${bad}`).field,
				    'cursor');
			}
			assertApiError(await api(`/api/v1/connections/${cid}/${what}?limit=0`, smallToken),
			    400, 'invalid_parameter', `${what} limit=0`);
		}
		const runOnly = tetherctl('token', 'add', makeUser({ teams: [`${P}-a`] }).email,
		    uniq('tok'), '--scopes', 'tests:run').trim();
		assertApiError(await api(`/api/v1/connections/${cid}/tests`, runOnly), 403,
		    'insufficient_scope', 'a token without connections:read');
	});
});
