/*
 * ctl-flow.c — tetherctl's flow registry commands: what the JSON API does
 * for flows, from the command line. flow.c checks, changes and audits
 * (acting as the system, 'tetherctl'); this file reads the options and
 * prints.
 *
 *   flow add --name N --version V --status S [--owner O] [--description D]
 *       [--progress P] [--connection ID]...	prints the new id
 *   flow update ID [the same options; --connection replaces the set,
 *       --no-connections empties it]
 *   flow remove ID
 *   flow list
 *
 * Exit statuses: 0 done; 1 refused or failed (a message on stderr, nothing
 * saved); 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "tether.h"

/* The options of add and update. */
struct ctl_flow_opts {
	struct flow_in	 f;		/* NULL: not given */
	const char	*version;	/* as given */
	int		 set_conns;	/* --connection or --no-connections given */
};

/* The option that sets each field of a flow. */
static const char *const ctl_flow_options[FLOW__FIELDS] = {
	"--name", "--version", "--status", "--owner", "--description", "--progress",
	"--connection",
};

static void
ctl_flow_usage(void)
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

/* A positive id from the command line; -1 with a message when it is not one. */
static int
ctl_flow_id(const char *s, const char *what, long long *out)
{
	if (valid_int(s, 1, INT64_MAX / 2, out) != NULL) {
		fprintf(stderr, "tetherctl: %s must be a positive number, not \"%s\"\n",
		    what, s);
		return -1;
	}
	return 0;
}

/* --connection ID: once each, at most FLOW_CONNS_MAX. 0, -1 or 2 (usage). */
static int
ctl_flow_opt_conn(struct ctl_flow_opts *o, const char *arg)
{
	struct flow_in	*f = &o->f;
	long long	 id;
	size_t		 k;

	if (o->set_conns && f->nconns == 0)
		return 2;	/* with --no-connections */
	if (ctl_flow_id(arg, "--connection", &id) == -1)
		return -1;
	if (f->nconns == FLOW_CONNS_MAX) {
		fprintf(stderr, "tetherctl: a flow uses at most %d connections\n",
		    FLOW_CONNS_MAX);
		return -1;
	}
	for (k = 0; k < f->nconns; k++)
		if (f->conns[k] == id) {
			fprintf(stderr, "tetherctl: connection %lld is listed twice\n", id);
			return -1;
		}
	f->conns[f->nconns++] = id;
	o->set_conns = 1;
	return 0;
}

/* Read the options of add and update. 0, -1 (message printed) or 2 (usage). */
static int
ctl_flow_opts_read(struct ctl_flow_opts *o, int argc, char **argv)
{
	const char	**dsts[FLOW__FIELDS] = { &o->f.name, &o->version, &o->f.status,
			    &o->f.owner, &o->f.description, &o->f.progress, NULL };
	long long	  v;
	int		  i, k, st;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--no-connections") == 0) {
			if (o->f.nconns > 0)
				return 2;
			o->set_conns = 1;
			continue;
		}
		if (i + 1 >= argc)
			return 2;
		for (k = 0; k < FLOW__FIELDS && strcmp(argv[i], ctl_flow_options[k]) != 0; k++)
			continue;
		if (k == FLOW__FIELDS)
			return 2;
		if (k == FLOW_CONNECTIONS) {
			if ((st = ctl_flow_opt_conn(o, argv[++i])) != 0)
				return st;
			continue;
		}
		if (*dsts[k] != NULL)
			return 2;	/* given twice */
		*dsts[k] = argv[++i];
	}
	/* Not given: 0; not a number in range: -1, which flow_check refuses. */
	if (o->version != NULL)
		o->f.version = valid_int(o->version, 1, FLOW_VERSION_MAX, &v) == NULL ? v : -1;
	o->f.keep_conns = !o->set_conns;
	return 0;
}

/* Say why flow_create, _replace or _delete did not finish (a database
 * failure, -1, was logged where it happened); 1. */
static int
ctl_flow_refused(int rc, const struct flow_result *res)
{
	switch (rc) {
	case FLOW_INVALID:
		fprintf(stderr, "tetherctl: %s: %s\n", ctl_flow_options[res->field], res->why);
		break;
	case FLOW_NOT_FOUND:
		fprintf(stderr, "tetherctl: no such flow: %lld\n", (long long)res->id);
		break;
	case FLOW_CONN_NOT_FOUND:
		fprintf(stderr, "tetherctl: connection %lld does not exist; nothing was saved\n",
		    res->conn);
		break;
	case FLOW_CONN_GONE:
		fprintf(stderr, "tetherctl: a connection was deleted meanwhile;"
		    " nothing was saved\n");
		break;
	case FLOW_FORBIDDEN:
	case FLOW_CONN_FORBIDDEN:	/* not to the system */
		fprintf(stderr, "tetherctl: not allowed; nothing was saved\n");
		break;
	}
	return 1;
}

static int
ctl_flow_add(const struct actor *a, int argc, char **argv)
{
	struct ctl_flow_opts	 o;
	struct flow_result	 res;
	int			 st;

	if ((st = ctl_flow_opts_read(&o, argc, argv)) != 0)
		return st == 2 ? (ctl_flow_usage(), 2) : 1;
	if (o.f.name == NULL || o.version == NULL || o.f.status == NULL) {
		fprintf(stderr, "tetherctl: flow add needs --name, --version and --status\n");
		return 1;
	}
	if (o.f.owner == NULL)
		o.f.owner = "";
	if (o.f.description == NULL)
		o.f.description = "";
	if (o.f.progress == NULL)
		o.f.progress = "";
	if ((st = flow_create(a, &o.f, &res)) != FLOW_DONE)
		return ctl_flow_refused(st, &res);
	printf("%lld\n", (long long)res.id);
	return 0;
}

/* What is not given stays as it is. */
static int
ctl_flow_update(const struct actor *a, int argc, char **argv)
{
	struct ctl_flow_opts	 o;
	struct flow_result	 res;
	long long		 id;
	int			 st;

	if (argc < 1)
		return ctl_flow_usage(), 2;
	if (ctl_flow_id(argv[0], "the flow id", &id) == -1)
		return 1;
	if ((st = ctl_flow_opts_read(&o, argc - 1, argv + 1)) != 0)
		return st == 2 ? (ctl_flow_usage(), 2) : 1;
	if ((st = flow_replace(a, id, &o.f, &res)) != FLOW_DONE)
		return ctl_flow_refused(st, &res);
	printf("updated flow %lld\n", id);
	return 0;
}

static int
ctl_flow_remove(const struct actor *a, int argc, char **argv)
{
	struct flow_result	 res;
	long long		 id;
	int			 st;

	if (argc != 1)
		return ctl_flow_usage(), 2;
	if (ctl_flow_id(argv[0], "the flow id", &id) == -1)
		return 1;
	if ((st = flow_delete(a, id, &res)) != FLOW_DONE)
		return ctl_flow_refused(st, &res);
	printf("removed flow %lld\n", id);
	return 0;
}

static int
ctl_flow_list(const struct actor *a, int argc, char **argv)
{
	PGresult	*res;
	int		 i;

	(void)argv;
	if (argc != 0)
		return ctl_flow_usage(), 2;
	if ((res = db_exec_named(&a->app->db, "ctl_flow_list",
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
	struct app	 app;
	struct actor	 a;
	int		 rc;

	/* flow.c reaches the database through its actor's app: lend it ours. */
	memset(&app, 0, sizeof(app));
	app.db = *db;
	actor_system(&a, &app, "tetherctl", NULL);
	if (argc >= 1 && strcmp(argv[0], "add") == 0)
		rc = ctl_flow_add(&a, argc - 1, argv + 1);
	else if (argc >= 1 && strcmp(argv[0], "update") == 0)
		rc = ctl_flow_update(&a, argc - 1, argv + 1);
	else if (argc >= 1 && strcmp(argv[0], "remove") == 0)
		rc = ctl_flow_remove(&a, argc - 1, argv + 1);
	else if (argc >= 1 && strcmp(argv[0], "list") == 0)
		rc = ctl_flow_list(&a, argc - 1, argv + 1);
	else {
		ctl_flow_usage();
		rc = 2;
	}
	*db = app.db;
	return rc;
}
