// The Integrations tab in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core; no browser download): sign in through the
// real form, see the list, reach the search box with Tab and see its focus,
// filter with the form (JavaScript off: the page needs none), and save
// screenshots at desktop and phone sizes to TETHER_TEST_OUT. The console
// must show no Content-Security-Policy violation and no error.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import { assertCleanConsole, openBrowser, screenshot, signInPage } from '../lib/browser.mjs';
import { seed } from '../lib/list.mjs';
import { baseUrl, makeUser, uniq } from '../lib/stack.mjs';

const P = uniq('B');

let user;

before(() => {
	seed(P, {
		teams: ['ops', 'sales'],
		connections: [
			{ key: 'j', team: 'ops', name: 'Jira Cloud (ops)', connector: 'jira', protocol: 'cloud',
			    status: 'ok', testedAgo: '2 hours', flows: 3 },
			{ key: 's', team: 'sales', name: 'Salesforce production', connector: 'salesforce',
			    protocol: 'oauth2_code', status: 'needs_reconnect', testedAgo: '3 days', flows: 1 },
			{ key: 'n', team: 'ops', name: 'ServiceNow incidents', connector: 'servicenow',
			    protocol: 'basic', status: 'failing', testedAgo: '20 minutes' },
			{ key: 'c', team: 'sales', name: 'Celonis EMS data push', connector: 'celonis',
			    protocol: 'app_key', status: 'not_tested', testedAgo: null },
			{ key: 'm', team: 'ops', name: 'SMTP relay for alerts with a rather long name to wrap',
			    connector: 'smtp', protocol: 'basic', status: 'ok', testedAgo: '1 day' },
		],
	});
	user = makeUser({ teams: [`${P}-ops`, `${P}-sales`] });
});

test('sign in through the form, see the list, filter with the form (no JavaScript)', async () => {
	const { page, messages, close } = await openBrowser();
	try {
		await signInPage(page, user);
		assert.equal(await page.title(), 'Integrations · Tether');
		await page.getByRole('heading', { level: 1, name: 'Integrations' }).waitFor();
		const rows = page.locator('table tbody tr');
		assert.equal(await rows.count(), 5);
		const names = await page.locator('table tbody tr th a').allTextContents();
		assert.deepEqual(names, ['Celonis EMS data push', 'Jira Cloud (ops)', 'Salesforce production',
		    'ServiceNow incidents', 'SMTP relay for alerts with a rather long name to wrap']);
		assert.match(await page.locator('body').innerText(), /Showing 1–5 of 5 connections/);
		// The stylesheet loaded (served by nginx from static/) and applies.
		const css = await page.evaluate(() => [...document.styleSheets].map((s) => s.href));
		assert.ok(css.some((h) => h && h.endsWith('/static/tether.css')), 'tether.css is linked');
		const font = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
		assert.doesNotMatch(font, /^"?Times/i, 'the stylesheet applies (not the default serif)');
		await screenshot(page, 'list-desktop');

		// Keyboard: Tab reaches the search box and its focus is visible.
		await page.locator('body').click({ position: { x: 1, y: 1 } });
		let reached = false;
		for (let i = 0; i < 40 && !reached; i++) {
			await page.keyboard.press('Tab');
			reached = await page.evaluate(() => document.activeElement?.id === 'filter-q');
		}
		assert.ok(reached, 'Tab reaches the search box');
		const focus = await page.evaluate(() => {
			const el = document.activeElement;
			const s = getComputedStyle(el);
			return { outline: s.outlineStyle, width: parseFloat(s.outlineWidth), shadow: s.boxShadow,
			    visible: el.matches(':focus-visible') };
		});
		assert.ok(focus.visible, 'the search box matches :focus-visible');
		assert.ok((focus.outline !== 'none' && focus.width > 0) || (focus.shadow && focus.shadow !== 'none'),
		    `a visible focus indicator (outline ${focus.outline} ${focus.width}px, box-shadow ${focus.shadow})`);
		await screenshot(page, 'list-focus', { fullPage: false });

		// The filter form, without JavaScript: type, pick, submit.
		await page.keyboard.type('relay');
		await page.locator('#filter-status').selectOption('ok');
		await Promise.all([
			page.waitForURL(/\?/),
			page.getByRole('button', { name: 'Apply' }).click(),
		]);
		const url = new URL(page.url());
		assert.equal(url.pathname, '/');
		assert.equal(url.searchParams.get('q'), 'relay');
		assert.equal(url.searchParams.get('status'), 'ok');
		assert.deepEqual(await page.locator('table tbody tr th a').allTextContents(),
		    ['SMTP relay for alerts with a rather long name to wrap']);
		assert.equal(await page.locator('#filter-q').inputValue(), 'relay', 'the search stays in the box');
		assert.equal(await page.locator('#filter-status').inputValue(), 'ok');

		// Team filter, then sort by the Name header link.
		await page.locator('#filter-q').fill('');
		await page.locator('#filter-status').selectOption('');
		await page.locator('#filter-team').selectOption({ label: `${P}-sales` });
		await Promise.all([page.waitForURL(/team=/), page.getByRole('button', { name: 'Apply' }).click()]);
		assert.deepEqual(await page.locator('table tbody tr th a').allTextContents(),
		    ['Celonis EMS data push', 'Salesforce production']);
		await Promise.all([page.waitForURL(/sort=-name/), page.locator('thead a', { hasText: 'Name' }).click()]);
		assert.deepEqual(await page.locator('table tbody tr th a').allTextContents(),
		    ['Salesforce production', 'Celonis EMS data push']);
		assert.equal(await page.locator('thead th[aria-sort]').first().getAttribute('aria-sort'), 'descending');

		// Nothing matches: the filtered empty state, and Clear brings all back.
		await page.goto(baseUrl() + '/?q=no-such-connection');
		await page.getByText('No connections match these filters').waitFor();
		await Promise.all([page.waitForURL(baseUrl() + '/'), page.getByRole('link', { name: 'Clear filters' }).first().click()]);
		assert.equal(await page.locator('table tbody tr').count(), 5);
		assertCleanConsole(messages, 'desktop');
	} finally {
		await close();
	}
});

test('phone size: the list fits the screen, and a screenshot is saved', async () => {
	const { page, messages, close } = await openBrowser({ viewport: { width: 390, height: 844 },
		isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
	try {
		await signInPage(page, user);
		await page.getByRole('heading', { level: 1, name: 'Integrations' }).waitFor();
		assert.equal(await page.locator('table tbody tr').count(), 5);
		const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		assert.ok(overflow <= 1, `no sideways scrolling of the page (${overflow}px too wide)`);
		await screenshot(page, 'list-phone');
		assertCleanConsole(messages, 'phone');
	} finally {
		await close();
	}
});

test('with JavaScript on, the pages still raise no CSP violation', async () => {
	const { page, messages, close } = await openBrowser({ js: true });
	const violations = [];
	try {
		await page.addInitScript(() => {
			document.addEventListener('securitypolicyviolation', (e) => {
				console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
			});
		});
		page.on('console', (m) => { if (/CSP violation/.test(m.text())) violations.push(m.text()); });
		await signInPage(page, user);
		await page.goto(baseUrl() + '/?q=a&sort=-tested');
		await page.goto(baseUrl() + '/no-such-page');
		assert.match(await page.locator('body').innerText(), /Page not found/);
		assert.deepEqual(violations, []);
		assertCleanConsole(messages.filter((m) => !/404/.test(m)), 'JavaScript on');
	} finally {
		await close();
	}
});
