// tests/lib/rows.mjs — what the node tests read back from the database
// about connections and flows, once for every test file: a connection's
// row, its tests, a stored secret's ciphertext, a flow's row and its
// connections.

import { psql, psqlValue, sqlString } from './stack.mjs';

/**
 * The connection's row, or null when there is none: { name, description,
 * settings (parsed), version, status, result, message, testedAt,
 * tokenExpiresAt, connector, protocol, apiType, teamId } ('' for NULL).
 */
export function connRow(id) {
	const [r] = psql(`SELECT name, description, settings::text, version, status,
	    COALESCE(last_test_result, ''), COALESCE(last_test_message, ''),
	    COALESCE(last_tested_at::text, ''), COALESCE(token_expires_at::text, ''),
	    connector, auth_protocol, api_type, owner_team_id
	    FROM connections WHERE id = ${Number(id)}`);
	if (r === undefined)
		return null;
	return { name: r[0], description: r[1], settings: JSON.parse(r[2]), version: Number(r[3]),
		status: r[4], result: r[5], message: r[6], testedAt: r[7], tokenExpiresAt: r[8],
		connector: r[9], protocol: r[10], apiType: r[11], teamId: r[12] };
}

/**
 * The connection's tests, oldest first: [{ id, trigger, result,
 * httpStatus (null when none), latencyMs, message, testedAt, by }].
 */
export function testRows(id) {
	return psql(`SELECT id, trigger, result, COALESCE(http_status::text, ''), latency_ms, message,
	    tested_at, COALESCE(triggered_by::text, '') FROM connection_tests
	    WHERE connection_id = ${Number(id)} ORDER BY id`).map((r) => ({
		id: Number(r[0]), trigger: r[1], result: r[2], httpStatus: r[3] === '' ? null : Number(r[3]),
		latencyMs: Number(r[4]), message: r[5], testedAt: r[6], by: r[7],
	}));
}

/** The name of the uplink the connection goes through, '' for Direct. */
export function uplinkName(id) {
	return psql(`SELECT COALESCE(u.name, '-') FROM connections c LEFT JOIN uplinks u
	    ON u.id = c.uplink_id WHERE c.id = ${Number(id)}`)[0][0].replace(/^-$/, '');
}

/** The connection's latest test (undefined when it has none). */
export function lastTest(id) {
	return testRows(id).at(-1);
}

/** Hex of the stored ciphertext of a secret field ('' when none). */
export function secretCipher(id, field) {
	return psql(`SELECT encode(ciphertext, 'hex') FROM connection_secrets
	    WHERE connection_id = ${Number(id)} AND field = ${sqlString(field)}`)[0]?.[0] ?? '';
}

/**
 * The flow's row, or undefined when there is none: { name, version,
 * status, owner, description, progress, updatedAt }, as text.
 */
export function flowRow(id) {
	const [r] = psql(`SELECT name, version, status, owner, description, progress_status, updated_at
	    FROM flows WHERE id = ${Number(id)}`);
	if (r === undefined)
		return undefined;
	return { name: r[0], version: r[1], status: r[2], owner: r[3], description: r[4], progress: r[5],
		updatedAt: r[6] };
}

/** [name, version, status, owner, description, progress] of the flow, or undefined. */
export function flowFields(id) {
	const f = flowRow(id);
	return f && [f.name, f.version, f.status, f.owner, f.description, f.progress];
}

/** The ids of the flow's connections, as text, in order. */
export function flowConns(id) {
	return psql(`SELECT connection_id FROM flow_connections WHERE flow_id = ${Number(id)}
	    ORDER BY connection_id`).map((r) => r[0]);
}

/** How many flows have this name. */
export function flowsNamed(name) {
	return Number(psqlValue(`SELECT count(*) FROM flows WHERE name = ${sqlString(name)}`));
}
