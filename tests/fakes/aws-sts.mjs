// tests/fakes/aws-sts.mjs — AWS STS GetCallerIdentity as AWS answers it, for
// the aws_sigv4 kind. Every request's Signature Version 4 is recomputed
// here with the aws4 package (not Tether's code, not libcurl's) from the
// access key's secret, over exactly the headers the request says it signed,
// for the region of the host name it was sent to (sts.REGION.amazonaws.com,
// through the proxy stand-in) and service sts; the session token of
// temporary credentials must be sent and signed. Answers are STS's XML:
// 200 with Arn, UserId and Account; 403 InvalidClientTokenId (unknown key),
// SignatureDoesNotMatch, ExpiredToken / InvalidClientTokenId (token wrong
// or missing), 400 for anything but GetCallerIdentity.
//
//   const sts = await startSts({ tls, keys: { AKIA…: { secret, account, arn, token? } } });
//   sts.port, sts.requests (each with .verdict), sts.allText(), sts.close()

import aws4 from 'aws4';

import { startStandin } from './http-standin.mjs';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

function xmlError(res, status, code, message) {
	res.writeHead(status, { 'content-type': 'text/xml' });
	res.end(`<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code>` +
	    `<Message>${message}</Message></Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>`);
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)\/([0-9]{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** What AWS would say about rec: [status, code] ('ok' when it passes). */
export function verify(rec, keys) {
	const host = rec.headers.host ?? '';
	const hm = /^sts\.([a-z0-9-]+)\.amazonaws\.com$/.exec(host);
	const m = AUTH.exec(rec.headers.authorization ?? '');
	if (hm === null)
		return [400, 'BadHost'];
	if (m === null)
		return [403, 'MissingAuthenticationToken'];
	const [, akid, date, region, service, signed] = m;
	const key = keys[akid];
	if (key === undefined)
		return [403, 'InvalidClientTokenId'];
	const amzDate = rec.headers['x-amz-date'] ?? '';
	const when = Date.parse(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
	if (!(Math.abs(Date.now() - when) < 5 * 60 * 1000) || !amzDate.startsWith(date))
		return [403, 'SignatureDoesNotMatch'];
	if (region !== hm[1] || service !== 'sts')
		return [403, 'SignatureDoesNotMatch'];
	const names = signed.split(';');
	if (!names.includes('host') || !names.includes('x-amz-date'))
		return [403, 'SignatureDoesNotMatch'];
	if (key.token !== undefined) {
		if (rec.headers['x-amz-security-token'] !== key.token || !names.includes('x-amz-security-token'))
			return [403, 'InvalidClientTokenId'];
	} else if (rec.headers['x-amz-security-token'] !== undefined)
		return [403, 'InvalidClientTokenId'];
	const headers = {};
	const include = {};
	for (const n of names) {
		if (rec.headers[n] === undefined)
			return [403, 'SignatureDoesNotMatch'];
		headers[n] = rec.headers[n];
		include[n] = true;
	}
	const expected = aws4.sign({ host, path: rec.url, method: rec.method, headers, service: 'sts',
		region: hm[1], body: rec.body === '' ? undefined : rec.body, extraHeadersToInclude: include,
		doNotModifyHeaders: true },
	    { accessKeyId: akid, secretAccessKey: key.secret, sessionToken: key.token });
	if (expected.headers.Authorization !== rec.headers.authorization)
		return [403, 'SignatureDoesNotMatch'];
	if (key.expired)
		return [403, 'ExpiredToken'];
	const q = new URLSearchParams(rec.url.split('?')[1] ?? '');
	if (rec.method !== 'GET' || q.get('Action') !== 'GetCallerIdentity' || q.get('Version') !== '2011-06-15')
		return [400, 'InvalidAction'];
	return [200, 'ok'];
}

export async function startSts({ tls, keys }) {
	return startStandin({ name: 'sts', tls, handler: (req, res, rec) => {
		const [status, code] = verify(rec, keys);
		rec.verdict = code;
		if (status !== 200)
			return xmlError(res, status, code, code === 'SignatureDoesNotMatch' ?
			    'The request signature we calculated does not match the signature you provided.' :
			    'The security token included in the request is invalid.');
		const akid = AUTH.exec(rec.headers.authorization)[1];
		const k = keys[akid];
		res.writeHead(200, { 'content-type': 'text/xml' });
		res.end(`<GetCallerIdentityResponse xmlns="${NS}">\n  <GetCallerIdentityResult>\n` +
		    `    <Arn>${k.arn}</Arn>\n    <UserId>AIDAEXAMPLEUSERID</UserId>\n    <Account>${k.account}</Account>\n` +
		    `  </GetCallerIdentityResult>\n  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>\n` +
		    '</GetCallerIdentityResponse>\n');
	} });
}
