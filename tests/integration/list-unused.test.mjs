// The Integrations list's "Usage" filter (issue 14 §1): "Unused for 30/90
// days" lists the connections older than that which no flow read the
// credentials of in that window (credential_uses, issued only), for the
// connections the viewer may see; a credential read shows at once, since
// reads do not move the list version and such a view is never a kept page.
// The "Stale connections" link leads to the 90-day view.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { flowAdd } from '../lib/lifecycle/lc.mjs';
import { parseList } from '../lib/list.mjs';
import {
	get, makeTeam, makeUser, pageText, psql, signIn, uniq,
} from '../lib/stack.mjs';

function names(html) {
	return parseList(html).rows.map((r) => r.name).sort();
}

test('unused for 30 days: old connections without a credential read in 30 days, fresh at once', async () => {
	const team = makeTeam(uniq('unused'));
	const P = uniq('Unused');
	const ids = {};
	for (const k of ['old-idle', 'old-used', 'old-denied', 'new', 'old-read-long-ago']) {
		ids[k] = Number(psql(`INSERT INTO connections (name, connector, auth_protocol, owner_team_id,
		    settings, created_at) VALUES ('${P} ${k}', 'http', 'basic', ${team.id}, '{}',
		    now() - interval '${k === 'new' ? 2 : 100} days') RETURNING id`)[0][0]);
	}
	const flow = flowAdd({ connections: [ids['old-used']] });
	psql(`INSERT INTO credential_uses (connection_id, flow_id, outcome, at) VALUES
	    (${ids['old-used']}, ${flow.id}, 'issued', now() - interval '3 days'),
	    (${ids['old-denied']}, NULL, 'denied', now() - interval '1 day'),
	    (${ids['old-read-long-ago']}, NULL, 'issued', now() - interval '35 days')`);
	const u = makeUser({ teams: [{ name: team.name, role: 'member' }] });
	const { jar } = await signIn(u.email, u.password);
	const view = `/?q=${encodeURIComponent(P)}&unused=30`;
	const r = await get(view, jar);
	assert.equal(r.status, 200);
	assert.deepEqual(names(r.text), [`${P} old-denied`, `${P} old-idle`, `${P} old-read-long-ago`]);
	assert.match(r.text, /<option value="30" selected>Unused for 30 days<\/option>/);
	const ninety = await get(`/?q=${encodeURIComponent(P)}&unused=90`, jar);
	assert.deepEqual(names(ninety.text), [`${P} old-denied`, `${P} old-idle`]);
	// A read now: gone from the view at the next load (no kept page).
	psql(`INSERT INTO credential_uses (connection_id, outcome) VALUES (${ids['old-idle']}, 'issued')`);
	const again = await get(view, jar);
	assert.deepEqual(names(again.text), [`${P} old-denied`, `${P} old-read-long-ago`]);
	// The pager keeps the filter; a bad value is ignored.
	assert.match(pageText((await get(`/?q=${encodeURIComponent(P)}&unused=7`, jar)).text), new RegExp(`${P} new`));
	const home = await get('/', jar);
	assert.match(home.text, /<a href="\/\?unused=90">Stale connections<\/a>/);
});
