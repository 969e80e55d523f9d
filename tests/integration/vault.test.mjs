// The vault seen through the app (docs/ARCHITECTURE.md, "The vault"; its
// own unit tests are C, tests/unit/test_vault.c): every connection_secrets
// row's ciphertext differs from its plaintext; a ciphertext copied onto
// another connection's row (same field, or another field) does not decrypt,
// and testing that connection answers credentials_missing with "re-enter",
// sends nothing and crashes no worker; `tetherctl rotate-key` re-encrypts
// every secret into a new data key version and every test gives the same
// result afterwards; a tether-fcgi with another master key, or a key file
// readable by others, refuses to start with a clear message.
//
// Secrets of Generic HTTP (Basic) connections are checked against a
// Basic-auth stand-in on loopback: a test that passes proves the secret
// decrypted to the right value.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
	mustCreate, postEdit, secretRows, startBasicStandin, testNow,
} from '../lib/lifecycle/lc.mjs';
import { connRow, testRows } from '../lib/rows.mjs';
import {
	confCopy, confValue, csrfFrom, env, get, makeUser, managerSession, pageText, post, psql,
	sessionCsrf, signIn, startProcess, tetherctl, uniq, within, workerPids,
} from '../lib/stack.mjs';

const PW_A = `vault-a-${randomBytes(6).toString('hex')}`;
const PW_B = `vault-b-${randomBytes(6).toString('hex')}`;
const TOKEN_E = `vault-e-${randomBytes(6).toString('hex')}`;

let s;			// owns the connections below
let standin;		// user svc, password PW_A
const conns = {};	// a: works (PW_A); b: PW_B, refused; c: wrong user; e: bearer token
const tmpDirs = [];

before(async () => {
	s = await managerSession();
	standin = await startBasicStandin({ user: 'svc', password: PW_A });
	const basic = (name, username, password) => mustCreate(s.jar, { connector: 'http', protocol: 'basic',
		name: `${name} ${uniq('v')}`, fields: { url: standin.url, test_path: '/health', test_status: '200',
			username, password } });
	conns.a = await basic('Vault A', 'svc', PW_A);
	conns.b = await basic('Vault B', 'svc', PW_B);
	conns.c = await basic('Vault C', 'someone-else', PW_A);
	conns.e = await mustCreate(s.jar, { connector: 'http', protocol: 'bearer', name: uniq('Vault E'),
		fields: { url: standin.url, test_path: '/health', test_status: '401', token: TOKEN_E } });
	assert.deepEqual(['a', 'b', 'c', 'e'].map((k) => connRow(conns[k].id).result),
	    ['ok', 'bad_credentials', 'bad_credentials', 'ok']);
	// A per-user connection with this user's own password, and a named credential.
	conns.perUser = await mustCreate(s.jar, { connector: 'servicenow', protocol: 'basic', context: 'per_user',
		name: uniq('Per user'), fields: { url: 'https://now.invalid', username: 'me', password: '' } });
	const form = await get(`/connections/${conns.perUser.id}/credentials`, s.jar);
	assert.equal(form.status, 200);
	const cr = await post(`/connections/${conns.perUser.id}/credentials`,
	    { csrf: csrfFrom(form.text), 'f.password': 'my-own-pw' }, s.jar);
	assert.equal(cr.status, 303, pageText(cr.text).slice(0, 200));
	const ncName = uniq('NC');
	const nc = await post('/named-credentials', { csrf: await sessionCsrf(s.jar, '/connectors'), name: ncName, description: '',
		team: String(s.team.id), url: 'https://nc.invalid', protocol: 'basic', 'f.username': 'svc',
		'f.password': 'nc-pw' }, s.jar);
	assert.equal(nc.status, 303, pageText(nc.text).slice(0, 300));
	conns.namedCredential = Number(psql(`SELECT id FROM named_credentials WHERE name = '${ncName}'`)[0][0]);
	const [[n]] = psql(`SELECT (SELECT count(*) FROM user_connection_secrets WHERE connection_id = ${conns.perUser.id})
	    + (SELECT count(*) FROM named_credential_secrets WHERE named_credential_id = ${conns.namedCredential})`);
	assert.equal(n, '2', 'one per-user secret and one named-credential secret');
});

after(async () => {
	await standin?.close();
	for (const d of tmpDirs)
		fs.rmSync(d, { recursive: true, force: true });
});

/** A tester of its own in the team (20 tests a minute a user). */
async function tester() {
	const u = makeUser({ teams: [{ name: s.team.name, role: 'member' }] });
	return (await signIn(u.email, u.password)).jar;
}

function copySecret(from, fromField, to, toField) {
	psql(`UPDATE connection_secrets d SET ciphertext = s.ciphertext, nonce = s.nonce,
	    key_version = s.key_version FROM connection_secrets s
	    WHERE s.connection_id = ${from} AND s.field = '${fromField}'
	    AND d.connection_id = ${to} AND d.field = '${toField}'`);
	const [[n]] = psql(`SELECT count(*) FROM connection_secrets d, connection_secrets s
	    WHERE s.connection_id = ${from} AND s.field = '${fromField}' AND d.connection_id = ${to}
	    AND d.field = '${toField}' AND d.ciphertext = s.ciphertext AND d.nonce = s.nonce`);
	assert.equal(n, '1', 'the ciphertext was copied');
}

describe('secrets at rest', () => {
	test("every row's ciphertext differs from its plaintext; equal plaintexts seal differently", () => {
		const plain = { a: PW_A, b: PW_B, c: PW_A, e: TOKEN_E };
		const seen = new Set();
		for (const [k, p] of Object.entries(plain)) {
			const rows = secretRows(conns[k].id);
			assert.equal(rows.length, 1, `${k}: one secret row`);
			const { ct, nonce } = rows[0];
			const hex = Buffer.from(p).toString('hex');
			assert.ok(!ct.includes(hex), `${k}: the plaintext is not inside the ciphertext`);
			assert.equal(ct.length / 2, Buffer.byteLength(p) + 16, `${k}: ciphertext = plaintext + 16-byte tag`);
			assert.equal(nonce.length / 2, 24, `${k}: a 24-byte XChaCha20 nonce`);
			assert.ok(!seen.has(ct) && !seen.has(nonce), `${k}: ciphertext and nonce are unique`);
			seen.add(ct);
			seen.add(nonce);
		}
		// The owner role sees nothing readable in the whole table either.
		const [[n]] = psql(`SELECT count(*) FROM connection_secrets
		    WHERE position(convert_to('${PW_A}', 'UTF8') IN ciphertext) > 0
		       OR position(convert_to('${TOKEN_E}', 'UTF8') IN ciphertext) > 0`);
		assert.equal(n, '0');
	});
});

describe('a ciphertext copied to another row does not decrypt', () => {
	for (const [what, from, fromField, to, toField] of [
		["another connection's same field", 'a', 'password', 'b', 'password'],
		["another connection's other field", 'a', 'password', 'e', 'token'],
	]) {
		test(`${what}: the test answers credentials_missing ("re-enter"), sends nothing, crashes nothing`, async () => {
			const jar = await tester();
			const pids = workerPids().sort();
			copySecret(conns[from].id, fromField, conns[to].id, toField);
			const sent = standin.requests.length;
			const t = await testNow(jar, conns[to].id);
			assert.equal(t.status, 303, pageText(t.res.text).slice(0, 200));
			assert.deepEqual(t.flash, { kind: 'error',
				message: 'A stored credential is missing or cannot be decrypted: re-enter it.' });
			assert.equal(standin.requests.length, sent, 'nothing was sent with a secret that does not decrypt');
			const last = testRows(conns[to].id).at(-1);
			assert.deepEqual([last.trigger, last.result], ['manual', 'credentials_missing']);
			assert.match(last.message, /re-enter/);
			assert.deepEqual([connRow(conns[to].id).status, connRow(conns[to].id).result],
			    ['failing', 'credentials_missing']);
			// The page says so; the source connection still works; no worker died.
			const page = await get(`/connections/${conns[to].id}`, jar);
			assert.equal(page.status, 200);
			assert.match(pageText(page.text), /A stored credential is missing or cannot be decrypted: re-enter it\./);
			assert.deepEqual((await testNow(jar, conns[from].id)).flash,
			    { kind: 'success', message: 'The connection works.' });
			assert.deepEqual(workerPids().sort(), pids, 'the same workers serve: none crashed');
			const log = fs.readFileSync(path.join(env('TETHER_LOG_DIR'), 'tether-fcgi.log'), 'latin1');
			assert.match(log, new RegExp(`connection ${conns[to].id}: secret ${toField} does not decrypt`));
		});
	}

	test('entering the secret again repairs it', async () => {
		// e was broken above: its token entered again on Edit.
		const r = await postEdit(s.jar, conns.e.id, { fields: { token: TOKEN_E } });
		assert.equal(r.status, 303);
		assert.match(r.flash.message, /Test: The connection works\.$/);
		assert.equal(connRow(conns.e.id).result, 'ok');
	});
});

describe('tetherctl rotate-key', () => {
	let rotation;		// { version, stdout, stderr, undecryptable: Set("id/field") }

	test('re-encrypts every secret into a new data key; the ones that do not decrypt are named', () => {
		const [[before]] = psql('SELECT max(version) FROM vault_keys');
		const old = Object.fromEntries(['a', 'b', 'c', 'e'].map((k) => [k, secretRows(conns[k].id)[0]]));
		const r = tetherctl('rotate-key', { check: false, env: { POSIXLY_CORRECT: '1' }, timeoutMs: 240000 });
		assert.equal(r.status, 0, r.stderr);
		// A fresh rotation makes data key v(max+1); one that an earlier run left
		// unfinished resumes into the newest key (see the last test of this group).
		const done = /^rotation to data key v([0-9]+): [0-9]+ re-encrypted$/m.exec(r.stdout);
		assert.ok(done, `the rotation says where it went: ${r.stdout}`);
		const version = Number(done[1]);
		if (/^resuming: /m.test(r.stdout))
			assert.equal(version, Number(before), r.stdout);
		else {
			assert.equal(version, Number(before) + 1);
			assert.match(r.stdout, new RegExp(`^data key v${version} created$`, 'm'));
		}
		assert.equal(psql('SELECT max(version) FROM vault_keys')[0][0], String(version));
		const undecryptable = new Set([...r.stderr.matchAll(
		    /^tetherctl: connection ([0-9]+) field (\S+) does not decrypt; left as it is \(re-enter this credential\)$/gm)]
		    .map((m) => `${m[1]}/${m[2]}`));
		// b's password was overwritten with a's ciphertext above: it is one of
		// them (when it was in an older key than the one rotated to).
		if (old.b.keyVersion < version)
			assert.ok(undecryptable.has(`${conns.b.id}/password`), `b is reported: ${r.stderr}`);
		// Every row is in the new version, except exactly the ones reported.
		const left = new Set(psql(`SELECT connection_id || '/' || field FROM connection_secrets
		    WHERE key_version <> ${version}`).map((x) => x[0]));
		assert.deepEqual([...left].sort(), [...undecryptable].sort());
		for (const [k, o] of Object.entries(old)) {
			if (k === 'b')
				continue;
			const now = secretRows(conns[k].id)[0];
			assert.equal(now.keyVersion, version, `${k} is in v${version}`);
			if (o.keyVersion < version) {
				assert.notEqual(now.ct, o.ct, `${k} was sealed again`);
				assert.notEqual(now.nonce, o.nonce, `${k} has a new nonce`);
			}
		}
		rotation = { version, stdout: r.stdout, stderr: r.stderr, undecryptable };
	});

	test('secrets saved after the rotation use the new data key (no restart)', async () => {
		assert.ok(rotation, 'the rotation ran');
		const created = [];
		for (let i = 0; i < 4; i++) {
			const c = await mustCreate(s.jar, { connector: 'jira', protocol: 'server', name: uniq('After rotation'),
				fields: { url: 'https://jira.invalid', username: 'svc', password: `after-${i}` } });
			created.push(c.id);
		}
		const versions = created.map((id) => secretRows(id)[0].keyVersion);
		assert.deepEqual(versions, created.map(() => rotation.version),
		    `new secrets are sealed with data key v${rotation.version}, not an older one`);
	});

	test('after the rotation every test gives the same result', async () => {
		assert.ok(rotation, 'the rotation ran');
		const jar = await tester();
		const results = {};
		for (const k of ['a', 'b', 'c', 'e'])
			results[k] = (await testNow(jar, conns[k].id)).flash.message;
		assert.deepEqual(results, {
			a: 'The connection works.',
			b: 'A stored credential is missing or cannot be decrypted: re-enter it.',
			c: 'The system refused the credentials (check the user, secret and permissions).',
			e: 'The connection works.',
		});
		assert.equal(standin.requests.at(-1).authorization, `Bearer ${TOKEN_E}`, 'e sent its own token');
	});

	test('per-user and named-credential secrets are rotated too', () => {
		assert.ok(rotation, 'the rotation ran');
		const stale = psql(`SELECT 'user_connection_secrets', key_version FROM user_connection_secrets
		        WHERE connection_id = ${conns.perUser.id}
		    UNION ALL SELECT 'named_credential_secrets', key_version FROM named_credential_secrets
		        WHERE named_credential_id = ${conns.namedCredential}`)
		    .filter((x) => Number(x[1]) !== rotation.version).map((x) => `${x[0]} (v${x[1]})`);
		assert.deepEqual(stale, [], `after rotate-key (to v${rotation.version}), ` +
		    'these secrets are still sealed with an older data key');
	});

	test('the copies kept for Revert are rotated too', () => {
		assert.ok(rotation, 'the rotation ran');
		const ids = ['a', 'c', 'e'].map((k) => conns[k].id).join(',');
		const kept = psql(`SELECT connection_id, version, field, key_version FROM connection_secret_versions
		    WHERE connection_id IN (${ids})`);
		assert.ok(kept.length > 0, 'their versions keep copies of their secrets');
		const stale = kept.filter((x) => Number(x[3]) !== rotation.version)
		    .map((x) => `${x[0]} v${x[1]} ${x[2]} (key v${x[3]})`);
		assert.deepEqual(stale, [], `after rotate-key (to v${rotation.version}), kept copies in an older key`);
	});

	test('a second rotation makes a new data key even while some secret does not decrypt', () => {
		assert.ok(rotation, 'the rotation ran');
		assert.ok(rotation.undecryptable.size > 0, 'some secret does not decrypt (b)');
		const [[before]] = psql('SELECT max(version) FROM vault_keys');
		const r = tetherctl('rotate-key', { check: false, env: { POSIXLY_CORRECT: '1' }, timeoutMs: 240000 });
		const [[now]] = psql('SELECT max(version) FROM vault_keys');
		assert.equal(Number(now), Number(before) + 1, `rotate-key made no new data key; it said: ` +
		    `${r.stdout.trim()} (exit ${r.status})`);
		assert.equal(secretRows(conns.a.id)[0].keyVersion, Number(now));
	});
});

describe('tetherctl rotate-key with many secrets that do not decrypt', () => {
	test('200 of them, first in the order, do not stop the rotation of the others', async () => {
		const j = await mustCreate(s.jar, { connector: 'jira', protocol: 'server', name: uniq('Junk holder'),
			fields: { url: 'https://jira.invalid', username: 'svc', password: 'junk-holder-pw' } });
		const g = await mustCreate(s.jar, { connector: 'jira', protocol: 'server', name: uniq('Good one'),
			fields: { url: 'https://jira.invalid', username: 'svc', password: 'good-one-pw' } });
		const kv = secretRows(j.id)[0].keyVersion;
		// 200 rows that cannot open (a batch's worth), sorted before every row of g.
		psql(`INSERT INTO connection_secrets (connection_id, field, key_version, nonce, ciphertext)
		    SELECT ${j.id}, 'junk' || lpad(n::text, 3, '0'), ${kv},
		        decode(md5(n::text) || substr(md5('n' || n), 1, 16), 'hex'),
		        decode(md5('c' || n) || '00000000', 'hex') FROM generate_series(1, 200) n`);
		try {
			const r = tetherctl('rotate-key', { check: false, env: { POSIXLY_CORRECT: '1' }, timeoutMs: 240000 });
			assert.equal(r.status === null ? 'killed' : 'exited', 'exited', 'rotate-key ended');
			const [[v]] = psql('SELECT max(version) FROM vault_keys');
			const rows = psql(`SELECT connection_id, field, key_version FROM connection_secrets
			    WHERE connection_id IN (${j.id}, ${g.id}) AND field NOT LIKE 'junk%' ORDER BY 1, 2`)
			    .map((x) => `${x[0] === String(j.id) ? 'j' : 'g'}/${x[1]} v${x[2]}`);
			assert.deepEqual(rows, [`j/password v${v}`, `g/password v${v}`],
			    `the secrets after the 200 broken ones were rotated too: ${r.stdout.trim().split('\n').at(-1)}`);
		} finally {
			psql(`DELETE FROM connection_secrets WHERE connection_id = ${j.id} AND field LIKE 'junk%'`);
		}
	});
});

describe('the master key at start-up', () => {
	/** Run tether-fcgi -f with a copy of the configuration; { code, stderr, socket }. */
	async function startWith(keyFile) {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-vault-'));
		tmpDirs.push(dir);
		const sock = path.join(dir, 'fcgi.sock');
		const conf = confCopy(dir, { 'vault.master_key_file': keyFile(dir), 'server.socket': sock,
			'server.pidfile': path.join(dir, 'fcgi.pid') });
		const p = startProcess(path.join(env('TETHER_BIN'), 'tether-fcgi'), ['-c', conf, '-f', '-s', sock]);
		const exit = await within(p.exited, 20000);
		if (exit === null)
			await p.stop('SIGKILL');
		return { exit, stderr: p.stderr(), socket: fs.existsSync(sock) };
	}

	function keyFile(dir, mode, bytes = randomBytes(32)) {
		const f = path.join(dir, 'master.key');
		fs.writeFileSync(f, bytes, { mode });
		fs.chmodSync(f, mode);
		return f;
	}

	test('another master key (a 0600 file): refuses to start, saying the key does not match', async () => {
		const r = await startWith((dir) => keyFile(dir, 0o600));
		assert.ok(r.exit !== null, 'it exited');
		assert.notEqual(r.exit.code, 0);
		assert.match(r.stderr, /the master key in \S+master\.key does not match this database; refusing to start/);
		assert.equal(r.socket, false, 'no socket was bound');
	});

	test('the right key in a 0644 file: refused, naming the mode', async () => {
		const right = fs.readFileSync(confValue('vault.master_key_file'));
		const r = await startWith((dir) => keyFile(dir, 0o644, right));
		assert.ok(r.exit !== null, 'it exited');
		assert.notEqual(r.exit.code, 0);
		assert.match(r.stderr, /master key file \S+master\.key: mode 0644 gives group or others access; it must be 0600 or stricter/);
		assert.equal(r.socket, false);
	});

	test('the right key in a 0600 copy: it starts (the checks above are about the key, not the copy)', async () => {
		const right = fs.readFileSync(confValue('vault.master_key_file'));
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-vault-'));
		tmpDirs.push(dir);
		const sock = path.join(dir, 'fcgi.sock');
		const conf = confCopy(dir, { 'vault.master_key_file': keyFile(dir, 0o600, right), 'server.socket': sock,
			'server.pidfile': path.join(dir, 'fcgi.pid') });
		const p = startProcess(path.join(env('TETHER_BIN'), 'tether-fcgi'), ['-c', conf, '-f', '-s', sock]);
		try {
			const start = Date.now();
			while (!fs.existsSync(sock) && p.running && Date.now() - start < 20000)
				await new Promise((resolve) => setTimeout(resolve, 100));
			assert.ok(fs.existsSync(sock), `it bound its socket: ${p.stderr()}`);
		} finally {
			await p.stop();
		}
	});
});
