// tests/lib/checks.mjs — assertions shared by the test files: the headers
// every answer carries, what an error page must and must not show, and the
// shape of an API error (the app's and nginx's alike).

import assert from 'node:assert/strict';

/**
 * The headers every answer carries, whatever its status. Returns the
 * request id.
 */
export function assertSecurityHeaders(h, what) {
	const csp = h.get('content-security-policy');
	assert.ok(csp, `${what}: Content-Security-Policy`);
	const directives = Object.fromEntries(csp.split(';').map((d) => d.trim()).filter(Boolean)
	    .map((d) => { const [k, ...v] = d.split(/\s+/); return [k.toLowerCase(), v]; }));
	const scripts = directives['script-src'] ?? directives['default-src'];
	assert.ok(scripts, `${what}: CSP governs scripts (script-src or default-src)`);
	assert.ok(!scripts.includes("'unsafe-inline'"), `${what}: no 'unsafe-inline' for scripts: ${csp}`);
	assert.ok(!scripts.includes("'unsafe-eval'"), `${what}: no 'unsafe-eval' for scripts: ${csp}`);
	assert.ok(!scripts.includes('*'), `${what}: scripts from anywhere: ${csp}`);
	assert.ok(directives['frame-ancestors']?.includes("'none'"), `${what}: frame-ancestors 'none'`);
	assert.equal(h.get('x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`);
	assert.equal(h.get('x-frame-options'), 'DENY', `${what}: X-Frame-Options`);
	assert.match(h.get('referrer-policy') ?? '',
	    /^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/,
	    `${what}: Referrer-Policy`);
	assert.match(h.get('cache-control') ?? '', /\bno-store\b/, `${what}: Cache-Control no-store`);
	const rid = h.get('x-request-id');
	assert.match(rid ?? '', /^[0-9a-f]{16,64}$/, `${what}: X-Request-Id`);
	return rid;
}

/** An error page: status, headers, the request id in the body, no internals. */
export function assertErrorPage(r, status, what) {
	assert.equal(r.status, status, `${what}: status`);
	const rid = assertSecurityHeaders(r.headers, what);
	assert.match(r.headers.get('content-type') ?? '', /^text\/html; charset=utf-8$/i, `${what}: HTML`);
	assert.ok(r.text.includes(rid), `${what}: the page shows the request id ${rid}`);
	assert.match(r.text, new RegExp(`Error ${status}`), `${what}: says Error ${status}`);
	assertNoInternals(r.text, what);
	return rid;
}

export function assertNoInternals(text, what) {
	for (const bad of [/postgres/i, /libpq/i, /\bSQL\b/, /PGRES/, /cs_parse/i, /NEOERR/i,
	    /ClearSilver/i, /\/work\//, /\/usr\//, /\/var\//, /\.cs\b/, /\.c:\d+/, /errno/i,
	    /Traceback/, /segfault/i]) {
		assert.doesNotMatch(text, bad, `${what}: the page must not show internals (${bad})`);
	}
}

/**
 * An API error, from the app or from nginx in front of it: status, the
 * headers every answer carries, JSON { error, message } (and field, when
 * the app names the key at fault) with a message to show; error is the
 * code wanted (undefined: any). Returns the parsed body.
 */
export function assertApiError(r, status, error, what) {
	assert.equal(r.status, status, `${what}: status (${r.text.slice(0, 300)})`);
	assertSecurityHeaders(r.headers, what);
	assert.match(r.headers.get('content-type') ?? '', /^application\/json; charset=utf-8$/i,
	    `${what}: JSON`);
	const j = JSON.parse(r.text);
	const keys = Object.keys(j).sort();
	assert.ok(['error,message', 'error,field,message'].includes(keys.join()),
	    `${what}: {error, message} (and field): ${keys}`);
	assert.equal(typeof j.message, 'string', `${what}: a message`);
	assert.ok(j.message.length > 0, `${what}: the message says something`);
	if (error !== undefined)
		assert.equal(j.error, error, `${what}: error code`);
	return j;
}
