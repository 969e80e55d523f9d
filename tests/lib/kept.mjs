// Views of the Integrations tab on a worker of a test's own (tether-fcgi -f,
// tests/lib/worker.mjs), telling a kept page from a fresh one by the
// access log's "note=list copy" (src/listcache.c).

import assert from 'node:assert/strict';

import { parseList } from './list.mjs';

/** The worker's access-log line for answer r (its x-request-id). */
export async function accessLine(w, r) {
	const rid = r.headers.get('x-request-id');
	// The worker writes its access line before the next accept; wait for it.
	let line;
	for (let i = 0; i < 100 && line === undefined; i++) {
		line = w.p.stderr().split('\n').find((l) => l.includes(`access rid=${rid} `));
		if (line === undefined)
			await new Promise((res) => setTimeout(res, 20));
	}
	assert.ok(line, `an access line for ${rid}`);
	return line;
}

/** GET uri on the worker: { r, list, rid, copy } (copy: served from a kept page). */
export async function keptView(w, client, uri = '/') {
	const r = await client.get(uri);
	assert.equal(r.status, 200, `GET ${uri}: ${r.status}`);
	const line = await accessLine(w, r);
	return { r, list: parseList(r.text), rid: r.headers.get('x-request-id'),
	    copy: / note=list copy\b/.test(line) };
}

/** Two views of uri: the second must be the kept copy (else the test proves nothing). */
export async function warmKept(w, client, uri = '/') {
	await keptView(w, client, uri);
	const v = await keptView(w, client, uri);
	assert.ok(v.copy, `the second GET ${uri} is served from the kept page`);
	return v;
}
