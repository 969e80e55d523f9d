// tests/lib/openapi.mjs — the API's OpenAPI document (static/openapi.json)
// as a check on real answers: apiCall() makes a request and asserts that
// the route, method and status are documented and that the body matches
// the documented schema (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses).
// Tests that call the API through it keep the document true.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

import { fcgiRequest } from './fcgi.mjs';
import { request } from './stack.mjs';

export const OPENAPI_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)),
    '..', '..', 'static', 'openapi.json');
export const openapi = JSON.parse(fs.readFileSync(OPENAPI_FILE, 'utf8'));

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(openapi, 'openapi.json');

const errorShape = ajv.getSchema('openapi.json#/components/schemas/Error');
const ptr = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** The documented path template matching a concrete path, or undefined. */
export function templateOf(p) {
	const bare = p.split('?')[0].replace(/(.)\/$/, '$1');	// a trailing slash is the same path
	for (const t of Object.keys(openapi.paths)) {
		const re = new RegExp('^' + t.replace(/\{[^}]+\}/g, '[^/]+') + '$');
		if (re.test(bare))
			return t;
	}
	return undefined;
}

/**
 * Assert that answer r ({ status, headers, text }) to `method path` is as
 * documented; returns the parsed body (or undefined when there is none).
 */
export function checkAnswer(method, p, r) {
	const t = templateOf(p);
	const what = `${method} ${p} -> ${r.status}`;
	const m = method === 'HEAD' ? 'get' : method.toLowerCase();	// HEAD is GET's
	const op = t === undefined ? undefined : openapi.paths[t][m];
	// No such path (401 comes before routing) or method, or a documented
	// method the app does not take (yet): the error shape.
	if (op === undefined || r.status === 405) {
		assert.ok(t !== undefined || [401, 404].includes(r.status),
		    `${what}: the path is in the OpenAPI document`);
		assert.ok(t === undefined || r.status === 405 || r.status === 401,
		    `${what}: the method is documented`);
		if (method === 'HEAD' || r.text === '')
			return undefined;
		const body = JSON.parse(r.text);
		assert.ok(errorShape(body), `${what}: the error shape: ${ajv.errorsText(errorShape.errors)}`);
		return body;
	}
	const code = String(r.status);
	const resp = op.responses[code] !== undefined ? code : 'default';
	assert.ok(op.responses[resp] !== undefined, `${what}: the status is documented`);
	const content = op.responses[resp].content;
	if (content === undefined || r.text === '' || method === 'HEAD')
		return undefined;
	const type = Object.keys(content)[0];
	assert.equal((r.headers.get('content-type') ?? '').split(';')[0], type,
	    `${what}: the documented content type`);
	const body = JSON.parse(r.text);
	const validate = ajv.getSchema(`openapi.json#/paths/${ptr(t)}/${m}`
	    + `/responses/${resp}/content/${ptr(type)}/schema`);
	assert.ok(validate !== undefined, `${what}: a schema`);
	assert.ok(validate(body), `${what}: the body matches the document: `
	    + `${ajv.errorsText(validate.errors)}\n${r.text.slice(0, 400)}`);
	return body;
}

/**
 * Assert that a JSON body the API took (a 2xx answer) is one the document
 * allows: the keys a client built from the document would send are the
 * keys the API reads.
 */
export function checkRequest(method, p, body, r) {
	if (body === undefined || r.status < 200 || r.status > 299)
		return;
	const t = templateOf(p);
	const m = method.toLowerCase();
	const what = `${method} ${p} -> ${r.status}`;
	assert.ok(t !== undefined && openapi.paths[t][m]?.requestBody !== undefined,
	    `${what}: a body the API took is documented`);
	const validate = ajv.getSchema(`openapi.json#/paths/${ptr(t)}/${m}`
	    + `/requestBody/content/${ptr('application/json')}/schema`);
	assert.ok(validate !== undefined, `${what}: a request schema`);
	assert.ok(validate(typeof body === 'string' ? JSON.parse(body) : body),
	    `${what}: the body it took matches the document: ${ajv.errorsText(validate.errors)}`);
}

/** One API call, checked against the document; request()'s answer plus json. */
export async function apiCall(method, p, token, body, headers = {}) {
	const h = { ...headers };
	if (token !== undefined && token !== null)
		h.authorization = `Bearer ${token}`;
	if (body !== undefined)
		h['content-type'] = 'application/json';
	const r = await request(p, { method, headers: h,
	    body: body !== undefined ? JSON.stringify(body) : undefined });
	const json = checkAnswer(method, p, r);
	checkRequest(method, p, body, r);
	return { ...r, json };
}

/**
 * The same over FastCGI, straight to a tether-fcgi of the test's own
 * (tests/lib/tether.mjs: t.sock): fcgiRequest()'s answer checked against the
 * document, plus json (null when there is no body).
 */
export async function apiCallFcgi(sock, method, uri, token, body, { timeoutMs = 60000 } = {}) {
	const r = await fcgiRequest(sock, { method, uri, timeoutMs,
		headers: token !== undefined && token !== null ? { authorization: `Bearer ${token}` } : {},
		...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body),
			contentType: 'application/json' } : {}) });
	checkAnswer(method, uri, r);
	checkRequest(method, uri.split('?')[0], body, r);
	return { ...r, json: r.text !== '' ? JSON.parse(r.text) : null };
}
