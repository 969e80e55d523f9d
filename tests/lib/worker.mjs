// tests/lib/worker.mjs — one tether-fcgi worker of a test's own: `-f` (no
// master) on a socket in a temp dir, with a copy of the stack's
// configuration (some keys replaced), so that every request of the test
// meets the same process. Sessions live in PostgreSQL, so a jar signed in
// through nginx works here too.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { waitForSocket } from './fcgi.mjs';
import { confCopy, env, startProcess } from './stack.mjs';

/**
 * Start the worker; the caller's cleanups array gets its stop (by pid) and
 * the removal of its dir. Resolves to { p, sock, dir } once it listens.
 */
export async function startWorker(cleanups, replace = {}, extraArgs = []) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-w-'));
	fs.chmodSync(dir, 0o755);
	const conf = confCopy(dir, replace);
	const sock = path.join(dir, 'w.sock');
	const p = startProcess(path.join(env('TETHER_BIN'), 'tether-fcgi'),
	    ['-c', conf, '-f', '-s', sock, ...extraArgs],
	    { env: { LIBFCGI_OS_CLOSE_POLL_TIMEOUT: '0' } });
	cleanups.push(async () => {
		await p.stop('SIGTERM', 10000);
		fs.rmSync(dir, { recursive: true, force: true });
	});
	await waitForSocket(sock, 20000, () => p.running);
	return { p, sock, dir };
}
