// The sign-in form's token is one the server issued and can verify (a MAC
// under a key derived from the master key, bound to its time and client),
// so a cookie an attacker tosses in with a matching form field signs nobody
// in (login CSRF); behind HTTPS its cookie is __Host-.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { fcgiRequest } from '../lib/fcgi.mjs';
import { CookieJar, csrfFrom, get, loginForm, makeUser, post } from '../lib/stack.mjs';
import { startWorker } from '../lib/worker.mjs';

const cleanups = [];
after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

const sessionCookie = (r) => r.setCookies.find((l) => /^(__Host-)?tether_session=[^;]/.test(l));

test('a pre-session cookie the attacker chose, with the same csrf, signs nobody in', async () => {
	const u = makeUser();
	// A well-shaped token the server never issued (43 base64url characters, as
	// today's are), and one of the new shape with a wrong MAC.
	for (const forged of ['A'.repeat(43), 'A'.repeat(54), 'x'.repeat(32)]) {
		const jar = new CookieJar();
		jar.set('tether_pre', forged);
		const r = await post('/login', { csrf: forged, email: u.email, password: u.password, next: '/' }, jar);
		assert.equal(r.status, 403, `a forged pre-session token ${forged.length} long: ${r.status}`);
		assert.equal(sessionCookie(r), undefined, 'no session');
	}
});

test("a token issued to one client does not work from another address", async () => {
	const w = await startWorker(cleanups);
	const u = makeUser();
	const form = await fcgiRequest(w.sock, { uri: '/login', remoteAddr: '192.0.2.7' });
	assert.equal(form.status, 200);
	const set = form.headers.getAll('set-cookie').find((l) => /^tether_pre=/.test(l));
	assert.ok(set, 'the form sets the pre-session cookie');
	const token = /^tether_pre=([^;]*)/.exec(set)[1];
	const body = new URLSearchParams({ csrf: token, email: u.email, password: u.password, next: '/' }).toString();
	const elsewhere = await fcgiRequest(w.sock, { method: 'POST', uri: '/login', body,
	    cookie: `tether_pre=${token}`, remoteAddr: '198.51.100.9' });
	assert.equal(elsewhere.status, 403, 'from another address');
	const same = await fcgiRequest(w.sock, { method: 'POST', uri: '/login', body,
	    cookie: `tether_pre=${token}`, remoteAddr: '192.0.2.7' });
	assert.equal(same.status, 303, 'from the address it was issued to');
});

test('the real form still signs in, and its token is reused while valid', async () => {
	const u = makeUser();
	const { jar, csrf } = await loginForm();
	const again = await get('/login', jar);
	assert.ok(again.text.includes(csrf), 'the same token on a second look at the form');
	const r = await post('/login', { csrf, email: u.email, password: u.password, next: '/' }, jar);
	assert.equal(r.status, 303);
	assert.ok(sessionCookie(r), 'signed in');
});

test('with secure cookies the pre-session cookie is __Host-, Secure, and the plain name is ignored', async () => {
	const w = await startWorker(cleanups, { 'http.secure_cookies': '1' });
	const u = makeUser();
	const form = await fcgiRequest(w.sock, { uri: '/login', params: { HTTPS: 'on' } });
	const set = form.headers.getAll('set-cookie').find((l) => /tether_pre=/.test(l));
	assert.match(set, /^__Host-tether_pre=[^;]+;/, set);
	assert.match(set, /;\s*Secure/i);
	assert.match(set, /;\s*Path=\//);
	assert.doesNotMatch(set, /Domain=/i);
	const token = /^__Host-tether_pre=([^;]*)/.exec(set)[1];
	const body = new URLSearchParams({ csrf: token, email: u.email, password: u.password, next: '/' }).toString();
	const plain = await fcgiRequest(w.sock, { method: 'POST', uri: '/login', body,
	    cookie: `tether_pre=${token}`, params: { HTTPS: 'on' } });
	assert.equal(plain.status, 403, 'a plain tether_pre cookie (which a sibling host could set) is not read');
	const ok = await fcgiRequest(w.sock, { method: 'POST', uri: '/login', body,
	    cookie: `__Host-tether_pre=${token}`, params: { HTTPS: 'on' } });
	assert.equal(ok.status, 303);
	// Every cookie the app sets behind HTTPS is __Host- (the session, the
	// cleared pre-session cookie, the flash message after a change).
	const session = ok.headers.getAll('set-cookie').find((l) => /^__Host-tether_session=[^;]/.test(l));
	assert.ok(session, 'a __Host- session cookie');
	const cookie = session.split(';')[0];
	const teams = await fcgiRequest(w.sock, { uri: '/connectors', cookie, params: { HTTPS: 'on' } });
	const csrf = csrfFrom(teams.text);
	const out = await fcgiRequest(w.sock, { method: 'POST', uri: '/logout', cookie,
	    body: `csrf=${csrf}`, params: { HTTPS: 'on' } });
	assert.equal(out.status, 303);
	const names = [...ok.headers.getAll('set-cookie'), ...out.headers.getAll('set-cookie')]
	    .map((l) => l.split('=')[0]);
	assert.ok(names.length >= 3, `cookies set: ${names}`);
	for (const n of names)
		assert.match(n, /^__Host-/, `every cookie behind HTTPS is __Host-: ${names}`);
});
