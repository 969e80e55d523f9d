/*
 * webhook.c — webhook endpoints and the Standard Webhooks deliveries of the
 * events outbox (sql/011_notify.sql). An endpoint's signing secret is
 * "whsec_" + base64 of 32 random bytes, sealed in the vault and shown once;
 * each delivery is POSTed through probe_http (the outbound policy, its
 * timeouts, no redirects) with webhook-id (the same on every retry),
 * webhook-timestamp and webhook-signature "v1,<base64 HMAC-SHA256 of
 * id.timestamp.body>". A 2xx delivers; anything else is tried again with
 * exponential backoff (5 s, ×4 each time, at most 6 h apart) until a day
 * has passed, then the delivery has failed. Every attempt is a row: time,
 * HTTP status, latency, result class and a short reason, never the body.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"

#define WEBHOOK_AD		"webhook:secret"
#define WEBHOOK_KEY_BYTES	32
#define WEBHOOK_RETRY_FIRST_S	5
#define WEBHOOK_RETRY_MAX_S	(6 * 3600)
#define WEBHOOK_GIVE_UP_S	(24 * 3600)

const char *const webhook_events[] = {
	EVENT_FAILING, EVENT_NEEDS_RECONNECT, EVENT_RECOVERED, EVENT_EXPIRING,
	EVENT_REFRESH_FAILED, EVENT_CREATED, EVENT_UPDATED, EVENT_DELETED, NULL
};

int
webhook_event_known(const char *type)
{
	size_t	 i;

	for (i = 0; webhook_events[i] != NULL; i++)
		if (strcmp(webhook_events[i], type) == 0)
			return 1;
	return 0;
}

void
webhook_secret_new(char out[WEBHOOK_SECRET_SIZE])
{
	unsigned char	 raw[WEBHOOK_KEY_BYTES];

	randombytes_buf(raw, sizeof(raw));
	memcpy(out, "whsec_", 6);
	sodium_bin2base64(out + 6, WEBHOOK_SECRET_SIZE - 6, raw, sizeof(raw),
	    sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(raw, sizeof(raw));
}

int
webhook_sign(const char *secret, const char *msg_id, long long ts, const char *body,
    size_t bodylen, char *out, size_t outlen)
{
	unsigned char				 key[64], mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state		 st;
	char					 tsbuf[24];
	size_t					 keylen;
	const char				*b64;

	if (strncmp(secret, "whsec_", 6) != 0 || outlen < 4 +
	    sodium_base64_ENCODED_LEN(sizeof(mac), sodium_base64_VARIANT_ORIGINAL))
		return -1;
	b64 = secret + 6;
	if (sodium_base642bin(key, sizeof(key), b64, strlen(b64), NULL, &keylen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || keylen == 0) {
		sodium_memzero(key, sizeof(key));
		return -1;
	}
	snprintf(tsbuf, sizeof(tsbuf), "%lld", ts);
	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg_id, strlen(msg_id));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)tsbuf, strlen(tsbuf));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, bodylen);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(&st, sizeof(st));
	memcpy(out, "v1,", 3);
	sodium_bin2base64(out + 3, outlen - 3, mac, sizeof(mac), sodium_base64_VARIANT_ORIGINAL);
	return 0;
}

long
webhook_retry_delay(int attempts)
{
	long	 d = WEBHOOK_RETRY_FIRST_S;

	while (--attempts > 0 && d < WEBHOOK_RETRY_MAX_S)
		d *= 4;
	return d < WEBHOOK_RETRY_MAX_S ? d : WEBHOOK_RETRY_MAX_S;
}

/* 1 when an address `host` stands for may be connected to (deliveries
 * check the address they connect to, and use no other). */
static int
webhook_host_permitted(const struct app *app, const char *host)
{
	struct addrinfo		 hints, *res, *ai;
	char			 name[256];
	size_t			 len = strlen(host);
	int			 ok = 0;

	/* url.c keeps IPv6 literals bracketed. */
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']')
		host++, len -= 2;
	if (len == 0 || len >= sizeof(name))
		return 0;
	memcpy(name, host, len);
	name[len] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	/* A name that does not resolve (yet) is checked when it is connected to. */
	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return 1;
	for (ai = res; ai != NULL && !ok; ai = ai->ai_next)
		ok = netpolicy_permits(&app->netpolicy, ai->ai_addr);
	freeaddrinfo(res);
	return ok;
}

const char *
webhook_url_check(const struct app *app, const char *url)
{
	struct url	 u;
	enum url_error	 e;
	const char	*why;
	int		 ok;

	if ((why = valid_url(url, 0)) != NULL)
		return why;
	if ((e = url_parse(&u, url, 0)) != URL_OK)
		return url_strerror(e);
	ok = webhook_host_permitted(app, u.host);
	url_free(&u);
	return ok ? NULL : "The outbound network policy does not allow this address "
	    "(a private, loopback, link-local or reserved one): webhooks go only where "
	    "connection tests may go.";
}

int
webhook_create(const struct actor *a, const char *url, const char *const *events,
    size_t nevents, int64_t team_id, int64_t *id, char secret[WEBHOOK_SECRET_SIZE])
{
	struct buf	 arr, details;
	char		 idbuf[24], ver[16], team[24], label[40], *nonce_hex = NULL;
	char		*ct_hex = NULL;
	const char	*params[8];
	PGresult	*res = NULL;
	int		 version, rc = -1;
	size_t		 i;

	buf_init(&arr);
	buf_init(&details);
	buf_puts(&arr, "{");
	for (i = 0; i < nevents; i++) {
		if (!webhook_event_known(events[i]))
			goto out;
		buf_printf(&arr, "%s%s", i > 0 ? "," : "", events[i]);
	}
	buf_puts(&arr, "}");
	webhook_secret_new(secret);
	if (db_begin(&a->app->db) == -1)
		goto out;
	res = db_exec_named(&a->app->db, "webhook_next_id",
	    "SELECT nextval('webhook_endpoints_id_seq') AS id", 0, NULL);
	if (res == NULL)
		goto fail;
	*id = strtoll(db_get(res, 0, "id"), NULL, 10);
	db_clear(res);
	/* The secret is bound to its row: sealed for this id and field. */
	if (secret_seal_hex(a->app, *id, WEBHOOK_AD, secret, &version, &nonce_hex,
	    &ct_hex) == -1) {
		log_error(a->request_id, "webhook %lld: cannot seal its secret", (long long)*id);
		goto fail;
	}
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)*id);
	snprintf(ver, sizeof(ver), "%d", version);
	snprintf(team, sizeof(team), "%lld", (long long)team_id);
	params[0] = idbuf, params[1] = url, params[2] = arr.data;
	params[3] = team_id > 0 ? team : NULL, params[4] = ver;
	params[5] = nonce_hex, params[6] = ct_hex, params[7] = a->email;
	res = db_exec_named(&a->app->db, "webhook_create",
	    "INSERT INTO webhook_endpoints (id, url, events, team_id, key_version, nonce,"
	    " ciphertext, created_by) VALUES ($1, $2, $3::text[], $4, $5, decode($6, 'hex'),"
	    " decode($7, 'hex'), $8)", 8, params);
	if (res == NULL)
		goto fail;
	db_clear(res);
	/* The events and team only: never the secret (nor the URL, which may
	 * carry a token of the receiver's). */
	buf_puts(&details, "{\"events\":\"");
	buf_puts(&details, arr.data);
	buf_printf(&details, "\",\"team_id\":%lld}", (long long)team_id);
	snprintf(label, sizeof(label), "Webhook %lld", (long long)*id);
	if (audit_add(a, "webhook", *id, label, "webhook_create", "success", details.data) == -1 ||
	    db_commit(&a->app->db) == -1)
		goto fail;
	rc = 0;
	goto out;
fail:
	db_rollback(&a->app->db);
out:
	if (rc != 0)
		sodium_memzero(secret, WEBHOOK_SECRET_SIZE);
	free(nonce_hex);
	free(ct_hex);
	buf_free(&arr);
	buf_free(&details);
	return rc;
}

int
webhook_remove(const struct actor *a, int64_t id)
{
	char		 idbuf[24], label[40];
	const char	*params[1] = { idbuf };

	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	snprintf(label, sizeof(label), "Webhook %lld", (long long)id);
	return audit_change(a, AUDIT_FIRST, "webhook_remove",
	    "DELETE FROM webhook_endpoints WHERE id = $1", 1, params, "webhook", id, label,
	    "webhook_remove", NULL);
}

int
webhook_set_enabled(const struct actor *a, int64_t id, int enabled)
{
	char		 idbuf[24], label[40];
	const char	*params[2] = { idbuf, enabled ? "t" : "f" };

	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	snprintf(label, sizeof(label), "Webhook %lld", (long long)id);
	return audit_change(a, AUDIT_AFTER, "webhook_enable",
	    "UPDATE webhook_endpoints SET enabled = $2 WHERE id = $1", 2, params, "webhook",
	    id, label, enabled ? "webhook_enable" : "webhook_disable", NULL);
}

long
webhook_lease(const struct app *app, int max)
{
	/* The claimed rows are sent one after the other: the lease outlasts
	 * them all, even when every receiver takes the whole timeout. */
	return (long)app->cfg.worker_lease_s + (long)(max > 0 ? max : 1) *
	    ((app->cfg.outbound_timeout_ms + app->cfg.outbound_connect_timeout_ms) / 1000 + 1);
}

/* Record attempt `o` of claimed delivery `row` and what comes next. */
static int
webhook_record(const struct actor *a, PGresult *res, int row, const struct probe_outcome *o)
{
	char		 hs[16], lat[16], delay[24], reason[200];
	const char	*params[7], *state;
	int		 attempts = atoi(db_get(res, row, "attempts"));
	long		 age = atol(db_get(res, row, "age")), d = 0;
	PGresult	*r;

	if (o->result == PROBE_OK)
		state = "delivered";
	else if (age + (d = webhook_retry_delay(attempts)) > WEBHOOK_GIVE_UP_S)
		state = "failed";
	else
		state = "pending";
	probe_result_sentence(o->result, o->http_status, reason, sizeof(reason));
	snprintf(hs, sizeof(hs), "%ld", o->http_status);
	snprintf(lat, sizeof(lat), "%ld", o->latency_ms);
	snprintf(delay, sizeof(delay), "%ld", d);
	params[0] = db_get(res, row, "id");
	params[1] = o->http_status > 0 ? hs : NULL;
	params[2] = lat, params[3] = probe_result_key(o->result), params[4] = reason;
	params[5] = state, params[6] = delay;
	/* The endpoint may have been deleted meanwhile: then nothing is left to
	 * record, and that is no failure. */
	r = db_exec_named(&a->app->db, "webhook_record",
	    "WITH d AS (UPDATE webhook_deliveries SET state = $6,"
	    " next_attempt_at = CASE $6 WHEN 'pending' THEN now() + make_interval(secs => $7)"
	    " ELSE next_attempt_at END,"
	    " done_at = CASE $6 WHEN 'pending' THEN NULL ELSE now() END WHERE id = $1"
	    " RETURNING id)"
	    " INSERT INTO webhook_attempts (delivery_id, http_status, latency_ms, result, reason)"
	    " SELECT d.id, $2, $3, $4, $5 FROM d", 7, params);
	if (r == NULL)
		return -1;
	db_clear(r);
	return 0;
}

/* POST claimed delivery `row` of res to its endpoint. */
static void
webhook_post(const struct actor *a, PGresult *res, int row, struct probe_outcome *o)
{
	struct probe_http p;
	char		 msg_id[40], h_id[64], h_ts[48], h_sig[112];
	char		*secret = NULL, sig[80];
	const char	*headers[4], *body = db_get(res, row, "body");
	int64_t		 endpoint = strtoll(db_get(res, row, "endpoint_id"), NULL, 10);
	long long	 ts = (long long)time(NULL);

	/* The same id on every retry: the receiver's key to drop a repeat. */
	snprintf(msg_id, sizeof(msg_id), "evt_%s", db_get(res, row, "event_id"));
	if (secret_unseal_row(a->app, res, row, endpoint, WEBHOOK_AD, &secret) == -1 ||
	    webhook_sign(secret, msg_id, ts, body, strlen(body), sig, sizeof(sig)) == -1) {
		log_error(a->request_id, "webhook %lld: its secret does not decrypt",
		    (long long)endpoint);
		secret_free(secret);
		o->result = PROBE_CREDENTIALS_MISSING;
		return;
	}
	secret_free(secret);
	snprintf(h_id, sizeof(h_id), "webhook-id: %s", msg_id);
	snprintf(h_ts, sizeof(h_ts), "webhook-timestamp: %lld", ts);
	snprintf(h_sig, sizeof(h_sig), "webhook-signature: %s", sig);
	headers[0] = h_id, headers[1] = h_ts, headers[2] = h_sig, headers[3] = NULL;
	memset(&p, 0, sizeof(p));
	p.method = "POST";
	p.url = db_get(res, row, "url");
	p.headers = headers;
	p.body = body;
	p.content_type = "application/json";
	if (probe_http(a->app, &p, o) == -1)
		o->result = PROBE_PROTOCOL;
}

int
webhook_deliver_due(const struct actor *a, int max)
{
	char		 lim[16], lease[24];
	const char	*params[2] = { lim, lease };
	PGresult	*res;
	int		 i, n;

	snprintf(lim, sizeof(lim), "%d", max > 0 ? max : 1);
	snprintf(lease, sizeof(lease), "%ld", webhook_lease(a->app, max));
	/* The row lock lasts for this statement; the lease is next_attempt_at. */
	res = db_exec_named(&a->app->db, "webhook_claim",
	    "WITH due AS (SELECT d.id FROM webhook_deliveries d"
	    " JOIN webhook_endpoints w ON w.id = d.endpoint_id"
	    " WHERE d.state = 'pending' AND d.next_attempt_at <= now() AND w.enabled"
	    " ORDER BY d.next_attempt_at LIMIT $1 FOR UPDATE OF d SKIP LOCKED)"
	    " UPDATE webhook_deliveries d SET attempts = d.attempts + 1,"
	    " next_attempt_at = now() + make_interval(secs => $2)"
	    " FROM due, events e, webhook_endpoints w"
	    " WHERE d.id = due.id AND e.id = d.event_id AND w.id = d.endpoint_id"
	    " RETURNING d.id, d.endpoint_id, d.event_id, d.attempts,"
	    " extract(epoch FROM now() - d.created_at)::bigint AS age, w.url,"
	    " w.key_version, encode(w.nonce, 'hex') AS nonce, encode(w.ciphertext, 'hex') AS ct,"
	    " jsonb_build_object('type', e.type, 'timestamp', to_char(e.created_at AT TIME ZONE"
	    " 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), 'data', e.payload)::text AS body",
	    2, params);
	if (res == NULL)
		return -1;
	n = db_rows(res);
	for (i = 0; i < n; i++) {
		struct probe_outcome	 o;

		probe_outcome_init(&o);
		webhook_post(a, res, i, &o);
		if (webhook_record(a, res, i, &o) == -1) {
			probe_outcome_free(&o);
			db_clear(res);
			return -1;
		}
		probe_outcome_free(&o);
	}
	db_clear(res);
	return n;
}
