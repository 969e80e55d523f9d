// The aws_sigv4 kind (issue 16 §1): the Amazon Web Services connector signs
// its test with Signature Version 4 (libcurl, CURLOPT_AWS_SIGV4) and calls
// STS GetCallerIdentity at sts.REGION.amazonaws.com. The stand-in
// (tests/fakes/aws-sts.mjs) recomputes every signature with the aws4
// package, for the region of the host it was sent to, and answers as STS
// does: the account and ARN become "Connected as"; a wrong secret is
// SignatureDoesNotMatch, an unknown key InvalidClientTokenId, both "bad
// credentials"; temporary credentials send their session token, signed.
// The secret access key never leaves Tether (only the signature does) and
// reaches no page, log or table; the session token goes to STS only.
// Changing the region (where the secrets go) asks for them again.
//
// Tether here is a tether-fcgi of the test's own with the test CA as
// outbound.ca_bundle and a CONNECT proxy stand-in that maps
// sts.eu-central-1.amazonaws.com:443 to the stand-in.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { startSts } from '../fakes/aws-sts.mjs';
import { makePki } from '../fakes/pki.mjs';
import { assertAbsent, assertNotInDatabase, marker, stackLogs } from '../fakes/secrets.mjs';
import { proxiedTether, runCleanups } from '../lib/authkinds.mjs';
import { fieldErrors, mustCreate, postEdit, secretInputs } from '../lib/lifecycle/lc.mjs';
import { connRow, lastTest } from '../lib/rows.mjs';
import { managerSession, pageText, psql, uniq } from '../lib/stack.mjs';

const cleanups = [];
const apps = [];
let tether;
let sts;
let px;

const ALICE = { akid: 'AKIAEXAMPLEALICE0001', secret: `wJalrXUtnFEMI/K7MDENG+${marker('awssecret')}`,
	account: '123456789012', arn: 'arn:aws:iam::123456789012:user/alice' };
const TEMP = { akid: 'ASIAEXAMPLETEMPKEY02', secret: marker('awstempsecret'), token: `IQoJb3JpZ2luX2Vj/${marker('awstoken')}+==`,
	account: '210987654321', arn: 'arn:aws:sts::210987654321:assumed-role/Integrations/tether' };

before(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-aws-'));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	const pki = makePki(path.join(dir, 'ca'));
	const tls = pki.issue('sts', ['sts.eu-central-1.amazonaws.com', 'sts.us-east-1.amazonaws.com']);
	sts = await startSts({ tls, keys: {
		[ALICE.akid]: { secret: ALICE.secret, account: ALICE.account, arn: ALICE.arn },
		[TEMP.akid]: { secret: TEMP.secret, token: TEMP.token, account: TEMP.account, arn: TEMP.arn },
	} });
	cleanups.push(() => sts.close());
	({ px, tether } = await proxiedTether(cleanups, pki.caFile, { 'sts.eu-central-1.amazonaws.com:443': sts.port }));
});

after(() => runCleanups(cleanups));

async function awsConnection(fields) {
	const s = await managerSession({ admin: true });
	const app = tether.client(s.jar);
	apps.push(app);
	const c = await app.create({ connector: 'aws', protocol: 'sigv4', team: s.team.id,
		fields: { region: 'eu-central-1', service: 's3', ...fields } });
	assert.equal(c.status, 303, pageText(c.res.text).slice(0, 400));
	return { ...c, app, row: lastTest(c.id) };
}

function identityRow(id) {
	return psql(`SELECT COALESCE(identity_account, ''), COALESCE(identity_tenant, '')
	    FROM connections WHERE id = ${Number(id)}`)[0];
}

test('a valid access key: signed GetCallerIdentity, ok, Connected as the ARN in the account', async () => {
	const c = await awsConnection({ access_key_id: ALICE.akid, secret_access_key: ALICE.secret });
	const rec = sts.requests.at(-1);
	assert.deepEqual([c.row.result, connRow(c.id).status], ['ok', 'ok'],
	    `${rec?.verdict} ${rec?.headers.authorization} ${rec?.headers['x-amz-date']}`);
	assert.equal(rec.verdict, 'ok', 'the stand-in recomputed the same signature');
	assert.equal(rec.url, '/?Action=GetCallerIdentity&Version=2011-06-15');
	assert.equal(rec.headers.host, 'sts.eu-central-1.amazonaws.com');
	assert.match(rec.headers.authorization,
	    /^AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEALICE0001\/[0-9]{8}\/eu-central-1\/sts\/aws4_request, SignedHeaders=[a-z;-]*host[a-z;-]*, Signature=[0-9a-f]{64}$/);
	assert.deepEqual(identityRow(c.id), [ALICE.arn, ALICE.account]);
	const page = pageText((await c.app.get(`/connections/${c.id}`)).text);
	assert.match(page, /Connected as arn:aws:iam::123456789012:user\/alice · AWS account 123456789012/);
	assert.ok(px.connects.every((h) => h === 'sts.eu-central-1.amazonaws.com:443'), px.connects.join());
});

test('temporary credentials: the session token is sent and signed', async () => {
	const c = await awsConnection({ access_key_id: TEMP.akid, secret_access_key: TEMP.secret,
		session_token: TEMP.token });
	assert.equal(c.row.result, 'ok');
	const rec = sts.requests.at(-1);
	assert.equal(rec.headers['x-amz-security-token'], TEMP.token);
	assert.match(rec.headers.authorization, /SignedHeaders=[a-z;-]*x-amz-security-token/);
	assert.deepEqual(identityRow(c.id), [TEMP.arn, TEMP.account]);
	// Without its token the same key is refused by STS.
	const n = await awsConnection({ access_key_id: TEMP.akid, secret_access_key: TEMP.secret });
	assert.deepEqual([n.row.result, sts.requests.at(-1).verdict], ['bad_credentials', 'InvalidClientTokenId']);
});

test('a wrong secret is SignatureDoesNotMatch, an unknown key InvalidClientTokenId: bad credentials', async () => {
	const wrong = marker('awswrong');
	const c = await awsConnection({ access_key_id: ALICE.akid, secret_access_key: wrong });
	assert.deepEqual([c.row.result, c.row.httpStatus, connRow(c.id).status], ['bad_credentials', 403, 'failing']);
	assert.equal(sts.requests.at(-1).verdict, 'SignatureDoesNotMatch');
	assert.deepEqual(identityRow(c.id), ['', ''], 'no one to be connected as');
	const u = await awsConnection({ access_key_id: 'AKIAEXAMPLEUNKNOWN03', secret_access_key: marker('awsunknown') });
	assert.deepEqual([u.row.result, sts.requests.at(-1).verdict], ['bad_credentials', 'InvalidClientTokenId']);
	assert.doesNotMatch(pageText((await u.app.get(`/connections/${u.id}`)).text), /Connected as/);
});

test('the region is where the secrets go: changing it asks for them again', async () => {
	const s = await managerSession();
	const c = await mustCreate(s.jar, { connector: 'aws', protocol: 'sigv4', name: uniq('aws'), team: s.team.id,
		fields: { region: 'eu-central-1', service: 's3', access_key_id: ALICE.akid, secret_access_key: 'x' } });
	const r = await postEdit(s.jar, c.id, { fields: { region: 'us-east-1' } });
	assert.equal(r.status, 422);
	assert.ok(secretInputs(r.res.text).includes('f.secret_access_key'));
	assert.equal(fieldErrors(r.res.text)['f.secret_access_key'], 'Enter this again: Region changed, and a stored ' +
	    'secret is never sent to a new destination.');
	assert.equal(connRow(c.id).settings.region, 'eu-central-1');
});

test('the secret access key never leaves Tether; no secret reaches a page, a log or a table', async () => {
	const wire = sts.allText();
	assertAbsent(ALICE.secret, { wire });
	assertAbsent(TEMP.secret, { wire });
	const pages = apps.flatMap((a) => a.pages).join('\n');
	for (const secret of [ALICE.secret, TEMP.secret, TEMP.token])
		assertAbsent(secret, { pages, logs: stackLogs() + tether.log() });
	assertNotInDatabase([ALICE.secret, TEMP.secret, TEMP.token]);
});
