// tests/lib/stack.mjs — what the node tests share: the scratch stack's
// environment (set by tests/run-all.sh, or var/dev/env.sh from
// tests/lib/dev-stack.sh), HTTP with a cookie jar, sign-in through the real
// form, the CSRF token and flash message of an answer, tetherctl and psql,
// unique throwaway users and names, and a signed-in manager of a team of
// its own.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

// ------------------------------------------------------------ environment

const ENV_HELP = {
	TETHER_URL: 'base URL of the stack, e.g. http://127.0.0.1:18080',
	TETHER_ADMIN_EMAIL: 'the admin account the stack was made with',
	TETHER_ADMIN_PASSWORD: 'its password',
	TETHER_SRC: 'the repository root',
	TETHER_BIN: 'the folder with tether-fcgi and tetherctl',
	TETHER_CONF: "the stack's configuration file (HDF)",
	TETHER_VAR: "the stack's scratch folder",
	TETHER_PG_OWNER: 'libpq conninfo for tether_owner',
	TETHER_PG_APP: 'libpq conninfo for tether_app',
	TETHER_PSQL: 'the psql binary',
	TETHER_NGINX: 'the nginx binary',
	TETHER_LOG_DIR: "the folder with tether-fcgi's and nginx's logs",
	TETHER_TEST_OUT: 'the folder for screenshots and other test output',
};

/** The value of a TETHER_* variable; throws with what it should hold. */
export function env(name) {
	const v = process.env[name];
	if (v === undefined || v === '') {
		throw new Error(`${name} is not set (${ENV_HELP[name] ?? 'see tests/run-all.sh'}): ` +
		    'run the tests with `deploy/tether test`, or `tests/lib/dev-stack.sh up` ' +
		    'and `. var/dev/env.sh` first');
	}
	return v;
}

/** The stack's base URL without a trailing slash. */
export function baseUrl() {
	return env('TETHER_URL').replace(/\/+$/, '');
}

export function admin() {
	return { email: env('TETHER_ADMIN_EMAIL'), password: env('TETHER_ADMIN_PASSWORD') };
}

/** A short unique word for names of users, teams and connections. */
export function uniq(prefix = 't') {
	return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The value of promise, or null when it takes longer than ms. The timer is
 * cleared either way, so that nothing keeps the test process alive.
 */
export async function within(promise, ms) {
	let timer;
	const t = new Promise((resolve) => { timer = setTimeout(() => resolve(null), ms); });
	try {
		return await Promise.race([promise, t]);
	} finally {
		clearTimeout(timer);
	}
}

// ----------------------------------------------------------------- cookies

/** The cookies of one client; a Max-Age=0 or empty cookie removes itself. */
export class CookieJar {
	constructor() {
		this.cookies = new Map();
	}

	/** Take the Set-Cookie lines of a response (a fetch Response or a list). */
	update(setCookies) {
		const lines = Array.isArray(setCookies) ? setCookies : setCookies.headers.getSetCookie();
		for (const line of lines) {
			const c = parseSetCookie(line);
			if (c.value === '' || c.attrs['max-age'] === '0')
				this.cookies.delete(c.name);
			else
				this.cookies.set(c.name, c.value);
		}
		return this;
	}

	get(name) {
		return this.cookies.get(name);
	}

	set(name, value) {
		this.cookies.set(name, value);
		return this;
	}

	delete(name) {
		this.cookies.delete(name);
		return this;
	}

	clone() {
		const j = new CookieJar();
		for (const [k, v] of this.cookies)
			j.cookies.set(k, v);
		return j;
	}

	/** The Cookie request header, or undefined when empty. */
	header() {
		if (this.cookies.size === 0)
			return undefined;
		return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
	}
}

/** { name, value, attrs } with attribute names lower-cased ("httponly": true). */
export function parseSetCookie(line) {
	const parts = line.split(';').map((s) => s.trim());
	const eq = parts[0].indexOf('=');
	const attrs = {};
	for (const p of parts.slice(1)) {
		if (p === '')
			continue;
		const i = p.indexOf('=');
		if (i === -1)
			attrs[p.toLowerCase()] = true;
		else
			attrs[p.slice(0, i).toLowerCase()] = p.slice(i + 1);
	}
	return { name: parts[0].slice(0, eq), value: parts[0].slice(eq + 1), attrs };
}

// -------------------------------------------------------------------- HTTP

/**
 * One request to the stack, never following redirects. path is relative to
 * TETHER_URL. opts: method, jar (sent, and updated from the response),
 * body (string, Buffer or URLSearchParams/object: form-encoded), headers,
 * timeoutMs. Resolves to { status, headers, text, res, setCookies }.
 */
export async function request(path, opts = {}) {
	const headers = { ...(opts.headers ?? {}) };
	let body = opts.body;
	if (body !== undefined && body !== null && typeof body === 'object' &&
	    !(body instanceof URLSearchParams) && !Buffer.isBuffer(body) &&
	    !(body instanceof Uint8Array) && !(body instanceof FormData))
		body = new URLSearchParams(body);
	if (body instanceof URLSearchParams) {
		body = body.toString();
		headers['content-type'] ??= 'application/x-www-form-urlencoded';
	} else if (typeof body === 'string' && headers['content-type'] === undefined)
		headers['content-type'] = 'application/x-www-form-urlencoded';
	const cookie = opts.jar?.header();
	if (cookie !== undefined && headers.cookie === undefined)
		headers.cookie = cookie;
	const res = await fetch(baseUrl() + path, {
		method: opts.method ?? (body !== undefined ? 'POST' : 'GET'),
		headers,
		body,
		redirect: 'manual',
		signal: AbortSignal.timeout(opts.timeoutMs ?? 30000),
	});
	const text = await res.text();
	const setCookies = res.headers.getSetCookie();
	opts.jar?.update(setCookies);
	return { status: res.status, headers: res.headers, text, res, setCookies };
}

export function get(path, jar, opts = {}) {
	return request(path, { ...opts, jar, method: opts.method ?? 'GET' });
}

/** POST a form (an object, URLSearchParams, or an already encoded string). */
export function post(path, form, jar, opts = {}) {
	return request(path, { ...opts, jar, method: 'POST', body: form });
}

/** The value of the hidden csrf field of a page (the first one). */
export function csrfFrom(html) {
	const m = /<input\b[^>]*\bname="csrf"[^>]*>/.exec(html);
	if (m === null)
		throw new Error('no csrf field in the page:\n' + html.slice(0, 2000));
	const v = /\bvalue="([^"]*)"/.exec(m[0]);
	if (v === null)
		throw new Error('the csrf field has no value: ' + m[0]);
	return decodeEntities(v[1]);
}

/** The flash message a response sets: { kind, message } or null. */
export function flashOf(res) {
	const lines = typeof res.headers.getSetCookie === 'function' ? res.headers.getSetCookie() : [];
	for (const line of lines) {
		const m = /^tether_flash=([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+/.exec(line);
		if (m !== null) {
			const plain = Buffer.from(m[1], 'base64url').toString('utf8');
			const i = plain.indexOf('\n');
			return { kind: plain.slice(0, i), message: plain.slice(i + 1) };
		}
	}
	return null;
}

export function decodeEntities(s) {
	return s.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos|#39);/gi, (all, e) => {
		const l = e.toLowerCase();
		if (l === 'amp') return '&';
		if (l === 'lt') return '<';
		if (l === 'gt') return '>';
		if (l === 'quot') return '"';
		if (l === 'apos' || l === '#39') return "'";
		if (l.startsWith('#x')) return String.fromCodePoint(parseInt(l.slice(2), 16));
		return String.fromCodePoint(parseInt(l.slice(1), 10));
	});
}

/** The value of attribute name in an HTML start tag (entities decoded), or undefined. */
export function tagAttr(tag, name) {
	const m = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
	return m === null ? undefined : decodeEntities(m[1]);
}

/** Whether an HTML start tag carries the attribute name (a boolean one: disabled, checked…). */
export function tagFlag(tag, name) {
	return new RegExp(`\\s${name}(?=[\\s>=/]|$)`, 'i').test(tag);
}

/** Text of the page with tags removed and whitespace collapsed. */
export function pageText(html) {
	return decodeEntities(html.replace(/<script[\s\S]*?<\/script>/gi, ' ')
	    .replace(/<style[\s\S]*?<\/style>/gi, ' ').replace(/<[^>]*>/g, ' '))
	    .replace(/\s+/g, ' ').trim();
}

/** GET /login with a fresh jar: { jar (holding tether_pre), csrf, page }. */
export async function loginForm(jar = new CookieJar()) {
	const page = await get('/login', jar);
	if (page.status !== 200)
		throw new Error(`GET /login answered ${page.status}`);
	return { jar, csrf: csrfFrom(page.text), page };
}

/**
 * Sign in through the form. Resolves to { jar, res } when the answer is a
 * redirect with a session cookie; otherwise throws with the answer (use
 * trySignIn to look at a failing attempt).
 */
export async function signIn(email, password, extra = {}) {
	const r = await trySignIn(email, password, extra);
	if (r.res.status !== 303 || r.jar.get('tether_session') === undefined) {
		throw new Error(`sign-in of ${email} answered ${r.res.status}` +
		    ` (${pageText(r.res.text).slice(0, 300)})`);
	}
	return r;
}

/** One sign-in attempt: GET /login, POST the form; { jar, res, csrf }. */
export async function trySignIn(email, password, extra = {}) {
	const { jar, csrf } = await loginForm();
	const res = await post('/login', { csrf, email, password, next: '/', ...extra }, jar);
	return { jar, res, csrf };
}

/** The session's CSRF token, read from the signed-in page at path. */
export async function sessionCsrf(jar, path = '/') {
	const r = await get(path, jar);
	if (r.status !== 200)
		throw new Error(`GET ${path} answered ${r.status}`);
	return csrfFrom(r.text);
}

// -------------------------------------------------------- tetherctl, psql

function run(cmd, args, { stdin, env: extraEnv, timeoutMs = 60000 } = {}) {
	for (let attempt = 0; ; attempt++) {
		const r = spawnSync(cmd, args, {
			input: stdin ?? '',
			encoding: 'utf8',
			timeout: timeoutMs,
			maxBuffer: 256 * 1024 * 1024,	// a query over a long run's audit log
			env: { ...process.env, ...(extraEnv ?? {}) },
		});
		// A binary being relinked by a `make` in the same tree (while
		// developing) is missing or busy for a moment: wait and try again.
		if (r.error && ['ENOENT', 'EACCES', 'ETXTBSY'].includes(r.error.code) && attempt < 20) {
			Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
			continue;
		}
		if (r.error)
			throw new Error(`${cmd}: ${r.error.message}`);
		return r;
	}
}

/**
 * tetherctl -c TETHER_CONF ...args; the last argument may be { stdin }.
 * Resolves to stdout; throws with stderr on a non-zero exit, unless
 * { check: false }, which returns { status, stdout, stderr }.
 */
export function tetherctl(...args) {
	let opts = {};
	if (args.length > 0 && typeof args[args.length - 1] === 'object')
		opts = args.pop();
	const bin = path.join(env('TETHER_BIN'), 'tetherctl');
	const r = run(bin, ['-c', env('TETHER_CONF'), ...args], opts);
	if (opts.check === false)
		return { status: r.status, stdout: r.stdout, stderr: r.stderr };
	if (r.status !== 0) {
		throw new Error(`tetherctl ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
	}
	return r.stdout;
}

/**
 * Run SQL as tether_owner (ON_ERROR_STOP, one transaction unless
 * { single: false }). Resolves to the rows: arrays of field strings
 * (unaligned, tab-separated, NULL as '\N'). psql variables: { vars: {k: v} }
 * and :'k' in the SQL.
 */
export function psql(sql, opts = {}) {
	const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-tA', '-F', '\t', '-P', 'null=\\N'];
	if (opts.single !== false)
		args.push('-1');
	for (const [k, v] of Object.entries(opts.vars ?? {}))
		args.push('-v', `${k}=${v}`);
	args.push('-d', opts.conninfo ?? env('TETHER_PG_OWNER'), '-f', '-');
	const r = run(env('TETHER_PSQL'), args, { stdin: sql, timeoutMs: opts.timeoutMs ?? 120000 });
	if (r.status !== 0)
		throw new Error(`psql exited ${r.status}: ${r.stderr.trim()}\nSQL: ${sql.slice(0, 500)}`);
	return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/** A single value from SQL. */
export function psqlValue(sql, opts) {
	const rows = psql(sql, opts);
	return rows.length > 0 ? rows[0][0] : undefined;
}

/** Quote a string as an SQL literal. */
export function sqlString(s) {
	return "'" + String(s).replace(/'/g, "''") + "'";
}

// ---------------------------------------------------------- users, teams

/** A team with a unique name made with tetherctl; { id, name }. */
export function makeTeam(name = uniq('team')) {
	tetherctl('team', 'add', name);
	const id = psqlValue(`SELECT id FROM teams WHERE lower(name) = lower(${sqlString(name)})`);
	if (id === undefined)
		throw new Error(`tetherctl team add ${name} made no team`);
	return { id, name };
}

/**
 * A user of its own for one test, so that tests share no account (sign-in
 * throttling counts per account and client address). opts: admin, teams
 * (names of existing teams, or { name, role }), name, password.
 * Resolves to { email, password, id }.
 */
export function makeUser(opts = {}) {
	const email = `${uniq('u')}@test.local`;
	const password = opts.password ?? randomBytes(12).toString('base64url');
	const args = ['user', 'add', email];
	if (opts.admin)
		args.push('--admin');
	if (opts.name !== undefined)
		args.push('--name', opts.name);
	args.push('--password-stdin');
	tetherctl(...args, { stdin: password + '\n' });
	for (const t of opts.teams ?? []) {
		const { name, role = 'member' } = typeof t === 'string' ? { name: t } : t;
		tetherctl('team', 'member', name, email, role);
	}
	const id = psqlValue(`SELECT id FROM users WHERE lower(email) = lower(${sqlString(email)})`);
	if (id === undefined)
		throw new Error(`tetherctl user add ${email} made no user`);
	return { email, password, id };
}

/**
 * A user who manages a team of their own (a fresh one per call, so that the
 * 20-tests-a-minute limit and name uniqueness never cross between tests),
 * signed in. opts.admin makes the user a global admin too.
 * Resolves to { user, team, jar }.
 */
export async function managerSession(opts = {}) {
	const team = makeTeam();
	const user = makeUser({ admin: !!opts.admin, name: opts.name,
	    teams: [{ name: team.name, role: 'manager' }, ...(opts.teams ?? [])] });
	const { jar } = await signIn(user.email, user.password);
	return { user, team, jar };
}

// ------------------------------------------------------------- processes

/** The first line of the file with the tether-fcgi log, for the access-log test. */
export function fcgiLogPath() {
	return path.join(env('TETHER_LOG_DIR'), 'tether-fcgi.log');
}

/** A copy of the stack's configuration with some keys replaced; its path. */
export function confCopy(dir, replace = {}) {
	let text = fs.readFileSync(env('TETHER_CONF'), 'utf8');
	for (const [key, value] of Object.entries(replace)) {
		const re = new RegExp(`^\\s*${key.replace(/\./g, '\\.')}\\s*=.*$`, 'm');
		if (re.test(text))
			text = text.replace(re, `${key} = ${value}`);
		else
			text += `\n${key} = ${value}\n`;
	}
	const p = path.join(dir, 'tether.conf');
	fs.writeFileSync(p, text, { mode: 0o644 });
	return p;
}

/**
 * Start a process; resolves the handle. The returned object has
 * exited (a promise of { code, signal }), stderr() (what it printed so far)
 * and stop(signal, ms) which signals it by pid and waits, then SIGKILLs.
 */
export function startProcess(cmd, args, opts = {}) {
	const child = spawn(cmd, args, {
		stdio: ['ignore', 'pipe', 'pipe'],
		env: { ...process.env, ...(opts.env ?? {}) },
	});
	let out = '';
	let err = '';
	child.stdout.on('data', (d) => { out += d; });
	child.stderr.on('data', (d) => { err += d; });
	const exited = new Promise((resolve) => {
		child.on('exit', (code, signal) => resolve({ code, signal }));
		child.on('error', (e) => resolve({ code: null, signal: null, error: e }));
	});
	let done = false;
	exited.then(() => { done = true; });
	return {
		child,
		pid: child.pid,
		exited,
		get running() { return !done; },
		stdout: () => out,
		stderr: () => err,
		async stop(signal = 'SIGTERM', ms = 10000) {
			if (done)
				return exited;
			try { process.kill(child.pid, signal); } catch { /* gone */ }
			const t = await within(exited, ms);
			if (t !== null)
				return t;
			try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
			return exited;
		},
	};
}

/**
 * A key of a configuration file (HDF "key = value" lines; the stack's own
 * unless file is given), or undefined when the file does not set it.
 */
export function confValue(key, file = env('TETHER_CONF')) {
	const text = fs.readFileSync(file, 'utf8');
	const m = new RegExp(`^\\s*${key.replace(/\./g, '\\.')}\\s*=\\s*(.*?)\\s*$`, 'm').exec(text);
	return m === null ? undefined : m[1];
}

/** Pids (numbers) of the processes whose parent is pid, from /proc. */
export function childrenOf(pid) {
	const out = [];
	for (const d of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(d))
			continue;
		try {
			const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
			if (stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] === String(pid))
				out.push(Number(d));
		} catch { /* gone */ }
	}
	return out;
}

/** Pids (as text) of the stack's tether-fcgi workers (children of the master). */
export function workerPids() {
	return childrenOf(fs.readFileSync(confValue('server.pidfile'), 'utf8').trim()).map(String);
}

/**
 * CPU time (user + system, ms) the stack's workers have used so far: a
 * measure of what a request costs that the machine's load does not blur.
 */
export function workerCpuMs(pids = workerPids()) {
	let ticks = 0;
	for (const p of pids) {
		try {
			const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
			const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			ticks += Number(f[11]) + Number(f[12]);	/* utime, stime */
		} catch { /* gone */ }
	}
	return ticks * 10;	/* USER_HZ is 100 on Linux */
}

/** Wait until fn() is truthy, polling; throws after ms. */
export async function waitFor(fn, ms, what) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v)
			return v;
		if (Date.now() > end)
			throw new Error(`timed out after ${ms} ms waiting for ${what}`);
		await sleep(100);
	}
}

/** Headers every response must carry; assert on a Headers-like. */
export const SECURITY_HEADERS = [
	'content-security-policy',
	'x-content-type-options',
	'x-frame-options',
	'referrer-policy',
	'cache-control',
	'x-request-id',
];
