// tetherctl connection list|show|test|export (issue 14 §3): the system's
// view of every connection for scripts and reviews, never a secret —
// secrets by field name and date only — with team and status filters,
// and clear refusals (no such connection, team or status).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { flowAdd, startBasicStandin } from '../lib/lifecycle/lc.mjs';
import { httpBasic, signedInUser } from '../lib/roles/world.mjs';
import { makeTeam, tetherctl, uniq } from '../lib/stack.mjs';
import { tetherctlAsync } from '../lib/tether.mjs';

test('list, show, test and export a team\'s connections without a secret', async () => {
	const password = `pw-${uniq('ctl')}`;
	const standin = await startBasicStandin({ user: 'svc', password });
	try {
		const team = makeTeam(uniq('ctl-conn'));
		const m = await signedInUser({ teams: [{ name: team.name, role: 'manager' }] });
		const name = uniq('Ledger');
		const id = await httpBasic(m.jar, team, { url: standin.url, password, name });
		const flow = flowAdd({ connections: [id] });

		const list = tetherctl('connection', 'list', '--team', team.name);
		const lines = list.trim().split('\n');
		assert.equal(lines[0], 'ID\tNAME\tCONNECTOR\tPROTOCOL\tTEAM\tSTATUS\tLAST TESTED\tFLOWS');
		assert.equal(lines.length, 2);
		assert.match(lines[1], new RegExp(`^${id}\t${name}\thttp\tbasic\t${team.name}\tok\t\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\t1$`));
		assert.equal(tetherctl('connection', 'list', '--team', team.name, '--status', 'failing').trim()
		    .split('\n').length, 1, 'the header alone');

		const shown = JSON.parse(tetherctl('connection', 'show', String(id)));
		assert.equal(shown.id, id);
		assert.equal(shown.name, name);
		assert.equal(shown.owner_team, team.name);
		assert.deepEqual(shown.secrets.map((s) => s.field), ['password']);
		assert.deepEqual(shown.flows, [{ id: flow.id, name: flow.name }]);
		assert.equal(shown.settings.username, 'svc');

		// Not tetherctl(): a blocking spawn would stop the stand-in of this process.
		const tested = await tetherctlAsync(['connection', 'test', String(id)]);
		assert.equal(tested.status, 0, tested.stdout + tested.stderr);
		assert.match(tested.stdout, new RegExp(`^${id} ok `));
		const exported = JSON.parse(tetherctl('connection', 'export', '--team', team.name));
		assert.deepEqual(exported.map((c) => c.id), [id]);
		for (const out of [list, JSON.stringify(shown), JSON.stringify(exported)]) {
			assert.ok(!out.includes(password), 'never the password');
			assert.ok(!out.includes(Buffer.from(`svc:${password}`).toString('base64')));
		}
		for (const [args, why] of [[['show', '999999999'], /no such connection/],
		    [['show', 'x'], /positive number/], [['list', '--team', uniq('none')], /no such team/],
		    [['list', '--status', 'bogus'], /--status/], [['export', '--team', uniq('none')], /no such team/]]) {
			const r = tetherctl('connection', ...args, { check: false });
			assert.equal(r.status, 1, args.join(' '));
			assert.match(r.stderr, why);
		}
		assert.equal(tetherctl('connection', 'frobnicate', { check: false }).status, 2);
	} finally {
		await standin.close();
	}
});
