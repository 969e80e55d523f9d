// The SMTP test against real SMTP peers from the npm
// registry (smtp-server) on loopback: connect, EHLO, STARTTLS — which must
// succeed before AUTH —, authenticate, quit; never a mail. A server that
// does not offer STARTTLS is refused before any credential leaves ("no
// TLS"); implicit TLS (port 465 style) works; a certificate Tether does not
// trust is a TLS error with no AUTH; a wrong password is "bad credentials".
// Each server sits behind a byte-recording tee, so the tests see exactly
// what crossed the wire in the clear.
//
// Tether here is a tether-fcgi of the test's own with the test CA as
// outbound.ca_bundle. The SMTP host field is a host name (no IP literal),
// so the peers are reached as "localhost".

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { makePki } from '../fakes/pki.mjs';
import { assertAbsent, assertNotInDatabase, marker, stackLogs } from '../fakes/secrets.mjs';
import { startSmtp } from '../fakes/smtp.mjs';
import { connRow, lastTest } from '../lib/rows.mjs';
import { managerSession, pageText, sleep } from '../lib/stack.mjs';
import { startTether } from '../lib/tether.mjs';

const cleanups = [];
let tls;
let rogueTls;
let tether;
let workDir;
const apps = [];

before(async () => {
	workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-smtp-'));
	cleanups.push(() => fs.rmSync(workDir, { recursive: true, force: true }));
	const pki = makePki(path.join(workDir, 'ca'));
	tls = { ...pki.issue('mx', ['localhost', '127.0.0.1']), ca: pki.caPem };
	const rogue = makePki(path.join(workDir, 'rogue'), 'Someone else');
	rogueTls = rogue.issue('mx', ['localhost', '127.0.0.1']);
	tether = await startTether({ replace: { 'outbound.ca_bundle': pki.caFile } });
	cleanups.push(() => tether.stop());
});

after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

async function peer(opts) {
	const s = await startSmtp(opts);
	cleanups.push(() => s.close());
	return s;
}

async function smtpConnection(s, { tlsMode = 'starttls', user = 'mailer', password }) {
	const { app, team } = await (async () => {
		const x = await managerSession({ admin: true });
		const a = tether.client(x.jar);
		apps.push(a);
		return { app: a, team: x.team };
	})();
	const c = await app.create({ connector: 'smtp', protocol: 'basic', team: team.id,
		fields: { host: 'localhost', port: String(s.port), tls: tlsMode, username: user, password,
			from: 'noreply@example.com' } });
	assert.equal(c.status, 303, pageText(c.res.text).slice(0, 400));
	return { ...c, app, row: lastTest(c.id) };
}

test('STARTTLS: EHLO, STARTTLS, EHLO again, AUTH over TLS; no mail is sent', async () => {
	const password = marker('smtpok');
	const s = await peer({ tls, user: 'mailer', password, starttls: true });
	const c = await smtpConnection(s, { password });
	assert.deepEqual([c.row.result, c.row.httpStatus, connRow(c.id).status], ['ok', null, 'ok']);
	assert.match(c.flash.message, /Test: The connection works\./);
	assert.deepEqual(s.auths.map((a) => [a.username, a.password, a.secure]), [['mailer', password, true]],
	    'one AUTH, over TLS, with the connection\'s credentials');
	assert.deepEqual(s.commands.slice(0, 4), ['EHLO', 'STARTTLS', 'EHLO', 'AUTH']);
	assert.ok(!s.commands.includes('MAIL') && !s.commands.includes('RCPT') && !s.commands.includes('DATA'),
	    `no mail: ${s.commands}`);
	// In the clear on the wire: only EHLO and STARTTLS, then the TLS handshake.
	const [wire] = s.wire();
	assert.match(wire, /^EHLO [^\r\n]+\r\nSTARTTLS\r\n\x16\x03/);
	assert.ok(!wire.includes(password) && !wire.includes(Buffer.from(`\0mailer\0${password}`).toString('base64')),
	    'the password never crossed the wire in the clear');
	// Test again from the details page: the same, once more.
	const t = await c.app.test(c.id);
	assert.deepEqual(t.flash, { kind: 'success', message: 'The connection works.' });
	assert.equal(s.auths.length, 2);
});

test('SMTP ends the session with QUIT', async () => {
	const password = marker('smtpquit');
	const s = await peer({ tls, user: 'mailer', password, starttls: true });
	const c = await smtpConnection(s, { password });
	assert.equal(c.row.result, 'ok');
	await sleep(300);
	assert.ok(s.commands.includes('QUIT'), `commands: ${s.commands}`);
});

test('a server that does not offer STARTTLS: refused before authenticating ("no TLS")', async () => {
	const password = marker('smtpnotls');
	const s = await peer({ tls, user: 'mailer', password, starttls: false });
	const c = await smtpConnection(s, { password });
	assert.deepEqual([c.row.result, connRow(c.id).status], ['no_tls', 'failing']);
	assert.equal(c.row.message, 'The mail server does not offer STARTTLS; Tether refused to send credentials without encryption.');
	assert.equal(s.auths.length, 0, 'onAuth was never called');
	assert.deepEqual(s.commands, ['EHLO'], 'nothing after EHLO: no AUTH, no STARTTLS attempt the server did not offer');
	const wire = s.wire().join('');
	assert.doesNotMatch(wire, /AUTH/i);
	assert.ok(!wire.includes(password) && !wire.includes(Buffer.from(password).toString('base64')));
	const d = await c.app.get(`/connections/${c.id}`);
	assert.match(pageText(d.text), /Status Failing/);
	assert.match(pageText(d.text), /does not offer STARTTLS/);
});

test('implicit TLS (port 465 style): AUTH inside TLS; against a plaintext server it is a TLS error', async () => {
	const password = marker('smtps');
	const s = await peer({ tls, user: 'mailer', password, implicit: true });
	const c = await smtpConnection(s, { tlsMode: 'tls', password });
	assert.equal(c.row.result, 'ok');
	assert.deepEqual(s.auths.map((a) => [a.username, a.secure]), [['mailer', true]]);
	assert.match(s.wire()[0], /^\x16\x03/, 'the first byte on the wire is a TLS handshake');
	const plain = await peer({ tls, user: 'mailer', password, starttls: false });
	const p = await smtpConnection(plain, { tlsMode: 'tls', password: marker('plain') });
	assert.equal(p.row.result, 'tls');
	assert.equal(plain.auths.length, 0);
});

test('a certificate Tether does not trust: TLS error after STARTTLS, and no AUTH', async () => {
	const password = marker('smtprogue');
	const s = await peer({ tls: rogueTls, user: 'mailer', password, starttls: true });
	const c = await smtpConnection(s, { password });
	assert.deepEqual([c.row.result, connRow(c.id).status], ['tls', 'failing']);
	assert.equal(s.auths.length, 0);
	assert.deepEqual(s.commands, ['EHLO', 'STARTTLS']);
});

test('a wrong password is "bad credentials"; the password never shows up anywhere else', async () => {
	const password = marker('smtpwrong');
	const s = await peer({ tls, user: 'mailer', password: marker('right'), starttls: true });
	const c = await smtpConnection(s, { password });
	assert.deepEqual([c.row.result, connRow(c.id).status], ['bad_credentials', 'failing']);
	assert.deepEqual(s.auths.map((a) => [a.password, a.secure]), [[password, true]]);
	const pages = apps.flatMap((a) => a.pages).join('\n');
	assertAbsent(password, { pages, logs: stackLogs() + tether.log() });
	assertNotInDatabase([password]);
});
