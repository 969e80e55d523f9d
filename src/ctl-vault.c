/*
 * ctl-vault.c — key rotation, online. rotate-key adds a data key version
 * and re-encrypts every secret into it in batches, each batch one
 * transaction whose UPDATE matches the old nonce, so a secret edited in
 * the meantime is skipped (no lost update) and picked up by the next
 * batch; interrupted, it resumes where it stopped. rotate-master-key
 * re-wraps the data keys (and the check value) under a new master key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"

#define BATCH	200

/* The places secrets live, and how each binds its additional data. */
static const struct secret_table {
	const char	*what;		/* for messages */
	const char	*select;	/* rows after the keyset cursor ($2, $3, $4) */
	const char	*update;	/* matched on the old nonce: no lost update */
	int		 negate_id;	/* named credentials: negative ids in the AD */
	int		 per_user;	/* "u<user>:<field>" in the AD */
} secret_tables[] = {
	{ "connection",
	  "SELECT connection_id AS id, 0 AS uid, field, key_version, encode(nonce, 'hex')"
	  " AS nonce, encode(ciphertext, 'hex') AS ct FROM connection_secrets"
	  " WHERE key_version < $1 AND (connection_id, 0::bigint, field) > ($2, $3, $4)"
	  " ORDER BY connection_id, field LIMIT 200 FOR UPDATE SKIP LOCKED",
	  "UPDATE connection_secrets SET key_version = $4, nonce = decode($5, 'hex'),"
	  " ciphertext = decode($6, 'hex') WHERE connection_id = $1 AND $2::bigint = 0"
	  " AND field = $3 AND nonce = decode($7, 'hex')", 0, 0 },
	{ "user secret of connection",
	  "SELECT connection_id AS id, user_id AS uid, field, key_version,"
	  " encode(nonce, 'hex') AS nonce, encode(ciphertext, 'hex') AS ct"
	  " FROM user_connection_secrets WHERE key_version < $1"
	  " AND (connection_id, user_id, field) > ($2, $3, $4)"
	  " ORDER BY connection_id, user_id, field LIMIT 200 FOR UPDATE SKIP LOCKED",
	  "UPDATE user_connection_secrets SET key_version = $4, nonce = decode($5, 'hex'),"
	  " ciphertext = decode($6, 'hex') WHERE connection_id = $1 AND user_id = $2"
	  " AND field = $3 AND nonce = decode($7, 'hex')", 0, 1 },
	{ "named credential",
	  "SELECT named_credential_id AS id, 0 AS uid, field, key_version,"
	  " encode(nonce, 'hex') AS nonce, encode(ciphertext, 'hex') AS ct"
	  " FROM named_credential_secrets WHERE key_version < $1"
	  " AND (named_credential_id, 0::bigint, field) > ($2, $3, $4)"
	  " ORDER BY named_credential_id, field LIMIT 200 FOR UPDATE SKIP LOCKED",
	  "UPDATE named_credential_secrets SET key_version = $4, nonce = decode($5, 'hex'),"
	  " ciphertext = decode($6, 'hex') WHERE named_credential_id = $1"
	  " AND $2::bigint = 0 AND field = $3 AND nonce = decode($7, 'hex')", 1, 0 },
	{ "OAuth client",
	  "SELECT oauth_client_id AS id, 0 AS uid, field, key_version,"
	  " encode(nonce, 'hex') AS nonce, encode(ciphertext, 'hex') AS ct"
	  " FROM oauth_client_secrets WHERE key_version < $1"
	  " AND (oauth_client_id, 0::bigint, field) > ($2, $3, $4)"
	  " ORDER BY oauth_client_id, field LIMIT 200 FOR UPDATE SKIP LOCKED",
	  "UPDATE oauth_client_secrets SET key_version = $4, nonce = decode($5, 'hex'),"
	  " ciphertext = decode($6, 'hex') WHERE oauth_client_id = $1"
	  " AND $2::bigint = 0 AND field = $3 AND nonce = decode($7, 'hex')", 1, 0 },
	/* Copies kept for Revert: sealed as the connection's own (same id and
	 * field); the version only places the row ("uid" in the cursor). */
	{ "kept version of connection",
	  "SELECT connection_id AS id, version AS uid, field, key_version,"
	  " encode(nonce, 'hex') AS nonce, encode(ciphertext, 'hex') AS ct"
	  " FROM connection_secret_versions WHERE key_version < $1"
	  " AND (connection_id, version::bigint, field) > ($2, $3, $4)"
	  " ORDER BY connection_id, version, field LIMIT 200 FOR UPDATE SKIP LOCKED",
	  "UPDATE connection_secret_versions SET key_version = $4, nonce = decode($5, 'hex'),"
	  " ciphertext = decode($6, 'hex') WHERE connection_id = $1 AND version = $2"
	  " AND field = $3 AND nonce = decode($7, 'hex')", 0, 0 },
};

struct cursor {
	char	 id[24], uid[24], field[128];
};

/* Re-encrypt one row; 1 rewritten, 0 skipped (does not decrypt), 2 edited
 * meanwhile (left for another pass), -1 failure. */
static int
rotate_row(struct app *app, const struct secret_table *t, PGresult *res, int i)
{
	int64_t		 id = strtoll(db_get(res, i, "id"), NULL, 10);
	int64_t		 uid = strtoll(db_get(res, i, "uid"), NULL, 10);
	const char	*field = db_get(res, i, "field");
	int		 oldv = atoi(db_get(res, i, "key_version")), newv;
	unsigned char	*nonce, *ct, nn[VAULT_NONCE_BYTES], *nct = NULL;
	size_t		 nlen, ctlen, nctlen, plen;
	char		*plain = NULL, *nh, *ch, ver[16], ad[160];
	const char	*up[7];
	PGresult	*u;
	int		 rc;

	if (t->per_user)
		snprintf(ad, sizeof(ad), "u%lld:%s", (long long)uid, field);
	else
		snprintf(ad, sizeof(ad), "%s", field);
	if (t->negate_id)
		id = -id;
	nonce = app_unhex(db_get(res, i, "nonce"), &nlen);
	ct = app_unhex(db_get(res, i, "ct"), &ctlen);
	if (nonce == NULL || ct == NULL || nlen != VAULT_NONCE_BYTES ||
	    vault_unseal(&app->vault, id, ad, oldv, nonce, ct, ctlen, &plain, &plen) == -1) {
		fprintf(stderr, "tetherctl: %s %s field %s does not decrypt; left as it is "
		    "(re-enter this credential)\n", t->what, db_get(res, i, "id"), field);
		free(nonce);
		free(ct);
		return 0;
	}
	free(ct);
	free(nonce);
	rc = vault_seal(&app->vault, id, ad, plain, plen, &newv, nn, &nct, &nctlen);
	sodium_memzero(plain, plen);
	free(plain);
	if (rc == -1)
		return -1;
	nh = app_hex(nn, sizeof(nn));
	ch = app_hex(nct, nctlen);
	free(nct);
	snprintf(ver, sizeof(ver), "%d", newv);
	up[0] = db_get(res, i, "id"), up[1] = db_get(res, i, "uid"), up[2] = field;
	up[3] = ver, up[4] = nh, up[5] = ch, up[6] = db_get(res, i, "nonce");
	u = db_exec_params(&app->db, t->update, 7, up);
	free(nh);
	free(ch);
	if (u == NULL)
		return -1;
	rc = strcmp(PQcmdTuples(u), "1") == 0 ? 1 : 2;
	db_clear(u);
	return rc;
}

/* One batch of one table after the cursor, in a transaction; rows seen, or -1. */
static int
rotate_batch(struct app *app, const struct secret_table *t, int target,
    struct cursor *cur, int *done, int *raced)
{
	char		 tv[16];
	const char	*params[4] = { tv, cur->id, cur->uid, cur->field };
	PGresult	*res;
	int		 i, n, rc;

	snprintf(tv, sizeof(tv), "%d", target);
	if (db_begin(&app->db) == -1)
		return -1;
	if ((res = db_exec_params(&app->db, t->select, 4, params)) == NULL)
		goto fail;
	n = db_rows(res);
	for (i = 0; i < n; i++) {
		if ((rc = rotate_row(app, t, res, i)) == -1)
			goto fail;
		*done += rc == 1;
		*raced += rc == 2;
	}
	if (n > 0) {
		snprintf(cur->id, sizeof(cur->id), "%s", db_get(res, n - 1, "id"));
		snprintf(cur->uid, sizeof(cur->uid), "%s", db_get(res, n - 1, "uid"));
		snprintf(cur->field, sizeof(cur->field), "%s", db_get(res, n - 1, "field"));
	}
	db_clear(res);
	if (db_commit(&app->db) == -1)
		return -1;
	return n;
fail:
	db_clear(res);
	db_rollback(&app->db);
	return -1;
}

/* How many secrets of all tables are in a key older than `target`. */
static int
rotate_count(struct app *app, int target)
{
	char		 tv[16];
	const char	*params[1] = { tv };

	snprintf(tv, sizeof(tv), "%d", target);
	return db_count(&app->db, "SELECT (SELECT count(*) FROM connection_secrets"
	    " WHERE key_version < $1) + (SELECT count(*) FROM user_connection_secrets"
	    " WHERE key_version < $1) + (SELECT count(*) FROM named_credential_secrets"
	    " WHERE key_version < $1) + (SELECT count(*) FROM oauth_client_secrets"
	    " WHERE key_version < $1) + (SELECT count(*) FROM connection_secret_versions"
	    " WHERE key_version < $1) AS n", 1, params);
}

/*
 * A rotation is finished when the keys older than its target are marked
 * retired; an interrupted one (older keys not retired yet) is resumed.
 * Secrets that do not decrypt stay where they are, reported, and do not
 * keep the next rotation from making a new key.
 */
static int
rotate_unfinished(struct app *app)
{
	return db_count(&app->db, "SELECT count(*) AS n FROM vault_keys"
	    " WHERE retired_at IS NULL AND version < (SELECT max(version) FROM vault_keys)",
	    0, NULL);
}

static int
rotate_new_key(struct app *app, int target)
{
	unsigned char	*wrapped;
	size_t		 wlen;
	char		*hex, tv[16];
	const char	*params[2] = { tv, NULL };
	PGresult	*res;

	if (vault_key_generate(&app->vault, target, &wrapped, &wlen) == -1)
		return -1;
	hex = app_hex(wrapped, wlen);
	free(wrapped);
	snprintf(tv, sizeof(tv), "%d", target);
	params[1] = hex;
	res = db_exec_params(&app->db, "INSERT INTO vault_keys (version, wrapped_key)"
	    " VALUES ($1, decode($2, 'hex'))", 2, params);
	free(hex);
	if (res == NULL) {
		fprintf(stderr, "tetherctl: cannot store data key v%d\n", target);
		return -1;
	}
	db_clear(res);
	printf("data key v%d created\n", target);
	return 0;
}

int
ctl_rotate_key(struct app *app, int argc, char **argv)
{
	int		 target = app->vault.active, unfinished, total, done = 0, n;
	int		 raced = 1, pass;
	size_t		 k;
	char		 tv[16];
	const char	*params[1] = { tv };
	PGresult	*res;

	(void)argv;
	if (argc != 0)
		return 2;
	if ((unfinished = rotate_unfinished(app)) == -1)
		return 1;
	if (unfinished > 0)
		printf("resuming: %d secrets still use an older key than v%d\n",
		    rotate_count(app, target), target);
	else if (rotate_new_key(app, ++target) == -1)
		return 1;
	app->vault.active = target;
	if ((total = rotate_count(app, target)) == -1)
		return 1;
	/* Rows edited while a pass ran are taken again by the next (bounded). */
	for (pass = 0; pass < 3 && raced > 0; pass++) {
		raced = 0;
		for (k = 0; k < sizeof(secret_tables) / sizeof(secret_tables[0]); k++) {
			struct cursor	 cur = { "0", "0", "" };

			/* Keyset order: every row once a pass, undecryptable ones too. */
			while ((n = rotate_batch(app, &secret_tables[k], target, &cur, &done,
			    &raced)) > 0) {
				printf("%d / %d\n", done, total);
				fflush(stdout);
			}
			if (n == -1) {
				fprintf(stderr, "tetherctl: a batch failed; run rotate-key again "
				    "to resume\n");
				return 1;
			}
		}
	}
	snprintf(tv, sizeof(tv), "%d", target);
	res = db_exec_params(&app->db, "UPDATE vault_keys SET retired_at = now()"
	    " WHERE version < $1 AND retired_at IS NULL", 1, params);
	if (res == NULL)
		return 1;
	db_clear(res);
	printf("rotation to data key v%d: %d re-encrypted\n", target, done);
	return 0;
}

int
ctl_rotate_master_key(struct app *app, int argc, char **argv)
{
	struct vault	 next;
	char		 err[512], ver[16], *hex;
	unsigned char	*wrapped, *blob;
	size_t		 wlen, blen, i;
	const char	*params[2];
	PGresult	*res;

	if (argc != 1)
		return 2;
	if (vault_open(&next, argv[0], err, sizeof(err)) == -1) {
		fprintf(stderr, "tetherctl: %s\n", err);
		return 1;
	}
	if (db_begin(&app->db) == -1)
		goto fail;
	for (i = 0; i < app->vault.nkeys; i++) {
		int	 v = app->vault.keys[i].version;

		if (vault_key_rewrap(&app->vault, v, &next, &wrapped, &wlen) == -1)
			goto fail;
		hex = app_hex(wrapped, wlen);
		free(wrapped);
		snprintf(ver, sizeof(ver), "%d", v);
		params[0] = ver, params[1] = hex;
		res = db_exec_params(&app->db, "UPDATE vault_keys SET wrapped_key ="
		    " decode($2, 'hex') WHERE version = $1", 2, params);
		free(hex);
		if (res == NULL)
			goto fail;
		db_clear(res);
	}
	if (vault_check_make(&next, &blob, &blen) == -1)
		goto fail;
	hex = app_hex(blob, blen);
	free(blob);
	params[0] = hex;
	res = db_exec_params(&app->db, "UPDATE vault_master SET check_blob ="
	    " decode($1, 'hex') WHERE id = 1", 1, params);
	free(hex);
	if (res == NULL || db_commit(&app->db) == -1)
		goto fail;
	db_clear(res);
	vault_close(&next);
	printf("data keys re-wrapped under %s. Replace vault.master_key_file with it and "
	    "restart tether-fcgi.\n", argv[0]);
	return 0;
fail:
	db_rollback(&app->db);
	vault_close(&next);
	fprintf(stderr, "tetherctl: master key rotation failed; nothing changed\n");
	return 1;
}
