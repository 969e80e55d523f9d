// The leak test (docs/ARCHITECTURE.md, "Budgets"): one tether-fcgi worker under valgrind
// (`-f -n N`) takes N requests of every kind straight over FastCGI, then
// exits by itself; valgrind's exit code must be 0 (no definite or indirect
// leak, no memory error). Its log is TETHER_TEST_OUT/valgrind.log.
//
// TETHER_LEAK_REQUESTS overrides N (10000); TETHER_LEAK_MINUTES the bound
// on the whole test (15).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { FcgiClient, waitForSocket } from '../lib/fcgi.mjs';
import { seed } from '../lib/list.mjs';
import {
	CookieJar, csrfFrom, env, makeUser, psql, sqlString, startProcess, uniq, within,
} from '../lib/stack.mjs';

const N = Number(process.env.TETHER_LEAK_REQUESTS ?? 10000);
const MINUTES = Number(process.env.TETHER_LEAK_MINUTES ?? 15);

let proc = null;
let dir = null;
after(async () => {
	if (proc !== null)
		await proc.stop('SIGKILL', 5000);
	if (dir !== null)
		fs.rmSync(dir, { recursive: true, force: true });
});

function valgrindPath() {
	const r = spawnSync('sh', ['-c', 'command -v valgrind'], { encoding: 'utf8' });
	return r.status === 0 ? r.stdout.trim() : null;
}

/** The summary lines of a valgrind log, for the failure message. */
function leakSummary(log) {
	return log.split('\n').filter((l) => /definitely lost|indirectly lost|possibly lost|still reachable|ERROR SUMMARY|Invalid|uninitialised|are definitely|are indirectly/.test(l))
	    .slice(0, 60).join('\n');
}

test(`${N} requests through one worker under valgrind leak nothing`, { timeout: (MINUTES + 2) * 60000 }, async (t) => {
	const valgrind = valgrindPath();
	assert.ok(valgrind, 'valgrind is installed (apt-get install valgrind)');
	const deadline = Date.now() + MINUTES * 60000;
	const out = env('TETHER_TEST_OUT');
	fs.mkdirSync(out, { recursive: true });
	const logPath = path.join(out, 'valgrind.log');
	fs.rmSync(logPath, { force: true });
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-leak-'));
	fs.chmodSync(dir, 0o755);
	const sock = path.join(dir, 'leak.sock');

	// Data of its own: a member of a team with 60 connections (two pages),
	// a throwaway account for wrong passwords, and one already throttled.
	const P = uniq('K');
	seed(P, {
		teams: ['t'],
		connections: Array.from({ length: 60 }, (_, i) => ({
			key: `c${i}`, team: 't', name: `Leak ${i % 2 ? 'alpha' : 'Beta_%'} ${String(i).padStart(3, '0')}`,
			connector: ['jira', 'http', 'smtp'][i % 3], protocol: 'basic',
			status: ['ok', 'failing', 'not_tested', 'needs_reconnect'][i % 4],
			testedAgo: i % 4 === 2 ? null : `${i} hours`, flows: i % 7 === 0 ? 1 : 0,
		})),
	});
	const user = makeUser({ teams: [`${P}-t`] });
	const throwaway = makeUser();
	const throttled = `${uniq('throttled')}@test.local`;
	// 25 failures: the longest delay (login.max_delay_s), renewed every
	// 1000 requests below so that it never runs out during the test.
	const throttle = (n) => psql(`INSERT INTO login_failures (email_key, client_addr)
	    SELECT ${sqlString(throttled)}, '127.0.0.1' FROM generate_series(1, ${n})`);
	throttle(25);
	const teamId = psql(`SELECT id FROM teams WHERE name = ${sqlString(`${P}-t`)}`)[0][0];

	const started = Date.now();
	proc = startProcess(valgrind, [
		'--leak-check=full', '--errors-for-leak-kinds=definite,indirect',
		'--error-exitcode=99', `--log-file=${logPath}`,
		path.join(env('TETHER_BIN'), 'tether-fcgi'), '-c', env('TETHER_CONF'), '-f',
		'-s', sock, '-n', String(N),
	], { env: { LIBFCGI_OS_CLOSE_POLL_TIMEOUT: '0' } });
	await waitForSocket(sock, 120000, () => proc.running);

	let sent = 0;
	const statuses = new Map();
	const jar = new CookieJar();
	const c = new FcgiClient(sock, jar);
	const anon = new FcgiClient(sock, null);
	const send = async (client, what, opts, expect) => {
		if (Date.now() > deadline)
			throw new Error(`over ${MINUTES} minutes after ${sent} requests`);
		const r = await client.request({ timeoutMs: 180000, ...opts });
		sent++;
		statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
		if (expect !== undefined && r.status !== expect)
			throw new Error(`request ${sent} (${what}): ${r.status}, expected ${expect}`);
		return r;
	};

	// Sign in once (argon2 is slow under valgrind).
	const t0 = Date.now();
	const form = await send(c, 'GET /login', { uri: '/login' }, 200);
	const pre = csrfFrom(form.body);
	await send(c, 'POST /login', { method: 'POST', uri: '/login', body: new URLSearchParams(
	    { csrf: pre, email: user.email, password: user.password, next: '/' }).toString() }, 303);
	assert.ok(jar.get('tether_session'), 'signed in through the valgrind worker');
	const home = await send(c, 'GET /', { uri: '/' }, 200);
	const csrf = csrfFrom(home.body);
	// A few wrong passwords for the throwaway account (argon2 again).
	const anonJar = new CookieJar();
	const a = new FcgiClient(sock, anonJar);
	const aForm = await send(a, 'GET /login (anon)', { uri: '/login' }, 200);
	const aPre = csrfFrom(aForm.body);
	for (let i = 0; i < 2; i++) {
		await send(a, 'POST /login wrong password', { method: 'POST', uri: '/login',
		    body: `csrf=${aPre}&email=${encodeURIComponent(throwaway.email)}&password=wrong-${i}&next=%2F` }, 200);
	}
	const signInMs = Date.now() - t0;

	const big = 'x='.padEnd(70000, 'y');
	const mix = [
		[c, 'GET /', { uri: '/' }, 200],
		[c, 'GET /?page=2', { uri: '/?page=2' }, 200],
		[c, 'GET /?q=alpha&sort=-name', { uri: '/?q=alpha&sort=-name' }, 200],
		[c, 'GET /?q=Beta_%25&status=ok', { uri: '/?q=Beta_%25&status=ok' }, 200],
		[c, 'GET /?sort=-tested&page=2', { uri: '/?sort=-tested&page=2' }, 200],
		[c, 'GET /?sort=tested', { uri: '/?sort=tested' }, 200],
		[c, 'GET /?team=', { uri: `/?team=${teamId}&status=failing` }, 200],
		[c, 'GET /?connector=jira', { uri: '/?connector=jira&q=leak' }, 200],
		[c, 'GET /?connector=bogus (flash)', { uri: '/?connector=no-such&status=bogus&page=x' }, 200],
		[c, 'GET /?q=101 chars (flash)', { uri: '/?q=' + 'q'.repeat(101) }, 200],
		[c, 'GET /?page=99', { uri: '/?page=99' }, 200],
		[c, 'HEAD /', { method: 'HEAD', uri: '/' }, 200],
		[c, 'GET /login signed in', { uri: '/login?next=/%3Fq%3Dx' }, 302],
		[anon, 'GET /login', { uri: '/login' }, 200],
		[anon, '404 anonymous', { uri: '/definitely/not/here' }, 404],
		[anon, 'GET / anonymous', { uri: '/' }, 302],
		[c, '404', { uri: '/no/such/page' }, 404],
		[c, '405', { uri: '/logout' }, 405],
		[anon, '405 PUT', { method: 'PUT', uri: '/login', body: 'a=b' }, 405],
		[c, '413', { method: 'POST', uri: '/logout', body: big }, 413],
		[c, '415', { method: 'POST', uri: '/logout', body: 'csrf=x', contentType: 'multipart/form-data; boundary=x' }, 415],
		[c, '400 %C0%AF', { uri: '/?q=%C0%AF' }, 400],
		[c, '400 %00', { uri: '/?q=a%00b' }, 400],
		[c, '400 %zz', { uri: '/?q=%zz' }, 400],
		[anon, '400 path', { uri: '/%ED%A0%80' }, 400],
		[c, '400 undeclared', { uri: '/?q=a&x=1' }, 400],
		[c, '400 repeated', { method: 'POST', uri: '/logout', body: `csrf=${csrf}&csrf=${csrf}` }, 400],
		[c, '403 wrong csrf', { method: 'POST', uri: '/logout', body: 'csrf=' + 'w'.repeat(43) }, 403],
		[a, '403 login csrf', { method: 'POST', uri: '/login', body: 'csrf=nope&email=a%40b.c&password=x&next=%2F' }, 403],
		[a, '429 throttled', { method: 'POST', uri: '/login',
		    body: `csrf=${aPre}&email=${encodeURIComponent(throttled)}&password=x&next=%2F` }, 429],
		[a, 'empty password', { method: 'POST', uri: '/login', body: `csrf=${aPre}&email=a%40b.c&password=&next=%2F` }, 200],
		[anon, 'junk cookies', { uri: '/', cookie: 'tether_session=' + 'A'.repeat(43) + '; a=b; tether_flash=x.y; =; ;;' }, 302],
	];
	const setup = sent;
	const t1 = Date.now();
	for (let i = 0; sent < N; i++) {
		const [client, what, opts, expect] = mix[i % mix.length];
		await send(client, what, opts, expect);
		if (sent % 1000 === 0) {
			throttle(1);
			t.diagnostic(`${sent} requests, ${((Date.now() - started) / 1000).toFixed(0)} s`);
		}
	}
	const loopMs = Date.now() - t1;

	// After the Nth request the worker exits by itself; valgrind then checks.
	const left = Math.max(deadline - Date.now(), 60000);
	const exit = await within(proc.exited, left);
	const totalMs = Date.now() - started;
	t.diagnostic(`sign-in and wrong passwords: ${(signInMs / 1000).toFixed(1)} s; ` +
	    `${N - setup} mixed requests: ${(loopMs / 1000).toFixed(1)} s ` +
	    `(${(loopMs / (N - setup)).toFixed(1)} ms each); whole test ${(totalMs / 1000).toFixed(1)} s`);
	t.diagnostic(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
	assert.notEqual(exit, null, `the worker did not exit after ${N} requests`);
	const log = fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8') : '';
	assert.equal(exit.code, 0, `valgrind exited ${exit.code} (signal ${exit.signal}); ` +
	    `${logPath}:\n${leakSummary(log)}`);
	assert.match(log, /ERROR SUMMARY: 0 errors/, 'valgrind counted no error');
	assert.match(log, /LEAK SUMMARY|All heap blocks were freed/, 'the leak check ran at exit');
	assert.match(log, /tether-fcgi/, 'valgrind ran tether-fcgi');
	proc = null;
});
