/*
 * audit.c — the audit trail: one audit_log row for each thing an actor did
 * (who, from where, in which request, to what, with which outcome), written
 * in the transaction of the change it records. Never a secret in it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "tether.h"

int
audit_add(const struct actor *a, const char *object_type, int64_t object_id,
    const char *object_label, const char *action, const char *outcome,
    const char *details_json)
{
	char		 actor[24] = "", oid[24] = "";
	const char	*params[11];
	PGresult	*res;

	if (a->user_id > 0)
		snprintf(actor, sizeof(actor), "%lld", (long long)a->user_id);
	if (object_id > 0)
		snprintf(oid, sizeof(oid), "%lld", (long long)object_id);
	params[0] = actor[0] != '\0' ? actor : NULL;
	params[1] = a->email != NULL ? a->email : "";
	params[2] = NULL;
	params[3] = object_type;
	params[4] = oid[0] != '\0' ? oid : NULL;
	params[5] = object_label != NULL ? object_label : "";
	params[6] = action;
	params[7] = outcome;
	params[8] = a->client_addr;
	params[9] = a->request_id;
	params[10] = details_json;
	if ((res = db_exec(&a->app->db, STMT_AUDIT_ADD, 11, params)) == NULL)
		return -1;
	db_clear(res);
	return 0;
}

int
audit_change(const struct actor *a, enum audit_when when, const char *stmt, const char *sql,
    int n, const char *const *params, const char *object_type, int64_t object_id,
    const char *label, const char *action, const char *details)
{
	PGresult	*res;
	int		 changed;

	if (db_begin(&a->app->db) == -1)
		return -1;
	if (when == AUDIT_FIRST && audit_add(a, object_type, object_id, label, action, "success",
	    details) == -1) {
		db_rollback(&a->app->db);
		return -1;
	}
	if ((res = db_exec_named(&a->app->db, stmt, sql, n, params)) == NULL) {
		db_rollback(&a->app->db);
		return -1;
	}
	changed = strcmp(PQcmdTuples(res), "0") != 0;
	db_clear(res);
	if (!changed) {
		db_rollback(&a->app->db);
		return 1;
	}
	if ((when == AUDIT_AFTER && audit_add(a, object_type, object_id, label, action, "success",
	    details) == -1) || db_commit(&a->app->db) == -1) {
		db_rollback(&a->app->db);
		return -1;
	}
	return 0;
}
