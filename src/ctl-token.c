/*
 * ctl-token.c — tetherctl's API token commands: the API tokens of users
 * and service accounts (apitoken.c makes and revokes them). Only a hash is
 * stored; the token is printed once, when it is made, and never again.
 *
 *   token add EMAIL NAME [--scopes LIST] [--expires-days N] [--client-range CIDR]
 *	prints the token; LIST is comma-separated (connections:read,
 *	connections:write, connections:use, flows:write, tests:run); without
 *	it a token has connections:read,flows:write,tests:run, never
 *	connections:use
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


static void
ctl_token_usage(void)
{
	fprintf(stderr,
	    "usage: tetherctl -c config token add EMAIL NAME [--scopes LIST]"
	    " [--expires-days N] [--client-range CIDR]\n"
	    "       tetherctl -c config token revoke ID\n"
	    "       tetherctl -c config token list EMAIL\n");
}

/* The options of token add into spec: 0, 1 refused (said), 2 usage. */
static int
ctl_token_options(int argc, char **argv, struct apitoken_spec *spec)
{
	const char	*why;
	long long	 n;
	int		 i;

	for (i = 2; i < argc; i += 2) {
		if (i + 1 >= argc)
			return 2;
		if (strcmp(argv[i], "--scopes") == 0) {
			if ((why = apitoken_scopes_parse(argv[i + 1], &spec->scopes)) != NULL) {
				fprintf(stderr, "tetherctl: --scopes: %s\n", why);
				return 1;
			}
		} else if (strcmp(argv[i], "--expires-days") == 0) {
			if (valid_int(argv[i + 1], 1, APITOKEN_DAYS_MAX, &n) != NULL) {
				fprintf(stderr, "tetherctl: --expires-days: use a whole number"
				    " from 1 to %d\n", APITOKEN_DAYS_MAX);
				return 1;
			}
			spec->expires_days = (int)n;
		} else if (strcmp(argv[i], "--client-range") == 0) {
			if ((why = apitoken_range_valid(argv[i + 1])) != NULL) {
				fprintf(stderr, "tetherctl: --client-range: %s\n", why);
				return 1;
			}
			spec->client_range = argv[i + 1];
		} else
			return 2;
	}
	return 0;
}

static int
ctl_token_add(struct app *app, int argc, char **argv)
{
	struct apitoken_spec spec = { NULL, APITOKEN_SCOPES_DEFAULT, 0, NULL };
	struct actor	 a;
	char		 token[APITOKEN_CHARS + 1];
	const char	*params[1], *why;
	PGresult	*res;
	struct buf	 scopes;
	int64_t		 uid = 0, id;
	int		 rc;

	if (argc < 2)
		return ctl_token_usage(), 2;
	if ((rc = ctl_token_options(argc, argv, &spec)) != 0) {
		if (rc == 2)
			ctl_token_usage();
		return rc;
	}
	if ((why = valid_name(argv[1], APITOKEN_NAME_MAX)) != NULL) {
		fprintf(stderr, "tetherctl: the token name: %s\n", why);
		return 1;
	}
	spec.name = argv[1];
	params[0] = argv[0];
	if ((res = db_exec_params(&app->db, "SELECT id FROM users WHERE lower(email) ="
	    " lower($1) AND NOT disabled", 1, params)) == NULL)
		return 1;
	if (db_rows(res) == 1)
		uid = strtoll(db_get(res, 0, "id"), NULL, 10);
	db_clear(res);
	actor_system(&a, app, "tetherctl", "ctl");
	if (uid == 0 || (rc = apitoken_create(&a, uid, &spec, token, &id)) == 1) {
		fprintf(stderr, "tetherctl: no such user, or the user is disabled: %s\n",
		    argv[0]);
		return 1;
	}
	if (rc == -1)
		return 1;
	buf_init(&scopes);
	apitoken_scopes_text(spec.scopes, ",", &scopes);
	fprintf(stderr, "token %lld (%s) for %s, scopes %s; it is shown this once:\n",
	    (long long)id, argv[1], argv[0], scopes.data);
	buf_free(&scopes);
	printf("%s\n", token);
	sodium_memzero(token, sizeof(token));
	return 0;
}

static int
ctl_token_revoke(struct app *app, int argc, char **argv)
{
	struct actor	 a;
	long long	 id;
	int		 rc;

	if (argc != 1)
		return ctl_token_usage(), 2;
	if (valid_int(argv[0], 1, INT64_MAX / 2, &id) != NULL) {
		fprintf(stderr, "tetherctl: the token id must be a positive number, not \"%s\"\n",
		    argv[0]);
		return 1;
	}
	actor_system(&a, app, "tetherctl", "ctl");
	if ((rc = apitoken_revoke(&a, id)) == -1)
		return 1;
	if (rc == 1) {
		fprintf(stderr, "tetherctl: no such token: %lld\n", id);
		return 1;
	}
	printf(rc == 2 ? "token %lld was already revoked\n" : "revoked token %lld\n", id);
	return 0;
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
	    " WHEN a.expires_at <= now() THEN 'expired' ELSE 'active' END AS state,"
	    " array_to_string(a.scopes, ',') AS scopes,"
	    " COALESCE(a.client_range::text, 'any') AS client_range"
	    " FROM users u LEFT JOIN api_tokens a ON a.user_id = u.id"
	    " WHERE lower(u.email) = lower($1) ORDER BY a.id", 1, params)) == NULL)
		return 1;
	if (db_rows(res) == 0) {
		fprintf(stderr, "tetherctl: no such user: %s\n", argv[0]);
		db_clear(res);
		return 1;
	}
	printf("ID\tNAME\tCREATED\tLAST USED\tEXPIRES\tSTATE\tSCOPES\tCLIENTS\n");
	for (i = 0; i < db_rows(res); i++) {
		if (db_isnull(res, i, "id"))
			continue;	/* a user without tokens */
		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", db_get(res, i, "id"),
		    db_get(res, i, "name"), db_get(res, i, "created"),
		    db_get(res, i, "used"), db_get(res, i, "expires"),
		    db_get(res, i, "state"), db_get(res, i, "scopes"),
		    db_get(res, i, "client_range"));
	}
	db_clear(res);
	return 0;
}

int
ctl_token(struct app *app, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "add") == 0)
		return ctl_token_add(app, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "revoke") == 0)
		return ctl_token_revoke(app, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "list") == 0)
		return ctl_token_list(&app->db, argc - 1, argv + 1);
	ctl_token_usage();
	return 2;
}
