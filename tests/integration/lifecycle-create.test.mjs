// Connection lifecycle, creating: every rule of
// the New connection form through the real form. Invalid input is 422 with a
// message next to each field, the values kept except secrets, nothing saved;
// names are unique per owner team, case-insensitively; a crafted form
// (another connector, protocol or API type, a field the protocol does not
// declare) is 400 — fields of another protocol or API type of the connector
// are 422 with a message; a good form is 303 to the details page with version 1, the
// secrets sealed and an audit entry naming the fields (never the values).

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import {
	auditRows, countByName, createConn, fieldErrors, formControls, mustCreate, postEdit,
	secretRows, versionRows,
} from '../lib/lifecycle/lc.mjs';
import { connRow } from '../lib/rows.mjs';
import { managerSession, pageText, psql, uniq } from '../lib/stack.mjs';

let s;			// { user, team, jar }: a manager of a team of their own

/** Connections, secrets and create audits of the team: what "nothing saved" compares. */
function teamState(teamId) {
	const [r] = psql(`SELECT (SELECT count(*) FROM connections WHERE owner_team_id = ${teamId}),
	    (SELECT count(*) FROM connection_secrets cs JOIN connections c ON c.id = cs.connection_id
	        WHERE c.owner_team_id = ${teamId}),
	    (SELECT count(*) FROM audit_log WHERE action = 'connection_create' AND actor_user_id = ${s.user.id})`);
	return { connections: Number(r[0]), secrets: Number(r[1]), audits: Number(r[2]) };
}

/** The value attribute a control of the re-rendered form carries (by input name). */
function shown(html, name) {
	return formControls(html).find((c) => c.name === name)?.value;
}

before(async () => {
	s = await managerSession();
});

describe('invalid input: 422, a message next to each field, values kept except secrets, nothing saved', () => {
	const cases = [
		{
			what: 'required fields left empty',
			spec: { connector: 'jira', protocol: 'cloud', name: '', fields: { url: '', email: '', api_token: '' } },
			errors: { name: 'Enter a value.', 'f.url': 'Enter a value.', 'f.email': 'Enter a value.',
				'f.api_token': 'Enter a value.' },
		},
		{
			what: 'lengths: name over 120, description over 2000, URL over 2048, secret over 4096, SAP user over 40',
			spec: { connector: 'sap', protocol: 'basic', name: 'n'.repeat(121), description: 'd'.repeat(2001),
				fields: { url: 'https://s4.invalid/' + 'p'.repeat(2040), client: '100', username: 'u'.repeat(41),
					password: 'SECRET-LONG-' + 's'.repeat(4090) } },
			errors: { name: 'Use at most 120 characters.', description: 'Use at most 2000 characters.',
				'f.url': 'Use at most 2048 characters.', 'f.username': 'Use at most 40 characters.',
				'f.password': 'Use at most 4096 characters.' },
		},
		{
			what: 'numbers out of range or not whole, a checkbox with another value',
			spec: { connector: 'jira', protocol: 'cloud',
				fields: { url: 'https://acme.invalid', email: 'ops@example.com', api_token: 'SECRET-NUM-1',
					max_parallel_extractions: '51', read_only: '2' } },
			errors: { 'f.max_parallel_extractions': 'Enter a whole number between 1 and 50.',
				'f.read_only': 'Tick the box or leave it empty.' },
		},
		{
			what: 'numbers: 0',
			spec: { connector: 'jira', protocol: 'server',
				fields: { url: 'https://jira.invalid', username: 'u', password: 'SECRET-NUM-3',
					max_parallel_extractions: '0' } },
			errors: { 'f.max_parallel_extractions': 'Enter a whole number between 1 and 50.' },
		},
		{
			what: 'numbers: a fraction',
			spec: { connector: 'jira', protocol: 'server',
				fields: { url: 'https://jira.invalid', username: 'u', password: 'SECRET-NUM-4',
					max_parallel_extractions: '4.5' } },
			errors: { 'f.max_parallel_extractions': 'Enter a whole number between 1 and 50.' },
		},
		{
			what: 'a port over 65535',
			spec: { connector: 'smtp', protocol: 'basic',
				fields: { host: 'smtp.invalid', port: '65536', tls: 'starttls', username: 'u', password: 'SECRET-NUM-2' } },
			errors: { 'f.port': 'Enter a whole number between 1 and 65535.' },
		},
		{
			what: 'URL with user-info',
			spec: { connector: 'jira', protocol: 'cloud',
				fields: { url: 'https://bob:hunter2@acme.invalid', email: 'ops@example.com', api_token: 'SECRET-URL-1' } },
			errors: { 'f.url': 'Remove the user name and password from the address.' },
		},
		{
			what: 'URL with only a user name before the host (and a port and path)',
			spec: { connector: 'servicenow', protocol: 'basic',
				fields: { url: 'https://admin@acme.invalid:8443/now', username: 'u', password: 'SECRET-URL-2' } },
			errors: { 'f.url': 'Remove the user name and password from the address.' },
		},
		{
			what: 'URL over http where the connector wants https',
			spec: { connector: 'jira', protocol: 'server',
				fields: { url: 'http://jira.invalid', username: 'u', password: 'SECRET-URL-3' } },
			errors: { 'f.url': 'The address must start with https://.' },
		},
		{
			what: 'URL with a fragment; an email without a domain',
			spec: { connector: 'jira', protocol: 'cloud',
				fields: { url: 'https://acme.invalid/#x', email: 'not-an-email', api_token: 'SECRET-URL-4' } },
			errors: { 'f.url': 'Remove the # and what follows it from the address.',
				'f.email': 'Enter an email address like name@example.com.' },
		},
		{
			what: 'URL with port 0',
			spec: { connector: 'sap', protocol: 'basic',
				fields: { url: 'https://s4.invalid:0', client: '100', username: 'u', password: 'SECRET-URL-5' } },
			errors: { 'f.url': 'Use a port between 1 and 65535.' },
		},
		{
			what: 'Generic HTTP: a scheme neither http nor https, a test path not starting with /, a status under 100',
			spec: { connector: 'http', protocol: 'basic',
				fields: { url: 'ftp://files.invalid', test_path: 'health', test_status: '99', username: 'u',
					password: 'SECRET-URL-6' } },
			errors: { 'f.url': 'The address must start with https:// or http://.',
				'f.test_path': 'The value does not have the expected form.',
				'f.test_status': 'Enter a whole number between 100 and 599.' },
		},
		{
			what: 'a host name given as a URL, a pool ID not matching its pattern',
			spec: { connector: 'celonis', protocol: 'app_key', apiType: 'data_push',
				fields: { domain: 'https://acme.invalid', pool_id: 'pool 1', app_key: 'SECRET-PAT-1' } },
			errors: { 'f.domain': 'Enter a host name like example.com.',
				'f.pool_id': 'The value does not have the expected form.' },
		},
		{
			what: 'a select with an unknown option, a host name with a port',
			spec: { connector: 'smtp', protocol: 'basic',
				fields: { host: 'smtp.invalid:25', port: '587', tls: 'ssl', username: 'u', password: 'SECRET-SEL-1' } },
			errors: { 'f.host': 'Enter a host name like example.com.', 'f.tls': 'Choose one of the options.' },
		},
		{
			what: 'scopes with quotes, tenant not matching its pattern',
			spec: { connector: 'msgraph', protocol: 'oauth2_code',
				fields: { tenant: 'bad tenant!', client_id: 'cid', client_secret: 'SECRET-SCO-1', scopes: 'Files.Read "x"' } },
			errors: { 'f.tenant': 'The value does not have the expected form.',
				'f.scopes': 'Scopes are words separated by spaces, without quotes or backslashes.' },
		},
		{
			what: 'URL with spaces',
			spec: { connector: 'jira', protocol: 'cloud',
				fields: { url: 'https://acme .invalid', email: 'ops@example.com', api_token: 'SECRET-URL-7' } },
			errors: { 'f.url': 'Remove the spaces from the address.' },
		},
	];

	for (const c of cases) {
		test(c.what, async () => {
			const before = teamState(s.team.id);
			const name = c.spec.name ?? uniq('bad');
			const r = await createConn(s.jar, { ...c.spec, name });
			assert.equal(r.status, 422, `${c.what}: ${pageText(r.res.text).slice(0, 300)}`);
			assert.deepEqual(fieldErrors(r.res.text), c.errors, 'exactly these fields carry these messages');
			assert.match(pageText(r.res.text), /Nothing was saved\. Correct the fields marked below\./);
			// Each message is next to its control: the control points at it.
			for (const input of Object.keys(c.errors)) {
				const ctl = formControls(r.res.text).find((x) => x.name === input);
				assert.ok(ctl, `the form still has ${input}`);
				assert.match(ctl.tag, new RegExp(`aria-describedby="[^"]*f-${input.replace('.', '\\.')}-error`),
				    `${input} is described by its error`);
				assert.match(ctl.tag, /aria-invalid="true"/, `${input} is marked invalid`);
			}
			// Values kept (non-secret), secrets never echoed.
			for (const [k, v] of Object.entries(c.spec.fields)) {
				const ctl = formControls(r.res.text).find((x) => x.name === `f.${k}`);
				if (ctl.type === 'password') {
					assert.equal(ctl.value, undefined, `secret ${k} is not echoed`);
					if (v !== '')
						assert.ok(!r.res.text.includes(v), `the secret value of ${k} is nowhere in the page`);
				} else if (ctl.type === 'checkbox') {
					assert.equal(ctl.checked, v !== '' && v !== '0', `checkbox ${k} as posted`);
				} else if (ctl.element === 'select') {
					assert.ok(ctl.options.every((o) => !o.selected || o.value === v), `select ${k}`);
				} else {
					assert.equal(ctl.value ?? '', v, `${k} keeps what was typed`);
				}
			}
			if (c.spec.name !== '')
				assert.equal(shown(r.res.text, 'name'), name, 'the name is kept');
			if (c.spec.description)
				assert.equal(shown(r.res.text, 'description'), c.spec.description, 'the description is kept');
			assert.deepEqual(teamState(s.team.id), before, 'nothing saved: no connection, secret or audit entry');
		});
	}
});

describe('names are unique per owner team, case-insensitively', () => {
	test('the same name in other letter case is 422 at the name; in another team it is fine', async () => {
		const name = `Jira Production ${uniq('u')}`;
		const first = await mustCreate(s.jar, { connector: 'jira', protocol: 'cloud', name,
			fields: { url: 'https://acme.invalid', email: 'ops@example.com', api_token: 'SECRET-UNIQ-1' } });
		const before = teamState(s.team.id);
		const again = await createConn(s.jar, { connector: 'sap', protocol: 'basic', name: name.toUpperCase(),
			fields: { url: 'https://s4.invalid', client: '100', username: 'u', password: 'SECRET-UNIQ-2' } });
		assert.equal(again.status, 422);
		assert.deepEqual(fieldErrors(again.res.text),
		    { name: 'A connection with this name already exists in that team.' });
		assert.equal(shown(again.res.text, 'name'), name.toUpperCase(), 'the typed name is kept');
		assert.ok(!again.res.text.includes('SECRET-UNIQ-2'), 'the secret is not echoed');
		assert.deepEqual(teamState(s.team.id), before, 'nothing saved');
		assert.equal(countByName(s.team.id, name), 1);

		// Another team (the same user manages both) may use the name.
		const other = await managerSession();
		const there = await mustCreate(other.jar, { connector: 'jira', protocol: 'cloud', name: name.toLowerCase(),
			fields: { url: 'https://acme.invalid', email: 'ops@example.com', api_token: 'SECRET-UNIQ-3' } });
		assert.notEqual(there.id, first.id);
		assert.equal(connRow(there.id).name, name.toLowerCase());
	});

	test('renaming on edit to a name taken in the team (other case) is 422 and saves nothing', async () => {
		const a = await mustCreate(s.jar, { connector: 'sap', protocol: 'basic', name: `Alpha ${uniq('r')}`,
			fields: { url: 'https://s4.invalid', client: '100', username: 'u', password: 'SECRET-REN-1' } });
		const b = await mustCreate(s.jar, { connector: 'sap', protocol: 'basic', name: `Beta ${uniq('r')}`,
			fields: { url: 'https://s4.invalid', client: '100', username: 'u', password: 'SECRET-REN-2' } });
		const r = await postEdit(s.jar, b.id, { extra: { name: a.name.toUpperCase() } });
		assert.equal(r.status, 422);
		assert.deepEqual(fieldErrors(r.res.text), { name: 'A connection with this name already exists in the team.' });
		assert.equal(connRow(b.id).name, b.name, 'nothing saved');
		assert.equal(connRow(b.id).version, 1);
	});

	test('a name that differs only by surrounding spaces is the same name', async () => {
		const name = `Gamma ${uniq('sp')}`;
		await mustCreate(s.jar, { connector: 'sap', protocol: 'basic', name,
			fields: { url: 'https://s4.invalid', client: '100', username: 'u', password: 'SECRET-SP-1' } });
		const before = teamState(s.team.id);
		const r = await createConn(s.jar, { connector: 'sap', protocol: 'basic', name: ` ${name}  `,
			fields: { url: 'https://s4.invalid', client: '100', username: 'u', password: 'SECRET-SP-2' } });
		assert.equal(r.status, 422, `" ${name}  " was accepted beside "${name}" (status ${r.status}): ` +
		    'two connections the pages show with the same name');
		assert.ok(fieldErrors(r.res.text).name, 'the message is at the name');
		assert.deepEqual(teamState(s.team.id), before, 'nothing saved');
	});
});

describe('a crafted form is 400 and saves nothing', () => {
	const good = { url: 'https://acme.invalid', email: 'ops@example.com', api_token: 'SECRET-CRAFT' };
	const cases = [
		['an unknown connector', { connector: 'jira', protocol: 'cloud', fields: good, extra: { connector: 'nope' } }],
		['an unknown protocol', { connector: 'jira', protocol: 'cloud', fields: good, extra: { protocol: 'oauth9' } }],
		['a protocol of another connector', { connector: 'jira', protocol: 'cloud', fields: good,
			extra: { protocol: 'app_key' } }],
		['an API type on a connector without API types', { connector: 'jira', protocol: 'cloud', fields: good,
			extra: { api_type: 'data_push' } }],
		['an unknown API type', { connector: 'celonis', protocol: 'app_key', apiType: 'intelligence',
			fields: { domain: 'acme.invalid', app_key: 'SECRET-CRAFT' }, extra: { api_type: 'bogus' } }],
		['a field no protocol of the connector declares', { connector: 'jira', protocol: 'cloud',
			fields: { ...good, bogus: 'x' } }],
		['a form field the page does not declare (version)', { connector: 'jira', protocol: 'cloud',
			fields: good, extra: { version: '1' } }],
	];
	for (const [what, spec] of cases) {
		test(what, async () => {
			const before = teamState(s.team.id);
			const r = await createConn(s.jar, spec);
			assert.equal(r.status, 400, `${what}: ${pageText(r.res.text).slice(0, 200)}`);
			assert.match(pageText(r.res.text), /Error 400/);
			assert.ok(!r.res.text.includes('SECRET-CRAFT'), 'no secret echoed');
			assert.deepEqual(teamState(s.team.id), before, 'nothing saved');
		});
	}
});

// Fields of another protocol or API type of the same connector: the form
// for the chosen one again, with a clear message, nothing saved (issue 12).
describe('fields of another protocol or API type are 422 with a message and save nothing', () => {
	const cases = [
		['a field of another protocol (password on Jira Cloud)', { connector: 'jira', protocol: 'cloud',
			fields: { url: 'https://acme.invalid', email: 'ops@example.com', api_token: 'SECRET-CRAFT',
				password: 'x' } }],
		['a field of another API type (pool ID on the Intelligence API)', { connector: 'celonis',
			protocol: 'app_key', apiType: 'intelligence',
			fields: { domain: 'acme.invalid', app_key: 'SECRET-CRAFT', pool_id: 'pool-1' } }],
		['fields drawn for another API type (shown)', { connector: 'celonis', protocol: 'app_key',
			apiType: 'data_push', fields: { domain: 'acme.invalid', app_key: 'SECRET-CRAFT' },
			extra: { shown: 'app_key/intelligence' } }],
	];
	for (const [what, spec] of cases) {
		test(what, async () => {
			const before = teamState(s.team.id);
			const r = await createConn(s.jar, spec);
			assert.equal(r.status, 422, `${what}: ${pageText(r.res.text).slice(0, 200)}`);
			assert.match(pageText(r.res.text), /Nothing was saved: the (form carried fields of|fields you filled in were for) another authentication protocol or API type/);
			assert.ok(!r.res.text.includes('SECRET-CRAFT'), 'no secret echoed');
			assert.deepEqual(teamState(s.team.id), before, 'nothing saved');
		});
	}
});

test('a good form: 303 to the details page, version 1, secrets sealed, audit names the fields', async () => {
	const secret = `SECRET-GOOD-${uniq('g')}`;
	const name = `Celonis data push ${uniq('c')}`;
	const c = await mustCreate(s.jar, { connector: 'celonis', protocol: 'app_key', apiType: 'data_push', name,
		description: 'Pushes invoices', fields: { domain: 'acme.eu-1.invalid', pool_id: 'pool-abc123', app_key: secret } });
	assert.equal(c.res.headers.get('location'), `/connections/${c.id}`);
	assert.match(c.flash.message, new RegExp(`^Connection "${name}" created\\. Test: `));
	const row = connRow(c.id);
	assert.deepEqual([row.name, row.description, row.connector, row.protocol, row.apiType, row.version, row.teamId],
	    [name, 'Pushes invoices', 'celonis', 'app_key', 'data_push', 1, String(s.team.id)]);
	assert.deepEqual(row.settings, { domain: 'acme.eu-1.invalid', pool_id: 'pool-abc123' });
	const secrets = secretRows(c.id);
	assert.deepEqual(secrets.map((x) => x.field), ['app_key']);
	assert.ok(!secrets[0].ct.includes(Buffer.from(secret).toString('hex')), 'the ciphertext is not the plaintext');
	assert.deepEqual(versionRows(c.id).map((v) => [v.version, [...v.fields].sort()]),
	    [[1, ['app_key', 'domain', 'pool_id']]]);
	const audit = auditRows(c.id, 'connection_create', s.user.id);
	assert.equal(audit.length, 1);
	assert.equal(audit[0].outcome, 'success');
	assert.equal(audit[0].actorId, String(s.user.id));
	assert.deepEqual([...audit[0].details.fields].sort(), ['app_key', 'domain', 'pool_id']);
	assert.ok(!JSON.stringify(audit).includes(secret), 'the audit entry has no secret');
	// Tested at once: one test row with the trigger "create".
	const [t] = psql(`SELECT trigger, count(*) OVER () FROM connection_tests WHERE connection_id = ${c.id}`);
	assert.deepEqual(t, ['create', '1']);
});
