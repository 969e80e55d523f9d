/*
 * apitoken.c — API tokens: what each may do (scopes), until when, and from
 * which client addresses. Only a token's hash is stored; the token itself
 * exists once, in the answer of whoever made it (a page or tetherctl).
 *
 * Who may make one: a user for themselves, an administrator for a service
 * account (a user that cannot sign in), the system (tetherctl) for anyone.
 * Nobody makes a token that acts as another person. Revoking follows the
 * same rule. Each change is one transaction with its audit entry, which
 * names the scopes and never the token.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"

const char *const apitoken_scope_names[] = {
	"connections:read",
	"connections:write",
	"connections:use",
	"flows:write",
	"tests:run",
	NULL,
};

static int
apitoken_scope_index(const char *s, size_t len)
{
	int	 i;

	for (i = 0; apitoken_scope_names[i] != NULL; i++)
		if (strlen(apitoken_scope_names[i]) == len &&
		    strncmp(apitoken_scope_names[i], s, len) == 0)
			return i;
	return -1;
}

const char *
apitoken_scopes_parse(const char *list, unsigned *mask)
{
	const char	*p = list, *end;
	int		 i;

	*mask = 0;
	if (list == NULL || strlen(list) > 200)
		return "List the scopes, comma-separated.";
	while (*p != '\0') {
		end = p + strcspn(p, ",");
		while (p < end && *p == ' ')
			p++;
		if ((i = apitoken_scope_index(p, (size_t)(end - p))) == -1)
			return "Unknown scope: use connections:read, connections:write,"
			    " connections:use, flows:write or tests:run.";
		*mask |= 1u << i;
		p = *end == ',' ? end + 1 : end;
	}
	return *mask == 0 ? "Choose at least one scope." : NULL;
}

/* Postgres's text[] output ({a,b}; these words never need quotes) or
 * array_to_string's (a,b). */
unsigned
apitoken_scopes_from_pg(const char *arr)
{
	const char	*p = arr == NULL ? "" : *arr == '{' ? arr + 1 : arr;
	unsigned	 mask = 0;
	size_t		 len;
	int		 i;

	while (*p != '\0' && *p != '}') {
		len = strcspn(p, ",}");
		if ((i = apitoken_scope_index(p, len)) != -1)
			mask |= 1u << i;
		p += len;
		if (*p == ',')
			p++;
	}
	return mask;
}

void
apitoken_scopes_text(unsigned mask, const char *sep, struct buf *out)
{
	int	 i, n = 0;

	for (i = 0; apitoken_scope_names[i] != NULL; i++)
		if (mask & (1u << i))
			buf_printf(out, "%s%s", n++ > 0 ? sep : "", apitoken_scope_names[i]);
}

const char *
apitoken_range_valid(const char *s)
{
	unsigned char	 addr[16];
	char		 host[64];
	const char	*slash;
	long long	 len;
	size_t		 hlen;
	int		 v6;

	if (s == NULL || *s == '\0' || strlen(s) > 50)
		return "Enter an address or a range, such as 10.20.0.0/16.";
	slash = strchr(s, '/');
	hlen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (hlen == 0 || hlen >= sizeof(host))
		return "Enter an address or a range, such as 10.20.0.0/16.";
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	v6 = strchr(host, ':') != NULL;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, host, addr) != 1)
		return "That is not an IPv4 or IPv6 address.";
	if (slash != NULL && valid_int(slash + 1, v6 ? 1 : 1, v6 ? 128 : 32, &len) != NULL)
		return v6 ? "The prefix length of an IPv6 range is 1 to 128." :
		    "The prefix length of an IPv4 range is 1 to 32.";
	return NULL;
}

/* What the actor may do with `user_id`'s tokens: 1 yes, 0 no, -1 failure.
 * The user's email goes to `email` (for the audit label). */
static int
apitoken_may(const struct actor *a, int64_t user_id, char *email, size_t emaillen)
{
	char		 uid[24];
	const char	*params[1] = { uid };
	PGresult	*res;
	int		 ok;

	snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
	if ((res = db_exec_named(&a->app->db, "apitoken_owner",
	    "SELECT email, is_service FROM users WHERE id = $1 AND NOT disabled",
	    1, params)) == NULL)
		return -1;
	ok = db_rows(res) == 1 && (a->user_id == 0 ? a->is_admin :
	    a->user_id == user_id ? strcmp(db_get(res, 0, "is_service"), "f") == 0 :
	    a->is_admin && strcmp(db_get(res, 0, "is_service"), "t") == 0);
	if (ok)
		snprintf(email, emaillen, "%s", db_get(res, 0, "email"));
	db_clear(res);
	return ok;
}

int
apitoken_create(const struct actor *a, int64_t user_id, const struct apitoken_spec *spec,
    char token[APITOKEN_CHARS + 1], int64_t *id)
{
	char		 uid[24], days[16], by[24], hash[68], email[256];
	const char	*params[7];
	struct buf	 scopes, details, label;
	PGresult	*res = NULL;
	int		 rc = -1, may;

	*token = '\0';
	if (valid_name(spec->name, APITOKEN_NAME_MAX) != NULL || spec->scopes == 0 ||
	    spec->expires_days < 0 || spec->expires_days > APITOKEN_DAYS_MAX ||
	    (spec->client_range != NULL && *spec->client_range != '\0' &&
	    apitoken_range_valid(spec->client_range) != NULL))
		return 1;	/* the callers validate first, field by field */
	buf_init(&scopes);
	buf_init(&details);
	buf_init(&label);
	if (db_begin(&a->app->db) == -1)
		goto out;
	if ((may = apitoken_may(a, user_id, email, sizeof(email))) != 1) {
		rc = may == 0 ? 1 : -1;
		goto fail;
	}
	auth_random_token(token, APITOKEN_CHARS + 1, APITOKEN_BYTES);
	auth_token_hash_hex(token, hash);
	buf_puts(&scopes, "{");
	apitoken_scopes_text(spec->scopes, ",", &scopes);
	buf_puts(&scopes, "}");
	snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
	snprintf(days, sizeof(days), "%d", spec->expires_days);
	snprintf(by, sizeof(by), "%lld", (long long)a->user_id);
	params[0] = uid, params[1] = spec->name, params[2] = hash;
	params[3] = spec->expires_days > 0 ? days : NULL, params[4] = scopes.data;
	params[5] = spec->client_range != NULL && *spec->client_range != '\0' ?
	    spec->client_range : NULL;
	params[6] = a->user_id > 0 ? by : NULL;
	if ((res = db_exec_named(&a->app->db, "apitoken_insert",
	    "INSERT INTO api_tokens (user_id, name, token_hash, expires_at, scopes,"
	    " client_range, created_by) VALUES ($1, $2, $3::bytea,"
	    " now() + make_interval(days => $4::int), $5::text[], network($6::inet), $7)"
	    " RETURNING id", 7, params)) == NULL)
		goto fail;
	*id = strtoll(db_get(res, 0, "id"), NULL, 10);
	db_clear(res);
	res = NULL;
	/* What it may do, never the token nor its hash. */
	buf_puts(&details, "{\"scopes\":\"");
	apitoken_scopes_text(spec->scopes, ", ", &details);
	buf_printf(&details, "\",\"expires_days\":%d,\"client_range\":\"", spec->expires_days);
	if (params[5] != NULL)
		buf_puts(&details, spec->client_range);	/* checked: digits, dots, colons */
	buf_puts(&details, "\"}");
	buf_printf(&label, "%s: %s", email, spec->name);
	if (audit_add(a, "api_token", *id, label.data, "token_create", "success",
	    details.data) == -1 || db_commit(&a->app->db) == -1)
		goto fail;
	rc = 0;
	goto out;
fail:
	db_rollback(&a->app->db);
	sodium_memzero(token, APITOKEN_CHARS + 1);
out:
	sodium_memzero(hash, sizeof(hash));
	buf_free(&scopes);
	buf_free(&details);
	buf_free(&label);
	return rc;
}

int
apitoken_revoke(const struct actor *a, int64_t id)
{
	char		 tid[24], email[256], name[APITOKEN_NAME_MAX * 4 + 1];
	const char	*params[1] = { tid };
	PGresult	*res = NULL;
	struct buf	 label;
	int64_t		 owner;
	int		 rc = -1, may, was;

	snprintf(tid, sizeof(tid), "%lld", (long long)id);
	buf_init(&label);
	if (db_begin(&a->app->db) == -1)
		goto out;
	if ((res = db_exec_named(&a->app->db, "apitoken_lock",
	    "SELECT user_id, name, revoked_at IS NOT NULL AS was_revoked FROM api_tokens"
	    " WHERE id = $1 FOR UPDATE", 1, params)) == NULL)
		goto fail;
	if (db_rows(res) != 1) {
		rc = 1;
		goto fail;
	}
	owner = strtoll(db_get(res, 0, "user_id"), NULL, 10);
	was = strcmp(db_get(res, 0, "was_revoked"), "t") == 0;
	snprintf(name, sizeof(name), "%s", db_get(res, 0, "name"));
	db_clear(res);
	res = NULL;
	/* Another's token is "not found", as for pages: no probing of ids. */
	if ((may = apitoken_may(a, owner, email, sizeof(email))) != 1) {
		rc = may == 0 ? 1 : -1;
		goto fail;
	}
	if (was) {
		rc = 2;
		goto fail;
	}
	if ((res = db_exec_named(&a->app->db, "apitoken_revoke",
	    "UPDATE api_tokens SET revoked_at = now() WHERE id = $1", 1, params)) == NULL)
		goto fail;
	db_clear(res);
	res = NULL;
	buf_printf(&label, "%s: %s", email, name);
	rc = audit_add(a, "api_token", id, label.data, "token_revoke", "success", NULL);
	if (rc == -1 || db_commit(&a->app->db) == -1) {
		rc = -1;
		goto fail;
	}
	rc = 0;
	goto out;
fail:
	db_rollback(&a->app->db);
out:
	db_clear(res);
	buf_free(&label);
	return rc;
}

int
apitoken_service_account_add(const struct actor *a, const char *name, int64_t *id)
{
	const char	*params[1] = { name };
	PGresult	*res;
	char		 details[64];

	if (!a->is_admin || valid_name(name, 200) != NULL)
		return 1;
	if (db_begin(&a->app->db) == -1)
		return -1;
	/* Its address only names it (teams add members by address): the
	 * reserved .invalid domain, so no mail is ever sent to it. It has no
	 * password that could match ("!" is no argon2id hash) and is_service
	 * refuses every sign-in anyway. */
	if ((res = db_exec_named(&a->app->db, "service_account_add",
	    "WITH n AS (SELECT nextval('users_id_seq') AS id)"
	    " INSERT INTO users (id, email, name, password_hash, is_service)"
	    " SELECT n.id, 'service-' || n.id || '@tether.invalid', $1, '!', true FROM n"
	    " RETURNING id, email", 1, params)) == NULL) {
		db_rollback(&a->app->db);
		return -1;
	}
	*id = strtoll(db_get(res, 0, "id"), NULL, 10);
	snprintf(details, sizeof(details), "{\"service_account\":true}");
	if (audit_add(a, "user", *id, db_get(res, 0, "email"), "service_account_create",
	    "success", details) == -1 || db_commit(&a->app->db) == -1) {
		db_clear(res);
		db_rollback(&a->app->db);
		return -1;
	}
	db_clear(res);
	return 0;
}
