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

/* Re-encrypt up to BATCH secrets older than `target`; returns how many were
 * rewritten, or -1. *seen counts rows looked at. */
static int
rotate_batch(struct app *app, int target, int *seen)
{
	char		 tv[16];
	const char	*params[1] = { tv };
	PGresult	*res;
	int		 i, done = 0;

	snprintf(tv, sizeof(tv), "%d", target);
	if (db_begin(&app->db) == -1)
		return -1;
	res = db_exec_params(&app->db, "SELECT connection_id, field, key_version,"
	    " encode(nonce, 'hex') AS nonce, encode(ciphertext, 'hex') AS ct"
	    " FROM connection_secrets WHERE key_version < $1"
	    " ORDER BY connection_id, field LIMIT 200 FOR UPDATE SKIP LOCKED", 1, params);
	if (res == NULL)
		goto fail;
	*seen = db_rows(res);
	for (i = 0; i < db_rows(res); i++) {
		int64_t		 id = strtoll(db_get(res, i, "connection_id"), NULL, 10);
		const char	*field = db_get(res, i, "field");
		int		 oldv = atoi(db_get(res, i, "key_version")), newv;
		unsigned char	*nonce, *ct, nn[VAULT_NONCE_BYTES], *nct = NULL;
		size_t		 nlen, ctlen, nctlen, plen;
		char		*plain = NULL, *nh, *ch, ver[16];
		const char	*up[6];
		PGresult	*u;

		nonce = app_unhex(db_get(res, i, "nonce"), &nlen);
		ct = app_unhex(db_get(res, i, "ct"), &ctlen);
		if (nonce == NULL || ct == NULL || nlen != VAULT_NONCE_BYTES ||
		    vault_unseal(&app->vault, id, field, oldv, nonce, ct, ctlen, &plain,
		    &plen) == -1) {
			fprintf(stderr, "tetherctl: connection %lld field %s does not decrypt;"
			    " left as it is (re-enter this credential)\n", (long long)id, field);
			free(nonce), free(ct);
			continue;
		}
		free(ct);
		if (vault_seal(&app->vault, id, field, plain, plen, &newv, nn, &nct,
		    &nctlen) == -1) {
			sodium_memzero(plain, plen);
			free(plain), free(nonce);
			goto fail;
		}
		sodium_memzero(plain, plen);
		free(plain);
		nh = app_hex(nn, sizeof(nn));
		ch = app_hex(nct, nctlen);
		free(nct);
		snprintf(ver, sizeof(ver), "%d", newv);
		up[0] = db_get(res, i, "connection_id"), up[1] = field, up[2] = ver;
		up[3] = nh, up[4] = ch, up[5] = db_get(res, i, "nonce");
		u = db_exec_params(&app->db, "UPDATE connection_secrets SET key_version = $3,"
		    " nonce = decode($4, 'hex'), ciphertext = decode($5, 'hex')"
		    " WHERE connection_id = $1 AND field = $2 AND nonce = decode($6, 'hex')",
		    6, up);
		free(nh), free(ch), free(nonce);
		if (u == NULL)
			goto fail;
		done += strcmp(PQcmdTuples(u), "1") == 0;
		db_clear(u);
	}
	db_clear(res);
	if (db_commit(&app->db) == -1)
		return -1;
	return done;
fail:
	db_clear(res);
	db_rollback(&app->db);
	return -1;
}

int
ctl_rotate_key(struct app *app, int argc, char **argv)
{
	PGresult	*res;
	int		 target = app->vault.active, left, total, done = 0, n, seen, passes;
	unsigned char	*wrapped;
	size_t		 wlen;
	char		*hex, tv[16];
	const char	*params[2] = { tv, NULL };

	(void)argv;
	if (argc != 0)
		return 2;
	snprintf(tv, sizeof(tv), "%d", target);
	res = db_exec_params(&app->db, "SELECT count(*) AS n FROM connection_secrets"
	    " WHERE key_version < $1", 1, params);
	if (res == NULL)
		return 1;
	left = atoi(db_get(res, 0, "n"));
	db_clear(res);
	if (left > 0)
		printf("resuming: %d secrets still use an older key than v%d\n", left, target);
	else {
		target = app->vault.active + 1;
		if (vault_key_generate(&app->vault, target, &wrapped, &wlen) == -1)
			return 1;
		hex = app_hex(wrapped, wlen);
		free(wrapped);
		snprintf(tv, sizeof(tv), "%d", target);
		params[1] = hex;
		res = db_exec_params(&app->db, "INSERT INTO vault_keys (version, wrapped_key)"
		    " VALUES ($1, decode($2, 'hex'))", 2, params);
		free(hex);
		if (res == NULL) {
			fprintf(stderr, "tetherctl: cannot store data key v%d\n", target);
			return 1;
		}
		db_clear(res);
		printf("data key v%d created\n", target);
	}
	app->vault.active = target;
	res = db_exec_params(&app->db, "SELECT count(*) AS n FROM connection_secrets"
	    " WHERE key_version < $1", 1, params);
	if (res == NULL)
		return 1;
	total = atoi(db_get(res, 0, "n"));
	db_clear(res);
	/* Bounded: rows edited meanwhile come back at most a few times. */
	for (passes = 0; passes < total / BATCH + 20; passes++) {
		if ((n = rotate_batch(app, target, &seen)) == -1) {
			fprintf(stderr, "tetherctl: a batch failed; run rotate-key again to "
			    "resume\n");
			return 1;
		}
		done += n;
		printf("%d / %d\n", done, total);
		fflush(stdout);
		if (seen == 0 || (n == 0 && seen < BATCH))
			break;
	}
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
