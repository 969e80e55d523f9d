// The Amazon Web Services connector in headless Chromium (issue 16 §1):
// the New connection form with its fields and help, Create with an access
// key, the Testing… page, then Details "Connected as" the ARN in the AWS
// account (STS GetCallerIdentity through the aws-sts stand-in, which
// recomputes the signature); a wrong secret ends on "bad credentials" with
// no "Connected as". Screenshots at 1366×900 and 390×844 go to
// TETHER_TEST_OUT (authkinds-aws-*.png).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { startSts } from '../fakes/aws-sts.mjs';
import { makePki } from '../fakes/pki.mjs';
import { marker } from '../fakes/secrets.mjs';
import { bothSizes, createInBrowser, proxiedTether, runCleanups } from '../lib/authkinds.mjs';
import { assertCleanConsole, openBrowser, pageFlash, signInPage } from '../lib/browser.mjs';
import { managerSession } from '../lib/stack.mjs';

const WIDE = { width: 1366, height: 900 };
const AKID = 'AKIAEXAMPLEBROWSER01';
const SECRET = `wJalrXUtnFEMI/K7MDENG/${marker('awsbrowser')}`;
const cleanups = [];
let tether;
let browser;

before(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-aws-browser-'));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	const pki = makePki(path.join(dir, 'ca'));
	const sts = await startSts({ tls: pki.issue('sts', ['sts.eu-west-1.amazonaws.com']), keys: {
		[AKID]: { secret: SECRET, account: '123456789012', arn: 'arn:aws:iam::123456789012:user/integrations' } } });
	cleanups.push(() => sts.close());
	({ tether } = await proxiedTether(cleanups, pki.caFile, { 'sts.eu-west-1.amazonaws.com:443': sts.port },
	    { front: true }));
});

after(async () => {
	await browser?.close();
	await runCleanups(cleanups);
});

const shots = (page, name) => bothSizes(page, `authkinds-aws-${name}`);

async function createAws(page, team, secret) {
	await createInBrowser(page, tether.url, team, 'connector=aws&protocol=sigv4', { region: 'eu-west-1',
		access_key_id: AKID, secret_access_key: secret });
}

test('the AWS form, Create, and Details "Connected as" the ARN; a wrong secret is refused', { timeout: 180000 }, async () => {
	const { user, team } = await managerSession({ name: 'AWS Manager' });
	browser = await openBrowser({ viewport: WIDE });
	const { page, messages } = browser;
	await signInPage(page, user, tether.url);
	await page.goto(`${tether.url}/connections/new?connector=aws&protocol=sigv4`);
	const form = await page.locator('main').innerText();
	for (const label of ['Region', 'Service', 'Access key ID', 'Secret access key', 'Session token'])
		assert.match(form, new RegExp(label));
	assert.equal(await page.locator('[id="f-f.secret_access_key"]').getAttribute('type'), 'password');
	assert.equal(await page.locator('[id="f-f.session_token"]').getAttribute('type'), 'password');
	await shots(page, 'form');

	await createAws(page, team, SECRET);
	assert.match(await pageFlash(page), /created\. Test: The connection works\./);
	const details = await page.locator('main').innerText();
	assert.match(details, /Connected as\s+arn:aws:iam::123456789012:user\/integrations · AWS account 123456789012/);
	assert.ok(!details.includes(SECRET));
	await shots(page, 'connected-as');

	await createAws(page, team, marker('awsbrowserwrong'));
	assert.match(await pageFlash(page), /Test: The system refused the credentials/);
	assert.doesNotMatch(await page.locator('main').innerText(), /Connected as/);
	await shots(page, 'refused');
	assertCleanConsole(messages, 'AWS pages');
});
