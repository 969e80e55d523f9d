// tests/lib/lifecycle/lc.mjs — what the connection lifecycle tests share
// (tests/integration/lifecycle*.test.mjs, vault*.test.mjs,
// zz-secret-scan.test.mjs, tests/browser/lifecycle.test.mjs): the New
// connection and Edit forms read and posted the way a browser would, the
// field errors and flash message of an answer, flows registered with
// tetherctl, the rows a change must (or must not) leave, and tiny
// stand-ins on loopback.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import {
	csrfFrom, decodeEntities, flashOf, get, pageText, post, psql, sqlString, tagAttr, tagFlag,
	tetherctl, uniq,
} from '../stack.mjs';

// ---------------------------------------------------------------- forms

/** The POST form of a connection page (New or Edit): its HTML. */
export function connFormHtml(html) {
	const m = /<form class="panel form conn-form"[\s\S]*?<\/form>/.exec(html);
	assert.ok(m, 'the page has the connection form:\n' + pageText(html).slice(0, 600));
	return m[0];
}

/**
 * Every control of the connection form: [{ name, tag, type, value,
 * disabled, required, checked, options }] in page order (inputs, selects,
 * textareas), including disabled ones (which have no name).
 */
export function formControls(html) {
	const form = connFormHtml(html);
	const out = [];
	const re = /<(input|select|textarea)\b([^>]*)>([\s\S]*?<\/\1>)?/g;
	for (const m of form.matchAll(re)) {
		const tag = `<${m[1]}${m[2]}>`;
		const c = {
			element: m[1], tag, id: tagAttr(tag, 'id'), name: tagAttr(tag, 'name'),
			type: m[1] === 'input' ? tagAttr(tag, 'type') ?? 'text' : m[1],
			disabled: tagFlag(tag, 'disabled'), required: tagFlag(tag, 'required'),
			checked: tagFlag(tag, 'checked'), value: tagAttr(tag, 'value'),
		};
		if (m[1] === 'textarea')
			c.value = decodeEntities((m[3] ?? '').replace(/<\/textarea>$/, ''));
		if (m[1] === 'select') {
			c.options = [...(m[3] ?? '').matchAll(/<option\b([^>]*)>([^<]*)/g)].map((o) => ({
				value: tagAttr(o[1], 'value'), label: decodeEntities(o[2]), selected: tagFlag(o[1], 'selected'),
			}));
			const sel = c.options.find((o) => o.selected);
			c.value = sel ? sel.value : undefined;
		}
		out.push(c);
	}
	return out;
}

/**
 * What a browser would submit for the form as it stands: hidden fields,
 * text values, checked boxes and radios, selected options; secrets are
 * empty (the page never fills them). An object name -> value.
 */
export function formSubmission(html) {
	const body = {};
	for (const c of formControls(html)) {
		if (c.disabled || c.name === undefined)
			continue;
		if (c.type === 'checkbox' || c.type === 'radio') {
			if (c.checked)
				body[c.name] = c.value ?? 'on';
			continue;
		}
		if (c.type === 'submit' || c.type === 'button')
			continue;
		body[c.name] = c.value ?? '';
	}
	return body;
}

/** The names of the password (secret) inputs of the form, as f.KEY. */
export function secretInputs(html) {
	return formControls(html).filter((c) => c.type === 'password').map((c) => c.name);
}

/**
 * The message next to each field: { inputName: message } from the
 * `<p class="field-error" id="f-NAME-error">` the template draws.
 */
export function fieldErrors(html) {
	const out = {};
	for (const m of html.matchAll(/<p class="field-error" id="f-([^"]+)-error">([\s\S]*?)<\/p>/g))
		out[decodeEntities(m[1])] = pageText(m[2]).replace(/^Error:\s*/, '');
	return out;
}

/** The flash shown on a page (the alert the layout draws), as text, or ''. */
export function flashText(html) {
	const m = /<div class="flash">[\s\S]*?<div class="alert-body">([\s\S]*?)<\/div>/.exec(html);
	return m === null ? '' : pageText(m[1]);
}

/**
 * Change a form submission like a user: fields by key without "f.", extra
 * by raw name; a null value removes the field.
 */
function changeForm(body, fields, extra) {
	for (const [k, v] of Object.entries(fields)) {
		if (v === null)
			delete body[`f.${k}`];
		else
			body[`f.${k}`] = v;
	}
	for (const [k, v] of Object.entries(extra)) {
		if (v === null)
			delete body[k];
		else
			body[k] = v;
	}
}

/**
 * Follow a Create or Save answered at once (303 to /connections/ID/testing?
 * run=…) as a browser does: the Testing… page until it goes on; then the
 * POST's 303 as if it had gone there itself (Location and flash of the
 * run's end), or, for a save not saved, the form it goes back to. Any other
 * answer is returned as it is.
 */
export async function followRun(jar, res) {
	let loc = res.headers.get('location') ?? '';
	if (!/^\/connections\/[0-9]+\/testing\?run=/.test(loc))
		return res;
	for (let i = 0; i < 120; i++) {
		const r = await get(loc, jar);
		if (r.status === 200) {
			await new Promise((resolve) => setTimeout(resolve, 250));
			continue;
		}
		loc = r.headers.get('location') ?? '';
		if (/^\/connections\/[0-9]+\/edit\?/.test(loc))
			return get(loc, jar);
		// The POST's answer (its request id: the run's audit entries carry
		// it), with where the run went and its message.
		const headers = new Headers(res.headers);
		headers.delete('set-cookie');
		for (const c of r.headers.getSetCookie())
			headers.append('set-cookie', c);
		headers.set('location', loc);
		return { ...res, headers, run: r };
	}
	throw new Error(`no end of the run at ${loc}`);
}

/**
 * GET the New connection form and POST it like a browser: the form's
 * defaults, then fields (by key, without "f."; null removes one), then
 * extra (raw form names, e.g. { team: '' }); team: the owner team's id
 * (the form preselects it only when the user may choose no other). Resolves to
 * { status, id, flash, res, form, body, name }.
 */
export async function createConn(jar, { connector, protocol, apiType, name = uniq('conn'),
    description = '', context, team, fields = {}, extra = {} } = {}) {
	const q = new URLSearchParams({ connector, protocol, ...(apiType ? { api_type: apiType } : {}) });
	const form = await get(`/connections/new?${q}`, jar);
	assert.equal(form.status, 200, `GET /connections/new?${q}: ${pageText(form.text).slice(0, 300)}`);
	const body = formSubmission(form.text);
	body.name = name;
	body.description = description;
	if (context !== undefined)
		body.context = context;
	if (team !== undefined)
		body.team = String(team);
	changeForm(body, fields, extra);
	const res = await followRun(jar, await post('/connections', body, jar));
	const m = /^\/connections\/([0-9]+)$/.exec(res.headers.get('location') ?? '');
	// OAuth authorization code: a 200 page that goes on to the provider at
	// once (connectUrl), with "Connect later" to the new connection.
	const later = res.status === 200 ? /<meta http-equiv="refresh" content="0; url=([^"]+)">[^]*href="\/connections\/([0-9]+)">Connect later/.exec(res.text) : null;
	if (later !== null)
		return { status: res.status, id: Number(later[2]), connectUrl: decodeEntities(later[1]), flash: null,
		    res, form, body, name };
	return { status: res.status, id: m ? Number(m[1]) : null, flash: flashOf(res), res, form, body, name };
}

/** createConn that must succeed (303 to the new connection, or on to Connect); its id. */
export async function mustCreate(jar, spec) {
	const c = await createConn(jar, spec);
	assert.equal(c.connectUrl ? 303 : c.status, 303, `create ${spec.connector}/${spec.protocol}: ` +
	    `${JSON.stringify(fieldErrors(c.res.text))} ${pageText(c.res.text).slice(0, 300)}`);
	assert.ok(c.id > 0, `created: Location ${c.res.headers.get('location')}`);
	return c;
}

/** GET /connections/ID/edit?confirm=1: { res, body (what a browser submits) }. */
export async function editForm(jar, id) {
	const res = await get(`/connections/${id}/edit?confirm=1`, jar);
	assert.equal(res.status, 200, `GET /connections/${id}/edit?confirm=1: ${pageText(res.text).slice(0, 300)}`);
	return { res, body: formSubmission(res.text) };
}

/**
 * Read the edit form, change it like a user (fields by key without "f.",
 * extra by raw name; null removes), and POST it. Resolves to
 * { status, res, flash, body, form }.
 */
export async function postEdit(jar, id, { fields = {}, extra = {} } = {}) {
	const { res: form, body } = await editForm(jar, id);
	changeForm(body, fields, extra);
	const res = await followRun(jar, await post(`/connections/${id}/edit`, body, jar));
	return { status: res.status, res, flash: flashOf(res), body, form };
}

/** POST /connections/ID/test with the details page's csrf: { status, flash, res }. */
export async function testNow(jar, id) {
	const page = await get(`/connections/${id}`, jar);
	assert.equal(page.status, 200, `GET /connections/${id}`);
	const res = await post(`/connections/${id}/test`, { csrf: csrfFrom(page.text) }, jar);
	return { status: res.status, flash: flashOf(res), res };
}

// ----------------------------------------------------------------- flows

/** Register a flow with tetherctl; its id. */
export function flowAdd({ name = uniq('flow'), version = '3', status = 'active', owner = 'Ops team',
    connections = [] } = {}) {
	const args = ['flow', 'add', '--name', name, '--version', String(version), '--status', status,
		'--owner', owner];
	for (const c of connections)
		args.push('--connection', String(c));
	const out = tetherctl(...args, { env: { POSIXLY_CORRECT: '1' } }).trim();
	const m = /([0-9]+)\s*$/.exec(out);
	assert.ok(m, `tetherctl flow add printed an id: ${out}`);
	return { id: Number(m[1]), name, version: String(version), status, owner };
}

/** Take every connection away from a flow (tetherctl flow update ID --no-connections). */
export function flowDetach(flowId) {
	tetherctl('flow', 'update', String(flowId), '--no-connections', { env: { POSIXLY_CORRECT: '1' } });
}

// ------------------------------------------------------------------ rows

/** The connection's secret rows: [{ field, keyVersion, nonce, ct, updatedAt }] by field. */
export function secretRows(id) {
	return psql(`SELECT field, key_version, encode(nonce, 'hex'), encode(ciphertext, 'hex'),
	    updated_at FROM connection_secrets WHERE connection_id = ${Number(id)} ORDER BY field`)
	    .map((r) => ({ field: r[0], keyVersion: Number(r[1]), nonce: r[2], ct: r[3], updatedAt: r[4] }));
}

/** The connection's versions: [{ version, fields: [...], settings }], oldest first. */
export function versionRows(id) {
	return psql(`SELECT version, array_to_json(changed_fields)::text, settings::text
	    FROM connection_versions WHERE connection_id = ${Number(id)} ORDER BY version`)
	    .map((r) => ({ version: Number(r[0]), fields: JSON.parse(r[1]), settings: JSON.parse(r[2]) }));
}

/**
 * Audit entries of a connection by one actor (optionally one action):
 * [{ action, outcome, details, actor, actorId, label }]. By actor, because
 * other tests write audit rows of their own whose object ids may be any
 * connection's.
 */
export function auditRows(id, action, actorId) {
	assert.ok(actorId !== undefined, 'auditRows needs the actor');
	return psql(`SELECT action, outcome, details::text, COALESCE(actor_label, ''),
	    COALESCE(actor_user_id::text, ''), object_label FROM audit_log
	    WHERE object_type = 'connection' AND object_id = ${Number(id)}
	    AND actor_user_id = ${Number(actorId)}
	    ${action ? `AND action = ${sqlString(action)}` : ''} ORDER BY id`)
	    .map((r) => ({ action: r[0], outcome: r[1], details: JSON.parse(r[2]), actor: r[3], actorId: r[4],
		label: r[5] }));
}

/** How many connections of the team have this name (case-insensitive). */
export function countByName(teamId, name) {
	return Number(psql(`SELECT count(*) FROM connections WHERE owner_team_id = ${Number(teamId)}
	    AND lower(name) = lower(${sqlString(name)})`)[0][0]);
}

// ------------------------------------------------------------- stand-in

/**
 * Listen on an ephemeral port of 127.0.0.1: { port, url, close() }, where
 * close() drops the open connections too.
 */
async function listenLoopback(server) {
	const sockets = new Set();
	server.on('connection', (c) => { sockets.add(c); c.on('close', () => sockets.delete(c)); });
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	const port = server.address().port;
	return {
		port,
		url: `http://127.0.0.1:${port}`,
		async close() {
			for (const c of sockets)
				c.destroy();
			await new Promise((resolve) => server.close(() => resolve()));
		},
	};
}

/**
 * An HTTP server on 127.0.0.1 that answers GET path with 200 when the Basic
 * credentials are user:password (both changeable through .creds), 401
 * otherwise, 404 elsewhere. { url, port, requests, creds, close() }.
 */
export async function startBasicStandin({ path = '/health', user, password, delay = 0 } = {}) {
	const s = { requests: [], creds: { user, password }, path, delay };
	const server = http.createServer((req, res) => {
		const u = new URL(req.url, 'http://x');
		s.requests.push({ method: req.method, path: u.pathname, authorization: req.headers.authorization ?? '' });
		const send = (code, body) => setTimeout(() => {	// s.delay: a slow system
			res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
			res.end(body);
		}, s.delay);
		if (u.pathname !== s.path)
			return send(404, '{"error":"not found"}');
		const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? '');
		const want = Buffer.from(`${s.creds.user}:${s.creds.password}`).toString('base64');
		if (m === null || m[1] !== want)
			return send(401, '{"error":"unauthorized"}');
		return send(200, '{"ok":true}');
	});
	return Object.assign(s, await listenLoopback(server));
}

// --------------------------------------------------------------- markers

/**
 * The forms in which a marker could leak: as is, percent-encoded, hex, and
 * inside base64 (standard and URL-safe) at any of the three byte alignments
 * (a Basic header, a cookie, a JSON blob…), the partial groups at either end
 * cut off. [[needle, how], …]
 */
export function needles(marker) {
	const out = new Map([[marker, 'as is'], [encodeURIComponent(marker), 'percent-encoded'],
		[Buffer.from(marker).toString('hex'), 'hex']]);
	for (let k = 0; k < 3; k++) {
		const b = Buffer.concat([Buffer.alloc(k), Buffer.from(marker)]).toString('base64');
		const core = b.slice(k > 0 ? 4 : 0, -4);
		if (!out.has(core))
			out.set(core, 'base64');
		const url = core.replace(/\+/g, '-').replace(/\//g, '_');
		if (!out.has(url))
			out.set(url, 'base64url');
	}
	return [...out];
}

/**
 * Where each of the markers appears in the texts ({ name: text }):
 * ["MARKER-… (base64) in name", …]; the markers are shortened in the report
 * so that a failure does not itself write them out in full.
 */
export function findMarkers(markers, texts) {
	const hits = [];
	for (const mk of markers) {
		const ns = needles(mk);
		for (const [name, text] of Object.entries(texts)) {
			for (const [n, how] of ns) {
				if (text.includes(n)) {
					hits.push(`${mk.slice(0, 16)}…${mk.slice(-12)} (${how}) in ${name}`);
					break;
				}
			}
		}
	}
	return hits;
}

// ----------------------------------------------------------- page tables

/**
 * The rows of the flows tables of a page (Related, the edit warning, the
 * refused delete): [{ id, name, version, status, owner }] in page order.
 */
export function flowsTable(html) {
	const out = [];
	for (const tb of html.matchAll(/<tbody>([\s\S]*?)<\/tbody>/g)) {
		for (const tr of tb[1].matchAll(/<tr>([\s\S]*?)<\/tr>/g)) {
			const a = /<th scope="row"><a href="\/flows\/([0-9]+)">([\s\S]*?)<\/a><\/th>/.exec(tr[1]);
			if (a === null)
				continue;
			const cell = (label) => {
				const m = new RegExp(`<td data-label="${label}"[^>]*>([\\s\\S]*?)</td>`).exec(tr[1]);
				return m === null ? undefined : pageText(m[1]);
			};
			out.push({ id: Number(a[1]), name: decodeEntities(a[2]), version: cell('Version'),
				status: cell('Status'), owner: cell('Owner') });
		}
	}
	return out;
}

/** The label/value pairs of the description lists of a page: [[dt, dd], …] as text. */
export function definitionPairs(html) {
	return [...html.matchAll(/<dt>([\s\S]*?)<\/dt>\s*<dd[^>]*>([\s\S]*?)<\/dd>/g)]
	    .map((m) => [pageText(m[1]), pageText(m[2])]);
}

/**
 * Everything a save could change about a connection, in one query: the row
 * (name, description, settings, version, status, last test), its secret
 * rows, versions, tests and audit entries, as one JSON value. Two equal
 * snapshots: nothing was saved in between.
 */
export function snapshot(id) {
	const n = Number(id);
	const [[j]] = psql(`SELECT json_build_object(
	    'row', (SELECT json_build_object('name', name, 'description', description, 'settings', settings,
	        'version', version, 'status', status, 'updated_at', updated_at, 'result', last_test_result)
	        FROM connections WHERE id = ${n}),
	    'secrets', (SELECT json_agg(json_build_object('field', field, 'key_version', key_version,
	        'nonce', encode(nonce, 'hex'), 'ct', encode(ciphertext, 'hex'), 'at', updated_at) ORDER BY field)
	        FROM connection_secrets WHERE connection_id = ${n}),
	    'versions', (SELECT count(*) FROM connection_versions WHERE connection_id = ${n}),
	    'tests', (SELECT count(*) FROM connection_tests WHERE connection_id = ${n}),
	    'audit', (SELECT count(*) FROM audit_log WHERE object_type = 'connection' AND object_id = ${n}
	        AND action <> 'connection_test'))::text`);
	return JSON.parse(j);
}

/**
 * A hostile destination on 127.0.0.1: every request is answered with
 * `status` and a body and headers that repeat what it received (URL,
 * headers, body), so that a tester copying an answer into a message, a log
 * or a page would copy the credentials with it. { url, requests, close() }.
 */
export async function startEchoStandin({ status = 401 } = {}) {
	const s = { requests: [] };
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (d) => chunks.push(d));
		req.on('end', () => {
			const rec = { method: req.method, url: req.url, headers: req.headers,
				body: Buffer.concat(chunks).toString('latin1') };
			s.requests.push(rec);
			const body = JSON.stringify({ error: 'denied', youSent: rec });
			const auth = String(req.headers.authorization ?? '').replace(/[^\x20-\x7e]/g, '');
			res.writeHead(status, {
				'content-type': 'application/json',
				'content-length': Buffer.byteLength(body),
				'www-authenticate': `Basic realm="${auth.replace(/"/g, '')}"`,
				'x-echo-url': req.url.replace(/[^\x20-\x7e]/g, ''),
			});
			res.end(body);
		});
	});
	return Object.assign(s, await listenLoopback(server));
}

/** Every regular file under dir (recursively): [path]. */
export function filesUnder(dir) {
	const out = [];
	for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, e.name);
		if (e.isDirectory())
			out.push(...filesUnder(p));
		else if (e.isFile())
			out.push(p);
	}
	return out;
}

/**
 * The tables of the database (schema public) whose rows, as JSON (bytea as
 * \x hex), contain any of the needles: [[table, count]]. One query.
 */
export function tablesContaining(needleList) {
	const tables = psql(`SELECT quote_ident(table_name) FROM information_schema.tables
	    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`).map((r) => r[0]);
	const cond = needleList.map((n) => `strpos(j, ${sqlString(n)}) > 0`).join(' OR ');
	const q = tables.map((t) => `SELECT '${t}' AS t, count(*) FROM (SELECT row_to_json(x)::text AS j
	    FROM ${t} x) r WHERE ${cond}`).join('\nUNION ALL ');
	return psql(q, { timeoutMs: 240000 }).filter((r) => r[1] !== '0').map((r) => [r[0], Number(r[1])]);
}
