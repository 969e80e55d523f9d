/*
 * ctl-connection.c — tetherctl's connection commands, for scripts and
 * reviews on the server (issue 14 §3). They read as the system (every
 * connection) and never print a secret: secrets by field name and date.
 *
 *   connection list [--team NAME] [--status STATUS]
 *	one tab-separated line a connection, a header first
 *   connection show ID		its metadata as JSON (an element of export's)
 *   connection test ID		test now (as `tetherctl test ID`)
 *   connection export [--team NAME]
 *	a JSON array of every connection's metadata (settings, secrets by
 *	name, shares, flows), for review and backups
 *
 * Exit statuses: 0 done; 1 refused or failed (a message on stderr); 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "tether.h"

static void
ctl_connection_usage(void)
{
	fprintf(stderr,
	    "usage: tetherctl -c config connection list [--team NAME] [--status STATUS]\n"
	    "       tetherctl -c config connection show ID\n"
	    "       tetherctl -c config connection test ID\n"
	    "       tetherctl -c config connection export [--team NAME]\n");
}

/* The options --team and --status (when `status` is not NULL): 0 or 2. */
static int
ctl_connection_options(int argc, char **argv, const char **team, const char **status)
{
	int	 i;

	for (i = 0; i < argc; i += 2) {
		if (i + 1 >= argc)
			return 2;
		if (strcmp(argv[i], "--team") == 0)
			*team = argv[i + 1];
		else if (status != NULL && strcmp(argv[i], "--status") == 0)
			*status = argv[i + 1];
		else
			return 2;
	}
	return 0;
}

/* A team named on the command line that does not exist is an error, not
 * an empty answer. 0, or 1 (said). */
static int
ctl_connection_team(struct app *app, const char *team)
{
	const char	*params[1] = { team };
	PGresult	*res;
	int		 found;

	if (team == NULL)
		return 0;
	if ((res = db_exec_params(&app->db, "SELECT 1 FROM teams WHERE lower(name) ="
	    " lower($1)", 1, params)) == NULL)
		return 1;
	found = db_rows(res) == 1;
	db_clear(res);
	if (!found)
		fprintf(stderr, "tetherctl: no such team: %s\n", team);
	return !found;
}

static int
ctl_connection_list(struct app *app, int argc, char **argv)
{
	const char	*team = NULL, *status = NULL, *params[2];
	PGresult	*res;
	int		 i;

	if (ctl_connection_options(argc, argv, &team, &status) != 0)
		return ctl_connection_usage(), 2;
	if (status != NULL && (strchr(status, ' ') != NULL ||
	    !str_word_in("ok failing needs_reconnect not_tested not_testable", status))) {
		fprintf(stderr, "tetherctl: --status: ok, failing, needs_reconnect, not_tested"
		    " or not_testable\n");
		return 1;
	}
	if (ctl_connection_team(app, team) != 0)
		return 1;
	params[0] = team, params[1] = status;
	if ((res = db_exec_params(&app->db,
	    "SELECT c.id, c.name, c.connector, c.auth_protocol, t.name AS team, c.status,"
	    " COALESCE(to_char(c.last_tested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),"
	    " 'never') AS tested, (SELECT count(*) FROM flow_connections f"
	    " WHERE f.connection_id = c.id) AS flows"
	    " FROM connections c JOIN teams t ON t.id = c.owner_team_id"
	    " WHERE ($1::text IS NULL OR lower(t.name) = lower($1))"
	    " AND ($2::text IS NULL OR c.status = $2) ORDER BY lower(c.name), c.id",
	    2, params)) == NULL)
		return 1;
	printf("ID\tNAME\tCONNECTOR\tPROTOCOL\tTEAM\tSTATUS\tLAST TESTED\tFLOWS\n");
	for (i = 0; i < db_rows(res); i++)
		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", db_get(res, i, "id"),
		    db_get(res, i, "name"), db_get(res, i, "connector"),
		    db_get(res, i, "auth_protocol"), db_get(res, i, "team"),
		    db_get(res, i, "status"), db_get(res, i, "tested"), db_get(res, i, "flows"));
	db_clear(res);
	return 0;
}

/*
 * One connection's metadata as JSON, or all of them ($1 NULL) of a team
 * ($2, or NULL: every team): what Details shows, secrets by field name and
 * date only (settings never hold a secret: connform.c keeps them apart).
 */
static const char ctl_connection_json[] =
    "SELECT COALESCE(jsonb_pretty(a), '[]') AS j, COALESCE(jsonb_pretty(a->0), '') AS one"
    " FROM (SELECT jsonb_agg(x ORDER BY (x->>'id')::bigint) AS a FROM (SELECT jsonb_build_object("
    " 'id', c.id, 'name', c.name, 'description', c.description,"
    " 'connector', c.connector, 'auth_protocol', c.auth_protocol, 'api_type', c.api_type,"
    " 'execution_context', c.execution_context, 'owner_team', t.name,"
    " 'status', c.status, 'last_tested_at', c.last_tested_at,"
    " 'last_test_result', c.last_test_result, 'settings', c.settings,"
    " 'uplink', (SELECT u.name FROM uplinks u WHERE u.id = c.uplink_id),"
    " 'named_credential', (SELECT n.name FROM named_credentials n"
    "  WHERE n.id = c.named_credential_id),"
    " 'secrets', COALESCE((SELECT jsonb_agg(jsonb_build_object('field', s.field,"
    "  'updated_at', s.updated_at) ORDER BY s.field) FROM connection_secrets s"
    "  WHERE s.connection_id = c.id), '[]'),"
    " 'shares', COALESCE((SELECT jsonb_agg(jsonb_build_object('team', st.name,"
    "  'permission', sh.permission) ORDER BY lower(st.name)) FROM connection_shares sh"
    "  JOIN teams st ON st.id = sh.team_id WHERE sh.connection_id = c.id), '[]'),"
    " 'flows', COALESCE((SELECT jsonb_agg(jsonb_build_object('id', f.id, 'name', f.name)"
    "  ORDER BY f.id) FROM flow_connections fc JOIN flows f ON f.id = fc.flow_id"
    "  WHERE fc.connection_id = c.id), '[]'),"
    " 'version', c.version, 'created_at', c.created_at, 'updated_at', c.updated_at) AS x"
    " FROM connections c JOIN teams t ON t.id = c.owner_team_id"
    " WHERE ($1::bigint IS NULL OR c.id = $1::bigint)"
    " AND ($2::text IS NULL OR lower(t.name) = lower($2))) q) g";

static int
ctl_connection_show(struct app *app, int argc, char **argv)
{
	char		 id[24];
	const char	*params[2] = { id, NULL };
	long long	 n;
	PGresult	*res;

	if (argc != 1)
		return ctl_connection_usage(), 2;
	if (valid_int(argv[0], 1, INT64_MAX / 2, &n) != NULL) {
		fprintf(stderr, "tetherctl: the connection id must be a positive number, not"
		    " \"%s\"\n", argv[0]);
		return 1;
	}
	snprintf(id, sizeof(id), "%lld", n);
	if ((res = db_exec_params(&app->db, ctl_connection_json, 2, params)) == NULL)
		return 1;
	if (*db_get(res, 0, "one") == '\0') {
		fprintf(stderr, "tetherctl: no such connection: %s\n", id);
		db_clear(res);
		return 1;
	}
	printf("%s\n", db_get(res, 0, "one"));
	db_clear(res);
	return 0;
}

static int
ctl_connection_export(struct app *app, int argc, char **argv)
{
	const char	*team = NULL, *params[2];
	PGresult	*res;

	if (ctl_connection_options(argc, argv, &team, NULL) != 0)
		return ctl_connection_usage(), 2;
	if (ctl_connection_team(app, team) != 0)
		return 1;
	params[0] = NULL, params[1] = team;
	if ((res = db_exec_params(&app->db, ctl_connection_json, 2, params)) == NULL)
		return 1;
	printf("%s\n", db_get(res, 0, "j"));
	db_clear(res);
	return 0;
}

int
ctl_connection(struct app *app, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "list") == 0)
		return ctl_connection_list(app, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "show") == 0)
		return ctl_connection_show(app, argc - 1, argv + 1);
	if (argc == 2 && strcmp(argv[0], "test") == 0)
		return ctl_test(app, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "export") == 0)
		return ctl_connection_export(app, argc - 1, argv + 1);
	ctl_connection_usage();
	return 2;
}
