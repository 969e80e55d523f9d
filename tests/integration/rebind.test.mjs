// Every field that chooses where a stored secret goes — host, port, TLS
// mode, base URL, token URL — asks for the secrets again when it changes on
// edit: with the secret left empty the edit is
// refused at the secret with a message naming the changed field, and
// nothing is saved. An SMTP connection's port or TLS mode once could change
// alone, and the next test sent the stored password to the new port.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import {
	fieldErrors, mustCreate, postEdit, secretInputs, secretRows, versionRows,
} from '../lib/lifecycle/lc.mjs';
import { connRow } from '../lib/rows.mjs';
import { managerSession, psql, sqlString, tetherctl, uniq } from '../lib/stack.mjs';

let s;
before(async () => {
	s = await managerSession();
});

const SMTP = { connector: 'smtp', protocol: 'basic',
	fields: { host: 'localhost', port: '2525', tls: 'starttls', username: 'mailer', password: 'smtp-pw-1' } };
const HTTP_BASIC = { connector: 'http', protocol: 'basic',
	fields: { url: 'https://127.0.0.1:9', test_path: '/health', test_status: '200', username: 'svc',
		password: 'http-pw-1' } };
const HTTP_CLIENT = { connector: 'http', protocol: 'oauth2_client',
	fields: { url: 'https://127.0.0.1:9', test_path: '/health', test_status: '200',
		token_url: 'https://127.0.0.1:9/token', client_id: 'cid', client_secret: 'client-secret-1',
		scopes: 'read' } };

function snapshot(id) {
	const row = connRow(id);
	return { version: row.version, settings: row.settings, secrets: secretRows(id), versions: versionRows(id).length };
}

for (const [what, spec, change, label, secret] of [
	['an SMTP connection\'s port', SMTP, { port: '465' }, 'Port', 'f.password'],
	['an SMTP connection\'s TLS mode', SMTP, { tls: 'tls' }, 'Encryption', 'f.password'],
	['an SMTP connection\'s server', SMTP, { host: 'mail.example.com' }, 'Server', 'f.password'],
	['an HTTP connection\'s base URL', HTTP_BASIC, { url: 'https://127.0.0.2:9' }, 'Base URL', 'f.password'],
	['an OAuth client\'s token URL', HTTP_CLIENT, { token_url: 'https://127.0.0.2:9/token' }, 'Token URL',
		'f.client_secret'],
]) {
	test(`${what} changed with the secret left empty: refused at the secret, nothing saved`, async () => {
		const c = await mustCreate(s.jar, { ...spec, name: uniq('rebind'), team: s.team.id });
		const before = snapshot(c.id);
		const r = await postEdit(s.jar, c.id, { fields: change });
		assert.equal(r.status, 422, `refused: ${JSON.stringify(fieldErrors(r.res.text))}`);
		const errors = fieldErrors(r.res.text);
		assert.ok(secretInputs(r.res.text).includes(secret));
		assert.equal(errors[secret], `Enter this again: ${label} changed, and a stored secret is never ` +
		    'sent to a new destination.');
		assert.deepEqual(snapshot(c.id), before, 'nothing saved');
		// With the secret entered again the same change is saved.
		// The new destination does not answer: the test before save fails, so
		// the change is saved with Save anyway.
		const ok = await postEdit(s.jar, c.id, { fields: { ...change, [secret.slice(2)]: 'entered-again' },
		    extra: { save_anyway: '1' } });
		assert.equal(ok.status, 303, JSON.stringify(fieldErrors(ok.res.text)));
		for (const [k, v] of Object.entries(change))
			assert.equal(connRow(c.id).settings[k], v);
	});
}

// The connection mode (Direct, or Uplinked through an uplink) is the way out
// to the destination: changing it on Edit is a destination change like the
// fields above (tests/integration/uplink.test.mjs follows it through a proxy).
test('the connection mode changed with the secret left empty: refused at the secret, nothing saved', async () => {
	const name = uniq('rebind-uplink');
	tetherctl('uplink', 'add', name, 'http://127.0.0.1:9');
	const uplink = psql(`SELECT id FROM uplinks WHERE name = ${sqlString(name)}`)[0][0];
	const c = await mustCreate(s.jar, { ...SMTP, name: uniq('rebind'), team: s.team.id });
	const before = snapshot(c.id);
	const r = await postEdit(s.jar, c.id, { extra: { uplink } });
	assert.equal(r.status, 422, `refused: ${JSON.stringify(fieldErrors(r.res.text))}`);
	assert.equal(fieldErrors(r.res.text)['f.password'], 'Enter this again: Connection mode changed, and a ' +
	    'stored secret is never sent to a new destination.');
	assert.deepEqual(snapshot(c.id), before, 'nothing saved');
	const ok = await postEdit(s.jar, c.id, { fields: { password: 'entered-again' },
	    extra: { uplink, save_anyway: '1' } });
	assert.equal(ok.status, 303, JSON.stringify(fieldErrors(ok.res.text)));
	assert.equal(psql(`SELECT uplink_id FROM connections WHERE id = ${c.id}`)[0][0], uplink);
	assert.deepEqual(versionRows(c.id).at(-1).fields, ['uplink', 'password']);
});

test('a connector that is always direct refuses a connection mode on edit', async () => {
	const name = uniq('rebind-uplink');
	tetherctl('uplink', 'add', name, 'http://127.0.0.1:9');
	const uplink = psql(`SELECT id FROM uplinks WHERE name = ${sqlString(name)}`)[0][0];
	const c = await mustCreate(s.jar, { connector: 'servicenow', protocol: 'basic', name: uniq('rebind'),
	    team: s.team.id, fields: { url: 'https://127.0.0.1:9', username: 'svc', password: 'sn-pw-1' } });
	const before = snapshot(c.id);
	const r = await postEdit(s.jar, c.id, { fields: { password: 'sn-pw-2' }, extra: { uplink } });
	assert.equal(r.status, 422);
	assert.equal(fieldErrors(r.res.text).uplink, 'This connector is always direct.');
	assert.deepEqual(snapshot(c.id), before, 'nothing saved');
});
