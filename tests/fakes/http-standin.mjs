// tests/fakes/http-standin.mjs — small stand-ins for the systems Tether
// tests (Jira, ServiceNow, Salesforce, Celonis, Microsoft Graph, any HTTP
// API), on 127.0.0.1 and an ephemeral port, over HTTP or HTTPS. Every
// request is recorded (method, URL, headers, body) so that tests can assert
// what reached which stand-in, and that no secret reached the wrong one.
//
//   const s = await startStandin({ name: 'jira', tls: leaf, handler });
//   s.url ('https://localhost:PORT'), s.port, s.requests, s.allText(), s.close()
//
// handler(req, res, rec) answers; helpers below build the usual ones.

import http from 'node:http';
import https from 'node:https';

/** Start a stand-in; tls: { cert, key } for HTTPS; host: the name in url. */
export async function startStandin({ name = 'standin', tls = null, handler, host } = {}) {
	const requests = [];
	const sockets = new Set();
	const listener = (req, res) => {
		const chunks = [];
		req.on('data', (d) => chunks.push(d));
		req.on('end', () => {
			const rec = {
				method: req.method,
				url: req.url,
				path: req.url.split('?')[0],
				headers: { ...req.headers },
				rawHeaders: req.rawHeaders.slice(),
				body: Buffer.concat(chunks).toString('latin1'),
				clientCn: req.socket.getPeerCertificate?.()?.subject?.CN,
				at: Date.now(),
			};
			requests.push(rec);
			Promise.resolve()
			    .then(() => (handler ?? notFound)(req, res, rec))
			    .catch((e) => {
				    if (!res.headersSent)
					    res.writeHead(500, { 'content-type': 'text/plain' });
				    res.end(String(e?.stack ?? e));
			    });
		});
	};
	// tls.clientCa: mutual TLS, a client certificate of that CA required at the handshake.
	const server = tls ? https.createServer({ cert: tls.cert, key: tls.key,
		...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}) }, listener)
	    : http.createServer(listener);
	let accepted = 0;
	server.on('connection', (s) => {
		accepted++;
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	// Count TLS handshakes that fail (a client that does not trust us).
	let tlsErrors = 0;
	server.on('tlsClientError', () => { tlsErrors++; });
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	const port = server.address().port;
	const h = host ?? (tls ? 'localhost' : '127.0.0.1');
	return {
		name,
		server,
		port,
		url: `${tls ? 'https' : 'http'}://${h}:${port}`,
		requests,
		/** TCP connections accepted so far (a refused connect leaves no trace here). */
		get accepted() { return accepted; },
		get tlsErrors() { return tlsErrors; },
		/** Everything every request carried, for searching secrets in. */
		allText() {
			return requests.map((r) => `${r.method} ${r.url}\n${r.rawHeaders.join('\n')}\n\n${r.body}`).join('\n');
		},
		async close() {
			for (const s of sockets)
				s.destroy();
			await new Promise((resolve) => server.close(() => resolve()));
		},
	};
}

export function notFound(req, res) {
	json(res, 404, { errorMessages: ['not found'] });
}

export function json(res, status, obj, headers = {}) {
	const body = JSON.stringify(obj);
	res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
	res.end(body);
}

/** The user and password of a Basic Authorization header, or null. */
export function basicCreds(req) {
	const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? '');
	if (m === null)
		return null;
	const s = Buffer.from(m[1], 'base64').toString('utf8');
	const i = s.indexOf(':');
	return i === -1 ? null : { user: s.slice(0, i), password: s.slice(i + 1) };
}

/**
 * A handler that answers one path (method GET unless given) when check(req)
 * is true, 401 when it is false, and 404 elsewhere; ok is the 200 body.
 */
export function guarded(path, check, ok, { method = 'GET', deny = 401 } = {}) {
	return (req, res, rec) => {
		if (rec.path !== path || req.method !== method)
			return notFound(req, res);
		if (!check(req, rec))
			return json(res, deny, { error: 'unauthorized' });
		return json(res, 200, ok);
	};
}

/** A stand-in behaviour per path: { '/p': fn(req, res, rec) }; else 404. */
export function routes(table) {
	return (req, res, rec) => (table[rec.path] ?? notFound)(req, res, rec);
}

export const behaviours = {
	status(code, headers = {}, body = '') {
		return (req, res) => {
			res.writeHead(code, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), ...headers });
			res.end(body);
		};
	},
	/** Never answers (the socket stays open until the client gives up). */
	stall() {
		return () => {};
	},
	redirect(location, code = 302) {
		return (req, res) => {
			res.writeHead(code, { location, 'content-length': 0 });
			res.end();
		};
	},
	/**
	 * 200 with a body of `total` bytes (each chunk starts with marker),
	 * written with backpressure; sent.bytes counts what left, sent.aborted
	 * whether the client closed before the end.
	 */
	huge(total, marker, sent) {
		return (req, res) => {
			res.writeHead(200, { 'content-type': 'application/json', 'content-length': total });
			const chunk = Buffer.alloc(64 * 1024, 'x');
			chunk.write(marker, 0);
			sent.bytes = 0;
			sent.aborted = false;
			res.on('close', () => { sent.aborted = sent.bytes < total; });
			const pump = () => {
				while (sent.bytes < total) {
					const n = Math.min(chunk.length, total - sent.bytes);
					sent.bytes += n;
					if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
						res.once('drain', pump);
						return;
					}
				}
				res.end();
			};
			pump();
		};
	},
};
