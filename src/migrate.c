/*
 * migrate.c — apply sql/NNN_*.sql in order, each once, each in its own
 * transaction, recorded in schema_migrations. Safe to run again and safe
 * against a concurrent run (an advisory lock serialises them).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "tether.h"

static int
migrate_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
migrate_read(const char *path)
{
	FILE		*f;
	struct buf	 b;
	char		 chunk[8192];
	size_t		 n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	return b.data != NULL ? b.data : xstrdup("");
}

/* Simple-query protocol on purpose: a migration file holds many statements,
 * which PQexecParams cannot run. Its text is ours (sql/), never input. */
static int
migrate_exec(PGconn *conn, const char *sql, const char *what)
{
	PGresult	*res = PQexec(conn, sql);
	int		 ok = PQresultStatus(res) == PGRES_COMMAND_OK ||
			    PQresultStatus(res) == PGRES_TUPLES_OK;

	if (!ok)
		fprintf(stderr, "tetherctl: %s: %s", what, PQerrorMessage(conn));
	PQclear(res);
	return ok ? 0 : -1;
}

static int
migrate_applied(PGconn *conn, const char *version)
{
	const char	*params[1] = { version };
	PGresult	*res;
	int		 n;

	res = PQexecParams(conn, "SELECT 1 FROM schema_migrations WHERE version = $1",
	    1, NULL, params, NULL, NULL, 0);
	n = PQresultStatus(res) == PGRES_TUPLES_OK ? PQntuples(res) : -1;
	PQclear(res);
	return n;
}

static int
migrate_one(PGconn *conn, const char *dir, const char *file, int verbose)
{
	char		 path[4096], version[256];
	const char	*params[1] = { version };
	char		*sql;
	PGresult	*res;
	int		 applied;

	snprintf(version, sizeof(version), "%.*s", (int)(strlen(file) - 4), file);
	if ((applied = migrate_applied(conn, version)) != 0)
		return applied > 0 ? 0 : -1;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((sql = migrate_read(path)) == NULL) {
		fprintf(stderr, "tetherctl: %s: cannot read\n", path);
		return -1;
	}
	if (migrate_exec(conn, "BEGIN", "begin") == -1 ||
	    migrate_exec(conn, sql, path) == -1) {
		free(sql);
		PQclear(PQexec(conn, "ROLLBACK"));
		return -1;
	}
	free(sql);
	res = PQexecParams(conn, "INSERT INTO schema_migrations (version) VALUES ($1)",
	    1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "tetherctl: recording %s: %s", version, PQerrorMessage(conn));
		PQclear(res);
		PQclear(PQexec(conn, "ROLLBACK"));
		return -1;
	}
	PQclear(res);
	if (migrate_exec(conn, "COMMIT", "commit") == -1)
		return -1;
	if (verbose)
		printf("applied %s\n", version);
	return 0;
}

int
migrate_run(struct db *db, const char *dir, int verbose)
{
	DIR		*d;
	struct dirent	*de;
	char		**files = NULL;
	size_t		 n = 0, i, len;
	int		 rc = -1;

	if (db_connect(db) == -1)
		return -1;
	if (migrate_exec(db->conn, "SELECT pg_advisory_lock(727274)", "lock") == -1 ||
	    migrate_exec(db->conn, "SET client_min_messages = warning;"
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version text PRIMARY KEY,"
	    " applied_at timestamptz NOT NULL DEFAULT now())", "schema_migrations") == -1)
		return -1;
	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "tetherctl: %s: cannot open the migrations folder\n", dir);
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len > 4 && strcmp(de->d_name + len - 4, ".sql") == 0 &&
		    de->d_name[0] >= '0' && de->d_name[0] <= '9') {
			files = xrealloc(files, (n + 1) * sizeof(*files));
			files[n++] = xstrdup(de->d_name);
		}
	}
	closedir(d);
	qsort(files, n, sizeof(*files), migrate_cmp);
	for (i = 0; i < n; i++)
		if (migrate_one(db->conn, dir, files[i], verbose) == -1)
			goto out;
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
	migrate_exec(db->conn, "SELECT pg_advisory_unlock(727274)", "unlock");
	return rc;
}
