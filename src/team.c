/*
 * team.c — teams as the domain sees them: which ones an actor manages.
 */
#include <stdio.h>

#include <libpq-fe.h>

#include "tether.h"

PGresult *
team_managed(const struct actor *a)
{
	char		 uid[24];
	const char	*params[2] = { uid, a->is_admin ? "t" : "f" };

	snprintf(uid, sizeof(uid), "%lld", (long long)a->user_id);
	return db_exec_named(&a->app->db, "teams_managed",
	    "SELECT id, name FROM teams WHERE $2::boolean OR id IN (SELECT team_id"
	    " FROM team_members WHERE user_id = $1 AND role = 'manager')"
	    " ORDER BY lower(name), id", 2, params);
}
