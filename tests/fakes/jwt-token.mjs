// tests/fakes/jwt-token.mjs — the token endpoints of two vendors' JWT
// flows (issue 16 §1), with the APIs a token is then tested on, behind one
// HTTPS stand-in that the proxy maps every host name to (routed by Host):
//
// - Salesforce's OAuth 2.0 JWT bearer flow (RFC 7523 §2.1): POST
//   {login host}/services/oauth2/token, grant_type jwt-bearer and an
//   assertion signed RS256 with the key of the certificate uploaded to the
//   connected app: iss the consumer key, sub a pre-authorised user, aud the
//   login host, exp at most 5 minutes ahead. 200 with access_token,
//   instance_url, id; 400 invalid_grant or invalid_client_id otherwise.
//   GET /services/oauth2/userinfo with the token: preferred_username,
//   organization_id.
// - Microsoft identity platform client credentials with a certificate (RFC
//   7523 §2.2): POST login.microsoftonline.com/{tenant}/oauth2/v2.0/token,
//   grant_type client_credentials, client_id, scope, client_assertion_type
//   jwt-bearer and a client_assertion whose header carries x5t (base64url
//   SHA-1 of the certificate's DER) and x5t#S256, signed with its key;
//   claims aud the token URL, iss = sub = the client id, jti, nbf, exp at
//   most 10 minutes after nbf. 200 with access_token and expires_in; 401
//   invalid_client (AADSTS) otherwise. GET graph.microsoft.com/v1.0/
//   organization with the token.
//
// Signatures are verified with node:crypto, not Tether's code.
//
//   const v = await startJwtVendors({ tls, salesforce: { consumerKey: { publicPem, users: { name: orgId } } },
//       microsoft: { tenant: { clientId: certPem } } });
//   v.port, v.requests (each with .verdict, .header, .claims), v.close()
//   rsaKey() -> { pem, publicPem }; selfSigned(dir, name, days) -> { cert, key, notAfter }

import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { json, startStandin } from './http-standin.mjs';

/** An RSA key pair as a connected app's certificate has: { pem (PKCS#8), publicPem }. */
export function rsaKey() {
	const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
	return { pem: privateKey.export({ type: 'pkcs8', format: 'pem' }),
		publicPem: publicKey.export({ type: 'spki', format: 'pem' }) };
}

/** A self-signed RSA certificate as an app registration takes it (openssl in dir). */
export function selfSigned(dir, name, days) {
	const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout',
	    `${name}.key`, '-out', `${name}.pem`, '-days', String(days), '-subj', `/CN=${name}`],
	    { cwd: dir, encoding: 'utf8' });
	if (r.status !== 0)
		throw new Error(`openssl req -x509: ${r.stderr}`);
	const cert = fs.readFileSync(path.join(dir, `${name}.pem`), 'utf8');
	return { cert, key: fs.readFileSync(path.join(dir, `${name}.key`), 'utf8'),
		notAfter: new Date(new crypto.X509Certificate(cert).validTo).toISOString().slice(0, 10) };
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

function part(s) {
	return JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
}

/** { header, claims, signed, sig } of a compact JWS, or null. */
function parse(jwt) {
	const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(jwt ?? '');
	if (m === null)
		return null;
	try {
		return { header: part(m[1]), claims: part(m[2]), signed: Buffer.from(`${m[1]}.${m[2]}`),
			sig: Buffer.from(m[3], 'base64url') };
	} catch {
		return null;
	}
}

function salesforceToken(rec, form, host, cfg, tokens) {
	if (form.get('grant_type') !== JWT_BEARER)
		return [400, { error: 'unsupported_grant_type', error_description: 'grant type not supported' }, 'grant_type'];
	const j = parse(form.get('assertion'));
	if (j === null)
		return [400, { error: 'invalid_grant', error_description: 'invalid assertion' }, 'malformed'];
	rec.header = j.header;
	rec.claims = j.claims;
	const app = cfg[j.claims.iss];
	const now = Math.floor(Date.now() / 1000);
	const refuse = (verdict, error = 'invalid_grant', description = 'invalid assertion') =>
		[400, { error, error_description: description }, verdict];
	if (j.header.alg !== 'RS256')
		return refuse('bad alg');
	if (app === undefined)
		return refuse('unknown iss', 'invalid_client_id', 'client identifier invalid');
	if (!crypto.verify('sha256', j.signed, app.publicPem, j.sig))
		return refuse('bad signature');
	if (j.claims.aud !== `https://${host}`)
		return refuse('bad aud', 'invalid_grant', 'audience is invalid');
	if (!(j.claims.exp > now) || !(j.claims.exp <= now + 300))
		return refuse('bad exp', 'invalid_grant', 'expired authorization code');
	if (!(j.claims.sub in app.users))
		return refuse('unknown sub', 'invalid_grant', 'user hasn\'t approved this consumer');
	const token = `00D!${crypto.randomBytes(24).toString('base64url')}`;
	tokens.set(token, { user: j.claims.sub, org: app.users[j.claims.sub] });
	return [200, { access_token: token, scope: 'api', instance_url: 'https://acme.my.salesforce.com',
		id: `https://${host}/id/${app.users[j.claims.sub]}/005000000000001AAA`, token_type: 'Bearer' }, 'ok'];
}

function microsoftToken(rec, form, tenant, cfg, tokens) {
	const url = `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`;
	const refuse = (verdict, code = 'AADSTS700027') => [401, { error: 'invalid_client',
		error_description: `${code}: Client assertion failed signature validation.` }, verdict];
	if (form.get('grant_type') !== 'client_credentials')
		return [400, { error: 'unsupported_grant_type' }, 'grant_type'];
	if (form.has('client_secret'))
		return refuse('client_secret sent');
	if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
		return refuse('assertion type', 'AADSTS7000216');
	const j = parse(form.get('client_assertion'));
	if (j === null)
		return refuse('malformed');
	rec.header = j.header;
	rec.claims = j.claims;
	const certPem = (cfg[tenant] ?? {})[form.get('client_id')];
	if (certPem === undefined)
		return refuse('unknown client', 'AADSTS700016');
	const cert = new crypto.X509Certificate(certPem);
	const now = Math.floor(Date.now() / 1000);
	if (j.header.alg !== 'RS256' || j.header.typ !== 'JWT')
		return refuse('bad header');
	if (j.header.x5t !== crypto.createHash('sha1').update(cert.raw).digest('base64url') ||
	    j.header['x5t#S256'] !== crypto.createHash('sha256').update(cert.raw).digest('base64url'))
		return refuse('bad x5t', 'AADSTS700027');
	if (!crypto.verify('sha256', j.signed, cert.publicKey, j.sig))
		return refuse('bad signature');
	const c = j.claims;
	if (c.aud !== url)
		return refuse('bad aud', 'AADSTS700212');
	if (c.iss !== form.get('client_id') || c.sub !== c.iss)
		return refuse('bad iss/sub', 'AADSTS700021');
	if (typeof c.jti !== 'string' || c.jti.length < 16)
		return refuse('no jti', 'AADSTS700024');
	if (!(c.nbf <= now + 60) || !(c.exp > now) || !(c.exp - c.nbf <= 600) || !(c.iat <= now + 60))
		return refuse('bad time', 'AADSTS700024');
	if (form.get('scope') !== 'https://graph.microsoft.com/.default')
		return [400, { error: 'invalid_scope' }, 'bad scope'];
	const token = `eyJ0eXAi.${crypto.randomBytes(24).toString('base64url')}`;
	tokens.set(token, { tenant });
	return [200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token }, 'ok'];
}

export async function startJwtVendors({ tls, salesforce = {}, microsoft = {} }) {
	const tokens = new Map();
	return startStandin({ name: 'jwt-vendors', tls, handler: (req, res, rec) => {
		const host = (rec.headers.host ?? '').replace(/:443$/, '');
		const form = new URLSearchParams(rec.body);
		const bearer = /^Bearer (.+)$/.exec(rec.headers.authorization ?? '')?.[1];
		let r;
		let m;
		if (/\.salesforce\.com$/.test(host) && rec.method === 'POST' && rec.path === '/services/oauth2/token')
			r = salesforceToken(rec, form, host, salesforce, tokens);
		else if (/\.salesforce\.com$/.test(host) && rec.path === '/services/oauth2/userinfo') {
			const t = tokens.get(bearer);
			if (t === undefined || t.user === undefined)
				return json(res, 401, [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }]);
			return json(res, 200, { sub: `https://${host}/id/${t.org}/005000000000001AAA`,
				user_id: '005000000000001AAA', organization_id: t.org, preferred_username: t.user,
				email: t.user });
		} else if (host === 'login.microsoftonline.com' && rec.method === 'POST' &&
		    (m = /^\/([A-Za-z0-9.-]+)\/oauth2\/v2\.0\/token$/.exec(rec.path)) !== null)
			r = microsoftToken(rec, form, m[1], microsoft, tokens);
		else if (host === 'graph.microsoft.com' && rec.path === '/v1.0/organization') {
			const t = tokens.get(bearer);
			if (t === undefined || t.tenant === undefined)
				return json(res, 401, { error: { code: 'InvalidAuthenticationToken' } });
			return json(res, 200, { value: [{ id: '72f988bf-86f1-41af-91ab-2d7cd011db47',
				displayName: 'Acme Corp' }] });
		} else
			return json(res, 404, { error: 'not_found' });
		rec.verdict = r[2];
		return json(res, r[0], r[1]);
	} });
}
