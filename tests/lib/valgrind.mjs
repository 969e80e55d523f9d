// tests/lib/valgrind.mjs — one tether-fcgi worker under valgrind on a
// socket of its own, for a test that drives many requests through it and
// fails on any leak or memory error (tests/integration/replace.test.mjs).
//
//   const w = await valgrindWorker('replace', n);	// n: requests, then it exits
//   await w.client.request({ uri: '/…' });
//   await w.finish();				// asserts a clean exit and log
//   … and in after(): await w?.stop();

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { FcgiClient, waitForSocket } from './fcgi.mjs';
import { env, sleep, startProcess } from './stack.mjs';

/** The lines of a valgrind log worth reading in a failure message. */
function summary(log) {
	return log.split('\n').filter((l) => /lost|ERROR SUMMARY|Invalid|uninitialised|at 0x|by 0x/.test(l))
	    .slice(0, 80).join('\n');
}

/**
 * Start `tether-fcgi -f -n n` under valgrind (log: TETHER_TEST_OUT/valgrind-NAME.log).
 * Resolves to { client (FcgiClient), logPath, finish(), stop() }.
 */
export async function valgrindWorker(name, n) {
	const out = env('TETHER_TEST_OUT');
	fs.mkdirSync(out, { recursive: true });
	const logPath = path.join(out, `valgrind-${name}.log`);
	fs.rmSync(logPath, { force: true });
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tether-${name}-leak-`));
	fs.chmodSync(dir, 0o755);
	const sock = path.join(dir, 'fcgi.sock');
	const proc = startProcess('valgrind', ['--leak-check=full',
		'--errors-for-leak-kinds=definite,indirect', '--error-exitcode=99',
		`--log-file=${logPath}`, path.join(env('TETHER_BIN'), 'tether-fcgi'), '-c',
		env('TETHER_CONF'), '-f', '-s', sock, '-n', String(n)],
	    { env: { LIBFCGI_OS_CLOSE_POLL_TIMEOUT: '0' } });
	await waitForSocket(sock, 120000, () => proc.running);
	await sleep(500);	/* bound is not yet accepting under valgrind */
	return {
		client: new FcgiClient(sock, null),
		logPath,
		/** Wait for the worker to exit after its n requests; assert no error. */
		async finish() {
			let timer;
			const exit = await Promise.race([proc.exited,
			    new Promise((r) => { timer = setTimeout(() => r(null), 120000); })]);
			clearTimeout(timer);
			assert.notEqual(exit, null, `the worker did not exit after ${n} requests`);
			const log = fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8') : '';
			assert.equal(exit.code, 0, `valgrind exited ${exit.code}:\n${summary(log)}`);
			assert.match(log, /ERROR SUMMARY: 0 errors/);
		},
		async stop() {
			await proc.stop('SIGKILL', 5000);
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}
