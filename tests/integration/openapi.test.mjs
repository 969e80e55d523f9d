// /api/v1/openapi.json (issue 14 §2, §4): the document is valid OpenAPI 3.1
// (@seriousme/openapi-schema-validator), names every route and method of
// src/api-route.c with the scopes that let it run, is served as JSON without
// a token, and real answers of every route match it (tests/lib/openapi.mjs
// checks status, content type and body with ajv): successes and errors.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { Validator } from '@seriousme/openapi-schema-validator';

import { seed } from '../lib/list.mjs';
import { OPENAPI_FILE, apiCall, openapi } from '../lib/openapi.mjs';
import { makeUser, psql, request, tetherctl, uniq } from '../lib/stack.mjs';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const P = uniq('OAS');
const ALL = 'connections:read,connections:write,connections:use,flows:write,tests:run';

/**
 * The route table of src/api-route.c: [{ pattern, methods: { get: [scopes] } }].
 * Scope macros are read from the file's #defines and tether.h's APITOKEN_*.
 */
export function routeTable() {
	const src = fs.readFileSync(path.join(ROOT, 'src', 'api-route.c'), 'utf8');
	const alias = {};
	for (const m of src.matchAll(/^#define\s+(\w+)\s+(APITOKEN_\w+)\s*$/gm))
		alias[m[1]] = m[2];
	const scopeName = (macro) => {
		const full = alias[macro] ?? macro;
		const m = /^APITOKEN_([A-Z]+)_([A-Z]+)$/.exec(full);
		assert.ok(m, `a scope macro: ${macro}`);
		return `${m[1].toLowerCase()}:${m[2].toLowerCase()}`;
	};
	const table = src.slice(src.indexOf('api_routes[] = {'));
	const routes = [];
	for (const chunk of table.split(/\{\s*\.rt\s*=\s*\{/).slice(1)) {
		const pattern = /\.pattern\s*=\s*"([^"]+)"/.exec(chunk)[1];
		const methods = {};
		for (const m of chunk.matchAll(/\.(get|post|put|patch|del)\s*=\s*(\w+)/g)) {
			const sm = new RegExp(`\\.${m[1]}_scope\\s*=\\s*([^,}]+)`).exec(chunk);
			const scopes = sm ? sm[1].split('|').map((x) => scopeName(x.trim())) : [];
			methods[m[1] === 'del' ? 'delete' : m[1]] = scopes;
		}
		routes.push({ pattern, methods });
	}
	return routes;
}

describe('the document', () => {
	test('is valid OpenAPI 3.1', async () => {
		const v = new Validator();
		const res = await v.validate(OPENAPI_FILE);
		assert.equal(v.version, '3.1');
		assert.deepEqual(res, { valid: true }, JSON.stringify(res.errors ?? '', null, 1));
	});

	test('has every route and method of src/api-route.c, with its scopes', () => {
		const routes = routeTable();
		assert.ok(routes.length >= 10, `the route table was read (${routes.length} routes)`);
		for (const { pattern, methods } of routes) {
			// The route table's {id}/{key} are the document's named parameters.
			const shape = (x) => x.replace(/\{[a-z_]+\}/g, '{}');
			const item = openapi.paths[pattern] ?? Object.entries(openapi.paths)
			    .find(([path]) => shape(path) === shape(pattern))?.[1];
			assert.ok(item, `${pattern} is in the document`);
			for (const [method, scopes] of Object.entries(methods)) {
				const op = item[method];
				assert.ok(op, `${method.toUpperCase()} ${pattern} is in the document`);
				const documented = (op.security ?? openapi.security)
				    .map((req) => req.bearerToken ?? []).flat().sort();
				assert.deepEqual(documented, [...scopes].sort(),
				    `${method.toUpperCase()} ${pattern}: the scopes that let it run`);
				for (const code of ['401', '403'])
					assert.ok(op.responses[code], `${method.toUpperCase()} ${pattern}: ${code}`);
			}
		}
	});

	test('every error answer is the one error shape', () => {
		for (const [name, r] of Object.entries(openapi.components.responses))
			assert.equal(r.content['application/json'].schema.$ref,
			    '#/components/schemas/Error', name);
		assert.deepEqual(openapi.components.schemas.Error.required, ['error', 'message']);
	});

	test('is served without a token, as JSON, as in the repository', async () => {
		for (const method of ['GET', 'HEAD']) {
			const r = await request('/api/v1/openapi.json', { method });
			assert.equal(r.status, 200, method);
			assert.match(r.headers.get('content-type') ?? '', /^application\/json(; charset=utf-8)?$/i);
			assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
			if (method === 'GET')
				assert.deepEqual(JSON.parse(r.text), openapi);
		}
	});
});

describe('real answers match the document', () => {
	let s, tok, member, outsider, cid;

	before(() => {
		s = seed(P, {
			teams: ['a', 'b'],
			connections: [
				{ key: 'a1', team: 'a', name: 'Alpha', status: 'ok', testedAgo: '1 hour' },
				{ key: 'a2', team: 'a', name: 'Beta' },
				{ key: 'b1', team: 'b', name: 'Other' },
			],
		});
		cid = s.connections.a1.id;
		psql(`INSERT INTO connection_tests (connection_id, trigger, result, http_status,
		    latency_ms, message) VALUES (${cid}, 'manual', 'ok', 200, 12, 'fine');
		    INSERT INTO connection_versions (connection_id, version, changed_fields)
		    VALUES (${cid}, 1, '{url}');`);
		const u = makeUser({ teams: [{ name: `${P}-a`, role: 'manager' }] });
		tok = tetherctl('token', 'add', u.email, uniq('tok'), '--scopes', ALL).trim();
		member = tetherctl('token', 'add', u.email, uniq('tok'), '--scopes', 'tests:run').trim();
		outsider = tetherctl('token', 'add', makeUser({ teams: [`${P}-b`] }).email, uniq('tok'),
		    '--scopes', ALL).trim();
	});

	test('connections: list, one, history, connectors', async () => {
		const calls = [
			['/api/v1/connections', 200], ['/api/v1/connections?limit=1', 200],
			['/api/v1/connections?sort=-tested&status=ok&per_page=1', 200],
			['/api/v1/connections?limit=500', 400], ['/api/v1/connections?cursor=x', 400],
			[`/api/v1/connections/${cid}`, 200], ['/api/v1/connections/99999999', 404],
			[`/api/v1/connections/${cid}/tests`, 200], [`/api/v1/connections/${cid}/versions`, 200],
			[`/api/v1/connections/${cid}/tests?limit=1`, 200],
			[`/api/v1/connections/${cid}/versions?cursor=bad`, 400],
			['/api/v1/connectors/http', 200], ['/api/v1/connectors/nope', 404],
		];
		for (const [p, status] of calls) {
			const r = await apiCall('GET', p, tok);
			assert.equal(r.status, status, `GET ${p}: ${r.text.slice(0, 200)}`);
		}
		assert.equal((await apiCall('GET', `/api/v1/connections/${cid}`, outsider)).status, 404);
		assert.equal((await apiCall('GET', '/api/v1/connections', member)).status, 403);
		assert.equal((await apiCall('GET', '/api/v1/connections', undefined)).status, 401);
		assert.equal((await apiCall('HEAD', `/api/v1/connections/${cid}`, tok)).status, 200);
	});

	test('flows: register, read, replace, list, delete', async () => {
		const flow = { name: uniq(`${P}-flow`), version: 1, status: 'active',
		    connections: [Number(cid)] };
		const c = await apiCall('POST', '/api/v1/flows', tok, flow);
		assert.equal(c.status, 201, c.text);
		const id = c.json.id;
		assert.equal((await apiCall('GET', `/api/v1/flows/${id}`, tok)).status, 200);
		assert.equal((await apiCall('PUT', `/api/v1/flows/${id}`, tok,
		    { ...flow, version: 2 })).status, 200);
		assert.equal((await apiCall('GET', '/api/v1/flows?per_page=5', tok)).status, 200);
		assert.equal((await apiCall('POST', '/api/v1/flows', tok, { name: 'x' })).status, 400);
		assert.equal((await apiCall('PUT', `/api/v1/flows/${id}`, tok, { bogus: 1 })).status, 400);

		// Uses of the connection: credentials (refused or issued), replace, test.
		const cr = await apiCall('POST', `/api/v1/connections/${cid}/credentials`, tok,
		    { flow_id: id, bypass_status: true });
		assert.ok([200, 409].includes(cr.status), `credentials: ${cr.text.slice(0, 200)}`);
		const nf = await apiCall('POST', `/api/v1/connections/${s.connections.a2.id}/credentials`,
		    tok, { flow_id: id });
		assert.equal(nf.status, 403, 'a flow that does not use it');
		const rp = await apiCall('POST', `/api/v1/connections/${cid}/replace`, tok,
		    { replacement_id: Number(s.connections.a2.id), dry_run: true });
		assert.equal(rp.status, 200, rp.text.slice(0, 200));
		assert.equal((await apiCall('POST', `/api/v1/connections/${cid}/replace`, tok,
		    {})).status, 400);
		assert.equal((await apiCall('DELETE', `/api/v1/flows/${id}`, tok)).status, 204);
		assert.equal((await apiCall('DELETE', `/api/v1/flows/${id}`, tok)).status, 404);
	});

	test('a test run', async () => {
		const r = await apiCall('POST', `/api/v1/connections/${s.connections.a2.id}/test`, tok,
		    { trigger: 'api' });
		assert.ok([200, 429].includes(r.status), r.text.slice(0, 200));
		assert.equal((await apiCall('POST', `/api/v1/connections/${cid}/test`, tok,
		    { trigger: 'nope' })).status, 400);
	});

	test('the write routes answer as documented (or 405 until they exist)', async () => {
		const a2 = s.connections.a2.id;
		const calls = [
			['POST', '/api/v1/connections', { name: '' }],
			['PATCH', `/api/v1/connections/${a2}`, { name: '' }],
			['POST', `/api/v1/connections/${a2}/shares`, { team_id: 'x' }],
			['DELETE', `/api/v1/connections/${a2}/shares/${s.teams.b.id}`, undefined],
			['POST', `/api/v1/connections/${a2}/transfer`, { team_id: 'x' }],
		];
		for (const [method, p, body] of calls) {
			const r = await apiCall(method, p, tok, body);
			assert.ok(r.status < 500, `${method} ${p}: ${r.status}`);
		}
	});
});
