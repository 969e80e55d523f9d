// nginx in front of the app (Hardening issue, items 7, 10, 15 and 17), for
// both configurations: the stack's own (deploy/nginx-local.conf.in, as
// deploy/lib.sh renders it) and the production one (deploy/nginx-tether.conf,
// rendered here with loopback ports, a throwaway certificate and temp paths;
// every replacement is checked, so a change to the file that the rendering
// no longer fits fails loudly).
//
//  7. the access log records no query string (an OAuth callback's carries
//     its code and state);
// 10. what nginx answers itself (400, 413, 414, 429, 502, 504) carries the
//     app's security headers and a request id, as the app's error pages do;
// 15. under /api/, those answers are JSON of the API's shape
//     ({"error": code, "message": …});
// 17. one address cannot hold more than a bounded number of requests open,
//     POST /login is rate limited per address, and a header that trickles
//     in is cut off after client_header_timeout (10 s).
//
// The test nginx instances are the test's own (own ports, own temp dir),
// stopped by pid; the stack's nginx is only sent ordinary requests.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';

import { assertApiError, assertErrorPage } from '../lib/checks.mjs';
import { baseUrl, confValue, env, sleep, waitFor } from '../lib/stack.mjs';

const isRoot = process.getuid() === 0;
const cleanups = [];
const BIG = 1200 * 1024;	/* above both configurations' client_max_body_size (1m) */

after(async () => {
	for (const fn of cleanups.reverse())
		await fn();
});

function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.on('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

/** text with every `from` replaced; each must be there. */
function replaceAll(text, pairs, what) {
	for (const [from, to] of pairs) {
		assert.ok(text.includes(from), `${what} no longer has ${JSON.stringify(from)}: update the test's rendering`);
		text = text.split(from).join(to);
	}
	return text;
}

function nginxBin() {
	return env('TETHER_NGINX');
}

/**
 * An nginx of the test's own from one of the two configurations, passing to
 * the FastCGI socket sock. Resolves to { base, dir, accessLog(), tls }.
 */
async function startNginx(kind, sock, extra = []) {
	const src = env('TETHER_SRC');
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tether-ngx-${kind}-`));
	fs.chmodSync(dir, 0o755);
	fs.mkdirSync(path.join(dir, 'log'));
	fs.mkdirSync(path.join(dir, 'tmp'));
	const port = await freePort();
	const userLine = isRoot ? 'user www-data;' : '';
	let conf;
	let accessLog;
	if (kind === 'local') {
		conf = replaceAll(fs.readFileSync(path.join(src, 'deploy/nginx-local.conf.in'), 'utf8'), [
			['@USER_LINE@', userLine],
			['@RUN@', dir],
			['@LOG@', path.join(dir, 'log')],
			['@NGINX_DIR@', dir],
			['@STATIC@', path.join(src, 'static')],
			['@SOCKET@', sock],
			['@PORT@', String(port)],
			...extra,
		], 'deploy/nginx-local.conf.in');
		accessLog = path.join(dir, 'log', 'nginx-access.log');
	} else {
		const port80 = await freePort();
		const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt',
		    'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
		    '-addext', 'subjectAltName=IP:127.0.0.1',
		    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')],
		{ encoding: 'utf8' });
		assert.equal(r.status, 0, `openssl: ${r.stderr}`);
		const site = replaceAll(fs.readFileSync(path.join(src, 'deploy/nginx-tether.conf'), 'utf8'), [
			['    listen [::]:80;\n', ''],
			['    listen [::]:443 ssl http2;\n', ''],
			['listen 80;', `listen 127.0.0.1:${port80};`],
			['listen 443 ssl http2;', `listen 127.0.0.1:${port} ssl http2;`],
			['/etc/ssl/tether/fullchain.pem', path.join(dir, 'cert.pem')],
			['/etc/ssl/tether/privkey.pem', path.join(dir, 'key.pem')],
			['unix:/run/tether/tether-fcgi.sock', `unix:${sock}`],
			['/var/log/nginx/', path.join(dir, 'log') + '/'],
			['/usr/local/share/tether/static/', path.join(src, 'static') + '/'],
			['include fastcgi_params;', 'include /etc/nginx/fastcgi_params;'],
			...extra,
		], 'deploy/nginx-tether.conf');
		fs.writeFileSync(path.join(dir, 'site.conf'), site);
		const t = (n) => path.join(dir, 'tmp', n);
		conf = `${userLine}
worker_processes 2;
daemon on;
pid ${dir}/nginx.pid;
error_log ${dir}/log/error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path ${t('body')};
    fastcgi_temp_path ${t('fastcgi')};
    proxy_temp_path ${t('proxy')};
    uwsgi_temp_path ${t('uwsgi')};
    scgi_temp_path ${t('scgi')};
    include ${dir}/site.conf;
}
`;
		accessLog = path.join(dir, 'log', 'tether-access.log');
	}
	const confPath = path.join(dir, 'nginx.conf');
	fs.writeFileSync(confPath, conf);
	const args = ['-p', dir + '/', '-c', confPath, '-e', path.join(dir, 'log', 'error.log')];
	const check = spawnSync(nginxBin(), [...args, '-t', '-q'], { encoding: 'utf8' });
	assert.equal(check.status, 0, `nginx -t (${kind}): ${check.stderr}`);
	const start = spawnSync(nginxBin(), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
	assert.equal(start.status, 0, `nginx (${kind}): ${start.stderr}`);
	const pidFile = path.join(dir, 'nginx.pid');
	const pid = await waitFor(() => {
		try { return Number(fs.readFileSync(pidFile, 'utf8').trim()) || null; } catch { return null; }
	}, 10000, `nginx (${kind}) to write its pid`);
	cleanups.push(async () => {
		try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
		await waitFor(() => !fs.existsSync(`/proc/${pid}`), 15000, `nginx ${pid} to stop`)
		    .catch(() => { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } });
		fs.rmSync(dir, { recursive: true, force: true });
	});
	const isTls = kind === 'production';
	const base = `${isTls ? 'https' : 'http'}://127.0.0.1:${port}`;
	await waitFor(async () => {
		try { await req(base, '/static/app.css'); return true; } catch { return false; }
	}, 10000, `nginx (${kind}) to answer`);
	return { kind, base, port, dir, tls: isTls, accessLog: () => fs.readFileSync(accessLog, 'utf8') };
}

/**
 * One request, no redirects followed, no certificate check (a throwaway
 * one). Resolves to { status, headers (a Headers), text }.
 */
function req(base, p, opts = {}) {
	const u = new URL(base + p);
	const mod = u.protocol === 'https:' ? https : http;
	const body = opts.body === undefined ? undefined
	    : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body);
	const headers = { ...(opts.headers ?? {}) };
	if (body !== undefined)
		headers['content-length'] = String(body.length);
	return new Promise((resolve, reject) => {
		const r = mod.request(u, {
			method: opts.method ?? (body !== undefined ? 'POST' : 'GET'),
			headers, rejectUnauthorized: false, agent: false, timeout: 30000,
		}, (res) => {
			const chunks = [];
			res.on('data', (d) => chunks.push(d));
			res.on('end', () => {
				const h = new Headers();
				for (const [k, v] of Object.entries(res.headers))
					for (const one of Array.isArray(v) ? v : [v])
						h.append(k, one);
				resolve({ status: res.statusCode, headers: h,
				    text: Buffer.concat(chunks).toString('utf8') });
			});
			res.on('error', reject);
		});
		r.on('timeout', () => r.destroy(new Error(`${p}: no answer in 30 s`)));
		r.on('error', reject);
		r.end(body);
	});
}

/** A raw connection to a test nginx (TLS for the production one). */
function rawConnect(ngx) {
	return new Promise((resolve, reject) => {
		const s = ngx.tls
		    ? tls.connect({ host: '127.0.0.1', port: ngx.port, rejectUnauthorized: false,
			ALPNProtocols: ['http/1.1'] }, () => resolve(s))
		    : net.connect({ host: '127.0.0.1', port: ngx.port }, () => resolve(s));
		s.on('error', reject);
	});
}

/**
 * Send text as it is on a new connection; resolves to { status, headers
 * (a Headers), text } of the answer, read until the server closes.
 */
async function rawRequest(ngx, text) {
	const s = await rawConnect(ngx);
	const chunks = [];
	await new Promise((resolve, reject) => {
		const timer = setTimeout(() => { s.destroy(); reject(new Error('no answer in 10 s')); }, 10000);
		s.on('data', (d) => chunks.push(d));
		s.on('close', () => { clearTimeout(timer); resolve(); });
		s.on('error', () => {});
		s.write(text);
	});
	const raw = Buffer.concat(chunks).toString('utf8');
	const sep = raw.indexOf('\r\n\r\n');
	assert.ok(sep > 0, `an HTTP answer: ${JSON.stringify(raw.slice(0, 200))}`);
	const [statusLine, ...lines] = raw.slice(0, sep).split('\r\n');
	const h = new Headers();
	for (const line of lines) {
		const i = line.indexOf(':');
		h.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
	}
	return { status: Number(statusLine.split(' ')[1]), headers: h, text: raw.slice(sep + 4) };
}

const stack = { kind: 'stack', base: baseUrl(), tls: false,
	accessLog: () => fs.readFileSync(path.join(env('TETHER_LOG_DIR'), 'nginx-access.log'), 'utf8') };
const nginxes = {};	/* kind -> the test's own nginx on the stack's socket */
const dead = {};	/* kind -> the test's own nginx on a socket nobody serves */
const silent = {};	/* kind -> the test's own nginx on a socket that never answers */

before(async () => {
	const sock = confValue('server.socket');
	for (const kind of ['local', 'production']) {
		nginxes[kind] = await startNginx(kind, sock);
		dead[kind] = await startNginx(kind, path.join(os.tmpdir(), `tether-nobody-${randomBytes(6).toString('hex')}.sock`));
	}
	// A FastCGI socket that accepts and never answers, and nginx instances
	// that wait 2 s for it instead of 30 s: a 504.
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-silent-'));
	fs.chmodSync(dir, 0o755);
	const silentSock = path.join(dir, 's.sock');
	const held = [];
	const server = net.createServer((c) => { held.push(c); c.on('error', () => {}); });
	await new Promise((resolve) => server.listen(silentSock, resolve));
	fs.chmodSync(silentSock, 0o666);	/* the test's own fake, in its own temp dir */
	cleanups.push(async () => {
		for (const c of held)
			c.destroy();
		await new Promise((resolve) => server.close(resolve));
		fs.rmSync(dir, { recursive: true, force: true });
	});
	for (const kind of ['local', 'production'])
		silent[kind] = await startNginx(kind, silentSock, [['fastcgi_read_timeout 30s;', 'fastcgi_read_timeout 2s;']]);
});

describe('the access log', () => {
	test('records the OAuth callback without its query, in both configurations', async () => {
		for (const ngx of [stack, nginxes.local, nginxes.production]) {
			const state = `state${randomBytes(12).toString('hex')}`;
			const code = `code${randomBytes(12).toString('hex')}`;
			const ua = `tether-test-${randomBytes(6).toString('hex')}`;
			const r = await req(ngx.base, `/oauth/callback?state=${state}&code=${code}`,
			    { headers: { 'user-agent': ua } });
			assert.ok(r.status < 500, `${ngx.kind}: the callback answered ${r.status}`);
			await req(ngx.base, `/login?next=/connections&code=${code}`, { method: 'POST',
			    body: `csrf=x&code=${code}`, headers: { 'user-agent': ua,
				'content-type': 'application/x-www-form-urlencoded' } });
			const log = await waitFor(() => {
				const l = ngx.accessLog();
				return l.split('\n').filter((line) => line.includes(ua)).length >= 2 ? l : null;
			}, 5000, `${ngx.kind}: both requests in the access log`);
			// Each nginx worker buffers its own log lines, so the two may come out in either order.
			const lines = log.split('\n').filter((line) => line.includes(ua));
			assert.ok(lines.some((l) => /"GET \/oauth\/callback HTTP\/1\.1" /.test(l)), `${ngx.kind}: ${lines.join(' | ')}`);
			assert.ok(lines.some((l) => /"POST \/login HTTP\/1\.1" /.test(l)), `${ngx.kind}: ${lines.join(' | ')}`);
			assert.ok(!log.includes(state), `${ngx.kind}: the access log holds the OAuth state`);
			assert.ok(!log.includes(code), `${ngx.kind}: the access log holds the OAuth code`);
		}
		// The app's own access log names routes, never queries.
		const app = fs.readFileSync(path.join(env('TETHER_LOG_DIR'), 'tether-fcgi.log'), 'utf8');
		assert.doesNotMatch(app, /code[0-9a-f]{24}|state[0-9a-f]{24}/, 'tether-fcgi.log holds a query value');
	});
});

describe('what nginx answers itself', () => {
	const big = Buffer.alloc(BIG, 'a');

	test('a body over client_max_body_size is a 413 page with the security headers', async () => {
		for (const ngx of [stack, nginxes.production]) {
			const r = await req(ngx.base, '/login', { body: big,
			    headers: { 'content-type': 'application/x-www-form-urlencoded' } });
			assertErrorPage(r, 413, `${ngx.kind} POST /login ${BIG} bytes`);
			if (ngx.tls)
				assert.match(r.headers.get('strict-transport-security') ?? '', /max-age=\d+/, 'HSTS');
		}
	});

	test('under /api/ the 413 is JSON of the API\'s shape', async () => {
		// The shape, from the app itself.
		const app = await req(stack.base, '/api/v1/connections');
		assert.equal(app.status, 401);
		assert.deepEqual(Object.keys(JSON.parse(app.text)).sort(), ['error', 'message']);
		for (const ngx of [stack, nginxes.production]) {
			const r = await req(ngx.base, '/api/v1/flows', { body: big,
			    headers: { 'content-type': 'application/json' } });
			assertApiError(r, 413, 'payload_too_large', `${ngx.kind} POST /api/v1/flows ${BIG} bytes`);
		}
	});

	test('with the app down, 502 is an HTML page with the headers, and JSON under /api/', async () => {
		for (const ngx of [dead.local, dead.production]) {
			const r = await req(ngx.base, '/login');
			assertErrorPage(r, 502, `${ngx.kind} GET /login, app down`);
			const a = await req(ngx.base, '/api/v1/connections', { headers: { authorization: 'Bearer x' } });
			assertApiError(a, 502, 'bad_gateway', `${ngx.kind} GET /api/v1/connections, app down`);
			const h = await req(ngx.base, '/api/v1/connections', { method: 'HEAD' });
			assert.equal(h.status, 502);
			assert.equal(h.headers.get('content-type'), 'application/json; charset=utf-8');
		}
	});

	test('with the app not answering, 504 is an HTML page with the headers, and JSON under /api/', async () => {
		await Promise.all([silent.local, silent.production].map(async (ngx) => {
			const [r, a] = await Promise.all([req(ngx.base, '/login'),
			    req(ngx.base, '/api/v1/connections', { headers: { authorization: 'Bearer x' } })]);
			assertErrorPage(r, 504, `${ngx.kind} GET /login, app silent`);
			assertApiError(a, 504, 'gateway_timeout', `${ngx.kind} GET /api/v1/connections, app silent`);
		}));
	});

	test('a request nginx refuses before the app sees it (400, 414) has the headers, and JSON under /api/', async () => {
		for (const ngx of [nginxes.local, nginxes.production]) {
			const dup = (p) => `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: 127.0.0.2\r\n` +
			    'Connection: close\r\n\r\n';
			assertErrorPage(await rawRequest(ngx, dup('/login')), 400, `${ngx.kind} two Host headers`);
			assertApiError(await rawRequest(ngx, dup('/api/v1/flows')), 400, 'bad_request',
			    `${ngx.kind} /api/ with two Host headers`);
			const long = `GET /${'a'.repeat(9000)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;
			assertErrorPage(await rawRequest(ngx, long), 414, `${ngx.kind} a 9000-byte URI`);
		}
	});
});

describe('limits per client address', () => {
	for (const [kind, limit] of [['production', 64], ['local', 128]]) {
		test(`${kind}: at most ${limit} requests in progress at once; more are 429`, async () => {
			const ngx = nginxes[kind];
			const EXTRA = 8;
			const held = [];	/* { s, answer } */
			try {
				// Each: a whole header, a body that never comes. The app never
				// sees them (nginx reads a body before passing it on). The
				// first `limit` wait; the EXTRA after them are answered 429.
				for (let i = 0; i < limit + EXTRA; i++) {
					const h = { s: await rawConnect(ngx), answer: null };
					h.s.on('error', () => {});
					h.s.on('data', (d) => { h.answer = (h.answer ?? '') + d.toString('latin1'); });
					h.s.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
					    'Content-Type: application/x-www-form-urlencoded\r\n' +
					    'Content-Length: 100\r\n\r\n');
					held.push(h);
				}
				const answered = () => held.filter((h) => h.answer !== null);
				await waitFor(() => answered().length >= EXTRA, 5000,
				    `${kind}: ${EXTRA} of ${limit + EXTRA} held requests answered`).catch((e) => {
					throw new Error(`${e.message}: ${answered().length} were`);
				});
				await sleep(200);
				assert.equal(answered().length, EXTRA, `${kind}: only the requests over ${limit} are answered`);
				for (const h of answered())
					assert.match(h.answer, /^HTTP\/1\.1 429 /, `${kind}: a held request over the limit`);
				const r = await req(ngx.base, '/login');
				assertErrorPage(r, 429, `${kind} GET /login over the limit`);
				const a = await req(ngx.base, '/api/v1/connections');
				assertApiError(a, 429, 'rate_limited', `${kind} GET /api/v1/connections over the limit`);
				// One fewer waiting: room for one again.
				held.find((h) => h.answer === null).s.destroy();
				const ok = await waitFor(async () => {
					const x = await req(ngx.base, '/login');
					return x.status === 200 ? x : null;
				}, 5000, `${kind}: 200 again under the limit`);
				assert.equal(ok.status, 200);
			} finally {
				for (const h of held)
					h.s.destroy();
			}
		});
	}

	for (const [kind, burst] of [['production', 10], ['local', 100]]) {
		test(`${kind}: POST /login is rate limited per address (burst ${burst}); GET /login is not`, async (t) => {
			const ngx = nginxes[kind];
			const statuses = [];
			for (let i = 0; i < burst + 20 && !statuses.includes(429); i++) {
				const r = await req(ngx.base, '/login', { body: 'email=a%40b.c&password=x&csrf=x',
				    headers: { 'content-type': 'application/x-www-form-urlencoded' } });
				statuses.push(r.status);
				if (r.status === 429)
					assertErrorPage(r, 429, `${kind} POST /login over the rate`);
			}
			const first = statuses.indexOf(429);
			t.diagnostic(`${kind}: first 429 at POST ${first + 1}`);
			assert.ok(first !== -1, `${kind}: no 429 in ${statuses.length} POSTs: ${statuses.join(' ')}`);
			assert.ok(first >= burst, `${kind}: the first ${burst} pass: ${statuses.join(' ')}`);
			assert.equal((await req(ngx.base, '/login')).status, 200, `${kind}: GET /login`);
		});
	}

	test('a trickling header and a stalled body are cut off after 10 s (client_header_timeout, client_body_timeout)', async (t) => {
		// Each for at most 25 s: the header a line a second; the body never.
		async function hold(ngx, what) {
			const s = await rawConnect(ngx);
			const t0 = Date.now();
			let closed = null;
			s.on('error', () => {});
			s.on('close', () => { closed = Date.now(); });
			if (what === 'header')
				s.write('GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n');
			else
				s.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
				    'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n');
			for (let i = 0; i < 25 && closed === null; i++) {
				await sleep(1000);
				if (closed === null && what === 'header')
					s.write(`X-Trickle-${i}: y\r\n`);
			}
			s.destroy();
			return { what: `${ngx.kind} ${what}`, secs: closed === null ? null : (closed - t0) / 1000 };
		}
		const cut = await Promise.all([nginxes.production, nginxes.local]
		    .flatMap((ngx) => [hold(ngx, 'header'), hold(ngx, 'body')]));
		t.diagnostic(`cut after: ${cut.map((c) => `${c.what} ${c.secs} s`).join(', ')}`);
		for (const { what, secs } of cut) {
			assert.notEqual(secs, null, `${what}: still open after 25 s`);
			assert.ok(secs >= 8 && secs <= 14, `${what}: cut after ${secs} s`);
		}
	});
});
