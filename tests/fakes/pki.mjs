// tests/fakes/pki.mjs — certificates for the stand-ins, made at test time
// with the openssl command line: a test CA (its PEM is what Tether gets as
// outbound.ca_bundle) and server certificates it signs, for loopback and
// for the public names the proxy stand-in maps to loopback.
//
//   const pki = makePki(dir);                      // CA in dir
//   const leaf = pki.issue('srv', ['localhost', '127.0.0.1']);
//   leaf.cert, leaf.key (PEM strings), pki.caFile, pki.caPem
//
// A second, unrelated PKI (makePki(otherDir)) is what a server that Tether
// must not trust presents.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

function openssl(args, cwd) {
	const r = spawnSync('openssl', args, { cwd, encoding: 'utf8', timeout: 30000 });
	if (r.error)
		throw new Error(`openssl: ${r.error.message} (apt-get install openssl)`);
	if (r.status !== 0)
		throw new Error(`openssl ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
	return r.stdout;
}

const IP = /^[0-9.]+$|:/;

/** A CA in dir (created); issue(name, sans) signs a server certificate. */
export function makePki(dir, cn = 'Tether test CA') {
	fs.mkdirSync(dir, { recursive: true });
	openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
	    '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', `/CN=${cn}`,
	    '-addext', 'basicConstraints=critical,CA:TRUE',
	    '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
	const caFile = path.join(dir, 'ca.pem');
	return {
		dir,
		caFile,
		caPem: fs.readFileSync(caFile, 'utf8'),
		issue(name, sans) {
			const san = sans.map((s) => (IP.test(s) ? `IP:${s}` : `DNS:${s}`)).join(',');
			fs.writeFileSync(path.join(dir, `${name}.ext`),
			    `subjectAltName=${san}\nbasicConstraints=CA:FALSE\n` +
			    'keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n');
			openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
			    '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${sans[0]}`], dir);
			openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key',
			    '-CAcreateserial', '-out', `${name}.pem`, '-days', '2',
			    '-extfile', `${name}.ext`], dir);
			return {
				cert: fs.readFileSync(path.join(dir, `${name}.pem`), 'utf8'),
				key: fs.readFileSync(path.join(dir, `${name}.key`), 'utf8'),
				certFile: path.join(dir, `${name}.pem`),
				keyFile: path.join(dir, `${name}.key`),
			};
		},
		/** A client certificate (extendedKeyUsage clientAuth) for mutual TLS; days: its life. */
		issueClient(name, cn, days = 30) {
			fs.writeFileSync(path.join(dir, `${name}.ext`), 'basicConstraints=CA:FALSE\n' +
			    'keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
			openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
			    '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], dir);
			openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key',
			    '-CAcreateserial', '-out', `${name}.pem`, '-days', String(days),
			    '-extfile', `${name}.ext`], dir);
			const cert = fs.readFileSync(path.join(dir, `${name}.pem`), 'utf8');
			const notAfter = openssl(['x509', '-in', `${name}.pem`, '-noout', '-enddate'], dir)
			    .trim().replace(/^notAfter=/, '');
			return { cert, key: fs.readFileSync(path.join(dir, `${name}.key`), 'utf8'),
				notAfter: new Date(notAfter).toISOString().slice(0, 10) };
		},
	};
}
