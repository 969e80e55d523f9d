// The connectors added for issue 16 §2, one connection of each protocol
// against a recording stand-in (issue 16 §3): the form takes valid values
// and creates the connection, and its test request goes to the vendor's
// documented host and path with the documented authentication — Basic,
// a header of the vendor's name, a bearer token, or an OAuth access token
// that the declared token endpoint issued (client credentials, or the
// authorization code after the declared authorize URL). The vendor's host
// names reach the one stand-in through a CONNECT proxy (outbound.proxy),
// which presents a certificate of the test CA for all of them; nothing
// else is reachable. The table below states what each vendor documents,
// apart from the connector files, so a wrong file fails here. A wrong
// secret gets 401 from the stand-in: "bad credentials" for every protocol
// with a secret of its own; Slack, which answers 200 either way, is read by
// its answer's "ok".

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { json, startStandin } from '../fakes/http-standin.mjs';
import { makePki } from '../fakes/pki.mjs';
import { startProxy } from '../fakes/proxy.mjs';
import { marker } from '../fakes/secrets.mjs';
import { lastTest } from '../lib/rows.mjs';
import { flowAdd } from '../lib/lifecycle/lc.mjs';
import { managerSession, pageText, psql, request, tetherctl, uniq } from '../lib/stack.mjs';
import { startTether } from '../lib/tether.mjs';

const AC = `AC${'0123456789abcdef'.repeat(2)}`;
const SK = `SK${'fedcba9876543210'.repeat(2)}`;
const MS_TENANT = 'acme.onmicrosoft.com';
const MS = { host: 'login.microsoftonline.com', authorize: `/${MS_TENANT}/oauth2/v2.0/authorize`,
	token: `/${MS_TENANT}/oauth2/v2.0/token` };
const GOOGLE = { host: 'accounts.google.com', authorize: '/o/oauth2/v2/auth', tokenHost: 'oauth2.googleapis.com', token: '/token' };
const GCLIENT = '1234-abc.apps.googleusercontent.com';

// [connector, protocol, fields (S: the secret), test request, authentication,
//  OAuth: { authorize: [host, path] (code), token: [host, path] }]
const S = Symbol('secret');
const S2 = Symbol('second secret');

// "Connected as" after the authorization code: [account, tenant] read from
// the ID token's claims or the identity call (below) as each file declares.
const IDENTITY = {
	'azure-devops': ['ops@acme.example', 'tenant-1'], 'microsoft-teams': ['ops@acme.example', 'tenant-1'],
	sharepoint: ['ops@acme.example', 'tenant-1'], 'google-drive': ['ops@acme.example', 'acme.example'],
	bigquery: ['ops@acme.example', 'acme.example'], okta: ['ops@acme.example', 'https://acme.okta.com'],
	zoom: ['ops@acme.example', 'zoom-account-1'], quickbooks: ['4620816365', '4620816365'],
	xero: ['ops@acme.example', 'xu-1'],
};
const CASES = [
	['github', 'token', { api_url: 'https://api.github.com', token: S }, 'GET api.github.com /user', 'bearer'],
	['gitlab', 'token', { url: 'https://gitlab.com', token: S }, 'GET gitlab.com /api/v4/user', ['private-token', '']],
	['gitlab', 'oauth2_code', { url: 'https://gitlab.example.com', client_id: 'gl-app', client_secret: S },
		'GET gitlab.example.com /api/v4/user', 'oauth',
		{ authorize: ['gitlab.example.com', '/oauth/authorize'], token: ['gitlab.example.com', '/oauth/token'] }],
	['azure-devops', 'pat', { organization: 'acme', username: 'ops@acme.example', token: S },
		'GET dev.azure.com /acme/_apis/projects?api-version=7.1&$top=1', ['basic', 'ops@acme.example']],
	['azure-devops', 'oauth2_code', { organization: 'acme', tenant: MS_TENANT, client_id: 'ado-app', client_secret: S },
		'GET dev.azure.com /acme/_apis/projects?api-version=7.1&$top=1', 'oauth',
		{ authorize: [MS.host, MS.authorize], token: [MS.host, MS.token] }],
	['bitbucket', 'api_token', { email: 'ops@acme.example', api_token: S }, 'GET api.bitbucket.org /2.0/user', ['basic', 'ops@acme.example']],
	['bitbucket', 'oauth2_code', { client_id: 'bb-key', client_secret: S }, 'GET api.bitbucket.org /2.0/user', 'oauth',
		{ authorize: ['bitbucket.org', '/site/oauth2/authorize'], token: ['bitbucket.org', '/site/oauth2/access_token'] }],
	['confluence', 'cloud', { url: 'https://acme.atlassian.net', email: 'ops@acme.example', api_token: S },
		'GET acme.atlassian.net /wiki/rest/api/user/current', ['basic', 'ops@acme.example']],
	['confluence', 'server', { url: 'https://confluence.example.com', token: S },
		'GET confluence.example.com /rest/api/user/current', 'bearer'],
	['jira-service-management', 'cloud', { url: 'https://acme.atlassian.net', email: 'ops@acme.example', api_token: S },
		'GET acme.atlassian.net /rest/api/2/myself', ['basic', 'ops@acme.example']],
	['jira-service-management', 'server', { url: 'https://servicedesk.example.com', token: S },
		'GET servicedesk.example.com /rest/api/2/myself', 'bearer'],
	['zendesk', 'api_token', { subdomain: 'acme', email_token: 'ops@acme.example/token', api_token: S },
		'GET acme.zendesk.com /api/v2/users/me.json', ['basic', 'ops@acme.example/token']],
	['zendesk', 'oauth2_code', { subdomain: 'acme', client_id: 'zd-client', client_secret: S },
		'GET acme.zendesk.com /api/v2/users/me.json', 'oauth',
		{ authorize: ['acme.zendesk.com', '/oauth/authorizations/new'], token: ['acme.zendesk.com', '/oauth/tokens'] }],
	['intercom', 'token', { api_host: 'api.eu.intercom.io', token: S }, 'GET api.eu.intercom.io /me', 'bearer'],
	['hubspot', 'access_token', { token: S }, 'GET api.hubapi.com /account-info/v3/details', 'bearer'],
	['hubspot', 'oauth2_code', { client_id: 'hs-client', client_secret: S }, 'GET api.hubapi.com /account-info/v3/details', 'oauth',
		{ authorize: ['app.hubspot.com', '/oauth/authorize'], token: ['api.hubapi.com', '/oauth/v1/token'] }],
	['dynamics-365', 'oauth2_client', { url: 'https://acme.crm4.dynamics.com', tenant: MS_TENANT, client_id: 'dyn-app',
		client_secret: S, scopes: 'https://acme.crm4.dynamics.com/.default' },
		'GET acme.crm4.dynamics.com /api/data/v9.2/WhoAmI', 'oauth', { token: [MS.host, MS.token] }],
	['pipedrive', 'api_token', { api_token: S }, 'GET api.pipedrive.com /v1/users/me', ['x-api-token', '']],
	['netsuite', 'oauth2_code', { account: '1234567-sb1', client_id: 'ns-client', client_secret: S },
		'GET 1234567-sb1.suitetalk.api.netsuite.com /services/rest/record/v1/metadata-catalog', 'oauth',
		{ authorize: ['1234567-sb1.app.netsuite.com', '/app/login/oauth2/authorize.nl'],
			token: ['1234567-sb1.suitetalk.api.netsuite.com', '/services/rest/auth/oauth2/v1/token'] }],
	['successfactors', 'basic', { url: 'https://api55.sapsf.eu', username: 'apiuser@ACME', password: S },
		'GET api55.sapsf.eu /odata/v2/User?$top=1&$format=json', ['basic', 'apiuser@ACME']],
	['stripe', 'secret_key', { api_key: S }, 'GET api.stripe.com /v1/balance', 'bearer'],
	['shopify', 'admin_token', { shop: 'acme', token: S }, 'GET acme.myshopify.com /admin/api/2026-10/shop.json',
		['x-shopify-access-token', '']],
	['twilio', 'auth_token', { account_sid: AC, auth_token: S }, `GET api.twilio.com /2010-04-01/Accounts/${AC}.json`, ['basic', AC]],
	['twilio', 'api_key', { account_sid: AC, api_key_sid: SK, api_key_secret: S },
		`GET api.twilio.com /2010-04-01/Accounts/${AC}.json`, ['basic', SK]],
	['microsoft-teams', 'oauth2_code', { tenant: MS_TENANT, client_id: 'teams-app', client_secret: S },
		'GET graph.microsoft.com /v1.0/me/joinedTeams', 'oauth', { authorize: [MS.host, MS.authorize], token: [MS.host, MS.token] }],
	['sharepoint', 'oauth2_code', { tenant: MS_TENANT, client_id: 'sp-app', client_secret: S },
		'GET graph.microsoft.com /v1.0/sites/root', 'oauth', { authorize: [MS.host, MS.authorize], token: [MS.host, MS.token] }],
	['sharepoint', 'oauth2_client', { tenant: MS_TENANT, client_id: 'sp-daemon', client_secret: S },
		'GET graph.microsoft.com /v1.0/sites/root', 'oauth', { token: [MS.host, MS.token] }],
	['zoom', 'oauth2_code', { client_id: 'zoom-client', client_secret: S }, 'GET api.zoom.us /v2/users/me', 'oauth',
		{ authorize: ['zoom.us', '/oauth/authorize'], token: ['zoom.us', '/oauth/token'] }],
	['sendgrid', 'api_key', { api_key: S }, 'GET api.sendgrid.com /v3/scopes', 'bearer'],
	['mailchimp', 'api_key', { dc: 'us21', username: 'tether', api_key: S }, 'GET us21.api.mailchimp.com /3.0/ping', ['basic', 'tether']],
	['mailgun', 'api_key', { api_host: 'api.eu.mailgun.net', username: 'api', api_key: S },
		'GET api.eu.mailgun.net /v3/domains?limit=1', ['basic', 'api']],
	['postmark', 'server_token', { token: S }, 'GET api.postmarkapp.com /server', ['x-postmark-server-token', '']],
	['okta', 'api_token', { domain: 'acme.okta.com', api_token: S }, 'GET acme.okta.com /api/v1/users/me', ['authorization', 'SSWS ']],
	['okta', 'oauth2_code', { domain: 'acme.okta.com', client_id: 'okta-client', client_secret: S },
		'GET acme.okta.com /api/v1/users/me', 'oauth',
		{ authorize: ['acme.okta.com', '/oauth2/v1/authorize'], token: ['acme.okta.com', '/oauth2/v1/token'] }],
	['entra-id', 'oauth2_client', { tenant: MS_TENANT, client_id: 'entra-daemon', client_secret: S },
		'GET graph.microsoft.com /v1.0/organization', 'oauth', { token: [MS.host, MS.token] }],
	['google-drive', 'oauth2_code', { client_id: GCLIENT, client_secret: S }, 'GET www.googleapis.com /drive/v3/about?fields=user', 'oauth',
		{ authorize: [GOOGLE.host, GOOGLE.authorize], token: [GOOGLE.tokenHost, GOOGLE.token] }],
	['bigquery', 'oauth2_code', { project: 'acme-analytics', client_id: GCLIENT, client_secret: S },
		'GET bigquery.googleapis.com /bigquery/v2/projects/acme-analytics/datasets?maxResults=1', 'oauth',
		{ authorize: [GOOGLE.host, GOOGLE.authorize], token: [GOOGLE.tokenHost, GOOGLE.token] }],
	['databricks', 'token', { host: 'dbc-a1b2c3d4-e5f6.cloud.databricks.com', token: S },
		'GET dbc-a1b2c3d4-e5f6.cloud.databricks.com /api/2.0/preview/scim/v2/Me', 'bearer'],
	['databricks', 'oauth2_client', { host: 'adb-1234567890123456.7.azuredatabricks.net', client_id: 'sp-app-id', client_secret: S },
		'GET adb-1234567890123456.7.azuredatabricks.net /api/2.0/preview/scim/v2/Me', 'oauth',
		{ token: ['adb-1234567890123456.7.azuredatabricks.net', '/oidc/v1/token'] }],
	['airtable', 'token', { token: S }, 'GET api.airtable.com /v0/meta/whoami', 'bearer'],
	['airtable', 'oauth2_code', { client_id: 'at-client', client_secret: S }, 'GET api.airtable.com /v0/meta/whoami', 'oauth',
		{ authorize: ['airtable.com', '/oauth2/v1/authorize'], token: ['airtable.com', '/oauth2/v1/token'] }],
	['asana', 'token', { token: S }, 'GET app.asana.com /api/1.0/users/me', 'bearer'],
	['asana', 'oauth2_code', { client_id: 'asana-client', client_secret: S }, 'GET app.asana.com /api/1.0/users/me', 'oauth',
		{ authorize: ['app.asana.com', '/-/oauth_authorize'], token: ['app.asana.com', '/-/oauth_token'] }],
	['smartsheet', 'token', { api_host: 'api.smartsheet.eu', token: S }, 'GET api.smartsheet.eu /2.0/users/me', 'bearer'],
	['clickup', 'token', { token: S }, 'GET api.clickup.com /api/v2/user', ['authorization', '']],
	['docusign', 'oauth2_code', { account_host: 'account-d.docusign.com', client_id: 'ds-key', client_secret: S },
		'GET account-d.docusign.com /oauth/userinfo', 'oauth',
		{ authorize: ['account-d.docusign.com', '/oauth/auth'], token: ['account-d.docusign.com', '/oauth/token'] }],
	['calendly', 'token', { token: S }, 'GET api.calendly.com /users/me', 'bearer'],
	['typeform', 'token', { token: S }, 'GET api.typeform.com /me', 'bearer'],
	['box', 'oauth2_code', { client_id: 'box-client', client_secret: S }, 'GET api.box.com /2.0/users/me', 'oauth',
		{ authorize: ['account.box.com', '/api/oauth2/authorize'], token: ['api.box.com', '/oauth2/token'] }],
	['quickbooks', 'oauth2_code', { client_id: 'qb-client', client_secret: S },
		'GET accounts.platform.intuit.com /v1/openid_connect/userinfo', 'oauth',
		{ authorize: ['appcenter.intuit.com', '/connect/oauth2'], token: ['oauth.platform.intuit.com', '/oauth2/v1/tokens/bearer'] }],
	['xero', 'oauth2_code', { client_id: 'xero-client', client_secret: S }, 'GET api.xero.com /connections', 'oauth',
		{ authorize: ['login.xero.com', '/identity/connect/authorize'], token: ['identity.xero.com', '/connect/token'] }],
	['xero', 'oauth2_client', { client_id: 'xero-custom', client_secret: S }, 'GET api.xero.com /connections', 'oauth',
		{ token: ['identity.xero.com', '/connect/token'] }],
	['datadog', 'api_key', { site: 'api.datadoghq.eu', api_key: S }, 'GET api.datadoghq.eu /api/v1/validate', ['dd-api-key', '']],
	['pagerduty', 'oauth2_code', { client_id: 'pd-client', client_secret: S }, 'GET api.pagerduty.com /users/me', 'oauth',
		{ authorize: ['identity.pagerduty.com', '/oauth/authorize'], token: ['identity.pagerduty.com', '/oauth/token'] }],
	['sentry', 'token', { url: 'https://de.sentry.io', token: S }, 'GET de.sentry.io /api/0/organizations/', 'bearer'],
	['grafana', 'service_account', { url: 'https://acme.grafana.net', token: S }, 'GET acme.grafana.net /api/org', 'bearer'],
	['splunk', 'token', { url: 'https://splunk.example.com', token: S },
		'GET splunk.example.com /services/authentication/current-context?output_mode=json', 'bearer'],
	['jenkins', 'api_token', { url: 'https://jenkins.example.com', username: 'ci-bot', api_token: S },
		'GET jenkins.example.com /me/api/json', ['basic', 'ci-bot']],
	['circleci', 'token', { token: S }, 'GET circleci.com /api/v2/me', ['circle-token', '']],
	['cloudflare', 'api_token', { api_token: S }, 'GET api.cloudflare.com /client/v4/user/tokens/verify', 'bearer'],
	['hashicorp-vault', 'token', { url: 'https://vault.example.com', token: S },
		'GET vault.example.com /v1/auth/token/lookup-self', ['x-vault-token', '']],
	// What the declarations could not say before (issue 16 gap); the 7th
	// member: the headers, body and content type the vendor documents,
	// and "Connected as" from the vendor's answer (WHO, below).
	['freshdesk', 'api_key', { domain: 'acme', api_key: S }, 'GET acme.freshdesk.com /api/v2/agents/me',
		['basic-key', 'X'], null, { identity: ['ops@acme.example', ''] }],
	['bamboohr', 'api_key', { company: 'acme', api_key: S },
		'GET api.bamboohr.com /api/gateway.php/acme/v1/employees/0?fields=workEmail', ['basic-key', 'x'], null,
		{ identity: ['ops@acme.example', ''] }],
	['pagerduty', 'api_key', { api_key: S }, 'GET api.pagerduty.com /abilities', ['authorization', 'Token token=']],
	['notion', 'integration', { token: S }, 'GET api.notion.com /v1/users/me', 'bearer', null,
		{ headers: { 'notion-version': '2022-06-28' }, identity: ['Tether', 'Acme'] }],
	['dropbox', 'access_token', { token: S }, 'POST api.dropboxapi.com /2/users/get_current_account', 'bearer', null,
		{ body: '', contentType: undefined, identity: ['ops@acme.example', ''] }],
	['dropbox', 'oauth2_code', { client_id: 'dbx-app-key', client_secret: S },
		'POST api.dropboxapi.com /2/users/get_current_account', 'oauth',
		{ authorize: ['www.dropbox.com', '/oauth2/authorize'], token: ['api.dropboxapi.com', '/oauth2/token'] },
		{ body: '', contentType: undefined, authorize: { token_access_type: 'offline' } }],
	['monday', 'api_token', { token: S }, 'POST api.monday.com /v2', ['authorization', ''], null,
		{ body: '{"query":"{ me { id name email } }"}', contentType: 'application/json', identity: ['ops@acme.example', ''] }],
	['linear', 'api_key', { api_key: S }, 'POST api.linear.app /graphql', ['authorization', ''], null,
		{ body: '{"query":"{ viewer { id name email } }"}', contentType: 'application/json',
			identity: ['ops@acme.example', ''] }],
	['azure-blob-storage', 'oauth2_client', { account: 'acmedata', tenant: MS_TENANT, client_id: 'blob-daemon', client_secret: S },
		'GET acmedata.blob.core.windows.net /?comp=list&maxresults=1', 'oauth', { token: [MS.host, MS.token] },
		{ headers: { 'x-ms-version': '2023-11-03' } }],
	['linear', 'oauth2_code', { client_id: 'linear-app', client_secret: S }, 'POST api.linear.app /graphql', 'oauth',
		{ authorize: ['linear.app', '/oauth/authorize'], token: ['api.linear.app', '/oauth/token'] },
		{ body: '{"query":"{ viewer { id name email } }"}', contentType: 'application/json' }],
	// Trello: the key and the token are two query parameters, the one place
	// a secret may be in a URL (never in a log).
	['trello', 'api_key', { api_key: S, token: S2 }, 'GET api.trello.com /1/members/me?fields=username,fullName',
		['query', 'key', 'token'], null, { identity: ['ops-trello', ''] }],
];

// The who-am-I answers of the vendors above that name someone elsewhere
// than "email" (the stand-in's default answer).
const WHO = {
	'api.notion.com': { object: 'user', id: 'u-bot', name: 'Tether', type: 'bot',
		bot: { owner: { type: 'workspace', workspace: true }, workspace_name: 'Acme' } },
	'api.trello.com': { id: 'm-1', username: 'ops-trello', fullName: 'Ops' },
	'acme.freshdesk.com': { id: 1, contact: { name: 'Ops', email: 'ops@acme.example' } },
	'api.bamboohr.com': { id: '0', workEmail: 'ops@acme.example' },
};

const cleanups = [];
let standin;
let tether;
let session;
let issued = 0;

/** An unsigned ID token whose claims name an account of each vendor. */
function idToken() {
	const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
	return `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ sub: 'u-1', tid: 'tenant-1', preferred_username: 'ops@acme.example',
		email: 'ops@acme.example', hd: 'acme.example', realmid: '4620816365', xero_userid: 'xu-1',
		iss: 'https://acme.okta.com' })}.c2ln`;
}

before(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-catalog-'));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	const hosts = new Set(['slack.com']);
	for (const c of CASES) {
		hosts.add(c[3].split(' ')[1]);
		for (const ep of Object.values(c[5] ?? {}))
			hosts.add(ep[0]);
	}
	const pki = makePki(path.join(dir, 'ca'));
	const leaf = pki.issue('vendors', [...hosts]);
	// Every POST with a grant_type is a token request: a new access token
	// (and an ID token); anything else is an API call that answers 200.
	standin = await startStandin({ name: 'vendors', tls: leaf, handler: (req, res, rec) => {
		const form = new URLSearchParams(rec.body);
		if (req.method === 'POST' && form.has('grant_type')) {
			issued++;
			return json(res, 200, { access_token: `at-${issued}-${marker('tok')}`, token_type: 'Bearer', expires_in: 3600,
				refresh_token: form.get('grant_type') === 'authorization_code' ? `rt-${issued}` : undefined,
				id_token: form.get('grant_type') === 'authorization_code' ? idToken() : undefined });
		}
		// Slack answers 200 to any token and says in the body whether it took it.
		if (req.headers.host === 'slack.com')
			return /mkwrong/.test(req.headers.authorization ?? '') ?
			    json(res, 200, { ok: false, error: 'invalid_auth' }) :
			    json(res, 200, { ok: true, url: 'https://acme.slack.com/', team: 'Acme', user: 'tether-bot' });
		// A secret marked "wrong" is refused as the vendors do: 401.
		const sent = Object.values(req.headers).join(' ');
		const basic = /^Basic (\S+)$/.exec(req.headers.authorization ?? '');
		if (/mkwrong/.test(sent) || (basic && Buffer.from(basic[1], 'base64').toString().includes('mkwrong')) ||
		    /mkwrong/.test(req.url))
			return json(res, 401, { error: 'invalid credentials' });
		if (WHO[req.headers.host])
			return json(res, 200, WHO[req.headers.host]);
		// Zoom's GET /v2/users/me names the user and the account.
		return json(res, 200, { ok: true, email: 'ops@acme.example', account_id: 'zoom-account-1' });
	} });
	cleanups.push(() => standin.close());
	const proxy = await startProxy(Object.fromEntries([...hosts].map((h) => [`${h}:443`, standin.port])));
	cleanups.push(() => proxy.close());
	tether = await startTether({ replace: { 'outbound.ca_bundle': pki.caFile, 'outbound.proxy': proxy.url } });
	cleanups.push(() => tether.stop());
	const s = await managerSession({ admin: true });
	session = { ...s, app: tether.client(s.jar) };
});

after(async () => {
	for (const f of cleanups.reverse())
		await f();
});

/** The requests that reached host since index `from`. */
function at(host, from) {
	return standin.requests.slice(from).filter((r) => r.headers.host === host);
}

/** Asserts the request carries the secret as the vendor documents. */
function assertAuth(rec, auth, secret, label) {
	if (auth === 'bearer' || auth === 'oauth') {
		assert.equal(rec.headers.authorization, `Bearer ${secret}`, `${label}: Authorization: Bearer`);
	} else if (auth[0] === 'basic-key') {
		// The key is the user name, the password fixed (Freshdesk, BambooHR).
		const want = `Basic ${Buffer.from(`${secret}:${auth[1]}`).toString('base64')}`;
		assert.equal(rec.headers.authorization, want, `${label}: Basic <key>:${auth[1]}`);
	} else if (auth[0] === 'query') {
		const q = new URL(rec.url, 'https://x/').searchParams;
		assert.deepEqual([q.get(auth[1]), q.get(auth[2])], [secret, `${secret}2`], `${label}: ?${auth[1]}=…&${auth[2]}=…`);
		assert.equal(rec.headers.authorization, undefined, `${label}: no Authorization`);
	} else if (auth[0] === 'basic') {
		const want = `Basic ${Buffer.from(`${auth[1]}:${secret}`).toString('base64')}`;
		assert.equal(rec.headers.authorization, want, `${label}: Basic ${auth[1]}:<secret>`);
	} else {
		assert.equal(rec.headers[auth[0]], `${auth[1]}${secret}`, `${label}: ${auth[0]} header`);
		if (auth[0] !== 'authorization')
			assert.equal(rec.headers.authorization, undefined, `${label}: no Authorization besides ${auth[0]}`);
	}
}

describe('every added connector: its form creates a connection and its test request is the documented one', () => {
	for (const [connector, protocol, spec, request, auth, oauth, extra] of CASES) {
		test(`${connector} ${protocol}: ${request}`, async () => {
			const { app, team } = session;
			const [method, host, url] = request.split(' ');
			const secret = marker(connector.replace(/-/g, ''));
			const fields = Object.fromEntries(Object.entries(spec).map(([k, v]) =>
				[k, v === S ? secret : v === S2 ? `${secret}2` : v]));
			const from = standin.requests.length;
			const c = await app.create({ connector, protocol, team: team.id, fields });
			const what = `${connector}/${protocol}`;
			if (oauth?.authorize) {
				// Authorization code: the form goes on to the vendor's authorize URL.
				assert.equal(c.status, 200, `${what}: ${pageText(c.res.text).slice(0, 300)}`);
				const u = new URL(c.connectUrl);
				assert.deepEqual([u.protocol, u.host, u.pathname], ['https:', oauth.authorize[0], oauth.authorize[1]],
				    `${what}: the declared authorize URL`);
				assert.equal(u.searchParams.get('client_id'), fields.client_id);
				assert.equal(u.searchParams.get('response_type'), 'code');
				for (const [k, v] of Object.entries(extra?.authorize ?? {}))
					assert.equal(u.searchParams.get(k), v, `${what}: authorize ${k}`);
				assert.equal(standin.requests.length, from, `${what}: nothing sent before the user consents`);
				const back = new URL(u.searchParams.get('redirect_uri'));
				back.searchParams.set('code', `code-${connector}`);
				back.searchParams.set('state', u.searchParams.get('state'));
				const cb = await app.callback(back.toString());
				assert.ok(cb.status === 303 || cb.status === 302, `${what}: callback ${cb.status} ${pageText(cb.res.text).slice(0, 300)}`);
				const [tok] = at(oauth.token[0], from).filter((r) => r.path === oauth.token[1]);
				assert.ok(tok, `${what}: the code went to the declared token endpoint ${oauth.token.join('')}`);
				assert.equal(new URLSearchParams(tok.body).get('grant_type'), 'authorization_code');
				assert.ok(!tok.url.includes(secret), `${what}: no secret in the token URL`);
				// Connecting tests the new tokens at once and reads whose they are.
				const [who] = psql(`SELECT coalesce(identity_account, ''), coalesce(identity_tenant, '')
				    FROM connections WHERE id = ${c.id}`);
				assert.deepEqual(who, IDENTITY[connector] ?? ['', ''], `${what}: Connected as`);
			} else {
				assert.ok([303, 200].includes(c.status), `${what}: ${pageText(c.res.text).slice(0, 400)}`);
				assert.ok(c.id > 0, `${what}: created (${pageText(c.res.text).slice(0, 400)})`);
				await app.followRun(c.res);
			}
			if (oauth?.token && !oauth.authorize) {
				const [tok] = at(oauth.token[0], from).filter((r) => r.path === oauth.token[1]);
				assert.ok(tok, `${what}: a token from the declared endpoint ${oauth.token.join('')}`);
				assert.equal(new URLSearchParams(tok.body).get('grant_type'), 'client_credentials');
			}
			const calls = at(host, from).filter((r) => !new URLSearchParams(r.body).has('grant_type'));
			assert.ok(calls.length > 0, `${what}: a request reached ${host} (${standin.requests.slice(from).map((r) => `${r.headers.host}${r.url}`).join(', ')})`);
			const rec = calls.at(-1);
			const sentUrl = auth[0] === 'query' ? rec.url.replace(/&key=[^&]*&token=[^&]*$/, '') : rec.url;
			assert.equal(`${rec.method} ${sentUrl}`, `${method} ${url}`, `${what}: method and path`);
			if (extra) {
				for (const [h, v] of Object.entries(extra.headers ?? {}))
					assert.equal(rec.headers[h], v, `${what}: header ${h}`);
				if ('body' in extra) {
					assert.equal(rec.body, extra.body, `${what}: the documented body`);
					assert.equal(rec.headers['content-type'], extra.contentType, `${what}: content type`);
				}
			}
			if (auth === 'oauth') {
				const bearer = /^Bearer (at-[0-9]+-\S+)$/.exec(rec.headers.authorization ?? '');
				assert.ok(bearer, `${what}: the access token the token endpoint issued`);
			} else {
				assertAuth(rec, auth, secret, what);
			}
			assert.equal(lastTest(c.id)?.result, 'ok', `${what}: the test passed`);
			if (extra?.identity) {
				const [who] = psql(`SELECT coalesce(identity_account, ''), coalesce(identity_tenant, '')
				    FROM connections WHERE id = ${c.id}`);
				assert.deepEqual(who, extra.identity, `${what}: Connected as`);
			}
			// The secret went nowhere but its documented place.
			for (const r of standin.requests.slice(from))
				assert.ok(!r.url.includes(secret) || (auth[0] === 'query' && r === rec), `${what}: no secret in a URL`);
			// A secret in a query string stays out of the logs and the records.
			if (auth[0] === 'query') {
				assert.ok(!tether.log().includes(secret), `${what}: no secret in Tether's log`);
				const [[rows]] = psql(`SELECT (SELECT count(*) FROM connection_tests t WHERE t::text LIKE '%${secret}%')
				    + (SELECT count(*) FROM audit_log a WHERE a::text LIKE '%${secret}%')`);
				assert.equal(rows, '0', `${what}: no secret in tests or audit rows`);
			}
		});
	}

	// The failure case: a wrong secret in its documented place is refused,
	// and the test says the credentials are bad.
	for (const [connector, protocol, spec, request] of CASES.filter((c) => c[4] !== 'oauth')) {
		test(`${connector} ${protocol}: a wrong secret is "bad credentials"`, async () => {
			const { app, team } = session;
			// Two secrets (Trello): a good key and a wrong token.
			const two = Object.values(spec).includes(S2);
			const fields = Object.fromEntries(Object.entries(spec).map(([k, v]) =>
				[k, v === S2 || (v === S && !two) ? marker('wrong') : v === S ? marker('key') : v]));
			const from = standin.requests.length;
			const c = await app.create({ connector, protocol, team: team.id, fields });
			await app.followRun(c.res);
			const t = lastTest(c.id);
			assert.deepEqual([t?.result, t?.httpStatus], ['bad_credentials', 401], `${connector}/${protocol}`);
			assert.equal(at(request.split(' ')[1], from).length, 1, 'one request, to the vendor');
		});
	}

	// One declaration drives the test and what a flow gets (HACKING,
	// Credentials for the engine): the new shapes.
	test('credentials API: the key as Basic user name, a two-word prefix, a fixed header, two query parameters', async () => {
		const { app, team, user } = session;
		const engine = tetherctl('token', 'add', user.email, uniq('tok'), '--scopes', 'connections:use').trim();
		const key = marker('key');
		const cases = [
			['freshdesk', 'api_key', { domain: 'acme', api_key: key }, { type: 'basic', username: key, password: 'X' }],
			['pagerduty', 'api_key', { api_key: key },
				{ type: 'api_key', in: 'header', name: 'Authorization', prefix: 'Token token=', value: key }],
			['notion', 'integration', { token: key }, { type: 'bearer', token: key, headers: { 'Notion-Version': '2022-06-28' } }],
			['trello', 'api_key', { api_key: key, token: `${key}2` },
				{ type: 'api_key', in: 'query', name: 'key', value: key, name2: 'token', value2: `${key}2` }],
		];
		for (const [connector, protocol, fields, want] of cases) {
			const c = await app.create({ connector, protocol, team: team.id, fields });
			await app.followRun(c.res);
			assert.equal(lastTest(c.id)?.result, 'ok', `${connector}: the test passed`);
			const flow = flowAdd({ connections: [c.id] });
			const r = await request(`/api/v1/connections/${c.id}/credentials`, { method: 'POST',
			    headers: { authorization: `Bearer ${engine}`, 'content-type': 'application/json' },
			    body: JSON.stringify({ flow_id: flow.id }) });
			assert.equal(r.status, 200, `${connector}: ${r.text}`);
			const { connection_id: _c, flow_id: _f, expires_at: _e, ...got } = JSON.parse(r.text);
			assert.deepEqual(got, want, `${connector}/${protocol}: the credentials as its test sends them`);
		}
	});

	test('Slack: auth.test answers 200 either way; "ok": false is refused credentials, true works as the bot', async () => {
		const { app, team } = session;
		for (const [token, result] of [[marker('wrong'), 'bad_credentials'], [marker('xoxb'), 'ok']]) {
			const from = standin.requests.length;
			const c = await app.create({ connector: 'slack', protocol: 'bot_token', team: team.id, fields: { token } });
			await app.followRun(c.res);
			const sent = at('slack.com', from);
			assert.deepEqual(sent.map((r) => `${r.method} ${r.path}`), ['POST /api/auth.test'], 'one call to auth.test');
			assertAuth(sent[0], 'bearer', token, 'slack');
			const t = lastTest(c.id);
			assert.deepEqual([t?.result, t?.httpStatus], [result, 200], `the ${result} token`);
			if (result === 'ok')
				assert.match(pageText((await app.get(`/connections/${c.id}`)).text), /Connected as tether-bot/);
		}
	});
});
