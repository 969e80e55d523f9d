/*
 * ctl-flow.c — tetherctl's flow registry and API token commands: what the
 * JSON API does for flows, from the command line (checked the same way,
 * each change one transaction with its audit row, actor 'tetherctl'), and
 * the API tokens of users (only a hash is stored; the token is printed
 * once, when it is made, and never again).
 *
 *   flow add --name N --version V --status S [--owner O] [--description D]
 *       [--progress P] [--connection ID]...	prints the new id
 *   flow update ID [the same options; --connection replaces the set,
 *       --no-connections empties it]
 *   flow remove ID
 *   flow list
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

#define FLOW_CONNS_MAX		100
#define FLOW_VERSION_MAX	1000000
#define TOKEN_BYTES		32
#define TOKEN_DAYS_MAX		3650

struct flow_opts {
	const char	*name;
	const char	*version;
	const char	*status;
	const char	*owner;
	const char	*description;
	const char	*progress;
	long long	 conns[FLOW_CONNS_MAX];
	size_t		 nconns;
	int		 set_conns;	/* --connection or --no-connections given */
};

static void
flow_usage(void)
{
	fprintf(stderr,
	    "usage: tetherctl -c config flow add --name NAME --version N"
	    " --status active|inactive|draft\n"
	    "           [--owner OWNER] [--description TEXT] [--progress TEXT]"
	    " [--connection ID]...\n"
	    "       tetherctl -c config flow update ID [the options of add]"
	    " [--no-connections]\n"
	    "       tetherctl -c config flow remove ID\n"
	    "       tetherctl -c config flow list\n");
}

static void
token_usage(void)
{
	fprintf(stderr,
	    "usage: tetherctl -c config token add EMAIL NAME [--expires-days N]\n"
	    "       tetherctl -c config token revoke ID\n"
	    "       tetherctl -c config token list EMAIL\n");
}

/* An audit row of the CLI, in the caller's transaction. -1 on failure. */
static int
ctl_flow_audit(struct db *db, const char *type, const char *id, const char *label,
    const char *action, const char *details)
{
	const char	*params[5] = { type, id, label, action, details };
	PGresult	*res;

	if ((res = db_exec_named(db, "ctl_audit",
	    "INSERT INTO audit_log (actor_label, object_type, object_id, object_label,"
	    " action, outcome, details) VALUES ('tetherctl', $1, $2, $3, $4, 'success',"
	    " COALESCE($5::jsonb, '{}'))", 5, params)) == NULL)
		return -1;
	db_clear(res);
	return 0;
}

/* A positive id from the command line; -1 with a message when it is not one. */
static int
ctl_id(const char *s, const char *what, long long *out)
{
	if (valid_int(s, 1, INT64_MAX / 2, out) != NULL) {
		fprintf(stderr, "tetherctl: %s must be a positive number, not \"%s\"\n",
		    what, s);
		return -1;
	}
	return 0;
}

/* "{1,2,3}" for a bigint[] parameter; "[1,2,3]" for JSON. */
static void
ctl_ids(struct buf *b, const long long *ids, size_t n, int json)
{
	size_t	 i;

	buf_puts(b, json ? "[" : "{");
	for (i = 0; i < n; i++)
		buf_printf(b, "%s%lld", i > 0 ? "," : "", ids[i]);
	buf_puts(b, json ? "]" : "}");
}

/* Read the options of add and update. 0, -1 (message printed) or 2 (usage). */
static int
flow_opts_read(struct flow_opts *o, int argc, char **argv)
{
	size_t	 k;
	int	 i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < argc; i++) {
		const char	*opt = argv[i], **dst = NULL;

		if (strcmp(opt, "--no-connections") == 0) {
			if (o->nconns > 0)
				return 2;
			o->set_conns = 1;
			continue;
		}
		if (i + 1 >= argc)
			return 2;
		if (strcmp(opt, "--name") == 0)
			dst = &o->name;
		else if (strcmp(opt, "--version") == 0)
			dst = &o->version;
		else if (strcmp(opt, "--status") == 0)
			dst = &o->status;
		else if (strcmp(opt, "--owner") == 0)
			dst = &o->owner;
		else if (strcmp(opt, "--description") == 0)
			dst = &o->description;
		else if (strcmp(opt, "--progress") == 0)
			dst = &o->progress;
		else if (strcmp(opt, "--connection") == 0) {
			long long	 id;

			if (o->set_conns && o->nconns == 0)
				return 2;	/* with --no-connections */
			if (ctl_id(argv[++i], "--connection", &id) == -1)
				return -1;
			if (o->nconns == FLOW_CONNS_MAX) {
				fprintf(stderr, "tetherctl: a flow uses at most %d"
				    " connections\n", FLOW_CONNS_MAX);
				return -1;
			}
			for (k = 0; k < o->nconns; k++)
				if (o->conns[k] == id) {
					fprintf(stderr, "tetherctl: connection %lld is"
					    " listed twice\n", id);
					return -1;
				}
			o->conns[o->nconns++] = id;
			o->set_conns = 1;
			continue;
		} else
			return 2;
		if (*dst != NULL)
			return 2;	/* given twice */
		*dst = argv[++i];
	}
	return 0;
}

/* Check a flow's fields as the API does; 0, or -1 with a message. */
static int
flow_check(const struct flow_opts *o)
{
	const char	*why = NULL, *opt = NULL;
	long long	 v;

	if ((why = valid_name(o->name, 200)) != NULL)
		opt = "--name";
	else if (valid_int(o->version, 1, FLOW_VERSION_MAX, &v) != NULL) {
		opt = "--version";
		why = "Use a whole number from 1 to 1000000.";
	} else if (strcmp(o->status, "active") != 0 && strcmp(o->status, "inactive") != 0 &&
	    strcmp(o->status, "draft") != 0) {
		opt = "--status";
		why = "Use active, inactive or draft.";
	} else if (*o->owner != '\0' && (why = valid_name(o->owner, 200)) != NULL)
		opt = "--owner";
	else if ((why = valid_text(o->description, 0, 2000)) != NULL)
		opt = "--description";
	else if (*o->progress != '\0' && (why = valid_name(o->progress, 100)) != NULL)
		opt = "--progress";
	if (opt == NULL)
		return 0;
	fprintf(stderr, "tetherctl: %s: %s\n", opt, why);
	return -1;
}

/* Every listed connection exists; -1 with a message naming the first that does not. */
static int
flow_conns_exist(struct db *db, const struct flow_opts *o)
{
	struct buf	 ids;
	const char	*params[1];
	PGresult	*res;
	int		 rc = -1;

	if (o->nconns == 0)
		return 0;
	buf_init(&ids);
	ctl_ids(&ids, o->conns, o->nconns, 0);
	params[0] = ids.data;
	res = db_exec_named(db, "ctl_flow_conns_missing",
	    "SELECT x.id FROM unnest($1::bigint[]) WITH ORDINALITY AS x(id, n)"
	    " WHERE NOT EXISTS (SELECT 1 FROM connections c WHERE c.id = x.id)"
	    " ORDER BY x.n LIMIT 1", 1, params);
	buf_free(&ids);
	if (res == NULL)
		return -1;
	if (db_rows(res) > 0)
		fprintf(stderr, "tetherctl: connection %s does not exist; nothing was saved\n",
		    db_get(res, 0, "id"));
	else
		rc = 0;
	db_clear(res);
	return rc;
}

/* Make the flow use exactly the listed connections. */
static int
flow_link(struct db *db, const char *fid, const struct flow_opts *o)
{
	struct buf	 ids;
	const char	*params[2];
	PGresult	*res;
	int		 rc = -1;

	buf_init(&ids);
	ctl_ids(&ids, o->conns, o->nconns, 0);
	params[0] = fid, params[1] = ids.data;
	if ((res = db_exec_named(db, "ctl_flow_unlink",
	    "DELETE FROM flow_connections WHERE flow_id = $1"
	    " AND connection_id <> ALL ($2::bigint[])", 2, params)) == NULL)
		goto out;
	db_clear(res);
	if ((res = db_exec_named(db, "ctl_flow_link",
	    "INSERT INTO flow_connections (flow_id, connection_id)"
	    " SELECT $1, x FROM unnest($2::bigint[]) AS x ON CONFLICT DO NOTHING",
	    2, params)) == NULL) {
		if (db_failed_with(db, "23503"))
			fprintf(stderr, "tetherctl: a connection was deleted meanwhile;"
			    " nothing was saved\n");
		goto out;
	}
	db_clear(res);
	rc = 0;
out:
	buf_free(&ids);
	return rc;
}

static int
flow_add(struct db *db, int argc, char **argv)
{
	struct flow_opts	 o;
	struct buf		 details;
	const char		*params[6];
	PGresult		*res;
	char			 fid[24];
	int			 st, rc = 1;

	if ((st = flow_opts_read(&o, argc, argv)) != 0)
		return st == 2 ? (flow_usage(), 2) : 1;
	if (o.name == NULL || o.version == NULL || o.status == NULL) {
		fprintf(stderr, "tetherctl: flow add needs --name, --version and --status\n");
		return 1;
	}
	if (o.owner == NULL)
		o.owner = "";
	if (o.description == NULL)
		o.description = "";
	if (o.progress == NULL)
		o.progress = "";
	if (flow_check(&o) == -1)
		return 1;
	buf_init(&details);
	if (db_begin(db) == -1)
		goto out;
	if (flow_conns_exist(db, &o) == -1)
		goto out;
	params[0] = o.name, params[1] = o.version, params[2] = o.status;
	params[3] = o.owner, params[4] = o.description, params[5] = o.progress;
	if ((res = db_exec_named(db, "ctl_flow_insert",
	    "INSERT INTO flows (name, version, status, owner, description, progress_status)"
	    " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id", 6, params)) == NULL)
		goto out;
	snprintf(fid, sizeof(fid), "%s", db_get(res, 0, "id"));
	db_clear(res);
	if (o.nconns > 0 && flow_link(db, fid, &o) == -1)
		goto out;
	buf_puts(&details, "{\"connections\":");
	ctl_ids(&details, o.conns, o.nconns, 1);
	buf_puts(&details, "}");
	if (ctl_flow_audit(db, "flow", fid, o.name, "flow_create", details.data) == -1 ||
	    db_commit(db) == -1)
		goto out;
	printf("%s\n", fid);
	rc = 0;
out:
	if (rc != 0)
		db_rollback(db);
	buf_free(&details);
	return rc;
}

/* {"fields":[…],"connections":[…]}: what an update changed. */
static void
flow_changes(struct buf *b, PGresult *old, PGresult *conns, const struct flow_opts *o)
{
	static const char	*cols[] = { "name", "version", "status", "owner",
				    "description", "progress_status" };
	const char		*vals[6];
	size_t			 i, k;
	int			 n = 0, same;

	vals[0] = o->name, vals[1] = o->version, vals[2] = o->status;
	vals[3] = o->owner, vals[4] = o->description, vals[5] = o->progress;
	buf_puts(b, "{\"fields\":[");
	for (i = 0; i < 6; i++)
		if (strcmp(db_get(old, 0, cols[i]), vals[i]) != 0)
			buf_printf(b, "%s\"%s\"", n++ > 0 ? "," : "", cols[i]);
	if (o->set_conns) {
		same = (size_t)db_rows(conns) == o->nconns;
		for (i = 0; same && i < o->nconns; i++) {
			for (k = 0, same = 0; k < (size_t)db_rows(conns); k++)
				if (strtoll(db_get(conns, (int)k, "connection_id"), NULL,
				    10) == o->conns[i])
					same = 1;
		}
		if (!same)
			buf_printf(b, "%s\"connections\"", n > 0 ? "," : "");
	}
	buf_puts(b, "]");
	if (o->set_conns) {
		buf_puts(b, ",\"connections\":");
		ctl_ids(b, o->conns, o->nconns, 1);
	}
	buf_puts(b, "}");
}

static int
flow_update(struct db *db, int argc, char **argv)
{
	struct flow_opts	 o;
	struct buf		 details;
	const char		*params[7];
	PGresult		*old = NULL, *conns = NULL, *res;
	char			 fid[24];
	long long		 id;
	int			 st, rc = 1;

	if (argc < 1)
		return flow_usage(), 2;
	if (ctl_id(argv[0], "the flow id", &id) == -1)
		return 1;
	if ((st = flow_opts_read(&o, argc - 1, argv + 1)) != 0)
		return st == 2 ? (flow_usage(), 2) : 1;
	snprintf(fid, sizeof(fid), "%lld", id);
	params[0] = fid;
	buf_init(&details);
	if (db_begin(db) == -1)
		goto out;
	if ((old = db_exec_named(db, "ctl_flow_lock",
	    "SELECT name, version, status, owner, description, progress_status"
	    " FROM flows WHERE id = $1 FOR UPDATE", 1, params)) == NULL ||
	    (conns = db_exec_named(db, "ctl_flow_conns",
	    "SELECT connection_id FROM flow_connections WHERE flow_id = $1"
	    " ORDER BY connection_id", 1, params)) == NULL)
		goto out;
	if (db_rows(old) != 1) {
		fprintf(stderr, "tetherctl: no such flow: %s\n", fid);
		goto out;
	}
	/* What is not given stays as it is. */
	if (o.name == NULL)
		o.name = db_get(old, 0, "name");
	if (o.version == NULL)
		o.version = db_get(old, 0, "version");
	if (o.status == NULL)
		o.status = db_get(old, 0, "status");
	if (o.owner == NULL)
		o.owner = db_get(old, 0, "owner");
	if (o.description == NULL)
		o.description = db_get(old, 0, "description");
	if (o.progress == NULL)
		o.progress = db_get(old, 0, "progress_status");
	if (flow_check(&o) == -1 || flow_conns_exist(db, &o) == -1)
		goto out;
	params[1] = o.name, params[2] = o.version, params[3] = o.status;
	params[4] = o.owner, params[5] = o.description, params[6] = o.progress;
	if ((res = db_exec_named(db, "ctl_flow_update",
	    "UPDATE flows SET name = $2, version = $3, status = $4, owner = $5,"
	    " description = $6, progress_status = $7, updated_at = now() WHERE id = $1",
	    7, params)) == NULL)
		goto out;
	db_clear(res);
	if (o.set_conns && flow_link(db, fid, &o) == -1)
		goto out;
	flow_changes(&details, old, conns, &o);
	if (ctl_flow_audit(db, "flow", fid, o.name, "flow_update", details.data) == -1 ||
	    db_commit(db) == -1)
		goto out;
	printf("updated flow %s\n", fid);
	rc = 0;
out:
	if (rc != 0)
		db_rollback(db);
	db_clear(old);
	db_clear(conns);
	buf_free(&details);
	return rc;
}

static int
flow_remove(struct db *db, int argc, char **argv)
{
	const char	*params[1];
	PGresult	*res = NULL;
	struct buf	 details;
	char		 fid[24];
	long long	 id;
	int		 rc = 1;

	if (argc != 1)
		return flow_usage(), 2;
	if (ctl_id(argv[0], "the flow id", &id) == -1)
		return 1;
	snprintf(fid, sizeof(fid), "%lld", id);
	params[0] = fid;
	buf_init(&details);
	if (db_begin(db) == -1)
		goto out;
	/* Its flow_connections go with it (ON DELETE CASCADE). */
	if ((res = db_exec_named(db, "ctl_flow_delete",
	    "WITH c AS (SELECT COALESCE(json_agg(connection_id ORDER BY connection_id),"
	    " '[]')::text AS ids FROM flow_connections WHERE flow_id = $1)"
	    " DELETE FROM flows f USING c WHERE f.id = $1 RETURNING f.name, c.ids",
	    1, params)) == NULL)
		goto out;
	if (db_rows(res) != 1) {
		fprintf(stderr, "tetherctl: no such flow: %s\n", fid);
		goto out;
	}
	buf_printf(&details, "{\"connections\":%s}", db_get(res, 0, "ids"));
	if (ctl_flow_audit(db, "flow", fid, db_get(res, 0, "name"), "flow_delete",
	    details.data) == -1 || db_commit(db) == -1)
		goto out;
	printf("removed flow %s\n", fid);
	rc = 0;
out:
	if (rc != 0)
		db_rollback(db);
	db_clear(res);
	buf_free(&details);
	return rc;
}

static int
flow_list(struct db *db, int argc, char **argv)
{
	PGresult	*res;
	int		 i;

	(void)argv;
	if (argc != 0)
		return flow_usage(), 2;
	if ((res = db_exec_named(db, "ctl_flow_list",
	    "SELECT f.id, f.name, f.version, f.status, f.owner,"
	    " COALESCE((SELECT string_agg(fc.connection_id::text, ','"
	    " ORDER BY fc.connection_id) FROM flow_connections fc"
	    " WHERE fc.flow_id = f.id), '') AS conns"
	    " FROM flows f ORDER BY lower(f.name), f.id", 0, NULL)) == NULL)
		return 1;
	printf("ID\tNAME\tVERSION\tSTATUS\tOWNER\tCONNECTIONS\n");
	for (i = 0; i < db_rows(res); i++)
		printf("%s\t%s\t%s\t%s\t%s\t%s\n", db_get(res, i, "id"),
		    db_get(res, i, "name"), db_get(res, i, "version"),
		    db_get(res, i, "status"), db_get(res, i, "owner"),
		    db_get(res, i, "conns"));
	db_clear(res);
	return 0;
}

int
ctl_flow(struct db *db, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "add") == 0)
		return flow_add(db, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "update") == 0)
		return flow_update(db, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "remove") == 0)
		return flow_remove(db, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "list") == 0)
		return flow_list(db, argc - 1, argv + 1);
	flow_usage();
	return 2;
}

/* ---------------------------------------------------------------- tokens */

static int
token_add(struct db *db, int argc, char **argv)
{
	char		 token[TOKEN_BYTES * 2], hash[68], days[16] = "";
	const char	*params[4], *why;
	PGresult	*res = NULL;
	long long	 n;
	struct buf	 label;
	int		 rc = 1;

	if (argc != 2 && !(argc == 4 && strcmp(argv[2], "--expires-days") == 0))
		return token_usage(), 2;
	if ((why = valid_name(argv[1], 120)) != NULL) {
		fprintf(stderr, "tetherctl: the token name: %s\n", why);
		return 1;
	}
	if (argc == 4) {
		if (valid_int(argv[3], 1, TOKEN_DAYS_MAX, &n) != NULL) {
			fprintf(stderr, "tetherctl: --expires-days: use a whole number"
			    " from 1 to %d\n", TOKEN_DAYS_MAX);
			return 1;
		}
		snprintf(days, sizeof(days), "%lld", n);
	}
	auth_random_token(token, sizeof(token), TOKEN_BYTES);
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
	if (ctl_flow_audit(db, "api_token", db_get(res, 0, "id"), label.data,
	    "token_create", NULL) == -1 || db_commit(db) == -1)
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
token_revoke(struct db *db, int argc, char **argv)
{
	const char	*params[1];
	PGresult	*res = NULL;
	struct buf	 label;
	char		 tid[24];
	long long	 id;
	int		 rc = 1;

	if (argc != 1)
		return token_usage(), 2;
	if (ctl_id(argv[0], "the token id", &id) == -1)
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
	if (ctl_flow_audit(db, "api_token", tid, label.data, "token_revoke", NULL) == -1 ||
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
token_list(struct db *db, int argc, char **argv)
{
	const char	*params[1];
	PGresult	*res;
	int		 i;

	if (argc != 1)
		return token_usage(), 2;
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
		return token_add(db, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "revoke") == 0)
		return token_revoke(db, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "list") == 0)
		return token_list(db, argc - 1, argv + 1);
	token_usage();
	return 2;
}
