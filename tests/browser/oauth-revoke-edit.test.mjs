// An Edit that gives a connected Salesforce connection a new login URL, in
// headless Chromium (issue 13 §5): without the consumer secret typed again
// it is refused at the secret and nothing is revoked; with it, it is saved
// (Details says to reconnect: no grant at the new login URL yet), the old
// refresh token is revoked at the OLD provider, nothing reaches the new one,
// and the audit trail says so ("Old tokens revoked after an edit").
// Screenshots at 1366×900 and 390×844 go to TETHER_TEST_OUT
// (oauth-revoke-edit-*.png).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startOAuthServer } from '../fakes/oauth-server.mjs';
import {
	assertCleanConsole, numberedScreenshots, openBrowser, pageFlash, shotsBothSizes, signInPage,
} from '../lib/browser.mjs';
import { SF_ROUTES, auditOf, identityStack } from '../lib/identity.mjs';
import { psqlValue } from '../lib/stack.mjs';

let s;
let sf2;
let browser;
const shot = numberedScreenshots('oauth-revoke-edit');

before(async () => {
	s = await identityStack({ clients: 4, front: true });
	sf2 = await startOAuthServer({ tls: { ...s.pki.issue('as2', ['localhost', '127.0.0.1']), ca: s.ca },
		clients: [], routes: SF_ROUTES });
	s.cleanup(() => sf2.close());
});

after(async () => {
	await browser?.close();
	await s?.close();
});

const tokensOf = (id) => Number(psqlValue(`SELECT count(*) FROM connection_secrets WHERE connection_id = ${id}
    AND field IN ('access_token', 'refresh_token')`));

async function save(page, name) {
	await Promise.all([page.waitForURL(/\/testing\?run=|\/edit/),
		page.getByRole('button', { name, exact: true }).click()]);
}

test('a new login URL: refused without the secret, then saved and the old grant revoked at the old provider', { timeout: 180000 }, async () => {
	const { app, team, user } = await s.session({ admin: true });
	const c = s.client();
	const { id } = await s.salesforce(app, team, c);
	assert.equal((await s.connect(app, id)).flash?.kind, 'success');
	const [refresh] = s.sf.issued.refresh.filter((t) => t.clientId === c.client_id).map((t) => t.jti);
	const calls = s.sf.revocations.length;

	browser = await openBrowser({ ignoreHTTPSErrors: true, viewport: { width: 1366, height: 900 } });
	const { page, messages } = browser;
	await signInPage(page, user, s.tether.url);

	// The login URL alone: refused at the secret, nothing revoked, tokens kept.
	await page.goto(`${s.tether.url}/connections/${id}/edit?confirm=1`);
	await page.locator('[id="f-f.login_url"]').fill(sf2.url);
	await save(page, 'Save');
	const refused = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
	assert.match(refused, /Enter this again: Login URL changed, and a stored secret is never sent to a new destination\./);
	assert.equal(s.sf.revocations.length, calls, 'nothing revoked');
	assert.ok(tokensOf(id) > 0, 'the tokens stay');
	await shotsBothSizes(page, shot, 'refused');

	// With the secret: saved (there is no grant at the new login URL yet:
	// Details says to reconnect), and only then revoked at the old provider.
	await page.locator('[id="f-f.client_secret"]').fill(c.client_secret);
	await save(page, 'Save');
	await page.waitForURL(`${s.tether.url}/connections/${id}`, { timeout: 20000 });
	assert.match(await pageFlash(page), /^Saved ".*"; the change is live for every flow using it\. Test: .*reconnect/);
	await shotsBothSizes(page, shot, 'saved');

	assert.deepEqual(s.sf.revocations.slice(calls).map((x) => [x.client_id, x.token_type_hint, x.token, x.status]),
	    [[c.client_id, 'refresh_token', refresh, 200]], 'revoked once, at the old provider');
	assert.deepEqual(sf2.revocations, [], 'nothing sent to the new login URL');
	assert.equal(tokensOf(id), 0);
	assert.deepEqual(auditOf(id, 'connection_edit_revoke'), [{ outcome: 'success', details: { revoke: 'revoked' } }]);

	await page.goto(`${s.tether.url}/audit?action=connection_edit_revoke`);
	const audit = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
	assert.match(audit, /Old tokens revoked after an edit/);
	assert.ok(!(await page.content()).includes(refresh), 'no token in the page');
	await shotsBothSizes(page, shot, 'audit');
	assertCleanConsole(messages.filter((m) => !/status of 422/.test(m)), 'edit');
});
