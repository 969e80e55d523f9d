// Reads sent together (src/db.c, db_batch: libpq's pipeline mode), as the
// Details page does: a failing statement among them fails the page cleanly
// and leaves the worker's connection in step for the next request. One
// worker of the test's own (tether-fcgi -f), so that every request meets the
// connection the one before left.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { FcgiClient } from '../lib/fcgi.mjs';
import { seed } from '../lib/list.mjs';
import { makeUser, psql, psqlValue, signIn, uniq } from '../lib/stack.mjs';
import { startWorker } from '../lib/worker.mjs';

const cleanups = [];
after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

async function setup() {
	const w = await startWorker(cleanups);
	const P = uniq('dbb');
	const data = seed(P, { teams: ['t'], connections: [{ key: 'c', team: 't', name: `${P} c`,
	    status: 'ok', testedAgo: '1 hour' }] });
	const u = makeUser({ admin: true });
	const { jar } = await signIn(u.email, u.password);
	return { w, client: new FcgiClient(w.sock, jar), uri: `/connections/${data.connections.c.id}`,
	    id: data.connections.c.id };
}

test('a statement of the batch that fails: an error page, then the next request works', async (t) => {
	const { w, client, uri, id } = await setup();
	assert.equal((await client.get(uri)).status, 200, 'Details, before');
	// One of the batched reads (status changes) is refused to the app, and
	// a test recorded: the page is written afresh, not its kept copy served.
	psql('REVOKE SELECT ON connection_status_changes FROM tether_app');
	t.after(() => psql('GRANT SELECT ON connection_status_changes TO tether_app'));
	psql(`INSERT INTO connection_tests (connection_id, trigger, result) VALUES (${id}, 'manual', 'ok')`);
	const failed = await client.get(uri);
	assert.equal(failed.status, 500, 'a refused read is an error page');
	assert.doesNotMatch(failed.text, /permission denied|connection_status_changes/,
	    'the page does not say what the database said');
	assert.match(w.p.stderr(), /statement details_status_changes failed: .*permission denied/,
	    'the log names the statement that failed');
	psql('GRANT SELECT ON connection_status_changes TO tether_app');
	for (let i = 0; i < 3; i++) {
		const r = await client.get(uri);
		assert.equal(r.status, 200, `Details again on the same connection (${i + 1})`);
		assert.match(r.text, /Status history|status-history|Timeline|Version/i);
	}
});
