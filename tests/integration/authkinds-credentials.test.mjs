// Credentials for a flow (POST /api/v1/connections/{id}/credentials) for
// the kinds of issue 16 §1, each in its own shape, never as a "bearer"
// token by accident: postgresql (host, port, database, sslmode, user,
// password — and they open a real session), aws_sigv4 (key, secret,
// session token, region, the connection's service), client_cert (PEM as
// libcurl takes it), jwt_bearer (the key JSON, scopes, token URL).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { makePki } from '../fakes/pki.mjs';
import { startPostgres } from '../fakes/postgres.mjs';
import { marker } from '../fakes/secrets.mjs';
import { flowAdd, mustCreate } from '../lib/lifecycle/lc.mjs';
import { managerSession, request, tetherctl, uniq } from '../lib/stack.mjs';

const PASSWORD = marker('pgcred');
const cleanups = [];
let s;
let engine;
let pg;
let pki;

before(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-cred-kinds-'));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	pki = makePki(path.join(dir, 'ca'));
	pg = await startPostgres({ tls: pki.issue('pg', ['localhost']), user: 'etl', password: PASSWORD,
		database: 'warehouse' });
	cleanups.push(() => pg.close());
	s = await managerSession();
	engine = tetherctl('token', 'add', s.user.email, uniq('tok'), '--scopes', 'connections:use').trim();
});

after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

async function credentials(spec) {
	const c = await mustCreate(s.jar, { ...spec, name: uniq('kind'), team: s.team.id });
	const flow = flowAdd({ connections: [c.id] });
	const r = await request(`/api/v1/connections/${c.id}/credentials`, { method: 'POST',
	    headers: { authorization: `Bearer ${engine}`, 'content-type': 'application/json' },
	    body: JSON.stringify({ flow_id: flow.id, bypass_status: true }) });
	assert.equal(r.status, 200, r.text);
	const j = JSON.parse(r.text);
	delete j.connection_id;
	delete j.flow_id;
	return j;
}

test('postgresql: what libpq needs, and it opens a session', async () => {
	const j = await credentials({ connector: 'postgresql', protocol: 'password', fields: { host: 'localhost',
		port: String(pg.port), database: 'warehouse', sslmode: 'require', user: 'etl', password: PASSWORD } });
	assert.deepEqual(j, { type: 'postgresql', host: 'localhost', port: String(pg.port), database: 'warehouse',
		sslmode: 'require', username: 'etl', password: PASSWORD });
	assert.match(pg.log(), /connection authorized: user=etl database=warehouse application_name=tether-test SSL enabled/,
	    'the create\'s test signed in over TLS');
});

test('aws_sigv4: key, secret, session token, region and the flows\' service', async () => {
	const secret = marker('awscred');
	const j = await credentials({ connector: 'aws', protocol: 'sigv4', fields: { region: 'eu-north-1',
		service: 'sqs', access_key_id: 'AKIAEXAMPLECREDS0001', secret_access_key: secret } });
	assert.deepEqual(j, { type: 'aws_sigv4', access_key_id: 'AKIAEXAMPLECREDS0001', secret_access_key: secret,
		session_token: '', region: 'eu-north-1', service: 'sqs' });
});

test('client_cert and jwt_bearer: PEM as stored (line breaks restored), the key JSON and token URL', async () => {
	const leaf = pki.issueClient('c1', 'flow-client', 30);
	const flat = (x) => x.replace(/\n/g, '');
	const c = await credentials({ connector: 'https-client-cert', protocol: 'client_cert', fields: {
		url: 'https://127.0.0.1:9', test_path: '/', test_status: '200', certificate: flat(leaf.cert),
		private_key: flat(leaf.key) } });
	assert.deepEqual(c, { type: 'client_cert', base_url: 'https://127.0.0.1:9', certificate: leaf.cert,
		private_key: leaf.key });
	const key = JSON.stringify({ type: 'service_account', client_email: 'x@p.iam.gserviceaccount.com',
		private_key: 'not-a-key' });
	const g = await credentials({ connector: 'google-service-account', protocol: 'jwt', fields: {
		key_json: key, scopes: 'https://www.googleapis.com/auth/drive.readonly' } });
	assert.deepEqual(g, { type: 'jwt_bearer', service_account_key: key,
		scopes: 'https://www.googleapis.com/auth/drive.readonly', subject: '',
		token_url: 'https://oauth2.googleapis.com/token' });
});
