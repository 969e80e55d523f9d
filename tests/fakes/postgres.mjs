// tests/fakes/postgres.mjs — a real PostgreSQL of its own (Debian's server
// binaries, as deploy/lib.sh uses them) for the postgresql kind: a scratch
// cluster listening on 127.0.0.1 and a free port, TLS on with a
// certificate of the test CA, password (SCRAM) authentication only over
// TCP, with a database and a role the test names.
//
//   const pg = await startPostgres({ tls: pki.issue('pg', ['localhost']), user, password, database });
//   pg.port, pg.sql(text) (as the superuser, over the socket), pg.close()

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

function pgBin() {
	const dirs = fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b));
	return `/usr/lib/postgresql/${dirs.at(-1)}/bin`;
}

/** Run as the postgres account when we are root (initdb refuses root). */
function asPg(cmd, args) {
	const root = process.getuid?.() === 0;
	const r = spawnSync(root ? 'runuser' : cmd, root ? ['-u', 'postgres', '--', cmd, ...args] : args,
	    { encoding: 'utf8', timeout: 60000, cwd: '/' });
	if (r.status !== 0)
		throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}${r.stdout}`);
	return r.stdout;
}

async function freePort() {
	const s = net.createServer();
	await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
	const { port } = s.address();
	await new Promise((resolve) => s.close(resolve));
	return port;
}

export async function startPostgres({ tls, user, password, database }) {
	const bin = pgBin();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-pg-'));
	fs.chmodSync(dir, 0o755);
	if (process.getuid?.() === 0)
		execFileSync('chown', ['postgres:postgres', dir]);
	const data = path.join(dir, 'data');
	asPg(`${bin}/initdb`, ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8']);
	const port = await freePort();
	fs.writeFileSync(path.join(data, 'server.crt'), tls.cert);
	fs.writeFileSync(path.join(data, 'server.key'), tls.key, { mode: 0o600 });
	fs.writeFileSync(path.join(data, 'pg_hba.conf'), 'local all postgres trust\n' +
	    'host all all 127.0.0.1/32 scram-sha-256\n');
	fs.appendFileSync(path.join(data, 'postgresql.conf'), `\nlisten_addresses = '127.0.0.1'\nport = ${port}\n` +
	    `unix_socket_directories = '${dir}'\nssl = on\nfsync = off\nlc_messages = 'C'\n` +
	    "password_encryption = 'scram-sha-256'\nlog_connections = on\n");
	if (process.getuid?.() === 0)
		execFileSync('chown', ['-R', 'postgres:postgres', data]);
	asPg(`${bin}/pg_ctl`, ['-D', data, '-l', path.join(dir, 'log'), '-w', '-t', '60', '-s', 'start']);
	const sql = (text) => asPg(`${bin}/psql`, ['-h', dir, '-p', String(port), '-U', 'postgres', '-d', 'postgres',
		'-v', 'ON_ERROR_STOP=1', '-XAtq', '-c', text]);
	sql(`CREATE ROLE "${user}" LOGIN PASSWORD '${password.replace(/'/g, "''")}'`);
	sql(`CREATE DATABASE "${database}" OWNER "${user}"`);
	return {
		port,
		sql,
		log: () => fs.readFileSync(path.join(dir, 'log'), 'utf8'),
		async close() {
			try {
				asPg(`${bin}/pg_ctl`, ['-D', data, '-m', 'immediate', '-s', 'stop']);
			} finally {
				fs.rmSync(dir, { recursive: true, force: true });
			}
		},
	};
}
