// E-mail notifications (issue 11 §3): tether-worker --once sends one plain
// text message per status event to the managers of the connection's team
// (not its members or viewers; administrators only with mail.notify_admins)
// through the relay of mail.smtp_url, after STARTTLS (verified against
// mail.ca_bundle) and AUTH with the password of mail.password_file; it
// says what happened and links to the connection; it carries no secret;
// a flapping connection writes once per transition. A relay that offers
// no STARTTLS gets no mail and no password: the message waits and is
// tried again.
//
// The relay is the `smtp-server` stand-in (tests/fakes/smtp.mjs) on
// loopback with a certificate of the test CA.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { basicCreds, json, startStandin } from '../fakes/http-standin.mjs';
import { makePki } from '../fakes/pki.mjs';
import { assertAbsent, marker } from '../fakes/secrets.mjs';
import { startSmtp } from '../fakes/smtp.mjs';
import {
	env, makeUser, managerSession, pageText, psql, psqlValue, startProcess,
} from '../lib/stack.mjs';
import { startTether, tetherctlAsync } from '../lib/tether.mjs';

const cleanups = [];
let pki;
let tls;
let api;
let workDir;
let smtpPassword;
let apiAnswer = 200;

before(async () => {
	workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-mail-'));
	cleanups.push(() => fs.rmSync(workDir, { recursive: true, force: true }));
	pki = makePki(path.join(workDir, 'ca'));
	tls = { ...pki.issue('mx', ['localhost', '127.0.0.1']), ca: pki.caPem };
	api = await startStandin({ name: 'api', handler: (req, res, rec) => {
		const c = basicCreds(req);
		if (rec.path !== '/v1/health')
			return json(res, 404, {});
		return json(res, c !== null && c.password.startsWith('mkright') ? apiAnswer : 401, {});
	} });
	cleanups.push(() => api.close());
	smtpPassword = marker('smtp');
	fs.writeFileSync(path.join(workDir, 'smtp-password'), smtpPassword + '\n', { mode: 0o600 });
});

after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

/** A relay stand-in and a Tether whose configuration sends mail through it. */
async function relay({ starttls = true, admins = false } = {}) {
	const smtp = await startSmtp({ tls, user: 'tether', password: smtpPassword, starttls, accept: true });
	const tether = await startTether({ replace: {
		'mail.smtp_url': `smtp://localhost:${smtp.port}`,
		'mail.from': 'tether@test.local',
		'mail.username': 'tether',
		'mail.password_file': path.join(workDir, 'smtp-password'),
		'mail.ca_bundle': pki.caFile,
		'mail.notify_admins': admins ? '1' : '0',
		'health.notify_after_failures': '2',
	} });
	cleanups.push(() => smtp.close(), () => tether.stop());
	return { smtp, tether };
}

async function workerOnce(tether) {
	const p = startProcess(path.join(env('TETHER_BIN'), 'tether-worker'), ['-c', tether.conf, '--once']);
	const r = await p.exited;
	assert.equal(r.code, 0, `tether-worker --once: ${p.stderr().slice(-1500)}`);
	return p.stderr();
}

async function cliTest(tether, id, n = 1) {
	for (let i = 0; i < n; i++)
		await tetherctlAsync(['test', String(id)], { conf: tether.conf });
}

/** A team with a manager (signed in), a member and a viewer, and a connection of it. */
async function setup(tether) {
	const s = await managerSession();
	const member = makeUser({ teams: [{ name: s.team.name, role: 'member' }] });
	const viewer = makeUser({ teams: [{ name: s.team.name, role: 'viewer' }] });
	const password = marker('right');
	const app = tether.client(s.jar);
	const c = await app.create({ connector: 'http', protocol: 'basic', team: s.team.id,
		fields: { url: `${api.url}/v1`, test_path: '/health', username: 'svc', password } });
	assert.equal(c.status, 303, pageText(c.res.text).slice(0, 300));
	psql(`UPDATE jobs SET run_at = now() + interval '1 day' WHERE connection_id = ${c.id}`);
	return { ...s, member, viewer, password, id: c.id, name: c.name };
}

/** The messages about connection `id`. */
function about(smtp, id) {
	return smtp.messages.filter((m) => m.data.includes(`/connections/${id}\r\n`));
}

test('a status event is one message to the team\'s managers, over STARTTLS, once per transition, without a secret', async () => {
	const { smtp, tether } = await relay();
	const s = await setup(tether);
	await workerOnce(tether);
	assert.equal(about(smtp, s.id).length, 0, 'created is not a status event: no mail');

	apiAnswer = 401;
	await cliTest(tether, s.id);
	await workerOnce(tether);
	assert.equal(about(smtp, s.id).length, 0, 'one failure: no mail');
	await cliTest(tether, s.id, 2);
	await workerOnce(tether);
	let got = about(smtp, s.id);
	assert.equal(got.length, 1, 'failing: one message');
	const m = got[0];
	assert.deepEqual(m.to, [s.user.email], 'the manager only: not the member, the viewer or the admins');
	assert.equal(m.from, 'tether@test.local');
	assert.equal(m.secure, true, 'sent after STARTTLS');
	assert.equal(m.user, 'tether', 'authenticated');
	const cut = m.data.indexOf('\r\n\r\n');
	assert.ok(cut > 0, 'headers, then the body');
	const head = m.data.slice(0, cut);
	const body = m.data.slice(cut + 4);
	assert.match(head, new RegExp(`^Subject: \\[Tether\\] ${s.name} is failing$`, 'm'));
	assert.match(head, /^Content-Type: text\/plain; charset=utf-8$/m);
	assert.match(head, /^Auto-Submitted: auto-generated$/m);
	assert.match(body, new RegExp(`The connection "${s.name}" is failing\\.`));
	assert.match(body, /Status: Connected -> Failing/);
	assert.match(body, /The system refused the credentials/);
	assert.ok(body.includes(`${tether.baseUrl}/connections/${s.id}\r\n`), 'links to the connection');
	assertAbsent(s.password, { mail: m.data });
	assertAbsent(smtpPassword, { mail: m.data });

	await cliTest(tether, s.id);		// still failing
	await workerOnce(tether);
	assert.equal(about(smtp, s.id).length, 1, 'no second mail while it stays failing');
	apiAnswer = 200;
	await cliTest(tether, s.id);
	await workerOnce(tether);
	got = about(smtp, s.id);
	assert.equal(got.length, 2);
	assert.match(got[1].data, new RegExp(`^Subject: \\[Tether\\] ${s.name} works again$`, 'm'));
	assert.equal(psqlValue(`SELECT string_agg(m.state, ',' ORDER BY m.id) FROM mail_outbox m
	    JOIN events e ON e.id = m.event_id WHERE e.connection_id = ${s.id}`), 'sent,sent');
});

test('with mail.notify_admins the administrators are written to as well', async () => {
	const { smtp, tether } = await relay({ admins: true });
	const s = await setup(tether);
	const admin = makeUser({ admin: true });
	apiAnswer = 401;
	await cliTest(tether, s.id, 2);
	apiAnswer = 200;
	await workerOnce(tether);
	const got = about(smtp, s.id);
	assert.equal(got.length, 1);
	assert.ok(got[0].to.includes(s.user.email));
	assert.ok(got[0].to.includes(admin.email.toLowerCase()) || got[0].to.includes(admin.email));
	assert.ok(!got[0].to.includes(s.member.email));
});

test('a relay without STARTTLS gets no mail and no password; the message waits to be tried again', async () => {
	const { smtp, tether } = await relay({ starttls: false });
	const s = await setup(tether);
	apiAnswer = 401;
	await cliTest(tether, s.id, 2);
	apiAnswer = 200;
	const log = await workerOnce(tether);
	assert.equal(smtp.messages.length, 0);
	assert.equal(smtp.auths.length, 0, 'no AUTH in clear');
	assert.ok(!smtp.commands.some((c) => /^MAIL FROM/.test(c)), 'no MAIL FROM');
	const row = psql(`SELECT m.state, m.attempts, m.last_error, extract(epoch FROM m.next_attempt_at - now())::int
	    FROM mail_outbox m JOIN events e ON e.id = m.event_id WHERE e.connection_id = ${s.id}`)[0];
	assert.deepEqual(row.slice(0, 2), ['pending', '1']);
	assert.match(row[2], /STARTTLS/);
	assert.ok(Number(row[3]) > 0 && Number(row[3]) <= 5);
	assertAbsent(smtpPassword, { wire: smtp.wire().join('\n'), log });
	// Not tried by anyone else later on: the relay of the next test file
	// is not this one.
	psql(`UPDATE mail_outbox SET state = 'failed' WHERE event_id IN (SELECT id FROM events
	    WHERE connection_id = ${s.id})`);
});
