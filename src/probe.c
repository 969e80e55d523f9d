/*
 * probe.c — the one place Tether talks to other systems. Every call has a
 * connect and a total timeout, verifies TLS, follows no redirect, reads at
 * most PROBE_BODY_MAX bytes, ignores proxy variables from the environment,
 * and checks the address it actually connects to against the network
 * policy (so a DNS answer that changes between lookups cannot slip past).
 * A policy refusal happens before any packet is sent: it looks the same
 * whatever is behind the address.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <curl/curl.h>

#include "config.h"
#include "tether.h"

struct probe_ctx {
	const struct netpolicy	*policy;
	int			 refused;
	struct buf		*body;
	int			 truncated;
};

void
probe_outcome_init(struct probe_outcome *o)
{
	memset(o, 0, sizeof(*o));
	buf_init(&o->body);
}

void
probe_outcome_free(struct probe_outcome *o)
{
	buf_free(&o->body);
}

static curl_socket_t
probe_opensocket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct probe_ctx	*ctx = arg;

	(void)purpose;
	/* No policy: the operator's own mail relay (probe_smtp_send). */
	if (ctx->policy != NULL && !netpolicy_permits(ctx->policy, &a->addr)) {
		ctx->refused = 1;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

static size_t
probe_write(char *data, size_t size, size_t n, void *arg)
{
	struct probe_ctx	*ctx = arg;
	size_t			 len = size * n, room;

	room = PROBE_BODY_MAX - ctx->body->len;
	if (len > room) {
		buf_append(ctx->body, data, room);
		ctx->truncated = 1;
		return 0;	/* stop reading: we have what we need */
	}
	buf_append(ctx->body, data, len);
	return len;
}

/*
 * The proxy, ours or an uplink's: checked by the same parser as the URLs
 * and given to curl (a string option) as curl writes the checked URL; ""
 * when there is none, so the environment's is never used. -1: refused.
 */
static int
probe_proxy(CURL *c, const struct app *app, const char *proxy)
{
	struct url	 u;
	enum url_error	 e;
	char		*s;

	if (proxy == NULL)
		proxy = app->cfg.outbound_proxy;
	if (*proxy == '\0')
		return curl_easy_setopt(c, CURLOPT_PROXY, "") == CURLE_OK ? 0 : -1;
	if ((e = url_parse(&u, proxy, URL_HTTP)) != URL_OK) {
		log_error(NULL, "probe: proxy refused: %s", url_strerror(e));
		return -1;
	}
	s = url_string(&u);
	url_free(&u);
	if (s == NULL || curl_easy_setopt(c, CURLOPT_PROXY, s) != CURLE_OK) {
		free(s);
		return -1;
	}
	free(s);
	return 0;
}

/* Settings every outbound handle gets, whatever the protocol; the URL is
 * the checked handle `u`. -1 when the proxy is refused. */
static int
probe_common(CURL *c, const struct app *app, struct probe_ctx *ctx, const char *proxy,
    const struct url *u)
{
	const struct config	*cfg = &app->cfg;

	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg->outbound_connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)cfg->outbound_timeout_ms);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (*cfg->outbound_ca_bundle != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, cfg->outbound_ca_bundle);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, probe_opensocket);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, ctx);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, probe_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, ctx);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "Tether/" PACKAGE_VERSION);
	/* Never CURLOPT_URL: curl would parse the text again. */
	if (curl_easy_setopt(c, CURLOPT_CURLU, u->h) != CURLE_OK)
		return -1;
	return probe_proxy(c, app, proxy);
}

/*
 * A handle for scheme://host:port (parts checked by url_build, not parsed
 * from text) with the common settings, through `proxy` (NULL: Tether's).
 * NULL when there is none: *failed 0 with o->result PROBE_POLICY (refused),
 * or -1 (no memory).
 */
static CURL *
probe_built(const struct app *app, struct probe_ctx *ctx, const char *proxy,
    const char *scheme, const char *host, int port, struct url *u,
    struct probe_outcome *o, int *failed)
{
	enum url_error	 e;
	CURL		*c;

	*failed = 0;
	if ((e = url_build(u, scheme, host, port)) != URL_OK) {
		log_error(NULL, "probe: %s server refused: %s", scheme, url_strerror(e));
		o->result = PROBE_POLICY;
		return NULL;
	}
	if ((c = curl_easy_init()) == NULL) {
		url_free(u);
		*failed = -1;
		return NULL;
	}
	if (probe_common(c, app, ctx, proxy, u) == -1) {
		o->result = PROBE_POLICY;
		curl_easy_cleanup(c);
		url_free(u);
		return NULL;
	}
	return c;
}

/* 1 when `status` is one of the space-separated numbers in `expect`. */
static int
probe_expected(const char *expect, long status)
{
	char	*end;
	long	 want;

	if (expect == NULL || *expect == '\0')
		return status >= 200 && status < 300;
	while (*expect != '\0') {
		want = strtol(expect, &end, 10);
		if (end == expect)
			break;
		if (want == status)
			return 1;
		expect = end + strspn(end, " ,");
	}
	return 0;
}

static enum probe_result
probe_classify_curl(CURLcode rc, const struct probe_ctx *ctx)
{
	if (ctx->refused)
		return PROBE_POLICY;
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return PROBE_TIMEOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return PROBE_DNS;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_USE_SSL_FAILED:
		return PROBE_TLS;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return PROBE_POLICY;
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		return PROBE_UNREACHABLE;
	case CURLE_LOGIN_DENIED:
		return PROBE_BAD_CREDENTIALS;
	default:
		return PROBE_PROTOCOL;
	}
}

static long
probe_elapsed_ms(const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long)((t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000);
}

/*
 * Mutual TLS: the server's TLS alert when it refused the client certificate
 * (none sent, an unknown CA, expired, revoked) is a refusal of the
 * credentials, not a TLS failure of the connection.
 */
static int
probe_cert_refused(const char *err)
{
	static const char *const alerts[] = { "alert certificate required",
	    "alert unknown ca", "alert bad certificate", "alert certificate unknown",
	    "alert certificate expired", "alert certificate revoked",
	    "alert handshake failure", "alert access denied", NULL };
	size_t	 i;

	for (i = 0; alerts[i] != NULL; i++)
		if (strstr(err, alerts[i]) != NULL)
			return 1;
	return 0;
}

/* The peer closed (or reset) after the TLS handshake completed. */
static int
probe_closed_after_tls(CURL *c, CURLcode rc)
{
	curl_off_t	 app = 0;

	if (rc != CURLE_GOT_NOTHING && rc != CURLE_RECV_ERROR && rc != CURLE_SEND_ERROR)
		return 0;
	return curl_easy_getinfo(c, CURLINFO_APPCONNECT_TIME_T, &app) == CURLE_OK && app > 0;
}

int
probe_http(const struct app *app, const struct probe_http *p, struct probe_outcome *o)
{
	struct probe_ctx	 ctx;
	struct curl_slist	*headers = NULL;
	struct timespec		 t0;
	struct url		 u;
	enum url_error		 e;
	CURL			*c;
	CURLcode		 rc;
	long			 status = 0;
	size_t			 i;
	char			 errbuf[CURL_ERROR_SIZE] = "";

	memset(&ctx, 0, sizeof(ctx));
	/* Through an uplink, the address connected to is the uplink's proxy:
	 * its own allowlist decides (a proxy into a private network). */
	ctx.policy = p->policy != NULL ? p->policy : &app->netpolicy;
	ctx.body = &o->body;
	/* The URL as built (base, path, query) gets the form's checks again,
	 * and the handle they ran on is what curl fetches. The URL may carry a
	 * secret (a query parameter): it is never logged. */
	if ((e = url_parse(&u, p->url, p->allow_http ? URL_HTTP : 0)) != URL_OK) {
		log_error(NULL, "probe: URL refused: %s", url_strerror(e));
		o->result = PROBE_POLICY;
		return 0;
	}
	if ((c = curl_easy_init()) == NULL) {
		url_free(&u);
		return -1;
	}
	if (probe_common(c, app, &ctx, p->proxy, &u) == -1) {
		o->result = PROBE_POLICY;
		curl_easy_cleanup(c);
		url_free(&u);
		return 0;
	}
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, p->allow_http ? "https,http" : "https");
	/* A shorter total where the caller asks (revocation: best effort). */
	if (p->timeout_ms > 0 && p->timeout_ms < app->cfg.outbound_timeout_ms) {
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)p->timeout_ms);
		if (p->timeout_ms < app->cfg.outbound_connect_timeout_ms)
			curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)p->timeout_ms);
	}
	if (p->user != NULL && p->aws_sigv4 != NULL) {
		/* libcurl signs; only the signature leaves, never the secret. */
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_AWS_SIGV4);
		curl_easy_setopt(c, CURLOPT_AWS_SIGV4, p->aws_sigv4);
		curl_easy_setopt(c, CURLOPT_USERNAME, p->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, p->password != NULL ? p->password : "");
	} else if (p->user != NULL) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, p->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, p->password != NULL ? p->password : "");
	}
	if (p->client_cert != NULL && p->client_key != NULL) {
		/* Mutual TLS from memory: the key is never written to a file,
		 * nor copied (the caller wipes its own after the call). */
		struct curl_blob cert = { (void *)p->client_cert, strlen(p->client_cert),
			CURL_BLOB_NOCOPY };
		struct curl_blob key = { (void *)p->client_key, strlen(p->client_key),
			CURL_BLOB_NOCOPY };

		curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &cert);
		curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
		curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &key);
	}
	if (p->header != NULL)
		headers = curl_slist_append(headers, p->header);
	for (i = 0; p->headers != NULL && p->headers[i] != NULL; i++)
		headers = curl_slist_append(headers, p->headers[i]);
	headers = curl_slist_append(headers, "Accept: application/json");
	if (p->body != NULL) {
		char	 ct[128];

		snprintf(ct, sizeof(ct), "Content-Type: %s", p->content_type != NULL ?
		    p->content_type : "application/x-www-form-urlencoded");
		headers = curl_slist_append(headers, ct);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, p->body);
	} else if (p->method != NULL && strcmp(p->method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (p->method != NULL && strcmp(p->method, "POST") == 0) {
		/* Nothing to post: no type either (Dropbox refuses a form type). */
		headers = curl_slist_append(headers, "Content-Type:");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = curl_easy_perform(c);
	o->latency_ms = probe_elapsed_ms(&t0);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	o->http_status = status;
	/* Ours refused by the server, or ours unusable (a key that is not the
	 * certificate's): the credentials, either way. With TLS 1.3 the
	 * server judges the certificate after the handshake and closes: no
	 * answer at all after a completed handshake is that refusal. */
	if (rc != CURLE_OK && p->client_cert != NULL && (rc == CURLE_SSL_CERTPROBLEM ||
	    probe_cert_refused(errbuf) || (status == 0 && probe_closed_after_tls(c, rc))))
		o->result = PROBE_BAD_CREDENTIALS;
	else if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && ctx.truncated))
		o->result = probe_classify_curl(rc, &ctx);
	else if (status >= 300 && status < 400)
		o->result = PROBE_REDIRECT;
	else if (probe_expected(p->expect, status))
		o->result = PROBE_OK;
	else if (status == 401 || status == 403)
		o->result = PROBE_BAD_CREDENTIALS;
	else if (status == 404)
		o->result = PROBE_NOT_FOUND;
	else if (status == 429)
		o->result = PROBE_RATE_LIMITED;
	else
		o->result = PROBE_UNEXPECTED_STATUS;
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	url_free(&u);		/* after the handle that reads it */
	return 0;
}

/*
 * An SMTP handle's own options for `u` (smtp:// or smtps://): TLS required
 * (STARTTLS before AUTH, or implicit), the credentials when a user is given.
 */
static void
probe_smtp_options(CURL *c, const struct url *u, const char *user, const char *password)
{
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, strcmp(u->scheme, "smtps") == 0 ?
	    "smtps" : "smtp");
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (user != NULL && *user != '\0') {
		curl_easy_setopt(c, CURLOPT_USERNAME, user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, password != NULL ? password : "");
	}
}

/* What an SMTP exchange's curl result means; a server without STARTTLS is
 * its own answer. */
static enum probe_result
probe_smtp_result(CURLcode rc, const struct probe_ctx *ctx)
{
	if (rc == CURLE_OK)
		return PROBE_OK;
	if (rc == CURLE_USE_SSL_FAILED)
		return PROBE_NO_TLS;
	return probe_classify_curl(rc, ctx);
}

/*
 * SMTP: connect, EHLO, STARTTLS (required before AUTH, or implicit TLS),
 * AUTH, QUIT. libcurl does the handshake and authentication in its connect
 * phase, so CONNECT_ONLY sends no mail.
 */
int
probe_smtp(const struct app *app, const char *host, int port, const char *tls,
    const char *user, const char *password, struct probe_outcome *o)
{
	struct probe_ctx	 ctx;
	struct timespec		 t0;
	struct url		 u;
	CURL			*c;
	CURLcode		 rc;
	int			 implicit = tls != NULL && strcmp(tls, "tls") == 0, failed;

	memset(&ctx, 0, sizeof(ctx));
	ctx.policy = &app->netpolicy;
	ctx.body = &o->body;
	if ((c = probe_built(app, &ctx, NULL, implicit ? "smtps" : "smtp", host, port, &u, o,
	    &failed)) == NULL)
		return failed;
	probe_smtp_options(c, &u, user, password);
	curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = curl_easy_perform(c);
	o->latency_ms = probe_elapsed_ms(&t0);
	if (rc == CURLE_OK) {
		size_t	 sent;
		char	 reply[256];

		/* Connect-only handles are dropped without a goodbye: say QUIT. */
		(void)curl_easy_send(c, "QUIT\r\n", 6, &sent);
		(void)curl_easy_recv(c, reply, sizeof(reply), &sent);
	}
	o->result = probe_smtp_result(rc, &ctx);
	curl_easy_cleanup(c);
	url_free(&u);
	return 0;
}

struct probe_read {
	const char	*data;
	size_t		 left;
};

static size_t
probe_read(char *out, size_t size, size_t n, void *arg)
{
	struct probe_read	*rd = arg;
	size_t			 len = size * n;

	if (len > rd->left)
		len = rd->left;
	memcpy(out, rd->data, len);
	rd->data += len, rd->left -= len;
	return len;
}

/* "smtp://host[:port][/]" or "smtps://…" into a checked URL (587 and 465
 * by default); -1 when it is neither. */
static int
probe_smtp_url(struct url *u, const char *s)
{
	const char	*scheme, *h, *end;
	char		 host[256];
	long		 port;
	size_t		 hlen;

	if (strncmp(s, "smtps://", 8) == 0)
		scheme = "smtps", h = s + 8, port = 465;
	else if (strncmp(s, "smtp://", 7) == 0)
		scheme = "smtp", h = s + 7, port = 587;
	else
		return -1;
	hlen = strcspn(h, ":/");
	if (hlen == 0 || hlen >= sizeof(host))
		return -1;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	end = h + hlen;
	if (*end == ':') {
		port = strtol(end + 1, (char **)&end, 10);
		if (end == h + hlen + 1)
			return -1;
	}
	if (*end == '/')
		end++;
	if (*end != '\0')
		return -1;
	return url_build(u, scheme, host, (int)port) == URL_OK ? 0 : -1;
}

int
probe_smtp_send(const struct app *app, const char *smtp_url, const char *user,
    const char *password, const char *from, const char *const *rcpts, const char *msg,
    struct probe_outcome *o)
{
	struct probe_ctx	 ctx;
	struct probe_read	 rd;
	struct curl_slist	*to = NULL;
	struct timespec		 t0;
	struct url		 u;
	char			 addr[320];
	CURL			*c;
	CURLcode		 rc;
	size_t			 i;

	memset(&ctx, 0, sizeof(ctx));
	ctx.policy = NULL;	/* the operator's relay, from the configuration */
	ctx.body = &o->body;
	if (probe_smtp_url(&u, smtp_url) == -1) {
		log_error(NULL, "mail: mail.smtp_url is not smtp://HOST[:PORT] or smtps://…");
		o->result = PROBE_POLICY;
		return 0;
	}
	if ((c = curl_easy_init()) == NULL) {
		url_free(&u);
		return -1;
	}
	if (probe_common(c, app, &ctx, NULL, &u) == -1) {
		o->result = PROBE_POLICY;
		curl_easy_cleanup(c);
		url_free(&u);
		return 0;
	}
	probe_smtp_options(c, &u, user, password);
	if (*app->cfg.mail_ca_bundle != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, app->cfg.mail_ca_bundle);
	snprintf(addr, sizeof(addr), "<%s>", from);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, addr);
	for (i = 0; rcpts[i] != NULL; i++) {
		snprintf(addr, sizeof(addr), "<%s>", rcpts[i]);
		to = curl_slist_append(to, addr);
	}
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, to);
	rd.data = msg, rd.left = strlen(msg);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, probe_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &rd);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = curl_easy_perform(c);
	o->latency_ms = probe_elapsed_ms(&t0);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &o->http_status);
	o->result = probe_smtp_result(rc, &ctx);
	curl_slist_free_all(to);
	curl_easy_cleanup(c);
	url_free(&u);
	return 0;
}

static const char *const result_keys[] = {
	[PROBE_OK] = "ok",
	[PROBE_BAD_CREDENTIALS] = "bad_credentials",
	[PROBE_NOT_FOUND] = "not_found",
	[PROBE_UNEXPECTED_STATUS] = "unexpected_status",
	[PROBE_TIMEOUT] = "timeout",
	[PROBE_DNS] = "dns",
	[PROBE_TLS] = "tls",
	[PROBE_POLICY] = "policy",
	[PROBE_REDIRECT] = "redirect",
	[PROBE_RATE_LIMITED] = "rate_limited",
	[PROBE_UNREACHABLE] = "unreachable",
	[PROBE_PROTOCOL] = "protocol",
	[PROBE_NO_TLS] = "no_tls",
	[PROBE_CREDENTIALS_MISSING] = "credentials_missing",
	[PROBE_NEEDS_RECONNECT] = "needs_reconnect",
	[PROBE_UNSUPPORTED] = "unsupported",
	[PROBE_BUSY] = "busy",
	[PROBE_NOT_CONNECTED] = "not_connected",
	[PROBE_NO_DATABASE] = "no_database",
};

const char *
probe_result_key(enum probe_result r)
{
	return (size_t)r < sizeof(result_keys) / sizeof(result_keys[0]) ?
	    result_keys[r] : "protocol";
}

void
probe_result_sentence(enum probe_result r, long status, char *out, size_t outlen)
{
	const char	*s;

	switch (r) {
	case PROBE_OK: s = "The connection works."; break;
	case PROBE_BAD_CREDENTIALS: s = "The system refused the credentials (check the "
	    "user, secret and permissions)."; break;
	case PROBE_NOT_FOUND: s = "The address answered \"not found\": check the URL."; break;
	case PROBE_UNEXPECTED_STATUS:
		snprintf(out, outlen, "The system answered with unexpected status %ld.", status);
		return;
	case PROBE_TIMEOUT: s = "The system did not answer in time."; break;
	case PROBE_DNS: s = "The host name could not be found (DNS)."; break;
	case PROBE_TLS: s = "A secure (TLS) connection could not be established or "
	    "verified."; break;
	case PROBE_POLICY: s = "The address is not allowed by the outbound network "
	    "policy."; break;
	case PROBE_REDIRECT: s = "The system answered with an unexpected redirect."; break;
	case PROBE_RATE_LIMITED: s = "The system is rate limiting requests; try again "
	    "later."; break;
	case PROBE_UNREACHABLE: s = "The system could not be reached (connection refused "
	    "or closed)."; break;
	case PROBE_NO_TLS: s = "The mail server does not offer STARTTLS; Tether refused "
	    "to send credentials without encryption."; break;
	case PROBE_CREDENTIALS_MISSING: s = "A stored credential is missing or cannot be "
	    "decrypted: re-enter it."; break;
	case PROBE_NEEDS_RECONNECT: s = "The authorization is missing or was revoked: "
	    "reconnect."; break;
	case PROBE_UNSUPPORTED: s = "This connection cannot be tested from here."; break;
	case PROBE_BUSY: s = "Another test is refreshing this connection's authorization; "
	    "try again in a moment."; break;
	case PROBE_NO_DATABASE: s = "The server has no database of that name: check "
	    "the database name."; break;
	case PROBE_NOT_CONNECTED: s = "You have not connected your own account to this "
	    "connection yet."; break;
	default: s = "The system answered in a way Tether did not understand."; break;
	}
	snprintf(out, outlen, "%s", s);
}

/*
 * An uplink's Test (uplink.c): reach `proxy` (its own allowlist decides, as
 * for the connections it carries) and ask it for a tunnel to host:port with
 * CONNECT; nothing is sent through the tunnel. o->http_status is the
 * proxy's answer to CONNECT (0: none). PROBE_OK when it opened the tunnel;
 * PROBE_UNEXPECTED_STATUS when it answered something else.
 */
int
probe_tunnel(const struct app *app, const char *proxy, const struct netpolicy *policy,
    const char *host, int port, struct probe_outcome *o)
{
	struct probe_ctx	 ctx;
	struct timespec		 t0;
	struct url		 u;
	CURL			*c;
	CURLcode		 rc;
	long			 code = 0;
	int			 failed;

	memset(&ctx, 0, sizeof(ctx));
	ctx.policy = policy != NULL ? policy : &app->netpolicy;
	ctx.body = &o->body;
	if ((c = probe_built(app, &ctx, proxy, "http", host, port, &u, o, &failed)) == NULL)
		return failed;
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(c, CURLOPT_HTTPPROXYTUNNEL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = curl_easy_perform(c);
	o->latency_ms = probe_elapsed_ms(&t0);
	curl_easy_getinfo(c, CURLINFO_HTTP_CONNECTCODE, &code);
	o->http_status = code;
	if (ctx.refused)
		o->result = PROBE_POLICY;
	else if (rc == CURLE_OK && code >= 200 && code < 300)
		o->result = PROBE_OK;
	else if (code != 0)
		o->result = PROBE_UNEXPECTED_STATUS;
	else
		o->result = probe_classify_curl(rc, &ctx);
	curl_easy_cleanup(c);
	url_free(&u);
	return 0;
}
