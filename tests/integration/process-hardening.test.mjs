// The processes themselves (Hardening issue, items 5 and 11):
//
//  - the stack's FastCGI socket lets nginx's workers connect and no other
//    local account: run as root, the socket is 0660 with group www-data,
//    and `nobody` is refused while `www-data` gets an answer; run as a
//    user, the socket is that user's alone. A local account that could
//    speak FastCGI would forge REMOTE_ADDR and HTTPS, and with them the
//    sign-in throttle's client and the audit trail;
//  - tether-fcgi (master and worker) and tetherctl turn core dumps off
//    themselves: started under `ulimit -c unlimited` they run with
//    RLIMIT_CORE 0 and are not dumpable (their /proc files belong to root,
//    not to the account that runs them).

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { waitForSocket } from '../lib/fcgi.mjs';
import { childrenOf, confCopy, confValue, env, waitFor, within } from '../lib/stack.mjs';

const isRoot = process.getuid() === 0;
const cleanups = [];

after(async () => {
	for (const fn of cleanups.reverse())
		await fn();
});

function gidOf(group) {
	const r = spawnSync('getent', ['group', group], { encoding: 'utf8' });
	assert.equal(r.status, 0, `getent group ${group}`);
	return Number(r.stdout.split(':')[2]);
}

function uidOf(user) {
	const r = spawnSync('id', ['-u', user], { encoding: 'utf8' });
	assert.equal(r.status, 0, `id -u ${user}`);
	return Number(r.stdout.trim());
}

/**
 * As USER:GROUP (no supplementary groups), one FastCGI GET /login on sock
 * with tests/lib/fcgi.mjs; { status } or { error: code }.
 */
function fcgiAs(user, group, sock) {
	const lib = pathToFileURL(path.join(env('TETHER_SRC'), 'tests/lib/fcgi.mjs')).href;
	const script = `
		import { fcgiRequest } from ${JSON.stringify(lib)};
		try {
			const r = await fcgiRequest(${JSON.stringify(sock)}, { uri: '/login',
			    remoteAddr: '203.0.113.77', params: { HTTPS: 'on' }, timeoutMs: 10000 });
			console.log(JSON.stringify({ status: r.status }));
		} catch (e) {
			console.log(JSON.stringify({ error: e.code ?? String(e) }));
		}`;
	const r = spawnSync('setpriv', ['--reuid', user, '--regid', group, '--clear-groups',
	    process.execPath, '--input-type=module', '-e', script],
	{ cwd: '/', encoding: 'utf8', timeout: 20000 });
	assert.equal(r.status, 0, `node as ${user}: ${r.stderr}`);
	return JSON.parse(r.stdout.trim().split('\n').pop());
}

test('the FastCGI socket admits nginx\'s workers and no other local account', () => {
	const sock = confValue('server.socket');
	const st = fs.statSync(sock);
	assert.ok(st.isSocket(), `${sock} is a socket`);
	const mode = st.mode & 0o777;
	assert.equal(mode & 0o007, 0,
	    `${sock} must give other accounts nothing, is ${mode.toString(8)}`);
	if (!isRoot) {
		assert.equal(st.uid, process.getuid(), 'the socket belongs to the account the stack runs as');
		return;
	}
	assert.equal(mode, 0o660, `socket mode ${mode.toString(8)}`);
	assert.equal(st.gid, gidOf('www-data'), 'the socket\'s group is nginx\'s (www-data)');
	const nobody = fcgiAs('nobody', 'nogroup', sock);
	assert.deepEqual(nobody, { error: 'EACCES' }, 'nobody cannot connect to the app directly');
	const nginx = fcgiAs('www-data', 'www-data', sock);
	assert.deepEqual(nginx, { status: 200 }, 'www-data (nginx\'s workers) can');
});

test("the stack's PostgreSQL socket (trust authentication) admits no other local account", () => {
	const dir = confValue('db.conninfo').match(/host=(\S+)/)[1];
	const sockets = fs.readdirSync(dir).filter((f) => /^\.s\.PGSQL\.[0-9]+$/.test(f));
	assert.equal(sockets.length, 1, `one PostgreSQL socket in ${dir}: ${sockets}`);
	const mode = fs.statSync(path.join(dir, sockets[0])).mode & 0o777;
	assert.equal(mode & 0o077, 0, `the trust socket must be its owner's alone, is ${mode.toString(8)}`);
	if (!isRoot)
		return;
	// What any local account would try: psql as the superuser.
	const r = spawnSync('setpriv', ['--reuid', 'nobody', '--regid', 'nogroup', '--clear-groups',
	    env('TETHER_PSQL'), '-X', '-tA', '-d', `host=${dir} port=${sockets[0].split('.').pop()} ` +
	    'dbname=tether user=postgres', '-c', 'SELECT 1'], { cwd: '/', encoding: 'utf8', timeout: 20000 });
	assert.notEqual(r.status, 0, `nobody connected as the superuser: ${r.stdout}`);
	assert.match(r.stderr, /Permission denied/);
});

test('tether-fcgi refuses a socket every account could use, and a group it cannot give', () => {
	for (const [replace, why] of [
		[{ 'server.socket_mode': '0666' }, /server\.socket_mode: expected 0600 or 0660/],
		[{ 'server.socket_mode': '0644' }, /server\.socket_mode: expected 0600 or 0660/],
		[{ 'server.socket_group': 'no-such-group-tether' }, /server\.socket_group no-such-group-tether: no such group/],
	]) {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-sm-'));
		try {
			const conf = confCopy(dir, { 'server.pidfile': path.join(dir, 'p.pid'), ...replace });
			const sock = path.join(dir, 's.sock');
			const r = spawnSync(path.join(env('TETHER_BIN'), 'tether-fcgi'), ['-c', conf, '-f', '-s', sock],
			    { encoding: 'utf8', timeout: 20000 });
			assert.equal(r.status, 1, `${JSON.stringify(replace)}: exit status (${r.stderr})`);
			assert.match(r.stderr, why);
			assert.ok(!fs.existsSync(sock), `${JSON.stringify(replace)}: no socket left behind`);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	}
});

/** Soft and hard "Max core file size" of pid, as strings. */
function coreLimit(pid) {
	const text = fs.readFileSync(`/proc/${pid}/limits`, 'utf8');
	const m = /^Max core file size\s+(\S+)\s+(\S+)/m.exec(text);
	assert.ok(m, `/proc/${pid}/limits has a core line`);
	return [m[1], m[2]];
}

function assertNotDumpable(pid, runUid, what) {
	assert.notEqual(runUid, 0, 'the check needs a process that does not run as root');
	const st = fs.statSync(`/proc/${pid}/status`);
	assert.equal(st.uid, 0, `${what} (pid ${pid}, uid ${runUid}) is not dumpable: ` +
	    `/proc/${pid}/status belongs to uid ${st.uid}`);
	assert.deepEqual(coreLimit(pid), ['0', '0'], `${what}: RLIMIT_CORE is 0`);
}

/**
 * A temp dir the account of the run (postgres when root: the one other account that may reach the trust socket of the cluster) owns, with a copy of
 * the configuration and of the master key.
 */
function runDir(extra = {}) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-ph-'));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	const key = path.join(dir, 'master.key');
	fs.copyFileSync(confValue('vault.master_key_file'), key);
	fs.chmodSync(key, 0o600);
	const conf = confCopy(dir, {
		'vault.master_key_file': key,
		'server.pidfile': path.join(dir, 'fcgi.pid'),
		'server.socket': path.join(dir, 'f.sock'),
		'server.socket_mode': '0600',
		'server.socket_group': '',
		'server.workers': '1',
		...extra,
	});
	const uid = isRoot ? uidOf('postgres') : process.getuid();
	const gid = isRoot ? gidOf('postgres') : process.getgid();
	if (isRoot) {
		for (const f of [dir, key, conf])
			fs.chownSync(f, uid, gid);
	}
	return { dir, conf, key, uid, sock: path.join(dir, 'f.sock') };
}

/**
 * argv under bash with `ulimit -c unlimited` (as postgres when root); the
 * shell prints its core limit first, so the test knows the limit was
 * raised before the program started.
 */
function spawnUnlimited(argv, stdio = ['ignore', 'pipe', 'pipe']) {
	const quoted = argv.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
	const drop = isRoot ? "setpriv --reuid postgres --regid postgres --clear-groups " : '';
	const child = spawn('bash', ['-c',
	    `ulimit -c unlimited 2>/dev/null || ulimit -S -c "$(ulimit -H -c)"; ` +
	    `echo "core=$(ulimit -c)" >&2; exec ${drop}${quoted}`],
	{ cwd: '/', stdio, env: { ...process.env, LIBFCGI_OS_CLOSE_POLL_TIMEOUT: '0' } });
	let err = '';
	child.stderr.on('data', (d) => { err += d; });
	const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
	return { child, exited, stderr: () => err };
}

test('tether-fcgi started under ulimit -c unlimited runs master and worker without core dumps', async () => {
	const run = runDir();
	const p = spawnUnlimited([path.join(env('TETHER_BIN'), 'tether-fcgi'), '-c', run.conf]);
	let done = false;
	p.exited.then(() => { done = true; });
	cleanups.push(async () => {
		if (!done) {
			try { process.kill(p.child.pid, 'SIGTERM'); } catch { /* gone */ }
			if (await within(p.exited, 10000) === null)
				try { process.kill(p.child.pid, 'SIGKILL'); } catch { /* gone */ }
		}
	});
	await waitForSocket(run.sock, 20000, () => !done);
	assert.match(p.stderr(), /^core=unlimited$/m, 'the shell raised the limit first: ' + p.stderr());
	const master = p.child.pid;	/* bash exec'd setpriv, which exec'd tether-fcgi */
	const workers = await waitFor(() => {
		const c = childrenOf(master);
		return c.length === 1 ? c : null;
	}, 10000, 'the worker');
	assertNotDumpable(master, run.uid, 'the master');
	assertNotDumpable(workers[0], run.uid, 'the worker');
	process.kill(master, 'SIGTERM');
	assert.notEqual(await within(p.exited, 10000), null, 'the master stops on SIGTERM');
});

test('tetherctl turns core dumps off too (it decrypts secrets: rotate-key, test)', async () => {
	const run = runDir();
	// user add … --password-stdin waits on stdin: long enough to look at it.
	const p = spawnUnlimited([path.join(env('TETHER_BIN'), 'tetherctl'), '-c', run.conf,
	    'user', 'add', `core-${process.pid}@test.local`, '--password-stdin'],
	['pipe', 'pipe', 'pipe']);
	cleanups.push(() => { try { process.kill(p.child.pid, 'SIGKILL'); } catch { /* gone */ } });
	await waitFor(() => /^core=unlimited$/m.test(p.stderr()) &&
	    fs.readFileSync(`/proc/${p.child.pid}/cmdline`, 'utf8').includes('tetherctl'),
	10000, 'tetherctl to start');
	// It has read its configuration and waits for the password: blocked in
	// read(0, …) (/proc/PID/syscall: the number, then the arguments).
	const READ = { x64: 0, arm64: 63 }[process.arch];
	assert.notEqual(READ, undefined, `read(2)'s number on ${process.arch}`);
	await waitFor(() => {
		try {
			return fs.readFileSync(`/proc/${p.child.pid}/syscall`, 'utf8')
			    .startsWith(`${READ} 0x0 `);
		} catch { return false; }
	}, 10000, 'tetherctl to wait on stdin');
	assertNotDumpable(p.child.pid, run.uid, 'tetherctl');
	p.child.stdin.end();	/* no password: it exits 1, adding nobody to the users */
	const r = await within(p.exited, 10000);
	assert.deepEqual(r, { code: 1, signal: null }, p.stderr());
});
