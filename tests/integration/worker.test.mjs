// One tether-fcgi worker driven directly over FastCGI (no nginx): the 500
// page when a template is broken, the answers to paths nginx
// would refuse itself, and -n / SIGTERM ending a worker cleanly.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { assertErrorPage, assertSecurityHeaders } from '../lib/checks.mjs';
import { FcgiClient, fcgiRequest } from '../lib/fcgi.mjs';
import {
	CookieJar, csrfFrom, env, makeUser, signIn, within,
} from '../lib/stack.mjs';
import { startWorker } from '../lib/worker.mjs';

const cleanups = [];
after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

/** A copy of the templates with some files replaced or appended to. */
function templatesWith(changes) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-tpl-'));
	fs.chmodSync(dir, 0o755);
	const src = path.join(env('TETHER_SRC'), 'templates');
	for (const f of fs.readdirSync(src))
		fs.copyFileSync(path.join(src, f), path.join(dir, f));
	for (const [f, fn] of Object.entries(changes))
		fs.writeFileSync(path.join(dir, f), fn(fs.readFileSync(path.join(dir, f), 'utf8')));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	return dir;
}

test('a broken template gives a clean 500 page with a request id and no internals', async () => {
	const tpl = templatesWith({ 'index.cs': (t) => t.replace('<h1>Integrations</h1>',
	    '<h1>Integrations</h1><?cs if:Filter.Q ?>unclosed') });
	const { p, sock } = await startWorker(cleanups, { 'paths.templates': tpl });
	const u = makeUser();
	const { jar } = await signIn(u.email, u.password);	// through nginx; sessions are in PostgreSQL
	const c = new FcgiClient(sock, jar);

	const r = await c.get('/');
	const rid = assertErrorPage(r, 500, 'GET / with a broken index.cs');
	assert.match(r.text, /Something went wrong/);
	assert.doesNotMatch(r.text, /index\.cs|Filter\.Q|unclosed|tether-tpl|parse/i,
	    'no template name, contents or parser message');
	assert.doesNotMatch(r.text, /<h1>Integrations<\/h1>/, 'not half a page');
	assert.equal(r.headers.get('content-length'), String(Buffer.byteLength(r.body)),
	    'Content-Length matches the error page');
	// The log has the details, under the same request id.
	const log = p.stderr();
	assert.match(log, new RegExp(`rid=${rid}[^\\n]*index\\.cs`), 'the error is logged with the request id');
	assert.match(log, new RegExp(`access rid=${rid} [^\\n]*status=500`));

	// Other pages of the same worker are fine.
	const login = await fcgiRequest(sock, { uri: '/login' });
	assert.equal(login.status, 200);
	assert.ok(csrfFrom(login.body));
	// And the next GET / is a 500 again, not a crash.
	const again = await c.get('/?q=x');
	assert.equal(again.status, 500);
	assert.ok(p.running, 'the worker is still running');
});

test('a broken error template still gives a 500 with security headers', async () => {
	const tpl = templatesWith({
		'index.cs': (t) => t + '<?cs if:Page.Title ?>',
		'error.cs': (t) => t.replace('<?cs def:page_content() ?>', '<?cs def:page_content() ?><?cs each:x ?>'),
	});
	const { sock } = await startWorker(cleanups, { 'paths.templates': tpl });
	const u = makeUser();
	const { jar } = await signIn(u.email, u.password);
	const r = await new FcgiClient(sock, jar).get('/');
	assert.equal(r.status, 500);
	const rid = assertSecurityHeaders(r.headers, 'fallback 500');
	assert.ok(r.body.includes(rid), 'the fallback page shows the request id');
	assert.doesNotMatch(r.body, /error\.cs|index\.cs|tether-tpl|cs_parse/);
	// A 404 on the same worker uses error.cs too: also the fallback, also headers.
	const nf = await fcgiRequest(sock, { uri: '/nope' });
	assert.equal(nf.status, 404);
	assertSecurityHeaders(nf.headers, 'fallback 404');
});

test('paths nginx would refuse get the app\'s own 400 page', async () => {
	const { sock } = await startWorker(cleanups);
	for (const uri of ['/%00', '/%C0%AF', '/log%zzin', '/%FF', '/a%2Fb', '/../etc/passwd', 'relative', '/a\\b']) {
		const r = await fcgiRequest(sock, { uri });
		assertErrorPage(r, 400, `GET ${uri}`);
	}
	// A CONTENT_LENGTH that is not a number is 400; one over body_max is 413
	// without reading the body.
	const { jar } = { jar: new CookieJar() };
	let r = await fcgiRequest(sock, { method: 'POST', uri: '/login', body: 'a=b',
	    params: { CONTENT_LENGTH: '3x' }, cookie: jar.header() });
	assertErrorPage(r, 400, 'CONTENT_LENGTH 3x');
	r = await fcgiRequest(sock, { method: 'POST', uri: '/login', body: 'a=b',
	    params: { CONTENT_LENGTH: '99999999999' } });
	assertErrorPage(r, 413, 'CONTENT_LENGTH 99999999999');
	r = await fcgiRequest(sock, { method: 'POST', uri: '/login', body: 'a=b',
	    params: { CONTENT_LENGTH: '-1' } });
	assertErrorPage(r, 400, 'CONTENT_LENGTH -1');
	// A header value never carries CR or LF from the request (next= is the
	// only thing echoed into a header, and only as a local path).
	r = await fcgiRequest(sock, { uri: '/login?next=%2F%0D%0ASet-Cookie:%20x=1' });
	assert.ok(r.status === 200 || r.status === 400, `next with CRLF: ${r.status}`);
	assert.equal(r.headers.getAll('set-cookie').filter((l) => l.startsWith('x=')).length, 0);
	// Methods the app does not know are 405, with headers.
	r = await fcgiRequest(sock, { method: 'PATCH', uri: '/' });
	assertErrorPage(r, 405, 'PATCH /');
});

test('-n N: a foreground worker exits by itself, cleanly, after N requests; SIGTERM stops one', async () => {
	const { p, sock } = await startWorker(cleanups, {}, ['-n', '3']);
	for (let i = 0; i < 3; i++) {
		const r = await fcgiRequest(sock, { uri: i === 1 ? '/nope' : '/login' });
		assert.equal(r.status, i === 1 ? 404 : 200);
	}
	const t = await within(p.exited, 10000);
	assert.notEqual(t, null, 'the worker exits after its 3rd request');
	assert.equal(t.code, 0, `exit code (stderr: ${p.stderr().slice(-500)})`);
	assert.ok(!fs.existsSync(sock), 'it removes its socket');

	const w = await startWorker(cleanups);
	assert.equal((await fcgiRequest(w.sock, { uri: '/login' })).status, 200);
	const t0 = Date.now();
	const e = await w.p.stop('SIGTERM', 10000);
	assert.equal(e.signal, null, 'it exits, not killed by the signal');
	assert.equal(e.code, 0);
	assert.ok(Date.now() - t0 < 5000, 'promptly');
});
