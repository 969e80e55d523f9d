// tetherctl's flow registry and API token commands: flow add|update|remove|list, checked as the API checks, each
// change audited as 'tetherctl'; token add|revoke|list, the token printed
// once and stored only as its hash.

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { seed } from '../lib/list.mjs';
import { apiCall } from '../lib/openapi.mjs';
import { flowConns, flowFields, flowRow, flowsNamed } from '../lib/rows.mjs';
import { makeUser, psql, psqlValue, sqlString, tetherctl, uniq } from '../lib/stack.mjs';

const P = uniq('CLI');

let s;

const cid = (key) => s.connections[key].id;

/** tetherctl that does not throw: { status, stdout, stderr }. */
const ctl = (...args) => tetherctl(...args, { check: false });

function audit(type, id) {
	return psql(`SELECT action, outcome, actor_label, COALESCE(actor_user_id::text, ''),
	    object_label, details::text FROM audit_log
	    WHERE object_type = ${sqlString(type)} AND object_id = ${Number(id)} ORDER BY id`)
	    .map(([action, outcome, label, actor, object, details]) =>
		({ action, outcome, label, actor, object, details: JSON.parse(details) }));
}

before(() => {
	s = seed(P, {
		teams: ['a'],
		connections: [
			{ key: 'one', team: 'a', name: 'CLI One' },
			{ key: 'two', team: 'a', name: 'CLI Two' },
			{ key: 'three', team: 'a', name: 'CLI Three' },
		],
	});
});

describe('tetherctl flow', () => {
	test('add prints the id, saves every field and the connections, audits', () => {
		const name = `${P} invoice sync`;
		const out = tetherctl('flow', 'add', '--name', name, '--version', '3', '--status',
		    'active', '--owner', 'Finance', '--description', 'Nightly\nsync',
		    '--progress', 'Running', '--connection', cid('one'), '--connection', cid('two'));
		assert.match(out, /^\d+\n$/, 'only the new id on stdout');
		const id = out.trim();
		const row = psql(`SELECT name, version, status, owner, description = E'Nightly\\nsync',
		    progress_status FROM flows WHERE id = ${id}`)[0];
		assert.deepEqual(row, [name, '3', 'active', 'Finance', 't', 'Running']);
		assert.deepEqual(flowConns(id), [cid('one'), cid('two')].sort((a, b) => a - b));
		const log = audit('flow', id);
		assert.equal(log.length, 1);
		assert.equal(log[0].action, 'flow_create');
		assert.equal(log[0].outcome, 'success');
		assert.equal(log[0].label, 'tetherctl');
		assert.equal(log[0].actor, '');
		assert.equal(log[0].object, name);
		assert.deepEqual(log[0].details.connections.map(String), [cid('one'), cid('two')]);

		const list = tetherctl('flow', 'list');
		const line = list.split('\n').find((l) => l.startsWith(`${id}\t`));
		assert.equal(line, `${id}\t${name}\t3\tactive\tFinance\t` +
		    [cid('one'), cid('two')].sort((a, b) => a - b).join(','));
		assert.match(list.split('\n')[0], /^ID\tNAME\tVERSION\tSTATUS\tOWNER\tCONNECTIONS$/);
	});

	test('add refuses bad input with a clear message and saves nothing', () => {
		const name = `${P} refused`;
		const base = ['--name', name, '--version', '1', '--status', 'draft'];
		const cases = [
			[['--name', name, '--version', '1'], /--status/],
			[['--name', name, '--status', 'draft'], /--version/],
			[['--version', '1', '--status', 'draft'], /--name/],
			[[...base.slice(0, 4), '--status', 'paused'], /--status: .*active, inactive or draft/],
			[['--name', name, '--version', '0', '--status', 'draft'], /--version/],
			[['--name', name, '--version', '1000001', '--status', 'draft'], /--version/],
			[['--name', name, '--version', 'two', '--status', 'draft'], /--version/],
			[['--name', 'x'.repeat(201), '--version', '1', '--status', 'draft'],
			    /--name: Use at most 200 characters/],
			[['--name', '  ', '--version', '1', '--status', 'draft'], /--name/],
			[[...base, '--owner', 'o'.repeat(201)], /--owner/],
			[[...base, '--description', 'd'.repeat(2001)], /--description/],
			[[...base, '--progress', 'p'.repeat(101)], /--progress/],
			[[...base, '--connection', 'abc'], /--connection must be a positive number/],
			[[...base, '--connection', cid('one'), '--connection', cid('one')],
			    /listed twice/],
			[[...base, '--connection', cid('one'), '--connection', '999999999'],
			    /connection 999999999 does not exist/],
		];
		for (const [args, message] of cases) {
			const r = ctl('flow', 'add', ...args);
			assert.equal(r.status, 1, `${args.join(' ').slice(0, 80)}: exit 1 (${r.stderr})`);
			assert.match(r.stderr, message, args.join(' ').slice(0, 80));
			assert.equal(r.stdout, '', 'nothing on stdout');
		}
		assert.equal(flowsNamed(name), 0, 'nothing saved');
		const many = [];
		for (let i = 1; i <= 101; i++)
			many.push('--connection', String(i));
		const r = ctl('flow', 'add', ...base, ...many);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /at most 100 connections/);
	});

	test('usage errors exit 2', () => {
		for (const args of [['flow'], ['flow', 'frobnicate'], ['flow', 'add', '--bogus', 'x'],
		    ['flow', 'add', '--name'], ['flow', 'remove'], ['flow', 'list', 'x'],
		    ['flow', 'update'], ['flow', 'add', '--name', 'a', '--name', 'b']]) {
			const r = ctl(...args);
			assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
			assert.match(r.stderr, /usage/);
		}
	});

	test('update changes what is given; --connection replaces the set', () => {
		const name = `${P} update me`;
		const id = tetherctl('flow', 'add', '--name', name, '--version', '1', '--status',
		    'draft', '--owner', 'Ops', '--connection', cid('one')).trim();

		let out = tetherctl('flow', 'update', id, '--version', '2', '--status', 'active');
		assert.match(out, new RegExp(`updated flow ${id}`));
		assert.deepEqual(flowFields(id), [name, '2', 'active', 'Ops', '', '']);
		assert.deepEqual(flowConns(id), [cid('one')], 'connections kept when not given');
		let log = audit('flow', id);
		assert.equal(log.at(-1).action, 'flow_update');
		assert.equal(log.at(-1).label, 'tetherctl');
		assert.deepEqual(log.at(-1).details.fields.sort(), ['status', 'version']);

		out = tetherctl('flow', 'update', id, '--connection', cid('two'), '--connection',
		    cid('three'));
		assert.deepEqual(flowConns(id), [cid('two'), cid('three')].sort((a, b) => a - b));
		log = audit('flow', id);
		assert.deepEqual(log.at(-1).details.fields, ['connections']);

		// Refusals leave everything as it was.
		let r = ctl('flow', 'update', id, '--name', 'n'.repeat(201), '--connection', cid('one'));
		assert.equal(r.status, 1);
		assert.match(r.stderr, /--name/);
		r = ctl('flow', 'update', id, '--version', '5', '--connection', '999999999');
		assert.equal(r.status, 1);
		assert.match(r.stderr, /connection 999999999 does not exist/);
		assert.deepEqual(flowFields(id), [name, '2', 'active', 'Ops', '', '']);
		assert.deepEqual(flowConns(id), [cid('two'), cid('three')].sort((a, b) => a - b));

		out = tetherctl('flow', 'update', id, '--no-connections', '--owner', '');
		assert.deepEqual(flowConns(id), []);
		assert.deepEqual(flowFields(id), [name, '2', 'active', '', '', '']);

		r = ctl('flow', 'update', '999999999', '--version', '2');
		assert.equal(r.status, 1);
		assert.match(r.stderr, /no such flow: 999999999/);
		r = ctl('flow', 'update', 'abc', '--version', '2');
		assert.equal(r.status, 1);
	});

	test('remove deletes the flow and its links, audits, and frees the connection', () => {
		const name = `${P} remove me`;
		const id = tetherctl('flow', 'add', '--name', name, '--version', '1', '--status',
		    'inactive', '--connection', cid('three')).trim();
		// While the flow uses it, the database refuses to delete the connection.
		assert.throws(() => psql(`DELETE FROM connections WHERE id = ${cid('three')}`),
		    /foreign key/);
		const out = tetherctl('flow', 'remove', id);
		assert.match(out, new RegExp(`removed flow ${id}`));
		assert.equal(flowRow(id), undefined);
		assert.deepEqual(flowConns(id), []);
		const log = audit('flow', id);
		assert.equal(log.at(-1).action, 'flow_delete');
		assert.equal(log.at(-1).label, 'tetherctl');
		assert.equal(log.at(-1).object, name);
		assert.deepEqual(log.at(-1).details.connections.map(String), [cid('three')]);
		assert.ok(!tetherctl('flow', 'list').includes(name));

		const again = ctl('flow', 'remove', id);
		assert.equal(again.status, 1);
		assert.match(again.stderr, new RegExp(`no such flow: ${id}`));
	});
});

describe('tetherctl token', () => {
	test('add prints the token once and stores only its hash; revoke ends it', async () => {
		const u = makeUser({ teams: [`${P}-a`] });
		const r = ctl('token', 'add', u.email, 'ci pipeline');
		assert.equal(r.status, 0, r.stderr);
		const token = r.stdout.trim();
		assert.match(r.stdout, /^[A-Za-z0-9_-]{43}\n$/, 'the token alone on stdout');
		assert.match(r.stderr, /shown this once/);

		const [id, hash, name, expires] = psql(`SELECT a.id, encode(a.token_hash, 'hex'),
		    a.name, COALESCE(a.expires_at::text, '') FROM api_tokens a
		    JOIN users u ON u.id = a.user_id WHERE u.email = ${sqlString(u.email)}`)[0];
		assert.equal(name, 'ci pipeline');
		assert.equal(expires, '', 'no expiry unless asked');
		assert.equal(psqlValue(`SELECT encode(sha256(convert_to(${sqlString(token)}, 'UTF8')),
		    'hex')`), hash, 'the stored hash is sha256 of the token');
		// The token is nowhere in the database.
		assert.equal(psqlValue(`SELECT count(*) FROM api_tokens WHERE position(
		    ${sqlString(token)} IN row_to_json(api_tokens)::text) > 0`), '0');
		assert.equal(psqlValue(`SELECT count(*) FROM audit_log WHERE position(
		    ${sqlString(token)} IN row_to_json(audit_log)::text) > 0`), '0');
		const log = audit('api_token', id);
		assert.equal(log.length, 1);
		assert.equal(log[0].action, 'token_create');
		assert.equal(log[0].label, 'tetherctl');

		const ok = await apiCall('GET', '/api/v1/connections', token);
		assert.equal(ok.status, 200, 'the token works');

		let list = tetherctl('token', 'list', u.email);
		assert.match(list, new RegExp(`^${id}\tci pipeline\t\\S+ \\S+\t\\S+ \\S+\tnever\tactive\tconnections:read,flows:write,tests:run\tany$`,
		    'm'), list);
		assert.ok(!list.includes(token) && !list.includes(hash), 'list shows neither');

		const out = tetherctl('token', 'revoke', id);
		assert.match(out, new RegExp(`revoked token ${id}`));
		assert.equal((await apiCall('GET', '/api/v1/connections', token)).status, 401);
		list = tetherctl('token', 'list', u.email);
		assert.match(list, new RegExp(`^${id}\tci pipeline\t.*\trevoked\t[^\t]+\tany$`, 'm'));
		assert.equal(audit('api_token', id).at(-1).action, 'token_revoke');
		const again = ctl('token', 'revoke', id);
		assert.equal(again.status, 0);
		assert.match(again.stdout, /already revoked/);
		assert.equal(audit('api_token', id).length, 2, 'revoking twice audits once');
	});

	test('--expires-days, and refusals', () => {
		const u = makeUser();
		const token = tetherctl('token', 'add', u.email, 'short', '--expires-days', '30').trim();
		assert.match(token, /^[A-Za-z0-9_-]{43}$/);
		const days = psqlValue(`SELECT round(EXTRACT(EPOCH FROM expires_at - now()) / 86400)
		    FROM api_tokens WHERE token_hash = sha256(convert_to(${sqlString(token)}, 'UTF8'))`);
		assert.equal(days, '30');

		for (const [args, status, message] of [
			[['token', 'add', 'nobody@test.local', 'x'], 1, /no such user/],
			[['token', 'add', u.email, ''], 1, /token name/],
			[['token', 'add', u.email, 'n'.repeat(121)], 1, /token name/],
			[['token', 'add', u.email, 'x', '--expires-days', '0'], 1, /--expires-days/],
			[['token', 'add', u.email, 'x', '--expires-days', '9999'], 1, /--expires-days/],
			[['token', 'add', u.email], 2, /usage/],
			[['token', 'add', u.email, 'x', '--expires'], 2, /usage/],
			[['token', 'revoke', '999999999'], 1, /no such token/],
			[['token', 'revoke', 'abc'], 1, /positive number/],
			[['token', 'list', 'nobody@test.local'], 1, /no such user/],
			[['token'], 2, /usage/],
		]) {
			const r = ctl(...args);
			assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
			assert.match(r.stderr, message, args.join(' '));
			if (args[1] === 'add')
				assert.equal(r.stdout, '', 'no token printed');
		}
		// A disabled user gets no new token.
		tetherctl('user', 'disable', u.email);
		const r = ctl('token', 'add', u.email, 'late');
		assert.equal(r.status, 1);
		assert.match(r.stderr, /disabled/);
	});
});
