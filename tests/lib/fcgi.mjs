// tests/lib/fcgi.mjs — a minimal FastCGI client (responder role, one
// request a connection, no keep-conn), so that tests can drive one
// tether-fcgi worker directly over its unix socket, without nginx.
//
//   const r = await fcgiRequest(sock, { method: 'GET', uri: '/login?x=1' });
//   r.status, r.headers (Map: lower-case name -> [values]), r.body, r.stderr
//
// Records (FastCGI 1.0): BEGIN_REQUEST, PARAMS..., empty PARAMS, STDIN...,
// empty STDIN; the app answers STDOUT... (CGI-style headers with "Status:",
// a blank line, the body), maybe STDERR, then END_REQUEST.

import fs from 'node:fs';
import net from 'node:net';

const VERSION = 1;
const BEGIN_REQUEST = 1;
const END_REQUEST = 3;
const PARAMS = 4;
const STDIN = 5;
const STDOUT = 6;
const STDERR = 7;
const RESPONDER = 1;
const MAX_CONTENT = 65535;

function record(type, id, content = Buffer.alloc(0)) {
	const out = [];
	let off = 0;
	do {
		const len = Math.min(MAX_CONTENT, content.length - off);
		const pad = (8 - (len % 8)) % 8;
		const h = Buffer.alloc(8);
		h[0] = VERSION;
		h[1] = type;
		h.writeUInt16BE(id, 2);
		h.writeUInt16BE(len, 4);
		h[6] = pad;
		out.push(h, content.subarray(off, off + len), Buffer.alloc(pad));
		off += len;
	} while (off < content.length);
	return Buffer.concat(out);
}

function nvLength(n) {
	if (n < 128)
		return Buffer.from([n]);
	const b = Buffer.alloc(4);
	b.writeUInt32BE((n | 0x80000000) >>> 0);
	return b;
}

function encodeParams(params) {
	const parts = [];
	for (const [k, v] of Object.entries(params)) {
		if (v === undefined || v === null)
			continue;
		const kb = Buffer.from(String(k), 'latin1');
		const vb = Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8');
		parts.push(nvLength(kb.length), nvLength(vb.length), kb, vb);
	}
	return Buffer.concat(parts);
}

/** Response headers with fetch's get() (values joined by ", ") and getAll(). */
export class ResponseHeaders {
	constructor(map) {
		this.map = map;
	}

	get(name) {
		const v = this.map.get(name.toLowerCase());
		return v === undefined ? null : v.join(', ');
	}

	getAll(name) {
		return this.map.get(name.toLowerCase()) ?? [];
	}

	getSetCookie() {
		return this.getAll('set-cookie');
	}

	has(name) {
		return this.map.has(name.toLowerCase());
	}

	keys() {
		return this.map.keys();
	}
}

/** Split CGI-style output into { status, headers, body }. */
export function parseCgiResponse(buf) {
	let sep = buf.indexOf('\r\n\r\n');
	let seplen = 4;
	if (sep === -1) {
		sep = buf.indexOf('\n\n');
		seplen = 2;
	}
	if (sep === -1)
		throw new Error('FastCGI response without a blank line after the headers: ' +
		    JSON.stringify(buf.subarray(0, 300).toString('latin1')));
	const head = buf.subarray(0, sep).toString('latin1');
	const body = buf.subarray(sep + seplen);
	const headers = new Map();
	let status = 200;
	for (const line of head.split(/\r?\n/)) {
		const i = line.indexOf(':');
		if (i <= 0)
			throw new Error(`bad response header line: ${JSON.stringify(line)}`);
		const name = line.slice(0, i).trim().toLowerCase();
		const value = line.slice(i + 1).trim();
		if (name === 'status')
			status = parseInt(value, 10);
		if (!headers.has(name))
			headers.set(name, []);
		headers.get(name).push(value);
	}
	return { status, headers, body };
}

/**
 * One request. opts: method ('GET'), uri ('/' with an optional ?query),
 * body (string or Buffer), contentType (form-urlencoded when there is a
 * body), cookie (a Cookie header value), remoteAddr ('127.0.0.1'),
 * headers ({ 'User-Agent': … } -> HTTP_USER_AGENT), params (more CGI
 * variables, which override), timeoutMs (30000).
 * Resolves to { status, headers (ResponseHeaders), body and text (the same
 * string), raw (Buffer), stderr, appStatus }.
 */
export function fcgiRequest(socketPath, opts = {}) {
	const method = opts.method ?? 'GET';
	const uri = opts.uri ?? '/';
	const q = uri.indexOf('?');
	const body = opts.body === undefined ? Buffer.alloc(0)
	    : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body, 'utf8');
	const params = {
		GATEWAY_INTERFACE: 'CGI/1.1',
		SERVER_SOFTWARE: 'tether-test',
		SERVER_PROTOCOL: 'HTTP/1.1',
		SERVER_NAME: '127.0.0.1',
		SERVER_ADDR: '127.0.0.1',
		SERVER_PORT: '80',
		REMOTE_ADDR: opts.remoteAddr ?? '127.0.0.1',
		REMOTE_PORT: '40000',
		REQUEST_METHOD: method,
		REQUEST_URI: uri,
		DOCUMENT_URI: q === -1 ? uri : uri.slice(0, q),
		SCRIPT_NAME: q === -1 ? uri : uri.slice(0, q),
		QUERY_STRING: q === -1 ? '' : uri.slice(q + 1),
		HTTP_HOST: '127.0.0.1',
	};
	if (body.length > 0 || opts.contentLength !== undefined) {
		params.CONTENT_LENGTH = String(opts.contentLength ?? body.length);
		params.CONTENT_TYPE = opts.contentType ?? 'application/x-www-form-urlencoded';
	} else if (opts.contentType !== undefined)
		params.CONTENT_TYPE = opts.contentType;
	if (opts.cookie !== undefined)
		params.HTTP_COOKIE = opts.cookie;
	for (const [k, v] of Object.entries(opts.headers ?? {}))
		params['HTTP_' + k.toUpperCase().replace(/-/g, '_')] = v;
	Object.assign(params, opts.params ?? {});

	const id = 1;
	const begin = Buffer.alloc(8);
	begin.writeUInt16BE(RESPONDER, 0);
	begin[2] = 0;			/* no FCGI_KEEP_CONN: the app closes */
	const out = Buffer.concat([
		record(BEGIN_REQUEST, id, begin),
		record(PARAMS, id, encodeParams(params)),
		record(PARAMS, id),
		...(body.length > 0 ? [record(STDIN, id, body)] : []),
		record(STDIN, id),
	]);

	return new Promise((resolve, reject) => {
		const sock = net.createConnection(socketPath);
		const stdout = [];
		const stderr = [];
		let pending = Buffer.alloc(0);
		let ended = null;
		let settled = false;
		const timer = setTimeout(() => {
			finish(new Error(`FastCGI ${method} ${uri}: no answer in ${opts.timeoutMs ?? 30000} ms`));
		}, opts.timeoutMs ?? 30000);

		function finish(err) {
			if (settled)
				return;
			settled = true;
			clearTimeout(timer);
			sock.destroy();
			if (err)
				return reject(err);
			if (ended === null)
				return reject(new Error(`FastCGI ${method} ${uri}: connection closed ` +
				    `without END_REQUEST (${Buffer.concat(stdout).length} bytes of stdout)`));
			try {
				const raw = Buffer.concat(stdout);
				const p = parseCgiResponse(raw);
				const text = p.body.toString('utf8');
				resolve({
					status: p.status,
					headers: new ResponseHeaders(p.headers),
					body: text,
					text,
					raw,
					stderr: Buffer.concat(stderr).toString('utf8'),
					appStatus: ended,
				});
			} catch (e) {
				reject(e);
			}
		}

		sock.on('connect', () => sock.write(out));
		sock.on('data', (d) => {
			pending = Buffer.concat([pending, d]);
			while (pending.length >= 8) {
				const type = pending[1];
				const len = pending.readUInt16BE(4);
				const pad = pending[6];
				if (pending.length < 8 + len + pad)
					break;
				const content = pending.subarray(8, 8 + len);
				pending = pending.subarray(8 + len + pad);
				if (type === STDOUT)
					stdout.push(Buffer.from(content));
				else if (type === STDERR)
					stderr.push(Buffer.from(content));
				else if (type === END_REQUEST) {
					ended = content.readUInt32BE(0);
					finish(null);
					return;
				}
			}
		});
		sock.on('error', (e) => finish(e));
		sock.on('close', () => finish(null));
	});
}

/**
 * A client bound to one socket with a cookie jar of Set-Cookie lines, for
 * the tests that drive a worker directly: get(uri), post(uri, form).
 */
export class FcgiClient {
	constructor(socketPath, jar) {
		this.socketPath = socketPath;
		this.jar = jar;
	}

	async request(opts) {
		const cookie = this.jar?.header();
		const r = await fcgiRequest(this.socketPath, {
			...(cookie !== undefined ? { cookie } : {}),
			...opts,
		});
		this.jar?.update(r.headers.getSetCookie());
		return r;
	}

	get(uri, opts = {}) {
		return this.request({ ...opts, method: opts.method ?? 'GET', uri });
	}

	post(uri, form, opts = {}) {
		const body = typeof form === 'string' || Buffer.isBuffer(form) ? form
		    : new URLSearchParams(form).toString();
		return this.request({ ...opts, method: 'POST', uri, body });
	}
}

/**
 * Wait until socketPath exists as a socket (bound and listening: libfcgi
 * binds and listens in one call, so connections queue from then on; no
 * probe connection, which a single worker would take for a request).
 */
export async function waitForSocket(socketPath, ms = 20000, isAlive = () => true) {
	const end = Date.now() + ms;
	for (;;) {
		try {
			if (fs.statSync(socketPath).isSocket())
				return;
		} catch { /* not yet */ }
		if (!isAlive())
			throw new Error(`the process that should serve ${socketPath} exited`);
		if (Date.now() > end)
			throw new Error(`no socket ${socketPath} after ${ms} ms`);
		await new Promise((r) => setTimeout(r, 100));
	}
}
