// tests/lib/browser.mjs — what the browser tests (tests/browser/*.test.mjs)
// share: Debian's headless Chromium driven by playwright-core (no browser
// download), each one with a profile of its own; sign-in through the real
// form; screenshots to TETHER_TEST_OUT; the flash message and the console
// messages of a page.
//
//   const b = await openBrowser({ viewport: { width: 390, height: 844 } });
//   await signInPage(b.page, user);
//   await screenshot(b.page, 'list-phone');
//   assertCleanConsole(b.messages, 'phone');
//   await b.close();

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { baseUrl, env } from './stack.mjs';

export const CHROMIUM = process.env.TETHER_CHROMIUM ?? '/usr/bin/chromium';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * A headless Chromium with a fresh profile: a folder from mkdtemp, which
 * playwright hands to Chromium as --user-data-dir (it takes the profile as
 * launchPersistentContext's argument, not in args), removed by close().
 * opts: viewport (1280×900), js (JavaScript on; off by default: the pages
 * need none), and any other context option (isMobile, ignoreHTTPSErrors…).
 * Resolves to { context, page, messages, close() }; messages collects the
 * page's console lines ("type: text") and errors ("pageerror: …").
 */
export async function openBrowser({ viewport = { width: 1280, height: 900 }, js = false, ...opts } = {}) {
	assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} exists (apt-get install chromium)`);
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-chromium-'));
	let context;
	try {
		context = await chromium.launchPersistentContext(profile, {
			executablePath: CHROMIUM,
			headless: true,
			args: FLAGS,
			timeout: 60000,
			viewport,
			javaScriptEnabled: js,
			...opts,
		});
	} catch (e) {
		fs.rmSync(profile, { recursive: true, force: true });
		throw e;
	}
	const page = context.pages()[0] ?? await context.newPage();
	page.setDefaultTimeout(20000);
	const messages = [];
	page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
	page.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`));
	let closed = false;
	return {
		context,
		page,
		messages,
		async close() {
			if (closed)
				return;
			closed = true;
			await context.close();
			fs.rmSync(profile, { recursive: true, force: true });
		},
	};
}

/**
 * Sign in through the form of the Tether at base (the scratch stack's by
 * default) and wait for the Integrations tab.
 */
export async function signInPage(page, user, base = baseUrl()) {
	await page.goto(`${base}/login`);
	assert.equal(await page.title(), 'Sign in · Tether');
	await page.getByLabel('Email').fill(user.email);
	await page.getByLabel('Password').fill(user.password);
	await Promise.all([
		page.waitForURL(`${base}/`),
		page.getByRole('button', { name: 'Sign in' }).click(),
	]);
}

/**
 * Save a screenshot of the page to TETHER_TEST_OUT/NAME.png (the whole
 * page unless { fullPage: false }) and check that it is a real picture;
 * its path.
 */
export async function screenshot(page, name, { fullPage = true } = {}) {
	const dir = env('TETHER_TEST_OUT');
	fs.mkdirSync(dir, { recursive: true });
	const f = path.join(dir, `${name}.png`);
	await page.screenshot({ path: f, fullPage });
	assert.ok(fs.statSync(f).size > 5000, `${f} is a real screenshot`);
	return f;
}

/** screenshot() numbering the files in order: PREFIX-01-NAME.png, PREFIX-02-… */
export function numberedScreenshots(prefix) {
	let n = 0;
	return (page, name, opts) => screenshot(page, `${prefix}-${String(++n).padStart(2, '0')}-${name}`, opts);
}

/**
 * The page as it is now at 1366×900 and 390×844 (NAME-desktop, NAME-phone)
 * through shot (numberedScreenshots'), leaving it at 1366×900.
 */
export async function shotsBothSizes(page, shot, name) {
	await page.setViewportSize({ width: 1366, height: 900 });
	await shot(page, `${name}-desktop`);
	await page.setViewportSize({ width: 390, height: 844 });
	await shot(page, `${name}-phone`);
	await page.setViewportSize({ width: 1366, height: 900 });
}

/** The flash message at the top of the page ('' when none). */
export async function pageFlash(page) {
	const f = page.locator('.flash .alert-body');
	return (await f.count()) === 0 ? '' : (await f.innerText()).trim();
}

/** Assert that the console showed no error and no Content-Security-Policy violation. */
export function assertCleanConsole(messages, what) {
	const bad = messages.filter((m) => /Content.Security.Policy|Refused to|violat/i.test(m) ||
	    /^(error|pageerror)/.test(m));
	assert.deepEqual(bad, [], `${what}: console errors or CSP violations`);
}
