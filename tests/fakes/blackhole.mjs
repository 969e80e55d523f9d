// tests/fakes/blackhole.mjs — a loopback port where a TCP connect never
// completes: a listening socket that never accepts (a child node process
// whose event loop sleeps), its small accept queue filled by us, so the
// kernel drops every further SYN. What a firewalled or overloaded host
// looks like to a client, for the connect timeout; on 127.0.0.1 only.
//
//   const bh = await startBlackhole();  bh.port; await bh.close();

import { spawn } from 'node:child_process';
import net from 'node:net';

const CHILD = `
const net = require('node:net');
const s = net.createServer();
s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
	process.stdout.write(String(s.address().port) + '\\n');
	// Never return to the event loop: nothing is ever accepted. Bounded.
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120000);
	process.exit(0);
});
`;

export async function startBlackhole() {
	const child = spawn(process.execPath, ['-e', CHILD], { stdio: ['ignore', 'pipe', 'inherit'] });
	const port = await new Promise((resolve, reject) => {
		let out = '';
		child.stdout.on('data', (d) => {
			out += d;
			if (out.includes('\n'))
				resolve(Number(out.trim()));
		});
		child.on('exit', (code) => reject(new Error(`the blackhole exited (${code})`)));
	});
	// Fill the accept queue: connect until a connect does not complete.
	const fillers = [];
	for (let i = 0; i < 16; i++) {
		const s = net.connect(port, '127.0.0.1');
		s.on('error', () => {});
		fillers.push(s);
		const done = await Promise.race([
			new Promise((resolve) => s.once('connect', () => resolve(true))),
			new Promise((resolve) => setTimeout(() => resolve(false), 300)),
		]);
		if (!done)
			break;
	}
	return {
		port,
		async close() {
			for (const s of fillers)
				s.destroy();
			child.kill('SIGKILL');
			await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve()
			    : child.once('exit', resolve)));
		},
	};
}
