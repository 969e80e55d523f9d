// Last of the integration files: no statement name was given to two
// different statements (src/db.c says so on the log when a worker meets the
// second text under a name it prepared with the first; whichever ran first
// would otherwise answer for both — the Uplinks list once came out blank
// after the New connection form had prepared "uplinks_all").

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';

import { fcgiLogPath } from '../lib/stack.mjs';

test('no statement name names two different statements', () => {
	const log = fs.readFileSync(fcgiLogPath(), 'utf8');
	const clashes = [...new Set(log.match(/statement name \S+ names two different statements/g) ?? [])];
	assert.deepEqual(clashes, []);
});
