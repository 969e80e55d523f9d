// tests/fakes/google-token.mjs — Google's OAuth 2.0 token endpoint for
// service accounts (RFC 7523 JWT bearer), as https://oauth2.googleapis.com/
// token answers it: the assertion's RS256 signature is verified with the
// service account's public key (node:crypto, not Tether's code), and its
// claims as Google checks them: iss a known service account, aud the token
// endpoint, iat not in the future, exp at most an hour after iat and not
// past, a scope. 200 with an access token; 400 invalid_grant otherwise
// (with Google's error_description), 400 unsupported_grant_type.
//
//   const g = await startGoogleToken({ tls, accounts: { email: publicKeyPem } });
//   g.port, g.requests (each with .verdict and .claims), g.close()

import crypto from 'node:crypto';

import { json, startStandin } from './http-standin.mjs';

const AUD = 'https://oauth2.googleapis.com/token';

function part(s) {
	return JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
}

/** [verdict, claims]: 'ok' or why Google would refuse it. */
export function verifyAssertion(assertion, accounts) {
	const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(assertion ?? '');
	if (m === null)
		return ['malformed'];
	let header;
	let claims;
	try {
		header = part(m[1]);
		claims = part(m[2]);
	} catch {
		return ['malformed'];
	}
	if (header.alg !== 'RS256')
		return ['bad alg', claims];
	const pub = accounts[claims.iss];
	if (pub === undefined)
		return ['unknown iss', claims];
	if (!crypto.verify('sha256', Buffer.from(`${m[1]}.${m[2]}`), pub, Buffer.from(m[3], 'base64url')))
		return ['bad signature', claims];
	const now = Math.floor(Date.now() / 1000);
	if (claims.aud !== AUD)
		return ['bad aud', claims];
	if (!(claims.iat <= now + 60) || !(claims.exp > now) || !(claims.exp - claims.iat <= 3600))
		return ['bad time', claims];
	if (typeof claims.scope !== 'string' || claims.scope === '')
		return ['no scope', claims];
	return ['ok', claims];
}

export async function startGoogleToken({ tls, accounts }) {
	return startStandin({ name: 'google-token', tls, handler: (req, res, rec) => {
		if (rec.method !== 'POST' || rec.path !== '/token')
			return json(res, 404, { error: 'not_found' });
		const form = new URLSearchParams(rec.body);
		if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
			rec.verdict = 'grant_type';
			return json(res, 400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type: ' });
		}
		const [verdict, claims] = verifyAssertion(form.get('assertion'), accounts);
		rec.verdict = verdict;
		rec.claims = claims;
		if (verdict !== 'ok')
			return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
		return json(res, 200, { access_token: `ya29.${crypto.randomBytes(24).toString('base64url')}`,
			expires_in: 3599, token_type: 'Bearer' });
	} });
}
