// The postgresql kind (issue 16 §1) against a real PostgreSQL of the test's
// own (tests/fakes/postgres.mjs: TLS with a certificate of the test CA,
// SCRAM passwords over TCP). The test resolves the host, checks the address
// against the outbound policy and connects to that address, verifies the
// server's certificate (verify_ca; verify_full checks the name too), and runs SELECT 1; every
// failure is classified: bad password, no such database, unreachable,
// TLS (the name does not match), refused by the policy (a Tether without
// outbound.allow for loopback). The password reaches no page, log or table.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { makePki } from '../fakes/pki.mjs';
import { startPostgres } from '../fakes/postgres.mjs';
import { assertAbsent, assertNotInDatabase, marker, stackLogs } from '../fakes/secrets.mjs';
import { connRow, lastTest } from '../lib/rows.mjs';
import { managerSession, pageText } from '../lib/stack.mjs';
import { startTether } from '../lib/tether.mjs';

const cleanups = [];
const apps = [];
const PASSWORD = marker('pgpw');
let pg;
let tether;
let strict;

before(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-pgkind-'));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	const pki = makePki(path.join(dir, 'ca'));
	// Its certificate names another host: verify_ca passes, verify_full does not.
	pg = await startPostgres({ tls: pki.issue('pg', ['db.example.test']), user: 'flows', password: PASSWORD,
		database: 'analytics' });
	cleanups.push(() => pg.close());
	tether = await startTether({ replace: { 'outbound.ca_bundle': pki.caFile, 'outbound.allow': '127.0.0.0/8' } });
	cleanups.push(() => tether.stop());
	strict = await startTether({ replace: { 'outbound.ca_bundle': pki.caFile, 'outbound.allow': '' } });
	cleanups.push(() => strict.stop());
});

after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

async function pgConnection(fields, t = tether) {
	const s = await managerSession({ admin: true });
	const app = t.client(s.jar);
	apps.push(app);
	const c = await app.create({ connector: 'postgresql', protocol: 'password', team: s.team.id,
		fields: { host: 'localhost', port: String(pg.port), database: 'analytics', sslmode: 'verify_ca',
			user: 'flows', password: PASSWORD, ...fields } });
	assert.equal(c.status, 303, pageText(c.res.text).slice(0, 400));
	return { ...c, app, row: lastTest(c.id) };
}

test('the right password over TLS with a certificate of the trusted CA: SELECT 1, ok', async () => {
	const c = await pgConnection({});
	assert.deepEqual([c.row.result, connRow(c.id).status], ['ok', 'ok'], c.row.message);
	assert.match(pg.log(), /connection authorized: user=flows database=analytics application_name=tether-test SSL enabled/);
});

test('classified: bad password, no such database, unreachable, TLS name mismatch, policy', async () => {
	const bad = await pgConnection({ password: marker('pgwrong') });
	assert.equal(bad.row.result, 'bad_credentials');
	const nodb = await pgConnection({ database: 'nosuchdb' });
	assert.deepEqual([nodb.row.result, nodb.row.message], ['no_database',
		'The server has no database of that name: check the database name.']);
	const closed = net.createServer();
	await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
	const port = closed.address().port;
	await new Promise((resolve) => closed.close(resolve));
	assert.equal((await pgConnection({ port: String(port) })).row.result, 'unreachable');
	assert.equal((await pgConnection({ sslmode: 'verify_full' })).row.result, 'tls', 'the name does not match');
	assert.equal((await pgConnection({}, strict)).row.result, 'policy');
});

test('the password reaches no page, log or table', async () => {
	const pages = apps.flatMap((a) => a.pages).join('\n');
	assertAbsent(PASSWORD, { pages, logs: stackLogs() + tether.log() + strict.log() });
	assertNotInDatabase([PASSWORD]);
});
