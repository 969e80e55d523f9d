// tests/fakes/secrets.mjs — unique marker secrets and the checks that they
// go only where they belong: to the connection's own destination, and never
// into a page, a log, the audit log or a test message.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { env, psql, sqlString } from '../lib/stack.mjs';

/** A secret no one could guess or find by accident: "mk<label><hex>". */
export function marker(label = '') {
	return `mk${label.replace(/[^A-Za-z0-9]/g, '')}${randomBytes(9).toString('hex')}`;
}

/**
 * The forms in which a secret can travel: as is, percent-encoded, and inside
 * a Basic Authorization header (base64 of "user:secret", at any offset).
 */
function needles(secret) {
	return [secret, encodeURIComponent(secret)];
}

/** Text with every Basic credential decoded, so that a search sees inside. */
export function withBasicDecoded(text) {
	return text + '\n' + [...text.matchAll(/Basic ([A-Za-z0-9+/=]{4,})/g)]
	    .map((m) => Buffer.from(m[1], 'base64').toString('latin1')).join('\n');
}

/**
 * Assert that secret (a marker) appears in none of the texts;
 * where: { name: text }.
 */
export function assertAbsent(secret, where, why = '') {
	for (const [name, text] of Object.entries(where)) {
		for (const n of needles(secret)) {
			assert.ok(!withBasicDecoded(text).includes(n),
			    `the secret ${secret} reached ${name}${why ? ` (${why})` : ''}`);
		}
	}
}

/** Every file of TETHER_LOG_DIR (the stack's nginx and tether-fcgi logs), as one text. */
export function stackLogs() {
	const dir = env('TETHER_LOG_DIR');
	let out = '';
	for (const f of fs.readdirSync(dir)) {
		const p = path.join(dir, f);
		if (fs.statSync(p).isFile())
			out += `\n--- ${f}\n` + fs.readFileSync(p, 'latin1');
	}
	return out;
}

/**
 * Assert that none of the secrets is in the rows of the database where a
 * secret must never be: the audit log, the test history, the connections'
 * settings and messages, their versions. Searched inside PostgreSQL (one
 * pass a table), so a large database costs no memory here.
 */
export function assertNotInDatabase(secrets, why = '') {
	if (secrets.length === 0)
		return;
	const arr = `ARRAY[${secrets.map((x) => sqlString(x)).join(',')}]::text[]`;
	const hits = psql(`
	    SELECT DISTINCT 'audit_log', s FROM audit_log a, unnest(${arr}) s
	        WHERE strpos(row_to_json(a)::text, s) > 0
	    UNION ALL SELECT DISTINCT 'connection_tests', s FROM connection_tests t, unnest(${arr}) s
	        WHERE strpos(row_to_json(t)::text, s) > 0
	    UNION ALL SELECT DISTINCT 'connections', s FROM connections c, unnest(${arr}) s
	        WHERE strpos(c.settings::text || ' ' || COALESCE(c.last_test_message, '') || ' ' || c.name
	            || ' ' || c.description, s) > 0
	    UNION ALL SELECT DISTINCT 'connection_versions', s FROM connection_versions v, unnest(${arr}) s
	        WHERE strpos(row_to_json(v)::text, s) > 0`, { single: false });
	assert.deepEqual(hits.map((h) => `${h[1]} in ${h[0]}`), [],
	    `secrets found in the database${why ? ` (${why})` : ''}`);
}
