// Sign-in, sign-out, the session cookie, CSRF on the two POST routes, and
// throttling of repeated failures. Every test makes its own
// users: the throttle counts failures per (account, client address).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
	CookieJar, admin, csrfFrom, get, loginForm, pageText, parseSetCookie, post,
	psqlValue, sessionCsrf, signIn, sleep, sqlString, trySignIn, makeUser, uniq, workerCpuMs,
	workerPids,
} from '../lib/stack.mjs';

const BAD = 'The e-mail address or password is not right.';

function sessionCookieLine(res) {
	return res.setCookies.find((l) => /^tether_session=[^;]/.test(l));
}

test('sign-in lands on / with the Integrations list', async () => {
	const u = makeUser();
	const { jar, csrf } = await loginForm();
	const res = await post('/login', { csrf, email: u.email, password: u.password, next: '/' }, jar);
	assert.equal(res.status, 303, 'a successful sign-in is 303 See Other');
	assert.equal(res.headers.get('location'), '/');
	assert.ok(jar.get('tether_session'), 'a session cookie is set');
	assert.equal(jar.get('tether_pre'), undefined, 'the pre-session cookie is cleared');

	const page = await get('/', jar);
	assert.equal(page.status, 200);
	assert.match(page.text, /<h1>Integrations<\/h1>/);
	assert.match(page.text, /id="connections-title"[^>]*>Connections</);
	assert.ok(page.text.includes(u.email), 'the page names the signed-in user');
	assert.match(page.text, /<form[^>]*action="\/logout"/, 'a sign-out form');
	assert.match(page.headers.get('content-type'), /^text\/html; charset=utf-8$/i);
});

test('sign-in with the admin account of the stack works', async () => {
	const a = admin();
	const { jar, res } = await signIn(a.email, a.password);
	assert.equal(res.status, 303);
	const page = await get('/', jar);
	assert.equal(page.status, 200);
	assert.ok(page.text.includes(a.email));
});

test('the e-mail address is case-insensitive at sign-in', async () => {
	const u = makeUser();
	const { res } = await trySignIn(u.email.toUpperCase(), u.password);
	assert.equal(res.status, 303);
});

test('sign-in honours a local next= and refuses an absolute one', async () => {
	const u = makeUser();
	let r = await trySignIn(u.email, u.password, { next: '/?status=ok' });
	assert.equal(r.res.status, 303);
	assert.equal(r.res.headers.get('location'), '/?status=ok');
	for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
		r = await trySignIn(u.email, u.password, { next });
		assert.equal(r.res.status, 303, `next=${next}`);
		assert.equal(r.res.headers.get('location'), '/', `next=${next} must not be followed`);
	}
});

test('wrong password and unknown e-mail get the same answer, and no session', async () => {
	const u = makeUser();
	const unknown = `${uniq('nobody')}@test.local`;
	const a = await trySignIn(u.email, 'not-the-password');
	const b = await trySignIn(unknown, 'not-the-password');
	for (const [what, r] of [['wrong password', a], ['unknown e-mail', b]]) {
		assert.equal(r.res.status, 200, `${what}: the form again, 200`);
		assert.ok(pageText(r.res.text).includes(BAD), `${what}: says "${BAD}"`);
		assert.equal(r.jar.get('tether_session'), undefined, `${what}: no session cookie`);
		assert.equal(sessionCookieLine(r.res), undefined, `${what}: no Set-Cookie tether_session`);
		assert.match(r.res.text, /role="alert"/, `${what}: the error is announced`);
	}
	// The same page, but for the address typed, the request id and the token.
	const norm = (html, email) => html.split(email).join('EMAIL')
	    .replace(/<code>[0-9a-f]+<\/code>/g, '<code>RID</code>')
	    .replace(/name="csrf" value="[^"]*"/g, 'name="csrf" value="CSRF"');
	assert.equal(norm(a.res.text, u.email), norm(b.res.text, unknown));
	const aHeaders = [...a.res.headers.keys()].filter((k) => k !== 'date').sort();
	const bHeaders = [...b.res.headers.keys()].filter((k) => k !== 'date').sort();
	assert.deepEqual(aHeaders, bHeaders, 'the same header names');
	// The address typed comes back in the form, escaped.
	assert.ok(a.res.text.includes(`value="${u.email}"`));
});

test('an unknown e-mail costs the server as much as a wrong password', async () => {
	// CPU time of the workers, not wall time: the machine may be busy with
	// other things, and what gives an account away is the work done.
	const u = makeUser();
	const pids = workerPids();
	assert.ok(pids.length > 0, 'the stack has tether-fcgi workers');
	const cost = async (emails) => {
		const forms = [];
		for (let i = 0; i < emails.length; i++)
			forms.push(await loginForm());
		const before = workerCpuMs(pids);
		for (const [i, email] of emails.entries()) {
			const { jar, csrf } = forms[i];
			const r = await post('/login', { csrf, email, password: `wrong-password-${i}`, next: '/' }, jar);
			assert.equal(r.status, 200);
		}
		return workerCpuMs(pids) - before;
	};
	// Five of each (the known account's five failures stay under the
	// throttle: each attempt is checked against the failures before it).
	const known = await cost(Array(5).fill(u.email));
	const unknown = await cost(Array.from({ length: 5 }, () => `${uniq('ghost')}@test.local`));
	assert.ok(known >= 100, `five password checks take some CPU (${known} ms)`);
	const ratio = unknown / known;
	assert.ok(ratio > 0.67 && ratio < 1.5,
	    `5 unknown e-mails cost ${unknown} ms of CPU, 5 wrong passwords ${known} ms: ` +
	    'an unknown account must cost one password hash, as a known one does');
});

test('an empty e-mail or password asks for both, without a session', async () => {
	const { jar, csrf } = await loginForm();
	const r = await post('/login', { csrf, email: 'someone@test.local', password: '', next: '/' }, jar);
	assert.equal(r.status, 200);
	assert.ok(pageText(r.text).includes('Enter your e-mail address and password.'));
	assert.equal(jar.get('tether_session'), undefined);
});

test('the session cookie is HttpOnly, SameSite=Lax, Path=/', async () => {
	const u = makeUser();
	const { res } = await trySignIn(u.email, u.password);
	assert.equal(res.status, 303);
	const line = sessionCookieLine(res);
	assert.ok(line, 'Set-Cookie: tether_session=…');
	const c = parseSetCookie(line);
	assert.match(c.value, /^[A-Za-z0-9_-]{43}$/, 'a 256-bit random token, base64url');
	assert.equal(c.attrs.httponly, true, 'HttpOnly');
	assert.equal(String(c.attrs.samesite).toLowerCase(), 'lax', 'SameSite=Lax');
	assert.equal(c.attrs.path, '/', 'Path=/');
	assert.equal(c.attrs.domain, undefined, 'no Domain (host-only)');
	// The database keeps a hash of the token, never the token.
	const stored = psqlValue(`SELECT count(*) FROM sessions
	    WHERE encode(token_hash, 'escape') LIKE ${sqlString('%' + c.value + '%')}
	       OR encode(token_hash, 'hex') = ${sqlString(Buffer.from(c.value).toString('hex'))}`);
	assert.equal(stored, '0', 'the raw token is not in sessions.token_hash');

	const pre = (await get('/login', new CookieJar())).setCookies.find((l) => l.startsWith('tether_pre='));
	assert.ok(pre, 'GET /login sets tether_pre');
	const p = parseSetCookie(pre);
	assert.equal(p.attrs.httponly, true);
	assert.equal(String(p.attrs.samesite).toLowerCase(), 'lax');
	assert.equal(p.attrs.path, '/');
});

test('a new sign-in gives a new token (no session fixation)', async () => {
	const u = makeUser();
	const first = await signIn(u.email, u.password);
	const second = await signIn(u.email, u.password);
	assert.notEqual(first.jar.get('tether_session'), second.jar.get('tether_session'));
	// A token the client made up is not adopted either.
	const jar = new CookieJar().set('tether_session', 'A'.repeat(43));
	const { csrf } = await loginForm(jar);
	const r = await post('/login', { csrf, email: u.email, password: u.password, next: '/' }, jar);
	assert.equal(r.status, 303);
	assert.notEqual(jar.get('tether_session'), 'A'.repeat(43));
});

test('sign-out ends the session on the server, not just the cookie', async () => {
	const u = makeUser();
	const { jar } = await signIn(u.email, u.password);
	const old = jar.clone();
	assert.equal((await get('/', jar)).status, 200);
	const before = Number(psqlValue(`SELECT count(*) FROM sessions WHERE user_id = ${u.id}`));
	assert.equal(before, 1);

	const csrf = await sessionCsrf(jar);
	const out = await post('/logout', { csrf }, jar);
	assert.equal(out.status, 303);
	assert.equal(out.headers.get('location'), '/login');
	const cleared = out.setCookies.find((l) => l.startsWith('tether_session='));
	assert.ok(cleared, 'the cookie is cleared');
	assert.match(cleared, /^tether_session=;|Max-Age=0/);
	assert.equal(psqlValue(`SELECT count(*) FROM sessions WHERE user_id = ${u.id}`), '0',
	    'the session row is gone');

	// The old cookie, replayed, no longer works.
	const again = await get('/', old);
	assert.equal(again.status, 302);
	assert.equal(again.headers.get('location'), '/login');
	const replay = await post('/logout', { csrf }, old);
	assert.equal(replay.status, 303, 'POST /logout without a session goes to sign-in');
	assert.equal(replay.headers.get('location'), '/login');

	// The sign-in page after sign-out says so (the flash message).
	const login = await get('/login', jar);
	assert.equal(login.status, 200);
	assert.ok(pageText(login.text).includes('You have been signed out.'));
});

test('POST /logout without or with a wrong CSRF token is 403 and keeps the session', async () => {
	const u = makeUser();
	const { jar } = await signIn(u.email, u.password);
	const csrf = await sessionCsrf(jar);
	const cases = [
		['no csrf', {}],
		['empty csrf', { csrf: '' }],
		['wrong csrf', { csrf: 'x'.repeat(43) }],
		['csrf of another field length', { csrf: csrf.slice(0, -1) }],
	];
	for (const [what, form] of cases) {
		const r = await post('/logout', form, jar);
		assert.equal(r.status, 403, what);
		assert.match(pageText(r.text), /You cannot do that/, what);
		assert.equal(r.setCookies.find((l) => l.startsWith('tether_session=')), undefined,
		    `${what}: the session cookie is untouched`);
	}
	// Another session's token is not this session's token.
	const other = await signIn(u.email, u.password);
	const otherCsrf = await sessionCsrf(other.jar);
	assert.notEqual(otherCsrf, csrf);
	assert.equal((await post('/logout', { csrf: otherCsrf }, jar)).status, 403,
	    "another session's csrf");
	assert.equal((await get('/', jar)).status, 200, 'still signed in');
});

test('POST /login without or with a wrong CSRF token is 403 and signs nobody in', async () => {
	const u = makeUser();
	const { jar, csrf } = await loginForm();
	const cases = [
		['no csrf', { email: u.email, password: u.password, next: '/' }, jar],
		['wrong csrf', { csrf: 'y'.repeat(43), email: u.email, password: u.password, next: '/' }, jar],
		['no tether_pre cookie', { csrf, email: u.email, password: u.password, next: '/' }, new CookieJar()],
		['a csrf that differs from the cookie',
		    { csrf: csrf.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')), email: u.email, password: u.password, next: '/' },
		    jar],
	];
	for (const [what, form, j] of cases) {
		const r = await post('/login', form, j.clone());
		assert.equal(r.status, 403, what);
		assert.equal(r.setCookies.find((l) => /^tether_session=[^;]/.test(l)), undefined,
		    `${what}: no session`);
	}
	// None of them counted as a failed attempt: the right form still works.
	const ok = await post('/login', { csrf, email: u.email, password: u.password, next: '/' }, jar);
	assert.equal(ok.status, 303);
});

test('throttling: after 5 failures a 6th attempt waits (429), another account does not', async () => {
	const u = makeUser();
	const other = makeUser();
	const { jar, csrf } = await loginForm();
	for (let i = 1; i <= 5; i++) {
		const r = await post('/login', { csrf, email: u.email, password: `wrong-${i}`, next: '/' }, jar);
		assert.equal(r.status, 200, `failure ${i} is the ordinary answer`);
		assert.ok(pageText(r.text).includes(BAD), `failure ${i}`);
	}
	// At once, even with the right password.
	const t = await post('/login', { csrf, email: u.email, password: u.password, next: '/' }, jar);
	assert.equal(t.status, 429, 'the 6th attempt within the delay is 429');
	assert.match(pageText(t.text), /Try again in \d+ seconds?\./);
	assert.equal(jar.get('tether_session'), undefined, 'no session while throttled');
	const retry = t.headers.get('retry-after');
	const wait = Number(/Try again in (\d+)/.exec(pageText(t.text))[1]);
	assert.ok(wait >= 1 && wait <= 900, `a delay of ${wait} s`);
	// The same address with other letter case is the same account.
	const t2 = await post('/login', { csrf, email: u.email.toUpperCase(), password: u.password, next: '/' }, jar);
	assert.equal(t2.status, 429, 'the throttle key is case-insensitive');

	// Another account from the same client signs in at once.
	const o = await trySignIn(other.email, other.password);
	assert.equal(o.res.status, 303, 'another account is not slowed down');

	// After the delay, the right password works (and clears the count).
	await sleep(wait * 1000 + 1100);
	const ok = await post('/login', { csrf, email: u.email, password: u.password, next: '/' }, jar);
	assert.equal(ok.status, 303, 'after the delay the right password signs in');
	assert.equal(psqlValue(`SELECT count(*) FROM login_failures
	    WHERE email_key = ${sqlString(u.email.toLowerCase())}`), '0',
	    'a successful sign-in clears the failures');
	// Checked last, so that the rest runs even while this one is wrong.
	assert.equal(retry, String(wait), 'Retry-After is delay-seconds (RFC 9110 §10.2.3), ' +
	    'the same number as the message');
});

test('throttling applies to unknown accounts too, with the same message', async () => {
	const ghost = `${uniq('ghost')}@test.local`;
	const { jar, csrf } = await loginForm();
	for (let i = 1; i <= 5; i++) {
		const r = await post('/login', { csrf, email: ghost, password: `wrong-${i}`, next: '/' }, jar);
		assert.equal(r.status, 200);
	}
	const t = await post('/login', { csrf, email: ghost, password: 'wrong-6', next: '/' }, jar);
	assert.equal(t.status, 429);
	assert.match(pageText(t.text), /Try again in \d+ seconds?\./);
});

test('a disabled user cannot sign in, with the same answer as a wrong password', async () => {
	const u = makeUser();
	const { tetherctl } = await import('../lib/stack.mjs');
	const { jar } = await signIn(u.email, u.password);
	tetherctl('user', 'disable', u.email);
	const r = await get('/', jar);
	assert.equal(r.status, 302, 'disabling ends the sessions');
	const t = await trySignIn(u.email, u.password);
	assert.equal(t.res.status, 200);
	assert.ok(pageText(t.res.text).includes(BAD));
	assert.equal(t.jar.get('tether_session'), undefined);
});

test('a password change ends every session of that user, and only theirs', async () => {
	const u = makeUser();
	const other = makeUser();
	const { tetherctl } = await import('../lib/stack.mjs');
	const a = await signIn(u.email, u.password);
	const b = await signIn(u.email, u.password);
	const o = await signIn(other.email, other.password);
	const fresh = 'Fresh-password-' + Date.now();
	tetherctl('user', 'passwd', u.email, '--password-stdin', { stdin: fresh + '\n' });
	for (const [what, s] of [['first', a], ['second', b]]) {
		const r = await get('/', s.jar);
		assert.equal(r.status, 302, `the ${what} session ended`);
		assert.equal(r.headers.get('location'), '/login');
	}
	assert.equal((await get('/', o.jar)).status, 200, "another user's session lives on");
	assert.equal((await trySignIn(u.email, u.password)).jar.get('tether_session'), undefined,
	    'the old password is refused');
	const n = await signIn(u.email, fresh);
	assert.equal((await get('/', n.jar)).status, 200, 'the new password signs in');
});

test('a signed-in user who opens /login is sent on', async () => {
	const u = makeUser();
	const { jar } = await signIn(u.email, u.password);
	const r = await get('/login', jar);
	assert.equal(r.status, 302);
	assert.equal(r.headers.get('location'), '/');
	// And a signed-out one who opens / is sent to /login.
	const anon = await get('/', new CookieJar());
	assert.equal(anon.status, 302);
	assert.equal(anon.headers.get('location'), '/login');
	assert.equal(csrfFrom((await get('/login', new CookieJar())).text).length, 54, 'a pre-session token: nonce, time and MAC');
});
