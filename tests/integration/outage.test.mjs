// A database outage: with PostgreSQL stopped, a signed-in
// GET / is a 503 page with the security headers and nothing of the
// internals; once it is started again the very next requests succeed on
// every worker (each reconnects by itself). PostgreSQL is always started
// again, whatever happens here.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';

import { assertErrorPage, assertNoInternals } from '../lib/checks.mjs';
import {
	childrenOf, confValue, CookieJar, env, get, loginForm, makeUser, post, psqlValue, signIn,
	startProcess, uniq,
} from '../lib/stack.mjs';

const pgData = () => path.join(env('TETHER_VAR'), 'pg');
const pgCtl = () => path.join(path.dirname(env('TETHER_PSQL')), 'pg_ctl');

/** pg_ctl as the cluster's owner (postgres refuses to run as root). */
function pgctl(...args) {
	const asRoot = process.getuid() === 0;
	const cmd = asRoot ? 'runuser' : pgCtl();
	const argv = asRoot ? ['-u', 'postgres', '--', pgCtl(), ...args] : args;
	const r = spawnSync(cmd, argv, { cwd: '/', encoding: 'utf8', timeout: 90000 });
	if (r.error)
		throw r.error;
	return r;
}

function pgRunning() {
	return pgctl('-D', pgData(), 'status').status === 0;
}

function pgStart() {
	if (pgRunning())
		return;
	const log = path.join(env('TETHER_LOG_DIR'), 'postgresql.log');
	const r = pgctl('-D', pgData(), '-l', log, '-w', '-t', '60', '-s', 'start');
	assert.equal(r.status, 0, `pg_ctl start: ${r.stderr}`);
}

after(() => {
	pgStart();
});

async function burst(n, fn) {
	return Promise.all(Array.from({ length: n }, fn));
}

test('PostgreSQL down: 503 without internals; back up: the next requests work', async () => {
	assert.ok(fs.existsSync(path.join(pgData(), 'PG_VERSION')), `a cluster in ${pgData()}`);
	assert.ok(pgRunning(), 'PostgreSQL runs before the test');
	const u = makeUser();
	const { jar } = await signIn(u.email, u.password);
	// Warm every worker's connection (4 at once reach different workers).
	for (const r of await burst(8, () => get('/', jar)))
		assert.equal(r.status, 200);
	const { jar: lj, csrf } = await loginForm();
	let loginDown;

	const stop = pgctl('-D', pgData(), '-m', 'fast', '-w', '-t', '60', '-s', 'stop');
	assert.equal(stop.status, 0, `pg_ctl stop: ${stop.stderr}`);
	try {
		assert.ok(!pgRunning(), 'PostgreSQL is stopped');
		// Sequentially and in bursts, so that every worker meets the outage.
		const down = [];
		for (let i = 0; i < 4; i++)
			down.push(await get('/', jar));
		down.push(...await burst(8, () => get('/?q=x&page=2', jar)));
		for (const r of down) {
			const rid = assertErrorPage(r, 503, 'GET / while the database is down');
			assert.match(r.text, /Temporarily unavailable/);
			assert.ok(r.text.includes(rid));
		}
		// Signing in needs the database too: 503, not 500 and not a crash.
		// (Its status is checked at the end, so that the reconnect is
		// checked whatever it is.)
		loginDown = await post('/login', { csrf, email: u.email, password: u.password, next: '/' }, lj.clone());
		assertNoInternals(loginDown.text, 'POST /login while the database is down');
		assert.ok(loginDown.status >= 500, `POST /login while the database is down: ${loginDown.status}`);
		// The sign-in form itself needs no database.
		const form = await get('/login', new CookieJar());
		assert.equal(form.status, 200, 'GET /login works without the database');
	} finally {
		pgStart();
	}

	// The very next requests succeed, on every worker.
	const up = [];
	for (let i = 0; i < 4; i++)
		up.push(await get('/', jar));
	for (let i = 0; i < 3; i++)
		up.push(...await burst(4, () => get('/', jar)));
	up.forEach((r, i) => assert.equal(r.status, 200, `request ${i + 1} after the restart`));
	// And a sign-in works again.
	const again = await post('/login', { csrf, email: u.email, password: u.password, next: '/' }, lj);
	assert.equal(again.status, 303);

	assertErrorPage(loginDown, 503, 'POST /login while the database is down');
});

// ------------------------------------------------------------ a stalled server

/** The cluster's processes: the postmaster (postmaster.pid) and its children. */
function clusterPids() {
	const master = Number(fs.readFileSync(path.join(pgData(), 'postmaster.pid'), 'utf8').split('\n')[0]);
	return [master, ...childrenOf(master)];
}

function signalAll(pids, sig) {
	for (const pid of pids) {
		try {
			process.kill(pid, sig);
		} catch {
			/* gone */
		}
	}
}

test('PostgreSQL stalled (SIGSTOP) past the bound: 503 with Retry-After in time; then it recovers', async () => {
	pgStart();
	const u = makeUser();
	const { jar } = await signIn(u.email, u.password);
	for (const r of await burst(8, () => get('/', jar)))
		assert.equal(r.status, 200);
	const stmtMs = Number(confValue('db.statement_timeout_ms') || 5000);
	const connectS = Number(confValue('db.connect_timeout') || 5);
	// A request meets at most one stalled statement (statement_timeout plus
	// a second's grace) and one connect attempt (connect_timeout); nginx
	// would give up at 30 s.
	const bound = stmtMs + 1000 + connectS * 1000 + 2000;
	const stallMs = bound + 6000;
	const pids = clusterPids();
	assert.ok(pids.length >= 2, `postmaster and children: ${pids}`);
	const stopped = Date.now();
	signalAll(pids, 'SIGSTOP');
	let answers;
	try {
		// Every worker meets the stall (4 workers, 8 requests), and a few
		// later requests find the connection gone and the server still stalled.
		answers = await burst(8, async () => {
			const t0 = Date.now();
			const r = await get('/', jar);
			return { r, ms: Date.now() - t0 };
		});
		const later = [];
		while (Date.now() - stopped < stallMs - bound) {
			const t0 = Date.now();
			later.push({ r: await get('/?q=stall', jar), ms: Date.now() - t0 });
		}
		answers.push(...later);
	} finally {
		const left = stallMs - (Date.now() - stopped);
		if (left > 0)
			await new Promise((resolve) => setTimeout(resolve, left));
		signalAll(pids, 'SIGCONT');
	}
	for (const { r, ms } of answers) {
		assertErrorPage(r, 503, `GET / while PostgreSQL is stalled (${ms} ms)`);
		assert.equal(r.headers.get('retry-after'), '5', 'Retry-After on the 503');
		assert.ok(ms < bound, `answered within ${bound} ms: ${ms} ms`);
	}
	// Resumed: the next requests work on every worker.
	const up = [];
	for (let i = 0; i < 3; i++)
		up.push(...await burst(4, () => get('/', jar)));
	up.forEach((r, i) => assert.equal(r.status, 200, `request ${i + 1} after SIGCONT`));
});

// ------------------------------------------------------- a statement timeout

test('a statement that times out on the server is 503 with Retry-After on every page, not 500', async () => {
	pgStart();
	const admin = makeUser({ admin: true });
	const { jar } = await signIn(admin.email, admin.password);
	const team = psqlValue(`INSERT INTO teams (name) VALUES ('${uniq('to')}') RETURNING id`);
	const conn = psqlValue(`SELECT id FROM connections ORDER BY id LIMIT 1`);
	const stmtMs = Number(confValue('db.statement_timeout_ms') || 5000);
	// Hold the tables the pages read for longer than statement_timeout.
	const holdS = Math.ceil(stmtMs / 1000) * 3 + 4;
	const locker = startProcess(env('TETHER_PSQL'), ['-X', '-q', '-d', env('TETHER_PG_OWNER'), '-c',
	    `BEGIN; LOCK TABLE connections, teams, audit_log IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(${holdS}); COMMIT;`]);
	try {
		await new Promise((resolve) => setTimeout(resolve, 500));
		const paths = ['/?q=timeout', '/teams', `/teams/${team}`, '/audit'];
		if (conn !== undefined)
			paths.push(`/connections/${conn}`);
		const answers = await Promise.all(paths.map(async (p) => ({ p, r: await get(p, jar) })));
		assert.deepEqual(answers.map(({ p, r }) => `${p} ${r.status}`), paths.map((p) => `${p} 503`));
		for (const { p, r } of answers) {
			assertErrorPage(r, 503, `GET ${p} while its tables are locked past statement_timeout`);
			assert.equal(r.headers.get('retry-after'), '5', `Retry-After on GET ${p}`);
		}
	} finally {
		await locker.stop('SIGTERM', 5000);
		psqlValue(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		    WHERE query LIKE '%pg_sleep(${holdS})%' AND pid <> pg_backend_pid()`);
	}
	assert.equal((await get('/', jar)).status, 200, 'the list works once the lock is gone');
});
