// Details and Related send their reads with the session check, in one round
// trip, for the user the worker last saw with that session cookie (issue 15,
// src/session.c). Those reads are used only when the check finds that very
// user with the same admin flag: a user who lost admin since, or a session
// that ended, must get exactly what a page reading after the check gives.
// One worker of the test's own, so that every request meets the worker that
// saw the cookie before; its access log says which answers used the reads
// ("note=read with the session check").

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { FcgiClient } from '../lib/fcgi.mjs';
import { accessLine } from '../lib/kept.mjs';
import { seed } from '../lib/list.mjs';
import { csrfFrom, makeUser, psql, signIn, uniq } from '../lib/stack.mjs';
import { startWorker } from '../lib/worker.mjs';

const cleanups = [];
after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

/** GET uri: { status, text, prefetched } (the answer used the reads sent with the check). */
async function view(w, client, uri) {
	const r = await client.get(uri);
	const line = await accessLine(w, r);
	return { status: r.status, text: r.text, prefetched: /(note=|, )read with the session check\b/.test(line) };
}

test('reads sent with the session check are used only for the user the check finds', async () => {
	const w = await startWorker(cleanups);
	const P = uniq('pf');
	const data = seed(P, {
		teams: ['far'],
		connections: [{ key: 'x', team: 'far', name: `${P} x`, status: 'ok', testedAgo: '1 hour',
		    flows: 2 }],
	});
	const x = data.connections.x.id;
	const u = makeUser({ admin: true });
	const { jar } = await signIn(u.email, u.password);
	const client = new FcgiClient(w.sock, jar);

	for (const uri of [`/connections/${x}`, `/connections/${x}/related`]) {
		const first = await view(w, client, uri);
		assert.equal(first.status, 200, uri);
		const again = await view(w, client, uri);
		assert.equal(again.status, 200, uri);
		assert.equal(again.prefetched, true, `${uri}: the second view read with the check`);
		assert.equal(again.text.includes(`${P} x`), true);
	}
	const related = await view(w, client, `/connections/${x}/related`);
	assert.equal((related.text.match(new RegExp(`${P}-flow-x-`, 'g')) ?? []).length >= 2, true,
	    'Related lists both flows');

	// No longer an admin, not in the owner team: the reads sent as an admin
	// must not answer. 404, exactly as a page reading after the check says.
	psql(`UPDATE users SET is_admin = false WHERE id = ${u.id}`);
	const lost = await view(w, client, `/connections/${x}`);
	assert.equal(lost.status, 404, 'Details after losing admin');
	assert.equal(lost.prefetched, false, 'the reads sent as an admin were dropped');
	assert.equal(lost.text.includes(`${P} x`), false);
	// Now the worker knows them as they are: read with the check, as a
	// non-admin, still 404.
	for (const uri of [`/connections/${x}`, `/connections/${x}/related`]) {
		const v = await view(w, client, uri);
		assert.equal(v.status, 404, uri);
		assert.equal(v.prefetched, true, `${uri}: read with the check as who they are now`);
		assert.equal(v.text.includes(`${P} x`), false);
	}
	psql(`UPDATE users SET is_admin = true WHERE id = ${u.id}`);
	const back = await view(w, client, `/connections/${x}/related`);
	assert.equal(back.status, 200, 'admin again');
	assert.equal(back.prefetched, false, 'the reads sent as a non-admin were dropped');
	assert.equal(back.text.includes(`${P} x`), true);
	assert.equal((await view(w, client, `/connections/${x}`)).prefetched, true);

	// The session ends: the old cookie leads to the sign-in page, nothing read for it.
	const page = await client.get(`/connections/${x}`);
	const old = jar.header();
	const out = await client.post('/logout', { csrf: csrfFrom(page.text) });
	assert.ok(out.status === 302 || out.status === 303, `sign-out: ${out.status}`);
	const stale = new FcgiClient(w.sock, { header: () => old, update: () => {} });
	const v = await view(w, stale, `/connections/${x}`);
	assert.ok(v.status === 302 || v.status === 303, `after sign-out: ${v.status}`);
	assert.equal(v.prefetched, false);
	assert.equal(v.text.includes(`${P} x`), false);
});
