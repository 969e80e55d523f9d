// The demo data (issue 12 §3, "Demo data that looks healthy"): what
// `deploy/tether up --demo` loads — deploy/demo.sql, then `tetherctl demo
// seed` — must be a state a new admin can trust. Every demo connection that
// needs a secret has one stored through the vault (no "Connected" beside
// "Password: Not stored"); the Integrations list, the Details tab, the
// History tab and the recorded tests say the same; every host a demo
// connection or named credential reaches is under the reserved .example
// domain, so Test answers at once, on any machine, with a classified
// "host name could not be found", and never reaches a real company's system.
// Loads the demo into the scratch stack the same way deploy/tether does
// (twice: the second load and seed add nothing), and removes it after.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { DEMO_TEAMS_SQL as TEAMS_SQL, demoConnectionIds, loadDemo, removeDemo } from '../lib/demo.mjs';
import { parseList } from '../lib/list.mjs';
import {
	admin, csrfFrom, flashOf, get, pageText, post, psql, psqlValue, signIn, sqlString,
} from '../lib/stack.mjs';

let jar;
let conns;	// [{ id, name, status, context, nc, protocol, result, message, settings }]
let had;	// the stack had the demo before (deploy/tether up --demo): it stays

function demoConnections() {
	return psql(`SELECT c.id, c.name, c.status, c.execution_context,
	    coalesce(c.named_credential_id, 0), c.auth_protocol,
	    coalesce(c.last_test_result, ''), coalesce(c.last_test_message, ''), c.settings::text
	    FROM connections c JOIN teams t ON t.id = c.owner_team_id
	    WHERE ${TEAMS_SQL} ORDER BY c.id`).map(([id, name, status, context, nc, protocol,
	    result, message, settings]) => ({ id: Number(id), name, status, context, nc: Number(nc),
	    protocol, result, message, settings: JSON.parse(settings) }));
}

/** The status badge of a Details page (the header's, the first). */
function badge(html) {
	const m = /<span class="badge badge-([a-z_]+)">([\s\S]*?)<\/span>/.exec(html);
	assert.ok(m, 'a status badge');
	return pageText(m[2]);
}

describe('demo data', () => {
	before(async () => {
		had = demoConnectionIds().length > 0;
		loadDemo();
		const again = psqlValue(`SELECT count(*) FROM connection_secrets s
		    JOIN connections c ON c.id = s.connection_id
		    JOIN teams t ON t.id = c.owner_team_id WHERE ${TEAMS_SQL}`);
		const out = loadDemo();
		assert.match(out, /stored 0 secrets/, 'a second seed stores nothing');
		assert.equal(psqlValue(`SELECT count(*) FROM connection_secrets s
		    JOIN connections c ON c.id = s.connection_id
		    JOIN teams t ON t.id = c.owner_team_id WHERE ${TEAMS_SQL}`), again);
		conns = demoConnections();
		assert.ok(conns.length >= 14, 'the demo connections are there');
		({ jar } = await signIn(admin().email, admin().password));
	});

	after(() => {
		if (!had)
			removeDemo();
	});

	test('no demo connection shows a secret as "Not stored"', async () => {
		const missing = [];
		for (const c of conns) {
			const r = await get(`/connections/${c.id}`, jar);
			assert.equal(r.status, 200, `Details of ${c.name}`);
			if (/Not stored/.test(pageText(r.text)))
				missing.push(`${c.name} (${badge(r.text)})`);
		}
		assert.deepEqual(missing, [], 'demo connections with a secret "Not stored"');
		// The named credential too: a secret, kept through the vault.
		assert.equal(psqlValue(`SELECT count(*) FROM named_credentials nc
		    JOIN teams t ON t.id = nc.owner_team_id
		    WHERE ${TEAMS_SQL} AND NOT EXISTS (SELECT 1 FROM named_credential_secrets s
		    WHERE s.named_credential_id = nc.id)`), '0', 'every demo named credential has its secret');
	});

	test('the list, Details, History and the recorded tests agree', async () => {
		for (const c of conns) {
			const d = await get(`/connections/${c.id}`, jar);
			const list = parseList((await get(`/?q=${encodeURIComponent(c.name)}`, jar)).text);
			const row = list.rows.find((x) => x.id === String(c.id));
			assert.ok(row, `${c.name} is in the list`);
			// A per-user connection's Details show the viewer's own state.
			if (c.context === 'system')
				assert.equal(row.status, badge(d.text), `${c.name}: list and Details say the same`);
			const last = psql(`SELECT result, message FROM connection_tests WHERE connection_id = ${c.id}
			    ORDER BY tested_at DESC, id DESC LIMIT 1`)[0];
			if (c.result === '') {
				assert.equal(last, undefined, `${c.name}: never tested, no history`);
				continue;
			}
			assert.deepEqual(last, [c.result, c.message], `${c.name}: its last test is its newest history row`);
			const h = await get(`/connections/${c.id}/history`, jar);
			assert.equal(h.status, 200);
			assert.ok(pageText(h.text).includes(c.message), `${c.name}: History shows its last test`);
			// Connected means the last test passed; Failing that it did not.
			if (c.status === 'ok')
				assert.equal(c.result, 'ok', `${c.name}: Connected after a passed test`);
			if (c.status === 'failing' || c.status === 'needs_reconnect')
				assert.notEqual(c.result, 'ok', `${c.name}: ${c.status} after a failed test`);
			// The schedule is off for the demo: no test of it in the history.
			assert.equal(psqlValue(`SELECT count(*) FROM connection_tests WHERE connection_id = ${c.id}
			    AND trigger = 'schedule'`), '0', `${c.name}: no scheduled test while checks are off`);
			// The message is the one Tether writes for that result.
			assert.ok(!/HTTP [0-9]+ in|Authenticated as/.test(c.message), `${c.name}: ${c.message}`);
		}
	});

	test('every host a demo connection reaches is under .example', () => {
		const hosts = [];
		const nc = psql(`SELECT nc.url FROM named_credentials nc JOIN teams t ON t.id = nc.owner_team_id
		    WHERE ${TEAMS_SQL}`).map(([u]) => u);
		for (const v of [...conns.flatMap((c) => ['url', 'login_url', 'domain', 'host', 'tenant']
		    .map((k) => c.settings[k]).filter((x) => typeof x === 'string')), ...nc])
			hosts.push(/^https?:\/\//.test(v) ? new URL(v).hostname : v);
		assert.ok(hosts.length >= 14);
		assert.deepEqual(hosts.filter((h) => !/\.example$/.test(h)), [], 'hosts outside .example');
	});

	test('Test answers within a few seconds with a sensible message', async (t) => {
		// The demo as loaded stays for the tests after this one (the
		// formats walk, screenshots): these tests' rows go again after.
		const cols = 'status, last_tested_at, last_test_result, last_test_message, failing_since, consecutive_failures, notified_status';
		const ids = conns.map((c) => c.id).join(',');
		const kept = psqlValue(`SELECT json_agg(json_build_object('id', id, ${cols.split(', ')
		    .map((k) => `'${k}', ${k}`).join(', ')})) FROM connections WHERE id IN (${ids})`);
		const since = psqlValue('SELECT coalesce(max(id), 0) FROM connection_tests');
		const sinceSc = psqlValue('SELECT coalesce(max(id), 0) FROM connection_status_changes');
		t.after(() => psql(`DELETE FROM connection_status_changes WHERE id > ${sinceSc} AND connection_id IN (${ids});
		    DELETE FROM connection_tests WHERE id > ${since} AND connection_id IN (${ids});
		    UPDATE connections c SET (${cols}) = (SELECT ${cols.split(', ').map((k) => `k.${k}`).join(', ')}
		    FROM json_populate_recordset(NULL::connections, ${sqlString(kept)}) k WHERE k.id = c.id)
		    WHERE c.id IN (${ids})`));
		for (const c of conns.filter((x) => x.context === 'system' && x.status !== 'not_testable')) {
			const csrf = csrfFrom((await get(`/connections/${c.id}`, jar)).text);
			const t0 = Date.now();
			const r = await post(`/connections/${c.id}/test`, { csrf }, jar, { timeoutMs: 20000 });
			const ms = Date.now() - t0;
			assert.equal(r.status, 303, `${c.name}: Test answers`);
			const f = flashOf(r);
			assert.ok(f, `${c.name}: a message`);
			assert.ok(ms < 5000, `${c.name}: answered in ${ms} ms`);
			// Only reserved names (.example) and providers' fixed endpoints:
			// the answer is that the name does not resolve, or, with a
			// network, what the provider said of the demo's credentials.
			assert.match(f.message, /host name could not be found|rejected|refused|invalid|HTTP [45]\d\d/i,
			    `${c.name}: ${f.message}`);
			// Details, list and History follow the recorded test.
			const d = await get(`/connections/${c.id}`, jar);
			const now = psql(`SELECT c.status, t.result FROM connections c JOIN connection_tests t
			    ON t.connection_id = c.id WHERE c.id = ${c.id} ORDER BY t.tested_at DESC, t.id DESC LIMIT 1`)[0];
			assert.notEqual(now[0], 'ok', `${c.name}: not Connected after a failed test`);
			assert.equal(badge(d.text), now[0] === 'needs_reconnect' ? 'Needs reconnect' : 'Failing');
		}
	});
});
