// tests/fakes/proxy.mjs — an HTTP CONNECT proxy on 127.0.0.1 that maps
// public host names to stand-ins on loopback, for the connectors whose
// addresses are fixed (Microsoft Graph: graph.microsoft.com,
// login.microsoftonline.com) or are a bare host name without a port
// (Celonis: https://{domain}/...). Tether reaches it as outbound.proxy;
// the stand-ins present certificates of the test CA for those names. It
// never connects anywhere but the mapped ports on 127.0.0.1: an unmapped
// name gets 502 and is recorded.
//
//   const px = await startProxy({ 'graph.microsoft.com:443': graphStandin.port });
//   px.url, px.connects (['graph.microsoft.com:443', ...]), px.close()

import http from 'node:http';
import net from 'node:net';

export async function startProxy(map) {
	const connects = [];
	const sockets = new Set();
	const server = http.createServer((req, res) => {
		// Plain http:// through a proxy: not used by the tests; refused.
		connects.push(`${req.method} ${req.url}`);
		res.writeHead(502);
		res.end();
	});
	server.on('connection', (s) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	server.on('connect', (req, client, head) => {
		connects.push(req.url);
		const port = map[req.url.toLowerCase()];
		if (port === undefined) {
			client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n');
			return;
		}
		const up = net.connect(port, '127.0.0.1', () => {
			client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
			if (head.length > 0)
				up.write(head);
			up.pipe(client);
			client.pipe(up);
		});
		sockets.add(up);
		up.on('close', () => sockets.delete(up));
		up.on('error', () => client.destroy());
		client.on('error', () => up.destroy());
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${server.address().port}`,
		connects,
		async close() {
			for (const s of sockets)
				s.destroy();
			await new Promise((resolve) => server.close(() => resolve()));
		},
	};
}
