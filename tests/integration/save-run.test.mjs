// Save in the background (issue 12 §2, "never a frozen page"): a Save whose
// change must be tried first answers at once with its run's Testing… page;
// the try goes on after the answer. While it waits the typed secret is in
// no row (form_once keeps the typed non-secret fields only, and not after
// the save); someone saving in between makes it come back stale (409, the
// form as typed), nothing overwritten; another user's run is nobody's page.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import { editForm, fieldErrors, mustCreate, startBasicStandin } from '../lib/lifecycle/lc.mjs';
import { flashOf, get, makeTeam, makeUser, pageText, post, psql, signIn, uniq } from '../lib/stack.mjs';
import { connRow, testRows } from '../lib/rows.mjs';

const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
const TYPED = `typed-${randomBytes(8).toString('hex')}`;
const DELAY_MS = 3000;

let standin, team, user, jar, id;

before(async () => {
	standin = await startBasicStandin({ user: 'svc', password: PASSWORD, delay: DELAY_MS });
	team = makeTeam(uniq('sr-team'));
	user = makeUser({ name: 'Run Manager', teams: [{ name: team.name, role: 'manager' }] });
	({ jar } = await signIn(user.email, user.password));
	({ id } = await mustCreate(jar, { connector: 'http', protocol: 'basic', name: uniq('Run API'),
	    fields: { url: standin.url, test_path: '/health', username: 'svc', password: PASSWORD } }));
});

after(async () => {
	await standin?.close();
});

/** The run's form_once row as text (every column), or ''. */
function runRow(token) {
	return psql(`SELECT f::text FROM form_once f WHERE token = '${token.replace(/[^\w-]/g, '')}'`)
	    .map((r) => r.join(' ')).join('\n');
}

async function untilDone(loc) {
	for (let i = 0; i < 80; i++) {
		const r = await get(loc, jar);
		if (r.status !== 200)
			return r;
		await new Promise((res) => setTimeout(res, 250));
	}
	throw new Error(`no end at ${loc}`);
}

test('a tried Save answers at once; the typed secret is in no row while it waits, nor after', async () => {
	const { body } = await editForm(jar, id);
	const version = connRow(id).version;
	const tests = testRows(id).length;
	body['f.password'] = PASSWORD;		// the same value, typed again: a try
	body.description = `typed ${uniq('d')}`;
	const t0 = Date.now();
	const res = await post(`/connections/${id}/edit`, body, jar);
	const ms = Date.now() - t0;
	assert.equal(res.status, 303);
	assert.ok(ms < 1000, `answered before the try ended (${ms} ms)`);
	const loc = res.headers.get('location');
	const run = /^\/connections\/[0-9]+\/testing\?run=([\w-]+)$/.exec(loc)?.[1];
	assert.ok(run, `to its Testing… page: ${loc}`);
	assert.equal(run, body.once, 'the run is the form\'s token');
	const waiting = runRow(run);
	assert.match(waiting, /save/, 'a save run');
	assert.ok(!waiting.includes(PASSWORD), 'the typed secret is not kept in the row');
	assert.match(waiting, /description=typed/, 'the typed non-secret fields are');
	assert.match((await get(loc, jar)).text, /Testing your changes to/);
	assert.equal(connRow(id).version, version, 'nothing saved before the try ends');
	const done = await untilDone(loc);
	assert.equal(done.headers.get('location'), `/connections/${id}`);
	assert.match(flashOf(done).message, /^Saved .* Test: The connection works\./);
	assert.equal(connRow(id).version, version + 1);
	assert.equal(connRow(id).description, body.description);
	assert.equal(testRows(id).length, tests + 1, 'its try is its test');
	assert.ok(!runRow(run).includes('description='), 'the inputs go once it is saved');
	// A reload of the Testing… page saves nothing again.
	assert.notEqual((await get(loc, jar)).status, 200);
	assert.equal(connRow(id).version, version + 1);
});

test('someone saving during the try: nothing overwritten, the form comes back stale as typed', async () => {
	const { body } = await editForm(jar, id);
	const { body: other } = await editForm(jar, id);
	body['f.password'] = PASSWORD;
	body.description = `mine ${uniq('d')}`;
	const res = await post(`/connections/${id}/edit`, body, jar);
	assert.equal(res.status, 303);
	const loc = res.headers.get('location');
	// Another tab saves a name change (no try needed) while the first is tried.
	other.name = uniq('Renamed API');
	const theirs = await post(`/connections/${id}/edit`, other, jar);
	assert.equal(theirs.status, 303, pageText(theirs.text).slice(0, 200));
	const version = connRow(id).version;
	const done = await untilDone(loc);
	assert.match(done.headers.get('location'), new RegExp(`^/connections/${id}/edit\\?confirm=1&run=`));
	const form = await get(done.headers.get('location'), jar);
	assert.equal(form.status, 409);
	assert.match(pageText(form.text), /saved/i);
	assert.ok(form.text.includes(body.description), 'the typed description is kept');
	assert.ok(!form.text.includes(PASSWORD), 'never the secret');
	assert.equal(connRow(id).version, version, 'the other save is not overwritten');
	assert.equal(connRow(id).name, other.name);
	assert.deepEqual(fieldErrors(form.text)['f.password'] ?? '', '');
});

test('a run is its user\'s own: another manager gets no page of it', async () => {
	const { body } = await editForm(jar, id);
	body['f.password'] = TYPED;
	const res = await post(`/connections/${id}/edit`, body, jar);
	const loc = res.headers.get('location');
	const other = makeUser({ name: 'Other Manager', teams: [{ name: team.name, role: 'manager' }] });
	const { jar: jar2 } = await signIn(other.email, other.password);
	assert.equal((await get(loc, jar2)).status, 404);
	const done = await untilDone(loc);
	const edit = done.headers.get('location');
	assert.match(edit, /\/edit\?confirm=1&run=/, 'the wrong password is not saved');
	// The other manager opening that URL sees the stored form, not the run's.
	const theirs = await get(edit, jar2);
	assert.equal(theirs.status, 200);
	assert.ok(!/failed its test/.test(pageText(theirs.text)));
	const mine = await get(edit, jar);
	assert.equal(mine.status, 422);
	assert.match(pageText(mine.text), /failed its test/);
	assert.ok(!mine.text.includes(TYPED));
});
