/*
 * secret.c — the secrets Tether keeps: a connection's shared ones, a user's
 * own for a per-user connection, a named credential's. Each is sealed in the
 * vault with the data key of the moment and bound to what it belongs to (the
 * connection or named credential, the field, the user). Whose secret is read
 * or written is always an argument (`owner`: 0 for the shared ones, else the
 * user); nothing here knows of HTTP. Decrypted values belong to the caller,
 * who wipes them with secret_free.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"

void
secret_free(char *s)
{
	if (s == NULL)
		return;
	sodium_memzero(s, strlen(s));
	free(s);
}

int
secret_vault_load_key(struct app *app, int version)
{
	char		 v[16];
	const char	*params[1] = { v };
	PGresult	*res;
	unsigned char	*wrapped;
	size_t		 len;
	int		 rc = -1;

	if (vault_has_key(&app->vault, version))
		return 0;
	snprintf(v, sizeof(v), "%d", version);
	res = db_exec_named(&app->db, "vault_key_get", "SELECT encode(wrapped_key,"
	    " 'hex') AS k FROM vault_keys WHERE version = $1", 1, params);
	if (res != NULL && db_rows(res) == 1 &&
	    (wrapped = app_unhex(db_get(res, 0, "k"), &len)) != NULL) {
		rc = vault_key_add_wrapped(&app->vault, version, wrapped, len);
		free(wrapped);
	}
	db_clear(res);
	return rc;
}

/* Secrets are written rarely: one small query each time is cheaper than
 * a window in which a stale worker seals with a retired key. */
void
secret_vault_current(struct app *app)
{
	PGresult	*res;
	int		 newest;

	res = db_exec_named(&app->db, "vault_newest", "SELECT max(version) AS v"
	    " FROM vault_keys", 0, NULL);
	if (res == NULL)
		return;
	newest = atoi(db_get(res, 0, "v"));
	db_clear(res);
	/* Loading the newest key makes it the active one (vault.c). */
	if (newest > app->vault.active && secret_vault_load_key(app, newest) == 0)
		app->vault.active = newest;
}

void
secret_ad_field(int64_t owner, const char *field, char *out, size_t outlen)
{
	if (owner > 0)
		snprintf(out, outlen, "u%lld:%s", (long long)owner, field);
	else
		snprintf(out, outlen, "%s", field);
}

int
secret_seal_hex(struct app *app, int64_t vault_id, const char *ad, const char *value,
    int *version, char **nonce_hex, char **ct_hex)
{
	unsigned char	 nonce[VAULT_NONCE_BYTES], *ct = NULL;
	size_t		 ctlen;

	secret_vault_current(app);
	if (vault_seal(&app->vault, vault_id, ad, value, strlen(value), version, nonce,
	    &ct, &ctlen) == -1)
		return -1;
	*nonce_hex = app_hex(nonce, sizeof(nonce));
	*ct_hex = app_hex(ct, ctlen);
	free(ct);
	return 0;
}

int
secret_conn_put(const struct actor *a, int64_t id, int64_t owner, const char *field,
    const char *value)
{
	int		 version;
	char		 cid[24], ver[16], uid[24], own[24], ad[128], *nonce_hex, *ct_hex;
	const char	*params[6];
	PGresult	*res;

	secret_ad_field(owner, field, ad, sizeof(ad));
	if (secret_seal_hex(a->app, id, ad, value, &version, &nonce_hex, &ct_hex) == -1) {
		log_error(a->request_id, "connection %lld: cannot seal field %s",
		    (long long)id, field);
		return -1;
	}
	snprintf(cid, sizeof(cid), "%lld", (long long)id);
	snprintf(ver, sizeof(ver), "%d", version);
	snprintf(uid, sizeof(uid), "%lld", (long long)a->user_id);
	snprintf(own, sizeof(own), "%lld", (long long)owner);
	params[0] = cid, params[1] = field, params[2] = ver;
	params[3] = nonce_hex, params[4] = ct_hex;
	/* user 0 is the system (tetherctl, the worker): no user to name. */
	params[5] = a->user_id > 0 ? uid : NULL;
	if (owner > 0) {
		params[5] = own;	/* the user whose own secret this is */
		res = db_exec_named(&a->app->db, "user_secret_put",
		    "INSERT INTO user_connection_secrets (connection_id, field, key_version,"
		    " nonce, ciphertext, user_id) VALUES ($1, $2, $3, decode($4, 'hex'),"
		    " decode($5, 'hex'), $6) ON CONFLICT (connection_id, user_id, field) DO UPDATE"
		    " SET key_version = EXCLUDED.key_version, nonce = EXCLUDED.nonce,"
		    " ciphertext = EXCLUDED.ciphertext, updated_at = now()", 6, params);
	} else
		res = db_exec_named(&a->app->db, "secret_put",
		    "INSERT INTO connection_secrets (connection_id, field, key_version, nonce,"
		    " ciphertext, updated_by) VALUES ($1, $2, $3, decode($4, 'hex'),"
		    " decode($5, 'hex'), $6) ON CONFLICT (connection_id, field) DO UPDATE SET"
		    " key_version = EXCLUDED.key_version, nonce = EXCLUDED.nonce,"
		    " ciphertext = EXCLUDED.ciphertext, updated_at = now(),"
		    " updated_by = EXCLUDED.updated_by", 6, params);
	free(nonce_hex);
	free(ct_hex);
	if (res == NULL)
		return -1;
	db_clear(res);
	return 0;
}

int
secret_unseal_row(struct app *app, PGresult *res, int row, int64_t vault_id,
    const char *ad, char **out)
{
	unsigned char	*nonce, *ct;
	size_t		 nlen, ctlen, plen;
	int		 version = atoi(db_get(res, row, "key_version")), rc = -1;

	if (!vault_has_key(&app->vault, version))
		(void)secret_vault_load_key(app, version);
	nonce = app_unhex(db_get(res, row, "nonce"), &nlen);
	ct = app_unhex(db_get(res, row, "ct"), &ctlen);
	if (nonce != NULL && ct != NULL && nlen == VAULT_NONCE_BYTES &&
	    vault_unseal(&app->vault, vault_id, ad, version, nonce, ct, ctlen, out,
	    &plen) == 0)
		rc = 0;
	free(nonce);
	free(ct);
	return rc;
}

int
secret_conn_get(const struct actor *a, int64_t id, int64_t owner, const char *field,
    char **out)
{
	char		 cid[24], own[24], ad[128];
	const char	*params[3] = { cid, field, own };
	PGresult	*res;
	int		 rc;

	*out = NULL;
	snprintf(cid, sizeof(cid), "%lld", (long long)id);
	snprintf(own, sizeof(own), "%lld", (long long)owner);
	secret_ad_field(owner, field, ad, sizeof(ad));
	res = owner > 0 ? db_exec_named(&a->app->db, "user_secret_get",
	    "SELECT key_version, encode(nonce, 'hex') AS nonce, encode(ciphertext, 'hex')"
	    " AS ct FROM user_connection_secrets WHERE connection_id = $1 AND field = $2"
	    " AND user_id = $3", 3, params) : db_exec_named(&a->app->db, "secret_get",
	    "SELECT key_version, encode(nonce, 'hex') AS nonce, encode(ciphertext, 'hex')"
	    " AS ct FROM connection_secrets WHERE connection_id = $1 AND field = $2"
	    " AND $3::bigint = 0", 3, params);
	if (res == NULL)
		return -1;
	if (db_rows(res) == 0) {
		db_clear(res);
		return 1;
	}
	if ((rc = secret_unseal_row(a->app, res, 0, id, ad, out)) == -1)
		log_error(a->request_id, "connection %lld: secret %s does not decrypt",
		    (long long)id, field);
	db_clear(res);
	return rc;
}

/* Two JSON objects about a connection's secrets ("j", $1 = its id): when
 * each stored one was last set, and the expiry dates entered for them. */
static const char SQL_SECRETS_STORED[] =
    "SELECT COALESCE(json_object_agg(field, to_char(updated_at AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD HH24:MI') || ' UTC'), '{}')::text AS j"
    " FROM connection_secrets WHERE connection_id = $1";
static const char SQL_SECRETS_EXPIRY[] =
    "SELECT COALESCE(json_object_agg(field, to_char(expires_on, 'YYYY-MM-DD'))"
    " FILTER (WHERE expires_on IS NOT NULL), '{}')::text AS j"
    " FROM connection_secrets WHERE connection_id = $1";

/* One JSON object about connection id's secrets ("j" of sql, $1 = id). */
static char *
secret_conn_json(struct app *app, int64_t id, const char *name, const char *sql)
{
	char		 cid[24];
	const char	*params[1] = { cid };
	PGresult	*res;
	char		*out;

	snprintf(cid, sizeof(cid), "%lld", (long long)id);
	if ((res = db_exec_named(&app->db, name, sql, 1, params)) == NULL)
		return NULL;
	out = xstrdup(db_get(res, 0, "j"));
	db_clear(res);
	return out;
}

char *
secret_conn_stored_json(struct app *app, int64_t id)
{
	return secret_conn_json(app, id, "secrets_stored", SQL_SECRETS_STORED);
}

char *
secret_conn_expiry_json(struct app *app, int64_t id)
{
	return secret_conn_json(app, id, "secrets_expiry", SQL_SECRETS_EXPIRY);
}

int
secret_conn_json_queue(struct db_batch *b, int64_t id)
{
	char		 cid[24];
	const char	*params[1] = { cid };
	int		 first;

	snprintf(cid, sizeof(cid), "%lld", (long long)id);
	first = db_batch_add(b, "secrets_stored", SQL_SECRETS_STORED, 1, params);
	db_batch_add(b, "secrets_expiry", SQL_SECRETS_EXPIRY, 1, params);
	return first;
}

char *
secret_conn_json_take(struct db_batch *b, int i)
{
	PGresult	*res = db_batch_take(b, i);
	char		*out = xstrdup(res != NULL ? db_get(res, 0, "j") : "{}");

	db_clear(res);
	return out;
}

/* Set or clear (date NULL) one stored secret's expires_on ($1 id, $2 field,
 * $3 date); 1 when no such secret is stored. */
static int
secret_set_expiry(const struct actor *a, const char *name, const char *sql, int64_t id,
    const char *field, const char *date)
{
	char		 sid[24];
	const char	*params[3] = { sid, field, date };
	PGresult	*res;
	int		 n;

	snprintf(sid, sizeof(sid), "%lld", (long long)id);
	if ((res = db_exec_named(&a->app->db, name, sql, 3, params)) == NULL)
		return -1;
	n = atoi(PQcmdTuples(res));
	db_clear(res);
	return n == 0;
}

int
secret_conn_set_expiry(const struct actor *a, int64_t id, const char *field, const char *date)
{
	return secret_set_expiry(a, "secret_set_expiry", "UPDATE connection_secrets"
	    " SET expires_on = $3::date WHERE connection_id = $1 AND field = $2",
	    id, field, date);
}

int
secret_user_set_expiry(const struct actor *a, int64_t id, int64_t owner, const char *field,
    const char *date)
{
	char		 cid[24], own[24];
	const char	*params[4] = { cid, own, field, date };
	PGresult	*res;
	int		 n;

	snprintf(cid, sizeof(cid), "%lld", (long long)id);
	snprintf(own, sizeof(own), "%lld", (long long)owner);
	if ((res = db_exec_named(&a->app->db, "user_secret_set_expiry",
	    "UPDATE user_connection_secrets SET expires_on = $4::date"
	    " WHERE connection_id = $1 AND user_id = $2 AND field = $3", 4, params)) == NULL)
		return -1;
	n = atoi(PQcmdTuples(res));
	db_clear(res);
	return n == 0;
}

char *
secret_user_expiry_json(const struct actor *a, int64_t id)
{
	char		 cid[24], uid[24];
	const char	*params[2] = { cid, uid };
	PGresult	*res;
	char		*out;

	snprintf(cid, sizeof(cid), "%lld", (long long)id);
	snprintf(uid, sizeof(uid), "%lld", (long long)a->user_id);
	if ((res = db_exec_named(&a->app->db, "user_secrets_expiry",
	    "SELECT COALESCE(json_object_agg(field, to_char(expires_on, 'YYYY-MM-DD'))"
	    " FILTER (WHERE expires_on IS NOT NULL), '{}')::text AS j"
	    " FROM user_connection_secrets WHERE connection_id = $1 AND user_id = $2",
	    2, params)) == NULL)
		return NULL;
	out = xstrdup(db_get(res, 0, "j"));
	db_clear(res);
	return out;
}

int
secret_nc_set_expiry(const struct actor *a, int64_t id, const char *field, const char *date)
{
	return secret_set_expiry(a, "nc_secret_set_expiry", "UPDATE named_credential_secrets"
	    " SET expires_on = $3::date WHERE named_credential_id = $1 AND field = $2",
	    id, field, date);
}

/* Named credential and OAuth client secrets share the vault with
 * connections: negative ids keep their additional data apart from any
 * connection's, and their fields from each other's. */
int
secret_place_put(const struct actor *a, const struct secret_place *sp, int64_t id,
    const char *field, const char *value)
{
	int		 version;
	char		 nid[24], ver[16], *nh, *ch;
	const char	*params[5];
	PGresult	*res;

	if (secret_seal_hex(a->app, -id, field, value, &version, &nh, &ch) == -1) {
		log_error(a->request_id, "%s %lld: cannot seal field %s", sp->what,
		    (long long)id, field);
		return -1;
	}
	snprintf(nid, sizeof(nid), "%lld", (long long)id);
	snprintf(ver, sizeof(ver), "%d", version);
	params[0] = nid, params[1] = field, params[2] = ver, params[3] = nh, params[4] = ch;
	res = db_exec_named(&a->app->db, sp->put_name, sp->put_sql, 5, params);
	free(nh);
	free(ch);
	if (res == NULL)
		return -1;
	db_clear(res);
	return 0;
}

int
secret_place_get(const struct actor *a, const struct secret_place *sp, int64_t id,
    const char *field, char **out)
{
	char		 nid[24];
	const char	*params[2] = { nid, field };
	PGresult	*res;
	int		 rc;

	*out = NULL;
	snprintf(nid, sizeof(nid), "%lld", (long long)id);
	res = db_exec_named(&a->app->db, sp->get_name, sp->get_sql, 2, params);
	if (res == NULL || db_rows(res) == 0) {
		db_clear(res);
		return res == NULL ? -1 : 1;
	}
	if ((rc = secret_unseal_row(a->app, res, 0, -id, field, out)) == -1)
		log_error(a->request_id, "%s %lld: secret %s does not decrypt", sp->what,
		    (long long)id, field);
	db_clear(res);
	return rc;
}

static const struct secret_place secret_nc_place = {
	"named credential",
	"nc_secret_put",
	"INSERT INTO named_credential_secrets (named_credential_id, field, key_version,"
	" nonce, ciphertext) VALUES ($1, $2, $3, decode($4, 'hex'), decode($5, 'hex'))"
	" ON CONFLICT (named_credential_id, field) DO UPDATE SET key_version ="
	" EXCLUDED.key_version, nonce = EXCLUDED.nonce, ciphertext = EXCLUDED.ciphertext,"
	" updated_at = now()",
	"nc_secret_get",
	"SELECT key_version, encode(nonce, 'hex') AS nonce, encode(ciphertext, 'hex') AS ct"
	" FROM named_credential_secrets WHERE named_credential_id = $1 AND field = $2",
};

int
secret_nc_put(const struct actor *a, int64_t id, const char *field, const char *value)
{
	return secret_place_put(a, &secret_nc_place, id, field, value);
}

int
secret_nc_get(const struct actor *a, int64_t id, const char *field, char **out)
{
	return secret_place_get(a, &secret_nc_place, id, field, out);
}
