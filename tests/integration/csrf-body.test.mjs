// A POST's fields come from its body only: the CSRF token in a query string
// (where URLs, logs and Referer headers would carry it) is refused on every
// POST route, and nothing a query says changes state.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import { assertErrorPage } from '../lib/checks.mjs';
import { mustCreate } from '../lib/lifecycle/lc.mjs';
import {
	get, loginForm, managerSession, post, psqlValue, request, sessionCsrf, uniq,
} from '../lib/stack.mjs';

let s;		// a manager of a team of their own, who is also an admin
let csrf;

before(async () => {
	s = await managerSession({ admin: true });
	csrf = await sessionCsrf(s.jar, '/connectors');
});

async function jiraConn() {
	return mustCreate(s.jar, { connector: 'jira', protocol: 'server', name: uniq('csrfq'), team: s.team.id,
		fields: { url: 'https://jira.invalid', username: 'svc', password: `pw-${uniq('q')}` } });
}

const exists = (id) => psqlValue(`SELECT count(*) FROM connections WHERE id = ${id}`) === '1';

test('delete with the token in the query and only confirm=yes in the body deletes nothing', async () => {
	const c = await jiraConn();
	const r = await request(`/connections/${c.id}/delete?csrf=${csrf}`, { method: 'POST',
	    jar: s.jar, body: 'confirm=yes' });
	assertErrorPage(r, 400, 'POST delete?csrf=…');
	assert.ok(exists(c.id), 'the connection is still there');
	// The same token in the body works: the refusal is about where it was.
	const ok = await post(`/connections/${c.id}/delete`, { csrf, confirm: 'yes' }, s.jar);
	assert.equal(ok.status, 303);
	assert.ok(!exists(c.id), 'deleted through the body');
});

test('every POST route refuses a csrf in its query, even with a valid one in the body', async () => {
	const c = await jiraConn();
	const team = psqlValue(`SELECT owner_team_id FROM connections WHERE id = ${c.id}`);
	const routes = [
		'/logout', '/connections', `/connections/${c.id}/edit`, `/connections/${c.id}/delete`,
		`/connections/${c.id}/test`, `/connections/${c.id}/reconnect`,
		`/connections/${c.id}/sharing`, '/teams', `/teams/${team}`, '/users',
		'/named-credentials', '/named-credentials/1', `/connections/${c.id}/credentials`,
		'/webhooks', '/webhooks/1',
	];
	for (const path of routes) {
		for (const body of ['', `csrf=${csrf}`]) {
			const r = await request(`${path}?csrf=${csrf}`, { method: 'POST', jar: s.jar, body });
			assert.equal(r.status, 400, `POST ${path}?csrf=… with body "${body ? 'csrf' : ''}": ` +
			    `${r.status}`);
		}
	}
	// The sign-in form too (its token is the pre-session one).
	const { jar: lj, csrf: pre } = await loginForm();
	const r = await request(`/login?csrf=${pre}`, { method: 'POST', jar: lj,
	    body: 'email=a%40b.c&password=x&next=%2F' });
	assertErrorPage(r, 400, 'POST /login?csrf=…');
	assert.ok(exists(c.id), 'nothing deleted along the way');
	assert.equal((await get('/', s.jar)).status, 200, 'still signed in');
});

test('other fields in a POST query are not read either', async () => {
	const c = await jiraConn();
	// confirm=yes in the query, the token in the body: no confirmation given.
	const r = await request(`/connections/${c.id}/delete?confirm=yes`, { method: 'POST',
	    jar: s.jar, body: `csrf=${csrf}` });
	assert.ok(r.status === 400 || (r.status < 500 && exists(c.id)),
	    `POST delete?confirm=yes: ${r.status}`);
	assert.ok(exists(c.id), 'the connection is still there');
});
