// The access log: tether-fcgi writes one line a request to its stderr (the
// stack's TETHER_LOG_DIR/tether-fcgi.log) with method, route, status, ms,
// user and request id, and never a password, a CSRF token or a session
// token.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';

import {
	fcgiLogPath, get, loginForm, makeUser, post, sessionCsrf, sleep, waitFor,
} from '../lib/stack.mjs';

test('one access line per request, with method, route, status, ms, user, rid; no secrets', async () => {
	const u = makeUser();
	const wrong = `wrong-${u.password}-x`;
	const seen = [];	// [what, response, method, route, status, user]
	const note = (what, r, method, route, status, user) => {
		assert.equal(r.status, status, what);
		seen.push({ what, rid: r.headers.get('x-request-id'), method, route, status, user });
	};

	const { jar, csrf: preCsrf, page } = await loginForm();
	note('GET /login', page, 'GET', '/login', 200, '0');
	note('POST /login wrong', await post('/login',
	    { csrf: preCsrf, email: u.email, password: wrong, next: '/' }, jar), 'POST', '/login', 200, '0');
	note('POST /login', await post('/login',
	    { csrf: preCsrf, email: u.email, password: u.password, next: '/' }, jar), 'POST', '/login', 303, null);
	const token = jar.get('tether_session');
	note('GET /', await get('/?q=abc&status=ok', jar), 'GET', '/', 200, u.id);
	note('GET /nope', await get('/nope', jar), 'GET', '-', 404, null);
	note('GET /logout', await get('/logout', jar), 'GET', '/logout', 405, null);
	note('POST /logout bad csrf', await post('/logout', { csrf: 'z'.repeat(43) }, jar.clone()),
	    'POST', '/logout', 403, u.id);
	const csrf = await sessionCsrf(jar);
	note('POST /logout', await post('/logout', { csrf }, jar), 'POST', '/logout', 303, null);

	const path = fcgiLogPath();
	let text = '';
	await waitFor(() => {
		text = fs.readFileSync(path, 'utf8');
		return seen.every((s) => text.includes(`rid=${s.rid}`));
	}, 5000, `every request id in ${path}`);
	const lines = text.split('\n');
	for (const s of seen) {
		const mine = lines.filter((l) => l.includes(`rid=${s.rid}`) && /\baccess\b/.test(l));
		assert.equal(mine.length, 1, `${s.what}: exactly one access line (got ${mine.length})`);
		const l = mine[0];
		const f = Object.fromEntries([...l.matchAll(/\b(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
		assert.equal(f.method, s.method, `${s.what}: method in ${l}`);
		assert.equal(f.route, s.route, `${s.what}: route in ${l}`);
		assert.equal(f.status, String(s.status), `${s.what}: status in ${l}`);
		assert.match(f.ms ?? '', /^\d+(\.\d+)?$/, `${s.what}: ms in ${l}`);
		assert.ok('user' in f, `${s.what}: user in ${l}`);
		if (s.user !== null)
			assert.equal(f.user, s.user, `${s.what}: user in ${l}`);
		assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /, `${s.what}: a UTC time stamp first`);
	}
	// Query strings and form values stay out of the log.
	for (const [what, secret] of [['password', u.password], ['wrong password', wrong],
	    ['sign-in csrf', preCsrf], ['session csrf', csrf], ['session token', token]]) {
		assert.ok(!text.includes(secret), `the log must not contain the ${what}`);
	}
	const ours = lines.filter((l) => seen.some((s) => l.includes(s.rid)));
	assert.ok(ours.every((l) => !l.includes('q=abc') && !l.includes('status=ok')),
	    'no query strings in access lines');
	assert.ok(!text.includes(`password=`), 'no form field in the log');
	// A small pause keeps later tests' throttling counts apart from ours.
	await sleep(10);
});

test('an answer nobody was left to receive is logged as 499 (client gone), not as sent', async () => {
	const { startWorker } = await import('../lib/worker.mjs');
	const { fcgiRequest } = await import('../lib/fcgi.mjs');
	const { env, psqlValue, signIn, startProcess } = await import('../lib/stack.mjs');
	const cleanups = [];
	try {
		const w = await startWorker(cleanups);
		const admin = makeUser({ admin: true });
		const { jar } = await signIn(admin.email, admin.password);
		// /teams waits on a lock for two seconds; the client gives up after
		// half a second and closes, as nginx does at fastcgi_read_timeout.
		const locker = startProcess(env('TETHER_PSQL'), ['-X', '-q', '-d', env('TETHER_PG_OWNER'), '-c',
		    'BEGIN; LOCK TABLE teams IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(2); COMMIT;']);
		cleanups.push(() => locker.stop('SIGTERM', 5000));
		await sleep(300);
		await assert.rejects(fcgiRequest(w.sock, { uri: '/teams', cookie: jar.header(), timeoutMs: 500 }),
		    /no answer/);
		await locker.exited;
		let line;
		await waitFor(() => (line = w.p.stderr().split('\n').find((l) => / access .*route=\/teams /.test(l))),
		    10000, 'the access line of GET /teams');
		assert.match(line, / status=499 /, line);
		assert.match(line, /note=client gone/, line);
		// The whole line's shape (src/accesslog.c writes it by hand): the
		// wait was about two seconds, to one decimal.
		const shape = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ access rid=[0-9a-f]{16} method=GET route=\/teams status=499 ms=(\d+)\.\d user=\d+ note=client gone \(answer (\d+) not delivered\)$/;
		const m = line.match(shape);
		assert.ok(m, line);
		assert.ok(Number(m[1]) >= 1000 && Number(m[1]) < 10000, line);
		// And one that is received is logged as what it was.
		const ok = await fcgiRequest(w.sock, { uri: '/teams', cookie: jar.header() });
		assert.equal(ok.status, 200);
		await waitFor(() => w.p.stderr().split('\n').filter((l) => / access .*route=\/teams /.test(l)).length === 2,
		    10000, 'the second access line');
		assert.match(w.p.stderr().split('\n').filter((l) => / access .*route=\/teams /.test(l))[1], / status=200 /);
		assert.ok(psqlValue('SELECT 1') === '1');
	} finally {
		for (const c of cleanups.reverse())
			await c();
	}
});
