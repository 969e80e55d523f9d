// tests/fakes/oauth-server.mjs — a standards-compliant OAuth 2.0
// authorization server for the tests: panva's oidc-provider (npm), not a
// hand-written one, over HTTPS on 127.0.0.1 with a certificate of the test
// CA. Authorization code with PKCE (S256, required), refresh tokens with
// rotation, client credentials, token revocation (RFC 7009), and its
// development login and consent pages, which a browser (or consent()
// below) completes. A rotated refresh token is single-use: presenting it
// again is invalid_grant and revokes the whole grant (oidc-provider's reuse
// detection), as strict providers do.
//
//   const as = await startOAuthServer({ tls, clients: [{ client_id, client_secret,
//       redirect_uris, token_endpoint_auth_method }], routes });
//   as.url, as.tokenCalls ([{ grant_type, status, error, at, refresh_token }]),
//   as.count('refresh_token'), as.refreshUses() (Map: refresh token -> grants asked with it),
//   as.revokeRefreshToken(clientId) (through /token/revocation), as.close()
//   as.tokenDelayMs = 400: the token endpoint answers that much later (races made wide);
//   as.rotate = false: refresh grants keep the refresh token (no rotation, no reuse check).
//   as.refreshTokenExpiresIn = 259200: token answers with a refresh token also say
//       refresh_token_expires_in (as Microsoft and GitHub do); null: not said.
//   as.identity = { organization_id: '00DA' }: claims every account's userinfo and
//       id token carry besides sub (issue 13 §6: an org, tenant tid, domain hd,
//       preferred_username); as.identityOf.set(login, {...}) for one login.
//   as.revocations ([{ client_id, token_type_hint, token, status }]): every call to
//       the revocation endpoint (RFC 7009; routes.revocation moves it);
//       as.revocationStatus = 503: it answers that instead (a provider down).
//
// idTokenClaims: true puts the scopes' claims (as.identity's too) in the id token.
// routes lets one provider answer at a vendor's paths (Salesforce's
// /services/oauth2/authorize, /token, /userinfo).

import https from 'node:https';
import querystring from 'node:querystring';

import Provider from 'oidc-provider';

const ACCOUNTS = new Map();

export async function startOAuthServer({ tls, clients, routes = {}, host = 'localhost',
    accessTokenTtl = 3600, apiPaths = [], scopes = [], idTokenClaims = false } = {}) {
	const tokenCalls = [];
	const issued = { access: [], refresh: [], clientCredentials: [] };
	const requests = [];
	const knobs = { tokenDelayMs: 0, rotate: true, refreshTokenExpiresIn: null,
		identity: {}, identityOf: new Map(), revocationStatus: null };
	const revocations = [];
	let server;
	// The issuer needs the port: listen first, then build the provider.
	const pending = [];
	server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
		if (handler === null)
			pending.push([req, res]);
		else
			handler(req, res);
	});
	let handler = null;
	const sockets = new Set();
	server.on('connection', (s) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = server.address().port;
	const url = `https://${host}:${port}`;

	const provider = new Provider(url, {
		clients: clients.map((c) => ({
			grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
			response_types: ['code'],
			token_endpoint_auth_method: 'client_secret_basic',
			scope: 'openid offline_access api profile email',
			...c,
		})),
		scopes: ['openid', 'offline_access', 'api', 'profile', 'email', ...scopes],
		claims: { openid: ['sub', 'organization_id', 'preferred_username', 'tid', 'hd'],
			email: ['email'], profile: ['name'] },
		features: {
			clientCredentials: { enabled: true },
			revocation: { enabled: true },
			introspection: { enabled: true },
			devInteractions: { enabled: true },
		},
		// PKCE on every authorization code request, S256 only.
		pkce: { required: () => true },
		// Always a refresh token with a code (Tether asks no offline_access
		// prompt), and always a new one on every refresh (rotation).
		issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
		rotateRefreshToken: () => knobs.rotate,
		ttl: {
			AccessToken: accessTokenTtl,
			ClientCredentials: accessTokenTtl,
			AuthorizationCode: 120,
			RefreshToken: 24 * 3600,
			Grant: 24 * 3600,
			Interaction: 600,
			Session: 3600,
		},
		findAccount: async (ctx, id) => ({
			accountId: id,
			async claims() {
				return { sub: id, email: `${id}@example.test`, name: ACCOUNTS.get(id) ?? id,
					...(knobs.identityOf.get(id) ?? knobs.identity) };
			},
		}),
		cookies: { keys: ['tether-tests-only-cookie-key'] },
		// idTokenClaims: the scopes' claims go in the id token too (as
		// Microsoft's tid and Google's hd do), not only in userinfo.
		conformIdTokenClaims: !idTokenClaims,
		routes: { ...routes },
		renderError: async (ctx, out) => {
			ctx.type = 'html';
			ctx.body = `<!doctype html><p>error: ${out.error}: ${out.error_description ?? ''}</p>`;
		},
	});
	provider.on('access_token.saved', (t) => issued.access.push(t));
	provider.on('refresh_token.saved', (t) => issued.refresh.push(t));
	provider.on('client_credentials.saved', (t) => issued.clientCredentials.push(t));
	// Every call to the token endpoint, with its outcome.
	const tokenPath = provider.pathFor('token');
	provider.use(async (ctx, next) => {
		const isToken = ctx.method === 'POST' && ctx.path === tokenPath;
		if (isToken && knobs.tokenDelayMs > 0)
			await new Promise((resolve) => setTimeout(resolve, knobs.tokenDelayMs));
		await next();
		if (isToken && knobs.refreshTokenExpiresIn !== null && ctx.status === 200 &&
		    ctx.body?.refresh_token)
			ctx.body = { ...ctx.body, refresh_token_expires_in: knobs.refreshTokenExpiresIn };
		if (isToken) {
			tokenCalls.push({
				grant_type: ctx.oidc?.params?.grant_type ?? null,
				client_id: ctx.oidc?.client?.clientId ?? null,
				status: ctx.status,
				error: ctx.body?.error ?? null,
				at: Date.now(),
				refresh_token: ctx.oidc?.params?.refresh_token ?? null,
			});
		}
	});
	// Every call to the revocation endpoint (RFC 7009), with its outcome; or
	// a provider whose revocation endpoint is down.
	const revocationPath = provider.pathFor('revocation');
	provider.use(async (ctx, next) => {
		if (ctx.method !== 'POST' || ctx.path !== revocationPath)
			return next();
		if (knobs.revocationStatus !== null) {
			revocations.push({ client_id: null, token_type_hint: null, token: null,
			    status: knobs.revocationStatus });
			ctx.status = knobs.revocationStatus;
			ctx.body = { error: 'temporarily_unavailable' };
			return undefined;
		}
		await next();
		revocations.push({
			client_id: ctx.oidc?.client?.clientId ?? null,
			token_type_hint: ctx.oidc?.params?.token_type_hint ?? null,
			token: ctx.oidc?.params?.token ?? null,
			status: ctx.status,
		});
		return undefined;
	});
	// A protected API of the same system (Celonis answers its token and its
	// API on one host): 200 only with a bearer token this provider issued.
	const apiRequests = [];
	provider.use(async (ctx, next) => {
		if (!apiPaths.some((p) => ctx.path.startsWith(p)))
			return next();
		apiRequests.push({ method: ctx.method, url: ctx.url, headers: { ...ctx.headers } });
		const m = /^Bearer (\S+)$/.exec(ctx.get('authorization'));
		const ok = m !== null && await validAccessToken(m[1]);
		ctx.status = ok ? 200 : 401;
		ctx.body = ok ? { content: [] } : { error: 'invalid_token' };
	});
	async function validAccessToken(value) {
		const t = await provider.AccessToken.find(value) ?? await provider.ClientCredentials.find(value);
		return t !== undefined && t !== null && !t.isExpired;
	}
	const cb = provider.callback();
	handler = (req, res) => {
		requests.push({ method: req.method, url: req.url, headers: { ...req.headers } });
		cb(req, res);
	};
	for (const [req, res] of pending)
		handler(req, res);

	return {
		provider,
		get tokenDelayMs() { return knobs.tokenDelayMs; },
		set tokenDelayMs(ms) { knobs.tokenDelayMs = ms; },
		get rotate() { return knobs.rotate; },
		set rotate(on) { knobs.rotate = on; },
		get refreshTokenExpiresIn() { return knobs.refreshTokenExpiresIn; },
		set refreshTokenExpiresIn(s) { knobs.refreshTokenExpiresIn = s; },
		get identity() { return knobs.identity; },
		set identity(claims) { knobs.identity = claims; },
		identityOf: knobs.identityOf,
		get revocationStatus() { return knobs.revocationStatus; },
		set revocationStatus(status) { knobs.revocationStatus = status; },
		revocations,
		url,
		port,
		tokenCalls,
		issued,
		requests,
		path: (name) => provider.pathFor(name),
		count(grantType, ok = null) {
			return tokenCalls.filter((c) => c.grant_type === grantType &&
			    (ok === null || (ok ? c.status === 200 : c.status !== 200))).length;
		},
		/** Refresh grants asked with each refresh token (calls from index `from` on). */
		refreshUses(from = 0) {
			const uses = new Map();
			for (const c of tokenCalls.slice(from))
				if (c.grant_type === 'refresh_token')
					uses.set(c.refresh_token, (uses.get(c.refresh_token) ?? 0) + 1);
			return uses;
		},
		/** Is this bearer token one the provider issued and still honours? */
		validAccessToken,
		apiRequests,
		/** Forget an access token (as an expiry or a revocation would). */
		async destroyAccessToken(value) {
			const t = await provider.AccessToken.find(value);
			if (t)
				await t.destroy();
			return Boolean(t);
		},
		/** RFC 7009 revocation of the newest refresh token of a client: revokes its grant. */
		async revokeRefreshToken(client) {
			const rt = [...issued.refresh].reverse().find((t) => t.clientId === client.client_id);
			if (!rt)
				throw new Error(`no refresh token was issued to ${client.client_id}`);
			const r = await httpsRequest(new URL(provider.pathFor('revocation'), url), {
				method: 'POST',
				ca: tls.ca,
				headers: {
					'content-type': 'application/x-www-form-urlencoded',
					authorization: 'Basic ' + Buffer.from(`${encodeURIComponent(client.client_id)}:` +
					    `${encodeURIComponent(client.client_secret)}`).toString('base64'),
				},
				body: querystring.stringify({ token: rt.jti, token_type_hint: 'refresh_token' }),
			});
			if (r.status !== 200)
				throw new Error(`revocation answered ${r.status}: ${r.body}`);
			return rt.jti;
		},
		async close() {
			for (const s of sockets)
				s.destroy();
			await new Promise((resolve) => server.close(() => resolve()));
		},
	};
}

/** A small HTTPS client that trusts ca: { status, headers, body }. */
export function httpsRequest(u, { method = 'GET', headers = {}, body, ca, servername } = {}) {
	const url = typeof u === 'string' ? new URL(u) : u;
	return new Promise((resolve, reject) => {
		const req = https.request({
			method,
			hostname: url.hostname.replace(/^\[|\]$/g, ''),
			port: url.port,
			path: url.pathname + url.search,
			headers: body !== undefined ? { 'content-length': Buffer.byteLength(body), ...headers } : headers,
			ca,
			servername: servername ?? (/^[0-9.]+$/.test(url.hostname) ? undefined : url.hostname),
			timeout: 15000,
		}, (res) => {
			const chunks = [];
			res.on('data', (d) => chunks.push(d));
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers,
			    body: Buffer.concat(chunks).toString('utf8') }));
		});
		req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timeout`)));
		req.on('error', reject);
		if (body !== undefined)
			req.write(body);
		req.end();
	});
}

/**
 * Complete the provider's login and consent pages for an authorization
 * URL, as a person would (sign in as `login`, allow), following the
 * provider's own redirects; resolves to the URL it finally sends the
 * browser to (the client's redirect URI with code and state, or an error).
 * origin: where the provider really listens when the authorization URL
 * names another host (the name a proxy maps).
 */
export async function consent(authorizeUrl, { ca, login = 'alice', origin } = {}) {
	const jar = new Map();
	const providerOrigin = origin ?? new URL(authorizeUrl).origin;
	let next = new URL(authorizeUrl);
	if (origin) {
		const o = new URL(origin);
		next.protocol = o.protocol;
		next.host = o.host;
	}
	let method = 'GET';
	let body;
	for (let hops = 0; hops < 20; hops++) {
		const headers = {};
		if (jar.size > 0)
			headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
		if (body !== undefined)
			headers['content-type'] = 'application/x-www-form-urlencoded';
		const r = await httpsRequest(next, { method, headers, body, ca });
		for (const line of [].concat(r.headers['set-cookie'] ?? [])) {
			const [nv] = line.split(';');
			const i = nv.indexOf('=');
			const name = nv.slice(0, i).trim();
			const value = nv.slice(i + 1).trim();
			if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line))
				jar.delete(name);
			else
				jar.set(name, value);
		}
		method = 'GET';
		body = undefined;
		if (r.status >= 300 && r.status < 400) {
			const loc = new URL(r.headers.location, next);
			if (loc.origin !== providerOrigin && loc.origin !== new URL(authorizeUrl).origin)
				return loc.toString();
			if (origin) {
				const o = new URL(origin);
				loc.protocol = o.protocol;
				loc.host = o.host;
			}
			next = loc;
			continue;
		}
		if (r.status !== 200)
			throw new Error(`the provider answered ${r.status} at ${next}: ${r.body.slice(0, 500)}`);
		const prompt = /name="prompt" value="(login|consent)"/.exec(r.body);
		const action = /<form[^>]*action="([^"]+)"/.exec(r.body);
		if (prompt === null || action === null)
			throw new Error(`no login or consent form at ${next}: ${r.body.slice(0, 500)}`);
		next = new URL(action[1].replace(/&amp;/g, '&'), next);
		method = 'POST';
		body = prompt[1] === 'login' ? querystring.stringify({ prompt: 'login', login, password: 'x' })
		    : querystring.stringify({ prompt: 'consent' });
	}
	throw new Error('too many redirects at the provider');
}
