// tests/lib/authkinds.mjs — what the tests of the authentication kinds
// (issue 16 §1) share: a Tether of the test's own that reaches fixed vendor
// host names through the CONNECT proxy stand-in, the cleanups run in
// reverse, both screenshot sizes, and Create through the form in a browser.

import { screenshot } from './browser.mjs';
import { uniq } from './stack.mjs';
import { startProxy } from '../fakes/proxy.mjs';
import { startTether } from './tether.mjs';

const WIDE = { width: 1366, height: 900 };
const NARROW = { width: 390, height: 844 };

/** A proxy mapping `map` (host:443 -> port) and a Tether using it and the test CA. */
export async function proxiedTether(cleanups, caFile, map, { front = false } = {}) {
	const px = await startProxy(map);
	cleanups.push(() => px.close());
	const tether = await startTether({ front, replace: { 'outbound.ca_bundle': caFile, 'outbound.proxy': px.url } });
	cleanups.push(() => tether.stop());
	return { px, tether };
}

/** Run the cleanups, last first. */
export async function runCleanups(cleanups) {
	for (const c of cleanups.reverse())
		await c();
}

/** NAME-1366.png and NAME-390.png of the page as it is now. */
export async function bothSizes(page, name) {
	await page.setViewportSize(WIDE);
	await screenshot(page, `${name}-1366`);
	await page.setViewportSize(NARROW);
	await screenshot(page, `${name}-390`);
	await page.setViewportSize(WIDE);
}

/** Fill the New connection form at base (query: connector=…&protocol=…), Create, wait for Details. */
export async function createInBrowser(page, base, team, query, fields, selects = {}) {
	await page.goto(`${base}/connections/new?${query}`);
	await page.locator('#f-name').fill(uniq('Kind'));
	for (const [k, v] of Object.entries(fields))
		await page.locator(`[id="f-f.${k}"]`).fill(v);
	for (const [k, v] of Object.entries(selects))
		await page.locator(`[id="f-f.${k}"]`).selectOption(v);
	const t = page.locator('select[name="team"]');
	if (await t.count() > 0)
		await t.selectOption(String(team.id));
	// Through the Testing… page (or straight on when the test is quick) to Details.
	await Promise.all([page.waitForURL(/\/connections\/[0-9]+$/, { timeout: 20000 }),
		page.getByRole('button', { name: 'Create' }).click()]);
}
