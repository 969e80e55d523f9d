/*
 * event.c — the outbox of what happened to connections (connection.failing,
 * .recovered, .created, …): one `events` row, written in the transaction of
 * the change it tells, from which tether-worker delivers webhooks and
 * e-mail. The payload is built from the connection's row as it is in that
 * transaction: ids, names, connector, owner team, status; never a secret.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "tether.h"

int
event_connection(const struct actor *a, const char *type, int64_t conn_id,
    const char *extra_json)
{
	char		 cid[24];
	const char	*params[4];
	PGresult	*res;

	snprintf(cid, sizeof(cid), "%lld", (long long)conn_id);
	params[0] = type, params[1] = cid;
	params[2] = extra_json != NULL ? extra_json : "{}";
	params[3] = a->email != NULL ? a->email : "";
	res = db_exec_named(&a->app->db, "event_connection",
	    "INSERT INTO events (type, connection_id, team_id, payload)"
	    " SELECT $1, c.id, c.owner_team_id, jsonb_build_object('connection',"
	    " jsonb_build_object('id', c.id, 'name', c.name, 'connector', c.connector,"
	    " 'protocol', c.auth_protocol, 'api_type', c.api_type,"
	    " 'execution_context', c.execution_context, 'status', c.status,"
	    " 'owner_team', jsonb_build_object('id', t.id, 'name', t.name)),"
	    " 'actor', $4::text) || $3::jsonb"
	    " FROM connections c JOIN teams t ON t.id = c.owner_team_id WHERE c.id = $2",
	    4, params);
	if (res == NULL)
		return -1;
	db_clear(res);
	return 0;
}
