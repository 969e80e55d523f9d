// tests/fakes/smtp.mjs — SMTP peers from the npm registry (nodemailer's
// smtp-server) on 127.0.0.1: one offering STARTTLS with a certificate of
// the test CA, one that does not offer it (hideSTARTTLS), and one speaking
// implicit TLS (port 465 style). Records every command the client sent and
// every AUTH attempt, and accepts one user and password. With accept: true
// it takes mail too (tether-worker's notifications), kept in s.messages.
//
//   const s = await startSmtp({ tls: leaf, user, password, starttls: true });
//   s.messages ([{ from, to: [...], data, secure, user }]) with accept: true
//   s.port, s.auths ([{ method, username, password, secure }]), s.commands,
//   s.wire() (raw client bytes per connection), s.close()

import net from 'node:net';

import { SMTPServer } from 'smtp-server';

export async function startSmtp({ tls, user, password, starttls = true, implicit = false,
    accept = false } = {}) {
	const auths = [];
	const messages = [];
	const commands = [];
	const sessions = [];
	const server = new SMTPServer({
		secure: implicit,
		key: tls.key,
		cert: tls.cert,
		hideSTARTTLS: !starttls,
		authMethods: ['PLAIN', 'LOGIN'],
		// AUTH is only offered (and accepted) over TLS unless told otherwise;
		// a server without STARTTLS still offers it, as a careless one would.
		allowInsecureAuth: !starttls,
		// Every command the client sent, by name (smtp-server logs each one,
		// with credentials redacted, at debug level).
		logger: {
			debug(entry) {
				if (entry && entry.tnx === 'command')
					commands.push(entry.command);
			},
			trace() {}, info() {}, warn() {}, error() {}, fatal() {},
		},
		disableReverseLookup: true,
		banner: 'tether test peer',
		onConnect(session, cb) {
			sessions.push({ id: session.id, secure: session.secure });
			cb();
		},
		onAuth(auth, session, cb) {
			auths.push({ method: auth.method, username: auth.username, password: auth.password,
				secure: session.secure });
			if (auth.username === user && auth.password === password)
				return cb(null, { user: auth.username });
			return cb(new Error('Invalid username or password'));
		},
		onMailFrom(address, session, cb) {
			commands.push(`MAIL FROM:${address.address}`);
			cb(accept ? null : new Error('tests send no mail'));
		},
		onData(stream, session, cb) {
			const chunks = [];
			stream.on('data', (d) => chunks.push(d));
			stream.on('end', () => {
				messages.push({ from: session.envelope.mailFrom.address,
					to: session.envelope.rcptTo.map((r) => r.address),
					data: Buffer.concat(chunks).toString('utf8'), secure: session.secure,
					user: session.user });
				cb();
			});
		},
	});
	server.on('error', () => {});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	// A tee in front: every byte the client sent, as it was on the wire
	// (plaintext until TLS starts), and whether the client closed politely.
	const raw = [];
	const socks = new Set();
	const tee = net.createServer((client) => {
		const conn = { bytes: [], closedAt: null };
		raw.push(conn);
		const up = net.connect(server.server.address().port, '127.0.0.1');
		socks.add(client);
		socks.add(up);
		client.on('data', (d) => conn.bytes.push(Buffer.from(d)));
		client.pipe(up);
		up.pipe(client);
		client.on('close', () => { conn.closedAt = Date.now(); up.destroy(); socks.delete(client); });
		up.on('close', () => { client.destroy(); socks.delete(up); });
		client.on('error', () => up.destroy());
		up.on('error', () => client.destroy());
	});
	await new Promise((resolve) => tee.listen(0, '127.0.0.1', resolve));
	return {
		port: tee.address().port,
		/** What clients sent on the wire, one latin1 string a connection. */
		wire: () => raw.map((c) => Buffer.concat(c.bytes).toString('latin1')),
		auths,
		commands,
		messages,
		sessions,
		async close() {
			for (const s of socks)
				s.destroy();
			await new Promise((resolve) => tee.close(() => resolve()));
			await new Promise((resolve) => server.close(() => resolve()));
		},
	};
}
