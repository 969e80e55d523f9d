// tests/lib/tether.mjs — a Tether of the tests' own beside the scratch
// stack: tether-fcgi with a copy of TETHER_CONF (the same database, master
// key and templates; outbound.* changed: the test CA as ca_bundle, a short
// timeout, an empty allowlist, a proxy), driven over FastCGI with
// tests/lib/fcgi.mjs, optionally behind a small HTTP front (for a browser),
// and the pages a test needs: the New connection form, Test, Reconnect.
//
//   const t = await startTether({ replace: { 'outbound.ca_bundle': ca }, workers: 4 });
//   const app = t.client(jar);                    // jar from signIn()
//   const c = await app.create({ connector: 'jira', protocol: 'cloud', fields: {...} });
//   c.id, c.flash ({ kind, message }); await app.test(c.id); connRow(c.id) (rows.mjs) ...
//   await t.stop();

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { FcgiClient, fcgiRequest, waitForSocket } from './fcgi.mjs';
import {
	confCopy, confValue, csrfFrom, decodeEntities, env, flashOf, pageText, startProcess, uniq,
} from './stack.mjs';

/**
 * Start tether-fcgi with a configuration copy. workers 0: one foreground
 * worker (-f); N: a master with N workers. front: an HTTP server on
 * 127.0.0.1 forwarding to the socket, whose URL becomes http.base_url.
 */
export async function startTether({ replace = {}, workers = 0, front = false, env: extraEnv = {} } = {}) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-t-'));
	fs.chmodSync(dir, 0o755);
	const sock = path.join(dir, 'fcgi.sock');
	let frontServer = null;
	let frontUrl = null;
	if (front) {
		frontServer = http.createServer((req, res) => forward(sock, req, res));
		await new Promise((resolve) => frontServer.listen(0, '127.0.0.1', resolve));
		frontUrl = `http://127.0.0.1:${frontServer.address().port}`;
	}
	const conf = confCopy(dir, {
		'server.socket': sock,
		'server.pidfile': path.join(dir, 'fcgi.pid'),
		'server.workers': String(workers || 1),
		...(frontUrl ? { 'http.base_url': frontUrl } : {}),
		...replace,
	});
	const bin = path.join(env('TETHER_BIN'), 'tether-fcgi');
	const args = workers > 0 ? ['-c', conf, '-s', sock, '-w', String(workers)]
	    : ['-c', conf, '-f', '-s', sock];
	const p = startProcess(bin, args, { env: { LIBFCGI_OS_CLOSE_POLL_TIMEOUT: '0', ...extraEnv } });
	try {
		await waitForSocket(sock, 20000, () => p.running);
	} catch (e) {
		throw new Error(`${e.message}: ${p.stderr().slice(-2000)}`);
	}
	return {
		dir,
		sock,
		conf,
		proc: p,
		url: frontUrl,
		baseUrl: frontUrl ?? confValue('http.base_url', conf),
		log: () => p.stderr() + p.stdout(),
		client: (jar) => new TetherClient(sock, jar),
		async stop() {
			await p.stop('SIGTERM', 10000);
			if (frontServer) {
				frontServer.closeAllConnections?.();
				await new Promise((resolve) => frontServer.close(() => resolve()));
			}
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}

/**
 * tetherctl -c CONF ...args without blocking this process (the stand-ins
 * it calls live here): { status, stdout, stderr }.
 */
export function tetherctlAsync(args, { conf = env('TETHER_CONF'), timeoutMs = 120000 } = {}) {
	return new Promise((resolve, reject) => {
		const p = spawn(path.join(env('TETHER_BIN'), 'tetherctl'), ['-c', conf, ...args], {
			stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POSIXLY_CORRECT: '1' } });
		let stdout = '';
		let stderr = '';
		p.stdout.on('data', (d) => { stdout += d; });
		p.stderr.on('data', (d) => { stderr += d; });
		const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
		p.on('error', reject);
		p.on('close', (status) => {
			clearTimeout(timer);
			resolve({ status, stdout, stderr });
		});
	});
}

const STATIC_TYPES = { '.css': 'text/css', '.js': 'text/javascript', '.svg': 'image/svg+xml',
	'.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2' };

/** The HTTP front: static/ from the tree, everything else over FastCGI. */
function forward(sock, req, res) {
	const chunks = [];
	req.on('data', (d) => chunks.push(d));
	req.on('end', async () => {
		try {
			const u = new URL(req.url, 'http://x');
			if (u.pathname.startsWith('/static/')) {
				const root = path.join(env('TETHER_SRC'), 'static');
				const f = path.normalize(path.join(root, u.pathname.slice(8)));
				if (!f.startsWith(root + path.sep) || !fs.existsSync(f)) {
					res.writeHead(404);
					return res.end();
				}
				res.writeHead(200, { 'content-type': STATIC_TYPES[path.extname(f)] ?? 'application/octet-stream' });
				return res.end(fs.readFileSync(f));
			}
			const headers = {};
			for (const k of ['host', 'user-agent', 'referer', 'origin', 'accept', 'accept-language',
			    'sec-fetch-site', 'sec-fetch-mode', 'sec-fetch-dest'])
				if (req.headers[k] !== undefined)
					headers[k] = req.headers[k];
			const body = Buffer.concat(chunks);
			const r = await fcgiRequest(sock, {
				method: req.method,
				uri: req.url,
				body,
				...(body.length > 0 ? { contentType: req.headers['content-type'] } : {}),
				...(req.headers.cookie !== undefined ? { cookie: req.headers.cookie } : {}),
				headers,
				timeoutMs: 60000,
			});
			const out = {};
			for (const k of r.headers.keys())
				if (k !== 'status')
					out[k] = r.headers.getAll(k).length > 1 ? r.headers.getAll(k) : r.headers.get(k);
			res.writeHead(r.status, out);
			res.end(r.raw.subarray(r.raw.length - Buffer.byteLength(r.body)));
		} catch (e) {
			res.writeHead(502, { 'content-type': 'text/plain' });
			res.end(String(e));
		}
	});
}

/** The pages of one signed-in user on one Tether (FastCGI socket). */
export class TetherClient {
	constructor(sock, jar) {
		this.fc = new FcgiClient(sock, jar);
		this.jar = jar;
		this.pages = [];	// every page text seen, for the secret-leak checks
	}

	async get(uri) {
		const r = await this.fc.get(uri, { timeoutMs: 60000 });
		this.pages.push(r.text);
		return r;
	}

	async post(uri, form, headers) {
		const r = await this.fc.post(uri, form, { timeoutMs: 60000, ...(headers ? { headers } : {}) });
		this.pages.push(r.text);
		return r;
	}

	/**
	 * Create through the New connection form. fields: { key: value } without
	 * the f. prefix. Resolves to { status, id, flash, res }.
	 */
	async create({ connector, protocol, apiType = '', name = uniq('conn'), team, fields = {},
	    context = 'system', description = '', extra = {} }) {
		const q = `connector=${encodeURIComponent(connector)}&protocol=${encodeURIComponent(protocol)}` +
		    (apiType ? `&api_type=${encodeURIComponent(apiType)}` : '');
		const form = await this.get(`/connections/new?${q}`);
		if (form.status !== 200)
			throw new Error(`GET /connections/new?${q} answered ${form.status}: ${pageText(form.text).slice(0, 300)}`);
		const body = { csrf: csrfFrom(form.text), connector, protocol, api_type: apiType, name,
			description, team: team ?? firstTeam(form.text), context };
		const defaults = formDefaults(form.text);
		// A field given replaces its parts' defaults too (scopes: the ticked
		// checkboxes f.scopes.KEY as well as the text).
		for (const k of Object.keys(defaults))
			if (Object.keys(fields).some((f) => k.startsWith(`${f}.`)))
				delete defaults[k];
		for (const [k, v] of Object.entries({ ...defaults, ...fields }))
			if (v !== null)
				body[`f.${k}`] = v;
		Object.assign(body, extra);	// fields outside the connector's (oauth_client, …)
		const r = await this.post('/connections', body);
		const loc = r.headers.get('location') ?? '';
		const m = /^(?:https?:\/\/[^/]+)?\/connections\/([0-9]+)$/.exec(loc);
		// OAuth authorization code: a 200 page that goes on to the provider
		// (connectUrl) at once, with "Connect later" to the new connection.
		const later = r.status === 200 ? /<meta http-equiv="refresh" content="0; url=([^"]+)">[^]*href="\/connections\/([0-9]+)">Connect later/.exec(r.text) : null;
		if (later !== null)
			return { status: r.status, id: Number(later[2]), connectUrl: decodeEntities(later[1]),
			    flash: null, res: r, name };
		return { status: r.status, id: m ? Number(m[1]) : null, flash: flashOf(r), res: r, name };
	}

	/**
	 * A POST answered with a run's Testing… page (Create, Save with the
	 * form's one-time token): follow it as the browser's meta refresh does,
	 * to where the run ends. Resolves to the POST's answer with the Testing…
	 * page's last headers (Location: Details, the flash) or, when the run came back unsaved,
	 * the form it sent to (422, 409); any other answer is returned as is.
	 */
	async followRun(res) {
		let loc = res.headers.get('location') ?? '';
		if (!/^\/connections\/[0-9]+\/testing\?run=/.test(loc))
			return res;
		for (let i = 0; i < 240; i++) {
			const r = await this.get(loc);
			if (r.status === 200) {
				await new Promise((resolve) => setTimeout(resolve, 250));
				continue;
			}
			const next = r.headers.get('location') ?? '';
			if (/^\/connections\/[0-9]+\/edit\?/.test(next))
				return this.get(next);
			// The POST's 303, with where the run went and its flash.
			return { ...res, headers: r.headers, run: r };
		}
		throw new Error(`no end of the run at ${loc}`);
	}

	/** The session's CSRF token, read from the page at uri (its form's hidden field). */
	async csrf(uri = '/') {
		return csrfFrom((await this.get(uri)).text);
	}

	/** POST /connections/ID/test with the csrf of the details page (and more headers). */
	async test(id, headers) {
		const csrf = await this.csrf(`/connections/${id}`);
		const t0 = Date.now();
		const r = await this.post(`/connections/${id}/test`, { csrf }, headers);
		return { status: r.status, flash: flashOf(r), ms: Date.now() - t0, res: r,
		    location: r.headers.get('location') };
	}

	/** POST /connections/ID/reconnect; the provider URL it sends the browser to. */
	async reconnect(id, headers) {
		const csrf = await this.csrf(`/connections/${id}`);
		const r = await this.post(`/connections/${id}/reconnect`, { csrf }, headers);
		return { status: r.status, location: r.headers.get('location'), flash: flashOf(r), res: r };
	}

	/** GET the provider's redirect (the callback URL) on this Tether. */
	async callback(url) {
		const u = new URL(url);
		const r = await this.get(u.pathname + u.search);
		return { status: r.status, location: r.headers.get('location'), flash: flashOf(r), res: r };
	}
}

/** The values the form starts with, by field key (the form's defaults). */
export function formDefaults(html) {
	const out = {};
	for (const m of html.matchAll(/<input\b[^>]*>/g)) {
		const tag = m[0];
		const name = /\bname="f\.([a-z0-9_][a-z0-9_.-]*)"/.exec(tag);	// f.scopes.KEY: a scope's checkbox
		if (name === null || /type="password"/.test(tag))
			continue;
		if (/type="checkbox"/.test(tag)) {
			if (/\bchecked\b/.test(tag))
				out[name[1]] = '1';
			continue;
		}
		const v = /\bvalue="([^"]*)"/.exec(tag);
		if (v !== null && v[1] !== '')
			out[name[1]] = decodeEntities(v[1]);
	}
	for (const m of html.matchAll(/<select\b[^>]*name="f\.([a-z0-9_]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
		const sel = /<option[^>]*value="([^"]*)"[^>]*\bselected\b/.exec(m[2]);
		if (sel !== null)
			out[m[1]] = decodeEntities(sel[1]);
	}
	return out;
}

function firstTeam(html) {
	const sel = /<select[^>]*name="team"[^>]*>([\s\S]*?)<\/select>/.exec(html);
	const m = sel ? /<option[^>]*value="([0-9]+)"/.exec(sel[1]) : null;
	if (m === null)
		throw new Error('no team to choose in the New connection form');
	return m[1];
}
