/*
 * ctl-demo.c — tetherctl demo seed TEAM...: after deploy/demo.sql, store a
 * placeholder secret through the vault in every secret field the demo left
 * empty, so that no demo connection says "Connected" beside "Password: Not
 * stored". Only the named teams' shared connections (their own
 * authentication; a per-user connection's secrets are each user's) and
 * named credentials are touched, and only fields with nothing stored: a
 * second run stores nothing. OAuth authorization-code connections that
 * record a test get an access and a refresh token as a connected one has.
 * Each value is random (never printed, never a real credential); each
 * connection seeded is audited. deploy/tether up --demo runs it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"

#define DEMO_TEAMS_MAX	16

/* A fresh placeholder: "demo-" and 32 random hex digits. */
static void
demo_value(char out[38])
{
	unsigned char	 raw[16];

	randombytes_buf(raw, sizeof(raw));
	memcpy(out, "demo-", 5);
	sodium_bin2hex(out + 5, 33, raw, sizeof(raw));
}

/* Store `field` unless `stored` (the stored fields) has it; 1 stored, 0 not, -1. */
static int
demo_put(const struct actor *a, int64_t id, json_t *stored, const char *field)
{
	char	 v[38];
	int	 rc;

	if (json_object_get(stored, field) != NULL)
		return 0;
	demo_value(v);
	rc = secret_conn_put(a, id, 0, field, v);
	sodium_memzero(v, sizeof(v));
	if (rc == -1)
		return -1;
	/* Counted as stored from now on, for a field named twice. */
	json_object_set_new(stored, field, json_string(""));
	return 1;
}

/* The missing secrets of one connection (row i of res); how many stored, or -1. */
static int
demo_connection(const struct actor *a, PGresult *res, int i)
{
	const char	*connector = db_get(res, i, "connector");
	const char	*protocol = db_get(res, i, "auth_protocol");
	const char	*api_type = db_get(res, i, "api_type");
	int64_t		 id = strtoll(db_get(res, i, "id"), NULL, 10);
	HDF		*f;
	json_t		*stored;
	char		*sj;
	int		 n = 0, rc = 0;

	if ((sj = secret_conn_stored_json(a->app, id)) == NULL)
		return -1;
	stored = json_loads(sj, 0, NULL);
	free(sj);
	if (stored == NULL)
		return -1;
	for (f = hdf_obj_child(hdf_get_obj(connector_protocol(&a->app->catalog, connector,
	    protocol), "Fields")); f != NULL && rc != -1; f = hdf_obj_next(f))
		if (strcmp(hdf_get_value(f, "type", "text"), "secret") == 0 &&
		    connector_field_applies(f, api_type) &&
		    (rc = demo_put(a, id, stored, hdf_obj_name(f))) == 1)
			n++;
	/* Connected once: the tokens a Connect would have stored. */
	if (rc != -1 && strcmp(connector_protocol_kind(&a->app->catalog, connector, protocol),
	    "oauth2_code") == 0 && *db_get(res, i, "last_test_result") != '\0') {
		if ((rc = demo_put(a, id, stored, "access_token")) == 1)
			n++;
		if (rc != -1 && (rc = demo_put(a, id, stored, "refresh_token")) == 1)
			n++;
	}
	json_decref(stored);
	if (rc == -1)
		return -1;
	if (n > 0 && audit_add(a, "connection", id, db_get(res, i, "name"), "demo_seed",
	    "success", NULL) == -1)
		return -1;
	return n;
}

/* A named credential protocol's one secret field (page-named-credentials.c). */
static const char *
demo_nc_field(const char *protocol)
{
	if (strcmp(protocol, "basic") == 0)
		return "password";
	if (strcmp(protocol, "bearer") == 0)
		return "token";
	if (strcmp(protocol, "api_key_header") == 0)
		return "api_key";
	if (strcmp(protocol, "oauth2_client") == 0)
		return "client_secret";
	return NULL;
}

/* Named credentials of the teams with no secret stored; how many seeded, or -1. */
static int
demo_named_credentials(const struct actor *a, const char *teams_json)
{
	const char	*params[1] = { teams_json };
	const char	*field;
	PGresult	*res;
	char		 v[38];
	int64_t		 id;
	int		 i, n = 0;

	res = db_exec_params(&a->app->db, "SELECT nc.id, nc.name, nc.auth_protocol"
	    " FROM named_credentials nc JOIN teams t ON t.id = nc.owner_team_id"
	    " WHERE lower(t.name) IN (SELECT lower(x) FROM jsonb_array_elements_text($1::jsonb) x)"
	    " AND NOT EXISTS (SELECT 1 FROM named_credential_secrets s"
	    " WHERE s.named_credential_id = nc.id) ORDER BY nc.id", 1, params);
	if (res == NULL)
		return -1;
	for (i = 0; i < db_rows(res); i++) {
		if ((field = demo_nc_field(db_get(res, i, "auth_protocol"))) == NULL)
			continue;
		id = strtoll(db_get(res, i, "id"), NULL, 10);
		demo_value(v);
		if (secret_nc_put(a, id, field, v) == -1 || audit_add(a, "named_credential", id,
		    db_get(res, i, "name"), "demo_seed", "success", NULL) == -1) {
			sodium_memzero(v, sizeof(v));
			db_clear(res);
			return -1;
		}
		sodium_memzero(v, sizeof(v));
		n++;
	}
	db_clear(res);
	return n;
}

int
ctl_demo(struct app *app, int argc, char **argv)
{
	struct actor	 a;
	json_t		*teams;
	const char	*params[1];
	PGresult	*res;
	char		*tj;
	int		 i, n, conns = 0, secrets = 0, ncs;

	if (argc < 2 || strcmp(argv[0], "seed") != 0 || argc - 1 > DEMO_TEAMS_MAX)
		return 2;
	if ((teams = json_array()) == NULL)
		return 1;
	for (i = 1; i < argc; i++)
		json_array_append_new(teams, json_string(argv[i]));
	tj = json_dumps(teams, JSON_COMPACT);
	json_decref(teams);
	if (tj == NULL)
		return 1;
	actor_system(&a, app, "tetherctl", "demo-seed");
	secret_vault_current(app);
	params[0] = tj;
	if (db_begin(&app->db) == -1) {
		free(tj);
		return 1;
	}
	res = db_exec_params(&app->db, "SELECT c.id, c.name, c.connector, c.auth_protocol,"
	    " c.api_type, COALESCE(c.last_test_result, '') AS last_test_result"
	    " FROM connections c JOIN teams t ON t.id = c.owner_team_id"
	    " WHERE lower(t.name) IN (SELECT lower(x) FROM jsonb_array_elements_text($1::jsonb) x)"
	    " AND c.execution_context = 'system' AND c.named_credential_id IS NULL"
	    " ORDER BY c.id", 1, params);
	for (i = 0; res != NULL && i < db_rows(res); i++) {
		if ((n = demo_connection(&a, res, i)) == -1)
			break;
		secrets += n;
		conns += n > 0;
	}
	ncs = res != NULL && i == db_rows(res) ? demo_named_credentials(&a, tj) : -1;
	db_clear(res);
	free(tj);
	if (ncs == -1 || db_commit(&app->db) == -1) {
		db_rollback(&app->db);
		fprintf(stderr, "tetherctl: demo seed failed; nothing was stored\n");
		return 1;
	}
	printf("demo seed: stored %d secrets in %d connections and %d in named credentials\n",
	    secrets, conns, ncs);
	return 0;
}
