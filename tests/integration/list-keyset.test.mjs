// Keyset pages on the Integrations tab (issue 15): Previous and Next carry a
// cursor (the row id before or after which the page starts), so a deep page
// is a range read of the sort's index, not an OFFSET scan. Walking Next
// from the first page, and Previous back from the last, must give exactly
// the pages the page numbers give, in every sort, never-tested rows
// included; a cursor the user may not see (another team's row) tells
// nothing: the page is the numbered one.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseList, seed, seedMany } from '../lib/list.mjs';
import { get, makeUser, psql, signIn, uniq } from '../lib/stack.mjs';

const SORTS = ['name', '-name', '-tested', 'tested'];

async function list(jar, uri) {
	const r = await get(uri, jar);
	assert.equal(r.status, 200, `GET ${uri}: ${r.status}`);
	const l = parseList(r.text);
	return { ids: l.rows.map((x) => x.id), next: l.next, prev: l.prev, showing: l.showing };
}

function setup() {
	const P = uniq('ks');
	const data = seed(P, { teams: ['a', 'b'], connections: [
		{ key: 'b1', team: 'b', name: `${P} other team`, status: 'ok', testedAgo: '1 day' },
	] });
	// 130 rows: three pages; ties in the tested time, and never tested ones.
	seedMany(data.teams.a.name, `${P} c-`, 130);
	psql(`UPDATE connections SET last_tested_at = date_trunc('hour', last_tested_at)
	    WHERE name LIKE '${P} c-%' AND right(name, 1) IN ('1', '2')`);
	psql(`UPDATE connections SET last_tested_at = NULL, last_test_result = NULL,
	    status = 'not_tested' WHERE name LIKE '${P} c-%' AND right(name, 1) IN ('5', '7')`);
	return { P, data };
}

test('Next and Previous walk keyset pages equal to the numbered pages, in every sort', async () => {
	const { P, data } = setup();
	const member = makeUser({ teams: [data.teams.a.name] });
	const { jar } = await signIn(member.email, member.password);
	const q = `q=${encodeURIComponent(`${P} c-`)}`;
	for (const sort of SORTS) {
		const numbered = [];
		for (let page = 1; page <= 3; page++)
			numbered.push((await list(jar, `/?${q}&sort=${sort}&page=${page}`)).ids);
		assert.deepEqual(numbered.map((p) => p.length), [50, 50, 30], `${sort}: page sizes`);
		assert.equal(new Set(numbered.flat()).size, 130, `${sort}: every row once`);

		// Forwards by Next: each link carries the last row shown.
		let v = await list(jar, `/?${q}&sort=${sort}`);
		const walked = [v.ids];
		while (v.next !== null) {
			const href = v.next;
			assert.match(href, /[?&]after=\d+/, `${sort}: Next carries a cursor (${href})`);
			v = await list(jar, href);
			walked.push(v.ids);
		}
		assert.deepEqual(walked, numbered, `${sort}: Next walks the numbered pages`);
		assert.deepEqual(v.showing, { first: 101, last: 130, total: 130 }, `${sort}: the last page`);

		// Backwards by Previous from the last page.
		const back = [v.ids];
		while (v.prev !== null) {
			v = await list(jar, v.prev);
			back.unshift(v.ids);
		}
		assert.deepEqual(back, numbered, `${sort}: Previous walks back the same pages`);
	}

	// A Previous cursor with fewer than a page before it (rows gone since the
	// link was made): the numbered page, not a short one.
	for (const sort of SORTS) {
		const page1 = (await list(jar, `/?${q}&sort=${sort}`)).ids;
		const page2 = (await list(jar, `/?${q}&sort=${sort}&page=2`)).ids;
		assert.deepEqual((await list(jar, `/?${q}&sort=${sort}&page=2&before=${page1[9]}`)).ids,
		    page2, `${sort}: before= a row with nine before it`);
	}

	// Another team's row as the cursor: the numbered page 2, nothing about it.
	const other = data.connections.b1.id;
	for (const sort of SORTS) {
		const page2 = (await list(jar, `/?${q}&sort=${sort}&page=2`)).ids;
		for (const c of ['after', 'before'])
			assert.deepEqual((await list(jar, `/?${q}&sort=${sort}&page=2&${c}=${other}`)).ids,
			    page2, `${sort}: ${c}= another team's row`);
	}
});
