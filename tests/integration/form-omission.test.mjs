// Every form the app renders (POST, and the GET filters), submitted with
// each field left out in turn, each field empty, each text field at its
// maxlength and each field far past it (100 KB, within the worker's
// body_max): every answer must be below 500 and the worker must live
//. One worker of the test's own (`-f`), so
// that a crash is seen at once: the request ends
// without END_REQUEST and the process is gone; the case is recorded and a
// new worker started, so that one run lists every failing case. Every POST
// route of src/route.c must have had a form submitted to it.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { FcgiClient } from '../lib/fcgi.mjs';
import {
	CookieJar, decodeEntities, env, makeTeam, makeUser, pageText, psql, psqlValue, signIn,
	sqlString, tagAttr, tagFlag, uniq,
} from '../lib/stack.mjs';
import { startWorker } from '../lib/worker.mjs';

const LONG = 100 * 1024;			// far past any maxlength, within body_max
const BODY_MAX = 4 * LONG;
const BUDGET_MS = 240000;			// the whole walk, on two shared cores

const cleanups = [];
after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

// ------------------------------------------------------------ the worker

const W = { p: null, sock: null, restarts: 0 };

async function workerUp() {
	const w = await startWorker(cleanups, { 'http.body_max': String(BODY_MAX) });
	W.p = w.p;
	W.sock = w.sock;
}

/**
 * One request to the worker; { status, text, headers } or { crashed: why }
 * when it died or did not answer (then a fresh worker is started).
 */
async function send(jar, opts) {
	const c = new FcgiClient(W.sock, jar);
	let r;
	try {
		r = await c.request({ timeoutMs: 20000, ...opts });
	} catch (e) {
		r = { crashed: e.message };
	}
	if (r.crashed === undefined && !W.p.running)
		r = { crashed: `answered ${r.status}, then the worker exited` };
	if (r.crashed !== undefined) {
		const log = W.p.stderr().split('\n').filter((l) => /signal|exit|abort|SEGV/i.test(l));
		r.crashed += log.length > 0 ? ` (${log.slice(-2).join(' | ')})` : '';
		await W.p.stop('SIGKILL', 5000);
		W.restarts++;
		await workerUp();
	}
	return r;
}

// ---------------------------------------------------------- forms in HTML

/**
 * The forms of a page sent with `method` (post or get): [{ action,
 * controls: [{ name, type, value, maxlength, checked, required }] }],
 * disabled and unnamed controls left out.
 */
export function pageForms(html, method = 'post') {
	const out = [];
	for (const f of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
		if ((tagAttr(f[1], 'method') ?? 'get').toLowerCase() !== method)
			continue;
		const controls = [];
		const re = /<(input|select|textarea|button)\b([^>]*)>([\s\S]*?<\/\1>)?/gi;
		for (const m of f[2].matchAll(re)) {
			const el = m[1].toLowerCase();
			const tag = `<${el}${m[2]}>`;
			const name = tagAttr(tag, 'name');
			if (name === undefined || tagFlag(tag, 'disabled'))
				continue;
			const c = { name, element: el, type: el === 'input' ? (tagAttr(tag, 'type') ?? 'text').toLowerCase() : el,
				value: tagAttr(tag, 'value'), checked: tagFlag(tag, 'checked'), required: tagFlag(tag, 'required'),
				maxlength: tagAttr(tag, 'maxlength') !== undefined ? Number(tagAttr(tag, 'maxlength')) : undefined };
			if (el === 'button' && c.type === 'button')
				continue;
			if (el === 'textarea')
				c.value = decodeEntities((m[3] ?? '').replace(/<\/textarea>$/i, ''));
			if (el === 'select') {
				const opts = [...(m[3] ?? '').matchAll(/<option\b([^>]*)>/gi)];
				const sel = opts.find((o) => tagFlag(o[1], 'selected')) ?? opts[0];
				c.value = sel !== undefined ? tagAttr(sel[1], 'value') ?? '' : '';
				c.options = opts.map((o) => tagAttr(o[1], 'value') ?? '');
			}
			controls.push(c);
		}
		out.push({ action: tagAttr(f[1], 'action') ?? '', controls });
	}
	return out;
}

/** What a browser submits, in order: [[name, value], ...] (no submit buttons). */
function submission(form) {
	const pairs = [];
	for (const c of form.controls) {
		if (c.element === 'button' || c.type === 'submit')
			continue;
		if ((c.type === 'checkbox' || c.type === 'radio') && !c.checked)
			continue;
		pairs.push([c.name, c.value ?? (c.type === 'checkbox' ? 'on' : '')]);
	}
	return pairs;
}

/**
 * The value a user would type into an empty required control, so that a
 * base submission gets past validation and its omissions reach the code
 * behind it; undefined to leave the rendered value.
 */
function typical(c) {
	if (!c.required || (c.value ?? '') !== '')
		return undefined;
	switch (c.type) {
	case 'url': return 'https://127.0.0.1:9';
	case 'email': return 'fo@example.com';
	case 'number': return '1';
	case 'password': return 'fo-secret-value';
	case 'select': return c.options.find((o) => o !== '');
	case 'checkbox': case 'radio': case 'hidden': return undefined;
	default: return 'localhost';
	}
}

/** A form's signature: its action and its hidden `action` value, if any. */
function signature(form) {
	const a = form.controls.find((c) => c.name === 'action' && c.type === 'hidden');
	return `${form.action.replace(/[0-9]+/g, 'N')}#${a?.value ?? ''}`;
}

// ----------------------------------------------------------------- routes

/** The POST routes of src/route.c: [{ pattern, re }]. */
function postRoutes() {
	const src = fs.readFileSync(path.join(env('TETHER_SRC'), 'src', 'route.c'), 'utf8');
	const out = [];
	for (const m of src.matchAll(/\{\s*"(\/[^"]*)",\s*([A-Z_| \n\t]+),/g)) {
		if (!/METHOD_POST/.test(m[2]))
			continue;
		const re = new RegExp('^' + m[1].replace(/\{id\}/g, '[1-9][0-9]*')
		    .replace(/\{key\}/g, '[a-z0-9-]+') + '$');
		out.push({ pattern: m[1], re });
	}
	return out;
}

// ------------------------------------------------------------------ world

const world = {};

function insertConn({ team, connector, protocol, apiType = '', context = 'system', nc = null }) {
	return Number(psqlValue(`INSERT INTO connections (owner_team_id, name, connector, auth_protocol,
	    api_type, execution_context, named_credential_id, created_by, updated_by)
	    VALUES (${Number(team.id)}, ${sqlString(uniq('fo'))}, ${sqlString(connector)},
	    ${sqlString(protocol)}, ${sqlString(apiType)}, ${sqlString(context)},
	    ${nc === null ? 'NULL' : Number(nc)}, ${Number(world.admin.id)}, ${Number(world.admin.id)})
	    RETURNING id`));
}

function insertNc(team, protocol = 'bearer') {
	return Number(psqlValue(`INSERT INTO named_credentials (owner_team_id, name, description, url,
	    auth_protocol, settings) VALUES (${Number(team.id)}, ${sqlString(uniq('fo-nc'))}, '',
	    'https://127.0.0.1:9', ${sqlString(protocol)}, '{}') RETURNING id`));
}

/** Sign in through the worker (the session lives in PostgreSQL): a jar. */
async function session(u) {
	const { jar } = await signIn(u.email, u.password);
	return jar;
}

before(async () => {
	await workerUp();
	world.team = makeTeam(uniq('fo-team'));
	world.other = makeTeam(uniq('fo-other'));
	const adminUser = makeUser({ admin: true, name: 'Form Admin' });
	world.admin = { ...adminUser, jar: await session(adminUser) };
	const mgr = makeUser({ name: 'Form Manager', teams: [{ name: world.team.name, role: 'manager' },
		{ name: world.other.name, role: 'manager' }] });
	world.manager = { ...mgr, jar: await session(mgr) };
	world.victim = makeUser({ name: 'Form Victim', teams: [{ name: world.team.name, role: 'member' }] });
	world.nc = insertNc(world.team);
});

// --------------------------------------------------------------- the walk

/**
 * A target: a page (GET) whose POST forms are submitted. who: a jar, or
 * 'anon' (a fresh jar each case); url: a path, or a function giving one
 * (called before every case: destructive forms get a fresh object); only:
 * a predicate on the form (default: every POST form but the layout's sign
 * out); fill: values replacing the rendered ones in the base submission
 * (a function is called each case); complete: empty required controls
 * get a typical value in the base submission.
 */
function cases(form, fill, complete) {
	const typed = new Map(complete ? form.controls.map((c) => [c.name, typical(c)]) : []);
	const base = submission(form).map(([k, v]) => [k, fill[k] !== undefined ?
	    (typeof fill[k] === 'function' ? fill[k]() : fill[k]) : typed.get(k) ?? v]);
	for (const k of Object.keys(fill))
		if (!base.some(([n]) => n === k) && form.controls.some((c) => c.name === k))
			base.push([k, typeof fill[k] === 'function' ? fill[k]() : fill[k]]);
	const names = [...new Set(form.controls.filter((c) => c.element !== 'button' &&
	    c.type !== 'submit').map((c) => c.name))];
	const out = [{ what: 'as rendered', pairs: base }];
	for (const n of names) {
		const without = base.filter(([k]) => k !== n);
		const max = form.controls.find((c) => c.name === n && c.maxlength > 0)?.maxlength;
		out.push({ what: `${n} left out`, pairs: without });
		out.push({ what: `${n} empty`, pairs: [...without, [n, '']] });
		if (max !== undefined)
			out.push({ what: `${n} at maxlength ${max}`, pairs: [...without, [n, 'x'.repeat(max)]] });
		out.push({ what: `${n} of ${LONG} bytes`, pairs: [...without, [n, 'x'.repeat(LONG)]] });
	}
	return out;
}

const failures = [];
const covered = new Set();
const statuses = new Map();	// "route status" -> count, printed at the end
let submitted = 0;
const started = Date.now();

async function jarOf(t) {
	if (t.who === 'anon')
		return new CookieJar();
	if (typeof t.who === 'function')
		return await t.who();
	return t.who;
}

async function walk(t) {
	const only = t.only ?? ((f) => f.action !== '/logout');
	// The forms of the page, read once to know them; each case reads the
	// page again (a fresh CSRF, version and object where the target says).
	const jar0 = await jarOf(t);
	const url0 = typeof t.url === 'function' ? await t.url() : t.url;
	const page0 = await send(jar0, { uri: url0 });
	assert.equal(page0.crashed, undefined, `GET ${url0}: ${page0.crashed}`);
	assert.equal(page0.status, 200, `GET ${url0} (${t.name}): ${pageText(page0.text ?? '').slice(0, 300)}`);
	const method = t.method ?? 'post';
	const forms = pageForms(page0.text, method).filter(only);
	assert.ok(forms.length > 0, `${t.name}: GET ${url0} has a POST form`);
	const seen = new Map();
	const picks = forms.map((f) => {
		const s = signature(f);
		seen.set(s, (seen.get(s) ?? 0) + 1);
		return { sig: s, nth: seen.get(s) - 1 };
	});
	for (let i = 0; i < forms.length; i++) {
		for (const c of cases(forms[i], t.fill ?? {}, t.complete)) {
			if (Date.now() - started > BUDGET_MS)
				throw new Error(`the walk took longer than ${BUDGET_MS} ms (at ${t.name})`);
			const jar = i === 0 && c.what === 'as rendered' && t.who !== 'anon' &&
			    typeof t.who !== 'function' ? jar0 : await jarOf(t);
			const url = typeof t.url === 'function' ? await t.url() : t.url;
			const remoteAddr = `127.0.${1 + (submitted >> 8) % 250}.${1 + submitted % 250}`;
			const page = await send(jar, { uri: url, remoteAddr });
			if (page.crashed !== undefined || page.status !== 200) {
				failures.push(`${t.name}: GET ${url} before "${c.what}": ${page.crashed ?? page.status}`);
				continue;
			}
			const f = pageForms(page.text, method).filter(only)
			    .filter((g) => signature(g) === picks[i].sig)[picks[i].nth];
			if (f === undefined) {
				failures.push(`${t.name}: form ${picks[i].sig} is gone from ${url}`);
				continue;
			}
			// The CSRF token and hidden values of this reading of the page.
			const fresh = new Map(submission(f));
			const pairs = c.pairs.map(([k, v]) => [k, k === 'csrf' && v !== '' &&
			    v.length < 1000 ? fresh.get('csrf') ?? v : k === 'version' &&
			    v === submission(forms[i]).find(([n]) => n === 'version')?.[1] ?
			    fresh.get('version') : v]);
			const body = new URLSearchParams(pairs).toString();
			const r = method === 'post' ?
			    await send(jar, { method: 'POST', uri: f.action, body, remoteAddr }) :
			    await send(jar, { uri: `${f.action}?${body}`, remoteAddr });
			submitted++;
			const route = method === 'post' ? postRoutes().find((x) => x.re.test(f.action)) : undefined;
			if (route !== undefined)
				covered.add(route.pattern);
			const k = `${method === 'post' ? '' : 'GET '}${route?.pattern ?? f.action} ${r.status ?? 'died'}`;
			statuses.set(k, (statuses.get(k) ?? 0) + 1);
			if (r.crashed !== undefined)
				failures.push(`${t.name}: ${method} ${f.action} ${c.what}: worker died: ${r.crashed}`);
			else if (r.status >= 500)
				failures.push(`${t.name}: ${method} ${f.action} ${c.what}: ${r.status} ` +
				    `(${pageText(r.text).slice(0, 120)})`);
		}
	}
}

test('every POST form survives each field left out, empty, at and past its maximum', {
	timeout: BUDGET_MS + 120000,
}, async () => {
	const { admin, manager, team, other, victim } = world;
	const targets = [];

	// Sign-in: a fresh client each case (and a fresh client address, so that
	// the throttle never slows the walk); the victim's real credentials, so
	// that the omissions reach past the password check.
	targets.push({ name: 'sign in', who: 'anon', url: '/login',
		only: (f) => f.action === '/login', fill: { email: victim.email, password: victim.password } });
	// Sign out: a session of its own each case.
	targets.push({ name: 'sign out', who: () => session(victim), url: '/connectors',
		only: (f) => f.action === '/logout' });

	// New connection: every connector, protocol and API type of the catalog.
	const catalog = await send(admin.jar, { uri: '/connectors' });
	const keys = [...new Set([...catalog.text.matchAll(/href="\/connectors\/([a-z0-9-]+)"/g)].map((m) => m[1]))];
	assert.ok(keys.length >= 5, `the catalog lists connectors: ${keys}`);
	const protos = [];
	for (const key of keys) {
		const c = await send(admin.jar, { uri: `/connectors/${key}` });
		for (const m of c.text.matchAll(/href="\/connections\/new\?connector=([a-z0-9-]+)&amp;protocol=([a-z0-9_]+)"/g)) {
			const form = await send(admin.jar, { uri: `/connections/new?connector=${m[1]}&protocol=${m[2]}` });
			const sel = /<select[^>]*name="api_type"[^>]*>([\s\S]*?)<\/select>/.exec(form.text);
			const types = sel === null ? [''] : [...sel[1].matchAll(/<option value="([^"]*)"/g)].map((o) => o[1]);
			const ctx = /<select[^>]*name="context"[^>]*>([\s\S]*?)<\/select>/.exec(form.text);
			const context = ctx !== null && !/value="system"/.test(ctx[1]) ? 'per_user' :
			    /name="context"[^>]*value="per_user"/.test(form.text) ? 'per_user' : 'system';
			const kind = /named_credential/.test(form.text) && /name="named_credential"/.test(form.text)
			    ? 'nc' : '';
			for (const t of types)
				protos.push({ connector: m[1], protocol: m[2], apiType: t, context, kind });
		}
	}
	assert.ok(protos.length >= 10, `the catalog has protocols: ${protos.length}`);
	for (const p of protos) {
		const q = new URLSearchParams({ connector: p.connector, protocol: p.protocol,
			...(p.apiType !== '' ? { api_type: p.apiType } : {}) });
		targets.push({ name: `new ${p.connector}/${p.protocol}/${p.apiType}`, who: admin.jar,
			url: `/connections/new?${q}`, only: (f) => f.action === '/connections', complete: true,
			fill: { name: () => uniq('fo-new'), team: String(team.id) } });
		// Edit of a connection of the same kind.
		const id = insertConn({ team, ...p, nc: p.kind === 'nc' ? world.nc : null });
		targets.push({ name: `edit ${p.connector}/${p.protocol}/${p.apiType}`, who: admin.jar,
			url: `/connections/${id}/edit?confirm=1`, only: (f) => f.action === `/connections/${id}/edit` });
	}
	// As a team manager (the team select is preselected for them).
	targets.push({ name: 'new http/basic as manager', who: manager.jar,
		url: '/connections/new?connector=http&protocol=basic', only: (f) => f.action === '/connections',
		complete: true, fill: { name: () => uniq('fo-new') } });

	// Details: Test and Reconnect (an OAuth connection), History: Test now.
	const oauth = insertConn({ team, connector: 'servicenow', protocol: 'oauth2_code' });
	// Tested once (never connected, it would offer Connect alone).
	psql(`UPDATE connections SET status = 'needs_reconnect' WHERE id = ${oauth}`);
	targets.push({ name: 'details (oauth)', who: admin.jar, url: `/connections/${oauth}` });
	targets.push({ name: 'history', who: admin.jar, url: `/connections/${oauth}/history` });
	// Per user: Connect (OAuth) on Details, and the credentials page.
	const perOauth = insertConn({ team, connector: 'servicenow', protocol: 'oauth2_code', context: 'per_user' });
	targets.push({ name: 'details (per-user oauth)', who: admin.jar, url: `/connections/${perOauth}` });
	const perBasic = insertConn({ team, connector: 'servicenow', protocol: 'basic', context: 'per_user' });
	targets.push({ name: 'credentials (per-user basic)', who: admin.jar,
		url: `/connections/${perBasic}/credentials`, only: (f) => /\/credentials$/.test(f.action) });

	// Delete: a fresh connection each case.
	targets.push({ name: 'delete', who: admin.jar,
		url: () => `/connections/${insertConn({ team, connector: 'http', protocol: 'basic' })}/delete`,
		only: (f) => /\/delete$/.test(f.action) });

	// Revert: a fresh connection at version 2 whose version 1 had another
	// test path, each case.
	targets.push({ name: 'revert', who: admin.jar, url: () => {
		const id = insertConn({ team, connector: 'http', protocol: 'basic' });
		const v = (path) => sqlString(JSON.stringify({ url: 'https://127.0.0.1:9', test_path: path }));
		psql(`UPDATE connections SET version = 2, settings = ${v('/b')} WHERE id = ${id};
		    INSERT INTO connection_versions (connection_id, version, settings)
		    VALUES (${id}, 1, ${v('/a')}), (${id}, 2, ${v('/b')})`);
		return `/connections/${id}/revert?version=1`;
	}, only: (f) => /\/revert$/.test(f.action) });

	// Sharing: share, change permission, revoke, transfer (a share to
	// revoke is put back before each case).
	const shared = insertConn({ team, connector: 'http', protocol: 'basic' });
	const share = () => {
		psql(`INSERT INTO connection_shares (connection_id, team_id, permission)
		    VALUES (${shared}, ${Number(other.id)}, 'use') ON CONFLICT (connection_id, team_id)
		    DO UPDATE SET permission = 'use';
		    UPDATE connections SET owner_team_id = ${Number(team.id)} WHERE id = ${shared}`);
		return `/connections/${shared}/sharing`;
	};
	targets.push({ name: 'sharing (admin)', who: admin.jar, url: share,
		only: (f) => /\/sharing$/.test(f.action) });
	targets.push({ name: 'sharing (manager)', who: manager.jar, url: share,
		only: (f) => /\/sharing$/.test(f.action) });

	// Teams, a team (forms about the victim only: not the manager), users.
	targets.push({ name: 'teams', who: admin.jar, url: '/teams', only: (f) => f.action === '/teams',
		fill: { name: () => uniq('fo-t') } });
	const member = () => {
		psql(`INSERT INTO team_members (team_id, user_id, role) VALUES (${Number(team.id)},
		    ${Number(victim.id)}, 'member') ON CONFLICT (team_id, user_id) DO UPDATE SET role = 'member'`);
		return `/teams/${team.id}`;
	};
	const aboutVictim = (f) => !f.controls.some((c) => c.name === 'email' && c.type === 'hidden' &&
	    c.value !== victim.email);
	targets.push({ name: 'team', who: admin.jar, url: member,
		only: (f) => f.action === `/teams/${team.id}` && aboutVictim(f), fill: { email: victim.email } });
	const victimState = (on) => () => {
		psql(`UPDATE users SET disabled = ${on}, is_admin = ${on} WHERE id = ${Number(victim.id)}`);
		return '/users';
	};
	targets.push({ name: 'users (victim enabled)', who: admin.jar, url: victimState(false),
		only: (f) => f.action === '/users' && aboutVictim(f),
		fill: { email: () => `${uniq('fo-u')}@example.com`, name: 'Form User', password: 'fo-password-long' } });
	targets.push({ name: 'users (victim disabled, admin)', who: admin.jar, url: victimState(true),
		only: (f) => f.action === '/users' && aboutVictim(f) &&
		    f.controls.some((c) => c.name === 'email' && c.type === 'hidden') });

	// Named credentials: the create forms, one credential's edit, delete.
	targets.push({ name: 'named credentials', who: admin.jar, url: '/named-credentials',
		only: (f) => f.action === '/named-credentials', complete: true,
		fill: { name: () => uniq('fo-nc'), team: String(team.id) } });
	targets.push({ name: 'named credentials (manager)', who: manager.jar, url: '/named-credentials',
		only: (f) => f.action === '/named-credentials', complete: true,
		fill: { name: () => uniq('fo-nc') } });
	targets.push({ name: 'named credential', who: admin.jar, url: `/named-credentials/${world.nc}`,
		only: (f) => f.action === `/named-credentials/${world.nc}` && signature(f).endsWith('#save') });
	targets.push({ name: 'named credential delete', who: admin.jar,
		url: () => `/named-credentials/${insertNc(team)}`,
		only: (f) => /^\/named-credentials\/[0-9]+$/.test(f.action) && signature(f).endsWith('#delete') });

	// OAuth clients: the create form, one client's save, sharing and delete
	// (a fresh client each case for delete).
	const insertOc = () => Number(psqlValue(`INSERT INTO oauth_clients (owner_team_id, name,
	    connector, protocol, client_id) VALUES (${Number(team.id)}, ${sqlString(uniq('fo-oc'))},
	    'servicenow', 'oauth2_code', 'fo-client') RETURNING id`));
	targets.push({ name: 'oauth clients', who: admin.jar, url: '/oauth-clients',
		only: (f) => f.action === '/oauth-clients', complete: true,
		fill: { name: () => uniq('fo-oc'), team: String(team.id) } });
	targets.push({ name: 'oauth clients (manager)', who: manager.jar, url: '/oauth-clients',
		only: (f) => f.action === '/oauth-clients', complete: true,
		fill: { name: () => uniq('fo-oc') } });
	const oc = insertOc();
	targets.push({ name: 'oauth client', who: admin.jar, url: `/oauth-clients/${oc}`,
		only: (f) => f.action === `/oauth-clients/${oc}` && !signature(f).endsWith('#delete') });
	targets.push({ name: 'oauth client delete', who: admin.jar, url: () => `/oauth-clients/${insertOc()}`,
		only: (f) => /^\/oauth-clients\/[0-9]+$/.test(f.action) && signature(f).endsWith('#delete') });

	// Replace in flows: a connection a flow uses, and a compatible one
	// (the preview of it carries the confirm form); a fresh pair each case.
	targets.push({ name: 'replace', who: admin.jar, url: () => {
		const from = insertConn({ team, connector: 'http', protocol: 'basic' });
		const to = insertConn({ team, connector: 'http', protocol: 'basic' });
		psql(`WITH f AS (INSERT INTO flows (name, status) VALUES (${sqlString(uniq('fo-flow'))},
		    'active') RETURNING id) INSERT INTO flow_connections (flow_id, connection_id)
		    SELECT id, ${from} FROM f`);
		return `/connections/${from}/replace?to=${to}`;
	}, only: (f) => /\/replace$/.test(f.action) });

	// Disconnect (per user): the admin's own tokens of a per-user OAuth
	// connection (ciphertexts that do not decrypt: nothing is revoked).
	targets.push({ name: 'disconnect (per-user oauth)', who: admin.jar, url: () => {
		const id = insertConn({ team, connector: 'servicenow', protocol: 'oauth2_code', context: 'per_user' });
		psql(`INSERT INTO user_connection_secrets (connection_id, user_id, field, key_version, nonce,
		    ciphertext) VALUES (${id}, ${Number(world.admin.id)}, 'refresh_token',
		    (SELECT max(version) FROM vault_keys), '\\x00', '\\x00')`);
		return `/connections/${id}`;
	}, only: (f) => /\/disconnect$/.test(f.action) });

	// API tokens: a new token, a service account (admins), and revoking a
	// fresh token of the admin's each case.
	targets.push({ name: 'api tokens', who: admin.jar, url: '/api-tokens',
		only: (f) => f.action === '/api-tokens', fill: { name: () => uniq('fo-tok') } });
	targets.push({ name: 'api token revoke', who: admin.jar, url: () => {
		psql(`INSERT INTO api_tokens (user_id, name, token_hash) VALUES (${Number(world.admin.id)},
		    ${sqlString(uniq('fo-tok'))}, decode(md5(random()::text) || md5(random()::text), 'hex'))`);
		return '/api-tokens';
	}, only: (f) => /^\/api-tokens\/[0-9]+$/.test(f.action) });

	// Uplinks: the add form (a closed loopback proxy), one uplink's save and
	// test, and delete (a fresh uplink each case).
	const insertUplink = () => Number(psqlValue(`INSERT INTO uplinks (name, proxy_url, allow)
	    VALUES (${sqlString(uniq('fo-up'))}, 'http://127.0.0.1:9', '127.0.0.0/8') RETURNING id`));
	targets.push({ name: 'uplinks', who: admin.jar, url: '/uplinks',
		only: (f) => f.action === '/uplinks',
		fill: { name: () => uniq('fo-up'), proxy_url: 'http://127.0.0.1:9' } });
	targets.push({ name: 'uplink', who: admin.jar, url: () => `/uplinks/${insertUplink()}`,
		only: (f) => /^\/uplinks\/[0-9]+$/.test(f.action) });

	// Webhooks: the add form (endpoints of the team only, on a closed
	// loopback port), and one endpoint's enable/disable and delete (a fresh
	// one each case; its secret is never read here). Removed afterwards.
	targets.push({ name: 'webhooks', who: admin.jar, url: '/webhooks',
		only: (f) => f.action === '/webhooks',
		fill: { url: () => `https://127.0.0.1:9/${uniq('fo-hook')}`, team: String(team.id) } });
	const hook = () => `/webhooks/${psqlValue(`INSERT INTO webhook_endpoints (url, team_id, key_version,
	    nonce, ciphertext) VALUES ('https://127.0.0.1:9/${uniq('fo-hook')}', ${Number(team.id)}, 1,
	    '\\x00', '\\x00') RETURNING id`)}`;
	targets.push({ name: 'webhook', who: admin.jar, url: hook,
		only: (f) => /^\/webhooks\/[0-9]+$/.test(f.action) });
	cleanups.push(() => psql("DELETE FROM webhook_endpoints WHERE url LIKE 'https://127.0.0.1:9/fo-hook%'"));

	// The GET forms too: the list's filters, the audit filters and the
	// catalog search (New connection's protocol and API type are in its
	// POST form).
	for (const [name, url] of [['list filters', '/'], ['audit filters', '/audit'],
		['catalog search', '/connectors']])
		targets.push({ name, who: admin.jar, url, method: 'get', only: () => true });

	for (const t of targets)
		await walk(t);

	const missing = postRoutes().filter((r) => !covered.has(r.pattern)).map((r) => r.pattern);
	console.log(`# ${targets.length} pages, ${submitted} submissions, ${W.restarts} worker restarts, ` +
	    `${Date.now() - started} ms`);
	console.log(`# ${[...statuses].sort().map(([k, n]) => `${k}: ${n}`).join(', ')}`);
	assert.deepEqual(missing, [], 'every POST route of src/route.c had a form submitted to it');
	assert.ok(submitted > 500, `many submissions: ${submitted}`);
	assert.deepEqual(failures, [], `${failures.length} cases answered 500+ or killed the worker`);
});
