/*
 * ctl-token.c — tetherctl's API token commands: the API tokens of users.
 * Only a hash is stored; the token is printed once, when it is made, and
 * never again. Each change is one transaction with its audit row (actor
 * 'tetherctl').
 *
 *   token add EMAIL NAME [--expires-days N]	prints the token
 *   token revoke ID
 *   token list EMAIL
 *
 * Exit statuses: 0 done; 1 refused or failed (a message on stderr, nothing
 * saved); 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"

#define CTL_TOKEN_BYTES		32
#define CTL_TOKEN_DAYS_MAX	3650

static void
ctl_token_usage(void)
{
	fprintf(stderr,
	    "usage: tetherctl -c config token add EMAIL NAME [--expires-days N]\n"
	    "       tetherctl -c config token revoke ID\n"
	    "       tetherctl -c config token list EMAIL\n");
}

/* An audit row of the CLI, in the caller's transaction. -1 on failure. */
static int
ctl_token_audit(struct db *db, const char *id, const char *label, const char *action)
{
	const char	*params[3] = { id, label, action };
	PGresult	*res;

	if ((res = db_exec_named(db, "ctl_token_audit",
	    "INSERT INTO audit_log (actor_label, object_type, object_id, object_label,"
	    " action, outcome, details) VALUES ('tetherctl', 'api_token', $1, $2, $3,"
	    " 'success', '{}')", 3, params)) == NULL)
		return -1;
	db_clear(res);
	return 0;
}

/* A positive id from the command line; -1 with a message when it is not one. */
static int
ctl_token_id(const char *s, long long *out)
{
	if (valid_int(s, 1, INT64_MAX / 2, out) != NULL) {
		fprintf(stderr, "tetherctl: the token id must be a positive number, not \"%s\"\n",
		    s);
		return -1;
	}
	return 0;
}

static int
ctl_token_add(struct db *db, int argc, char **argv)
{
	char		 token[CTL_TOKEN_BYTES * 2], hash[68], days[16] = "";
	const char	*params[4], *why;
	PGresult	*res = NULL;
	long long	 n;
	struct buf	 label;
	int		 rc = 1;

	if (argc != 2 && !(argc == 4 && strcmp(argv[2], "--expires-days") == 0))
		return ctl_token_usage(), 2;
	if ((why = valid_name(argv[1], 120)) != NULL) {
		fprintf(stderr, "tetherctl: the token name: %s\n", why);
		return 1;
	}
	if (argc == 4) {
		if (valid_int(argv[3], 1, CTL_TOKEN_DAYS_MAX, &n) != NULL) {
			fprintf(stderr, "tetherctl: --expires-days: use a whole number"
			    " from 1 to %d\n", CTL_TOKEN_DAYS_MAX);
			return 1;
		}
		snprintf(days, sizeof(days), "%lld", n);
	}
	auth_random_token(token, sizeof(token), CTL_TOKEN_BYTES);
	auth_token_hash_hex(token, hash);
	buf_init(&label);
	params[0] = argv[0], params[1] = argv[1], params[2] = hash;
	params[3] = days[0] != '\0' ? days : NULL;
	if (db_begin(db) == -1)
		goto out;
	/* Only the hash is stored; a disabled user gets no new token. */
	if ((res = db_exec_named(db, "ctl_token_insert",
	    "INSERT INTO api_tokens (user_id, name, token_hash, expires_at)"
	    " SELECT u.id, $2, $3::bytea, now() + make_interval(days => $4::int)"
	    " FROM users u WHERE lower(u.email) = lower($1) AND NOT u.disabled"
	    " RETURNING id", 4, params)) == NULL)
		goto out;
	if (db_rows(res) != 1) {
		fprintf(stderr, "tetherctl: no such user, or the user is disabled: %s\n",
		    argv[0]);
		goto out;
	}
	buf_printf(&label, "%s: %s", argv[0], argv[1]);
	if (ctl_token_audit(db, db_get(res, 0, "id"), label.data, "token_create") == -1 ||
	    db_commit(db) == -1)
		goto out;
	fprintf(stderr, "token %s (%s) for %s; it is shown this once:\n",
	    db_get(res, 0, "id"), argv[1], argv[0]);
	printf("%s\n", token);
	rc = 0;
out:
	if (rc != 0)
		db_rollback(db);
	sodium_memzero(token, sizeof(token));
	db_clear(res);
	buf_free(&label);
	return rc;
}

static int
ctl_token_revoke(struct db *db, int argc, char **argv)
{
	const char	*params[1];
	PGresult	*res = NULL;
	struct buf	 label;
	char		 tid[24];
	long long	 id;
	int		 rc = 1;

	if (argc != 1)
		return ctl_token_usage(), 2;
	if (ctl_token_id(argv[0], &id) == -1)
		return 1;
	snprintf(tid, sizeof(tid), "%lld", id);
	params[0] = tid;
	buf_init(&label);
	if (db_begin(db) == -1)
		goto out;
	if ((res = db_exec_named(db, "ctl_token_revoke",
	    "WITH t AS (SELECT a.id, a.name, a.revoked_at, u.email FROM api_tokens a"
	    " JOIN users u ON u.id = a.user_id WHERE a.id = $1 FOR UPDATE OF a),"
	    " r AS (UPDATE api_tokens x SET revoked_at = now() FROM t"
	    "  WHERE x.id = t.id AND t.revoked_at IS NULL RETURNING x.id)"
	    " SELECT t.name, t.email, t.revoked_at IS NOT NULL AS was_revoked FROM t",
	    1, params)) == NULL)
		goto out;
	if (db_rows(res) != 1) {
		fprintf(stderr, "tetherctl: no such token: %s\n", tid);
		goto out;
	}
	if (strcmp(db_get(res, 0, "was_revoked"), "t") == 0) {
		printf("token %s was already revoked\n", tid);
		rc = 0;
		goto out;
	}
	buf_printf(&label, "%s: %s", db_get(res, 0, "email"), db_get(res, 0, "name"));
	if (ctl_token_audit(db, tid, label.data, "token_revoke") == -1 ||
	    db_commit(db) == -1)
		goto out;
	printf("revoked token %s\n", tid);
	rc = 0;
out:
	db_rollback(db);	/* nothing to undo after a commit */
	db_clear(res);
	buf_free(&label);
	return rc;
}

static int
ctl_token_list(struct db *db, int argc, char **argv)
{
	const char	*params[1];
	PGresult	*res;
	int		 i;

	if (argc != 1)
		return ctl_token_usage(), 2;
	params[0] = argv[0];
	/* Never the token nor its hash: neither is needed to manage one. */
	if ((res = db_exec_named(db, "ctl_token_list",
	    "SELECT a.id, a.name,"
	    " to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS created,"
	    " COALESCE(to_char(a.last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),"
	    " 'never') AS used,"
	    " COALESCE(to_char(a.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),"
	    " 'never') AS expires,"
	    " CASE WHEN a.revoked_at IS NOT NULL THEN 'revoked'"
	    " WHEN a.expires_at <= now() THEN 'expired' ELSE 'active' END AS state"
	    " FROM users u LEFT JOIN api_tokens a ON a.user_id = u.id"
	    " WHERE lower(u.email) = lower($1) ORDER BY a.id", 1, params)) == NULL)
		return 1;
	if (db_rows(res) == 0) {
		fprintf(stderr, "tetherctl: no such user: %s\n", argv[0]);
		db_clear(res);
		return 1;
	}
	printf("ID\tNAME\tCREATED\tLAST USED\tEXPIRES\tSTATE\n");
	for (i = 0; i < db_rows(res); i++) {
		if (db_isnull(res, i, "id"))
			continue;	/* a user without tokens */
		printf("%s\t%s\t%s\t%s\t%s\t%s\n", db_get(res, i, "id"),
		    db_get(res, i, "name"), db_get(res, i, "created"),
		    db_get(res, i, "used"), db_get(res, i, "expires"),
		    db_get(res, i, "state"));
	}
	db_clear(res);
	return 0;
}

int
ctl_token(struct db *db, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "add") == 0)
		return ctl_token_add(db, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "revoke") == 0)
		return ctl_token_revoke(db, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "list") == 0)
		return ctl_token_list(db, argc - 1, argv + 1);
	ctl_token_usage();
	return 2;
}
