// The access log: tether-fcgi writes one line a request to its stderr (the
// stack's TETHER_LOG_DIR/tether-fcgi.log) with method, route, status, ms,
// user and request id, and never a password, a CSRF token or a session
// token (issue 2, §7).

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
