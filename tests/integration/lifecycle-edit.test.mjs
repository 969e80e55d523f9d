// Connection lifecycle: the Details and
// Related tabs, and editing. Details shows every non-secret setting and each
// secret as "stored, last changed on …", never its value; Related lists the
// flows registered with tetherctl. Edit: a warning step first while flows use
// the connection; connector, protocol, API type, team and context cannot be
// changed by a crafted POST (400), an immutable field posted with another
// value is 422; secrets start empty, an empty one keeps the stored secret
// unless an authentication-bound field changed (then 422 at every secret);
// a stale form is 409 and names who saved in between; a save records a
// version and an audit entry naming the fields, tests, and redirects.
//
// Generic HTTP (Basic) connections point at Basic-auth stand-ins on
// loopback, so that "the stored secret was kept" is shown by a test that
// passes with it, and "never sent to a new destination" by a stand-in that
// receives nothing.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
	auditRows, definitionPairs, editForm, fieldErrors, flowAdd, flowsTable, formControls,
	mustCreate, postEdit, secretInputs, secretRows, snapshot, startBasicStandin, versionRows,
} from '../lib/lifecycle/lc.mjs';
import { connRow, testRows } from '../lib/rows.mjs';
import {
	get, makeUser, managerSession, pageText, post, psql, signIn, uniq,
} from '../lib/stack.mjs';

let s;			// a manager of a team of their own
let home;		// the stand-in a connection starts with (svc / pw-home)
let elsewhere;		// another destination (svc / pw-elsewhere)
const PW_HOME = `pw-home-${uniq('p')}`;
const PW_ELSEWHERE = `pw-elsewhere-${uniq('p')}`;

before(async () => {
	s = await managerSession();
	home = await startBasicStandin({ user: 'svc', password: PW_HOME });
	elsewhere = await startBasicStandin({ user: 'svc', password: PW_ELSEWHERE });
});

after(async () => {
	await home?.close();
	await elsewhere?.close();
});

/** A Generic HTTP (Basic) connection on the home stand-in, tested OK at creation. */
async function httpConn(extra = {}) {
	const c = await mustCreate(s.jar, { connector: 'http', protocol: 'basic', name: uniq('Generic'),
		description: 'Health of the billing API',
		fields: { url: home.url, test_path: '/health', test_status: '200', username: 'svc', password: PW_HOME },
		...extra });
	assert.equal(c.flash.message, `Connection "${c.name}" created. Test: The connection works.`);
	return c;
}

function secretStamp(id, field) {
	return psql(`SELECT to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')
	    FROM connection_secrets WHERE connection_id = ${id} AND field = '${field}'`)[0][0];
}

describe('Details and Related', () => {
	test('Details shows every non-secret setting and each secret as stored, never its value', async () => {
		const token = `tok-${uniq('t')}`;
		const c = await mustCreate(s.jar, { connector: 'jira', protocol: 'cloud', name: uniq('Jira'),
			fields: { url: 'https://acme.invalid/jira', email: 'ops@example.com', api_token: token,
				max_parallel_extractions: '7' } });
		const r = await get(`/connections/${c.id}`, s.jar);
		assert.equal(r.status, 200);
		const pairs = definitionPairs(r.text);
		const value = (label) => pairs.find(([dt]) => dt === label)?.[1];
		assert.equal(value('Site URL'), 'https://acme.invalid/jira');
		assert.equal(value('Maximum parallel extractions'), '7');
		assert.equal(value('Read-only'), 'Yes', 'a ticked box reads Yes (issue 12 §3)');
		assert.equal(value('Account email'), 'ops@example.com');
		assert.equal(value('Connector'), 'Jira');
		assert.equal(value('Authentication protocol'), 'Cloud (API token)');
		assert.equal(value('API token'), `Stored · last changed on ${secretStamp(c.id, 'api_token')}`);
		assert.ok(!r.text.includes(token), 'the secret is not in the page');
		assert.ok(!r.text.includes(Buffer.from(token).toString('base64').slice(0, 12)), 'not even encoded');
	});

	test('Related lists the flows using the connection: name (a link), version, status, owner', async () => {
		const c = await httpConn();
		let r = await get(`/connections/${c.id}/related`, s.jar);
		assert.equal(r.status, 200);
		assert.deepEqual(flowsTable(r.text), []);
		assert.match(pageText(r.text), /No flows use this connection\./);
		const f1 = flowAdd({ name: `Invoice sync ${uniq('f')}`, version: 3, status: 'active', owner: 'Finance ops',
			connections: [c.id] });
		const f2 = flowAdd({ name: `Alert on failures ${uniq('f')}`, version: 12, status: 'inactive', owner: 'SRE',
			connections: [c.id] });
		r = await get(`/connections/${c.id}/related`, s.jar);
		assert.deepEqual(flowsTable(r.text), [
			{ id: f2.id, name: f2.name, version: '12', status: 'Inactive', owner: 'SRE' },
			{ id: f1.id, name: f1.name, version: '3', status: 'Active', owner: 'Finance ops' },
		]);
		assert.match(pageText(r.text), /Flows Using Connection 2 flows/);
		r = await get(`/connections/${c.id}/related?sort=-version`, s.jar);
		assert.deepEqual(flowsTable(r.text).map((f) => f.id), [f2.id, f1.id]);
		r = await get(`/connections/${c.id}/related?sort=version`, s.jar);
		assert.deepEqual(flowsTable(r.text).map((f) => f.id), [f1.id, f2.id]);
	});
});

describe('Edit', () => {
	test('a warning step first while flows use the connection; ?confirm=1 shows the form', async () => {
		const c = await httpConn();
		// No flow: the form at once.
		let r = await get(`/connections/${c.id}/edit`, s.jar);
		assert.equal(r.status, 200);
		assert.deepEqual(secretInputs(r.text), ['f.password']);

		const f = flowAdd({ name: `Nightly export ${uniq('f')}`, version: 4, status: 'active', owner: 'Data team',
			connections: [c.id] });
		r = await get(`/connections/${c.id}/edit`, s.jar);
		assert.equal(r.status, 200);
		assert.ok(!/<form class="panel form conn-form"/.test(r.text), 'no form on the warning step');
		assert.match(pageText(r.text), new RegExp(`Edit ${c.name}\\? Edits are permanent and take effect ` +
		    'immediately\\. They affect the 1 flow that uses this connection:'));
		assert.deepEqual(flowsTable(r.text), [{ id: f.id, name: f.name, version: '4', status: 'Active', owner: 'Data team' }]);
		assert.match(r.text, new RegExp(`<a class="btn btn-primary" href="/connections/${c.id}/edit\\?confirm=1">Continue to edit</a>`));
		r = await get(`/connections/${c.id}/edit?confirm=1`, s.jar);
		assert.equal(r.status, 200);
		assert.deepEqual(secretInputs(r.text), ['f.password']);
		assert.match(pageText(r.text), /Changes take effect as soon as you save, in the one flow that uses this connection\./);
	});

	test('the form: connector, protocol, API type, team and context disabled; secrets empty, said to be stored', async () => {
		const c = await mustCreate(s.jar, { connector: 'celonis', protocol: 'app_key', apiType: 'data_push',
			name: uniq('Celonis'), fields: { domain: 'acme.eu-1.invalid', pool_id: 'pool-1', app_key: 'app-key-1' } });
		const { res, body } = await editForm(s.jar, c.id);
		const ctl = (id) => formControls(res.text).find((x) => x.id === id);
		for (const id of ['f-connector', 'f-protocol', 'f-api_type', 'f-team', 'f-context', 'f-f.domain']) {
			assert.ok(ctl(id), `${id} is shown`);
			assert.equal(ctl(id).disabled, true, `${id} is disabled`);
		}
		assert.equal(ctl('f-connector').value, 'Celonis');
		assert.equal(ctl('f-protocol').value, 'Application key');
		assert.equal(ctl('f-api_type').value, 'Data push API');
		assert.equal(ctl('f-f.domain').value, 'acme.eu-1.invalid');
		// What a browser submits: no connector, protocol, API type, team, context or domain.
		assert.deepEqual(Object.keys(body).sort(),
		    ['check_interval', 'csrf', 'description', 'f.app_key', 'f.app_key.expires_on', 'f.pool_id', 'name',
			'once', 'version']);
		assert.match(body.once, /^[A-Za-z0-9_-]{22}$/, 'a one-time token: a second click saves nothing');
		assert.equal(body.check_interval, 'default', 'the scheduled check (health-ui.test.mjs)');
		assert.equal(body['f.app_key.expires_on'], '', 'no expiry date stored');
		assert.equal(body.version, '1');
		assert.equal(body['f.app_key'], '');
		assert.equal(ctl('f-f.app_key').value, undefined, 'the secret input has no value');
		assert.match(ctl('f-f.app_key').tag, /autocomplete="new-password"/);
		assert.ok(!res.text.includes('app-key-1'), 'the secret is not in the page');
		assert.match(pageText(res.text), new RegExp(`Stored, last changed on ${secretStamp(c.id, 'app_key')} ?\\. ` +
		    'Leave empty to keep it\\.'));
	});

	for (const [what, extra] of [
		['connector', { connector: 'jira' }],
		['protocol', { protocol: 'api_key' }],
		['API type', { api_type: 'intelligence' }],
		['owner team', { team: '1' }],
		['execution context', { context: 'per_user' }],
	]) {
		test(`the ${what} cannot be changed by a crafted POST: 400, nothing saved`, async () => {
			const c = await mustCreate(s.jar, { connector: 'celonis', protocol: 'app_key', apiType: 'data_push',
				name: uniq('Celonis'), fields: { domain: 'acme.invalid', pool_id: 'pool-1', app_key: 'k1' } });
			const before = snapshot(c.id);
			const r = await postEdit(s.jar, c.id, { extra: { ...extra, description: 'changed' } });
			assert.equal(r.status, 400, pageText(r.res.text).slice(0, 200));
			assert.deepEqual(snapshot(c.id), before);
		});
	}

	test('an immutable field (Celonis domain) posted with another value: 422 at it, nothing saved', async () => {
		const c = await mustCreate(s.jar, { connector: 'celonis', protocol: 'app_key', apiType: 'data_push',
			name: uniq('Celonis'), fields: { domain: 'acme.invalid', pool_id: 'pool-1', app_key: 'k1' } });
		const before = snapshot(c.id);
		let r = await postEdit(s.jar, c.id, { fields: { domain: 'evil.invalid', app_key: 'k2' },
			extra: { description: 'changed' } });
		assert.equal(r.status, 422);
		assert.deepEqual(fieldErrors(r.res.text), { 'f.domain': 'This cannot be changed after creation.' });
		assert.deepEqual(snapshot(c.id), before);
		// The same value, as a browser that sent it anyway would: accepted.
		r = await postEdit(s.jar, c.id, { fields: { domain: 'acme.invalid' }, extra: { description: 'changed' } });
		assert.equal(r.status, 303, JSON.stringify(fieldErrors(r.res.text)));
		assert.equal(connRow(c.id).settings.domain, 'acme.invalid');
		assert.equal(connRow(c.id).description, 'changed');
	});

	test('a secret left empty keeps the stored one (the test passes with it)', async () => {
		const c = await httpConn();
		const before = secretRows(c.id);
		const n = home.requests.length;
		const r = await postEdit(s.jar, c.id, { fields: { test_status: '200', password: '' },
			extra: { description: 'Only the description changed' } });
		assert.equal(r.status, 303, JSON.stringify(fieldErrors(r.res.text)));
		assert.equal(r.flash.message, `Saved "${c.name}"; the change is live for every flow using it. ` +
		    'Test: The connection works.');
		assert.deepEqual(secretRows(c.id), before, 'the secret row is untouched');
		assert.equal(home.requests.length, n + 1, 'the edit tested the connection');
		assert.equal(home.requests.at(-1).authorization,
		    'Basic ' + Buffer.from(`svc:${PW_HOME}`).toString('base64'), 'with the stored secret');
		assert.deepEqual(versionRows(c.id).at(-1).fields, ['description']);
	});

	for (const [what, fields, label] of [
		['the URL', (u) => ({ url: u }), 'Base URL'],
		['the user name', () => ({ username: 'svc2' }), 'User name'],
		['the URL and the user name', (u) => ({ url: u, username: 'svc2' }), 'Base URL, User name'],
	]) {
		test(`${what} changed, secret left empty: 422 at every secret, nothing saved or sent`, async () => {
			const c = await httpConn();
			const before = snapshot(c.id);
			const sent = elsewhere.requests.length + home.requests.length;
			const r = await postEdit(s.jar, c.id, { fields: fields(elsewhere.url) });
			assert.equal(r.status, 422);
			const errors = fieldErrors(r.res.text);
			assert.deepEqual(Object.keys(errors), secretInputs(r.res.text), 'a message at each secret, nowhere else');
			assert.equal(errors['f.password'], `Enter this again: ${label} changed, and a stored secret is never ` +
			    'sent to a new destination.');
			for (const [k, v] of Object.entries(fields(elsewhere.url)))
				assert.equal(formControls(r.res.text).find((x) => x.name === `f.${k}`).value, v, `${k} is kept`);
			assert.deepEqual(snapshot(c.id), before, 'nothing saved');
			assert.equal(elsewhere.requests.length + home.requests.length, sent, 'nothing sent anywhere');
		});
	}

	test('the URL changed with the secret entered again: saved, tested at the new destination', async () => {
		const c = await httpConn();
		const old = secretRows(c.id)[0];
		const r = await postEdit(s.jar, c.id, { fields: { url: elsewhere.url, password: PW_ELSEWHERE } });
		assert.equal(r.status, 303, JSON.stringify(fieldErrors(r.res.text)));
		assert.equal(r.res.headers.get('location'), `/connections/${c.id}`);
		assert.match(r.flash.message, /Test: The connection works\.$/);
		assert.equal(r.flash.kind, 'success');
		const now = secretRows(c.id)[0];
		assert.notEqual(now.ct, old.ct, 'the secret was sealed again');
		assert.equal(elsewhere.requests.at(-1).authorization,
		    'Basic ' + Buffer.from(`svc:${PW_ELSEWHERE}`).toString('base64'));
		const v = versionRows(c.id).at(-1);
		assert.deepEqual([v.version, [...v.fields].sort(), v.settings], [2, ['password', 'url'],
			{ url: elsewhere.url, test_path: '/health', test_status: '200', username: 'svc' }]);
		const audit = auditRows(c.id, 'connection_edit', s.user.id);
		assert.equal(audit.length, 1);
		assert.deepEqual([...audit[0].details.fields].sort(), ['password', 'url']);
		assert.ok(!JSON.stringify(audit).includes(PW_ELSEWHERE), 'field names, never values');
		assert.deepEqual(testRows(c.id).map((t) => [t.trigger, t.result]), [['create', 'ok'], ['edit', 'ok']]);
		assert.equal(connRow(c.id).version, 2);
		// The details page shows the new version in its history.
		const d = await get(`/connections/${c.id}`, s.jar);
		assert.match(pageText(d.text), /Version 2 Current .*(Base URL, Password|Password, Base URL)/);
	});

	test('a successful save records a version and an audit entry naming the changed fields, then tests', async () => {
		const c = await httpConn();
		const r = await postEdit(s.jar, c.id, { fields: { test_path: '/nowhere', test_status: '404' },
			extra: { name: `${c.name} (renamed)`, description: 'New words' } });
		assert.equal(r.status, 303);
		assert.equal(r.flash.message, `Saved "${c.name} (renamed)"; the change is live for every flow using it. ` +
		    'Test: The connection works.');
		const row = connRow(c.id);
		assert.deepEqual([row.name, row.description, row.version, row.settings.test_path, row.settings.test_status],
		    [`${c.name} (renamed)`, 'New words', 2, '/nowhere', '404']);
		const changed = ['description', 'name', 'test_path', 'test_status'];
		assert.deepEqual(versionRows(c.id).map((v) => [v.version, [...v.fields].sort()]),
		    [[1, ['password', 'test_path', 'test_status', 'url', 'username']], [2, changed]]);
		const audit = auditRows(c.id, 'connection_edit', s.user.id);
		assert.equal(audit.length, 1);
		assert.deepEqual(Object.keys(audit[0].details), ['fields']);
		assert.deepEqual([...audit[0].details.fields].sort(), changed);
		assert.equal(audit[0].actorId, String(s.user.id));
		assert.equal(testRows(c.id).at(-1).trigger, 'edit');
		// The message is shown once on the page it redirects to.
		const d = await get(`/connections/${c.id}`, s.jar);
		assert.match(pageText(d.text), /Saved ".*\(renamed\)"; the change is live for every flow using it\./);
	});

	test('nothing changed: nothing saved, no version, a message saying so', async () => {
		const c = await httpConn();
		const before = snapshot(c.id);
		const r = await postEdit(s.jar, c.id, {});
		assert.equal(r.status, 303);
		assert.deepEqual(r.flash, { kind: 'info', message: 'Nothing changed, so nothing was saved.' });
		assert.deepEqual(snapshot(c.id), before);
	});

	test('a stale form (someone saved in between): 409, nothing saved, the page names who', async () => {
		const c = await httpConn();
		const other = makeUser({ name: 'Other Manager', teams: [{ name: s.team.name, role: 'manager' }] });
		const { jar: otherJar } = await signIn(other.email, other.password);
		// Mine is opened first, at version 1.
		const mine = await editForm(s.jar, c.id);
		assert.equal(mine.body.version, '1');
		// The other manager saves: version 2.
		const theirs = await postEdit(otherJar, c.id, { extra: { description: 'Their change' } });
		assert.equal(theirs.status, 303);
		const before = snapshot(c.id);
		assert.equal(before.row.version, 2);
		// Mine, posted with version 1.
		const body = { ...mine.body, description: 'My change', 'f.test_path': '/mine', 'f.password': 'typed-secret' };
		const r = await post(`/connections/${c.id}/edit`, body, s.jar);
		assert.equal(r.status, 409);
		const text = pageText(r.text);
		assert.match(text, new RegExp(`Someone else saved this connection \\(${other.email.replace(/\./g, '\\.')}, ` +
		    '[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} ?\\) after you opened it\\.'));
		assert.match(text, /Nothing was saved; review and save again\./);
		assert.deepEqual(snapshot(c.id), before, 'nothing saved');
		assert.equal(connRow(c.id).description, 'Their change');
		// The form comes back with my values (not the secret) and the current version.
		const ctl = (name) => formControls(r.text).find((x) => x.name === name);
		assert.equal(ctl('description').value, 'My change');
		assert.equal(ctl('f.test_path').value, '/mine');
		assert.equal(ctl('f.password').value, undefined);
		assert.ok(!r.text.includes('typed-secret'));
		assert.equal(ctl('version').value, '2');
	});

	test('a malformed version is refused without an error page or a save', async () => {
		const c = await httpConn();
		const before = snapshot(c.id);
		const bad = [];
		for (const version of ['1x', '1.5', '', '-1', '1e0']) {
			const r = await postEdit(s.jar, c.id, { extra: { version, description: `with version "${version}"` } });
			if (![400, 409].includes(r.status))
				bad.push(`version "${version}": ${r.status}`);
		}
		assert.deepEqual(bad, [], 'each is 400 (malformed) or 409 (not the current version)');
		assert.deepEqual(snapshot(c.id), before, 'nothing saved');
	});
});
