// Bad requests and the answers to them, through nginx: 404, 405 with Allow,
// 413, 415, 400 for undeclared or repeated fields and bad encodings, and the
// security headers with a request id on every kind of answer.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import { assertErrorPage, assertSecurityHeaders } from '../lib/checks.mjs';
import {
	CookieJar, get, loginForm, makeTeam, makeUser, pageText, post, psqlValue, request,
	sessionCsrf, signIn, sqlString, uniq,
} from '../lib/stack.mjs';

let user;
let jar;		// signed in as user

before(async () => {
	user = makeUser();
	({ jar } = await signIn(user.email, user.password));
});

test('an unknown path is 404, signed in or not', async () => {
	for (const [what, j] of [['anonymous', new CookieJar()], ['signed in', jar]]) {
		for (const path of ['/nope', '/connections/x', '/index.html', '/logout/x', '/%2e%2e/etc/passwd']) {
			const r = await get(path, j);
			if (path === '/%2e%2e/etc/passwd' && r.status === 400)
				continue;	/* refusing a dot-dot path outright is fine too */
			assertErrorPage(r, 404, `${what} GET ${path}`);
			assert.match(pageText(r.text), /Page not found/);
		}
	}
});

test('GET on a POST-only route is 405 with Allow: POST', async () => {
	for (const j of [new CookieJar(), jar]) {
		const r = await get('/logout', j);
		assertErrorPage(r, 405, 'GET /logout');
		assert.equal(r.headers.get('allow'), 'POST');
	}
});

test('other methods are 405 with the methods the route allows', async () => {
	let r = await request('/', { method: 'PUT', body: 'q=a', jar });
	assertErrorPage(r, 405, 'PUT /');
	assert.deepEqual(r.headers.get('allow').split(/,\s*/).sort(), ['GET', 'HEAD']);
	r = await request('/login', { method: 'DELETE', jar: new CookieJar() });
	assertErrorPage(r, 405, 'DELETE /login');
	assert.deepEqual(r.headers.get('allow').split(/,\s*/).sort(), ['GET', 'HEAD', 'POST']);
	r = await request('/', { method: 'POST', body: 'q=a', jar });
	assertErrorPage(r, 405, 'POST /');
	assert.deepEqual(r.headers.get('allow').split(/,\s*/).sort(), ['GET', 'HEAD']);
});

test('HEAD / answers like GET, without a body', async () => {
	const r = await request('/', { method: 'HEAD', jar });
	assert.equal(r.status, 200);
	assert.equal(r.text, '');
	assertSecurityHeaders(r.headers, 'HEAD /');
});

test('a body over http.body_max (65536 bytes) is 413; exactly 65536 is not', async () => {
	const { jar: lj, csrf } = await loginForm();
	const form = (n) => {
		const head = `csrf=${csrf}&email=x%40test.local&next=%2F&password=`;
		return head + 'p'.repeat(n - head.length);
	};
	// (Retried: an oversized body is sometimes a 502; the next test shows it.)
	const big = await retryFor(413, () => post('/login', form(65537), lj.clone()));
	assertErrorPage(big, 413, 'POST /login with 65537 bytes');
	assert.match(pageText(big.text), /larger than this server accepts/);
	const huge = await retryFor(413, () => post('/login', form(600 * 1024), lj.clone()));
	assertErrorPage(huge, 413, 'POST /login with 600 KiB');
	// At the limit, the form is read (the password is just too long).
	const edge = await post('/login', form(65536), lj.clone());
	assert.equal(edge.status, 200, 'exactly body_max bytes is accepted');
	assert.ok(pageText(edge.text).includes('The e-mail address or password is not right.'));
	// Signed in, too: the limit holds before CSRF or the page.
	const csrf2 = await sessionCsrf(jar);
	const r = await retryFor(413, () => post('/logout', `csrf=${csrf2}&` + 'x'.repeat(70000), jar.clone()));
	assertErrorPage(r, 413, 'POST /logout with 70 KB');
	assert.equal((await get('/', jar)).status, 200, 'still signed in');
});

test('an oversized body is 413 every time, never a 502 from nginx', async () => {
	// The app answers 413 without reading the body; if it closes the
	// connection while nginx is still sending the body, nginx logs
	// "Broken pipe while sending request to upstream" and answers 502.
	const csrf = await sessionCsrf(jar);
	const counts = {};
	for (let i = 0; i < 30; i++) {
		const body = i % 2 ? `csrf=${csrf}&` + 'x'.repeat(70000) : 'x'.repeat(300 * 1024);
		const r = await post(i % 3 ? '/logout' : '/login', body, jar.clone());
		counts[r.status] = (counts[r.status] ?? 0) + 1;
	}
	assert.deepEqual(counts, { 413: 30 }, 'statuses of 30 oversized POSTs');
});

test('a multipart body is 415', async () => {
	const { jar: lj, csrf } = await loginForm();
	const fd = new FormData();
	fd.append('csrf', csrf);
	fd.append('email', user.email);
	fd.append('password', user.password);
	const r = await request('/login', { method: 'POST', body: fd, jar: lj });
	assertErrorPage(r, 415, 'multipart POST /login');
	assert.equal(r.setCookies.find((l) => /^tether_session=[^;]/.test(l)), undefined);
	for (const ct of ['text/plain', 'application/json', 'application/x-www-form-urlencodedX']) {
		const t = await request('/login', {
			method: 'POST', jar: lj.clone(), headers: { 'content-type': ct },
			body: `csrf=${csrf}&email=a%40b.c&password=x&next=%2F`,
		});
		assertErrorPage(t, 415, `Content-Type: ${ct}`);
	}
	// The right type with a charset parameter is fine.
	const ok = await request('/login', {
		method: 'POST', jar: lj.clone(),
		headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
		body: new URLSearchParams({ csrf, email: user.email, password: user.password, next: '/' }).toString(),
	});
	assert.equal(ok.status, 303);
});

test('an undeclared field is 400', async () => {
	const { jar: lj, csrf } = await loginForm();
	let r = await post('/login', { csrf, email: user.email, password: user.password, next: '/', admin: '1' }, lj.clone());
	assertErrorPage(r, 400, 'POST /login with admin=1');
	assert.equal(r.setCookies.find((l) => /^tether_session=[^;]/.test(l)), undefined, 'no session');
	r = await get('/?q=a&debug=1', jar);
	assertErrorPage(r, 400, 'GET /?debug=1');
	r = await get('/login?foo=bar', new CookieJar());
	assertErrorPage(r, 400, 'GET /login?foo=bar');
	const csrf2 = await sessionCsrf(jar);
	r = await post('/logout', { csrf: csrf2, next: '/' }, jar.clone());
	assertErrorPage(r, 400, 'POST /logout with next=');
	assert.equal((await get('/', jar)).status, 200, 'still signed in');
});

test('a repeated csrf (or other) field is 400', async () => {
	const { jar: lj, csrf } = await loginForm();
	const body = new URLSearchParams([['csrf', csrf], ['csrf', csrf], ['email', user.email],
	    ['password', user.password], ['next', '/']]).toString();
	let r = await post('/login', body, lj.clone());
	assertErrorPage(r, 400, 'POST /login with csrf twice');
	assert.equal(r.setCookies.find((l) => /^tether_session=[^;]/.test(l)), undefined);
	// One in the query, one in the body is a repeat as well.
	r = await request(`/login?csrf=${csrf}`, { method: 'POST', jar: lj.clone(),
	    body: new URLSearchParams({ csrf, email: user.email, password: user.password, next: '/' }).toString() });
	assertErrorPage(r, 400, 'csrf in the query and the body');
	const csrf2 = await sessionCsrf(jar);
	r = await post('/logout', `csrf=${csrf2}&csrf=${csrf2}`, jar.clone());
	assertErrorPage(r, 400, 'POST /logout with csrf twice');
	r = await get('/?status=ok&status=failing', jar);
	assertErrorPage(r, 400, 'GET / with status twice');
	assert.equal((await get('/', jar)).status, 200, 'still signed in');
});

test('NUL, bad UTF-8 and malformed percent-encoding are 400', async () => {
	const bad = {
		'%00': '%00',
		'%C0%AF (overlong /)': '%C0%AF',
		'%FF': '%FF',
		'%ED%A0%80 (a surrogate)': '%ED%A0%80',
		'%E2%82 (truncated)': '%E2%82',
		'%zz': '%zz',
		'% at the end': 'abc%',
		'%4 (one digit)': '%4',
		'%%': '%%41',
	};
	for (const [what, v] of Object.entries(bad)) {
		let r = await get(`/?q=${v}`, jar);
		assertErrorPage(r, 400, `GET /?q=${what}`);
		r = await get(`/login?next=${v}`, new CookieJar());
		assertErrorPage(r, 400, `GET /login?next=${what}`);
		const { jar: lj, csrf } = await loginForm();
		r = await post('/login', `csrf=${csrf}&email=a%40b.c&next=%2F&password=${v}`, lj);
		assertErrorPage(r, 400, `POST /login password=${what}`);
	}
	// A bad path is refused before anything else. nginx refuses some of
	// them itself, with its own error page, which carries the same headers
	// and a request id too; the app's answer to those is checked without
	// nginx in worker.test.mjs.
	for (const path of ['/%00', '/%C0%AF', '/log%zzin', '/%FF'])
		assertErrorPage(await get(path, jar), 400, `GET ${path}`);
	// Good UTF-8 and '+' are fine.
	const ok = await get('/?q=%C3%A9t%C3%A9+caf%C3%A9', jar);
	assert.equal(ok.status, 200);
	assert.match(ok.text, /value="été café"/);
});

test('security headers on 200, 302, 303, 403, 404, 405, 413 and 415 answers', async () => {
	const answers = [
		['200 GET /login', await get('/login', new CookieJar()), 200],
		['200 GET /', await get('/', jar), 200],
		['302 GET / signed out', await get('/', new CookieJar()), 302],
		['404', await get('/no-such-page', jar), 404],
		['405', await get('/logout', jar), 405],
		['403', await post('/logout', { csrf: 'nope' }, jar.clone()), 403],
		// (Retried: an oversized body is sometimes a 502, see the test above.)
		['413', await retryFor(413, () => post('/logout', 'x'.repeat(65537), jar.clone())), 413],
		['415', await request('/logout', { method: 'POST', jar: jar.clone(),
		    headers: { 'content-type': 'text/plain' }, body: 'csrf=x' }), 415],
	];
	const u = makeUser();
	const s = await loginForm();
	answers.push(['303 sign-in', await post('/login',
	    { csrf: s.csrf, email: u.email, password: u.password, next: '/' }, s.jar), 303]);
	const rids = new Set();
	for (const [what, r, status] of answers) {
		assert.equal(r.status, status, what);
		rids.add(assertSecurityHeaders(r.headers, what));
		if (status >= 400)
			assertErrorPage(r, status, what);
	}
	assert.equal(rids.size, answers.length, 'every answer has a request id of its own');
});

test('the request id is in the page footer of ordinary pages too', async () => {
	const r = await get('/', jar);
	const rid = r.headers.get('x-request-id');
	assert.ok(r.text.includes(`<code>${rid}</code>`));
});

/** Ask up to 5 times until the answer has the status wanted; the last answer. */
async function retryFor(status, fn) {
	let r;
	for (let i = 0; i < 5; i++) {
		r = await fn();
		if (r.status === status)
			break;
	}
	return r;
}

test('a page of several FastCGI records (over 64 KB) arrives whole, and HEAD gets its length alone', async () => {
	// src/http.c writes all but a page's last 7.5 KB in records of its own,
	// up to 64 KB each, and libfcgi the rest: a Related tab of 700 flows
	// spans three of them.
	const P = uniq('big');
	const team = makeTeam(`${P}-team`);
	const who = makeUser({ admin: true });
	const { jar: j } = await signIn(who.email, who.password);
	const id = psqlValue(`WITH c AS (INSERT INTO connections (owner_team_id, name, connector,
	    auth_protocol, status) VALUES (${team.id}, ${sqlString(`${P} conn`)}, 'http', 'none', 'ok')
	    RETURNING id), f AS (INSERT INTO flows (name, status, owner)
	    SELECT format('%s-flow-%s', ${sqlString(P)}, lpad(g::text, 4, '0')), 'active', 'tests'
	    FROM generate_series(1, 700) AS g RETURNING id)
	    INSERT INTO flow_connections (flow_id, connection_id) SELECT f.id, c.id FROM f, c
	    RETURNING connection_id`);
	const r = await get(`/connections/${id}/related`, j);
	assert.equal(r.status, 200);
	const bytes = Buffer.byteLength(r.text);
	assert.ok(bytes > 2 * 65536, `${bytes} bytes: more than two records`);
	assert.equal(Number(r.headers.get('content-length')), bytes);
	assert.ok(r.text.trimEnd().endsWith('</html>'), 'the page ends as it should');
	assert.equal(r.text.indexOf('</html>'), r.text.lastIndexOf('</html>'), 'once');
	let at = 0;
	for (let i = 1; i <= 500; i++) {	// the tab shows the first 500
		const name = `${P}-flow-${String(i).padStart(4, '0')}`;
		const k = r.text.indexOf(name, at);
		assert.ok(k >= at, `${name} in its place`);
		at = k;
	}
	const h = await request(`/connections/${id}/related`, { method: 'HEAD', jar: j });
	assert.equal(h.status, 200);
	assert.equal(h.text, '');
	assert.ok(Number(h.headers.get('content-length')) > 2 * 65536);
});
