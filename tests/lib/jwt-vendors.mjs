// tests/lib/jwt-vendors.mjs — the JWT flows' tests (issue 16 §1) share: the
// Salesforce and Microsoft stand-ins (tests/fakes/jwt-token.mjs) on one
// HTTPS port, and a Tether of the test's own reaching login.salesforce.com,
// test.salesforce.com, login.microsoftonline.com and graph.microsoft.com
// there through the CONNECT proxy stand-in.

import path from 'node:path';

import { startJwtVendors } from '../fakes/jwt-token.mjs';
import { makePki } from '../fakes/pki.mjs';
import { proxiedTether } from './authkinds.mjs';

const HOSTS = ['login.salesforce.com', 'test.salesforce.com', 'login.microsoftonline.com',
	'graph.microsoft.com'];

/** { vendors, px, tether }; salesforce and microsoft as startJwtVendors takes them. */
export async function jwtVendorsTether(cleanups, dir, { salesforce, microsoft, front = false }) {
	const pki = makePki(path.join(dir, 'ca'));
	const vendors = await startJwtVendors({ tls: pki.issue('vendors', HOSTS), salesforce, microsoft });
	cleanups.push(() => vendors.close());
	const map = Object.fromEntries(HOSTS.map((h) => [`${h}:443`, vendors.port]));
	const { px, tether } = await proxiedTether(cleanups, pki.caFile, map, { front });
	return { vendors, px, tether };
}
